package web

import (
	"net/http"
	"strconv"
	"strings"

	"cordon"
	"cordon/internal/app"
)

// Road checkpoints (卡点): /checkpoints lists them with a form to register
// one and the passages per hour of a chosen checkpoint and day;
// /checkpoints/{id}/pass is the officer's phone page, a plain form (the
// camera button of scan.js fills the code field when the phone has a
// camera) that records a passage and shows the colour, its reasons and the
// itinerary card. It has no offline queue yet.

type checkpointListPage struct {
	page
	Form        form
	Checkpoints []cordon.Checkpoint
	Kinds       []cordon.CheckpointKind
	Counted     *cordon.Checkpoint
	Day         string
	Counts      []cordon.PassageCount
}

var checkpointFields = []string{"name", "kind", "jurisdiction", "location", "in_label", "out_label", "staff", "opens", "closes"}

func (s *server) checkpointListPage(r *http.Request, f form) (checkpointListPage, error) {
	v := s.visitOf(r)
	d := checkpointListPage{page: s.newPage(r, "checkpoints.title", "checkpoints"), Form: f, Kinds: cordon.CheckpointKinds,
		Day: strings.TrimSpace(r.URL.Query().Get("day"))}
	var err error
	if d.Checkpoints, err = s.app.Checkpoints(r.Context(), v.actor); err != nil {
		return d, err
	}
	if id, _ := strconv.ParseInt(r.URL.Query().Get("counts"), 10, 64); id > 0 {
		for i, c := range d.Checkpoints {
			if c.ID == id {
				d.Counted = &d.Checkpoints[i]
			}
		}
		if d.Counted == nil {
			return d, cordon.Errorf(cordon.KindNotFound, "checkpoint.not_found", "no such checkpoint")
		}
		if d.Counts, err = s.app.CheckpointCounts(r.Context(), v.actor, id, d.Day); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (s *server) checkpointList(w http.ResponseWriter, r *http.Request) {
	d, err := s.checkpointListPage(r, form{Values: map[string]string{"jurisdiction": s.visitOf(r).actor.Jurisdiction}})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "checkpoints", d)
}

func (s *server) checkpointCreate(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	f := formFrom(r, checkpointFields...)
	in := cordon.CheckpointInput{Name: f.Get("name"), Kind: cordon.CheckpointKind(f.Get("kind")), Jurisdiction: strings.TrimSpace(f.Get("jurisdiction")),
		Location: f.Get("location"), InLabel: f.Get("in_label"), OutLabel: f.Get("out_label"), Staff: codes(f.Get("staff")),
		Opens: f.Get("opens"), Closes: f.Get("closes")}
	_, err := s.app.CreateCheckpoint(r.Context(), v.actor, in)
	if err == nil {
		s.done(w, r, "/checkpoints", "checkpoint.created")
		return
	}
	status, alert, ok := formFailure(err, &f)
	d, perr := s.checkpointListPage(r, f)
	if !ok || perr != nil {
		s.fail(w, r, err)
		return
	}
	d.Alert = alert
	s.render(w, r, status, "checkpoints", d)
}

type passPage struct {
	page
	Checkpoint cordon.Checkpoint
	Form       form
	Result     *checkAnswer
	Passage    *cordon.Passage
}

var passFields = []string{"code", "name", "phone", "plate", "direction", "key"}

func (s *server) newPassPage(w http.ResponseWriter, r *http.Request, f form) (passPage, bool) {
	v := s.visitOf(r)
	d := passPage{page: s.newPage(r, "pass.title", "checkpoints"), Form: f}
	d.Scripts = []string{"scan.js"}
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return d, false
	}
	if !v.actor.Can(cordon.PermPassageWrite) {
		s.fail(w, r, cordon.ErrForbidden)
		return d, false
	}
	cp, err := s.app.Checkpoint(r.Context(), v.actor, id)
	if err != nil {
		s.fail(w, r, err)
		return d, false
	}
	d.Checkpoint = cp
	return d, true
}

func (s *server) passForm(w http.ResponseWriter, r *http.Request) {
	d, ok := s.newPassPage(w, r, form{Values: map[string]string{"direction": "in"}})
	if ok {
		s.render(w, r, http.StatusOK, "pass", d)
	}
}

// passRecord records one passage from the form: the code field holds a
// scanned health code or a typed identity number; without either, the
// name and phone of a traveller who has neither.
func (s *server) passRecord(w http.ResponseWriter, r *http.Request) {
	f := formFrom(r, passFields...)
	d, ok := s.newPassPage(w, r, f)
	if !ok {
		return
	}
	v := s.visitOf(r)
	in := app.PassageInput{Name: f.Get("name"), Phone: strings.TrimSpace(f.Get("phone")), Plate: f.Get("plate"),
		Direction: cordon.Direction(f.Get("direction")), Key: f.Get("key")}
	if code := strings.TrimSpace(f.Get("code")); strings.Contains(code, "HC1.") {
		in.Token = code
	} else {
		in.IDNumber = strings.ToUpper(strings.ReplaceAll(code, " ", ""))
	}
	res, err := s.app.RecordPassage(r.Context(), v.actor, d.Checkpoint.ID, in)
	if e := asError(err); e != nil && e.Fields["token"] != "" {
		e.Fields["code"] = e.Fields["token"]
	}
	if err != nil {
		status, alert, ok := formFailure(err, &d.Form)
		if !ok {
			s.fail(w, r, err)
			return
		}
		d.Alert = alert
		s.render(w, r, status, "pass", d)
		return
	}
	d.Passage = res.Passage
	if res.Passage == nil || res.Passage.PersonID != 0 { // no code was checked for an unidentified traveller
		d.Result = s.checkAnswer(v.lang, app.CheckResult{Code: res.Code, Itinerary: res.Itinerary})
	}
	if res.Passage != nil { // ready for the next traveller, same direction
		d.Form = form{Values: map[string]string{"direction": f.Get("direction")}}
	}
	s.render(w, r, http.StatusOK, "pass", d)
}

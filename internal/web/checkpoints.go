package web

import (
	"crypto/rand"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cordon"
	"cordon/internal/app"
)

// Road checkpoints (卡点): /checkpoints lists them with a form to register
// one and the passages per hour of a chosen checkpoint and day;
// /checkpoints/{id}/pass is the officer's phone page: scan the health code
// or type the ID number, the plate (kept for the next traveller of the
// same vehicle) and the direction; the colour, its reasons and the
// itinerary card are shown large, with today's counts per hour and the
// latest passages below. Without script it is a plain form; with script
// (pass.js) passages are queued on the phone while offline and sent, once
// each, when the network is back.

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
	Warnings   []string // translation keys: outside the hours, not on the staff list
	Recent     []passRow
	Counts     []cordon.PassageCount // today's, all 24 hours
	Total      int
	KeysPath   string
	Texts      string
}

// passRow is one passage in the page's words: the recent list, and the
// script's answer.
type passRow struct {
	Time      string `json:"time"`
	Hour      int    `json:"hour"`
	Today     bool   `json:"today"`
	Direction string `json:"direction"`
	Way       string `json:"way"`
	Color     string `json:"color,omitempty"`
	ColorText string `json:"color_text"`
	Plate     string `json:"plate,omitempty"`
	Who       string `json:"who"`
}

// passAnswer is a recorded passage, for the page's script.
type passAnswer struct {
	*checkAnswer
	Passage  *passRow `json:"passage,omitempty"`
	Warnings []string `json:"warnings"`
}

var passFields = []string{"code", "name", "phone", "plate", "direction", "key", "scanned_at"}

func (s *server) passRow(lang string, cp cordon.Checkpoint, p cordon.Passage) passRow {
	at := p.At.In(chinaTime)
	row := passRow{Time: at.Format("15:04"), Hour: at.Hour(), Today: at.Format(time.DateOnly) == time.Now().In(chinaTime).Format(time.DateOnly),
		Direction: string(p.Direction), Way: cp.InLabel, Color: string(p.Color), Plate: p.Plate, Who: p.Name}
	if p.Direction == cordon.DirectionOut {
		row.Way = cp.OutLabel
	}
	if row.Way == "" {
		row.Way = s.cat.T(lang, "passage.direction."+string(p.Direction))
	}
	row.ColorText = s.cat.T(lang, "pass.no_color")
	if p.Color != "" {
		row.ColorText = s.cat.T(lang, "healthcode.color_"+string(p.Color))
	}
	if p.PersonID != 0 {
		row.Who = s.cat.T(lang, "pass.source_"+string(p.Source))
	}
	return row
}

func (s *server) newPassPage(w http.ResponseWriter, r *http.Request, f form) (passPage, bool) {
	v := s.visitOf(r)
	d := passPage{page: s.newPage(r, "pass.title", "checkpoints"), Form: f, KeysPath: keysPath, Texts: s.codeTexts(v.lang)}
	d.Scripts = []string{"vendor/idb-keyval.min.js", "codeverify.js", "codecheck.js", "pass.js", "scan.js"}
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
	for _, c := range s.app.PassageWarnings(cp, v.actor) {
		d.Warnings = append(d.Warnings, "warning."+c)
	}
	return d, true
}

// withToday adds today's counts and the latest passages to the page.
func (s *server) withToday(r *http.Request, d *passPage) error {
	v := s.visitOf(r)
	var err error
	if d.Counts, err = s.app.CheckpointCounts(r.Context(), v.actor, d.Checkpoint.ID, ""); err != nil {
		return err
	}
	for _, c := range d.Counts {
		d.Total += c.In + c.Out
	}
	recent, err := s.app.CheckpointPassages(r.Context(), v.actor, d.Checkpoint.ID, "", 10)
	for _, p := range recent {
		d.Recent = append(d.Recent, s.passRow(v.lang, d.Checkpoint, p))
	}
	return err
}

func (s *server) passForm(w http.ResponseWriter, r *http.Request) {
	// The key makes a form posted twice (a reload, a second tap) one passage.
	d, ok := s.newPassPage(w, r, form{Values: map[string]string{"direction": "in", "key": rand.Text()}})
	if !ok {
		return
	}
	if err := s.withToday(r, &d); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "pass", d)
}

// passInput reads the passage form: the code field holds a scanned health
// code or a typed identity number; without either, the name and phone of
// a traveller who has neither. scanned_at comes with a passage the script
// queued offline.
func passInput(f form) (app.PassageInput, error) {
	in := app.PassageInput{Name: f.Get("name"), Phone: strings.TrimSpace(f.Get("phone")), Plate: f.Get("plate"),
		Direction: cordon.Direction(f.Get("direction")), Key: f.Get("key")}
	if code := strings.TrimSpace(f.Get("code")); strings.Contains(code, "HC1.") {
		in.Token = code
	} else {
		in.IDNumber = strings.ToUpper(strings.ReplaceAll(code, " ", ""))
	}
	if at := strings.TrimSpace(f.Get("scanned_at")); at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return in, cordon.Errorf(cordon.KindInvalid, "healthcode.scan_time_invalid", "a scan time in RFC 3339")
		}
		in.ScannedAt = t
	}
	return in, nil
}

// passRecord records one passage: for the page's script (JSON, also for
// the passages it queued offline) or the plain form.
func (s *server) passRecord(w http.ResponseWriter, r *http.Request) {
	f := formFrom(r, passFields...)
	d, ok := s.newPassPage(w, r, f)
	if !ok {
		return
	}
	v := s.visitOf(r)
	in, err := passInput(f)
	var res app.PassageResult
	if err == nil {
		res, err = s.app.RecordPassage(r.Context(), v.actor, d.Checkpoint.ID, in)
	}
	if e := asError(err); e != nil && e.Fields["token"] != "" {
		e.Fields["code"] = e.Fields["token"]
	}
	var answer *checkAnswer
	if err == nil && (res.Passage == nil || res.Passage.PersonID != 0) { // no code was checked for an unidentified traveller
		answer = s.checkAnswer(v.lang, app.CheckResult{Code: res.Code, Itinerary: res.Itinerary})
	}
	if wantsJSON(r) {
		if err != nil {
			s.writeJSONError(w, r, err)
			return
		}
		out := passAnswer{checkAnswer: answer, Warnings: []string{}}
		if answer == nil {
			out.checkAnswer = &checkAnswer{Code: &codeAnswer{StateText: s.cat.T(v.lang, "pass.unidentified")}, Places: []checkedPlace{}}
		}
		if res.Passage != nil {
			row := s.passRow(v.lang, d.Checkpoint, *res.Passage)
			out.Passage, out.Again = &row, res.Again
			out.ScanInText = s.cat.T(v.lang, "pass.stored")
			if res.Again {
				out.ScanInText = s.cat.T(v.lang, "pass.stored_again")
			}
		}
		for _, c := range res.Warnings {
			out.Warnings = append(out.Warnings, s.cat.T(v.lang, "warning."+c))
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	status := http.StatusOK
	if err != nil {
		st, alert, ok := formFailure(err, &d.Form)
		if !ok {
			s.fail(w, r, err)
			return
		}
		status, d.Alert = st, alert
	}
	d.Passage, d.Result = res.Passage, answer
	if res.Passage != nil { // ready for the next traveller: same direction, same vehicle
		d.Form = form{Values: map[string]string{"direction": f.Get("direction"), "plate": res.Passage.Plate, "key": rand.Text()}}
	}
	if err := s.withToday(r, &d); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "pass", d)
}

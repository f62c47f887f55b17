package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cordon"
)

// roundFormPage opens a round.
type roundFormPage struct {
	page
	Form      form
	Groups    []cordon.Group
	PoolSizes []int
	Places    []cordon.Jurisdiction
}

var roundFields = []string{"name", "jurisdiction", "areas", "starts_at", "deadline", "expected",
	"mode_general", "mode_key", "mode_quarantined"}

func (s *server) roundFormPage(r *http.Request, f form) roundFormPage {
	return roundFormPage{page: s.newPage(r, "round.new_title", "rounds"), Form: f,
		Groups: cordon.Groups, PoolSizes: cordon.PoolSizes, Places: s.places(r)}
}

// roundNew shows the form filled with the guide's defaults: start now,
// deadline 24 hours later, 10-in-1 for the general population.
func (s *server) roundNew(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	if !v.actor.Can(cordon.PermTestingManage) {
		s.fail(w, r, cordon.ErrForbidden)
		return
	}
	now := s.opt.Now().Truncate(time.Minute)
	f := form{Values: map[string]string{
		"jurisdiction": v.actor.Jurisdiction,
		"starts_at":    localTime(now),
		"deadline":     localTime(now.Add(cordon.DefaultRoundHours * time.Hour)),
	}}
	for g, k := range cordon.DefaultModes() {
		f.Values["mode_"+string(g)] = strconv.Itoa(k)
	}
	s.render(w, r, http.StatusOK, "round_form", s.roundFormPage(r, f))
}

// roundCreate opens the round and shows its page.
func (s *server) roundCreate(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	f := formFrom(r, roundFields...)
	in := cordon.RoundInput{Name: f.Get("name"), Jurisdiction: strings.TrimSpace(f.Get("jurisdiction")), Areas: codes(f.Get("areas")), Modes: cordon.Modes{}}
	in.StartsAt, _ = timeField(&f, "starts_at")
	in.Deadline, _ = timeField(&f, "deadline")
	in.Expected, _ = intField(&f, "expected")
	for _, g := range cordon.Groups {
		if k, ok := intField(&f, "mode_"+string(g)); ok && k != 0 {
			in.Modes[g] = k
		}
	}
	if len(f.Errors) > 0 {
		d := s.roundFormPage(r, f)
		d.Alert = "form.fix_fields"
		s.render(w, r, http.StatusUnprocessableEntity, "round_form", d)
		return
	}
	rd, err := s.app.CreateRound(r.Context(), v.actor, in)
	if err != nil {
		d := s.roundFormPage(r, f)
		status, alert, ok := formFailure(err, &d.Form)
		if !ok {
			s.fail(w, r, err)
			return
		}
		// app names the modes as one field; mark every pool-size select.
		if code, bad := d.Form.Errors["modes"]; bad {
			for _, g := range cordon.Groups {
				d.Form.Errors["mode_"+string(g)] = code
			}
		}
		d.Alert = alert
		s.render(w, r, status, "round_form", d)
		return
	}
	s.done(w, r, fmt.Sprintf("/rounds/%d", rd.ID), "round.created")
}

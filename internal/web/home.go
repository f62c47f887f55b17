package web

import (
	"net/http"

	"cordon"
	"cordon/internal/app"
)

// homePage shows the account's jurisdiction at a glance.
type homePage struct {
	page
	Jurisdiction cordon.Jurisdiction
	Path         string
	Children     int
	Persons      int
	Grids        int
	Alerts       int // health-check alerts nobody acknowledged, for those who follow cases
	Escalates    bool
	AssistLate   int // people of assist requests received past their 24 h, for commanders
}

func (s *server) home(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	ctx, code := r.Context(), v.actor.Jurisdiction
	d := homePage{page: s.newPage(r, "home.title", "home")}
	var err error
	if d.Jurisdiction, err = s.app.Jurisdiction(ctx, v.actor, code); err != nil {
		s.fail(w, r, err)
		return
	}
	d.Path = s.app.PathName(ctx, code)
	children, err := s.app.Children(ctx, v.actor, code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Children = len(children)
	if d.Persons, err = s.app.CountPersons(ctx, v.actor); err != nil {
		s.fail(w, r, err)
		return
	}
	grids, err := s.app.Grids(ctx, v.actor, code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Grids = len(grids)
	if v.actor.Can(cordon.PermCaseRead) {
		if d.Alerts, err = s.app.CountOpenAlerts(ctx, v.actor); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if d.Escalates = app.Escalates(v.actor); d.Escalates {
		if d.AssistLate, err = s.app.CountOverdueAssist(ctx, v.actor); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "home", d)
}

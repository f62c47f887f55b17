package web

import (
	"net/http"
	"strings"
	"time"

	"cordon"
)

// Area measures (区域赋码): one record on a jurisdiction that colours the
// code of everyone living there until a date or a number of negative
// rounds. The page lists those over or inside the reader's area with their
// state, and lets a commander take one or lift one with a reason.

// measuresPage is the list and the forms.
type measuresPage struct {
	page
	Measures []measureView
	Form     form
	End      form
	EndID    int64 // the measure whose end form failed
	Reasons  []cordon.CodeReason
	Places   []cordon.Jurisdiction
}

// measureView is a measure with its state now.
type measureView struct {
	cordon.AreaMeasure
	State string // scheduled, active, ended (by hand or after its rounds), expired (its date passed)
}

func measureState(m cordon.AreaMeasure, now time.Time) string {
	switch {
	case !m.EndedAt.IsZero() && (m.Until.IsZero() || m.EndedAt.Before(m.Until)):
		return "ended"
	case !m.Until.IsZero() && !now.Before(m.Until):
		return "expired"
	case now.Before(m.From):
		return "scheduled"
	}
	return "active"
}

var measureFields = []string{"jurisdiction", "reason_code", "note", "from", "until", "rounds"}

func (s *server) measureList(w http.ResponseWriter, r *http.Request) {
	f := form{Values: map[string]string{"jurisdiction": s.visitOf(r).actor.Jurisdiction, "reason_code": string(cordon.ReasonYellowOther), "rounds": "3"}}
	s.showMeasures(w, r, http.StatusOK, f, form{}, 0, "")
}

func (s *server) showMeasures(w http.ResponseWriter, r *http.Request, status int, f, end form, endID int64, alert string) {
	v := s.visitOf(r)
	ms, err := s.app.AreaMeasures(r.Context(), v.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := measuresPage{page: s.newPage(r, "measures.title", "measures"), Form: f, End: end, EndID: endID, Reasons: allReasons}
	if v.actor.Can(cordon.PermMeasureManage) {
		d.Places = s.places(r)
	}
	now := s.opt.Now()
	for _, m := range ms {
		d.Measures = append(d.Measures, measureView{AreaMeasure: m, State: measureState(m, now)})
	}
	d.Alert = alert
	s.render(w, r, status, "measures", d)
}

// measureTake records a measure. The end is a date, a number of negative
// rounds, or both (whichever comes first).
func (s *server) measureTake(w http.ResponseWriter, r *http.Request) {
	f := formFrom(r, measureFields...)
	from, okFrom := timeField(&f, "from")
	until, okUntil := timeField(&f, "until")
	rounds, okRounds := intField(&f, "rounds")
	if !okFrom || !okUntil || !okRounds {
		s.showMeasures(w, r, http.StatusUnprocessableEntity, f, form{}, 0, "form.fix_fields")
		return
	}
	_, err := s.app.TakeAreaMeasure(r.Context(), s.visitOf(r).actor, cordon.AreaMeasure{Jurisdiction: strings.TrimSpace(f.Get("jurisdiction")),
		Reason: cordon.CodeReason(f.Get("reason_code")), Note: strings.TrimSpace(f.Get("note")), From: from, Until: until, Rounds: rounds})
	err = outsideScope(err, s.visitOf(r).actor, cordon.PermMeasureManage)
	if err != nil {
		status, alert, ok := formFailure(err, &f)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.showMeasures(w, r, status, f, form{}, 0, alert)
		return
	}
	s.done(w, r, "/measures", "measure.taken")
}

// measureEnd lifts a measure now, with a reason.
func (s *server) measureEnd(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	end := formFrom(r, "reason")
	if err := s.app.EndAreaMeasure(r.Context(), s.visitOf(r).actor, id, strings.TrimSpace(end.Get("reason"))); err != nil {
		status, alert, ok := formFailure(err, &end)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.showMeasures(w, r, status, form{Values: map[string]string{}}, end, id, alert)
		return
	}
	s.done(w, r, "/measures", "measure.ended")
}

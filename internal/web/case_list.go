package web

import (
	"net/http"
	"strconv"

	"cordon"
)

// caseListPage lists the cases in the account's subtree, newest first, with
// their reporting clocks, so that an epidemiologist sees at a glance which
// report, trajectory or initial report is due or late.
type caseListPage struct {
	page
	Form            form
	Classifications []cordon.Classification
	Cases           []caseRow
	Next            string
}

// caseRow is one case with its area named and its clocks judged.
type caseRow struct {
	cordon.Case
	Place  string
	Clocks []clockView
}

func (s *server) caseList(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	q := r.URL.Query()
	d := caseListPage{page: s.newPage(r, "cases.title", "cases"), Classifications: cordon.Classifications,
		Form: form{Values: map[string]string{"classification": q.Get("classification")}}}
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	cs, err := s.app.Cases(r.Context(), v.actor, cordon.CaseFilter{Classification: cordon.Classification(d.Form.Get("classification")), After: after, Limit: pageSize})
	status := http.StatusOK
	if err != nil {
		var ok bool
		if status, d.Alert, ok = formFailure(err, &d.Form); !ok {
			s.fail(w, r, err)
			return
		}
	}
	for _, c := range cs {
		d.Cases = append(d.Cases, caseRow{Case: c, Place: s.app.PathName(r.Context(), c.Jurisdiction), Clocks: clockViews(c.Clocks)})
	}
	if len(cs) == pageSize {
		d.Next = withQuery("/cases", "classification", d.Form.Get("classification"), "after", strconv.FormatInt(cs[pageSize-1].ID, 10))
	}
	s.render(w, r, status, "cases", d)
}

// clockView is a reporting clock with its state named for the badge:
// done (on time), late (done after the deadline), overdue (not done, past
// the deadline) or pending (not done, still in time).
type clockView struct {
	cordon.Clock
	State string
}

// clockViews judges the clocks app computed.
func clockViews(cs []cordon.Clock) []clockView {
	out := make([]clockView, 0, len(cs))
	for _, c := range cs {
		state := "pending"
		switch {
		case !c.DoneAt.IsZero() && c.Overdue:
			state = "late"
		case !c.DoneAt.IsZero():
			state = "done"
		case c.Overdue:
			state = "overdue"
		}
		out = append(out, clockView{Clock: c, State: state})
	}
	return out
}

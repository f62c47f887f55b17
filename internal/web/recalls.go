package web

import (
	"net/http"
	"strconv"
	"strings"

	"cordon"
)

// recallPage is the grid worker's list of people recalled in their area:
// held at home for a single-tube retest after a positive pool, or to be
// sampled again after an invalid result. app masks identity numbers by
// role and audits the read.
type recallPage struct {
	page
	Form  form
	Place string
	Holds []holdRow
	Kinds []cordon.HoldKind
	Next  string
}

type holdRow struct {
	cordon.Hold
	Place string
}

func (s *server) recallList(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	q := r.URL.Query()
	d := recallPage{page: s.newPage(r, "recalls.title", "recalls"), Kinds: []cordon.HoldKind{cordon.HoldRetest, cordon.HoldResample},
		Form: form{Values: map[string]string{"jurisdiction": strings.TrimSpace(q.Get("jurisdiction")), "kind": q.Get("kind"), "status": q.Get("status")}}}
	area := d.Form.Get("jurisdiction")
	if area == "" {
		area = v.actor.Jurisdiction
	}
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	holds, err := s.app.Recalls(r.Context(), v.actor, area, cordon.HoldFilter{Status: cordon.HoldStatus(d.Form.Get("status")),
		Kind: cordon.HoldKind(d.Form.Get("kind")), After: after, Limit: pageSize})
	status := http.StatusOK
	if err != nil {
		if cordon.ErrorKind(err) != cordon.KindForbidden || d.Form.Get("jurisdiction") == "" || !v.actor.Can(cordon.PermRecallRead) {
			s.fail(w, r, err)
			return
		}
		status, d.Alert = http.StatusForbidden, errorKey(err)
		d.Form.fail("jurisdiction", cordon.ErrorCode(err))
	}
	d.Place = s.app.PathName(r.Context(), area)
	for _, h := range holds {
		d.Holds = append(d.Holds, holdRow{Hold: h, Place: s.app.PathName(r.Context(), h.Area)})
	}
	if len(holds) == pageSize {
		d.Next = withQuery("/recalls", "jurisdiction", d.Form.Get("jurisdiction"), "kind", d.Form.Get("kind"), "status", d.Form.Get("status"),
			"after", strconv.FormatInt(holds[pageSize-1].ID, 10))
	}
	s.render(w, r, status, "recalls", d)
}

// positivePage lists the positive single tubes for the epidemiologists.
type positivePage struct {
	page
	Positives []positiveRow
	Next      string
	// Classifications are offered by the one-click form that opens a case
	// from a positive.
	Classifications []cordon.Classification
}

type positiveRow struct {
	cordon.Positive
	Place string
}

func (s *server) positiveList(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	ps, err := s.app.Positives(r.Context(), v.actor, after, pageSize)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := positivePage{page: s.newPage(r, "positives.title", "positives"), Classifications: cordon.Classifications}
	for _, p := range ps {
		d.Positives = append(d.Positives, positiveRow{Positive: p, Place: s.app.PathName(r.Context(), p.Area)})
	}
	if len(ps) == pageSize {
		d.Next = withQuery("/positives", "after", strconv.FormatInt(ps[pageSize-1].ID, 10))
	}
	s.render(w, r, http.StatusOK, "positives", d)
}

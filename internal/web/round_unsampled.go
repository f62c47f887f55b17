package web

import (
	"fmt"
	"net/http"
	"strconv"

	"cordon"
)

// unsampledPage lists the registered people of an area not yet sampled in
// a round: the grid worker's door-to-door list. app audits every read.
type unsampledPage struct {
	page
	Round  cordon.Round
	Area   string
	Place  string
	People []cordon.Person
	Next   string
}

func (s *server) roundUnsampled(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := roundID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	ctx, q := r.Context(), r.URL.Query()
	d := unsampledPage{page: s.newPage(r, "unsampled.title", "rounds"), Area: q.Get("area")}
	if d.Area == "" {
		d.Area = v.actor.Jurisdiction
	}
	var err error
	if d.Round, err = s.app.Round(ctx, v.actor, id); err != nil {
		s.fail(w, r, err)
		return
	}
	d.Place = s.app.PathName(ctx, d.Area)
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	if d.People, err = s.app.Unsampled(ctx, v.actor, id, d.Area, after, pageSize); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(d.People) == pageSize {
		d.Next = withQuery(fmt.Sprintf("/rounds/%d/unsampled", id), "area", d.Area, "after", strconv.FormatInt(d.People[pageSize-1].ID, 10))
	}
	s.render(w, r, http.StatusOK, "round_unsampled", d)
}

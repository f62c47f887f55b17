package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"cordon"
)

// venueListPage lists the venues of the account's subtree, newest first,
// searched by name or address and filtered by category.
type venueListPage struct {
	page
	Form       form
	Categories []cordon.VenueCategory
	Venues     []venueRow
	Next       string
	Searched   bool
}

// venueRow is a venue with its place named.
type venueRow struct {
	cordon.Venue
	Place string
}

func (s *server) venueList(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	q := r.URL.Query()
	d := venueListPage{page: s.newPage(r, "venues.title", "venues"), Categories: cordon.VenueCategories,
		Form: form{Values: map[string]string{"q": strings.TrimSpace(q.Get("q")), "category": q.Get("category")}}}
	d.Searched = d.Form.Get("q") != "" || d.Form.Get("category") != ""
	status := http.StatusOK
	category := cordon.VenueCategory(d.Form.Get("category"))
	if category != "" && !slices.Contains(cordon.VenueCategories, category) {
		d.Form.fail("category", "venue.category_invalid")
		d.Alert = "error.venue.category_invalid"
		s.render(w, r, http.StatusUnprocessableEntity, "venues", d)
		return
	}
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	vs, err := s.app.Venues(r.Context(), v.actor, cordon.VenueFilter{Query: d.Form.Get("q"), Category: category, After: after, Limit: pageSize})
	if err != nil {
		var ok bool
		if status, d.Alert, ok = formFailure(err, &d.Form); !ok {
			s.fail(w, r, err)
			return
		}
	}
	for _, x := range vs {
		d.Venues = append(d.Venues, venueRow{Venue: x, Place: s.app.PathName(r.Context(), x.Jurisdiction)})
	}
	if len(vs) == pageSize {
		d.Next = withQuery("/venues", "q", d.Form.Get("q"), "category", d.Form.Get("category"), "after", strconv.FormatInt(vs[pageSize-1].ID, 10))
	}
	s.render(w, r, status, "venues", d)
}

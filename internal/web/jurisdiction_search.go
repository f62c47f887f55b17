package web

import (
	"net/http"
	"net/url"

	"cordon"
)

// jurisdictionSearchPage lists the divisions whose name or code matches.
type jurisdictionSearchPage struct {
	page
	Form    form
	Within  cordon.Jurisdiction
	Results []cordon.Jurisdiction
}

// jurisdictionSearchLimit bounds one search's results.
const jurisdictionSearchLimit = 50

// jurisdictionSearch searches inside a node (the account's own by
// default); without a query it opens the account's own node.
func (s *server) jurisdictionSearch(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	q := r.URL.Query()
	within := q.Get("within")
	if within == "" {
		within = v.actor.Jurisdiction
	}
	if q.Get("q") == "" {
		seeOther(w, r, "/jurisdictions/"+url.PathEscape(within))
		return
	}
	d := jurisdictionSearchPage{
		page: s.newPage(r, "jurisdictions.search_title", "jurisdictions"),
		Form: form{Values: map[string]string{"q": q.Get("q"), "within": within}},
	}
	var err error
	if d.Within, err = s.app.Jurisdiction(r.Context(), v.actor, within); err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	d.Results, err = s.app.SearchJurisdictions(r.Context(), v.actor, d.Form.Get("q"), within, jurisdictionSearchLimit)
	if err != nil {
		var ok bool
		if status, d.Alert, ok = formFailure(err, &d.Form); !ok {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, status, "jurisdiction_search", d)
}

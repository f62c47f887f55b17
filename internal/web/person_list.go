package web

import (
	"net/http"
	"net/url"
	"strconv"

	"cordon"
)

// personPageSize is how many persons one page of the list shows.
const personPageSize = 50

// personListPage is the persons list and search.
type personListPage struct {
	page
	Form     form
	Persons  []cordon.Person
	Places   []cordon.Jurisdiction // the account's jurisdiction and its children, for the filter
	Next     string                // URL of the next page, "" on the last
	Searched bool
}

// personList lists the persons in the account's subtree, newest first. The
// search box takes a name prefix, or an ID number or phone, which app looks
// up exactly; htmx refreshes the results as one types.
func (s *server) personList(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	q := r.URL.Query()
	d := personListPage{
		page: s.newPage(r, "persons.title", "persons"),
		Form: form{Values: map[string]string{"q": q.Get("q"), "jurisdiction": q.Get("jurisdiction")}},
	}
	d.Searched = d.Form.Get("q") != "" || d.Form.Get("jurisdiction") != ""
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	persons, err := s.app.Persons(r.Context(), v.actor, cordon.PersonFilter{
		Query:        d.Form.Get("q"),
		Jurisdiction: d.Form.Get("jurisdiction"),
		After:        after,
		Limit:        personPageSize,
	})
	status := http.StatusOK
	if err != nil {
		var ok bool
		if status, d.Alert, ok = formFailure(err, &d.Form); !ok {
			s.fail(w, r, err)
			return
		}
		if code, bad := d.Form.Errors["phone"]; bad { // a search that looked like a phone
			d.Form.Errors["q"] = code
		}
	}
	d.Persons = persons
	if len(persons) == personPageSize {
		next := url.Values{}
		for _, k := range []string{"q", "jurisdiction"} {
			if x := d.Form.Get(k); x != "" {
				next.Set(k, x)
			}
		}
		next.Set("after", strconv.FormatInt(persons[len(persons)-1].ID, 10))
		d.Next = "/persons?" + next.Encode()
	}
	if children, err := s.app.Children(r.Context(), v.actor, v.actor.Jurisdiction); err == nil {
		if self, err := s.app.Jurisdiction(r.Context(), v.actor, v.actor.Jurisdiction); err == nil {
			d.Places = append([]cordon.Jurisdiction{self}, children...)
		}
	}
	s.render(w, r, status, "persons", d)
}

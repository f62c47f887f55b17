package web

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"cordon"
)

// caseContactsShown is how many contacts of one case the grouped list
// shows: the most a list request returns.
const caseContactsShown = 500

// contactListPage lists the contacts of the account's subtree. Filtered by
// a case, it shows every contact of the case grouped by household, since
// a household is controlled together; otherwise it pages newest first.
type contactListPage struct {
	page
	Form     form
	Kinds    []cordon.ContactKind
	Statuses []cordon.ContactStatus
	Grouped  bool
	Groups   []contactGroup
	Count    int
	Next     string
	// ExportXLSX and ExportCSV download the line list of the filters.
	ExportXLSX, ExportCSV string
}

// contactGroup is the contacts of one household ("" for those without).
type contactGroup struct {
	Household string
	Contacts  []contactRow
}

// contactRow is a contact with its area named, its clock judged and its
// sources listed.
type contactRow struct {
	cordon.Contact
	Place   string
	Clock   clockView
	Sources []cordon.ContactExposure
}

func (s *server) contactRow(r *http.Request, c cordon.Contact) contactRow {
	return contactRow{Contact: c, Place: s.app.PathName(r.Context(), c.Jurisdiction), Clock: clockViews([]cordon.Clock{c.Transfer})[0],
		Sources: c.ActiveExposures()}
}

// contactFilterNames are the query parameters of the list.
var contactFilterNames = []string{"case", "source_contact", "kind", "status", "household", "unmatched"}

func (s *server) contactList(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	q := r.URL.Query()
	d := contactListPage{page: s.newPage(r, "contacts.title", "contacts"), Kinds: cordon.ContactKinds, Statuses: cordon.ContactStatuses,
		Form: form{Values: map[string]string{}}}
	export := url.Values{}
	for _, n := range contactFilterNames {
		if val := strings.TrimSpace(q.Get(n)); val != "" {
			d.Form.Values[n] = val
			export.Set(n, val)
		}
	}
	export.Set("format", "xlsx")
	d.ExportXLSX = "/contacts/export?" + export.Encode()
	export.Set("format", "csv")
	d.ExportCSV = "/contacts/export?" + export.Encode()
	f := cordon.ContactFilter{Kind: cordon.ContactKind(d.Form.Get("kind")), Status: cordon.ContactStatus(d.Form.Get("status")),
		Household: d.Form.Get("household"), Unmatched: d.Form.Get("unmatched") != "", Limit: pageSize}
	f.After, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	bad := false
	for _, p := range []struct {
		name string
		to   *int64
	}{{"case", &f.CaseID}, {"source_contact", &f.SourceContact}} {
		if val := d.Form.Get(p.name); val != "" {
			n, err := strconv.ParseInt(strings.TrimPrefix(val, "#"), 10, 64)
			if err != nil || n <= 0 {
				d.Form.fail(p.name, "contact.filter_invalid")
				bad = true
			}
			*p.to = n
		}
	}
	if bad {
		d.Alert = "error.contact.filter_invalid"
		s.render(w, r, http.StatusUnprocessableEntity, "contacts", d)
		return
	}
	if f.CaseID != 0 {
		// A case's contacts are seen whole, grouped by household.
		d.Grouped, f.Limit, f.After = true, caseContactsShown, 0
	}
	cs, err := s.app.Contacts(r.Context(), v.actor, f)
	status := http.StatusOK
	if err != nil {
		var ok bool
		if status, d.Alert, ok = formFailure(err, &d.Form); !ok {
			s.fail(w, r, err)
			return
		}
	}
	d.Count = len(cs)
	if d.Grouped {
		at := map[string]int{}
		for _, c := range cs {
			i, ok := at[c.Household]
			if !ok {
				i = len(d.Groups)
				at[c.Household] = i
				d.Groups = append(d.Groups, contactGroup{Household: c.Household})
			}
			d.Groups[i].Contacts = append(d.Groups[i].Contacts, s.contactRow(r, c))
		}
		// Households by label, those without one last.
		sortGroups(d.Groups)
	} else if len(cs) > 0 {
		g := contactGroup{}
		for _, c := range cs {
			g.Contacts = append(g.Contacts, s.contactRow(r, c))
		}
		d.Groups = []contactGroup{g}
	}
	if len(cs) == f.Limit && !d.Grouped {
		kv := []string{}
		for _, n := range contactFilterNames {
			kv = append(kv, n, d.Form.Get(n))
		}
		d.Next = withQuery("/contacts", append(kv, "after", strconv.FormatInt(cs[len(cs)-1].ID, 10))...)
	}
	s.render(w, r, status, "contacts", d)
}

// sortGroups orders households by label, the group without one last.
func sortGroups(gs []contactGroup) {
	for i := 1; i < len(gs); i++ {
		for j := i; j > 0 && groupLess(gs[j], gs[j-1]); j-- {
			gs[j], gs[j-1] = gs[j-1], gs[j]
		}
	}
}

func groupLess(a, b contactGroup) bool {
	if (a.Household == "") != (b.Household == "") {
		return b.Household == ""
	}
	return a.Household < b.Household
}

// contactMatchPage shows what a matching run did.
type contactMatchPage struct {
	page
	Match cordon.ContactMatch
}

// contactMatch links the unmatched contacts of the account's subtree to
// registered persons and shows the outcome.
func (s *server) contactMatch(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	m, err := s.app.MatchContacts(r.Context(), v.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "contact_match", contactMatchPage{page: s.newPage(r, "contacts.match_title", "contacts"), Match: m})
}

// contactExport sends the contact line list of the filters in the query.
func (s *server) contactExport(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	q := r.URL.Query()
	f := cordon.ContactFilter{Kind: cordon.ContactKind(q.Get("kind")), Status: cordon.ContactStatus(q.Get("status")),
		Household: q.Get("household"), Unmatched: q.Get("unmatched") != ""}
	f.CaseID, _ = strconv.ParseInt(strings.TrimPrefix(q.Get("case"), "#"), 10, 64)
	f.SourceContact, _ = strconv.ParseInt(strings.TrimPrefix(q.Get("source_contact"), "#"), 10, 64)
	s.lineList(w, r, "contacts", func(format string, w io.Writer) error {
		return s.app.ContactLineList(r.Context(), v.actor, f, format, w)
	})
}

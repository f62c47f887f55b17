package web

import (
	"net/http"
	"strconv"
	"strings"

	"cordon"
	"cordon/internal/app"
)

// companionPage is the spatio-temporal companion search of a case (时空伴随
// 查询): the case's infectious window and the rules of the edition in
// force, which the small form may change for one search, the itinerary
// searched, and the people whose scan-ins overlap it, longest overlap
// first.
type companionPage struct {
	page
	Case       cordon.Case
	Form       form
	Searched   bool // the search ran; false when the form was refused
	From, To   string
	Edition    string // the edition's name in the page's language
	Rules      cordon.CompanionRules
	Itinerary  []app.ItineraryVisit
	Companions []companionRow
}

// companionRow is a companion with overlaps counted in whole minutes.
type companionRow struct {
	cordon.Companion
	Rank    int
	Minutes int64
	Stays   []companionStay
}

type companionStay struct {
	cordon.CompanionStay
	Minutes int64
}

// minutes rounds seconds of overlap to the nearest minute, never down to
// zero: a companion is found only with an overlap.
func minutes(seconds int64) int64 {
	return max((seconds+30)/60, 1)
}

// companionFields are the query parameters of the search form, named as
// app names the values so that its field errors land on them.
var companionFields = []string{"min_overlap_minutes", "buffer_minutes"}

func (s *server) companions(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := caseID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	q := r.URL.Query()
	d := companionPage{page: s.newPage(r, "companions.title", "cases"), Form: form{Values: map[string]string{}}}
	query := app.CompanionQuery{CaseID: id}
	for _, name := range companionFields {
		raw := strings.TrimSpace(q.Get(name))
		d.Form.Values[name] = raw
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil {
			d.Form.fail(name, "form.number_invalid")
			continue
		}
		if name == "min_overlap_minutes" {
			query.MinOverlapMinutes = &n
		} else {
			query.BufferMinutes = &n
		}
	}
	status := http.StatusOK
	if len(d.Form.Errors) > 0 {
		status, d.Alert = http.StatusUnprocessableEntity, "form.fix_fields"
	} else {
		res, err := s.app.Companions(r.Context(), v.actor, query)
		if err != nil {
			var ok bool
			if status, d.Alert, ok = formFailure(err, &d.Form); !ok {
				s.fail(w, r, err)
				return
			}
		} else {
			s.fillCompanions(&d, res)
		}
	}
	c, err := s.app.Case(r.Context(), v.actor, id, "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Case = c
	s.render(w, r, status, "companions", d)
}

// fillCompanions puts a search's answer on the page, the form showing the
// rules it ran with.
func (s *server) fillCompanions(d *companionPage, res app.CompanionSearch) {
	d.Searched = true
	d.Rules, d.Itinerary = res.Rules, res.Itinerary
	if !res.From.IsZero() {
		d.From = res.From.In(chinaTime).Format("2006-01-02 15:04")
	}
	if !res.To.IsZero() {
		d.To = res.To.In(chinaTime).Format("2006-01-02 15:04")
	}
	d.Edition = res.Edition
	if p, ok := cordon.Edition(res.Edition); ok {
		d.Edition = editionName(d.Lang, p)
	}
	d.Form.Values["min_overlap_minutes"] = strconv.Itoa(res.Rules.MinOverlapMinutes)
	d.Form.Values["buffer_minutes"] = strconv.Itoa(res.Rules.BufferMinutes)
	for i, c := range res.Companions {
		row := companionRow{Companion: c, Rank: i + 1, Minutes: minutes(c.Seconds)}
		for _, st := range c.Stays {
			row.Stays = append(row.Stays, companionStay{CompanionStay: st, Minutes: minutes(st.Seconds)})
		}
		d.Companions = append(d.Companions, row)
	}
}

// companionToContact makes a companion of the case a close contact, the
// longest shared stay its exposure, and opens the contact.
func (s *server) companionToContact(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := caseID(r)
	person, ok2 := pathInt64(r, "person")
	if !ok || !ok2 {
		s.notFound(w, r)
		return
	}
	res, err := s.app.CompanionToContact(r.Context(), v.actor, id, person)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !res.Created {
		s.done(w, r, contactPath(res.ID), "companion.contact_exists")
		return
	}
	s.afterAdd(w, r, res, "contact.added")
}

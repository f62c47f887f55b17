package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"cordon"
)

// sitePage is the site manager's page: the rooms with the people in each
// and their health check of today, the arrival form, the health-check
// form, and for each person the departure and transfer forms.
type sitePage struct {
	page
	Site    cordon.Site
	Place   string
	Today   string
	Missing int // people who have not reported today
	Rooms   form
	Arrival form
	Check   form
	// Reasons are the departures the page offers; a transfer has its own
	// form.
	Reasons  []cordon.DepartureReason
	Symptoms []cordon.CheckSymptom
	Free     []cordon.Room // rooms of this site with a free bed
	Others   []cordon.Site // other open sites to transfer to
}

// Occupants lists the people staying, room by room.
func (d sitePage) Occupants() []cordon.Stay {
	var out []cordon.Stay
	for _, r := range d.Site.Rooms {
		out = append(out, r.Occupants...)
	}
	return out
}

// siteForms are the forms of the site page as a failed post left them.
type siteForms struct {
	rooms, arrival, check form
}

func emptyForm() form { return form{Values: map[string]string{}} }

func (s *server) siteShow(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	s.showSite(w, r, http.StatusOK, id, siteForms{emptyForm(), emptyForm(), emptyForm()}, "")
}

// showSite renders the site page, with a failed form shown again.
func (s *server) showSite(w http.ResponseWriter, r *http.Request, status int, id int64, forms siteForms, alert string) {
	v := s.visitOf(r)
	site, err := s.app.Site(r.Context(), v.actor, id, r.URL.Query().Get("reason"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := sitePage{page: s.newPage(r, "site.title", "sites"), Site: site, Place: s.app.PathName(r.Context(), site.Jurisdiction),
		Today: cordon.ChinaDay(s.opt.Now()), Rooms: forms.rooms, Arrival: forms.arrival, Check: forms.check,
		Reasons: []cordon.DepartureReason{cordon.DepartReleased, cordon.DepartHospital, cordon.DepartOther}, Symptoms: cordon.CheckSymptoms}
	d.Alert = alert
	for _, room := range site.Rooms {
		if room.Free() > 0 {
			d.Free = append(d.Free, room)
		}
		for _, o := range room.Occupants {
			if o.Today == nil {
				d.Missing++
			}
		}
	}
	if v.actor.Can(cordon.PermSiteManage) {
		others, err := s.app.Sites(r.Context(), v.actor, cordon.SiteFilter{Limit: 200})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, o := range others {
			if o.ID != id && o.Open {
				d.Others = append(d.Others, o)
			}
		}
	}
	s.render(w, r, status, "site", d)
}

// roomNumbers expands the room numbers typed into the rooms form: single
// numbers and ranges such as 301-320, separated by spaces or commas.
func roomNumbers(s string) ([]string, bool) {
	var out []string
	for _, tok := range codes(s) {
		lo, hi, isRange := strings.Cut(tok, "-")
		a, errA := strconv.Atoi(lo)
		b, errB := strconv.Atoi(hi)
		if !isRange {
			out = append(out, tok)
			continue
		}
		if errA != nil || errB != nil || a > b || b-a >= 1000 || len(lo) != len(hi) {
			return nil, false
		}
		for n := a; n <= b; n++ {
			out = append(out, strconv.Itoa(n))
		}
	}
	return out, len(out) > 0 && len(out) <= 1000
}

// floorOf guesses a room's floor from its number as hotels number rooms:
// 301 is on floor 3; small numbers on floor 1.
func floorOf(number string) int {
	n, err := strconv.Atoi(number)
	if err != nil || n < 100 {
		return 1
	}
	return n / 100
}

// siteRooms adds rooms from the rooms form: numbers or ranges, beds each,
// and the floor, which a blank field takes from the numbers.
func (s *server) siteRooms(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	f := formFrom(r, "numbers", "floor", "beds")
	numbers, ok := roomNumbers(f.Get("numbers"))
	if !ok {
		f.fail("numbers", "room.number_invalid")
	}
	floor, floorOK := intField(&f, "floor")
	beds, _ := intField(&f, "beds")
	forms := siteForms{f, emptyForm(), emptyForm()}
	if len(f.Errors) > 0 {
		s.showSite(w, r, http.StatusUnprocessableEntity, id, forms, "form.fix_fields")
		return
	}
	in := make([]cordon.RoomInput, len(numbers))
	for i, n := range numbers {
		in[i] = cordon.RoomInput{Number: n, Floor: floor, Beds: beds}
		if strings.TrimSpace(f.Get("floor")) == "" && floorOK {
			in[i].Floor = floorOf(n)
		}
	}
	if _, err := s.app.AddRooms(r.Context(), v.actor, id, in); err != nil {
		s.siteFormError(w, r, id, &forms, &forms.rooms, err, map[string]string{"beds": "beds", "floor": "floor", "number": "numbers"})
		return
	}
	s.done(w, r, sitePath(id)+"#rooms", "site.rooms_added")
}

// siteFormError shows the site page again with a failed form's fields
// marked; fields maps the suffix of app's field names (rooms[2].beds) to
// the form's.
func (s *server) siteFormError(w http.ResponseWriter, r *http.Request, id int64, forms *siteForms, f *form, err error, fields map[string]string) {
	e := asError(err)
	if e != nil && len(e.Fields) > 0 {
		renamed := map[string]string{}
		for k, code := range e.Fields {
			suffix := k[strings.LastIndexAny(k, ".")+1:]
			if to, ok := fields[suffix]; ok {
				renamed[to] = code
			} else {
				renamed[k] = code
			}
		}
		e = &cordon.Error{Kind: e.Kind, Code: e.Code, Message: e.Message, Fields: renamed}
		err = e
	}
	status, alert, ok := formFailure(err, f)
	if !ok {
		if e == nil || e.Kind == cordon.KindInternal || e.Kind == cordon.KindUnauthorized {
			s.fail(w, r, err)
			return
		}
		status, alert = e.Kind.HTTPStatus(), errorKey(err)
	}
	s.showSite(w, r, status, id, *forms, alert)
}

// siteArrive records the arrival of the people whose ID numbers are typed
// one per line: one household when a household is given, in a room chosen
// or by the rules.
func (s *server) siteArrive(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	f := formFrom(r, "id_numbers", "household", "room", "order_id")
	room, _ := intField(&f, "room")
	order, _ := intField(&f, "order_id")
	numbers := codes(f.Get("id_numbers"))
	if len(numbers) == 0 {
		f.fail("id_numbers", "stay.person_required")
	}
	forms := siteForms{emptyForm(), f, emptyForm()}
	if len(f.Errors) > 0 {
		s.showSite(w, r, http.StatusUnprocessableEntity, id, forms, "form.fix_fields")
		return
	}
	in := cordon.Arrivals{}
	for _, n := range numbers {
		in.People = append(in.People, cordon.ArrivalInput{IDNumber: n, Household: f.Get("household"), RoomID: int64(room), OrderID: int64(order)})
	}
	if _, err := s.app.Arrive(r.Context(), v.actor, id, in); err != nil {
		s.siteFormError(w, r, id, &forms, &forms.arrival, err, map[string]string{"person_id": "id_numbers", "household": "household",
			"room_id": "room", "order_id": "order_id", "people": "id_numbers"})
		return
	}
	s.done(w, r, sitePath(id)+"#rooms", "site.arrived")
}

// siteCheck records a health check of a person staying at the site.
func (s *server) siteCheck(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	f, in := checkForm(r, "person")
	person, _ := intField(&f, "person")
	if person <= 0 {
		f.fail("person", "stay.person_required")
	}
	forms := siteForms{emptyForm(), emptyForm(), f}
	if len(f.Errors) > 0 {
		s.showSite(w, r, http.StatusUnprocessableEntity, id, forms, "form.fix_fields")
		return
	}
	in.PersonID = int64(person)
	c, err := s.app.RecordHealthCheck(r.Context(), v.actor, in)
	if err != nil {
		s.siteFormError(w, r, id, &forms, &forms.check, err, map[string]string{"person_id": "person"})
		return
	}
	notice := "healthcheck.recorded"
	if c.Alert {
		notice = "healthcheck.recorded_alert"
	}
	s.done(w, r, sitePath(id)+"#check", notice)
}

// checkForm reads a health-check form: the temperature, the symptoms
// ticked and another typed, and the named extra fields.
func checkForm(r *http.Request, extra ...string) (form, cordon.HealthCheckInput) {
	f := formFrom(r, append([]string{"temperature", "other"}, extra...)...)
	var in cordon.HealthCheckInput
	for _, x := range r.PostForm["symptom"] {
		in.Symptoms = append(in.Symptoms, cordon.CheckSymptom(x))
		f.Values["symptom_"+x] = "on"
	}
	in.Other = f.Get("other")
	t := strings.TrimSpace(strings.ReplaceAll(f.Get("temperature"), "，", "."))
	if t == "" {
		f.fail("temperature", "healthcheck.temperature_invalid")
	} else if x, err := strconv.ParseFloat(t, 64); err != nil {
		f.fail("temperature", "healthcheck.temperature_invalid")
	} else {
		in.Temperature = x
	}
	return f, in
}

// stayDepart ends a stay from the site page.
func (s *server) stayDepart(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	site, _ := strconv.ParseInt(r.PostFormValue("site"), 10, 64)
	stay, err := s.app.Depart(r.Context(), v.actor, id, cordon.Departure{Reason: cordon.DepartureReason(r.PostFormValue("reason"))})
	if err != nil {
		s.stayFailed(w, r, site, err)
		return
	}
	s.done(w, r, sitePath(stay.SiteID)+"#departed", "site.departed")
}

// stayTransfer moves a person to another room of the site (to=room:ID) or
// to another site (to=site:ID), where the rules choose the room.
func (s *server) stayTransfer(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	site, _ := strconv.ParseInt(r.PostFormValue("site"), 10, 64)
	kind, target, _ := strings.Cut(r.PostFormValue("to"), ":")
	n, _ := strconv.ParseInt(target, 10, 64)
	in := cordon.TransferInput{SiteID: n}
	if kind == "room" {
		in = cordon.TransferInput{SiteID: site, RoomID: n}
	}
	if n <= 0 || !slices.Contains([]string{"room", "site"}, kind) {
		s.stayFailed(w, r, site, cordon.Errorf(cordon.KindInvalid, "site.not_found", "choose where to"))
		return
	}
	if _, err := s.app.Transfer(r.Context(), v.actor, id, in); err != nil {
		s.stayFailed(w, r, site, err)
		return
	}
	s.done(w, r, sitePath(site)+"#rooms", "site.transferred")
}

// stayFailed shows the site page of a failed departure or transfer with
// what went wrong; without the site, the error page.
func (s *server) stayFailed(w http.ResponseWriter, r *http.Request, site int64, err error) {
	e := asError(err)
	if site <= 0 || e == nil || e.Kind == cordon.KindInternal || e.Kind == cordon.KindUnauthorized {
		s.fail(w, r, err)
		return
	}
	s.showSite(w, r, e.Kind.HTTPStatus(), site, siteForms{emptyForm(), emptyForm(), emptyForm()}, errorKey(err))
}

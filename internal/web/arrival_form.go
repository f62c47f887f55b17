package web

import (
	"net/http"
	"strconv"
	"strings"

	"cordon"
	"cordon/internal/app"
)

// Arrival reports (来返人员报备): /arrive is the traveller's own form on
// the public portal, before arriving or after, with no sign-in and no
// script; its answer says what the traveller must do and whether the
// report was on time. /arrivals/new is the same form for staff, with the
// channel that heard of the arrival (a checkpoint, a station, a big-data
// list, a door-to-door round). Places are typed as a division code or a
// name ("都安乡", "德保县都安乡"), looked up in the division directory; a
// name of several places offers them to choose from.

// arrivalStops is how many travel stops the form offers.
const arrivalStops = 3

// arrivalFormPage is the report form, public or staff.
type arrivalFormPage struct {
	page
	Staff    bool
	Form     form
	Channels []cordon.ArrivalChannel
	Stops    []int
	// choices are the places a typed name matched, per field.
	choices map[string][]cordon.Jurisdiction
}

// placeField is one place input of the form.
type placeField struct {
	Name, Label, Value, Error string
	Required                  bool
	Choices                   []cordon.Jurisdiction
}

// Place is the place input name, labelled by the key label.
func (d arrivalFormPage) Place(name, label string, required bool) placeField {
	return placeField{Name: name, Label: label, Value: d.Form.Get(name), Error: d.Form.Err(name), Required: required, Choices: d.choices[name]}
}

// Stop is the name of a field of travel stop i: place, from or to.
func (arrivalFormPage) Stop(i int, field string) string {
	return "stop" + strconv.Itoa(i) + "_" + field
}

var arrivalFields = func() []string {
	out := []string{"name", "id_number", "phone", "destination", "address", "arrived_at", "origin", "transport", "channel", "ref"}
	for i := range arrivalStops {
		for _, f := range []string{"place", "from", "to"} {
			out = append(out, "stop"+strconv.Itoa(i)+"_"+f)
		}
	}
	return out
}()

func (s *server) arrivalFormPage(r *http.Request, staff bool, f form) arrivalFormPage {
	title, nav := "arrive.title", "public"
	if staff {
		title, nav = "arrivals.new_title", "arrivals"
	}
	d := arrivalFormPage{page: s.newPage(r, title, nav), Staff: staff, Form: f, choices: map[string][]cordon.Jurisdiction{}}
	for i := range arrivalStops {
		d.Stops = append(d.Stops, i)
	}
	for _, c := range cordon.ArrivalChannels {
		if c != cordon.ChannelSelfReport {
			d.Channels = append(d.Channels, c)
		}
	}
	return d
}

// arrivalForm shows the empty form, the arrival time set to now.
func (s *server) arrivalForm(w http.ResponseWriter, r *http.Request, staff bool) {
	f := form{Values: map[string]string{"arrived_at": localTime(s.opt.Now()), "channel": string(cordon.ChannelCheckpoint)}}
	if staff {
		v := s.visitOf(r)
		if !v.actor.Can(cordon.PermArrivalWrite) {
			s.fail(w, r, cordon.ErrForbidden)
			return
		}
		f.Values["destination"] = v.actor.Jurisdiction
	}
	s.render(w, r, http.StatusOK, "arrival_form", s.arrivalFormPage(r, staff, f))
}

func (s *server) arriveForm(w http.ResponseWriter, r *http.Request)    { s.arrivalForm(w, r, false) }
func (s *server) arrivalNew(w http.ResponseWriter, r *http.Request)    { s.arrivalForm(w, r, true) }
func (s *server) arriveReport(w http.ResponseWriter, r *http.Request)  { s.arrivalPost(w, r, false) }
func (s *server) arrivalCreate(w http.ResponseWriter, r *http.Request) { s.arrivalPost(w, r, true) }

// arrivalPost reads the form into a report and stores it: the public
// report answers what is owed; a staff report opens the arrival.
func (s *server) arrivalPost(w http.ResponseWriter, r *http.Request, staff bool) {
	f := formFrom(r, arrivalFields...)
	d := s.arrivalFormPage(r, staff, f)
	in, ok := s.tripReport(&d)
	in.Channel = cordon.ChannelSelfReport
	if staff {
		in.Channel = cordon.ArrivalChannel(f.Get("channel"))
	}
	if !ok {
		// Show what else is wrong at once, from the domain's own check.
		if e := asError(in.Validate(s.opt.Now())); e != nil {
			for field, code := range e.Fields {
				if d.Form.Err(field) == "" && (field != "destination" && field != "origin" || d.Form.Get(field) == "") {
					d.Form.fail(field, code)
				}
			}
		}
		d.Alert = "form.fix_fields"
		s.render(w, r, http.StatusUnprocessableEntity, "arrival_form", d)
		return
	}
	v := s.visitOf(r)
	var err error
	if staff {
		var t app.TripView
		if t, err = s.app.RecordArrival(r.Context(), v.actor, in); err == nil {
			// A checkpoint officer or a sampler records but does not read
			// arrivals: the next traveller's form instead.
			target := "/arrivals/new"
			if v.actor.Can(cordon.PermArrivalRead) {
				target = "/arrivals/" + strconv.FormatInt(t.ID, 10)
			}
			s.done(w, r, target, "arrival.recorded")
			return
		}
	} else {
		var ans app.ArrivalAnswer
		if ans, err = s.app.ReportArrivalAnswer(r.Context(), in, v.actor.Remote); err == nil {
			s.render(w, r, http.StatusOK, "arrival_done", arrivalDonePage{page: s.newPage(r, "arrive.done_title", "public"), Answer: ans})
			return
		}
	}
	status, alert, ok := formFailure(err, &d.Form)
	if !ok {
		s.fail(w, r, err)
		return
	}
	d.Alert = alert
	s.render(w, r, status, "arrival_form", d)
}

// tripReport reads the form: places by code or name, the arrival time and
// the stops that were filled in. It marks what it cannot read.
func (s *server) tripReport(d *arrivalFormPage) (cordon.TripReport, bool) {
	f := &d.Form
	in := cordon.TripReport{Name: f.Get("name"), IDNumber: strings.ToUpper(strings.ReplaceAll(f.Get("id_number"), " ", "")),
		Phone: f.Get("phone"), Address: f.Get("address"), Transport: f.Get("transport"), Ref: f.Get("ref")}
	ok := true
	place := func(name string) string {
		code, choices, err := s.findPlace(f.Get(name))
		if err != "" {
			f.fail(name, err)
			d.choices[name] = choices
			ok = false
		}
		return code
	}
	in.Destination, in.Origin = place("destination"), place("origin")
	at, okAt := timeField(f, "arrived_at")
	in.ArrivedAt, ok = at, ok && okAt
	for i := range arrivalStops {
		if strings.TrimSpace(f.Get(d.Stop(i, "place"))) == "" {
			continue
		}
		in.Travel = append(in.Travel, cordon.TravelStop{Place: place(d.Stop(i, "place")), From: f.Get(d.Stop(i, "from")), To: f.Get(d.Stop(i, "to"))})
	}
	return in, ok
}

// findPlace reads a typed place: a division code as it is (app checks it
// exists), or a name. A name is looked for whole, then by its endings, so
// that "德保县都安乡" finds 都安乡 of 德保县; the places whose full name
// ends with what was typed are the matches. The error is a code; choices
// are offered when several places match.
func (s *server) findPlace(typed string) (code string, choices []cordon.Jurisdiction, err string) {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return "", nil, ""
	}
	if _, ok := cordon.LevelOf(typed); ok {
		return typed, nil, ""
	}
	dir := s.app.Directory()
	r := []rune(typed)
	for i := 0; len(r)-i >= 2; i++ {
		found := dir.Search(string(r[i:]), "", 100)
		var exact []cordon.Jurisdiction
		for _, j := range found {
			if strings.HasSuffix(dir.Path(j.Code), typed) {
				exact = append(exact, j)
			}
		}
		if i == 0 && len(exact) == 0 {
			exact = found
		}
		switch {
		case len(exact) == 1:
			return exact[0].Code, nil, ""
		case len(exact) > 1:
			return "", s.named(exact[:min(len(exact), 10)]), "arrival.place_ambiguous"
		}
	}
	return "", nil, "arrival.place_unknown"
}

// named replaces each division's name with its full name, for choosing.
func (s *server) named(js []cordon.Jurisdiction) []cordon.Jurisdiction {
	for i := range js {
		js[i].Name = s.app.Directory().Path(js[i].Code)
	}
	return js
}

// arrivalDonePage is the answer to the public report.
type arrivalDonePage struct {
	page
	Answer app.ArrivalAnswer
}

package web

import (
	"crypto/rand"
	"net/http"
	"strconv"
	"strings"

	"cordon"
)

// samplingPage is the sampler's phone page: choose the round, the point,
// the table and the population group once, then register person after
// person into the tube in hand. With its script (static/sampling.js) every
// registration goes into an offline queue on the phone first and is sent in
// batches to samplingBatch; without it, the form posts one registration at a
// time to samplingRegister.
type samplingPage struct {
	page
	Form     form
	Rounds   []roundOption
	Points   []cordon.SamplingPoint
	Groups   []cordon.Group
	DocTypes []cordon.DocType
	// Key is the idempotency key of the next registration posted without
	// the script, so that posting the same form twice stores it once.
	Key string
	// Ack answers the registration just posted without the script.
	Ack *cordon.SampleAck
	// SetupFields are carried by the close-tube and queue forms, to come
	// back to the same setup.
	SetupFields []string
}

// roundOption is an open round with its pool size per group, which the
// script reads from the option to know when a tube is full.
type roundOption struct {
	cordon.Round
	General, Key, Quarantined int
}

// samplingFields are the inputs of the registration form.
var samplingFields = []string{"round", "point", "table", "group", "doc_type", "id_number", "name", "tube", "key"}

// samplingSetup are the fields that stay from one person to the next.
var samplingSetup = []string{"round", "point", "table", "group", "doc_type"}

func (s *server) sampling(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := form{Values: map[string]string{}}
	for _, k := range samplingSetup {
		f.Values[k] = q.Get(k)
	}
	s.showSampling(w, r, http.StatusOK, f, nil, "")
}

// showSampling renders the sampler page with the given form values, the
// answer to the last registration and an alert.
func (s *server) showSampling(w http.ResponseWriter, r *http.Request, status int, f form, ack *cordon.SampleAck, alert string) {
	v := s.visitOf(r)
	if !v.actor.Can(cordon.PermSampleWrite) {
		s.fail(w, r, cordon.ErrForbidden)
		return
	}
	ctx := r.Context()
	d := samplingPage{page: s.newPage(r, "sampling.title", "sampling"), Form: f, Groups: cordon.Groups,
		DocTypes: cordon.DocTypes, Key: rand.Text(), Ack: ack, SetupFields: samplingSetup}
	d.Scripts = []string{"vendor/idb-keyval.min.js", "scan.js", "sampling.js"}
	d.Alert = alert
	if d.Form.Values == nil {
		d.Form.Values = map[string]string{}
	}
	rounds, err := s.app.Rounds(ctx, v.actor, true, 0, 100)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, rd := range rounds {
		d.Rounds = append(d.Rounds, roundOption{Round: rd, General: rd.Modes[cordon.GroupGeneral],
			Key: rd.Modes[cordon.GroupKey], Quarantined: rd.Modes[cordon.GroupQuarantined]})
	}
	if d.Points, err = s.app.Points(ctx, v.actor, "", cordon.PointFilter{ActiveOnly: true, Limit: 500}); err != nil {
		s.fail(w, r, err)
		return
	}
	// The selects show their first option when nothing is chosen; the
	// other forms of the page carry the same choice.
	if d.Form.Get("round") == "" && len(d.Rounds) > 0 {
		d.Form.Values["round"] = strconv.FormatInt(d.Rounds[0].ID, 10)
	}
	if d.Form.Get("point") == "" && len(d.Points) > 0 {
		d.Form.Values["point"] = strconv.FormatInt(d.Points[0].ID, 10)
	}
	if d.Form.Get("group") == "" {
		d.Form.Values["group"] = string(cordon.GroupGeneral)
	}
	if d.Form.Get("doc_type") == "" {
		d.Form.Values["doc_type"] = string(cordon.DocCitizenID)
	}
	s.render(w, r, status, "sampling", d)
}

// sampleInputFrom reads one registration from the form.
func sampleInputFrom(f *form) cordon.SampleInput {
	in := cordon.SampleInput{Key: f.Get("key"), Tube: strings.TrimSpace(f.Get("tube")), Group: cordon.Group(f.Get("group")),
		DocType: cordon.DocType(f.Get("doc_type")), IDNumber: f.Get("id_number"), Name: f.Get("name")}
	round, _ := intField(f, "round")
	point, _ := intField(f, "point")
	in.RoundID, in.PointID = int64(round), int64(point)
	in.Table, _ = intField(f, "table")
	return in
}

// sampleFields maps the fields app names to the form's inputs.
var sampleFields = map[string]string{"round_id": "round", "point_id": "point", "pool_size": "group"}

// samplingRegister registers one person posted without the script and
// shows the page again for the next person, the tube kept until it fills.
func (s *server) samplingRegister(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	f := formFrom(r, samplingFields...)
	in := sampleInputFrom(&f)
	if len(f.Errors) > 0 {
		s.showSampling(w, r, http.StatusUnprocessableEntity, f, nil, "form.fix_fields")
		return
	}
	acks, err := s.app.RegisterSamples(r.Context(), v.actor, []cordon.SampleInput{in})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ack := acks[0]
	if ack.Status == cordon.SampleRejected && ack.Error == nil {
		ack.Error = cordon.Errorf(cordon.KindInvalid, "sample.invalid", "the registration was refused")
	}
	if ack.Status == cordon.SampleRejected {
		f.Errors = map[string]string{}
		for field, code := range ack.Error.Fields {
			if name, ok := sampleFields[field]; ok {
				field = name
			}
			f.Errors[field] = code
		}
		if len(f.Errors) == 0 {
			f.Errors["tube"] = ack.Error.Code
		}
		s.showSampling(w, r, ack.Error.Kind.HTTPStatus(), f, nil, "error."+ack.Error.Code)
		return
	}
	next := form{Values: map[string]string{}}
	for _, k := range samplingSetup {
		next.Values[k] = f.Get(k)
	}
	if !ack.Closed {
		next.Values["tube"] = ack.Tube
	}
	s.showSampling(w, r, http.StatusOK, next, &ack, "")
}

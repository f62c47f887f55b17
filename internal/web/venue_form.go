package web

import (
	"net/http"
	"strconv"
	"strings"

	"cordon"
)

// venueFormPage registers a venue or edits one.
type venueFormPage struct {
	page
	Form       form
	Venue      cordon.Venue // zero when registering
	Categories []cordon.VenueCategory
	Places     []cordon.Jurisdiction
}

var venueFields = []string{"name", "category", "jurisdiction", "address", "lat", "lng", "contact_name", "contact_phone", "active", "version"}

func (s *server) venueFormPage(r *http.Request, title string, f form) venueFormPage {
	return venueFormPage{page: s.newPage(r, title, "venues"), Form: f, Categories: cordon.VenueCategories, Places: s.places(r)}
}

// venueInputFrom reads the venue form. Coordinates are optional; a value
// that is not a number marks its field.
func venueInputFrom(f *form) cordon.VenueInput {
	in := cordon.VenueInput{Name: f.Get("name"), Category: cordon.VenueCategory(f.Get("category")),
		Jurisdiction: strings.TrimSpace(f.Get("jurisdiction")), Address: f.Get("address"),
		ContactName: f.Get("contact_name"), ContactPhone: strings.TrimSpace(f.Get("contact_phone"))}
	in.Lat = coordinateField(f, "lat")
	in.Lng = coordinateField(f, "lng")
	return in
}

// coordinateField reads a latitude or longitude, blank as none.
func coordinateField(f *form, name string) *float64 {
	v := strings.TrimSpace(f.Get(name))
	if v == "" {
		return nil
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		f.fail(name, "form.number_invalid")
		return nil
	}
	return &x
}

// venueForm is the edit form filled with a stored venue.
func venueForm(v cordon.Venue) form {
	f := form{Values: map[string]string{"name": v.Name, "category": string(v.Category), "jurisdiction": v.Jurisdiction,
		"address": v.Address, "contact_name": v.ContactName, "contact_phone": v.ContactPhone, "version": strconv.Itoa(v.Version)}}
	if v.Lat != nil && v.Lng != nil {
		f.Values["lat"] = strconv.FormatFloat(*v.Lat, 'f', -1, 64)
		f.Values["lng"] = strconv.FormatFloat(*v.Lng, 'f', -1, 64)
	}
	if v.Active {
		f.Values["active"] = "on"
	}
	return f
}

func (s *server) venueNew(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	if !v.actor.Can(cordon.PermVenueManage) {
		s.fail(w, r, cordon.ErrForbidden)
		return
	}
	f := form{Values: map[string]string{"jurisdiction": v.actor.Jurisdiction}}
	s.render(w, r, http.StatusOK, "venue_form", s.venueFormPage(r, "venue.new_title", f))
}

func (s *server) venueCreate(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	f := formFrom(r, venueFields...)
	in := venueInputFrom(&f)
	d := s.venueFormPage(r, "venue.new_title", f)
	if len(f.Errors) > 0 {
		s.venueFormFailed(w, r, d, nil)
		return
	}
	created, err := s.app.CreateVenue(r.Context(), v.actor, in)
	if err != nil {
		s.venueFormFailed(w, r, d, err)
		return
	}
	s.done(w, r, venuePath(created.ID), "venue.created")
}

func (s *server) venueEdit(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	if !v.actor.Can(cordon.PermVenueManage) {
		s.fail(w, r, cordon.ErrForbidden)
		return
	}
	venue, err := s.app.Venue(r.Context(), v.actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := s.venueFormPage(r, "venue.edit_title", venueForm(venue))
	d.Venue = venue
	s.render(w, r, http.StatusOK, "venue_form", d)
}

// venueUpdate saves the edit form; the version it carries makes a change
// made meanwhile a conflict rather than a silent overwrite.
func (s *server) venueUpdate(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	f := formFrom(r, venueFields...)
	in := venueInputFrom(&f)
	active := f.Get("active") != ""
	in.Active = &active
	d := s.venueFormPage(r, "venue.edit_title", f)
	d.Venue.ID = id
	if len(f.Errors) > 0 {
		s.venueFormFailed(w, r, d, nil)
		return
	}
	// A missing version would skip the check: treat it as stale.
	var err error
	if in.Version, err = strconv.Atoi(f.Get("version")); err != nil || in.Version < 1 {
		d.Alert = "error.venue.changed"
		s.render(w, r, http.StatusConflict, "venue_form", d)
		return
	}
	if _, err = s.app.UpdateVenue(r.Context(), v.actor, id, in); err != nil {
		s.venueFormFailed(w, r, d, err)
		return
	}
	s.done(w, r, venuePath(id), "venue.updated")
}

// venueFormFailed shows the form again with the fields at fault; err is
// nil when web itself could not read a field.
func (s *server) venueFormFailed(w http.ResponseWriter, r *http.Request, d venueFormPage, err error) {
	status, alert := http.StatusUnprocessableEntity, "form.fix_fields"
	if err != nil {
		var ok bool
		if status, alert, ok = formFailure(err, &d.Form); !ok {
			s.fail(w, r, err)
			return
		}
	}
	d.Alert = alert
	s.render(w, r, status, "venue_form", d)
}

// venuePath is the page of a venue.
func venuePath(id int64) string { return "/venues/" + strconv.FormatInt(id, 10) }

package web

import (
	"net/http"
	"strconv"
	"strings"

	"cordon"
)

// siteFormPage registers an isolation site or edits one.
type siteFormPage struct {
	page
	Form   form
	Site   cordon.Site // zero when registering
	Kinds  []cordon.SiteKind
	Places []cordon.Jurisdiction
}

var siteFields = []string{"name", "kind", "jurisdiction", "address", "manager_name", "manager_phone", "staff", "open", "version"}

func (s *server) siteFormPage(r *http.Request, title string, f form) siteFormPage {
	return siteFormPage{page: s.newPage(r, title, "sites"), Form: f, Kinds: cordon.SiteKinds, Places: s.places(r)}
}

// siteInputFrom reads the site form; staff are usernames separated by
// spaces, commas or lines.
func siteInputFrom(f form) cordon.SiteInput {
	return cordon.SiteInput{Name: f.Get("name"), Kind: cordon.SiteKind(f.Get("kind")), Jurisdiction: strings.TrimSpace(f.Get("jurisdiction")),
		Address: f.Get("address"), ManagerName: f.Get("manager_name"), ManagerPhone: strings.TrimSpace(f.Get("manager_phone")),
		Staff: codes(f.Get("staff"))}
}

// siteForm is the edit form filled with a stored site.
func siteForm(x cordon.Site) form {
	var staff []string
	for _, m := range x.Staff {
		staff = append(staff, m.Username)
	}
	f := form{Values: map[string]string{"name": x.Name, "kind": string(x.Kind), "jurisdiction": x.Jurisdiction, "address": x.Address,
		"manager_name": x.ManagerName, "manager_phone": x.ManagerPhone, "staff": strings.Join(staff, " "), "version": strconv.Itoa(x.Version)}}
	if x.Open {
		f.Values["open"] = "on"
	}
	return f
}

func (s *server) siteNew(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	if !v.actor.Can(cordon.PermSiteManage) {
		s.fail(w, r, cordon.ErrForbidden)
		return
	}
	s.render(w, r, http.StatusOK, "site_form", s.siteFormPage(r, "site.new_title", form{Values: map[string]string{"jurisdiction": v.actor.Jurisdiction}}))
}

func (s *server) siteCreate(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	f := formFrom(r, siteFields...)
	d := s.siteFormPage(r, "site.new_title", f)
	created, err := s.app.CreateSite(r.Context(), v.actor, siteInputFrom(f))
	if err != nil {
		s.siteFormFailed(w, r, d, err)
		return
	}
	s.done(w, r, sitePath(created.ID), "site.created")
}

func (s *server) siteEdit(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	if !v.actor.Can(cordon.PermSiteManage) {
		s.fail(w, r, cordon.ErrForbidden)
		return
	}
	x, err := s.app.SiteInfo(r.Context(), v.actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := s.siteFormPage(r, "site.edit_title", siteForm(x))
	d.Site = x
	s.render(w, r, http.StatusOK, "site_form", d)
}

// siteUpdate saves the edit form; the version it carries makes a change
// made meanwhile a conflict rather than a silent overwrite.
func (s *server) siteUpdate(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	f := formFrom(r, siteFields...)
	in := siteInputFrom(f)
	open := f.Get("open") != ""
	in.Open = &open
	d := s.siteFormPage(r, "site.edit_title", f)
	d.Site.ID = id
	var err error
	if in.Version, err = strconv.Atoi(f.Get("version")); err != nil || in.Version < 1 {
		d.Alert = "error.site.changed"
		s.render(w, r, http.StatusConflict, "site_form", d)
		return
	}
	if _, err := s.app.UpdateSite(r.Context(), v.actor, id, in); err != nil {
		s.siteFormFailed(w, r, d, err)
		return
	}
	s.done(w, r, sitePath(id), "site.updated")
}

func (s *server) siteFormFailed(w http.ResponseWriter, r *http.Request, d siteFormPage, err error) {
	status, alert, ok := formFailure(err, &d.Form)
	if !ok {
		s.fail(w, r, err)
		return
	}
	d.Alert = alert
	s.render(w, r, status, "site_form", d)
}

// sitePath is the page of a site.
func sitePath(id int64) string { return "/sites/" + strconv.FormatInt(id, 10) }

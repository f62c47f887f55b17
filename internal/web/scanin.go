package web

import (
	"net/http"
	"strings"

	"cordon"
	"cordon/internal/app"
)

// scanInPage is the public page a phone opens by scanning a venue's code
// (/s/{code}): a form for the identity number and phone, no sign-in, no
// script needed. A code that cordon did not sign, or one that was
// replaced or belongs to a closed venue, shows why instead of the form.
type scanInPage struct {
	page
	Code    string
	Form    form
	Problem string            // translation key of why the code cannot be used; "" when the form is shown
	Venue   *app.PublicScanIn // the venue's name and place, shown above the form
	Done    *app.PublicScanIn
}

// scanInProblems are the refusals that concern the code rather than the
// person: the page shows them instead of the form, in words meant for the
// public.
var scanInProblems = map[string]string{
	"scanin.venue_code_invalid": "scanin.problem_forged",
	"scanin.venue_code_revoked": "scanin.problem_revoked",
	"scanin.venue_closed":       "scanin.problem_closed",
	"scanin.venue_unknown":      "scanin.problem_unknown",
}

func (s *server) scanInPage(r *http.Request) scanInPage {
	d := scanInPage{page: s.newPage(r, "scanin.title", "public"), Code: r.PathValue("code"), Form: form{Values: map[string]string{}}}
	d.Scripts = []string{"scanin.js"}
	return d
}

// scanInForm shows the form of a venue code under the venue's name. The
// code is checked here, so that a forged, replaced or closed venue's code
// is refused before anyone types their identity into it.
func (s *server) scanInForm(w http.ResponseWriter, r *http.Request) {
	d := s.scanInPage(r)
	v, err := s.app.PublicVenue(r.Context(), d.Code)
	if err != nil {
		p, ok := scanInProblems[cordon.ErrorCode(err)]
		if !ok && cordon.ErrorKind(err) == cordon.KindInternal {
			s.fail(w, r, err)
			return
		}
		status := cordon.ErrorKind(err).HTTPStatus()
		if !ok || p == "scanin.problem_forged" || p == "scanin.problem_unknown" {
			p, status = "scanin.problem_forged", http.StatusNotFound
		}
		d.Problem = p
		s.render(w, r, status, "scanin", d)
		return
	}
	d.Venue = &v
	s.render(w, r, http.StatusOK, "scanin", d)
}

// scanInRecord records the scan-in and shows the result large: the venue,
// the time and the masked name, or what is wrong in words a visitor
// understands.
func (s *server) scanInRecord(w http.ResponseWriter, r *http.Request) {
	d := s.scanInPage(r)
	d.Form = formFrom(r, "id_number", "phone")
	out, err := s.app.ScanInPublic(r.Context(), app.PublicScanInput{Code: d.Code,
		IDNumber: strings.TrimSpace(d.Form.Get("id_number")), Phone: strings.TrimSpace(d.Form.Get("phone"))})
	if err == nil {
		d.Title, d.Done = "scanin.done_title", &out
		s.render(w, r, http.StatusOK, "scanin_done", d)
		return
	}
	code := cordon.ErrorCode(err)
	if p, ok := scanInProblems[code]; ok {
		d.Problem = p
		s.render(w, r, cordon.ErrorKind(err).HTTPStatus(), "scanin", d)
		return
	}
	if code == "scanin.identity_unknown" {
		// Not a fault of either field alone: a wrong pair answers the
		// same as an unknown person.
		d.Alert = "error.scanin.identity_unknown"
		s.render(w, r, http.StatusUnprocessableEntity, "scanin", d)
		return
	}
	status, alert, ok := formFailure(err, &d.Form)
	if !ok {
		s.fail(w, r, err)
		return
	}
	d.Alert = alert
	s.render(w, r, status, "scanin", d)
}

package web

import (
	"net/http"
	"time"

	"cordon"
	"cordon/internal/app"
)

// healthSelfPage is the page a person opens from their self-report link
// (/h/{token}): their masked name, the temperature and the symptoms, no
// sign-in and no script needed. A link that cordon did not make, or one
// that expired, shows why instead of the form.
type healthSelfPage struct {
	page
	Token    string
	Form     form
	Problem  string // translation key of why the link cannot be used
	Person   app.PublicCheck
	Done     *app.PublicCheck
	Symptoms []cordon.CheckSymptom
	Until    string // the last day the link works
}

func (s *server) healthSelfPage(r *http.Request) healthSelfPage {
	return healthSelfPage{page: s.newPage(r, "healthself.title", "public"), Token: r.PathValue("token"), Form: emptyForm(), Symptoms: cordon.CheckSymptoms}
}

// linkProblem shows a refused link in words for the public; other errors
// are the error page's.
func (s *server) linkProblem(w http.ResponseWriter, r *http.Request, d healthSelfPage, err error) {
	switch code := cordon.ErrorCode(err); code {
	case "healthcheck.link_invalid", "healthcheck.link_expired":
		d.Problem = "error." + code
		s.render(w, r, cordon.ErrorKind(err).HTTPStatus(), "health_self", d)
	default:
		s.fail(w, r, err)
	}
}

func (s *server) healthSelfForm(w http.ResponseWriter, r *http.Request) {
	d := s.healthSelfPage(r)
	p, err := s.app.CheckLinkPerson(r.Context(), d.Token)
	if err != nil {
		s.linkProblem(w, r, d, err)
		return
	}
	d.Person, d.Until = p, p.Until.In(chinaTime).Format(time.DateOnly)
	s.render(w, r, http.StatusOK, "health_self", d)
}

// healthSelfReport records the person's check and shows what was
// recorded, with a word that staff will call when it raised an alert.
func (s *server) healthSelfReport(w http.ResponseWriter, r *http.Request) {
	d := s.healthSelfPage(r)
	f, in := checkForm(r)
	d.Form = f
	p, err := s.app.CheckLinkPerson(r.Context(), d.Token)
	if err != nil {
		s.linkProblem(w, r, d, err)
		return
	}
	d.Person, d.Until = p, p.Until.In(chinaTime).Format(time.DateOnly)
	if len(f.Errors) > 0 {
		d.Alert = "error.healthcheck.temperature_invalid"
		s.render(w, r, http.StatusUnprocessableEntity, "health_self", d)
		return
	}
	out, err := s.app.SelfReportHealthCheck(r.Context(), d.Token, in)
	if err == nil {
		d.Title, d.Done = "healthself.done_title", &out
		s.render(w, r, http.StatusOK, "health_self", d)
		return
	}
	if cordon.ErrorKind(err) != cordon.KindInvalid {
		s.linkProblem(w, r, d, err)
		return
	}
	status, alert, _ := formFailure(err, &d.Form)
	d.Alert = alert
	s.render(w, r, status, "health_self", d)
}

package web

import (
	"net/http"
	"strconv"

	"cordon"
	"cordon/internal/app"
)

// loginPage is the data of the sign-in form.
type loginPage struct {
	page
	Next     string
	Username string
	// RetryAfter is the lockout's remaining minutes, when the account is locked.
	RetryAfter int
}

func (s *server) loginForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if s.visitOf(r).signedIn() {
		seeOther(w, r, next)
		return
	}
	s.render(w, r, http.StatusOK, "login", loginPage{page: s.newPage(r, "login.title", ""), Next: next})
}

// login checks the credentials through app, which delays and locks out
// repeated failures, and opens a session.
func (s *server) login(w http.ResponseWriter, r *http.Request) {
	d := loginPage{
		page:     s.newPage(r, "login.title", ""),
		Next:     safeNext(r.PostFormValue("next")),
		Username: r.PostFormValue("username"),
	}
	acct, secret, _, err := s.app.SignIn(r.Context(), app.Credentials{
		Username: d.Username,
		Password: r.PostFormValue("password"),
		Remote:   remoteHost(r.RemoteAddr),
	})
	if err != nil {
		status := http.StatusUnauthorized
		switch e := asError(err); {
		case e == nil || e.Kind == cordon.KindInternal || e.Kind == cordon.KindUnavailable:
			s.fail(w, r, err)
			return
		case e.Kind == cordon.KindRateLimited:
			status = http.StatusTooManyRequests
			if secs, ok := e.Extra["retry_after"].(int); ok && secs > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(secs))
				d.RetryAfter = (secs + 59) / 60
			}
		}
		d.Alert = errorKey(err)
		s.render(w, r, status, "login", d)
		return
	}
	s.setCookie(w, sessionCookie, secret, int(s.app.SessionTTL().Seconds()))
	if cookieValue(r, langCookie) == "" && acct.Language != "" {
		s.setCookie(w, langCookie, acct.Language, langCookieAge)
	}
	seeOther(w, r, d.Next)
}

// logout ends the session.
func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	if err := s.app.SignOut(r.Context(), v.actor, v.secret); err != nil {
		s.fail(w, r, err)
		return
	}
	s.setCookie(w, sessionCookie, "", -1)
	seeOther(w, r, "/login")
}

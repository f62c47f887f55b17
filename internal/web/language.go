package web

import (
	"net/http"
)

// langCookieAge keeps a language choice for a year.
const langCookieAge = 365 * 24 * 60 * 60

// setLanguage stores the chosen language in a cookie and, for a signed-in
// account, in the account, then returns to the page it came from.
func (s *server) setLanguage(w http.ResponseWriter, r *http.Request) {
	lang, ok := s.cat.Match(r.PostFormValue("lang"))
	if !ok {
		s.errorPage(w, r, http.StatusBadRequest, "error.bad_form")
		return
	}
	if v := s.visitOf(r); v.signedIn() {
		if err := s.app.SetLanguage(r.Context(), v.actor, lang); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.setCookie(w, langCookie, lang, langCookieAge)
	seeOther(w, r, safeNext(r.PostFormValue("next")))
}

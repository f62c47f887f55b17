package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"cordon"
)

// Cookie names. The session cookie holds the secret that app.Session
// resolves; the pre-session cookie holds the CSRF token of a browser that
// is not signed in yet (double submit), which the login form echoes.
const (
	sessionCookie    = "cordon_session"
	preSessionCookie = "cordon_csrf"
	langCookie       = "lang"
	flashCookie      = "cordon_flash"
)

// visit is what the middleware learns about a request: who is signed in,
// which CSRF token their forms must carry, and the page language.
type visit struct {
	account cordon.Account // zero when nobody is signed in
	actor   cordon.Actor
	secret  string // the session cookie, for signing out
	csrf    string
	lang    string
	notice  string // translation key of a success message from the last post
}

func (v *visit) signedIn() bool { return v.account.ID != 0 }

type visitKey struct{}

// visitOf returns the request's visit. Outside the middleware (a failure in
// the middleware itself) it makes do with the headers.
func (s *server) visitOf(r *http.Request) *visit {
	if v, ok := r.Context().Value(visitKey{}).(*visit); ok {
		return v
	}
	return &visit{lang: s.cat.Lang(cookieValue(r, langCookie), r.Header.Get("Accept-Language"))}
}

func cookieValue(r *http.Request, name string) string {
	if c, err := r.Cookie(name); err == nil {
		return c.Value
	}
	return ""
}

// cookieName is the name a cookie goes by: behind HTTPS the pre-session
// token takes the __Host- prefix, which a sibling subdomain cannot set.
func (s *server) cookieName(name string) string {
	if s.opt.Secure && name == preSessionCookie {
		return "__Host-" + name
	}
	return name
}

func (s *server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name:     s.cookieName(name),
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.opt.Secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// sameOrigin refuses unsafe requests that a browser marks as coming from
// another site, before any cookie is looked at; the CSRF token check below
// is the second line.
func (s *server) sameOrigin(next http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.errorPage(w, r, http.StatusForbidden, "error.csrf")
	}))
	return p.Handler(next)
}

// visitor resolves the session cookie and the language, and gives a browser
// that is not signed in its pre-session CSRF token.
func (s *server) visitor(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := &visit{}
		if secret := cookieValue(r, sessionCookie); secret != "" {
			acct, csrf, err := s.app.Session(r.Context(), secret)
			switch {
			case err == nil:
				v.account, v.csrf, v.secret = acct, csrf, secret
			case cordon.ErrorKind(err) == cordon.KindUnauthorized:
				s.setCookie(w, sessionCookie, "", -1) // expired or signed out elsewhere
			default:
				s.fail(w, r, err)
				return
			}
		}
		if v.signedIn() {
			v.actor = v.account.Actor()
			v.actor.RequestID = r.Header.Get("X-Request-Id")
			v.actor.Remote = remoteHost(r.RemoteAddr)
		} else {
			v.csrf = cookieValue(r, s.cookieName(preSessionCookie))
			if !wellFormedToken(v.csrf) {
				v.csrf = rand.Text()
				s.setCookie(w, preSessionCookie, v.csrf, 0)
			}
		}
		// The language cookie is this browser's latest explicit choice; the
		// account's setting carries the choice to a new browser.
		explicit := cookieValue(r, langCookie)
		if explicit == "" {
			explicit = v.account.Language
		}
		v.lang = s.cat.Lang(explicit, r.Header.Get("Accept-Language"))
		if what := cookieValue(r, flashCookie); what != "" {
			s.setCookie(w, flashCookie, "", -1)
			if s.cat.Has(v.lang, "notice."+what) {
				v.notice = "notice." + what
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), visitKey{}, v)))
	})
}

// wellFormedToken accepts what rand.Text makes: 26 base32 characters.
func wellFormedToken(s string) bool {
	if len(s) != 26 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

func remoteHost(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// requireSignIn sends a browser without a session to the login page, which
// returns it to where it was going.
func (s *server) requireSignIn(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.visitOf(r).signedIn() {
			s.toLogin(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// toLogin redirects to the login page. A GET comes back to itself; a form
// post cannot be replayed, so it comes back to the home page.
func (s *server) toLogin(w http.ResponseWriter, r *http.Request) {
	next := "/"
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		next = r.URL.RequestURI()
	}
	target := "/login?next=" + url.QueryEscape(next)
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", target)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// maxFormBytes bounds a form post; no staff form comes near it.
const maxFormBytes = 64 << 10

// maxUploadBytes bounds a lab's result file, a box receipt and a batch of
// sample registrations: the routes of access upload. It matches the outer
// server's default cap on every body, which lab files are sized against.
const maxUploadBytes = 32 << 20

// checkCSRF refuses a post whose csrf field (or, for a script's JSON post,
// X-CSRF-Token header) does not match the session's token (or, before
// sign-in, the pre-session cookie). It reads at most limit bytes of body;
// a multipart form (a file upload) is parsed only on routes that allow
// more than a plain form.
func (s *server) checkCSRF(limit int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions:
				next.ServeHTTP(w, r)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			var err error
			if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" && limit > maxFormBytes {
				err = r.ParseMultipartForm(limit)
			} else {
				err = r.ParseForm()
			}
			if err != nil {
				var tooLarge *http.MaxBytesError
				if errors.As(err, &tooLarge) {
					s.errorPage(w, r, http.StatusRequestEntityTooLarge, "error.too_large")
					return
				}
				s.errorPage(w, r, http.StatusBadRequest, "error.bad_form")
				return
			}
			got := r.PostForm.Get("csrf")
			if got == "" {
				got = r.Header.Get("X-CSRF-Token")
			}
			want := s.visitOf(r).csrf
			if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
				s.errorPage(w, r, http.StatusForbidden, "error.csrf")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// safeNext keeps a post-login or post-switch redirect on this site: a
// local absolute path, never "//host" or a scheme.
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n\x00") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

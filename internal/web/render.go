package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"cordon"
)

//go:embed templates
var templateFiles embed.FS

// Files in templates/ that every page set includes; each other file is one
// page that defines "content" (and may define "title").
const (
	layoutFile   = "templates/layout.html"
	partialsFile = "templates/partials.html"
)

// parseTemplates parses every page once per language, with the language's
// translation function bound, so that rendering needs no per-request
// template work and no shared mutable state.
func (s *server) parseTemplates() (map[string]map[string]*template.Template, error) {
	files, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]*template.Template{}
	for _, f := range files {
		if f == layoutFile || f == partialsFile {
			continue
		}
		name := strings.TrimSuffix(path.Base(f), ".html")
		out[name] = map[string]*template.Template{}
		for _, lang := range s.cat.Languages() {
			t, err := template.New(name).Funcs(s.funcs(lang)).ParseFS(templateFiles, layoutFile, partialsFile, f)
			if err != nil {
				return nil, fmt.Errorf("web: template %s: %w", name, err)
			}
			if t.Lookup("content") == nil {
				return nil, fmt.Errorf("web: template %s defines no content", name)
			}
			out[name][lang] = t
		}
	}
	return out, nil
}

// funcs are the template functions of one language.
func (s *server) funcs(lang string) template.FuncMap {
	return template.FuncMap{
		// t translates a key, formatting any args into the message.
		"t": func(key string, args ...any) string { return s.cat.T(lang, key, args...) },
		// tOr translates a key that may be unknown, such as the action
		// of an audit entry written by a newer version, showing fallback
		// instead of the key.
		"tOr": func(key, fallback string) string {
			if s.cat.Has(lang, key) {
				return s.cat.T(lang, key)
			}
			return fallback
		},
		// asset is the content-hashed URL of a static file; "" for a
		// vendor file that was not built, an error for any other.
		"asset": s.assets.url,
		// when shows an instant in Beijing time.
		"when": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(chinaTime).Format("2006-01-02 15:04")
		},
		// langName is a language's name in that language, for the switch.
		"langName": func(l string) string { return s.cat.T(l, "lang.name") },
		// clock shows the time of day of an instant in Beijing time.
		"clock": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(chinaTime).Format("15:04:05")
		},
		// percent shows n as a whole percentage of of, "—" when of is 0.
		"percent": func(n, of int) string {
			if of <= 0 {
				return "—"
			}
			return strconv.FormatFloat(100*float64(n)/float64(of), 'f', 0, 64) + "%"
		},
		// share shows a fraction as a percentage with up to two decimals.
		"share": func(f float64) string {
			return strings.TrimSuffix(strings.TrimRight(strconv.FormatFloat(100*f, 'f', 2, 64), "0"), ".") + "%"
		},
		// hours shows a sampling point's opening hours; "" when open 24 h.
		"hours": pointHours,
		// fixed shows a number with prec decimals.
		"fixed": func(f float64, prec int) string { return strconv.FormatFloat(f, 'f', prec, 64) },
	}
}

// page is what every page's data starts with; the layout reads it.
type page struct {
	Lang      string
	Languages []string
	Title     string // translation key of the page title
	Nav       string // which navigation entry is current
	User      cordon.Account
	actor     cordon.Actor
	CSRF      string
	Here      string // the request URI, where the language switch returns
	Version   string
	Notice    string // translation key of a success message
	Alert     string // translation key of a page-level error
	// Scripts are static files the page loads after app.js, in order:
	// vendor libraries that were not built are left out.
	Scripts []string
}

// SignedIn reports whether an account is signed in.
func (p page) SignedIn() bool { return p.User.ID != 0 }

// Can reports whether the signed-in role grants a permission, so that a
// page can leave out links and forms that app would refuse anyway.
func (p page) Can(perm string) bool { return p.actor.Can(cordon.Permission(perm)) }

// newPage starts the data of a page.
func (s *server) newPage(r *http.Request, title, nav string) page {
	v := s.visitOf(r)
	here := r.URL.RequestURI()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		here = formPage(r)
	}
	return page{
		Lang:      v.lang,
		Languages: s.cat.Languages(),
		Title:     title,
		Nav:       nav,
		User:      v.account,
		actor:     v.actor,
		CSRF:      v.csrf,
		Here:      here,
		Version:   s.opt.Version,
		Notice:    v.notice,
	}
}

// formPage is the page a posted form came from, where the language switch
// of a re-rendered form should return: the same-origin Referer (pages ask
// for it with their referrer policy), else the home page.
func formPage(r *http.Request) string {
	ref, err := url.Parse(r.Header.Get("Referer"))
	if err != nil || ref.Host != r.Host || ref.Path == "" {
		return "/"
	}
	return safeNext(ref.RequestURI())
}

// render executes a page into a buffer first, so that a template error
// becomes a clean 500 rather than half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	lang := s.visitOf(r).lang
	t := s.pages[name][lang]
	if t == nil {
		s.log.Error("web: no such page template", "page", name, "lang", lang)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		s.log.Error("web: rendering", "page", name, "lang", lang, "err", err, "request_id", r.Header.Get("X-Request-Id"))
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store") // pages carry personal data
	h.Set("Content-Language", lang)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderFragment executes one template of a page without the layout, for
// htmx to swap into the page that is already shown.
func (s *server) renderFragment(w http.ResponseWriter, r *http.Request, status int, name, fragment string, data any) {
	lang := s.visitOf(r).lang
	var buf bytes.Buffer
	t := s.pages[name][lang]
	if t == nil {
		s.log.Error("web: no such page template", "page", name, "lang", lang)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, fragment, data); err != nil {
		s.log.Error("web: rendering", "page", name, "fragment", fragment, "lang", lang, "err", err, "request_id", r.Header.Get("X-Request-Id"))
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", lang)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorPageData is the data of the error page.
type errorPageData struct {
	page
	Status  int
	Message string // translation key
	// Existing links to the record that an error refers to, when there is one.
	Existing string
}

// errorPage renders the error page with a status and a message key.
func (s *server) errorPage(w http.ResponseWriter, r *http.Request, status int, message string) {
	d := errorPageData{page: s.newPage(r, "error.title", ""), Status: status, Message: message}
	if status == http.StatusNotFound {
		d.Title = "error.not_found_title"
	}
	s.render(w, r, status, "error", d)
}

func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound, "error.page_not_found")
}

// asError returns err as a domain error, or nil for a foreign one.
func asError(err error) *cordon.Error {
	var e *cordon.Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// errorKey is the translation key of an error's message.
func errorKey(err error) string { return "error." + cordon.ErrorCode(err) }

// fail shows an error from app as a page: a missing session goes to the
// login page, internal faults are logged and shown without detail, and
// every other kind shows its translated message with its status.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	kind := cordon.ErrorKind(err)
	switch kind {
	case cordon.KindUnauthorized:
		s.toLogin(w, r)
		return
	case cordon.KindInternal:
		s.log.Error("web: request failed", "method", r.Method, "path", r.URL.Path, "err", err, "request_id", r.Header.Get("X-Request-Id"))
		s.errorPage(w, r, http.StatusInternalServerError, "error.internal")
		return
	case cordon.KindUnavailable, cordon.KindRateLimited:
		w.Header().Set("Retry-After", "5")
	}
	status := kind.HTTPStatus()
	d := errorPageData{page: s.newPage(r, "error.title", ""), Status: status, Message: errorKey(err)}
	if kind == cordon.KindNotFound {
		d.Title = "error.not_found_title"
	}
	s.render(w, r, status, "error", d)
}

// form is what someone typed into a form and which fields were at fault,
// for rendering the form again.
type form struct {
	Values map[string]string
	Errors map[string]string // field -> error code
}

// Get is the typed value of a field.
func (f form) Get(name string) string { return f.Values[name] }

// Err is the error code of a field, "" when it passed.
func (f form) Err(name string) string { return f.Errors[name] }

// Field bundles a field's name and error for the field-error partial.
func (f form) Field(name string) fieldState { return fieldState{Name: name, Error: f.Errors[name]} }

type fieldState struct{ Name, Error string }

// formFrom copies the named fields of a posted form.
func formFrom(r *http.Request, names ...string) form {
	f := form{Values: map[string]string{}}
	for _, n := range names {
		f.Values[n] = r.PostFormValue(n)
	}
	return f
}

// outsideScope names a refusal of an actor whose role grants perm: the
// place given lies outside their jurisdiction, and the form says so under
// the jurisdiction field rather than as a bare "forbidden".
func outsideScope(err error, actor cordon.Actor, perm cordon.Permission) error {
	if errors.Is(err, cordon.ErrForbidden) && actor.Can(perm) {
		return cordon.Errorf(cordon.KindForbidden, "jurisdiction.outside_scope", "outside your jurisdiction").WithField("jurisdiction", "jurisdiction.outside_scope")
	}
	return err
}

// formFailure tells whether an error from app belongs on the form that was
// posted (invalid input, a conflict, a field outside the jurisdiction) and
// marks its fields. Other errors are for fail.
func formFailure(err error, f *form) (status int, alert string, ok bool) {
	e := asError(err)
	if e == nil {
		return 0, "", false
	}
	switch e.Kind {
	case cordon.KindInvalid, cordon.KindConflict:
	case cordon.KindForbidden, cordon.KindNotFound:
		if len(e.Fields) == 0 {
			return 0, "", false
		}
	default:
		return 0, "", false
	}
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	for field, code := range e.Fields {
		f.Errors[field] = code
	}
	alert = "error." + e.Code
	if e.Kind == cordon.KindInvalid && len(e.Fields) > 1 {
		alert = "form.fix_fields"
	}
	return e.Kind.HTTPStatus(), alert, true
}

// done redirects after a successful post to a page that shows the notice
// "notice.<what>" once. The notice travels in a short-lived cookie rather
// than the URL, so that reloading or bookmarking the page does not repeat it.
func (s *server) done(w http.ResponseWriter, r *http.Request, target, what string) {
	s.setCookie(w, flashCookie, what, 60)
	seeOther(w, r, target)
}

// seeOther redirects after a successful post.
func seeOther(w http.ResponseWriter, r *http.Request, target string) {
	http.Redirect(w, r, target, http.StatusSeeOther)
}

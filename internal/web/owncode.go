package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/qrcode"
)

// A person's own health code on their phone (/me): no account, the person
// opens it with their identity number and phone like the public scan-in
// page, and keeps the pass app.PersonPass gives in a cookie that only this
// site's own pages send (SameSite=Strict, HttpOnly). The code page shows a
// fresh signed token as a QR code every time it is loaded; its script
// fetches a new one every minute, and without script the page reloads
// itself as often.

// passCookie holds the pass; passMaxAge is the pass's own lifetime, after
// which app refuses it anyway.
const (
	passCookie = "cordon_pass"
	passMaxAge = 30 * 24 * 60 * 60
)

// ownCodePage is the form that opens a code and the code itself.
type ownCodePage struct {
	page
	Form   form
	Code   *app.CodeToken
	QR     template.URL // the token as a PNG data URL
	Window form
	Hours  []int
}

// ownCodeJSON is what the page's script fetches every minute.
type ownCodeJSON struct {
	Token     string       `json:"token"`
	QR        string       `json:"qr"` // a PNG data URL
	Color     string       `json:"color"`
	ColorText string       `json:"color_text"`
	Reasons   []reasonText `json:"reasons"`
	Since     string       `json:"since"`  // in words: "since …"
	Status    string       `json:"status"` // in words: "valid until …"
	Name      string       `json:"name"`
	InWindow  bool         `json:"in_window,omitempty"`
	ExpiresAt time.Time    `json:"expires_at"`
	RefreshAt time.Time    `json:"refresh_at"`
}

// reasonText is a reason code with its words in the page's language.
type reasonText struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

func (s *server) reasonTexts(lang string, rs []cordon.CodeReason) []reasonText {
	out := []reasonText{}
	for _, r := range rs {
		out = append(out, reasonText{Code: string(r), Text: s.cat.T(lang, "healthcode.reason_"+string(r))})
	}
	return out
}

// codeQR draws a token as a PNG data URL, six pixels a module: large
// enough for a scanner to read off a phone's screen.
func codeQR(token string) (string, error) {
	png, err := qrcode.PNG(token, 6)
	if err != nil {
		return "", err
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png), nil
}

func (s *server) setPassCookie(w http.ResponseWriter, pass string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: passCookie, Value: pass, Path: "/me", MaxAge: maxAge,
		HttpOnly: true, Secure: s.opt.Secure, SameSite: http.SameSiteStrictMode})
}

func (s *server) ownCodePage(r *http.Request, title string) ownCodePage {
	d := ownCodePage{page: s.newPage(r, title, "public"), Form: form{Values: map[string]string{}}, Window: form{Values: map[string]string{}}}
	for h := 1; h <= 24; h++ {
		d.Hours = append(d.Hours, h)
	}
	return d
}

// ownCodeForm asks for the identity number and phone; a phone that holds
// a pass goes straight to its code.
func (s *server) ownCodeForm(w http.ResponseWriter, r *http.Request) {
	if cookieValue(r, passCookie) != "" {
		seeOther(w, r, "/me/code")
		return
	}
	s.render(w, r, http.StatusOK, "owncode_open", s.ownCodePage(r, "owncode.open_title"))
}

// ownCodeOpen checks the pair against the register and keeps the pass.
func (s *server) ownCodeOpen(w http.ResponseWriter, r *http.Request) {
	d := s.ownCodePage(r, "owncode.open_title")
	d.Form = formFrom(r, "id_number", "phone")
	pass, err := s.app.PersonPass(r.Context(), strings.TrimSpace(d.Form.Get("id_number")), strings.TrimSpace(d.Form.Get("phone")))
	if err == nil {
		s.setPassCookie(w, pass, passMaxAge)
		seeOther(w, r, "/me/code")
		return
	}
	switch code := cordon.ErrorCode(err); code {
	case "healthcode.identity_unknown", "healthcode.identity_invalid":
		// Neither field alone is at fault: a wrong pair reads like an
		// unknown person.
		d.Alert = "error." + code
		s.render(w, r, http.StatusUnprocessableEntity, "owncode_open", d)
		return
	}
	status, alert, ok := formFailure(err, &d.Form)
	if !ok {
		s.fail(w, r, err)
		return
	}
	d.Alert = alert
	s.render(w, r, status, "owncode_open", d)
}

// ownCode reads the code with a fresh token, or sends a phone whose pass
// is missing, expired or altered back to the form.
func (s *server) ownCode(r *http.Request) (app.CodeToken, error) {
	pass := cookieValue(r, passCookie)
	if pass == "" {
		return app.CodeToken{}, cordon.Errorf(cordon.KindUnauthorized, "healthcode.pass_invalid", "no pass")
	}
	return s.app.OwnCode(r.Context(), pass)
}

func (s *server) ownCodeShow(w http.ResponseWriter, r *http.Request) {
	s.showOwnCode(w, r, http.StatusOK, form{Values: map[string]string{}}, "")
}

func (s *server) showOwnCode(w http.ResponseWriter, r *http.Request, status int, window form, alert string) {
	t, err := s.ownCode(r)
	if cordon.ErrorKind(err) == cordon.KindUnauthorized {
		s.setPassCookie(w, "", -1)
		seeOther(w, r, "/me")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	qr, err := codeQR(t.Token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := s.ownCodePage(r, "owncode.title")
	d.Code, d.QR, d.Window, d.Alert = &t, template.URL(qr), window, alert
	d.Scripts = []string{"owncode.js"}
	s.render(w, r, status, "owncode", d)
}

// ownCodeJSON answers the page's script with a fresh token; a pass that
// no longer opens the code answers 401, and the script goes to /me.
func (s *server) ownCodeJSON(w http.ResponseWriter, r *http.Request) {
	t, err := s.ownCode(r)
	if cordon.ErrorKind(err) == cordon.KindUnauthorized {
		s.setPassCookie(w, "", -1)
	}
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	qr, err := codeQR(t.Token)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	lang := s.visitOf(r).lang
	out := ownCodeJSON{Token: t.Token, QR: qr, Color: string(t.Code.Color), ColorText: s.cat.T(lang, "healthcode.color_"+string(t.Code.Color)),
		Reasons: s.reasonTexts(lang, t.Code.Reasons), Name: t.Name, InWindow: t.Code.InWindow, ExpiresAt: t.ExpiresAt, RefreshAt: t.RefreshAt}
	if t.Code.InWindow {
		out.ColorText += " · " + s.cat.T(lang, "owncode.in_window")
	}
	if !t.Code.Since.IsZero() {
		out.Since = s.cat.T(lang, "owncode.since", t.Code.Since.In(chinaTime).Format("2006-01-02 15:04"))
	}
	out.Status = s.cat.T(lang, "owncode.valid_until", t.ExpiresAt.In(chinaTime).Format("15:04:05"))
	writeJSON(w, http.StatusOK, out)
}

// ownCodeWindow is a yellow-code holder asking for the one-time travel
// window.
func (s *server) ownCodeWindow(w http.ResponseWriter, r *http.Request) {
	f := formFrom(r, "hours")
	hours, err := strconv.Atoi(strings.TrimSpace(f.Get("hours")))
	if err != nil {
		hours = 0 // app refuses it with the rule
	}
	_, err = s.app.OwnCodeWindow(r.Context(), cookieValue(r, passCookie), hours)
	if err == nil {
		s.done(w, r, "/me/code", "healthcode.window")
		return
	}
	if cordon.ErrorKind(err) == cordon.KindUnauthorized {
		s.setPassCookie(w, "", -1)
		seeOther(w, r, "/me")
		return
	}
	status, alert, ok := formFailure(err, &f)
	if !ok {
		s.fail(w, r, err)
		return
	}
	s.showOwnCode(w, r, status, f, alert)
}

// ownCodeSignOut forgets the pass on this phone.
func (s *server) ownCodeSignOut(w http.ResponseWriter, r *http.Request) {
	s.setPassCookie(w, "", -1)
	seeOther(w, r, "/me")
}

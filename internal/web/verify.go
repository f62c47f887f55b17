package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"cordon"
	"cordon/internal/app"
)

// The verifier page (/verify): staff scan or paste a health-code token.
// Its script loads the public keys from /.well-known/cordon/keys once,
// keeps them on the device, and checks the Ed25519 signature, the colour
// and the validity in the browser, so that it goes on verifying with no
// network; online it also asks the server for today's colour and whether
// the token was shown before. Without script the form posts the token and
// the server answers.

// keysPath is where the verifying keys are published (the API serves it).
const keysPath = "/.well-known/cordon/keys"

type verifyPage struct {
	page
	Form     form
	Result   *codeAnswer
	KeysPath string
	Texts    string // the words of the offline check, as JSON for the script
}

// codeAnswer is a verification with its words in the page's language.
type codeAnswer struct {
	app.CodeVerification
	State      string       `json:"state"` // valid, forged, expired, replayed, invalid
	StateText  string       `json:"state_text"`
	ColorText  string       `json:"color_text,omitempty"`
	TokenColor string       `json:"token_color_text,omitempty"`
	ReasonText []reasonText `json:"reason_texts"`
	ErrorText  string       `json:"error_text,omitempty"`
	SinceText  string       `json:"since_text,omitempty"`
	Expires    string       `json:"expires_text,omitempty"`
}

// codeStates names the page's verdict for app's refusal codes.
var codeStates = map[string]string{
	"healthcode.signature_invalid": "forged",
	"healthcode.key_unknown":       "forged",
	"healthcode.expired":           "expired",
	"healthcode.not_yet_valid":     "expired",
	"healthcode.replayed":          "replayed",
}

func (s *server) codeAnswer(lang string, v app.CodeVerification) *codeAnswer {
	a := &codeAnswer{CodeVerification: v, State: "valid", ReasonText: s.reasonTexts(lang, v.Reasons)}
	if !v.Valid {
		a.State = codeStates[v.Error]
		if a.State == "" {
			a.State = "invalid"
		}
		a.ErrorText = s.cat.T(lang, "error."+v.Error)
	}
	a.StateText = s.cat.T(lang, "verify.state_"+a.State)
	if v.Color != "" {
		a.ColorText = s.cat.T(lang, "healthcode.color_"+string(v.Color))
		if v.InWindow {
			a.ColorText += " · " + s.cat.T(lang, "owncode.in_window")
		}
	}
	if v.TokenColor != "" {
		a.TokenColor = s.cat.T(lang, "healthcode.color_"+string(v.TokenColor))
	}
	if !v.ExpiresAt.IsZero() {
		a.Expires = v.ExpiresAt.In(chinaTime).Format("2006-01-02 15:04:05")
	}
	if !v.Since.IsZero() {
		a.SinceText = s.cat.T(lang, "owncode.since", v.Since.In(chinaTime).Format("2006-01-02 15:04"))
	}
	return a
}

// codeTextKeys are the words static/codeverify.js and the pages' scripts
// show, by the name the scripts use.
var codeTextKeys = map[string]string{
	"valid": "verify.state_valid", "forged": "verify.state_forged", "expired": "verify.state_expired",
	"not_yet": "verify.state_not_yet", "replayed": "verify.state_replayed", "invalid": "verify.state_invalid",
	"unknown_key": "verify.state_unknown_key", "unsupported": "verify.state_unsupported", "no_keys": "verify.state_no_keys",
	"offline": "verify.offline", "online": "verify.online", "unreachable": "verify.unreachable",
	"green": "healthcode.color_green", "yellow": "healthcode.color_yellow", "red": "healthcode.color_red",
	"printed": "verify.printed", "keys": "verify.keys_loaded", "keys_cached": "verify.keys_cached",
	"name": "verify.name", "reasons": "healthcode.reasons", "token_color": "verify.token_color",
	"expires": "verify.expires", "since": "verify.since", "signed_out": "verify.signed_out",
	"queued": "check.queued", "waiting": "check.waiting", "all_sent": "check.all_sent", "sent": "check.sent",
	"scan_in": "check.scan_in", "scan_in_again": "check.scan_in_again", "itinerary": "check.itinerary",
	"risk": "check.risk", "no_places": "check.no_places", "id_offline": "check.id_offline", "no_venue": "check.no_venue",
}

// codeTexts is codeTextKeys translated, as JSON.
func (s *server) codeTexts(lang string) string {
	out := make(map[string]string, len(codeTextKeys))
	for name, key := range codeTextKeys {
		out[name] = s.cat.T(lang, key)
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// mayVerify is the page's own guard: app guards each verification too.
func mayVerify(a cordon.Actor) bool {
	return a.Can(cordon.PermCodeCheck) || a.Can(cordon.PermHealthCodeRead)
}

func (s *server) verifyPage(w http.ResponseWriter, r *http.Request) {
	if !mayVerify(s.visitOf(r).actor) {
		s.fail(w, r, cordon.ErrForbidden)
		return
	}
	s.render(w, r, http.StatusOK, "verify", s.newVerifyPage(r, form{Values: map[string]string{}}))
}

func (s *server) newVerifyPage(r *http.Request, f form) verifyPage {
	d := verifyPage{page: s.newPage(r, "verify.title", "verify"), Form: f, KeysPath: keysPath, Texts: s.codeTexts(s.visitOf(r).lang)}
	d.Scripts = []string{"codeverify.js", "verify.js", "scan.js"}
	return d
}

// verifyToken checks a token on the server: for the page's script (JSON)
// or the plain form.
func (s *server) verifyToken(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	f := formFrom(r, "token")
	res, err := s.app.VerifyCode(r.Context(), v.actor, strings.TrimSpace(f.Get("token")), time.Time{})
	if wantsJSON(r) {
		if err != nil {
			s.writeJSONError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, s.codeAnswer(v.lang, res))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := s.newVerifyPage(r, f)
	d.Result = s.codeAnswer(v.lang, res)
	s.render(w, r, http.StatusOK, "verify", d)
}

package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"cordon"
	"cordon/internal/app"
)

// The three-code check (三码联查) on a phone at a venue or checkpoint
// (/check): the venue is chosen once, by scanning its venue code or from a
// list, and the phone remembers it; then each person's health code is
// scanned, or an identity number typed, and the page shows the colour now,
// the reasons, the itinerary card and the scan-in recorded. When the server
// cannot be reached the script checks the token's signature offline, shows
// the token's colour as an offline check and queues the check on the phone
// (IndexedDB), sending it with its scan time when the network returns.
// Without script the page is two plain forms.

type checkPage struct {
	page
	VenueCode    string
	Venue        *app.PublicScanIn
	VenueProblem string // translation key of why the venue code cannot be used
	Venues       []cordon.Venue
	Form         form
	Result       *checkAnswer
	Days         []int
	KeysPath     string
	Texts        string
}

// checkAnswer is a check with its words in the page's language, for the
// page and its script.
type checkAnswer struct {
	Code       *codeAnswer    `json:"code"`
	Venue      string         `json:"venue,omitempty"`
	ScanInAt   time.Time      `json:"scan_in_at,omitzero"`
	ScanInText string         `json:"scan_in_text,omitempty"`
	Again      bool           `json:"again,omitempty"`
	Days       int            `json:"days,omitempty"`
	CardTitle  string         `json:"card_title,omitempty"`
	Places     []checkedPlace `json:"places"`
}

// checkedPlace is one county of the itinerary card.
type checkedPlace struct {
	Name  string `json:"name"`
	Risk  bool   `json:"risk"`
	Dates string `json:"dates"`
}

func (s *server) checkAnswer(lang string, c app.CheckResult) *checkAnswer {
	a := &checkAnswer{Code: s.codeAnswer(lang, c.Code), Venue: c.Venue, ScanInAt: c.ScanInAt, Again: c.Again, Places: []checkedPlace{}}
	if !c.ScanInAt.IsZero() {
		key := "check.scan_in"
		if c.Again {
			key = "check.scan_in_again"
		}
		a.ScanInText = s.cat.T(lang, key, c.Venue, c.ScanInAt.In(chinaTime).Format("15:04"))
	}
	if card := c.Itinerary; card != nil {
		a.Days, a.CardTitle = card.Days, s.cat.T(lang, "check.itinerary", card.Days)
		for _, p := range card.Places {
			dates := p.First.In(chinaTime).Format("01-02")
			if last := p.Last.In(chinaTime).Format("01-02"); last != dates {
				dates += " – " + last
			}
			a.Places = append(a.Places, checkedPlace{Name: p.Name, Risk: p.Risk, Dates: dates})
		}
	}
	return a
}

// venueProblems are the refusals of a venue code, in words for the page.
var venueProblems = map[string]string{
	"scanin.venue_code_invalid": "check.venue_forged",
	"scanin.venue_unknown":      "check.venue_forged",
	"scanin.venue_code_revoked": "check.venue_revoked",
	"scanin.venue_closed":       "check.venue_closed",
}

// newCheckPage reads the venue a code names, and the venues to pick from
// for a role that reads venues.
func (s *server) newCheckPage(r *http.Request, venueCode string) (checkPage, error) {
	v := s.visitOf(r)
	d := checkPage{page: s.newPage(r, "check.title", "check"), VenueCode: strings.TrimSpace(venueCode), Days: []int{14, 7},
		KeysPath: keysPath, Texts: s.codeTexts(v.lang), Form: form{Values: map[string]string{"days": "14"}}}
	d.Scripts = []string{"vendor/idb-keyval.min.js", "codeverify.js", "codecheck.js", "check.js", "scan.js"}
	if d.VenueCode != "" {
		venue, err := s.app.PublicVenue(r.Context(), d.VenueCode)
		switch p, ok := venueProblems[cordon.ErrorCode(err)]; {
		case err == nil:
			d.Venue = &venue
		case ok:
			d.VenueProblem = p
		default:
			return d, err
		}
	}
	if d.Venue == nil && v.actor.Can(cordon.PermVenueRead) {
		vs, err := s.app.Venues(r.Context(), v.actor, cordon.VenueFilter{Limit: 200})
		if err != nil {
			return d, err
		}
		for _, x := range vs {
			if x.Active {
				d.Venues = append(d.Venues, x)
			}
		}
	}
	return d, nil
}

func (s *server) checkPage(w http.ResponseWriter, r *http.Request) {
	if !s.visitOf(r).actor.Can(cordon.PermCodeCheck) {
		s.fail(w, r, cordon.ErrForbidden)
		return
	}
	d, err := s.newCheckPage(r, r.URL.Query().Get("venue"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if d.VenueProblem != "" {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "check", d)
}

// checkInput reads the check form: the scanned code (a health-code token)
// or a typed identity number, the days of the itinerary card, and the
// scan time of a check the script queued offline.
func checkInput(f form) (app.CheckInput, error) {
	in := app.CheckInput{VenueCode: strings.TrimSpace(f.Get("venue_code"))}
	code := strings.TrimSpace(f.Get("code"))
	if strings.Contains(code, "HC1.") {
		in.Token = code
	} else {
		in.IDNumber = strings.ToUpper(strings.ReplaceAll(code, " ", ""))
	}
	if days := f.Get("days"); days != "" {
		n, err := strconv.Atoi(days)
		if err != nil {
			return in, cordon.Errorf(cordon.KindInvalid, "check.days_invalid", "the itinerary covers 7 or 14 days").WithField("days", "check.days_invalid")
		}
		in.Days = n
	}
	if at := strings.TrimSpace(f.Get("scanned_at")); at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return in, cordon.Errorf(cordon.KindInvalid, "healthcode.scan_time_invalid", "a scan time in RFC 3339")
		}
		in.ScannedAt = t
	}
	return in, nil
}

// checkScan runs one check: for the page's script (JSON, also for the
// checks it queued offline) or the plain form.
func (s *server) checkScan(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	f := formFrom(r, "venue_code", "code", "days", "scanned_at")
	in, err := checkInput(f)
	var res app.CheckResult
	if err == nil {
		res, err = s.app.Check(r.Context(), v.actor, in)
	}
	if e := asError(err); e != nil && e.Fields["token"] != "" {
		e.Fields["code"] = e.Fields["token"] // the page has one field for both
	}
	if wantsJSON(r) {
		if err != nil {
			s.writeJSONError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, s.checkAnswer(v.lang, res))
		return
	}
	if k := cordon.ErrorKind(err); err != nil && (k == cordon.KindInternal || k == cordon.KindForbidden) {
		s.fail(w, r, err)
		return
	}
	d, perr := s.newCheckPage(r, in.VenueCode)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	d.Form = f
	if err != nil {
		status := cordon.ErrorKind(err).HTTPStatus()
		d.Alert = errorKey(err)
		if st, alert, ok := formFailure(err, &d.Form); ok {
			status, d.Alert = st, alert
		}
		s.render(w, r, status, "check", d)
		return
	}
	d.Result = s.checkAnswer(v.lang, res)
	d.Form.Values["code"] = "" // ready for the next person
	s.render(w, r, http.StatusOK, "check", d)
}

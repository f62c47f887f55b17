package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cordon"
)

// auditPageSize is how many entries one page of the audit log shows.
const auditPageSize = 100

// auditPage browses the audit log.
type auditPage struct {
	page
	Form    form
	Entries []cordon.AuditEntry
	Actions []string
	Next    string
}

// auditActions are the actions app records, offered as suggestions in the
// filter; the field takes any other too.
var auditActions = []string{
	"login", "login.fail", "logout",
	"person.create", "person.read", "person.lookup", "person.list", "person.update", "person.merge",
	"account.create", "account.disable", "account.enable", "account.reset_password",
	"grid.create", "grid.rename", "token.create", "token.revoke",
	"round.create", "round.close", "round.unsampled", "point.create", "point.update", "point.queue",
	"sample.register", "tube.close", "tube.read", "box.hand_over", "box.receive",
	"lab.create", "labresult.upload", "inbox.resolve", "recall.list", "positive.list",
	"case.open", "case.read", "case.list", "case.update", "case.trajectory", "case.initial_report", "case.link",
}

// auditList lists audit entries by filter, newest first. Dates are whole
// days in Beijing time, both ends included.
func (s *server) auditList(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	q := r.URL.Query()
	d := auditPage{page: s.newPage(r, "audit.title", "audit"), Actions: auditActions, Form: form{Values: map[string]string{}, Errors: map[string]string{}}}
	for _, k := range []string{"username", "action", "record", "since", "until"} {
		d.Form.Values[k] = strings.TrimSpace(q.Get(k))
	}
	f := cordon.AuditFilter{
		Username: strings.ToLower(d.Form.Get("username")),
		Action:   d.Form.Get("action"),
		Record:   d.Form.Get("record"),
		Limit:    auditPageSize,
	}
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	var ok bool
	if f.Since, ok = day(d.Form.Get("since")); !ok {
		d.Form.Errors["since"] = "audit.date_invalid"
	}
	if f.Until, ok = day(d.Form.Get("until")); !ok {
		d.Form.Errors["until"] = "audit.date_invalid"
	} else if !f.Until.IsZero() {
		f.Until = f.Until.AddDate(0, 0, 1)
	}
	if len(d.Form.Errors) > 0 {
		d.Alert = "form.fix_fields"
		s.render(w, r, http.StatusUnprocessableEntity, "audit", d)
		return
	}
	var err error
	if d.Entries, err = s.app.AuditLog(r.Context(), v.actor, f); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(d.Entries) == auditPageSize {
		next := url.Values{}
		for k, x := range d.Form.Values {
			if x != "" {
				next.Set(k, x)
			}
		}
		next.Set("before", strconv.FormatInt(d.Entries[len(d.Entries)-1].ID, 10))
		d.Next = "/audit?" + next.Encode()
	}
	s.render(w, r, http.StatusOK, "audit", d)
}

// day parses a YYYY-MM-DD date as the start of that day in Beijing time;
// an empty one is the zero time.
func day(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	t, err := time.ParseInLocation("2006-01-02", s, chinaTime)
	return t, err == nil
}

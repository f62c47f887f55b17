package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cordon"
)

// This file holds what the mass-testing pages share: reading numbers and
// times typed into their forms, and the lists their forms choose from.

// pageSize is how many rows one page of a testing list shows.
const pageSize = 50

// pathInt64 reads a numeric path value; a malformed one is no record.
func pathInt64(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}

// intField reads a whole number from a form field, blank as 0. A value
// that is not a number marks the field and returns false.
func intField(f *form, name string) (int, bool) {
	v := strings.TrimSpace(f.Get(name))
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		f.fail(name, "form.number_invalid")
		return 0, false
	}
	return n, true
}

// floatField reads a decimal number from a form field, blank as 0.
func floatField(f *form, name string) (float64, bool) {
	v := strings.TrimSpace(f.Get(name))
	if v == "" {
		return 0, true
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		f.fail(name, "form.number_invalid")
		return 0, false
	}
	return x, true
}

// localTimeLayout is what an <input type="datetime-local"> sends.
const localTimeLayout = "2006-01-02T15:04"

// timeField reads a datetime-local field as Beijing time, blank as zero.
func timeField(f *form, name string) (time.Time, bool) {
	v := strings.TrimSpace(f.Get(name))
	if v == "" {
		return time.Time{}, true
	}
	t, err := time.ParseInLocation(localTimeLayout, v, chinaTime)
	if err != nil {
		f.fail(name, "form.date_invalid")
		return time.Time{}, false
	}
	return t, true
}

// localTime is the value of a datetime-local field for an instant.
func localTime(t time.Time) string { return t.In(chinaTime).Format(localTimeLayout) }

// fail marks a field that web itself could not read, before app sees it.
func (f *form) fail(name, code string) {
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	f.Errors[name] = code
}

// codes splits a list of jurisdiction codes typed with spaces, commas or
// one per line.
func codes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	})
}

// withQuery builds a local URL with the non-empty query values.
func withQuery(path string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// places is the account's jurisdiction and the nodes below it, offered as
// suggestions for a jurisdiction field; empty when app refuses.
func (s *server) places(r *http.Request) []cordon.Jurisdiction {
	v := s.visitOf(r)
	self, err := s.app.Jurisdiction(r.Context(), v.actor, v.actor.Jurisdiction)
	if err != nil {
		return nil
	}
	children, err := s.app.Children(r.Context(), v.actor, v.actor.Jurisdiction)
	if err != nil {
		return []cordon.Jurisdiction{self}
	}
	return append([]cordon.Jurisdiction{self}, children...)
}

// placeName names a division for display, or returns the code when the
// directory does not hold it (a grid, a village outside Guangxi).
func (s *server) placeName(code string) string {
	if j, ok := s.app.Directory().Lookup(code); ok {
		return j.Name
	}
	return code
}

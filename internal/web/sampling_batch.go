package web

import (
	"encoding/json"
	"mime"
	"net/http"
	"strings"

	"cordon"
)

// jsonError is the body of a refused script request.
type jsonError struct {
	Code    string            `json:"code"`
	Message string            `json:"message"` // in the page's language
	Fields  map[string]string `json:"fields,omitempty"`
}

// samplingBatch stores a batch of registrations from the sampler page's
// offline queue, with the session cookie and the X-CSRF-Token header of the
// page. Each answer says stored, replayed (the key was stored before: a
// resend) or rejected with the reason in the page's language; the script
// drops a registration from its queue only on one of those answers.
func (s *server) samplingBatch(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		s.writeJSONError(w, r, cordon.Errorf(cordon.KindUnsupported, "request.json", "send JSON"))
		return
	}
	var in cordon.SampleBatch
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&in); err != nil {
		s.writeJSONError(w, r, cordon.Errorf(cordon.KindInvalid, "request.json", "the body is not a batch of registrations"))
		return
	}
	acks, err := s.app.RegisterSamples(r.Context(), v.actor, in.Samples)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	out := cordon.AnswerSamples(acks)
	for i, a := range acks {
		if a.Error != nil {
			e := *a.Error
			e.Message, e.Err = s.cat.T(v.lang, "error."+e.Code), nil
			out.Results[i].Error = &e
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// wantsJSON tells a script's request, which asks for JSON, from a form post.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeJSONError answers a script with an error's code and its message in
// the page's language; internal faults are logged and not described.
func (s *server) writeJSONError(w http.ResponseWriter, r *http.Request, err error) {
	v := s.visitOf(r)
	kind := cordon.ErrorKind(err)
	if kind == cordon.KindInternal {
		s.log.Error("web: request failed", "method", r.Method, "path", r.URL.Path, "err", err, "request_id", r.Header.Get("X-Request-Id"))
	}
	if kind == cordon.KindUnavailable || kind == cordon.KindRateLimited {
		w.Header().Set("Retry-After", "5")
	}
	body := jsonError{Code: cordon.ErrorCode(err)}
	body.Message = s.cat.T(v.lang, "error."+body.Code)
	if e := asError(err); e != nil {
		body.Fields = e.Fields
	}
	writeJSON(w, kind.HTTPStatus(), map[string]jsonError{"error": body})
}

package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"cordon"
)

// Problem is an RFC 9457 problem document with cordon's stable code and the
// fields at fault.
type Problem struct {
	Type     string            `json:"type"`
	Title    string            `json:"title"`
	Status   int               `json:"status"`
	Code     string            `json:"code"`
	Detail   string            `json:"detail,omitempty"`
	Instance string            `json:"instance,omitempty"`
	Fields   map[string]string `json:"fields,omitempty"`
	// Extra values, e.g. the id of an existing person on a duplicate.
	ID         *int64 `json:"id,omitempty"`
	RetryAfter int    `json:"retry_after,omitempty"`
}

// writeError answers with a problem document. Internal errors are logged
// with the request id and shown only as "internal".
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	kind := cordon.ErrorKind(err)
	status := kind.HTTPStatus()
	p := Problem{
		Type:     "https://cordon.invalid/problems/" + cordon.ErrorCode(err),
		Title:    http.StatusText(status),
		Status:   status,
		Code:     cordon.ErrorCode(err),
		Instance: r.URL.Path,
	}
	var e *cordon.Error
	if errors.As(err, &e) && kind != cordon.KindInternal {
		p.Detail, p.Fields = e.Message, e.Fields
		if id, ok := e.Extra["id"].(int64); ok {
			p.ID = &id
		}
		if ra, ok := e.Extra["retry_after"].(int); ok {
			p.RetryAfter = ra
			w.Header().Set("Retry-After", strconv.Itoa(ra))
		}
	}
	if kind == cordon.KindInternal {
		p.Code = "internal"
		p.Detail = "an internal error occurred; it has been logged"
		p.Type = "https://cordon.invalid/problems/internal"
		s.log.ErrorContext(r.Context(), "internal error", "err", err, "request_id", r.Header.Get("X-Request-Id"), "path", r.URL.Path)
	}
	if kind == cordon.KindUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="cordon"`)
	}
	if kind == cordon.KindUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "1")
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

// writeJSON answers with a JSON document.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		slog.Default().Debug("write response", "err", err)
	}
}

// done answers a change that returns nothing: 204, or the problem.
func (s *Server) done(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

package api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"cordon"
)

// MaxBody is the largest JSON body a single-record endpoint accepts.
const MaxBody = 64 << 10

// decode reads exactly one JSON object into v, refusing unknown fields,
// wrong types, trailing data and bodies over the limit, each with a stable
// code and the field at fault.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	return decodeUpTo(w, r, v, MaxBody)
}

// decodeUpTo is decode with another size limit, for bulk endpoints.
func decodeUpTo(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return cordon.Errorf(cordon.KindInvalid, "request.content_type", "send application/json")
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if dec.More() || dec.Decode(&struct{}{}) != io.EOF {
			return cordon.Errorf(cordon.KindInvalid, "request.trailing_data", "the body must hold exactly one JSON object")
		}
		return nil
	}
	var mbe *http.MaxBytesError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return cordon.Errorf(cordon.KindTooLarge, "request.too_large", "the body is over %d bytes", mbe.Limit)
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF):
		return cordon.Errorf(cordon.KindInvalid, "request.malformed_json", "the body is not valid JSON")
	case errors.Is(err, io.EOF):
		return cordon.Errorf(cordon.KindInvalid, "request.empty", "the body is empty")
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		return cordon.Errorf(cordon.KindInvalid, "request.wrong_type", "field %q must be %s", field, te.Type.String()).WithField(field, "request.wrong_type")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return cordon.Errorf(cordon.KindInvalid, "request.unknown_field", "unknown field %q", field).WithField(field, "request.unknown_field")
	}
	return cordon.Errorf(cordon.KindInvalid, "request.malformed_json", "the body is not valid JSON")
}

// pathID parses a numeric path value.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, cordon.Errorf(cordon.KindNotFound, "request.bad_id", "no such record")
	}
	return id, nil
}

// pathAndBody reads the id in the path and the JSON body of a request that
// changes one record.
func pathAndBody(w http.ResponseWriter, r *http.Request, in any) (int64, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, err
	}
	return id, decode(w, r, in)
}

// Page is a page of a list with an opaque cursor to the next one.
type Page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next_cursor,omitempty"`
}

func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("id:" + strconv.FormatInt(id, 10)))
}

func decodeCursor(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil && strings.HasPrefix(string(b), "id:") {
		if id, err := strconv.ParseInt(string(b[3:]), 10, 64); err == nil && id > 0 {
			return id, nil
		}
	}
	return 0, cordon.Errorf(cordon.KindInvalid, "request.bad_cursor", "the cursor is not one this server gave").WithField("cursor", "request.bad_cursor")
}

func queryLimit(r *http.Request) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return 50, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 500 {
		return 0, cordon.Errorf(cordon.KindInvalid, "request.bad_limit", "limit must be 1 to 500").WithField("limit", "request.bad_limit")
	}
	return n, nil
}

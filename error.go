package cordon

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the surfaces: each kind maps to one HTTP
// status and one way of showing the error on a page.
type Kind int

// The kinds of error that cordon's operations return.
const (
	KindInternal     Kind = iota // a fault of ours; details are logged, not shown
	KindInvalid                  // the input is wrong; Fields says where
	KindNotFound                 // no such record inside the caller's scope
	KindConflict                 // the record exists already or changed meanwhile
	KindUnauthorized             // not signed in, or the credentials are wrong
	KindForbidden                // signed in, but the role or scope does not allow it
	KindTooLarge                 // the request body is over the limit
	KindRateLimited              // too many attempts; try again later
	KindUnavailable              // overloaded or shutting down; try again later
	KindUnsupported              // the request body is in a format we do not read
)

var kindNames = [...]string{"internal", "invalid", "not_found", "conflict", "unauthorized", "forbidden", "too_large", "rate_limited", "unavailable", "unsupported"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// kindStatus is the one table from error kinds to HTTP statuses, shared by
// the API and the pages (the numbers are net/http's, which this package does
// not import).
var kindStatus = [...]int{
	KindInternal:     500,
	KindInvalid:      422,
	KindNotFound:     404,
	KindConflict:     409,
	KindUnauthorized: 401,
	KindForbidden:    403,
	KindTooLarge:     413,
	KindRateLimited:  429,
	KindUnavailable:  503,
	KindUnsupported:  415,
}

// HTTPStatus is the HTTP status that answers an error of this kind.
func (k Kind) HTTPStatus() int {
	if int(k) < len(kindStatus) {
		return kindStatus[k]
	}
	return 500
}

// Error is the one error type that crosses layers. Code is a stable key such
// as "person.id_number_invalid" that clients and translations rely on; Message
// is the English text for logs and API clients; Fields names the inputs at
// fault, each with its own stable code.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Fields  map[string]string
	// Extra carries values a client needs to act on the error, such as the
	// id of the existing person on a duplicate ID number.
	Extra map[string]any
	// Err is the underlying cause, for logs only.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.Message + ": " + e.Err.Error()
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an Error of the given kind and code.
func Errorf(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithField marks an input field as at fault, with the field's own code.
func (e *Error) WithField(field, code string) *Error {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	e.Fields[field] = code
	return e
}

// ErrorKind returns the kind of err; errors that are not an *Error are internal.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// ErrorCode returns the stable code of err, "internal" for foreign errors.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Code
	}
	return "internal"
}

// Common errors that several operations return.
var (
	ErrForbidden    = &Error{Kind: KindForbidden, Code: "auth.forbidden", Message: "your role or jurisdiction does not allow this"}
	ErrUnauthorized = &Error{Kind: KindUnauthorized, Code: "auth.unauthorized", Message: "sign in first"}
)

// Invalid collects field errors during validation and returns them as one
// Error, or nil when every field passed.
type Invalid struct {
	Code   string
	fields map[string]string
}

// Add marks field as invalid with a field-level code.
func (v *Invalid) Add(field, code string) {
	if v.fields == nil {
		v.fields = map[string]string{}
	}
	if _, ok := v.fields[field]; !ok {
		v.fields[field] = code
	}
}

// Err returns the collected errors, or nil. When exactly one field failed,
// the error's code is that field's code, so that clients can match on it.
func (v *Invalid) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	code := v.Code
	if len(v.fields) == 1 {
		for _, c := range v.fields {
			code = c
		}
	}
	return &Error{Kind: KindInvalid, Code: code, Message: "some fields are invalid", Fields: v.fields}
}

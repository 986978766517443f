// Package apierr defines errors that carry their HTTP status and a stable machine-readable code.
// Services return them (wrapped with context as they travel up); the API's error handler finds
// them with errors.As and writes {"error":{"code":…,"message":…}}. Anything else becomes a 500
// whose details are logged, never sent.
package apierr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is a client-facing error.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// Field names the offending input field, when there is one.
	Field string `json:"field,omitempty"`
	// Details carries extra machine-readable facts (an existing record's id, attempts left).
	Details map[string]any `json:"details,omitempty"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is makes errors.Is match on status and code, so a customised copy (With…) still matches the
// variable it was made from.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.Code == e.Code && t.Status == e.Status
}

// New makes an error value, typically a package-level variable.
func New(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message}
}

// Withf returns a copy with another message.
func (e *Error) Withf(format string, args ...any) *Error {
	c := *e
	c.Message = fmt.Sprintf(format, args...)
	return &c
}

// WithDetail returns a copy carrying one more detail.
func (e *Error) WithDetail(key string, value any) *Error {
	c := *e
	c.Details = make(map[string]any, len(e.Details)+1)
	for k, v := range e.Details {
		c.Details[k] = v
	}
	c.Details[key] = value
	return &c
}

// Invalid is a 400 about one input field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_field", Field: field, Message: field + ": " + fmt.Sprintf(format, args...)}
}

// Common errors.
var (
	ErrNotFound         = New(http.StatusNotFound, "not_found", "no such resource")
	ErrUnauthorized     = New(http.StatusUnauthorized, "unauthorized", "a valid access token is required")
	ErrForbidden        = New(http.StatusForbidden, "forbidden", "your role may not do this")
	ErrConflict         = New(http.StatusConflict, "conflict", "the request conflicts with the current state")
	ErrTooManyAttempts  = New(http.StatusTooManyRequests, "too_many_attempts", "too many failed attempts; try again later")
	ErrUnprocessable    = New(http.StatusUnprocessableEntity, "unprocessable", "the request breaks a business rule")
	ErrInvalidJSON      = New(http.StatusBadRequest, "invalid_json", "the body is not valid JSON")
	ErrUnsupportedMedia = New(http.StatusUnsupportedMediaType, "unsupported_media_type", "send application/json")
	ErrTooLarge         = New(http.StatusRequestEntityTooLarge, "body_too_large", "the request body is too large")
)

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Package apperr defines the typed errors that xinfang returns to its
// callers. Each error has a Code, which the GraphQL layer puts in
// `extensions.code`, and a message key, which it renders in the caller's
// language. Domain packages return these errors; they never format
// user-facing text themselves.
package apperr

import (
	"errors"
	"fmt"
	"strings"

	"github.com/xinfang/xinfang/internal/i18n"
)

// Code classifies an error for API clients. The values match the GraphQL
// enum ErrorCode.
type Code string

// The error codes.
const (
	Validation        Code = "VALIDATION"
	Unauthenticated   Code = "UNAUTHENTICATED"
	Forbidden         Code = "FORBIDDEN"
	NotFound          Code = "NOT_FOUND"
	InvalidTransition Code = "INVALID_TRANSITION"
	Conflict          Code = "CONFLICT"
	RateLimited       Code = "RATE_LIMITED"
	LimitExceeded     Code = "LIMIT_EXCEEDED"
	Internal          Code = "INTERNAL"
	// Unavailable: a service the request needs is not configured on this
	// server (e.g. the analytics warehouse).
	Unavailable Code = "UNAVAILABLE"
)

// Error is an error meant for the caller.
type Error struct {
	Code Code
	// Key names the message in the catalog (messages.go).
	Key string
	// Params fill the {name} placeholders of the message.
	Params map[string]any
	// Extensions are extra machine-readable facts (field, status, ...)
	// copied into the GraphQL error's extensions.
	Extensions map[string]any
	// Err is the underlying cause, kept for logs; it is never shown.
	Err error
}

// New returns an error with a code and a message key.
func New(code Code, key string) *Error {
	return &Error{Code: code, Key: key}
}

// With adds a message parameter and returns the error.
func (e *Error) With(name string, value any) *Error {
	if e.Params == nil {
		e.Params = map[string]any{}
	}
	e.Params[name] = value
	return e
}

// Extend adds a machine-readable extension and returns the error.
func (e *Error) Extend(name string, value any) *Error {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions[name] = value
	return e
}

// Wrap records the underlying cause and returns the error.
func (e *Error) Wrap(err error) *Error {
	e.Err = err
	return e
}

// Error renders the message in English, for logs.
func (e *Error) Error() string {
	msg := e.Message(i18n.English)
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches errors of the same code and key, so that callers can test
// with errors.Is(err, apperr.New(apperr.Conflict, "case.stale")).
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return e.Code == t.Code && (t.Key == "" || e.Key == t.Key)
}

// Message renders the message in the given locale.
func (e *Error) Message(loc i18n.Locale) string {
	tmpl, ok := catalog[e.Key]
	if !ok {
		return e.Key
	}
	text := tmpl.en
	if loc == i18n.Chinese {
		text = tmpl.zh
	}
	for name, value := range e.Params {
		text = strings.ReplaceAll(text, "{"+name+"}", fmt.Sprint(value))
	}
	return text
}

// CodeOf returns the code of err, or Internal when err is not an *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Field returns a VALIDATION error about one input field.
func Field(field, key string) *Error {
	return New(Validation, key).Extend("field", field).With("field", field)
}

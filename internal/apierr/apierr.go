// Package apierr holds the one error type that carries an AWS error code,
// message and HTTP status from the domain to the wire.
package apierr

import (
	"errors"
	"fmt"
	"net/http"
	"unicode/utf8"
)

// Error is an error a client sees: an EC2 error code such as
// "InvalidVpcID.NotFound", the message AWS would send with it and the HTTP
// status. Err, when set, is internal detail that is logged but never sent.
type Error struct {
	Code    string
	Message string
	// Status is the HTTP status; zero means 400.
	Status int
	Err    error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// HTTPStatus reports the status to answer with.
func (e *Error) HTTPStatus() int {
	if e.Status == 0 {
		return http.StatusBadRequest
	}
	return e.Status
}

// New returns a client error (HTTP 400) with the given code and formatted message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// As reports whether err is or wraps an *Error and returns it.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// HasCode reports whether err is an *Error with the given code.
func HasCode(err error, code string) bool {
	e, ok := As(err)
	return ok && e.Code == code
}

// Common errors shared by every action.
var (
	// ErrDryRun answers a request with DryRun=true that would have succeeded.
	ErrDryRun = &Error{Code: "DryRunOperation", Message: "Request would have succeeded, but DryRun flag is set.", Status: http.StatusPreconditionFailed}
)

// Missing reports a required parameter that the request lacks.
func Missing(name string) *Error {
	return New("MissingParameter", "The request must contain the parameter %s", name)
}

// InvalidValue reports a parameter whose value AWS would refuse.
func InvalidValue(format string, args ...any) *Error {
	return New("InvalidParameterValue", format, args...)
}

// Clip shortens a client's value for an error message, so that a huge
// parameter is not echoed back whole: at most 64 bytes, cut between
// characters.
func Clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	n := max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

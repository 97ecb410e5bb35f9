package cloud

import (
	"errors"
	"net/http"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/store"
)

func invalidValue(format string, args ...any) error { return apierr.InvalidValue(format, args...) }

func invalidParameter(format string, args ...any) error {
	return apierr.New("InvalidParameter", format, args...)
}

func dependencyViolation(noun, id string) error {
	return apierr.New("DependencyViolation", "The %s '%s' has dependencies and cannot be deleted.", noun, id)
}

func notFound(code, noun, id string) func() error {
	return func() error { return apierr.New(code, "The %s ID '%s' does not exist", noun, id) }
}

// internal turns a failure of the state into the error a client sees:
// ServiceUnavailable saying why when the state's disk is full or
// read-only (nothing was written, and retrying later may succeed), else
// InternalError.
func internal(err error) error {
	switch {
	case errors.Is(err, store.ErrDiskFull):
		return &apierr.Error{Code: "ServiceUnavailable", Message: "The server's state disk is full; nothing was written.", Status: http.StatusServiceUnavailable, Err: err}
	case errors.Is(err, store.ErrReadOnly):
		return &apierr.Error{Code: "ServiceUnavailable", Message: "The server's state directory is read-only; nothing was written.", Status: http.StatusServiceUnavailable, Err: err}
	}
	return &apierr.Error{Code: "InternalError", Message: "An internal error has occurred", Status: http.StatusInternalServerError, Err: err}
}

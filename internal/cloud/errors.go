package cloud

import (
	"net/http"

	"github.com/vpce/vpce/internal/apierr"
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

func internal(err error) error {
	return &apierr.Error{Code: "InternalError", Message: "An internal error has occurred", Status: http.StatusInternalServerError, Err: err}
}

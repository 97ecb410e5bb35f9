// Package exitcode carries a command's exit status out of cobra.
package exitcode

// Error ends a command with Code. Err, when set, is printed; a nil Err
// means the command already said what it had to.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error that exits with code, printing err when not nil.
func New(code int, err error) *Error { return &Error{Code: code, Err: err} }

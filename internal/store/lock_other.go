//go:build !unix

package store

import (
	"errors"
	"os"
	"path/filepath"
)

// ErrLocked is returned when another process holds the state directory.
var ErrLocked = errors.New("the state directory is in use by another vpce")

// lockDir opens the lock file; on this platform the lock is not enforced.
func lockDir(dir string) (*os.File, error) {
	return os.OpenFile(filepath.Join(dir, "vpce.lock"), os.O_RDWR|os.O_CREATE, 0o600)
}

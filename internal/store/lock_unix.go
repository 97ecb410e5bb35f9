//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ErrLocked is returned when another process holds the state directory.
var ErrLocked = errors.New("the state directory is in use by another vpce")

// lockDir takes an exclusive lock on dir (a file vpce.lock in it, with
// flock, which the kernel releases when the process dies, kill -9
// included) and writes the holder's PID into it.
func lockDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, "vpce.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock state directory: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b, _ := os.ReadFile(path)
		f.Close()
		holder := strings.TrimSpace(string(b))
		if holder == "" {
			holder = "unknown"
		}
		return nil, fmt.Errorf("%w: %s is held by process %s; stop it, or give another --state (a PostgreSQL store is the way to share state)", ErrLocked, dir, holder)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return f, nil
}

package store

import (
	"os"
	"syscall"
)

// datasync makes a file's data (and its size) durable: fdatasync, which
// skips the metadata a read does not need (times).
func datasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}

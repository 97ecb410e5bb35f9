package store

import (
	"os"
	"syscall"
)

// datasync makes a file's data (and its size) durable: fdatasync, which
// skips the metadata a read does not need (times). Where Linux AIO can
// take it (aio_linux.go), the kernel runs it on its own worker while the caller
// waits parked; otherwise the caller's thread makes the system call.
func datasync(f *os.File) error {
	if aioSync != nil {
		if err, ok := aioSync(f); ok {
			return err
		}
	}
	return fdatasync(f)
}

// fdatasync is the fdatasync system call, retried when interrupted.
func fdatasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}

// aioSync, when set, syncs f through Linux AIO; ok false means it could
// not and fdatasync must.
var aioSync func(f *os.File) (err error, ok bool)

package floor

import (
	"os"
	"syscall"
)

// datasync flushes f's data to the disk (fdatasync, as vpce's log).
func datasync(f *os.File) error {
	for {
		if err := syscall.Fdatasync(int(f.Fd())); err != syscall.EINTR {
			return err
		}
	}
}

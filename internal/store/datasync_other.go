//go:build !linux

package store

import "os"

// datasync makes a file's data durable (fsync where fdatasync is not
// available).
func datasync(f *os.File) error { return f.Sync() }

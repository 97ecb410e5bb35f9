//go:build !linux

package sysconn

import "net"

// Fast returns c: raw system calls are used on Linux only.
func Fast(c net.Conn) net.Conn { return c }

//go:build !linux

package dataplane

import "net"

// fastConn returns c: raw system calls are used on Linux only.
func fastConn(c net.Conn) net.Conn { return c }

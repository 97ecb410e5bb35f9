//go:build !linux

package main

import "errors"

func serveLoop(listen, upstream string) error {
	return errors.New("-mode loop needs Linux's epoll")
}

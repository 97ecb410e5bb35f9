//go:build linux

package sysconn

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// TestSysConn moves more than a socket buffer holds both ways through
// raw-syscall connections (partial writes and would-block waits),
// and checks deadlines, half-close and end of stream behave as on
// net.Conn.
func TestSysConn(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- Fast(c)
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	client := Fast(raw)
	server := <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	defer client.Close()
	defer server.Close()
	if _, ok := client.(*conn); !ok {
		t.Fatalf("Fast gave %T for a TCP connection", client)
	}

	// A read with nothing to read times out as net.Conn does.
	server.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := server.Read(make([]byte, 10)); !isTimeout(err) {
		t.Fatalf("read past its deadline: %v, want a timeout", err)
	}
	server.SetReadDeadline(time.Time{})

	// 8 MiB each way at once: writes fill the socket buffers and wait.
	payload := make([]byte, 8<<20)
	rand.Read(payload)
	echoed := make(chan error, 1)
	go func() {
		got, err := io.ReadAll(server)
		if err == nil && !bytes.Equal(got, payload) {
			err = errors.New("server received different bytes")
		}
		if err == nil {
			_, err = server.Write(got)
		}
		if err == nil {
			err = server.(interface{ CloseWrite() error }).CloseWrite()
		}
		echoed <- err
	}()
	if n, err := client.Write(payload); err != nil || n != len(payload) {
		t.Fatalf("write: %d, %v", n, err)
	}
	if err := client.(interface{ CloseWrite() error }).CloseWrite(); err != nil { // the server's ReadAll ends
		t.Fatal(err)
	}
	back, err := io.ReadAll(client)
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	if err := <-echoed; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back, payload) {
		t.Fatalf("got %d bytes back, different from the %d sent", len(back), len(payload))
	}
	if n, err := client.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("read after the end: %d, %v; want 0, EOF", n, err)
	}

	// Writes on a closed connection fail, never block.
	client.Close()
	if _, err := client.Write([]byte("x")); err == nil {
		t.Fatal("write on a closed connection succeeded")
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

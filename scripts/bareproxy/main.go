// Command bareproxy is the floor of the data-plane benchmark
// (scripts/bench-dataplane.sh): an HTTP/1.1 forwarder that does the least
// any proxy must — read a request head, write it to its upstream, read the
// answer's head and Content-Length body, write them back — and nothing
// else: no path, no policy, no metering, no limits, no header rewriting.
// What it reaches on a machine is what a Go proxy can reach there at all,
// in the goroutine-per-connection model (-mode goroutine, the model of
// vpce's data plane) or in a single-threaded epoll loop (-mode loop, the
// model of haproxy's threads).
//
// It serves bodiless requests (GET, HEAD-free benchmarks) and answers
// framed by Content-Length; it is a measuring stick, not a proxy.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"io"
	"log"
	"net"
	"strconv"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:9300", "address to serve on")
	upstream := flag.String("upstream", "127.0.0.1:9100", "the server to forward to")
	mode := flag.String("mode", "goroutine", "goroutine (one per connection) or loop (one epoll thread)")
	flag.Parse()
	var err error
	switch *mode {
	case "goroutine":
		err = serveGoroutines(*listen, *upstream)
	case "loop":
		err = serveLoop(*listen, *upstream)
	default:
		log.Fatalf("-mode %q: want goroutine or loop", *mode)
	}
	log.Fatal(err)
}

// serveGoroutines forwards each client connection in its own goroutine
// over its own upstream connection.
func serveGoroutines(listen, upstream string) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer c.Close()
			u, err := net.Dial("tcp", upstream)
			if err != nil {
				log.Print(err)
				return
			}
			defer u.Close()
			forward(bufio.NewReaderSize(c, 4096), c, bufio.NewReaderSize(u, 8192), u)
		}()
	}
}

// forward relays requests from cr to u and answers from ur to c until
// either side closes or sends what it does not handle.
func forward(cr *bufio.Reader, c io.Writer, ur *bufio.Reader, u io.Writer) {
	var out []byte
	for {
		out = out[:0]
		var err error
		if out, _, err = readHead(cr, out); err != nil {
			return
		}
		if _, err := u.Write(out); err != nil {
			return
		}
		var n int
		if out, n, err = readHead(ur, out[:0]); err != nil {
			return
		}
		head := len(out)
		out = append(out, make([]byte, n)...)
		if _, err := io.ReadFull(ur, out[head:]); err != nil {
			return
		}
		if _, err := c.Write(out); err != nil {
			return
		}
	}
}

var contentLength = []byte("content-length:")

// readHead appends a message head from r to out and returns its
// Content-Length (0 when none).
func readHead(r *bufio.Reader, out []byte) ([]byte, int, error) {
	n := 0
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return out, 0, err
		}
		out = append(out, line...)
		if len(line) <= 2 {
			return out, n, nil
		}
		if len(line) > len(contentLength) && bytes.EqualFold(line[:len(contentLength)], contentLength) {
			if n, err = strconv.Atoi(string(bytes.TrimSpace(line[len(contentLength):]))); err != nil {
				return out, 0, err
			}
		}
	}
}

package server

import (
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestIdleConnectionsMakeRoom: with every slot held by idle keep-alives, a
// new client is served (an idle connection is closed for it) instead of
// waiting for the idle timeout.
func TestIdleConnectionsMakeRoom(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lim := newConnLimit(ln, 2)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }),
		IdleTimeout: time.Hour, ConnState: lim.ConnState}
	go srv.Serve(lim)
	t.Cleanup(func() { srv.Close() })
	get := func() error {
		c := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second} // its own connection, kept alive
		resp, err := c.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			return err
		}
		io.ReadAll(resp.Body)
		return resp.Body.Close()
	}
	for i := range 2 { // fill every slot with an idle keep-alive
		if err := get(); err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
	}
	for i := range 3 {
		if err := get(); err != nil {
			t.Fatalf("a new client while idle keep-alives hold every slot (%d): %v", i, err)
		}
	}
}

package dataplane

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// echoUpgrade is an upstream that switches protocols on request and then
// answers every byte upper-cased, as a WebSocket server (Session
// Manager's data channel) keeps a connection after its handshake.
func echoUpgrade(t *testing.T, reached *int) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*reached++
		if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") || !strings.Contains(strings.ToLower(r.Header.Get("Connection")), "upgrade") {
			http.Error(w, "not an upgrade", http.StatusBadRequest)
			return
		}
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		io.WriteString(rw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n")
		rw.Flush()
		buf := make([]byte, 1024)
		for {
			n, err := rw.Read(buf)
			if n > 0 {
				rw.Write(bytes.ToUpper(buf[:n]))
				rw.Flush()
			}
			if err != nil {
				return
			}
		}
	}))
}

// TestProtocolUpgrade: a WebSocket handshake through the data plane (in a
// TLS tunnel) is decided as any request — an allowed key goes to the
// upstream, which switches protocols, and bytes then flow both ways until
// the client closes; a denied key is refused before the upstream hears
// of it. The switched bytes are metered.
func TestProtocolUpgrade(t *testing.T) {
	r := newRig(t)
	reached := 0
	up := echoUpgrade(t, &reached)
	defer up.Close()
	u, _ := url.Parse(up.URL)
	r.p = New(Config{Cloud: r.c, CA: r.ca, Upstreams: map[string]*url.URL{"s3": u}})
	r.proxy = startProxy(t, r.p)

	host := "reports.s3.us-east-1.amazonaws.com"
	open := func(key string) (*tls.Conn, *bufio.Reader, *http.Response) {
		t.Helper()
		conn, err := net.DialTimeout("tcp", r.proxy.Listener.Addr().String(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		auth := base64.StdEncoding.EncodeToString([]byte(r.inst + ":x"))
		fmt.Fprintf(conn, "CONNECT %s:443 HTTP/1.1\r\nHost: %s:443\r\nProxy-Authorization: Basic %s\r\n\r\n", host, host, auth)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("CONNECT: %v %v", resp, err)
		}
		pool := x509.NewCertPool()
		pem, _ := os.ReadFile(r.ca.CertFile)
		pool.AppendCertsFromPEM(pem)
		tc := tls.Client(conn, &tls.Config{ServerName: host, RootCAs: pool})
		fmt.Fprintf(tc, "GET /%s HTTP/1.1\r\nHost: %s\r\nAuthorization: AWS4-HMAC-SHA256 Credential=123456789012/20261202/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00\r\n"+
			"Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", key, host)
		br := bufio.NewReader(tc)
		resp, err = http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		return tc, br, resp
	}

	tc, br, resp := open("public/channel")
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Upgrade") != "websocket" || resp.Header.Get("Sec-Websocket-Accept") != "x" {
		t.Fatalf("handshake: %d %v", resp.StatusCode, resp.Header)
	}
	for _, msg := range []string{"hello", "session data"} {
		io.WriteString(tc, msg)
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(br, got); err != nil || string(got) != strings.ToUpper(msg) {
			t.Fatalf("echo of %q: %q %v", msg, got, err)
		}
	}
	tc.CloseWrite()
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Fatalf("after closing: %q %v", rest, err)
	}
	tc.Close()

	before := reached
	_, _, resp = open("secret.txt") // the endpoint policy allows public/* only
	if resp.StatusCode != http.StatusForbidden || reached != before {
		t.Fatalf("denied key: %d, upstream reached %d times", resp.StatusCode, reached-before)
	}

	// The switched connection's bytes count for the endpoint once the
	// proxy has seen both sides close (it may not have yet when the
	// client's ReadAll returns).
	var in, out int64
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, u := range r.p.cfg.Meter.Report(sc.Account) {
			if u.Component == r.s3ep && u.Service == "s3" {
				in, out = u.BytesIn, u.BytesOut
			}
		}
		if in > 0 {
			break
		}
	}
	if in < int64(len("hellosession data")) || out < int64(len("HELLOSESSION DATA")) {
		t.Errorf("metered in %d, out %d: %+v", in, out, r.p.cfg.Meter.Report(sc.Account))
	}
}

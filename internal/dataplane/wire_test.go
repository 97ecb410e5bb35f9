package dataplane

import (
	"bufio"
	"bytes"
	"io"
	"maps"
	"net/http"
	"net/textproto"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// wireCases are upstream answers, well and badly framed.
var wireCases = []string{
	"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Amz-Request-Id: 1\r\n\r\nhello",
	"HTTP/1.1 200 OK\r\ncontent-length: 5\r\nx-amz-META-a: b\r\nX-Amz-Meta-A: c\r\n\r\nhelloNEXT",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 99\r\n\r\n5\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\nNEXT",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
	"HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nContent-Length: +3\r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\nabc",
	"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
	"HTTP/1.1 200 OK\r\n\r\nuntil the end",
	"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nNEXT!",
	"HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
	"HTTP/1.1 100 Continue\r\n\r\n",
	"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
	"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok",
	"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
	"HTTP/1.1 200 OK\r\nConnection: Keep-Alive, CLOSE\r\nContent-Length: 2\r\n\r\nok",
	"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1  200  spaced\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 20 OK\r\n\r\n",
	"HTTP/1.1 2000 OK\r\n\r\n",
	"HTTP/1.1 -20 OK\r\n\r\n",
	"HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n",
	"HTTP/0.9 200 OK\r\n\r\nbody",
	"HTTX/1.1 200 OK\r\n\r\n",
	"HTTP/1.1\r\n\r\n",
	"\r\nHTTP/1.1 200 OK\r\n\r\n",
	"HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
	"HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nName : x\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 OK\r\n: empty name\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nNo-Colon\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nX-Ctl: a\x01b\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nX-Tab: \ta\tb \t\r\nX-Empty:\r\nX-Spaces:   \r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nX-Utf8: caf\xc3\xa9\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nX-Fold: a\r\n b\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 OK\r\n Leading: space\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n",
	"HTTP/1.1 200 OK",
	"",
}

// TestReadResponseMatchesNetHTTP reads each answer with readResponse and
// with net/http's ReadResponse: the same status, header fields, framing,
// body and connection reuse; answers net/http refuses are refused too,
// and the only answers refused beyond net/http's are obsolete line
// folding (RFC 9112 5.2 lets a client refuse it), white space in a
// header name (5.1) and a status code of other than three digits
// (net/http takes "+00").
func TestReadResponseMatchesNetHTTP(t *testing.T) {
	for _, raw := range wireCases {
		for _, method := range []string{"GET", "HEAD"} {
			compareResponse(t, raw, method)
		}
	}
}

func FuzzReadResponse(f *testing.F) {
	for _, raw := range wireCases {
		f.Add(raw, false)
	}
	f.Fuzz(func(t *testing.T, raw string, head bool) {
		method := "GET"
		if head {
			method = "HEAD"
		}
		compareResponse(t, raw, method)
	})
}

func compareResponse(t *testing.T, raw, method string) {
	t.Helper()
	want, wantBody, wantErr := netHTTPResponse(raw, method)
	var got inResponse
	br := bufio.NewReader(strings.NewReader(raw))
	err := readResponse(br, method, &got)
	var gotBody []byte
	if err == nil {
		gotBody, err = io.ReadAll(&got.body)
	}
	if wantErr != nil {
		if err == nil {
			t.Fatalf("%s %q: net/http refuses (%v), readResponse accepts", method, raw, wantErr)
		}
		return
	}
	if err != nil {
		if strings.Contains(err.Error(), "obsolete line folding") || strings.Contains(err.Error(), "white space in header name") ||
			strings.Contains(err.Error(), "malformed HTTP status code") && want.StatusCode < 100 {
			return
		}
		t.Fatalf("%s %q: net/http accepts, readResponse refuses: %v", method, raw, err)
	}
	wh := maps.Clone(want.Header)
	if got.status != want.StatusCode || got.major != want.ProtoMajor || got.minor != want.ProtoMinor {
		t.Fatalf("%s %q: status %d HTTP/%d.%d, want %d HTTP/%d.%d", method, raw, got.status, got.major, got.minor, want.StatusCode, want.ProtoMajor, want.ProtoMinor)
	}
	if !reflect.DeepEqual(got.header, wh) && !(len(got.header) == 0 && len(wh) == 0) {
		t.Fatalf("%s %q: header %q, want %q", method, raw, got.header, wh)
	}
	if !bytes.Equal(gotBody, wantBody) {
		t.Fatalf("%s %q: body %q, want %q", method, raw, gotBody, wantBody)
	}
	// A connection is reused when the body ended cleanly and nothing
	// says close: net/http's rule is resp.Close.
	if got.close != want.Close {
		t.Fatalf("%s %q: close %v, want %v", method, raw, got.close, want.Close)
	}
	if !got.close && !got.body.done {
		t.Fatalf("%s %q: a kept connection's body not read to its end", method, raw)
	}
	rest, _ := io.ReadAll(br)
	if !got.close && !strings.HasSuffix(raw, string(rest)) {
		t.Fatalf("%s %q: left %q", method, raw, rest)
	}
}

// netHTTPResponse reads raw as net/http does, the body included.
func netHTTPResponse(raw, method string) (*http.Response, []byte, error) {
	br := bufio.NewReader(strings.NewReader(raw))
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	return resp, body, nil
}

// TestWriteRequestMatchesNetHTTP writes requests with writeRequest and
// with net/http's Request.Write (hop-by-hop fields removed, as a proxy
// must): read back, both carry the same request line, Host, fields and
// body.
func TestWriteRequestMatchesNetHTTP(t *testing.T) {
	type tc struct {
		method, uri string
		header      http.Header
		body        string
		length      int64
		upgrade     bool
	}
	cases := []tc{
		{method: "GET", uri: "/reports/k?versionId=1", header: http.Header{"Authorization": {"AWS4-HMAC-SHA256 x"}, "X-Amz-Date": {"20261203T000000Z"}}},
		{method: "PUT", uri: "/reports/k", header: http.Header{"Content-Type": {"text/plain"}}, body: "hello", length: 5},
		{method: "PUT", uri: "/reports/empty", header: http.Header{}},
		{method: "POST", uri: "/", header: http.Header{"X-Amz-Target": {"AmazonSSM.GetParameter"}}},
		{method: "DELETE", uri: "/reports/k", header: http.Header{}},
		{method: "POST", uri: "/", header: http.Header{"Content-Encoding": {"aws-chunked"}}, body: strings.Repeat("z", 70000), length: -1},
		{method: "GET", uri: "/", header: http.Header{
			"Connection": {"keep-alive, X-Secret"}, "X-Secret": {"s"}, "Proxy-Authorization": {"Basic eA=="},
			"Keep-Alive": {"300"}, "Te": {"trailers"}, "Trailer": {"X"}, "Transfer-Encoding": {"chunked"}, "Upgrade": {"h2c"},
			"Expect": {"100-continue"}, "Proxy-Connection": {"keep-alive"}, "Host": {"other"}, "Content-Length": {"9"},
			"X-Multi": {"a", "b"}, "User-Agent": {""}}},
		{method: "GET", uri: "/", header: http.Header{"User-Agent": {"aws-cli/2.9.19"}, "X-Newline": {"a\r\nb"}, "X-Space": {"  v  "}}},
		{method: "GET", uri: "/ws", header: http.Header{"Connection": {"Upgrade"}, "Upgrade": {"websocket"}, "Sec-Websocket-Key": {"k"}}, upgrade: true},
	}
	for _, c := range cases {
		var got bytes.Buffer
		bw := bufio.NewWriter(&got)
		out := &outRequest{method: c.method, uri: c.uri, host: "127.0.0.1:9100", header: c.header, length: c.length, upgrade: c.upgrade}
		if c.length != 0 {
			out.body = strings.NewReader(c.body)
		}
		if err := writeRequest(bw, out); err != nil {
			t.Fatal(err)
		}
		bw.Flush()

		u, _ := url.ParseRequestURI(c.uri)
		h := maps.Clone(c.header)
		for _, v := range h["Connection"] {
			for f := range strings.SplitSeq(v, ",") {
				h.Del(textproto.TrimString(f))
			}
		}
		for k := range h {
			if hopSet(k) {
				delete(h, k)
			}
		}
		if c.upgrade {
			h["Connection"], h["Upgrade"] = []string{"Upgrade"}, c.header["Upgrade"]
		}
		if _, ok := h["User-Agent"]; !ok {
			h["User-Agent"] = []string{""}
		}
		ref := &http.Request{Method: c.method, URL: &url.URL{Scheme: "http", Host: "127.0.0.1:9100", Path: u.Path, RawQuery: u.RawQuery},
			ProtoMajor: 1, ProtoMinor: 1, Header: h, Host: "127.0.0.1:9100", ContentLength: c.length}
		if c.length != 0 {
			ref.Body = io.NopCloser(strings.NewReader(c.body))
		}
		var want bytes.Buffer
		if err := ref.Write(&want); err != nil {
			t.Fatal(err)
		}

		g, gb := readBack(t, got.String())
		w, wb := readBack(t, want.String())
		if g.Method != w.Method || g.RequestURI != w.RequestURI || g.Host != w.Host || g.ContentLength != w.ContentLength ||
			!reflect.DeepEqual(g.TransferEncoding, w.TransferEncoding) || !reflect.DeepEqual(g.Header, w.Header) || gb != wb {
			t.Errorf("%s %s:\n got %q\nwant %q", c.method, c.uri, got.String(), want.String())
		}
	}
}

func readBack(t *testing.T, raw string) (*http.Request, string) {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	return r, string(b)
}

// TestWriteRequestShortBody: a body shorter than its Content-Length is an
// error (the connection cannot be reused), as net/http reports it.
func TestWriteRequestShortBody(t *testing.T) {
	bw := bufio.NewWriter(io.Discard)
	err := writeRequest(bw, &outRequest{method: "PUT", uri: "/b/k", host: "h", header: http.Header{}, body: strings.NewReader("abc"), length: 5})
	if err == nil || !strings.Contains(err.Error(), "ContentLength=5 with Body length 3") {
		t.Fatalf("err = %v", err)
	}
	if err := writeRequest(bw, &outRequest{method: "GET", uri: "/", host: "bad host", header: http.Header{}}); err == nil {
		t.Fatal("an invalid Host was written")
	}
}

// benchAnswer is an S3 GetObject answer's head (1 KiB body).
const benchAnswer = "HTTP/1.1 200 OK\r\nAccept-Ranges: bytes\r\nContent-Length: 1024\r\nContent-Type: application/octet-stream\r\n" +
	"Etag: \"7265f4d211b56873a381d321f586e4a9\"\r\nLast-Modified: Thu, 03 Dec 2026 00:19:39 GMT\r\nServer: AmazonS3\r\n" +
	"X-Amz-Id-2: MDAwMDAwMDAwMDBFRDUwNjAwMDAwMDAwMDAwRUQ1MDYwMDAwMDAwMDAwMEVENTA2MDAwMDAwMDAwMDBFRDUwNg==\r\n" +
	"X-Amz-Request-Id: 00000000000ED506\r\nDate: Thu, 03 Dec 2026 00:22:22 GMT\r\n\r\n"

// BenchmarkReadResponse reads an S3 answer's head with the data plane's
// reader and with net/http's.
func BenchmarkReadResponse(b *testing.B) {
	sr := strings.NewReader(benchAnswer)
	br := bufio.NewReader(sr)
	b.Run("wire", func(b *testing.B) {
		b.ReportAllocs()
		var resp inResponse
		for b.Loop() {
			sr.Reset(benchAnswer)
			br.Reset(sr)
			br.Peek(1) // as exchange waits for the answer
			if err := readResponse(br, "GET", &resp); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("net-http", func(b *testing.B) {
		b.ReportAllocs()
		req := &http.Request{Method: "GET"}
		for b.Loop() {
			sr.Reset(benchAnswer)
			br.Reset(sr)
			br.Peek(1)
			if _, err := http.ReadResponse(br, req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// requestCases are client requests, plain and odd: the odd ones are left
// to net/http's reader.
var requestCases = []string{
	"GET http://s3.us-east-1.amazonaws.com/reports/k HTTP/1.1\r\nHost: s3.us-east-1.amazonaws.com\r\nAuthorization: AWS4-HMAC-SHA256 x\r\nProxy-Authorization: Basic eA==\r\n\r\n",
	"GET /reports/k?list-type=2&prefix=a%2Fb HTTP/1.1\r\nhost: bucket.s3.amazonaws.com\r\nx-amz-DATE: 1\r\nX-Multi: a\r\nx-multi: b\r\n\r\nNEXT",
	"PUT /b/k HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhelloNEXT",
	"PUT /b/k HTTP/1.1\r\nHost: h\r\nContent-Length: 05\r\n\r\nhello",
	"PUT /b/k HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
	"PUT /b/k HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
	"PUT /b/k HTTP/1.1\r\nHost: h\r\nContent-Length: -5\r\n\r\nhello",
	"PUT /b/k HTTP/1.1\r\nHost: h\r\nContent-Length: \r\n\r\n",
	"PUT /b/k HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nshort",
	"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nPragma: no-cache\r\n\r\n",
	"GET / HTTP/1.1\r\n\r\n",
	"GET / HTTP/1.0\r\n\r\n",
	"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
	"GET / HTTP/1.1\r\nConnection: Close\r\nHost: h\r\n\r\n",
	"GET / HTTP/1.1\r\nConnection: x, close\r\nHost: h\r\n\r\n",
	"CONNECT s3.amazonaws.com:443 HTTP/1.1\r\nHost: s3.amazonaws.com:443\r\n\r\n",
	"CONNECT /path HTTP/1.1\r\nHost: h\r\n\r\n",
	"CONNECT 10.0.1.5:443 HTTP/1.1\r\n\r\n",
	"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET http://h:8080 HTTP/1.1\r\nHost: other\r\n\r\n",
	"GET http://[::1]:80/x HTTP/1.1\r\n\r\n",
	"GET relative HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET /a b HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET  / HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET / HTTP/1.1 \r\nHost: h\r\n\r\n",
	"GET / HTTP/2.0\r\nHost: h\r\n\r\n",
	"GET / http/1.1\r\nHost: h\r\n\r\n",
	"GET / HTTP/1.2\r\nHost: h\r\n\r\n",
	"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
	"G@T / HTTP/1.1\r\nHost: h\r\n\r\n",
	"\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET / HTTP/1.1\nHost: h\nX: y\n\n",
	"GET / HTTP/1.1\r\nHost: h\r\nX-Fold: a\r\n b\r\n\r\n",
	"GET / HTTP/1.1\r\n Host: h\r\n\r\n",
	"GET / HTTP/1.1\r\nHost : h\r\n\r\n",
	"GET / HTTP/1.1\r\nX Y: h\r\n\r\n",
	"GET / HTTP/1.1\r\n: h\r\n\r\n",
	"GET / HTTP/1.1\r\nNoColon\r\n\r\n",
	"GET / HTTP/1.1\r\nX-Ctl: a\x00b\r\n\r\n",
	"GET / HTTP/1.1\r\nX-Del: a\x7fb\r\n\r\n",
	"GET / HTTP/1.1\r\nX-CR: a\rb\r\n\r\n",
	"GET / HTTP/1.1\r\nX-Tab: \t a \t\r\nX-Empty:\r\nX-UTF8: caf\xc3\xa9\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: bad host\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\n\r",
	"",
}

// FuzzReadRequest: every request readRequest reads itself is read by
// net/http's ReadRequest to the same method, target, version, fields,
// Host, framing and body, leaving the same bytes behind; one it leaves to
// net/http is left unread and unchanged.
func FuzzReadRequest(f *testing.F) {
	for _, raw := range requestCases {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw string) { compareRequest(t, raw) })
}

func TestReadRequestMatchesNetHTTP(t *testing.T) {
	fast := 0
	for _, raw := range requestCases {
		if compareRequest(t, raw) {
			fast++
		}
	}
	if fast < 15 {
		t.Errorf("only %d of %d requests read by the fast path", fast, len(requestCases))
	}
}

func compareRequest(t *testing.T, raw string) (fast bool) {
	t.Helper()
	br := bufio.NewReaderSize(strings.NewReader(raw), 8<<10)
	br.Peek(1)
	before, _ := br.Peek(br.Buffered())
	before = bytes.Clone(before)
	base := (&http.Request{}).WithContext(t.Context())
	got, ok := readRequest(br, base)
	if !ok {
		after, _ := br.Peek(br.Buffered())
		if !bytes.Equal(before, after) {
			t.Fatalf("%q: left to net/http changed: %q", raw, after)
		}
		return false
	}
	wbr := bufio.NewReader(strings.NewReader(raw))
	want, err := http.ReadRequest(wbr)
	if err != nil {
		t.Fatalf("%q: read by the fast path, refused by net/http: %v", raw, err)
	}
	if got.Context() != base.Context() {
		t.Fatalf("%q: the connection's context was lost", raw)
	}
	if got.Method != want.Method || got.RequestURI != want.RequestURI || got.URL.String() != want.URL.String() ||
		got.Proto != want.Proto || got.ProtoMajor != want.ProtoMajor || got.ProtoMinor != want.ProtoMinor ||
		got.Host != want.Host || got.Close != want.Close || got.ContentLength != want.ContentLength ||
		!reflect.DeepEqual(got.TransferEncoding, want.TransferEncoding) || !reflect.DeepEqual(got.Header, want.Header) {
		t.Fatalf("%q:\n got %s %q %s host %q close %v len %d %q\nwant %s %q %s host %q close %v len %d %q", raw,
			got.Method, got.URL, got.Proto, got.Host, got.Close, got.ContentLength, got.Header,
			want.Method, want.URL, want.Proto, want.Host, want.Close, want.ContentLength, want.Header)
	}
	gb, gerr := io.ReadAll(got.Body)
	wb, werr := io.ReadAll(want.Body)
	if !bytes.Equal(gb, wb) || (gerr == nil) != (werr == nil) {
		t.Fatalf("%q: body %q (%v), want %q (%v)", raw, gb, gerr, wb, werr)
	}
	if werr == nil {
		grest, _ := io.ReadAll(br)
		wrest, _ := io.ReadAll(wbr)
		if !bytes.Equal(grest, wrest) {
			t.Fatalf("%q: left %q, want %q", raw, grest, wrest)
		}
	}
	return true
}

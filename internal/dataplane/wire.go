package dataplane

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// The data plane's HTTP/1.1 wire format towards upstreams: a request
// written from the client's request without cloning it, and a response
// head read into a map the connection keeps, with its strings cut from
// one copy of the head. The framing rules are net/http's (Request.Write,
// ReadResponse), which wire_test.go checks input by input; where this
// reader is stricter (obsolete line folding, a head over maxRespHead) the
// upstream's answer is refused.

// maxRespHead bounds an upstream response's head.
const maxRespHead = 64 << 10

// errBadResponse is an upstream answer this reader does not accept.
var errBadResponse = errors.New("malformed HTTP response")

// outRequest is a request as it goes to an upstream.
type outRequest struct {
	method, uri, host string
	header            http.Header // the client's; hop-by-hop fields are left out as it is written
	body              io.Reader   // nil: none
	length            int64       // body length; -1: unknown (sent chunked)
	upgrade           bool        // the handshake's Connection and Upgrade travel
}

// hopSet says whether a canonical header name is hop-by-hop: a proxy
// does not pass these on (RFC 9110 7.6.1), nor Expect (the data plane
// reads the body itself).
func hopSet(k string) bool {
	switch k {
	case "Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
		"Te", "Trailer", "Transfer-Encoding", "Upgrade", "Expect":
		return true
	}
	return false
}

// connectionNamed is the canonical names a Connection header lists.
func connectionNamed(h http.Header) []string {
	var names []string
	for _, v := range h["Connection"] {
		for f := range strings.SplitSeq(v, ",") {
			if f = textproto.TrimString(f); f != "" {
				names = append(names, textproto.CanonicalMIMEHeaderKey(f))
			}
		}
	}
	return names
}

// writeRequest writes out on bw as HTTP/1.1 (as net/http's Request.Write
// would, without a User-Agent of its own and in map order).
func writeRequest(bw *bufio.Writer, out *outRequest) error {
	if !httpguts.ValidHostHeader(out.host) {
		return errors.New("http: invalid Host header")
	}
	bw.WriteString(out.method)
	bw.WriteByte(' ')
	bw.WriteString(out.uri)
	bw.WriteString(" HTTP/1.1\r\nHost: ")
	bw.WriteString(out.host)
	bw.WriteString("\r\n")
	named := connectionNamed(out.header)
	for k, vv := range out.header {
		switch {
		case k == "Host" || k == "Content-Length":
			continue
		case out.upgrade && k == "Upgrade": // the handshake's own (RFC 9110 7.8)
		case hopSet(k) || (len(named) > 0 && contains(named, k)):
			continue
		case k == "User-Agent" && len(vv) == 1 && vv[0] == "":
			continue
		}
		for _, v := range vv {
			writeField(bw, k, v)
		}
	}
	if out.upgrade {
		bw.WriteString("Connection: Upgrade\r\n")
	}
	switch {
	case out.length > 0:
		bw.WriteString("Content-Length: ")
		bw.WriteString(strconv.FormatInt(out.length, 10))
		bw.WriteString("\r\n")
	case out.length < 0:
		bw.WriteString("Transfer-Encoding: chunked\r\n")
	case out.method == http.MethodPost || out.method == http.MethodPut || out.method == http.MethodPatch:
		bw.WriteString("Content-Length: 0\r\n")
	}
	_, err := bw.WriteString("\r\n")
	if err != nil || out.body == nil || out.length == 0 {
		return err
	}
	if c, ok := out.body.(io.Closer); ok {
		defer c.Close()
	}
	buf := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(buf)
	if out.length > 0 {
		n, err := io.CopyBuffer(writerOnly{bw}, io.LimitReader(out.body, out.length), *buf)
		if err == nil && n < out.length {
			err = fmt.Errorf("http: ContentLength=%d with Body length %d", out.length, n)
		}
		return err
	}
	// Chunked: each piece is sent as it comes (a stream), then the last
	// chunk and an empty trailer.
	cw := httputil.NewChunkedWriter(bw)
	for {
		n, rerr := out.body.Read(*buf)
		if n > 0 {
			if _, err := cw.Write((*buf)[:n]); err != nil {
				return err
			}
			if err := bw.Flush(); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	if err := cw.Close(); err != nil {
		return err
	}
	_, err = bw.WriteString("\r\n")
	return err
}

func contains(names []string, k string) bool {
	for _, n := range names {
		if n == k {
			return true
		}
	}
	return false
}

// writeField writes one header line as net/http writes headers: an
// invalid name is left out, line ends in the value become spaces, the
// value is trimmed.
func writeField(bw *bufio.Writer, k, v string) {
	if !httpguts.ValidHeaderFieldName(k) {
		return
	}
	if strings.ContainsAny(v, "\r\n") {
		v = newlineToSpace.Replace(v)
	}
	bw.WriteString(k)
	bw.WriteString(": ")
	bw.WriteString(textproto.TrimString(v))
	bw.WriteString("\r\n")
}

// writeFields writes a header's fields (in map order).
func writeFields(bw *bufio.Writer, h http.Header) {
	for k, vv := range h {
		for _, v := range vv {
			writeField(bw, k, v)
		}
	}
}

var newlineToSpace = strings.NewReplacer("\n", " ", "\r", " ")

// inResponse is an upstream's response: its head, and its body framed as
// net/http frames it.
type inResponse struct {
	status       int
	major, minor int
	header       http.Header
	length       int64 // Content-Length; -1: chunked or until the connection closes
	chunked      bool
	close        bool // the connection cannot carry another exchange
	body         respBody
}

// readResponse reads a response head from br into resp (whose header map
// is cleared and reused) for a request of method.
func readResponse(br *bufio.Reader, method string, resp *inResponse) error {
	head, buffered, err := peekHead(br)
	if err != nil {
		return err
	}
	line, rest, _ := bytes.Cut(head, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	proto, status, ok := bytes.Cut(line, []byte(" "))
	if !ok {
		return fmt.Errorf("%w %q", errBadResponse, line)
	}
	status = bytes.TrimLeft(status, " ")
	code, _, _ := bytes.Cut(status, []byte(" "))
	if len(code) != 3 || !isDigits(code) {
		return fmt.Errorf("malformed HTTP status code %q", code)
	}
	resp.status = int(code[0]-'0')*100 + int(code[1]-'0')*10 + int(code[2]-'0')
	if string(proto) == "HTTP/1.1" {
		resp.major, resp.minor = 1, 1
	} else if resp.major, resp.minor, ok = http.ParseHTTPVersion(string(proto)); !ok {
		return fmt.Errorf("malformed HTTP version %q", proto)
	}
	if resp.header == nil {
		resp.header = http.Header{}
	}
	clear(resp.header)
	if err := readFields(head, len(head)-len(rest), resp.header); err != nil {
		return err
	}
	if buffered {
		br.Discard(len(head))
	}
	return resp.frame(br, method)
}

// peekHead returns a response's head up to and including the empty line
// that ends it: the reader's own buffer when the head is buffered whole
// (buffered: the caller discards it once read), else a copy read line
// by line.
func peekHead(br *bufio.Reader) (head []byte, buffered bool, err error) {
	if b, _ := br.Peek(br.Buffered()); len(b) > 0 {
		if end := headEnd(b); end > 0 {
			return b[:end], true, nil
		}
	}
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			head = append(head, line...)
			if len(head) > maxRespHead {
				return nil, false, errors.New("upstream response head too large")
			}
			continue
		}
		if err != nil {
			if len(head)+len(line) > 0 && err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, false, err
		}
		head = append(head, line...)
		if (len(line) == 1 || (len(line) == 2 && line[0] == '\r')) && len(head) > len(line) {
			return head, false, nil
		}
		if len(head) > maxRespHead {
			return nil, false, errors.New("upstream response head too large")
		}
	}
}

// Byte classes of header fields (RFC 9110 5.1, 5.5).
var (
	tokenByte [256]bool // tchar
	valueByte [256]bool // field-vchar, SP, HTAB, obs-text
)

func init() {
	for c := 0; c < 256; c++ {
		tokenByte[c] = c < 0x80 && httpguts.IsTokenRune(rune(c))
		valueByte[c] = c == '\t' || (c >= 0x20 && c != 0x7f)
	}
}

// readFields parses the header lines of head from off (its last line is
// empty) into h: names valid and put in canonical form in place, values
// valid and trimmed; every name and value is cut from one string of the
// head. Obsolete line folding is refused, and so is white space in a
// name (net/http takes "Name : v" as the name "Name "; RFC 9112 5.1 has a
// proxy remove that space or refuse).
func readFields(head []byte, off int, h http.Header) error {
	var arr [32]span
	spans := arr[:0]
	for off < len(head) {
		start, stop, next := nextLine(head, off)
		off = next
		if stop == start {
			continue
		}
		sp, problem := scanField(head, start, stop)
		if problem != "" {
			return fmt.Errorf("%w: %s %q", errBadResponse, problem, head[start:stop])
		}
		canonical(head, sp)
		spans = append(spans, sp)
	}
	fillHeader(h, string(head), spans)
	return nil
}

// span is where a header field's name and value stand in a head.
type span struct{ k0, k1, v0, v1 int }

// nextLine is the line of head at off, without its line end, and where
// the next one starts.
func nextLine(head []byte, off int) (start, stop, next int) {
	e := bytes.IndexByte(head[off:], '\n')
	if e < 0 {
		e = len(head) - off
	}
	start, stop = off, off+e
	if stop > start && head[stop-1] == '\r' {
		stop--
	}
	return start, stop, off + e + 1
}

// scanField reads the header line head[start:stop] (not empty): where its
// name and its trimmed value stand, or what is wrong with it.
func scanField(head []byte, start, stop int) (span, string) {
	if c := head[start]; c == ' ' || c == '\t' {
		return span{}, "obsolete line folding in header"
	}
	colon := start
	for ; colon < stop && head[colon] != ':'; colon++ {
		if c := head[colon]; !tokenByte[c] {
			if c == ' ' || c == '\t' {
				return span{}, "white space in header name"
			}
			return span{}, "header line"
		}
	}
	if colon == stop || colon == start {
		return span{}, "header line"
	}
	v0, v1 := colon+1, stop
	for v0 < v1 && (head[v0] == ' ' || head[v0] == '\t') {
		v0++
	}
	for v1 > v0 && (head[v1-1] == ' ' || head[v1-1] == '\t') {
		v1--
	}
	for _, c := range head[v0:v1] {
		if !valueByte[c] {
			return span{}, "header value in"
		}
	}
	return span{start, colon, v0, v1}, ""
}

// canonical puts a valid field name in canonical form in place
// (textproto.CanonicalMIMEHeaderKey's result for a valid name).
func canonical(head []byte, sp span) {
	upper := true
	for i := sp.k0; i < sp.k1; i++ {
		c := head[i]
		if upper && 'a' <= c && c <= 'z' {
			head[i] = c - ('a' - 'A')
		} else if !upper && 'A' <= c && c <= 'Z' {
			head[i] = c + ('a' - 'A')
		}
		upper = c == '-'
	}
}

// fillHeader puts the fields spans name into h, cut from s (the head as
// a string), in order: one slice holds every first value.
func fillHeader(h http.Header, s string, spans []span) {
	vals := make([]string, len(spans))
	for i, sp := range spans {
		k, v := s[sp.k0:sp.k1], s[sp.v0:sp.v1]
		vals[i] = v
		if old, ok := h[k]; ok {
			h[k] = append(old[:len(old):len(old)], v)
		} else {
			h[k] = vals[i : i+1 : i+1]
		}
	}
}

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

// frame sets the body's framing from the head, as net/http's
// readTransfer does for a response.
func (resp *inResponse) frame(br *bufio.Reader, method string) error {
	h := resp.header
	resp.chunked, resp.length = false, -1
	if te, ok := h["Transfer-Encoding"]; ok {
		delete(h, "Transfer-Encoding")
		// A response without a version is HTTP/1.1 here, as in net/http.
		if resp.major > 1 || (resp.major == 1 && resp.minor >= 1) || (resp.major == 0 && resp.minor == 0) {
			if len(te) != 1 || !strings.EqualFold(te[0], "chunked") {
				return fmt.Errorf("unsupported transfer encoding: %q", te)
			}
			resp.chunked = true
		}
	}
	cls := h["Content-Length"]
	if len(cls) > 1 {
		first := textproto.TrimString(cls[0])
		for _, cl := range cls[1:] {
			if textproto.TrimString(cl) != first {
				return fmt.Errorf("http: message cannot contain multiple Content-Length headers; got %q", cls)
			}
		}
		cls = []string{first}
		h["Content-Length"] = cls
	}
	var n uint64
	if len(cls) > 0 {
		var err error
		cl := textproto.TrimString(cls[0])
		if n, err = strconv.ParseUint(cl, 10, 63); err != nil {
			return fmt.Errorf("bad Content-Length %q", cl)
		}
	}
	conn := h["Connection"]
	hasClose := httpguts.HeaderValuesContainsToken(conn, "close")
	switch {
	case resp.major < 1:
		resp.close = true
	case resp.major == 1 && resp.minor == 0:
		resp.close = hasClose || !httpguts.HeaderValuesContainsToken(conn, "keep-alive")
	default:
		resp.close = hasClose
		if hasClose {
			delete(h, "Connection")
		}
	}
	noBody := method == http.MethodHead || resp.status/100 == 1 || resp.status == http.StatusNoContent || resp.status == http.StatusNotModified
	switch {
	case noBody:
		resp.length = 0
	case resp.chunked:
		delete(h, "Content-Length")
	case len(cls) > 0:
		resp.length = int64(n)
	default:
		resp.close = true // the body ends with the connection
	}
	if tr, ok := h["Trailer"]; ok && resp.chunked {
		delete(h, "Trailer")
		for _, v := range tr {
			for k := range strings.SplitSeq(v, ",") {
				switch textproto.CanonicalMIMEHeaderKey(textproto.TrimString(k)) {
				case "Transfer-Encoding", "Trailer", "Content-Length":
					return fmt.Errorf("bad trailer key %q", k)
				}
			}
		}
	}
	resp.body = respBody{br: br, n: resp.length, chunked: resp.chunked}
	if resp.chunked && !noBody {
		resp.body.cr = httputil.NewChunkedReader(br)
	}
	return nil
}

// respBody reads a response's body as framed; done reports a body read to
// its end, after which the connection may carry the next exchange.
type respBody struct {
	br      *bufio.Reader
	n       int64 // bytes left; -1: until the chunks or the connection end
	chunked bool
	cr      io.Reader
	done    bool
}

func (b *respBody) Read(p []byte) (int, error) {
	switch {
	case b.done:
		return 0, io.EOF
	case b.cr != nil:
		n, err := b.cr.Read(p)
		if err == io.EOF {
			if terr := readTrailer(b.br); terr != nil {
				return n, terr
			}
			b.done = true
		}
		return n, err
	case b.n == 0:
		b.done = true
		return 0, io.EOF
	case b.n > 0:
		if int64(len(p)) > b.n {
			p = p[:b.n]
		}
		n, err := b.br.Read(p)
		b.n -= int64(n)
		if err == io.EOF {
			return n, io.ErrUnexpectedEOF
		}
		if b.n == 0 && err == nil {
			b.done = true
		}
		return n, err
	default:
		return b.br.Read(p) // until the connection closes
	}
}

// readTrailer reads the trailer section after the last chunk (its fields
// are dropped, as the data plane forwards no trailers). As net/http, a
// trailer must be well formed and its end in sight (buffered).
func readTrailer(br *bufio.Reader) error {
	buf, _ := br.Peek(2)
	if string(buf) == "\r\n" {
		br.Discard(2)
		return nil
	}
	if len(buf) < 2 {
		return io.ErrUnexpectedEOF
	}
	buf, _ = br.Peek(br.Buffered())
	if !bytes.Contains(buf, []byte("\r\n\r\n")) {
		return errors.New("http: suspiciously long trailer after chunked body")
	}
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return io.ErrUnexpectedEOF
		}
		line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
		if len(line) == 0 {
			return nil
		}
		name, _, ok := bytes.Cut(line, []byte(":"))
		if !ok || !httpguts.ValidHeaderFieldName(string(name)) {
			return fmt.Errorf("%w: trailer line %q", errBadResponse, line)
		}
	}
}

// maxFastFields is the most header fields readRequest parses itself.
const maxFastFields = 64

// readRequest reads a client's request head when it is buffered whole and
// plainly formed: the request line, header fields with valid names and
// values, at most one Host, no Transfer-Encoding, Pragma or obsolete line
// folding, and one valid Content-Length at most. It reports ok false,
// having read nothing, for every other request, which net/http's
// ReadRequest reads instead (and refuses, when it is malformed): the
// result is what ReadRequest gives, as FuzzReadRequest checks. base
// carries what every request of the connection has (its context, remote
// address, TLS state).
func readRequest(br *bufio.Reader, base *http.Request) (*http.Request, bool) {
	b, _ := br.Peek(br.Buffered())
	end := headEnd(b)
	if end < 0 {
		return nil, false
	}
	head := b[:end]
	nl := bytes.IndexByte(head, '\n')
	line := head[:nl]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	sp1 := bytes.IndexByte(line, ' ')
	if sp1 <= 0 {
		return nil, false
	}
	sp2 := bytes.IndexByte(line[sp1+1:], ' ')
	if sp2 < 0 {
		return nil, false
	}
	sp2 += sp1 + 1
	method, proto := line[:sp1], line[sp2+1:]
	for _, c := range method {
		if !tokenByte[c] {
			return nil, false
		}
	}
	var major, minor int
	switch string(proto) {
	case "HTTP/1.1":
		major, minor = 1, 1
	case "HTTP/1.0":
		major, minor = 1, 0
	default:
		return nil, false
	}
	if string(method) == "PRI" {
		return nil, false
	}

	// First the fields are checked, with nothing changed: a request
	// handed to net/http is read as it came.
	var arr [maxFastFields]span
	spans := arr[:0]
	host, nhost, ncl := span{}, 0, 0
	var cl uint64
	for off := nl + 1; off < len(head); {
		start, stop, next := nextLine(head, off)
		off = next
		if stop == start {
			break // the empty line
		}
		if len(spans) == maxFastFields {
			return nil, false
		}
		sp, problem := scanField(head, start, stop)
		if problem != "" {
			return nil, false
		}
		switch k := head[sp.k0:sp.k1]; {
		case bytes.EqualFold(k, []byte("Host")):
			if host, nhost = sp, nhost+1; nhost > 1 {
				return nil, false
			}
			continue
		case bytes.EqualFold(k, []byte("Content-Length")):
			var err error
			if cl, err = strconv.ParseUint(string(head[sp.v0:sp.v1]), 10, 63); err != nil {
				return nil, false
			}
			if ncl++; ncl > 1 {
				return nil, false
			}
		case bytes.EqualFold(k, []byte("Transfer-Encoding")), bytes.EqualFold(k, []byte("Pragma")):
			return nil, false
		}
		spans = append(spans, sp)
	}
	rawurl := string(line[sp1+1 : sp2])
	justAuthority := string(method) == http.MethodConnect && !strings.HasPrefix(rawurl, "/")
	if justAuthority {
		rawurl = "http://" + rawurl
	}
	u, err := url.ParseRequestURI(rawurl)
	if err != nil {
		return nil, false
	}
	if justAuthority {
		u.Scheme = ""
	}
	// Accepted: the names are put in canonical form in place.
	for _, sp := range spans {
		canonical(head, sp)
	}

	s := string(head)
	req := new(http.Request)
	*req = *base
	req.Method = s[:sp1]
	req.RequestURI = s[sp1+1 : sp2]
	req.Proto = s[sp2+1 : len(line)]
	req.ProtoMajor, req.ProtoMinor = major, minor
	req.URL = u
	h := make(http.Header, len(spans))
	fillHeader(h, s, spans)
	req.Header = h
	req.Host = u.Host
	if req.Host == "" && nhost == 1 {
		req.Host = s[host.v0:host.v1]
	}
	conn := h["Connection"]
	hasClose := httpguts.HeaderValuesContainsToken(conn, "close")
	req.Close = hasClose || (minor == 0 && !httpguts.HeaderValuesContainsToken(conn, "keep-alive"))
	req.ContentLength, req.Body = 0, http.NoBody
	if cl > 0 {
		req.ContentLength, req.Body = int64(cl), &fixedBody{br: br, n: int64(cl)}
	}
	br.Discard(end)
	return req, true
}

// headEnd is the length of the head at the start of b, through the empty
// line that ends it, or -1 when b does not hold it whole.
func headEnd(b []byte) int {
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return -1
		}
		i += j + 1
		if i < len(b) && b[i] == '\n' {
			return i + 1
		}
		if i+1 < len(b) && b[i] == '\r' && b[i+1] == '\n' {
			return i + 2
		}
	}
}

// fixedBody is a request body of a known length read from the
// connection; the connection ending early is io.ErrUnexpectedEOF.
type fixedBody struct {
	br *bufio.Reader
	n  int64
}

func (b *fixedBody) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	n, err := b.br.Read(p)
	b.n -= int64(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// Close leaves the rest to the front end (which drains or closes).
func (b *fixedBody) Close() error { return nil }

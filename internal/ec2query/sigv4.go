package ec2query

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vpce/vpce/internal/apierr"
)

// Credentials maps access key IDs to secret access keys.
type Credentials map[string]string

// LoadCredentials reads a credentials file: one `ACCESS_KEY_ID SECRET_KEY`
// pair per line, optionally followed by the word admin; blank lines and
// lines starting with # are skipped. It returns the keys and the IDs of
// the admin keys.
func LoadCredentials(path string) (Credentials, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("load credentials: %w", err)
	}
	defer f.Close()
	creds := Credentials{}
	var admins []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Fields(line)
		if len(parts) < 2 || len(parts) > 3 || len(parts) == 3 && parts[2] != "admin" {
			return nil, nil, fmt.Errorf("load credentials %s:%d: want \"ACCESS_KEY_ID SECRET_KEY [admin]\"", path, n)
		}
		creds[parts[0]] = parts[1]
		if len(parts) == 3 {
			admins = append(admins, parts[0])
		}
	}
	return creds, admins, sc.Err()
}

// ParseCredentials reads "AKID:SECRET,AKID2:SECRET2", the form of the
// VPCE_CREDENTIALS environment variable.
func ParseCredentials(s string) (Credentials, error) {
	creds := Credentials{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		id, secret, ok := strings.Cut(pair, ":")
		if !ok || id == "" || secret == "" {
			return nil, fmt.Errorf("parse credentials: %q is not AKID:SECRET", pair)
		}
		creds[id] = secret
	}
	return creds, nil
}

// sigV4 is the parsed signature of a request.
type sigV4 struct {
	accessKey, date, region, service string
	signedHeaders                    []string
	signature                        string
	amzDate                          string
	fromQuery                        bool
	expires                          string // X-Amz-Expires of a presigned request
}

// Services a credential scope names: EC2 requests are signed for "ec2";
// vpce's own admin endpoints (reset, DNS) for "vpce".
const (
	ServiceEC2  = "ec2"
	ServiceVPCE = "vpce"
)

// maxPresignExpiry is the longest X-Amz-Expires AWS takes: seven days.
const maxPresignExpiry = 7 * 24 * time.Hour

const maxSkew = 15 * time.Minute

func errAuth(msg string) *apierr.Error {
	return &apierr.Error{Code: "AuthFailure", Message: msg, Status: http.StatusUnauthorized}
}

// parseSigV4 reads the credential scope and signature from the
// Authorization header or the X-Amz-* query parameters. ok is false when
// the request is not signed at all.
func parseSigV4(r *http.Request) (s sigV4, ok bool, err error) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		rest, found := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 ")
		if !found {
			return s, true, &apierr.Error{Code: "IncompleteSignature", Message: "Authorization header must use AWS4-HMAC-SHA256.", Status: http.StatusBadRequest}
		}
		var cred, signed string
		for _, part := range strings.Split(rest, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			switch k {
			case "Credential":
				cred = v
			case "SignedHeaders":
				signed = v
			case "Signature":
				s.signature = v
			}
		}
		if cred == "" || signed == "" || s.signature == "" {
			return s, true, &apierr.Error{Code: "IncompleteSignature", Message: "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.", Status: http.StatusBadRequest}
		}
		s.signedHeaders = strings.Split(signed, ";")
		s.amzDate = r.Header.Get("X-Amz-Date")
		return s, true, s.parseCredential(cred)
	}
	q := r.URL.Query()
	if q.Get("X-Amz-Algorithm") == "" {
		return s, false, nil
	}
	s.fromQuery = true
	s.expires = q.Get("X-Amz-Expires")
	s.signature = q.Get("X-Amz-Signature")
	s.signedHeaders = strings.Split(q.Get("X-Amz-SignedHeaders"), ";")
	s.amzDate = q.Get("X-Amz-Date")
	return s, true, s.parseCredential(q.Get("X-Amz-Credential"))
}

func (s *sigV4) parseCredential(cred string) error {
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" {
		return &apierr.Error{Code: "IncompleteSignature", Message: fmt.Sprintf("Credential should be scoped to a valid region, not '%s'.", cred), Status: http.StatusBadRequest}
	}
	s.accessKey, s.date, s.region, s.service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

// verify checks the signature against the secret and the clock, the
// credential scope's service, and the body: the payload hash is computed
// from the body received, never taken from X-Amz-Content-Sha256, so a
// captured signature cannot carry another body.
func (s sigV4) verify(r *http.Request, body []byte, secret string, now time.Time, service string) error {
	if s.service != service {
		return &apierr.Error{Code: "SignatureDoesNotMatch", Status: http.StatusForbidden,
			Message: fmt.Sprintf("Credential should be scoped to correct service: '%s'.", service)}
	}
	if err := s.checkTime(now); err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" {
		switch {
		case h == "UNSIGNED-PAYLOAD" || strings.HasPrefix(h, "STREAMING-"):
			return &apierr.Error{Code: "InvalidRequest", Status: http.StatusBadRequest,
				Message: "The request body must be signed: x-amz-content-sha256 " + h + " is not accepted here."}
		case !strings.EqualFold(h, payload):
			return &apierr.Error{Code: "XAmzContentSHA256Mismatch", Status: http.StatusBadRequest,
				Message: "The provided 'x-amz-content-sha256' header does not match what was computed."}
		}
	}
	want := s.compute(r, payload, secret)
	if !hmac.Equal([]byte(want), []byte(s.signature)) {
		return signatureMismatch()
	}
	return nil
}

// VerifyDeclared checks the SigV4 signature of a data-plane request, whose
// payload hash is the one given: the X-Amz-Content-Sha256 the client
// declared (S3 streams bodies, or leaves them unsigned, and checks them
// itself), UNSIGNED-PAYLOAD for a presigned URL, or the hash of a body the
// caller read. It returns the access key; "" for an unsigned request.
func VerifyDeclared(r *http.Request, payloadHash string, creds Credentials, now time.Time) (string, error) {
	s, signed, err := parseSigV4(r)
	if err != nil || !signed {
		return "", err
	}
	secret, ok := creds[s.accessKey]
	if !ok {
		return s.accessKey, &apierr.Error{Code: "InvalidAccessKeyId", Status: http.StatusForbidden,
			Message: "The AWS Access Key Id you provided does not exist in our records."}
	}
	if err := s.checkTime(now); err != nil {
		return s.accessKey, err
	}
	if !hmac.Equal([]byte(s.compute(r, payloadHash, secret)), []byte(s.signature)) {
		return s.accessKey, signatureMismatch()
	}
	return s.accessKey, nil
}

// checkTime checks X-Amz-Date against the clock (15 minutes either way), or
// a presigned request's validity window.
func (s sigV4) checkTime(now time.Time) error {
	t, err := time.Parse("20060102T150405Z", s.amzDate)
	if err != nil {
		return &apierr.Error{Code: "AuthFailure", Message: "X-Amz-Date is missing or malformed.", Status: http.StatusUnauthorized}
	}
	if s.fromQuery && s.expires != "" {
		// A presigned request is good from X-Amz-Date for X-Amz-Expires
		// seconds, at most seven days.
		secs, err := strconv.ParseInt(s.expires, 10, 64)
		if err != nil || secs < 1 || time.Duration(secs)*time.Second > maxPresignExpiry {
			return &apierr.Error{Code: "AuthFailure", Status: http.StatusUnauthorized,
				Message: "X-Amz-Expires must be a number of seconds from 1 to 604800."}
		}
		if now.After(t.Add(time.Duration(secs)*time.Second)) || t.Sub(now) > maxSkew {
			return &apierr.Error{Code: "RequestExpired", Message: fmt.Sprintf("Request has expired. Timestamp date is %s", s.amzDate), Status: http.StatusBadRequest}
		}
	} else if d := now.Sub(t); d > maxSkew || d < -maxSkew {
		return &apierr.Error{Code: "RequestExpired", Message: fmt.Sprintf("Request has expired. Timestamp date is %s", s.amzDate), Status: http.StatusBadRequest}
	}
	if !strings.HasPrefix(s.amzDate, s.date) {
		return signatureMismatch()
	}
	return nil
}

// Sign signs req, whose body is body, with SigV4 for service in region, as
// the aws CLI does: headers content-type (when set), host and x-amz-date.
func Sign(req *http.Request, body []byte, accessKey, secretKey, region, service string, now time.Time) {
	now = now.UTC()
	s := sigV4{accessKey: accessKey, date: now.Format("20060102"), region: region, service: service,
		signedHeaders: []string{"host", "x-amz-date"}, amzDate: now.Format("20060102T150405Z")}
	if req.Header.Get("Content-Type") != "" {
		s.signedHeaders = []string{"content-type", "host", "x-amz-date"}
	}
	req.Header.Set("X-Amz-Date", s.amzDate)
	sum := sha256.Sum256(body)
	sig := s.compute(req, hex.EncodeToString(sum[:]), secretKey)
	req.Header.Set("Authorization", fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, Signature=%s",
		accessKey, s.date, region, service, strings.Join(s.signedHeaders, ";"), sig))
}

func signatureMismatch() error {
	return &apierr.Error{Code: "SignatureDoesNotMatch", Status: http.StatusForbidden,
		Message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}
}

// compute returns the hex signature AWS would compute for the request
// whose payload hashes to payload (hex SHA-256).
func (s sigV4) compute(r *http.Request, payload, secret string) string {
	var cr strings.Builder
	cr.WriteString(r.Method + "\n")
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	cr.WriteString(path + "\n")
	cr.WriteString(canonicalQuery(r.URL.Query(), s.fromQuery) + "\n")
	for _, h := range s.signedHeaders {
		var v string
		switch {
		case h == "host":
			v = r.Host
		case h == "content-length" && r.Header.Get(h) == "" && r.ContentLength >= 0:
			v = fmt.Sprint(r.ContentLength)
		case h == "transfer-encoding" && r.Header.Get(h) == "" && len(r.TransferEncoding) > 0:
			// net/http's reader moves the header here, as it keeps the
			// length apart; curl --aws-sigv4 signs it.
			v = strings.Join(r.TransferEncoding, ",")
		default:
			v = strings.Join(r.Header.Values(h), ",")
		}
		cr.WriteString(h + ":" + strings.Join(strings.Fields(v), " ") + "\n")
	}
	cr.WriteString("\n" + strings.Join(s.signedHeaders, ";") + "\n")
	cr.WriteString(payload)
	crSum := sha256.Sum256([]byte(cr.String()))
	scope := strings.Join([]string{s.date, s.region, s.service, "aws4_request"}, "/")
	sts := "AWS4-HMAC-SHA256\n" + s.amzDate + "\n" + scope + "\n" + hex.EncodeToString(crSum[:])
	key := []byte("AWS4" + secret)
	for _, part := range []string{s.date, s.region, s.service, "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	return hex.EncodeToString(hmacSHA256(key, sts))
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func canonicalQuery(q url.Values, dropSignature bool) string {
	type kv struct{ k, v string }
	var pairs []kv
	for k, vs := range q {
		if dropSignature && k == "X-Amz-Signature" {
			continue
		}
		for _, v := range vs {
			pairs = append(pairs, kv{awsEscape(k), awsEscape(v)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.k + "=" + p.v
	}
	return strings.Join(parts, "&")
}

// awsEscape is SigV4's URI encoding: everything but A-Z a-z 0-9 - _ . ~ is
// percent-encoded with upper-case hex.
func awsEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

package ec2query

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/cloud"
)

// Auth modes.
const (
	// AuthOff accepts any credentials, and none.
	AuthOff = "off"
	// AuthSigV4 verifies SigV4 signatures against known credentials.
	AuthSigV4 = "sigv4"
)

// maxBody bounds a request body; the largest legitimate EC2 request vpce
// takes (a 20,480-character policy, percent-encoded, with many
// parameters) is far smaller.
const maxBody = 256 << 10

// Config configures a [Handler]. Cloud is required.
type Config struct {
	Cloud *cloud.Cloud
	// Auth is AuthOff (the default when empty) or AuthSigV4.
	Auth string
	// Credentials are the known keys for AuthSigV4.
	Credentials Credentials
	// AdminKeys are the access key IDs (of Credentials) that may call
	// vpce's admin endpoints (reset) and see every account's resolvers
	// when auth is on.
	AdminKeys []string
	// DefaultAccount is the account of access keys that are not 12-digit
	// account numbers; empty means 000000000000.
	DefaultAccount string
	// DefaultRegion is the region of unsigned requests; empty means us-east-1.
	DefaultRegion string
	// Logger receives one debug line per request; nil means slog.Default().
	Logger *slog.Logger
	// Clock is used to check signature times; nil means time.Now.
	Clock func() time.Time
	// Metrics, when set, counts requests (see [NewMetrics]).
	Metrics *Metrics
}

// Handler serves the EC2 Query API.
type Handler struct {
	cfg     Config
	actions map[string]action
}

// action decodes a request's parameters, answers DryRun, and runs it.
type action func(ctx context.Context, sc cloud.Scope, form url.Values, dryRun bool) (any, error)

// act adapts a typed cloud method to an action.
func act[In, Out any](fn func(context.Context, cloud.Scope, *In) (*Out, error)) action {
	return func(ctx context.Context, sc cloud.Scope, form url.Values, dryRun bool) (any, error) {
		in := new(In)
		if err := Decode(form, in); err != nil {
			return nil, err
		}
		if dryRun {
			return nil, apierr.ErrDryRun
		}
		return fn(ctx, sc, in)
	}
}

// New returns a Handler.
func New(cfg Config) *Handler {
	if cfg.Auth == "" {
		cfg.Auth = AuthOff
	}
	if cfg.DefaultAccount == "" {
		cfg.DefaultAccount = "000000000000"
	}
	if cfg.DefaultRegion == "" {
		cfg.DefaultRegion = "us-east-1"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	return &Handler{cfg: cfg, actions: actions(cfg.Cloud)}
}

// Actions returns the names of the actions the handler serves.
func (h *Handler) Actions() []string {
	out := make([]string, 0, len(h.actions))
	for a := range h.actions {
		out = append(out, a)
	}
	return out
}

var twelveDigits = regexp.MustCompile(`^[0-9]{12}$`)

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	reqID := NewRequestID()
	action, sc, status, err := h.serve(w, r, reqID)
	code := ""
	if err != nil && r.Context().Err() != nil {
		// The client went away: nobody reads an answer, and it is not
		// the server's failure.
		h.cfg.Logger.Debug("client gone", "action", action, "request_id", reqID, "err", err)
		h.cfg.Metrics.observe(action, true, "ClientClosedRequest", 499, time.Since(start))
		return
	}
	if err != nil {
		e, ok := apierr.As(err)
		if !ok {
			e = &apierr.Error{Code: "InternalError", Message: "An internal error has occurred", Status: http.StatusInternalServerError, Err: err}
		}
		status = e.HTTPStatus()
		if status >= 500 {
			h.cfg.Logger.Error("request failed", "action", action, "request_id", reqID, "err", err)
		}
		writeError(w, status, e.Code, e.Message, reqID)
		code = e.Code
	}
	_, known := h.actions[action]
	h.cfg.Metrics.observe(action, known, code, status, time.Since(start))
	h.cfg.Logger.Debug("request", "action", action, "account", sc.Account, "region", sc.Region,
		"status", status, "duration", time.Since(start), "request_id", reqID)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, reqID string) (action string, sc cloud.Scope, status int, err error) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return "", sc, 0, &apierr.Error{Code: "InvalidHttpRequest", Message: "The HTTP method " + r.Method + " is not supported.", Status: http.StatusMethodNotAllowed}
	}
	if r.Method == http.MethodPost && r.ContentLength != 0 {
		// The Query protocol's body is a form. Refusing other types keeps
		// a browser's cross-site "simple" text/plain POST out.
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
			return "", sc, 0, &apierr.Error{Code: "InvalidRequest", Status: http.StatusUnsupportedMediaType,
				Message: "The request body must have Content-Type application/x-www-form-urlencoded."}
		}
	}
	// Cheap checks before the body is read: its announced size, and with
	// auth on, that the request is signed by a known key at all.
	if r.ContentLength > maxBody {
		return "", sc, 0, &apierr.Error{Code: "RequestEntityTooLarge", Message: "Request body is too large.", Status: http.StatusRequestEntityTooLarge}
	}
	if h.cfg.Auth == AuthSigV4 {
		sig, signed, err := parseSigV4(r)
		if err != nil {
			return "", sc, 0, err
		}
		if _, known := h.cfg.Credentials[sig.accessKey]; !signed || !known {
			return "", sc, 0, errAuth("AWS was not able to validate the provided access credentials")
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return "", sc, 0, apierr.New("InvalidRequest", "The request body could not be read.")
	}
	if len(body) > maxBody {
		return "", sc, 0, &apierr.Error{Code: "RequestEntityTooLarge", Message: "Request body is too large.", Status: http.StatusRequestEntityTooLarge}
	}
	form := r.URL.Query()
	if r.Method == http.MethodPost && len(body) > 0 {
		pf, perr := url.ParseQuery(string(body))
		if perr != nil {
			return "", sc, 0, apierr.New("MalformedQueryString", "The request body is not a valid form encoding.")
		}
		for k, v := range pf {
			form[k] = append(form[k], v...)
		}
	}
	action = form.Get("Action")
	sc, err = h.scope(r, body)
	if err != nil {
		return action, sc, 0, err
	}
	for k, vs := range form {
		for _, v := range vs {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				// Replacing bad bytes would make two different tag keys one.
				return action, sc, 0, apierr.InvalidValue("Value for parameter %s is not valid UTF-8.", strings.ToValidUTF8(apierr.Clip(k), "?"))
			}
		}
	}

	if action == "" {
		return action, sc, 0, apierr.New("MissingAction", "The request must contain the parameter Action")
	}
	fn, ok := h.actions[action]
	if !ok {
		return action, sc, 0, apierr.New("InvalidAction", "The action %s is not valid for this web service.", action)
	}
	switch v := form.Get("Version"); v {
	case APIVersion:
	case "":
		return action, sc, 0, apierr.New("MissingParameter", "The request must contain the parameter Version")
	default:
		return action, sc, 0, apierr.New("NoSuchVersion", "The requested version (%s) of service AmazonEC2 does not exist", apierr.Clip(v))
	}
	if err := checkParams(action, form); err != nil {
		return action, sc, 0, err
	}
	dryRun := false
	if v := form.Get("DryRun"); v != "" {
		switch strings.ToLower(v) {
		case "true":
			dryRun = true
		case "false":
		default:
			return action, sc, 0, apierr.InvalidValue("Value (%s) for parameter DryRun is invalid. Expected: 'true' or 'false'.", v)
		}
	}
	out, err := fn(r.Context(), sc, form, dryRun)
	if err != nil {
		return action, sc, 0, err
	}
	b, err := encodeResponse(action, reqID, out)
	if err != nil {
		return action, sc, 0, fmt.Errorf("encode %s: %w", action, err)
	}
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.Header().Set("x-amzn-RequestId", reqID)
	w.WriteHeader(http.StatusOK)
	w.Write(b)
	return action, sc, http.StatusOK, nil
}

// scope finds the account and region of a request, verifying its signature
// when auth is on.
func (h *Handler) scope(r *http.Request, body []byte) (cloud.Scope, error) {
	id, err := h.Authenticate(r, body, ServiceEC2)
	return id.Scope, err
}

// Identity is who a request comes from.
type Identity struct {
	cloud.Scope
	// AccessKey is the key that signed the request; empty when unsigned.
	AccessKey string
	// Verified is set when the signature was checked (auth on).
	Verified bool
	// Admin is set for a verified admin key.
	Admin bool
}

// Authenticate finds the account and region of a request signed for
// service, verifying the signature when auth is on: with auth off an
// unsigned request acts in the default account and region.
func (h *Handler) Authenticate(r *http.Request, body []byte, service string) (Identity, error) {
	id := Identity{Scope: cloud.Scope{Account: h.cfg.DefaultAccount, Region: h.cfg.DefaultRegion}}
	sig, signed, err := parseSigV4(r)
	if err != nil {
		return id, err
	}
	if !signed {
		if h.cfg.Auth == AuthSigV4 {
			return id, errAuth("AWS was not able to validate the provided access credentials")
		}
		return id, nil
	}
	if twelveDigits.MatchString(sig.accessKey) {
		id.Account = sig.accessKey
	}
	id.Region, id.AccessKey = sig.region, sig.accessKey
	if h.cfg.Auth == AuthSigV4 {
		secret, ok := h.cfg.Credentials[sig.accessKey]
		if !ok {
			return id, errAuth("AWS was not able to validate the provided access credentials")
		}
		if err := sig.verify(r, body, secret, h.cfg.Clock(), service); err != nil {
			return id, err
		}
		id.Verified = true
		id.Admin = slices.Contains(h.cfg.AdminKeys, sig.accessKey)
	}
	return id, nil
}

// AuthOn reports whether requests must be signed.
func (h *Handler) AuthOn() bool { return h.cfg.Auth == AuthSigV4 }

// NewRequestID returns a request ID in AWS's form (a random UUID), for
// every API vpce answers.
func NewRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	hex.Encode(out[9:13], b[4:6])
	hex.Encode(out[14:18], b[6:8])
	hex.Encode(out[19:23], b[8:10])
	hex.Encode(out[24:36], b[10:16])
	out[8], out[13], out[18], out[23] = '-', '-', '-', '-'
	return string(out[:])
}

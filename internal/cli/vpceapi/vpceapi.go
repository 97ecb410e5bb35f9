// Package vpceapi calls vpce serve's own endpoints (/_vpce/…) for the
// commands that ask a running server: signed for the service "vpce" with
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY when they are set (a server
// with --auth sigv4 needs it; with auth off the signature is not checked).
package vpceapi

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/vpce/vpce/internal/cli/exitcode"
	"github.com/vpce/vpce/internal/ec2query"
)

// EnvOr returns an environment variable, or def when it is unset.
func EnvOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// DefaultURL is the server the commands ask: $VPCE_URL, else vpce serve's
// default address.
func DefaultURL() string { return EnvOr("VPCE_URL", "http://127.0.0.1:4566") }

// Region is the region requests are signed for, as the aws CLI picks it.
func Region() string { return EnvOr("AWS_DEFAULT_REGION", EnvOr("AWS_REGION", "us-east-1")) }

// StatusError is a non-200 answer other than bad input.
type StatusError struct {
	Status int
	Msg    string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, http.StatusText(e.Status), e.Msg)
}

// Call sends method path (with a JSON body when body is not nil) to the
// server at base and returns the body of a 200 answer. A 400 answer is bad
// input: an exit-status-2 error with the server's message; any other
// status a *StatusError with the server's words.
func Call(base, method, path string, body []byte) ([]byte, error) {
	req, err := http.NewRequest(method, strings.TrimSuffix(base, "/")+path, bytes.NewReader(body))
	if err != nil {
		return nil, exitcode.New(2, fmt.Errorf("--endpoint-url: %w", err))
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if ak, sk := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"); ak != "" && sk != "" {
		ec2query.Sign(req, body, ak, sk, Region(), ec2query.ServiceVPCE, time.Now())
	}
	resp, err := (&http.Client{Timeout: 120 * time.Second}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("is vpce serve running? %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return b, nil
	case http.StatusBadRequest:
		return nil, exitcode.New(2, errors.New(message(b)))
	}
	return nil, &StatusError{resp.StatusCode, message(b)}
}

// message reads a server's words: {"error": …}, an EC2 error document, or
// the text as it is.
func message(b []byte) string {
	var j struct{ Error string }
	if json.Unmarshal(b, &j) == nil && j.Error != "" {
		return j.Error
	}
	var x struct {
		Errors []struct{ Code, Message string } `xml:"Errors>Error"`
	}
	if xml.Unmarshal(b, &x) == nil && len(x.Errors) > 0 {
		return x.Errors[0].Code + ": " + x.Errors[0].Message
	}
	return strings.TrimSpace(string(b))
}

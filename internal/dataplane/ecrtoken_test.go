package dataplane

import (
	"strings"
	"testing"
	"time"

	"github.com/vpce/vpce/internal/ec2query"
)

// TestECRToken: a token names its key; with keys known (--auth sigv4) it
// is good only sealed by that key's secret and before it expires.
func TestECRToken(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	p := New(Config{Credentials: ec2query.Credentials{"111122223333": "s1", "AKIDOTHER": "s2"}})
	pw, ok := p.issueECRToken("111122223333", now.Add(ecrTokenLife))
	if !ok || !strings.HasPrefix(pw, ecrTokenPrefix) {
		t.Fatalf("issue: %q %v", pw, ok)
	}
	if k, err := p.ecrTokenKey(pw, true, now); err != nil || k != "111122223333" {
		t.Fatalf("a fresh token: %q %v", k, err)
	}
	if _, err := p.ecrTokenKey(pw, true, now.Add(ecrTokenLife+time.Second)); err == nil {
		t.Error("an expired token was taken")
	}
	other := New(Config{Credentials: ec2query.Credentials{"111122223333": "changed"}})
	if _, err := other.ecrTokenKey(pw, true, now); err == nil {
		t.Error("a token sealed with another secret was taken")
	}
	// The key named in the token changed: the seal no longer fits.
	forged := ecrTokenPrefix + "QUtJRE9USEVS" + pw[strings.Index(pw[len(ecrTokenPrefix):], ".")+len(ecrTokenPrefix):]
	if k, err := p.ecrTokenKey(forged, false, now); err != nil || k != "AKIDOTHER" {
		t.Fatalf("forged token read as %q %v", k, err)
	}
	if _, err := p.ecrTokenKey(forged, true, now); err == nil {
		t.Error("a token naming another key under the first key's seal was taken")
	}
	for _, bad := range []string{"", "vpce1.", "vpce1.x.y", "vpce1.!!!.1.00", "eyJwYXlsb2FkIjoi", pw + "0"} {
		if _, err := p.ecrTokenKey(bad, true, now); err == nil {
			t.Errorf("%q was taken", bad)
		}
	}
	if _, ok := p.issueECRToken("AKIDUNKNOWN", now); ok {
		t.Error("a token was issued for a key with no known secret")
	}
	// Without keys (auth off) tokens are sealed with the process's secret.
	open := New(Config{})
	pw, _ = open.issueECRToken("AKIDANY", now.Add(time.Hour))
	if k, err := open.ecrTokenKey(pw, true, now); err != nil || k != "AKIDANY" {
		t.Fatalf("auth off: %q %v", k, err)
	}
}

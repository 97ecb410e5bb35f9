package dataplane

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ECR registry tokens. A registry client (docker, crane) authenticates to
// ACCOUNT.dkr.ecr.REGION.amazonaws.com with Basic AWS:PASSWORD, the
// password from ecr:GetAuthorizationToken (`aws ecr get-login-password`),
// not with SigV4. Without an ecr.api upstream the data plane answers
// GetAuthorizationToken itself, as it answers sts:GetCallerIdentity: the
// password names the signing key and an expiry, sealed with an HMAC keyed
// by the key's secret (with --auth sigv4) or by the process's own secret.
// A registry request carrying such a password acts as that key's
// principal; with --auth sigv4 the seal and expiry are checked as a
// signature is, and a registry request without one is answered 401 with
// ECR's Basic challenge, so that clients send their credentials.

// ecrTokenLife is how long a token is good for: ECR's tokens last 12 hours.
const ecrTokenLife = 12 * time.Hour

const ecrTokenPrefix = "vpce1."

// errECRToken is a registry password that is not a valid vpce token.
var errECRToken = errors.New("the registry password is not an authorization token vpce issued (or it expired): run aws ecr get-login-password again")

// processSecret seals tokens when keys have no known secret (auth off).
var processSecret = func() []byte {
	b := make([]byte, 32)
	rand.Read(b)
	return b
}()

func (p *Proxy) tokenSecret(key string) []byte {
	if p.cfg.Credentials != nil {
		if s, ok := p.cfg.Credentials[key]; ok {
			return []byte(s)
		}
		return nil
	}
	return processSecret
}

// issueECRToken is the password of a token for key, good until expires.
func (p *Proxy) issueECRToken(key string, expires time.Time) (string, bool) {
	secret := p.tokenSecret(key)
	if secret == nil || key == "" {
		return "", false
	}
	payload := base64.RawURLEncoding.EncodeToString([]byte(key)) + "." + strconv.FormatInt(expires.Unix(), 10)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(payload))
	return ecrTokenPrefix + payload + "." + hex.EncodeToString(mac.Sum(nil)), true
}

// registryPassword is the password of a Basic AWS:PASSWORD header; "".
func registryPassword(r *http.Request) string {
	user, pass, ok := r.BasicAuth()
	if !ok || user != "AWS" {
		return ""
	}
	return pass
}

// ecrTokenKey reads the key a token names; verify also checks its seal
// and expiry.
func (p *Proxy) ecrTokenKey(password string, verify bool, now time.Time) (string, error) {
	rest, ok := strings.CutPrefix(password, ecrTokenPrefix)
	if !ok {
		return "", errECRToken
	}
	enc, rest, ok1 := strings.Cut(rest, ".")
	exp, mac, ok2 := strings.Cut(rest, ".")
	keyBytes, err := base64.RawURLEncoding.DecodeString(enc)
	if !ok1 || !ok2 || err != nil || len(keyBytes) == 0 {
		return "", errECRToken
	}
	key := string(keyBytes)
	if !verify {
		return key, nil
	}
	secs, err := strconv.ParseInt(exp, 10, 64)
	secret := p.tokenSecret(key)
	if err != nil || secret == nil || now.After(time.Unix(secs, 0)) {
		return "", errECRToken
	}
	want := hmac.New(sha256.New, secret)
	want.Write([]byte(enc + "." + exp))
	got, err := hex.DecodeString(mac)
	if err != nil || !hmac.Equal(got, want.Sum(nil)) {
		return "", errECRToken
	}
	return key, nil
}

// getAuthorizationToken answers ecr:GetAuthorizationToken: one token for
// the caller's key, its registry the caller's account's.
func (p *Proxy) getAuthorizationToken(w http.ResponseWriter, t *tunnel, id Identity, key string) {
	expires := time.Now().Add(ecrTokenLife).Truncate(time.Second)
	password, ok := p.issueECRToken(key, expires)
	if !ok {
		serviceError(w, "json", "NO_KEY", http.StatusBadRequest, "AccessDenied", "GetAuthorizationToken needs a request signed by a known key")
		return
	}
	account := id.Account
	if account == "" {
		account = t.scope().Account
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(map[string]any{"authorizationData": []map[string]any{{
		"authorizationToken": base64.StdEncoding.EncodeToString([]byte("AWS:" + password)),
		"expiresAt":          expires.Unix(),
		"proxyEndpoint":      "https://" + account + ".dkr.ecr." + t.scope().Region + ".amazonaws.com",
	}}})
}

// registryChallenge answers a registry request without valid credentials
// as ECR does: 401 with a Basic challenge for the registry.
func registryChallenge(w http.ResponseWriter, host, msg string) {
	w.Header().Set("Www-Authenticate", `Basic realm="https://`+host+`/",service="ecr.amazonaws.com"`)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Vpce-Reason", "REGISTRY_AUTH")
	w.WriteHeader(http.StatusUnauthorized)
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": "DENIED", "message": msg}}})
}

package dataplane

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"

	"github.com/vpce/vpce/internal/policy"
)

// Identity is who an access key acts as, and the policies that apply.
type Identity struct {
	Principal string           // arn:aws:iam::111122223333:role/app
	Account   string           // the principal's account
	Policies  []*policy.Policy // identity-based policies
	Boundary  *policy.Policy   // permissions boundary, nil for none
}

// Identities maps access key IDs to identities.
type Identities map[string]Identity

// identitiesFile is the --identities file:
//
//	{"identities": [{"accessKeyId": "AKIA…", "principal": "arn:aws:iam::111122223333:role/app",
//	                 "policies": [{…policy…}], "boundary": {…policy…}}]}
type identitiesFile struct {
	Identities []struct {
		AccessKeyID string            `json:"accessKeyId"`
		Principal   string            `json:"principal"`
		Policies    []json.RawMessage `json:"policies"`
		Boundary    json.RawMessage   `json:"boundary"`
	} `json:"identities"`
}

var arnAccount = regexp.MustCompile(`^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):`)

// LoadIdentities reads an --identities file; every policy is validated as
// IAM would.
func LoadIdentities(file string) (Identities, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var f identitiesFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	out := Identities{}
	for i, e := range f.Identities {
		m := arnAccount.FindStringSubmatch(e.Principal)
		if e.AccessKeyID == "" || m == nil {
			return nil, fmt.Errorf("%s: identity %d needs an accessKeyId and a principal ARN (arn:aws:iam::ACCOUNT:…)", file, i+1)
		}
		id := Identity{Principal: e.Principal, Account: m[1]}
		for j, raw := range e.Policies {
			p, fs := policy.Parse(fmt.Sprintf("%s policy %d", e.AccessKeyID, j+1), policy.KindIdentity, string(raw))
			if f := policy.Refusal(fs); f != nil {
				return nil, fmt.Errorf("%s: identity %s policy %d: %s", file, e.AccessKeyID, j+1, f.Message)
			}
			id.Policies = append(id.Policies, p)
		}
		if len(e.Boundary) > 0 && string(e.Boundary) != "null" {
			p, fs := policy.Parse(e.AccessKeyID+" boundary", policy.KindIdentity, string(e.Boundary))
			if f := policy.Refusal(fs); f != nil {
				return nil, fmt.Errorf("%s: identity %s boundary: %s", file, e.AccessKeyID, f.Message)
			}
			id.Boundary = p
		}
		out[e.AccessKeyID] = id
	}
	return out, nil
}

// accessKeyOf reads the SigV4 access key of a request: the Authorization
// header's Credential, or a presigned URL's X-Amz-Credential; "" when
// unsigned.
func accessKeyOf(r *http.Request) string {
	cred := ""
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "AWS4-HMAC-SHA256") {
		for _, part := range strings.Split(strings.TrimPrefix(h, "AWS4-HMAC-SHA256"), ",") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(part), "Credential="); ok {
				cred = v
			}
		}
	} else if v := r.URL.Query().Get("X-Amz-Credential"); v != "" {
		cred = v
	}
	key, _, _ := strings.Cut(cred, "/")
	return key
}

// identity returns who a request acts as: a mapped key's identity, else
// the root user of the key's account (a 12-digit key) or of the default
// account; anonymous when unsigned.
func (p *Proxy) identity(r *http.Request) (Identity, string) {
	return p.identityOf(accessKeyOf(r))
}

// identityOf is identity's answer for a key ("": anonymous).
func (p *Proxy) identityOf(key string) (Identity, string) {
	if key == "" {
		return Identity{}, ""
	}
	if id, ok := p.cfg.Identities[key]; ok {
		return id, key
	}
	acct := p.keyAccount(key)
	return Identity{Principal: "arn:aws:iam::" + acct + ":root", Account: acct}, key
}

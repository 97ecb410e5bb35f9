package ec2query

import (
	_ "embed"
	"encoding/json"
	"sort"
	"strings"
	"sync"

	"github.com/vpce/vpce/internal/apierr"
)

// params.json is written by scripts/opsgen from botocore's EC2 model: the
// top-level query parameters each action vpce serves takes in AWS.
//
//go:embed params.json
var paramsJSON []byte

// actionParams are the parameters per action, loaded on first use.
var actionParams = sync.OnceValue(func() map[string]map[string]bool {
	var doc struct {
		Actions map[string][]string `json:"actions"`
	}
	if err := json.Unmarshal(paramsJSON, &doc); err != nil {
		panic("ec2query: params.json: " + err.Error())
	}
	out := make(map[string]map[string]bool, len(doc.Actions))
	for a, names := range doc.Actions {
		set := make(map[string]bool, len(names))
		for _, n := range names {
			set[n] = true
		}
		out[a] = set
	}
	return out
})

// protocolParams are taken by every action: the protocol's own and
// SigV2/SigV4 query authentication's.
var protocolParams = map[string]bool{
	"Action": true, "Version": true, "DryRun": true,
	"AWSAccessKeyId": true, "Signature": true, "SignatureMethod": true, "SignatureVersion": true,
	"Timestamp": true, "Expires": true, "SecurityToken": true,
}

// checkParams refuses, as EC2 does, a parameter the action does not take
// in AWS's model: UnknownParameter, naming its top-level name as sent
// (names are case-sensitive). The alphabetically first is named.
func checkParams(action string, form map[string][]string) error {
	known, ok := actionParams()[action]
	if !ok {
		return nil
	}
	var unknown []string
	for k := range form {
		top, _, _ := strings.Cut(k, ".")
		if known[top] || protocolParams[top] || strings.HasPrefix(top, "X-Amz-") {
			continue
		}
		unknown = append(unknown, top)
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	return apierr.New("UnknownParameter", "The parameter %s is not recognized", apierr.Clip(unknown[0]))
}

package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/dataplane"
	"github.com/vpce/vpce/internal/ec2query"
	"github.com/vpce/vpce/internal/policy"
	"github.com/vpce/vpce/internal/reach"
)

// reachAPI serves path analysis over the caller's account and region:
// POST /_vpce/reach (a ReachRequest) and GET /_vpce/reach/matrix?vpc=.
type reachAPI struct {
	c   *cloud.Cloud
	api *ec2query.Handler
	dp  *dataplane.Proxy // nil without a data plane
}

// ReachRequest is the body of POST /_vpce/reach.
type ReachRequest struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Protocol string `json:"protocol,omitempty"`
	Port     int    `json:"port,omitempty"`
	// IPv6 asks for the IPv6 path (an IPv6 address as from or to implies it).
	IPv6 bool `json:"ipv6,omitempty"`
	// DNS is an inbound Resolver endpoint to resolve names at.
	DNS       string `json:"dns,omitempty"`
	Action    string `json:"action,omitempty"`
	Resource  string `json:"resource,omitempty"`
	Principal string `json:"principal,omitempty"`
	// IdentityPolicies and ResourcePolicy are policy documents.
	IdentityPolicies []string `json:"identityPolicies,omitempty"`
	ResourcePolicy   string   `json:"resourcePolicy,omitempty"`
}

// maxReachBody bounds a reach request: ten identity policies and a
// resource policy at their IAM maximums fit.
const maxReachBody = 256 << 10

// Query turns the request into a reach query, parsing its policies.
func (q *ReachRequest) Query() (reach.Query, error) {
	out := reach.Query{From: q.From, To: q.To, Protocol: q.Protocol, Port: q.Port, IPv6: q.IPv6, DNS: q.DNS, Action: q.Action, Resource: q.Resource, Principal: q.Principal}
	for i, doc := range q.IdentityPolicies {
		p, fs := policy.Parse(fmt.Sprintf("identity-%d", i+1), policy.KindIdentity, doc)
		if f := policy.Refusal(fs); f != nil {
			return out, fmt.Errorf("identity policy %d: %s", i+1, f.Message)
		}
		out.Identity = append(out.Identity, p)
	}
	if q.ResourcePolicy != "" {
		p, fs := policy.Parse("resource", policy.KindResource, q.ResourcePolicy)
		if f := policy.Refusal(fs); f != nil {
			return out, fmt.Errorf("resource policy: %s", f.Message)
		}
		out.ResourcePolicy = p
	}
	return out, nil
}

func (ra *reachAPI) analyzer(w http.ResponseWriter, r *http.Request) (*reach.Analyzer, []byte, bool) {
	id, body, err := authenticate(ra.api, r, maxReachBody)
	if err != nil {
		ec2query.WriteError(w, err)
		return nil, nil, false
	}
	snap, err := ra.c.LinkedSnapshot(r.Context(), id.Scope)
	if err != nil {
		ec2query.WriteError(w, err)
		return nil, nil, false
	}
	return reach.New(snap), body, true
}

// answer writes an analysis outcome: 400 for a query that names
// something unknown.
func answer(w http.ResponseWriter, v any, err error) {
	var ie *reach.InputError
	switch {
	case errors.As(err, &ie):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": ie.Msg})
	case err != nil:
		ec2query.WriteError(w, err)
	default:
		writeJSON(w, http.StatusOK, v)
	}
}

func (ra *reachAPI) analyze(w http.ResponseWriter, r *http.Request) {
	a, body, ok := ra.analyzer(w, r)
	if !ok {
		return
	}
	var req ReachRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the body must be a JSON reach request: " + err.Error()})
		return
	}
	q, err := req.Query()
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	res, err := a.Analyze(q)
	answer(w, res, err)
}

func (ra *reachAPI) matrix(w http.ResponseWriter, r *http.Request) {
	a, _, ok := ra.analyzer(w, r)
	if !ok {
		return
	}
	m, err := a.Matrix(r.URL.Query().Get("vpc"))
	answer(w, m, err)
}

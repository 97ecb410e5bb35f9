// Package route53resolver serves the Route 53 Resolver API (AWS JSON 1.1,
// X-Amz-Target "Route53Resolver.<Action>") over the domain's resolver
// endpoints and rules: inbound endpoints that on-premises clients query,
// outbound endpoints, FORWARD and SYSTEM rules and their VPC associations,
// which the VPC resolvers then follow.
package route53resolver

import (
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"

	json "github.com/goccy/go-json"
	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/ec2query"
)

// Service is the name Route 53 Resolver requests are signed for.
const Service = "route53resolver"

// TargetPrefix starts the X-Amz-Target header of every Route 53 Resolver
// request; [Handler.Match] routes on it.
const TargetPrefix = "Route53Resolver."

// maxBody bounds a request document.
const maxBody = 1 << 20

// Authenticator finds the account and region of a request signed for a
// service (and verifies the signature when auth is on).
type Authenticator func(r *http.Request, body []byte, service string) (cloud.Scope, error)

// Handler serves the Route 53 Resolver API.
type Handler struct {
	c    *cloud.Cloud
	auth Authenticator
}

// New returns the handler over a cloud.
func New(c *cloud.Cloud, auth Authenticator) *Handler { return &Handler{c: c, auth: auth} }

// Match reports whether a request is for this API.
func Match(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
}

// ServeHTTP decodes a request, runs its action and writes the answer.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		writeError(w, err)
		return
	}
	if len(body) > maxBody {
		writeError(w, &apierr.Error{Code: "InvalidRequestException", Message: "The request document is too large.", Status: http.StatusRequestEntityTooLarge})
		return
	}
	sc, err := h.auth(r, body, Service)
	if err != nil {
		writeError(w, err)
		return
	}
	action := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
	run, ok := actions[action]
	if !ok {
		writeError(w, &apierr.Error{Code: "UnknownOperationException", Message: "The action " + action + " is not served by vpce."})
		return
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	out, err := run(r.Context(), h.c, sc, body)
	if err != nil {
		writeError(w, err)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", ec2query.NewRequestID())
	w.Write(b)
}

type action func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, body []byte) (any, error)

// decode reads a request document into in; a document that is not JSON
// of the action's shape is a SerializationException.
func decode(body []byte, in any) error {
	if err := json.Unmarshal(body, in); err != nil {
		return &apierr.Error{Code: "SerializationException", Message: "The request document could not be read: " + err.Error()}
	}
	return nil
}

// run adapts a typed action.
func run[In any](f func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *In) (any, error)) action {
	return func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, body []byte) (any, error) {
		in := new(In)
		if err := decode(body, in); err != nil {
			return nil, err
		}
		return f(ctx, c, sc, in)
	}
}

type endpointID struct {
	ResolverEndpointID string `json:"ResolverEndpointId"`
}

type ruleID struct {
	ResolverRuleID string `json:"ResolverRuleId"`
}

type filtered struct {
	Filters []struct {
		Name   string
		Values []string
	}
	MaxResults int
	NextToken  string
}

// matches reports whether a resource's fields pass every filter (a filter
// matches when the field equals one of its values).
func (f *filtered) matches(fields map[string]string) bool {
	for _, fl := range f.Filters {
		v, ok := fields[fl.Name]
		if !ok {
			continue
		}
		hit := false
		for _, want := range fl.Values {
			hit = hit || strings.EqualFold(v, want)
		}
		if !hit {
			return false
		}
	}
	return true
}

var actions = map[string]action{
	"CreateResolverEndpoint": run(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *struct {
		CreatorRequestID string `json:"CreatorRequestId"`
		Name             string
		SecurityGroupIDs []string `json:"SecurityGroupIds"`
		Direction        string
		IPAddresses      []cloud.ResolverIPRequest `json:"IpAddresses"`
		Tags             []tag
	}) (any, error) {
		e, err := c.CreateResolverEndpoint(ctx, sc, in.CreatorRequestID, in.Name, in.Direction, in.SecurityGroupIDs, in.IPAddresses, tagMap(in.Tags))
		if err != nil {
			return nil, err
		}
		return map[string]any{"ResolverEndpoint": endpointOut(e)}, nil
	}),
	"GetResolverEndpoint": run(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *endpointID) (any, error) {
		e, err := c.GetResolverEndpoint(ctx, sc, in.ResolverEndpointID)
		if err != nil {
			return nil, err
		}
		return map[string]any{"ResolverEndpoint": endpointOut(e)}, nil
	}),
	"DeleteResolverEndpoint": run(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *endpointID) (any, error) {
		e, err := c.DeleteResolverEndpoint(ctx, sc, in.ResolverEndpointID)
		if err != nil {
			return nil, err
		}
		return map[string]any{"ResolverEndpoint": endpointOut(e)}, nil
	}),
	"ListResolverEndpoints": run(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *filtered) (any, error) {
		es, err := c.ListResolverEndpoints(ctx, sc)
		if err != nil {
			return nil, err
		}
		out := []any{}
		for _, e := range es {
			if in.matches(map[string]string{"Direction": e.Direction, "HostVPCId": e.HostVPCID, "Name": e.Name, "Status": e.Status}) {
				out = append(out, endpointOut(e))
			}
		}
		return map[string]any{"ResolverEndpoints": out, "MaxResults": maxResults(in.MaxResults)}, nil
	}),
	"ListResolverEndpointIpAddresses": run(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *struct {
		endpointID
		MaxResults int
	}) (any, error) {
		e, err := c.GetResolverEndpoint(ctx, sc, in.ResolverEndpointID)
		if err != nil {
			return nil, err
		}
		status := "ATTACHED"
		if e.Status == "CREATING" {
			status = "CREATING"
		}
		out := []any{}
		for _, ip := range e.IPs {
			out = append(out, map[string]any{"IpId": ip.IPID, "SubnetId": ip.SubnetID, "Ip": ip.IP.String(), "Status": status,
				"StatusMessage": "This IP address is " + strings.ToLower(status) + ".", "CreationTime": e.CreationTime, "ModificationTime": e.ModificationTime})
		}
		return map[string]any{"IpAddresses": out, "MaxResults": maxResults(in.MaxResults)}, nil
	}),
	"CreateResolverRule": run(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *struct {
		CreatorRequestID   string `json:"CreatorRequestId"`
		Name               string
		RuleType           string
		DomainName         string
		TargetIPs          []cloud.RuleTarget `json:"TargetIps"`
		ResolverEndpointID string             `json:"ResolverEndpointId"`
		Tags               []tag
	}) (any, error) {
		r, err := c.CreateResolverRule(ctx, sc, in.CreatorRequestID, in.Name, in.RuleType, in.DomainName, in.ResolverEndpointID, in.TargetIPs, tagMap(in.Tags))
		if err != nil {
			return nil, err
		}
		return map[string]any{"ResolverRule": r}, nil
	}),
	"GetResolverRule": run(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *ruleID) (any, error) {
		r, err := c.GetResolverRule(ctx, sc, in.ResolverRuleID)
		if err != nil {
			return nil, err
		}
		return map[string]any{"ResolverRule": r}, nil
	}),
	"DeleteResolverRule": run(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *ruleID) (any, error) {
		r, err := c.DeleteResolverRule(ctx, sc, in.ResolverRuleID)
		if err != nil {
			return nil, err
		}
		return map[string]any{"ResolverRule": r}, nil
	}),
	"ListResolverRules": run(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *filtered) (any, error) {
		rs, err := c.ListResolverRules(ctx, sc)
		if err != nil {
			return nil, err
		}
		out := []any{}
		for _, r := range rs {
			if in.matches(map[string]string{"DomainName": r.DomainName, "Name": r.Name, "ResolverEndpointId": r.ResolverEndpointID, "Status": r.Status, "Type": r.RuleType}) {
				out = append(out, r)
			}
		}
		return map[string]any{"ResolverRules": out, "MaxResults": maxResults(in.MaxResults)}, nil
	}),
	"AssociateResolverRule": run(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *struct {
		ruleID
		Name  string
		VPCID string `json:"VPCId"`
	}) (any, error) {
		a, err := c.AssociateResolverRule(ctx, sc, in.ResolverRuleID, in.VPCID, in.Name)
		if err != nil {
			return nil, err
		}
		return map[string]any{"ResolverRuleAssociation": a}, nil
	}),
	"GetResolverRuleAssociation": run(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *struct {
		ID string `json:"ResolverRuleAssociationId"`
	}) (any, error) {
		a, err := c.GetResolverRuleAssociation(ctx, sc, in.ID)
		if err != nil {
			return nil, err
		}
		return map[string]any{"ResolverRuleAssociation": a}, nil
	}),
	"ListResolverRuleAssociations": run(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *filtered) (any, error) {
		as, err := c.ListResolverRuleAssociations(ctx, sc)
		if err != nil {
			return nil, err
		}
		out := []any{}
		for _, a := range as {
			if in.matches(map[string]string{"Name": a.Name, "ResolverRuleId": a.ResolverRuleID, "Status": a.Status, "VPCId": a.VPCID}) {
				out = append(out, a)
			}
		}
		return map[string]any{"ResolverRuleAssociations": out, "MaxResults": maxResults(in.MaxResults)}, nil
	}),
	"DisassociateResolverRule": run(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *struct {
		ruleID
		VPCID string `json:"VPCId"`
	}) (any, error) {
		a, err := c.DisassociateResolverRule(ctx, sc, in.ResolverRuleID, in.VPCID)
		if err != nil {
			return nil, err
		}
		return map[string]any{"ResolverRuleAssociation": a}, nil
	}),
}

// tag is a Key/Value pair as the API carries it.
type tag struct {
	Key   string
	Value string
}

func tagMap(ts []tag) map[string]string {
	if len(ts) == 0 {
		return nil
	}
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[t.Key] = t.Value
	}
	return m
}

// tagActions are the tagging actions, which work on endpoints and rules.
var tagActions = map[string]action{
	"ListTagsForResource": run(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *struct {
		ResourceArn string
	}) (any, error) {
		m, err := c.ResolverTags(ctx, sc, in.ResourceArn)
		if err != nil {
			return nil, err
		}
		out := []tag{}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			out = append(out, tag{k, m[k]})
		}
		return map[string]any{"Tags": out}, nil
	}),
	"TagResource": run(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *struct {
		ResourceArn string
		Tags        []tag
	}) (any, error) {
		if len(in.Tags) == 0 {
			return nil, &apierr.Error{Code: "InvalidParameterException", Message: "Tags must name at least one tag."}
		}
		return struct{}{}, c.TagResolverResource(ctx, sc, in.ResourceArn, tagMap(in.Tags), nil)
	}),
	"UntagResource": run(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *struct {
		ResourceArn string
		TagKeys     []string
	}) (any, error) {
		return struct{}{}, c.TagResolverResource(ctx, sc, in.ResourceArn, nil, in.TagKeys)
	}),
}

func init() { maps.Copy(actions, tagActions) }

// maxResults is the page size an answer reports (everything fits one page).
func maxResults(n int) int {
	if n <= 0 {
		return 10
	}
	return n
}

// endpointOut is an endpoint as the API shows it.
func endpointOut(e *cloud.ResolverEndpoint) map[string]any {
	return map[string]any{
		"Id": e.ID, "CreatorRequestId": e.CreatorRequestID, "Arn": e.Arn, "Name": e.Name, "SecurityGroupIds": e.SecurityGroupIDs,
		"Direction": e.Direction, "IpAddressCount": e.IPAddressCount, "HostVPCId": e.HostVPCID, "Status": e.Status,
		"StatusMessage": e.StatusMessage, "CreationTime": e.CreationTime, "ModificationTime": e.ModificationTime,
		"ResolverEndpointType": "IPV4", "Protocols": []string{"Do53"},
	}
}

// writeError answers with an AWS JSON 1.1 error document.
func writeError(w http.ResponseWriter, err error) {
	e, ok := apierr.As(err)
	if !ok {
		var ae *apierr.Error
		if errors.As(err, &ae) {
			e = ae
		} else {
			e = &apierr.Error{Code: "InternalServiceErrorException", Message: "An internal error has occurred", Status: http.StatusInternalServerError}
		}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", ec2query.NewRequestID())
	w.Header().Set("X-Amzn-Errortype", e.Code)
	w.WriteHeader(e.HTTPStatus())
	b, _ := json.Marshal(map[string]string{"__type": e.Code, "message": e.Message})
	w.Write(b)
}

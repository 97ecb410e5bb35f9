// Package ram serves the part of AWS Resource Access Manager's API
// (REST-JSON, one POST path per action) that network-account designs
// use: resource shares of transit gateways and Resolver rules, their
// principal and resource associations, and the invitations principals
// accept. The domain rules live in package cloud.
package ram

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	json "github.com/goccy/go-json"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/ec2query"
)

// Service is the name RAM requests are signed for.
const Service = "ram"

// maxBody bounds a request document.
const maxBody = 1 << 20

// Authenticator finds the account and region of a request signed for a
// service (and verifies the signature when auth is on).
type Authenticator func(r *http.Request, body []byte, service string) (cloud.Scope, error)

// Handler serves the RAM API.
type Handler struct {
	c    *cloud.Cloud
	auth Authenticator
}

// New returns the handler over a cloud.
func New(c *cloud.Cloud, auth Authenticator) *Handler { return &Handler{c: c, auth: auth} }

// Paths are the request paths the handler serves, to mount on a mux.
func Paths() []string {
	out := make([]string, 0, len(actions))
	for p := range actions {
		out = append(out, p)
	}
	return out
}

type action struct {
	method string
	run    func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, r *http.Request, body []byte) (any, error)
}

// ServeHTTP decodes a request, runs its action and writes the answer.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, ok := actions[r.URL.Path]
	if !ok || r.Method != a.method {
		writeError(w, &apierr.Error{Code: "UnknownOperationException", Message: r.Method + " " + r.URL.Path + " is not a RAM action vpce serves.", Status: http.StatusNotFound})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		writeError(w, err)
		return
	}
	if len(body) > maxBody {
		writeError(w, &apierr.Error{Code: "InvalidParameterException", Message: "The request document is too large.", Status: http.StatusRequestEntityTooLarge})
		return
	}
	sc, err := h.auth(r, body, Service)
	if err != nil {
		writeError(w, err)
		return
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	out, err := a.run(r.Context(), h.c, sc, r, body)
	if err != nil {
		writeError(w, err)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Requestid", ec2query.NewRequestID())
	w.Write(b)
}

// post adapts a typed action whose input is the JSON body.
func post[In any](f func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *In) (any, error)) action {
	return action{http.MethodPost, func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, _ *http.Request, body []byte) (any, error) {
		in := new(In)
		if err := json.Unmarshal(body, in); err != nil {
			return nil, &apierr.Error{Code: "InvalidParameterException", Message: "The request document could not be read: " + err.Error()}
		}
		return f(ctx, c, sc, in)
	}}
}

type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// epoch is RAM's timestamp: seconds since 1970 (REST-JSON's default).
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func shareOut(s *cloud.ResourceShare) map[string]any {
	tags := []tag{}
	for k, v := range s.Tags {
		tags = append(tags, tag{k, v})
	}
	return map[string]any{"resourceShareArn": s.ARN, "name": s.Name, "owningAccountId": s.Owner, "allowExternalPrincipals": s.AllowExternal,
		"status": s.Status, "tags": tags, "creationTime": epoch(s.Created), "lastUpdatedTime": epoch(s.Updated), "featureSet": "STANDARD"}
}

func associationOut(a cloud.ShareAssociation) map[string]any {
	m := map[string]any{"resourceShareArn": a.ShareARN, "resourceShareName": a.ShareName, "associatedEntity": a.Member.Entity,
		"associationType": a.Kind, "status": a.Member.Status, "creationTime": epoch(a.Member.Created), "lastUpdatedTime": epoch(a.Member.Updated),
		"external": a.External}
	if a.Member.Message != "" {
		m["statusMessage"] = a.Member.Message
	}
	return m
}

func associationsOut(as []cloud.ShareAssociation) []any {
	out := []any{}
	for _, a := range as {
		out = append(out, associationOut(a))
	}
	return out
}

func invitationOut(i *cloud.ShareInvitation) map[string]any {
	return map[string]any{"resourceShareInvitationArn": i.ARN, "resourceShareName": i.Share.Name, "resourceShareArn": i.Share.ARN,
		"senderAccountId": i.Share.Owner, "receiverAccountId": i.Receiver, "invitationTimestamp": epoch(i.Sent), "status": i.Status}
}

type shareRequest struct {
	ResourceShareArn string   `json:"resourceShareArn"`
	ResourceArns     []string `json:"resourceArns"`
	Principals       []string `json:"principals"`
	ClientToken      string   `json:"clientToken"`
}

type invitationRequest struct {
	ResourceShareInvitationArn string `json:"resourceShareInvitationArn"`
	ClientToken                string `json:"clientToken"`
}

func required(name, v string) error {
	if v == "" {
		return &apierr.Error{Code: "InvalidParameterException", Message: "The parameter " + name + " is required."}
	}
	return nil
}

var actions = map[string]action{
	"/createresourceshare": post(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *struct {
		Name                    string   `json:"name"`
		ResourceArns            []string `json:"resourceArns"`
		Principals              []string `json:"principals"`
		Tags                    []tag    `json:"tags"`
		AllowExternalPrincipals *bool    `json:"allowExternalPrincipals"`
		ClientToken             string   `json:"clientToken"`
	}) (any, error) {
		tags := map[string]string{}
		for _, t := range in.Tags {
			tags[t.Key] = t.Value
		}
		s, err := c.CreateResourceShare(ctx, sc, &cloud.CreateResourceShareInput{Name: in.Name, ResourceArns: in.ResourceArns,
			Principals: in.Principals, Tags: tags, AllowExternalPrincipals: in.AllowExternalPrincipals})
		if err != nil {
			return nil, err
		}
		return map[string]any{"resourceShare": shareOut(s), "clientToken": in.ClientToken}, nil
	}),
	"/getresourceshares": post(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *struct {
		ResourceShareArns   []string `json:"resourceShareArns"`
		ResourceShareStatus string   `json:"resourceShareStatus"`
		ResourceOwner       string   `json:"resourceOwner"`
		Name                string   `json:"name"`
	}) (any, error) {
		if err := required("resourceOwner", in.ResourceOwner); err != nil {
			return nil, err
		}
		ss, err := c.GetResourceShares(ctx, sc, in.ResourceOwner, in.ResourceShareArns, in.ResourceShareStatus, in.Name)
		if err != nil {
			return nil, err
		}
		out := []any{}
		for _, s := range ss {
			out = append(out, shareOut(s))
		}
		return map[string]any{"resourceShares": out}, nil
	}),
	"/deleteresourceshare": {http.MethodDelete, func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, r *http.Request, _ []byte) (any, error) {
		arn := r.URL.Query().Get("resourceShareArn")
		if err := required("resourceShareArn", arn); err != nil {
			return nil, err
		}
		if err := c.DeleteResourceShare(ctx, sc, arn); err != nil {
			return nil, err
		}
		return map[string]any{"returnValue": true, "clientToken": r.URL.Query().Get("clientToken")}, nil
	}},
	"/associateresourceshare": post(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *shareRequest) (any, error) {
		if err := required("resourceShareArn", in.ResourceShareArn); err != nil {
			return nil, err
		}
		as, err := c.AssociateResourceShare(ctx, sc, in.ResourceShareArn, in.ResourceArns, in.Principals)
		if err != nil {
			return nil, err
		}
		return map[string]any{"resourceShareAssociations": associationsOut(as), "clientToken": in.ClientToken}, nil
	}),
	"/disassociateresourceshare": post(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *shareRequest) (any, error) {
		if err := required("resourceShareArn", in.ResourceShareArn); err != nil {
			return nil, err
		}
		as, err := c.DisassociateResourceShare(ctx, sc, in.ResourceShareArn, in.ResourceArns, in.Principals)
		if err != nil {
			return nil, err
		}
		return map[string]any{"resourceShareAssociations": associationsOut(as), "clientToken": in.ClientToken}, nil
	}),
	"/getresourceshareassociations": post(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *struct {
		AssociationType   string   `json:"associationType"`
		ResourceShareArns []string `json:"resourceShareArns"`
		ResourceArn       string   `json:"resourceArn"`
		Principal         string   `json:"principal"`
		AssociationStatus string   `json:"associationStatus"`
	}) (any, error) {
		if err := required("associationType", in.AssociationType); err != nil {
			return nil, err
		}
		as, err := c.GetResourceShareAssociations(ctx, sc, in.AssociationType, in.ResourceShareArns, in.ResourceArn, in.Principal, in.AssociationStatus)
		if err != nil {
			return nil, err
		}
		return map[string]any{"resourceShareAssociations": associationsOut(as)}, nil
	}),
	"/getresourceshareinvitations": post(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *struct {
		ResourceShareInvitationArns []string `json:"resourceShareInvitationArns"`
		ResourceShareArns           []string `json:"resourceShareArns"`
	}) (any, error) {
		is, err := c.GetResourceShareInvitations(ctx, sc, in.ResourceShareInvitationArns, in.ResourceShareArns)
		if err != nil {
			return nil, err
		}
		out := []any{}
		for i := range is {
			out = append(out, invitationOut(&is[i]))
		}
		return map[string]any{"resourceShareInvitations": out}, nil
	}),
	"/acceptresourceshareinvitation": post(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *invitationRequest) (any, error) {
		if err := required("resourceShareInvitationArn", in.ResourceShareInvitationArn); err != nil {
			return nil, err
		}
		i, err := c.AcceptResourceShareInvitation(ctx, sc, in.ResourceShareInvitationArn)
		if err != nil {
			return nil, err
		}
		return map[string]any{"resourceShareInvitation": invitationOut(i), "clientToken": in.ClientToken}, nil
	}),
	"/rejectresourceshareinvitation": post(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *invitationRequest) (any, error) {
		if err := required("resourceShareInvitationArn", in.ResourceShareInvitationArn); err != nil {
			return nil, err
		}
		i, err := c.RejectResourceShareInvitation(ctx, sc, in.ResourceShareInvitationArn)
		if err != nil {
			return nil, err
		}
		return map[string]any{"resourceShareInvitation": invitationOut(i), "clientToken": in.ClientToken}, nil
	}),
	"/listresourcesharepermissions": post(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *struct {
		ResourceShareArn string `json:"resourceShareArn"`
	}) (any, error) {
		if err := required("resourceShareArn", in.ResourceShareArn); err != nil {
			return nil, err
		}
		ps, err := c.ListResourceSharePermissions(ctx, sc, in.ResourceShareArn)
		if err != nil {
			return nil, err
		}
		out := []any{}
		for _, p := range ps {
			out = append(out, map[string]any{"arn": p.ARN, "version": "1", "defaultVersion": true, "name": p.Name, "resourceType": p.ResourceType,
				"status": "ATTACHABLE", "creationTime": epoch(p.Created), "lastUpdatedTime": epoch(p.Created), "isResourceTypeDefault": true,
				"permissionType": "AWS_MANAGED", "featureSet": "STANDARD"})
		}
		return map[string]any{"permissions": out}, nil
	}),
	"/listresources": post(func(ctx context.Context, c *cloud.Cloud, sc cloud.Scope, in *struct {
		ResourceOwner     string   `json:"resourceOwner"`
		ResourceType      string   `json:"resourceType"`
		ResourceShareArns []string `json:"resourceShareArns"`
	}) (any, error) {
		if err := required("resourceOwner", in.ResourceOwner); err != nil {
			return nil, err
		}
		rs, err := c.ListSharedResources(ctx, sc, in.ResourceOwner, in.ResourceType, in.ResourceShareArns)
		if err != nil {
			return nil, err
		}
		out := []any{}
		for _, r := range rs {
			out = append(out, map[string]any{"arn": r.ARN, "type": r.Type, "resourceShareArn": r.ShareARN, "status": r.Status,
				"creationTime": epoch(r.Created), "lastUpdatedTime": epoch(r.Updated), "resourceRegionScope": "REGIONAL"})
		}
		return map[string]any{"resources": out}, nil
	}),
}

// writeError answers with a REST-JSON error: the code in X-Amzn-ErrorType
// (where botocore and the SDKs read it) and the message in the body.
func writeError(w http.ResponseWriter, err error) {
	e, ok := apierr.As(err)
	if !ok {
		var ae *apierr.Error
		if errors.As(err, &ae) {
			e = ae
		} else {
			e = &apierr.Error{Code: "ServerInternalException", Message: "An internal error has occurred", Status: http.StatusInternalServerError}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Requestid", ec2query.NewRequestID())
	w.Header().Set("X-Amzn-Errortype", e.Code)
	w.WriteHeader(e.HTTPStatus())
	b, _ := json.Marshal(map[string]string{"message": e.Message})
	w.Write(b)
}

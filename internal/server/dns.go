package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/miekg/dns"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/ec2query"
	"github.com/vpce/vpce/internal/resolver"
)

// dnsAdmin serves the resolver's admin endpoints, used by `vpce dns`.
type dnsAdmin struct {
	c    *cloud.Cloud
	r    *resolver.Resolver
	port int
	api  *ec2query.Handler
}

// targets returns the resolvers the caller may see: with auth on, those
// of the caller's account (every account for an admin key).
func (d *dnsAdmin) targets(w http.ResponseWriter, r *http.Request) ([]cloud.ResolverTarget, bool) {
	id, err := admin(d.api, r, false)
	if err != nil {
		ec2query.WriteError(w, err)
		return nil, false
	}
	ts, err := d.c.ResolverTargets(r.Context())
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return nil, false
	}
	if !d.api.AuthOn() || id.Admin {
		return ts, true
	}
	own := ts[:0:0]
	for _, t := range ts {
		if t.Account == id.Account {
			own = append(own, t)
		}
	}
	return own, true
}

// ResolverInfo is one VPC resolver as GET /_vpce/dns lists it.
type ResolverInfo struct {
	cloud.ResolverTarget
	Port int    `json:"port"`
	Dig  string `json:"dig"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func (d *dnsAdmin) list(w http.ResponseWriter, r *http.Request) {
	ts, ok := d.targets(w, r)
	if !ok {
		return
	}
	out := make([]ResolverInfo, 0, len(ts))
	for _, t := range ts {
		out = append(out, ResolverInfo{t, d.port, fmt.Sprintf("dig @%s -p %d", t.Addr, d.port)})
	}
	writeJSON(w, http.StatusOK, out)
}

func (d *dnsAdmin) resolve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	vpc, name, typ := q.Get("vpc"), q.Get("name"), strings.ToUpper(q.Get("type"))
	if typ == "" {
		typ = "A"
	}
	qt, ok := dns.StringToType[typ]
	if !ok || name == "" || vpc == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want vpc, name and a known type"})
		return
	}
	ts, ok := d.targets(w, r)
	if !ok {
		return
	}
	for _, t := range ts {
		if t.VpcID != vpc || t.Inbound != "" {
			continue
		}
		req := new(dns.Msg)
		req.SetQuestion(dns.Fqdn(name), qt)
		ans, err := d.r.Resolve(r.Context(), t.Addr, req)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		res := resolver.Resolution{VpcID: vpc, Address: t.Addr.String(), Name: dns.Fqdn(name), Type: typ, Rcode: dns.RcodeToString[ans.Msg.Rcode], Reason: ans.Reason, Answers: []string{}}
		for _, rr := range ans.Msg.Answer {
			res.Answers = append(res.Answers, rr.String())
		}
		writeJSON(w, http.StatusOK, res)
		return
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"error": "no VPC " + vpc})
}

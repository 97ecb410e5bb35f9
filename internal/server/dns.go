package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/miekg/dns"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/resolver"
)

// dnsAdmin serves the resolver's admin endpoints, used by `vpce dns`.
type dnsAdmin struct {
	c    *cloud.Cloud
	r    *resolver.Resolver
	port int
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
	ts, err := d.c.ResolverTargets(r.Context())
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
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
	ts, err := d.c.ResolverTargets(r.Context())
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	for _, t := range ts {
		if t.VpcID != vpc {
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

package dataplane

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// operations.json is written by scripts/opsgen from botocore's service
// models: per catalog service, its protocols, JSON target prefixes,
// operation names, and each REST operation's method and request URI.
//
//go:embed operations.json
var operationsJSON []byte

// opService is one service's operations.
type opService struct {
	Models     []string    `json:"models"`
	Protocols  []string    `json:"protocols"`
	REST       [][3]string `json:"rest"`
	Operations []string    `json:"operations"`

	routes map[string][]route // by method
}

// route is a REST operation's request URI, compiled.
type route struct {
	op    string
	segs  []string // literal, "{label}" or "{label+}" (greedy, last)
	query [][2]string
	score int // literal segments and query keys: the most specific wins
}

// operationTable is the table, loaded on first use.
var operationTable = sync.OnceValue(func() map[string]*opService {
	var doc struct {
		Services map[string]*opService `json:"services"`
	}
	if err := json.Unmarshal(operationsJSON, &doc); err != nil {
		panic("dataplane: operations.json: " + err.Error())
	}
	for _, s := range doc.Services {
		s.routes = map[string][]route{}
		for _, r := range s.REST {
			s.routes[r[0]] = append(s.routes[r[0]], compileRoute(r[1], r[2]))
		}
	}
	return doc.Services
})

func compileRoute(uri, op string) route {
	path, query, _ := strings.Cut(uri, "?")
	r := route{op: op, segs: splitPath(path)}
	for _, s := range r.segs {
		if !strings.HasPrefix(s, "{") {
			r.score += 2
		}
	}
	if query != "" {
		for kv := range strings.SplitSeq(query, "&") {
			k, v, _ := strings.Cut(kv, "=")
			r.query = append(r.query, [2]string{k, v})
			r.score++
		}
	}
	return r
}

// splitPath splits a path into segments, without the empty ones a
// leading or trailing slash makes.
func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// restOperation names a REST request's operation by the model's request
// URIs: same method, literal segments equal, a label one segment, a
// greedy label the rest; the query keys the URI names present. The most
// specific match wins.
func (s *opService) restOperation(method string, u *url.URL) string {
	r := s.restRoute(method, u)
	if r == nil {
		return ""
	}
	return r.op
}

// restLabels are the values of the labels of the route a REST request
// matches ({FunctionName} → "my-function"), unescaped; nil when none.
func (s *opService) restLabels(method string, u *url.URL) map[string]string {
	r := s.restRoute(method, u)
	if r == nil {
		return nil
	}
	segs := splitPath(u.EscapedPath())
	labels := map[string]string{}
	for i, t := range r.segs {
		if !strings.HasPrefix(t, "{") || i >= len(segs) {
			continue
		}
		name := strings.Trim(t, "{}+")
		v := segs[i]
		if strings.HasSuffix(t, "+}") {
			v = strings.Join(segs[i:], "/")
		}
		if uv, err := url.PathUnescape(v); err == nil {
			labels[name] = uv
		}
	}
	return labels
}

// restRoute is the most specific route a REST request matches, or nil.
func (s *opService) restRoute(method string, u *url.URL) *route {
	segs := splitPath(u.EscapedPath())
	var q url.Values
	var best *route
	bestScore := -1
	for i := range s.routes[method] {
		r := &s.routes[method][i]
		if r.score <= bestScore || !r.matches(segs) {
			continue
		}
		if len(r.query) > 0 {
			if q == nil {
				q = u.Query()
			}
			ok := true
			for _, kv := range r.query {
				if !q.Has(kv[0]) || (kv[1] != "" && q.Get(kv[0]) != kv[1]) {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
		}
		best, bestScore = r, r.score
	}
	return best
}

func (r *route) matches(segs []string) bool {
	for i, t := range r.segs {
		if strings.HasSuffix(t, "+}") {
			return len(segs) > i // one segment or more
		}
		if i >= len(segs) {
			return false
		}
		if strings.HasPrefix(t, "{") {
			if segs[i] == "" {
				return false
			}
			continue
		}
		if v, err := url.PathUnescape(segs[i]); err != nil || v != t {
			return false
		}
	}
	return len(segs) == len(r.segs)
}

// rest reports whether the service speaks a REST protocol.
func (s *opService) rest() bool { return len(s.REST) > 0 }

// iamActions are the operations whose IAM action is not the operation's
// name (Service Authorization Reference).
var iamActions = map[string]string{
	"lambda:Invoke":                   "lambda:InvokeFunction",
	"lambda:InvokeWithResponseStream": "lambda:InvokeFunction",
	"execute-api:PostToConnection":    "execute-api:ManageConnections",
	"execute-api:GetConnection":       "execute-api:ManageConnections",
	"execute-api:DeleteConnection":    "execute-api:ManageConnections",
	// Bedrock's Converse API is allowed by the InvokeModel actions.
	"bedrock:Converse":       "bedrock:InvokeModel",
	"bedrock:ConverseStream": "bedrock:InvokeModelWithResponseStream",
}

// operationOf names a non-S3 request's operation and the protocol its
// errors are written in: the JSON target (X-Amz-Target), the RPC v2 CBOR
// path, the Query Action (URL or form body, read by the caller), else the
// REST route from the model. "" when none names it.
func operationOf(svc string, r *http.Request, formAction string) (op, protocol string) {
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		return target[strings.LastIndex(target, ".")+1:], "json"
	}
	if r.Header.Get("Smithy-Protocol") == "rpc-v2-cbor" {
		// /service/{ServiceName}/operation/{OperationName}
		segs := splitPath(r.URL.Path)
		if len(segs) == 4 && segs[0] == "service" && segs[2] == "operation" {
			return segs[3], "json"
		}
	}
	if formAction != "" {
		return formAction, "query"
	}
	if s := operationTable()[svc]; s != nil && s.rest() {
		if op := s.restOperation(r.Method, r.URL); op != "" {
			return op, "rest-json"
		}
	}
	return "", ""
}

package dataplane

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/vpce/vpce/internal/cloud"
)

// Resources of AWS JSON requests. botocore's models name operations, not
// the ARNs IAM authorizes them on, so the resource of the services whose
// endpoint policies commonly name resources is read here from the request
// document, by the member the service's authorization reference names:
// DynamoDB tables, KMS keys and aliases, Secrets Manager secrets, SSM
// parameters, SQS queues, Kinesis streams, CloudWatch Logs groups and ECR
// repositories. The resource's account is the source's (vpce does not
// know another's resources); every other request is decided on "*".

// maxJSONBody bounds the document read to find a resource; a larger one
// is decided on "*" and forwarded untouched.
const maxJSONBody = 1 << 20

// jsonResources returns the ARNs a JSON request of a service acts on, and
// puts the body back; nil when the service or operation is not one vpce
// reads resources of.
func jsonResources(r *http.Request, svc, op string, sc cloud.Scope) ([]string, error) {
	read, ok := resourceReaders[svc]
	if !ok || r.Body == nil || r.ContentLength > maxJSONBody {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody+1))
	if err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
	if len(body) > maxJSONBody {
		return nil, nil
	}
	d := &jsonDoc{sc: sc}
	if json.Unmarshal(body, &d.m) != nil {
		return nil, nil // the service answers a malformed document itself
	}
	out := read(op, d)
	slices.Sort(out)
	return slices.Compact(out), nil
}

// jsonDoc is a request document and the scope its names are resolved in.
type jsonDoc struct {
	m  map[string]json.RawMessage
	sc cloud.Scope
}

// str is a string member; "" when absent or not a string.
func (d *jsonDoc) str(k string) string {
	var s string
	if raw, ok := d.m[k]; ok && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return ""
}

// arn names a resource of the scope; a member that is already an ARN is
// kept as it is.
func (d *jsonDoc) arn(service, member, resource string) string {
	if strings.HasPrefix(member, "arn:") {
		return member
	}
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, d.sc.Region, d.sc.Account, resource)
}

type resourceReader func(op string, d *jsonDoc) []string

var resourceReaders = map[string]resourceReader{
	"dynamodb": func(op string, d *jsonDoc) []string {
		if t := d.str("TableName"); t != "" {
			return []string{d.arn("dynamodb", t, "table/"+t)}
		}
		// BatchGetItem / BatchWriteItem: one resource per table.
		var items map[string]json.RawMessage
		if raw, ok := d.m["RequestItems"]; ok && json.Unmarshal(raw, &items) == nil {
			var out []string
			for t := range items {
				out = append(out, d.arn("dynamodb", t, "table/"+t))
			}
			return out
		}
		return nil
	},
	"kms": func(op string, d *jsonDoc) []string {
		k := d.str("KeyId")
		switch {
		case k == "":
			return nil
		case strings.HasPrefix(k, "alias/"):
			return []string{d.arn("kms", k, k)}
		}
		return []string{d.arn("kms", k, "key/"+k)}
	},
	"secretsmanager": func(op string, d *jsonDoc) []string {
		if s := d.str("SecretId"); s != "" {
			// A name stands for the secret's ARN, whose random suffix vpce
			// does not know: policies name secrets with a trailing wildcard.
			return []string{d.arn("secretsmanager", s, "secret:"+s)}
		}
		return nil
	},
	"ssm": func(op string, d *jsonDoc) []string {
		param := func(n string) string { return d.arn("ssm", n, "parameter/"+strings.TrimPrefix(n, "/")) }
		switch op {
		case "GetParameter", "PutParameter", "DeleteParameter", "GetParameterHistory", "LabelParameterVersion", "UnlabelParameterVersion":
			if n := d.str("Name"); n != "" {
				return []string{param(n)}
			}
		case "GetParametersByPath":
			if p := d.str("Path"); p != "" {
				return []string{param(p)}
			}
		case "GetParameters", "DeleteParameters":
			var names []string
			if raw, ok := d.m["Names"]; ok && json.Unmarshal(raw, &names) == nil {
				var out []string
				for _, n := range names {
					out = append(out, param(n))
				}
				return out
			}
		}
		return nil
	},
	"sqs": func(op string, d *jsonDoc) []string { return sqsQueue(d.str("QueueUrl"), d.sc) },
	"kinesis-streams": func(op string, d *jsonDoc) []string {
		if a := d.str("StreamARN"); a != "" {
			return []string{a}
		}
		if s := d.str("StreamName"); s != "" {
			return []string{d.arn("kinesis", s, "stream/"+s)}
		}
		return nil
	},
	"logs": func(op string, d *jsonDoc) []string {
		g := d.str("logGroupName")
		if g == "" {
			return nil
		}
		if s := d.str("logStreamName"); s != "" {
			return []string{d.arn("logs", "", "log-group:"+g+":log-stream:"+s)}
		}
		return []string{d.arn("logs", "", "log-group:"+g)}
	},
	"ecr.api": func(op string, d *jsonDoc) []string {
		if r := d.str("repositoryName"); r != "" {
			return []string{d.arn("ecr", "", "repository/"+r)}
		}
		return nil
	},
}

// sqsQueue is the ARN of the queue a QueueUrl names:
// https://sqs.REGION.amazonaws.com/ACCOUNT/NAME (or the older
// REGION.queue.amazonaws.com); the URL's account, the scope's region
// when the host does not say.
func sqsQueue(queueURL string, sc cloud.Scope) []string {
	u, err := url.Parse(queueURL)
	if err != nil || queueURL == "" {
		return nil
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return nil
	}
	region := sc.Region
	labels := strings.Split(u.Hostname(), ".")
	switch {
	case len(labels) >= 3 && labels[0] == "sqs":
		region = labels[1]
	case len(labels) >= 3 && labels[1] == "queue":
		region = labels[0]
	}
	return []string{fmt.Sprintf("arn:aws:sqs:%s:%s:%s", region, parts[0], parts[1])}
}

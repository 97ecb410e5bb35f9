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
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		return nil, nil // the service answers a malformed document itself
	}
	str := func(k string) string {
		var s string
		if raw, ok := doc[k]; ok && json.Unmarshal(raw, &s) == nil {
			return s
		}
		return ""
	}
	arn := func(service, resource string) string {
		return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, sc.Region, sc.Account, resource)
	}
	out := read(op, str, doc, arn)
	if svc == "sqs" {
		out = sqsQueue(str("QueueUrl"), sc)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

type resourceReader func(op string, str func(string) string, doc map[string]json.RawMessage, arn func(service, resource string) string) []string

// orARN keeps a member that is already an ARN.
func orARN(v string, make func() string) string {
	if strings.HasPrefix(v, "arn:") {
		return v
	}
	return make()
}

var resourceReaders = map[string]resourceReader{
	"dynamodb": func(op string, str func(string) string, doc map[string]json.RawMessage, arn func(string, string) string) []string {
		if t := str("TableName"); t != "" {
			return []string{orARN(t, func() string { return arn("dynamodb", "table/"+t) })}
		}
		// BatchGetItem / BatchWriteItem: one resource per table.
		var items map[string]json.RawMessage
		if raw, ok := doc["RequestItems"]; ok && json.Unmarshal(raw, &items) == nil {
			var out []string
			for t := range items {
				out = append(out, orARN(t, func() string { return arn("dynamodb", "table/"+t) }))
			}
			return out
		}
		return nil
	},
	"kms": func(op string, str func(string) string, _ map[string]json.RawMessage, arn func(string, string) string) []string {
		k := str("KeyId")
		switch {
		case k == "":
			return nil
		case strings.HasPrefix(k, "alias/"):
			return []string{arn("kms", k)}
		}
		return []string{orARN(k, func() string { return arn("kms", "key/"+k) })}
	},
	"secretsmanager": func(op string, str func(string) string, _ map[string]json.RawMessage, arn func(string, string) string) []string {
		if s := str("SecretId"); s != "" {
			// A name stands for the secret's ARN, whose random suffix vpce
			// does not know: policies name secrets with a trailing wildcard.
			return []string{orARN(s, func() string { return arn("secretsmanager", "secret:"+s) })}
		}
		return nil
	},
	"ssm": func(op string, str func(string) string, doc map[string]json.RawMessage, arn func(string, string) string) []string {
		param := func(n string) string {
			return orARN(n, func() string { return arn("ssm", "parameter/"+strings.TrimPrefix(n, "/")) })
		}
		switch op {
		case "GetParameter", "PutParameter", "DeleteParameter", "GetParameterHistory", "LabelParameterVersion", "UnlabelParameterVersion":
			if n := str("Name"); n != "" {
				return []string{param(n)}
			}
		case "GetParametersByPath":
			if p := str("Path"); p != "" {
				return []string{param(p)}
			}
		case "GetParameters", "DeleteParameters":
			var names []string
			if raw, ok := doc["Names"]; ok && json.Unmarshal(raw, &names) == nil {
				var out []string
				for _, n := range names {
					out = append(out, param(n))
				}
				return out
			}
		}
		return nil
	},
	"kinesis-streams": func(op string, str func(string) string, _ map[string]json.RawMessage, arn func(string, string) string) []string {
		if a := str("StreamARN"); a != "" {
			return []string{a}
		}
		if s := str("StreamName"); s != "" {
			return []string{arn("kinesis", "stream/"+s)}
		}
		return nil
	},
	"sqs": func(string, func(string) string, map[string]json.RawMessage, func(string, string) string) []string {
		return nil // read from QueueUrl with the URL's account (sqsQueue)
	},
	"logs": func(op string, str func(string) string, _ map[string]json.RawMessage, arn func(string, string) string) []string {
		g := str("logGroupName")
		if g == "" {
			return nil
		}
		if s := str("logStreamName"); s != "" {
			return []string{arn("logs", "log-group:"+g+":log-stream:"+s)}
		}
		return []string{arn("logs", "log-group:"+g)}
	},
	"ecr.api": func(op string, str func(string) string, _ map[string]json.RawMessage, arn func(string, string) string) []string {
		if r := str("repositoryName"); r != "" {
			return []string{arn("ecr", "repository/"+r)}
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

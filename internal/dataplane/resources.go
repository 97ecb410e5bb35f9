package dataplane

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/vpce/vpce/internal/cloud"
)

// Resources of requests other than S3's. botocore's models name
// operations, not the ARNs IAM authorizes them on, so the resource of the
// services whose endpoint policies commonly name resources is read here
// from the request, by the member the service's authorization reference
// names. AWS JSON documents: DynamoDB tables, KMS keys and aliases,
// Secrets Manager secrets, SSM parameters (and StartSession / SendCommand
// targets and documents), SQS queues, Kinesis streams,
// Firehose delivery streams, CloudWatch Logs groups, ECR repositories,
// Step Functions state machines and executions, EventBridge buses
// (PutEvents), Athena workgroups, CodeBuild projects, the Glue Data
// Catalog (catalog, database, table), Redshift clusters (Data API), ECS
// services and tasks. Query parameters: SNS topics, SQS queues, the roles STS
// assumes. REST labels: Lambda functions, Bedrock models, SageMaker
// endpoints (InvokeEndpoint*). A name is resolved in the
// source's account and region (vpce does not know another's resources);
// an ARN is kept as given; every other request is decided on "*".

// maxJSONBody bounds the document read to find a resource; a larger one
// is decided on "*" and forwarded untouched.
const maxJSONBody = 1 << 20

// jsonResources returns the ARNs a JSON request of a service names, and
// puts the body back. read says the service's table read the document
// (not: a service vpce reads no resources of, a document too large or
// malformed), params that the document had members.
func jsonResources(r *http.Request, svc, op string, sc cloud.Scope) (res []string, read, params bool, err error) {
	reader, ok := resourceReaders[svc]
	if !ok || r.Body == nil || r.ContentLength > maxJSONBody {
		return nil, ok && r.Body == nil, false, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody+1))
	if err != nil {
		return nil, false, false, err
	}
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
	if len(body) > maxJSONBody {
		return nil, false, false, nil // a document too large to read: which resources it names is unknown
	}
	m, dup, err := decodeObject(body)
	if err != nil {
		// The service answers a malformed document itself; should it read
		// one that Go's decoder does not, the resource is unknown.
		return nil, false, false, nil
	}
	if dup != "" {
		// Go keeps the last value, a service may keep the first: which
		// resource it acts on is not vpce's to guess.
		return nil, false, false, fmt.Errorf("the JSON member %s is given more than once with different values", dup)
	}
	out := reader(op, &jsonDoc{m: m, sc: sc})
	slices.Sort(out)
	return slices.Compact(out), true, len(m) > 0, nil
}

// resourcesKnown says whether vpce knows the resources a request names:
// its service's table read the request (read) and named them, or named
// none for an operation taken to act on none, as AWS authorizes listings
// and account-wide descriptions — a List* or Describe* operation, or one
// given no parameters. Otherwise the operation may act on a resource in a
// member the table does not read (KMS Decrypt's key is in the ciphertext,
// DynamoDB's ExecuteStatement names its table in PartiQL): unknown, not
// "*".
func resourcesKnown(read bool, res []string, op string, params bool) bool {
	return read && (len(res) > 0 || !params || strings.HasPrefix(op, "List") || strings.HasPrefix(op, "Describe"))
}

// decodeObject decodes a JSON object's members, and names a member given
// twice with different values (dup).
func decodeObject(body []byte) (m map[string]json.RawMessage, dup string, err error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, "", fmt.Errorf("not a JSON object")
	}
	m = map[string]json.RawMessage{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, "", err
		}
		k, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, "", err
		}
		if old, ok := m[k]; ok && dup == "" && !bytes.Equal(old, v) {
			dup = k
		}
		m[k] = v
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, "", fmt.Errorf("not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, "", fmt.Errorf("data after the JSON object")
	}
	return m, dup, nil
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

// ssmTarget is the ARN of a node Systems Manager acts on: an EC2
// instance (i-…) or a hybrid managed node (mi-…); "" for other targets.
func ssmTarget(d *jsonDoc, id string) string {
	switch {
	case strings.HasPrefix(id, "arn:"):
		return id
	case strings.HasPrefix(id, "i-"):
		return fmt.Sprintf("arn:aws:ec2:%s:%s:instance/%s", d.sc.Region, d.sc.Account, id)
	case strings.HasPrefix(id, "mi-"):
		return fmt.Sprintf("arn:aws:ssm:%s:%s:managed-instance/%s", d.sc.Region, d.sc.Account, id)
	}
	return ""
}

// ssmDocument is the ARN of a Systems Manager document: AWS's own (names
// beginning with the reserved AWS, Amazon or Amzn) carry no account, as
// arn:aws:ssm:REGION::document/AWS-RunShellScript; a name of the account's
// own is the account's; an ARN (a shared document) is kept.
func ssmDocument(d *jsonDoc, name string) string {
	if strings.HasPrefix(name, "arn:") {
		return name
	}
	account := d.sc.Account
	if l := strings.ToLower(name); strings.HasPrefix(l, "aws") || strings.HasPrefix(l, "amazon") || strings.HasPrefix(l, "amzn") {
		account = ""
	}
	return fmt.Sprintf("arn:aws:ssm:%s:%s:document/%s", d.sc.Region, account, name)
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
		case "StartSession":
			// The target node; the document only when one is named (the
			// default session document is not checked unless a policy
			// asks with ssm:SessionDocumentAccessCheck).
			var out []string
			if t := ssmTarget(d, d.str("Target")); t != "" {
				out = append(out, t)
			}
			if doc := d.str("DocumentName"); doc != "" {
				out = append(out, ssmDocument(d, doc))
			}
			return out
		case "SendCommand":
			var ids []string
			var out []string
			if raw, ok := d.m["InstanceIds"]; ok && json.Unmarshal(raw, &ids) == nil {
				for _, id := range ids {
					if t := ssmTarget(d, id); t != "" {
						out = append(out, t)
					}
				}
			}
			if doc := d.str("DocumentName"); doc != "" {
				out = append(out, ssmDocument(d, doc))
			}
			return out
		}
		return nil
	},
	"sqs": func(op string, d *jsonDoc) []string {
		if q := d.str("QueueUrl"); q != "" {
			return sqsQueue(q, d.sc)
		}
		return sqsQueueName(d.str("QueueName"), d.sc)
	},
	"kinesis-firehose": func(op string, d *jsonDoc) []string {
		if s := d.str("DeliveryStreamName"); s != "" {
			return []string{d.arn("firehose", s, "deliverystream/"+s)}
		}
		return nil
	},
	"states": func(op string, d *jsonDoc) []string {
		for _, k := range []string{"stateMachineArn", "executionArn", "activityArn", "mapRunArn"} {
			if a := d.str(k); strings.HasPrefix(a, "arn:") {
				return []string{a}
			}
		}
		if n := d.str("name"); n != "" && op == "CreateStateMachine" {
			return []string{d.arn("states", n, "stateMachine:"+n)}
		}
		return nil
	},
	"events": func(op string, d *jsonDoc) []string {
		if op != "PutEvents" {
			return nil
		}
		// One resource per bus the entries name; "default" when unnamed.
		var entries []struct{ EventBusName string }
		if raw, ok := d.m["Entries"]; !ok || json.Unmarshal(raw, &entries) != nil {
			return nil
		}
		var out []string
		for _, e := range entries {
			bus := cmp.Or(e.EventBusName, "default")
			out = append(out, d.arn("events", bus, "event-bus/"+bus))
		}
		return out
	},
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
	"athena": func(op string, d *jsonDoc) []string {
		// A query runs in a workgroup, the primary one when none is named.
		w := d.str("WorkGroup")
		if w == "" && op == "StartQueryExecution" {
			w = "primary"
		}
		if w == "" {
			w = d.str("Name") // GetWorkGroup, UpdateWorkGroup, DeleteWorkGroup name it so
			if !strings.HasSuffix(op, "WorkGroup") {
				w = ""
			}
		}
		if w != "" {
			return []string{d.arn("athena", w, "workgroup/"+w)}
		}
		return nil
	},
	"codebuild": func(op string, d *jsonDoc) []string {
		if p := d.str("projectName"); p != "" {
			return []string{d.arn("codebuild", p, "project/"+p)}
		}
		var names []string
		if raw, ok := d.m["names"]; ok && op == "BatchGetProjects" && json.Unmarshal(raw, &names) == nil {
			var out []string
			for _, n := range names {
				out = append(out, d.arn("codebuild", n, "project/"+n))
			}
			return out
		}
		return nil
	},
	"glue": func(op string, d *jsonDoc) []string {
		// The Data Catalog is a tree: an operation on a table is
		// authorized on the catalog, the database and the table (AWS
		// Glue's "Specifying AWS Glue resource ARNs"); another account's
		// catalog is named by CatalogId.
		acct := cmp.Or(d.str("CatalogId"), d.sc.Account)
		arn := func(res string) string { return fmt.Sprintf("arn:aws:glue:%s:%s:%s", d.sc.Region, acct, res) }
		db, table := d.str("DatabaseName"), d.str("TableName")
		switch op {
		case "GetDatabase", "DeleteDatabase", "UpdateDatabase":
			db = d.str("Name")
		case "GetTable", "DeleteTable":
			table = d.str("Name")
		case "GetTables":
			if db != "" {
				return []string{arn("catalog"), arn("database/" + db), arn("table/" + db + "/*")}
			}
		}
		switch {
		case db != "" && table != "":
			return []string{arn("catalog"), arn("database/" + db), arn("table/" + db + "/" + table)}
		case db != "":
			return []string{arn("catalog"), arn("database/" + db)}
		}
		return nil
	},
	"ecs": func(op string, d *jsonDoc) []string {
		// Services and tasks are named within their cluster (the default
		// one when none is given): service/CLUSTER/NAME, task/CLUSTER/ID.
		cluster := cmp.Or(d.str("cluster"), "default")
		if strings.HasPrefix(cluster, "arn:") {
			cluster = cluster[strings.LastIndexByte(cluster, '/')+1:]
		}
		in := func(kind, id string) string {
			if strings.HasPrefix(id, "arn:") {
				return id
			}
			return d.arn("ecs", "", kind+"/"+cluster+"/"+id)
		}
		var ids []string
		var kind string
		switch op {
		case "UpdateService", "DeleteService":
			kind, ids = "service", []string{d.str("service")}
		case "DescribeServices":
			kind = "service"
			if raw, ok := d.m["services"]; !ok || json.Unmarshal(raw, &ids) != nil {
				return nil
			}
		case "StopTask":
			kind, ids = "task", []string{d.str("task")}
		case "DescribeTasks":
			kind = "task"
			if raw, ok := d.m["tasks"]; !ok || json.Unmarshal(raw, &ids) != nil {
				return nil
			}
		}
		var out []string
		for _, id := range ids {
			if id != "" {
				out = append(out, in(kind, id))
			}
		}
		return out
	},
	"redshift-data": func(op string, d *jsonDoc) []string {
		// A provisioned cluster by its identifier; a serverless workgroup's
		// ARN holds an ID vpce does not know ("*").
		if c := d.str("ClusterIdentifier"); c != "" {
			return []string{d.arn("redshift", c, "cluster:"+c)}
		}
		return nil
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

// sqsQueueName is the ARN of a queue named in the scope (CreateQueue,
// GetQueueUrl).
func sqsQueueName(name string, sc cloud.Scope) []string {
	if name == "" {
		return nil
	}
	return []string{fmt.Sprintf("arn:aws:sqs:%s:%s:%s", sc.Region, sc.Account, name)}
}

// ambiguous returns a parameter given more than once with different
// values (in the URL and in the body, say), or "": which value the
// service reads is not vpce's to guess, so such a request is not carried
// (SDKs never repeat a Query parameter; lists are numbered members).
func ambiguous(form url.Values) string {
	for k, vs := range form {
		for _, v := range vs[1:] {
			if v != vs[0] {
				return k
			}
		}
	}
	return ""
}

// queryResources returns the ARNs a Query request names: SNS topics, SQS
// queues, CloudFormation stacks, the role an STS AssumeRole* call assumes;
// read is false for another service's.
func queryResources(svc, op string, form url.Values, sc cloud.Scope) (res []string, read bool) {
	switch svc {
	case "sns":
		switch {
		case strings.HasPrefix(form.Get("TopicArn"), "arn:"):
			return []string{form.Get("TopicArn")}, true
		case strings.HasPrefix(form.Get("TargetArn"), "arn:"):
			return []string{form.Get("TargetArn")}, true
		case op == "CreateTopic" && form.Get("Name") != "":
			return []string{fmt.Sprintf("arn:aws:sns:%s:%s:%s", sc.Region, sc.Account, form.Get("Name"))}, true
		case strings.HasPrefix(form.Get("SubscriptionArn"), "arn:"):
			// A subscription is authorized on its topic: TOPIC-ARN:ID.
			sub := form.Get("SubscriptionArn")
			if i := strings.LastIndexByte(sub, ':'); strings.Count(sub, ":") == 6 {
				return []string{sub[:i]}, true
			}
		}
	case "sqs":
		if q := form.Get("QueueUrl"); q != "" {
			return sqsQueue(q, sc), true
		}
		return sqsQueueName(form.Get("QueueName"), sc), true
	case "cloudformation":
		// A stack's ARN ends with an ID vpce does not know (and CreateStack's
		// does not exist yet): the stack is decided as stack/NAME/*, which
		// policies naming the stack (stack/NAME/*) match.
		if n := form.Get("StackName"); strings.HasPrefix(n, "arn:") {
			return []string{n}, true
		} else if n != "" {
			return []string{fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/*", sc.Region, sc.Account, n)}, true
		}
	case "sts":
		if strings.HasPrefix(op, "AssumeRole") && strings.HasPrefix(form.Get("RoleArn"), "arn:") {
			return []string{form.Get("RoleArn")}, true
		}
		if op == "GetFederationToken" && form.Get("Name") != "" {
			return []string{fmt.Sprintf("arn:aws:sts::%s:federated-user/%s", sc.Account, form.Get("Name"))}, true
		}
	default:
		return nil, false // no other service's parameters are read
	}
	return nil, true
}

// restResources returns the ARNs a REST request's labels name: the
// Lambda function of every functions/{FunctionName} route (a version or
// alias from the name or the Qualifier parameter), SageMaker and Bedrock
// runtime endpoints and models; read is false for another service's.
func restResources(svc string, m *opService, method string, u *url.URL, sc cloud.Scope) (res []string, read bool) {
	if (svc != "lambda" && svc != "bedrock-runtime" && svc != "sagemaker.runtime") || m == nil {
		return nil, false // no other service's labels are read: no second match
	}
	labels := m.restLabels(method, u)
	if svc == "sagemaker.runtime" {
		// An endpoint's ARN holds its name in lower case, whatever case
		// it was created with (AccessDenied messages of InvokeEndpoint
		// and ListEndpoints' EndpointArn show it so).
		if name := labels["EndpointName"]; name != "" {
			return []string{fmt.Sprintf("arn:aws:sagemaker:%s:%s:endpoint/%s", sc.Region, sc.Account, strings.ToLower(name))}, true
		}
		return nil, true
	}
	if svc == "bedrock-runtime" {
		if id := labels["modelId"]; id != "" {
			return []string{bedrockModel(id, sc)}, true
		}
		return nil, true
	}
	if labels["FunctionName"] == "" {
		return nil, true
	}
	qualifiers := u.Query()["Qualifier"] // each one given is decided
	if len(qualifiers) == 0 {
		qualifiers = []string{""}
	}
	var out []string
	for _, q := range qualifiers {
		out = append(out, lambdaFunction(labels["FunctionName"], q, sc))
	}
	slices.Sort(out)
	return slices.Compact(out), true
}

// bedrockModel is the ARN of the model a Bedrock runtime call names: an
// ARN as given (a provisioned model, a prompt, an imported model…); an ID
// with a geography's prefix (us., eu., apac., global.…) is a system-defined
// cross-Region inference profile, the account's; any other ID is a
// foundation model, whose ARN has no account.
func bedrockModel(id string, sc cloud.Scope) string {
	if strings.HasPrefix(id, "arn:") {
		return id
	}
	if geo, rest, ok := strings.Cut(id, "."); ok && strings.Contains(rest, ".") {
		switch geo {
		case "us", "eu", "apac", "global", "us-gov", "jp", "au", "ca":
			return fmt.Sprintf("arn:aws:bedrock:%s:%s:inference-profile/%s", sc.Region, sc.Account, id)
		}
	}
	return fmt.Sprintf("arn:aws:bedrock:%s::foundation-model/%s", sc.Region, id)
}

// lambdaFunction is the ARN of a function as Lambda accepts its name:
// my-function, my-function:v1, 123456789012:function:my-function, or the
// whole ARN; a qualifier given apart is appended.
func lambdaFunction(name, qualifier string, sc cloud.Scope) string {
	arn := name
	switch parts := strings.Split(name, ":"); {
	case strings.HasPrefix(name, "arn:"):
	case len(parts) >= 3 && parts[1] == "function":
		arn = fmt.Sprintf("arn:aws:lambda:%s:%s", sc.Region, name)
	default:
		arn = fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", sc.Region, sc.Account, name)
	}
	if qualifier != "" && strings.Count(arn, ":") == 6 {
		arn += ":" + qualifier
	}
	return arn
}

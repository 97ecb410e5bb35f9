package dataplane

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cloud/cloudtest"
)

// TestJSONResources pins the ARNs read from AWS JSON documents, by the
// member each service's authorization names; the body is left whole.
func TestJSONResources(t *testing.T) {
	for _, tc := range []struct{ svc, op, body, want string }{
		{"dynamodb", "GetItem", `{"TableName":"orders","Key":{}}`, "arn:aws:dynamodb:us-east-1:123456789012:table/orders"},
		{"dynamodb", "BatchGetItem", `{"RequestItems":{"b":{},"a":{}}}`, "arn:aws:dynamodb:us-east-1:123456789012:table/a arn:aws:dynamodb:us-east-1:123456789012:table/b"},
		{"dynamodb", "GetItem", `{"TableName":"arn:aws:dynamodb:us-east-1:999999999999:table/x"}`, "arn:aws:dynamodb:us-east-1:999999999999:table/x"},
		{"kms", "Decrypt", `{"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab"}`, "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
		{"kms", "Encrypt", `{"KeyId":"alias/app"}`, "arn:aws:kms:us-east-1:123456789012:alias/app"},
		{"kms", "Decrypt", `{"CiphertextBlob":"eA=="}`, ""},
		{"secretsmanager", "GetSecretValue", `{"SecretId":"prod/db"}`, "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db"},
		{"ssm", "GetParameter", `{"Name":"/app/url"}`, "arn:aws:ssm:us-east-1:123456789012:parameter/app/url"},
		{"ssm", "GetParameters", `{"Names":["a","/b"]}`, "arn:aws:ssm:us-east-1:123456789012:parameter/a arn:aws:ssm:us-east-1:123456789012:parameter/b"},
		{"ssm", "StartSession", `{"Target":"i-0abc"}`, "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"},
		{"ssm", "StartSession", `{"Target":"mi-0abc","DocumentName":"AWS-StartPortForwardingSession"}`, "arn:aws:ssm:us-east-1:123456789012:managed-instance/mi-0abc arn:aws:ssm:us-east-1::document/AWS-StartPortForwardingSession"},
		{"ssm", "StartSession", `{"Target":"i-0abc","DocumentName":"SSM-SessionManagerRunShell"}`, "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc arn:aws:ssm:us-east-1:123456789012:document/SSM-SessionManagerRunShell"},
		{"ssm", "StartSession", `{"Target":"ecs:cluster_task_container"}`, ""},
		{"ssm", "StartSession", `{"Target":"i-0abc","DocumentName":"AmazonEKS-Debug"}`, "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc arn:aws:ssm:us-east-1::document/AmazonEKS-Debug"},
		{"ssm", "StartSession", `{"Target":"i-0abc","DocumentName":"Ops-Shell"}`, "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc arn:aws:ssm:us-east-1:123456789012:document/Ops-Shell"},
		{"ssm", "SendCommand", `{"InstanceIds":["i-1","i-2"],"DocumentName":"AWS-RunShellScript"}`, "arn:aws:ec2:us-east-1:123456789012:instance/i-1 arn:aws:ec2:us-east-1:123456789012:instance/i-2 arn:aws:ssm:us-east-1::document/AWS-RunShellScript"},
		{"ssm", "SendCommand", `{"Targets":[{"Key":"tag:env","Values":["prod"]}],"DocumentName":"arn:aws:ssm:us-east-1:210987654321:document/shared"}`, "arn:aws:ssm:us-east-1:210987654321:document/shared"},
		{"ssm", "DescribeInstanceInformation", `{"Name":"x"}`, ""},
		{"sqs", "SendMessage", `{"QueueUrl":"https://sqs.eu-west-1.amazonaws.com/210987654321/jobs"}`, "arn:aws:sqs:eu-west-1:210987654321:jobs"},
		{"kinesis-streams", "PutRecord", `{"StreamName":"clicks"}`, "arn:aws:kinesis:us-east-1:123456789012:stream/clicks"},
		{"logs", "PutLogEvents", `{"logGroupName":"app","logStreamName":"i-1"}`, "arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:i-1"},
		{"ecr.api", "BatchGetImage", `{"repositoryName":"web"}`, "arn:aws:ecr:us-east-1:123456789012:repository/web"},
		{"athena", "StartQueryExecution", `{"QueryString":"SELECT 1"}`, "arn:aws:athena:us-east-1:123456789012:workgroup/primary"},
		{"athena", "StartQueryExecution", `{"QueryString":"SELECT 1","WorkGroup":"analysts"}`, "arn:aws:athena:us-east-1:123456789012:workgroup/analysts"},
		{"athena", "GetWorkGroup", `{"WorkGroup":"analysts"}`, "arn:aws:athena:us-east-1:123456789012:workgroup/analysts"},
		{"athena", "GetQueryExecution", `{"QueryExecutionId":"q-1"}`, ""},
		{"codebuild", "StartBuild", `{"projectName":"web"}`, "arn:aws:codebuild:us-east-1:123456789012:project/web"},
		{"codebuild", "BatchGetProjects", `{"names":["b","arn:aws:codebuild:us-east-1:210987654321:project/a"]}`, "arn:aws:codebuild:us-east-1:123456789012:project/b arn:aws:codebuild:us-east-1:210987654321:project/a"},
		{"glue", "GetTable", `{"DatabaseName":"sales","Name":"orders"}`, "arn:aws:glue:us-east-1:123456789012:catalog arn:aws:glue:us-east-1:123456789012:database/sales arn:aws:glue:us-east-1:123456789012:table/sales/orders"},
		{"glue", "GetPartitions", `{"CatalogId":"210987654321","DatabaseName":"sales","TableName":"orders"}`, "arn:aws:glue:us-east-1:210987654321:catalog arn:aws:glue:us-east-1:210987654321:database/sales arn:aws:glue:us-east-1:210987654321:table/sales/orders"},
		{"glue", "GetDatabase", `{"Name":"sales"}`, "arn:aws:glue:us-east-1:123456789012:catalog arn:aws:glue:us-east-1:123456789012:database/sales"},
		{"glue", "GetTables", `{"DatabaseName":"sales"}`, "arn:aws:glue:us-east-1:123456789012:catalog arn:aws:glue:us-east-1:123456789012:database/sales arn:aws:glue:us-east-1:123456789012:table/sales/*"},
		{"glue", "GetJobs", `{}`, ""},
		{"redshift-data", "ExecuteStatement", `{"ClusterIdentifier":"dw","Database":"dev","Sql":"select 1"}`, "arn:aws:redshift:us-east-1:123456789012:cluster:dw"},
		{"redshift-data", "ExecuteStatement", `{"WorkgroupName":"wg","Sql":"select 1"}`, ""},
		{"ecs", "UpdateService", `{"cluster":"prod","service":"web","desiredCount":2}`, "arn:aws:ecs:us-east-1:123456789012:service/prod/web"},
		{"ecs", "UpdateService", `{"service":"web"}`, "arn:aws:ecs:us-east-1:123456789012:service/default/web"},
		{"ecs", "DescribeServices", `{"cluster":"arn:aws:ecs:us-east-1:123456789012:cluster/prod","services":["web","arn:aws:ecs:us-east-1:123456789012:service/prod/api"]}`, "arn:aws:ecs:us-east-1:123456789012:service/prod/api arn:aws:ecs:us-east-1:123456789012:service/prod/web"},
		{"ecs", "StopTask", `{"cluster":"prod","task":"0123456789abcdef0123456789abcdef"}`, "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef"},
		{"ecs", "ListTasks", `{"cluster":"prod"}`, ""},
		{"dynamodb", "GetItem", `not json`, ""},
		{"sts", "GetCallerIdentity", `{"TableName":"x"}`, ""},
	} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
		got, read, params, err := jsonResources(r, tc.svc, tc.op, sc)
		known := resourcesKnown(read, got, tc.op, params)
		if err != nil || strings.Join(got, " ") != tc.want {
			t.Errorf("%s %s %s = %v %v, want %s", tc.svc, tc.op, tc.body, got, err, tc.want)
		}
		// A service without a reader, a document Go cannot read, or an
		// operation the reader names nothing for that is neither a listing
		// nor given no parameters: the resource is unknown (not "none").
		unknown := map[string]bool{"sts GetCallerIdentity": true, "dynamodb GetItem not json": true,
			`kms Decrypt {"CiphertextBlob":"eA=="}`: true, `ssm StartSession {"Target":"ecs:cluster_task_container"}`: true,
			`athena GetQueryExecution {"QueryExecutionId":"q-1"}`: true, `redshift-data ExecuteStatement {"WorkgroupName":"wg","Sql":"select 1"}`: true}
		if want := !unknown[tc.svc+" "+tc.op] && !unknown[tc.svc+" "+tc.op+" "+tc.body]; known != want {
			t.Errorf("%s %s %s: known %v, want %v", tc.svc, tc.op, tc.body, known, want)
		}
		if b, _ := io.ReadAll(r.Body); string(b) != tc.body {
			t.Errorf("%s %s: body after reading = %q", tc.svc, tc.op, b)
		}
	}
}

// TestResourceInEndpointPolicy: a DynamoDB gateway endpoint whose policy
// allows one table: GetItem on it reaches the upstream, on another table
// it is refused as DynamoDB refuses (AccessDeniedException naming the
// table's ARN), and a batch naming both is refused whole.
func TestResourceInEndpointPolicy(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	doc := `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-east-1:123456789012:table/orders"}]}`
	cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(r.c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: r.vpc, ServiceName: "com.amazonaws.us-east-1.dynamodb",
		RouteTableIDs: []string{r.rtb}, PolicyDocument: &doc}))
	var got []string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		got = append(got, string(b))
		io.WriteString(w, `{"Item":{}}`)
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	r.p = New(Config{Cloud: r.c, CA: r.ca, Upstreams: map[string]*url.URL{"dynamodb": u}})
	r.proxy = startProxy(t, r.p)
	c := r.client(r.inst)
	call := func(target, body string) (int, http.Header, string) {
		req := signed("POST", "https://dynamodb.us-east-1.amazonaws.com/", body)
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	if code, _, body := call("GetItem", `{"TableName":"orders","Key":{"id":{"S":"1"}}}`); code != 200 || len(got) != 1 || !strings.Contains(got[0], `"orders"`) {
		t.Fatalf("GetItem on orders: %d %s (upstream saw %v)", code, body, got)
	}
	code, hdr, body := call("GetItem", `{"TableName":"users","Key":{"id":{"S":"1"}}}`)
	if code != 400 || !strings.Contains(body, "AccessDeniedException") || !strings.Contains(body, "arn:aws:dynamodb:us-east-1:123456789012:table/users") ||
		hdr.Get("X-Vpce-Reason") != "ENDPOINT_POLICY_DENY" || len(got) != 1 {
		t.Fatalf("GetItem on users: %d %v %s", code, hdr, body)
	}
	if code, _, body := call("BatchGetItem", `{"RequestItems":{"orders":{"Keys":[]},"users":{"Keys":[]}}}`); code != 400 || len(got) != 1 {
		t.Fatalf("a batch naming both tables: %d %s (upstream saw %d)", code, body, len(got))
	}
}

// TestQueryAndRESTResources pins the ARNs read from Query parameters
// (SNS, SQS, STS) and REST labels (Lambda), and the JSON services added
// with them (Firehose, Step Functions, EventBridge PutEvents).
func TestQueryAndRESTResources(t *testing.T) {
	for _, tc := range []struct{ svc, op, form, want string }{
		{"sns", "Publish", "TopicArn=arn:aws:sns:us-east-1:123456789012:alerts&Message=hi", "arn:aws:sns:us-east-1:123456789012:alerts"},
		{"sns", "Publish", "TargetArn=arn:aws:sns:us-east-1:123456789012:endpoint/GCM/app/1&Message=hi", "arn:aws:sns:us-east-1:123456789012:endpoint/GCM/app/1"},
		{"sns", "Publish", "PhoneNumber=%2B15555550100&Message=hi", ""},
		{"sns", "CreateTopic", "Name=alerts", "arn:aws:sns:us-east-1:123456789012:alerts"},
		{"cloudformation", "UpdateStack", "StackName=web&UsePreviousTemplate=true", "arn:aws:cloudformation:us-east-1:123456789012:stack/web/*"},
		{"cloudformation", "DescribeStacks", "StackName=arn%3Aaws%3Acloudformation%3Aus-east-1%3A123456789012%3Astack%2Fweb%2F1a2b", "arn:aws:cloudformation:us-east-1:123456789012:stack/web/1a2b"},
		{"cloudformation", "ListStacks", "", ""},
		{"sns", "Unsubscribe", "SubscriptionArn=arn:aws:sns:us-east-1:123456789012:alerts:0b9f1c3e-1111-2222-3333-444455556666", "arn:aws:sns:us-east-1:123456789012:alerts"},
		{"sns", "ListTopics", "", ""},
		{"sqs", "SendMessage", "QueueUrl=https%3A%2F%2Fsqs.us-east-1.amazonaws.com%2F123456789012%2Fjobs&MessageBody=x", "arn:aws:sqs:us-east-1:123456789012:jobs"},
		{"sqs", "GetQueueUrl", "QueueName=jobs", "arn:aws:sqs:us-east-1:123456789012:jobs"},
		{"sts", "AssumeRole", "RoleArn=arn:aws:iam::210987654321:role/deploy&RoleSessionName=s", "arn:aws:iam::210987654321:role/deploy"},
		{"sts", "GetFederationToken", "Name=bob", "arn:aws:sts::123456789012:federated-user/bob"},
		{"sts", "GetCallerIdentity", "RoleArn=arn:aws:iam::1:role/x", ""},
	} {
		form, _ := url.ParseQuery(tc.form)
		res, _ := queryResources(tc.svc, tc.op, form, sc)
		if got := strings.Join(res, " "); got != tc.want {
			t.Errorf("%s %s %s = %q, want %q", tc.svc, tc.op, tc.form, got, tc.want)
		}
	}
	hosts := map[string]string{"lambda": "lambda", "bedrock-runtime": "bedrock-runtime", "sagemaker.runtime": "runtime.sagemaker"}
	for _, tc := range []struct{ svc, method, path, want string }{
		{"lambda", "POST", "/2015-03-31/functions/resize/invocations", "arn:aws:lambda:us-east-1:123456789012:function:resize"},
		{"lambda", "POST", "/2015-03-31/functions/resize/invocations?Qualifier=prod", "arn:aws:lambda:us-east-1:123456789012:function:resize:prod"},
		{"lambda", "POST", "/2015-03-31/functions/resize%3A7/invocations", "arn:aws:lambda:us-east-1:123456789012:function:resize:7"},
		{"lambda", "GET", "/2015-03-31/functions/210987654321%3Afunction%3Aresize", "arn:aws:lambda:us-east-1:210987654321:function:resize"},
		{"lambda", "GET", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A210987654321%3Afunction%3Aresize/configuration", "arn:aws:lambda:eu-west-1:210987654321:function:resize"},
		{"lambda", "GET", "/2015-03-31/functions/resize/aliases/live", "arn:aws:lambda:us-east-1:123456789012:function:resize"},
		{"lambda", "GET", "/2015-03-31/functions/", ""},
		{"lambda", "POST", "/2015-03-31/functions/resize/invocations?Qualifier=1&Qualifier=2", "arn:aws:lambda:us-east-1:123456789012:function:resize:1 arn:aws:lambda:us-east-1:123456789012:function:resize:2"},
		{"bedrock-runtime", "POST", "/model/amazon.titan-text-express-v1/invoke", "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1"},
		{"bedrock-runtime", "POST", "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse", "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"},
		{"bedrock-runtime", "POST", "/model/us.anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream", "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0"},
		{"bedrock-runtime", "POST", "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aprovisioned-model%2Fabc/invoke", "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc"},
		{"bedrock-runtime", "POST", "/guardrail/gr1/version/1/apply", ""},
		{"sagemaker.runtime", "POST", "/endpoints/Churn-Model-2/invocations", "arn:aws:sagemaker:us-east-1:123456789012:endpoint/churn-model-2"},
		{"sagemaker.runtime", "POST", "/endpoints/churn/async-invocations", "arn:aws:sagemaker:us-east-1:123456789012:endpoint/churn"},
		{"sagemaker.runtime", "POST", "/endpoints/LaBSE/invocations-response-stream", "arn:aws:sagemaker:us-east-1:123456789012:endpoint/labse"},
		{"sagemaker.runtime", "POST", "/endpoints/", ""},
	} {
		u, _ := url.Parse("https://" + hosts[tc.svc] + ".us-east-1.amazonaws.com" + tc.path)
		res, _ := restResources(tc.svc, operationTable()[tc.svc], tc.method, u, sc)
		if got := strings.Join(res, " "); got != tc.want {
			t.Errorf("%s %s %s = %q, want %q", tc.svc, tc.method, tc.path, got, tc.want)
		}
	}
	for svc, want := range map[string]string{"kinesis-firehose": "firehose", "bedrock-runtime": "bedrock", "bedrock-agent-runtime": "bedrock",
		"appconfigdata": "appconfig", "tagging": "tag", "sagemaker.runtime": "sagemaker", "ecr.dkr": "ecr", "monitoring": "cloudwatch", "rds-data": "rds-data",
		"guardduty-data": "guardduty", "memory-db": "memorydb", "sync-states": "states", "git-codecommit": "codecommit", "ecs-agent": "ecs",
		"ecs-telemetry": "ecs", "appmesh-envoy-management": "appmesh", "appsync-api": "appsync", "bedrock-agent": "bedrock", "email-smtp": "ses"} {
		if got := iamPrefix(svc); got != want {
			t.Errorf("iamPrefix(%s) = %s, want %s", svc, got, want)
		}
	}
	for _, tc := range []struct{ svc, op, body, want string }{
		{"kinesis-firehose", "PutRecord", `{"DeliveryStreamName":"logs","Record":{}}`, "arn:aws:firehose:us-east-1:123456789012:deliverystream/logs"},
		{"states", "StartExecution", `{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:etl"}`, "arn:aws:states:us-east-1:123456789012:stateMachine:etl"},
		{"states", "CreateStateMachine", `{"name":"etl","definition":"{}"}`, "arn:aws:states:us-east-1:123456789012:stateMachine:etl"},
		{"events", "PutEvents", `{"Entries":[{"Source":"a"},{"EventBusName":"orders"},{"EventBusName":"arn:aws:events:us-east-1:210987654321:event-bus/x"}]}`,
			"arn:aws:events:us-east-1:123456789012:event-bus/default arn:aws:events:us-east-1:123456789012:event-bus/orders arn:aws:events:us-east-1:210987654321:event-bus/x"},
		{"events", "PutRule", `{"Name":"r","EventBusName":"orders"}`, ""},
		{"sqs", "CreateQueue", `{"QueueName":"jobs"}`, "arn:aws:sqs:us-east-1:123456789012:jobs"},
	} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
		got, _, _, err := jsonResources(r, tc.svc, tc.op, sc)
		if err != nil || strings.Join(got, " ") != tc.want {
			t.Errorf("%s %s %s = %v %v, want %s", tc.svc, tc.op, tc.body, got, err, tc.want)
		}
	}
}

// TestQueryAndRESTResourcesInEndpointPolicy: an SNS endpoint whose policy
// allows publishing to one topic, and a Lambda endpoint whose policy
// allows invoking one function: the allowed calls reach the upstream
// (the Query body whole), the others are refused in the service's
// protocol, naming the resource.
func TestQueryAndRESTResourcesInEndpointPolicy(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	cloudtest.Must[*cloud.Return](t)(r.c.ModifyVpcAttribute(ctx, sc, &cloud.ModifyVpcAttributeInput{VpcID: r.vpc, EnableDNSHostnames: &cloud.AttributeBoolean{Value: cloudtest.Ptr(true)}}))
	endpoint := func(svc, doc string) {
		cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(r.c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: r.vpc, VpcEndpointType: "Interface",
			ServiceName: "com.amazonaws.us-east-1." + svc, SubnetIDs: []string{r.subnet}, PrivateDNSEnabled: cloudtest.Ptr(true), PolicyDocument: &doc}))
	}
	endpoint("sns", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"arn:aws:sns:us-east-1:123456789012:alerts"}]}`)
	endpoint("lambda", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":["arn:aws:lambda:us-east-1:123456789012:function:resize","arn:aws:lambda:us-east-1:123456789012:function:resize:*"]}]}`)
	endpoint("sagemaker.runtime", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sagemaker:InvokeEndpoint","Resource":"arn:aws:sagemaker:us-east-1:123456789012:endpoint/churn"}]}`)
	var got []string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		got = append(got, req.Host+" "+req.URL.RequestURI()+" "+string(b))
		io.WriteString(w, `{}`)
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	r.p = New(Config{Cloud: r.c, CA: r.ca, Upstreams: map[string]*url.URL{"sns": u, "lambda": u, "sagemaker.runtime": u}})
	r.proxy = startProxy(t, r.p)
	c := r.client(r.inst)
	publish := func(topic string) (int, http.Header, string) {
		req := signed("POST", "https://sns.us-east-1.amazonaws.com/", "Action=Publish&Version=2010-03-31&Message=hi&TopicArn="+url.QueryEscape(topic))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return send(t, c, req)
	}
	if code, _, body := publish("arn:aws:sns:us-east-1:123456789012:alerts"); code != 200 || len(got) != 1 || !strings.Contains(got[0], "Message=hi") {
		t.Fatalf("Publish to alerts: %d %s (upstream saw %v)", code, body, got)
	}
	code, hdr, body := publish("arn:aws:sns:us-east-1:123456789012:other")
	if code != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") || !strings.Contains(body, "arn:aws:sns:us-east-1:123456789012:other") ||
		hdr.Get("X-Vpce-Reason") != "ENDPOINT_POLICY_DENY" || len(got) != 1 {
		t.Fatalf("Publish to another topic: %d %v %s", code, hdr, body)
	}
	// A topic in the URL and another in the body: not carried.
	req := signed("POST", "https://sns.us-east-1.amazonaws.com/?TopicArn="+url.QueryEscape("arn:aws:sns:us-east-1:123456789012:alerts"),
		"Action=Publish&Version=2010-03-31&Message=hi&TopicArn="+url.QueryEscape("arn:aws:sns:us-east-1:123456789012:other"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if code, _, body := send(t, c, req); code != 400 || !strings.Contains(body, "TopicArn is given more than once") || len(got) != 1 {
		t.Fatalf("two topics: %d %s (upstream saw %d)", code, body, len(got))
	}
	// A pair Go's parser drops (a bad escape, a semicolon) might be the one
	// naming the topic: not carried.
	for _, form := range []string{"Action=Publish&Version=2010-03-31&Message=hi&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Aother%zz",
		"Action=Publish&Version=2010-03-31&Message=hi;TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Aother"} {
		req := signed("POST", "https://sns.us-east-1.amazonaws.com/", form)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if code, _, body := send(t, c, req); code != 400 || !strings.Contains(body, "malformed Query parameter") || len(got) != 1 {
			t.Fatalf("%s: %d %s (upstream saw %d)", form, code, body, len(got))
		}
	}
	invoke := func(path string) (int, http.Header, string) {
		return send(t, c, signed("POST", "https://lambda.us-east-1.amazonaws.com"+path, `{"w":1}`))
	}
	for _, p := range []string{"/2015-03-31/functions/resize/invocations", "/2015-03-31/functions/resize/invocations?Qualifier=live"} {
		if code, _, body := invoke(p); code != 200 {
			t.Fatalf("Invoke %s: %d %s", p, code, body)
		}
	}
	code, hdr, body = invoke("/2015-03-31/functions/thumbnail/invocations")
	if code != 403 || hdr.Get("X-Amzn-ErrorType") != "AccessDeniedException" || !strings.Contains(jsonField(body, "Message"), "function:thumbnail because no VPC endpoint policy allows") && !strings.Contains(jsonField(body, "Message"), `function:thumbnail" because no VPC endpoint policy allows`) ||
		hdr.Get("X-Vpce-Reason") != "ENDPOINT_POLICY_DENY" || len(got) != 3 {
		t.Fatalf("Invoke thumbnail: %d %v %s (upstream saw %d)", code, hdr, body, len(got))
	}
	// SageMaker names the endpoint in lower case in its ARN: a policy on
	// endpoint/churn allows the endpoint created as "Churn".
	infer := func(name string) (int, http.Header, string) {
		return send(t, c, signed("POST", "https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/"+name+"/invocations", `1,2,3`))
	}
	if code, _, body := infer("Churn"); code != 200 || len(got) != 4 {
		t.Fatalf("InvokeEndpoint Churn: %d %s (upstream saw %d)", code, body, len(got))
	}
	code, hdr, body = infer("fraud")
	if code != 403 || hdr.Get("X-Amzn-ErrorType") != "AccessDeniedException" || !strings.Contains(jsonField(body, "Message"), "endpoint/fraud") ||
		hdr.Get("X-Vpce-Reason") != "ENDPOINT_POLICY_DENY" || len(got) != 4 {
		t.Fatalf("InvokeEndpoint fraud: %d %v %s (upstream saw %d)", code, hdr, body, len(got))
	}
}

// TestUnknownResourceDeny: where vpce cannot tell which resource a request
// names — a service whose ARNs it does not build (ACM), a document too
// large to read (DynamoDB over 1 MiB) — a Deny naming one of the
// service's resources still holds. Decided on "*", both requests passed
// such a Deny and reached the upstream.
func TestUnknownResourceDeny(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	cloudtest.Must[*cloud.Return](t)(r.c.ModifyVpcAttribute(ctx, sc, &cloud.ModifyVpcAttributeInput{VpcID: r.vpc, EnableDNSHostnames: &cloud.AttributeBoolean{Value: cloudtest.Ptr(true)}}))
	acmDoc := `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},
		{"Effect":"Deny","Principal":"*","Action":"acm:DeleteCertificate","Resource":"arn:aws:acm:us-east-1:123456789012:certificate/prod"}]}`
	cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(r.c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: r.vpc, VpcEndpointType: "Interface",
		ServiceName: "com.amazonaws.us-east-1.acm", SubnetIDs: []string{r.subnet}, PrivateDNSEnabled: cloudtest.Ptr(true), PolicyDocument: &acmDoc}))
	ddbDoc := `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},
		{"Effect":"Deny","Principal":"*","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-east-1:123456789012:table/users"}]}`
	cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(r.c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: r.vpc, ServiceName: "com.amazonaws.us-east-1.dynamodb",
		RouteTableIDs: []string{r.rtb}, PolicyDocument: &ddbDoc}))
	seen := 0
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		io.Copy(io.Discard, req.Body)
		seen++
		io.WriteString(w, `{}`)
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	r.p = New(Config{Cloud: r.c, CA: r.ca, Upstreams: map[string]*url.URL{"acm": u, "dynamodb": u}})
	r.proxy = startProxy(t, r.p)
	c := r.client(r.inst)
	call := func(host, target, body string) (int, http.Header, string) {
		req := signed("POST", "https://"+host+"/", body)
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		return send(t, c, req)
	}
	if code, _, body := call("acm.us-east-1.amazonaws.com", "CertificateManager.ListCertificates", `{}`); code != 200 || seen != 1 {
		t.Fatalf("ListCertificates (no Deny on the action): %d %s (upstream saw %d)", code, body, seen)
	}
	code, hdr, body := call("acm.us-east-1.amazonaws.com", "CertificateManager.DeleteCertificate", `{"CertificateArn":"arn:aws:acm:us-east-1:123456789012:certificate/prod"}`)
	if code != 400 || hdr.Get("X-Vpce-Reason") != "ENDPOINT_POLICY_DENY" || !strings.Contains(body, "explicit deny") ||
		!strings.Contains(body, "cannot tell which resource") || seen != 1 {
		t.Fatalf("DeleteCertificate of the denied certificate: %d %v %s (upstream saw %d)", code, hdr, body, seen)
	}
	// The cost of not knowing: another certificate is refused too.
	if code, _, body := call("acm.us-east-1.amazonaws.com", "CertificateManager.DeleteCertificate", `{"CertificateArn":"arn:aws:acm:us-east-1:123456789012:certificate/dev"}`); code != 400 || seen != 1 {
		t.Fatalf("DeleteCertificate of another certificate: %d %s (upstream saw %d)", code, body, seen)
	}
	ddb := func(body string) (int, http.Header, string) {
		return call("dynamodb.us-east-1.amazonaws.com", "DynamoDB_20120810.BatchWriteItem", body)
	}
	if code, _, body := ddb(`{"RequestItems":{"orders":[{"PutRequest":{"Item":{"id":{"S":"1"}}}}]}}`); code != 200 || seen != 2 {
		t.Fatalf("a write to orders: %d %s (upstream saw %d)", code, body, seen)
	}
	if code, _, body := ddb(`{"RequestItems":{"users":[{"PutRequest":{"Item":{"id":{"S":"1"}}}}]}}`); code != 400 || seen != 2 {
		t.Fatalf("a write to users: %d %s (upstream saw %d)", code, body, seen)
	}
	// Over 1 MiB: refused (the proxy may answer before the client has sent
	// it all, and the client then sees its connection reset instead).
	pad := strings.Repeat("x", maxJSONBody)
	req := signed("POST", "https://dynamodb.us-east-1.amazonaws.com/", `{"RequestItems":{"users":[{"PutRequest":{"Item":{"id":{"S":"1"},"pad":{"S":"`+pad+`"}}}}]}}`)
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.BatchWriteItem")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	if resp, err := c.Do(req); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || resp.Header.Get("X-Vpce-Reason") != "ENDPOINT_POLICY_DENY" {
			t.Fatalf("a write to users in a document over 1 MiB: %d %v %.300s", resp.StatusCode, resp.Header, b)
		}
	}
	if seen != 2 {
		t.Fatalf("a write to users in a document over 1 MiB reached the upstream")
	}
	if code, _, body := ddb(`{"RequestItems":{"orders":[{"PutRequest":{"Item":{"id":{"S":"2"}}}}]}}`); code != 200 || seen != 3 {
		t.Fatalf("a write to orders afterwards: %d %s (upstream saw %d)", code, body, seen)
	}
	// A member given twice with different values: which one the service
	// reads is not vpce's to guess (Go's decoder keeps the last).
	if code, _, body := call("dynamodb.us-east-1.amazonaws.com", "DynamoDB_20120810.PutItem", `{"TableName":"users","TableName":"orders","Item":{}}`); code != 400 || !strings.Contains(body, "TableName is given more than once") || seen != 3 {
		t.Fatalf("TableName twice: %d %s (upstream saw %d)", code, body, seen)
	}
	// An operation whose table is where vpce does not read (PartiQL): the
	// table is unknown, the Deny holds; a listing is on "*", as in AWS.
	if code, _, body := call("dynamodb.us-east-1.amazonaws.com", "DynamoDB_20120810.ExecuteStatement", `{"Statement":"DELETE FROM \"users\" WHERE id='1'"}`); code != 400 || seen != 3 {
		t.Fatalf("ExecuteStatement on users: %d %s (upstream saw %d)", code, body, seen)
	}
	if code, _, body := call("dynamodb.us-east-1.amazonaws.com", "DynamoDB_20120810.ListTables", `{"Limit":10}`); code != 200 || seen != 4 {
		t.Fatalf("ListTables: %d %s (upstream saw %d)", code, body, seen)
	}
}

// TestDecodeObject: a JSON document's members, the first member given
// twice with different values, and what is not one object.
func TestDecodeObject(t *testing.T) {
	for _, tc := range []struct {
		doc, dup string
		ok       bool
	}{
		{`{"TableName":"a","Key":{}}`, "", true},
		{`{"TableName":"a","TableName":"a"}`, "", true}, // the same value twice: no doubt
		{`{"TableName":"a","TableName":"b"}`, "TableName", true},
		{`{"A":1,"B":2,"A":3,"B":4}`, "A", true},
		{`{"A":1}{"A":2}`, "", false},
		{`["A"]`, "", false},
		{`{"A":1`, "", false},
	} {
		m, dup, err := decodeObject([]byte(tc.doc))
		if (err == nil) != tc.ok || dup != tc.dup || (tc.ok && len(m) == 0) {
			t.Errorf("%s: %d members, dup %q, %v", tc.doc, len(m), dup, err)
		}
	}
}

package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestResourcesWithCLI: the aws CLI v2, through `vpce exec` from an
// instance, publishes to SNS (Query protocol) and invokes Lambda (REST)
// through interface endpoints whose policies allow one topic and one
// function: the allowed calls reach the upstream and succeed, the others
// are refused with the service's AccessDenied naming the resource, and
// never reach the upstream.
func TestResourcesWithCLI(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path+" "+string(body))
		mu.Unlock()
		if strings.Contains(r.URL.Path, "/functions/") { // Lambda Invoke: the function's payload
			w.Header().Set("X-Amz-Executed-Version", "$LATEST")
			io.WriteString(w, `{"resized":true}`)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult>`+
			`<ResponseMetadata><RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId></ResponseMetadata></PublishResponse>`)
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	s, err := startServer(t.TempDir(), "--upstream", "sns=http://"+u.Host+",lambda=http://"+u.Host, "--provision-delay", "0s")
	if err != nil {
		t.Fatal(err)
	}
	defer s.stop()
	acct := newAccount()
	run := cliRunnerAt(t, s.url, acct)
	vpc := str(run("create-vpc", "--cidr-block", "10.80.0.0/16"), "Vpc", "VpcId")
	run("modify-vpc-attribute", "--vpc-id", vpc, "--enable-dns-hostnames")
	sub := str(run("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.80.1.0/24", "--availability-zone", "us-east-1a"), "Subnet", "SubnetId")
	inst := str(run("run-instances", "--image-id", "ami-12345678", "--subnet-id", sub), "Instances", 0, "InstanceId")
	topic := "arn:aws:sns:us-east-1:" + acct + ":alerts"
	fn := "arn:aws:lambda:us-east-1:" + acct + ":function:resize"
	for svc, doc := range map[string]string{
		"sns":    `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"` + topic + `"}]}`,
		"lambda": `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":["` + fn + `","` + fn + `:*"]}]}`,
	} {
		run("create-vpc-endpoint", "--vpc-id", vpc, "--vpc-endpoint-type", "Interface", "--service-name", "com.amazonaws.us-east-1."+svc,
			"--subnet-ids", sub, "--private-dns-enabled", "--policy-document", doc)
	}
	time.Sleep(300 * time.Millisecond)
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(seen) }

	out, code := vexec(t, s, acct, inst, awsCLI, "sns", "publish", "--topic-arn", topic, "--message", "disk full")
	if code != 0 || !strings.Contains(out, "94f20ce6-13c5-43a0-9a9e-ca52d816e90b") || count() != 1 || !strings.Contains(seen[0], "Message=disk+full") {
		t.Fatalf("publish to the allowed topic: exit %d\n%s\nupstream saw %q", code, out, seen)
	}
	out, code = vexec(t, s, acct, inst, awsCLI, "sns", "publish", "--topic-arn", "arn:aws:sns:us-east-1:"+acct+":billing", "--message", "x")
	if code == 0 || !strings.Contains(out, "AccessDenied") || !strings.Contains(out, ":billing") ||
		!strings.Contains(out, "because no VPC endpoint policy allows the sns:Publish action") || count() != 1 {
		t.Fatalf("publish to another topic: exit %d\n%s", code, out)
	}

	payload := filepath.Join(t.TempDir(), "out.json")
	out, code = vexec(t, s, acct, inst, awsCLI, "lambda", "invoke", "--function-name", "resize", "--qualifier", "live", payload)
	if b, _ := os.ReadFile(payload); code != 0 || string(b) != `{"resized":true}` || count() != 2 || !strings.Contains(seen[1], "/functions/resize/invocations") {
		t.Fatalf("invoke the allowed function: exit %d\n%s\npayload %q, upstream saw %q", code, out, b, seen)
	}
	out, code = vexec(t, s, acct, inst, awsCLI, "lambda", "invoke", "--function-name", "thumbnail", payload)
	if code == 0 || !strings.Contains(out, "AccessDeniedException") || !strings.Contains(out, "function:thumbnail") || count() != 2 {
		t.Fatalf("invoke another function: exit %d\n%s", code, out)
	}
}

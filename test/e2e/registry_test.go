package e2e

import (
	"archive/tar"
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// craneBinary is go-containerregistry's crane, a registry client (and, as
// `crane registry serve`, a registry): scripts/test.sh installs it and
// names it in VPCE_CRANE.
func craneBinary(t *testing.T) string {
	t.Helper()
	path := os.Getenv("VPCE_CRANE")
	if path == "" {
		path = filepath.Join(os.Getenv("HOME"), "go", "bin", "crane")
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("crane is required (scripts/test.sh installs github.com/google/go-containerregistry/cmd/crane and sets VPCE_CRANE): %v", err)
	}
	return path
}

// layerTar writes a one-file tar layer.
func layerTar(t *testing.T, name, content string) string {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg})
	tw.Write([]byte(content))
	tw.Close()
	path := filepath.Join(t.TempDir(), name+".tar")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRegistryWithCrane: a real registry client pulls and pushes images
// through an ECR registry (ecr.dkr) interface endpoint whose policy
// allows pulls of one repository. crane, through `vpce exec` from an
// instance, pulls team/app (the image the upstream registry holds, digest
// for digest); a pull of team/other and a push to team/app are refused
// with ECR's AccessDenied naming the action and repository, and the push
// leaves the upstream registry as it was.
func TestRegistryWithCrane(t *testing.T) {
	crane := craneBinary(t)
	addr, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	reg := exec.Command(crane, "registry", "serve", "--address", addr)
	var regLog bytes.Buffer
	reg.Stdout, reg.Stderr = &regLog, &regLog
	if err := reg.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { reg.Process.Kill(); reg.Wait() }()
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if i == 100 {
			t.Fatalf("crane registry serve did not listen on %s: %s", addr, regLog.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	direct := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(crane, append(args, "--insecure")...).CombinedOutput()
		if err != nil {
			t.Fatalf("crane %s (straight to the registry): %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	layer := layerTar(t, "hello.txt", "hello from the registry\n")
	direct("append", "-f", layer, "-t", addr+"/team/app:v1")
	direct("append", "-f", layer, "-t", addr+"/team/other:v1")
	want := direct("digest", addr+"/team/app:v1")

	s, err := startServer(t.TempDir(), "--upstream", "ecr.dkr=http://"+addr, "--provision-delay", "0s")
	if err != nil {
		t.Fatal(err)
	}
	defer s.stop()
	acct := newAccount()
	run := func(args ...string) map[string]any {
		t.Helper()
		out, err := cliAt(t, s.url, acct, args...)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	vpc := str(run("create-vpc", "--cidr-block", "10.81.0.0/16"), "Vpc", "VpcId")
	run("modify-vpc-attribute", "--vpc-id", vpc, "--enable-dns-hostnames")
	sub := str(run("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.81.1.0/24", "--availability-zone", "us-east-1a"), "Subnet", "SubnetId")
	inst := str(run("run-instances", "--image-id", "ami-12345678", "--subnet-id", sub), "Instances", 0, "InstanceId")
	repo := "arn:aws:ecr:us-east-1:" + acct + ":repository/team/app"
	doc := `{"Statement":[` +
		`{"Effect":"Allow","Principal":"*","Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability"],"Resource":"` + repo + `"},` +
		`{"Effect":"Allow","Principal":"*","Action":"ecr:GetAuthorizationToken","Resource":"*"}]}`
	run("create-vpc-endpoint", "--vpc-id", vpc, "--vpc-endpoint-type", "Interface", "--service-name", "com.amazonaws.us-east-1.ecr.dkr",
		"--subnet-ids", sub, "--private-dns-enabled", "--policy-document", doc)
	registry := acct + ".dkr.ecr.us-east-1.amazonaws.com"

	image := filepath.Join(t.TempDir(), "app.tar")
	out, code := vexec(t, s, acct, inst, crane, "pull", registry+"/team/app:v1", image)
	if code != 0 {
		t.Fatalf("pull of the allowed repository: exit %d\n%s\n%s", code, out, s.log.String())
	}
	if b, err := os.ReadFile(image); err != nil || !bytes.Contains(b, []byte("manifest.json")) {
		t.Fatalf("the pulled image: %v", err)
	}
	if out, code := vexec(t, s, acct, inst, crane, "digest", registry+"/team/app:v1"); code != 0 || strings.TrimSpace(out) != want {
		t.Fatalf("digest through the endpoint %q (exit %d), the registry's %q", out, code, want)
	}

	out, code = vexec(t, s, acct, inst, crane, "pull", registry+"/team/other:v1", filepath.Join(t.TempDir(), "other.tar"))
	if code == 0 || !strings.Contains(out, "403") || !strings.Contains(out, "ecr:BatchGetImage") ||
		!strings.Contains(out, "repository/team/other") || !strings.Contains(out, "because no VPC endpoint policy allows") {
		t.Fatalf("pull of another repository: exit %d\n%s", code, out)
	}

	pushed := layerTar(t, "new.txt", "a layer the registry has not seen\n")
	out, code = vexec(t, s, acct, inst, crane, "append", "-f", pushed, "-t", registry+"/team/app:v2")
	if code == 0 || !strings.Contains(out, "403") || !strings.Contains(out, "ecr:InitiateLayerUpload") || !strings.Contains(out, "repository/team/app") {
		t.Fatalf("push to the allowed repository (pulls only): exit %d\n%s", code, out)
	}
	if tags := direct("ls", addr+"/team/app"); tags != "v1" {
		t.Fatalf("the registry's tags after a refused push: %q", tags)
	}
}

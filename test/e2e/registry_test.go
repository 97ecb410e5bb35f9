package e2e

import (
	"archive/tar"
	"bytes"
	"encoding/base64"
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
	addr, want, direct := startRegistry(t, crane)

	s, err := startServer(t.TempDir(), "--upstream", "ecr.dkr=http://"+addr, "--provision-delay", "0s")
	if err != nil {
		t.Fatal(err)
	}
	defer s.stop()
	acct := newAccount()
	inst, registry := registryVPC(t, s, acct, "")

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

// TestRegistryWithCraneAuth: with --auth sigv4, a registry client logs in
// as with ECR — `aws ecr get-login-password` (answered by the data plane
// through an ecr.api endpoint), the password in a docker config — and
// crane pulls as that key's principal; without credentials, or with a
// password altered, the registry answers 401 with ECR's Basic challenge.
func TestRegistryWithCraneAuth(t *testing.T) {
	crane := craneBinary(t)
	addr, want, _ := startRegistry(t, crane)
	acct := newAccount()
	creds := filepath.Join(t.TempDir(), "creds")
	os.WriteFile(creds, []byte(acct+" secret\n"), 0o600)
	s, err := startServer(t.TempDir(), "--auth", "sigv4", "--credentials-file", creds, "--upstream", "ecr.dkr=http://"+addr, "--provision-delay", "0s")
	if err != nil {
		t.Fatal(err)
	}
	defer s.stop()
	// Pulls of team/app by this account's root only.
	inst, registry := registryVPC(t, s, acct, "arn:aws:iam::"+acct+":root")

	out, code := vexec(t, s, acct, inst, awsCLI, "ecr", "get-login-password")
	password := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(password, "vpce1.") {
		t.Fatalf("aws ecr get-login-password: exit %d\n%s\n%s", code, out, s.log.String())
	}
	dockerConfig := func(password string) string {
		dir := t.TempDir()
		auth := base64.StdEncoding.EncodeToString([]byte("AWS:" + password))
		os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"auths":{"`+registry+`":{"auth":"`+auth+`"}}}`), 0o600)
		return "DOCKER_CONFIG=" + dir
	}
	out, code = vexec(t, s, acct, inst, "/usr/bin/env", dockerConfig(password), crane, "digest", registry+"/team/app:v1")
	if code != 0 || strings.TrimSpace(out) != want {
		t.Fatalf("digest with the login password: exit %d %q, want %q\n%s", code, out, want, s.log.String())
	}
	out, code = vexec(t, s, acct, inst, "/usr/bin/env", "DOCKER_CONFIG="+t.TempDir(), crane, "digest", registry+"/team/app:v1")
	if code == 0 || !strings.Contains(out, "401") {
		t.Fatalf("digest without credentials: exit %d\n%s", code, out)
	}
	altered := password[:len(password)-1] + map[bool]string{true: "0", false: "1"}[strings.HasSuffix(password, "1")]
	out, code = vexec(t, s, acct, inst, "/usr/bin/env", dockerConfig(altered), crane, "digest", registry+"/team/app:v1")
	if code == 0 || !strings.Contains(out, "401") || !strings.Contains(out, "get-login-password") {
		t.Fatalf("digest with an altered password: exit %d\n%s", code, out)
	}
}

// startRegistry serves a real registry (crane registry serve) on loopback
// holding team/app:v1 and team/other:v1; it returns its address, the
// image's digest and a function running crane straight at it.
func startRegistry(t *testing.T, crane string) (string, string, func(args ...string) string) {
	t.Helper()
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
	t.Cleanup(func() { reg.Process.Kill(); reg.Wait() })
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
	return addr, direct("digest", addr+"/team/app:v1"), direct
}

// registryVPC makes a VPC with an instance and an ECR registry endpoint
// whose policy allows pulls of team/app (by principal, or by anyone when
// empty), and an ECR API endpoint; it returns the instance and the
// account's registry host.
func registryVPC(t *testing.T, s *server, acct, principal string) (string, string) {
	t.Helper()
	run := cliRunnerAt(t, s.url, acct)
	vpc := str(run("create-vpc", "--cidr-block", "10.81.0.0/16"), "Vpc", "VpcId")
	run("modify-vpc-attribute", "--vpc-id", vpc, "--enable-dns-hostnames")
	sub := str(run("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.81.1.0/24", "--availability-zone", "us-east-1a"), "Subnet", "SubnetId")
	inst := str(run("run-instances", "--image-id", "ami-12345678", "--subnet-id", sub), "Instances", 0, "InstanceId")
	repo := "arn:aws:ecr:us-east-1:" + acct + ":repository/team/app"
	who := `"*"`
	if principal != "" {
		who = `{"AWS":"` + principal + `"}`
	}
	doc := `{"Statement":[` +
		`{"Effect":"Allow","Principal":` + who + `,"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability"],"Resource":"` + repo + `"},` +
		`{"Effect":"Allow","Principal":"*","Action":"ecr:GetAuthorizationToken","Resource":"*"}]}`
	run("create-vpc-endpoint", "--vpc-id", vpc, "--vpc-endpoint-type", "Interface", "--service-name", "com.amazonaws.us-east-1.ecr.dkr",
		"--subnet-ids", sub, "--private-dns-enabled", "--policy-document", doc)
	run("create-vpc-endpoint", "--vpc-id", vpc, "--vpc-endpoint-type", "Interface", "--service-name", "com.amazonaws.us-east-1.ecr.api",
		"--subnet-ids", sub, "--private-dns-enabled")
	return inst, acct + ".dkr.ecr.us-east-1.amazonaws.com"
}

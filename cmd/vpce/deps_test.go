package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBinaryDeps keeps test-only packages out of the vpce binary.
func TestBinaryDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		switch {
		case pkg == "testing", strings.HasPrefix(pkg, "testing/"), strings.Contains(pkg, "/testutil"),
			strings.HasPrefix(pkg, "net/http/httptest"), strings.HasPrefix(pkg, "github.com/aws/aws-sdk-go-v2"):
			t.Errorf("the vpce binary depends on %s", pkg)
		}
	}
}

package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serveOnce runs vpce serve and returns its output when it exits by
// itself within the time given (a refusal to start); ok is false when it
// was still running.
func serveOnce(t *testing.T, state string, extra ...string) (string, bool) {
	t.Helper()
	addr, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	args := append([]string{"serve", "--listen", addr, "--state", state, "--dns", ""}, extra...)
	out, err := exec.CommandContext(ctx, binary, args...).CombinedOutput()
	if ctx.Err() != nil {
		return string(out), false
	}
	if err == nil {
		t.Fatalf("vpce serve exited 0: %s", out)
	}
	return string(out), true
}

// TestStateDirectoryLocked: a second vpce on the same state directory
// refuses to start and names the process that holds it.
func TestStateDirectoryLocked(t *testing.T) {
	out, exited := serveOnce(t, shared.state)
	if !exited || !strings.Contains(out, "in use by another vpce") || !strings.Contains(out, "held by process") {
		t.Errorf("second vpce on a used state directory (exited %v):\n%s", exited, out)
	}
}

// TestUntrustedStateRefused: an empty vpce.db is refused (data would
// silently be gone); --init-state starts over and keeps the old file.
func TestUntrustedStateRefused(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state")
	os.MkdirAll(state, 0o700)
	os.WriteFile(filepath.Join(state, "vpce.db"), nil, 0o600)
	out, exited := serveOnce(t, state)
	if !exited || !strings.Contains(out, "cannot be trusted") || !strings.Contains(out, "--init-state") {
		t.Fatalf("vpce serve over an empty vpce.db (exited %v):\n%s", exited, out)
	}
	s, err := startServer(state, "--init-state")
	if err != nil {
		t.Fatalf("--init-state: %v", err)
	}
	defer s.stop()
	if kept, _ := filepath.Glob(filepath.Join(state, "vpce.db.broken-*")); len(kept) != 1 {
		t.Errorf("the old file was not kept: %v", kept)
	}
}

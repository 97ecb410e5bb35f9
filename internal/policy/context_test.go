package policy

import (
	"strings"
	"testing"
)

// TestLowerKey: keys are compared in lowercase whether they come from the
// table of common keys, are lowercase already, or neither.
func TestLowerKey(t *testing.T) {
	keys := []string{"aws:username", "S3:Prefix", "aws:Ünïcode", "ec2:ResourceTag/Team"}
	for k := range commonKeys {
		keys = append(keys, k, strings.ToUpper(k))
	}
	for _, k := range keys {
		if got, want := lowerKey(k), strings.ToLower(k); got != want {
			t.Errorf("lowerKey(%q) = %q, want %q", k, got, want)
		}
		var c Context
		c.Set(k, "v")
		if v, ok := c.Get(strings.ToUpper(k)); !ok || v[0] != "v" {
			t.Errorf("%q set, then read in upper case: %v %v", k, v, ok)
		}
	}
}

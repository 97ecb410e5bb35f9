// Package cloudtest builds the model for tests of the packages that read it
// (reach, doctor, cost, the data plane, dump): a cloud on a fresh store whose
// resources are available at once.
package cloudtest

import (
	"testing"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/store"
)

// New returns a cloud on a store in t's temporary directory, closed when t
// ends, with endpoints and NAT gateways available as soon as they are made.
func New(t testing.TB) *cloud.Cloud {
	t.Helper()
	return cloud.New(cloud.Config{Store: Store(t, t.TempDir()), ProvisionDelay: -1})
}

// Store opens the store vpce serve runs on, the in-memory model over the
// log in dir, closed when t ends.
func Store(t testing.TB, dir string) *store.Memory {
	t.Helper()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Must returns a function that fails t on a call's error and otherwise
// returns its value: Must[*cloud.CreateVpcOutput](t)(c.CreateVpc(…)).
func Must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// Ptr returns a pointer to v, for the optional fields of the model's inputs.
func Ptr[T any](v T) *T { return &v }

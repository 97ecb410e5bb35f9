package ec2query

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/store"
)

// failingWrites is a store whose writes fail with err.
type failingWrites struct {
	*store.Memory
	err error
}

func (f failingWrites) Update(context.Context, func(store.Txn) error) error { return f.err }

// TestStoreFailuresSayWhy: a full disk or a read-only state directory is
// answered ServiceUnavailable (503) with a message that says which, not
// InternalError.
func TestStoreFailuresSayWhy(t *testing.T) {
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("commit: %w", store.ErrDiskFull), "disk is full"},
		{fmt.Errorf("commit: %w", store.ErrReadOnly), "read-only"},
	} {
		h := New(Config{Cloud: cloud.New(cloud.Config{Store: failingWrites{st, tc.err}})})
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("Action=CreateVpc&CidrBlock=10.0.0.0/16&Version="+APIVersion))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code != http.StatusServiceUnavailable || !strings.Contains(body, "<Code>ServiceUnavailable</Code>") || !strings.Contains(body, tc.want) {
			t.Errorf("%v: %d %s", tc.err, rec.Code, body)
		}
	}
}

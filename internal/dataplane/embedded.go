package dataplane

import (
	"io"
	"net/http"
	"path/filepath"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3bolt"
	bolt "go.etcd.io/bbolt"
)

// EmbeddedS3 opens the S3 that vpce serves itself: gofakes3 over a bbolt
// file in the state directory (synced on every commit), so objects
// survive restarts. Requests reach it path-style, already decided.
func EmbeddedS3(stateDir string) (http.Handler, io.Closer, error) {
	db, err := bolt.Open(filepath.Join(stateDir, "s3.db"), 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, nil, err
	}
	fs := gofakes3.New(s3bolt.New(db), gofakes3.WithIntegrityCheck(true), gofakes3.WithLogger(gofakes3.DiscardLog()))
	return fs.Server(), db, nil
}

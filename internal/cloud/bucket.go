package cloud

import (
	"context"
	"errors"

	json "github.com/goccy/go-json"

	"github.com/vpce/vpce/internal/store"
)

// Buckets are S3 bucket facts the data plane keeps: the owner (for
// cross-account decisions) and the bucket policy set through it. Bucket
// names are global, as in S3.
const kindBucket = "s3-bucket"

// Bucket is what vpce knows of an S3 bucket it serves.
type Bucket struct {
	Name   string `json:"name"`
	Owner  string `json:"owner"`
	Policy string `json:"policy,omitempty"`
}

func bucketKey(name string) store.Key {
	return store.Key{Scope: globalScope, Kind: kindBucket, ID: name}
}

// GetBucket returns a bucket's facts; ok is false for a bucket vpce has
// not seen created.
// Answers are cached until the next committed change: the data plane asks
// on every S3 request.
func (c *Cloud) GetBucket(ctx context.Context, name string) (b Bucket, ok bool, err error) {
	gen := c.bucketGen.Load()
	if v, hit := c.buckets.Load(name); hit {
		if e := v.(cachedBucket); e.gen == gen {
			return e.b, e.ok, nil
		}
	}
	err = c.st.View(ctx, func(tx store.Txn) error {
		var e error
		b, ok, e = getBucket(tx, name)
		return e
	})
	if err == nil {
		c.buckets.Store(name, cachedBucket{gen, b, ok})
	}
	return b, ok, err
}

type cachedBucket struct {
	gen uint64
	b   Bucket
	ok  bool
}

func getBucket(tx store.Txn, name string) (Bucket, bool, error) {
	raw, err := tx.Get(bucketKey(name))
	if errors.Is(err, store.ErrNotFound) {
		return Bucket{}, false, nil
	}
	if err != nil {
		return Bucket{}, false, err
	}
	var b Bucket
	return b, true, json.Unmarshal(raw, &b)
}

// SetBucket records a bucket's owner and policy (empty: none), or
// forgets the bucket when remove is set.
func (c *Cloud) SetBucket(ctx context.Context, b Bucket, remove bool) error {
	defer c.bucketGen.Add(1) // cached answers (GetBucket) are stale now
	return c.st.Update(ctx, func(tx store.Txn) error {
		if remove {
			if err := tx.Delete(bucketKey(b.Name)); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			return nil
		}
		raw, err := json.Marshal(b)
		if err != nil {
			return err
		}
		return tx.Put(bucketKey(b.Name), raw)
	})
}

package cloud

import (
	"context"
	"time"

	json "github.com/goccy/go-json"

	"github.com/vpce/vpce/internal/store"
)

// TokenRetention is how long a ClientToken is remembered: AWS keeps them
// at least 24 hours (EC2 API guide, "Ensuring idempotency").
const TokenRetention = 24 * time.Hour

// Purge deletes what no reader can see any more: terminated instances,
// deleted NAT gateways and deleted endpoints past the retention period,
// and client tokens past TokenRetention. It returns how many it deleted.
// The server calls it periodically; nothing visible changes.
func (c *Cloud) Purge(ctx context.Context) (int, error) {
	now := c.clock()
	n := 0
	err := c.st.Update(ctx, func(t store.Txn) error {
		expired := func(kind string, dead func([]byte) bool) error {
			rs, err := t.ListKind(kind)
			if err != nil {
				return err
			}
			for _, r := range rs {
				if err := ctx.Err(); err != nil {
					return err
				}
				if dead(r.Data) {
					if err := t.Delete(store.Key{Scope: r.Scope, Kind: kind, ID: r.ID}); err != nil {
						return err
					}
					n++
				}
			}
			return nil
		}
		gone := func(at *time.Time) bool { return at != nil && !now.Before(at.Add(c.retention)) }
		if err := expired(kindInstance, func(b []byte) bool {
			var v struct {
				At *time.Time `json:"terminated"`
			}
			return json.Unmarshal(b, &v) == nil && gone(v.At)
		}); err != nil {
			return err
		}
		if err := expired(kindNAT, func(b []byte) bool {
			var v struct {
				At *Timestamp `json:"deleted"`
			}
			if json.Unmarshal(b, &v) != nil || v.At == nil {
				return false
			}
			at := v.At.Time()
			return gone(&at)
		}); err != nil {
			return err
		}
		if err := expired(kindEndpoint, func(b []byte) bool {
			var v struct {
				At *time.Time `json:"deletedAt"`
			}
			return json.Unmarshal(b, &v) == nil && gone(v.At)
		}); err != nil {
			return err
		}
		return expired(kindToken, func(b []byte) bool {
			var v struct {
				Created time.Time `json:"created"`
			}
			// A token recorded before tokens carried a time is of unknown
			// age, and goes.
			return json.Unmarshal(b, &v) == nil && !now.Before(v.Created.Add(TokenRetention))
		})
	})
	return n, err
}

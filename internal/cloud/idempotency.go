package cloud

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"time"

	json "github.com/goccy/go-json"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/store"
)

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// clientToken records the outcome of a create made with a ClientToken.
type clientToken struct {
	Params  string          `json:"params"`
	Result  json.RawMessage `json:"result"`
	Created time.Time       `json:"created"`
}

// idempotent runs create once per ClientToken: a repeat with the same token
// and parameters returns the first result; different parameters are AWS's
// IdempotentParameterMismatch. dst must be a pointer to the result's type.
func (tx *txn) idempotent(action, token string, params, dst any, create func() (any, error)) error {
	set := func(v any) { reflect.ValueOf(dst).Elem().Set(reflect.ValueOf(v)) }
	if token == "" {
		v, err := create()
		if err == nil {
			set(v)
		}
		return err
	}
	if len(token) > 64 {
		return invalidValue("Value (%s) for parameter clientToken is invalid. The client token must be 64 ASCII characters or fewer.", token)
	}
	p, err := json.Marshal(params)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(p)
	hash := hex.EncodeToString(sum[:])
	key := store.Key{Scope: tx.sc, Kind: kindToken, ID: action + "/" + token}
	if b, err := tx.Get(key); err == nil {
		var ct clientToken
		if err := json.Unmarshal(b, &ct); err != nil {
			return err
		}
		if ct.Params != hash {
			return apierr.New("IdempotentParameterMismatch", "Client token %s was already used with different parameters.", token)
		}
		return json.Unmarshal(ct.Result, dst)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	v, err := create()
	if err != nil {
		return err
	}
	res, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := putObj(tx, kindToken, key.ID, clientToken{Params: hash, Result: res, Created: tx.now}); err != nil {
		return err
	}
	set(v)
	return nil
}

// Package store persists vpce's state behind a small transactional
// interface. Objects are opaque JSON documents addressed by [Key]; the
// domain decides what they mean. [Open] returns the embedded SQLite store.
package store

import (
	"context"
	"errors"
)

// ErrNotFound is returned by [Txn.Get] when no object has the key.
var ErrNotFound = errors.New("store: not found")

// Scope is the account and region an object belongs to. Nothing of one scope
// is visible from another.
type Scope struct {
	Account string
	Region  string
}

// Key addresses one stored object.
type Key struct {
	Scope
	Kind string // "vpc", "subnet", …
	ID   string
	// Parent is the object's owner (a subnet's interfaces, a VPC's
	// endpoints), indexed for ListChildren. It is not part of the identity:
	// Get and Delete ignore it; Put records it.
	Parent string
}

// Record is one stored object as [Txn.List] returns it.
type Record struct {
	ID   string
	Data []byte
}

// ScopedRecord is a [Record] with its scope.
type ScopedRecord struct {
	Scope
	Record
}

// Txn is a transaction. Reads see the transaction's own writes.
type Txn interface {
	// Get returns the object with the key, or ErrNotFound.
	Get(k Key) ([]byte, error)
	// List returns every object of a kind in a scope, ordered by ID.
	List(sc Scope, kind string) ([]Record, error)
	// ListKind returns every object of a kind in every scope, ordered by
	// scope and ID. It serves views that span accounts, such as public DNS.
	ListKind(kind string) ([]ScopedRecord, error)
	// ListChildren returns the objects of a kind in a scope whose Parent
	// is parent, ordered by ID.
	ListChildren(sc Scope, kind, parent string) ([]Record, error)
	// ListAfter returns at most limit objects of a kind in a scope whose
	// IDs sort after after, ordered by ID: one page read through the
	// primary key, whatever the size of the kind.
	ListAfter(sc Scope, kind, after string, limit int) ([]Record, error)
	// Put creates or replaces an object. The store may keep data itself:
	// the caller must not modify it afterwards.
	Put(k Key, data []byte) error
	// Delete removes an object; deleting a missing object is not an error.
	Delete(k Key) error
}

// Store runs transactions. Update transactions are serialized with respect
// to each other and either commit whole or leave no trace.
type Store interface {
	// Update runs fn in a read-write transaction and commits it when fn
	// returns nil; any error rolls everything back.
	Update(ctx context.Context, fn func(Txn) error) error
	// View runs fn in a read-only transaction over a consistent snapshot.
	View(ctx context.Context, fn func(Txn) error) error
	// Reset deletes every object.
	Reset(ctx context.Context) error
	// Close releases the store.
	Close() error
}

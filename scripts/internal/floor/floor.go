// Package floor is the least a durable server does for a write, for the
// benchmark scripts' constant servers: append a record to a preallocated
// log and answer only after a flush to the disk that covers it, one flush
// shared by the writers waiting (group commit). A constant server that
// does this is the ceiling of any server whose answers are durable on the
// machine's disk.
package floor

import (
	"fmt"
	"os"
	"strings"
	"sync"
)

// Log is a preallocated, unlinked file that writes are appended to and
// flushed from, one flush at a time.
type Log struct {
	f       *os.File
	mu      sync.Mutex
	off     int64
	waiting []chan error
	kick    chan struct{}
}

// logSize is how much the log is preallocated: written ahead with zeros
// and flushed, so a record's flush never changes the file's size. Tests
// lower it.
var logSize int64 = 256 << 20

// New creates the log in dir (the disk to measure) and preallocates it.
func New(dir string) (*Log, error) {
	f, err := os.CreateTemp(dir, "floor-log-")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name())
	zeros := make([]byte, 1<<20)
	for off := int64(0); off < logSize; off += int64(len(zeros)) {
		if _, err := f.WriteAt(zeros, off); err != nil {
			return nil, err
		}
	}
	if err := datasync(f); err != nil {
		return nil, err
	}
	g := &Log{f: f, kick: make(chan struct{}, 1)}
	go g.flusher()
	return g, nil
}

// Append writes rec and returns once a flush after it has completed.
func (g *Log) Append(rec []byte) error {
	done := make(chan error, 1)
	g.mu.Lock()
	if g.off+int64(len(rec)) > logSize {
		g.off = 0
	}
	_, err := g.f.WriteAt(rec, g.off)
	g.off += int64(len(rec))
	if err == nil {
		g.waiting = append(g.waiting, done)
	}
	g.mu.Unlock()
	if err != nil {
		return err
	}
	select {
	case g.kick <- struct{}{}:
	default:
	}
	return <-done
}

// flusher flushes whatever is waiting, one flush at a time.
func (g *Log) flusher() {
	for range g.kick {
		g.mu.Lock()
		w := g.waiting
		g.waiting = nil
		g.mu.Unlock()
		if len(w) == 0 {
			continue
		}
		err := datasync(g.f)
		for _, c := range w {
			c <- err
		}
	}
}

// Write makes a constant server's write actions (Create*, Delete*)
// durable before they are answered: a record of the request in the log.
// Other actions return at once.
func (g *Log) Write(action, form string) error {
	if !strings.HasPrefix(action, "Create") && !strings.HasPrefix(action, "Delete") {
		return nil
	}
	return g.Append(fmt.Appendf(nil, "%d %s\n", len(form), form))
}

package store

import "context"

// Open opens the embedded store in dir (see [OpenWith]).
func Open(dir string) (*Memory, error) { return OpenWith(dir, Options{}) }

// OpenWith opens the embedded store in dir: the state in memory over the
// log in the directory ([Log]), converting a SQLite state directory of an
// earlier vpce on the way.
func OpenWith(dir string, opts Options) (*Memory, error) {
	l, err := OpenLog(dir, opts)
	if err != nil {
		return nil, err
	}
	m, err := NewMemory(context.Background(), l)
	if err != nil {
		l.Close()
		return nil, err
	}
	return m, nil
}

// Package datadir opens the host's data directory (TOURNEY_DATA_DIR): one
// bbolt database, outage.db, shared by the outage log (host/failover) and
// the webhook outbox (host/webhooks), each in buckets of its own.
package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Default is $XDG_STATE_HOME/tourney, else ~/.local/state/tourney.
func Default() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "tourney"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("TOURNEY_DATA_DIR is unset and the home directory is unknown: %w", err)
	}
	return filepath.Join(home, ".local", "state", "tourney"), nil
}

// Open opens (creating) dir/outage.db ("" = Default). A second host using
// the same directory is refused at once rather than left waiting on the
// lock.
func Open(dir string) (*bolt.DB, error) {
	if dir == "" {
		var err error
		if dir, err = Default(); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("TOURNEY_DATA_DIR=%s: %w", dir, err)
	}
	path := filepath.Join(dir, "outage.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("TOURNEY_DATA_DIR=%s: %s is in use by another host; give each host its own directory", dir, path)
	}
	if err != nil {
		return nil, fmt.Errorf("TOURNEY_DATA_DIR=%s: opening the outage log: %w", dir, err)
	}
	return db, nil
}

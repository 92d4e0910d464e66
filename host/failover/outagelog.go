package failover

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tourney/tourney/tournament"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// outageLog is the host's record on disk of every change it acknowledged
// on the fallback, kept until the change is written back to the primary.
// Each write is fsync'd before the caller is answered, so a host killed on
// the fallback loses nothing: after a restart it replays the log into the
// fallback and writes it back when the primary answers. It also keeps the
// removals the host has seen (tombstones), so that a primary that comes
// back empty cannot be given back a removed tournament.
//
// Layout (bbolt): bucket "tournaments" holds one bucket per pending
// tournament (key: the id, 8 bytes big-endian) with
//
//	base          JSON snapshot the outage's changes started from (absent: created during the outage)
//	base_version  the primary's version of it (decimal)
//	write_id      this write-back's id (see shared.ReconcileRequest.WriteID)
//	latest        JSON snapshot after the last change (absent when removed)
//	uncertain     JSON list of op ids: changes this host sent the primary
//	              from the base without an answer (see router.noteUncertain)
//	removed       "1" when the last change removed the tournament
//	entries/      one JSON logEntry per change, by sequence number
//
// and bucket "tombstones" maps an id to its removal (JSON tombstone).
type outageLog struct {
	db *bolt.DB
}

var (
	bucketTournaments = []byte("tournaments")
	bucketTombstones  = []byte("tombstones")
	bucketAside       = []byte("aside")
)

// logEntry is one acknowledged change, in the form that replays with the
// same outcome (tournament.Decided).
type logEntry struct {
	Create  *tournament.CreateParams `json:"create,omitempty"`
	Command json.RawMessage          `json:"command,omitempty"`
	Remove  bool                     `json:"remove,omitempty"`
}

// command decodes the entry's command (nil for a create or a removal).
func (e logEntry) command() (tournament.Command, error) {
	if e.Command == nil {
		return nil, nil
	}
	return tournament.UnmarshalCommand(e.Command)
}

// describe names the change for conflict records.
func (e logEntry) describe() string {
	switch {
	case e.Create != nil:
		return fmt.Sprintf("create %q", e.Create.Name)
	case e.Remove:
		return "remove"
	}
	if cmd, err := e.command(); err == nil {
		return tournament.Describe(cmd)
	}
	return string(e.Command)
}

// pendingRecord is everything the log holds about one tournament.
type pendingRecord struct {
	id          int64
	base        *tournament.Tournament // nil: created during the outage
	baseVersion int64
	writeID     string
	latest      *tournament.Tournament // nil when removed
	removed     bool
	entries     []logEntry
	uncertain   []string // op ids of this host's unanswered changes on the primary from base
}

type logTombstone struct {
	Version int64     `json:"version"`
	Expires time.Time `json:"expires"`
}

// openOutageLog keeps the outage log in db (the data directory's
// database), creating its buckets.
func openOutageLog(db *bolt.DB) (*outageLog, error) {
	err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketTournaments, bucketTombstones, bucketAside} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("the outage log: %w", err)
	}
	return &outageLog{db: db}, nil
}

func idKey(id int64) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(id))
}

func newWriteID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// record appends one acknowledged change of tournament id and its result
// (latest; nil with removed). base and baseVersion are kept from the first
// change of the outage only. It returns once the change is on disk.
func (l *outageLog) record(id int64, base *tournament.Tournament, baseVersion int64, e logEntry,
	latest *tournament.Tournament, removed bool, uncertain []string) error {
	entry, err := json.Marshal(e)
	if err != nil {
		return err
	}
	var latestJSON, baseJSON []byte
	if latest != nil {
		if latestJSON, err = json.Marshal(latest); err != nil {
			return err
		}
	}
	if base != nil {
		if baseJSON, err = json.Marshal(base); err != nil {
			return err
		}
	}
	// Batch coalesces concurrent writers into one fsync'd transaction.
	return l.db.Batch(func(tx *bolt.Tx) error {
		all := tx.Bucket(bucketTournaments)
		tb := all.Bucket(idKey(id))
		if tb == nil {
			var err error
			if tb, err = all.CreateBucket(idKey(id)); err != nil {
				return err
			}
			if baseJSON != nil {
				if err := tb.Put([]byte("base"), baseJSON); err != nil {
					return err
				}
			}
			if err := tb.Put([]byte("base_version"), fmt.Appendf(nil, "%d", baseVersion)); err != nil {
				return err
			}
			if err := tb.Put([]byte("write_id"), []byte(newWriteID())); err != nil {
				return err
			}
			if len(uncertain) > 0 {
				b, _ := json.Marshal(uncertain)
				if err := tb.Put([]byte("uncertain"), b); err != nil {
					return err
				}
			}
		}
		entries, err := tb.CreateBucketIfNotExists([]byte("entries"))
		if err != nil {
			return err
		}
		seq, _ := entries.NextSequence()
		if err := entries.Put(binary.BigEndian.AppendUint64(nil, seq), entry); err != nil {
			return err
		}
		if removed {
			_ = tb.Delete([]byte("latest"))
			return tb.Put([]byte("removed"), []byte("1"))
		}
		_ = tb.Delete([]byte("removed"))
		return tb.Put([]byte("latest"), latestJSON)
	})
}

// pending returns the ids with changes not yet written back, in id order.
func (l *outageLog) pending() ([]int64, error) {
	var ids []int64
	err := l.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTournaments).ForEachBucket(func(k []byte) error {
			ids = append(ids, int64(binary.BigEndian.Uint64(k)))
			return nil
		})
	})
	return ids, err
}

// has reports whether id has changes not yet written back.
func (l *outageLog) has(id int64) bool {
	found := false
	_ = l.db.View(func(tx *bolt.Tx) error {
		found = tx.Bucket(bucketTournaments).Bucket(idKey(id)) != nil
		return nil
	})
	return found
}

// load returns id's pending record, or nil.
func (l *outageLog) load(id int64) (*pendingRecord, error) {
	var rec *pendingRecord
	err := l.db.View(func(tx *bolt.Tx) error {
		tb := tx.Bucket(bucketTournaments).Bucket(idKey(id))
		if tb == nil {
			return nil
		}
		rec = &pendingRecord{id: id, writeID: string(tb.Get([]byte("write_id"))), removed: string(tb.Get([]byte("removed"))) == "1"}
		_, _ = fmt.Sscan(string(tb.Get([]byte("base_version"))), &rec.baseVersion)
		if u := tb.Get([]byte("uncertain")); u != nil {
			_ = json.Unmarshal(u, &rec.uncertain)
		}
		var err error
		if rec.base, err = decodeSnapshot(tb.Get([]byte("base"))); err != nil {
			return err
		}
		if rec.latest, err = decodeSnapshot(tb.Get([]byte("latest"))); err != nil {
			return err
		}
		if entries := tb.Bucket([]byte("entries")); entries != nil {
			return entries.ForEach(func(_, v []byte) error {
				var e logEntry
				if err := json.Unmarshal(v, &e); err != nil {
					return err
				}
				rec.entries = append(rec.entries, e)
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("outage log, tournament %d: %w", id, err)
	}
	return rec, nil
}

func decodeSnapshot(b []byte) (*tournament.Tournament, error) {
	if b == nil {
		return nil, nil
	}
	var t tournament.Tournament
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// drop forgets id's record: its changes are on the primary now.
func (l *outageLog) drop(id int64) error {
	return l.db.Batch(func(tx *bolt.Tx) error {
		err := tx.Bucket(bucketTournaments).DeleteBucket(idKey(id))
		if errors.Is(err, berrors.ErrBucketNotFound) {
			return nil
		}
		return err
	})
}

// setAside moves id's record out of the way of failback (it could not be
// written back, for a reason other than an outage) and keeps it on disk for
// an operator, with the reason.
func (l *outageLog) setAside(rec *pendingRecord, reason string) error {
	doc, _ := json.Marshal(map[string]any{"tournament_id": rec.id, "at": time.Now().UTC(), "reason": reason,
		"base_version": rec.baseVersion, "latest": rec.latest, "removed": rec.removed, "entries": rec.entries})
	return l.db.Update(func(tx *bolt.Tx) error {
		aside := tx.Bucket(bucketAside)
		seq, _ := aside.NextSequence()
		if err := aside.Put(binary.BigEndian.AppendUint64(nil, seq), doc); err != nil {
			return err
		}
		err := tx.Bucket(bucketTournaments).DeleteBucket(idKey(rec.id))
		if errors.Is(err, berrors.ErrBucketNotFound) {
			return nil
		}
		return err
	})
}

// asideCount returns how many records were set aside.
func (l *outageLog) asideCount() int {
	n := 0
	_ = l.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketAside).Stats().KeyN
		return nil
	})
	return n
}

// tombstone records that id was removed at version; it is forgotten after
// expires (TOURNAMENT_TTL: the primary's own tombstone lives as long).
func (l *outageLog) tombstone(id, version int64, expires time.Time) error {
	doc, _ := json.Marshal(logTombstone{Version: version, Expires: expires})
	return l.db.Batch(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTombstones).Put(idKey(id), doc)
	})
}

// untombstone forgets id's removal (the id was created again).
func (l *outageLog) untombstone(id int64) error {
	return l.db.Batch(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTombstones).Delete(idKey(id))
	})
}

// removed reports whether id was removed and the removal has not expired.
func (l *outageLog) removed(id int64, now time.Time) bool {
	found := false
	_ = l.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketTombstones).Get(idKey(id)); v != nil {
			var t logTombstone
			found = json.Unmarshal(v, &t) == nil && now.Before(t.Expires)
		}
		return nil
	})
	return found
}

// pruneTombstones drops expired removals.
func (l *outageLog) pruneTombstones(now time.Time) error {
	return l.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTombstones)
		var expired [][]byte
		_ = b.ForEach(func(k, v []byte) error {
			var t logTombstone
			if json.Unmarshal(v, &t) != nil || !now.Before(t.Expires) {
				expired = append(expired, append([]byte(nil), k...))
			}
			return nil
		})
		for _, k := range expired {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

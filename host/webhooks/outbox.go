package webhooks

import (
	"encoding/json"
	"slices"
	"sync"

	"github.com/tourney/tourney/shared"
	bolt "go.etcd.io/bbolt"
)

// The webhook part of the data directory: deliveries this host could not
// hand to the primary (an outage, or the primary failing right after a
// change) and the last webhook registry it read, so that a host restarted
// during an outage still knows whom to deliver to.
var (
	bucketOutbox   = []byte("webhook_outbox")   // delivery id -> outboxEntry JSON
	bucketWebhooks = []byte("webhook_registry") // "all" -> []shared.Webhook JSON
)

// outboxEntry is a delivery with its payload (shared.Delivery leaves the
// payload out of its JSON).
type outboxEntry struct {
	shared.Delivery
	Body []byte `json:"body"`
}

// outbox holds deliveries the host keeps itself: on disk with an outage
// log, else in memory (a host without a fallback takes no writes during an
// outage, so only the moment the primary fails can leave one here).
type outbox struct {
	db *bolt.DB // nil: memory only

	mu  sync.Mutex
	mem map[string]shared.Delivery
}

func newOutbox(db *bolt.DB) (*outbox, error) {
	o := &outbox{db: db, mem: map[string]shared.Delivery{}}
	if db == nil {
		return o, nil
	}
	err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketOutbox, bucketWebhooks} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	return o, err
}

// put stores (or replaces) deliveries; on disk it returns once they are
// synced (concurrent callers share one sync).
func (o *outbox) put(ds []shared.Delivery) error {
	if o.db == nil {
		o.mu.Lock()
		defer o.mu.Unlock()
		for _, d := range ds {
			o.mem[d.ID] = d
		}
		return nil
	}
	return o.db.Batch(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		for _, d := range ds {
			doc, err := json.Marshal(outboxEntry{d, d.Payload})
			if err != nil {
				return err
			}
			if err := b.Put([]byte(d.ID), doc); err != nil {
				return err
			}
		}
		return nil
	})
}

// all returns every delivery held, oldest first.
func (o *outbox) all() ([]shared.Delivery, error) {
	var out []shared.Delivery
	if o.db == nil {
		o.mu.Lock()
		for _, d := range o.mem {
			out = append(out, d)
		}
		o.mu.Unlock()
	} else {
		err := o.db.View(func(tx *bolt.Tx) error {
			return tx.Bucket(bucketOutbox).ForEach(func(_, v []byte) error {
				var e outboxEntry
				if err := json.Unmarshal(v, &e); err != nil {
					return err
				}
				e.Payload = e.Body
				out = append(out, e.Delivery)
				return nil
			})
		})
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b shared.Delivery) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

// count is how many deliveries the outbox holds.
func (o *outbox) count() int {
	if o.db == nil {
		o.mu.Lock()
		defer o.mu.Unlock()
		return len(o.mem)
	}
	n := 0
	_ = o.db.View(func(tx *bolt.Tx) error { n = tx.Bucket(bucketOutbox).Stats().KeyN; return nil })
	return n
}

// drop forgets deliveries (handed to the primary).
func (o *outbox) drop(ids []string) error {
	if o.db == nil {
		o.mu.Lock()
		defer o.mu.Unlock()
		for _, id := range ids {
			delete(o.mem, id)
		}
		return nil
	}
	return o.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		for _, id := range ids {
			if err := b.Delete([]byte(id)); err != nil {
				return err
			}
		}
		return nil
	})
}

// saveRegistry keeps the last registry read from the primary.
func (o *outbox) saveRegistry(ws []shared.Webhook) error {
	if o.db == nil {
		return nil
	}
	doc, err := json.Marshal(ws)
	if err != nil {
		return err
	}
	return o.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketWebhooks).Put([]byte("all"), doc) })
}

// loadRegistry returns the registry saved by saveRegistry (nil: none).
func (o *outbox) loadRegistry() []shared.Webhook {
	if o.db == nil {
		return nil
	}
	var ws []shared.Webhook
	_ = o.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketWebhooks).Get([]byte("all")); v != nil {
			_ = json.Unmarshal(v, &ws)
		}
		return nil
	})
	return ws
}

// Package webhooks delivers the host's events to registered webhooks.
//
// The registry and the deliveries are kept by the primary backend, so every
// host sees them and they outlive any host. The host that makes a change
// enqueues its deliveries before it answers (on the primary; in its outbox
// on disk when the primary cannot take them), and every host's dispatcher
// claims due deliveries from the primary (a lease: one host at a time),
// POSTs them signed, and records the outcome. During an outage a host
// delivers what its own outbox holds and hands the outbox to the primary
// when it is back.
package webhooks

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/tourney/tourney/shared"
	bolt "go.etcd.io/bbolt"
)

const (
	// Poll is how often a dispatcher looks for due deliveries.
	Poll            = 500 * time.Millisecond
	webhookRegistry = time.Second // how old the registry a change is matched against may be
	webhookWorkers  = 8           // concurrent attempts per host
	webhookMaxHooks = 100         // webhooks per store
	maxBackoff      = time.Hour
	primaryWait     = 300 * time.Millisecond // longest publish waits for a restarting primary plugin
)

// Primary is what the dispatcher needs of the host: where the webhooks are
// kept, and whether it can reach them now.
type Primary interface {
	// OnPrimary reports whether the host serves from its primary backend.
	OnPrimary() bool
	// WebhookStore returns the primary's webhook store and the epoch of its
	// data set ("" when not known yet), or why there is none now (the host
	// is on its fallback, or the primary keeps no webhooks).
	WebhookStore(ctx context.Context) (shared.WebhookStore, string, error)
}

// Options configure a Dispatcher.
type Options struct {
	Primary Primary
	// PrimaryName names the primary backend in errors.
	PrimaryName string
	// DB is the host's data directory database: the outbox and the last
	// registry read are kept there. nil: in memory only.
	DB *bolt.DB
	// Timeout bounds one attempt (TOURNEY_WEBHOOK_TIMEOUT); Retry is how
	// long a delivery is retried (TOURNEY_WEBHOOK_RETRY); Backoff the first
	// pause between attempts (TOURNEY_WEBHOOK_BACKOFF).
	Timeout, Retry, Backoff time.Duration
	// OperationTimeout bounds each call to the primary.
	OperationTimeout time.Duration
	Logger           hclog.Logger
}

// Dispatcher keeps the webhook registry, enqueues each change's
// deliveries and delivers them. Its methods are safe for concurrent use.
type Dispatcher struct {
	opts   Options
	logger hclog.Logger
	client *http.Client
	box    *outbox
	wake   chan struct{}
	wg     sync.WaitGroup // attempts under way

	mu       sync.Mutex
	reg      registry
	inflight map[string]bool

	counts counters
}

// registry is the webhooks changes are matched against, as last read.
type registry struct {
	hooks    []shared.Webhook
	loadedAt time.Time
	epoch    string // the primary's data set the registry was read from
}

type counters struct{ delivered, retried, failed atomic.Int64 }

// Counts are the dispatcher's attempts by outcome, and what its outbox holds.
type Counts struct {
	Delivered, Retried, Failed int64
	Outbox                     int
}

// New returns a dispatcher; Run delivers.
func New(o Options) (*Dispatcher, error) {
	box, err := newOutbox(o.DB)
	if err != nil {
		return nil, err
	}
	d := &Dispatcher{opts: o, logger: o.Logger.Named("webhooks"), box: box, wake: make(chan struct{}, 1), inflight: map[string]bool{},
		client: &http.Client{
			Timeout: o.Timeout,
			// A redirect is an answer, not a delivery.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}}
	d.reg.hooks = d.box.loadRegistry()
	return d, nil
}

// Counts reports the attempts so far and the outbox's size (metrics).
func (d *Dispatcher) Counts() Counts {
	return Counts{Delivered: d.counts.delivered.Load(), Retried: d.counts.retried.Load(), Failed: d.counts.failed.Load(),
		Outbox: d.box.count()}
}

func (d *Dispatcher) poke() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

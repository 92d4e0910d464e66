package host

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"
	"github.com/tourney/tourney/host/plugins"
)

var (
	descMode    = prometheus.NewDesc("tourney_backend_fallback", "1 while calls are served by the fallback backend, else 0.", nil, nil)
	descBreaker = prometheus.NewDesc("tourney_breaker_state",
		"Circuit breaker around the primary backend: 0 closed, 1 half-open, 2 open.", nil, nil)
	descFailovers = prometheus.NewDesc("tourney_failovers_total", "Switches from the primary to the fallback backend.", nil, nil)
	descFailbacks = prometheus.NewDesc("tourney_failbacks_total", "Returns to the primary backend after reconciliation.", nil, nil)
	descConflicts = prometheus.NewDesc("tourney_conflicts_total",
		"Outage changes that lost to the primary at failback and were recorded.", nil, nil)
	descPending = prometheus.NewDesc("tourney_pending_write_back",
		"Tournaments changed on the fallback and not yet written back.", nil, nil)
	descCached    = prometheus.NewDesc("tourney_cached_snapshots", "Tournament snapshots the host keeps for failover.", nil, nil)
	descRestarts  = prometheus.NewDesc("tourney_plugin_restarts_total", "Relaunches of a crashed plugin process.", []string{"plugin"}, nil)
	descPluginCPU = prometheus.NewDesc("tourney_plugin_cpu_seconds_total",
		"CPU time (user and system) of the running plugin process; starts again from 0 when the plugin is relaunched.", []string{"plugin"}, nil)
	descProcs = prometheus.NewDesc("tourney_plugin_procs",
		"Cores a plugin process may run Go code on at once (TOURNEY_PLUGIN_PROCS, or the machine's cores when 0).", []string{"plugin"}, nil)
	descTransits = prometheus.NewDesc("tourney_failover_transitions_total",
		"Failover state transitions, by from and to state.", []string{"from", "to"}, nil)

	// From the backend's housekeeping (the sweeper): the last complete key
	// scan of the store, and the oldest live tournament.
	descKeys = prometheus.NewDesc("tourney_store_keys",
		"Keys of the store by kind, as the last complete scan found them.", []string{"kind"}, nil)
	descKeysNoTTL = prometheus.NewDesc("tourney_store_keys_without_ttl",
		"Keys that would never expire (a leak), besides those meant to.", nil, nil)
	descOrphans   = prometheus.NewDesc("tourney_store_orphan_keys", "Projections and locks whose tournament is gone.", nil, nil)
	descLongLocks = prometheus.NewDesc("tourney_store_long_held_locks",
		"Tournament locks held for more than half of LOCK_TIMEOUT.", nil, nil)
	descRepaired    = prometheus.NewDesc("tourney_store_repaired", "What the last complete scan repaired, by what.", []string{"what"}, nil)
	descScanSeconds = prometheus.NewDesc("tourney_store_scan_seconds",
		"How long the last complete key scan took, its passes summed.", nil, nil)
	descHookAttempts = prometheus.NewDesc("tourney_webhook_attempts_total",
		"Webhook delivery attempts by this host, by outcome: delivered, retry (failed, retried later), failed (given up).", []string{"outcome"}, nil)
	descHookOutbox = prometheus.NewDesc("tourney_webhook_outbox",
		"Webhook deliveries this host holds on disk because the primary could not take them.", nil, nil)
	descOldestLive = prometheus.NewDesc("tourney_oldest_live_tournament_age_seconds",
		"Age of the oldest pending or active tournament.", nil, nil)
)

// Describe implements prometheus.Collector.
func (h *Host) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descMode, descBreaker, descFailovers, descFailbacks, descConflicts,
		descPending, descCached, descRestarts, descPluginCPU, descProcs, descTransits,
		descKeys, descKeysNoTTL, descOrphans, descLongLocks, descRepaired, descScanSeconds, descOldestLive, descHookAttempts, descHookOutbox} {
		ch <- d
	}
}

// Collect implements prometheus.Collector: the failover state at scrape time.
func (h *Host) Collect(ch chan<- prometheus.Metric) {
	st := h.router.Stats()
	fallback := 0.0
	if st.Mode == "fallback" {
		fallback = 1
	}
	breaker := map[gobreaker.State]float64{gobreaker.StateClosed: 0, gobreaker.StateHalfOpen: 1,
		gobreaker.StateOpen: 2}[h.router.Breaker()]
	ch <- prometheus.MustNewConstMetric(descMode, prometheus.GaugeValue, fallback)
	ch <- prometheus.MustNewConstMetric(descBreaker, prometheus.GaugeValue, breaker)
	ch <- prometheus.MustNewConstMetric(descFailovers, prometheus.CounterValue, float64(st.Failovers))
	ch <- prometheus.MustNewConstMetric(descFailbacks, prometheus.CounterValue, float64(st.Failbacks))
	ch <- prometheus.MustNewConstMetric(descConflicts, prometheus.CounterValue, float64(st.Conflicts))
	ch <- prometheus.MustNewConstMetric(descPending, prometheus.GaugeValue, float64(st.PendingWriteBack))
	ch <- prometheus.MustNewConstMetric(descCached, prometheus.GaugeValue, float64(st.CachedSnapshots))
	hooks := h.hooks.Counts()
	for outcome, n := range map[string]int64{"delivered": hooks.Delivered, "retry": hooks.Retried, "failed": hooks.Failed} {
		ch <- prometheus.MustNewConstMetric(descHookAttempts, prometheus.CounterValue, float64(n), outcome)
	}
	ch <- prometheus.MustNewConstMetric(descHookOutbox, prometheus.GaugeValue, float64(hooks.Outbox))
	if rep := h.housekeeping.Load(); rep != nil {
		ch <- prometheus.MustNewConstMetric(descOldestLive, prometheus.GaugeValue, rep.OldestLive.Seconds())
		if k := rep.Keys; k != nil {
			for kind, n := range k.ByKind {
				ch <- prometheus.MustNewConstMetric(descKeys, prometheus.GaugeValue, float64(n), kind)
			}
			ch <- prometheus.MustNewConstMetric(descKeysNoTTL, prometheus.GaugeValue, float64(k.WithoutTTL))
			ch <- prometheus.MustNewConstMetric(descOrphans, prometheus.GaugeValue, float64(k.Orphans))
			ch <- prometheus.MustNewConstMetric(descLongLocks, prometheus.GaugeValue, float64(k.LongHeldLocks))
			for what, n := range k.Repaired {
				ch <- prometheus.MustNewConstMetric(descRepaired, prometheus.GaugeValue, float64(n), what)
			}
			ch <- prometheus.MustNewConstMetric(descScanSeconds, prometheus.GaugeValue, k.Duration.Seconds())
		}
	}
	for k, n := range h.router.TransitionCounts() {
		ch <- prometheus.MustNewConstMetric(descTransits, prometheus.CounterValue, float64(n), k[0], k[1])
	}
	for _, s := range []*plugins.Supervisor{h.procs.primary, h.procs.fallback} {
		if s != nil {
			in := s.Info()
			ch <- prometheus.MustNewConstMetric(descRestarts, prometheus.CounterValue, float64(in.Restarts), in.Name)
			ch <- prometheus.MustNewConstMetric(descProcs, prometheus.GaugeValue, float64(s.Procs()), in.Name)
			if cpu, ok := s.CPUSeconds(); ok {
				ch <- prometheus.MustNewConstMetric(descPluginCPU, prometheus.CounterValue, cpu, in.Name)
			}
		}
	}
}

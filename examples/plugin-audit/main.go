// Command plugin-audit is an example third-party backend plugin, built
// apart from the host: it wraps the memory backend and writes an audit line
// to stderr (which the host logs under the plugin's name) for every change.
// It shows how to write a plugin: implement shared.Backend (here by
// embedding the memory backend, whose optional parts - reconcile, the
// player index, webhooks - it thereby serves too), check it with
// shared/backendtest, and call shared.Serve. A backend that serves only
// shared.Backend works as a primary without a fallback; the host refuses
// to fail over to memory in front of a primary that cannot reconcile,
// since it could not write the outage's changes back.
//
// Use it without rebuilding the host:
//
//	go build -o bin/plugin-audit ./examples/plugin-audit
//	TOURNEY_PRIMARY=audit bin/host serve
package main

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"

	"github.com/hashicorp/go-hclog"
	"github.com/tourney/tourney/plugins/memory"
	"github.com/tourney/tourney/shared"
	"github.com/tourney/tourney/shared/config"
)

// audited wraps the memory backend and logs every change it makes.
type audited struct {
	*memory.Backend
	logger  hclog.Logger
	changes atomic.Int64
}

func (a *audited) record(c shared.Change, err error) (shared.Change, error) {
	for _, ev := range c.Events {
		a.changes.Add(1)
		a.logger.Info("audit", "event", ev.Type, "tournament", ev.TournamentID, "version", ev.Version)
	}
	return c, err
}

func (a *audited) Create(ctx context.Context, req shared.CreateRequest) (shared.Change, error) {
	return a.record(a.Backend.Create(ctx, req))
}

func (a *audited) Apply(ctx context.Context, req shared.ApplyRequest) (shared.Change, error) {
	return a.record(a.Backend.Apply(ctx, req))
}

func (a *audited) Remove(ctx context.Context, req shared.RemoveRequest) (shared.Change, error) {
	return a.record(a.Backend.Remove(ctx, req))
}

func (a *audited) Health(ctx context.Context) (shared.HealthReport, error) {
	rep, err := a.Backend.Health(ctx)
	rep.Backend, rep.Detail = "audit", fmt.Sprintf("%d events audited", a.changes.Load())
	return rep, err // the inner backend's epoch: the host restores when it changes
}

func main() {
	cfg, err := config.FromEnv(os.LookupEnv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "plugin-audit:", err)
		os.Exit(2)
	}
	logger := shared.NewPluginLogger("audit")
	shared.Serve(&audited{Backend: memory.New(memory.OptionsFromConfig(cfg.Store)), logger: logger}, logger)
}

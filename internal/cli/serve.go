package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"github.com/tourney/tourney/host"
	"github.com/tourney/tourney/httpapi"
	"github.com/tourney/tourney/shared/config"
)

// serverFlags mirrors the host's main variables as flags.
func serverFlags(fs *flag.FlagSet, cfg *config.Config) {
	fs.StringVar(&cfg.Host.HTTPAddr, "addr", cfg.Host.HTTPAddr, "listen address (TOURNEY_HTTP_ADDR)")
	fs.StringVar(&cfg.Host.PluginDir, "plugin-dir", cfg.Host.PluginDir, "directory of plugin binaries (TOURNEY_PLUGIN_DIR)")
	fs.StringVar(&cfg.Host.Primary, "primary", cfg.Host.Primary, "primary backend plugin (TOURNEY_PRIMARY)")
	fs.StringVar(&cfg.Host.Fallback, "fallback", cfg.Host.Fallback, "memory | readonly | off (TOURNEY_FALLBACK)")
}

// startServer starts a host and its HTTP API on ln.
func startServer(cfg config.Config, ln net.Listener) (*host.Host, *http.Server, error) {
	logger := host.NewLogger(cfg)
	h, err := host.New(host.Options{Config: cfg, Logger: logger})
	if err != nil {
		return nil, nil, err
	}
	shuttingDown := make(chan struct{})
	srv := &http.Server{
		Handler: httpapi.NewHandler(h, httpapi.Options{Token: cfg.Host.APIToken, Logger: logger.Named("http"), AddrRate: cfg.Host.RateLimitAddr,
			ShuttingDown: shuttingDown, PublicPages: cfg.Host.PublicPages, FrameAncestors: cfg.Host.FrameAncestors}),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	srv.RegisterOnShutdown(func() { close(shuttingDown) })
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("http server stopped", "error", err)
		}
	}()
	return h, srv, nil
}

// drainTimeout bounds how long a shutdown waits for requests in flight.
const drainTimeout = 5 * time.Second

// stopServer ends event streams at once, drains requests in flight (at
// most drainTimeout), then stops the host and its plugins.
func stopServer(h *host.Host, srv *http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		_ = srv.Close()
	}
	_ = h.Close()
}

func serve(cfg config.Config, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	serverFlags(fs, &cfg)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ln, err := net.Listen("tcp", cfg.Host.HTTPAddr)
	if err != nil {
		fmt.Fprintf(stderr, "TOURNEY_HTTP_ADDR=%s: %v\n", cfg.Host.HTTPAddr, err)
		return 2
	}
	h, srv, err := startServer(cfg, ln)
	if err != nil {
		ln.Close()
		fmt.Fprintln(stderr, "cannot start:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	st := h.Status(ctx)
	addr := ln.Addr().String()
	fmt.Fprintf(stdout, "tourney listening on http://%s (backend: %s)\n", addr, st.Backend)
	fmt.Fprintf(stdout, "  try: bin/host demo --addr %s     (plays a tournament through this server)\n", addr)
	fmt.Fprintf(stdout, "       curl -s http://%s/v1/status\n", addr)
	if st.Backend == "memory" {
		fmt.Fprintln(stdout, "  note: the memory backend keeps state in this process only; start Redis (redis-server) and set TOURNEY_PRIMARY=redis to share it.")
	}
	fmt.Fprintln(stdout, "  stop with Ctrl-C")
	<-ctx.Done()
	fmt.Fprintln(stdout, "shutting down")
	stopServer(h, srv)
	return 0
}

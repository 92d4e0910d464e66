// Package plugins runs the host's backend plugins: it checks each binary
// against its sha256 (TOURNEY_*_SHA256 or the plugins.sha256 manifest
// beside it), launches it with go-plugin over gRPC (AutoMTLS, its own
// process group, a per-host socket directory), hands out its Backend, and
// relaunches it with backoff when the process dies.
package plugins

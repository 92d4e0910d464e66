// Package httpapi is tourney's HTTP API (README, HTTP API) over a host.Host,
// and a Go client for it used by the CLI and the tests. It decodes and
// checks requests, maps domain errors to status codes, and nothing else: the
// rules live in the engine, the storage in the plugins.
package httpapi

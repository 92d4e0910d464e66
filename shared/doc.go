// Package shared is the tourney plugin SDK: the Backend interface every
// storage plugin implements, the go-plugin handshake and versioned plugin
// set, the gRPC adapters that carry Backend calls across the process
// boundary, and the mapping of domain errors onto gRPC status codes.
//
// The adapters only translate: they hold no rules (those live in
// tournament) and no storage (that is the plugins' job). A third
// party writes a backend by implementing Backend, checking it with
// shared/backendtest, and calling Serve from its main.
package shared

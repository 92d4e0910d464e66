// Package shared is the tourney plugin SDK: the Backend contract every
// storage plugin implements and its optional parts (Reconciler,
// PlayerIndex, WebhookStore), Serve, which runs a Backend as a go-plugin
// over gRPC, and the handshake the host checks. Its conformance suite is
// shared/backendtest.
//
// A third party writes a backend by implementing Backend (and whichever
// optional parts it serves), checking it with backendtest.Run, and calling
// Serve from its main. The rules live in package tournament: a backend
// loads a tournament, calls tournament.Apply and stores the result.
//
// What travels between host and plugin is the SDK's own business, under
// shared/internal: the protocol (proto), the contract's types (contract),
// and the wire code (wire), which carries calls over kept-open streams,
// sends snapshots typed, announces the optional parts a plugin serves, and
// lets a host that holds the state a change applied to receive only the
// change (it replays it with the engine) rather than the whole state. Domain
// errors cross as gRPC status codes and come back as the same Go errors.
package shared

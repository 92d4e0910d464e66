// Package host is the embeddable tourney host: the Go API a game process
// calls (tournaments, events, webhooks, status, metrics), and everything
// behind it that is not storage. Its parts live in packages of their own:
//
//   - host/failover routes every call to the backend that serves it and
//     runs the failover state machine: circuit breaker, outage log,
//     write-back, restore, snapshot cache;
//   - host/plugins launches, verifies and supervises the backend plugin
//     processes (go-plugin over gRPC);
//   - host/webhooks enqueues and delivers signed webhook deliveries.
//
// This package wires them together (New), and runs the sweeper, which
// warns of and resolves overdue games and runs backend housekeeping. Every
// call goes through Host.call, the single place where the choice of backend
// is made.
package host

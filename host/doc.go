// Package host is the embeddable tourney host: the Go API a game process
// calls, and everything behind it that is not storage. It launches backend
// plugin binaries over gRPC (or uses a Backend given in-process), restarts
// them when they die, resolves overdue games with the sweeper, and runs
// backend housekeeping.
//
// Every call goes through Host.call, the single place where the choice of
// backend is made; circuit breaking, failover and the snapshot cache hook in
// there without changing the API.
package host

// Package failover is the host's failover state machine: it routes every
// call to the backend that should serve it (the primary through a circuit
// breaker, else the fallback), keeps what the host knows (a snapshot
// cache), logs every change acknowledged on the fallback to disk (the
// outage log), and when the primary answers again writes the outage back,
// merging onto changes other hosts made meanwhile and recording what no
// longer applies as a conflict, and restores what a primary that lost data
// no longer holds.
//
// The host package drives it: New, then Probe and Run; every call goes
// through Do with the Call saying what it is.
package failover

// Package chaos is the fault-injection suite (`make chaos`, also part of
// `make test`): real host and plugin binaries, redis-server processes
// started by the tests, and faults injected for real: SIGKILL of Redis and
// of plugins, and Toxiproxy (in-process) between the Redis plugin and Redis
// for latency, blackholes, resets and outages.
package chaos

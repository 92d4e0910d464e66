#!/usr/bin/env bash
# `make run`: the sidecar on TOURNEY_HTTP_ADDR (127.0.0.1:8080). Uses Redis
# (REDIS_HOST:REDIS_PORT, default localhost:6379) when it answers and the
# Redis plugin is built; otherwise the memory backend.
set -euo pipefail
cd "$(dirname "$0")/.."
host="${REDIS_HOST:-localhost}" port="${REDIS_PORT:-6379}"
if [ -z "${TOURNEY_PRIMARY:-}" ]; then
  if [ -x bin/plugin-redis ] && command -v redis-cli >/dev/null 2>&1 &&
     [ "$(redis-cli -h "$host" -p "$port" ping 2>/dev/null)" = "PONG" ]; then
    export TOURNEY_PRIMARY=redis
    echo "Redis answers on $host:$port: using the redis backend"
  else
    export TOURNEY_PRIMARY=memory
    echo "No Redis on $host:$port (or no bin/plugin-redis): using the memory backend."
    echo "State lives in this process only. Start redis-server and run 'make run' again to share it."
  fi
fi
exec bin/host serve

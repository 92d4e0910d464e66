#!/usr/bin/env bash
# Makes sure redis-server, redis-cli and redis-sentinel are installed: the
# tests start their own servers (and sentinels) on free ports. Installs
# Debian's redis-server, redis-tools and redis-sentinel when missing.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 &&
  command -v redis-sentinel >/dev/null 2>&1; then
  exit 0
fi
echo "redis-server, redis-cli or redis-sentinel is missing; installing them with apt-get" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server redis-tools redis-sentinel >/dev/null
# The packages may start system instances; the tests do not use them.
command -v redis-server >/dev/null

#!/usr/bin/env bash
# Makes sure redis-server and redis-cli are installed: the tests start their
# own servers on free ports. Installs Debian's redis-server when missing.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
  exit 0
fi
echo "redis-server is missing; installing it with apt-get" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server redis-tools >/dev/null
# The package may start a system instance; the tests do not use it.
command -v redis-server >/dev/null

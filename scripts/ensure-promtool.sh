#!/usr/bin/env bash
# Installs promtool (Debian's prometheus package) when it is missing, so
# that make test can check docs/alerts.yml.
set -euo pipefail
command -v promtool >/dev/null 2>&1 && exit 0
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing promtool (prometheus) with apt-get" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null

#!/usr/bin/env bash
# Installs Chromium (Debian's chromium package) when it is missing, so that
# make test can open the bracket page in a real headless browser.
set -euo pipefail
for b in chromium chromium-browser google-chrome; do
  command -v "$b" >/dev/null 2>&1 && exit 0
done
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing chromium with apt-get" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null

#!/usr/bin/env bash
# Installs Debian's chromium for the portal's end-to-end tests (tests/portal), unless it is already there.
# Idempotent: does nothing when /usr/bin/chromium exists. Called by .ci/run.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "[install-chromium] /usr/bin/chromium present: $(/usr/bin/chromium --version 2>/dev/null || echo unknown version)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium
echo "[install-chromium] installed: $(/usr/bin/chromium --version 2>/dev/null || echo unknown version)"

#!/usr/bin/env bash
# Install a headless-capable Chromium for tests/test_widgets_browser.py (Debian/Ubuntu, apt). Idempotent:
# does nothing when a chromium binary is already on PATH. Run as root, or with sudo available.
set -euo pipefail
find_browser() { command -v chromium || command -v chromium-browser || command -v google-chrome || true; }
b=$(find_browser)
if [ -n "$b" ]; then echo "browser already installed: $b ($("$b" --version 2>/dev/null || echo '?'))"; exit 0; fi
command -v apt-get >/dev/null || { echo "install_browser.sh: no apt-get here; install chromium by hand" >&2; exit 1; }
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# Debian packages it as `chromium`; on Ubuntu `chromium-browser` is a snap shim, so prefer `chromium` and fall back.
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core \
  || $SUDO apt-get install -y -q --no-install-recommends chromium-browser fonts-dejavu-core
b=$(find_browser)
[ -n "$b" ] || { echo "install_browser.sh: chromium did not install" >&2; exit 1; }
echo "installed: $b ($("$b" --version 2>/dev/null || echo '?'))"

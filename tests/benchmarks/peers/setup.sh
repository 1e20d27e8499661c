#!/usr/bin/env bash
# `make bench-peers-setup`: install (once) and start the peers that `make bench` compares
# Dispatch with, under var/bench-peers/ (outside the tracked tree), on loopback only.
# Needs root for apt-get. Idempotent: run it again after a reboot to start the servers.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
mkdir -p "$ROOT/var/bench-peers"
status=0
"$HERE/wordpress.sh" "$ROOT" || { echo "WordPress set-up failed" >&2; status=1; }
if [ -x "$HERE/xtd.sh" ]; then
    "$HERE/xtd.sh" "$ROOT" || { echo "django-comments-xtd set-up failed" >&2; status=1; }
else
    echo "django-comments-xtd: no set-up script yet (tests/benchmarks/peers/xtd.sh); make bench reports it missing"
fi
exit $status

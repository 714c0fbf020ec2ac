#!/usr/bin/env bash
# bench/keychain.sh: the time of one keychain.Key lookup against a real
# Secret Service (GNOME Keyring in a private D-Bus session, with HOME and
# the XDG directories in a temporary directory: never your own keychain),
# beside the in-memory keychain. Each benchmark line gives the mean
# (ns/op) and the median call (median-ns/op). Not part of CI's pass/fail.
# Needs Debian's gnome-keyring, dbus-x11 and libsecret-tools.
# Usage: bench/keychain.sh [calls]   (default 500; five runs of each)
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-500}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/keychain.test" ./keychain
mkdir -m 700 "$tmp/run"
echo "# keychain lookup ($(nproc) cores, $(uname -sr), $(go version | cut -d' ' -f3), $(gnome-keyring-daemon --version | head -1))"
env -i PATH="$PATH" HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/run" \
	XDG_DATA_HOME="$tmp/home/.local/share" XDG_CONFIG_HOME="$tmp/home/.config" XDG_CACHE_HOME="$tmp/home/.cache" \
	dbus-run-session --config-file="$PWD/keychain/testdata/session.conf" -- \
	sh keychain/testdata/session.sh unlocked \
	"$tmp/keychain.test" -test.run '^$' -test.bench '^Benchmark(SecretService|Memory)$' -test.benchtime "${calls}x" -test.count 5 2>/dev/null |
	grep -E '^Benchmark'

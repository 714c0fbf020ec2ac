#!/usr/bin/env bash
# bench/run.sh: whole-process timings of the user-secrets CLI, against the
# floor of starting a trivial Go binary, plus concurrent-set throughput.
# Not part of CI's pass/fail. Usage: bench/run.sh [runs]   (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}

if ! command -v hyperfine >/dev/null; then
	echo "installing hyperfine (Debian)..." >&2
	apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# The CLI as the README installs it: without cgo, a static binary. Where a
# C compiler is found, the default build (with cgo) is timed too: cobra's
# flag library imports net, which then links libc and the dynamic loader.
CGO_ENABLED=0 go build -o "$out/user-secrets" ./cmd/user-secrets
CGO_ENABLED=0 go build -o "$out/noop" ./bench/noop
# user-secrets encrypt keeps the key in the OS keychain, which a benchmark
# machine may not have: this encrypts the store of $USER_SECRETS_ID under
# the key in $USER_SECRETS_KEY.
mkdir "$out/encsrc"
cat >"$out/encsrc/main.go" <<'GO'
package main

import (
	"log"
	"os"

	"github.com/go-user-secrets/user-secrets/core"
)

func main() {
	key, err := core.ParseKey(os.Getenv("USER_SECRETS_KEY"))
	if err != nil {
		log.Fatal(err)
	}
	s, err := core.Open(core.Options{})
	if err != nil {
		log.Fatal(err)
	}
	if err := s.Encrypt(key); err != nil {
		log.Fatal(err)
	}
}
GO
go build -o "$out/encrypt" "$out/encsrc/main.go"
us="$out/user-secrets"
cgo_run=()
if CGO_ENABLED=1 go build -o "$out/user-secrets-cgo" ./cmd/user-secrets 2>/dev/null; then
	cgo_run=(-n 'user-secrets get KEY_50 (built with cgo)' "'$us-cgo' get KEY_50")
fi

# A private store, a project with 100 secrets, and nothing of the real home.
export HOME="$out/home" USER_SECRETS_DIR="$out/store"
unset USER_SECRETS_ID
mkdir -p "$HOME" "$out/proj"
cd "$out/proj"
"$us" init >/dev/null 2>&1
for i in $(seq 1 100); do
	printf 'value-%03d-%s' "$i" "abcdefghijklmnopqrstuvwxyz" | "$us" set "KEY_$i" >/dev/null 2>&1
done
id=$(sed -n 's/^USER_SECRETS_ID=//p' .env)
# The same secrets in a second store, encrypted, read with the key in
# USER_SECRETS_KEY as CI does.
enc_id=5e9c0d1a-7b2f-4c3e-8d4a-6f1b2c3d4e5f
for i in $(seq 1 100); do
	printf 'value-%03d-%s' "$i" "abcdefghijklmnopqrstuvwxyz" | "$us" --id "$enc_id" set "KEY_$i" >/dev/null 2>&1
done
export USER_SECRETS_KEY=usk1:YmVuY2gtb25seS1rZXktMDEyMzQ1Njc4OWFiY2RlZmc # "bench-only-key-0123456789abcdefg"
USER_SECRETS_ID=$enc_id "$out/encrypt"
grep -q '^KEY_50=enc:v1:' "$USER_SECRETS_DIR/$enc_id/.secrets"
test "$("$us" --id "$enc_id" get KEY_50)" = value-050-abcdefghijklmnopqrstuvwxyz

echo "# user-secrets whole-process timings ($(nproc) cores, $(uname -sr), $(go version | cut -d' ' -f3))"
echo
hyperfine -N --warmup 20 --runs "$runs" --export-json "$out/cli.json" \
	-n 'go binary that does nothing (floor)' "'$out/noop'" \
	-n 'user-secrets get KEY_50' "'$us' get KEY_50" \
	"${cgo_run[@]}" \
	-n 'user-secrets list' "'$us' list" \
	-n 'user-secrets --id <uuid> get KEY_50' "'$us' --id $id get KEY_50" \
	-n 'user-secrets --id <uuid> get KEY_50 (encrypted, USER_SECRETS_KEY set)' "'$us' --id $enc_id get KEY_50" \
	-n 'user-secrets set NEW (100-key store)' "'$us' set NEW fresh-value" \
	-n 'user-secrets run -- true' "'$us' run -- true" >/dev/null 2>&1
unset USER_SECRETS_KEY
# set on a fresh store: before each run the project's store directory is
# removed, so that set creates it and writes the first secret.
hyperfine -N --warmup 5 --runs "$runs" --export-json "$out/fresh.json" \
	--prepare "rm -rf '$USER_SECRETS_DIR/$id'" \
	-n 'user-secrets set FIRST (fresh store)' "'$us' set FIRST first-value" >/dev/null 2>&1
python3 - "$out/cli.json" "$out/fresh.json" <<'PY'
import json, sys
rs = [r for f in sys.argv[1:] for r in json.load(open(f))["results"]]
floor = rs[0]["median"]
print("| command | median | mean ± σ | min | × floor |")
print("|---|---:|---:|---:|---:|")
for r in rs:
    ms = lambda x: "%.2f ms" % (x * 1000)
    print("| `%s` | %s | %s ± %.2f | %s | %.2f |" % (r["command"], ms(r["median"]), ms(r["mean"]),
          r["stddev"] * 1000, ms(r["min"]), r["median"] / floor))
PY
echo

echo "# concurrent set: N processes, each setting its own key in one fresh store"
echo
echo "| N | wall time | keys present |"
echo "|---|---|---|"
for n in 2 8 32 100; do
	export USER_SECRETS_DIR="$out/store-$n"
	mkdir -p "$out/c$n" && cd "$out/c$n"
	"$us" init >/dev/null 2>&1
	start=$(date +%s%N)
	for i in $(seq 1 "$n"); do
		"$us" set "PAR_$i" "v$i" 2>/dev/null &
	done
	wait
	end=$(date +%s%N)
	keys=$("$us" list --keys | grep -c '^PAR_' || true)
	printf '| %d | %d ms | %d/%d |\n' "$n" $(((end - start) / 1000000)) "$keys" "$n"
done

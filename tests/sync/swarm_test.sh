#!/usr/bin/env bash
# 200 kiosks syncing with one center at once (plain HTTP: the private-link mode), all from 127.0.0.1 as through one proxy
# (--per-address 400) (spean-swarm: one thread per simulated kiosk, real
# stores, sealed requests and HTTP): every request arrives exactly once.
. "$(dirname "$0")/../integration/lib.sh"
C="$T/center"
"$CENTER" init --data-dir "$C" >/dev/null || exit 2
"$CENTER" serve --data-dir "$C" --listen 127.0.0.1:0 --plain --per-address 400 >"$T/serve.out" 2>"$T/serve.err" &
spid=$!
trap 'kill -9 $spid 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do grep -q listening "$T/serve.out" 2>/dev/null && break; sleep 0.05; done
port=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\) http$/\1/p' "$T/serve.out")
SPEAN_LOG=warn run 0 "$SWARM" "$C" "http://127.0.0.1:$port" 200 3 "$T/kiosks"
out_has "200 kiosks: 600 delivered, 0 held, 0 failed"
run 0 "$CENTER" status --data-dir "$C"
grep -q '^requests 600$' "$T/out" && pass || fail "center holds $(head -1 "$T/out"), want 600"
grep -q '^kiosks 200$' "$T/out" && pass || fail "200 kiosks enrolled"
done_tests

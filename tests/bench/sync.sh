#!/usr/bin/env bash
# tests/bench/sync.sh [--quick]: network sync figures, each against a baseline measured in the same run:
#   1,000 requests kiosk -> center over loopback HTTPS (goal <= 2 s) vs one raw HTTPS POST of the same bytes;
#   bytes on the wire / sealed payload bytes (goal <= 1.10);
#   progress over a slow lossy link (64 kbit/s, 20% loss emulated by spean-faultproxy);
#   center import of 100,000 requests (goal <= 10 s) vs write+fsync of the same bytes per chunk;
#   the center under load: a kiosk's sync among 1,000 slow clients (on 127.0.0.2 and up) vs the same sync alone,
#   and the center's peak memory under 100 clients uploading 8 MiB at once vs its idle memory (spean-loadclient).
# Release build in build-bench/ (BENCH_BUILD_DIR overrides); output kept in <build>/sync-bench.txt.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
n=1000 slow=60 big=100000
[ "${1:-}" = --quick ] && n=200 slow=20 big=10000
bench_build syncbench spean spean-center spean-syncbench spean-faultproxy spean-loadclient
sb=$build/tests/bench/spean-syncbench proxy=$build/tests/sync/spean-faultproxy lc=$build/tests/sync/spean-loadclient
start_proxy() { # start_proxy PORT ARGS...: sets pport and PROXY (its pid)
	rm -f "$tmp/proxy.out"
	"$proxy" --to "127.0.0.1:$1" --listen 0 "${@:2}" >"$tmp/proxy.out" 2>"$tmp/proxy.err" &
	PROXY=$!
	pids+=("$PROXY")
	for _ in $(seq 100); do grep -q '^port' "$tmp/proxy.out" 2>/dev/null && break; sleep 0.05; done
	pport=$(awk '/^port/{print $2}' "$tmp/proxy.out")
}
bench_report sync $([ "$n" = 1000 ] && echo 1 || echo 0)

bench_world "$n"
payload=$("$sb" payload "$K")
serve "$C"
start_proxy "$port"
t0=$(ms)
"$spean" --data-dir "$K" sync --url "https://127.0.0.1:$pport" >"$tmp/sync.out" 2>"$tmp/sync.err"
t1=$(ms)
kill "$PROXY"; wait "$PROXY" 2>/dev/null || true
up=$(sed -n 's/.*bytes_up=\([0-9]*\).*/\1/p' "$tmp/proxy.err") down=$(sed -n 's/.*bytes_down=\([0-9]*\).*/\1/p' "$tmp/proxy.err")
grep -q "^$n delivered, 0 held" "$tmp/sync.out" || { echo "sync did not deliver everything: $(cat "$tmp/sync.out" "$tmp/sync.err")" >&2; exit 1; }
head -c "$payload" /dev/urandom >"$tmp/payload.bin"
b0=$(ms)
curl -sk -o /dev/null -X POST --data-binary @"$tmp/payload.bin" "https://127.0.0.1:$port/raw" || true
b1=$(ms)
sync_ms=$((t1 - t0)) raw_ms=$((b1 - b0))
goal_ms=$((2000 * n / 1000))
row "sync $n requests over loopback (process start to end)" "$sync_ms ms" "<= $goal_ms ms" "$(at_most "$sync_ms" "$goal_ms")" \
	"raw POST of the same $payload bytes: $raw_ms ms"
records=$((payload + n * (16 + 8 + 1 + 64))) # what the center keeps per request: sealed bytes, id, seq, urgent flag, device signature
ratio=$(awk -v a="$((up + down))" -v b="$records" 'BEGIN { printf "%.3f", a / b }')
row "bytes on the wire / records delivered" "$ratio" "<= 1.10" "$(at_most "$ratio" 1.10)" \
	"$((up + down)) B on the wire (up $up, down $down) for $records B of records"
sratio=$(awk -v a="$((up + down))" -v b="$payload" 'BEGIN { printf "%.3f", a / b }')
row "bytes on the wire / sealed bytes alone" "$sratio" "-" "INFO" \
	"$payload B sealed; each record also carries its 64 B signature, id, seq, flag"

# A slow lossy link: 64 kbit/s each way, 20% of segments delayed by a 200 ms retransmission.
"$sb" fill "$K" "$slow"
spay=$(( $("$sb" payload "$K") - payload ))
start_proxy "$port" --rate 8000 --loss 0.2 --rto 200 --seed 3
t0=$(ms)
"$spean" --data-dir "$K" sync --url "https://127.0.0.1:$pport" >"$tmp/slow.out" 2>"$tmp/slow.err"
t1=$(ms)
kill "$PROXY"; wait "$PROXY" 2>/dev/null || true
chunks=$(grep -c '^sync: ' "$tmp/slow.err" || true)
first=$(grep -m1 '^sync: ' "$tmp/slow.err" | sed 's/^sync: //')
ideal_ms=$((spay * 1000 / 8000))
row "slow lossy link: $slow requests" "$((t1 - t0)) ms" "progress" "INFO" \
	"$chunks progress reports (first: $first); payload alone at 64 kbit/s: $ideal_ms ms"
grep -q "^$slow delivered, 0 held" "$tmp/slow.out" || echo "  (slow link: $(cat "$tmp/slow.out"))"

# Center import: the service (parse, verify each signature and hash, durable commit, sign receipts).
C2=$tmp/c2
"$center" init --data-dir "$C2" >/dev/null
read -r _ cnt t_service t_base t_make < <("$sb" import "$C2" "$big")
goal=$((10000 * big / 100000))
row "center import of $cnt requests" "$t_service ms" "<= $goal ms" "$(at_most "$t_service" "$goal")" \
	"write+fsync of the same chunks: $t_base ms ($(awk -v a="$t_service" -v b="$t_base" 'BEGIN { printf "%.1fx", a / b }'))"
echo "  (making and signing the $cnt test records took $t_make ms, not counted)"

# The center under load. A kiosk's sync of $n new requests alone (median of 3), then the same among 1,000 slow TLS
# clients (each on its own address, a byte of a handshake every 3 s, back at once when cut; median of 3).
kb() { sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status"; }
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
timed_sync() { # timed_sync NAME: fills $n requests, syncs them, echoes the ms
	"$sb" fill "$K" "$n"
	local t0 t1
	t0=$(ms)
	"$spean" --data-dir "$K" sync --url "https://127.0.0.1:$port" >"$tmp/$1.out" 2>&1 || true
	t1=$(ms)
	grep -q "^$n delivered, 0 held" "$tmp/$1.out" || echo "  ($1: $(cat "$tmp/$1.out"))" >&2
	echo $((t1 - t0))
}
cpid=${pids[0]}
quiet_ms=$(median3 "$(timed_sync quiet1)" "$(timed_sync quiet2)" "$(timed_sync quiet3)")
rss0=$(kb "$cpid" VmRSS)
"$lc" slow --tls --to "127.0.0.1:$port" --from 127.0.0.2 --clients 1000 --every 3 --for 20 >"$tmp/slow.out" 2>&1 &
slowpid=$!
pids+=($slowpid)
for _ in $(seq 300); do grep -q ready "$tmp/slow.out" && break; sleep 0.05; done
sleep 1
rss1=$(kb "$cpid" VmRSS)
loaded_ms=$(median3 "$(timed_sync loaded1)" "$(timed_sync loaded2)" "$(timed_sync loaded3)")
wait "$slowpid" || true
row "sync $n requests among 1,000 slow clients" "$loaded_ms ms" "<= 30000 ms" "$(at_most "$loaded_ms" 30000)" \
	"alone: $quiet_ms ms ($(awk -v a="$loaded_ms" -v b="$quiet_ms" 'BEGIN { printf "%.2fx", a / b }'))"
row "center memory with 1,000 slow clients" "$(((rss1 - rss0) / 1024)) MiB" "-" "INFO" \
	"$(((rss1 - rss0) / 1000)) KiB a connection; $(sed 's/^slow: //' "$tmp/slow.out" | tail -1)"

# 100 clients uploading an 8 MiB body each at once (each holds its last byte until all are in), plain HTTP.
CU=$tmp/cu
"$center" init --data-dir "$CU" >/dev/null
rm -f "$tmp/up.out"
"$center" serve --data-dir "$CU" --listen 127.0.0.1:0 --plain >"$tmp/up.out" 2>"$tmp/up.err" &
upid=$!
pids+=($upid)
for _ in $(seq 100); do grep -q listening "$tmp/up.out" 2>/dev/null && break; sleep 0.05; done
uport=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/up.out")
sleep 0.5
idle=$(kb "$upid" VmRSS)
"$lc" upload --to "127.0.0.1:$uport" --from 127.0.2.1 --clients 100 --bytes 8388608 >"$tmp/upload.out" 2>&1
peak=$(kb "$upid" VmHWM)
row "center peak memory, 100 x 8 MiB uploads" "$((peak / 1024)) MiB" "<= $((idle / 1024 + 128)) MiB" \
	"$(at_most "$((peak / 1024))" "$((idle / 1024 + 128))")" "idle: $((idle / 1024)) MiB; the bodies alone: 800 MiB"
echo "  ($(sed 's/^upload: //' "$tmp/upload.out"))"

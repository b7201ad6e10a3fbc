#!/usr/bin/env bash
# The center under load (issue 11, point 4), real processes on loopback, the hostile clients from spean-loadclient
# (each bound to its own 127.x.y.z address before it connects):
#  (a) 1,000 slow clients from 127.0.0.2 and up, a TLS handshake trickled a byte every 3 s and reconnecting when cut,
#      plus 40 from one address, while a real kiosk on 127.0.0.1 syncs over HTTPS: it must be done within 30 s, every
#      slow connection cut at its header deadline (15 s), and one address held to 32 connections;
#  (b) 100 clients uploading 8 MiB bodies at once (each holding its last byte until all are in): the center admits
#      8 (64 MiB budget), answers the others 503 with Retry-After, and its peak memory stays under idle + 128 MiB;
#      the same with 200 slow clients sending a header line every 3 s over HTTP;
#  (c) hostile bodies (no Content-Length, too big, chunked, shorter or longer than declared, not a message, trickled
#      past the deadline): each answered or cut as designed, none handled, nothing stored.
. "$(dirname "$0")/../integration/lib.sh"
C="$T/center" K="$T/kiosk" H="$T/hostile" U="$T/upload"
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
# ASan keeps freed blocks in quarantine (256 MB by default), which would count as the center's memory in (b).
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8
export SPEAN_LOG=warn
serve() { # serve DIR NAME [--plain]: starts a center; sets PORT and SPID
	"$CENTER" serve --data-dir "$1" --listen 127.0.0.1:0 "${@:3}" >"$T/$2.out" 2>"$T/$2.err" &
	SPID=$!
	pids+=("$SPID")
	for _ in $(seq 200); do grep -q listening "$T/$2.out" 2>/dev/null && break; sleep 0.05; done
	PORT=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\) .*/\1/p' "$T/$2.out")
	[ -n "$PORT" ] || { echo "center $2 did not start: $(cat "$T/$2.err")" >&2; exit 2; }
}
stop() { kill "$1"; wait "$1" 2>/dev/null; }
in_range() { awk -v v="$1" -v a="$2" -v b="$3" 'BEGIN { exit !(v >= a && v <= b) }'; }
kb() { sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status"; }

for d in "$C" "$H" "$U"; do "$CENTER" init --data-dir "$d" >/dev/null || exit 2; done
"$SPEAN" --data-dir "$K" provision --center-key "$C/center.pub" >/dev/null || exit 2
"$CENTER" enroll --data-dir "$C" "$("$SPEAN" --data-dir "$K" identity)" >/dev/null || exit 2
printf 'request_date = 2026-05-20\nbirth_date = 1960-06-06\nhousehold = poor\ndeadline_working_days = 30\n' >"$T/f.txt"
printf 'name = Test\nphone = 0912 000 111\ncommune_code = 90032\nmatter = test\nconsent = yes\n' >"$T/c.txt"
for _ in $(seq 20); do "$SPEAN" --data-dir "$K" requests add --facts "$T/f.txt" --contact "$T/c.txt" >/dev/null || exit 2; done

# (c) first, in the background: the trickled cases take the request deadline (30 s), as long as (a) runs.
serve "$H" hostile --plain
HPORT=$PORT HPID=$SPID
i=1 hp=()
for c in nolength toobig chunked short long badmagic trickle; do
	"$LOADCLIENT" hostile --to "127.0.0.1:$HPORT" --from "127.0.1.$i" "$c" >"$T/h.$c" 2>&1 &
	pids+=($!) hp+=($!)
	i=$((i + 1))
done
# Over HTTP the slow clients send a header line every 3 s: the same header deadline cuts them.
"$LOADCLIENT" slow --to "127.0.0.1:$HPORT" --from 127.0.5.1 --clients 200 --every 3 --for 20 >"$T/lines.out" 2>&1 &
lines=$!
pids+=($lines)

# (a) 1,000 slow TLS clients on 1,000 addresses, 40 more on one address; the kiosk syncs among them.
serve "$C" center
"$LOADCLIENT" slow --tls --to "127.0.0.1:$PORT" --from 127.0.0.2 --clients 1000 --every 3 --for 24 >"$T/slow.out" 2>&1 &
slow=$!
pids+=($slow)
"$LOADCLIENT" slow --tls --to "127.0.0.1:$PORT" --from 127.0.9.9 --same --clients 40 --every 3 --for 24 >"$T/same.out" 2>&1 &
same=$!
pids+=($same)
for _ in $(seq 300); do grep -q ready "$T/slow.out" && break; sleep 0.05; done
grep -q "^ready 1000 connected" "$T/slow.out" && pass || fail "slow clients not all connected: $(cat "$T/slow.out")"
sleep 1
t0=$(date +%s%N)
run 0 timeout 30 "$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT"
t1=$(date +%s%N)
out_has "20 delivered, 0 held"
echo "kiosk synced among 1,000 slow clients in $(((t1 - t0) / 1000000)) ms"
wait "$same" "$slow"
cat "$T/same.out" "$T/slow.out"
# Of 40 from one address, 32 are held and 8 refused at once (they come back and are refused again).
read -r refused open < <(sed -n 's/.* \([0-9]*\) refused at once, .*, \([0-9]*\) open at the end$/\1 \2/p' "$T/same.out")
[ "${open:-0}" = 32 ] && pass || fail "one address holds ${open:-?} connections, want 32: $(cat "$T/same.out")"
[ "${refused:-0}" -ge 8 ] && pass || fail "the connections over 32 from one address were not refused: $(cat "$T/same.out")"
# Every slow connection is cut at its header deadline (15 s, checked each second), none before, none refused.
read -r refused cut lo hi < <(sed -n 's/.* \([0-9]*\) refused at once, \([0-9]*\) cut after \([0-9.]*\)\.\.\([0-9.]*\) s.*/\1 \2 \3 \4/p' "$T/slow.out")
[ "${cut:-0}" -ge 1000 ] && pass || fail "slow connections cut: ${cut:-?}, want all 1000: $(cat "$T/slow.out")"
in_range "${lo:-0}" 14.5 20 && in_range "${hi:-0}" 14.5 20 && pass || fail "cut after ${lo:-?}..${hi:-?} s, want 15..20"
[ "${refused:-1}" = 0 ] && pass || fail "slow clients on their own addresses refused: ${refused:-?}"
stop "$SPID"
grep -q "cut at the deadline: [0-9]* in their headers" "$T/center.err" && pass || fail "center's summary: $(tail -2 "$T/center.err")"
run 0 "$CENTER" status --data-dir "$C"
grep -q '^requests 20$' "$T/out" && pass || fail "center holds $(head -1 "$T/out"), want 20"

# (b) 100 x 8 MiB at once from 100 addresses: 8 admitted (64 MiB), 92 answered 503 with Retry-After; memory bounded.
serve "$U" upload --plain
sleep 0.5
idle=$(kb "$SPID" VmRSS)
run 0 "$LOADCLIENT" upload --to "127.0.0.1:$PORT" --from 127.0.2.1 --clients 100 --bytes 8388608
cat "$T/out"
out_has " 503 x92, no reply x0, 503 with Retry-After x92"
peak=$(kb "$SPID" VmHWM)
echo "center memory: idle $((idle / 1024)) MiB, peak $((peak / 1024)) MiB under 100 x 8 MiB uploads"
[ $((peak - idle)) -le $((128 * 1024)) ] && pass || fail "peak $((peak / 1024)) MiB over idle $((idle / 1024)) MiB + 128 MiB"
# From one address only two 8 MiB bodies at once (its quarter of the budget).
run 0 "$LOADCLIENT" upload --to "127.0.0.1:$PORT" --from 127.0.3.1 --same --clients 10 --bytes 8388608
out_has " 503 x8, no reply x0, 503 with Retry-After x8"
stop "$SPID"
grep -q "connections: 10 messages handled; refused unread: 100 over the budget" "$T/upload.err" && pass ||
	fail "upload center's summary: $(tail -1 "$T/upload.err")"

# (c) the hostile bodies: answered or cut as designed, and the center handled none of them.
wait "${hp[@]}" "$lines"
cat "$T/lines.out"
read -r refused cut lo hi < <(sed -n 's/.* \([0-9]*\) refused at once, \([0-9]*\) cut after \([0-9.]*\)\.\.\([0-9.]*\) s.*/\1 \2 \3 \4/p' "$T/lines.out")
[ "${cut:-0}" -ge 200 ] && in_range "${lo:-0}" 14.5 20 && in_range "${hi:-0}" 14.5 20 && pass ||
	fail "slow header lines: want all 200 cut at 15..20 s: $(cat "$T/lines.out")"
h() { cat "$T/h.$1"; }
grep -q "^nolength: status 411 after 0\.[0-9] s: a message needs its Content-Length" "$T/h.nolength" && pass || fail "$(h nolength)"
grep -q "^toobig: status 413 after 0\.[0-9] s: message over the size limit" "$T/h.toobig" && pass || fail "$(h toobig)"
grep -q "^chunked: status 411 after 0\.[0-9] s: send the message with a Content-Length" "$T/h.chunked" && pass || fail "$(h chunked)"
grep -q "^short: status 400 after 0\.[0-9] s: the message says 200 bytes, its Content-Length 190" "$T/h.short" && pass || fail "$(h short)"
grep -q "^badmagic: status 400 after 0\.[0-9] s: not a Spean sync message" "$T/h.badmagic" && pass || fail "$(h badmagic)"
# Declared longer than sent: it never ends, so the request deadline (30 s) cuts it; trickled, likewise.
read -r t < <(sed -n 's/^long: cut after \([0-9.]*\) s (no reply)$/\1/p' "$T/h.long")
in_range "${t:-0}" 29 36 && pass || fail "$(h long), want cut at 30..36 s"
read -r t < <(sed -n 's/^trickle: cut after \([0-9.]*\) s (no reply)$/\1/p' "$T/h.trickle")
in_range "${t:-0}" 29 36 && pass || fail "$(h trickle), want cut at 30..36 s"
stop "$HPID"
grep -q "connections: 0 messages handled; refused unread: 0 over the budget, 3 by their length; 2 refused by their framing; cut at the deadline: [0-9]* in their headers, 2 in their body" "$T/hostile.err" && pass ||
	fail "hostile center's summary: $(tail -1 "$T/hostile.err")"
run 0 "$CENTER" status --data-dir "$H"
grep -q '^requests 0$' "$T/out" && pass || fail "hostile center holds $(head -1 "$T/out"), want 0"
done_tests

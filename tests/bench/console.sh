#!/usr/bin/env bash
# tests/bench/console.sh [--quick]: the office console at 100,000 requests (--quick: 10,000). A center is filled
# through its service (spean-consolebench fill: signed, sealed, opened and checked as a kiosk's delivery), the
# real `spean-center run` is started (Release build in build-bench/), and each page is timed over HTTP on
# 127.0.0.1, a new connection per request, against a page the server answers with no work (/favicon.ico)
# in the same run: medians and the slowest, with the goals of issue 14; then the program's memory.
# Output kept in <build>/console-bench.txt.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
full=1 n=100000 reps=31
[ "${1:-}" = --quick ] && full=0 n=10000 reps=11
bench_build console spean-center spean-consolebench
cb=$build/tests/bench/spean-consolebench
C=$tmp/center
"$center" init --data-dir "$C" >/dev/null
t0=$(ms)
sample=$("$cb" fill "$C" "$n" | grep '^sample')
t_fill=$(($(ms) - t0))
IFS=$'\t' read -r _ sn sid sname sphone <<<"$sample"
echo 'bench-password-1' | "$center" user add --data-dir "$C" --role clerk bench >/dev/null
export SPEAN_SHARE_DIR=$root SPEAN_CONTENT_DIR=$root/firmware/content/kiosk
t0=$(ms)
"$center" run --data-dir "$C" --console-listen 127.0.0.1:0 >"$tmp/run.out" 2>"$tmp/run.err" &
pid=$!
pids+=("$pid")
for _ in $(seq 600); do grep -q '^console' "$tmp/run.out" 2>/dev/null && break; sleep 0.1; done
t_start=$(($(ms) - t0))
port=$(sed -n 's/^console 127.0.0.1:\([0-9]*\) http$/\1/p' "$tmp/run.out")
[ -n "$port" ] || { cat "$tmp/run.err" >&2; exit 1; }
rss_start=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
"$cb" time "$port" bench bench-password-1 "$reps" "$sn" "$sid" "$sname" "$sphone" >"$tmp/time.out"
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
bench_report console "$full"
row "requests at the center" "$n" "" "" "filled in $((t_fill / 1000)) s through the service"
row "start: every request opened into the index" "$t_start ms" "" "" ""
grep '^login' "$tmp/time.out" | sed 's/^/  /'
base=$(awk -F'\t' '/^page/ && NR==2 {print $3}' "$tmp/time.out")
awk -F'\t' '/^page/ { goal = $5 > 0 ? "≤ " $5 " ms" : ""; res = $5 > 0 ? ($3 <= $5 ? "PASS" : "MISS") : "";
	printf "  %-44s %14s   %-12s %-5s %s\n", $2 " (median)", $3 " ms", goal, res, sprintf("%.1f× baseline; slowest %s ms; %s bytes", $6, $4, $7) }' "$tmp/time.out"
row "resident memory after start (VmRSS)" "$((rss_start / 1024)) MiB" "" "" ""
row "resident memory after the pages (VmRSS)" "$((rss / 1024)) MiB" "≤ 64 MiB" "$(at_most "$rss" 65536)" "peak $((hwm / 1024)) MiB (VmHWM)"

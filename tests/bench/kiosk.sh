#!/usr/bin/env bash
# tests/bench/kiosk.sh [--quick]: the kiosk against a bare SDL2 program drawing the same bilingual
# question screen, both measured here in this run: first frame, memory (PSS), idle CPU (offscreen and
# Xvfb) and the cost of one tap (instructions, callgrind). Prints figures, goals and ratios; keeps the
# output in <build>/kiosk-bench.txt. Release build in build-bench/ (BENCH_BUILD_DIR overrides).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build-bench}
idle_s=60 runs=15 taps=20
[ "${1:-}" = --quick ] && idle_s=10 runs=5
command -v Xvfb >/dev/null && command -v valgrind >/dev/null || bash "$root/board/deps.sh" test >/dev/null
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSPEAN_SANITIZE=OFF >/dev/null
cmake --build "$build" --target spean spean-center baseline-sdl content_audio >&2
spean=$build/firmware/spean base=$build/tests/bench/baseline-sdl
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
export SDL_AUDIODRIVER=dummy SPEAN_CONTENT_DIR="$root/firmware/content/kiosk" SPEAN_FONT_DIR="$root/fonts"
"$build/sync/center/spean-center" init --data-dir "$tmp/c" >/dev/null
"$spean" --data-dir "$tmp/k" provision --center-key "$tmp/c/center.pub" >/dev/null
out="$build/kiosk-bench.txt"
exec > >(tee "$out")
hz=$(getconf CLK_TCK)
ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
verdict() { awk -v v="$1" -v g="$2" 'BEGIN { print (v <= g) ? "PASS" : "MISS" }'; }
row() { printf '  %-34s %12s   %-14s %-5s %s\n' "$@"; }

echo "spean kiosk bench ($( [ "$idle_s" = 60 ] && echo full || echo quick )), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs"
echo "  baseline: a bare SDL2 program (software surface, SDL_ttf) drawing the same bilingual question screen"
row figure value goal result ratio
# 1. First frame: from exec to the program saying its first screen is drawn ("first_frame" on
# stdout), warm (one untimed run each first). Shutdown is not counted.
first() { # CMD...: median wall ms over $runs runs
	"$@" >/dev/null 2>&1 || true
	for _ in $(seq "$runs"); do
		t0=$(ms)
		read -r _line < <("$@" 2>/dev/null)
		echo $(($(ms) - t0))
		wait 2>/dev/null || true
	done | median
}
export SDL_VIDEODRIVER=offscreen
k_first=$(first env SPEAN_BENCH_FIRST_FRAME=1 "$spean" --data-dir "$tmp/k" kiosk)
b_first=$(first "$base" "$root/fonts" --first-frame)
goal=$(awk -v b="$b_first" 'BEGIN { printf "%.0f", b * 1.5 }')
row "first frame (offscreen)" "${k_first} ms" "<= 1.5x = $goal" "$(verdict "$k_first" "$goal")" "$(ratio "$k_first" "$b_first") of ${b_first} ms"

# 2. Memory and idle CPU: both programs idle on their first screen.
idle() { # DRIVER: starts both, measures PSS after 2 s and CPU over idle_s
	local drv=$1
	SDL_VIDEODRIVER=$drv "$spean" --data-dir "$tmp/k" kiosk >/dev/null 2>&1 &
	local kp=$!
	SDL_VIDEODRIVER=$drv "$base" "$root/fonts" >/dev/null 2>&1 &
	local bp=$!
	pids+=("$kp" "$bp")
	sleep 2
	local kpss bpss kt0 bt0 kt1 bt1
	kpss=$(awk '/^Pss:/ {print $2}' "/proc/$kp/smaps_rollup")
	bpss=$(awk '/^Pss:/ {print $2}' "/proc/$bp/smaps_rollup")
	kt0=$(awk '{print $14 + $15}' "/proc/$kp/stat")
	bt0=$(awk '{print $14 + $15}' "/proc/$bp/stat")
	sleep "$idle_s"
	kt1=$(awk '{print $14 + $15}' "/proc/$kp/stat")
	bt1=$(awk '{print $14 + $15}' "/proc/$bp/stat")
	kill "$kp" "$bp"
	wait "$kp" "$bp" 2>/dev/null || true
	local kc bc
	kc=$(awk -v t=$((kt1 - kt0)) -v hz="$hz" -v s="$idle_s" 'BEGIN { printf "%.3f", t / hz / s * 100 }')
	bc=$(awk -v t=$((bt1 - bt0)) -v hz="$hz" -v s="$idle_s" 'BEGIN { printf "%.3f", t / hz / s * 100 }')
	if [ "$drv" = offscreen ]; then
		local goal_kb=$((bpss * 5 / 2))
		row "PSS idle (offscreen)" "$((kpss / 1024)).$(( (kpss % 1024) * 10 / 1024 )) MiB" "<= 2.5x" \
			"$(verdict "$kpss" "$goal_kb")" "$(ratio "$kpss" "$bpss") of $((bpss / 1024)).$(( (bpss % 1024) * 10 / 1024 )) MiB"
	fi
	row "idle CPU over ${idle_s} s ($drv)" "${kc}%" "<= 0.02%" "$(verdict "$kc" 0.02)" "baseline ${bc}% (SDL_WaitEventTimeout)"
}
idle offscreen
if command -v Xvfb >/dev/null; then
	Xvfb :77 -screen 0 1024x768x24 >/dev/null 2>&1 &
	pids+=($!)
	sleep 1
	DISPLAY=:77 idle x11
fi

# 3. One tap, in instructions: a script of $taps taps against the same start with none.
printf 'tap start\ntap back\n%.0s' $(seq $((taps / 2))) >"$tmp/taps.replay"
printf 'wait 0\n' >"$tmp/none.replay"
ir() { valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$spean" --data-dir "$tmp/k" kiosk --replay "$1" \
	>/dev/null 2>"$tmp/cg.err"; sed -n 's/^summary: //p' "$tmp/cg.out"; }
if command -v valgrind >/dev/null; then
	i_taps=$(ir "$tmp/taps.replay")
	i_none=$(ir "$tmp/none.replay")
	per=$(( (i_taps - i_none) / taps ))
	row "one tap (press, redraw, release)" "$((per / 1000)) k instr" "-" "INFO" "$(ratio "$per" "$i_none") of start-up ($((i_none / 1000000)) M)"
fi

#!/usr/bin/env bash
# tests/bench/run.sh: configure and build the benchmark build (Release), run spean-bench, keep its output in <build>/bench.txt,
# then the journey benchmark (spean-journey: taps and text from the attract screen to the receipt), kept in <build>/journey.txt.
#
# usage: tests/bench/run.sh [--quick] [other spean-bench options]
# BENCH_BUILD_DIR overrides the build dir (default: build-bench at the repo root).
# TMPDIR picks where the bench writes its stores: it should be a real disk, not tmpfs.
# SPEAN_SHARED_DIR overrides where shared/ is (default: beside the repo).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build-bench}

gen=()
if [ ! -f "$build/CMakeCache.txt" ] && command -v ninja >/dev/null 2>&1; then
	gen=(-G Ninja)
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cmake -S "$root" -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DSPEAN_SANITIZE=OFF >"$log" 2>&1 ||
	{ cat "$log" >&2; exit 1; }
cmake --build "$build" --target spean spean-bench spean-journey >&2

export SPEAN_SHARED_DIR=${SPEAN_SHARED_DIR:-$root/../shared}
"$build/tests/bench/spean-bench" "$@" | tee "$build/bench.txt"
# No timing in it: the same figures in --quick; it fails the run if a journey is wrong or longer than before.
"$build/tests/bench/spean-journey" | tee "$build/journey.txt"

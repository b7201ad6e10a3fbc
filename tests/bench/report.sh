#!/usr/bin/env bash
# tests/bench/report.sh [--quick]: the center's reports at n and 10n, with the ratio (linear ~10, quadratic ~100):
# statistics of one request claiming n distinct groups, the CSV export of n requests. Release build in
# build-bench/ (BENCH_BUILD_DIR overrides); the output is kept in <build>/report-bench.txt.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build-bench}
gen=()
if [ ! -f "$build/CMakeCache.txt" ] && command -v ninja >/dev/null 2>&1; then
	gen=(-G Ninja)
fi
cmake -S "$root" -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DSPEAN_SANITIZE=OFF >/dev/null
cmake --build "$build" --target spean-reportbench >&2
"$build/tests/bench/spean-reportbench" "$@" | tee "$build/report-bench.txt"

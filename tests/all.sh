#!/usr/bin/env bash
# tests/all.sh: install what is missing, build with ASan+UBSan and -Werror, build Release with -Werror
# (the optimiser sees warnings the debug build does not), run every test (unit, integration, power cuts,
# injected faults, privacy, fuzz corpora), fuzz each parser briefly, then check that nothing was left
# at the repository's top level. Logs go into the build dirs.
#   FUZZ_SECONDS=N  seconds per fuzz target (default 20; 0 skips live fuzzing, the corpora still run)
#   SPEAN_TEST_BUILD_DIR  build dir (default build-test at the repo root; Release: build-release beside it)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SPEAN_TEST_BUILD_DIR:-$root/build-test}
jobs=$(nproc 2>/dev/null || echo 2)

bash "$root/board/deps.sh" test || exit 1
if [ ! -d "$root/../shared/spec" ]; then
	echo "tests: ../shared (the spec, with personas-public.tsv) must sit beside the repo" >&2
	exit 1
fi

echo "== build (ASan+UBSan, -Werror) in $build"
mkdir -p "$build"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSPEAN_SANITIZE=ON -DSPEAN_WERROR=ON \
	>"$build/configure.log" 2>&1 || { cat "$build/configure.log"; exit 1; }
cmake --build "$build" -j "$jobs" || exit 1

release=$(dirname "$build")/build-release
echo "== build (Release, -Werror) in $release"
mkdir -p "$release"
cmake -S "$root" -B "$release" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSPEAN_SANITIZE=OFF -DSPEAN_WERROR=ON \
	>"$release/configure.log" 2>&1 || { cat "$release/configure.log"; exit 1; }
cmake --build "$release" -j "$jobs" >"$release/build.log" 2>&1 || { grep -E "error|warning" -A3 "$release/build.log" | head -60; echo "tests: the Release build fails"; exit 1; }

fuzz_rc=0
if [ "${FUZZ_SECONDS:-20}" != 0 ]; then
	echo "== fuzz (${FUZZ_SECONDS:-20} s per parser)"
	bash "$root/tests/fuzz/run.sh" "${FUZZ_SECONDS:-20}" || fuzz_rc=1
fi

echo "== ctest"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
(cd "$build" && ctest --output-on-failure -j "$jobs")
ctest_rc=$?
echo "== the top level after the tests"
SPEAN_SOURCE_DIR=$root bash "$root/tests/integration/tree_test.sh" || ctest_rc=1
[ $fuzz_rc = 0 ] || echo "tests: live fuzzing found a problem (see above)"
[ $ctest_rc = 0 ] && [ $fuzz_rc = 0 ]

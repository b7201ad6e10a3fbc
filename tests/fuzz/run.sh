#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS]: build the libFuzzer targets (clang) and fuzz each one for SECONDS (default 20).
#
# The build dir is $FUZZ_BUILD_DIR, else <repo>/build-fuzz. Each target fuzzes a
# temporary copy of its corpus, so new inputs never land in the repo; a crash
# (or leak, timeout, OOM) is kept in <build>/fuzz-artifacts/<target>/.
# Exit status: 0 if every target ran clean, 1 if any failed, 2 on a build error.
set -u -o pipefail

secs=${1:-20}
case $secs in
'' | *[!0-9]*)
	echo "usage: $0 [SECONDS]" >&2
	exit 2
	;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
fuzzdir=$root/tests/fuzz
targets=(facts rules contact record keyfile content holidays hours pack sync usbframe vi_input kmtext printer stick report serve personas lockout provision console backup voice)
jobs=$(nproc 2>/dev/null || echo 2)

# ASan/UBSan on the parsers too (SPEAN_SANITIZE), not only on the fuzz entry points.
# CC only matters on the first configure; later runs keep the cached compiler.
mkdir -p "$build" && build=$(cd "$build" && pwd)
if ! CC=${FUZZ_CC:-clang} cmake -S "$root" -B "$build" -DSPEAN_FUZZ=ON -DSPEAN_SANITIZE=ON -DSPEAN_TESTS=ON \
	>"$build/fuzz-configure.log" 2>&1; then
	cat "$build/fuzz-configure.log" >&2
	echo "fuzz: configure failed" >&2
	exit 2
fi
if ! cmake --build "$build" -j "$jobs" --target "${targets[@]/#/fuzz_}"; then
	echo "fuzz: build failed" >&2
	exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/spean-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
for t in "${targets[@]}"; do
	bin=$build/tests/fuzz/fuzz_$t
	src=$fuzzdir/corpus/$t
	if [ "$t" = vi_input ]; then # the Telex engine's target lives with its module
		bin=$build/ui/input/fuzz_vi_input
		src=$root/ui/input/corpus/vi_input
	fi
	if [ "$t" = kmtext ]; then # so does the Khmer catalog rules' target
		bin=$build/ui/text/fuzz_kmtext
		src=$root/ui/text/corpus/kmtext
	fi
	dir=$work/$t
	mkdir -p "$dir/corpus" "$dir/artifacts"
	cp -R "$src/." "$dir/corpus/"
	seeds=$(find "$dir/corpus" -type f | wc -l)
	args=(-max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1
		-artifact_prefix="$dir/artifacts/")
	[ -f "$fuzzdir/$t.dict" ] && args+=(-dict="$fuzzdir/$t.dict")
	start=$(date +%s)
	"$bin" "${args[@]}" "$dir/corpus" >"$dir/log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$dir/log" | tail -n 1 | cut -d' ' -f2)
	found=$(find "$dir/artifacts" -type f | wc -l)
	corpus=$(find "$dir/corpus" -type f | wc -l)
	if [ "$rc" -eq 0 ] && [ "$found" -eq 0 ]; then
		passed=$((passed + 1))
		printf 'fuzz_%-8s ok      %3ss  %9s runs  cov %5s  corpus %d -> %d\n' "$t" "$took" "${runs:-?}" "${cov:-?}" "$seeds" "$corpus"
	else
		failed=$((failed + 1))
		keep=$build/fuzz-artifacts/$t
		mkdir -p "$keep"
		cp "$dir"/artifacts/* "$keep/" 2>/dev/null
		cp "$dir/log" "$keep/fuzz.log"
		printf 'fuzz_%-8s FAILED  %3ss  exit %d, %d artifact(s) in %s\n' "$t" "$took" "$rc" "$found" "$keep"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*property violated|ALARM|.*deadly signal)' "$dir/log" | head -n 5 | sed 's/^/    /'
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

# tests/bench/lib.sh: sourced by the sync and USB bench scripts after they set $here:
#   bench_build NAME TARGETS...  configure and build the Release bench tree, make the temp dir $tmp
#   ms, row, at_most/at_least (a figure against its goal), serve DIR (a center on 127.0.0.1, sets $port)
# Child processes started with pids+=(...) are stopped at exit.
root=$(cd "$here/../.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build-bench}
spean=$build/firmware/spean center=$build/sync/center/spean-center
pids=()
tmp=
bench_build() {
	local name=$1
	shift
	cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSPEAN_SANITIZE=OFF >/dev/null
	cmake --build "$build" --target "$@" >&2
	tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/spean-$name-XXXXXX")
}
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	[ -z "$tmp" ] || rm -rf "$tmp"
}
trap cleanup EXIT
export SPEAN_LOG=error
ms() { echo $(($(date +%s%N) / 1000000)); }
row() { printf '  %-44s %14s   %-12s %-5s %s\n' "$@"; }
at_most() { awk -v v="$1" -v g="$2" 'BEGIN { print (v <= g) ? "PASS" : "MISS" }'; }
at_least() { awk -v v="$1" -v g="$2" 'BEGIN { print (v >= g) ? "PASS" : "MISS" }'; }
serve() {
	rm -f "$tmp/serve.out" # not the last center's "listening" line
	"$center" serve --data-dir "$1" --listen 127.0.0.1:0 >"$tmp/serve.out" 2>"$tmp/serve.err" &
	pids+=($!)
	for _ in $(seq 100); do grep -q listening "$tmp/serve.out" 2>/dev/null && break; sleep 0.05; done
	port=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/serve.out")
}
# bench_report NAME FULL: everything after goes to the screen and to <build>/NAME-bench.txt, under a header.
bench_report() {
	exec > >(tee "$build/$1-bench.txt")
	echo "spean $1 bench ($([ "$2" = 1 ] && echo full || echo quick)), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs"
	row figure value goal result baseline
}
# bench_world N: a center $C and an enrolled kiosk $K holding N requests (needs $sb, spean-syncbench).
bench_world() {
	C=$tmp/c K=$tmp/k
	"$center" init --data-dir "$C" >/dev/null
	"$spean" --data-dir "$K" provision --center-key "$C/center.pub" >/dev/null
	"$center" enroll --data-dir "$C" "$("$spean" --data-dir "$K" identity)" >/dev/null
	"$sb" fill "$K" "$1"
}

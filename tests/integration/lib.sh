# Shared helpers for the shell integration tests (sourced). Needs SPEAN (binary) and CENTER set by CTest.
set -u
PASS=0
FAIL=0
T=$(mktemp -d "${TMPDIR:-/tmp}/spean-it-XXXXXX")
trap 'rm -rf "$T"' EXIT

pass() { PASS=$((PASS + 1)); }
# flip_byte FILE OFFSET: change one byte in place (never a no-op, unlike writing a fixed byte that may already be there).
flip_byte() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	[ -n "$b" ] || { echo "flip_byte: $1 has no byte $2" >&2; exit 2; }
	printf "\\$(printf %03o $((b ^ 0x20)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
fail() { FAIL=$((FAIL + 1)); echo "FAIL: $*" >&2; }
check() { # check DESCRIPTION COMMAND...
	local what=$1; shift
	if "$@"; then pass; else fail "$what"; fi
}
# run EXPECTED_RC CMD...: runs, keeps stdout in $T/out and stderr in $T/err
run() {
	local want=$1; shift
	"$@" >"$T/out" 2>"$T/err"
	local rc=$?
	if [ "$rc" = "$want" ]; then pass; else fail "exit $rc, want $want: $*"; sed 's/^/  stderr: /' "$T/err" >&2; fi
}
out_is() { if [ "$(cat "$T/out")" = "$1" ]; then pass; else fail "stdout: got '$(cat "$T/out")', want '$1'"; fi; }
out_has() { if grep -qF -- "$1" "$T/out"; then pass; else fail "stdout lacks '$1': got '$(cat "$T/out")'"; fi; }
err_has() { if grep -qF -- "$1" "$T/err"; then pass; else fail "stderr lacks '$1': got '$(cat "$T/err")'"; fi; }
out_empty() { if [ ! -s "$T/out" ]; then pass; else fail "stdout not empty: $(cat "$T/out")"; fi; }
done_tests() {
	echo "$(basename "$0"): $PASS passed, $FAIL failed"
	# A test that checked nothing has not passed.
	[ "$PASS" -gt 0 ] || echo "$(basename "$0"): no check ran" >&2
	[ "$FAIL" = 0 ] && [ "$PASS" -gt 0 ]
}

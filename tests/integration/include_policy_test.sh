#!/usr/bin/env bash
# One includer per dependency (CONVENTIONS.md): fail if a header is included outside its module.
. "$(dirname "$0")/lib.sh"
cd "$SPEAN_SOURCE_DIR" || exit 2

# policy HEADER_REGEX ALLOWED_PATH_REGEX
policy() {
	local bad
	bad=$(grep -rlE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($1)[>\"]" \
		--include='*.c' --include='*.h' firmware ui sync board tests 2>/dev/null | grep -vE "$2" || true)
	if [ -z "$bad" ]; then pass; else fail "$1 included outside $2: $bad"; fi
}
policy 'sqlite3\.h' '^firmware/store/'
policy 'sodium\.h|sodium/.*' '^firmware/crypt/'
# tests/bench/baseline_* is the bare SDL2 yardstick of the kiosk benchmark, not product code.
policy 'SDL2?/SDL_ttf\.h|SDL_ttf\.h' '^(ui/text/|tests/bench/baseline_)'
# tests/sync/usb*: the umockdev USB mocks' own checks drive the real libusb directly.
policy 'libusb-1\.0/libusb\.h|libusb\.h' '^(sync/transport_usb|tests/sync/usb)'

# The checker itself must catch a violation (it is not a test that cannot fail).
mkdir -p "$T/firmware/core"
printf '#include <sqlite3.h>\n' >"$T/firmware/core/x.c"
(cd "$T" && grep -rlE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](sqlite3\.h)[>"]' firmware | grep -vqE '^firmware/store/') \
	&& pass || fail "policy check detects a planted violation"

# Every module header says on its first line what the module is for.
for h in firmware/*/*.h sync/*/*.h; do
	head -1 "$h" | grep -q '^/\* ' && pass || fail "$h: first line must be a comment saying what it is for"
done
done_tests

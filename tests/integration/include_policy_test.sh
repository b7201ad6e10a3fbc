#!/usr/bin/env bash
# One includer per dependency (CONVENTIONS.md): fail if a header is included outside its module.
# The self-check runs the same policy on planted trees, and a run that scanned no source fails.
. "$(dirname "$0")/lib.sh"
cd "$SPEAN_SOURCE_DIR" || exit 2

# One line per dependency: WHAT @ HEADER_REGEX @ ALLOWED_PATH_REGEX.
POLICY='SQLite @ sqlite3\.h @ ^firmware/store/
libsodium @ sodium\.h|sodium/.* @ ^firmware/crypt/
SDL2_ttf @ SDL2?/SDL_ttf\.h|SDL_ttf\.h @ ^(ui/text/|tests/bench/baseline_)
SDL2 (ui/ and the kiosk main only) @ (SDL2?/)?SDL(_[a-z]+)?\.h @ ^(ui/|firmware/app/kiosk_main\.c|tests/bench/baseline_)
ICU (ui/text: breaks, normalisation; ui/input: Telex and VNI; ui/console: search folding; the lunar holidays oracle test) @ unicode/[a-z0-9_]+\.h @ ^(ui/(text|input|console)/|firmware/core/tests/holidays_lunar_test\.c)
libqrencode (the receipt on paper and on screen) @ qrencode\.h @ ^ui/(print|toolkit)/
libusb (the USB transports; the umockdev mocks own checks) @ libusb\.h @ ^(sync/transport_usb|tests/sync/usb)
libusb spelled one way: <libusb.h> @ libusb-1\.0/libusb\.h @ ^$
libmicrohttpd @ microhttpd\.h @ ^sync/center/(serve\.c|console\.c|console_internal\.h|tests/)
libcurl @ curl/curl\.h @ ^sync/transport_http\.c
HarfBuzz @ hb\.h|hb-[a-z]+\.h|harfbuzz/.* @ ^ui/text/
libsystemd (sd_notify, the watchdog) @ systemd/sd-[a-z-]+\.h @ ^firmware/app/svc\.c
libxlsxwriter (the XLSX export) @ xlsxwriter\.h|xlsxwriter/.* @ ^sync/center/report_xlsx\.c
Cairo, Pango and fontconfig (the form as PDF) @ cairo(-pdf)?\.h|pango/.*|fontconfig/.* @ ^(sync/center/report_pdf\.c|ui/text/tools/gen-pictures\.c)'

# policy ROOT: every violation of POLICY in the tree at ROOT, one line each; non-zero if any, or if
# the tree holds no C source at all (a check that looked at nothing).
policy() {
	local root=$1 rc=0 line what header allowed bad n
	n=$(cd "$root" && find firmware ui sync board tests -name '*.[ch]' 2>/dev/null | wc -l)
	[ "$n" -gt 0 ] || { echo "no C sources under $root: nothing checked"; return 2; }
	while IFS= read -r line; do
		what=${line%% @ *}
		allowed=${line##* @ }
		header=${line#* @ }
		header=${header% @ *}
		bad=$(cd "$root" && grep -rlE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($header)[>\"]" \
			--include='*.c' --include='*.h' firmware ui sync board tests 2>/dev/null | grep -vE "$allowed" | tr '\n' ' ')
		[ -z "$bad" ] || { echo "$what: $header included outside $allowed: $bad"; rc=1; }
	done <<<"$POLICY"
	return $rc
}

# The repository.
if out=$(policy .); then pass; else fail "include policy: $out"; fi

# The same function must catch each kind of violation planted in a tree of its own, and must
# not pass a tree with nothing in it.
plant() { # plant FILE INCLUDE: a one-file tree; the policy must name FILE
	rm -rf "$T/tree" && mkdir -p "$T/tree/$(dirname "$1")"
	printf '#include %s\n' "$2" >"$T/tree/$1"
	if out=$(policy "$T/tree"); then fail "policy missed $2 in $1"; else
		case $out in *"$1"*) pass ;; *) fail "policy did not name $1: $out" ;; esac
	fi
}
plant firmware/core/x.c '<sqlite3.h>'
plant sync/x.c '<sodium.h>'
plant firmware/store/x.c '<SDL.h>'
plant sync/center/x.c '<SDL2/SDL_video.h>'
plant firmware/app/cli.c '<SDL.h>'
plant ui/kiosk/x.c '<SDL_ttf.h>'
plant ui/kiosk/x.c '<unicode/ubrk.h>'
plant sync/x.c '<qrencode.h>'
plant sync/transport_usb_host.c '<libusb-1.0/libusb.h>'
plant firmware/app/x.c '<libusb.h>'
plant firmware/app/kiosk_main.c '<systemd/sd-daemon.h>'
plant ui/text/x.c '<microhttpd.h>'
plant ui/kiosk/x.c '<hb.h>'
rm -rf "$T/tree" && mkdir -p "$T/tree/firmware/core"
if out=$(policy "$T/tree"); then fail "a tree with no source passed the policy"; else pass; fi
# Allowed places stay allowed.
rm -rf "$T/tree" && mkdir -p "$T/tree/ui/text" "$T/tree/firmware/app" &&
	printf '#include <SDL.h>\n#include <hb.h>\n#include <unicode/ubrk.h>\n' >"$T/tree/ui/text/x.c" &&
	printf '#include <SDL.h>\n' >"$T/tree/firmware/app/kiosk_main.c"
if out=$(policy "$T/tree"); then pass; else fail "policy refused allowed includes: $out"; fi

# Every module header says on its first line what the module is for.
for h in firmware/*/*.h sync/*/*.h; do
	head -1 "$h" | grep -q '^/\* ' && pass || fail "$h: first line must be a comment saying what it is for"
done
done_tests

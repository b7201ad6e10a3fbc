#!/usr/bin/env bash
# `cmake --install` into a DESTDIR: every file where the FHS says (binaries in /usr/bin, the bundle in
# /usr/share/spean, the gadget script in /usr/lib/spean, state dirs in /var/lib), with its mode; no
# installed byte names the source or the build tree; the installed binary finds the installed bundle
# by itself (no variable set) and, with nothing installed, names /usr/share/spean, not this tree.
. "$(dirname "$0")/lib.sh"
: "${SPEAN_BIN_DIR:?}" "${SPEAN_SOURCE_DIR:?}"
R="$T/root"
DESTDIR="$R" cmake --install "$SPEAN_BIN_DIR" >"$T/install.log" 2>&1 || { cat "$T/install.log" >&2; exit 2; }

mode() { stat -c %a "$R$1" 2>/dev/null; }
want() { # want PATH MODE [TYPE]: PATH installed with MODE (f file, d directory)
	local m
	m=$(mode "$1")
	if [ "$m" = "$2" ] && [ "-${3:-f}" "$R$1" ] && [ ! -L "$R$1" ]; then
		pass
	else fail "$1: mode '$m' (want $2, ${3:-f})"; fi
}
want /usr/bin/spean 755
want /usr/bin/spean-center 755
want /usr/lib/spean/usb-gadget.sh 755
want /usr/lib/spean/mark-good.sh 755
for f in NotoSans-Regular.ttf NotoSans-Bold.ttf NotoSansKhmerUI-Regular.ttf NotoSansKhmerUI-Bold.ttf OFL.txt; do
	want "/usr/share/spean/fonts/$f" 644
done
for f in questions.conf strings.vi strings.km strings.km.reviewed communes.txt holidays.txt hours.txt audio.keys \
	icons/icons.list icons/house.bmp; do
	want "/usr/share/spean/content/$f" 644
done
want /usr/share/spean/demo/eligibility.rules 644
want /usr/share/spean/demo/demo.contact 644
want /var/lib/spean 750 d
want /var/lib/spean-center 750 d
# Every icon and every generated Vietnamese prompt, not a sample of them.
n_src=$(find "$SPEAN_SOURCE_DIR/firmware/content/kiosk/icons" -name '*.bmp' | wc -l)
n_inst=$(find "$R/usr/share/spean/content/icons" -name '*.bmp' | wc -l)
[ "$n_src" -gt 0 ] && [ "$n_src" = "$n_inst" ] && pass || fail "icons: $n_inst installed of $n_src"
n_src=$(find -L "$SPEAN_BIN_DIR/content/audio" -type f ! -name stamp | wc -l)
n_inst=$(find "$R/usr/share/spean/audio" -type f | wc -l)
[ "$n_src" -gt 0 ] && [ "$n_src" = "$n_inst" ] && pass || fail "prompts: $n_inst installed of $n_src"
# Nothing else: no generator scripts, no stamps, nothing outside usr/ and var/lib.
extra=$(cd "$R" && find . -type f \( -name '*.sh' ! -path ./usr/lib/spean/usb-gadget.sh ! -path ./usr/lib/spean/mark-good.sh -o -name stamp -o -name README.md \))
[ -z "$extra" ] && pass || fail "build leftovers installed: $extra"
top=$(cd "$R" && find . -mindepth 1 -maxdepth 2 -type d | sort | tr '\n' ' ')
[ "$top" = "./usr ./usr/bin ./usr/lib ./usr/share ./var ./var/lib " ] && pass || fail "top dirs: $top"
# No source or build path in any installed byte (binaries included: __FILE__, debug info, defaults).
# A sanitizer build (SPEAN_SANITIZE=ON, never packaged) is the one exception: GCC writes each compiled
# file's absolute name into the ASan/UBSan source locations, past -ffile-prefix-map. There every hit
# must be exactly such a name (SRC/dir/file.c, a file that exists) and nothing else (no content, font
# or audio path); the packages' build (no sanitizer) must have none at all (debian/build.sh checks it too).
for dir in "$SPEAN_SOURCE_DIR" "$SPEAN_BIN_DIR" "$(cd "$SPEAN_SOURCE_DIR" && pwd -P)" "$(cd "$SPEAN_BIN_DIR" && pwd -P)"; do
	if [ "${SPEAN_SANITIZE:-OFF}" = ON ]; then
		bad=$(grep -raohE -- "$(printf '%s' "$dir" | sed 's/[.[\*^$/]/\\&/g')[^[:cntrl:]\"]*" "$R" | sort -u |
			while IFS= read -r p; do [[ $p =~ \.c$ ]] && [ -f "$p" ] || echo "$p"; done | tr '\n' ' ')
		[ -z "$bad" ] && pass || fail "$dir compiled or copied in (not a sanitizer source location): $bad"
	else
		hits=$(grep -rlaF -- "$dir" "$R" | sed "s|^$R||" | tr '\n' ' ')
		[ -z "$hits" ] && pass || fail "$dir compiled or copied into: $hits"
	fi
done
# The check itself finds a planted path (it would not pass a tree that still had one).
mkdir -p "$T/plant" && printf 'x%sy' "$SPEAN_SOURCE_DIR/fonts" >"$T/plant/bin"
grep -rlaqF -- "$SPEAN_SOURCE_DIR" "$T/plant" && pass || fail "path grep missed a planted path"

# The installed kiosk with the bundle under a prefix of our own: checks the installed pack whole.
SPEAN_SHARE_DIR="$R/usr/share/spean" run 0 env -u SPEAN_CONTENT_DIR -u SPEAN_AUDIO_DIR "$R/usr/bin/spean" content check
out_has "$R/usr/share/spean/content: ok"
grep -q "^prompts vi: .*missing" "$T/out" && fail "installed prompts missing: $(cat "$T/out")" || pass
# No variable at all: the defaults are the FHS ones (nothing is installed there on a build machine
# unless the package is, so look at the path it names rather than at the result).
run_defaults() { env -u SPEAN_SHARE_DIR -u SPEAN_CONTENT_DIR -u SPEAN_FONT_DIR -u SPEAN_AUDIO_DIR -u SPEAN_DATA_DIR "$@"; }
run_defaults "$R/usr/bin/spean" kiosk --help >"$T/out" 2>&1
out_has "/usr/share/spean/content"
run_defaults "$R/usr/bin/spean" --help >"$T/out" 2>&1
out_has "/var/lib/spean."
if [ ! -e /usr/share/spean/content ]; then
	run 2 run_defaults "$R/usr/bin/spean" content check
	err_has "/usr/share/spean/content"
	run 1 run_defaults "$R/usr/bin/spean" text measure --lang vi --size 20 x
	err_has "/usr/share/spean/fonts/"
fi
done_tests

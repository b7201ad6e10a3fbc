#!/usr/bin/env bash
# firmware/content/kiosk/icons/gen-icons.sh: redraw the pictures (NAME.bmp, 128x128, alpha) from icons.list:
# the "drawn" ones with Cairo (ui/text/tools/gen-pictures.c, Debian: libcairo2-dev), the others from
# Noto Color Emoji (ui/text/tools/gen-icons.c, Debian: fonts-noto-color-emoji). Run by a content author
# after editing icons.list or gen-pictures.c; the BMPs are committed, so neither the build nor the kiosk
# needs Cairo or the emoji font.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tools=$here/../../../../ui/text/tools
font=${EMOJI_FONT:-/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf}
[ -f "$font" ] || { echo "gen-icons: $font missing (apt-get install fonts-noto-color-emoji)" >&2; exit 1; }
pkg-config --exists cairo-ft || { echo "gen-icons: Cairo missing (apt-get install libcairo2-dev)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2046
cc -O2 -o "$tmp/gen-icons" "$tools/gen-icons.c" $(pkg-config --cflags --libs sdl2 SDL2_ttf)
# shellcheck disable=SC2046
cc -O2 -o "$tmp/gen-pictures" "$tools/gen-pictures.c" $(pkg-config --cflags --libs sdl2 cairo-ft freetype2) -lm
"$tmp/gen-pictures" "$here/../../../../fonts/NotoSans-Bold.ttf" 128 "$tmp"
n=0
while IFS= read -r line; do
	case $line in '#'* | '') continue ;; esac
	name=${line%% = *} spec=${line#* = }
	if [ "$spec" = drawn ]; then
		[ -f "$tmp/$name.bmp" ] || { echo "gen-icons: gen-pictures draws no $name" >&2; exit 1; }
		cp "$tmp/$name.bmp" "$here/$name.bmp"
	else
		read -r -a args <<<"$spec"
		for i in "${!args[@]}"; do
			case ${args[$i]} in @*) args[i]="$tmp/${args[$i]#@}.bmp" ;; esac
		done
		"$tmp/gen-icons" "$font" 128 "$here/$name.bmp" "${args[@]}"
	fi
	n=$((n + 1))
done <"$here/icons.list"
echo "gen-icons: $n pictures in $here"

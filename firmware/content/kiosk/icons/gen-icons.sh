#!/usr/bin/env bash
# firmware/content/kiosk/icons/gen-icons.sh: redraw the question pictures (NAME.bmp, 128x128, alpha)
# from icons.list with Noto Color Emoji (Debian: fonts-noto-color-emoji). Run by a content author
# after editing icons.list; the BMPs are committed, so neither the build nor the kiosk needs the font.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
font=${EMOJI_FONT:-/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf}
[ -f "$font" ] || { echo "gen-icons: $font missing (apt-get install fonts-noto-color-emoji)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2046
cc -O2 -o "$tmp/gen-icons" "$here/../../../../ui/text/tools/gen-icons.c" $(pkg-config --cflags --libs sdl2 SDL2_ttf)
n=0
while IFS= read -r line; do
	case $line in '#'* | '') continue ;; esac
	name=${line%% = *} text=${line#* = }
	"$tmp/gen-icons" "$font" 128 "$here/$name.bmp" "$text"
	n=$((n + 1))
done <"$here/icons.list"
echo "gen-icons: $n pictures in $here"

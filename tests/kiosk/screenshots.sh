#!/usr/bin/env bash
# tests/kiosk/screenshots.sh: regenerate the screenshots kept in ui/kiosk/screenshots/ (README shows them)
# by running every replay script on the real kiosk, headless, at 800x480.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${SPEAN_BUILD_DIR:-$root/build-demo}
bash "$root/board/deps.sh" demo >/dev/null
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPEAN_TESTS=OFF >/dev/null
cmake --build "$build" --target spean spean-center content_audio >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy SPEAN_TODAY=2026-05-20
export SPEAN_CONTENT_DIR="$root/firmware/content/kiosk" SPEAN_FONT_DIR="$root/fonts" SPEAN_AUDIO_DIR="$build/content/audio"
"$build/sync/center/spean-center" init --data-dir "$tmp/center" >/dev/null
"$build/firmware/spean" --data-dir "$tmp/kiosk" provision --center-key "$tmp/center/center.pub" >/dev/null
echo 2468 | "$build/firmware/spean" --data-dir "$tmp/kiosk" staff-pin >/dev/null
out="$root/ui/kiosk/screenshots"
mkdir -p "$out"
for s in "$root"/tests/kiosk/*.replay; do
	case $s in *idle*) export SPEAN_IDLE=2,3,2 ;; *) export SPEAN_IDLE=60,20,45 ;; esac
	"$build/firmware/spean" --data-dir "$tmp/kiosk" kiosk --replay "$s" --shots "$out" 2> >(grep -v '^level=' >&2)
done
ls "$out"

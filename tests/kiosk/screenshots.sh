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
# First boot without a keyboard (tests/kiosk/setup_test.sh checks these screens): the setup screen, a
# stick's provisioning, the identity QR code, a refused stick.
k="$build/firmware/spean" ok="$tmp/stick-ok/spean/provision" bad="$tmp/stick-bad/spean/provision"
mkdir -p "$ok" "$bad" "$tmp/no-stick"
cp "$tmp/center/center.pub" "$ok/" && cp "$tmp/center/center.pub" "$bad/"
printf 'center_url = https://trogiup.example.vn/\nprinter = usb\npaper = 80\n' >"$ok/settings"
printf 'center_url = https://trogiup.example.vn/\nprinter = usb\npaper = 57\n' >"$bad/settings"
printf 'expect setup_title\nshot 00a-setup\n' >"$tmp/s1.replay"
printf 'until setup_done 10000\nshot 00b-setup-done\ntap setup_next\nshot 00c-identity\n' >"$tmp/s2.replay"
printf 'until setup_refused 10000\nshot 00d-setup-refused\n' >"$tmp/s3.replay"
SPEAN_STICK_DIR="$tmp/no-stick" "$k" --data-dir "$tmp/fresh1" kiosk --replay "$tmp/s1.replay" --shots "$out" 2> >(grep -v '^level=' >&2)
SPEAN_STICK_DIR="$tmp/stick-ok" "$k" --data-dir "$tmp/fresh1" kiosk --replay "$tmp/s2.replay" --shots "$out" 2> >(grep -v '^level=' >&2)
SPEAN_STICK_DIR="$tmp/stick-bad" "$k" --data-dir "$tmp/fresh2" kiosk --replay "$tmp/s3.replay" --shots "$out" 2> >(grep -v '^level=' >&2)
ls "$out"

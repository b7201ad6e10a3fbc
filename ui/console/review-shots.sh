#!/usr/bin/env bash
# ui/console/review-shots.sh SPEAN_BIN CONTENT_DIR OUT_DIR: the screenshots the office console shows a
# reviewer of the Khmer strings beside each one (the screen where the resident meets it). Runs every
# Khmer and Vietnamese replay script (tests/kiosk/km_*.replay, vi_*.replay: the Khmer ones are the
# point, the Vietnamese ones show the screens only they reach) on the real kiosk, headless (SDL
# offscreen) at 800x480, with CONTENT_DIR as the pack. OUT_DIR ends with NAME.png per shot and
# keys.tsv: "NAME<TAB>KEY" per catalog key each shot shows (spean kiosk --keys), sorted, no line twice.
# OUT_DIR's PNGs and keys.tsv are replaced (keys.tsv only once every replay has passed: a build tool that
# sees it takes the run as done); nothing else in OUT_DIR is touched.
#
# Optional environment: SPEAN_FONT_DIR (default the tree's fonts/), SPEAN_AUDIO_DIR (the build's
# content/audio: the refusal replays check that a Vietnamese prompt is spoken), SPEAN_TODAY (default
# 2026-05-20, the day the replays' dates are written for, as in tests/kiosk/kiosk_test.sh).
set -euo pipefail
if [ $# -ne 3 ]; then
	echo "usage: review-shots.sh SPEAN_BIN CONTENT_DIR OUT_DIR" >&2
	exit 2
fi
spean=$1 content=$2 out=$3
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ -x "$spean" ] || { echo "review-shots: $spean: not an executable (the built spean)" >&2; exit 2; }
[ -f "$content/strings.km" ] || { echo "review-shots: $content: not a content pack (no strings.km)" >&2; exit 2; }

shopt -s nullglob
replays=("$root"/tests/kiosk/km_*.replay "$root"/tests/kiosk/vi_*.replay)
[ ${#replays[@]} -gt 0 ] || { echo "review-shots: no replay scripts in $root/tests/kiosk" >&2; exit 2; }
# One name, one screen: a shot taken twice under a name keeps the last picture but lists both screens'
# keys under it. (The kiosk splits a line at its first space, after leading blanks.)
dup=$(for s in "${replays[@]}"; do sed -n 's/^[[:blank:]]*shot //p' "$s"; done | LC_ALL=C sort | uniq -d)
if [ -n "$dup" ]; then
	echo "review-shots: shot names taken more than once (rename them, e.g. after their replay):" >&2
	for n in $dup; do
		echo "  $n: $(grep -l "^[[:blank:]]*shot $n\$" "${replays[@]}" | xargs -n1 basename | tr '\n' ' ')" >&2
	done
	exit 1
fi

export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
export SPEAN_TODAY=${SPEAN_TODAY:-2026-05-20} SPEAN_FONT_DIR=${SPEAN_FONT_DIR:-$root/fonts}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/spean-review-shots-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# A kiosk with a center card (else it shows the first-boot setup screen) and the staff PIN the assisted
# replays type. The card's box key is random bytes: what the replays send is sealed to no one and goes
# with the temp dir. No "sign" key, so the kiosk does not try to sync.
K="$tmp/kiosk"
printf 'box = %s\n' "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" >"$tmp/center.pub"
"$spean" --data-dir "$K" provision --center-key "$tmp/center.pub" >/dev/null
echo 2468 | "$spean" --data-dir "$K" staff-pin >/dev/null

mkdir -p "$out"
rm -f "$out"/*.png "$out/keys.tsv"
for s in "${replays[@]}"; do
	name=$(basename "$s" .replay)
	idle=60,20,45
	case $name in *idle*) idle=2,3,2 ;; esac
	if ! SPEAN_IDLE=$idle "$spean" --data-dir "$K" kiosk --size 800x480 --content "$content" --replay "$s" \
		--shots "$out" --keys "$tmp/keys.tsv" 2>"$tmp/err"; then
		echo "review-shots: replay $name failed:" >&2
		grep -v '^level=' "$tmp/err" | sed 's/^/  /' >&2
		exit 1
	fi
done
[ -s "$tmp/keys.tsv" ] || { echo "review-shots: the replays listed no catalog keys (spean kiosk --keys)" >&2; exit 1; }
LC_ALL=C sort -u "$tmp/keys.tsv" >"$tmp/keys.sorted"
mv "$tmp/keys.sorted" "$out/keys.tsv"
echo "review-shots: $(ls "$out"/*.png | wc -l) screenshots, $(cut -f2 "$out/keys.tsv" | sort -u | wc -l) distinct keys in $out"

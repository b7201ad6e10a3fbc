#!/usr/bin/env bash
# The holiday list travels in the content pack: `spean content check` reports the covered years and refuses a
# pack that does not cover this year (or lists a bad day, naming the line); `spean-center pack` signs no pack
# without a list covering this year; a center-updated holidays.txt reaches the kiosk at its next sync; a kiosk
# still starts on a pack signed before packs carried the list, and refuses one whose list is broken.
. "$(dirname "$0")/../integration/lib.sh"
C="$T/center" K="$T/kiosk"
SPID=
trap '[ -n "$SPID" ] && kill -9 "$SPID" 2>/dev/null; rm -rf "$T"' EXIT
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy SPEAN_TODAY=2026-05-20
export SPEAN_FONT_DIR="$SPEAN_SOURCE_DIR/fonts"
cp -r "$SPEAN_SOURCE_DIR/firmware/content/kiosk" "$T/pack"

# `spean content check`: the covered years, and this year covered.
run 0 "$SPEAN" content check --content "$T/pack"
out_has "holidays: covers 2026..2027, 30 days listed (the current year 2026 covered"
SPEAN_TODAY=2028-01-02 run 2 "$SPEAN" content check --content "$T/pack"
err_has "content pack refused: $T/pack/holidays.txt: covers 2026..2027, not 2028: the kiosk cannot count working days this year (add 2028's holidays)"
SPEAN_TODAY=2025-12-31 run 2 "$SPEAN" content check --content "$T/pack"
err_has "covers 2026..2027, not 2025"
mkdir -p "$T/nolist" && cp -r "$T/pack"/. "$T/nolist/" && rm "$T/nolist/holidays.txt"
run 2 "$SPEAN" content check --content "$T/nolist"
err_has "content pack refused: $T/nolist/holidays.txt: missing (the kiosk counts working days to a hearing with it)"
mkdir -p "$T/bad" && cp -r "$T/pack"/. "$T/bad/"
sed -i 's/^2026-01-10 = work swap_new_year/2026-01-09 = work swap_new_year/' "$T/bad/holidays.txt"
run 2 "$SPEAN" content check --content "$T/bad"
err_has "holidays.txt: line 30: 2026-01-09 is a Friday: 'work' is for a Saturday or Sunday worked"

# The kiosk: starts on a pack without the list (signed before packs carried it), refuses a broken list.
"$CENTER" init --data-dir "$C" >/dev/null || exit 2
"$SPEAN" --data-dir "$K" provision --center-key "$C/center.pub" >/dev/null || exit 2
printf 'tap start\nexpect lang_vi\n' >"$T/start.replay"
run 0 "$SPEAN" --data-dir "$K" kiosk --content "$T/nolist" --replay "$T/start.replay"
run 2 "$SPEAN" --data-dir "$K" kiosk --content "$T/bad" --replay "$T/start.replay"
err_has "content pack refused: $T/bad/holidays.txt: line 30: 2026-01-09 is a Friday"

# The center signs no pack without a list covering this year, and says why.
run 0 "$CENTER" enroll --data-dir "$C" "$("$SPEAN" --data-dir "$K" identity)"
for d in nolist bad; do
	run 2 "$CENTER" pack --data-dir "$C" --content "$T/$d" --version 2
	err_has "spean-center: $T/$d: not signed: holidays.txt: "
done
err_has "holidays.txt: line 30: 2026-01-09 is a Friday"
SPEAN_TODAY=2028-01-02 run 2 "$CENTER" pack --data-dir "$C" --content "$T/pack" --version 2
err_has "spean-center: $T/pack: not signed: holidays.txt: covers 2026..2027, not 2028"
[ ! -e "$C/content.pack" ] && pass || fail "a refused pack was written"

# A center-updated list (2028 added) is signed, fetched and installed whole; the kiosk counts with it.
sed -i 's/^covers = 2026..2027/covers = 2026..2028/' "$T/pack/holidays.txt"
printf '2028-01-01 = off new_year        # law (Saturday): for the record\n2028-01-03 = off comp_new_year   # compensatory (Monday)\n' >>"$T/pack/holidays.txt"
SPEAN_TODAY=2028-01-02 run 0 "$SPEAN" content check --content "$T/pack"
out_has "holidays: covers 2026..2028, 32 days listed (the current year 2028 covered"
SPEAN_TODAY=2028-01-02 run 0 "$CENTER" pack --data-dir "$C" --content "$T/pack" --version 2
out_has "content pack 2:"
"$CENTER" serve --data-dir "$C" --listen 127.0.0.1:0 >"$T/serve.out" 2>"$T/serve.err" &
SPID=$!
for _ in $(seq 100); do grep -q listening "$T/serve.out" 2>/dev/null && break; sleep 0.05; done
PORT=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\) https$/\1/p' "$T/serve.out")
run 0 "$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT"
out_has "content pack 2 installed"
cmp -s "$T/pack/holidays.txt" "$K/content/holidays.txt" && pass || fail "the center's new holidays.txt installed on the kiosk"
# The installed pack is the kiosk's: `spean content check` on it, as of 2028.
SPEAN_TODAY=2028-01-02 run 0 "$SPEAN" content check --content "$K/content"
out_has "holidays: covers 2026..2028"
done_tests

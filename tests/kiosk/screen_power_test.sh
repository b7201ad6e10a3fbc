#!/usr/bin/env bash
# The screen's power states with the real kiosk headless (SDL offscreen), the clock fixed by SPEAN_NOW, the idle
# delay to dimming 1 s (SPEAN_IDLE's fourth value): idle on the attract screen inside the pack's hours dims it (the
# frame drawn darker: mean luma down to about 30%; or the fake sysfs backlight's value lowered); a touch lights it
# and is not a tap; outside the hours it turns off (a black frame, or backlight 0), a touch wakes it to the attract
# screen and the next tap works; a resident mid-flow is never dimmed; a pack without hours.txt only dims; hostile
# hours files are refused with their line by `spean content check`, the kiosk and `spean-center pack`.
. "$(dirname "$0")/../integration/lib.sh"
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy SPEAN_TODAY=2026-05-20 SPEAN_LOG=info
export SPEAN_FONT_DIR="$SPEAN_SOURCE_DIR/fonts"
export SPEAN_SYSFS_ROOT="$T/nosys" # no backlight (and never the machine's own)
cp -r "$SPEAN_SOURCE_DIR/firmware/content/kiosk" "$T/pack"
export SPEAN_CONTENT_DIR="$T/pack"
C="$T/center" K="$T/kiosk"
"$CENTER" init --data-dir "$C" >/dev/null || exit 2
"$SPEAN" --data-dir "$K" provision --center-key "$C/center.pub" >/dev/null || exit 2
mkdir -p "$T/shots"
kiosk() { # kiosk NOW SCRIPT-LINES...: the kiosk at that wall-clock time, idle to dimming 1 s, replaying the lines
	local now=$1
	shift
	printf '%s\n' "$@" >"$T/power.replay"
	SPEAN_NOW=$now SPEAN_IDLE=${IDLE:-60,20,45,1} run 0 "$SPEAN" --data-dir "$K" kiosk --replay "$T/power.replay" --shots "$T/shots"
}

# Wednesday 09:00, open: lit (the attract screen's light background), idle -> dimmed (darker), a touch lights it and is
# consumed (still the attract screen, though a touch anywhere there starts), the next touch starts.
kiosk 2026-05-20T09:00 "power on" "luma 180 255" "shot power-on" "wait 1600" "power dim" "luma 30 110" "shot power-dim" \
	"touch start_vi" "power on" "state attract" "luma 180 255" "touch start_vi" "state consent"
err_has "screen_power from=on to=dim backlight=-1"
err_has "screen_power from=dim to=on"
# The same through the replay's tap (not SDL's queue).
kiosk 2026-05-20T09:00 "wait 1600" "power dim" "tap start" "power on" "state attract" "tap start" "state language"

# Wednesday 18:30, closed: idle -> off, one black frame; a touch wakes it to the attract screen, not a tap; the next tap works.
kiosk 2026-05-20T18:30 "power on" "wait 1600" "power off" "luma 0 0" "shot power-off" "touch start" "power on" \
	"state attract" "luma 180 255" "touch start" "state language"
err_has "screen_power from=on to=off backlight=-1"
# Sunday 09:00 and a holiday (Thursday 30 April 2026) are closed; Saturday 09:00 open; Saturday 14:00 closed.
kiosk 2026-05-24T09:00 "wait 1600" "power off"
kiosk 2026-04-30T09:00 "wait 1600" "power off"
kiosk 2026-05-23T09:00 "wait 1600" "power dim"
kiosk 2026-05-23T14:00 "wait 1600" "power off"
# The hours change while it is dark (SPEAN_NOW runs on from the instant given): closing time turns a dimmed screen
# off at 17:00:00; the end of lunch lights an off screen, dimmed, at 13:30:00 (nobody has touched it yet).
kiosk 2026-05-20T16:59:57 "wait 1500" "power dim" "wait 2500" "power off" "luma 0 0"
err_has "screen_power from=dim to=off"
kiosk 2026-05-20T13:29:57 "wait 1500" "power off" "wait 2500" "power dim" "luma 30 110" "touch start" "power on" "state attract"
err_has "screen_power from=off to=dim"
# Touched within the delay: stays on; the staff's PIN screen is never dimmed either.
kiosk 2026-05-20T09:00 "wait 700" "touch staff" "expect pin_label" "wait 700" "power on" "wait 1600" "power on"

# A resident mid-flow is never dimmed (nor turned off when closed): the language screen, then a question, past the delay.
kiosk 2026-05-20T18:30 "tap start" "state language" "wait 2500" "power on" "luma 120 255" "tap lang_vi" "state consent" \
	"wait 2500" "power on"
# ... also through the idle warning (after 2 s): the warning shows lit; its reset brings the attract screen, which then turns off.
IDLE=2,1,45,1 kiosk 2026-05-20T18:30 "tap start" "tap lang_vi" "wait 2300" "expect idle_continue" "power on" "wait 1500" "state attract" \
	"wait 1600" "power off"

# Left on the language screen (one touch, then nobody): the idle warning, the reset, then the attract screen dims.
IDLE=2,1,45,1 kiosk 2026-05-20T09:00 "tap start" "state language" "wait 2300" "expect idle_continue" "power on" "wait 1500" \
	"state attract" "wait 1600" "power dim"

# The board's backlight (a fake sysfs of plain files): dimmed is a lower value, off is 0, a touch restores the lit
# value; the frame itself is not darkened. The kiosk leaves it lit when it stops.
BL="$T/sys/sys/class/backlight/panel"
mkdir -p "$BL" && echo 255 >"$BL/max_brightness" && echo 200 >"$BL/brightness"
SPEAN_SYSFS_ROOT="$T/sys" kiosk 2026-05-20T09:00 "wait 1600" "power dim" "luma 180 255" "touch start" "power on" "state attract"
err_has "screen_power from=on to=dim backlight=60"
err_has "screen_power from=dim to=on backlight=200"
[ "$(cat "$BL/brightness")" = 200 ] && pass || fail "backlight after the run: $(cat "$BL/brightness")"
printf 'wait 1600\npower dim\n' >"$T/bl.replay"
SPEAN_SYSFS_ROOT="$T/sys" SPEAN_NOW=2026-05-20T09:00 SPEAN_IDLE=60,20,45,1 "$SPEAN" --data-dir "$K" kiosk --replay "$T/bl.replay" \
	>/dev/null 2>&1 &
for _ in $(seq 100); do [ "$(cat "$BL/brightness")" = 60 ] && break; sleep 0.05; done
[ "$(cat "$BL/brightness")" = 60 ] && pass || fail "backlight while dimmed: $(cat "$BL/brightness"), want 60 (30% of 200)"
wait
SPEAN_SYSFS_ROOT="$T/sys" kiosk 2026-05-20T18:30 "wait 1600" "power off" "luma 180 255" "touch start" "power on"
err_has "screen_power from=on to=off backlight=0"
# A kiosk started while the backlight is 0 (stopped while off, say) lights it first.
echo 0 >"$BL/brightness"
SPEAN_SYSFS_ROOT="$T/sys" kiosk 2026-05-20T09:00 "power on"
[ "$(cat "$BL/brightness")" = 255 ] && pass || fail "backlight at start after 0: $(cat "$BL/brightness")"

# A pack without hours.txt: always open, only dimmed; `spean content check` says so.
rm "$T/pack/hours.txt"
kiosk 2026-05-20T23:30 "wait 1600" "power dim"
run 0 "$SPEAN" content check --content "$T/pack"
out_has "hours: none (no hours.txt: always open; the screen is dimmed when idle, never turned off)"
cp "$SPEAN_SOURCE_DIR/firmware/content/kiosk/hours.txt" "$T/pack/"
run 0 "$SPEAN" content check --content "$T/pack"
out_has "hours: open 44 h 30 min a week"

# Hostile hours files: each refused with its line by the content check, the kiosk and the center.
"$CENTER" init --data-dir "$T/c2" >/dev/null 2>&1 # a center of its own (nothing else in it)
i=0
while IFS='|' read -r text want; do
	i=$((i + 1))
	mkdir -p "$T/bad$i" && cp -r "$T/pack"/. "$T/bad$i/"
	printf "$text" >"$T/bad$i/hours.txt"
	run 2 "$SPEAN" content check --content "$T/bad$i"
	err_has "content pack refused: $T/bad$i/hours.txt: $want"
	printf 'tap start\n' >"$T/start.replay"
	run 2 "$SPEAN" --data-dir "$K" kiosk --content "$T/bad$i" --replay "$T/start.replay"
	err_has "hours.txt: $want"
	run 2 "$CENTER" pack --data-dir "$T/c2" --content "$T/bad$i" --version 2
	err_has "spean-center: $T/bad$i: not signed: hours.txt: $want"
done <<'EOF_BAD'
# hours\nmon-fri 07:00-11:30 11:00-17:00\nsat,sun closed\n|line 2: 11:00-17:00 starts before 07:00-11:30 ends
mon-fri 17:00-07:00\nsat,sun closed\n|line 1: 17:00-07:00 is inverted or empty
mon-fri 07:00-11:30\n\nfri closed\nsat,sun closed\n|line 3: fri is given twice (line 1)
mon-fri 07:00-11:30\nsat 07:00-25:00\nsun closed\n|line 2: '07:00-25:00' is not a range
fri-mon 07:00-11:30\n|line 1: 'fri-mon' runs backwards
mon-fri 07:00-11:30\nsat closed\n|no line gives sun
mon-sun closed\n|open on no day of the week
EOF_BAD
big=$(head -c 5000 /dev/zero | tr '\0' '#')
mkdir -p "$T/big" && cp -r "$T/pack"/. "$T/big/" && printf '%s\n' "$big" >"$T/big/hours.txt"
run 2 "$SPEAN" content check --content "$T/big"
err_has "hours.txt: 5001 bytes; hours.txt is at most 4096"
[ ! -e "$T/c2/content.pack" ] && pass || fail "a refused pack was signed"
done_tests

#!/usr/bin/env bash
# The staff PIN lockout across restarts, with the real kiosk headless (SDL offscreen): five wrong PINs lock the PIN
# screen; the kiosk is stopped and started AGAIN on the same data dir and is still locked (the right PIN is not even
# checked); a power cut mid-lockout resumes it with the seconds kept before the cut (here the full 60 s); a lockout
# resumes with the seconds that were left, ends on time and is then written as ended; the counts
# go on after a restart (the next lockout doubles); a damaged record locks for the first period and says so in the log.
# The PIN screen is the staff's, in Vietnamese (the attract screen's staff button opens it before any language choice).
. "$(dirname "$0")/../integration/lib.sh"
export SDL_VIDEODRIVER=offscreen SPEAN_TODAY=2026-05-20
export SPEAN_CONTENT_DIR="$SPEAN_SOURCE_DIR/firmware/content/kiosk" SPEAN_FONT_DIR="$SPEAN_SOURCE_DIR/fonts"
C="$T/center"
"$CENTER" init --data-dir "$C" >/dev/null || exit 2
mkdir -p "$T/shots"

locked_vi=$(grep '^assisted.locked = ' "$SPEAN_CONTENT_DIR/strings.vi" | sed 's/^[^=]*= //')
wrong_vi=$(grep '^assisted.wrong = ' "$SPEAN_CONTENT_DIR/strings.vi" | sed 's/^[^=]*= //')
[ -n "$locked_vi" ] && [ -n "$wrong_vi" ] && pass || fail "assisted.locked and assisted.wrong in strings.vi"
locked() { printf '%s' "${locked_vi//\{seconds\}/$1}"; } # the locked message with N seconds
pin() { for ((i = 0; i < ${#1}; i++)); do echo "tap key_${1:i:1}"; done; echo "tap key_ok"; }
# remaining N: the seconds left in the record
remaining() { sed -n 's/^remaining = \([0-9]*\)$/\1/p' "$1/staff.lockout"; }
# still_locked DIR SIZE NAME: a fresh start shows the locked text (with the seconds the record left, or one less as
# time passes), and the right PIN typed then is refused: no status screen (a tap on its button finds nothing).
still_locked() {
	local k=$1 size=$2 name=$3 r shown=
	r=$(remaining "$k")
	[ "${r:-0}" -gt 0 ] && pass || fail "$name: the record says locked (remaining '$r')"
	for n in "$r" $((r - 1)) $((r - 2)); do
		{ echo "tap staff"; echo "expect $(locked "$n")"; pin 2468; echo "expect pin_message"; echo "overflow"; echo "shot $name"; } >"$T/$name.replay"
		"$SPEAN" --data-dir "$k" kiosk --size "$size" --replay "$T/$name.replay" --shots "$T/shots" >/dev/null 2>&1 && { shown=$n; break; }
	done
	[ -n "$shown" ] && pass || fail "$name: the PIN screen after the restart does not show '$(locked "$r")'"
	{ echo "tap staff"; pin 2468; echo "tap assisted_start"; } >"$T/$name-right.replay"
	run 3 "$SPEAN" --data-dir "$k" kiosk --size "$size" --replay "$T/$name-right.replay"
	err_has "no widget 'assisted_start' on this screen"
}

for size in 800x480 1024x600; do
	K="$T/kiosk-$size"
	"$SPEAN" --data-dir "$K" provision --center-key "$C/center.pub" >/dev/null || exit 2
	echo 2468 | "$SPEAN" --data-dir "$K" staff-pin >/dev/null || exit 2
	# Four wrong PINs count down (one left), the fifth locks for 60 s; then the kiosk stops.
	{
		echo "tap staff"
		for i in 1 2 3 4; do pin 1111; done
		echo "expect ${wrong_vi//\{left\}/1}"
		pin 1111
		echo "expect $(locked 60)"
		echo "overflow"
		echo "shot 71-pin-locked-vi-$size"
	} >"$T/five.replay"
	SPEAN_LOG=info run 0 "$SPEAN" --data-dir "$K" kiosk --size "$size" --replay "$T/five.replay" --shots "$T/shots"
	err_has "assisted_locked seconds=60 lockouts=1"
	# The record: the counts and the seconds left, 0600, no PIN (typed or right) and nothing else.
	grep -Eqx 'remaining = (59|60)' "$K/staff.lockout" && pass || fail "$size: record of a 60 s lockout: $(cat "$K/staff.lockout")"
	[ "$(grep -v '^remaining' "$K/staff.lockout")" = "$(printf 'version = 1\nfails = 0\nlockouts = 1')" ] && pass ||
		fail "$size: record counts: $(cat "$K/staff.lockout")"
	[ "$(stat -c %a "$K/staff.lockout")" = 600 ] && pass || fail "$size: record mode"
	grep -Eq '1111|2468' "$K/staff.lockout" && fail "$size: a PIN in the record" || pass
	# Started again on the same data dir: still locked, the right PIN refused without being checked.
	still_locked "$K" "$size" "72-pin-locked-after-restart-vi-$size"
	run 0 "$SPEAN" --data-dir "$K" audit
	[ "$(grep -c staff_pin_failed "$T/out")" = 5 ] && pass || fail "$size: five wrong PINs audited: $(cat "$T/out")"
	grep -q staff_unlocked "$T/out" && fail "$size: the right PIN was checked while locked" || pass
done
for p in 71-pin-locked-vi-800x480 72-pin-locked-after-restart-vi-800x480 71-pin-locked-vi-1024x600 72-pin-locked-after-restart-vi-1024x600; do
	head -c 8 "$T/shots/$p.png" 2>/dev/null | grep -q PNG && pass || fail "screenshot $p"
done

K="$T/kiosk-800x480"
# A power cut (kill -9) in the middle of a lockout: nothing is written at the cut, so the record is the one written
# at the lock (or at the last minute's rewrite) and the next start resumes with that: the full 60 s again, never less.
rm -f "$K/staff.lockout"
{ echo "tap staff"; for i in 1 2 3 4 5; do pin 1111; done; echo "wait 30000"; } >"$T/cut.replay"
"$SPEAN" --data-dir "$K" kiosk --replay "$T/cut.replay" >/dev/null 2>&1 &
kp=$!
for _ in $(seq 100); do grep -qx 'lockouts = 1' "$K/staff.lockout" 2>/dev/null && break; sleep 0.1; done
sleep 2
kill -9 "$kp"
wait "$kp" 2>/dev/null
[ "$(cat "$K/staff.lockout" 2>/dev/null)" = "$(printf 'version = 1\nfails = 0\nlockouts = 1\nremaining = 60')" ] && pass ||
	fail "the record at a power cut 2 s into a lockout: $(cat "$K/staff.lockout" 2>/dev/null)"
{ echo "tap staff"; echo "expect pin_message"; } >"$T/after-cut.replay" # the log says how long, as loaded
SPEAN_LOG=info run 0 "$SPEAN" --data-dir "$K" kiosk --replay "$T/after-cut.replay"
err_has "assisted_lockout_resumed seconds=60 lockouts=1"

# A lockout resumes with the seconds that were left when it was kept (here 2), ends on time, and its end is written
# (a power cut afterwards does not lock again); the PIN screen then drops the locked text, and the right PIN works.
printf 'version = 1\nfails = 0\nlockouts = 1\nremaining = 2\n' >"$K/staff.lockout"
{ echo "tap staff"; echo "expect pin_message"; echo "wait 2600"; echo "tap pin_message"; } >"$T/ends.replay"
SPEAN_LOG=info run 3 "$SPEAN" --data-dir "$K" kiosk --replay "$T/ends.replay"
err_has "assisted_lockout_resumed seconds=2 lockouts=1"
err_has "assisted_lockout_ended"
err_has "no widget 'pin_message' on this screen"
[ "$(cat "$K/staff.lockout")" = "$(printf 'version = 1\nfails = 0\nlockouts = 1\nremaining = 0')" ] && pass ||
	fail "the end of the lockout written: $(cat "$K/staff.lockout")"
{ echo "tap staff"; pin 2468; echo "expect assisted_start"; echo "tap assisted_exit"; } >"$T/right.replay"
run 0 "$SPEAN" --data-dir "$K" kiosk --replay "$T/right.replay"
[ "$(cat "$K/staff.lockout")" = "$(printf 'version = 1\nfails = 0\nlockouts = 0\nremaining = 0')" ] && pass ||
	fail "the right PIN resets the record: $(cat "$K/staff.lockout")"

# The counts go on across a restart: four wrong PINs and one lockout kept, one more wrong PIN locks for 120 s.
printf 'version = 1\nfails = 4\nlockouts = 1\nremaining = 0\n' >"$K/staff.lockout"
{ echo "tap staff"; echo "expect ${wrong_vi//\{left\}/1}"; pin 1111; echo "expect $(locked 120)"; } >"$T/double.replay"
run 0 "$SPEAN" --data-dir "$K" kiosk --replay "$T/double.replay"
grep -Eqx 'lockouts = 2' "$K/staff.lockout" && grep -Eqx 'remaining = 1(19|20)' "$K/staff.lockout" && pass ||
	fail "the doubled lockout kept: $(cat "$K/staff.lockout")"

# A damaged record (here cut in the middle of a line, then garbage): locked for the first period, logged with why,
# and replaced by a valid record that says so.
for bad in 'version = 1\nfails = 0\nlocko' 'PIN=2468\n\x01\xff'; do
	printf "$bad" >"$K/staff.lockout"
	{ echo "tap staff"; echo "expect pin_message"; } >"$T/damaged.replay" # no wrong PIN counted: the locked text
	SPEAN_LOG=info run 0 "$SPEAN" --data-dir "$K" kiosk --replay "$T/damaged.replay"
	err_has "lockout_record_damaged locked_s=60"
	grep -q "staff.lockout" "$T/err" && pass || fail "the log names the damaged file"
	grep -q 2468 "$T/err" && fail "the damaged record's content in the log" || pass
	grep -Eqx 'remaining = (59|60)' "$K/staff.lockout" && grep -qx 'lockouts = 1' "$K/staff.lockout" && pass ||
		fail "a valid locked record after a damaged one: $(cat "$K/staff.lockout")"
done
still_locked "$K" 800x480 "73-pin-locked-damaged-record-vi"
done_tests

#!/usr/bin/env bash
# The USB cable end to end: the real kiosk (`spean sync --usb`, FunctionFS side on a stand-in
# directory) and the real office program (`spean-center usb`, the real libusb under umockdev),
# joined by spean-vcable. A whole sync; then the link misbehaving on purpose: transfers split
# small, a stalled pipe (cleared with clear_halt), a damaged frame each way, a transfer that
# times out, the cable pulled in the middle of a chunk and plugged back in (resumes: nothing
# lost, nothing twice); two kiosks one after another (hotplug) and the same without hotplug
# (polling); a kiosk the center does not know. Checked on both sides: the center's count, the
# kiosk's held/delivered, no alerts.
. "$(dirname "$0")/../integration/lib.sh"
C="$T/center" K="$T/k" K2="$T/k2" F="$T/ffs"
. "$(dirname "$0")/carrier.sh"

# cable [--fault SPEC]... -- center args: start the office side on the virtual cable in the background.
cable() {
	rm -rf "$F" && mkdir -p "$F"
	"$VCABLE" --ffs "$F" "$@" >"$T/cable.out" 2>"$T/cable.err" &
	cable_pid=$!
	for _ in $(seq 100); do [ -e "$F/ep0" ] && break; sleep 0.05; done
}
# The kiosk's sync over the cable; $1 = data dir, $2 = expected exit status.
kiosk_sync() { run "$2" timeout 120 "$SPEAN" --data-dir "$1" sync --usb "$F" --wait 30; }
# The office side ends by itself with --kiosks N; otherwise it is stopped (SIGTERM, as at closing time).
cable_done() {
	local rc=0
	[ "${1:-}" = stop ] && kill -TERM "$cable_pid"
	wait "$cable_pid" || rc=$?
	[ "$rc" = 0 ] && pass || fail "spean-center usb over the cable exited $rc: $(tail -5 "$T/cable.err")"
}

"$CENTER" init --data-dir "$C" >/dev/null || exit 2
for k in "$K" "$K2"; do "$SPEAN" --data-dir "$k" provision --center-key "$C/center.pub" >/dev/null || exit 2; done
"$CENTER" enroll --data-dir "$C" "$("$SPEAN" --data-dir "$K" identity)" >/dev/null
add "$K" 30 && add "$K" 2 "$T/urgent.txt"

# Usage and clear errors.
run 2 "$CENTER" usb --data-dir "$C" --kiosks 0
err_has "--kiosks 1..100000"
run 2 "$SPEAN" --data-dir "$K" sync --usb "$F" --url http://x
err_has "sync needs --url URL"
run 2 "$SPEAN" --data-dir "$K" sync --usb "$T/nothing" --wait 1
err_has "usb-gadget.sh up"

# A whole sync over the cable.
cable -- "$CENTER" usb --data-dir "$C" --kiosks 1 --serial SPEAN-TEST-0001
kiosk_sync "$K" 0
out_has "32 delivered, 0 held"
cable_done
grep -q "kiosk SPEAN-TEST-0001 connected" "$T/cable.out" && pass || fail "the center names the kiosk: $(cat "$T/cable.out")"
grep -q "32 requests received (32 new, 0 refused, 0 conflicting)" "$T/cable.out" && pass || fail "the center shows progress: $(cat "$T/cable.out")"
grep -Eq "kiosk SPEAN-TEST-0001 unplugged: 32 requests received, 32 new, 0 refused, 0 conflicting; [1-9][0-9]{4,} bytes in, [1-9][0-9]* out$" "$T/cable.out" && pass || fail "the center says what went over the cable: $(cat "$T/cable.out")"
center_has 32
status_is "$K" 0 32
grep -rq "Thạch" "$F" "$T/cable.out" "$T/cable.err" && fail "personal data in clear on the cable's side" || pass

# --serial: another kiosk's cable is left alone (the kiosk gets no answer; stopped after 2 s).
cable -- "$CENTER" usb --data-dir "$C" --serial SPEAN-OTHER
"$SPEAN" --data-dir "$K" sync --usb "$F" --wait 5 >/dev/null 2>&1 &
kp=$!
sleep 2
kill "$kp" 2>/dev/null
wait "$kp" 2>/dev/null
cable_done stop
grep -q "connected" "$T/cable.out" && fail "--serial SPEAN-OTHER served SPEAN-TEST-0001: $(cat "$T/cable.out")" || pass

# The link misbehaving: every run ends with everything delivered exactly once.
n=32
for fault in split-in=100 stall-in=2 corrupt-in=700 corrupt-out=300 timeout-in=3 \
	unplug-after-in=9000,replug-ms=300 unplug-after-out=2000,replug-ms=300; do
	add "$K" 20
	n=$((n + 20))
	cable --fault "$fault" -- "$CENTER" usb --data-dir "$C"
	kiosk_sync "$K" 0
	out_has "20 delivered, 0 held"
	cable_done stop
	grep -q "vcable: .*${fault%%=*}\|vcable: .*${fault%%-*}" "$T/cable.err" && pass || fail "fault $fault did not fire: $(cat "$T/cable.err")"
	center_has $n
	status_is "$K" 0 $n
done
no_alerts

# A kiosk the center does not know: refused with the reason, nothing stored, nothing marked.
add "$K2" 3
cable -- "$CENTER" usb --data-dir "$C" --kiosks 1
kiosk_sync "$K2" 2
err_has "not enrolled"
cable_done
center_has $n
status_is "$K2" 3 0

# Two kiosks one after the other on one running center: hotplug, then polling.
"$CENTER" enroll --data-dir "$C" "$("$SPEAN" --data-dir "$K2" identity)" >/dev/null
for mode in hotplug poll; do
	add "$K" 4 && add "$K2" 5
	if [ $mode = poll ]; then cable -- "$CENTER" usb --data-dir "$C" --kiosks 2 --poll 200; else cable -- "$CENTER" usb --data-dir "$C" --kiosks 2; fi
	kiosk_sync "$K" 0
	out_has "4 delivered, 0 held"
	kiosk_sync "$K2" 0
	out_has "$([ $mode = hotplug ] && echo 8 || echo 5) delivered, 0 held"
	cable_done
	grep -q "waiting for kiosks ($mode" "$T/cable.out" && pass || fail "$mode: $(head -3 "$T/cable.out")"
	[ "$(grep -c 'connected' "$T/cable.out")" = 2 ] && pass || fail "$mode: two kiosks served: $(cat "$T/cable.out")"
done
center_has $((n + 4 + 5 + 3 + 4 + 5))

# The running kiosk syncs by itself when the cable goes in (no center.url at all): the gadget's
# ENABLE wakes the main loop, which starts a sync over the cable.
add "$K" 6
cable -- "$CENTER" usb --data-dir "$C" --kiosks 1
printf 'wait 6000\nstate attract\n' >"$T/idle.replay"
SPEAN_FFS_DIR="$F" SPEAN_LOG=info SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy \
	run 0 "$SPEAN" --data-dir "$K" kiosk --replay "$T/idle.replay"
err_has "event=usb_connected"
cable_done
status_is "$K" 0 $((n - 32 + 32 + 4 + 4 + 6))
center_has $((n + 4 + 5 + 3 + 4 + 5 + 6))
grep -q "Thạch" "$T/err" && fail "personal data in the kiosk's log" || pass
no_alerts

# Over the cable too: a kiosk whose requests are sealed to another center (re-provisioned by force)
# gets them refused with the reason; both sides say so and exit 3; nothing of them is stored.
K5="$T/k5" C2="$T/center2"
"$CENTER" init --data-dir "$C2" >/dev/null || exit 2
"$SPEAN" --data-dir "$K5" provision --center-key "$C2/center.pub" >/dev/null || exit 2
add "$K5" 2
"$SPEAN" --data-dir "$K5" provision --center-key "$C/center.pub" --force >/dev/null || exit 2
"$CENTER" enroll --data-dir "$C" "$("$SPEAN" --data-dir "$K5" identity)" >/dev/null
cable -- "$CENTER" usb --data-dir "$C" --kiosks 1
kiosk_sync "$K5" 3
out_has "2 held: refused by the center: sealed to another center"
rc=0
wait "$cable_pid" || rc=$?
[ "$rc" = 3 ] && pass || fail "spean-center usb exited $rc, want 3 (requests refused)"
grep -q "2 requests received (0 new, 2 refused, 0 conflicting)" "$T/cable.out" && pass || fail "the center shows the refusals: $(cat "$T/cable.out")"
grep -q "0 new, 2 refused, 0 conflicting (see 'spean-center alerts')" "$T/cable.out" && pass || fail "the summary names the refusals: $(cat "$T/cable.out")"
center_has $((n + 4 + 5 + 3 + 4 + 5 + 6))
done_tests

#!/bin/sh
# /usr/lib/spean/test/check.sh (test images only: tests/appliance/stage-checks.sh): run the check the kernel
# command line names, spean.check=NAME, from /usr/lib/spean/test/NAME.sh; no spean.check: do nothing (the
# image then boots as a device does). Checks talk to the host harness (tests/appliance/lib.sh) by lines:
#   on ttyS0 (the serial log)   SPEAN-BOOT WHAT [k=v ...]      markers; 'SPEAN-BOOT end ok|fail REASON' last
#   from ttyS1 (a host socket)  one line per host_ask: the host's go-ahead (after a screendump, say)
# Helpers for the checks: mark, uptime_ms, fail, kiosk_wait_active, host_ask, spean_as.
set -u
check=
for a in $(cat /proc/cmdline); do
	case $a in spean.check=*) check=${a#spean.check=} ;; esac
done
[ -n "$check" ] || exit 0
uptime_ms() { awk '{printf "%d", $1 * 1000}' /proc/uptime; }
# Straight to the serial console: a caller may redirect stdout (host_ask ... >/dev/null).
mark() { echo "SPEAN-BOOT $*" >/dev/ttyS0; }
# The kiosk unit's own journal (codes and counts: the kiosk logs nothing personal) goes with a failure.
fail() {
	journalctl -b -u spean-kiosk.service -o short-monotonic --no-pager 2>&1 | tail -40
	mark "end fail $*"
	exit 1
}
# host_ask NAME: print 'ask NAME', then wait (120 s at most) for the host's line on ttyS1. The port is opened
# first: a line the host sends at once is not lost to the UART's reset at open. The host waits for 'ask NAME'
# itself, never for an earlier marker (a line sent before the port is open is lost).
host_ask() {
	stty -F /dev/ttyS1 raw -echo 2>/dev/null
	rm -f /run/spean-host.line
	timeout 120 head -n 1 /dev/ttyS1 >/run/spean-host.line &
	hpid=$!
	sleep 0.2
	mark "ask $*"
	wait $hpid || fail "no word from the host on ttyS1 after '$*'"
	tr -d '\r' </run/spean-host.line
}
# The kiosk unit active (Type=notify: READY=1 comes after its first frame) with a main PID other than $1.
kiosk_wait_active() {
	i=0
	while :; do
		pid=$(systemctl show -p MainPID --value spean-kiosk.service)
		if [ "$(systemctl is-active spean-kiosk.service)" = active ] && [ "$pid" != 0 ] && [ "$pid" != "${1:-}" ]; then
			return 0
		fi
		i=$((i + 1))
		[ $i -lt "${2:-1200}" ] || return 1
		sleep 0.1
	done
}
# A command as the kiosk's user (its store is the user's alone).
spean_as() { runuser -u spean -- spean --data-dir /var/lib/spean "$@"; }
[ -f "/usr/lib/spean/test/$check.sh" ] || fail "no check named $check"
mark "check $check unit_start uptime_ms=$(uptime_ms)"
. "/usr/lib/spean/test/$check.sh"

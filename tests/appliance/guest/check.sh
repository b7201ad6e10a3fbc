#!/bin/sh
# /usr/lib/spean/test/check.sh (test images only: tests/appliance/stage-checks.sh): run the check the kernel
# command line names, spean.check=NAME, from /usr/lib/spean/test/NAME.sh; no spean.check: do nothing (the
# image then boots as a device does). Checks talk to the host harness (tests/appliance/lib.sh) by lines:
#   on ttyS0 (the serial log)   SPEAN-BOOT WHAT [k=v ...]      markers; 'SPEAN-BOOT end ok|fail REASON' last
#   from ttyS1 (a host socket)  one line per host_ask: the host's go-ahead (after a screendump, say)
# Those are an x86 VM's ports; /usr/lib/spean/test/ports (stage-checks.sh) names them for the image's
# architecture: on arm64 (QEMU's virt machine) ttyAMA0 and the virtio console hvc0.
# Helpers for the checks: mark, uptime_ms, fail, kiosk_wait_active, host_ask, wakeups, spean_as.
set -u
check=
for a in $(cat /proc/cmdline); do
	case $a in spean.check=*) check=${a#spean.check=} ;; esac
done
[ -n "$check" ] || exit 0
console=ttyS0 ctl=ttyS1
[ ! -f /usr/lib/spean/test/ports ] || . /usr/lib/spean/test/ports
uptime_ms() { awk '{printf "%d", $1 * 1000}' /proc/uptime; }
# Straight to the serial console: a caller may redirect stdout (host_ask ... >/dev/null).
mark() { echo "SPEAN-BOOT $*" >"/dev/$console"; }
# The kiosk unit's own journal (codes and counts: the kiosk logs nothing personal) goes with a failure.
fail() {
	journalctl -b -u spean-kiosk.service -o short-monotonic --no-pager 2>&1 | tail -40
	mark "end fail $*"
	exit 1
}
# host_ask NAME: print 'ask NAME', then wait (120 s at most) for the host's next line on ttyS1. One reader
# copies the port to /run/spean-host.lines from the check's start to its end: a line that comes before the
# question is kept (opening the port per question raced the host: the UART's FIFO is reset at open). The
# reader is a child, never this shell: a session leader that opens a tty makes it its controlling terminal,
# and a reader in another process group would then be stopped (SIGTTIN).
host_asked=0
host_ask() {
	host_asked=$((host_asked + 1))
	mark "ask $*"
	i=0
	until [ "$(wc -l </run/spean-host.lines)" -ge "$host_asked" ]; do
		i=$((i + 1))
		[ $i -lt 600 ] || fail "no word from the host on $ctl after '$*'"
		sleep 0.2
	done
	sed -n "${host_asked}p" /run/spean-host.lines | tr -d '\r'
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
# wakeups PID: the times any of its threads has been put on a CPU (schedstat's third field, summed).
wakeups() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ n += $3 } END { print n + 0 }'; }
# thread_runs PID: one line per thread, "TID NAME RUNS" (the thread's name without spaces).
thread_runs() {
	for t in /proc/"$1"/task/*; do
		echo "${t##*/} $(tr ' ' _ <"$t/comm" 2>/dev/null) $(cut -d' ' -f3 "$t/schedstat" 2>/dev/null)"
	done
}
# thread_wakeups BEFORE AFTER: NAME=N for each thread that woke between two thread_runs listings.
thread_wakeups() {
	awk 'NR == FNR { r[$1] = $3; next } { d = $3 - r[$1]; if (d > 0) printf "%s%s=%d", sep, $2, d; sep = "," } END { print "" }' "$1" "$2"
}
# A command as the kiosk's user (its store is the user's alone).
spean_as() { runuser -u spean -- spean --data-dir /var/lib/spean "$@"; }
stty -F "/dev/$ctl" raw -echo 2>/dev/null
: >/run/spean-host.lines
cat "/dev/$ctl" >>/run/spean-host.lines &
[ -f "/usr/lib/spean/test/$check.sh" ] || fail "no check named $check"
mark "check $check unit_start uptime_ms=$(uptime_ms)"
. "/usr/lib/spean/test/$check.sh"

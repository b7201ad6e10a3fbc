# /usr/lib/spean/test/kiosk.sh (spean.check=kiosk), sourced by check.sh: the packaged kiosk as a device runs
# it (spean-kiosk.service: user spean, KMSDRM on tty1, WatchdogSec), checked in one boot and the boot after a
# hardware watchdog reset:
#   first_frame       the unit is active (READY=1 after the first frame); the host compares a screendump
#   touch             a resident's journey tapped on a uinput touchscreen stores one request; neither the
#                     name nor the phone typed is in the journal or anywhere on the disk
#   idle              the kiosk's CPU time on the attract screen over 60 s (/proc/PID/schedstat, ns) and
#                     its threads' wakeups then (times put on a CPU)
#   memory            its resident memory then (VmRSS, VmHWM, PSS)
#   watchdog_restart  the kiosk stopped (SIGSTOP: its loop no longer pings) is killed and restarted by
#                     systemd; then killed outright (SIGKILL), restarted again
#   hw_watchdog       PID 1 frozen: nothing pings i6300esb, which resets the VM; the next boot says why
#                     (bootstatus) and comes back to the attract screen
stage=/var/lib/spean-test/kiosk.stage
first_frame() {
	kiosk_wait_active "${1:-}" || fail "the kiosk unit is not active: $(systemctl status spean-kiosk.service 2>&1 | tail -5)"
	spawn_us=$(systemctl show -p ExecMainStartTimestampMonotonic --value spean-kiosk.service)
	active_us=$(systemctl show -p ActiveEnterTimestampMonotonic --value spean-kiosk.service)
	mark "first_frame uptime_ms=$((active_us / 1000)) spawn_ms=$((spawn_us / 1000)) user=$(stat -c %U "/proc/$pid")"
}
if [ -f "$stage" ]; then
	# The boot after the reset.
	mark "rebooted after=$(cat "$stage") bootstatus=$(cat /sys/class/watchdog/watchdog0/bootstatus 2>/dev/null)"
	first_frame
	host_ask screen >/dev/null
	mark "end ok"
	exit 0
fi
first_frame
host_ask screen >/dev/null

# A journey by touch. The taps were recorded by the same replay offscreen (tests/appliance/touch.replay).
# What the resident types there is in the image already (the demo contact, this script): count it on the
# data partition (the root is read-only, /tmp and /run in memory) before and after, read from the device
# itself (synced, caches dropped).
data_dev=$(findmnt -no SOURCE /data)
on_disk() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	grep -caF "$1" "$data_dev"
}
name0=$(on_disk 'Thạch') phone0=$(on_disk '0912345678')
before=$(spean_as requests status | sed -n 's/^held //p')
/usr/lib/spean/test/touch 800 480 "${SPEAN_TOUCH_DELAY_MS:-600}" "$pid" </usr/lib/spean/test/touch.taps >/run/touch.log 2>&1 ||
	{ cat /run/touch.log; fail "the touch tool failed"; }
sleep 2
after=$(spean_as requests status | sed -n 's/^held //p')
mark "touch taps=$(grep -c '^touch: [a-z]' /run/touch.log) held_before=$before held_after=$after"
[ "$after" = $((before + 1)) ] || { journalctl -u spean-kiosk.service -o cat | tail -20; fail "the journey by touch stored no request"; }
# What the resident typed: nowhere in the journal, on the disk no more often than before.
journalctl -o cat >/run/journal.txt
for s in 'Thạch' '0912345678'; do
	! grep -qF "$s" /run/journal.txt || fail "'$s' is in the journal"
done
rm -f /run/journal.txt
[ "$(on_disk 'Thạch')" = "$name0" ] || fail "the name typed is on the disk in clear"
[ "$(on_disk '0912345678')" = "$phone0" ] || fail "the phone typed is on the disk in clear"
mark "privacy journal=clean disk=clean name_before=$name0 phone_before=$phone0"

# Idle on the attract screen (the journey ended there: 'done' on the receipt).
pid=$(systemctl show -p MainPID --value spean-kiosk.service)
sleep 5
t0=$(cut -d' ' -f1 "/proc/$pid/schedstat") w0=$(wakeups "$pid")
thread_runs "$pid" >/run/threads.0
sleep "${SPEAN_IDLE_SECONDS:-60}"
t1=$(cut -d' ' -f1 "/proc/$pid/schedstat") w1=$(wakeups "$pid")
thread_runs "$pid" >/run/threads.1
mark "idle cpu_ns=$((t1 - t0)) seconds=${SPEAN_IDLE_SECONDS:-60} wakeups=$((w1 - w0)) by_thread=$(thread_wakeups /run/threads.0 /run/threads.1)"
# Its memory after the journey, on KMSDRM (Mesa's llvmpipe and LLVM mapped in: PSS shares them out).
kib() { awk -v k="$1:" '$1 == k { print $2 }' "$2"; }
mark "memory rss_kib=$(kib VmRSS "/proc/$pid/status") hwm_kib=$(kib VmHWM "/proc/$pid/status") pss_kib=$(kib Pss "/proc/$pid/smaps_rollup") threads=$(kib Threads "/proc/$pid/status")"

# The systemd watchdog: a kiosk whose loop stops is killed (WatchdogSec) and started again.
old=$pid
t0=$(uptime_ms)
kill -STOP "$old"
kiosk_wait_active "$old" 900 || fail "the stopped kiosk was not restarted"
journalctl -u spean-kiosk.service -o cat | grep -qi 'watchdog timeout' || fail "no watchdog timeout in the kiosk unit's journal"
mark "watchdog_restart after_ms=$(($(uptime_ms) - t0)) pid_before=$old pid_after=$pid"
old=$pid
t0=$(uptime_ms)
kill -KILL "$old"
kiosk_wait_active "$old" 600 || fail "the killed kiosk was not restarted"
mark "kill_restart after_ms=$(($(uptime_ms) - t0)) pid_before=$old pid_after=$pid"

# The hardware watchdog (systemd's RuntimeWatchdogSec on /dev/watchdog0, pinned to i6300esb by the host).
ident=$(cat /sys/class/watchdog/watchdog0/identity 2>/dev/null)
case $ident in *6300*) ;; *) fail "watchdog0 is '$ident', not the i6300esb" ;; esac
timeout=$(cat /sys/class/watchdog/watchdog0/timeout 2>/dev/null)
mkdir -p "${stage%/*}"
uptime_ms >"$stage"
sync
mark "hw_watchdog identity='$ident' timeout_s=$timeout freezing PID 1"
# PID 1 ignores SIGSTOP; its cgroup can be frozen. Nothing pings the watchdog any more.
echo 1 >/sys/fs/cgroup/init.scope/cgroup.freeze
sleep 600
fail "still running 600 s after PID 1 was frozen"

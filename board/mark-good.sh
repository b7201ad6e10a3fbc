#!/bin/sh
# board/mark-good.sh (/usr/lib/spean/mark-good.sh, spean-mark-good.service): keep the root slot GRUB booted
# only once it has proved itself. GRUB (board/image/grub.cfg) set the slot's TRY flag before booting it;
# RAUC's mark-good clears it (and sets OK), so the slot is booted again. A slot is good when:
#   1. spean-kiosk.service is active (Type=notify: READY=1 comes after the kiosk drew its first frame),
#      within SPEAN_MARK_GOOD_WAIT seconds (300; the kernel argument spean.mark_good_wait=N overrides it)
#      and before it has stopped SPEAN_MARK_GOOD_RESTARTS times (10; spean.mark_good_restarts=N): a kiosk
#      that dies at every start is not waited for;
#   2. the store passes `spean check` (run as the kiosk's user: the store is its alone).
# Otherwise, when the other slot is good (an update on trial: it can fall back), this slot is marked bad
# and the device reboots into the other one; when it is not (nothing to fall back to), the unit fails and
# the kiosk's own Restart= keeps trying. The kiosk's journal says why; nothing personal is printed here.
set -u
wait_s=${SPEAN_MARK_GOOD_WAIT:-300}
max_restarts=${SPEAN_MARK_GOOD_RESTARTS:-10}
for a in $(cat /proc/cmdline); do
	case $a in
	rauc.slot=*) slot=${a#rauc.slot=} ;;
	spean.mark_good_wait=*) wait_s=${a#spean.mark_good_wait=} ;;
	spean.mark_good_restarts=*) max_restarts=${a#spean.mark_good_restarts=} ;;
	esac
done
case ${slot:-} in
A) other=B ;;
B) other=A ;;
*)
	echo "mark-good: no rauc.slot=A|B on the kernel command line: not booted by the A/B bootloader" >&2
	exit 0
	;;
esac
data=${SPEAN_DATA_DIR:-/var/lib/spean}

fall_back() {
	echo "mark-good: slot $slot is not good: $1" >&2
	# The other slot's OK flag in GRUB's environment (RAUC's grub backend: set by install and mark-good).
	env=$(sed -n 's/^grubenv=//p' /etc/rauc/system.conf)
	if grub-editenv "$env" list 2>/dev/null | grep -qx "${other}_OK=1"; then
		echo "mark-good: slot $other is good: marking $slot bad and rebooting into $other" >&2
		rauc status mark-bad booted || true
		systemctl reboot
		exit 0
	fi
	echo "mark-good: slot $other is not good either: staying on $slot (the kiosk is restarted by its unit)" >&2
	exit 1
}

i=0
while [ "$(systemctl is-active spean-kiosk.service)" != active ]; do
	i=$((i + 1))
	[ "$i" -le "$wait_s" ] || fall_back "the kiosk drew no frame within $wait_s s"
	restarts=$(systemctl show -p NRestarts --value spean-kiosk.service)
	[ "${restarts:-0}" -lt "$max_restarts" ] || fall_back "the kiosk stopped $restarts times without drawing a frame"
	sleep 1
done
runuser -u spean -- spean --data-dir "$data" check >/dev/null 2>&1 || fall_back "the store failed 'spean check'"
rauc status mark-good booted || fall_back "rauc status mark-good failed"
echo "mark-good: slot $slot marked good (kiosk drawn after ${i} s, store checked)"

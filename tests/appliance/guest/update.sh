# /usr/lib/spean/test/update.sh (spean.check=update), sourced by check.sh: the A/B update as a device lives
# it, over four boots of one VM (tests/appliance/update_test.sh; the stage is kept on the data partition,
# /var/lib/spean-test/update.stage). The bundles come on a read-only disk labelled SPEANUSB (a USB stick):
#   boot 1, slot A  the root is read-only, the store on the data partition; a request stored; slot A marked
#                   good by spean-mark-good.service; a tampered bundle refused (nothing written); a bundle
#                   whose kiosk exits 1 installed into B
#   boot 2, slot B  booted once: its kiosk never draws (stops at every start), spean-mark-good.service marks
#                   B bad after 10 stops and reboots
#   boot 3, slot A  back by itself: the attract screen (the host compares it), B not good; the good bundle
#                   installed into B (time, size)
#   boot 4, slot B  the kiosk draws, B marked good, the request still held, A unchanged, B as installed
# Every boot: the root slots' sha256 (the host compares them across boots) and a write to the root refused.
stage=/var/lib/spean-test/update.stage
env=/boot/efi/EFI/BOOT/grubenv
booted=
for a in $(cat /proc/cmdline); do
	case $a in rauc.slot=*) booted=${a#rauc.slot=} ;; esac
done
grubenv() { grub-editenv "$env" list | tr '\n' ' '; }
flag() { grub-editenv "$env" list | sed -n "s/^$1=//p"; }
slot_sum() { sha256sum "/dev/disk/by-partlabel/spean-$1" | cut -c1-16; }
held() { spean_as requests status | sed -n 's/^held //p'; }
# The read-only root: mounted ro, a write refused; the data partition mounted where the store is.
root_ro() {
	opts=$(findmnt -no OPTIONS /)
	case ,$opts, in *,ro,*) ;; *) fail "the root is mounted '$opts', not read-only" ;; esac
	if touch /usr/.spean-write-test 2>/dev/null; then fail "a write to the root succeeded"; fi
	[ "$(findmnt -no MAJ:MIN /var/lib/spean)" = "$(findmnt -no MAJ:MIN /data)" ] ||
		fail "/var/lib/spean is not on the data partition: $(findmnt -no SOURCE /var/lib/spean)"
	case $(findmnt -no SOURCE /data) in /dev/vda4*) ;; *) fail "/data is $(findmnt -no SOURCE /data), not the disk's data partition" ;; esac
}
# spean-mark-good.service done (active: RemainAfterExit) after the kiosk drew.
wait_marked_good() {
	i=0
	while [ "$(systemctl is-active spean-mark-good.service)" != active ]; do
		i=$((i + 1))
		[ $i -lt 600 ] || fail "slot $booted not marked good: $(systemctl status spean-mark-good.service 2>&1 | tail -5)"
		sleep 1
	done
	[ "$(flag "${booted}_OK")" = 1 ] && [ "$(flag "${booted}_TRY")" = 0 ] || fail "slot $booted: grubenv $(grubenv)"
}
# rauc_idle: RAUC's service has no operation under way. Its client can return before the service is done
# (a refused install still cleaning up, the slot check's mark-good), and a call then fails with "Already
# processing a different method" (seen once in about ten runs).
rauc_idle() {
	i=0
	until [ "$(busctl get-property de.pengutronix.rauc / de.pengutronix.rauc.Installer Operation 2>/dev/null)" = 's "idle"' ]; do
		i=$((i + 1))
		[ $i -lt 300 ] || fail "RAUC busy for 60 s: $(busctl get-property de.pengutronix.rauc / de.pengutronix.rauc.Installer Operation 2>&1)"
		sleep 0.2
	done
}
stick() {
	mkdir -p /run/stick
	mountpoint -q /run/stick || mount -o ro /dev/disk/by-label/SPEANUSB /run/stick || fail "no stick (SPEANUSB)"
}
state=$(cat "$stage" 2>/dev/null || echo first)
mark "boot stage=$state slot=$booted sum_a=$(slot_sum a) sum_b=$(slot_sum b) grubenv=$(grubenv | tr ' ' ,)"
# spean-mark-good.service starts once this boot is reported (hold-mark-good.sh); the broken slot's, once
# its kiosk is seen failing.
[ "$state" = bad ] && [ "$booted" = B ] || touch /run/spean-mark-good.go
case $state in
first)
	[ "$booted" = A ] || fail "the first boot is slot '$booted', not A"
	root_ro
	kiosk_wait_active || fail "the kiosk did not start on slot A"
	wait_marked_good
	spean_as requests add --facts /usr/share/spean/demo/p21-poor-hearing.facts \
		--contact /usr/share/spean/demo/demo.contact >/dev/null || fail "requests add failed"
	n=$(held)
	[ "$n" -ge 1 ] || fail "no request held after requests add"
	echo "$n" >/var/lib/spean-test/update.held
	stick
	before=$(grubenv)
	rauc_idle
	if rauc install /run/stick/tampered.raucb >/run/tampered.log 2>&1; then fail "a tampered bundle was installed"; fi
	[ "$(grubenv)" = "$before" ] || fail "a refused bundle changed the boot environment: $(grubenv)"
	why=$(grep -o 'signature[^.]*\|[Ff]ailed to verify[^.]*' /run/tampered.log | head -1 | tr ' ' _)
	[ -n "$why" ] || { cat /run/tampered.log; fail "the tampered bundle was refused, but not for its signature"; }
	mark "tampered refused=yes why=$why"
	rauc_idle
	rauc install /run/stick/bad.raucb >/run/install.log 2>&1 || { cat /run/install.log; fail "rauc install bad.raucb failed"; }
	[ "$(flag ORDER)" = "B A" ] && [ "$(flag B_OK)" = 1 ] || fail "after the install: grubenv $(grubenv)"
	echo bad >"$stage"
	sync
	mark "installed bundle=bad held=$n sum_b=$(slot_sum b)"
	systemctl reboot
	;;
bad)
	if [ "$booted" = B ]; then
		# The broken slot, booted once: its kiosk exits 1 at every start; nobody here marks anything.
		root_ro
		i=0
		while [ "$(systemctl show -p NRestarts --value spean-kiosk.service)" -lt 2 ]; do
			i=$((i + 1))
			[ $i -lt 300 ] || fail "the broken kiosk was not restarted"
			sleep 1
		done
		mark "broken slot=B kiosk=$(systemctl is-active spean-kiosk.service) restarts=$(systemctl show -p NRestarts --value spean-kiosk.service) b_try=$(flag B_TRY)"
		touch /run/spean-mark-good.go
		sleep 1200
		fail "slot B was not left within 20 min"
	fi
	[ "$booted" = A ] || fail "after the broken slot: slot '$booted'"
	root_ro
	kiosk_wait_active || fail "the kiosk did not start on slot A after the fallback"
	wait_marked_good
	[ "$(flag B_OK)" = 0 ] || fail "the broken slot B is still OK: $(grubenv)"
	mark "fell_back slot=A held=$(held) grubenv=$(grubenv | tr ' ' ,)"
	host_ask screen >/dev/null
	stick
	t0=$(uptime_ms)
	rauc_idle
	rauc install /run/stick/good.raucb >/run/install.log 2>&1 || { cat /run/install.log; fail "rauc install good.raucb failed"; }
	t1=$(uptime_ms)
	[ "$(flag ORDER)" = "B A" ] && [ "$(flag B_OK)" = 1 ] && [ "$(flag B_TRY)" = 0 ] || fail "after the install: grubenv $(grubenv)"
	echo good >"$stage"
	sync
	mark "installed bundle=good install_ms=$((t1 - t0)) sum_b=$(slot_sum b)"
	systemctl reboot
	;;
good)
	[ "$booted" = B ] || fail "the updated slot B was not booted: slot '$booted', grubenv $(grubenv)"
	root_ro
	kiosk_wait_active || fail "the kiosk did not start on the updated slot B"
	wait_marked_good
	n=$(held)
	[ "$n" = "$(cat /var/lib/spean-test/update.held)" ] || fail "held $n after the update, $(cat /var/lib/spean-test/update.held) before"
	mark "updated slot=B held=$n grubenv=$(grubenv | tr ' ' ,) status=$(rauc status --output-format=shell 2>/dev/null | sed -n "s/^RAUC_SYSTEM_BOOTED_BOOTNAME=//p" | tr -d "'")"
	echo done >"$stage"
	sync
	mark "end ok"
	;;
*) fail "update.stage '$state'" ;;
esac

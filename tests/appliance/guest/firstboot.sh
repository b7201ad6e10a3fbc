# /usr/lib/spean/test/firstboot.sh (spean.check=firstboot), sourced by check.sh: a device's first boot, no
# keyboard. The kiosk's store is emptied (as a fresh device's) and the packaged kiosk started again: the setup
# screen. The host then plugs in a USB stick (QMP device_add usb-storage) with spean/provision/: udev starts
# spean-stick@.service, which mounts it read-only at /run/spean-stick; the kiosk (user spean, its own mount
# namespace) finds it, takes the card and settings, and says so; a touch on Continue shows its identity QR,
# which the host decodes from a screendump.
kiosk_wait_active || fail "the kiosk unit is not active"
mark "kiosk up: stopping it, emptying its store"
systemctl stop spean-kiosk.service
find /var/lib/spean -mindepth 1 -delete
systemctl start --no-block spean-kiosk.service
mark "kiosk started on an empty store"
# Active: its first frame is drawn (READY=1), the setup screen since it has no card (its log is at 'warn':
# events are not in the journal).
kiosk_wait_active || fail "the kiosk did not start on an empty store"
[ ! -e /var/lib/spean/center.pub ] || fail "the emptied store has a card"
sleep 2
host_ask setup >/dev/null
i=0
until [ -e /var/lib/spean/center.pub ]; do
	i=$((i + 1)); [ $i -lt 600 ] || fail "the kiosk did not take the stick ($(findmnt -n /run/spean-stick || echo not mounted))"; sleep 0.2
done
mnt=$(findmnt -n -o OPTIONS /run/spean-stick | tr , '\n' | grep -cxE 'ro|nosuid|nodev|noexec')
mark "provisioned identity=$(spean_as identity) mount_opts=$mnt/4 $(spean_as requests status | tr '\n' ' ')"
sleep 2
host_ask provisioned >/dev/null
/usr/lib/spean/test/touch 800 480 600 "$(systemctl show -p MainPID --value spean-kiosk.service)" </usr/lib/spean/test/firstboot.taps >/run/touch.log 2>&1 ||
	{ cat /run/touch.log; fail "the touch tool failed"; }
host_ask identity >/dev/null
mark "end ok"

#!/usr/bin/env bash
# The packages' systemd units (debian/*.service) checked by `systemd-analyze verify` against the tree
# `cmake --install` makes (no running systemd needed: --root, with this machine's own units for the
# targets they name): every directive known and parsed, every command executable. Any warning fails.
# Then what the units promise: the kiosk on KMSDRM, restarted, under a watchdog, not as root.
. "$(dirname "$0")/lib.sh"
: "${SPEAN_BIN_DIR:?}" "${SPEAN_SOURCE_DIR:?}"
command -v systemd-analyze >/dev/null || { echo "units_test: needs systemd-analyze (apt-get install systemd)" >&2; exit 2; }
R="$T/root" D="$SPEAN_SOURCE_DIR/debian" U="$T/root/lib/systemd/system"
DESTDIR="$R" cmake --install "$SPEAN_BIN_DIR" >"$T/install.log" 2>&1 || { cat "$T/install.log" >&2; exit 2; }
mkdir -p "$U" && cp -r /lib/systemd/system/. "$U/"
# As dh_installsystemd names them: debian/PACKAGE.NAME.service -> NAME.service.
cp "$D/spean.spean-kiosk.service" "$U/spean-kiosk.service"
cp "$D/spean.spean-usb-gadget.service" "$U/spean-usb-gadget.service"
cp "$D/spean.spean-usb-bind.service" "$U/spean-usb-bind.service"
cp "$D/spean-center.service" "$U/spean-center.service"
cp "$D/spean.spean-mark-good.service" "$U/spean-mark-good.service"
# The stick's template unit, verified as the instance udev starts for /dev/sdb1; the tools it runs
# (coreutils, mount: priority required, in every Debian root) copied from this machine.
cp "$D/spean.spean-stick@.service" "$U/spean-stick@.service" && ln -s spean-stick@.service "$U/spean-stick@sdb1.service"
mkdir -p "$R/usr/bin" && cp /usr/bin/mkdir /usr/bin/mount /usr/bin/umount "$R/usr/bin/"
# The gadget unit's ExecStartPost= runs /bin/sh (priority required, too).
mkdir -p "$R/bin" && cp -L /bin/sh "$R/bin/sh"
units=("$U/spean-kiosk.service" "$U/spean-usb-gadget.service" "$U/spean-usb-bind.service" "$U/spean-center.service"
	"$U/spean-stick@sdb1.service" "$U/spean-mark-good.service")

verify() { systemd-analyze verify --man=no --root="$R" "$@" >"$T/out" 2>&1; }
if verify "${units[@]}" && [ ! -s "$T/out" ]; then pass; else fail "systemd-analyze verify: $(cat "$T/out")"; fi
# The check itself: a unit with an unknown key, a bad value or a missing binary does not pass.
for bad in 's/^WatchdogSec=.*/WatchdogSec=soon/' 's/^Restart=always/Restart=always\nRestartt=1/' \
	's|^ExecStart=/usr/bin/spean |ExecStart=/usr/bin/spean-missing |'; do
	sed "$bad" "$D/spean.spean-kiosk.service" >"$U/spean-kiosk.service"
	if verify "$U/spean-kiosk.service" && [ ! -s "$T/out" ]; then fail "verify passed a unit edited by $bad"; else pass; fi
done
cp "$D/spean.spean-kiosk.service" "$U/spean-kiosk.service"

# What the kiosk's unit must say (systemd-analyze knows the syntax, not the intent).
k="$U/spean-kiosk.service"
for line in Type=notify WatchdogSec=30s Restart=always StartLimitIntervalSec=0 User=spean Environment=SDL_VIDEODRIVER=kmsdrm \
	'ExecStart=/usr/bin/spean kiosk' Conflicts=getty@tty1.service \
	'SupplementaryGroups=video render input lp' StateDirectory=spean; do
	grep -qxF -- "$line" "$k" && pass || fail "spean-kiosk.service lacks '$line'"
done
# The A/B update's slot check: runs the script that polls the kiosk, only where GRUB named the slot; never
# ordered after the kiosk (a kiosk that never draws keeps its start job running: the check would never run
# and the broken slot would never be left).
mg="$U/spean-mark-good.service"
for line in ExecStart=/usr/lib/spean/mark-good.sh ConditionKernelCommandLine=rauc.slot Type=oneshot; do
	grep -qxF -- "$line" "$mg" && pass || fail "spean-mark-good.service lacks '$line'"
done
! grep -q '^After=.*spean-kiosk' "$mg" && pass || fail "spean-mark-good.service is ordered after the kiosk"
# The stick: mounted read-only, nothing on it runs or is a device, unmounted when pulled; udev starts it
# for a USB filesystem; the kiosk is told where it is.
st="$U/spean-stick@.service"
for line in 'ExecStart=/usr/bin/mount -o ro,nosuid,nodev,noexec /dev/%I /run/spean-stick' BindsTo=dev-%i.device \
	'ExecStop=/usr/bin/umount -l /run/spean-stick'; do
	grep -qxF -- "$line" "$st" && pass || fail "spean-stick@.service lacks '$line'"
done
grep -q '^ACTION=="add", SUBSYSTEM=="block", ENV{ID_BUS}=="usb", ENV{ID_FS_USAGE}=="filesystem", .*ENV{SYSTEMD_WANTS}+="spean-stick@%k.service"' \
	"$D/spean.udev" && pass || fail "spean.udev: a USB filesystem starts spean-stick@%k.service"
grep -qxF Environment=SPEAN_STICK_DIR=/run/spean-stick "$k" && pass || fail "spean-kiosk.service: SPEAN_STICK_DIR"
grep -qxF 'ExecStart=/usr/lib/spean/usb-gadget.sh up' "$U/spean-usb-gadget.service" && pass || fail "gadget unit: ExecStart"
# The gadget is attached by its own unit, never by an ExecStartPost= of the kiosk: that one would run with
# the kiosk's TTY settings and hang up tty1 under the kiosk (SIGHUP: seen on a real kernel, tests/appliance).
! grep -q '^ExecStartPost=' "$k" && pass || fail "spean-kiosk.service has an ExecStartPost="
# A device controller that appears after boot (tests/appliance/usb_test.sh: dummy_hcd loaded by hand): udev
# starts the gadget unit, which restarts a kiosk already running (it looks for ep0 only when it starts); the
# office side's user may open the kiosk's device node.
grep -q '^ACTION=="add", SUBSYSTEM=="udc", TAG+="systemd", ENV{SYSTEMD_WANTS}+="spean-usb-gadget.service"$' "$D/spean.udev" &&
	pass || fail "spean.udev: a UDC starts spean-usb-gadget.service"
grep -q '^ExecStartPost=/bin/sh -c .*active|activating.*systemctl --no-block restart spean-kiosk.service' \
	"$U/spean-usb-gadget.service" && pass || fail "gadget unit: a running kiosk is restarted"
grep -q 'ATTR{idVendor}=="1209", ATTR{idProduct}=="0001", GROUP="spean-center", MODE="0660"' "$D/spean-center.udev" &&
	pass || fail "spean-center.udev: the kiosk's device node for the group spean-center"
for line in 'ExecStart=/usr/lib/spean/usb-gadget.sh bind' BindsTo=spean-kiosk.service 'WantedBy=spean-kiosk.service'; do
	grep -qxF -- "$line" "$U/spean-usb-bind.service" && pass || fail "spean-usb-bind.service lacks '$line'"
done
grep -q '^ExecStart=/usr/bin/spean-center run --data-dir /var/lib/spean-center --listen .* --console-listen ' "$U/spean-center.service" &&
	grep -qxF User=spean-center "$U/spean-center.service" && pass || fail "center unit: run (kiosks and console) as spean-center"
# The system drop-ins: the journal in memory, the hardware watchdog armed.
grep -qx 'Storage=volatile' "$D/conf/journald-spean.conf" && pass || fail "journald drop-in: Storage=volatile"
grep -qx 'RuntimeWatchdogSec=30s' "$D/conf/system-spean.conf" && pass || fail "system.conf drop-in: RuntimeWatchdogSec"
# Every command the center's unit runs is a real subcommand with those options: the binary's own usage says so.
"$R/usr/bin/spean-center" --help | grep -q -- 'run --data-dir DIR \[--listen ADDR:PORT \[--plain\] \[--per-address N\]\] \[--console-listen ADDR:PORT\]' &&
	pass || fail "spean-center run usage changed"
done_tests

#!/usr/bin/env bash
# board/image/stage.sh ROOTFS DEBS: install the kiosk's Debian packages (DEBS: debian/build.sh's output) into
# the unpacked base ROOTFS, as dpkg does on a device: their files (FHS: /usr/bin/spean, /usr/share/spean),
# the user spean, the units enabled (spean-kiosk on tty1 with KMSDRM, the USB gadget), udev rules, the
# journal in memory and the hardware watchdog armed. The kiosk is left unprovisioned: it takes its center's
# card on first boot. Then what a kiosk device has beyond the packages: no login prompt on its screen, an fstab.
set -euo pipefail
rootfs=${1:?usage: stage.sh ROOTFS DEBS}
debs=${2:?usage: stage.sh ROOTFS DEBS}
shopt -s nullglob
pkgs=("$debs"/spean_*.deb "$debs"/spean-common_*.deb)
[ ${#pkgs[@]} = 2 ] || { echo "stage.sh: $debs must hold one spean and one spean-common package (debian/build.sh)" >&2; exit 1; }
mkdir -p "$rootfs/tmp/debs"
cp "${pkgs[@]}" "$rootfs/tmp/debs/"
# dpkg in the image's own root: the maintainer scripts (adduser, dpkg-statoverride, deb-systemd-helper) run
# there and enable the units by links; nothing is started (no systemd runs in the chroot).
chroot "$rootfs" sh -c 'dpkg -i /tmp/debs/*.deb' >"$rootfs/tmp/debs/dpkg.log" 2>&1 || {
	cat "$rootfs/tmp/debs/dpkg.log" >&2
	exit 1
}
rm -rf "$rootfs/tmp/debs"
# The kiosk owns the screen: no login prompt on tty1 (the unit conflicts with it too) or the serial port.
ln -sf /dev/null "$rootfs/etc/systemd/system/getty@tty1.service"
ln -sf /dev/null "$rootfs/etc/systemd/system/serial-getty@ttyS0.service"
cat >"$rootfs/etc/fstab" <<'FSTAB'
# <file system>    <mount point> <type> <options>           <dump> <pass>
LABEL=spean-root   /             ext4   rw,noatime          0      1
tmpfs              /tmp          tmpfs  nosuid,nodev,mode=1777 0   0
FSTAB

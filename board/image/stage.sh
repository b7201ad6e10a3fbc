#!/usr/bin/env bash
# board/image/stage.sh ROOTFS DEBS: install the kiosk's Debian packages (DEBS: debian/build.sh's output) into
# the unpacked base ROOTFS, as dpkg does on a device: their files (FHS: /usr/bin/spean, /usr/share/spean),
# the user spean, the units enabled (spean-kiosk on tty1 with KMSDRM, the USB gadget), udev rules, the
# journal in memory and the hardware watchdog armed. The kiosk is left unprovisioned: it takes its center's
# card on first boot. Then what a kiosk device has beyond the packages: no login prompt on its screen, the
# partitions' fstab with a read-only root, RAUC (its service and configuration).
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
# The kiosk owns the screen: no login prompt on tty1 (the unit conflicts with it too) or the serial port
# (ttyS0 on x86, ttyAMA0 on arm64 boards and QEMU's virt machine).
ln -sf /dev/null "$rootfs/etc/systemd/system/getty@tty1.service"
ln -sf /dev/null "$rootfs/etc/systemd/system/serial-getty@ttyS0.service"
ln -sf /dev/null "$rootfs/etc/systemd/system/serial-getty@ttyAMA0.service"
# The disk (board/image/build.sh): GPT with the ESP (GRUB, its environment), two root slots A and B (RAUC
# writes the other one; GRUB picks: board/image/grub.cfg) and the data partition. The root is mounted
# read-only and never written: what changes lives on the data partition (ext4, journaled, data=ordered,
# fsck -p at every boot, made by systemd-makefs if it has no filesystem yet) or in memory.
mkdir -p "$rootfs/data" "$rootfs/boot/efi"
cat >"$rootfs/etc/fstab" <<'FSTAB'
# <file system>         <mount point>     <type> <options>                                  <dump> <pass>
/dev/root               /                 ext4   ro,noatime                                 0      0
PARTLABEL=spean-data    /data             ext4   noatime,nosuid,nodev,x-systemd.makefs      0      2
# GRUB's environment (RAUC's grub backend); written only by an update and by the slot checks.
PARTLABEL=spean-esp     /boot/efi         vfat   umask=0077,noatime,nosuid,nodev,noexec,sync 0     0
tmpfs                   /tmp              tmpfs  nosuid,nodev,mode=1777                     0      0
tmpfs                   /var/tmp          tmpfs  nosuid,nodev,mode=1777                     0      0
tmpfs                   /var/log          tmpfs  nosuid,nodev,mode=0755                     0      0
tmpfs                   /var/lib/systemd  tmpfs  nosuid,nodev,mode=0755                     0      0
# The data partition's directories, bound where their programs look (spean-data.service makes them).
/data/spean             /var/lib/spean    none   bind,x-systemd.requires=spean-data.service 0      0
FSTAB
# An empty machine-id: systemd makes one in memory at each boot (the root is read-only; the journal is
# volatile anyway).
: >"$rootfs/etc/machine-id"
mkdir -p "$rootfs/usr/lib/spean-image"
cat >"$rootfs/usr/lib/spean-image/data-dirs.sh" <<'SH'
#!/bin/sh
# spean-data.service: each bind mount of /etc/fstab whose source is on /data gets its source directory if
# it has none yet (a blank data partition), owned and moded as its mount point on the read-only root.
set -eu
awk '$1 ~ /^\/data\// && $3 == "none" { print $1, $2 }' /etc/fstab | while read -r src dst; do
	[ -d "$src" ] && continue
	mkdir -p "$src"
	chown --reference="$dst" "$src"
	chmod --reference="$dst" "$src"
done
SH
chmod 0755 "$rootfs/usr/lib/spean-image/data-dirs.sh"
cat >"$rootfs/etc/systemd/system/spean-data.service" <<'UNIT'
[Unit]
Description=Spean data partition: the directories bound from it
DefaultDependencies=no
RequiresMountsFor=/data
Before=local-fs.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/lib/spean-image/data-dirs.sh
UNIT
# RAUC: Debian's package has only the program; its service (D-Bus, root only), the bus policy and the system
# configuration (build.sh adds the keyring: the update CA's certificate).
mkdir -p "$rootfs/etc/rauc" "$rootfs/etc/dbus-1/system.d"
arch=$(chroot "$rootfs" dpkg --print-architecture)
cat >"$rootfs/etc/rauc/system.conf" <<CONF
[system]
compatible=spean-kiosk-$arch
bootloader=grub
grubenv=/boot/efi/EFI/BOOT/grubenv
# The root is read-only: bundles and slots are mounted under /run, the slots' status kept on /data.
mountprefix=/run/rauc
statusfile=/data/rauc.status

[keyring]
path=/etc/rauc/keyring.pem

[slot.rootfs.0]
device=/dev/disk/by-partlabel/spean-a
type=ext4
bootname=A

[slot.rootfs.1]
device=/dev/disk/by-partlabel/spean-b
type=ext4
bootname=B
CONF
cat >"$rootfs/etc/dbus-1/system.d/de.pengutronix.rauc.conf" <<'XML'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <policy user="root">
    <allow own="de.pengutronix.rauc"/>
    <allow send_destination="de.pengutronix.rauc"/>
  </policy>
  <policy context="default">
    <deny send_destination="de.pengutronix.rauc"/>
  </policy>
</busconfig>
XML
cat >"$rootfs/etc/systemd/system/rauc.service" <<'UNIT'
[Unit]
Description=RAUC update service
After=dbus.service local-fs.target
Requires=dbus.service

[Service]
Type=dbus
BusName=de.pengutronix.rauc
ExecStart=/usr/bin/rauc service

[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/rauc.service "$rootfs/etc/systemd/system/multi-user.target.wants/rauc.service"

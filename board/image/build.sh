#!/usr/bin/env bash
# board/image/build.sh [--checks] [OUT]: a bootable Debian 12 amd64 image of the kiosk (run as root).
#   OUT (default build-image/) gets vmlinuz, initrd.img and rootfs.ext4: boot them with
#   qemu-system-x86_64 -kernel OUT/vmlinuz -initrd OUT/initrd.img -drive file=OUT/rootfs.ext4,if=virtio,format=raw
#   -append 'root=/dev/vda console=ttyS0'.
# The kiosk is installed from its Debian packages (debian/build.sh, into OUT/deb unless $SPEAN_DEBS names a
# directory that has them): its units, user, udev rules and journald/watchdog settings, as on a device.
# --checks adds the test layer of tests/appliance/ (stage-checks.sh: a test center, spean-center, the checks
# run at boot). The mmdebstrap tarball (dpkg and the initrd: the slow part) is cached in OUT/cache keyed by
# the package list and this script; the packages are installed on top of it each time (stage.sh).
# Needs: bash board/deps.sh image (mmdebstrap, qemu-system-x86, e2fsprogs, and the packages' build tools).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
checks=
[ "${1:-}" != --checks ] || { checks=1; shift; }
out=$(mkdir -p "${1:-$root/build-image}" && cd "${1:-$root/build-image}" && pwd)
case $out in "$root") echo "build.sh: not into the source tree's root" >&2; exit 2 ;; esac
if [ "$(id -u)" != 0 ]; then
	echo "build.sh: run as root (mmdebstrap, and the staged files must belong to root)" >&2
	exit 1
fi
mirror=${SPEAN_MIRROR:-http://deb.debian.org/debian}

# Only what the kiosk needs. The kiosk's own libraries are its binary's NEEDED entries (readelf -d,
# dpkg -S); SDL's KMSDRM driver dlopens EGL/GLES/GBM and Mesa's drivers, which a minbase image has
# none of (no Recommends): they are listed by name.
pkgs=(
	linux-image-amd64 systemd systemd-sysv udev kmod initramfs-tools adduser
	libsdl2-2.0-0 libsdl2-ttf-2.0-0 libsodium23 libsqlite3-0 libicu72 libqrencode4 libpng16-16 zlib1g
	libharfbuzz0b libusb-1.0-0
	libegl1 libgles2 libgbm1 libegl-mesa0 libgl1-mesa-dri libdrm2
)
# The test layer's spean-center (tests/appliance: the office side of the cable in the same VM) needs its own
# libraries; a device's image has none of them.
[ -z "$checks" ] || pkgs+=(libmicrohttpd12 libcurl3-gnutls)
# Bump base_rev when the mmdebstrap command below changes.
base_rev=3
key=$(printf '%s\n' "${pkgs[@]}" "$mirror" "$base_rev" | sha256sum | cut -c1-16)
cache=$out/cache
tarball=$cache/debian12-amd64-$key.tar
mkdir -p "$cache"
t0=$(date +%s)
if [ -f "$tarball" ]; then
	echo "image: cached base $tarball"
else
	echo "image: mmdebstrap bookworm amd64 minbase (${#pkgs[@]} packages + their Depends)"
	rm -rf "$cache"/debian12-amd64-*.tar "$cache"/*.part
	# Apt's lists and .debs are left out of the tarball: the appliance never runs apt. Nor are manuals,
	# documentation (but the copyright files) and message translations: nobody reads them on a kiosk.
	mmdebstrap --variant=minbase --format=tar --architectures=amd64 \
		--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
		--include="$(
		IFS=,
		echo "${pkgs[*]}"
	)" \
		--customize-hook='echo spean > "$1/etc/hostname"' \
		--customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/cache/apt/archives/*.deb' \
		bookworm "$tarball.part" "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
		"deb ${mirror%/debian}/debian-security bookworm-security main" \
		>"$cache/mmdebstrap.log" 2>&1 || {
		tail -30 "$cache/mmdebstrap.log" >&2
		exit 1
	}
	mv "$tarball.part" "$tarball"
fi
t1=$(date +%s)

# The packages (about 30 s) unless given.
debs=${SPEAN_DEBS:-$out/deb}
if [ -z "${SPEAN_DEBS:-}" ]; then
	bash "$root/debian/build.sh" "$debs" | grep -v '^lintian: ' || exit 1
fi
# The root filesystem: the base, the kiosk's packages, an fstab; then the test layer.
rootfs=$out/rootfs
rm -rf "$rootfs"
mkdir -p "$rootfs"
tar -C "$rootfs" -xf "$tarball"
bash "$root/board/image/stage.sh" "$rootfs" "$debs"
[ -z "$checks" ] || bash "$root/tests/appliance/stage-checks.sh" "$rootfs" "$out" "$debs"
cp -L "$rootfs/vmlinuz" "$out/vmlinuz"
cp -L "$rootfs/initrd.img" "$out/initrd.img"
size_kib=$(du -sk "$rootfs" | cut -f1)
# Room for the store and the journal on the same partition until the data partition exists.
img_mib=$((size_kib / 1024 + 256))
rm -f "$out/rootfs.ext4"
mkfs.ext4 -q -F -L spean-root -d "$rootfs" "$out/rootfs.ext4" "${img_mib}M"
t2=$(date +%s)
echo "image: base $((t1 - t0)) s, staging and ext4 $((t2 - t1)) s"
echo "image: root filesystem $((size_kib / 1024)) MiB used, $out/rootfs.ext4 ${img_mib} MiB; kernel $(du -k "$out/vmlinuz" | cut -f1) KiB, initrd $(du -k "$out/initrd.img" | cut -f1) KiB"

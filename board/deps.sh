#!/usr/bin/env bash
# board/deps.sh [demo|test|pkg|image]: install the Debian 12 packages Spean needs that are missing (run as root).
#   demo: what building and running the kiosk needs
#   test: that plus what the whole test suite needs (clang/libFuzzer, libfiu, sqlite3 CLI, systemd-analyze,
#         and the appliance's image and QEMU: mmdebstrap, qemu-system-x86, mkfs.ext4)
#   pkg:  demo plus what debian/build.sh needs to make and check the .debs
#   image: demo plus what board/image/build.sh and tests/appliance/ need (mmdebstrap, QEMU, mkfs.ext4; the
#         disk and the update: fdisk for sfdisk on a file, dosfstools and mtools for the ESP without a loop
#         device, grub-efi-amd64-bin for grub-mkstandalone, rauc and squashfs-tools to make and sign bundles,
#         openssl for the test update CA; ovmf: the UEFI firmware QEMU boots the disk's GRUB with)
set -euo pipefail
what=${1:-test}
pkgs=(gcc libc6-dev cmake ninja-build pkg-config libsodium-dev libsqlite3-dev
	libsdl2-dev libsdl2-ttf-dev libicu-dev libqrencode-dev libpng-dev zlib1g-dev espeak-ng
	libharfbuzz-dev libmicrohttpd-dev libcurl4-gnutls-dev libgnutls28-dev libusb-1.0-0-dev libsystemd-dev)
case $what in
demo) ;;
test) pkgs+=(clang libclang-rt-14-dev fiu-utils libfiu0 sqlite3 procps libharfbuzz-bin xvfb xauth openssl curl
	m17n-db xkb-data libxkbcommon-dev zbar-tools valgrind umockdev libumockdev-dev systemd
	mmdebstrap qemu-system-x86 e2fsprogs bc python3 dpkg-dev debhelper fakeroot lintian git
	fdisk dosfstools mtools grub-efi-amd64-bin rauc squashfs-tools ovmf) ;;
pkg) pkgs+=(dpkg-dev debhelper fakeroot lintian git) ;;
image) pkgs+=(mmdebstrap qemu-system-x86 e2fsprogs bc python3 dpkg-dev debhelper fakeroot lintian git
	fdisk dosfstools mtools grub-efi-amd64-bin rauc squashfs-tools openssl ovmf zbar-tools) ;;
*)
	echo "usage: $0 [demo|test|pkg|image]" >&2
	exit 2
	;;
esac
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#pkgs[@]} packages present"
	exit 0
fi
echo "deps: installing ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
	echo "deps: run as root (or: sudo $0 $what)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"

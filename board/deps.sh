#!/usr/bin/env bash
# board/deps.sh [demo|test|pkg|image|arm64]: install the Debian 12 packages Spean needs that are missing (run as root).
#   demo: what building and running the kiosk needs
#   test: that plus what the whole test suite needs (clang/libFuzzer, libfiu, sqlite3 CLI, systemd-analyze,
#         and the appliance's image and QEMU: mmdebstrap, qemu-system-x86, mkfs.ext4)
#   pkg:  demo plus what debian/build.sh needs to make and check the .debs
#   image: demo plus what board/image/build.sh and tests/appliance/ need (mmdebstrap, QEMU, mkfs.ext4; the
#         disk and the update: fdisk for sfdisk on a file, dosfstools and mtools for the ESP without a loop
#         device, grub-efi-amd64-bin for grub-mkstandalone, rauc and squashfs-tools to make and sign bundles,
#         openssl for the test update CA; ovmf: the UEFI firmware QEMU boots the disk's GRUB with)
#   arm64: image plus the arm64 image's (tests/appliance/long.sh): the arm64 architecture added to dpkg,
#         qemu-user-static with binfmt (mmdebstrap runs the arm64 base's maintainer scripts under it),
#         the cross compiler and the build deps as arm64 packages (debian/build.sh cross-builds the kiosk),
#         qemu-system-arm and qemu-efi-aarch64 (AAVMF) to boot it
set -euo pipefail
what=${1:-test}
pkgs=(gcc libc6-dev cmake ninja-build pkg-config libsodium-dev libsqlite3-dev
	libsdl2-dev libsdl2-ttf-dev libicu-dev libqrencode-dev libpng-dev zlib1g-dev espeak-ng
	libharfbuzz-dev libmicrohttpd-dev libcurl4-gnutls-dev libgnutls28-dev libusb-1.0-0-dev libsystemd-dev
	libpango1.0-dev libcairo2-dev libxlsxwriter-dev)
case $what in
demo) ;;
test) pkgs+=(clang libclang-rt-14-dev fiu-utils libfiu0 sqlite3 procps libharfbuzz-bin xvfb xauth openssl curl
	m17n-db xkb-data libxkbcommon-dev zbar-tools valgrind umockdev libumockdev-dev systemd
	mmdebstrap qemu-system-x86 e2fsprogs bc python3 dpkg-dev debhelper fakeroot lintian git
	fdisk dosfstools mtools grub-efi-amd64-bin rauc squashfs-tools ovmf chromium fonts-noto-core poppler-utils)
	# node and npm (the console's browser test drives chromium with puppeteer-core): Debian's, unless this
	# machine has its own (NodeSource's nodejs bundles npm and conflicts with Debian's npm package).
	command -v node >/dev/null || pkgs+=(nodejs)
	command -v npm >/dev/null || pkgs+=(npm)
	;;
pkg) pkgs+=(dpkg-dev debhelper fakeroot lintian git) ;;
image) pkgs+=(mmdebstrap qemu-system-x86 e2fsprogs bc python3 dpkg-dev debhelper fakeroot lintian git
	fdisk dosfstools mtools grub-efi-amd64-bin rauc squashfs-tools openssl ovmf zbar-tools) ;;
arm64)
	pkgs+=(mmdebstrap qemu-system-x86 e2fsprogs bc python3 dpkg-dev debhelper fakeroot lintian git
		fdisk dosfstools mtools grub-efi-amd64-bin rauc squashfs-tools openssl ovmf zbar-tools
		qemu-user-static binfmt-support arch-test qemu-system-arm qemu-efi-aarch64 crossbuild-essential-arm64)
	for p in libsodium-dev libsqlite3-dev libsdl2-dev libsdl2-ttf-dev libicu-dev libqrencode-dev libpng-dev zlib1g-dev \
		libharfbuzz-dev libmicrohttpd-dev libcurl4-gnutls-dev libgnutls28-dev libusb-1.0-0-dev libsystemd-dev \
		libpango1.0-dev libcairo2-dev libxlsxwriter-dev; do
		pkgs+=("$p:arm64")
	done
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		[ "$(id -u)" = 0 ] || { echo "deps: run as root (dpkg --add-architecture arm64)" >&2; exit 1; }
		dpkg --add-architecture arm64
		apt-get update -qq
	fi
	;;
*)
	echo "usage: $0 [demo|test|pkg|image|arm64]" >&2
	exit 2
	;;
esac
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#pkgs[@]} packages present"
else
	echo "deps: installing ${missing[*]}"
	if [ "$(id -u)" != 0 ]; then
		echo "deps: run as root (or: sudo $0 $what)" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	echo "deps: done"
fi
# arm64 programs on this machine: qemu-user's binfmt handler (a container may start without binfmt_misc).
if [ "$what" = arm64 ] && ! arch-test arm64 >/dev/null 2>&1; then
	[ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
	update-binfmts --enable qemu-aarch64
	arch-test arm64 >/dev/null || { echo "deps: arm64 programs do not run here (binfmt_misc, qemu-user-static)" >&2; exit 1; }
	echo "deps: arm64 programs run under qemu-user"
fi

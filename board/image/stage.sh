#!/usr/bin/env bash
# board/image/stage.sh ROOTFS [OUT]: build the kiosk (Release) and install it into ROOTFS with its own
# install() rules (cmake --install, FHS: the binaries in /usr/bin, the content pack, fonts and prompts in
# /usr/share/spean, where the binaries look by themselves), with the boot-test unit. Next step: install
# the .debs (debian/build.sh) instead, with their units, user and udev rules.
#   /var/lib/spean                      the kiosk's data dir, provisioned for a throwaway test center
#   /usr/lib/spean/boot-check.sh + spean-boot-check.service  the test boot (tests/appliance/boot_test.sh)
#   /usr/lib/spean/baseline-sdl         the bare SDL2 program, for the boot-to-first-frame ratio
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rootfs=${1:?usage: stage.sh ROOTFS [OUT]}
out=${2:-$root/build-image}
rel=$out/release
cmake -S "$root" -B "$rel" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSPEAN_TESTS=OFF -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build "$rel" --target spean spean-center content_audio -j "$(nproc 2>/dev/null || echo 2)" >"$out/release.log" 2>&1 || {
	tail -30 "$out/release.log" >&2
	exit 1
}
# The bare SDL2 program the kiosk is measured against (tests/bench/baseline_sdl.c), for the baseline boot.
cc -O2 -o "$rel/baseline-sdl" "$root/tests/bench/baseline_sdl.c" $(pkg-config --cflags --libs sdl2 SDL2_ttf)
install -D -m 0755 "$rel/baseline-sdl" "$rootfs/usr/lib/spean/baseline-sdl"
# The project's own install rules (the same tree the packages ship).
rm -rf "$rootfs/usr/share/spean"
DESTDIR="$rootfs" cmake --install "$rel" >"$out/install.log" 2>&1 || {
	cat "$out/install.log" >&2
	exit 1
}

# A data dir provisioned for a test center made here (its secret key never enters the image).
center=$out/test-center
[ -f "$center/center.pub" ] || "$rel/sync/center/spean-center" init --data-dir "$center" >/dev/null
rm -rf "$rootfs/var/lib/spean"
"$rel/firmware/spean" --data-dir "$rootfs/var/lib/spean" provision --center-key "$center/center.pub" >/dev/null

install -D -m 0755 "$root/board/image/boot-check.sh" "$rootfs/usr/lib/spean/boot-check.sh"
install -D -m 0644 "$root/board/image/spean-boot-check.service" "$rootfs/etc/systemd/system/spean-boot-check.service"
ln -sf /etc/systemd/system/spean-boot-check.service "$rootfs/etc/systemd/system/multi-user.target.wants/spean-boot-check.service"
# The kiosk owns the screen: no login prompt on tty1 (the serial console is the test's).
ln -sf /dev/null "$rootfs/etc/systemd/system/getty@tty1.service"
ln -sf /dev/null "$rootfs/etc/systemd/system/serial-getty@ttyS0.service"
cat >"$rootfs/etc/fstab" <<'FSTAB'
# <file system>    <mount point> <type> <options>           <dump> <pass>
LABEL=spean-root   /             ext4   rw,noatime          0      1
tmpfs              /tmp          tmpfs  nosuid,nodev,mode=1777 0   0
FSTAB

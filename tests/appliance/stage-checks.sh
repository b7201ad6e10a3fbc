#!/usr/bin/env bash
# tests/appliance/stage-checks.sh ROOTFS OUT DEBS: the test layer on top of a device's root filesystem
# (board/image/build.sh --checks). A device's image never has it.
#   spean-center (its package)          the office side of the cable, in the same VM (the USB check)
#   /var/lib/spean-center               a throwaway test center; the kiosk is provisioned with its card
#   /usr/lib/spean/test/                check.sh and the checks (guest/*.sh), the uinput touch tool, the bare
#                                       SDL2 program (the baseline), the journey's taps (touch.replay)
#   spean-check.service                 runs the check the kernel command line names (spean.check=NAME)
#   /var/lib/spean-test                 the checks' own state across reboots (kiosk.stage, update.stage...),
#                                       like /var/lib/spean-center bound from the data partition (fstab)
#   GRUB's hook (grub-hook.cfg)         build.sh puts it into grub.cfg: the harness's kernel arguments
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
rootfs=${1:?usage: stage-checks.sh ROOTFS OUT DEBS} out=${2:?} debs=${3:?}
shopt -s nullglob
center=("$debs"/spean-center_*.deb)
[ ${#center[@]} = 1 ] || { echo "stage-checks.sh: no spean-center package in $debs" >&2; exit 1; }
cp "${center[0]}" "$rootfs/tmp/"
chroot "$rootfs" dpkg -i "/tmp/${center[0]##*/}" >"$out/dpkg-center.log" 2>&1 || { cat "$out/dpkg-center.log" >&2; exit 1; }
rm -f "$rootfs/tmp/${center[0]##*/}"
# The test center and the kiosk provisioned with its card, each as its own user (their units' users).
t=$rootfs/usr/lib/spean/test
mkdir -p "$t"
chroot --userspec=spean-center:spean-center "$rootfs" spean-center init --data-dir /var/lib/spean-center >/dev/null
install -m 0644 "$rootfs/var/lib/spean-center/center.pub" "$t/center.pub"
chroot --userspec=spean:spean "$rootfs" spean --data-dir /var/lib/spean provision \
	--center-key /usr/lib/spean/test/center.pub >/dev/null
install -m 0755 "$here/guest/check.sh" "$t/check.sh"
install -m 0644 "$here"/guest/*.sh "$here/power.facts" "$here/power.contact" "$t/"
chmod 0755 "$t/check.sh" "$t/hold-mark-good.sh"
mkdir -p "$rootfs/etc/systemd/system/spean-mark-good.service.d"
printf '[Service]\nExecStartPre=/usr/lib/spean/test/hold-mark-good.sh\n' \
	>"$rootfs/etc/systemd/system/spean-mark-good.service.d/test-hold.conf"
# The test programs for the image's architecture (another one's: its cross compiler, board/deps.sh arm64).
arch=$(chroot "$rootfs" dpkg --print-architecture)
cc=cc pkgconf=pkg-config
if [ "$arch" != "$(dpkg --print-architecture)" ]; then
	gnu=$(dpkg-architecture -a "$arch" -qDEB_HOST_GNU_TYPE 2>/dev/null)
	cc=$gnu-gcc pkgconf=$gnu-pkg-config
fi
"$cc" -O2 -Wall -Wextra -o "$t/touch" "$here/guest/touch.c"
"$cc" -O2 -Wall -Wextra -shared -fPIC -o "$t/segv.so" "$here/guest/segv.c"
"$cc" -O2 -o "$t/baseline-sdl" "$root/tests/bench/baseline_sdl.c" $("$pkgconf" --cflags --libs sdl2 SDL2_ttf)
# The root is read-only: the test center's state and the checks' own on the data partition.
mkdir -p "$rootfs/var/lib/spean-test"
cat >>"$rootfs/etc/fstab" <<'FSTAB'
/data/spean-center      /var/lib/spean-center none bind,x-systemd.requires=spean-data.service 0  0
/data/spean-test        /var/lib/spean-test none bind,x-systemd.requires=spean-data.service 0    0
FSTAB
install -m 0644 "$here/guest/spean-check.service" "$rootfs/etc/systemd/system/spean-check.service"
ln -sf /etc/systemd/system/spean-check.service "$rootfs/etc/systemd/system/multi-user.target.wants/spean-check.service"
# The ports the checks talk on (guest/check.sh): the serial console and the host's line.
case $arch in
amd64) ;;
arm64)
	printf 'console=ttyAMA0 ctl=hvc0\n' >"$t/ports"
	sed -i 's|^TTYPath=/dev/ttyS0$|TTYPath=/dev/ttyAMA0|' "$rootfs/etc/systemd/system/spean-check.service"
	;;
*) echo "stage-checks.sh: no serial ports known for $arch" >&2; exit 1 ;;
esac
# Where each tap of the journey lands on an 800x480 screen: the same replay, offscreen, the image's own
# binary and content (the image and the host are both Debian 12: its libraries are the host's; another
# architecture's binary runs under qemu-user with the image's own libraries: QEMU_LD_PREFIX).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -a "$rootfs/var/lib/spean" "$tmp/data"
QEMU_LD_PREFIX=$rootfs SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy SPEAN_SHARE_DIR="$rootfs/usr/share/spean" \
	"$rootfs/usr/bin/spean" --data-dir "$tmp/data" kiosk --size 800x480 --replay "$here/touch.replay" \
	--taps "$t/touch.taps" 2>"$tmp/replay.log" || { cat "$tmp/replay.log" >&2; exit 1; }
# The first boot's Continue: the same screen offscreen, a fresh data dir, a stick folder with the card.
mkdir -p "$tmp/fresh" "$tmp/stick/spean/provision"
cp "$t/center.pub" "$tmp/stick/spean/provision/center.pub"
QEMU_LD_PREFIX=$rootfs SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy SPEAN_SHARE_DIR="$rootfs/usr/share/spean" SPEAN_STICK_DIR="$tmp/stick" \
	"$rootfs/usr/bin/spean" --data-dir "$tmp/fresh" kiosk --size 800x480 --replay "$here/firstboot.replay" \
	--taps "$t/firstboot.taps" 2>"$tmp/replay.log" || { cat "$tmp/replay.log" >&2; exit 1; }
echo "stage-checks: test layer in $t ($(wc -l <"$t/touch.taps") taps for the journey by touch)"

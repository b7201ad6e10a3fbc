#!/usr/bin/env bash
# tests/appliance/update_test.sh [OUT]: the A/B update with RAUC on a real kernel (QEMU TCG, OVMF, GRUB from
# the disk's ESP; guest side: guest/update.sh). One disk, four boots (each reboot a cold start of QEMU on it):
#   A  the root read-only, the store on the data partition, a request stored, A marked good; a tampered
#      bundle refused; a bundle whose kiosk exits 1 (/usr/bin/spean replaced in a copy of the slot image)
#      installed into B
#   B  booted once: its kiosk stops at every start; spean-mark-good.service marks B bad and reboots
#   A  back by itself on the attract screen (a screendump equals the offscreen reference); the build's
#      bundle (board/image/build.sh: spean-update.raucb) installed into B
#   B  the kiosk draws, B marked good, the request still held
# The root slots' checksums at every boot: A never changes (it is the build's rootfs.ext4), B only by an
# install. Prints the figures (root size, bundle size, install time). Run as root.
set -euo pipefail
test_name=appliance_update
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
t=$(date +%s)
image_build "${1:-$spean_root/build-image}"
build_s=$(($(date +%s) - t))

# The broken bundle: the same slot image, its kiosk binary a script that exits 1 (debugfs: no mount).
printf '#!/bin/sh\nexit 1\n' >"$work/spean-broken"
cp --sparse=always "$out/rootfs.ext4" "$work/bad.ext4"
debugfs -w -f - "$work/bad.ext4" >"$work/debugfs.log" 2>&1 <<DEBUGFS
rm /usr/bin/spean
write $work/spean-broken /usr/bin/spean
sif /usr/bin/spean mode 0100755
sif /usr/bin/spean uid 0
sif /usr/bin/spean gid 0
DEBUGFS
debugfs -R 'cat /usr/bin/spean' "$work/bad.ext4" 2>/dev/null | grep -qx 'exit 1' || { cat "$work/debugfs.log" >&2; exit 1; }
mkdir -p "$work/stick"
bash "$spean_root/board/image/bundle.sh" "$work/bad.ext4" "$out/keys" broken "$work/stick/bad.raucb"
rm -f "$work/bad.ext4"
# The good one is the build's; a tampered copy has 16 bytes changed in the middle of its squashfs.
ln -f "$out/spean-update.raucb" "$work/stick/good.raucb" 2>/dev/null || cp "$out/spean-update.raucb" "$work/stick/good.raucb"
cp "$out/spean-update.raucb" "$work/stick/tampered.raucb"
size=$(stat -c %s "$out/spean-update.raucb")
printf 'SPEAN-TAMPERED!!' | dd of="$work/stick/tampered.raucb" bs=1 seek=$((size / 2)) conv=notrunc status=none
stick_mib=$(($(du -sm "$work/stick" | cut -f1) + 64))
mkfs.ext4 -q -F -L SPEANUSB -d "$work/stick" "$work/stick.img" "${stick_mib}M"
rm -rf "$work/stick"
sum_image=$(sha256sum "$out/rootfs.ext4" | cut -c1-16)

attract_ref

# The broken slot must be left because its kiosk stops at every start (mark-good.sh: 10 stops), long before
# the 900 s wait for a first frame would give up (the host waits 300 s for the next boot).
# Every reboot of the guest is a cold start of QEMU on the same disk (a copy that keeps its writes): warm
# resets of OVMF/GRUB under TCG hung twice here (lib.sh: vm_cycle).
vm_disk=$work/update.img vm_snapshot=off
cp --sparse=always "$out/disk.img" "$vm_disk"
vm_start update "spean.check=update spean.mark_good_wait=900" \
	-drive "file=$work/stick.img,if=virtio,format=raw,readonly=on" -no-reboot
sums() {
	local a b
	a=$(vm_value sum_a) b=$(vm_value sum_b)
	[ "$a" = "$sum_image" ] || { echo "$test_name: boot $1: slot A's sha256 $a, the image's $sum_image" >&2; exit 1; }
	[ -z "${2:-}" ] || [ "$b" = "$2" ] || { echo "$test_name: boot $1: slot B's sha256 $b, installed $2" >&2; exit 1; }
}
vm_wait 'boot ' 400
sums 1
vm_wait tampered
vm_wait 'installed ' 1200
bad_sum=$(vm_value sum_b)
vm_cycle
vm_wait 'boot ' 400
[ "$(vm_value slot)" = B ] || { echo "$test_name: after the install, slot $(vm_value slot) booted" >&2; exit 1; }
sums 2 "$bad_sum"
vm_wait broken 300
vm_cycle
vm_wait 'boot ' 300
[ "$(vm_value slot)" = A ] || { echo "$test_name: after the broken slot, slot $(vm_value slot) booted" >&2; exit 1; }
sums 3 "$bad_sum"
back_s=$vm_at
vm_wait fell_back
vm_wait 'ask screen'
vm_dump "$work/fallback.ppm"
python3 "$appliance_dir/imgdiff.py" "$work/fallback.ppm" "$work/attract.png"
vm_say go
vm_wait 'installed ' 1200
install_ms=$(vm_value install_ms) good_sum=$(vm_value sum_b)
vm_cycle
vm_wait 'boot ' 400
[ "$(vm_value slot)" = B ] || { echo "$test_name: after the good install, slot $(vm_value slot) booted" >&2; exit 1; }
sums 4 "$good_sum"
vm_wait updated
held=$(vm_value held)
vm_wait 'end ok'
vm_markers
vm_quit
rm -f "$vm_disk"

root_kib=$(du -sk "$out/rootfs" | cut -f1)
printf '%s: image build %d s\n' "$test_name" "$build_s"
printf '%s: root filesystem %d MiB used, slot image %d MiB (ext4, read-only, x2 slots); bundle %d MiB (plain, squashfs zstd, signed)\n' \
	"$test_name" "$((root_kib / 1024))" "$(($(stat -c %s "$out/rootfs.ext4") / 1048576))" "$((size / 1048576))"
printf '%s: install into the other slot %d s (from a virtio stick, TCG); the broken slot booted once, marked bad and left: slot A back on its attract screen %.0f s after QEMU started\n' \
	"$test_name" "$((install_ms / 1000))" "$back_s"
printf '%s: a tampered bundle refused; slot A unchanged across 4 boots (sha256 %s = the image); slot B as installed; %s request(s) held across the update\n' \
	"$test_name" "$sum_image" "$held"
echo "$test_name: PASS"

#!/usr/bin/env bash
# tests/appliance/arm64_test.sh [OUT]: the arm64 image (board/image/build.sh --checks --arch arm64: the same
# recipe, the kiosk's packages cross-built) on QEMU's aarch64 virt machine under TCG (a Cortex-A72, a
# Raspberry Pi 4's CPU; UEFI from AAVMF, GRUB's arm64 EFI picks the slot): the packaged kiosk reaches its
# attract screen on KMSDRM (virtio-gpu) and a QMP screendump equals the offscreen screenshot of the same screen
# (the image's own arm64 binary under qemu-user); then the journey tapped on a uinput touchscreen stores a
# request with nothing typed in the journal or on the disk, and the kiosk's idle CPU and memory. Part of the
# long command (tests/appliance/long.sh): the image takes about 20 minutes to build under qemu-user. Run as
# root; needs board/deps.sh arm64.
set -euo pipefail
test_name=appliance_arm64
image_arch=arm64
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
vm_timeout=${SPEAN_BOOT_TIMEOUT:-1200}
t=$(date +%s)
image_build "${1:-$spean_root/build-image-arm64}"
build_s=$(($(date +%s) - t))

attract_ref
vm_start kiosk "spean.check=kiosk"
kiosk_attract
vm_say go
vm_wait 'touch ' 900
taps=$(vm_value taps)
vm_wait privacy
vm_wait 'idle ' 300
idle_ns=$(vm_value cpu_ns) idle_s=$(vm_value seconds) idle_w=$(vm_value wakeups)
vm_wait memory
rss=$(vm_value rss_kib) threads=$(vm_value threads)
vm_markers
vm_quit

printf '%s: image build %d s (arm64, qemu-user)\n' "$test_name" "$build_s"
printf '%s: boot to first frame on aarch64 TCG: %.1f s from QEMU start, guest uptime %s ms (unit spawned at %s ms)\n' \
	"$test_name" "$qemu_ff" "$ff" "$spawn"
printf '%s: attract screen on KMSDRM equals the offscreen one; journey by touch: %s taps, one request stored, nothing typed in the journal or on the disk\n' \
	"$test_name" "$taps"
printf '%s: idle over %s s: CPU %s ms, %s wakeups; memory: resident %s KiB, %s threads\n' "$test_name" "$idle_s" "$((idle_ns / 1000000))" "$idle_w" "$rss" "$threads"
echo "$test_name: PASS"

#!/usr/bin/env bash
# tests/appliance/firstboot_test.sh [OUT]: a device's first boot without a keyboard, on a real kernel
# (guest/firstboot.sh): the packaged kiosk with an empty store shows the setup screen; a USB stick (FAT,
# spean/provision/ with the test center's card and settings) plugged in through QMP is mounted by udev and
# spean-stick@.service read-only, nosuid, nodev, noexec; the kiosk takes it and says so on screen; a touch
# on Continue shows its identity QR, which zbarimg reads from the screendump: 'spean identity' of the VM.
# Run as root. Needs mkfs.vfat, mcopy (dosfstools, mtools) and zbarimg (zbar-tools).
set -euo pipefail
test_name=appliance_firstboot
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
image_build "${1:-$spean_root/build-image}"
# The center's stick: a FAT file system as sticks come, made without mounting it.
stick=$work/stick.img
rm -f "$stick"
truncate -s 32M "$stick"
mkfs.vfat -n SPEAN "$stick" >/dev/null
printf 'center_url = https://trogiup.example.vn/\nprinter = usb\npaper = 80\n' >"$work/settings"
mmd -i "$stick" ::spean ::spean/provision
mcopy -i "$stick" "$out/rootfs/usr/lib/spean/test/center.pub" ::spean/provision/center.pub
mcopy -i "$stick" "$work/settings" ::spean/provision/settings
vm_start firstboot "spean.check=firstboot" -device qemu-xhci,id=xhci -drive "if=none,id=stick,format=raw,file=$stick,readonly=on"
vm_wait 'ask setup' 300
vm_dump "$work/setup.ppm"
python3 "$appliance_dir/vm.py" qmp "$qmp" device_add '{"driver": "usb-storage", "bus": "xhci.0", "drive": "stick", "id": "stick0"}' >/dev/null
t0=$(date +%s.%N)
vm_say go
vm_wait provisioned 180
took=$(echo "$(date +%s.%N) - $t0" | bc)
identity=$(vm_value identity) opts=$(vm_value mount_opts)
[ "$opts" = 4/4 ] || { echo "$test_name: the stick is not mounted ro,nosuid,nodev,noexec ($opts)" >&2; exit 1; }
vm_wait 'ask provisioned'
vm_dump "$work/provisioned.ppm"
vm_say go
vm_wait 'ask identity' 120
vm_dump "$work/identity.ppm"
vm_say go
vm_wait 'end ok'
vm_markers
vm_quit
qr=$(zbarimg -q --raw "$work/identity.ppm" 2>/dev/null || true)
[ -n "$identity" ] && [ "$qr" = "$identity" ] || { echo "$test_name: the QR on screen reads '$qr', the kiosk's identity is '$identity'" >&2; exit 1; }
printf '%s: the stick taken %.1f s after it was plugged in (udev, mount, the kiosk'"'"'s once-a-second look); identity QR on KMSDRM = spean identity (%s...)\n' \
	"$test_name" "$took" "${identity:0:16}"
echo "$test_name: PASS"

#!/usr/bin/env bash
# tests/appliance/usb_test.sh [OUT]: the USB cable and the receipt printer on the real kernel's gadget stack
# (dummy_hcd, FunctionFS, usb_f_printer, usblp, usbfs), in one boot of the test image (guest side:
# guest/usb.sh). The kiosk runs as a device runs it (spean-kiosk.service, user spean); dummy_hcd is loaded
# after boot and the packaged units set the cable up by themselves (udev -> spean-usb-gadget.service ->
# the kiosk restarted -> spean-usb-bind.service).
#   cable     1,000 requests held by the kiosk; spean-center usb (user spean-center) on the host side of
#             dummy_hcd receives each exactly once (the center's count and its export's ids), the kiosk's
#             status says delivered; the throughput through the real kernel
#   printer   usb_f_printer on the second UDC, bound by usblp; a journey tapped on the uinput touchscreen
#             prints its receipt through /dev/usb/lp0, another through libusb (usblp detached); the bytes
#             /dev/g_printer0 read decode (ESC/POS raster) to an image whose QR zbarimg reads as the id of
#             the request that journey stored
# Prints the figures. Run as root; needs zbarimg and spean-escpos-pbm ($ESCPOS_PBM, default: the build
# dir's, next to OUT).
set -euo pipefail
test_name=appliance_usb
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
image_build "${1:-$spean_root/build-image}"
escpos=${ESCPOS_PBM:-$out/../ui/print/spean-escpos-pbm}
[ -x "$escpos" ] || { echo "$test_name: no spean-escpos-pbm at $escpos (set ESCPOS_PBM)" >&2; exit 1; }
command -v zbarimg >/dev/null || { echo "$test_name: needs zbarimg (zbar-tools)" >&2; exit 1; }

# The kiosk's 1,000 requests, made by its own binary and command ('spean requests add') on a copy of the
# image's kiosk data dir (the same keys), natively: in TCG each add takes about 0.3 s (5 minutes for all).
# The guest puts the store in place (a tar, through QEMU's fw_cfg) before the cable comes.
n=${SPEAN_USB_REQUESTS:-1000}
rm -rf "$work/kiosk-data" && cp -a "$out/rootfs/var/lib/spean" "$work/kiosk-data"
printf 'request_date = 2026-05-20\nbirth_date = 1960-06-06\nhousehold = poor\n' >"$work/f.txt"
printf 'name = Thạch Thị Mẫu\ncommune_code = 90032\nconsent = yes\n' >"$work/c.txt"
t=$(date +%s%N)
for _ in $(seq "$n"); do
	SPEAN_SHARE_DIR="$out/rootfs/usr/share/spean" "$out/rootfs/usr/bin/spean" --data-dir "$work/kiosk-data" requests add \
		--facts "$work/f.txt" --contact "$work/c.txt" >/dev/null
done
host_ms=$((($(date +%s%N) - t) / 1000000))
rm -f "$work/kiosk-data"/*-wal "$work/kiosk-data"/*-shm
tar -C "$work/kiosk-data" -cf "$work/requests.tar" .
# fw_cfg, not a second disk: an extra virtio disk can take /dev/vda from the root.
vm_start usb "spean.check=usb spean.requests=$n" -fw_cfg "name=opt/spean/requests,file=$work/requests.tar"
vm_wait requests 900
store_kib=$(vm_value store_kib)
[ "$(vm_value made)" = "$n" ] && [ "$(vm_value held)" = "$n" ] || { echo "$test_name: $vm_line" >&2; exit 1; }
vm_wait bound 200
echo "$test_name: $vm_line"
vm_wait 'cable ' 900
ms=$(vm_value ms) bin=$(vm_value bytes_in) bout=$(vm_value bytes_out) chunks=$(vm_value chunks)
vm_wait delivered 300
echo "$test_name: $vm_line"
vm_wait printer 120
echo "$test_name: $vm_line"

# receipt NAME: the bytes the gadget read (base64 on the serial log), checked whole, decoded, the QR read.
receipt() {
	local name=$1 want_n want_sum
	vm_wait "bytes name=$name" 300
	want_n=$(vm_value n) want_sum=$(vm_value sha256)
	vm_wait "receipt name=$name" 120
	id=$(vm_value id) print_ms=$(vm_value print_ms) lp0=$(vm_value lp0)
	tr -d '\r' <"$serial" | sed -n "s/^SPEAN-B64 $name //p" | base64 -d >"$work/$name.bin"
	[ "$(stat -c %s "$work/$name.bin")" = "$want_n" ] && [ "$(sha256sum "$work/$name.bin" | cut -c1-64)" = "$want_sum" ] ||
		{ echo "$test_name: $name: the receipt's bytes did not come through the serial log whole" >&2; exit 1; }
	"$escpos" "$work/$name.bin" "$work/$name.pbm" >"$work/$name.decode" ||
		{ echo "$test_name: $name: $want_n bytes from /dev/g_printer0 are not an ESC/POS receipt" >&2; exit 1; }
	grep -q '384 x' "$work/$name.decode" || { echo "$test_name: $name: not 58 mm: $(cat "$work/$name.decode")" >&2; exit 1; }
	qr=$(zbarimg --raw -q "$work/$name.pbm") || { echo "$test_name: $name: no QR code on the receipt" >&2; exit 1; }
	[ "$qr" = "$id" ] || { echo "$test_name: $name: the QR says '$qr', the request stored is '$id'" >&2; exit 1; }
	printf '%s: receipt through %s: %s bytes, %s, QR = the stored request %s; last byte at the printer %s ms after the request was seen stored; usblp then %s\n' \
		"$test_name" "$name" "$want_n" "$(head -1 "$work/$name.decode")" "$id" "$print_ms" "$lp0"
}
receipt lp0
[ "$lp0" = bound ] || { echo "$test_name: lp0: usblp is not bound after printing through it" >&2; exit 1; }
receipt libusb
[ "$lp0" = detached ] || { echo "$test_name: libusb: usblp was not detached" >&2; exit 1; }
vm_wait 'end ok' 120
vm_markers | grep -v ' bytes name=' || true
vm_quit

total=$((bin + bout))
printf '%s: %s requests made by spean requests add (natively) in %.1f s; the kiosk holds them (store %s KiB)\n' "$test_name" "$n" "$(echo "$host_ms / 1000" | bc -l)" "$store_kib"
printf '%s: cable through the real kernel (dummy_hcd, FunctionFS, usbfs; QEMU TCG): %s requests in %.1f s = %.0f requests/s; %s bytes to the center, %s back (%s chunks) = %.2f MB/s\n' \
	"$test_name" "$n" "$(echo "$ms / 1000" | bc -l)" "$(echo "$n * 1000 / $ms" | bc -l)" "$bin" "$bout" "$chunks" \
	"$(echo "$total * 1000 / $ms / 1000000" | bc -l)"
echo "$test_name: PASS"

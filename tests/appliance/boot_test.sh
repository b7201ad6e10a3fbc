#!/usr/bin/env bash
# tests/appliance/boot_test.sh [OUT]: build the amd64 image (cached base, board/image/build.sh) and boot it in
# QEMU (TCG) with virtio-gpu at 800x480, a virtio tablet, the serial console in OUT/boot/serial.log and QMP
# on a unix socket. The guest's spean-boot-check unit starts the kiosk on KMSDRM and prints markers; this
# script waits for the end marker, dumps the screen through QMP and compares it with the kiosk's own
# offscreen screenshot of the attract screen (tests/appliance/imgdiff.py). Prints boot-to-first-frame.
# Run as root (the image build needs it). SPEAN_BOOT_APPEND adds kernel arguments (e.g. spean.env=K=V).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:-$root/build-image}
timeout_s=${SPEAN_BOOT_TIMEOUT:-300}
t_build=$(date +%s.%N)
bash "$root/board/image/build.sh" "$out"
t_build_end=$(date +%s.%N)
out=$(cd "$out" && pwd)
work=$out/boot
rm -rf "$work"
mkdir -p "$work"

# The reference: the same binary, content, fonts and data dir, drawn by SDL's offscreen driver.
cp -a "$out/rootfs/var/lib/spean" "$work/ref-data"
printf 'shot attract\n' >"$work/attract.replay"
SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy SPEAN_SHARE_DIR="$out/rootfs/usr/share/spean" \
	"$out/rootfs/usr/bin/spean" --data-dir "$work/ref-data" kiosk --size 800x480 --replay "$work/attract.replay" \
	--shots "$work" 2>"$work/ref.log" || {
	cat "$work/ref.log" >&2
	exit 1
}

qmp=$work/qmp.sock
cleanup() { [ -z "${qemu:-}" ] || kill "$qemu" 2>/dev/null || true; }
trap cleanup EXIT
# boot NAME KERNEL-ARGS: boot until the guest's end marker, dump the screen to $work/NAME.ppm and power off.
# Sets t_ff (seconds from QEMU's start to the first_frame marker) and serial.
boot() {
	serial=$work/$1-serial.log
	: >"$serial"
	rm -f "$qmp"
	local t0 now
	t0=$(date +%s.%N)
	qemu-system-x86_64 -machine q35 -accel tcg -cpu max -smp 2 -m 1024 -nodefaults -no-user-config \
		-kernel "$out/vmlinuz" -initrd "$out/initrd.img" \
		-append "root=/dev/vda rw console=ttyS0 quiet loglevel=3 systemd.show_status=0 $2 ${SPEAN_BOOT_APPEND:-}" \
		-drive "file=$out/rootfs.ext4,if=virtio,format=raw,snapshot=on" \
		-device virtio-gpu-pci,xres=800,yres=480 -device virtio-tablet-pci -display none \
		-serial "file:$serial" -qmp "unix:$qmp,server=on,wait=off" -nic none &
	qemu=$!
	t_ff=
	while :; do
		now=$(date +%s.%N)
		if [ -z "$t_ff" ] && grep -q '^SPEAN-BOOT first_frame' "$serial"; then t_ff=$(echo "$now - $t0" | bc); fi
		grep -q '^SPEAN-BOOT end' "$serial" && break
		if ! kill -0 "$qemu" 2>/dev/null; then
			echo "boot_test: $1: QEMU stopped before the end marker" >&2
			cat "$serial" >&2
			exit 1
		fi
		if [ "$(echo "$now - $t0 > $timeout_s" | bc)" = 1 ]; then
			echo "boot_test: $1: no end marker after ${timeout_s} s" >&2
			tail -40 "$serial" >&2
			exit 1
		fi
		sleep 0.2
	done
	grep -a '^SPEAN-BOOT\|level=\|^spean\|^baseline' "$serial" | grep -v font_opened | sed "s/^/$1: /" | tr -d '\r'
	if ! grep -q '^SPEAN-BOOT end ok' "$serial"; then
		echo "boot_test: FAIL ($1: the guest's end marker)" >&2
		exit 1
	fi
	python3 - "$qmp" "$work/$1.ppm" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rw")
def cmd(c, **a):
    f.write(json.dumps({"execute": c, "arguments": a} if a else {"execute": c}) + "\n"); f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r or "error" in r:
            if "error" in r:
                sys.exit(f"qmp {c}: {r['error']}")
            return r
json.loads(f.readline())
cmd("qmp_capabilities")
cmd("screendump", filename=sys.argv[2])
cmd("quit")
PY
	wait "$qemu" 2>/dev/null || true
	qemu=
}
marker() { sed -n "s/^SPEAN-BOOT $1 uptime_ms=\([0-9]*\).*/\1/p" "$serial" | tr -d '\r'; }

boot kiosk ""
kiosk_t=$t_ff kiosk_unit=$(marker unit_start) kiosk_spawn=$(marker spawn) kiosk_ff=$(marker first_frame)
kiosk_own=$(sed -n 's/.*stage=first_frame ms=\([0-9.]*\).*/\1/p' "$serial" | tr -d '\r')
python3 "$root/tests/appliance/imgdiff.py" "$work/kiosk.ppm" "$work/attract.png"
[ -n "${SPEAN_BOOT_NO_BASELINE:-}" ] || {
	boot baseline spean.check=baseline
	base_t=$t_ff base_spawn=$(marker spawn) base_ff=$(marker first_frame)
}
trap - EXIT
printf 'boot_test: image build %.1f s\n' "$(echo "$t_build_end - $t_build" | bc)"
printf 'boot_test: kiosk: QEMU start to first frame %.1f s; guest uptime at first frame %s ms (test unit started %s ms, kiosk spawned %s ms: its share %s ms, %s ms by its own clock)\n' \
	"$kiosk_t" "$kiosk_ff" "$kiosk_unit" "$kiosk_spawn" "$((kiosk_ff - kiosk_spawn))" "$kiosk_own"
if [ -n "${base_ff:-}" ]; then
	printf 'boot_test: baseline-sdl: QEMU start to first frame %.1f s; guest uptime at first frame %s ms (spawned %s ms: its share %s ms)\n' \
		"$base_t" "$base_ff" "$base_spawn" "$((base_ff - base_spawn))"
	printf 'boot_test: ratio kiosk/baseline: boot to first frame %.2f, process start to first frame %.2f\n' \
		"$(echo "$kiosk_ff / $base_ff" | bc -l)" "$(echo "($kiosk_ff - $kiosk_spawn) / ($base_ff - $base_spawn)" | bc -l)"
fi
echo "boot_test: PASS"

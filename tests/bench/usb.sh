#!/usr/bin/env bash
# tests/bench/usb.sh [--quick]: the USB cable's figures over the virtual cable (spean-vcable: the kiosk's
# FunctionFS side on FIFOs, the office's real libusb under umockdev), each against the same work over
# loopback HTTPS in the same run:
#   raw throughput kiosk -> office: 4 MiB messages through the cable transport alone (goal >= 8 MB/s)
#     vs the same bytes POSTed over loopback HTTPS;
#   N requests kiosk -> center (the whole `spean sync --usb`, process start to end);
#   a content pack of ~8 MiB center -> kiosk (the bulk path: what photos and packs need), in MB/s.
# The virtual cable measures Spean's own cost per byte (framing, CRC32, threads, copies) plus umockdev's
# socket per URB; it says nothing of a real controller. The README's paper estimate for a real USB 2.0
# link rests on these figures and on usb.md's measured gadget speeds.
# Release build in build-bench/ (BENCH_BUILD_DIR overrides); output kept in <build>/usb-bench.txt.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
n=1000 wavs=32 mib=64
[ "${1:-}" = --quick ] && n=200 wavs=8 mib=16
bench_build usbbench spean spean-center spean-syncbench spean-vcable spean-usbraw
sb=$build/tests/bench/spean-syncbench vcable=$build/tests/sync/spean-vcable raw=$build/tests/bench/spean-usbraw
bench_report usb $([ "$n" = 1000 ] && echo 1 || echo 0)

# Two identical worlds: one syncs by cable, the other over loopback HTTPS.
bench_world "$n"
cp -a "$C" "$tmp/hc" && cp -a "$K" "$tmp/hk"

wait_ep0() { for _ in $(seq 100); do [ -e "$tmp/ffs/ep0" ] && return; sleep 0.05; done; }
# sync_cable DATA CENTER: one `spean sync --usb` against `spean-center usb` on the virtual cable; prints ms.
sync_cable() {
	rm -rf "$tmp/ffs" && mkdir "$tmp/ffs"
	"$vcable" --ffs "$tmp/ffs" -- "$center" usb --data-dir "$2" >"$tmp/cable.out" 2>"$tmp/cable.err" &
	local vc=$!
	pids+=("$vc")
	wait_ep0
	local t0 t1
	t0=$(ms)
	"$spean" --data-dir "$1" sync --usb "$tmp/ffs" --wait 30 >"$tmp/sync.out" 2>"$tmp/sync.err"
	t1=$(ms)
	kill "$vc" 2>/dev/null || true
	wait "$vc" 2>/dev/null || true
	echo $((t1 - t0))
}
sync_https() {
	serve "$2"
	local sp=${pids[-1]} t0 t1
	t0=$(ms)
	"$spean" --data-dir "$1" sync --url "https://127.0.0.1:$port" >"$tmp/sync.out" 2>"$tmp/sync.err"
	t1=$(ms)
	kill "$sp" 2>/dev/null || true
	wait "$sp" 2>/dev/null || true
	echo $((t1 - t0))
}

# Raw: the cable transport alone, then the same bytes as HTTPS POSTs (refused by the center too).
rm -rf "$tmp/ffs" && mkdir "$tmp/ffs"
"$vcable" --ffs "$tmp/ffs" -- "$center" usb --data-dir "$C" >"$tmp/cable.out" 2>"$tmp/cable.err" &
vc=$!
pids+=("$vc")
wait_ep0
read -r raw_bytes raw_ms raw_cpu < <("$raw" "$tmp/ffs" "$mib")
kill "$vc" 2>/dev/null || true
wait "$vc" 2>/dev/null || true
serve "$tmp/hc"
sp=${pids[-1]}
head -c $((4 << 20)) /dev/urandom >"$tmp/4m.bin"
b0=$(ms)
for _ in $(seq $((mib / 4))); do curl -sk -o /dev/null -X POST --data-binary @"$tmp/4m.bin" "https://127.0.0.1:$port/v1/sync" || true; done
b1=$(ms)
kill "$sp" 2>/dev/null || true
wait "$sp" 2>/dev/null || true
raw_mbs=$(awk -v b="$raw_bytes" -v t="$raw_ms" 'BEGIN { printf "%.1f", b / 1048576 / (t / 1000) }')
https_raw=$(awk -v b="$raw_bytes" -v t="$((b1 - b0))" 'BEGIN { printf "%.1f", b / 1048576 / (t / 1000) }')
row "raw kiosk -> office, $mib MiB in 4 MiB messages" "$raw_mbs MB/s" ">= 8 MB/s" "$(at_least "$raw_mbs" 8)" \
	"the same bytes as HTTPS POSTs on loopback: $https_raw MB/s"
cpu_mbs=$(awk -v b="$raw_bytes" -v t="$raw_cpu" 'BEGIN { printf "%.0f", b / 1048576 / ((t > 0 ? t : 1) / 1000) }')
row "kiosk side's own CPU for those bytes" "$raw_cpu ms" "-" "INFO" \
	"= $cpu_mbs MB/s of one core: the rest of the wall time is the mock (umockdev's socket per URB)"

cable_ms=$(sync_cable "$K" "$C")
grep -q "^$n delivered, 0 held" "$tmp/sync.out" || { echo "cable sync: $(cat "$tmp/sync.out" "$tmp/sync.err")" >&2; exit 1; }
https_ms=$(sync_https "$tmp/hk" "$tmp/hc")
grep -q "^$n delivered, 0 held" "$tmp/sync.out" || { echo "https sync: $(cat "$tmp/sync.out" "$tmp/sync.err")" >&2; exit 1; }
row "sync $n requests over the virtual cable" "$cable_ms ms" "-" "INFO" \
	"loopback HTTPS: $https_ms ms ($(awk -v a="$cable_ms" -v b="$https_ms" 'BEGIN { printf "%.2fx", a / b }'))"

# A content pack with $wavs Khmer recordings of 256 KiB each (WAV headers, noise as samples).
P=$tmp/pack
cp -a "$root/firmware/content/kiosk" "$P"
mkdir -p "$P/audio/km"
for key in $(grep -o '^[a-z0-9_.]*' "$root/firmware/content/kiosk/audio.keys" | head -"$wavs"); do
	{ printf 'RIFF'; printf '\x24\x00\x04\x00'; printf 'WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80\x3e\x00\x00\x00\x7d\x00\x00\x02\x00\x10\x00data\x00\x00\x04\x00'; head -c 262144 /dev/urandom; } >"$P/audio/km/$key.wav"
done
for c in "$C" "$tmp/hc"; do "$center" pack --data-dir "$c" --version 9 --content "$P" >/dev/null; done
pack_bytes=$(stat -c %s "$C/content.pack")
cable_ms=$(sync_cable "$K" "$C")
grep -q "content pack 9 installed" "$tmp/sync.out" || { echo "cable pack: $(cat "$tmp/sync.out" "$tmp/sync.err")" >&2; exit 1; }
https_ms=$(sync_https "$tmp/hk" "$tmp/hc")
grep -q "content pack 9 installed" "$tmp/sync.out" || { echo "https pack: $(cat "$tmp/sync.out" "$tmp/sync.err")" >&2; exit 1; }
mbs() { awk -v b="$1" -v t="$2" 'BEGIN { printf "%.1f", b / 1048576 / (t / 1000) }'; }
cable_mbs=$(mbs "$pack_bytes" "$cable_ms") https_mbs=$(mbs "$pack_bytes" "$https_ms")
row "content pack $((pack_bytes / 1024)) KiB over the virtual cable" "$cable_mbs MB/s" "-" "INFO" \
	"loopback HTTPS: $https_mbs MB/s; both include verifying and installing the pack"
echo "  (virtual cable: the kiosk's real FunctionFS code on FIFOs and the center's real libusb on umockdev;"
echo "   a real link adds the controller's limit: see the README's USB 2.0 estimate)"

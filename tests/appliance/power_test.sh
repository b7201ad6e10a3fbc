#!/usr/bin/env bash
# tests/appliance/power_test.sh [OUT] [CUTS]: power cuts on a real kernel. The test image (a copy that keeps
# its writes) boots CUTS times (default 20, $SPEAN_POWER_CUTS) with guest/power.sh adding requests as the
# kiosk's user; each time QEMU is killed (SIGKILL: the guest's memory and page cache lost at once) at a
# random moment while requests are being added. Each boot first checks the store the last cut left
# ('spean check'). Then a clean boot counts them and powers off, and on the host: the filesystem is clean
# (e2fsck -fn), and spean-powercut --verify checks the store copied out of the image (debugfs): integrity,
# every request acknowledged before a cut present exactly once, each one whole and opening with the
# center's key, nothing personal in the data dir in clear. SIGKILL models lost memory, not a storage card
# dropping its write cache: that (dm-log-writes) is the longer command's.
# Needs $SPEAN_POWERCUT (tests/integration's spean-powercut; CTest sets it). Run as root.
set -euo pipefail
test_name=appliance_power
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${SPEAN_POWERCUT:?the path of spean-powercut (tests/integration)}"
cuts=${2:-${SPEAN_POWER_CUTS:-20}}
image_build "${1:-$spean_root/build-image}"
vm_disk=$work/power.img vm_snapshot=off
cp --sparse=always "$out/rootfs.ext4" "$vm_disk"
seed=${SPEAN_POWER_SEED:-$(date +%s)}
RANDOM=$seed
: >"$work/acked"
echo "$test_name: $cuts cuts, seed $seed"
t0=$(date +%s)
for i in $(seq "$cuts"); do
	vm_start "cut$i" "spean.check=power systemd.mask=spean-kiosk.service"
	vm_wait 'store ok' 240
	held=$(vm_value held)
	vm_wait 'ack ' 120
	# Somewhere in the next 0..3 s of adding (an add takes a fraction of a second under TCG).
	sleep "$((RANDOM % 3)).$((RANDOM % 1000))"
	vm_kill
	n=$(tr -d '\r' <"$serial" | grep -ac '^SPEAN-BOOT ack ' || true)
	tr -d '\r' <"$serial" | sed -n 's/^SPEAN-BOOT ack \([0-9a-f]\{32\}\)$/\1/p' >>"$work/acked"
	echo "$test_name: cut $i: held $held at boot, $n acknowledged before the cut"
done
vm_start final "spean.check=power spean.power=final systemd.mask=spean-kiosk.service"
vm_wait 'store ok' 240
held=$(vm_value held)
vm_wait 'end ok'
# It powers itself off.
for _ in $(seq 300); do kill -0 "$qemu" 2>/dev/null || break; sleep 0.2; done
vm_kill
acked=$(wc -l <"$work/acked")
echo "$test_name: after $cuts cuts: $acked acknowledged, $held held ($((held - acked)) stored as the cut came, never acknowledged)"
# The filesystem as the last clean shutdown left it, and the store copied out without mounting.
e2fsck -fn "$vm_disk" >"$work/e2fsck.log" 2>&1 || { cat "$work/e2fsck.log" >&2; echo "$test_name: FAIL: e2fsck" >&2; exit 1; }
rm -rf "$work/extract" && mkdir -p "$work/extract"
debugfs -R "rdump /var/lib/spean /var/lib/spean-center $work/extract" "$vm_disk" >"$work/debugfs.log" 2>&1
[ -f "$work/extract/spean/spean.db" ] || { cat "$work/debugfs.log" >&2; echo "$test_name: FAIL: no store in the image" >&2; exit 1; }
"$SPEAN_POWERCUT" --verify "$work/extract/spean" --center "$work/extract/spean-center" --acked "$work/acked"
echo "$test_name: $cuts cuts in $(($(date +%s) - t0)) s"
echo "$test_name: PASS"

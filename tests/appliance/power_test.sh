#!/usr/bin/env bash
# tests/appliance/power_test.sh [OUT] [CUTS]: power cuts on a real kernel. The test image (a copy that keeps
# its writes) boots CUTS times (default 20, $SPEAN_POWER_CUTS) with guest/power.sh adding requests as the
# kiosk's user; each time QEMU is killed (SIGKILL: the guest's memory and page cache lost at once) at a
# random moment while requests are being added. Each boot first checks the store the last cut left
# ('spean check'). Then a clean boot counts them and powers off, and on the host: the data partition's
# filesystem is clean (e2fsck -fn), the root slot A is byte for byte the image's (it is mounted read-only),
# and spean-powercut --verify checks the store copied out of the data partition (debugfs): integrity,
# every request acknowledged before a cut present exactly once, each one whole and opening with the
# center's key, nothing personal in the data dir in clear. SIGKILL models lost memory, not a storage card
# dropping its write cache: with SPEAN_POWER_LOGWRITES=1 (long.sh) every write of each life is also logged
# (QEMU's blklogwrites, the dm-log-writes format) and replayed onto the data partition as the life found it,
# at SPEAN_REPLAY_POINTS (2) flush points of the life and at its end (logreplay.py); each point is checked as
# a card that dropped its cache there would leave it (replaycheck.sh: the boot's fsck, then the store against
# the acks that point itself holds).
# Needs $SPEAN_POWERCUT (tests/integration's spean-powercut; CTest sets it). Run as root.
set -euo pipefail
test_name=appliance_power
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
: "${SPEAN_POWERCUT:?the path of spean-powercut (tests/integration)}"
cuts=${2:-${SPEAN_POWER_CUTS:-20}}
image_build "${1:-$spean_root/build-image}"
vm_disk=$work/power.img vm_snapshot=off
cp --sparse=always "$out/disk.img" "$vm_disk"
# A partition of the disk by its GPT name: part_range NAME prints its bytes as OFFSET:SIZE (logreplay.py's
# --region), part NAME FILE copies them to a file.
part_range() {
	sfdisk --json "$vm_disk" | python3 -c '
import json, sys
p = next(p for p in json.load(sys.stdin)["partitiontable"]["partitions"] if p.get("name") == sys.argv[1])
print("%d:%d" % (p["start"] * 512, p["size"] * 512))' "$1"
}
part() {
	local r
	r=$(part_range "$1")
	dd if="$vm_disk" of="$2" bs=1M iflag=skip_bytes,count_bytes skip="${r%:*}" count="${r#*:}" status=none
}
slot_size=$(stat -c %s "$out/rootfs.ext4")
slot_sum() { part spean-a "$work/slot-a.img" && head -c "$slot_size" "$work/slot-a.img" | sha256sum | cut -c1-64; }
sum0=$(sha256sum <"$out/rootfs.ext4" | cut -c1-64)
logwrites=${SPEAN_POWER_LOGWRITES:-}
if [ -n "$logwrites" ]; then
	# The data partition's bytes on the disk (the log's offsets are the disk's).
	region=$(part_range spean-data)
	replayed=0
fi
seed=${SPEAN_POWER_SEED:-$(date +%s)}
RANDOM=$seed
: >"$work/acked"
echo "$test_name: $cuts cuts, seed $seed"
t0=$(date +%s)
for i in $(seq "$cuts"); do
	if [ -n "$logwrites" ]; then
		part spean-data "$work/life-base.img"
		: >"$work/life.log"
		vm_logwrites=$work/life.log
	fi
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
	if [ -n "$logwrites" ]; then
		REPLAY_WORK=$work/replaycheck python3 "$appliance_dir/logreplay.py" "$work/life.log" "$work/life-base.img" \
			"$work/life-replay.img" --region "$region" --points "${SPEAN_REPLAY_POINTS:-2}" \
			--check bash "$appliance_dir/replaycheck.sh" >"$work/replay.log" 2>&1 ||
			{ cat "$work/replay.log" >&2; echo "$test_name: FAIL: the write-log replay of life $i" >&2; exit 1; }
		grep '^replaycheck: \|entries (sector' "$work/replay.log" | sed "s/^/$test_name: life $i: /"
		replayed=$((replayed + $(grep -c '^replaycheck: ' "$work/replay.log")))
	fi
done
vm_logwrites=
vm_start final "spean.check=power spean.power=final systemd.mask=spean-kiosk.service"
vm_wait 'store ok' 240
held=$(vm_value held)
vm_wait 'end ok'
# It powers itself off.
for _ in $(seq 300); do kill -0 "$qemu" 2>/dev/null || break; sleep 0.2; done
vm_kill
acked=$(wc -l <"$work/acked")
echo "$test_name: after $cuts cuts: $acked acknowledged, $held held ($((held - acked)) stored as the cut came, never acknowledged)"
# The root untouched; the data partition's filesystem as the last clean shutdown left it; the store copied
# out without mounting.
[ "$(slot_sum)" = "$sum0" ] || { echo "$test_name: FAIL: root slot A changed" >&2; exit 1; }
part spean-data "$work/data.ext4"
e2fsck -fn "$work/data.ext4" >"$work/e2fsck.log" 2>&1 || { cat "$work/e2fsck.log" >&2; echo "$test_name: FAIL: e2fsck of the data partition" >&2; exit 1; }
rm -rf "$work/extract" && mkdir -p "$work/extract"
debugfs -R "rdump /spean /spean-center $work/extract" "$work/data.ext4" >"$work/debugfs.log" 2>&1
[ -f "$work/extract/spean/spean.db" ] || { cat "$work/debugfs.log" >&2; echo "$test_name: FAIL: no store in the image" >&2; exit 1; }
"$SPEAN_POWERCUT" --verify "$work/extract/spean" --center "$work/extract/spean-center" --acked "$work/acked"
rm -f "$work/slot-a.img" "$work/data.ext4"
echo "$test_name: $cuts cuts in $(($(date +%s) - t0)) s; the data partition clean (e2fsck -fn), root slot A unchanged (sha256 ${sum0:0:16})"
[ -z "$logwrites" ] || echo "$test_name: the write logs replayed: $replayed flush points checked, each as a card that dropped its cache there would leave the data partition"
rm -f "$work/life-base.img" "$work/life-replay.img" "$work/life.log"
echo "$test_name: PASS"

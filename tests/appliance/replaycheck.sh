#!/usr/bin/env bash
# tests/appliance/replaycheck.sh IMAGE POINT ENTRY: logreplay.py's --check for the data partition (long.sh,
# power_test.sh with SPEAN_POWER_LOGWRITES=1). IMAGE is the data partition as a card that dropped its write
# cache at that flush would hold it. On a copy: e2fsck -p as the boot's fsck does (the journal replayed),
# then e2fsck -fn must find it clean; the store, the test center and the acks the image itself holds
# (spean-test/acked: each written and fsynced after its request was acknowledged) are read out with debugfs
# and spean-powercut --verify checks them: every acknowledged request there exactly once and whole, nothing
# personal in clear. Needs $SPEAN_POWERCUT; work files in $REPLAY_WORK (default: beside IMAGE).
set -uo pipefail
img=${1:?usage: replaycheck.sh IMAGE POINT ENTRY} point=${2:?} entry=${3:?}
: "${SPEAN_POWERCUT:?the path of spean-powercut}"
w=${REPLAY_WORK:-$(dirname "$img")/replaycheck}
rm -rf "$w" && mkdir -p "$w/x"
cp --sparse=always "$img" "$w/data.ext4"
e2fsck -p "$w/data.ext4" >"$w/preen.log" 2>&1
rc=$?
[ $rc -le 1 ] || { cat "$w/preen.log" >&2; echo "replaycheck: point $point (entry $entry): e2fsck -p exit $rc" >&2; exit 1; }
e2fsck -fn "$w/data.ext4" >"$w/fsck.log" 2>&1 ||
	{ cat "$w/fsck.log" >&2; echo "replaycheck: point $point (entry $entry): not clean after the boot's fsck" >&2; exit 1; }
debugfs -R "rdump /spean /spean-center /spean-test $w/x" "$w/data.ext4" >"$w/debugfs.log" 2>&1
[ -f "$w/x/spean/spean.db" ] || { cat "$w/debugfs.log" >&2; echo "replaycheck: point $point (entry $entry): no store" >&2; exit 1; }
touch "$w/x/spean-test/acked"
"$SPEAN_POWERCUT" --verify "$w/x/spean" --center "$w/x/spean-center" --acked "$w/x/spean-test/acked" >"$w/verify.log" 2>&1 ||
	{ cat "$w/verify.log" >&2; echo "replaycheck: point $point (entry $entry): the store fails" >&2; exit 1; }
echo "replaycheck: point $point (entry $entry): e2fsck -p $rc, clean; $(wc -l <"$w/x/spean-test/acked") acknowledged, $(grep -o '[0-9]* stored,' "$w/verify.log" | head -1) $(tail -1 "$w/verify.log")"

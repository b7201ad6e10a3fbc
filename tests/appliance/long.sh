#!/usr/bin/env bash
# tests/appliance/long.sh [OUT]: the appliance's long checks, kept out of the README's test command:
#   arm64  the arm64 image (qemu-user build, about 20 minutes) boots on QEMU's aarch64 virt machine to the
#          attract screen, and a journey by touch stores a request (arm64_test.sh; OUT-arm64)
#   power  200 power cuts on a real kernel (power_test.sh; the test command runs 20), every life's writes
#          logged (QEMU's blklogwrites) and replayed at 2 of its flush points and at its end, each checked as
#          a storage card that dropped its write cache there would leave the data partition (logreplay.py,
#          replaycheck.sh). About 35 s a cut on 2 cores under TCG: about two hours.
# Builds what it needs (the ASan build's spean-powercut, both test images). Run as root.
#   SPEAN_LONG=arm64|power  one part only
#   SPEAN_POWER_CUTS=N   another number of cuts; SPEAN_POWER_SEED=S  replays a run's random cut times
#   SPEAN_REPLAY_POINTS=N  flush points a life (2); SPEAN_POWER_LOGWRITES=  (empty) the cuts alone
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${SPEAN_TEST_BUILD_DIR:-$root/build-test}
out=${1:-$build/appliance}
part=${SPEAN_LONG:-all}
case $part in all | arm64 | power) ;; *) echo "long.sh: SPEAN_LONG is arm64 or power, not '$part'" >&2; exit 2 ;; esac
bash "$root/board/deps.sh" test
if [ "$part" != power ]; then
	bash "$root/board/deps.sh" arm64
	bash "$root/tests/appliance/arm64_test.sh" "$out-arm64"
fi
[ "$part" != arm64 ] || exit 0
mkdir -p "$build"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSPEAN_SANITIZE=ON -DSPEAN_WERROR=ON >"$build/configure.log" 2>&1 ||
	{ cat "$build/configure.log"; exit 1; }
cmake --build "$build" --target spean-powercut
SPEAN_POWERCUT=$build/tests/integration/spean-powercut SPEAN_POWER_LOGWRITES=${SPEAN_POWER_LOGWRITES-1} \
	bash "$root/tests/appliance/power_test.sh" "$out" "${SPEAN_POWER_CUTS:-200}"

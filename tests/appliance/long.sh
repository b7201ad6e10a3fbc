#!/usr/bin/env bash
# tests/appliance/long.sh [OUT]: the appliance's long checks, kept out of the README's test command (which
# runs 20 power cuts): 200 power cuts on a real kernel (power_test.sh; about 35 s a cut on 2 cores under
# TCG, so about two hours). Builds what it needs (the ASan build's spean-powercut, the test image). Run as root.
#   SPEAN_POWER_CUTS=N   another number of cuts; SPEAN_POWER_SEED=S  replays a run's random cut times
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${SPEAN_TEST_BUILD_DIR:-$root/build-test}
bash "$root/board/deps.sh" test
mkdir -p "$build"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSPEAN_SANITIZE=ON -DSPEAN_WERROR=ON >"$build/configure.log" 2>&1 ||
	{ cat "$build/configure.log"; exit 1; }
cmake --build "$build" --target spean-powercut
SPEAN_POWERCUT=$build/tests/integration/spean-powercut \
	bash "$root/tests/appliance/power_test.sh" "${1:-$build/appliance}" "${SPEAN_POWER_CUTS:-200}"

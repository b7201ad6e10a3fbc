#!/usr/bin/env bash
# tests/integration/soak.sh [CUTS]: the power-cut harness at soak length (default 1,000 SIGKILLs).
# Uses the test build (tests/all.sh makes it); builds it if missing.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${SPEAN_TEST_BUILD_DIR:-$root/build-test}
if [ ! -x "$build/tests/integration/spean-powercut" ]; then
	cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSPEAN_SANITIZE=ON >/dev/null
	cmake --build "$build" --target spean spean-powercut
fi
exec "$build/tests/integration/spean-powercut" --spean "$build/firmware/spean" --cuts "${1:-1000}"

#!/usr/bin/env bash
# firmware/demo.sh: install what is missing, build, and run the demo: the screening engine on the
# bundled examples, then a sealed request stored on a demo kiosk provisioned for a demo center.
# (When the kiosk UI lands, this starts the kiosk instead.)  SPEAN_DEMO_DIR picks the demo data.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SPEAN_BUILD_DIR:-$root/build-demo}
demo=${SPEAN_DEMO_DIR:-${TMPDIR:-/tmp}/spean-demo}
bash "$root/board/deps.sh" demo
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPEAN_TESTS=OFF >/dev/null
cmake --build "$build" --target spean spean-center -j "$(nproc 2>/dev/null || echo 2)"
spean=$build/firmware/spean
center=$build/sync/center/spean-center
content=$root/firmware/content/demo

echo
echo "== Screening (rules: firmware/content/eligibility.rules)"
for f in "$content"/*.facts; do
	printf '%s\n  %s\n  ' "$(basename "$f")" "$(head -1 "$f" | sed 's/^# //')"
	"$spean" screen --facts "$f"
done

echo
echo "== A demo center and a demo kiosk in $demo"
mkdir -p "$demo"
[ -f "$demo/center/center.key" ] || "$center" init --data-dir "$demo/center" >/dev/null
"$spean" --data-dir "$demo/kiosk" provision --center-key "$demo/center/center.pub"
printf 'kiosk identity: '
"$spean" --data-dir "$demo/kiosk" identity
printf 'sealed request stored, id: '
"$spean" --data-dir "$demo/kiosk" requests add --facts "$content/p21-poor-hearing.facts" --contact "$content/demo.contact"
"$spean" --data-dir "$demo/kiosk" requests status
echo "The kiosk cannot read it back: only $demo/center/center.key opens it."
echo "Try: $spean --data-dir $demo/kiosk audit"

#!/usr/bin/env bash
# The receipt's ESC/POS against @point-of-sale/receipt-printer-encoder (npm): the raster our stream
# carries, decoded independently, encoded by that library, gives the same raster bytes.
set -u
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	apt-get install -y -qq nodejs npm >/dev/null 2>&1 || { echo "FAIL: node and npm are needed (apt-get install nodejs npm)"; exit 1; }
fi
mods="$BUILD_DIR/npm-escpos"
if [ ! -d "$mods/node_modules/@point-of-sale/receipt-printer-encoder" ]; then
	mkdir -p "$mods" && (cd "$mods" && npm install --silent --no-audit --no-fund @point-of-sale/receipt-printer-encoder@3.0.3) ||
		{ echo "FAIL: npm install @point-of-sale/receipt-printer-encoder"; exit 1; }
fi
SPEAN_RECEIPT_DUMP="$T" "$PRINT_TEST" >/dev/null || { echo "FAIL: print_test"; exit 1; }
fail=0
for bin in "$T"/*.bin; do
	"$ESCPOS_PBM" "$bin" "$bin.pbm" >/dev/null || { echo "FAIL: $bin does not decode"; fail=1; continue; }
	NODE_PATH="$mods/node_modules" node "$(dirname "$0")/crosscheck.cjs" "$bin.pbm" | sed "s|^|$(basename "$bin"): |" ||
		fail=1
	[ "${PIPESTATUS[0]}" = 0 ] || fail=1
done
[ "$fail" = 0 ] && echo "crosscheck_test: ok" || echo "crosscheck_test: FAILED"
exit "$fail"

#!/usr/bin/env bash
# firmware/demo.sh: install what is missing, build, and start the kiosk with the bundled demo content,
# provisioned for a demo center (staff PIN 2468). On a desktop it opens a window; where there is no
# display it runs headless: it walks the kiosk through the demo scripts in Vietnamese and Khmer and
# saves what a resident would see as PNG screenshots. SPEAN_DEMO_DIR picks the demo data dir.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SPEAN_BUILD_DIR:-$root/build-demo}
demo=${SPEAN_DEMO_DIR:-${TMPDIR:-/tmp}/spean-demo}
bash "$root/board/deps.sh" demo
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPEAN_TESTS=OFF >/dev/null
cmake --build "$build" --target spean spean-center content_audio -j "$(nproc 2>/dev/null || echo 2)"
spean=$build/firmware/spean
center=$build/sync/center/spean-center

echo "== A demo center and a demo kiosk in $demo"
mkdir -p "$demo"
[ -f "$demo/center/center.sign" ] || "$center" init --data-dir "$demo/center" >/dev/null
"$spean" --data-dir "$demo/kiosk" provision --center-key "$demo/center/center.pub"
echo 2468 | "$spean" --data-dir "$demo/kiosk" staff-pin
"$spean" content check | head -3

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ -e /dev/dri/card0 ]; then
	echo "== The kiosk (close the window to stop; staff PIN 2468)"
	"$spean" --data-dir "$demo/kiosk" kiosk
else
	echo "== No display here: the kiosk runs headless through the demo scripts"
	mkdir -p "$demo/shots"
	for s in "$root"/tests/kiosk/*.replay; do
		case $s in *idle*) export SPEAN_IDLE=2,3,2 ;; *) export SPEAN_IDLE=60,20,45 ;; esac
		SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy "$spean" --data-dir "$demo/kiosk" kiosk --replay "$s" \
			--shots "$demo/shots" 2> >(grep -v '^level=' >&2)
	done
	echo "screenshots: $demo/shots/ ($(ls "$demo/shots" | wc -l) PNG files)"
fi
"$spean" --data-dir "$demo/kiosk" requests status
echo "== Sync: the center serves HTTPS on 127.0.0.1, the kiosk delivers (it cannot read its requests back; the center can)"
"$center" enroll --data-dir "$demo/center" "$("$spean" --data-dir "$demo/kiosk" identity)"
"$center" serve --data-dir "$demo/center" --listen 127.0.0.1:0 >"$demo/serve.out" 2>/dev/null &
serve_pid=$!
for _ in $(seq 100); do grep -q listening "$demo/serve.out" 2>/dev/null && break; sleep 0.05; done
port=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\).*/\1/p' "$demo/serve.out")
"$spean" --data-dir "$demo/kiosk" sync --url "https://127.0.0.1:$port"
kill "$serve_pid"
wait "$serve_pid" 2>/dev/null || true
"$center" export --data-dir "$demo/center" --csv "$demo/requests.csv"
"$center" stats --data-dir "$demo/center" | head -12
echo "CSV: $demo/requests.csv; request forms: $center forms --data-dir $demo/center --out DIR"

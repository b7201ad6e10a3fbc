#!/bin/sh
# /usr/lib/spean/boot-check.sh: start the kiosk on KMSDRM as the appliance will, and print markers on the
# serial console for tests/appliance/boot_test.sh:
#   SPEAN-BOOT first_frame uptime_ms=N   the kiosk logged kiosk_started (its first frame is on the screen)
#   SPEAN-BOOT end ok|fail REASON        the end marker; the kiosk keeps running after "ok" (the host dumps
#                                        the screen then powers the VM off)
# Kernel command line: spean.env=K=V,K=V adds environment variables (experiments: SDL_FRAMEBUFFER_ACCELERATION=...);
# spean.check=baseline starts the bare SDL2 program instead of the kiosk (the first-frame ratio).
set -u
export SDL_VIDEODRIVER=kmsdrm SDL_AUDIODRIVER=alsa
# The kiosk finds its content pack, fonts and prompts in /usr/share/spean by itself (install rules).
export SPEAN_LOG=debug
for a in $(cat /proc/cmdline); do
	case $a in spean.env=*)
		for kv in $(echo "${a#spean.env=}" | tr , ' '); do export "$kv"; done ;;
	esac
done
uptime_ms() { awk '{printf "%d", $1 * 1000}' /proc/uptime; }
echo "SPEAN-BOOT unit_start uptime_ms=$(uptime_ms)"
# Wait for the DRM device (virtio-gpu's module may still be loading).
i=0
while [ ! -e /dev/dri/card0 ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
[ -e /dev/dri/card0 ] || { echo "SPEAN-BOOT end fail no /dev/dri/card0"; exit 1; }
if grep -qw spean.check=baseline /proc/cmdline; then
	# The same boot with the bare SDL2 program (its window surface on GLES2 as the kiosk's).
	echo "SPEAN-BOOT spawn uptime_ms=$(uptime_ms)"
	if SDL_FRAMEBUFFER_ACCELERATION=opengles2 /usr/lib/spean/baseline-sdl /usr/share/spean/fonts --first-frame |
		grep -q first_frame; then
		echo "SPEAN-BOOT first_frame uptime_ms=$(uptime_ms)"
		echo "SPEAN-BOOT end ok"
	else
		echo "SPEAN-BOOT end fail the baseline did not draw"
	fi
	exit 0
fi
log=/run/spean-kiosk.log
echo "SPEAN-BOOT spawn uptime_ms=$(uptime_ms)"
spean --data-dir /var/lib/spean kiosk 2>"$log" &
pid=$!
i=0
while ! grep -q kiosk_started "$log" 2>/dev/null; do
	if ! kill -0 $pid 2>/dev/null || [ $i -ge 1200 ]; then
		cat "$log"
		echo "SPEAN-BOOT end fail the kiosk did not start"
		exit 1
	fi
	sleep 0.05
	i=$((i + 1))
done
echo "SPEAN-BOOT first_frame uptime_ms=$(uptime_ms)"
cat "$log"
sleep 1
if kill -0 $pid 2>/dev/null; then
	echo "SPEAN-BOOT end ok"
else
	echo "SPEAN-BOOT end fail the kiosk stopped after its first frame"
	cat "$log"
	exit 1
fi
wait $pid

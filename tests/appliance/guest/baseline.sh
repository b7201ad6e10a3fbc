# /usr/lib/spean/test/baseline.sh (spean.check=baseline; the host masks spean-kiosk.service), sourced by
# check.sh: the bare SDL2 program (tests/bench/baseline_sdl.c) on the same KMSDRM screen, for the ratios:
# boot to its first frame, and its CPU idle over the same 60 s (SDL_WaitEvent: SDL's polling wait).
i=0
while [ ! -e /dev/dri/card0 ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
[ -e /dev/dri/card0 ] || fail "no /dev/dri/card0"
mark "spawn uptime_ms=$(uptime_ms)"
SDL_VIDEODRIVER=kmsdrm SDL_FRAMEBUFFER_ACCELERATION=opengles2 /usr/lib/spean/test/baseline-sdl /usr/share/spean/fonts \
	--announce >/run/baseline.out 2>&1 &
pid=$!
i=0
until grep -q first_frame /run/baseline.out; do
	kill -0 $pid 2>/dev/null || { cat /run/baseline.out; fail "the baseline stopped"; }
	i=$((i + 1))
	[ $i -lt 600 ] || fail "the baseline did not draw"
	sleep 0.05
done
mark "first_frame uptime_ms=$(uptime_ms)"
sleep 5
t0=$(cut -d' ' -f1 "/proc/$pid/schedstat") w0=$(wakeups "$pid")
sleep "${SPEAN_IDLE_SECONDS:-60}"
t1=$(cut -d' ' -f1 "/proc/$pid/schedstat") w1=$(wakeups "$pid")
mark "idle cpu_ns=$((t1 - t0)) seconds=${SPEAN_IDLE_SECONDS:-60} wakeups=$((w1 - w0))"
kill $pid
mark "end ok"

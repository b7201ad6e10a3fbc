#!/usr/bin/env bash
# systemd's service protocol without systemd: the real kiosk (headless) under a fake NOTIFY_SOCKET, a
# unix datagram socket this test reads. READY=1 comes once the first frame is drawn (the kiosk's log
# already has stage=first_frame when it arrives), WATCHDOG=1 then keeps coming at half WATCHDOG_USEC
# from the kiosk's loop, stops while the process is stopped (SIGSTOP: the loop does not turn) and
# resumes after SIGCONT. No ping when WATCHDOG_PID names another process or WATCHDOG_USEC is unset,
# and no READY=1 from a kiosk that refuses to start.
. "$(dirname "$0")/../integration/lib.sh"
export SDL_VIDEODRIVER=offscreen SPEAN_TODAY=2026-05-20 SPEAN_LOG=debug
C="$T/center" K="$T/kiosk"
"$CENTER" init --data-dir "$C" >/dev/null || exit 2
"$SPEAN" --data-dir "$K" provision --center-key "$C/center.pub" >/dev/null || exit 2

# notify MODE: runs the kiosk under a fake NOTIFY_SOCKET; prints what it saw, one "name value" a line.
notify() {
	python3 - "$1" "$SPEAN" "$K" "$T" <<'PY'
import os, signal, socket, subprocess, sys, time
mode, spean, data, tmp = sys.argv[1:5]
path = os.path.join(tmp, "notify-" + mode)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="200000")
env.pop("WATCHDOG_PID", None)
if mode == "otherpid":
    env["WATCHDOG_PID"] = str(os.getpid())
if mode == "nowatchdog":
    del env["WATCHDOG_USEC"]
args = [spean, "--data-dir", data, "kiosk"]
if mode == "refused":
    os.makedirs(os.path.join(tmp, "badpack"), exist_ok=True)
    args += ["--content", os.path.join(tmp, "badpack")]
err = open(os.path.join(tmp, "err-" + mode), "w")
p = subprocess.Popen(args, env=env, stderr=err, stdout=subprocess.DEVNULL)

def take(seconds):
    """Messages received within seconds: [(time, text)]."""
    got, end = [], time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return got
        s.settimeout(left)
        try:
            got.append((time.monotonic(), s.recv(4096).decode()))
        except socket.timeout:
            return got

def log_has(word):
    with open(os.path.join(tmp, "err-" + mode)) as f:
        return word in f.read()

# Up to 60 s for the start (sanitizers); the first message must be READY=1.
first = take_first = None
end = time.monotonic() + 60
s.settimeout(1)
while time.monotonic() < end and p.poll() is None:
    try:
        first = s.recv(4096).decode()
        break
    except socket.timeout:
        pass
print("first", first)
if first == "READY=1":
    print("frame_before_ready", int(log_has("stage=first_frame")))
    run = take(2.0)
    print("pings_running", sum(1 for _, m in run if m == "WATCHDOG=1"))
    print("other", sum(1 for _, m in run if m != "WATCHDOG=1"))
    gaps = [b[0] - a[0] for a, b in zip(run, run[1:])]
    print("max_gap_ms", int(max(gaps) * 1000) if gaps else -1)
    p.send_signal(signal.SIGSTOP)
    take(0.3)  # one in flight may land
    print("pings_stopped", sum(1 for _, m in take(1.0) if m == "WATCHDOG=1"))
    p.send_signal(signal.SIGCONT)
    print("pings_resumed", sum(1 for _, m in take(1.0) if m == "WATCHDOG=1"))
    p.send_signal(signal.SIGTERM)
try:
    print("exit", p.wait(timeout=30))
except subprocess.TimeoutExpired:
    p.kill()
    print("exit", "hung")
PY
}
val() { sed -n "s/^$1 //p" "$T/out"; }

notify watchdog >"$T/out" 2>&1 || { cat "$T/out" >&2; fail "notify watchdog: python"; }
echo "notify: $(tr "\n" " " <"$T/out")"
[ "$(val first)" = READY=1 ] && pass || fail "first message '$(val first)', want READY=1: $(cat "$T/err-watchdog")"
[ "$(val frame_before_ready)" = 1 ] && pass || fail "READY=1 before the first frame was logged"
# 2 s at one ping per 100 ms: about 20; at least 10 even on a loaded machine under sanitizers.
[ "$(val pings_running)" -ge 10 ] 2>/dev/null && pass || fail "pings while running: '$(val pings_running)', want >= 10"
[ "$(val other)" = 0 ] && pass || fail "other messages while running: $(val other)"
[ "$(val max_gap_ms)" -le 150 ] 2>/dev/null && pass || fail "a gap of $(val max_gap_ms) ms between pings (every 100 ms wanted; systemd kills at 200)"
[ "$(val pings_stopped)" = 0 ] && pass || fail "pings while the kiosk was stopped: $(val pings_stopped)"
[ "$(val pings_resumed)" -ge 5 ] 2>/dev/null && pass || fail "pings after SIGCONT: '$(val pings_resumed)'"
[ "$(val exit)" = 0 ] && pass || fail "kiosk exit after SIGTERM: $(val exit)"
grep -q "watchdog_on interval_ms=200 ping_ms=100" "$T/err-watchdog" && pass || fail "no watchdog_on line in the kiosk's log"

# WATCHDOG_PID naming another process: the watchdog is not ours (sd_watchdog_enabled), READY=1 only.
notify otherpid >"$T/out" 2>&1
[ "$(val first)" = READY=1 ] && [ "$(val pings_running)" = 0 ] && [ "$(val pings_resumed)" = 0 ] && pass ||
	fail "WATCHDOG_PID of another process: $(tr '\n' ' ' <"$T/out")"
# No WATCHDOG_USEC (WatchdogSec= unset): READY=1 only.
notify nowatchdog >"$T/out" 2>&1
[ "$(val first)" = READY=1 ] && [ "$(val pings_running)" = 0 ] && [ "$(val exit)" = 0 ] && pass ||
	fail "no WATCHDOG_USEC: $(tr '\n' ' ' <"$T/out")"
# A kiosk that refuses to start (an empty content pack) never says READY=1.
notify refused >"$T/out" 2>&1
[ "$(val first)" = None ] && [ "$(val exit)" = 2 ] && pass || fail "refused start: $(tr '\n' ' ' <"$T/out")"
done_tests

#!/usr/bin/env bash
# tests/appliance/kiosk_test.sh [OUT]: the kiosk as a device runs it, on a real kernel (QEMU TCG), from its
# Debian packages (board/image/build.sh --checks; guest side: guest/kiosk.sh). Two boots:
#   kiosk     the packaged unit (user spean, KMSDRM) reaches its attract screen: a QMP screendump equals the
#             offscreen screenshot of the same screen; a journey tapped on a uinput touchscreen stores a
#             request (nothing typed in the journal or on the disk); its idle CPU over 60 s and memory; the systemd
#             watchdog restarts a stopped kiosk, systemd a killed one; PID 1 frozen, the i6300esb resets
#             the VM and the kiosk is back on its attract screen
#   baseline  the bare SDL2 program instead of the kiosk: first frame and idle CPU, for the ratios
# Prints the figures. Run as root.
set -euo pipefail
test_name=appliance_kiosk
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
t=$(date +%s)
image_build "${1:-$spean_root/build-image}"
build_s=$(($(date +%s) - t))

attract_ref
same() { python3 "$appliance_dir/imgdiff.py" "$1" "$work/attract.png"; }

vm_start kiosk "spean.check=kiosk"
kiosk_attract
vm_say go
vm_wait 'touch ' 240
taps=$(vm_value taps)
vm_wait privacy
vm_wait 'idle ' 200
idle_ns=$(vm_value cpu_ns) idle_s=$(vm_value seconds) idle_w=$(vm_value wakeups)
vm_wait memory
rss=$(vm_value rss_kib) hwm=$(vm_value hwm_kib) pss=$(vm_value pss_kib) threads=$(vm_value threads)
vm_wait watchdog_restart 120
wd_ms=$(vm_value after_ms)
vm_wait kill_restart
kill_ms=$(vm_value after_ms)
vm_wait hw_watchdog
hang_at=$vm_at
vm_wait rebooted 300
bootstatus=$(vm_value bootstatus)
reset_s=$(echo "$vm_at - $hang_at" | bc)
vm_wait first_frame
vm_wait 'ask screen'
vm_dump "$work/kiosk-after-reset.ppm"
same "$work/kiosk-after-reset.ppm"
vm_say go
vm_wait 'end ok'
vm_markers
vm_quit

vm_start baseline "spean.check=baseline systemd.mask=spean-kiosk.service"
vm_wait first_frame
b_ff=$(vm_value uptime_ms) b_qemu_ff=$vm_at
vm_wait 'idle ' 200
b_idle_ns=$(vm_value cpu_ns) b_idle_w=$(vm_value wakeups)
vm_wait 'end ok'
vm_markers
vm_quit

pct() { echo "scale=4; $1 / ($2 * 10000000)" | bc; } # ns over S seconds, as a percentage of one core
printf '%s: image build %d s\n' "$test_name" "$build_s"
printf '%s: boot to first frame: kiosk %.1f s from QEMU start, guest uptime %s ms (unit spawned at %s ms: %s ms its own); baseline-sdl %.1f s, %s ms; ratio %.2f\n' \
	"$test_name" "$qemu_ff" "$ff" "$spawn" "$((ff - spawn))" "$b_qemu_ff" "$b_ff" "$(echo "$ff / $b_ff" | bc -l)"
printf '%s: journey by touch: %s taps on a uinput touchscreen, one request stored, nothing typed in the journal or on the disk\n' "$test_name" "$taps"
printf '%s: idle CPU over %s s on KMSDRM: kiosk %s%% of a core (%s ms), baseline-sdl (SDL_WaitEvent) %s%% (%s ms); goal <= 0.02%%: %s\n' \
	"$test_name" "$idle_s" "$(pct "$idle_ns" "$idle_s")" "$((idle_ns / 1000000))" "$(pct "$b_idle_ns" "$idle_s")" "$((b_idle_ns / 1000000))" \
	"$([ "$idle_ns" -le $((idle_s * 200000)) ] && echo met || echo NOT met)"
printf '%s: wakeups idle over %s s (its threads put on a CPU): kiosk %s (%s/s), baseline-sdl %s (%s/s)\n' \
	"$test_name" "$idle_s" "$idle_w" "$(echo "scale=2; $idle_w / $idle_s" | bc)" "$b_idle_w" "$(echo "scale=1; $b_idle_w / $idle_s" | bc)"
printf '%s: memory on KMSDRM after the journey: resident %s KiB (peak %s KiB), proportional share %s KiB; %s threads (llvmpipe)\n' \
	"$test_name" "$rss" "$hwm" "$pss" "$threads"
printf '%s: watchdogs: stopped kiosk restarted by systemd after %s ms (WatchdogSec=30s), killed one after %s ms; PID 1 frozen: i6300esb reset after %.0f s, bootstatus %s, attract screen again\n' \
	"$test_name" "$wd_ms" "$kill_ms" "$reset_s" "$bootstatus"
echo "$test_name: PASS"

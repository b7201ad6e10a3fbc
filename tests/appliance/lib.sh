# tests/appliance/lib.sh: sourced by the appliance tests. One VM at a time per test, from the image that
# board/image/build.sh --checks made in $out (the appliance_image test, or image_build here).
#   image_build OUT           build the test image into OUT unless the appliance_image test just did
#                             (image_arch=arm64 before it: the arm64 image, booted by vm_start on QEMU's
#                             virt machine: Cortex-A72, AAVMF, ttyAMA0 and the virtio console hvc0)
#   vm_start NAME APPEND [QEMU-ARGS...]   boot it (q35, TCG, 2 CPUs, 1 GiB, virtio-gpu 800x480, i6300esb):
#                             OVMF, then GRUB from the disk's ESP picks the root slot (disk.img, a snapshot:
#                             writes last until QEMU exits, reboots included); APPEND reaches the kernel
#                             through a small FAT disk labelled SPEANTEST (grub-hook.cfg, test images only);
#                             the serial log is $work/NAME-serial.log; ttyS1 is a socket for vm_say.
#                             vm_disk=FILE vm_snapshot=off: another disk (a copy of disk.img) that keeps writes
#                             vm_logwrites=LOG: every write to the disk also logged (QEMU's blklogwrites, the
#                             dm-log-writes format) for logreplay.py
#   attract_ref               the reference attract screen, $work/attract.png: the image's binary, content,
#                             fonts and data dir drawn by SDL's offscreen driver (another architecture's
#                             binary under qemu-user with the image's own libraries: QEMU_LD_PREFIX)
#   kiosk_attract             (spean.check=kiosk) the kiosk's first frame, as the user spean, and a screendump
#                             equal to attract_ref's; sets ff, spawn (guest uptime ms) and qemu_ff (s)
#   vm_wait REGEX [SECONDS]   wait for a serial line matching ^SPEAN-BOOT REGEX after the last one matched;
#                             fails on 'end fail' or QEMU's exit; sets $vm_line to the line, $vm_at to the
#                             seconds since QEMU started
#   vm_value KEY              the value of KEY=... in $vm_line
#   vm_dump FILE              QMP screendump (PPM)
#   vm_say LINE               a line to the guest's check (host_wait in guest/check.sh)
#   vm_cycle [SECONDS]        after a guest reboot (started with -no-reboot), start QEMU again: a cold boot
#   vm_quit / vm_kill         power off through QMP / SIGKILL QEMU (a power cut)
# Guest: guest/check.sh runs spean.check=NAME. Needs root (the image build), qemu-system-x86_64, ovmf, mtools,
# dosfstools, python3.
appliance_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
spean_root=$(cd "$appliance_dir/../.." && pwd)
vm_timeout=${SPEAN_BOOT_TIMEOUT:-300}
image_arch=${image_arch:-amd64}
qemu=

image_build() {
	out=$(mkdir -p "$1" && cd "$1" && pwd)
	work=$out/work-${test_name:-test}
	rm -rf "$work" && mkdir -p "$work"
	# Under CTest the appliance_image test has just built it (SPEAN_IMAGE_REUSE=1); alone, build it here.
	if [ -z "${SPEAN_IMAGE_REUSE:-}" ] || [ ! -f "$out/disk.img" ]; then
		bash "$spean_root/board/image/build.sh" --checks --arch "$image_arch" "$out" || return 1
	fi
}

vm_start() {
	local name=$1 append=$2
	shift 2
	serial=$work/$name-serial.log
	qmp=$work/$name-qmp.sock ctl=$work/$name-ctl.sock
	rm -f "$qmp" "$ctl"
	vm_last=("$name" "$append" "$@")
	if [ -z "${vm_cycling:-}" ]; then
		: >"$serial"
		vm_t0=$(date +%s.%N) vm_seen=0
	fi
	# The kernel arguments for GRUB (grub-hook.cfg sources append.cfg): no '"' in them.
	local hook=$work/$name-hook.img
	local console="console=ttyS0 modprobe.blacklist=iTCO_wdt"
	[ "$image_arch" = amd64 ] || console=console=ttyAMA0
	printf 'set spean_extra="%s %s %s"\n' "$console" "$append" "${SPEAN_BOOT_APPEND:-}" >"$work/append.cfg"
	rm -f "$hook"
	mkfs.vfat -C -n SPEANTEST "$hook" 1024 >/dev/null
	mcopy -i "$hook" "$work/append.cfg" ::/append.cfg
	local disk=(-drive "file=${vm_disk:-$out/disk.img},if=virtio,format=raw,snapshot=${vm_snapshot:-on}")
	[ -z "${vm_logwrites:-}" ] ||
		disk=(-drive "if=virtio,driver=blklogwrites,file.driver=file,file.filename=${vm_disk:?vm_logwrites needs vm_disk},log.driver=file,log.filename=$vm_logwrites")
	if [ "$image_arch" = arm64 ]; then
		# A Raspberry Pi 4's CPU (Cortex-A72: TCG's 'max' would emulate pointer authentication, slowly); UEFI
		# from AAVMF (its variables in a copy), one PL011 UART (ttyAMA0) and a virtio console for vm_say.
		[ -f "$work/aavmf-vars.fd" ] || cp /usr/share/AAVMF/AAVMF_VARS.fd "$work/aavmf-vars.fd"
		qemu-system-aarch64 -machine virt -accel tcg -cpu cortex-a72 -smp 2 -m 1024 -nodefaults -no-user-config \
			-drive "if=pflash,format=raw,readonly=on,file=/usr/share/AAVMF/AAVMF_CODE.fd" \
			-drive "if=pflash,format=raw,file=$work/aavmf-vars.fd" \
			"${disk[@]}" \
			-drive "file=$hook,if=virtio,format=raw,readonly=on" \
			-device virtio-gpu-pci,xres=800,yres=480 -display none \
			-chardev "file,id=ser0,path=$serial,append=on" -serial chardev:ser0 \
			-device virtio-serial-pci -chardev "socket,id=ctl,path=$ctl,server=on,wait=off" -device virtconsole,chardev=ctl \
			-qmp "unix:$qmp,server=on,wait=off" -nic none "$@" &
		qemu=$!
		vm_name=$name
		return 0
	fi
	# No AVX in the emulated CPU: QEMU 7.2's TCG AVX (new in 7.2) mis-ran Mesa llvmpipe's JIT code and the kiosk
	# died with SIGSEGV at random while drawing (seen on touch, with a backtrace ending in code without
	# unwind info); the same boots without AVX/AVX2/FMA never crashed. Real hardware runs that code.
	qemu-system-x86_64 -machine q35 -accel tcg -cpu "${SPEAN_QEMU_CPU:-max,-avx,-avx2,-fma,-avx512f}" -smp 2 -m 1024 -nodefaults -no-user-config \
		-bios "${SPEAN_OVMF:-/usr/share/ovmf/OVMF.fd}" \
		"${disk[@]}" \
		-drive "file=$hook,if=virtio,format=raw,readonly=on" \
		-device virtio-gpu-pci,xres=800,yres=480 -device i6300esb -action watchdog=reset -display none \
		-chardev "file,id=ser0,path=$serial,append=on" -serial chardev:ser0 -chardev "socket,id=ctl,path=$ctl,server=on,wait=off" -serial chardev:ctl \
		-qmp "unix:$qmp,server=on,wait=off" -nic none "$@" &
	qemu=$!
	vm_name=$name
}

vm_wait() {
	local re=$1 limit=${2:-$vm_timeout} t0 now
	t0=$(date +%s)
	while :; do
		# Only lines after the last one matched: a marker of an earlier boot is not this one's.
		vm_line=$(tr -d '\r' <"$serial" | tail -n +$((vm_seen + 1)) | grep -a -n -m1 -E "^SPEAN-BOOT ($re)" || true)
		if [ -n "$vm_line" ]; then
			vm_seen=$((vm_seen + ${vm_line%%:*}))
			vm_line=${vm_line#*:}
			vm_at=$(echo "$(date +%s.%N) - $vm_t0" | bc)
			return 0
		fi
		if tr -d '\r' <"$serial" | grep -aq '^SPEAN-BOOT end fail'; then
			echo "$test_name: $vm_name: the guest failed:" >&2
			tr -d '\r' <"$serial" | grep -a 'SPEAN-BOOT\|spean' | tail -30 >&2
			return 1
		fi
		if ! kill -0 "$qemu" 2>/dev/null; then
			echo "$test_name: $vm_name: QEMU stopped before '$re'" >&2
			tail -30 "$serial" >&2
			return 1
		fi
		now=$(date +%s)
		if [ $((now - t0)) -gt "$limit" ]; then
			echo "$test_name: $vm_name: no '$re' after $limit s" >&2
			tail -30 "$serial" >&2
			return 1
		fi
		sleep 0.2
	done
}

attract_ref() {
	cp -a "$out/rootfs/var/lib/spean" "$work/ref-data"
	printf 'shot attract\n' >"$work/attract.replay"
	QEMU_LD_PREFIX=$out/rootfs SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy SPEAN_SHARE_DIR="$out/rootfs/usr/share/spean" \
		"$out/rootfs/usr/bin/spean" --data-dir "$work/ref-data" kiosk --size 800x480 --replay "$work/attract.replay" \
		--shots "$work" 2>"$work/ref.log" || { cat "$work/ref.log" >&2; return 1; }
}
kiosk_attract() {
	vm_wait first_frame || return 1
	ff=$(vm_value uptime_ms) spawn=$(vm_value spawn_ms) qemu_ff=$vm_at
	local user
	user=$(vm_value user)
	[ "$user" = spean ] || { echo "$test_name: the kiosk runs as '$user', not spean" >&2; return 1; }
	vm_wait 'ask screen' || return 1
	vm_dump "$work/kiosk.ppm"
	python3 "$appliance_dir/imgdiff.py" "$work/kiosk.ppm" "$work/attract.png"
}

vm_value() { echo "$vm_line" | sed -n "s/.* $1=\\([^ ]*\\).*/\\1/p"; }
vm_dump() { python3 "$appliance_dir/vm.py" qmp "$qmp" screendump "{\"filename\": \"$1\"}" >/dev/null; }
vm_say() { python3 "$appliance_dir/vm.py" say "$ctl" "$1"; }
# vm_cycle [SECONDS]: the guest reboots (a VM started with -no-reboot: QEMU exits), then QEMU starts again on
# the same disk (vm_disk, vm_snapshot=off) with the same arguments, its serial log appended: a cold boot
# through OVMF and GRUB. Warm resets hung twice in about a dozen reboots under TCG (once before OVMF printed
# anything, once after GRUB's welcome), never a cold start.
vm_cycle() {
	local limit=${1:-300} i=0
	while kill -0 "$qemu" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt $((limit * 5)) ] || { echo "$test_name: $vm_name: the guest did not reboot within $limit s" >&2; return 1; }
		sleep 0.2
	done
	wait "$qemu" 2>/dev/null || true
	vm_cycling=1 vm_start "${vm_last[@]}"
}
vm_quit() {
	[ -n "$qemu" ] || return 0
	python3 "$appliance_dir/vm.py" qmp "$qmp" quit >/dev/null 2>&1 || kill "$qemu" 2>/dev/null || true
	wait "$qemu" 2>/dev/null || true
	qemu=
}
vm_kill() {
	[ -n "$qemu" ] || return 0
	kill -KILL "$qemu" 2>/dev/null || true
	wait "$qemu" 2>/dev/null || true
	qemu=
}
# Markers of the whole run so far, for the test's log.
vm_markers() { tr -d '\r' <"$serial" | grep -a '^SPEAN-BOOT' | sed "s/^/$vm_name: /"; }
trap 'vm_kill' EXIT
trap 'echo "${test_name:-appliance}: failed: line $LINENO: $BASH_COMMAND" >&2' ERR

#!/usr/bin/env bash
# Injected disk faults (libfiu's fiu-run): ENOSPC and EIO on writes and syncs give a clear error
# and a non-zero exit, and the database still opens with every earlier request.
. "$(dirname "$0")/lib.sh"
[ -f /usr/lib/fiu/fiu_posix_preload.so ] || { echo "libfiu preload missing: install fiu-utils (README install step)"; exit 1; }

# fiu PROGRAM...: what `fiu-run -x` does, with FIU_ENABLE taken from $FIU. Under ASan the
# sanitizer runtime must come first in LD_PRELOAD (fiu-run's own order crashes it), and
# libfiu's run-preload leaks one string by design: suppress exactly that.
asan=$(ldd "$SPEAN" | awk '/libasan/ {print $3}')
printf 'leak:fiu_run_preload.so\n' >"$T/lsan.supp"
fiu() {
	FIU_ENABLE="$FIU" FIU_CTRL_FIFO="" LSAN_OPTIONS="suppressions=$T/lsan.supp:print_suppressions=0" \
		LD_PRELOAD="$asan /usr/lib/fiu/fiu_run_preload.so /usr/lib/fiu/fiu_posix_preload.so" "$@"
}

C="$T/center"; K="$T/kiosk"
"$CENTER" init --data-dir "$C" >/dev/null || exit 2
"$SPEAN" --data-dir "$K" provision --center-key "$C/center.pub" >/dev/null || exit 2
printf 'request_date = 2026-05-20\nhousehold = poor\n' >"$T/f.txt"
printf 'name = Kim Sà Rươne\ncommune_code = 29242\nconsent = yes\n' >"$T/c.txt"
for i in 1 2 3; do
	"$SPEAN" --data-dir "$K" requests add --facts "$T/f.txt" --contact "$T/c.txt" >/dev/null || exit 2
done

# inject FAILPOINT ERRNO MESSAGE [hold]: the add must fail cleanly, then everything earlier is
# intact. With "hold", another connection keeps the database open (as the kiosk's own process
# would), so the -shm and -wal files already exist and the fault hits the commit itself.
inject() {
	local point=$1 errno=$2 msg=$3 holder=
	if [ "${4:-}" = hold ]; then
		rm -f "$T/hold"
		mkfifo "$T/hold"
		sqlite3 "$K/spean.db" <"$T/hold" >"$T/hold.out" &
		holder=$!
		exec 3>"$T/hold"
		echo "select 'holding', count(*) from requests;" >&3
		for _ in $(seq 50); do grep -q holding "$T/hold.out" && break; sleep 0.1; done
	fi
	FIU="enable name=$point,failinfo=$errno" fiu \
		"$SPEAN" --data-dir "$K" requests add --facts "$T/f.txt" --contact "$T/c.txt" >"$T/out" 2>"$T/err"
	local rc=$?
	if [ "$rc" = 1 ]; then pass; else fail "$point errno=$errno: exit $rc, want 1"; cat "$T/err" >&2; fi
	out_empty
	err_has "request not stored"
	err_has "$msg"
	# No sanitizer report, no crash: just a message.
	if grep -q "Sanitizer\|Segmentation" "$T/err"; then fail "$point: crash output"; else pass; fi
	[ -n "$holder" ] && { exec 3>&-; wait "$holder"; }
	run 0 "$SPEAN" --data-dir "$K" check
	run 0 "$SPEAN" --data-dir "$K" requests status
	out_is "$(printf 'held 3\ndelivered 0')"
	[ ! -e "$K/damaged" ] && pass || fail "$point: a fault must not be taken for damage"
}
inject posix/io/rw/pwrite 28 "No space left on device"
inject posix/io/rw/pwrite 28 "database or disk is full" hold
inject posix/io/rw/pwrite 5 "Input/output error"
inject posix/io/rw/pwrite 5 "disk I/O error" hold
inject posix/io/sync/fdatasync 5 "disk I/O error" hold
# (SQLite syncs with fdatasync; fsync guards the key files, tested in the provision case below.)

# Provisioning a key when the sync fails: clear error, the old key stays.
cp "$K/center.pub" "$T/center.before"
FIU="enable name=posix/io/sync/fsync,failinfo=5" fiu "$SPEAN" --data-dir "$K" provision --center-key "$C/center.pub" >"$T/out" 2>"$T/err"
[ $? = 1 ] && pass || fail "provision with fsync EIO must exit 1"
err_has "write failed: Input/output error"
cmp -s "$K/center.pub" "$T/center.before" && pass || fail "center.pub changed after a failed provision"
ls -A "$K" | grep -q '^\.spean-tmp-' && fail "temp key file left behind" || pass

# Random faults across file I/O, many times: never damage, never lose an acknowledged request.
# Short reads (the */reduce read points) are left out: a local file never returns a short read
# before its end, and SQLite rightly reads that as a truncated (damaged) database.
RANDOM_POINTS="posix/io/rw/pwrite posix/io/rw/pwrite/reduce posix/io/rw/write posix/io/rw/write/reduce
posix/io/rw/pread posix/io/rw/read posix/io/rw/ftruncate posix/io/sync/fdatasync posix/io/sync/fsync
posix/io/oc/open posix/io/oc/close posix/io/dir/rename posix/io/dir/unlink"
random_enable=$(for p in $RANDOM_POINTS; do printf 'enable_random name=%s,probability=0.02\n' "$p"; done)
acked=3
for i in $(seq 1 40); do
	if FIU="$random_enable" fiu \
		"$SPEAN" --data-dir "$K" requests add --facts "$T/f.txt" --contact "$T/c.txt" >"$T/out" 2>"$T/err"; then
		grep -Eq '^[0-9a-f]{32}$' "$T/out" && acked=$((acked + 1))
	fi
done
run 0 "$SPEAN" --data-dir "$K" check
run 0 "$SPEAN" --data-dir "$K" requests status
held=$(sed -n 's/^held //p' "$T/out")
[ "$held" -ge "$acked" ] && pass || fail "random faults: held $held < acknowledged $acked"
[ ! -e "$K/damaged" ] && pass || fail "random faults: a fault was taken for damage"
echo "random faults: $acked acknowledged, $held held"

# The kiosk still works after the faults.
run 0 "$SPEAN" --data-dir "$K" requests add --facts "$T/f.txt" --contact "$T/c.txt"
done_tests

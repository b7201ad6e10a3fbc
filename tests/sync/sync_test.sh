#!/usr/bin/env bash
# Network sync end to end on 127.0.0.1: the real `spean sync` (libcurl) against the real
# `spean-center serve` (libmicrohttpd) over HTTPS with the pinned certificate, real SQLite on both sides. Enrollment, idempotency,
# a faulty link (cuts, duplicates, delays through spean-faultproxy), kill -9 of the center in the
# middle of commits, a center restored from a backup (new epoch), export, forms and stats.
. "$(dirname "$0")/../integration/lib.sh"
C="$T/center" K="$T/kiosk"
pids=()
cleanup_pids() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; }
trap 'cleanup_pids; rm -rf "$T"' EXIT

facts() { # facts FILE DEADLINE_DAYS
	cat >"$1" <<F
request_date = 2026-05-20
birth_date = 1960-06-06
household = poor
deadline_working_days = $2
F
}
facts "$T/f.txt" 30
facts "$T/urgent.txt" 3
printf 'name = Thạch Thị Mẫu\nphone = 0912 000 111\ncommune_code = 90032\nmatter = tranh chấp đất\nconsent = yes\n' >"$T/c.txt"
add() { # add N [urgent]
	local f="$T/f.txt"
	[ "${2:-}" = urgent ] && f="$T/urgent.txt"
	for _ in $(seq "$1"); do "$SPEAN" --data-dir "$K" requests add --facts "$f" --contact "$T/c.txt" >/dev/null || return 1; done
}
serve() { # starts the center; sets PORT and SPID
	rm -f "$T/serve.out" # not the last center's "listening" line: the new one may not have opened it yet
	"$CENTER" serve --data-dir "$C" --listen 127.0.0.1:0 >"$T/serve.out" 2>>"$T/serve.err" &
	SPID=$!
	pids+=("$SPID")
	for _ in $(seq 100); do grep -q listening "$T/serve.out" 2>/dev/null && break; sleep 0.05; done
	PORT=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\) https$/\1/p' "$T/serve.out")
}
status_is() { run 0 "$SPEAN" --data-dir "$K" requests status; out_is "$(printf 'held %s\ndelivered %s' "$1" "$2")"; }
center_has() { run 0 "$CENTER" status --data-dir "$C"; grep -q "^requests $1\$" "$T/out" && pass || fail "center holds $(head -1 "$T/out"), want $1"; }

"$CENTER" init --data-dir "$C" >/dev/null || exit 2
"$SPEAN" --data-dir "$K" provision --center-key "$C/center.pub" >/dev/null || exit 2
add 18 && add 2 urgent || exit 2
serve

# Not enrolled: refused with the reason, nothing moves.
run 2 "$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT"
err_has "is not enrolled at this center"
status_is 20 0
center_has 0
run 2 "$CENTER" enroll --data-dir "$C" nothex
err_has "64 hex characters"
run 0 "$CENTER" enroll --data-dir "$C" "$("$SPEAN" --data-dir "$K" identity)"
out_has "enrolled kiosk"

# Delivered, then a second sync changes nothing (same id + hash: re-acknowledged, not duplicated).
run 0 "$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT"
out_has "20 delivered, 0 held"
status_is 0 20
center_has 20
run 0 "$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT"
out_has "0 delivered, 0 held"
center_has 20
# Urgent first: the two KHẨN requests arrived before the others though added last.
run 0 "$CENTER" export --data-dir "$C" --csv "$T/all.csv"
out_has "exported 20 requests"
[ "$(head -c 3 "$T/all.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] && pass || fail "CSV starts with a UTF-8 BOM"
[ "$(wc -l <"$T/all.csv")" = 21 ] && pass || fail "CSV: header + 20 rows"
sed -n 2,3p "$T/all.csv" | grep -c "KHẨN" | grep -qx 2 && pass || fail "urgent requests arrived first"
grep -q "Thạch Thị Mẫu" "$T/all.csv" && pass || fail "Vietnamese intact in the CSV"
[ "$(stat -c %a "$T/all.csv")" = 600 ] && pass || fail "the CSV (personal data) is 0600"
run 0 "$CENTER" forms --data-dir "$C" --out "$T/forms"
[ "$(ls "$T/forms" | wc -l)" = 20 ] && pass || fail "one Mẫu 02 form per request"
grep -q "ĐƠN YÊU CẦU TRỢ GIÚP PHÁP LÝ" "$T/forms"/000001-*.html && pass || fail "the form's title"
run 0 "$CENTER" stats --data-dir "$C"
grep -q "20" "$T/out" && pass || fail "stats count the requests"
# Nothing personal in the center's or kiosk's logs.
grep -q "Thạch\|0912" "$T/serve.err" && fail "personal data in the center log" || pass

# A faulty link: cuts mid-message, duplicated requests, delays. Retries until done; exactly once.
if [ -x "${FAULTPROXY:-}" ]; then
	add 40 && add 5 urgent || exit 2
	rm -f "$T/proxy.out"
	"$FAULTPROXY" --to "127.0.0.1:$PORT" --listen 0 --seed 7 --cut 0.3 --cut-max 20000 --dup 0.3 --dup-delay 0:200 \
		--delay 0:20 >"$T/proxy.out" 2>"$T/proxy.err" &
	pids+=($!)
	for _ in $(seq 100); do grep -q '^port' "$T/proxy.out" 2>/dev/null && break; sleep 0.05; done
	PP=$(awk '/^port/{print $2}' "$T/proxy.out")
	ok=0
	for _ in $(seq 30); do
		"$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PP" >"$T/out" 2>"$T/err" && { ok=1; break; }
	done
	[ $ok = 1 ] && pass || fail "sync over the faulty link never finished: $(cat "$T/err")"
	status_is 0 65
	center_has 65
else
	fail "FAULTPROXY not built"
fi

# kill -9 the center while it commits chunks; restart; nothing acknowledged is lost, nothing doubled.
add 150 || exit 2
"$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT" >"$T/bg.out" 2>&1 &
bg=$!
sleep 0.$((RANDOM % 3 + 1))
kill -9 "$SPID"
wait "$bg"
run 0 "$SPEAN" --data-dir "$K" requests status
delivered=$(sed -n 's/^delivered //p' "$T/out")
serve
run 0 "$CENTER" status --data-dir "$C"
at_center=$(sed -n 's/^requests //p' "$T/out")
[ "$at_center" -ge "$delivered" ] && pass || fail "acknowledged requests lost: center $at_center < kiosk delivered $delivered"
run 0 "$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT"
status_is 0 215
center_has 215

# A center restored from an older backup gets a new epoch; the kiosk offers again what it lacks.
kill "$SPID"; wait "$SPID" 2>/dev/null
mkdir "$T/backup" && cp "$C/center.db" "$T/backup/" || exit 2
serve
add 4 || exit 2
run 0 "$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT"
out_has "4 delivered, 0 held"
center_has 219
kill "$SPID"; wait "$SPID" 2>/dev/null
cp "$T/backup/center.db" "$C/center.db" && rm -f "$C/center.db-wal" "$C/center.db-shm"
serve
center_has 215
run 0 "$CENTER" alerts --data-dir "$C"
out_has "new_epoch"
run 0 "$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT"
err_has "offered again"
out_has "0 held"
center_has 219

# Content packs: signed by the center, versions only go up; the kiosk installs a newer one whole and uses it.
# A recording: RIFF/WAVE, PCM 16 kHz 16-bit mono; $1 samples bytes; $2 rate (default 16000).
wav() { python3 - "$@" <<'PY'
import struct, sys
n = int(sys.argv[1]); rate = int(sys.argv[2]) if len(sys.argv) > 2 else 16000
fmt = struct.pack('<HHIIHH', 1, 1, rate, rate * 2, 2, 16)
body = b'WAVE' + b'fmt ' + struct.pack('<I', len(fmt)) + fmt + b'data' + struct.pack('<I', n) + bytes(n)
sys.stdout.buffer.write(b'RIFF' + struct.pack('<I', len(body)) + body)
PY
}
cp -r "$SPEAN_SOURCE_DIR/firmware/content/kiosk" "$T/pack"
sed -i 's/^nav.back = .*/nav.back = Trở lại trang trước/' "$T/pack/strings.vi"
mkdir -p "$T/pack/audio/km" && wav 32000 >"$T/pack/audio/km/attract.title.wav" # a good recording is signed
run 0 "$CENTER" pack --data-dir "$C" --content "$T/pack" --version 2
out_has "content pack 2:"
run 2 "$CENTER" pack --data-dir "$C" --content "$T/pack" --version 2
err_has "a new one must be above it"
run 0 "$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT"
out_has "content pack 2 installed"
grep -q "^nav.back = Trở lại trang trước" "$K/content/strings.vi" && pass || fail "the new pack's strings installed"
[ -f "$K/content/icons/house.bmp" ] && [ -f "$K/content/eligibility.rules" ] && [ -f "$K/content/audio/km/attract.title.wav" ] &&
	pass || fail "pictures, recordings and rules travel in the pack"
printf 'tap start\ntap lang_vi\ntap consent_yes\nexpect Trở lại trang trước\n' >"$T/back.replay"
SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy run 0 "$SPEAN" --data-dir "$K" kiosk --replay "$T/back.replay"
run 0 "$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT"
grep -q installed "$T/out" && fail "the same pack installed twice" || pass
# `spean-center pack` runs the kiosk's own content check before it signs: a pack a kiosk would refuse is never
# signed (content.pack unchanged), and the error names the file and the reason.
pack_sum=$(sha256sum <"$C/content.pack")
for v in 18446744073709551615 99999999999999999999 1000000000001 0 +5 " 5" 5x -1 0x10 ""; do
	run 2 "$CENTER" pack --data-dir "$C" --content "$T/pack" --version "$v"
	err_has "pack needs --version N: a whole number from 1 to 1000000000000, in digits"
done
run 2 "$CENTER" pack --data-dir "$C" --content "$T/pack" --version 2
err_has "a new one must be above it"
unsigned() { # unsigned WHAT: $T/b must not be signed, for WHAT
	run 2 "$CENTER" pack --data-dir "$C" --content "$T/b" --version 3
	err_has "spean-center: $T/b: not signed: $1"
}
fresh() { rm -rf "$T/b" && cp -r "$T/pack" "$T/b"; }
bmp_claims() { # bmp_claims W H: house.bmp with its header claiming W x H px
	python3 - "$T/pack/icons/house.bmp" "$1" "$2" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
struct.pack_into('<ii', b, 18, int(sys.argv[2]), int(sys.argv[3]))
sys.stdout.buffer.write(b)
PY
}
fresh; sed -i 's/^q.hiv = .*$//' "$T/b/strings.km"
unsigned "strings.km: the km catalog has no text for 'q.hiv'"
fresh; n=$(($(wc -l <"$T/b/questions.conf") + 2)); printf '[question x]\nfact = nonsense\n' >>"$T/b/questions.conf"
unsigned "questions.conf: line $n: unknown or repeated fact"
fresh; bmp_claims 60000 60000 >"$T/b/icons/house.bmp"
unsigned "icons/house.bmp: 60000x60000 px; a picture is square, 32 to 1024 px"
fresh; head -c 5000 "$T/pack/icons/house.bmp" >"$T/b/icons/house.bmp"
unsigned "icons/house.bmp: BMP pixel rows at 122, 65536 bytes for 128x128 px, in a file of 5000 bytes"
fresh; n=$(grep -n '^icon = house$' "$T/b/questions.conf" | cut -d: -f1); sed -i 's/^icon = house$/icon = ..\/..\/..\/house/' "$T/b/questions.conf"
unsigned "questions.conf: line $n: icon is one name of A-Z a-z 0-9 . _ - (not a path)"
fresh; cp "$T/pack/icons/house.bmp" "$T/b/icons/bad$(printf '\033')[2Jname.bmp"
unsigned "icons/bad??2Jname.bmp: a bad name for a file in a pack"
fresh; cp "$T/pack/icons/house.bmp" "$T/b/icons/a\\b.bmp"
unsigned 'icons/a?b.bmp: a bad name for a file in a pack'
fresh; ln -s /etc/passwd "$T/b/strings.extra"
run 2 "$CENTER" pack --data-dir "$C" --content "$T/b" --version 3
err_has "$T/b/strings.extra: not a regular file (a link, a pipe or a device); a pack holds files only"
fresh; sed -i "s/^nav.back = .*/nav.back = $(head -c 2100 /dev/zero | tr '\0' a)/" "$T/b/strings.vi"
unsigned "strings.vi: line"
err_has "too long a text for 'nav.back' (at most 2048 bytes)"
fresh; mkdir -p "$T/b/audio/km"; wav 32000 | head -c 20000 >"$T/b/audio/km/attract.title.wav"
unsigned "audio/km/attract.title.wav: WAV of 20000 bytes where its header says 32044"
fresh; mkdir -p "$T/b/audio/km"; wav 32000 1000000 >"$T/b/audio/km/attract.title.wav"
unsigned "audio/km/attract.title.wav: WAV format 1, 1 channels, 1000000 Hz"
fresh; mkdir -p "$T/b/audio/km"; { printf 'RIFF\x04\x01\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80\x3e\x00\x00\x00\x7d\x00\x00\x02\x00\x10\x00data\xff\xff\xff\x7f'; head -c 224 /dev/zero; } >"$T/b/audio/km/attract.title.wav"
unsigned "audio/km/attract.title.wav: WAV chunk 'data' of 2147483647 bytes runs past the end"
fresh; mkdir -p "$T/b/audio"; wav 100 >"$T/b/audio/x.wav"
unsigned "audio/x.wav: a recording is audio/LANG/KEY.wav"
fresh; printf 'attract.title\n../../etc/passwd\n' >"$T/b/audio.keys"
unsigned "audio.keys: line 2: a key is one name"
[ "$(sha256sum <"$C/content.pack")" = "$pack_sum" ] && pass || fail "a refused pack changed content.pack"

# A validly signed pack that the center's check would refuse (spean-packsign signs without checking, as an old
# center would): the kiosk refuses it, keeps pack 2, does not fetch it again, and tells the center at its next
# sync, which raises an alert naming the kiosk (once).
cp "$C/content.pack" "$T/pack2.pack"
kid=$("$SPEAN" --data-dir "$K" identity | grep -o '[0-9a-f]\{16\}' | head -1)
hostile() { # hostile VERSION REASON [NAME=PATH...]: signed unchecked, offered, refused by the kiosk
	local v=$1 why=$2
	shift 2
	"$PACKSIGN" "$C" "$v" "$T/pack" "$@" && pass || fail "packsign $v"
	run 0 "$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT"
	err_has "content pack refused, the current one stays"
	err_has "$why"
	[ "$(cat "$K/content/VERSION")" = 2 ] && pass || fail "pack 2 stays after a refused pack $v"
	[ -d "$K/content.new" ] && fail "a refused pack $v left content.new behind" || pass
}
told() { # told VERSION REASON: the center's alerts name this kiosk's refusal
	run 0 "$CENTER" alerts --data-dir "$C"
	out_has "pack_refused kiosk=$kid content pack $1 refused by the kiosk: $2"
}
sed 's/^q.hiv = .*$//' "$T/pack/strings.km" >"$T/km.broken"
hostile 3 "pack 3 refused: strings.km: the km catalog has no text for 'q.hiv'" strings.km="$T/km.broken"
run 0 "$CENTER" alerts --data-dir "$C"
grep -q "pack_refused" "$T/out" && fail "the center heard of the refusal before the kiosk's next sync" || pass
run 0 "$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT"
err_has "pack 3 was refused before (content)"
told 3 content
run 0 "$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT"
run 0 "$CENTER" alerts --data-dir "$C"
[ "$(grep -c "content pack 3 refused" "$T/out")" = 1 ] && pass || fail "the refusal told once: $(cat "$T/out")"
bmp_claims 60000 60000 >"$T/huge.bmp"
hostile 4 "pack 4 refused: icons/house.bmp: 60000x60000 px" icons/house.bmp="$T/huge.bmp"
cp "$T/pack/strings.vi" "$T/escape"
hostile 5 "has a bad name" ../escape="$T/escape"
[ -e "$K/escape" ] && fail "a pack name left the pack" || pass
wav 32000 | head -c 20000 >"$T/cut.wav"
hostile 6 "pack 6 refused: audio/km/attract.title.wav: WAV of 20000 bytes" audio/km/attract.title.wav="$T/cut.wav"
told 4 content
told 5 format
sed "s/^nav.back = .*/nav.back = $(head -c 2100 /dev/zero | tr '\0' a)/" "$T/pack/strings.vi" >"$T/long.vi"
hostile 7 "too long a text for 'nav.back'" strings.vi="$T/long.vi"
hostile 18446744073709551615 "content: version 18446744073709551615 is past the maximum 1000000000000"
run 0 "$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT"
told 6 content
told 7 content
told 18446744073709551615 version
# By stick too: a validly signed pack refused at 'sync --import' is told at the next network sync.
mkdir -p "$T/stick/spean/in"
"$PACKSIGN" "$C" 10 "$T/pack" icons/house.bmp="$T/huge.bmp" && mv "$C/content.pack" "$T/stick/spean/in/content.pack"
"$SPEAN" --data-dir "$K" sync --import "$T/stick" >"$T/out" 2>"$T/err" # (its exit code is another test's)
err_has "content pack refused, the current one stays: pack 10 refused: icons/house.bmp: 60000x60000 px"
[ "$(cat "$K/content/VERSION")" = 2 ] && pass || fail "pack 2 stays after a refused pack from a stick"
run 0 "$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT"
told 10 content
# A center holding such a pack can sign a good one again (its version is not a floor), and a kiosk that installed
# 2^64-1 from a center before versions were bounded takes it (it was frozen on it).
run 0 "$CENTER" pack --data-dir "$C" --content "$SPEAN_SOURCE_DIR/firmware/content/kiosk" --version 8
out_has "content pack 8:"
K3="$T/kiosk3"
"$SPEAN" --data-dir "$K3" provision --center-key "$C/center.pub" >/dev/null
"$CENTER" enroll --data-dir "$C" "$("$SPEAN" --data-dir "$K3" identity)" >/dev/null
cp -r "$K/content" "$K3/content" && echo 18446744073709551615 >"$K3/content/VERSION"
run 0 "$SPEAN" --data-dir "$K3" sync --url "https://127.0.0.1:$PORT"
out_has "content pack 8 installed"
cp "$T/pack2.pack" "$C/content.pack" # the kiosk keeps pack 2 for what follows

# A center that offers an older pack, or a pack not signed by it: refused with the reason, pack 2 stays.
kill "$SPID"; wait "$SPID" 2>/dev/null
cp -r "$C" "$T/older" && rm -f "$T/older/content.pack"
run 0 "$CENTER" pack --data-dir "$T/older" --content "$SPEAN_SOURCE_DIR/firmware/content/kiosk" --version 1
C_main=$C; C="$T/older"; serve
run 0 "$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT"
err_has "offers content pack 1, older than the installed 2: kept 2"
kill "$SPID"; wait "$SPID" 2>/dev/null
"$CENTER" init --data-dir "$T/stranger" >/dev/null
run 0 "$CENTER" pack --data-dir "$T/stranger" --content "$SPEAN_SOURCE_DIR/firmware/content/kiosk" --version 9
cp "$T/stranger/content.pack" "$T/older/content.pack"
serve
run 0 "$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT"
err_has "content pack refused, the current one stays"
err_has "center signature does not verify"
[ "$(cat "$K/content/VERSION")" = 2 ] && pass || fail "pack 2 stays after a forged pack"
kill "$SPID"; wait "$SPID" 2>/dev/null
C=$C_main; serve

# The kiosk syncs by itself: at start, after a new request, and when the network comes up (netlink).
K2="$T/kiosk2"
run 0 "$SPEAN" --data-dir "$K2" provision --center-key "$C/center.pub" --center-url "https://127.0.0.1:$PORT" --retention 2
out_has "syncs by itself"
out_has "kept for 2 more syncs"
"$CENTER" enroll --data-dir "$C" "$("$SPEAN" --data-dir "$K2" identity)" >/dev/null
for _ in 1 2 3; do "$SPEAN" --data-dir "$K2" requests add --facts "$T/f.txt" --contact "$T/c.txt" >/dev/null; done
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
printf 'wait 4000\nstate attract\n' >"$T/idle.replay"
run 0 "$SPEAN" --data-dir "$K2" kiosk --replay "$T/idle.replay"
run 0 "$SPEAN" --data-dir "$K2" requests status
out_is "$(printf 'held 0\ndelivered 3')"
# Now a request stored while the kiosk runs (by another process: no kick) and an address appearing on lo:
# only the netlink event can make it sync.
# The steps wait for the kiosk's own log, not for fixed times: under load its start sync can take longer
# than the netlink kick's delay, and a kick during a sync would make two sessions one.
syncs_done() { grep -c "event=sync_done" "$T/k2.err" 2>/dev/null || true; }
wait_syncs() { # wait_syncs N: up to 60 s for the kiosk's N-th finished sync
	for _ in $(seq 600); do [ "$(syncs_done)" -ge "$1" ] && return 0; sleep 0.1; done
	return 1
}
printf 'wait 120000\nstate attract\n' >"$T/net.replay"
SPEAN_LOG=info "$SPEAN" --data-dir "$K2" kiosk --replay "$T/net.replay" >"$T/k2.out" 2>"$T/k2.err" &
kp=$!
wait_syncs 1 && pass || fail "the kiosk did not sync at start"
"$SPEAN" --data-dir "$K2" requests add --facts "$T/f.txt" --contact "$T/c.txt" >/dev/null
if ip addr add 127.0.0.77/32 dev lo 2>/dev/null; then
	sleep 0.5
	ip addr del 127.0.0.77/32 dev lo
	wait_syncs 2 && pass || fail "no sync after the network came up"
	kill -TERM "$kp"
	wait "$kp"
	grep -q "event=network_up" "$T/k2.err" && pass || fail "the kiosk did not notice the network coming up"
	# held 0: the netlink sync delivered the 4th; delivered 1: with --retention 2 that third session
	# purged the 3 delivered in the first (sessions, not days).
	run 0 "$SPEAN" --data-dir "$K2" requests status
	out_is "$(printf 'held 0\ndelivered 1')"
else
	kill -TERM "$kp"
	wait "$kp"
	echo "NOTE: cannot add an address to lo here (no CAP_NET_ADMIN): the netlink trigger was not exercised" >&2
fi

# Retention counts sync sessions, never the clock: with --retention 1 the delivered ones go.
run 0 "$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT" --retention 1
out_has "delivered requests past retention deleted"
status_is 0 0
# HTTPS: another key than the card's pin is refused at once (no retries), nothing moves.
run 2 "$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT" --pin "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
err_has "does not match pinned public key"
run 2 "$SPEAN" --data-dir "$K" sync --url "ftp://x"
err_has "not an http:// or https:// address"
run 1 "$SPEAN" --data-dir "$K" sync --url "http://127.0.0.1:1"
err_has "sync stopped"
# A kiosk re-provisioned to a new center while requests sealed to the old one are held: provision
# refuses (how many, what to do); with --force they stay held. The new center cannot open them:
# it answers "bad" (sealed to another center), stores nothing of them and raises an alert naming
# the kiosk; the kiosk keeps them held, says why and exits 3, and never purges them (retention 1).
# Provisioned back with the old card, the old center takes them; the new center's request is not
# offered again to the old one.
C2="$T/center2" K3="$T/kiosk3"
"$CENTER" init --data-dir "$C2" >/dev/null || exit 2
rm -f "$T/serve2.out"
"$CENTER" serve --data-dir "$C2" --listen 127.0.0.1:0 >"$T/serve2.out" 2>>"$T/serve2.err" &
pids+=($!)
for _ in $(seq 100); do grep -q listening "$T/serve2.out" 2>/dev/null && break; sleep 0.05; done
PORT2=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\) https$/\1/p' "$T/serve2.out")
run 0 "$SPEAN" --data-dir "$K3" provision --center-key "$C/center.pub"
for c in "$C" "$C2"; do "$CENTER" enroll --data-dir "$c" "$("$SPEAN" --data-dir "$K3" identity)" >/dev/null; done
k3=$("$SPEAN" --data-dir "$K3" identity | cut -c1-16)
for _ in 1 2 3; do "$SPEAN" --data-dir "$K3" requests add --facts "$T/f.txt" --contact "$T/c.txt" >/dev/null; done
run 2 "$SPEAN" --data-dir "$K3" provision --center-key "$C2/center.pub"
err_has "3 held requests are sealed to the current center's key"
err_has "Sync them to the current center first"
err_has "--force"
cmp -s <(sed -n 's/^box = //p' "$K3/center.pub") <(sed -n 's/^box = //p' "$C/center.pub") && pass || fail "a refused provision changed the card"
run 0 "$SPEAN" --data-dir "$K3" provision --center-key "$C2/center.pub" --force
out_has "3 held requests stay sealed to the previous center: kept held, never purged"
"$SPEAN" --data-dir "$K3" requests add --facts "$T/f.txt" --contact "$T/c.txt" >/dev/null
for _ in 1 2; do
	run 3 "$SPEAN" --data-dir "$K3" sync --url "https://127.0.0.1:$PORT2" --retention 1
	out_has "held"
	out_has "3 held: refused by the center: sealed to another center"
	err_has "the center refused 3 requests (0 with a conflicting id, 3 it cannot take)"
	run 0 "$SPEAN" --data-dir "$K3" requests status
	out_has "held 3"
	out_has "refused 3"
	out_has "  3 held: refused by the center: sealed to another center"
done # (the second sync purged the one the new center took: retention 1; never the held ones)
# The staff status screen says so too (staff screens are in Vietnamese; shots kept in $SHOTS_DIR if set).
echo 2468 | "$SPEAN" --data-dir "$K3" staff-pin >/dev/null || exit 2
mkdir -p "${SHOTS_DIR:-$T/shots}"
for lang in vi; do
	refused_text=$(sed -n 's/^assisted.refused = //p' "$SPEAN_SOURCE_DIR/firmware/content/kiosk/strings.$lang" | sed 's/{n}/3/')
	[ -n "$refused_text" ] && pass || fail "assisted.refused missing from strings.$lang"
	{
		printf 'tap staff\n'
		printf 'tap key_%s\n' 2 4 6 8
		printf 'tap key_ok\nexpect status\nexpect refused\nexpect %s\noverflow\nshot 62b-assisted-refused-%s\n' "$refused_text" "$lang"
	} >"$T/refused-$lang.replay"
	SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy run 0 "$SPEAN" --data-dir "$K3" kiosk --replay "$T/refused-$lang.replay" \
		--shots "${SHOTS_DIR:-$T/shots}"
done
run 0 "$CENTER" status --data-dir "$C2"
grep -q "^requests 1$" "$T/out" && pass || fail "the new center stored what it cannot open: $(head -1 "$T/out")"
run 0 "$CENTER" alerts --data-dir "$C2"
out_has "bad_record kiosk=$k3 reason=sealed_to_another_center records=3"
run 0 "$CENTER" export --data-dir "$C2" --csv "$T/c2.csv" # nothing it cannot open was stored, so nothing fails to open
out_has "exported 1 requests"
run 0 "$SPEAN" --data-dir "$K3" provision --center-key "$C/center.pub"
run 0 "$SPEAN" --data-dir "$K3" sync --url "https://127.0.0.1:$PORT"
out_has "3 delivered, 0 held"
grep -q "refused by the center" "$T/out" && fail "still reported refused after delivery" || pass
run 0 "$SPEAN" --data-dir "$K3" requests status
out_is "$(printf 'held 0\ndelivered 3')"

done_tests

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
cp -r "$SPEAN_SOURCE_DIR/firmware/content/kiosk" "$T/pack"
sed -i 's/^nav.back = .*/nav.back = Trở lại trang trước/' "$T/pack/strings.vi"
run 0 "$CENTER" pack --data-dir "$C" --content "$T/pack" --version 2
out_has "content pack 2:"
run 2 "$CENTER" pack --data-dir "$C" --content "$T/pack" --version 2
err_has "a new one must be above it"
run 0 "$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT"
out_has "content pack 2 installed"
grep -q "^nav.back = Trở lại trang trước" "$K/content/strings.vi" && pass || fail "the new pack's strings installed"
[ -f "$K/content/icons/house.bmp" ] && [ -f "$K/content/eligibility.rules" ] && pass || fail "pictures and rules travel in the pack"
printf 'tap start\ntap lang_vi\ntap consent_yes\nexpect Trở lại trang trước\n' >"$T/back.replay"
SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy run 0 "$SPEAN" --data-dir "$K" kiosk --replay "$T/back.replay"
run 0 "$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT"
grep -q installed "$T/out" && fail "the same pack installed twice" || pass
# A pack that would not start (a Khmer question text missing) is refused whole; the old one stays.
sed -i 's/^q.hiv = .*$//' "$T/pack/strings.km"
run 0 "$CENTER" pack --data-dir "$C" --content "$T/pack" --version 3
run 0 "$SPEAN" --data-dir "$K" sync --url "https://127.0.0.1:$PORT"
err_has "content pack refused, the current one stays: pack 3 refused"
err_has "q.hiv"
[ "$(cat "$K/content/VERSION")" = 2 ] && pass || fail "pack 2 stays after a refused pack 3"
[ -d "$K/content.new" ] && fail "a refused pack left content.new behind" || pass

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
printf 'wait 2500\nwait 5000\nstate attract\n' >"$T/net.replay"
SPEAN_LOG=info "$SPEAN" --data-dir "$K2" kiosk --replay "$T/net.replay" >"$T/k2.out" 2>"$T/k2.err" &
kp=$!
sleep 2
"$SPEAN" --data-dir "$K2" requests add --facts "$T/f.txt" --contact "$T/c.txt" >/dev/null
if ip addr add 127.0.0.77/32 dev lo 2>/dev/null; then
	sleep 0.5
	ip addr del 127.0.0.77/32 dev lo
	wait "$kp"
	grep -q "event=network_up" "$T/k2.err" && pass || fail "the kiosk did not notice the network coming up"
	# held 0: the netlink sync delivered the 4th; delivered 1: with --retention 2 that third session
	# purged the 3 delivered in the first (sessions, not days).
	run 0 "$SPEAN" --data-dir "$K2" requests status
	out_is "$(printf 'held 0\ndelivered 1')"
else
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

#!/usr/bin/env bash
# The office console, as a clerk and a director use it, in Debian's chromium (puppeteer-core): requests from
# a kiosk (the real CLI, delivered over HTTP to the real `spean-center run`), accounts made with
# `spean-center user add`, then console.mjs drives the browser (log in, search, filter, open, audit, log
# out) and saves screenshots in $BUILD_DIR/shots. Afterwards: nothing personal in the center's log or in
# office.db.
. "$(dirname "$0")/../integration/lib.sh"
: "${BUILD_DIR:?}" "${SPEAN_SOURCE_DIR:?}"
here=$(cd "$(dirname "$0")" && pwd)
command -v chromium >/dev/null || { echo "FAIL: chromium is needed (bash board/deps.sh test)"; exit 1; }
mods="$BUILD_DIR/npm"
if [ ! -d "$mods/node_modules/puppeteer-core" ]; then
	mkdir -p "$mods" && (cd "$mods" && npm install --silent --no-audit --no-fund puppeteer-core@21.11.0) ||
		{ echo "FAIL: npm install puppeteer-core"; exit 1; }
fi
C="$T/center" K="$T/kiosk" K2="$T/kiosk2"
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$T"' EXIT
export SPEAN_CONTENT_DIR="$SPEAN_SOURCE_DIR/firmware/content/kiosk"
export SPEAN_SHARE_DIR="$SPEAN_SOURCE_DIR" # fonts/ for the PDF
today=$(date +%F)
day() { date -d "$today $1 days" +%F; }

"$CENTER" init --data-dir "$C" >/dev/null || exit 2
for k in "$K" "$K2"; do "$SPEAN" --data-dir "$k" provision --center-key "$C/center.pub" >/dev/null || exit 2; done
"$CENTER" enroll --data-dir "$C" "$("$SPEAN" --data-dir "$K" identity)" --label "UBND xã Long Đức" >/dev/null || exit 2
"$CENTER" enroll --data-dir "$C" "$("$SPEAN" --data-dir "$K2" identity)" --label "Điểm lưu động Trà Cú" >/dev/null || exit 2

# add KIOSK LANG NAME PHONE REQUEST_DATE [DEADLINE_WORKING_DAYS]: one request; its id on stdout.
add() {
	printf 'request_date = %s\nbirth_date = 1960-06-06\nhousehold = poor\n' "$5" >"$T/f.txt"
	[ -z "${6:-}" ] || printf 'deadline_working_days = %s\n' "$6" >>"$T/f.txt"
	printf 'name = %s\nphone = %s\ncommune_code = 90032\nmatter = tranh chấp đất đai\nconsent = yes\n' "$3" "$4" >"$T/c.txt"
	"$SPEAN" --data-dir "$1" requests add --facts "$T/f.txt" --contact "$T/c.txt" --lang "$2"
}
ids=$T/ids
{
	for i in $(seq 1 60); do add "$K" vi "Nguyễn Văn Thử $i" "0909 000 $(printf %03d "$i")" "$(day -3)" || exit 2; done
	echo "urgent_far $(add "$K" vi "Lâm Thị Xa" "0911 222 333" "$(day -1)" 8)"
	echo "urgent_near $(add "$K2" km "សុខ ស្រីពៅ" "0977 888 999" "$(day -1)" 2)"
	echo "hostile $(add "$K" vi "<img src=x onerror=alert(1)> \"Đào\" & Co" "0123 456 789" "$(day -2)")"
	echo "target $(add "$K2" vi "Thạch Thị Mẫu" "0912 345 678" "$(day -2)")"
} >"$ids" || exit 2
echo 'clerk-password-1' | "$CENTER" user add --data-dir "$C" --role clerk an >/dev/null || exit 2
echo 'director-pass-22' | "$CENTER" user add --data-dir "$C" --role director giamdoc >/dev/null || exit 2
echo 'content-director-9' | "$CENTER" user add --data-dir "$C" --role director bientap >/dev/null || exit 2
echo 'officer-pass-333' | "$CENTER" user add --data-dir "$C" --role officer tgv1 >/dev/null || exit 2
echo 'officer-pass-444' | "$CENTER" user add --data-dir "$C" --role officer tgv2 >/dev/null || exit 2
run 2 "$CENTER" user add --data-dir "$C" --role clerk short <<<'2short'
err_has "10 characters"
run 2 "$CENTER" user add --data-dir "$C" --role king bad <<<'long-enough-1'
err_has "director, officer or clerk"
run 1 "$CENTER" user add --data-dir "$C" --role clerk an <<<'long-enough-1'
err_has "there is an account 'an' already"

SPEAN_REVIEW_SHOTS="${REVIEW_SHOTS:-}" SPEAN_LOG=debug "$CENTER" run --data-dir "$C" --listen 127.0.0.1:0 --plain --console-listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run.err" &
pid=$!
for _ in $(seq 100); do grep -q '^listening' "$T/run.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\) http$/\1/p' "$T/run.out")
cport=$(sed -n 's/^console 127.0.0.1:\([0-9]*\) http$/\1/p' "$T/run.out")
[ -n "$port" ] && [ -n "$cport" ] && pass || { fail "spean-center run did not start: $(cat "$T/run.err")"; done_tests; exit 1; }
# Delivered while the console runs: the inbox catches up without a restart.
for k in "$K" "$K2"; do run 0 "$SPEAN" --data-dir "$k" sync --url "http://127.0.0.1:$port"; done

mkdir -p "$BUILD_DIR/shots"
if NODE_PATH="$mods/node_modules" CONSOLE_URL="http://127.0.0.1:$cport" IDS="$ids" SHOTS="$BUILD_DIR/shots" \
	node "$here/console.mjs" >"$T/node.out" 2>&1; then pass; else fail "the browser journey (below)"; fi
sed 's/^/  browser: /' "$T/node.out"
grep -q "checks passed" "$T/node.out" && pass || fail "the journey did not finish"

# Content from the office: the draft made from the content the center was given; a commune list uploaded (a
# bad one refused), Khmer strings reviewed, a Khmer prompt recorded through chromium's fake microphone (a
# "voice" between two silences, looped), the draft signed; then a kiosk takes the pack and counts what is left.
[ -f "$C/content/strings.km" ] && pass || fail "the console made the draft in $C/content"
python3 - "$T/voice.wav" <<'PY'
import math, struct, sys
rate = 48000
def tone(t):  # a vowel-like sound: 180 Hz with harmonics, swelling and fading
	env = math.sin(math.pi * t / 1.2)
	return 0.25 * env * (math.sin(2 * math.pi * 180 * t) + 0.5 * math.sin(2 * math.pi * 360 * t) + 0.25 * math.sin(2 * math.pi * 720 * t))
s = [0.0] * rate + [tone(i / rate) for i in range(int(1.2 * rate))] + [0.0] * int(1.8 * rate)
data = b"".join(struct.pack("<h", int(32767 * max(-1, min(1, x)))) for x in s)
open(sys.argv[1], "wb").write(b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, 2 * rate, 2, 16) + b"data" + struct.pack("<I", len(data)) + data)
PY
{ cat "$C/content/communes.txt"; echo "9x001 = Xã Sai Mã"; } >"$T/communes-bad.txt"
{ sed 's/^90032 = Xã Tập Sơn$/90032 = Xã Tập Sơn Mới/' "$C/content/communes.txt"; echo "90999 = Xã Thử Nghiệm"; } >"$T/communes-good.txt"
grep -q "Tập Sơn Mới" "$T/communes-good.txt" || fail "the test's commune list did not rename 90032"
if NODE_PATH="$mods/node_modules" CONSOLE_URL="http://127.0.0.1:$cport" SHOTS="$BUILD_DIR/shots" VOICE_WAV="$T/voice.wav" \
	COMMUNES_BAD="$T/communes-bad.txt" COMMUNES_GOOD="$T/communes-good.txt" node "$here/content.mjs" >"$T/node.out" 2>&1; then
	pass
else fail "the content journey (below)"; fi
sed 's/^/  browser: /' "$T/node.out"
grep -q "checks passed" "$T/node.out" && pass || fail "the content journey did not finish"
grep -q "Tập Sơn Mới" "$C/content/communes.txt" && pass || fail "the uploaded list is the draft's"
ls "$C"/content/audio/km/*.wav >/dev/null 2>&1 && pass || fail "the recording is in the draft"
run 0 "$SPEAN" --data-dir "$K" sync --url "http://127.0.0.1:$port"
out_has "content pack 1 installed"
run 0 "$SPEAN" content check --content "$K/content"
out_has "km prompts: 1 of"
km_total=$(grep -c '^[a-z]' "$C/content/strings.km")
out_has "km strings: $((km_total - 2)) of $km_total NOT reviewed"
grep -q "Tập Sơn Mới" "$K/content/communes.txt" && pass || fail "the kiosk has the office's commune list"
# A pack the kiosk refuses (signed unchecked by the test tool, as an older center might): the kiosk says so at
# its next sync and the fleet page shows it beside the kiosk (console.mjs, lock mode).
sed 's/^q.hiv = .*$//' "$C/content/strings.km" >"$T/km.broken"
"$PACKSIGN" "$C" 2 "$C/content" strings.km="$T/km.broken" >/dev/null && pass || fail "packsign 2"
run 0 "$SPEAN" --data-dir "$K" sync --url "http://127.0.0.1:$port"
err_has "content pack refused, the current one stays"
run 0 "$SPEAN" --data-dir "$K" sync --url "http://127.0.0.1:$port"

# The XLSX export of one search: one row, the phone as text (its leading 0 kept), the received date a date cell.
python3 - "$BUILD_DIR/shots/export.xlsx" >"$T/xlsx.out" 2>&1 <<'PY' && pass || { fail "the XLSX export: $(cat "$T/xlsx.out")"; }
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
strings = z.read("xl/sharedStrings.xml").decode()
sheet = z.read("xl/worksheets/sheet1.xml").decode()
assert "0912 345 678" in strings and "Thạch Thị Mẫu" in strings, "name and phone as text"
assert len(re.findall(r"<row ", sheet)) == 2, "a header and one row"
assert re.search(r'<c r="B2" s="\d+"><v>\d+</v></c>', sheet), "the received date as a date cell"
assert re.search(r'<c r="F2" s="\d+" t="s">|<c r="F2" t="s">', sheet), "the phone as a string cell"
assert "Điểm lưu động Trà Cú" in strings, "the kiosk by its name"
PY

# The printed forms: one A4 page each, the name as text, Khmer in a Khmer font (shaped by HarfBuzz through Pango).
for l in km vi; do
	f="$BUILD_DIR/shots/form-$l.pdf"
	[ -s "$f" ] || { fail "no form-$l.pdf"; continue; }
	pdfinfo "$f" | grep -q '^Pages: *1$' && pass || fail "form-$l.pdf is not one page: $(pdfinfo "$f" | grep Pages)"
	pdfinfo "$f" | grep -q '^Page size: *595.* x 841.* (A4)' && pass || fail "form-$l.pdf is not A4"
	pdftoppm -r 60 -png -singlefile "$f" "$BUILD_DIR/shots/form-$l" || fail "pdftoppm form-$l.pdf"
done
pdftotext "$BUILD_DIR/shots/form-vi.pdf" - | grep -q "Thạch Thị Mẫu" && pass || fail "the Vietnamese name in the PDF's text"
pdftotext "$BUILD_DIR/shots/form-vi.pdf" - | grep -q "ĐƠN YÊU CẦU TRỢ GIÚP PHÁP LÝ" && pass || fail "the form's title"
pdffonts "$BUILD_DIR/shots/form-km.pdf" | grep -q "NotoSansKhmer" && pass || fail "the Khmer name in a Khmer font: $(pdffonts "$BUILD_DIR/shots/form-km.pdf")"

kill -TERM "$pid"
wait "$pid" && pass || fail "spean-center run did not stop cleanly on SIGTERM"
pid=
# The center key under lock: wrapped by a passphrase, center.key gone; commands that open requests ask for it;
# the running center answers kiosks but receipts nothing until the director unlocks it in the console.
run 0 "$CENTER" key status --data-dir "$C"
out_has "not locked"
sk=$(grep -v '^#' "$C/center.key")
run 2 "$CENTER" key lock --data-dir "$C" <<<'short'
err_has "12 characters"
run 0 "$CENTER" key lock --data-dir "$C" <<<'khoa trung tam 2026'
[ ! -e "$C/center.key" ] && [ "$(stat -c %a "$C/center.key.locked")" = 600 ] && pass || fail "center.key removed, center.key.locked 0600"
grep -rqaF "$sk" "$C" && fail "the center key in clear somewhere in the data dir" || pass
run 0 "$CENTER" key status --data-dir "$C"
out_has "locked (center.key.locked"
run 2 "$CENTER" key lock --data-dir "$C" <<<'khoa trung tam 2026'
err_has "under lock already"
run 2 "$CENTER" export --data-dir "$C" --csv "$T/locked.csv" </dev/null
err_has "no passphrase"
run 2 "$CENTER" export --data-dir "$C" --csv "$T/locked.csv" <<<'wrong passphrase!!'
err_has "wrong passphrase"
# A new passphrase on the command line: the current one first; a wrong one or a short new one changes nothing.
run 2 "$CENTER" key passphrase --data-dir "$C" <<<$'not the passphrase\nkhoa moi 2027 abc'
err_has "wrong passphrase"
run 2 "$CENTER" key passphrase --data-dir "$C" <<<$'khoa trung tam 2026\nshort'
err_has "12 characters"
run 0 "$CENTER" key passphrase --data-dir "$C" <<<$'khoa trung tam 2026\nkhoa moi 2027 abc'
out_has "passphrase is changed"
run 2 "$CENTER" export --data-dir "$C" --csv "$T/old.csv" <<<'khoa trung tam 2026'
err_has "wrong passphrase"
run 0 "$CENTER" key passphrase --data-dir "$C" <<<$'khoa moi 2027 abc\nkhoa trung tam 2026'
run 0 "$CENTER" export --data-dir "$C" --csv "$T/locked.csv" <<<'khoa trung tam 2026'
[ "$(wc -l <"$T/locked.csv")" = 65 ] && pass || fail "export with the passphrase: header and 64 rows"
# The CSV carries what the office added: the kiosk's name, the case state in words, the deadline's date.
grep -q '"Thạch Thị Mẫu".*"Điểm lưu động Trà Cú","Đã kết thúc"' "$T/locked.csv" && pass || fail "the CSV's kiosk name and case state"
grep -q '"Xã Tập Sơn Mới"' "$T/locked.csv" && pass || fail "the CSV names the commune as the published pack does"
grep -q '"Lâm Thị Xa".*,"20[0-9-]*","UBND xã Long Đức","Mới"' "$T/locked.csv" && pass || fail "the CSV's deadline date"
head -1 "$T/locked.csv" | grep -q '"ngay_yeu_cau","han_chot","ten_kiosk","tinh_trang_ho_so"' && pass || fail "the CSV's new columns"
# The same on the command line as XLSX: 0600, every request a row, never over an existing file.
run 0 "$CENTER" export --data-dir "$C" --xlsx "$T/all.xlsx" <<<'khoa trung tam 2026'
out_has "exported 64 requests"
[ "$(stat -c %a "$T/all.xlsx")" = 600 ] && pass || fail "the XLSX is 0600"
python3 -c 'import sys, zipfile, re; z = zipfile.ZipFile(sys.argv[1]); s = z.read("xl/worksheets/sheet1.xml").decode(); t = z.read("xl/sharedStrings.xml").decode(); assert len(re.findall("<row ", s)) == 65 and "Lâm Thị Xa" in t and "Đã kết thúc" in t' "$T/all.xlsx" &&
	pass || fail "the XLSX holds every request with its case state"
run 2 "$CENTER" export --data-dir "$C" --xlsx "$T/all.xlsx" <<<'khoa trung tam 2026'
err_has "never replaces"
for i in 1 2; do add "$K" vi "Người Chờ Khóa $i" "0900 000 00$i" "$(day -1)" >/dev/null || exit 2; done
SPEAN_LOG=debug "$CENTER" run --data-dir "$C" --listen 127.0.0.1:0 --plain --console-listen 127.0.0.1:0 >"$T/run.out" 2>"$T/run2.err" &
pid=$!
for _ in $(seq 100); do grep -q '^listening' "$T/run.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\) http$/\1/p' "$T/run.out")
cport=$(sed -n 's/^console 127.0.0.1:\([0-9]*\) http$/\1/p' "$T/run.out")
grep -q "the center key is locked" "$T/run2.err" && pass || fail "run says the key is locked"
run 1 "$SPEAN" --data-dir "$K" sync --url "http://127.0.0.1:$port"
err_has "locked"
run 0 "$SPEAN" --data-dir "$K" requests status
out_has "held 2"
node_mode() {
	if MODE=$1 NODE_PATH="$mods/node_modules" CONSOLE_URL="http://127.0.0.1:$cport" IDS="$ids" SHOTS="$BUILD_DIR/shots" \
		node "$here/console.mjs" >"$T/node.out" 2>&1; then pass; else fail "the browser, $1 (below)"; fi
	sed 's/^/  browser: /' "$T/node.out"
	grep -q "checks passed" "$T/node.out" && pass || fail "the $1 journey did not finish"
}
node_mode unlock
run 0 "$SPEAN" --data-dir "$K" sync --url "http://127.0.0.1:$port"
out_has "2 delivered"
node_mode lock
# The statistics workbook: the range and totals on top, a section per dimension, counts as numbers.
python3 - "$BUILD_DIR/shots/stats.xlsx" >"$T/sx.out" 2>&1 <<'PY' && pass || fail "the statistics XLSX: $(cat "$T/sx.out")"
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
strings = z.read("xl/sharedStrings.xml").decode()
sheet = z.read("xl/worksheets/sheet1.xml").decode()
assert "65 yêu cầu" in strings and "Theo kiosk" in strings, "the totals and the kiosk section"
assert "UBND xã Long Đức" in strings and "Đã kết thúc" in strings, "labels in words"
assert re.search(r'<c r="B\d+"[^>]*><v>63</v></c>', sheet), "63 requests from one kiosk as a number cell"
PY
# The revoked kiosk: refused, the office told.
add "$K2" vi "Người Ở Xe Hai" "0900 000 010" "$(day -1)" >/dev/null || exit 2
run 2 "$SPEAN" --data-dir "$K2" sync --url "http://127.0.0.1:$port"
err_has "revoked"
add "$K" vi "Người Sau Khóa" "0900 000 009" "$(day -1)" >/dev/null || exit 2
run 1 "$SPEAN" --data-dir "$K" sync --url "http://127.0.0.1:$port"
err_has "locked"
kill -TERM "$pid"
wait "$pid" && pass || fail "spean-center run (locked) did not stop cleanly"
pid=
cat "$T/run2.err" >>"$T/run.err"

# Backup and restore: the whole center in one sealed file; restored only into an empty dir, as a new epoch.
ls "$C"/backups/spean-center-*.spbak >/dev/null 2>&1 && pass || fail "the console's backup is in $C/backups"
run 2 "$CENTER" backup --data-dir "$C" --out "$T/b.spbak" <<<'short'
err_has "12 characters"
run 0 "$CENTER" backup --data-dir "$C" --out "$T/b.spbak" <<<'sao luu trung tam 1'
[ "$(stat -c %a "$T/b.spbak")" = 600 ] && pass || fail "the backup is 0600"
for s in "Thạch" "0912" "BEGIN" "$(grep -v '^#' "$C/center.sign")"; do
	grep -qaF "$s" "$T/b.spbak" && fail "'$s' in clear in the backup" || pass
done
run 2 "$CENTER" backup --data-dir "$C" --out "$T/b.spbak" <<<'sao luu trung tam 1'
err_has "never replaces"
run 2 "$CENTER" restore --data-dir "$C" --from "$T/b.spbak" <<<'sao luu trung tam 1'
err_has "not empty"
run 2 "$CENTER" restore --data-dir "$T/r1" --from "$T/b.spbak" <<<'sao luu trung tam 2'
err_has "wrong passphrase"
head -c 3000 "$T/b.spbak" >"$T/cut.spbak"
run 2 "$CENTER" restore --data-dir "$T/r2" --from "$T/cut.spbak" <<<'sao luu trung tam 1'
[ -z "$(ls -A "$T/r2" 2>/dev/null)" ] && pass || fail "a cut backup left files behind: $(ls "$T/r2")"
run 0 "$CENTER" restore --data-dir "$T/r3" --from "$T/b.spbak" <<<'sao luu trung tam 1'
out_has "new epoch"
run 0 "$CENTER" status --data-dir "$T/r3"
out_has "requests 66"
run 0 "$CENTER" alerts --data-dir "$T/r3"
out_has "new_epoch"
out_has "revoked_kiosk"
run 0 "$CENTER" key status --data-dir "$T/r3"
out_has "locked (center.key.locked"
run 0 "$CENTER" export --data-dir "$T/r3" --csv "$T/r3.csv" <<<'khoa trung tam 2026'
[ "$(wc -l <"$T/r3.csv")" = 67 ] && pass || fail "the restored center opens every request: $(wc -l <"$T/r3.csv")"
run 0 "$CENTER" user list --data-dir "$T/r3"
out_has "giamdoc"

# The console off this PC is HTTPS with the center's own certificate (the card's pin), its cookie Secure.
"$CENTER" run --data-dir "$T/r3" --console-listen 0.0.0.0:0 >"$T/run3.out" 2>"$T/run3.err" </dev/null &
pid=$!
for _ in $(seq 100); do grep -q '^console' "$T/run3.out" 2>/dev/null && break; sleep 0.1; done
hport=$(sed -n 's/^console 0.0.0.0:\([0-9]*\) https$/\1/p' "$T/run3.out")
[ -n "$hport" ] && pass || fail "the console on 0.0.0.0 is not HTTPS: $(cat "$T/run3.out" "$T/run3.err")"
curl -s -o /dev/null "http://127.0.0.1:$hport/login" && fail "plain HTTP answered on the office network" || pass
curl -s -D "$T/h.txt" -o "$T/h.html" --cacert "$T/r3/center.crt" "https://127.0.0.1:$hport/login" && pass ||
	fail "HTTPS with the center's certificate"
grep -qi '^set-cookie: spean_l=.*; Secure' "$T/h.txt" && pass || fail "the login cookie is Secure over HTTPS"
grep -q 'Đăng nhập' "$T/h.html" && pass || fail "the login page over HTTPS"
kill -TERM "$pid"
wait "$pid"
pid=
# Restore from the console: a backup in backups/, the passphrase typed; the running program applies it and
# serves again, the center as it was kept aside (an account added since is gone with it).
mkdir -p "$T/r3/backups" && cp "$T/b.spbak" "$T/r3/backups/b.spbak"
echo 'added-after-backup' | "$CENTER" user add --data-dir "$T/r3" --role clerk moi >/dev/null || exit 2
"$CENTER" run --data-dir "$T/r3" --console-listen 127.0.0.1:0 >"$T/run4.out" 2>"$T/run4.err" </dev/null &
pid=$!
for _ in $(seq 100); do grep -q '^console' "$T/run4.out" 2>/dev/null && break; sleep 0.1; done
cport=$(sed -n 's/^console 127.0.0.1:\([0-9]*\) http$/\1/p' "$T/run4.out" | tail -1)
node_mode restore
for _ in $(seq 100); do [ "$(grep -c '^console' "$T/run4.out")" -ge 2 ] && break; sleep 0.1; done
grep -q '^restored from a backup; the center as it was is in .*/before-restore-' "$T/run4.out" && pass ||
	fail "run did not apply the restore: $(cat "$T/run4.out" "$T/run4.err")"
[ "$(grep -c '^console' "$T/run4.out")" = 2 ] && pass || fail "the console did not come back after the restore"
kill -TERM "$pid"
wait "$pid" && pass || fail "spean-center run (restored) did not stop cleanly"
pid=
b4=$(ls -d "$T"/r3/before-restore-* 2>/dev/null | head -1)
[ -n "$b4" ] && [ -f "$b4/center.db" ] && [ -f "$b4/office.db" ] && [ -f "$b4/center.hw" ] && [ ! -e "$T/r3/restore.pending" ] &&
	pass || fail "the center before the restore kept aside: $(ls "$T/r3" "$b4" 2>&1 | tr '\n' ' ')"
run 0 "$CENTER" user list --data-dir "$T/r3"
grep -qw "moi" "$T/out" && fail "the account added after the backup survived the restore" || pass
out_has "bientap"
run 0 "$CENTER" status --data-dir "$T/r3"
out_has "requests 66"

# The draft the office had not published yet came back with the backup: the list uploaded, the recording.
grep -q "Tập Sơn Mới" "$T/r3/content/communes.txt" 2>/dev/null && ls "$T"/r3/content/audio/km/*.wav >/dev/null 2>&1 &&
	pass || fail "the restored center's draft is the office's: $(ls "$T/r3" "$T/r3/content" 2>&1 | tr '\n' ' ')"

# Nothing personal in the log or in office.db (accounts and the audit log: logins and request numbers only).
for s in "Thạch" "0912" "Nguyễn" "សុខ" "Đào" "thach"; do
	grep -qF "$s" "$T/run.err" && fail "personal data ('$s') in the center's log" || pass
	grep -qaF "$s" "$C"/office.db* && fail "personal data ('$s') in office.db" || pass
done
grep -q "login role=clerk" "$T/run.err" && pass || fail "the log says who logged in by role"
done_tests

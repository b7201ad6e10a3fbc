#!/usr/bin/env bash
# The stolen kiosk: after requests with distinctive personal details, nothing personal can be
# found in any file under the data dir, in the logs (at the most verbose level) or in temp files.
. "$(dirname "$0")/lib.sh"

C="$T/center"; K="$T/kiosk"; LOG="$T/spean.log"; TMPD="$T/tmp"
mkdir -p "$TMPD"
export TMPDIR="$TMPD" SPEAN_LOG=debug
"$CENTER" init --data-dir "$C" >/dev/null || exit 2
"$SPEAN" --data-dir "$K" provision --center-key "$C/center.pub" >/dev/null 2>>"$LOG" || exit 2

# Invented people; each string below must never reach the disk or a log in clear.
needles=("Quáchzyx Thị Ngọcmẫu" "Quáchzyx" "Ngọcmẫu" "0912 876 543" "0912876543" "876 543"
	"ខ្មៅណាស់ផ្ទះ" "Ấp Sóc Mẫu Ba" "tranh chấp đất ruộng mẫu" "requester-neighbour-mẫu")
cat >"$T/contact.txt" <<'C'
name = Quáchzyx Thị Ngọcmẫu
phone = 0912 876 543
commune_code = 29242
address = Ấp Sóc Mẫu Ba, ខ្មៅណាស់ផ្ទះ
matter = tranh chấp đất ruộng mẫu
requester_relation = requester-neighbour-mẫu
consent = yes
C
printf 'request_date = 2026-06-01\nbirth_date = 1950-02-03\nhiv = yes\ndv_victim = yes\nhousehold = near_poor\nethnic_minority = yes\n' >"$T/facts.txt"
for i in 1 2 3 4 5; do
	"$SPEAN" --data-dir "$K" requests add --facts "$T/facts.txt" --contact "$T/contact.txt" >>"$T/ids" 2>>"$LOG"
	[ $? = 0 ] && pass || fail "add $i"
done
# A bad contact file (a personal value in a bad field) must not be echoed into the log either.
printf 'name = Quáchzyx Thị Ngọcmẫu\nphone = call 0912876543 please\ncommune_code = 29242\nconsent = yes\n' >"$T/bad.txt"
"$SPEAN" --data-dir "$K" requests add --facts "$T/facts.txt" --contact "$T/bad.txt" >/dev/null 2>>"$LOG"
"$SPEAN" --data-dir "$K" requests status >/dev/null 2>>"$LOG"
"$SPEAN" --data-dir "$K" audit >"$T/audit.txt" 2>>"$LOG"
grep -q "level=info" "$LOG" && pass || fail "the debug log was written (else this test proves nothing)"

# Leave a WAL behind as a power cut would: kill a writer mid-way a few times.
for i in 1 2 3; do
	"$SPEAN" --data-dir "$K" requests add --facts "$T/facts.txt" --contact "$T/contact.txt" >/dev/null 2>>"$LOG" &
	sleep 0.0$((i * 3)); kill -9 $! 2>/dev/null; wait $! 2>/dev/null
done

for n in "${needles[@]}"; do
	if grep -rlaF -- "$n" "$K" "$LOG" "$T/audit.txt" "$TMPD" >"$T/hits"; then
		fail "'$n' found in: $(tr '\n' ' ' <"$T/hits")"
	else
		pass
	fi
done
# Facts are personal too (HIV, domestic violence, ethnicity): not in the log or the audit.
for n in "hiv" "dv_victim" "ethnic" "1950-02-03" "near_poor"; do
	if grep -qiaF -- "$n" "$LOG" "$T/audit.txt"; then fail "'$n' appears in the log or audit"; else pass; fi
done
# Nothing was left in TMPDIR, and the data dir holds only what we expect.
[ -z "$(ls -A "$TMPD")" ] && pass || fail "temp files left: $(ls -A "$TMPD")"
unexpected=$(ls -A "$K" | grep -vE '^(spean\.db(-wal|-shm)?|identity\.key|center\.pub)$' || true)
[ -z "$unexpected" ] && pass || fail "unexpected files in the data dir: $unexpected"
# And the check can fail: the same search does find a needle planted in clear.
printf '%s\n' "${needles[0]}" >"$K/planted"
grep -rlaF -- "${needles[0]}" "$K" >/dev/null && pass || fail "search finds a planted needle"
rm -f "$K/planted"
done_tests

#!/usr/bin/env bash
# The `spean` and `spean-center` command lines: outputs, exit codes and messages for good and bad input.
. "$(dirname "$0")/lib.sh"

cat >"$T/p21.txt" <<'F'
# P21: poor, hearing in 5 working days
request_date = 2026-05-20
birth_date = 1960-06-06
household = poor   # from the commune list
deadline_working_days = 5
meritorious = no
monthly_social_allowance = no
social_protection_facility = no
social_pension_75 = no
ethnic_minority = no
residence_area_listed = no
criminal_role = none
trafficking = none
matter_related_to_trafficking = no
martyr_kin = no
agent_orange = no
disability = no
dv_victim = no
hiv = no
matter_business = no
specific_matter = yes
F
run 0 "$SPEAN" screen --facts "$T/p21.txt"
out_is '{"outcome":"likely_eligible","groups":["R02"],"review_groups":[],"urgent":true,"documents":["DOC_POOR_HOUSEHOLD_CERT"],"rules":"vn-tgpl-2026.1"}'
run 0 "$SPEAN" screen --facts "$T/p21.txt" --rules "$SPEAN_SOURCE_DIR/firmware/content/eligibility.rules"
out_is '{"outcome":"likely_eligible","groups":["R02"],"review_groups":[],"urgent":true,"documents":["DOC_POOR_HOUSEHOLD_CERT"],"rules":"vn-tgpl-2026.1"}'

# Bad facts: message naming file and line on stderr, exit 2, nothing on stdout.
bad() { # bad CONTENT EXPECTED_STDERR
	printf '%b' "$1" >"$T/bad.txt"
	run 2 "$SPEAN" screen --facts "$T/bad.txt"
	out_empty
	err_has "$2"
}
bad 'household = poor\ncolour = red\n' "bad.txt:2: unknown key 'colour'"
bad 'hiv = no\nhiv = yes\n' "bad.txt:2: duplicate key 'hiv' (first on line 1)"
bad 'household = rich\n' "bad.txt:1: bad value for household: 'rich'"
bad 'request_date = 2026-02-29\n' "bad.txt:1: bad date for request_date: '2026-02-29'"
bad 'birth_date = 31/12/1990\n' "bad.txt:1: bad date for birth_date"
bad 'request_date = unknown\n' "bad.txt:1: request_date cannot be 'unknown'"
bad 'deadline_working_days = -1\n' "bad.txt:1: bad value for deadline_working_days"
bad 'deadline_working_days = 99999999999\n' "bad.txt:1: bad value for deadline_working_days"
bad 'request_date = 2026-01-01\nbirth_date = 2026-01-02\n' "bad.txt:2: birth_date is after the request date"
# Partial birth dates: a year or a month wholly after the request date is refused, one holding it is not.
bad 'request_date = 2026-04-01\nbirth_date = 2027\n' "bad.txt:2: birth_date is after the request date"
bad 'request_date = 2026-04-01\nbirth_date = 2026-05\n' "bad.txt:2: birth_date is after the request date"
bad 'birth_date = 1960-6\n' "bad.txt:1: bad date for birth_date: '1960-6' (want YYYY, YYYY-MM or a real day as YYYY-MM-DD)"
bad 'birth_date = 19600\n' "bad.txt:1: bad date for birth_date: '19600'"
bad 'birth_date = 2010-13\n' "bad.txt:1: bad date for birth_date: '2010-13'"
bad 'request_date = 2026\n' "bad.txt:1: bad date for request_date: '2026' (want a real day as YYYY-MM-DD)"
# Born 1950, year only, near-poor: 75 or 76 on 2026-04-01, elderly with FD for certain (Q10).
sed -e 's/^birth_date = .*/birth_date = 1950/' -e 's/^household = .*/household = near_poor/' \
    -e 's/^request_date = .*/request_date = 2026-04-01/' -e '/^deadline_working_days/d' "$T/p21.txt" >"$T/q10.txt"
run 0 "$SPEAN" screen --facts "$T/q10.txt"
out_is '{"outcome":"likely_eligible","groups":["R07C"],"review_groups":[],"urgent":false,"documents":["DOC_PROOF_OF_STATUS"],"rules":"vn-tgpl-2026.1"}'
# Born 2010, year only: 15 or 16 on 2026-04-01, so "a child" is for staff to check.
sed -e 's/^birth_date = .*/birth_date = 2010/' -e 's/^household = .*/household = none/' "$T/q10.txt" >"$T/y2010.txt"
run 0 "$SPEAN" screen --facts "$T/y2010.txt"
out_is '{"outcome":"staff_review","groups":[],"review_groups":["R03"],"urgent":false,"documents":["DOC_BIRTH_CERT"],"rules":"vn-tgpl-2026.1"}'
# The year and the month of the request itself are fine (a newborn).
sed -e 's/^birth_date = .*/birth_date = 2026-04/' "$T/y2010.txt" >"$T/m2026.txt"
run 0 "$SPEAN" screen --facts "$T/m2026.txt"
out_is '{"outcome":"likely_eligible","groups":["R03"],"review_groups":[],"urgent":false,"documents":["DOC_BIRTH_CERT"],"rules":"vn-tgpl-2026.1"}'
bad 'household poor\n' "bad.txt:1: expected '=' after key 'household'"
bad 'hiv = no\n\xff\xfe = x\n' "bad.txt:2: not valid UTF-8 text"
run 2 "$SPEAN" screen --facts "$T/missing.txt"
err_has "missing.txt: cannot open"
run 2 "$SPEAN" screen
err_has "screen needs --facts FILE"
run 2 "$SPEAN" screen --facts "$T/p21.txt" --colour red
err_has "unexpected argument '--colour'"

# Rules files are checked with line numbers too.
printf 'version = x\n[group R01]\nname = n\ncite = c\nwhen = meritorius\ndocuments = DOC_A\n' >"$T/bad.rules"
run 2 "$SPEAN" screen --facts "$T/p21.txt" --rules "$T/bad.rules"
out_empty
err_has "bad.rules:5: in 'when': unknown fact or definition 'meritorius'"
run 0 "$SPEAN" rules check "$SPEAN_SOURCE_DIR/firmware/content/eligibility.rules"
grep -q "ok, version vn-tgpl-2026.1, 15 groups" "$T/out" && pass || fail "rules check summary"
run 2 "$SPEAN" rules check "$T/bad.rules"

run 0 "$SPEAN" --help
grep -q "requests add" "$T/out" && pass || fail "--help lists commands"
run 2 "$SPEAN" frobnicate
err_has "unknown command 'frobnicate'"

# Center and kiosk: init, provision, add, status.
C="$T/center"; K="$T/kiosk"
run 0 "$CENTER" init --data-dir "$C"
grep -Eq '^[0-9a-f]{64}$' "$T/out" && pass || fail "center init prints a 64-hex public key"
run 2 "$CENTER" init --data-dir "$C"
err_has "refusing to replace it"
# A center made before sync (the X25519 key only) is completed, its box key kept.
box=$(sed -n 's/^box = //p' "$C/center.pub")
mkdir -p "$T/old" && cp "$C/center.key" "$T/old/"
run 0 "$CENTER" init --data-dir "$T/old"
[ "$(sed -n 's/^box = //p' "$T/old/center.pub")" = "$box" ] && pass || fail "completed center keeps its box key"
[ -f "$T/old/center.sign" ] && [ -f "$T/old/center.crt" ] && grep -q '^tls = sha256//' "$T/old/center.pub" && pass ||
	fail "completed center has a signing key, a certificate and a full card"
run 0 "$CENTER" --help

printf 'name = Lâm Thị Bé\nphone = 0912 000 111\ncommune_code = 29242\nconsent = yes\n' >"$T/contact.txt"
run 2 "$SPEAN" --data-dir "$K" requests add --facts "$T/p21.txt" --contact "$T/contact.txt"
err_has "no center key yet"
out_empty
run 0 "$SPEAN" --data-dir "$K" provision --center-key "$C/center.pub"
printf 'not a key\n' >"$T/badkey"
run 2 "$SPEAN" --data-dir "$K" provision --center-key "$T/badkey"
err_has "badkey: line 1: expected 64 hexadecimal characters"

run 0 "$SPEAN" --data-dir "$K" requests add --facts "$T/p21.txt" --contact "$T/contact.txt"
grep -Eq '^[0-9a-f]{32}$' "$T/out" && pass || fail "requests add prints a 32-hex id"
id1=$(cat "$T/out")
run 0 "$SPEAN" --data-dir "$K" requests add --facts "$T/p21.txt" --contact "$T/contact.txt" --lang km
[ "$(cat "$T/out")" != "$id1" ] && pass || fail "each request gets its own id"

printf 'name = Lâm Thị Bé\ncommune_code = 29242\n' >"$T/noconsent.txt"
run 2 "$SPEAN" --data-dir "$K" requests add --facts "$T/p21.txt" --contact "$T/noconsent.txt"
err_has "consent is required"
out_empty
printf 'name = Lâm Thị Bé\ncommune_code = 29242\nconsent = no\n' >"$T/noconsent.txt"
run 2 "$SPEAN" --data-dir "$K" requests add --facts "$T/p21.txt" --contact "$T/noconsent.txt"
err_has "consent is required"
printf 'name = Lâm Thị Bé\ncommune_code = 29242\nconsent = yes\nfavourite = x\n' >"$T/badcontact.txt"
run 2 "$SPEAN" --data-dir "$K" requests add --facts "$T/p21.txt" --contact "$T/badcontact.txt"
err_has "badcontact.txt:4: unknown key 'favourite'"
run 2 "$SPEAN" --data-dir "$K" requests add --facts "$T/p21.txt" --contact "$T/contact.txt" --lang fr
err_has "--lang is vi or km"

run 0 "$SPEAN" --data-dir "$K" requests status
out_is "$(printf 'held 2\ndelivered 0')"
# SPEAN_DATA_DIR is the default data dir.
SPEAN_DATA_DIR="$K" run 0 "$SPEAN" requests status
out_is "$(printf 'held 2\ndelivered 0')"
run 0 "$SPEAN" --data-dir "$T/empty" requests status
out_is "$(printf 'held 0\ndelivered 0')"

# Identity: made once, stable.
run 0 "$SPEAN" --data-dir "$K" identity
id_a=$(cat "$T/out")
run 0 "$SPEAN" --data-dir "$K" identity
[ "$id_a" = "$(cat "$T/out")" ] && [ ${#id_a} = 64 ] && pass || fail "identity is stable 64-hex"

# The center opens what the kiosk sealed (and the kiosk itself cannot).
run 0 "$CENTER" open --data-dir "$C" --kiosk "$K"
grep -q "^contact.name = Lâm Thị Bé$" "$T/out" && pass || fail "center open shows the name as entered"
[ "$(grep -c '^# request seq=' "$T/out")" = 2 ] && pass || fail "center open shows both requests"
"$CENTER" init --data-dir "$T/other-center" >/dev/null
run 1 "$CENTER" open --data-dir "$T/other-center" --kiosk "$K"
err_has "does not open"
run 2 "$CENTER" open --data-dir "$C"
err_has "open needs --kiosk KIOSKDIR"

run 0 "$SPEAN" --data-dir "$K" check
out_is "database ok"
run 0 "$SPEAN" --data-dir "$K" audit
grep -q "request_added seq=2" "$T/out" && pass || fail "audit records request_added"
# The wall clock going back a day is recorded as a clock jump (and changes no order: seq still grows).
SPEAN_CLOCK_OFFSET=-86400 run 0 "$SPEAN" --data-dir "$K" requests add --facts "$T/p21.txt" --contact "$T/contact.txt"
run 0 "$SPEAN" --data-dir "$K" audit
grep -q "clock_jump from=" "$T/out" && pass || fail "audit records a clock jump"
tail -1 "$T/out" | grep -q "request_added seq=3" && pass || fail "seq keeps growing after a clock jump"

# Another center's card while requests sealed to this one are held: refused, saying how many and
# what to do; nothing changes. --force takes it and keeps them held; this center's card again is
# taken at once (they are sealed to it).
run 2 "$SPEAN" --data-dir "$K" provision --center-key "$T/other-center/center.pub"
err_has "3 held requests are sealed to the current center's key"
err_has "Sync them to the current center first"
[ "$(sed -n 's/^box = //p' "$K/center.pub")" = "$(sed -n 's/^box = //p' "$C/center.pub")" ] && pass || fail "a refused provision changed the card"
run 2 "$SPEAN" --data-dir "$K" provision --center-key "$T/other-center/center.pub" --forse
err_has "unexpected argument '--forse'"
run 0 "$SPEAN" --data-dir "$K" provision --center-key "$T/other-center/center.pub" --force
out_has "3 held requests stay sealed to the previous center: kept held, never purged"
run 0 "$SPEAN" --data-dir "$K" audit
grep -q "center_key_set .*stranded=3" "$T/out" && pass || fail "audit records the stranded requests"
run 0 "$SPEAN" --data-dir "$K" requests status
out_is "$(printf 'held 3\ndelivered 0')"
run 0 "$SPEAN" --data-dir "$K" provision --center-key "$C/center.pub"
out_is "center key set"
# The same card again is never refused.
run 0 "$SPEAN" --data-dir "$K" provision --center-key "$C/center.pub"
run 0 "$SPEAN" --help
out_has "3 (sync)"
run 0 "$CENTER" --help
out_has "import, usb: some requests were refused or conflicting"

done_tests

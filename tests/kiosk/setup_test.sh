#!/usr/bin/env bash
# First boot without a keyboard, with the real kiosk headless (SDL offscreen) at 800x480 and 1024x600:
# a kiosk without a center card shows the setup screen (Vietnamese and Khmer) and polls the stick's
# mount point (SPEAN_STICK_DIR); a stick's spean/provision/ that appears mid-run provisions it, the
# screen says what was set, then the identity QR (decoded with zbarimg: what 'spean identity' prints).
# Hostile sticks (a symlinked card or folder, a FIFO for the settings, a 100 MB card, a bad settings
# line, no card, a bad card) are each refused with their reason on screen and nothing changed in the
# data dir; a card of another center while requests are held is refused from the staff screen; the
# staff screen reaches the identity QR; 'spean provision --from DIR' does the same for a technician.
. "$(dirname "$0")/../integration/lib.sh"
export SDL_VIDEODRIVER=offscreen SPEAN_TODAY=2026-05-20 SDL_AUDIODRIVER=dummy
export SPEAN_CONTENT_DIR="$SPEAN_SOURCE_DIR/firmware/content/kiosk" SPEAN_FONT_DIR="$SPEAN_SOURCE_DIR/fonts"
command -v zbarimg >/dev/null || { echo "setup_test: zbarimg (zbar-tools) is needed" >&2; exit 2; }
"$CENTER" init --data-dir "$T/center" >/dev/null || exit 2
"$CENTER" init --data-dir "$T/other" >/dev/null || exit 2
box=$(sed -n 's/^box = //p' "$T/center/center.pub")
# Markers only the stick holds: they must reach the screen and the data dir, never the log.
URL="http://center-7f3a9.invalid:8080/"
PRN="/dev/usb/lp7"
vi() { sed -n "s/^$1 = //p" "$SPEAN_CONTENT_DIR/strings.vi"; }
km() { sed -n "s/^$1 = //p" "$SPEAN_CONTENT_DIR/strings.km"; }
# Every file of a data dir with its hash (what "nothing changed" compares).
snap() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
# A stick's provisioning folder, built in $1 (a stick's root).
stick() {
	rm -rf "$1" && mkdir -p "$1/spean/provision"
	cp "$T/center/center.pub" "$1/spean/provision/center.pub"
	printf '# set up by the center\ncenter_url = %s\nprinter = %s\npaper = 80\nretention = 12\n' "$URL" "$PRN" \
		>"$1/spean/provision/settings"
}
# Run the kiosk on data dir $1 with the replay on stdin, the stick at $2; screenshots in $T/shots-$size.
kiosk() {
	cat >"$T/r.replay"
	SPEAN_LOG=info SPEAN_STICK_DIR="$2" run 0 "$SPEAN" --data-dir "$1" kiosk --size "$size" --replay "$T/r.replay" \
		--shots "$T/shots-$size"
}

for size in 800x480 1024x600; do
	mkdir -p "$T/shots-$size"
	K="$T/k-$size" S="$T/stick-$size"
	mkdir -p "$S"
	# 1. No center card, no stick: the setup screen in both languages, not the attract screen; it stays.
	kiosk "$K" "$S" <<-EOF
		expect setup_title
		expect $(vi setup.title)
		expect $(km setup.insert)
		absent start_vi
		overflow
		shot 40-setup
		wait 1500
		expect setup_title
	EOF
	grep -q "setup_waiting" "$T/err" && pass || fail "$size: the kiosk waits for the stick (it used to exit 2)"
	[ -f "$K/center.pub" ] && fail "$size: a center card without a stick" || pass

	# 2. The stick appears while the kiosk runs (moved into place once the kiosk has started).
	stick "$T/stage-$size"
	rm -rf "$S" && mkdir -p "$S"
	cat >"$T/r.replay" <<-EOF
		expect setup_title
		until setup_done 20000
		expect setup_center
		expect $(vi setup.center | sed "s/{fp}/${box:0:4} ${box:4:4} ${box:8:4} ${box:12:4}/")
		expect $(vi setup.url | sed "s|{url}|$URL|")
		expect $(km setup.printer | sed "s|{printer}|$PRN, 80 mm|")
		overflow
		shot 41-setup-done
		tap setup_next
		expect identity_qr
		expect identity_fp
		overflow
		shot 42-identity
		tap identity_continue
		expect start_vi
	EOF
	SPEAN_LOG=info SPEAN_STICK_DIR="$S" "$SPEAN" --data-dir "$K" kiosk --size "$size" --replay "$T/r.replay" \
		--shots "$T/shots-$size" >"$T/out" 2>"$T/err" &
	kp=$!
	for _ in $(seq 100); do grep -q kiosk_started "$T/err" && break; sleep 0.1; done
	mv "$T/stage-$size/spean" "$S/spean"
	wait "$kp" && pass || fail "$size: provisioned from a stick that appeared mid-run: $(grep -v '^level=' "$T/err")"
	grep -q "stick_provision_found" "$T/err" && pass || fail "$size: the stick was found by the poll"
	[ "$(sed -n 's/^box = //p' "$K/center.pub")" = "$box" ] && pass || fail "$size: the center's card taken"
	[ "$(cat "$K/center.url" 2>/dev/null)" = "$URL" ] && pass || fail "$size: the center's URL taken"
	[ "$(cat "$K/printer" 2>/dev/null)" = "$PRN 80" ] && pass || fail "$size: the printer taken"
	[ "$(cat "$K/retention" 2>/dev/null)" = 12 ] && pass || fail "$size: the retention taken"
	id=$("$SPEAN" --data-dir "$K" identity)
	[ "$(zbarimg -q --raw "$T/shots-$size/42-identity.png" 2>/dev/null)" = "$id" ] && pass ||
		fail "$size: the identity QR decodes to 'spean identity' ($id)"
	grep -q "center=${box:0:16}" "$T/err" && pass || fail "$size: the card's fingerprint logged"
	for m in center-7f3a9 lp7; do grep -qF "$m" "$T/err" && fail "$size: '$m' from the stick logged" || pass; done
	# Provisioned: the next start is the attract screen, the stick no longer read.
	kiosk "$K" "$S" <<-EOF
		expect start_vi
		absent setup_title
	EOF

	# 3. Hostile sticks, each on a fresh unprovisioned kiosk: refused with its reason, nothing changed.
	for case in link_card link_folder fifo_settings big_card bad_line no_card bad_card; do
		H="$T/h-$size-$case" HS="$T/hs-$size-$case"
		"$SPEAN" --data-dir "$H" identity >/dev/null || exit 2
		stick "$HS"
		P="$HS/spean/provision"
		why=$case
		case $case in
		link_card) mv "$P/center.pub" "$HS/real.pub" && ln -s ../../real.pub "$P/center.pub" && why=link ;;
		link_folder) mv "$P" "$HS/elsewhere" && ln -s ../elsewhere "$P" && why=link ;;
		fifo_settings) rm "$P/settings" && mkfifo "$P/settings" && why=not_file ;;
		big_card) truncate -s 100M "$P/center.pub" && why=too_big ;;
		bad_line) printf 'center_url = %s\nprinter = usb\ncolour = blue\n' "$URL" >"$P/settings" && why=bad_settings ;;
		no_card) rm "$P/center.pub" ;;
		bad_card) printf 'box = not a key\n' >"$P/center.pub" ;;
		esac
		before=$(snap "$H")
		want_vi=$(vi "setup.why.$why" | sed 's/{line}/3/')
		want_km=$(km "setup.why.$why" | sed 's/{line}/3/')
		kiosk "$H" "$HS" <<-EOF
			until setup_refused 20000
			expect why_$why
			expect $want_vi
			expect $want_km
			expect setup_retry
			overflow
			shot 43-refused-$case
			tap setup_retry
			expect setup_refused
			expect why_$why
		EOF
		[ "$(snap "$H")" = "$before" ] && pass || fail "$size $case: the data dir changed"
		[ -f "$H/center.pub" ] && fail "$size $case: provisioned anyway" || pass
		grep -q "provision_refused why=$why" "$T/err" && pass || fail "$size $case: why=$why logged"
		grep -qF "center-7f3a9" "$T/err" && fail "$size $case: the stick's URL logged" || pass
	done
done

# 4. A card of another center while requests sealed to this one are held: refused from the staff screen
# (a provisioned kiosk reads a stick only when staff ask), nothing changed; the identity QR from there too.
K="$T/k-800x480" S="$T/stick-held" size=800x480
cat >"$T/p21.txt" <<'F'
request_date = 2026-05-20
birth_date = 1960-06-06
household = poor
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
F
printf 'name = Lâm Thị Bé\nphone = 0912 000 111\ncommune_code = 29242\nconsent = yes\n' >"$T/contact.txt"
run 0 "$SPEAN" --data-dir "$K" requests add --facts "$T/p21.txt" --contact "$T/contact.txt"
echo 2468 | "$SPEAN" --data-dir "$K" staff-pin >/dev/null || exit 2
stick "$S"
cp "$T/other/center.pub" "$S/spean/provision/center.pub"
card=$(sha256sum <"$K/center.pub")
status=$("$SPEAN" --data-dir "$K" requests status)
want=$(vi setup.why.held | sed 's/{n}/1/')
want_km=$(km setup.why.held | sed 's/{n}/១/') # a count: in Khmer digits on the Khmer line (the catalog rule)
kiosk "$K" "$S" <<EOF
tap staff
tap key_2
tap key_4
tap key_6
tap key_8
tap key_ok
expect assisted_start
expect provision_stick
overflow
shot 46-staff-status
tap identity
expect identity_qr
overflow
shot 44-identity-staff
tap identity_back
expect assisted_start
tap provision_stick
expect why_held
expect $want
expect $want_km
expect setup_back
overflow
shot 45-refused-held
tap setup_back
expect assisted_start
EOF
[ "$(sha256sum <"$K/center.pub")" = "$card" ] && pass || fail "held: the card changed"
[ "$("$SPEAN" --data-dir "$K" requests status)" = "$status" ] && pass || fail "held: the requests changed"
[ "$(zbarimg -q --raw "$T/shots-800x480/44-identity-staff.png" 2>/dev/null)" = "$("$SPEAN" --data-dir "$K" identity)" ] &&
	pass || fail "the staff screen's identity QR decodes to 'spean identity'"

# 5. The technician's form: spean provision --from DIR, the same code and the same refusals.
run 2 "$SPEAN" --data-dir "$K" provision --from "$S"
err_has "1 held requests are sealed to the current center's key"
[ "$(sha256sum <"$K/center.pub")" = "$card" ] && pass || fail "--from held: the card changed"
run 0 "$SPEAN" --data-dir "$K" provision --from "$S" --force
out_has "1 held requests stay sealed to the previous center"
[ "$(sed -n 's/^box = //p' "$K/center.pub")" = "$(sed -n 's/^box = //p' "$T/other/center.pub")" ] && pass ||
	fail "--from --force takes the other center's card"
F="$T/cli"
stick "$T/cli-stick"
run 0 "$SPEAN" --data-dir "$F" provision --from "$T/cli-stick"
out_has "center key set"
out_has "receipt printer set: $PRN, 80 mm paper"
out_has "delivered requests are kept for 12 more syncs"
out_has "center address set: the kiosk syncs by itself"
[ "$(cat "$F/center.url")" = "$URL" ] && pass || fail "--from: the URL"
printf 'center_url = %s\nprinter = usb\ncolour = blue\n' "$URL" >"$T/cli-stick/spean/provision/settings"
run 2 "$SPEAN" --data-dir "$T/cli2" provision --from "$T/cli-stick"
err_has "spean/provision/settings: line 3: unknown setting 'colour' (center_url, retention, printer, paper)"
printf 'printer = usb\npaper = 57\n' >"$T/cli-stick/spean/provision/settings"
run 2 "$SPEAN" --data-dir "$T/cli2" provision --from "$T/cli-stick"
err_has "line 2: paper wants 58 or 80 (mm), not '57'"
printf 'paper = 80\n' >"$T/cli-stick/spean/provision/settings"
run 2 "$SPEAN" --data-dir "$T/cli2" provision --from "$T/cli-stick"
err_has "line 1: paper goes with printer"
printf 'retention = 3\nretention = 4\n' >"$T/cli-stick/spean/provision/settings"
run 2 "$SPEAN" --data-dir "$T/cli2" provision --from "$T/cli-stick"
err_has "line 2: retention is set twice (first on line 1)"
rm "$T/cli-stick/spean/provision/settings" && mkfifo "$T/cli-stick/spean/provision/settings"
run 2 "$SPEAN" --data-dir "$T/cli2" provision --from "$T/cli-stick"
err_has "spean/provision/settings is a FIFO, not a file: refused"
rm "$T/cli-stick/spean/provision/settings"
mv "$T/cli-stick/spean/provision/center.pub" "$T/real.pub" && ln -s "$T/real.pub" "$T/cli-stick/spean/provision/center.pub"
run 2 "$SPEAN" --data-dir "$T/cli2" provision --from "$T/cli-stick"
err_has "spean/provision/center.pub is a link, not a file: refused"
[ -f "$T/cli2/center.pub" ] && fail "--from: provisioned from refused sticks" || pass
run 2 "$SPEAN" --data-dir "$T/cli2" provision --from "$T/cli-stick" --printer usb
err_has "--from takes the settings from the stick's spean/provision/settings"
run 2 "$SPEAN" --data-dir "$T/cli2" provision --from "$T/nothing-here"
err_has "cannot open the directory"
done_tests

#!/usr/bin/env bash
# The real kiosk, headless (SDL offscreen): every replay script at 800x480 and 1024x600, in both
# languages, through every outcome; checks what the store received (opened with the center key),
# that no text is clipped, that nothing personal is left on disk, and that a bad script fails.
. "$(dirname "$0")/../integration/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
export SDL_VIDEODRIVER=offscreen SPEAN_TODAY=2026-05-20
export SPEAN_CONTENT_DIR="$SPEAN_SOURCE_DIR/firmware/content/kiosk" SPEAN_FONT_DIR="$SPEAN_SOURCE_DIR/fonts"
C="$T/center"
"$CENTER" init --data-dir "$C" >/dev/null || exit 2

for size in 800x480 1024x600; do
	K="$T/kiosk-$size"
	"$SPEAN" --data-dir "$K" provision --center-key "$C/center.pub" >/dev/null || exit 2
	echo 2468 | "$SPEAN" --data-dir "$K" staff-pin >/dev/null || exit 2
	for s in "$here"/*.replay; do
		name=$(basename "$s" .replay)
		mkdir -p "$T/shots-$size"
		idle=60,20,45
		case $name in *idle*) idle=2,3,2 ;; esac
		SPEAN_IDLE=$idle run 0 "$SPEAN" --data-dir "$K" kiosk --size "$size" --replay "$s" --shots "$T/shots-$size"
		[ -s "$T/err" ] && grep -v "^level=" "$T/err" | sed "s/^/  $name $size: /" >&2
	done
	# Two requests were sent (vi likely eligible, km staff review); the others finished without sending.
	# The staff PIN was tried wrong once, then right, and the audit log says so without the PIN.
	run 0 "$SPEAN" --data-dir "$K" audit
	grep -q "staff_pin_failed" "$T/out" && grep -q "staff_unlocked" "$T/out" && pass || fail "$size: PIN events audited"
	grep -Eq "(^|[^0-9])(2468|1111)([^0-9]|$)" "$T/out" && fail "$size: a PIN in the audit log" || pass
	run 0 "$SPEAN" --data-dir "$K" requests status
	out_is "$(printf 'held 2\ndelivered 0')"
	run 0 "$CENTER" open --data-dir "$C" --kiosk "$K"
	o="$T/out"
	grep -q '^contact.name = Thạch Văn Mẫu$' "$o" && pass || fail "$size: vi name as typed"
	grep -q '^contact.phone = 0912345678$' "$o" && pass || fail "$size: phone from the keypad"
	grep -q '^contact.commune_code = 90032$' "$o" && pass || fail "$size: commune picked from the list"
	grep -q '^contact.matter = Tranh chấp đất với hàng xóm$' "$o" && pass || fail "$size: matter"
	grep -q '^contact.address = Ấp Cây Da$' "$o" && pass || fail "$size: address typed with VNI"
	grep -q '^facts.birth_date = 1960-06-06$' "$o" && pass || fail "$size: birth date from the keypad"
	grep -q '^outcome = likely_eligible$' "$o" && pass || fail "$size: likely_eligible stored"
	grep -q '^urgent = yes$' "$o" && pass || fail "$size: urgent stored"
	grep -q '^contact.consent_text = kiosk-vi-1$' "$o" && pass || fail "$size: vi consent recorded"
	grep -q '^lang = km$' "$o" && pass || fail "$size: a Khmer request"
	grep -q '^contact.name = សុខ សំណាង$' "$o" && pass || fail "$size: Khmer name as typed"
	grep -q '^outcome = staff_review$' "$o" && pass || fail "$size: staff_review stored"
	grep -q '^contact.address = ស្ត្រី$' "$o" && pass || fail "$size: Khmer subscripts typed with COENG"
	grep -q '^review_groups = R04$' "$o" && pass || fail "$size: R04 for staff review"
	grep -q '^contact.consent_text = kiosk-km-1$' "$o" && pass || fail "$size: km consent recorded"
	# Nothing personal on the kiosk's disk.
	for n in "Thạch Văn Mẫu" "0912345678" "សុខ សំណាង" "Tranh chấp"; do
		grep -rlaF -- "$n" "$K" >/dev/null && fail "$size: '$n' found on disk" || pass
	done
	# Every screen was drawn: the screenshots exist and are real PNGs.
	for p in 01-attract 08-outcome-likely-urgent-vi 12-receipt-vi 27-outcome-review-km 29-receipt-km; do
		head -c 8 "$T/shots-$size/$p.png" 2>/dev/null | grep -q PNG && pass || fail "$size: screenshot $p"
	done
done

# Spoken prompts: a Vietnamese question is spoken when it appears (espeak-ng, built with the kiosk);
# Khmer has no recordings yet, so nothing is played for it.
printf 'tap start\ntap lang_vi\ntap consent_yes\ntap who_self\ntap replay\n' >"$T/audio_vi.replay"
SPEAN_LOG=info run 0 "$SPEAN" --data-dir "$T/kiosk-800x480" kiosk --replay "$T/audio_vi.replay"
# language, consent, who, the first question, and the replay button: five prompts.
[ "$(grep -c 'prompt_play lang=vi' "$T/err")" = 5 ] && pass || fail "prompts spoken on each screen and replayed"
printf 'tap start\ntap lang_km\ntap consent_yes\n' >"$T/audio_km.replay"
SPEAN_LOG=info run 0 "$SPEAN" --data-dir "$T/kiosk-800x480" kiosk --replay "$T/audio_km.replay"
grep -q 'prompt_play lang=km' "$T/err" && fail "a Khmer prompt played without a recording" || pass

# The most verbose log of a whole request carries nothing personal.
SPEAN_LOG=debug run 0 "$SPEAN" --data-dir "$T/kiosk-800x480" kiosk --replay "$here/vi_likely_eligible.replay"
grep -q "level=debug" "$T/err" && pass || fail "debug log written (else this proves nothing)"
for n in "Thạch" "Mẫu" "0912345678" "Tranh chấp" "1960" "90032" "poor"; do
	grep -qaF -- "$n" "$T/err" && fail "'$n' in the kiosk's log" || pass
done

# SIGTERM (systemd stopping the kiosk) ends it cleanly, with no input device to wake it.
"$SPEAN" --data-dir "$T/kiosk-800x480" kiosk >/dev/null 2>&1 &
kp=$!
sleep 1
kill -TERM "$kp"
for _ in $(seq 50); do kill -0 "$kp" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$kp" 2>/dev/null; then fail "kiosk ignores SIGTERM"; kill -9 "$kp"; else pass; fi
wait "$kp"
[ $? = 0 ] && pass || fail "kiosk exit status after SIGTERM"

# A device with no sound (no card, as in the appliance's VM: ALSA has no "default" here) says so once and
# lets SDL's audio go at once: its ALSA hotplug thread would wake the idle kiosk 10 times a second.
printf 'tap start_vi\nwait 1500\naudio down\n' >"$T/nosound.replay"
SDL_AUDIODRIVER=alsa ALSA_CONFIG_PATH=/dev/null run 0 "$SPEAN" --data-dir "$T/kiosk-800x480" kiosk --replay "$T/nosound.replay"
err_has "event=audio_unavailable reason=open"

# A contact field holding a control or direction-override character (here U+202E, typed by the script: the
# on-screen keyboards cannot make one) is refused with a message under the field in the resident's language;
# the corrected name is taken. Screenshots: shots-refused/13-contact-refused-{vi,km}.png.
mkdir -p "$T/shots-refused"
for lang in vi km; do
	msg=$(grep '^contact.invalid_chars = ' "$SPEAN_CONTENT_DIR/strings.$lang" | sed 's/^[^=]*= //')
	[ -n "$msg" ] && pass || fail "$lang: contact.invalid_chars in strings.$lang"
	{
		sed -n '1,/^state contact$/p' "$here/vi_likely_eligible.replay" | grep -v '^shot ' | sed "s/lang_vi/lang_$lang/"
		printf 'type Th\xe2\x80\xaeach\ntap next\nstate contact\nexpect field_error\nexpect %s\noverflow\n' "$msg"
		printf 'shot 13-contact-refused-%s\n' "$lang"
		printf 'tap kb_del\n%.0s' 1 2 3 4 5 6 7 8
		printf 'type Thach\ntap next\nstate contact\nexpect key_0\n'
	} >"$T/refused-$lang.replay"
	run 0 "$SPEAN" --data-dir "$T/kiosk-800x480" kiosk --replay "$T/refused-$lang.replay" --shots "$T/shots-refused"
	head -c 8 "$T/shots-refused/13-contact-refused-$lang.png" 2>/dev/null | grep -q PNG && pass ||
		fail "$lang: screenshot of the refused field"
done

# A missing target fails the run with a message and a non-zero exit.
printf 'tap start\ntap no_such_button\n' >"$T/bad.replay"
run 3 "$SPEAN" --data-dir "$T/kiosk-800x480" kiosk --replay "$T/bad.replay"
err_has "no widget 'no_such_button' on this screen"
printf 'frobnicate\n' >"$T/bad2.replay"
run 3 "$SPEAN" --data-dir "$T/kiosk-800x480" kiosk --replay "$T/bad2.replay"
err_has "unknown command 'frobnicate'"
# A broken content pack refuses to start.
mkdir -p "$T/pack" && cp -r "$SPEAN_CONTENT_DIR"/. "$T/pack/"
sed -i 's/^q.hiv = .*$//' "$T/pack/strings.km"
run 2 "$SPEAN" --data-dir "$T/kiosk-800x480" kiosk --content "$T/pack" --replay "$T/bad.replay"
err_has "the km catalog has no text for 'q.hiv'"
# ... and so does a missing, cut or odd picture, naming the question and the file.
cp "$SPEAN_CONTENT_DIR/strings.km" "$T/pack/"
run 0 "$SPEAN" content check --content "$T/pack"
out_has "26 pictures"
mv "$T/pack/icons/chains.bmp" "$T/chains.bmp"
run 2 "$SPEAN" --data-dir "$T/kiosk-800x480" kiosk --content "$T/pack" --replay "$T/bad.replay"
err_has "content pack refused: $T/pack/icons/chains.bmp: missing from the pack (the picture of question trafficking)"
head -c 3000 "$T/chains.bmp" >"$T/pack/icons/chains.bmp"
run 2 "$SPEAN" content check --content "$T/pack"
err_has "icons/chains.bmp: BMP pixel rows at 122, 65536 bytes for 128x128 px, in a file of 3000 bytes"
# A BMP that is not square (the header's height halved: the first half of the rows).
python3 - "$T/chains.bmp" "$T/pack/icons/chains.bmp" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
w, h = struct.unpack_from('<ii', b, 18)
struct.pack_into('<i', b, 22, h // 2)
open(sys.argv[2], 'wb').write(b)
PY
run 2 "$SPEAN" content check --content "$T/pack"
err_has "chains.bmp: 128x64 px; a picture is square"
# The kiosk's start checks every picture's header (not its pixels, read when first shown): a cut one refuses it.
printf 'tap start\ntap lang_vi\ntap consent_yes\ntap who_self\nexpect answer_yes\n' >"$T/q.replay"
cp "$T/chains.bmp" "$T/pack/icons/chains.bmp"
run 0 "$SPEAN" --data-dir "$T/kiosk-800x480" kiosk --content "$T/pack" --replay "$T/q.replay"
head -c 3000 "$SPEAN_CONTENT_DIR/icons/memo.bmp" >"$T/pack/icons/memo.bmp"
run 2 "$SPEAN" --data-dir "$T/kiosk-800x480" kiosk --content "$T/pack" --replay "$T/q.replay"
err_has "content pack refused: $T/pack/icons/memo.bmp: BMP pixel rows"
# A header claiming 60000x60000 px is refused from the header, before any pixel memory.
python3 - "$SPEAN_CONTENT_DIR/icons/memo.bmp" "$T/pack/icons/memo.bmp" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
struct.pack_into('<ii', b, 18, 60000, 60000)
open(sys.argv[2], 'wb').write(b)
PY
run 2 "$SPEAN" --data-dir "$T/kiosk-800x480" kiosk --content "$T/pack" --replay "$T/q.replay"
err_has "icons/memo.bmp: 60000x60000 px; a picture is square, 32 to 1024 px"
# A picture name that leaves the pack: refused in questions.conf itself.
cp "$SPEAN_CONTENT_DIR/icons/memo.bmp" "$T/pack/icons/"
sed -i 's/^icon = memo$/icon = ..\/..\/memo/' "$T/pack/questions.conf"
run 2 "$SPEAN" content check --content "$T/pack"
err_has "questions.conf: line 12: icon is one name of A-Z a-z 0-9 . _ - (not a path)"
done_tests

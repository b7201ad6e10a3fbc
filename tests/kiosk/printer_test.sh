#!/usr/bin/env bash
# The receipt printer from the real kiosk: a request made on screen prints a receipt whose ESC/POS
# bytes decode to an image whose QR (read by zbarimg) is the request's id; an unplugged printer and a
# stalled one are told on screen, and the request is stored all the same; provision's --printer checks.
. "$(dirname "$0")/../integration/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy SPEAN_TODAY=2026-05-20 SPEAN_IDLE=60,20,45
export SPEAN_CONTENT_DIR="$SPEAN_SOURCE_DIR/firmware/content/kiosk" SPEAN_FONT_DIR="$SPEAN_SOURCE_DIR/fonts"
C="$T/center" K="$T/kiosk"
"$CENTER" init --data-dir "$C" >/dev/null || exit 2
# The resident's walk up to the receipt (the likely-eligible script), then what the printer says.
sed '/^state receipt$/q' "$here/vi_likely_eligible.replay" >"$T/walk.replay"
says() { grep "^receipt.$1 = " "$SPEAN_CONTENT_DIR/strings.vi" | sed 's/^[^=]*= //'; }
replay() { # replay WAIT_MS EXPECTED_TEXT SHOT
	cp "$T/walk.replay" "$T/r.replay"
	printf 'wait %s\nexpect %s\noverflow\nshot %s\n' "$1" "$2" "$3" >>"$T/r.replay"
	run 0 "$SPEAN" --data-dir "$K" kiosk --replay "$T/r.replay" --shots "$T"
}

# A printer that takes the bytes (a file standing in for /dev/usb/lp0, which exists when one is plugged in).
: >"$T/lp0"
run 0 "$SPEAN" --data-dir "$K" provision --center-key "$C/center.pub" --printer "$T/lp0" --paper 58
out_has "receipt printer set: $T/lp0, 58 mm paper"
# What is not a printer is refused before anything changes; usb and usb:VVVV:PPPP are printers (libusb).
for bad in lp0 usbx usb:0fe6 usb:0fe6:811g usb:0000:0000 "usb:0fe6:811e:1"; do
	run 2 "$SPEAN" --data-dir "$K" provision --center-key "$C/center.pub" --printer "$bad" --paper 58
	err_has "--printer wants 'usb' (the first USB printer), 'usb:VVVV:PPPP'"
done
run 2 "$SPEAN" --data-dir "$K" provision --center-key "$C/center.pub" --printer usb --paper 57
err_has "--paper wants 58 or 80 (mm), not '57'"
run 2 "$SPEAN" --data-dir "$K" provision --center-key "$C/center.pub" --paper 80
err_has "--paper goes with --printer"
[ "$(cat "$K/printer")" = "$T/lp0 58" ] && pass || fail "a refused --printer changed the printer file"
run 0 "$SPEAN" --data-dir "$K" provision --center-key "$C/center.pub" --printer usb:0FE6:811e --paper 80
out_has "receipt printer set: usb:0FE6:811e, 80 mm paper"
[ "$(cat "$K/printer")" = "usb:0FE6:811e 80" ] && pass || fail "printer file: $(cat "$K/printer")"
run 0 "$SPEAN" --help
out_has "usb:VVVV:PPPP (by hex vendor:product id) or a usblp device"
run 0 "$SPEAN" --data-dir "$K" provision --center-key "$C/center.pub" --printer "$T/lp0" --paper 58
replay 1500 "$(says printed)" printed
run 0 "$ESCPOS_PBM" "$T/lp0" "$T/receipt.pbm"
out_has "384 x"
out_has "cut"
run 0 zbarimg --raw -q "$T/receipt.pbm"
qr=$(cat "$T/out")
run 0 "$CENTER" open --data-dir "$C" --kiosk "$K"
grep -q "^id = $qr\$" "$T/out" && pass || fail "the printed QR ($qr) is not the stored request's id"
grep -q "Thạch" "$T/lp0" && fail "the name went to the printer" || pass

# Unplugged: nothing at the configured place.
run 0 "$SPEAN" --data-dir "$K" provision --center-key "$C/center.pub" --printer "$T/gone/lp0" --paper 80
replay 1000 "$(says print_unplugged)" unplugged
# Unplugged over libusb: no USB device with these ids (the mocked USB printer is print_usb_test's).
run 0 "$SPEAN" --data-dir "$K" provision --center-key "$C/center.pub" --printer usb:ffff:fffe --paper 58
replay 1000 "$(says print_unplugged)" usb_unplugged
# Stalled: a printer that stops taking bytes (a pipe whose reader never reads, 4 KiB deep).
mkfifo "$T/stuck"
python3 -c "
import fcntl, os, time
fd = os.open('$T/stuck', os.O_RDONLY | os.O_NONBLOCK)
fcntl.fcntl(fd, 1031, 4096)  # F_SETPIPE_SZ
time.sleep(30)" &
reader=$!
sleep 0.3
run 0 "$SPEAN" --data-dir "$K" provision --center-key "$C/center.pub" --printer "$T/stuck"
SPEAN_PRINT_TIMEOUT_MS=800 replay 2500 "$(says print_stalled)" stalled
kill "$reader" 2>/dev/null
# Whatever the printer did, all four requests are stored.
run 0 "$SPEAN" --data-dir "$K" requests status
out_is "$(printf 'held 4\ndelivered 0')"
done_tests

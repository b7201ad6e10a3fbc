# /usr/lib/spean/test/usb.sh (spean.check=usb), sourced by check.sh: the USB cable and the receipt printer on
# the real kernel's gadget stack, in one boot. dummy_hcd (two UDCs) is loaded after boot, as a controller
# whose module comes late: udev starts spean-usb-gadget.service (debian/spean.udev), which restarts the
# running kiosk; the kiosk writes its FunctionFS descriptors and spean-usb-bind.service attaches the gadget
# to the first UDC. The host side of dummy_hcd is this same VM.
#   requests   1,000 requests held by the kiosk (made by spean requests add: on the host, see below)
#   bound      the packaged units did it: the kiosk restarted by the gadget unit, ffs.spean on dummy_udc.0
#   cable      spean-center usb (as the user spean-center: debian/spean-center.udev) receives them; the
#              kiosk's own sync (it syncs when the cable goes in); its throughput through the real kernel
#   delivered  every one once at the center (status, and the ids in its export), the kiosk's status
#   printer    the configfs printer function (usb_f_printer) on dummy_udc.1; the kernel's usblp binds it
#   receipt    a journey tapped on the uinput touchscreen prints the receipt through /dev/usb/lp0, then
#              through libusb (usb:0525:a4a8, usblp detached); each time the bytes the gadget read from
#              /dev/g_printer0 go to the host in base64 (it decodes the ESC/POS and reads the QR) with the id
#              of the request the journey stored
N=${SPEAN_USB_REQUESTS:-1000}
cfs=/sys/kernel/config/usb_gadget
wait_for() { # wait_for SECONDS COMMAND...: until COMMAND succeeds
	local i=0 n=$(($1 * 10))
	shift
	until "$@"; do
		i=$((i + 1))
		[ $i -lt $n ] || return 1
		sleep 0.1
	done
}
center_as() { runuser -u spean-center -- spean-center "$@"; }
held() { spean_as requests status | sed -n "s/^$1 //p"; }
# The kiosk journal's last cursor: what it says from here on.
cursor() { journalctl -u spean-kiosk.service -n 1 -o json --no-pager | sed -n 's/.*"__CURSOR":"\([^"]*\)".*/\1/p'; }

kiosk_wait_active || fail "the kiosk unit is not active"
# The kiosk holds N requests. The host made them with the image's own binary and 'spean requests add' on a
# copy of this kiosk's data dir (natively: in TCG each add takes about 0.3 s) and hands the store over on a
# tar through QEMU's fw_cfg (opt/spean/requests); without it, they are made here, the same command as the user spean.
for a in $(cat /proc/cmdline); do
	case $a in spean.requests=*) N=${a#spean.requests=} ;; esac
done
held0=$(held held) delivered0=$(held delivered)
t0=$(uptime_ms)
modprobe qemu_fw_cfg 2>/dev/null
tarball=/sys/firmware/qemu_fw_cfg/by_name/opt/spean/requests/raw
if [ -e $tarball ]; then
	made=host
	old=$(systemctl show -p MainPID --value spean-kiosk.service)
	systemctl stop spean-kiosk.service
	# The store replaced whole: no write-ahead log of the old one may be left next to it.
	rm -f /var/lib/spean/spean.db-wal /var/lib/spean/spean.db-shm /var/lib/spean/spean.db-journal
	cat $tarball >/run/requests.tar && tar -xf /run/requests.tar -C /var/lib/spean --no-same-owner ||
		fail "the requests' tar does not unpack"
	rm -f /run/requests.tar
	chown -R spean:spean /var/lib/spean
	systemctl start spean-kiosk.service
	kiosk_wait_active "$old" || fail "the kiosk did not start on the store with the requests"
	held0=0 delivered0=0
else
	made=guest
	mkdir -p /run/usbcheck
	printf 'request_date = 2026-05-20\nbirth_date = 1960-06-06\nhousehold = poor\n' >/run/usbcheck/f.txt
	printf 'name = Thạch Thị Mẫu\ncommune_code = 90032\nconsent = yes\n' >/run/usbcheck/c.txt
	chmod 0755 /run/usbcheck && chmod 0644 /run/usbcheck/*.txt
	runuser -u spean -- sh -c "i=0; while [ \$i -lt $N ]; do spean --data-dir /var/lib/spean requests add \
		--facts /run/usbcheck/f.txt --contact /run/usbcheck/c.txt >/dev/null || exit 1; i=\$((i + 1)); done" ||
		fail "requests add failed"
fi
mkdir -p /run/usbcheck
[ "$(held held)" = $((held0 + N)) ] && [ "$(held delivered)" = "$delivered0" ] ||
	fail "the kiosk holds $(held held) (delivered $(held delivered)), not $((held0 + N))"
du_kib=$(du -sk /var/lib/spean | cut -f1)
mark "requests made=$N by=$made ms=$(($(uptime_ms) - t0)) held=$(held held) store_kib=$du_kib"

# The office side first, waiting for kiosks (hotplug), as its own user; the kiosk enrolled at the center.
center_as enroll --data-dir /var/lib/spean-center "$(spean_as identity)" >/dev/null || fail "enroll failed"
center_as status --data-dir /var/lib/spean-center >/run/usbcheck/center0.txt
c0=$(sed -n 's/^requests //p' /run/usbcheck/center0.txt)
runuser -u spean-center -- spean-center usb --data-dir /var/lib/spean-center --kiosks 1 >/run/usbcheck/center.log 2>&1 &
center=$!
wait_for 30 grep -q 'waiting for kiosks (hotplug)' /run/usbcheck/center.log || fail "spean-center usb: $(cat /run/usbcheck/center.log)"

# The controller comes: udev, the gadget unit, the kiosk restarted, the bind unit.
kpid=$(systemctl show -p MainPID --value spean-kiosk.service)
modprobe dummy_hcd num=2 || fail "modprobe dummy_hcd"
wait_for 30 test -e /sys/class/udc/dummy_udc.1 || fail "no dummy_udc.1: $(ls /sys/class/udc)"
wait_for 60 systemctl -q is-active spean-usb-gadget.service || fail "udev did not start the gadget unit: $(systemctl status spean-usb-gadget.service 2>&1 | tail -5)"
kiosk_wait_active "$kpid" || fail "the kiosk was not restarted for the cable"
wait_for 60 systemctl -q is-active spean-usb-bind.service || fail "the bind unit: $(systemctl status spean-usb-bind.service 2>&1 | tail -8)"
udc=$(cat $cfs/spean/UDC)
[ "$udc" = dummy_udc.0 ] || fail "the kiosk's gadget is on '$udc', not dummy_udc.0"
ffs=$(stat -c '%G:%a' /run/spean-ffs/ep1)
mark "bound udc=$udc ffs_ep1=$ffs kiosk_pid_before=$kpid kiosk_pid=$(systemctl show -p MainPID --value spean-kiosk.service)"

# The sync: the kiosk starts it when the host configures the gadget (FUNCTIONFS_ENABLE).
wait_for 60 grep -q 'connected' /run/usbcheck/center.log || fail "the center saw no kiosk: $(cat /run/usbcheck/center.log)"
t0=$(uptime_ms)
wait_for 900 grep -q "^usb:   $N requests received" /run/usbcheck/center.log ||
	fail "the center did not receive $N: $(tail -3 /run/usbcheck/center.log)"
ms=$(($(uptime_ms) - t0))
wait_for 120 sh -c "[ \"\$(runuser -u spean -- spean --data-dir /var/lib/spean requests status | sed -n 's/^held //p')\" = $held0 ]" ||
	fail "the kiosk still holds $(held held)"
# The cable out (the gadget unbound): the center ends (--kiosks 1) and says what went over it.
echo "" >$cfs/spean/UDC
wait_for 60 sh -c "! kill -0 $center 2>/dev/null" || fail "spean-center usb did not end when the kiosk left"
wait "$center" || fail "spean-center usb exited $?: $(tail -3 /run/usbcheck/center.log)"
line=$(grep 'unplugged: ' /run/usbcheck/center.log)
bin=$(echo "$line" | sed -n 's/.*; \([0-9]*\) bytes in, \([0-9]*\) out.*/\1/p')
bout=$(echo "$line" | sed -n 's/.*; \([0-9]*\) bytes in, \([0-9]*\) out.*/\2/p')
mark "cable requests=$N ms=$ms bytes_in=$bin bytes_out=$bout chunks=$(grep -c 'requests received' /run/usbcheck/center.log)"
! grep -qF 'Thạch' /run/usbcheck/center.log || fail "a name in the center's output"

# Exactly once at the center: its count, and the ids in its export (each once); the kiosk's count.
c1=$(center_as status --data-dir /var/lib/spean-center | sed -n 's/^requests //p')
[ "$c1" = $((c0 + N)) ] || fail "the center holds $c1 requests, want $((c0 + N))"
install -d -o spean-center -g spean-center -m 0700 /run/usbcheck/center
center_as export --data-dir /var/lib/spean-center --csv /run/usbcheck/center/export.csv >/dev/null || fail "export failed"
e=/run/usbcheck/center/export.csv
# The first column is the request's id (ma_yeu_cau), in hex.
rows=$(grep -cE '^"?[0-9a-f]{16,}"?,' $e)
uniq=$(grep -oE '^"?[0-9a-f]{16,}"?,' $e | sort -u | grep -c .)
[ "$rows" = "$c1" ] && [ "$uniq" = "$c1" ] || fail "export: $rows rows, $uniq ids, want $c1"
kheld=$(held held) kdel=$(held delivered)
[ "$kheld" = "$held0" ] && [ "$kdel" = $((delivered0 + N)) ] || fail "the kiosk says held $kheld delivered $kdel"
mark "delivered center=$c1 export_rows=$rows export_ids=$uniq kiosk_held=$kheld kiosk_delivered=$kdel"

# The cable stays out from here on: the kiosk restarted to read its printer would otherwise be attached
# again (spean-usb-bind.service comes with it) to a host where no center answers.
systemctl mask --runtime spean-usb-bind.service >/dev/null

# The printer: usb_f_printer on the second UDC, as a receipt printer would be plugged in.
p=$cfs/printer
modprobe usb_f_printer 2>/dev/null || true
mkdir $p || fail "no configfs gadget for the printer"
echo 0x0525 >$p/idVendor && echo 0xa4a8 >$p/idProduct && echo 0x0200 >$p/bcdUSB
mkdir $p/strings/0x409 && echo "Spean test" >$p/strings/0x409/manufacturer && echo "receipt printer" >$p/strings/0x409/product
mkdir $p/functions/printer.usb0 || fail "no usb_f_printer"
echo 'MFG:Spean;MDL:Receipt;CMD:ESC/POS;CLS:PRINTER;' >$p/functions/printer.usb0/pnp_string
echo 10 >$p/functions/printer.usb0/q_len
mkdir $p/configs/c.1 && ln -s $p/functions/printer.usb0 $p/configs/c.1/
echo dummy_udc.1 >$p/UDC || fail "the printer gadget does not bind dummy_udc.1"
wait_for 30 test -c /dev/usb/lp0 || fail "usblp did not bind the printer: $(ls /dev/usb 2>&1)"
wait_for 30 test -c /dev/g_printer0 || fail "no /dev/g_printer0"
dev=$(grep -l '^a4a8$' /sys/bus/usb/devices/*/idProduct | head -1)
dev=${dev%/idProduct}
node=/dev/bus/usb/$(printf %03d "$(cat "$dev/busnum")")/$(printf %03d "$(cat "$dev/devnum")")
udevadm settle
mark "printer lp0=$(stat -c '%G:%a' /dev/usb/lp0) usbdev=$(stat -c '%G:%a' "$node") g_printer=$(stat -c '%G:%a' /dev/g_printer0) driver=$(basename "$(readlink "$dev/${dev##*/}:1.0/driver")")"

# The ids of the kiosk's requests, as the center opens them: from copies (open may write; neither store is
# root's to touch), kept in /run (personal data never leaves the VM).
ids() {
	rm -rf /run/usbcheck/k /run/usbcheck/c
	cp -a /var/lib/spean /run/usbcheck/k && cp -a /var/lib/spean-center /run/usbcheck/c
	spean-center open --data-dir /run/usbcheck/c --kiosk /run/usbcheck/k 2>/dev/null | sed -n 's/^id = //p' | sort
}
receipt() { # receipt NAME PRINTER: a journey by touch prints one receipt on PRINTER
	local name=$1 printer=$2
	spean_as provision --center-key /usr/lib/spean/test/center.pub --printer "$printer" --paper 58 >/dev/null ||
		fail "provision --printer $printer"
	local old
	old=$(systemctl show -p MainPID --value spean-kiosk.service)
	systemctl restart spean-kiosk.service
	kiosk_wait_active "$old" || fail "the kiosk did not come back after provisioning the printer"
	sleep 2
	ids >/run/usbcheck/ids-before
	cat /dev/g_printer0 >/run/usbcheck/$name.bin &
	local cat=$! cur
	cur=$(cursor)
	# Done when the request is stored, the bytes end with the cut (GS V B 0: the kiosk's receipt always
	# ends so) and the gadget has read nothing new for 2 s. Quiet alone is not the end: under TCG on a
	# busy host the kiosk once paused over 3 s between bands (CI read 24 KiB of a receipt). (The kiosk
	# runs at its unit's log level, warn: no line says 'printed'; a failed print would say why.) The print
	# time runs from the request seen stored (polled: about 0.5 s in TCG) to the last byte the gadget read.
	local f=/run/usbcheck/$name.bin t_stored=0 t_last=0 size=0 now sz held1 touch deadline
	deadline=$(($(uptime_ms) + 200000))
	held1=$(held held)
	/usr/lib/spean/test/touch 800 480 "${SPEAN_TOUCH_DELAY_MS:-600}" "$pid" </usr/lib/spean/test/touch.taps >/run/touch.log 2>&1 &
	touch=$!
	while :; do
		now=$(uptime_ms)
		sz=$(stat -c %s "$f")
		[ "$sz" = "$size" ] || { size=$sz t_last=$now; }
		if [ "$t_stored" = 0 ] && [ "$(held held)" != "$held1" ]; then t_stored=$now; fi
		[ "$t_stored" = 0 ] || [ "$size" -lt 4 ] || [ $((now - t_last)) -lt 2000 ] ||
			[ "$(tail -c 4 "$f" | od -An -tx1 | tr -d ' \n')" != 1d564200 ] || break
		[ "$now" -lt "$deadline" ] || {
			journalctl -u spean-kiosk.service -o short-monotonic --no-pager | grep -B40 -m1 'SEGV\|code=killed\|code=dumped' |
				sed 's/^/first-crash: /'
			sed 's/^/touch-log: /' /run/touch.log | tail -8
			echo "kiosk: $(systemctl is-active spean-kiosk.service) restarts=$(systemctl show -p NRestarts --value spean-kiosk.service) lp0=$(ls /dev/usb 2>&1 | tr '\n' ' ')"
			fail "$name: the kiosk did not print within 200 s (held $(held held); $size bytes at the gadget; taps: $(grep -c '^touch: [a-z]' /run/touch.log))"
		}
		sleep 0.1
	done
	wait $touch || { cat /run/touch.log; fail "the touch tool failed"; }
	journalctl -u spean-kiosk.service -o cat --after-cursor="$cur" | grep -E 'print' &&
		fail "$name: $(journalctl -u spean-kiosk.service -o cat --after-cursor="$cur" | grep -E 'print' | tail -3)"
	sleep 1
	kill "$cat"
	wait "$cat" 2>/dev/null
	ids >/run/usbcheck/ids-after
	local id
	id=$(comm -13 /run/usbcheck/ids-before /run/usbcheck/ids-after)
	[ "$(echo "$id" | grep -c .)" = 1 ] || fail "$name: the journey stored $(echo "$id" | grep -c .) requests"
	# The bytes for the host, between markers, in base64 (the guest has no python for the decoding).
	mark "bytes name=$name n=$(stat -c %s "$f") sha256=$(sha256sum "$f" | cut -c1-64)"
	base64 -w 96 "$f" | sed "s/^/SPEAN-B64 $name /" >"/dev/$console"
	mark "receipt name=$name id=$id print_ms=$((t_last - t_stored)) lp0=$([ -e /dev/usb/lp0 ] && echo bound || echo detached)"
}
receipt lp0 /dev/usb/lp0
receipt libusb usb:0525:a4a8
[ ! -e /dev/usb/lp0 ] || fail "usblp is still bound after the libusb job (it should have been detached)"
mark "end ok"

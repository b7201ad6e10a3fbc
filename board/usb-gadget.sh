#!/usr/bin/env bash
# board/usb-gadget.sh up|bind|down: the kiosk's USB gadget for cable sync, through configfs (usb.md).
#   up    make gadget "spean" with one FunctionFS function (ffs.spean), MS OS descriptors on (Windows
#         binds WinUSB without a driver), and mount FunctionFS at $SPEAN_FFS_DIR (/run/spean-ffs)
#   bind  attach it to the board's USB device controller (after the kiosk wrote its descriptors to ep0)
#   down  detach, unmount and remove everything `up` made (safe to run twice)
# 1209:0001 is pid.codes' test PID: fine for development, not for a release (usb.md).
# SPEAN_FFS_GROUP: mount FunctionFS with its files in that group (mode 0660, the kiosk not running as root).
# SPEAN_CONFIGFS (default /sys/kernel/config) and SPEAN_GADGET_FAKE=1 let tests run it on a plain
# directory: no modprobe, no mount, no controller, and plain files stand in for configfs attributes.
set -euo pipefail
what=${1:-}
cfs=${SPEAN_CONFIGFS:-/sys/kernel/config}
g=$cfs/usb_gadget/spean
ffs=${SPEAN_FFS_DIR:-/run/spean-ffs}
fake=${SPEAN_GADGET_FAKE:-}
vid=${SPEAN_USB_VID:-0x1209} pid=${SPEAN_USB_PID:-0x0001}
serial=${SPEAN_USB_SERIAL:-$(cut -c1-16 /etc/machine-id 2>/dev/null || echo spean0)}

put() { printf '%s\n' "$2" >"$1"; }

up() {
	# SPEAN_FFS_GROUP (spean-usb-gadget.service: spean): the endpoint files belong to the kiosk's group,
	# so the kiosk opens them without root. Checked before anything is made.
	local opts=() gid=
	if [ -n "${SPEAN_FFS_GROUP:-}" ]; then
		gid=$(getent group "$SPEAN_FFS_GROUP" | cut -d: -f3) || true
		[ -n "$gid" ] || { echo "usb-gadget: no group $SPEAN_FFS_GROUP (SPEAN_FFS_GROUP)" >&2; exit 1; }
		opts=(-o "gid=$gid,rmode=0770,fmode=0660")
	fi
	if [ -z "$fake" ]; then
		modprobe libcomposite 2>/dev/null || true
		[ -d "$cfs/usb_gadget" ] || { echo "usb-gadget: no configfs gadget support at $cfs/usb_gadget (libcomposite, configfs mounted?)" >&2; exit 1; }
	fi
	if [ -d "$g" ]; then
		echo "usb-gadget: $g exists already (run 'down' first)" >&2
		exit 1
	fi
	mkdir -p "$g"
	put "$g/idVendor" "$vid"
	put "$g/idProduct" "$pid"
	put "$g/bcdUSB" 0x0200
	put "$g/bcdDevice" 0x0100
	mkdir -p "$g/strings/0x409"
	put "$g/strings/0x409/serialnumber" "$serial"
	put "$g/strings/0x409/manufacturer" "Spean"
	put "$g/strings/0x409/product" "Spean legal-aid kiosk"
	mkdir -p "$g/configs/c.1/strings/0x409"
	put "$g/configs/c.1/strings/0x409/configuration" "Spean sync"
	put "$g/configs/c.1/bmAttributes" 0xC0 # self-powered: the kiosk has its own supply
	put "$g/configs/c.1/MaxPower" 2
	mkdir -p "$g/functions/ffs.spean"
	ln -s "$g/functions/ffs.spean" "$g/configs/c.1/"
	# MS OS 1.0: Windows asks for string 0xEE "MSFT100" with this vendor code, then the compat ID.
	mkdir -p "$g/os_desc"
	put "$g/os_desc/use" 1
	put "$g/os_desc/b_vendor_code" 0xcd
	put "$g/os_desc/qw_sign" MSFT100
	ln -s "$g/configs/c.1" "$g/os_desc/"
	mkdir -p "$ffs"
	[ -n "$fake" ] || [ -z "$gid" ] || chgrp "$gid" "$ffs"
	[ -n "$fake" ] || mountpoint -q "$ffs" || mount -t functionfs "${opts[@]}" spean "$ffs"
	echo "usb-gadget: up; the kiosk now writes its descriptors to $ffs/ep0, then: $0 bind"
}

bind() {
	if [ -n "$fake" ]; then
		put "$g/UDC" fake-udc
		return
	fi
	udc=$(ls /sys/class/udc 2>/dev/null | head -1)
	[ -n "$udc" ] || { echo "usb-gadget: no USB device controller (is the port in OTG/peripheral mode?)" >&2; exit 1; }
	# FunctionFS makes the endpoint files once the kiosk has written its descriptors to ep0; binding earlier fails.
	for _ in $(seq 60); do [ -e "$ffs/ep1" ] && break; sleep 0.5; done
	[ -e "$ffs/ep1" ] || { echo "usb-gadget: the kiosk has not opened $ffs/ep0 yet (is spean running?)" >&2; exit 1; }
	put "$g/UDC" "$udc"
	echo "usb-gadget: bound to $udc"
}

down() {
	[ -d "$g" ] || { echo "usb-gadget: nothing to remove"; return; }
	[ -f "$g/UDC" ] && put "$g/UDC" "" 2>/dev/null || true
	[ -n "$fake" ] || ! mountpoint -q "$ffs" || umount "$ffs"
	rm -f "$g/os_desc/c.1" "$g/configs/c.1/ffs.spean"
	# configfs removes a directory's attributes with it; plain stand-in files must go first.
	[ -z "$fake" ] || find "$g" -type f -delete
	# Children first; the plain stand-ins also have the groups configfs makes by itself.
	for d in configs/c.1/strings/0x409 ${fake:+configs/c.1/strings} configs/c.1 functions/ffs.spean strings/0x409 \
		${fake:+os_desc functions configs strings}; do
		rmdir "$g/$d" 2>/dev/null || true
	done
	rmdir "$g"
	echo "usb-gadget: removed"
}

case $what in
up) up ;;
bind) bind ;;
down) down ;;
*)
	echo "usage: $0 up|bind|down" >&2
	exit 2
	;;
esac

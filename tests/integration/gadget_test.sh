#!/usr/bin/env bash
# board/usb-gadget.sh on a plain directory standing in for configfs (no USB controller on build machines):
# the gadget's identity, the FunctionFS function linked into the configuration, MS OS descriptors on,
# bind, teardown leaving nothing, and clear refusals.
. "$(dirname "$0")/lib.sh"
S="$SPEAN_SOURCE_DIR/board/usb-gadget.sh"
export SPEAN_CONFIGFS="$T/cfs" SPEAN_FFS_DIR="$T/ffs" SPEAN_GADGET_FAKE=1 SPEAN_USB_SERIAL=k0001
g="$T/cfs/usb_gadget/spean"
run 0 bash "$S" up
out_has "usb-gadget: up"
[ "$(cat "$g/idVendor")" = 0x1209 ] && [ "$(cat "$g/idProduct")" = 0x0001 ] && pass || fail "VID:PID"
[ "$(cat "$g/strings/0x409/serialnumber")" = k0001 ] && pass || fail "serial"
[ -L "$g/configs/c.1/ffs.spean" ] && [ "$(readlink "$g/configs/c.1/ffs.spean")" = "$g/functions/ffs.spean" ] && pass ||
	fail "function linked into the configuration"
[ "$(cat "$g/os_desc/use")" = 1 ] && [ "$(cat "$g/os_desc/qw_sign")" = MSFT100 ] && [ -L "$g/os_desc/c.1" ] && pass ||
	fail "MS OS descriptors on, for configuration c.1"
[ "$(cat "$g/configs/c.1/bmAttributes")" = 0xC0 ] && pass || fail "self-powered"
run 1 bash "$S" up
err_has "exists already"
run 0 bash "$S" bind
[ "$(cat "$g/UDC")" = fake-udc ] && pass || fail "bound"
run 0 bash "$S" down
out_has "removed"
[ -e "$g" ] && fail "gadget left behind: $(find "$g")" || pass
run 0 bash "$S" down
out_has "nothing to remove"
# The FunctionFS files for the kiosk's group: a group that does not exist is refused before anything is made.
SPEAN_FFS_GROUP=no-such-group-spean run 1 bash "$S" up
err_has "no group no-such-group-spean"
[ -e "$g" ] && fail "gadget made despite the missing group" || pass
SPEAN_FFS_GROUP=root run 0 bash "$S" up
run 0 bash "$S" down
run 2 bash "$S" sideways
err_has "usage"
done_tests

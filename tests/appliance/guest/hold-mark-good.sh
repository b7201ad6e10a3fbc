#!/bin/sh
# /usr/lib/spean/test/hold-mark-good.sh (test images only: ExecStartPre= of spean-mark-good.service through a
# drop-in). Under spean.check=update, spean-mark-good.service waits until the check has reported its boot
# (/run/spean-mark-good.go, 600 s at most): a slot the service leaves at once (the broken one) would otherwise
# reboot before the check's markers are out. Any other boot: no wait.
grep -q 'spean.check=update' /proc/cmdline || exit 0
i=0
while [ ! -e /run/spean-mark-good.go ] && [ $i -lt 3000 ]; do
	i=$((i + 1))
	sleep 0.2
done
exit 0

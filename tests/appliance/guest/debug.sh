# spean.check=debug (while developing a check): the journey's taps on the touchscreen with a crash backtrace
# (segv.so: LD_PRELOADed, return addresses only), then the kiosk unit's state and its journal's crashes.
mkdir -p /run/systemd/system/spean-kiosk.service.d
printf '[Service]\nEnvironment=LD_PRELOAD=/usr/lib/spean/test/segv.so\n' >/run/systemd/system/spean-kiosk.service.d/debug.conf
systemctl daemon-reload
systemctl restart spean-kiosk.service
kiosk_wait_active || fail "not active"
/usr/lib/spean/test/touch 800 480 600 "$pid" </usr/lib/spean/test/touch.taps >/run/touch.log 2>&1
sleep 3
spean_as requests status
systemctl show -p NRestarts spean-kiosk.service
journalctl -b -u spean-kiosk.service -o cat --no-pager | grep -A8 "segv.so"
fail "debug: above"

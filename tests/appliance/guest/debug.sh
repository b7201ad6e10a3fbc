# spean.check=debug (while developing a check): the kiosk unit with its debug log for 30 s, then its state,
# main process status and journal on the serial console.
mkdir -p /run/systemd/system/spean-kiosk.service.d
printf '[Service]\nEnvironment=SPEAN_LOG=debug\n' >/run/systemd/system/spean-kiosk.service.d/debug.conf
systemctl daemon-reload
systemctl restart spean-kiosk.service
sleep 30
systemctl show -p ExecMainCode -p ExecMainStatus -p ActiveState -p SubState -p NRestarts spean-kiosk.service
fail "debug: the kiosk unit's journal above"

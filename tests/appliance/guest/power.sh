# /usr/lib/spean/test/power.sh (spean.check=power; the host masks spean-kiosk.service), sourced by check.sh:
# one life between two power cuts (tests/appliance/power_test.sh kills QEMU). First the store as the cut
# left it: 'spean check' (the full integrity check) and the held count; then requests added one after
# another as the kiosk's user, each one's id marked only once 'requests add' printed it (it prints the id
# once the request is durable): the host's list of acknowledged requests. spean.power=final: check, count,
# power off cleanly.
spean_as check >/run/check.out 2>&1 || { cat /run/check.out; fail "the store's check failed after a cut"; }
held=$(spean_as requests status | sed -n 's/^held //p')
mark "store ok held=$held"
if grep -qw spean.power=final /proc/cmdline; then
	mark "end ok"
	systemctl poweroff
	exit 0
fi
mark "adding"
while :; do
	id=$(spean_as requests add --facts /usr/lib/spean/test/power.facts --contact /usr/lib/spean/test/power.contact) ||
		fail "requests add failed"
	mark "ack $id"
	# Also on the data partition, durable (fsync) before the next add: a write-log replay (long.sh) checks
	# each flush point against the acks that point itself holds.
	echo "$id" >>/var/lib/spean-test/acked && sync /var/lib/spean-test/acked
done

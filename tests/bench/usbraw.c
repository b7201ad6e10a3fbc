/*
 * spean-usbraw, a benchmark helper (tests/bench/usb.sh): the kiosk's real cable transport
 * (sync/transport_usb_gadget.c) pushing MIB mebibytes to the office in 4 MiB messages that
 * are not protocol messages, so the center refuses each after reading it whole: what is timed
 * is the bytes crossing the cable (framing, CRC32, threads, libusb), not the center's work.
 * usage: spean-usbraw FFSDIR MIB   prints "BYTES MS CPU_MS" (CPU: this process, all its threads)
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "clock.h"
#include "crypt.h"
#include "mem.h"
#include "usbgadget.h"

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: spean-usbraw FFSDIR MIB\n");
		return 2;
	}
	long mib = strtol(argv[2], NULL, 10);
	struct usb_gadget *g;
	struct sync_transport *t;
	struct diag d = {""};
	if (mib < 4 || usb_gadget_open(&g, argv[1], NULL, NULL, &d)) {
		fprintf(stderr, "spean-usbraw: %s\n", d.msg[0] ? d.msg : "MIB must be at least 4");
		return 1;
	}
	if (!usb_gadget_wait(g, 30000) || transport_usb_gadget_create(&t, g, 60000, &d)) {
		fprintf(stderr, "spean-usbraw: no cable: %s\n", d.msg);
		usb_gadget_close(g);
		return 1;
	}
	struct buf msg, reply;
	buf_init(&msg);
	buf_init(&reply);
	buf_reserve(&msg, 4u << 20);
	crypt_random(msg.data, 4u << 20);
	msg.len = 4u << 20;
	int rc = 0;
	uint64_t t0 = clock_mono_ns();
	for (long i = 0; i < mib / 4 && !rc; i++)
		if (t->ops->exchange(t, &msg, &reply, &d) != ERR_REFUSED) /* read whole, then refused: as intended */
			rc = 1;
	uint64_t t1 = clock_mono_ns();
	if (rc)
		fprintf(stderr, "spean-usbraw: the cable failed: %s\n", d.msg);
	else {
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		long cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000L + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000L;
		printf("%ld %llu %ld\n", mib / 4 * (4L << 20), (unsigned long long)((t1 - t0) / 1000000u), cpu_ms);
	}
	buf_finish(&msg);
	buf_finish(&reply);
	t->ops->destroy(t);
	usb_gadget_close(g);
	return rc;
}

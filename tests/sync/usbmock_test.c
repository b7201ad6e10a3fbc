/*
 * tests/lib/usbmock against the real libusb (run under umockdev-wrapper): enumeration by VID/PID and
 * serial, descriptors, a bound kernel driver detached, claim, bulk OUT and IN (split URBs, ZLPs),
 * control requests, a timeout and the transfer after it, a stall and clear_halt, an idle wait that
 * costs no CPU, unplug during a transfer, replug, hotplug arrive/leave, and a child process.
 */
#include <errno.h>
#include <libusb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"
#include "usbmock.h"

#define VID 0x1209
#define PID 0x0002
#define EP_OUT 0x01
#define EP_IN 0x82

/* A printer-like interface: class 7, bulk OUT 0x01 and IN 0x82, 512-byte packets. */
static const uint8_t config[] = {
	9, 2, 32, 0, 1, 1, 0, 0xc0, 1,	  /* config: 32 bytes, 1 interface, self-powered */
	9, 4, 0, 0, 2, 7, 1, 2, 0,	  /* interface 0: 2 endpoints, printer, bidirectional */
	7, 5, EP_OUT, 2, 0x00, 0x02, 0, /* bulk OUT, 512 */
	7, 5, EP_IN, 2, 0x00, 0x02, 0,	  /* bulk IN, 512 */
};

enum mode { TAKE, HOLD, STALL };

/* The device's side; callbacks run on usbmock's thread. */
static struct dev {
	pthread_mutex_t lock;
	enum mode out_mode;
	unsigned char out[1 << 17];
	size_t out_len;
	int out_calls, out_zlps;
	unsigned long last_out_urb;
	int out_urbs;
	/* IN: chunks, each ends the transfer it is read in (a short packet); a 0-length chunk is a ZLP. */
	unsigned char in[1 << 17];
	size_t in_len, in_at;
	size_t chunk_end[16];
	int chunks, chunk;
	int in_stall;
	int halts;
	uint8_t halt_ep;
} dev = {.lock = PTHREAD_MUTEX_INITIALIZER};

static struct usbmock *mock;

static int bulk_out(void *ctx, uint8_t ep, const uint8_t *data, size_t n)
{
	struct dev *d = ctx;
	pthread_mutex_lock(&d->lock);
	int rc;
	d->out_calls++;
	if (ep != EP_OUT) {
		rc = -EPROTO;
	} else if (d->out_mode == HOLD) {
		rc = USBMOCK_PENDING;
	} else if (d->out_mode == STALL) {
		rc = -EPIPE;
	} else {
		unsigned long id = usbmock_urb_id(mock);
		if (id != d->last_out_urb)
			d->out_urbs++, d->last_out_urb = id;
		if (!n)
			d->out_zlps++;
		if (n > sizeof d->out - d->out_len)
			n = sizeof d->out - d->out_len;
		memcpy(d->out + d->out_len, data, n);
		d->out_len += n;
		rc = (int)n;
	}
	pthread_mutex_unlock(&d->lock);
	return rc;
}

static int bulk_in(void *ctx, uint8_t ep, uint8_t *buf, size_t n)
{
	struct dev *d = ctx;
	pthread_mutex_lock(&d->lock);
	int rc;
	if (ep != EP_IN) {
		rc = -EPROTO;
	} else if (d->in_stall) {
		rc = -EPIPE;
	} else if (d->chunk >= d->chunks) {
		rc = USBMOCK_PENDING;
	} else {
		size_t left = d->chunk_end[d->chunk] - d->in_at;
		if (n > left)
			n = left;
		memcpy(buf, d->in + d->in_at, n);
		d->in_at += n;
		if (d->in_at == d->chunk_end[d->chunk])
			d->chunk++;
		rc = (int)n;
	}
	pthread_mutex_unlock(&d->lock);
	return rc;
}

static int control(void *ctx, const struct usb_ctrlrequest *s, uint8_t *data, size_t n)
{
	(void)ctx;
	if (s->bRequestType == 0xc0 && s->bRequest == 1 && s->wValue == 7) {
		size_t k = n < 5 ? n : 5;
		memcpy(data, "hello", k);
		return (int)k;
	}
	return -EPIPE;
}

static void clear_halt(void *ctx, uint8_t ep)
{
	struct dev *d = ctx;
	pthread_mutex_lock(&d->lock);
	d->halts++;
	d->halt_ep = ep;
	if (ep == EP_IN)
		d->in_stall = 0;
	pthread_mutex_unlock(&d->lock);
}

/* Queue one IN chunk (len may be 0: a ZLP) and offer it. */
static void in_chunk(const void *p, size_t len)
{
	pthread_mutex_lock(&dev.lock);
	memcpy(dev.in + dev.in_len, p, len);
	dev.in_len += len;
	dev.chunk_end[dev.chunks++] = dev.in_len;
	pthread_mutex_unlock(&dev.lock);
	usbmock_kick(mock);
}

static void set_out_mode(enum mode md)
{
	pthread_mutex_lock(&dev.lock);
	dev.out_mode = md;
	pthread_mutex_unlock(&dev.lock);
	usbmock_kick(mock);
}

static size_t out_len(void)
{
	pthread_mutex_lock(&dev.lock);
	size_t n = dev.out_len;
	pthread_mutex_unlock(&dev.lock);
	return n;
}

/* ---- the host ---- */

static libusb_context *ctx;
static atomic_int stop_events, arrived, left;

static void *events(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop_events)) {
		struct timeval tv = {0, 50000};
		libusb_handle_events_timeout_completed(ctx, &tv, NULL);
	}
	return NULL;
}

static int hotplug(libusb_context *c, libusb_device *d, libusb_hotplug_event ev, void *user)
{
	(void)c, (void)d, (void)user;
	atomic_fetch_add(ev == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED ? &arrived : &left, 1);
	return 0;
}

static void sleep_ms(int ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&t, NULL);
}

/* Wait up to 5 s for *v to reach want. */
static int wait_for(atomic_int *v, int want)
{
	for (int i = 0; i < 500 && atomic_load(v) < want; i++)
		sleep_ms(10);
	return atomic_load(v);
}

/* The device with our VID/PID and serial, opened; NULL if there is none. */
static libusb_device_handle *find(void)
{
	libusb_device **list;
	libusb_device_handle *h = NULL;
	ssize_t n = libusb_get_device_list(ctx, &list);
	for (ssize_t i = 0; i < n && !h; i++) {
		struct libusb_device_descriptor dd;
		if (libusb_get_device_descriptor(list[i], &dd) || dd.idVendor != VID || dd.idProduct != PID)
			continue;
		CHECK_INT(libusb_get_bus_number(list[i]), 1);
		CHECK_INT(libusb_get_device_address(list[i]), usbmock_devnum(mock));
		CHECK_INT(libusb_get_device_speed(list[i]), LIBUSB_SPEED_HIGH);
		CHECK_INT(dd.bcdDevice, 0x0104);
		CHECK_INT(dd.bNumConfigurations, 1);
		if (libusb_open(list[i], &h)) {
			CHECK(!"libusb_open");
			h = NULL;
			continue;
		}
		unsigned char s[64];
		int k = libusb_get_string_descriptor_ascii(h, dd.iSerialNumber, s, sizeof s);
		if (k < 0 || strcmp((char *)s, "MOCK-0001")) {
			CHECK(!"serial MOCK-0001");
			libusb_close(h);
			h = NULL;
		}
	}
	libusb_free_device_list(list, 1);
	return h;
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct pending_read {
	libusb_device_handle *h;
	unsigned char buf[4096];
	int rc, got;
	atomic_int done;
};

static void *read_thread(void *arg)
{
	struct pending_read *p = arg;
	p->rc = libusb_bulk_transfer(p->h, EP_IN, p->buf, sizeof p->buf, &p->got, 10000);
	atomic_store(&p->done, 1);
	return NULL;
}

static void transfer_done(struct libusb_transfer *t)
{
	*(int *)t->user_data = 1;
}

/* A second process: the same device through the inherited $UMOCKDEV_DIR and LD_PRELOAD. */
static int child_main(void)
{
	if (libusb_init(&ctx))
		return 10;
	libusb_device_handle *h = libusb_open_device_with_vid_pid(ctx, VID, PID);
	if (!h)
		return 11;
	if (libusb_claim_interface(h, 0))
		return 12;
	int got = 0;
	int rc = libusb_bulk_transfer(h, EP_OUT, (unsigned char *)"from the child", 14, &got, 2000);
	libusb_close(h);
	libusb_exit(ctx);
	return rc || got != 14 ? 13 : 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "child"))
		return child_main();
	if (!getenv("LD_PRELOAD") || !strstr(getenv("LD_PRELOAD"), "umockdev")) {
		fprintf(stderr, "run me under umockdev-wrapper (LD_PRELOAD=libumockdev-preload.so.0)\n");
		return 2;
	}
	const struct usbmock_desc desc = {
		.vid = VID, .pid = PID, .bcd_device = 0x0104,
		.manufacturer = "Spean Test", .product = "Mock printer", .serial = "MOCK-0001",
		.config = config, .config_len = sizeof config, .driver = "usblp", .speed_mbps = 480,
	};
	const struct usbmock_ops ops = {.bulk_out = bulk_out, .bulk_in = bulk_in, .control = control, .clear_halt = clear_halt};
	if (usbmock_start(&mock, &desc, &ops, &dev))
		return 1;
	CHECK(getenv("UMOCKDEV_DIR") && !strcmp(getenv("UMOCKDEV_DIR"), usbmock_dir(mock)));
	CHECK(libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG));
	CHECK_INT(libusb_init(&ctx), 0);
	libusb_hotplug_callback_handle hp;
	CHECK_INT(libusb_hotplug_register_callback(ctx, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
						   0, VID, PID, LIBUSB_HOTPLUG_MATCH_ANY, hotplug, NULL, &hp),
		  0);
	pthread_t ev;
	pthread_create(&ev, NULL, events, NULL);

	/* Enumeration, strings, descriptors. */
	libusb_device_handle *h = find();
	CHECK(h != NULL);
	if (!h)
		return t_done("sync_usbmock_test");
	libusb_device *d = libusb_get_device(h);
	struct libusb_device_descriptor dd;
	CHECK_INT(libusb_get_device_descriptor(d, &dd), 0);
	unsigned char s[64];
	CHECK(libusb_get_string_descriptor_ascii(h, dd.iManufacturer, s, sizeof s) > 0 && !strcmp((char *)s, "Spean Test"));
	CHECK(libusb_get_string_descriptor_ascii(h, dd.iProduct, s, sizeof s) > 0 && !strcmp((char *)s, "Mock printer"));
	CHECK_INT(libusb_get_string_descriptor_ascii(h, 9, s, sizeof s), LIBUSB_ERROR_PIPE); /* no such string */
	struct libusb_config_descriptor *cd;
	CHECK_INT(libusb_get_active_config_descriptor(d, &cd), 0);
	CHECK_INT(cd->bNumInterfaces, 1);
	const struct libusb_interface_descriptor *id = &cd->interface[0].altsetting[0];
	CHECK_INT(id->bInterfaceClass, 7);
	CHECK_INT(id->bNumEndpoints, 2);
	CHECK_INT(id->endpoint[0].bEndpointAddress, EP_OUT);
	CHECK_INT(id->endpoint[1].bEndpointAddress, EP_IN);
	CHECK_INT(id->endpoint[1].bmAttributes, LIBUSB_TRANSFER_TYPE_BULK);
	CHECK_INT(id->endpoint[1].wMaxPacketSize, 512);
	libusb_free_config_descriptor(cd);
	unsigned char raw[64];
	CHECK_INT(libusb_get_descriptor(h, LIBUSB_DT_CONFIG, 0, raw, sizeof raw), (int)sizeof config);
	CHECK(!memcmp(raw, config, sizeof config));

	/* The kernel's usblp has the interface until it is detached. */
	CHECK_INT(libusb_kernel_driver_active(h, 0), 1);
	CHECK_INT(libusb_claim_interface(h, 0), LIBUSB_ERROR_BUSY);
	CHECK_INT(libusb_detach_kernel_driver(h, 0), 0);
	CHECK_INT(libusb_kernel_driver_active(h, 0), 0);
	CHECK_INT(libusb_claim_interface(h, 0), 0);
	CHECK_INT(libusb_claim_interface(h, 1), LIBUSB_ERROR_NOT_FOUND);
	CHECK_INT(libusb_set_interface_alt_setting(h, 0, 0), 0);

	/* Control: a vendor request, an unknown one stalls. */
	CHECK_INT(libusb_control_transfer(h, 0xc0, 1, 7, 0, s, sizeof s, 1000), 5);
	CHECK(!memcmp(s, "hello", 5));
	CHECK_INT(libusb_control_transfer(h, 0xc0, 2, 0, 0, s, sizeof s, 1000), LIBUSB_ERROR_PIPE);

	/* Bulk OUT: small, then 40000 bytes (three 16 KiB URBs, in order). */
	static unsigned char big[65536], back[65536];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (unsigned char)(i * 7 + i / 251);
	int got = -1;
	CHECK_INT(libusb_bulk_transfer(h, EP_OUT, big, 100, &got, 1000), 0);
	CHECK_INT(got, 100);
	CHECK_INT(libusb_bulk_transfer(h, EP_OUT, big + 100, 40000, &got, 2000), 0);
	CHECK_INT(got, 40000);
	CHECK_INT(out_len(), 40100);
	CHECK(!memcmp(dev.out, big, 40100));
	CHECK_INT(dev.out_urbs, 4);

	/* Bulk IN: 40000 bytes into a 64 KiB read (four URBs, the third short, the fourth cancelled). */
	in_chunk(big, 40000);
	CHECK_INT(libusb_bulk_transfer(h, EP_IN, back, sizeof back, &got, 2000), 0);
	CHECK_INT(got, 40000);
	CHECK(!memcmp(back, big, 40000));
	/* Exactly 16 KiB twice, then the rest: whole URBs complete without ending the transfer. */
	in_chunk(big, 32768);
	in_chunk(big + 32768, 10);
	CHECK_INT(libusb_bulk_transfer(h, EP_IN, back, 32768, &got, 2000), 0);
	CHECK_INT(got, 32768);
	CHECK_INT(libusb_bulk_transfer(h, EP_IN, back, 512, &got, 2000), 0);
	CHECK_INT(got, 10);
	CHECK(!memcmp(back, big + 32768, 10));

	/* ZLPs. IN: 512 bytes, a zero-length packet, 3 bytes. */
	in_chunk(big, 512);
	in_chunk(big, 0);
	in_chunk("abc", 3);
	CHECK_INT(libusb_bulk_transfer(h, EP_IN, back, 1024, &got, 2000), 0);
	CHECK_INT(got, 512);
	CHECK_INT(libusb_bulk_transfer(h, EP_IN, back, 1024, &got, 2000), 0);
	CHECK_INT(got, 0);
	CHECK_INT(libusb_bulk_transfer(h, EP_IN, back, 1024, &got, 2000), 0);
	CHECK_INT(got, 3);
	/* OUT: a zero-length transfer, then 1024 bytes with LIBUSB_TRANSFER_ADD_ZERO_PACKET. */
	size_t before = out_len();
	CHECK_INT(libusb_bulk_transfer(h, EP_OUT, big, 0, &got, 1000), 0);
	CHECK_INT(got, 0);
	CHECK_INT(dev.out_zlps, 1);
	struct libusb_transfer *t = libusb_alloc_transfer(0);
	int completed = 0;
	libusb_fill_bulk_transfer(t, h, EP_OUT, big, 1024, transfer_done, &completed, 2000);
	t->flags = LIBUSB_TRANSFER_ADD_ZERO_PACKET;
	CHECK_INT(libusb_submit_transfer(t), 0);
	for (int i = 0; i < 200 && !completed; i++)
		sleep_ms(10);
	CHECK_INT(completed, 1);
	CHECK_INT(t->status, LIBUSB_TRANSFER_COMPLETED);
	CHECK_INT(t->actual_length, 1024);
	CHECK_INT(out_len(), before + 1024);
	CHECK_INT(dev.out_zlps, 2);
	libusb_free_transfer(t);

	/* A timeout: the device takes nothing; then it takes the next transfer (not the timed-out one). */
	set_out_mode(HOLD);
	before = out_len();
	CHECK_INT(libusb_bulk_transfer(h, EP_OUT, big, 300, &got, 200), LIBUSB_ERROR_TIMEOUT);
	CHECK_INT(got, 0);
	set_out_mode(TAKE);
	CHECK_INT(libusb_bulk_transfer(h, EP_OUT, big + 1000, 20, &got, 1000), 0);
	CHECK_INT(got, 20);
	CHECK_INT(out_len(), before + 20);
	CHECK(!memcmp(dev.out + before, big + 1000, 20));
	/* IN times out while nothing comes, then reads what comes. */
	CHECK_INT(libusb_bulk_transfer(h, EP_IN, back, 512, &got, 150), LIBUSB_ERROR_TIMEOUT);
	in_chunk("late", 4);
	CHECK_INT(libusb_bulk_transfer(h, EP_IN, back, 512, &got, 1000), 0);
	CHECK_INT(got, 4);

	/* A stall, then clear_halt reaches the device and the endpoint works again. */
	set_out_mode(STALL);
	CHECK_INT(libusb_bulk_transfer(h, EP_OUT, big, 64, &got, 1000), LIBUSB_ERROR_PIPE);
	pthread_mutex_lock(&dev.lock);
	dev.out_mode = TAKE;
	dev.in_stall = 1;
	pthread_mutex_unlock(&dev.lock);
	CHECK_INT(libusb_clear_halt(h, EP_OUT), 0);
	CHECK_INT(dev.halts, 1);
	CHECK_INT(dev.halt_ep, EP_OUT);
	CHECK_INT(libusb_bulk_transfer(h, EP_OUT, big, 64, &got, 1000), 0);
	CHECK_INT(got, 64);
	CHECK_INT(libusb_bulk_transfer(h, EP_IN, back, 64, &got, 1000), LIBUSB_ERROR_PIPE);
	/* A stall in a transfer of several URBs is a stall too, however soon it comes. */
	for (int i = 0; i < 20; i++)
		CHECK_INT(libusb_bulk_transfer(h, EP_IN, back, 40000, &got, 1000), LIBUSB_ERROR_PIPE);
	CHECK_INT(libusb_clear_halt(h, EP_IN), 0);
	CHECK_INT(dev.halt_ep, EP_IN);
	in_chunk("ok", 2);
	CHECK_INT(libusb_bulk_transfer(h, EP_IN, back, 64, &got, 1000), 0);
	CHECK_INT(got, 2);

	/* Waiting is idle: a read pending for 400 ms costs (almost) no CPU, and completes on a kick. */
	struct pending_read pr = {.h = h};
	pthread_t rt;
	double cpu0 = cpu_seconds();
	pthread_create(&rt, NULL, read_thread, &pr);
	sleep_ms(400);
	double idle_cpu = cpu_seconds() - cpu0;
	CHECK(!atomic_load(&pr.done));
	in_chunk("wake", 4);
	pthread_join(rt, NULL);
	CHECK_INT(pr.rc, 0);
	CHECK_INT(pr.got, 4);
	CHECK(!memcmp(pr.buf, "wake", 4));
	if (idle_cpu > 0.1)
		t_fail(__FILE__, __LINE__, "a pending read used %.3f s CPU in 0.4 s", idle_cpu);

	/* Another process: enumerates, claims after we release, writes. */
	CHECK_INT(libusb_release_interface(h, 0), 0);
	before = out_len();
	char *cargv[] = {argv[0], "child", NULL};
	char *cout = NULL, *cerr = NULL;
	int crc = t_run(cargv, &cout, &cerr);
	if (crc)
		t_fail(__FILE__, __LINE__, "child exited %d: %s", crc, cerr ? cerr : "");
	free(cout), free(cerr);
	CHECK_INT(out_len(), before + 14);
	CHECK(!memcmp(dev.out + before, "from the child", 14));
	CHECK_INT(libusb_claim_interface(h, 0), 0);

	/* Unplug during a pending read: NO_DEVICE, the hotplug callback sees it leave. */
	struct pending_read pr2 = {.h = h};
	pthread_create(&rt, NULL, read_thread, &pr2);
	sleep_ms(100);
	int devnum = usbmock_devnum(mock);
	usbmock_unplug(mock);
	pthread_join(rt, NULL);
	CHECK_INT(pr2.rc, LIBUSB_ERROR_NO_DEVICE);
	CHECK_INT(usbmock_devnum(mock), 0);
	CHECK_INT(wait_for(&left, 1), 1);
	CHECK_INT(libusb_bulk_transfer(h, EP_OUT, big, 8, &got, 500), LIBUSB_ERROR_NO_DEVICE);
	libusb_close(h);
	CHECK(find() == NULL);
	CHECK(libusb_open_device_with_vid_pid(ctx, VID, PID) == NULL);

	/* Replug: a new address, found again, usblp bound again, transfers work. */
	int arrived0 = atomic_load(&arrived);
	usbmock_plug(mock);
	CHECK(usbmock_devnum(mock) != devnum && usbmock_devnum(mock) > 0);
	CHECK_INT(wait_for(&arrived, arrived0 + 1), arrived0 + 1);
	h = find();
	CHECK(h != NULL);
	if (h) {
		CHECK_INT(libusb_set_auto_detach_kernel_driver(h, 1), 0);
		CHECK_INT(libusb_claim_interface(h, 0), 0);
		CHECK_INT(libusb_kernel_driver_active(h, 0), 0);
		CHECK_INT(libusb_bulk_transfer(h, EP_OUT, big, 5000, &got, 1000), 0);
		CHECK_INT(got, 5000);
		in_chunk("again", 5);
		CHECK_INT(libusb_bulk_transfer(h, EP_IN, back, 512, &got, 1000), 0);
		CHECK_INT(got, 5);
		CHECK_INT(libusb_release_interface(h, 0), 0);
		libusb_close(h);
	}
	CHECK_INT(atomic_load(&left), 1);

	libusb_hotplug_deregister_callback(ctx, hp);
	atomic_store(&stop_events, 1);
	libusb_interrupt_event_handler(ctx);
	pthread_join(ev, NULL);
	libusb_exit(ctx);
	usbmock_stop(mock);
	CHECK(getenv("UMOCKDEV_DIR") == NULL);
	return t_done("sync_usbmock_test");
}

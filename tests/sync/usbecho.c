/*
 * spean-usbecho, a test tool: the office side of sync_vcable_test. With the real libusb it finds the
 * kiosk by VID/PID and serial, checks its descriptors (vendor interface, bulk OUT 0x01 and IN 0x82 of
 * 512 bytes, the MS OS WINUSB compat ID), claims it and sends a reproducible byte stream in random
 * chunks, reading each back from an echoing kiosk and comparing. Stalls are cleared, timeouts
 * retried, an unplug is waited out and the chunk sent again; --expect-* says what must have happened.
 */
#include <libusb.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EP_OUT 0x01
#define EP_IN 0x82

static struct {
	uint16_t vid, pid;
	const char *serial;
	unsigned long long bytes, seed;
	size_t max_chunk;
	long long expect_corrupt; /* -1: none allowed */
	int expect_stall, expect_unplug, expect_timeout;
	unsigned in_timeout_ms;
} opt = {0x1209, 0x0001, "SPEAN-TEST-0001", 1 << 20, 1, 65536, -1, 0, 0, 0, 2000};

static libusb_context *ctx;
static unsigned long long stalls, timeouts, reconnects, chunks;

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Byte o of the stream: the same each time it is asked for (a chunk sent again is the same). */
static uint8_t stream_byte(unsigned long long o)
{
	uint64_t x = (o / 8) ^ (opt.seed * 0x9e3779b97f4a7c15ull);
	x ^= x >> 30, x *= 0xbf58476d1ce4e5b9ull, x ^= x >> 27, x *= 0x94d049bb133111ebull, x ^= x >> 31;
	return (uint8_t)(x >> (o % 8 * 8));
}

static uint64_t rnd_state;
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13, rnd_state ^= rnd_state >> 7, rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("usbecho: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(code);
}

/* The kiosk, opened and claimed, within 10 s; exits 3 if it does not come. */
static libusb_device_handle *find_kiosk(int say)
{
	long long until = now_ms() + 10000;
	while (now_ms() < until) {
		libusb_device **list;
		libusb_device_handle *found = NULL;
		ssize_t n = libusb_get_device_list(ctx, &list);
		for (ssize_t i = 0; i < n && !found; i++) {
			struct libusb_device_descriptor dd;
			libusb_device_handle *h;
			unsigned char s[128];
			if (libusb_get_device_descriptor(list[i], &dd) || dd.idVendor != opt.vid || dd.idProduct != opt.pid ||
			    libusb_open(list[i], &h))
				continue;
			if (libusb_get_string_descriptor_ascii(h, dd.iSerialNumber, s, sizeof s) > 0 &&
			    !strcmp((char *)s, opt.serial) && !libusb_claim_interface(h, 0))
				found = h;
			else
				libusb_close(h);
		}
		libusb_free_device_list(list, 1);
		if (found) {
			if (say)
				printf("usbecho: found %s at %d-%d\n", opt.serial, libusb_get_bus_number(libusb_get_device(found)),
				       libusb_get_device_address(libusb_get_device(found)));
			return found;
		}
		struct timespec t = {0, 20 * 1000 * 1000};
		nanosleep(&t, NULL);
	}
	die(3, "no device %04x:%04x with serial %s within 10 s", opt.vid, opt.pid, opt.serial);
}

/* What the kiosk must look like; exits 3 if it does not. */
static void check_descriptors(libusb_device_handle *h)
{
	struct libusb_config_descriptor *cd;
	if (libusb_get_active_config_descriptor(libusb_get_device(h), &cd))
		die(3, "no configuration descriptor");
	const struct libusb_interface_descriptor *id = cd->bNumInterfaces == 1 ? &cd->interface[0].altsetting[0] : NULL;
	int ok = id && id->bInterfaceClass == LIBUSB_CLASS_VENDOR_SPEC && id->bNumEndpoints == 2 &&
		 id->endpoint[0].bEndpointAddress == EP_OUT && id->endpoint[1].bEndpointAddress == EP_IN &&
		 (id->endpoint[0].bmAttributes & 3) == LIBUSB_TRANSFER_TYPE_BULK &&
		 (id->endpoint[1].bmAttributes & 3) == LIBUSB_TRANSFER_TYPE_BULK && id->endpoint[0].wMaxPacketSize == 512 &&
		 id->endpoint[1].wMaxPacketSize == 512;
	unsigned char s[128] = "";
	if (ok && id->iInterface)
		libusb_get_string_descriptor_ascii(h, id->iInterface, s, sizeof s);
	libusb_free_config_descriptor(cd);
	if (!ok)
		die(3, "the interface is not one vendor interface with bulk OUT 0x01 and IN 0x82 of 512 bytes");
	printf("usbecho: interface '%s'\n", s);
	/* MS OS 1.0: string 0xEE names the vendor request that returns the compat ID. */
	unsigned char os[64], code;
	int n = libusb_get_string_descriptor(h, 0xee, 0, os, sizeof os);
	if (n == 18 && !memcmp(os + 2, "M\0S\0F\0T\0" "1\0" "0\0" "0\0", 14) && ((code = os[16]), 1) &&
	    libusb_control_transfer(h, 0xc0, code, 0, 4, os, 40, 1000) == 40 && !memcmp(os + 18, "WINUSB", 6))
		printf("usbecho: MS OS compat ID WINUSB (vendor code 0x%02x)\n", code);
	else
		printf("usbecho: no MS OS descriptors\n");
}

/* 0, or LIBUSB_ERROR_NO_DEVICE. Stalls are cleared and timeouts retried. */
static int xfer(libusb_device_handle **h, unsigned char ep, unsigned char *p, size_t n, unsigned timeout)
{
	long long give_up = now_ms() + 30000;
	while (n) {
		int got = 0, chunk = n > (1 << 20) ? 1 << 20 : (int)n;
		int r = libusb_bulk_transfer(*h, ep, p, chunk, &got, timeout);
		p += got, n -= (size_t)got;
		if (r == LIBUSB_ERROR_NO_DEVICE)
			return r;
		if (r == LIBUSB_ERROR_PIPE) {
			stalls++;
			if (libusb_clear_halt(*h, ep) == LIBUSB_ERROR_NO_DEVICE)
				return LIBUSB_ERROR_NO_DEVICE;
		} else if (r == LIBUSB_ERROR_TIMEOUT) {
			timeouts++;
		} else if (r) {
			/*
			 * A device that goes while libusb is still submitting a transfer's
			 * URBs ends it with LIBUSB_ERROR_IO, not NO_DEVICE: ask it something.
			 */
			unsigned char dd[18];
			if (r == LIBUSB_ERROR_IO &&
			    libusb_control_transfer(*h, 0x80, LIBUSB_REQUEST_GET_DESCRIPTOR, LIBUSB_DT_DEVICE << 8, 0, dd,
						    sizeof dd, 1000) == LIBUSB_ERROR_NO_DEVICE)
				return LIBUSB_ERROR_NO_DEVICE;
			die(1, "transfer failed: %s", libusb_error_name(r));
		}
		if (now_ms() > give_up)
			die(1, "no progress for 30 s");
	}
	return 0;
}

static unsigned long long num(const char *s, const char *name)
{
	char *e;
	unsigned long long v = strtoull(s, &e, 0);
	if (e == s || *e)
		die(2, "bad number for %s", name);
	return v;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
		if (!strcmp(a, "--expect-stall"))
			opt.expect_stall = 1;
		else if (!strcmp(a, "--expect-unplug"))
			opt.expect_unplug = 1;
		else if (!strcmp(a, "--expect-timeout"))
			opt.expect_timeout = 1;
		else if (++i >= argc)
			die(2, "usage: spean-usbecho [--vid HEX --pid HEX --serial S --bytes N --seed N --max-chunk N "
			       "--in-timeout-ms MS --expect-corrupt OFFSET --expect-stall --expect-unplug --expect-timeout]");
		else if (!strcmp(a, "--vid"))
			opt.vid = (uint16_t)strtoul(v, NULL, 16);
		else if (!strcmp(a, "--pid"))
			opt.pid = (uint16_t)strtoul(v, NULL, 16);
		else if (!strcmp(a, "--serial"))
			opt.serial = v;
		else if (!strcmp(a, "--bytes"))
			opt.bytes = num(v, a);
		else if (!strcmp(a, "--seed"))
			opt.seed = num(v, a);
		else if (!strcmp(a, "--max-chunk"))
			opt.max_chunk = (size_t)num(v, a);
		else if (!strcmp(a, "--in-timeout-ms"))
			opt.in_timeout_ms = (unsigned)num(v, a);
		else if (!strcmp(a, "--expect-corrupt"))
			opt.expect_corrupt = (long long)num(v, a);
		else
			die(2, "unknown option %s", a);
	}
	if (!opt.max_chunk || opt.max_chunk > (1 << 20))
		die(2, "--max-chunk 1..1048576");
	if (libusb_init(&ctx))
		die(3, "libusb_init failed");
	libusb_device_handle *h = find_kiosk(1);
	check_descriptors(h);
	unsigned char *want = malloc(opt.max_chunk), *got = malloc(opt.max_chunk);
	if (!want || !got)
		abort();
	rnd_state = opt.seed * 2654435761u + 1;
	unsigned long long done = 0;
	long long corrupt_at = -1;
	while (done < opt.bytes) {
		size_t len = 1 + (size_t)(rnd() % opt.max_chunk);
		if (len > opt.bytes - done)
			len = (size_t)(opt.bytes - done);
		for (size_t i = 0; i < len; i++)
			want[i] = stream_byte(done + i);
		int r = xfer(&h, EP_OUT, want, len, 5000);
		/* A transfer that ends on a packet boundary gets its zero-length packet (usb.md). */
		if (!r && len % 512 == 0)
			r = xfer(&h, EP_OUT, want, 0, 5000);
		if (!r)
			r = xfer(&h, EP_IN, got, len, opt.in_timeout_ms);
		if (r == LIBUSB_ERROR_NO_DEVICE) { /* the cable was pulled: wait for it, send the chunk again */
			libusb_close(h);
			reconnects++;
			h = find_kiosk(0);
			continue;
		}
		for (size_t i = 0; i < len; i++) {
			if (got[i] == want[i])
				continue;
			unsigned char x = got[i] ^ want[i];
			if ((long long)(done + i) == opt.expect_corrupt && corrupt_at < 0 && !(x & (x - 1))) {
				corrupt_at = (long long)(done + i);
				continue;
			}
			fprintf(stderr, "usbecho: byte %llu came back 0x%02x, sent 0x%02x\n", done + i, got[i], want[i]);
			return 1;
		}
		done += len;
		chunks++;
	}
	printf("usbecho: %llu bytes echoed in %llu chunks: stalls=%llu timeouts=%llu reconnects=%llu corrupt=%lld\n", done,
	       chunks, stalls, timeouts, reconnects, corrupt_at);
	libusb_release_interface(h, 0);
	libusb_close(h);
	libusb_exit(ctx);
	free(want), free(got);
	int bad = (opt.expect_corrupt >= 0 && corrupt_at < 0) || (opt.expect_stall && !stalls) ||
		  (opt.expect_unplug && !reconnects) || (opt.expect_timeout && !timeouts);
	if (bad)
		fprintf(stderr, "usbecho: an expected fault did not show (corrupt=%lld stalls=%llu reconnects=%llu timeouts=%llu)\n",
			corrupt_at, stalls, reconnects, timeouts);
	return bad;
}

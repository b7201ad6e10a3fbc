/*
 * sync/center/usbserve: the office side of the cable. The same service as
 * `serve` answers each message; this file only says, for the person at the
 * office PC, which kiosk is on the cable and how many of its requests have
 * arrived, after every chunk.
 */
#include "usbserve.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service.h"
#include "usbhost.h"
#include "utf8.h"

static volatile sig_atomic_t stop_flag;
static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

struct usb_ctx {
	struct center_service *s;
	unsigned long records, added, bad, conflicts; /* this kiosk's session so far */
	unsigned long long bytes_in, bytes_out;       /* its messages and our answers (payloads, not frames) */
	unsigned long refused;                        /* bad and conflicting, the whole run */
};

static int handle(void *p, const void *msg, size_t n, struct buf *reply, struct diag *d)
{
	struct usb_ctx *c = p;
	struct center_service_stats a, b;
	center_service_stats(c->s, &a);
	int rc = center_service_handle(c->s, msg, n, reply, d);
	center_service_stats(c->s, &b);
	c->bytes_in += n;
	c->bytes_out += reply->len;
	if (b.records_in > a.records_in) {
		c->records += b.records_in - a.records_in;
		c->added += b.records_new - a.records_new;
		c->bad += b.records_bad - a.records_bad;
		c->conflicts += b.records_conflict - a.records_conflict;
		c->refused += (b.records_bad - a.records_bad) + (b.records_conflict - a.records_conflict);
		printf("usb:   %lu requests received (%lu new, %lu refused, %lu conflicting)\n", c->records, c->added, c->bad,
		       c->conflicts);
		fflush(stdout);
	}
	if (rc) {
		char *m = utf8_neutral_dup(d->msg);
		fprintf(stderr, "spean-center: usb: message refused: %s\n", m);
		free(m);
	}
	return rc;
}

static void on_event(void *p, const char *serial_raw, const char *what_raw)
{
	struct usb_ctx *c = p;
	/* A serial number is whatever the device on the cable says: neutralised before it reaches the terminal. */
	char *serial = serial_raw ? utf8_neutral_dup(serial_raw) : NULL, *what = utf8_neutral_dup(what_raw);
	if (!serial) {
		printf("usb: %s\n", what);
	} else if (!strcmp(what, "connected")) {
		c->records = c->added = c->bad = c->conflicts = 0;
		c->bytes_in = c->bytes_out = 0;
		printf("usb: kiosk %s connected\n", serial);
	} else if (!strcmp(what, "left") || !strcmp(what, "stopped")) {
		printf("usb: kiosk %s %s: %lu requests received, %lu new, %lu refused, %lu conflicting%s; %llu bytes in, %llu out\n",
		       serial, !strcmp(what, "left") ? "unplugged" : "stopped", c->records, c->added, c->bad, c->conflicts,
		       c->bad || c->conflicts ? " (see 'spean-center alerts')" : "", c->bytes_in, c->bytes_out);
	} else {
		fprintf(stderr, "spean-center: usb: kiosk %s: %s\n", serial, what);
	}
	fflush(stdout);
	free(serial);
	free(what);
}

int center_usb(const char *dir, const char *serial, unsigned kiosks, int poll_ms, unsigned long *refused, struct diag *d)
{
	struct usb_ctx c = {NULL, 0, 0, 0, 0, 0, 0, 0};
	*refused = 0;
	int rc = center_service_open(dir, &c.s, d);
	if (rc)
		return rc;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop; /* no SA_RESTART: a libusb wait returns and the loop sees the flag */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	struct usbhost_cfg cfg = {USBHOST_VID, USBHOST_PID, serial, kiosks, poll_ms, &stop_flag, handle, on_event, &c};
	rc = usbhost_serve(&cfg, d);
	center_service_close(c.s);
	*refused = c.refused;
	return rc;
}

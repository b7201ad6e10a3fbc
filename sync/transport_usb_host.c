#define LOG_MODULE "usbhost"
/*
 * sync/transport_usb_host: the office PC is the USB host. It reads the
 * kiosk's bulk IN pipe with a short timeout (so a pulled cable, a stop
 * request or a new kiosk is noticed within a second), reassembles frames,
 * answers each message on bulk OUT, and echoes every RESET with the same
 * token so the kiosk knows where the fresh start is. A damaged frame gets
 * an ABORT (the kiosk retries at once instead of waiting out its timeout)
 * and the reader skips to the kiosk's next RESET. Kiosks are served one
 * after another; hotplug tells when one arrives, or a 1 s poll where libusb
 * has no hotplug (Windows).
 */
#include "usbhost.h"

#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "protocol.h"
#include "usbframe.h"

#define READ_SIZE (64 * 1024)
#define READ_TIMEOUT_MS 1000
#define WRITE_TIMEOUT_MS 10000
#define FRAME_PAYLOAD (64 * 1024)

struct session {
	const struct usbhost_cfg *cfg;
	libusb_device_handle *h;
	unsigned char ep_in, ep_out;
	char serial[128];
	uint32_t tx_seq;
	unsigned handled;
};

static void event(const struct usbhost_cfg *c, const char *serial, const char *what)
{
	if (c->event)
		c->event(c->ctx, serial, what);
}

static int stopping(const struct usbhost_cfg *c)
{
	return c->stop && *c->stop;
}

/* Write all of b on bulk OUT; a transfer ending on a packet boundary is closed with a zero-length packet. */
static int send_out(struct session *s, const struct buf *b)
{
	size_t off = 0;
	int cleared = 0;
	while (off < b->len) {
		int sent = 0;
		int r = libusb_bulk_transfer(s->h, s->ep_out, (unsigned char *)b->data + off, (int)(b->len - off), &sent,
					     WRITE_TIMEOUT_MS);
		off += (size_t)(sent > 0 ? sent : 0);
		if (r == LIBUSB_ERROR_PIPE && !cleared++) {
			libusb_clear_halt(s->h, s->ep_out);
			continue;
		}
		if (r)
			return r;
	}
	if (usbframe_needs_zlp(b->len, USBFRAME_MPS_HS)) {
		unsigned char z = 0;
		int sent = 0;
		return libusb_bulk_transfer(s->h, s->ep_out, &z, 0, &sent, WRITE_TIMEOUT_MS);
	}
	return 0;
}

static int send_frame(struct session *s, int type, const void *payload, size_t n)
{
	struct buf b;
	buf_init(&b);
	if (type == USBFRAME_RESET)
		s->tx_seq = 0;
	usbframe_put(&b, type, 0, s->tx_seq++, payload, n);
	int r = send_out(s, &b);
	buf_finish(&b);
	return r;
}

static int answer(struct session *s, const struct buf *msg)
{
	struct buf reply;
	struct diag d = {""};
	buf_init(&reply);
	int rc = s->cfg->handle(s->cfg->ctx, msg->data, msg->len, &reply, &d);
	int r;
	if (!rc) {
		struct buf out;
		buf_init(&out);
		usbframe_put_message(&out, reply.data, reply.len, FRAME_PAYLOAD, &s->tx_seq);
		r = send_out(s, &out);
		buf_finish(&out);
	} else if (rc == ERR_IO || rc == ERR_NOSPACE || rc == ERR_DAMAGED) {
		static const char busy[] = "the center cannot store right now; try again";
		r = send_frame(s, USBFRAME_ABORT, busy, sizeof busy - 1);
	} else {
		r = send_frame(s, USBFRAME_REFUSE, d.msg, strlen(d.msg));
	}
	buf_finish(&reply);
	s->handled++; /* answered, whatever the answer: the session counts */
	return r;
}

/* One kiosk, from claim to unplug (or stop). */
static void session_run(struct session *s)
{
	struct usbframe_rx rx;
	usbframe_rx_init(&rx, SYNC_MAX_MESSAGE);
	unsigned char *b = xmalloc(READ_SIZE);
	unsigned resets = 0, errors = 0;
	for (;;) {
		int got = 0;
		int r = libusb_bulk_transfer(s->h, s->ep_in, b, READ_SIZE, &got, READ_TIMEOUT_MS);
		if (r == LIBUSB_ERROR_NO_DEVICE)
			break;
		if (r == LIBUSB_ERROR_PIPE) { /* stalled: clear it and go on (the frames say what was lost) */
			event(s->cfg, s->serial, "IN pipe stalled: cleared");
			libusb_clear_halt(s->h, s->ep_in);
			got = 0;
		} else if (r && r != LIBUSB_ERROR_TIMEOUT) {
			char what[96];
			snprintf(what, sizeof what, "read failed: %s", libusb_error_name(r));
			event(s->cfg, s->serial, what);
			if (++errors > 20)
				break;
			continue;
		}
		if (stopping(s->cfg))
			break;
		if (got <= 0)
			continue;
		errors = 0;
		struct diag d = {""};
		int rc = usbframe_rx_feed(&rx, b, (size_t)got, &d);
		for (;;) {
			if (rx.resets != resets) { /* answer the kiosk's fresh start before anything after it */
				resets = rx.resets;
				send_frame(s, USBFRAME_RESET, rx.token, USBFRAME_TOKEN);
			}
			if (rc == 0)
				break;
			if (rc == 1) {
				int w = answer(s, &rx.msg);
				usbframe_rx_next(&rx);
				if (w == LIBUSB_ERROR_NO_DEVICE)
					break;
			} else {
				event(s->cfg, s->serial, d.msg);
				usbframe_rx_resync(&rx);
				send_frame(s, USBFRAME_ABORT, d.msg, strlen(d.msg));
			}
			rc = usbframe_rx_feed(&rx, NULL, 0, &d);
		}
	}
	free(b);
	usbframe_rx_finish(&rx);
}

/* The kiosk's vendor interface and its bulk pipes. */
static int find_pipes(libusb_device *dev, unsigned char *in, unsigned char *out)
{
	struct libusb_config_descriptor *cd;
	if (libusb_get_active_config_descriptor(dev, &cd))
		return -1;
	*in = *out = 0;
	if (cd->bNumInterfaces >= 1 && cd->interface[0].num_altsetting >= 1) {
		const struct libusb_interface_descriptor *id = &cd->interface[0].altsetting[0];
		for (int i = 0; id->bInterfaceClass == LIBUSB_CLASS_VENDOR_SPEC && i < id->bNumEndpoints; i++) {
			const struct libusb_endpoint_descriptor *e = &id->endpoint[i];
			if ((e->bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK)
				continue;
			if (e->bEndpointAddress & LIBUSB_ENDPOINT_IN)
				*in = e->bEndpointAddress;
			else
				*out = e->bEndpointAddress;
		}
	}
	libusb_free_config_descriptor(cd);
	return *in && *out ? 0 : -1;
}

/* Open the first matching kiosk that is not busy. 1: s is open and claimed. */
static int claim_one(libusb_context *ctx, const struct usbhost_cfg *c, struct session *s)
{
	libusb_device **list;
	ssize_t n = libusb_get_device_list(ctx, &list);
	int ok = 0;
	for (ssize_t i = 0; i < n && !ok; i++) {
		struct libusb_device_descriptor dd;
		if (libusb_get_device_descriptor(list[i], &dd) || dd.idVendor != c->vid || dd.idProduct != c->pid)
			continue;
		libusb_device_handle *h;
		int r = libusb_open(list[i], &h);
		if (r) {
			char what[96];
			snprintf(what, sizeof what, "cannot open a kiosk: %s (permissions? see README)", libusb_error_name(r));
			event(c, "?", what);
			continue;
		}
		s->serial[0] = '\0';
		if (dd.iSerialNumber)
			libusb_get_string_descriptor_ascii(h, dd.iSerialNumber, (unsigned char *)s->serial, sizeof s->serial);
		if (!s->serial[0])
			snprintf(s->serial, sizeof s->serial, "(no serial)");
		if ((c->serial && strcmp(c->serial, s->serial)) || find_pipes(list[i], &s->ep_in, &s->ep_out)) {
			libusb_close(h);
			continue;
		}
		libusb_set_auto_detach_kernel_driver(h, 1);
		if ((r = libusb_claim_interface(h, 0))) {
			char what[96];
			snprintf(what, sizeof what, "cannot claim the kiosk: %s", libusb_error_name(r));
			event(c, s->serial, what);
			libusb_close(h);
			continue;
		}
		s->h = h;
		ok = 1;
	}
	if (n >= 0)
		libusb_free_device_list(list, 1);
	return ok;
}

/* Called from libusb_handle_events on our thread: just note it, the loop looks. */
static int LIBUSB_CALL on_hotplug(libusb_context *ctx, libusb_device *dev, libusb_hotplug_event ev, void *user)
{
	(void)ctx, (void)dev;
	if (ev == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED)
		*(int *)user = 1;
	return 0;
}

int usbhost_serve(const struct usbhost_cfg *c, struct diag *d)
{
	libusb_context *ctx;
	int r = libusb_init(&ctx);
	if (r) {
		diag_set(d, "usb: libusb cannot start: %s", libusb_error_name(r));
		return ERR_IO;
	}
	libusb_hotplug_callback_handle hp = 0;
	int arrived = 0;
	int hotplug = c->poll_ms <= 0 && libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) &&
		      libusb_hotplug_register_callback(ctx, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED, 0, c->vid, c->pid,
						       LIBUSB_HOTPLUG_MATCH_ANY, on_hotplug, &arrived, &hp) == LIBUSB_SUCCESS;
	int poll_ms = c->poll_ms > 0 ? c->poll_ms : 1000;
	event(c, NULL, hotplug ? "waiting for kiosks (hotplug)" : "waiting for kiosks (polling)");
	unsigned served = 0;
	int look = 1; /* at start, and after each arrival or poll period */
	while (!stopping(c) && (!c->kiosks || served < c->kiosks)) {
		if (look) {
			struct session s;
			memset(&s, 0, sizeof s);
			s.cfg = c;
			arrived = 0;
			if (claim_one(ctx, c, &s)) {
				event(c, s.serial, "connected");
				session_run(&s);
				libusb_release_interface(s.h, 0);
				libusb_close(s.h);
				event(c, s.serial, stopping(c) ? "stopped" : "left");
				if (s.handled)
					served++;
				continue; /* another may be waiting already */
			}
			look = 0;
		}
		/* Hotplug: wake at least twice a second to notice a stop; polling: look again after each period. */
		int wait_ms = hotplug ? 500 : poll_ms;
		struct timeval tv = {wait_ms / 1000, (wait_ms % 1000) * 1000};
		libusb_handle_events_timeout_completed(ctx, &tv, NULL);
		look = hotplug ? arrived : 1;
	}
	if (hotplug)
		libusb_hotplug_deregister_callback(ctx, hp);
	libusb_exit(ctx);
	return 0;
}

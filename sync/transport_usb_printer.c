/* sync/transport_usb_printer: the receipt printer driven through libusb (usb.md), the one place outside the cable transport that includes libusb.h. */
#define LOG_MODULE "usbprinter"
/*
 * Why libusb and not the usblp device: usblp is not bound on every board
 * image, vendor-class printers never get it, and its LPGETSTATUS answers
 * only when the printer does. Here the kiosk finds the printer itself,
 * asks the printer class's GET_PORT_STATUS, and bounds every bulk write by
 * a timeout, so a printer that stops taking bytes is reported, not waited
 * on. One libusb context per job: printing is rare, and a context of our
 * own keeps this free of global state shared with other threads.
 */
#include "usbprinter.h"

#include <libusb.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "log.h"

#define PRINTER_CLASS 7                 /* USB printer class (interface) */
#define REQ_GET_PORT_STATUS 1           /* printer class request, IEEE 1284 status byte */
#define PORT_PAPER_EMPTY 0x20
#define PORT_SELECTED 0x10
#define PORT_NOT_ERROR 0x08
#define CONTROL_TIMEOUT_MS 1000

const char *usbprinter_status_name(enum usbprinter_status s)
{
	switch (s) {
	case USBPRINTER_OK: return "ok";
	case USBPRINTER_UNPLUGGED: return "unplugged";
	case USBPRINTER_NO_PAPER: return "no_paper";
	case USBPRINTER_TIMEOUT: return "timeout";
	case USBPRINTER_FAILED: return "failed";
	}
	return "?";
}

static int hex4(const char *s, uint16_t *v)
{
	unsigned x = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		unsigned h = c >= '0' && c <= '9' ? (unsigned)(c - '0')
			   : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			   : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
						  : 16u;
		if (h > 15)
			return -1;
		x = x << 4 | h;
	}
	*v = (uint16_t)x;
	return 0;
}

int usbprinter_sel_parse(const char *s, struct usbprinter_sel *sel, struct diag *d)
{
	memset(sel, 0, sizeof *sel);
	if (!strcmp(s, "usb"))
		return 0;
	if (strncmp(s, "usb:", 4) || strlen(s) != 13 || s[8] != ':' || hex4(s + 4, &sel->vid) || hex4(s + 9, &sel->pid) ||
	    (!sel->vid && !sel->pid)) {
		diag_set(d, "a USB printer is 'usb' (the first printer-class device) or 'usb:VVVV:PPPP' (hex vendor and product id)");
		memset(sel, 0, sizeof *sel);
		return ERR_INVAL;
	}
	return 0;
}

/* What to talk to: an interface of one device, and its bulk OUT endpoint. */
struct target {
	libusb_device *dev;
	uint16_t vid, pid;
	int ifnum, alt;
	unsigned char ep_out;
};

/* The first interface (of class 7 when printer_class) with a bulk OUT endpoint; 0 if found. */
static int pick_interface(const struct libusb_config_descriptor *cfg, int printer_class, struct target *t)
{
	for (int i = 0; i < cfg->bNumInterfaces; i++) {
		const struct libusb_interface *itf = &cfg->interface[i];
		for (int a = 0; a < itf->num_altsetting; a++) {
			const struct libusb_interface_descriptor *id = &itf->altsetting[a];
			if (printer_class && id->bInterfaceClass != PRINTER_CLASS)
				continue;
			for (int e = 0; e < id->bNumEndpoints; e++) {
				const struct libusb_endpoint_descriptor *ep = &id->endpoint[e];
				if ((ep->bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) == LIBUSB_ENDPOINT_OUT &&
				    (ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) == LIBUSB_TRANSFER_TYPE_BULK) {
					t->ifnum = id->bInterfaceNumber;
					t->alt = id->bAlternateSetting;
					t->ep_out = ep->bEndpointAddress;
					return 0;
				}
			}
		}
	}
	return -1;
}

static int pick_in_device(libusb_device *dev, const struct usbprinter_sel *sel, struct target *t)
{
	struct libusb_device_descriptor dd;
	if (libusb_get_device_descriptor(dev, &dd))
		return -1;
	int by_id = sel->vid || sel->pid;
	if (by_id && (dd.idVendor != sel->vid || dd.idProduct != sel->pid))
		return -1;
	struct libusb_config_descriptor *cfg = NULL;
	if (libusb_get_active_config_descriptor(dev, &cfg) && libusb_get_config_descriptor(dev, 0, &cfg))
		return -1;
	/* Named by id: its printer interface if it has one, else a vendor-class one with a bulk OUT. */
	int rc = pick_interface(cfg, 1, t);
	if (rc && by_id)
		rc = pick_interface(cfg, 0, t);
	libusb_free_config_descriptor(cfg);
	if (!rc) {
		t->dev = dev;
		t->vid = dd.idVendor;
		t->pid = dd.idProduct;
	}
	return rc;
}

/* After an unexplained error: is the device still there? (A standard GET_STATUS answers if so.) */
static int gone(libusb_device_handle *h)
{
	unsigned char st[2];
	return libusb_control_transfer(h, LIBUSB_ENDPOINT_IN, LIBUSB_REQUEST_GET_STATUS, 0, 0, st, 2, 200) ==
	       LIBUSB_ERROR_NO_DEVICE;
}

static enum usbprinter_status lost(libusb_device_handle *h, int rc)
{
	return rc == LIBUSB_ERROR_NO_DEVICE || gone(h) ? USBPRINTER_UNPLUGGED : USBPRINTER_FAILED;
}

/* Milliseconds to the deadline, rounded up (0: passed). */
static uint64_t ms_left(uint64_t deadline)
{
	uint64_t now = clock_mono_ns();
	return now >= deadline ? 0 : (deadline - now + 999999u) / 1000000u;
}

/* Write data to the claimed interface's bulk OUT endpoint before deadline. */
static enum usbprinter_status send_all(libusb_device_handle *h, const struct target *t, const unsigned char *p, size_t n,
				       uint64_t deadline, struct diag *d)
{
	int cleared = 0;
	while (n) {
		uint64_t left = ms_left(deadline);
		if (!left) {
			diag_set(d, "USB printer %04x:%04x: the job's deadline passed with %zu bytes left", t->vid, t->pid, n);
			return USBPRINTER_TIMEOUT;
		}
		/* Each chunk has its own timeout, and none reaches past the job's deadline. */
		unsigned tmo = left < USBPRINTER_CHUNK_TIMEOUT_MS ? (unsigned)left : USBPRINTER_CHUNK_TIMEOUT_MS;
		int len = n > USBPRINTER_CHUNK ? USBPRINTER_CHUNK : (int)n, done = 0;
		/* libusb takes a non-const buffer for both directions; an OUT transfer only reads it. */
		int rc = libusb_bulk_transfer(h, t->ep_out, (unsigned char *)p, len, &done, tmo);
		if (done > 0) {
			p += done;
			n -= (size_t)done;
		}
		if (rc == 0)
			continue;
		if (rc == LIBUSB_ERROR_TIMEOUT) {
			if (tmo < USBPRINTER_CHUNK_TIMEOUT_MS)
				diag_set(d, "USB printer %04x:%04x: the job's deadline passed with %zu bytes left", t->vid, t->pid, n);
			else
				diag_set(d, "USB printer %04x:%04x: a chunk not taken in %u ms (%zu bytes left)", t->vid, t->pid, tmo, n);
			return USBPRINTER_TIMEOUT;
		}
		if (rc == LIBUSB_ERROR_PIPE && !cleared) {
			/* A stalled endpoint: clear it once and go on; a second stall is a failure. */
			cleared = 1;
			log_warn("endpoint_stalled ep=0x%02x", t->ep_out);
			rc = libusb_clear_halt(h, t->ep_out);
			if (rc == 0)
				continue;
		}
		diag_set(d, "USB printer %04x:%04x: bulk write: %s", t->vid, t->pid, libusb_error_name(rc));
		return lost(h, rc);
	}
	return USBPRINTER_OK;
}

/* Claim the interface (detaching usblp), check paper, send. */
static enum usbprinter_status job(libusb_device_handle *h, const struct target *t, const void *data, size_t n,
				  uint64_t deadline, struct diag *d)
{
	int rc = libusb_kernel_driver_active(h, t->ifnum);
	if (rc == 1) {
		/*
		 * usblp (or another driver) has it. Detach and do not re-attach after
		 * the job: the kiosk owns the printer from now on, and re-attaching
		 * would only make the next job detach again.
		 */
		rc = libusb_detach_kernel_driver(h, t->ifnum);
		if (rc && rc != LIBUSB_ERROR_NOT_FOUND) {
			diag_set(d, "USB printer %04x:%04x: detach kernel driver: %s", t->vid, t->pid, libusb_error_name(rc));
			return lost(h, rc);
		}
		log_info("kernel_driver_detached interface=%d", t->ifnum);
	}
	rc = libusb_claim_interface(h, t->ifnum);
	if (rc) {
		diag_set(d, "USB printer %04x:%04x: claim interface %d: %s", t->vid, t->pid, t->ifnum, libusb_error_name(rc));
		return lost(h, rc);
	}
	enum usbprinter_status res = USBPRINTER_OK;
	if (t->alt && (rc = libusb_set_interface_alt_setting(h, t->ifnum, t->alt))) {
		diag_set(d, "USB printer %04x:%04x: alternate setting %d: %s", t->vid, t->pid, t->alt, libusb_error_name(rc));
		res = lost(h, rc);
		goto release;
	}
	unsigned char port = 0;
	uint64_t left = ms_left(deadline);
	rc = libusb_control_transfer(h, LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE,
				     REQ_GET_PORT_STATUS, 0, (uint16_t)t->ifnum, &port, 1,
				     left < CONTROL_TIMEOUT_MS ? (unsigned)left + 1 : CONTROL_TIMEOUT_MS);
	if (rc == 1) {
		log_info("port_status status=0x%02x", port);
		if (port & PORT_PAPER_EMPTY) {
			diag_set(d, "USB printer %04x:%04x: out of paper (port status 0x%02x)", t->vid, t->pid, port);
			res = USBPRINTER_NO_PAPER;
			goto release;
		}
		if (!(port & PORT_NOT_ERROR) || !(port & PORT_SELECTED))
			log_warn("port_status_not_ready status=0x%02x", port); /* try anyway: the deadline bounds it */
	} else if (rc == LIBUSB_ERROR_NO_DEVICE) {
		diag_set(d, "USB printer %04x:%04x: gone", t->vid, t->pid);
		res = USBPRINTER_UNPLUGGED;
		goto release;
	} else {
		/* Optional for a printer (many cheap ones stall it): assume paper. */
		log_info("port_status_unanswered rc=%d", rc);
	}
	res = send_all(h, t, data, n, deadline, d);
release:
	libusb_release_interface(h, t->ifnum); /* fails harmlessly when the printer has gone */
	return res;
}

enum usbprinter_status usbprinter_write(const struct usbprinter_sel *sel, const void *data, size_t n, int timeout_ms,
					struct diag *d)
{
	uint64_t deadline = clock_mono_ns() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000u;
	enum usbprinter_status res;
	libusb_context *ctx = NULL;
	int rc = libusb_init(&ctx);
	if (rc) {
		/* No usable USB host (no usbfs): no printer can be there. */
		diag_set(d, "USB printer: libusb_init: %s", libusb_error_name(rc));
		log_warn("usb_print_failed status=%s libusb=%d", usbprinter_status_name(USBPRINTER_UNPLUGGED), rc);
		return USBPRINTER_UNPLUGGED;
	}
	libusb_device **list = NULL;
	ssize_t count = libusb_get_device_list(ctx, &list);
	struct target t = {0};
	for (ssize_t i = 0; i < count && !t.dev; i++)
		pick_in_device(list[i], sel, &t);
	if (!t.dev) {
		if (sel->vid || sel->pid)
			diag_set(d, "no USB printer %04x:%04x", sel->vid, sel->pid);
		else
			diag_set(d, "no USB printer (no printer-class interface)");
		res = USBPRINTER_UNPLUGGED;
		goto out;
	}
	libusb_device_handle *h = NULL;
	rc = libusb_open(t.dev, &h);
	if (rc) {
		diag_set(d, "USB printer %04x:%04x: open: %s", t.vid, t.pid, libusb_error_name(rc));
		res = rc == LIBUSB_ERROR_NO_DEVICE ? USBPRINTER_UNPLUGGED : USBPRINTER_FAILED;
		goto out;
	}
	res = job(h, &t, data, n, deadline, d);
	libusb_close(h);
out:
	if (list)
		libusb_free_device_list(list, 1);
	libusb_exit(ctx);
	if (res == USBPRINTER_OK)
		log_info("usb_printed bytes=%zu", n);
	else
		log_warn("usb_print_failed status=%s", usbprinter_status_name(res));
	return res;
}

/* sync/usbprinter: the receipt printer over libusb (usb.md): find it, detach usblp, read its paper status, write ESC/POS in bulk chunks against one deadline. */
#ifndef SPEAN_SYNC_USBPRINTER_H
#define SPEAN_SYNC_USBPRINTER_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define USBPRINTER_CHUNK 4096          /* at most this many bytes per bulk transfer (usb.md) */
#define USBPRINTER_CHUNK_TIMEOUT_MS 5000 /* a chunk not taken in this long: the printer has stalled */

/* Which printer: vid == 0 && pid == 0 means the first interface of the printer class (7). */
struct usbprinter_sel {
	uint16_t vid, pid;
};

enum usbprinter_status {
	USBPRINTER_OK = 0,
	USBPRINTER_UNPLUGGED, /* no matching printer, or it went away during the job */
	USBPRINTER_NO_PAPER,  /* its port status says paper empty; nothing was sent */
	USBPRINTER_TIMEOUT,   /* it stopped taking bytes (a chunk or the whole job ran out of time) */
	USBPRINTER_FAILED,    /* anything else: no access to the device, interface busy, I/O error */
};

/* "ok", "unplugged", "no_paper", "timeout", "failed" (for logs). */
const char *usbprinter_status_name(enum usbprinter_status s);

/*
 * "usb" (the first printer-class interface) or "usb:VVVV:PPPP" (hex vendor
 * and product ids, not 0000:0000). 0, or ERR_INVAL with the reason in d.
 * Pure: does not touch libusb.
 */
int usbprinter_sel_parse(const char *s, struct usbprinter_sel *sel, struct diag *d);

/*
 * Send n bytes to the printer sel picks (the first match on the bus). Its
 * kernel driver (usblp) is detached if bound and NOT re-attached afterwards:
 * /dev/usb/lpN stays gone while the kiosk owns the printer (until it is
 * replugged). The 1284 port status is read first (GET_PORT_STATUS; a printer
 * that does not answer it is assumed to have paper). The bytes go to the
 * interface's bulk OUT endpoint in chunks of at most USBPRINTER_CHUNK, each
 * with at most USBPRINTER_CHUNK_TIMEOUT_MS, all within timeout_ms; a stall
 * (EPIPE) is cleared once. Blocking: run it off the loop's thread; any
 * thread may call it (each call has its own libusb context). d says what
 * failed (codes and ids only, never the data). Logs status codes only.
 */
enum usbprinter_status usbprinter_write(const struct usbprinter_sel *sel, const void *data, size_t n, int timeout_ms,
					struct diag *d);

#endif

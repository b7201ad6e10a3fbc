/* sync/usbhost: the office PC's end of the USB cable (libusb): wait for kiosks, claim each in turn, answer its messages. */
#ifndef SPEAN_SYNC_USBHOST_H
#define SPEAN_SYNC_USBHOST_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "mem.h"

#define USBHOST_VID 0x1209 /* pid.codes test ids (usb.md: development only) */
#define USBHOST_PID 0x0001

struct usbhost_cfg {
	uint16_t vid, pid;
	const char *serial;  /* NULL: any kiosk */
	unsigned kiosks;     /* stop after this many kiosk sessions (0: run until *stop) */
	int poll_ms;         /* 0: hotplug where libusb has it, else poll every 1 s; > 0: always poll this often */
	const volatile sig_atomic_t *stop; /* set by a signal handler: leave at the next timeout */
	/*
	 * One protocol message in, the answer out: 0 (reply holds it),
	 * ERR_IO / ERR_NOSPACE / ERR_DAMAGED (the kiosk should try again) or
	 * any other code (refused, d says why; the kiosk does not resend).
	 */
	int (*handle)(void *ctx, const void *msg, size_t n, struct buf *reply, struct diag *d);
	/* What happens, for the operator (may be NULL): a kiosk arrived (serial), left, or something went wrong on the link. */
	void (*event)(void *ctx, const char *serial, const char *what);
	void *ctx;
};

/* Serve kiosks until *stop or cfg->kiosks sessions. 0, or an error with d (libusb unusable: no permission, no USB). */
int usbhost_serve(const struct usbhost_cfg *cfg, struct diag *d);

#endif

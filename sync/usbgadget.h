/* sync/usbgadget: the kiosk's end of the USB cable: a FunctionFS function (usb.md) whose bulk pipes carry protocol messages in usbframe frames. */
#ifndef SPEAN_SYNC_USBGADGET_H
#define SPEAN_SYNC_USBGADGET_H

#include "err.h"
#include "transport.h"

struct usb_gadget;

enum usb_gadget_event {
	USB_GADGET_CONNECTED = 1,    /* the office PC configured the function (FUNCTIONFS_ENABLE) */
	USB_GADGET_DISCONNECTED = 0, /* cable pulled, host gone or function unbound */
};

/*
 * Open the FunctionFS instance mounted at dir (board/usb-gadget.sh up
 * mounts it): write the descriptors and strings to ep0, then read ep0's
 * events on a thread of its own. on_event (may be NULL) is called from that
 * thread: post to the main loop from it, do no work there.
 */
int usb_gadget_open(struct usb_gadget **out, const char *dir, void (*on_event)(void *ctx, int event), void *ctx,
		    struct diag *d);
/* 1 while the office PC has the function enabled. Thread-safe. */
int usb_gadget_connected(struct usb_gadget *g);
/* Wait up to timeout_ms for the cable (1: connected, 0: not). */
int usb_gadget_wait(struct usb_gadget *g, int timeout_ms);
/*
 * The sync transport over the cable. One at a time per gadget; it must be
 * destroyed before the gadget is closed. timeout_ms bounds each exchange
 * (0: 20 s). A message the center refuses is ERR_REFUSED with its reason; a
 * pulled cable, a damaged frame or a silent office PC is ERR_IO (the client
 * retries; the next exchange resynchronises the pipe first).
 */
int transport_usb_gadget_create(struct sync_transport **out, struct usb_gadget *g, int timeout_ms, struct diag *d);
void usb_gadget_close(struct usb_gadget *g);

#endif

/* tests/lib/usbmock: one mocked USB device for the real libusb, under umockdev (usb.md "Testing without hardware"). */
#ifndef SPEAN_TESTS_USBMOCK_H
#define SPEAN_TESTS_USBMOCK_H

#include <stddef.h>
#include <stdint.h>
#include <linux/usb/ch9.h> /* struct usb_ctrlrequest */

/*
 * The device is a umockdev testbed entry (sysfs attributes, a udev entry,
 * /dev/bus/usb/001/NNN) whose usbfs ioctls (SUBMITURB, REAPURB[NDELAY],
 * DISCARDURB, CLAIMINTERFACE, GETDRIVER, ...) are answered here the way the
 * kernel answers them. Processes using the device (libusb) run with
 * LD_PRELOAD=libumockdev-preload.so.0 (umockdev-wrapper; under ASan also
 * ASAN_OPTIONS=verify_asan_link_order=0) and $UMOCKDEV_DIR, which children
 * inherit; if this process runs with the preload too, its /dev and /sys are
 * the testbed's from usbmock_start() on. udev events reach libusb's hotplug
 * through the testbed's stand-in netlink sockets.
 *
 * Bulk transfers: libusb splits big ones into URBs of 16 KiB (the kernel's
 * capabilities usbmock reports); each URB is offered to a callback, in
 * order per endpoint: the next URB on an endpoint waits until the one before
 * it completes. A URB whose callback returns USBMOCK_PENDING is offered
 * again after usbmock_kick() (and on every later kick) until it completes or
 * the host discards it (timeout, cancel). A short completion ends the
 * transfer: its remaining URBs are cancelled as the kernel does.
 *
 * Threads: all callbacks run on usbmock's own thread, one at a time, with
 * usbmock's lock held: they must not block or sleep (return
 * USBMOCK_PENDING and kick later instead), and may call usbmock_kick(),
 * usbmock_unplug() (it takes effect once the callback has returned: the URB
 * it was given ends as the callback said) and usbmock_urb_id(), nothing
 * else of usbmock.
 */
#define USBMOCK_PENDING (-100000) /* from a callback: keep the URB waiting; call usbmock_kick() when things change */

struct usbmock;

struct usbmock_desc {
	uint16_t vid, pid, bcd_device;
	uint8_t dev_class, dev_subclass, dev_protocol; /* device descriptor class (0 = per interface) */
	const char *manufacturer, *product, *serial;   /* sysfs attributes; serial also returned by string descriptor requests */
	const uint8_t *config;                         /* one whole configuration descriptor: config + interfaces + endpoints, wTotalLength filled in */
	size_t config_len;
	const char *driver; /* NULL, or the kernel driver bound to interface 0 (e.g. "usblp"): USBDEVFS_GETDRIVER reports it until the host detaches it via USBDEVFS_DISCONNECT */
	int speed_mbps;     /* 480 or 12 */
};

struct usbmock_ops {
	/*
	 * host -> device on OUT endpoint ep: return bytes taken (0..n, a short
	 * take completes the URB short), USBMOCK_PENDING, or -errno (-EPIPE =
	 * stall, -EPROTO, ...). n == 0 is a zero-length packet: a URB of length
	 * 0, or the ZLP libusb's LIBUSB_TRANSFER_ADD_ZERO_PACKET adds after a
	 * multiple of the endpoint's packet size.
	 */
	int (*bulk_out)(void *ctx, uint8_t ep, const uint8_t *data, size_t n);
	/* device -> host on IN endpoint ep: fill at most n bytes of buf, return the count (0 = a zero-length packet), USBMOCK_PENDING, or -errno */
	int (*bulk_in)(void *ctx, uint8_t ep, uint8_t *buf, size_t n);
	/*
	 * Control transfers other than the standard ones usbmock answers itself
	 * (GET_DESCRIPTOR device/config/string 0..3, SET_CONFIGURATION,
	 * SET_INTERFACE): return the data length (IN) / 0 (OUT), or -errno
	 * (-EPIPE = stall). String descriptors 1, 2, 3 are the manufacturer,
	 * product and serial; other string indexes come here. setup's fields are
	 * in host byte order. May be NULL (everything else stalls).
	 */
	int (*control)(void *ctx, const struct usb_ctrlrequest *setup, uint8_t *data, size_t n);
	void (*clear_halt)(void *ctx, uint8_t ep); /* USBDEVFS_CLEAR_HALT; may be NULL */
};

/* Create a umockdev testbed (this sets UMOCKDEV_DIR in the environment, so children inherit it) and plug the device in as bus 1. Callbacks run on usbmock's own thread. 0 or -1 (message on stderr). */
int usbmock_start(struct usbmock **out, const struct usbmock_desc *d, const struct usbmock_ops *ops, void *ctx);
void usbmock_kick(struct usbmock *m);   /* thread-safe: offer waiting URBs to the callbacks again */
void usbmock_unplug(struct usbmock *m); /* waiting and later URBs fail with -ENODEV, the device node and sysfs entry go away, a udev "remove" event is sent */
void usbmock_plug(struct usbmock *m);   /* the device comes back (a new devnum), udev "add" event */
void usbmock_stop(struct usbmock *m);   /* unplug if plugged, free everything */

/* Additions. */
/* Inside a callback: a number naming the URB being offered (1, 2, ... in submission order), the same each time a waiting URB is offered again. */
unsigned long usbmock_urb_id(struct usbmock *m);
/* The device's current address on bus 1 (changes on each plug); 0 while unplugged. Thread-safe. */
int usbmock_devnum(struct usbmock *m);
/* The testbed's root ($UMOCKDEV_DIR). */
const char *usbmock_dir(struct usbmock *m);

#endif

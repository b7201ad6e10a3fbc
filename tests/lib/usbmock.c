/*
 * tests/lib/usbmock: one USB device for the real libusb under umockdev. The
 * testbed holds the device's sysfs entry and /dev/bus/usb/001/NNN; a
 * UMockdevIoctlBase answers the usbfs ioctls of every process that opens
 * that node (the preload library forwards them over a socket), the way
 * drivers/usb/core/devio.c does: URBs are queued on submit, offered to the
 * callbacks on usbmock's thread, and handed back on reap.
 *
 * Waking libusb: libusb polls the device fd for POLLOUT and reaps when it is
 * set. A plain file is always writable, so libusb would spin; the device
 * node is instead a hard link to a FIFO with a one-page pipe that usbmock
 * keeps full (not writable) while no URB is waiting to be reaped, and empty
 * (writable) while one is. Every opener shares the pipe, so every process
 * and handle sees the same readiness, and old nodes (after a replug) too.
 */
#include "usbmock.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <sys/ioctl.h> /* before linux/usbdevice_fs.h, which uses _IOR and friends without including them */
#include <linux/usbdevice_fs.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <umockdev.h>
#include <unistd.h>

#define MAX_IFACES 32
#define CAPS                                                                                            \
	(USBDEVFS_CAP_ZERO_PACKET | USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_NO_PACKET_SIZE_LIM | \
	 USBDEVFS_CAP_REAP_AFTER_DISCONNECT)

/* One open of the device node (a libusb handle, in this process or another). */
struct client {
	struct client *next;
	UMockdevIoctlClient *c;
	unsigned gen;          /* the plug it opened; a later plug is another device */
	uint32_t disabled_eps; /* no continuation URBs after a short or failed one, as devio.c, by epbit() */
};

struct urb {
	struct urb *next;
	struct client *cl;
	UMockdevIoctlData *data; /* the host's struct usbdevfs_urb, its buffer resolved to a local copy */
	struct usbdevfs_urb *u;  /* data->data */
	unsigned long addr;      /* where the URB lives in the host (DISCARDURB names it so) */
	unsigned long id;
	uint8_t ep; /* 0 for control */
	int zlp;    /* OUT: the data is taken, the zero-length packet is still to go */
};

/* A CLEAR_HALT waiting for the clear_halt callback on usbmock's thread. */
struct halt {
	struct halt *next;
	UMockdevIoctlClient *c;
	uint8_t ep;
};

/*
 * A claim of an interface another open holds. The kernel releases claims
 * when a process closes the node; usbmock learns of a close only when
 * umockdev has read the socket's EOF (sweep_clients), which may come after
 * the next process's claim, so a claim waits up to CLAIM_WAIT_MS for that.
 */
struct claim {
	struct claim *next;
	UMockdevIoctlClient *c;
	struct client *cl;
	unsigned iface;
	long long deadline;
};
#define CLAIM_WAIT_MS 1000

struct ep_info {
	uint8_t present, iface;
	uint16_t mps;
};

struct usbmock {
	pthread_mutex_t lock;
	struct usbmock_ops ops;
	void *ctx;
	/* The device, copied. */
	uint16_t vid, pid, bcd;
	uint8_t cls, subcls, proto;
	char *manufacturer, *product, *serial, *driver;
	uint8_t *config;
	size_t config_len;
	int speed;
	uint8_t devdesc[18];
	struct ep_info eps[32]; /* by epbit() */
	unsigned n_ifaces;

	UMockdevTestbed *tb;
	UMockdevIoctlBase *handler;
	char *root, *fifo_path;
	int fifo, ready, wake;
	pthread_t thread;
	int stopping;

	/* The current plug. */
	int plugged, devnum;
	unsigned gen;
	char devnode[64];
	int driver_bound;                     /* interface 0 bound to ->driver */
	struct client *claimed[MAX_IFACES];   /* usbfs claims */

	struct client *clients;
	struct urb *pending, *done; /* pending in submission order, done in completion order */
	struct halt *halts;
	struct claim *claims;
	unsigned long next_id, current_id;
	int unplug_deferred;
};

static const char syspath[] = "/sys/devices/usb1";

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("usbmock: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int epbit(uint8_t ep)
{
	return (ep & 0x0f) | (ep & 0x80 ? 16 : 0);
}

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int on_own_thread(struct usbmock *m)
{
	return pthread_equal(pthread_self(), m->thread);
}

static void wake(struct usbmock *m)
{
	eventfd_write(m->wake, 1);
}

/* The pipe behind the device node: empty = POLLOUT = "reap me". */
static void set_ready(struct usbmock *m, int want)
{
	static const char page[4096];
	char sink[4096];
	if (want == m->ready)
		return;
	if (want)
		while (read(m->fifo, sink, sizeof sink) > 0) {
		}
	else
		while (write(m->fifo, page, sizeof page) > 0) {
		}
	m->ready = want;
}

/* Answer an ioctl that waited (a closed client is not answered: umockdev would complain). */
static void complete_late(UMockdevIoctlClient *c, int rc)
{
	if (umockdev_ioctl_client_get_connected(c))
		umockdev_ioctl_client_complete(c, rc < 0 ? -1 : rc, rc < 0 ? -rc : 0);
	g_object_unref(c);
}

static void list_append(struct urb **head, struct urb *r)
{
	while (*head)
		head = &(*head)->next;
	r->next = NULL;
	*head = r;
}

static void list_remove(struct urb **head, struct urb *r)
{
	while (*head != r)
		head = &(*head)->next;
	*head = r->next;
	r->next = NULL;
}

static void urb_free(struct urb *r)
{
	g_object_unref(r->data);
	free(r);
}

/* ---- completing URBs (lock held) ---- */

static void finish(struct usbmock *m, struct urb *r, int status, int actual)
{
	r->u->status = status;
	r->u->actual_length = actual;
	list_remove(&m->pending, r);
	list_append(&m->done, r);
}

/*
 * A bulk URB ended short or failed: the rest of its transfer (the URBs
 * flagged BULK_CONTINUATION after it, up to a new transfer's first) is
 * cancelled; if no new transfer is queued yet, the endpoint takes no more
 * continuations until one starts (devio.c cancel_bulk_urbs).
 */
static void cancel_continuations(struct usbmock *m, struct urb *r)
{
	for (struct urb *p = m->pending, *next; p; p = next) {
		next = p->next;
		if (p->ep != r->ep || p->cl != r->cl || p->id < r->id)
			continue;
		if (!(p->u->flags & USBDEVFS_URB_BULK_CONTINUATION))
			return;
		finish(m, p, -ECONNRESET, 0);
	}
	r->cl->disabled_eps |= 1u << epbit(r->ep);
}

static size_t put_string(uint8_t *out, size_t cap, const char *s)
{
	uint8_t d[255];
	size_t n = 2;
	for (; *s && n + 2 <= sizeof d; s++) {
		d[n++] = (uint8_t)*s; /* ASCII (Latin-1) only: what test devices need */
		d[n++] = 0;
	}
	d[0] = (uint8_t)n;
	d[1] = USB_DT_STRING;
	n = n < cap ? n : cap;
	memcpy(out, d, n);
	return n;
}

/* Standard requests usbmock answers itself: length, -EPIPE, or 1 << 30 for "not mine". */
static int standard(struct usbmock *m, const struct usb_ctrlrequest *s, uint8_t *data, size_t n)
{
	enum { NOT_MINE = 1 << 30 };
	if ((s->bRequestType & USB_TYPE_MASK) != USB_TYPE_STANDARD)
		return NOT_MINE;
	if (s->bRequest == USB_REQ_SET_CONFIGURATION && s->bRequestType == 0)
		return s->wValue <= 1 ? 0 : -EPIPE;
	if (s->bRequest == USB_REQ_SET_INTERFACE && s->bRequestType == USB_RECIP_INTERFACE)
		return s->wIndex < m->n_ifaces && s->wValue == 0 ? 0 : -EPIPE;
	if (s->bRequest != USB_REQ_GET_DESCRIPTOR || s->bRequestType != USB_DIR_IN)
		return NOT_MINE;
	unsigned type = s->wValue >> 8, index = s->wValue & 0xff;
	const uint8_t *src = NULL;
	size_t len = 0;
	if (type == USB_DT_DEVICE) {
		src = m->devdesc, len = sizeof m->devdesc;
	} else if (type == USB_DT_CONFIG) {
		if (index != 0)
			return -EPIPE;
		src = m->config, len = m->config_len;
	} else if (type == USB_DT_STRING) {
		const char *str[] = {NULL, m->manufacturer, m->product, m->serial};
		if (index == 0) {
			static const uint8_t langs[] = {4, USB_DT_STRING, 0x09, 0x04};
			src = langs, len = sizeof langs;
		} else if (index < 4 && str[index]) {
			return (int)put_string(data, n, str[index]);
		} else {
			return NOT_MINE;
		}
	} else {
		return NOT_MINE;
	}
	len = len < n ? len : n;
	memcpy(data, src, len);
	return (int)len;
}

/* Offer one URB to the callbacks: 1 if it completed, 0 if it waits. */
static int offer(struct usbmock *m, struct urb *r)
{
	struct usbdevfs_urb *u = r->u;
	uint8_t *buf = u->buffer;
	size_t n = (size_t)u->buffer_length;
	m->current_id = r->id;
	if (u->type == USBDEVFS_URB_TYPE_CONTROL) {
		struct usb_ctrlrequest s;
		memcpy(&s, buf, sizeof s);
		s.wValue = le16toh(s.wValue), s.wIndex = le16toh(s.wIndex), s.wLength = le16toh(s.wLength);
		size_t dn = n - 8 < s.wLength ? n - 8 : s.wLength;
		int rc = standard(m, &s, buf + 8, dn);
		if (rc == 1 << 30)
			rc = m->ops.control ? m->ops.control(m->ctx, &s, buf + 8, dn) : -EPIPE;
		if (rc == USBMOCK_PENDING)
			return 0;
		if (rc < 0)
			finish(m, r, rc, 0);
		else
			finish(m, r, 0, (s.bRequestType & USB_DIR_IN) ? ((size_t)rc < dn ? rc : (int)dn) : (int)dn);
		return 1;
	}
	int rc, status = 0, actual;
	if (r->ep & USB_DIR_IN) {
		rc = m->ops.bulk_in ? m->ops.bulk_in(m->ctx, r->ep, buf, n) : -EPIPE;
		if (rc == USBMOCK_PENDING)
			return 0;
		actual = rc < 0 ? 0 : (size_t)rc < n ? rc : (int)n;
		if (rc < 0)
			status = rc;
		else if ((size_t)actual < n && (u->flags & USBDEVFS_URB_SHORT_NOT_OK))
			status = -EREMOTEIO;
	} else {
		if (!r->zlp) {
			rc = m->ops.bulk_out ? m->ops.bulk_out(m->ctx, r->ep, buf, n) : -EPIPE;
			if (rc == USBMOCK_PENDING)
				return 0;
			if (rc < 0) {
				finish(m, r, rc, 0);
				cancel_continuations(m, r);
				return 1;
			}
			actual = (size_t)rc < n ? rc : (int)n;
			u->actual_length = actual;
			uint16_t mps = m->eps[epbit(r->ep)].mps;
			if ((size_t)actual == n && n && (u->flags & USBDEVFS_URB_ZERO_PACKET) && mps && n % mps == 0)
				r->zlp = 1;
		}
		actual = u->actual_length;
		if (r->zlp) {
			rc = m->ops.bulk_out(m->ctx, r->ep, buf, 0);
			if (rc == USBMOCK_PENDING)
				return 0;
			r->zlp = 0;
			if (rc < 0)
				status = rc;
		}
	}
	finish(m, r, status, actual);
	if (status || (size_t)actual < n)
		cancel_continuations(m, r);
	return 1;
}

static void do_unplug(struct usbmock *m);
static void sweep_clients(struct usbmock *m);
static int use_iface(struct usbmock *m, struct client *cl, unsigned iface);

/* Claims that waited for another open to go: granted, refused after the wait, or waiting on. */
static void retry_claims(struct usbmock *m)
{
	long long now = now_ms();
	for (struct claim **p = &m->claims, *q; (q = *p);) {
		int rc = !m->plugged || q->cl->gen != m->gen ? -ENODEV : use_iface(m, q->cl, q->iface);
		if (rc == -EBUSY && now < q->deadline) {
			p = &q->next;
			continue;
		}
		*p = q->next;
		complete_late(q->c, rc);
		free(q);
	}
}

/* One round: every endpoint's first waiting URB, and the ones after it while they complete. */
static void process(struct usbmock *m)
{
	while (m->halts) {
		struct halt *h = m->halts;
		m->halts = h->next;
		if (m->ops.clear_halt)
			m->ops.clear_halt(m->ctx, h->ep);
		complete_late(h->c, 0);
		free(h);
	}
	sweep_clients(m);
	retry_claims(m);
	uint32_t blocked = 0;
again:
	for (struct urb *r = m->pending; r; r = r->next) {
		uint32_t bit = 1u << epbit(r->ep);
		if (blocked & bit)
			continue;
		if (offer(m, r))
			goto again; /* the lists changed */
		blocked |= bit;
	}
	m->current_id = 0;
	if (m->unplug_deferred) {
		m->unplug_deferred = 0;
		if (m->plugged)
			do_unplug(m);
	}
	set_ready(m, m->done != NULL);
}

static void *thread_main(void *arg)
{
	struct usbmock *m = arg;
	for (;;) {
		eventfd_t v;
		struct pollfd p = {.fd = m->wake, .events = POLLIN};
		pthread_mutex_lock(&m->lock);
		int timeout = m->claims ? 10 : -1;
		pthread_mutex_unlock(&m->lock);
		if (poll(&p, 1, timeout) < 0 && errno != EINTR)
			break;
		eventfd_read(m->wake, &v);
		pthread_mutex_lock(&m->lock);
		int stop = m->stopping;
		if (!stop)
			process(m);
		pthread_mutex_unlock(&m->lock);
		if (stop)
			break;
	}
	return NULL;
}

/* ---- the ioctls (umockdev's thread) ---- */

static void drop_client(struct usbmock *m, struct client *cl)
{
	for (struct client **p = &m->clients; *p; p = &(*p)->next)
		if (*p == cl) {
			*p = cl->next;
			break;
		}
	struct urb **lists[] = {&m->pending, &m->done};
	for (int i = 0; i < 2; i++)
		for (struct urb *r = *lists[i], *next; r; r = next) {
			next = r->next;
			if (r->cl == cl) {
				list_remove(lists[i], r);
				urb_free(r);
			}
		}
	for (int i = 0; i < MAX_IFACES; i++)
		if (m->claimed[i] == cl)
			m->claimed[i] = NULL;
	for (struct claim **p = &m->claims, *q; (q = *p);) {
		if (q->cl != cl) {
			p = &q->next;
			continue;
		}
		*p = q->next;
		complete_late(q->c, -ENODEV);
		free(q);
	}
	g_object_unref(cl->c);
	free(cl);
}

/*
 * Forget the opens that were closed (a process exited or closed the node):
 * their URBs, claims and waiting claims go, as the kernel's release does.
 * umockdev 0.17 marks a client closed once it reads the EOF, and says so to
 * no one, so usbmock looks on each round.
 */
static void sweep_clients(struct usbmock *m)
{
	for (struct client *cl = m->clients, *next; cl; cl = next) {
		next = cl->next;
		if (!umockdev_ioctl_client_get_connected(cl->c))
			drop_client(m, cl);
	}
}

static struct client *client_get(struct usbmock *m, UMockdevIoctlClient *c)
{
	for (struct client *cl = m->clients; cl; cl = cl->next)
		if (cl->c == c)
			return cl;
	struct client *cl = calloc(1, sizeof *cl);
	if (!cl)
		abort();
	cl->c = g_object_ref(c);
	cl->gen = m->gen;
	cl->next = m->clients;
	m->clients = cl;
	return cl;
}

/* The ioctl's argument as a local copy of len bytes (written back on completion). */
static void *arg_data(UMockdevIoctlClient *c, size_t len, UMockdevIoctlData **keep)
{
	GError *e = NULL;
	*keep = umockdev_ioctl_data_resolve(umockdev_ioctl_client_get_arg(c), 0, len, &e);
	if (!*keep) {
		say("cannot read the ioctl argument: %s", e ? e->message : "null pointer");
		g_clear_error(&e);
		return NULL;
	}
	return (*keep)->data;
}

/* An interface usable by cl: claimed by it, or free to claim (devio.c checkintf claims on first use). */
static int use_iface(struct usbmock *m, struct client *cl, unsigned iface)
{
	if (iface >= m->n_ifaces || iface >= MAX_IFACES)
		return -ENOENT;
	if (m->claimed[iface] == cl)
		return 0;
	if (m->claimed[iface] || (iface == 0 && m->driver_bound))
		return -EBUSY;
	m->claimed[iface] = cl;
	return 0;
}

static int submit(struct usbmock *m, struct client *cl, UMockdevIoctlClient *c)
{
	GError *e = NULL;
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(c);
	unsigned long addr = *(unsigned long *)arg->data;
	UMockdevIoctlData *data = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), &e);
	if (!data) {
		say("cannot read the URB: %s", e ? e->message : "null pointer");
		g_clear_error(&e);
		return -EFAULT;
	}
	struct usbdevfs_urb *u = (struct usbdevfs_urb *)data->data;
	int err = 0;
	uint8_t ep = u->type == USBDEVFS_URB_TYPE_CONTROL ? 0 : u->endpoint;
	struct ep_info *info = &m->eps[epbit(ep)];
	if (u->type != USBDEVFS_URB_TYPE_CONTROL && u->type != USBDEVFS_URB_TYPE_BULK &&
	    u->type != USBDEVFS_URB_TYPE_INTERRUPT)
		err = -EINVAL;
	else if (u->buffer_length < 0 || (ep == 0 && u->buffer_length < 8))
		err = -EINVAL;
	else if (ep != 0 && !info->present)
		err = -ENOENT;
	else if (ep != 0)
		err = use_iface(m, cl, info->iface);
	/*
	 * The rest of a transfer whose URB already ended short or failed: devio.c
	 * refuses it with EREMOTEIO, which libusb takes for "done early" and so
	 * reports a stall as a short success. On a bus the device answers after
	 * the whole transfer is queued, and the kernel cancels the rest; usbmock
	 * answers at once, so it does what the kernel would have done then.
	 */
	int cancelled = 0;
	if (!err && ep != 0) {
		uint32_t bit = 1u << epbit(ep);
		if (!(u->flags & USBDEVFS_URB_BULK_CONTINUATION))
			cl->disabled_eps &= ~bit;
		else if (cl->disabled_eps & bit)
			cancelled = 1;
	}
	if (!err && u->buffer_length > 0) {
		UMockdevIoctlData *b =
		    umockdev_ioctl_data_resolve(data, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer), (gsize)u->buffer_length, &e);
		if (!b) {
			say("cannot read the URB's buffer: %s", e ? e->message : "null pointer");
			g_clear_error(&e);
			err = -EFAULT;
		} else {
			g_object_unref(b); /* data keeps it */
		}
	}
	if (err) {
		g_object_unref(data);
		return err;
	}
	/*
	 * Detach the copy from the ioctl's argument, or completing the submit
	 * would write it back to the host while usbmock's thread fills it; it
	 * goes back on reap instead.
	 */
	if (!umockdev_ioctl_data_reload(arg, &e)) {
		say("cannot detach the URB: %s", e ? e->message : "?");
		g_clear_error(&e);
	}
	struct urb *r = calloc(1, sizeof *r);
	if (!r)
		abort();
	r->cl = cl, r->data = data, r->u = u, r->addr = addr, r->ep = ep, r->id = ++m->next_id;
	if (cancelled) {
		u->status = -ECONNRESET, u->actual_length = 0;
		list_append(&m->done, r);
		set_ready(m, 1);
	} else {
		list_append(&m->pending, r);
		wake(m);
	}
	return 0;
}

static int reap(struct usbmock *m, struct client *cl, UMockdevIoctlClient *c, int gone)
{
	struct urb *r = m->done;
	while (r && r->cl != cl)
		r = r->next;
	if (!r)
		return gone ? -ENODEV : -EAGAIN;
	GError *e = NULL;
	UMockdevIoctlData *ptr = umockdev_ioctl_data_resolve(umockdev_ioctl_client_get_arg(c), 0, sizeof(void *), &e);
	if (!ptr) {
		say("cannot reap into the host's pointer: %s", e ? e->message : "null pointer");
		g_clear_error(&e);
		return -EFAULT;
	}
	list_remove(&m->done, r);
	umockdev_ioctl_data_set_ptr(ptr, 0, r->data); /* written back to the host on completion */
	g_object_unref(ptr);
	urb_free(r);
	set_ready(m, m->done != NULL);
	return 0;
}

static int discard(struct usbmock *m, struct client *cl, UMockdevIoctlClient *c)
{
	unsigned long addr = *(unsigned long *)umockdev_ioctl_client_get_arg(c)->data;
	for (struct urb *r = m->pending; r; r = r->next)
		if (r->cl == cl && r->addr == addr) {
			finish(m, r, -ENOENT, r->u->type == USBDEVFS_URB_TYPE_CONTROL ? 0 : r->zlp ? r->u->actual_length : 0);
			set_ready(m, 1);
			return 0;
		}
	return -EINVAL; /* done already (reaped or about to be) */
}

static int driver_ioctl(struct usbmock *m, struct client *cl, UMockdevIoctlClient *c)
{
	UMockdevIoctlData *keep;
	struct usbdevfs_ioctl *io = arg_data(c, sizeof *io, &keep);
	if (!io)
		return -EFAULT;
	int rc = -ENOTTY;
	unsigned iface = (unsigned)io->ifno;
	if (io->ifno < 0 || iface >= m->n_ifaces)
		rc = -EINVAL;
	else if ((unsigned long)io->ioctl_code == USBDEVFS_DISCONNECT)
		rc = iface == 0 && m->driver_bound ? (m->driver_bound = 0) : -ENODATA;
	else if ((unsigned long)io->ioctl_code == USBDEVFS_CONNECT)
		rc = m->claimed[iface] && m->claimed[iface] != cl ? -EBUSY
		     : iface == 0 && m->driver && !m->claimed[0] ? (m->driver_bound = 1)
								  : 0;
	g_object_unref(keep);
	return rc;
}

/* Claim, or queue the claim behind another open's (see struct claim): rc, or 1 when queued. */
static int claim(struct usbmock *m, struct client *cl, UMockdevIoctlClient *c, unsigned iface)
{
	int rc = use_iface(m, cl, iface);
	if (rc != -EBUSY || !m->claimed[iface])
		return rc;
	struct claim *q = calloc(1, sizeof *q), **tail = &m->claims;
	if (!q)
		abort();
	q->c = g_object_ref(c), q->cl = cl, q->iface = iface, q->deadline = now_ms() + CLAIM_WAIT_MS;
	while (*tail)
		tail = &(*tail)->next;
	*tail = q;
	wake(m);
	return 1;
}

static gboolean on_ioctl(UMockdevIoctlBase *h, UMockdevIoctlClient *c, gpointer user)
{
	(void)h;
	struct usbmock *m = user;
	unsigned long req = umockdev_ioctl_client_get_request(c);
	UMockdevIoctlData *keep = NULL;
	int rc = 0;
	pthread_mutex_lock(&m->lock);
	if (m->stopping) {
		pthread_mutex_unlock(&m->lock);
		umockdev_ioctl_client_complete(c, -1, ENODEV);
		return TRUE;
	}
	struct client *cl = client_get(m, c);
	int gone = !m->plugged || cl->gen != m->gen;
	if (gone && req != USBDEVFS_REAPURB && req != USBDEVFS_REAPURBNDELAY && req != USBDEVFS_DISCARDURB) {
		rc = -ENODEV;
	} else if (req == USBDEVFS_SUBMITURB) {
		rc = submit(m, cl, c);
	} else if (req == USBDEVFS_REAPURB || req == USBDEVFS_REAPURBNDELAY) {
		/* libusb only reaps without delay; a blocking reap is answered the same way */
		rc = reap(m, cl, c, gone);
	} else if (req == USBDEVFS_DISCARDURB) {
		rc = discard(m, cl, c);
	} else if (req == USBDEVFS_GET_CAPABILITIES) {
		uint32_t *caps = arg_data(c, sizeof *caps, &keep);
		rc = caps ? (*caps = CAPS, 0) : -EFAULT;
	} else if (req == USBDEVFS_CLAIMINTERFACE || req == USBDEVFS_RELEASEINTERFACE) {
		unsigned *iface = arg_data(c, sizeof *iface, &keep);
		if (!iface)
			rc = -EFAULT;
		else if (req == USBDEVFS_CLAIMINTERFACE)
			rc = claim(m, cl, c, *iface);
		else if (*iface < MAX_IFACES && m->claimed[*iface] == cl)
			m->claimed[*iface] = NULL, wake(m);
		else
			rc = -EINVAL;
	} else if (req == USBDEVFS_DISCONNECT_CLAIM) {
		struct usbdevfs_disconnect_claim *dc = arg_data(c, sizeof *dc, &keep);
		if (!dc) {
			rc = -EFAULT;
		} else if (dc->interface == 0 && m->driver_bound) {
			dc->driver[USBDEVFS_MAXDRIVERNAME] = 0;
			int same = !strcmp(dc->driver, m->driver);
			if (((dc->flags & USBDEVFS_DISCONNECT_CLAIM_IF_DRIVER) && !same) ||
			    ((dc->flags & USBDEVFS_DISCONNECT_CLAIM_EXCEPT_DRIVER) && same))
				rc = -EBUSY;
			else
				m->driver_bound = 0;
		}
		if (!rc)
			rc = claim(m, cl, c, dc->interface);
	} else if (req == USBDEVFS_GETDRIVER) {
		struct usbdevfs_getdriver *gd = arg_data(c, sizeof *gd, &keep);
		if (!gd)
			rc = -EFAULT;
		else if (gd->interface == 0 && m->driver_bound)
			snprintf(gd->driver, sizeof gd->driver, "%s", m->driver);
		else if (gd->interface < MAX_IFACES && m->claimed[gd->interface])
			snprintf(gd->driver, sizeof gd->driver, "usbfs");
		else
			rc = -ENODATA;
	} else if (req == USBDEVFS_IOCTL) {
		rc = driver_ioctl(m, cl, c);
	} else if (req == USBDEVFS_CONNECTINFO) {
		struct usbdevfs_connectinfo *ci = arg_data(c, sizeof *ci, &keep);
		rc = ci ? (ci->devnum = (unsigned)m->devnum, ci->slow = 0, 0) : -EFAULT;
	} else if (req == USBDEVFS_CLEAR_HALT) {
		unsigned *ep = arg_data(c, sizeof *ep, &keep);
		if (!ep) {
			rc = -EFAULT;
		} else if (!m->eps[epbit((uint8_t)*ep)].present || (*ep & 0x70)) {
			rc = -ENOENT;
		} else {
			/* the callback runs on usbmock's thread, which completes the ioctl */
			struct halt *hq = calloc(1, sizeof *hq), **tail = &m->halts;
			if (!hq)
				abort();
			hq->c = g_object_ref(c), hq->ep = (uint8_t)*ep;
			while (*tail)
				tail = &(*tail)->next;
			*tail = hq;
			wake(m);
			pthread_mutex_unlock(&m->lock);
			g_clear_object(&keep);
			return TRUE;
		}
	} else if (req == USBDEVFS_SETINTERFACE) {
		struct usbdevfs_setinterface *si = arg_data(c, sizeof *si, &keep);
		rc = !si ? -EFAULT : si->altsetting ? -EINVAL : use_iface(m, cl, si->interface);
	} else if (req == USBDEVFS_SETCONFIGURATION || req == USBDEVFS_RESET || req == USBDEVFS_RESETEP) {
		rc = 0;
	} else if (req == USBDEVFS_GET_SPEED) {
		rc = m->speed == 480 ? USB_SPEED_HIGH : USB_SPEED_FULL;
	} else {
		rc = -ENOTTY;
	}
	pthread_mutex_unlock(&m->lock);
	/* After the unlock: completing flushes the local copies back to the host on this thread. */
	if (!(rc == 1 && (req == USBDEVFS_CLAIMINTERFACE || req == USBDEVFS_DISCONNECT_CLAIM)))
		umockdev_ioctl_client_complete(c, rc < 0 ? -1 : rc, rc < 0 ? -rc : 0);
	g_clear_object(&keep);
	return TRUE;
}

/* ---- plugging ---- */

/* MurmurHash2 of a string, seeded with its length: libudev's filter hash for subsystem and devtype. */
static uint32_t murmur2(const char *str)
{
	const uint32_t mul = 0x5bd1e995;
	size_t n = strlen(str);
	const unsigned char *p = (const unsigned char *)str;
	uint32_t h = (uint32_t)n;
	for (; n >= 4; n -= 4, p += 4) {
		uint32_t k = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		k *= mul;
		k ^= k >> 24;
		k *= mul;
		h = h * mul ^ k;
	}
	if (n) {
		for (size_t i = n; i-- > 0;)
			h ^= (uint32_t)p[i] << (8 * i);
		h *= mul;
	}
	h ^= h >> 13;
	h *= mul;
	return h ^ h >> 15;
}

/*
 * A udev event as libudev's monitor reads it (header "libudev", then the
 * properties), to every monitor in the testbed: the preload library binds
 * each process's netlink socket to $UMOCKDEV_DIR/event<fd>. What
 * umockdev_testbed_uevent() sends, without needing the preload library in
 * this process (it reads the testbed's sysfs through it).
 */
static void send_uevent(struct usbmock *m, const char *action)
{
	static unsigned long long seqnum;
	char props[512];
	int n = snprintf(props, sizeof props,
			 "ACTION=%s%cDEVPATH=/devices/usb1%cSUBSYSTEM=usb%cSEQNUM=%llu%cDEVNAME=%s%cDEVTYPE=usb_device%c",
			 action, 0, 0, 0, ++seqnum, 0, m->devnode, 0, 0);
	struct {
		char prefix[8];
		uint32_t magic, header_size, properties_off, properties_len, subsystem_hash, devtype_hash, bloom_hi,
		    bloom_lo;
	} h = {"libudev", htonl(0xfeedcafe), sizeof h, sizeof h, (uint32_t)n, htonl(murmur2("usb")),
	       htonl(murmur2("usb_device")), 0, 0};
	struct iovec iov[2] = {{&h, sizeof h}, {props, (size_t)n}};
	char *pattern = g_strconcat(m->root, "/event[0-9]*", NULL);
	glob_t g;
	if (glob(pattern, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			struct sockaddr_un a = {.sun_family = AF_UNIX};
			snprintf(a.sun_path, sizeof a.sun_path, "%s", g.gl_pathv[i]);
			int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
			struct msghdr msg = {.msg_name = &a, .msg_namelen = sizeof a, .msg_iov = iov, .msg_iovlen = 2};
			if (fd >= 0 && sendmsg(fd, &msg, 0) < 0 && errno == ECONNREFUSED)
				unlink(a.sun_path); /* a monitor that is gone */
			if (fd >= 0)
				close(fd);
		}
	}
	globfree(&g);
	g_free(pattern);
}

static void hex(GString *s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		g_string_append_printf(s, "%02x", p[i]);
}

/* A sysfs text attribute from a caller's string: the record format escapes \ and newlines. */
static void text_attr(GString *s, const char *name, const char *value)
{
	if (!value)
		return;
	g_string_append_printf(s, "A: %s=", name);
	for (const char *p = value; *p; p++)
		if (*p == '\\')
			g_string_append(s, "\\\\");
		else if (*p != '\n')
			g_string_append_c(s, *p);
	g_string_append(s, "\\n\n");
}

static int do_plug(struct usbmock *m)
{
	GError *e = NULL;
	m->devnum = m->devnum >= 127 ? 2 : m->devnum + 1;
	m->gen++;
	snprintf(m->devnode, sizeof m->devnode, "/dev/bus/usb/001/%03d", m->devnum);
	m->driver_bound = m->driver != NULL;
	memset(m->claimed, 0, sizeof m->claimed);
	/* The ioctl socket first, so the node is served the moment it appears. */
	if (!umockdev_testbed_attach_ioctl(m->tb, m->devnode, m->handler, &e)) {
		say("cannot attach the ioctl handler to %s: %s", m->devnode, e ? e->message : "?");
		g_clear_error(&e);
		return -1;
	}
	GString *s = g_string_new("P: /devices/usb1\n");
	g_string_append_printf(s,
			       "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\nE: BUSNUM=001\nE: DEVNUM=%03d\n"
			       "E: DEVNAME=%s\nE: PRODUCT=%x/%x/%x\nE: TYPE=%u/%u/%u\n"
			       "E: ID_VENDOR_ID=%04x\nE: ID_MODEL_ID=%04x\n",
			       m->devnum, m->devnode, m->vid, m->pid, m->bcd, m->cls, m->subcls, m->proto, m->vid, m->pid);
	g_string_append_printf(s,
			       "A: busnum=1\\n\nA: devnum=%d\\n\nA: dev=189:%d\\n\nA: speed=%d\\n\n"
			       "A: bConfigurationValue=1\\n\nA: bNumConfigurations=1\\n\nA: bNumInterfaces=%2u\\n\n"
			       "A: idVendor=%04x\\n\nA: idProduct=%04x\\n\nA: bcdDevice=%04x\\n\n"
			       "A: bDeviceClass=%02x\\n\nA: bDeviceSubClass=%02x\\n\nA: bDeviceProtocol=%02x\\n\n"
			       "A: bMaxPacketSize0=64\\n\nA: version= 2.00\\n\nA: maxchild=0\\n\n",
			       m->devnum, m->devnum - 1, m->speed, m->n_ifaces, m->vid, m->pid, m->bcd, m->cls, m->subcls,
			       m->proto);
	text_attr(s, "manufacturer", m->manufacturer);
	text_attr(s, "product", m->product);
	text_attr(s, "serial", m->serial);
	g_string_append(s, "H: descriptors=");
	hex(s, m->devdesc, sizeof m->devdesc);
	hex(s, m->config, m->config_len);
	g_string_append(s, "\n");
	int ok = umockdev_testbed_add_from_string(m->tb, s->str, &e);
	g_string_free(s, TRUE);
	if (!ok) {
		say("cannot add the device: %s", e ? e->message : "?");
		g_clear_error(&e);
		return -1;
	}
	/* The node: the pipe that tells libusb when to reap (see the top). */
	char *node = g_strconcat(m->root, m->devnode, NULL), *dir = g_path_get_dirname(node);
	int rc = g_mkdir_with_parents(dir, 0755) || link(m->fifo_path, node) ? -1 : 0;
	if (rc)
		say("cannot make %s: %s", node, strerror(errno));
	g_free(node);
	g_free(dir);
	if (rc)
		return -1;
	m->plugged = 1;
	send_uevent(m, "add");
	return 0;
}

/* Lock held. */
static void do_unplug(struct usbmock *m)
{
	GError *e = NULL;
	m->plugged = 0;
	for (struct urb *r = m->pending, *next; r; r = next) {
		next = r->next;
		finish(m, r, -ENODEV, 0);
	}
	set_ready(m, m->done != NULL);
	if (!umockdev_testbed_detach_ioctl(m->tb, m->devnode, &e)) {
		say("cannot detach the ioctl handler from %s: %s", m->devnode, e ? e->message : "?");
		g_clear_error(&e);
	}
	char *node = g_strconcat(m->root, m->devnode, NULL);
	unlink(node);
	g_free(node);
	send_uevent(m, "remove");
	umockdev_testbed_remove_device(m->tb, syspath);
}

void usbmock_kick(struct usbmock *m)
{
	wake(m);
}

void usbmock_unplug(struct usbmock *m)
{
	if (on_own_thread(m)) {
		m->unplug_deferred = 1; /* lock held by the callback's caller */
		return;
	}
	pthread_mutex_lock(&m->lock);
	if (m->plugged)
		do_unplug(m);
	pthread_mutex_unlock(&m->lock);
}

void usbmock_plug(struct usbmock *m)
{
	pthread_mutex_lock(&m->lock);
	if (!m->plugged && do_plug(m))
		say("plugging failed");
	pthread_mutex_unlock(&m->lock);
}

unsigned long usbmock_urb_id(struct usbmock *m)
{
	return m->current_id;
}

int usbmock_devnum(struct usbmock *m)
{
	pthread_mutex_lock(&m->lock);
	int n = m->plugged ? m->devnum : 0;
	pthread_mutex_unlock(&m->lock);
	return n;
}

const char *usbmock_dir(struct usbmock *m)
{
	return m->root;
}

/* ---- start and stop ---- */

static char *dup_or_null(const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

/* Endpoints and interfaces from the configuration descriptor; -1 if it does not parse. */
static int parse_config(struct usbmock *m)
{
	const uint8_t *c = m->config;
	size_t n = m->config_len;
	if (n < 9 || c[0] < 9 || c[1] != USB_DT_CONFIG || (size_t)(c[2] | c[3] << 8) != n) {
		say("the configuration descriptor is not one (type, length or wTotalLength)");
		return -1;
	}
	int iface = -1;
	for (size_t at = c[0]; at < n; at += c[at]) {
		if (c[at] < 2 || at + c[at] > n) {
			say("a descriptor at offset %zu runs past the configuration", at);
			return -1;
		}
		if (c[at + 1] == USB_DT_INTERFACE && c[at] >= 9) {
			iface = c[at + 2];
			if ((unsigned)iface + 1 > m->n_ifaces)
				m->n_ifaces = (unsigned)iface + 1;
		} else if (c[at + 1] == USB_DT_ENDPOINT && c[at] >= 7) {
			if (iface < 0) {
				say("an endpoint before any interface");
				return -1;
			}
			struct ep_info *e = &m->eps[epbit(c[at + 2])];
			e->present = 1, e->iface = (uint8_t)iface, e->mps = (uint16_t)((c[at + 4] | c[at + 5] << 8) & 0x7ff);
		}
	}
	m->eps[0].present = 1;
	return 0;
}

int usbmock_start(struct usbmock **out, const struct usbmock_desc *d, const struct usbmock_ops *ops, void *ctx)
{
	*out = NULL;
	if (d->speed_mbps != 480 && d->speed_mbps != 12) {
		say("speed_mbps is 480 or 12, not %d", d->speed_mbps);
		return -1;
	}
	struct usbmock *m = calloc(1, sizeof *m);
	if (!m)
		abort();
	pthread_mutex_init(&m->lock, NULL);
	m->ops = *ops, m->ctx = ctx;
	m->vid = d->vid, m->pid = d->pid, m->bcd = d->bcd_device;
	m->cls = d->dev_class, m->subcls = d->dev_subclass, m->proto = d->dev_protocol;
	m->manufacturer = dup_or_null(d->manufacturer), m->product = dup_or_null(d->product);
	m->serial = dup_or_null(d->serial), m->driver = dup_or_null(d->driver);
	m->speed = d->speed_mbps;
	m->fifo = m->wake = -1;
	m->config = malloc(d->config_len ? d->config_len : 1);
	if (!m->config)
		abort();
	memcpy(m->config, d->config, d->config_len);
	m->config_len = d->config_len;
	if (parse_config(m))
		goto fail;
	const uint8_t dev[18] = {18, USB_DT_DEVICE, 0x00, 0x02, m->cls, m->subcls, m->proto, 64,
				 (uint8_t)m->vid, (uint8_t)(m->vid >> 8), (uint8_t)m->pid, (uint8_t)(m->pid >> 8),
				 (uint8_t)m->bcd, (uint8_t)(m->bcd >> 8), m->manufacturer ? 1 : 0, m->product ? 2 : 0,
				 m->serial ? 3 : 0, 1};
	memcpy(m->devdesc, dev, sizeof dev);

	m->tb = umockdev_testbed_new();
	m->root = umockdev_testbed_get_root_dir(m->tb);
	m->fifo_path = g_strconcat(m->root, "/usbmock-reap", NULL);
	if (mkfifo(m->fifo_path, 0600) || (m->fifo = open(m->fifo_path, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) {
		say("cannot make the FIFO %s: %s", m->fifo_path, strerror(errno));
		goto fail;
	}
	fcntl(m->fifo, F_SETPIPE_SZ, 4096); /* the smallest pipe: quick to fill and drain */
	m->ready = 1;
	set_ready(m, 0);
	m->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (m->wake < 0) {
		say("eventfd: %s", strerror(errno));
		goto fail;
	}
	m->handler = umockdev_ioctl_base_new();
	g_signal_connect(m->handler, "handle-ioctl", G_CALLBACK(on_ioctl), m);
	if (pthread_create(&m->thread, NULL, thread_main, m)) {
		say("cannot start the thread");
		goto fail;
	}
	pthread_mutex_lock(&m->lock);
	int rc = do_plug(m);
	pthread_mutex_unlock(&m->lock);
	if (rc) {
		usbmock_stop(m);
		return -1;
	}
	*out = m;
	return 0;
fail:
	if (m->handler)
		g_object_unref(m->handler);
	if (m->tb)
		g_object_unref(m->tb);
	if (m->fifo >= 0)
		close(m->fifo);
	if (m->wake >= 0)
		close(m->wake);
	g_free(m->root);
	g_free(m->fifo_path);
	free(m->config), free(m->manufacturer), free(m->product), free(m->serial), free(m->driver);
	pthread_mutex_destroy(&m->lock);
	free(m);
	return -1;
}

void usbmock_stop(struct usbmock *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->stopping = 1;
	pthread_mutex_unlock(&m->lock);
	wake(m);
	pthread_join(m->thread, NULL);
	g_signal_handlers_disconnect_by_data(m->handler, m); /* an ioctl under way sees ->stopping */
	pthread_mutex_lock(&m->lock);
	if (m->plugged)
		do_unplug(m);
	while (m->halts) {
		struct halt *h = m->halts;
		m->halts = h->next;
		complete_late(h->c, -ENODEV);
		free(h);
	}
	while (m->clients)
		drop_client(m, m->clients); /* and their waiting claims */
	pthread_mutex_unlock(&m->lock);
	g_object_unref(m->tb); /* removes the testbed's directory and unsets UMOCKDEV_DIR */
	g_object_unref(m->handler);
	close(m->fifo);
	close(m->wake);
	g_free(m->root);
	g_free(m->fifo_path);
	free(m->config), free(m->manufacturer), free(m->product), free(m->serial), free(m->driver);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

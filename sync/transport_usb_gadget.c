#define LOG_MODULE "usbgadget"
/*
 * sync/transport_usb_gadget: the kiosk is the USB device. FunctionFS gives
 * ep0 (descriptors, then events; it polls) and one file per endpoint: ep1
 * is bulk OUT (office PC -> kiosk), ep2 bulk IN (kiosk -> office PC). The
 * endpoint files do not poll, so each has a thread doing blocking I/O:
 * the reader appends what comes off the pipe to a queue, the writer sends
 * one exchange's frames. The caller (the sync worker) waits on a condition
 * variable with a deadline, so a silent office PC costs a timeout, not a
 * hang.
 *
 * The kiosk speaks first; the office PC answers each message. After
 * anything unusual (a new cable, a damaged frame, a timeout) the next
 * exchange opens with a RESET frame carrying a fresh random token, and
 * everything read before the office PC's RESET with the same token is
 * dropped: a late answer to an abandoned message can never be taken for
 * the answer to a new one.
 */
#include "usbgadget.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/usb/functionfs.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "crypt.h"
#include "fs.h"
#include "log.h"
#include "mem.h"
#include "protocol.h"
#include "usbdesc.h"
#include "usbframe.h"

#define IO_CHUNK (16 * 1024)        /* one endpoint read or write */
#define FRAME_PAYLOAD (64 * 1024)   /* one frame's payload */
#define REPLUG_GRACE_MS 5000        /* how long an exchange waits for a pulled cable to come back */

struct usb_gadget {
	char *dir;
	int ep0, stop_fd;
	void (*on_event)(void *ctx, int event);
	void *ctx;
	pthread_t ev_th, rx_th, tx_th;
	int rx_started;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	atomic_int stop;    /* also read by the writer between pieces */
	/* under mu */
	int connected;
	unsigned gen;       /* counts ENABLEs: an exchange notices a replug */
	int rx_down;        /* the reader of the current gen saw the link go */
	int rx_running, tx_running;
	int ep_in;          /* ep2, kiosk -> office PC */
	struct buf inq;     /* bytes read, not yet parsed */
	struct buf *tx_job; /* frames for the writer */
	int tx_busy, tx_rc;
	int in_use;         /* a transport exists */
};

struct usb_transport {
	struct sync_transport base;
	struct usb_gadget *g;
	int timeout_ms;
	int need_sync, synced;
	unsigned gen;
	unsigned char token[USBFRAME_TOKEN];
	uint32_t tx_seq;
	struct usbframe_rx rx;
};

/* A blocked read or write on an endpoint file ends with EINTR when this signal hits its thread. */
static void on_wake(int sig)
{
	(void)sig;
}

static pthread_once_t wake_once = PTHREAD_ONCE_INIT;
static void wake_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_wake; /* no SA_RESTART: the blocked call returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
}

/* Knock a thread out of a blocking call until it says it has stopped, then join it. */
static void stop_thread(struct usb_gadget *g, pthread_t th, int *running)
{
	for (int i = 0; i < 300; i++) {
		pthread_mutex_lock(&g->mu);
		int r = *running;
		pthread_mutex_unlock(&g->mu);
		if (!r)
			break;
		pthread_kill(th, SIGUSR2);
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	pthread_join(th, NULL);
}

struct rx_arg {
	struct usb_gadget *g;
	int fd;
	unsigned gen;
};

static void *rx_main(void *p)
{
	struct rx_arg a = *(struct rx_arg *)p;
	free(p);
	struct usb_gadget *g = a.g;
	unsigned char *b = xmalloc(IO_CHUNK);
	for (;;) {
		ssize_t n = read(a.fd, b, IO_CHUNK);
		pthread_mutex_lock(&g->mu);
		int stop = g->stop || g->gen != a.gen;
		if (n > 0 && !stop) {
			buf_append(&g->inq, b, (size_t)n);
			pthread_cond_broadcast(&g->cv);
		}
		pthread_mutex_unlock(&g->mu);
		if (stop || n == 0 || (n < 0 && errno != EINTR))
			break;
	}
	free(b);
	close(a.fd);
	pthread_mutex_lock(&g->mu);
	if (g->gen == a.gen)
		g->rx_down = 1;
	g->rx_running = 0;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

/* Write all of it in endpoint-sized pieces; a transfer that ends on a packet boundary gets a zero-length packet. */
static int write_frames(int fd, const unsigned char *p, size_t n, const atomic_int *stop)
{
	size_t last = 0;
	while (n) {
		size_t k = n < IO_CHUNK ? n : IO_CHUNK;
		ssize_t w = write(fd, p, k);
		if (w < 0 && errno == EINTR && !*stop)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		p += w;
		n -= (size_t)w;
		last = (size_t)w;
	}
	if (usbframe_needs_zlp(last, USBFRAME_MPS_HS) && write(fd, p, 0) < 0)
		return errno;
	return 0;
}

static void *tx_main(void *p)
{
	struct usb_gadget *g = p;
	pthread_mutex_lock(&g->mu);
	for (;;) {
		while (!g->stop && !g->tx_job)
			pthread_cond_wait(&g->cv, &g->mu);
		if (g->stop)
			break;
		struct buf *job = g->tx_job;
		int fd = g->ep_in;
		g->tx_job = NULL;
		pthread_mutex_unlock(&g->mu);
		int e = fd < 0 ? ENODEV : write_frames(fd, (const unsigned char *)job->data, job->len, &g->stop);
		buf_finish(job);
		free(job);
		pthread_mutex_lock(&g->mu);
		g->tx_busy = 0;
		g->tx_rc = e;
		pthread_cond_broadcast(&g->cv);
	}
	g->tx_running = 0;
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

/* FUNCTIONFS_ENABLE: open the endpoint files and start reading (on the events thread). */
static void link_up(struct usb_gadget *g)
{
	if (g->rx_started) { /* the last cable's reader, if the pipe did not end it */
		stop_thread(g, g->rx_th, &g->rx_running);
		g->rx_started = 0;
	}
	char *p1 = fs_join(g->dir, "ep1"), *p2 = fs_join(g->dir, "ep2");
	int out = open(p1, O_RDONLY | O_CLOEXEC), in = open(p2, O_WRONLY | O_CLOEXEC);
	int e = errno;
	free(p1);
	free(p2);
	if (out < 0 || in < 0) {
		log_warn("usb_endpoints_unavailable errno=%d", e);
		if (out >= 0)
			close(out);
		if (in >= 0)
			close(in);
		return;
	}
	pthread_mutex_lock(&g->mu);
	if (g->ep_in >= 0)
		close(g->ep_in);
	g->ep_in = in;
	g->gen++;
	g->connected = 1;
	g->rx_down = 0;
	g->rx_running = 1;
	g->inq.len = 0;
	struct rx_arg *a = xmalloc(sizeof *a);
	*a = (struct rx_arg){g, out, g->gen};
	if (pthread_create(&g->rx_th, NULL, rx_main, a)) {
		free(a);
		close(out);
		g->rx_running = 0;
		g->connected = 0;
		pthread_mutex_unlock(&g->mu);
		log_error("usb_thread_failed");
		return;
	}
	g->rx_started = 1;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	log_info("usb_connected");
	if (g->on_event)
		g->on_event(g->ctx, USB_GADGET_CONNECTED);
}

static void link_down(struct usb_gadget *g)
{
	pthread_mutex_lock(&g->mu);
	int was = g->connected;
	g->connected = 0;
	g->gen++; /* the reader, if its read is still blocked, leaves when knocked */
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	if (!was)
		return;
	log_info("usb_disconnected");
	if (g->on_event)
		g->on_event(g->ctx, USB_GADGET_DISCONNECTED);
}

static void *ev_main(void *p)
{
	struct usb_gadget *g = p;
	struct usb_functionfs_event ev[4];
	size_t have = 0;
	for (;;) {
		struct pollfd pf[2] = {{g->ep0, POLLIN, 0}, {g->stop_fd, POLLIN, 0}};
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[1].revents)
			break;
		ssize_t n = read(g->ep0, (char *)ev + have, sizeof ev - have);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			log_warn("usb_ep0_closed errno=%d", n < 0 ? errno : 0);
			link_down(g);
			break;
		}
		have += (size_t)n;
		size_t k = have / sizeof ev[0];
		for (size_t i = 0; i < k; i++) {
			switch (ev[i].type) {
			case FUNCTIONFS_ENABLE:
				if (!usb_gadget_connected(g))
					link_up(g);
				break;
			case FUNCTIONFS_DISABLE:
			case FUNCTIONFS_UNBIND:
				link_down(g);
				break;
			case FUNCTIONFS_SETUP: {
				/* No class or vendor requests are ours (the MS OS descriptors are the composite layer's): stall by going the other way. */
				unsigned char z = 0;
				ssize_t r = (ev[i].u.setup.bRequestType & USB_DIR_IN) ? read(g->ep0, &z, 0) : write(g->ep0, &z, 0);
				(void)r;
				break;
			}
			default: /* BIND, SUSPEND, RESUME: nothing to do */
				break;
			}
		}
		have -= k * sizeof ev[0];
		memmove(ev, (char *)ev + k * sizeof ev[0], have);
	}
	return NULL;
}

int usb_gadget_open(struct usb_gadget **out, const char *dir, void (*on_event)(void *ctx, int event), void *ctx,
		    struct diag *d)
{
	*out = NULL;
	pthread_once(&wake_once, wake_install);
	/* Writing to a pipe whose reader left must fail, not end the process (a stand-in FunctionFS uses pipes). */
	signal(SIGPIPE, SIG_IGN);
	char *p0 = fs_join(dir, "ep0");
	int ep0 = open(p0, O_RDWR | O_CLOEXEC);
	int e = errno;
	free(p0);
	if (ep0 < 0) {
		diag_set(d, "usb: cannot open %s/ep0 (%s): is the gadget set up (board/usb-gadget.sh up)?", dir, strerror(e));
		return ERR_NOTFOUND;
	}
	struct buf desc, str;
	buf_init(&desc);
	buf_init(&str);
	usbdesc_functionfs(&desc);
	usbdesc_strings(&str);
	int bad = fs_write_all(ep0, desc.data, desc.len) ? 1 : fs_write_all(ep0, str.data, str.len) ? 2 : 0;
	e = errno;
	buf_finish(&desc);
	buf_finish(&str);
	if (bad) {
		close(ep0);
		diag_set(d, "usb: FunctionFS refused our %s (%s)", bad == 1 ? "descriptors" : "strings", strerror(e));
		return ERR_IO;
	}
	struct usb_gadget *g = xcalloc(1, sizeof *g);
	g->dir = xstrdup(dir);
	g->ep0 = ep0;
	g->ep_in = -1;
	g->on_event = on_event;
	g->ctx = ctx;
	g->stop_fd = eventfd(0, EFD_CLOEXEC);
	buf_init(&g->inq);
	pthread_mutex_init(&g->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->cv, &ca);
	pthread_condattr_destroy(&ca);
	g->tx_running = 1;
	if (g->stop_fd < 0 || pthread_create(&g->tx_th, NULL, tx_main, g)) {
		diag_set(d, "usb: cannot start the endpoint threads");
		close(ep0);
		if (g->stop_fd >= 0)
			close(g->stop_fd);
		free(g->dir);
		free(g);
		return ERR_IO;
	}
	if (pthread_create(&g->ev_th, NULL, ev_main, g)) {
		pthread_mutex_lock(&g->mu);
		g->stop = 1;
		pthread_cond_broadcast(&g->cv);
		pthread_mutex_unlock(&g->mu);
		pthread_join(g->tx_th, NULL);
		diag_set(d, "usb: cannot start the endpoint threads");
		close(ep0);
		close(g->stop_fd);
		free(g->dir);
		free(g);
		return ERR_IO;
	}
	log_info("usb_function_ready");
	*out = g;
	return 0;
}

int usb_gadget_connected(struct usb_gadget *g)
{
	pthread_mutex_lock(&g->mu);
	int c = g->connected;
	pthread_mutex_unlock(&g->mu);
	return c;
}

static void deadline_ts(struct timespec *ts, uint64_t deadline_ns)
{
	/* The condition variable waits on CLOCK_MONOTONIC (set in open): never the wall clock. */
	ts->tv_sec = (time_t)(deadline_ns / 1000000000u);
	ts->tv_nsec = (long)(deadline_ns % 1000000000u);
}

static int wait_until(struct usb_gadget *g, uint64_t deadline_ns)
{
	struct timespec ts;
	deadline_ts(&ts, deadline_ns);
	return pthread_cond_timedwait(&g->cv, &g->mu, &ts);
}

int usb_gadget_wait(struct usb_gadget *g, int timeout_ms)
{
	uint64_t end = clock_mono_ns() + (uint64_t)timeout_ms * 1000000u;
	pthread_mutex_lock(&g->mu);
	while (!g->connected && wait_until(g, end) != ETIMEDOUT)
		;
	int c = g->connected;
	pthread_mutex_unlock(&g->mu);
	return c;
}

void usb_gadget_close(struct usb_gadget *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->mu);
	g->stop = 1;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	uint64_t one = 1;
	ssize_t w = write(g->stop_fd, &one, sizeof one);
	(void)w;
	pthread_join(g->ev_th, NULL);
	if (g->rx_started)
		stop_thread(g, g->rx_th, &g->rx_running);
	stop_thread(g, g->tx_th, &g->tx_running);
	if (g->ep_in >= 0)
		close(g->ep_in);
	close(g->ep0); /* the function goes away: the office PC sees the kiosk leave */
	close(g->stop_fd);
	if (g->tx_job) {
		buf_finish(g->tx_job);
		free(g->tx_job);
	}
	buf_finish(&g->inq);
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	free(g->dir);
	free(g);
}

/* Under g->mu: parse what the reader queued. 1: the answer is in t->rx.msg; 0: not yet; ERR_REFUSED, ERR_IO. */
static int take_answer(struct usb_transport *t, struct diag *d)
{
	struct usb_gadget *g = t->g;
	int rc = usbframe_rx_feed(&t->rx, g->inq.data, g->inq.len, d);
	g->inq.len = 0;
	for (;;) {
		if (t->rx.resets && !memcmp(t->rx.token, t->token, USBFRAME_TOKEN))
			t->synced = 1;
		if (rc == 0)
			return 0;
		if (rc == 1 && t->synced)
			return 1;
		if (rc == ERR_REFUSED && t->synced)
			return ERR_REFUSED;
		if (rc == 1 || rc == ERR_REFUSED) { /* left over from before our reset: not ours */
			usbframe_rx_next(&t->rx);
		} else { /* damaged or out of order */
			usbframe_rx_resync(&t->rx);
			if (t->synced) {
				t->need_sync = 1;
				return ERR_IO;
			}
		}
		rc = usbframe_rx_feed(&t->rx, NULL, 0, d);
	}
}

static int usb_exchange(struct sync_transport *base, const struct buf *req, struct buf *reply, struct diag *d)
{
	struct usb_transport *t = (struct usb_transport *)base;
	struct usb_gadget *g = t->g;
	uint64_t end = clock_mono_ns() + (uint64_t)t->timeout_ms * 1000000u;
	int rc = ERR_IO;
	pthread_mutex_lock(&g->mu);
	/* A cable pulled and pushed back in within a few seconds: wait for it rather than burn the retries. */
	uint64_t back = clock_mono_ns() + (uint64_t)(t->timeout_ms < REPLUG_GRACE_MS ? t->timeout_ms : REPLUG_GRACE_MS) * 1000000u;
	while (!g->connected && wait_until(g, back) != ETIMEDOUT)
		;
	if (!g->connected) {
		diag_set(d, "usb: the cable is not connected (or the office PC has not opened it)");
		goto out;
	}
	while (g->tx_busy && g->connected && wait_until(g, end) != ETIMEDOUT)
		;
	if (g->tx_busy || !g->connected) {
		diag_set(d, "usb: the office PC is not reading (is 'spean-center usb' running?)");
		t->need_sync = 1;
		goto out;
	}
	if (t->gen != g->gen)
		t->need_sync = 1;
	struct buf *job = xmalloc(sizeof *job);
	buf_init(job);
	if (t->need_sync) {
		crypt_random(t->token, sizeof t->token);
		usbframe_put(job, USBFRAME_RESET, 0, 0, t->token, sizeof t->token);
		t->tx_seq = 1;
		usbframe_rx_finish(&t->rx);
		usbframe_rx_init(&t->rx, SYNC_MAX_CONTENT_MESSAGE);
		g->inq.len = 0;
		t->synced = 0;
		t->need_sync = 0;
		t->gen = g->gen;
	}
	usbframe_put_message(job, req->data, req->len, FRAME_PAYLOAD, &t->tx_seq);
	g->tx_job = job;
	g->tx_busy = 1;
	g->tx_rc = 0;
	pthread_cond_broadcast(&g->cv);
	for (;;) {
		int a = take_answer(t, d);
		if (a == 1) {
			reply->len = 0;
			buf_append(reply, t->rx.msg.data, t->rx.msg.len);
			usbframe_rx_next(&t->rx);
			rc = 0;
			break;
		}
		if (a == ERR_REFUSED) {
			rc = ERR_REFUSED;
			log_warn("center_refused");
			break;
		}
		if (a == ERR_IO)
			break; /* d says what was damaged */
		if (!g->tx_busy && g->tx_rc) {
			diag_set(d, "usb: writing to the cable failed (%s)", strerror(g->tx_rc));
			t->need_sync = 1;
			break;
		}
		if (!g->connected || g->gen != t->gen || g->rx_down) {
			diag_set(d, "usb: the cable was unplugged");
			t->need_sync = 1;
			break;
		}
		if (wait_until(g, end) == ETIMEDOUT) {
			diag_set(d, "usb: no answer from the office PC in %d s", t->timeout_ms / 1000);
			t->need_sync = 1;
			break;
		}
	}
out:
	pthread_mutex_unlock(&g->mu);
	if (rc == ERR_IO)
		log_warn("usb_exchange_failed");
	return rc;
}

static void usb_destroy(struct sync_transport *base)
{
	struct usb_transport *t = (struct usb_transport *)base;
	pthread_mutex_lock(&t->g->mu);
	t->g->in_use = 0;
	pthread_mutex_unlock(&t->g->mu);
	usbframe_rx_finish(&t->rx);
	free(t);
}

static const struct transport_ops usb_ops = {"usb", usb_exchange, usb_destroy};

int transport_usb_gadget_create(struct sync_transport **out, struct usb_gadget *g, int timeout_ms, struct diag *d)
{
	*out = NULL;
	pthread_mutex_lock(&g->mu);
	int busy = g->in_use;
	g->in_use = 1;
	pthread_mutex_unlock(&g->mu);
	if (busy) {
		diag_set(d, "usb: a sync is already using the cable");
		return ERR_STATE;
	}
	struct usb_transport *t = xcalloc(1, sizeof *t);
	t->base.ops = &usb_ops;
	t->g = g;
	t->timeout_ms = timeout_ms > 0 ? timeout_ms : 20000;
	t->need_sync = 1;
	usbframe_rx_init(&t->rx, SYNC_MAX_CONTENT_MESSAGE);
	*out = &t->base;
	return 0;
}

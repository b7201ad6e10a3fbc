#define LOG_MODULE "autosync"
/*
 * app/autosync. The loop watches a netlink socket (address and link
 * changes) and arms one timer; nothing runs while nothing happens. A sync
 * runs on a worker thread because libcurl blocks; its result comes back
 * through loop_post. While requests stay held after a failure, it retries
 * after 30 s, doubling up to 30 min (the wall clock is only for display).
 *
 * The USB cable: where the board has set up the FunctionFS function
 * ($SPEAN_FFS_DIR, else /run/spean-ffs, with an ep0), the kiosk opens it at
 * start; plugging the cable into the office PC (FUNCTIONFS_ENABLE, seen on
 * the gadget's own thread) posts to the loop, which starts a sync at once.
 * While the cable is in, syncs go over it; otherwise over the network.
 */
#include "autosync.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "fs.h"
#include "log.h"
#include "mem.h"
#include "pack.h"
#include "usbgadget.h"

struct autosync {
	struct loop *loop;
	const struct device *dev;
	char *url;
	struct usb_gadget *usb;
	int nl;
	struct loop_timer *timer;
	pthread_t th;
	int running, again;
	unsigned backoff_ms;
	void (*done)(void *ctx);
	void *ctx;
	/* the worker's result, read on the loop's thread after loop_post */
	int rc;
	struct sync_result res;
	char last[64];
	int last_failed;
};

uint64_t autosync_retention(const char *data_dir)
{
	uint64_t v = fs_read_number(data_dir, AUTOSYNC_RETENTION_FILE);
	return v ? v : 30;
}

static void finished(void *ctx);

static void *worker(void *p)
{
	struct autosync *a = p;
	struct diag d = {""};
	struct store *st = NULL;
	struct sync_transport *t = NULL;
	memset(&a->res, 0, sizeof a->res);
	a->rc = store_open(a->dev->dir, 0, &st, &d);
	if (!a->rc && a->usb && usb_gadget_connected(a->usb)) {
		a->rc = transport_usb_gadget_create(&t, a->usb, 0, &d);
	} else if (!a->rc && a->url) {
		const char *pin =
			!strncmp(a->url, "https://", 8) && a->dev->center_tls_pin[0] ? a->dev->center_tls_pin : NULL;
		a->rc = transport_http_create(&t, a->url, pin, &d);
	} else if (!a->rc) {
		a->rc = ERR_IO;
		diag_set(&d, "no carrier: the cable is out and no center.url");
	}
	if (!a->rc) {
		struct sync_client_cfg cfg = {st, a->dev->sign_pk, a->dev->sign_sk, a->dev->center_sign_pk,
					      autosync_retention(a->dev->dir), 3, NULL, NULL,
					      pack_installed_version(a->dev->dir), pack_install_cb, 0, 0, 0, NULL, 0, -1};
		cfg.ctx = a->dev->dir;
		pack_refusal_to_cfg(a->dev->dir, &cfg);
		kiosk_facts_to_cfg(a->dev->dir, &cfg);
		a->rc = sync_run(&cfg, t, &a->res, &d);
		pack_refusal_after(a->dev->dir, &cfg, &a->res);
	}
	if (a->rc)
		log_warn("sync_failed code=%s", err_name(a->rc));
	if (t)
		t->ops->destroy(t);
	store_close(st);
	loop_post(a->loop, finished, a);
	return NULL;
}

static void run_now(void *ctx)
{
	struct autosync *a = ctx;
	a->timer = NULL;
	if (a->running) {
		a->again = 1;
		return;
	}
	a->running = 1;
	if (pthread_create(&a->th, NULL, worker, a)) {
		a->running = 0;
		log_error("sync_thread_failed");
	}
}

static void finished(void *ctx)
{
	struct autosync *a = ctx;
	pthread_join(a->th, NULL);
	a->running = 0; /* only the loop's thread reads or writes it */
	char when[16];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(when, sizeof when, "%H:%M", &tm);
	snprintf(a->last, sizeof a->last, "%s", when);
	a->last_failed = a->rc != 0;
	log_info("sync_done ok=%d delivered=%llu held=%llu", a->rc == 0, (unsigned long long)a->res.delivered,
		 (unsigned long long)a->res.held);
	if (a->again) {
		a->again = 0;
		autosync_kick(a, 0);
	} else if (a->rc && a->res.held) {
		autosync_kick(a, a->backoff_ms);
		a->backoff_ms = a->backoff_ms < 15 * 60 * 1000 ? a->backoff_ms * 2 : 30 * 60 * 1000;
	} else {
		a->backoff_ms = 30 * 1000;
	}
	if (a->done)
		a->done(a->ctx);
}

void autosync_kick(struct autosync *a, unsigned delay_ms)
{
	if (!a)
		return;
	if (a->timer)
		loop_timer_cancel(a->loop, a->timer);
	a->timer = loop_timer(a->loop, delay_ms, run_now, a);
}

/* On the loop's thread: the cable went in (or out). */
static void usb_changed(void *ctx)
{
	struct autosync *a = ctx;
	if (usb_gadget_connected(a->usb)) {
		a->backoff_ms = 30 * 1000;
		autosync_kick(a, 0);
	}
}

/* On the gadget's thread: only wake the loop. */
static void usb_event(void *ctx, int event)
{
	struct autosync *a = ctx;
	(void)event;
	loop_post(a->loop, usb_changed, a);
}

/* Netlink: a new address or an interface coming up is a reason to try. */
static void on_netlink(void *ctx, int fd, short revents)
{
	struct autosync *a = ctx;
	(void)revents;
	char buf[8192];
	ssize_t n;
	int up = 0;
	while ((n = recv(fd, buf, sizeof buf, MSG_DONTWAIT)) > 0) {
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == RTM_NEWADDR)
				up = 1;
			else if (h->nlmsg_type == RTM_NEWLINK) {
				struct ifinfomsg *ifi = NLMSG_DATA(h);
				up |= (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING);
			}
		}
	}
	if (up) {
		log_info("network_up");
		autosync_kick(a, 2000); /* let DHCP and routes settle */
	}
}

struct autosync *autosync_start(struct loop *l, const struct device *dev, void (*done)(void *ctx), void *ctx)
{
	if (!dev->has_center_sign)
		return NULL;
	struct buf b;
	struct diag d;
	buf_init(&b);
	int rc = fs_read_in(dev->dir, AUTOSYNC_URL_FILE, 1024, &b, &d);
	if (rc || !b.data || !b.len)
		buf_finish(&b);
	while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == ' ' || b.data[b.len - 1] == '\r'))
		b.data[--b.len] = '\0';
	const char *ffs = getenv("SPEAN_FFS_DIR");
	if (!ffs || !*ffs)
		ffs = AUTOSYNC_FFS_DIR;
	char *ep0 = fs_join(ffs, "ep0");
	int has_usb = access(ep0, F_OK) == 0;
	free(ep0);
	if (!b.data && !has_usb)
		return NULL;
	struct autosync *a = xcalloc(1, sizeof *a);
	a->loop = l;
	a->dev = dev;
	a->url = b.data;
	if (has_usb && usb_gadget_open(&a->usb, ffs, usb_event, a, &d))
		log_warn("usb_unavailable"); /* the reason names a path, no personal data, but keep logs to codes */
	a->done = done;
	a->ctx = ctx;
	a->backoff_ms = 30 * 1000;
	a->nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR};
	if (a->nl >= 0 && bind(a->nl, (struct sockaddr *)&sa, sizeof sa) == 0)
		loop_watch(l, a->nl, POLLIN, on_netlink, a);
	else
		log_warn("netlink_unavailable"); /* still syncs at start, after requests and on retries */
	log_info("autosync_on network=%d usb=%d", a->url != NULL, a->usb != NULL);
	if (a->url)
		autosync_kick(a, 1000); /* the network may be up already */
	return a;
}

void autosync_last(const struct autosync *a, char *out, size_t n, int *failed)
{
	snprintf(out, n, "%s", a ? a->last : "");
	*failed = a ? a->last_failed : 0;
}

void autosync_stop(struct autosync *a)
{
	if (!a)
		return;
	if (a->timer)
		loop_timer_cancel(a->loop, a->timer);
	if (a->nl >= 0) {
		loop_unwatch(a->loop, a->nl);
		close(a->nl);
	}
	/* A sync in flight: its result is posted to the loop; give it a few seconds, then leave it (each commit is durable). */
	for (int i = 0; i < 50 && a->running; i++) {
		loop_run_once(a->loop, 100);
	}
	if (a->running) {
		log_warn("sync_abandoned_at_exit");
		return; /* the thread still uses a: leak it, the process is ending */
	}
	usb_gadget_close(a->usb); /* the function leaves the bus with ep0 */
	free(a->url);
	free(a);
}

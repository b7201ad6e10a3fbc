/*
 * The kiosk's cable transport against a stand-in FunctionFS (usb.md): ep0 is
 * a pseudo-terminal in raw mode (the test reads the descriptors from its
 * master side and writes the kernel's events), ep1 and ep2 are FIFOs, and a
 * thread here plays the office PC: it echoes resets and answers each
 * message, or misbehaves on purpose (silent, late, refusing, damaging).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/usb/functionfs.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "testlib.h"
#include "usbdesc.h"
#include "usbframe.h"
#include "usbgadget.h"

enum mode { ANSWER, SILENT, LATE, REFUSE, DAMAGE, BUSY };

struct host {
	int ep1, ep2; /* our ends: we write ep1 (OUT), read ep2 (IN) */
	atomic_int mode, stop, messages, resets;
	pthread_t th;
};

static void put(struct host *h, const struct buf *b)
{
	const char *p = b->data;
	size_t n = b->len;
	while (n) {
		ssize_t w = write(h->ep1, p, n);
		if (w < 0 && errno == EAGAIN) {
			usleep(1000);
			continue;
		}
		if (w <= 0)
			return;
		p += w, n -= (size_t)w;
	}
}

static void *host_main(void *p)
{
	struct host *h = p;
	struct usbframe_rx rx;
	usbframe_rx_init(&rx, 64u << 20);
	uint32_t seq = 0;
	unsigned resets = 0;
	unsigned char b[8192];
	while (!h->stop) {
		struct pollfd pf = {h->ep2, POLLIN, 0};
		if (poll(&pf, 1, 50) <= 0)
			continue;
		ssize_t n = read(h->ep2, b, sizeof b);
		if (n <= 0)
			continue;
		struct diag d;
		int rc = usbframe_rx_feed(&rx, b, (size_t)n, &d);
		for (;;) {
			if (rx.resets != resets) {
				resets = rx.resets;
				h->resets++;
				struct buf r;
				buf_init(&r);
				seq = 0;
				usbframe_put(&r, USBFRAME_RESET, 0, seq++, rx.token, USBFRAME_TOKEN);
				put(h, &r);
				buf_finish(&r);
			}
			if (rc != 1)
				break;
			h->messages++;
			struct buf ans, out;
			buf_init(&ans);
			buf_init(&out);
			buf_append(&ans, "re:", 3);
			buf_append(&ans, rx.msg.data, rx.msg.len);
			int m = h->mode;
			if (m == REFUSE)
				usbframe_put(&out, USBFRAME_REFUSE, 0, seq++, "this kiosk is not enrolled", 26);
			else if (m == BUSY)
				usbframe_put(&out, USBFRAME_ABORT, 0, seq++, "cannot store", 12);
			else if (m != SILENT)
				usbframe_put_message(&out, ans.data, ans.len, 4096, &seq);
			if (m == DAMAGE)
				out.data[out.len - 1] ^= 0x10;
			if (m == LATE)
				usleep(400 * 1000);
			put(h, &out);
			buf_finish(&ans);
			buf_finish(&out);
			usbframe_rx_next(&rx);
			rc = usbframe_rx_feed(&rx, NULL, 0, &d);
		}
		if (rc < 0)
			usbframe_rx_resync(&rx);
	}
	usbframe_rx_finish(&rx);
	return NULL;
}

static void event(int master, int type)
{
	struct usb_functionfs_event e;
	memset(&e, 0, sizeof e);
	e.type = (unsigned char)type;
	CHECK(write(master, &e, sizeof e) == (ssize_t)sizeof e);
}

/* Read one FunctionFS blob (magic, length, ...) off the pty's master side. */
static void read_blob(int master, struct buf *out)
{
	unsigned char hdr[8];
	size_t got = 0;
	while (got < 8) {
		ssize_t n = read(master, hdr + got, 8 - got);
		if (n <= 0)
			return;
		got += (size_t)n;
	}
	uint32_t len = (uint32_t)hdr[4] | (uint32_t)hdr[5] << 8 | (uint32_t)hdr[6] << 16 | (uint32_t)hdr[7] << 24;
	buf_append(out, hdr, 8);
	while (out->len < len) {
		unsigned char b[512];
		size_t want = len - out->len < sizeof b ? len - out->len : sizeof b;
		ssize_t n = read(master, b, want);
		if (n <= 0)
			return;
		buf_append(out, b, (size_t)n);
	}
}

static int ex(struct sync_transport *t, const char *msg, struct buf *reply, struct diag *d)
{
	struct buf req;
	buf_init(&req);
	buf_append(&req, msg, strlen(msg));
	int rc = t->ops->exchange(t, &req, reply, d);
	buf_finish(&req);
	return rc;
}

/* An exchange that must succeed with the office's answer to exactly this message ("re:" + msg). */
static void ex_answered(struct sync_transport *t, const char *msg, struct buf *reply, struct diag *d)
{
	CHECK_INT(ex(t, msg, reply, d), 0);
	size_t n = strlen(msg);
	CHECK(reply->len == n + 3 && !memcmp(reply->data, "re:", 3) && !memcmp(reply->data + 3, msg, n));
}

int main(void)
{
	char *dir = t_tmpdir("usbgadget");
	char p0[512], p1[512], p2[512];
	snprintf(p0, sizeof p0, "%s/ep0", dir);
	snprintf(p1, sizeof p1, "%s/ep1", dir);
	snprintf(p2, sizeof p2, "%s/ep2", dir);

	/* Not there: a clear message. */
	struct usb_gadget *g;
	struct diag d = {""};
	CHECK_INT(usb_gadget_open(&g, dir, NULL, NULL, &d), ERR_NOTFOUND);
	CHECK(strstr(d.msg, "usb-gadget.sh up") != NULL);

	int master = posix_openpt(O_RDWR | O_NOCTTY);
	CHECK(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0);
	int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	struct termios tio;
	CHECK(tcgetattr(slave, &tio) == 0);
	cfmakeraw(&tio);
	CHECK(tcsetattr(slave, TCSANOW, &tio) == 0);
	CHECK(symlink(ptsname(master), p0) == 0);
	CHECK(mkfifo(p1, 0600) == 0 && mkfifo(p2, 0600) == 0);
	struct host h;
	memset(&h, 0, sizeof h);
	h.ep1 = open(p1, O_RDWR | O_NONBLOCK);
	h.ep2 = open(p2, O_RDWR | O_NONBLOCK);
	CHECK(h.ep1 >= 0 && h.ep2 >= 0);

	/* The kiosk writes exactly our descriptors and strings to ep0. */
	CHECK_INT(usb_gadget_open(&g, dir, NULL, NULL, &d), 0);
	struct buf want, got;
	buf_init(&want);
	buf_init(&got);
	usbdesc_functionfs(&want);
	read_blob(master, &got);
	CHECK(got.len == want.len && !memcmp(got.data, want.data, want.len));
	want.len = got.len = 0;
	usbdesc_strings(&want);
	read_blob(master, &got);
	CHECK(got.len == want.len && !memcmp(got.data, want.data, want.len));

	/* No cable yet: an exchange says so at once. */
	struct sync_transport *t;
	CHECK_INT(transport_usb_gadget_create(&t, g, 300, &d), 0);
	struct sync_transport *t2;
	CHECK_INT(transport_usb_gadget_create(&t2, g, 300, &d), ERR_STATE);
	struct buf reply;
	buf_init(&reply);
	CHECK_INT(ex(t, "hello", &reply, &d), ERR_IO);
	CHECK(strstr(d.msg, "not connected") != NULL);
	CHECK(!usb_gadget_wait(g, 50));

	event(master, FUNCTIONFS_BIND);
	event(master, FUNCTIONFS_ENABLE);
	CHECK(usb_gadget_wait(g, 2000));
	pthread_create(&h.th, NULL, host_main, &h);

	ex_answered(t, "hello", &reply, &d);
	ex_answered(t, "second", &reply, &d);
	CHECK_INT(h.resets, 1); /* one reset per fresh start, not per message */

	/* A big message crosses in many frames and pipe reads. */
	struct buf big, bigrep;
	buf_init(&big);
	buf_init(&bigrep);
	for (int i = 0; i < (3 << 18); i++) {
		char c = (char)('a' + i % 26);
		buf_append(&big, &c, 1);
	}
	CHECK_INT(t->ops->exchange(t, &big, &bigrep, &d), 0);
	CHECK(bigrep.len == big.len + 3 && !memcmp(bigrep.data + 3, big.data, big.len));

	/* Refused: the center's reason, and the link stays in step. */
	h.mode = REFUSE;
	CHECK_INT(ex(t, "offer", &reply, &d), ERR_REFUSED);
	CHECK(strstr(d.msg, "not enrolled") != NULL);
	h.mode = BUSY;
	CHECK_INT(ex(t, "offer", &reply, &d), ERR_IO);
	CHECK(strstr(d.msg, "cannot store") != NULL);
	h.mode = ANSWER;
	ex_answered(t, "after-refusal", &reply, &d);

	/* Silent office PC: a timeout, then the next exchange resynchronises. */
	h.mode = SILENT;
	CHECK_INT(ex(t, "lost", &reply, &d), ERR_IO);
	CHECK(strstr(d.msg, "no answer") != NULL);
	/* Late answer: it arrives after the timeout and must not pass for the next one's. */
	h.mode = LATE;
	CHECK_INT(ex(t, "slow", &reply, &d), ERR_IO);
	h.mode = ANSWER;
	ex_answered(t, "fresh", &reply, &d);
	/* A damaged answer: refused by its CRC, then all is well again. */
	h.mode = DAMAGE;
	CHECK_INT(ex(t, "damaged", &reply, &d), ERR_IO);
	CHECK(strstr(d.msg, "CRC") != NULL);
	h.mode = ANSWER;
	ex_answered(t, "mended", &reply, &d);

	/* Unplugged: DISABLE, exchanges fail fast; plugged again: works (the old reader is knocked out). */
	event(master, FUNCTIONFS_DISABLE);
	for (int i = 0; i < 100 && usb_gadget_connected(g); i++)
		usleep(10000);
	CHECK(!usb_gadget_connected(g));
	CHECK_INT(ex(t, "unplugged", &reply, &d), ERR_IO);
	event(master, FUNCTIONFS_ENABLE);
	CHECK(usb_gadget_wait(g, 2000));
	ex_answered(t, "replugged", &reply, &d);
	CHECK(h.resets >= 4);

	t->ops->destroy(t);
	h.stop = 1;
	pthread_join(h.th, NULL);
	usb_gadget_close(g);
	/* Closing ep0 is what takes the function off the bus: the master side sees it. */
	close(slave);
	char c;
	CHECK(read(master, &c, 1) <= 0);
	close(master);
	close(h.ep1);
	close(h.ep2);
	buf_finish(&want);
	buf_finish(&got);
	buf_finish(&reply);
	buf_finish(&big);
	buf_finish(&bigrep);
	t_rmtree(dir);
	free(dir);
	return t_done("sync_usbgadget_test");
}

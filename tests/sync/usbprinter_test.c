/*
 * tests/sync/usbprinter_test: the receipt printer over the real libusb against a printer mocked
 * under umockdev (tests/lib/usbmock): usblp detached, the receipt's ESC/POS stream decoded back and
 * its QR read by zbarimg (58 and 80 mm), writes of at most 4 KiB, no paper, a stalled printer (per
 * chunk and against the whole job's deadline), a stall cleared once, unplug mid-job, no printer;
 * then the real kiosk printing to the mocked printer ($SPEAN, $CENTER). Runs under
 * umockdev-wrapper (LD_PRELOAD=libumockdev-preload.so.0).
 */
#include <errno.h>
#include <libusb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "escpos.h"
#include "escpos_decode.h"
#include "oracle.h"
#include "receipt.h"
#include "testlib.h"
#include "usbmock.h"
#include "usbprinter.h"

#define VID 0x0fe6
#define PID 0x811e

/* config + interface (class as given: 7 printer / 1 printer subclass / 2 bidirectional) + bulk OUT 0x01 + bulk IN 0x82 */
#define CONFIG(cls, sub, proto)                                                       \
	{9, 2, 32, 0, 1, 1, 0, 0xc0, 1, 9, 4, 0, 0, 2, cls, sub, proto, 0,            \
	 7, 5, 0x01, 2, 0x00, 0x02, 0, 7, 5, 0x82, 2, 0x00, 0x02, 0}
static const uint8_t printer_config[] = CONFIG(7, 1, 2);
static const uint8_t vendor_config[] = CONFIG(0xff, 0, 0);
static const uint8_t storage_config[] = CONFIG(8, 6, 0x50);

enum behave {
	TAKE,         /* takes every byte at once */
	STALL,        /* takes nothing, ever */
	STALL_AFTER,  /* takes `limit` bytes, then nothing */
	SLOW,         /* takes one URB per tick of the ticker thread */
	UNPLUG_AFTER, /* takes `limit` bytes, then the cable is pulled */
	PIPE_ONCE,    /* the first URB stalls the endpoint (EPIPE), then it takes everything */
	PIPE_ALWAYS,  /* every URB stalls the endpoint */
};

/* The mocked printer. Callbacks run on usbmock's thread; the test reads under the lock. */
struct printer {
	pthread_mutex_t mu;
	struct usbmock *m;
	enum behave how;
	int answer_status; /* answers GET_PORT_STATUS */
	uint8_t port;      /* the 1284 status byte it answers */
	size_t limit;
	int tokens;        /* SLOW: URBs it may take now */
	struct buf got;
	size_t max_urb;
	int urbs, zlps, port_asked, port_bad_index, halts_cleared, pipes;
};

static void reset(struct printer *p, enum behave how)
{
	pthread_mutex_lock(&p->mu);
	p->how = how;
	p->answer_status = 1;
	p->port = 0x18; /* selected, no error, paper */
	p->limit = 0;
	p->tokens = 0;
	p->got.len = 0;
	p->max_urb = 0;
	p->urbs = p->zlps = p->port_asked = p->port_bad_index = p->halts_cleared = p->pipes = 0;
	pthread_mutex_unlock(&p->mu);
}

static int on_bulk_out(void *ctx, uint8_t ep, const uint8_t *data, size_t n)
{
	struct printer *p = ctx;
	int rc = (int)n;
	pthread_mutex_lock(&p->mu);
	if (ep != 0x01) {
		rc = -EPIPE;
		goto out;
	}
	if (n == 0) {
		p->zlps++;
		goto out;
	}
	switch (p->how) {
	case STALL:
		rc = USBMOCK_PENDING;
		goto out;
	case STALL_AFTER:
		if (p->got.len >= p->limit) {
			rc = USBMOCK_PENDING;
			goto out;
		}
		break;
	case SLOW:
		if (!p->tokens) {
			rc = USBMOCK_PENDING;
			goto out;
		}
		p->tokens--;
		break;
	case UNPLUG_AFTER:
		if (p->got.len >= p->limit) {
			usbmock_unplug(p->m); /* after this URB: it and all later ones fail with ENODEV */
			rc = USBMOCK_PENDING;
			goto out;
		}
		break;
	case PIPE_ONCE:
	case PIPE_ALWAYS:
		if (p->how == PIPE_ALWAYS || !p->pipes) {
			p->pipes++;
			rc = -EPIPE;
			goto out;
		}
		break;
	case TAKE:
		break;
	}
	p->urbs++;
	if (n > p->max_urb)
		p->max_urb = n;
	buf_append(&p->got, data, n);
out:
	pthread_mutex_unlock(&p->mu);
	return rc;
}

static int on_control(void *ctx, const struct usb_ctrlrequest *s, uint8_t *data, size_t n)
{
	struct printer *p = ctx;
	int rc = -EPIPE;
	pthread_mutex_lock(&p->mu);
	if (s->bRequestType == 0xa1 && s->bRequest == 1 && n >= 1) { /* printer class GET_PORT_STATUS */
		p->port_asked++;
		if (s->wIndex != 0)
			p->port_bad_index++;
		if (p->answer_status) {
			data[0] = p->port;
			rc = 1;
		}
	} else if (s->bRequestType == 0x80 && s->bRequest == 0 && n >= 2) { /* standard GET_STATUS (device) */
		data[0] = 1; /* self-powered */
		data[1] = 0;
		rc = 2;
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

static void on_clear_halt(void *ctx, uint8_t ep)
{
	struct printer *p = ctx;
	pthread_mutex_lock(&p->mu);
	if (ep == 0x01)
		p->halts_cleared++;
	pthread_mutex_unlock(&p->mu);
}

static const struct usbmock_ops printer_ops = {on_bulk_out, NULL, on_control, on_clear_halt};

static int start(struct printer *p, const uint8_t *config, size_t len, const char *driver)
{
	struct usbmock_desc d = {VID, PID, 0x0100, 0, 0, 0, "Spean Test", "Receipt Printer", "TP0001", config, len, driver, 12};
	reset(p, TAKE);
	return usbmock_start(&p->m, &d, &printer_ops, p);
}

/* Is a kernel driver bound to the printer's interface 0, as libusb sees it? 1, 0, or -1 (no device). */
static int driver_bound(void)
{
	libusb_context *ctx;
	if (libusb_init(&ctx))
		return -1;
	libusb_device_handle *h = libusb_open_device_with_vid_pid(ctx, VID, PID);
	int rc = h ? libusb_kernel_driver_active(h, 0) : -1;
	if (h)
		libusb_close(h);
	libusb_exit(ctx);
	return rc;
}

static double ms_since(uint64_t t0)
{
	return (double)(clock_mono_ns() - t0) / 1e6;
}

static enum usbprinter_status print(const char *sel_text, const struct buf *b, int timeout_ms, double *ms)
{
	struct usbprinter_sel sel;
	struct diag d = {""};
	CHECK_INT(usbprinter_sel_parse(sel_text, &sel, &d), 0);
	uint64_t t0 = clock_mono_ns();
	enum usbprinter_status s = usbprinter_write(&sel, b->data, b->len, timeout_ms, &d);
	if (ms)
		*ms = ms_since(t0);
	if (s != USBPRINTER_OK)
		fprintf(stderr, "  (%s: %s)\n", usbprinter_status_name(s), d.msg);
	return s;
}

/* The bytes the printer took decode to the receipt and zbarimg reads the QR as the request id. */
static void check_receipt(struct printer *p, const struct buf *sent, int width, const char *qr)
{
	pthread_mutex_lock(&p->mu);
	CHECK(p->got.len == sent->len && !memcmp(p->got.data, sent->data, sent->len));
	struct escpos_image img;
	int feed, cut;
	const char *why = escpos_decode(&p->got, &img, &feed, &cut);
	pthread_mutex_unlock(&p->mu);
	CHECK(why == NULL);
	if (why) {
		fprintf(stderr, "decode: %s\n", why);
		return;
	}
	CHECK_INT(img.width, width);
	CHECK(cut == 1);
	char *dir = t_tmpdir("usbprinter");
	char pbm[1200];
	snprintf(pbm, sizeof pbm, "%s/receipt.pbm", dir);
	FILE *f = fopen(pbm, "wb");
	fprintf(f, "P4\n%d %d\n", img.width, img.height);
	fwrite(img.bits, (size_t)(img.width / 8), (size_t)img.height, f);
	fclose(f);
	char *argv[] = {"zbarimg", "--raw", "-q", pbm, NULL};
	char *o = NULL, *e = NULL;
	CHECK_INT(t_run(argv, &o, &e), 0);
	char want[128];
	snprintf(want, sizeof want, "%s\n", qr);
	CHECK_STR(o, want);
	free(o);
	free(e);
	free(img.bits);
	t_rmtree(dir);
	free(dir);
}

static void receipt_bytes(struct text *t, int width, struct buf *b)
{
	const char *docs[] = {"Giấy chứng nhận hộ nghèo do xã cấp", "Giấy khai sinh hoặc giấy tờ có ngày sinh", NULL};
	struct receipt_info r = {"vi", "Đã gửi yêu cầu", "Mã yêu cầu của bạn", "3F2A-91C0",
				 "3f2a91c0aa55e01b7c6d2f4e9a0b1c3d", "Ngày 20/05/2026",
				 "Bạn có thể được trợ giúp pháp lý miễn phí", "Giấy tờ nên mang theo (nếu có):", docs,
				 "Giữ mã này. Trung tâm sẽ liên hệ với bạn. Nếu cần, gọi 0294 3 855 555."};
	struct escpos_image img;
	struct diag d = {""};
	CHECK_INT(receipt_render(t, &r, width, &img, &d), 0);
	buf_init(b);
	escpos_encode(b, &img, 4, 1);
	free(img.bits);
}

static void test_parse(void)
{
	struct usbprinter_sel s;
	struct diag d = {""};
	CHECK_INT(usbprinter_sel_parse("usb", &s, &d), 0);
	CHECK(s.vid == 0 && s.pid == 0);
	CHECK_INT(usbprinter_sel_parse("usb:0fe6:811E", &s, &d), 0);
	CHECK(s.vid == 0x0fe6 && s.pid == 0x811e);
	const char *bad[] = {"", "usb:", "usb:0fe6", "usb:0fe6:811", "usb:0fe6:811e0", "usb:0fe6-811e", "usb:0000:0000",
			     "usb:g000:0001", "usb:0fe6:811e ", "USB", "/dev/usb/lp0", NULL};
	for (int i = 0; bad[i]; i++) {
		CHECK_INT(usbprinter_sel_parse(bad[i], &s, &d), ERR_INVAL);
		CHECK(strstr(d.msg, "usb:VVVV:PPPP") != NULL);
	}
}

static struct printer P = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* SLOW: one URB per 150 ms. */
static atomic_int ticking;
static void *ticker(void *arg)
{
	(void)arg;
	while (ticking) {
		struct timespec ts = {0, 150 * 1000000L};
		nanosleep(&ts, NULL);
		pthread_mutex_lock(&P.mu);
		P.tokens++;
		pthread_mutex_unlock(&P.mu);
		usbmock_kick(P.m);
	}
	return NULL;
}

static void test_printer(struct text *t)
{
	struct buf r58, r80;
	receipt_bytes(t, ESCPOS_DOTS_58MM, &r58);
	receipt_bytes(t, ESCPOS_DOTS_80MM, &r80);
	CHECK(r58.len > 3 * USBPRINTER_CHUNK && r80.len > r58.len);
	if (start(&P, printer_config, sizeof printer_config, "usblp")) {
		CHECK(!"usbmock_start");
		return;
	}
	double ms;

	/* usblp bound; the first printer-class device gets the whole receipt in writes of at most 4 KiB. */
	CHECK_INT(driver_bound(), 1);
	CHECK_INT(print("usb", &r58, 10000, NULL), USBPRINTER_OK);
	CHECK_INT(driver_bound(), 0); /* detached, and left detached */
	check_receipt(&P, &r58, ESCPOS_DOTS_58MM, "3f2a91c0aa55e01b7c6d2f4e9a0b1c3d");
	CHECK_INT(P.max_urb, USBPRINTER_CHUNK);
	CHECK_INT(P.urbs, (int)((r58.len + USBPRINTER_CHUNK - 1) / USBPRINTER_CHUNK));
	CHECK(P.port_asked == 1 && P.port_bad_index == 0 && P.zlps == 0);

	/* 80 mm, the printer named by vendor:product id; printing again works with usblp gone. */
	reset(&P, TAKE);
	CHECK_INT(print("usb:0fe6:811e", &r80, 10000, NULL), USBPRINTER_OK);
	check_receipt(&P, &r80, ESCPOS_DOTS_80MM, "3f2a91c0aa55e01b7c6d2f4e9a0b1c3d");
	CHECK(P.max_urb <= USBPRINTER_CHUNK);

	/* Paper out (port status bit 5): nothing printed. */
	reset(&P, TAKE);
	P.port = 0x38;
	CHECK_INT(print("usb", &r58, 10000, NULL), USBPRINTER_NO_PAPER);
	CHECK_INT(P.got.len, 0);
	CHECK_INT(P.port_asked, 1);

	/* A printer that does not answer GET_PORT_STATUS is assumed to have paper. */
	reset(&P, TAKE);
	P.answer_status = 0;
	CHECK_INT(print("usb", &r58, 10000, NULL), USBPRINTER_OK);
	CHECK_INT(P.got.len, r58.len);

	/* Stalled from the start: timed out at the job's deadline, not a hang. */
	reset(&P, STALL);
	CHECK_INT(print("usb", &r58, 800, &ms), USBPRINTER_TIMEOUT);
	CHECK(ms >= 790 && ms < 2500);
	CHECK_INT(P.got.len, 0);

	/* Stops after 3 chunks, long deadline: one chunk's timeout ends it. */
	reset(&P, STALL_AFTER);
	P.limit = 3 * USBPRINTER_CHUNK;
	CHECK_INT(print("usb", &r58, 60000, &ms), USBPRINTER_TIMEOUT);
	CHECK(ms >= USBPRINTER_CHUNK_TIMEOUT_MS - 10 && ms < USBPRINTER_CHUNK_TIMEOUT_MS + 2500);
	CHECK_INT(P.got.len, 3 * USBPRINTER_CHUNK);

	/* Slow but never stopping (a chunk per 150 ms): the whole job's deadline ends it. */
	reset(&P, SLOW);
	ticking = 1;
	pthread_t th;
	pthread_create(&th, NULL, ticker, NULL);
	CHECK_INT(print("usb", &r58, 1000, &ms), USBPRINTER_TIMEOUT);
	ticking = 0;
	pthread_join(th, NULL);
	CHECK(ms >= 990 && ms < 3000);
	CHECK(P.got.len > 0 && P.got.len < r58.len);

	/* The endpoint stalls once (EPIPE): cleared with clear_halt, then the receipt goes through whole. */
	reset(&P, PIPE_ONCE);
	CHECK_INT(print("usb", &r58, 10000, NULL), USBPRINTER_OK);
	CHECK_INT(P.halts_cleared, 1);
	check_receipt(&P, &r58, ESCPOS_DOTS_58MM, "3f2a91c0aa55e01b7c6d2f4e9a0b1c3d");
	/* It keeps stalling: cleared once only, then failed. */
	reset(&P, PIPE_ALWAYS);
	CHECK_INT(print("usb", &r58, 10000, NULL), USBPRINTER_FAILED);
	CHECK_INT(P.halts_cleared, 1);
	CHECK_INT(P.pipes, 2);

	/* The cable pulled after 2 chunks: unplugged, quickly. */
	reset(&P, UNPLUG_AFTER);
	P.limit = 2 * USBPRINTER_CHUNK;
	CHECK_INT(print("usb", &r58, 10000, &ms), USBPRINTER_UNPLUGGED);
	CHECK(ms < 3000);
	CHECK_INT(P.got.len, 2 * USBPRINTER_CHUNK);
	/* Nothing plugged in: unplugged, quickly. */
	CHECK_INT(print("usb", &r58, 10000, &ms), USBPRINTER_UNPLUGGED);
	CHECK(ms < 3000);
	/* Plugged back in: prints again (usblp bound again, detached again). */
	reset(&P, TAKE);
	usbmock_plug(P.m);
	CHECK_INT(driver_bound(), 1);
	CHECK_INT(print("usb", &r58, 10000, NULL), USBPRINTER_OK);
	check_receipt(&P, &r58, ESCPOS_DOTS_58MM, "3f2a91c0aa55e01b7c6d2f4e9a0b1c3d");
	/* Another vendor:product id than the one plugged in: unplugged, nothing sent. */
	reset(&P, TAKE);
	CHECK_INT(print("usb:04b8:0e15", &r58, 10000, NULL), USBPRINTER_UNPLUGGED);
	CHECK_INT(P.got.len, 0);
	usbmock_stop(P.m);

	/* A vendor-class printer: not found as "usb", found by its id. */
	if (!start(&P, vendor_config, sizeof vendor_config, NULL)) {
		CHECK_INT(print("usb", &r58, 10000, NULL), USBPRINTER_UNPLUGGED);
		CHECK_INT(print("usb:0fe6:811e", &r58, 10000, NULL), USBPRINTER_OK);
		check_receipt(&P, &r58, ESCPOS_DOTS_58MM, "3f2a91c0aa55e01b7c6d2f4e9a0b1c3d");
		usbmock_stop(P.m);
	} else {
		CHECK(!"usbmock_start");
	}
	/* A USB stick is not a printer. */
	if (!start(&P, storage_config, sizeof storage_config, NULL)) {
		CHECK_INT(print("usb", &r58, 10000, NULL), USBPRINTER_UNPLUGGED);
		CHECK_INT(P.got.len, 0);
		usbmock_stop(P.m);
	} else {
		CHECK(!"usbmock_start");
	}
	buf_finish(&r58);
	buf_finish(&r80);
}

/* ---- the real kiosk printing to the mocked printer ------------------------------------ */

static char *strings_value(const char *key)
{
	char *s = t_read_repo("firmware/content/kiosk/strings.vi", NULL);
	char pat[128];
	snprintf(pat, sizeof pat, "\n%s = ", key);
	char *p = strstr(s, pat), *v = NULL;
	if (p) {
		p += strlen(pat);
		v = xstrndup(p, strcspn(p, "\n"));
	}
	free(s);
	return v;
}

/* Walk up to the receipt (the likely-eligible script), wait for the printer, expect what it says. */
static int kiosk_replay(const char *spean, const char *kdir, const char *tdir, const char *says_key)
{
	char *walk = t_read_repo("tests/kiosk/vi_likely_eligible.replay", NULL);
	char *end = strstr(walk, "\nstate receipt\n");
	CHECK(end != NULL);
	if (!end)
		return -1;
	end[strlen("\nstate receipt\n")] = '\0';
	char *says = strings_value(says_key);
	CHECK(says != NULL);
	struct buf r;
	buf_init(&r);
	buf_printf(&r, "%swait 2000\nexpect %s\n", walk, says ? says : "?");
	char path[1200];
	snprintf(path, sizeof path, "%s/r.replay", tdir);
	t_write(path, r.data);
	char *argv[] = {(char *)spean, "--data-dir", (char *)kdir, "kiosk", "--replay", path, NULL};
	char *o = NULL, *e = NULL;
	int rc = t_run(argv, &o, &e);
	if (rc)
		fprintf(stderr, "kiosk (%s) exited %d:\n%s\n", says_key, rc, e);
	free(o);
	free(e);
	free(says);
	free(walk);
	buf_finish(&r);
	return rc;
}

static void test_kiosk(void)
{
	const char *spean = getenv("SPEAN"), *center = getenv("CENTER");
	if (!spean || !center) {
		fprintf(stderr, "usbprinter_test: SPEAN/CENTER not set, the kiosk part skipped\n");
		return;
	}
	const char *src = t_env("SPEAN_SOURCE_DIR");
	char v[1200];
	setenv("SDL_VIDEODRIVER", "offscreen", 1);
	setenv("SDL_AUDIODRIVER", "dummy", 1);
	setenv("SPEAN_TODAY", "2026-05-20", 1);
	setenv("SPEAN_IDLE", "60,20,45", 1);
	snprintf(v, sizeof v, "%s/firmware/content/kiosk", src);
	setenv("SPEAN_CONTENT_DIR", v, 1);
	snprintf(v, sizeof v, "%s/fonts", src);
	setenv("SPEAN_FONT_DIR", v, 1);
	char *dir = t_tmpdir("usbkiosk");
	char cdir[1200], kdir[1200], pub[1300];
	snprintf(cdir, sizeof cdir, "%s/center", dir);
	snprintf(kdir, sizeof kdir, "%s/kiosk", dir);
	snprintf(pub, sizeof pub, "%s/center.pub", cdir);
	char *o = NULL, *e = NULL;
	char *init[] = {(char *)center, "init", "--data-dir", cdir, NULL};
	CHECK_INT(t_run(init, &o, &e), 0);
	free(o), free(e);
	char *prov[] = {(char *)spean, "--data-dir", kdir, "provision", "--center-key", pub, "--printer", "usb", "--paper", "58", NULL};
	CHECK_INT(t_run(prov, &o, &e), 0);
	CHECK(o && strstr(o, "receipt printer set: usb, 58 mm paper"));
	free(o), free(e);

	if (start(&P, printer_config, sizeof printer_config, "usblp")) {
		CHECK(!"usbmock_start");
		goto out;
	}
	/* A request made on screen: the receipt printed over libusb, its QR is the stored request's id. */
	CHECK_INT(kiosk_replay(spean, kdir, dir, "receipt.printed"), 0);
	char *opn[] = {(char *)center, "open", "--data-dir", cdir, "--kiosk", kdir, NULL};
	CHECK_INT(t_run(opn, &o, &e), 0);
	char id[80] = "";
	const char *l = o ? strstr(o, "\nid = ") : NULL;
	if (l)
		sscanf(l + 6, "%79s", id);
	CHECK(strlen(id) == 32);
	free(o), free(e);
	struct buf sent;
	buf_init(&sent);
	pthread_mutex_lock(&P.mu);
	buf_append(&sent, P.got.data, P.got.len);
	CHECK(P.max_urb <= USBPRINTER_CHUNK && P.port_asked == 1);
	pthread_mutex_unlock(&P.mu);
	CHECK(sent.len > 0 && !memmem(sent.data, sent.len, "Thạch", strlen("Thạch"))); /* no name on the wire in clear */
	check_receipt(&P, &sent, ESCPOS_DOTS_58MM, id);
	CHECK_INT(driver_bound(), 0);
	buf_finish(&sent);
	/* Out of paper: the screen says so, nothing printed, the request stored all the same. */
	reset(&P, TAKE);
	P.port = 0x38;
	CHECK_INT(kiosk_replay(spean, kdir, dir, "receipt.print_no_paper"), 0);
	CHECK_INT(P.got.len, 0);
	/* Unplugged mid-receipt. */
	reset(&P, UNPLUG_AFTER);
	P.limit = USBPRINTER_CHUNK;
	CHECK_INT(kiosk_replay(spean, kdir, dir, "receipt.print_unplugged"), 0);
	usbmock_stop(P.m);
	char *status[] = {(char *)spean, "--data-dir", kdir, "requests", "status", NULL};
	CHECK_INT(t_run(status, &o, &e), 0);
	CHECK_STR(o, "held 3\ndelivered 0\n");
	free(o), free(e);
out:
	t_rmtree(dir);
	free(dir);
}

int main(void)
{
	test_parse();
	struct text *t = oracle_text_open();
	buf_init(&P.got);
	test_printer(t);
	text_destroy(t);
	test_kiosk();
	buf_finish(&P.got);
	oracle_cleanup();
	return t_done("usbprinter_test");
}

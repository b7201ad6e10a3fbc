/* USB framing: round trips in every split, CRC, sequence, reset, abort, limits, the ZLP rule. */
#include <stdlib.h>
#include <string.h>

#include "usbframe.h"
#include "testlib.h"

/* Feed bytes in pieces of the sizes given by a tiny PRNG (1..max); count whole messages. */
static int feed_split(struct usbframe_rx *rx, const struct buf *b, size_t max, unsigned seed, struct buf *got, struct diag *d)
{
	size_t off = 0;
	int msgs = 0;
	while (off < b->len) {
		seed = seed * 1103515245u + 12345u;
		size_t k = 1 + (seed >> 8) % max;
		if (k > b->len - off)
			k = b->len - off;
		int rc = usbframe_rx_feed(rx, b->data + off, k, d);
		off += k;
		while (rc == 1) {
			buf_append(got, rx->msg.data, rx->msg.len);
			msgs++;
			usbframe_rx_next(rx);
			rc = usbframe_rx_feed(rx, NULL, 0, d);
		}
		if (rc < 0)
			return rc;
	}
	return msgs;
}

int main(void)
{
	size_t n = 3u << 20;
	unsigned char *msg = malloc(n);
	for (size_t i = 0; i < n; i++)
		msg[i] = (unsigned char)(i * 131 + (i >> 9));
	struct buf b, got;
	buf_init(&b);
	buf_init(&got);
	uint32_t seq = 0;
	usbframe_put(&b, USBFRAME_RESET, 0, seq++, NULL, 0);
	usbframe_put_message(&b, msg, n, 65536, &seq);
	usbframe_put_message(&b, "hello", 5, 65536, &seq);
	CHECK_INT(seq, 1 + 48 + 1);
	struct diag d = {""};
	static const size_t splits[] = {1, 7, 512, 4096, 1u << 20};
	for (size_t s = 0; s < sizeof splits / sizeof *splits; s++) {
		struct usbframe_rx rx;
		usbframe_rx_init(&rx, 8u << 20);
		got.len = 0;
		if (splits[s] == 1) { /* byte by byte is slow on 3 MB: a smaller message */
			struct buf small;
			buf_init(&small);
			uint32_t q = 0;
			usbframe_put_message(&small, msg, 70000, 4096, &q);
			CHECK_INT(feed_split(&rx, &small, 1, 1, &got, &d), 1);
			CHECK(got.len == 70000 && !memcmp(got.data, msg, 70000));
			buf_finish(&small);
		} else {
			CHECK_INT(feed_split(&rx, &b, splits[s], (unsigned)s, &got, &d), 2);
			CHECK(got.len == n + 5 && !memcmp(got.data, msg, n) && !memcmp(got.data + n, "hello", 5));
		}
		usbframe_rx_finish(&rx);
	}

	/* One flipped bit anywhere in a frame: refused (CRC, header or sequence). */
	struct buf one;
	buf_init(&one);
	uint32_t q = 0;
	usbframe_put_message(&one, msg, 3000, 4096, &q);
	int refused = 0;
	for (size_t i = 0; i < one.len; i += 7) {
		struct usbframe_rx rx;
		usbframe_rx_init(&rx, 1u << 20);
		one.data[i] ^= 0x10;
		int rc = usbframe_rx_feed(&rx, one.data, one.len, &d);
		one.data[i] ^= 0x10;
		refused += rc < 0 || (rc == 0 && i >= 12 && i < 16); /* a longer length just waits for more bytes */
		usbframe_rx_finish(&rx);
	}
	CHECK_INT(refused, (int)((one.len + 6) / 7));
	struct usbframe_rx rx;
	usbframe_rx_init(&rx, 1u << 20);
	one.data[USBFRAME_HEADER + 10] ^= 1;
	CHECK_INT(usbframe_rx_feed(&rx, one.data, one.len, &d), ERR_PARSE);
	CHECK(strstr(d.msg, "CRC mismatch") != NULL);
	one.data[USBFRAME_HEADER + 10] ^= 1;
	usbframe_rx_finish(&rx);

	/* A lost frame and a repeated frame: out of sequence. */
	struct buf two;
	buf_init(&two);
	q = 0;
	usbframe_put_message(&two, msg, 10000, 4096, &q); /* frames 0, 1, 2 */
	size_t f0 = USBFRAME_HEADER + 4096;
	usbframe_rx_init(&rx, 1u << 20);
	CHECK_INT(usbframe_rx_feed(&rx, two.data, f0, &d), 0);
	CHECK_INT(usbframe_rx_feed(&rx, two.data + 2 * f0, two.len - 2 * f0, &d), ERR_PARSE); /* frame 1 lost */
	CHECK(strstr(d.msg, "frame 2 where 1 was expected") != NULL);
	usbframe_rx_finish(&rx);
	usbframe_rx_init(&rx, 1u << 20);
	CHECK_INT(usbframe_rx_feed(&rx, two.data, f0, &d), 0);
	CHECK_INT(usbframe_rx_feed(&rx, two.data, f0, &d), ERR_PARSE); /* frame 0 again */
	usbframe_rx_finish(&rx);

	/* A reset drops the half message and restarts the sequence. */
	struct buf r;
	buf_init(&r);
	buf_append(&r, two.data, f0);
	usbframe_put(&r, USBFRAME_RESET, 0, 0, NULL, 0);
	q = 1;
	usbframe_put_message(&r, "abc", 3, 4096, &q);
	usbframe_rx_init(&rx, 1u << 20);
	CHECK_INT(usbframe_rx_feed(&rx, r.data, r.len, &d), 1);
	CHECK(rx.msg.len == 3 && !memcmp(rx.msg.data, "abc", 3));
	usbframe_rx_finish(&rx);
	/* The peer gives up: its reason is reported. */
	r.len = 0;
	usbframe_put(&r, USBFRAME_ABORT, 0, 0, "kiosk unplugged the printer", 27);
	usbframe_rx_init(&rx, 1u << 20);
	CHECK_INT(usbframe_rx_feed(&rx, r.data, r.len, &d), ERR_PARSE);
	CHECK(strstr(d.msg, "kiosk unplugged the printer") != NULL);
	usbframe_rx_finish(&rx);
	/* A refusal carries the center's reason and is told apart from an abort. */
	r.len = 0;
	usbframe_put(&r, USBFRAME_REFUSE, 0, 0, "not enrolled", 12);
	usbframe_rx_init(&rx, 1u << 20);
	CHECK_INT(usbframe_rx_feed(&rx, r.data, r.len, &d), ERR_REFUSED);
	CHECK(!strcmp(d.msg, "not enrolled"));
	usbframe_rx_finish(&rx);
	/* A reset's token is kept for the answer to echo; junk then a reset: resync finds the reset. */
	r.len = 0;
	buf_append(&r, "xxSPUBjunk-junk-junk-junk", 25);
	usbframe_put(&r, USBFRAME_RESET, 0, 0, "TOKEN123", 8);
	q = 1;
	usbframe_put_message(&r, "after", 5, 4096, &q);
	usbframe_rx_init(&rx, 1u << 20);
	CHECK_INT(usbframe_rx_feed(&rx, r.data, 9, &d), 0);
	CHECK_INT(usbframe_rx_feed(&rx, r.data + 9, r.len - 9, &d), ERR_PARSE);
	usbframe_rx_resync(&rx);
	CHECK_INT(usbframe_rx_feed(&rx, NULL, 0, &d), 1);
	CHECK(rx.resets == 1 && !memcmp(rx.token, "TOKEN123", 8));
	CHECK(rx.msg.len == 5 && !memcmp(rx.msg.data, "after", 5));
	usbframe_rx_finish(&rx);
	/* Resync with no reset in sight keeps only a tail that could start one. */
	usbframe_rx_init(&rx, 1u << 20);
	CHECK_INT(usbframe_rx_feed(&rx, "junk-junk-junk-junk-jSPU", 24, &d), ERR_PARSE);
	usbframe_rx_resync(&rx);
	CHECK(rx.in.len == 3 && !memcmp(rx.in.data, "SPU", 3));
	CHECK_INT(usbframe_rx_feed(&rx, NULL, 0, &d), 0);
	usbframe_rx_finish(&rx);
	/* Limits: a frame that claims more than 1 MiB; a message over the receiver's limit. */
	unsigned char big[USBFRAME_HEADER] = {'S', 'P', 'U', 'B', USBFRAME_DATA, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0};
	usbframe_rx_init(&rx, 1u << 20);
	CHECK_INT(usbframe_rx_feed(&rx, big, sizeof big, &d), ERR_TOOBIG);
	usbframe_rx_finish(&rx);
	usbframe_rx_init(&rx, 5000);
	CHECK_INT(usbframe_rx_feed(&rx, two.data, two.len, &d), ERR_TOOBIG);
	usbframe_rx_finish(&rx);
	/* Junk on the pipe. */
	usbframe_rx_init(&rx, 5000);
	CHECK_INT(usbframe_rx_feed(&rx, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27, &d), ERR_PARSE);
	CHECK(strstr(d.msg, "bad header") != NULL);
	usbframe_rx_finish(&rx);

	CHECK(usbframe_needs_zlp(512, USBFRAME_MPS_HS) && usbframe_needs_zlp(1024, USBFRAME_MPS_HS));
	CHECK(!usbframe_needs_zlp(0, USBFRAME_MPS_HS) && !usbframe_needs_zlp(511, USBFRAME_MPS_HS) &&
	      !usbframe_needs_zlp(513, USBFRAME_MPS_HS));
	buf_finish(&b);
	buf_finish(&got);
	buf_finish(&one);
	buf_finish(&two);
	buf_finish(&r);
	free(msg);
	return t_done("sync_usbframe_test");
}

#define LOG_MODULE "usbframe"
/*
 * sync/usbframe: bulk pipes carry bytes without boundaries a program can
 * rely on (a read may end anywhere), so every frame says its own length and
 * carries a CRC32; a sequence number catches a lost or repeated frame.
 * Nothing here retries: a bad frame resets the link, and the protocol above
 * is idempotent, so the session simply starts again.
 */
#include "usbframe.h"

#include <string.h>
#include <zlib.h>

static void le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8), p[2] = (unsigned char)(v >> 16), p[3] = (unsigned char)(v >> 24);
}

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t frame_crc(const unsigned char *hdr16, const void *payload, size_t n)
{
	uLong c = crc32(0L, Z_NULL, 0);
	c = crc32(c, hdr16, 16);
	if (n)
		c = crc32(c, payload, (uInt)n);
	return (uint32_t)c;
}

void usbframe_put(struct buf *out, int type, unsigned flags, uint32_t seq, const void *payload, size_t n)
{
	unsigned char h[USBFRAME_HEADER] = {'S', 'P', 'U', 'B', (unsigned char)type, (unsigned char)flags, 0, 0};
	le32(h + 8, seq);
	le32(h + 12, (uint32_t)n);
	le32(h + 16, frame_crc(h, payload, n));
	buf_append(out, h, sizeof h);
	if (n)
		buf_append(out, payload, n);
}

void usbframe_put_message(struct buf *out, const void *msg, size_t n, size_t max_payload, uint32_t *seq)
{
	const unsigned char *p = msg;
	if (max_payload == 0 || max_payload > USBFRAME_MAX_PAYLOAD)
		max_payload = USBFRAME_MAX_PAYLOAD;
	do {
		size_t k = n < max_payload ? n : max_payload;
		usbframe_put(out, USBFRAME_DATA, n > k ? USBFRAME_MORE : 0, (*seq)++, p, k);
		p += k;
		n -= k;
	} while (n);
}

int usbframe_needs_zlp(size_t n, size_t mps)
{
	return n && mps && n % mps == 0;
}

void usbframe_rx_init(struct usbframe_rx *rx, size_t max_message)
{
	memset(rx, 0, sizeof *rx);
	buf_init(&rx->in);
	buf_init(&rx->msg);
	rx->max_message = max_message;
}

void usbframe_rx_finish(struct usbframe_rx *rx)
{
	buf_finish(&rx->in);
	buf_finish(&rx->msg);
}

void usbframe_rx_next(struct usbframe_rx *rx)
{
	rx->msg.len = 0;
}

int usbframe_rx_feed(struct usbframe_rx *rx, const void *data, size_t n, struct diag *d)
{
	if (n)
		buf_append(&rx->in, data, n);
	for (;;) {
		const unsigned char *h = (const unsigned char *)rx->in.data;
		if (rx->in.len < USBFRAME_HEADER)
			return 0;
		if (memcmp(h, USBFRAME_MAGIC, 4) || h[6] || h[7]) {
			diag_set(d, "usb frame: bad header (not a Spean frame, or the pipe lost bytes)");
			return ERR_PARSE;
		}
		int type = h[4];
		unsigned flags = h[5];
		uint32_t seq = rd32(h + 8), len = rd32(h + 12);
		if (type < USBFRAME_RESET || type > USBFRAME_REFUSE || (flags & ~(unsigned)USBFRAME_MORE)) {
			diag_set(d, "usb frame: unknown type %d or flags %u", type, flags);
			return ERR_PARSE;
		}
		if (len > USBFRAME_MAX_PAYLOAD) {
			diag_set(d, "usb frame: %u bytes is over the frame limit", len);
			return ERR_TOOBIG;
		}
		if (rx->in.len < USBFRAME_HEADER + (size_t)len)
			return 0;
		const unsigned char *payload = h + USBFRAME_HEADER;
		if (frame_crc(h, payload, len) != rd32(h + 16)) {
			diag_set(d, "usb frame %u: CRC mismatch (damaged on the cable)", seq);
			return ERR_PARSE;
		}
		if (type == USBFRAME_RESET) {
			rx->seq = 1; /* the reset itself is frame 0 */
			rx->msg.len = 0;
			rx->resets++;
			memset(rx->token, 0, sizeof rx->token);
			memcpy(rx->token, payload, len < USBFRAME_TOKEN ? len : USBFRAME_TOKEN);
		} else if (seq != rx->seq) {
			diag_set(d, "usb frame %u where %u was expected (lost or repeated)", seq, rx->seq);
			return ERR_PARSE;
		} else if (type == USBFRAME_ABORT || type == USBFRAME_REFUSE) {
			diag_set(d, "%s%.*s", type == USBFRAME_ABORT ? "usb: the other side gave up: " : "",
				 (int)(len > 300 ? 300 : len), (const char *)payload);
			rx->seq++;
			rx->msg.len = 0;
			size_t used = USBFRAME_HEADER + (size_t)len;
			memmove(rx->in.data, rx->in.data + used, rx->in.len - used);
			rx->in.len -= used;
			return type == USBFRAME_ABORT ? ERR_PARSE : ERR_REFUSED;
		} else {
			rx->seq++;
			if (rx->msg.len + len > rx->max_message) {
				diag_set(d, "usb: a message over %zu bytes", rx->max_message);
				return ERR_TOOBIG;
			}
			buf_append(&rx->msg, payload, len);
		}
		size_t used = USBFRAME_HEADER + (size_t)len;
		memmove(rx->in.data, rx->in.data + used, rx->in.len - used);
		rx->in.len -= used;
		rx->in.data[rx->in.len] = '\0';
		if (type == USBFRAME_DATA && !(flags & USBFRAME_MORE))
			return 1;
	}
}

void usbframe_rx_resync(struct usbframe_rx *rx)
{
	rx->msg.len = 0;
	const unsigned char *p = (const unsigned char *)rx->in.data;
	size_t n = rx->in.len, i = 1; /* the frame at 0 is the bad one */
	for (; i + 5 <= n; i++)
		if (!memcmp(p + i, USBFRAME_MAGIC, 4) && p[i + 4] == USBFRAME_RESET)
			break;
	if (i + 5 > n) { /* none yet: keep only a tail that may be the start of one */
		i = n > 4 ? n - 4 : (n ? 1 : 0);
		while (i < n && memcmp(p + i, USBFRAME_MAGIC, n - i > 4 ? 4 : n - i))
			i++;
	}
	memmove(rx->in.data, rx->in.data + i, n - i);
	rx->in.len = n - i;
	if (rx->in.data)
		rx->in.data[rx->in.len] = '\0';
}

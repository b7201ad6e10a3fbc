/* sync/usbframe: frames on the USB cable's bulk pipes (usb.md): magic, type, sequence number, length, CRC32, payload; protocol messages split into frames and reassembled. */
#ifndef SPEAN_SYNC_USBFRAME_H
#define SPEAN_SYNC_USBFRAME_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "mem.h"

/*
 * Frame, little-endian:
 *   magic "SPUB" | type u8 | flags u8 | zero u16 | seq u32 | length u32 | crc32 u32 | payload
 * crc32 (zlib's) covers the 16 bytes before it and the payload. seq counts
 * frames in each direction from 0 and restarts with a RESET frame.
 */
#define USBFRAME_MAGIC "SPUB"
#define USBFRAME_HEADER 20
#define USBFRAME_MAX_PAYLOAD (1u << 20)
#define USBFRAME_MPS_HS 512 /* bulk max packet size at high speed */

enum usbframe_type {
	USBFRAME_RESET = 1, /* start over: the peer drops any half message; seq restarts at 0 */
	USBFRAME_DATA = 2,  /* a piece of one protocol message */
	USBFRAME_ABORT = 3, /* the sender gives up on the current message (payload: a reason, UTF-8); try again */
	USBFRAME_REFUSE = 4, /* the center refused the message (payload: its reason, UTF-8); do not send it again */
};
#define USBFRAME_TOKEN 8 /* a RESET's payload: the token its answer echoes */
enum { USBFRAME_MORE = 1 }; /* flags: more DATA frames of this message follow */

/* Append one frame. */
void usbframe_put(struct buf *out, int type, unsigned flags, uint32_t seq, const void *payload, size_t n);
/*
 * Append a whole protocol message as DATA frames of at most max_payload
 * bytes (all but the last with USBFRAME_MORE), numbered from *seq (advanced).
 */
void usbframe_put_message(struct buf *out, const void *msg, size_t n, size_t max_payload, uint32_t *seq);
/* A bulk transfer of n bytes needs a zero-length packet after it when n is a non-zero multiple of mps. */
int usbframe_needs_zlp(size_t n, size_t mps);

/* Reassembles messages from bytes as they come off the pipe, in any split. */
struct usbframe_rx {
	struct buf in;      /* bytes not yet a whole frame */
	struct buf msg;     /* the message being reassembled */
	uint32_t seq;       /* the next seq expected */
	size_t max_message;
	unsigned resets;    /* RESET frames seen so far */
	unsigned char token[USBFRAME_TOKEN]; /* the payload of the last one (zeros past its length) */
};
void usbframe_rx_init(struct usbframe_rx *rx, size_t max_message);
void usbframe_rx_finish(struct usbframe_rx *rx);
/*
 * Feed bytes; returns 1 when a whole message is ready in rx->msg (take it,
 * then call again with n = 0 for the next), 0 when more bytes are needed,
 * or ERR_PARSE / ERR_TOOBIG with d saying what was wrong (bad magic, CRC
 * mismatch, a frame out of sequence, an abort from the peer, a message over
 * the limit): the caller resets the link (usbframe_rx_resync). ERR_REFUSED:
 * a REFUSE frame, d has the reason. A RESET frame restarts quietly; it
 * counts in rx->resets and leaves its payload in rx->token.
 */
int usbframe_rx_feed(struct usbframe_rx *rx, const void *data, size_t n, struct diag *d);
/*
 * After an error: drop the half message and the bytes up to the next frame
 * that looks like a RESET (the peer's new start), keeping a possible start
 * of one at the end.
 */
void usbframe_rx_resync(struct usbframe_rx *rx);
/* After taking rx->msg. */
void usbframe_rx_next(struct usbframe_rx *rx);

#endif

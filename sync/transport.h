/* sync/transport: the carriers' common face: send one protocol message, get the center's reply (network now; the USB cable plugs in here). */
#ifndef SPEAN_SYNC_TRANSPORT_H
#define SPEAN_SYNC_TRANSPORT_H

#include "err.h"
#include "mem.h"

struct sync_transport;

struct transport_ops {
	const char *name;
	/*
	 * Send req, wait for the reply. 0: reply holds the center's message.
	 * ERR_REFUSED: the center refused it (d has the center's reason; do not
	 * retry the same bytes). ERR_CRYPTO: the other end is not the pinned
	 * center. ERR_IO: the link failed or timed out (retry).
	 */
	int (*exchange)(struct sync_transport *t, const struct buf *req, struct buf *reply, struct diag *d);
	void (*destroy)(struct sync_transport *t);
};

struct sync_transport {
	const struct transport_ops *ops;
};

/*
 * HTTP(S) to a center's `serve`: POST url + "/v1/sync". pin: NULL, or a
 * libcurl pinned public key ("sha256//BASE64") checked on HTTPS.
 */
int transport_http_create(struct sync_transport **out, const char *url, const char *pin, struct diag *d);

#endif

/* sync/client: the kiosk's side of a sync session over any transport: hello, re-offer on a new epoch, urgent-first chunks, receipts, retention. */
#ifndef SPEAN_SYNC_CLIENT_H
#define SPEAN_SYNC_CLIENT_H

#include <stdint.h>

#include "crypt.h"
#include "err.h"
#include "store.h"
#include "protocol.h"
#include "transport.h"

struct sync_progress {
	uint64_t delivered; /* this session so far */
	uint64_t to_offer;  /* held when the session started (after a re-offer) */
	unsigned chunks, retries;
};

struct sync_client_cfg {
	struct store *st;
	const unsigned char *device_pk;       /* CRYPT_SIGN_PK */
	const unsigned char *device_sk;       /* CRYPT_SIGN_SK */
	const unsigned char *center_sign_pk;  /* CRYPT_SIGN_PK, from the center card */
	uint64_t retention;                   /* purge what was delivered this many sessions ago (0: default 30) */
	unsigned tries;                       /* attempts per message on a failing link (0: default 8) */
	void (*progress)(void *ctx, const struct sync_progress *p);
	void *ctx;
	/*
	 * Content packs: the version installed, and the installer (NULL: do not
	 * fetch). It gets a pack already verified as the center's and newer than
	 * content_have; it must install all of it or nothing (0 or an error with d).
	 */
	uint64_t content_have;
	int (*content_install)(void *ctx, const struct sync_content *c, struct diag *d);
	/*
	 * A pack this kiosk refused earlier (0: none) and why (enum
	 * sync_pack_refusal). Told to the center in the hello when
	 * content_refused_tell is set; a pack of that version is not fetched
	 * again when it was refused for what it holds (version, older,
	 * content), only when it was forged, malformed or not written.
	 */
	uint64_t content_refused;
	int content_refused_why;
	int content_refused_tell;
	/*
	 * The kiosk's state told in every hello (extension 2) for the center's
	 * fleet page, beside the pack installed, the urgent held and its clock,
	 * which the client fills itself: the program's version (NULL: ""), free
	 * space of the data partition in MiB (UINT32_MAX: unknown), battery
	 * 0..100 or -1.
	 */
	const char *program;
	uint32_t free_mib;
	int battery;
};

struct sync_result {
	uint64_t delivered;   /* moved to delivered this session (by signed receipts only) */
	uint64_t conflicts;   /* refused by the center: same id, other content (alert raised there); still held */
	uint64_t bad;         /* refused by the center with a reason (store_count_refused); still held */
	uint64_t reoffered;   /* delivered before, offered again because the center's epoch changed */
	uint64_t purged;      /* delivered and past retention: deleted here */
	uint64_t held, delivered_total; /* the store afterwards */
	unsigned chunks, retries;
	uint64_t content_installed;   /* the pack version installed this session, 0: none */
	uint64_t content_offered;     /* the center's pack version (0: none) */
	int content_rc;               /* the pack was refused (bad signature, older, invalid): its code */
	char content_why[520];        /* and why */
	int content_refusal;          /* and why, as an enum sync_pack_refusal (0: not refused) */
	int welcomed;                 /* the center answered the hello (so it has what the hello told) */
};

/*
 * A content pack's bytes as received (network or stick): parsed, verified
 * as the center's, version within CONTENT_MAX_VERSION and newer than have
 * (never down), then installed whole by install. 0 with *version set, or
 * the code with d saying why and *why (when not NULL) the enum
 * sync_pack_refusal; nothing is installed then.
 */
int sync_content_accept(const void *data, size_t n, const unsigned char center_sign_pk[CRYPT_SIGN_PK], uint64_t have,
			int (*install)(void *ctx, const struct sync_content *c, struct diag *d), void *ctx, uint64_t *version,
			int *why, struct diag *d);

/* What applying one receipts message did. */
struct sync_applied {
	uint64_t delivered, reoffered; /* moved to delivered; held again because the epoch changed */
	uint64_t conflicts, bad;       /* refused by the center: these stay held, marked with its reason */
};
/*
 * Apply verified receipts (network or stick) from the center whose signing
 * key is center_sign_pk: refused whole (ERR_REFUSED, nothing changes) when
 * their counter is older than the newest already applied from that center,
 * else their epoch is taken, "stored" ones become delivered and refused ones
 * stay held with the center's reason, all in one durable transaction.
 */
int sync_receipts_apply(struct store *st, const unsigned char center_sign_pk[CRYPT_SIGN_PK], const struct sync_receipts *rs,
			struct sync_applied *a, struct diag *d);

/* Append a stored request to an offer being written (the network's chunks and the stick's bundles). */
void sync_offer_add_stored(struct buf *out, const struct store_request *r);

/*
 * One session. 0: everything held was offered and answered. ERR_IO: the
 * link kept failing (what was acknowledged stays delivered; the rest stays
 * held for next time). ERR_REFUSED: the center refused this kiosk (d says
 * why, e.g. not enrolled). ERR_CRYPTO: a reply not signed by our center.
 */
int sync_run(const struct sync_client_cfg *cfg, struct sync_transport *t, struct sync_result *res, struct diag *d);

#endif

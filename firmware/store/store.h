/* store: the kiosk's durable storage (SQLite, the only includer of sqlite3.h): sealed requests and the audit log. */
#ifndef SPEAN_STORE_H
#define SPEAN_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define STORE_ID_LEN 16
#define STORE_HASH_LEN 32
#define STORE_SIG_LEN 64
#define STORE_DB_NAME "spean.db"
#define STORE_SCHEMA_VERSION 3

struct store;

enum {
	/* Run PRAGMA integrity_check (O(size)); without it only the header and schema are checked. */
	STORE_CHECK_FULL = 1u << 0,
	/* Open an existing database only (read-mostly commands must not create one). */
	STORE_NO_CREATE = 1u << 1,
};

/*
 * Open (and create or migrate) dir/spean.db. WAL, synchronous=FULL, temp
 * files in memory. A damaged database is moved to dir/damaged/ and
 * ERR_DAMAGED returned with d naming where it went; it is never recreated
 * silently (the next open creates a fresh one and records the event).
 */
int store_open(const char *dir, unsigned flags, struct store **out, struct diag *d);
void store_close(struct store *st);

/* A sealed request as stored. Nothing in it is personal in clear. */
struct store_request {
	uint64_t seq;
	unsigned char id[STORE_ID_LEN];
	unsigned char hash[STORE_HASH_LEN];  /* hash of sealed */
	int urgent;
	const unsigned char *sealed;
	size_t sealed_len;
	unsigned char sig[STORE_SIG_LEN];
	int state;                           /* STORE_HELD or STORE_DELIVERED */
	/* In: the hash of the center key it is sealed to (STORE_HASH_LEN bytes), or NULL; kept with the request. */
	const unsigned char *center_key;
};

enum { STORE_HELD = 0, STORE_DELIVERED = 1 };

/*
 * Called inside the write transaction once the sequence number is known,
 * to fill r->sig (the device signs id, seq, urgent and hash).
 */
typedef void (*store_sign_fn)(void *ctx, struct store_request *r);

/*
 * Store a sealed request durably: returns 0 only after the commit has
 * reached the disk (fsync). Idempotent: the same id with the same hash
 * returns 0 and the original seq; the same id with another hash is
 * ERR_CONFLICT. Disk full: ERR_NOSPACE; I/O: ERR_IO.
 */
int store_put_request(struct store *st, struct store_request *r, store_sign_fn sign, void *ctx,
		      struct diag *d);

struct store_counts {
	uint64_t held;
	uint64_t delivered;
	uint64_t urgent_held; /* of the held, the urgent ones */
};
int store_count(struct store *st, struct store_counts *out, struct diag *d);

/*
 * Held requests the center refused (its receipts said "conflict" or "bad"),
 * by the center's reason code (1..STORE_REASONS-1; sync/protocol.h's enum
 * sync_reason): they stay held, are offered again at each sync, and are
 * never purged. *total is their sum.
 */
#define STORE_REASONS 16
int store_count_refused(struct store *st, uint64_t by_reason[STORE_REASONS], uint64_t *total, struct diag *d);

/*
 * Held requests not sealed to the center key whose hash is key_hash. A
 * request stored before keys were recorded counts as sealed to assume_hash
 * (the key the kiosk had then), or as another key when assume_hash is NULL.
 */
int store_count_held_other_key(struct store *st, const unsigned char key_hash[STORE_HASH_LEN],
			       const unsigned char *assume_hash, uint64_t *n, struct diag *d);

/* Visit requests in seq order; stop early if cb returns non-zero (returned). */
typedef int (*store_request_fn)(void *ctx, const struct store_request *r);
int store_each_request(struct store *st, store_request_fn cb, void *ctx, struct diag *d);

/*
 * Append to the audit log (what happened, never who said what): event is a
 * fixed word, detail key=value ids and counts only. A wall clock that went
 * back since the last entry adds a "clock_jump" entry first.
 */
int store_audit(struct store *st, const char *event, const char *detail, struct diag *d);
typedef int (*store_audit_fn)(void *ctx, int64_t n, int64_t wall, const char *event, const char *detail);
int store_each_audit(struct store *st, store_audit_fn cb, void *ctx, struct diag *d);

/* ---- sync: receipts, the center's epoch, retention (counted in sync sessions, never by the clock) ---- */

#define STORE_EPOCH_LEN 16

/* The center epoch of the last sync; *have = 0 before the first. */
int store_get_epoch(struct store *st, unsigned char epoch[STORE_EPOCH_LEN], int *have, struct diag *d);
/*
 * Record the epoch of the center whose signing key is center. A different
 * one than before (the center was restored from a backup) makes every
 * request that center (or one before keys were recorded) delivered under
 * another epoch held again, to be offered again; *reoffered says how many.
 * What another center delivered stays delivered. Audited.
 */
int store_set_epoch(struct store *st, const unsigned char epoch[STORE_EPOCH_LEN], const unsigned char center[STORE_HASH_LEN],
		    uint64_t *reoffered, struct diag *d);

/* Where store_each_held goes on from; zero it before the first call. */
struct store_cursor {
	int started;
	int urgent;
	uint64_t seq;
};
/*
 * The next at most max held requests after the cursor: urgent ones first,
 * then by seq (never by time). The cursor moves past each one visited, so a
 * request the center refuses is not offered again in the same session.
 */
int store_each_held(struct store *st, struct store_cursor *cur, size_t max, store_request_fn cb, void *ctx, struct diag *d);

/* The hash of the request with this id (held or delivered): 0, or ERR_NOTFOUND. */
int store_get_hash(struct store *st, const unsigned char id[STORE_ID_LEN], unsigned char hash[STORE_HASH_LEN],
		   struct diag *d);

/* A verified receipt from the center. */
struct store_receipt {
	unsigned char id[STORE_ID_LEN];
	unsigned char hash[STORE_HASH_LEN];
	unsigned char sig[STORE_SIG_LEN]; /* the center's signature, kept as proof */
	int refused;                      /* 0: stored (delivered); else the center's reason code (1..STORE_REASONS-1) */
};
/*
 * Apply one receipts message from the center whose signing key is center,
 * in one durable transaction. counter is the receipts' counter: one older
 * than the newest applied from this center is refused (ERR_REFUSED, nothing
 * changes), so an old receipts file replayed from a stick cannot move the
 * kiosk back to an older epoch. Else: a new epoch makes every request
 * delivered under another one held again (*reoffered); each stored receipt
 * moves its held request (same id and hash) to delivered under epoch
 * (*marked: how many changed state); each refused one stays held, marked
 * with the reason. Only this moves a request to delivered.
 */
int store_apply_receipts(struct store *st, const unsigned char center[STORE_HASH_LEN], uint64_t counter,
			 const unsigned char epoch[STORE_EPOCH_LEN], const struct store_receipt *r, size_t n,
			 uint64_t *reoffered, uint64_t *marked, struct diag *d);
/*
 * A sync session ended well: count it, note the time (for display only)
 * and purge the requests delivered `retention` or more sessions ago.
 */
int store_sync_finish(struct store *st, uint64_t retention, uint64_t *purged, struct diag *d);
/* Sessions so far and the wall time of the last (0: never; display only). */
int store_sync_info(struct store *st, uint64_t *sessions, int64_t *last_wall, struct diag *d);

/* Full integrity check of an open store: 0 or ERR_DAMAGED. */
int store_check(struct store *st, struct diag *d);

#endif

/* store/cstore: the center's durable storage (SQLite, center.db): enrolled kiosks, received sealed requests, alerts, the epoch. */
#ifndef SPEAN_CSTORE_H
#define SPEAN_CSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "store.h"

#define CSTORE_DB_NAME "center.db"
#define CSTORE_HW_NAME "center.hw"
#define CSTORE_PK_LEN 32

struct cstore;

/*
 * Open (or create) dir/center.db: WAL, synchronous=FULL. The epoch names
 * this database's history: a database older than the last one this office
 * wrote (restored from a backup, or copied without its center.hw) gets a new
 * epoch, so kiosks offer again what it lacks. Not thread-safe: one user at a
 * time (the server holds a lock).
 */
int cstore_open(const char *dir, struct cstore **out, struct diag *d);
void cstore_close(struct cstore *cs);
void cstore_epoch(const struct cstore *cs, unsigned char epoch[STORE_EPOCH_LEN]);
/* Whether this open started a new epoch because the database was older than center.hw said. */
int cstore_restored(const struct cstore *cs);
/*
 * The commit counter as of this connection's last commit: receipts carry it.
 * It only goes up, across epochs too: a new epoch starts above the
 * high-water mark in center.hw and above the office clock (2^-20 s units),
 * so a database restored from a backup never signs a lower one.
 */
uint64_t cstore_counter(const struct cstore *cs);

/* Enroll a kiosk's public signing key; *already = 1 if it was (label kept). */
int cstore_enroll(struct cstore *cs, const unsigned char pk[CSTORE_PK_LEN], const char *label, int *already,
		  struct diag *d);
/* 1 if enrolled, 2 if enrolled and revoked since, 0 if not, negative on error. */
int cstore_is_enrolled(struct cstore *cs, const unsigned char pk[CSTORE_PK_LEN], struct diag *d);

/* One verified record to keep; status is set by cstore_receive. */
struct cstore_in {
	const unsigned char *id, *hash, *sig, *sealed;
	size_t sealed_len;
	uint64_t seq;
	int urgent;
	int status;    /* out: SYNC_STORED (new or the same already there) or SYNC_CONFLICT */
	int collision; /* out: another kiosk holds this id too (stored all the same; alert "id_collision") */
};
/*
 * Keep n records from one device in one durable transaction: returns 0
 * only after the commit is on disk. Requests are keyed by (device, id):
 * same device, id and hash: already there (stored); same device and id,
 * other hash: conflict, an alert is written and the first one is kept. The
 * same id from another device is stored too, with an "id_collision" alert
 * naming both kiosks. *added = how many were new.
 */
int cstore_receive(struct cstore *cs, const unsigned char device[CSTORE_PK_LEN], struct cstore_in *in, size_t n,
		   size_t *added, struct diag *d);
/* Write an alert (kind: a fixed word; detail: ids and counts, never personal data). */
int cstore_alert(struct cstore *cs, const char *kind, const unsigned char *device, const unsigned char *id,
		 const char *detail, struct diag *d);

struct cstore_request {
	uint64_t n;                        /* arrival order at this center */
	unsigned char id[STORE_ID_LEN];
	unsigned char device[CSTORE_PK_LEN];
	uint64_t seq;
	int urgent;
	unsigned char hash[STORE_HASH_LEN];
	const unsigned char *sealed;
	size_t sealed_len;
	int64_t received;                  /* the office PC's clock, seconds (for reports only) */
};
typedef int (*cstore_request_fn)(void *ctx, const struct cstore_request *r);
/* Visit requests in arrival order; stop early if cb returns non-zero (returned). */
int cstore_each(struct cstore *cs, cstore_request_fn cb, void *ctx, struct diag *d);
/* The same for the requests that arrived after number `after` (a reader catching up). */
int cstore_each_after(struct cstore *cs, uint64_t after, cstore_request_fn cb, void *ctx, struct diag *d);
/* The request with arrival number n: cb called once, or ERR_NOTFOUND. */
int cstore_get(struct cstore *cs, uint64_t n, cstore_request_fn cb, void *ctx, struct diag *d);

typedef int (*cstore_device_fn)(void *ctx, const unsigned char pk[CSTORE_PK_LEN], const char *label);
/* Visit enrolled kiosks in enrollment order; stop early if cb returns non-zero (returned). */
int cstore_each_device(struct cstore *cs, cstore_device_fn cb, void *ctx, struct diag *d);

/* What a kiosk says of itself at a contact (its hello); known 0: only held (an older kiosk). */
struct cstore_facts {
	int known;
	uint32_t held, urgent_held;
	uint64_t pack;        /* content pack installed */
	uint32_t free_mib;    /* UINT32_MAX: unknown */
	int battery;          /* 0..100, -1 none */
	int64_t clock;        /* the kiosk's clock (shown beside the office's, never used) */
	const char *program;  /* its version */
};
/* Record a kiosk's contact (a hello, even with nothing to deliver): the office clock and what it said. */
int cstore_contact(struct cstore *cs, const unsigned char pk[CSTORE_PK_LEN], const struct cstore_facts *f,
		   struct diag *d);

/* The fleet: one enrolled kiosk, its last contact and what it delivered. Strings are valid during the callback. */
struct cstore_kiosk {
	unsigned char pk[CSTORE_PK_LEN];
	const char *label;
	int64_t enrolled;     /* office clock */
	int revoked;
	int64_t last_contact; /* office clock, 0: never */
	uint32_t held;        /* requests it held at its last contact */
	struct cstore_facts facts; /* what it said then (program valid during the callback) */
	uint64_t hellos;      /* contacts so far */
	uint64_t requests;    /* received from it */
	int64_t last_request; /* office clock of the last received, 0: none */
};
typedef int (*cstore_kiosk_fn)(void *ctx, const struct cstore_kiosk *k);
int cstore_each_kiosk(struct cstore *cs, cstore_kiosk_fn cb, void *ctx, struct diag *d);
/* Rename a kiosk (its label): 0, or ERR_NOTFOUND. */
int cstore_kiosk_rename(struct cstore *cs, const unsigned char pk[CSTORE_PK_LEN], const char *label, struct diag *d);
/* Revoke a kiosk: kept, its later hellos and offers refused with an alert. 0, or ERR_NOTFOUND (or revoked already). */
int cstore_kiosk_revoke(struct cstore *cs, const unsigned char pk[CSTORE_PK_LEN], struct diag *d);

struct cstore_counts {
	uint64_t requests, devices, alerts;
};
int cstore_count(struct cstore *cs, struct cstore_counts *c, struct diag *d);
/* SQLite's full integrity check: 0, or ERR_DAMAGED with d saying what. */
int cstore_check(struct cstore *cs, struct diag *d);
typedef int (*cstore_alert_fn)(void *ctx, int64_t wall, const char *kind, const char *device_hex, const char *detail);
int cstore_each_alert(struct cstore *cs, cstore_alert_fn cb, void *ctx, struct diag *d);

/* A consistent copy of the database into the new file dst (SQLite's online backup): 0, or ERR_IO with d. */
int cstore_backup(struct cstore *s, const char *dst, struct diag *d);

#endif

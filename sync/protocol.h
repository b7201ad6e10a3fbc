/* sync/protocol: the one message format every carrier uses (network, USB cable, USB stick): hello, welcome, offer chunks, signed receipts, content packs. */
#ifndef SPEAN_SYNC_PROTOCOL_H
#define SPEAN_SYNC_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include "contentpack.h"
#include "crypt.h"
#include "err.h"
#include "mem.h"

/* See sync/PROTOCOL.md for the byte layout; these are its limits. */
#define SYNC_MAGIC "SPN1"
#define SYNC_HEADER_LEN 12
#define SYNC_ID_LEN 16
#define SYNC_EPOCH_LEN 16
#define SYNC_NONCE_LEN 32
#define SYNC_MAX_RECORDS 500                 /* per offer chunk */
#define SYNC_MAX_CHUNK_BYTES (4u << 20)      /* sealed bytes per offer chunk */
#define SYNC_MAX_SEALED (64u << 10)          /* one sealed request */
#define SYNC_MAX_MESSAGE (8u << 20)          /* any message, header and signature included */
#define SYNC_MAX_CONTENT_MESSAGE (64u << 20) /* a content pack (audio) */

enum sync_type {
	SYNC_HELLO = 1,    /* kiosk -> center, signed by the device */
	SYNC_WELCOME = 2,  /* center -> kiosk, signed by the center */
	SYNC_OFFER = 3,    /* kiosk -> center, signed by the device; each record signed too */
	SYNC_RECEIPTS_V1 = 4, /* retired (no reason, no counter): refused with a message saying so */
	SYNC_CONTENT = 5,  /* center -> kiosk, signed by the center */
	SYNC_CONTENT_REQ = 6, /* kiosk -> center, signed by the device: "send me your pack, I have version N" */
	SYNC_RECEIPTS = 7, /* center -> kiosk, signed by the center over the receipts and the hashes they answer (v2) */
};
#define SYNC_TYPE_MAX SYNC_RECEIPTS

enum sync_status {
	SYNC_STORED = 0,   /* committed durably at the center (new or already there): delivered */
	SYNC_CONFLICT = 1, /* the center holds this id with another hash: rejected, alert raised */
	SYNC_BAD = 2,      /* the center cannot take it (a reason says why): rejected, alert raised */
};

/*
 * Why a record was refused, a code in each receipt (0 for stored). The kiosk
 * shows sync_reason_text; the numbers are wire format (PROTOCOL.md).
 */
enum sync_reason {
	SYNC_WHY_NONE = 0,       /* stored */
	SYNC_WHY_SIGNATURE = 1,  /* bad: the record's own signature does not verify */
	SYNC_WHY_SEALED = 2,     /* bad: sealed to another center key (this center cannot open it) */
	SYNC_WHY_UNREADABLE = 3, /* bad: opens, but is not a request this center can read */
	SYNC_WHY_ID = 4,         /* bad: the id inside is not the id it was signed and offered under */
	SYNC_WHY_URGENT = 5,     /* bad: the urgent flag inside is not the signed one */
	SYNC_WHY_CONFLICT = 6,   /* conflict: this kiosk already delivered this id with other content */
};
#define SYNC_WHY_MAX SYNC_WHY_CONFLICT

const char *sync_type_name(int type);
const char *sync_status_name(int status);
/* "sealed to another center" etc.; "?" for an unknown code. */
const char *sync_reason_text(int reason);
/* One word for logs and alerts ("sealed_to_another_center"). */
const char *sync_reason_name(int reason);

/* A parsed message: points into the caller's bytes (keep them alive). */
struct sync_msg {
	int type;
	const unsigned char *body;
	size_t body_len;
	const unsigned char *sig;   /* trailing signature, NULL for unsigned types */
	const unsigned char *whole; /* header + body: what sig covers */
	size_t whole_len;
};

/*
 * Split one message: magic, known type, body length within max and the
 * bytes, signature present when the type is signed, nothing after it.
 * ERR_PARSE / ERR_TOOBIG with a reason; nothing is verified yet.
 */
int sync_msg_parse(const void *data, size_t n, size_t max, struct sync_msg *m, struct diag *d);

/* Why a kiosk refused a content pack: told to the center in the next hello (PROTOCOL.md). */
enum sync_pack_refusal {
	SYNC_PACK_SIGNATURE = 1, /* not signed by the center's key (forged, altered, another center) */
	SYNC_PACK_FORMAT = 2,    /* not a well-formed pack message: lengths, names, counts, sizes */
	SYNC_PACK_VERSION = 3,   /* signed, but its version is past CONTENT_MAX_VERSION */
	SYNC_PACK_OLDER = 4,     /* signed, but not newer than the installed pack */
	SYNC_PACK_CONTENT = 5,   /* signed and well formed, but the content check refuses it */
	SYNC_PACK_INSTALL = 6,   /* could not be written at the kiosk (disk): tried again next time */
};
#define SYNC_PACK_REFUSAL_MAX SYNC_PACK_INSTALL
/* "signature", "format", ...; "?" for an unknown code. */
const char *sync_pack_refusal_name(int why);

#define SYNC_PROGRAM_MAX 32
struct sync_hello {
	unsigned char device_pk[CRYPT_SIGN_PK];
	unsigned char nonce[SYNC_NONCE_LEN];
	uint32_t held;
	/* Hello extension 1: the content pack this kiosk last refused (0: none to tell) and why (enum sync_pack_refusal). */
	uint64_t refused_version;
	int refused_why;
	/* Hello extension 2: the kiosk's own state, for the center's fleet page (has_facts 0: not sent). */
	int has_facts;
	uint64_t pack_version;   /* the content pack installed (0: the bundled one) */
	uint32_t urgent_held;    /* of held, the urgent ones */
	uint32_t free_mib;       /* free space of its data partition, MiB (UINT32_MAX: unknown) */
	int battery;             /* 0..100, or -1: none (mains) or unknown */
	int64_t clock;           /* its clock, seconds since 1970 (unreliable: the center shows it, never uses it) */
	char program[SYNC_PROGRAM_MAX + 1]; /* its program's version, printable ASCII */
};
void sync_hello_encode(struct buf *out, const struct sync_hello *h, const unsigned char device_sk[CRYPT_SIGN_SK]);
/* Parse and verify with the key inside (whether that key is enrolled is the center's question). */
int sync_hello_parse(const struct sync_msg *m, struct sync_hello *h, struct diag *d);

struct sync_welcome {
	unsigned char device_pk[CRYPT_SIGN_PK];
	unsigned char nonce[SYNC_NONCE_LEN];   /* the hello's, so an old welcome cannot be replayed */
	unsigned char epoch[SYNC_EPOCH_LEN];
	uint32_t max_records;
	uint32_t max_bytes;
	uint64_t content_version;              /* newest content pack the center offers; 0: none */
};
void sync_welcome_encode(struct buf *out, const struct sync_welcome *w, const unsigned char center_sk[CRYPT_SIGN_SK]);
int sync_welcome_parse(const struct sync_msg *m, const unsigned char center_pk[CRYPT_SIGN_PK], struct sync_welcome *w,
		       struct diag *d);

struct sync_record {
	unsigned char id[SYNC_ID_LEN];
	uint64_t seq;
	int urgent;
	unsigned char hash[CRYPT_HASH];
	unsigned char sig[CRYPT_SIG];
	const unsigned char *sealed;
	size_t sealed_len;
};

/* An offer chunk being written: begin, add records, end (signs). */
void sync_offer_begin(struct buf *out, const unsigned char device_pk[CRYPT_SIGN_PK],
		      const unsigned char epoch[SYNC_EPOCH_LEN]);
void sync_offer_add(struct buf *out, const struct sync_record *r);
void sync_offer_end(struct buf *out, const unsigned char device_sk[CRYPT_SIGN_SK]);
/* Bytes one record adds to an offer (its hash is not sent: the center computes it). */
size_t sync_offer_record_size(size_t sealed_len);

struct sync_offer {
	unsigned char device_pk[CRYPT_SIGN_PK];
	unsigned char epoch[SYNC_EPOCH_LEN];
	uint32_t n;
	struct sync_record *r; /* n records, sealed bytes pointing into the message; free with sync_offer_finish */
};
/*
 * Parse an offer and verify the chunk's signature with the device key
 * inside; each record's hash is computed here. sync_record_verify checks
 * each record's own signature.
 */
int sync_offer_parse(const struct sync_msg *m, struct sync_offer *o, struct diag *d);
void sync_offer_finish(struct sync_offer *o);
/*
 * The record's own signature (device key) over its fields and the hash of
 * its sealed bytes, for a record from sync_offer_parse (which computed that
 * hash from the bytes received): 0 or ERR_CRYPTO.
 */
int sync_record_verify(const struct sync_record *r, const unsigned char device_pk[CRYPT_SIGN_PK], struct diag *d);

struct sync_receipt {
	unsigned char id[SYNC_ID_LEN];
	unsigned char hash[CRYPT_HASH]; /* not on the wire: the offer's, and the signature covers it */
	int status;
	int reason; /* enum sync_reason: 0 with stored, SYNC_WHY_CONFLICT with conflict, 1..5 with bad */
};

/*
 * Receipts answer one offer (or bundle): per record only its id, status and
 * reason travel; the center's one signature covers the message and, in
 * order, the hash of every record it answers, so it vouches for exactly the
 * content the kiosk sent. counter: the center's receipts counter, which only
 * goes up, across epochs too (cstore_counter), so a kiosk can refuse an older
 * receipts file replayed to it. Write: begin, add each, end (signs).
 */
void sync_receipts_begin(struct buf *out, const unsigned char device_pk[CRYPT_SIGN_PK],
			 const unsigned char epoch[SYNC_EPOCH_LEN], uint64_t counter);
void sync_receipts_add(struct buf *out, struct buf *hashes, const struct sync_receipt *r);
void sync_receipts_end(struct buf *out, const struct buf *hashes, const unsigned char center_sk[CRYPT_SIGN_SK]);

/* The receiver's hash for a record id it offered: 0 and fills hash, or non-zero if it offered no such id. */
typedef int (*sync_hash_fn)(void *ctx, const unsigned char id[SYNC_ID_LEN], unsigned char hash[CRYPT_HASH]);

struct sync_receipts {
	unsigned char device_pk[CRYPT_SIGN_PK];
	unsigned char epoch[SYNC_EPOCH_LEN];
	uint64_t counter;
	unsigned char sig[CRYPT_SIG]; /* the center's, kept by the kiosk as proof */
	uint32_t n;
	struct sync_receipt *r; /* free with sync_receipts_finish */
};
/*
 * Parse receipts and verify the center's signature with the hashes lookup
 * gives: a receipt for an id never offered, a status and reason that do not
 * go together, or any altered byte, refuses them all (ERR_CRYPTO /
 * ERR_PARSE). Version 1 receipts (type 4) are refused with a message.
 */
int sync_receipts_parse(const struct sync_msg *m, const unsigned char center_pk[CRYPT_SIGN_PK], sync_hash_fn lookup,
			void *ctx, struct sync_receipts *rs, struct diag *d);
void sync_receipts_finish(struct sync_receipts *rs);

struct sync_content_req {
	unsigned char device_pk[CRYPT_SIGN_PK];
	uint64_t have;
};
void sync_content_req_encode(struct buf *out, const struct sync_content_req *r, const unsigned char device_sk[CRYPT_SIGN_SK]);
int sync_content_req_parse(const struct sync_msg *m, struct sync_content_req *r, struct diag *d);

/*
 * A content pack: a version that only goes up (1 to CONTENT_MAX_VERSION),
 * and named files (questions.conf, strings.vi, audio/km/x.wav...), within
 * core/contentpack's limits.
 */
#define SYNC_CONTENT_MAX_FILES CONTENT_MAX_FILES
#define SYNC_CONTENT_MAX_NAME CONTENT_MAX_NAME
struct sync_content_file {
	char name[SYNC_CONTENT_MAX_NAME];
	const unsigned char *data;
	size_t len;
};
struct sync_content {
	uint64_t version;
	uint32_t n;
	struct sync_content_file *f; /* free with sync_content_finish */
};
void sync_content_begin(struct buf *out, uint64_t version);
void sync_content_add(struct buf *out, const char *name, const void *data, size_t len);
void sync_content_end(struct buf *out, const unsigned char center_sk[CRYPT_SIGN_SK]);
/*
 * Parse and verify a pack. File names are relative paths of [A-Za-z0-9._-]
 * parts joined by '/', no "." or ".." parts, no duplicates.
 */
/*
 * The version a content pack file says in its header (0: no such file, or
 * not a pack), without reading the pack: nothing is verified, so this only
 * decides whether to fetch or parse it.
 */
uint64_t sync_content_file_version(const char *path);
/* The same from a pack's bytes already read (0: not a content pack). */
uint64_t sync_content_version(const void *data, size_t n);
/*
 * Verify the center's signature (ERR_CRYPTO), then parse: names by
 * content_name_ok, unique, at most SYNC_CONTENT_MAX_FILES (ERR_PARSE,
 * ERR_TOOBIG); a version of 1 to CONTENT_MAX_VERSION (past it: ERR_INVAL).
 */
int sync_content_parse(const struct sync_msg *m, const unsigned char center_pk[CRYPT_SIGN_PK], struct sync_content *c,
		       struct diag *d);
void sync_content_finish(struct sync_content *c);

#endif

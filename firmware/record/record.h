/* record: a request's content (facts, outcome, contact, consent), its text form, sealing and signing. */
#ifndef SPEAN_RECORD_H
#define SPEAN_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "crypt.h"
#include "err.h"
#include "facts.h"
#include "mem.h"
#include "screen.h"

#define RECORD_ID_LEN 16
#define RECORD_FORMAT "spean-request-1"

/* What a resident (or a staff member for them) entered. All strings are UTF-8, owned. */
struct contact {
	char *name;               /* required, 1..100 bytes */
	char *phone;              /* optional; digits, spaces, '.', '-', leading '+' */
	char *commune_code;       /* required; 5 digits (new provincial commune code) */
	char *address;            /* optional; old address as text, <= 300 bytes */
	char *matter;             /* optional; short description, <= 1000 bytes */
	char *requester_relation; /* optional; set when the requester is not the beneficiary */
	int consent;              /* 1 only for an explicit "yes" */
	char *consent_text;       /* id of the consent wording shown ("cli-1", "kiosk-vi-1") */
};

void contact_init(struct contact *c);
/* Wipes and frees every string. */
void contact_finish(struct contact *c);
/*
 * Parse a contact file (key = value; '#' only starts a comment at the start
 * of a line). Unknown or duplicate keys, bad values: ERR_PARSE with
 * "line N: reason" (never quoting the personal value itself). A value
 * holding a character utf8_unsafe() names (a control character such as
 * TAB, DEL or a C1 control, a bidi mark, override or isolate, a line or
 * paragraph separator) is a bad value: no one types one, and it would make
 * a name read otherwise on a screen or a printout. A missing or non-"yes"
 * consent is not a parse error: check contact_validate.
 */
int contact_parse(const char *text, size_t len, struct contact *c, struct diag *d);
/* The most bytes contact_parse takes for a field ("name": 256, "address": 300, ...); 0 for an unknown key. */
size_t contact_field_max(const char *key);
/* Required fields present and consent given: 0, ERR_REFUSED (consent) or ERR_INVAL. */
int contact_validate(const struct contact *c, struct diag *d);

/*
 * The receipt code a resident reads out and staff search by: the id's first
 * 8 hex digits, upper case, grouped ("7224-0F81"), as the kiosk's receipt
 * shows them. out holds RECORD_CODE_LEN bytes with the NUL.
 */
#define RECORD_CODE_LEN 10
void record_receipt_code(const unsigned char id[RECORD_ID_LEN], char out[RECORD_CODE_LEN]);

/* A request as the center sees it after opening. */
struct request {
	unsigned char id[RECORD_ID_LEN];
	char *lang;
	struct facts facts;
	enum outcome outcome;
	char *groups;        /* "R01 R02" */
	char *review_groups; /* "R04" */
	int urgent;
	char *rules_version;
	struct contact contact;
};

void request_init(struct request *r);
void request_finish(struct request *r);

/* Serialise to the plaintext form (kv lines) that gets sealed. */
void record_write_plain(const unsigned char id[RECORD_ID_LEN], const char *lang, const struct facts *f,
			const struct rules *rules, const struct screen_result *res, const struct contact *c,
			struct buf *out);
/*
 * Parse the plaintext form (the center side). ERR_PARSE with d = "line N:
 * reason". The contact fields are checked as in contact_parse but for the
 * characters it refuses: a request that holds one is still opened (every
 * output of the center neutralises them), not lost.
 */
int record_parse_plain(const char *text, size_t len, struct request *out, struct diag *d);

/*
 * Open a sealed request as the one its kiosk signed: sealed to this center
 * (box pk/sk), a request record, and its inner id and urgent flag equal to
 * the signed ones. Returns RECORD_OPEN_OK with out holding it (plain holds
 * the plaintext: wipe it), or why not; for RECORD_OPEN_UNREADABLE d has the
 * parser's "line N: ..." (which may quote a value: never print it whole).
 * The center's receipt check and its reports both ask this.
 */
enum record_open {
	RECORD_OPEN_OK,
	RECORD_OPEN_SEALED,     /* does not open with this key (another center's, or damaged) */
	RECORD_OPEN_UNREADABLE, /* opens, but is not a request record */
	RECORD_OPEN_ID,         /* its inner id is not the signed one */
	RECORD_OPEN_URGENT,     /* its inner urgent flag is not the signed one */
};
enum record_open record_open_sealed(const void *sealed, size_t n, const unsigned char box_pk[CRYPT_BOX_PK],
				    const unsigned char box_sk[CRYPT_BOX_SK], const unsigned char id[RECORD_ID_LEN],
				    int urgent, struct buf *plain, struct request *out, struct diag *d);

/*
 * The bytes a device signs for a stored record: a domain tag, the device
 * key, id, sequence number, urgent flag and the hash of the sealed bytes.
 */
#define RECORD_SIGNED_LEN (12 + CRYPT_SIGN_PK + RECORD_ID_LEN + 8 + 1 + CRYPT_HASH)
void record_signed_bytes(unsigned char out[RECORD_SIGNED_LEN], const unsigned char device_pk[CRYPT_SIGN_PK],
			 const unsigned char id[RECORD_ID_LEN], uint64_t seq, int urgent,
			 const unsigned char hash[CRYPT_HASH]);

#endif

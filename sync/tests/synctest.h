/* sync/tests: a record as a kiosk stores it, for the protocol and service tests. */
#ifndef SPEAN_SYNC_TESTS_SYNCTEST_H
#define SPEAN_SYNC_TESTS_SYNCTEST_H

#include <stdio.h>
#include <string.h>

#include "crypt.h"
#include "kv.h"
#include "protocol.h"
#include "record.h"

/* r: a fresh id, n random sealed bytes (in sealed), their hash, and the device's signature over them. */
static inline void synctest_record(struct sync_record *r, unsigned char *sealed, size_t n, uint64_t seq, int urgent,
				   const unsigned char pk[CRYPT_SIGN_PK], const unsigned char sk[CRYPT_SIGN_SK])
{
	memset(r, 0, sizeof *r);
	crypt_random(r->id, sizeof r->id);
	crypt_random(sealed, n);
	r->seq = seq;
	r->urgent = urgent;
	r->sealed = sealed;
	r->sealed_len = n;
	crypt_hash(r->hash, sealed, n);
	unsigned char sb[RECORD_SIGNED_LEN];
	record_signed_bytes(sb, pk, r->id, seq, urgent, r->hash);
	crypt_sign(r->sig, sb, sizeof sb, sk);
}

/*
 * r: a request as a kiosk stores it, really sealed to box_pk: the plaintext
 * says inner_id (NULL: r's own fresh id) and inner_urgent, the signed outer
 * fields say urgent. plain overrides the whole plaintext (NULL: a valid
 * request). sealed receives the bytes r points into (keep it alive).
 */
static inline void synctest_sealed(struct sync_record *r, struct buf *sealed, const unsigned char box_pk[CRYPT_BOX_PK],
				   uint64_t seq, int urgent, const unsigned char *inner_id, int inner_urgent, const char *plain,
				   const unsigned char pk[CRYPT_SIGN_PK], const unsigned char sk[CRYPT_SIGN_SK])
{
	memset(r, 0, sizeof *r);
	crypt_random(r->id, sizeof r->id);
	char hex[2 * SYNC_ID_LEN + 1], text[512];
	hex_encode(inner_id ? inner_id : r->id, SYNC_ID_LEN, hex);
	snprintf(text, sizeof text,
		 "format = spean-request-1\nid = %s\nlang = vi\noutcome = likely_eligible\ngroups = R02\nreview_groups = \n"
		 "urgent = %s\nrules = test-1\ncontact.commune_code = 90032\ncontact.consent = yes\n",
		 hex, inner_urgent ? "yes" : "no");
	sealed->len = 0;
	crypt_seal(plain ? plain : text, strlen(plain ? plain : text), box_pk, sealed);
	r->seq = seq;
	r->urgent = urgent;
	r->sealed = (const unsigned char *)sealed->data;
	r->sealed_len = sealed->len;
	crypt_hash(r->hash, r->sealed, r->sealed_len);
	unsigned char sb[RECORD_SIGNED_LEN];
	record_signed_bytes(sb, pk, r->id, seq, urgent, r->hash);
	crypt_sign(r->sig, sb, sizeof sb, sk);
}

#endif

/* sync/tests: a record as a kiosk stores it, for the protocol and service tests. */
#ifndef SPEAN_SYNC_TESTS_SYNCTEST_H
#define SPEAN_SYNC_TESTS_SYNCTEST_H

#include <string.h>

#include "crypt.h"
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

#endif

/* Fuzz target for sync/protocol: one message of any type through the framing and its type's parser (structure first, then signatures). */
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "protocol.h"

/* Any id was "offered", with a hash derived from the id (so the signature check runs). */
static int any_hash(void *ctx, const unsigned char id[SYNC_ID_LEN], unsigned char hash[CRYPT_HASH])
{
	(void)ctx;
	memset(hash, 0, CRYPT_HASH);
	memcpy(hash, id, SYNC_ID_LEN);
	return id[0] == 0xFF; /* and some ids were not */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char pk[CRYPT_SIGN_PK], sk[CRYPT_SIGN_SK];
	static int init;
	if (!init) {
		crypt_init();
		crypt_sign_keypair(pk, sk);
		init = 1;
	}
	struct sync_msg m;
	struct diag d = {""};
	int rc = sync_msg_parse(data, size, SYNC_MAX_CONTENT_MESSAGE, &m, &d);
	FUZZ_CHECK(rc == 0 || rc == ERR_PARSE || rc == ERR_TOOBIG);
	if (rc) {
		fuzz_check_diag(&d);
		return 0;
	}
	FUZZ_CHECK(m.whole_len <= size && m.body_len + SYNC_HEADER_LEN == m.whole_len);
	struct diag d2 = {""};
	switch (m.type) {
	case SYNC_HELLO: {
		struct sync_hello h;
		rc = sync_hello_parse(&m, &h, &d2);
		/* A refusal told is a real version with a known reason. */
		if (rc == 0)
			FUZZ_CHECK(h.refused_version == 0 ||
				   (h.refused_why >= 1 && h.refused_why <= SYNC_PACK_REFUSAL_MAX));
		break;
	}
	case SYNC_WELCOME: {
		struct sync_welcome w;
		rc = sync_welcome_parse(&m, pk, &w, &d2);
		break;
	}
	case SYNC_OFFER: {
		struct sync_offer o;
		rc = sync_offer_parse(&m, &o, &d2);
		if (rc == 0) {
			FUZZ_CHECK(o.n <= SYNC_MAX_RECORDS);
			for (uint32_t i = 0; i < o.n; i++) {
				/* Every record lies inside the message. */
				FUZZ_CHECK(o.r[i].sealed >= data && o.r[i].sealed + o.r[i].sealed_len <= data + size);
				struct diag d3 = {""};
				(void)sync_record_verify(&o.r[i], o.device_pk, &d3);
			}
			sync_offer_finish(&o);
		}
		break;
	}
	case SYNC_RECEIPTS: {
		struct sync_receipts rs;
		rc = sync_receipts_parse(&m, pk, any_hash, NULL, &rs, &d2);
		if (rc == 0) {
			/* Every accepted receipt has a known status and a reason that goes with it. */
			for (uint32_t i = 0; i < rs.n; i++)
				FUZZ_CHECK(rs.r[i].status <= SYNC_BAD && rs.r[i].reason <= SYNC_WHY_MAX &&
					   (rs.r[i].status == SYNC_STORED) == (rs.r[i].reason == SYNC_WHY_NONE));
			sync_receipts_finish(&rs);
		}
		break;
	}
	case SYNC_CONTENT: {
		struct sync_content c;
		rc = sync_content_parse(&m, pk, &c, &d2);
		if (rc == 0) {
			FUZZ_CHECK(c.version >= 1 && c.version <= CONTENT_MAX_VERSION && c.n <= CONTENT_MAX_FILES);
			for (uint32_t i = 0; i < c.n; i++)
				FUZZ_CHECK(content_name_ok(c.f[i].name, strlen(c.f[i].name)));
			sync_content_finish(&c);
		}
		break;
	}
	case SYNC_CONTENT_REQ: {
		struct sync_content_req q;
		rc = sync_content_req_parse(&m, &q, &d2);
		break;
	}
	default: /* SYNC_RECEIPTS_V1 included: sync_msg_parse refuses it */
		FUZZ_FAIL("unknown type accepted");
	}
	FUZZ_CHECK(rc == 0 || rc == ERR_PARSE || rc == ERR_TOOBIG || rc == ERR_CRYPTO);
	if (rc)
		fuzz_check_diag(&d2);
	return 0;
}

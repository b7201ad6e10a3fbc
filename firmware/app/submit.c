#define LOG_MODULE "submit"
#include "submit.h"

#include <string.h>

#include "kv.h"
#include "log.h"

static void sign_cb(void *ctx, struct store_request *r)
{
	const struct device *dev = ctx;
	unsigned char msg[RECORD_SIGNED_LEN];
	record_signed_bytes(msg, dev->sign_pk, r->id, r->seq, r->urgent, r->hash);
	crypt_sign(r->sig, msg, sizeof msg, dev->sign_sk);
}

int submit_request(struct store *st, const struct device *dev, const struct rules *rules, const struct facts *f,
		   struct date today, const struct contact *c, const char *lang,
		   unsigned char id[RECORD_ID_LEN], uint64_t *seq, struct diag *d)
{
	if (!dev->has_center) {
		diag_set(d, "this kiosk has no center key yet: run 'spean provision --center-key FILE' first");
		return ERR_STATE;
	}
	int rc = contact_validate(c, d);
	if (rc)
		return rc;
	struct screen_result res;
	screen(rules, f, today, &res);
	crypt_random(id, RECORD_ID_LEN);

	struct buf plain, sealed;
	buf_init(&plain);
	buf_init(&sealed);
	record_write_plain(id, lang, f, rules, &res, c, &plain);
	crypt_seal(plain.data, plain.len, dev->center_pk, &sealed);
	buf_finish_wipe(&plain);

	struct store_request r;
	memset(&r, 0, sizeof r);
	memcpy(r.id, id, RECORD_ID_LEN);
	crypt_hash(r.hash, sealed.data, sealed.len);
	r.urgent = res.urgent;
	r.sealed = (const unsigned char *)sealed.data;
	r.sealed_len = sealed.len;
	unsigned char key_hash[CRYPT_HASH];
	crypt_hash(key_hash, dev->center_pk, CRYPT_BOX_PK); /* which center can open it: re-provisioning must not strand it */
	r.center_key = key_hash;
	rc = store_put_request(st, &r, sign_cb, (void *)dev, d);
	buf_finish(&sealed);
	if (!rc && seq)
		*seq = r.seq;
	if (!rc)
		log_info("request_stored seq=%llu", (unsigned long long)r.seq);
	return rc;
}

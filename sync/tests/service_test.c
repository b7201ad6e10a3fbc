/*
 * The center's service with a real database: every kind of bad message is
 * refused with a reason and stores nothing; a tampered record inside a
 * good chunk is refused alone; same id + same hash is re-acknowledged,
 * same id + other hash is a conflict with an alert; receipts verify.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "center.h"
#include "cstore.h"
#include "protocol.h"
#include "record.h"
#include "service.h"
#include "synctest.h"
#include "testlib.h"

static unsigned char dev_pk[CRYPT_SIGN_PK], dev_sk[CRYPT_SIGN_SK];
static struct center_keys k;

/* The kiosk's hashes for the receipts: the three records and the conflicting one. */
static const struct sync_record *known[8];
static int nknown;

static int known_hash(void *ctx, const unsigned char id[SYNC_ID_LEN], unsigned char hash[CRYPT_HASH])
{
	const struct sync_record *only = ctx;
	if (only) {
		if (memcmp(only->id, id, SYNC_ID_LEN))
			return 1;
		memcpy(hash, only->hash, CRYPT_HASH);
		return 0;
	}
	for (int i = 0; i < nknown; i++)
		if (!memcmp(known[i]->id, id, SYNC_ID_LEN)) {
			memcpy(hash, known[i]->hash, CRYPT_HASH);
			return 0;
		}
	return 1;
}

static uint64_t stored(const char *dir)
{
	struct cstore *cs;
	struct diag d = {""};
	struct cstore_counts c = {0, 0, 0};
	if (cstore_open(dir, &cs, &d) == 0) {
		cstore_count(cs, &c, &d);
		cstore_close(cs);
	}
	return c.requests;
}

static void offer(struct buf *b, const struct sync_record *r, size_t n)
{
	unsigned char epoch[SYNC_EPOCH_LEN] = {0};
	sync_offer_begin(b, dev_pk, epoch);
	for (size_t i = 0; i < n; i++)
		sync_offer_add(b, &r[i]);
	sync_offer_end(b, dev_sk);
}

static int collect_alert(void *ctx, int64_t wall, const char *kind, const char *device_hex, const char *detail)
{
	(void)wall;
	char *all = ctx;
	size_t n = strlen(all);
	snprintf(all + n, 1024 - n, "%s %s %s\n", kind, device_hex, detail);
	return 0;
}

int main(void)
{
	crypt_init();
	char *dir = t_tmpdir("service");
	struct diag d = {""};
	CHECK_INT(center_init(dir, &k, &d), 0);
	crypt_sign_keypair(dev_pk, dev_sk);
	struct center_service *s;
	CHECK_INT(center_service_open(dir, &s, &d), 0);
	struct buf req, rep;
	buf_init(&req);
	buf_init(&rep);
	struct sync_record r[3];
	unsigned char sealed[3][200];
	for (int i = 0; i < 3; i++) {
		synctest_record(&r[i], sealed[i], sizeof sealed[i], (uint64_t)i + 1, 0, dev_pk, dev_sk);
		known[nknown++] = &r[i];
	}

	/* An unenrolled kiosk: hello and offer refused, nothing stored. */
	struct sync_hello h = {.held = 3};
	memcpy(h.device_pk, dev_pk, sizeof dev_pk);
	crypt_random(h.nonce, sizeof h.nonce);
	sync_hello_encode(&req, &h, dev_sk);
	CHECK_INT(center_service_handle(s, req.data, req.len, &rep, &d), ERR_REFUSED);
	CHECK(strstr(d.msg, "is not enrolled") != NULL);
	offer(&req, r, 3);
	CHECK_INT(center_service_handle(s, req.data, req.len, &rep, &d), ERR_REFUSED);
	CHECK_INT(stored(dir), 0);

	struct cstore *cs;
	int already;
	CHECK_INT(cstore_open(dir, &cs, &d), 0);
	CHECK_INT(cstore_enroll(cs, dev_pk, "test", &already, &d), 0);
	cstore_close(cs);

	/* Welcome: signed by the center, answering this hello's nonce. */
	sync_hello_encode(&req, &h, dev_sk);
	CHECK_INT(center_service_handle(s, req.data, req.len, &rep, &d), 0);
	struct sync_msg m;
	struct sync_welcome w;
	CHECK_INT(sync_msg_parse(rep.data, rep.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_welcome_parse(&m, k.sign_pk, &w, &d), 0);
	CHECK(!memcmp(w.nonce, h.nonce, sizeof h.nonce));

	/* Truncated, tampered (a byte of the chunk), forged (signed by another key), junk: refused, nothing stored. */
	offer(&req, r, 3);
	CHECK_INT(center_service_handle(s, req.data, req.len - 70, &rep, &d), ERR_PARSE);
	CHECK(strstr(d.msg, "truncated") != NULL);
	req.data[200] ^= 1;
	CHECK_INT(center_service_handle(s, req.data, req.len, &rep, &d), ERR_CRYPTO);
	CHECK(strstr(d.msg, "signature does not verify") != NULL);
	unsigned char fpk[CRYPT_SIGN_PK], fsk[CRYPT_SIGN_SK];
	crypt_sign_keypair(fpk, fsk);
	unsigned char epoch0[SYNC_EPOCH_LEN] = {0};
	sync_offer_begin(&req, dev_pk, epoch0); /* claims to be the enrolled kiosk */
	sync_offer_add(&req, &r[0]);
	sync_offer_end(&req, fsk);
	CHECK_INT(center_service_handle(s, req.data, req.len, &rep, &d), ERR_CRYPTO);
	CHECK_INT(center_service_handle(s, "GET / HTTP/1.1\r\n\r\n", 18, &rep, &d), ERR_PARSE);
	CHECK_INT(stored(dir), 0);

	/* A good chunk with one altered record: that one is refused ("bad"), the others stored. */
	unsigned char altered[200];
	struct sync_record x[3] = {r[0], r[1], r[2]};
	memcpy(altered, sealed[1], sizeof altered);
	altered[9] ^= 4;
	x[1].sealed = altered;
	offer(&req, x, 3);
	CHECK_INT(center_service_handle(s, req.data, req.len, &rep, &d), 0);
	struct sync_receipts rs;
	CHECK_INT(sync_msg_parse(rep.data, rep.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	/* The center answers for the content it received: record 2's altered hash. */
	struct sync_record x1 = x[1];
	crypt_hash(x1.hash, altered, sizeof altered);
	known[1] = &x1;
	CHECK_INT(sync_receipts_parse(&m, k.sign_pk, known_hash, NULL, &rs, &d), 0);
	known[1] = &r[1];
	CHECK_INT(rs.n, 3);
	CHECK(rs.r[0].status == SYNC_STORED && rs.r[1].status == SYNC_BAD && rs.r[2].status == SYNC_STORED);
	CHECK(!memcmp(rs.epoch, w.epoch, SYNC_EPOCH_LEN));
	sync_receipts_finish(&rs);
	CHECK_INT(stored(dir), 2);

	/* Replayed chunk: re-acknowledged, nothing doubled. Then the genuine record 2 arrives. */
	offer(&req, r, 3);
	CHECK_INT(center_service_handle(s, req.data, req.len, &rep, &d), 0);
	CHECK_INT(center_service_handle(s, req.data, req.len, &rep, &d), 0);
	CHECK_INT(sync_msg_parse(rep.data, rep.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_receipts_parse(&m, k.sign_pk, known_hash, NULL, &rs, &d), 0);
	for (uint32_t i = 0; i < rs.n; i++)
		CHECK_INT(rs.r[i].status, SYNC_STORED);
	sync_receipts_finish(&rs);
	CHECK_INT(stored(dir), 3);

	/* Same id, other content (signed by the kiosk itself: a bug or a tampered kiosk): conflict and an alert. */
	unsigned char other[200];
	struct sync_record y;
	synctest_record(&y, other, sizeof other, 9, 0, dev_pk, dev_sk);
	memcpy(y.id, r[0].id, sizeof y.id);
	unsigned char sb[RECORD_SIGNED_LEN];
	record_signed_bytes(sb, dev_pk, y.id, y.seq, 0, y.hash);
	crypt_sign(y.sig, sb, sizeof sb, dev_sk);
	offer(&req, &y, 1);
	CHECK_INT(center_service_handle(s, req.data, req.len, &rep, &d), 0);
	CHECK_INT(sync_msg_parse(rep.data, rep.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_receipts_parse(&m, k.sign_pk, known_hash, &y, &rs, &d), 0);
	CHECK_INT(rs.r[0].status, SYNC_CONFLICT);
	sync_receipts_finish(&rs);
	CHECK_INT(stored(dir), 3);
	CHECK_INT(cstore_open(dir, &cs, &d), 0);
	struct cstore_counts c;
	CHECK_INT(cstore_count(cs, &c, &d), 0);
	CHECK_INT(c.alerts, 2); /* the bad record and the conflict */
	cstore_close(cs);

	/* A receipts message is not a request to the center. */
	CHECK_INT(center_service_handle(s, rep.data, rep.len, &rep, &d), ERR_PARSE);

	/* A hello telling of a refused pack: welcomed as usual, and an alert naming the kiosk, the pack and why. */
	h.refused_version = 18446744073709551615ull;
	h.refused_why = SYNC_PACK_VERSION;
	crypt_random(h.nonce, sizeof h.nonce);
	sync_hello_encode(&req, &h, dev_sk);
	CHECK_INT(center_service_handle(s, req.data, req.len, &rep, &d), 0);
	CHECK_INT(sync_msg_parse(rep.data, rep.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_welcome_parse(&m, k.sign_pk, &w, &d), 0);
	CHECK(!memcmp(w.nonce, h.nonce, sizeof h.nonce));
	CHECK_INT(cstore_open(dir, &cs, &d), 0);
	char alerts[1024] = "";
	CHECK_INT(cstore_each_alert(cs, collect_alert, alerts, &d), 0);
	cstore_close(cs);
	char want[256], hex[CRYPT_SIGN_PK * 2 + 1];
	for (int i = 0; i < CRYPT_SIGN_PK; i++)
		snprintf(hex + 2 * i, 3, "%02x", dev_pk[i]);
	snprintf(want, sizeof want, "pack_refused %s content pack 18446744073709551615 refused by the kiosk: version\n", hex);
	CHECK(strstr(alerts, want) != NULL);
	center_service_close(s);
	buf_finish(&req);
	buf_finish(&rep);
	center_keys_wipe(&k);
	t_rmtree(dir);
	free(dir);
	return t_done("sync_service_test");
}

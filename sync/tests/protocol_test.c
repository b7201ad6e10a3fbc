/*
 * The sync messages: each round-trips; every truncation, every flipped byte
 * and every wrong key is refused; limits hold.
 */
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "record.h"
#include "synctest.h"
#include "testlib.h"

static unsigned char dev_pk[CRYPT_SIGN_PK], dev_sk[CRYPT_SIGN_SK], cen_pk[CRYPT_SIGN_PK], cen_sk[CRYPT_SIGN_SK];
static unsigned char epoch[SYNC_EPOCH_LEN];
/* A hello without extension: header, device key, nonce, held, signature. */
#define SYNC_HELLO_LEN_V1 (SYNC_HEADER_LEN + CRYPT_SIGN_PK + SYNC_NONCE_LEN + 4 + CRYPT_SIG)

/* Parsing every prefix fails; flipping any byte fails to parse or to verify. */
typedef int (*parse_fn)(const unsigned char *p, size_t n);

static int every_cut_and_flip(const struct buf *b, parse_fn parse)
{
	int accepted = 0;
	for (size_t n = 0; n < b->len; n++)
		accepted += parse((const unsigned char *)b->data, n) == 0;
	unsigned char *c = malloc(b->len);
	for (size_t i = 0; i < b->len; i++) {
		memcpy(c, b->data, b->len);
		c[i] ^= (unsigned char)(1u << (i % 8));
		accepted += parse(c, b->len) == 0;
	}
	free(c);
	return accepted;
}

static int parse_offer(const unsigned char *p, size_t n)
{
	struct sync_msg m;
	struct sync_offer o;
	struct diag d;
	int rc = sync_msg_parse(p, n, SYNC_MAX_MESSAGE, &m, &d);
	if (!rc && !(rc = sync_offer_parse(&m, &o, &d))) {
		for (uint32_t i = 0; i < o.n && !rc; i++)
			rc = sync_record_verify(&o.r[i], o.device_pk, &d);
		sync_offer_finish(&o);
	}
	return rc;
}

/* The kiosk's side of the receipts test: the records it offered. */
static struct sync_receipt offered[3];

static int offered_hash(void *ctx, const unsigned char id[SYNC_ID_LEN], unsigned char hash[CRYPT_HASH])
{
	(void)ctx;
	for (int i = 0; i < 3; i++)
		if (!memcmp(offered[i].id, id, SYNC_ID_LEN)) {
			memcpy(hash, offered[i].hash, CRYPT_HASH);
			return 0;
		}
	return 1;
}

static int parse_receipts(const unsigned char *p, size_t n)
{
	struct sync_msg m;
	struct sync_receipts rs;
	struct diag d;
	int rc = sync_msg_parse(p, n, SYNC_MAX_MESSAGE, &m, &d);
	if (!rc && !(rc = sync_receipts_parse(&m, cen_pk, offered_hash, NULL, &rs, &d)))
		sync_receipts_finish(&rs);
	return rc;
}

static int parse_welcome(const unsigned char *p, size_t n)
{
	struct sync_msg m;
	struct sync_welcome w;
	struct diag d;
	int rc = sync_msg_parse(p, n, SYNC_MAX_MESSAGE, &m, &d);
	return rc ? rc : sync_welcome_parse(&m, cen_pk, &w, &d);
}

static int parse_hello(const unsigned char *p, size_t n)
{
	struct sync_msg m;
	struct sync_hello h;
	struct diag d;
	int rc = sync_msg_parse(p, n, SYNC_MAX_MESSAGE, &m, &d);
	return rc ? rc : sync_hello_parse(&m, &h, &d);
}

static int parse_content(const unsigned char *p, size_t n)
{
	struct sync_msg m;
	struct sync_content c;
	struct diag d;
	int rc = sync_msg_parse(p, n, SYNC_MAX_CONTENT_MESSAGE, &m, &d);
	if (!rc && !(rc = sync_content_parse(&m, cen_pk, &c, &d)))
		sync_content_finish(&c);
	return rc;
}

static void test_hello_welcome(void)
{
	struct buf b;
	buf_init(&b);
	struct sync_hello h = {.held = 7};
	memcpy(h.device_pk, dev_pk, sizeof dev_pk);
	crypt_random(h.nonce, sizeof h.nonce);
	sync_hello_encode(&b, &h, dev_sk);
	struct sync_msg m;
	struct diag d = {""};
	struct sync_hello h2;
	CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_hello_parse(&m, &h2, &d), 0);
	CHECK(!memcmp(h.device_pk, h2.device_pk, sizeof h.device_pk) && !memcmp(h.nonce, h2.nonce, sizeof h.nonce));
	CHECK_INT(h2.held, 7);
	CHECK_INT(h2.refused_version, 0);
	CHECK_INT(b.len, SYNC_HELLO_LEN_V1); /* nothing to tell: the hello every center reads */
	CHECK_INT(every_cut_and_flip(&b, parse_hello), 0);
	/* Extension 1: the pack this kiosk refused and why (told to the center once). */
	h.refused_version = CONTENT_MAX_VERSION + 1;
	h.refused_why = SYNC_PACK_VERSION;
	sync_hello_encode(&b, &h, dev_sk);
	CHECK_INT(b.len, SYNC_HELLO_LEN_V1 + 10);
	CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_hello_parse(&m, &h2, &d), 0);
	CHECK(h2.refused_version == CONTENT_MAX_VERSION + 1 && h2.refused_why == SYNC_PACK_VERSION && h2.held == 7);
	CHECK_INT(every_cut_and_flip(&b, parse_hello), 0);
	CHECK_STR(sync_pack_refusal_name(SYNC_PACK_VERSION), "version");
	/* A signed hello with an unknown extension, a reason out of range or no version: refused with the reason. */
	static const struct {
		unsigned char ext, why;
		uint64_t version;
		const char *msg;
	} bad_ext[] = {
		{3, 1, 5, "hello: extension 3 is unknown (a newer kiosk?)"},
		{1, 0, 5, "hello: refused pack 5 with reason 0: out of range"},
		{1, SYNC_PACK_REFUSAL_MAX + 1, 5, "hello: refused pack 5 with reason 7: out of range"},
		{1, 1, 0, "hello: refused pack 0 with reason 1: out of range"},
	};
	for (size_t i = 0; i < sizeof bad_ext / sizeof *bad_ext; i++) {
		h.refused_version = 1;
		h.refused_why = 1;
		sync_hello_encode(&b, &h, dev_sk);
		unsigned char *ext = (unsigned char *)b.data + SYNC_HELLO_LEN_V1 - CRYPT_SIG;
		ext[0] = bad_ext[i].ext;
		for (int k = 0; k < 8; k++)
			ext[1 + k] = (unsigned char)(bad_ext[i].version >> (8 * k));
		ext[9] = bad_ext[i].why;
		crypt_sign(ext + 10, b.data, b.len - CRYPT_SIG, dev_sk);
		CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_MESSAGE, &m, &d), 0);
		CHECK_INT(sync_hello_parse(&m, &h2, &d), ERR_PARSE);
		CHECK_STR(d.msg, bad_ext[i].msg);
	}
	h.refused_version = 0;
	h.refused_why = 0;
	/* Extension 2: the kiosk's own state, for the fleet page; with extension 1 before it. */
	h.has_facts = 1;
	h.pack_version = 4;
	h.urgent_held = 2;
	h.free_mib = 900;
	h.battery = 55;
	h.clock = 1764900000;
	snprintf(h.program, sizeof h.program, "0.1.0");
	h.refused_version = 9;
	h.refused_why = SYNC_PACK_OLDER;
	sync_hello_encode(&b, &h, dev_sk);
	CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_hello_parse(&m, &h2, &d), 0);
	CHECK(h2.has_facts && h2.pack_version == 4 && h2.urgent_held == 2 && h2.free_mib == 900 && h2.battery == 55 &&
	      h2.clock == 1764900000 && !strcmp(h2.program, "0.1.0") && h2.refused_version == 9 && h2.held == 7);
	CHECK_INT(every_cut_and_flip(&b, parse_hello), 0);
	h.refused_version = 0;
	h.battery = -1; /* mains: sent as 255, read back as -1 */
	sync_hello_encode(&b, &h, dev_sk);
	CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_hello_parse(&m, &h2, &d), 0);
	CHECK_INT(h2.battery, -1);
	CHECK_INT(h2.refused_version, 0);
	/* Refused: more urgent held than held, a program that is not printable ASCII. */
	h.urgent_held = 8;
	sync_hello_encode(&b, &h, dev_sk);
	CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_hello_parse(&m, &h2, &d), ERR_PARSE);
	CHECK_STR(d.msg, "hello: the kiosk's facts are out of range");
	h.urgent_held = 2;
	snprintf(h.program, sizeof h.program, "0.1\x1b[2J");
	sync_hello_encode(&b, &h, dev_sk);
	CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_hello_parse(&m, &h2, &d), ERR_PARSE);
	CHECK_STR(d.msg, "hello: the program version is not printable ASCII");
	/* The same extension twice (or out of order) is refused: each at most once, in order. */
	snprintf(h.program, sizeof h.program, "x");
	sync_hello_encode(&b, &h, dev_sk);
	{
		size_t ext_len = b.len - SYNC_HELLO_LEN_V1;
		struct buf b2;
		buf_init(&b2);
		buf_append(&b2, b.data, b.len - CRYPT_SIG);
		buf_append(&b2, b.data + SYNC_HELLO_LEN_V1 - CRYPT_SIG, ext_len);
		/* the header's body length, then the signature over header and body */
		uint32_t body = (uint32_t)(b2.len - SYNC_HEADER_LEN);
		for (int k = 0; k < 4; k++)
			b2.data[8 + k] = (char)(body >> (8 * k));
		buf_reserve(&b2, CRYPT_SIG);
		crypt_sign((unsigned char *)b2.data + b2.len, b2.data, b2.len, dev_sk);
		b2.len += CRYPT_SIG;
		CHECK_INT(sync_msg_parse(b2.data, b2.len, SYNC_MAX_MESSAGE, &m, &d), 0);
		CHECK_INT(sync_hello_parse(&m, &h2, &d), ERR_PARSE);
		CHECK_STR(d.msg, "hello: extension 2 out of order");
		buf_finish(&b2);
	}
	memset(&h, 0, sizeof h);
	h.held = 7;
	memcpy(h.device_pk, dev_pk, sizeof dev_pk);
	crypt_random(h.nonce, sizeof h.nonce);

	struct sync_welcome w = {.max_records = 500, .max_bytes = 1u << 20, .content_version = 3};
	memcpy(w.device_pk, dev_pk, sizeof dev_pk);
	memcpy(w.nonce, h.nonce, sizeof w.nonce);
	memcpy(w.epoch, epoch, sizeof epoch);
	sync_welcome_encode(&b, &w, cen_sk);
	struct sync_welcome w2;
	CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_welcome_parse(&m, cen_pk, &w2, &d), 0);
	CHECK(!memcmp(&w, &w2, sizeof w));
	CHECK_INT(every_cut_and_flip(&b, parse_welcome), 0);
	/* Signed by someone else (a device key is not the center's). */
	sync_welcome_encode(&b, &w, dev_sk);
	CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_welcome_parse(&m, cen_pk, &w2, &d), ERR_CRYPTO);
	CHECK(strstr(d.msg, "center signature does not verify") != NULL);
	/* A hello read as a welcome. */
	sync_hello_encode(&b, &h, dev_sk);
	CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_welcome_parse(&m, cen_pk, &w2, &d), ERR_PARSE);
	CHECK(strstr(d.msg, "expected a welcome message, got hello") != NULL);
	buf_finish(&b);
}

static void test_offer(void)
{
	enum { N = 5 };
	struct sync_record r[N];
	unsigned char sealed[N][300];
	struct buf b;
	buf_init(&b);
	sync_offer_begin(&b, dev_pk, epoch);
	for (int i = 0; i < N; i++) {
		synctest_record(&r[i], sealed[i], 100 + (size_t)i * 40, (uint64_t)i + 1, i == 3, dev_pk, dev_sk);
		sync_offer_add(&b, &r[i]);
	}
	sync_offer_end(&b, dev_sk);
	size_t want = SYNC_HEADER_LEN + CRYPT_SIGN_PK + SYNC_EPOCH_LEN + 4 + CRYPT_SIG;
	for (int i = 0; i < N; i++)
		want += sync_offer_record_size(r[i].sealed_len);
	CHECK_INT(b.len, want);
	struct sync_msg m;
	struct sync_offer o;
	struct diag d = {""};
	CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_offer_parse(&m, &o, &d), 0);
	CHECK_INT(o.n, N);
	for (int i = 0; i < N; i++) {
		CHECK(!memcmp(o.r[i].id, r[i].id, SYNC_ID_LEN) && o.r[i].seq == r[i].seq && o.r[i].urgent == r[i].urgent);
		CHECK(o.r[i].sealed_len == r[i].sealed_len && !memcmp(o.r[i].sealed, r[i].sealed, r[i].sealed_len));
		CHECK_INT(sync_record_verify(&o.r[i], o.device_pk, &d), 0);
	}
	sync_offer_finish(&o);
	CHECK_INT(every_cut_and_flip(&b, parse_offer), 0);

	/* A record whose sealed bytes were altered and re-signed as a chunk by someone with the device key:
	 * the chunk verifies; the record's own signature (over the hash the center computes) does not. */
	unsigned char bad[300];
	struct sync_record x = r[0];
	memcpy(bad, sealed[0], x.sealed_len);
	bad[5] ^= 1;
	x.sealed = bad;
	sync_offer_begin(&b, dev_pk, epoch);
	sync_offer_add(&b, &x);
	sync_offer_end(&b, dev_sk);
	CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_offer_parse(&m, &o, &d), 0);
	CHECK_INT(sync_record_verify(&o.r[0], o.device_pk, &d), ERR_CRYPTO);
	CHECK(strstr(d.msg, "device signature does not verify") != NULL);
	CHECK(memcmp(o.r[0].hash, r[0].hash, CRYPT_HASH) != 0);
	sync_offer_finish(&o);
	/* A record signed by another device inside this device's chunk. */
	unsigned char other_pk[CRYPT_SIGN_PK], other_sk[CRYPT_SIGN_SK];
	crypt_sign_keypair(other_pk, other_sk);
	x = r[1];
	unsigned char sb[RECORD_SIGNED_LEN];
	record_signed_bytes(sb, other_pk, x.id, x.seq, x.urgent, x.hash);
	crypt_sign(x.sig, sb, sizeof sb, other_sk);
	sync_offer_begin(&b, dev_pk, epoch);
	sync_offer_add(&b, &x);
	sync_offer_end(&b, dev_sk);
	CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_offer_parse(&m, &o, &d), 0);
	CHECK_INT(sync_record_verify(&o.r[0], o.device_pk, &d), ERR_CRYPTO);
	CHECK(strstr(d.msg, "device signature does not verify") != NULL);
	sync_offer_finish(&o);
	/* The same id twice in a chunk. */
	sync_offer_begin(&b, dev_pk, epoch);
	sync_offer_add(&b, &r[2]);
	sync_offer_add(&b, &r[2]);
	sync_offer_end(&b, dev_sk);
	CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_offer_parse(&m, &o, &d), ERR_PARSE);
	CHECK(strstr(d.msg, "same id") != NULL);
	/* Too many records for one chunk. */
	sync_offer_begin(&b, dev_pk, epoch);
	for (int i = 0; i < SYNC_MAX_RECORDS + 1; i++)
		sync_offer_add(&b, &r[0]);
	sync_offer_end(&b, dev_sk);
	CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_offer_parse(&m, &o, &d), ERR_TOOBIG);
	/* Over the message limit. */
	CHECK_INT(sync_msg_parse(b.data, b.len, 1000, &m, &d), ERR_TOOBIG);
	buf_finish(&b);
}

static void test_receipts(void)
{
	struct buf b, h;
	buf_init(&b);
	buf_init(&h);
	static const int reasons[3] = {SYNC_WHY_NONE, SYNC_WHY_CONFLICT, SYNC_WHY_SEALED};
	sync_receipts_begin(&b, dev_pk, epoch, 0x0123456789abcdefull);
	for (int i = 0; i < 3; i++) {
		crypt_random(offered[i].id, sizeof offered[i].id);
		crypt_random(offered[i].hash, sizeof offered[i].hash);
		offered[i].status = i;
		offered[i].reason = reasons[i];
		sync_receipts_add(&b, &h, &offered[i]);
	}
	sync_receipts_end(&b, &h, cen_sk);
	CHECK_INT(b.data[4], SYNC_RECEIPTS);
	CHECK_INT(b.len, SYNC_HEADER_LEN + CRYPT_SIGN_PK + SYNC_EPOCH_LEN + 8 + 4 + 3 * (SYNC_ID_LEN + 2) + CRYPT_SIG);
	struct sync_msg m;
	struct sync_receipts rs;
	struct diag d = {""};
	CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_receipts_parse(&m, cen_pk, offered_hash, NULL, &rs, &d), 0);
	CHECK_INT(rs.n, 3);
	for (int i = 0; i < 3; i++)
		CHECK(!memcmp(&rs.r[i], &offered[i], sizeof offered[i]));
	CHECK(!memcmp(rs.epoch, epoch, sizeof epoch));
	CHECK(rs.counter == 0x0123456789abcdefull);
	CHECK_STR(sync_reason_text(rs.r[2].reason), "sealed to another center");
	sync_receipts_finish(&rs);
	CHECK_INT(every_cut_and_flip(&b, parse_receipts), 0);

	/* The counter is signed: an old counter cannot be relabelled as a newer one. */
	struct buf c2;
	buf_init(&c2);
	buf_append(&c2, b.data, b.len);
	c2.data[SYNC_HEADER_LEN + CRYPT_SIGN_PK + SYNC_EPOCH_LEN + 7] ^= 0x40;
	CHECK_INT(parse_receipts((const unsigned char *)c2.data, c2.len), ERR_CRYPTO);
	/* Version 1 receipts (type 4, no counter: what an old receipts file is) are refused with the reason. */
	c2.len = 0;
	buf_append(&c2, b.data, b.len);
	c2.data[4] = SYNC_RECEIPTS_V1;
	CHECK_INT(sync_msg_parse(c2.data, c2.len, SYNC_MAX_MESSAGE, &m, &d), ERR_PARSE);
	CHECK(strstr(d.msg, "protocol version 1") != NULL);
	buf_finish(&c2);
	struct buf e;
	buf_init(&e);
	/* A status with a reason that does not go with it (signed by the center all the same): refused. */
	static const int misfits[][2] = {{SYNC_STORED, SYNC_WHY_SEALED}, {SYNC_BAD, SYNC_WHY_NONE}, {SYNC_BAD, SYNC_WHY_CONFLICT},
					 {SYNC_CONFLICT, SYNC_WHY_NONE}, {SYNC_BAD, SYNC_WHY_MAX + 1}};
	for (size_t i = 0; i < sizeof misfits / sizeof *misfits; i++) {
		struct sync_receipt x = offered[0];
		x.status = misfits[i][0];
		x.reason = misfits[i][1];
		h.len = 0;
		sync_receipts_begin(&e, dev_pk, epoch, 1);
		sync_receipts_add(&e, &h, &x);
		sync_receipts_end(&e, &h, cen_sk);
		CHECK_INT(sync_msg_parse(e.data, e.len, SYNC_MAX_MESSAGE, &m, &d), 0);
		CHECK_INT(sync_receipts_parse(&m, cen_pk, offered_hash, NULL, &rs, &d), ERR_PARSE);
		CHECK(strstr(d.msg, "does not go with status") != NULL);
	}
	for (int why = SYNC_WHY_SIGNATURE; why <= SYNC_WHY_URGENT; why++) {
		struct sync_receipt x = offered[0];
		x.status = SYNC_BAD;
		x.reason = why;
		h.len = 0;
		sync_receipts_begin(&e, dev_pk, epoch, 1);
		sync_receipts_add(&e, &h, &x);
		sync_receipts_end(&e, &h, cen_sk);
		CHECK_INT(sync_msg_parse(e.data, e.len, SYNC_MAX_MESSAGE, &m, &d), 0);
		CHECK_INT(sync_receipts_parse(&m, cen_pk, offered_hash, NULL, &rs, &d), 0);
		CHECK_INT(rs.r[0].reason, why);
		CHECK(strcmp(sync_reason_text(why), "?") != 0);
		sync_receipts_finish(&rs);
	}

	buf_finish(&e);
	/* The kiosk's content differs from what the center signed for (one hash changed): refused. */
	offered[1].hash[0] ^= 1;
	CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_receipts_parse(&m, cen_pk, offered_hash, NULL, &rs, &d), ERR_CRYPTO);
	offered[1].hash[0] ^= 1;
	/* Signed with a key that is not the center's. */
	h.len = 0;
	sync_receipts_begin(&b, dev_pk, epoch, 7);
	sync_receipts_add(&b, &h, &offered[0]);
	sync_receipts_end(&b, &h, dev_sk);
	CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_receipts_parse(&m, cen_pk, offered_hash, NULL, &rs, &d), ERR_CRYPTO);
	CHECK(strstr(d.msg, "not signed by this center") != NULL);
	/* A receipt for a record this kiosk never offered. */
	struct sync_receipt stranger = offered[2];
	stranger.id[3] ^= 1;
	h.len = 0;
	sync_receipts_begin(&b, dev_pk, epoch, 7);
	sync_receipts_add(&b, &h, &stranger);
	sync_receipts_end(&b, &h, cen_sk);
	CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_receipts_parse(&m, cen_pk, offered_hash, NULL, &rs, &d), ERR_CRYPTO);
	CHECK(strstr(d.msg, "not offered") != NULL);
	/* Genuine receipts of another epoch, relabelled: the signature covers the epoch. */
	h.len = 0;
	sync_receipts_begin(&b, dev_pk, epoch, 7);
	sync_receipts_add(&b, &h, &offered[0]);
	sync_receipts_end(&b, &h, cen_sk);
	b.data[SYNC_HEADER_LEN + CRYPT_SIGN_PK] ^= 1;
	CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_receipts_parse(&m, cen_pk, offered_hash, NULL, &rs, &d), ERR_CRYPTO);
	buf_finish(&b);
	buf_finish(&h);
}

static int parse_content_req(const unsigned char *p, size_t n)
{
	struct sync_msg m;
	struct sync_content_req q;
	struct diag d;
	int rc = sync_msg_parse(p, n, SYNC_MAX_MESSAGE, &m, &d);
	return rc ? rc : sync_content_req_parse(&m, &q, &d);
}

static void test_content(void)
{
	struct buf q;
	buf_init(&q);
	struct sync_content_req cr = {.have = 41}, cr2;
	memcpy(cr.device_pk, dev_pk, sizeof dev_pk);
	sync_content_req_encode(&q, &cr, dev_sk);
	struct sync_msg qm;
	struct diag qd = {""};
	CHECK_INT(sync_msg_parse(q.data, q.len, SYNC_MAX_MESSAGE, &qm, &qd), 0);
	CHECK_INT(sync_content_req_parse(&qm, &cr2, &qd), 0);
	CHECK(cr2.have == 41 && !memcmp(cr2.device_pk, dev_pk, sizeof dev_pk));
	CHECK_INT(every_cut_and_flip(&q, parse_content_req), 0);
	buf_finish(&q);

	struct buf b;
	buf_init(&b);
	sync_content_begin(&b, 4);
	sync_content_add(&b, "questions.conf", "version = 4\n", 12);
	sync_content_add(&b, "audio/km/q.hiv.wav", "RIFF", 4);
	sync_content_end(&b, cen_sk);
	struct sync_msg m;
	struct sync_content c;
	struct diag d = {""};
	CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_CONTENT_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_content_parse(&m, cen_pk, &c, &d), 0);
	CHECK(c.version == 4 && c.n == 2);
	CHECK_STR(c.f[1].name, "audio/km/q.hiv.wav");
	CHECK(c.f[0].len == 12 && !memcmp(c.f[0].data, "version = 4\n", 12));
	sync_content_finish(&c);
	CHECK_INT(every_cut_and_flip(&b, parse_content), 0);
	static const char *const bad[] = {"../etc/passwd", "/abs", "a//b", "a/./b", "sp ace", "x/..", "",
					  "a\\b", "a\nb", "a\033[2J", "icons/..\\..\\x"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		sync_content_begin(&b, 5);
		sync_content_add(&b, bad[i], "x", 1);
		sync_content_end(&b, cen_sk);
		CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_CONTENT_MESSAGE, &m, &d), 0);
		CHECK_INT(sync_content_parse(&m, cen_pk, &c, &d), ERR_PARSE);
	}
	sync_content_begin(&b, 5);
	sync_content_add(&b, "a", "x", 1);
	sync_content_add(&b, "a", "y", 1);
	sync_content_end(&b, cen_sk);
	CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_CONTENT_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_content_parse(&m, cen_pk, &c, &d), ERR_PARSE);
	CHECK(strstr(d.msg, "appears twice") != NULL);
	/* A name with a NUL inside (the length says 3). */
	sync_content_begin(&b, 5);
	sync_content_add(&b, "abc", "x", 1);
	((unsigned char *)b.data)[SYNC_HEADER_LEN + 12 + 2 + 1] = '\0';
	sync_content_end(&b, cen_sk);
	CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_CONTENT_MESSAGE, &m, &d), 0);
	CHECK_INT(sync_content_parse(&m, cen_pk, &c, &d), ERR_PARSE);
	/* Versions: the maximum is taken, one past it (and 2^64-1, which would freeze a kiosk) refused though signed. */
	static const uint64_t versions[] = {CONTENT_MAX_VERSION, CONTENT_MAX_VERSION + 1, UINT64_MAX};
	for (int i = 0; i < 3; i++) {
		sync_content_begin(&b, versions[i]);
		sync_content_add(&b, "a", "x", 1);
		sync_content_end(&b, cen_sk);
		CHECK_INT(sync_msg_parse(b.data, b.len, SYNC_MAX_CONTENT_MESSAGE, &m, &d), 0);
		int rc = sync_content_parse(&m, cen_pk, &c, &d);
		CHECK_INT(rc, i == 0 ? 0 : ERR_INVAL);
		if (!rc)
			sync_content_finish(&c);
		else
			CHECK(strstr(d.msg, "is past the maximum 1000000000000") != NULL);
	}
	buf_finish(&b);
}

int main(void)
{
	crypt_init();
	crypt_sign_keypair(dev_pk, dev_sk);
	crypt_sign_keypair(cen_pk, cen_sk);
	crypt_random(epoch, sizeof epoch);
	struct diag d = {""};
	struct sync_msg m;
	CHECK_INT(sync_msg_parse("SPN1\x09\0\0\0\0\0\0\0", 12, SYNC_MAX_MESSAGE, &m, &d), ERR_PARSE);
	CHECK(strstr(d.msg, "unknown message type 9") != NULL);
	CHECK_INT(sync_msg_parse("GET / HTTP/1.1\r\n", 16, SYNC_MAX_MESSAGE, &m, &d), ERR_PARSE);
	CHECK(strstr(d.msg, "bad magic") != NULL);
	test_hello_welcome();
	test_offer();
	test_receipts();
	test_content();
	return t_done("sync_protocol_test");
}

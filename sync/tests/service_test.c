/*
 * The center's service with a real database and real sealed records: every
 * kind of bad message is refused with a reason and stores nothing; a record
 * the center cannot open (sealed to another center), or one that opens but
 * says another id or urgent flag than the signed one (made with a stolen
 * kiosk key), is answered "bad" with its reason, stored nowhere, and raised
 * as an alert naming the kiosk; same id + same hash is re-acknowledged,
 * same id + other hash from the same kiosk is a conflict with an alert; the
 * same id from two kiosks is stored for both with an alert naming both;
 * receipts verify and carry a counter that only goes up, across a restore
 * from a backup too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "center.h"
#include "cstore.h"
#include "fs.h"
#include "kv.h"
#include "protocol.h"
#include "record.h"
#include "service.h"
#include "synctest.h"
#include "testlib.h"

static unsigned char dev_pk[CRYPT_SIGN_PK], dev_sk[CRYPT_SIGN_SK];
static struct center_keys k;

/* The kiosk's hashes for the receipts: every record offered so far. */
static const struct sync_record *known[700];
static int nknown;

static void know(const struct sync_record *r)
{
	known[nknown++] = r;
}

static int known_hash(void *ctx, const unsigned char id[SYNC_ID_LEN], unsigned char hash[CRYPT_HASH])
{
	const struct sync_record *only = ctx;
	if (only) {
		if (memcmp(only->id, id, SYNC_ID_LEN))
			return 1;
		memcpy(hash, only->hash, CRYPT_HASH);
		return 0;
	}
	for (int i = nknown - 1; i >= 0; i--)
		if (!memcmp(known[i]->id, id, SYNC_ID_LEN)) {
			memcpy(hash, known[i]->hash, CRYPT_HASH);
			return 0;
		}
	return 1;
}

static struct cstore_counts counts(const char *dir)
{
	struct cstore *cs;
	struct diag d = {""};
	struct cstore_counts c = {0, 0, 0};
	if (cstore_open(dir, &cs, &d) == 0) {
		cstore_count(cs, &c, &d);
		cstore_close(cs);
	}
	return c;
}

static uint64_t stored(const char *dir)
{
	return counts(dir).requests;
}

static void offer_from(struct buf *b, const struct sync_record *r, size_t n, const unsigned char *pk, const unsigned char *sk)
{
	unsigned char epoch[SYNC_EPOCH_LEN] = {0};
	sync_offer_begin(b, pk, epoch);
	for (size_t i = 0; i < n; i++)
		sync_offer_add(b, &r[i]);
	sync_offer_end(b, sk);
}

static void offer(struct buf *b, const struct sync_record *r, size_t n)
{
	offer_from(b, r, n, dev_pk, dev_sk);
}

/* Hand the offer to the center; parse and verify its receipts (ctx: known_hash's). */
static void exchange(struct center_service *s, struct buf *req, struct buf *rep, const void *ctx, struct sync_receipts *rs)
{
	struct diag d = {""};
	struct sync_msg m;
	CHECK_INT(center_service_handle(s, req->data, req->len, rep, &d), 0);
	CHECK_INT(sync_msg_parse(rep->data, rep->len, SYNC_MAX_MESSAGE, &m, &d), 0);
	memset(rs, 0, sizeof *rs);
	CHECK_INT(sync_receipts_parse(&m, k.sign_pk, known_hash, (void *)ctx, rs, &d), 0);
}

/* The alerts, one line each: "kind kiosk-hex detail". */
static int alert_line(void *ctx, int64_t wall, const char *kind, const char *device_hex, const char *detail)
{
	(void)wall;
	buf_printf(ctx, "%s %s %s\n", kind, device_hex, detail);
	return 0;
}

static char *alerts(const char *dir)
{
	struct cstore *cs;
	struct diag d = {""};
	struct buf b;
	buf_init(&b);
	buf_puts(&b, "");
	if (cstore_open(dir, &cs, &d) == 0) {
		cstore_each_alert(cs, alert_line, &b, &d);
		cstore_close(cs);
	}
	return b.data;
}

/* Whether the alerts have a line with all of kind, the kiosk (hex) and text. */
static int alerted(const char *dir, const char *kind, const unsigned char *pk, const char *text)
{
	char hex[2 * CRYPT_SIGN_PK + 1], want[200];
	hex_encode(pk, CRYPT_SIGN_PK, hex);
	snprintf(want, sizeof want, "%s %s ", kind, hex);
	char *all = alerts(dir);
	int found = 0;
	for (char *line = all; line && *line && !found;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		found = !strncmp(line, want, strlen(want)) && strstr(line, text) != NULL;
		line = nl ? nl + 1 : NULL;
	}
	free(all);
	return found;
}

static void enroll(const char *dir, const unsigned char *pk)
{
	struct cstore *cs;
	struct diag d = {""};
	int already;
	CHECK_INT(cstore_open(dir, &cs, &d), 0);
	CHECK_INT(cstore_enroll(cs, pk, "test", &already, &d), 0);
	cstore_close(cs);
}

#define ALERTS_MAX 16384
static int collect_alert(void *ctx, int64_t wall, const char *kind, const char *device_hex, const char *detail)
{
	(void)wall;
	char *all = ctx; /* ALERTS_MAX bytes */
	size_t n = strlen(all);
	if (n < ALERTS_MAX)
		snprintf(all + n, ALERTS_MAX - n, "%s %s %s\n", kind, device_hex, detail);
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
	struct buf sealed[3];
	for (int i = 0; i < 3; i++) {
		buf_init(&sealed[i]);
		synctest_sealed(&r[i], &sealed[i], k.pk, (uint64_t)i + 1, i == 2, NULL, i == 2, NULL, dev_pk, dev_sk);
		know(&r[i]);
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
	enroll(dir, dev_pk);

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

	/* A good chunk with one altered record: that one is refused ("bad", its signature), the others stored. */
	struct buf altered;
	buf_init(&altered);
	buf_append(&altered, sealed[1].data, sealed[1].len);
	altered.data[9] ^= 4;
	struct sync_record x[3] = {r[0], r[1], r[2]};
	x[1].sealed = (const unsigned char *)altered.data;
	offer(&req, x, 3);
	/* The center answers for the content it received: record 2's altered hash. */
	struct sync_record x1 = x[1];
	crypt_hash(x1.hash, x1.sealed, x1.sealed_len);
	know(&x1);
	struct sync_receipts rs;
	exchange(s, &req, &rep, NULL, &rs);
	nknown--;
	CHECK_INT(rs.n, 3);
	CHECK(rs.r[0].status == SYNC_STORED && rs.r[1].status == SYNC_BAD && rs.r[2].status == SYNC_STORED);
	CHECK_INT(rs.r[1].reason, SYNC_WHY_SIGNATURE);
	CHECK_INT(rs.r[0].reason, SYNC_WHY_NONE);
	CHECK(!memcmp(rs.epoch, w.epoch, SYNC_EPOCH_LEN));
	uint64_t counter = rs.counter;
	CHECK(counter > 0);
	sync_receipts_finish(&rs);
	CHECK_INT(stored(dir), 2);
	CHECK(alerted(dir, "bad_record", dev_pk, "reason=bad_signature records=1"));

	/* Replayed chunk: re-acknowledged, nothing doubled. Then the genuine record 2 arrives. Counters go up. */
	offer(&req, r, 3);
	CHECK_INT(center_service_handle(s, req.data, req.len, &rep, &d), 0);
	exchange(s, &req, &rep, NULL, &rs);
	for (uint32_t i = 0; i < rs.n; i++)
		CHECK_INT(rs.r[i].status, SYNC_STORED);
	CHECK(rs.counter > counter);
	counter = rs.counter;
	sync_receipts_finish(&rs);
	CHECK_INT(stored(dir), 3);

	/* Same id, other content (signed by the kiosk itself: a bug or a tampered kiosk): conflict and an alert. */
	struct buf ob;
	buf_init(&ob);
	struct sync_record y;
	synctest_sealed(&y, &ob, k.pk, 9, 0, r[0].id, 0, NULL, dev_pk, dev_sk);
	memcpy(y.id, r[0].id, sizeof y.id);
	unsigned char sb[RECORD_SIGNED_LEN];
	record_signed_bytes(sb, dev_pk, y.id, y.seq, 0, y.hash);
	crypt_sign(y.sig, sb, sizeof sb, dev_sk);
	offer(&req, &y, 1);
	exchange(s, &req, &rep, &y, &rs);
	CHECK_INT(rs.r[0].status, SYNC_CONFLICT);
	CHECK_INT(rs.r[0].reason, SYNC_WHY_CONFLICT);
	sync_receipts_finish(&rs);
	CHECK_INT(stored(dir), 3);
	CHECK_INT(counts(dir).alerts, 2); /* the bad record and the conflict */
	CHECK(alerted(dir, "conflict", dev_pk, "seq=9"));

	/*
	 * Records the center cannot take though the kiosk signed them: sealed to
	 * another center (a kiosk re-provisioned away from its old center),
	 * sealed fine but saying another id or urgent flag inside than the
	 * signed outer ones, or not a request at all (a stolen kiosk key can
	 * make all of these). Each is "bad" with its reason, stored nowhere,
	 * and raised as an alert naming the kiosk; the good one beside them is
	 * stored.
	 */
	struct center_keys other;
	char *odir = t_tmpdir("service-other");
	CHECK_INT(center_init(odir, &other, &d), 0);
	struct sync_record z[6];
	struct buf zb[6];
	for (int i = 0; i < 6; i++)
		buf_init(&zb[i]);
	unsigned char foreign[SYNC_ID_LEN];
	memcpy(foreign, r[1].id, sizeof foreign); /* another request's id: the kind a stolen key would plant */
	synctest_sealed(&z[0], &zb[0], other.pk, 20, 0, NULL, 0, NULL, dev_pk, dev_sk);
	synctest_sealed(&z[1], &zb[1], k.pk, 21, 0, foreign, 0, NULL, dev_pk, dev_sk);
	synctest_sealed(&z[2], &zb[2], k.pk, 22, 0, NULL, 1, NULL, dev_pk, dev_sk); /* says urgent inside, not outside */
	synctest_sealed(&z[3], &zb[3], k.pk, 23, 1, NULL, 0, NULL, dev_pk, dev_sk); /* and the other way round */
	synctest_sealed(&z[4], &zb[4], k.pk, 24, 0, NULL, 0, "format = spean-request-1\nid = zz\n", dev_pk, dev_sk);
	synctest_sealed(&z[5], &zb[5], k.pk, 25, 1, NULL, 1, NULL, dev_pk, dev_sk);
	for (int i = 0; i < 6; i++)
		know(&z[i]);
	offer(&req, z, 6);
	exchange(s, &req, &rep, NULL, &rs);
	CHECK_INT(rs.n, 6);
	static const int want_why[6] = {SYNC_WHY_SEALED, SYNC_WHY_ID, SYNC_WHY_URGENT, SYNC_WHY_URGENT, SYNC_WHY_UNREADABLE,
					SYNC_WHY_NONE};
	for (int i = 0; i < 6; i++) {
		CHECK_INT(rs.r[i].status, i == 5 ? SYNC_STORED : SYNC_BAD);
		CHECK_INT(rs.r[i].reason, want_why[i]);
	}
	CHECK_STR(sync_reason_text(rs.r[0].reason), "sealed to another center");
	CHECK_STR(sync_reason_text(rs.r[1].reason), "id mismatch");
	CHECK_STR(sync_reason_text(rs.r[2].reason), "urgent mismatch");
	CHECK_STR(sync_reason_text(rs.r[4].reason), "unreadable");
	sync_receipts_finish(&rs);
	CHECK_INT(stored(dir), 4);
	CHECK(alerted(dir, "bad_record", dev_pk, "reason=sealed_to_another_center records=1"));
	CHECK(alerted(dir, "bad_record", dev_pk, "reason=id_mismatch records=1"));
	CHECK(alerted(dir, "bad_record", dev_pk, "reason=urgent_mismatch records=2"));
	CHECK(alerted(dir, "bad_record", dev_pk, "reason=unreadable records=1"));
	struct center_service_stats st;
	center_service_stats(s, &st);
	CHECK_INT(st.records_bad, 6);
	CHECK_INT(st.records_conflict, 1);

	/* A big chunk (both checking threads) with bad ones at odd and even places: each answered for itself. */
	enum { BIG = 300 };
	struct sync_record *big = xcalloc(BIG, sizeof *big);
	struct buf *bb = xcalloc(BIG, sizeof *bb);
	for (int i = 0; i < BIG; i++) {
		buf_init(&bb[i]);
		int bad = i % 7 == 3 || i % 11 == 0;
		synctest_sealed(&big[i], &bb[i], bad && i % 2 ? other.pk : k.pk, 100 + (uint64_t)i, i % 5 == 0, NULL,
				bad && !(i % 2) ? !(i % 5 == 0) : i % 5 == 0, NULL, dev_pk, dev_sk);
		know(&big[i]);
	}
	offer(&req, big, BIG);
	exchange(s, &req, &rep, NULL, &rs);
	CHECK_INT(rs.n, BIG);
	int nbad = 0;
	for (int i = 0; i < BIG; i++) {
		int bad = i % 7 == 3 || i % 11 == 0;
		nbad += bad;
		CHECK_INT(rs.r[i].reason, !bad ? SYNC_WHY_NONE : i % 2 ? SYNC_WHY_SEALED : SYNC_WHY_URGENT);
	}
	sync_receipts_finish(&rs);
	CHECK_INT(stored(dir), 4 + BIG - nbad);
	uint64_t before = stored(dir);

	/*
	 * Two kiosks, one id: another enrolled kiosk that learned this kiosk's
	 * pending id (from a shared stick) offers it first. Both are stored,
	 * the owner is never refused, and the alert names both kiosks.
	 */
	unsigned char b_pk[CRYPT_SIGN_PK], b_sk[CRYPT_SIGN_SK];
	crypt_sign_keypair(b_pk, b_sk);
	enroll(dir, b_pk);
	struct sync_record mine, theirs;
	struct buf mb, tb;
	buf_init(&mb);
	buf_init(&tb);
	synctest_sealed(&mine, &mb, k.pk, 500, 0, NULL, 0, NULL, dev_pk, dev_sk);
	synctest_sealed(&theirs, &tb, k.pk, 1, 0, mine.id, 0, NULL, b_pk, b_sk);
	memcpy(theirs.id, mine.id, SYNC_ID_LEN);
	record_signed_bytes(sb, b_pk, theirs.id, theirs.seq, 0, theirs.hash);
	crypt_sign(theirs.sig, sb, sizeof sb, b_sk);
	offer_from(&req, &theirs, 1, b_pk, b_sk);
	exchange(s, &req, &rep, &theirs, &rs);
	CHECK_INT(rs.r[0].status, SYNC_STORED);
	sync_receipts_finish(&rs);
	offer(&req, &mine, 1);
	exchange(s, &req, &rep, &mine, &rs);
	CHECK_INT(rs.r[0].status, SYNC_STORED); /* the owner is not shadowed */
	CHECK_INT(rs.r[0].reason, SYNC_WHY_NONE);
	sync_receipts_finish(&rs);
	CHECK_INT(stored(dir), before + 2);
	char bhex[2 * CRYPT_SIGN_PK + 1], want[64];
	hex_encode(b_pk, CRYPT_SIGN_PK, bhex);
	snprintf(want, sizeof want, "other_kiosk=%.16s", bhex);
	CHECK(alerted(dir, "id_collision", dev_pk, want));
	/* And again from either: re-acknowledged, nothing doubled, no new conflict. */
	offer(&req, &mine, 1);
	exchange(s, &req, &rep, &mine, &rs);
	CHECK_INT(rs.r[0].status, SYNC_STORED);
	sync_receipts_finish(&rs);
	offer_from(&req, &theirs, 1, b_pk, b_sk);
	exchange(s, &req, &rep, &theirs, &rs);
	CHECK_INT(rs.r[0].status, SYNC_STORED);
	counter = rs.counter;
	sync_receipts_finish(&rs);
	CHECK_INT(stored(dir), before + 2);
	center_service_stats(s, &st);
	CHECK_INT(st.records_collision, 1);

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
	{
		struct cstore *cs = NULL;
		CHECK_INT(cstore_open(dir, &cs, &d), 0);
		static char alerts[ALERTS_MAX];
		alerts[0] = '\0';
		CHECK_INT(cstore_each_alert(cs, collect_alert, alerts, &d), 0);
		cstore_close(cs);
		char line[256], hex[CRYPT_SIGN_PK * 2 + 1];
		for (int i = 0; i < CRYPT_SIGN_PK; i++)
			snprintf(hex + 2 * i, 3, "%02x", dev_pk[i]);
		snprintf(line, sizeof line, "pack_refused %s content pack 18446744073709551615 refused by the kiosk: version\n",
			 hex);
		CHECK(strstr(alerts, line) != NULL);
	}

	/*
	 * A restore from a backup: the database goes back, center.hw stays. The
	 * new epoch's receipts carry a counter above every one the newer
	 * database signed, so a kiosk can refuse those older receipts.
	 */
	center_service_close(s);
	char *db = fs_join(dir, CSTORE_DB_NAME), *bak = fs_join(dir, "backup.db");
	size_t n;
	char *copy = t_read(db, &n);
	FILE *f = fopen(bak, "wb");
	CHECK(copy && f && fwrite(copy, 1, n, f) == n);
	fclose(f);
	free(copy);
	CHECK_INT(center_service_open(dir, &s, &d), 0);
	for (int i = 0; i < 5; i++) {
		offer(&req, r, 3);
		exchange(s, &req, &rep, NULL, &rs);
		CHECK(rs.counter > counter);
		counter = rs.counter;
		sync_receipts_finish(&rs);
	}
	center_service_close(s);
	copy = t_read(bak, &n);
	f = fopen(db, "wb");
	CHECK(copy && f && fwrite(copy, 1, n, f) == n);
	fclose(f);
	free(copy);
	CHECK_INT(center_service_open(dir, &s, &d), 0);
	offer(&req, r, 3);
	exchange(s, &req, &rep, NULL, &rs);
	CHECK(memcmp(rs.epoch, w.epoch, SYNC_EPOCH_LEN) != 0); /* a new epoch */
	CHECK(rs.counter > counter);
	sync_receipts_finish(&rs);
	center_service_close(s);

	for (int i = 0; i < BIG; i++)
		buf_finish(&bb[i]);
	free(big);
	free(bb);
	for (int i = 0; i < 6; i++)
		buf_finish(&zb[i]);
	for (int i = 0; i < 3; i++)
		buf_finish(&sealed[i]);
	buf_finish(&altered);
	buf_finish(&ob);
	buf_finish(&mb);
	buf_finish(&tb);
	buf_finish(&req);
	buf_finish(&rep);
	free(db);
	free(bak);
	center_keys_wipe(&k);
	center_keys_wipe(&other);
	t_rmtree(dir);
	t_rmtree(odir);
	free(dir);
	free(odir);
	return t_done("sync_service_test");
}

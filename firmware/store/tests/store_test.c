/* Tests for store: schema, durability settings, idempotent puts, conflicts, audit, damage handling. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"
#include "testlib.h"

static void fill(struct store_request *r, unsigned char tag, const unsigned char *sealed, size_t n)
{
	memset(r, 0, sizeof *r);
	memset(r->id, tag, sizeof r->id);
	memset(r->hash, tag, sizeof r->hash);
	r->sealed = sealed;
	r->sealed_len = n;
}

static void sign(void *ctx, struct store_request *r)
{
	(*(int *)ctx)++;
	memset(r->sig, (int)r->seq, sizeof r->sig);
}

static int count_rows(void *ctx, const struct store_request *r)
{
	(void)r;
	(*(int *)ctx)++;
	return 0;
}

static int find_event(void *ctx, int64_t n, int64_t wall, const char *event, const char *detail)
{
	(void)n;
	(void)wall;
	(void)detail;
	return !strcmp(event, (const char *)ctx);
}

static struct store_counts counts(struct store *st)
{
	struct store_counts n = {0, 0, 0};
	struct diag d = {""};
	CHECK_INT(store_count(st, &n, &d), 0);
	return n;
}

static struct store_receipt rcpt(const struct store_request *r, int refused)
{
	struct store_receipt x;
	memset(&x, 0, sizeof x);
	memcpy(x.id, r->id, STORE_ID_LEN);
	memcpy(x.hash, r->hash, STORE_HASH_LEN);
	x.refused = refused;
	return x;
}

/*
 * Receipts: stored ones deliver, refused ones stay held with the center's
 * reason and are never purged; an older counter from the same center is
 * refused whole (a replayed receipts file), from another center it is its
 * own; a new epoch re-offers only what that center delivered; held requests
 * are counted by the center key they are sealed to.
 */
static void test_receipts(void)
{
	char *dir = t_tmpdir("store-rcpt");
	struct store *st;
	struct diag d = {""};
	CHECK_INT(store_open(dir, 0, &st, &d), 0);
	unsigned char key_a[STORE_HASH_LEN], key_b[STORE_HASH_LEN], cen_a[STORE_HASH_LEN], cen_b[STORE_HASH_LEN];
	unsigned char e1[STORE_EPOCH_LEN], e2[STORE_EPOCH_LEN], eb[STORE_EPOCH_LEN];
	memset(key_a, 0xa1, sizeof key_a);
	memset(key_b, 0xb1, sizeof key_b);
	memset(cen_a, 0xa2, sizeof cen_a);
	memset(cen_b, 0xb2, sizeof cen_b);
	memset(e1, 1, sizeof e1);
	memset(e2, 2, sizeof e2);
	memset(eb, 0xb, sizeof eb);
	const unsigned char blob[] = "sealed";
	struct store_request r[4];
	int signs = 0;
	for (int i = 0; i < 4; i++) {
		fill(&r[i], (unsigned char)(0x40 + i), blob, sizeof blob);
		r[i].center_key = i < 3 ? key_a : NULL; /* the 4th: stored before keys were recorded */
		CHECK_INT(store_put_request(st, &r[i], sign, &signs, &d), 0);
	}
	uint64_t n, re, marked;
	CHECK_INT(store_count_held_other_key(st, key_a, key_a, &n, &d), 0);
	CHECK_INT(n, 0);
	CHECK_INT(store_count_held_other_key(st, key_b, key_a, &n, &d), 0);
	CHECK_INT(n, 4);
	CHECK_INT(store_count_held_other_key(st, key_a, NULL, &n, &d), 0);
	CHECK_INT(n, 1); /* an unknown key is not assumed to be this one */

	/* Center A, epoch 1, counter 10: r0 stored, r1 refused (sealed to another center: 2), r2 conflict (6). */
	struct store_receipt x[3] = {rcpt(&r[0], 0), rcpt(&r[1], 2), rcpt(&r[2], 6)};
	CHECK_INT(store_apply_receipts(st, cen_a, 10, e1, x, 3, &re, &marked, &d), 0);
	CHECK_INT(marked, 1);
	struct store_counts c = counts(st);
	CHECK(c.held == 3 && c.delivered == 1);
	uint64_t by[STORE_REASONS], total;
	CHECK_INT(store_count_refused(st, by, &total, &d), 0);
	CHECK(total == 2 && by[2] == 1 && by[6] == 1);
	/* Refused requests are never purged, whatever the retention. */
	uint64_t purged;
	for (int i = 0; i < 3; i++)
		CHECK_INT(store_sync_finish(st, 1, &purged, &d), 0);
	c = counts(st);
	CHECK(c.held == 3 && c.delivered == 0);

	/* An older counter from the same center: refused whole, nothing changes (not even the epoch). */
	struct store_receipt y = rcpt(&r[1], 0);
	CHECK_INT(store_apply_receipts(st, cen_a, 9, e2, &y, 1, &re, &marked, &d), ERR_REFUSED);
	CHECK(strstr(d.msg, "older than") != NULL);
	unsigned char got[STORE_EPOCH_LEN];
	int have;
	CHECK_INT(store_get_epoch(st, got, &have, &d), 0);
	CHECK(have && !memcmp(got, e1, sizeof e1));
	CHECK_INT(counts(st).held, 3);
	/* The same counter again is fine (the same file applied twice), and a later receipt delivers and clears the refusal. */
	CHECK_INT(store_apply_receipts(st, cen_a, 10, e1, &y, 1, &re, &marked, &d), 0);
	CHECK_INT(marked, 1);
	CHECK_INT(store_count_refused(st, by, &total, &d), 0);
	CHECK(total == 1 && by[6] == 1);

	/* Another center has its own counter: a low one from B is not "older". B delivers r3. */
	struct store_receipt z = rcpt(&r[3], 0);
	CHECK_INT(store_apply_receipts(st, cen_b, 2, eb, &z, 1, &re, &marked, &d), 0);
	CHECK_INT(marked, 1);
	/* A's new epoch (restored from a backup) re-offers what A delivered (r1; r0 was purged), never what B holds (r3). */
	struct store_receipt none = rcpt(&r[2], 6);
	CHECK_INT(store_apply_receipts(st, cen_a, 11, e2, &none, 1, &re, &marked, &d), 0);
	CHECK_INT(re, 1);
	c = counts(st);
	CHECK(c.held == 2 && c.delivered == 1);
	store_close(st);
	t_rmtree(dir);
	free(dir);
}

int main(void)
{
	test_receipts();
	char *dir = t_tmpdir("store");
	struct store *st;
	struct diag d = {""};
	CHECK_INT(store_open(dir, STORE_NO_CREATE, &st, &d), ERR_NOTFOUND);
	CHECK_INT(store_open(dir, STORE_CHECK_FULL, &st, &d), 0);
	const unsigned char blob[] = "sealed-bytes";
	struct store_request r;
	int signs = 0;
	fill(&r, 1, blob, sizeof blob);
	CHECK_INT(store_put_request(st, &r, sign, &signs, &d), 0);
	CHECK_INT(r.seq, 1);
	fill(&r, 2, blob, sizeof blob);
	r.urgent = 1;
	CHECK_INT(store_put_request(st, &r, sign, &signs, &d), 0);
	CHECK_INT(r.seq, 2);
	CHECK_INT(signs, 2);
	/* Same id + same hash: acknowledged again, not duplicated, not re-signed. */
	fill(&r, 1, blob, sizeof blob);
	CHECK_INT(store_put_request(st, &r, sign, &signs, &d), 0);
	CHECK_INT(r.seq, 1);
	CHECK_INT(signs, 2);
	/* Same id + other hash: conflict. */
	fill(&r, 1, blob, sizeof blob);
	r.hash[0] ^= 0xff;
	CHECK_INT(store_put_request(st, &r, sign, &signs, &d), ERR_CONFLICT);
	struct store_counts n;
	CHECK_INT(store_count(st, &n, &d), 0);
	CHECK_INT(n.held, 2);
	CHECK_INT(n.delivered, 0);
	int rows = 0;
	CHECK_INT(store_each_request(st, count_rows, &rows, &d), 0);
	CHECK_INT(rows, 2);
	CHECK_INT(store_each_audit(st, find_event, (void *)"db_created", &d), 1);
	CHECK_INT(store_each_audit(st, find_event, (void *)"request_added", &d), 1);
	CHECK_INT(store_check(st, &d), 0);
	store_close(st);

	/* WAL mode and file permissions persist. */
	char *db = malloc(strlen(dir) + 16);
	sprintf(db, "%s/spean.db", dir);
	struct stat sb;
	CHECK(stat(db, &sb) == 0 && (sb.st_mode & 077) == 0);
	size_t len;
	char *raw = t_read(db, &len);
	CHECK(raw && len > 100 && raw[18] == 2 && raw[19] == 2); /* header bytes 18/19 = 2: WAL */
	free(raw);

	/* Reopen: seq continues, nothing lost. */
	CHECK_INT(store_open(dir, 0, &st, &d), 0);
	fill(&r, 3, blob, sizeof blob);
	CHECK_INT(store_put_request(st, &r, sign, &signs, &d), 0);
	CHECK_INT(r.seq, 3);
	store_close(st);

	/* A damaged database is moved aside, reported, and not silently recreated. */
	FILE *f = fopen(db, "r+b");
	fseek(f, 0, SEEK_SET);
	fwrite("this is not sqlite at all......", 1, 31, f);
	fclose(f);
	CHECK_INT(store_open(dir, 0, &st, &d), ERR_DAMAGED);
	CHECK(strstr(d.msg, "damaged") && strstr(d.msg, "/damaged/spean-0.db"));
	char *kept = malloc(strlen(dir) + 32);
	sprintf(kept, "%s/damaged/spean-0.db", dir);
	CHECK(access(kept, F_OK) == 0);
	CHECK(access(db, F_OK) != 0);
	/* The next open makes a fresh database and records the earlier damage. */
	CHECK_INT(store_open(dir, 0, &st, &d), 0);
	CHECK_INT(store_count(st, &n, &d), 0);
	CHECK_INT(n.held, 0);
	CHECK_INT(store_each_audit(st, find_event, (void *)"db_created", &d), 1);
	store_close(st);

	/* Damage deep in the file (not the header) is found by the full check. */
	CHECK_INT(store_open(dir, 0, &st, &d), 0);
	unsigned char big[3000];
	memset(big, 0x5a, sizeof big);
	for (int i = 0; i < 200; i++) {
		fill(&r, (unsigned char)(10 + i), big, sizeof big);
		r.id[0] = (unsigned char)i;
		r.id[1] = (unsigned char)(i >> 8);
		CHECK_INT(store_put_request(st, &r, sign, &signs, &d), 0);
	}
	store_close(st);
	/* Checkpoint so the pages are in the main file, then corrupt an interior page. */
	CHECK_INT(store_open(dir, 0, &st, &d), 0);
	store_close(st);
	f = fopen(db, "r+b");
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	for (long off = 4096 * 3; off < size; off += 4096 * 7) {
		fseek(f, off, SEEK_SET);
		fwrite("\xff\xff\xff\xff\xff\xff\xff\xff", 1, 8, f);
	}
	fclose(f);
	int rc = store_open(dir, STORE_CHECK_FULL, &st, &d);
	CHECK_INT(rc, ERR_DAMAGED);
	if (rc == 0)
		store_close(st);
	sprintf(kept, "%s/damaged/spean-1.db", dir);
	CHECK(access(kept, F_OK) == 0);

	free(kept);
	free(db);
	t_rmtree(dir);
	free(dir);
	return t_done("store_test");
}

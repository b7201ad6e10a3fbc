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

int main(void)
{
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

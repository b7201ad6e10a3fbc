/*
 * Tests for cstore (the center's database): a database of the schema before
 * versions migrates (user_version 2) keeping every request; requests are
 * keyed by (kiosk, id): the same id from another kiosk is stored with an
 * alert naming both, the same kiosk's id with other content is a conflict;
 * the receipts counter only goes up, across a restore from a backup, and
 * across a backup restored without its center.hw.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cstore.h"
#include "fs.h"
#include "kv.h"
#include "testlib.h"

/* The schema as a center made it before versions (request ids unique across the whole center). */
static const char *const legacy =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE devices(pk BLOB PRIMARY KEY CHECK(length(pk) = 32), label TEXT NOT NULL, enrolled INTEGER NOT NULL)"
	" WITHOUT ROWID;"
	"CREATE TABLE requests(n INTEGER PRIMARY KEY AUTOINCREMENT, id BLOB NOT NULL UNIQUE CHECK(length(id) = 16),"
	" device BLOB NOT NULL REFERENCES devices(pk), seq INTEGER NOT NULL, urgent INTEGER NOT NULL CHECK(urgent IN (0, 1)),"
	" hash BLOB NOT NULL CHECK(length(hash) = 32), sealed BLOB NOT NULL, sig BLOB NOT NULL CHECK(length(sig) = 64),"
	" received INTEGER NOT NULL);"
	"CREATE TABLE alerts(n INTEGER PRIMARY KEY AUTOINCREMENT, wall INTEGER NOT NULL, kind TEXT NOT NULL, device BLOB,"
	" id BLOB, detail TEXT NOT NULL);"
	"CREATE TRIGGER requests_kept BEFORE DELETE ON requests BEGIN SELECT RAISE(ABORT, 'received requests are kept'); END;"
	"CREATE TRIGGER requests_immutable BEFORE UPDATE ON requests"
	" BEGIN SELECT RAISE(ABORT, 'received requests are immutable'); END;"
	"INSERT INTO devices VALUES(zeroblob(32), 'a', 1);"
	"INSERT INTO meta VALUES('epoch', x'0102030405060708090a0b0c0d0e0f10');"
	"INSERT INTO meta VALUES('commits', x'0500000000000000');"
	"INSERT INTO requests(n, id, device, seq, urgent, hash, sealed, sig, received) VALUES"
	" (7, x'11111111111111111111111111111111', zeroblob(32), 1, 0, zeroblob(32), x'aa', zeroblob(64), 1),"
	" (9, x'22222222222222222222222222222222', zeroblob(32), 2, 1, zeroblob(32), x'bb', zeroblob(64), 2);";

struct fleet {
	int n, revoked, battery;
	char program[40];
	uint32_t held;
	uint64_t hellos, requests;
	int64_t last_contact;
	char label[64];
};

static int on_kiosk(void *ctx, const struct cstore_kiosk *k)
{
	struct fleet *f = ctx;
	f->n++;
	f->held = k->held;
	f->hellos = k->hellos;
	f->requests = k->requests;
	f->last_contact = k->last_contact;
	f->revoked = k->revoked;
	f->battery = k->facts.battery;
	snprintf(f->program, sizeof f->program, "%s", k->facts.program ? k->facts.program : "");
	snprintf(f->label, sizeof f->label, "%s", k->label);
	return 0;
}

static int user_version(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int v = -1;
	if (sqlite3_open(path, &db) == SQLITE_OK && sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return v;
}

struct seen {
	int n;
	uint64_t first_n;
	char kinds[512];
};

static int on_request(void *ctx, const struct cstore_request *r)
{
	struct seen *s = ctx;
	if (!s->n++)
		s->first_n = r->n;
	return 0;
}

static int on_alert(void *ctx, int64_t wall, const char *kind, const char *device_hex, const char *detail)
{
	(void)wall;
	struct seen *s = ctx;
	size_t at = strlen(s->kinds);
	snprintf(s->kinds + at, sizeof s->kinds - at, "%s %.16s %s\n", kind, device_hex, detail);
	return 0;
}

static void copy_file(const char *from, const char *to)
{
	size_t n;
	char *b = t_read(from, &n);
	FILE *f = fopen(to, "wb");
	CHECK(b && f && fwrite(b, 1, n, f) == n);
	if (f)
		fclose(f);
	free(b);
}

int main(void)
{
	char *dir = t_tmpdir("cstore");
	char *db = fs_join(dir, CSTORE_DB_NAME), *hw = fs_join(dir, CSTORE_HW_NAME), *bak = fs_join(dir, "backup.db");
	sqlite3 *raw;
	CHECK_INT(sqlite3_open(db, &raw), SQLITE_OK);
	CHECK_INT(sqlite3_exec(raw, legacy, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	t_write(hw, "0102030405060708090a0b0c0d0e0f10 5\n");

	/* The old database migrates: both requests kept with their arrival numbers, the same epoch. */
	struct cstore *cs;
	struct diag d = {""};
	CHECK_INT(cstore_open(dir, &cs, &d), 0);
	CHECK_INT(cstore_restored(cs), 0);
	unsigned char e[STORE_EPOCH_LEN];
	cstore_epoch(cs, e);
	CHECK_INT(e[0], 1);
	struct seen s;
	memset(&s, 0, sizeof s);
	CHECK_INT(cstore_each(cs, on_request, &s, &d), 0);
	CHECK_INT(s.n, 2);
	CHECK_INT(s.first_n, 7);
	cstore_close(cs);
	CHECK_INT(user_version(db), 3);
	/* Opening again changes nothing (no second migration). */
	CHECK_INT(cstore_open(dir, &cs, &d), 0);

	/* The fleet (v3): contacts kept without a delivery, a rename, a revoked kiosk still enrolled but marked. */
	{
		unsigned char z[CSTORE_PK_LEN] = {0}, none[CSTORE_PK_LEN];
		memset(none, 0x77, sizeof none);
		CHECK_INT(cstore_is_enrolled(cs, z, &d), 1);
		struct cstore_facts f4 = {0, 4, 0, 0, UINT32_MAX, -1, 0, ""}, f3 = {1, 3, 1, 7, 900, 55, 1700000000, "0.1.0"};
		CHECK_INT(cstore_contact(cs, z, &f4, &d), 0);
		CHECK_INT(cstore_contact(cs, z, &f3, &d), 0);
		struct fleet f = {0};
		CHECK_INT(cstore_each_kiosk(cs, on_kiosk, &f, &d), 0);
		CHECK_INT(f.n, 1);
		CHECK_INT((int)f.held, 3);
		CHECK_INT((int)f.hellos, 2);
		CHECK_INT((int)f.requests, 2);
		CHECK(f.last_contact > 0);
		CHECK_INT(f.battery, 55);
		CHECK_STR(f.program, "0.1.0");
		CHECK_INT(cstore_kiosk_rename(cs, z, "Long Đức 2", &d), 0);
		CHECK_INT(cstore_kiosk_rename(cs, none, "x", &d), ERR_NOTFOUND);
		CHECK_INT(cstore_kiosk_revoke(cs, z, &d), 0);
		CHECK_INT(cstore_kiosk_revoke(cs, z, &d), ERR_NOTFOUND);
		CHECK_INT(cstore_is_enrolled(cs, z, &d), 2);
		memset(&f, 0, sizeof f);
		CHECK_INT(cstore_each_kiosk(cs, on_kiosk, &f, &d), 0);
		CHECK_STR(f.label, "Long Đức 2");
		CHECK_INT(f.revoked, 1);
	}

	/* Kiosk B offers kiosk A's id first... then A's own new request and a conflicting one of A. */
	unsigned char a[CSTORE_PK_LEN] = {0}, b[CSTORE_PK_LEN];
	memset(b, 0xbb, sizeof b);
	int already;
	CHECK_INT(cstore_enroll(cs, b, "b", &already, &d), 0);
	unsigned char id1[STORE_ID_LEN], id3[STORE_ID_LEN], h0[STORE_HASH_LEN] = {0}, h1[STORE_HASH_LEN], sig[STORE_SIG_LEN] = {0};
	memset(id1, 0x11, sizeof id1);
	memset(id3, 0x33, sizeof id3);
	memset(h1, 0x99, sizeof h1);
	const unsigned char sealed[] = "x";
	struct cstore_in in = {id1, h1, sig, sealed, 1, 5, 0, -1, -1};
	size_t added;
	uint64_t c0 = cstore_counter(cs);
	CHECK_INT(cstore_receive(cs, b, &in, 1, &added, &d), 0);
	CHECK(added == 1 && in.status == 0 && in.collision == 1);
	CHECK(cstore_counter(cs) > c0);
	/* The owner is never refused for it: its own id3 is new, its id1 (same content as before) is stored. */
	struct cstore_in own[2] = {{id3, h0, sig, sealed, 1, 3, 0, -1, -1}, {id1, h0, sig, sealed, 1, 1, 0, -1, -1}};
	CHECK_INT(cstore_receive(cs, a, own, 2, &added, &d), 0);
	CHECK(added == 1 && own[0].status == 0 && own[1].status == 0 && own[0].collision == 0);
	/* The same kiosk's id with other content: a conflict, the first kept. */
	struct cstore_in other = {id1, h1, sig, sealed, 1, 1, 0, -1, -1};
	CHECK_INT(cstore_receive(cs, a, &other, 1, &added, &d), 0);
	CHECK(added == 0 && other.status == 1);
	struct cstore_counts c;
	CHECK_INT(cstore_count(cs, &c, &d), 0);
	CHECK_INT(c.requests, 4);
	memset(&s, 0, sizeof s);
	CHECK_INT(cstore_each_alert(cs, on_alert, &s, &d), 0);
	CHECK(strstr(s.kinds, "id_collision bbbbbbbbbbbbbbbb seq=5 other_kiosk=0000000000000000") != NULL);
	CHECK(strstr(s.kinds, "conflict 0000000000000000 seq=1") != NULL);
	cstore_close(cs);

	/* A restore from a backup (center.hw kept): a new epoch whose counter is above every earlier one. */
	copy_file(db, bak);
	CHECK_INT(cstore_open(dir, &cs, &d), 0);
	for (int i = 0; i < 3; i++)
		CHECK_INT(cstore_alert(cs, "test", NULL, NULL, "x", &d), 0);
	uint64_t high = cstore_counter(cs);
	cstore_close(cs);
	copy_file(bak, db);
	CHECK_INT(cstore_open(dir, &cs, &d), 0);
	CHECK_INT(cstore_restored(cs), 1);
	CHECK(cstore_counter(cs) > high);
	high = cstore_counter(cs);
	cstore_close(cs);
	/* The backup restored without its center.hw (the whole office PC restored): still above, by the office clock. */
	copy_file(db, bak);
	CHECK_INT(cstore_open(dir, &cs, &d), 0);
	CHECK_INT(cstore_alert(cs, "test", NULL, NULL, "x", &d), 0);
	high = cstore_counter(cs);
	cstore_close(cs);
	copy_file(bak, db);
	CHECK(remove(hw) == 0);
	CHECK_INT(cstore_open(dir, &cs, &d), 0);
	CHECK_INT(cstore_restored(cs), 1);
	CHECK(cstore_counter(cs) > high);
	cstore_close(cs);

	free(db);
	free(hw);
	free(bak);
	t_rmtree(dir);
	free(dir);
	return t_done("cstore_test");
}

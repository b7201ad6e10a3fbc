#define LOG_MODULE "cstore"
/*
 * store/cstore: the center's database. Same rules as the kiosk's store:
 * WAL with synchronous=FULL, nothing acknowledged before the commit is on
 * disk. The epoch check compares the database's commit count with the
 * high-water mark in center.hw, which is rewritten (atomically) after every
 * commit: a database behind its own high-water mark is an older copy.
 */
#include "cstore.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "crypt.h"
#include "fs.h"
#include "kv.h"
#include "log.h"
#include "mem.h"
#include "protocol_status.h"
#include "sql.h"

struct cstore {
	sqlite3 *db;
	char *dir, *path;
	unsigned char epoch[STORE_EPOCH_LEN];
	uint64_t commits, pending;
	int restored;
	sqlite3_stmt *find, *other, *insert, *alert;
};

/* v1: the schema before versions (a database made then has it already: IF NOT EXISTS). */
static const char *const schema_v1 =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS devices("
	" pk BLOB PRIMARY KEY CHECK(length(pk) = 32),"
	" label TEXT NOT NULL,"
	" enrolled INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS requests("
	" n INTEGER PRIMARY KEY AUTOINCREMENT,"
	" id BLOB NOT NULL UNIQUE CHECK(length(id) = 16),"
	" device BLOB NOT NULL REFERENCES devices(pk),"
	" seq INTEGER NOT NULL,"
	" urgent INTEGER NOT NULL CHECK(urgent IN (0, 1)),"
	" hash BLOB NOT NULL CHECK(length(hash) = 32),"
	" sealed BLOB NOT NULL,"
	" sig BLOB NOT NULL CHECK(length(sig) = 64),"
	" received INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS alerts("
	" n INTEGER PRIMARY KEY AUTOINCREMENT,"
	" wall INTEGER NOT NULL,"
	" kind TEXT NOT NULL,"
	" device BLOB,"
	" id BLOB,"
	" detail TEXT NOT NULL);"
	"CREATE TRIGGER IF NOT EXISTS requests_kept BEFORE DELETE ON requests"
	" BEGIN SELECT RAISE(ABORT, 'received requests are kept'); END;"
	"CREATE TRIGGER IF NOT EXISTS requests_immutable BEFORE UPDATE ON requests"
	" BEGIN SELECT RAISE(ABORT, 'received requests are immutable'); END;";

/*
 * v2: requests are keyed by (kiosk, id), so one kiosk can never block or
 * shadow another's requests by offering their ids first. SQLite cannot drop
 * a UNIQUE constraint: the table is rebuilt, keeping every row and its
 * arrival number n. The triggers go first (DROP TABLE must not meet them).
 */
static const char *const schema_v2 =
	"DROP TRIGGER requests_kept;"
	"DROP TRIGGER requests_immutable;"
	"CREATE TABLE requests_v2("
	" n INTEGER PRIMARY KEY AUTOINCREMENT,"
	" id BLOB NOT NULL CHECK(length(id) = 16),"
	" device BLOB NOT NULL REFERENCES devices(pk),"
	" seq INTEGER NOT NULL,"
	" urgent INTEGER NOT NULL CHECK(urgent IN (0, 1)),"
	" hash BLOB NOT NULL CHECK(length(hash) = 32),"
	" sealed BLOB NOT NULL,"
	" sig BLOB NOT NULL CHECK(length(sig) = 64),"
	" received INTEGER NOT NULL,"
	" UNIQUE(device, id));"
	"INSERT INTO requests_v2(n, id, device, seq, urgent, hash, sealed, sig, received)"
	" SELECT n, id, device, seq, urgent, hash, sealed, sig, received FROM requests ORDER BY n;"
	"DROP TABLE requests;"
	"ALTER TABLE requests_v2 RENAME TO requests;"
	"CREATE INDEX requests_id ON requests(id);"
	"CREATE TRIGGER requests_kept BEFORE DELETE ON requests"
	" BEGIN SELECT RAISE(ABORT, 'received requests are kept'); END;"
	"CREATE TRIGGER requests_immutable BEFORE UPDATE ON requests"
	" BEGIN SELECT RAISE(ABORT, 'received requests are immutable'); END;";

/*
 * v3: the fleet. A kiosk can be revoked (kept, its later offers refused with an alert), and its last
 * contact is kept even when it had nothing to deliver (the office sees which kiosk went quiet).
 */
static const char *const schema_v3 =
	"ALTER TABLE devices ADD COLUMN revoked INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE contacts("
	" device BLOB PRIMARY KEY REFERENCES devices(pk),"
	" last INTEGER NOT NULL,"
	" held INTEGER NOT NULL,"
	" hellos INTEGER NOT NULL,"
	" facts INTEGER NOT NULL DEFAULT 0,"     /* 1: the kiosk told what follows (hello extension 2) */
	" urgent_held INTEGER NOT NULL DEFAULT 0,"
	" pack INTEGER NOT NULL DEFAULT 0,"
	" free_mib INTEGER NOT NULL DEFAULT -1,"
	" battery INTEGER NOT NULL DEFAULT -1,"
	" clock INTEGER NOT NULL DEFAULT 0,"
	" program TEXT NOT NULL DEFAULT '') WITHOUT ROWID;";

/* Migrations by user_version: entry i moves the schema from version i to i+1. */
static const char *const migrations[] = {schema_v1, schema_v2, schema_v3};
#define NMIGRATIONS (int)(sizeof migrations / sizeof migrations[0])

static int fail(struct cstore *cs, int rc, const char *what, struct diag *d)
{
	int code = (rc & 0xff) == SQLITE_FULL ? ERR_NOSPACE
		   : ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB) ? ERR_DAMAGED
										     : ERR_IO;
	diag_set(d, "%s: %s (%s)", cs->path, what, sqlite3_errstr(rc));
	log_error("db_error op=%s sqlite=%d", what, rc);
	return code;
}

static int meta_blob(struct cstore *cs, const char *key, void *out, size_t n, int *have)
{
	sqlite3_stmt *s;
	*have = 0;
	int rc = sqlite3_prepare_v2(cs->db, "SELECT value FROM meta WHERE key = ?1", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && (size_t)sqlite3_column_bytes(s, 0) == n) {
		memcpy(out, sqlite3_column_blob(s, 0), n);
		*have = 1;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int meta_set(struct cstore *cs, const char *key, const void *v, size_t n)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(cs->db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, v, (int)n, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void u64_le(unsigned char b[8], uint64_t v)
{
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t le_u64(const unsigned char b[8])
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

/* center.hw: "EPOCHHEX COMMITS\n", rewritten atomically after each commit. */
static int hw_write(struct cstore *cs, struct diag *d)
{
	char hex[2 * STORE_EPOCH_LEN + 1], line[96];
	hex_encode(cs->epoch, STORE_EPOCH_LEN, hex);
	int n = snprintf(line, sizeof line, "%s %llu\n", hex, (unsigned long long)cs->commits);
	char *p = fs_join(cs->dir, CSTORE_HW_NAME);
	int rc = fs_write_durable(p, line, (size_t)n, 0600, d);
	free(p);
	return rc;
}

static int hw_read(struct cstore *cs, unsigned char epoch[STORE_EPOCH_LEN], uint64_t *commits)
{
	char *p = fs_join(cs->dir, CSTORE_HW_NAME);
	struct buf b;
	struct diag d;
	buf_init(&b);
	int ok = fs_read_file(p, 256, &b, &d) == 0 && b.len > 2 * STORE_EPOCH_LEN + 1 && b.data[2 * STORE_EPOCH_LEN] == ' ' &&
		 hex_decode(b.data, 2 * STORE_EPOCH_LEN, epoch, STORE_EPOCH_LEN) == 0;
	if (ok) {
		char *end;
		unsigned long long c = strtoull(b.data + 2 * STORE_EPOCH_LEN + 1, &end, 10);
		ok = *end == '\n';
		*commits = c;
	}
	buf_finish(&b);
	free(p);
	return ok;
}

/*
 * Inside a transaction: count one more commit (read from the database:
 * another process may have written), never below floor. The count is the
 * receipts counter too (cstore_counter), so it must only go up.
 */
static int bump_from(struct cstore *cs, uint64_t floor)
{
	unsigned char b[8];
	int have;
	int rc = meta_blob(cs, "commits", b, sizeof b, &have);
	if (rc != SQLITE_OK)
		return rc;
	uint64_t c = have ? le_u64(b) : 0;
	cs->pending = (c > floor ? c : floor) + 1;
	u64_le(b, cs->pending);
	return meta_set(cs, "commits", b, sizeof b);
}

static int bump(struct cstore *cs)
{
	return bump_from(cs, 0);
}

static int commit(struct cstore *cs, struct diag *d)
{
	int rc = sqlite3_exec(cs->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_exec(cs->db, "ROLLBACK", NULL, NULL, NULL);
		return fail(cs, rc, "commit failed", d);
	}
	cs->commits = cs->pending;
	/* The high-water mark follows the commit; a crash between them only leaves it one behind (harmless). */
	return hw_write(cs, d);
}

static void rollback(struct cstore *cs)
{
	if (!sqlite3_get_autocommit(cs->db))
		sqlite3_exec(cs->db, "ROLLBACK", NULL, NULL, NULL);
}

/*
 * A new epoch's counter starts above everything an older epoch can have
 * signed: above the high-water mark (a database restored from a backup is
 * behind it), and above the office clock in 2^-20 s units (should center.hw
 * be lost with the database, a backup's counter is still below it).
 */
static int new_epoch(struct cstore *cs, const char *why, uint64_t hw_commits, struct diag *d)
{
	crypt_random(cs->epoch, sizeof cs->epoch);
	int64_t now = clock_wall_seconds();
	uint64_t floor = now > 0 ? (uint64_t)now << 20 : 0;
	if (hw_commits > floor)
		floor = hw_commits;
	int rc = sqlite3_exec(cs->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = meta_set(cs, "epoch", cs->epoch, sizeof cs->epoch);
	if (rc == SQLITE_OK)
		rc = bump_from(cs, floor);
	if (rc != SQLITE_OK) {
		rollback(cs);
		return fail(cs, rc, "cannot start an epoch", d);
	}
	char hex[2 * STORE_EPOCH_LEN + 1];
	hex_encode(cs->epoch, STORE_EPOCH_LEN, hex);
	if (strcmp(why, "created"))
		log_warn("new_epoch epoch=%s why=%s", hex, why);
	else
		log_info("new_epoch epoch=%s why=created", hex);
	int r = commit(cs, d);
	if (!r && strcmp(why, "created"))
		r = cstore_alert(cs, "new_epoch", NULL, NULL, why, d);
	return r;
}

/* Each step in its own transaction with the new user_version, counted as a commit (the high-water mark follows). */
static int migrate(struct cstore *cs, struct diag *d)
{
	int v = 0, rc = sql_user_version(cs->db, &v);
	if (rc != SQLITE_OK)
		return fail(cs, rc, "cannot read the schema version", d);
	if (v > NMIGRATIONS) {
		diag_set(d, "%s: made by a newer Spean (schema %d, this one knows %d)", cs->path, v, NMIGRATIONS);
		return ERR_STATE;
	}
	for (; v < NMIGRATIONS; v++) {
		char sql[64];
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		rc = sqlite3_exec(cs->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(cs->db, migrations[v], NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(cs->db, sql, NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(cs->db, "COMMIT", NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			rollback(cs);
			return fail(cs, rc, "cannot migrate the schema", d);
		}
		if (v > 0)
			log_info("schema_migrated to=%d", v + 1);
	}
	return 0;
}

int cstore_open(const char *dir, struct cstore **out, struct diag *d)
{
	struct cstore *cs = xcalloc(1, sizeof *cs);
	*out = NULL;
	cs->dir = xstrdup(dir);
	cs->path = fs_join(dir, CSTORE_DB_NAME);
	crypt_init();
	int rc = sqlite3_open_v2(cs->path, &cs->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK) {
		chmod(cs->path, 0600);
		sqlite3_extended_result_codes(cs->db, 1);
		sqlite3_busy_timeout(cs->db, 10000);
		rc = sqlite3_exec(cs->db,
				  "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA temp_store=MEMORY;"
				  "PRAGMA foreign_keys=ON; PRAGMA cell_size_check=ON;",
				  NULL, NULL, NULL);
	}
	if (rc != SQLITE_OK) {
		int code = fail(cs, rc, "cannot open", d);
		cstore_close(cs);
		return code;
	}
	if ((rc = migrate(cs, d))) {
		cstore_close(cs);
		return rc;
	}
	int have_epoch = 0, have_commits = 0;
	unsigned char cb[8];
	if (rc == SQLITE_OK)
		rc = meta_blob(cs, "epoch", cs->epoch, sizeof cs->epoch, &have_epoch);
	if (rc == SQLITE_OK)
		rc = meta_blob(cs, "commits", cb, sizeof cb, &have_commits);
	if (rc != SQLITE_OK) {
		int code = fail(cs, rc, "cannot open", d);
		cstore_close(cs);
		return code;
	}
	cs->commits = have_commits ? le_u64(cb) : 0;
	unsigned char hw_epoch[STORE_EPOCH_LEN];
	uint64_t hw_commits = 0;
	int have_hw = hw_read(cs, hw_epoch, &hw_commits);
	const char *why = NULL;
	if (!have_epoch)
		why = "created";
	else if (!have_hw && cs->commits > 0)
		why = "database without its center.hw (copied or restored)";
	else if (have_hw && memcmp(hw_epoch, cs->epoch, STORE_EPOCH_LEN))
		why = "database from another epoch than center.hw (restored from a backup)";
	else if (have_hw && hw_commits > cs->commits)
		why = "database older than center.hw (restored from a backup)";
	if ((rc = sqlite3_prepare_v3(cs->db, "SELECT hash FROM requests WHERE device = ?1 AND id = ?2", -1,
				     SQLITE_PREPARE_PERSISTENT, &cs->find, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_prepare_v3(cs->db, "SELECT device FROM requests WHERE id = ?1 AND device != ?2 LIMIT 1", -1,
				     SQLITE_PREPARE_PERSISTENT, &cs->other, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_prepare_v3(cs->db,
				     "INSERT INTO requests(id, device, seq, urgent, hash, sealed, sig, received)"
				     " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
				     -1, SQLITE_PREPARE_PERSISTENT, &cs->insert, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_prepare_v3(cs->db, "INSERT INTO alerts(wall, kind, device, id, detail) VALUES(?1, ?2, ?3, ?4, ?5)",
				     -1, SQLITE_PREPARE_PERSISTENT, &cs->alert, NULL)) != SQLITE_OK) {
		int code = fail(cs, rc, "cannot prepare", d);
		cstore_close(cs);
		return code;
	}
	if (why) {
		cs->restored = strcmp(why, "created") != 0;
		if ((rc = new_epoch(cs, why, have_hw ? hw_commits : 0, d))) {
			cstore_close(cs);
			return rc;
		}
	}
	*out = cs;
	return 0;
}

void cstore_close(struct cstore *cs)
{
	if (!cs)
		return;
	sqlite3_finalize(cs->find);
	sqlite3_finalize(cs->other);
	sqlite3_finalize(cs->insert);
	sqlite3_finalize(cs->alert);
	if (cs->db)
		sqlite3_close(cs->db);
	free(cs->dir);
	free(cs->path);
	free(cs);
}

void cstore_epoch(const struct cstore *cs, unsigned char epoch[STORE_EPOCH_LEN])
{
	memcpy(epoch, cs->epoch, STORE_EPOCH_LEN);
}

int cstore_restored(const struct cstore *cs)
{
	return cs->restored;
}

uint64_t cstore_counter(const struct cstore *cs)
{
	return cs->commits;
}

int cstore_enroll(struct cstore *cs, const unsigned char pk[CSTORE_PK_LEN], const char *label, int *already,
		  struct diag *d)
{
	*already = 0;
	int rc = sqlite3_exec(cs->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	sqlite3_stmt *s = NULL;
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(cs->db, "INSERT OR IGNORE INTO devices(pk, label, enrolled) VALUES(?1, ?2, ?3)", -1, &s,
					NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_blob(s, 1, pk, CSTORE_PK_LEN, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, label ? label : "", -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, clock_wall_seconds());
		rc = sqlite3_step(s);
		*already = sqlite3_changes(cs->db) == 0;
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_OK)
		rc = bump(cs);
	if (rc != SQLITE_OK) {
		rollback(cs);
		return fail(cs, rc, "enroll failed", d);
	}
	return commit(cs, d);
}

int cstore_is_enrolled(struct cstore *cs, const unsigned char pk[CSTORE_PK_LEN], struct diag *d)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(cs->db, "SELECT revoked FROM devices WHERE pk = ?1", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return fail(cs, rc, "lookup failed", d);
	sqlite3_bind_blob(s, 1, pk, CSTORE_PK_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s);
	int revoked = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return revoked ? 2 : 1;
	return rc == SQLITE_DONE ? 0 : fail(cs, rc, "lookup failed", d);
}

static int alert_in_tx(struct cstore *cs, const char *kind, const unsigned char *device, const unsigned char *id,
		       const char *detail)
{
	sqlite3_bind_int64(cs->alert, 1, clock_wall_seconds());
	sqlite3_bind_text(cs->alert, 2, kind, -1, SQLITE_STATIC);
	if (device)
		sqlite3_bind_blob(cs->alert, 3, device, CSTORE_PK_LEN, SQLITE_STATIC);
	if (id)
		sqlite3_bind_blob(cs->alert, 4, id, STORE_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_text(cs->alert, 5, detail ? detail : "", -1, SQLITE_STATIC);
	int rc = sqlite3_step(cs->alert);
	sqlite3_reset(cs->alert);
	sqlite3_clear_bindings(cs->alert);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int cstore_alert(struct cstore *cs, const char *kind, const unsigned char *device, const unsigned char *id,
		 const char *detail, struct diag *d)
{
	int rc = sqlite3_exec(cs->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = alert_in_tx(cs, kind, device, id, detail);
	if (rc == SQLITE_OK)
		rc = bump(cs);
	if (rc != SQLITE_OK) {
		rollback(cs);
		return fail(cs, rc, "alert failed", d);
	}
	log_warn("alert kind=%s", kind);
	return commit(cs, d);
}

int cstore_receive(struct cstore *cs, const unsigned char device[CSTORE_PK_LEN], struct cstore_in *in, size_t n,
		   size_t *added, struct diag *d)
{
	*added = 0;
	int rc = sqlite3_exec(cs->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	int64_t now = clock_wall_seconds();
	size_t conflicts = 0, collisions = 0;
	for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
		struct cstore_in *r = &in[i];
		r->collision = 0;
		sqlite3_bind_blob(cs->find, 1, device, CSTORE_PK_LEN, SQLITE_STATIC);
		sqlite3_bind_blob(cs->find, 2, r->id, STORE_ID_LEN, SQLITE_STATIC);
		rc = sqlite3_step(cs->find);
		if (rc == SQLITE_ROW) {
			const void *h = sqlite3_column_blob(cs->find, 0);
			int same = h && sqlite3_column_bytes(cs->find, 0) == STORE_HASH_LEN && !memcmp(h, r->hash, STORE_HASH_LEN);
			sqlite3_reset(cs->find);
			sqlite3_clear_bindings(cs->find);
			r->status = same ? SYNC_STATUS_STORED : SYNC_STATUS_CONFLICT;
			rc = SQLITE_OK;
			if (!same) {
				char detail[64];
				snprintf(detail, sizeof detail, "seq=%llu", (unsigned long long)r->seq);
				rc = alert_in_tx(cs, "conflict", device, r->id, detail);
				conflicts++;
			}
			continue;
		}
		sqlite3_reset(cs->find);
		sqlite3_clear_bindings(cs->find);
		if (rc != SQLITE_DONE)
			break;
		/* Another kiosk holds this id: both are kept (never a reason to refuse either), the office is told. */
		sqlite3_bind_blob(cs->other, 1, r->id, STORE_ID_LEN, SQLITE_STATIC);
		sqlite3_bind_blob(cs->other, 2, device, CSTORE_PK_LEN, SQLITE_STATIC);
		rc = sqlite3_step(cs->other);
		if (rc == SQLITE_ROW && sqlite3_column_bytes(cs->other, 0) == CSTORE_PK_LEN) {
			char hex[2 * CSTORE_PK_LEN + 1], detail[96];
			hex_encode(sqlite3_column_blob(cs->other, 0), CSTORE_PK_LEN, hex);
			snprintf(detail, sizeof detail, "seq=%llu other_kiosk=%.16s", (unsigned long long)r->seq, hex);
			sqlite3_reset(cs->other);
			rc = alert_in_tx(cs, "id_collision", device, r->id, detail);
			r->collision = 1;
			collisions++;
		} else {
			sqlite3_reset(cs->other);
			rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
		}
		sqlite3_clear_bindings(cs->other);
		if (rc != SQLITE_OK)
			break;
		sqlite3_bind_blob(cs->insert, 1, r->id, STORE_ID_LEN, SQLITE_STATIC);
		sqlite3_bind_blob(cs->insert, 2, device, CSTORE_PK_LEN, SQLITE_STATIC);
		sqlite3_bind_int64(cs->insert, 3, (sqlite3_int64)r->seq);
		sqlite3_bind_int(cs->insert, 4, r->urgent ? 1 : 0);
		sqlite3_bind_blob(cs->insert, 5, r->hash, STORE_HASH_LEN, SQLITE_STATIC);
		sqlite3_bind_blob(cs->insert, 6, r->sealed, (int)r->sealed_len, SQLITE_STATIC);
		sqlite3_bind_blob(cs->insert, 7, r->sig, STORE_SIG_LEN, SQLITE_STATIC);
		sqlite3_bind_int64(cs->insert, 8, now);
		rc = sqlite3_step(cs->insert);
		sqlite3_reset(cs->insert);
		sqlite3_clear_bindings(cs->insert);
		if (rc != SQLITE_DONE)
			break;
		rc = SQLITE_OK;
		r->status = SYNC_STATUS_STORED;
		(*added)++;
	}
	if (rc == SQLITE_OK)
		rc = bump(cs);
	if (rc != SQLITE_OK) {
		rollback(cs);
		*added = 0;
		return fail(cs, rc, "receive failed", d);
	}
	int r = commit(cs, d);
	if (r)
		*added = 0;
	if (!r && conflicts)
		log_warn("alert kind=conflict n=%zu", conflicts);
	if (!r && collisions)
		log_warn("alert kind=id_collision n=%zu", collisions);
	return r;
}

/* Requests with after < n <= last (arrival order), or the one with n = last when only is set. */
static int each_range(struct cstore *cs, uint64_t after, uint64_t last, int only, cstore_request_fn cb, void *ctx,
		      struct diag *d)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(cs->db,
				    only ? "SELECT n, id, device, seq, urgent, hash, sealed, received FROM requests WHERE n = ?2"
					 : "SELECT n, id, device, seq, urgent, hash, sealed, received FROM requests"
					   " WHERE n > ?1 AND n <= ?2 ORDER BY n",
				    -1, &s, NULL);
	if (rc != SQLITE_OK)
		return fail(cs, rc, "read failed", d);
	if (!only)
		sqlite3_bind_int64(s, 1, (sqlite3_int64)(after > INT64_MAX ? INT64_MAX : after));
	sqlite3_bind_int64(s, 2, (sqlite3_int64)(last > INT64_MAX ? INT64_MAX : last));
	int res = 0, seen = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct cstore_request r;
		memset(&r, 0, sizeof r);
		r.n = (uint64_t)sqlite3_column_int64(s, 0);
		if (sqlite3_column_bytes(s, 1) != STORE_ID_LEN || sqlite3_column_bytes(s, 2) != CSTORE_PK_LEN ||
		    sqlite3_column_bytes(s, 5) != STORE_HASH_LEN) {
			diag_set(d, "%s: request n=%llu has a malformed row", cs->path, (unsigned long long)r.n);
			res = ERR_DAMAGED;
			break;
		}
		memcpy(r.id, sqlite3_column_blob(s, 1), STORE_ID_LEN);
		memcpy(r.device, sqlite3_column_blob(s, 2), CSTORE_PK_LEN);
		r.seq = (uint64_t)sqlite3_column_int64(s, 3);
		r.urgent = sqlite3_column_int(s, 4);
		memcpy(r.hash, sqlite3_column_blob(s, 5), STORE_HASH_LEN);
		r.sealed = sqlite3_column_blob(s, 6);
		r.sealed_len = (size_t)sqlite3_column_bytes(s, 6);
		r.received = sqlite3_column_int64(s, 7);
		seen = 1;
		if ((res = cb(ctx, &r)))
			break;
	}
	if (!res && rc != SQLITE_DONE)
		res = fail(cs, rc, "read failed", d);
	sqlite3_finalize(s);
	if (!res && only && !seen) {
		diag_set(d, "no request number %llu", (unsigned long long)last);
		res = ERR_NOTFOUND;
	}
	return res;
}

int cstore_each(struct cstore *cs, cstore_request_fn cb, void *ctx, struct diag *d)
{
	return each_range(cs, 0, UINT64_MAX, 0, cb, ctx, d);
}

int cstore_each_after(struct cstore *cs, uint64_t after, cstore_request_fn cb, void *ctx, struct diag *d)
{
	return each_range(cs, after, UINT64_MAX, 0, cb, ctx, d);
}

int cstore_get(struct cstore *cs, uint64_t n, cstore_request_fn cb, void *ctx, struct diag *d)
{
	return each_range(cs, 0, n, 1, cb, ctx, d);
}

int cstore_count(struct cstore *cs, struct cstore_counts *c, struct diag *d)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(cs->db,
				    "SELECT (SELECT count(*) FROM requests), (SELECT count(*) FROM devices), (SELECT count(*) FROM alerts)",
				    -1, &s, NULL);
	if (rc != SQLITE_OK)
		return fail(cs, rc, "count failed", d);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		c->requests = (uint64_t)sqlite3_column_int64(s, 0);
		c->devices = (uint64_t)sqlite3_column_int64(s, 1);
		c->alerts = (uint64_t)sqlite3_column_int64(s, 2);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : fail(cs, rc, "count failed", d);
}

int cstore_each_alert(struct cstore *cs, cstore_alert_fn cb, void *ctx, struct diag *d)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(cs->db, "SELECT wall, kind, device, detail FROM alerts ORDER BY n", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return fail(cs, rc, "read failed", d);
	int res = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char hex[2 * CSTORE_PK_LEN + 1] = "-";
		if (sqlite3_column_bytes(s, 2) == CSTORE_PK_LEN)
			hex_encode(sqlite3_column_blob(s, 2), CSTORE_PK_LEN, hex);
		if ((res = cb(ctx, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1), hex,
			      (const char *)sqlite3_column_text(s, 3))))
			break;
	}
	if (!res && rc != SQLITE_DONE)
		res = fail(cs, rc, "read failed", d);
	sqlite3_finalize(s);
	return res;
}

int cstore_check(struct cstore *cs, struct diag *d)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(cs->db, "PRAGMA integrity_check", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return fail(cs, rc, "integrity check failed", d);
	int res = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		if (t && strcmp(t, "ok") && !res) {
			diag_set(d, "%s: damaged: %.300s", cs->path, t);
			res = ERR_DAMAGED;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && !res)
		res = fail(cs, rc, "integrity check failed", d);
	return res;
}

int cstore_each_device(struct cstore *cs, cstore_device_fn cb, void *ctx, struct diag *d)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(cs->db, "SELECT pk, label FROM devices ORDER BY enrolled, pk", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return fail(cs, rc, "read failed", d);
	int res = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(s, 0) != CSTORE_PK_LEN)
			continue;
		if ((res = cb(ctx, sqlite3_column_blob(s, 0), (const char *)sqlite3_column_text(s, 1))))
			break;
	}
	if (!res && rc != SQLITE_DONE)
		res = fail(cs, rc, "read failed", d);
	sqlite3_finalize(s);
	return res;
}

int cstore_backup(struct cstore *cs, const char *dst, struct diag *d)
{
	int rc = sql_backup(cs->db, dst);
	if (rc != SQLITE_OK)
		return fail(cs, rc, "cannot copy it", d);
	return 0;
}

int cstore_contact(struct cstore *cs, const unsigned char pk[CSTORE_PK_LEN], const struct cstore_facts *f,
		   struct diag *d)
{
	int rc = sqlite3_exec(cs->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	sqlite3_stmt *s = NULL;
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(cs->db,
					"INSERT INTO contacts(device, last, held, hellos, facts, urgent_held, pack, free_mib, battery,"
					" clock, program) VALUES(?1, ?2, ?3, 1, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
					" ON CONFLICT(device) DO UPDATE SET last = excluded.last, held = excluded.held,"
					" hellos = hellos + 1, facts = excluded.facts, urgent_held = excluded.urgent_held,"
					" pack = excluded.pack, free_mib = excluded.free_mib, battery = excluded.battery,"
					" clock = excluded.clock, program = excluded.program",
					-1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_blob(s, 1, pk, CSTORE_PK_LEN, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, clock_wall_seconds());
		sqlite3_bind_int64(s, 3, f->held);
		sqlite3_bind_int(s, 4, f->known);
		sqlite3_bind_int64(s, 5, f->urgent_held);
		sqlite3_bind_int64(s, 6, (sqlite3_int64)(f->pack > INT64_MAX ? INT64_MAX : f->pack));
		sqlite3_bind_int64(s, 7, f->free_mib == UINT32_MAX ? -1 : (sqlite3_int64)f->free_mib);
		sqlite3_bind_int(s, 8, f->battery);
		sqlite3_bind_int64(s, 9, f->clock);
		sqlite3_bind_text(s, 10, f->program, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_OK)
		rc = bump(cs);
	if (rc != SQLITE_OK) {
		rollback(cs);
		return fail(cs, rc, "cannot record the contact", d);
	}
	return commit(cs, d);
}

int cstore_each_kiosk(struct cstore *cs, cstore_kiosk_fn cb, void *ctx, struct diag *d)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(cs->db,
				    "SELECT d.pk, d.label, d.enrolled, d.revoked, c.last, c.held, c.hellos,"
				    " c.facts, c.urgent_held, c.pack, c.free_mib, c.battery, c.clock, c.program,"
				    " (SELECT count(*) FROM requests r WHERE r.device = d.pk),"
				    " (SELECT max(received) FROM requests r WHERE r.device = d.pk)"
				    " FROM devices d LEFT JOIN contacts c ON c.device = d.pk ORDER BY d.enrolled, d.pk",
				    -1, &s, NULL);
	if (rc != SQLITE_OK)
		return fail(cs, rc, "read failed", d);
	int res = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(s, 0) != CSTORE_PK_LEN)
			continue;
		struct cstore_kiosk k;
		memset(&k, 0, sizeof k);
		memcpy(k.pk, sqlite3_column_blob(s, 0), CSTORE_PK_LEN);
		k.label = (const char *)sqlite3_column_text(s, 1);
		k.enrolled = sqlite3_column_int64(s, 2);
		k.revoked = sqlite3_column_int(s, 3);
		k.last_contact = sqlite3_column_type(s, 4) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, 4);
		k.held = (uint32_t)sqlite3_column_int64(s, 5);
		k.hellos = (uint64_t)sqlite3_column_int64(s, 6);
		k.facts.known = sqlite3_column_int(s, 7);
		k.facts.held = k.held;
		k.facts.urgent_held = (uint32_t)sqlite3_column_int64(s, 8);
		k.facts.pack = (uint64_t)sqlite3_column_int64(s, 9);
		int64_t fm = sqlite3_column_type(s, 10) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 10);
		k.facts.free_mib = fm < 0 ? UINT32_MAX : (uint32_t)fm;
		k.facts.battery = sqlite3_column_type(s, 11) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 11);
		k.facts.clock = sqlite3_column_int64(s, 12);
		k.facts.program = (const char *)sqlite3_column_text(s, 13);
		k.requests = (uint64_t)sqlite3_column_int64(s, 14);
		k.last_request = sqlite3_column_type(s, 15) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, 15);
		if ((res = cb(ctx, &k)))
			break;
	}
	if (!res && rc != SQLITE_DONE)
		res = fail(cs, rc, "read failed", d);
	sqlite3_finalize(s);
	return res;
}

/* One durable change of one enrolled kiosk's row: ERR_NOTFOUND if there is none. */
static int device_update(struct cstore *cs, const char *sql, const unsigned char pk[CSTORE_PK_LEN], const char *text,
			 struct diag *d)
{
	int rc = sqlite3_exec(cs->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	sqlite3_stmt *s = NULL;
	int changed = 0;
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(cs->db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_blob(s, 1, pk, CSTORE_PK_LEN, SQLITE_STATIC);
		if (text)
			sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		changed = sqlite3_changes(cs->db);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_OK && !changed) {
		rollback(cs);
		diag_set(d, "no such kiosk");
		return ERR_NOTFOUND;
	}
	if (rc == SQLITE_OK)
		rc = bump(cs);
	if (rc != SQLITE_OK) {
		rollback(cs);
		return fail(cs, rc, "cannot change the kiosk", d);
	}
	return commit(cs, d);
}

int cstore_kiosk_rename(struct cstore *cs, const unsigned char pk[CSTORE_PK_LEN], const char *label, struct diag *d)
{
	return device_update(cs, "UPDATE devices SET label = ?2 WHERE pk = ?1", pk, label, d);
}

int cstore_kiosk_revoke(struct cstore *cs, const unsigned char pk[CSTORE_PK_LEN], struct diag *d)
{
	int rc = device_update(cs, "UPDATE devices SET revoked = 1 WHERE pk = ?1 AND revoked = 0", pk, NULL, d);
	if (!rc)
		log_warn("kiosk_revoked");
	return rc;
}

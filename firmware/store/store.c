#define LOG_MODULE "store"
#include "store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "fs.h"
#include "log.h"
#include "sql.h"
#include "mem.h"

struct store {
	sqlite3 *db;
	char *dir;
	char *path;
	sqlite3_stmt *find_id, *insert, *next_seq, *audit_ins, *audit_last;
};

static int map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_FULL:
		return ERR_NOSPACE;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return ERR_DAMAGED;
	case SQLITE_CONSTRAINT:
		return ERR_CONFLICT;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	default:
		return ERR_IO;
	}
}

static int db_fail(struct store *st, int rc, const char *what, struct diag *d)
{
	int code = map_rc(rc);
	int sys = st->db ? sqlite3_system_errno(st->db) : 0;
	/* The OS reason says more than SQLite's ("No space left on device" vs "disk I/O error"). */
	if (sys == ENOSPC)
		code = ERR_NOSPACE;
	if (sys)
		diag_set(d, "%s: %s (%s: %s)", st->path, what, sqlite3_errstr(rc), strerror(sys));
	else
		diag_set(d, "%s: %s (%s)", st->path, what, sqlite3_errstr(rc));
	log_error("db_error op=%s sqlite=%d code=%s", what, rc, err_name(code));
	return code;
}

static int exec(struct store *st, const char *sql, struct diag *d)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : db_fail(st, rc, "statement failed", d);
}

static const char *const schema_v1 =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE requests("
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	" id BLOB NOT NULL UNIQUE CHECK(length(id) = 16),"
	" hash BLOB NOT NULL CHECK(length(hash) = 32),"
	" urgent INTEGER NOT NULL CHECK(urgent IN (0, 1)),"
	" sealed BLOB NOT NULL,"
	" sig BLOB NOT NULL CHECK(length(sig) = 64),"
	" state INTEGER NOT NULL DEFAULT 0 CHECK(state IN (0, 1)),"
	" receipt BLOB);"
	"CREATE INDEX requests_state ON requests(state, urgent DESC, seq);"
	"CREATE TABLE audit("
	" n INTEGER PRIMARY KEY AUTOINCREMENT,"
	" wall INTEGER NOT NULL,"
	" event TEXT NOT NULL,"
	" detail TEXT NOT NULL);"
	"CREATE TRIGGER audit_append_only_u BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
	"CREATE TRIGGER audit_append_only_d BEFORE DELETE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
	"CREATE TRIGGER requests_immutable BEFORE UPDATE OF seq, id, hash, urgent, sealed, sig ON requests"
	" BEGIN SELECT RAISE(ABORT, 'requests are immutable'); END;";

/*
 * v2 (sync): the center epoch a receipt belongs to and the sync session that
 * delivered it (retention counts sessions, never the wall clock); only a
 * delivered request may ever be deleted.
 */
static const char *const schema_v2 =
	"ALTER TABLE requests ADD COLUMN epoch BLOB;"
	"ALTER TABLE requests ADD COLUMN delivered_sync INTEGER;"
	"CREATE TRIGGER requests_purge_delivered_only BEFORE DELETE ON requests WHEN OLD.state != 1"
	" BEGIN SELECT RAISE(ABORT, 'only delivered requests may be purged'); END;";

/*
 * v3 (the center receipts only what it can open): the hash of the center key
 * each request is sealed to, so re-provisioning to another center knows what
 * it would strand; the center's reason when it refused a request, which
 * then stays held (offered again, never purged); and which center (its
 * signing key) delivered it, so a new epoch of one center never re-offers
 * what another center holds.
 */
static const char *const schema_v3 =
	"ALTER TABLE requests ADD COLUMN center_key BLOB CHECK(center_key IS NULL OR length(center_key) = 32);"
	"ALTER TABLE requests ADD COLUMN refused INTEGER;"
	"ALTER TABLE requests ADD COLUMN delivered_by BLOB;";

/* Migrations by user_version: entry i moves the schema from version i to i+1. */
static const char *const migrations[] = {schema_v1, schema_v2, schema_v3};
#define NMIGRATIONS (int)(sizeof migrations / sizeof migrations[0])

static int prepare(struct store *st, sqlite3_stmt **s, const char *sql, struct diag *d)
{
	int rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, s, NULL);
	return rc == SQLITE_OK ? 0 : db_fail(st, rc, "prepare failed", d);
}

static int count_damaged(const char *dir)
{
	char *dd = fs_join(dir, "damaged");
	int n = 0;
	for (int i = 0; i < 1000; i++) {
		char name[64];
		snprintf(name, sizeof name, "spean-%d.db", i);
		char *p = fs_join(dd, name);
		int e = fs_exists(p);
		free(p);
		if (!e)
			break;
		n++;
	}
	free(dd);
	return n;
}

/* Move dir/spean.db (with -wal and -shm) to dir/damaged/spean-N.db. */
static int quarantine(const char *dir, const char *path, char *where, size_t wn)
{
	char *dd = fs_join(dir, "damaged");
	if (mkdir(dd, 0700) && errno != EEXIST) {
		free(dd);
		return ERR_IO;
	}
	int n = count_damaged(dir);
	snprintf(where, wn, "%s/spean-%d.db", dd, n);
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	for (int i = 0; i < 4; i++) {
		char from[4096], to[4096];
		snprintf(from, sizeof from, "%s%s", path, sfx[i]);
		snprintf(to, sizeof to, "%s%s", where, sfx[i]);
		if (rename(from, to) && errno != ENOENT) {
			free(dd);
			return ERR_IO;
		}
	}
	fs_sync_dir(dd);
	fs_sync_dir(dir);
	free(dd);
	return 0;
}

static int run_check_db(sqlite3 *db, const char *pragma, char *why, size_t wn);

/*
 * A second, independent look before anything is moved: a fresh read-only
 * connection runs the full integrity check. A transient read error must
 * not push a kiosk's held requests aside. 1 = damage confirmed.
 */
static int confirm_damage(const char *path, char *why, size_t wn)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	int confirmed = 0;
	if (rc == SQLITE_OK) {
		sqlite3_extended_result_codes(db, 1);
		confirmed = run_check_db(db, "PRAGMA integrity_check", why, wn) == ERR_DAMAGED;
	} else {
		confirmed = map_rc(rc) == ERR_DAMAGED;
	}
	sqlite3_close(db);
	return confirmed;
}

static int damaged(struct store **stp, const char *first_why, struct diag *d)
{
	struct store *st = *stp;
	char *dir = xstrdup(st->dir), *path = xstrdup(st->path);
	char where[4096], why[256];
	snprintf(why, sizeof why, "%s", first_why);
	store_close(st);
	*stp = NULL;
	int rc = ERR_DAMAGED;
	if (!confirm_damage(path, why, sizeof why)) {
		diag_set(d, "%s could not be read reliably (%s), but a second check found no damage; "
			    "nothing was moved: try again", path, first_why);
		log_warn("db_check_not_confirmed reason=%s", first_why);
		rc = ERR_IO;
	} else if (quarantine(dir, path, where, sizeof where)) {
		diag_set(d, "%s is damaged (%s) and could not be moved aside; the kiosk stops here", path, why);
		log_error("db_damaged reason=%s moved=no", why);
	} else {
		diag_set(d, "%s is damaged (%s); it was moved to %s for the office to recover. "
			    "The next start makes a new, empty database", path, why, where);
		log_error("db_damaged reason=%s moved=yes", why);
	}
	free(dir);
	free(path);
	return rc;
}

static int run_check(struct store *st, const char *pragma, char *why, size_t wn)
{
	return run_check_db(st->db, pragma, why, wn);
}

/* ERR_DAMAGED only for what SQLite calls corruption; an I/O error is ERR_IO, never damage. */
static int run_check_db(sqlite3 *db, const char *pragma, char *why, size_t wn)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, pragma, -1, &s, NULL);
	if (rc != SQLITE_OK) {
		snprintf(why, wn, "%s", sqlite3_errstr(rc));
		return map_rc(rc) == ERR_DAMAGED ? ERR_DAMAGED : map_rc(rc);
	}
	int bad = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);
		if (t && strcmp(t, "ok")) {
			/* integrity_check reports a page it could not read as a row: that is I/O, not damage. */
			const char *ec = strstr(t, "error code=");
			if (ec && (atoi(ec + 11) & 0xff) == SQLITE_IOERR) {
				snprintf(why, wn, "read error during the check");
				sqlite3_finalize(s);
				return ERR_IO;
			}
			bad = 1;
			snprintf(why, wn, "integrity check: %.200s", t);
			break;
		}
	}
	if (!bad && rc != SQLITE_DONE) {
		snprintf(why, wn, "%s", sqlite3_errstr(rc));
		bad = map_rc(rc) == ERR_DAMAGED;
		if (!bad) {
			sqlite3_finalize(s);
			return map_rc(rc);
		}
	}
	sqlite3_finalize(s);
	return bad ? ERR_DAMAGED : 0;
}

int store_check(struct store *st, struct diag *d)
{
	char why[256];
	int rc = run_check(st, "PRAGMA integrity_check", why, sizeof why);
	if (rc)
		diag_set(d, "%s: %s", st->path, rc == ERR_DAMAGED ? why : err_message(rc));
	return rc;
}

static int migrate(struct store *st, int from, struct diag *d)
{
	for (int v = from; v < NMIGRATIONS; v++) {
		char sql[64];
		int rc = exec(st, "BEGIN IMMEDIATE", d);
		if (rc)
			return rc;
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		if ((rc = exec(st, migrations[v], d)) || (rc = exec(st, sql, d))) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
		if ((rc = exec(st, "COMMIT", d)))
			return rc;
		log_info("schema_migrated to=%d", v + 1);
	}
	return 0;
}

int store_open(const char *dir, unsigned flags, struct store **out, struct diag *d)
{
	struct store *st = xcalloc(1, sizeof *st);
	st->dir = xstrdup(dir);
	st->path = fs_join(dir, STORE_DB_NAME);
	*out = NULL;
	int existed = fs_exists(st->path);
	if (!existed && (flags & STORE_NO_CREATE)) {
		diag_set(d, "%s: no database yet (nothing has been stored)", st->path);
		store_close(st);
		return ERR_NOTFOUND;
	}
	int rc = sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc != SQLITE_OK) {
		int code = db_fail(st, rc, "cannot open", d);
		store_close(st);
		return code;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 5000);
	if (!existed)
		chmod(st->path, 0600);
	char why[256] = "";
	int v = 0;
	rc = sql_user_version(st->db, &v);
	if (rc != SQLITE_OK) {
		if (map_rc(rc) == ERR_DAMAGED)
			return damaged(&st, sqlite3_errstr(rc), d);
		int code = db_fail(st, rc, "cannot read", d);
		store_close(st);
		return code;
	}
	if (v > NMIGRATIONS) {
		diag_set(d, "%s: made by a newer Spean (schema %d, this one knows %d)", st->path, v, NMIGRATIONS);
		store_close(st);
		return ERR_STATE;
	}
	/* No personal data is ever in clear here, but keep temp files in memory and freed pages zeroed anyway. */
	const char *pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA temp_store=MEMORY;"
			      "PRAGMA secure_delete=ON; PRAGMA cell_size_check=ON; PRAGMA foreign_keys=ON;";
	rc = sqlite3_exec(st->db, pragmas, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		if (map_rc(rc) == ERR_DAMAGED)
			return damaged(&st, sqlite3_errstr(rc), d);
		int code = db_fail(st, rc, "cannot configure", d);
		store_close(st);
		return code;
	}
	/*
	 * Without STORE_CHECK_FULL only the header (read above) and the schema
	 * page are checked: a full check reads every page (0.5 s at 100,000
	 * requests), so it runs at the kiosk's start and in `spean check`, not
	 * in every one-shot command.
	 */
	int crc = (flags & STORE_CHECK_FULL) ? run_check(st, "PRAGMA integrity_check", why, sizeof why)
					     : run_check(st, "SELECT 'ok' FROM sqlite_schema LIMIT 1", why, sizeof why);
	if (crc == ERR_DAMAGED)
		return damaged(&st, why, d);
	if (crc) {
		diag_set(d, "%s: cannot read (%s)", st->path, why);
		store_close(st);
		return crc;
	}
	if ((rc = migrate(st, v, d))) {
		store_close(st);
		return rc;
	}
	if ((rc = prepare(st, &st->find_id, "SELECT seq, hash FROM requests WHERE id = ?1", d)) ||
	    (rc = prepare(st, &st->next_seq, "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'requests'), 0) + 1", d)) ||
	    (rc = prepare(st, &st->insert,
			  "INSERT INTO requests(seq, id, hash, urgent, sealed, sig, center_key) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			  d)) ||
	    (rc = prepare(st, &st->audit_ins, "INSERT INTO audit(wall, event, detail) VALUES(?1, ?2, ?3)", d)) ||
	    (rc = prepare(st, &st->audit_last, "SELECT wall FROM audit ORDER BY n DESC LIMIT 1", d))) {
		store_close(st);
		return rc;
	}
	if (v == 0) {
		char detail[64];
		snprintf(detail, sizeof detail, "schema=%d damaged_before=%d", NMIGRATIONS, count_damaged(dir));
		if ((rc = store_audit(st, "db_created", detail, d))) {
			store_close(st);
			return rc;
		}
	}
	int nd = count_damaged(dir);
	if (nd)
		log_warn("damaged_db_kept count=%d dir=%s/damaged action=bring_to_office", nd, dir);
	*out = st;
	return 0;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	sqlite3_finalize(st->find_id);
	sqlite3_finalize(st->insert);
	sqlite3_finalize(st->next_seq);
	sqlite3_finalize(st->audit_ins);
	sqlite3_finalize(st->audit_last);
	if (st->db)
		sqlite3_close(st->db);
	free(st->dir);
	free(st->path);
	free(st);
}

/* Inside a transaction: append an audit row, with a clock_jump row first if time went back. */
static int audit_in_tx(struct store *st, const char *event, const char *detail, struct diag *d)
{
	int64_t now = clock_wall_seconds();
	int rc = sqlite3_step(st->audit_last);
	int64_t last = rc == SQLITE_ROW ? sqlite3_column_int64(st->audit_last, 0) : now;
	sqlite3_reset(st->audit_last);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(st, rc, "audit read failed", d);
	for (int pass = 0; pass < 2; pass++) {
		char jump[96];
		const char *ev = event, *det = detail;
		if (pass == 0) {
			/* Allow a few minutes of skew before calling it a jump. */
			if (now >= last - 300)
				continue;
			snprintf(jump, sizeof jump, "from=%lld to=%lld", (long long)last, (long long)now);
			ev = "clock_jump";
			det = jump;
			log_warn("clock_jump from=%lld to=%lld", (long long)last, (long long)now);
		}
		sqlite3_bind_int64(st->audit_ins, 1, now);
		sqlite3_bind_text(st->audit_ins, 2, ev, -1, SQLITE_STATIC);
		sqlite3_bind_text(st->audit_ins, 3, det, -1, SQLITE_STATIC);
		rc = sqlite3_step(st->audit_ins);
		sqlite3_reset(st->audit_ins);
		sqlite3_clear_bindings(st->audit_ins);
		if (rc != SQLITE_DONE)
			return db_fail(st, rc, "audit write failed", d);
	}
	return 0;
}

static int commit_or_rollback(struct store *st, int rc, struct diag *d)
{
	if (rc == 0) {
		int crc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
		if (crc == SQLITE_OK)
			return 0;
		rc = db_fail(st, crc, "commit failed", d);
	}
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int store_audit(struct store *st, const char *event, const char *detail, struct diag *d)
{
	int rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "begin failed", d);
	return commit_or_rollback(st, audit_in_tx(st, event, detail, d), d);
}

int store_put_request(struct store *st, struct store_request *r, store_sign_fn sign, void *ctx, struct diag *d)
{
	int rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "begin failed", d);
	int res = 0;
	sqlite3_bind_blob(st->find_id, 1, r->id, STORE_ID_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st->find_id);
	if (rc == SQLITE_ROW) {
		const void *h = sqlite3_column_blob(st->find_id, 1);
		int same = h && sqlite3_column_bytes(st->find_id, 1) == STORE_HASH_LEN && !memcmp(h, r->hash, STORE_HASH_LEN);
		r->seq = (uint64_t)sqlite3_column_int64(st->find_id, 0);
		sqlite3_reset(st->find_id);
		sqlite3_clear_bindings(st->find_id);
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		if (same)
			return 0;
		diag_set(d, "a request with this id but different content is already stored");
		log_error("request_conflict seq=%llu", (unsigned long long)r->seq);
		return ERR_CONFLICT;
	}
	sqlite3_reset(st->find_id);
	sqlite3_clear_bindings(st->find_id);
	if (rc != SQLITE_DONE)
		return commit_or_rollback(st, db_fail(st, rc, "lookup failed", d), d);

	rc = sqlite3_step(st->next_seq);
	r->seq = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st->next_seq, 0) : 0;
	sqlite3_reset(st->next_seq);
	if (rc != SQLITE_ROW)
		return commit_or_rollback(st, db_fail(st, rc, "sequence read failed", d), d);
	if (sign)
		sign(ctx, r);
	sqlite3_bind_int64(st->insert, 1, (sqlite3_int64)r->seq);
	sqlite3_bind_blob(st->insert, 2, r->id, STORE_ID_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st->insert, 3, r->hash, STORE_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int(st->insert, 4, r->urgent ? 1 : 0);
	sqlite3_bind_blob(st->insert, 5, r->sealed, (int)r->sealed_len, SQLITE_STATIC);
	sqlite3_bind_blob(st->insert, 6, r->sig, STORE_SIG_LEN, SQLITE_STATIC);
	if (r->center_key)
		sqlite3_bind_blob(st->insert, 7, r->center_key, STORE_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st->insert);
	sqlite3_reset(st->insert);
	sqlite3_clear_bindings(st->insert);
	if (rc != SQLITE_DONE)
		res = db_fail(st, rc, "insert failed", d);
	if (!res) {
		char detail[96];
		snprintf(detail, sizeof detail, "seq=%llu urgent=%d", (unsigned long long)r->seq, r->urgent ? 1 : 0);
		res = audit_in_tx(st, "request_added", detail, d);
	}
	res = commit_or_rollback(st, res, d);
	if (!res)
		log_info("request_added seq=%llu urgent=%d", (unsigned long long)r->seq, r->urgent ? 1 : 0);
	return res;
}

int store_count(struct store *st, struct store_counts *out, struct diag *d)
{
	sqlite3_stmt *s;
	memset(out, 0, sizeof *out);
	int rc = sqlite3_prepare_v2(st->db, "SELECT state, count(*), sum(urgent) FROM requests GROUP BY state", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "count failed", d);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		uint64_t n = (uint64_t)sqlite3_column_int64(s, 1);
		if (sqlite3_column_int(s, 0) == STORE_DELIVERED)
			out->delivered = n;
		else {
			out->held = n;
			out->urgent_held = (uint64_t)sqlite3_column_int64(s, 2);
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_fail(st, rc, "count failed", d);
}

int store_count_refused(struct store *st, uint64_t by_reason[STORE_REASONS], uint64_t *total, struct diag *d)
{
	sqlite3_stmt *s;
	memset(by_reason, 0, STORE_REASONS * sizeof *by_reason);
	*total = 0;
	int rc = sqlite3_prepare_v2(st->db, "SELECT refused, count(*) FROM requests WHERE state = 0 AND refused IS NOT NULL"
					    " GROUP BY refused",
				    -1, &s, NULL);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "count failed", d);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t why = sqlite3_column_int64(s, 0);
		uint64_t n = (uint64_t)sqlite3_column_int64(s, 1);
		by_reason[why > 0 && why < STORE_REASONS ? why : 0] += n; /* 0: a code this kiosk does not know */
		*total += n;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_fail(st, rc, "count failed", d);
}

int store_count_held_other_key(struct store *st, const unsigned char key_hash[STORE_HASH_LEN],
			       const unsigned char *assume_hash, uint64_t *n, struct diag *d)
{
	sqlite3_stmt *s;
	*n = 0;
	int rc = sqlite3_prepare_v2(st->db,
				    "SELECT count(*) FROM requests WHERE state = 0 AND coalesce(center_key, ?2, x'') != ?1", -1,
				    &s, NULL);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "count failed", d);
	sqlite3_bind_blob(s, 1, key_hash, STORE_HASH_LEN, SQLITE_STATIC);
	if (assume_hash)
		sqlite3_bind_blob(s, 2, assume_hash, STORE_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : db_fail(st, rc, "count failed", d);
}

/* A row of "SELECT seq, id, hash, urgent, sealed, sig, state": 0, or ERR_DAMAGED for a malformed one. */
static int read_row(struct store *st, sqlite3_stmt *s, struct store_request *r, struct diag *d)
{
	memset(r, 0, sizeof *r);
	r->seq = (uint64_t)sqlite3_column_int64(s, 0);
	if (sqlite3_column_bytes(s, 1) != STORE_ID_LEN || sqlite3_column_bytes(s, 2) != STORE_HASH_LEN ||
	    sqlite3_column_bytes(s, 5) != STORE_SIG_LEN) {
		diag_set(d, "%s: request seq=%llu has a malformed row", st->path, (unsigned long long)r->seq);
		return ERR_DAMAGED;
	}
	memcpy(r->id, sqlite3_column_blob(s, 1), STORE_ID_LEN);
	memcpy(r->hash, sqlite3_column_blob(s, 2), STORE_HASH_LEN);
	r->urgent = sqlite3_column_int(s, 3);
	r->sealed = sqlite3_column_blob(s, 4);
	r->sealed_len = (size_t)sqlite3_column_bytes(s, 4);
	memcpy(r->sig, sqlite3_column_blob(s, 5), STORE_SIG_LEN);
	r->state = sqlite3_column_int(s, 6);
	return 0;
}

int store_each_request(struct store *st, store_request_fn cb, void *ctx, struct diag *d)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, "SELECT seq, id, hash, urgent, sealed, sig, state FROM requests ORDER BY seq", -1,
				    &s, NULL);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "read failed", d);
	int res = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_request r;
		if ((res = read_row(st, s, &r, d)))
			break;
		if ((res = cb(ctx, &r)))
			break;
	}
	if (!res && rc != SQLITE_DONE)
		res = db_fail(st, rc, "read failed", d);
	sqlite3_finalize(s);
	return res;
}

int store_each_audit(struct store *st, store_audit_fn cb, void *ctx, struct diag *d)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, "SELECT n, wall, event, detail FROM audit ORDER BY n", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "audit read failed", d);
	int res = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((res = cb(ctx, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
			      (const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3))))
			break;
	if (!res && rc != SQLITE_DONE)
		res = db_fail(st, rc, "audit read failed", d);
	sqlite3_finalize(s);
	return res;
}

/* ---- sync ---- */

static int meta_get(struct store *st, const char *key, void *out, size_t n, int *have, struct diag *d)
{
	sqlite3_stmt *s;
	*have = 0;
	int rc = sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = ?1", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "meta read failed", d);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && (size_t)sqlite3_column_bytes(s, 0) == n) {
		memcpy(out, sqlite3_column_blob(s, 0), n);
		*have = 1;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(st, rc, "meta read failed", d);
}

static int meta_put(struct store *st, const char *key, const void *v, size_t n, struct diag *d)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "meta write failed", d);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, v, (int)n, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_fail(st, rc, "meta write failed", d);
}

static int meta_get_u64(struct store *st, const char *key, uint64_t *v, struct diag *d)
{
	unsigned char b[8];
	int have;
	int rc = meta_get(st, key, b, sizeof b, &have, d);
	*v = 0;
	if (!rc && have)
		for (int i = 7; i >= 0; i--)
			*v = *v << 8 | b[i];
	return rc;
}

static int meta_put_u64(struct store *st, const char *key, uint64_t v, struct diag *d)
{
	unsigned char b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	return meta_put(st, key, b, sizeof b, d);
}

int store_get_epoch(struct store *st, unsigned char epoch[STORE_EPOCH_LEN], int *have, struct diag *d)
{
	return meta_get(st, "center_epoch", epoch, STORE_EPOCH_LEN, have, d);
}

/* Inside a transaction: record the epoch; a new one makes what another epoch acknowledged held again. */
static int set_epoch_in_tx(struct store *st, const unsigned char epoch[STORE_EPOCH_LEN],
			   const unsigned char center[STORE_HASH_LEN], int have, uint64_t *reoffered, struct diag *d)
{
	int res = meta_put(st, "center_epoch", epoch, STORE_EPOCH_LEN, d);
	if (!res) {
		/* A center restored from a backup does not know what the old epoch acknowledged: offer it again. */
		sqlite3_stmt *s;
		int rc = sqlite3_prepare_v2(st->db,
					    "UPDATE requests SET state = 0 WHERE state = 1 AND (epoch IS NULL OR epoch != ?1)"
					    " AND (delivered_by IS NULL OR delivered_by = ?2)",
					    -1, &s, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_blob(s, 1, epoch, STORE_EPOCH_LEN, SQLITE_STATIC);
			sqlite3_bind_blob(s, 2, center, STORE_HASH_LEN, SQLITE_STATIC);
			rc = sqlite3_step(s);
			sqlite3_finalize(s);
		}
		if (rc != SQLITE_DONE)
			res = db_fail(st, rc, "re-offer failed", d);
		else
			*reoffered = (uint64_t)sqlite3_changes(st->db);
	}
	if (!res) {
		char detail[64];
		snprintf(detail, sizeof detail, "first=%d reoffered=%llu", !have, (unsigned long long)*reoffered);
		res = audit_in_tx(st, "center_epoch", detail, d);
	}
	return res;
}

int store_set_epoch(struct store *st, const unsigned char epoch[STORE_EPOCH_LEN], const unsigned char center[STORE_HASH_LEN],
		    uint64_t *reoffered, struct diag *d)
{
	*reoffered = 0;
	unsigned char old[STORE_EPOCH_LEN];
	int have, rc = store_get_epoch(st, old, &have, d);
	if (rc || (have && !memcmp(old, epoch, STORE_EPOCH_LEN)))
		return rc;
	if ((rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK)
		return db_fail(st, rc, "begin failed", d);
	int res = commit_or_rollback(st, set_epoch_in_tx(st, epoch, center, have, reoffered, d), d);
	if (!res)
		log_info("center_epoch first=%d reoffered=%llu", !have, (unsigned long long)*reoffered);
	else
		*reoffered = 0;
	return res;
}

int store_each_held(struct store *st, struct store_cursor *cur, size_t max, store_request_fn cb, void *ctx, struct diag *d)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db,
				    "SELECT seq, id, hash, urgent, sealed, sig, state FROM requests WHERE state = 0 AND"
				    " (urgent < ?1 OR (urgent = ?1 AND seq > ?2)) ORDER BY urgent DESC, seq LIMIT ?3",
				    -1, &s, NULL);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "read failed", d);
	if (!cur->started) {
		cur->urgent = 2;
		cur->seq = 0;
		cur->started = 1;
	}
	sqlite3_bind_int(s, 1, cur->urgent);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)cur->seq);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)max);
	int res = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_request r;
		if ((res = read_row(st, s, &r, d)))
			break;
		if ((res = cb(ctx, &r)))
			break;
		cur->urgent = r.urgent;
		cur->seq = r.seq;
	}
	if (!res && rc != SQLITE_DONE)
		res = db_fail(st, rc, "read failed", d);
	sqlite3_finalize(s);
	return res;
}

/* meta key of the newest receipts counter applied from one center (by its signing key). */
static void counter_key(const unsigned char center[STORE_HASH_LEN], char key[64])
{
	static const char hx[] = "0123456789abcdef";
	memcpy(key, "receipts_counter.", 17);
	for (int i = 0; i < 8; i++) {
		key[17 + 2 * i] = hx[center[i] >> 4];
		key[18 + 2 * i] = hx[center[i] & 15];
	}
	key[33] = '\0';
}

int store_apply_receipts(struct store *st, const unsigned char center[STORE_HASH_LEN], uint64_t counter,
			 const unsigned char epoch[STORE_EPOCH_LEN], const struct store_receipt *r, size_t n,
			 uint64_t *reoffered, uint64_t *marked, struct diag *d)
{
	*marked = 0;
	*reoffered = 0;
	uint64_t session = 0, applied = 0;
	char ckey[64];
	counter_key(center, ckey);
	int rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "begin failed", d);
	int res = meta_get_u64(st, "sync_sessions", &session, d);
	if (!res)
		res = meta_get_u64(st, ckey, &applied, d);
	if (!res && counter < applied) {
		diag_set(d, "receipts counter %llu is older than the %llu already applied from this center "
			    "(an old receipts file replayed?): refused, nothing changed",
			 (unsigned long long)counter, (unsigned long long)applied);
		log_warn("receipts_refused why=old_counter counter=%llu applied=%llu", (unsigned long long)counter,
			 (unsigned long long)applied);
		res = ERR_REFUSED;
	}
	unsigned char old[STORE_EPOCH_LEN];
	int have = 0;
	if (!res)
		res = store_get_epoch(st, old, &have, d);
	if (!res && (!have || memcmp(old, epoch, STORE_EPOCH_LEN)))
		res = set_epoch_in_tx(st, epoch, center, have, reoffered, d);
	sqlite3_stmt *ok = NULL, *no = NULL;
	if (!res) {
		rc = sqlite3_prepare_v2(st->db,
					"UPDATE requests SET state = 1, receipt = ?1, epoch = ?2, delivered_sync = ?3, refused = NULL,"
					" delivered_by = ?6 WHERE id = ?4 AND hash = ?5 AND state = 0",
					-1, &ok, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_prepare_v2(st->db, "UPDATE requests SET refused = ?1 WHERE id = ?2 AND hash = ?3 AND state = 0",
						-1, &no, NULL);
		if (rc != SQLITE_OK)
			res = db_fail(st, rc, "prepare failed", d);
	}
	uint64_t nrefused = 0;
	for (size_t i = 0; i < n && !res; i++) {
		sqlite3_stmt *s = r[i].refused ? no : ok;
		if (r[i].refused) {
			sqlite3_bind_int(s, 1, r[i].refused);
			sqlite3_bind_blob(s, 2, r[i].id, STORE_ID_LEN, SQLITE_STATIC);
			sqlite3_bind_blob(s, 3, r[i].hash, STORE_HASH_LEN, SQLITE_STATIC);
		} else {
			sqlite3_bind_blob(s, 1, r[i].sig, STORE_SIG_LEN, SQLITE_STATIC);
			sqlite3_bind_blob(s, 2, epoch, STORE_EPOCH_LEN, SQLITE_STATIC);
			sqlite3_bind_int64(s, 3, (sqlite3_int64)session + 1);
			sqlite3_bind_blob(s, 4, r[i].id, STORE_ID_LEN, SQLITE_STATIC);
			sqlite3_bind_blob(s, 5, r[i].hash, STORE_HASH_LEN, SQLITE_STATIC);
			sqlite3_bind_blob(s, 6, center, STORE_HASH_LEN, SQLITE_STATIC);
		}
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			res = db_fail(st, rc, "applying receipts failed", d);
		else if (r[i].refused)
			nrefused += (uint64_t)sqlite3_changes(st->db);
		else
			*marked += (uint64_t)sqlite3_changes(st->db);
	}
	sqlite3_finalize(ok);
	sqlite3_finalize(no);
	if (!res && counter > applied)
		res = meta_put_u64(st, ckey, counter, d);
	if (!res && (*marked || nrefused)) {
		char detail[96];
		snprintf(detail, sizeof detail, "n=%llu refused=%llu counter=%llu", (unsigned long long)*marked,
			 (unsigned long long)nrefused, (unsigned long long)counter);
		res = audit_in_tx(st, "delivered", detail, d);
	}
	res = commit_or_rollback(st, res, d);
	if (res) {
		*marked = 0;
		*reoffered = 0;
	} else if (*reoffered) {
		log_info("center_epoch first=%d reoffered=%llu", !have, (unsigned long long)*reoffered);
	}
	return res;
}

int store_sync_finish(struct store *st, uint64_t retention, uint64_t *purged, struct diag *d)
{
	*purged = 0;
	int rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return db_fail(st, rc, "begin failed", d);
	uint64_t session;
	int res = meta_get_u64(st, "sync_sessions", &session, d);
	session++;
	if (!res)
		res = meta_put_u64(st, "sync_sessions", session, d);
	if (!res)
		res = meta_put_u64(st, "last_sync_wall", (uint64_t)clock_wall_seconds(), d);
	if (!res && session > retention) {
		sqlite3_stmt *s;
		rc = sqlite3_prepare_v2(st->db, "DELETE FROM requests WHERE state = 1 AND delivered_sync <= ?1", -1, &s, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_int64(s, 1, (sqlite3_int64)(session - retention));
			rc = sqlite3_step(s);
			sqlite3_finalize(s);
		}
		if (rc != SQLITE_DONE)
			res = db_fail(st, rc, "purge failed", d);
		else
			*purged = (uint64_t)sqlite3_changes(st->db);
	}
	if (!res) {
		char detail[80];
		snprintf(detail, sizeof detail, "session=%llu purged=%llu", (unsigned long long)session, (unsigned long long)*purged);
		res = audit_in_tx(st, "sync_done", detail, d);
	}
	res = commit_or_rollback(st, res, d);
	if (res)
		*purged = 0;
	return res;
}

int store_sync_info(struct store *st, uint64_t *sessions, int64_t *last_wall, struct diag *d)
{
	uint64_t w;
	int rc = meta_get_u64(st, "sync_sessions", sessions, d);
	if (!rc)
		rc = meta_get_u64(st, "last_sync_wall", &w, d);
	*last_wall = rc ? 0 : (int64_t)w;
	return rc;
}

int store_get_hash(struct store *st, const unsigned char id[STORE_ID_LEN], unsigned char hash[STORE_HASH_LEN],
		   struct diag *d)
{
	sqlite3_bind_blob(st->find_id, 1, id, STORE_ID_LEN, SQLITE_STATIC);
	int rc = sqlite3_step(st->find_id);
	int res = ERR_NOTFOUND;
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st->find_id, 1) == STORE_HASH_LEN) {
		memcpy(hash, sqlite3_column_blob(st->find_id, 1), STORE_HASH_LEN);
		res = 0;
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		res = db_fail(st, rc, "lookup failed", d);
	}
	sqlite3_reset(st->find_id);
	sqlite3_clear_bindings(st->find_id);
	return res;
}

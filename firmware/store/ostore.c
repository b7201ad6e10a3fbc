#define LOG_MODULE "ostore"
/*
 * store/ostore: office.db, the console's accounts and audit log. Kept apart
 * from center.db: that database's commit counter signs receipts and its
 * high-water mark detects a restored backup; a login or a page view is not
 * a delivery and must not move either. The audit log is append-only (a
 * trigger refuses UPDATE and DELETE), like the received requests.
 */
#include "ostore.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs.h"
#include "log.h"
#include "mem.h"
#include "sql.h"

struct ostore {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *audit;
};

static const char *const schema_v1 =
	"CREATE TABLE users("
	" login TEXT PRIMARY KEY,"
	" role INTEGER NOT NULL CHECK(role BETWEEN 0 AND 2),"
	" hash TEXT NOT NULL,"
	" created INTEGER NOT NULL,"
	" disabled INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
	"CREATE TABLE audit("
	" n INTEGER PRIMARY KEY AUTOINCREMENT,"
	" wall INTEGER NOT NULL,"
	" who TEXT NOT NULL,"
	" what TEXT NOT NULL,"
	" target TEXT NOT NULL);"
	"CREATE TRIGGER audit_kept BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is kept'); END;"
	"CREATE TRIGGER audit_immutable BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is immutable'); END;";

/* v2: the case register. Codes only (sync/center/register.h says why no free text). */
static const char *const schema_v2 =
	"CREATE TABLE cases("
	" key BLOB PRIMARY KEY CHECK(length(key) = 48),"
	" state INTEGER NOT NULL CHECK(state BETWEEN 0 AND 63),"
	" officer TEXT NOT NULL,"
	" code0 TEXT NOT NULL, code1 TEXT NOT NULL, code2 TEXT NOT NULL,"
	" updated INTEGER NOT NULL,"
	" version INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE case_log("
	" n INTEGER PRIMARY KEY AUTOINCREMENT,"
	" key BLOB NOT NULL,"
	" wall INTEGER NOT NULL,"
	" who TEXT NOT NULL,"
	" from_state INTEGER NOT NULL,"
	" state INTEGER NOT NULL,"
	" officer TEXT NOT NULL,"
	" code0 TEXT NOT NULL, code1 TEXT NOT NULL, code2 TEXT NOT NULL);"
	"CREATE INDEX case_log_key ON case_log(key, n);"
	"CREATE TRIGGER case_log_kept BEFORE DELETE ON case_log BEGIN SELECT RAISE(ABORT, 'the case history is kept'); END;"
	"CREATE TRIGGER case_log_immutable BEFORE UPDATE ON case_log"
	" BEGIN SELECT RAISE(ABORT, 'the case history is immutable'); END;";

static const char *const migrations[] = {schema_v1, schema_v2};
#define NMIGRATIONS (int)(sizeof migrations / sizeof migrations[0])

static const char *const role_names[] = {"director", "officer", "clerk"};

const char *ostore_role_name(int role)
{
	return role >= 0 && role < 3 ? role_names[role] : NULL;
}

int ostore_role_find(const char *name)
{
	for (int i = 0; i < 3; i++)
		if (name && !strcmp(name, role_names[i]))
			return i;
	return -1;
}

int ostore_login_valid(const char *login)
{
	size_t n = login ? strlen(login) : 0;
	if (n < 1 || n > OSTORE_LOGIN_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = login[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static int fail(struct ostore *os, int rc, const char *what, struct diag *d)
{
	int code = (rc & 0xff) == SQLITE_FULL ? ERR_NOSPACE
		   : ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB) ? ERR_DAMAGED
										     : ERR_IO;
	diag_set(d, "%s: %s (%s)", os->path, what, sqlite3_errstr(rc));
	log_error("db_error op=%s sqlite=%d", what, rc);
	return code;
}

static int migrate(struct ostore *os, struct diag *d)
{
	int v = 0, rc = sql_user_version(os->db, &v);
	if (rc != SQLITE_OK)
		return fail(os, rc, "cannot read the schema version", d);
	if (v > NMIGRATIONS) {
		diag_set(d, "%s: made by a newer Spean (schema %d, this one knows %d)", os->path, v, NMIGRATIONS);
		return ERR_STATE;
	}
	for (; v < NMIGRATIONS; v++) {
		char sql[64];
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		rc = sqlite3_exec(os->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(os->db, migrations[v], NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(os->db, sql, NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(os->db, "COMMIT", NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			if (!sqlite3_get_autocommit(os->db))
				sqlite3_exec(os->db, "ROLLBACK", NULL, NULL, NULL);
			return fail(os, rc, "cannot migrate the schema", d);
		}
	}
	return 0;
}

int ostore_open(const char *dir, struct ostore **out, struct diag *d)
{
	struct ostore *os = xcalloc(1, sizeof *os);
	*out = NULL;
	os->path = fs_join(dir, OSTORE_DB_NAME);
	int rc = sqlite3_open_v2(os->path, &os->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK) {
		chmod(os->path, 0600);
		sqlite3_extended_result_codes(os->db, 1);
		sqlite3_busy_timeout(os->db, 10000);
		rc = sqlite3_exec(os->db,
				  "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA temp_store=MEMORY;"
				  "PRAGMA cell_size_check=ON;",
				  NULL, NULL, NULL);
	}
	if (rc != SQLITE_OK) {
		int code = fail(os, rc, "cannot open", d);
		ostore_close(os);
		return code;
	}
	if ((rc = migrate(os, d))) {
		ostore_close(os);
		return rc;
	}
	if ((rc = sqlite3_prepare_v3(os->db, "INSERT INTO audit(wall, who, what, target) VALUES(?1, ?2, ?3, ?4)", -1,
				     SQLITE_PREPARE_PERSISTENT, &os->audit, NULL)) != SQLITE_OK) {
		int code = fail(os, rc, "cannot prepare", d);
		ostore_close(os);
		return code;
	}
	*out = os;
	return 0;
}

void ostore_close(struct ostore *os)
{
	if (!os)
		return;
	sqlite3_finalize(os->audit);
	if (os->db)
		sqlite3_close(os->db);
	free(os->path);
	free(os);
}

int ostore_user_add(struct ostore *os, const char *login, int role, const char *hash, int64_t wall, struct diag *d)
{
	if (!ostore_login_valid(login)) {
		diag_set(d, "a login is 1 to %d of a-z 0-9 . _ -", OSTORE_LOGIN_MAX);
		return ERR_INVAL;
	}
	if (!ostore_role_name(role) || !hash || strlen(hash) >= OSTORE_HASH_MAX) {
		diag_set(d, "a role is director, officer or clerk");
		return ERR_INVAL;
	}
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(os->db, "INSERT INTO users(login, role, hash, created) VALUES(?1, ?2, ?3, ?4)", -1, &s,
				    NULL);
	if (rc != SQLITE_OK)
		return fail(os, rc, "cannot add the account", d);
	sqlite3_bind_text(s, 1, login, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, role);
	sqlite3_bind_text(s, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, wall);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		diag_set(d, "there is an account '%s' already", login);
		return ERR_EXISTS;
	}
	if (rc != SQLITE_DONE)
		return fail(os, rc, "cannot add the account", d);
	log_info("user_added role=%s", role_names[role]);
	return 0;
}

int ostore_user_get(struct ostore *os, const char *login, int *role, char hash[OSTORE_HASH_MAX], struct diag *d)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(os->db, "SELECT role, hash FROM users WHERE login = ?1 AND disabled = 0", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return fail(os, rc, "read failed", d);
	sqlite3_bind_text(s, 1, login, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	int res = 0;
	if (rc == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(s, 1);
		*role = sqlite3_column_int(s, 0);
		if (!h || strlen(h) >= OSTORE_HASH_MAX) {
			diag_set(d, "%s: an account has a malformed password hash", os->path);
			res = ERR_DAMAGED;
		} else
			snprintf(hash, OSTORE_HASH_MAX, "%s", h);
	} else if (rc == SQLITE_DONE) {
		diag_set(d, "no such account");
		res = ERR_NOTFOUND;
	} else
		res = fail(os, rc, "read failed", d);
	sqlite3_finalize(s);
	return res;
}

int ostore_user_disable(struct ostore *os, const char *login, struct diag *d)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(os->db, "UPDATE users SET disabled = 1 WHERE login = ?1 AND disabled = 0", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return fail(os, rc, "cannot disable the account", d);
	sqlite3_bind_text(s, 1, login, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return fail(os, rc, "cannot disable the account", d);
	if (!sqlite3_changes(os->db)) {
		diag_set(d, "no such account");
		return ERR_NOTFOUND;
	}
	log_info("user_disabled");
	return 0;
}

int ostore_user_each(struct ostore *os, ostore_user_fn cb, void *ctx, struct diag *d)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(os->db, "SELECT login, role, created FROM users WHERE disabled = 0 ORDER BY login", -1,
				    &s, NULL);
	if (rc != SQLITE_OK)
		return fail(os, rc, "read failed", d);
	int res = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((res = cb(ctx, (const char *)sqlite3_column_text(s, 0), sqlite3_column_int(s, 1),
			      sqlite3_column_int64(s, 2))))
			break;
	if (!res && rc != SQLITE_DONE)
		res = fail(os, rc, "read failed", d);
	sqlite3_finalize(s);
	return res;
}

int ostore_audit(struct ostore *os, int64_t wall, const char *who, const char *what, const char *target, struct diag *d)
{
	sqlite3_reset(os->audit);
	sqlite3_bind_int64(os->audit, 1, wall);
	sqlite3_bind_text(os->audit, 2, who && *who ? who : "-", -1, SQLITE_STATIC);
	sqlite3_bind_text(os->audit, 3, what, -1, SQLITE_STATIC);
	sqlite3_bind_text(os->audit, 4, target ? target : "", -1, SQLITE_STATIC);
	int rc = sqlite3_step(os->audit);
	sqlite3_clear_bindings(os->audit);
	if (rc != SQLITE_DONE)
		return fail(os, rc, "cannot write the audit log", d);
	return 0;
}

int ostore_audit_each(struct ostore *os, unsigned limit, ostore_audit_fn cb, void *ctx, struct diag *d)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(os->db, "SELECT n, wall, who, what, target FROM audit ORDER BY n DESC LIMIT ?1", -1, &s,
				    NULL);
	if (rc != SQLITE_OK)
		return fail(os, rc, "read failed", d);
	sqlite3_bind_int64(s, 1, limit);
	int res = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((res = cb(ctx, (uint64_t)sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
			      (const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3),
			      (const char *)sqlite3_column_text(s, 4))))
			break;
	if (!res && rc != SQLITE_DONE)
		res = fail(os, rc, "read failed", d);
	sqlite3_finalize(s);
	return res;
}

static void case_from_row(sqlite3_stmt *s, int col, struct ostore_case *c)
{
	c->state = sqlite3_column_int(s, col);
	const char *t = (const char *)sqlite3_column_text(s, col + 1);
	snprintf(c->officer, sizeof c->officer, "%s", t ? t : "");
	for (int i = 0; i < 3; i++) {
		t = (const char *)sqlite3_column_text(s, col + 2 + i);
		snprintf(c->code[i], sizeof c->code[i], "%s", t ? t : "");
	}
}

int ostore_case_get(struct ostore *os, const unsigned char key[OSTORE_CASE_KEY], struct ostore_case *out, struct diag *d)
{
	memset(out, 0, sizeof *out);
	memcpy(out->key, key, OSTORE_CASE_KEY);
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(os->db, "SELECT state, officer, code0, code1, code2, updated, version FROM cases WHERE key = ?1",
				    -1, &s, NULL);
	if (rc != SQLITE_OK)
		return fail(os, rc, "read failed", d);
	sqlite3_bind_blob(s, 1, key, OSTORE_CASE_KEY, SQLITE_STATIC);
	rc = sqlite3_step(s);
	int res = 0;
	if (rc == SQLITE_ROW) {
		case_from_row(s, 0, out);
		out->updated = sqlite3_column_int64(s, 5);
		out->version = (uint64_t)sqlite3_column_int64(s, 6);
	} else if (rc == SQLITE_DONE) {
		diag_set(d, "no case yet");
		res = ERR_NOTFOUND;
	} else
		res = fail(os, rc, "read failed", d);
	sqlite3_finalize(s);
	return res;
}

static int step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int ostore_case_set(struct ostore *os, struct ostore_case *c, int from_state, const char *who, const char *target,
		    int64_t wall, struct diag *d)
{
	int rc = sqlite3_exec(os->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return fail(os, rc, "cannot change the case", d);
	sqlite3_stmt *s = NULL;
	uint64_t have = 0;
	rc = sqlite3_prepare_v2(os->db, "SELECT version FROM cases WHERE key = ?1", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_blob(s, 1, c->key, OSTORE_CASE_KEY, SQLITE_STATIC);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			have = (uint64_t)sqlite3_column_int64(s, 0);
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
		sqlite3_finalize(s);
	}
	if (rc == SQLITE_OK && have != c->version) {
		sqlite3_exec(os->db, "ROLLBACK", NULL, NULL, NULL);
		diag_set(d, "the case was changed by someone else meanwhile");
		return ERR_CONFLICT;
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(os->db,
					"INSERT OR REPLACE INTO cases(key, state, officer, code0, code1, code2, updated, version)"
					" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
					-1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_blob(s, 1, c->key, OSTORE_CASE_KEY, SQLITE_STATIC);
		sqlite3_bind_int(s, 2, c->state);
		sqlite3_bind_text(s, 3, c->officer, -1, SQLITE_STATIC);
		for (int i = 0; i < 3; i++)
			sqlite3_bind_text(s, 4 + i, c->code[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 7, wall);
		sqlite3_bind_int64(s, 8, (sqlite3_int64)(have + 1));
		rc = step_done(s);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(os->db,
					"INSERT INTO case_log(key, wall, who, from_state, state, officer, code0, code1, code2)"
					" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
					-1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_blob(s, 1, c->key, OSTORE_CASE_KEY, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, wall);
		sqlite3_bind_text(s, 3, who, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 4, from_state);
		sqlite3_bind_int(s, 5, c->state);
		sqlite3_bind_text(s, 6, c->officer, -1, SQLITE_STATIC);
		for (int i = 0; i < 3; i++)
			sqlite3_bind_text(s, 7 + i, c->code[i], -1, SQLITE_STATIC);
		rc = step_done(s);
	}
	if (rc == SQLITE_OK) {
		sqlite3_reset(os->audit);
		sqlite3_bind_int64(os->audit, 1, wall);
		sqlite3_bind_text(os->audit, 2, who, -1, SQLITE_STATIC);
		sqlite3_bind_text(os->audit, 3, "case", -1, SQLITE_STATIC);
		sqlite3_bind_text(os->audit, 4, target ? target : "", -1, SQLITE_STATIC);
		rc = sqlite3_step(os->audit) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_clear_bindings(os->audit);
		sqlite3_reset(os->audit);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(os->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		if (!sqlite3_get_autocommit(os->db))
			sqlite3_exec(os->db, "ROLLBACK", NULL, NULL, NULL);
		return fail(os, rc, "cannot change the case", d);
	}
	c->version = have + 1;
	c->updated = wall;
	log_info("case_changed from=%d to=%d", from_state, c->state);
	return 0;
}

int ostore_case_each(struct ostore *os, ostore_case_fn cb, void *ctx, struct diag *d)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(os->db, "SELECT key, state, officer, code0, code1, code2, updated, version FROM cases", -1,
				    &s, NULL);
	if (rc != SQLITE_OK)
		return fail(os, rc, "read failed", d);
	int res = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct ostore_case c;
		memset(&c, 0, sizeof c);
		if (sqlite3_column_bytes(s, 0) != OSTORE_CASE_KEY)
			continue;
		memcpy(c.key, sqlite3_column_blob(s, 0), OSTORE_CASE_KEY);
		case_from_row(s, 1, &c);
		c.updated = sqlite3_column_int64(s, 6);
		c.version = (uint64_t)sqlite3_column_int64(s, 7);
		if ((res = cb(ctx, &c)))
			break;
	}
	if (!res && rc != SQLITE_DONE)
		res = fail(os, rc, "read failed", d);
	sqlite3_finalize(s);
	return res;
}

int ostore_case_log(struct ostore *os, const unsigned char key[OSTORE_CASE_KEY], ostore_case_log_fn cb, void *ctx,
		    struct diag *d)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(os->db,
				    "SELECT wall, who, from_state, state, officer, code0, code1, code2 FROM case_log"
				    " WHERE key = ?1 ORDER BY n",
				    -1, &s, NULL);
	if (rc != SQLITE_OK)
		return fail(os, rc, "read failed", d);
	sqlite3_bind_blob(s, 1, key, OSTORE_CASE_KEY, SQLITE_STATIC);
	int res = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct ostore_case c;
		memset(&c, 0, sizeof c);
		memcpy(c.key, key, OSTORE_CASE_KEY);
		case_from_row(s, 3, &c);
		const char *who = (const char *)sqlite3_column_text(s, 1);
		if ((res = cb(ctx, sqlite3_column_int64(s, 0), who ? who : "-", sqlite3_column_int(s, 2), &c)))
			break;
	}
	if (!res && rc != SQLITE_DONE)
		res = fail(os, rc, "read failed", d);
	sqlite3_finalize(s);
	return res;
}

int ostore_backup(struct ostore *os, const char *dst, struct diag *d)
{
	int rc = sql_backup(os->db, dst);
	if (rc != SQLITE_OK)
		return fail(os, rc, "cannot copy it", d);
	return 0;
}

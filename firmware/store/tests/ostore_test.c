/*
 * Tests for ostore (office.db): accounts (a taken login, a bad login or
 * role refused, a disabled account not found), the audit log newest first
 * and append-only (SQLite itself refuses to change or delete an entry),
 * and the file private to the center's user.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs.h"
#include "ostore.h"
#include "testlib.h"

struct seen {
	int n;
	char first[64];
};

static int on_audit(void *ctx, uint64_t n, int64_t wall, const char *who, const char *what, const char *target)
{
	struct seen *s = ctx;
	(void)n, (void)wall;
	if (!s->n++)
		snprintf(s->first, sizeof s->first, "%s %s %s", who, what, target);
	return 0;
}

static int on_user(void *ctx, const char *login, int role, int64_t created)
{
	(void)login, (void)role, (void)created;
	++*(int *)ctx;
	return 0;
}

static int on_line(void *ctx, int64_t wall, const char *who, int from_state, const struct ostore_case *to)
{
	(void)wall, (void)who, (void)from_state, (void)to;
	++*(int *)ctx;
	return 0;
}

int main(void)
{
	char *dir = t_tmpdir("ostore");
	struct ostore *os = NULL;
	struct diag d = {""};
	CHECK_INT(ostore_open(dir, &os, &d), 0);
	CHECK_INT(ostore_user_add(os, "an", OSTORE_CLERK, "$argon2id$x", 1, &d), 0);
	CHECK_INT(ostore_user_add(os, "an", OSTORE_DIRECTOR, "$argon2id$y", 2, &d), ERR_EXISTS);
	CHECK_INT(ostore_user_add(os, "An", OSTORE_CLERK, "h", 1, &d), ERR_INVAL);
	CHECK_INT(ostore_user_add(os, "a b", OSTORE_CLERK, "h", 1, &d), ERR_INVAL);
	CHECK_INT(ostore_user_add(os, "", OSTORE_CLERK, "h", 1, &d), ERR_INVAL);
	CHECK_INT(ostore_user_add(os, "b", 7, "h", 1, &d), ERR_INVAL);
	int role = -1;
	char hash[OSTORE_HASH_MAX];
	CHECK_INT(ostore_user_get(os, "an", &role, hash, &d), 0);
	CHECK_INT(role, OSTORE_CLERK);
	CHECK_STR(hash, "$argon2id$x");
	CHECK_INT(ostore_user_get(os, "nobody", &role, hash, &d), ERR_NOTFOUND);
	CHECK_INT(ostore_user_add(os, "old", OSTORE_OFFICER, "$argon2id$z", 1, &d), 0);
	CHECK_INT(ostore_user_disable(os, "old", &d), 0);
	CHECK_INT(ostore_user_get(os, "old", &role, hash, &d), ERR_NOTFOUND);
	CHECK_INT(ostore_user_disable(os, "old", &d), ERR_NOTFOUND);
	CHECK_INT(ostore_user_disable(os, "nobody", &d), ERR_NOTFOUND);
	CHECK_INT(ostore_role_find("officer"), OSTORE_OFFICER);
	CHECK_INT(ostore_role_find("king"), -1);
	CHECK_STR(ostore_role_name(OSTORE_DIRECTOR), "director");
	CHECK(ostore_role_name(3) == NULL);
	CHECK(ostore_login_valid("nguyen.van-a_2"));
	CHECK(!ostore_login_valid("123456789012345678901234567890123"));

	CHECK_INT(ostore_audit(os, 10, "an", "login", "127.0.0.1", &d), 0);
	CHECK_INT(ostore_audit(os, 11, "an", "open", "request 7", &d), 0);
	CHECK_INT(ostore_audit(os, 12, NULL, "login_failed", NULL, &d), 0);
	struct seen s = {0, ""};
	CHECK_INT(ostore_audit_each(os, 100, on_audit, &s, &d), 0);
	CHECK_INT(s.n, 3);
	CHECK_STR(s.first, "- login_failed ");
	s.n = 0;
	CHECK_INT(ostore_audit_each(os, 2, on_audit, &s, &d), 0);
	CHECK_INT(s.n, 2);
	ostore_close(os);

	/* The log cannot be changed or emptied behind the console's back, and a disabled account cannot log in. */
	char *path = fs_join(dir, OSTORE_DB_NAME);
	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	sqlite3 *db;
	CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
	CHECK(sqlite3_exec(db, "DELETE FROM audit", NULL, NULL, NULL) != SQLITE_OK);
	CHECK(sqlite3_exec(db, "UPDATE audit SET who = 'x'", NULL, NULL, NULL) != SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "UPDATE users SET disabled = 1 WHERE login = 'an'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	CHECK_INT(ostore_open(dir, &os, &d), 0);
	CHECK_INT(ostore_user_get(os, "an", &role, hash, &d), ERR_NOTFOUND);
	int users = 0;
	CHECK_INT(ostore_user_each(os, on_user, &users, &d), 0);
	CHECK_INT(users, 0);
	s.n = 0;
	CHECK_INT(ostore_audit_each(os, 100, on_audit, &s, &d), 0);
	CHECK_INT(s.n, 3);

	/* The case register: a new case, a change at the version the form had, a stale one refused, the history. */
	struct ostore_case c0, c1;
	unsigned char key[OSTORE_CASE_KEY];
	memset(key, 7, sizeof key);
	CHECK_INT(ostore_case_get(os, key, &c0, &d), ERR_NOTFOUND);
	CHECK_INT(c0.state, 0);
	CHECK_INT((int)c0.version, 0);
	c1 = c0;
	c1.state = 1;
	CHECK_INT(ostore_case_set(os, &c1, 0, "an", "request 1: accepted", 100, &d), 0);
	CHECK_INT((int)c1.version, 1);
	struct ostore_case stale = c0;
	stale.state = 6;
	snprintf(stale.code[0], sizeof stale.code[0], "not_eligible");
	CHECK_INT(ostore_case_set(os, &stale, 0, "an", "request 1: refused", 101, &d), ERR_CONFLICT);
	c1.state = 3;
	snprintf(c1.officer, sizeof c1.officer, "tgv1");
	CHECK_INT(ostore_case_set(os, &c1, 1, "an", "request 1: assigned", 102, &d), 0);
	CHECK_INT(ostore_case_get(os, key, &c0, &d), 0);
	CHECK_INT(c0.state, 3);
	CHECK_STR(c0.officer, "tgv1");
	CHECK_INT((int)c0.version, 2);
	int lines = 0;
	CHECK_INT(ostore_case_log(os, key, on_line, &lines, &d), 0);
	CHECK_INT(lines, 2);
	s.n = 0;
	CHECK_INT(ostore_audit_each(os, 1, on_audit, &s, &d), 0);
	CHECK_STR(s.first, "an case request 1: assigned");
	ostore_close(os);
	CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
	CHECK(sqlite3_exec(db, "DELETE FROM case_log", NULL, NULL, NULL) != SQLITE_OK);
	sqlite3_close(db);
	free(path);
	t_rmtree(dir);
	free(dir);
	return t_done("ostore_test");
}

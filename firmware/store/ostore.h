/* store/ostore: the office's own records beside center.db (office.db): staff accounts and the audit log of who saw or changed what. */
#ifndef SPEAN_OSTORE_H
#define SPEAN_OSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define OSTORE_DB_NAME "office.db"
#define OSTORE_LOGIN_MAX 32 /* bytes of a login: a-z 0-9 . _ - , 1..32 */
#define OSTORE_HASH_MAX 128 /* an Argon2id string (crypt_pin_hash) */

/* A staff member's role; the console decides what each may do (console.c). */
enum ostore_role { OSTORE_DIRECTOR, OSTORE_OFFICER, OSTORE_CLERK };
/* "director", "officer", "clerk"; NULL for another value. */
const char *ostore_role_name(int role);
/* The role named, or -1. */
int ostore_role_find(const char *name);
/* 1 if login is a-z 0-9 . _ - and 1..OSTORE_LOGIN_MAX bytes long. */
int ostore_login_valid(const char *login);

struct ostore;

/*
 * Open (or create) dir/office.db: WAL, synchronous=FULL, 0600. It holds no
 * request and no resident's data: accounts (password hashes) and the audit
 * log, whose targets are request numbers and logins. Not thread-safe: one
 * user at a time (the console holds a lock).
 */
int ostore_open(const char *dir, struct ostore **out, struct diag *d);
void ostore_close(struct ostore *os);

/* Add an account; ERR_EXISTS if the login is taken, ERR_INVAL for a bad login or role. */
int ostore_user_add(struct ostore *os, const char *login, int role, const char *hash, int64_t wall, struct diag *d);
/* An account's role and password hash: 0, or ERR_NOTFOUND (also for a disabled one). */
int ostore_user_get(struct ostore *os, const char *login, int *role, char hash[OSTORE_HASH_MAX], struct diag *d);
/* Disable an account (kept: the audit log names it): 0, or ERR_NOTFOUND. */
int ostore_user_disable(struct ostore *os, const char *login, struct diag *d);
typedef int (*ostore_user_fn)(void *ctx, const char *login, int role, int64_t created);
/* Visit accounts by login; stop early if cb returns non-zero (returned). */
int ostore_user_each(struct ostore *os, ostore_user_fn cb, void *ctx, struct diag *d);

/*
 * One audit entry, durable when this returns 0: who (a login, or "-"), the
 * office clock, what (a fixed word: "login", "login_failed", "open",
 * "logout"...) and its target (a request number, a login): never a
 * resident's data.
 */
int ostore_audit(struct ostore *os, int64_t wall, const char *who, const char *what, const char *target, struct diag *d);
typedef int (*ostore_audit_fn)(void *ctx, uint64_t n, int64_t wall, const char *who, const char *what, const char *target);
/* The newest `limit` entries, newest first; stop early if cb returns non-zero (returned). */
int ostore_audit_each(struct ostore *os, unsigned limit, ostore_audit_fn cb, void *ctx, struct diag *d);

/* ---- the case register (rules in sync/center/register.h; here only what is stored) ---- */

#define OSTORE_CASE_KEY 48  /* the kiosk's key (32 bytes) and the request's id (16): stable across a restore */
#define OSTORE_CODE_MAX 24  /* a code from one of the register's fixed lists */

struct ostore_case {
	unsigned char key[OSTORE_CASE_KEY];
	int state;                            /* enum case_state; a request with no row is 0, new */
	char officer[OSTORE_LOGIN_MAX + 1];   /* "" unless assigned */
	char code[3][OSTORE_CODE_MAX];        /* closed: aid, law, result; refused, referred, voided: the reason in [0] */
	int64_t updated;                      /* office clock */
	uint64_t version;                     /* changes so far: 0 for a new one */
};

/* The case of key: 0, or ERR_NOTFOUND (out holds a new case: state 0, version 0). */
int ostore_case_get(struct ostore *os, const unsigned char key[OSTORE_CASE_KEY], struct ostore_case *out, struct diag *d);
/*
 * Record c as the case's new state in one durable transaction with its
 * history line and an audit entry (who, "case", target), only if the case
 * is still at version c->version (ERR_CONFLICT otherwise: someone changed
 * it since the form was made; nothing written). c->version and c->updated
 * are set to the new ones on success.
 */
int ostore_case_set(struct ostore *os, struct ostore_case *c, int from_state, const char *who, const char *target,
		    int64_t wall, struct diag *d);
typedef int (*ostore_case_fn)(void *ctx, const struct ostore_case *c);
/* Every case with a row, in no particular order; stop early if cb returns non-zero (returned). */
int ostore_case_each(struct ostore *os, ostore_case_fn cb, void *ctx, struct diag *d);
typedef int (*ostore_case_log_fn)(void *ctx, int64_t wall, const char *who, int from_state, const struct ostore_case *to);
/* One case's history, oldest first. */
int ostore_case_log(struct ostore *os, const unsigned char key[OSTORE_CASE_KEY], ostore_case_log_fn cb, void *ctx,
		    struct diag *d);

/* A consistent copy of the database into the new file dst (SQLite's online backup): 0, or ERR_IO with d. */
int ostore_backup(struct ostore *s, const char *dst, struct diag *d);

#endif

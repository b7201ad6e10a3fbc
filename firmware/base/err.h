/* base/err: the one error vocabulary of Spean (negative codes, names, messages). */
#ifndef SPEAN_BASE_ERR_H
#define SPEAN_BASE_ERR_H

#include <stddef.h>

/* Functions return 0 on success or one of these (always negative). */
enum err {
	ERR_OK = 0,
	ERR_IO = -1,        /* read/write/fsync failed */
	ERR_NOSPACE = -2,   /* disk full */
	ERR_PARSE = -3,     /* malformed input */
	ERR_INVAL = -4,     /* bad argument or value */
	ERR_NOTFOUND = -5,  /* no such thing */
	ERR_EXISTS = -6,    /* already there */
	ERR_CRYPTO = -7,    /* signature/seal failed to verify */
	ERR_DAMAGED = -8,   /* database damaged (moved aside) */
	ERR_STATE = -9,     /* operation not allowed in this state (e.g. not provisioned) */
	ERR_CONFLICT = -10, /* same id, different content */
	ERR_REFUSED = -11,  /* refused by policy (e.g. no consent) */
	ERR_TOOBIG = -12,   /* input over a size limit */
};

/* "ERR_IO" etc.; never NULL. */
const char *err_name(int code);
/* A short human sentence; never NULL. */
const char *err_message(int code);
/* Map an errno value to our code (ENOSPC -> ERR_NOSPACE, ENOENT -> ERR_NOTFOUND, else ERR_IO). */
int err_from_errno(int e);

/*
 * A human-readable explanation of the last failure, filled by parsers and
 * loaders ("facts.txt:3: unknown key 'foo'"). Never contains personal data:
 * callers quote keys and line numbers, not values typed by a resident.
 */
struct diag {
	char msg[512];
};

void diag_set(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefix the existing message ("file: " + msg). */
void diag_prefix(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
	int code;
	const char *name;
	const char *msg;
} table[] = {
	{ERR_OK, "ERR_OK", "success"},
	{ERR_IO, "ERR_IO", "input/output error"},
	{ERR_NOSPACE, "ERR_NOSPACE", "no space left on the device"},
	{ERR_PARSE, "ERR_PARSE", "malformed input"},
	{ERR_INVAL, "ERR_INVAL", "invalid value"},
	{ERR_NOTFOUND, "ERR_NOTFOUND", "not found"},
	{ERR_EXISTS, "ERR_EXISTS", "already exists"},
	{ERR_CRYPTO, "ERR_CRYPTO", "cryptographic check failed"},
	{ERR_DAMAGED, "ERR_DAMAGED", "database is damaged"},
	{ERR_STATE, "ERR_STATE", "not allowed in the current state"},
	{ERR_CONFLICT, "ERR_CONFLICT", "same id with different content"},
	{ERR_REFUSED, "ERR_REFUSED", "refused"},
	{ERR_TOOBIG, "ERR_TOOBIG", "input too large"},
};

const char *err_name(int code)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].code == code)
			return table[i].name;
	return "ERR_UNKNOWN";
}

const char *err_message(int code)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].code == code)
			return table[i].msg;
	return "unknown error";
}

int err_from_errno(int e)
{
	switch (e) {
	case ENOSPC:
	case EDQUOT:
		return ERR_NOSPACE;
	case ENOENT:
		return ERR_NOTFOUND;
	case EEXIST:
		return ERR_EXISTS;
	default:
		return ERR_IO;
	}
}

void diag_set(struct diag *d, const char *fmt, ...)
{
	if (!d)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
}

void diag_prefix(struct diag *d, const char *fmt, ...)
{
	if (!d)
		return;
	char pre[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(pre, sizeof pre, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t pl = strlen(pre), ml = strlen(d->msg);
	if (pl >= sizeof d->msg)
		pl = sizeof d->msg - 1;
	if (pl + ml >= sizeof d->msg)
		ml = sizeof d->msg - 1 - pl;
	memmove(d->msg + pl, d->msg, ml);
	memcpy(d->msg, pre, pl);
	d->msg[pl + ml] = '\0';
}

/* Fuzz target for the center's network gate (sync/center/serve): a request's Content-Length and Transfer-Encoding
 * admitted or refused before a body byte is read, and a body's first bytes checked against the message framing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "protocol.h"
#include "serve.h"

/* Input: a flags byte (1: Content-Length present, 2: Transfer-Encoding present), the Content-Length up to '\n',
 * the Transfer-Encoding up to '\n', then the body's first bytes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	unsigned flags = data[0];
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t cn = nl ? (size_t)(nl - p) : (size_t)(end - p);
	char *cl = malloc(cn + 1);
	memcpy(cl, p, cn);
	cl[cn] = '\0';
	p = nl ? nl + 1 : end;
	nl = memchr(p, '\n', (size_t)(end - p));
	size_t tn = nl ? (size_t)(nl - p) : (size_t)(end - p);
	char *te = malloc(tn + 1);
	memcpy(te, p, tn);
	te[tn] = '\0';
	p = nl ? nl + 1 : end;
	const unsigned char *head = (const unsigned char *)p;
	size_t hn = (size_t)(end - p);

	struct diag d = {""};
	size_t len = 1;
	unsigned st = center_serve_admit(flags & 1 ? cl : NULL, flags & 2 ? te : NULL, &len, &d);
	FUZZ_CHECK(st == 0 || st == 400 || st == 411 || st == 413);
	if (st) {
		FUZZ_CHECK(len == 0);
		fuzz_check_diag(&d);
	} else {
		/* Admitted: a Content-Length of digits only, no Transfer-Encoding, a length a message can have. */
		FUZZ_CHECK((flags & 1) && !(flags & 2));
		FUZZ_CHECK(len >= SYNC_HEADER_LEN + CRYPT_SIG && len <= SYNC_MAX_MESSAGE);
		/* (as a C string: a NUL in the input ends the header value, as it would end libmicrohttpd's) */
		FUZZ_CHECK(cl[0] && strspn(cl, "0123456789") == strlen(cl) && strtoull(cl, NULL, 10) == len);
	}
	if (!(flags & 1) || (flags & 2))
		FUZZ_CHECK(st == 411);

	/* The framing: accepted only with the magic and exactly len bytes in all. */
	size_t want = st ? hn : len;
	struct diag d2 = {""};
	unsigned fs = center_serve_frame(head, hn, want, &d2);
	FUZZ_CHECK(fs == 0 || fs == 400);
	if (fs)
		fuzz_check_diag(&d2);
	else {
		FUZZ_CHECK(hn >= SYNC_HEADER_LEN && !memcmp(head, SYNC_MAGIC, 4));
		uint64_t body = (uint64_t)head[8] | (uint64_t)head[9] << 8 | (uint64_t)head[10] << 16 | (uint64_t)head[11] << 24;
		FUZZ_CHECK(SYNC_HEADER_LEN + body + CRYPT_SIG == want);
	}
	/* A header made for an admitted length is accepted. */
	if (!st) {
		unsigned char h[SYNC_HEADER_LEN] = {'S', 'P', 'N', '1', SYNC_OFFER};
		size_t b = len - SYNC_HEADER_LEN - CRYPT_SIG;
		for (int k = 0; k < 4; k++)
			h[8 + k] = (unsigned char)(b >> (8 * k));
		struct diag d3 = {""};
		FUZZ_CHECK(center_serve_frame(h, sizeof h, len, &d3) == 0);
	}
	free(cl);
	free(te);
	return 0;
}

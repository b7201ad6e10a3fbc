/* Fuzz target for base/kv's key files: keyfile_parse with 32- and 64-byte keys, and a hex round trip. */
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "kv.h"

/* Parse with keylen; on success the key's own hex form (with a comment) parses to the same key. */
static int parse_one(const uint8_t *data, size_t size, size_t keylen)
{
	unsigned char key[64], again[64];
	char hex[2 * 64 + 1], text[2 * 64 + 64];
	struct diag d = {""};
	/* A guard pattern: nothing past keylen may be written. */
	memset(key, 0xA5, sizeof key);
	int rc = keyfile_parse((const char *)data, size, key, keylen, &d);
	FUZZ_CHECK(rc == 0 || rc == ERR_PARSE);
	for (size_t i = keylen; i < sizeof key; i++)
		FUZZ_CHECK(key[i] == 0xA5);
	if (rc) {
		fuzz_check_diag(&d);
		return rc;
	}
	hex_encode(key, keylen, hex);
	int n = snprintf(text, sizeof text, "# key\n  %s\r\n\n", hex);
	FUZZ_CHECK(n > 0 && (size_t)n < sizeof text);
	struct diag d2 = {""};
	FUZZ_CHECK(keyfile_parse(text, (size_t)n, again, keylen, &d2) == 0);
	FUZZ_CHECK(memcmp(key, again, keylen) == 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int ok32 = parse_one(data, size, 32) == 0;
	int ok64 = parse_one(data, size, 64) == 0;
	/* One key line has one length: a file cannot hold both a 32- and a 64-byte key. */
	FUZZ_CHECK(!(ok32 && ok64));
	return 0;
}

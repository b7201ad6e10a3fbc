/* Fuzz target for base/kv's key files: keyfile_parse with 32- and 64-byte keys, named keys (center cards), and a hex round trip. */
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

/* A center card's named keys: on success the key round-trips through a card with another name around it. */
static void parse_named(const uint8_t *data, size_t size, const char *name)
{
	unsigned char key[32], again[32];
	char hex[65], text[256];
	struct diag d = {""};
	int rc = keyfile_parse_named((const char *)data, size, name, key, sizeof key, &d);
	FUZZ_CHECK(rc == 0 || rc == ERR_PARSE);
	if (rc) {
		fuzz_check_diag(&d);
		return;
	}
	hex_encode(key, sizeof key, hex);
	int n = snprintf(text, sizeof text, "# card\nother = 00\n%s = %s\n", name, hex);
	FUZZ_CHECK(n > 0 && (size_t)n < sizeof text);
	FUZZ_CHECK(keyfile_parse_named(text, (size_t)n, name, again, sizeof again, &d) == 0);
	FUZZ_CHECK(memcmp(key, again, sizeof key) == 0);
}

/* A named text value (the card's "tls" pin): printable, NUL-terminated, within bounds. */
static void parse_text(const uint8_t *data, size_t size)
{
	char out[64];
	memset(out, 0xA5, sizeof out);
	struct diag d = {""};
	int rc = keyfile_text_named((const char *)data, size, "tls", out, 40, &d);
	FUZZ_CHECK(rc == 0 || rc == ERR_PARSE || rc == ERR_NOTFOUND);
	for (size_t i = 40; i < sizeof out; i++)
		FUZZ_CHECK((unsigned char)out[i] == 0xA5);
	if (rc) {
		fuzz_check_diag(&d);
		return;
	}
	size_t n = strlen(out);
	FUZZ_CHECK(n > 0 && n < 40);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(out[i] > ' ' && out[i] <= '~');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_text(data, size);
	parse_named(data, size, "box");
	parse_named(data, size, "sign");
	int ok32 = parse_one(data, size, 32) == 0;
	int ok64 = parse_one(data, size, 64) == 0;
	/* One key line has one length: a file cannot hold both a 32- and a 64-byte key. */
	FUZZ_CHECK(!(ok32 && ok64));
	return 0;
}

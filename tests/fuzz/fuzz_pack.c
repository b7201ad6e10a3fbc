/* Fuzz target for core/contentpack: a picture's BMP header, a recording's WAV header, a file name in a pack, and a whole pack (its files split from the input). */
#include <stdint.h>
#include <string.h>

#include "contentpack.h"
#include "fuzz_common.h"

/* Mode 3: entries [name_len:u8 name data_len:u16le data]... until the input ends. */
#define MAX_ENTRIES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	struct diag d = {""};
	int rc;
	switch (data[0] & 3) {
	case 0: {
		struct content_picture pic;
		rc = content_bmp_check(p, n, &pic, &d);
		FUZZ_CHECK(rc == 0 || rc == ERR_PARSE);
		if (rc == 0) {
			/* What the kiosk then hands SDL: square, within the limits, and every row inside the file. */
			FUZZ_CHECK(pic.w == pic.h && pic.w >= CONTENT_PICTURE_MIN && pic.w <= CONTENT_PICTURE_MAX);
			FUZZ_CHECK(pic.bpp == 24 || pic.bpp == 32);
			size_t row = ((size_t)pic.w * (size_t)pic.bpp + 31) / 32 * 4;
			FUZZ_CHECK(pic.pixels_at >= 54 && pic.pixels_at + row * (size_t)pic.h <= n);
		} else {
			fuzz_check_diag(&d);
		}
		break;
	}
	case 1:
		rc = content_wav_check(p, n, &d);
		FUZZ_CHECK(rc == 0 || rc == ERR_PARSE || rc == ERR_TOOBIG);
		if (rc == 0)
			FUZZ_CHECK(n >= 44 && n <= CONTENT_MAX_AUDIO && !memcmp(p, "RIFF", 4));
		else
			fuzz_check_diag(&d);
		break;
	case 2:
		if (content_name_ok((const char *)p, n)) {
			/* Nothing that can leave the pack's directory. */
			FUZZ_CHECK(n < CONTENT_MAX_NAME && p[0] != '/' && p[n - 1] != '/');
			FUZZ_CHECK(!memchr(p, '\\', n) && !memchr(p, '\0', n));
			for (size_t i = 0; i < n; i++)
				FUZZ_CHECK(p[i] > ' ' && p[i] < 0x7f);
			for (size_t i = 0; i + 1 < n; i++)
				FUZZ_CHECK(!(p[i] == '.' && p[i + 1] == '.' && (i == 0 || p[i - 1] == '/') &&
					     (i + 2 == n || p[i + 2] == '/')));
		}
		break;
	default: {
		struct content_file f[MAX_ENTRIES];
		char names[MAX_ENTRIES][256];
		size_t nf = 0, at = 0;
		while (nf < MAX_ENTRIES && at < n) {
			size_t nl = p[at++];
			if (n - at < nl + 2)
				break;
			memcpy(names[nf], p + at, nl);
			names[nf][nl] = '\0';
			at += nl;
			size_t dl = (size_t)p[at] | (size_t)p[at + 1] << 8;
			at += 2;
			if (dl > n - at)
				dl = n - at;
			f[nf] = (struct content_file){names[nf], p + at, dl};
			at += dl;
			nf++;
		}
		rc = content_pack_check(f, nf, (const char *)spean_builtin_rules, spean_builtin_rules_len, &d);
		FUZZ_CHECK(rc == 0 || rc == ERR_PARSE || rc == ERR_TOOBIG || rc == ERR_NOTFOUND);
		if (rc)
			fuzz_check_diag(&d);
		break;
	}
	}
	return 0;
}

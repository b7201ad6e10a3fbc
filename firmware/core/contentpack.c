#define LOG_MODULE "contentpack"
/*
 * core/contentpack: one check for a whole pack, so the center never signs
 * what a kiosk would refuse and a kiosk never installs what it could not
 * show. Every header is read with its length checked first: nothing is
 * allocated from a size a file claims.
 */
#include "contentpack.h"

#include <stdio.h>
#include <string.h>

#include "content.h"
#include "holidays.h"
#include "hours.h"
#include "rules.h"

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

int content_key_ok(const char *s, size_t n)
{
	if (n == 0 || n >= CONTENT_MAX_NAME || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!name_char((unsigned char)s[i]))
			return 0;
	return 1;
}

int content_name_ok(const char *name, size_t n)
{
	if (n == 0 || n >= CONTENT_MAX_NAME)
		return 0;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++)
		if (i == n || name[i] == '/') {
			if (!content_key_ok(name + start, i - start))
				return 0;
			start = i + 1;
		}
	return 1;
}

/* ---- pictures ---- */

int content_bmp_check(const void *data, size_t len, struct content_picture *p, struct diag *d)
{
	const unsigned char *b = data;
	memset(p, 0, sizeof *p);
	if (len < 14 + 40 || b[0] != 'B' || b[1] != 'M') {
		diag_set(d, "not a BMP picture (%s)", len < 54 ? "too short" : "no BM signature");
		return ERR_PARSE;
	}
	uint32_t file_size = le32(b + 2), at = le32(b + 10), hs = le32(b + 14);
	if (hs != 40 && hs != 108 && hs != 124) {
		diag_set(d, "BMP header of %u bytes; want a Windows one (40, 108 or 124)", hs);
		return ERR_PARSE;
	}
	if (len < 14 + (size_t)hs) {
		diag_set(d, "BMP header cut short (%zu bytes)", len);
		return ERR_PARSE;
	}
	int32_t w = (int32_t)le32(b + 18), h = (int32_t)le32(b + 22);
	uint32_t planes = le16(b + 26), bpp = le16(b + 28), comp = le32(b + 30);
	/* |h| without overflowing on INT32_MIN: top-down pictures have a negative height. */
	int64_t ah = h < 0 ? -(int64_t)h : h;
	if (w < CONTENT_PICTURE_MIN || w > CONTENT_PICTURE_MAX || ah != w) {
		diag_set(d, "%dx%lld px; a picture is square, %d to %d px", w, (long long)ah, CONTENT_PICTURE_MIN,
			 CONTENT_PICTURE_MAX);
		return ERR_PARSE;
	}
	if (planes != 1 || (bpp != 24 && bpp != 32) || !(comp == 0 || (comp == 3 && bpp == 32))) {
		diag_set(d, "BMP of %u planes, %u bits, compression %u; want 24 or 32 bits uncompressed (or 32-bit bitfields)",
			 planes, bpp, comp);
		return ERR_PARSE;
	}
	/* 40-byte headers keep their three bitfield masks after the header. */
	size_t head = 14 + (size_t)hs + (hs == 40 && comp == 3 ? 12 : 0);
	size_t row = ((size_t)w * bpp + 31) / 32 * 4, pixels = row * (size_t)ah;
	if (at < head || at > len || len - at < pixels) {
		diag_set(d, "BMP pixel rows at %u, %zu bytes for %dx%d px, in a file of %zu bytes", at, pixels, w, w, len);
		return ERR_PARSE;
	}
	if (file_size != len || len - at - pixels > 4) {
		diag_set(d, "BMP file of %zu bytes where its header says %u and its pixels need %zu", len, file_size, at + pixels);
		return ERR_PARSE;
	}
	p->w = w;
	p->h = (int)ah;
	p->bpp = (int)bpp;
	p->pixels_at = at;
	return 0;
}

/* ---- recordings ---- */

int content_wav_check(const void *data, size_t len, struct diag *d)
{
	const unsigned char *b = data;
	if (len > CONTENT_MAX_AUDIO) {
		diag_set(d, "recording of %zu bytes; at most %u", len, CONTENT_MAX_AUDIO);
		return ERR_TOOBIG;
	}
	if (len < 12 || memcmp(b, "RIFF", 4) || memcmp(b + 8, "WAVE", 4)) {
		diag_set(d, "not a WAV recording (no RIFF/WAVE header)");
		return ERR_PARSE;
	}
	if ((size_t)le32(b + 4) != len - 8) {
		diag_set(d, "WAV of %zu bytes where its header says %llu", len, (unsigned long long)le32(b + 4) + 8);
		return ERR_PARSE;
	}
	int have_fmt = 0;
	uint32_t align = 0;
	for (size_t at = 12; at < len;) {
		if (len - at < 8) {
			diag_set(d, "WAV chunk header cut short at byte %zu", at);
			return ERR_PARSE;
		}
		const unsigned char *c = b + at;
		uint32_t n = le32(c + 4);
		if (n > len - at - 8) {
			diag_set(d, "WAV chunk '%.4s' of %u bytes runs past the end (byte %zu of %zu)",
				 name_char(c[0]) && name_char(c[1]) && name_char(c[2]) ? (const char *)c : "????", n, at, len);
			return ERR_PARSE;
		}
		if (!memcmp(c, "fmt ", 4)) {
			if (have_fmt++ || n < 16) {
				diag_set(d, "WAV format chunk repeated or short (%u bytes)", n);
				return ERR_PARSE;
			}
			uint32_t tag = le16(c + 8), ch = le16(c + 10), rate = le32(c + 12), byterate = le32(c + 16), bits = le16(c + 22);
			align = le16(c + 20);
			if (tag != 1 || ch < 1 || ch > 2 || rate < 8000 || rate > 48000 || (bits != 8 && bits != 16) ||
			    align != ch * bits / 8 || byterate != rate * align) {
				diag_set(d, "WAV format %u, %u channels, %u Hz, %u bits, block %u, %u bytes/s; want PCM, 1 or 2 "
					    "channels, 8000 to 48000 Hz, 8 or 16 bits, consistent",
					 tag, ch, rate, bits, align, byterate);
				return ERR_PARSE;
			}
		} else if (!memcmp(c, "data", 4)) {
			if (!have_fmt || n % align) {
				diag_set(d, "WAV data %s", have_fmt ? "is not whole samples" : "before its format chunk");
				return ERR_PARSE;
			}
			if (len - at - 8 - n > 1) { /* only the pad byte of an odd chunk may follow */
				diag_set(d, "WAV: %zu bytes after the data chunk", len - at - 8 - n);
				return ERR_PARSE;
			}
			return 0;
		}
		at += 8 + (size_t)n + (n & 1);
	}
	diag_set(d, "WAV has no data chunk");
	return ERR_PARSE;
}

/* ---- the whole pack ---- */

static const struct content_file *find(const struct content_file *f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].name, name))
			return &f[i];
	return NULL;
}

static int starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static int ends(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

/* A text file the kiosk needs: present and within CONTENT_MAX_TEXT; NULL with d set otherwise. */
static const struct content_file *text_file(const struct content_file *f, size_t n, const char *name, struct diag *d)
{
	const struct content_file *t = find(f, n, name);
	if (!t)
		diag_set(d, "%s: missing from the pack", name);
	else if (t->len > CONTENT_MAX_TEXT)
		diag_set(d, "%s: %zu bytes; a text file is at most %u", name, t->len, CONTENT_MAX_TEXT);
	else
		return t;
	return NULL;
}

/* Every file alone: names, sizes, headers. */
static int check_files(const struct content_file *f, size_t n, struct diag *d)
{
	if (n > CONTENT_MAX_FILES) {
		diag_set(d, "pack: %zu files; at most %d", n, CONTENT_MAX_FILES);
		return ERR_TOOBIG;
	}
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		const char *name = f[i].name;
		int rc = 0;
		if (!content_name_ok(name, strlen(name))) {
			/* The name itself may be hostile (control characters, a terminal escape): not printed raw. */
			char shown[CONTENT_MAX_NAME];
			size_t k = 0;
			for (const char *s = name; *s && k + 1 < sizeof shown; s++)
				shown[k++] = name_char((unsigned char)*s) || *s == '/' ? *s : '?';
			shown[k] = '\0';
			diag_set(d, "%s%s: a bad name for a file in a pack: want relative parts of A-Z a-z 0-9 . _ - (no \"..\", "
				    "no absolute path, shorter than %d bytes)",
				 shown, strlen(name) >= sizeof shown ? "..." : "", CONTENT_MAX_NAME);
			return ERR_PARSE;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(f[j].name, name)) {
				diag_set(d, "%s: appears twice in the pack", name);
				return ERR_PARSE;
			}
		if (f[i].len > CONTENT_MAX_BYTES || (total += f[i].len) > CONTENT_MAX_BYTES) {
			diag_set(d, "%s: the pack passes %u bytes (MiB: %u) here", name, CONTENT_MAX_BYTES, CONTENT_MAX_BYTES >> 20);
			return ERR_TOOBIG;
		}
		if (ends(name, ".bmp")) {
			struct content_picture p;
			rc = content_bmp_check(f[i].data, f[i].len, &p, d);
		} else if (starts(name, "audio/")) {
			const char *key = name + 6, *slash = strchr(key, '/');
			if (!slash || strchr(slash + 1, '/') || !ends(slash + 1, ".wav") || strlen(slash + 1) <= 4) {
				diag_set(d, "a recording is audio/LANG/KEY.wav");
				rc = ERR_PARSE;
			} else {
				rc = content_wav_check(f[i].data, f[i].len, d);
			}
		}
		if (rc) {
			diag_prefix(d, "%s: ", name);
			return rc;
		}
	}
	return 0;
}

/* audio.keys: one key a line ('#' comments), each a good single name (it becomes audio/LANG/KEY.wav). */
static int check_audio_keys(const struct content_file *k, struct diag *d)
{
	const char *s = k->data, *e = s + k->len;
	unsigned line = 0;
	while (s < e) {
		const char *nl = memchr(s, '\n', (size_t)(e - s)), *end = nl ? nl : e;
		line++;
		size_t n = (size_t)(end - s);
		if (n && s[n - 1] == '\r')
			n--;
		if (n && s[0] != '#' && !content_key_ok(s, n)) {
			diag_set(d, "audio.keys: line %u: a key is one name of A-Z a-z 0-9 . _ - (shorter than %d bytes)", line,
				 CONTENT_MAX_NAME);
			return ERR_PARSE;
		}
		s = nl ? nl + 1 : e;
	}
	return 0;
}

int content_pack_check(const struct content_file *f, size_t n, const char *default_rules, size_t default_rules_len,
		       struct diag *d)
{
	struct rules *r = NULL;
	struct content c;
	struct catalog *cat[2] = {NULL, NULL};
	static const char *const langs[2] = {"vi", "km"};
	const struct content_file *t;
	const char *file = NULL;
	memset(&c, 0, sizeof c);
	int rc = check_files(f, n, d);
	if (rc)
		goto fail;
	rc = ERR_PARSE;
	const struct content_file *own = find(f, n, "eligibility.rules");
	file = "eligibility.rules";
	if (own && own->len > CONTENT_MAX_TEXT) {
		diag_set(d, "%zu bytes; a text file is at most %u", own->len, CONTENT_MAX_TEXT);
		goto fail;
	}
	if ((rc = own ? rules_parse(own->data, own->len, &r, d) : rules_parse(default_rules, default_rules_len, &r, d)))
		goto fail;
	file = NULL;
	rc = ERR_PARSE;
	if (!(t = text_file(f, n, "questions.conf", d)))
		goto fail;
	file = t->name;
	if ((rc = content_parse_questions(t->data, t->len, &c, d)))
		goto fail;
	file = NULL;
	rc = ERR_PARSE;
	if (!(t = text_file(f, n, "communes.txt", d)))
		goto fail;
	file = t->name;
	if ((rc = content_parse_communes(t->data, t->len, &c, d)))
		goto fail;
	for (int l = 0; l < 2; l++) {
		char name[16];
		snprintf(name, sizeof name, "strings.%s", langs[l]);
		file = NULL;
		rc = ERR_PARSE;
		if (!(t = text_file(f, n, name, d)))
			goto fail;
		file = t->name;
		if ((rc = catalog_parse(t->data, t->len, &cat[l], d)) || (rc = content_check_catalog(&c, r, cat[l], langs[l], d)))
			goto fail;
	}
	file = NULL;
	for (int q = 0; q < c.nquestions; q++) {
		if (!c.q[q].icon[0])
			continue;
		char name[64];
		snprintf(name, sizeof name, "icons/%s.bmp", c.q[q].icon);
		const struct content_file *pic = find(f, n, name);
		if (!pic) {
			diag_set(d, "%s: missing from the pack (the picture of question %s)", name, c.q[q].id);
			rc = ERR_NOTFOUND;
			goto fail;
		}
		/* One picture under two names is as shared as one name (questions.conf refuses that); so is a copy of an answer symbol. */
		for (int o = 0; o < ANSWER_SYMBOLS + q; o++) {
			char other[64];
			snprintf(other, sizeof other, "icons/%s.bmp", o < ANSWER_SYMBOLS ? content_answer_symbol[o]
											 : c.q[o - ANSWER_SYMBOLS].icon);
			const struct content_file *of = find(f, n, other);
			if (of && of->len == pic->len && !memcmp(of->data, pic->data, pic->len)) {
				diag_set(d, "%s: the same picture as %s (%s%s); each question has its own", name, other,
					 o < ANSWER_SYMBOLS ? "an answer button's symbol" : "the picture of question ",
					 o < ANSWER_SYMBOLS ? "" : c.q[o - ANSWER_SYMBOLS].id);
				rc = ERR_PARSE;
				goto fail;
			}
		}
	}
	/* The answer buttons' symbols: the kiosk shows them on every question. */
	for (int a = 0; a < ANSWER_SYMBOLS; a++) {
		char name[64];
		snprintf(name, sizeof name, "icons/%s.bmp", content_answer_symbol[a]);
		if (!find(f, n, name)) {
			diag_set(d, "%s: missing from the pack (an answer button's symbol: every pack has icons/%s, %s and %s.bmp)",
				 name, content_answer_symbol[0], content_answer_symbol[1], content_answer_symbol[2]);
			rc = ERR_NOTFOUND;
			goto fail;
		}
	}
	if ((t = find(f, n, "audio.keys")) && (rc = check_audio_keys(t, d)))
		goto fail;
	/*
	 * Optional here, so a kiosk keeps starting on a pack signed before packs
	 * carried it (it then says it cannot count working days); the center
	 * signs no new pack without it, and `spean content check` wants it
	 * covering this year (content_pack_holidays).
	 */
	if ((t = find(f, n, "holidays.txt"))) {
		file = t->name;
		rc = ERR_PARSE;
		if (t->len > CONTENT_MAX_TEXT) {
			diag_set(d, "%zu bytes; a text file is at most %u", t->len, CONTENT_MAX_TEXT);
			goto fail;
		}
		if ((rc = holidays_parse(t->data, t->len, &c.holidays, d)))
			goto fail;
	}
	/* Optional for good: a pack without opening hours is always open (the screen is only dimmed when idle). */
	if ((t = find(f, n, "hours.txt"))) {
		file = t->name;
		if ((rc = hours_parse(t->data, t->len, &c.hours, d)))
			goto fail;
	}
	rc = 0;
fail:
	if (rc && file)
		diag_prefix(d, "%s: ", file);
	catalog_destroy(cat[0]);
	catalog_destroy(cat[1]);
	content_finish(&c);
	rules_destroy(r);
	return rc;
}

int content_pack_holidays(const struct content_file *f, size_t n, int year, struct diag *d)
{
	struct holidays h; /* ~18 KiB of stack, like content_pack_check's struct content */
	const struct content_file *t = find(f, n, "holidays.txt");
	if (!t) {
		diag_set(d, "holidays.txt: missing from the pack (the kiosk counts working days to a hearing with it)");
		return ERR_NOTFOUND;
	}
	int rc = t->len > CONTENT_MAX_TEXT ? ERR_PARSE : holidays_parse(t->data, t->len, &h, d);
	if (rc == 0)
		rc = holidays_check_year(&h, year, d);
	if (rc && t->len > CONTENT_MAX_TEXT)
		diag_set(d, "%zu bytes; a text file is at most %u", t->len, CONTENT_MAX_TEXT);
	if (rc)
		diag_prefix(d, "holidays.txt: ");
	return rc;
}

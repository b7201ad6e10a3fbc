/* ui/input tests: Vietnamese Telex and VNI against m17n-db's tables and vectors, hand cases, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "input_test.h"
#include "kv.h"
#include "testlib.h"
#include "vi_input.h"

static const char *method_name(enum vi_method m)
{
	return m == VI_VNI ? "vni" : "telex";
}

/* The engine's text for a key string typed into an empty word (malloc'd). */
static char *type_keys(enum vi_method m, const char *keys)
{
	struct buf b;
	buf_init(&b);
	int rc = vi_input_keys(m, keys, &b);
	if (rc < 0) {
		buf_finish(&b);
		return xstrdup("(error)");
	}
	buf_append(&b, "", 0);
	return b.data;
}

static int is_nfc(const char *s)
{
	UErrorCode st = U_ZERO_ERROR;
	UChar u[4096];
	int32_t n = 0;
	u_strFromUTF8(u, 4096, &n, s, -1, &st);
	if (U_FAILURE(st))
		return 0;
	const UNormalizer2 *nfc = unorm2_getNFCInstance(&st);
	UBool ok = unorm2_isNormalized(nfc, u, n, &st);
	return U_SUCCESS(st) && ok;
}

#define CHECK_KEYS(m, keys, want)                                                                  \
	do {                                                                                       \
		char *_got = type_keys(m, keys);                                                   \
		t_checks++;                                                                        \
		if (strcmp(_got, want))                                                            \
			t_fail(__FILE__, __LINE__, "%s \"%s\" gives \"%s\", want \"%s\"", method_name(m), \
			       keys, _got, want);                                                  \
		free(_got);                                                                        \
	} while (0)

/* One key on a given word: the text and the return code. */
static void check_step(int line, enum vi_method m, const char *word, char key, const char *want, int want_rc)
{
	struct buf b;
	buf_init(&b);
	int rc = vi_input_key(m, word, strlen(word), key, &b);
	t_checks++;
	if (rc != want_rc || strcmp(b.data ? b.data : "", want))
		t_fail(__FILE__, line, "%s \"%s\" + '%c' gives \"%s\" (%d), want \"%s\" (%d)", method_name(m), word,
		       key, b.data ? b.data : "", rc, want, want_rc);
	buf_finish(&b);
}
#define CHECK_STEP(m, word, key, want, rc) check_step(__LINE__, m, word, key, want, rc)

static void test_hand_cases(void)
{
	static const struct {
		enum vi_method m;
		const char *keys, *want;
	} cases[] = {
		/* The brief's cases. */
		{VI_TELEX, "hoaf", "hòa"},
		{VI_TELEX, "thuyr", "thủy"},
		{VI_TELEX, "nguoiwf", "người"},
		{VI_TELEX, "dduwowngf", "đường"},
		{VI_TELEX, "ass", "as"},
		{VI_TELEX, "Vieetj", "Việt"},
		{VI_TELEX, "tieengs", "tiếng"},
		{VI_TELEX, "DDaau", "Đâu"},
		{VI_TELEX, "aaa", "aa"},
		{VI_TELEX, "ddd", "dd"},
		/* z removes the tone wherever it was; with no tone it is a letter. */
		{VI_TELEX, "hoafz", "hoa"},
		{VI_TELEX, "tieesngz", "tiêng"},
		{VI_TELEX, "az", "az"},
		/* Old style: open oa, oe, uy take the tone on the first vowel; a final moves it. */
		{VI_TELEX, "khoer", "khỏe"},
		{VI_TELEX, "hoaf", "hòa"},
		{VI_TELEX, "hoafn", "hoàn"},
		{VI_TELEX, "hoasn", "hoán"},
		{VI_TELEX, "thuyrn", "thuỷn"},
		{VI_TELEX, "huyfnh", "huỳnh"},
		{VI_TELEX, "quas", "quá"},
		{VI_TELEX, "gias", "giá"},
		{VI_TELEX, "gif", "gì"},
		{VI_TELEX, "giuoocj", "giuộc"},
		{VI_TELEX, "muaf", "mùa"},
		{VI_TELEX, "cuwar", "cửa"},
		{VI_TELEX, "muwa", "mưa"},
		{VI_TELEX, "muaw", "mưa"},
		{VI_TELEX, "khuyeens", "khuyến"},
		{VI_TELEX, "ruwowuj", "rượu"},
		{VI_TELEX, "Nguyeenx", "Nguyễn"},
		{VI_TELEX, "NGUYEENX", "NGUYỄN"},
		/* The tone key may come anywhere; it moves as the syllable grows. */
		{VI_TELEX, "tsoans", "tsoans"},
		{VI_TELEX, "tosan", "toán"},
		{VI_TELEX, "nguowfi", "người"},
		/* w alone: ư at the start or after consonants; uo+w; uơ in open syllables. */
		{VI_TELEX, "w", "ư"},
		{VI_TELEX, "W", "Ư"},
		{VI_TELEX, "tw", "tư"},
		{VI_TELEX, "nhwngx", "những"},
		{VI_TELEX, "ww", "w"},
		{VI_TELEX, "uow", "uơ"},
		{VI_TELEX, "thuowr", "thuở"},
		{VI_TELEX, "huowng", "hương"},
		{VI_TELEX, "truowngf", "trường"},
		{VI_TELEX, "uwow", "ươ"},
		/* Undo and what follows it is literal. */
		{VI_TELEX, "asss", "ass"},
		{VI_TELEX, "aww", "aw"},
		{VI_TELEX, "ddaa", "đâ"},
		{VI_TELEX, "dda", "đa"},
		{VI_TELEX, "Ddd", "Dd"},
		{VI_TELEX, "oww", "ow"},
		/* Words that are not Vietnamese are left as typed. */
		{VI_TELEX, "facebook", "facebook"},
		{VI_TELEX, "email", "email"},
		{VI_TELEX, "zalo", "zalo"},
		/* VNI. */
		{VI_VNI, "Vie65t", "Việt"},
		{VI_VNI, "d9u7o7ng2", "đường"},
		{VI_VNI, "hoa2", "hòa"},
		{VI_VNI, "thuy3", "thủy"},
		{VI_VNI, "nguoi72", "người"},
		{VI_VNI, "tie6ng1", "tiếng"},
		{VI_VNI, "Nguye64n", "Nguyễn"},
		{VI_VNI, "a11", "a1"},
		{VI_VNI, "a66", "a6"},
		{VI_VNI, "a8", "ă"},
		{VI_VNI, "D9a6u", "Đâu"},
		{VI_VNI, "hoa20", "hoa"},
		{VI_VNI, "thuo73", "thuở"},
		{VI_VNI, "mu7a", "mưa"},
		{VI_VNI, "khoe3", "khỏe"},
		{VI_VNI, "a0", "a0"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_KEYS(cases[i].m, cases[i].keys, cases[i].want);

	/* New-style placement must not come out (the comparison can fail). */
	char *s = type_keys(VI_TELEX, "hoaf");
	CHECK(strcmp(s, "hoà") != 0);
	free(s);
	s = type_keys(VI_TELEX, "thuyr");
	CHECK(strcmp(s, "thuỷ") != 0);
	free(s);
}

static void test_steps(void)
{
	/* Return codes: modifier consumed, or the key's letter typed. */
	CHECK_STEP(VI_TELEX, "a", 's', "á", VI_INPUT_MODIFIER);
	CHECK_STEP(VI_TELEX, "á", 's', "as", VI_INPUT_LETTER);
	CHECK_STEP(VI_TELEX, "", 'w', "ư", VI_INPUT_MODIFIER);
	CHECK_STEP(VI_TELEX, "ư", 'w', "w", VI_INPUT_LETTER);
	CHECK_STEP(VI_TELEX, "d", 'd', "đ", VI_INPUT_MODIFIER);
	CHECK_STEP(VI_TELEX, "b", 'a', "ba", VI_INPUT_LETTER);
	CHECK_STEP(VI_TELEX, "hoa", 'n', "hoan", VI_INPUT_LETTER);
	CHECK_STEP(VI_TELEX, "hòa", 'n', "hoàn", VI_INPUT_LETTER);
	CHECK_STEP(VI_TELEX, "hòa", ' ', "hòa ", VI_INPUT_LETTER);
	CHECK_STEP(VI_VNI, "a", '1', "á", VI_INPUT_MODIFIER);
	CHECK_STEP(VI_VNI, "a", 's', "as", VI_INPUT_LETTER);
	CHECK_STEP(VI_TELEX, "a", '1', "a1", VI_INPUT_LETTER);

	/* Only the trailing run of letters is rewritten; the rest is copied. */
	CHECK_STEP(VI_TELEX, "xin chao", 'f', "xin chào", VI_INPUT_MODIFIER);
	CHECK_STEP(VI_TELEX, "(hoa", 'f', "(hòa", VI_INPUT_MODIFIER);
	CHECK_STEP(VI_TELEX, "ខ្មែរ viet", 'j', "ខ្មែរ viẹt", VI_INPUT_MODIFIER);
	CHECK_STEP(VI_TELEX, "2hoa", 'f', "2hòa", VI_INPUT_MODIFIER);
	/* Input that is not NFC (decomposed, new-style) comes out NFC with the tone re-placed. */
	CHECK_STEP(VI_TELEX, "hoa\xcc\x80", 'n', "hoàn", VI_INPUT_LETTER);
	CHECK_STEP(VI_TELEX, "Vie\xcc\x82\xcc\xa3", 't', "Việt", VI_INPUT_LETTER);
	CHECK_STEP(VI_TELEX, "ho\xcc\x80", 'a', "hòa", VI_INPUT_LETTER);
	/* A syllable with two tones is not one: literal. */
	CHECK_STEP(VI_TELEX, "áà", 's', "áàs", VI_INPUT_LETTER);
	/* A long run of letters is not a syllable. */
	CHECK_STEP(VI_TELEX, "aaaaaaaaaaaaaaaaaaaa", 's', "aaaaaaaaaaaaaaaaaaaas", VI_INPUT_LETTER);
}

static void test_errors(void)
{
	struct buf b;
	buf_init(&b);
	buf_puts(&b, "keep");
	CHECK_INT(vi_input_key(VI_TELEX, "a", 1, '\n', &b), ERR_INVAL);
	CHECK_INT(vi_input_key(VI_TELEX, "a", 1, 0x7f, &b), ERR_INVAL);
	CHECK_INT(vi_input_key(VI_TELEX, "a", 1, (char)0xc3, &b), ERR_INVAL);
	CHECK_INT(vi_input_key(VI_TELEX, "\xc3", 1, 'a', &b), ERR_INVAL);       /* cut UTF-8 */
	CHECK_INT(vi_input_key(VI_TELEX, "\xed\xa0\x80", 3, 'a', &b), ERR_INVAL); /* surrogate */
	CHECK_INT(vi_input_key(VI_TELEX, "a\0b", 3, 'a', &b), ERR_INVAL);
	CHECK_INT(vi_input_key(VI_TELEX, NULL, 1, 'a', &b), ERR_INVAL);
	CHECK_INT(vi_input_key((enum vi_method)7, "a", 1, 'a', &b), ERR_INVAL);
	CHECK_INT(vi_input_key(VI_TELEX, "a", 1, 'a', NULL), ERR_INVAL);
	char big[VI_INPUT_MAX_WORD + 1];
	memset(big, 'a', sizeof big);
	CHECK_INT(vi_input_key(VI_TELEX, big, sizeof big, 'a', &b), ERR_TOOBIG);
	CHECK_INT(vi_input_key(VI_TELEX, big, VI_INPUT_MAX_WORD, 'a', &b), VI_INPUT_LETTER);
	CHECK(b.len == 4 + VI_INPUT_MAX_WORD + 1 && !memcmp(b.data, "keep", 4)); /* appends, errors left it */
	CHECK_INT(vi_input_key(VI_TELEX, NULL, 0, 'a', &b), VI_INPUT_LETTER);
	CHECK_INT(vi_input_keys(VI_TELEX, "a\x01", &b), ERR_INVAL);
	buf_finish(&b);
}

/*
 * Straight from the m17n files: every vowel entry ("aa" ("âấầẩẫậ")) with
 * every tone key of the tone-mark map ("s" (set SELECT 1) ?s) must give the
 * candidate that the tone selects; dd-like entries must give their letter.
 */
struct mim_vowel {
	char keys[16];
	char cands[6][8];
};

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* Parse "..." at p (no escapes needed for these maps); returns past the quote or NULL. */
static const char *read_string(const char *p, char *out, size_t cap)
{
	if (*p != '"')
		return NULL;
	const char *e = strchr(p + 1, '"');
	if (!e || (size_t)(e - p - 1) >= cap)
		return NULL;
	memcpy(out, p + 1, (size_t)(e - p - 1));
	out[e - p - 1] = '\0';
	return e + 1;
}

static int utf8_split(const char *s, char out[][8], int max)
{
	int n = 0;
	while (*s && n < max) {
		size_t len = 1;
		while ((s[len] & 0xC0) == 0x80)
			len++;
		memcpy(out[n], s, len);
		out[n][len] = '\0';
		s += len;
		n++;
	}
	return *s ? -1 : n;
}

static void test_mim_tables(enum vi_method m, const char *dir, const char *file)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/vi-base.mim", dir);
	char *base = t_read(path, NULL);
	snprintf(path, sizeof path, "%s/%s", dir, file);
	char *own = t_read(path, NULL);
	CHECK(base && own);
	if (!base || !own) {
		fprintf(stderr, "m17n-db files missing under %s (package m17n-db)\n", dir);
		free(base);
		free(own);
		return;
	}
	struct mim_vowel vowels[64];
	int nv = 0, tone_sel[128] = {0}, tone_seen = 0, stroke = 0;
	const char *texts[2] = {base, own};
	for (int t = 0; t < 2; t++) {
		for (const char *p = texts[t]; (p = strstr(p, "(\"")); p++) {
			char keys[16], val[64];
			const char *q = read_string(p + 1, keys, sizeof keys);
			if (!q)
				continue;
			q = skip_ws(q);
			if (q[0] == '(' && q[1] == '"' && nv < 64) {
				/* ("KEYS" ("CANDIDATES")) with exactly one candidate group */
				const char *r = read_string(q + 1, val, sizeof val);
				if (!r || *skip_ws(r) != ')' || *skip_ws(skip_ws(r) + 1) != ')')
					continue;
				if (utf8_split(val, vowels[nv].cands, 6) != 6)
					continue;
				snprintf(vowels[nv].keys, sizeof vowels[nv].keys, "%s", keys);
				nv++;
			} else if (!strncmp(q, "(set SELECT ", 12) && strlen(keys) == 1) {
				tone_sel[(unsigned char)keys[0] & 0x7f] = q[12] - '0' + 1; /* +1: 0 means none */
				tone_seen++;
			} else if (q[0] == '?' && (unsigned char)q[1] >= 0x80) {
				/* ("dd" ?đ) */
				char ch[8] = {0};
				size_t len = 1;
				while ((q[1 + len] & 0xC0) == 0x80)
					len++;
				memcpy(ch, q + 1, len);
				CHECK_KEYS(m, keys, ch);
				stroke++;
			}
		}
	}
	/* 12 plain vowels and the method's own (aa, aw, ... or a6, a8, ...) in both cases. */
	CHECK(nv >= (m == VI_TELEX ? 30 : 24));
	CHECK_INT(tone_seen, m == VI_TELEX ? 12 : 6);
	CHECK(stroke >= (m == VI_TELEX ? 3 : 2));
	int checked = 0;
	for (int i = 0; i < nv; i++) {
		CHECK_KEYS(m, vowels[i].keys, vowels[i].cands[0]);
		for (int k = 0; k < 128; k++) {
			int sel = tone_sel[k] - 1;
			if (sel < 1)
				continue;
			char keys[32];
			snprintf(keys, sizeof keys, "%s%c", vowels[i].keys, k);
			CHECK_KEYS(m, keys, vowels[i].cands[sel]);
			checked++;
		}
	}
	printf("vi_input: %s: %d vowel entries x tone keys = %d checks against %s\n", method_name(m), nv, checked,
	       file);
	free(base);
	free(own);
}

/*
 * Where we deliberately type something else than m17n (the reasons are the
 * engine's rules, vi_input.h). The test fails if m17n-db starts agreeing
 * with us or changes its answer, so this list stays exact.
 */
static const struct {
	const char *method, *keys, *m17n, *ours, *why;
} deviations[] = {
	/* m17n ends a word-initial doubled tone key in one letter (an escape); we typed no tone, so nothing is undone. */
	{"telex", "ss", "s", "ss", "doubled tone key at word start"},
	{"telex", "SS", "S", "SS", "doubled tone key at word start"},
	{"telex", "Ss", "S", "Ss", "doubled tone key at word start"},
	{"telex", "ff", "f", "ff", "doubled tone key at word start"},
	{"telex", "FF", "F", "FF", "doubled tone key at word start"},
	{"telex", "Ff", "F", "Ff", "doubled tone key at word start"},
	{"telex", "rr", "r", "rr", "doubled tone key at word start"},
	{"telex", "RR", "R", "RR", "doubled tone key at word start"},
	{"telex", "Rr", "R", "Rr", "doubled tone key at word start"},
	{"telex", "xx", "x", "xx", "doubled tone key at word start"},
	{"telex", "XX", "X", "XX", "doubled tone key at word start"},
	{"telex", "Xx", "X", "Xx", "doubled tone key at word start"},
	{"telex", "jj", "j", "jj", "doubled tone key at word start"},
	{"telex", "JJ", "J", "JJ", "doubled tone key at word start"},
	{"telex", "Jj", "J", "Jj", "doubled tone key at word start"},
	{"telex", "zz", "z", "zz", "doubled tone key at word start"},
	{"telex", "ZZ", "Z", "ZZ", "doubled tone key at word start"},
	{"telex", "Zz", "Z", "Zz", "doubled tone key at word start"},
	/* Stateless: a lone ư may come from w or uw; we undo it as w (ww -> w, which m17n also does). */
	{"telex", "uww", "uw", "w", "lone ư + w undoes to w"},
	{"telex", "UWW", "UW", "W", "lone ư + w undoes to w"},
	{"telex", "Uww", "Uw", "W", "lone ư + w undoes to w"},
	/* m17n's w after uoi is a plain letter and the tone lands on i. */
	{"telex", "nguoiwf", "nguoìw", "người", "w horns uo anywhere in the nucleus"},
	/* m17n's ow horns only the o even before a final; Vietnamese has no uơ there. */
	{"telex", "huowngf", "huờng", "hường", "uơ + final is ươ"},
	/* m17n counts the i of gi as a vowel when three follow: giụôc. The word is giuộc. */
	{"telex", "giuoocj", "giụôc", "giuộc", "gi is a consonant before a vowel"},
	{"vni", "giuo6c5", "giụôc", "giuộc", "gi is a consonant before a vowel"},
	/* m17n takes any g before i as gi; ngia is not Vietnamese spelling (nghĩa), we read ng + ia. */
	{"telex", "ngias", "ngiá", "ngía", "ng is the initial, ia the nucleus"},
	/* Tone typed before the final: m17n places it and never moves it again; we re-place (text.md). */
	{"telex", "hoasn", "hóan", "hoán", "tone re-placed on the whole syllable"},
	{"telex", "hoafn", "hòan", "hoàn", "tone re-placed on the whole syllable"},
	{"vni", "hoa1n", "hóan", "hoán", "tone re-placed on the whole syllable"},
	/* dd is accepted later in the word (the initial d gets the stroke); m17n only at the start. */
	{"telex", "dad", "dad", "đa", "d strokes the initial d anywhere"},
	/* aơ is no Vietnamese nucleus: we keep the w as a letter. */
	{"telex", "aow", "aơ", "aow", "marks only where they make a Vietnamese nucleus"},
	/* VNI 0 with no tone: m17n swallows it; we type it (m17n's Telex z does the same as ours). */
	{"vni", "a0", "a", "a0", "tone removal with no tone types the key"},
	/* A repeated 7 on ươ undoes both horns; m17n does not undo after the first vowel. */
	{"vni", "u7o77", "ươ7", "uo7", "repeated horn undoes the ươ pair"},
};

static void test_vectors(void)
{
	const char *src = t_env("SPEAN_SOURCE_DIR");
	char path[1024];
	snprintf(path, sizeof path, "%s/ui/input/tests/vi_vectors.tsv", src);
	size_t len;
	char *text = t_read(path, &len);
	CHECK(text != NULL);
	if (!text)
		return;
	CHECK(strstr(text, "# source vi-telex.mim sha256 ") && strstr(text, "# source vi-vni.mim sha256 ") &&
	      strstr(text, "# source vi-base.mim sha256 "));

	size_t ndev = sizeof deviations / sizeof deviations[0];
	int *dev_seen = xcalloc(ndev, sizeof(int));
	int total = 0, telex = 0, vni = 0, failed = 0, nonnfc = 0;
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		char *keys = strchr(line, '\t');
		char *want = keys ? strchr(keys + 1, '\t') : NULL;
		CHECK(want != NULL);
		if (!want)
			continue;
		*keys++ = '\0';
		*want++ = '\0';
		enum vi_method m = !strcmp(line, "vni") ? VI_VNI : VI_TELEX;
		total++;
		m == VI_VNI ? vni++ : telex++;
		const char *expect = want;
		for (size_t d = 0; d < ndev; d++) {
			if (strcmp(deviations[d].method, line) || strcmp(deviations[d].keys, keys))
				continue;
			dev_seen[d]++;
			CHECK_STR(want, deviations[d].m17n);
			expect = deviations[d].ours;
		}
		char *got = type_keys(m, keys);
		if (strcmp(got, expect)) {
			if (++failed <= 25)
				t_fail(__FILE__, __LINE__, "%s \"%s\": got \"%s\", m17n \"%s\", want \"%s\"", line, keys,
				       got, want, expect);
		}
		nonnfc += !is_nfc(got);
		free(got);
	}
	t_checks += total;
	if (failed > 25)
		t_fail(__FILE__, __LINE__, "%d vectors failed in all (first 25 shown)", failed);
	CHECK_INT(nonnfc, 0);
	/* Each deviation must be a real one: in the file, m17n's text differs from ours. */
	for (size_t d = 0; d < ndev; d++) {
		CHECK_INT(dev_seen[d], 1);
		CHECK(strcmp(deviations[d].m17n, deviations[d].ours) != 0);
	}
	CHECK(telex >= 10000);
	CHECK(vni >= 10000);
	printf("vi_input: %d m17n vectors (%d telex, %d vni), %zu deliberate deviations, %d failed\n", total, telex,
	       vni, ndev, failed);
	free(dev_seen);
	free(text);
}


/* word + tone key (1..5): the new word, or "(none)" when the key changes nothing, "(error)". */
static char *tone(const char *word, int t)
{
	struct buf b;
	buf_init(&b);
	int rc = vi_input_tone(word, strlen(word), t, &b);
	char *r = rc == VI_INPUT_MODIFIER ? xstrdup(b.data ? b.data : "") : xstrdup(rc < 0 ? "(error)" : "(none)");
	if (rc != VI_INPUT_MODIFIER && rc >= 0 && b.len)
		t_fail(__FILE__, __LINE__, "tone %d on '%s': out written though nothing changed", t, word);
	buf_finish(&b);
	return r;
}

static char *letter(const char *word, enum vi_letter l, int upper, int *rc)
{
	struct buf b;
	buf_init(&b);
	*rc = vi_input_letter(word, strlen(word), l, upper, &b);
	char *r = *rc < 0 ? xstrdup("(error)") : xstrdup(b.data ? b.data : "");
	buf_finish(&b);
	return r;
}

/* The keyboard's tone keys and marked-letter keys (for those who know neither method). */
static void test_keyboard_keys(void)
{
	static const struct {
		const char *word;
		int tone;
		const char *want;
	} tones[] = {
		{"Nguyên", 4, "Nguyễn"}, {"Thi", 5, "Thị"},   {"A", 1, "Á"},       {"hoa", 2, "hòa"},
		{"thuy", 3, "thủy"},     {"Ánh", 2, "Ành"},   {"Ánh", 1, "Ánh"},   /* the same tone again keeps it */
		{"Nguyễn", 1, "Nguyến"}, {"Ánh", 5, "Ạnh"},   {"quyen", 1, "quyén"}, {"tiêng", 1, "tiếng"},
		{"", 1, "(none)"},       {"12", 1, "(none)"}, {"xyz", 1, "(none)"}, {"Ấp 5, x", 2, "(none)"},
	};
	for (size_t i = 0; i < sizeof tones / sizeof *tones; i++) {
		char *got = tone(tones[i].word, tones[i].tone);
		if (strcmp(got, tones[i].want))
			t_fail(__FILE__, __LINE__, "tone %d on '%s': got '%s', want '%s'", tones[i].tone, tones[i].word, got,
			       tones[i].want);
		free(got);
	}
	struct buf b;
	buf_init(&b);
	CHECK_INT(vi_input_tone("a", 1, 0, &b), ERR_INVAL);
	CHECK_INT(vi_input_tone("a", 1, 6, &b), ERR_INVAL);
	CHECK_INT(vi_input_tone("\xff", 1, 1, &b), ERR_INVAL);
	CHECK_INT(vi_input_letter("a", 1, VI_L_COUNT, 0, &b), ERR_INVAL);
	CHECK_INT((int)b.len, 0);
	buf_finish(&b);

	static const struct {
		const char *word;
		enum vi_letter l;
		int upper;
		const char *want;
		int rc;
	} letters[] = {
		{"Nguyen", VI_L_ECIRC, 0, "Nguyên", VI_INPUT_MODIFIER},  /* modifies the e of the syllable */
		{"Nguyẽn", VI_L_ECIRC, 0, "Nguyễn", VI_INPUT_MODIFIER},  /* and keeps its tone */
		{"Nguy", VI_L_ECIRC, 0, "Nguyê", VI_INPUT_LETTER},       /* no e: inserts ê */
		{"D", VI_L_DSTROKE, 0, "Đ", VI_INPUT_MODIFIER},
		{"", VI_L_DSTROKE, 1, "Đ", VI_INPUT_LETTER},
		{"Ph", VI_L_UHORN, 0, "Phư", VI_INPUT_LETTER},
		{"Phư", VI_L_OHORN, 0, "Phươ", VI_INPUT_LETTER},        /* not an undo of the horn */
		{"Ngu", VI_L_OHORN, 0, "Nguơ", VI_INPUT_LETTER},         /* ơ asked for, not ư */
		{"Tu", VI_L_UHORN, 0, "Tư", VI_INPUT_MODIFIER},
		{"", VI_L_ACIRC, 1, "Â", VI_INPUT_LETTER},
		{"Ấ", VI_L_ACIRC, 0, "Ấâ", VI_INPUT_LETTER},            /* already â: another â, never an undo */
		{"tran", VI_L_ABREVE, 0, "trăn", VI_INPUT_MODIFIER},
		{"co", VI_L_OCIRC, 0, "cô", VI_INPUT_MODIFIER},
		{"12/", VI_L_OCIRC, 0, "12/ô", VI_INPUT_LETTER},
	};
	for (size_t i = 0; i < sizeof letters / sizeof *letters; i++) {
		int rc;
		char *got = letter(letters[i].word, letters[i].l, letters[i].upper, &rc);
		if (strcmp(got, letters[i].want) || rc != letters[i].rc)
			t_fail(__FILE__, __LINE__, "%s on '%s': got '%s' (%d), want '%s' (%d)",
			       vi_letter_text(letters[i].l, letters[i].upper), letters[i].word, got, rc, letters[i].want,
			       letters[i].rc);
		if (!is_nfc(got))
			t_fail(__FILE__, __LINE__, "'%s' is not NFC", got);
		free(got);
	}
	CHECK(vi_letter_text(VI_L_COUNT, 0) == NULL);

	/* In Telex a digit is a digit and / , - . stay as typed: an address like "12/3" or "Ấp 5, xã". */
	static const struct {
		const char *keys, *want;
	} telex[] = {{"12/3", "12/3"}, {"a1", "a1"}, {"ddu7o7c", "đu7o7c"}, {"-.,", "-.,"}};
	for (size_t i = 0; i < sizeof telex / sizeof *telex; i++) {
		char *got = type_keys(VI_TELEX, telex[i].keys);
		if (strcmp(got, telex[i].want))
			t_fail(__FILE__, __LINE__, "telex '%s': got '%s', want '%s'", telex[i].keys, got, telex[i].want);
		free(got);
	}
}

void vi_input_tests(void)
{
	test_keyboard_keys();
	test_hand_cases();
	test_steps();
	test_errors();
	const char *m17n = input_test_dir("SPEAN_M17N_DIR", "/usr/share/m17n");
	test_mim_tables(VI_TELEX, m17n, "vi-telex.mim");
	test_mim_tables(VI_VNI, m17n, "vi-vni.mim");
	test_vectors();
}

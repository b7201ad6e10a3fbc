/* ui/input tests: the Khmer NiDA table against xkb-data (file and compiled keymap), space and COENG. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <xkbcommon/xkbcommon-compose.h>
#include <xkbcommon/xkbcommon.h>

#include "input_test.h"
#include "km_input.h"
#include "kv.h"
#include "testlib.h"

/*
 * Keysym to text the way X does it: libxkbcommon's own keysym table, and the
 * locale's Compose file for 0x10017fb-0x10017ff, which the kh file uses for
 * two-sign vowels (its header says so). 0 if the keysym types nothing.
 */
static int keysym_text(struct xkb_compose_table *compose, xkb_keysym_t ks, char *out, size_t cap)
{
	out[0] = '\0';
	if (ks >= 0x10017fb && ks <= 0x10017ff) {
		struct xkb_compose_state *st = xkb_compose_state_new(compose, XKB_COMPOSE_STATE_NO_FLAGS);
		xkb_compose_state_feed(st, ks);
		int ok = xkb_compose_state_get_status(st) == XKB_COMPOSE_COMPOSED &&
			 xkb_compose_state_get_utf8(st, out, cap) > 0;
		xkb_compose_state_unref(st);
		return ok;
	}
	return xkb_keysym_to_utf8(ks, out, cap) > 1;
}

/* The body of section "basic" in the kh symbols file (malloc'd), comments removed. */
static char *kh_basic(const char *text)
{
	const char *p = strstr(text, "xkb_symbols \"basic\"");
	if (!p || !(p = strchr(p, '{')))
		return NULL;
	struct buf b;
	buf_init(&b);
	int depth = 0;
	for (p++; *p; p++) {
		if (p[0] == '/' && p[1] == '/') {
			while (*p && *p != '\n')
				p++;
			if (!*p)
				break;
		}
		if (*p == '{')
			depth++;
		if (*p == '}' && depth-- == 0)
			break;
		buf_putc(&b, *p);
	}
	return b.data;
}

static void test_table_against_file(struct xkb_compose_table *compose)
{
	const char *dir = input_test_dir("SPEAN_XKB_DIR", "/usr/share/X11/xkb");
	char path[1024];
	snprintf(path, sizeof path, "%s/symbols/kh", dir);
	char *text = t_read(path, NULL);
	CHECK(text != NULL);
	if (!text) {
		fprintf(stderr, "%s missing (package xkb-data)\n", path);
		return;
	}
	char *body = kh_basic(text);
	CHECK(body != NULL);
	int in_file = 0, matched = 0;
	for (char *p = body; p && (p = strstr(p, "key <")); p++) {
		/* key <NAME> { [ sym1, sym2, sym3, sym4 ] }; */
		char name[8] = {0};
		char *gt = strchr(p + 5, '>');
		char *lb = gt ? strchr(gt, '[') : NULL;
		char *rb = lb ? strchr(lb, ']') : NULL;
		if (!gt || !lb || !rb || gt - p - 5 >= (long)sizeof name)
			continue;
		memcpy(name, p + 5, (size_t)(gt - p - 5));
		char syms[4][32] = {{0}};
		int nsym = 0;
		for (char *s = lb + 1; s < rb && nsym < 4; nsym++) {
			while (*s == ' ' || *s == '\t')
				s++;
			size_t len = strcspn(s, ", \t]");
			if (len >= sizeof syms[0])
				len = sizeof syms[0] - 1;
			memcpy(syms[nsym], s, len);
			s += len;
			s += strspn(s, " \t");
			if (*s == ',')
				s++;
		}
		char level[2][64];
		int typed = 1;
		for (int l = 0; l < 2; l++) {
			xkb_keysym_t ks = nsym > l ? xkb_keysym_from_name(syms[l], XKB_KEYSYM_NO_FLAGS) : 0;
			if (!ks || !keysym_text(compose, ks, level[l], sizeof level[l]))
				typed = 0;
		}
		if (!typed)
			continue; /* RALT: a modifier, no text */
		in_file++;
		int row, col;
		if (km_layout_find(name, &row, &col)) {
			t_fail(__FILE__, __LINE__, "kh key %s is not in the layout table", name);
			continue;
		}
		const struct km_key *k = km_layout_key(row, col);
		for (int l = 0; l < 2; l++) {
			t_checks++;
			if (strcmp(k->text[l], level[l]))
				t_fail(__FILE__, __LINE__, "%s level %d: table \"%s\", kh file \"%s\" (%s)", name, l + 1,
				       k->text[l], level[l], syms[l]);
			else
				matched++;
		}
	}
	int in_table = 0;
	for (int r = 0; r < KM_LAYOUT_ROWS; r++)
		in_table += km_layout[r].len;
	/* 13 + 13 + 11 + 10 + space: every key of the file is in the table and the reverse. */
	CHECK_INT(in_file, 48);
	CHECK_INT(in_table, in_file);
	CHECK_INT(matched, 2 * in_file);
	printf("km_input: %d keys x 2 levels compared with %s, %d match\n", in_file, path, matched);
	free(body);
	free(text);
}

/* The same through the xkb compiler: layout "kh" as X would load it. */
static void test_table_against_keymap(struct xkb_context *ctx, struct xkb_compose_table *compose)
{
	struct xkb_rule_names names = {.rules = "evdev", .model = "pc105", .layout = "kh"};
	struct xkb_keymap *km = xkb_keymap_new_from_names(ctx, &names, XKB_KEYMAP_COMPILE_NO_FLAGS);
	CHECK(km != NULL);
	if (!km)
		return;
	int matched = 0;
	for (int r = 0; r < KM_LAYOUT_ROWS; r++) {
		for (int c = 0; c < km_layout[r].len; c++) {
			const struct km_key *k = &km_layout[r].keys[c];
			xkb_keycode_t kc = xkb_keymap_key_by_name(km, k->xkb);
			CHECK(kc != XKB_KEYCODE_INVALID);
			for (xkb_level_index_t l = 0; l < 2; l++) {
				const xkb_keysym_t *syms;
				char got[64] = "";
				int n = xkb_keymap_key_get_syms_by_level(km, kc, 0, l, &syms);
				t_checks++;
				if (n != 1 || !keysym_text(compose, syms[0], got, sizeof got) || strcmp(got, k->text[l]))
					t_fail(__FILE__, __LINE__, "%s level %u: keymap \"%s\", table \"%s\"", k->xkb, l + 1,
					       got, k->text[l]);
				else
					matched++;
			}
		}
	}
	printf("km_input: %d key levels match the compiled kh keymap\n", matched);
	xkb_keymap_unref(km);
}

/* The first code point of valid UTF-8. */
static UChar32 first_cp(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	if (p[0] < 0x80)
		return p[0];
	if (p[0] < 0xE0)
		return (UChar32)(((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu));
	if (p[0] < 0xF0)
		return (UChar32)(((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu));
	return (UChar32)(((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu));
}

static void test_labels(void)
{
	for (int r = 0; r < KM_LAYOUT_ROWS; r++) {
		for (int c = 0; c < km_layout[r].len; c++) {
			const struct km_key *k = km_layout_key(r, c);
			for (int l = 0; l < 2; l++) {
				const char *s = k->text[l];
				CHECK(s && s[0] && utf8_valid(s, strlen(s)));
				/* mark[] agrees with ICU's general category of the first character. */
				int8_t t = u_charType(first_cp(s));
				int mark = t == U_NON_SPACING_MARK || t == U_COMBINING_SPACING_MARK;
				CHECK_INT(k->mark[l], mark);
			}
		}
	}
	CHECK(km_layout_key(-1, 0) == NULL);
	CHECK(km_layout_key(0, 13) == NULL);
	CHECK(km_layout_key(KM_LAYOUT_ROWS, 0) == NULL);
	CHECK(km_layout_key(KM_ROW_SPACE, 0) != NULL);
	CHECK_INT(km_layout_find("NOPE", NULL, NULL), ERR_NOTFOUND);
	CHECK_INT(km_layout_find(NULL, NULL, NULL), ERR_NOTFOUND);
	/* The COENG key of the layout itself, and a vowel sign, are marks; ក is not. */
	int r, c;
	CHECK_INT(km_layout_find("AC07", &r, &c), 0);
	CHECK_STR(km_layout_key(r, c)->text[0], "្");
	CHECK_INT(km_layout_key(r, c)->mark[0], 1);
	CHECK_INT(km_layout_find("AC08", &r, &c), 0);
	CHECK_STR(km_layout_key(r, c)->text[0], "ក");
	CHECK_INT(km_layout_key(r, c)->mark[0], 0);
}

/* Press the key named xkb (at the shift level) and return what out holds. */
static const char *press(struct km_input *st, struct buf *out, const char *xkb, int shift)
{
	int r, c;
	CHECK_INT(km_layout_find(xkb, &r, &c), 0);
	CHECK_INT(km_input_key(st, r, c, shift, out), 0);
	return out->data ? out->data : "";
}

static void test_typing(void)
{
	struct km_input st;
	struct buf out;
	km_input_init(&st);
	buf_init(&out);

	/* Space: ZERO WIDTH SPACE between words; with shift a real space. */
	CHECK_STR(press(&st, &out, "SPCE", 0), "\xe2\x80\x8b");
	out.len = 0;
	CHECK_STR(press(&st, &out, "SPCE", 1), " ");
	out.len = 0;
	CHECK_INT(km_input_key(&st, KM_ROW_SPACE, 0, 0, &out), 0);
	CHECK_STR(out.data, "\xe2\x80\x8b");
	out.len = 0;

	/* One-shot COENG: the next consonant is a subscript, the key after that is normal again. */
	CHECK_INT(km_input_coeng(&st), 1);
	CHECK_STR(press(&st, &out, "AD05", 0), "្ត");
	CHECK_INT(st.coeng, 0);
	CHECK_STR(press(&st, &out, "AD05", 0), "្តត");
	out.len = 0;
	/* Pressed twice it is off again. */
	CHECK_INT(km_input_coeng(&st), 1);
	CHECK_INT(km_input_coeng(&st), 0);
	CHECK_STR(press(&st, &out, "AD05", 0), "ត");
	out.len = 0;
	/* A key that is not a consonant types as it is and disarms. */
	km_input_coeng(&st);
	CHECK_STR(press(&st, &out, "AC01", 0), "ា");
	CHECK_INT(st.coeng, 0);
	CHECK_STR(press(&st, &out, "AC08", 0), "ាក");
	out.len = 0;
	/* Shift level consonants take it too (ធ = shift AD05). */
	km_input_coeng(&st);
	CHECK_STR(press(&st, &out, "AD05", 1), "្ទ");
	out.len = 0;

	/* ស្ត្រី with the layout's own COENG key ... */
	press(&st, &out, "AC02", 0);
	press(&st, &out, "AC07", 0);
	press(&st, &out, "AD05", 0);
	press(&st, &out, "AC07", 0);
	press(&st, &out, "AD04", 0);
	CHECK_STR(press(&st, &out, "AD08", 1), "ស្ត្រី");
	out.len = 0;
	/* ... and with the one-shot key. */
	press(&st, &out, "AC02", 0);
	km_input_coeng(&st);
	press(&st, &out, "AD05", 0);
	km_input_coeng(&st);
	press(&st, &out, "AD04", 0);
	CHECK_STR(press(&st, &out, "AD08", 1), "ស្ត្រី");
	out.len = 0;
	/* ខ្មែរ: ខ COENG ម ែ រ; and a two-sign vowel key (shift+a = ាំ) in កាំ. */
	press(&st, &out, "AB02", 0);
	km_input_coeng(&st);
	press(&st, &out, "AB07", 0);
	press(&st, &out, "AD03", 1);
	CHECK_STR(press(&st, &out, "AD04", 0), "ខ្មែរ");
	out.len = 0;
	press(&st, &out, "AC08", 0);
	CHECK_STR(press(&st, &out, "AC01", 1), "កាំ");
	out.len = 0;

	/* Errors leave state and output alone. */
	buf_puts(&out, "x");
	km_input_coeng(&st);
	CHECK_INT(km_input_key(&st, -1, 0, 0, &out), ERR_INVAL);
	CHECK_INT(km_input_key(&st, 0, 99, 0, &out), ERR_INVAL);
	CHECK_INT(km_input_key(&st, 0, 0, 0, NULL), ERR_INVAL);
	CHECK_INT(km_input_key(NULL, 0, 0, 0, &out), ERR_INVAL);
	CHECK_INT(st.coeng, 1);
	CHECK_STR(out.data, "x");
	buf_finish(&out);
}


/* The paged keyboard: every consonant on one page, no shift; the dependent-vowel guard. */
static void test_pages(void)
{
	int n = 0;
	const char *const *cons = km_page_keys(KM_PAGE_CONSONANTS, &n);
	CHECK_INT(n, 0x17A2 - 0x1780 + 1);
	for (unsigned cp = 0x1780; cp <= 0x17A2; cp++) {
		char want[4] = {(char)(0xE0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3F)), (char)(0x80 | (cp & 0x3F)), 0};
		int found = 0;
		for (int i = 0; i < n; i++)
			found += !strcmp(cons[i], want);
		if (found != 1)
			t_fail(__FILE__, __LINE__, "consonant U+%04X is on the consonant page %d times", cp, found);
	}
	/* Every dependent vowel U+17B6..U+17C5 is on the vowels page, and COENG. */
	const char *const *v = km_page_keys(KM_PAGE_VOWELS, &n);
	int vowels = 0, coeng = 0;
	for (int i = 0; i < n; i++) {
		CHECK(km_is_mark(v[i]));
		unsigned cp = ((unsigned)(v[i][0] & 0x0F) << 12) | ((unsigned)(v[i][1] & 0x3F) << 6) | (unsigned)(v[i][2] & 0x3F);
		vowels += cp >= 0x17B6 && cp <= 0x17C5;
		coeng += cp == 0x17D2;
	}
	CHECK_INT(vowels, 16);
	CHECK_INT(coeng, 1);
	const char *const *d = km_page_keys(KM_PAGE_DIGITS, &n);
	int digits = 0, punct = 0;
	for (int i = 0; i < n; i++) {
		digits += !strncmp(d[i], "\xe1\x9f", 2) && (unsigned char)d[i][2] >= 0xa0 && (unsigned char)d[i][2] <= 0xa9;
		punct += !strcmp(d[i], "/") || !strcmp(d[i], ",") || !strcmp(d[i], "-") || !strcmp(d[i], ".");
		CHECK(!km_is_mark(d[i]));
	}
	CHECK_INT(digits, 10);
	CHECK_INT(punct, 4);
	CHECK(km_page_keys(KM_PAGE_NIDA, &n) == NULL && n == 0);

	/* The guard: a mark needs a base before it. */
	static const struct {
		const char *before, *key;
		int ok;
	} g[] = {
		{"", "ា", 0},        {"", "្", 0},          {"", "ំ", 0},        {"ក", "ា", 1},   {"ក ", "ា", 0},
		{"ក", "្", 1},       {"ក្", "ា", 0},        {"ក្ត", "ា", 1},     {"កា", "ំ", 1},  {"កា", "ិ", 0},
		{"កា", "៉", 0},      {"ក", "៉", 1},         {"ឥ", "ា", 1},       {"abc", "ា", 0}, {"១", "ា", 0},
		{"", "ក", 1},        {"", " ", 1},          {"កុំ", "ះ", 1},     {"ក", "ក", 1},
	};
	for (size_t i = 0; i < sizeof g / sizeof *g; i++)
		if (km_input_mark_ok(g[i].before, strlen(g[i].before), g[i].key) != g[i].ok)
			t_fail(__FILE__, __LINE__, "'%s' after '%s': want %s", g[i].key, g[i].before, g[i].ok ? "allowed" : "refused");
}

void km_input_tests(void)
{
	test_pages();
	struct xkb_context *ctx = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
	CHECK(ctx != NULL);
	struct xkb_compose_table *compose =
		ctx ? xkb_compose_table_new_from_locale(ctx, "km_KH.UTF-8", XKB_COMPOSE_COMPILE_NO_FLAGS) : NULL;
	CHECK(compose != NULL);
	if (ctx && compose) {
		test_table_against_file(compose);
		test_table_against_keymap(ctx, compose);
	}
	xkb_compose_table_unref(compose);
	xkb_context_unref(ctx);
	test_labels();
	test_typing();
}

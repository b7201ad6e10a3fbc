/*
 * ui/text: line breaking (checked against ICU's own iterators), caret stops,
 * NFC, U+200B, errors and lifetimes. Widths and pixels against HarfBuzz are in
 * text_shape_test and text_pixels_test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicode/ubrk.h>
#include <unicode/uclean.h>
#include <unicode/utext.h>

#include "oracle.h"
#include "testlib.h"
#include "text.h"
#include "text_internal.h"

/* ស្ត្រី: SO COENG TA COENG RO II, six code points of 3 bytes. */
#define STREI "\xe1\x9e\x9f\xe1\x9f\x92\xe1\x9e\x8f\xe1\x9f\x92\xe1\x9e\x9a\xe1\x9e\xb8"
#define ZWSP "\xe2\x80\x8b"

/* ICU's line break opportunities of s as UTF-8 byte offsets (the oracle); count. */
static int icu_breaks(const char *s, const char *lang, UBreakIteratorType type, size_t *out, int max)
{
	UErrorCode st = U_ZERO_ERROR;
	UBreakIterator *bi = ubrk_open(type, lang, NULL, 0, &st);
	UText ut = UTEXT_INITIALIZER;
	utext_openUTF8(&ut, s, -1, &st);
	ubrk_setUText(bi, &ut, &st);
	CHECK(U_SUCCESS(st));
	int n = 0;
	for (int32_t b = ubrk_first(bi); b != UBRK_DONE && n < max; b = ubrk_next(bi))
		out[n++] = (size_t)b;
	ubrk_close(bi);
	utext_close(&ut);
	return n;
}

static int in_set(const size_t *v, int n, size_t x)
{
	for (int i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

static char *dup_range(const char *s, size_t a, size_t b)
{
	return xstrndup(s + a, b - a);
}

/* Width of s[a..b) as a line: trailing spaces hang. */
static int span_width(struct text *t, const char *s, size_t a, size_t b, int size)
{
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\n'))
		b--;
	if (b - a >= 3 && !memcmp(s + b - 3, ZWSP, 3))
		b -= 3;
	char *x = dup_range(s, a, b);
	int w = -1;
	CHECK_INT(text_measure(t, x, size, TEXT_REGULAR, &w, NULL), 0);
	free(x);
	return w;
}

/*
 * The invariants of a greedy layout: lines tile the string, each fits, each
 * starts at an ICU boundary (or a caret stop when a word was cut), and no line
 * could have taken the next segment.
 */
static void check_layout(struct text *t, const char *s, int size, int max_w, const char *lang, int *lines_out)
{
	struct text_layout *l = text_layout(t, s, size, TEXT_REGULAR, max_w, lang);
	CHECK(l != NULL);
	if (!l)
		return;
	size_t br[512];
	int nbr = icu_breaks(s, lang, UBRK_LINE, br, 512);
	int n = text_layout_lines(l);
	size_t prev_end = 0;
	int hsum = 0, wmax = 0;
	for (int i = 0; i < n; i++) {
		size_t a, b;
		CHECK_INT(text_layout_line_range(l, i, &a, &b), 0);
		CHECK_INT(a, prev_end);
		CHECK(in_set(br, nbr, b));
		int w = text_layout_line_width(l, i);
		CHECK(w <= max_w);
		CHECK_INT(w, span_width(t, s, a, b, size));
		if (i + 1 < n) {
			/* Greedy: the next break opportunity would not have fitted. */
			size_t next = 0;
			for (int k = 0; k < nbr; k++)
				if (br[k] > b) {
					next = br[k];
					break;
				}
			CHECK(next > b);
			if (next > b)
				CHECK(span_width(t, s, a, next, size) > max_w);
		}
		prev_end = b;
		hsum += text_layout_line_height(l, i);
		wmax = w > wmax ? w : wmax;
	}
	CHECK_INT(prev_end, strlen(s));
	CHECK_INT(text_layout_height(l), hsum);
	CHECK_INT(text_layout_width(l), wmax);
	*lines_out = n;
	text_layout_free(l);
}

static void test_khmer_paragraph(struct text *t)
{
	/* consent.body without its spaces: Khmer words with nothing between them. */
	const char *p = "ម៉ាស៊ីននេះជួយអ្នកឱ្យដឹងថាតើអ្នកអាចទទួលបានជំនួយផ្លូវច្បាប់ដោយឥតគិតថ្លៃឬទេហើយ"
			"ផ្ញើសំណើទៅមជ្ឈមណ្ឌលជំនួយផ្លូវច្បាប់របស់រដ្ឋ។អ្វីដែលអ្នកបញ្ចូលត្រូវបានចាក់សោភ្លាម";
	CHECK(strchr(p, ' ') == NULL);
	/* ICU's dictionary finds words: far fewer line breaks than grapheme boundaries. */
	size_t br[512], gr[512];
	int nbr = icu_breaks(p, "km", UBRK_LINE, br, 512);
	int ngr = icu_breaks(p, "km", UBRK_CHARACTER, gr, 512);
	printf("Khmer paragraph: %zu bytes, %d ICU line breaks, %d grapheme boundaries\n", strlen(p), nbr, ngr);
	CHECK(nbr > 10);
	CHECK(nbr < ngr / 2);
	int lines = 0;
	check_layout(t, p, 32, 400, "km", &lines);
	printf("  wrapped at 400 px: %d lines\n", lines);
	CHECK(lines >= 4);
	check_layout(t, p, 24, 700, "km", &lines);
	CHECK(lines >= 2);
}

static void test_vietnamese(struct text *t)
{
	const char *s = "Trung tâm Trợ giúp pháp lý Nhà nước sẽ liên hệ với bạn trong vòng ba ngày làm việc. "
			"Nguyễn Thị Ừng, Đặng Thị Hường.";
	int lines = 0;
	check_layout(t, s, 32, 500, "vi", &lines);
	CHECK(lines >= 3);
	struct text_layout *l = text_layout(t, s, 32, TEXT_REGULAR, 500, "vi");
	for (int i = 1; i < text_layout_lines(l); i++) {
		size_t a, b;
		text_layout_line_range(l, i, &a, &b);
		CHECK(a > 0 && s[a - 1] == ' ' && s[a] != ' ');
	}
	/* Hard breaks. */
	text_layout_free(l);
	l = text_layout(t, "Dòng một\nDòng hai\n\nDòng bốn", 24, TEXT_REGULAR, 0, "vi");
	CHECK_INT(text_layout_lines(l), 4);
	CHECK_INT(text_layout_line_width(l, 2), 0);
	CHECK(text_layout_line_height(l, 2) > 0);
	text_layout_free(l);
}

static void test_zwsp(struct text *t)
{
	/* U+200B draws nothing and takes no width. */
	const char *with = "ខ្ញុំ" ZWSP "ស្រឡាញ់" ZWSP "ភាសា" ZWSP "ខ្មែរ";
	const char *without = "ខ្ញុំស្រឡាញ់ភាសាខ្មែរ";
	int w1, w2, h1, h2;
	CHECK_INT(text_measure(t, with, 32, TEXT_REGULAR, &w1, &h1), 0);
	CHECK_INT(text_measure(t, without, 32, TEXT_REGULAR, &w2, &h2), 0);
	CHECK_INT(w1, w2);
	SDL_Surface *a = SDL_CreateRGBSurfaceWithFormat(0, w1 + 40, h1 + 40, 32, SDL_PIXELFORMAT_ARGB8888);
	SDL_Surface *b = SDL_CreateRGBSurfaceWithFormat(0, w1 + 40, h1 + 40, 32, SDL_PIXELFORMAT_ARGB8888);
	SDL_FillRect(a, NULL, 0xFFFFFFFFu);
	SDL_FillRect(b, NULL, 0xFFFFFFFFu);
	struct text_layout *la = text_layout(t, with, 32, TEXT_REGULAR, 0, "km");
	struct text_layout *lb = text_layout(t, without, 32, TEXT_REGULAR, 0, "km");
	text_layout_draw(la, a, 20, 20, (SDL_Color){0, 0, 0, 255}, 0);
	text_layout_draw(lb, b, 20, 20, (SDL_Color){0, 0, 0, 255}, 0);
	long diff = 0, inked = 0;
	for (int y = 0; y < a->h; y++)
		for (int x = 0; x < a->w; x++) {
			Uint32 pa = ((Uint32 *)((char *)a->pixels + y * a->pitch))[x];
			Uint32 pb = ((Uint32 *)((char *)b->pixels + y * b->pitch))[x];
			diff += pa != pb;
			inked += pa != 0xFFFFFFFFu;
		}
	CHECK_INT(diff, 0);
	CHECK(inked > 100);
	text_layout_free(la);
	text_layout_free(lb);
	SDL_FreeSurface(a);
	SDL_FreeSurface(b);

	/* ... and is a break opportunity: Latin letters offer none, so the break falls right after it. */
	const char *latin = "abcdefghij" ZWSP "klmnopqrst";
	int whole, half;
	text_measure(t, latin, 32, TEXT_REGULAR, &whole, NULL);
	text_measure(t, "abcdefghij", 32, TEXT_REGULAR, &half, NULL);
	struct text_layout *l = text_layout(t, latin, 32, TEXT_REGULAR, (half + whole) / 2, "vi");
	CHECK_INT(text_layout_lines(l), 2);
	size_t s0, e0;
	text_layout_line_range(l, 0, &s0, &e0);
	CHECK_INT(e0, 13);
	CHECK_INT(text_layout_line_width(l, 0), half);
	text_layout_free(l);
	/*
	 * In Khmer too: every break of a narrow layout of `with` lands on a ZWSP or an ICU word boundary.
	 * 150 px: narrower than two words, wider than the widest (ស្រឡាញ់, 137 px since Khmer is drawn 1.2x).
	 */
	int lines = 0;
	int widest;
	CHECK_INT(text_measure(t, "ស្រឡាញ់", 32, TEXT_REGULAR, &widest, NULL), 0);
	CHECK(widest < 150);
	check_layout(t, with, 32, 150, "km", &lines);
	CHECK(lines >= 2);
}

static void test_long_word(struct text *t)
{
	/* No break opportunity at all: cut at caret stops, NFD marks stay with their base. */
	const char *nfd = "Nguye\xcc\x82\xcc\x83nnnnThi\xcc\xa3\xcc\x82U\xcc\x9b\xcc\x80ngggggggg";
	struct text_layout *l = text_layout(t, nfd, 32, TEXT_REGULAR, 90, "vi");
	int n = text_layout_lines(l);
	CHECK(n >= 3);
	size_t stops[128];
	int ns = text_caret_stops(nfd, strlen(nfd), stops, 128);
	CHECK(ns > 0);
	for (int i = 0; i < n; i++) {
		size_t a, b;
		text_layout_line_range(l, i, &a, &b);
		CHECK(in_set(stops, ns, b));
		CHECK(text_layout_line_width(l, i) <= 90);
	}
	text_layout_free(l);

	/* A Khmer cluster wider than the box stays whole: never cut after COENG. */
	const char *k = STREI STREI STREI;
	l = text_layout(t, k, 32, TEXT_REGULAR, 10, "km");
	CHECK_INT(text_layout_lines(l), 3);
	for (int i = 0; i < text_layout_lines(l); i++) {
		size_t a, b;
		text_layout_line_range(l, i, &a, &b);
		CHECK_INT(b - a, 18);
	}
	text_layout_free(l);
}

static void test_caret_stops(void)
{
	size_t st[32];
	CHECK_INT(text_caret_stops(STREI, 18, st, 32), 2);
	CHECK_INT(st[0], 0);
	CHECK_INT(st[1], 18);
	/* ICU alone has stops after each COENG (6 and 12): the rule is ours. */
	size_t gr[32];
	int ng = icu_breaks(STREI, "km", UBRK_CHARACTER, gr, 32);
	CHECK(ng > 2 && in_set(gr, ng, 6) && in_set(gr, ng, 12));
	CHECK_INT(text_next_stop(STREI, 18, 0), 18);
	CHECK_INT(text_prev_stop(STREI, 18, 18), 0);
	CHECK_INT(text_prev_stop(STREI, 18, 7), 0);
	CHECK_INT(text_next_stop(STREI, 18, 7), 18);

	/* កុំ KA U NIKAHIT and "ខ្មែរ": stops only around whole clusters. */
	const char *khmer = "\xe1\x9e\x81\xe1\x9f\x92\xe1\x9e\x98\xe1\x9f\x82\xe1\x9e\x9a"; /* ខ្មែរ */
	CHECK_INT(text_caret_stops(khmer, 15, st, 32), 3);
	CHECK_INT(st[1], 12);

	/* Vietnamese NFC and NFD: the same NFC text, one stop per letter either way. */
	const char *nfc = "Nguy\xe1\xbb\x85n";      /* ễ precomposed */
	const char *nfd = "Nguye\xcc\x82\xcc\x83n"; /* e + circumflex + tilde */
	struct buf a, b;
	buf_init(&a);
	buf_init(&b);
	CHECK_INT(text_nfc(nfd, strlen(nfd), &a), 0);
	CHECK_INT(text_nfc(nfc, strlen(nfc), &b), 0);
	CHECK_STR(a.data, nfc);
	CHECK_STR(b.data, nfc);
	CHECK_INT(text_caret_stops(nfc, strlen(nfc), st, 32), 7);
	size_t want_nfc[] = {0, 1, 2, 3, 4, 7, 8};
	for (int i = 0; i < 7; i++)
		CHECK_INT(st[i], want_nfc[i]);
	CHECK_INT(text_caret_stops(nfd, strlen(nfd), st, 32), 7);
	CHECK_INT(st[5], 9);
	CHECK_INT(text_next_stop(nfd, strlen(nfd), 4), 9);
	CHECK_INT(text_prev_stop(nfd, strlen(nfd), 9), 4);
	/* Khmer is left as typed by NFC (order normalisation is a search concern). */
	CHECK_INT(text_nfc(STREI, 18, &a), 0);
	CHECK_STR(a.data, STREI);
	CHECK_INT(text_nfc("", 0, &a), 0);
	CHECK_STR(a.data, "");
	CHECK_INT(text_nfc("\xff", 1, &a), ERR_INVAL);
	buf_finish(&a);
	buf_finish(&b);

	CHECK_INT(text_caret_stops(STREI, 18, st, 1), ERR_TOOBIG);
	CHECK_INT(text_caret_stops("a\xff", 2, st, 32), ERR_INVAL);
	CHECK_INT(text_caret_stops("", 0, st, 32), 1);
	CHECK_INT(text_next_stop("abc", 3, 3), 3);
	CHECK_INT(text_prev_stop("abc", 3, 0), 0);
}

static void test_measure_and_runs(struct text *t)
{
	int w = -1, h = -1, wb = -1;
	CHECK_INT(text_measure(t, "", 24, TEXT_REGULAR, &w, &h), 0);
	CHECK_INT(w, 0);
	CHECK(h > 24);
	CHECK_INT(text_measure(t, "Tiếng Việt", 24, TEXT_REGULAR, &w, &h), 0);
	CHECK_INT(text_measure(t, "Tiếng Việt", 24, TEXT_BOLD, &wb, NULL), 0);
	CHECK(wb > w);
	CHECK_INT(text_measure(t, "x", 3, TEXT_REGULAR, &w, NULL), ERR_INVAL);
	CHECK_INT(text_measure(t, "x\xc3", 24, TEXT_REGULAR, &w, NULL), ERR_INVAL);
	CHECK(text_layout(t, "x\xc3", 24, TEXT_REGULAR, 100, "vi") == NULL);

	/* Runs: digits go to Noto Sans (Noto Sans Khmer UI has none), Khmer punctuation stays Khmer. */
	const char *s = "លេខ 0912 ៣៤៥";
	struct text_run r[8];
	CHECK_INT(text_split_runs(t, TEXT_REGULAR, s, strlen(s), r, 8), 3);
	CHECK(r[0].script == TEXT_KHMR && r[1].script == TEXT_LATN && r[2].script == TEXT_KHMR);
	CHECK_INT(r[1].start, strlen("លេខ "));
	CHECK_INT(text_split_runs(t, TEXT_REGULAR, "(ក) a, b", strlen("(ក) a, b"), r, 8), 2);
	CHECK(r[0].script == TEXT_KHMR && r[0].end == strlen("(ក) "));
	CHECK_INT(text_split_runs(t, TEXT_REGULAR, "Tie\xcc\x82\xcc\x81ng", 9, r, 8), 1);
	CHECK_INT(text_split_runs(t, TEXT_REGULAR, "a\xe1\x9e\x80" "b", 5, r, 1), 3);

	/*
	 * One baseline: the line's ascent is the largest of its runs', and so is its
	 * descent (a Khmer run, lowered onto the baseline, reaches further down).
	 */
	struct text_layout *l = text_layout(t, "ក a", 40, TEXT_REGULAR, 0, "km");
	struct text_layout *lk = text_layout(t, "ក", 40, TEXT_REGULAR, 0, "km");
	struct text_layout *ll = text_layout(t, "a", 40, TEXT_REGULAR, 0, "km");
	int bk = text_layout_line_baseline(lk, 0), bl = text_layout_line_baseline(ll, 0);
	int dk = text_layout_line_height(lk, 0) - bk, dl = text_layout_line_height(ll, 0) - bl;
	CHECK_INT(text_layout_line_baseline(l, 0), bk > bl ? bk : bl);
	CHECK_INT(text_layout_line_height(l, 0) - text_layout_line_baseline(l, 0), dk > dl ? dk : dl);
	CHECK(dk > dl); /* Khmer subscripts below the shared baseline */
	CHECK(text_layout_line_baseline(l, 0) > 0 && text_layout_line_baseline(l, 0) < text_layout_line_height(l, 0));
	text_layout_free(l);
	text_layout_free(lk);
	text_layout_free(ll);

	/* Glyph check. */
	char why[160];
	CHECK_INT(text_glyph_check(t, "ខ្មែរ Tiếng Việt 0912 ៣៤៥ «ក» …", 24, why, sizeof why), 0);
	CHECK_INT(text_glyph_check(t, "Shift \xe2\x87\xa7", 24, why, sizeof why), ERR_NOTFOUND);
	CHECK_STR(why, "U+21E7 not in NotoSans-Regular.ttf");
	CHECK_INT(text_glyph_check(t, "\xe2\x97\x8c\xe1\x9e\xb6", 24, why, sizeof why), ERR_NOTFOUND);
	CHECK(strstr(why, "U+25CC") != NULL);
	CHECK_INT(text_glyph_check(t, "\xe1\x9e\xb6", 24, why, sizeof why), ERR_NOTFOUND);
	CHECK(strstr(why, "no base") != NULL);
	CHECK_INT(text_glyph_check(t, "中文", 24, NULL, 0), ERR_NOTFOUND);
}

/* Drawing: ink stays inside the layout box (plus a little side bearing), centring moves short lines. */
static void test_draw(struct text *t)
{
	const char *s = "ស្ត្រី ក្រុង Nguyễn Thị Ừng";
	struct text_layout *l = text_layout(t, s, 32, TEXT_REGULAR, 220, "km");
	int w = text_layout_width(l), h = text_layout_height(l);
	CHECK(text_layout_lines(l) >= 2);
	SDL_Surface *dst = SDL_CreateRGBSurfaceWithFormat(0, w + 200, h + 200, 32, SDL_PIXELFORMAT_XRGB8888);
	for (int align = 0; align <= 1; align++) {
		SDL_FillRect(dst, NULL, 0xFFFFFFu);
		text_layout_draw(l, dst, 100, 100, (SDL_Color){0, 0, 0, 255}, align);
		int x0 = dst->w, y0 = dst->h, x1 = -1, y1 = -1;
		for (int y = 0; y < dst->h; y++)
			for (int x = 0; x < dst->w; x++) {
				Uint32 p = ((Uint32 *)((char *)dst->pixels + y * dst->pitch))[x] & 0xFFFFFFu;
				if (p != 0xFFFFFFu) {
					x0 = x < x0 ? x : x0;
					x1 = x > x1 ? x : x1;
					y0 = y < y0 ? y : y0;
					y1 = y > y1 ? y : y1;
				}
			}
		CHECK(x0 >= 100 - 3 && x1 <= 100 + w + 3);
		CHECK(y0 >= 100 && y1 < 100 + h);
	}
	text_layout_draw(NULL, dst, 0, 0, (SDL_Color){0, 0, 0, 255}, 0);
	text_layout_draw(l, NULL, 0, 0, (SDL_Color){0, 0, 0, 255}, 0);
	SDL_FreeSurface(dst);
	text_layout_free(l);
	text_layout_free(NULL);
	CHECK_INT(text_layout_lines(NULL), 0);
	size_t a, b;
	CHECK_INT(text_layout_line_range(NULL, 0, &a, &b), ERR_INVAL);
}

/* Lowest inked row of a layout of s drawn at (10, 10). */
static int drawn_bottom(struct text *t, const char *s, int size)
{
	struct text_layout *l = text_layout(t, s, size, TEXT_REGULAR, 0, "km");
	SDL_Surface *dst = SDL_CreateRGBSurfaceWithFormat(0, text_layout_width(l) + 20, text_layout_height(l) + 20, 32,
							  SDL_PIXELFORMAT_XRGB8888);
	SDL_FillRect(dst, NULL, 0xFFFFFFu);
	text_layout_draw(l, dst, 10, 10, (SDL_Color){0, 0, 0, 255}, 0);
	int bottom = -1;
	for (int y = 0; y < dst->h; y++)
		for (int x = 0; x < dst->w; x++)
			if ((((Uint32 *)((char *)dst->pixels + y * dst->pitch))[x] & 0xFFFFFFu) != 0xFFFFFFu)
				bottom = y;
	SDL_FreeSurface(dst);
	text_layout_free(l);
	return bottom;
}

/*
 * A vowel above that rises over the font's ascent must not push its line down:
 * SDL_ttf shifts such a surface by 1-2 px (ក៏ at 24 px, ស្ត្រី at 16 px) and the
 * draw has to undo it. The consonant's bottom is where it is without the vowel.
 */
static void test_baseline_kept(struct text *t)
{
	static const struct {
		const char *with, *without;
		int size;
	} c[] = {
		{"\xe1\x9e\x80\xe1\x9f\x8f", "\xe1\x9e\x80", 24},                   /* ក៏ / ក */
		{"\xe1\x9e\x80\xe1\x9f\x8f", "\xe1\x9e\x80", 28},
		{STREI, "\xe1\x9e\x9f\xe1\x9f\x92\xe1\x9e\x8f\xe1\x9f\x92\xe1\x9e\x9a", 16}, /* ស្ត្រី / ស្ត្រ */
		{"\xe1\x9e\x96\xe1\x9f\x8c", "\xe1\x9e\x96", 48},                   /* ព៌ / ព */
	};
	for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
		int a = drawn_bottom(t, c[i].with, c[i].size), b = drawn_bottom(t, c[i].without, c[i].size);
		if (a != b)
			t_fail(__FILE__, __LINE__, "case %zu at %d px: base ends on row %d with the vowel, %d without", i,
			       c[i].size, a, b);
		t_checks++;
	}
}

static void test_lifetime(const char *dir)
{
	struct text *a, *b;
	struct diag d = {""};
	CHECK_INT(text_init(&a, "/nonexistent", &d), ERR_NOTFOUND);
	CHECK(a == NULL);
	CHECK(strstr(d.msg, "/nonexistent/NotoSans-Regular.ttf") != NULL);

	/* A file that is not a font: ERR_PARSE naming it. */
	char *tmp = t_tmpdir("text-fonts");
	char p[1100];
	const char *files[] = {"NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSansKhmerUI-Regular.ttf",
			       "NotoSansKhmerUI-Bold.ttf"};
	for (int i = 0; i < 4; i++) {
		char src[1100];
		snprintf(src, sizeof src, "%s/%s", dir, files[i]);
		snprintf(p, sizeof p, "%s/%s", tmp, files[i]);
		if (i == 3) {
			t_write(p, "not a font\n");
		} else {
			size_t n;
			char *data = t_read(src, &n);
			FILE *f = fopen(p, "wb");
			fwrite(data, 1, n, f);
			fclose(f);
			free(data);
		}
	}
	CHECK_INT(text_init(&a, tmp, &d), ERR_PARSE);
	CHECK(strstr(d.msg, "NotoSansKhmerUI-Bold.ttf") != NULL);
	t_rmtree(tmp);
	free(tmp);

	/* SDL_ttf stays initialised while any struct text lives. */
	CHECK_INT(text_init(&a, dir, &d), 0);
	CHECK_INT(text_init(&b, dir, &d), 0);
	text_destroy(a);
	int w = 0;
	CHECK_INT(text_measure(b, "ខ្មែរ", 30, TEXT_BOLD, &w, NULL), 0);
	CHECK(w > 0);
	text_destroy(b);
	text_destroy(NULL);
	CHECK_INT(text_init(&a, dir, &d), 0);
	text_destroy(a);
}

/* Not a benchmark (no limit asserted): a figure for the report, from the catalog. */
static void report_speed(struct text *t)
{
	struct cat_entry *cat;
	int n = catalog_load("km", &cat);
	CHECK(n > 0);
	struct timespec a, b;
	long lines = 0;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < n; i++) {
		struct text_layout *l = text_layout(t, cat[i].text, 32, TEXT_REGULAR, 900, "km");
		CHECK(l != NULL);
		lines += text_layout_lines(l);
		text_layout_free(l);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	printf("laid out %d strings.km values (%ld lines) at 32 px in 900 px: %.1f ms, %.2f ms each\n", n, lines, ms,
	       ms / n);
	catalog_free(cat, n);
}

/*
 * The memo of measured runs: hits, a memo that fills up and starts over, and
 * text_forget give what a fresh struct text measures.
 */
static void test_memo(struct text *t)
{
	struct text *fresh = oracle_text_open();
	enum { N = 700 };
	static int first[N];
	char s[64];
	int bad = 0;
	for (int i = 0; i < N; i++) {
		snprintf(s, sizeof s, "%s %d", (i & 1) ? "ស្ត្រី" : "Nguyễn", i * 7919);
		int w;
		CHECK_INT(text_measure(t, s, 28, TEXT_REGULAR, &first[i], NULL), 0);
		CHECK_INT(text_measure(fresh, s, 28, TEXT_REGULAR, &w, NULL), 0);
		bad += w != first[i];
	}
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < N; i++) {
			snprintf(s, sizeof s, "%s %d", (i & 1) ? "ស្ត្រី" : "Nguyễn", i * 7919);
			int w;
			CHECK_INT(text_measure(t, s, 28, TEXT_REGULAR, &w, NULL), 0);
			bad += w != first[i];
		}
		text_forget(t);
	}
	CHECK_INT(bad, 0);
	text_destroy(fresh);
}

int main(void)
{
	struct text *t = oracle_text_open();
	test_khmer_paragraph(t);
	test_vietnamese(t);
	test_zwsp(t);
	test_long_word(t);
	test_caret_stops();
	test_measure_and_runs(t);
	test_draw(t);
	test_baseline_kept(t);
	test_memo(t);
	report_speed(t);
	text_destroy(t);
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/fonts", t_env("SPEAN_SOURCE_DIR"));
	test_lifetime(dir);
	u_cleanup();
	return t_done("text_test");
}

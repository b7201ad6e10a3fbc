/*
 * ui/text against hb-view: what text_layout_draw puts on a surface must look
 * like HarfBuzz's own rendering of the same run (same font, size, advances),
 * and unshaped Khmer must not (so that this test can fail).
 *
 * hb-view draws unhinted outlines with cairo at fractional positions; SDL_ttf
 * draws FreeType-hinted bitmaps at whole pixels, so marks and subscripts can
 * sit 1 px apart and thin strokes differ by a pixel. Two scores per run, after
 * aligning the ink boxes (oracle.c): strict IoU of pixels darker than 50%
 * (reported), and "near": the share of ink pixels of either image with ink in
 * the other within 1 px (asserted). Measured: shaped runs score near >= 0.999
 * (IoU 0.77-1.0) at 24-48 px; unshaped Khmer scores near 0.53-0.94 (IoU 0.24-0.78).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "testlib.h"
#include "text.h"
#include "text_internal.h"

#define MIN_NEAR 0.98
#define MARGIN 32 /* hb-view --margin, see oracle.c */

static const char *const hard[] = {
	"ស្ត្រី",           /* two coeng stacks: ST + RO with a vowel above */
	"ក្រុង",            /* coeng RO drawn before the base, vowel below */
	"កើត",              /* split vowel OE: part before the base */
	"ខែ",               /* pre-base vowel AE */
	"ព៌",               /* ROBAT */
	"ខ្មែរ",
	"ស្រ្តី",            /* the other spelling of ស្ត្រី */
	"បញ្ញើ",
	"លេខ 0912 ៣៤៥",    /* Khmer, Latin digits, Khmer digits: three runs */
	"Nguyễn Thị Ừng",  /* stacked Vietnamese diacritics */
	"Đặng Thị Hường",
};
enum { NHARD = sizeof hard / sizeof *hard };

/* A layout of text drawn black on white, as grey, with the layout's top-left at (MARGIN, MARGIN). */
static int draw_grey(struct text *t, const char *text, int size, struct grey *out)
{
	struct text_layout *l = text_layout(t, text, size, TEXT_REGULAR, 0, "km");
	if (!l)
		return -1;
	int w = text_layout_width(l) + 2 * MARGIN, h = text_layout_height(l) + 2 * MARGIN;
	SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
	if (!s) {
		text_layout_free(l);
		return -1;
	}
	SDL_FillRect(s, NULL, SDL_MapRGB(s->format, 255, 255, 255));
	text_layout_draw(l, s, MARGIN, MARGIN, (SDL_Color){0, 0, 0, 255}, 0);
	text_layout_free(l);
	out->w = w;
	out->h = h;
	out->px = xmalloc((size_t)w * (size_t)h);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			Uint8 r, g, b;
			Uint32 p = ((Uint32 *)((char *)s->pixels + y * s->pitch))[x];
			SDL_GetRGB(p, s->format, &r, &g, &b);
			out->px[y * w + x] = (unsigned char)((r + g + b) / 3);
		}
	SDL_FreeSurface(s);
	return 0;
}

/* SPEAN_TEXT_DUMP=dir writes the images compared, for a human to look at. */
static void dump(const char *tag, int size, int i, int k, const struct grey *g)
{
	const char *dir = getenv("SPEAN_TEXT_DUMP");
	if (!dir)
		return;
	char p[1024];
	snprintf(p, sizeof p, "%s/%d-%02d-%d-%s.png", dir, size, i, k, tag);
	png_write_grey(p, g);
}

struct score {
	double iou, near;
	int width; /* module width of the runs */
};

/* Compare every run of hard[i] drawn by the module with hb-view; the worst run's scores. */
static struct score score_string(struct text *t, int size, int i, const char *tag)
{
	const char *s = hard[i];
	struct text_run runs[8];
	int nr = text_split_runs(t, TEXT_REGULAR, s, strlen(s), runs, 8);
	struct score worst = {1.0, 1.0, 0};
	CHECK(nr > 0 && nr <= 8);
	for (int k = 0; k < nr && k < 8; k++) {
		struct buf rt;
		buf_init(&rt);
		text_run_text(s, &runs[k], &rt);
		struct grey mine = {0}, want = {0};
		/* The module draws Khmer larger than the size asked for (TEXT_KHMER_BODY_PERMILLE): so does hb-view. */
		int px = runs[k].script == TEXT_KHMR ? text_khmer_px(t, TEXT_REGULAR, size) : size;
		int ok = draw_grey(t, rt.data, size, &mine) == 0 &&
			 hb_view(font_path(text_font_file(runs[k].script, TEXT_REGULAR)), px, rt.data, &want) == 0;
		CHECK(ok);
		if (ok) {
			struct similarity sim = grey_compare(&mine, &want);
			int w = 0;
			text_measure(t, rt.data, size, TEXT_REGULAR, &w, NULL);
			printf("  %2d px %-8s %-28s run %d %s: near %.3f IoU %.3f 1-MAD %.3f, ink box %+d x %+d px, "
			       "width %d (hb-view %d)\n",
			       size, tag, s, k, runs[k].script == TEXT_KHMR ? "Khmr" : "Latn", sim.near, sim.iou,
			       sim.mad, sim.dw, sim.dh, w, want.w - 2 * MARGIN);
			dump(tag, size, i, k, &mine);
			dump("hb-view", size, i, k, &want);
			if (sim.near < worst.near)
				worst.near = sim.near;
			if (sim.iou < worst.iou)
				worst.iou = sim.iou;
			worst.width += w;
			/* Ink beyond hb-view's box is not compared: bound it (hb-view clips a few px, see oracle.c). */
			if (!strcmp(tag, "shaped")) {
				CHECK(sim.dw >= -1 && sim.dw <= 2);
				CHECK(sim.dh >= -1 && sim.dh <= 4);
			}
		}
		grey_free(&mine);
		grey_free(&want);
		buf_finish(&rt);
	}
	return worst;
}

static int has_khmer(const char *s)
{
	return strstr(s, "\xe1\x9e") || strstr(s, "\xe1\x9f");
}

static void test_pixels(struct text *t, int size)
{
	struct score good[NHARD];
	double min_near = 1, min_iou = 1;
	for (int i = 0; i < NHARD; i++) {
		good[i] = score_string(t, size, i, "shaped");
		if (good[i].near < MIN_NEAR)
			t_fail(__FILE__, __LINE__, "%s at %d px: near %.3f < %.2f", hard[i], size, good[i].near, MIN_NEAR);
		t_checks++;
		min_near = good[i].near < min_near ? good[i].near : min_near;
		min_iou = good[i].iou < min_iou ? good[i].iou : min_iou;
	}

	/* The same without the Khmer script: the test must see the difference. */
	text_test_set_khmer_script(t, 0);
	int caught = 0, khmer = 0;
	double lowest = 1.0, highest = 0;
	for (int i = 0; i < NHARD; i++) {
		if (!has_khmer(hard[i]))
			continue;
		khmer++;
		struct score bad = score_string(t, size, i, "unshaped");
		caught += bad.near < MIN_NEAR || bad.width != good[i].width;
		lowest = bad.near < lowest ? bad.near : lowest;
		highest = bad.near > highest ? bad.near : highest;
	}
	text_test_set_khmer_script(t, 1);
	printf("%d px: shaped runs: near >= %.3f, IoU >= %.3f; unshaped Khmer: %d of %d strings caught, "
	       "near %.3f-%.3f\n",
	       size, min_near, min_iou, caught, khmer, lowest, highest);
	CHECK(caught >= 1);
	CHECK(lowest < 0.8);
}

/* Lowest row with ink (< 128) in columns [x0, x1) of g; -1 if none. Top row likewise. */
static int ink_rows(const struct grey *g, int x0, int x1, int *top)
{
	int bottom = -1;
	*top = -1;
	for (int y = 0; y < g->h; y++)
		for (int x = x0 < 0 ? 0 : x0; x < x1 && x < g->w; x++)
			if (g->px[y * g->w + x] < 128) {
				if (*top < 0)
					*top = y;
				bottom = y;
				break;
			}
	return bottom;
}

/*
 * A whole mixed line against hb-view's runs laid side by side at HarfBuzz's
 * advances, each hb-view image placed so that the bottom of its script's
 * reference letter (Latin "x", Khmer KA: where each script stands) is on one
 * row: checks where the module puts each run, not only how it shapes it.
 */
static void test_mixed_line(struct text *t, const char *s, int size)
{
	struct text_run runs[8];
	int nr = text_split_runs(t, TEXT_REGULAR, s, strlen(s), runs, 8);
	CHECK(nr >= 2 && nr <= 8);
	struct grey parts[8];
	double pen[9] = {0};
	int stand[8], above = 0, below = 0, ok = 1;
	for (int k = 0; k < nr && k < 8; k++) {
		struct buf rt;
		buf_init(&rt);
		text_run_text(s, &runs[k], &rt);
		int khmer = runs[k].script == TEXT_KHMR;
		int px = khmer ? text_khmer_px(t, TEXT_REGULAR, size) : size;
		const char *font = font_path(text_font_file(runs[k].script, TEXT_REGULAR));
		struct hb_line line;
		const char *one = rt.data;
		struct grey ref = {0};
		ok &= hb_view(font, px, rt.data, &parts[k]) == 0 && hb_shape_lines(font, px, &one, 1, &line) == 0 &&
		      hb_view(font, px, khmer ? "\xe1\x9e\x80" : "x", &ref) == 0;
		if (ok) {
			pen[k + 1] = pen[k] + hb_width(&line);
			hb_lines_free(&line, 1);
			/* hb-view's images of one font and size share their vertical layout. */
			CHECK_INT(ref.h, parts[k].h);
			int top;
			stand[k] = ink_rows(&ref, 0, ref.w, &top);
			CHECK(stand[k] > 0);
			above = stand[k] > above ? stand[k] : above;
			below = parts[k].h - stand[k] > below ? parts[k].h - stand[k] : below;
		}
		grey_free(&ref);
		buf_finish(&rt);
	}
	CHECK(ok);
	if (!ok)
		return;
	struct grey want = {(int)pen[nr] + 2 * MARGIN + 8, above + below, NULL};
	want.px = xmalloc((size_t)want.w * (size_t)want.h);
	memset(want.px, 255, (size_t)want.w * (size_t)want.h);
	for (int k = 0; k < nr; k++) {
		int dx = (int)(pen[k] + 0.5), dy = above - stand[k];
		for (int y = 0; y < parts[k].h; y++)
			for (int x = 0; x < parts[k].w; x++) {
				int tx = x + dx, ty = y + dy;
				unsigned char v = parts[k].px[y * parts[k].w + x];
				if (tx < want.w && v < want.px[ty * want.w + tx])
					want.px[ty * want.w + tx] = v;
			}
		grey_free(&parts[k]);
	}
	struct grey mine;
	CHECK_INT(draw_grey(t, s, size, &mine), 0);
	struct similarity sim = grey_compare(&mine, &want);
	printf("mixed line %-28s at %d px (%d runs): near %.3f IoU %.3f, ink box %+d x %+d px\n", s, size, nr, sim.near,
	       sim.iou, sim.dw, sim.dh);
	dump("line", size, 99, nr, &mine);
	dump("hb-view-line", size, 99, nr, &want);
	CHECK(sim.near >= MIN_NEAR);
	CHECK(sim.dw >= -1 && sim.dw <= 2);
	CHECK(sim.dh >= -1 && sim.dh <= 2);
	grey_free(&mine);
	grey_free(&want);
}

/*
 * Khmer and Latin on one line at the same visual size and on one baseline,
 * measured on the module's own pixels: "xnmz" (Latin letters without
 * ascenders or descenders: x-height ink) then Khmer base consonants without
 * subscripts or vowels (their body). Asserted, at every kiosk size and both
 * styles:
 * - baseline: the bottoms of the two inks are at most 1 px apart (each edge
 *   is hinted to a pixel; before the fix the Khmer stood 4 px higher at 16 px
 *   and 10 px higher at 40 px);
 * - size: the Khmer body is TEXT_KHMER_BODY_PERMILLE/1000 of the x-height
 *   within 1 px + 1.2 * 0.5 px: light hinting rounds each height to whole
 *   pixels (the Khmer one by up to 1 px with its two edges snapped at a
 *   scaled size, the x-height by half a pixel, magnified 1.2 times). Before
 *   the fix the Khmer body was exactly the x-height: 2.6 px short at 24 px.
 */
static void test_shared_baseline(struct text *t)
{
	static const char *const lines[] = {"xnmz កនមបអ", "កនមបអ xnmz", "xnmz កនមបអ xnmz"};
	static const int sizes[] = {16, 20, 24, 28, 32, 40, 48};
	int worst_base = 0;
	double worst_size = 0;
	for (int st = 0; st < 2; st++)
		for (size_t li = 0; li < sizeof lines / sizeof *lines; li++)
			for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
				const char *s = lines[li];
				int size = sizes[si];
				enum text_style style = st ? TEXT_BOLD : TEXT_REGULAR;
				struct text_run r[4];
				CHECK(text_split_runs(t, style, s, strlen(s), r, 4) >= 2);
				struct text_layout *l = text_layout(t, s, size, style, 0, "km");
				CHECK(l != NULL);
				if (!l)
					continue;
				int w = text_layout_width(l) + 2 * MARGIN, h = text_layout_height(l) + 2 * MARGIN;
				SDL_Surface *sf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
				SDL_FillRect(sf, NULL, SDL_MapRGB(sf->format, 255, 255, 255));
				text_layout_draw(l, sf, MARGIN, MARGIN, (SDL_Color){0, 0, 0, 255}, 0);
				struct grey g = {w, h, xmalloc((size_t)w * (size_t)h)};
				for (int y = 0; y < h; y++)
					for (int x = 0; x < w; x++) {
						Uint8 cr, cg, cb;
						SDL_GetRGB(((Uint32 *)((char *)sf->pixels + y * sf->pitch))[x], sf->format, &cr,
							   &cg, &cb);
						g.px[y * w + x] = (unsigned char)((cr + cg + cb) / 3);
					}
				/* Columns of each run from the measured widths of the prefixes. */
				int lt = -1, lb = -1, kt = -1, kb = -1;
				size_t n = strlen(s);
				for (size_t a = 0; a < n;) {
					size_t b = a;
					int khmer = (unsigned char)s[a] == 0xE1;
					while (b < n && ((unsigned char)s[b] == 0xE1) == khmer && s[b] != ' ')
						b += khmer ? 3 : 1;
					char pre[64], run[64];
					snprintf(pre, sizeof pre, "%.*s", (int)a, s);
					snprintf(run, sizeof run, "%.*s", (int)(b - a), s + a);
					int x0 = 0, rw = 0;
					if (a)
						text_measure(t, pre, size, style, &x0, NULL);
					text_measure(t, run, size, style, &rw, NULL);
					int top, bottom = ink_rows(&g, MARGIN + x0, MARGIN + x0 + rw, &top);
					CHECK(bottom > 0);
					int *tp = khmer ? &kt : &lt, *bp = khmer ? &kb : &lb;
					if (*bp < 0 || bottom > *bp)
						*bp = bottom;
					if (*tp < 0 || top < *tp)
						*tp = top;
					a = b;
					while (a < n && s[a] == ' ')
						a++;
				}
				int hx = lb - lt + 1, hk = kb - kt + 1;
				double want = hx * TEXT_KHMER_BODY_PERMILLE / 1000.0, off = hk - want;
				int base = kb - lb;
				if (base < 0 ? -base > 1 : base > 1)
					t_fail(__FILE__, __LINE__, "%s at %d px%s: Khmer stands %d px %s the Latin", s, size,
					       st ? " bold" : "", base < 0 ? -base : base, base < 0 ? "above" : "below");
				if (off < -1.6 || off > 1.6)
					t_fail(__FILE__, __LINE__, "%s at %d px%s: Khmer body %d px, x-height %d px (want %.1f)",
					       s, size, st ? " bold" : "", hk, hx, want);
				t_checks += 2;
				if (li == 0 && (size == 16 || size == 24 || size == 40))
					printf("%-22s %2d px%-5s: x-height %2d px, Khmer body %2d px (%.2fx), baselines %+d px\n",
					       s, size, st ? " bold" : "", hx, hk, (double)hk / hx, base);
				worst_base = abs(base) > worst_base ? abs(base) : worst_base;
				worst_size = fabs(off) > worst_size ? fabs(off) : worst_size;
				grey_free(&g);
				SDL_FreeSurface(sf);
				text_layout_free(l);
			}
	printf("shared baseline: worst %d px apart; Khmer body worst %.2f px off %.1f x-heights\n", worst_base,
	       worst_size, TEXT_KHMER_BODY_PERMILLE / 1000.0);
}

/*
 * No clipping: every pixel a mixed line draws lies inside its layout's box
 * (the kiosk clips widgets to that box), for stacks that reach furthest up
 * and down in both scripts.
 */
static void test_no_clip(struct text *t)
{
	static const char *const lines[] = {
		"Chạm vào màn hình để bắt đầu · ប៉ះអេក្រង់ដើម្បីចាប់ផ្ដើម",
		"ស្ត្រី ក្រុង ព៌ Ừng Ỹ gjpqy 0912 ៣៤៥",
		"ឃ្លាំង ញ្ញ ហ្វ៊ី Đặng Thị Hường",
		"សំណួរទី ៤ / ១៨",
	};
	for (int st = 0; st < 2; st++)
		for (size_t li = 0; li < sizeof lines / sizeof *lines; li++)
			for (int size = 16; size <= 48; size += 8) {
				struct text_layout *l =
					text_layout(t, lines[li], size, st ? TEXT_BOLD : TEXT_REGULAR, 0, "km");
				CHECK(l != NULL);
				if (!l)
					continue;
				int lw = text_layout_width(l), lh = text_layout_height(l);
				int w = lw + 2 * MARGIN, h = lh + 2 * MARGIN;
				SDL_Surface *sf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
				SDL_FillRect(sf, NULL, SDL_MapRGB(sf->format, 255, 255, 255));
				text_layout_draw(l, sf, MARGIN, MARGIN, (SDL_Color){0, 0, 0, 255}, 0);
				int outside = 0;
				for (int y = 0; y < h; y++)
					for (int x = 0; x < w; x++) {
						Uint32 p = ((Uint32 *)((char *)sf->pixels + y * sf->pitch))[x];
						int in = y >= MARGIN && y < MARGIN + lh && x >= MARGIN - 2 && x < MARGIN + lw + 2;
						outside += !in && (p & 0xFFFFFF) != 0xFFFFFF;
						if (!in && (p & 0xFFFFFF) != 0xFFFFFF && getenv("SPEAN_TEXT_VERBOSE"))
							printf("outside %d,%d in %dx%d\n", x - MARGIN, y - MARGIN, lw, lh);
					}
				if (outside)
					t_fail(__FILE__, __LINE__, "%s at %d px%s: %d pixels outside the %dx%d box", lines[li],
					       size, st ? " bold" : "", outside, lw, lh);
				t_checks++;
				SDL_FreeSurface(sf);
				text_layout_free(l);
			}
}

int main(void)
{
	struct text *t = oracle_text_open();
	static const int sizes[] = {24, 32, 40};
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
		test_pixels(t, sizes[i]);
	test_mixed_line(t, "លេខ 0912 ៣៤៥", 40);
	test_mixed_line(t, "ភាសាខ្មែរ Tiếng Việt «ខ្មែរ»", 32);
	test_mixed_line(t, "Chạm vào màn hình để bắt đầu · ប៉ះអេក្រង់ដើម្បីចាប់ផ្ដើម", 24);
	test_shared_baseline(t);
	test_no_clip(t);
	text_destroy(t);
	oracle_cleanup();
	return t_done("text_pixels_test");
}

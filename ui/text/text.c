#define LOG_MODULE "text"
/* Fonts, script runs, measuring, line breaking and drawing: the one place that talks to SDL_ttf. */
#include "text.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <SDL_ttf.h>
#include <hb.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>

#include "kv.h"
#include "log.h"
#include "mem.h"
#include "text_internal.h"

#define DOTTED_CIRCLE 0x25CCu
#define ZWSP 0x200Bu

/* Faces: script * 2 + style. */
enum { FACE_COUNT = 4 };
static const char *const face_files[FACE_COUNT] = {
	"NotoSans-Regular.ttf",
	"NotoSans-Bold.ttf",
	"NotoSansKhmerUI-Regular.ttf",
	"NotoSansKhmerUI-Bold.ttf",
};

struct text_font {
	TTF_Font *f;
	int size;      /* the size asked for (the cache key) */
	int px;        /* the size the face is opened at: size, or size scaled for Khmer (see khmer_px) */
	int asc, desc; /* pixels above / below the line's shared baseline (desc >= 0), raise included */
	int raise;     /* pixels the face's consonants sit above its own baseline (see font_open); 0 for Latin */
	int top;       /* the face's ascent less raise: where its surfaces go above the shared baseline */
	int pad;       /* advance of the space that frames every run (see run_measure) */
	int pad2;      /* width of two of them */
	int probe;     /* bottom ink row of BASELINE_PROBE rendered alone (see text_layout_draw) */
	struct memo *memo; /* MEMO_SLOTS advances already measured (see run_measure), or NULL */
	hb_font_t *hb;     /* the same face and size for HarfBuzz (scale 64 units per pixel) */
	int khmer;         /* a Khmer face */
	unsigned memo_used;
};

/*
 * Advances already measured, per font: line breaking measures the same span
 * several times (candidates, then the line it keeps), and screens repeat
 * their labels. Keys are the framed run texts themselves, so a hit is exact.
 * The memo can hold what a resident typed: text_forget wipes it.
 */
#define MEMO_SLOTS 512u
#define MEMO_MAX_KEY 256u
struct memo {
	char *key; /* NULL: empty slot */
	size_t len;
	int adv;
};

/*
 * Drawn after every run, outside the blitted part, to find the baseline in
 * SDL_ttf's surface: a full stop sits on the baseline and both fonts have one.
 */
#define BASELINE_PROBE " ."

/* Fonts are allocated one by one: layouts keep pointers to them. */
struct font_list {
	struct text_font **v;
	size_t n, cap;
};

struct text {
	char *path[FACE_COUNT];
	hb_face_t *hbface[FACE_COUNT]; /* HarfBuzz's view of each file: widths come from here */
	hb_buffer_t *hbbuf;
	hb_font_t *cover[2]; /* the Khmer faces (regular, bold) at any scale: which characters they have */
	struct font_list fonts[FACE_COUNT];
	int khmer_permille[2]; /* Khmer size / Latin size per style, in 1/1000 (see text_init) */
	int khmer_script_off; /* test hook */
	/* Line break iterators, opened on first use (ICU's Khmer dictionary takes a while to load). */
	UBreakIterator *brk_km, *brk_vi;
	/* Scratch, reused across calls so that measuring allocates nothing once warm. */
	struct buf scratch;
	struct text_run *runs;
	size_t runs_cap;
};

/* A run as laid out: font, pen position in the line and the NUL-terminated " text " BASELINE_PROBE in the arena. */
struct layout_run {
	const struct text_font *font;
	int x, w;
	size_t str;
};

struct layout_line {
	size_t start, end;
	int w, h, asc;
	size_t run0, nrun;
};

struct text_layout {
	struct layout_line *lines;
	size_t nlines, lines_cap;
	struct layout_run *runs;
	size_t nruns, runs_cap;
	struct buf arena;
	int w, h;
};

/* ---- SDL_ttf lifetime ---- */

static pthread_mutex_t ttf_lock = PTHREAD_MUTEX_INITIALIZER;
static int ttf_refs;

static int ttf_ref(struct diag *d)
{
	int rc = 0;
	pthread_mutex_lock(&ttf_lock);
	if (ttf_refs == 0 && TTF_Init() < 0) {
		diag_set(d, "SDL_ttf: %s", TTF_GetError());
		rc = ERR_IO;
	} else {
		ttf_refs++;
	}
	pthread_mutex_unlock(&ttf_lock);
	return rc;
}

static void ttf_unref(void)
{
	pthread_mutex_lock(&ttf_lock);
	if (ttf_refs > 0 && --ttf_refs == 0)
		TTF_Quit();
	pthread_mutex_unlock(&ttf_lock);
}

/* ---- fonts ---- */

const char *text_font_file(enum text_script sc, enum text_style st)
{
	return face_files[(sc == TEXT_KHMR ? 2 : 0) + (st == TEXT_BOLD ? 1 : 0)];
}

static int face_of(enum text_script sc, enum text_style st)
{
	return (sc == TEXT_KHMR ? 2 : 0) + (st == TEXT_BOLD ? 1 : 0);
}

static void font_set_script(struct text *t, int face, TTF_Font *f)
{
	/* SDL_ttf 2.20 shapes with the script it is told and never guesses: Khmer needs "Khmr". */
	const char *script = face >= 2 ? (t->khmer_script_off ? "Zzzz" : "Khmr") : "Latn";
	if (TTF_SetFontScriptName(f, script) < 0)
		log_warn("script_failed face=%d err=%s", face, TTF_GetError());
}

/* Lowest row of s with ink in columns x0 and right of it; -1 if none. s is SDL_ttf's ARGB8888. */
static int ink_bottom(SDL_Surface *s, int x0)
{
	for (int y = s->h - 1; y >= 0; y--) {
		const Uint32 *row = (const Uint32 *)((const char *)s->pixels + y * s->pitch);
		for (int x = x0 < 0 ? 0 : x0; x < s->w; x++)
			if (row[x] >> 24)
				return y;
	}
	return -1;
}

/* Highest row of s with ink; -1 if none. */
static int ink_top(SDL_Surface *s)
{
	for (int y = 0; y < s->h; y++) {
		const Uint32 *row = (const Uint32 *)((const char *)s->pixels + y * s->pitch);
		for (int x = 0; x < s->w; x++)
			if (row[x] >> 24)
				return y;
	}
	return -1;
}

static uint64_t memo_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return h;
}

static void memo_clear(struct text_font *tf)
{
	if (!tf->memo)
		return;
	for (unsigned i = 0; i < MEMO_SLOTS; i++) {
		if (tf->memo[i].key) {
			mem_wipe(tf->memo[i].key, tf->memo[i].len);
			free(tf->memo[i].key);
		}
	}
	memset(tf->memo, 0, MEMO_SLOTS * sizeof *tf->memo);
	tf->memo_used = 0;
}

/* The slot for key s[0..n): its entry, or the empty slot where it belongs. */
static struct memo *memo_slot(struct text_font *tf, const char *s, size_t n)
{
	if (!tf->memo)
		tf->memo = xcalloc(MEMO_SLOTS, sizeof *tf->memo);
	unsigned i = (unsigned)memo_hash(s, n) & (MEMO_SLOTS - 1);
	while (tf->memo[i].key && (tf->memo[i].len != n || memcmp(tf->memo[i].key, s, n)))
		i = (i + 1) & (MEMO_SLOTS - 1);
	return &tf->memo[i];
}

/* The Khmer consonant KA drawn alone: its ink bottom is where Khmer consonants stand. */
#define KHMER_PROBE "\xe1\x9e\x80"
/*
 * Stacks that reach highest (KA + OE, KA + NIKAHIT, KA + TOANDAKHIAT: nothing
 * below them, so their lowest ink is the consonants' bottom; not TRIISAP +
 * a vowel above, whose TRIISAP turns into a mark below) and lowest (SO +
 * coeng TA + coeng RO + U).
 */
#define KHMER_TALL "\xe1\x9e\x80\xe1\x9e\xbe\xe1\x9e\x80\xe1\x9f\x86\xe1\x9e\x80\xe1\x9f\x8d"
#define KHMER_DEEP "\xe1\x9e\x9f\xe1\x9f\x92\xe1\x9e\x8f\xe1\x9f\x92\xe1\x9e\x9a\xe1\x9e\xbb"

/* Pixel size of the Khmer face for Latin size px (style 0 regular, 1 bold); never below TEXT_SIZE_MIN. */
static int khmer_px(const struct text *t, int style, int px)
{
	int k = (px * t->khmer_permille[style] + 500) / 1000;
	return k < TEXT_SIZE_MIN ? TEXT_SIZE_MIN : k;
}

int text_khmer_px(const struct text *t, enum text_style st, int size_px)
{
	return khmer_px(t, st == TEXT_BOLD, size_px);
}

/* Open face at size; 0 or a negative code with d naming the file. */
static int font_open(struct text *t, int face, int size, struct text_font **out, struct diag *d)
{
	struct font_list *fl = &t->fonts[face];
	int px = face >= 2 ? khmer_px(t, face & 1, size) : size;
	TTF_Font *f = TTF_OpenFont(t->path[face], px);
	if (!f) {
		struct stat sb;
		int missing = stat(t->path[face], &sb) != 0 && errno == ENOENT;
		diag_set(d, "%s: %s", t->path[face], missing ? "no such file" : TTF_GetError());
		log_error("font_open_failed file=%s size=%d", face_files[face], size);
		return missing ? ERR_NOTFOUND : ERR_PARSE;
	}
	/* Normal hinting: its advances are what hb-shape --ft-load-flags=0 gives (the oracle), and its glyphs
	 * came closest to hb-view's; light, none and light-subpixel drift from both (measured, see tests). */
	TTF_SetFontHinting(f, TTF_HINTING_LIGHT);
	TTF_SetFontKerning(f, 1);
	font_set_script(t, face, f);
	struct text_font *tf = xcalloc(1, sizeof *tf);
	tf->f = f;
	tf->size = size;
	tf->px = px;
	tf->khmer = face >= 2;
	tf->asc = tf->top = TTF_FontAscent(f);
	tf->desc = -TTF_FontDescent(f);
	int h, rc = ERR_PARSE;
	if (TTF_SizeUTF8(f, " ", &tf->pad, &h) < 0 || TTF_SizeUTF8(f, "  ", &tf->pad2, &h) < 0) {
		diag_set(d, "%s: cannot measure a space: %s", t->path[face], TTF_GetError());
		goto fail;
	}
	SDL_Surface *probe = TTF_RenderUTF8_Blended(f, BASELINE_PROBE, (SDL_Color){0, 0, 0, 255});
	tf->probe = probe ? ink_bottom(probe, 0) : -1;
	SDL_FreeSurface(probe);
	if (tf->probe < 0) {
		diag_set(d, "%s: cannot draw a full stop: %s", t->path[face], TTF_GetError());
		goto fail;
	}
	if (tf->khmer) {
		/*
		 * Noto Sans Khmer UI fits subscripts and vowels below into Latin's
		 * descent by drawing its consonants 0.244 em above its own baseline,
		 * where Latin letters stand. Where the scripts share a line, the
		 * consonants are what must stand on the baseline (today they floated
		 * about 4 px above the Latin letters at kiosk sizes): measure where
		 * this size, as hinted, puts the bottom of KA (a surface's baseline
		 * is row `ascent`) and lower the run by that much. The run's ascent
		 * shrinks and its descent grows by the same amount.
		 */
		SDL_Surface *ka = TTF_RenderUTF8_Blended(f, KHMER_PROBE, (SDL_Color){0, 0, 0, 255});
		int bottom = ka ? ink_bottom(ka, 0) : -1;
		SDL_FreeSurface(ka);
		if (bottom < 0 || bottom >= tf->asc) {
			diag_set(d, "%s: cannot draw U+1780: %s", t->path[face], TTF_GetError());
			goto fail;
		}
		tf->raise = tf->asc - 1 - bottom;
		tf->asc -= tf->raise;
		tf->desc += tf->raise;
		tf->top = tf->asc;
		/*
		 * Hinted stacks can overshoot the font's ascent and descent by a pixel
		 * (at 29 px, a vowel above rose one row out of the line box and was
		 * clipped). Measure the tallest and deepest stacks from the consonants'
		 * bottom: the consonants of KHMER_TALL stand on its lowest ink row;
		 * KHMER_DEEP has nothing above, so SDL_ttf draws it at the same rows
		 * as KA alone.
		 */
		SDL_Surface *tall = TTF_RenderUTF8_Blended(f, KHMER_TALL, (SDL_Color){0, 0, 0, 255});
		SDL_Surface *deep = TTF_RenderUTF8_Blended(f, KHMER_DEEP, (SDL_Color){0, 0, 0, 255});
		int tb = tall ? ink_bottom(tall, 0) : -1, tt = tall ? ink_top(tall) : -1;
		int db = deep ? ink_bottom(deep, 0) : -1;
		SDL_FreeSurface(tall);
		SDL_FreeSurface(deep);
		if (tb < 0 || tt < 0 || db < 0) {
			diag_set(d, "%s: cannot draw Khmer stacks: %s", t->path[face], TTF_GetError());
			goto fail;
		}
		if (tb - tt + 1 > tf->asc)
			tf->asc = tb - tt + 1;
		if (db - bottom > tf->desc)
			tf->desc = db - bottom;
	}
	tf->hb = hb_font_create(t->hbface[face]);
	hb_font_set_scale(tf->hb, px * 64, px * 64);
	if (fl->n == fl->cap) {
		fl->cap = fl->cap ? fl->cap * 2 : 4;
		fl->v = xrealloc(fl->v, fl->cap * sizeof *fl->v);
	}
	fl->v[fl->n++] = tf;
	log_debug("font_opened file=%s size=%d px=%d asc=%d desc=%d raise=%d", face_files[face], size, px, tf->asc,
		  tf->desc, tf->raise);
	*out = tf;
	return 0;
fail:
	log_error("font_open_failed file=%s size=%d", face_files[face], px);
	TTF_CloseFont(f);
	free(tf);
	return rc;
}

/* The cached font for (face, size); NULL if it cannot be opened (logged). */
static struct text_font *font_get(struct text *t, int face, int size)
{
	struct font_list *fl = &t->fonts[face];
	for (size_t i = 0; i < fl->n; i++)
		if (fl->v[i]->size == size)
			return fl->v[i];
	struct text_font *tf;
	struct diag d;
	if (font_open(t, face, size, &tf, &d) < 0)
		return NULL;
	return tf;
}

void text_test_set_khmer_script(struct text *t, int on)
{
	t->khmer_script_off = !on;
	for (int face = 2; face < FACE_COUNT; face++)
		for (size_t i = 0; i < t->fonts[face].n; i++) {
			font_set_script(t, face, t->fonts[face].v[i]->f);
			memo_clear(t->fonts[face].v[i]); /* shaped with the other script */
		}
}

/* Ink height of code point c in face (font units); 0 if the face has no such glyph or it draws nothing. */
static int ink_height(hb_face_t *face, hb_codepoint_t c)
{
	hb_font_t *f = hb_font_create(face); /* scale: font units */
	hb_codepoint_t g;
	hb_glyph_extents_t e = {0};
	int h = hb_font_get_nominal_glyph(f, c, &g) && hb_font_get_glyph_extents(f, g, &e) ? -e.height : 0;
	hb_font_destroy(f);
	return h;
}

/*
 * Khmer size / Latin size for style (0 regular, 1 bold), in 1/1000, from the
 * fonts themselves: the size at which the Khmer consonant KA is
 * TEXT_KHMER_BODY_PERMILLE of the Latin x-height (the ink of "x").
 */
static int khmer_ratio(struct text *t, int style, int *permille, struct diag *d)
{
	int latin = face_of(TEXT_LATN, style ? TEXT_BOLD : TEXT_REGULAR);
	int khmer = face_of(TEXT_KHMR, style ? TEXT_BOLD : TEXT_REGULAR);
	unsigned upem_l = hb_face_get_upem(t->hbface[latin]), upem_k = hb_face_get_upem(t->hbface[khmer]);
	long xh = ink_height(t->hbface[latin], 'x'), ka = ink_height(t->hbface[khmer], 0x1780);
	if (xh <= 0 || ka <= 0 || !upem_l || !upem_k) {
		diag_set(d, "%s: no %s to size Khmer by", t->path[xh <= 0 ? latin : khmer],
			 xh <= 0 ? "\"x\"" : "U+1780 (KA)");
		return ERR_PARSE;
	}
	/* Heights as fractions of each em: xh / upem_l and ka / upem_k. */
	long num = (long)TEXT_KHMER_BODY_PERMILLE * xh * upem_k, den = ka * (long)upem_l;
	*permille = (int)((num + den / 2) / den);
	if (*permille < 500 || *permille > 2000) {
		diag_set(d, "%s: Khmer would be drawn at %d/1000 of the Latin size", t->path[khmer], *permille);
		return ERR_PARSE;
	}
	return 0;
}

int text_init(struct text **out, const char *font_dir, struct diag *d)
{
	*out = NULL;
	if (!font_dir || !*font_dir) {
		diag_set(d, "no font directory");
		return ERR_INVAL;
	}
	int rc = ttf_ref(d);
	if (rc)
		return rc;
	struct text *t = xcalloc(1, sizeof *t);
	buf_init(&t->scratch);
	for (int face = 0; face < FACE_COUNT; face++) {
		size_t n = strlen(font_dir) + strlen(face_files[face]) + 2;
		t->path[face] = xmalloc(n);
		snprintf(t->path[face], n, "%s/%s", font_dir, face_files[face]);
	}
	t->hbbuf = hb_buffer_create();
	for (int face = 0; face < FACE_COUNT; face++) {
		hb_blob_t *blob = hb_blob_create_from_file(t->path[face]);
		t->hbface[face] = hb_face_create(blob, 0);
		hb_blob_destroy(blob);
	}
	/*
	 * Prove each file is a font without opening it in SDL_ttf (each size is
	 * opened on first use; opening all four here cost 2 ms of the first frame).
	 */
	for (int face = 0; face < FACE_COUNT; face++) {
		struct stat sb;
		if (stat(t->path[face], &sb) != 0) {
			diag_set(d, "%s: no such file", t->path[face]);
			log_error("font_open_failed file=%s", face_files[face]);
			rc = ERR_NOTFOUND;
			goto fail;
		}
		if (hb_face_get_glyph_count(t->hbface[face]) == 0) {
			diag_set(d, "%s: not a font (no glyphs)", t->path[face]);
			log_error("font_open_failed file=%s", face_files[face]);
			rc = ERR_PARSE;
			goto fail;
		}
	}
	for (int style = 0; style < 2; style++) {
		t->cover[style] = hb_font_create(t->hbface[face_of(TEXT_KHMR, style ? TEXT_BOLD : TEXT_REGULAR)]);
		rc = khmer_ratio(t, style, &t->khmer_permille[style], d);
		if (rc)
			goto fail;
	}
	log_info("fonts_opened dir=%s count=%d khmer_permille=%d,%d", font_dir, FACE_COUNT, t->khmer_permille[0],
		 t->khmer_permille[1]);
	*out = t;
	return 0;
fail:
	text_destroy(t);
	return rc;
}

void text_destroy(struct text *t)
{
	if (!t)
		return;
	for (int face = 0; face < FACE_COUNT; face++) {
		for (size_t i = 0; i < t->fonts[face].n; i++) {
			memo_clear(t->fonts[face].v[i]);
			free(t->fonts[face].v[i]->memo);
			hb_font_destroy(t->fonts[face].v[i]->hb);
			TTF_CloseFont(t->fonts[face].v[i]->f);
			free(t->fonts[face].v[i]);
		}
		free(t->fonts[face].v);
		free(t->path[face]);
		hb_face_destroy(t->hbface[face]);
	}
	if (t->brk_km)
		ubrk_close(t->brk_km);
	if (t->brk_vi)
		ubrk_close(t->brk_vi);
	buf_finish_wipe(&t->scratch);
	hb_buffer_destroy(t->hbbuf);
	for (int style = 0; style < 2; style++)
		if (t->cover[style])
			hb_font_destroy(t->cover[style]);
	free(t->runs);
	free(t);
	ttf_unref();
}

/* ---- script runs ---- */

static int is_khmer(uint32_t c)
{
	return (c >= 0x1780 && c <= 0x17FF) || (c >= 0x19E0 && c <= 0x19FF);
}

/* Characters that reach no shaper: U+200B (a break that draws nothing) and controls. */
static int is_dropped(uint32_t c)
{
	return c == ZWSP || c < 0x20 || (c >= 0x7F && c < 0xA0);
}

/* Attach to the run before them whatever it is: combining marks, joiners, selectors. */
static int is_inherited(uint32_t c)
{
	if (c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF || (c >= 0xFE00 && c <= 0xFE0F))
		return 1;
	int8_t gc = u_charType((UChar32)c);
	return !is_khmer(c) && (gc == U_NON_SPACING_MARK || gc == U_ENCLOSING_MARK || gc == U_COMBINING_SPACING_MARK);
}

/* Digits, spaces, punctuation, symbols: they join the run around them. */
static int is_neutral(uint32_t c)
{
	if (is_khmer(c))
		return 0;
	if (is_dropped(c))
		return 1;
	int8_t gc = u_charType((UChar32)c);
	switch (gc) {
	case U_DECIMAL_DIGIT_NUMBER:
	case U_OTHER_NUMBER:
	case U_SPACE_SEPARATOR:
	case U_LINE_SEPARATOR:
	case U_PARAGRAPH_SEPARATOR:
	case U_DASH_PUNCTUATION:
	case U_START_PUNCTUATION:
	case U_END_PUNCTUATION:
	case U_CONNECTOR_PUNCTUATION:
	case U_OTHER_PUNCTUATION:
	case U_INITIAL_PUNCTUATION:
	case U_FINAL_PUNCTUATION:
	case U_MATH_SYMBOL:
	case U_CURRENCY_SYMBOL:
	case U_MODIFIER_SYMBOL:
	case U_OTHER_SYMBOL:
		return 1;
	default:
		return 0;
	}
}

/* Script of a neutral character whose neighbours say `base`: Khmer only if that font has it. */
static enum text_script neutral_script(hb_font_t *khmer, enum text_script base, uint32_t c)
{
	if (base != TEXT_KHMR || is_dropped(c))
		return base;
	hb_codepoint_t g;
	return hb_font_get_nominal_glyph(khmer, c, &g) ? TEXT_KHMR : TEXT_LATN;
}

int text_split_runs(struct text *t, enum text_style st, const char *s, size_t len, struct text_run *runs, size_t max)
{
	if (len && !utf8_valid(s, len))
		return ERR_INVAL;
	/*
	 * Coverage does not depend on size. It came from whichever SDL_ttf font of
	 * the face was open, and when none was yet a space after Khmer went to the
	 * Latin face: the same string measured differently in a fresh struct text.
	 */
	hb_font_t *khmer = t->cover[st == TEXT_BOLD];
	/* Leading neutrals take the script of the first strong character. */
	enum text_script lead = TEXT_LATN;
	for (size_t j = 0; j < len;) {
		uint32_t c = text_utf8_next(s, len, &j);
		if (is_khmer(c)) {
			lead = TEXT_KHMR;
			break;
		}
		if (!is_inherited(c) && !is_neutral(c))
			break;
	}
	size_t n = 0, i = 0;
	int have = 0;
	enum text_script prev = TEXT_LATN;
	while (i < len) {
		size_t at = i;
		uint32_t c = text_utf8_next(s, len, &i);
		enum text_script sc;
		if (is_khmer(c)) {
			sc = TEXT_KHMR;
		} else if (is_inherited(c) || is_neutral(c)) {
			enum text_script base = have ? prev : lead;
			sc = is_inherited(c) ? base : neutral_script(khmer, base, c);
		} else {
			sc = TEXT_LATN;
		}
		if (have && sc == prev) {
			if (n <= max && n > 0)
				runs[n - 1].end = i;
		} else {
			if (n < max)
				runs[n] = (struct text_run){at, i, sc};
			n++;
		}
		have = 1;
		prev = sc;
	}
	return n > INT_MAX ? ERR_TOOBIG : (int)n;
}

void text_run_text(const char *s, const struct text_run *r, struct buf *out)
{
	size_t i = r->start, from = r->start;
	while (i < r->end) {
		size_t at = i;
		uint32_t c = text_utf8_next(s, r->end, &i);
		if (is_dropped(c)) {
			buf_append(out, s + from, at - from);
			from = i;
		}
	}
	buf_append(out, s + from, r->end - from);
}

/* Runs of s[a..b) into t->runs (offsets relative to s); returns the count or a negative code. */
static int split(struct text *t, enum text_style st, const char *s, size_t a, size_t b)
{
	for (;;) {
		int n = text_split_runs(t, st, s + a, b - a, t->runs, t->runs_cap);
		if (n < 0)
			return n;
		if ((size_t)n <= t->runs_cap) {
			for (int k = 0; k < n; k++) {
				t->runs[k].start += a;
				t->runs[k].end += a;
			}
			return n;
		}
		t->runs_cap = (size_t)n + 8;
		t->runs = xrealloc(t->runs, t->runs_cap * sizeof *t->runs);
	}
}

/* ---- measuring ---- */

/*
 * TTF_SizeUTF8 returns the ink box joined with the pen advance, so a glyph
 * that overhangs its advance (a negative left bearing, a subscript sticking
 * out) would count. Framing the run with one space on each side keeps the ink
 * inside the pen range, so width(" run ") - width("  ") is the run's advance
 * (HarfBuzz's, floored to a pixel). The same frame puts the pen origin at
 * `pad` pixels into the rendered surface, whatever the first glyph's bearing.
 */
static int run_measure(struct text *t, struct text_font *tf, const char *framed, int *adv)
{
	size_t n = strlen(framed);
	struct memo *m = n <= MEMO_MAX_KEY ? memo_slot(tf, framed, n) : NULL;
	if (m && m->key) {
		*adv = m->adv;
		return 0;
	}
	/*
	 * HarfBuzz's advances of the run without its frame spaces, rounded once
	 * at the end: SDL_ttf rounds each glyph and drifts on long runs. Script
	 * and language are guessed from the text as hb-shape does; the test hook
	 * makes Khmer unshaped (what SDL_ttf does without a script).
	 */
	hb_buffer_t *b = t->hbbuf;
	hb_buffer_clear_contents(b);
	hb_buffer_add_utf8(b, framed + 1, (int)(n - 2), 0, (int)(n - 2));
	hb_buffer_guess_segment_properties(b);
	if (tf->khmer && t->khmer_script_off)
		hb_buffer_set_script(b, HB_SCRIPT_LATIN);
	hb_shape(tf->hb, b, NULL, 0);
	unsigned count;
	const hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(b, &count);
	long sum = 0;
	for (unsigned i = 0; i < count; i++)
		sum += pos[i].x_advance;
	*adv = sum > 0 ? (int)((sum + 32) / 64) : 0;
	if (m) {
		if (tf->memo_used >= MEMO_SLOTS * 3 / 4) { /* full enough: start over rather than probe long chains */
			memo_clear(tf);
			m = memo_slot(tf, framed, n);
		}
		m->key = xmalloc(n);
		memcpy(m->key, framed, n);
		m->len = n;
		m->adv = *adv;
		tf->memo_used++;
	}
	return 0;
}

void text_forget(struct text *t)
{
	for (int face = 0; face < FACE_COUNT; face++)
		for (size_t i = 0; i < t->fonts[face].n; i++)
			memo_clear(t->fonts[face].v[i]);
}

struct line_metrics {
	int w, asc, desc;
};

/*
 * Measure s[a..b) as one line; with l, also append its runs to the layout.
 * empty_face: the face whose metrics a line without runs gets (the layout language's).
 */
static int line_shape(struct text *t, const char *s, size_t a, size_t b, int size, enum text_style st, int empty_face,
		      struct line_metrics *m, struct text_layout *l)
{
	m->w = m->asc = m->desc = 0;
	int n = split(t, st, s, a, b);
	if (n < 0)
		return n;
	if (n == 0) {
		struct text_font *tf = font_get(t, empty_face, size);
		if (!tf)
			return ERR_IO;
		m->asc = tf->asc;
		m->desc = tf->desc;
		return 0;
	}
	for (int k = 0; k < n; k++) {
		struct text_run r = t->runs[k];
		struct text_font *tf = font_get(t, face_of(r.script, st), size);
		if (!tf)
			return ERR_IO;
		t->scratch.len = 0;
		buf_putc(&t->scratch, ' ');
		text_run_text(s, &r, &t->scratch);
		buf_putc(&t->scratch, ' ');
		int adv;
		int rc = run_measure(t, tf, t->scratch.data, &adv);
		if (rc)
			return rc;
		if (l && t->scratch.len > 2) {
			if (l->nruns == l->runs_cap) {
				l->runs_cap = l->runs_cap ? l->runs_cap * 2 : 8;
				l->runs = xrealloc(l->runs, l->runs_cap * sizeof *l->runs);
			}
			l->runs[l->nruns++] = (struct layout_run){tf, m->w, adv, l->arena.len};
			buf_append(&l->arena, t->scratch.data, t->scratch.len);
			buf_append(&l->arena, BASELINE_PROBE, sizeof BASELINE_PROBE);
		}
		m->w += adv;
		if (tf->asc > m->asc)
			m->asc = tf->asc;
		if (tf->desc > m->desc)
			m->desc = tf->desc;
	}
	return 0;
}

static int check_args(const char *utf8, int size_px)
{
	if (!utf8 || size_px < TEXT_SIZE_MIN || size_px > TEXT_SIZE_MAX)
		return ERR_INVAL;
	size_t n = strlen(utf8);
	if (n > INT32_MAX || (n && !utf8_valid(utf8, n)))
		return ERR_INVAL;
	return 0;
}

int text_measure(struct text *t, const char *utf8, int size_px, enum text_style st, int *w, int *h)
{
	int rc = check_args(utf8, size_px);
	if (rc)
		return rc;
	struct line_metrics m;
	rc = line_shape(t, utf8, 0, strlen(utf8), size_px, st, face_of(TEXT_LATN, st), &m, NULL);
	if (rc)
		return rc;
	if (w)
		*w = m.w;
	if (h)
		*h = m.asc + m.desc;
	return 0;
}

/* ---- line breaking ---- */

static int is_hanging(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x85 ||
	       c == 0x2028 || c == 0x2029 || c == ZWSP || c == 0x3000;
}

/* End of s[a..b) without the spaces that hang at the end of a line. */
static size_t trim_end(const char *s, size_t a, size_t b)
{
	while (b > a) {
		size_t p = b - 1;
		while (p > a && ((unsigned char)s[p] & 0xC0) == 0x80)
			p--;
		size_t q = p;
		if (!is_hanging(text_utf8_next(s, b, &q)))
			break;
		b = p;
	}
	return b;
}

static UBreakIterator *line_iterator(struct text *t, const char *lang, int *owned)
{
	UBreakIterator **slot = NULL;
	*owned = 0;
	if (lang && !strcmp(lang, "km"))
		slot = &t->brk_km;
	else if (!lang || !strcmp(lang, "vi"))
		slot = &t->brk_vi;
	if (slot && *slot)
		return *slot;
	UErrorCode st = U_ZERO_ERROR;
	UBreakIterator *bi = ubrk_open(UBRK_LINE, lang ? lang : "vi", NULL, 0, &st);
	if (U_FAILURE(st)) {
		log_error("icu_open_failed what=line err=%s", u_errorName(st));
		return NULL;
	}
	if (slot)
		*slot = bi;
	else
		*owned = 1;
	return bi;
}

static void layout_add_line(struct text_layout *l, size_t start, size_t end, const struct line_metrics *m, size_t run0)
{
	if (l->nlines == l->lines_cap) {
		l->lines_cap = l->lines_cap ? l->lines_cap * 2 : 4;
		l->lines = xrealloc(l->lines, l->lines_cap * sizeof *l->lines);
	}
	l->lines[l->nlines++] = (struct layout_line){start, end, m->w, m->asc + m->desc, m->asc, run0, l->nruns - run0};
	if (m->w > l->w)
		l->w = m->w;
	l->h += m->asc + m->desc;
}

struct breaker {
	struct text *t;
	struct text_layout *l;
	const char *s;
	int size;
	enum text_style st;
	int empty_face;
};

static int measure_span(struct breaker *bk, size_t a, size_t b, int *w)
{
	struct line_metrics m;
	int rc = line_shape(bk->t, bk->s, a, trim_end(bk->s, a, b), bk->size, bk->st, bk->empty_face, &m, NULL);
	*w = m.w;
	return rc;
}

static int emit(struct breaker *bk, size_t a, size_t b)
{
	struct line_metrics m;
	size_t run0 = bk->l->nruns;
	int rc = line_shape(bk->t, bk->s, a, trim_end(bk->s, a, b), bk->size, bk->st, bk->empty_face, &m, bk->l);
	if (rc)
		return rc;
	layout_add_line(bk->l, a, b, &m, run0);
	return 0;
}

/* s[a..b) is one unbreakable segment wider than max_w: the longest run of caret stops that fits (at least one). */
static int cut_word(struct breaker *bk, size_t a, size_t b, int max_w, size_t *cut)
{
	size_t nstops = b - a + 1;
	size_t *stops = xmalloc(nstops * sizeof *stops);
	int n = text_caret_stops(bk->s + a, b - a, stops, nstops);
	if (n < 0) {
		free(stops);
		return n;
	}
	*cut = n > 1 ? a + stops[1] : b;
	for (int k = 2; k < n; k++) {
		int w;
		int rc = measure_span(bk, a, a + stops[k], &w);
		if (rc) {
			free(stops);
			return rc;
		}
		if (w > max_w)
			break;
		*cut = a + stops[k];
	}
	free(stops);
	return 0;
}

/* Width of s[a..b) as shaped, trailing spaces included (an estimate's building block). */
static int measure_raw(struct breaker *bk, size_t a, size_t b, int *w)
{
	struct line_metrics m;
	int rc = line_shape(bk->t, bk->s, a, b, bk->size, bk->st, bk->empty_face, &m, NULL);
	*w = m.w;
	return rc;
}

/*
 * Reshaping the whole line at every break opportunity costs O(words^2) per
 * line (and most of a screen's first frame). Each segment between two break
 * opportunities is shaped once instead; their sum (trailing spaces included)
 * is an upper estimate of the line. Only when it comes within LAYOUT_SLACK px
 * of max_w is the line shaped whole, so the decisions stay exact.
 */
#define LAYOUT_SLACK 4

static int layout_break(struct breaker *bk, UBreakIterator *bi, size_t len, int max_w)
{
	size_t ls = 0;   /* start of the current line */
	size_t fit = 0;  /* last break opportunity after ls that fits; 0: none yet */
	size_t prev = 0; /* the previous break opportunity (end of the summed segments) */
	int est = 0;     /* sum of the segments' widths from ls to prev */
	int32_t b = ubrk_following(bi, 0);
	while (b != UBRK_DONE) {
		size_t pos = (size_t)b;
		int hard = ubrk_getRuleStatus(bi) >= UBRK_LINE_HARD && ubrk_getRuleStatus(bi) < UBRK_LINE_HARD_LIMIT &&
			   pos < len;
		int w = 0, rc = 0, seg = 0;
		if (max_w > 0) {
			if ((rc = measure_raw(bk, prev, pos, &seg)))
				return rc;
			if (est + seg + LAYOUT_SLACK <= max_w)
				w = est + seg; /* fits for sure */
			else if ((rc = measure_span(bk, ls, pos, &w)))
				return rc;
		}
		if (max_w <= 0 || w <= max_w) {
			fit = pos;
			est += seg;
			prev = pos;
			if (hard) {
				if ((rc = emit(bk, ls, pos)))
					return rc;
				ls = prev = pos;
				est = 0;
				fit = 0;
			}
			b = ubrk_next(bi);
			continue;
		}
		if (fit) {
			/* Break at the last opportunity that fitted, then look at this one again. */
			if ((rc = emit(bk, ls, fit)))
				return rc;
			ls = prev = fit;
			est = 0;
			fit = 0;
			continue;
		}
		/* One segment alone is too wide: cut it between caret stops. */
		size_t cut;
		if ((rc = cut_word(bk, ls, pos, max_w, &cut)))
			return rc;
		if (cut >= pos) {
			fit = pos;
			prev = pos;
			est = 0x3fffffff; /* a line wider than the box: measure exactly from here on */
			b = ubrk_next(bi);
			continue;
		}
		if ((rc = emit(bk, ls, cut)))
			return rc;
		ls = prev = cut;
		est = 0;
	}
	if (ls < len || bk->l->nlines == 0)
		return emit(bk, ls, len);
	return 0;
}

/* A character that forces a line break (then the break iterator must see the text). */
static int hard_break_in(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n' || c == '\r' || c == 0x0B || c == 0x0C)
			return 1;
		if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0x85)
			return 1;
		if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
		    ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9))
			return 1;
	}
	return 0;
}

struct text_layout *text_layout(struct text *t, const char *utf8, int size_px, enum text_style st, int max_w,
				const char *lang)
{
	if (check_args(utf8, size_px)) {
		log_warn("layout_bad_args size=%d", size_px);
		return NULL;
	}
	size_t len = strlen(utf8);
	struct text_layout *l = xcalloc(1, sizeof *l);
	buf_init(&l->arena);
	struct breaker bk = {t, l, utf8, size_px, st, face_of(lang && !strcmp(lang, "km") ? TEXT_KHMR : TEXT_LATN, st)};
	int rc = 0, owned = 0, w1 = 0;
	if (len == 0) {
		rc = emit(&bk, 0, 0);
	} else if (max_w > 0 && !hard_break_in(utf8, len) && (rc = measure_span(&bk, 0, len, &w1)) == 0 && w1 <= max_w) {
		/* It fits on one line: no break opportunities to look for (and no ICU dictionary to load). */
		rc = emit(&bk, 0, len);
	} else if (!rc) {
		UBreakIterator *bi = line_iterator(t, lang, &owned);
		if (!bi) {
			rc = ERR_IO;
		} else {
			UErrorCode st2 = U_ZERO_ERROR;
			UText ut = UTEXT_INITIALIZER;
			utext_openUTF8(&ut, utf8, (int64_t)len, &st2);
			ubrk_setUText(bi, &ut, &st2);
			if (U_FAILURE(st2)) {
				log_error("icu_settext_failed err=%s", u_errorName(st2));
				rc = ERR_IO;
			} else {
				rc = layout_break(&bk, bi, len, max_w);
			}
			utext_close(&ut);
			if (owned)
				ubrk_close(bi);
		}
	}
	if (rc) {
		log_error("layout_failed err=%s size=%d bytes=%zu", err_name(rc), size_px, len);
		text_layout_free(l);
		return NULL;
	}
	return l;
}

void text_layout_free(struct text_layout *l)
{
	if (!l)
		return;
	buf_finish_wipe(&l->arena);
	free(l->lines);
	free(l->runs);
	free(l);
}

int text_layout_lines(const struct text_layout *l)
{
	return l ? (int)l->nlines : 0;
}

int text_layout_width(const struct text_layout *l)
{
	return l ? l->w : 0;
}

int text_layout_height(const struct text_layout *l)
{
	return l ? l->h : 0;
}

void text_layout_size(const struct text_layout *l, int *w, int *h)
{
	if (w)
		*w = text_layout_width(l);
	if (h)
		*h = text_layout_height(l);
}

static const struct layout_line *line_at(const struct text_layout *l, int i)
{
	return l && i >= 0 && (size_t)i < l->nlines ? &l->lines[i] : NULL;
}

int text_layout_line_width(const struct text_layout *l, int i)
{
	const struct layout_line *ln = line_at(l, i);
	return ln ? ln->w : 0;
}

int text_layout_line_height(const struct text_layout *l, int i)
{
	const struct layout_line *ln = line_at(l, i);
	return ln ? ln->h : 0;
}

int text_layout_line_baseline(const struct text_layout *l, int i)
{
	const struct layout_line *ln = line_at(l, i);
	return ln ? ln->asc : 0;
}

int text_layout_line_range(const struct text_layout *l, int i, size_t *start, size_t *end)
{
	const struct layout_line *ln = line_at(l, i);
	if (!ln)
		return ERR_INVAL;
	*start = ln->start;
	*end = ln->end;
	return 0;
}

void text_layout_draw(const struct text_layout *l, SDL_Surface *dst, int x, int y, SDL_Color fg, int align)
{
	if (!l || !dst)
		return;
	int top = y;
	for (size_t i = 0; i < l->nlines; i++) {
		const struct layout_line *ln = &l->lines[i];
		int x0 = x + (align == 1 ? (l->w - ln->w) / 2 : 0);
		int baseline = top + ln->asc;
		for (size_t k = ln->run0; k < ln->run0 + ln->nrun; k++) {
			const struct layout_run *r = &l->runs[k];
			SDL_Surface *s = TTF_RenderUTF8_Blended(r->font->f, l->arena.data + r->str, fg);
			if (!s) {
				log_error("render_failed size=%d err=%s", r->font->size, TTF_GetError());
				continue;
			}
			/*
			 * The frame space puts the pen origin `pad` pixels in. SDL_ttf moves everything
			 * down when a glyph rises above the ascent (Khmer vowels above do, by 1-2 px)
			 * and does not say by how much: the probe's full stop tells.
			 */
			int clip = r->w + r->font->pad2;
			int shift = ink_bottom(s, clip + r->font->pad) - r->font->probe;
			if (shift < 0 || shift > s->h) {
				log_warn("probe_lost size=%d", r->font->size);
				shift = 0;
			}
			SDL_Rect src = {0, 0, clip < s->w ? clip : s->w, s->h};
			SDL_Rect at = {x0 + r->x - r->font->pad, baseline - r->font->top - shift, src.w, src.h};
			if (SDL_BlitSurface(s, &src, dst, &at) < 0)
				log_error("blit_failed err=%s", SDL_GetError());
			SDL_FreeSurface(s);
		}
		top += ln->h;
	}
}

/* ---- glyph check ---- */

static int khmer_base(uint32_t c)
{
	return c >= 0x1780 && c <= 0x17B3;
}

static int khmer_sign(uint32_t c)
{
	return (c >= 0x17B6 && c <= 0x17D3) || c == 0x17DD;
}

/* First problem in s for style st, into why; 0 if none. */
static int glyph_check_style(struct text *t, const char *s, size_t len, int size_px, enum text_style st, char *why,
			     size_t n)
{
	int nr = split(t, st, s, 0, len);
	if (nr < 0)
		return nr;
	for (int k = 0; k < nr; k++) {
		struct text_run r = t->runs[k];
		int face = face_of(r.script, st);
		struct text_font *tf = font_get(t, face, size_px);
		if (!tf)
			return ERR_IO;
		int based = 0;
		for (size_t i = r.start; i < r.end;) {
			uint32_t c = text_utf8_next(s, r.end, &i);
			/* Controls are dropped; HarfBuzz hides format characters (ZWJ, ZWNJ) itself. */
			if (is_dropped(c) || u_charType((UChar32)c) == U_FORMAT_CHAR)
				continue;
			if (c == DOTTED_CIRCLE) {
				snprintf(why, n, "U+25CC (dotted circle) in the text");
				return ERR_NOTFOUND;
			}
			if (!TTF_GlyphIsProvided32(tf->f, c)) {
				snprintf(why, n, "U+%04X not in %s", (unsigned)c, face_files[face]);
				return ERR_NOTFOUND;
			}
			if (r.script == TEXT_KHMR) {
				if (khmer_sign(c) && !based) {
					snprintf(why, n, "U+%04X has no base: HarfBuzz would draw a dotted circle",
						 (unsigned)c);
					return ERR_NOTFOUND;
				}
				based = khmer_base(c) || (based && khmer_sign(c));
			}
		}
	}
	return 0;
}

int text_glyph_check(struct text *t, const char *utf8, int size_px, char *why, size_t n)
{
	char tmp[160];
	if (!why || !n) {
		why = tmp;
		n = sizeof tmp;
	}
	why[0] = '\0';
	int rc = check_args(utf8, size_px);
	if (rc)
		return rc;
	size_t len = strlen(utf8);
	rc = glyph_check_style(t, utf8, len, size_px, TEXT_REGULAR, why, n);
	if (!rc)
		rc = glyph_check_style(t, utf8, len, size_px, TEXT_BOLD, why, n);
	return rc;
}

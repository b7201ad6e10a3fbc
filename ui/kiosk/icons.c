#define LOG_MODULE "icons"
/*
 * kiosk/icons: the questions' pictures and the answer buttons' symbols. At
 * start every picture a question names and the three symbols must exist (a
 * pack without one is refused before anything is shown);
 * it is read when first shown (reading all of them would slow the first
 * frame by 2 ms) and kept as ARGB; `spean content check` reads them all.
 * Each screen size gets its own linearly scaled copy, made once.
 */
#include "icons.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "contentpack.h"
#include "fs.h"
#include "log.h"
#include "mem.h"

enum { ICON_MIN = 32, ICON_MAX = 1024 };

struct icon {
	char name[32];
	char what[64];       /* for messages: "the picture of question ID", "the symbol of the answer Yes" */
	char *path;
	SDL_Surface *src;    /* ARGB8888, as read; NULL until first shown (or a bad file) */
	int bad;             /* could not be read: shown without a picture */
	SDL_Surface *scaled; /* ARGB8888 at `side`, or NULL */
	int side;
};

struct icons {
	int n;
	struct icon v[ANSWER_SYMBOLS + CONTENT_MAX_QUESTIONS]; /* the answer symbols first, in enum answer_symbol order */
};

static const char *const answer_word[ANSWER_SYMBOLS] = {"Yes", "No", "I don't know"};

static struct icon *find(struct icons *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, name))
			return &s->v[i];
	return NULL;
}

/* Read and check ic's picture; 0 or a negative code with d naming the file. */
static int decode(struct icon *ic, struct diag *d)
{
	/* The header first (core/contentpack): a size it claims is checked before SDL allocates anything for it. */
	struct buf b;
	struct content_picture pic;
	buf_init(&b);
	int rc = fs_read_file(ic->path, 14 + 124 + (size_t)CONTENT_PICTURE_MAX * CONTENT_PICTURE_MAX * 4 + 4, &b, d);
	if (!rc && (rc = content_bmp_check(b.data, b.len, &pic, d)))
		diag_prefix(d, "%s (%s): ", ic->path, ic->what);
	if (rc) {
		buf_finish(&b);
		return rc;
	}
	SDL_Surface *raw = SDL_LoadBMP_RW(SDL_RWFromConstMem(b.data, (int)b.len), 1);
	buf_finish(&b);
	if (!raw) {
		diag_set(d, "%s: not a readable BMP picture (%s): %s", ic->path, ic->what, SDL_GetError());
		return ERR_PARSE;
	}
	if (raw->w != raw->h || raw->w < ICON_MIN || raw->w > ICON_MAX) {
		diag_set(d, "%s: %dx%d px; a picture is square, %d to %d px (%s)", ic->path, raw->w, raw->h, ICON_MIN, ICON_MAX,
			 ic->what);
		SDL_FreeSurface(raw);
		return ERR_PARSE;
	}
	ic->src = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_ARGB8888, 0);
	SDL_FreeSurface(raw);
	if (!ic->src) {
		diag_set(d, "%s: %s", ic->path, SDL_GetError());
		return ERR_IO;
	}
	return 0;
}

static int load_one(struct icon *ic, const char *dir, const char *name, int full, struct diag *d)
{
	char rel[64];
	snprintf(rel, sizeof rel, "icons/%s.bmp", name);
	snprintf(ic->name, sizeof ic->name, "%s", name);
	ic->path = fs_join(dir, rel);
	struct stat sb;
	if (stat(ic->path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		int e = S_ISREG(sb.st_mode) ? errno : EISDIR;
		diag_set(d, "%s: %s (%s)", ic->path, strerror(e), ic->what);
		return e == ENOENT ? ERR_NOTFOUND : ERR_IO;
	}
	return full ? decode(ic, d) : 0;
}

int icons_load(struct icons **out, const char *dir, const struct content *c, int full, struct diag *d)
{
	struct icons *s = xcalloc(1, sizeof *s);
	*out = NULL;
	for (int i = 0; i < ANSWER_SYMBOLS + c->nquestions; i++) {
		struct icon *ic = &s->v[s->n];
		const char *name = i < ANSWER_SYMBOLS ? content_answer_symbol[i] : c->q[i - ANSWER_SYMBOLS].icon;
		if (!*name || find(s, name))
			continue;
		if (i < ANSWER_SYMBOLS)
			snprintf(ic->what, sizeof ic->what, "the symbol of the answer %s", answer_word[i]);
		else
			snprintf(ic->what, sizeof ic->what, "the picture of question %s", c->q[i - ANSWER_SYMBOLS].id);
		int rc = load_one(ic, dir, name, full, d);
		s->n++;
		if (rc) {
			icons_destroy(s);
			return rc;
		}
	}
	log_info("icons_loaded count=%d", s->n);
	*out = s;
	return 0;
}

void icons_destroy(struct icons *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n; i++) {
		SDL_FreeSurface(s->v[i].src);
		SDL_FreeSurface(s->v[i].scaled);
		free(s->v[i].path);
	}
	free(s);
}

int icons_count(const struct icons *s)
{
	return s ? s->n : 0;
}

SDL_Surface *icons_get(struct icons *s, const char *name, int side)
{
	struct icon *ic = s && name && *name ? find(s, name) : NULL;
	if (!ic || side < 1 || ic->bad)
		return NULL;
	if (!ic->src) {
		struct diag d = {""};
		if (decode(ic, &d)) {
			/* The pack changed after the start check: show the question without it. */
			log_error("icon_unreadable name=%s", ic->name);
			ic->bad = 1;
			return NULL;
		}
	}
	if (side == ic->src->w)
		return ic->src;
	if (ic->scaled && ic->side == side)
		return ic->scaled;
	SDL_FreeSurface(ic->scaled);
	ic->scaled = SDL_CreateRGBSurfaceWithFormat(0, side, side, 32, SDL_PIXELFORMAT_ARGB8888);
	ic->side = side;
	if (!ic->scaled || SDL_SoftStretchLinear(ic->src, NULL, ic->scaled, NULL) < 0) {
		log_error("icon_scale_failed name=%s side=%d err=%s", ic->name, side, SDL_GetError());
		SDL_FreeSurface(ic->scaled);
		ic->scaled = NULL;
		return NULL;
	}
	SDL_SetSurfaceBlendMode(ic->scaled, SDL_BLENDMODE_BLEND);
	return ic->scaled;
}

SDL_Surface *icons_answer(struct icons *s, enum answer_symbol a, int side)
{
	return (unsigned)a < ANSWER_SYMBOLS ? icons_get(s, content_answer_symbol[a], side) : NULL;
}

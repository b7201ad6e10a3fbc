#define LOG_MODULE "ui"
#include "ui.h"

#include <png.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "text.h"

#define C(r, g, b) ((SDL_Color){r, g, b, 255})

void ui_theme_default(struct ui_theme *th, int w, int h)
{
	(void)w;
	/* Sizes follow the short side: 480 px tall at 800x480, 600 at 1024x600. */
	int s = h;
	th->bg = C(0xff, 0xfb, 0xf2);
	th->fg = C(0x1a, 0x1a, 0x1a);
	th->muted = C(0x55, 0x55, 0x55);
	th->accent = C(0x0b, 0x5c, 0x3b);
	th->accent_fg = C(0xff, 0xff, 0xff);
	th->button_bg = C(0xe6, 0xe1, 0xd3);
	th->button_fg = C(0x1a, 0x1a, 0x1a);
	th->border = C(0x5a, 0x52, 0x40);
	th->danger = C(0xb0, 0x1e, 0x1e);
	th->danger_fg = C(0xff, 0xff, 0xff);
	th->field_bg = C(0xff, 0xff, 0xff);
	th->pad = s / 30;
	th->gap = s / 48;
	th->title_px = s / 15;
	th->body_px = s / 21;
	th->button_px = s / 19;
	th->small_px = s / 26;
	th->touch_px = s / 8 > 56 ? s / 8 : 56;
}

int ui_create(struct ui **out, struct text *t, int w, int h, struct diag *d)
{
	/* The software framebuffer, no GL: Mesa alone costs ~77 MiB on a board without a GPU. */
	SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
	SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
	if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
		diag_set(d, "cannot start the display: %s", SDL_GetError());
		return ERR_IO;
	}
	/*
	 * KMSDRM has no framebuffer of its own: SDL backs the window surface with a streaming
	 * texture of the renderer this hint names, and "0" (or "software") leaves it none, so
	 * SDL_GetWindowSurface fails. Unnamed, SDL takes the first accelerated renderer, "opengl":
	 * Debian's SDL (no RPI driver) then asks EGL for desktop GL, and on virtio-gpu the screen
	 * stayed black (tests/appliance/kiosk_test.sh). GLES2 is what virtio-gpu, vc4 and v3d
	 * speak and it scans out exactly what the toolkit drew in software into the texture.
	 */
	const char *video = SDL_GetCurrentVideoDriver();
	if (video && !SDL_strcasecmp(video, "KMSDRM"))
		SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "opengles2");
	struct ui *u = xcalloc(1, sizeof *u);
	u->win = SDL_CreateWindow("Spean", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h, SDL_WINDOW_SHOWN);
	if (!u->win) {
		diag_set(d, "cannot open a %dx%d window: %s", w, h, SDL_GetError());
		free(u);
		SDL_QuitSubSystem(SDL_INIT_VIDEO);
		return ERR_IO;
	}
	u->surf = SDL_GetWindowSurface(u->win);
	if (!u->surf) {
		diag_set(d, "no window surface: %s", SDL_GetError());
		SDL_DestroyWindow(u->win);
		free(u);
		SDL_QuitSubSystem(SDL_INIT_VIDEO);
		return ERR_IO;
	}
	u->text = t;
	u->dim = 100;
	u->w = u->surf->w;
	u->h = u->surf->h;
	ui_theme_default(&u->theme, u->w, u->h);
	ui_invalidate(u, (SDL_Rect){0, 0, u->w, u->h});
	*out = u;
	return 0;
}

static void widget_free(struct widget *w)
{
	if (w->text) {
		mem_wipe(w->text, strlen(w->text));
		free(w->text);
	}
	text_layout_free(w->layout);
	free(w->qr);
	free(w);
}

void ui_clear(struct ui *u)
{
	while (u->widgets) {
		struct widget *n = u->widgets->next;
		widget_free(u->widgets);
		u->widgets = n;
	}
	u->last = NULL;
	u->pressed = NULL;
	ui_invalidate(u, (SDL_Rect){0, 0, u->w, u->h});
}

void ui_destroy(struct ui *u)
{
	if (!u)
		return;
	ui_clear(u);
	SDL_DestroyWindow(u->win);
	SDL_QuitSubSystem(SDL_INIT_VIDEO);
	free(u);
}

void ui_invalidate(struct ui *u, SDL_Rect r)
{
	SDL_Rect screen = {0, 0, u->w, u->h}, c;
	if (!SDL_IntersectRect(&r, &screen, &c))
		return;
	/* Merge with an overlapping rectangle; when full, redraw the union. */
	for (int i = 0; i < u->ndirty; i++)
		if (SDL_HasIntersection(&u->dirty[i], &c)) {
			SDL_UnionRect(&u->dirty[i], &c, &u->dirty[i]);
			return;
		}
	if (u->ndirty == (int)(sizeof u->dirty / sizeof u->dirty[0])) {
		for (int i = 1; i < u->ndirty; i++)
			SDL_UnionRect(&u->dirty[0], &u->dirty[i], &u->dirty[0]);
		u->ndirty = 1;
		SDL_UnionRect(&u->dirty[0], &c, &u->dirty[0]);
		return;
	}
	u->dirty[u->ndirty++] = c;
}

static struct widget *add(struct ui *u, enum widget_kind k, const char *id, SDL_Rect r, unsigned flags)
{
	struct widget *w = xcalloc(1, sizeof *w);
	w->kind = k;
	snprintf(w->id, sizeof w->id, "%s", id ? id : "");
	w->r = r;
	w->flags = flags;
	if (u->last)
		u->last->next = w;
	else
		u->widgets = w;
	u->last = w;
	return w;
}

/* Inner padding each side: none for labels, a little for keyboard keys (WF_COMPACT), a gap otherwise. */
static int inner_pad(const struct ui *u, const struct widget *w)
{
	return w->kind == W_LABEL ? 0 : (w->kind == W_BUTTON && (w->flags & WF_COMPACT)) ? u->theme.gap / 4 : u->theme.gap;
}

/* Lay the text out inside the widget's box (with inner padding for buttons and fields). */
static void relayout(struct ui *u, struct widget *w)
{
	text_layout_free(w->layout);
	w->layout = NULL;
	w->overflow = 0;
	if (!w->text || !*w->text)
		return;
	int inner = inner_pad(u, w);
	int maxw = w->r.w - 2 * inner - w->indent;
	/* A field is one line that scrolls (draw shows its end, where typing goes): no wrapping. */
	int wrap = w->kind == W_FIELD ? 0 : maxw > 1 ? maxw : 1;
	w->layout = text_layout(u->text, w->text, w->size_px, (w->flags & WF_BOLD) ? TEXT_BOLD : TEXT_REGULAR, wrap,
				w->lang[0] ? w->lang : "vi");
	if (!w->layout)
		return;
	int tw, th;
	text_layout_size(w->layout, &tw, &th);
	if (w->kind == W_LABEL && w->r.h == 0)
		w->r.h = th;
	w->overflow = (tw > maxw && w->kind != W_FIELD) || th > w->r.h - 2 * (w->kind == W_LABEL ? 0 : inner / 2);
}

static struct widget *text_widget(struct ui *u, enum widget_kind k, const char *id, SDL_Rect r, const char *text,
				  const char *lang, int size, unsigned flags)
{
	struct widget *w = add(u, k, id, r, flags);
	w->text = xstrdup(text ? text : "");
	snprintf(w->lang, sizeof w->lang, "%s", lang ? lang : "vi");
	w->size_px = size;
	relayout(u, w);
	ui_invalidate(u, w->r);
	return w;
}

struct widget *ui_label(struct ui *u, const char *id, SDL_Rect r, const char *text, const char *lang, int size_px,
			unsigned flags)
{
	return text_widget(u, W_LABEL, id, r, text, lang, size_px, flags);
}

struct widget *ui_button(struct ui *u, const char *id, SDL_Rect r, const char *text, const char *lang, unsigned flags,
			 widget_fn fn, void *ctx, int arg)
{
	int min = (flags & WF_COMPACT) ? u->theme.touch_px * 3 / 4 : u->theme.touch_px;
	if (r.h < min)
		r.h = min;
	int size = (flags & WF_COMPACT) ? u->theme.body_px : u->theme.button_px;
	struct widget *w = text_widget(u, W_BUTTON, id, r, text, lang, size, flags | WF_CENTER);
	/* A label that does not fit its button steps down in size (to the small size) rather than be clipped. */
	while (w->overflow && w->size_px > u->theme.small_px) {
		w->size_px = w->size_px - 2 > u->theme.small_px ? w->size_px - 2 : u->theme.small_px;
		relayout(u, w);
	}
	w->on_tap = fn;
	w->ctx = ctx;
	w->arg = arg;
	return w;
}

struct widget *ui_field(struct ui *u, const char *id, SDL_Rect r, const char *text, const char *lang, unsigned flags)
{
	return text_widget(u, W_FIELD, id, r, text, lang, u->theme.button_px, flags);
}

struct widget *ui_progress(struct ui *u, const char *id, SDL_Rect r, int value, int max)
{
	struct widget *w = add(u, W_PROGRESS, id, r, 0);
	w->value = value;
	w->max = max;
	ui_invalidate(u, r);
	return w;
}

struct widget *ui_panel(struct ui *u, const char *id, SDL_Rect r, unsigned flags)
{
	struct widget *w = add(u, W_PANEL, id, r, flags);
	ui_invalidate(u, r);
	return w;
}

struct widget *ui_catcher(struct ui *u, const char *id, SDL_Rect r, widget_fn fn, void *ctx, int arg)
{
	struct widget *w = add(u, W_PANEL, id, r, WF_CLEAR);
	w->on_tap = fn;
	w->ctx = ctx;
	w->arg = arg;
	return w;
}

struct widget *ui_qr(struct ui *u, const char *id, SDL_Rect r, const char *data)
{
	QRcode *q = QRcode_encodeString8bit(data, 0, QR_ECLEVEL_M);
	if (!q)
		return NULL;
	struct widget *w = add(u, W_QR, id, r, 0);
	w->qr_n = q->width;
	w->qr = xmalloc((size_t)(q->width * q->width));
	for (int i = 0; i < q->width * q->width; i++)
		w->qr[i] = q->data[i] & 1;
	QRcode_free(q);
	ui_invalidate(u, r);
	return w;
}

struct widget *ui_image(struct ui *u, const char *id, SDL_Rect r, SDL_Surface *img)
{
	struct widget *w = add(u, W_IMAGE, id, r, 0);
	w->img = img;
	ui_invalidate(u, r);
	return w;
}

void ui_set_text(struct ui *u, struct widget *w, const char *text)
{
	if (w->text && !strcmp(w->text, text))
		return;
	SDL_Rect old = w->r;
	if (w->text) {
		mem_wipe(w->text, strlen(w->text));
		free(w->text);
	}
	w->text = xstrdup(text);
	if (w->kind == W_LABEL)
		w->r.h = old.h; /* keep the box: a label growing would move its neighbours */
	relayout(u, w);
	ui_invalidate(u, old);
	ui_invalidate(u, w->r);
}

void ui_set_flags(struct ui *u, struct widget *w, unsigned set, unsigned clear)
{
	unsigned f = (w->flags | set) & ~clear;
	if (f == w->flags)
		return;
	int relayout_needed = (f ^ w->flags) & WF_BOLD;
	w->flags = f;
	if (relayout_needed)
		relayout(u, w);
	ui_invalidate(u, w->r);
}

void ui_set_progress(struct ui *u, struct widget *w, int value, int max)
{
	if (w->value == value && w->max == max)
		return;
	w->value = value;
	w->max = max;
	ui_invalidate(u, w->r);
}

static Uint32 map(struct ui *u, SDL_Color c)
{
	return SDL_MapRGB(u->surf->format, c.r, c.g, c.b);
}

static void frame(struct ui *u, SDL_Rect r, int t, SDL_Color c)
{
	SDL_Rect e[4] = {{r.x, r.y, r.w, t}, {r.x, r.y + r.h - t, r.w, t}, {r.x, r.y, t, r.h}, {r.x + r.w - t, r.y, t, r.h}};
	SDL_FillRects(u->surf, e, 4, map(u, c));
}

static void draw_text(struct ui *u, struct widget *w, SDL_Color fg)
{
	if (!w->layout)
		return;
	int tw, th;
	text_layout_size(w->layout, &tw, &th);
	int inner = inner_pad(u, w);
	int x = w->r.x + inner + w->indent, y = w->r.y;
	if (w->kind != W_LABEL)
		y += (w->r.h - th) / 2;
	int align = (w->flags & WF_CENTER) ? 1 : 0;
	if (align)
		x += (w->r.w - 2 * inner - w->indent - tw) / 2;
	text_layout_draw(w->layout, u->surf, x, y, fg, align);
}

static void draw(struct ui *u, struct widget *w)
{
	const struct ui_theme *t = &u->theme;
	switch (w->kind) {
	case W_PANEL:
		if (w->flags & WF_CLEAR)
			break;
		SDL_FillRect(u->surf, &w->r, map(u, (w->flags & WF_DANGER) ? t->danger : (w->flags & WF_PRIMARY) ? t->accent : t->button_bg));
		break;
	case W_LABEL: {
		SDL_Color fg = (w->flags & WF_INVERSE) ? t->accent_fg
			       : (w->flags & WF_DANGER) ? t->danger
			       : (w->flags & WF_MUTED)  ? t->muted
							: t->fg;
		draw_text(u, w, fg);
		break;
	}
	case W_BUTTON: {
		int primary = (w->flags & (WF_PRIMARY | WF_SELECTED)) != 0;
		SDL_Color bg = primary ? t->accent : t->button_bg, fg = primary ? t->accent_fg : t->button_fg;
		if (w->flags & WF_DANGER)
			bg = t->danger, fg = t->danger_fg;
		if (w->flags & WF_PRESSED)
			bg = (SDL_Color){(Uint8)(bg.r * 3 / 4), (Uint8)(bg.g * 3 / 4), (Uint8)(bg.b * 3 / 4), 255};
		if (w->flags & WF_DISABLED)
			bg = t->bg, fg = t->muted;
		SDL_FillRect(u->surf, &w->r, map(u, bg));
		frame(u, w->r, 2, (w->flags & WF_DISABLED) ? t->muted : t->border);
		draw_text(u, w, fg);
		break;
	}
	case W_FIELD: {
		SDL_FillRect(u->surf, &w->r, map(u, t->field_bg));
		/* Full (WF_DANGER): the border in the warning colour. */
		SDL_Color border = (w->flags & WF_DANGER) ? t->danger : (w->flags & WF_FOCUSED) ? t->accent : t->border;
		frame(u, w->r, (w->flags & (WF_FOCUSED | WF_DANGER)) ? 4 : 2, border);
		/* Longer than the box: scrolled so its end (and the caret) stay in view, clipped inside the border. */
		int inner = t->gap, tw = 0, th = 0;
		SDL_Rect clip = {w->r.x + 4, w->r.y + 4, w->r.w - 8, w->r.h - 8};
		if (w->layout)
			text_layout_size(w->layout, &tw, &th);
		int x = w->r.x + inner, room = w->r.w - 2 * inner - 3;
		if (tw > room)
			x -= tw - room;
		SDL_SetClipRect(u->surf, &clip);
		if (w->layout)
			text_layout_draw(w->layout, u->surf, x, w->r.y + (w->r.h - th) / 2,
					 (w->flags & WF_MUTED) ? t->muted : t->fg, 0);
		if (w->flags & WF_FOCUSED) {
			int ch = th ? th : w->size_px;
			SDL_Rect caret = {x + tw + 1, w->r.y + (w->r.h - ch) / 2, 2, ch};
			SDL_FillRect(u->surf, &caret, map(u, t->fg));
		}
		SDL_SetClipRect(u->surf, NULL);
		break;
	}
	case W_PROGRESS: {
		SDL_FillRect(u->surf, &w->r, map(u, t->button_bg));
		SDL_Rect f = w->r;
		f.w = w->max > 0 ? w->r.w * (w->value < w->max ? w->value : w->max) / w->max : 0;
		SDL_FillRect(u->surf, &f, map(u, t->accent));
		break;
	}
	case W_QR: {
		int quiet = 4, n = w->qr_n + 2 * quiet;
		int side = w->r.w < w->r.h ? w->r.w : w->r.h;
		int m = side / n;
		if (m < 1)
			m = 1;
		SDL_Rect bgr = {w->r.x, w->r.y, m * n, m * n};
		SDL_FillRect(u->surf, &bgr, map(u, C(255, 255, 255)));
		Uint32 black = map(u, C(0, 0, 0));
		for (int y = 0; y < w->qr_n; y++)
			for (int x = 0; x < w->qr_n; x++)
				if (w->qr[y * w->qr_n + x]) {
					SDL_Rect px = {w->r.x + (x + quiet) * m, w->r.y + (y + quiet) * m, m, m};
					SDL_FillRect(u->surf, &px, black);
				}
		break;
	}
	case W_IMAGE:
		if (w->img) {
			SDL_Rect at = {w->r.x + (w->r.w - w->img->w) / 2, w->r.y + (w->r.h - w->img->h) / 2, w->img->w, w->img->h};
			SDL_SetSurfaceBlendMode(w->img, SDL_BLENDMODE_BLEND);
			SDL_BlitSurface(w->img, NULL, u->surf, &at);
		}
		break;
	}
}

void ui_set_dim(struct ui *u, int percent)
{
	percent = percent < 0 ? 0 : percent > 100 ? 100 : percent;
	if (percent == u->dim)
		return;
	u->dim = percent;
	u->blanked = 0;
	ui_invalidate(u, (SDL_Rect){0, 0, u->w, u->h});
}

/* Scale the colour channels of r's pixels to u->dim percent (any packed 16- or 32-bit format; alpha kept). */
static void darken(struct ui *u, const SDL_Rect *r)
{
	SDL_Surface *s = u->surf;
	const SDL_PixelFormat *f = s->format;
	const Uint32 masks[3] = {f->Rmask, f->Gmask, f->Bmask};
	Uint32 keep = ~(f->Rmask | f->Gmask | f->Bmask);
	int bpp = f->BytesPerPixel;
	if (bpp != 2 && bpp != 4) {
		SDL_FillRect(s, r, SDL_MapRGB(f, 0, 0, 0)); /* no such window surface seen: dark rather than bright */
		return;
	}
	if (SDL_MUSTLOCK(s) && SDL_LockSurface(s))
		return;
	for (int y = r->y; y < r->y + r->h; y++) {
		Uint8 *row = (Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch + (size_t)r->x * (size_t)bpp;
		for (int x = 0; x < r->w; x++) {
			Uint32 p = bpp == 4 ? ((Uint32 *)(void *)row)[x] : ((Uint16 *)(void *)row)[x], o = p & keep;
			for (int c = 0; c < 3; c++)
				o |= (Uint32)(((uint64_t)(p & masks[c]) * (uint64_t)u->dim / 100u) & masks[c]);
			if (bpp == 4)
				((Uint32 *)(void *)row)[x] = o;
			else
				((Uint16 *)(void *)row)[x] = (Uint16)o;
		}
	}
	if (SDL_MUSTLOCK(s))
		SDL_UnlockSurface(s);
}

int ui_luma(struct ui *u)
{
	SDL_Surface *s = u->surf;
	uint64_t sum = 0;
	Uint8 r, g, b;
	if (SDL_MUSTLOCK(s) && SDL_LockSurface(s))
		return -1;
	for (int y = 0; y < s->h; y++)
		for (int x = 0; x < s->w; x++) {
			const Uint8 *p = (const Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch + (size_t)x * s->format->BytesPerPixel;
			Uint32 v = s->format->BytesPerPixel == 4 ? *(const Uint32 *)(const void *)p
				 : s->format->BytesPerPixel == 2 ? *(const Uint16 *)(const void *)p
								 : (Uint32)(p[0] | p[1] << 8 | p[2] << 16);
			SDL_GetRGB(v, s->format, &r, &g, &b);
			sum += (uint64_t)(299 * r + 587 * g + 114 * b);
		}
	if (SDL_MUSTLOCK(s))
		SDL_UnlockSurface(s);
	return (int)(sum / 1000u / ((uint64_t)s->w * (uint64_t)s->h));
}

int ui_render(struct ui *u)
{
	int n = u->ndirty;
	if (!n)
		return 0;
	if (u->dim == 0) {
		/* Off: one black frame, then nothing is drawn (no work while nobody can see it). */
		u->ndirty = 0;
		if (u->blanked)
			return 0;
		SDL_Rect all = {0, 0, u->w, u->h};
		SDL_FillRect(u->surf, &all, SDL_MapRGB(u->surf->format, 0, 0, 0));
		SDL_UpdateWindowSurface(u->win);
		u->blanked = 1;
		u->frames++;
		return 1;
	}
	Uint32 bg = map(u, u->theme.bg);
	for (int i = 0; i < n; i++) {
		SDL_Rect *d = &u->dirty[i];
		SDL_SetClipRect(u->surf, d);
		SDL_FillRect(u->surf, d, bg);
		for (struct widget *w = u->widgets; w; w = w->next)
			if (!(w->flags & WF_HIDDEN) && SDL_HasIntersection(&w->r, d))
				draw(u, w);
		u->pixels_drawn += (uint64_t)d->w * (uint64_t)d->h;
		if (u->dim < 100)
			darken(u, d);
	}
	SDL_SetClipRect(u->surf, NULL);
	SDL_UpdateWindowSurfaceRects(u->win, u->dirty, n);
	u->ndirty = 0;
	u->frames++;
	return n;
}

static struct widget *hit(struct ui *u, int x, int y)
{
	struct widget *found = NULL;
	SDL_Point p = {x, y};
	for (struct widget *w = u->widgets; w; w = w->next)
		if (w->on_tap && !(w->flags & (WF_HIDDEN | WF_DISABLED)) && SDL_PointInRect(&p, &w->r))
			found = w; /* the last drawn is on top */
	return found;
}

int ui_event(struct ui *u, const SDL_Event *ev)
{
	int x, y, down;
	switch (ev->type) {
	case SDL_MOUSEBUTTONDOWN:
	case SDL_MOUSEBUTTONUP:
		if (ev->button.which == SDL_TOUCH_MOUSEID)
			return 0; /* the finger event handles it */
		x = ev->button.x, y = ev->button.y, down = ev->type == SDL_MOUSEBUTTONDOWN;
		break;
	case SDL_FINGERDOWN:
	case SDL_FINGERUP:
		x = (int)(ev->tfinger.x * (float)u->w), y = (int)(ev->tfinger.y * (float)u->h);
		down = ev->type == SDL_FINGERDOWN;
		break;
	case SDL_WINDOWEVENT:
		if (ev->window.event == SDL_WINDOWEVENT_EXPOSED || ev->window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
			u->surf = SDL_GetWindowSurface(u->win);
			ui_invalidate(u, (SDL_Rect){0, 0, u->w, u->h});
			return 1;
		}
		return 0;
	default:
		return 0;
	}
	struct widget *w = hit(u, x, y);
	if (down) {
		u->pressed = w;
		if (w)
			ui_set_flags(u, w, WF_PRESSED, 0);
		return w != NULL;
	}
	struct widget *p = u->pressed;
	u->pressed = NULL;
	if (!p)
		return 0;
	ui_set_flags(u, p, 0, WF_PRESSED);
	if (p == w && p->on_tap)
		p->on_tap(p->ctx, p); /* may rebuild the screen: p is not used after this */
	return 1;
}

struct widget *ui_find(struct ui *u, const char *s)
{
	for (struct widget *w = u->widgets; w; w = w->next)
		if (!(w->flags & WF_HIDDEN) && !strcmp(w->id, s))
			return w;
	for (struct widget *w = u->widgets; w; w = w->next)
		if (!(w->flags & WF_HIDDEN) && w->text && !strcmp(w->text, s) && w->on_tap)
			return w;
	return NULL;
}

struct widget *ui_find_any(struct ui *u, const char *s)
{
	struct widget *w = ui_find(u, s);
	for (struct widget *x = u->widgets; !w && x; x = x->next)
		if (!(x->flags & WF_HIDDEN) && x->text && !strcmp(x->text, s))
			w = x;
	return w;
}

void ui_tap(struct ui *u, struct widget *w)
{
	SDL_Event e;
	memset(&e, 0, sizeof e);
	e.type = SDL_MOUSEBUTTONDOWN;
	e.button.button = SDL_BUTTON_LEFT;
	e.button.x = w->r.x + w->r.w / 2;
	e.button.y = w->r.y + w->r.h / 2;
	ui_event(u, &e);
	ui_render(u);
	e.type = SDL_MOUSEBUTTONUP;
	ui_event(u, &e);
}

int ui_screenshot(struct ui *u, const char *path, struct diag *d)
{
	SDL_Surface *rgb = SDL_ConvertSurfaceFormat(u->surf, SDL_PIXELFORMAT_RGB24, 0);
	if (!rgb) {
		diag_set(d, "screenshot: %s", SDL_GetError());
		return ERR_IO;
	}
	FILE *f = fopen(path, "wb");
	if (!f) {
		diag_set(d, "%s: cannot create", path);
		SDL_FreeSurface(rgb);
		return ERR_IO;
	}
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	int rc = 0;
	if (!png || !info || setjmp(png_jmpbuf(png))) {
		diag_set(d, "%s: PNG encoding failed", path);
		rc = ERR_IO;
	} else {
		png_init_io(png, f);
		png_set_IHDR(png, info, (png_uint_32)rgb->w, (png_uint_32)rgb->h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
			     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
		png_write_info(png, info);
		for (int y = 0; y < rgb->h; y++)
			png_write_row(png, (png_const_bytep)rgb->pixels + (size_t)y * (size_t)rgb->pitch);
		png_write_end(png, NULL);
	}
	png_destroy_write_struct(&png, &info);
	if (fclose(f) && !rc) {
		diag_set(d, "%s: write failed", path);
		rc = ERR_IO;
	}
	SDL_FreeSurface(rgb);
	return rc;
}

int ui_overflow(struct ui *u, struct buf *out)
{
	int n = 0;
	SDL_Rect screen = {0, 0, u->w, u->h};
	for (struct widget *w = u->widgets; w; w = w->next) {
		if (w->flags & WF_HIDDEN)
			continue;
		SDL_Rect in;
		int off = !SDL_IntersectRect(&w->r, &screen, &in) || in.w != w->r.w || in.h != w->r.h;
		if (w->overflow || off) {
			buf_printf(out, "%s%s(%s)", n ? " " : "", w->id[0] ? w->id : "?", off ? "off-screen" : "text");
			n++;
		}
	}
	return n;
}

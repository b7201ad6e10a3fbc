/* toolkit/ui: a small retained widget set (label, button, field, progress, QR, keypad grid) drawn with dirty-region redraw onto an SDL window surface. */
#ifndef SPEAN_UI_H
#define SPEAN_UI_H

#include <SDL.h>

#include "err.h"
#include "mem.h"

struct text;
struct text_layout;

struct ui_theme {
	SDL_Color bg, fg, muted, accent, accent_fg, button_bg, button_fg, border, danger, danger_fg, field_bg;
	int pad;        /* outer margin, px */
	int gap;        /* between widgets, px */
	int body_px;    /* text sizes */
	int title_px;
	int button_px;
	int small_px;
	int touch_px;   /* minimum touch target (about 9 mm) */
};

enum widget_kind { W_PANEL, W_LABEL, W_BUTTON, W_FIELD, W_PROGRESS, W_QR, W_IMAGE };

enum {
	WF_HIDDEN = 1u << 0,
	WF_DISABLED = 1u << 1,
	WF_PRESSED = 1u << 2,
	WF_FOCUSED = 1u << 3,
	WF_BOLD = 1u << 4,
	WF_CENTER = 1u << 5,   /* centre text horizontally */
	WF_PRIMARY = 1u << 6,  /* accent colours */
	WF_DANGER = 1u << 7,   /* warning colours (KHẨN) */
	WF_MUTED = 1u << 8,    /* muted text colour */
	WF_SELECTED = 1u << 9,
	WF_INVERSE = 1u << 10, /* light text on a dark panel */
	WF_COMPACT = 1u << 11, /* keyboard keys: may be 3/4 of the touch target (about 7 mm) */
	WF_CLEAR = 1u << 12,   /* a panel that draws nothing (a catcher: see ui_catcher) */
};

struct widget;
typedef void (*widget_fn)(void *ctx, struct widget *w);

struct widget {
	enum widget_kind kind;
	char id[48];              /* for scripts and tests: "answer_yes" */
	SDL_Rect r;
	unsigned flags;
	char *text;               /* owned UTF-8 (wiped on free: fields hold personal data) */
	char lang[3];
	int size_px;
	int indent;               /* px kept free on the left of the text (a symbol drawn there) */
	int value, max;           /* progress */
	unsigned char *qr;        /* QR modules (1 = dark), qr_n x qr_n */
	int qr_n;
	SDL_Surface *img;         /* W_IMAGE: borrowed, must outlive the widget */
	struct text_layout *layout;
	int overflow;             /* text does not fit its box */
	widget_fn on_tap;
	void *ctx;
	int arg;                  /* free for the owner (e.g. an answer value) */
	struct widget *next;
};

struct ui {
	SDL_Window *win;
	SDL_Surface *surf;
	struct text *text;
	struct ui_theme theme;
	int w, h;
	struct widget *widgets, *last;
	SDL_Rect dirty[32];
	int ndirty;
	struct widget *pressed;
	uint64_t pixels_drawn;    /* for tests and the tap benchmark */
	unsigned frames;
	int dim;                  /* percent of full brightness the frame is drawn at (ui_set_dim) */
	int blanked;              /* dim 0: the black frame is on the screen */
};

/* Open a window of w x h (the video driver decides where: x11, kmsdrm, offscreen). */
int ui_create(struct ui **out, struct text *t, int w, int h, struct diag *d);
void ui_destroy(struct ui *u);
/* Theme scaled to the window: large type, high contrast, 9 mm targets. */
void ui_theme_default(struct ui_theme *th, int w, int h);

/* Drop every widget (the next screen is built from scratch) and mark everything dirty. */
void ui_clear(struct ui *u);
/* Widgets. Labels wrap to r.w and take the height they need (r.h = 0) or keep a fixed box. */
struct widget *ui_label(struct ui *u, const char *id, SDL_Rect r, const char *text, const char *lang, int size_px,
			unsigned flags);
struct widget *ui_button(struct ui *u, const char *id, SDL_Rect r, const char *text, const char *lang, unsigned flags,
			 widget_fn fn, void *ctx, int arg);
struct widget *ui_field(struct ui *u, const char *id, SDL_Rect r, const char *text, const char *lang, unsigned flags);
struct widget *ui_progress(struct ui *u, const char *id, SDL_Rect r, int value, int max);
struct widget *ui_panel(struct ui *u, const char *id, SDL_Rect r, unsigned flags);
/*
 * A modal's catcher: an invisible panel over r that takes every touch inside it (nothing under it
 * receives one) and calls fn. Add it before the modal's own widgets, which stay on top of it.
 */
struct widget *ui_catcher(struct ui *u, const char *id, SDL_Rect r, widget_fn fn, void *ctx, int arg);
/* A QR code of data (libqrencode); ERR_INVAL if it does not encode. */
struct widget *ui_qr(struct ui *u, const char *id, SDL_Rect r, const char *data);
/* A picture (alpha-blended, drawn at its own size centred in r). img is borrowed: keep it alive. */
struct widget *ui_image(struct ui *u, const char *id, SDL_Rect r, SDL_Surface *img);

void ui_set_text(struct ui *u, struct widget *w, const char *text);
void ui_set_flags(struct ui *u, struct widget *w, unsigned set, unsigned clear);
void ui_set_progress(struct ui *u, struct widget *w, int value, int max);
void ui_invalidate(struct ui *u, SDL_Rect r);

/* Draw what is dirty and push those rectangles to the screen. Returns the number of rectangles. */
int ui_render(struct ui *u);
/* Mouse and touch: press feedback, tap on release inside. Returns 1 if the event was used. */
int ui_event(struct ui *u, const SDL_Event *ev);

/* Find a visible widget by id, else by its exact visible text. */
struct widget *ui_find(struct ui *u, const char *id_or_text);
/* Like ui_find, but any widget (labels and fields too): for checks. */
struct widget *ui_find_any(struct ui *u, const char *id_or_text);
/* Tap a widget as a finger would (press, render, release). */
void ui_tap(struct ui *u, struct widget *w);
/*
 * Draw every frame at percent (0..100) of its brightness: 100 as drawn, 1..99
 * darkened (a screen without a backlight, dimmed), 0 one black frame and then
 * no drawing at all until it changes (off). Marks everything dirty on a change.
 */
void ui_set_dim(struct ui *u, int percent);
/* The mean luma (0..255, Rec. 601) of what is on the window surface: for tests. */
int ui_luma(struct ui *u);
/* Save the window as PNG. */
int ui_screenshot(struct ui *u, const char *path, struct diag *d);
/* Widgets whose text is clipped or overflows their box: count, with ids appended to out. */
int ui_overflow(struct ui *u, struct buf *out);

#endif

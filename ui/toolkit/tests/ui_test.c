/* Tests for toolkit/ui: real fonts and a real (offscreen) window: dirty-region redraw, taps, overflow, QR, PNG. */
#include <stdio.h>
#include <stdlib.h>

#include "testlib.h"
#include "text.h"
#include "ui.h"

static int taps;
static void on_tap(void *ctx, struct widget *w)
{
	(void)ctx;
	taps += w->arg;
}


/* Dark (ink) pixels in r of the window surface. */
static int ink_in(struct ui *u, SDL_Rect r)
{
	int n = 0;
	SDL_LockSurface(u->surf);
	for (int y = r.y; y < r.y + r.h; y++)
		for (int x = r.x; x < r.x + r.w; x++) {
			Uint32 px;
			memcpy(&px, (const Uint8 *)u->surf->pixels + y * u->surf->pitch + x * u->surf->format->BytesPerPixel,
			       sizeof px);
			Uint8 cr, cg, cb;
			SDL_GetRGB(px, u->surf->format, &cr, &cg, &cb);
			n += cr + cg + cb < 200;
		}
	SDL_UnlockSurface(u->surf);
	return n;
}

/* A field longer than its box stays one line inside it, scrolled to its end; full, its border is the warning colour. */
static void test_field(struct text *t)
{
	struct ui *u;
	struct diag d = {""};
	CHECK_INT(ui_create(&u, t, 800, 480, &d), 0);
	char text[300];
	memset(text, 'm', sizeof text - 2);
	text[sizeof text - 2] = 'W';
	text[sizeof text - 1] = '\0';
	SDL_Rect box = {100, 100, 400, 60};
	struct widget *f = ui_field(u, "field", box, text, "vi", WF_FOCUSED);
	CHECK(!f->overflow);
	struct buf o;
	buf_init(&o);
	CHECK_INT(ui_overflow(u, &o), 0);
	buf_finish(&o);
	ui_render(u);
	/* Nothing drawn outside the box (the screen is light there). */
	CHECK_INT(ink_in(u, (SDL_Rect){0, 0, 800, 98}), 0);
	CHECK_INT(ink_in(u, (SDL_Rect){0, 162, 800, 318}), 0);
	CHECK_INT(ink_in(u, (SDL_Rect){502, 98, 298, 64}), 0);
	CHECK_INT(ink_in(u, (SDL_Rect){0, 98, 98, 64}), 0);
	/* The end of the text (the caret side) is in view: ink in the right quarter of the box. */
	CHECK(ink_in(u, (SDL_Rect){box.x + box.w * 3 / 4, box.y + 6, box.w / 4 - 6, box.h - 12}) > 50);
	/* Full: the border turns to the warning colour. */
	ui_set_flags(u, f, WF_DANGER, 0);
	ui_render(u);
	SDL_LockSurface(u->surf);
	Uint32 px;
	memcpy(&px, (const Uint8 *)u->surf->pixels + (box.y + 1) * u->surf->pitch + (box.x + 10) * u->surf->format->BytesPerPixel,
	       sizeof px);
	SDL_UnlockSurface(u->surf);
	Uint8 cr, cg, cb;
	SDL_GetRGB(px, u->surf->format, &cr, &cg, &cb);
	CHECK(cr == u->theme.danger.r && cg == u->theme.danger.g && cb == u->theme.danger.b);
	ui_destroy(u);
}

int main(void)
{
	setenv("SDL_VIDEODRIVER", "offscreen", 1);
	char fonts[4096];
	snprintf(fonts, sizeof fonts, "%s/fonts", t_env("SPEAN_SOURCE_DIR"));
	struct text *t;
	struct ui *u;
	struct diag d = {""};
	CHECK_INT(text_init(&t, fonts, &d), 0);
	CHECK_INT(ui_create(&u, t, 800, 480, &d), 0);
	struct widget *l = ui_label(u, "title", (SDL_Rect){20, 20, 300, 0}, "ជំនួយផ្លូវច្បាប់ដោយឥតគិតថ្លៃ", "km", 30, 0);
	CHECK(l->r.h > 30 && !l->overflow);
	struct widget *b = ui_button(u, "ok", (SDL_Rect){20, 300, 200, 10}, "Có", "vi", 0, on_tap, NULL, 1);
	CHECK(b->r.h >= u->theme.touch_px); /* buttons are never smaller than a finger */
	/* First frame draws everything; an idle frame draws nothing. */
	CHECK(ui_render(u) >= 1);
	CHECK(u->pixels_drawn >= 800u * 480u);
	CHECK_INT(ui_render(u), 0);
	/* A tap redraws only the button, not the screen. */
	uint64_t before = u->pixels_drawn;
	ui_tap(u, b);
	ui_render(u);
	CHECK_INT(taps, 1);
	CHECK(u->pixels_drawn - before <= 2u * (uint64_t)(b->r.w * b->r.h));
	/* Taps outside do nothing; hidden and disabled buttons are not tappable. */
	SDL_Event e;
	memset(&e, 0, sizeof e);
	e.type = SDL_MOUSEBUTTONDOWN;
	e.button.x = 700;
	e.button.y = 20;
	CHECK_INT(ui_event(u, &e), 0);
	ui_set_flags(u, b, WF_DISABLED, 0);
	ui_tap(u, b);
	CHECK_INT(taps, 1);
	CHECK(ui_find(u, "Có") == b);
	CHECK(ui_find(u, "nothing") == NULL);
	/* Text that does not fit is reported. */
	struct widget *tiny = ui_button(u, "tiny", (SDL_Rect){400, 300, 40, 60}, "Tôi không biết gì cả", "vi", 0, on_tap, NULL, 1);
	(void)tiny;
	struct buf o;
	buf_init(&o);
	CHECK_INT(ui_overflow(u, &o), 1);
	CHECK(o.data && strstr(o.data, "tiny(text)"));
	buf_finish(&o);
	/* QR and screenshot. */
	CHECK(ui_qr(u, "qr", (SDL_Rect){500, 20, 200, 200}, "a2edc549000000000000000000000000") != NULL);
	ui_render(u);
	char *dir = t_tmpdir("ui");
	char png[4200];
	snprintf(png, sizeof png, "%s/shot.png", dir);
	CHECK_INT(ui_screenshot(u, png, &d), 0);
	CHECK(t_file_contains(png, "\x89PNG", 4));
	t_rmtree(dir);
	free(dir);
	/*
	 * Dimmed: every pixel's colour scaled (the light background at 30% is dark); off: one black frame, then no
	 * drawing at all (a change redraws nothing, counts no pixel); lit again: the same frame as before.
	 */
	ui_render(u);
	int lit = ui_luma(u);
	CHECK(lit > 180);
	ui_set_dim(u, 30);
	CHECK(ui_render(u) >= 1);
	int dim = ui_luma(u);
	CHECK(dim >= lit * 30 / 100 - 3 && dim <= lit * 30 / 100 + 1);
	ui_set_dim(u, 0);
	unsigned frames = u->frames;
	CHECK_INT(ui_render(u), 1);
	CHECK_INT(ui_luma(u), 0);
	before = u->pixels_drawn;
	ui_set_text(u, l, "Tr\xe1\xbb\xa3 gi\xc3\xbap ph\xc3\xa1p l\xc3\xbd");
	ui_invalidate(u, (SDL_Rect){0, 0, 800, 480});
	CHECK_INT(ui_render(u), 0);
	CHECK_INT(u->frames, frames + 1);
	CHECK(u->pixels_drawn == before);
	CHECK_INT(ui_luma(u), 0);
	ui_set_dim(u, 100);
	CHECK(ui_render(u) >= 1);
	CHECK(ui_luma(u) > 180);
	ui_destroy(u);
	test_field(t);
	text_destroy(t);
	SDL_Quit();
	return t_done("ui_test");
}

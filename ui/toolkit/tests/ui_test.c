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
	ui_destroy(u);
	text_destroy(t);
	SDL_Quit();
	return t_done("ui_test");
}

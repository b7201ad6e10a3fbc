/*
 * Bench fixture: the bare SDL2 program the kiosk is measured against: a
 * window surface (software, no GL), the same bilingual question drawn with
 * SDL_ttf directly (Khmer with its script set), then idle in SDL's own wait.
 * The include policy lets tests/bench/baseline_* use SDL_ttf: this is the
 * yardstick, not product code.
 *   baseline-sdl FONT_DIR [--first-frame|--announce]
 * --first-frame prints first_frame and exits; --announce prints it and idles (tests/appliance: its idle CPU).
 */
#include <SDL.h>
#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: baseline-sdl FONT_DIR [--first-frame|--announce]\n");
		return 2;
	}
	int first_only = argc > 2 && !strcmp(argv[2], "--first-frame");
	int announce = argc > 2 && !strcmp(argv[2], "--announce");
	SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
	SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
	if (SDL_Init(SDL_INIT_VIDEO) || TTF_Init()) {
		fprintf(stderr, "baseline-sdl: %s\n", SDL_GetError());
		return 1;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/NotoSans-Regular.ttf", argv[1]);
	TTF_Font *latin = TTF_OpenFont(path, 26);
	snprintf(path, sizeof path, "%s/NotoSansKhmerUI-Regular.ttf", argv[1]);
	TTF_Font *khmer = TTF_OpenFont(path, 26);
	if (!latin || !khmer) {
		fprintf(stderr, "baseline-sdl: fonts: %s\n", TTF_GetError());
		return 1;
	}
	TTF_SetFontScriptName(latin, "Latn");
	TTF_SetFontScriptName(khmer, "Khmr");
	/* The kiosk's hinting (light: no bytecode interpreter), so both draw glyphs the same way. */
	TTF_SetFontHinting(latin, TTF_HINTING_LIGHT);
	TTF_SetFontHinting(khmer, TTF_HINTING_LIGHT);
	SDL_Window *w = SDL_CreateWindow("baseline", 0, 0, 800, 480, SDL_WINDOW_SHOWN);
	SDL_Surface *s = w ? SDL_GetWindowSurface(w) : NULL;
	if (!s) {
		fprintf(stderr, "baseline-sdl: %s\n", SDL_GetError());
		return 1;
	}
	SDL_FillRect(s, NULL, SDL_MapRGB(s->format, 0xff, 0xfb, 0xf2));
	SDL_Color fg = {0x1a, 0x1a, 0x1a, 255};
	const char *lines[] = {"Gia đình có tên trong danh sách hộ nghèo không?",
			       "តើគ្រួសារមានឈ្មោះក្នុងបញ្ជីគ្រួសារក្រីក្រដែរឬទេ?", "Có", "Không", "Tôi không biết"};
	for (int i = 0; i < 5; i++) {
		SDL_Surface *t = TTF_RenderUTF8_Blended(i == 1 ? khmer : latin, lines[i], fg);
		SDL_Rect r = {24 + (i > 1 ? (i - 2) * 250 : 0), 40 + (i < 2 ? i * 60 : 200), 0, 0};
		SDL_BlitSurface(t, NULL, s, &r);
		SDL_FreeSurface(t);
	}
	SDL_UpdateWindowSurface(w);
	if (first_only || announce) {
		puts("first_frame");
		fflush(stdout);
	}
	if (!first_only) {
		SDL_Event ev;
		for (;;) {
			if (SDL_WaitEventTimeout(&ev, 1000) && ev.type == SDL_QUIT)
				break;
		}
	}
	TTF_CloseFont(latin);
	TTF_CloseFont(khmer);
	TTF_Quit();
	SDL_DestroyWindow(w);
	SDL_Quit();
	return 0;
}

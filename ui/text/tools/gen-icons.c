/*
 * gen-icons FONT SIZE OUT.bmp TEXT: draw TEXT (one emoji) with a colour font
 * through SDL_ttf, centre it on a transparent square and scale that to
 * SIZE x SIZE (linear), saved as a 32-bit BMP with alpha. A content author's
 * tool (firmware/content/kiosk/icons/gen-icons.sh), not part of the kiosk; it
 * lives here because only ui/text may include SDL_ttf.h.
 */
#include <stdio.h>
#include <stdlib.h>

#include <SDL.h>
#include <SDL_ttf.h>

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: gen-icons FONT SIZE OUT.bmp TEXT\n");
		return 2;
	}
	int size = atoi(argv[2]);
	if (size < 16 || size > 512 || SDL_Init(0) < 0 || TTF_Init() < 0) {
		fprintf(stderr, "gen-icons: bad size or SDL: %s\n", SDL_GetError());
		return 1;
	}
	TTF_Font *f = TTF_OpenFont(argv[1], 109); /* Noto Color Emoji's only bitmap strike */
	SDL_Surface *g = f ? TTF_RenderUTF8_Blended(f, argv[4], (SDL_Color){0, 0, 0, 255}) : NULL;
	if (!g) {
		fprintf(stderr, "gen-icons: %s: %s\n", argv[1], TTF_GetError());
		return 1;
	}
	int side = g->w > g->h ? g->w : g->h;
	SDL_Surface *sq = SDL_CreateRGBSurfaceWithFormat(0, side, side, 32, SDL_PIXELFORMAT_ARGB8888);
	SDL_Surface *out = SDL_CreateRGBSurfaceWithFormat(0, size, size, 32, SDL_PIXELFORMAT_ARGB8888);
	SDL_Surface *gc = SDL_ConvertSurfaceFormat(g, SDL_PIXELFORMAT_ARGB8888, 0);
	if (!sq || !out || !gc) {
		fprintf(stderr, "gen-icons: %s\n", SDL_GetError());
		return 1;
	}
	SDL_FillRect(sq, NULL, 0);
	SDL_SetSurfaceBlendMode(gc, SDL_BLENDMODE_NONE);
	SDL_BlitSurface(gc, NULL, sq, &(SDL_Rect){(side - g->w) / 2, (side - g->h) / 2, g->w, g->h});
	if (SDL_SoftStretchLinear(sq, NULL, out, NULL) < 0 || SDL_SaveBMP(out, argv[3]) < 0) {
		fprintf(stderr, "gen-icons: %s: %s\n", argv[3], SDL_GetError());
		return 1;
	}
	TTF_CloseFont(f);
	TTF_Quit();
	SDL_Quit();
	return 0;
}

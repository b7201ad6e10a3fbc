/*
 * gen-icons FONT SIZE OUT.bmp TEXT [BADGE] [colours=MAP]: draw TEXT (one
 * emoji) with a colour font through SDL_ttf, centre it on a transparent
 * square and scale that to SIZE x SIZE (linear), saved as a 32-bit BMP with
 * alpha. BADGE, an emoji or a picture (a .bmp path, e.g. one gen-pictures
 * drew), is drawn at 56% in the lower right corner over TEXT, which then
 * takes the upper left 78% (two pictures that say one thing: a memo with
 * chains). colours=MAP recolours TEXT: MAP
 * names the source channel of red, green and blue ("rbb": a yellow ribbon
 * made red, "bgr": a blue drum made orange). A content author's
 * tool (firmware/content/kiosk/icons/gen-icons.sh), not part of the kiosk; it
 * lives here because only ui/text may include SDL_ttf.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>
#include <SDL_ttf.h>

/* TEXT drawn by the font, centred on a transparent ARGB square; NULL with the error printed. */
static SDL_Surface *emoji(TTF_Font *f, const char *text)
{
	SDL_Surface *g = TTF_RenderUTF8_Blended(f, text, (SDL_Color){0, 0, 0, 255});
	if (!g) {
		fprintf(stderr, "gen-icons: %s: %s\n", text, TTF_GetError());
		return NULL;
	}
	int side = g->w > g->h ? g->w : g->h;
	SDL_Surface *sq = SDL_CreateRGBSurfaceWithFormat(0, side, side, 32, SDL_PIXELFORMAT_ARGB8888);
	SDL_Surface *gc = SDL_ConvertSurfaceFormat(g, SDL_PIXELFORMAT_ARGB8888, 0);
	if (!sq || !gc) {
		fprintf(stderr, "gen-icons: %s\n", SDL_GetError());
		return NULL;
	}
	SDL_FillRect(sq, NULL, 0);
	SDL_SetSurfaceBlendMode(gc, SDL_BLENDMODE_NONE);
	SDL_BlitSurface(gc, NULL, sq, &(SDL_Rect){(side - g->w) / 2, (side - g->h) / 2, g->w, g->h});
	SDL_FreeSurface(gc);
	SDL_FreeSurface(g);
	return sq;
}

static int channel(char c)
{
	return c == 'r' ? 16 : c == 'g' ? 8 : c == 'b' ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *map = NULL, *badge = NULL;
	for (int i = 5; i < argc; i++)
		if (!strncmp(argv[i], "colours=", 8))
			map = argv[i] + 8;
		else
			badge = argv[i];
	if (argc < 5 || argc > 7 || (map && (strlen(map) != 3 || channel(map[0]) < 0 || channel(map[1]) < 0 ||
					    channel(map[2]) < 0))) {
		fprintf(stderr, "usage: gen-icons FONT SIZE OUT.bmp TEXT [BADGE] [colours=MAP of r g b]\n");
		return 2;
	}
	int size = atoi(argv[2]);
	if (size < 16 || size > 512 || SDL_Init(0) < 0 || TTF_Init() < 0) {
		fprintf(stderr, "gen-icons: bad size or SDL: %s\n", SDL_GetError());
		return 1;
	}
	TTF_Font *f = TTF_OpenFont(argv[1], 109); /* Noto Color Emoji's only bitmap strike */
	if (!f) {
		fprintf(stderr, "gen-icons: %s: %s\n", argv[1], TTF_GetError());
		return 1;
	}
	SDL_Surface *sq = emoji(f, argv[4]);
	SDL_Surface *out = SDL_CreateRGBSurfaceWithFormat(0, size, size, 32, SDL_PIXELFORMAT_ARGB8888);
	if (!sq || !out) {
		fprintf(stderr, "gen-icons: %s\n", SDL_GetError());
		return 1;
	}
	if (map)
		for (int y = 0; y < sq->h; y++)
			for (int x = 0; x < sq->w; x++) {
				Uint32 *p = (Uint32 *)((Uint8 *)sq->pixels + y * sq->pitch) + x, v = *p;
				*p = (v & 0xff000000u) | ((v >> channel(map[0])) & 255) << 16 | ((v >> channel(map[1])) & 255) << 8 |
				     ((v >> channel(map[2])) & 255);
			}
	/* With a badge the main picture takes the upper left 78%, the badge the lower right 56%. */
	int ms = badge ? size * 39 / 50 : size;
	SDL_FillRect(out, NULL, 0);
	if (SDL_SoftStretchLinear(sq, NULL, out, &(SDL_Rect){0, 0, ms, ms}) < 0) {
		fprintf(stderr, "gen-icons: %s\n", SDL_GetError());
		return 1;
	}
	if (badge) {
		size_t bl = strlen(badge);
		SDL_Surface *raw = bl > 4 && !strcmp(badge + bl - 4, ".bmp") ? SDL_LoadBMP(badge) : emoji(f, badge);
		SDL_Surface *b = raw ? SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_ARGB8888, 0) : NULL;
		int bs = size * 14 / 25;
		SDL_Surface *small = SDL_CreateRGBSurfaceWithFormat(0, bs, bs, 32, SDL_PIXELFORMAT_ARGB8888);
		if (!b || !small || SDL_SoftStretchLinear(b, NULL, small, NULL) < 0) {
			fprintf(stderr, "gen-icons: badge %s: %s\n", badge, SDL_GetError());
			return 1;
		}
		SDL_SetSurfaceBlendMode(small, SDL_BLENDMODE_BLEND);
		SDL_BlitSurface(small, NULL, out, &(SDL_Rect){size - bs, size - bs, bs, bs});
		SDL_FreeSurface(small);
		SDL_FreeSurface(b);
		SDL_FreeSurface(raw);
	}
	if (SDL_SaveBMP(out, argv[3]) < 0) {
		fprintf(stderr, "gen-icons: %s: %s\n", argv[3], SDL_GetError());
		return 1;
	}
	SDL_FreeSurface(sq);
	SDL_FreeSurface(out);
	TTF_CloseFont(f);
	TTF_Quit();
	SDL_Quit();
	return 0;
}

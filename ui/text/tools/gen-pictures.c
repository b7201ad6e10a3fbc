/*
 * gen-pictures FONT.ttf SIZE DIR: draw the pictures that no emoji shows,
 * with Cairo, each saved as DIR/NAME.bmp (SIZE x SIZE, 32-bit with alpha,
 * through SDL's BMP writer like gen-icons):
 *   answer_yes, answer_no, answer_unknown  the answer buttons' symbols: a
 *       white check on a green disc, a white cross on a red disc, a white
 *       question mark on a grey-blue disc (check and cross differ in shape,
 *       not only in colour);
 *   banknote_500000  a Vietnamese polymer 500.000 đ note (blue-green, a
 *       clear window with a star, "500.000" and "đ": digits, no words);
 *   banknotes  a 200.000 đ note (red-brown) fanned behind a 500.000 đ one.
 * FONT is the kiosk's Noto Sans Bold (fonts/) for the digits and "?".
 * A content author's tool (firmware/content/kiosk/icons/gen-icons.sh runs
 * it), not part of the kiosk or the build.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>
#include <cairo-ft.h>
#include <cairo.h>
#include <ft2build.h>
#include FT_FREETYPE_H

static cairo_font_face_t *face;

/* Save the Cairo surface (premultiplied ARGB) as a straight-alpha 32-bit BMP. */
static int save(cairo_surface_t *s, const char *dir, const char *name)
{
	cairo_surface_flush(s);
	int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
	SDL_Surface *out = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
	if (!out)
		return -1;
	const unsigned char *src = cairo_image_surface_get_data(s);
	int stride = cairo_image_surface_get_stride(s);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			uint32_t p;
			memcpy(&p, src + y * stride + x * 4, 4);
			uint32_t a = p >> 24, r = (p >> 16) & 255, g = (p >> 8) & 255, b = p & 255;
			if (a && a < 255)
				r = r * 255 / a, g = g * 255 / a, b = b * 255 / a;
			uint32_t q = a << 24 | r << 16 | g << 8 | b;
			memcpy((unsigned char *)out->pixels + y * out->pitch + x * 4, &q, 4);
		}
	char path[4096];
	snprintf(path, sizeof path, "%s/%s.bmp", dir, name);
	int rc = SDL_SaveBMP(out, path);
	SDL_FreeSurface(out);
	if (rc < 0)
		fprintf(stderr, "gen-pictures: %s: %s\n", path, SDL_GetError());
	return rc;
}

/* A disc of colour rgb with a darker rim, filling the square of side 1 (the unit the callers draw in). */
static void disc(cairo_t *cr, double r, double g, double b)
{
	cairo_arc(cr, 0.5, 0.5, 0.46, 0, 2 * M_PI);
	cairo_set_source_rgb(cr, r * 0.75, g * 0.75, b * 0.75);
	cairo_fill(cr);
	cairo_arc(cr, 0.5, 0.5, 0.42, 0, 2 * M_PI);
	cairo_set_source_rgb(cr, r, g, b);
	cairo_fill(cr);
}

static void white_stroke(cairo_t *cr, double width)
{
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_set_line_width(cr, width);
	cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	cairo_stroke(cr);
}

/* text centred on (x, y) at size px (in the caller's units). */
static void text_at(cairo_t *cr, const char *text, double x, double y, double size)
{
	cairo_text_extents_t e;
	cairo_set_font_face(cr, face);
	cairo_set_font_size(cr, size);
	cairo_text_extents(cr, text, &e);
	cairo_move_to(cr, x - e.width / 2 - e.x_bearing, y - e.height / 2 - e.y_bearing);
	cairo_show_text(cr, text);
}

static void answer_yes(cairo_t *cr)
{
	disc(cr, 0.18, 0.56, 0.24);
	cairo_move_to(cr, 0.28, 0.52);
	cairo_line_to(cr, 0.44, 0.68);
	cairo_line_to(cr, 0.73, 0.35);
	white_stroke(cr, 0.11);
}

static void answer_no(cairo_t *cr)
{
	disc(cr, 0.80, 0.16, 0.16);
	cairo_move_to(cr, 0.33, 0.33);
	cairo_line_to(cr, 0.67, 0.67);
	cairo_move_to(cr, 0.67, 0.33);
	cairo_line_to(cr, 0.33, 0.67);
	white_stroke(cr, 0.11);
}

static void answer_unknown(cairo_t *cr)
{
	disc(cr, 0.33, 0.43, 0.50);
	cairo_set_source_rgb(cr, 1, 1, 1);
	text_at(cr, "?", 0.5, 0.5, 0.62);
}

static void rounded(cairo_t *cr, double x, double y, double w, double h, double r)
{
	cairo_new_sub_path(cr);
	cairo_arc(cr, x + w - r, y + r, r, -M_PI / 2, 0);
	cairo_arc(cr, x + w - r, y + h - r, r, 0, M_PI / 2);
	cairo_arc(cr, x + r, y + h - r, r, M_PI / 2, M_PI);
	cairo_arc(cr, x + r, y + r, r, M_PI, 3 * M_PI / 2);
	cairo_close_path(cr);
}

static void star(cairo_t *cr, double cx, double cy, double r)
{
	for (int i = 0; i < 10; i++) {
		double a = -M_PI / 2 + i * M_PI / 5, rr = i % 2 ? r * 0.4 : r;
		(i ? cairo_line_to : cairo_move_to)(cr, cx + rr * cos(a), cy + rr * sin(a));
	}
	cairo_close_path(cr);
}

/*
 * One polymer note, 0.92 x 0.46 of the unit square, centred on the origin:
 * the body in its colour (light to dark), a guilloche of thin waves, the
 * clear window with a gold star on the left, the value and "đ" on the right.
 */
static void note(cairo_t *cr, const char *value, const double light[3], const double dark[3])
{
	const double w = 0.92, h = 0.46, x = -w / 2, y = -h / 2;
	cairo_pattern_t *p = cairo_pattern_create_linear(x, y, x + w, y + h);
	cairo_pattern_add_color_stop_rgb(p, 0, light[0], light[1], light[2]);
	cairo_pattern_add_color_stop_rgb(p, 1, dark[0], dark[1], dark[2]);
	rounded(cr, x, y, w, h, 0.04);
	cairo_set_source(cr, p);
	cairo_fill_preserve(cr);
	cairo_pattern_destroy(p);
	cairo_set_source_rgb(cr, dark[0] * 0.6, dark[1] * 0.6, dark[2] * 0.6);
	cairo_set_line_width(cr, 0.012);
	cairo_stroke(cr);
	/* The printed frame and waves. */
	rounded(cr, x + 0.025, y + 0.025, w - 0.05, h - 0.05, 0.025);
	cairo_set_source_rgba(cr, 1, 1, 1, 0.45);
	cairo_set_line_width(cr, 0.008);
	cairo_stroke(cr);
	for (int k = 0; k < 3; k++) {
		double yy = y + h * (0.72 + 0.08 * k);
		cairo_move_to(cr, x + 0.26, yy);
		for (int i = 1; i <= 8; i++)
			cairo_curve_to(cr, x + 0.26 + (i - 0.66) * 0.075, yy - 0.025, x + 0.26 + (i - 0.33) * 0.075, yy + 0.025,
				       x + 0.26 + i * 0.075, yy);
		cairo_set_source_rgba(cr, 1, 1, 1, 0.35);
		cairo_set_line_width(cr, 0.006);
		cairo_stroke(cr);
	}
	/* The clear window with a star. */
	rounded(cr, x + 0.05, y + 0.07, 0.17, h - 0.14, 0.03);
	cairo_set_source_rgba(cr, 0.92, 0.97, 1.0, 0.75);
	cairo_fill_preserve(cr);
	cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
	cairo_set_line_width(cr, 0.008);
	cairo_stroke(cr);
	star(cr, x + 0.135, y + h / 2, 0.055);
	cairo_set_source_rgb(cr, 0.93, 0.72, 0.13);
	cairo_fill(cr);
	/* The value, and "đ" under it. */
	cairo_set_source_rgb(cr, 1, 1, 1);
	text_at(cr, value, x + 0.26 + (w - 0.30) / 2, y + h * 0.36, 0.175);
	text_at(cr, "đ", x + w - 0.09, y + h * 0.70, 0.13);
}

static const double blue_l[3] = {0.36, 0.73, 0.84}, blue_d[3] = {0.07, 0.40, 0.58};
static const double brown_l[3] = {0.86, 0.50, 0.38}, brown_d[3] = {0.55, 0.20, 0.16};

static void banknote_500000(cairo_t *cr)
{
	cairo_translate(cr, 0.5, 0.5);
	note(cr, "500.000", blue_l, blue_d);
}

static void banknotes(cairo_t *cr)
{
	cairo_save(cr);
	cairo_translate(cr, 0.5, 0.39);
	cairo_rotate(cr, -0.2);
	cairo_scale(cr, 0.94, 0.94);
	note(cr, "200.000", brown_l, brown_d);
	cairo_restore(cr);
	cairo_translate(cr, 0.5, 0.62);
	cairo_rotate(cr, 0.06);
	cairo_scale(cr, 0.94, 0.94);
	note(cr, "500.000", blue_l, blue_d);
}

static const struct {
	const char *name;
	void (*draw)(cairo_t *cr);
} pictures[] = {
	{"answer_yes", answer_yes},         {"answer_no", answer_no}, {"answer_unknown", answer_unknown},
	{"banknote_500000", banknote_500000}, {"banknotes", banknotes},
};

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: gen-pictures FONT.ttf SIZE DIR\n");
		return 2;
	}
	int size = atoi(argv[2]);
	FT_Library ft;
	FT_Face ftf;
	if (size < 32 || size > 1024 || FT_Init_FreeType(&ft) || FT_New_Face(ft, argv[1], 0, &ftf)) {
		fprintf(stderr, "gen-pictures: bad size or font %s\n", argv[1]);
		return 1;
	}
	face = cairo_ft_font_face_create_for_ft_face(ftf, 0);
	int n = 0;
	for (size_t i = 0; i < sizeof pictures / sizeof *pictures; i++) {
		cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, size, size);
		cairo_t *cr = cairo_create(s);
		cairo_scale(cr, size, size);
		pictures[i].draw(cr);
		cairo_destroy(cr);
		if (save(s, argv[3], pictures[i].name) < 0)
			return 1;
		cairo_surface_destroy(s);
		n++;
	}
	cairo_font_face_destroy(face);
	FT_Done_Face(ftf);
	FT_Done_FreeType(ft);
	printf("gen-pictures: %d pictures in %s\n", n, argv[3]);
	return 0;
}

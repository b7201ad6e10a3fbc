/* ui/text test helpers: HarfBuzz's own tools (hb-shape, hb-view) as oracles, PNG decoding, the UI catalog. */
#ifndef SPEAN_TEXT_ORACLE_H
#define SPEAN_TEXT_ORACLE_H

#include <stddef.h>

#include "text.h"
#include "text_internal.h"

/* One shaped glyph as hb-shape prints it (positions in 1/64 px with --font-size=S*64). */
struct hb_glyph {
	unsigned gid;
	int ax;
};

struct hb_line {
	struct hb_glyph *g;
	size_t n;
};

/*
 * Shape each of lines[0..n) (no newlines inside) with
 * `hb-shape --font-funcs=ft --ft-load-flags=0 --font-size=<size*64>` in one
 * process; out[i] gets line i's glyphs. Returns 0, or -1 (message on stderr).
 */
int hb_shape_lines(const char *font, int size_px, const char *const *lines, size_t n, struct hb_line *out);
void hb_lines_free(struct hb_line *l, size_t n);
/* Sum of x advances in pixels (as a double: HarfBuzz keeps 1/64 px). */
double hb_width(const struct hb_line *l);
/* The glyph id HarfBuzz inserts as a dotted circle in this font (0 if the font has none). */
unsigned hb_dotted_circle(const char *font);

/* An 8-bit grey image, 0 = black ink, 255 = white paper. */
struct grey {
	int w, h;
	unsigned char *px;
};

/* Render text with `hb-view` (same flags as hb_shape_lines, --margin=32, black on white). */
int hb_view(const char *font, int size_px, const char *text, struct grey *out);
int png_read_grey(const char *path, struct grey *out);
/* Write g as an 8-bit grey PNG (for looking at a failure; errors are ignored). */
void png_write_grey(const char *path, const struct grey *g);
void grey_free(struct grey *g);

/* Ink comparison inside b's ink box at the best alignment (see oracle.c for why). */
struct similarity {
	double iou;  /* ink pixels (< 128) intersection over union */
	double mad;  /* 1 - mean absolute difference / 255 over the union of the boxes */
	double near; /* share of ink pixels with ink in the other image within 1 px (rounding-tolerant) */
	int dw, dh;  /* ink box size differences (a - b) */
};
struct similarity grey_compare(const struct grey *a, const struct grey *b);

/* Ink bounding box; 0 if there is no ink. */
int grey_ink_box(const struct grey *g, int *x0, int *y0, int *x1, int *y1);

/* A catalog value: key and text with "{...}" placeholders replaced by "12". */
struct cat_entry {
	char key[64];
	char *text;
};
/* Parse $SPEAN_SOURCE_DIR/firmware/content/kiosk/strings.<lang> with kv_reader; count or -1. */
int catalog_load(const char *lang, struct cat_entry **out);
void catalog_free(struct cat_entry *e, int n);

/* Remove the temporary directory the helpers used. */
void oracle_cleanup(void);

/* $SPEAN_SOURCE_DIR/fonts/<file> (one of four rotating static buffers). */
const char *font_path(const char *file);

/* The text layer on the repo's fonts; exits with a message if they do not load. */
struct text *oracle_text_open(void);

#endif

/* ui/print/escpos: a receipt image as ESC/POS bytes for a thermal printer (usb.md): reset, raster bands, feed, cut. Pure. */
#ifndef SPEAN_PRINT_ESCPOS_H
#define SPEAN_PRINT_ESCPOS_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"

#define ESCPOS_DOTS_58MM 384
#define ESCPOS_DOTS_80MM 576
#define ESCPOS_BAND_ROWS 255 /* GS v 0 takes at most 255 rows per band here (usb.md) */

/* A 1-bit image: rows of stride = width/8 bytes, most significant bit first, 1 = black. */
struct escpos_image {
	int width, height; /* width a multiple of 8 */
	uint8_t *bits;
};

/*
 * ESC @ (reset), the image as GS v 0 bands of at most 255 rows, ESC d
 * feed_lines, and GS V 66 0 (feed and cut) when cut is set.
 */
void escpos_encode(struct buf *out, const struct escpos_image *img, int feed_lines, int cut);

#endif

/* Test helper: read an ESC/POS stream back the way a printer does (independent of escpos.c's writer). */
#include "escpos_decode.h"

#include <stdlib.h>
#include <string.h>

/* Read an ESC/POS stream as a printer would: reset, GS v 0 bands, feed, cut. 0 or a reason. */
const char *escpos_decode(const struct buf *b, struct escpos_image *img, int *feed, int *cut)
{
	const unsigned char *p = (const unsigned char *)b->data, *end = p + b->len;
	memset(img, 0, sizeof *img);
	*feed = *cut = 0;
	if (b->len < 2 || p[0] != 0x1B || p[1] != 0x40)
		return "no ESC @ first";
	p += 2;
	while (p < end) {
		if (end - p >= 8 && p[0] == 0x1D && p[1] == 0x76 && p[2] == 0x30) {
			if (p[3] != 0)
				return "raster mode is not normal";
			int xb = p[4] | p[5] << 8, rows = p[6] | p[7] << 8;
			if (rows < 1 || rows > 255)
				return "a band over 255 rows";
			if (img->width && img->width != xb * 8)
				return "bands of different widths";
			img->width = xb * 8;
			size_t n = (size_t)xb * (size_t)rows;
			if ((size_t)(end - p - 8) < n)
				return "a band cut short";
			img->bits = realloc(img->bits, (size_t)xb * (size_t)(img->height + rows));
			memcpy(img->bits + (size_t)xb * (size_t)img->height, p + 8, n);
			img->height += rows;
			p += 8 + n;
		} else if (end - p >= 3 && p[0] == 0x1B && p[1] == 0x64) {
			*feed = p[2];
			p += 3;
		} else if (end - p >= 4 && p[0] == 0x1D && p[1] == 0x56 && p[2] == 0x42) {
			*cut = 1;
			p += 4;
		} else {
			return "an unknown command";
		}
	}
	return NULL;
}


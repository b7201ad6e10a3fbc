/* ui/print/escpos: see escpos.h. Command bytes per the ESC/POS reference (Epson), the subset usb.md names. */
#include "escpos.h"

void escpos_encode(struct buf *out, const struct escpos_image *img, int feed_lines, int cut)
{
	static const unsigned char reset[] = {0x1B, 0x40};
	buf_append(out, reset, sizeof reset);
	int stride = img->width / 8;
	for (int y = 0; y < img->height; y += ESCPOS_BAND_ROWS) {
		int rows = img->height - y < ESCPOS_BAND_ROWS ? img->height - y : ESCPOS_BAND_ROWS;
		/* GS v 0 m xL xH yL yH: m = 0 (normal size), x in bytes, y in dots. */
		unsigned char h[8] = {0x1D, 0x76, 0x30, 0x00, (unsigned char)(stride & 0xFF), (unsigned char)(stride >> 8),
				      (unsigned char)(rows & 0xFF), (unsigned char)(rows >> 8)};
		buf_append(out, h, sizeof h);
		buf_append(out, img->bits + (size_t)y * (size_t)stride, (size_t)rows * (size_t)stride);
	}
	if (feed_lines > 0) {
		unsigned char f[3] = {0x1B, 0x64, (unsigned char)(feed_lines > 255 ? 255 : feed_lines)};
		buf_append(out, f, sizeof f);
	}
	if (cut) {
		static const unsigned char c[] = {0x1D, 0x56, 0x42, 0x00};
		buf_append(out, c, sizeof c);
	}
}

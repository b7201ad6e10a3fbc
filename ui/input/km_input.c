#include "km_input.h"

#include <string.h>

/* U+17D2 KHMER SIGN COENG */
static const char coeng[] = "\xe1\x9f\x92";

const struct km_key *km_layout_key(int row, int col)
{
	if (row < 0 || row >= KM_LAYOUT_ROWS || col < 0 || col >= km_layout[row].len)
		return NULL;
	return &km_layout[row].keys[col];
}

int km_layout_find(const char *xkb, int *row, int *col)
{
	for (int r = 0; xkb && r < KM_LAYOUT_ROWS; r++) {
		for (int c = 0; c < km_layout[r].len; c++) {
			if (strcmp(km_layout[r].keys[c].xkb, xkb))
				continue;
			if (row)
				*row = r;
			if (col)
				*col = c;
			return 0;
		}
	}
	return ERR_NOTFOUND;
}

void km_input_init(struct km_input *st)
{
	st->coeng = 0;
}

int km_input_coeng(struct km_input *st)
{
	st->coeng = !st->coeng;
	return st->coeng;
}

/* One Khmer consonant (U+1780..U+17A2, three bytes in UTF-8) and nothing else? */
static int is_consonant(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	if (strlen(s) != 3 || p[0] != 0xE1)
		return 0;
	unsigned cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
	return cp >= 0x1780 && cp <= 0x17A2;
}

int km_input_key(struct km_input *st, int row, int col, int shift, struct buf *out)
{
	const struct km_key *k = km_layout_key(row, col);
	if (!st || !out || !k)
		return ERR_INVAL;
	const char *text = k->text[shift ? 1 : 0];
	if (st->coeng && is_consonant(text))
		buf_puts(out, coeng);
	buf_puts(out, text);
	st->coeng = 0;
	return 0;
}

/* ui/print/tests/escpos_decode: read an ESC/POS stream back (reset, GS v 0 bands, feed, cut) for the tests. */
#ifndef SPEAN_ESCPOS_DECODE_H
#define SPEAN_ESCPOS_DECODE_H

#include "escpos.h"

/* NULL if b is a well-formed receipt stream (img->bits malloc'd), else what is wrong. */
const char *escpos_decode(const struct buf *b, struct escpos_image *img, int *feed, int *cut);

#endif

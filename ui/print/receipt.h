/* ui/print/receipt: the printed receipt drawn by the kiosk's own text layer (printer fonts have no Khmer): number, date, outcome, papers, phone, QR of the request id. */
#ifndef SPEAN_PRINT_RECEIPT_H
#define SPEAN_PRINT_RECEIPT_H

#include "err.h"
#include "escpos.h"

struct text;

/* What goes on the paper, already in the resident's language (the caller picks the catalog texts). */
struct receipt_info {
	const char *lang;            /* "vi" or "km": line breaking */
	const char *title;           /* "Đã gửi yêu cầu" */
	const char *number_label;    /* "Mã yêu cầu của bạn" */
	const char *number;          /* what is read out: "3F2A-91C0" */
	const char *qr;              /* the full request id (hex): the QR code */
	const char *date;            /* "Ngày 20/05/2026" */
	const char *outcome;         /* the outcome's title */
	const char *documents_title; /* "Giấy tờ nên mang theo (nếu có):" */
	const char *const *documents;/* NULL-terminated, may be empty */
	const char *footer;          /* "Giữ mã này ... gọi 0294 ..." */
};

/*
 * Render at width_dots (384: 58 mm, 576: 80 mm) as a 1-bit image (free
 * img->bits). ERR_INVAL for a bad width; ERR_IO if the text layer fails.
 */
int receipt_render(struct text *t, const struct receipt_info *r, int width_dots, struct escpos_image *img, struct diag *d);

#endif

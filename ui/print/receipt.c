#define LOG_MODULE "receipt"
/*
 * ui/print/receipt: drawn on an 8-bit surface with the same text layer as
 * the screen (Khmer shaped, no clipping), then thresholded to 1 bit. The QR
 * is drawn with whole-dot modules and a quiet zone so a phone reads it off
 * thermal paper.
 */
#include "receipt.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "text.h"

#define MARGIN 8

struct pen {
	struct text *t;
	SDL_Surface *s;
	int y, w;
	const char *lang;
	int failed;
};

static void line(struct pen *p, const char *utf8, int size, enum text_style st, int center)
{
	if (!utf8 || !*utf8)
		return;
	struct text_layout *l = text_layout(p->t, utf8, size, st, p->w - 2 * MARGIN, p->lang);
	if (!l) {
		p->failed = 1;
		return;
	}
	int x = MARGIN;
	if (center)
		x += (p->w - 2 * MARGIN - text_layout_width(l)) / 2;
	text_layout_draw(l, p->s, x, p->y, (SDL_Color){0, 0, 0, 255}, center);
	p->y += text_layout_height(l) + size / 3;
	text_layout_free(l);
}

static void qr(struct pen *p, const char *data)
{
	QRcode *q = QRcode_encodeString8bit(data, 0, QR_ECLEVEL_M);
	if (!q) {
		p->failed = 1;
		return;
	}
	int quiet = 4, n = q->width + 2 * quiet;
	int m = (p->w * 2 / 3) / n; /* whole dots per module, about two thirds of the paper */
	if (m < 2)
		m = 2;
	int x0 = (p->w - n * m) / 2, y0 = p->y;
	Uint32 black = SDL_MapRGB(p->s->format, 0, 0, 0);
	for (int y = 0; y < q->width; y++)
		for (int x = 0; x < q->width; x++)
			if (q->data[y * q->width + x] & 1) {
				SDL_Rect r = {x0 + (x + quiet) * m, y0 + (y + quiet) * m, m, m};
				SDL_FillRect(p->s, &r, black);
			}
	p->y += n * m;
	QRcode_free(q);
}

int receipt_render(struct text *t, const struct receipt_info *r, int width_dots, struct escpos_image *img, struct diag *d)
{
	memset(img, 0, sizeof *img);
	if (width_dots != ESCPOS_DOTS_58MM && width_dots != ESCPOS_DOTS_80MM) {
		diag_set(d, "paper width %d dots: 384 (58 mm) or 576 (80 mm)", width_dots);
		return ERR_INVAL;
	}
	int maxh = 4000;
	SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, width_dots, maxh, 32, SDL_PIXELFORMAT_ARGB8888);
	if (!s) {
		diag_set(d, "cannot draw the receipt: %s", SDL_GetError());
		return ERR_IO;
	}
	SDL_FillRect(s, NULL, SDL_MapRGB(s->format, 255, 255, 255));
	/* Sizes in dots (8 dots/mm): 24 dots is 3 mm, readable by older eyes. */
	int body = width_dots == ESCPOS_DOTS_80MM ? 28 : 24;
	struct pen p = {t, s, MARGIN, width_dots, r->lang, 0};
	line(&p, r->title, body * 5 / 4, TEXT_BOLD, 1);
	line(&p, r->number_label, body, TEXT_REGULAR, 1);
	line(&p, r->number, body * 2, TEXT_BOLD, 1);
	line(&p, r->date, body, TEXT_REGULAR, 1);
	p.y += body / 2;
	line(&p, r->outcome, body, TEXT_BOLD, 0);
	if (r->documents && r->documents[0]) {
		line(&p, r->documents_title, body, TEXT_REGULAR, 0);
		for (int i = 0; r->documents[i]; i++) {
			struct buf b;
			buf_init(&b);
			buf_printf(&b, "• %s", r->documents[i]);
			line(&p, b.data, body, TEXT_REGULAR, 0);
			buf_finish(&b);
		}
	}
	line(&p, r->footer, body, TEXT_REGULAR, 0);
	qr(&p, r->qr);
	p.y += MARGIN;
	if (p.failed || p.y > maxh) {
		diag_set(d, "cannot lay the receipt out (text layer failed or over %d dots)", maxh);
		SDL_FreeSurface(s);
		return ERR_IO;
	}
	img->width = width_dots;
	img->height = p.y;
	int stride = width_dots / 8;
	img->bits = xcalloc((size_t)stride * (size_t)img->height, 1);
	for (int y = 0; y < img->height; y++) {
		const Uint32 *row = (const Uint32 *)((const Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch);
		for (int x = 0; x < width_dots; x++) {
			Uint8 rr, gg, bb;
			SDL_GetRGB(row[x], s->format, &rr, &gg, &bb);
			if ((rr * 3 + gg * 6 + bb) / 10 < 128)
				img->bits[(size_t)y * (size_t)stride + (size_t)(x / 8)] |= (uint8_t)(0x80 >> (x % 8));
		}
	}
	SDL_FreeSurface(s);
	log_info("receipt_rendered width=%d height=%d", img->width, img->height);
	return 0;
}

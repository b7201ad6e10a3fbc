/*
 * sync/center/report_pdf: the request form Mẫu số 02-TP-TGPL as a one-page
 * A4 PDF, drawn with Cairo and laid out by Pango (HarfBuzz shapes Vietnamese
 * and Khmer; fontconfig finds the fonts, Spean's own first). The fields come
 * in the official form's order, as in report_form_html; what the kiosk does
 * not collect is a dotted line to fill by hand.
 *
 * One page always: the blocks are measured at the full size first, then at
 * smaller sizes (to 70%) until they fit; a request whose text would not fit
 * even then (the longest matter is 1000 bytes: it does at 70%) gets its
 * matter cut with "…" and a note that the whole text is in the console.
 */
#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <glib.h>
#include <pango/pangocairo.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypt.h"
#include "date.h"
#include "facts.h"
#include "fs.h"
#include "kv.h"
#include "mem.h"
#include "report.h"
#include "report_internal.h"
#include "utf8.h"

#define PAGE_W 595.276 /* A4 in points */
#define PAGE_H 841.890
#define MARGIN_X 56.0
#define MARGIN_Y 42.0
#define BASE_PT 10.5
#define FONT "Noto Sans, Noto Sans Khmer UI, Noto Sans Khmer"

enum align { LEFT, CENTER, RIGHT };

struct block {
	char *markup;
	enum align align;
	double scale;  /* of the base size */
	double before; /* space above, in base lines */
	double indent; /* points */
};

struct form {
	struct block *b;
	size_t n, cap;
};

/* A value from a request: no control or override character, then escaped for Pango's markup. */
static void value(struct buf *out, const char *s)
{
	if (!s)
		return;
	struct buf safe;
	buf_init(&safe);
	buf_append(&safe, "", 0);
	utf8_put_neutral(&safe, s, strlen(s), UTF8_KEEP_LF);
	char *e = g_markup_escape_text(safe.data, (gssize)safe.len);
	buf_puts(out, e);
	g_free(e);
	buf_finish_wipe(&safe);
}

static void add(struct form *f, struct buf *markup, enum align a, double scale, double before, double indent)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 64;
		f->b = xrealloc(f->b, f->cap * sizeof *f->b);
	}
	buf_append(markup, "", 0);
	f->b[f->n++] = (struct block){xstrdup(markup->data), a, scale, before, indent};
	markup->len = 0;
}

/* Fixed text (ours, already valid markup). */
static void line(struct form *f, const char *markup, enum align a, double scale, double before)
{
	struct buf b;
	buf_init(&b);
	buf_puts(&b, markup);
	add(f, &b, a, scale, before, 0);
	buf_finish(&b);
}

#define DOTS_SHORT "……………………"
#define DOTS "……………………………………………"
#define DOTS_LONG "………………………………………………………………………"

/* "label: value" or "label: ……" in one block. */
static void field(struct form *f, const char *label, const char *v, const char *dots)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "%s: ", label);
	if (v && *v) {
		buf_puts(&b, "<b>");
		value(&b, v);
		buf_puts(&b, "</b>");
	} else
		buf_puts(&b, dots);
	add(f, &b, LEFT, 1, 0.15, 0);
	buf_finish_wipe(&b);
}

static void group_list(struct form *f, const char *groups, const struct report_names *n)
{
	const char *p = groups, *tok;
	size_t len;
	struct buf b;
	buf_init(&b);
	while (report_next_token(&p, &tok, &len)) {
		const char *name = report_catalog_name(n, "group.", tok, len);
		char id[64];
		snprintf(id, sizeof id, "%.*s", (int)(len < 60 ? len : 60), tok);
		buf_puts(&b, "• ");
		if (name) {
			value(&b, name);
			buf_puts(&b, " (");
		}
		value(&b, id);
		if (name)
			buf_puts(&b, ")");
		add(f, &b, LEFT, 0.95, 0.05, 14);
	}
	buf_finish(&b);
}

/* The form's blocks, in the official order (report_form_html's). */
static void build(struct form *f, const struct report_item *it, const struct report_names *n, size_t matter_max)
{
	const struct request *r = it->req;
	const struct contact *c = &r->contact;
	char id[2 * RECORD_ID_LEN + 1], code[RECORD_CODE_LEN];
	hex_encode(r->id, RECORD_ID_LEN, id);
	record_receipt_code(r->id, code);
	struct buf b;
	buf_init(&b);
	/* The receipt code as the resident's receipt shows it, then the whole id, the kiosk and the arrival. */
	buf_printf(&b, "<span foreground=\"#555555\">Spean · Mã biên nhận <b>%s</b> (%s) · kiosk: ", code, id);
	value(&b, it->device);
	buf_puts(&b, " · nhận ngày ");
	value(&b, it->received_date);
	buf_printf(&b, " (số %llu) · Kết quả sàng lọc: ", (unsigned long long)it->received);
	value(&b, report_outcome_label(r->outcome));
	buf_puts(&b, r->urgent ? " · </span><span foreground=\"#b3261e\" weight=\"bold\">KHẨN</span>" : "</span>");
	add(f, &b, LEFT, 0.75, 0, 0);
	line(f, "Mẫu số 02-TP-TGPL\n<i>(Ban hành kèm theo Thông tư số 12/2018/TT-BTP)</i>", RIGHT, 0.85, 0.3);
	line(f, "<b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b>\n<b><u>Độc lập - Tự do - Hạnh phúc</u></b>", CENTER, 1, 0.4);
	line(f, "<b>ĐƠN YÊU CẦU TRỢ GIÚP PHÁP LÝ</b>", CENTER, 1.35, 0.9);
	line(f, "Kính gửi: Trung tâm Trợ giúp pháp lý nhà nước tỉnh Vĩnh Long", CENTER, 1, 0.4);

	line(f, "<b>1. Người được trợ giúp pháp lý</b>", LEFT, 1, 0.8);
	field(f, "Họ và tên", c->name, DOTS_LONG);
	char birth[16] = "";
	if (facts_known(&r->facts, F_BIRTH_DATE))
		date_partial_format_dmy(r->facts.birth_date, birth, sizeof birth);
	buf_printf(&b, "Ngày, tháng, năm sinh: %s%s%s    Giới tính: " DOTS_SHORT "    Dân tộc: " DOTS_SHORT,
		   birth[0] ? "<b>" : "", birth[0] ? birth : DOTS_SHORT, birth[0] ? "</b>" : "");
	add(f, &b, LEFT, 1, 0.15, 0);
	const char *cname = report_commune_name(n, c->commune_code);
	buf_puts(&b, "Địa chỉ nơi cư trú: <b>");
	if (cname) {
		value(&b, cname);
		buf_puts(&b, ", tỉnh Vĩnh Long");
	}
	buf_puts(&b, "</b>");
	if (c->commune_code) {
		buf_puts(&b, cname ? " (mã xã " : "mã xã ");
		value(&b, c->commune_code);
		buf_puts(&b, cname ? ")" : "");
	}
	buf_puts(&b, "; ấp, số nhà: " DOTS_SHORT);
	add(f, &b, LEFT, 1, 0.15, 0);
	if (c->address && *c->address)
		field(f, "Địa chỉ cũ (trước khi sắp xếp đơn vị hành chính)", c->address, DOTS);
	field(f, "Số điện thoại", c->phone, DOTS);
	line(f, "Giấy tờ tùy thân (CCCD, hộ chiếu) số: " DOTS_SHORT " ngày cấp: " DOTS_SHORT " nơi cấp: " DOTS_SHORT, LEFT,
	     1, 0.15);
	if (report_has_token(r->groups)) {
		line(f, "Thuộc diện người được trợ giúp pháp lý:", LEFT, 1, 0.15);
		group_list(f, r->groups, n);
	} else
		line(f, "Thuộc diện người được trợ giúp pháp lý: " DOTS_LONG, LEFT, 1, 0.15);
	if (report_has_token(r->review_groups)) {
		line(f, "Có thể thuộc diện (cán bộ cần xác minh):", LEFT, 1, 0.15);
		group_list(f, r->review_groups, n);
	}

	line(f, "<b>2. Người yêu cầu trợ giúp pháp lý</b> (nếu không phải là người được trợ giúp pháp lý)", LEFT, 1, 0.8);
	if (c->requester_relation && *c->requester_relation) {
		field(f, "Họ và tên", NULL, DOTS_LONG);
		field(f, "Quan hệ với người được trợ giúp pháp lý", report_relation_label(c->requester_relation), DOTS);
		line(f, "Địa chỉ: " DOTS_LONG, LEFT, 1, 0.15);
		line(f, "Số điện thoại: " DOTS, LEFT, 1, 0.15);
	} else
		line(f, "Không có (người được trợ giúp pháp lý tự yêu cầu).", LEFT, 1, 0.15);

	line(f, "<b>3. Nội dung yêu cầu trợ giúp pháp lý</b>", LEFT, 1, 0.8);
	line(f, "Tóm tắt nội dung vụ việc:", LEFT, 1, 0.15);
	if (c->matter && *c->matter) {
		size_t len = strlen(c->matter);
		if (len > matter_max) { /* cut at a character, never inside one */
			len = matter_max;
			while (len && ((unsigned char)c->matter[len] & 0xc0) == 0x80)
				len--;
		}
		char *m = xstrndup(c->matter, len);
		buf_puts(&b, "<b>");
		value(&b, m);
		buf_puts(&b, "</b>");
		if (len < strlen(c->matter))
			buf_puts(&b, "… <i>(cắt bớt: toàn văn trong hồ sơ trên máy trung tâm)</i>");
		add(f, &b, LEFT, 1, 0.1, 14);
		crypt_wipe(m, len);
		free(m);
	}
	line(f, DOTS_LONG DOTS_SHORT, LEFT, 1, 0.2);
	line(f, "Yêu cầu cụ thể (tư vấn pháp luật, tham gia tố tụng, đại diện ngoài tố tụng): " DOTS, LEFT, 1, 0.15);

	line(f, "<b>Giấy tờ kèm theo</b>", LEFT, 1, 0.7);
	const char *docs[REPORT_FORM_MAX_DOCS];
	int ndocs = report_collect_docs(n ? n->rules : NULL, r->groups, docs, 0);
	ndocs = report_collect_docs(n ? n->rules : NULL, r->review_groups, docs, ndocs);
	int k = 1;
	for (int i = 0; i < ndocs; i++, k++) {
		const char *name = report_catalog_name(n, "doc.", docs[i], strlen(docs[i]));
		buf_printf(&b, "%d. ", k);
		value(&b, name ? name : docs[i]);
		add(f, &b, LEFT, 0.95, 0.05, 14);
	}
	for (int i = 0; i < 2; i++, k++) {
		buf_printf(&b, "%d. " DOTS_LONG, k);
		add(f, &b, LEFT, 0.95, 0.05, 14);
	}
	line(f, "<i>Tôi xin cam đoan những điều khai trong đơn này là đúng sự thật và xin chịu trách nhiệm trước pháp "
		"luật về những điều đã khai.</i>",
	     LEFT, 1, 0.7);
	line(f, "<i>……………, ngày …… tháng …… năm ……</i>\n<b>NGƯỜI YÊU CẦU</b>\n<i>(Ký, ghi rõ họ tên hoặc điểm chỉ)</i>",
	     RIGHT, 1, 0.6);
	buf_finish_wipe(&b);
}

static void form_free(struct form *f)
{
	for (size_t i = 0; i < f->n; i++) {
		crypt_wipe(f->b[i].markup, strlen(f->b[i].markup));
		free(f->b[i].markup);
	}
	free(f->b);
	memset(f, 0, sizeof *f);
}

/* Lay out (and draw, when draw) every block at scale s: the height they take. */
static double layout(cairo_t *cr, const struct form *f, double s, int draw)
{
	double y = MARGIN_Y, width = PAGE_W - 2 * MARGIN_X;
	PangoLayout *pl = pango_cairo_create_layout(cr);
	PangoFontDescription *fd = pango_font_description_from_string(FONT);
	for (size_t i = 0; i < f->n; i++) {
		const struct block *bl = &f->b[i];
		double pt = BASE_PT * s * bl->scale;
		pango_font_description_set_size(fd, (gint)(pt * PANGO_SCALE));
		pango_layout_set_font_description(pl, fd);
		pango_layout_set_width(pl, (int)((width - bl->indent) * PANGO_SCALE));
		pango_layout_set_wrap(pl, PANGO_WRAP_WORD_CHAR);
		pango_layout_set_alignment(pl, bl->align == CENTER ? PANGO_ALIGN_CENTER
					       : bl->align == RIGHT ? PANGO_ALIGN_RIGHT
								    : PANGO_ALIGN_LEFT);
		pango_layout_set_markup(pl, bl->markup, -1);
		y += bl->before * BASE_PT * s * 1.2;
		int w, h;
		pango_layout_get_size(pl, &w, &h);
		if (draw) {
			cairo_move_to(cr, MARGIN_X + bl->indent, y);
			pango_cairo_show_layout(cr, pl);
		}
		y += (double)h / PANGO_SCALE;
	}
	pango_font_description_free(fd);
	g_object_unref(pl);
	return y + MARGIN_Y;
}

static cairo_status_t to_buf(void *closure, const unsigned char *data, unsigned int length)
{
	buf_append(closure, data, length);
	return CAIRO_STATUS_SUCCESS;
}

/* Spean's fonts (Noto Sans and Noto Sans Khmer UI, shared with the kiosk) before the system's. */
static void fonts_once(void)
{
	char dir[4096];
	fs_share_path("fonts", dir, sizeof dir);
	FcConfigAppFontAddDir(NULL, (const FcChar8 *)dir);
}

int report_form_pdf(const struct report_item *it, const struct report_names *n, struct buf *out, struct diag *d)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, fonts_once);
	cairo_surface_t *sf = cairo_pdf_surface_create_for_stream(to_buf, out, PAGE_W, PAGE_H);
	cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, "Đơn yêu cầu trợ giúp pháp lý (Mẫu 02-TP-TGPL)");
	cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR, "Spean");
	cairo_t *cr = cairo_create(sf);
	cairo_set_source_rgb(cr, 0, 0, 0);
	struct form f = {0};
	size_t matter_max = 1u << 20;
	double s = 1.0;
	for (int pass = 0;; pass++) {
		build(&f, it, n, matter_max);
		double h = 0;
		for (s = 1.0; s > 0.69; s -= 0.05)
			if ((h = layout(cr, &f, s, 0)) <= PAGE_H)
				break;
		if (h <= PAGE_H || pass == 8)
			break;
		form_free(&f);
		matter_max = matter_max > 4000 ? 1000 : matter_max * 2 / 3; /* the matter is the only long field */
	}
	layout(cr, &f, s < 0.7 ? 0.7 : s, 1);
	form_free(&f);
	cairo_show_page(cr);
	cairo_destroy(cr);
	cairo_surface_finish(sf);
	cairo_status_t st = cairo_surface_status(sf);
	cairo_surface_destroy(sf);
	if (st != CAIRO_STATUS_SUCCESS) {
		diag_set(d, "the PDF could not be made: %s", cairo_status_to_string(st));
		return ERR_IO;
	}
	return 0;
}

void report_pdf_release(void)
{
	pango_cairo_font_map_set_default(NULL);
	cairo_debug_reset_static_data();
	FcFini();
}

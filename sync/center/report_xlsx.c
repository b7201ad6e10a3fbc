/*
 * sync/center/report_xlsx: the only user of libxlsxwriter. Columns, in this
 * order (a new one goes at the end): receipt code, received (date), kiosk,
 * name, birth date (as given: a year, a month or a day, so text), phone
 * (text), commune, screening outcome, groups, KHẨN, request date (date,
 * the kiosk's clock), deadline (date), case state, officer, language, the
 * whole id.
 */
#include "report_xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "date.h"
#include "facts.h"
#include "kv.h"
#include "mem.h"
#include "report_internal.h"
#include "utf8.h"

struct report_xlsx {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *date, *bold;
	lxw_row_t row;
	char *path;
	int stats; /* a statistics sheet: no request header, no filter */
};

static const char *const header[] = {"Mã biên nhận", "Ngày nhận", "Kiosk", "Họ tên", "Ngày sinh", "Điện thoại",
				     "Xã", "Kết quả sàng lọc", "Diện", "KHẨN", "Ngày yêu cầu", "Hạn chót",
				     "Tình trạng hồ sơ", "Trợ giúp viên", "Ngôn ngữ", "Mã đầy đủ"};
#define NCOLS (sizeof header / sizeof header[0])

/* A workbook at path with one sheet and a bold format; NULL with d set. */
static struct report_xlsx *workbook(const char *path, const char *tmpdir, const char *sheet, struct diag *d)
{
	struct report_xlsx *x = xcalloc(1, sizeof *x);
	lxw_workbook_options o = {.constant_memory = 0, .tmpdir = (char *)tmpdir, .use_zip64 = 0};
	x->wb = workbook_new_opt(path, &o);
	x->ws = x->wb ? workbook_add_worksheet(x->wb, sheet) : NULL;
	if (!x->ws) {
		diag_set(d, "%s: cannot make the workbook", path);
		if (x->wb)
			workbook_close(x->wb);
		free(x);
		return NULL;
	}
	x->path = xstrdup(path);
	x->bold = workbook_add_format(x->wb);
	format_set_bold(x->bold);
	return x;
}

int report_xlsx_open(const char *path, const char *tmpdir, struct report_xlsx **out, struct diag *d)
{
	struct report_xlsx *x = workbook(path, tmpdir, "Yêu cầu", d);
	if (!x)
		return ERR_IO;
	x->date = workbook_add_format(x->wb);
	format_set_num_format(x->date, "yyyy-mm-dd");
	for (size_t i = 0; i < NCOLS; i++)
		worksheet_write_string(x->ws, 0, (lxw_col_t)i, header[i], x->bold);
	worksheet_freeze_panes(x->ws, 1, 0);
	worksheet_set_column(x->ws, 0, 0, 12, NULL);
	worksheet_set_column(x->ws, 1, 1, 11, NULL);
	worksheet_set_column(x->ws, 2, 3, 26, NULL);
	worksheet_set_column(x->ws, 5, 5, 14, NULL);
	worksheet_set_column(x->ws, 6, 8, 22, NULL);
	worksheet_set_column(x->ws, 10, 12, 12, NULL);
	worksheet_set_column(x->ws, 15, 15, 34, NULL);
	x->row = 1;
	*out = x;
	return 0;
}

static void text(struct report_xlsx *x, lxw_col_t col, const char *s)
{
	if (!s || !*s)
		return;
	char *safe = utf8_neutral_dup(s);
	worksheet_write_string(x->ws, x->row, col, safe, NULL);
	crypt_wipe(safe, strlen(safe));
	free(safe);
}

/* A YYYY-MM-DD date as a date cell (nothing for anything else). */
static void day(struct report_xlsx *x, lxw_col_t col, const char *s)
{
	struct date dt;
	if (!s || date_parse(s, strlen(s), &dt))
		return;
	lxw_datetime t = {dt.y, dt.m, dt.d, 0, 0, 0};
	worksheet_write_datetime(x->ws, x->row, col, &t, x->date);
}

void report_xlsx_row(struct report_xlsx *x, const struct report_item *it, const struct report_names *n,
		     const struct report_xlsx_extra *e)
{
	const struct request *r = it->req;
	const struct contact *c = &r->contact;
	char id[2 * RECORD_ID_LEN + 1], code[RECORD_CODE_LEN];
	hex_encode(r->id, RECORD_ID_LEN, id);
	record_receipt_code(r->id, code);
	text(x, 0, code);
	day(x, 1, it->received_date);
	text(x, 2, e && e->kiosk ? e->kiosk : it->device);
	text(x, 3, c->name);
	char birth[16] = "";
	if (facts_known(&r->facts, F_BIRTH_DATE))
		date_partial_format(r->facts.birth_date, birth, sizeof birth);
	text(x, 4, birth);
	text(x, 5, c->phone);
	const char *cn = report_commune_name(n, c->commune_code);
	text(x, 6, cn ? cn : c->commune_code);
	text(x, 7, report_outcome_label(r->outcome));
	struct buf g;
	buf_init(&g);
	const char *p = r->groups, *tok;
	size_t len;
	while (report_next_token(&p, &tok, &len)) {
		const char *name = report_catalog_name(n, "group.", tok, len);
		buf_printf(&g, "%s%s", g.len ? "; " : "", name ? name : "");
		if (!name)
			buf_append(&g, tok, len < 64 ? len : 64);
	}
	buf_append(&g, "", 0);
	text(x, 8, g.data);
	buf_finish(&g);
	text(x, 9, r->urgent ? "KHẨN" : "");
	if (facts_known(&r->facts, F_REQUEST_DATE)) {
		char rd[16];
		snprintf(rd, sizeof rd, "%04d-%02d-%02d", r->facts.request_date.y % 10000, r->facts.request_date.m % 100,
			 r->facts.request_date.d % 100);
		day(x, 10, rd);
	}
	if (e) {
		day(x, 11, e->deadline);
		text(x, 12, e->state);
		text(x, 13, e->officer);
	}
	text(x, 14, r->lang && !strcmp(r->lang, "km") ? "Tiếng Khmer" : "Tiếng Việt");
	text(x, 15, id);
	x->row++;
}

int report_xlsx_stats_open(const char *path, const char *tmpdir, const char *title, struct report_xlsx **out,
			   struct diag *d)
{
	struct report_xlsx *x = workbook(path, tmpdir, "Thống kê", d);
	if (!x)
		return ERR_IO;
	x->stats = 1;
	worksheet_set_column(x->ws, 0, 0, 44, NULL);
	worksheet_set_column(x->ws, 1, 1, 12, NULL);
	char *safe = utf8_neutral_dup(title);
	worksheet_write_string(x->ws, 0, 0, safe, x->bold);
	free(safe);
	x->row = 2;
	*out = x;
	return 0;
}

void report_xlsx_heading(struct report_xlsx *x, const char *heading, const char *count)
{
	if (x->row > 2)
		x->row++; /* a blank row between sections */
	char *safe = utf8_neutral_dup(heading);
	worksheet_write_string(x->ws, x->row, 0, safe, x->bold);
	free(safe);
	if (count)
		worksheet_write_string(x->ws, x->row, 1, count, x->bold);
	x->row++;
}

void report_xlsx_count(struct report_xlsx *x, const char *label, unsigned long n)
{
	text(x, 0, label && *label ? label : "?");
	worksheet_write_number(x->ws, x->row, 1, (double)n, NULL);
	x->row++;
}

int report_xlsx_close(struct report_xlsx *x, struct diag *d)
{
	if (x->row > 1 && !x->stats)
		worksheet_autofilter(x->ws, 0, 0, x->row - 1, (lxw_col_t)(NCOLS - 1));
	lxw_error e = workbook_close(x->wb);
	int rc = 0;
	if (e != LXW_NO_ERROR) {
		diag_set(d, "%s: cannot write it (%s)", x->path, lxw_strerror(e));
		rc = ERR_IO;
	}
	free(x->path);
	free(x);
	return rc;
}

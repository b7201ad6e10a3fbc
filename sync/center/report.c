#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "kv.h"
#include "screen.h"

/*
 * No LOG_MODULE: this module never logs. Everything it touches is personal
 * data, and its callers report counts themselves.
 */

/* ---- UTF-8 ------------------------------------------------------------ */

/* Length (1..4) of the well-formed UTF-8 sequence at s[0..n), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned long *cp)
{
	unsigned char c = s[0];
	size_t len;
	unsigned long v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1Fu;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0Fu;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07u;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3Fu);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

enum esc {
	ESC_PLAIN, /* text as is (invalid bytes replaced) */
	ESC_CSV,   /* inside a quoted CSV field: " doubled */
	ESC_HTML,  /* & < > " ' as references; control characters but TAB CR LF replaced */
};

/* Append s, escaped for the destination; invalid UTF-8 becomes U+FFFD. */
static void put_text(struct buf *out, const char *s, enum esc mode)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);
	while (n) {
		unsigned long cp;
		size_t len = utf8_seq(p, n, &cp);
		if (!len) {
			buf_puts(out, REPLACEMENT);
			p++;
			n--;
			continue;
		}
		const char *rep = NULL;
		if (mode == ESC_CSV && cp == '"')
			rep = "\"\"";
		else if (mode == ESC_HTML)
			switch (cp) {
			case '&': rep = "&amp;"; break;
			case '<': rep = "&lt;"; break;
			case '>': rep = "&gt;"; break;
			case '"': rep = "&quot;"; break;
			case '\'': rep = "&#39;"; break;
			default:
				if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7F)
					rep = REPLACEMENT;
			}
		if (rep)
			buf_puts(out, rep);
		else
			buf_append(out, p, len);
		p += len;
		n -= len;
	}
}

static void html(struct buf *out, const char *s)
{
	put_text(out, s, ESC_HTML);
}

/* Non-spacing marks (Vietnamese combining tones, Khmer signs, ZW chars) take no column. */
static int zero_width(unsigned long cp)
{
	return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
	       (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F) || (cp >= 0x200B && cp <= 0x200F) ||
	       cp == 0x17B4 || cp == 0x17B5 || (cp >= 0x17B7 && cp <= 0x17BD) || cp == 0x17C6 ||
	       (cp >= 0x17C9 && cp <= 0x17D3) || cp == 0x17DD;
}

/* Columns s takes in a terminal or a monospaced editor (an invalid byte counts one: U+FFFD). */
static size_t text_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), w = 0;
	while (n) {
		unsigned long cp = 0xFFFD;
		size_t len = utf8_seq(p, n, &cp);
		if (!len)
			len = 1;
		if (!zero_width(cp))
			w++;
		p += len;
		n -= len;
	}
	return w;
}

/* ---- names ------------------------------------------------------------ */

/* Staff wording, fixed: the outcome set is part of the engine, not of the content pack. */
static const char *outcome_label(enum outcome o)
{
	switch (o) {
	case OUTCOME_LIKELY_ELIGIBLE: return "Có thể thuộc diện được trợ giúp";
	case OUTCOME_STAFF_REVIEW: return "Cần cán bộ xem xét";
	case OUTCOME_NOT_LISTED: return "Chưa thấy thuộc diện nào";
	case OUTCOME_OUTSIDE_SCOPE: return "Ngoài phạm vi trợ giúp pháp lý";
	}
	return "?";
}

static const char *lang_label(const char *code)
{
	if (code && !strcmp(code, "vi"))
		return "Tiếng Việt";
	if (code && !strcmp(code, "km"))
		return "Tiếng Khmer";
	return NULL;
}

/* catalog text for "prefix" + id[0..len), or NULL. */
static const char *catalog_name(const struct report_names *n, const char *prefix, const char *id, size_t len)
{
	char key[96];
	if (!n || !n->vi || len > 64)
		return NULL;
	snprintf(key, sizeof key, "%s%.*s", prefix, (int)len, id);
	return catalog_get(n->vi, key);
}

static const char *commune_name(const struct report_names *n, const char *code)
{
	if (!n || !n->content || !code)
		return NULL;
	for (int i = 0; i < n->content->ncommunes; i++)
		if (!strcmp(n->content->communes[i].code, code))
			return n->content->communes[i].name;
	return NULL;
}

/* Next space-separated token of *p: 1 with (*tok, *len), 0 at the end. */
static int next_token(const char **p, const char **tok, size_t *len)
{
	const char *s = *p;
	if (!s)
		return 0;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return 0;
	const char *e = s;
	while (*e && *e != ' ' && *e != '\t')
		e++;
	*tok = s;
	*len = (size_t)(e - s);
	*p = e;
	return 1;
}

/* "name; name" for a group list (the code when there is no name). */
static void group_names(const char *groups, const struct report_names *n, struct buf *out)
{
	const char *p = groups, *tok;
	size_t len;
	int first = 1;
	while (next_token(&p, &tok, &len)) {
		const char *name = catalog_name(n, "group.", tok, len);
		if (!first)
			buf_puts(out, "; ");
		if (name)
			buf_puts(out, name);
		else
			buf_append(out, tok, len);
		first = 0;
	}
}

static void format_date(struct date d, char out[16])
{
	snprintf(out, 16, "%04d-%02d-%02d", d.y % 10000, d.m % 100, d.d % 100);
}

/* ---- CSV -------------------------------------------------------------- */

static void csv_field(struct buf *out, const char *s, int first)
{
	if (!first)
		buf_putc(out, ',');
	if (!s)
		s = "";
	/*
	 * A spreadsheet runs a cell starting with one of these as a formula
	 * (or, for TAB and CR, after trimming): an apostrophe makes it text.
	 */
	int guard = s[0] && strchr("=+-@\t\r", s[0]) != NULL;
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		buf_putc(out, '"');
	if (guard)
		buf_putc(out, '\'');
	put_text(out, s, quote ? ESC_CSV : ESC_PLAIN);
	if (quote)
		buf_putc(out, '"');
}

static const char *const csv_columns[REPORT_CSV_COLUMNS] = {
	"ma_yeu_cau", "thu_tu_nhan", "ngay_nhan", "may_kiosk", "so_thu_tu_kiosk", "ngon_ngu",
	"ket_qua", "ten_ket_qua", "khan", "dien", "ten_dien", "dien_can_xem_xet",
	"ten_dien_can_xem_xet", "ho_ten", "ngay_sinh", "dien_thoai", "ma_xa", "ten_xa",
	"dia_chi_cu", "noi_dung", "quan_he_nguoi_yeu_cau", "mau_dong_y", "phien_ban_quy_tac",
};

void report_csv_header(struct buf *out)
{
	/* The BOM is what makes Excel read the file as UTF-8 rather than the ANSI code page. */
	buf_puts(out, "\xEF\xBB\xBF");
	for (int i = 0; i < REPORT_CSV_COLUMNS; i++)
		csv_field(out, csv_columns[i], i == 0);
	buf_puts(out, "\r\n");
}

void report_csv_row(const struct report_item *it, const struct report_names *n, struct buf *out)
{
	const struct request *r = it->req;
	const struct contact *c = &r->contact;
	char id[2 * RECORD_ID_LEN + 1], received[24], seq[24], birth[16] = "";
	struct buf gnames, rnames;
	hex_encode(r->id, RECORD_ID_LEN, id);
	snprintf(received, sizeof received, "%llu", (unsigned long long)it->received);
	snprintf(seq, sizeof seq, "%llu", (unsigned long long)it->seq);
	if (facts_known(&r->facts, F_BIRTH_DATE))
		format_date(r->facts.birth_date, birth);
	buf_init(&gnames);
	buf_init(&rnames);
	buf_puts(&gnames, "");
	buf_puts(&rnames, "");
	group_names(r->groups, n, &gnames);
	group_names(r->review_groups, n, &rnames);

	const char *fields[REPORT_CSV_COLUMNS] = {
		id,
		received,
		it->received_date,
		it->device,
		seq,
		r->lang,
		outcome_name(r->outcome),
		outcome_label(r->outcome),
		r->urgent ? "KHẨN" : "không",
		r->groups,
		gnames.data,
		r->review_groups,
		rnames.data,
		c->name,
		birth,
		c->phone,
		c->commune_code,
		commune_name(n, c->commune_code),
		c->address,
		c->matter,
		c->requester_relation,
		c->consent_text,
		r->rules_version,
	};
	for (int i = 0; i < REPORT_CSV_COLUMNS; i++)
		csv_field(out, fields[i], i == 0);
	buf_puts(out, "\r\n");
	buf_finish(&gnames);
	buf_finish(&rnames);
}

/* ---- statistics ------------------------------------------------------- */

struct tally {
	char *key;
	unsigned long n;
};

struct tally_set {
	struct tally *v;
	size_t n, cap;
};

struct report_stats {
	unsigned long total;
	unsigned long urgent;
	struct tally_set commune, group, review, outcome, month, lang;
};

static void tally_add(struct tally_set *t, const char *key, size_t len)
{
	for (size_t i = 0; i < t->n; i++)
		if (strlen(t->v[i].key) == len && !memcmp(t->v[i].key, key, len)) {
			t->v[i].n++;
			return;
		}
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 8;
		t->v = xrealloc(t->v, t->cap * sizeof *t->v);
	}
	t->v[t->n].key = xstrndup(key, len);
	t->v[t->n].n = 1;
	t->n++;
}

static void tally_finish(struct tally_set *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].key);
	free(t->v);
}

struct report_stats *report_stats_create(void)
{
	return xcalloc(1, sizeof(struct report_stats));
}

void report_stats_destroy(struct report_stats *s)
{
	if (!s)
		return;
	tally_finish(&s->commune);
	tally_finish(&s->group);
	tally_finish(&s->review);
	tally_finish(&s->outcome);
	tally_finish(&s->month);
	tally_finish(&s->lang);
	free(s);
}

/* Length of the month key "YYYY-MM" at the start of date: 7 for a valid YYYY-MM-DD, else 0 (unknown). */
static size_t month_len(const char *date)
{
	struct date d;
	if (!date || date_parse(date, strlen(date), &d))
		return 0;
	return 7;
}

void report_stats_add(struct report_stats *s, const struct report_item *it)
{
	const struct request *r = it->req;
	const char *p, *tok;
	size_t len;
	s->total++;
	if (r->urgent)
		s->urgent++;
	const char *cc = r->contact.commune_code ? r->contact.commune_code : "";
	tally_add(&s->commune, cc, strlen(cc));
	p = r->groups;
	while (next_token(&p, &tok, &len))
		tally_add(&s->group, tok, len);
	p = r->review_groups;
	while (next_token(&p, &tok, &len))
		tally_add(&s->review, tok, len);
	const char *o = outcome_name(r->outcome);
	tally_add(&s->outcome, o, strlen(o));
	/* The office PC's date of arrival; the kiosk's clock (facts.request_date) is never used. */
	tally_add(&s->month, it->received_date ? it->received_date : "", month_len(it->received_date));
	const char *l = r->lang ? r->lang : "";
	tally_add(&s->lang, l, strlen(l));
}

struct row {
	const char *key;
	char *label;
	unsigned long n;
};

struct section {
	const char *title;
	struct row *rows;
	size_t n;
};

static int by_count_then_key(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* Calendar order; the unknown month ("") last. */
static int by_month(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (!*x->key || !*y->key)
		return (!*x->key) - (!*y->key);
	return strcmp(x->key, y->key);
}

enum label_kind { L_COMMUNE, L_GROUP, L_OUTCOME, L_MONTH, L_LANG };

static char *make_label(enum label_kind kind, const char *key, const struct report_names *n)
{
	struct buf b;
	const char *name = NULL;
	buf_init(&b);
	buf_puts(&b, "");
	if (!*key) {
		buf_puts(&b, kind == L_MONTH ? "(không rõ ngày nhận)" : "(không rõ)");
		return b.data;
	}
	switch (kind) {
	case L_COMMUNE: name = commune_name(n, key); break;
	case L_GROUP: name = catalog_name(n, "group.", key, strlen(key)); break;
	case L_OUTCOME: {
		int o = outcome_find(key, strlen(key));
		name = o >= 0 ? outcome_label((enum outcome)o) : NULL;
		break;
	}
	case L_MONTH: break;
	case L_LANG: name = lang_label(key); break;
	}
	if (kind == L_MONTH) {
		/* "2026-05" -> "Tháng 05/2026" */
		buf_printf(&b, "Tháng %.2s/%.4s", key + 5, key);
	} else if (kind == L_OUTCOME && name) {
		buf_puts(&b, name);
	} else {
		put_text(&b, key, ESC_PLAIN);
		if (name) {
			buf_puts(&b, "  ");
			put_text(&b, name, ESC_PLAIN);
		}
	}
	return b.data;
}

static void section_fill(struct section *sec, const char *title, const struct tally_set *t, enum label_kind kind,
			 const struct report_names *n)
{
	sec->title = title;
	sec->n = t->n;
	sec->rows = xcalloc(t->n ? t->n : 1, sizeof *sec->rows);
	for (size_t i = 0; i < t->n; i++) {
		sec->rows[i].key = t->v[i].key;
		sec->rows[i].n = t->v[i].n;
		sec->rows[i].label = make_label(kind, t->v[i].key, n);
	}
	qsort(sec->rows, sec->n, sizeof *sec->rows, kind == L_MONTH ? by_month : by_count_then_key);
}

static void pad(struct buf *out, size_t n)
{
	while (n--)
		buf_putc(out, ' ');
}

void report_stats_print(const struct report_stats *s, const struct report_names *n, struct buf *out)
{
	enum { NSEC = 7 };
	struct section sec[NSEC];
	section_fill(&sec[0], "Theo xã, phường", &s->commune, L_COMMUNE, n);
	section_fill(&sec[1], "Theo diện được trợ giúp (máy kiosk xác định; một yêu cầu có thể thuộc nhiều diện)",
		     &s->group, L_GROUP, n);
	section_fill(&sec[2], "Theo diện cần cán bộ xem xét thêm", &s->review, L_GROUP, n);
	section_fill(&sec[3], "Theo kết quả sàng lọc", &s->outcome, L_OUTCOME, n);
	section_fill(&sec[4], "Theo tháng nhận (ngày của máy tính Trung tâm, không theo đồng hồ máy kiosk)", &s->month,
		     L_MONTH, n);
	/* Urgent: both rows always, KHẨN first (a fixed pair, not a ranking). */
	sec[5].title = "Khẩn / không khẩn";
	sec[5].n = 2;
	sec[5].rows = xcalloc(2, sizeof *sec[5].rows);
	sec[5].rows[0] = (struct row){"yes", xstrdup("KHẨN (có hạn chót gần)"), s->urgent};
	sec[5].rows[1] = (struct row){"no", xstrdup("Không khẩn"), s->total - s->urgent};
	section_fill(&sec[6], "Theo ngôn ngữ", &s->lang, L_LANG, n);

	size_t lw = 0;
	unsigned long maxn = s->total;
	for (int i = 0; i < NSEC; i++)
		for (size_t k = 0; k < sec[i].n; k++) {
			size_t w = text_width(sec[i].rows[k].label);
			if (w > lw)
				lw = w;
			if (sec[i].rows[k].n > maxn)
				maxn = sec[i].rows[k].n;
		}
	int nw = snprintf(NULL, 0, "%lu", maxn);

	buf_puts(out, "THỐNG KÊ YÊU CẦU TRỢ GIÚP PHÁP LÝ\n");
	buf_printf(out, "Tổng số yêu cầu: %lu\n", s->total);
	for (int i = 0; i < NSEC; i++) {
		buf_printf(out, "\n%s\n", sec[i].title);
		if (!sec[i].n)
			buf_puts(out, "  (không có)\n");
		for (size_t k = 0; k < sec[i].n; k++) {
			const struct row *r = &sec[i].rows[k];
			buf_puts(out, "  ");
			buf_puts(out, r->label);
			pad(out, lw - text_width(r->label) + 2);
			buf_printf(out, "%*lu", nw, r->n);
			if (s->total) {
				/* Per mille, rounded half up, printed with the Vietnamese decimal comma. */
				unsigned long pm = (r->n * 1000 + s->total / 2) / s->total;
				buf_printf(out, "  %3lu,%lu%%", pm / 10, pm % 10);
			}
			buf_putc(out, '\n');
		}
	}
	for (int i = 0; i < NSEC; i++) {
		for (size_t k = 0; k < sec[i].n; k++)
			free(sec[i].rows[k].label);
		free(sec[i].rows);
	}
}

/* ---- the request form ------------------------------------------------- */

static const char form_css[] =
	"@page{size:A4;margin:15mm 15mm 15mm 20mm}\n"
	/* Khmer names need a Khmer face: Times New Roman has none. */
	"body{margin:0;background:#fff;color:#000;font-family:\"Times New Roman\",\"Noto Serif\",\"Noto Serif Khmer\","
	"\"Khmer OS\",\"DejaVu Serif\",serif;font-size:13pt;line-height:1.45}\n"
	".page{max-width:175mm;margin:0 auto;padding:8mm 0}\n"
	"@media print{.page{max-width:none;padding:0}}\n"
	".spean{font-family:sans-serif;font-size:8pt;color:#333;border-bottom:1px solid #999;margin:0 0 6pt;"
	"padding-bottom:2pt;overflow-wrap:anywhere}\n"
	".urgent{font-weight:bold;color:#000;border:1px solid #000;padding:0 3pt}\n"
	".formno{text-align:right;font-size:10pt;margin:0}\n"
	".motto{text-align:center;margin:6pt 0 12pt}\n"
	".motto p{margin:0;font-weight:bold}\n"
	".motto .slogan{display:inline-block;border-bottom:1px solid #000;padding-bottom:1pt}\n"
	"h1{text-align:center;font-size:15pt;margin:12pt 0 4pt}\n"
	".to{text-align:center;margin:0 0 10pt}\n"
	"h2{font-size:13pt;margin:10pt 0 2pt}\n"
	"p{margin:2pt 0}\n"
	".v{font-weight:bold}\n"
	".fill{display:inline-block;min-width:45mm;border-bottom:1px dotted #000;height:1.1em}\n"
	".fill.short{min-width:22mm}\n"
	".fill.long{min-width:100mm}\n"
	".line{border-bottom:1px dotted #000;height:1.45em}\n"
	".matter{white-space:pre-wrap;overflow-wrap:anywhere}\n"
	"ul,ol{margin:2pt 0 2pt 8mm;padding:0}\n"
	".pledge{margin-top:10pt;text-indent:10mm}\n"
	".sign{margin:12pt 0 0 45%;text-align:center;page-break-inside:avoid;break-inside:avoid}\n"
	".sign .space{height:25mm}\n";

static void fill(struct buf *out, const char *cls)
{
	buf_printf(out, "<span class=\"fill%s%s\"></span>", cls ? " " : "", cls ? cls : "");
}

/* A labelled line: the escaped value, or a dotted line for staff when there is none. */
static void field(struct buf *out, const char *label, const char *value, const char *fill_cls)
{
	buf_printf(out, "<p>%s: ", label);
	if (value && *value) {
		buf_puts(out, "<span class=\"v\">");
		html(out, value);
		buf_puts(out, "</span>");
	} else {
		fill(out, fill_cls);
	}
	buf_puts(out, "</p>\n");
}

static void html_group_list(struct buf *out, const char *groups, const struct report_names *n)
{
	const char *p = groups, *tok;
	size_t len;
	buf_puts(out, "<ul>\n");
	while (next_token(&p, &tok, &len)) {
		const char *name = catalog_name(n, "group.", tok, len);
		char *id = xstrndup(tok, len);
		buf_puts(out, "<li>");
		if (name) {
			html(out, name);
			buf_puts(out, " (");
			html(out, id);
			buf_puts(out, ")");
		} else {
			html(out, id);
		}
		buf_puts(out, "</li>\n");
		free(id);
	}
	buf_puts(out, "</ul>\n");
}

static int has_token(const char *s)
{
	const char *tok;
	size_t len;
	return next_token(&s, &tok, &len);
}

#define FORM_MAX_DOCS (RULES_MAX_GROUPS * RULES_MAX_DOCS)

/* Documents of the listed groups (every dated variant), in order, without repeats. */
static int collect_docs(const struct rules *rules, const char *groups, const char **docs, int ndocs)
{
	const char *p = groups, *tok;
	size_t len;
	if (!rules)
		return ndocs;
	while (next_token(&p, &tok, &len))
		for (int g = 0; g < rules->ngroups; g++) {
			const struct rule_group *rg = &rules->groups[g];
			if (strlen(rg->id) != len || memcmp(rg->id, tok, len))
				continue;
			for (int k = 0; k < rg->ndocs; k++) {
				int seen = 0;
				for (int i = 0; i < ndocs && !seen; i++)
					seen = !strcmp(docs[i], rg->docs[k]);
				if (!seen && ndocs < FORM_MAX_DOCS)
					docs[ndocs++] = rg->docs[k];
			}
		}
	return ndocs;
}

static const char *relation_label(const char *rel)
{
	/* The kiosk stores a code; the CLI stores what staff typed (shown as is). */
	if (rel && !strcmp(rel, "family"))
		return "Người nhà";
	if (rel && !strcmp(rel, "other"))
		return "Người khác (không phải người nhà)";
	return rel;
}

void report_form_html(const struct report_item *it, const struct report_names *n, struct buf *out)
{
	const struct request *r = it->req;
	const struct contact *c = &r->contact;
	char id[2 * RECORD_ID_LEN + 1];
	hex_encode(r->id, RECORD_ID_LEN, id);

	buf_puts(out, "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		      "<title>Đơn yêu cầu trợ giúp pháp lý ");
	html(out, id);
	buf_printf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<div class=\"page\">\n", form_css);

	/* Spean's own reference, small, above the form. */
	buf_puts(out, "<p class=\"spean\">Spean · Mã yêu cầu: <b>");
	html(out, id);
	buf_puts(out, "</b> · Máy kiosk: ");
	html(out, it->device ? it->device : "");
	buf_printf(out, " · Số thứ tự trên máy kiosk: %llu · Trung tâm nhận ngày ", (unsigned long long)it->seq);
	html(out, it->received_date ? it->received_date : "");
	buf_printf(out, " (số thứ tự nhận %llu) · Kết quả sàng lọc: ", (unsigned long long)it->received);
	html(out, outcome_label(r->outcome));
	if (r->urgent)
		buf_puts(out, " · <span class=\"urgent\">KHẨN</span>");
	buf_puts(out, "</p>\n");

	buf_puts(out, "<p class=\"formno\">Mẫu số 02-TP-TGPL<br><i>(Ban hành kèm theo Thông tư số 12/2018/TT-BTP)</i></p>\n"
		      "<div class=\"motto\">\n<p>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</p>\n"
		      "<p class=\"slogan\">Độc lập - Tự do - Hạnh phúc</p>\n</div>\n"
		      "<h1>ĐƠN YÊU CẦU TRỢ GIÚP PHÁP LÝ</h1>\n"
		      "<p class=\"to\">Kính gửi: Trung tâm Trợ giúp pháp lý nhà nước tỉnh Vĩnh Long</p>\n");

	/* 1. The person to be aided. */
	buf_puts(out, "<h2>1. Người được trợ giúp pháp lý</h2>\n");
	field(out, "Họ và tên", c->name, "long");
	buf_puts(out, "<p>Ngày, tháng, năm sinh: ");
	if (facts_known(&r->facts, F_BIRTH_DATE))
		buf_printf(out, "<span class=\"v\">%02d/%02d/%04d</span>", r->facts.birth_date.d % 100,
			   r->facts.birth_date.m % 100, r->facts.birth_date.y % 10000);
	else
		fill(out, "short");
	buf_puts(out, " &nbsp; Giới tính: ");
	fill(out, "short");
	buf_puts(out, " &nbsp; Dân tộc: ");
	fill(out, "short");
	buf_puts(out, "</p>\n<p>Địa chỉ nơi cư trú: ");
	const char *cname = commune_name(n, c->commune_code);
	buf_puts(out, "<span class=\"v\">");
	if (cname) {
		html(out, cname);
		buf_puts(out, ", tỉnh Vĩnh Long");
	}
	buf_puts(out, "</span>");
	if (c->commune_code) {
		buf_puts(out, cname ? " (mã xã " : "mã xã ");
		html(out, c->commune_code);
		buf_puts(out, cname ? ")" : "");
	}
	buf_puts(out, "; ấp, số nhà: ");
	fill(out, NULL);
	buf_puts(out, "</p>\n");
	if (c->address && *c->address)
		field(out, "Địa chỉ cũ (trước khi sắp xếp đơn vị hành chính)", c->address, NULL);
	field(out, "Số điện thoại", c->phone, NULL);
	buf_puts(out, "<p>Giấy tờ tùy thân (CCCD, hộ chiếu) số: ");
	fill(out, NULL);
	buf_puts(out, " ngày cấp: ");
	fill(out, "short");
	buf_puts(out, " nơi cấp: ");
	fill(out, "short");
	buf_puts(out, "</p>\n<p>Thuộc diện người được trợ giúp pháp lý:");
	int any_group = has_token(r->groups), any_review = has_token(r->review_groups);
	if (any_group) {
		buf_puts(out, "</p>\n");
		html_group_list(out, r->groups, n);
	} else {
		buf_puts(out, " ");
		fill(out, "long");
		buf_puts(out, "</p>\n");
	}
	if (any_review) {
		buf_puts(out, "<p>Có thể thuộc diện (cán bộ cần xác minh):</p>\n");
		html_group_list(out, r->review_groups, n);
	}

	/* 2. The requester, when it is not the beneficiary. */
	buf_puts(out, "<h2>2. Người yêu cầu trợ giúp pháp lý (nếu không phải là người được trợ giúp pháp lý)</h2>\n");
	if (c->requester_relation && *c->requester_relation) {
		field(out, "Họ và tên", NULL, "long");
		field(out, "Quan hệ với người được trợ giúp pháp lý", relation_label(c->requester_relation), NULL);
		buf_puts(out, "<p>Địa chỉ: ");
		fill(out, "long");
		buf_puts(out, "</p>\n<p>Số điện thoại: ");
		fill(out, NULL);
		buf_puts(out, "</p>\n");
	} else {
		buf_puts(out, "<p>Không có (người được trợ giúp pháp lý tự yêu cầu).</p>\n");
	}

	/* 3. The request. */
	buf_puts(out, "<h2>3. Nội dung yêu cầu trợ giúp pháp lý</h2>\n<p>Tóm tắt nội dung vụ việc:</p>\n");
	if (c->matter && *c->matter) {
		buf_puts(out, "<p class=\"matter v\">");
		html(out, c->matter);
		buf_puts(out, "</p>\n");
	}
	buf_puts(out, "<div class=\"line\"></div>\n<div class=\"line\"></div>\n");
	buf_puts(out, "<p>Yêu cầu cụ thể (tư vấn pháp luật, tham gia tố tụng, đại diện ngoài tố tụng): ");
	fill(out, NULL);
	buf_puts(out, "</p>\n");

	/* Documents: from the rules for the screened groups, then lines for what staff add. */
	const char *docs[FORM_MAX_DOCS];
	int ndocs = collect_docs(n ? n->rules : NULL, r->groups, docs, 0);
	ndocs = collect_docs(n ? n->rules : NULL, r->review_groups, docs, ndocs);
	buf_puts(out, "<h2>Giấy tờ kèm theo</h2>\n<ol>\n");
	for (int i = 0; i < ndocs; i++) {
		const char *name = catalog_name(n, "doc.", docs[i], strlen(docs[i]));
		buf_puts(out, "<li>");
		html(out, name ? name : docs[i]);
		buf_puts(out, "</li>\n");
	}
	buf_puts(out, "<li><div class=\"line\"></div></li>\n<li><div class=\"line\"></div></li>\n</ol>\n");

	buf_puts(out, "<p class=\"pledge\">Tôi xin cam đoan những điều khai trong đơn này là đúng sự thật và "
		      "xin chịu trách nhiệm trước pháp luật về những điều đã khai.</p>\n"
		      "<div class=\"sign\">\n<p><i>……………, ngày …… tháng …… năm ……</i></p>\n"
		      "<p><b>NGƯỜI YÊU CẦU</b><br><i>(Ký, ghi rõ họ tên hoặc điểm chỉ)</i></p>\n"
		      "<div class=\"space\"></div>\n</div>\n"
		      "</div>\n</body>\n</html>\n");
}

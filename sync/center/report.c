#include "report.h"
#include "report_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypt.h"
#include "facts.h"
#include "kv.h"
#include "screen.h"
#include "utf8.h"

/*
 * No LOG_MODULE: this module never logs. Everything it touches is personal
 * data, and its callers report counts themselves.
 */

/* ---- text from a request --------------------------------------------- */

enum esc {
	ESC_TEXT, /* a terminal: every unsafe code point shown as U+FFFD */
	ESC_CSV,  /* inside a quoted CSV field: the same, " doubled and ; made full-width */
	ESC_HTML, /* & < > " ' as references; TAB, LF and CR kept (white space), other unsafe code points U+FFFD */
};

#define FULLWIDTH_SEMICOLON "\xEF\xBC\x9B" /* U+FF1B */

/*
 * Append s, escaped for the destination. Whatever it is given, the output is
 * valid UTF-8 without a control or direction-override character: a request
 * comes sealed from a kiosk, but a stolen kiosk key can seal anything, so
 * nothing here relies on the kiosk's checks (utf8_put_neutral does the work).
 */
static void put_text(struct buf *out, const char *s, enum esc mode)
{
	const char *p = s ? s : "";
	size_t n = strlen(p);
	unsigned keep = mode == ESC_HTML ? UTF8_KEEP_TAB | UTF8_KEEP_LF | UTF8_KEEP_CR : 0;
	if (mode == ESC_TEXT) {
		utf8_put_neutral(out, p, n, keep);
		return;
	}
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep = NULL;
		if (mode == ESC_CSV)
			switch (p[i]) {
			case '"': rep = "\"\""; break;
			/* A spreadsheet that splits on ';' never finds one inside a field. */
			case ';': rep = FULLWIDTH_SEMICOLON; break;
			}
		else
			switch (p[i]) {
			case '&': rep = "&amp;"; break;
			case '<': rep = "&lt;"; break;
			case '>': rep = "&gt;"; break;
			case '"': rep = "&quot;"; break;
			case '\'': rep = "&#39;"; break;
			}
		if (rep) {
			utf8_put_neutral(out, p + run, i - run, keep);
			buf_puts(out, rep);
			run = i + 1;
		}
	}
	utf8_put_neutral(out, p + run, n - run, keep);
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
	const char *p = s;
	size_t n = strlen(s), w = 0;
	while (n) {
		unsigned long cp = 0xFFFD;
		size_t len = utf8_next(p, n, &cp);
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
const char *report_outcome_label(enum outcome o)
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
const char *report_catalog_name(const struct report_names *n, const char *prefix, const char *id, size_t len)
{
	char key[96];
	if (!n || !n->vi || len > 64)
		return NULL;
	snprintf(key, sizeof key, "%s%.*s", prefix, (int)len, id);
	return catalog_get(n->vi, key);
}

const char *report_commune_name(const struct report_names *n, const char *code)
{
	if (!n || !n->content || !code)
		return NULL;
	for (int i = 0; i < n->content->ncommunes; i++)
		if (!strcmp(n->content->communes[i].code, code))
			return n->content->communes[i].name;
	return NULL;
}

/* Next space-separated token of *p: 1 with (*tok, *len), 0 at the end. */
int report_next_token(const char **p, const char **tok, size_t *len)
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

/* "name, name" for a group list (the code when there is no name). */
static void group_names(const char *groups, const struct report_names *n, struct buf *out)
{
	const char *p = groups, *tok;
	size_t len;
	int first = 1;
	while (report_next_token(&p, &tok, &len)) {
		const char *name = report_catalog_name(n, "group.", tok, len);
		if (!first)
			buf_puts(out, ", ");
		if (name)
			buf_puts(out, name);
		else
			buf_append(out, tok, len);
		first = 0;
	}
}

/* ---- CSV -------------------------------------------------------------- */

/* White space a spreadsheet may trim before it looks for a formula (and zero-width ones it may not show). */
static int blank(unsigned long cp)
{
	return cp == ' ' || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200D) || cp == 0x202F ||
	       cp == 0x205F || cp == 0x2060 || cp == 0x3000 || cp == 0xFEFF;
}

/*
 * Whether a cell holding s could be taken for a formula: its first character
 * that is not blank is = + - @ (or the full-width ＝ ＋ － ＠ an East Asian
 * spreadsheet also accepts), or a control character (TAB, CR: some readers
 * trim them; they are written as U+FFFD anyway).
 */
static int formula_start(const char *s)
{
	size_t n = strlen(s);
	while (n) {
		unsigned long cp;
		size_t len = utf8_next(s, n, &cp);
		if (!len)
			return 0;
		if (!blank(cp))
			return cp == '=' || cp == '+' || cp == '-' || cp == '@' || cp == 0xFF1D || cp == 0xFF0B ||
			       cp == 0xFF0D || cp == 0xFF20 || utf8_unsafe(cp);
		s += len;
		n -= len;
	}
	return 0;
}

/*
 * Every field quoted, so that a ',' or a line break in it never ends it;
 * inside, '"' is doubled, ';' is the full-width '；' and control characters
 * are U+FFFD, so no ';', TAB, CR or LF is written anywhere but between
 * records (CRLF): a spreadsheet that picks ';' or TAB as the separator sees
 * one cell per line, starting with '"' and the request id, never a formula.
 * A cell that could start a formula gets a leading apostrophe inside the
 * quotes.
 */
static void csv_field(struct buf *out, const char *s, int first)
{
	if (!first)
		buf_putc(out, ',');
	if (!s)
		s = "";
	buf_putc(out, '"');
	if (formula_start(s))
		buf_putc(out, '\'');
	put_text(out, s, ESC_CSV);
	buf_putc(out, '"');
}

static const char *const csv_columns[REPORT_CSV_COLUMNS] = {
	"ma_yeu_cau", "thu_tu_nhan", "ngay_nhan", "may_kiosk", "so_thu_tu_kiosk", "ngon_ngu",
	"ket_qua", "ten_ket_qua", "khan", "dien", "ten_dien", "dien_can_xem_xet",
	"ten_dien_can_xem_xet", "ho_ten", "ngay_sinh", "dien_thoai", "ma_xa", "ten_xa",
	"dia_chi_cu", "noi_dung", "quan_he_nguoi_yeu_cau", "mau_dong_y", "phien_ban_quy_tac",
	"ngay_yeu_cau", "han_chot", "ten_kiosk", "tinh_trang_ho_so",
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
	char id[2 * RECORD_ID_LEN + 1], received[24], seq[24], birth[16] = "", reqdate[16] = "";
	struct buf gnames, rnames;
	hex_encode(r->id, RECORD_ID_LEN, id);
	snprintf(received, sizeof received, "%llu", (unsigned long long)it->received);
	snprintf(seq, sizeof seq, "%llu", (unsigned long long)it->seq);
	if (facts_known(&r->facts, F_BIRTH_DATE))
		date_partial_format(r->facts.birth_date, birth, sizeof birth); /* "1950", "2010-03", "1960-06-06" */
	if (facts_known(&r->facts, F_REQUEST_DATE))
		snprintf(reqdate, sizeof reqdate, "%04d-%02d-%02d", r->facts.request_date.y % 10000,
			 r->facts.request_date.m % 100, r->facts.request_date.d % 100);
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
		report_outcome_label(r->outcome),
		r->urgent ? "KHẨN" : "không",
		r->groups,
		gnames.data,
		r->review_groups,
		rnames.data,
		c->name,
		birth,
		c->phone,
		c->commune_code,
		report_commune_name(n, c->commune_code),
		c->address,
		c->matter,
		c->requester_relation,
		c->consent_text,
		r->rules_version,
		reqdate,
		it->deadline,
		it->kiosk_name,
		it->case_state,
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
	size_t len;
	unsigned long n;
};

/*
 * Keys in arrival order (v) and a hash index over them (slot: index + 1, 0
 * empty; open addressing, at most half full). A record names as many groups
 * as it likes (a stolen kiosk key can make it thousands), so finding a key
 * must not cost a scan of the keys seen so far: that made `stats` quadratic.
 * The hash is keyed (SipHash, a random key per set) so no record can be made
 * to put every key in one bucket.
 */
struct tally_set {
	struct tally *v;
	size_t n, cap;
	size_t *slot;
	size_t nslots; /* a power of two, or 0 before the first key */
	unsigned char hkey[CRYPT_SHORTHASH_KEY];
	unsigned long long *work;
};

struct report_stats {
	unsigned long total;
	unsigned long urgent;
	unsigned long long work; /* slots looked at and keys moved: see report_stats_work */
	struct tally_set commune, group, review, outcome, month, lang;
};

static void tally_init(struct tally_set *t, unsigned long long *work)
{
	memset(t, 0, sizeof *t);
	crypt_random(t->hkey, sizeof t->hkey);
	t->work = work;
}

static size_t tally_home(const struct tally_set *t, const char *key, size_t len)
{
	return (size_t)crypt_shorthash(key, len, t->hkey) & (t->nslots - 1);
}

static void tally_grow(struct tally_set *t)
{
	free(t->slot);
	t->nslots = t->nslots ? 2 * t->nslots : 16;
	t->slot = xcalloc(t->nslots, sizeof *t->slot);
	for (size_t i = 0; i < t->n; i++) {
		size_t h = tally_home(t, t->v[i].key, t->v[i].len);
		while (t->slot[h]) {
			h = (h + 1) & (t->nslots - 1);
			(*t->work)++;
		}
		t->slot[h] = i + 1;
		(*t->work)++;
	}
}

static void tally_add(struct tally_set *t, const char *key, size_t len)
{
	if (2 * (t->n + 1) > t->nslots)
		tally_grow(t);
	size_t h = tally_home(t, key, len);
	for (;; h = (h + 1) & (t->nslots - 1)) {
		(*t->work)++;
		size_t i = t->slot[h];
		if (!i)
			break;
		struct tally *e = &t->v[i - 1];
		if (e->len == len && !memcmp(e->key, key, len)) {
			e->n++;
			return;
		}
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 8;
		t->v = xrealloc(t->v, t->cap * sizeof *t->v);
	}
	t->v[t->n] = (struct tally){xstrndup(key, len), len, 1};
	t->slot[h] = ++t->n;
}

static void tally_finish(struct tally_set *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].key);
	free(t->v);
	free(t->slot);
}

struct report_stats *report_stats_create(void)
{
	struct report_stats *s = xcalloc(1, sizeof *s);
	crypt_init();
	tally_init(&s->commune, &s->work);
	tally_init(&s->group, &s->work);
	tally_init(&s->review, &s->work);
	tally_init(&s->outcome, &s->work);
	tally_init(&s->month, &s->work);
	tally_init(&s->lang, &s->work);
	return s;
}

unsigned long long report_stats_work(const struct report_stats *s)
{
	return s->work;
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
	while (report_next_token(&p, &tok, &len))
		tally_add(&s->group, tok, len);
	p = r->review_groups;
	while (report_next_token(&p, &tok, &len))
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

/*
 * A key as a statistics line shows it: neutralised, and cut after
 * KEY_SHOW_MAX characters with "…" (a real code is 2 to 8 characters; a
 * record can claim a group name of thousands, and every line is padded to
 * the widest label).
 */
#define KEY_SHOW_MAX 24
static void put_key(struct buf *out, const char *key)
{
	size_t n = strlen(key), i = 0, count = 0;
	while (i < n && count < KEY_SHOW_MAX) {
		unsigned long cp;
		size_t len = utf8_next(key + i, n - i, &cp);
		i += len ? len : 1;
		count++;
	}
	utf8_put_neutral(out, key, i, 0);
	if (i < n)
		buf_puts(out, "…");
}

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
	case L_COMMUNE: name = report_commune_name(n, key); break;
	case L_GROUP: name = report_catalog_name(n, "group.", key, strlen(key)); break;
	case L_OUTCOME: {
		int o = outcome_find(key, strlen(key));
		name = o >= 0 ? report_outcome_label((enum outcome)o) : NULL;
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
		put_key(&b, key);
		if (name) {
			buf_puts(&b, "  ");
			put_text(&b, name, ESC_TEXT);
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

	/* Labels line up to the widest, but a label past LABEL_ALIGN_MAX columns only pushes its own line. */
	enum { LABEL_ALIGN_MAX = 80 };
	size_t lw = 0;
	unsigned long maxn = s->total;
	for (int i = 0; i < NSEC; i++)
		for (size_t k = 0; k < sec[i].n; k++) {
			size_t w = text_width(sec[i].rows[k].label);
			if (w > lw && w <= LABEL_ALIGN_MAX)
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
			size_t w = text_width(r->label);
			pad(out, (w < lw ? lw - w : 0) + 2);
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
	while (report_next_token(&p, &tok, &len)) {
		const char *name = report_catalog_name(n, "group.", tok, len);
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

int report_has_token(const char *s)
{
	const char *tok;
	size_t len;
	return report_next_token(&s, &tok, &len);
}


/* Documents of the listed groups (every dated variant), in order, without repeats. */
int report_collect_docs(const struct rules *rules, const char *groups, const char **docs, int ndocs)
{
	const char *p = groups, *tok;
	size_t len;
	if (!rules)
		return ndocs;
	while (report_next_token(&p, &tok, &len))
		for (int g = 0; g < rules->ngroups; g++) {
			const struct rule_group *rg = &rules->groups[g];
			if (strlen(rg->id) != len || memcmp(rg->id, tok, len))
				continue;
			for (int k = 0; k < rg->ndocs; k++) {
				int seen = 0;
				for (int i = 0; i < ndocs && !seen; i++)
					seen = !strcmp(docs[i], rg->docs[k]);
				if (!seen && ndocs < REPORT_FORM_MAX_DOCS)
					docs[ndocs++] = rg->docs[k];
			}
		}
	return ndocs;
}

const char *report_relation_label(const char *rel)
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
	html(out, report_outcome_label(r->outcome));
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
	char birth[16];
	/* As the form's readers write it: "1950", "03/2010" or "06/06/1960". */
	if (facts_known(&r->facts, F_BIRTH_DATE) && date_partial_format_dmy(r->facts.birth_date, birth, sizeof birth) > 0)
		buf_printf(out, "<span class=\"v\">%s</span>", birth);
	else
		fill(out, "short");
	buf_puts(out, " &nbsp; Giới tính: ");
	fill(out, "short");
	buf_puts(out, " &nbsp; Dân tộc: ");
	fill(out, "short");
	buf_puts(out, "</p>\n<p>Địa chỉ nơi cư trú: ");
	const char *cname = report_commune_name(n, c->commune_code);
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
	int any_group = report_has_token(r->groups), any_review = report_has_token(r->review_groups);
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
		field(out, "Quan hệ với người được trợ giúp pháp lý", report_relation_label(c->requester_relation), NULL);
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
	const char *docs[REPORT_FORM_MAX_DOCS];
	int ndocs = report_collect_docs(n ? n->rules : NULL, r->groups, docs, 0);
	ndocs = report_collect_docs(n ? n->rules : NULL, r->review_groups, docs, ndocs);
	buf_puts(out, "<h2>Giấy tờ kèm theo</h2>\n<ol>\n");
	for (int i = 0; i < ndocs; i++) {
		const char *name = report_catalog_name(n, "doc.", docs[i], strlen(docs[i]));
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

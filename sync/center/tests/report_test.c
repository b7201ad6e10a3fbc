/* Tests for report: exact CSV bytes read back with every separator a spreadsheet picks, statistics figures (and their linear cost), the printable request form, and hostile requests in all three. */
#include <stdio.h>
#include <stdlib.h>

#include "kv.h"
#include "record.h"
#include "report.h"
#include "testlib.h"
#include "utf8.h"

static const char DEV_A[] = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
static const char DEV_B[] = "0000000000000000000000000000000000000000000000000000000000000b0b";

/* ---- building requests the way the center gets them ------------------- */

static void make_id(unsigned char k, unsigned char id[RECORD_ID_LEN])
{
	for (int i = 0; i < RECORD_ID_LEN; i++)
		id[i] = (unsigned char)((k << 4) | i);
}

/* Parse a plaintext record as the center does after opening it. */
static void open_plain(const char *text, size_t len, struct request *r)
{
	struct diag d = {""};
	request_init(r);
	int rc = record_parse_plain(text, len, r, &d);
	t_checks++;
	if (rc)
		t_fail(__FILE__, __LINE__, "record_parse_plain: %d %s", rc, d.msg);
}

/* A record written out by hand (groups need not follow from the facts: the center does not re-screen). */
static void open_text(struct request *r, unsigned char k, const char *lang, const char *outcome, const char *groups,
		      const char *review, int urgent, const char *facts, const char *contact)
{
	unsigned char id[RECORD_ID_LEN];
	char hex[2 * RECORD_ID_LEN + 1];
	struct buf t;
	make_id(k, id);
	hex_encode(id, RECORD_ID_LEN, hex);
	buf_init(&t);
	buf_printf(&t,
		   "format = spean-request-1\nid = %s\nlang = %s\n%soutcome = %s\ngroups = %s\nreview_groups = %s\n"
		   "urgent = %s\nrules = vn-tgpl-2026.1\n%scontact.consent = yes\n",
		   hex, lang, facts, outcome, groups, review, urgent ? "yes" : "no", contact);
	open_plain(t.data, t.len, r);
	buf_finish_wipe(&t);
}

/* Through the kiosk's own path: facts screened under the real rules, record_write_plain, then parsed. */
static void open_screened(struct request *r, const struct rules *rules, unsigned char k, const char *lang,
			  const char *facts_text, const char *contact_text)
{
	struct diag d = {""};
	struct facts f;
	struct contact c;
	struct screen_result res;
	unsigned char id[RECORD_ID_LEN];
	struct buf plain;
	CHECK_INT(facts_parse(facts_text, strlen(facts_text), &f, &d), 0);
	contact_init(&c);
	CHECK_INT(contact_parse(contact_text, strlen(contact_text), &c, &d), 0);
	CHECK_INT(contact_validate(&c, &d), 0);
	screen(rules, &f, (struct date){2026, 5, 1}, &res);
	make_id(k, id);
	buf_init(&plain);
	record_write_plain(id, lang, &f, rules, &res, &c, &plain);
	open_plain(plain.data, plain.len, r);
	buf_finish_wipe(&plain);
	contact_finish(&c);
}

static void set_str(char **slot, const char *v)
{
	free(*slot);
	*slot = v ? xstrdup(v) : NULL;
}

/* ---- reading CSV back as a spreadsheet does ---------------------------- */

#define CSV_MAXR 16
#define CSV_MAXF 32

struct csv {
	int nrows;
	int nf[CSV_MAXR];
	char *cell[CSV_MAXR][CSV_MAXF];
};

static void csv_free(struct csv *c)
{
	for (int r = 0; r < c->nrows; r++)
		for (int f = 0; f < c->nf[r]; f++)
			free(c->cell[r][f]);
	c->nrows = 0;
}

/*
 * Split s into records and cells on sep (',', ';' or TAB).
 * strict (RFC 4180): records end with CRLF (a bare CR or LF outside quotes,
 * or a missing final CRLF, is an error); a field is either unquoted and free
 * of quotes, CR and LF, or quoted with inner quotes doubled and followed by
 * sep or CRLF. 0, or -1 on a syntax error.
 * lenient (what Excel, LibreOffice and python's csv do with a file written
 * for another separator): a quoted field ends at a lone '"'; what follows it
 * up to the next separator is appended as it is, quotes included; a record
 * ends at CR, LF or CRLF outside quotes. Never an error.
 * c holds what was read so far either way.
 */
static int csv_read_sep(const char *s, size_t n, char sep, int strict, struct csv *c)
{
	size_t i = 0;
	memset(c, 0, sizeof *c);
	while (i < n) {
		if (c->nrows == CSV_MAXR)
			return -1;
		int r = c->nrows++;
		for (;;) {
			struct buf b;
			buf_init(&b);
			buf_append(&b, "", 0);
			if (i < n && s[i] == '"') {
				for (i++;; i++) {
					if (i >= n) {
						if (strict)
							goto bad;
						break;
					}
					if (s[i] == '"') {
						if (i + 1 < n && s[i + 1] == '"') {
							buf_putc(&b, '"');
							i++;
							continue;
						}
						i++;
						break;
					}
					buf_putc(&b, s[i]);
				}
				if (!strict)
					for (; i < n && s[i] != sep && s[i] != '\r' && s[i] != '\n'; i++)
						buf_putc(&b, s[i]);
			} else {
				for (; i < n && s[i] != sep && s[i] != '\r' && s[i] != '\n'; i++) {
					if (s[i] == '"' && strict)
						goto bad;
					buf_putc(&b, s[i]);
				}
			}
			if (c->nf[r] == CSV_MAXF)
				goto bad;
			c->cell[r][c->nf[r]++] = b.data;
			if (i < n && s[i] == sep) {
				i++;
				continue;
			}
			if (i + 1 < n && s[i] == '\r' && s[i + 1] == '\n') {
				i += 2;
				break;
			}
			if (!strict && i < n && (s[i] == '\r' || s[i] == '\n')) {
				i++;
				break;
			}
			if (!strict && i >= n)
				break;
			return -1;
		bad:
			buf_finish(&b);
			return -1;
		}
	}
	return 0;
}

static int csv_read(const char *s, size_t n, struct csv *c)
{
	return csv_read_sep(s, n, ',', 1, c);
}

/* What a cell should read for value v: the guard apostrophe before a formula start. */
static const char *guarded(const char *v, char *tmp, size_t cap)
{
	if (!v)
		return "";
	if (v[0] && strchr("=+-@", v[0])) {
		snprintf(tmp, cap, "'%s", v);
		return tmp;
	}
	return v;
}

/*
 * A cell a spreadsheet could run: after the white space it may trim (ASCII
 * blanks, TAB, CR, LF, no-break and other Unicode spaces), = + - @ or their
 * full-width forms. A cell starting with the apostrophe is text.
 */
static int formula_cell(const char *cell)
{
	const char *p = cell;
	for (;;) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '\v' || *p == '\f') {
			p++;
			continue;
		}
		static const char *const spaces[] = {"\xC2\xA0", "\xE2\x80\x80", "\xE2\x80\x8B", "\xE2\x80\xAF",
						     "\xE3\x80\x80", "\xEF\xBB\xBF", "\xE1\x9A\x80"};
		int skipped = 0;
		for (size_t k = 0; k < sizeof spaces / sizeof *spaces && !skipped; k++)
			if (!strncmp(p, spaces[k], strlen(spaces[k]))) {
				p += strlen(spaces[k]);
				skipped = 1;
			}
		if (!skipped)
			break;
	}
	if (*p && strchr("=+-@", *p))
		return 1;
	static const char *const wide[] = {"\xEF\xBC\x9D", "\xEF\xBC\x8B", "\xEF\xBC\x8D", "\xEF\xBC\xA0"};
	for (size_t k = 0; k < 4; k++)
		if (!strncmp(p, wide[k], 3))
			return 1;
	return 0;
}

/*
 * Read out (a whole export: BOM, header, rows) with each separator a
 * spreadsheet may pick, strictly with ',' and as a spreadsheet does with all
 * three: no cell can start a formula, every record has the same number of
 * cells (REPORT_CSV_COLUMNS with ',', 1 with ';' and TAB: no ';' or TAB
 * anywhere in the file), and the records are the nrows given.
 */
static void check_csv_any_sep(const struct buf *out, int nrows, int line)
{
	static const char seps[] = {',', ';', '\t'};
	CHECK(!memcmp(out->data, "\xEF\xBB\xBF", 3));
	for (int k = 0; k < 3; k++)
		for (int strict = 0; strict <= (seps[k] == ','); strict++) {
			struct csv c;
			int rc = csv_read_sep(out->data + 3, out->len - 3, seps[k], strict, &c);
			int want = seps[k] == ',' ? REPORT_CSV_COLUMNS : 1, formulas = 0, uneven = 0;
			for (int r = 0; r < c.nrows; r++) {
				uneven += c.nf[r] != want;
				for (int f = 0; f < c.nf[r]; f++)
					formulas += formula_cell(c.cell[r][f]);
			}
			t_checks++;
			if (rc || c.nrows != nrows || uneven || formulas)
				t_fail(__FILE__, line, "CSV read with 0x%02x%s: rc %d, %d records (want %d), %d of uneven length, "
				       "%d cells that start a formula", (unsigned)seps[k], strict ? " (strict)" : "", rc,
				       c.nrows, nrows, uneven, formulas);
			csv_free(&c);
		}
}

/* ---- reading the statistics text ---------------------------------------- */

/* Columns a line takes (the labels here have no combining marks: one per code point). */
static size_t cols(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			w++;
	return w;
}

/*
 * The count on the row "  LABEL  ...  N  P%" of section `title`, and its
 * position in the section (0-based) in *pos; -1 if there is no such row.
 */
static long stat_row(const char *text, const char *title, const char *label, int *pos)
{
	char head[512];
	snprintf(head, sizeof head, "\n%s\n", title);
	const char *p = strstr(text, head);
	if (!p)
		return -1;
	p += strlen(head);
	for (int k = 0; *p && *p != '\n'; k++) {
		const char *e = strchr(p, '\n');
		if (!e)
			e = p + strlen(p);
		size_t ll = strlen(label);
		if ((size_t)(e - p) > ll + 4 && !memcmp(p, "  ", 2) && !memcmp(p + 2, label, ll) &&
		    !memcmp(p + 2 + ll, "  ", 2)) {
			if (pos)
				*pos = k;
			return strtol(p + 2 + ll, NULL, 10);
		}
		p = *e ? e + 1 : e;
	}
	return -1;
}

#define CHECK_ROW(text, title, label, want_n, want_pos)                                                  \
	do {                                                                                              \
		int _pos = -1;                                                                            \
		long _n = stat_row((text), (title), (label), &_pos);                                     \
		t_checks++;                                                                               \
		if (_n != (want_n) || _pos != (want_pos))                                                 \
			t_fail(__FILE__, __LINE__, "stats [%s] %s: count %ld at row %d, want %d at row %d", \
			       (title), (label), _n, _pos, (int)(want_n), (int)(want_pos));               \
	} while (0)

static const char SEC_COMMUNE[] = "Theo xã, phường";
static const char SEC_GROUP[] = "Theo diện được trợ giúp (máy kiosk xác định; một yêu cầu có thể thuộc nhiều diện)";
static const char SEC_REVIEW[] = "Theo diện cần cán bộ xem xét thêm";
static const char SEC_OUTCOME[] = "Theo kết quả sàng lọc";
static const char SEC_MONTH[] = "Theo tháng nhận (ngày của máy tính Trung tâm, không theo đồng hồ máy kiosk)";
static const char SEC_URGENT[] = "Khẩn / không khẩn";
static const char SEC_LANG[] = "Theo ngôn ngữ";

/* ---- the data set -------------------------------------------------------- */

#define NITEMS 6

struct fixture {
	struct rules *rules;
	struct catalog *vi;
	struct content content;
	struct report_names names;
	struct request req[NITEMS];
	struct report_item item[NITEMS];
};

static void fixture_init(struct fixture *fx)
{
	struct diag d = {""};
	size_t n;
	char *t;
	memset(fx, 0, sizeof *fx);
	t = t_read_repo("firmware/content/eligibility.rules", &n);
	CHECK_INT(rules_parse(t, n, &fx->rules, &d), 0);
	free(t);
	t = t_read_repo("firmware/content/kiosk/strings.vi", &n);
	CHECK_INT(catalog_parse(t, n, &fx->vi, &d), 0);
	free(t);
	t = t_read_repo("firmware/content/kiosk/communes.txt", &n);
	CHECK_INT(content_parse_communes(t, n, &fx->content, &d), 0);
	free(t);
	fx->names = (struct report_names){fx->vi, &fx->content, fx->rules};

	/* 0: screened by the real engine: poor household + Khmer in a listed area, deadline in 5 days. */
	open_screened(&fx->req[0], fx->rules, 1, "vi",
		      "request_date = 2026-05-01\nbirth_date = 1960-06-06\nhousehold = poor\nspecific_matter = yes\n"
		      "matter_business = no\ndeadline_working_days = 5\nmeritorious = no\nethnic_minority = yes\n"
		      "residence_area_listed = yes\nmonthly_social_allowance = no\nsocial_protection_facility = no\n"
		      "social_pension_75 = no\ntrafficking = none\n",
		      "name = Thạch Thị Mẫu\nphone = +84 912 345 678\ncommune_code = 90001\n"
		      "address = Ấp Chợ, xã Hòa Ân\nmatter = tranh chấp đất\nconsent = yes\nconsent_text = kiosk-vi-1\n");
	/* 1: Khmer session, asked for by a family member, no birth date. */
	open_text(&fx->req[1], 2, "km", "staff_review", "", "R07E", 0, "facts.birth_date = unknown\n",
		  "contact.name = សុខ ស្រីពៅ\ncontact.phone = 0912345678\ncontact.commune_code = 90014\n"
		  "contact.matter = ប្តីវាយ\ncontact.requester_relation = family\ncontact.consent_text = kiosk-km-1\n");
	/* 2: comma and quotes in the name, a formula for a matter; the kiosk clock says May, it arrived in June. */
	open_text(&fx->req[2], 3, "vi", "likely_eligible", "R02", "", 0,
		  "facts.request_date = 2026-05-28\nfacts.birth_date = 1950-01-02\n",
		  "contact.name = Nguyễn Văn \"Tư\", Út\ncontact.commune_code = 90001\n"
		  "contact.matter = =HYPERLINK(\"http://x.example\",\"bấm\")\ncontact.consent_text = kiosk-vi-1\n");
	/* 3: markup everywhere a resident can type. */
	open_text(&fx->req[3], 4, "vi", "not_listed", "", "", 1, "",
		  "contact.name = <script>alert(\"x\")&'y'</script>\ncontact.commune_code = 90014\n"
		  "contact.address = <i>ấp</i>\ncontact.matter = a<b>c\ncontact.requester_relation = <b>bà</b>\n"
		  "contact.consent_text = kiosk-vi-1\n");
	/* 4: a multi-line matter (the record format cannot carry one, the exporter must not rely on that);
	 * born in a known month of a known year. */
	open_text(&fx->req[4], 5, "km", "staff_review", "R02", "R04 R07C", 0, "facts.birth_date = 2010-03\n",
		  "contact.name = Lâm Sà Rết\ncontact.commune_code = 90001\ncontact.matter = x\n"
		  "contact.consent_text = kiosk-km-1\n");
	set_str(&fx->req[4].contact.matter, "Tranh chấp đất\r\nvới hàng xóm\nlần 2");
	/* 5: a business matter; only the birth year known. */
	open_text(&fx->req[5], 6, "vi", "outside_scope", "", "", 0, "facts.birth_date = 1950\n",
		  "contact.name = Trần Văn Ba\ncontact.commune_code = 90001\ncontact.matter = buôn bán\n"
		  "contact.consent_text = kiosk-vi-1\n");

	static const char *const dates[NITEMS] = {"2026-05-03", "2026-05-20", "2026-06-01",
						  "2026-06-02", "2026-06-10", "2026-06-15"};
	static const char *const devs[NITEMS] = {DEV_A, DEV_B, DEV_A, DEV_B, DEV_A, DEV_A};
	static const uint64_t seqs[NITEMS] = {7, 1, 8, 2, 9, 10};
	for (int i = 0; i < NITEMS; i++)
		fx->item[i] = (struct report_item){&fx->req[i], devs[i], seqs[i], (uint64_t)i + 1, dates[i], NULL, NULL, NULL};
}

static void fixture_finish(struct fixture *fx)
{
	for (int i = 0; i < NITEMS; i++)
		request_finish(&fx->req[i]);
	content_finish(&fx->content);
	catalog_destroy(fx->vi);
	rules_destroy(fx->rules);
}

/* ---- CSV ------------------------------------------------------------------ */

static const char HEADER[] =
	"\xEF\xBB\xBF"
	"\"ma_yeu_cau\",\"thu_tu_nhan\",\"ngay_nhan\",\"may_kiosk\",\"so_thu_tu_kiosk\",\"ngon_ngu\",\"ket_qua\","
	"\"ten_ket_qua\",\"khan\",\"dien\",\"ten_dien\",\"dien_can_xem_xet\",\"ten_dien_can_xem_xet\",\"ho_ten\","
	"\"ngay_sinh\",\"dien_thoai\",\"ma_xa\",\"ten_xa\",\"dia_chi_cu\",\"noi_dung\",\"quan_he_nguoi_yeu_cau\","
	"\"mau_dong_y\",\"phien_ban_quy_tac\",\"ngay_yeu_cau\",\"han_chot\",\"ten_kiosk\",\"tinh_trang_ho_so\"\r\n";

static void test_csv(struct fixture *fx)
{
	struct buf out;
	buf_init(&out);

	/* The screened request came out of the engine as designed (the rest of the test counts on it). */
	CHECK_STR(fx->req[0].groups, "R02 R04");
	CHECK_STR(fx->req[0].review_groups, "");
	CHECK_INT(fx->req[0].outcome, OUTCOME_LIKELY_ELIGIBLE);
	CHECK_INT(fx->req[0].urgent, 1);

	report_csv_header(&out);
	CHECK_INT(out.len, strlen(HEADER));
	CHECK_STR(out.data, HEADER);
	size_t hlen = out.len;

	/* One row, byte for byte: every field quoted, quotes doubled, the apostrophe guard inside, empty optional fields, CRLF. */
	fx->item[2].kiosk_name = "UBND xã \"Long\" Đức";
	fx->item[2].deadline = "2026-06-05";
	fx->item[2].case_state = "=Đã tiếp nhận";
	report_csv_row(&fx->item[2], &fx->names, &out);
	fx->item[2].kiosk_name = fx->item[2].deadline = fx->item[2].case_state = NULL;
	CHECK_STR(out.data + hlen,
		  "\"303132333435363738393a3b3c3d3e3f\",\"3\",\"2026-06-01\","
		  "\"a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90\",\"8\",\"vi\",\"likely_eligible\","
		  "\"Có thể thuộc diện được trợ giúp\",\"không\",\"R02\",\"hộ nghèo\",\"\",\"\",\"Nguyễn Văn \"\"Tư\"\", Út\","
		  "\"1950-01-02\",\"\",\"90001\",\"Phường Trà Vinh\",\"\",\"'=HYPERLINK(\"\"http://x.example\"\",\"\"bấm\"\")\","
		  "\"\",\"kiosk-vi-1\",\"vn-tgpl-2026.1\",\"2026-05-28\",\"2026-06-05\",\"UBND xã \"\"Long\"\" Đức\","
		  "\"'=Đã tiếp nhận\"\r\n");
	out.len = hlen;
	out.data[hlen] = '\0';

	for (int i = 0; i < NITEMS; i++)
		report_csv_row(&fx->item[i], &fx->names, &out);
	/* The BOM once, at the very start. */
	CHECK(!memcmp(out.data, "\xEF\xBB\xBF", 3));
	CHECK(!memmem(out.data + 3, out.len - 3, "\xEF\xBB\xBF", 3));
	CHECK(utf8_valid(out.data, out.len));
	/* The guard (the phone), the Khmer name intact, line breaks shown as U+FFFD (no record carries one). */
	CHECK(strstr(out.data, ",\"'+84 912 345 678\",\"90001\",\"Phường Trà Vinh\",\"Ấp Chợ, xã Hòa Ân\",\"tranh chấp đất\",\"\","));
	CHECK(strstr(out.data, ",\"សុខ ស្រីពៅ\",\"\",\"0912345678\",\"90014\",\"Xã Cầu Kè\",\"\",\"ប្តីវាយ\",\"family\",\"kiosk-km-1\","));
	CHECK(strstr(out.data, ",\"Tranh chấp đất\xEF\xBF\xBD\xEF\xBF\xBDvới hàng xóm\xEF\xBF\xBDlần 2\","));
	CHECK(strstr(out.data, ",\"KHẨN\",\"R02 R04\",\"hộ nghèo, người dân tộc thiểu số ở vùng đặc biệt khó khăn\",\"\",\"\","));
	CHECK(strstr(out.data, ",\"R02\",\"hộ nghèo\",\"R04 R07C\",\"người dân tộc thiểu số ở vùng đặc biệt khó khăn, "
			       "người cao tuổi có khó khăn về tài chính\","));
	check_csv_any_sep(&out, NITEMS + 1, __LINE__);

	/* Read it back as a spreadsheet would: every field of every row. */
	struct csv c;
	CHECK_INT(csv_read(out.data + 3, out.len - 3, &c), 0);
	CHECK_INT(c.nrows, NITEMS + 1);
	for (int r = 0; r < c.nrows; r++)
		CHECK_INT(c.nf[r], REPORT_CSV_COLUMNS);
	if (c.nrows == NITEMS + 1) {
		CHECK_STR(c.cell[0][0], "ma_yeu_cau");
		CHECK_STR(c.cell[0][REPORT_CSV_COLUMNS - 5], "phien_ban_quy_tac");
		CHECK_STR(c.cell[0][REPORT_CSV_COLUMNS - 1], "tinh_trang_ho_so");
		for (int i = 0; i < NITEMS; i++) {
			const struct request *q = &fx->req[i];
			char *const *f = c.cell[i + 1];
			char id[2 * RECORD_ID_LEN + 1], num[32], tmp[1200];
			if (c.nf[i + 1] != REPORT_CSV_COLUMNS)
				continue;
			hex_encode(q->id, RECORD_ID_LEN, id);
			CHECK_STR(f[0], id);
			snprintf(num, sizeof num, "%d", i + 1);
			CHECK_STR(f[1], num);
			CHECK_STR(f[2], fx->item[i].received_date);
			CHECK_STR(f[3], fx->item[i].device);
			snprintf(num, sizeof num, "%llu", (unsigned long long)fx->item[i].seq);
			CHECK_STR(f[4], num);
			CHECK_STR(f[5], q->lang);
			CHECK_STR(f[6], outcome_name(q->outcome));
			CHECK_STR(f[8], q->urgent ? "KHẨN" : "không");
			CHECK_STR(f[9], q->groups);
			CHECK_STR(f[11], q->review_groups);
			CHECK_STR(f[13], guarded(q->contact.name, tmp, sizeof tmp));
			CHECK_STR(f[15], guarded(q->contact.phone, tmp, sizeof tmp));
			CHECK_STR(f[16], q->contact.commune_code);
			CHECK_STR(f[18], guarded(q->contact.address, tmp, sizeof tmp));
			if (i != 4)
				CHECK_STR(f[19], guarded(q->contact.matter, tmp, sizeof tmp));
			CHECK_STR(f[20], guarded(q->contact.requester_relation, tmp, sizeof tmp));
			CHECK_STR(f[21], q->contact.consent_text);
			CHECK_STR(f[22], "vn-tgpl-2026.1");
		}
		CHECK_STR(c.cell[1][13], "Thạch Thị Mẫu");
		CHECK_STR(c.cell[1][14], "1960-06-06");
		CHECK_STR(c.cell[1][15], "'+84 912 345 678");
		CHECK_STR(c.cell[2][13], "សុខ ស្រីពៅ");
		CHECK_STR(c.cell[2][14], "");
		CHECK_STR(c.cell[2][17], "Xã Cầu Kè");
		CHECK_STR(c.cell[3][13], "Nguyễn Văn \"Tư\", Út");
		CHECK_STR(c.cell[3][19], "'=HYPERLINK(\"http://x.example\",\"bấm\")");
		CHECK_STR(c.cell[5][19], "Tranh chấp đất\xEF\xBF\xBD\xEF\xBF\xBDvới hàng xóm\xEF\xBF\xBDlần 2");
		CHECK_STR(c.cell[6][7], "Ngoài phạm vi trợ giúp pháp lý");
		/* Partial birth dates as the facts hold them: a month and year, a year alone. */
		CHECK_STR(c.cell[5][14], "2010-03");
		CHECK_STR(c.cell[6][14], "1950");
	}
	csv_free(&c);

	/* Every formula start gets the guard, wherever it is; the same characters later in a cell do not. */
	static const char starts[] = "=+-@\t\r\n";
	struct request *q = &fx->req[5];
	for (const char *s = starts; *s; s++) {
		char v[16], want[32];
		snprintf(v, sizeof v, "%cSUM(A1)", *s);
		set_str(&q->contact.address, v);
		buf_finish(&out);
		buf_init(&out);
		report_csv_row(&fx->item[5], &fx->names, &out);
		if (strchr("\t\r\n", *s))
			snprintf(want, sizeof want, ",\"'%sSUM(A1)\",", "\xEF\xBF\xBD");
		else
			snprintf(want, sizeof want, ",\"'%s\",", v);
		t_checks++;
		if (!strstr(out.data, want))
			t_fail(__FILE__, __LINE__, "no guard for a cell starting with 0x%02x", (unsigned)*s);
	}
	/* A line feed alone is no line break in the file. */
	set_str(&q->contact.address, "ấp 1\nấp 2");
	buf_finish(&out);
	buf_init(&out);
	report_csv_row(&fx->item[5], &fx->names, &out);
	CHECK(strstr(out.data, ",\"ấp 1\xEF\xBF\xBDấp 2\","));
	set_str(&q->contact.address, "a=b+c-d@e");
	buf_finish(&out);
	buf_init(&out);
	report_csv_row(&fx->item[5], &fx->names, &out);
	CHECK(strstr(out.data, ",\"a=b+c-d@e\","));
	/* After blanks a spreadsheet may trim, and in full width: still a formula start, guarded before the blanks. */
	static const char *const late[] = {"  =1+1", "\xC2\xA0+1", "\xE3\x80\x80-1", "\xE2\x80\x8B@SUM(A1)",
					   "\xEF\xBC\x9D" "1+1", " \xEF\xBC\xA0x"};
	for (size_t k = 0; k < sizeof late / sizeof *late; k++) {
		char want[64];
		set_str(&q->contact.address, late[k]);
		buf_finish(&out);
		buf_init(&out);
		report_csv_row(&fx->item[5], &fx->names, &out);
		snprintf(want, sizeof want, ",\"'%s\",", late[k]);
		t_checks++;
		if (!strstr(out.data, want))
			t_fail(__FILE__, __LINE__, "no guard for late formula start %zu", k);
	}
	set_str(&q->contact.address, NULL);

	/* Invalid UTF-8 handed in by a caller still gives valid UTF-8 (U+FFFD). */
	set_str(&q->contact.name, "Lê\xff\xfe Văn \xe1\xba");
	buf_finish(&out);
	buf_init(&out);
	report_csv_row(&fx->item[5], &fx->names, &out);
	CHECK(utf8_valid(out.data, out.len));
	CHECK(strstr(out.data, ",\"Lê\xEF\xBF\xBD\xEF\xBF\xBD Văn \xEF\xBF\xBD\xEF\xBF\xBD\","));
	set_str(&q->contact.name, "Trần Văn Ba");

	/* No names at all: codes only, same number of columns. */
	buf_finish(&out);
	buf_init(&out);
	report_csv_row(&fx->item[0], NULL, &out);
	CHECK(strstr(out.data, ",\"KHẨN\",\"R02 R04\",\"R02, R04\",\"\",\"\",\"Thạch Thị Mẫu\",\"1960-06-06\",\"'+84 912 345 678\",\"90001\",\"\","));
	CHECK_INT(csv_read(out.data, out.len, &c), 0);
	CHECK_INT(c.nrows, 1);
	CHECK_INT(c.nf[0], REPORT_CSV_COLUMNS);
	csv_free(&c);
	buf_finish_wipe(&out);
}

/* ---- statistics ------------------------------------------------------------ */

static void test_stats(struct fixture *fx)
{
	struct report_stats *s = report_stats_create();
	struct buf out;
	for (int i = 0; i < NITEMS; i++)
		report_stats_add(s, &fx->item[i]);
	buf_init(&out);
	report_stats_print(s, &fx->names, &out);
	const char *t = out.data;

	CHECK(utf8_valid(out.data, out.len));
	CHECK(strstr(t, "\nTổng số yêu cầu: 6\n") != NULL);
	CHECK_ROW(t, SEC_COMMUNE, "90001  Phường Trà Vinh", 4, 0);
	CHECK_ROW(t, SEC_COMMUNE, "90014  Xã Cầu Kè", 2, 1);
	CHECK_ROW(t, SEC_GROUP, "R02  hộ nghèo", 3, 0);
	CHECK_ROW(t, SEC_GROUP, "R04  người dân tộc thiểu số ở vùng đặc biệt khó khăn", 1, 1);
	/* Equal counts: by code. */
	CHECK_ROW(t, SEC_REVIEW, "R04  người dân tộc thiểu số ở vùng đặc biệt khó khăn", 1, 0);
	CHECK_ROW(t, SEC_REVIEW, "R07C  người cao tuổi có khó khăn về tài chính", 1, 1);
	CHECK_ROW(t, SEC_REVIEW, "R07E  nạn nhân bạo lực gia đình có khó khăn về tài chính", 1, 2);
	CHECK_ROW(t, SEC_OUTCOME, "Có thể thuộc diện được trợ giúp", 2, 0);
	CHECK_ROW(t, SEC_OUTCOME, "Cần cán bộ xem xét", 2, 1);
	CHECK_ROW(t, SEC_OUTCOME, "Chưa thấy thuộc diện nào", 1, 2);
	CHECK_ROW(t, SEC_OUTCOME, "Ngoài phạm vi trợ giúp pháp lý", 1, 3);
	/* The office's arrival date, not the kiosk's request_date (item 2 says May, arrived in June). */
	CHECK_ROW(t, SEC_MONTH, "Tháng 05/2026", 2, 0);
	CHECK_ROW(t, SEC_MONTH, "Tháng 06/2026", 4, 1);
	CHECK_ROW(t, SEC_URGENT, "KHẨN (có hạn chót gần)", 2, 0);
	CHECK_ROW(t, SEC_URGENT, "Không khẩn", 4, 1);
	CHECK_ROW(t, SEC_LANG, "vi  Tiếng Việt", 4, 0);
	CHECK_ROW(t, SEC_LANG, "km  Tiếng Khmer", 2, 1);
	/* Shares with a decimal comma. */
	CHECK(strstr(t, "  4   66,7%\n") != NULL);
	CHECK(strstr(t, "  2   33,3%\n") != NULL);
	/* No name, phone or text of a request in the statistics. */
	for (int i = 0; i < NITEMS; i++) {
		CHECK(!strstr(t, fx->req[i].contact.name));
		CHECK(!strstr(t, fx->req[i].contact.matter));
	}

	/* Every row line is as wide as the others: counts and shares line up. */
	size_t width = 0;
	int rows = 0, misaligned = 0;
	for (const char *p = t; *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len > 2 && p[0] == ' ' && p[1] == ' ' && p[len - 1] == '%') {
			size_t w = cols(p, len);
			if (!width)
				width = w;
			misaligned += w != width;
			rows++;
		}
		p += len + (e ? 1 : 0);
	}
	CHECK_INT(rows, 2 + 2 + 3 + 4 + 2 + 2 + 2);
	CHECK_INT(misaligned, 0);

	/* Same input, same bytes, whatever the order of arrival within a key. */
	struct report_stats *s2 = report_stats_create();
	struct buf out2;
	for (int i = NITEMS - 1; i >= 0; i--)
		report_stats_add(s2, &fx->item[i]);
	buf_init(&out2);
	report_stats_print(s2, &fx->names, &out2);
	CHECK_STR(out2.data, out.data);
	buf_finish(&out2);
	report_stats_destroy(s2);

	/* Unknown or malformed arrival dates count as unknown, listed after the months. */
	struct report_item odd[2] = {fx->item[0], fx->item[1]};
	odd[0].received_date = NULL;
	odd[1].received_date = "2026-13-01";
	for (int i = 0; i < 2; i++)
		report_stats_add(s, &odd[i]);
	buf_finish(&out);
	buf_init(&out);
	report_stats_print(s, NULL, &out);
	t = out.data;
	CHECK(strstr(t, "\nTổng số yêu cầu: 8\n") != NULL);
	CHECK_ROW(t, SEC_MONTH, "Tháng 05/2026", 2, 0);
	CHECK_ROW(t, SEC_MONTH, "Tháng 06/2026", 4, 1);
	CHECK_ROW(t, SEC_MONTH, "(không rõ ngày nhận)", 2, 2);
	/* Without names: codes. */
	CHECK_ROW(t, SEC_COMMUNE, "90001", 5, 0);
	CHECK_ROW(t, SEC_GROUP, "R02", 4, 0);
	buf_finish(&out);
	report_stats_destroy(s);

	/* Nothing added. */
	s = report_stats_create();
	buf_init(&out);
	report_stats_print(s, &fx->names, &out);
	CHECK(strstr(out.data, "\nTổng số yêu cầu: 0\n") != NULL);
	CHECK(strstr(out.data, SEC_COMMUNE) && strstr(out.data, "  (không có)\n"));
	CHECK_ROW(out.data, SEC_URGENT, "KHẨN (có hạn chót gần)", 0, 0);
	buf_finish(&out);
	report_stats_destroy(s);
	report_stats_destroy(NULL);
}

/* ---- hostile requests: what a stolen kiosk key can seal ------------------- */

#define MK "\xEF\xBF\xBD"

/* Lines of s (split on LF, and CRLF for CSV) hold no unsafe code point but for those in keep; 1 if so. */
static int lines_safe(const char *s, size_t n, const char *keep)
{
	for (size_t i = 0; i < n;) {
		unsigned long cp;
		size_t len = utf8_next(s + i, n - i, &cp);
		if (!len)
			return 0;
		if (utf8_unsafe(cp) && !(cp < 0x80 && strchr(keep, (int)cp)))
			return 0;
		i += len;
	}
	return 1;
}

static void test_hostile(struct fixture *fx)
{
	struct request *q = &fx->req[5];
	struct report_item it = fx->item[5];
	char *long_group = xmalloc(5001);
	memset(long_group, 'G', 5000);
	long_group[5000] = '\0';
	struct buf groups;
	buf_init(&groups);
	buf_printf(&groups, "R02 \x1b[31mRED =SUM(A1) \xE2\x80\xAE" "abc ;@x %s", long_group);
	set_str(&q->contact.name, "Evil\xE2\x80\xAEgpj.exe\x1b[2J\x7f\xC2\x9b;=cmd|' /C calc'!A0");
	set_str(&q->contact.phone, "\t=1+1");
	set_str(&q->contact.address, " ;\"=HYPERLINK(\"\"x\"\")\"");
	set_str(&q->contact.matter, "a\r\n=2+2;@SUM(A1)\t-3\xE2\x80\xA8x");
	set_str(&q->contact.requester_relation, "\xE2\x81\xA6x\xE2\x81\xA9");
	set_str(&q->contact.commune_code, "9\xE2\x80\xAE" "001");
	set_str(&q->contact.consent_text, "-x\xD8\x9C");
	set_str(&q->lang, "\x1b]0;pwned\x07");
	set_str(&q->groups, groups.data);
	set_str(&q->review_groups, "\xC2\x85 R04");
	set_str(&q->rules_version, "\xE2\x80\xAE" "1.0");

	/*
	 * CSV: lines up and runs nothing whatever the separator; no unsafe
	 * character but the CRLF between records. A cell starting with a
	 * control character gets the guard too (a reader may trim TAB or CR).
	 */
	struct buf out;
	buf_init(&out);
	report_csv_header(&out);
	report_csv_row(&it, &fx->names, &out);
	report_csv_row(&fx->item[0], &fx->names, &out);
	check_csv_any_sep(&out, 3, __LINE__);
	CHECK(utf8_valid(out.data, out.len));
	CHECK(lines_safe(out.data, out.len, "\r\n"));
	CHECK_INT(memchr(out.data, ';', out.len) == NULL, 1);
	CHECK_INT(memchr(out.data, '\t', out.len) == NULL, 1);
	/* CR and LF only in pairs, between records. */
	int lone = 0, records = 0;
	for (size_t i = 0; i < out.len; i++)
		if (out.data[i] == '\r' || out.data[i] == '\n') {
			if (out.data[i] == '\r' && i + 1 < out.len && out.data[i + 1] == '\n' &&
			    (i + 2 == out.len || out.data[i + 2] == '"')) {
				records++;
				i++;
			} else {
				lone++;
			}
		}
	CHECK_INT(lone, 0);
	CHECK_INT(records, 3);
	struct csv c;
	CHECK_INT(csv_read(out.data + 3, out.len - 3, &c), 0);
	if (c.nrows == 3 && c.nf[1] == REPORT_CSV_COLUMNS) {
		char *const *f = c.cell[1];
		CHECK_STR(f[13], "Evil" MK "gpj.exe" MK "[2J" MK MK "\xEF\xBC\x9B=cmd|' /C calc'!A0");
		CHECK_STR(f[15], "'" MK "=1+1");
		CHECK_STR(f[18], " \xEF\xBC\x9B\"=HYPERLINK(\"\"x\"\")\"");
		CHECK_STR(f[19], "a" MK MK "=2+2\xEF\xBC\x9B@SUM(A1)" MK "-3" MK "x");
		CHECK_STR(f[20], "'" MK "x" MK);
		CHECK_STR(f[16], "9" MK "001");
		CHECK_STR(f[21], "'-x" MK);
		CHECK_STR(f[5], "'" MK "]0\xEF\xBC\x9Bpwned" MK);
		CHECK(!strncmp(f[9], "R02 " MK "[31mRED =SUM(A1) " MK "abc \xEF\xBC\x9B@x GGG", 40));
		CHECK_STR(f[11], "'" MK " R04");
		CHECK_STR(f[22], "'" MK "1.0");
	} else {
		CHECK(0);
	}
	csv_free(&c);

	/* Statistics: the codes neutralised, a long one cut, and it does not widen every other line. */
	struct report_stats *st = report_stats_create();
	report_stats_add(st, &it);
	report_stats_add(st, &fx->item[0]);
	buf_finish(&out);
	buf_init(&out);
	report_stats_print(st, &fx->names, &out);
	report_stats_destroy(st);
	CHECK(utf8_valid(out.data, out.len));
	CHECK(lines_safe(out.data, out.len, "\n"));
	CHECK(strstr(out.data, "\n  " MK "[31mRED  ") != NULL);
	CHECK(strstr(out.data, "\n  " MK "abc  ") != NULL);
	CHECK(strstr(out.data, "\n  9" MK "001  ") != NULL);
	CHECK(strstr(out.data, "\n  " MK "]0;pwned" MK "  ") != NULL);
	CHECK(strstr(out.data, "\n  GGGGGGGGGGGGGGGGGGGGGGGG…  ") != NULL);
	CHECK(strstr(out.data, "GGGGGGGGGGGGGGGGGGGGGGGGG") == NULL);
	size_t widest = 0;
	for (const char *p = out.data; *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		size_t w = cols(p, len);
		if (w > widest)
			widest = w;
		p += len + (e ? 1 : 0);
	}
	CHECK(widest < 140);

	/* The form: markup escaped as before, and no unsafe character but TAB, LF and CR (HTML white space). */
	buf_finish(&out);
	buf_init(&out);
	report_form_html(&it, &fx->names, &out);
	CHECK(utf8_valid(out.data, out.len));
	CHECK(lines_safe(out.data, out.len, "\t\r\n"));
	CHECK(strstr(out.data, "Evil" MK "gpj.exe" MK "[2J" MK MK ";=cmd|&#39; /C calc&#39;!A0") != NULL);
	CHECK(strstr(out.data, "<p class=\"matter v\">a\r\n=2+2;@SUM(A1)\t-3" MK "x</p>") != NULL);
	CHECK(strstr(out.data, MK "x" MK) != NULL);

	buf_finish(&out);
	buf_finish(&groups);
	free(long_group);
	/* Back to what the other tests expect of item 5. */
	set_str(&q->contact.name, "Trần Văn Ba");
	set_str(&q->contact.phone, NULL);
	set_str(&q->contact.address, NULL);
	set_str(&q->contact.matter, "buôn bán");
	set_str(&q->contact.requester_relation, NULL);
	set_str(&q->contact.commune_code, "90001");
	set_str(&q->contact.consent_text, "kiosk-vi-1");
	set_str(&q->lang, "vi");
	set_str(&q->groups, "");
	set_str(&q->review_groups, "");
	set_str(&q->rules_version, "vn-tgpl-2026.1");
}

/* ---- statistics are linear in the codes a request claims ------------------ */

/* Work (report_stats_work) to count one request claiming n distinct groups. */
static unsigned long long stats_work(struct fixture *fx, int n)
{
	struct request *q = &fx->req[5];
	struct report_item it = fx->item[5];
	struct buf g;
	buf_init(&g);
	for (int i = 0; i < n; i++)
		buf_printf(&g, "%sG%d", i ? " " : "", i);
	set_str(&q->groups, g.data);
	buf_finish(&g);
	struct report_stats *st = report_stats_create();
	report_stats_add(st, &it);
	/* The same again: every key found, none added. */
	report_stats_add(st, &it);
	unsigned long long w = report_stats_work(st);
	report_stats_destroy(st);
	set_str(&q->groups, "");
	return w;
}

static void test_stats_linear(struct fixture *fx)
{
	/*
	 * Not timed: the hash table's work is counted. It was a scan of every
	 * key seen so far for each code (n^2/2 comparisons, a ratio of 100 for
	 * ten times the codes); it must be a few slots per code.
	 */
	int n = 3000;
	unsigned long long w1 = stats_work(fx, n), w10 = stats_work(fx, 10 * n);
	double ratio = (double)w10 / (double)w1;
	printf("stats work: %llu for %d groups, %llu for %d (ratio %.2f)\n", w1, n, w10, 10 * n, ratio);
	CHECK(ratio > 8 && ratio < 13);
	CHECK(w10 <= 8ull * 2 * 10 * (unsigned long long)n);
}

/* ---- the form ------------------------------------------------------------- */

static void form(struct fixture *fx, int i, const struct report_names *n, struct buf *out)
{
	buf_finish_wipe(out);
	buf_init(out);
	report_form_html(&fx->item[i], n, out);
}

#define HAS(s) CHECK(strstr(out.data, (s)) != NULL)
#define HASNT(s) CHECK(strstr(out.data, (s)) == NULL)

static void test_form(struct fixture *fx)
{
	struct buf out;
	buf_init(&out);

	form(fx, 3, &fx->names, &out);
	CHECK(utf8_valid(out.data, out.len));
	HAS("<!DOCTYPE html>");
	HAS("<meta charset=\"utf-8\">");
	HAS("@page{size:A4");
	HAS("Mẫu số 02-TP-TGPL");
	HAS("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
	HAS("Độc lập - Tự do - Hạnh phúc");
	HAS("ĐƠN YÊU CẦU TRỢ GIÚP PHÁP LÝ");
	HAS("Kính gửi: Trung tâm Trợ giúp pháp lý nhà nước tỉnh Vĩnh Long");
	HAS("Tôi xin cam đoan");
	HAS("(Ký, ghi rõ họ tên hoặc điểm chỉ)");
	/* Escaped, all five characters, in every field a resident types. */
	HAS("&lt;script&gt;alert(&quot;x&quot;)&amp;&#39;y&#39;&lt;/script&gt;");
	HASNT("<script");
	HASNT("alert(\"x\")");
	HAS("&lt;i&gt;ấp&lt;/i&gt;");
	HASNT("<i>ấp");
	HAS("a&lt;b&gt;c");
	HASNT("a<b>c");
	HAS("&lt;b&gt;bà&lt;/b&gt;");
	HASNT("<b>bà");
	/* Self-contained: nothing fetched. */
	HASNT("<link");
	HASNT("src=");
	HASNT("url(");
	/* Spean's reference, and KHẨN for this urgent request. */
	HAS("404142434445464748494a4b4c4d4e4f");
	HAS(DEV_B);
	HAS("<span class=\"urgent\">KHẨN</span>");
	/* Not collected by the kiosk: dotted for staff. */
	HAS("Giới tính: <span class=\"fill");
	HAS("Dân tộc: <span class=\"fill");
	HAS("Giấy tờ tùy thân (CCCD, hộ chiếu) số: <span class=\"fill");
	HAS("Ngày, tháng, năm sinh: <span class=\"fill");
	/* No group: a dotted line to fill. */
	HAS("Thuộc diện người được trợ giúp pháp lý: <span class=\"fill");

	form(fx, 0, &fx->names, &out);
	CHECK(utf8_valid(out.data, out.len));
	HAS("<span class=\"v\">Thạch Thị Mẫu</span>");
	HAS("<span class=\"v\">06/06/1960</span>");
	HAS("<span class=\"v\">+84 912 345 678</span>");
	HAS("Phường Trà Vinh, tỉnh Vĩnh Long</span> (mã xã 90001)");
	HAS("Ấp Chợ, xã Hòa Ân");
	HAS("<li>hộ nghèo (R02)</li>");
	HAS("<li>người dân tộc thiểu số ở vùng đặc biệt khó khăn (R04)</li>");
	HAS("<li>Giấy chứng nhận hộ nghèo do xã cấp</li>");
	HAS("<li>Giấy tờ chứng minh (nếu có)</li>");
	HAS("Không có (người được trợ giúp pháp lý tự yêu cầu).");
	HAS("tranh chấp đất");

	fx->req[0].urgent = 0;
	form(fx, 0, &fx->names, &out);
	HASNT("KHẨN</span>");
	fx->req[0].urgent = 1;
	form(fx, 0, &fx->names, &out);
	HAS("KHẨN</span>");

	/* Khmer name, a family member asking, documents from review groups. */
	form(fx, 1, &fx->names, &out);
	CHECK(utf8_valid(out.data, out.len));
	HAS("<span class=\"v\">សុខ ស្រីពៅ</span>");
	HAS("Quan hệ với người được trợ giúp pháp lý: <span class=\"v\">Người nhà</span>");
	HAS("Xã Cầu Kè, tỉnh Vĩnh Long");
	HAS("<li>nạn nhân bạo lực gia đình có khó khăn về tài chính (R07E)</li>");
	HAS("<li>Giấy tờ chứng minh (nếu có)</li>");

	/* The matter keeps its lines (pre-wrap) and a documents list has no repeats. */
	form(fx, 4, &fx->names, &out);
	HAS("<p class=\"matter v\">Tranh chấp đất\r\nvới hàng xóm\nlần 2</p>");
	const char *first = strstr(out.data, "<li>Giấy tờ chứng minh (nếu có)</li>");
	CHECK(first && !strstr(first + 1, "<li>Giấy tờ chứng minh (nếu có)</li>"));
	HAS("<li>Giấy chứng nhận hộ nghèo do xã cấp</li>");
	/* A partial birth date as people write it, never a made-up day ("00/03/2010"). */
	HAS("Ngày, tháng, năm sinh: <span class=\"v\">03/2010</span>");
	HASNT("00/");
	form(fx, 5, &fx->names, &out);
	HAS("Ngày, tháng, năm sinh: <span class=\"v\">1950</span>");
	HASNT("00/00/1950");

	/* Without names: codes, no document list, still a whole page. */
	form(fx, 0, NULL, &out);
	CHECK(utf8_valid(out.data, out.len));
	HAS("<li>R02</li>");
	HAS("mã xã 90001");
	HASNT("Giấy chứng nhận hộ nghèo");
	HAS("</html>\n");

	/* Invalid bytes and control characters from a caller: still valid UTF-8, nothing raw. */
	set_str(&fx->req[5].contact.name, "Lê\xff<\x01>");
	form(fx, 5, &fx->names, &out);
	CHECK(utf8_valid(out.data, out.len));
	HAS("Lê\xEF\xBF\xBD&lt;\xEF\xBF\xBD&gt;");
	set_str(&fx->req[5].contact.name, "Trần Văn Ba");

	buf_finish_wipe(&out);
}

/* Pages in a PDF from Cairo: its page objects ("/Type /Page", not "/Type /Pages"). */
static int pdf_pages(const struct buf *pdf)
{
	int n = 0;
	for (size_t i = 0; i + 12 <= pdf->len; i++)
		if (!memcmp(pdf->data + i, "/Type /Page", 11) && pdf->data[i + 11] != 's')
			n++;
	return n;
}

/* The form as PDF: every fixture request on one A4 page, and the longest request a kiosk can send too. */
static void test_form_pdf(struct fixture *fx)
{
	struct diag d = {""};
	struct buf out;
	for (int i = 0; i < NITEMS; i++) {
		buf_init(&out);
		CHECK_INT(report_form_pdf(&fx->item[i], &fx->names, &out, &d), 0);
		CHECK(out.len > 1000 && !memcmp(out.data, "%PDF-", 5));
		CHECK_INT(pdf_pages(&out), 1);
		buf_finish(&out);
	}
	/* Every group confirmed and to review, a 1000-byte matter of Khmer and Vietnamese, the longest address,
	 * a requester who is someone else: still one page. No names: codes instead. */
	struct request *q = &fx->req[0];
	char *groups = NULL, *matter = NULL, *address = NULL;
	struct buf g;
	buf_init(&g);
	for (int i = 0; i < fx->rules->nslots; i++)
		buf_printf(&g, "%s%s", i ? " " : "", fx->rules->slot_id[i]);
	struct buf m;
	buf_init(&m);
	while (m.len + 40 < 1000)
		buf_puts(&m, "ស្ត្រីពិសោធន៍ tranh chấp ");
	char *was_groups = q->groups, *was_review = q->review_groups, *was_matter = q->contact.matter,
	     *was_address = q->contact.address, *was_rel = q->contact.requester_relation;
	groups = g.data;
	matter = m.data;
	address = xstrdup("ấp Phước Hảo, số nhà 1234/56/78, tổ 9, khu phố 10, gần chợ cũ, đối diện trường tiểu học, "
			  "cách đường tỉnh 915 khoảng hai cây số về hướng bắc, qua cầu tre, nhà thứ ba bên trái "
			  "có hàng rào dâm bụt và cây xoài lớn trước sân, hỏi thăm bà con trong xóm sẽ chỉ");
	q->groups = groups;
	q->review_groups = groups;
	q->contact.matter = matter;
	q->contact.address = address;
	q->contact.requester_relation = (char *)"family";
	buf_init(&out);
	CHECK_INT(report_form_pdf(&fx->item[0], &fx->names, &out, &d), 0);
	CHECK_INT(pdf_pages(&out), 1);
	buf_finish(&out);
	buf_init(&out);
	CHECK_INT(report_form_pdf(&fx->item[0], NULL, &out, &d), 0);
	CHECK_INT(pdf_pages(&out), 1);
	buf_finish(&out);
	q->groups = was_groups;
	q->review_groups = was_review;
	q->contact.matter = was_matter;
	q->contact.address = was_address;
	q->contact.requester_relation = was_rel;
	free(address);
	buf_finish(&g);
	buf_finish(&m);
}

int main(void)
{
	struct fixture fx;
	fixture_init(&fx);
	test_csv(&fx);
	test_stats(&fx);
	test_form(&fx);
	test_hostile(&fx);
	test_stats_linear(&fx);
	test_form_pdf(&fx);
	report_pdf_release();
	fixture_finish(&fx);
	return t_done("report_test");
}

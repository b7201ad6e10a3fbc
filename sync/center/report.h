/* sync/center/report: what staff take out of the center (CSV export, statistics, the official request form Mẫu 02-TP-TGPL), from opened requests. */
#ifndef SPEAN_REPORT_H
#define SPEAN_REPORT_H

#include <stdint.h>

#include "content.h"
#include "err.h"
#include "mem.h"
#include "record.h"
#include "rules.h"

/*
 * Pure formatting: every function appends to a struct buf, nothing is read
 * from or written to disk, nothing is logged (the output is personal data:
 * the caller decides where it goes and wipes the buffer with
 * buf_finish_wipe). No clock is read. Not thread-safe per object; distinct
 * objects may be used from distinct threads.
 *
 * Nothing in a request is trusted: it comes sealed from a kiosk, but a
 * stolen kiosk key can seal anything, and the kiosk's own checks may be
 * older than this center. Every output is valid UTF-8 whatever it is given,
 * and shows no control or direction-override character from a request:
 * each code point utf8_unsafe() names (C0, DEL, C1, the bidi marks,
 * overrides and isolates, the line and paragraph separators) and each
 * invalid byte is written as U+FFFD (UTF8_MARK), in the CSV, the statistics
 * and the form alike (the form keeps TAB, LF and CR, which HTML shows as
 * white space). Work is linear in what is given (the statistics' sort of
 * the distinct keys aside: n log n).
 */

/* One opened request and what the center knows about its arrival. Nothing is owned. */
struct report_item {
	const struct request *req;  /* the opened plaintext; required */
	const char *device;         /* kiosk public key, hex (64 chars); NULL: empty */
	uint64_t seq;               /* the kiosk's sequence number */
	uint64_t received;          /* the center's arrival order, 1, 2, ... */
	const char *received_date;  /* YYYY-MM-DD, the office PC's date at arrival; NULL: unknown */
	/* What the office adds (each may be NULL: an empty field). */
	const char *kiosk_name;     /* the kiosk's label at enrollment */
	const char *deadline;       /* YYYY-MM-DD, the deadline's date (center_deadline) */
	const char *case_state;     /* the case register's state, in words */
};

/*
 * Where Vietnamese names come from. Any pointer may be NULL, and so may the
 * struct itself: the codes are printed instead (R02, DOC_BIRTH_CERT, 90001).
 * Outcome and language names are fixed in this module (staff wording, not
 * the resident-facing kiosk titles).
 */
struct report_names {
	const struct catalog *vi;       /* strings.vi: group.ID, doc.CODE */
	const struct content *content;  /* communes.txt: commune names by code */
	const struct rules *rules;      /* documents per group, for the form's "giấy tờ kèm theo" */
};

/*
 * CSV export, one file = report_csv_header once, then report_csv_row per
 * request. Made to open as-is in Excel and LibreOffice with Vietnamese and
 * Khmer intact:
 *   - UTF-8, with a byte order mark (EF BB BF) at the start of the header;
 *   - CRLF after every record;
 *   - RFC 4180, every field (the header's too) in double quotes, inner
 *     quotes doubled;
 *   - whichever separator a spreadsheet picks, no cell can start a formula
 *     and the columns line up: inside a field ';' is written as the
 *     full-width '；' (U+FF1B) and TAB, CR, LF (like every control
 *     character) as U+FFFD, so ',' and the CRLF between records are the
 *     only separators in the file. Read with ',' every record has
 *     REPORT_CSV_COLUMNS cells; read with ';' or TAB every record is one
 *     cell starting with '"' and the request id (or the BOM and
 *     "ma_yeu_cau");
 *   - formula-injection protection: a cell whose first character that is
 *     not blank (space, no-break and other Unicode spaces, zero-width
 *     characters) is = + - @, their full-width forms ＝ ＋ － ＠, or a
 *     control character (TAB, CR...) gets a leading apostrophe (') inside
 *     the quotes, so a spreadsheet shows it as text instead of running it.
 *     This applies to every column; it is visible in the cell (a phone
 *     "+84 ..." reads "'+84 ...").
 * Columns, in this order (ASCII names, stable; a new column goes at the end):
 *   ma_yeu_cau          request id, 32 lower-case hex digits
 *   thu_tu_nhan         center arrival order (item->received)
 *   ngay_nhan           arrival date YYYY-MM-DD (office clock)
 *   may_kiosk           kiosk public key, hex
 *   so_thu_tu_kiosk     the kiosk's sequence number
 *   ngon_ngu            language of the session: vi, km
 *   ket_qua             outcome code: likely_eligible, staff_review, not_listed, outside_scope
 *   ten_ket_qua         outcome in Vietnamese
 *   khan                "KHẨN" for an urgent request (deadline), else "không"
 *   dien                groups screened yes, codes separated by spaces ("R02 R04")
 *   ten_dien            their Vietnamese names separated by ", " (codes without a catalog)
 *   dien_can_xem_xet    groups staff must check (maybe), codes
 *   ten_dien_can_xem_xet their names
 *   ho_ten              beneficiary's name
 *   ngay_sinh           birth date YYYY-MM-DD if the resident gave it, else empty
 *   dien_thoai          phone as typed
 *   ma_xa               commune code (5 digits)
 *   ten_xa              commune name (empty without a commune list, or if unknown)
 *   dia_chi_cu          old address as typed
 *   noi_dung            the matter as typed
 *   quan_he_nguoi_yeu_cau requester's relation to the beneficiary (empty: themself)
 *   mau_dong_y          id of the consent wording shown ("kiosk-vi-1")
 *   phien_ban_quy_tac   rules version the kiosk screened with
 *   ngay_yeu_cau        the request date YYYY-MM-DD (the kiosk's clock), else empty
 *   han_chot            the deadline's date YYYY-MM-DD (item->deadline), else empty
 *   ten_kiosk           the kiosk's name (item->kiosk_name)
 *   tinh_trang_ho_so    the case state in words (item->case_state)
 */
#define REPORT_CSV_COLUMNS 27
void report_csv_header(struct buf *out);
void report_csv_row(const struct report_item *it, const struct report_names *n, struct buf *out);

/*
 * Counts for `spean-center stats`. Only codes and counts are kept (commune
 * code, group ids, outcome, month, urgent, language), never a name or text.
 * The month is the month of item->received_date, the office PC's date: the
 * kiosk's clock is never used (it may be unset or wrong after a power cut).
 */
struct report_stats;
struct report_stats *report_stats_create(void); /* aborts on out-of-memory */
void report_stats_add(struct report_stats *s, const struct report_item *it);
/*
 * Plain UTF-8 text, Vietnamese labels, columns aligned by character (not
 * byte). Sections: total; by commune, confirmed group, group to review,
 * outcome, month, urgent, language. Within a section rows are ordered by
 * count (descending) then code, except months (calendar order) and urgent
 * (KHẨN first). A request with several groups counts once in each. A key
 * (a code from the request) is shown neutralised and cut after 24
 * characters with "…"; labels line up to the widest one of at most 80
 * columns.
 */
void report_stats_print(const struct report_stats *s, const struct report_names *n, struct buf *out);
void report_stats_destroy(struct report_stats *s); /* NULL is a no-op */
/*
 * Hash-table slots looked at and keys moved by report_stats_add so far:
 * linear in the codes added (a request claiming n distinct groups costs
 * O(n), not O(n^2)). For tests; nothing else needs it.
 */
unsigned long long report_stats_work(const struct report_stats *s);

/*
 * One self-contained HTML page (inline CSS, UTF-8, A4 print layout) for a
 * request, laid out as the official request form Mẫu số 02-TP-TGPL ("Đơn
 * yêu cầu trợ giúp pháp lý", Circular 12/2018/TT-BTP) addressed to the State
 * Legal Aid Center of Vĩnh Long province. What the kiosk does not collect
 * (gender, ethnicity, identity paper, the requester's own name, the date of
 * signing) is left as dotted lines for staff to fill by hand; the resident
 * signs the printout. Every value from the request or the names is
 * HTML-escaped (& < > " ').
 */
void report_form_html(const struct report_item *it, const struct report_names *n, struct buf *out);

/*
 * The same form as a one-page A4 PDF (Cairo and Pango; Khmer shaped by
 * HarfBuzz), appended to out: the same fields in the same order, text
 * shrunk (to 70%) to keep one page, and only past that the matter cut with
 * a note. 0, or ERR_IO with d saying why Cairo failed. out holds personal
 * data: wipe it.
 */
int report_form_pdf(const struct report_item *it, const struct report_names *n, struct buf *out, struct diag *d);
/* Free the font caches the PDF made (Pango's font map, Cairo's and fontconfig's): at exit, so a leak check sees
 * only real leaks. No report_form_pdf may run during or after it. */
void report_pdf_release(void);

#endif

/* sync/center/report_xlsx: requests as an XLSX workbook (libxlsxwriter): phones as text, dates as dates, the deadline, the kiosk's name and the case state beside what the resident entered. */
#ifndef SPEAN_REPORT_XLSX_H
#define SPEAN_REPORT_XLSX_H

#include "err.h"
#include "report.h"

/* What the center knows beside a request (any pointer may be NULL: an empty cell). */
struct report_xlsx_extra {
	const char *kiosk;    /* its name */
	const char *deadline; /* YYYY-MM-DD, the deadline's date */
	const char *state;    /* the case state, in words */
	const char *officer;  /* the officer assigned */
};

/*
 * One sheet "Yêu cầu", a header row frozen and filtered, one row per
 * request. Every text is written as a string cell (a name starting with
 * '=' stays text: an XLSX cell has a type, unlike CSV), neutralised like the
 * CSV (no control or direction-override character). Dates (received,
 * request date, deadline) are date cells formatted yyyy-mm-dd; the phone
 * is text, its leading 0 kept. libxlsxwriter writes the sheet's parts
 * through temporary files in tmpdir (unlinked at once) before it zips them
 * into path: give a directory as private as the output.
 */
struct report_xlsx;
int report_xlsx_open(const char *path, const char *tmpdir, struct report_xlsx **out, struct diag *d);
void report_xlsx_row(struct report_xlsx *x, const struct report_item *it, const struct report_names *n,
		     const struct report_xlsx_extra *e);
/*
 * A statistics workbook instead: one sheet "Thống kê", title in its first
 * row, then sections (report_xlsx_heading: a bold row, count the column's
 * heading or NULL) of rows of a label (text, neutralised) and a number cell.
 */
int report_xlsx_stats_open(const char *path, const char *tmpdir, const char *title, struct report_xlsx **out,
			   struct diag *d);
void report_xlsx_heading(struct report_xlsx *x, const char *heading, const char *count);
void report_xlsx_count(struct report_xlsx *x, const char *label, unsigned long n);
/* Write the file and free x: 0, or ERR_IO with d. */
int report_xlsx_close(struct report_xlsx *x, struct diag *d);

#endif

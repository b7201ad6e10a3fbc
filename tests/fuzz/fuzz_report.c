/*
 * Fuzz target for what the center writes from a request (report: CSV,
 * statistics, the form): the input is opened as a record when it is one,
 * and is also put raw, every byte, into the contact fields and the codes
 * (as a stolen kiosk key could). Whatever it holds, each output is valid
 * UTF-8 without a control or direction-override character (but the CRLF
 * between CSV records and the form's white space), the CSV has no ';' or
 * TAB, every record of it reads back as REPORT_CSV_COLUMNS quoted fields,
 * and no cell starts with a formula character.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "kv.h"
#include "mem.h"
#include "record.h"
#include "report.h"
#include "utf8.h"

static int safe_but(const char *s, size_t n, const char *keep)
{
	for (size_t i = 0; i < n;) {
		unsigned long cp;
		size_t len = utf8_next(s + i, n - i, &cp);
		if (!len || (utf8_unsafe(cp) && !(cp && cp < 0x80 && strchr(keep, (int)cp))))
			return 0;
		i += len;
	}
	return 1;
}

/* Strict RFC 4180 over the rows after the header: every field quoted; returns the fields of each record or -1. */
static void check_csv(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		int fields = 0;
		for (;;) {
			FUZZ_CHECK(i < n && s[i] == '"');
			i++;
			/* The cell's first character: never a formula start (the guard apostrophe comes first). */
			FUZZ_CHECK(i < n && !strchr("=+-@", s[i]));
			for (;; i++) {
				FUZZ_CHECK(i < n);
				FUZZ_CHECK(s[i] != '\r' && s[i] != '\n' && s[i] != ';' && s[i] != '\t');
				if (s[i] == '"') {
					if (i + 1 < n && s[i + 1] == '"') {
						i++;
						continue;
					}
					break;
				}
			}
			i++;
			fields++;
			if (i < n && s[i] == ',') {
				i++;
				continue;
			}
			FUZZ_CHECK(i + 1 < n && s[i] == '\r' && s[i + 1] == '\n');
			i += 2;
			break;
		}
		FUZZ_CHECK(fields == REPORT_CSV_COLUMNS);
	}
}

static void set(char **slot, const char *v)
{
	free(*slot);
	*slot = xstrdup(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request req;
	struct diag d = {""};
	request_init(&req);
	if (record_parse_plain((const char *)data, size, &req, &d)) {
		request_finish(&req);
		request_init(&req);
		set(&req.rules_version, "x");
	}
	char *raw = xmalloc(size + 1);
	memcpy(raw, data, size);
	raw[size] = '\0';
	/* Half the runs: the raw bytes everywhere a string goes (up to the first NUL, as C strings end). */
	if (size && (data[0] & 1)) {
		set(&req.contact.name, raw);
		set(&req.contact.phone, raw);
		set(&req.contact.address, raw);
		set(&req.contact.matter, raw);
		set(&req.contact.commune_code, raw);
		set(&req.contact.requester_relation, raw);
		set(&req.lang, raw);
		set(&req.groups, raw);
		set(&req.review_groups, raw);
		set(&req.rules_version, raw);
	}
	struct report_item it = {&req, raw, 1, 1, size && (data[0] & 2) ? raw : "2026-05-01", raw, raw, raw};
	struct buf out;
	buf_init(&out);
	report_csv_header(&out);
	size_t h = out.len;
	report_csv_row(&it, NULL, &out);
	FUZZ_CHECK(utf8_valid(out.data, out.len));
	FUZZ_CHECK(safe_but(out.data, out.len, "\r\n"));
	check_csv(out.data + 3, h - 3);
	check_csv(out.data + h, out.len - h);
	buf_finish(&out);

	struct report_stats *st = report_stats_create();
	report_stats_add(st, &it);
	report_stats_add(st, &it);
	buf_init(&out);
	report_stats_print(st, NULL, &out);
	report_stats_destroy(st);
	FUZZ_CHECK(utf8_valid(out.data, out.len));
	FUZZ_CHECK(safe_but(out.data, out.len, "\n"));
	/* Linear output: a key is cut, so no line is longer than a fixed bound plus the section titles. */
	for (const char *p = out.data; *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		FUZZ_CHECK(len < 1024);
		p += len + (e ? 1 : 0);
	}
	buf_finish(&out);

	buf_init(&out);
	report_form_html(&it, NULL, &out);
	FUZZ_CHECK(utf8_valid(out.data, out.len));
	FUZZ_CHECK(safe_but(out.data, out.len, "\t\r\n"));
	buf_finish(&out);

	free(raw);
	request_finish(&req);
	return 0;
}

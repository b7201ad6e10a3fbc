/*
 * spean-reportbench: the center's reports at n and 10n (tests/bench/report.sh).
 * Statistics of one request claiming n distinct groups (the case that was
 * quadratic), and the CSV export of n requests; each figure is printed with
 * its 10n/n ratio (linear: about 10; quadratic: about 100). Timed, so never
 * run by CTest: report_test checks the same thing with a work counter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypt.h"
#include "kv.h"
#include "mem.h"
#include "record.h"
#include "report.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void make_request(struct request *r, int ngroups, int k)
{
	struct buf t;
	struct diag d = {""};
	buf_init(&t);
	buf_printf(&t,
		   "format = spean-request-1\nid = %032x\nlang = vi\noutcome = likely_eligible\ngroups = ", k);
	for (int i = 0; i < ngroups; i++)
		buf_printf(&t, "%sG%d", i ? " " : "", i);
	buf_puts(&t, "\nreview_groups = R04\nurgent = no\nrules = vn-tgpl-2026.1\ncontact.name = Thạch Thị \xE2\x80\xAEMẫu\n"
		     "contact.commune_code = 90001\ncontact.matter = =1+1; tranh chấp đất\ncontact.consent = yes\n");
	request_init(r);
	if (record_parse_plain(t.data, t.len, r, &d)) {
		fprintf(stderr, "reportbench: %s\n", d.msg);
		exit(1);
	}
	buf_finish(&t);
}

/* Seconds to count and print one request claiming n groups (best of 3). */
static double stats_time(int n)
{
	struct request r;
	make_request(&r, n, 1);
	struct report_item it = {&r, "ab", 1, 1, "2026-05-01", NULL, NULL, NULL};
	double best = 1e9;
	for (int rep = 0; rep < 3; rep++) {
		double t0 = now();
		struct report_stats *s = report_stats_create();
		report_stats_add(s, &it);
		struct buf out;
		buf_init(&out);
		report_stats_print(s, NULL, &out);
		report_stats_destroy(s);
		buf_finish(&out);
		double t = now() - t0;
		if (t < best)
			best = t;
	}
	request_finish(&r);
	return best;
}

/* Seconds to export n requests as CSV (best of 3). */
static double csv_time(int n)
{
	struct request r;
	make_request(&r, 3, 1);
	struct report_item it = {&r, "ab", 1, 1, "2026-05-01", NULL, NULL, NULL};
	double best = 1e9;
	for (int rep = 0; rep < 3; rep++) {
		double t0 = now();
		struct buf out;
		buf_init(&out);
		report_csv_header(&out);
		for (int i = 0; i < n; i++)
			report_csv_row(&it, NULL, &out);
		buf_finish(&out);
		double t = now() - t0;
		if (t < best)
			best = t;
	}
	request_finish(&r);
	return best;
}

int main(int argc, char **argv)
{
	int quick = argc > 1 && !strcmp(argv[1], "--quick");
	int sn = quick ? 2000 : 20000, cn = quick ? 2000 : 20000;
	crypt_init();
	double s1 = stats_time(sn), s10 = stats_time(10 * sn);
	printf("stats, one request claiming n groups: n=%d %.2f ms, n=%d %.2f ms, ratio %.1f (linear ~10, quadratic ~100)\n",
	       sn, s1 * 1e3, 10 * sn, s10 * 1e3, s10 / s1);
	double c1 = csv_time(cn), c10 = csv_time(10 * cn);
	printf("export, n requests as CSV rows:       n=%d %.2f ms, n=%d %.2f ms, ratio %.1f (linear ~10)\n", cn,
	       c1 * 1e3, 10 * cn, c10 * 1e3, c10 / c1);
	return 0;
}

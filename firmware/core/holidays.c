#define LOG_MODULE "holidays"
/*
 * core/holidays: working days as a court or an office counts them, from the
 * pack's list. The list is the exceptions only (weekdays off, weekend days
 * worked), so a count over any range is the weekdays of the range, minus
 * the weekdays off in it, plus the weekend days worked in it: no walk day
 * by day and no table per day.
 */
#include "holidays.h"

#include <string.h>

#include "kv.h"

static const char *const weekday_names[7] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

/* Days since 1970-01-01 of a valid civil date (H. Hinnant's days_from_civil). */
static long day_number(struct date dt)
{
	long y = dt.y - (dt.m <= 2);
	long era = y / 400; /* y >= 1899: never negative */
	long yoe = y - era * 400;
	long mp = (dt.m + 9) % 12;
	long doy = (153 * mp + 2) / 5 + dt.d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int holidays_weekday(struct date dt)
{
	/* 1970-01-01 was a Thursday (3). */
	return (int)((day_number(dt) % 7 + 7 + 3) % 7);
}

/* Weekdays (Monday..Friday) among the day numbers [0, n) counted from a day whose weekday is w0. */
static long weekdays_in(long n, int w0)
{
	long full = n / 7, rest = n % 7, k = full * 5;
	for (long i = 0; i < rest; i++)
		k += (w0 + i) % 7 < 5;
	return k;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

static void trim(const char **b, const char **e)
{
	while (*b < *e && is_space(**b))
		(*b)++;
	while (*e > *b && is_space((*e)[-1]))
		(*e)--;
}

static void empty(struct holidays *h)
{
	h->first_year = h->last_year = 0;
	h->n = 0;
}

static int digits4(const char *s, int *out)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int parse_covers(struct holidays *h, const char *v, size_t n, unsigned line, struct diag *d)
{
	int a, b;
	if (n != 10 || memcmp(v + 4, "..", 2) || digits4(v, &a) || digits4(v + 6, &b) || a < 1900 || b > 2999 || a > b) {
		diag_set(d, "line %u: want 'covers = FIRST..LAST', two years 1900..2999, the first not after the last", line);
		return ERR_PARSE;
	}
	if (b - a + 1 > HOLIDAYS_MAX_YEARS) {
		diag_set(d, "line %u: covers %d years; at most %d", line, b - a + 1, HOLIDAYS_MAX_YEARS);
		return ERR_PARSE;
	}
	h->first_year = a;
	h->last_year = b;
	return 0;
}

/* "off NAME" or "work NAME". */
static int parse_day(struct holidays *h, struct date dt, const char *v, size_t n, unsigned line, struct diag *d)
{
	const char *e = v + n, *w = v;
	while (w < e && !is_space(*w))
		w++;
	size_t kl = (size_t)(w - v);
	enum holiday_kind kind;
	if (kl == 3 && !memcmp(v, "off", 3)) {
		kind = HOLIDAY_OFF;
	} else if (kl == 4 && !memcmp(v, "work", 4)) {
		kind = HOLIDAY_WORK;
	} else {
		diag_set(d, "line %u: kind '%.*s' is not off or work", line, kl > 20 ? 20 : (int)kl, v);
		return ERR_PARSE;
	}
	const char *nb = w, *ne = e;
	trim(&nb, &ne);
	size_t nl = (size_t)(ne - nb);
	int ok = nl >= 1 && nl < HOLIDAYS_MAX_NAME;
	for (size_t i = 0; ok && i < nl; i++)
		ok = (nb[i] >= 'a' && nb[i] <= 'z') || (nb[i] >= '0' && nb[i] <= '9') || nb[i] == '_';
	if (!ok) {
		diag_set(d, "line %u: want one name of 1 to %d characters a-z 0-9 _ after '%s'", line, HOLIDAYS_MAX_NAME - 1,
			 kind == HOLIDAY_OFF ? "off" : "work");
		return ERR_PARSE;
	}
	int wd = holidays_weekday(dt);
	if (kind == HOLIDAY_WORK && wd < 5) {
		diag_set(d, "line %u: %04d-%02d-%02d is a %s: 'work' is for a Saturday or Sunday worked (a weekday is a "
			    "working day already)",
			 line, dt.y, dt.m, dt.d, weekday_names[wd]);
		return ERR_PARSE;
	}
	if (h->n == HOLIDAYS_MAX_DAYS) {
		diag_set(d, "line %u: more than %d days listed", line, HOLIDAYS_MAX_DAYS);
		return ERR_PARSE;
	}
	struct holiday *x = &h->day[h->n++];
	memset(x, 0, sizeof *x);
	x->date = dt;
	x->kind = kind;
	memcpy(x->name, nb, nl);
	x->line = line;
	return 0;
}

static int parse_line(struct holidays *h, const char *b, const char *e, unsigned line, struct diag *d)
{
	const char *eq = memchr(b, '=', (size_t)(e - b));
	if (!eq) {
		diag_set(d, "line %u: want 'YYYY-MM-DD = off NAME', 'YYYY-MM-DD = work NAME' or 'covers = FIRST..LAST'", line);
		return ERR_PARSE;
	}
	const char *kb = b, *ke = eq, *vb = eq + 1, *ve = e;
	trim(&kb, &ke);
	trim(&vb, &ve);
	size_t kn = (size_t)(ke - kb), vn = (size_t)(ve - vb);
	if (kv_eq(kb, kn, "covers")) {
		if (h->first_year || h->n) {
			diag_set(d, "line %u: 'covers' comes once, before the days", line);
			return ERR_PARSE;
		}
		return parse_covers(h, vb, vn, line, d);
	}
	struct date dt;
	if (date_parse(kb, kn, &dt)) {
		diag_set(d, "line %u: '%.*s' is not a date YYYY-MM-DD (nor 'covers')", line, kn > 20 ? 20 : (int)kn, kb);
		return ERR_PARSE;
	}
	if (!h->first_year) {
		diag_set(d, "line %u: 'covers = FIRST..LAST' comes before the days", line);
		return ERR_PARSE;
	}
	if (dt.y < h->first_year || dt.y > h->last_year) {
		diag_set(d, "line %u: %04d-%02d-%02d is outside the covered years %d..%d", line, dt.y, dt.m, dt.d, h->first_year,
			 h->last_year);
		return ERR_PARSE;
	}
	if (h->n) {
		const struct holiday *p = &h->day[h->n - 1];
		int c = date_cmp(p->date, dt);
		if (c == 0) {
			diag_set(d, "line %u: %04d-%02d-%02d is listed twice (line %u)", line, dt.y, dt.m, dt.d, p->line);
			return ERR_PARSE;
		}
		if (c > 0) {
			diag_set(d, "line %u: %04d-%02d-%02d comes after %04d-%02d-%02d (line %u): list the days in order", line,
				 dt.y, dt.m, dt.d, p->date.y, p->date.m, p->date.d, p->line);
			return ERR_PARSE;
		}
	}
	return parse_day(h, dt, vb, vn, line, d);
}

int holidays_parse(const char *text, size_t len, struct holidays *h, struct diag *d)
{
	const char *s = text, *end = text + len;
	unsigned line = 0;
	int rc;
	empty(h);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s)), *e = nl ? nl : end;
		line++;
		if (e > s && e[-1] == '\r')
			e--;
		const char *b, *ce;
		if (kv_pack_line(s, e, line, &b, &ce, d))
			goto fail;
		if (b < ce && (rc = parse_line(h, b, ce, line, d)))
			goto fail;
		s = nl ? nl + 1 : end;
	}
	if (!h->first_year) {
		diag_set(d, "no 'covers = FIRST..LAST' line");
		goto fail;
	}
	/* A covered year with nothing listed is a year nobody filled in (every year has New Year's Day). */
	for (int y = h->first_year, i = 0; y <= h->last_year; y++) {
		while (i < h->n && h->day[i].date.y < y)
			i++;
		if (i == h->n || h->day[i].date.y != y) {
			diag_set(d, "covers %d..%d but lists no day in %d", h->first_year, h->last_year, y);
			goto fail;
		}
	}
	return 0;
fail:
	empty(h);
	return ERR_PARSE;
}

int holidays_cover_year(const struct holidays *h, int y)
{
	return h->first_year && y >= h->first_year && y <= h->last_year;
}

int holidays_check_year(const struct holidays *h, int year, struct diag *d)
{
	if (holidays_cover_year(h, year))
		return 0;
	if (!h->first_year)
		diag_set(d, "no holiday list: the kiosk cannot count working days in %d", year);
	else
		diag_set(d, "covers %d..%d, not %d: the kiosk cannot count working days this year (add %d's holidays)",
			 h->first_year, h->last_year, year, year);
	return ERR_NOTFOUND;
}

int holidays_is_workday(const struct holidays *h, struct date dt)
{
	if (!date_valid(dt))
		return ERR_INVAL;
	if (!holidays_cover_year(h, dt.y))
		return ERR_NOTFOUND;
	int work = holidays_weekday(dt) < 5;
	for (int i = 0; i < h->n; i++)
		if (!date_cmp(h->day[i].date, dt))
			work = h->day[i].kind == HOLIDAY_WORK;
	return work;
}

int holidays_workdays_between(const struct holidays *h, struct date from, struct date to, int *out)
{
	if (!date_valid(from) || !date_valid(to) || date_cmp(to, from) < 0)
		return ERR_INVAL;
	long a = day_number(from) + 1, b = day_number(to); /* the days counted: [a, b) */
	if (a >= b) {
		*out = 0;
		return 0;
	}
	struct date first = date_next(from), last = date_prev(to);
	if (!holidays_cover_year(h, first.y) || !holidays_cover_year(h, last.y))
		return ERR_NOTFOUND;
	long k = weekdays_in(b - a, holidays_weekday(first));
	for (int i = 0; i < h->n; i++) {
		long x = day_number(h->day[i].date);
		if (x < a || x >= b)
			continue;
		int weekend = holidays_weekday(h->day[i].date) >= 5;
		if (h->day[i].kind == HOLIDAY_OFF && !weekend)
			k--;
		else if (h->day[i].kind == HOLIDAY_WORK)
			k++;
	}
	*out = (int)k;
	return 0;
}

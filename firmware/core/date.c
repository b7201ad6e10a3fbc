#include "date.h"

#include <stdio.h>
#include <string.h>

#include "err.h"

int date_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12)
		return 0;
	return m == 2 && date_is_leap(y) ? 29 : days[m - 1];
}

int date_valid(struct date dt)
{
	return dt.y >= 1900 && dt.y <= 2999 && dt.m >= 1 && dt.m <= 12 && dt.d >= 1 &&
	       dt.d <= date_days_in_month(dt.y, dt.m);
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int date_parse(const char *s, unsigned long n, struct date *out)
{
	if (n != 10 || s[4] != '-' || s[7] != '-')
		return ERR_PARSE;
	struct date dt = {digits(s, 4), digits(s + 5, 2), digits(s + 8, 2)};
	if (dt.y < 0 || dt.m < 0 || dt.d < 0 || !date_valid(dt))
		return ERR_PARSE;
	*out = dt;
	return 0;
}

int date_cmp(struct date a, struct date b)
{
	if (a.y != b.y)
		return a.y < b.y ? -1 : 1;
	if (a.m != b.m)
		return a.m < b.m ? -1 : 1;
	if (a.d != b.d)
		return a.d < b.d ? -1 : 1;
	return 0;
}

int date_age(struct date birth, struct date on)
{
	int age = on.y - birth.y;
	/* The anniversary in year on.y: same month and day, or the last day of that month. */
	int ad = birth.d;
	int dim = date_days_in_month(on.y, birth.m);
	if (ad > dim)
		ad = dim;
	if (on.m < birth.m || (on.m == birth.m && on.d < ad))
		age--;
	return age;
}

struct date date_next(struct date d)
{
	if (++d.d > date_days_in_month(d.y, d.m)) {
		d.d = 1;
		if (++d.m > 12) {
			d.m = 1;
			d.y++;
		}
	}
	return d;
}

struct date date_prev(struct date d)
{
	if (--d.d < 1) {
		if (--d.m < 1) {
			d.m = 12;
			d.y--;
		}
		d.d = date_days_in_month(d.y, d.m);
	}
	return d;
}

int date_partial_valid(struct date dt)
{
	if (dt.y < 1900 || dt.y > 2999)
		return 0;
	if (dt.d == 0)
		return dt.m == 0 || (dt.m >= 1 && dt.m <= 12);
	return date_valid(dt);
}

int date_partial_parse(const char *s, unsigned long n, struct date *out)
{
	if (n == 10)
		return date_parse(s, n, out);
	if (n != 4 && (n != 7 || s[4] != '-'))
		return ERR_PARSE;
	struct date dt = {digits(s, 4), n == 7 ? digits(s + 5, 2) : 0, 0};
	if (dt.y < 0 || dt.m < 0 || (n == 7 && dt.m == 0) || !date_partial_valid(dt))
		return ERR_PARSE;
	*out = dt;
	return 0;
}

struct date date_partial_first(struct date dt)
{
	if (dt.d == 0) {
		dt.d = 1;
		if (dt.m == 0)
			dt.m = 1;
	}
	return dt;
}

struct date date_partial_last(struct date dt)
{
	if (dt.d == 0) {
		if (dt.m == 0)
			dt.m = 12;
		dt.d = date_days_in_month(dt.y, dt.m);
	}
	return dt;
}

static int format_checked(int len, char *out, unsigned long n)
{
	if (len < 0 || (unsigned long)len >= n) {
		if (n)
			out[0] = '\0';
		return ERR_INVAL;
	}
	return len;
}

int date_partial_format(struct date dt, char *out, unsigned long n)
{
	int len;
	if (!date_partial_valid(dt))
		len = -1;
	else if (dt.m == 0)
		len = snprintf(out, n, "%04d", dt.y);
	else if (dt.d == 0)
		len = snprintf(out, n, "%04d-%02d", dt.y, dt.m);
	else
		len = snprintf(out, n, "%04d-%02d-%02d", dt.y, dt.m, dt.d);
	return format_checked(len, out, n);
}

int date_partial_format_dmy(struct date dt, char *out, unsigned long n)
{
	int len;
	if (!date_partial_valid(dt))
		len = -1;
	else if (dt.m == 0)
		len = snprintf(out, n, "%04d", dt.y);
	else if (dt.d == 0)
		len = snprintf(out, n, "%02d/%04d", dt.m, dt.y);
	else
		len = snprintf(out, n, "%02d/%02d/%04d", dt.d, dt.m, dt.y);
	return format_checked(len, out, n);
}

int date_age_range(struct date birth, struct date on, int *min, int *max)
{
	if (!date_partial_valid(birth) || !date_valid(on))
		return ERR_INVAL;
	struct date first = date_partial_first(birth), last = date_partial_last(birth);
	if (date_cmp(first, on) > 0)
		return ERR_INVAL;
	if (date_cmp(last, on) > 0)
		last = on;
	/* Age never rises with a later birth day, and steps by one: [min, max] is exactly what the days give. */
	*min = date_age(last, on);
	*max = date_age(first, on);
	return 0;
}

/* A typed field: exactly 4 digits when want is 4 (a year), else 1 or 2; -1 for anything else. */
static int field_number(const char *s, int want)
{
	unsigned long n = strlen(s);
	if (want == 4 ? n != 4 : (n < 1 || n > 2))
		return -1;
	return digits(s, (int)n);
}

int date_partial_from_fields(const char *year, const char *month, const char *day, struct date today,
			     struct date *out, const char **why)
{
	int has_m = month && *month, has_d = day && *day;
	struct date dt = {0, 0, 0};
	const char *w = NULL;
	if (!year || !*year || (dt.y = field_number(year, 4)) < 0)
		w = "date.year_needed";
	else if (has_d && !has_m)
		w = "date.month_needed";
	else if (dt.y < 1900)
		w = "date.too_old";
	else if (has_m && ((dt.m = field_number(month, 2)) < 1 || dt.m > 12))
		w = "date.bad_month";
	else if (has_d && ((dt.d = field_number(day, 2)) < 1 || dt.d > date_days_in_month(dt.y, dt.m)))
		w = "date.bad_day";
	else if (!date_valid(today) || dt.y > 2999 || date_cmp(date_partial_first(dt), today) > 0)
		w = "date.future";
	if (w) {
		if (why)
			*why = w;
		return ERR_INVAL;
	}
	*out = dt;
	if (why)
		*why = NULL;
	return 0;
}

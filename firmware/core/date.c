#include "date.h"

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

/*
 * An oracle nobody here wrote for the lunar days of the shipped
 * holidays.txt: ICU's Chinese calendar. tet_K must be lunar 1/K, tet_eve the
 * day before tet_1 and in lunar month 12, hung_kings lunar 3/10 (not of a
 * leap month); every covered year lists Tết's five days and the Hùng Kings.
 *
 * Vietnam's lunar calendar is reckoned in UTC+7, ICU's Chinese one in UTC+8
 * (Beijing): a month starts on the local day of its new moon, so the two
 * differ when a new moon falls in the hour between the two midnights, and
 * ICU's own approximation of the new moon can land on the wrong side of a
 * midnight it passes within minutes. So each month start (lunar 1/1 and
 * 3/1) is also checked with the new moon's instant (Meeus, "Astronomical
 * Algorithms" ch. 49, the truncated series Ho Ngoc Duc's Vietnamese calendar
 * uses; good to a few minutes): in Hanoi it must fall on the listed day at
 * least 30 minutes from a midnight; ICU must agree exactly wherever the
 * Beijing instant is also that far from midnight, and may be a day late
 * only where it is not. That happens in the covered years once: the new
 * moon of 6 February 2027 is at 15:56 UTC, 22:56 in Hanoi and 23:56 in
 * Beijing; ICU puts the Chinese New Year on 7 February (Beijing's
 * observatory and the Vietnamese calendar: 6 February, a Saturday).
 * ICU is read here only (the include policy lets this one test use it).
 */
#include <math.h>
#include <unicode/ucal.h>

#include <stdio.h>
#include <stdlib.h>

#include "holidays.h"
#include "testlib.h"

static struct holidays H;

struct lunar {
	int month, day, leap;
};

static struct lunar lunar_of(struct date dt)
{
	UErrorCode e = U_ZERO_ERROR;
	static const UChar tz[] = {'A', 's', 'i', 'a', '/', 'S', 'h', 'a', 'n', 'g', 'h', 'a', 'i', 0};
	UCalendar *g = ucal_open(tz, -1, "@calendar=gregorian", UCAL_GREGORIAN, &e);
	UCalendar *c = ucal_open(tz, -1, "@calendar=chinese", UCAL_DEFAULT, &e);
	struct lunar l = {0, 0, 0};
	if (U_FAILURE(e)) {
		t_fail(__FILE__, __LINE__, "ucal_open: %s", u_errorName(e));
		return l;
	}
	ucal_clear(g);
	ucal_setDateTime(g, dt.y, dt.m - 1, dt.d, 12, 0, 0, &e); /* noon in Beijing */
	ucal_setMillis(c, ucal_getMillis(g, &e), &e);
	l.month = ucal_get(c, UCAL_MONTH, &e) + 1;
	l.day = ucal_get(c, UCAL_DATE, &e);
	l.leap = ucal_get(c, UCAL_IS_LEAP_MONTH, &e);
	if (U_FAILURE(e))
		t_fail(__FILE__, __LINE__, "ICU: %s", u_errorName(e));
	ucal_close(g);
	ucal_close(c);
	return l;
}

/* Julian day of 00:00 UTC on dt. */
static double jd_of(struct date dt)
{
	int a = (14 - dt.m) / 12, y = dt.y + 4800 - a, m = dt.m + 12 * a - 3;
	long jdn = dt.d + (153 * m + 2) / 5 + 365L * y + y / 4 - y / 100 + y / 400 - 32045;
	return (double)jdn - 0.5;
}

/* The new moon of lunation k (k = 0: 1900-01-01), Julian day in UT (Meeus ch. 49, truncated). */
static double new_moon(double k)
{
	const double T = k / 1236.85, T2 = T * T, T3 = T2 * T, dr = M_PI / 180;
	double jd = 2415020.75933 + 29.53058868 * k + 0.0001178 * T2 - 0.000000155 * T3;
	jd += 0.00033 * sin((166.56 + 132.87 * T - 0.009173 * T2) * dr);
	double M = 359.2242 + 29.10535608 * k - 0.0000333 * T2 - 0.00000347 * T3;
	double Mp = 306.0253 + 385.81691806 * k + 0.0107306 * T2 + 0.00001236 * T3;
	double F = 21.2964 + 390.67050646 * k - 0.0016528 * T2 - 0.00000239 * T3;
	double c = (0.1734 - 0.000393 * T) * sin(M * dr) + 0.0021 * sin(2 * dr * M);
	c += -0.4068 * sin(Mp * dr) + 0.0161 * sin(dr * 2 * Mp) - 0.0004 * sin(dr * 3 * Mp);
	c += 0.0104 * sin(dr * 2 * F) - 0.0051 * sin(dr * (M + Mp)) - 0.0074 * sin(dr * (M - Mp));
	c += 0.0004 * sin(dr * (2 * F + M)) - 0.0004 * sin(dr * (2 * F - M)) - 0.0006 * sin(dr * (2 * F + Mp));
	c += 0.0010 * sin(dr * (2 * F - Mp)) + 0.0005 * sin(dr * (2 * Mp + M));
	double dt = -0.000278 + 0.000265 * T + 0.000262 * T2; /* TT - UT, days */
	return jd + c - dt;
}

/*
 * The new moon nearest to the day dt: where it falls in a zone of `hours`
 * east of UTC, as a day offset from dt (0: on dt) and minutes from the
 * nearer local midnight.
 */
static void moon_in_zone(struct date dt, double hours, int *day, double *margin_min)
{
	double jd = jd_of(dt);
	double k = floor((jd - 2415020.75933) / 29.53058868 + 0.5);
	double local = new_moon(k) + hours / 24 - jd; /* days after dt's local midnight... */
	*day = (int)floor(local);
	double frac = local - floor(local);
	*margin_min = (frac < 0.5 ? frac : 1 - frac) * 24 * 60;
}

static struct date plus(struct date dt, int n)
{
	for (; n > 0; n--)
		dt = date_next(dt);
	for (; n < 0; n++)
		dt = date_prev(dt);
	return dt;
}

/*
 * Day 1 of a lunar month (Tết's or the third month's) listed as `first`:
 * the new moon falls on it in Hanoi, clear of midnight; ICU agrees, or is a
 * day late where the Beijing instant is too close to midnight to say.
 * Returns how many days ICU is late (0 or 1), or -1 after a failure.
 */
static int check_month_start(struct date first, const char *what, int line)
{
	int vn_day, cn_day;
	double vn_margin, cn_margin;
	moon_in_zone(first, 7, &vn_day, &vn_margin);
	moon_in_zone(first, 8, &cn_day, &cn_margin);
	t_checks++;
	if (vn_day != 0 || vn_margin < 30) {
		t_fail(__FILE__, line, "%s %04d-%02d-%02d: the new moon is %d day(s) off in Hanoi, %.0f min from midnight", what,
		       first.y, first.m, first.d, vn_day, vn_margin);
		return -1;
	}
	int late = cn_day == 0 && cn_margin < 30 ? 1 : 0; /* ICU may be a day late here, no more */
	printf("%s %04d-%02d-%02d: new moon %.0f min from Hanoi's midnight, %.0f min from Beijing's%s\n", what, first.y,
	       first.m, first.d, vn_margin, cn_margin, late ? " (ICU may be a day late)" : "");
	t_checks++;
	if (cn_day != 0 && cn_margin >= 30) {
		/* The zones really disagree: ICU is no oracle for this month; a wider list needs a Vietnamese almanac. */
		t_fail(__FILE__, line, "%s %04d-%02d-%02d: Beijing and Hanoi start this month on different days", what, first.y,
		       first.m, first.d);
		return -1;
	}
	return late;
}

static const struct holiday *find(int y, const char *name)
{
	const struct holiday *hit = NULL;
	int n = 0;
	for (int i = 0; i < H.n; i++)
		if (H.day[i].date.y == y && !strcmp(H.day[i].name, name)) {
			hit = &H.day[i];
			n++;
		}
	t_checks++;
	if (n != 1)
		t_fail(__FILE__, __LINE__, "%d: '%s' listed %d times, want once", y, name, n);
	return n == 1 ? hit : NULL;
}

/* Where ICU may be a day late, which it is: 0 or 1, from the month's first day. */
static int icu_shift(int may_be_late, struct date first)
{
	struct lunar l = lunar_of(first);
	return may_be_late && !(l.day == 1) ? 1 : 0;
}

static void expect_lunar(const struct holiday *x, int shift, int month, int day)
{
	struct date at = plus(x->date, shift);
	struct lunar l = lunar_of(at);
	t_checks++;
	if (l.month != month || l.day != day || l.leap)
		t_fail(__FILE__, __LINE__, "line %u: %s %04d-%02d-%02d (+%d) is lunar %d/%d%s in ICU, want %d/%d", x->line,
		       x->name, x->date.y, x->date.m, x->date.d, shift, l.month, l.day, l.leap ? " (leap)" : "", month, day);
}

int main(void)
{
	size_t len;
	struct diag d = {""};
	char *t = t_read_repo("firmware/content/kiosk/holidays.txt", &len);
	CHECK_INT(holidays_parse(t, len, &H, &d), 0);
	free(t);
	/* ICU and the new-moon formula on dates anyone can look up: Tết Ất Tỵ was Wed 29/1/2025 (new moon 12:36 UTC). */
	struct lunar k = lunar_of((struct date){2025, 1, 29});
	CHECK(k.month == 1 && k.day == 1 && !k.leap);
	k = lunar_of((struct date){2025, 1, 28});
	CHECK(k.month == 12 && k.day == 29);
	int day;
	double margin;
	moon_in_zone((struct date){2025, 1, 29}, 0, &day, &margin);
	CHECK(day == 0 && margin > 11 * 60 && margin < 12 * 60); /* 12:36 UTC: 684 minutes from midnight */

	int checked = 0;
	for (int y = H.first_year; y <= H.last_year; y++) {
		const struct holiday *tet[5], *hung = find(y, "hung_kings");
		static const char *const names[5] = {"tet_eve", "tet_1", "tet_2", "tet_3", "tet_4"};
		int all = hung != NULL;
		for (int i = 0; i < 5; i++)
			all &= (tet[i] = find(y, names[i])) != NULL;
		if (!all)
			continue;
		/* Tết's days follow each other from the eve. */
		for (int i = 1; i < 5; i++)
			CHECK_INT(date_cmp(tet[i]->date, plus(tet[0]->date, i)), 0);
		int late = check_month_start(tet[1]->date, "Tết", __LINE__);
		if (late >= 0) {
			late = icu_shift(late, tet[1]->date);
			for (int i = 1; i < 5; i++)
				expect_lunar(tet[i], late, 1, i);
			struct lunar eve = lunar_of(tet[0]->date);
			t_checks++;
			if (eve.month != 12 || eve.leap)
				t_fail(__FILE__, __LINE__, "line %u: tet_eve is lunar %d/%d in ICU, not in month 12", tet[0]->line,
				       eve.month, eve.day);
			checked += 5;
		}
		late = check_month_start(plus(hung->date, -9), "third month", __LINE__);
		if (late >= 0) {
			expect_lunar(hung, icu_shift(late, plus(hung->date, -9)), 3, 10);
			checked++;
		}
	}
	printf("%d lunar holidays of %d..%d checked against ICU's Chinese calendar and the new moons\n", checked,
	       H.first_year, H.last_year);
	CHECK_INT(checked, 6 * (H.last_year - H.first_year + 1));
	return t_done("core_holidays_lunar_test");
}

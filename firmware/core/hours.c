#define LOG_MODULE "hours"
/*
 * core/hours: the office's opening hours, from the pack's hours.txt, with
 * the holidays of holidays.txt closed. The kiosk asks it only when its
 * screen may change state (idle, a timer at the next boundary), never per
 * frame, so a plain scan of the holiday list is enough.
 */
#include "hours.h"

#include <string.h>

#include "kv.h"

static const char *const day_names[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

static void unset(struct hours *h)
{
	memset(h, 0, sizeof *h);
}

/* A day name of exactly n bytes: 0..6, or -1. */
static int day_index(const char *s, size_t n)
{
	for (int i = 0; i < 7; i++)
		if (n == 3 && !memcmp(s, day_names[i], 3))
			return i;
	return -1;
}

/* "HH:MM", 00:00..24:00: minutes, or -1. */
static int clock_minutes(const char *s)
{
	for (int i = 0; i < 5; i++)
		if (i == 2 ? s[i] != ':' : (s[i] < '0' || s[i] > '9'))
			return -1;
	int hh = (s[0] - '0') * 10 + (s[1] - '0'), mm = (s[3] - '0') * 10 + (s[4] - '0');
	if (mm > 59 || hh > 24 || (hh == 24 && mm))
		return -1;
	return hh * 60 + mm;
}

/* The days a spec names, as a bit mask (bit 7: 'work'); 0 with d set when it is not one. */
static unsigned parse_days(const char *s, size_t n, unsigned line, struct diag *d)
{
	if (n == 4 && !memcmp(s, "work", 4))
		return 1u << 7;
	unsigned mask = 0;
	const char *e = s + n;
	while (s <= e) {
		const char *c = memchr(s, ',', (size_t)(e - s)), *pe = c ? c : e;
		const char *dash = memchr(s, '-', (size_t)(pe - s));
		int a = day_index(s, (size_t)((dash ? dash : pe) - s)), b = dash ? day_index(dash + 1, (size_t)(pe - dash - 1)) : a;
		if (a < 0 || b < 0) {
			diag_set(d, "line %u: '%.*s' is not a day (mon tue wed thu fri sat sun, a range mon-fri, a list sat,sun; or work)",
				 line, (int)(pe - s > 20 ? 20 : pe - s), s);
			return 0;
		}
		if (b < a) {
			diag_set(d, "line %u: '%.*s' runs backwards: a range goes mon to sun", line, (int)(pe - s), s);
			return 0;
		}
		for (int i = a; i <= b; i++) {
			if (mask & (1u << i)) {
				diag_set(d, "line %u: %s is named twice on this line", line, day_names[i]);
				return 0;
			}
			mask |= 1u << i;
		}
		if (!c)
			break;
		s = c + 1;
	}
	return mask;
}

/* "HH:MM-HH:MM" into the day's next range. */
static int parse_range(struct hours_day *day, const char *s, size_t n, unsigned line, struct diag *d)
{
	int from = n == 11 && s[5] == '-' ? clock_minutes(s) : -1, to = from >= 0 ? clock_minutes(s + 6) : -1;
	if (from < 0 || to < 0) {
		diag_set(d, "line %u: '%.*s' is not a range HH:MM-HH:MM (00:00 to 24:00) nor 'closed'", line, (int)(n > 20 ? 20 : n), s);
		return ERR_PARSE;
	}
	if (to <= from) {
		diag_set(d, "line %u: %.11s is inverted or empty: a range ends after it starts", line, s);
		return ERR_PARSE;
	}
	if (day->n) {
		const struct hours_range *p = &day->r[day->n - 1];
		if (from <= p->to) {
			diag_set(d, "line %u: %.11s starts before %02d:%02d-%02d:%02d ends (or as it ends): list a day's ranges "
				    "in order, apart (touching ranges are one)",
				 line, s, p->from / 60, p->from % 60, p->to / 60, p->to % 60);
			return ERR_PARSE;
		}
	}
	if (day->n == HOURS_MAX_RANGES) {
		diag_set(d, "line %u: more than %d ranges on one day", line, HOURS_MAX_RANGES);
		return ERR_PARSE;
	}
	day->r[day->n++] = (struct hours_range){from, to};
	return 0;
}

/* One line: DAYS then ranges or 'closed'. */
static int parse_line(struct hours *h, const char *b, const char *e, unsigned line, struct diag *d)
{
	const char *w = b;
	while (w < e && !is_space(*w))
		w++;
	unsigned mask = parse_days(b, (size_t)(w - b), line, d);
	if (!mask)
		return ERR_PARSE;
	struct hours_day day;
	memset(&day, 0, sizeof day);
	day.line = line;
	int closed = 0, parts = 0;
	for (const char *p = w;;) {
		while (p < e && is_space(*p))
			p++;
		if (p == e)
			break;
		const char *q = p;
		while (q < e && !is_space(*q))
			q++;
		size_t n = (size_t)(q - p);
		if (n == 6 && !memcmp(p, "closed", 6)) {
			if (parts) {
				diag_set(d, "line %u: 'closed' stands alone: a day is closed or has ranges", line);
				return ERR_PARSE;
			}
			closed = 1;
		} else if (closed) {
			diag_set(d, "line %u: 'closed' stands alone: a day is closed or has ranges", line);
			return ERR_PARSE;
		} else if (parse_range(&day, p, n, line, d)) {
			return ERR_PARSE;
		}
		parts++;
		p = q;
	}
	if (!parts) {
		diag_set(d, "line %u: want 'DAYS HH:MM-HH:MM ...' or 'DAYS closed'", line);
		return ERR_PARSE;
	}
	if (mask & (1u << 7)) {
		if (h->work.line) {
			diag_set(d, "line %u: 'work' is given twice (line %u)", line, h->work.line);
			return ERR_PARSE;
		}
		h->work = day;
		return 0;
	}
	for (int i = 0; i < 7; i++) {
		if (!(mask & (1u << i)))
			continue;
		if (h->day[i].line) {
			diag_set(d, "line %u: %s is given twice (line %u)", line, day_names[i], h->day[i].line);
			return ERR_PARSE;
		}
		h->day[i] = day;
	}
	return 0;
}

int hours_parse(const char *text, size_t len, struct hours *h, struct diag *d)
{
	const char *s = text, *end = text + len;
	unsigned line = 0;
	unset(h);
	if (len > HOURS_MAX_BYTES) {
		diag_set(d, "%zu bytes; hours.txt is at most %u", len, HOURS_MAX_BYTES);
		return ERR_PARSE;
	}
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s)), *e = nl ? nl : end;
		line++;
		if (e > s && e[-1] == '\r')
			e--;
		const char *b, *ce;
		if (kv_pack_line(s, e, line, &b, &ce, d))
			goto fail;
		if (b < ce && parse_line(h, b, ce, line, d))
			goto fail;
		s = nl ? nl + 1 : end;
	}
	for (int i = 0; i < 7; i++)
		if (!h->day[i].line) {
			diag_set(d, "no line gives %s (write '%s closed' for a day the office is closed)", day_names[i], day_names[i]);
			goto fail;
		}
	if (!hours_week_minutes(h)) {
		diag_set(d, "open on no day of the week: the screen would never be on (a pack without hours.txt is always open)");
		goto fail;
	}
	h->set = 1;
	return 0;
fail:
	unset(h);
	return ERR_PARSE;
}

/* The hours that apply on dt. */
static const struct hours_day *day_of(const struct hours *h, const struct holidays *hol, struct date dt)
{
	int wd = holidays_weekday(dt);
	for (int i = 0; hol && i < hol->n; i++) {
		if (date_cmp(hol->day[i].date, dt))
			continue;
		if (hol->day[i].kind == HOLIDAY_OFF)
			return NULL; /* closed */
		return h->work.line ? &h->work : &h->day[wd];
	}
	return &h->day[wd];
}

int hours_open_at(const struct hours *h, const struct holidays *hol, struct date dt, int minute)
{
	if (!date_valid(dt) || minute < 0 || minute >= HOURS_DAY_MINUTES)
		return ERR_INVAL;
	if (!h->set)
		return 1;
	const struct hours_day *day = day_of(h, hol, dt);
	for (int i = 0; day && i < day->n; i++)
		if (minute >= day->r[i].from && minute < day->r[i].to)
			return 1;
	return 0;
}

int hours_minutes_to_change(const struct hours *h, const struct holidays *hol, struct date dt, int minute)
{
	if (!date_valid(dt) || minute < 0 || minute >= HOURS_DAY_MINUTES)
		return ERR_INVAL;
	const struct hours_day *day = h->set ? day_of(h, hol, dt) : NULL;
	for (int i = 0; day && i < day->n; i++) {
		if (day->r[i].from > minute)
			return day->r[i].from - minute;
		if (day->r[i].to > minute)
			return day->r[i].to - minute;
	}
	return HOURS_DAY_MINUTES - minute;
}

int hours_week_minutes(const struct hours *h)
{
	int m = 0;
	for (int i = 0; i < 7; i++)
		for (int j = 0; j < h->day[i].n; j++)
			m += h->day[i].r[j].to - h->day[i].r[j].from;
	return m;
}

#define LOG_MODULE "kiosk"
/*
 * kiosk/screen_date: a date asked as people know it: three labelled fields (year, month, day) in
 * the order the question states them (catalog key TEXT.order: "ymd", "dmy"...), the keypad beside
 * them. A birth date takes the year alone, or the year and month; a date ahead (a court date or
 * legal deadline) takes a whole day, which the kiosk turns into working days itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk_internal.h"
#include "icons.h"

static const int field_max[3] = {4, 2, 2}; /* year, month, day */
static const char *const field_keys[3] = {"date.year", "date.month", "date.day"};

static int is_date_question(const struct kiosk *k)
{
	if (k->flow.state != FS_QUESTION)
		return 0;
	enum question_kind kind = k->content->q[k->flow.q].kind;
	return kind == Q_DATE || kind == Q_DEADLINE;
}

const char *kiosk_date_order(const struct kiosk *k)
{
	char key[80];
	snprintf(key, sizeof key, "%s.order", k->content->q[k->flow.q].text_key);
	const struct catalog *c = strcmp(k->flow.lang, "km") ? k->vi : k->km;
	/* Not text, yet a string to review: listed for the date screen, whose fields it orders. */
	const char *o = kiosk_catalog(k, c, key);
	if (!o || strlen(o) != 3 || !strchr(o, 'y') || !strchr(o, 'm') || !strchr(o, 'd'))
		o = "dmy"; /* how dates are written in Vietnam and Cambodia */
	return o;
}

/* The fields in the order the question states them: order[i] is 0 (year), 1 (month) or 2 (day). */
static void field_order(struct kiosk *k, int order[3])
{
	const char *o = kiosk_date_order(k);
	for (int i = 0; i < 3; i++)
		order[i] = o[i] == 'y' ? 0 : o[i] == 'm' ? 1 : 2;
}

void kiosk_date_load(struct kiosk *k)
{
	mem_wipe(k->dfield, sizeof k->dfield);
	k->dfocus = 0;
	if (!is_date_question(k))
		return;
	const struct flow *f = &k->flow;
	const struct question *q = &k->content->q[f->q];
	if (f->picked[f->q] == 0) {
		/* Back to a date answered before: as it was typed. */
		struct date d = f->picked_date[f->q];
		snprintf(k->dfield[0], sizeof k->dfield[0], "%04d", d.y);
		if (d.m)
			snprintf(k->dfield[1], sizeof k->dfield[1], "%d", d.m);
		if (d.d)
			snprintf(k->dfield[2], sizeof k->dfield[2], "%d", d.d);
	} else if (q->kind == Q_DEADLINE) {
		/* A date ahead is nearly always this year: the year is there already, to change if not. */
		snprintf(k->dfield[0], sizeof k->dfield[0], "%04d", f->today.y);
	}
	int order[3];
	field_order(k, order);
	for (int i = 0; i < 3; i++)
		if (!k->dfield[order[i]][0]) {
			k->dfocus = i;
			break;
		}
}

void kiosk_screen_date(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	const struct question *q = &k->content->q[k->flow.q];
	struct col c = {t->pad, t->pad, k->ui->w - 2 * t->pad};
	kiosk_progress(k, &c);
	int half = (k->ui->w - 2 * t->pad - t->gap) / 2;
	struct col l = {t->pad, c.y, half};
	kiosk_question_label(k, &l, q, t->body_px, t->touch_px);
	/* Three labelled fields in the question's order; a touch on one moves the keypad to it. */
	int order[3];
	field_order(k, order);
	int fw[3], x = l.x;
	for (int i = 0; i < 3; i++)
		fw[i] = order[i] == 0 ? (half - 2 * t->gap) * 2 / 5 : (half - 2 * t->gap) * 3 / 10;
	int ly = l.y, fy = l.y;
	for (int i = 0; i < 3; i++) {
		char id[24];
		snprintf(id, sizeof id, "date_label_%c", "ymd"[order[i]]);
		struct widget *w = ui_label(k->ui, id, (SDL_Rect){x, ly, fw[i], 0}, kiosk_text(k, field_keys[order[i]]),
					    k->flow.lang, t->small_px, i == k->dfocus ? WF_BOLD : WF_MUTED);
		fy = ly + w->r.h > fy ? ly + w->r.h : fy;
		x += fw[i] + t->gap;
	}
	x = l.x;
	for (int i = 0; i < 3; i++) {
		char id[24];
		snprintf(id, sizeof id, "date_%c", "ymd"[order[i]]);
		SDL_Rect r = {x, fy, fw[i], t->touch_px};
		ui_field(k->ui, id, r, k->dfield[order[i]], "vi", i == k->dfocus ? WF_FOCUSED : 0);
		snprintf(id, sizeof id, "date_%c_tap", "ymd"[order[i]]);
		ui_catcher(k->ui, id, r, kiosk_on_tap, k, ACT(A_DATE_FOCUS, i));
		x += fw[i] + t->gap;
	}
	l.y = fy + t->touch_px + t->gap;
	if (k->field_error[0])
		kiosk_label(k, &l, "field_error", kiosk_text(k, k->field_error), t->small_px, WF_DANGER | WF_BOLD);
	char key[80];
	snprintf(key, sizeof key, "%s.unknown", q->text_key);
	const struct catalog *cat = strcmp(k->flow.lang, "km") ? k->vi : k->km;
	const char *unknown = kiosk_catalog(k, cat, key); /* the question's own "I don't know", where it has one */
	int picked = k->flow.picked[k->flow.q];
	kiosk_button(k, "answer_unknown", (SDL_Rect){l.x, l.y, half, t->touch_px},
		     unknown ? unknown : kiosk_text(k, "answer.unknown"),
		     picked == FLOW_PICK_UNKNOWN ? WF_SELECTED : 0, ACT(A_UNKNOWN, 0));
	kiosk_keypad(k, (SDL_Rect){t->pad + half + t->gap, c.y, half, kiosk_bar_y(k) - t->gap - c.y});
	kiosk_back_button(k);
}

/* Done on the date: the fields checked, then the answer; a refusal is said in place. */
static void date_done(struct kiosk *k)
{
	struct flow *f = &k->flow;
	const struct question *q = &k->content->q[f->q];
	struct date dt;
	const char *why = NULL;
	if (date_partial_from_fields(k->dfield[0], k->dfield[1], k->dfield[2], f->today, &dt, &why) &&
	    !(q->kind == Q_DEADLINE && why && !strcmp(why, "date.future"))) {
		kiosk_refuse(k, why ? why : "date.year_needed");
		return;
	}
	if (q->kind == Q_DATE) {
		flow_answer_date(f, dt);
		return;
	}
	if (flow_answer_deadline(f, k->dfield[0], k->dfield[1], k->dfield[2], &why))
		kiosk_refuse(k, why);
}

enum tap_result kiosk_date_tap(struct kiosk *k, int a, int p)
{
	if (!is_date_question(k))
		return TAP_NOT_MINE;
	int order[3];
	field_order(k, order);
	char *cur = k->dfield[order[k->dfocus]];
	switch (a) {
	case A_DATE_FOCUS:
		if (p >= 0 && p < 3)
			k->dfocus = p;
		return TAP_DONE;
	case A_KEY: {
		size_t n = strlen(cur);
		if (n >= (size_t)field_max[order[k->dfocus]]) {
			/* A full field: the digit starts the next one (a resident types on without looking). */
			if (k->dfocus == 2)
				return TAP_DONE;
			cur = k->dfield[order[++k->dfocus]];
			cur[0] = '\0';
			n = 0;
		}
		cur[n] = (char)('0' + p);
		cur[n + 1] = '\0';
		if (n + 1 == (size_t)field_max[order[k->dfocus]] && k->dfocus < 2 && !k->dfield[order[k->dfocus + 1]][0])
			k->dfocus++;
		k->field_error[0] = '\0';
		return TAP_DONE;
	}
	case A_KEY_DEL: {
		size_t n = strlen(cur);
		if (!n && k->dfocus > 0) {
			cur = k->dfield[order[--k->dfocus]];
			n = strlen(cur);
		}
		if (n)
			cur[n - 1] = '\0';
		k->field_error[0] = '\0';
		return TAP_DONE;
	}
	case A_ENTRY_OK:
		date_done(k);
		return TAP_DONE;
	default:
		return TAP_NOT_MINE;
	}
}

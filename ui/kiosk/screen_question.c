#define LOG_MODULE "kiosk"
/* kiosk/screen_question: one question per screen (choices, dates, numbers), the keypad, and assisted mode's list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk_internal.h"
#include "icons.h"
#include "text.h"

/*
 * Where the resident is: a bar of the four steps (questions, outcome, contact, review), the
 * current one in bold, and under the questions step how far through them they are. No count:
 * the number of questions left depends on the answers, and a total that changes misleads.
 */
void kiosk_progress(struct kiosk *k, struct col *c)
{
	if (k->flow.compact) /* opened from the list, which counts the answers */
		return;
	const struct ui_theme *t = &k->ui->theme;
	static const char *const steps[4] = {"step.questions", "step.outcome", "step.contact", "step.review"};
	/* Left of the language switch; what follows starts below it. */
	int width = k->pill_bottom && c->x + c->w > k->pill_x - t->gap ? k->pill_x - t->gap - c->x : c->w;
	int sw = (width - 3 * t->gap) / 4, h = 0;
	/* The step on show is named; the others are bars (fewer words to read on every question). */
	struct widget *w = ui_label(k->ui, "step_0", (SDL_Rect){c->x, c->y, sw, 0}, kiosk_text(k, steps[0]), k->flow.lang,
				    t->small_px, WF_BOLD);
	h = w->r.h;
	c->y += h;
	ui_progress(k->ui, "progress", (SDL_Rect){c->x, c->y, sw, t->gap}, flow_progress(&k->flow), 1000);
	for (int i = 1; i < 4; i++) {
		char id[16];
		snprintf(id, sizeof id, "step_bar_%d", i);
		ui_progress(k->ui, id, (SDL_Rect){c->x + i * (sw + t->gap), c->y, sw, t->gap}, 0, 1000);
	}
	c->y += 2 * t->gap;
	if (c->y < k->pill_bottom + t->gap / 2)
		c->y = k->pill_bottom + t->gap / 2;
}

/* Digits typed on the keypad, shown as the entry expects (DD/MM/YYYY for dates). */
static void entry_display(struct kiosk *k, enum question_kind kind, char *out, size_t n)
{
	(void)kind;
	/* A number entry shorter than out (the keypad caps it); cut, never overflow, if it ever is not. */
	const char *s = k->entry[0] ? k->entry : "_";
	size_t l = strnlen(s, n - 1);
	memcpy(out, s, l);
	out[l] = '\0';
}


void kiosk_keypad(struct kiosk *k, SDL_Rect area)
{
	const struct ui_theme *t = &k->ui->theme;
	const char *keys[12] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", kiosk_text(k, "keypad.delete"), "0",
				kiosk_text(k, "keypad.ok")};
	int w = (area.w - 2 * t->gap) / 3, h = (area.h - 3 * t->gap) / 4;
	for (int i = 0; i < 12; i++) {
		char id[16];
		int action = i == 9 ? A_KEY_DEL : i == 11 ? A_ENTRY_OK : A_KEY;
		snprintf(id, sizeof id, i == 9 ? "key_del" : i == 11 ? "key_ok" : "key_%s", keys[i]);
		SDL_Rect r = {area.x + (i % 3) * (w + t->gap), area.y + (i / 3) * (h + t->gap), w, h};
		ui_button(k->ui, id, r, keys[i], k->flow.lang, i == 11 ? WF_PRIMARY : 0, kiosk_on_tap, k,
			  ACT(action, i == 10 ? 0 : i + 1));
	}
}

/* The question's text: addressed to the resident ("you") when they answer for themselves, else about "that person". */
const char *kiosk_question_text(struct kiosk *k, const struct question *q)
{
	return kiosk_text_you(k, q->text_key);
}

/* The question in bold, its picture (when the pack has one) side px square on its left. */
void kiosk_question_label(struct kiosk *k, struct col *c, const struct question *q, int size, int side)
{
	const struct ui_theme *t = &k->ui->theme;
	SDL_Surface *img = icons_get(k->icons, q->icon, side);
	if (!img) {
		kiosk_label(k, c, "question", kiosk_question_text(k, q), size, WF_BOLD);
		return;
	}
	ui_image(k->ui, "picture", (SDL_Rect){c->x, c->y, side, side}, img);
	struct col tc = {c->x + side + t->gap, c->y, c->w - side - t->gap};
	kiosk_label(k, &tc, "question", kiosk_question_text(k, q), size, WF_BOLD);
	int below = c->y + side + t->gap;
	c->y = tc.y > below ? tc.y : below;
}

/* The symbol of an answer on the left of its button (the label stays centred). */
static void answer_symbol(struct kiosk *k, const char *id, enum answer_symbol a)
{
	struct widget *b = ui_find(k->ui, id);
	int side = b ? b->r.h * 3 / 5 : 0;
	SDL_Surface *img = b ? icons_answer(k->icons, a, side) : NULL;
	if (!img)
		return;
	/* The text moves right of the symbol (laid out again at the narrower width). */
	b->indent = side + k->ui->theme.gap;
	char *text = xstrdup(b->text ? b->text : "");
	ui_set_text(k->ui, b, "");
	ui_set_text(k->ui, b, text);
	free(text);
	char sid[48];
	snprintf(sid, sizeof sid, "%s_symbol", id);
	ui_image(k->ui, sid, (SDL_Rect){b->r.x + k->ui->theme.gap, b->r.y + (b->r.h - side) / 2, side, side}, img);
}

/* Height of s laid out at size px in width w (0 when it cannot be laid out). */
static int text_h(struct kiosk *k, const char *s, int size, int w)
{
	struct text_layout *l = text_layout(k->ui->text, s, size, TEXT_REGULAR, w, k->flow.lang);
	int tw = 0, th = 0;
	if (l)
		text_layout_size(l, &tw, &th);
	text_layout_free(l);
	return th;
}

/*
 * A choice in plain words, its legal term under it in smaller, muted print, both centred in the
 * button. Measured first: the plain words at the button size, else at the small size; if even
 * that does not fit, the term is left out (the plain words are what the resident reads). 1 if
 * the term is shown.
 */
static int two_line(struct kiosk *k, struct widget *b, const char *plain, const char *term, int selected)
{
	const struct ui_theme *t = &k->ui->theme;
	SDL_Rect r = b->r;
	int w = r.w - 2 * t->gap, room = r.h - t->gap / 2;
	int size = t->button_px, ph = text_h(k, plain, size, w), th = text_h(k, term, t->small_px, w);
	if (ph + th > room) {
		size = t->small_px;
		ph = text_h(k, plain, size, w);
	}
	if (ph + th > room)
		return 0; /* the button keeps its plain words (the grid already fitted them) */
	ui_set_text(k->ui, b, "");
	int y = r.y + (r.h - ph - th) / 2;
	char id[64];
	snprintf(id, sizeof id, "%s_text", b->id);
	ui_label(k->ui, id, (SDL_Rect){r.x + t->gap, y, w, ph}, plain, k->flow.lang, size, WF_CENTER | (selected ? WF_INVERSE : 0));
	snprintf(id, sizeof id, "%s_term", b->id);
	ui_label(k->ui, id, (SDL_Rect){r.x + t->gap, y + ph, w, th}, term, k->flow.lang, t->small_px,
		 WF_CENTER | (selected ? WF_INVERSE : WF_MUTED));
	return 1;
}

void kiosk_screen_question(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	const struct question *q = &k->content->q[k->flow.q];
	if (q->kind == Q_DATE || q->kind == Q_DEADLINE) {
		kiosk_screen_date(k);
		return;
	}
	struct col c = {t->pad, t->pad, k->ui->w - 2 * t->pad};
	kiosk_progress(k, &c);
	if (q->kind == Q_NUMBER) {
		/* Question and entry on the left, keypad on the right. */
		int half = (k->ui->w - 2 * t->pad - t->gap) / 2;
		struct col l = {t->pad, c.y, half};
		kiosk_question_label(k, &l, q, t->body_px, t->touch_px);
		char disp[64];
		entry_display(k, q->kind, disp, sizeof disp);
		ui_field(k->ui, "entry", (SDL_Rect){l.x, l.y, half, t->touch_px}, disp, "vi", WF_FOCUSED);
		l.y += t->touch_px + t->gap;
		if (q->kind == Q_NUMBER) {
			char key[80];
			snprintf(key, sizeof key, "%s.none", q->text_key);
			kiosk_button(k, "answer_none", (SDL_Rect){l.x, l.y, half, t->touch_px}, kiosk_text(k, key), 0, ACT(A_UNKNOWN, 0));
			l.y += t->touch_px + t->gap;
		}
		kiosk_button(k, "answer_unknown", (SDL_Rect){l.x, l.y, half, t->touch_px}, kiosk_text(k, "answer.unknown"), 0,
		       ACT(A_UNKNOWN, 0));
		kiosk_keypad(k, (SDL_Rect){t->pad + half + t->gap, c.y, half, kiosk_bar_y(k) - t->gap - c.y});
		kiosk_back_button(k);
		return;
	}
	kiosk_question_label(k, &c, q, t->body_px * 6 / 5, t->touch_px * 5 / 4);
	/* At most five answers (the content check keeps it so), the one picked before selected. */
	const char *ids[QUESTION_MAX_CHOICES + 2], *texts[QUESTION_MAX_CHOICES + 2];
	int args[QUESTION_MAX_CHOICES + 2];
	unsigned flags[QUESTION_MAX_CHOICES + 2];
	char idbuf[QUESTION_MAX_CHOICES][48], keybuf[QUESTION_MAX_CHOICES][96];
	int n = 0, picked = k->flow.picked[k->flow.q];
	const struct fact_def *fd = fact_def(q->fact);
	if (q->kind == Q_YESNO || q->kind == Q_GATE) {
		ids[n] = "answer_yes", texts[n] = kiosk_text(k, "answer.yes"), args[n++] = ACT(A_PICK, 0);
		ids[n] = "answer_no", texts[n] = kiosk_text(k, "answer.no"), args[n++] = ACT(A_PICK, 1);
	} else {
		for (int j = 0; j < q->nchoice; j++) {
			const struct question_choice *ch = &q->choice[j];
			const char *name = ch->value >= 0 ? fd->values[ch->value] : ch->opens_id;
			snprintf(idbuf[n], sizeof idbuf[n], "choice_%s", name);
			snprintf(keybuf[n], sizeof keybuf[n], "%s.%s", q->text_key, name);
			ids[n] = idbuf[n];
			texts[n] = kiosk_text(k, keybuf[n]);
			args[n++] = ACT(A_PICK, j);
		}
	}
	for (int i = 0; i < n; i++)
		flags[i] = picked == i ? WF_SELECTED : 0;
	ids[n] = "answer_unknown", texts[n] = kiosk_text(k, "answer.unknown");
	flags[n] = picked == FLOW_PICK_UNKNOWN ? WF_SELECTED : 0;
	args[n++] = ACT(A_UNKNOWN, 0);
	kiosk_grid(k, c.y + t->gap, kiosk_bar_y(k) - t->gap, n, n <= 3 ? 3 : 2, ids, texts, args, flags);
	/* Yes, No and "I don't know" carry their own symbols (a check, a cross, a question mark). */
	if (q->kind == Q_YESNO || q->kind == Q_GATE) {
		static const enum answer_symbol sym[3] = {ANSWER_SYMBOL_YES, ANSWER_SYMBOL_NO, ANSWER_SYMBOL_UNKNOWN};
		for (int i = 0; i < 3; i++)
			answer_symbol(k, ids[i], sym[i]);
	} else {
		answer_symbol(k, "answer_unknown", ANSWER_SYMBOL_UNKNOWN);
	}
	/* A legal term, where one helps, in small print under the plain words (TEXT.VALUE.term). */
	for (int i = 0; q->kind == Q_CHOICE && i < n - 1; i++) {
		char tkey[sizeof keybuf[0] + 8];
		snprintf(tkey, sizeof tkey, "%.95s.term", keybuf[i]); /* keybuf[i] is at most 95 bytes */
		const struct catalog *cat = strcmp(k->flow.lang, "km") ? k->vi : k->km;
		/* Looked up bare: the screenshot lists it only where it fits and is shown. */
		const char *term = catalog_get(cat, tkey);
		struct widget *b = term ? ui_find(k->ui, ids[i]) : NULL;
		if (b && two_line(k, b, texts[i], term, (flags[i] & WF_SELECTED) != 0))
			kiosk_trace_note(k, tkey);
	}
	kiosk_back_button(k);
}

/* What question q's answer says, for its row ("" when not answered). */
static void compact_answer_text(struct kiosk *k, const struct question *q, char *out, size_t n)
{
	const struct facts *fs = &k->flow.facts;
	out[0] = '\0';
	if (!fs->set[q->fact])
		return;
	int v = fs->val[q->fact];
	if (q->fact == F_BIRTH_DATE && v != FACT_UNKNOWN) {
		date_partial_format_dmy(fs->birth_date, out, n); /* 1950, 03/2010 or 06/06/1960: as known */
	} else if (v == FACT_UNKNOWN) {
		snprintf(out, n, "%s", kiosk_text(k, "answer.unknown"));
	} else if (q->kind == Q_NUMBER) {
		snprintf(out, n, "%d", v);
	} else {
		/* The label of the value where it is offered: this question or one it opens. */
		const struct content *c = k->content;
		int self = (int)(q - c->q);
		for (int i = 0; i < c->nquestions; i++)
			if (content_root(c, i) == self && c->q[i].kind == Q_CHOICE && (c->q[i].choices >> v & 1)) {
				char key[96];
				snprintf(key, sizeof key, "%s.%s", c->q[i].text_key, fact_def(q->fact)->values[v]);
				snprintf(out, n, "%s", kiosk_text(k, key));
				return;
			}
		snprintf(out, n, "%s", kiosk_text(k, v == q->gate_no ? "answer.no" : "answer.yes"));
	}
}

/* Height of question q's row: its text at the small size beside the answers, or one touch target. */
static int compact_row_h(struct kiosk *k, const struct question *q, int text_w)
{
	const struct ui_theme *t = &k->ui->theme;
	struct text_layout *l = text_layout(k->ui->text, kiosk_question_text(k, q), t->small_px, TEXT_REGULAR, text_w,
					    k->flow.lang);
	int h = l ? text_layout_height(l) : t->touch_px;
	text_layout_free(l);
	return h > t->touch_px ? h : t->touch_px;
}

/*
 * Every question that can still change the outcome, with those answered, a
 * row each: yes/no answered in place, the others (choices, dates, numbers)
 * open their own screen and come back. Rows are paged to fit the screen.
 */
void kiosk_screen_compact(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	struct col c = {t->pad, t->pad, k->ui->w - 2 * t->pad};
	kiosk_label(k, &c, "title", kiosk_text(k, "assisted.questions"), t->body_px, WF_BOLD);
	int qs[CONTENT_MAX_QUESTIONS];
	int n = flow_compact_list(&k->flow, qs, CONTENT_MAX_QUESTIONS);
	int aw = c.w * 9 / 20, tw = c.w - aw - t->gap, top = c.y, bottom = kiosk_bar_y(k) - t->gap;
	/* Page starts: as many rows as fit, in order. */
	int starts[CONTENT_MAX_QUESTIONS + 1], heights[CONTENT_MAX_QUESTIONS], pages = 0;
	for (int i = 0, y = top; i < n; i++) {
		int h = heights[i] = compact_row_h(k, &k->content->q[qs[i]], tw);
		if (i == 0 || y + h > bottom) {
			starts[pages++] = i;
			y = top;
		}
		y += h + t->gap;
	}
	starts[pages] = n;
	if (k->cq_page >= pages)
		k->cq_page = 0;
	int answered = 0;
	for (int i = 0; i < n; i++)
		answered += k->flow.facts.set[k->content->q[qs[i]].fact];
	int y = top;
	for (int i = pages ? starts[k->cq_page] : 0; i < (pages ? starts[k->cq_page + 1] : 0); i++) {
		const struct question *q = &k->content->q[qs[i]];
		int h = heights[i];
		char id[48];
		snprintf(id, sizeof id, "cq_%s", q->id);
		ui_label(k->ui, id, (SDL_Rect){c.x, y, tw, 0}, kiosk_question_text(k, q), k->flow.lang, t->small_px, 0);
		int ax = c.x + tw + t->gap;
		const struct facts *fs = &k->flow.facts;
		if (q->kind == Q_YESNO) {
			static const char *const keys[3] = {"answer.yes", "answer.no", "answer.unknown"};
			static const char *const ids[3] = {"yes", "no", "unknown"};
			int bw = (aw - 2 * t->gap / 2) / 3;
			for (int b = 0; b < 3; b++) {
				int v = b < 2 ? b : -1;
				int chosen = fs->set[q->fact] && (b < 2 ? fs->val[q->fact] == v : fs->val[q->fact] == FACT_UNKNOWN);
				snprintf(id, sizeof id, "cq_%s_%s", q->id, ids[b]);
				struct widget *w = kiosk_button(k, id, (SDL_Rect){ax + b * (bw + t->gap / 2), y, bw, t->touch_px},
							  kiosk_text(k, keys[b]), chosen ? WF_SELECTED : 0, ACT(A_CQ_ANSWER, qs[i] * 10 + b));
				w->size_px = t->small_px;
				ui_set_text(k->ui, w, "");
				ui_set_text(k->ui, w, kiosk_text(k, keys[b]));
			}
		} else {
			char ans[96];
			compact_answer_text(k, q, ans, sizeof ans);
			snprintf(id, sizeof id, "cq_%s_open", q->id);
			struct widget *w = kiosk_button(k, id, (SDL_Rect){ax, y, aw, t->touch_px},
						  *ans ? ans : kiosk_text(k, "assisted.answer"), *ans ? WF_SELECTED : 0,
						  ACT(A_CQ_OPEN, qs[i]));
			w->size_px = t->small_px;
			ui_set_text(k->ui, w, "");
			ui_set_text(k->ui, w, *ans ? ans : kiosk_text(k, "assisted.answer"));
		}
		y += h + t->gap;
	}
	/* Bar: Back, the next page (when there are more), the outcome. */
	int w = (k->ui->w - 2 * t->pad - 2 * t->gap) / 3;
	kiosk_button(k, "back", (SDL_Rect){t->pad, kiosk_bar_y(k), w, t->touch_px}, kiosk_text(k, "nav.back"), 0, ACT(A_BACK, 0));
	if (pages > 1) {
		struct buf pg;
		kiosk_page_text(k, k->cq_page, pages, &pg);
		kiosk_button(k, "page_next", (SDL_Rect){t->pad + w + t->gap, kiosk_bar_y(k), w, t->touch_px}, pg.data, 0,
		       ACT(A_CQ_PAGE, 0));
		buf_finish(&pg);
	}
	struct buf done;
	kiosk_count_text(k, "assisted.show_outcome", "answered", answered, n, &done);
	kiosk_button(k, "show_outcome", kiosk_main_action(k), done.data, WF_PRIMARY, ACT(A_CQ_DONE, 0));
	buf_finish(&done);
}

void kiosk_entry_key(struct kiosk *k, int digit)
{
	size_t n = strlen(k->entry);
	size_t max = k->mode == MODE_PIN ? 8
		     : k->flow.state == FS_QUESTION ? 4 : 15;
	if (n < max) {
		k->entry[n] = (char)('0' + digit);
		k->entry[n + 1] = '\0';
	}
}

enum tap_result kiosk_question_tap(struct kiosk *k, int a, int p)
{
	struct flow *f = &k->flow;
	switch (a) {
	case A_CQ_ANSWER: flow_compact_answer(f, p / 10, p % 10 == 2 ? -1 : p % 10); return TAP_DONE;
	case A_CQ_OPEN: flow_compact_open(f, p); return TAP_DONE;
	case A_CQ_DONE: flow_compact_done(f); return TAP_DONE;
	case A_CQ_PAGE: k->cq_page++; return TAP_DONE;
	case A_ANSWER: flow_answer(f, p); return TAP_DONE;
	case A_PICK: flow_pick(f, p); return TAP_DONE;
	case A_UNKNOWN: flow_answer(f, -1); return TAP_DONE;
	case A_KEY: kiosk_entry_key(k, p); return TAP_DONE;
	case A_KEY_DEL: {
		size_t n = strlen(k->entry);
		if (n)
			k->entry[n - 1] = '\0';
		return TAP_DONE;
	}
	case A_ENTRY_OK:
		if (f->state != FS_QUESTION)
			return TAP_NOT_MINE;
		if (k->content->q[f->q].kind == Q_NUMBER && k->entry[0])
			flow_answer(f, atoi(k->entry));
		return TAP_DONE;
	default: return TAP_NOT_MINE;
	}
}

#define LOG_MODULE "kiosk"
#include "kiosk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"
#include "clock.h"
#include "log.h"
#include "escpos.h"
#include "icons.h"
#include "receipt.h"
#include "mem.h"
#include "text.h"
#include "vi_input.h"

/* ---- text ----------------------------------------------------------------- */

const char *kiosk_text(const struct kiosk *k, const char *key)
{
	const struct catalog *c = strcmp(k->flow.lang, "km") ? k->vi : k->km;
	const char *t = catalog_get(c, key);
	return t ? t : key;
}

/* Fill {name} placeholders from a NULL-terminated list of name, value pairs. */
static void fill(struct buf *out, const char *tmpl, const char *const *kv)
{
	for (const char *p = tmpl; *p;) {
		if (*p == '{') {
			const char *e = strchr(p, '}');
			int done = 0;
			for (int i = 0; e && kv[i]; i += 2)
				if ((size_t)(e - p - 1) == strlen(kv[i]) && !memcmp(p + 1, kv[i], (size_t)(e - p - 1))) {
					buf_puts(out, kv[i + 1]);
					p = e + 1;
					done = 1;
					break;
				}
			if (done)
				continue;
		}
		buf_putc(out, *p++);
	}
}

/* The catalog text key with {name} = n and {total} = total, into a fresh buffer (buf_finish it). */
static void count_text(struct kiosk *k, const char *key, const char *name, int n, int total, struct buf *out)
{
	char sn[16], st[16];
	snprintf(sn, sizeof sn, "%d", n);
	snprintf(st, sizeof st, "%d", total);
	buf_init(out);
	fill(out, kiosk_text(k, key), (const char *const[]){name, sn, "total", st, NULL});
}

/* "Trang 2 / 4" for page (from 0) of pages. */
static void page_text(struct kiosk *k, int page, int pages, struct buf *out)
{
	count_text(k, "page", "n", page + 1, pages, out);
}

/* ---- layout helpers ---------------------------------------------------------- */

enum {
	A_START = 1, A_LANG_VI, A_LANG_KM, A_CONSENT_YES, A_CONSENT_NO, A_HOME, A_WHO, A_ANSWER, A_UNKNOWN,
	A_KEY, A_KEY_DEL, A_ENTRY_OK, A_BACK, A_SEND, A_FINISH, A_FIELD_NEXT, A_COMMUNE, A_PAGE_NEXT, A_PAGE_PREV,
	A_EDIT, A_REVIEW_SEND, A_RETRY, A_CONTINUE, A_DONE, A_REPLAY, A_STAFF, A_ASSISTED_START, A_ASSISTED_EXIT,
	A_CQ_ANSWER, A_CQ_OPEN, A_CQ_DONE, A_CQ_PAGE
};


struct col {
	int x, y, w;
};

static struct widget *label(struct kiosk *k, struct col *c, const char *id, const char *text, int size, unsigned fl)
{
	struct widget *w = ui_label(k->ui, id, (SDL_Rect){c->x, c->y, c->w, 0}, text, k->flow.lang, size, fl);
	c->y += w->r.h + k->ui->theme.gap;
	return w;
}

static void on_tap(void *ctx, struct widget *w);

/* A button's arg is action * 1000 + parameter (an answer value, a commune index, a field). */
#define ACT(a, p) ((a) * 1000 + (p))

static struct widget *button(struct kiosk *k, const char *id, SDL_Rect r, const char *text, unsigned fl, int arg)
{
	return ui_button(k->ui, id, r, text, k->flow.lang, fl, on_tap, k, arg);
}

/* The bottom bar: Back on the left (when there is somewhere to go back to), the main action on the right. */
static int bar_y(struct kiosk *k)
{
	return k->ui->h - k->ui->theme.pad - k->ui->theme.touch_px;
}

/* The spoken prompt of the screen on show, or "". */
static const char *prompt_key(const struct kiosk *k)
{
	static char key[64];
	const struct flow *f = &k->flow;
	switch (f->state) {
	case FS_LANGUAGE: return "lang.title";
	case FS_CONSENT: return "consent.body";
	case FS_WHO: return "who.title";
	case FS_QUESTION: return k->content->q[f->q].text_key;
	case FS_OUTCOME:
		snprintf(key, sizeof key, "outcome.%s.title", outcome_name(f->result.outcome));
		return key;
	case FS_CONTACT: return f->field == 0 ? "contact.title" : "";
	case FS_REVIEW: return "review.title";
	case FS_RECEIPT: return "receipt.title";
	default: return "";
	}
}

/* Back on the left; the replay-the-prompt button in the middle when there is a prompt. */
static void back_button(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	int w = (k->ui->w - 2 * t->pad - 2 * t->gap) / 3;
	button(k, "back", (SDL_Rect){t->pad, bar_y(k), w, t->touch_px}, kiosk_text(k, "nav.back"), 0, ACT(A_BACK, 0));
	const char *p = prompt_key(k);
	if (k->audio && *p && audio_has(k->audio, k->flow.lang, p))
		button(k, "replay", (SDL_Rect){t->pad + w + t->gap, bar_y(k), w, t->touch_px}, kiosk_text(k, "nav.replay"), 0,
		       ACT(A_REPLAY, 0));
}

/* The bottom bar has three equal places: Back, replay the prompt, the main action. */
static SDL_Rect main_action_rect(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	int w = (k->ui->w - 2 * t->pad - 2 * t->gap) / 3;
	return (SDL_Rect){k->ui->w - t->pad - w, bar_y(k), w, t->touch_px};
}

/* A grid of n buttons inside [y, y_end): as many columns as needed to fit the rows. */
static void grid(struct kiosk *k, int y, int y_end, int n, int min_cols, const char *const *ids,
		 const char *const *texts, const int *args, const unsigned *flags)
{
	const struct ui_theme *t = &k->ui->theme;
	int cols = min_cols, rows;
	int row_h = t->touch_px;
	for (;; cols++) {
		rows = (n + cols - 1) / cols;
		if (rows * row_h + (rows - 1) * t->gap <= y_end - y || cols >= 4)
			break;
	}
	int avail_h = y_end - y - (rows - 1) * t->gap;
	int h = rows ? avail_h / rows : 0;
	if (h > t->touch_px * 3 / 2)
		h = t->touch_px * 3 / 2;
	if (h < t->touch_px)
		h = t->touch_px;
	int w = (k->ui->w - 2 * t->pad - (cols - 1) * t->gap) / cols;
	for (int i = 0; i < n; i++) {
		int r = i / cols, c = i % cols;
		SDL_Rect rc = {t->pad + c * (w + t->gap), y + r * (h + t->gap), w, h};
		struct widget *b = button(k, ids[i], rc, texts[i], flags ? flags[i] : 0, args ? args[i] : i);
		b->size_px = t->button_px;
		if (b->overflow) {
			/* Long labels (Khmer choices) get the small size rather than being clipped. */
			b->size_px = t->small_px;
			ui_set_flags(k->ui, b, 0, 0);
			ui_set_text(k->ui, b, "");
			ui_set_text(k->ui, b, texts[i]);
		}
	}
}

/* ---- screens ------------------------------------------------------------------------ */


static void screen_attract(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	struct col c = {t->pad, k->ui->h / 5, k->ui->w - 2 * t->pad};
	/* Both languages: the resident has not chosen yet. */
	const char *vi_title = catalog_get(k->vi, "attract.title"), *km_title = catalog_get(k->km, "attract.title");
	ui_label(k->ui, "title_vi", (SDL_Rect){c.x, c.y, c.w, 0}, vi_title, "vi", t->title_px, WF_BOLD | WF_CENTER);
	c.y += t->title_px * 2;
	ui_label(k->ui, "title_km", (SDL_Rect){c.x, c.y, c.w, 0}, km_title, "km", t->title_px, WF_BOLD | WF_CENTER);
	c.y += t->title_px * 2 + t->gap;
	/* The buttons' size: one font fewer to open before the first frame. */
	struct widget *b = ui_label(k->ui, "body", (SDL_Rect){c.x, c.y, c.w, 0}, catalog_get(k->vi, "attract.body"), "vi",
				    t->button_px, WF_CENTER | WF_MUTED);
	(void)b;
	/* The whole screen is the start button; its label says so in both languages. */
	struct buf s;
	buf_init(&s);
	buf_printf(&s, "%s · %s", catalog_get(k->vi, "attract.touch"), catalog_get(k->km, "attract.touch"));
	/* Staff (outreach, assisted mode): a small corner button, behind a PIN. */
	ui_button(k->ui, "staff", (SDL_Rect){k->ui->w - t->pad - k->ui->w / 6, t->pad / 2, k->ui->w / 6, t->touch_px * 3 / 4},
		  catalog_get(k->vi, "assisted.staff"), "vi", WF_MUTED, on_tap, k, ACT(A_STAFF, 0));
	button(k, "start", (SDL_Rect){t->pad, bar_y(k) - t->touch_px / 2, k->ui->w - 2 * t->pad,
							      t->touch_px * 3 / 2}, s.data, WF_PRIMARY, ACT(A_START, 0));
		buf_finish(&s);
}

static void screen_language(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	int w = k->ui->w - 2 * t->pad;
	ui_label(k->ui, "title", (SDL_Rect){t->pad, t->pad, w, 0}, catalog_get(k->vi, "lang.title"), "vi", t->title_px,
		 WF_BOLD | WF_CENTER);
	ui_label(k->ui, "title_km", (SDL_Rect){t->pad, t->pad + t->title_px * 3 / 2, w, 0}, catalog_get(k->km, "lang.title"),
		 "km", t->title_px, WF_BOLD | WF_CENTER);
	int y = t->pad + t->title_px * 4;
	int h = (bar_y(k) - t->gap - y - t->gap) / 2;
	ui_button(k->ui, "lang_vi", (SDL_Rect){t->pad, y, w, h}, catalog_get(k->vi, "lang.vi"), "vi", WF_PRIMARY, on_tap, k,
		  ACT(A_LANG_VI, 0));
	ui_button(k->ui, "lang_km", (SDL_Rect){t->pad, y + h + t->gap, w, h}, catalog_get(k->km, "lang.km"), "km",
		  WF_PRIMARY, on_tap, k, ACT(A_LANG_KM, 0));
	back_button(k);
}

static void screen_consent(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	struct col c = {t->pad, t->pad, k->ui->w - 2 * t->pad};
	label(k, &c, "title", kiosk_text(k, "consent.title"), t->title_px, WF_BOLD);
	label(k, &c, "body", kiosk_text(k, "consent.body"), t->body_px, 0);
	label(k, &c, "question", kiosk_text(k, "consent.question"), t->body_px, WF_BOLD);
	int w = (k->ui->w - 2 * t->pad - 2 * t->gap) / 3;
	int y = bar_y(k);
	button(k, "back", (SDL_Rect){t->pad, y, w, t->touch_px}, kiosk_text(k, "nav.back"), 0, ACT(A_BACK, 0));
	/* Never pre-selected: two equal choices, the resident picks one. */
	button(k, "consent_no", (SDL_Rect){t->pad + w + t->gap, y, w, t->touch_px}, kiosk_text(k, "consent.decline"), 0,
	       ACT(A_CONSENT_NO, 0));
	button(k, "consent_yes", (SDL_Rect){t->pad + 2 * (w + t->gap), y, w, t->touch_px}, kiosk_text(k, "consent.agree"),
	       0, ACT(A_CONSENT_YES, 0));
}

static void screen_declined(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	struct col c = {t->pad, t->pad * 3, k->ui->w - 2 * t->pad};
	label(k, &c, "title", kiosk_text(k, "declined.title"), t->title_px, WF_BOLD | WF_CENTER);
	struct buf b;
	buf_init(&b);
	fill(&b, kiosk_text(k, "declined.body"), (const char *const[]){"phone", k->content->center_phone, NULL});
	label(k, &c, "body", b.data, t->body_px, WF_CENTER);
	buf_finish(&b);
	button(k, "home", main_action_rect(k), kiosk_text(k, "nav.home"), WF_PRIMARY, ACT(A_HOME, 0));
}

static void screen_who(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	struct col c = {t->pad, t->pad, k->ui->w - 2 * t->pad};
	label(k, &c, "title", kiosk_text(k, "who.title"), t->title_px, WF_BOLD);
	label(k, &c, "body", kiosk_text(k, "who.body"), t->body_px, WF_MUTED);
	const char *ids[] = {"who_self", "who_family", "who_other"};
	const char *texts[] = {kiosk_text(k, "who.self"), kiosk_text(k, "who.family"), kiosk_text(k, "who.other")};
	int args[] = {ACT(A_WHO, WHO_SELF), ACT(A_WHO, WHO_FAMILY), ACT(A_WHO, WHO_OTHER)};
	grid(k, c.y + t->gap, bar_y(k) - t->gap, 3, 1, ids, texts, args, NULL);
	back_button(k);
}

static void progress(struct kiosk *k, struct col *c)
{
	if (k->flow.compact) /* opened from the list, which counts the answers */
		return;
	const struct ui_theme *t = &k->ui->theme;
	int n, total;
	flow_progress(&k->flow, &n, &total);
	struct buf b;
	count_text(k, "progress", "n", n, total, &b);
	label(k, c, "progress_text", b.data, t->small_px, WF_MUTED);
	buf_finish(&b);
	ui_progress(k->ui, "progress", (SDL_Rect){c->x, c->y, c->w, t->gap}, n - 1, total);
	c->y += 2 * t->gap;
}

/* Digits typed on the keypad, shown as the entry expects (DD/MM/YYYY for dates). */
static void entry_display(struct kiosk *k, enum question_kind kind, char *out, size_t n)
{
	if (kind != Q_DATE) {
		/* A number entry shorter than out (the keypad caps it); cut, never overflow, if it ever is not. */
		const char *s = k->entry[0] ? k->entry : "_";
		size_t l = strnlen(s, n - 1);
		memcpy(out, s, l);
		out[l] = '\0';
		return;
	}
	char d[9] = "________";
	memcpy(d, k->entry, strlen(k->entry) > 8 ? 8 : strlen(k->entry));
	snprintf(out, n, "%.2s / %.2s / %.4s", d, d + 2, d + 4);
}

static int entry_date(const struct kiosk *k, struct date *out)
{
	if (strlen(k->entry) != 8)
		return 0;
	int v[8];
	for (int i = 0; i < 8; i++)
		v[i] = k->entry[i] - '0';
	struct date d = {v[4] * 1000 + v[5] * 100 + v[6] * 10 + v[7], v[2] * 10 + v[3], v[0] * 10 + v[1]};
	if (!date_valid(d) || date_cmp(d, k->flow.today) > 0)
		return 0;
	*out = d;
	return 1;
}

static void keypad(struct kiosk *k, SDL_Rect area)
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
		ui_button(k->ui, id, r, keys[i], k->flow.lang, i == 11 ? WF_PRIMARY : 0, on_tap, k,
			  ACT(action, i == 10 ? 0 : i + 1));
	}
}

/* The question in bold, its picture (when the pack has one) side px square on its left. */
static void question_label(struct kiosk *k, struct col *c, const struct question *q, int size, int side)
{
	const struct ui_theme *t = &k->ui->theme;
	SDL_Surface *img = icons_get(k->icons, q->icon, side);
	if (!img) {
		label(k, c, "question", kiosk_text(k, q->text_key), size, WF_BOLD);
		return;
	}
	ui_image(k->ui, "picture", (SDL_Rect){c->x, c->y, side, side}, img);
	struct col tc = {c->x + side + t->gap, c->y, c->w - side - t->gap};
	label(k, &tc, "question", kiosk_text(k, q->text_key), size, WF_BOLD);
	int below = c->y + side + t->gap;
	c->y = tc.y > below ? tc.y : below;
}

static void screen_question(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	const struct question *q = &k->content->q[k->flow.q];
	struct col c = {t->pad, t->pad, k->ui->w - 2 * t->pad};
	progress(k, &c);
	if (q->kind == Q_DATE || q->kind == Q_NUMBER) {
		/* Question and entry on the left, keypad on the right. */
		int half = (k->ui->w - 2 * t->pad - t->gap) / 2;
		struct col l = {t->pad, c.y, half};
		question_label(k, &l, q, t->body_px, t->touch_px);
		char disp[64];
		entry_display(k, q->kind, disp, sizeof disp);
		ui_field(k->ui, "entry", (SDL_Rect){l.x, l.y, half, t->touch_px}, disp, "vi", WF_FOCUSED);
		l.y += t->touch_px + t->gap;
		if (q->kind == Q_NUMBER) {
			char key[80];
			snprintf(key, sizeof key, "%s.none", q->text_key);
			button(k, "answer_none", (SDL_Rect){l.x, l.y, half, t->touch_px}, kiosk_text(k, key), 0, ACT(A_UNKNOWN, 0));
			l.y += t->touch_px + t->gap;
		}
		button(k, "answer_unknown", (SDL_Rect){l.x, l.y, half, t->touch_px}, kiosk_text(k, "answer.unknown"), 0,
		       ACT(A_UNKNOWN, 0));
		keypad(k, (SDL_Rect){t->pad + half + t->gap, c.y, half, bar_y(k) - t->gap - c.y});
		back_button(k);
		return;
	}
	question_label(k, &c, q, t->body_px * 6 / 5, t->touch_px * 5 / 4);
	const char *ids[FACT_MAX_VALUES + 1];
	const char *texts[FACT_MAX_VALUES + 1];
	int args[FACT_MAX_VALUES + 1];
	char idbuf[FACT_MAX_VALUES + 1][48], keybuf[FACT_MAX_VALUES][96];
	int n = 0;
	const struct fact_def *fd = fact_def(q->fact);
	if (q->kind == Q_YESNO) {
		ids[n] = "answer_yes", texts[n] = kiosk_text(k, "answer.yes"), args[n++] = ACT(A_ANSWER, 0);
		ids[n] = "answer_no", texts[n] = kiosk_text(k, "answer.no"), args[n++] = ACT(A_ANSWER, 1);
	} else {
		for (int v = 0; v < fd->nvalues; v++) {
			if (!(q->choices >> v & 1))
				continue;
			snprintf(idbuf[n], sizeof idbuf[n], "choice_%s", fd->values[v]);
			snprintf(keybuf[n], sizeof keybuf[n], "%s.%s", q->text_key, fd->values[v]);
			ids[n] = idbuf[n];
			texts[n] = kiosk_text(k, keybuf[n]);
			args[n++] = ACT(A_ANSWER, v);
		}
	}
	ids[n] = "answer_unknown", texts[n] = kiosk_text(k, "answer.unknown"), args[n++] = ACT(A_UNKNOWN, 0);
	grid(k, c.y + t->gap, bar_y(k) - t->gap, n, q->kind == Q_YESNO ? 3 : 2, ids, texts, args, NULL);
	back_button(k);
}

/* ---- assisted mode: the compact list of questions ---------------------------------------------- */

/* What question q's answer says, for its row ("" when not answered). */
static void compact_answer_text(struct kiosk *k, const struct question *q, char *out, size_t n)
{
	const struct facts *fs = &k->flow.facts;
	out[0] = '\0';
	if (!fs->set[q->fact])
		return;
	int v = fs->val[q->fact];
	if (q->fact == F_BIRTH_DATE && v != FACT_UNKNOWN) {
		snprintf(out, n, "%02d/%02d/%04d", fs->birth_date.d, fs->birth_date.m, fs->birth_date.y);
	} else if (v == FACT_UNKNOWN) {
		snprintf(out, n, "%s", kiosk_text(k, "answer.unknown"));
	} else if (q->kind == Q_NUMBER) {
		snprintf(out, n, "%d", v);
	} else if (q->kind == Q_CHOICE) {
		char key[96];
		snprintf(key, sizeof key, "%s.%s", q->text_key, fact_def(q->fact)->values[v]);
		snprintf(out, n, "%s", kiosk_text(k, key));
	}
}

/* Height of question q's row: its text at the small size beside the answers, or one touch target. */
static int compact_row_h(struct kiosk *k, const struct question *q, int text_w)
{
	const struct ui_theme *t = &k->ui->theme;
	struct text_layout *l = text_layout(k->ui->text, kiosk_text(k, q->text_key), t->small_px, TEXT_REGULAR, text_w,
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
static void screen_compact(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	struct col c = {t->pad, t->pad, k->ui->w - 2 * t->pad};
	label(k, &c, "title", kiosk_text(k, "assisted.questions"), t->body_px, WF_BOLD);
	int qs[CONTENT_MAX_QUESTIONS];
	int n = flow_compact_list(&k->flow, qs, CONTENT_MAX_QUESTIONS);
	int aw = c.w * 9 / 20, tw = c.w - aw - t->gap, top = c.y, bottom = bar_y(k) - t->gap;
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
		ui_label(k->ui, id, (SDL_Rect){c.x, y, tw, 0}, kiosk_text(k, q->text_key), k->flow.lang, t->small_px, 0);
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
				struct widget *w = button(k, id, (SDL_Rect){ax + b * (bw + t->gap / 2), y, bw, t->touch_px},
							  kiosk_text(k, keys[b]), chosen ? WF_SELECTED : 0, ACT(A_CQ_ANSWER, qs[i] * 10 + b));
				w->size_px = t->small_px;
				ui_set_text(k->ui, w, "");
				ui_set_text(k->ui, w, kiosk_text(k, keys[b]));
			}
		} else {
			char ans[96];
			compact_answer_text(k, q, ans, sizeof ans);
			snprintf(id, sizeof id, "cq_%s_open", q->id);
			struct widget *w = button(k, id, (SDL_Rect){ax, y, aw, t->touch_px},
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
	button(k, "back", (SDL_Rect){t->pad, bar_y(k), w, t->touch_px}, kiosk_text(k, "nav.back"), 0, ACT(A_BACK, 0));
	if (pages > 1) {
		struct buf pg;
		page_text(k, k->cq_page, pages, &pg);
		button(k, "page_next", (SDL_Rect){t->pad + w + t->gap, bar_y(k), w, t->touch_px}, pg.data, 0,
		       ACT(A_CQ_PAGE, 0));
		buf_finish(&pg);
	}
	struct buf done;
	count_text(k, "assisted.show_outcome", "answered", answered, n, &done);
	button(k, "show_outcome", main_action_rect(k), done.data, WF_PRIMARY, ACT(A_CQ_DONE, 0));
	buf_finish(&done);
}

static void screen_outcome(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	const struct screen_result *res = &k->flow.result;
	struct col c = {t->pad, t->pad, k->ui->w - 2 * t->pad};
	char key[96];
	const char *on = outcome_name(res->outcome);
	if (res->urgent) {
		struct widget *p = ui_panel(k->ui, "urgent_bg", (SDL_Rect){0, 0, k->ui->w, t->pad + t->body_px * 2}, WF_DANGER);
		(void)p;
		ui_label(k->ui, "urgent", (SDL_Rect){t->pad, t->pad / 2, c.w, 0}, kiosk_text(k, "outcome.urgent"), k->flow.lang,
			 t->body_px, WF_BOLD | WF_INVERSE);
		c.y = t->pad + t->body_px * 2 + t->gap;
	}
	snprintf(key, sizeof key, "outcome.%s.title", on);
	label(k, &c, "title", kiosk_text(k, key), t->title_px, WF_BOLD);
	/* Why: the groups in plain words. */
	struct buf groups, body;
	buf_init(&groups);
	buf_init(&body);
	enum tri want = res->outcome == OUTCOME_LIKELY_ELIGIBLE ? TRI_YES : TRI_MAYBE;
	for (int s = 0; s < res->nslots; s++)
		if (res->slot[s] == want) {
			snprintf(key, sizeof key, "group.%s", k->rules->slot_id[s]);
			buf_printf(&groups, "%s%s", groups.len ? ", " : "", kiosk_text(k, key));
		}
	snprintf(key, sizeof key, "outcome.%s.body", on);
	fill(&body, kiosk_text(k, key), (const char *const[]){"groups", groups.data ? groups.data : "", NULL});
	label(k, &c, "body", body.data, t->body_px, 0);
	buf_finish(&groups);
	buf_finish(&body);
	/* Papers for the groups this outcome is about (confirmed, or those staff will check). */
	const char *docs[RULES_MAX_GROUPS * RULES_MAX_DOCS];
	int ndocs = 0;
	for (int g = 0; res->outcome != OUTCOME_OUTSIDE_SCOPE && g < k->rules->ngroups; g++) {
		const struct rule_group *rg = &k->rules->groups[g];
		if (res->slot[rg->slot] != want || !rules_in_force(rg, res->on))
			continue;
		for (int i = 0; i < rg->ndocs; i++) {
			int dup = 0;
			for (int j = 0; j < ndocs; j++)
				dup |= !strcmp(docs[j], rg->docs[i]);
			if (!dup)
				docs[ndocs++] = rg->docs[i];
		}
	}
	if (ndocs) {
		label(k, &c, "documents_title", kiosk_text(k, "outcome.documents"), t->body_px, WF_BOLD);
		for (int i = 0; i < ndocs; i++) {
			char id[32];
			struct buf line;
			buf_init(&line);
			snprintf(key, sizeof key, "doc.%s", docs[i]);
			buf_printf(&line, "• %s", kiosk_text(k, key));
			snprintf(id, sizeof id, "doc_%d", i);
			label(k, &c, id, line.data, t->body_px, 0);
			buf_finish(&line);
		}
	} else if (res->outcome == OUTCOME_LIKELY_ELIGIBLE || res->outcome == OUTCOME_STAFF_REVIEW) {
		label(k, &c, "no_documents", kiosk_text(k, "outcome.no_documents"), t->body_px, 0);
	}
	int w = (k->ui->w - 2 * t->pad - 2 * t->gap) / 3;
	int y = bar_y(k);
	button(k, "back", (SDL_Rect){t->pad, y, w, t->touch_px}, kiosk_text(k, "nav.back"), 0, ACT(A_BACK, 0));
	button(k, "finish", (SDL_Rect){t->pad + w + t->gap, y, w, t->touch_px}, kiosk_text(k, "outcome.finish"), 0, ACT(A_FINISH, 0));
	button(k, "send", (SDL_Rect){t->pad + 2 * (w + t->gap), y, w, t->touch_px}, kiosk_text(k, "outcome.send"), WF_PRIMARY,
	       ACT(A_SEND, 0));
}

static const char *const field_label_keys[FIELD_COUNT] = {"contact.name", "contact.phone", "contact.commune",
							   "contact.address", "contact.matter"};

static char **field_value(struct kiosk *k, enum flow_field f)
{
	struct contact *c = &k->flow.contact;
	char **v[FIELD_COUNT] = {&c->name, &c->phone, &c->commune_code, &c->address, &c->matter};
	return v[f];
}

static const char *commune_name(const struct kiosk *k, const char *code)
{
	for (int i = 0; code && i < k->content->ncommunes; i++)
		if (!strcmp(k->content->communes[i].code, code))
			return k->content->communes[i].name;
	return code;
}

static void screen_contact(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	enum flow_field f = (enum flow_field)k->flow.field;
	struct col c = {t->pad, t->pad, k->ui->w - 2 * t->pad};
	/*
	 * A refused field's message goes right under the field, in the line the
	 * screen's caption takes otherwise: the keyboard keeps all its room
	 * (the Khmer one has five rows).
	 */
	if (!k->field_error[0])
		label(k, &c, "title", kiosk_text(k, "contact.title"), t->small_px, WF_MUTED);
	label(k, &c, "field_label", kiosk_text(k, field_label_keys[f]), t->body_px, WF_BOLD);
	if (f == FIELD_COMMUNE) {
		/* A paged list of the province's communes. */
		int per = 8, n = k->content->ncommunes;
		int pages = (n + per - 1) / per;
		if (k->page >= pages)
			k->page = 0;
		const char *ids[10], *texts[10];
		int args[10];
		unsigned flags[10];
		char idb[8][24];
		int m = 0;
		const char *cur = k->flow.contact.commune_code;
		for (int i = k->page * per; i < n && m < per; i++, m++) {
			snprintf(idb[m], sizeof idb[m], "commune_%s", k->content->communes[i].code);
			ids[m] = idb[m];
			texts[m] = k->content->communes[i].name;
			args[m] = ACT(A_COMMUNE, i);
			flags[m] = cur && !strcmp(cur, k->content->communes[i].code) ? WF_SELECTED : 0;
		}
		grid(k, c.y, bar_y(k) - t->gap - t->touch_px - t->gap, m, 2, ids, texts, args, flags);
		int w = (k->ui->w - 2 * t->pad - 2 * t->gap) / 3;
		int y = bar_y(k) - t->gap - t->touch_px;
		struct buf pg;
		page_text(k, k->page, pages, &pg);
		button(k, "page_prev", (SDL_Rect){t->pad, y, w, t->touch_px}, kiosk_text(k, "nav.prev_page"), 0,
		       ACT(A_PAGE_PREV, 0));
		ui_label(k->ui, "page", (SDL_Rect){t->pad + w + t->gap, y + (t->touch_px - t->body_px * 3 / 2) / 2, w, 0},
			 pg.data, k->flow.lang, t->body_px, WF_CENTER | WF_MUTED);
		buf_finish(&pg);
		button(k, "page_next", (SDL_Rect){t->pad + 2 * (w + t->gap), y, w, t->touch_px}, kiosk_text(k, "nav.next_page"),
		       0, ACT(A_PAGE_NEXT, 0));
	} else {
		const char *v = k->entry;
		ui_field(k->ui, "field", (SDL_Rect){c.x, c.y, c.w, t->touch_px}, v, k->flow.lang, WF_FOCUSED);
		c.y += t->touch_px + t->gap;
		/* Why the field was refused, until the resident moves on. */
		if (k->field_error[0])
			label(k, &c, "field_error", kiosk_text(k, k->field_error), t->small_px, WF_DANGER | WF_BOLD);
		if (f == FIELD_PHONE) {
			keypad(k, (SDL_Rect){k->ui->w / 4, c.y, k->ui->w / 2, bar_y(k) - t->gap - c.y});
		} else {
			kiosk_keyboard(k, (SDL_Rect){t->pad, c.y, c.w, bar_y(k) - t->gap - c.y});
		}
	}
	int w = (k->ui->w - 2 * t->pad) / 3;
	button(k, "back", (SDL_Rect){t->pad, bar_y(k), w, t->touch_px}, kiosk_text(k, "nav.back"), 0, ACT(A_BACK, 0));
	button(k, "next", main_action_rect(k), kiosk_text(k, "nav.next"), WF_PRIMARY, ACT(A_FIELD_NEXT, 0));
}

static void screen_review(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	struct col c = {t->pad, t->pad, k->ui->w - 2 * t->pad};
	label(k, &c, "title", kiosk_text(k, "review.title"), t->title_px, WF_BOLD);
	int ew = k->ui->w / 6;
	for (int f = 0; f < FIELD_COUNT; f++) {
		char **v = field_value(k, (enum flow_field)f);
		if (!*v && f != FIELD_NAME)
			continue;
		struct buf line;
		buf_init(&line);
		buf_printf(&line, "%s: %s", kiosk_text(k, field_label_keys[f]),
			   f == FIELD_COMMUNE ? commune_name(k, *v) : (*v ? *v : ""));
		char id[24];
		snprintf(id, sizeof id, "review_%d", f);
		struct col lc = {c.x, c.y, c.w - ew - t->gap};
		label(k, &lc, id, line.data, t->body_px, 0);
		buf_finish_wipe(&line);
		snprintf(id, sizeof id, "edit_%d", f);
		button(k, id, (SDL_Rect){c.x + c.w - ew, c.y, ew, t->touch_px * 3 / 4}, kiosk_text(k, "nav.edit"), 0,
		       ACT(A_EDIT, f));
		c.y = (lc.y > c.y + t->touch_px * 3 / 4 + t->gap) ? lc.y : c.y + t->touch_px * 3 / 4 + t->gap;
	}
	back_button(k);
	button(k, "send", main_action_rect(k), kiosk_text(k, "review.send"), WF_PRIMARY, ACT(A_REVIEW_SEND, 0));
}

static void screen_message(struct kiosk *k, const char *title_key, const char *body_key, int retry)
{
	const struct ui_theme *t = &k->ui->theme;
	struct col c = {t->pad, k->ui->h / 4, k->ui->w - 2 * t->pad};
	label(k, &c, "title", kiosk_text(k, title_key), t->title_px, WF_BOLD | WF_CENTER);
	if (body_key)
		label(k, &c, "body", kiosk_text(k, body_key), t->body_px, WF_CENTER);
	if (retry) {
		back_button(k);
		button(k, "retry", main_action_rect(k), kiosk_text(k, "review.send"), WF_PRIMARY, ACT(A_RETRY, 0));
	}
}

/* The first 8 hex digits, grouped and upper case, are what a person reads out; the QR holds the full id. */
static void receipt_number(const struct kiosk *k, char *out, size_t n)
{
	snprintf(out, n, "%.4s-%.4s", k->flow.receipt, k->flow.receipt + 4);
	for (char *p = out; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
}

static void screen_receipt(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	int qr = k->ui->h / 2;
	struct col c = {t->pad, t->pad, k->ui->w - 3 * t->pad - qr};
	label(k, &c, "title", kiosk_text(k, "receipt.title"), t->title_px, WF_BOLD);
	label(k, &c, "number_label", kiosk_text(k, "receipt.number"), t->body_px, WF_MUTED);
	char shown[16];
	receipt_number(k, shown, sizeof shown);
	label(k, &c, "number", shown, t->title_px * 3 / 2, WF_BOLD);
	struct buf b;
	buf_init(&b);
	fill(&b, kiosk_text(k, "receipt.body"), (const char *const[]){"phone", k->content->center_phone, NULL});
	label(k, &c, "body", b.data, t->body_px, 0);
	buf_finish(&b);
	ui_qr(k->ui, "qr", (SDL_Rect){k->ui->w - t->pad - qr, t->pad, qr, qr}, k->flow.receipt);
	if (k->print != KIOSK_PRINT_NONE) {
		static const char *const keys[] = {"", "receipt.printing", "receipt.printed", "receipt.print_unplugged",
						   "receipt.print_no_paper", "receipt.print_stalled", "receipt.print_failed"};
		label(k, &c, "print_status", kiosk_text(k, keys[k->print]), t->small_px,
		      k->print >= KIOSK_PRINT_UNPLUGGED ? WF_DANGER : WF_MUTED);
	}
	button(k, "done", main_action_rect(k), kiosk_text(k, "receipt.done"), WF_PRIMARY, ACT(A_DONE, 0));
}

/* The paper receipt, in the resident's language: drawn by the text layer, sent as ESC/POS. */
static void print_receipt(struct kiosk *k)
{
	if (!k->ops.print)
		return;
	const struct flow *f = &k->flow;
	char shown[16], date[16], okey[64];
	receipt_number(k, shown, sizeof shown);
	snprintf(date, sizeof date, "%02d/%02d/%04d", f->today.d, f->today.m, f->today.y);
	snprintf(okey, sizeof okey, "outcome.%s.title", outcome_name(f->result.outcome));
	struct buf db, foot;
	buf_init(&db);
	buf_init(&foot);
	fill(&db, kiosk_text(k, "receipt.date"), (const char *const[]){"date", date, NULL});
	fill(&foot, kiosk_text(k, "receipt.body"), (const char *const[]){"phone", k->content->center_phone, NULL});
	const char *docs[RULES_MAX_GROUPS * RULES_MAX_DOCS + 1];
	char dkeys[RULES_MAX_GROUPS * RULES_MAX_DOCS][64];
	int nd = 0;
	for (int i = 0; i < f->result.ndocs; i++) {
		snprintf(dkeys[nd], sizeof dkeys[nd], "doc.%s", f->result.docs[i]);
		docs[nd] = kiosk_text(k, dkeys[nd]);
		nd++;
	}
	docs[nd] = NULL;
	struct receipt_info info = {f->lang, kiosk_text(k, "receipt.title"), kiosk_text(k, "receipt.number"), shown,
				    f->receipt, db.data, kiosk_text(k, okey), kiosk_text(k, "outcome.documents"), docs,
				    foot.data};
	struct escpos_image img;
	struct diag d = {""};
	if (receipt_render(k->ui->text, &info, k->ops.paper_dots ? k->ops.paper_dots : ESCPOS_DOTS_58MM, &img, &d)) {
		log_error("receipt_render_failed");
		k->print = KIOSK_PRINT_FAILED;
	} else {
		struct buf out;
		buf_init(&out);
		escpos_encode(&out, &img, 4, 1);
		k->print = KIOSK_PRINT_BUSY;
		k->ops.print(k->ops.ctx, out.data, out.len);
		buf_finish(&out);
		free(img.bits);
	}
	buf_finish(&db);
	buf_finish(&foot);
}

void kiosk_print_done(struct kiosk *k, enum kiosk_print result)
{
	if (k->print != KIOSK_PRINT_BUSY)
		return; /* reset meanwhile: the next resident's screen is not told */
	k->print = result;
	if (k->flow.state == FS_RECEIPT)
		kiosk_show(k);
}

static void screen_pin(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	int half = (k->ui->w - 2 * t->pad - t->gap) / 2;
	struct col l = {t->pad, t->pad, half};
	label(k, &l, "title", kiosk_text(k, "assisted.title"), t->title_px, WF_BOLD);
	label(k, &l, "pin_label", kiosk_text(k, "assisted.pin"), t->body_px, 0);
	char dots[16] = "";
	for (size_t i = 0; i < strlen(k->entry) && i < 8; i++)
		strcat(dots, "*");
	ui_field(k->ui, "entry", (SDL_Rect){l.x, l.y, half, t->touch_px}, dots[0] ? dots : " ", "vi", WF_FOCUSED);
	l.y += t->touch_px + t->gap;
	uint64_t now = clock_mono_ns();
	if (now < k->locked_until_ns) {
		char s[16];
		snprintf(s, sizeof s, "%llu", (unsigned long long)((k->locked_until_ns - now) / 1000000000u + 1));
		struct buf b;
		buf_init(&b);
		fill(&b, kiosk_text(k, "assisted.locked"), (const char *const[]){"seconds", s, NULL});
		label(k, &l, "pin_message", b.data, t->body_px, WF_DANGER);
		buf_finish(&b);
	} else if (k->pin_fails) {
		char s[16];
		snprintf(s, sizeof s, "%d", 5 - k->pin_fails);
		struct buf b;
		buf_init(&b);
		fill(&b, kiosk_text(k, "assisted.wrong"), (const char *const[]){"left", s, NULL});
		label(k, &l, "pin_message", b.data, t->body_px, WF_DANGER);
		buf_finish(&b);
	}
	keypad(k, (SDL_Rect){t->pad + half + t->gap, t->pad, half, bar_y(k) - t->gap - t->pad});
	back_button(k);
}

static void screen_status(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	struct col c = {t->pad, t->pad, k->ui->w - 2 * t->pad};
	struct kiosk_status st = {0, 0, 0, -1, "", 0};
	if (k->ops.status)
		k->ops.status(k->ops.ctx, &st);
	label(k, &c, "title", kiosk_text(k, "assisted.title"), t->title_px, WF_BOLD);
	char held[24], del[24], pct[16];
	snprintf(held, sizeof held, "%lld", st.held);
	snprintf(del, sizeof del, "%lld", st.delivered);
	snprintf(pct, sizeof pct, "%d", st.battery);
	struct buf b;
	buf_init(&b);
	fill(&b, kiosk_text(k, "assisted.status"),
	     (const char *const[]){"held", held, "delivered", del, "last",
				   st.last_sync[0] ? st.last_sync : kiosk_text(k, "assisted.never"), NULL});
	if (st.last_sync_failed) {
		buf_puts(&b, " ");
		buf_puts(&b, kiosk_text(k, "assisted.sync_failed"));
	}
	label(k, &c, "status", b.data, t->body_px, 0);
	buf_finish(&b);
	if (st.refused > 0) {
		char n[24];
		snprintf(n, sizeof n, "%lld", st.refused);
		buf_init(&b);
		fill(&b, kiosk_text(k, "assisted.refused"), (const char *const[]){"n", n, NULL});
		label(k, &c, "refused", b.data, t->body_px, WF_DANGER);
		buf_finish(&b);
	}
	buf_init(&b);
	if (st.battery >= 0)
		fill(&b, kiosk_text(k, "assisted.battery"), (const char *const[]){"percent", pct, NULL});
	else
		buf_puts(&b, kiosk_text(k, "assisted.no_battery"));
	label(k, &c, "battery", b.data, t->body_px, st.battery >= 0 && st.battery < 20 ? WF_DANGER : 0);
	buf_finish(&b);
	int w = (k->ui->w - 2 * t->pad - t->gap) / 2;
	button(k, "assisted_exit", (SDL_Rect){t->pad, bar_y(k), w, t->touch_px}, kiosk_text(k, "assisted.exit"), 0,
	       ACT(A_ASSISTED_EXIT, 0));
	button(k, "assisted_start", (SDL_Rect){t->pad + w + t->gap, bar_y(k), w, t->touch_px},
	       kiosk_text(k, "assisted.start"), WF_PRIMARY, ACT(A_ASSISTED_START, 0));
}

static void idle_overlay(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	SDL_Rect r = {t->pad, k->ui->h / 5, k->ui->w - 2 * t->pad, k->ui->h * 3 / 5};
	ui_panel(k->ui, "idle_bg", r, 0);
	struct col c = {r.x + t->pad, r.y + t->pad, r.w - 2 * t->pad};
	label(k, &c, "idle_title", kiosk_text(k, "idle.title"), t->title_px, WF_BOLD | WF_CENTER);
	char s[16];
	snprintf(s, sizeof s, "%d", k->countdown);
	struct buf b;
	buf_init(&b);
	fill(&b, kiosk_text(k, "idle.body"), (const char *const[]){"seconds", s, NULL});
	k->countdown_label = label(k, &c, "idle_body", b.data, t->body_px, WF_CENTER);
	buf_finish(&b);
	button(k, "idle_continue", (SDL_Rect){r.x + t->pad, r.y + r.h - t->pad - t->touch_px, r.w - 2 * t->pad, t->touch_px},
	       kiosk_text(k, "idle.continue"), WF_PRIMARY, ACT(A_CONTINUE, 0));
}

void kiosk_show(struct kiosk *k)
{
	ui_clear(k->ui);
	k->countdown_label = NULL;
	if (k->mode != MODE_RESIDENT) {
		if (k->mode == MODE_PIN)
			screen_pin(k);
		else
			screen_status(k);
		if (k->idle_warning)
			idle_overlay(k);
		return;
	}
	switch (k->flow.state) {
	case FS_ATTRACT: screen_attract(k); break;
	case FS_LANGUAGE: screen_language(k); break;
	case FS_CONSENT: screen_consent(k); break;
	case FS_DECLINED: screen_declined(k); break;
	case FS_WHO: screen_who(k); break;
	case FS_QUESTION: screen_question(k); break;
	case FS_OUTCOME: screen_outcome(k); break;
	case FS_CONTACT: screen_contact(k); break;
	case FS_REVIEW: screen_review(k); break;
	case FS_SUBMITTING: screen_message(k, "submit.wait", NULL, 0); break;
	case FS_RECEIPT: screen_receipt(k); break;
	case FS_SUBMIT_FAILED: screen_message(k, "submit.failed", NULL, 1); break;
	case FS_COMPACT: screen_compact(k); break;
	default: break;
	}
	if (k->idle_warning)
		idle_overlay(k);
	/* A new screen speaks its prompt once; rebuilding the same screen (a keypad tap) does not. */
	const char *p = prompt_key(k);
	if (strcmp(p, k->prompt)) {
		snprintf(k->prompt, sizeof k->prompt, "%s", p);
		if (k->audio) {
			if (*p)
				audio_play(k->audio, k->flow.lang, p);
			else
				audio_stop(k->audio);
		}
	}
}

void kiosk_replay_prompt(struct kiosk *k)
{
	if (k->audio && k->prompt[0])
		audio_play(k->audio, k->flow.lang, k->prompt);
}

/* ---- idle reset -------------------------------------------------------------------------------- */

static void idle_tick(void *ctx);

static void idle_fire(void *ctx)
{
	struct kiosk *k = ctx;
	k->idle_timer = NULL;
	if (k->flow.state == FS_ATTRACT && k->mode == MODE_RESIDENT)
		return;
	if (k->flow.state == FS_RECEIPT || k->flow.state == FS_DECLINED) {
		kiosk_reset(k);
		return;
	}
	k->idle_warning = 1;
	k->countdown = k->cfg.idle_reset_s;
	log_info("idle_warning seconds=%d", k->countdown);
	kiosk_show(k);
	k->tick_timer = loop_timer(k->loop, 1000, idle_tick, k);
}

static void idle_tick(void *ctx)
{
	struct kiosk *k = ctx;
	k->tick_timer = NULL;
	if (--k->countdown <= 0) {
		log_info("idle_reset");
		kiosk_reset(k);
		return;
	}
	if (k->countdown_label) {
		char s[16];
		snprintf(s, sizeof s, "%d", k->countdown);
		struct buf b;
		buf_init(&b);
		fill(&b, kiosk_text(k, "idle.body"), (const char *const[]){"seconds", s, NULL});
		ui_set_text(k->ui, k->countdown_label, b.data);
		buf_finish(&b);
	}
	k->tick_timer = loop_timer(k->loop, 1000, idle_tick, k);
}

void kiosk_activity(struct kiosk *k)
{
	loop_timer_cancel(k->loop, k->idle_timer);
	k->idle_timer = NULL;
	if (k->flow.state == FS_ATTRACT && k->mode == MODE_RESIDENT)
		return;
	int s = (k->flow.state == FS_RECEIPT || k->flow.state == FS_DECLINED) ? k->cfg.receipt_s : k->cfg.idle_warn_s;
	k->idle_timer = loop_timer(k->loop, (uint64_t)s * 1000u, idle_fire, k);
}

void kiosk_reset(struct kiosk *k)
{
	loop_timer_cancel(k->loop, k->idle_timer);
	loop_timer_cancel(k->loop, k->tick_timer);
	k->idle_timer = k->tick_timer = NULL;
	k->idle_warning = 0;
	mem_wipe(k->entry, sizeof k->entry);
	k->field_error[0] = '\0';
	k->page = 0;
	k->vi_method = VI_TELEX; /* the next resident starts with the default */
	k->print = KIOSK_PRINT_NONE;
	k->cq_page = 0;
	k->flow.compact = 0;
	k->mode = MODE_RESIDENT;
	k->assisted = 0;
	flow_reset(&k->flow);
	k->prompt[0] = '\0';
	text_forget(k->ui->text); /* measured runs may hold what was typed */
	kiosk_show(k);
}

/* ---- actions ------------------------------------------------------------------------------------ */

void kiosk_type(struct kiosk *k, const char *utf8)
{
	/* Stored text is NFC: whatever produced it (keyboard, script), normalise the whole entry. */
	struct buf joined, nfc;
	buf_init(&joined);
	buf_init(&nfc);
	buf_puts(&joined, k->entry);
	buf_puts(&joined, utf8);
	if (text_nfc(joined.data, joined.len, &nfc) == 0)
		kiosk_entry_set(k, nfc.data ? nfc.data : "", nfc.len); /* over the cap: refused, the field says it is full */
	buf_finish_wipe(&joined);
	buf_finish_wipe(&nfc);
}

static void load_entry(struct kiosk *k)
{
	mem_wipe(k->entry, sizeof k->entry);
	if (k->flow.state == FS_CONTACT && k->flow.field != FIELD_COMMUNE) {
		char **v = field_value(k, (enum flow_field)k->flow.field);
		if (*v)
			snprintf(k->entry, sizeof k->entry, "%s", *v);
	}
}

static void do_submit(struct kiosk *k)
{
	flow_review_send(&k->flow);
	kiosk_show(k);
	ui_render(k->ui);
	unsigned char id[RECORD_ID_LEN];
	struct diag d = {""};
	int rc = k->submit ? k->submit(k->submit_ctx, &k->flow, id, &d) : ERR_STATE;
	if (rc)
		log_error("submit_failed code=%s", err_name(rc));
	flow_submitted(&k->flow, rc == 0, id);
	if (rc == 0)
		print_receipt(k); /* the request is stored whatever the printer does */
}

static void entry_key(struct kiosk *k, int digit)
{
	size_t n = strlen(k->entry);
	size_t max = k->mode == MODE_PIN ? 8
		     : k->flow.state == FS_QUESTION && k->content->q[k->flow.q].kind == Q_DATE ? 8
		     : k->flow.state == FS_QUESTION ? 4 : 15;
	if (n < max) {
		k->entry[n] = (char)('0' + digit);
		k->entry[n + 1] = '\0';
	}
}

static void on_tap(void *ctx, struct widget *w)
{
	struct kiosk *k = ctx;
	int a = w->arg / 1000, p = w->arg % 1000;
	struct flow *f = &k->flow;
	struct diag d = {""};
	kiosk_activity(k);
	if (a == A_CONTINUE) {
		loop_timer_cancel(k->loop, k->tick_timer);
		k->tick_timer = NULL;
		k->idle_warning = 0;
		kiosk_show(k);
		return;
	}
	if (k->idle_warning)
		return; /* only the overlay's button counts while it shows */
	if (k->mode != MODE_RESIDENT || a == A_STAFF) {
		switch (a) {
		case A_STAFF:
			k->mode = MODE_PIN;
			mem_wipe(k->entry, sizeof k->entry);
			kiosk_activity(k);
			break;
		case A_KEY:
			entry_key(k, p);
			break;
		case A_KEY_DEL: {
			size_t n = strlen(k->entry);
			if (n)
				k->entry[n - 1] = '\0';
			break;
		}
		case A_ENTRY_OK: {
			if (clock_mono_ns() < k->locked_until_ns)
				break;
			int rc = k->ops.check_pin ? k->ops.check_pin(k->ops.ctx, k->entry) : ERR_NOTFOUND;
			mem_wipe(k->entry, sizeof k->entry);
			if (rc == 0) {
				k->pin_fails = 0;
				k->lockouts = 0;
				k->mode = MODE_STATUS;
				log_info("assisted_unlocked");
			} else if (++k->pin_fails >= 5) {
				/* Lockout doubles each time: 60 s, 120 s, ... (monotonic clock, not the wall). */
				uint64_t s = 60u << (k->lockouts < 6 ? k->lockouts : 6);
				k->locked_until_ns = clock_mono_ns() + s * 1000000000u;
				k->lockouts++;
				k->pin_fails = 0;
				log_warn("assisted_locked seconds=%llu", (unsigned long long)s);
			} else {
				log_info("assisted_pin_wrong fails=%d", k->pin_fails);
			}
			break;
		}
		case A_ASSISTED_START:
			k->mode = MODE_RESIDENT;
			k->assisted = 1;
			flow_reset(f);
			f->compact = 1; /* the worker answers the questions from one list */
			flow_start(f);
			break;
		case A_BACK:
		case A_ASSISTED_EXIT:
			k->mode = MODE_RESIDENT;
			k->assisted = 0;
			mem_wipe(k->entry, sizeof k->entry);
			flow_reset(f);
			break;
		default:
			break;
		}
		kiosk_show(k);
		return;
	}
	enum flow_state before = f->state;
	int before_q = f->q, before_field = f->field;
	switch (a) {
	case A_START: flow_start(f); break;
	case A_LANG_VI: flow_language(f, "vi"); break;
	case A_LANG_KM: flow_language(f, "km"); break;
	case A_CONSENT_YES: flow_consent(f, 1); break;
	case A_CONSENT_NO: flow_consent(f, 0); break;
	case A_HOME:
	case A_DONE:
	case A_FINISH:
		if (k->assisted) {
			/* The outreach worker goes on with the next person from the status screen. */
			int keep = 1;
			kiosk_reset(k);
			k->assisted = keep;
			k->mode = MODE_STATUS;
			kiosk_show(k);
		} else {
			kiosk_reset(k);
		}
		return;
	case A_WHO:
		k->cq_page = 0;
		flow_who(f, (enum flow_who)p);
		break;
	case A_CQ_ANSWER: flow_compact_answer(f, p / 10, p % 10 == 2 ? -1 : p % 10); break;
	case A_CQ_OPEN: flow_compact_open(f, p); break;
	case A_CQ_DONE: flow_compact_done(f); break;
	case A_CQ_PAGE: k->cq_page++; break;
	case A_ANSWER: flow_answer(f, p); break;
	case A_UNKNOWN: flow_answer(f, -1); break;
	case A_KEY: entry_key(k, p); break;
	case A_KEY_DEL: {
		size_t n = strlen(k->entry);
		if (n)
			k->entry[n - 1] = '\0';
		break;
	}
	case A_ENTRY_OK:
		if (f->state == FS_QUESTION) {
			const struct question *q = &k->content->q[f->q];
			struct date dt;
			if (q->kind == Q_DATE && entry_date(k, &dt))
				flow_answer_date(f, dt);
			else if (q->kind == Q_NUMBER && k->entry[0])
				flow_answer(f, atoi(k->entry));
		} else if (f->state == FS_CONTACT) {
			goto field_next;
		}
		break;
	case A_BACK: flow_back(f); break;
	case A_SEND: flow_outcome_send(f); break;
	case A_FIELD_NEXT:
	field_next:
		if (f->field != FIELD_COMMUNE) {
			if (flow_contact_set(f, (enum flow_field)f->field, k->entry, &d)) {
				log_info("field_invalid field=%d", f->field);
				/* The field stays, so the resident can correct it, and says why. */
				size_t n = strnlen(d.msg, sizeof k->field_error - 1);
				memcpy(k->field_error, d.msg, n);
				k->field_error[n] = '\0';
				break;
			}
		}
		if (f->field + 1 < FIELD_COUNT)
			f->field++;
		else if (flow_contact_done(f, &d))
			f->field = strcmp(d.msg, "name") ? FIELD_COMMUNE : FIELD_NAME;
		break;
	case A_COMMUNE:
		if (p < k->content->ncommunes)
			flow_contact_set(f, FIELD_COMMUNE, k->content->communes[p].code, &d);
		if (f->field + 1 < FIELD_COUNT)
			f->field++;
		break;
	case A_PAGE_NEXT: k->page++; break;
	case A_PAGE_PREV: k->page = k->page > 0 ? k->page - 1 : (k->content->ncommunes + 7) / 8 - 1; break;
	case A_EDIT:
		flow_set_state(f, FS_CONTACT);
		f->field = p < FIELD_COUNT ? p : 0;
		break;
	case A_REVIEW_SEND:
	case A_RETRY: do_submit(k); break;
	case A_REPLAY: kiosk_replay_prompt(k); return;
	default: break;
	}
	if (f->state != before || f->q != before_q || f->field != before_field) {
		load_entry(k);
		k->prompt[0] = '\0';
		k->field_error[0] = '\0';
	}
	kiosk_show(k);
}

void kiosk_init(struct kiosk *k, struct ui *ui, struct loop *loop, const struct rules *r, const struct content *c,
		const struct catalog *vi, const struct catalog *km, struct date today, kiosk_submit_fn fn, void *ctx)
{
	memset(k, 0, sizeof *k);
	k->ui = ui;
	k->loop = loop;
	k->rules = r;
	k->content = c;
	k->vi = vi;
	k->km = km;
	k->submit = fn;
	k->submit_ctx = ctx;
	k->cfg = (struct kiosk_config){60, 20, 45};
	flow_init(&k->flow, r, c, today);
	kiosk_show(k);
}

void kiosk_finish(struct kiosk *k)
{
	loop_timer_cancel(k->loop, k->idle_timer);
	loop_timer_cancel(k->loop, k->tick_timer);
	flow_reset(&k->flow);
	contact_finish(&k->flow.contact);
	mem_wipe(k->entry, sizeof k->entry);
}

#define LOG_MODULE "kiosk"
#include "kiosk_internal.h"

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

const char *kiosk_catalog(const struct kiosk *k, const struct catalog *c, const char *key)
{
	const char *t = catalog_get(c, key);
	if (t && k->trace)
		kiosk_trace_note(k, key);
	return t;
}

const char *kiosk_text(const struct kiosk *k, const char *key)
{
	const struct catalog *c = strcmp(k->flow.lang, "km") ? k->vi : k->km;
	const char *t = kiosk_catalog(k, c, key);
	return t ? t : key;
}

/*
 * A count as the resident's language writes it (one digit style per language on every screen:
 * Khmer digits on Khmer screens, for counts, seconds and pages; what the resident typed stays as typed).
 */
void kiosk_int(const struct kiosk *k, int v, char *out, size_t n)
{
	if (text_format_int(k->flow.lang, v, out, n) < 0)
		snprintf(out, n, "?");
}

/* s with its spaces made non-breaking (U+00A0), so a phone number is never cut across lines. */
void kiosk_nobreak(const char *s, char *out, size_t n)
{
	size_t o = 0;
	for (; *s && o + 3 < n; s++) {
		if (*s == ' ')
			out[o++] = (char)0xC2, out[o++] = (char)0xA0;
		else
			out[o++] = *s;
	}
	out[o] = '\0';
}

/* key's text addressed to the resident (key.you) when they answer for themselves and the catalog has it, else key's. */
const char *kiosk_text_you(const struct kiosk *k, const char *key)
{
	if (k->flow.who == WHO_SELF) {
		char you[96];
		snprintf(you, sizeof you, "%s.you", key);
		const struct catalog *c = strcmp(k->flow.lang, "km") ? k->vi : k->km;
		const char *s = kiosk_catalog(k, c, you);
		if (s)
			return s;
	}
	return kiosk_text(k, key);
}

/* Fill {name} placeholders from a NULL-terminated list of name, value pairs. */
void kiosk_fill(struct buf *out, const char *tmpl, const char *const *kv)
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
void kiosk_count_text(struct kiosk *k, const char *key, const char *name, int n, int total, struct buf *out)
{
	char sn[16], st[16];
	kiosk_int(k, n, sn, sizeof sn);
	kiosk_int(k, total, st, sizeof st);
	buf_init(out);
	kiosk_fill(out, kiosk_text(k, key), (const char *const[]){name, sn, "total", st, NULL});
}

/* "Trang 2 / 4" for page (from 0) of pages. */
void kiosk_page_text(struct kiosk *k, int page, int pages, struct buf *out)
{
	kiosk_count_text(k, "page", "n", page + 1, pages, out);
}

struct widget *kiosk_label(struct kiosk *k, struct col *c, const char *id, const char *text, int size, unsigned fl)
{
	int w_max = c->w;
	/* Beside the language switch, a label stops short of it. */
	if (c->y < k->pill_bottom && c->x + c->w > k->pill_x - k->ui->theme.gap)
		w_max = k->pill_x - k->ui->theme.gap - c->x;
	struct widget *w = ui_label(k->ui, id, (SDL_Rect){c->x, c->y, w_max, 0}, text, k->flow.lang, size, fl);
	c->y += w->r.h + k->ui->theme.gap;
	return w;
}



struct widget *kiosk_button(struct kiosk *k, const char *id, SDL_Rect r, const char *text, unsigned fl, int arg)
{
	return ui_button(k->ui, id, r, text, k->flow.lang, fl, kiosk_on_tap, k, arg);
}

/* The bottom bar: Back on the left (when there is somewhere to go back to), the main action on the right. */
int kiosk_bar_y(struct kiosk *k)
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
	case FS_QUESTION:
		/* The prompt says what the screen shows: to "you", or about "that person". */
		snprintf(key, sizeof key, "%s.you", k->content->q[f->q].text_key);
		if (f->who == WHO_SELF && k->audio && audio_has(k->audio, f->lang, key))
			return key;
		return k->content->q[f->q].text_key;
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
void kiosk_back_button(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	int w = (k->ui->w - 2 * t->pad - 2 * t->gap) / 3;
	kiosk_button(k, "back", (SDL_Rect){t->pad, kiosk_bar_y(k), w, t->touch_px}, kiosk_text(k, "nav.back"), 0, ACT(A_BACK, 0));
	const char *p = prompt_key(k);
	if (k->audio && *p && audio_has(k->audio, k->flow.lang, p))
		kiosk_button(k, "replay", (SDL_Rect){t->pad + w + t->gap, kiosk_bar_y(k), w, t->touch_px}, kiosk_text(k, "nav.replay"), 0,
		       ACT(A_REPLAY, 0));
}

/* The bottom bar has three equal places: Back, replay the prompt, the main action. */
SDL_Rect kiosk_main_action(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	int w = (k->ui->w - 2 * t->pad - 2 * t->gap) / 3;
	return (SDL_Rect){k->ui->w - t->pad - w, kiosk_bar_y(k), w, t->touch_px};
}

/* A grid of n buttons inside [y, y_end): as many columns as needed to fit the rows. */
void kiosk_grid(struct kiosk *k, int y, int y_end, int n, int min_cols, const char *const *ids,
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
	struct widget *made[64];
	int over = 0;
	for (int i = 0; i < n; i++) {
		int r = i / cols, c = i % cols;
		SDL_Rect rc = {t->pad + c * (w + t->gap), y + r * (h + t->gap), w, h};
		struct widget *b = kiosk_button(k, ids[i], rc, texts[i], flags ? flags[i] : 0, args ? args[i] : i);
		b->size_px = t->button_px;
		if (b->overflow) {
			/* Long labels (Khmer choices) get the small size rather than being clipped. */
			b->size_px = t->small_px;
			ui_set_flags(k->ui, b, 0, 0);
			ui_set_text(k->ui, b, "");
			ui_set_text(k->ui, b, texts[i]);
		}
		if (i < 64)
			made[i] = b;
		over |= b->overflow;
	}
	/* Still too long at the small size (three lines of Khmer): taller rows, where the screen has room. */
	int h2 = rows ? avail_h / rows : 0;
	if (h2 > t->touch_px * 5 / 2)
		h2 = t->touch_px * 5 / 2;
	if (!over || h2 <= h || n > 64)
		return;
	for (int i = 0; i < n; i++) {
		struct widget *b = made[i];
		ui_invalidate(k->ui, b->r);
		b->r.y = y + (i / cols) * (h2 + t->gap);
		b->r.h = h2;
		ui_set_text(k->ui, b, "");
		ui_set_text(k->ui, b, texts[i]);
	}
}

/*
 * "Are you still here?": a touch anywhere means yes, and nothing behind the panel receives it
 * (a catcher covers the whole screen). The panel sits in the lower part of the screen, so the
 * field being edited (at the top) stays visible.
 */
SDL_Rect kiosk_modal(struct kiosk *k, const char *id, int top, int outside)
{
	const struct ui_theme *t = &k->ui->theme;
	char name[48];
	snprintf(name, sizeof name, "%s_catch", id);
	ui_catcher(k->ui, name, (SDL_Rect){0, 0, k->ui->w, k->ui->h}, kiosk_on_tap, k, outside);
	SDL_Rect r = {t->pad, top, k->ui->w - 2 * t->pad, k->ui->h - top - t->pad};
	snprintf(name, sizeof name, "%s_bg", id);
	ui_panel(k->ui, name, r, WF_PRIMARY);
	snprintf(name, sizeof name, "%s_inner", id);
	ui_panel(k->ui, name, (SDL_Rect){r.x + 3, r.y + 3, r.w - 6, r.h - 6}, 0);
	return r;
}

static void idle_overlay(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	SDL_Rect r = kiosk_modal(k, "idle", k->ui->h * 2 / 5, ACT(A_CONTINUE, 0));
	struct col c = {r.x + t->pad, r.y + t->pad / 2, r.w - 2 * t->pad};
	kiosk_label(k, &c, "idle_title", kiosk_text(k, "idle.title"), t->title_px, WF_BOLD | WF_CENTER);
	char s[16];
	kiosk_int(k, k->countdown, s, sizeof s);
	struct buf b;
	buf_init(&b);
	kiosk_fill(&b, kiosk_text(k, "idle.body"), (const char *const[]){"seconds", s, NULL});
	k->countdown_label = kiosk_label(k, &c, "idle_body", b.data, t->body_px, WF_CENTER);
	buf_finish(&b);
	kiosk_button(k, "idle_continue", (SDL_Rect){r.x + t->pad, r.y + r.h - t->pad / 2 - t->touch_px, r.w - 2 * t->pad, t->touch_px},
		     kiosk_text(k, "idle.continue"), WF_PRIMARY, ACT(A_CONTINUE, 0));
}

/* The screen for the mode and flow state, built whole every time. */
static void show(struct kiosk *k)
{
	ui_clear(k->ui);
	k->countdown_label = NULL;
	if (k->mode != MODE_RESIDENT) {
		if (k->mode == MODE_PIN)
			kiosk_screen_pin(k);
		else if (k->mode == MODE_SETUP)
			kiosk_screen_setup(k);
		else if (k->mode == MODE_SETUP_RESULT)
			kiosk_screen_setup_result(k);
		else if (k->mode == MODE_IDENTITY)
			kiosk_screen_identity(k);
		else
			kiosk_screen_status(k);
		if (k->idle_warning)
			idle_overlay(k);
		return;
	}
	/*
	 * The language switch, top right, on every screen where the resident is answering: it keeps
	 * everything entered. (Not on attract and language, which show both; not on the receipt,
	 * where the QR code is.)
	 */
	k->pill_x = k->ui->w, k->pill_bottom = 0;
	switch (k->flow.state) {
	case FS_CONSENT: case FS_WHO: case FS_QUESTION: case FS_OUTCOME: case FS_CONTACT: case FS_REVIEW:
	case FS_SUBMIT_FAILED: case FS_COMPACT: {
		const struct ui_theme *t = &k->ui->theme;
		int pw = k->ui->w / 6, ph = t->touch_px;
		int other = !strcmp(k->flow.lang, "km");
		k->pill_x = k->ui->w - t->pad - pw;
		const char *label = kiosk_catalog(k, other ? k->vi : k->km, other ? "lang.vi" : "lang.km");
		struct widget *sw = ui_button(k->ui, "lang_switch", (SDL_Rect){k->pill_x, t->pad / 2, pw, ph}, label,
					      other ? "vi" : "km", 0, kiosk_on_tap, k, ACT(A_LANG_SWITCH, 0));
		k->pill_bottom = sw->r.y + sw->r.h; /* the toolkit keeps a button at least one touch target tall */
		break;
	}
	default:
		break;
	}
	switch (k->flow.state) {
	case FS_ATTRACT: kiosk_screen_attract(k); break;
	case FS_LANGUAGE: kiosk_screen_language(k); break;
	case FS_CONSENT: kiosk_screen_consent(k); break;
	case FS_DECLINED: kiosk_screen_declined(k); break;
	case FS_WHO: kiosk_screen_who(k); break;
	case FS_QUESTION: kiosk_screen_question(k); break;
	case FS_OUTCOME: kiosk_screen_outcome(k); break;
	case FS_CONTACT: kiosk_screen_contact(k); break;
	case FS_REVIEW: kiosk_screen_review(k); break;
	case FS_SUBMITTING: kiosk_screen_message(k, "submit.wait", NULL, 0); break;
	case FS_RECEIPT: kiosk_screen_receipt(k); break;
	case FS_SUBMIT_FAILED: kiosk_screen_message(k, "submit.failed", NULL, 1); break;
	case FS_COMPACT: kiosk_screen_compact(k); break;
	default: break;
	}
	if (k->confirm_finish && k->flow.state == FS_OUTCOME)
		kiosk_finish_confirm(k);
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

void kiosk_show(struct kiosk *k)
{
	kiosk_trace_begin(k);
	show(k);
	kiosk_trace_end(k);
}

void kiosk_replay_prompt(struct kiosk *k)
{
	if (k->audio && k->prompt[0])
		audio_play(k->audio, k->flow.lang, k->prompt);
}

/* ---- idle reset ---- */

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
		kiosk_int(k, k->countdown, s, sizeof s);
		struct buf b;
		buf_init(&b);
		kiosk_fill(&b, kiosk_text(k, "idle.body"), (const char *const[]){"seconds", s, NULL});
		ui_set_text(k->ui, k->countdown_label, b.data);
		buf_finish(&b);
	}
	k->tick_timer = loop_timer(k->loop, 1000, idle_tick, k);
}

void kiosk_activity(struct kiosk *k)
{
	loop_timer_cancel(k->loop, k->idle_timer);
	k->idle_timer = NULL;
	kiosk_power_arm(k);
	/*
	 * Armed on the attract screen too: the touch that starts a flow comes here before the flow leaves it, and
	 * the language screen it opens had no idle reset (nor, so, any dimming) until a second touch. idle_fire does
	 * nothing on the attract screen itself.
	 */
	if (k->unprovisioned)
		return; /* nothing to reset to before the center's stick (the setup screens stay) */
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
	mem_wipe(k->dfield, sizeof k->dfield);
	k->field_error[0] = '\0';
	k->review_return = 0;
	k->confirm_finish = 0;
	k->page = 0;
	k->vi_method = VI_TELEX; /* the next resident starts with the default */
	k->kb_page = 0;          /* ... on the keyboard's first page, shift off */
	k->kb_shift = 0;
	km_input_init(&k->km_state);
	k->print = KIOSK_PRINT_NONE;
	k->cq_page = 0;
	k->flow.compact = 0;
	k->mode = k->unprovisioned ? MODE_SETUP : MODE_RESIDENT;
	k->setup_from_staff = 0;
	k->assisted = 0;
	flow_reset(&k->flow);
	k->prompt[0] = '\0';
	text_forget(k->ui->text); /* measured runs may hold what was typed */
	kiosk_show(k);
	kiosk_power_arm(k); /* back on the attract screen: the idle delay to dimming starts now */
}

void kiosk_on_tap(void *ctx, struct widget *w)
{
	struct kiosk *k = ctx;
	int a = w->arg / 1000, p = w->arg % 1000;
	struct flow *f = &k->flow;
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
	enum tap_result sr = kiosk_setup_tap(k, a, p);
	if (sr != TAP_NOT_MINE) {
		if (sr == TAP_DONE)
			kiosk_show(k);
		return;
	}
	if (k->mode != MODE_RESIDENT || a == A_STAFF) {
		kiosk_staff_tap(k, a, p);
		kiosk_show(k);
		return;
	}
	enum flow_state before = f->state;
	int before_q = f->q, before_field = f->field;
	enum tap_result r = kiosk_date_tap(k, a, p);
	if (r == TAP_NOT_MINE)
		r = kiosk_contact_tap(k, a, p); /* first: Back on a contact field keeps what was typed */
	if (r == TAP_NOT_MINE)
		r = kiosk_flow_tap(k, a, p);
	if (r == TAP_NOT_MINE)
		r = kiosk_question_tap(k, a, p);
	if (r == TAP_NOT_MINE)
		r = kiosk_review_tap(k, a, p);
	if (r == TAP_SHOWN)
		return;
	if (f->state != before || f->q != before_q || f->field != before_field) {
		kiosk_load_entry(k);
		kiosk_date_load(k);
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
	k->cfg = (struct kiosk_config){60, 20, 45, 120, 30};
	flow_init(&k->flow, r, c, today);
	kiosk_show(k);
}

void kiosk_finish(struct kiosk *k)
{
	kiosk_power_stop(k);
	kiosk_trace_stop(k);
	loop_timer_cancel(k->loop, k->idle_timer);
	loop_timer_cancel(k->loop, k->tick_timer);
	flow_reset(&k->flow);
	contact_finish(&k->flow.contact);
	mem_wipe(k->entry, sizeof k->entry);
	mem_wipe(k->dfield, sizeof k->dfield);
}


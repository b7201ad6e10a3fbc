#define LOG_MODULE "kiosk"
/* kiosk/screen_flow: the screens around the questions: attract, language, consent, declined, who, outcome, messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk_internal.h"
#include "audio.h"

void kiosk_screen_attract(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	/* A touch anywhere starts (the staff corner excepted): the catcher lies under everything else. */
	ui_catcher(k->ui, "start", (SDL_Rect){0, 0, k->ui->w, k->ui->h}, kiosk_on_tap, k, ACT(A_START, 0));
	struct col c = {t->pad, t->pad + t->touch_px * 3 / 4, k->ui->w - 2 * t->pad};
	/* Both languages, title and welcome: the resident has not chosen yet. */
	static const char *const langs[2] = {"vi", "km"};
	for (int i = 0; i < 2; i++) {
		const struct catalog *cat = i ? k->km : k->vi;
		char id[16];
		snprintf(id, sizeof id, "title_%s", langs[i]);
		struct widget *w = ui_label(k->ui, id, (SDL_Rect){c.x, c.y, c.w, 0}, kiosk_catalog(k, cat, "attract.title"),
					    langs[i], t->title_px, WF_BOLD | WF_CENTER);
		c.y += w->r.h;
		snprintf(id, sizeof id, "body_%s", langs[i]);
		w = ui_label(k->ui, id, (SDL_Rect){c.x, c.y, c.w, 0}, kiosk_catalog(k, cat, "attract.body"), langs[i],
			     t->small_px, WF_CENTER | WF_MUTED);
		c.y += w->r.h + t->gap;
	}
	/* Staff (outreach, assisted mode): a small corner button, behind a PIN. */
	ui_button(k->ui, "staff", (SDL_Rect){k->ui->w - t->pad - k->ui->w / 6, t->pad / 2, k->ui->w / 6, t->touch_px * 3 / 4},
		  kiosk_catalog(k, k->vi, "assisted.staff"), "vi", WF_MUTED, kiosk_on_tap, k, ACT(A_STAFF, 0));
	/*
	 * Two start buttons, one per language, each saying "touch to start" in its own language: a
	 * resident who taps theirs skips the language screen. A touch anywhere else starts too.
	 */
	int bw = (k->ui->w - 2 * t->pad - t->gap) / 2, by = kiosk_bar_y(k) - t->touch_px / 2;
	for (int i = 0; i < 2; i++) {
		const struct catalog *cat = i ? k->km : k->vi;
		struct buf s;
		buf_init(&s);
		buf_printf(&s, "%s\n%s", kiosk_catalog(k, cat, i ? "lang.km" : "lang.vi"),
			   kiosk_catalog(k, cat, "attract.touch"));
		ui_button(k->ui, i ? "start_km" : "start_vi", (SDL_Rect){t->pad + i * (bw + t->gap), by, bw, t->touch_px * 3 / 2},
			  s.data, langs[i], WF_PRIMARY, kiosk_on_tap, k, ACT(A_START_LANG, i));
		buf_finish(&s);
	}
}

void kiosk_screen_language(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	int w = k->ui->w - 2 * t->pad;
	ui_label(k->ui, "title", (SDL_Rect){t->pad, t->pad, w, 0}, kiosk_catalog(k, k->vi, "lang.title"), "vi", t->title_px,
		 WF_BOLD | WF_CENTER);
	ui_label(k->ui, "title_km", (SDL_Rect){t->pad, t->pad + t->title_px * 3 / 2, w, 0}, kiosk_catalog(k, k->km, "lang.title"),
		 "km", t->title_px, WF_BOLD | WF_CENTER);
	int y = t->pad + t->title_px * 4;
	int h = (kiosk_bar_y(k) - t->gap - y - t->gap) / 2;
	ui_button(k->ui, "lang_vi", (SDL_Rect){t->pad, y, w, h}, kiosk_catalog(k, k->vi, "lang.vi"), "vi", WF_PRIMARY,
		  kiosk_on_tap, k, ACT(A_LANG_VI, 0));
	ui_button(k->ui, "lang_km", (SDL_Rect){t->pad, y + h + t->gap, w, h}, kiosk_catalog(k, k->km, "lang.km"), "km",
		  WF_PRIMARY, kiosk_on_tap, k, ACT(A_LANG_KM, 0));
	kiosk_back_button(k);
}

void kiosk_screen_consent(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	struct col c = {t->pad, t->pad, k->ui->w - 2 * t->pad};
	kiosk_label(k, &c, "title", kiosk_text(k, "consent.title"), t->title_px, WF_BOLD);
	kiosk_label(k, &c, "body", kiosk_text(k, "consent.body"), t->body_px, 0);
	kiosk_label(k, &c, "question", kiosk_text(k, "consent.question"), t->body_px, WF_BOLD);
	int w = (k->ui->w - 2 * t->pad - 2 * t->gap) / 3;
	int y = kiosk_bar_y(k);
	kiosk_button(k, "back", (SDL_Rect){t->pad, y, w, t->touch_px}, kiosk_text(k, "nav.back"), 0, ACT(A_BACK, 0));
	/* Never pre-selected: two equal choices, the resident picks one. */
	kiosk_button(k, "consent_no", (SDL_Rect){t->pad + w + t->gap, y, w, t->touch_px}, kiosk_text(k, "consent.decline"), 0,
	       ACT(A_CONSENT_NO, 0));
	kiosk_button(k, "consent_yes", (SDL_Rect){t->pad + 2 * (w + t->gap), y, w, t->touch_px}, kiosk_text(k, "consent.agree"),
	       0, ACT(A_CONSENT_YES, 0));
}

void kiosk_screen_declined(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	struct col c = {t->pad, t->pad * 3, k->ui->w - 2 * t->pad};
	kiosk_label(k, &c, "title", kiosk_text(k, "declined.title"), t->title_px, WF_BOLD | WF_CENTER);
	char phone[64];
	kiosk_nobreak(k->content->center_phone, phone, sizeof phone);
	struct buf b;
	buf_init(&b);
	kiosk_fill(&b, kiosk_text(k, "declined.body"), (const char *const[]){"phone", phone, NULL});
	kiosk_label(k, &c, "body", b.data, t->body_px, WF_CENTER);
	buf_finish(&b);
	kiosk_button(k, "home", kiosk_main_action(k), kiosk_text(k, "nav.home"), WF_PRIMARY, ACT(A_HOME, 0));
}

void kiosk_screen_who(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	struct col c = {t->pad, t->pad, k->ui->w - 2 * t->pad};
	kiosk_label(k, &c, "title", kiosk_text(k, "who.title"), t->title_px, WF_BOLD);
	kiosk_label(k, &c, "body", kiosk_text(k, "who.body"), t->body_px, WF_MUTED);
	const char *ids[] = {"who_self", "who_family", "who_other"};
	const char *texts[] = {kiosk_text(k, "who.self"), kiosk_text(k, "who.family"), kiosk_text(k, "who.other")};
	int args[] = {ACT(A_WHO, WHO_SELF), ACT(A_WHO, WHO_FAMILY), ACT(A_WHO, WHO_OTHER)};
	kiosk_grid(k, c.y + t->gap, kiosk_bar_y(k) - t->gap, 3, 1, ids, texts, args, NULL);
	kiosk_back_button(k);
}

void kiosk_screen_outcome(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	const struct screen_result *res = &k->flow.result;
	struct col c = {t->pad, t->pad, k->ui->w - 2 * t->pad};
	char key[96];
	const char *on = outcome_name(res->outcome);
	if (res->urgent) {
		/* The banner stops short of the language switch and grows with its text (Khmer's runs to two lines). */
		struct widget *p = ui_panel(k->ui, "urgent_bg", (SDL_Rect){0, 0, k->pill_x - t->gap, 0}, WF_DANGER);
		struct widget *l = ui_label(k->ui, "urgent", (SDL_Rect){t->pad, t->pad / 2, k->pill_x - t->gap - 2 * t->pad, 0},
					    kiosk_text(k, "outcome.urgent"), k->flow.lang, t->body_px, WF_BOLD | WF_INVERSE);
		p->r.h = l->r.h + t->pad;
		c.y = p->r.h + t->gap;
	}
	snprintf(key, sizeof key, "outcome.%s.title", on);
	kiosk_label(k, &c, "title", kiosk_text(k, key), t->title_px, WF_BOLD);
	/* Why: the groups in plain words. */
	struct buf groups, body;
	buf_init(&groups);
	buf_init(&body);
	/*
	 * Likely eligible names the groups that are yes. Staff review names the groups that are yes when
	 * there are any (then the matter is what is in doubt: spec/eligibility.md, outcome 3; a question left
	 * unanswered makes many groups maybe, and listing them all would hide the one that is sure), else
	 * those that are maybe: never none.
	 */
	int any_yes = 0;
	for (int s = 0; s < res->nslots; s++)
		any_yes |= res->slot[s] == TRI_YES;
	enum tri want = res->outcome == OUTCOME_LIKELY_ELIGIBLE || any_yes ? TRI_YES : TRI_MAYBE;
#define NAMED(slot) ((slot) == want)
	for (int s = 0; s < res->nslots; s++)
		if (NAMED(res->slot[s])) {
			snprintf(key, sizeof key, "group.%s", k->rules->slot_id[s]);
			buf_printf(&groups, "%s%s", groups.len ? ", " : "", kiosk_text(k, key));
		}
	snprintf(key, sizeof key, "outcome.%s.body", on);
	kiosk_fill(&body, kiosk_text_you(k, key), (const char *const[]){"groups", groups.data ? groups.data : "", NULL});
	kiosk_label(k, &c, "body", body.data, t->body_px, 0);
	buf_finish(&groups);
	buf_finish(&body);
	/* Papers for the groups this outcome is about (confirmed, or those staff will check). */
	const char *docs[RULES_MAX_GROUPS * RULES_MAX_DOCS];
	int ndocs = 0;
	for (int g = 0; res->outcome != OUTCOME_OUTSIDE_SCOPE && g < k->rules->ngroups; g++) {
		const struct rule_group *rg = &k->rules->groups[g];
		if (!NAMED(res->slot[rg->slot]) || !rules_in_force(rg, res->on))
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
		struct widget *head = kiosk_label(k, &c, "documents_title", kiosk_text(k, "outcome.documents"), t->body_px, WF_BOLD);
		/* As many papers as fit above the bar (a line each, at least); the rest counted, never drawn under it. */
		int line_h = head->r.h + t->gap, bottom = kiosk_bar_y(k) - t->gap;
		for (int i = 0; i < ndocs; i++) {
			char id[32];
			struct buf line;
			if (i + 1 < ndocs && c.y + 2 * line_h > bottom) {
				kiosk_count_text(k, "outcome.documents_more", "n", ndocs - i, ndocs, &line);
				kiosk_label(k, &c, "documents_more", line.data, t->body_px, WF_MUTED);
				buf_finish(&line);
				break;
			}
			buf_init(&line);
			snprintf(key, sizeof key, "doc.%s", docs[i]);
			buf_printf(&line, "• %s", kiosk_text(k, key));
			snprintf(id, sizeof id, "doc_%d", i);
			kiosk_label(k, &c, id, line.data, t->body_px, 0);
			buf_finish(&line);
		}
	} else if (res->outcome == OUTCOME_LIKELY_ELIGIBLE || res->outcome == OUTCOME_STAFF_REVIEW) {
		kiosk_label(k, &c, "no_documents", kiosk_text(k, "outcome.no_documents"), t->body_px, 0);
	}
	/*
	 * The bar: Back, the replay of the prompt, then "finish without sending", visibly secondary
	 * (narrow, muted, small type, asks before it ends), and Send, the widest and the primary.
	 */
	int y = kiosk_bar_y(k), sw = (k->ui->w - 2 * t->pad - 3 * t->gap) / 5;
	kiosk_button(k, "back", (SDL_Rect){t->pad, y, sw, t->touch_px}, kiosk_text(k, "nav.back"), 0, ACT(A_BACK, 0));
	char okey[96];
	snprintf(okey, sizeof okey, "outcome.%s.title", outcome_name(res->outcome));
	int replay = k->audio && audio_has(k->audio, k->flow.lang, okey);
	if (replay)
		kiosk_button(k, "replay", (SDL_Rect){t->pad + sw + t->gap, y, sw, t->touch_px}, kiosk_text(k, "nav.replay"), 0,
			     ACT(A_REPLAY, 0));
	/* Without a replay button, "finish" takes its place too (still narrower than Send, still muted). */
	int fx = replay ? t->pad + 2 * (sw + t->gap) : t->pad + sw + t->gap, fw = replay ? sw : 2 * sw + t->gap;
	struct widget *fin = kiosk_button(k, "finish", (SDL_Rect){fx, y, fw, t->touch_px},
					  kiosk_text(k, "outcome.finish"), WF_MUTED, ACT(A_FINISH_ASK, 0));
	fin->size_px = t->small_px;
	ui_set_text(k->ui, fin, "");
	ui_set_text(k->ui, fin, kiosk_text(k, "outcome.finish"));
	int sx = t->pad + 3 * (sw + t->gap);
	kiosk_button(k, "send", (SDL_Rect){sx, y, k->ui->w - t->pad - sx, t->touch_px}, kiosk_text(k, "outcome.send"), WF_PRIMARY,
		     ACT(A_SEND, 0));
#undef NAMED
}

/* "Finish without sending?" over the outcome: only its two buttons answer; a touch elsewhere is no. */
void kiosk_finish_confirm(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	SDL_Rect r = kiosk_modal(k, "confirm", k->ui->h / 4, ACT(A_FINISH_NO, 0));
	struct col c = {r.x + t->pad, r.y + t->pad / 2, r.w - 2 * t->pad};
	kiosk_label(k, &c, "confirm_title", kiosk_text(k, "outcome.finish_confirm"), t->title_px, WF_BOLD | WF_CENTER);
	char phone[64];
	kiosk_nobreak(k->content->center_phone, phone, sizeof phone);
	struct buf b;
	buf_init(&b);
	kiosk_fill(&b, kiosk_text(k, "outcome.finish_confirm.body"), (const char *const[]){"phone", phone, NULL});
	kiosk_label(k, &c, "confirm_body", b.data, t->body_px, WF_CENTER);
	buf_finish(&b);
	int bw = (r.w - 3 * t->pad) / 2, by = r.y + r.h - t->pad / 2 - t->touch_px;
	/* "No, go back" where Send was: a second tap there (a resident who meant Send) keeps the request. */
	kiosk_button(k, "finish_yes", (SDL_Rect){r.x + t->pad, by, bw, t->touch_px}, kiosk_text(k, "outcome.finish_confirm.yes"),
		     0, ACT(A_FINISH, 0));
	kiosk_button(k, "finish_no", (SDL_Rect){r.x + 2 * t->pad + bw, by, bw, t->touch_px},
		     kiosk_text(k, "outcome.finish_confirm.no"), WF_PRIMARY, ACT(A_FINISH_NO, 0));
}

void kiosk_screen_message(struct kiosk *k, const char *title_key, const char *body_key, int retry)
{
	const struct ui_theme *t = &k->ui->theme;
	struct col c = {t->pad, k->ui->h / 4, k->ui->w - 2 * t->pad};
	kiosk_label(k, &c, "title", kiosk_text(k, title_key), t->title_px, WF_BOLD | WF_CENTER);
	if (body_key)
		kiosk_label(k, &c, "body", kiosk_text(k, body_key), t->body_px, WF_CENTER);
	if (retry) {
		kiosk_back_button(k);
		kiosk_button(k, "retry", kiosk_main_action(k), kiosk_text(k, "review.send"), WF_PRIMARY, ACT(A_RETRY, 0));
	}
}

enum tap_result kiosk_flow_tap(struct kiosk *k, int a, int p)
{
	struct flow *f = &k->flow;
	switch (a) {
	case A_START: flow_start(f); return TAP_DONE;
	case A_START_LANG:
		flow_start(f);
		flow_language(f, p ? "km" : "vi");
		return TAP_DONE;
	case A_LANG_VI: flow_language(f, "vi"); return TAP_DONE;
	case A_LANG_KM: flow_language(f, "km"); return TAP_DONE;
	case A_CONSENT_YES: flow_consent(f, 1); return TAP_DONE;
	case A_CONSENT_NO: flow_consent(f, 0); return TAP_DONE;
	case A_FINISH_ASK: k->confirm_finish = 1; return TAP_DONE;
	case A_FINISH_NO: k->confirm_finish = 0; return TAP_DONE;
	case A_LANG_SWITCH:
		/* Everything entered stays; the screen is drawn again in the other language. */
		flow_set_lang(f, strcmp(f->lang, "km") ? "km" : "vi");
		k->prompt[0] = '\0';
		return TAP_DONE;
	case A_HOME:
	case A_DONE:
	case A_FINISH:
	{
		int assisted = k->assisted;
		kiosk_reset(k);
		if (assisted) {
			/* The outreach worker goes on with the next person from the status screen. */
			k->assisted = 1;
			k->mode = MODE_STATUS;
			kiosk_show(k);
		}
		return TAP_SHOWN;
	}
	case A_WHO:
		k->cq_page = 0;
		flow_who(f, (enum flow_who)p);
		return TAP_DONE;
	case A_BACK: flow_back(f); return TAP_DONE;
	case A_SEND: flow_outcome_send(f); return TAP_DONE;
	case A_REPLAY: kiosk_replay_prompt(k); return TAP_SHOWN;
	default: return TAP_NOT_MINE;
	}
}

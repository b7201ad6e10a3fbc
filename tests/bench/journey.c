#define LOG_MODULE "journey"
/*
 * spean-journey: the journey benchmark. For every persona of
 * shared/spec/personas-public.tsv, in Vietnamese and in Khmer, the REAL kiosk
 * (ui/kiosk, SDL offscreen, the repo's fonts, content pack and rules) is
 * driven from the attract screen to the receipt the way kiosk_main's replay
 * drives it (ui_find + ui_tap on widget ids), answering every question the
 * flow asks from the persona's facts, typing a fixed fake contact on the
 * on-screen keyboard and keypad, and really storing the sealed request in a
 * fresh provisioned data dir.
 *
 * Per journey it counts
 *   screens  distinct screens shown (attract and receipt included),
 *   taps     touches on anything but keyboard/keypad keys (key_ok, which
 *            confirms an answer, is a tap: it is the "next" of its screen),
 *   keys     keystrokes on keyboard and keypad keys (kb_*, km_*, key_N, key_del),
 *   chars    the user-perceived characters (grapheme clusters as the text
 *            layer's caret stops count them; spaces not counted) of every
 *            label and button of each screen, once per screen shown.
 * and checks that the outcome reached is the persona's (outcome, groups,
 * urgent) and that the store holds one more request. It prints the figures
 * beside those measured before issue 12 (tests/bench/journey-before.tsv) and
 * exits 1 if a journey is wrong or takes more taps than before. No timing.
 *
 * Nothing personal is printed: the contact is fake and only counts and
 * state names are shown.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "crypt.h"
#include "device.h"
#include "fs.h"
#include "icons.h"
#include "kiosk.h"
#include "km_input.h"
#include "kv.h"
#include "log.h"
#include "loop.h"
#include "personas.h"
#include "rules.h"
#include "store.h"
#include "submit.h"
#include "testlib.h"
#include "text.h"

#ifndef SPEAN_JOURNEY_SOURCE_DIR
#error "the build passes SPEAN_JOURNEY_SOURCE_DIR (the repo's root)"
#endif

#define PLAN_MAX 64
#define STEPS_MAX 80 /* screens answered per journey before it is called stuck */

/* ---- the screens' conventions ------------------------------------------------------------------ */

/*
 * The fixed fake contact, typed key by key on the on-screen keyboards (the
 * widget ids of their keys) and what the field must then hold. Vietnamese
 * with Telex (the default method); Khmer with NiDA. A keyboard change
 * (tone keys, a shift that does not reset...) changes these sequences.
 */
struct typed {
	const char *keys[40];
	const char *text;
};
static const struct typed vi_name = {
	{"kb_shift", "kb_t", "kb_h", "kb_a", "kb_c", "kb_h", "kb_j", "kb_space", "kb_shift", "kb_v", "kb_a", "kb_w",
	 "kb_n", "kb_space", "kb_shift", "kb_m", "kb_a", "kb_a", "kb_x", "kb_u", NULL},
	"Thạch Văn Mẫu"};
static const struct typed vi_matter = {
	{"kb_shift", "kb_t", "kb_r", "kb_a", "kb_n", "kb_h", "kb_space", "kb_c", "kb_h", "kb_a", "kb_a", "kb_p",
	 "kb_s", "kb_space", "kb_d", "kb_d", "kb_a", "kb_a", "kb_t", "kb_s", NULL},
	"Tranh chấp đất"};
/* សុខ សំណាង: shift+space is NiDA's real space. */
static const struct typed phone = {
	{"key_0", "key_9", "key_1", "key_2", "key_3", "key_4", "key_5", "key_6", "key_7", "key_8", NULL}, "0912345678"};

/* A keystroke (typing or editing text) rather than a tap: keys of the keyboards and the keypad, but not OK. */
static int is_key(const char *id)
{
	if (!strncmp(id, "kb_", 3) || !strncmp(id, "km_", 3))
		return 1;
	return !strncmp(id, "key_", 4) && strcmp(id, "key_ok");
}

/* What the driver will tap on the screen on show. */
struct plan {
	int n;
	char id[PLAN_MAX][48];
	const char *entry; /* before the last step the field being edited must hold this (NULL: no check) */
};

static void plan_add(struct plan *pl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void plan_add(struct plan *pl, const char *fmt, ...)
{
	if (pl->n == PLAN_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(pl->id[pl->n++], sizeof pl->id[0], fmt, ap);
	va_end(ap);
}

/*
 * Khmer text typed on the Khmer keyboard's pages (consonants, vowels and signs, digits), as a
 * first-time user does: one key a character, a page key when the character is on another page.
 */
static void plan_khmer(const struct kiosk *k, struct plan *pl, const char *text)
{
	static const char *const page_ids[3] = {"kb_page_cons", "kb_page_vowels", "kb_page_digits"};
	int cur = k->kb_page;
	for (const char *s = text; *s;) {
		if (*s == ' ') {
			plan_add(pl, "kb_space");
			s++;
			continue;
		}
		size_t len = (*s & 0xF0) == 0xE0 ? 3 : 1;
		int found = 0;
		for (int p = 0; p < 3 && !found; p++) {
			int n;
			const char *const *keys = km_page_keys((enum km_page)p, &n);
			for (int i = 0; i < n && !found; i++)
				if (strlen(keys[i]) == len && !memcmp(keys[i], s, len)) {
					if (p != cur)
						plan_add(pl, "%s", page_ids[p]);
					cur = p;
					plan_add(pl, "km_%c%d", "cvd"[p], i);
					found = 1;
				}
		}
		s += len;
	}
	pl->entry = text;
}

static void plan_typed(struct plan *pl, const struct typed *t)
{
	for (int i = 0; t->keys[i]; i++)
		plan_add(pl, "%s", t->keys[i]);
	pl->entry = t->text;
}

/*
 * HOW TO ANSWER THE SCREEN ON SHOW: the one place that knows the screens.
 * From the flow state (and, on a question, its fact and kind; on the contact
 * screens, the field) it lists the widget ids to tap, in order, ending with
 * the tap that leaves the screen, as the persona p would answer in lang.
 * The widget-id conventions it relies on (ui/kiosk):
 *   attract: start; language: lang_vi / lang_km; consent: consent_yes;
 *   who: who_self ("myself");
 *   yes/no question: answer_yes / answer_no / answer_unknown;
 *   choice question: choice_VALUE (the engine's value name) / answer_unknown;
 *   date question: the keypad, key_0..key_9 as DD MM YYYY, then key_ok;
 *   number question: its digits on the keypad, then key_ok;
 *   a fact the persona does not have (absent, or "unknown"): answer_unknown;
 *   outcome: send; contact: the keyboard keys (see struct typed), the phone
 *   on the keypad, the first commune of the pack (commune_CODE), the address
 *   left empty, each field left with next; review: send.
 * When a screen changes (a three-field date screen, "is there a deadline?"
 * then "which date", the criminal role as a short sequence...), change the
 * case for it here. Returns 0, or -1 with why when it cannot answer.
 */
/*
 * Type date d on the date screen as a resident would: its fields in the screen's order (the focus
 * moves on by itself when a field is full). The deadline's year is there already (this year): only
 * when d is in another year is it touched (its field tapped, cleared, typed).
 */
static void plan_date(const struct kiosk *k, struct plan *pl, struct date d, int year_prefilled)
{
	for (const char *p = kiosk_date_order(k); *p; p++) {
		char digits[8] = "";
		if (*p == 'y' && year_prefilled) {
			if (d.y == k->flow.today.y)
				continue;
			plan_add(pl, "date_y_tap");
			for (int i = 0; i < 4; i++)
				plan_add(pl, "key_del");
		}
		if (*p == 'y')
			snprintf(digits, sizeof digits, "%04d", d.y);
		else if (*p == 'm' && d.m)
			snprintf(digits, sizeof digits, "%02d", d.m);
		else if (*p == 'd' && d.d)
			snprintf(digits, sizeof digits, "%02d", d.d);
		for (const char *c = digits; *c; c++)
			plan_add(pl, "key_%c", *c);
	}
}

/* Does question q, or a question one of its choices opens, offer value val? */
static int offers(const struct content *c, int q, int val)
{
	if (q < 0 || q >= c->nquestions || val < 0)
		return 0;
	for (int j = 0; j < c->q[q].nchoice; j++) {
		const struct question_choice *ch = &c->q[q].choice[j];
		if (ch->value >= 0 ? ch->value == val : offers(c, ch->opens, val))
			return 1;
	}
	return 0;
}

static int answer_screen(const struct kiosk *k, const struct persona *p, const char *lang, struct plan *pl,
			 char *why, size_t n)
{
	const struct flow *f = &k->flow;
	memset(pl, 0, sizeof *pl);
	switch (f->state) {
	case FS_ATTRACT:
		/* The resident's own language's start button (one tap: the language screen is skipped). */
		plan_add(pl, "start_%s", lang);
		return 0;
	case FS_LANGUAGE:
		plan_add(pl, "lang_%s", lang);
		return 0;
	case FS_CONSENT:
		plan_add(pl, "consent_yes");
		return 0;
	case FS_WHO:
		plan_add(pl, "who_self");
		return 0;
	case FS_QUESTION: {
		const struct question *q = &k->content->q[f->q];
		const char *v = persona_get(p, fact_def(q->fact)->key);
		if (!v || !strcmp(v, "unknown")) {
			plan_add(pl, "answer_unknown");
			return 0;
		}
		switch (q->kind) {
		case Q_YESNO:
			plan_add(pl, "%s", !strcmp(v, "yes") ? "answer_yes" : "answer_no");
			return 0;
		case Q_GATE: {
			/* "Is there ...?": no when the value is the gate's no, else yes (it opens the next question). */
			int val = fact_value_find(q->fact, v, strlen(v));
			plan_add(pl, "%s", fact_def(q->fact)->kind == FK_ENUM && val == q->gate_no ? "answer_no" : "answer_yes");
			return 0;
		}
		case Q_CHOICE: {
			/* The value itself, or the choice that opens the question offering it. */
			int val = fact_value_find(q->fact, v, strlen(v));
			for (int j = 0; j < q->nchoice; j++) {
				const struct question_choice *ch = &q->choice[j];
				if (ch->value >= 0 ? ch->value == val : offers(k->content, ch->opens, val)) {
					plan_add(pl, "choice_%s", ch->value >= 0 ? v : ch->opens_id);
					return 0;
				}
			}
			snprintf(why, n, "%s = %s: no choice leads to it", q->id, v);
			return -1;
		}
		case Q_DATE: {
			/* Year, month, day as the screen orders them (the birth date asks the year first); a known part only. */
			struct date dt;
			if (date_partial_parse(v, strlen(v), &dt)) {
				snprintf(why, n, "%s = %s: not a date this screen takes", q->id, v);
				return -1;
			}
			plan_date(k, pl, dt, 0);
			plan_add(pl, "key_ok");
			return 0;
		}
		case Q_DEADLINE: {
			/* The persona's working days left: the first day that leaves exactly that many. */
			int want = atoi(v), got = -1;
			struct date d = f->today;
			for (int i = 0; i < 400 && got != want; i++) {
				d = date_next(d);
				if (holidays_workdays_between(&k->content->holidays, f->today, d, &got))
					break;
			}
			if (got != want) {
				snprintf(why, n, "%s = %s: no date leaves that many working days", q->id, v);
				return -1;
			}
			plan_date(k, pl, d, 1);
			plan_add(pl, "key_ok");
			return 0;
		}
		case Q_NUMBER:
			for (const char *c = v; *c; c++) {
				if (*c < '0' || *c > '9') {
					snprintf(why, n, "%s = %s: not a number", q->id, v);
					return -1;
				}
				plan_add(pl, "key_%c", *c);
			}
			plan_add(pl, "key_ok");
			return 0;
		default:
			break;
		}
		snprintf(why, n, "question %s: a kind the driver does not know", q->id);
		return -1;
	}
	case FS_OUTCOME:
		plan_add(pl, "send");
		return 0;
	case FS_CONTACT: {
		int km = !strcmp(lang, "km");
		switch ((enum flow_field)f->field) {
		case FIELD_NAME:
			if (km)
				plan_khmer(k, pl, "សុខ សំណាង");
			else
				plan_typed(pl, &vi_name);
			break;
		case FIELD_PHONE: plan_typed(pl, &phone); break;
		case FIELD_COMMUNE:
			if (k->content->ncommunes < 1) {
				snprintf(why, n, "the content pack has no communes");
				return -1;
			}
			plan_add(pl, "commune_%s", k->content->communes[0].code);
			return 0; /* picking one moves on */
		case FIELD_ADDRESS: break; /* optional: left empty */
		case FIELD_MATTER:
			if (km)
				plan_khmer(k, pl, "ដី");
			else
				plan_typed(pl, &vi_matter);
			break;
		default:
			snprintf(why, n, "contact field %d unknown to the driver", f->field);
			return -1;
		}
		plan_add(pl, "next");
		return 0;
	}
	case FS_REVIEW:
		plan_add(pl, "send");
		return 0;
	default:
		break;
	}
	snprintf(why, n, "no answer for the %s screen", flow_state_name(f->state));
	return -1;
}

/* ---- the kiosk, as `spean kiosk` wires it ---------------------------------------------------------- */

struct bench {
	const char *src;
	char *dir; /* the fresh data dir */
	struct device dev;
	struct store *store;
	struct rules *rules;
	struct content content;
	struct catalog *vi, *km;
	struct icons *icons;
	struct text *text;
	struct ui *ui;
	struct loop *loop;
	struct kiosk kiosk;
	int w, h, verbose;
	const char *shots; /* --shots DIR: each screen counted, as PNG */
};

static int submit_cb(void *ctx, const struct flow *f, unsigned char id[RECORD_ID_LEN], struct diag *d)
{
	struct bench *b = ctx;
	return submit_request(b->store, &b->dev, b->rules, &f->facts, f->today, &f->contact, f->lang, id, NULL, d);
}

static int read_in(const char *dir, const char *file, struct buf *out, struct diag *d)
{
	buf_finish(out);
	buf_init(out);
	int rc = fs_read_in(dir, file, 4u << 20, out, d);
	if (rc)
		diag_prefix(d, "%s/%s: ", dir, file);
	return rc;
}

/* Rules, content pack (questions, communes, both catalogs, pictures), fonts, window, data dir. */
static int bench_open(struct bench *b, const char *content, const char *fonts, struct diag *d)
{
	struct buf t;
	int rc;
	buf_init(&t);
	char *rules = fs_join(b->src, "firmware/content");
	if ((rc = read_in(rules, "eligibility.rules", &t, d)) || (rc = rules_parse(t.data, t.len, &b->rules, d)))
		goto out;
	if ((rc = read_in(content, "questions.conf", &t, d)) ||
	    (rc = content_parse_questions(t.data, t.len, &b->content, d)) ||
	    (rc = read_in(content, "holidays.txt", &t, d)) || (rc = holidays_parse(t.data, t.len, &b->content.holidays, d)) ||
	    (rc = read_in(content, "communes.txt", &t, d)) ||
	    (rc = content_parse_communes(t.data, t.len, &b->content, d)) || (rc = read_in(content, "strings.vi", &t, d)) ||
	    (rc = catalog_parse(t.data, t.len, &b->vi, d)) || (rc = read_in(content, "strings.km", &t, d)) ||
	    (rc = catalog_parse(t.data, t.len, &b->km, d)) ||
	    (rc = content_check_catalog(&b->content, b->rules, b->vi, "vi", d)) ||
	    (rc = content_check_catalog(&b->content, b->rules, b->km, "km", d)) ||
	    (rc = icons_load(&b->icons, content, &b->content, 0, d)))
		goto out;
	if ((rc = text_init(&b->text, fonts, d)) || (rc = ui_create(&b->ui, b->text, b->w, b->h, d)))
		goto out;
	b->loop = loop_create();
	/* A fresh kiosk data dir, provisioned with a center card made here (its secret key is not needed). */
	b->dir = t_tmpdir("journey");
	unsigned char pk[CRYPT_BOX_PK], sk[CRYPT_BOX_SK];
	char hex[2 * CRYPT_BOX_PK + 1];
	crypt_box_keypair(pk, sk);
	hex_encode(pk, sizeof pk, hex);
	buf_finish(&t);
	buf_init(&t);
	buf_printf(&t, "box = %s\n", hex);
	char *card = fs_join(b->dir, "center.pub"), *kdir = fs_join(b->dir, "kiosk");
	rc = fs_write_durable(card, t.data, t.len, 0600, d);
	if (!rc && !(rc = device_open(kdir, &b->dev, d)) && !(rc = device_provision(&b->dev, card, d)))
		rc = store_open(b->dev.dir, 0, &b->store, d);
	free(card);
	free(kdir);
out:
	buf_finish(&t);
	free(rules);
	return rc;
}

static void bench_close(struct bench *b)
{
	loop_destroy(b->loop);
	ui_destroy(b->ui);
	text_destroy(b->text);
	store_close(b->store);
	device_close(&b->dev);
	icons_destroy(b->icons);
	catalog_destroy(b->vi);
	catalog_destroy(b->km);
	content_finish(&b->content);
	rules_destroy(b->rules);
	if (b->dir)
		t_rmtree(b->dir);
	free(b->dir);
	SDL_Quit();
}

/* ---- one journey ------------------------------------------------------------------------------------ */

struct figures {
	int screens, taps, keys, chars;
};

struct journey {
	const struct persona *p;
	const char *lang;
	struct figures now;
	char sig[8192];   /* what identifies the screen on show (see screen_sig) */
	int ok;
	char why[256];
};

/* Graphemes of utf8 that are not blank, as the text layer's caret stops split it. */
static int graphemes(const char *s)
{
	size_t len = strlen(s), *stops = xcalloc(len + 2, sizeof *stops);
	int n = text_caret_stops(s, len, stops, len + 2), count = 0;
	for (int i = 0; i + 1 < n; i++) {
		int blank = 1;
		for (size_t j = stops[i]; j < stops[i + 1]; j++)
			blank &= s[j] == ' ' || s[j] == '\n' || s[j] == '\t';
		count += !blank;
	}
	free(stops);
	return count;
}

/*
 * A screen is what its labels and buttons say, keyboard keys aside: typing
 * (the field), a shifted keyboard or a keypad digit leave the screen the
 * same; a new question, field, page or message makes a new one.
 */
static void screen_sig(struct ui *ui, char *out, size_t n)
{
	size_t len = 0;
	out[0] = '\0';
	for (struct widget *w = ui->widgets; w && len < n; w = w->next) {
		if ((w->flags & WF_HIDDEN) || (w->kind != W_LABEL && w->kind != W_BUTTON) || is_key(w->id))
			continue;
		len += (size_t)snprintf(out + len, n - len, "%s=%s\x1f", w->id, w->text ? w->text : "");
	}
}

/* After every tap: a new screen counts once, with the characters of all its labels and buttons (keys too). */
static void seen(struct bench *b, struct journey *j)
{
	char sig[sizeof j->sig];
	screen_sig(b->ui, sig, sizeof sig);
	if (!strcmp(sig, j->sig))
		return;
	memcpy(j->sig, sig, sizeof sig);
	int chars = 0;
	for (struct widget *w = b->ui->widgets; w; w = w->next)
		if (!(w->flags & WF_HIDDEN) && (w->kind == W_LABEL || w->kind == W_BUTTON) && w->text)
			chars += graphemes(w->text);
	j->now.screens++;
	j->now.chars += chars;
	if (b->shots) {
		char path[4096];
		struct diag d = {""};
		snprintf(path, sizeof path, "%s/%s-%s-%02d-%s.png", b->shots, j->p->id, j->lang, j->now.screens,
			 flow_state_name(b->kiosk.flow.state));
		ui_render(b->ui);
		if (ui_screenshot(b->ui, path, &d))
			fprintf(stderr, "spean-journey: %s\n", d.msg);
	}
	if (b->verbose)
		fprintf(stderr, "  %s %s screen %d: %s%s%s, %d chars\n", j->p->id, j->lang, j->now.screens,
			flow_state_name(b->kiosk.flow.state), b->kiosk.flow.state == FS_QUESTION ? " " : "",
			b->kiosk.flow.state == FS_QUESTION ? b->kiosk.content->q[b->kiosk.flow.q].id : "", chars);
}

static int fail(struct journey *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct journey *j, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(j->why, sizeof j->why, fmt, ap);
	va_end(ap);
	j->ok = 0;
	return -1;
}

static int tap(struct bench *b, struct journey *j, const char *id)
{
	struct widget *w = ui_find(b->ui, id);
	if (!w)
		return fail(j, "no widget '%s' on the %s screen", id, flow_state_name(b->kiosk.flow.state));
	kiosk_activity(&b->kiosk);
	ui_tap(b->ui, w);
	ui_render(b->ui);
	if (is_key(id))
		j->now.keys++;
	else
		j->now.taps++;
	seen(b, j);
	return 0;
}

/* The outcome screen against the persona's expected outcome, groups and urgency. */
static int check_outcome(struct bench *b, struct journey *j)
{
	const struct screen_result *r = &b->kiosk.flow.result;
	char groups[128] = "";
	size_t len = 0;
	for (int s = 0; s < r->nslots; s++)
		if (r->slot[s] == TRI_YES)
			len += (size_t)snprintf(groups + len, sizeof groups - len, "%s%s", len ? "," : "", b->rules->slot_id[s]);
	if (!len)
		snprintf(groups, sizeof groups, "-");
	if (strcmp(outcome_name(r->outcome), j->p->outcome) || strcmp(groups, j->p->groups) || r->urgent != j->p->urgent)
		return fail(j, "reached %s %s urgent=%s, the persona expects %s %s urgent=%s", outcome_name(r->outcome),
			    groups, r->urgent ? "yes" : "no", j->p->outcome, j->p->groups, j->p->urgent ? "yes" : "no");
	return 0;
}

static void run_journey(struct bench *b, struct journey *j)
{
	struct kiosk *k = &b->kiosk;
	struct diag d = {""};
	struct store_counts before = {0, 0, 0}, after = {0, 0, 0};
	j->ok = 1;
	const char *rd = persona_get(j->p, "request_date");
	struct date today;
	if (!rd || date_parse(rd, strlen(rd), &today)) {
		fail(j, "no request_date");
		return;
	}
	if (store_count(b->store, &before, &d)) {
		fail(j, "store: %s", d.msg);
		return;
	}
	/* The kiosk's today is the persona's request date. */
	kiosk_init(k, b->ui, b->loop, b->rules, &b->content, b->vi, b->km, today, submit_cb, b);
	k->icons = b->icons;
	ui_render(b->ui);
	seen(b, j);
	int checked = 0;
	for (int step = 0; j->ok && k->flow.state != FS_RECEIPT; step++) {
		if (step == STEPS_MAX) {
			fail(j, "still not at the receipt after %d screens", STEPS_MAX);
			break;
		}
		if (k->flow.state == FS_OUTCOME && !checked++ && check_outcome(b, j))
			break;
		struct plan pl;
		char why[200] = "";
		if (answer_screen(k, j->p, j->lang, &pl, why, sizeof why)) {
			fail(j, "%s", why);
			break;
		}
		char sig0[sizeof j->sig];
		memcpy(sig0, j->sig, sizeof sig0);
		enum flow_state st0 = k->flow.state;
		int q0 = k->flow.q, field0 = k->flow.field;
		for (int i = 0; i < pl.n && j->ok; i++) {
			if (i == pl.n - 1 && pl.entry && strcmp(k->entry, pl.entry))
				fail(j, "the %s field holds other text than was typed (%zu bytes, want %zu)",
				     flow_state_name(k->flow.state), strlen(k->entry), strlen(pl.entry));
			else
				tap(b, j, pl.id[i]);
		}
		/* An answer that leaves the screen as it was: a silent refusal, or the driver is wrong. */
		if (j->ok && k->flow.state == st0 && k->flow.q == q0 && k->flow.field == field0 && !strcmp(sig0, j->sig))
			fail(j, "the %s screen did not move on after '%s'", flow_state_name(st0), pl.id[pl.n - 1]);
	}
	if (j->ok && !checked)
		fail(j, "no outcome screen on the way");
	if (j->ok && (store_count(b->store, &after, &d) || after.held != before.held + 1))
		fail(j, "the store holds %llu requests, want %llu", (unsigned long long)after.held,
		     (unsigned long long)before.held + 1);
	kiosk_finish(k);
}

/* ---- figures before, report ---------------------------------------------------------------------- */

struct before {
	char id[16], lang[3];
	struct figures f;
};

/* tests/bench/journey-before.tsv: "# ..." comments, then persona, lang, screens, taps, keys, chars. */
static int before_load(const char *path, struct before **out, size_t *n, char *commit, size_t cn)
{
	FILE *fp = fopen(path, "r");
	char line[512];
	*out = NULL;
	*n = 0;
	snprintf(commit, cn, "?");
	if (!fp)
		return -1;
	while (fgets(line, sizeof line, fp)) {
		char *c = strstr(line, "commit ");
		if (line[0] == '#') {
			if (c)
				sscanf(c + 7, "%40[0-9a-f]", commit);
			continue;
		}
		struct before bf;
		if (sscanf(line, "%15s %2s %d %d %d %d", bf.id, bf.lang, &bf.f.screens, &bf.f.taps, &bf.f.keys,
			   &bf.f.chars) != 6)
			continue;
		*out = xrealloc(*out, (*n + 1) * sizeof **out);
		(*out)[(*n)++] = bf;
	}
	fclose(fp);
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static double median(int *v, int n)
{
	if (n == 0)
		return 0;
	qsort(v, (size_t)n, sizeof *v, cmp_int);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static void cell(double now, double before, int have)
{
	if (have)
		printf(" %7g %7g %5.2f", now, before, before > 0 ? now / before : 0);
	else
		printf(" %7g %7s %5s", now, "-", "-");
}

static const char usage[] =
	"usage: spean-journey [--personas ID,ID...] [--lang vi|km] [--before FILE] [--size WxH] [--verbose]\n"
	"                     [--shots DIR] [--require-shorter] [--record FILE --commit SHA]\n"
	"\n"
	"The journey benchmark: the real kiosk (offscreen) from the attract screen to the receipt for every\n"
	"persona of $SPEAN_SHARED_DIR/spec/personas-public.tsv in both languages; screens, taps, keystrokes and\n"
	"characters shown, beside the figures before issue 12 (--before, default tests/bench/journey-before.tsv).\n"
	"Exits 1 if a journey does not reach the receipt with the persona's outcome, or takes more taps than before.\n"
	"  --record FILE  also write this run's figures as a before file (header: --commit SHA; --before /dev/null\n"
	"                 when there is none yet)\n"
	"  --require-shorter  also exit 1 unless the median journey takes fewer taps than before (issue 12's goal)\n"
	"  --verbose      each screen counted, with its characters (state names only, nothing typed)\n"
	"  --shots DIR    each screen counted as DIR/PERSONA-LANG-NN-STATE.png\n"
	"Content: $SPEAN_CONTENT_DIR (default the repo's firmware/content/kiosk); fonts: $SPEAN_FONT_DIR (fonts/).\n";

int main(int argc, char **argv)
{
	const char *only = NULL, *lang_only = NULL, *record = NULL, *commit = "?";
	int require_shorter = 0, shorter = 0;
	const char *before_arg = NULL;
	struct bench b;
	memset(&b, 0, sizeof b);
	b.src = SPEAN_JOURNEY_SOURCE_DIR;
	b.w = 800;
	b.h = 480;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--verbose")) {
			b.verbose = 1;
			continue;
		}
		if (!strcmp(a, "--require-shorter")) {
			require_shorter = 1;
			continue;
		}
		if (!strcmp(a, "--help")) {
			fputs(usage, stdout);
			return 0;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "spean-journey: %s needs a value\n%s", a, usage);
			return 2;
		}
		const char *v = argv[++i];
		if (!strcmp(a, "--personas"))
			only = v;
		else if (!strcmp(a, "--lang") && (!strcmp(v, "vi") || !strcmp(v, "km")))
			lang_only = v;
		else if (!strcmp(a, "--before"))
			before_arg = v;
		else if (!strcmp(a, "--record"))
			record = v;
		else if (!strcmp(a, "--commit"))
			commit = v;
		else if (!strcmp(a, "--shots"))
			b.shots = v;
		else if (!strcmp(a, "--size") && sscanf(v, "%dx%d", &b.w, &b.h) == 2 && b.w >= 320 && b.h >= 240 &&
			 b.w <= 4096 && b.h <= 4096)
			;
		else {
			fprintf(stderr, "spean-journey: bad argument %s %s\n%s", a, v, usage);
			return 2;
		}
	}
	/* Headless, silent, as the kiosk's tests run it. */
	setenv("SDL_VIDEODRIVER", getenv("SDL_VIDEODRIVER") ? getenv("SDL_VIDEODRIVER") : "offscreen", 1);
	setenv("SDL_AUDIODRIVER", "dummy", 1);
	SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
	char *before_path = before_arg ? xstrdup(before_arg) : fs_join(SPEAN_JOURNEY_SOURCE_DIR, "tests/bench/journey-before.tsv");
	const char *shared = getenv("SPEAN_SHARED_DIR"), *content = getenv("SPEAN_CONTENT_DIR"),
		   *fonts = getenv("SPEAN_FONT_DIR");
	char *shared_def = fs_join(SPEAN_JOURNEY_SOURCE_DIR, "../shared");
	char *content_def = fs_join(SPEAN_JOURNEY_SOURCE_DIR, "firmware/content/kiosk");
	char *fonts_def = fs_join(SPEAN_JOURNEY_SOURCE_DIR, "fonts");
	char *ppath = fs_join(shared && *shared ? shared : shared_def, "spec/personas-public.tsv");
	struct personas ps = {NULL, 0};
	struct diag d = {""};
	int ex = 2;
	struct journey *js = NULL;
	struct before *bf = NULL;
	size_t nbf = 0, nj = 0;
	char bcommit[48];
	if (personas_load(ppath, &ps, &d)) {
		fprintf(stderr, "spean-journey: %s\n", d.msg);
		goto out;
	}
	if (before_load(before_path, &bf, &nbf, bcommit, sizeof bcommit)) {
		fprintf(stderr, "spean-journey: no figures before at %s: %s\n", before_path, strerror(errno));
		goto out;
	}
	crypt_init();
	if (bench_open(&b, content && *content ? content : content_def, fonts && *fonts ? fonts : fonts_def, &d)) {
		fprintf(stderr, "spean-journey: %s\n", d.msg);
		bench_close(&b);
		goto out;
	}
	static const char *const langs[2] = {"vi", "km"};
	js = xcalloc(ps.n * 2 + 1, sizeof *js);
	for (size_t i = 0; i < ps.n; i++) {
		if (only) {
			/* --personas P01,P21: whole ids only. */
			size_t il = strlen(ps.p[i].id);
			const char *hit = only;
			while ((hit = strstr(hit, ps.p[i].id)) &&
			       !((hit == only || hit[-1] == ',') && (hit[il] == ',' || hit[il] == '\0')))
				hit++;
			if (!hit)
				continue;
		}
		for (int l = 0; l < 2; l++) {
			if (lang_only && strcmp(lang_only, langs[l]))
				continue;
			struct journey *j = &js[nj++];
			j->p = &ps.p[i];
			j->lang = langs[l];
			run_journey(&b, j);
		}
	}
	bench_close(&b);

	/* The report: per journey and the medians, now beside before. */
	int failed = 0, longer = 0;
	int *v[8];
	int nb = 0;
	for (int m = 0; m < 8; m++)
		v[m] = xcalloc(nj + 1, sizeof *v[m]);
	printf("spean journey benchmark: %zu journeys (%zu personas of %s, vi and km), kiosk at %dx%d\n", nj, ps.n, ppath,
	       b.w, b.h);
	printf("  before: %s (commit %s); ratio = now / before; taps exclude keystrokes (keyboard and keypad keys)\n",
	       before_path, bcommit);
	printf("  %-5s %-4s %-23s %-23s %-23s %-23s %s\n", "", "", "screens now/bef/ratio", "taps now/bef/ratio",
	       "keys now/bef/ratio", "chars now/bef/ratio", "result");
	for (size_t i = 0; i < nj; i++) {
		struct journey *j = &js[i];
		const struct before *o = NULL;
		for (size_t x = 0; x < nbf && !o; x++)
			if (!strcmp(bf[x].id, j->p->id) && !strcmp(bf[x].lang, j->lang))
				o = &bf[x];
		printf("  %-5s %-4s", j->p->id, j->lang);
		if (!j->ok) {
			failed++;
			printf(" FAILED: %s\n", j->why);
			continue;
		}
		struct figures z = {0, 0, 0, 0}, ob = o ? o->f : z;
		cell(j->now.screens, ob.screens, !!o);
		cell(j->now.taps, ob.taps, !!o);
		cell(j->now.keys, ob.keys, !!o);
		cell(j->now.chars, ob.chars, !!o);
		int worse = o && j->now.taps > ob.taps;
		longer += worse;
		printf(" %s %s\n", j->p->outcome, worse ? "LONGER (more taps than before)" : "ok");
		/* Medians over the journeys that have a before figure, both sides the same set. */
		if (o) {
			v[0][nb] = j->now.screens, v[1][nb] = ob.screens, v[2][nb] = j->now.taps, v[3][nb] = ob.taps;
			v[4][nb] = j->now.keys, v[5][nb] = ob.keys, v[6][nb] = j->now.chars, v[7][nb] = ob.chars;
			nb++;
		}
	}
	if (nb) {
		double md[8];
		for (int m = 0; m < 8; m++)
			md[m] = median(v[m], nb);
		printf("  %-10s", "median");
		for (int m = 0; m < 8; m += 2)
			cell(md[m], md[m + 1], 1);
		shorter = md[2] < md[3];
		printf(" over %d journeys: taps %s, chars %s\n", nb,
		       md[2] < md[3] ? "shorter" : md[2] > md[3] ? "LONGER" : "same as before",
		       md[6] < md[7] ? "fewer" : md[6] > md[7] ? "more" : "same as before");
	}
	for (int m = 0; m < 8; m++)
		free(v[m]);
	if (record) {
		struct buf o;
		buf_init(&o);
		buf_printf(&o, "# Journey benchmark figures (tests/bench/journey.c) measured on commit %s, kiosk at %dx%d.\n"
			       "# persona\tlang\tscreens\ttaps\tkeys\tchars\n", commit, b.w, b.h);
		for (size_t i = 0; i < nj; i++)
			if (js[i].ok)
				buf_printf(&o, "%s\t%s\t%d\t%d\t%d\t%d\n", js[i].p->id, js[i].lang, js[i].now.screens,
					   js[i].now.taps, js[i].now.keys, js[i].now.chars);
		if (fs_write_durable(record, o.data, o.len, 0644, &d))
			fprintf(stderr, "spean-journey: %s\n", d.msg), failed++;
		buf_finish(&o);
	}
	printf("  %zu journeys: %d failed, %d longer than before%s\n", nj, failed, longer,
	       require_shorter && !shorter ? "; the median of taps is not shorter (--require-shorter)" : "");
	ex = nj == 0 || failed || longer || (require_shorter && !shorter) ? 1 : 0;
out:
	free(js);
	free(bf);
	personas_free(&ps);
	free(ppath);
	free(shared_def);
	free(content_def);
	free(fonts_def);
	free(before_path);
	return ex;
}

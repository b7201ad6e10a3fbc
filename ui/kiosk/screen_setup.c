#define LOG_MODULE "kiosk"
/*
 * kiosk/screen_setup: a kiosk's first boot without a keyboard. It has no
 * center card: it asks for the center's USB stick, says what the stick did
 * (or exactly why it was refused), then shows its own public signing key as a
 * QR code for the center to enroll it. Whoever sets a kiosk up may read
 * either language, so these screens say everything in Vietnamese and Khmer at
 * once (the resident's language switch is not theirs).
 */
#include <stdio.h>
#include <string.h>

#include "kiosk_internal.h"
#include "log.h"
#include "text.h"

static const char *text_in(const struct kiosk *k, const char *lang, const char *key)
{
	const char *t = kiosk_catalog(k, strcmp(lang, "km") ? k->vi : k->km, key);
	return t ? t : key;
}

/*
 * key's text in both languages, one label each: ID (Vietnamese) and ID_km, filled from kv (what the stick
 * or the computer wrote: shown as written) and {n} = count in each language's digits (the catalog rule).
 */
static void both_n(struct kiosk *k, struct col *c, const char *id, const char *key, const char *const *kv,
		   long long count, int size, unsigned fl)
{
	static const char *const langs[2] = {"vi", "km"};
	for (int i = 0; i < 2; i++) {
		struct buf b;
		char wid[64], n[48];
		const char *all[16];
		int m = 0;
		for (; kv[m] && m < 12; m += 2)
			all[m] = kv[m], all[m + 1] = kv[m + 1];
		if (text_format_int(langs[i], count, n, sizeof n) < 0)
			snprintf(n, sizeof n, "?");
		all[m++] = "n", all[m++] = n, all[m] = NULL;
		buf_init(&b);
		kiosk_fill(&b, text_in(k, langs[i], key), all);
		snprintf(wid, sizeof wid, i ? "%s_km" : "%s", id);
		struct widget *w = ui_label(k->ui, wid, (SDL_Rect){c->x, c->y, c->w, 0}, b.data, langs[i], size, fl);
		c->y += w->r.h + (i ? k->ui->theme.gap : k->ui->theme.gap / 3);
		buf_finish(&b);
	}
}

static void both(struct kiosk *k, struct col *c, const char *id, const char *key, const char *const *kv, int size,
		 unsigned fl)
{
	both_n(k, c, id, key, kv, 0, size, fl);
}

/* "vi / km" for a button both can read. */
static void both_button(struct kiosk *k, const char *id, SDL_Rect r, const char *key, unsigned fl, int arg)
{
	char s[256];
	snprintf(s, sizeof s, "%s / %s", text_in(k, "vi", key), text_in(k, "km", key));
	struct widget *b = ui_button(k->ui, id, r, s, "vi", fl, kiosk_on_tap, k, arg);
	if (b->overflow) {
		b->size_px = k->ui->theme.small_px;
		ui_set_text(k->ui, b, "");
		ui_set_text(k->ui, b, s);
	}
}

/* The first 16 hex digits in groups of four: what the center's logs and lists show of a key. */
static void fingerprint(const char *hex, char *out, size_t n)
{
	snprintf(out, n, "%.4s %.4s %.4s %.4s", hex, hex + 4, hex + 8, hex + 12);
}

void kiosk_screen_setup(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	struct col c = {t->pad, t->pad, k->ui->w - 2 * t->pad};
	both(k, &c, "setup_title", "setup.title", (const char *const[]){NULL}, t->title_px, WF_BOLD);
	both(k, &c, "setup_insert", "setup.insert", (const char *const[]){NULL}, t->body_px, 0);
	both(k, &c, "setup_folder", "setup.folder", (const char *const[]){"folder", "spean/provision/", NULL}, t->small_px,
	     WF_MUTED);
	if (k->identity[0]) {
		char fp[24];
		fingerprint(k->identity, fp, sizeof fp);
		both(k, &c, "setup_identity", "setup.identity_fp", (const char *const[]){"fp", fp, NULL}, t->small_px, WF_MUTED);
	}
}

void kiosk_screen_setup_result(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	const struct kiosk_setup *s = &k->setup;
	struct col c = {t->pad, t->pad, k->ui->w - 2 * t->pad};
	int w = (k->ui->w - 2 * t->pad - t->gap) / 2;
	SDL_Rect right = {t->pad + w + t->gap, kiosk_bar_y(k), w, t->touch_px};
	if (s->ok) {
		both(k, &c, "setup_done", "setup.done", (const char *const[]){NULL}, t->title_px, WF_BOLD);
		both(k, &c, "setup_center", "setup.center", (const char *const[]){"fp", s->center, NULL}, t->body_px, 0);
		if (s->url[0])
			both(k, &c, "setup_url", "setup.url", (const char *const[]){"url", s->url, NULL}, t->body_px, 0);
		else
			both(k, &c, "setup_no_url", "setup.no_url", (const char *const[]){NULL}, t->body_px, WF_MUTED);
		if (s->printer[0])
			both(k, &c, "setup_printer", "setup.printer", (const char *const[]){"printer", s->printer, NULL}, t->body_px,
			     0);
		else
			both(k, &c, "setup_no_printer", "setup.no_printer", (const char *const[]){NULL}, t->body_px, WF_MUTED);
		both_button(k, "setup_next", right, "setup.next", WF_PRIMARY, ACT(A_SETUP_NEXT, 0));
	} else {
		both(k, &c, "setup_refused", "setup.refused", (const char *const[]){NULL}, t->title_px, WF_BOLD | WF_DANGER);
		char key[48], id[48], line[16];
		snprintf(key, sizeof key, "setup.why.%s", s->why);
		snprintf(id, sizeof id, "why_%s", s->why);
		/* The settings line as a text editor numbers it (ASCII digits in both languages). */
		snprintf(line, sizeof line, "%u", s->line);
		both_n(k, &c, id, key, (const char *const[]){"line", line, NULL}, s->held, t->body_px, 0);
		both(k, &c, "setup_again", k->unprovisioned ? "setup.again" : "setup.again_staff", (const char *const[]){NULL},
		     t->small_px, WF_MUTED);
		both_button(k, "setup_retry", right, "setup.retry", WF_PRIMARY, ACT(A_SETUP_RETRY, 0));
	}
	if (k->setup_from_staff)
		both_button(k, "setup_back", (SDL_Rect){t->pad, kiosk_bar_y(k), w, t->touch_px}, "nav.back", 0,
			    ACT(A_SETUP_BACK, 0));
}

void kiosk_screen_identity(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	int qr = kiosk_bar_y(k) - 2 * t->pad;
	if (qr > k->ui->w / 2)
		qr = k->ui->w / 2;
	struct col c = {t->pad, t->pad, k->ui->w - 3 * t->pad - qr};
	both(k, &c, "identity_title", "identity.title", (const char *const[]){NULL}, t->title_px, WF_BOLD);
	both(k, &c, "identity_body", "identity.body", (const char *const[]){NULL}, t->small_px, 0);
	char fp[24], key[80];
	fingerprint(k->identity, fp, sizeof fp);
	struct widget *w = ui_label(k->ui, "identity_fp", (SDL_Rect){c.x, c.y, c.w, 0}, fp, "vi", t->title_px, WF_BOLD);
	c.y += w->r.h + t->gap;
	/* The whole key, for a center that types it (spean-center enroll KEYHEX). */
	snprintf(key, sizeof key, "%.16s %.16s %.16s %.16s", k->identity, k->identity + 16, k->identity + 32,
		 k->identity + 48);
	ui_label(k->ui, "identity_key", (SDL_Rect){c.x, c.y, c.w, 0}, key, "vi", t->small_px, WF_MUTED);
	/* The QR code holds exactly what 'spean identity' prints and 'spean-center enroll' takes: 64 hex digits. */
	ui_qr(k->ui, "identity_qr", (SDL_Rect){k->ui->w - t->pad - qr, t->pad, qr, qr}, k->identity);
	int bw = (k->ui->w - 2 * t->pad - t->gap) / 2;
	if (k->setup_from_staff)
		both_button(k, "identity_back", (SDL_Rect){t->pad, kiosk_bar_y(k), bw, t->touch_px}, "nav.back", 0,
			    ACT(A_IDENTITY_DONE, 0));
	else
		both_button(k, "identity_continue", (SDL_Rect){t->pad, kiosk_bar_y(k), bw, t->touch_px}, "identity.continue",
			    WF_PRIMARY, ACT(A_IDENTITY_DONE, 0));
}

void kiosk_setup_wait(struct kiosk *k)
{
	k->unprovisioned = 1;
	k->mode = MODE_SETUP;
	log_info("setup_waiting");
	kiosk_show(k);
}

void kiosk_setup_result(struct kiosk *k, const struct kiosk_setup *r)
{
	k->setup = *r;
	if (k->unprovisioned)
		k->setup_from_staff = 0; /* first boot: no way to the staff screens from here */
	if (r->ok)
		k->unprovisioned = 0;
	k->mode = MODE_SETUP_RESULT;
	log_info("setup_result ok=%d why=%s line=%u", r->ok, r->ok ? "-" : r->why, r->line);
	kiosk_show(k);
}

enum tap_result kiosk_setup_tap(struct kiosk *k, int a, int p)
{
	(void)p;
	switch (a) {
	case A_IDENTITY: /* from the staff status screen */
		k->setup_from_staff = 1;
		k->mode = MODE_IDENTITY;
		return TAP_DONE;
	case A_PROVISION_STICK:
		k->setup_from_staff = 1;
		/* FALLTHROUGH */
	case A_SETUP_RETRY:
		if (k->ops.provision) {
			k->ops.provision(k->ops.ctx); /* answers with kiosk_setup_result, which draws */
			return TAP_SHOWN;
		}
		return TAP_DONE;
	case A_SETUP_NEXT:
		k->mode = MODE_IDENTITY;
		return TAP_DONE;
	case A_SETUP_BACK:
		k->mode = MODE_STATUS;
		return TAP_DONE;
	case A_IDENTITY_DONE:
		if (k->setup_from_staff) {
			k->mode = MODE_STATUS;
			return TAP_DONE;
		}
		kiosk_reset(k); /* provisioned: the attract screen */
		return TAP_SHOWN;
	default:
		return TAP_NOT_MINE;
	}
}

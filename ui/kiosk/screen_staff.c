#define LOG_MODULE "kiosk"
/* kiosk/screen_staff: assisted mode's staff PIN and status screens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk_internal.h"
#include "clock.h"
#include "log.h"

void kiosk_screen_pin(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	int half = (k->ui->w - 2 * t->pad - t->gap) / 2;
	struct col l = {t->pad, t->pad, half};
	kiosk_label(k, &l, "title", kiosk_text(k, "assisted.title"), t->title_px, WF_BOLD);
	kiosk_label(k, &l, "pin_label", kiosk_text(k, "assisted.pin"), t->body_px, 0);
	char dots[16] = "";
	for (size_t i = 0; i < strlen(k->entry) && i < 8; i++)
		strcat(dots, "*");
	ui_field(k->ui, "entry", (SDL_Rect){l.x, l.y, half, t->touch_px}, dots[0] ? dots : " ", "vi", WF_FOCUSED);
	l.y += t->touch_px + t->gap;
	unsigned left;
	if (lockout_locked(&k->lockout, clock_mono_ns(), &left)) {
		char s[16];
		kiosk_int(k, (int)left, s, sizeof s);
		struct buf b;
		buf_init(&b);
		kiosk_fill(&b, kiosk_text(k, "assisted.locked"), (const char *const[]){"seconds", s, NULL});
		kiosk_label(k, &l, "pin_message", b.data, t->body_px, WF_DANGER);
		buf_finish(&b);
	} else if (k->lockout.fails) {
		char s[16];
		kiosk_int(k, lockout_tries_left(&k->lockout), s, sizeof s);
		struct buf b;
		buf_init(&b);
		kiosk_fill(&b, kiosk_text(k, "assisted.wrong"), (const char *const[]){"left", s, NULL});
		kiosk_label(k, &l, "pin_message", b.data, t->body_px, WF_DANGER);
		buf_finish(&b);
	}
	kiosk_keypad(k, (SDL_Rect){t->pad + half + t->gap, t->pad, half, kiosk_bar_y(k) - t->gap - t->pad});
	kiosk_back_button(k);
}

void kiosk_screen_status(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	struct col c = {t->pad, t->pad, k->ui->w - 2 * t->pad};
	struct kiosk_status st = {0, 0, 0, -1, "", 0};
	if (k->ops.status)
		k->ops.status(k->ops.ctx, &st);
	kiosk_label(k, &c, "title", kiosk_text(k, "assisted.title"), t->title_px, WF_BOLD);
	char held[24], del[24], pct[16];
	kiosk_int(k, (int)st.held, held, sizeof held);
	kiosk_int(k, (int)st.delivered, del, sizeof del);
	kiosk_int(k, st.battery, pct, sizeof pct);
	struct buf b;
	buf_init(&b);
	kiosk_fill(&b, kiosk_text(k, "assisted.status"),
	     (const char *const[]){"held", held, "delivered", del, "last",
				   st.last_sync[0] ? st.last_sync : kiosk_text(k, "assisted.never"), NULL});
	if (st.last_sync_failed) {
		buf_puts(&b, " ");
		buf_puts(&b, kiosk_text(k, "assisted.sync_failed"));
	}
	kiosk_label(k, &c, "status", b.data, t->body_px, 0);
	buf_finish(&b);
	if (st.refused > 0) {
		char n[24];
		snprintf(n, sizeof n, "%lld", st.refused);
		buf_init(&b);
		kiosk_fill(&b, kiosk_text(k, "assisted.refused"), (const char *const[]){"n", n, NULL});
		kiosk_label(k, &c, "refused", b.data, t->body_px, WF_DANGER);
		buf_finish(&b);
	}
	buf_init(&b);
	if (st.battery >= 0)
		kiosk_fill(&b, kiosk_text(k, "assisted.battery"), (const char *const[]){"percent", pct, NULL});
	else
		buf_puts(&b, kiosk_text(k, "assisted.no_battery"));
	kiosk_label(k, &c, "battery", b.data, t->body_px, st.battery >= 0 && st.battery < 20 ? WF_DANGER : 0);
	buf_finish(&b);
	int w = (k->ui->w - 2 * t->pad - t->gap) / 2;
	/* For a technician: the kiosk's identity QR code (enrollment), and a new center card or settings from a stick. */
	int y2 = kiosk_bar_y(k) - t->touch_px - t->gap;
	kiosk_button(k, "identity", (SDL_Rect){t->pad, y2, w, t->touch_px}, kiosk_text(k, "assisted.identity"), 0,
		     ACT(A_IDENTITY, 0));
	if (k->ops.provision)
		kiosk_button(k, "provision_stick", (SDL_Rect){t->pad + w + t->gap, y2, w, t->touch_px},
			     kiosk_text(k, "assisted.provision"), 0, ACT(A_PROVISION_STICK, 0));
	kiosk_button(k, "assisted_exit", (SDL_Rect){t->pad, kiosk_bar_y(k), w, t->touch_px}, kiosk_text(k, "assisted.exit"), 0,
	       ACT(A_ASSISTED_EXIT, 0));
	kiosk_button(k, "assisted_start", (SDL_Rect){t->pad + w + t->gap, kiosk_bar_y(k), w, t->touch_px},
	       kiosk_text(k, "assisted.start"), WF_PRIMARY, ACT(A_ASSISTED_START, 0));
}

/* Taps while staff use the kiosk (PIN, status) or reach for the staff button. */
void kiosk_staff_tap(struct kiosk *k, int a, int p)
{
	struct flow *f = &k->flow;
	switch (a) {
	case A_STAFF:
		k->mode = MODE_PIN;
		mem_wipe(k->entry, sizeof k->entry);
		kiosk_activity(k);
		break;
	case A_KEY:
		kiosk_entry_key(k, p);
		break;
	case A_KEY_DEL: {
		size_t n = strlen(k->entry);
		if (n)
			k->entry[n - 1] = '\0';
		break;
	}
	case A_ENTRY_OK: {
		uint64_t now = clock_mono_ns();
		if (lockout_locked(&k->lockout, now, NULL))
			break;
		int rc = k->ops.check_pin ? k->ops.check_pin(k->ops.ctx, k->entry) : ERR_NOTFOUND;
		mem_wipe(k->entry, sizeof k->entry);
		now = clock_mono_ns(); /* the check (Argon2id) takes a while: a lockout runs from its answer */
		unsigned s = 0;
		if (rc == 0) {
			lockout_success(&k->lockout);
			k->mode = MODE_STATUS;
			log_info("assisted_unlocked");
		} else if ((s = lockout_fail(&k->lockout, now))) {
			log_warn("assisted_locked seconds=%u lockouts=%d", s, k->lockout.lockouts);
		} else {
			log_info("assisted_pin_wrong fails=%d", k->lockout.fails);
		}
		/* Kept by the app (durably) before the screen shows the result: cutting the power then loses nothing. */
		if (k->ops.lockout_changed) {
			char text[LOCKOUT_TEXT_MAX];
			lockout_save(&k->lockout, now, text);
			k->ops.lockout_changed(k->ops.ctx, text);
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
}

#define LOG_MODULE "kiosk"
/* kiosk/screen_review: review, submit, receipt (on screen and on paper). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk_internal.h"
#include "escpos.h"
#include "log.h"
#include "receipt.h"
#include "text.h"

/*
 * s cut to one line of width px at size px, with "…" where it was cut (at a caret stop, so a
 * Khmer cluster or a Vietnamese letter with its marks is never split). The review shows every
 * field on one line; Edit opens the whole of it.
 */
/* s's first n bytes, with "…" when that cuts it, laid out on one line: does it fit width px? Into out either way. */
static int fits(struct kiosk *k, const char *s, size_t n, int width, int size, struct buf *out)
{
	buf_finish_wipe(out);
	buf_init(out);
	buf_printf(out, "%.*s%s", (int)n, s, n < strlen(s) ? "…" : "");
	struct text_layout *l = text_layout(k->ui->text, out->data, size, TEXT_REGULAR, 0, k->flow.lang);
	int w = 0, h = 0;
	if (l)
		text_layout_size(l, &w, &h);
	text_layout_free(l);
	return w <= width;
}

static void one_line(struct kiosk *k, const char *s, int width, int size, struct buf *out)
{
	size_t len = strlen(s);
	buf_init(out);
	if (fits(k, s, len, width, size, out))
		return;
	/*
	 * The longest prefix ending at a caret stop that fits with its "…": a binary search over the
	 * stops (a field holds up to 1,000 bytes; laying out every shorter prefix would be as many layouts).
	 */
	size_t lo = 0, hi = len; /* a prefix of lo bytes fits (0 counts as fitting); one of hi does not */
	while (text_next_stop(s, len, lo) < hi) {
		size_t mid = text_prev_stop(s, len, lo + (hi - lo) / 2 + 1);
		if (mid <= lo)
			mid = text_next_stop(s, len, lo);
		if (fits(k, s, mid, width, size, out))
			lo = mid;
		else
			hi = mid;
	}
	fits(k, s, lo, width, size, out);
}

void kiosk_screen_review(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	struct col c = {t->pad, t->pad, k->ui->w - 2 * t->pad};
	kiosk_label(k, &c, "title", kiosk_text(k, "review.title"), t->title_px, WF_BOLD);
	int ew = k->ui->w / 6, eh = t->touch_px; /* a whole touch target (at least 48 px) */
	for (int f = 0; f < FIELD_COUNT; f++) {
		char **v = kiosk_field_value(k, (enum flow_field)f);
		if (!*v && f != FIELD_NAME)
			continue;
		struct buf line, shown;
		buf_init(&line);
		/* Khmer text takes the Khmer colon. */
		buf_printf(&line, "%s%s %s", kiosk_text_you(k, kiosk_field_label_keys[f]), strcmp(k->flow.lang, "km") ? ":" : "\u17d6",
			   f == FIELD_COMMUNE ? kiosk_commune_name(k, *v) : (*v ? *v : ""));
		one_line(k, line.data, c.w - ew - t->gap, t->body_px, &shown);
		char id[24];
		snprintf(id, sizeof id, "review_%d", f);
		struct widget *w = ui_label(k->ui, id, (SDL_Rect){c.x, c.y + (eh - t->body_px * 3 / 2) / 2, c.w - ew - t->gap, 0},
					    shown.data, k->flow.lang, t->body_px, 0);
		(void)w;
		buf_finish_wipe(&line);
		buf_finish_wipe(&shown);
		snprintf(id, sizeof id, "edit_%d", f);
		kiosk_button(k, id, (SDL_Rect){c.x + c.w - ew, c.y, ew, eh}, kiosk_text(k, "nav.edit"), 0, ACT(A_EDIT, f));
		c.y += eh + t->gap / 2;
	}
	kiosk_back_button(k);
	kiosk_button(k, "send", kiosk_main_action(k), kiosk_text(k, "review.send"), WF_PRIMARY, ACT(A_REVIEW_SEND, 0));
}

/* The first 8 hex digits, grouped and upper case, are what a person reads out; the QR holds the full id. */
static void receipt_number(const struct kiosk *k, char *out, size_t n)
{
	snprintf(out, n, "%.4s-%.4s", k->flow.receipt, k->flow.receipt + 4);
	for (char *p = out; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
}

void kiosk_screen_receipt(struct kiosk *k)
{
	const struct ui_theme *t = &k->ui->theme;
	int qr = k->ui->h / 2;
	struct col c = {t->pad, t->pad, k->ui->w - 3 * t->pad - qr};
	kiosk_label(k, &c, "title", kiosk_text(k, "receipt.title"), t->title_px, WF_BOLD);
	kiosk_label(k, &c, "number_label", kiosk_text(k, "receipt.number"), t->body_px, WF_MUTED);
	char shown[16];
	receipt_number(k, shown, sizeof shown);
	kiosk_label(k, &c, "number", shown, t->title_px * 3 / 2, WF_BOLD);
	char phone[64];
	kiosk_nobreak(k->content->center_phone, phone, sizeof phone);
	struct buf b;
	buf_init(&b);
	kiosk_fill(&b, kiosk_text(k, "receipt.body"), (const char *const[]){"phone", phone, NULL});
	kiosk_label(k, &c, "body", b.data, t->body_px, 0);
	buf_finish(&b);
	ui_qr(k->ui, "qr", (SDL_Rect){k->ui->w - t->pad - qr, t->pad, qr, qr}, k->flow.receipt);
	if (k->print != KIOSK_PRINT_NONE) {
		static const char *const keys[] = {"", "receipt.printing", "receipt.printed", "receipt.print_unplugged",
						   "receipt.print_no_paper", "receipt.print_stalled", "receipt.print_failed"};
		kiosk_label(k, &c, "print_status", kiosk_text(k, keys[k->print]), t->small_px,
		      k->print >= KIOSK_PRINT_UNPLUGGED ? WF_DANGER : WF_MUTED);
	}
	kiosk_button(k, "done", kiosk_main_action(k), kiosk_text(k, "receipt.done"), WF_PRIMARY, ACT(A_DONE, 0));
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
	char phone[64];
	kiosk_nobreak(k->content->center_phone, phone, sizeof phone);
	struct buf db, foot;
	buf_init(&db);
	buf_init(&foot);
	kiosk_fill(&db, kiosk_text(k, "receipt.date"), (const char *const[]){"date", date, NULL});
	kiosk_fill(&foot, kiosk_text(k, "receipt.body"), (const char *const[]){"phone", phone, NULL});
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

static void kiosk_submit_now(struct kiosk *k)
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

enum tap_result kiosk_review_tap(struct kiosk *k, int a, int p)
{
	(void)p;
	switch (a) {
	case A_REVIEW_SEND:
	case A_RETRY: kiosk_submit_now(k); return TAP_DONE;
	default: return TAP_NOT_MINE;
	}
}

#define LOG_MODULE "kiosk"
/* kiosk/screen_contact: the contact fields (the keyboards are in keyboard.c), the commune list, typing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk_internal.h"
#include "audio.h"
#include "log.h"
#include "text.h"

const char *const kiosk_field_label_keys[FIELD_COUNT] = {"contact.name", "contact.phone", "contact.commune",
							  "contact.address", "contact.matter"};

char **kiosk_field_value(struct kiosk *k, enum flow_field f)
{
	struct contact *c = &k->flow.contact;
	char **v[FIELD_COUNT] = {&c->name, &c->phone, &c->commune_code, &c->address, &c->matter};
	return v[f];
}

const char *kiosk_commune_name(const struct kiosk *k, const char *code)
{
	for (int i = 0; code && i < k->content->ncommunes; i++)
		if (!strcmp(k->content->communes[i].code, code))
			return !strcmp(k->flow.lang, "km") && k->content->communes[i].name_km ? k->content->communes[i].name_km
											      : k->content->communes[i].name;
	return code;
}

void kiosk_screen_contact(struct kiosk *k)
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
		kiosk_label(k, &c, "title", kiosk_text(k, "contact.title"), t->small_px, WF_MUTED);
	kiosk_label(k, &c, "field_label", kiosk_text_you(k, kiosk_field_label_keys[f]), t->body_px, WF_BOLD);
	if (f == FIELD_COMMUNE && k->field_error[0])
		kiosk_label(k, &c, "field_error", kiosk_text(k, k->field_error), t->small_px, WF_DANGER | WF_BOLD);
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
			texts[m] = kiosk_commune_name(k, k->content->communes[i].code);
			args[m] = ACT(A_COMMUNE, i);
			flags[m] = cur && !strcmp(cur, k->content->communes[i].code) ? WF_SELECTED : 0;
		}
		kiosk_grid(k, c.y, kiosk_bar_y(k) - t->gap - t->touch_px - t->gap, m, 2, ids, texts, args, flags);
		int w = (k->ui->w - 2 * t->pad - 2 * t->gap) / 3;
		int y = kiosk_bar_y(k) - t->gap - t->touch_px;
		struct buf pg;
		kiosk_page_text(k, k->page, pages, &pg);
		kiosk_button(k, "page_prev", (SDL_Rect){t->pad, y, w, t->touch_px}, kiosk_text(k, "nav.prev_page"), 0,
		       ACT(A_PAGE_PREV, 0));
		ui_label(k->ui, "page", (SDL_Rect){t->pad + w + t->gap, y + (t->touch_px - t->body_px * 3 / 2) / 2, w, 0},
			 pg.data, k->flow.lang, t->body_px, WF_CENTER | WF_MUTED);
		buf_finish(&pg);
		kiosk_button(k, "page_next", (SDL_Rect){t->pad + 2 * (w + t->gap), y, w, t->touch_px}, kiosk_text(k, "nav.next_page"),
		       0, ACT(A_PAGE_NEXT, 0));
	} else {
		const char *v = k->entry;
		ui_field(k->ui, "field", (SDL_Rect){c.x, c.y, c.w, t->touch_px}, v, k->flow.lang, WF_FOCUSED);
		c.y += t->touch_px + t->gap;
		/* Why the field was refused, until the resident moves on. */
		if (k->field_error[0])
			kiosk_label(k, &c, "field_error", kiosk_text(k, k->field_error), t->small_px, WF_DANGER | WF_BOLD);
		if (f == FIELD_PHONE) {
			kiosk_keypad(k, (SDL_Rect){k->ui->w / 4, c.y, k->ui->w / 2, kiosk_bar_y(k) - t->gap - c.y});
		} else {
			kiosk_keyboard(k, (SDL_Rect){t->pad, c.y, c.w, kiosk_bar_y(k) - t->gap - c.y});
		}
	}
	int w = (k->ui->w - 2 * t->pad) / 3;
	kiosk_button(k, "back", (SDL_Rect){t->pad, kiosk_bar_y(k), w, t->touch_px}, kiosk_text(k, "nav.back"), 0, ACT(A_BACK, 0));
	kiosk_button(k, "next", kiosk_main_action(k), kiosk_text(k, "nav.next"), WF_PRIMARY, ACT(A_FIELD_NEXT, 0));
}

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

void kiosk_load_entry(struct kiosk *k)
{
	mem_wipe(k->entry, sizeof k->entry);
	if (k->flow.state == FS_CONTACT && k->flow.field != FIELD_COMMUNE) {
		char **v = kiosk_field_value(k, (enum flow_field)k->flow.field);
		if (*v)
			snprintf(k->entry, sizeof k->entry, "%s", *v);
	}
}

/* Refuse what the resident entered, in place: the message (a catalog key) under the field, spoken where a prompt exists. */
void kiosk_refuse(struct kiosk *k, const char *key)
{
	size_t n = strnlen(key, sizeof k->field_error - 1);
	memcpy(k->field_error, key, n);
	k->field_error[n] = '\0';
	log_info("entry_refused"); /* not why: even that says something about what was entered */
	if (k->audio && audio_has(k->audio, k->flow.lang, k->field_error))
		audio_play(k->audio, k->flow.lang, k->field_error);
}

/* Next on a contact field: keep it if it is valid (else say why, in place), then the next field or the review. */
static void field_next(struct kiosk *k)
{
	struct flow *f = &k->flow;
	struct diag d = {""};
	if (f->field == FIELD_COMMUNE) {
		if (!f->contact.commune_code) {
			kiosk_refuse(k, "contact.required");
			return;
		}
	} else if (flow_contact_set(f, (enum flow_field)f->field, k->entry, &d)) {
		/* The field stays, so the resident can correct it, and says why. */
		kiosk_refuse(k, d.msg);
		return;
	} else if (f->field == FIELD_NAME && !k->entry[0]) {
		kiosk_refuse(k, "contact.required");
		return;
	}
	if (k->review_return) {
		/* An edit from the review goes back to the review. */
		k->review_return = 0;
		if (flow_contact_done(f, &d) == 0)
			return;
	}
	if (f->field + 1 < FIELD_COUNT)
		f->field++;
	else if (flow_contact_done(f, &d))
		f->field = strcmp(d.msg, "name") ? FIELD_COMMUNE : FIELD_NAME;
}

enum tap_result kiosk_contact_tap(struct kiosk *k, int a, int p)
{
	struct flow *f = &k->flow;
	struct diag d = {""};
	switch (a) {
	case A_ENTRY_OK:
		if (f->state == FS_CONTACT)
			field_next(k);
		return TAP_DONE;
	case A_FIELD_NEXT: field_next(k); return TAP_DONE;
	case A_COMMUNE:
		if (p < k->content->ncommunes)
			flow_contact_set(f, FIELD_COMMUNE, k->content->communes[p].code, &d);
		if (k->review_return) {
			k->review_return = 0;
			if (flow_contact_done(f, &d) == 0)
				return TAP_DONE;
		}
		if (f->field + 1 < FIELD_COUNT)
			f->field++;
		return TAP_DONE;
	case A_BACK:
		if (f->state != FS_CONTACT)
			return TAP_NOT_MINE;
		/* What was typed stays: the field keeps it (if it is valid) when the resident comes back. */
		if (f->field != FIELD_COMMUNE && k->entry[0])
			flow_contact_set(f, (enum flow_field)f->field, k->entry, &d);
		if (k->review_return) {
			k->review_return = 0;
			if (flow_contact_done(f, &d) == 0)
				return TAP_DONE;
		}
		flow_back(f);
		return TAP_DONE;
	case A_PAGE_NEXT: k->page++; return TAP_DONE;
	case A_PAGE_PREV: k->page = k->page > 0 ? k->page - 1 : (k->content->ncommunes + 7) / 8 - 1; return TAP_DONE;
	case A_EDIT:
		/* One field from the review: Next (or Back) returns to the review. */
		flow_set_state(f, FS_CONTACT);
		f->field = p < FIELD_COUNT ? p : 0;
		k->review_return = 1;
		return TAP_DONE;
	default: return TAP_NOT_MINE;
	}
}

#define LOG_MODULE "keyboard"
/*
 * kiosk/keyboard: the on-screen keyboards of the contact screens.
 *
 * Vietnamese: a letters page (Telex: tone keys á à ả ã ạ and letter keys
 * â ă ê ô ơ ư đ above the letters; VNI: its digit row there instead) and a
 * "123" page whose digits and / , - . ( ) are typed as they are in either
 * method. Khmer: pages of consonants, vowels and signs, digits and
 * independent vowels (one character per key, no shift), and the NiDA layout
 * with its shift and one-shot COENG for those who know it. A vowel or sign
 * key is greyed out while nothing can carry it (no dotted circle ever).
 * Both: space, delete (by caret stop), clear all. Keys are at least
 * 48 px each way with gaps at 800x480 (keyboard_test checks it); the pages stay until changed.
 */
#include <stdio.h>
#include <string.h>

#include "kiosk.h"
#include "log.h"
#include "record.h"
#include "text.h"
#include "km_input.h"
#include "vi_input.h"

enum {
	ARG_SHIFT = -1,
	ARG_DEL = -2,
	ARG_COENG = -3,
	ARG_METHOD = -4,
	ARG_CLEAR = -5,
	ARG_PAGE = -100,   /* -100 - page */
	ARG_NIDA = 1000,   /* + row * 100 + col */
	ARG_TONE = 3000,   /* + tone 1..5 */
	ARG_LETTER = 3100, /* + enum vi_letter */
	ARG_LITERAL = 4000, /* + index in vi_literals */
	ARG_KM_PAGE = 5000, /* + page * 100 + index */
};

static const char *const vi_rows[3] = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};
static const char *const vi_tone_ids[6] = {"", "kb_tone_sac", "kb_tone_huyen", "kb_tone_hoi", "kb_tone_nga", "kb_tone_nang"};
static const char *const vi_tone_labels[6] = {"", "á", "à", "ả", "ã", "ạ"};
static const char *const vi_letter_ids[VI_L_COUNT] = {"kb_acirc", "kb_abreve", "kb_ecirc", "kb_ocirc",
						      "kb_ohorn", "kb_uhorn", "kb_dd"};
/* The "123" page: typed as they are, in Telex and VNI alike. */
static const char *const vi_literals[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "0",
					  "/", ",", "-", ".", "(", ")", ":", "'"};
static const char *const vi_literal_ids[] = {"kb_d1", "kb_d2", "kb_d3", "kb_d4", "kb_d5", "kb_d6",
					     "kb_d7", "kb_d8", "kb_d9", "kb_d0", "kb_slash", "kb_comma",
					     "kb_dash", "kb_dot", "kb_lparen", "kb_rparen", "kb_colon", "kb_apos"};
static const char *const km_page_ids[KM_PAGE_COUNT] = {"kb_page_cons", "kb_page_vowels", "kb_page_digits",
						       "kb_page_nida"};
static const char *const km_page_labels[KM_PAGE_COUNT] = {"keyboard.letters", "keyboard.vowels", "keyboard.numbers",
							  "keyboard.nida"};

static void on_key(void *ctx, struct widget *w);

/* One row of keys being laid out: widths in units of the page's grid. */
struct kb_row {
	SDL_Rect area;
	int unit, gap, y, h;
	int x; /* next key's left edge */
};

static int row_units_w(const struct kb_row *r, int units)
{
	return units * r->unit + (units - 1) * r->gap;
}

/* Start a row of total units, centred. */
static void row_start(struct kb_row *r, int index, int total_units)
{
	r->y = r->area.y + index * (r->h + r->gap);
	r->x = r->area.x + (r->area.w - row_units_w(r, total_units)) / 2;
}

static struct widget *row_key(struct kiosk *k, struct kb_row *r, int units, const char *id, const char *label,
			      unsigned flags, int arg)
{
	SDL_Rect rect = {r->x, r->y, row_units_w(r, units), r->h};
	r->x += rect.w + r->gap;
	return ui_button(k->ui, id, rect, label, k->flow.lang, WF_COMPACT | flags, on_key, k, arg);
}

/* The grid of a page: units per row and rows, in area. */
static struct kb_row grid(struct kiosk *k, SDL_Rect area, int units, int rows)
{
	struct kb_row r = {.area = area, .gap = k->ui->theme.gap / 2 > 4 ? k->ui->theme.gap / 2 : 4};
	r.unit = (area.w - (units - 1) * r.gap) / units;
	r.h = (area.h - (rows - 1) * r.gap) / rows;
	return r;
}

/* Clear all: greyed out on an empty field. */
static void clear_key(struct kiosk *k, struct kb_row *r, int units)
{
	row_key(k, r, units, "kb_clear", kiosk_text(k, "keyboard.clear"), k->entry[0] ? 0 : WF_DISABLED, ARG_CLEAR);
}

static void del_key(struct kiosk *k, struct kb_row *r, int units)
{
	row_key(k, r, units, "kb_del", kiosk_text(k, "keypad.delete"), 0, ARG_DEL);
}

/* ---- Vietnamese --------------------------------------------------------------------------------- */

static void keyboard_vi(struct kiosk *k, SDL_Rect area)
{
	int vni = k->vi_method == VI_VNI;
	struct kb_row r = grid(k, area, 14, 4);
	unsigned shift = k->kb_shift ? WF_SELECTED : 0;
	if (k->kb_page == 1) {
		/* 123: digits and punctuation as they are. */
		row_start(&r, 0, 12);
		for (int i = 0; i < 10; i++)
			row_key(k, &r, 1, vi_literal_ids[i], vi_literals[i], 0, ARG_LITERAL + i);
		del_key(k, &r, 2);
		int n = (int)(sizeof vi_literals / sizeof *vi_literals);
		row_start(&r, 1, n - 10 + 2);
		for (int i = 10; i < n; i++)
			row_key(k, &r, 1, vi_literal_ids[i], vi_literals[i], 0, ARG_LITERAL + i);
		clear_key(k, &r, 2);
		row_start(&r, 3, 9);
		row_key(k, &r, 2, "kb_page_abc", kiosk_text(k, "keyboard.letters"), 0, ARG_PAGE - 0);
		row_key(k, &r, 2, "kb_method", kiosk_text(k, vni ? "keyboard.telex" : "keyboard.vni"), 0, ARG_METHOD);
		row_key(k, &r, 5, "kb_space", kiosk_text(k, "keyboard.space"), 0, ' ');
		return;
	}
	if (vni) {
		/* VNI types tones and marks as digits: its digit row is on the letters page. */
		row_start(&r, 0, 12);
		for (const char *d = "1234567890"; *d; d++) {
			char id[8] = "kb_", label[2] = {*d, 0};
			id[3] = *d;
			row_key(k, &r, 1, id, label, 0, *d);
		}
	} else {
		row_start(&r, 0, 14);
		for (int t = 1; t <= 5; t++)
			row_key(k, &r, 1, vi_tone_ids[t], vi_tone_labels[t], 0, ARG_TONE + t);
		for (int l = 0; l < VI_L_COUNT; l++)
			row_key(k, &r, 1, vi_letter_ids[l], vi_letter_text((enum vi_letter)l, k->kb_shift), 0, ARG_LETTER + l);
	}
	/* Clear all in the top corner, away from the letters; delete where it always is, after p. */
	clear_key(k, &r, 2);
	for (int i = 0; i < 3; i++) {
		const char *row = vi_rows[i];
		int n = (int)strlen(row);
		row_start(&r, i + 1, i == 0 ? n + 2 : i == 1 ? n + 2 : n + 7);
		if (i == 1)
			row_key(k, &r, 2, "kb_shift", kiosk_text(k, "keyboard.shift"), shift, ARG_SHIFT);
		for (int c = 0; c < n; c++) {
			char label[2] = {row[c], 0}, id[8] = "kb_";
			if (k->kb_shift)
				label[0] = (char)(label[0] - 'a' + 'A');
			id[3] = row[c];
			row_key(k, &r, 1, id, label, 0, row[c]);
		}
		if (i == 0)
			del_key(k, &r, 2);
		if (i == 2) {
			row_key(k, &r, 2, "kb_page_123", kiosk_text(k, "keyboard.numbers"), 0, ARG_PAGE - 1);
			/* The method key names the other method: tapping it switches. */
			row_key(k, &r, 2, "kb_method", kiosk_text(k, vni ? "keyboard.telex" : "keyboard.vni"), 0, ARG_METHOD);
			row_key(k, &r, 3, "kb_space", kiosk_text(k, "keyboard.space"), 0, ' ');
		}
	}
}

/* ---- Khmer -------------------------------------------------------------------------------------- */

/* What a Khmer key shows: a combining sign on its carrier អ (alone it would shape with a dotted circle). */
static void km_label(const char *text, int mark, char *out, size_t n)
{
	snprintf(out, n, "%s%s", mark ? "អ" : "", text);
}

/* The bottom row starts with clear all (away from delete, at the other end) and the page keys. */
static void km_page_row(struct kiosk *k, struct kb_row *r, int units)
{
	row_start(r, 3, units);
	clear_key(k, r, 2);
	for (int p = 0; p < KM_PAGE_COUNT; p++)
		row_key(k, r, 1, km_page_ids[p], kiosk_text(k, km_page_labels[p]), k->kb_page == p ? WF_SELECTED : 0,
			ARG_PAGE - p);
}

static void keyboard_km(struct kiosk *k, SDL_Rect area)
{
	size_t len = strlen(k->entry);
	if (k->kb_page < 0 || k->kb_page >= KM_PAGE_COUNT)
		k->kb_page = KM_PAGE_CONSONANTS;
	if (k->kb_page == KM_PAGE_NIDA) {
		/* NiDA's three letter rows (the number row's digits are on the digits page), shift, one-shot COENG. */
		struct kb_row r = grid(k, area, 13, 4);
		int level = k->kb_shift ? 1 : 0;
		for (int row = 1; row < 4; row++) {
			int n = km_layout[row].len;
			row_start(&r, row - 1, n);
			for (int c = 0; c < n; c++) {
				const struct km_key *kk = &km_layout[row].keys[c];
				char id[24], label[32];
				snprintf(id, sizeof id, "km_%s", kk->xkb);
				km_label(kk->text[level], kk->mark[level], label, sizeof label);
				int ok = k->km_state.coeng ? !kk->mark[level] : km_input_mark_ok(k->entry, len, kk->text[level]);
				row_key(k, &r, 1, id, label, ok ? 0 : WF_DISABLED, ARG_NIDA + row * 100 + c);
			}
		}
		km_page_row(k, &r, 12);
		row_key(k, &r, 1, "kb_shift", kiosk_text(k, "keyboard.shift"), k->kb_shift ? WF_SELECTED : 0, ARG_SHIFT);
		row_key(k, &r, 1, "kb_coeng", kiosk_text(k, "keyboard.coeng"),
			(k->km_state.coeng ? WF_SELECTED : 0) | (k->km_state.coeng || km_input_mark_ok(k->entry, len, "្") ? 0 : WF_DISABLED),
			ARG_COENG);
		row_key(k, &r, 3, "kb_space", kiosk_text(k, "keyboard.space"), 0, ' ');
		del_key(k, &r, 1);
		return;
	}
	/* A page: twelve keys a row, three rows, one character each. */
	struct kb_row r = grid(k, area, 12, 4);
	int n;
	const char *const *keys = km_page_keys((enum km_page)k->kb_page, &n);
	for (int i = 0; i < n; i++) {
		if (i % 12 == 0)
			row_start(&r, i / 12, 12);
		char id[24], label[32];
		snprintf(id, sizeof id, "km_%c%d", "cvd"[k->kb_page], i);
		int mark = km_is_mark(keys[i]);
		km_label(keys[i], mark, label, sizeof label);
		row_key(k, &r, 1, id, label, km_input_mark_ok(k->entry, len, keys[i]) ? 0 : WF_DISABLED,
			ARG_KM_PAGE + k->kb_page * 100 + i);
	}
	km_page_row(k, &r, 12);
	row_key(k, &r, 3, "kb_space", kiosk_text(k, "keyboard.space"), 0, ' ');
	del_key(k, &r, 3);
}

/* ---- the field ---------------------------------------------------------------------------------- */

size_t kiosk_entry_cap(const struct kiosk *k)
{
	static const char *const keys[FIELD_COUNT] = {"name", "phone", "commune_code", "address", "matter"};
	size_t cap = sizeof k->entry - 1;
	if (k->flow.state == FS_CONTACT && k->flow.field >= 0 && k->flow.field < FIELD_COUNT) {
		size_t m = contact_field_max(keys[k->flow.field]);
		if (m && m < cap)
			cap = m;
	}
	return cap;
}

int kiosk_entry_set(struct kiosk *k, const char *text, size_t n)
{
	int was_full = !strcmp(k->field_error, "contact.full");
	int rc = 0;
	if (n > kiosk_entry_cap(k)) {
		/* Nothing is cut: the key is refused and the field says it is full. */
		rc = ERR_TOOBIG;
	} else {
		if (text != k->entry)
			memcpy(k->entry, text, n);
		mem_wipe(k->entry + n, sizeof k->entry - n); /* what was after it (a name) does not linger */
	}
	int full = rc != 0 || strlen(k->entry) == kiosk_entry_cap(k);
	if (full && !was_full)
		snprintf(k->field_error, sizeof k->field_error, "%s", "contact.full");
	else if (!full && was_full)
		k->field_error[0] = '\0';
	struct widget *w = ui_find_any(k->ui, "field");
	if (w && w->kind == W_FIELD)
		ui_set_text(k->ui, w, k->entry);
	if (full != was_full)
		kiosk_show(k); /* the field's colour and the message under it */
	return rc;
}

void kiosk_keyboard(struct kiosk *k, SDL_Rect area)
{
	/* The field (drawn just before) shows when it is full: its border in the warning colour. */
	struct widget *f = ui_find_any(k->ui, "field");
	if (f && f->kind == W_FIELD && !strcmp(k->field_error, "contact.full"))
		ui_set_flags(k->ui, f, WF_DANGER, 0);
	if (!strcmp(k->flow.lang, "km"))
		keyboard_km(k, area);
	else
		keyboard_vi(k, area);
}

/* Replace the current word (from the last space) by out. */
static void replace_word(struct kiosk *k, size_t start, const struct buf *out)
{
	struct buf all;
	buf_init(&all);
	buf_append(&all, k->entry, start);
	buf_append(&all, out->data ? out->data : "", out->len);
	kiosk_entry_set(k, all.data ? all.data : "", all.len);
	buf_finish_wipe(&all);
}

static void on_key(void *ctx, struct widget *w)
{
	struct kiosk *k = ctx;
	int arg = w->arg;
	kiosk_activity(k);
	size_t n = strlen(k->entry);
	const char *sp = strrchr(k->entry, ' ');
	size_t start = sp ? (size_t)(sp - k->entry) + 1 : 0;
	struct buf out;
	buf_init(&out);
	if (arg == ARG_SHIFT) {
		k->kb_shift = !k->kb_shift;
	} else if (arg == ARG_DEL) {
		size_t at = text_prev_stop(k->entry, n, n);
		kiosk_entry_set(k, k->entry, at);
	} else if (arg == ARG_CLEAR) {
		kiosk_entry_set(k, "", 0);
		km_input_init(&k->km_state);
	} else if (arg == ARG_COENG) {
		km_input_coeng(&k->km_state);
	} else if (arg == ARG_METHOD) {
		k->vi_method = k->vi_method == VI_VNI ? VI_TELEX : VI_VNI;
	} else if (arg <= ARG_PAGE) {
		k->kb_page = ARG_PAGE - arg;
		k->kb_shift = 0;
	} else if (arg == ' ') {
		/* A visible space in both languages: names and addresses are words apart (not U+200B). */
		kiosk_type(k, " ");
		k->kb_shift = 0; /* shift is for one key (NiDA's shift+space typed a space too) */
	} else if (arg >= ARG_KM_PAGE) {
		int cnt;
		const char *const *keys = km_page_keys((enum km_page)((arg - ARG_KM_PAGE) / 100), &cnt);
		int i = (arg - ARG_KM_PAGE) % 100;
		if (keys && i < cnt && km_input_mark_ok(k->entry, n, keys[i]))
			kiosk_type(k, keys[i]);
	} else if (arg >= ARG_LITERAL) {
		kiosk_type(k, vi_literals[arg - ARG_LITERAL]);
		k->kb_shift = 0;
	} else if (arg >= ARG_LETTER) {
		if (vi_input_letter(k->entry + start, n - start, (enum vi_letter)(arg - ARG_LETTER), k->kb_shift, &out) >= 0)
			replace_word(k, start, &out);
		k->kb_shift = 0;
	} else if (arg >= ARG_TONE) {
		/* The tone goes on the word before the caret, where Telex's tone letter would put it. */
		if (vi_input_tone(k->entry + start, n - start, arg - ARG_TONE, &out) == VI_INPUT_MODIFIER)
			replace_word(k, start, &out);
	} else if (arg >= ARG_NIDA) {
		int row = (arg - ARG_NIDA) / 100, col = (arg - ARG_NIDA) % 100;
		const struct km_key *kk = km_layout_key(row, col);
		int level = k->kb_shift ? 1 : 0;
		if (kk && (k->km_state.coeng || km_input_mark_ok(k->entry, n, kk->text[level])) &&
		    km_input_key(&k->km_state, row, col, level, &out) == 0 && out.data)
			kiosk_type(k, out.data);
		k->kb_shift = 0;
	} else {
		char c = (char)arg;
		if (k->kb_shift && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		k->kb_shift = 0;
		/* Telex and VNI rewrite the word before the caret (aa / a6 -> â, s / 1 -> sắc on the right vowel). */
		if (vi_input_key(k->vi_method, k->entry + start, n - start, c, &out) >= 0)
			replace_word(k, start, &out);
	}
	buf_finish_wipe(&out);
	kiosk_show(k);
}

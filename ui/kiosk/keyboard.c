#define LOG_MODULE "keyboard"
/*
 * kiosk/keyboard: the on-screen keyboards of the contact screens: Vietnamese
 * (Telex, or VNI with a digit row) and Khmer (NiDA), with space, shift,
 * backspace by caret stop.
 */
#include <stdio.h>
#include <string.h>

#include "kiosk.h"
#include "log.h"
#include "text.h"
#include "km_input.h"
#include "vi_input.h"

static const char *const vi_rows[3] = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};

static void on_key(void *ctx, struct widget *w);

static void key(struct kiosk *k, const char *id, SDL_Rect r, const char *label, int arg)
{
	ui_button(k->ui, id, r, label, k->flow.lang, WF_COMPACT | ((k->kb_shift && arg == -1) ? WF_SELECTED : 0), on_key,
		  k, arg);
}

/* Khmer NiDA: the xkb rows (numbers and three letter rows), then shift, COENG, space, delete. */
static void keyboard_km(struct kiosk *k, SDL_Rect area)
{
	const struct ui_theme *t = &k->ui->theme;
	int g = t->gap / 2, rows = 5;
	int kh = (area.h - (rows - 1) * g) / rows;
	int maxlen = 0;
	for (int r = 0; r < 4; r++)
		maxlen = km_layout[r].len > maxlen ? km_layout[r].len : maxlen;
	int kw = (area.w - (maxlen - 1) * g) / maxlen;
	int level = k->kb_shift ? 1 : 0;
	for (int r = 0; r < 4; r++) {
		int n = km_layout[r].len;
		int x0 = area.x + (area.w - n * kw - (n - 1) * g) / 2;
		for (int c = 0; c < n; c++) {
			const struct km_key *kk = &km_layout[r].keys[c];
			char id[24], label[32];
			snprintf(id, sizeof id, "km_%s", kk->xkb);
			/* A combining sign is shown on its carrier អ: alone it would shape with a dotted circle. */
			snprintf(label, sizeof label, "%s%s", kk->mark[level] ? "អ" : "", kk->text[level]);
			key(k, id, (SDL_Rect){x0 + c * (kw + g), area.y + r * (kh + g), kw, kh}, label, 1000 + r * 100 + c);
		}
	}
	int y = area.y + 4 * (kh + g);
	int wide = 2 * kw + g;
	key(k, "kb_shift", (SDL_Rect){area.x, y, wide, kh}, kiosk_text(k, "keyboard.shift"), -1);
	struct widget *co = ui_button(k->ui, "kb_coeng", (SDL_Rect){area.x + wide + g, y, wide, kh},
				      kiosk_text(k, "keyboard.coeng"), k->flow.lang, WF_COMPACT | (k->km_state.coeng ? WF_SELECTED : 0),
				      on_key, k, -3);
	(void)co;
	key(k, "kb_space", (SDL_Rect){area.x + 2 * (wide + g), y, area.w - 3 * (wide + g), kh},
	    kiosk_text(k, "keyboard.space"), 1000 + KM_ROW_SPACE * 100);
	key(k, "kb_del", (SDL_Rect){area.x + area.w - wide, y, wide, kh}, kiosk_text(k, "keypad.delete"), -2);
}

void kiosk_keyboard(struct kiosk *k, SDL_Rect area)
{
	if (!strcmp(k->flow.lang, "km")) {
		keyboard_km(k, area);
		return;
	}
	/* Telex: three letter rows; VNI (tones and marks typed as digits): a digit row above them. */
	const struct ui_theme *t = &k->ui->theme;
	int vni = k->vi_method == VI_VNI;
	int rows = vni ? 5 : 4, cols = 10;
	int kw = (area.w - (cols - 1) * t->gap / 2) / cols;
	int kh = (area.h - (rows - 1) * t->gap / 2) / rows;
	int g = t->gap / 2;
	for (int r = 0; r < rows - 1; r++) {
		const char *row = vni ? (r ? vi_rows[r - 1] : "1234567890") : vi_rows[r];
		int n = (int)strlen(row);
		int x0 = area.x + (area.w - n * kw - (n - 1) * g) / 2;
		for (int c = 0; c < n; c++) {
			char label[4] = {row[c], 0}, id[16];
			if (k->kb_shift && row[c] >= 'a')
				label[0] = (char)(label[0] - 'a' + 'A');
			snprintf(id, sizeof id, "kb_%c", row[c]);
			key(k, id, (SDL_Rect){x0 + c * (kw + g), area.y + r * (kh + g), kw, kh}, label, row[c]);
		}
	}
	int y = area.y + (rows - 1) * (kh + g);
	int wide = 2 * kw + g;
	key(k, "kb_shift", (SDL_Rect){area.x, y, wide, kh}, kiosk_text(k, "keyboard.shift"), -1);
	/* The method key names the other method: tapping it switches. */
	key(k, "kb_method", (SDL_Rect){area.x + wide + g, y, wide, kh},
	    kiosk_text(k, vni ? "keyboard.telex" : "keyboard.vni"), -4);
	key(k, "kb_space", (SDL_Rect){area.x + 2 * (wide + g), y, area.w - 3 * (wide + g), kh},
	    kiosk_text(k, "keyboard.space"), ' ');
	key(k, "kb_del", (SDL_Rect){area.x + area.w - wide, y, wide, kh}, kiosk_text(k, "keypad.delete"), -2);
}

static void on_key(void *ctx, struct widget *w)
{
	struct kiosk *k = ctx;
	kiosk_activity(k);
	if (w->arg == -1) {
		k->kb_shift = !k->kb_shift;
	} else if (w->arg == -2) {
		size_t n = strlen(k->entry);
		k->entry[text_prev_stop(k->entry, n, n)] = '\0';
	} else if (w->arg == -3) {
		km_input_coeng(&k->km_state);
	} else if (w->arg == -4) {
		k->vi_method = k->vi_method == VI_VNI ? VI_TELEX : VI_VNI;
	} else if (w->arg >= 1000) {
		struct buf out;
		buf_init(&out);
		if (km_input_key(&k->km_state, (w->arg - 1000) / 100, (w->arg - 1000) % 100, k->kb_shift, &out) == 0 && out.data)
			kiosk_type(k, out.data);
		buf_finish_wipe(&out);
		k->kb_shift = 0;
	} else if (w->arg == ' ') {
		kiosk_type(k, " ");
	} else {
		char c = (char)w->arg;
		if (k->kb_shift && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		k->kb_shift = 0;
		/* Telex and VNI rewrite the word before the caret (aa / a6 -> â, s / 1 -> sắc on the right vowel). */
		size_t n = strlen(k->entry);
		const char *sp = strrchr(k->entry, ' ');
		size_t start = sp ? (size_t)(sp - k->entry) + 1 : 0;
		struct buf out;
		buf_init(&out);
		if (vi_input_key(k->vi_method, k->entry + start, n - start, c, &out) >= 0 && start + out.len < sizeof k->entry) {
			memcpy(k->entry + start, out.data, out.len + 1);
			struct widget *f = ui_find(k->ui, "field");
			if (f)
				ui_set_text(k->ui, f, k->entry);
		}
		buf_finish_wipe(&out);
	}
	kiosk_show(k);
}

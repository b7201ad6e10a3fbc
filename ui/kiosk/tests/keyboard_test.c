/*
 * Tests for kiosk/keyboard on the real contact screen (SDL offscreen): every
 * key of every page, in both languages, at 800x480 and 1024x600, is at least
 * 48 px each way, overlaps no other key and lies in the keyboard's area
 * (below the field and its message, above the bottom bar), also while the
 * field shows it is full; a Khmer vowel or sign key is greyed out exactly when
 * typing it would make HarfBuzz draw a dotted circle (checked with hb-shape).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "kiosk.h"
#include "km_input.h"
#include "oracle.h"
#include "testlib.h"
#include "text.h"
#include "vi_input.h"

#define KEY_MIN 48

static int is_key(const struct widget *w)
{
	return w->kind == W_BUTTON && (!strncmp(w->id, "kb_", 3) || !strncmp(w->id, "km_", 3));
}

/* Checks the keys on screen; returns how many there are. */
static int check_keys(struct kiosk *k, const char *what)
{
	struct ui *u = k->ui;
	struct widget *field = ui_find_any(u, "field"), *err = ui_find_any(u, "field_error"), *back = ui_find_any(u, "back");
	CHECK(field && back);
	if (!field || !back)
		return 0;
	int top = field->r.y + field->r.h;
	if (err && err->kind == W_LABEL)
		top = err->r.y + err->r.h;
	int n = 0;
	for (struct widget *w = u->widgets; w; w = w->next) {
		if (!is_key(w) || (w->flags & WF_HIDDEN))
			continue;
		n++;
		if (w->r.w < KEY_MIN || w->r.h < KEY_MIN)
			t_fail(__FILE__, __LINE__, "%s: key %s is %dx%d (under %d px)", what, w->id, w->r.w, w->r.h, KEY_MIN);
		if (w->r.x < 0 || w->r.x + w->r.w > u->w || w->r.y < top || w->r.y + w->r.h > back->r.y)
			t_fail(__FILE__, __LINE__, "%s: key %s at %d,%d %dx%d is outside the keyboard's area (y %d..%d)", what,
			       w->id, w->r.x, w->r.y, w->r.w, w->r.h, top, back->r.y);
		if (w->overflow)
			t_fail(__FILE__, __LINE__, "%s: key %s: its label does not fit", what, w->id);
		for (struct widget *o = w->next; o; o = o->next)
			if (is_key(o) && !(o->flags & WF_HIDDEN) && SDL_HasIntersection(&w->r, &o->r))
				t_fail(__FILE__, __LINE__, "%s: keys %s and %s overlap", what, w->id, o->id);
	}
	return n;
}

static void tap(struct kiosk *k, const char *id)
{
	struct widget *w = ui_find(k->ui, id);
	if (!w)
		t_fail(__FILE__, __LINE__, "no key %s", id);
	else
		ui_tap(k->ui, w);
}

static struct catalog *load_catalog(const char *lang)
{
	char p[64];
	size_t n;
	snprintf(p, sizeof p, "firmware/content/kiosk/strings.%s", lang);
	char *t = t_read_repo(p, &n);
	struct catalog *c = NULL;
	struct diag d = {""};
	CHECK_INT(catalog_parse(t, n, &c, &d), 0);
	free(t);
	return c;
}

static void test_geometry(struct text *tx, const struct rules *r, const struct content *c, const struct catalog *vi,
			  const struct catalog *km)
{
	static const int sizes[2][2] = {{800, 480}, {1024, 600}};
	for (int s = 0; s < 2; s++) {
		struct ui *u;
		struct diag d = {""};
		CHECK_INT(ui_create(&u, tx, sizes[s][0], sizes[s][1], &d), 0);
		struct loop *lp = loop_create();
		struct kiosk *k = xcalloc(1, sizeof *k);
		kiosk_init(k, u, lp, r, c, vi, km, (struct date){2026, 5, 20}, NULL, NULL);
		for (int lang = 0; lang < 2; lang++) {
			const char *l = lang ? "km" : "vi";
			for (int full = 0; full < 2; full++) {
				flow_set_state(&k->flow, FS_CONTACT);
				snprintf(k->flow.lang, sizeof k->flow.lang, "%s", l);
				k->flow.field = FIELD_NAME;
				kiosk_entry_set(k, "", 0);
				kiosk_show(k);
				if (full) {
					/* The name's cap (256 bytes): the field says it is full, with its message under it. */
					char big[300];
					memset(big, 'a', sizeof big);
					CHECK_INT(kiosk_entry_set(k, big, 256), 0);
					CHECK_STR(k->field_error, "contact.full");
					CHECK_INT(kiosk_entry_set(k, big, 257), ERR_TOOBIG);
					CHECK_INT((int)strlen(k->entry), 256);
					kiosk_show(k);
					struct widget *f = ui_find_any(u, "field");
					CHECK(f && (f->flags & WF_DANGER));
					CHECK(ui_find_any(u, "field_error") != NULL);
				}
				int pages = lang ? KM_PAGE_COUNT : 3;
				for (int p = 0; p < pages; p++) {
					char what[96];
					snprintf(what, sizeof what, "%dx%d %s page %d%s", sizes[s][0], sizes[s][1], l, p,
						 full ? " (field full)" : "");
					k->kb_page = lang ? p : p == 1;
					k->vi_method = !lang && p == 2 ? VI_VNI : VI_TELEX;
					kiosk_show(k);
					int n = check_keys(k, what);
					/* A real keyboard: the letters pages have dozens of keys. */
					CHECK(n >= (lang ? 30 : (p == 1 ? 20 : 30)));
					k->kb_shift = 1;
					kiosk_show(k);
					check_keys(k, what);
					k->kb_shift = 0;
				}
			}
		}
		/* Typing on the keys themselves: tone and letter keys, digits in Telex, clear. */
		flow_set_state(&k->flow, FS_CONTACT);
		snprintf(k->flow.lang, sizeof k->flow.lang, "vi");
		k->flow.field = FIELD_ADDRESS;
		k->kb_page = 0;
		k->vi_method = VI_TELEX;
		kiosk_entry_set(k, "", 0);
		kiosk_show(k);
		const char *seq[] = {"kb_shift", "kb_acirc", "kb_tone_sac", "kb_p", "kb_space", "kb_page_123", "kb_d1",
				     "kb_d2", "kb_slash", "kb_d3", "kb_comma", "kb_space", "kb_page_abc", "kb_x", "kb_a",
				     "kb_tone_nga", "kb_space", "kb_shift", "kb_dd", "kb_uhorn", "kb_c", "kb_tone_sac"};
		for (size_t i = 0; i < sizeof seq / sizeof *seq; i++)
			tap(k, seq[i]);
		CHECK_STR(k->entry, "Ấp 12/3, xã Đức");
		tap(k, "kb_clear");
		CHECK_STR(k->entry, "");
		struct widget *cl = ui_find_any(u, "kb_clear");
		CHECK(cl && (cl->flags & WF_DISABLED));
		kiosk_finish(k);
		free(k);
		loop_destroy(lp);
		ui_destroy(u);
	}
}

/* Every Khmer key the guard lets through, after each of these, shapes without a dotted circle. */
static void test_no_dotted_circle(void)
{
	static const char *const before[] = {"", "ក", "កា", "ក្", "ស្ត", "ឥ", "ក ", "abc", "១", "កុំ", "េ"};
	const char *font = font_path("NotoSansKhmerUI-Regular.ttf");
	unsigned dotted = hb_dotted_circle(font);
	CHECK(dotted != 0);
	const char *lines[1024];
	char *owned[1024];
	size_t n = 0;
	int refused_first = 0, marks = 0;
	for (size_t b = 0; b < sizeof before / sizeof *before; b++) {
		for (int p = 0; p <= KM_PAGE_NIDA; p++) {
			int cnt = 0;
			const char *const *keys = km_page_keys((enum km_page)p, &cnt);
			const char *nida[128];
			if (p == KM_PAGE_NIDA) {
				cnt = 0;
				for (int row = 1; row < 4; row++)
					for (int c = 0; c < km_layout[row].len; c++)
						for (int lv = 0; lv < 2; lv++)
							nida[cnt++] = km_layout[row].keys[c].text[lv];
				keys = nida;
			}
			for (int i = 0; i < cnt; i++) {
				if (!km_input_mark_ok(before[b], strlen(before[b]), keys[i]))
					continue;
				if (!*before[b] && km_is_mark(keys[i]))
					t_fail(__FILE__, __LINE__, "a mark (%s) allowed first", keys[i]);
				if (n < 1024) {
					struct buf s;
					buf_init(&s);
					buf_printf(&s, "%s%s", before[b], keys[i]);
					lines[n] = owned[n] = s.data;
					n++;
				}
			}
			for (int i = 0; i < cnt && !*before[b]; i++) {
				marks += km_is_mark(keys[i]);
				refused_first += !km_input_mark_ok("", 0, keys[i]);
			}
		}
	}
	/* The vowels page alone has 16 vowels, 11 signs and COENG: none can come first. */
	CHECK(marks >= 28);
	CHECK_INT(refused_first, marks);
	struct hb_line *out = xcalloc(n, sizeof *out);
	CHECK_INT(hb_shape_lines(font, 32, lines, n, out), 0);
	for (size_t i = 0; i < n; i++) {
		for (size_t g = 0; g < out[i].n; g++)
			if (out[i].g[g].gid == dotted)
				t_fail(__FILE__, __LINE__, "'%s' shapes with a dotted circle but its key is enabled", lines[i]);
		free(owned[i]);
	}
	hb_lines_free(out, n);
	free(out);
	/* And the guard is needed: a vowel typed first would draw one. */
	const char *lone[] = {"\xe1\x9e\xb6", "\xe1\x9f\x92"};
	struct hb_line o2[2];
	memset(o2, 0, sizeof o2);
	CHECK_INT(hb_shape_lines(font, 32, lone, 2, o2), 0);
	for (int i = 0; i < 2; i++) {
		int has = 0;
		for (size_t g = 0; g < o2[i].n; g++)
			has |= o2[i].g[g].gid == dotted;
		CHECK(has);
	}
	hb_lines_free(o2, 2);
}

int main(void)
{
	setenv("SDL_VIDEODRIVER", "offscreen", 1);
	size_t n;
	struct diag d = {""};
	char *t = t_read_repo("firmware/content/eligibility.rules", &n);
	struct rules *r;
	CHECK_INT(rules_parse(t, n, &r, &d), 0);
	free(t);
	struct content c;
	memset(&c, 0, sizeof c);
	t = t_read_repo("firmware/content/kiosk/questions.conf", &n);
	CHECK_INT(content_parse_questions(t, n, &c, &d), 0);
	free(t);
	struct catalog *vi = load_catalog("vi"), *km = load_catalog("km");
	char fonts[1024];
	snprintf(fonts, sizeof fonts, "%s/fonts", t_env("SPEAN_SOURCE_DIR"));
	struct text *tx;
	CHECK_INT(text_init(&tx, fonts, &d), 0);

	test_geometry(tx, r, &c, vi, km);
	test_no_dotted_circle();

	text_destroy(tx);
	catalog_destroy(vi);
	catalog_destroy(km);
	content_finish(&c);
	rules_destroy(r);
	oracle_cleanup();
	return t_done("keyboard_test");
}

/*
 * kiosk/kiosk_internal: what the kiosk's screen files share (not for the app): the actions a
 * button carries, layout helpers, and each screen's builder and tap handler.
 */
#ifndef SPEAN_KIOSK_INTERNAL_H
#define SPEAN_KIOSK_INTERNAL_H

#include "kiosk.h"
#include "mem.h"

enum {
	A_START = 1, A_LANG_VI, A_LANG_KM, A_CONSENT_YES, A_CONSENT_NO, A_HOME, A_WHO, A_ANSWER, A_UNKNOWN,
	A_KEY, A_KEY_DEL, A_ENTRY_OK, A_BACK, A_SEND, A_FINISH, A_FIELD_NEXT, A_COMMUNE, A_PAGE_NEXT, A_PAGE_PREV,
	A_EDIT, A_REVIEW_SEND, A_RETRY, A_CONTINUE, A_DONE, A_REPLAY, A_STAFF, A_ASSISTED_START, A_ASSISTED_EXIT,
	A_CQ_ANSWER, A_CQ_OPEN, A_CQ_DONE, A_CQ_PAGE, A_PICK, A_LANG_SWITCH, A_FINISH_ASK, A_FINISH_NO, A_START_LANG, A_DATE_FOCUS,
	A_SETUP_RETRY, A_SETUP_NEXT, A_SETUP_BACK, A_IDENTITY, A_IDENTITY_DONE, A_PROVISION_STICK
};

/* A button's arg is action * 1000 + parameter (an answer value, a commune index, a field). */
#define ACT(a, p) ((a) * 1000 + (p))

/* What a screen's tap handler did with an action. */
enum tap_result {
	TAP_NOT_MINE, /* another screen's action */
	TAP_DONE,     /* handled: the common epilogue reloads the entry on a new screen and redraws */
	TAP_SHOWN,    /* handled and already drawn (or nothing to draw) */
};

/* A column being laid out top to bottom. */
struct col {
	int x, y, w;
};

/*
 * kiosk.c: text and layout helpers. kiosk_catalog is the screens' one catalog
 * lookup (kiosk_text and kiosk_text_you use it): what it finds while a
 * screen is built is listed for that screen's screenshot (keytrace.c).
 */
const char *kiosk_catalog(const struct kiosk *k, const struct catalog *c, const char *key);
const char *kiosk_text_you(const struct kiosk *k, const char *key);
void kiosk_nobreak(const char *s, char *out, size_t n);
void kiosk_int(const struct kiosk *k, int v, char *out, size_t n);
void kiosk_fill(struct buf *out, const char *tmpl, const char *const *kv);
void kiosk_count_text(struct kiosk *k, const char *key, const char *name, int n, int total, struct buf *out);
void kiosk_page_text(struct kiosk *k, int page, int pages, struct buf *out);
struct widget *kiosk_label(struct kiosk *k, struct col *c, const char *id, const char *text, int size, unsigned fl);
struct widget *kiosk_button(struct kiosk *k, const char *id, SDL_Rect r, const char *text, unsigned fl, int arg);
int kiosk_bar_y(struct kiosk *k);
void kiosk_back_button(struct kiosk *k);
SDL_Rect kiosk_main_action(struct kiosk *k);
/*
 * A modal panel from `top` to the bottom: a catcher under it takes every touch outside as
 * action `outside` (nothing behind receives it); returns the panel's box for its contents.
 */
SDL_Rect kiosk_modal(struct kiosk *k, const char *id, int top, int outside);
void kiosk_grid(struct kiosk *k, int y, int y_end, int n, int min_cols, const char *const *ids,
		const char *const *texts, const int *args, const unsigned *flags);

/* kiosk.c: every button of the kiosk's screens taps into this (it dispatches to the screens' handlers). */
void kiosk_on_tap(void *ctx, struct widget *w);

/* keytrace.c: kiosk_show begins and ends a screen's set; a lookup found while it is built is noted. */
void kiosk_trace_begin(struct kiosk *k);
void kiosk_trace_end(struct kiosk *k);
void kiosk_trace_note(const struct kiosk *k, const char *key);
void kiosk_trace_stop(struct kiosk *k);

/* screen_flow.c */
void kiosk_screen_attract(struct kiosk *k);
void kiosk_screen_language(struct kiosk *k);
void kiosk_screen_consent(struct kiosk *k);
void kiosk_screen_declined(struct kiosk *k);
void kiosk_screen_who(struct kiosk *k);
void kiosk_screen_outcome(struct kiosk *k);
void kiosk_screen_message(struct kiosk *k, const char *title_key, const char *body_key, int retry);
enum tap_result kiosk_flow_tap(struct kiosk *k, int action, int param);
void kiosk_finish_confirm(struct kiosk *k);

/* screen_question.c */
void kiosk_progress(struct kiosk *k, struct col *c);
void kiosk_keypad(struct kiosk *k, SDL_Rect area);
void kiosk_entry_key(struct kiosk *k, int digit);
void kiosk_screen_question(struct kiosk *k);
const char *kiosk_question_text(struct kiosk *k, const struct question *q);
void kiosk_question_label(struct kiosk *k, struct col *c, const struct question *q, int size, int side);

/* screen_date.c */
void kiosk_screen_date(struct kiosk *k);
void kiosk_date_load(struct kiosk *k);
enum tap_result kiosk_date_tap(struct kiosk *k, int action, int param);
void kiosk_screen_compact(struct kiosk *k);
enum tap_result kiosk_question_tap(struct kiosk *k, int action, int param);

/* screen_contact.c */
char **kiosk_field_value(struct kiosk *k, enum flow_field f);
const char *kiosk_commune_name(const struct kiosk *k, const char *code);
void kiosk_screen_contact(struct kiosk *k);
void kiosk_load_entry(struct kiosk *k);
void kiosk_refuse(struct kiosk *k, const char *key);
enum tap_result kiosk_contact_tap(struct kiosk *k, int action, int param);
extern const char *const kiosk_field_label_keys[FIELD_COUNT];

/* screen_review.c */
void kiosk_screen_review(struct kiosk *k);
void kiosk_screen_receipt(struct kiosk *k);
enum tap_result kiosk_review_tap(struct kiosk *k, int action, int param);

/* screen_staff.c */
void kiosk_screen_pin(struct kiosk *k);
void kiosk_screen_status(struct kiosk *k);
void kiosk_staff_tap(struct kiosk *k, int action, int param);

/* screen_setup.c: first boot from a USB stick, and the identity QR code for enrollment */
void kiosk_screen_setup(struct kiosk *k);
void kiosk_screen_setup_result(struct kiosk *k);
void kiosk_screen_identity(struct kiosk *k);
enum tap_result kiosk_setup_tap(struct kiosk *k, int action, int param);

#endif

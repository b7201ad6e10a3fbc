/* kiosk/kiosk: the kiosk application on the UI toolkit: screens for each flow state, idle reset, scripted replay. */
#ifndef SPEAN_KIOSK_H
#define SPEAN_KIOSK_H

#include "audio.h"
#include "content.h"
#include "flow.h"
#include "km_input.h"
#include "lockout.h"
#include "loop.h"
#include "ui.h"

/* Stores a finished request (sealed, durable) and writes its id; 0 or an error code. The app supplies it. */
typedef int (*kiosk_submit_fn)(void *ctx, const struct flow *f, unsigned char id[RECORD_ID_LEN], struct diag *d);

/* What the assisted-mode status screen shows. */
struct kiosk_status {
	long long held, delivered;
	long long refused;    /* of the held, those the center refused (they stay held: tell the office) */
	int battery;          /* percent, or -1 when there is no battery */
	char last_sync[64];   /* "" = never; else the time it ended, "10:42" */
	int last_sync_failed; /* it could not reach the center */
};

/* The app's answers to the kiosk (all may be NULL). */
/* The receipt printer, as the receipt screen shows it. */
enum kiosk_print {
	KIOSK_PRINT_NONE,      /* no printer configured */
	KIOSK_PRINT_BUSY,
	KIOSK_PRINT_DONE,
	KIOSK_PRINT_UNPLUGGED, /* no printer at the configured place */
	KIOSK_PRINT_NO_PAPER,
	KIOSK_PRINT_STALLED,   /* it stopped taking data */
	KIOSK_PRINT_FAILED,
};

/*
 * What provisioning from a USB stick did, as the setup screens say it (the
 * app fills it: app/provision). Values from the stick are shown, never logged.
 */
struct kiosk_setup {
	int ok;               /* provisioned */
	char why[24];         /* refused: provision_why_name ("link", "bad_settings"...), the catalog's setup.why.NAME */
	unsigned line;        /* bad_settings: the settings line (0: the file as a whole) */
	long long held;       /* held: the requests sealed to the current center */
	char center[24];      /* ok: the center card's fingerprint, "abcd ef01 2345 6789" */
	char url[128];        /* ok: the center's address set, or "" */
	char printer[128];    /* ok: "usb, 58 mm", or "" */
};

struct kiosk_ops {
	/* 0 if pin is the staff PIN, ERR_CRYPTO if not, ERR_NOTFOUND if assisted mode has no PIN. */
	int (*check_pin)(void *ctx, const char *pin);
	void (*status)(void *ctx, struct kiosk_status *st);
	void *ctx;
	/*
	 * Print these ESC/POS bytes (copy them; may be NULL: no printer). The
	 * result comes back later through kiosk_print_done on the loop's thread.
	 */
	void (*print)(void *ctx, const void *escpos, size_t n);
	int paper_dots;        /* 384 (58 mm) or 576 (80 mm) */
	/*
	 * The staff PIN lockout changed (a wrong PIN, a lockout, the right PIN):
	 * text is lockout_save's form (counts and seconds left; no PIN), for the
	 * app to keep durably before the screen says the result. May be NULL.
	 */
	void (*lockout_changed)(void *ctx, const char *text);
	/*
	 * Provision from the USB stick now (the staff screen's button, Try again on
	 * a refusal): the app reads it and answers with kiosk_setup_result. May be NULL.
	 */
	void (*provision)(void *ctx);
};

/*
 * MODE_SETUP: no center yet (first boot): "insert the center's stick"; MODE_SETUP_RESULT: what a stick did;
 * MODE_IDENTITY: the kiosk's public signing key as a QR code for enrollment (after setup, or from the staff screen).
 */
enum kiosk_mode { MODE_RESIDENT, MODE_PIN, MODE_STATUS, MODE_SETUP, MODE_SETUP_RESULT, MODE_IDENTITY };

/* The screen (power.c): lit, dimmed (idle on the attract screen), off (idle while the office is closed). */
enum kiosk_power { KIOSK_POWER_ON, KIOSK_POWER_DIM, KIOSK_POWER_OFF };

struct kiosk_config {
	int idle_warn_s;     /* inactivity before the warning (default 60) */
	int idle_reset_s;    /* countdown after the warning (default 20) */
	int receipt_s;       /* receipt / declined screens reset after this (default 45) */
	int dim_s;           /* idle on the attract screen before it dims, or turns off when closed (default 120; 0 never) */
	int dim_percent;     /* brightness while dimmed, percent of the lit level (default 30) */
};

struct kiosk {
	struct ui *ui;
	struct loop *loop;
	struct flow flow;
	const struct content *content;
	const struct rules *rules;
	const struct catalog *vi, *km;
	struct kiosk_config cfg;
	kiosk_submit_fn submit;
	void *submit_ctx;
	/* screen-local input (memory only, wiped with the flow) */
	char entry[1024];         /* the field being typed; the contact fields' caps are smaller (kiosk_entry_cap) */
	char dfield[3][5];        /* the date screen's year, month, day as typed (memory only) */
	int dfocus;               /* which of them the keypad types into, in the question's order */
	int kb_shift;
	int kb_page;              /* the keyboard's page (Vietnamese: 0 letters, 1 digits; Khmer: enum km_page) */
	int vi_method;            /* enum vi_method: VI_TELEX (default) or VI_VNI, the resident's choice */
	struct km_input km_state;
	int page;
	int cq_page;              /* the page of the assisted question list (kept while questions open and close) */
	int idle_warning;
	int countdown;
	struct loop_timer *idle_timer, *tick_timer;
	int quit;
	int exit_code;
	struct widget *countdown_label;
	struct audio *audio;      /* may be NULL: no prompts */
	struct icons *icons;      /* the questions' pictures; may be NULL */
	struct kiosk_ops ops;
	enum kiosk_mode mode;
	int assisted;             /* an outreach worker is running the flow with the resident */
	/* The staff PIN lockout on clock_mono_ns(); the app sets the state it kept (lockout_load) after kiosk_init. */
	struct lockout lockout;
	char prompt[64];          /* the prompt of the screen on show */
	char field_error[32];     /* catalog key of why the entry on show was refused, or "" */
	int review_return;        /* a field opened with Edit from the review: Next returns there */
	int confirm_finish;       /* "finish without sending?" is asked over the outcome */
	int pill_x, pill_bottom;  /* the language switch in the top right corner (labels beside it wrap short of it) */
	enum kiosk_print print;   /* the receipt printer's state for the request on show */
	/* provisioning and enrollment (screen_setup.c) */
	int unprovisioned;        /* no center card: the setup screen instead of the attract screen */
	char identity[65];        /* the kiosk's public signing key, hex ('spean identity'); the app sets it */
	struct kiosk_setup setup; /* what the last stick did */
	int setup_from_staff;     /* the setup result and identity screens go back to the staff status screen */
	/* the screen's power (power.c) */
	enum kiosk_power power;
	struct loop_timer *power_timer;
	int power_swallow;        /* the touch that woke the screen is dropped up to its release */
	int backlight_on, backlight_max; /* the board's backlight when lit, and its max; max 0: none, the frame is darkened */
	struct kiosk_trace *trace; /* the catalog keys on show (kiosk_trace_start), or NULL: not kept */
};

void kiosk_init(struct kiosk *k, struct ui *ui, struct loop *loop, const struct rules *r, const struct content *c,
		const struct catalog *vi, const struct catalog *km, struct date today, kiosk_submit_fn fn, void *ctx);
void kiosk_finish(struct kiosk *k);
/* The printer finished (enum kiosk_print): the receipt screen says how. */
void kiosk_print_done(struct kiosk *k, enum kiosk_print result);
/*
 * No center card yet: show the setup screen (both languages) until the app
 * reports a stick with kiosk_setup_result. Call after kiosk_init.
 */
void kiosk_setup_wait(struct kiosk *k);
/* What a stick did (copied): the setup result screen; after success, Next shows the identity QR screen. */
void kiosk_setup_result(struct kiosk *k, const struct kiosk_setup *r);
/* Rebuild the widgets for the current flow state. */
void kiosk_show(struct kiosk *k);
/* Any touch: restart the inactivity timer (and hide the warning). */
void kiosk_activity(struct kiosk *k);
/* Wipe the draft and go back to the attract screen. */
void kiosk_reset(struct kiosk *k);
/*
 * The catalog keys the screen on show was built from (keytrace.c), for the
 * screenshots a translation's reviewer reads each string in: off until
 * kiosk_trace_start (then the screen on show is built again), and stopped by
 * kiosk_finish. Each kiosk_show starts the set again. A key is the one whose
 * text was used: KEY.you where that variant was shown, the template's key
 * for filled text, both catalogs' where a screen shows both languages; a
 * key the catalog lacks is not listed. Spoken prompts are not listed.
 */
void kiosk_trace_start(struct kiosk *k);
/* The number of keys on show, and the i-th (NULL past the end); owned by the kiosk until its next kiosk_show. */
size_t kiosk_trace_count(const struct kiosk *k);
const char *kiosk_trace_key(const struct kiosk *k, size_t i);
/* Text for key in the current language, or the key itself if the catalog lacks it. */
const char *kiosk_text(const struct kiosk *k, const char *key);
/* Play the current screen's spoken prompt again (the replay button). */
void kiosk_replay_prompt(struct kiosk *k);
/* Draw the on-screen keyboard for the current language in area (keyboard.c). */
void kiosk_keyboard(struct kiosk *k, SDL_Rect area);
/* The most bytes the field being edited takes: the record's cap for a contact field (name 256). */
size_t kiosk_entry_cap(const struct kiosk *k);
/*
 * Make the entry text[0..n) (it may be k->entry itself, shortened): ERR_TOOBIG,
 * entry unchanged, if it is over the cap. At the cap or refused, the field
 * shows it is full (field_error "contact.full", border in the warning colour)
 * until something is deleted. 0 or ERR_TOOBIG.
 */
int kiosk_entry_set(struct kiosk *k, const char *text, size_t n);
/*
 * The date screen's fields in the order its question states them ("ymd", "dmy"...: the catalog's
 * TEXT.order in the language on show, else "dmy"). For the question on show.
 */
const char *kiosk_date_order(const struct kiosk *k);
/* Type text into the field being edited (the on-screen keyboard and replay scripts use it). */
void kiosk_type(struct kiosk *k, const char *utf8);

/*
 * The screen's power (power.c). kiosk_power_start after the config is set
 * and the first frame drawn: reads the board's backlight, arms the idle
 * timer. kiosk_power_stop leaves the screen lit.
 */
void kiosk_power_start(struct kiosk *k);
void kiosk_power_stop(struct kiosk *k);
/* Restart the idle delay (kiosk_activity and kiosk_reset call it). */
void kiosk_power_arm(struct kiosk *k);
/* A touch went down: wakes a dimmed or off screen and returns 1 (the touch is not a tap), else kiosk_activity and 0. */
int kiosk_touch(struct kiosk *k);
/* An SDL input event: 1 if the screen's power took it (the waking touch, to its release), else 0 (pass it on). */
int kiosk_power_event(struct kiosk *k, const SDL_Event *ev);
const char *kiosk_power_name(enum kiosk_power p);

#endif

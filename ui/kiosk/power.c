#define LOG_MODULE "kiosk"
/*
 * kiosk/power: the screen's power states. On while used; dimmed after
 * cfg.dim_s idle on the attract screen (never while a resident answers:
 * their own idle reset brings the attract screen back first); off when the
 * office is closed (the pack's hours.txt, the local wall clock) and the
 * kiosk is idle. A touch wakes it and is not taken as a tap.
 *
 * No work per loop turn: one timer for the idle delay (re-armed on every
 * touch), and while dimmed or off one timer at the next change of the
 * opening hours, at most POWER_RECHECK_MIN minutes away because the wall
 * clock may be set while the kiosk runs (its timers are monotonic).
 */
#include "kiosk_internal.h"

#include "board.h"
#include "clock.h"
#include "hours.h"
#include "log.h"

#define POWER_RECHECK_MIN 10

static const char *const power_names[] = {"on", "dim", "off"};

const char *kiosk_power_name(enum kiosk_power p)
{
	return power_names[p];
}

/* 1 if the office is open now by the pack's hours (always, without hours.txt); *next_ms: when to look again. */
static int office_open(const struct kiosk *k, uint64_t *next_ms)
{
	struct date dt;
	int minute, second;
	clock_local_now(&dt.y, &dt.m, &dt.d, &minute, &second);
	int open = hours_open_at(&k->content->hours, &k->content->holidays, dt, minute);
	int m = hours_minutes_to_change(&k->content->hours, &k->content->holidays, dt, minute);
	if (m <= 0 || m > POWER_RECHECK_MIN)
		m = POWER_RECHECK_MIN;
	/* At the change itself (the minute starts), not up to a minute late. */
	*next_ms = (uint64_t)(m * 60 - second) * 1000u;
	return open != 0; /* an invalid clock (ERR_INVAL) counts as open: never dark by mistake */
}

/* The one setter: logs the transition, then the backlight, else the frame drawn darker or black. */
static void power_set(struct kiosk *k, enum kiosk_power to)
{
	if (to == k->power)
		return;
	const struct board_ops *b = board_get();
	int level = to == KIOSK_POWER_ON ? k->backlight_on
		    : to == KIOSK_POWER_OFF ? 0
					     : (k->backlight_on * k->cfg.dim_percent + 99) / 100;
	if (k->backlight_max > 0 && b->backlight_set(level)) {
		/* Not writable (the udev rule missing?): darken what is drawn instead, from now on. */
		log_warn("backlight_unwritable fallback=frame");
		k->backlight_max = 0;
		b->backlight_set(k->backlight_on); /* whatever it took of the last write, undone if it can be */
	}
	log_info("screen_power from=%s to=%s backlight=%d", power_names[k->power], power_names[to],
		 k->backlight_max > 0 ? level : -1);
	k->power = to;
	if (k->backlight_max <= 0)
		ui_set_dim(k->ui, to == KIOSK_POWER_ON ? 100 : to == KIOSK_POWER_OFF ? 0 : k->cfg.dim_percent);
}

static void power_idle(void *ctx);

static void power_hours(void *ctx)
{
	struct kiosk *k = ctx;
	uint64_t next;
	k->power_timer = NULL;
	int open = office_open(k, &next);
	if (k->power == KIOSK_POWER_DIM && !open)
		power_set(k, KIOSK_POWER_OFF);
	else if (k->power == KIOSK_POWER_OFF && open)
		power_set(k, KIOSK_POWER_DIM); /* opening time: the attract screen shows again, dimmed until touched */
	k->power_timer = loop_timer(k->loop, next, power_hours, k);
}

static void power_idle(void *ctx)
{
	struct kiosk *k = ctx;
	k->power_timer = NULL;
	if (k->flow.state != FS_ATTRACT || k->mode != MODE_RESIDENT || k->idle_warning) {
		/* Someone is using it: look again after another idle period (their idle reset comes first). */
		k->power_timer = loop_timer(k->loop, (uint64_t)k->cfg.dim_s * 1000u, power_idle, k);
		return;
	}
	uint64_t next;
	power_set(k, office_open(k, &next) ? KIOSK_POWER_DIM : KIOSK_POWER_OFF);
	k->power_timer = loop_timer(k->loop, next, power_hours, k);
}

void kiosk_power_arm(struct kiosk *k)
{
	loop_timer_cancel(k->loop, k->power_timer);
	k->power_timer = NULL;
	if (k->cfg.dim_s > 0 && k->loop)
		k->power_timer = loop_timer(k->loop, (uint64_t)k->cfg.dim_s * 1000u, power_idle, k);
}

void kiosk_power_start(struct kiosk *k)
{
	int level = 0, max = 0;
	k->backlight_max = 0;
	if (board_get()->backlight_get(&level, &max) == 0) {
		k->backlight_max = max;
		k->backlight_on = level > 0 ? level : max; /* a kiosk restarted while dark comes back lit */
	}
	uint64_t next;
	int open = office_open(k, &next); /* also the first read of the clock (SPEAN_NOW runs on from here) */
	log_info("screen_power_start dim_s=%d dim_percent=%d backlight_max=%d hours=%s open=%d", k->cfg.dim_s, k->cfg.dim_percent,
		 k->backlight_max, k->content->hours.set ? "hours.txt" : "always_open", open);
	if (k->backlight_max > 0 && level == 0)
		board_get()->backlight_set(k->backlight_on);
	kiosk_power_arm(k);
}

void kiosk_power_stop(struct kiosk *k)
{
	loop_timer_cancel(k->loop, k->power_timer);
	k->power_timer = NULL;
	/* A stopped kiosk leaves the screen lit (the next start, a technician, the console). */
	power_set(k, KIOSK_POWER_ON);
}

int kiosk_touch(struct kiosk *k)
{
	int woken = k->power != KIOSK_POWER_ON;
	power_set(k, KIOSK_POWER_ON);
	kiosk_activity(k);
	return woken;
}

int kiosk_power_event(struct kiosk *k, const SDL_Event *ev)
{
	int down = ev->type == SDL_MOUSEBUTTONDOWN || ev->type == SDL_FINGERDOWN;
	int up = ev->type == SDL_MOUSEBUTTONUP || ev->type == SDL_FINGERUP;
	if (down && kiosk_touch(k)) {
		/* The waking touch is not a tap: drop it and the rest of it (a finger's mouse twin too) up to its release. */
		k->power_swallow = 1;
		return 1;
	}
	if (k->power_swallow && (down || up || ev->type == SDL_MOUSEMOTION || ev->type == SDL_FINGERMOTION)) {
		if (up)
			k->power_swallow = 0;
		return 1;
	}
	return 0;
}

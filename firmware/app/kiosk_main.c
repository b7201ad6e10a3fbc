#define LOG_MODULE "kiosk_main"
/*
 * app/kiosk_main: `spean kiosk`: wires the store, the device keys, the
 * content pack, the text layer and the UI into one poll() loop; runs replay
 * scripts and takes screenshots for tests.
 */
#include <SDL.h>
#include <SDL_syswm.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board.h"
#include "cli.h"
#include "clock.h"
#include "device.h"
#include "fs.h"
#include "autosync.h"
#include "icons.h"
#include "printer.h"
#include "provision.h"
#include "pack.h"
#include "kiosk.h"
#include "kv.h"
#include "log.h"
#include "loop.h"
#include "store.h"
#include "submit.h"
#include "svc.h"
#include "text.h"

/* The bundled content pack, prompts and fonts: $SPEAN_SHARE_DIR (tests) else the installed /usr/share/spean. */
static char share_content[4096], share_audio[4096], share_fonts[4096];
#define SPEAN_CONTENT_DIR fs_share_path("content", share_content, sizeof share_content)
#define SPEAN_AUDIO_DIR fs_share_path("audio", share_audio, sizeof share_audio)
#define SPEAN_FONT_DIR fs_share_path("fonts", share_fonts, sizeof share_fonts)

struct app {
	struct loop *loop;
	struct svc_watchdog *watchdog; /* systemd's WatchdogSec: pinged from the loop while it runs */
	struct ui *ui;
	struct kiosk kiosk;
	struct store *store;
	struct device dev;
	struct rules *rules;
	struct content content;
	struct catalog *vi, *km;
	struct icons *icons;
	struct text *text;
	struct audio *audio;
	struct autosync *sync;
	struct printer_conf printer;
	int has_printer;
	/* the staff PIN lockout, kept in the data dir (device_save_lockout) */
	int lockout_kept;
	struct loop_timer *lockout_timer;
	/* replay */
	char **lines;
	int nlines, next;
	const char *shots;
	FILE *taps; /* --taps: where each replayed tap lands, for a real touchscreen (tests/appliance) */
	int keys;   /* --keys: each shot's catalog keys, appended (ui/console/review-shots.sh), or -1 */
	int failed;
	/* first boot: the center's USB stick, polled at SPEAN_STICK_DIR while there is no center card */
	const char *stick_dir;
	struct loop_timer *stick_timer;
	int stick_seen;
	uint64_t until_deadline; /* replay: the running 'until' line's deadline (clock_mono_ns) */
	/* input devices (kmsdrm) */
	int inotify;
	int evdev[16];
	int nevdev;
};

static int submit_cb(void *ctx, const struct flow *f, unsigned char id[RECORD_ID_LEN], struct diag *d)
{
	struct app *a = ctx;
	int rc = submit_request(a->store, &a->dev, a->rules, &f->facts, f->today, &f->contact, f->lang, id, NULL, d);
	if (!rc)
		autosync_kick(a->sync, 1000); /* deliver it soon if the center is reachable */
	return rc;
}

static int check_pin_cb(void *ctx, const char *pin)
{
	struct app *a = ctx;
	int rc = device_check_pin(&a->dev, pin);
	struct diag d;
	store_audit(a->store, rc == 0 ? "staff_unlocked" : "staff_pin_failed", "", &d);
	return rc;
}

static void status_cb(void *ctx, struct kiosk_status *st)
{
	struct app *a = ctx;
	struct store_counts n = {0, 0, 0};
	struct diag d;
	store_count(a->store, &n, &d);
	st->held = (long long)n.held;
	st->delivered = (long long)n.delivered;
	uint64_t by[STORE_REASONS], refused = 0;
	if (!store_count_refused(a->store, by, &refused, &d))
		st->refused = (long long)refused;
	st->battery = board_get()->battery_percent();
	autosync_last(a->sync, st->last_sync, sizeof st->last_sync, &st->last_sync_failed);
}

/* ---- the staff PIN lockout across restarts ------------------------------------------------------ */

static void lockout_tick(void *ctx);

/* Write text; a failure is logged and the kiosk goes on (the lockout still holds in memory). */
static void lockout_write(struct app *a, const char *text)
{
	struct diag d = {""};
	if (device_save_lockout(&a->dev, text, &d))
		log_error("lockout_save_failed why=\"%s\"", d.msg);
}

/*
 * While locked, the record is rewritten every minute and when the lockout
 * ends: a power cut resumes with what was left at most 60 s earlier (never
 * less), and one after the end does not lock again.
 */
static void lockout_arm(struct app *a, uint64_t now)
{
	unsigned left;
	loop_timer_cancel(a->loop, a->lockout_timer);
	a->lockout_timer = NULL;
	if (lockout_locked(&a->kiosk.lockout, now, &left))
		a->lockout_timer = loop_timer(a->loop, left > 60 ? 60000 : (uint64_t)left * 1000, lockout_tick, a);
}

/* The kiosk's lockout as of now, written, and the timer armed for the next write. */
static void lockout_keep(struct app *a)
{
	uint64_t now = clock_mono_ns();
	char text[LOCKOUT_TEXT_MAX];
	lockout_save(&a->kiosk.lockout, now, text);
	lockout_write(a, text);
	lockout_arm(a, now);
}

static void lockout_tick(void *ctx)
{
	struct app *a = ctx;
	a->lockout_timer = NULL;
	lockout_keep(a);
	if (!a->lockout_timer) {
		log_info("assisted_lockout_ended");
		if (a->kiosk.mode == MODE_PIN)
			kiosk_show(&a->kiosk); /* the PIN screen no longer says "locked" */
	}
}

static void lockout_changed_cb(void *ctx, const char *text)
{
	struct app *a = ctx;
	lockout_write(a, text);
	lockout_arm(a, clock_mono_ns());
}

/* At start, before the kiosk takes input: what was kept, or locked for the first period if it is damaged. */
static void lockout_start(struct app *a)
{
	struct diag d = {""};
	uint64_t now = clock_mono_ns();
	unsigned left;
	if (device_load_lockout(&a->dev, now, &a->kiosk.lockout, &d)) {
		/* d names keys and line numbers of a file that holds no PIN and nothing personal. */
		log_error("lockout_record_damaged locked_s=%u why=\"%s\"", LOCKOUT_FIRST_S, d.msg);
		lockout_keep(a); /* a valid record again, saying "locked" */
	} else if (lockout_locked(&a->kiosk.lockout, now, &left)) {
		log_warn("assisted_lockout_resumed seconds=%u lockouts=%d", left, a->kiosk.lockout.lockouts);
		lockout_arm(a, now);
	}
	a->lockout_kept = 1;
}

/* Printing runs on its own thread (the device may block); the result comes back through the loop. */
struct print_job {
	struct app *a;
	void *data;
	size_t n;
	enum kiosk_print result;
};

static void print_done(void *ctx)
{
	struct print_job *j = ctx;
	kiosk_print_done(&j->a->kiosk, j->result);
	free(j->data);
	free(j);
}

static void *print_thread(void *ctx)
{
	struct print_job *j = ctx;
	const char *t = getenv("SPEAN_PRINT_TIMEOUT_MS");
	j->result = printer_write(j->a->printer.path, j->data, j->n, t ? atoi(t) : 15000);
	loop_post(j->a->loop, print_done, j);
	return NULL;
}

static void print_cb(void *ctx, const void *escpos, size_t n)
{
	struct app *a = ctx;
	struct print_job *j = xcalloc(1, sizeof *j);
	j->a = a;
	j->data = xmalloc(n);
	memcpy(j->data, escpos, n);
	j->n = n;
	pthread_t th;
	if (pthread_create(&th, NULL, print_thread, j)) {
		j->result = KIOSK_PRINT_FAILED;
		print_done(j);
		return;
	}
	pthread_detach(th);
}

static void sync_done_cb(void *ctx)
{
	struct app *a = ctx;
	if (a->kiosk.mode == MODE_STATUS)
		kiosk_show(&a->kiosk); /* the counts on the status screen changed */
}

/* ---- first boot: the center's card and settings from a USB stick ------------------------------- */

#define STICK_POLL_MS 1000 /* a stat() a second, and only while the kiosk has no center card */

/* The receipt printer as the data dir now says (provisioning may have set one). */
static void printer_reload(struct app *a)
{
	a->has_printer = printer_conf_load(a->dev.dir, &a->printer) == 0;
	a->kiosk.ops.print = a->has_printer ? print_cb : NULL;
	a->kiosk.ops.paper_dots = a->printer.dots;
}

/* The stick's spean/provision/ now: the same code as 'spean provision --from', then the setup result screen. */
static void provision_cb(void *ctx)
{
	struct app *a = ctx;
	struct provision_result r;
	struct diag d = {""};
	struct kiosk_setup ks;
	memset(&ks, 0, sizeof ks);
	/* The sync thread reads the center's keys: stopped while they change, started again with the new ones. */
	autosync_stop(a->sync);
	a->sync = NULL;
	int rc = provision_from_dir(&a->dev, a->stick_dir, 0, &r, &d);
	/* d may quote the stick's text: it goes to the screen as a reason, never to the log. */
	ks.ok = rc == 0;
	snprintf(ks.why, sizeof ks.why, "%s", provision_why_name(r.why));
	ks.line = r.line;
	ks.held = (long long)r.held;
	if (ks.ok) {
		snprintf(ks.center, sizeof ks.center, "%.4s %.4s %.4s %.4s", r.center, r.center + 4, r.center + 8,
			 r.center + 12);
		snprintf(ks.url, sizeof ks.url, "%.120s", r.set.url);
		if (r.set.printer[0])
			snprintf(ks.printer, sizeof ks.printer, "%.100s, %.2s mm", r.set.printer, r.set.paper[0] ? r.set.paper : "58");
		printer_reload(a);
		if (!a->store && store_open(a->dev.dir, 0, &a->store, &d))
			log_error("store_open_failed after provisioning");
	}
	if (a->store && a->dev.has_center)
		a->sync = autosync_start(a->loop, &a->dev, sync_done_cb, a);
	kiosk_setup_result(&a->kiosk, &ks);
}

/* Poll the mount point: a stick's spean/provision/ that appears is read once, until it goes away again. */
static void stick_poll(void *ctx)
{
	struct app *a = ctx;
	a->stick_timer = NULL;
	if (!a->kiosk.unprovisioned)
		return;
	int present = provision_dir_present(a->stick_dir);
	if (present && !a->stick_seen) {
		log_info("stick_provision_found");
		provision_cb(a);
	}
	a->stick_seen = present;
	if (a->kiosk.unprovisioned)
		a->stick_timer = loop_timer(a->loop, STICK_POLL_MS, stick_poll, a);
}

static void setup_start(struct app *a)
{
	kiosk_setup_wait(&a->kiosk);
	/* The first look from the loop, once the kiosk has started (a stick may be in at boot). */
	a->stick_timer = loop_timer(a->loop, 0, stick_poll, a);
}

/* ---- SDL events: pumped only when an input fd is readable ---------------------------- */

static void drain_sdl(struct app *a)
{
	SDL_Event ev;
	SDL_PumpEvents();
	while (SDL_PollEvent(&ev)) {
		if (ev.type == SDL_QUIT) {
			loop_quit(a->loop);
			continue;
		}
		/* A touch restarts the idle delays; the one that wakes a dark screen is taken whole (kiosk_power_event). */
		if (kiosk_power_event(&a->kiosk, &ev))
			continue;
		ui_event(a->ui, &ev);
	}
}

static void on_x11(void *ctx, int fd, short re)
{
	(void)fd;
	(void)re;
	drain_sdl(ctx);
}

static void on_evdev(void *ctx, int fd, short re)
{
	struct app *a = ctx;
	char buf[1024];
	/* SDL reads the same device through its own fd; ours only tells us when to pump. */
	while (read(fd, buf, sizeof buf) > 0)
		;
	if (re & (POLLHUP | POLLERR)) {
		loop_unwatch(a->loop, fd);
		close(fd);
		for (int i = 0; i < a->nevdev; i++)
			if (a->evdev[i] == fd)
				a->evdev[i] = a->evdev[--a->nevdev];
	}
	drain_sdl(a);
}

static void scan_evdev(struct app *a)
{
	DIR *d = opendir("/dev/input");
	struct dirent *e;
	while (d && (e = readdir(d)) && a->nevdev < 16) {
		if (strncmp(e->d_name, "event", 5))
			continue;
		char p[300];
		snprintf(p, sizeof p, "/dev/input/%s", e->d_name);
		int fd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (loop_watch(a->loop, fd, POLLIN, on_evdev, a)) {
			close(fd);
			continue;
		}
		a->evdev[a->nevdev++] = fd;
	}
	if (d)
		closedir(d);
}

static void on_inotify(void *ctx, int fd, short re)
{
	struct app *a = ctx;
	char buf[4096];
	(void)re;
	while (read(fd, buf, sizeof buf) > 0)
		;
	/* A device came or went: re-find them all (SDL does the same on its side). */
	for (int i = 0; i < a->nevdev; i++) {
		loop_unwatch(a->loop, a->evdev[i]);
		close(a->evdev[i]);
	}
	a->nevdev = 0;
	scan_evdev(a);
	drain_sdl(a);
}

static void watch_input(struct app *a)
{
	const char *drv = SDL_GetCurrentVideoDriver();
	SDL_SysWMinfo info;
	SDL_VERSION(&info.version);
	if (drv && !strcmp(drv, "x11") && SDL_GetWindowWMInfo(a->ui->win, &info) && info.subsystem == SDL_SYSWM_X11) {
		loop_watch(a->loop, ConnectionNumber(info.info.x11.display), POLLIN, on_x11, a);
	} else if (drv && !strcmp(drv, "KMSDRM")) {
		a->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		/* IN_ATTRIB too: a node appears as root's (devtmpfs) and udev gives it to the input group a moment
		 * later; opened at IN_CREATE it fails, and without the rescan at udev's chown our loop never woke
		 * for that device (SDL, which waits for udev, had it: taps sat in its queue). */
		if (a->inotify >= 0 &&
		    inotify_add_watch(a->inotify, "/dev/input", IN_CREATE | IN_DELETE | IN_ATTRIB) >= 0)
			loop_watch(a->loop, a->inotify, POLLIN, on_inotify, a);
		scan_evdev(a);
	}
	/* offscreen and dummy have no input: scripts drive them. */
	log_info("video driver=%s", drv ? drv : "none");
}

/* SIGTERM/SIGINT through the loop (signalfd): stop cleanly, wiping the draft, whatever the video driver. */
static void on_signal(void *ctx, int fd, short re)
{
	struct app *a = ctx;
	struct signalfd_siginfo si;
	(void)re;
	while (read(fd, &si, sizeof si) == (ssize_t)sizeof si)
		log_info("signal_stop signo=%u", si.ssi_signo);
	a->kiosk.quit = 1;
	loop_quit(a->loop);
}

/* ---- replay ------------------------------------------------------------------------------------ */

static void replay_step(void *ctx);

static void replay_fail(struct app *a, const char *fmt, const char *arg)
{
	fprintf(stderr, "spean kiosk: replay line %d: ", a->next);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	a->failed = 1;
	loop_quit(a->loop);
}

/* A shot's lines for --keys, NAME<TAB>KEY per key on show, in one write: with O_APPEND no other writer splits them. */
static int keys_write(struct app *a, const char *name)
{
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < kiosk_trace_count(&a->kiosk); i++)
		buf_printf(&b, "%s\t%s\n", name, kiosk_trace_key(&a->kiosk, i));
	int rc = b.len ? fs_write_all(a->keys, b.data, b.len) : 0;
	buf_finish(&b);
	return rc;
}

static void replay_step(void *ctx)
{
	struct app *a = ctx;
	ui_render(a->ui);
	while (a->next < a->nlines) {
		char *line = a->lines[a->next++];
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		char *arg = strchr(line, ' ');
		if (arg)
			*arg++ = '\0';
		else
			arg = line + strlen(line);
		if (!strcmp(line, "tap")) {
			struct widget *w = ui_find(a->ui, arg);
			if (!w) {
				replay_fail(a, "no widget '%s' on this screen", arg);
				return;
			}
			if (a->taps) /* a real touchscreen needs the touch that wakes the screen too */
				fprintf(a->taps, "%d %d %s\n", w->r.x + w->r.w / 2, w->r.y + w->r.h / 2, arg);
			if (kiosk_touch(&a->kiosk)) { /* it woke the screen: not a tap */
				ui_render(a->ui);
				continue;
			}
			ui_tap(a->ui, w);
			ui_render(a->ui);
		} else if (!strcmp(line, "touch")) {
			/* touch ID: a finger down and up on it (with SDL's mouse twins) through SDL's queue, as a touch screen gives them. */
			struct widget *w = ui_find(a->ui, arg);
			if (!w) {
				replay_fail(a, "no widget '%s' on this screen", arg);
				return;
			}
			float fx = (float)(w->r.x + w->r.w / 2) / (float)a->ui->w, fy = (float)(w->r.y + w->r.h / 2) / (float)a->ui->h;
			for (int i = 0; i < 4; i++) {
				SDL_Event ev;
				memset(&ev, 0, sizeof ev);
				if (i % 2 == 0) {
					ev.type = i ? SDL_FINGERUP : SDL_FINGERDOWN;
					ev.tfinger.x = fx, ev.tfinger.y = fy;
				} else {
					ev.type = i == 1 ? SDL_MOUSEBUTTONDOWN : SDL_MOUSEBUTTONUP;
					ev.button.which = SDL_TOUCH_MOUSEID;
					ev.button.button = SDL_BUTTON_LEFT;
					ev.button.x = (int)(fx * (float)a->ui->w), ev.button.y = (int)(fy * (float)a->ui->h);
				}
				SDL_PushEvent(&ev);
			}
			drain_sdl(a);
			ui_render(a->ui);
		} else if (!strcmp(line, "type")) {
			kiosk_activity(&a->kiosk);
			kiosk_type(&a->kiosk, arg);
			ui_render(a->ui);
		} else if (!strcmp(line, "wait")) {
			loop_timer(a->loop, (uint64_t)strtoul(arg, NULL, 10), replay_step, a);
			return;
		} else if (!strcmp(line, "until")) {
			/* until ID|LABEL MS: wait (the loop turning) until it is on the screen, at most MS. */
			char *ms = strrchr(arg, ' ');
			uint64_t now = clock_mono_ns();
			if (!ms) {
				replay_fail(a, "until wants ID|LABEL MS, not '%s'", arg);
				return;
			}
			*ms = '\0';
			if (ui_find_any(a->ui, arg)) {
				a->until_deadline = 0;
				continue;
			}
			if (!a->until_deadline)
				a->until_deadline = now + strtoull(ms + 1, NULL, 10) * 1000000ull;
			if (now >= a->until_deadline) {
				replay_fail(a, "'%s' did not appear in time", arg);
				return;
			}
			*ms = ' ';
			arg[-1] = ' ';
			a->next--;
			loop_timer(a->loop, 100, replay_step, a);
			return;
		} else if (!strcmp(line, "shot")) {
			char path[4096];
			struct diag d = {""};
			snprintf(path, sizeof path, "%s/%s.png", a->shots ? a->shots : ".", arg);
			if (a->keys >= 0 && strchr(arg, '\t')) {
				replay_fail(a, "shot '%s': a name with a tab cannot be listed in --keys", arg);
				return;
			}
			ui_render(a->ui);
			if (ui_screenshot(a->ui, path, &d)) {
				replay_fail(a, "%s", d.msg);
				return;
			}
			if (a->keys >= 0 && keys_write(a, arg)) {
				replay_fail(a, "--keys: %s", strerror(errno));
				return;
			}
		} else if (!strcmp(line, "expect")) {
			if (!ui_find_any(a->ui, arg)) {
				replay_fail(a, "expected '%s' on this screen", arg);
				return;
			}
		} else if (!strcmp(line, "question")) {
			const struct flow *f = &a->kiosk.flow;
			if (f->state != FS_QUESTION || strcmp(a->kiosk.content->q[f->q].id, arg)) {
				replay_fail(a, "expected question '%s'", arg);
				fprintf(stderr, "  (on show: %s %s)\n", flow_state_name(f->state),
					f->state == FS_QUESTION ? a->kiosk.content->q[f->q].id : "");
				return;
			}
		} else if (!strcmp(line, "says")) {
			/* The catalog text of KEY, in the language on show, is on the screen. */
			if (!ui_find_any(a->ui, kiosk_text(&a->kiosk, arg))) {
				replay_fail(a, "expected the text of '%s' in this language on this screen", arg);
				return;
			}
		} else if (!strcmp(line, "minsize")) {
			/* minsize ID PX: the widget is at least PX wide and tall (touch targets). */
			char *px = strchr(arg, ' ');
			if (px)
				*px++ = '\0';
			struct widget *w = ui_find(a->ui, arg);
			int min = px ? atoi(px) : 0;
			if (!w || min <= 0 || w->r.w < min || w->r.h < min) {
				replay_fail(a, "'%s' missing or smaller than asked", arg);
				return;
			}
		} else if (!strcmp(line, "spoken")) {
			/* The prompt KEY was the last one spoken (where this language has a recording of it). */
			if (strcmp(audio_last(a->kiosk.audio), arg)) {
				replay_fail(a, "expected '%s' spoken last", arg);
				return;
			}
		} else if (!strcmp(line, "audio")) {
			/* audio up|down: SDL's audio subsystem (and its threads) up or let go. */
			const char *is = audio_active(a->kiosk.audio) ? "up" : "down";
			if (strcmp(is, arg)) {
				replay_fail(a, "expected audio '%s'", arg);
				fprintf(stderr, "  (it is %s)\n", is);
				return;
			}
		} else if (!strcmp(line, "selected")) {
			struct widget *w = ui_find(a->ui, arg);
			if (!w || !(w->flags & WF_SELECTED)) {
				replay_fail(a, "expected '%s' selected", arg);
				return;
			}
		} else if (!strcmp(line, "absent")) {
			if (ui_find_any(a->ui, arg)) {
				replay_fail(a, "'%s' is on this screen, expected it gone", arg);
				return;
			}
		} else if (!strcmp(line, "state")) {
			if (strcmp(flow_state_name(a->kiosk.flow.state), arg)) {
				replay_fail(a, "expected state '%s'", arg);
				return;
			}
		} else if (!strcmp(line, "power")) {
			/* power on|dim|off: the screen's power state (kiosk/power.c). */
			if (strcmp(kiosk_power_name(a->kiosk.power), arg)) {
				replay_fail(a, "expected the screen '%s'", arg);
				fprintf(stderr, "  (it is %s)\n", kiosk_power_name(a->kiosk.power));
				return;
			}
		} else if (!strcmp(line, "luma")) {
			/* luma MIN MAX: the mean luma (0..255) of what is on the screen lies in [MIN, MAX]. */
			int lo = -1, hi = -1, l;
			ui_render(a->ui);
			l = ui_luma(a->ui);
			if (sscanf(arg, "%d %d", &lo, &hi) != 2 || l < lo || l > hi) {
				replay_fail(a, "mean luma not in [%s]", arg);
				fprintf(stderr, "  (it is %d)\n", l);
				return;
			}
		} else if (!strcmp(line, "overflow")) {
			struct buf o;
			buf_init(&o);
			if (ui_overflow(a->ui, &o)) {
				replay_fail(a, "text does not fit: %s", o.data);
				buf_finish(&o);
				return;
			}
			buf_finish(&o);
		} else {
			replay_fail(a, "unknown command '%s' (tap, touch, type, wait, until, shot, expect, absent, selected, says, spoken, minsize, state, question, power, luma, overflow)", line);
			return;
		}
	}
	loop_quit(a->loop);
}

static int load_script(struct app *a, const char *path)
{
	struct buf b;
	struct diag d = {""};
	buf_init(&b);
	if (fs_read_file(path, 1u << 20, &b, &d)) {
		fprintf(stderr, "spean kiosk: %s\n", d.msg);
		buf_finish(&b);
		return 2;
	}
	for (char *p = b.data, *nl; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		a->lines = xrealloc(a->lines, sizeof *a->lines * (size_t)(a->nlines + 1));
		a->lines[a->nlines++] = xstrdup(p);
	}
	buf_finish(&b);
	return 0;
}

/* ---- content ------------------------------------------------------------------------------------- */

/* full: read every picture now (content check), not when first shown (the kiosk). */
static int load_content(struct app *a, const char *dir, int full, struct diag *d)
{
	struct buf b;
	int rc;
	const char *file = "questions.conf";
	buf_init(&b);
	memset(&a->content, 0, sizeof a->content);
	if ((rc = fs_read_in(dir, file, 4u << 20, &b, d)) || (rc = content_parse_questions(b.data, b.len, &a->content, d)))
		goto out;
	buf_finish(&b);
	file = "communes.txt";
	if ((rc = fs_read_in(dir, file, 4u << 20, &b, d)) || (rc = content_parse_communes(b.data, b.len, &a->content, d)))
		goto out;
	buf_finish(&b);
	file = "strings.vi";
	if ((rc = fs_read_in(dir, file, 4u << 20, &b, d)) || (rc = catalog_parse(b.data, b.len, &a->vi, d)))
		goto out;
	buf_finish(&b);
	file = "strings.km";
	if ((rc = fs_read_in(dir, file, 4u << 20, &b, d)) || (rc = catalog_parse(b.data, b.len, &a->km, d)))
		goto out;
	/* Optional (content_pack_check): a pack signed before packs carried it still starts, unable to count working days. */
	file = "holidays.txt";
	buf_finish(&b);
	char *hp = fs_join(dir, file);
	int have = fs_exists(hp);
	free(hp);
	if (have && ((rc = fs_read_in(dir, file, 4u << 20, &b, d)) ||
		     (rc = holidays_parse(b.data, b.len, &a->content.holidays, d))))
		goto out;
	/* Optional for good: a pack without opening hours is always open (the screen is dimmed when idle, never off). */
	file = "hours.txt";
	buf_finish(&b);
	hp = fs_join(dir, file);
	have = fs_exists(hp);
	free(hp);
	if (have && ((rc = fs_read_in(dir, file, 4u << 20, &b, d)) || (rc = hours_parse(b.data, b.len, &a->content.hours, d))))
		goto out;
	file = "strings";
	if ((rc = content_check_catalog(&a->content, a->rules, a->vi, "vi", d)) ||
	    (rc = content_check_catalog(&a->content, a->rules, a->km, "km", d)))
		goto out;
	file = "icons";
	rc = icons_load(&a->icons, dir, &a->content, full, d);
out:
	buf_finish(&b);
	if (rc && strncmp(d->msg, dir, strlen(dir)))
		diag_prefix(d, "%s/%s: ", dir, file);
	return rc;
}

int content_validate(const char *dir, struct diag *d)
{
	struct app a;
	memset(&a, 0, sizeof a);
	/* The pack's own rules when it has them, else the built-in ones. */
	struct buf b;
	buf_init(&b);
	char *rp = fs_join(dir, "eligibility.rules");
	int rc = fs_exists(rp) ? fs_read_file(rp, 4u << 20, &b, d) : 0;
	if (!rc && !fs_exists(rp))
		buf_append(&b, (const char *)spean_builtin_rules, spean_builtin_rules_len);
	if (!rc && (rc = rules_parse(b.data, b.len, &a.rules, d)))
		diag_prefix(d, "eligibility.rules: ");
	buf_finish(&b);
	free(rp);
	if (!rc)
		rc = pack_check_dir(dir, d);
	/* Pictures: their headers were checked above; pixels are decoded when shown (this may run on the sync thread, where SDL keeps per-thread state it never frees). */
	if (!rc)
		rc = load_content(&a, dir, 0, d);
	icons_destroy(a.icons);
	catalog_destroy(a.vi);
	catalog_destroy(a.km);
	content_finish(&a.content);
	rules_destroy(a.rules);
	return rc;
}

/* `spean content check`: validate a pack and list what is missing or not yet reviewed. */
int content_check_main(int argc, char **argv)
{
	const char *content = getenv("SPEAN_CONTENT_DIR");
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--content") && i + 1 < argc)
			content = argv[++i];
		else {
			fprintf(stderr, "usage: spean content check [--content DIR]\n");
			return 2;
		}
	}
	if (!content || !*content)
		content = SPEAN_CONTENT_DIR;
	struct app a;
	struct diag d = {""};
	struct buf b;
	memset(&a, 0, sizeof a);
	buf_init(&b);
	buf_append(&b, (const char *)spean_builtin_rules, spean_builtin_rules_len);
	int rc = rules_parse(b.data, b.len, &a.rules, &d);
	buf_finish(&b);
	if (!rc && ((rc = pack_check_dir(content, &d)) || (rc = load_content(&a, content, 1, &d))))
		fprintf(stderr, "spean: content pack refused: %s\n", d.msg);
	/* A pack going out must let the kiosk count working days this year (the center refuses to sign it otherwise). */
	int year, month, day;
	clock_today(&year, &month, &day);
	if (!rc && (rc = holidays_check_year(&a.content.holidays, year, &d))) {
		fprintf(stderr, "spean: content pack refused: %s/holidays.txt: %s\n", content,
			a.content.holidays.first_year ? d.msg : "missing (the kiosk counts working days to a hearing with it)");
	}
	if (!rc) {
		printf("%s: ok: version %s, %d questions, %d pictures, %d communes, %zu strings per language\n", content,
		       a.content.version, a.content.nquestions, icons_count(a.icons), a.content.ncommunes, catalog_count(a.vi));
		printf("holidays: covers %d..%d, %d days listed (the current year %d covered; the center updates the list)\n",
		       a.content.holidays.first_year, a.content.holidays.last_year, a.content.holidays.n, year);
		int wm = hours_week_minutes(&a.content.hours);
		if (a.content.hours.set)
			printf("hours: open %d h %02d min a week (hours.txt; the holidays closed; the screen is off outside them, once idle)\n",
			       wm / 60, wm % 60);
		else
			printf("hours: none (no hours.txt: always open; the screen is dimmed when idle, never turned off)\n");
		/* Spoken prompts: generated Vietnamese, recorded Khmer. */
		const char *gen = getenv("SPEAN_AUDIO_DIR");
		char *rec = fs_join(content, "audio");
		const char *dirs[2] = {gen && *gen ? gen : SPEAN_AUDIO_DIR, rec};
		struct audio *au = audio_create(NULL, dirs, 2);
		char *keys = fs_join(content, "audio.keys");
		buf_init(&b);
		if (fs_read_file(keys, 1u << 20, &b, &d) == 0) {
			static const char *const langs[2] = {"vi", "km"};
			for (int l = 0; l < 2; l++) {
				int have = 0, total = 0;
				struct buf missing;
				buf_init(&missing);
				char *copy = xstrdup(b.data), *save;
				for (char *k = strtok_r(copy, "\n", &save); k; k = strtok_r(NULL, "\n", &save)) {
					if (!*k || *k == '#')
						continue;
					total++;
					if (audio_has(au, langs[l], k))
						have++;
					else
						buf_printf(&missing, "  missing %s prompt: %s\n", langs[l], k);
				}
				free(copy);
				printf("%s prompts: %d of %d%s\n%s", langs[l], have, total,
				       l ? " (recordings in audio/km/KEY.wav: espeak-ng has no Khmer voice)" : " (espeak-ng, at build time)",
				       missing.data ? missing.data : "");
				buf_finish(&missing);
			}
		}
		buf_finish(&b);
		/* Khmer strings a native speaker has not reviewed. */
		char *rev = fs_join(content, "strings.km.reviewed");
		buf_init(&b);
		int reviewed = 0;
		if (fs_read_file(rev, 1u << 20, &b, &d) == 0)
			for (size_t i = 0; i < catalog_count(a.km); i++) {
				char *hit = b.data ? strstr(b.data, catalog_key(a.km, i)) : NULL;
				size_t kl = strlen(catalog_key(a.km, i));
				reviewed += hit && (hit == b.data || hit[-1] == '\n') && (hit[kl] == ' ' || hit[kl] == '\n');
			}
		printf("km strings: %zu of %zu NOT reviewed by a native Khmer speaker (listed in strings.km.reviewed when they are)\n",
		       catalog_count(a.km) - (size_t)reviewed, catalog_count(a.km));
		buf_finish(&b);
		free(rev);
		free(keys);
		free(rec);
		audio_destroy(au);
	}
	catalog_destroy(a.vi);
	catalog_destroy(a.km);
	icons_destroy(a.icons);
	content_finish(&a.content);
	rules_destroy(a.rules);
	return rc ? 2 : 0;
}

/*
 * --keys FILE: opened once, for appending (one file for many runs), created
 * 0644; a symbolic link is refused rather than written through, and so is
 * anything but a regular file. The fd, or -1 with the reason said.
 */
static int keys_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	struct stat st;
	if (fd < 0) {
		fprintf(stderr, "spean kiosk: --keys %s: cannot open for appending (%s)\n", path,
			errno == ELOOP ? "a symbolic link: refused" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "spean kiosk: --keys %s: not a regular file\n", path);
		close(fd);
		return -1;
	}
	return fd;
}

static const char kiosk_usage[] =
	"usage: spean [--data-dir DIR] kiosk [--replay SCRIPT] [--shots DIR] [--keys FILE] [--size WxH] [--content DIR]\n"
	"\n"
	"Run the kiosk. With no display it runs headless (SDL offscreen driver).\n"
	"  --replay SCRIPT  run a script of lines: tap ID|LABEL, touch ID|LABEL, type TEXT, wait MS,\n"
	"                   until ID|LABEL MS, shot NAME, expect ID|LABEL, absent ID|LABEL, selected ID,\n"
	"                   says KEY, spoken KEY, minsize ID PX, state NAME, question ID, power on|dim|off,\n"
	"                   luma MIN MAX, overflow; exit 0 at its end, 3 if a target is missing\n"
	"  --shots DIR      where 'shot' writes NAME.png (default .)\n"
	"  --taps FILE      write where each replayed tap lands ('X Y ID' per line, window pixels): the same\n"
	"                   journey driven through a real touchscreen (tests/appliance)\n"
	"  --keys FILE      at each 'shot', append 'NAME<TAB>KEY' lines to FILE, one per catalog key whose\n"
	"                   text that screen was built from (KEY.you where that variant shows); for a\n"
	"                   translation's reviewer (ui/console/review-shots.sh). Created 0644 if missing;\n"
	"                   a symbolic link, a directory or any other non-regular file is refused\n"
	"  --size WxH       window size (default 800x480)\n"
	"  --content DIR    content pack (default $SPEAN_CONTENT_DIR, else an installed pack, else\n"
	"                   $SPEAN_SHARE_DIR/content, else " SPEAN_SHARE_DIR "/content)\n";

int kiosk_main(const char *data_dir, int argc, char **argv)
{
	struct app a;
	memset(&a, 0, sizeof a);
	a.inotify = -1;
	a.keys = -1;
	const char *replay = NULL, *content = getenv("SPEAN_CONTENT_DIR");
	int w = 800, h = 480, ex = 1, sfd = -1;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--help")) {
			fputs(kiosk_usage, stdout);
			return 0;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "spean kiosk: %s needs a value\n%s", argv[i], kiosk_usage);
			return 2;
		}
		if (!strcmp(argv[i], "--replay"))
			replay = argv[++i];
		else if (!strcmp(argv[i], "--shots"))
			a.shots = argv[++i];
		else if (!strcmp(argv[i], "--content"))
			content = argv[++i];
		else if (!strcmp(argv[i], "--taps")) {
			if (a.taps)
				fclose(a.taps);
			if (!(a.taps = fopen(argv[++i], "w"))) {
				fprintf(stderr, "spean kiosk: %s: cannot create (%s)\n", argv[i], strerror(errno));
				return 2;
			}
		} else if (!strcmp(argv[i], "--keys")) {
			if (a.keys >= 0)
				close(a.keys);
			if ((a.keys = keys_open(argv[++i])) < 0)
				return 2;
		} else if (!strcmp(argv[i], "--size")) {
			if (sscanf(argv[++i], "%dx%d", &w, &h) != 2 || w < 320 || h < 240 || w > 4096 || h > 4096) {
				fprintf(stderr, "spean kiosk: --size wants WxH, e.g. 800x480\n");
				return 2;
			}
		} else {
			fprintf(stderr, "spean kiosk: unexpected argument '%s'\n%s", argv[i], kiosk_usage);
			return 2;
		}
	}
	content = pack_content_dir(device_data_dir(data_dir), content, SPEAN_CONTENT_DIR);
	struct diag d = {""};
	uint64_t t0 = clock_mono_ns();
#define STAGE(name) log_debug("startup stage=%s ms=%.1f", name, (double)(clock_mono_ns() - t0) / 1e6)
	if (replay && load_script(&a, replay))
		return 2;
	/* Content first: a broken pack refuses to start, with the reason. */
	struct buf rb;
	buf_init(&rb);
	/* An installed pack carries the rules its questions were written for. */
	char *prules = fs_join(content, "eligibility.rules");
	int own = fs_exists(prules);
	if (!own)
		buf_append(&rb, (const char *)spean_builtin_rules, spean_builtin_rules_len);
	if ((own && fs_read_file(prules, 4u << 20, &rb, &d)) || rules_parse(rb.data, rb.len, &a.rules, &d)) {
		fprintf(stderr, "spean kiosk: %s rules: %s\n", own ? prules : "built-in", d.msg);
		buf_finish(&rb);
		free(prules);
		return 2;
	}
	free(prules);
	buf_finish(&rb);
	/* The whole pack as the center checked it (names, sizes, headers), then what this start needs of it. */
	if (pack_check_dir(content, &d) || load_content(&a, content, 0, &d)) {
		fprintf(stderr, "spean kiosk: content pack refused: %s\n", d.msg);
		ex = 2;
		goto out;
	}
	STAGE("content");
	if (device_open(device_data_dir(data_dir), &a.dev, &d)) {
		fprintf(stderr, "spean kiosk: %s\n", d.msg);
		goto out;
	}
	/* No center card yet: the setup screen takes one from a USB stick (the store is opened then). */
	a.stick_dir = getenv("SPEAN_STICK_DIR") && *getenv("SPEAN_STICK_DIR") ? getenv("SPEAN_STICK_DIR") : PROVISION_STICK_DIR;
	/* Header and schema now; the full integrity check right after the first frame (below). */
	if (a.dev.has_center && store_open(a.dev.dir, 0, &a.store, &d)) {
		fprintf(stderr, "spean kiosk: %s\n", d.msg);
		goto out;
	}
	STAGE("store");
	const char *fonts = getenv("SPEAN_FONT_DIR");
	if (text_init(&a.text, fonts && *fonts ? fonts : SPEAN_FONT_DIR, &d)) {
		fprintf(stderr, "spean kiosk: %s\n", d.msg);
		goto out;
	}
	/* No desktop and no display hardware (a build machine, CI): run headless. */
	if (!getenv("SDL_VIDEODRIVER") && !getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY") && access("/dev/dri/card0", F_OK))
		SDL_SetHint(SDL_HINT_VIDEODRIVER, "offscreen");
	STAGE("fonts");
	/* SDL's own handlers would turn SIGTERM into an event that nothing pumps under offscreen/KMSDRM. */
	SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
	if (ui_create(&a.ui, a.text, w, h, &d)) {
		fprintf(stderr, "spean kiosk: %s\n", d.msg);
		goto out;
	}
	STAGE("window");
	a.loop = loop_create();
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd >= 0)
		loop_watch(a.loop, sfd, POLLIN, on_signal, &a);
	struct date today;
	clock_today(&today.y, &today.m, &today.d);
	kiosk_init(&a.kiosk, a.ui, a.loop, a.rules, &a.content, a.vi, a.km, today, submit_cb, &a);
	/* SPEAN_IDLE=WARN,RESET,RECEIPT[,DIM] seconds (site policy; tests use short ones). */
	const char *idle = getenv("SPEAN_IDLE");
	int nidle = idle ? sscanf(idle, "%d,%d,%d,%d", &a.kiosk.cfg.idle_warn_s, &a.kiosk.cfg.idle_reset_s,
				  &a.kiosk.cfg.receipt_s, &a.kiosk.cfg.dim_s) : 3;
	if ((nidle != 3 && nidle != 4) || a.kiosk.cfg.dim_s < 0) {
		fprintf(stderr, "spean kiosk: SPEAN_IDLE wants WARN,RESET,RECEIPT[,DIM] seconds, e.g. 60,20,45,120\n");
		ex = 2;
		goto out;
	}
	/* Prompts: generated (Vietnamese, espeak-ng) first, then the pack's recordings (Khmer). */
	const char *gen = getenv("SPEAN_AUDIO_DIR");
	char *recorded = fs_join(content, "audio");
	const char *dirs[2] = {gen && *gen ? gen : SPEAN_AUDIO_DIR, recorded};
	a.audio = audio_create(a.loop, dirs, 2);
	a.kiosk.audio = a.audio;
	a.kiosk.icons = a.icons;
	a.has_printer = printer_conf_load(a.dev.dir, &a.printer) == 0;
	a.kiosk.ops = (struct kiosk_ops){check_pin_cb, status_cb, &a, a.has_printer ? print_cb : NULL, a.printer.dots,
					 lockout_changed_cb, provision_cb};
	hex_encode(a.dev.sign_pk, CRYPT_SIGN_PK, a.kiosk.identity);
	lockout_start(&a);
	if (!a.dev.has_center)
		setup_start(&a);
	free(recorded);
	/* Every setting is in: from here each screen built lists its catalog keys (the one on show is built again). */
	if (a.keys >= 0)
		kiosk_trace_start(&a.kiosk);
	STAGE("screen");
	watch_input(&a);
	ui_render(a.ui);
	STAGE("first_frame");
	if (getenv("SPEAN_BENCH_FIRST_FRAME")) {
		/* The benchmark's "first frame": the attract screen is on the display. */
		puts("first_frame");
		fflush(stdout);
		ex = 0;
		goto out;
	}
	/* systemd (Type=notify): started once the attract screen is drawn. */
	svc_notify_ready();
	/* The screen's power: dimmed when idle, off outside the pack's hours (kiosk/power.c). */
	kiosk_power_start(&a.kiosk);
	/*
	 * The full integrity check, before the kiosk takes any input: a damaged
	 * database is moved aside by reopening with the full check (as at start).
	 */
	if (a.store && store_check(a.store, &d) == ERR_DAMAGED) {
		log_error("store_damaged_at_start");
		store_close(a.store);
		a.store = NULL;
		if (store_open(a.dev.dir, STORE_CHECK_FULL, &a.store, &d) && store_open(a.dev.dir, 0, &a.store, &d)) {
			fprintf(stderr, "spean kiosk: %s\n", d.msg);
			goto out;
		}
	}
	if (a.store)
		a.sync = autosync_start(a.loop, &a.dev, sync_done_cb, &a);
	/* From here on the loop pings systemd's watchdog; a loop that stops turning stops the pings. */
	a.watchdog = svc_watchdog_start(a.loop);
	if (replay)
		loop_timer(a.loop, 0, replay_step, &a);
	drain_sdl(&a);
	log_info("kiosk_started size=%dx%d", w, h);
	while (!a.kiosk.quit) {
		loop_run_once(a.loop, -1);
		ui_render(a.ui);
		if (a.failed || (replay && a.next >= a.nlines))
			break;
		SDL_Event ev;
		if (SDL_PeepEvents(&ev, 1, SDL_PEEKEVENT, SDL_QUIT, SDL_QUIT) > 0)
			break;
	}
	ex = a.failed ? 3 : 0;
out:
	/* A clean stop (systemd, a script's end) keeps the seconds left exactly, not as of the last minute. */
	if (a.lockout_kept && lockout_locked(&a.kiosk.lockout, clock_mono_ns(), NULL))
		lockout_keep(&a);
	loop_timer_cancel(a.loop, a.lockout_timer);
	loop_timer_cancel(a.loop, a.stick_timer);
	svc_watchdog_stop(a.watchdog);
	autosync_stop(a.sync);
	kiosk_finish(&a.kiosk);
	for (int i = 0; i < a.nevdev; i++)
		close(a.evdev[i]);
	if (sfd >= 0)
		close(sfd);
	if (a.inotify >= 0)
		close(a.inotify);
	audio_destroy(a.audio);
	loop_destroy(a.loop);
	ui_destroy(a.ui);
	text_destroy(a.text);
	store_close(a.store);
	device_close(&a.dev);
	catalog_destroy(a.vi);
	catalog_destroy(a.km);
	icons_destroy(a.icons);
	content_finish(&a.content);
	rules_destroy(a.rules);
	for (int i = 0; i < a.nlines; i++)
		free(a.lines[i]);
	free(a.lines);
	if (a.taps && fclose(a.taps) && !ex) {
		fprintf(stderr, "spean kiosk: --taps: %s\n", strerror(errno));
		ex = 1;
	}
	if (a.keys >= 0 && close(a.keys) && !ex) {
		fprintf(stderr, "spean kiosk: --keys: %s\n", strerror(errno));
		ex = 1;
	}
	SDL_Quit();
	return ex;
}

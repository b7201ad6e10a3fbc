/* tests/appliance/guest/touch.c: a touchscreen made with uinput inside the test VM (QEMU 7.2 has no
 * multitouch device), which taps where a replay's taps landed (spean kiosk --replay S --taps FILE).
 *
 *   touch W H DELAY_MS [PID] < TAPS     TAPS: lines 'X Y ID' in screen pixels of a W x H screen
 *
 * The device is a direct-touch multitouch screen (INPUT_PROP_DIRECT, one slot, BTN_TOUCH, ABS_X/Y and
 * ABS_MT_*) with an axis range of the screen's pixels, as a real panel's controller reports it; udev
 * tags it ID_INPUT_TOUCHSCREEN and SDL's evdev code takes it as a touch device (finger events). Each tap
 * is a finger down for 60 ms, then DELAY_MS before the next. With PID (the kiosk's), the first tap waits
 * (30 s at most, else it fails) until that process holds the device's node open twice: SDL's fd and the
 * kiosk's own, which wakes its loop (a kiosk that never opened it would see taps only when something else
 * woke it). Without PID it waits 1.5 s. Each tap also waits
 * until that process has been quiet for QUIET_MS (its threads' CPU time, /proc/PID/task/<tid>/schedstat,
 * grew by less than 2 ms): the screen the tap is meant for is drawn, however slow the machine (fixed gaps
 * alone landed taps on the screen before under load). At most 60 s per tap. Prints 'touch: ID' per tap
 * and how long it waited. Test tool only: it is never installed on a device. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/uinput.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static int fd = -1;

static void die(const char *what)
{
	fprintf(stderr, "touch: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void emit(unsigned short type, unsigned short code, int value)
{
	struct input_event ev;
	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.code = code;
	ev.value = value;
	if (write(fd, &ev, sizeof ev) != (ssize_t)sizeof ev)
		die("write");
}

static void sleep_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

/* The CPU time of all of PID's threads, in ns; -1 when the process is gone. */
static long long cpu_ns(int pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	long long sum = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char f[300];
		snprintf(f, sizeof f, "/proc/%d/task/%s/schedstat", pid, e->d_name);
		FILE *fp = fopen(f, "r");
		long long ns = 0;
		if (fp) {
			if (fscanf(fp, "%lld", &ns) != 1)
				ns = 0;
			fclose(fp);
		}
		sum += ns;
	}
	closedir(d);
	return sum;
}

/* How many of PID's fds are the node /dev/input/NAME. */
static int opens(int pid, const char *name)
{
	char path[64], want[80];
	snprintf(path, sizeof path, "/proc/%d/fd", pid);
	snprintf(want, sizeof want, "/dev/input/%s", name);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		char f[340], to[128];
		snprintf(f, sizeof f, "%s/%s", path, e->d_name);
		ssize_t len = readlink(f, to, sizeof to - 1);
		if (len > 0) {
			to[len] = 0;
			n += !strcmp(to, want);
		}
	}
	closedir(d);
	return n;
}

/* The event node (eventN) of the uinput device just made, from its sysfs directory. */
static int event_name(char *out, size_t cap)
{
	char sys[64], dir[160];
	if (ioctl(fd, UI_GET_SYSNAME(sizeof sys), sys) < 0)
		return -1;
	snprintf(dir, sizeof dir, "/sys/devices/virtual/input/%s", sys);
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	struct dirent *e;
	int found = -1;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "event", 5) && strlen(e->d_name) < cap) {
			snprintf(out, cap, "%s", e->d_name);
			found = 0;
			break;
		}
	closedir(d);
	return found;
}

enum { QUIET_MS = 400, QUIET_NS = 2000000, QUIET_MAX_MS = 60000, POLL_MS = 50 };

/* Wait until PID has used less than QUIET_NS over the last QUIET_MS; returns the ms waited. */
static long wait_quiet(int pid)
{
	long waited = 0, quiet = 0;
	long long last = cpu_ns(pid);
	while (last >= 0 && quiet < QUIET_MS && waited < QUIET_MAX_MS) {
		sleep_ms(POLL_MS);
		waited += POLL_MS;
		long long now = cpu_ns(pid);
		if (now < 0)
			break;
		if (now - last < QUIET_NS) {
			quiet += POLL_MS;
		} else {
			quiet = 0;
			last = now;
		}
	}
	return waited;
}

static void axis(unsigned short code, int max)
{
	struct uinput_abs_setup a;
	memset(&a, 0, sizeof a);
	a.code = code;
	a.absinfo.minimum = 0;
	a.absinfo.maximum = max;
	if (ioctl(fd, UI_SET_ABSBIT, code) || ioctl(fd, UI_ABS_SETUP, &a))
		die("UI_ABS_SETUP");
}

int main(int argc, char **argv)
{
	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: touch W H DELAY_MS [PID] < TAPS ('X Y ID' lines)\n");
		return 2;
	}
	int w = atoi(argv[1]), h = atoi(argv[2]), pid = argc == 5 ? atoi(argv[4]) : 0;
	long delay = atol(argv[3]);
	if (w < 1 || h < 1 || delay < 0 || pid < 0 || (argc == 5 && cpu_ns(pid) < 0)) {
		fprintf(stderr, "touch: bad W, H, DELAY_MS or PID (no such process)\n");
		return 2;
	}
	if ((fd = open("/dev/uinput", O_WRONLY | O_CLOEXEC)) < 0)
		die("/dev/uinput");
	if (ioctl(fd, UI_SET_EVBIT, EV_KEY) || ioctl(fd, UI_SET_KEYBIT, BTN_TOUCH) || ioctl(fd, UI_SET_EVBIT, EV_ABS) ||
	    ioctl(fd, UI_SET_PROPBIT, INPUT_PROP_DIRECT))
		die("UI_SET_*BIT");
	axis(ABS_X, w - 1);
	axis(ABS_Y, h - 1);
	axis(ABS_MT_SLOT, 0);
	axis(ABS_MT_TRACKING_ID, 65535);
	axis(ABS_MT_POSITION_X, w - 1);
	axis(ABS_MT_POSITION_Y, h - 1);
	struct uinput_setup us;
	memset(&us, 0, sizeof us);
	us.id.bustype = BUS_VIRTUAL;
	us.id.vendor = 0x1209;
	us.id.product = 0x7010;
	snprintf(us.name, sizeof us.name, "spean test touchscreen");
	if (ioctl(fd, UI_DEV_SETUP, &us) || ioctl(fd, UI_DEV_CREATE))
		die("UI_DEV_CREATE");
	/* udev tags it and the kiosk (inotify on /dev/input) and SDL (udev monitor) open it. */
	if (pid) {
		char ev[32];
		int tries = 0;
		for (int i = 0; i < 100 && event_name(ev, sizeof ev); i++)
			sleep_ms(50);
		if (event_name(ev, sizeof ev)) {
			fprintf(stderr, "touch: no event node for the uinput device\n");
			return 1;
		}
		while (opens(pid, ev) < 2) {
			if (++tries > 600) {
				fprintf(stderr, "touch: after 30 s the kiosk (pid %d) holds /dev/input/%s open %d time(s), want 2 (SDL's and its own)\n",
				        pid, ev, opens(pid, ev));
				return 1;
			}
			sleep_ms(50);
		}
		printf("touchscreen: /dev/input/%s open in the kiosk after %d ms\n", ev, tries * 50);
	} else {
		sleep_ms(1500);
	}
	char line[256];
	int n = 0, tracking = 1;
	while (fgets(line, sizeof line, stdin)) {
		int x, y;
		char id[128];
		if (sscanf(line, "%d %d %127s", &x, &y, id) != 3 || x < 0 || y < 0 || x >= w || y >= h) {
			fprintf(stderr, "touch: line %d: want 'X Y ID' inside %dx%d\n", n + 1, w, h);
			return 2;
		}
		long waited = pid ? wait_quiet(pid) : 0;
		emit(EV_ABS, ABS_MT_SLOT, 0);
		emit(EV_ABS, ABS_MT_TRACKING_ID, tracking++);
		emit(EV_ABS, ABS_MT_POSITION_X, x);
		emit(EV_ABS, ABS_MT_POSITION_Y, y);
		emit(EV_KEY, BTN_TOUCH, 1);
		emit(EV_ABS, ABS_X, x);
		emit(EV_ABS, ABS_Y, y);
		emit(EV_SYN, SYN_REPORT, 0);
		sleep_ms(60);
		emit(EV_ABS, ABS_MT_TRACKING_ID, -1);
		emit(EV_KEY, BTN_TOUCH, 0);
		emit(EV_SYN, SYN_REPORT, 0);
		printf("touch: %s (after %ld ms quiet wait)\n", id, waited);
		fflush(stdout);
		n++;
		sleep_ms(delay);
	}
	ioctl(fd, UI_DEV_DESTROY);
	close(fd);
	printf("touch: %d taps\n", n);
	return 0;
}

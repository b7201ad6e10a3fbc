/* tests/appliance/guest/touch.c: a touchscreen made with uinput inside the test VM (QEMU 7.2 has no
 * multitouch device), which taps where a replay's taps landed (spean kiosk --replay S --taps FILE).
 *
 *   touch W H DELAY_MS < TAPS     TAPS: lines 'X Y ID' in screen pixels of a W x H screen
 *
 * The device is a direct-touch multitouch screen (INPUT_PROP_DIRECT, one slot, BTN_TOUCH, ABS_X/Y and
 * ABS_MT_*) with an axis range of the screen's pixels, as a real panel's controller reports it; udev
 * tags it ID_INPUT_TOUCHSCREEN and SDL's evdev code takes it as a touch device (finger events). Each tap
 * is a finger down for 60 ms, then DELAY_MS before the next. Prints 'touch: ID' per tap. Test tool only:
 * it is never installed on a device. */
#define _DEFAULT_SOURCE
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
	if (argc != 4) {
		fprintf(stderr, "usage: touch W H DELAY_MS < TAPS ('X Y ID' lines)\n");
		return 2;
	}
	int w = atoi(argv[1]), h = atoi(argv[2]);
	long delay = atol(argv[3]);
	if (w < 1 || h < 1 || delay < 0) {
		fprintf(stderr, "touch: bad W, H or DELAY_MS\n");
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
	sleep_ms(1500);
	char line[256];
	int n = 0, tracking = 1;
	while (fgets(line, sizeof line, stdin)) {
		int x, y;
		char id[128];
		if (sscanf(line, "%d %d %127s", &x, &y, id) != 3 || x < 0 || y < 0 || x >= w || y >= h) {
			fprintf(stderr, "touch: line %d: want 'X Y ID' inside %dx%d\n", n + 1, w, h);
			return 2;
		}
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
		printf("touch: %s\n", id);
		fflush(stdout);
		n++;
		sleep_ms(delay);
	}
	ioctl(fd, UI_DEV_DESTROY);
	close(fd);
	printf("touch: %d taps\n", n);
	return 0;
}

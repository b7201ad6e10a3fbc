/*
 * spean-vcable, a test tool: a virtual USB cable between the kiosk's FunctionFS side and the office
 * PC's libusb side. It makes a stand-in FunctionFS directory (ep0 a raw pseudo-terminal, ep1 and ep2
 * FIFOs), takes the descriptors and strings the kiosk writes to ep0, plugs a device built from them
 * into a umockdev testbed (tests/lib/usbmock), sends the kiosk BIND and ENABLE, and runs a command
 * (the office side) against that device, bridging bulk OUT URBs into ep1 and ep2 into bulk IN
 * URBs. Faults on request: unplug/replug, a flipped bit, split, stalled, delayed and lost URBs.
 * When the kiosk closes ep0 (its program ended: on a real board the function leaves the bus),
 * the device is unplugged; a kiosk that opens ep0 again and writes the same descriptors plugs
 * it back in (a new address, hotplug), so one office process can serve kiosk after kiosk.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "usbmock.h"

#define WAIT_DESC_MS 30000
#define STAGE_MAX (64 * 1024) /* host -> kiosk bytes taken from URBs, not yet in the ep1 FIFO */
#define IFACE_STRING 4        /* usbmock answers 1..3 (manufacturer, product, serial) */
#define MS_VENDOR_CODE 0xcd   /* as board/usb-gadget.sh sets os_desc/b_vendor_code */

static const char usage[] =
    "usage: spean-vcable --ffs DIR [--serial S] [--vid HEX] [--pid HEX] [--fault SPEC]... -- CMD [ARGS...]\n"
    "A virtual USB cable for tests: the kiosk's FunctionFS side in DIR (ep0, ep1, ep2 stand-ins) and\n"
    "a mocked USB device (umockdev) for the office side, CMD, run with LD_PRELOAD and $UMOCKDEV_DIR.\n"
    "Exits with CMD's status (128+signal if it was killed).\n"
    "  --serial S   the device's serial number (default SPEAN-TEST-0001)\n"
    "  --vid, --pid vendor and product ids in hex (default 1209:0001)\n"
    "  --fault SPEC, repeatable:\n"
    "    unplug-after-in=N[,replug-ms=M]   pull the cable after N bytes kiosk->host; plug back after M ms\n"
    "    unplug-after-out=N[,replug-ms=M]  the same, counting host->kiosk bytes\n"
    "    corrupt-in=N, corrupt-out=N       flip a bit of byte N of that direction's stream (once)\n"
    "    split-in=K                        complete each IN URB with at most K bytes\n"
    "    stall-in=N                        stall the Nth IN URB; the endpoint stays halted until cleared\n"
    "    delay-in-ms=M                     hold each IN URB M ms\n"
    "    timeout-in=N                      never complete the Nth IN URB (its data waits for the next)\n";

struct fault {
	long long unplug_in, unplug_out; /* -1: off */
	long long replug_in_ms, replug_out_ms;
	long long corrupt_in, corrupt_out;
	long long split_in, stall_in, delay_in_ms, timeout_in;
};

/* Everything the bridge shares between usbmock's thread (callbacks) and the pump thread: under mu. */
static struct cable {
	pthread_mutex_t mu;
	struct fault f;
	char *dir, *ep1_path, *ep2_path, *ep0_path;
	int master, slave;      /* ep0: the pty; we hold the slave open until a kiosk has written its descriptors,
				   then let go, so the kiosk closing ep0 is a hangup on the master */
	uint8_t *desc, *strs;   /* what the first kiosk wrote: a returning kiosk must write the same */
	size_t desc_len, strs_len;
	int kiosk_gone;         /* the kiosk closed ep0: unplugged until one writes its descriptors again */
	unsigned long long kiosk_sessions;
	int ep1, ep2;           /* our FIFO ends, O_RDWR | O_NONBLOCK; -1 while unplugged */
	int wake;               /* eventfd: the pump thread has something to do */
	struct usbmock *mock;
	uint8_t ep_out, ep_in;
	char *iface_name;       /* string 1 of the kiosk's strings, served as IFACE_STRING */
	uint8_t *os_compat, *os_props; /* MS OS 1.0 descriptors as the host asks for them, or NULL */
	size_t os_compat_len, os_props_len;

	int plugged, unplug_asked, unplug_why; /* why: 'i' or 'o' */
	long long replug_at, kick_at;          /* CLOCK_MONOTONIC ms; 0: none */
	unsigned char *stage; /* grows to hold one URB of any size */
	size_t staged, stage_cap;
	int out_waiting, in_waiting; /* a URB waits for room in ep1 / for bytes in ep2 */
	int quit;

	/* IN URB state, by usbmock_urb_id. */
	unsigned long in_urb;
	long long in_urbs_seen, in_urb_since;
	unsigned long held_urb; /* timeout-in's URB */
	int halted, split_said, delay_said;

	unsigned long long in, out, urbs_in, urbs_out, unplugs;
} cable = {.mu = PTHREAD_MUTEX_INITIALIZER, .master = -1, .slave = -1, .ep1 = -1, .ep2 = -1, .wake = -1};

static volatile sig_atomic_t child_pid, got_signal;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("vcable: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void poke(void)
{
	eventfd_write(cable.wake, 1);
}

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (!p)
		abort();
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* ---- ep0 ---- */

static void event(int type)
{
	struct usb_functionfs_event ev;
	memset(&ev, 0, sizeof ev);
	ev.type = (uint8_t)type;
	if (write(cable.master, &ev, sizeof ev) != (ssize_t)sizeof ev)
		say("cannot write an event to ep0: %s", strerror(errno));
}

static unsigned le16(const uint8_t *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

/* Read exactly n bytes from the pty master before the deadline; 0, or -1 (said why). */
static int read_ep0(uint8_t *p, size_t n, long long deadline, const char *what)
{
	while (n) {
		long long left = deadline - now_ms();
		struct pollfd pf = {.fd = cable.master, .events = POLLIN};
		if (got_signal)
			return -1;
		if (left <= 0) {
			say("no %s on %s within %d s: is the kiosk running and writing them?", what, cable.ep0_path,
			    WAIT_DESC_MS / 1000);
			return -1;
		}
		int r = poll(&pf, 1, (int)left);
		if (r <= 0)
			continue;
		ssize_t k = read(cable.master, p, n);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0) {
			say("ep0 closed while reading the %s", what);
			return -1;
		}
		p += k, n -= (size_t)k;
	}
	return 0;
}

/* One blob: magic and length, then the rest (length capped); malloc'd, or NULL (said why). */
static uint8_t *read_blob(uint32_t magic, const char *what, size_t *len, long long deadline)
{
	uint8_t head[8];
	if (read_ep0(head, sizeof head, deadline, what))
		return NULL;
	if (le32(head) != magic) {
		say("the %s start with magic %" PRIu32 ", not %" PRIu32 " (linux/usb/functionfs.h)", what, le32(head), magic);
		return NULL;
	}
	uint32_t n = le32(head + 4);
	if (n < 16 || n > 65536) {
		say("the %s say they are %" PRIu32 " bytes long (16..65536)", what, n);
		return NULL;
	}
	uint8_t *b = malloc(n);
	if (!b)
		abort();
	memcpy(b, head, sizeof head);
	if (read_ep0(b + 8, n - 8, deadline, what)) {
		free(b);
		return NULL;
	}
	*len = n;
	return b;
}

/* Walk count descriptors at *at; -1 (said why) if one runs out of the blob. */
static int walk(const uint8_t *b, size_t len, size_t *at, uint32_t count, const char *speed)
{
	for (uint32_t i = 0; i < count; i++) {
		if (*at + 2 > len || b[*at] < 2 || *at + b[*at] > len) {
			say("descriptors: %s descriptor %" PRIu32 " of %" PRIu32 " runs past the end", speed, i + 1, count);
			return -1;
		}
		*at += b[*at];
	}
	return 0;
}

/* The interface and its two bulk endpoints at one speed: OUT then IN, packets of mps (or at most mps). */
static int check_speed(const uint8_t *p, size_t n, unsigned mps, int exact, const char *speed)
{
	int ifaces = 0, eps = 0;
	for (size_t at = 0; at < n; at += p[at]) {
		const uint8_t *d = p + at;
		if (d[1] == USB_DT_INTERFACE) {
			if (d[0] < USB_DT_INTERFACE_SIZE || ++ifaces > 1 || d[2] != 0 || d[3] != 0 || d[4] != 2) {
				say("descriptors: %s: want one interface (number 0, alternate 0, 2 endpoints)", speed);
				return -1;
			}
		} else if (d[1] == USB_DT_ENDPOINT) {
			unsigned m = le16(d + 4) & 0x7ff;
			int in = eps == 1;
			if (d[0] < USB_DT_ENDPOINT_SIZE || !ifaces || ++eps > 2 ||
			    (d[3] & USB_ENDPOINT_XFERTYPE_MASK) != USB_ENDPOINT_XFER_BULK || !!(d[2] & USB_DIR_IN) != in ||
			    (d[2] & 0x0f) == 0 || (exact ? m != mps : m > mps || !m)) {
				say("descriptors: %s: want a bulk OUT then a bulk IN endpoint of %s%u-byte packets", speed,
				    exact ? "" : "up to ", mps);
				return -1;
			}
			if (exact)
				*(in ? &cable.ep_in : &cable.ep_out) = d[2];
		}
	}
	if (ifaces != 1 || eps != 2) {
		say("descriptors: %s: want one interface with 2 endpoints, got %d and %d", speed, ifaces, eps);
		return -1;
	}
	return 0;
}

/* MS OS descriptors: each header (linux/usb/functionfs.h usb_os_desc_header) and what it counts. */
static int check_os(const uint8_t *b, size_t len, size_t *at, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *h = b + *at;
		if (*at + 11 > len || le32(h + 1) < 11 || *at + le32(h + 1) > len || le16(h + 5) != 1) {
			say("descriptors: MS OS descriptor %" PRIu32 ": header or dwLength wrong", i + 1);
			return -1;
		}
		size_t n = le32(h + 1), index = le16(h + 7);
		if (index == 4) { /* extended compat ID: bCount entries of 24 bytes */
			if (n != 11 + 24 * (size_t)h[9]) {
				say("descriptors: extended compat ID: dwLength %zu for %u entries", n, h[9]);
				return -1;
			}
			free(cable.os_compat);
			cable.os_compat_len = 16 + 24 * (size_t)h[9];
			cable.os_compat = calloc(1, cable.os_compat_len);
			if (!cable.os_compat)
				abort();
			put_le32(cable.os_compat, cable.os_compat_len);
			cable.os_compat[4] = 0x00, cable.os_compat[5] = 0x01, cable.os_compat[6] = 4, cable.os_compat[8] = h[9];
			memcpy(cable.os_compat + 16, h + 11, 24 * (size_t)h[9]);
		} else if (index == 5) { /* extended properties: wCount of them */
			size_t p = 11;
			for (unsigned k = 0; k < le16(h + 9); k++) {
				if (p + 14 > n || le32(h + p) < 14 || p + le32(h + p) > n ||
				    le32(h + p) != 14 + le16(h + p + 8) + le32(h + p + 10 + le16(h + p + 8))) {
					say("descriptors: extended property %u: sizes do not add up", k + 1);
					return -1;
				}
				p += le32(h + p);
			}
			if (p != n) {
				say("descriptors: extended properties: %zu bytes left over", n - p);
				return -1;
			}
			free(cable.os_props);
			cable.os_props_len = 10 + n - 11;
			cable.os_props = malloc(cable.os_props_len);
			if (!cable.os_props)
				abort();
			put_le32(cable.os_props, cable.os_props_len);
			cable.os_props[4] = 0x00, cable.os_props[5] = 0x01, cable.os_props[6] = 5, cable.os_props[7] = 0;
			cable.os_props[8] = h[9], cable.os_props[9] = h[10];
			memcpy(cable.os_props + 10, h + 11, n - 11);
		} else {
			say("descriptors: MS OS descriptor %" PRIu32 " has wIndex %zu (4 or 5)", i + 1, index);
			return -1;
		}
		*at += n;
	}
	return 0;
}

/*
 * FUNCTIONFS_DESCRIPTORS_MAGIC_V2: checked strictly; the high-speed part
 * becomes the device's configuration (config) with the interface's string
 * renumbered. Returns the highest string index used, or -1.
 */
static int parse_descriptors(const uint8_t *b, size_t len, uint8_t **config, size_t *config_len)
{
	const uint32_t known = FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC | FUNCTIONFS_HAS_SS_DESC |
			       FUNCTIONFS_HAS_MS_OS_DESC | FUNCTIONFS_VIRTUAL_ADDR | FUNCTIONFS_EVENTFD |
			       FUNCTIONFS_ALL_CTRL_RECIP | FUNCTIONFS_CONFIG0_SETUP;
	uint32_t flags = le32(b + 8);
	size_t at = 12;
	if (flags & ~known) {
		say("descriptors: unknown flags 0x%" PRIx32, flags & ~known);
		return -1;
	}
	if (!(flags & FUNCTIONFS_HAS_HS_DESC)) {
		say("descriptors: no high-speed descriptors (FUNCTIONFS_HAS_HS_DESC)");
		return -1;
	}
	if (flags & FUNCTIONFS_EVENTFD)
		at += 4;
	uint32_t counts[4] = {0};
	const uint32_t has[4] = {FUNCTIONFS_HAS_FS_DESC, FUNCTIONFS_HAS_HS_DESC, FUNCTIONFS_HAS_SS_DESC,
				 FUNCTIONFS_HAS_MS_OS_DESC};
	for (int i = 0; i < 4; i++)
		if (flags & has[i]) {
			if (at + 4 > len) {
				say("descriptors: the counts run past the end");
				return -1;
			}
			counts[i] = le32(b + at);
			at += 4;
		}
	const char *speed[3] = {"full speed", "high speed", "super speed"};
	size_t start[3], end[3];
	for (int i = 0; i < 3; i++) {
		start[i] = at;
		if (walk(b, len, &at, counts[i], speed[i]))
			return -1;
		end[i] = at;
	}
	if (check_os(b, len, &at, counts[3]))
		return -1;
	if (at != len) {
		say("descriptors: %zu bytes after the last descriptor (the length says %zu)", len - at, len);
		return -1;
	}
	if ((flags & FUNCTIONFS_HAS_FS_DESC) && check_speed(b + start[0], end[0] - start[0], 64, 0, speed[0]))
		return -1;
	if (check_speed(b + start[1], end[1] - start[1], 512, 1, speed[1]))
		return -1;
	int max_string = 0;
	size_t hs = end[1] - start[1];
	*config_len = 9 + hs;
	*config = malloc(*config_len);
	if (!*config)
		abort();
	uint8_t head[9] = {9, USB_DT_CONFIG, (uint8_t)*config_len, (uint8_t)(*config_len >> 8), 1, 1, 0, 0xc0, 1};
	memcpy(*config, head, sizeof head);
	memcpy(*config + 9, b + start[1], hs);
	for (size_t p = 9; p < *config_len; p += (*config)[p])
		if ((*config)[p + 1] == USB_DT_INTERFACE && (*config)[p + 8]) {
			if ((*config)[p + 8] > max_string)
				max_string = (*config)[p + 8];
			(*config)[p + 8] = IFACE_STRING;
		}
	return max_string;
}

/* FUNCTIONFS_STRINGS_MAGIC: checked strictly; keeps string 1 of the first language. */
static int parse_strings(const uint8_t *b, size_t len, int max_string)
{
	uint32_t nstr = le32(b + 8), nlang = le32(b + 12);
	size_t at = 16;
	if (nstr > 255 || nlang > 16 || (int)nstr < max_string) {
		say("strings: %" PRIu32 " strings in %" PRIu32 " languages, and the descriptors use string %d", nstr,
		    nlang, max_string);
		return -1;
	}
	for (uint32_t l = 0; l < nlang; l++) {
		if (at + 2 > len) {
			say("strings: language %" PRIu32 " runs past the end", l + 1);
			return -1;
		}
		at += 2;
		for (uint32_t s = 0; s < nstr; s++) {
			const uint8_t *z = memchr(b + at, 0, len - at);
			if (!z) {
				say("strings: string %" PRIu32 " of language %" PRIu32 " is not NUL-terminated", s + 1, l + 1);
				return -1;
			}
			if (l == 0 && s == 0 && !(cable.iface_name = strdup((const char *)b + at)))
				abort();
			at = (size_t)(z - b) + 1;
		}
	}
	if (at != len) {
		say("strings: %zu bytes after the last string (the length says %zu)", len - at, len);
		return -1;
	}
	return 0;
}

/* ---- the device's side (usbmock's thread) ---- */

static void ask_unplug(int why)
{
	if (!cable.unplug_asked) {
		cable.unplug_asked = 1, cable.unplug_why = why;
		poke();
	}
}

static int bulk_out(void *ctx, uint8_t ep, const uint8_t *data, size_t n)
{
	(void)ctx;
	if (ep != cable.ep_out)
		return -EPIPE;
	pthread_mutex_lock(&cable.mu);
	int rc = USBMOCK_PENDING;
	if (!cable.plugged || cable.unplug_asked) {
		/* held until the unplug fails it */
	} else if (n == 0) {
		rc = 0; /* a zero-length packet: nothing for the pipe */
		cable.urbs_out++;
	} else if (cable.staged && cable.staged + n > STAGE_MAX) {
		cable.out_waiting = 1; /* taken whole or not at all: a URB offered again is offered whole */
		poke();
	} else {
		size_t take = n;
		const struct fault *f = &cable.f;
		if (f->unplug_out >= 0 && (long long)(cable.out + n) > f->unplug_out)
			take = (size_t)(f->unplug_out - (long long)cable.out); /* the rest is in flight when the cable goes */
		if (cable.staged + take > cable.stage_cap) {
			cable.stage_cap = cable.staged + take > STAGE_MAX ? cable.staged + take : STAGE_MAX;
			if (!(cable.stage = realloc(cable.stage, cable.stage_cap)))
				abort();
		}
		memcpy(cable.stage + cable.staged, data, take);
		if (f->corrupt_out >= 0 && (unsigned long long)f->corrupt_out >= cable.out &&
		    (unsigned long long)f->corrupt_out < cable.out + take) {
			uint8_t *c = cable.stage + cable.staged + (f->corrupt_out - (long long)cable.out);
			say("corrupt-out: flipped a bit of byte %lld host->kiosk (0x%02x -> 0x%02x)", f->corrupt_out, *c,
			    *c ^ 1);
			*c ^= 1;
		}
		cable.staged += take;
		cable.out += take;
		if (take == n) {
			rc = (int)n;
			cable.urbs_out++;
		}
		if (f->unplug_out >= 0 && (long long)cable.out >= f->unplug_out)
			ask_unplug('o');
		poke();
	}
	pthread_mutex_unlock(&cable.mu);
	return rc;
}

static int bulk_in(void *ctx, uint8_t ep, uint8_t *buf, size_t n)
{
	(void)ctx;
	if (ep != cable.ep_in)
		return -EPIPE;
	pthread_mutex_lock(&cable.mu);
	const struct fault *f = &cable.f;
	int rc = USBMOCK_PENDING;
	unsigned long id = usbmock_urb_id(cable.mock);
	if (id != cable.in_urb) {
		cable.in_urb = id;
		cable.in_urbs_seen++;
		cable.in_urb_since = now_ms();
	}
	if (!cable.plugged || cable.unplug_asked || id == cable.held_urb)
		goto out;
	if (cable.halted) {
		rc = -EPIPE;
		goto out;
	}
	if (f->stall_in == cable.in_urbs_seen) {
		say("stall-in: IN URB %lld stalled; the endpoint stays halted until the host clears it", f->stall_in);
		cable.halted = 1;
		rc = -EPIPE;
		goto out;
	}
	if (f->timeout_in == cable.in_urbs_seen && !cable.held_urb) {
		say("timeout-in: IN URB %lld never completes (held until the host gives up on it)", f->timeout_in);
		cable.held_urb = id;
		goto out;
	}
	if (f->delay_in_ms > 0 && now_ms() < cable.in_urb_since + f->delay_in_ms) {
		if (!cable.delay_said++)
			say("delay-in-ms: each IN URB is held %lld ms", f->delay_in_ms);
		long long at = cable.in_urb_since + f->delay_in_ms;
		if (!cable.kick_at || at < cable.kick_at)
			cable.kick_at = at;
		poke();
		goto out;
	}
	size_t want = n;
	if (f->split_in > 0 && want > (size_t)f->split_in) {
		if (!cable.split_said++)
			say("split-in: IN URBs complete with at most %lld bytes", f->split_in);
		want = (size_t)f->split_in;
	}
	if (f->unplug_in >= 0 && (long long)(cable.in + want) > f->unplug_in)
		want = (size_t)(f->unplug_in - (long long)cable.in);
	ssize_t got = want ? read(cable.ep2, buf, want) : 0;
	if (got <= 0) {
		cable.in_waiting = 1; /* nothing from the kiosk yet: the pump kicks when ep2 is readable */
		poke();
		goto out;
	}
	if (f->corrupt_in >= 0 && (unsigned long long)f->corrupt_in >= cable.in &&
	    (unsigned long long)f->corrupt_in < cable.in + (size_t)got) {
		uint8_t *c = buf + (f->corrupt_in - (long long)cable.in);
		say("corrupt-in: flipped a bit of byte %lld kiosk->host (0x%02x -> 0x%02x)", f->corrupt_in, *c, *c ^ 1);
		*c ^= 1;
	}
	cable.in += (size_t)got;
	cable.urbs_in++;
	rc = (int)got;
	if (f->unplug_in >= 0 && (long long)cable.in >= f->unplug_in)
		ask_unplug('i');
out:
	pthread_mutex_unlock(&cable.mu);
	return rc;
}

static void clear_halt(void *ctx, uint8_t ep)
{
	(void)ctx;
	pthread_mutex_lock(&cable.mu);
	if (ep == cable.ep_in && cable.halted) {
		cable.halted = 0;
		say("stall-in: the host cleared the halt on 0x%02x", ep);
	}
	pthread_mutex_unlock(&cable.mu);
}

/* The interface's name, and the MS OS 1.0 descriptors the gadget's composite layer would serve. */
static int control(void *ctx, const struct usb_ctrlrequest *s, uint8_t *data, size_t n)
{
	(void)ctx;
	const uint8_t *src = NULL;
	size_t len = 0;
	uint8_t str[256];
	if (s->bRequestType == USB_DIR_IN && s->bRequest == USB_REQ_GET_DESCRIPTOR && s->wValue >> 8 == USB_DT_STRING) {
		const char *text = (s->wValue & 0xff) == IFACE_STRING ? cable.iface_name
				   : (s->wValue & 0xff) == 0xee && cable.os_compat ? "MSFT100"
										   : NULL;
		if (!text)
			return -EPIPE;
		size_t k = 2;
		for (const char *p = text; *p && k + 2 <= 254; p++)
			str[k++] = (uint8_t)*p, str[k++] = 0;
		if ((s->wValue & 0xff) == 0xee)
			str[k++] = MS_VENDOR_CODE, str[k++] = 0;
		str[0] = (uint8_t)k, str[1] = USB_DT_STRING;
		src = str, len = k;
	} else if ((s->bRequestType == 0xc0 || s->bRequestType == 0xc1) && s->bRequest == MS_VENDOR_CODE) {
		if (s->wIndex == 4 && cable.os_compat)
			src = cable.os_compat, len = cable.os_compat_len;
		else if (s->wIndex == 5 && cable.os_props)
			src = cable.os_props, len = cable.os_props_len;
	}
	if (!src)
		return -EPIPE;
	len = len < n ? len : n;
	memcpy(data, src, len);
	return (int)len;
}

/* ---- the pump thread: FIFOs, timers, unplug and replug ---- */

static int open_fifos(void)
{
	unlink(cable.ep1_path);
	unlink(cable.ep2_path);
	if (mkfifo(cable.ep1_path, 0660) || mkfifo(cable.ep2_path, 0660)) {
		say("cannot make the FIFOs in %s: %s", cable.dir, strerror(errno));
		return -1;
	}
	/* O_RDWR: the kiosk's open() of either end never blocks while we hold them */
	int a = open(cable.ep1_path, O_RDWR | O_NONBLOCK | O_CLOEXEC), b = open(cable.ep2_path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (a < 0 || b < 0) {
		say("cannot open the FIFOs in %s: %s", cable.dir, strerror(errno));
		if (a >= 0)
			close(a);
		if (b >= 0)
			close(b);
		return -1;
	}
	pthread_mutex_lock(&cable.mu);
	cable.ep1 = a, cable.ep2 = b;
	pthread_mutex_unlock(&cable.mu);
	return 0;
}

static void unplug(void)
{
	usbmock_unplug(cable.mock); /* waiting URBs fail with -ENODEV, udev "remove" */
	pthread_mutex_lock(&cable.mu);
	const struct fault *f = &cable.f;
	int in = cable.unplug_why == 'i';
	long long ms = in ? f->replug_in_ms : f->replug_out_ms;
	say("unplugged after %llu bytes %s (unplug-after-%s=%lld)", in ? cable.in : cable.out, in ? "in" : "out",
	    in ? "in" : "out", in ? f->unplug_in : f->unplug_out);
	/* What was in flight is lost; the kiosk's reads see EOF and its writes EPIPE. */
	char sink[4096];
	while (read(cable.ep1, sink, sizeof sink) > 0) {
	}
	close(cable.ep1);
	close(cable.ep2);
	cable.ep1 = cable.ep2 = -1;
	cable.staged = 0;
	cable.plugged = 0, cable.unplug_asked = 0;
	cable.out_waiting = cable.in_waiting = 0;
	cable.halted = 0, cable.held_urb = 0, cable.kick_at = 0;
	if (in)
		cable.f.unplug_in = -1;
	else
		cable.f.unplug_out = -1;
	cable.unplugs++;
	cable.replug_at = ms >= 0 ? now_ms() + ms : 0;
	pthread_mutex_unlock(&cable.mu);
	event(FUNCTIONFS_DISABLE);
}

static void replug(long long ms)
{
	if (open_fifos())
		return;
	pthread_mutex_lock(&cable.mu);
	cable.plugged = 1;
	pthread_mutex_unlock(&cable.mu);
	usbmock_plug(cable.mock);
	event(FUNCTIONFS_ENABLE);
	say("plugged back in after %lld ms", ms);
}

/* The kiosk closed ep0: take the device off the bus; hold the slave ourselves (no busy hangup) and wait. */
static void kiosk_left(void)
{
	usbmock_unplug(cable.mock);
	pthread_mutex_lock(&cable.mu);
	if (cable.ep1 >= 0)
		close(cable.ep1);
	if (cable.ep2 >= 0)
		close(cable.ep2);
	cable.ep1 = cable.ep2 = -1;
	cable.staged = 0;
	cable.plugged = 0, cable.unplug_asked = 0;
	cable.out_waiting = cable.in_waiting = 0;
	cable.halted = 0, cable.held_urb = 0, cable.kick_at = 0, cable.replug_at = 0;
	cable.kiosk_gone = 1;
	cable.unplugs++;
	pthread_mutex_unlock(&cable.mu);
	cable.slave = open(ptsname(cable.master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (cable.slave >= 0)
		tcflush(cable.slave, TCIOFLUSH); /* nothing stale for the next kiosk */
	say("the kiosk closed ep0: unplugged");
}

/* A kiosk wrote to ep0 again: the same descriptors and strings plug the device back in. */
static void kiosk_back(void)
{
	long long deadline = now_ms() + WAIT_DESC_MS;
	size_t dl = 0, sl = 0;
	uint8_t *d = read_blob(FUNCTIONFS_DESCRIPTORS_MAGIC_V2, "descriptors", &dl, deadline);
	uint8_t *st = d ? read_blob(FUNCTIONFS_STRINGS_MAGIC, "strings", &sl, deadline) : NULL;
	int same = st && dl == cable.desc_len && sl == cable.strs_len && !memcmp(d, cable.desc, dl) &&
		   !memcmp(st, cable.strs, sl);
	free(d), free(st);
	if (!same) {
		say("a kiosk opened ep0 again but did not write the same descriptors and strings: left unplugged");
		return;
	}
	if (open_fifos())
		return;
	pthread_mutex_lock(&cable.mu);
	cable.plugged = 1, cable.kiosk_gone = 0;
	cable.kiosk_sessions++;
	pthread_mutex_unlock(&cable.mu);
	usbmock_plug(cable.mock);
	event(FUNCTIONFS_BIND);
	event(FUNCTIONFS_ENABLE);
	close(cable.slave);
	cable.slave = -1;
	say("a kiosk opened ep0 again: plugged in");
}

static void *pump(void *arg)
{
	(void)arg;
	long long unplugged_at = 0;
	for (;;) {
		struct pollfd pf[4] = {{.fd = cable.wake, .events = POLLIN}, {.fd = cable.master, .events = POLLIN}};
		int n = 2, i1 = -1, i2 = -1;
		pthread_mutex_lock(&cable.mu);
		if (cable.quit) {
			pthread_mutex_unlock(&cable.mu);
			break;
		}
		int do_unplug = cable.unplug_asked && cable.plugged;
		if (cable.plugged && cable.staged)
			pf[i1 = n++] = (struct pollfd){.fd = cable.ep1, .events = POLLOUT};
		if (cable.plugged && cable.in_waiting)
			pf[i2 = n++] = (struct pollfd){.fd = cable.ep2, .events = POLLIN};
		long long now = now_ms(), next = 0;
		if (cable.kick_at && (!next || cable.kick_at < next))
			next = cable.kick_at;
		if (cable.replug_at && (!next || cable.replug_at < next))
			next = cable.replug_at;
		pthread_mutex_unlock(&cable.mu);
		if (do_unplug) {
			unplug();
			unplugged_at = now_ms();
			continue;
		}
		int timeout = next ? (int)(next > now ? next - now : 0) : -1;
		if (poll(pf, (nfds_t)n, timeout) < 0 && errno != EINTR)
			break;
		int kick = 0;
		if (pf[0].revents) {
			eventfd_t v;
			eventfd_read(cable.wake, &v);
		}
		if (cable.kiosk_gone && (pf[1].revents & POLLIN)) {
			kiosk_back();
		} else if (!cable.kiosk_gone && (pf[1].revents & (POLLHUP | POLLERR))) {
			kiosk_left();
		} else if (pf[1].revents & POLLIN) { /* the kiosk has nothing more to say on ep0; a real one could not either */
			char junk[256];
			ssize_t k = read(cable.master, junk, sizeof junk);
			if (k > 0)
				say("ignored %zd bytes the kiosk wrote to ep0", k);
			else if (k < 0 && errno == EIO)
				kiosk_left();
		}
		pthread_mutex_lock(&cable.mu);
		if (i1 >= 0 && (pf[i1].revents & (POLLOUT | POLLERR)) && cable.ep1 >= 0) {
			ssize_t w = write(cable.ep1, cable.stage, cable.staged);
			if (w > 0) {
				memmove(cable.stage, cable.stage + w, cable.staged - (size_t)w);
				cable.staged -= (size_t)w;
				if (cable.out_waiting)
					cable.out_waiting = 0, kick = 1;
			}
		}
		if (i2 >= 0 && (pf[i2].revents & POLLIN) && cable.in_waiting)
			cable.in_waiting = 0, kick = 1;
		now = now_ms();
		if (cable.kick_at && now >= cable.kick_at)
			cable.kick_at = 0, kick = 1;
		int do_replug = cable.replug_at && now >= cable.replug_at;
		if (do_replug)
			cable.replug_at = 0;
		pthread_mutex_unlock(&cable.mu);
		if (do_replug)
			replug(now - unplugged_at);
		if (kick)
			usbmock_kick(cable.mock);
	}
	return NULL;
}

/* ---- options, the command ---- */

static int bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("spean-vcable: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs("\n(spean-vcable --help for the usage)\n", stderr);
	va_end(ap);
	return 2;
}

static int number(const char *s, long long *v)
{
	char *e;
	errno = 0;
	long long x = strtoll(s, &e, 10);
	if (errno || e == s || *e || x < 0)
		return -1;
	*v = x;
	return 0;
}

static int parse_fault(const char *spec, struct fault *f)
{
	static const struct {
		const char *name;
		size_t off;
		int min;
	} kinds[] = {
	    {"unplug-after-in", offsetof(struct fault, unplug_in), 1},  {"unplug-after-out", offsetof(struct fault, unplug_out), 1},
	    {"corrupt-in", offsetof(struct fault, corrupt_in), 0},      {"corrupt-out", offsetof(struct fault, corrupt_out), 0},
	    {"split-in", offsetof(struct fault, split_in), 1},          {"stall-in", offsetof(struct fault, stall_in), 1},
	    {"delay-in-ms", offsetof(struct fault, delay_in_ms), 1},    {"timeout-in", offsetof(struct fault, timeout_in), 1},
	};
	const char *eq = strchr(spec, '=');
	for (size_t i = 0; eq && i < sizeof kinds / sizeof kinds[0]; i++) {
		if (strlen(kinds[i].name) != (size_t)(eq - spec) || strncmp(spec, kinds[i].name, (size_t)(eq - spec)))
			continue;
		long long *slot = (long long *)((char *)f + kinds[i].off), v, ms = -1;
		char *val = strdup(eq + 1), *comma;
		if (!val)
			abort();
		int unplug = !strncmp(spec, "unplug", 6), ok = 1;
		if (unplug && (comma = strchr(val, ','))) {
			*comma = 0;
			ok = !strncmp(comma + 1, "replug-ms=", 10) && !number(comma + 11, &ms);
		}
		ok = ok && !number(val, &v) && v >= kinds[i].min;
		free(val);
		if (!ok)
			return bad_usage("--fault %s: want %s=N%s (N >= %d)", spec, kinds[i].name, unplug ? "[,replug-ms=M]" : "",
					 kinds[i].min);
		if (*slot >= 0)
			return bad_usage("--fault %s: %s given twice", spec, kinds[i].name);
		*slot = v;
		if (unplug)
			*(!strcmp(kinds[i].name, "unplug-after-in") ? &f->replug_in_ms : &f->replug_out_ms) = ms;
		return 0;
	}
	return bad_usage("--fault %s: not a fault (unplug-after-in, unplug-after-out, corrupt-in, corrupt-out, split-in, "
			 "stall-in, delay-in-ms, timeout-in)",
			 spec);
}

static int hex16(const char *s, uint16_t *v)
{
	char *e;
	errno = 0;
	unsigned long x = strtoul(s, &e, 16);
	if (errno || e == s || *e || x == 0 || x > 0xffff)
		return -1;
	*v = (uint16_t)x;
	return 0;
}

static void forward(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, sig);
	else
		got_signal = sig;
}

/* Prepend to a ':'-separated variable (LD_PRELOAD), or append (ASAN_OPTIONS). */
static void env_add(const char *name, const char *v, int prepend)
{
	const char *old = getenv(name);
	if (!old || !*old) {
		setenv(name, v, 1);
		return;
	}
	size_t n = strlen(old) + strlen(v) + 2;
	char *s = malloc(n);
	if (!s)
		abort();
	snprintf(s, n, "%s:%s", prepend ? v : old, prepend ? old : v);
	setenv(name, s, 1);
	free(s);
}

/* The preload library in LD_PRELOAD and ASan told to let it go first, for the command. */
static void env_preload(void)
{
	const char *p = getenv("LD_PRELOAD");
	if (!p || !strstr(p, "libumockdev-preload"))
		env_add("LD_PRELOAD", "libumockdev-preload.so.0", 1);
	const char *a = getenv("ASAN_OPTIONS");
	if (!a || !strstr(a, "verify_asan_link_order=0"))
		env_add("ASAN_OPTIONS", "verify_asan_link_order=0", 0);
}

static pid_t spawn(char **argv)
{
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "spean-vcable: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		say("fork: %s", strerror(errno));
	return pid;
}

static int make_ffs(void)
{
	if (mkdir(cable.dir, 0755) && errno != EEXIST) {
		say("cannot make %s: %s", cable.dir, strerror(errno));
		return -1;
	}
	unlink(cable.ep0_path);
	if (open_fifos())
		return -1;
	cable.master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	const char *pts = cable.master >= 0 && !grantpt(cable.master) && !unlockpt(cable.master) ? ptsname(cable.master) : NULL;
	if (pts)
		cable.slave = open(pts, O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct termios t;
	/* Raw before the kiosk can open it: descriptors are binary, events too. */
	if (cable.slave < 0 || tcgetattr(cable.slave, &t)) {
		say("cannot make a pseudo-terminal for ep0: %s", strerror(errno));
		return -1;
	}
	cfmakeraw(&t);
	if (tcsetattr(cable.slave, TCSANOW, &t) || symlink(pts, cable.ep0_path)) {
		say("cannot make %s: %s", cable.ep0_path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (getenv("UMOCKDEV_DIR")) {
		fprintf(stderr, "spean-vcable: $UMOCKDEV_DIR is set: already inside a umockdev testbed\n");
		return 1;
	}
	struct fault *f = &cable.f;
	memset(f, 0xff, sizeof *f); /* every field -1: off */
	const char *serial = "SPEAN-TEST-0001";
	uint16_t vid = 0x1209, pid = 0x0001;
	int i = 1;
	for (; i < argc && strcmp(argv[i], "--"); i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			return 0;
		}
		if (strcmp(a, "--ffs") && strcmp(a, "--serial") && strcmp(a, "--vid") && strcmp(a, "--pid") &&
		    strcmp(a, "--fault"))
			return bad_usage("unknown option %s", a);
		if (!v || !strcmp(v, "--"))
			return bad_usage("%s wants a value", a);
		i++;
		if (!strcmp(a, "--ffs"))
			cable.dir = (char *)v;
		else if (!strcmp(a, "--serial")) {
			serial = v;
			for (const char *p = v; *p; p++)
				if (*p < 0x21 || *p > 0x7e)
					return bad_usage("--serial wants printable ASCII without spaces");
			if (!*v || strlen(v) > 126)
				return bad_usage("--serial wants 1..126 characters");
		} else if (!strcmp(a, "--vid") ? hex16(v, &vid) : !strcmp(a, "--pid") ? hex16(v, &pid) : 0)
			return bad_usage("%s wants a hex id 1..ffff, not '%s'", a, v);
		else if (!strcmp(a, "--fault") && parse_fault(v, f))
			return 2;
	}
	if (!cable.dir)
		return bad_usage("--ffs DIR is required");
	if (i >= argc - 1)
		return bad_usage("no command after --");
	char **cmd = argv + i + 1;

	struct sigaction sa = {.sa_handler = forward};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	cable.ep0_path = join(cable.dir, "ep0");
	cable.ep1_path = join(cable.dir, "ep1");
	cable.ep2_path = join(cable.dir, "ep2");
	int status = 1;
	uint8_t *desc = NULL, *strs = NULL, *config = NULL;
	size_t desc_len = 0, strs_len = 0, config_len = 0;
	pthread_t th;
	int th_started = 0;
	if (make_ffs())
		goto done;
	long long deadline = now_ms() + WAIT_DESC_MS;
	desc = read_blob(FUNCTIONFS_DESCRIPTORS_MAGIC_V2, "descriptors", &desc_len, deadline);
	int max_string = desc ? parse_descriptors(desc, desc_len, &config, &config_len) : -1;
	if (max_string < 0)
		goto done;
	strs = read_blob(FUNCTIONFS_STRINGS_MAGIC, "strings", &strs_len, deadline);
	if (!strs || parse_strings(strs, strs_len, max_string))
		goto done;

	const struct usbmock_desc d = {
	    .vid = vid, .pid = pid, .bcd_device = 0x0100,
	    .manufacturer = "Spean", .product = "Spean kiosk", .serial = serial,
	    .config = config, .config_len = config_len, .speed_mbps = 480,
	};
	const struct usbmock_ops ops = {.bulk_out = bulk_out, .bulk_in = bulk_in, .control = control, .clear_halt = clear_halt};
	if ((cable.wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		say("eventfd: %s", strerror(errno));
		goto done;
	}
	event(FUNCTIONFS_BIND);
	cable.plugged = 1;
	if (usbmock_start(&cable.mock, &d, &ops, NULL))
		goto done;
	event(FUNCTIONFS_ENABLE);
	cable.desc = desc, cable.desc_len = desc_len, cable.strs = strs, cable.strs_len = strs_len;
	close(cable.slave); /* from now on the kiosk closing ep0 is a hangup we see */
	cable.slave = -1;
	if (pthread_create(&th, NULL, pump, NULL)) {
		say("cannot start the pump thread");
		goto done;
	}
	th_started = 1;
	if (got_signal) {
		status = 128 + got_signal;
		goto done;
	}
	env_preload();
	pid_t child = spawn(cmd);
	if (child < 0)
		goto done;
	child_pid = child;
	int ws;
	while (waitpid(child, &ws, 0) < 0 && errno == EINTR) {
	}
	status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
done:
	if (got_signal && !child_pid)
		status = 128 + got_signal; /* before the command ran */
	if (th_started) {
		pthread_mutex_lock(&cable.mu);
		cable.quit = 1;
		pthread_mutex_unlock(&cable.mu);
		poke();
		pthread_join(th, NULL);
	}
	if (cable.mock) {
		pthread_mutex_lock(&cable.mu);
		say("in=%llu out=%llu urbs_in=%llu urbs_out=%llu unplugs=%llu", cable.in, cable.out, cable.urbs_in,
		    cable.urbs_out, cable.unplugs);
		pthread_mutex_unlock(&cable.mu);
		usbmock_stop(cable.mock);
		/* The function goes away, as when the gadget is torn down. */
		event(FUNCTIONFS_DISABLE);
		event(FUNCTIONFS_UNBIND);
	}
	unlink(cable.ep0_path);
	unlink(cable.ep1_path);
	unlink(cable.ep2_path);
	if (cable.ep1 >= 0)
		close(cable.ep1);
	if (cable.ep2 >= 0)
		close(cable.ep2);
	if (cable.master >= 0)
		close(cable.master);
	if (cable.slave >= 0)
		close(cable.slave);
	if (cable.wake >= 0)
		close(cable.wake);
	free(desc), free(strs), free(config);
	free(cable.ep0_path), free(cable.ep1_path), free(cable.ep2_path);
	free(cable.iface_name), free(cable.os_compat), free(cable.os_props), free(cable.stage);
	return status;
}

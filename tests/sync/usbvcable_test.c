/*
 * spean-vcable end to end: a fake kiosk (a child process speaking FunctionFS's ep0 protocol with
 * sync/usbdesc's descriptors and strings, echoing ep1 into ep2 while enabled) and spean-usbecho (the
 * real libusb under umockdev) as the office side. Plain, then each fault: split, stall, corrupted
 * bytes each way, a lost URB, delayed URBs, the cable pulled and plugged back in each way; and the
 * tool's own errors: usage, bad descriptors, the command's exit status and signals.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/usb/functionfs.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "testlib.h"
#include "usbdesc.h"

enum kiosk_mode { GOOD, BAD_MAGIC, BAD_COUNT };

static const char *vcable, *usbecho;
static char *tmp;

/* ---- the fake kiosk (a child process) ---- */

struct echo {
	int in, out; /* ep1 (host -> kiosk), ep2 (kiosk -> host) */
};

/* Everything read from ep1 goes back on ep2 until either pipe ends (the cable went). */
static void *echo_main(void *arg)
{
	struct echo *e = arg;
	unsigned char b[16384];
	for (;;) {
		ssize_t n = read(e->in, b, sizeof b);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t at = 0; at < n;) {
			ssize_t w = write(e->out, b + at, (size_t)(n - at));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				goto out;
			at += w;
		}
	}
out:
	close(e->in);
	close(e->out);
	return NULL;
}

static int write_all(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return -1;
		p = (const char *)p + w, n -= (size_t)w;
	}
	return 0;
}

/* The kiosk's side of a run; it tells what it saw in DIR.kiosk. */
static int kiosk(const char *dir, enum kiosk_mode mode)
{
	signal(SIGPIPE, SIG_IGN);
	char ep0[520], ep1[520], ep2[520];
	snprintf(ep0, sizeof ep0, "%s/ep0", dir);
	snprintf(ep1, sizeof ep1, "%s/ep1", dir);
	snprintf(ep2, sizeof ep2, "%s/ep2", dir);
	struct stat st;
	for (int i = 0; i < 2000 && lstat(ep0, &st); i++) {
		struct timespec t = {0, 5000000};
		nanosleep(&t, NULL);
	}
	int fd0 = open(ep0, O_RDWR);
	if (fd0 < 0)
		return 10;
	struct buf b;
	buf_init(&b);
	usbdesc_functionfs(&b);
	if (mode == BAD_MAGIC)
		b.data[0] = FUNCTIONFS_DESCRIPTORS_MAGIC;
	if (mode == BAD_COUNT)
		b.data[16] = 4; /* hs_count: one more than there are */
	int rc = write_all(fd0, b.data, b.len);
	usbdesc_strings(&b);
	rc = rc || write_all(fd0, b.data, b.len);
	buf_finish(&b);
	if (rc) /* the descriptors were refused: a real FunctionFS fails the write as well */
		return mode == GOOD ? 11 : 0;
	struct usb_functionfs_event ev[4];
	size_t have = 0;
	pthread_t th;
	struct echo e;
	int running = 0, enables = 0, binds = 0;
	for (;;) {
		ssize_t n = read(fd0, (char *)ev + have, sizeof ev - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* vcable went */
		have += (size_t)n;
		size_t k = have / sizeof ev[0];
		int unbound = 0;
		for (size_t i = 0; i < k; i++) {
			if (ev[i].type == FUNCTIONFS_BIND)
				binds++;
			if (ev[i].type == FUNCTIONFS_UNBIND)
				unbound = 1;
			if (ev[i].type != FUNCTIONFS_ENABLE)
				continue;
			enables++;
			if (running)
				pthread_join(th, NULL); /* the last cable's echo ended with its pipes */
			e.in = open(ep1, O_RDONLY);
			e.out = open(ep2, O_WRONLY);
			running = e.in >= 0 && e.out >= 0 && !pthread_create(&th, NULL, echo_main, &e);
			if (!running)
				return 12;
		}
		have -= k * sizeof ev[0];
		memmove(ev, (char *)ev + k * sizeof ev[0], have);
		if (unbound)
			break;
	}
	if (running)
		pthread_join(th, NULL);
	close(fd0);
	char path[600], said[64];
	snprintf(path, sizeof path, "%s.kiosk", dir);
	snprintf(said, sizeof said, "kiosk: binds=%d enables=%d\n", binds, enables);
	t_write(path, said);
	return mode == GOOD && (binds != 1 || !enables) ? 13 : 0;
}

/* ---- the test ---- */

struct run {
	int rc;
	char *out, *err, *kiosk;
};

/*
 * spean-vcable --ffs DIR ARGS... with a fake kiosk on DIR; argv ends with NULL. The kiosk must end
 * by itself when the cable goes (exit 0).
 */
static struct run cable(enum kiosk_mode mode, const char *const *args)
{
	static int n;
	char dir[512];
	snprintf(dir, sizeof dir, "%s/ffs%d", tmp, ++n);
	mkdir(dir, 0755);
	pid_t k = fork();
	if (k == 0)
		_exit(kiosk(dir, mode));
	char *argv[64] = {(char *)vcable, "--ffs", dir};
	int a = 3;
	for (; *args && a < 63; args++)
		argv[a++] = (char *)*args;
	argv[a] = NULL;
	struct run r;
	r.rc = t_run(argv, &r.out, &r.err);
	int ks = 0;
	char said[600];
	snprintf(said, sizeof said, "%s.kiosk", dir);
	for (int i = 0; i < 500 && waitpid(k, &ks, WNOHANG) == 0; i++) {
		struct timespec t = {0, 10000000};
		nanosleep(&t, NULL);
	}
	if (waitpid(k, &ks, WNOHANG) == 0) {
		kill(k, SIGKILL);
		waitpid(k, &ks, 0);
		t_fail(__FILE__, __LINE__, "the kiosk did not leave after the cable went");
	} else if (!WIFEXITED(ks) || WEXITSTATUS(ks)) {
		t_fail(__FILE__, __LINE__, "the kiosk exited %d: %s", WIFEXITED(ks) ? WEXITSTATUS(ks) : 128 + WTERMSIG(ks),
		       r.err);
	}
	t_checks++;
	r.kiosk = t_read(said, NULL);
	if (!r.kiosk && (r.kiosk = strdup("")) == NULL)
		abort();
	return r;
}

static void done(struct run *r)
{
	free(r->out);
	free(r->err);
	free(r->kiosk);
	r->kiosk = NULL;
}

#define HAS(r, s)                                                                                          \
	do {                                                                                               \
		t_checks++;                                                                                \
		if (!strstr((r).err, s) && !strstr((r).out, s) && !((r).kiosk && strstr((r).kiosk, s)))    \
			t_fail(__FILE__, __LINE__, "no '%s' in:\n%s%s", s, (r).out, (r).err);              \
	} while (0)
#define RC(r, want)                                                                                        \
	do {                                                                                               \
		t_checks++;                                                                                \
		if ((r).rc != (want))                                                                      \
			t_fail(__FILE__, __LINE__, "exit %d, want %d:\n%s%s", (r).rc, want, (r).out, (r).err); \
	} while (0)

/* An echo run over the cable with faults; usbecho's extra arguments after the NULL-separated faults. */
static struct run echo(const char *const *faults, const char *const *echo_args)
{
	const char *args[48];
	int a = 0;
	for (; *faults; faults++)
		args[a++] = "--fault", args[a++] = *faults;
	args[a++] = "--";
	args[a++] = usbecho;
	for (; *echo_args; echo_args++)
		args[a++] = *echo_args;
	args[a] = NULL;
	return cable(GOOD, args);
}

#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NONE ((const char *const[]){NULL})

int main(void)
{
	vcable = t_env("VCABLE");
	usbecho = t_env("USBECHO");
	tmp = t_tmpdir("vcable");
	char *argv[8];
	struct run r = {0};
	char ran[600];
	snprintf(ran, sizeof ran, "%s/ran", tmp);

	/* Usage. */
	argv[0] = (char *)vcable, argv[1] = "--help", argv[2] = NULL;
	r.rc = t_run(argv, &r.out, &r.err);
	RC(r, 0);
	HAS(r, "usage: spean-vcable --ffs DIR");
	HAS(r, "unplug-after-in=N[,replug-ms=M]");
	done(&r);
	const char *const bad[][6] = {
	    {"--", "true", NULL},
	    {"--ffs", tmp, NULL},
	    {"--ffs", tmp, "--fault", "bogus=1", "--", "true"},
	    {"--ffs", tmp, "--fault", "split-in=x", "--", "true"},
	    {"--ffs", tmp, "--fault", "unplug-after-in=5,replug=3", "--", "true"},
	    {"--ffs", tmp, "--vid", "12345", "--", "true"},
	    {"--ffs", tmp, "--frob", "--", "true"},
	};
	const char *said[] = {"--ffs DIR is required", "no command after --", "not a fault", "want split-in=N",
			      "want unplug-after-in=N[,replug-ms=M]", "hex id", "unknown option --frob"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		argv[0] = (char *)vcable;
		int a = 1;
		for (; a < 7 && bad[i][a - 1]; a++)
			argv[a] = (char *)bad[i][a - 1];
		argv[a] = NULL;
		r.rc = t_run(argv, &r.out, &r.err);
		RC(r, 2);
		HAS(r, said[i]);
		done(&r);
	}

	/* Descriptors a real FunctionFS would refuse are refused, clearly, and nothing runs. */
	r = cable(BAD_MAGIC, LIST("--", "touch", ran));
	RC(r, 1);
	HAS(r, "descriptors start with magic 1, not 3");
	done(&r);
	r = cable(BAD_COUNT, LIST("--", "touch", ran));
	RC(r, 1);
	HAS(r, "descriptors: ");
	done(&r);
	CHECK(access(ran, F_OK) != 0);

	/* The command's exit status and signals come back. */
	r = cable(GOOD, LIST("--", "sh", "-c", "exit 7"));
	RC(r, 7);
	HAS(r, "vcable: in=0 out=0 urbs_in=0 urbs_out=0 unplugs=0");
	done(&r);
	r = cable(GOOD, LIST("--", "sh", "-c", "kill -TERM $$"));
	RC(r, 128 + SIGTERM);
	done(&r);

	/* Plain: 1 MiB in random chunks up to 64 KiB; the descriptors as the kiosk wrote them. */
	r = echo(NONE, NONE);
	RC(r, 0);
	HAS(r, "usbecho: found SPEAN-TEST-0001 at 1-");
	HAS(r, "usbecho: interface 'Spean kiosk sync'");
	HAS(r, "usbecho: MS OS compat ID WINUSB (vendor code 0xcd)");
	HAS(r, "usbecho: 1048576 bytes echoed");
	HAS(r, "stalls=0 timeouts=0 reconnects=0 corrupt=-1");
	HAS(r, "vcable: in=1048576 out=1048576 urbs_in=");
	HAS(r, "unplugs=0");
	done(&r);
	/* Another serial and ids. */
	r = cable(GOOD, LIST("--serial", "K-42", "--vid", "1d6b", "--pid", "0x0104", "--", usbecho, "--serial", "K-42",
			     "--vid", "1d6b", "--pid", "104", "--bytes", "5000"));
	RC(r, 0);
	HAS(r, "usbecho: 5000 bytes echoed");
	done(&r);

	/* Split: each IN URB at most 100 bytes. */
	r = echo(LIST("split-in=100"), LIST("--bytes", "60000", "--max-chunk", "5000"));
	RC(r, 0);
	HAS(r, "vcable: split-in: IN URBs complete with at most 100 bytes");
	HAS(r, "usbecho: 60000 bytes echoed");
	t_checks++;
	const char *u = strstr(r.err, "urbs_in=");
	if (!u || atoi(u + 8) < 600)
		t_fail(__FILE__, __LINE__, "split-in=100: %s", u ? u : r.err);
	done(&r);

	/* A stall: the host clears the halt and goes on, nothing lost. */
	r = echo(LIST("stall-in=3"), LIST("--bytes", "200000", "--expect-stall"));
	RC(r, 0);
	HAS(r, "vcable: stall-in: IN URB 3 stalled");
	HAS(r, "vcable: stall-in: the host cleared the halt on 0x82");
	HAS(r, "stalls=1");
	done(&r);

	/* A flipped bit each way reaches the host at that offset, and only there. */
	r = echo(LIST("corrupt-in=5000"), LIST("--bytes", "100000", "--expect-corrupt", "5000"));
	RC(r, 0);
	HAS(r, "vcable: corrupt-in: flipped a bit of byte 5000 kiosk->host");
	HAS(r, "corrupt=5000");
	done(&r);
	r = echo(LIST("corrupt-out=70001"), LIST("--bytes", "100000", "--expect-corrupt", "70001"));
	RC(r, 0);
	HAS(r, "vcable: corrupt-out: flipped a bit of byte 70001 host->kiosk");
	HAS(r, "corrupt=70001");
	done(&r);
	/* The host is not told: unexpected, it is a failure (the check can fail). */
	r = echo(LIST("corrupt-in=123"), LIST("--bytes", "10000"));
	RC(r, 1);
	HAS(r, "usbecho: byte 123 came back");
	done(&r);

	/* A lost URB: the host times out, the data waits for the next read. */
	r = echo(LIST("timeout-in=2"), LIST("--bytes", "100000", "--in-timeout-ms", "300", "--expect-timeout"));
	RC(r, 0);
	HAS(r, "vcable: timeout-in: IN URB 2 never completes");
	HAS(r, "usbecho: 100000 bytes echoed");
	done(&r);

	/* Slow IN URBs. */
	r = echo(LIST("delay-in-ms=20"), LIST("--bytes", "30000"));
	RC(r, 0);
	HAS(r, "vcable: delay-in-ms: each IN URB is held 20 ms");
	done(&r);

	/* The cable pulled mid-stream and plugged back in: NO_DEVICE, found again, the chunk sent again. */
	r = echo(LIST("unplug-after-in=300000,replug-ms=200"), LIST("--expect-unplug"));
	RC(r, 0);
	HAS(r, "vcable: unplugged after 300000 bytes in (unplug-after-in=300000)");
	HAS(r, "vcable: plugged back in after ");
	HAS(r, "usbecho: 1048576 bytes echoed");
	HAS(r, "reconnects=1");
	HAS(r, "unplugs=1");
	HAS(r, "kiosk: binds=1 enables=2");
	done(&r);
	r = echo(LIST("unplug-after-out=200000,replug-ms=100"), LIST("--bytes", "500000", "--expect-unplug"));
	RC(r, 0);
	HAS(r, "vcable: unplugged after 200000 bytes out (unplug-after-out=200000)");
	HAS(r, "usbecho: 500000 bytes echoed");
	HAS(r, "unplugs=1");
	done(&r);

	/* All at once. */
	r = echo(LIST("split-in=3000", "stall-in=5", "delay-in-ms=2", "corrupt-out=9999"),
		 LIST("--bytes", "200000", "--expect-stall", "--expect-corrupt", "9999"));
	RC(r, 0);
	HAS(r, "usbecho: 200000 bytes echoed");
	done(&r);

	t_rmtree(tmp);
	free(tmp);
	return t_done("sync_vcable_test");
}

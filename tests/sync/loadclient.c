/*
 * spean-loadclient: hostile HTTP clients for the center's load test and
 * benchmark (tests/sync/load_test.sh, tests/bench/sync.sh). Plain libc, no
 * Spean libraries: it speaks to `spean-center serve` as an attacker would.
 * Each client binds its socket to its own loopback address before it
 * connects (Linux routes all of 127/8 to lo), so the center sees many hosts.
 *
 *   spean-loadclient slow --to IP:PORT --from IP --clients N --every S --for S [--tls] [--same]
 *       N connections (from IP, IP+1, ... or all from IP with --same) that send a
 *       header line every S seconds (--tls: the first bytes of a TLS record, then
 *       a byte every S seconds: a handshake that never ends), reconnecting when
 *       cut, for S seconds. Prints "ready" once all N are connected, then at the
 *       end one line: connections made, closed at once (refused), cut later (with
 *       the shortest and longest life), still open.
 *   spean-loadclient upload --to IP:PORT --from IP --clients N --bytes B [--same]
 *       N clients POST a B-byte body at once (a well-framed sync message whose
 *       contents are noise). Each sends all but its last byte and waits until
 *       every client has been answered or is waiting likewise, then sends its
 *       last byte: so the center holds every body it admitted at the same time.
 *       Prints the count of each status (and of 503s with a Retry-After).
 *   spean-loadclient hostile --to IP:PORT --from IP CASE
 *       one hostile request: nolength, toobig, chunked, short (Content-Length
 *       under the message), long (over it), badmagic, trickle (a byte a second).
 *       Prints "CASE: status N after T s: FIRST LINE OF THE BODY" or
 *       "CASE: cut after T s (no reply)".
 *
 * Exit status 0 when it ran (the caller judges the figures), 2 on a usage or
 * setup error.
 */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_HEADER 12
#define FRAME_SIG 64

static struct sockaddr_in to;
static uint32_t from; /* host order */
static int same;

static void die(const char *what)
{
	fprintf(stderr, "spean-loadclient: %s: %s\n", what, strerror(errno));
	exit(2);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The i-th client's address: from, from+1, ..., skipping .0 and .255 (or from, always, with --same). */
static uint32_t addr_of(unsigned i)
{
	uint32_t a = from;
	if (same)
		return a;
	for (unsigned k = 0; k < i; k++) {
		a++;
		while ((a & 0xff) == 0 || (a & 0xff) == 255)
			a++;
	}
	return a;
}

/* A non-blocking socket bound to addr, connecting to the center (connect may be in progress). */
static int dial(uint32_t addr)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	struct sockaddr_in me = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(addr)};
	if (bind(fd, (struct sockaddr *)&me, sizeof me))
		die("bind to a loopback address");
	if (connect(fd, (struct sockaddr *)&to, sizeof to) && errno != EINPROGRESS)
		die("connect");
	return fd;
}

static void raise_nofile(void)
{
	struct rlimit rl;
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* A sync message of n bytes: magic, an offer's type, its length, then noise (no valid signature). */
static unsigned char *frame(size_t n)
{
	unsigned char *b = malloc(n);
	if (!b)
		die("malloc");
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		b[i] = (unsigned char)x;
	}
	uint32_t body = (uint32_t)(n - FRAME_HEADER - FRAME_SIG);
	memcpy(b, "SPN1\3\0\0\0", 8);
	for (int k = 0; k < 4; k++)
		b[8 + k] = (unsigned char)(body >> (8 * k));
	return b;
}

/* ---- slow ---- */

struct slow {
	int fd, connected;
	double born, next, redial; /* redial: when to connect again after a refusal (0: connected or connecting) */
	unsigned pieces;
};

static void slow_piece(struct slow *c, int tls)
{
	char line[64];
	const char *p = line;
	size_t n;
	static const char hello[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01}; /* a 512-byte handshake record, begun */
	if (tls && !c->pieces)
		p = hello, n = sizeof hello;
	else if (tls)
		line[0] = (char)c->pieces, n = 1;
	else if (!c->pieces)
		n = (size_t)snprintf(line, sizeof line, "POST /v1/sync HTTP/1.1\r\nHost: center\r\n");
	else
		n = (size_t)snprintf(line, sizeof line, "X-Slow-%u: %u\r\n", c->pieces, c->pieces);
	c->pieces++;
	(void)!send(c->fd, p, n, MSG_NOSIGNAL);
}

static int cmd_slow(unsigned n, double every, double span, int tls)
{
	struct slow *cs = calloc(n, sizeof *cs);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (!cs || ep < 0)
		die("setup");
	double t0 = now_s(), end = t0 + span;
	unsigned long made = 0, refused = 0, cut = 0, ready = 0;
	double lo = 1e9, hi = 0;
	int said_ready = 0;
	for (unsigned i = 0; i < n; i++) {
		cs[i].fd = dial(addr_of(i));
		cs[i].born = now_s();
		made++;
		struct epoll_event e = {.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP, .data.u32 = i};
		if (epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &e))
			die("epoll_ctl");
	}
	for (;;) {
		double t = now_s();
		if (t >= end)
			break;
		struct epoll_event ev[256];
		int k = epoll_wait(ep, ev, 256, 100);
		t = now_s();
		for (int j = 0; j < k; j++) {
			struct slow *c = &cs[ev[j].data.u32];
			int closed = 0;
			if (ev[j].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
				char junk[4096];
				ssize_t r = recv(c->fd, junk, sizeof junk, 0);
				closed = r == 0 || (r < 0 && errno != EAGAIN) || (ev[j].events & (EPOLLHUP | EPOLLERR));
			}
			if (!closed && (ev[j].events & EPOLLOUT) && !c->connected) {
				int err = 0;
				socklen_t el = sizeof err;
				getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
				if (err)
					closed = 1;
				else {
					c->connected = 1;
					c->pieces = 0;
					slow_piece(c, tls);
					c->next = t + every;
					struct epoll_event e = {.events = EPOLLIN | EPOLLRDHUP, .data.u32 = ev[j].data.u32};
					epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
					if (++ready == n && !said_ready) {
						printf("ready %lu connected in %.1f s\n", ready, t - t0);
						fflush(stdout);
						said_ready = 1;
					}
				}
			}
			if (!closed)
				continue;
			double life = t - c->born;
			if (c->connected && life >= 2.0) {
				cut++;
				lo = life < lo ? life : lo;
				hi = life > hi ? life : hi;
			} else
				refused++;
			/* An attacker comes back: at once when cut, after a breath when refused (not a busy loop). */
			c->redial = c->connected && life >= 2.0 ? t : t + 0.1;
			close(c->fd);
			c->fd = -1;
			c->connected = 0;
		}
		for (unsigned i = 0; i < n; i++) {
			if (cs[i].fd < 0 && t >= cs[i].redial) {
				cs[i].fd = dial(addr_of(i));
				cs[i].born = t;
				made++;
				struct epoll_event e = {.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP, .data.u32 = i};
				if (epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &e))
					die("epoll_ctl");
			}
			if (cs[i].connected && t >= cs[i].next) {
				slow_piece(&cs[i], tls);
				cs[i].next = t + every;
			}
		}
		if (!said_ready && t - t0 > 10) {
			printf("ready %lu of %u connected in 10 s\n", ready, n);
			fflush(stdout);
			said_ready = 1;
		}
	}
	/* Open: connected and kept (a refused one is closed within milliseconds of its connect). */
	unsigned long open = 0;
	double t = now_s();
	for (unsigned i = 0; i < n; i++) {
		open += cs[i].connected && t - cs[i].born >= 1.0;
		if (cs[i].fd >= 0)
			close(cs[i].fd);
	}
	printf("slow: %u clients, %lu connections, %lu refused at once, %lu cut after %.1f..%.1f s, %lu open at the end\n", n,
	       made, refused, cut, cut ? lo : 0.0, hi, open);
	fflush(stdout);
	close(ep);
	free(cs);
	return 0;
}

/* ---- upload ---- */

enum { UP_CONNECTING, UP_SENDING, UP_HELD, UP_LAST, UP_WAITING, UP_DONE };

struct upload {
	int fd, state;
	size_t sent;
	char reply[512];
	size_t got;
};

static int cmd_upload(unsigned n, size_t bytes)
{
	char head[256];
	int hl = snprintf(head, sizeof head, "POST /v1/sync HTTP/1.1\r\nHost: center\r\nContent-Type: application/octet-stream\r\n"
					     "Content-Length: %zu\r\n\r\n", bytes);
	size_t total = (size_t)hl + bytes;
	unsigned char *msg = malloc(total);
	unsigned char *body = frame(bytes);
	if (!msg)
		die("malloc");
	memcpy(msg, head, (size_t)hl);
	memcpy(msg + hl, body, bytes);
	free(body);
	struct upload *us = calloc(n, sizeof *us);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (!us || ep < 0)
		die("setup");
	for (unsigned i = 0; i < n; i++) {
		us[i].fd = dial(addr_of(i));
		struct epoll_event e = {.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP, .data.u32 = i};
		if (epoll_ctl(ep, EPOLL_CTL_ADD, us[i].fd, &e))
			die("epoll_ctl");
	}
	double t0 = now_s(), all_held = 0;
	unsigned done = 0;
	while (done < n && now_s() - t0 < 120) {
		struct epoll_event ev[256];
		int k = epoll_wait(ep, ev, 256, 50);
		for (int j = 0; j < k; j++) {
			struct upload *u = &us[ev[j].data.u32];
			if (u->state == UP_DONE)
				continue;
			if (ev[j].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
				char buf[8192];
				ssize_t r;
				while ((r = recv(u->fd, buf, sizeof buf, 0)) > 0) {
					size_t take = (size_t)r < sizeof u->reply - 1 - u->got ? (size_t)r : sizeof u->reply - 1 - u->got;
					memcpy(u->reply + u->got, buf, take);
					u->got += take;
				}
				if (r == 0 || (r < 0 && errno != EAGAIN) || (ev[j].events & (EPOLLHUP | EPOLLERR))) {
					u->state = UP_DONE;
					done++;
					epoll_ctl(ep, EPOLL_CTL_DEL, u->fd, NULL);
					close(u->fd);
					continue;
				}
			}
			if (!(ev[j].events & EPOLLOUT))
				continue;
			if (u->state == UP_CONNECTING)
				u->state = UP_SENDING;
			size_t upto = u->state == UP_SENDING ? total - 1 : u->state == UP_LAST ? total : u->sent;
			while (u->sent < upto) {
				ssize_t w = send(u->fd, msg + u->sent, upto - u->sent, MSG_NOSIGNAL);
				if (w <= 0)
					break;
				u->sent += (size_t)w;
			}
			if (u->sent == total - 1 && u->state == UP_SENDING)
				u->state = UP_HELD;
			if (u->sent == total && u->state == UP_LAST)
				u->state = UP_WAITING;
			if (u->state == UP_HELD || u->state == UP_WAITING) {
				struct epoll_event e = {.events = EPOLLIN | EPOLLRDHUP, .data.u32 = ev[j].data.u32};
				epoll_ctl(ep, EPOLL_CTL_MOD, u->fd, &e);
			}
		}
		/* Everyone answered or holding: after a moment (the center reads what is in flight), let go. */
		unsigned waiting = 0;
		for (unsigned i = 0; i < n; i++)
			waiting += us[i].state != UP_HELD && us[i].state != UP_DONE;
		if (!waiting && !all_held)
			all_held = now_s();
		if (all_held && now_s() - all_held > 0.5) {
			for (unsigned i = 0; i < n; i++)
				if (us[i].state == UP_HELD) {
					us[i].state = UP_LAST;
					struct epoll_event e = {.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP, .data.u32 = i};
					epoll_ctl(ep, EPOLL_CTL_MOD, us[i].fd, &e);
				}
			all_held = -1;
		}
	}
	unsigned st[600] = {0}, retry = 0, none = 0;
	for (unsigned i = 0; i < n; i++) {
		unsigned s;
		if (us[i].state != UP_DONE) {
			close(us[i].fd);
			none++;
		} else if (sscanf(us[i].reply, "HTTP/1.%*d %u", &s) == 1 && s < 600) {
			st[s]++;
			retry += s == 503 && strstr(us[i].reply, "\r\nRetry-After: ") != NULL;
		} else
			none++;
	}
	printf("upload: %u clients of %zu bytes in %.1f s:", n, bytes, now_s() - t0);
	for (unsigned s = 0; s < 600; s++)
		if (st[s])
			printf(" %u x%u", s, st[s]);
	printf(", no reply x%u, 503 with Retry-After x%u\n", none, retry);
	fflush(stdout);
	close(ep);
	free(us);
	free(msg);
	return 0;
}

/* ---- hostile ---- */

static int cmd_hostile(const char *what)
{
	size_t fn = 200;
	unsigned char *f = frame(fn);
	char head[512];
	const char *pre = "POST /v1/sync HTTP/1.1\r\nHost: center\r\nContent-Type: application/octet-stream\r\n";
	unsigned char *body = f;
	size_t bn = fn;
	int trickle = 0;
	if (!strcmp(what, "nolength"))
		snprintf(head, sizeof head, "%s\r\n", pre);
	else if (!strcmp(what, "toobig"))
		snprintf(head, sizeof head, "%sContent-Length: %u\r\n\r\n", pre, 9u << 20), bn = 0;
	else if (!strcmp(what, "chunked")) {
		snprintf(head, sizeof head, "%sTransfer-Encoding: chunked\r\n\r\n%zx\r\n", pre, fn);
		/* the chunk's data and the last chunk follow as the body */
		static unsigned char ch[300];
		memcpy(ch, f, fn);
		memcpy(ch + fn, "\r\n0\r\n\r\n", 7);
		body = ch, bn = fn + 7;
	} else if (!strcmp(what, "short"))
		snprintf(head, sizeof head, "%sContent-Length: %zu\r\n\r\n", pre, fn - 10);
	else if (!strcmp(what, "long"))
		snprintf(head, sizeof head, "%sContent-Length: %zu\r\n\r\n", pre, fn + 10);
	else if (!strcmp(what, "badmagic")) {
		snprintf(head, sizeof head, "%sContent-Length: %zu\r\n\r\n", pre, fn);
		memcpy(f, "GIF8", 4);
	} else if (!strcmp(what, "trickle"))
		snprintf(head, sizeof head, "%sContent-Length: %zu\r\n\r\n", pre, fn), trickle = 1;
	else {
		fprintf(stderr, "spean-loadclient: no hostile case '%s'\n", what);
		return 2;
	}
	int fd = dial(from);
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	if (poll(&p, 1, 10000) != 1)
		die("connect timed out");
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	double t0 = now_s();
	(void)!send(fd, head, strlen(head), MSG_NOSIGNAL);
	size_t sent = trickle ? 0 : bn;
	if (!trickle && bn)
		(void)!send(fd, body, bn, MSG_NOSIGNAL);
	char reply[1024];
	size_t got = 0;
	for (;;) {
		p.events = POLLIN;
		int r = poll(&p, 1, trickle && sent < bn ? 1000 : 120000);
		if (r == 0 && trickle && sent < bn) {
			(void)!send(fd, body + sent, 1, MSG_NOSIGNAL);
			sent++;
			continue;
		}
		if (r <= 0)
			break;
		ssize_t k = recv(fd, reply + got, sizeof reply - 1 - got, 0);
		if (k <= 0)
			break;
		got += (size_t)k;
		if (got == sizeof reply - 1)
			break;
	}
	double t = now_s() - t0;
	reply[got] = '\0';
	unsigned s;
	if (got && sscanf(reply, "HTTP/1.%*d %u", &s) == 1) {
		char *b = strstr(reply, "\r\n\r\n");
		b = b ? b + 4 : reply;
		b[strcspn(b, "\r\n")] = '\0';
		printf("%s: status %u after %.1f s: %s\n", what, s, t, b);
	} else
		printf("%s: cut after %.1f s (no reply)\n", what, t);
	close(fd);
	free(f);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: spean-loadclient slow|upload|hostile --to IP:PORT --from IP ... (see the source)\n");
		return 2;
	}
	const char *cmd = argv[1], *tos = NULL, *froms = "127.0.0.2", *what = NULL;
	unsigned n = 1;
	double every = 3, span = 20;
	size_t bytes = 8u << 20;
	int tls = 0;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--to") && i + 1 < argc)
			tos = argv[++i];
		else if (!strcmp(argv[i], "--from") && i + 1 < argc)
			froms = argv[++i];
		else if (!strcmp(argv[i], "--clients") && i + 1 < argc)
			n = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--every") && i + 1 < argc)
			every = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--for") && i + 1 < argc)
			span = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--bytes") && i + 1 < argc)
			bytes = (size_t)strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--tls"))
			tls = 1;
		else if (!strcmp(argv[i], "--same"))
			same = 1;
		else if (argv[i][0] != '-' && !what)
			what = argv[i];
		else {
			fprintf(stderr, "spean-loadclient: unexpected argument '%s'\n", argv[i]);
			return 2;
		}
	}
	char host[64];
	const char *colon = tos ? strrchr(tos, ':') : NULL;
	struct in_addr fa;
	if (!colon || (size_t)(colon - tos) >= sizeof host || !n || n > 100000 || bytes < FRAME_HEADER + FRAME_SIG ||
	    inet_pton(AF_INET, froms, &fa) != 1) {
		fprintf(stderr, "spean-loadclient: needs --to IP:PORT, --from IP, --clients 1.., --bytes >= 76\n");
		return 2;
	}
	memcpy(host, tos, (size_t)(colon - tos));
	host[colon - tos] = '\0';
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &to.sin_addr) != 1) {
		fprintf(stderr, "spean-loadclient: '%s' is not an IPv4 address\n", host);
		return 2;
	}
	from = ntohl(fa.s_addr);
	raise_nofile();
	if (!strcmp(cmd, "slow"))
		return cmd_slow(n, every, span, tls);
	if (!strcmp(cmd, "upload"))
		return cmd_upload(n, bytes);
	if (!strcmp(cmd, "hostile") && what)
		return cmd_hostile(what);
	fprintf(stderr, "spean-loadclient: unknown command '%s'\n", cmd);
	return 2;
}

/*
 * spean-faultproxy: a fault-injecting TCP proxy for the network-sync tests
 * and benchmarks.
 *
 *   spean-faultproxy --to HOST:PORT [--listen PORT] [--seed N] [faults...]
 *
 * It listens on 127.0.0.1 (an ephemeral port unless --listen says), prints
 * exactly "port N" on stdout once it is listening, and relays every accepted
 * connection over its own fresh connection to HOST:PORT, both directions,
 * until SIGTERM or SIGINT; then it prints one line of counters on stderr and
 * exits 0. Sync has to survive the links kiosks really get, so on the way
 * through the proxy can:
 *
 *   --cut P       abort a connection (RST or FIN, at random) after a random
 *                 number of bytes: a link dying in the middle of a chunk;
 *   --dup P       replay a connection's request on a second upstream
 *                 connection: a retry whose first attempt did get through;
 *   --delay A:B   hold each read buffer A..B ms, order kept within a
 *                 connection, so concurrent requests overtake each other;
 *   --rate B      throttle each direction of each connection to B bytes/s;
 *   --loss P      stall a 1400-byte segment by one retransmission timeout,
 *                 which is what packet loss looks like from above TCP;
 *   --refuse P    close a connection at once, never going upstream.
 *
 * Each connection draws its fate from its own PRNG, seeded from --seed and
 * the connection's accept number, so connection N gets the same cut budget,
 * RST/FIN choice and dup decision from run to run whatever the others do.
 * Per-buffer draws (delay, loss) also depend on how the kernel splits reads,
 * so timings repeat in shape, not to the byte.
 *
 * One thread, one poll() loop, non-blocking sockets. Each direction of a
 * connection is a FIFO of segments stamped with the time they may leave;
 * the poll timeout is the distance to the nearest such time (or token
 * refill, or quiet-period check), so an idle proxy sleeps. A direction
 * stops reading while it holds QUEUE_CAP bytes, which turns the proxy's
 * throttling into ordinary TCP backpressure on the sender.
 */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* the tree builds with _GNU_SOURCE; standalone builds need POSIX */
#endif

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MS INT64_C(1000000)
#define SEC INT64_C(1000000000)
#define NEVER INT64_MAX

#define READ_CHUNK ((size_t)16384)
/* About one Ethernet-MTU TCP segment: the unit --loss drops. */
#define LOSS_SEG ((size_t)1400)
/* Per direction; large enough for a rate-limited download to leave the server quickly, small enough for 200+ connections. */
#define QUEUE_CAP ((size_t)512 * 1024)
/* Bounds one burst so a flood of connects cannot starve the relays. */
#define ACCEPT_BURST 64
/* After EMFILE the pending connection stays queued and poll would report it again at once. */
#define ACCEPT_PAUSE (100 * MS)
/* A client that has sent something and then gone quiet this long has sent its request. */
#define DUP_QUIET (50 * MS)
/* A replay connection is dropped after this long without progress (keep-alive servers never close it). */
#define DUP_LINGER (10 * SEC)
#define DUP_MAX_REQ ((size_t)16 << 20)
#define MAX_MS UINT64_C(3600000)

struct range {
	uint64_t lo, hi; /* milliseconds */
};

struct opts {
	char host[256];
	char port[8];
	unsigned listen_port;
	uint64_t seed;
	double cut, dup, loss, refuse;
	uint64_t cut_max;
	struct range delay, dup_delay;
	uint64_t rate; /* bytes per second, 0 = unlimited */
	uint64_t rto_ms;
	bool verbose;
};

/* xorshift64*: small, fast and ours, so a seed means the same thing on every libc. */
struct rng {
	uint64_t s;
};

struct seg {
	struct seg *next;
	int64_t due; /* monotonic ns before which it must not be written */
	size_t len, off;
	bool lost;
	unsigned char data[];
};

/* One direction of a relay: d[0] reads the client and writes upstream, d[1] the reverse. */
struct dir {
	struct seg *head, *tail;
	size_t queued;
	double tokens;
	int64_t tok_at;
	bool eof;      /* the source sent FIN */
	bool shut;     /* and we passed it on */
	bool wblocked; /* the last write hit EAGAIN: wait for POLLOUT, not a timer */
};

struct sess {
	uint64_t id;
	struct rng rng;
	int fd[2];     /* [0] client, [1] upstream; direction k reads fd[k] and writes fd[k ^ 1] */
	int pidx[2];   /* this round's pollfd slots, -1 if not polled */
	short want[2]; /* events asked for this round */
	size_t ai;     /* upstream address being tried */
	bool connecting, dead;
	struct dir d[2];
	bool cut, cut_rst;
	uint64_t cut_left;
	bool dup; /* still recording the request to replay */
	unsigned char *req;
	size_t req_len, req_cap;
	int64_t req_quiet_at;
};

/* The second upstream connection of --dup: it outlives its session, as a retried request would. */
struct dupc {
	uint64_t id;
	int fd, pidx;
	size_t ai;
	unsigned char *buf;
	size_t len, off;
	int64_t start_at, idle_at;
	bool started, connecting, half_close, wblocked, dead;
};

struct counters {
	uint64_t conns, refused, upfail, bytes_up, bytes_down, cuts, dups, delays, losses;
};

struct proxy {
	struct opts o;
	struct addrinfo *ai_list;
	struct addrinfo **addrs;
	size_t naddrs;
	int lfd;
	int sig_r;
	struct sess **sess;
	size_t nsess, capsess;
	struct dupc **dups;
	size_t ndups, capdups;
	struct pollfd *pfd;
	size_t cappfd;
	int64_t accept_pause_until;
	uint64_t next_id;
	double tok_cap, tok_min;
	struct counters c;
};

enum end { END_CLEAN, END_FIN, END_RST };

static int sig_pipe_w = -1;

/* ---------------------------------------------------------------- utilities */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	/* xorshift must not start at 0, and nearby seeds must not give nearby streams. */
	r->s = splitmix64(&seed);
	if (!r->s)
		r->s = 1;
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t x = r->s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * UINT64_C(0x2545f4914f6cdd1d);
}

/* In [0, 1): p = 0 never fires and p = 1 always does. */
static double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static uint64_t rng_between(struct rng *r, uint64_t lo, uint64_t hi)
{
	uint64_t span = hi - lo + 1;
	return span ? lo + rng_next(r) % span : rng_next(r);
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * SEC + (int64_t)ts.tv_nsec;
}

static void vlog(const struct proxy *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void vlog(const struct proxy *p, const char *fmt, ...)
{
	if (!p->o.verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("faultproxy: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static bool would_block(int e)
{
	return e == EAGAIN || e == EWOULDBLOCK;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Without it Nagle would hold back small delayed segments and blur the timings we inject. */
static void set_nodelay(int fd)
{
	int one = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* close() after this sends RST instead of FIN. */
static void set_linger0(int fd)
{
	struct linger lg;
	lg.l_onoff = 1;
	lg.l_linger = 0;
	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

static int64_t ms_to_ns(uint64_t ms)
{
	return (int64_t)ms * MS;
}

static void on_signal(int sig)
{
	(void)sig;
	int saved = errno;
	char c = 1;
	ssize_t r = write(sig_pipe_w, &c, 1);
	(void)r;
	errno = saved;
}

/* ---------------------------------------------------------------- arguments */

static void usage(FILE *f)
{
	fputs("usage: spean-faultproxy --to HOST:PORT [--listen PORT] [--seed N] [faults...]\n"
	      "\n"
	      "Relays each TCP connection accepted on 127.0.0.1:PORT (ephemeral when 0 or\n"
	      "absent) over a new connection to HOST:PORT, injecting faults. Prints\n"
	      "\"port N\" on stdout once listening; on SIGTERM/SIGINT prints counters on\n"
	      "stderr and exits 0.\n"
	      "\n"
	      "Faults (P is a probability 0..1; MIN:MAX ranges are in ms, N means N:N):\n"
	      "  --cut P              per connection: abort (RST or FIN) after a random byte budget\n"
	      "  --cut-max BYTES      budget drawn from 1..BYTES, both directions together (65536)\n"
	      "  --dup P              per connection: replay the client's request on a second\n"
	      "                       upstream connection, discarding its response\n"
	      "  --dup-delay MIN:MAX  wait before the replay is sent (0:0)\n"
	      "  --delay MIN:MAX      hold each read buffer, both directions, keeping order\n"
	      "  --rate BYTES_PER_S   throttle each direction of each connection (0 = off)\n"
	      "  --loss P             per 1400-byte segment: stall it by --rto first\n"
	      "  --rto MS             retransmission timeout for --loss (200)\n"
	      "  --refuse P           per connection: close at once, never going upstream\n"
	      "Other:\n"
	      "  --seed N             PRNG seed (1); a seed gives connection N the same fate every run\n"
	      "  -v, --verbose        log each fault and failure on stderr\n"
	      "  -h, --help           this text\n",
	      f);
}

static _Noreturn void bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void bad_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("faultproxy: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(spean-faultproxy --help for usage)\n", stderr);
	exit(2);
}

/* Decimal only: strtoull alone would take "-1", " 7" and "0x10". */
static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	if (*s < '0' || *s > '9')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_prob(const char *s, double *out)
{
	if (!((*s >= '0' && *s <= '9') || *s == '.'))
		return false;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	/* Written so that NaN fails it too. */
	if (errno || *end || !(v >= 0.0 && v <= 1.0))
		return false;
	*out = v;
	return true;
}

static bool parse_range(const char *s, struct range *r)
{
	const char *colon = strchr(s, ':');
	char lo[24];
	if (!colon)
		return parse_u64(s, MAX_MS, &r->lo) && parse_u64(s, MAX_MS, &r->hi);
	size_t n = (size_t)(colon - s);
	if (n >= sizeof lo)
		return false;
	memcpy(lo, s, n);
	lo[n] = '\0';
	return parse_u64(lo, MAX_MS, &r->lo) && parse_u64(colon + 1, MAX_MS, &r->hi) && r->lo <= r->hi;
}

static void parse_to(const char *s, struct opts *o)
{
	const char *colon = strrchr(s, ':');
	uint64_t port;
	if (!colon || colon == s || !parse_u64(colon + 1, 65535, &port) || port == 0)
		bad_usage("--to wants HOST:PORT, got '%s'", s);
	const char *h = s;
	size_t n = (size_t)(colon - s);
	/* [::1]:8080; an unbracketed IPv6 literal is ambiguous and would fail to resolve anyway. */
	if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
		h++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof o->host)
		bad_usage("--to wants HOST:PORT, got '%s'", s);
	memcpy(o->host, h, n);
	o->host[n] = '\0';
	snprintf(o->port, sizeof o->port, "%u", (unsigned)port);
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	static const char *const valued[] = {
		"--to", "--listen", "--seed", "--cut", "--cut-max", "--dup", "--dup-delay",
		"--delay", "--rate", "--loss", "--rto", "--refuse",
	};
	bool have_to = false;

	memset(o, 0, sizeof *o);
	o->seed = 1;
	o->cut_max = 65536;
	o->rto_ms = 200;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			usage(stdout);
			exit(0);
		}
		if (!strcmp(arg, "-v") || !strcmp(arg, "--verbose")) {
			o->verbose = true;
			continue;
		}
		char name[32];
		const char *eq = strchr(arg, '=');
		size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
		bool known = false;
		if (nlen < sizeof name) {
			memcpy(name, arg, nlen);
			name[nlen] = '\0';
			for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++)
				known = known || !strcmp(name, valued[k]);
		}
		if (!known)
			bad_usage(arg[0] == '-' ? "unknown option '%s'" : "unexpected argument '%s'", arg);
		const char *val = eq ? eq + 1 : NULL;
		if (!val) {
			if (i + 1 >= argc)
				bad_usage("%s wants a value", name);
			val = argv[++i];
		}

		uint64_t v;
		if (!strcmp(name, "--to")) {
			parse_to(val, o);
			have_to = true;
		} else if (!strcmp(name, "--listen")) {
			if (!parse_u64(val, 65535, &v))
				bad_usage("--listen wants a port 0..65535, got '%s'", val);
			o->listen_port = (unsigned)v;
		} else if (!strcmp(name, "--seed")) {
			if (!parse_u64(val, UINT64_MAX, &o->seed))
				bad_usage("--seed wants a non-negative integer, got '%s'", val);
		} else if (!strcmp(name, "--cut-max")) {
			if (!parse_u64(val, UINT64_C(1) << 48, &o->cut_max) || o->cut_max == 0)
				bad_usage("--cut-max wants a byte count >= 1, got '%s'", val);
		} else if (!strcmp(name, "--delay") || !strcmp(name, "--dup-delay")) {
			if (!parse_range(val, !strcmp(name, "--dup-delay") ? &o->dup_delay : &o->delay))
				bad_usage("%s wants MIN_MS:MAX_MS with MIN <= MAX <= %" PRIu64 ", got '%s'", name,
					  (uint64_t)MAX_MS, val);
		} else if (!strcmp(name, "--rate")) {
			if (!parse_u64(val, UINT64_C(1) << 40, &o->rate))
				bad_usage("--rate wants bytes per second (0 = unlimited), got '%s'", val);
		} else if (!strcmp(name, "--rto")) {
			if (!parse_u64(val, MAX_MS, &o->rto_ms))
				bad_usage("--rto wants milliseconds 0..%" PRIu64 ", got '%s'", (uint64_t)MAX_MS, val);
		} else {
			double *pp = !strcmp(name, "--cut")  ? &o->cut
				     : !strcmp(name, "--dup") ? &o->dup
				     : !strcmp(name, "--loss") ? &o->loss
							       : &o->refuse;
			if (!parse_prob(val, pp))
				bad_usage("%s wants a probability 0..1, got '%s'", name, val);
		}
	}
	if (!have_to)
		bad_usage("--to HOST:PORT is required");
}

/* ---------------------------------------------------------------- upstream */

/*
 * Starts a non-blocking connect to addrs[*ai], moving on through the list
 * while addresses fail outright (localhost resolving to ::1 first while the
 * server only listens on 127.0.0.1 is the usual case). Returns -1 when none
 * is left.
 */
static int upstream_open(struct proxy *p, size_t *ai, bool *connecting)
{
	for (; *ai < p->naddrs; (*ai)++) {
		const struct addrinfo *a = p->addrs[*ai];
		int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
		if (fd < 0)
			continue;
		if (set_nonblock(fd) < 0) {
			close(fd);
			continue;
		}
		set_nodelay(fd);
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
			*connecting = false;
			return fd;
		}
		if (errno == EINPROGRESS || errno == EINTR) {
			*connecting = true;
			return fd;
		}
		close(fd);
	}
	return -1;
}

/* After poll reported the connecting fd: 0, or why the connect failed. */
static int connect_error(int fd)
{
	int err = 0;
	socklen_t len = sizeof err;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return errno;
	return err;
}

/* Completes or retries a pending connect. False when no address is left (*fd is then -1). */
static bool upstream_progress(struct proxy *p, int *fd, size_t *ai, bool *connecting)
{
	if (!connect_error(*fd)) {
		*connecting = false;
		return true;
	}
	close(*fd);
	(*ai)++;
	*fd = upstream_open(p, ai, connecting);
	return *fd >= 0;
}

/* ---------------------------------------------------------------- sessions */

static void sess_end(struct proxy *p, struct sess *s, enum end how, const char *why)
{
	for (int i = 0; i < 2; i++) {
		int fd = s->fd[i];
		if (fd < 0)
			continue;
		if (how == END_RST)
			set_linger0(fd);
		else if (how == END_FIN)
			(void)shutdown(fd, SHUT_RDWR);
		close(fd);
		s->fd[i] = -1;
	}
	s->dead = true;
	if (why)
		vlog(p, "conn %" PRIu64 ": %s", s->id, why);
}

static void sess_free(struct sess *s)
{
	for (int i = 0; i < 2; i++) {
		if (s->fd[i] >= 0)
			close(s->fd[i]);
		for (struct seg *g = s->d[i].head, *next; g; g = next) {
			next = g->next;
			free(g);
		}
	}
	free(s->req);
	free(s);
}

static void dup_free(struct dupc *u)
{
	if (u->fd >= 0)
		close(u->fd);
	free(u->buf);
	free(u);
}

static bool grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	size_t n = *cap ? *cap : 16;
	while (n < need)
		n *= 2;
	void *a = realloc(*arr, n * elem);
	if (!a)
		return false;
	*arr = a;
	*cap = n;
	return true;
}

/* Hands the recorded request to a replay connection that starts after --dup-delay. */
static void dup_spawn(struct proxy *p, struct sess *s, bool half_close, int64_t now)
{
	struct dupc *u = calloc(1, sizeof *u);
	s->dup = false;
	if (!u || !grow((void **)&p->dups, &p->capdups, p->ndups + 1, sizeof *p->dups)) {
		free(u);
		vlog(p, "conn %" PRIu64 ": out of memory, no replay", s->id);
		return;
	}
	u->id = s->id;
	u->fd = -1;
	u->pidx = -1;
	u->buf = s->req;
	u->len = s->req_len;
	u->half_close = half_close;
	u->start_at = now + ms_to_ns(rng_between(&s->rng, p->o.dup_delay.lo, p->o.dup_delay.hi));
	s->req = NULL;
	s->req_len = s->req_cap = 0;
	p->dups[p->ndups++] = u;
	vlog(p, "conn %" PRIu64 ": request of %zu bytes %s, replaying in %" PRId64 " ms", s->id, u->len,
	     half_close ? "ended by FIN" : "followed by quiet", (u->start_at - now) / MS);
}

static void dup_record(struct proxy *p, struct sess *s, const unsigned char *buf, size_t n, int64_t now)
{
	if (s->req_len + n > DUP_MAX_REQ) {
		vlog(p, "conn %" PRIu64 ": request over %zu bytes, no replay", s->id, DUP_MAX_REQ);
		s->dup = false;
		free(s->req);
		s->req = NULL;
		s->req_len = s->req_cap = 0;
		return;
	}
	if (!grow((void **)&s->req, &s->req_cap, s->req_len + n, 1)) {
		s->dup = false;
		return;
	}
	memcpy(s->req + s->req_len, buf, n);
	s->req_len += n;
	s->req_quiet_at = now + DUP_QUIET;
}

/* Splits a read into segments stamped with when they may leave. */
static bool dir_push(struct proxy *p, struct sess *s, struct dir *d, const unsigned char *buf, size_t n, int64_t now)
{
	int64_t due = now;
	if (p->o.delay.hi > 0) {
		uint64_t ms = rng_between(&s->rng, p->o.delay.lo, p->o.delay.hi);
		if (ms) {
			due += ms_to_ns(ms);
			p->c.delays++;
		}
	}
	size_t segmax = p->o.loss > 0 ? LOSS_SEG : n;
	while (n) {
		size_t len = n < segmax ? n : segmax;
		struct seg *g = malloc(sizeof *g + len);
		if (!g)
			return false;
		g->next = NULL;
		g->due = due;
		g->len = len;
		g->off = 0;
		g->lost = p->o.loss > 0 && rng_unit(&s->rng) < p->o.loss;
		memcpy(g->data, buf, len);
		if (d->tail)
			d->tail->next = g;
		else
			d->head = g;
		d->tail = g;
		d->queued += len;
		buf += len;
		n -= len;
	}
	return true;
}

static void sess_read(struct proxy *p, struct sess *s, int k, int64_t now)
{
	struct dir *d = &s->d[k];
	unsigned char buf[READ_CHUNK];
	/* A few reads per round, so one fast sender cannot monopolise the loop. */
	for (int round = 0; round < 4 && !d->eof && d->queued < QUEUE_CAP; round++) {
		ssize_t r = recv(s->fd[k], buf, sizeof buf, 0);
		if (r > 0) {
			size_t n = (size_t)r;
			if (!dir_push(p, s, d, buf, n, now)) {
				sess_end(p, s, END_RST, "out of memory");
				return;
			}
			if (k == 0 && s->dup)
				dup_record(p, s, buf, n, now);
			if (n < sizeof buf)
				break;
			continue;
		}
		if (r == 0) {
			d->eof = true;
			if (k == 0 && s->dup && s->req_len)
				dup_spawn(p, s, true, now);
			break;
		}
		if (errno == EINTR)
			continue;
		if (!would_block(errno))
			sess_end(p, s, END_RST, k ? "upstream read failed" : "client read failed");
		return;
	}
}

static void tokens_refill(const struct proxy *p, struct dir *d, int64_t now)
{
	d->tokens += (double)p->o.rate * (double)(now - d->tok_at) / (double)SEC;
	if (d->tokens > p->tok_cap)
		d->tokens = p->tok_cap;
	d->tok_at = now;
}

/* Waiting for a useful amount of tokens, rather than any, keeps a slow rate from costing a wakeup per byte. */
static double tokens_wanted(const struct proxy *p, const struct seg *g)
{
	double left = (double)(g->len - g->off);
	return left < p->tok_min ? left : p->tok_min;
}

static void dir_flush(struct proxy *p, struct sess *s, int k, short rev_dst, int64_t now)
{
	struct dir *d = &s->d[k];
	int dst = s->fd[k ^ 1];

	if (k == 0 && s->connecting)
		return;
	if (d->wblocked && !(rev_dst & (POLLOUT | POLLERR | POLLHUP)))
		return;
	while (d->head && !s->dead) {
		struct seg *g = d->head;
		if (g->off == 0 && now < g->due)
			return;
		if (g->off == 0 && g->lost) {
			/* The stall starts when the segment would have gone out, as a retransmission would. */
			g->lost = false;
			g->due = now + ms_to_ns(p->o.rto_ms);
			p->c.losses++;
			continue;
		}
		size_t n = g->len - g->off;
		if (p->o.rate) {
			tokens_refill(p, d, now);
			if (d->tokens + 1e-9 < tokens_wanted(p, g))
				return;
			if ((double)n > d->tokens)
				n = (size_t)d->tokens;
		}
		if (s->cut && n > s->cut_left)
			n = (size_t)s->cut_left;
		ssize_t w = send(dst, g->data + g->off, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (would_block(errno)) {
				d->wblocked = true;
				return;
			}
			sess_end(p, s, END_RST, k ? "client write failed" : "upstream write failed");
			return;
		}
		size_t done = (size_t)w;
		d->wblocked = false;
		g->off += done;
		d->queued -= done;
		if (k)
			p->c.bytes_down += done;
		else
			p->c.bytes_up += done;
		if (p->o.rate)
			d->tokens -= (double)done;
		if (g->off == g->len) {
			d->head = g->next;
			if (!d->head)
				d->tail = NULL;
			free(g);
		}
		if (s->cut) {
			s->cut_left -= done;
			if (!s->cut_left) {
				p->c.cuts++;
				sess_end(p, s, s->cut_rst ? END_RST : END_FIN, s->cut_rst ? "cut (RST)" : "cut (FIN)");
				return;
			}
		}
	}
}

/* When dir_flush, having just run, can next make progress without poll's help. */
static int64_t dir_due(const struct proxy *p, const struct sess *s, int k)
{
	const struct dir *d = &s->d[k];
	const struct seg *g = d->head;
	if (!g || d->wblocked || (k == 0 && s->connecting))
		return NEVER;
	if (g->off == 0 && (g->due > d->tok_at || !p->o.rate))
		return g->due;
	double want = tokens_wanted(p, g);
	if (d->tokens + 1e-9 >= want)
		return d->tok_at;
	return d->tok_at + (int64_t)((want - d->tokens) * (double)SEC / (double)p->o.rate) + 1;
}

static void sess_step(struct proxy *p, struct sess *s, int64_t now)
{
	short rev[2];
	for (int i = 0; i < 2; i++)
		rev[i] = s->pidx[i] >= 0 ? p->pfd[s->pidx[i]].revents : 0;

	if (s->connecting && rev[1]) {
		if (!upstream_progress(p, &s->fd[1], &s->ai, &s->connecting)) {
			p->c.upfail++;
			sess_end(p, s, END_RST, "upstream connect failed");
			return;
		}
		/* They were about the connect (or an fd since closed), not about data. */
		rev[1] = 0;
	}
	for (int k = 0; k < 2 && !s->dead; k++)
		if ((s->want[k] & POLLIN) && (rev[k] & (POLLIN | POLLHUP | POLLERR)))
			sess_read(p, s, k, now);
	if (s->dead)
		return;
	if (s->dup && s->req_len && now >= s->req_quiet_at)
		dup_spawn(p, s, false, now);
	for (int k = 0; k < 2 && !s->dead; k++)
		dir_flush(p, s, k, rev[k ^ 1], now);
	if (s->dead)
		return;
	for (int k = 0; k < 2; k++) {
		struct dir *d = &s->d[k];
		if (d->eof && !d->head && !d->shut && !s->connecting) {
			(void)shutdown(s->fd[k ^ 1], SHUT_WR);
			d->shut = true;
		}
	}
	if (s->d[0].shut && s->d[1].shut)
		sess_end(p, s, END_CLEAN, NULL);
}

static int64_t sess_due(const struct proxy *p, const struct sess *s)
{
	int64_t due = NEVER;
	for (int k = 0; k < 2; k++) {
		int64_t t = dir_due(p, s, k);
		if (t < due)
			due = t;
	}
	if (s->dup && s->req_len && s->req_quiet_at < due)
		due = s->req_quiet_at;
	return due;
}

static void do_accept(struct proxy *p, int64_t now)
{
	for (int i = 0; i < ACCEPT_BURST; i++) {
		int fd = accept(p->lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				vlog(p, "accept: %s, pausing", strerror(errno));
				p->accept_pause_until = now + ACCEPT_PAUSE;
			}
			return;
		}
		uint64_t id = p->next_id++;
		p->c.conns++;

		/* Every draw is made for every connection, so the fate of each one depends on the seed and its number only. */
		struct rng r;
		rng_seed(&r, p->o.seed ^ (id * UINT64_C(0xd1342543de82ef95)));
		bool refuse = rng_unit(&r) < p->o.refuse;
		bool cut = rng_unit(&r) < p->o.cut;
		uint64_t budget = rng_between(&r, 1, p->o.cut_max);
		bool rst = rng_next(&r) >> 63;
		bool dup = rng_unit(&r) < p->o.dup;

		if (refuse) {
			p->c.refused++;
			vlog(p, "conn %" PRIu64 ": refused", id);
			close(fd);
			continue;
		}
		struct sess *s = calloc(1, sizeof *s);
		if (!s || set_nonblock(fd) < 0 ||
		    !grow((void **)&p->sess, &p->capsess, p->nsess + 1, sizeof *p->sess)) {
			free(s);
			close(fd);
			continue;
		}
		set_nodelay(fd);
		s->id = id;
		s->rng = r;
		s->fd[0] = fd;
		s->pidx[0] = s->pidx[1] = -1;
		s->fd[1] = upstream_open(p, &s->ai, &s->connecting);
		if (s->fd[1] < 0) {
			p->c.upfail++;
			vlog(p, "conn %" PRIu64 ": upstream connect failed", id);
			set_linger0(fd);
			close(fd);
			free(s);
			continue;
		}
		s->cut = cut;
		s->cut_left = budget;
		s->cut_rst = rst;
		s->dup = dup;
		for (int k = 0; k < 2; k++) {
			s->d[k].tokens = p->tok_cap;
			s->d[k].tok_at = now;
		}
		if (cut)
			vlog(p, "conn %" PRIu64 ": will be cut after %" PRIu64 " bytes (%s)", id, budget,
			     rst ? "RST" : "FIN");
		p->sess[p->nsess++] = s;
	}
}

/* ---------------------------------------------------------------- replays */

static void dup_step(struct proxy *p, struct dupc *u, int64_t now)
{
	short rev = u->pidx >= 0 ? p->pfd[u->pidx].revents : 0;

	if (!u->started) {
		if (now < u->start_at)
			return;
		u->started = true;
		u->idle_at = now + DUP_LINGER;
		u->fd = upstream_open(p, &u->ai, &u->connecting);
		if (u->fd < 0) {
			vlog(p, "conn %" PRIu64 ": replay connect failed", u->id);
			u->dead = true;
			return;
		}
		rev = 0;
	}
	if (u->connecting) {
		if (!rev)
			goto idle;
		if (!upstream_progress(p, &u->fd, &u->ai, &u->connecting)) {
			vlog(p, "conn %" PRIu64 ": replay connect failed", u->id);
			u->dead = true;
			return;
		}
		if (u->connecting)
			goto idle;
		rev = 0;
	}
	while (u->off < u->len && (!u->wblocked || (rev & (POLLOUT | POLLERR | POLLHUP)))) {
		ssize_t w = send(u->fd, u->buf + u->off, u->len - u->off, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (would_block(errno)) {
				u->wblocked = true;
				break;
			}
			vlog(p, "conn %" PRIu64 ": replay write failed", u->id);
			u->dead = true;
			return;
		}
		u->off += (size_t)w;
		u->wblocked = false;
		u->idle_at = now + DUP_LINGER;
		if (u->off == u->len) {
			p->c.dups++;
			vlog(p, "conn %" PRIu64 ": replayed %zu bytes", u->id, u->len);
			if (u->half_close)
				(void)shutdown(u->fd, SHUT_WR);
		}
	}
	if (rev & (POLLIN | POLLHUP | POLLERR)) {
		unsigned char sink[READ_CHUNK];
		for (;;) {
			ssize_t r = recv(u->fd, sink, sizeof sink, 0);
			if (r > 0) {
				u->idle_at = now + DUP_LINGER;
				continue;
			}
			if (r < 0 && errno == EINTR)
				continue;
			if (r == 0 || !would_block(errno))
				u->dead = true;
			break;
		}
		if (u->dead)
			return;
	}
idle:
	if (now >= u->idle_at) {
		vlog(p, "conn %" PRIu64 ": replay idle, dropped", u->id);
		u->dead = true;
	}
}

/* ---------------------------------------------------------------- loop */

static bool add_pfd(struct proxy *p, size_t *n, int fd, short ev, int *slot)
{
	*slot = -1;
	if (!ev)
		return true;
	if (!grow((void **)&p->pfd, &p->cappfd, *n + 1, sizeof *p->pfd))
		return false;
	p->pfd[*n].fd = fd;
	p->pfd[*n].events = ev;
	p->pfd[*n].revents = 0;
	*slot = (int)*n;
	(*n)++;
	return true;
}

/* Builds this round's pollfd set and the timeout to the nearest timer. */
static bool build_poll(struct proxy *p, int64_t now, nfds_t *nfds, int *timeout)
{
	size_t n = 0;
	int slot;
	int64_t due = NEVER;

	if (!add_pfd(p, &n, p->sig_r, POLLIN, &slot))
		return false;
	/* Slot 1 is always the listener, fd -1 while accepting is paused. */
	if (!add_pfd(p, &n, p->lfd, POLLIN, &slot))
		return false;
	if (now < p->accept_pause_until) {
		p->pfd[1].fd = -1;
		due = p->accept_pause_until;
	}
	for (size_t i = 0; i < p->nsess; i++) {
		struct sess *s = p->sess[i];
		const struct dir *up = &s->d[0], *down = &s->d[1];
		/* Asking only for what we would act on: a hung-up socket we are not using would make poll return at once. */
		s->want[0] = (short)((!up->eof && up->queued < QUEUE_CAP ? POLLIN : 0) | (down->wblocked ? POLLOUT : 0));
		if (s->connecting)
			s->want[1] = POLLOUT;
		else
			s->want[1] = (short)((!down->eof && down->queued < QUEUE_CAP ? POLLIN : 0) |
					     (up->wblocked ? POLLOUT : 0));
		for (int k = 0; k < 2; k++)
			if (!add_pfd(p, &n, s->fd[k], s->want[k], &s->pidx[k]))
				return false;
		int64_t t = sess_due(p, s);
		if (t < due)
			due = t;
	}
	for (size_t i = 0; i < p->ndups; i++) {
		struct dupc *u = p->dups[i];
		short ev = 0;
		if (u->started)
			ev = u->connecting ? POLLOUT : (short)(POLLIN | (u->wblocked ? POLLOUT : 0));
		if (!add_pfd(p, &n, u->fd, ev, &u->pidx))
			return false;
		int64_t t = u->started ? u->idle_at : u->start_at;
		if (t < due)
			due = t;
	}

	*nfds = (nfds_t)n;
	if (due == NEVER)
		*timeout = -1;
	else if (due <= now)
		*timeout = 0;
	else {
		/* Rounded up: waking early would find nothing due and spin until it is. */
		int64_t ms = (due - now + MS - 1) / MS;
		*timeout = ms > INT_MAX ? INT_MAX : (int)ms;
	}
	return true;
}

static void sweep(struct proxy *p)
{
	size_t j = 0;
	for (size_t i = 0; i < p->nsess; i++) {
		if (p->sess[i]->dead)
			sess_free(p->sess[i]);
		else
			p->sess[j++] = p->sess[i];
	}
	p->nsess = j;
	j = 0;
	for (size_t i = 0; i < p->ndups; i++) {
		if (p->dups[i]->dead)
			dup_free(p->dups[i]);
		else
			p->dups[j++] = p->dups[i];
	}
	p->ndups = j;
}

static int run(struct proxy *p)
{
	for (;;) {
		int64_t now = now_ns();
		nfds_t nfds;
		int timeout;
		if (!build_poll(p, now, &nfds, &timeout)) {
			fputs("faultproxy: out of memory\n", stderr);
			return 1;
		}
		if (poll(p->pfd, nfds, timeout) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "faultproxy: poll: %s\n", strerror(errno));
			return 1;
		}
		now = now_ns();
		if (p->pfd[0].revents)
			return 0;
		if (p->pfd[1].fd >= 0 && p->pfd[1].revents)
			do_accept(p, now);
		/* Sessions accepted just now have no pollfd slot and are stepped with no events, which is harmless. */
		for (size_t i = 0; i < p->nsess; i++)
			if (!p->sess[i]->dead)
				sess_step(p, p->sess[i], now);
		for (size_t i = 0; i < p->ndups; i++)
			if (!p->dups[i]->dead)
				dup_step(p, p->dups[i], now);
		sweep(p);
	}
}

/* ---------------------------------------------------------------- setup */

static void resolve(struct proxy *p)
{
	struct addrinfo hints;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	int rc = getaddrinfo(p->o.host, p->o.port, &hints, &p->ai_list);
	if (rc) {
		fprintf(stderr, "faultproxy: cannot resolve '%s': %s\n", p->o.host, gai_strerror(rc));
		exit(1);
	}
	for (struct addrinfo *a = p->ai_list; a; a = a->ai_next)
		p->naddrs++;
	p->addrs = calloc(p->naddrs, sizeof *p->addrs);
	if (!p->addrs) {
		fputs("faultproxy: out of memory\n", stderr);
		exit(1);
	}
	size_t i = 0;
	for (struct addrinfo *a = p->ai_list; a; a = a->ai_next)
		p->addrs[i++] = a;
}

static unsigned open_listener(struct proxy *p)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int one = 1;

	p->lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (p->lfd < 0)
		return 0;
	(void)setsockopt(p->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)p->o.listen_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(p->lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(p->lfd, SOMAXCONN) < 0 ||
	    set_nonblock(p->lfd) < 0 || getsockname(p->lfd, (struct sockaddr *)&sa, &len) < 0)
		return 0;
	return ntohs(sa.sin_port);
}

static void setup_signals(struct proxy *p)
{
	int fds[2];
	if (pipe(fds) < 0 || set_nonblock(fds[0]) < 0 || set_nonblock(fds[1]) < 0) {
		fprintf(stderr, "faultproxy: pipe: %s\n", strerror(errno));
		exit(1);
	}
	p->sig_r = fds[0];
	sig_pipe_w = fds[1];

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* MSG_NOSIGNAL covers send(); this covers anything else that writes to a dead peer. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static void cleanup(struct proxy *p)
{
	for (size_t i = 0; i < p->nsess; i++)
		sess_free(p->sess[i]);
	for (size_t i = 0; i < p->ndups; i++)
		dup_free(p->dups[i]);
	free(p->sess);
	free(p->dups);
	free(p->pfd);
	free(p->addrs);
	freeaddrinfo(p->ai_list);
	if (p->lfd >= 0)
		close(p->lfd);
	close(p->sig_r);
	close(sig_pipe_w);
}

int main(int argc, char **argv)
{
	struct proxy p;
	memset(&p, 0, sizeof p);
	p.lfd = -1;
	parse_args(argc, argv, &p.o);
	if (p.o.rate) {
		/* A fifth of a second of burst: smooth at the scale tests measure, few wakeups at any rate. */
		double cap = (double)p.o.rate / 5.0;
		p.tok_cap = cap < 1.0 ? 1.0 : cap > 262144.0 ? 262144.0 : cap;
		p.tok_min = p.tok_cap / 4.0 < 1.0 ? 1.0 : p.tok_cap / 4.0;
	}
	resolve(&p);
	setup_signals(&p);
	unsigned port = open_listener(&p);
	if (!port) {
		fprintf(stderr, "faultproxy: cannot listen on 127.0.0.1:%u: %s\n", p.o.listen_port, strerror(errno));
		cleanup(&p);
		return 1;
	}
	printf("port %u\n", port);
	fflush(stdout);

	int rc = run(&p);
	fprintf(stderr,
		"faultproxy: conns=%" PRIu64 " bytes_up=%" PRIu64 " bytes_down=%" PRIu64 " cuts=%" PRIu64
		" dups=%" PRIu64 " delays=%" PRIu64 " losses=%" PRIu64 " refused=%" PRIu64 " upfail=%" PRIu64
		" seed=%" PRIu64 "\n",
		p.c.conns, p.c.bytes_up, p.c.bytes_down, p.c.cuts, p.c.dups, p.c.delays, p.c.losses, p.c.refused,
		p.c.upfail, p.o.seed);
	cleanup(&p);
	return rc;
}

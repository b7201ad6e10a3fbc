#define LOG_MODULE "serve"
/*
 * sync/center/serve: `spean-center serve`, the protocol over HTTPS (the
 * center's self-signed certificate, pinned by the kiosks) or, with --plain
 * on a private link, HTTP, on libmicrohttpd. One endpoint, POST /v1/sync: the body is one protocol
 * message, the reply is the center's. A refusal is a status code with its reason as text.
 *
 * Under load (anyone can open a connection; only enrolled kiosks get past the
 * service) the gate below keeps the center's memory and connection slots for
 * the kiosks:
 * - a body is admitted from its declared Content-Length alone, before one
 *   byte of it is buffered: none (or chunked) 411, over the message limit 413,
 *   over the budget of bodies in flight 503 with Retry-After. The admitted
 *   length is reserved and buffered exactly; the message's own framing (its
 *   12-byte header says its length) must match it, else 400, nothing handled;
 * - connections per address are limited by libmicrohttpd (32, or
 *   --per-address: one over it is closed at once), the total to 2000 (one
 *   over it waits in the listen backlog until a slot is free);
 * - libmicrohttpd's connection timeout only measures idleness, so a client
 *   trickling a byte every few seconds never meets it. Each connection
 *   therefore has deadlines of our own, checked every second by the main
 *   thread: its headers within SERVE_HEAD_S of its start (accept, or the end
 *   of its previous request), and each body byte i by SERVE_REQUEST_S +
 *   i / SERVE_MIN_RATE after the start; a connection past its deadline is
 *   shut down (the socket, so libmicrohttpd closes it as a client's close
 *   and frees everything). A reply has no deadline (a content pack is large
 *   and the link slow); libmicrohttpd's idle timeout ends one nobody reads.
 *   Waiting connections hold no thread: the pool's threads poll (epoll) and
 *   only run a request once its body is complete.
 */
#include "serve.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "mem.h"
#include "protocol.h"
#include "service.h"
#include "tls.h"

/* The numbers, with their reasons (README, "The network service under load"). */
#define SERVE_BODY_BUDGET (64u << 20) /* bytes of request bodies in flight: 8 maximal messages at once */
#define SERVE_ADDRESS_SHARE (SERVE_BODY_BUDGET / 4) /* one address's part of it (a kiosk sends one message at a time) */
#define SERVE_CONNECTIONS CENTER_SERVE_CONNECTIONS
#define SERVE_HEAD_S 15u        /* TLS handshake and headers (the kiosk gives its connect+handshake 10 s) */
#define SERVE_REQUEST_S 30u     /* the body's first byte, and the slack of the rate below */
#define SERVE_MIN_RATE 2048u    /* bytes/s the body must keep (a quarter of the 8 KB/s link the kiosk expects) */
#define SERVE_IDLE_S 60u        /* libmicrohttpd's idle timeout: a reply the client stops reading (the deadlines cut the rest first) */
#define SERVE_RETRY_AFTER "5"   /* seconds, on 503: a message is handled in well under that */
#define SERVE_THREADS 4u

enum phase { PHASE_HEAD, PHASE_BODY, PHASE_REPLY };

/* One open connection (libmicrohttpd's socket context), on the gate's list from accept to close. */
struct slot {
	struct slot *prev, *next;
	int fd;
	uint32_t addr;     /* IPv4, network order */
	enum phase phase;  /* under the gate's lock, as are the fields below */
	uint64_t start_ns; /* accept, or the end of the previous request on the connection */
	uint64_t received; /* body bytes so far */
	size_t reserved;   /* of the budget */
	int cut;
};

struct gate {
	pthread_mutex_t lock;
	struct slot *head;
	size_t reserved;
	struct center_service *service;
	size_t share; /* of the budget, per address */
	unsigned long handled, refused_budget, refused_length, refused_frame, cut_head, cut_body, open, peak_open;
};

/* One request's body (libmicrohttpd's con_cls), from its headers to its reply. */
struct conn {
	unsigned char *body;
	size_t len, want;
	unsigned status; /* a refusal decided while the body arrives (sent once it has) */
	char why[sizeof ((struct diag *)0)->msg];
};

unsigned center_serve_admit(const char *content_length, const char *transfer_encoding, size_t *len, struct diag *d)
{
	*len = 0;
	if (transfer_encoding) {
		diag_set(d, "send the message with a Content-Length, not a Transfer-Encoding");
		return MHD_HTTP_LENGTH_REQUIRED;
	}
	if (!content_length) {
		diag_set(d, "a message needs its Content-Length");
		return MHD_HTTP_LENGTH_REQUIRED;
	}
	uint64_t n = 0;
	const char *p = content_length;
	if (!*p) {
		diag_set(d, "Content-Length is empty");
		return MHD_HTTP_BAD_REQUEST;
	}
	for (; *p; p++) {
		if (*p < '0' || *p > '9') {
			diag_set(d, "Content-Length is not a number");
			return MHD_HTTP_BAD_REQUEST;
		}
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > SYNC_MAX_MESSAGE) {
			diag_set(d, "message over the size limit (%u bytes)", SYNC_MAX_MESSAGE);
			return MHD_HTTP_CONTENT_TOO_LARGE;
		}
	}
	if (n < SYNC_HEADER_LEN + CRYPT_SIG) {
		diag_set(d, "a message is at least %u bytes, this one says %u", SYNC_HEADER_LEN + CRYPT_SIG,
			 (unsigned)n);
		return MHD_HTTP_BAD_REQUEST;
	}
	*len = (size_t)n;
	return 0;
}

unsigned center_serve_frame(const void *head, size_t n, size_t len, struct diag *d)
{
	const unsigned char *h = head;
	if (n < SYNC_HEADER_LEN) {
		diag_set(d, "the body (%zu bytes) is shorter than a message header", n);
		return MHD_HTTP_BAD_REQUEST;
	}
	if (memcmp(h, SYNC_MAGIC, 4)) {
		diag_set(d, "not a Spean sync message");
		return MHD_HTTP_BAD_REQUEST;
	}
	uint64_t body = (uint64_t)h[8] | (uint64_t)h[9] << 8 | (uint64_t)h[10] << 16 | (uint64_t)h[11] << 24;
	uint64_t total = SYNC_HEADER_LEN + body + CRYPT_SIG;
	if (total != len) {
		diag_set(d, "the message says %llu bytes, its Content-Length %zu", (unsigned long long)total, len);
		return MHD_HTTP_BAD_REQUEST;
	}
	return 0;
}

static uint64_t now_ns(void)
{
	return clock_mono_ns();
}

static struct slot *slot_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return i ? i->socket_context : NULL;
}

static void slot_phase(struct gate *g, struct slot *sl, enum phase p)
{
	if (!sl)
		return;
	pthread_mutex_lock(&g->lock);
	sl->phase = p;
	if (p == PHASE_HEAD)
		sl->start_ns = now_ns();
	if (p == PHASE_BODY)
		sl->received = 0;
	pthread_mutex_unlock(&g->lock);
}

/* Reserve n bytes of the budget for sl's body; 0 if over the budget or over its address's share. */
static int gate_reserve(struct gate *g, struct slot *sl, size_t n)
{
	int ok = 0;
	pthread_mutex_lock(&g->lock);
	size_t mine = 0;
	if (sl)
		for (struct slot *o = g->head; o; o = o->next)
			if (o->addr == sl->addr)
				mine += o->reserved;
	if (g->reserved + n <= SERVE_BODY_BUDGET && mine + n <= g->share) {
		g->reserved += n;
		if (sl)
			sl->reserved += n;
		ok = 1;
	}
	pthread_mutex_unlock(&g->lock);
	return ok;
}

static void gate_release(struct gate *g, struct slot *sl, size_t n)
{
	pthread_mutex_lock(&g->lock);
	g->reserved -= n;
	if (sl)
		sl->reserved -= n;
	pthread_mutex_unlock(&g->lock);
}

static void conn_drop_body(struct gate *g, struct slot *sl, struct conn *cn)
{
	if (!cn->body)
		return;
	mem_wipe(cn->body, cn->want);
	free(cn->body);
	cn->body = NULL;
	gate_release(g, sl, cn->want);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, void *data, size_t n, enum MHD_ResponseMemoryMode mode,
			     const char *type, int close)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(n, data, mode);
	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(data);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, SERVE_RETRY_AFTER);
	/* After a refusal the rest of what the client sent is not a request: close rather than parse it. */
	if (close)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result text(struct MHD_Connection *c, unsigned status, const char *msg)
{
	char line[600];
	int n = snprintf(line, sizeof line, "%s\n", msg);
	return reply(c, status, line, (size_t)n, MHD_RESPMEM_MUST_COPY, "text/plain; charset=utf-8", status != MHD_HTTP_OK);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			       const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	(void)version;
	struct gate *g = cls;
	struct conn *cn = *con_cls;
	struct slot *sl = slot_of(c);
	struct diag d = {""};
	if (!cn) { /* the headers are in; no body byte has been read */
		slot_phase(g, sl, PHASE_REPLY);
		if (strcmp(url, "/v1/sync"))
			return text(c, MHD_HTTP_NOT_FOUND, "not found: the center answers POST /v1/sync");
		if (strcmp(method, "POST"))
			return text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "POST a Spean sync message to /v1/sync");
		size_t want;
		unsigned st = center_serve_admit(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH),
						 MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING),
						 &want, &d);
		if (st) {
			__atomic_add_fetch(&g->refused_length, 1, __ATOMIC_RELAXED);
			return text(c, st, d.msg);
		}
		if (!gate_reserve(g, sl, want)) {
			__atomic_add_fetch(&g->refused_budget, 1, __ATOMIC_RELAXED);
			return text(c, MHD_HTTP_SERVICE_UNAVAILABLE,
				    "the center is busy with other messages; try again in " SERVE_RETRY_AFTER " s (Retry-After)");
		}
		cn = xcalloc(1, sizeof *cn);
		cn->want = want;
		cn->body = xmalloc(want);
		*con_cls = cn;
		slot_phase(g, sl, PHASE_BODY);
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		if (sl) {
			pthread_mutex_lock(&g->lock);
			sl->received += n;
			pthread_mutex_unlock(&g->lock);
		}
		if (cn->status) /* refused: the rest is read and dropped, so the refusal can be answered */
			return MHD_YES;
		if (n > cn->want - cn->len) { /* libmicrohttpd stops at the Content-Length; this cannot happen */
			cn->status = MHD_HTTP_BAD_REQUEST;
			snprintf(cn->why, sizeof cn->why, "more body than its Content-Length");
			conn_drop_body(g, sl, cn);
			return MHD_YES;
		}
		int had_head = cn->len >= SYNC_HEADER_LEN;
		memcpy(cn->body + cn->len, upload, n);
		cn->len += n;
		unsigned st;
		if (!had_head && cn->len >= SYNC_HEADER_LEN && (st = center_serve_frame(cn->body, cn->len, cn->want, &d))) {
			cn->status = st;
			snprintf(cn->why, sizeof cn->why, "%s", d.msg);
			conn_drop_body(g, sl, cn);
		}
		return MHD_YES;
	}
	/* The whole body is in. */
	slot_phase(g, sl, PHASE_REPLY);
	unsigned st = cn->status;
	if (!st && cn->len != cn->want) {
		st = MHD_HTTP_BAD_REQUEST;
		snprintf(cn->why, sizeof cn->why, "the body ended after %zu of its %zu bytes", cn->len, cn->want);
	}
	if (!st && (st = center_serve_frame(cn->body, cn->len, cn->want, &d)))
		snprintf(cn->why, sizeof cn->why, "%s", d.msg);
	if (st) {
		conn_drop_body(g, sl, cn);
		__atomic_add_fetch(&g->refused_frame, 1, __ATOMIC_RELAXED);
		return text(c, st, cn->why);
	}
	struct buf out;
	buf_init(&out);
	__atomic_add_fetch(&g->handled, 1, __ATOMIC_RELAXED);
	int rc = center_service_handle(g->service, cn->body, cn->len, &out, &d);
	conn_drop_body(g, sl, cn); /* the budget is for bodies in flight: free it before the reply is sent */
	enum MHD_Result ret;
	if (!rc) {
		/* The reply's buffer goes to libmicrohttpd as it is (a content pack is large: no copy). */
		if (out.len)
			ret = reply(c, MHD_HTTP_OK, out.data, out.len, MHD_RESPMEM_MUST_FREE, "application/octet-stream", 0);
		else
			ret = reply(c, MHD_HTTP_OK, (void *)"", 0, MHD_RESPMEM_PERSISTENT, "application/octet-stream", 0);
		if (out.len)
			buf_init(&out);
	} else if (rc == ERR_REFUSED)
		ret = text(c, MHD_HTTP_FORBIDDEN, d.msg);
	else if (rc == ERR_IO || rc == ERR_NOSPACE || rc == ERR_DAMAGED)
		ret = text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "the center cannot store right now; try again");
	else if (rc == ERR_STATE)
		ret = text(c, MHD_HTTP_SERVICE_UNAVAILABLE, d.msg);
	else if (rc == ERR_TOOBIG)
		ret = text(c, MHD_HTTP_CONTENT_TOO_LARGE, d.msg);
	else
		ret = text(c, MHD_HTTP_BAD_REQUEST, d.msg);
	buf_finish(&out);
	return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)toe;
	struct gate *g = cls;
	struct slot *sl = slot_of(c);
	struct conn *cn = *con_cls;
	if (cn) {
		conn_drop_body(g, sl, cn);
		free(cn);
		*con_cls = NULL;
	}
	/* The connection may carry another request: its headers have SERVE_HEAD_S from now. */
	slot_phase(g, sl, PHASE_HEAD);
}

/* Accept and close: the slot list is what the deadlines are checked against. */
static void notify(void *cls, struct MHD_Connection *c, void **socket_context, enum MHD_ConnectionNotificationCode code)
{
	struct gate *g = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		struct slot *sl = xcalloc(1, sizeof *sl);
		const union MHD_ConnectionInfo *fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *ad = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		sl->fd = fd ? fd->connect_fd : -1;
		if (ad && ad->client_addr && ad->client_addr->sa_family == AF_INET)
			sl->addr = ((const struct sockaddr_in *)(const void *)ad->client_addr)->sin_addr.s_addr;
		sl->phase = PHASE_HEAD;
		sl->start_ns = now_ns();
		pthread_mutex_lock(&g->lock);
		sl->next = g->head;
		if (g->head)
			g->head->prev = sl;
		g->head = sl;
		if (++g->open > g->peak_open)
			g->peak_open = g->open;
		pthread_mutex_unlock(&g->lock);
		*socket_context = sl;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		/* libmicrohttpd closes the socket after this returns: the sweep, under the lock, never sees a stale fd. */
		struct slot *sl = *socket_context;
		if (!sl)
			return;
		pthread_mutex_lock(&g->lock);
		if (sl->prev)
			sl->prev->next = sl->next;
		else
			g->head = sl->next;
		if (sl->next)
			sl->next->prev = sl->prev;
		g->open--;
		pthread_mutex_unlock(&g->lock);
		free(sl);
		*socket_context = NULL;
	}
}

/* Shut down every connection past its deadline (called once a second by the main thread). */
static void gate_sweep(struct gate *g)
{
	uint64_t now = now_ns();
	unsigned long head = 0, body = 0;
	pthread_mutex_lock(&g->lock);
	for (struct slot *sl = g->head; sl; sl = sl->next) {
		if (sl->cut || sl->fd < 0)
			continue;
		uint64_t age = now - sl->start_ns;
		int late = 0;
		if (sl->phase == PHASE_HEAD)
			late = age > (uint64_t)SERVE_HEAD_S * 1000000000u;
		else if (sl->phase == PHASE_BODY)
			late = age > (uint64_t)SERVE_REQUEST_S * 1000000000u + sl->received * 1000000000u / SERVE_MIN_RATE;
		if (!late)
			continue;
		shutdown(sl->fd, SHUT_RDWR);
		sl->cut = 1;
		if (sl->phase == PHASE_HEAD)
			head++;
		else
			body++;
	}
	g->cut_head += head;
	g->cut_body += body;
	unsigned long open = g->open;
	pthread_mutex_unlock(&g->lock);
	if (head || body)
		log_info("deadline cut_headers=%lu cut_body=%lu open=%lu", head, body, open);
}

/* Room for every connection in the file descriptor limit; returns how many connections fit. */
static unsigned fit_connections(void)
{
	struct rlimit rl;
	rlim_t want = SERVE_CONNECTIONS + 64; /* the database, the log, the listening socket, epoll */
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 1000;
	if (rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur >= want)
		return SERVE_CONNECTIONS;
	unsigned n = rl.rlim_cur > 128 ? (unsigned)(rl.rlim_cur - 64) : 64;
	log_warn("nofile=%lu connections=%u (wanted %u: raise the open file limit)", (unsigned long)rl.rlim_cur, n,
		 SERVE_CONNECTIONS);
	return n;
}

struct center_server {
	struct gate g;
	struct MHD_Daemon *dm;
};

int center_serve_start(const char *dir, const char *listen, int plain, unsigned per_address, struct center_server **out,
		       struct diag *d)
{
	*out = NULL;
	char host[64];
	unsigned port;
	struct sockaddr_in sa;
	int rc0 = center_parse_listen(listen, "--listen", "0.0.0.0:8443 or 127.0.0.1:0", &sa, host, &port, d);
	if (rc0)
		return rc0;
	if (!per_address)
		per_address = CENTER_SERVE_PER_ADDRESS;
	struct center_server *sv = xcalloc(1, sizeof *sv);
	struct gate *g = &sv->g;
	/* Raised, it says many kiosks share one address (a proxy, a tunnel): they share the whole budget too. */
	g->share = per_address > CENTER_SERVE_PER_ADDRESS ? SERVE_BODY_BUDGET : SERVE_ADDRESS_SHARE;
	pthread_mutex_init(&g->lock, NULL);
	int rc = center_service_open(dir, &g->service, d);
	if (rc)
		goto fail_lock;
	/* HTTPS with the center's own certificate (kiosks pin its key) unless told the link is private. */
	struct buf cert, key;
	buf_init(&cert);
	buf_init(&key);
	if (!plain && (rc = center_tls_load(dir, &cert, &key, d))) {
		diag_prefix(d, "HTTPS needs the center's certificate (made by init; --plain serves HTTP on a private link): ");
		goto fail;
	}
	unsigned conns = fit_connections();
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | (plain ? 0 : MHD_USE_TLS);
	sv->dm = MHD_start_daemon(
		flags, (uint16_t)port, NULL, NULL, handler, g, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_THREAD_POOL_SIZE, SERVE_THREADS, MHD_OPTION_CONNECTION_LIMIT, conns,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_address, MHD_OPTION_CONNECTION_TIMEOUT, SERVE_IDLE_S,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)512, MHD_OPTION_NOTIFY_COMPLETED, completed, g,
		MHD_OPTION_NOTIFY_CONNECTION, notify, g, MHD_OPTION_HTTPS_MEM_KEY, plain ? NULL : key.data,
		MHD_OPTION_HTTPS_MEM_CERT, plain ? NULL : cert.data, MHD_OPTION_END);
	if (!sv->dm) {
		diag_set(d, "cannot listen on %s (in use, or not an address of this PC)", listen);
		rc = ERR_IO;
		goto fail;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(sv->dm, MHD_DAEMON_INFO_BIND_PORT);
	printf("listening %s:%u %s\n", host, info ? info->port : port, plain ? "http" : "https");
	fflush(stdout);
	log_info("serving addr=%s port=%u connections=%u per_address=%u budget=%u", host, info ? info->port : port, conns,
		 per_address, SERVE_BODY_BUDGET);
	buf_finish_wipe(&cert);
	buf_finish_wipe(&key);
	*out = sv;
	return 0;
fail:
	buf_finish_wipe(&cert);
	buf_finish_wipe(&key);
	center_service_close(g->service);
fail_lock:
	pthread_mutex_destroy(&g->lock);
	free(sv);
	return rc;
}

void center_serve_tick(struct center_server *sv)
{
	gate_sweep(&sv->g);
}

void center_serve_stop(struct center_server *sv)
{
	if (!sv)
		return;
	struct gate *g = &sv->g;
	MHD_stop_daemon(sv->dm);
	struct center_service_stats st;
	center_service_stats(g->service, &st);
	fprintf(stderr, "spean-center: stopped: %lu hellos, %lu chunks, %lu records (%lu new), %lu refused\n", st.hellos,
		st.offers, st.records_in, st.records_new, st.refused);
	fprintf(stderr,
		"spean-center: connections: %lu messages handled; refused unread: %lu over the budget, %lu by their length; "
		"%lu refused by their framing; cut at the deadline: %lu in their headers, %lu in their body; at most %lu open\n",
		g->handled, g->refused_budget, g->refused_length, g->refused_frame, g->cut_head, g->cut_body, g->peak_open);
	center_service_close(g->service);
	pthread_mutex_destroy(&g->lock);
	free(sv);
}

void center_serve_block_signals(sigset_t *stop)
{
	sigemptyset(stop);
	sigaddset(stop, SIGTERM);
	sigaddset(stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, stop, NULL);
}

int center_serve(const char *dir, const char *listen, int plain, unsigned per_address, struct diag *d)
{
	/* Block the stop signals before the pool starts, so only sigtimedwait below sees them. */
	sigset_t stop;
	center_serve_block_signals(&stop);
	struct center_server *sv;
	int rc = center_serve_start(dir, listen, plain, per_address, &sv, d);
	if (rc)
		return rc;
	for (;;) {
		struct timespec second = {1, 0};
		int sig = sigtimedwait(&stop, NULL, &second);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		center_serve_tick(sv);
	}
	center_serve_stop(sv);
	return 0;
}

struct center_service *center_serve_service(struct center_server *sv)
{
	return sv ? sv->g.service : NULL;
}

int center_parse_listen(const char *listen, const char *opt, const char *example, struct sockaddr_in *sa, char host[64],
			unsigned *port, struct diag *d)
{
	const char *colon = strrchr(listen, ':');
	if (!colon || (size_t)(colon - listen) >= 64 || sscanf(colon + 1, "%u", port) != 1 || *port > 65535) {
		diag_set(d, "%s wants ADDR:PORT (e.g. %s), got '%s'", opt, example, listen);
		return ERR_INVAL;
	}
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)*port);
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
		diag_set(d, "%s: '%s' is not an IPv4 address", opt, host);
		return ERR_INVAL;
	}
	return 0;
}

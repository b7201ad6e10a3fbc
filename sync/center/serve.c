#define LOG_MODULE "serve"
/*
 * sync/center/serve: `spean-center serve`, the protocol over HTTPS (the
 * center's self-signed certificate, pinned by the kiosks) or, with --plain
 * on a private link, HTTP, on libmicrohttpd. One endpoint, POST /v1/sync: the body is one protocol
 * message, the reply is the center's. A thread pool takes the connections;
 * the service serialises the database. Bodies are bounded before they are
 * buffered (413), and a refusal is a status code with its reason as text.
 */
#include "serve.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "protocol.h"
#include "service.h"
#include "tls.h"

struct conn {
	struct buf body;
	int too_big;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const void *data, size_t n, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(n, (void *)data, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result text(struct MHD_Connection *c, unsigned status, const char *msg)
{
	char line[600];
	int n = snprintf(line, sizeof line, "%s\n", msg);
	return reply(c, status, line, (size_t)n, "text/plain; charset=utf-8");
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			       const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	(void)version;
	struct center_service *s = cls;
	struct conn *cn = *con_cls;
	if (!cn) {
		if (strcmp(url, "/v1/sync"))
			return text(c, MHD_HTTP_NOT_FOUND, "not found: the center answers POST /v1/sync");
		if (strcmp(method, "POST"))
			return text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "POST a Spean sync message to /v1/sync");
		cn = xcalloc(1, sizeof *cn);
		buf_init(&cn->body);
		*con_cls = cn;
		return MHD_YES;
	}
	if (*upload_size) {
		if (cn->body.len + *upload_size > SYNC_MAX_MESSAGE)
			cn->too_big = 1;
		else
			buf_append(&cn->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (cn->too_big)
		return text(c, MHD_HTTP_CONTENT_TOO_LARGE, "message over the size limit");
	struct buf out;
	struct diag d = {""};
	buf_init(&out);
	int rc = center_service_handle(s, cn->body.data ? cn->body.data : "", cn->body.len, &out, &d);
	enum MHD_Result ret;
	if (!rc)
		ret = reply(c, MHD_HTTP_OK, out.data, out.len, "application/octet-stream");
	else if (rc == ERR_REFUSED)
		ret = text(c, MHD_HTTP_FORBIDDEN, d.msg);
	else if (rc == ERR_IO || rc == ERR_NOSPACE || rc == ERR_DAMAGED)
		ret = text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "the center cannot store right now; try again");
	else if (rc == ERR_TOOBIG)
		ret = text(c, MHD_HTTP_CONTENT_TOO_LARGE, d.msg);
	else
		ret = text(c, MHD_HTTP_BAD_REQUEST, d.msg);
	buf_finish(&out);
	return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls, (void)c, (void)toe;
	struct conn *cn = *con_cls;
	if (cn) {
		buf_finish(&cn->body);
		free(cn);
		*con_cls = NULL;
	}
}

int center_serve(const char *dir, const char *listen, int plain, struct diag *d)
{
	char host[64];
	unsigned port;
	const char *colon = strrchr(listen, ':');
	if (!colon || (size_t)(colon - listen) >= sizeof host || sscanf(colon + 1, "%u", &port) != 1 || port > 65535) {
		diag_set(d, "--listen wants ADDR:PORT (e.g. 0.0.0.0:8443 or 127.0.0.1:0), got '%s'", listen);
		return ERR_INVAL;
	}
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		diag_set(d, "--listen: '%s' is not an IPv4 address", host);
		return ERR_INVAL;
	}
	struct center_service *s;
	int rc = center_service_open(dir, &s, d);
	if (rc)
		return rc;
	/* HTTPS with the center's own certificate (kiosks pin its key) unless told the link is private. */
	struct buf cert, key;
	buf_init(&cert);
	buf_init(&key);
	if (!plain && (rc = center_tls_load(dir, &cert, &key, d))) {
		diag_prefix(d, "HTTPS needs the center's certificate (made by init; --plain serves HTTP on a private link): ");
		buf_finish_wipe(&cert);
		buf_finish_wipe(&key);
		center_service_close(s);
		return rc;
	}
	/* Block the stop signals before the pool starts, so only sigwait below sees them. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | (plain ? 0 : MHD_USE_TLS);
	struct MHD_Daemon *dm = MHD_start_daemon(
		flags, (uint16_t)port, NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)4, MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)512,
		MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_HTTPS_MEM_KEY, plain ? NULL : key.data,
		MHD_OPTION_HTTPS_MEM_CERT, plain ? NULL : cert.data, MHD_OPTION_END);
	if (!dm) {
		diag_set(d, "cannot listen on %s (in use, or not an address of this PC)", listen);
		buf_finish_wipe(&cert);
		buf_finish_wipe(&key);
		center_service_close(s);
		return ERR_IO;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(dm, MHD_DAEMON_INFO_BIND_PORT);
	printf("listening %s:%u %s\n", host, info ? info->port : port, plain ? "http" : "https");
	fflush(stdout);
	log_info("serving addr=%s port=%u", host, info ? info->port : port);
	int sig;
	sigwait(&stop, &sig);
	MHD_stop_daemon(dm);
	buf_finish_wipe(&cert);
	buf_finish_wipe(&key);
	struct center_service_stats st;
	center_service_stats(s, &st);
	fprintf(stderr, "spean-center: stopped: %lu hellos, %lu chunks, %lu records (%lu new), %lu refused\n", st.hellos,
		st.offers, st.records_in, st.records_new, st.refused);
	center_service_close(s);
	return 0;
}

#define LOG_MODULE "http"
/*
 * sync/transport_http: the network carrier, on libcurl. One POST per
 * message on a reused connection; bounded replies; timeouts that give up
 * on a dead link but let a slow one (64 kbit/s) finish a chunk.
 */
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "protocol.h"
#include "transport.h"

/*
 * libcurl is loaded when the first transport is made, not linked: with its
 * TLS stack it is two dozen libraries and 7 ms of every start of the kiosk,
 * which syncs long after its first screen (or never, on a stick-only site).
 */
static struct {
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*easy_strerror)(CURLcode);
	void (*easy_cleanup)(CURL *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	int ok;
	char why[200];
} cu;
static pthread_once_t cu_once = PTHREAD_ONCE_INIT;

static void cu_load(void)
{
	static const char *const names[] = {"libcurl-gnutls.so.4", "libcurl.so.4"};
	void *h = NULL;
	for (size_t i = 0; i < 2 && !h; i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(cu.why, sizeof cu.why, "libcurl is not installed (%s)", dlerror());
		return;
	}
#define SYM(f, name) *(void **)(&cu.f) = dlsym(h, name)
	SYM(global_init, "curl_global_init");
	SYM(easy_init, "curl_easy_init");
	SYM(easy_setopt, "curl_easy_setopt");
	SYM(easy_perform, "curl_easy_perform");
	SYM(easy_getinfo, "curl_easy_getinfo");
	SYM(easy_strerror, "curl_easy_strerror");
	SYM(easy_cleanup, "curl_easy_cleanup");
	SYM(slist_append, "curl_slist_append");
	SYM(slist_free_all, "curl_slist_free_all");
#undef SYM
	cu.ok = cu.global_init && cu.easy_init && cu.easy_setopt && cu.easy_perform && cu.easy_getinfo && cu.easy_strerror &&
		cu.easy_cleanup && cu.slist_append && cu.slist_free_all && cu.global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
	if (!cu.ok)
		snprintf(cu.why, sizeof cu.why, "libcurl could not be set up");
}

struct http {
	struct sync_transport base;
	CURL *curl;
	char *url;
	char *pin;
	struct curl_slist *hdr;
};

struct sink {
	struct buf *b;
	int too_big;
};

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct sink *s = ctx;
	size_t len = size * n;
	if (s->b->len + len > SYNC_MAX_CONTENT_MESSAGE) {
		s->too_big = 1;
		return 0;
	}
	buf_append(s->b, p, len);
	return len;
}

static int http_exchange(struct sync_transport *t, const struct buf *req, struct buf *reply, struct diag *d)
{
	struct http *h = (struct http *)t;
	reply->len = 0;
	struct sink s = {reply, 0};
	cu.easy_setopt(h->curl, CURLOPT_POSTFIELDS, req->data);
	cu.easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->len);
	cu.easy_setopt(h->curl, CURLOPT_WRITEDATA, &s);
	CURLcode rc = cu.easy_perform(h->curl);
	if (rc != CURLE_OK) {
		diag_set(d, "%s: %s", h->url, s.too_big ? "reply over the size limit" : cu.easy_strerror(rc));
		/* Not the center we pinned: retrying cannot help, and the user must know. */
		if (rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH || rc == CURLE_PEER_FAILED_VERIFICATION) {
			log_warn("center_not_pinned err=%d", (int)rc);
			return ERR_CRYPTO;
		}
		log_warn("link_failed err=%d", (int)rc);
		return ERR_IO;
	}
	long status = 0;
	cu.easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status == 200)
		return 0;
	/* The center's reason, one line of text. */
	size_t n = reply->len;
	while (n && (reply->data[n - 1] == '\n' || reply->data[n - 1] == '\r'))
		n--;
	diag_set(d, "center said %ld: %.*s", status, (int)(n > 300 ? 300 : n), reply->data ? reply->data : "");
	reply->len = 0;
	log_warn("center_refused status=%ld", status);
	return status == 503 || status >= 500 ? ERR_IO : ERR_REFUSED;
}

static void http_destroy(struct sync_transport *t)
{
	struct http *h = (struct http *)t;
	if (!h)
		return;
	cu.easy_cleanup(h->curl);
	cu.slist_free_all(h->hdr);
	free(h->url);
	free(h->pin);
	free(h);
}

static const struct transport_ops http_ops = {"http", http_exchange, http_destroy};

int transport_http_create(struct sync_transport **out, const char *url, const char *pin, struct diag *d)
{
	*out = NULL;
	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) {
		diag_set(d, "'%s' is not an http:// or https:// address", url);
		return ERR_INVAL;
	}
	pthread_once(&cu_once, cu_load);
	if (!cu.ok) {
		diag_set(d, "%s", cu.why);
		return ERR_STATE;
	}
	struct http *h = xcalloc(1, sizeof *h);
	h->base.ops = &http_ops;
	h->curl = cu.easy_init();
	size_t n = strlen(url);
	while (n && url[n - 1] == '/')
		n--;
	struct buf u;
	buf_init(&u);
	buf_printf(&u, "%.*s/v1/sync", (int)n, url);
	h->url = u.data;
	cu.easy_setopt(h->curl, CURLOPT_URL, h->url);
	cu.easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_data);
	cu.easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	cu.easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	/* A dead link: less than 100 bytes/s for 30 s. A slow one (8 KB/s) keeps going. */
	cu.easy_setopt(h->curl, CURLOPT_LOW_SPEED_LIMIT, 100L);
	cu.easy_setopt(h->curl, CURLOPT_LOW_SPEED_TIME, 30L);
	cu.easy_setopt(h->curl, CURLOPT_USERAGENT, "spean-kiosk");
	h->hdr = cu.slist_append(NULL, "Content-Type: application/octet-stream");
	h->hdr = cu.slist_append(h->hdr, "Expect:"); /* no 100-continue round trip per chunk */
	cu.easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->hdr);
	if (pin) {
		h->pin = xstrdup(pin);
		cu.easy_setopt(h->curl, CURLOPT_PINNEDPUBLICKEY, h->pin);
		/* The pin is the trust: the center's certificate is self-signed. */
		cu.easy_setopt(h->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		cu.easy_setopt(h->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	*out = &h->base;
	return 0;
}

#define LOG_MODULE "console"
/*
 * sync/center/console: the office console over libmicrohttpd. Pages are
 * rendered on the server from ui/console's templates (every value escaped
 * by the template layer), need no script and load in one round trip (the
 * style is inline).
 *
 * Requests are opened once, at start and as new ones arrive (caught up on
 * each page), into an index held in memory: what the inbox lists, filters
 * and searches (the name and phone are personal data: memory only, wiped at
 * stop). The request page opens its request again from center.db, and that
 * opening is written to the audit log first: who saw which request, when.
 *
 * Accounts are in office.db (Argon2id hashes). A session is a random token
 * in an HttpOnly, SameSite=Strict cookie (Secure over HTTPS), in memory
 * only: it ends after CONSOLE_IDLE_S without a page, after CONSOLE_LIFE_S
 * in any case, at logout and when the program stops. Every form carries
 * its session's CSRF token (the login form a token of its own, matched
 * against a cookie). Failed logins are limited per login and per address.
 * One lock guards the index, the stores and the sessions; the password
 * hash is checked outside it (Argon2id takes a fraction of a second).
 */
#include "console.h"
#include "console_internal.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "backup.h"
#include "center.h"
#include "clock.h"
#include "console_ui.h"
#include "contentpack.h"
#include "cstore.h"
#include "fs.h"
#include "holidays.h"
#include "kv.h"
#include "log.h"
#include "mem.h"
#include "ostore.h"
#include "register.h"
#include "report_xlsx.h"
#include "screen.h"
#include "search.h"
#include "serve.h"
#include "tls.h"
#include "utf8.h"

/* One request as the inbox knows it. Strings point into the index's own allocations. */
struct item {
	uint64_t n;
	unsigned char id[STORE_ID_LEN];
	uint32_t kiosk;     /* index into kiosks */
	int64_t received;   /* office clock, seconds */
	int32_t received_day; /* days since 1970-01-01, office local date */
	int32_t deadline;   /* days since 1970-01-01, or NO_DAY */
	int32_t wd;         /* the working days the resident gave, or -1 */
	signed char outcome; /* enum outcome, or -1: does not open */
	unsigned char urgent, km;
	unsigned char state;  /* enum case_state */
	char officer[OSTORE_LOGIN_MAX + 1];
	char result[OSTORE_CODE_MAX]; /* a closed case's result code, else "" */
	char commune[6];
	char *groups;       /* "R01 R02" */
	char *name;         /* as entered (personal data) */
	char *fold;         /* the name folded for search */
	char *phone;        /* its digits */
};
#define NO_DAY INT32_MIN

static const char *const form_fields[FORM_FIELDS] = {"csrf",  "user",  "password",	"to",	"version", "officer", "code0",
						     "code1", "code2", "passphrase", "role", "name",	"key"};

/* ---- small helpers ---- */

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int32_t day_of_date(struct date dt)
{
	struct tm tm = {.tm_year = dt.y - 1900, .tm_mon = dt.m - 1, .tm_mday = dt.d, .tm_hour = 12};
	return (int32_t)(timegm(&tm) / 86400);
}

static struct date date_of_day(int32_t day)
{
	time_t t = (time_t)day * 86400 + 43200;
	struct tm tm;
	gmtime_r(&t, &tm);
	return (struct date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

static int32_t local_day(int64_t wall)
{
	time_t t = (time_t)wall;
	struct tm tm;
	localtime_r(&t, &tm);
	return day_of_date((struct date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday});
}

static void day_text(int32_t day, char out[16])
{
	struct date dt = date_of_day(day);
	snprintf(out, 16, "%04d-%02d-%02d", dt.y % 10000, dt.m % 100, dt.d % 100);
}

/* The deadline's day (center_deadline), or NO_DAY when it cannot be counted. */
static int32_t deadline_day(const struct holidays *h, struct date from, int wd)
{
	struct date dt;
	return center_deadline(h, from, wd, &dt) ? NO_DAY : day_of_date(dt);
}

/* A catalog text with {name} placeholders filled from pairs (name, value, ..., NULL). */
void con_text_fill(const struct console *c, struct buf *out, const char *key, ...)
{
	const char *t = catalog_get(c->cat, key);
	if (!t)
		t = key;
	va_list ap;
	for (const char *p = t; *p;) {
		const char *o = strchr(p, '{'), *e = o ? strchr(o, '}') : NULL;
		if (!o || !e) {
			buf_puts(out, p);
			break;
		}
		buf_append(out, p, (size_t)(o - p));
		const char *val = NULL;
		va_start(ap, key);
		for (const char *k; (k = va_arg(ap, const char *));) {
			const char *v = va_arg(ap, const char *);
			if (strlen(k) == (size_t)(e - o - 1) && !memcmp(k, o + 1, (size_t)(e - o - 1)))
				val = v;
		}
		va_end(ap);
		if (val)
			buf_puts(out, val);
		else
			buf_append(out, o, (size_t)(e - o + 1));
		p = e + 1;
	}
}

void con_tv_text(const struct console *c, struct tv *v, const char *name, const char *key, ...)
{
	struct buf b;
	buf_init(&b);
	va_list ap;
	va_start(ap, key);
	const char *k1 = va_arg(ap, const char *), *v1 = k1 ? va_arg(ap, const char *) : NULL;
	const char *k2 = k1 ? va_arg(ap, const char *) : NULL, *v2 = k2 ? va_arg(ap, const char *) : NULL;
	const char *k3 = k2 ? va_arg(ap, const char *) : NULL, *v3 = k3 ? va_arg(ap, const char *) : NULL;
	va_end(ap);
	con_text_fill(c, &b, key, k1, v1, k2, v2, k3, v3, (const char *)NULL);
	buf_append(&b, "", 0);
	tv_set(v, name, b.data);
	buf_finish(&b);
}

static const char *outcome_key(int o)
{
	switch (o) {
	case OUTCOME_LIKELY_ELIGIBLE: return "outcome.likely_eligible";
	case OUTCOME_STAFF_REVIEW: return "outcome.staff_review";
	case OUTCOME_NOT_LISTED: return "outcome.not_listed";
	case OUTCOME_OUTSIDE_SCOPE: return "outcome.outside_scope";
	}
	return "none";
}

static const char *commune_name(const struct console *c, const char *code)
{
	for (int i = 0; i < c->names.content.ncommunes; i++)
		if (!strcmp(c->names.content.communes[i].code, code))
			return c->names.content.communes[i].name;
	return NULL;
}

static const char *group_name(const struct console *c, const char *id)
{
	char key[40];
	snprintf(key, sizeof key, "group.%s", id);
	const char *t = c->names.vi ? catalog_get(c->names.vi, key) : NULL;
	return t ? t : id;
}

/* ---- the index ---- */

static void item_free(struct item *it)
{
	if (it->name)
		crypt_wipe(it->name, strlen(it->name));
	if (it->fold)
		crypt_wipe(it->fold, strlen(it->fold));
	if (it->phone)
		crypt_wipe(it->phone, strlen(it->phone));
	free(it->name);
	free(it->fold);
	free(it->phone);
	free(it->groups);
}

static uint32_t kiosk_index(struct console *c, const unsigned char pk[CSTORE_PK_LEN])
{
	for (size_t i = 0; i < c->nkiosks; i++)
		if (!memcmp(c->kiosks[i].pk, pk, CSTORE_PK_LEN))
			return (uint32_t)i;
	/* Enrolled after the start: named by its key until the next start reads the labels. */
	c->kiosks = xrealloc(c->kiosks, (c->nkiosks + 1) * sizeof *c->kiosks);
	memcpy(c->kiosks[c->nkiosks].pk, pk, CSTORE_PK_LEN);
	char hex[2 * CSTORE_PK_LEN + 1];
	hex_encode(pk, CSTORE_PK_LEN, hex);
	hex[16] = '\0';
	c->kiosks[c->nkiosks].label = xstrdup(hex);
	return (uint32_t)c->nkiosks++;
}

static int kiosk_add(void *ctx, const unsigned char pk[CSTORE_PK_LEN], const char *label)
{
	struct console *c = ctx;
	uint32_t i = kiosk_index(c, pk);
	if (label && *label) {
		free(c->kiosks[i].label);
		c->kiosks[i].label = xstrdup(label);
	}
	return 0;
}

static int case_cmp(const void *a, const void *b)
{
	return memcmp(((const struct ostore_case *)a)->key, ((const struct ostore_case *)b)->key, OSTORE_CASE_KEY);
}

static int case_load(void *ctx, const struct ostore_case *cs)
{
	struct console *c = ctx;
	c->cases = xrealloc(c->cases, (c->ncases + 1) * sizeof *c->cases);
	c->cases[c->ncases++] = *cs;
	return 0;
}

static void case_key(const unsigned char device[CSTORE_PK_LEN], const unsigned char id[STORE_ID_LEN],
		     unsigned char key[OSTORE_CASE_KEY])
{
	memcpy(key, device, CSTORE_PK_LEN);
	memcpy(key + CSTORE_PK_LEN, id, STORE_ID_LEN);
}

/* The item's case state from the register (the start's sorted copy, or office.db for a late arrival). */
static void item_case(struct console *c, struct item *it, const unsigned char device[CSTORE_PK_LEN])
{
	struct ostore_case want, got, *hit = NULL;
	struct diag d = {""};
	case_key(device, it->id, want.key);
	if (c->start)
		hit = !c->ncases ? NULL : bsearch(&want, c->cases, c->ncases, sizeof *c->cases, case_cmp);
	else if (!ostore_case_get(c->os, want.key, &got, &d))
		hit = &got;
	it->state = (unsigned char)(hit ? hit->state : CASE_NEW);
	snprintf(it->officer, sizeof it->officer, "%s", hit ? hit->officer : "");
	snprintf(it->result, sizeof it->result, "%s", hit && hit->state == CASE_CLOSED ? hit->code[2] : "");
}

static int index_one(void *ctx, const struct cstore_request *r)
{
	struct console *c = ctx;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 1024;
		c->items = xrealloc(c->items, c->cap * sizeof *c->items);
	}
	struct item *it = &c->items[c->n++];
	memset(it, 0, sizeof *it);
	it->n = r->n;
	memcpy(it->id, r->id, STORE_ID_LEN);
	it->kiosk = kiosk_index(c, r->device);
	it->received = r->received;
	it->received_day = local_day(r->received);
	it->urgent = (unsigned char)(r->urgent != 0);
	it->deadline = NO_DAY;
	it->wd = -1;
	it->outcome = -1;
	item_case(c, it, r->device);
	if (r->n > c->last_n)
		c->last_n = r->n;
	struct buf plain;
	struct request req;
	char why[96];
	buf_init(&plain);
	request_init(&req);
	if (center_open_stored(&c->keys, r, &plain, &req, why, sizeof why)) {
		c->unreadable++;
		it->name = xstrdup("");
		it->fold = xstrdup("");
		it->phone = xstrdup("");
		it->groups = xstrdup("");
	} else {
		it->outcome = (signed char)req.outcome;
		it->km = (unsigned char)(req.lang && !strcmp(req.lang, "km"));
		snprintf(it->commune, sizeof it->commune, "%s", req.contact.commune_code ? req.contact.commune_code : "");
		it->groups = xstrdup(req.groups ? req.groups : "");
		it->name = xstrdup(req.contact.name ? req.contact.name : "");
		struct buf f;
		buf_init(&f);
		search_fold(it->name, strlen(it->name), &f);
		buf_append(&f, "", 0);
		it->fold = xstrdup(f.data);
		buf_finish_wipe(&f);
		char digits[SEARCH_QUERY_MAX + 1];
		const char *ph = req.contact.phone ? req.contact.phone : "";
		it->phone = xstrdup(search_phone_parse(ph, strlen(ph), digits) ? digits : "");
		crypt_wipe(digits, sizeof digits);
		if (facts_known(&req.facts, F_DEADLINE_WORKING_DAYS)) {
			it->wd = req.facts.val[F_DEADLINE_WORKING_DAYS];
			if (facts_known(&req.facts, F_REQUEST_DATE))
				it->deadline = deadline_day(&c->names.content.holidays, req.facts.request_date, it->wd);
		}
	}
	request_finish(&req);
	buf_finish_wipe(&plain);
	return 0;
}

/* Open what arrived since the last look (under the lock); nothing while the key is under lock. */
static void index_catch_up(struct console *c)
{
	struct diag d = {""};
	if (c->keys.locked)
		return;
	size_t before = c->n;
	if (cstore_each_after(c->cs, c->last_n, index_one, c, &d))
		log_error("index_failed reason=read");
	if (c->n > before)
		log_info("indexed new=%zu total=%zu unreadable=%lu", c->n - before, c->n, c->unreadable);
}

/* ---- sessions and limits (under the lock) ---- */

static void random_hex(char out[TOKEN_HEX + 1])
{
	unsigned char b[TOKEN_HEX / 2];
	crypt_random(b, sizeof b);
	hex_encode(b, sizeof b, out);
	crypt_wipe(b, sizeof b);
}

static struct session *session_find(struct console *c, const char *token)
{
	if (!token || strlen(token) != TOKEN_HEX)
		return NULL;
	uint64_t now = mono_ms();
	for (unsigned i = 0; i < CONSOLE_SESSIONS; i++) {
		struct session *s = &c->sessions[i];
		if (!s->token[0] || crypt_memcmp(s->token, token, TOKEN_HEX))
			continue;
		if (now - s->used > CONSOLE_IDLE_S * 1000ull || now - s->created > CONSOLE_LIFE_S * 1000ull) {
			log_info("session_expired role=%s", ostore_role_name(s->role));
			memset(s, 0, sizeof *s);
			return NULL;
		}
		s->used = now;
		return s;
	}
	return NULL;
}

static struct session *session_new(struct console *c, const char *login, int role)
{
	uint64_t now = mono_ms();
	struct session *pick = &c->sessions[0];
	for (unsigned i = 0; i < CONSOLE_SESSIONS; i++) {
		struct session *s = &c->sessions[i];
		int dead = !s->token[0] || now - s->used > CONSOLE_IDLE_S * 1000ull ||
			   now - s->created > CONSOLE_LIFE_S * 1000ull;
		if (dead) {
			pick = s;
			break;
		}
		if (s->used < pick->used) /* all in use: the longest idle one ends */
			pick = s;
	}
	memset(pick, 0, sizeof *pick);
	random_hex(pick->token);
	random_hex(pick->csrf);
	snprintf(pick->login, sizeof pick->login, "%s", login);
	pick->role = role;
	pick->created = pick->used = now;
	return pick;
}

static struct limit *limit_slot(struct console *c, const char *key, int make)
{
	uint64_t now = mono_ms();
	struct limit *free_slot = NULL, *oldest = &c->limits[0];
	for (unsigned i = 0; i < CONSOLE_LIMITS; i++) {
		struct limit *l = &c->limits[i];
		if (l->key[0] && now - l->start > CONSOLE_LIMIT_WINDOW_S * 1000ull)
			memset(l, 0, sizeof *l);
		if (l->key[0] && !strcmp(l->key, key))
			return l;
		if (!l->key[0] && !free_slot)
			free_slot = l;
		if (l->start < oldest->start)
			oldest = l;
	}
	if (!make)
		return NULL;
	struct limit *l = free_slot ? free_slot : oldest;
	memset(l, 0, sizeof *l);
	snprintf(l->key, sizeof l->key, "%s", key);
	l->start = now;
	return l;
}

/* Minutes until key may try again, or 0 if it may now. */
static unsigned limit_wait(struct console *c, const char *key, unsigned max)
{
	struct limit *l = limit_slot(c, key, 0);
	if (!l || l->count < max)
		return 0;
	uint64_t left = CONSOLE_LIMIT_WINDOW_S * 1000ull - (mono_ms() - l->start);
	return (unsigned)(left / 60000u) + 1;
}

/* ---- HTTP ---- */

#define CSP_PAGE "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; " \
		 "frame-ancestors 'none'; base-uri 'none'"
/* The recording page: our own script, the microphone's audio played back from a blob, sent to ourselves. */
#define CSP_SCRIPT CSP_PAGE "; script-src 'self'; media-src 'self' blob:; connect-src 'self'"

static void headers_csp(struct MHD_Response *r, const char *type, const char *csp)
{
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	/* Personal data: never kept by a browser or a proxy. */
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, "Content-Security-Policy", csp);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
}

void con_headers(struct MHD_Response *r, const char *type)
{
	headers_csp(r, type, CSP_PAGE);
}

static void cookie(struct console *c, struct MHD_Response *r, const char *name, const char *value, int max_age)
{
	char line[256];
	snprintf(line, sizeof line, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s; Max-Age=%d", name, value,
		 c->tls ? "; Secure" : "", max_age);
	MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, line);
}

/* A page's bytes hold personal data: wiped before they are freed, once libmicrohttpd has sent them. */
struct page_mem {
	char *data;
	size_t len;
};
static void page_free(void *p)
{
	struct page_mem *m = p;
	crypt_wipe(m->data, m->len);
	free(m->data);
	free(m);
}

enum MHD_Result con_redirect(struct console *c, struct MHD_Connection *conn, const char *to, const char *ck,
				const char *ckval, int max_age)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	con_headers(r, "text/plain; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, to);
	if (ck)
		cookie(c, r, ck, ckval, max_age);
	enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_SEE_OTHER, r);
	MHD_destroy_response(r);
	return ret;
}

/* The page's common values: who is signed in (s may be NULL) and the title. */
struct tv *con_page_values(struct console *c, const struct session *s, const char *title_key)
{
	struct tv *v = tv_create();
	const char *t = catalog_get(c->cat, title_key);
	tv_set(v, "title", t ? t : title_key);
	if (s) {
		char key[32];
		snprintf(key, sizeof key, "role.%s", ostore_role_name(s->role));
		tv_set(v, "login", s->login);
		tv_set(v, "role", catalog_get(c->cat, key));
		tv_set(v, "csrf", s->csrf);
		tv_set(v, "director", s->role == OSTORE_DIRECTOR ? "1" : "");
		tv_set(v, "staff", s->role != OSTORE_OFFICER ? "1" : ""); /* the office's figures: not an officer's */
	} else
		tv_set(v, "login", "");
	tv_set(v, "locked", s && __atomic_load_n(&c->keys.locked, __ATOMIC_RELAXED) ? "1" : "");
	return v;
}

static ssize_t page_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct page_mem *m = cls;
	if (pos >= m->len)
		return MHD_CONTENT_READER_END_OF_STREAM;
	size_t n = m->len - (size_t)pos < max ? m->len - (size_t)pos : max;
	memcpy(buf, m->data + pos, n);
	return (ssize_t)n;
}

static enum MHD_Result render_csp(struct console *c, struct MHD_Connection *conn, unsigned status, const char *tmpl,
				  struct tv *v, const char *ck, const char *ckval, int max_age, const char *csp)
{
	struct buf page;
	struct diag d = {""};
	buf_init(&page);
	int rc = tmpl_render(console_templates, console_ntemplates, tmpl, v, c->cat, &page, &d);
	tv_destroy(v);
	if (rc) {
		/* A template fault, not the user's: logged (no value in it: the message names a tag), answered 500. */
		log_error("render_failed template=%s", tmpl);
		fprintf(stderr, "spean-center: console: %s\n", d.msg);
		buf_finish_wipe(&page);
		const char *m = catalog_get(c->cat, "error.server_text");
		struct MHD_Response *r = MHD_create_response_from_buffer(strlen(m), (void *)m, MHD_RESPMEM_MUST_COPY);
		con_headers(r, "text/plain; charset=utf-8");
		enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, r);
		MHD_destroy_response(r);
		return ret;
	}
	struct page_mem *m = xmalloc(sizeof *m);
	m->data = page.data;
	m->len = page.len;
	struct MHD_Response *r = MHD_create_response_from_callback(page.len, page.len ? page.len : 1, page_read, m, page_free);
	headers_csp(r, "text/html; charset=utf-8", csp);
	if (ck)
		cookie(c, r, ck, ckval, max_age);
	enum MHD_Result ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

enum MHD_Result con_render(struct console *c, struct MHD_Connection *conn, unsigned status, const char *tmpl,
			   struct tv *v, const char *ck, const char *ckval, int max_age)
{
	return render_csp(c, conn, status, tmpl, v, ck, ckval, max_age, CSP_PAGE);
}

enum MHD_Result con_render_script(struct console *c, struct MHD_Connection *conn, unsigned status, const char *tmpl,
				  struct tv *v)
{
	return render_csp(c, conn, status, tmpl, v, NULL, NULL, 0, CSP_SCRIPT);

}

enum MHD_Result con_error_page(struct console *c, struct MHD_Connection *conn, const struct session *s,
				  unsigned status, const char *title_key, const char *text_key)
{
	struct tv *v = con_page_values(c, s, title_key);
	tv_set(v, "message", catalog_get(c->cat, text_key));
	return con_render(c, conn, status, "error", v, NULL, NULL, 0);
}

const char *con_field(const struct exchange *x, const char *name)
{
	for (int i = 0; i < FORM_FIELDS; i++)
		if (!strcmp(form_fields[i], name))
			return x->f[i].seen ? x->f[i].value : NULL;
	return NULL;
}

static void client_address(struct MHD_Connection *conn, char out[INET6_ADDRSTRLEN])
{
	const union MHD_ConnectionInfo *ad = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, INET6_ADDRSTRLEN, "?");
	if (ad && ad->client_addr && ad->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ad->client_addr)->sin_addr, out,
			  INET6_ADDRSTRLEN);
	else if (ad && ad->client_addr && ad->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)ad->client_addr)->sin6_addr, out,
			  INET6_ADDRSTRLEN);
}

void con_audit(struct console *c, const char *who, const char *what, const char *target)
{
	struct diag d = {""};
	if (ostore_audit(c->os, (int64_t)time(NULL), who, what, target, &d))
		log_error("audit_failed what=%s", what);
}

/* ---- pages ---- */

static enum MHD_Result login_page(struct console *c, struct MHD_Connection *conn, unsigned status, const char *error,
				  const char *user)
{
	struct tv *v = con_page_values(c, NULL, "login.title");
	/* The browser's login token is kept while it has one: a second tab (or a favicon fetch) must not expire the first form. */
	char tok[TOKEN_HEX + 1];
	const char *have = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "spean_l");
	size_t hl = have ? strlen(have) : 0;
	int hex_ok = hl == TOKEN_HEX;
	for (size_t i = 0; hex_ok && i < hl; i++)
		hex_ok = (have[i] >= '0' && have[i] <= '9') || (have[i] >= 'a' && have[i] <= 'f');
	if (hex_ok)
		memcpy(tok, have, sizeof tok);
	else
		random_hex(tok);
	tv_set(v, "csrf", tok);
	tv_set(v, "error", error);
	tv_set(v, "user", user && ostore_login_valid(user) ? user : "");
	return con_render(c, conn, status, "login", v, "spean_l", tok, 3600);
}

static enum MHD_Result do_login(struct console *c, struct MHD_Connection *conn, const struct exchange *x)
{
	const char *user = con_field(x, "user"), *pw = con_field(x, "password"), *tok = con_field(x, "csrf");
	const char *ck = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "spean_l");
	if (!tok || !ck || strlen(tok) != TOKEN_HEX || strlen(ck) != TOKEN_HEX || crypt_memcmp(tok, ck, TOKEN_HEX))
		return login_page(c, conn, MHD_HTTP_FORBIDDEN, catalog_get(c->cat, "login.form_expired"), user);
	char addr[INET6_ADDRSTRLEN], ka[sizeof addr + 3], ku[OSTORE_LOGIN_MAX + 3];
	client_address(conn, addr);
	snprintf(ka, sizeof ka, "a:%s", addr);
	int valid = user && ostore_login_valid(user);
	snprintf(ku, sizeof ku, "u:%s", valid ? user : "-");
	char hash[OSTORE_HASH_MAX] = "";
	int role = -1;
	struct diag d = {""};
	pthread_mutex_lock(&c->lock);
	unsigned wait = limit_wait(c, ka, CONSOLE_LIMIT_ADDRESS);
	unsigned wu = valid ? limit_wait(c, ku, CONSOLE_LIMIT_LOGIN) : 0;
	if (wu > wait)
		wait = wu;
	int have = !wait && valid && !ostore_user_get(c->os, user, &role, hash, &d);
	pthread_mutex_unlock(&c->lock);
	if (wait) {
		char m[16];
		snprintf(m, sizeof m, "%u", wait);
		struct buf b;
		buf_init(&b);
		con_text_fill(c, &b, "login.limited", "m", m, (const char *)NULL);
		buf_append(&b, "", 0);
		pthread_mutex_lock(&c->lock);
		con_audit(c, valid ? user : "-", "login_limited", addr);
		pthread_mutex_unlock(&c->lock);
		log_warn("login_limited wait_min=%u", wait);
		enum MHD_Result ret = login_page(c, conn, MHD_HTTP_TOO_MANY_REQUESTS, b.data, user);
		buf_finish(&b);
		return ret;
	}
	/* The hash is checked even for an unknown login (against a random one), so the answer's time says nothing. */
	int ok = pw && !crypt_pin_verify(have ? hash : c->dummy, pw) && have;
	crypt_wipe(hash, sizeof hash);
	pthread_mutex_lock(&c->lock);
	if (!ok) {
		struct limit *l = limit_slot(c, ka, 1);
		l->count++;
		if (valid)
			limit_slot(c, ku, 1)->count++;
		con_audit(c, valid ? user : "-", "login_failed", addr);
		pthread_mutex_unlock(&c->lock);
		log_warn("login_failed");
		return login_page(c, conn, MHD_HTTP_UNAUTHORIZED, catalog_get(c->cat, "login.failed"), user);
	}
	struct limit *l = limit_slot(c, ku, 0);
	if (l)
		memset(l, 0, sizeof *l);
	struct session *s = session_new(c, user, role);
	char token[TOKEN_HEX + 1];
	memcpy(token, s->token, sizeof token);
	con_audit(c, user, "login", addr);
	pthread_mutex_unlock(&c->lock);
	log_info("login role=%s", ostore_role_name(role));
	enum MHD_Result ret = con_redirect(c, conn, "/", "spean_s", token, CONSOLE_LIFE_S);
	crypt_wipe(token, sizeof token);
	return ret;
}

/* A query parameter, or "" (libmicrohttpd has decoded it). */
static const char *arg(struct MHD_Connection *conn, const char *name)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
	return v ? v : "";
}

static void url_put(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
		    ch == '_' || ch == '.')
			buf_putc(b, (char)ch);
		else
			buf_printf(b, "%%%02X", ch);
	}
}

struct filter {
	const char *q, *outcome, *group, *commune, *lang, *kiosk, *state, *officer;
	int urgent;
	int32_t from, to;
	int code, phone; /* what q is */
	char hex[33];
	char digits[SEARCH_QUERY_MAX + 1];
	struct buf fold;
};

static int match(const struct console *c, const struct filter *f, const struct item *it)
{
	/* Voided requests (tests, duplicates) only when asked for. */
	if (*f->state ? strcmp(case_state_name(it->state), f->state) : it->state == CASE_VOIDED)
		return 0;
	if (f->officer && strcmp(it->officer, f->officer))
		return 0;
	if (f->urgent && !it->urgent)
		return 0;
	if (*f->outcome && (it->outcome < 0 || strcmp(outcome_name((enum outcome)it->outcome), f->outcome)))
		return 0;
	if (*f->commune && strcmp(it->commune, f->commune))
		return 0;
	if (*f->lang && (it->outcome < 0 || strcmp(it->km ? "km" : "vi", f->lang)))
		return 0;
	if (*f->kiosk) {
		char hex[2 * CSTORE_PK_LEN + 1];
		hex_encode(c->kiosks[it->kiosk].pk, CSTORE_PK_LEN, hex);
		if (strcmp(hex, f->kiosk))
			return 0;
	}
	if (*f->group) {
		size_t gl = strlen(f->group);
		const char *p = it->groups;
		int found = 0;
		while (p && *p && !found) {
			const char *e = strchr(p, ' ');
			size_t l = e ? (size_t)(e - p) : strlen(p);
			found = l == gl && !memcmp(p, f->group, gl);
			p = e ? e + 1 : NULL;
		}
		if (!found)
			return 0;
	}
	if (f->from != NO_DAY && it->received_day < f->from)
		return 0;
	if (f->to != NO_DAY && it->received_day > f->to)
		return 0;
	if (*f->q) {
		char hex[2 * STORE_ID_LEN + 1];
		int hit = 0;
		if (f->code) {
			hex_encode(it->id, STORE_ID_LEN, hex);
			hit = !memcmp(hex, f->hex, strlen(f->hex));
		}
		if (!hit && f->phone && it->phone[0])
			hit = strstr(it->phone, f->digits) != NULL;
		if (!hit && f->fold.len)
			hit = strstr(it->fold, f->fold.data) != NULL;
		if (!hit)
			return 0;
	}
	return 1;
}

/* KHẨN first, by deadline (nearest first; one without a date after them), then newest first. */
static const struct item *sort_base;
static int by_inbox(const void *a, const void *b)
{
	const struct item *x = &sort_base[*(const size_t *)a], *y = &sort_base[*(const size_t *)b];
	if (x->urgent != y->urgent)
		return x->urgent ? -1 : 1;
	if (x->urgent && x->deadline != y->deadline) {
		if (x->deadline == NO_DAY || y->deadline == NO_DAY)
			return x->deadline == NO_DAY ? 1 : -1;
		return x->deadline < y->deadline ? -1 : 1;
	}
	return x->n > y->n ? -1 : x->n < y->n ? 1 : 0;
}

static void deadline_text(const struct console *c, const struct item *it, int32_t today, struct buf *out)
{
	char date[16], n[16];
	if (it->deadline == NO_DAY) {
		if (it->wd < 0)
			con_text_fill(c, out, "deadline.unknown", (const char *)NULL);
		else {
			snprintf(n, sizeof n, "%d", it->wd);
			con_text_fill(c, out, "deadline.uncounted", "n", n, (const char *)NULL);
		}
		return;
	}
	day_text(it->deadline, date);
	int32_t left = it->deadline - today;
	snprintf(n, sizeof n, "%d", left < 0 ? -left : left);
	con_text_fill(c, out, left > 0 ? "deadline.days_left" : left == 0 ? "deadline.today" : "deadline.past", "date", date,
		  "n", n, (const char *)NULL);
}

static void option(struct tv *v, const char *list, const char *value, const char *label, const char *current)
{
	struct tv *o = tv_row(v, list);
	tv_set(o, "value", value);
	tv_set(o, "label", label);
	tv_set(o, "selected", !strcmp(value, current) ? "1" : "");
}

static int parse_day(const char *s, int32_t *out)
{
	struct date dt;
	*out = NO_DAY;
	if (!*s)
		return 0;
	if (date_parse(s, strlen(s), &dt))
		return -1;
	*out = day_of_date(dt);
	return 0;
}

/* The inbox's filters from the query (the export takes the same): NULL, or the catalog key of what is wrong. */
static const char *filter_init(struct MHD_Connection *conn, const struct session *s, struct filter *f)
{
	*f = (struct filter){arg(conn, "q"), arg(conn, "outcome"), arg(conn, "group"), arg(conn, "commune"),
			     arg(conn, "lang"), arg(conn, "kiosk"), arg(conn, "state"),
			     /* An officer works the cases assigned to them: their inbox holds no other. */
			     s->role == OSTORE_OFFICER ? s->login : NULL, !strcmp(arg(conn, "urgent"), "1"), NO_DAY, NO_DAY,
			     0, 0, "", "", {0}};
	buf_init(&f->fold);
	const char *bad = NULL;
	if (parse_day(arg(conn, "from"), &f->from) || parse_day(arg(conn, "to"), &f->to))
		bad = "inbox.bad_date";
	size_t ql = strlen(f->q);
	if (ql > SEARCH_QUERY_MAX) {
		bad = "inbox.bad_query";
		f->q = "";
		ql = 0;
	}
	if (ql) {
		f->code = search_code_parse(f->q, ql, f->hex);
		f->phone = search_phone_parse(f->q, ql, f->digits);
		if (!f->phone)
			search_fold(f->q, ql, &f->fold);
	}
	return bad;
}

static void filter_finish(struct filter *f)
{
	buf_finish_wipe(&f->fold);
	crypt_wipe(f->digits, sizeof f->digits);
}

static enum MHD_Result inbox(struct console *c, struct MHD_Connection *conn, struct session *s)
{
	struct filter f;
	const char *bad = filter_init(conn, s, &f);
	struct tv *v = con_page_values(c, s, "inbox.title");
	tv_set(v, "bad_query", bad ? catalog_get(c->cat, bad) : "");
	tv_set(v, "q", f.q);
	tv_set(v, "urgent_on", f.urgent ? "1" : "");
	tv_set(v, "from", bad ? "" : arg(conn, "from"));
	tv_set(v, "to", bad ? "" : arg(conn, "to"));
	unsigned long page = strtoul(arg(conn, "p"), NULL, 10);
	if (page < 1 || page > 1000000)
		page = 1;
	pthread_mutex_lock(&c->lock);
	index_catch_up(c);
	int32_t today = local_day((int64_t)time(NULL));
	static const int outcomes[] = {OUTCOME_LIKELY_ELIGIBLE, OUTCOME_STAFF_REVIEW, OUTCOME_NOT_LISTED,
				       OUTCOME_OUTSIDE_SCOPE};
	tv_list(v, "outcomes");
	for (size_t i = 0; i < 4; i++)
		option(v, "outcomes", outcome_name((enum outcome)outcomes[i]), catalog_get(c->cat, outcome_key(outcomes[i])),
		       f.outcome);
	tv_list(v, "groups");
	if (c->names.rules)
		for (int i = 0; i < c->names.rules->nslots; i++)
			option(v, "groups", c->names.rules->slot_id[i], group_name(c, c->names.rules->slot_id[i]), f.group);
	tv_list(v, "communes");
	for (int i = 0; i < c->names.content.ncommunes; i++)
		option(v, "communes", c->names.content.communes[i].code, c->names.content.communes[i].name, f.commune);
	tv_list(v, "states");
	for (int i = 0; i < CASE_NSTATES; i++) {
		char key[40];
		snprintf(key, sizeof key, "state.%s", case_state_name(i));
		option(v, "states", case_state_name(i), catalog_get(c->cat, key), f.state);
	}
	tv_list(v, "langs");
	option(v, "langs", "vi", catalog_get(c->cat, "lang.vi"), f.lang);
	option(v, "langs", "km", catalog_get(c->cat, "lang.km"), f.lang);
	tv_list(v, "kiosks");
	for (size_t i = 0; i < c->nkiosks; i++) {
		char hex[2 * CSTORE_PK_LEN + 1];
		hex_encode(c->kiosks[i].pk, CSTORE_PK_LEN, hex);
		option(v, "kiosks", hex, c->kiosks[i].label, f.kiosk);
	}
	size_t *hits = xmalloc((c->n ? c->n : 1) * sizeof *hits), nh = 0;
	for (size_t i = 0; i < c->n; i++)
		if (match(c, &f, &c->items[i]))
			hits[nh++] = i;
	sort_base = c->items;
	qsort(hits, nh, sizeof *hits, by_inbox);
	size_t first = (page - 1) * CONSOLE_PAGE;
	if (first > nh)
		first = nh;
	size_t last = first + CONSOLE_PAGE < nh ? first + CONSOLE_PAGE : nh;
	tv_list(v, "rows");
	struct buf t;
	buf_init(&t);
	for (size_t k = first; k < last; k++) {
		const struct item *it = &c->items[hits[k]];
		struct tv *r = tv_row(v, "rows");
		char code[RECORD_CODE_LEN], day[16];
		record_receipt_code(it->id, code);
		day_text(it->received_day, day);
		tv_setf(r, "n", "%llu", (unsigned long long)it->n);
		tv_set(r, "code", code);
		tv_set(r, "received", day);
		tv_set(r, "name", it->name);
		const char *cn = commune_name(c, it->commune);
		tv_set(r, "commune", cn ? cn : it->commune);
		tv_set(r, "outcome", it->outcome < 0 ? "—" : catalog_get(c->cat, outcome_key(it->outcome)));
		tv_set(r, "urgent", it->urgent ? "1" : "");
		t.len = 0;
		deadline_text(c, it, today, &t);
		buf_append(&t, "", 0);
		tv_set(r, "deadline", t.data);
		tv_set(r, "kiosk", c->kiosks[it->kiosk].label);
		char key[40];
		snprintf(key, sizeof key, "state.%s", case_state_name(it->state));
		tv_set(r, "state", catalog_get(c->cat, key));
		tv_set(r, "officer", it->officer);
	}
	buf_finish(&t);
	tv_set(v, "has_rows", nh ? "1" : "");
	char sn[24], sa[24], sb[24];
	snprintf(sn, sizeof sn, "%zu", nh);
	snprintf(sa, sizeof sa, "%zu", first + 1);
	snprintf(sb, sizeof sb, "%zu", last);
	if (nh > CONSOLE_PAGE)
		con_tv_text(c, v, "count_text", "inbox.count_of", "n", sn, "a", sa, "b", sb, (const char *)NULL);
	else
		con_tv_text(c, v, "count_text", "inbox.count", "n", sn, (const char *)NULL);
	/* The same filters on the next and previous pages. */
	static const char *const keep[] = {"q", "urgent", "outcome", "group", "commune", "lang", "kiosk", "state", "from", "to"};
	struct buf base;
	buf_init(&base);
	buf_puts(&base, "/?");
	for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
		if (*arg(conn, keep[i])) {
			buf_printf(&base, "%s=", keep[i]);
			url_put(&base, arg(conn, keep[i]));
			buf_putc(&base, '&');
		}
	tv_set(v, "prev", "");
	tv_set(v, "next", "");
	if (page > 1)
		tv_setf(v, "prev", "%sp=%lu", base.data, page - 1);
	if (last < nh)
		tv_setf(v, "next", "%sp=%lu", base.data, page + 1);
	tv_setf(v, "export", "/export.xlsx%s", base.data + 1); /* the same filters: "?...&" */
	buf_finish_wipe(&base);
	/* A search is not logged: it shows what the inbox lists to the same user, and the log's durable write
	 * (an fsync) would be most of its time. Opening, printing and changing a request are. */
	pthread_mutex_unlock(&c->lock);
	free(hits);
	filter_finish(&f);
	return con_render(c, conn, bad ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_OK, "inbox", v, NULL, NULL, 0);
}

struct opened {
	struct console *c;
	struct tv *v;
	int32_t today;
	const struct session *s;
};

static struct item *item_by_n(struct console *c, uint64_t n)
{
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->items[mid].n < n)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n && c->items[lo].n == n ? &c->items[lo] : NULL;
}

static const char *code_label(const struct console *c, const char *list, const char *code)
{
	char key[64];
	snprintf(key, sizeof key, "code.%s.%s", list, code);
	const char *t = catalog_get(c->cat, key);
	return t ? t : code;
}

static const char *state_label(const struct console *c, int st)
{
	char key[40];
	snprintf(key, sizeof key, "state.%s", case_state_name(st));
	const char *t = catalog_get(c->cat, key);
	return t ? t : case_state_name(st);
}

/* What a case's codes mean, by its state: closed aid/law/result; refused, referred, voided one reason. */
static void case_codes_text(const struct console *c, const struct ostore_case *cs, struct buf *out)
{
	static const char *const closed[3] = {"aid", "law", "result"};
	const char *one = cs->state == CASE_REFUSED ? "refusal" : cs->state == CASE_REFERRED ? "referral"
							      : cs->state == CASE_VOIDED	 ? "void"
													 : NULL;
	if (cs->state == CASE_CLOSED)
		for (int i = 0; i < 3; i++)
			buf_printf(out, "%s%s", i ? " · " : "", code_label(c, closed[i], cs->code[i]));
	else if (one)
		buf_puts(out, code_label(c, one, cs->code[0]));
}

struct officers {
	struct tv *sel;
	const char *current;
};

static int officer_option(void *ctx, const char *login, int role, int64_t created)
{
	(void)created;
	struct officers *o = ctx;
	if (role == OSTORE_OFFICER && strcmp(login, o->current))
		option(o->sel, "options", login, login, "");
	return 0;
}

static void select_codes(const struct console *c, struct tv *action, const char *name, const char *list,
			 const char *label_key)
{
	struct tv *sel = tv_row(action, "selects");
	tv_set(sel, "name", name);
	tv_set(sel, "label", catalog_get(c->cat, label_key));
	tv_list(sel, "options");
	for (const char *const *k = case_codes(list); k && *k; k++)
		option(sel, "options", *k, code_label(c, list, *k), "");
}

struct history {
	struct console *c;
	struct tv *v;
};

static int history_line(void *ctx, int64_t wall, const char *who, int from_state, const struct ostore_case *to)
{
	struct history *h = ctx;
	char when[32];
	time_t t = (time_t)wall;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	struct buf b;
	buf_init(&b);
	con_text_fill(h->c, &b, "case.history_line", "when", when, "who", who, "from", state_label(h->c, from_state), "to",
		  state_label(h->c, to->state), (const char *)NULL);
	if (to->officer[0] && to->state == CASE_ASSIGNED)
		buf_printf(&b, " (%s)", to->officer);
	size_t before = b.len;
	buf_puts(&b, " (");
	case_codes_text(h->c, to, &b);
	if (b.len == before + 2)
		b.len = before;
	else
		buf_putc(&b, ')');
	buf_append(&b, "", 0);
	tv_set(tv_row(h->v, "history"), "line", b.data);
	buf_finish(&b);
	return 0;
}

/* The case part of the request page: its state, history, and the actions this user may take from here. */
static void case_section(struct console *c, struct tv *v, const struct session *s, const struct cstore_request *r)
{
	struct ostore_case cs;
	struct diag d = {""};
	unsigned char key[OSTORE_CASE_KEY];
	case_key(r->device, r->id, key);
	ostore_case_get(c->os, key, &cs, &d); /* ERR_NOTFOUND: a new case */
	tv_set(v, "case_state", state_label(c, cs.state));
	tv_set(v, "case_state_code", case_state_name(cs.state));
	tv_set(v, "case_officer", cs.officer);
	struct buf b;
	buf_init(&b);
	case_codes_text(c, &cs, &b);
	buf_append(&b, "", 0);
	tv_set(v, "case_result", b.data);
	buf_finish(&b);
	tv_setf(v, "case_version", "%llu", (unsigned long long)cs.version);
	tv_list(v, "history");
	struct history h = {c, v};
	ostore_case_log(c->os, key, history_line, &h, &d);
	tv_list(v, "actions");
	int mine = cs.officer[0] && !strcmp(cs.officer, s->login);
	for (int to = CASE_ACCEPTED; to < CASE_NSTATES; to++) {
		if (!case_allowed(s->role, mine, cs.state, to))
			continue;
		struct tv *a = tv_row(v, "actions");
		char key2[40];
		snprintf(key2, sizeof key2, "action.%s", case_state_name(to));
		tv_set(a, "to", case_state_name(to));
		tv_set(a, "button", catalog_get(c->cat, key2));
		tv_list(a, "selects");
		if (to == CASE_ASSIGNED) {
			struct tv *sel = tv_row(a, "selects");
			tv_set(sel, "name", "officer");
			tv_set(sel, "label", catalog_get(c->cat, "field.officer"));
			tv_list(sel, "options");
			struct officers o = {sel, cs.officer};
			ostore_user_each(c->os, officer_option, &o, &d);
		} else if (to == CASE_CLOSED) {
			select_codes(c, a, "code0", "aid", "field.aid");
			select_codes(c, a, "code1", "law", "field.law");
			select_codes(c, a, "code2", "result", "field.result");
		} else if (to == CASE_REFUSED)
			select_codes(c, a, "code0", "refusal", "field.refusal");
		else if (to == CASE_REFERRED)
			select_codes(c, a, "code0", "referral", "field.referral");
		else if (to == CASE_VOIDED)
			select_codes(c, a, "code0", "void", "field.void");
	}
}

static void group_rows(const struct console *c, struct tv *v, const char *list, const char *ids, struct date on)
{
	tv_list(v, list);
	for (const char *p = ids; p && *p;) {
		const char *e = strchr(p, ' ');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		char id[16];
		if (l && l < sizeof id) {
			memcpy(id, p, l);
			id[l] = '\0';
			struct tv *r = tv_row(v, list);
			tv_set(r, "label", group_name(c, id));
			const char *cite = "";
			if (c->names.rules)
				for (int i = 0; i < c->names.rules->ngroups; i++) {
					const struct rule_group *g = &c->names.rules->groups[i];
					if (!strcmp(g->id, id) && (!date_valid(on) || rules_in_force(g, on)) && g->cite)
						cite = g->cite;
				}
			tv_set(r, "cite", cite);
		}
		p = e ? e + 1 : NULL;
	}
}

static void doc_rows(const struct console *c, struct tv *v, const char *ids, struct date on)
{
	tv_list(v, "docs");
	if (!c->names.rules)
		return;
	const char *seen[64];
	size_t ns = 0;
	for (const char *p = ids; p && *p;) {
		const char *e = strchr(p, ' ');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		for (int i = 0; i < c->names.rules->ngroups; i++) {
			const struct rule_group *g = &c->names.rules->groups[i];
			if (strlen(g->id) != l || memcmp(g->id, p, l) || (date_valid(on) && !rules_in_force(g, on)))
				continue;
			for (int j = 0; j < g->ndocs; j++) {
				size_t k = 0;
				while (k < ns && strcmp(seen[k], g->docs[j]))
					k++;
				if (k < ns || ns == 64)
					continue;
				seen[ns++] = g->docs[j];
				char key[64];
				snprintf(key, sizeof key, "doc.%s", g->docs[j]);
				const char *t = c->names.vi ? catalog_get(c->names.vi, key) : NULL;
				tv_set(tv_row(v, "docs"), "label", t ? t : g->docs[j]);
			}
		}
		p = e ? e + 1 : NULL;
	}
}

static int open_one(void *ctx, const struct cstore_request *r)
{
	struct opened *o = ctx;
	struct console *c = o->c;
	struct tv *v = o->v;
	struct buf plain;
	struct request req;
	char why[96];
	buf_init(&plain);
	request_init(&req);
	const char *bad = center_open_stored(&c->keys, r, &plain, &req, why, sizeof why);
	char code[RECORD_CODE_LEN], hex[2 * STORE_ID_LEN + 1], day[16];
	record_receipt_code(r->id, code);
	hex_encode(r->id, STORE_ID_LEN, hex);
	tv_set(v, "code", code);
	tv_set(v, "id", hex);
	tv_setf(v, "n", "%llu", (unsigned long long)r->n);
	tv_set(v, "kiosk", c->kiosks[kiosk_index(c, r->device)].label);
	day_text(local_day(r->received), day);
	tv_set(v, "received", day);
	tv_set(v, "urgent", r->urgent ? "1" : "");
	tv_set(v, "unreadable", "");
	if (bad) {
		con_tv_text(c, v, "unreadable", "req.unreadable", "why", bad, (const char *)NULL);
		tv_set(v, "consent", "");
		tv_set(v, "rules", "");
	} else {
		const struct contact *ct = &req.contact;
		tv_set(v, "name", ct->name);
		char bd[16] = "";
		if (facts_known(&req.facts, F_BIRTH_DATE))
			date_partial_format(req.facts.birth_date, bd, sizeof bd);
		tv_set(v, "birth", bd);
		tv_set(v, "phone", ct->phone);
		const char *cn = ct->commune_code ? commune_name(c, ct->commune_code) : NULL;
		if (cn)
			tv_setf(v, "commune", "%s (%s)", cn, ct->commune_code);
		else
			tv_set(v, "commune", ct->commune_code);
		tv_set(v, "address", ct->address);
		tv_set(v, "relation", ct->requester_relation && *ct->requester_relation
					      ? ct->requester_relation
					      : catalog_get(c->cat, "req.relation_self"));
		tv_set(v, "matter", ct->matter);
		tv_set(v, "lang", catalog_get(c->cat, req.lang && !strcmp(req.lang, "km") ? "lang.km" : "lang.vi"));
		tv_set(v, "outcome", catalog_get(c->cat, outcome_key((int)req.outcome)));
		struct date on = facts_known(&req.facts, F_REQUEST_DATE) ? req.facts.request_date : (struct date){0, 0, 0};
		group_rows(c, v, "groups", req.groups, on);
		group_rows(c, v, "review", req.review_groups, on);
		doc_rows(c, v, req.groups, on);
		char rd[16] = "";
		if (date_valid(on))
			snprintf(rd, sizeof rd, "%04d-%02d-%02d", on.y % 10000, on.m % 100, on.d % 100);
		tv_set(v, "request_date", rd);
		struct item it = {.deadline = NO_DAY, .wd = -1};
		if (facts_known(&req.facts, F_DEADLINE_WORKING_DAYS)) {
			it.wd = req.facts.val[F_DEADLINE_WORKING_DAYS];
			if (date_valid(on))
				it.deadline = deadline_day(&c->names.content.holidays, on, it.wd);
		}
		struct buf t;
		buf_init(&t);
		deadline_text(c, &it, o->today, &t);
		buf_append(&t, "", 0);
		tv_set(v, "deadline", t.data);
		buf_finish(&t);
		tv_set(v, "consent", ct->consent_text);
		tv_set(v, "rules", req.rules_version);
	}
	case_section(c, v, o->s, r);
	request_finish(&req);
	buf_finish_wipe(&plain);
	return 0;
}

struct printed {
	struct console *c;
	struct buf pdf;
	char code[RECORD_CODE_LEN];
	int rc;
};

static int print_one(void *ctx, const struct cstore_request *r)
{
	struct printed *p = ctx;
	struct buf plain;
	struct request req;
	char why[96], dev[2 * CSTORE_PK_LEN + 1], day[16];
	struct diag d = {""};
	buf_init(&plain);
	request_init(&req);
	record_receipt_code(r->id, p->code);
	if (center_open_stored(&p->c->keys, r, &plain, &req, why, sizeof why))
		p->rc = ERR_CRYPTO;
	else {
		/* The kiosk by its name on the form's reference line, not its key. */
		snprintf(dev, sizeof dev, "%s", p->c->kiosks[kiosk_index(p->c, r->device)].label);
		day_text(local_day(r->received), day);
		struct report_item it = {&req, dev, r->seq, r->n, day, NULL, NULL, NULL};
		p->rc = report_form_pdf(&it, &p->c->names.rn, &p->pdf, &d);
		if (p->rc)
			log_error("pdf_failed n=%llu", (unsigned long long)r->n);
	}
	request_finish(&req);
	buf_finish_wipe(&plain);
	return 0;
}

static enum MHD_Result pdf_page(struct console *c, struct MHD_Connection *conn, const struct session *s,
				unsigned long long n)
{
	char target[32];
	snprintf(target, sizeof target, "request %llu", n);
	struct printed p = {c, {0}, "", ERR_NOTFOUND};
	buf_init(&p.pdf);
	struct diag d = {""};
	pthread_mutex_lock(&c->lock);
	con_audit(c, s->login, "print", target);
	cstore_get(c->cs, (uint64_t)n, print_one, &p, &d);
	pthread_mutex_unlock(&c->lock);
	if (p.rc) {
		buf_finish_wipe(&p.pdf);
		return con_error_page(c, conn, s, p.rc == ERR_NOTFOUND ? MHD_HTTP_NOT_FOUND : MHD_HTTP_INTERNAL_SERVER_ERROR,
				  p.rc == ERR_NOTFOUND ? "error.not_found" : "error.server",
				  p.rc == ERR_NOTFOUND ? "error.not_found_text" : "error.server_text");
	}
	struct page_mem *m = xmalloc(sizeof *m);
	m->data = p.pdf.data;
	m->len = p.pdf.len;
	struct MHD_Response *r = MHD_create_response_from_callback(m->len, m->len ? m->len : 1, page_read, m, page_free);
	con_headers(r, "application/pdf");
	char disp[96];
	snprintf(disp, sizeof disp, "inline; filename=\"mau02-%s.pdf\"", p.code);
	MHD_add_response_header(r, "Content-Disposition", disp);
	enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	log_info("form_printed n=%llu role=%s", n, ostore_role_name(s->role));
	return ret;
}

static enum MHD_Result request_page(struct console *c, struct MHD_Connection *conn, struct session *s, const char *num)
{
	char *e = NULL;
	unsigned long long n = strtoull(num, &e, 10);
	int pdf = e && !strcmp(e, "/form.pdf");
	if (!*num || (*e && !pdf) || !n || num[0] == '0' || (size_t)(e - num) > 19)
		return con_error_page(c, conn, s, MHD_HTTP_NOT_FOUND, "error.not_found", "error.not_found_text");
	struct tv *v = con_page_values(c, s, "req.title");
	struct opened o = {c, v, local_day((int64_t)time(NULL)), s};
	struct diag d = {""};
	char target[32];
	snprintf(target, sizeof target, "request %llu", n);
	pthread_mutex_lock(&c->lock);
	if (c->keys.locked) {
		pthread_mutex_unlock(&c->lock);
		tv_destroy(v);
		return con_error_page(c, conn, s, MHD_HTTP_SERVICE_UNAVAILABLE, "key.locked_title", "key.locked");
	}
	if (s->role == OSTORE_OFFICER) { /* an officer opens the cases assigned to them, no other */
		index_catch_up(c);
		const struct item *it = item_by_n(c, (uint64_t)n);
		if (!it || strcmp(it->officer, s->login)) {
			con_audit(c, s->login, "open_refused", target);
			pthread_mutex_unlock(&c->lock);
			tv_destroy(v);
			return con_error_page(c, conn, s, MHD_HTTP_FORBIDDEN, "error.forbidden", "error.forbidden_text");
		}
	}
	if (pdf) {
		pthread_mutex_unlock(&c->lock);
		tv_destroy(v);
		return pdf_page(c, conn, s, n);
	}
	/* Written before the request is opened: no page shows a request that the log does not name. */
	con_audit(c, s->login, "open", target);
	int rc = cstore_get(c->cs, (uint64_t)n, open_one, &o, &d);
	pthread_mutex_unlock(&c->lock);
	if (rc) {
		tv_destroy(v);
		return con_error_page(c, conn, s, MHD_HTTP_NOT_FOUND, "error.not_found", "error.not_found_text");
	}
	log_info("request_opened n=%llu role=%s", n, ostore_role_name(s->role));
	return con_render(c, conn, MHD_HTTP_OK, "request", v, NULL, NULL, 0);
}

struct audit_rows {
	struct tv *v;
};

static int audit_row(void *ctx, uint64_t n, int64_t wall, const char *who, const char *what, const char *target)
{
	struct audit_rows *a = ctx;
	struct tv *r = tv_row(a->v, "entries");
	char when[32];
	time_t t = (time_t)wall;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	tv_setf(r, "n", "%llu", (unsigned long long)n);
	tv_set(r, "when", when);
	tv_set(r, "who", who);
	tv_set(r, "what", what);
	tv_set(r, "target", target);
	return 0;
}

/* The backups a restore may come from: the .spbak files in DIR/backups, newest name first (names carry their date). */
static int backup_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a);
}

static void backups_list(struct console *c, struct tv *v)
{
	tv_list(v, "backups");
	char *bdir = fs_join(c->dir, "backups");
	DIR *dd = opendir(bdir);
	char **names = NULL;
	size_t n = 0;
	for (struct dirent *e; dd && (e = readdir(dd));) {
		size_t l = strlen(e->d_name);
		if (l > 6 && l < 100 && !strcmp(e->d_name + l - 6, ".spbak") && e->d_name[0] != '.') {
			names = xrealloc(names, (n + 1) * sizeof *names);
			names[n++] = xstrdup(e->d_name);
		}
	}
	if (dd)
		closedir(dd);
	if (n)
		qsort(names, n, sizeof *names, backup_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i < 50)
			tv_set(tv_row(v, "backups"), "name", names[i]);
		free(names[i]);
	}
	free(names);
	free(bdir);
}

static enum MHD_Result audit_page(struct console *c, struct MHD_Connection *conn, struct session *s)
{
	if (s->role != OSTORE_DIRECTOR)
		return con_error_page(c, conn, s, MHD_HTTP_FORBIDDEN, "error.forbidden", "error.forbidden_text");
	struct tv *v = con_page_values(c, s, "audit.title");
	tv_list(v, "entries");
	backups_list(c, v);
	char *lf = fs_join(c->dir, CENTER_LOCKED_FILE);
	tv_set(v, "wrapped", fs_exists(lf) ? "1" : "");
	free(lf);
	struct audit_rows a = {v};
	struct diag d = {""};
	pthread_mutex_lock(&c->lock);
	con_audit(c, s->login, "audit_view", "");
	ostore_audit_each(c->os, CONSOLE_AUDIT_ROWS, audit_row, &a, &d);
	pthread_mutex_unlock(&c->lock);
	return con_render(c, conn, MHD_HTTP_OK, "audit", v, NULL, NULL, 0);
}

struct change {
	struct console *c;
	const struct session *s;
	const struct exchange *x;
	unsigned status;  /* the answer: 303 done, else an error page's status */
	const char *why;  /* its catalog key */
	unsigned long long n;
};

static int change_one(void *ctx, const struct cstore_request *r)
{
	struct change *ch = ctx;
	struct console *c = ch->c;
	const struct exchange *x = ch->x;
	struct ostore_case cs;
	struct diag d = {""};
	unsigned char key[OSTORE_CASE_KEY];
	case_key(r->device, r->id, key);
	int rc = ostore_case_get(c->os, key, &cs, &d);
	if (rc && rc != ERR_NOTFOUND) {
		ch->status = MHD_HTTP_SERVICE_UNAVAILABLE, ch->why = "error.server_text";
		return 0;
	}
	const char *to_s = con_field(x, "to"), *ver = con_field(x, "version");
	int to = case_state_find(to_s);
	char *e = NULL;
	unsigned long long version = ver ? strtoull(ver, &e, 10) : 0;
	if (to < 0 || !ver || !*ver || *e) {
		ch->status = MHD_HTTP_BAD_REQUEST, ch->why = "case.bad_choice";
		return 0;
	}
	if (version != cs.version) {
		ch->status = MHD_HTTP_CONFLICT, ch->why = "case.conflict";
		return 0;
	}
	int mine = cs.officer[0] && !strcmp(cs.officer, ch->s->login);
	if (!case_allowed(ch->s->role, mine, cs.state, to)) {
		ch->status = MHD_HTTP_FORBIDDEN, ch->why = "case.not_allowed";
		return 0;
	}
	int from = cs.state;
	struct ostore_case next = cs;
	next.state = to;
	memset(next.code, 0, sizeof next.code);
	const char *c0 = con_field(x, "code0"), *c1 = con_field(x, "code1"), *c2 = con_field(x, "code2");
	int ok = 1;
	if (to == CASE_CLOSED) {
		ok = case_code_valid("aid", c0) && case_code_valid("law", c1) && case_code_valid("result", c2);
		if (ok) {
			snprintf(next.code[0], sizeof next.code[0], "%s", c0);
			snprintf(next.code[1], sizeof next.code[1], "%s", c1);
			snprintf(next.code[2], sizeof next.code[2], "%s", c2);
		}
	} else if (to == CASE_REFUSED || to == CASE_REFERRED || to == CASE_VOIDED) {
		const char *list = to == CASE_REFUSED ? "refusal" : to == CASE_REFERRED ? "referral" : "void";
		ok = case_code_valid(list, c0);
		if (ok)
			snprintf(next.code[0], sizeof next.code[0], "%s", c0);
	} else if (to == CASE_ASSIGNED) {
		const char *who = con_field(x, "officer");
		int role = -1;
		char hash[OSTORE_HASH_MAX];
		ok = who && ostore_login_valid(who) && !ostore_user_get(c->os, who, &role, hash, &d) &&
		     role == OSTORE_OFFICER && strcmp(who, cs.officer);
		crypt_wipe(hash, sizeof hash);
		if (ok)
			snprintf(next.officer, sizeof next.officer, "%s", who);
	}
	if (!ok) {
		ch->status = MHD_HTTP_BAD_REQUEST, ch->why = "case.bad_choice";
		return 0;
	}
	char target[64];
	snprintf(target, sizeof target, "request %llu: %s", ch->n, case_state_name(to));
	rc = ostore_case_set(c->os, &next, from, ch->s->login, target, (int64_t)time(NULL), &d);
	if (rc == ERR_CONFLICT) {
		ch->status = MHD_HTTP_CONFLICT, ch->why = "case.conflict";
		return 0;
	}
	if (rc) {
		ch->status = MHD_HTTP_SERVICE_UNAVAILABLE, ch->why = "error.server_text";
		return 0;
	}
	struct item *it = item_by_n(c, ch->n);
	if (it) {
		it->state = (unsigned char)next.state;
		snprintf(it->officer, sizeof it->officer, "%s", next.officer);
		snprintf(it->result, sizeof it->result, "%s", next.state == CASE_CLOSED ? next.code[2] : "");
	}
	ch->status = MHD_HTTP_SEE_OTHER;
	return 0;
}

static enum MHD_Result case_change(struct console *c, struct MHD_Connection *conn, const struct session *s,
				   const char *num, const struct exchange *x)
{
	char *e = NULL;
	unsigned long long n = strtoull(num, &e, 10);
	if (!*num || strcmp(e, "/case") || !n || num[0] == '0')
		return con_error_page(c, conn, s, MHD_HTTP_NOT_FOUND, "error.not_found", "error.not_found_text");
	struct change ch = {c, s, x, MHD_HTTP_NOT_FOUND, "error.not_found_text", n};
	struct diag d = {""};
	pthread_mutex_lock(&c->lock);
	index_catch_up(c);
	cstore_get(c->cs, (uint64_t)n, change_one, &ch, &d);
	pthread_mutex_unlock(&c->lock);
	if (ch.status == MHD_HTTP_SEE_OTHER) {
		char to[48];
		snprintf(to, sizeof to, "/r/%llu", n);
		return con_redirect(c, conn, to, NULL, NULL, 0);
	}
	log_warn("case_refused status=%u", ch.status);
	return con_error_page(c, conn, s, ch.status,
			  ch.status == MHD_HTTP_FORBIDDEN ? "error.forbidden" : ch.status == MHD_HTTP_NOT_FOUND ? "error.not_found" : "case.title",
			  ch.why);
}

/* ---- the XLSX export ---- */

struct exporting {
	struct console *c;
	struct report_xlsx *x;
	const struct item *it;
	unsigned long rows, unreadable;
};

static int export_one(void *ctx, const struct cstore_request *r)
{
	struct exporting *e = ctx;
	struct console *c = e->c;
	struct buf plain;
	struct request req;
	char why[96], day[16], deadline[16] = "";
	buf_init(&plain);
	request_init(&req);
	if (center_open_stored(&c->keys, r, &plain, &req, why, sizeof why))
		e->unreadable++;
	else {
		day_text(local_day(r->received), day);
		if (e->it->deadline != NO_DAY)
			day_text(e->it->deadline, deadline);
		struct report_item ri = {&req, "", r->seq, r->n, day, NULL, NULL, NULL};
		struct report_xlsx_extra x = {c->kiosks[e->it->kiosk].label, deadline[0] ? deadline : NULL,
					      state_label(c, e->it->state), e->it->officer};
		report_xlsx_row(e->x, &ri, &c->names.rn, &x);
		e->rows++;
	}
	request_finish(&req);
	buf_finish_wipe(&plain);
	return 0;
}

/*
 * The inbox as filtered, as XLSX, downloaded. libxlsxwriter writes to a path: here a memfd's, so the
 * workbook never lands in a file; its parts pass through unlinked temporary files in the data dir.
 */
static enum MHD_Result send_xlsx(struct console *c, struct MHD_Connection *conn, const struct session *s, int fd, int rc,
				 const char *name);

static enum MHD_Result export_xlsx(struct console *c, struct MHD_Connection *conn, struct session *s)
{
	struct filter f;
	const char *bad = filter_init(conn, s, &f);
	if (bad) {
		filter_finish(&f);
		return con_error_page(c, conn, s, MHD_HTTP_BAD_REQUEST, "inbox.title", bad);
	}
	int fd = memfd_create("spean-export", MFD_CLOEXEC);
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct exporting e = {c, NULL, NULL, 0, 0};
	struct diag d = {""};
	int rc = fd < 0 ? ERR_IO : 0;
	pthread_mutex_lock(&c->lock);
	if (!rc && c->keys.locked)
		rc = ERR_STATE;
	if (!rc)
		rc = report_xlsx_open(path, c->dir, &e.x, &d);
	if (!rc) {
		index_catch_up(c);
		size_t *hits = xmalloc((c->n ? c->n : 1) * sizeof *hits), nh = 0;
		for (size_t i = 0; i < c->n; i++)
			if (match(c, &f, &c->items[i]))
				hits[nh++] = i;
		sort_base = c->items;
		qsort(hits, nh, sizeof *hits, by_inbox);
		for (size_t k = 0; k < nh; k++) {
			e.it = &c->items[hits[k]];
			cstore_get(c->cs, e.it->n, export_one, &e, &d);
		}
		free(hits);
		rc = report_xlsx_close(e.x, &d);
		char target[48];
		snprintf(target, sizeof target, "%lu requests", e.rows);
		con_audit(c, s->login, "export", target);
	}
	pthread_mutex_unlock(&c->lock);
	filter_finish(&f);
	enum MHD_Result ret = send_xlsx(c, conn, s, fd, rc, "attachment; filename=\"yeu-cau-%Y%m%d-%H%M.xlsx\"");
	log_info("exported rows=%lu unreadable=%lu", e.rows, e.unreadable);
	return ret;
}

/* ---- accounts (the director's) ---- */

struct users_rows {
	struct console *c;
	struct tv *v;
	const char *self;
};

static int user_row(void *ctx, const char *login, int role, int64_t created)
{
	struct users_rows *u = ctx;
	struct tv *r = tv_row(u->v, "users");
	char key[32], day[16];
	snprintf(key, sizeof key, "role.%s", ostore_role_name(role));
	day_text(local_day(created), day);
	tv_set(r, "login", login);
	tv_set(r, "role", catalog_get(u->c->cat, key));
	tv_set(r, "created", day);
	tv_set(r, "others", strcmp(login, u->self) ? "1" : ""); /* no one disables themself */
	return 0;
}

static enum MHD_Result users_page(struct console *c, struct MHD_Connection *conn, const struct session *s,
				  unsigned status, const char *message)
{
	if (s->role != OSTORE_DIRECTOR)
		return con_error_page(c, conn, s, MHD_HTTP_FORBIDDEN, "error.forbidden", "error.forbidden_text");
	struct tv *v = con_page_values(c, s, "users.title");
	tv_list(v, "users");
	tv_set(v, "message", message ? catalog_get(c->cat, message) : "");
	tv_list(v, "roles");
	for (int i = 0; i < 3; i++) {
		char key[32];
		snprintf(key, sizeof key, "role.%s", ostore_role_name(i));
		option(v, "roles", ostore_role_name(i), catalog_get(c->cat, key), "clerk");
	}
	struct users_rows u = {c, v, s->login};
	struct diag d = {""};
	pthread_mutex_lock(&c->lock);
	ostore_user_each(c->os, user_row, &u, &d);
	pthread_mutex_unlock(&c->lock);
	return con_render(c, conn, status, "users", v, NULL, NULL, 0);
}

static enum MHD_Result users_action(struct console *c, struct MHD_Connection *conn, const struct session *s,
				    const char *what, const struct exchange *x)
{
	if (s->role != OSTORE_DIRECTOR)
		return con_error_page(c, conn, s, MHD_HTTP_FORBIDDEN, "error.forbidden", "error.forbidden_text");
	const char *login = con_field(x, "user");
	struct diag d = {""};
	if (!login || !ostore_login_valid(login))
		return users_page(c, conn, s, MHD_HTTP_BAD_REQUEST, "users.bad_login");
	if (!strcmp(what, "disable")) {
		if (!strcmp(login, s->login))
			return users_page(c, conn, s, MHD_HTTP_BAD_REQUEST, "users.not_self");
		pthread_mutex_lock(&c->lock);
		int rc = ostore_user_disable(c->os, login, &d);
		if (!rc) {
			/* Signed in somewhere: not any more. */
			for (unsigned i = 0; i < CONSOLE_SESSIONS; i++)
				if (c->sessions[i].token[0] && !strcmp(c->sessions[i].login, login))
					memset(&c->sessions[i], 0, sizeof c->sessions[i]);
			con_audit(c, s->login, "user_disabled", login);
		}
		pthread_mutex_unlock(&c->lock);
		return users_page(c, conn, s, rc ? MHD_HTTP_NOT_FOUND : MHD_HTTP_OK, rc ? "users.no_such" : "users.disabled");
	}
	const char *pw = con_field(x, "password");
	int role = ostore_role_find(con_field(x, "role"));
	if (role < 0)
		return users_page(c, conn, s, MHD_HTTP_BAD_REQUEST, "users.bad_role");
	if (!pw || strlen(pw) < 10)
		return users_page(c, conn, s, MHD_HTTP_BAD_REQUEST, "users.short");
	char hash[OSTORE_HASH_MAX];
	if (crypt_pin_hash(hash, pw)) /* Argon2id: outside the lock */
		return users_page(c, conn, s, MHD_HTTP_INTERNAL_SERVER_ERROR, "error.server_text");
	pthread_mutex_lock(&c->lock);
	int rc = ostore_user_add(c->os, login, role, hash, (int64_t)time(NULL), &d);
	if (!rc)
		con_audit(c, s->login, "user_added", login);
	pthread_mutex_unlock(&c->lock);
	crypt_wipe(hash, sizeof hash);
	return users_page(c, conn, s, rc == ERR_EXISTS ? MHD_HTTP_CONFLICT : rc ? MHD_HTTP_INTERNAL_SERVER_ERROR : MHD_HTTP_OK,
			  rc == ERR_EXISTS ? "users.exists" : rc ? "error.server_text" : "users.added");
}

/* ---- the fleet ---- */

/* A pack a kiosk refused (a pack_refused alert: its version and why), the last one per kiosk. */
struct refusal {
	char hex[2 * CSTORE_PK_LEN + 1];
	unsigned long long version;
	char detail[160];
};

struct fleet_rows {
	struct console *c;
	struct tv *v;
	int64_t now;
	unsigned quiet;
	struct refusal *ref;
	size_t nref;
};

static int refusal_seen(void *ctx, int64_t wall, const char *kind, const char *device_hex, const char *detail)
{
	(void)wall;
	struct fleet_rows *f = ctx;
	unsigned long long v;
	if (strcmp(kind, "pack_refused") || !device_hex || !detail || sscanf(detail, "content pack %llu", &v) != 1)
		return 0;
	size_t i = 0;
	while (i < f->nref && strcmp(f->ref[i].hex, device_hex))
		i++;
	if (i == f->nref) {
		f->ref = xrealloc(f->ref, (f->nref + 1) * sizeof *f->ref);
		f->nref++;
		snprintf(f->ref[i].hex, sizeof f->ref[i].hex, "%s", device_hex);
	}
	f->ref[i].version = v; /* oldest first: the last one stays */
	const char *why = strstr(detail, "kiosk: ");
	snprintf(f->ref[i].detail, sizeof f->ref[i].detail, "%s", why ? why + 7 : "?");
	return 0;
}

static void when_text(int64_t wall, char *out, size_t n)
{
	time_t t = (time_t)wall;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M", &tm);
}

static int fleet_row(void *ctx, const struct cstore_kiosk *k)
{
	struct fleet_rows *f = ctx;
	struct tv *r = tv_row(f->v, "kiosks");
	char hex[2 * CSTORE_PK_LEN + 1], when[32] = "", days[24] = "";
	hex_encode(k->pk, CSTORE_PK_LEN, hex);
	tv_set(r, "key", hex);
	tv_setf(r, "short", "%.16s", hex);
	tv_set(r, "label", k->label);
	if (k->last_contact) {
		when_text(k->last_contact, when, sizeof when);
		snprintf(days, sizeof days, "%lld", (long long)((f->now - k->last_contact) / 86400));
	}
	tv_set(r, "last", when);
	tv_set(r, "days", days);
	int quiet = !k->revoked && (!k->last_contact || f->now - k->last_contact > CONSOLE_QUIET_DAYS * 86400LL);
	f->quiet += (unsigned)quiet;
	tv_set(r, "quiet", quiet ? "1" : "");
	tv_set(r, "revoked", k->revoked ? "1" : "");
	tv_setf(r, "held", "%u", k->held);
	tv_setf(r, "requests", "%llu", (unsigned long long)k->requests);
	tv_setf(r, "hellos", "%llu", (unsigned long long)k->hellos);
	char last_req[32] = "";
	if (k->last_request)
		when_text(k->last_request, last_req, sizeof last_req);
	tv_set(r, "last_request", last_req);
	/* What the kiosk said of itself (hello extension 2); an older kiosk says nothing. */
	const struct cstore_facts *fa = &k->facts;
	tv_set(r, "facts", fa->known ? "1" : "");
	tv_setf(r, "urgent_held", "%u", fa->known ? fa->urgent_held : 0);
	tv_setf(r, "pack", "%llu", (unsigned long long)fa->pack);
	tv_set(r, "program", fa->program ? fa->program : "");
	if (fa->free_mib == UINT32_MAX)
		tv_set(r, "free", "?");
	else
		tv_setf(r, "free", "%u MiB", fa->free_mib);
	if (fa->battery < 0)
		tv_set(r, "battery", "—");
	else
		tv_setf(r, "battery", "%d%%", fa->battery);
	/* Its clock beside the office's at that contact: a kiosk's clock is shown, never trusted. */
	char kc[32] = "";
	if (fa->known && fa->clock > 0)
		when_text(fa->clock, kc, sizeof kc);
	tv_set(r, "clock", kc);
	long long off = fa->known && fa->clock > 0 ? (long long)(fa->clock - k->last_contact) : 0;
	tv_set(r, "clock_off", off > 300 || off < -300 ? "1" : "");
	/* The last pack it refused, while it has not installed one as new since. */
	tv_set(r, "refused", "");
	for (size_t i = 0; i < f->nref; i++)
		if (!strcmp(f->ref[i].hex, hex) && f->ref[i].version > fa->pack) {
			char key[sizeof f->ref[i].detail + 16], v[24];
			snprintf(key, sizeof key, "fleet.refusal.%s", f->ref[i].detail);
			snprintf(v, sizeof v, "%llu", f->ref[i].version);
			const char *why = catalog_get(f->c->cat, key);
			con_tv_text(f->c, r, "refused", "fleet.refused", "v", v, "why", why ? why : f->ref[i].detail,
				    (const char *)NULL);
		}
	return 0;
}

static enum MHD_Result fleet_page(struct console *c, struct MHD_Connection *conn, const struct session *s,
				  unsigned status, const char *message)
{
	if (s->role == OSTORE_OFFICER)
		return con_error_page(c, conn, s, MHD_HTTP_FORBIDDEN, "error.forbidden", "error.forbidden_text");
	struct tv *v = con_page_values(c, s, "fleet.title");
	tv_list(v, "kiosks");
	tv_set(v, "message", message ? catalog_get(c->cat, message) : "");
	char q[16];
	snprintf(q, sizeof q, "%d", CONSOLE_QUIET_DAYS);
	con_tv_text(c, v, "note", "fleet.note", "d", q, (const char *)NULL);
	struct fleet_rows f = {c, v, (int64_t)time(NULL), 0, NULL, 0};
	struct diag d = {""};
	pthread_mutex_lock(&c->lock);
	cstore_each_alert(c->cs, refusal_seen, &f, &d);
	cstore_each_kiosk(c->cs, fleet_row, &f, &d);
	pthread_mutex_unlock(&c->lock);
	free(f.ref);
	return con_render(c, conn, status, "fleet", v, NULL, NULL, 0);
}

static enum MHD_Result fleet_action(struct console *c, struct MHD_Connection *conn, const struct session *s,
				    const char *what, const struct exchange *x)
{
	if (s->role != OSTORE_DIRECTOR)
		return con_error_page(c, conn, s, MHD_HTTP_FORBIDDEN, "error.forbidden", "error.forbidden_text");
	const char *hex = con_field(x, "officer"); /* the kiosk's key (the form reuses a field) */
	unsigned char pk[CSTORE_PK_LEN];
	if (!hex || strlen(hex) != 2 * CSTORE_PK_LEN || hex_decode(hex, 2 * CSTORE_PK_LEN, pk, sizeof pk))
		return fleet_page(c, conn, s, MHD_HTTP_BAD_REQUEST, "fleet.no_such");
	struct diag d = {""};
	int rc;
	pthread_mutex_lock(&c->lock);
	if (!strcmp(what, "rename")) {
		const char *label = con_field(x, "code0");
		size_t ll = label ? strlen(label) : 0;
		if (!ll || ll > 100 || !utf8_safe(label, ll)) {
			pthread_mutex_unlock(&c->lock);
			return fleet_page(c, conn, s, MHD_HTTP_BAD_REQUEST, "fleet.bad_name");
		}
		rc = cstore_kiosk_rename(c->cs, pk, label, &d);
		if (!rc) {
			uint32_t i = kiosk_index(c, pk);
			free(c->kiosks[i].label);
			c->kiosks[i].label = xstrdup(label);
			con_audit(c, s->login, "kiosk_renamed", hex);
		}
	} else {
		rc = cstore_kiosk_revoke(c->cs, pk, &d);
		if (!rc)
			con_audit(c, s->login, "kiosk_revoked", hex);
	}
	pthread_mutex_unlock(&c->lock);
	return fleet_page(c, conn, s, rc ? MHD_HTTP_NOT_FOUND : MHD_HTTP_OK,
			  rc ? "fleet.no_such" : !strcmp(what, "rename") ? "fleet.renamed" : "fleet.revoked");
}

/* ---- statistics ---- */

/* One section's counts by key (a code, or a label): a small table, linear in the distinct keys (few). */
struct tally {
	char key[64][48];
	unsigned long n[64];
	size_t k;
	unsigned long other; /* keys past 64 */
};

static void tally(struct tally *t, const char *key)
{
	for (size_t i = 0; i < t->k; i++)
		if (!strcmp(t->key[i], key)) {
			t->n[i]++;
			return;
		}
	if (t->k == 64) {
		t->other++;
		return;
	}
	snprintf(t->key[t->k], sizeof t->key[t->k], "%s", key);
	t->n[t->k++] = 1;
}

/* The order a tally is shown in, on the page and in the workbook: biggest first, then by key. */
static void tally_order(const struct tally *t, size_t order[64])
{
	int used[64] = {0};
	for (size_t r = 0; r < t->k; r++) {
		size_t best = t->k;
		for (size_t i = 0; i < t->k; i++)
			if (!used[i] && (best == t->k || t->n[i] > t->n[best] ||
					 (t->n[i] == t->n[best] && strcmp(t->key[i], t->key[best]) < 0)))
				best = i;
		used[best] = 1;
		order[r] = best;
	}
}

/* A section as an SVG bar chart's rows: biggest first, bars scaled to the biggest. */
static void chart(const struct console *c, struct tv *v, const char *title_key, struct tally *t,
		  const char *(*label)(const struct console *c, const char *key))
{
	struct tv *sec = tv_row(v, "sections");
	tv_set(sec, "title", catalog_get(c->cat, title_key));
	tv_list(sec, "bars");
	unsigned long max = 0;
	for (size_t i = 0; i < t->k; i++)
		if (t->n[i] > max)
			max = t->n[i];
	size_t rows = 0, order[64];
	tally_order(t, order);
	for (size_t r = 0; r < t->k; r++) {
		size_t best = order[r];
		struct tv *b = tv_row(sec, "bars");
		tv_set(b, "label", label ? label(c, t->key[best]) : t->key[best]);
		tv_set(b, "key", t->key[best]);
		tv_setf(b, "count", "%lu", t->n[best]);
		tv_setf(b, "y", "%zu", rows * 22);
		tv_setf(b, "ty", "%zu", rows * 22 + 14);
		tv_setf(b, "w", "%lu", max ? 1 + t->n[best] * 359 / max : 1);
		tv_setf(b, "tx", "%lu", (max ? 1 + t->n[best] * 359 / max : 1) + 266);
		rows++;
	}
	if (t->other) {
		struct tv *b = tv_row(sec, "bars");
		tv_set(b, "label", "…");
		tv_set(b, "key", "other");
		tv_setf(b, "count", "%lu", t->other);
		tv_setf(b, "y", "%zu", rows * 22);
		tv_setf(b, "ty", "%zu", rows * 22 + 14);
		tv_set(b, "w", "1");
		tv_set(b, "tx", "267");
		rows++;
	}
	tv_setf(sec, "height", "%zu", rows * 22 + 4);
}

static const char *lbl_commune(const struct console *c, const char *k)
{
	const char *n = commune_name(c, k);
	return n ? n : k;
}
static const char *lbl_group(const struct console *c, const char *k)
{
	return group_name(c, k);
}
static const char *lbl_outcome(const struct console *c, const char *k)
{
	int o = outcome_find(k, strlen(k));
	return o < 0 ? k : catalog_get(c->cat, outcome_key(o));
}
static const char *lbl_lang(const struct console *c, const char *k)
{
	return catalog_get(c->cat, !strcmp(k, "km") ? "lang.km" : "lang.vi");
}
static const char *lbl_state(const struct console *c, const char *k)
{
	return state_label(c, case_state_find(k));
}
static const char *lbl_result(const struct console *c, const char *k)
{
	return code_label(c, "result", k);
}

/* The statistics' sections, in the order shown: a tally each. */
static const struct {
	const char *title;
	const char *(*label)(const struct console *c, const char *key);
} stats_dims[] = {{"stats.by_kiosk", NULL},	   {"stats.by_commune", lbl_commune}, {"stats.by_group", lbl_group},
		  {"stats.by_outcome", lbl_outcome}, {"stats.by_lang", lbl_lang},	      {"stats.by_state", lbl_state},
		  {"stats.by_result", lbl_result}};
#define STATS_DIMS (sizeof stats_dims / sizeof stats_dims[0])

struct stats_run {
	struct tally t[STATS_DIMS];
	unsigned long total, urgent, voided, unreadable;
};

/* Count the requests received from..to (NO_DAY: open) into r: call under c->lock. */
static void stats_count(struct console *c, int32_t from, int32_t to, struct stats_run *r)
{
	index_catch_up(c);
	for (size_t i = 0; i < c->n; i++) {
		const struct item *it = &c->items[i];
		if ((from != NO_DAY && it->received_day < from) || (to != NO_DAY && it->received_day > to))
			continue;
		if (it->state == CASE_VOIDED) { /* tests and duplicates are out of the statistics */
			r->voided++;
			continue;
		}
		if (it->outcome < 0) {
			r->unreadable++;
			continue;
		}
		r->total++;
		r->urgent += it->urgent;
		tally(&r->t[0], c->kiosks[it->kiosk].label);
		tally(&r->t[1], it->commune);
		for (const char *p = it->groups; p && *p;) {
			const char *e = strchr(p, ' ');
			char g[48];
			size_t l = e ? (size_t)(e - p) : strlen(p);
			snprintf(g, sizeof g, "%.*s", (int)(l < 40 ? l : 40), p);
			if (l)
				tally(&r->t[2], g);
			p = e ? e + 1 : NULL;
		}
		tally(&r->t[3], outcome_name((enum outcome)it->outcome));
		tally(&r->t[4], it->km ? "km" : "vi");
		tally(&r->t[5], case_state_name(it->state));
		if (it->result[0])
			tally(&r->t[6], it->result);
	}
}

/* The statistics' date range from the query: 0, or 1 for a bad date (then both are open). */
static int stats_range(struct MHD_Connection *conn, int32_t *from, int32_t *to)
{
	int bad = parse_day(arg(conn, "from"), from) || parse_day(arg(conn, "to"), to);
	if (bad)
		*from = *to = NO_DAY;
	return bad;
}

static enum MHD_Result stats_page(struct console *c, struct MHD_Connection *conn, struct session *s)
{
	if (s->role == OSTORE_OFFICER)
		return con_error_page(c, conn, s, MHD_HTTP_FORBIDDEN, "error.forbidden", "error.forbidden_text");
	int32_t from, to;
	struct tv *v = con_page_values(c, s, "stats.title");
	int bad = stats_range(conn, &from, &to);
	tv_set(v, "bad_query", bad ? catalog_get(c->cat, "inbox.bad_date") : "");
	tv_set(v, "from", bad ? "" : arg(conn, "from"));
	tv_set(v, "to", bad ? "" : arg(conn, "to"));
	struct buf q;
	buf_init(&q);
	buf_puts(&q, "/stats.xlsx?from=");
	url_put(&q, bad ? "" : arg(conn, "from"));
	buf_puts(&q, "&to=");
	url_put(&q, bad ? "" : arg(conn, "to"));
	tv_set(v, "xlsx", q.data);
	buf_finish(&q);
	struct stats_run *r = xcalloc(1, sizeof *r);
	pthread_mutex_lock(&c->lock);
	stats_count(c, from, to, r);
	tv_list(v, "sections");
	for (size_t i = 0; i < STATS_DIMS; i++)
		chart(c, v, stats_dims[i].title, &r->t[i], stats_dims[i].label);
	pthread_mutex_unlock(&c->lock);
	char n[24], u[24], vo[24], un[24];
	snprintf(n, sizeof n, "%lu", r->total);
	snprintf(u, sizeof u, "%lu", r->urgent);
	snprintf(vo, sizeof vo, "%lu", r->voided);
	snprintf(un, sizeof un, "%lu", r->unreadable);
	tv_set(v, "total", n);
	con_tv_text(c, v, "summary", "stats.summary", "n", n, "u", u, "v", vo, (const char *)NULL);
	tv_set(v, "unreadable", r->unreadable ? un : "");
	free(r);
	return con_render(c, conn, bad ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_OK, "stats", v, NULL, NULL, 0);
}

/* The same figures as an XLSX workbook: a section per dimension, biggest first, the range and totals on top. */
static int stats_sheet(struct console *c, int32_t from, int32_t to, const char *path)
{
	struct stats_run *r = xcalloc(1, sizeof *r);
	struct report_xlsx *x;
	struct diag d = {""};
	char fd_[16] = "…", td[16] = "…";
	if (from != NO_DAY)
		day_text(from, fd_);
	if (to != NO_DAY)
		day_text(to, td);
	struct buf title;
	buf_init(&title);
	pthread_mutex_lock(&c->lock);
	stats_count(c, from, to, r);
	char n[24], u[24], vo[24];
	snprintf(n, sizeof n, "%lu", r->total);
	snprintf(u, sizeof u, "%lu", r->urgent);
	snprintf(vo, sizeof vo, "%lu", r->voided);
	con_text_fill(c, &title, "stats.sheet_title", "from", fd_, "to", td, (const char *)NULL);
	buf_puts(&title, " · ");
	con_text_fill(c, &title, "stats.summary", "n", n, "u", u, "v", vo, (const char *)NULL);
	buf_append(&title, "", 0);
	int rc = report_xlsx_stats_open(path, c->dir, title.data, &x, &d);
	for (size_t i = 0; !rc && i < STATS_DIMS; i++) {
		struct tally *t = &r->t[i];
		report_xlsx_heading(x, catalog_get(c->cat, stats_dims[i].title), catalog_get(c->cat, "stats.count"));
		size_t order[64];
		tally_order(t, order); /* as on the page */
		for (size_t k = 0; k < t->k; k++) {
			size_t best = order[k];
			report_xlsx_count(x, stats_dims[i].label ? stats_dims[i].label(c, t->key[best]) : t->key[best], t->n[best]);
		}
		if (t->other)
			report_xlsx_count(x, "…", t->other);
	}
	if (!rc)
		rc = report_xlsx_close(x, &d);
	pthread_mutex_unlock(&c->lock);
	buf_finish(&title);
	free(r);
	return rc;
}

/* An XLSX made in a memfd (libxlsxwriter writes only to paths) sent as a download named by the strftime name. */
static enum MHD_Result send_xlsx(struct console *c, struct MHD_Connection *conn, const struct session *s, int fd, int rc,
				 const char *name)
{
	struct buf out;
	buf_init(&out);
	off_t size = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;
	if (!rc && size > 0) {
		buf_reserve(&out, (size_t)size);
		if (pread(fd, out.data, (size_t)size, 0) != size)
			rc = ERR_IO;
		else
			out.len = (size_t)size;
	}
	if (fd >= 0)
		close(fd);
	if (rc || !out.len) {
		buf_finish_wipe(&out);
		if (rc == ERR_STATE)
			return con_error_page(c, conn, s, MHD_HTTP_SERVICE_UNAVAILABLE, "key.locked_title", "key.locked");
		log_error("export_failed");
		return con_error_page(c, conn, s, MHD_HTTP_INTERNAL_SERVER_ERROR, "error.server", "error.server_text");
	}
	struct page_mem *m = xmalloc(sizeof *m);
	m->data = out.data;
	m->len = out.len;
	struct MHD_Response *r = MHD_create_response_from_callback(m->len, m->len, page_read, m, page_free);
	con_headers(r, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
	char disp[96];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(disp, sizeof disp, name, &tm);
	MHD_add_response_header(r, "Content-Disposition", disp);
	enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result stats_xlsx(struct console *c, struct MHD_Connection *conn, struct session *s)
{
	if (s->role == OSTORE_OFFICER)
		return con_error_page(c, conn, s, MHD_HTTP_FORBIDDEN, "error.forbidden", "error.forbidden_text");
	int32_t from, to;
	if (stats_range(conn, &from, &to))
		return con_error_page(c, conn, s, MHD_HTTP_BAD_REQUEST, "stats.title", "inbox.bad_date");
	int fd = memfd_create("spean-stats", MFD_CLOEXEC);
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	int rc = fd < 0 ? ERR_IO : stats_sheet(c, from, to, path);
	pthread_mutex_lock(&c->lock);
	con_audit(c, s->login, "stats_export", "");
	pthread_mutex_unlock(&c->lock);
	return send_xlsx(c, conn, s, fd, rc, "attachment; filename=\"thong-ke-%Y%m%d-%H%M.xlsx\"");
}

/* ---- the key under lock ---- */

static void forget_index(struct console *c)
{
	for (size_t i = 0; i < c->n; i++)
		item_free(&c->items[i]);
	c->n = 0;
	c->last_n = 0;
	c->unreadable = 0;
}

/* The page for a key action tried too often ("k:LOGIN" in the limits, like logins): 429 with the minutes left. */
static enum MHD_Result key_limited(struct console *c, struct MHD_Connection *conn, const struct session *s,
				   const char *title, unsigned wait)
{
	char m[16];
	snprintf(m, sizeof m, "%u", wait);
	struct tv *v = con_page_values(c, s, title);
	con_tv_text(c, v, "message", "login.limited", "m", m, (const char *)NULL);
	return con_render(c, conn, MHD_HTTP_TOO_MANY_REQUESTS, "error", v, NULL, NULL, 0);
}

static enum MHD_Result key_action(struct console *c, struct MHD_Connection *conn, const struct session *s, int unlock,
				  const struct exchange *x)
{
	if (s->role != OSTORE_DIRECTOR)
		return con_error_page(c, conn, s, MHD_HTTP_FORBIDDEN, "error.forbidden", "error.forbidden_text");
	if (!unlock) {
		pthread_mutex_lock(&c->lock);
		crypt_wipe(c->keys.sk, sizeof c->keys.sk);
		__atomic_store_n(&c->keys.locked, 1, __ATOMIC_RELAXED);
		forget_index(c); /* names and phones leave memory with the key */
		if (c->key_hook)
			c->key_hook(c->key_ctx, NULL);
		con_audit(c, s->login, "key_lock", "");
		pthread_mutex_unlock(&c->lock);
		log_info("key_locked by=director");
		return con_redirect(c, conn, "/", NULL, NULL, 0);
	}
	char ku[OSTORE_LOGIN_MAX + 3];
	snprintf(ku, sizeof ku, "k:%s", s->login);
	pthread_mutex_lock(&c->lock);
	unsigned wait = limit_wait(c, ku, CONSOLE_LIMIT_LOGIN);
	struct center_keys k = c->keys;
	pthread_mutex_unlock(&c->lock);
	if (wait)
		return key_limited(c, conn, s, "key.locked_title", wait);
	const char *pass = con_field(x, "passphrase");
	struct diag d = {""};
	/* Argon2id over 256 MiB: a second, outside the lock (pages go on meanwhile). */
	int rc = k.locked && pass ? center_key_unlock(c->dir, &k, pass, &d) : k.locked ? ERR_CRYPTO : 0;
	pthread_mutex_lock(&c->lock);
	if (rc) {
		limit_slot(c, ku, 1)->count++;
		con_audit(c, s->login, "key_unlock_failed", "");
	} else if (c->keys.locked) {
		memcpy(c->keys.sk, k.sk, sizeof k.sk);
		__atomic_store_n(&c->keys.locked, 0, __ATOMIC_RELAXED);
		if (c->key_hook)
			c->key_hook(c->key_ctx, c->keys.sk);
		con_audit(c, s->login, "key_unlock", "");
		index_catch_up(c);
	}
	pthread_mutex_unlock(&c->lock);
	center_keys_wipe(&k);
	if (rc) {
		log_warn("key_unlock_failed");
		return con_error_page(c, conn, s, rc == ERR_CRYPTO ? MHD_HTTP_FORBIDDEN : MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "key.locked_title", rc == ERR_CRYPTO ? "key.wrong" : "error.server_text");
	}
	log_info("key_unlocked by=director");
	return con_redirect(c, conn, "/", NULL, NULL, 0);
}

/* The director's new passphrase for the locked key: the current one and the new one typed twice; limited like unlocks. */
static enum MHD_Result passphrase_action(struct console *c, struct MHD_Connection *conn, const struct session *s,
					 const struct exchange *x)
{
	if (s->role != OSTORE_DIRECTOR)
		return con_error_page(c, conn, s, MHD_HTTP_FORBIDDEN, "error.forbidden", "error.forbidden_text");
	const char *old = con_field(x, "passphrase"), *pass = con_field(x, "password"), *again = con_field(x, "to");
	char ku[OSTORE_LOGIN_MAX + 3];
	snprintf(ku, sizeof ku, "k:%s", s->login);
	pthread_mutex_lock(&c->lock);
	unsigned wait = limit_wait(c, ku, CONSOLE_LIMIT_LOGIN);
	pthread_mutex_unlock(&c->lock);
	if (wait)
		return key_limited(c, conn, s, "key.change_title", wait);
	if (!old || !pass || !again || strcmp(pass, again))
		return con_error_page(c, conn, s, MHD_HTTP_BAD_REQUEST, "key.change_title", "key.change_differ");
	struct diag d = {""};
	/* Two Argon2id derivations over 256 MiB: outside the lock. */
	int rc = center_key_rewrap(c->dir, old, pass, &d);
	pthread_mutex_lock(&c->lock);
	if (rc == ERR_CRYPTO)
		limit_slot(c, ku, 1)->count++;
	con_audit(c, s->login, rc ? "key_passphrase_failed" : "key_passphrase_changed", "");
	pthread_mutex_unlock(&c->lock);
	if (rc) {
		log_warn("key_passphrase_failed rc=%d", rc);
		return con_error_page(c, conn, s,
				      rc == ERR_CRYPTO ? MHD_HTTP_FORBIDDEN
				      : rc == ERR_INVAL || rc == ERR_STATE ? MHD_HTTP_BAD_REQUEST
									   : MHD_HTTP_INTERNAL_SERVER_ERROR,
				      "key.change_title",
				      rc == ERR_CRYPTO ? "key.wrong"
				      : rc == ERR_INVAL ? "backup.short"
				      : rc == ERR_STATE ? "key.change_unlocked"
							: "error.server_text");
	}
	log_info("key_passphrase_changed by=director");
	struct tv *v = con_page_values(c, s, "key.change_title");
	tv_set(v, "message", catalog_get(c->cat, "key.changed"));
	return con_render(c, conn, MHD_HTTP_OK, "done", v, NULL, NULL, 0);
}

/*
 * The director's backup button: the whole center into DIR/backups/ (made 0700), sealed by the passphrase
 * typed in the form; the page says where. Outside the console's lock (Argon2id, then the copy).
 */
static enum MHD_Result backup_action(struct console *c, struct MHD_Connection *conn, const struct session *s,
				     const struct exchange *x)
{
	if (s->role != OSTORE_DIRECTOR)
		return con_error_page(c, conn, s, MHD_HTTP_FORBIDDEN, "error.forbidden", "error.forbidden_text");
	const char *pass = con_field(x, "passphrase");
	struct diag d = {""};
	char *bdir = fs_join(c->dir, "backups"), name[64], *path = NULL;
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(name, sizeof name, "spean-center-%Y%m%d-%H%M%S.spbak", &tm);
	unsigned files = 0;
	int rc = !pass || strlen(pass) < CENTER_PASSPHRASE_MIN ? ERR_INVAL : fs_mkdir_p(bdir, 0700, &d);
	if (!rc) {
		path = fs_join(bdir, name);
		rc = center_backup(c->dir, path, pass, &files, &d);
	}
	pthread_mutex_lock(&c->lock);
	con_audit(c, s->login, rc ? "backup_failed" : "backup", rc ? "" : name);
	pthread_mutex_unlock(&c->lock);
	struct tv *v = con_page_values(c, s, "backup.title");
	if (rc == ERR_INVAL)
		tv_set(v, "message", catalog_get(c->cat, "backup.short"));
	else if (rc) {
		log_error("backup_failed rc=%d", rc);
		tv_set(v, "message", catalog_get(c->cat, "backup.failed"));
	} else {
		char n[16];
		snprintf(n, sizeof n, "%u", files);
		con_tv_text(c, v, "message", "backup.done", "path", path, "n", n, (const char *)NULL);
	}
	free(bdir);
	free(path);
	return con_render(c, conn, rc ? (rc == ERR_INVAL ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_INTERNAL_SERVER_ERROR) : MHD_HTTP_OK,
		      rc ? "error" : "done", v, NULL, NULL, 0);
}

/*
 * The director's restore: a backup from DIR/backups/ decrypted and checked into DIR/restore.pending
 * (center_restore_stage, outside the lock: Argon2id, then the copy), then the program starts again on it
 * (run applies it before it opens anything; the center as it was is kept in DIR/before-restore-DATE).
 */
static enum MHD_Result restore_action(struct console *c, struct MHD_Connection *conn, const struct session *s,
				      const struct exchange *x)
{
	if (s->role != OSTORE_DIRECTOR)
		return con_error_page(c, conn, s, MHD_HTTP_FORBIDDEN, "error.forbidden", "error.forbidden_text");
	const char *pass = con_field(x, "passphrase"), *name = con_field(x, "name");
	size_t l = name ? strlen(name) : 0;
	if (!name || l <= 6 || l >= 100 || strcmp(name + l - 6, ".spbak") || name[0] == '.' || strchr(name, '/') ||
	    !content_key_ok(name, l))
		return con_error_page(c, conn, s, MHD_HTTP_BAD_REQUEST, "restore.title", "restore.no_such");
	char *bdir = fs_join(c->dir, "backups"), *path = fs_join(bdir, name);
	struct diag d = {""};
	unsigned files = 0;
	int rc = !fs_exists(path) ? ERR_NOTFOUND : !pass ? ERR_CRYPTO : center_restore_stage(c->dir, path, pass, &files, &d);
	free(bdir);
	free(path);
	pthread_mutex_lock(&c->lock);
	con_audit(c, s->login, rc ? "restore_failed" : "restore_staged", name);
	pthread_mutex_unlock(&c->lock);
	if (rc) {
		log_warn("restore_failed rc=%d", rc);
		return con_error_page(c, conn, s,
				      rc == ERR_NOTFOUND ? MHD_HTTP_NOT_FOUND
				      : rc == ERR_CRYPTO || rc == ERR_PARSE ? MHD_HTTP_FORBIDDEN
				      : rc == ERR_EXISTS			 ? MHD_HTTP_CONFLICT
										 : MHD_HTTP_INTERNAL_SERVER_ERROR,
				      "restore.title",
				      rc == ERR_NOTFOUND ? "restore.no_such"
				      : rc == ERR_CRYPTO || rc == ERR_PARSE ? "restore.wrong"
				      : rc == ERR_EXISTS			 ? "restore.waiting"
										 : "restore.failed");
	}
	log_info("restore_staged files=%u", files);
	char n[16];
	snprintf(n, sizeof n, "%u", files);
	struct tv *v = con_page_values(c, s, "restore.title");
	con_tv_text(c, v, "message", "restore.done", "n", n, (const char *)NULL);
	__atomic_store_n(&c->restart, 1, __ATOMIC_RELEASE);
	return con_render(c, conn, MHD_HTTP_OK, "done", v, NULL, NULL, 0);
}

int console_restart_wanted(struct console *c)
{
	return c && __atomic_load_n(&c->restart, __ATOMIC_ACQUIRE);
}

void console_set_key_hook(struct console *c, void (*fn)(void *ctx, const unsigned char *sk), void *ctx)
{
	pthread_mutex_lock(&c->lock);
	c->key_hook = fn;
	c->key_ctx = ctx;
	pthread_mutex_unlock(&c->lock);
}

/* ---- dispatch ---- */

static enum MHD_Result post_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
				  const char *content_type, const char *encoding, const char *data, uint64_t off, size_t size)
{
	(void)kind, (void)filename, (void)content_type, (void)encoding;
	struct exchange *x = cls;
	if (content_blob_field(key)) {
		if (off != x->blob.len || x->blob.len + size > x->max) {
			x->too_big = 1;
			return MHD_NO;
		}
		buf_append(&x->blob, data, size);
		return MHD_YES;
	}
	for (int i = 0; i < FORM_FIELDS; i++) {
		if (strcmp(form_fields[i], key))
			continue;
		if (off != x->f[i].len || x->f[i].len + size > CONSOLE_FIELD_MAX) {
			x->too_big = 1;
			return MHD_NO;
		}
		memcpy(x->f[i].value + x->f[i].len, data, size);
		x->f[i].len += size;
		x->f[i].value[x->f[i].len] = '\0';
		x->f[i].seen = 1;
	}
	return MHD_YES;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			       const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	(void)version;
	struct console *c = cls;
	struct exchange *x = *con_cls;
	int post = !strcmp(method, "POST");
	if (!x) {
		x = xcalloc(1, sizeof *x);
		*con_cls = x;
		if (post) {
			x->max = content_body_max(url);
			const char *len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
			if (len && strtoull(len, NULL, 10) > x->max)
				x->too_big = 1;
			else
				x->pp = MHD_create_post_processor(conn, 1024, post_field, x);
			/*
			 * A body that is not a urlencoded or multipart form has no processor: nothing of it is read,
			 * but for a recording sent by the page's script (audio/wav), kept whole in the blob.
			 */
		}
		return MHD_YES;
	}
	if (*upload_size) {
		x->body += *upload_size;
		if (x->body > x->max)
			x->too_big = 1;
		if (!x->too_big && x->pp)
			MHD_post_process(x->pp, upload, *upload_size); /* a field over its size sets too_big */
		else if (!x->too_big && !strncmp(url, "/content/voice/", 15))
			buf_append(&x->blob, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (!post && strcmp(method, "GET") && strcmp(method, "HEAD"))
		return con_error_page(c, conn, NULL, MHD_HTTP_METHOD_NOT_ALLOWED, "error.not_found", "error.not_found_text");
	if (x->too_big) {
		struct tv *v = con_page_values(c, NULL, "error.server");
		tv_set(v, "message", catalog_get(c->cat, "error.too_big"));
		return con_render(c, conn, MHD_HTTP_CONTENT_TOO_LARGE, "error", v, NULL, NULL, 0);
	}
	if (!strcmp(url, "/favicon.ico")) { /* none: answered at once, not sent to the login page */
		struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_NO_CONTENT, r);
		MHD_destroy_response(r);
		return ret;
	}
	if (!strcmp(url, "/login")) {
		if (post)
			return do_login(c, conn, x);
		return login_page(c, conn, MHD_HTTP_OK, "", NULL);
	}
	/* Everything else needs a session. */
	const char *tok = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "spean_s");
	pthread_mutex_lock(&c->lock);
	struct session *found = session_find(c, tok), s;
	if (found)
		s = *found;
	pthread_mutex_unlock(&c->lock);
	if (!found) {
		if (post)
			return login_page(c, conn, MHD_HTTP_FORBIDDEN, catalog_get(c->cat, "login.expired"), NULL);
		return con_redirect(c, conn, "/login", NULL, NULL, 0);
	}
	if (post) {
		/* Every form carries its session's CSRF token; SameSite=Strict is the second wall, not the only one. */
		const char *t = con_field(x, "csrf");
		if (!t) /* the recording page's script sends it as a header (a page elsewhere cannot set one) */
			t = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Spean-Csrf");
		if (!t || strlen(t) != TOKEN_HEX || crypt_memcmp(t, s.csrf, TOKEN_HEX)) {
			log_warn("csrf_refused");
			return con_error_page(c, conn, &s, MHD_HTTP_FORBIDDEN, "error.forbidden", "error.csrf");
		}
		if (!strcmp(url, "/logout")) {
			pthread_mutex_lock(&c->lock);
			struct session *live = session_find(c, tok);
			if (live)
				memset(live, 0, sizeof *live);
			con_audit(c, s.login, "logout", "");
			pthread_mutex_unlock(&c->lock);
			return con_redirect(c, conn, "/login", "spean_s", "", 0);
		}
		if (!strncmp(url, "/r/", 3))
			return case_change(c, conn, &s, url + 3, x);
		if (!strcmp(url, "/backup"))
			return backup_action(c, conn, &s, x);
		if (!strcmp(url, "/restore"))
			return restore_action(c, conn, &s, x);
		if (!strcmp(url, "/key/passphrase"))
			return passphrase_action(c, conn, &s, x);
		if (!strncmp(url, "/content/", 9))
			return content_post(c, conn, &s, url, x);
		if (!strcmp(url, "/kiosks/rename") || !strcmp(url, "/kiosks/revoke"))
			return fleet_action(c, conn, &s, url + 8, x);
		if (!strcmp(url, "/users/add") || !strcmp(url, "/users/disable"))
			return users_action(c, conn, &s, url + 7, x);
		if (!strcmp(url, "/key/unlock") || !strcmp(url, "/key/lock"))
			return key_action(c, conn, &s, !strcmp(url, "/key/unlock"), x);
		return con_error_page(c, conn, &s, MHD_HTTP_NOT_FOUND, "error.not_found", "error.not_found_text");
	}
	if (!strcmp(url, "/"))
		return inbox(c, conn, &s);
	if (!strncmp(url, "/r/", 3))
		return request_page(c, conn, &s, url + 3);
	if (!strcmp(url, "/audit"))
		return audit_page(c, conn, &s);
	if (!strcmp(url, "/stats"))
		return stats_page(c, conn, &s);
	if (!strcmp(url, "/stats.xlsx"))
		return stats_xlsx(c, conn, &s);
	if (!strcmp(url, "/export.xlsx"))
		return export_xlsx(c, conn, &s);
	if (!strcmp(url, "/users"))
		return users_page(c, conn, &s, MHD_HTTP_OK, NULL);
	if (!strcmp(url, "/kiosks"))
		return fleet_page(c, conn, &s, MHD_HTTP_OK, NULL);
	if (!strcmp(url, "/content") || !strncmp(url, "/content/", 9) || !strncmp(url, "/static/", 8))
		return content_get(c, conn, &s, url);
	return con_error_page(c, conn, &s, MHD_HTTP_NOT_FOUND, "error.not_found", "error.not_found_text");
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls, (void)conn, (void)toe;
	struct exchange *x = *con_cls;
	if (!x)
		return;
	if (x->pp)
		MHD_destroy_post_processor(x->pp);
	buf_finish(&x->blob);
	crypt_wipe(x, sizeof *x); /* a password, maybe */
	free(x);
	*con_cls = NULL;
}

/* ---- start and stop ---- */

static int count_user(void *ctx, const char *login, int role, int64_t created)
{
	(void)login, (void)role, (void)created;
	++*(unsigned *)ctx;
	return 0;
}

static int is_loopback(const struct sockaddr_in *sa)
{
	return (ntohl(sa->sin_addr.s_addr) >> 24) == 127;
}

int console_start(const char *dir, const char *content_dir, const char *listen, struct console **out, struct diag *d)
{
	*out = NULL;
	char host[64];
	unsigned port;
	struct sockaddr_in sa;
	int rc0 = center_parse_listen(listen, "--console-listen", "127.0.0.1:8080", &sa, host, &port, d);
	if (rc0)
		return rc0;
	struct console *c = xcalloc(1, sizeof *c);
	pthread_mutex_init(&c->lock, NULL);
	c->dir = xstrdup(dir);
	c->tls = !is_loopback(&sa);
	struct buf cert, key;
	buf_init(&cert);
	buf_init(&key);
	int rc = catalog_parse((const char *)console_catalog_vi, console_catalog_vi_len, &c->cat, d);
	if (rc) {
		diag_prefix(d, "the console's catalog: ");
		goto fail;
	}
	if ((rc = center_load(dir, &c->keys, d)) || (rc = cstore_open(dir, &c->cs, d)) || (rc = ostore_open(dir, &c->os, d)))
		goto fail;
	if (c->tls && (rc = center_tls_load(dir, &cert, &key, d))) {
		diag_prefix(d, "the console off this PC is HTTPS and needs the center's certificate (made by init): ");
		goto fail;
	}
	center_names_load(&c->names, dir, content_dir);
	c->names_loaded = 1;
	/* Without a draft the content pages say why; requests are still received and worked. */
	struct diag dd = {""};
	if (content_draft_init(c, content_dir, &dd)) {
		fprintf(stderr, "spean-center: %s (the console's content pages cannot work until it can be made)\n", dd.msg);
		log_error("content_draft_failed");
	}
	char pw[TOKEN_HEX + 1];
	random_hex(pw);
	if (crypt_pin_hash(c->dummy, pw)) {
		diag_set(d, "out of memory for a password hash");
		rc = ERR_IO;
		goto fail;
	}
	cstore_each_device(c->cs, kiosk_add, c, d);
	if ((rc = ostore_case_each(c->os, case_load, c, d)))
		goto fail;
	if (c->ncases)
		qsort(c->cases, c->ncases, sizeof *c->cases, case_cmp);
	c->start = 1;
	index_catch_up(c);
	c->start = 0;
	free(c->cases);
	c->cases = NULL;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | (c->tls ? MHD_USE_TLS : 0);
	c->dm = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handler, c, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				 MHD_OPTION_THREAD_POOL_SIZE, CONSOLE_THREADS, MHD_OPTION_CONNECTION_LIMIT, (unsigned)200,
				 MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)32, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
				 MHD_OPTION_NOTIFY_COMPLETED, completed, c, MHD_OPTION_HTTPS_MEM_KEY, c->tls ? key.data : NULL,
				 MHD_OPTION_HTTPS_MEM_CERT, c->tls ? cert.data : NULL, MHD_OPTION_END);
	if (!c->dm) {
		diag_set(d, "cannot listen on %s for the console (in use, or not an address of this PC)", listen);
		rc = ERR_IO;
		goto fail;
	}
	unsigned users = 0;
	ostore_user_each(c->os, count_user, &users, d);
	if (!users)
		fprintf(stderr, "spean-center: no console account yet: make the director's with "
				"spean-center user add --data-dir %s --role director LOGIN\n", dir);
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(c->dm, MHD_DAEMON_INFO_BIND_PORT);
	printf("console %s:%u %s\n", host, info ? info->port : port, c->tls ? "https" : "http");
	fflush(stdout);
	log_info("console addr=%s port=%u requests=%zu unreadable=%lu locked=%d", host, info ? info->port : port, c->n,
		 c->unreadable, c->keys.locked);
	if (c->keys.locked)
		fprintf(stderr, "spean-center: the center key is locked: the director unlocks it in the console; until then "
				"kiosks are answered but nothing is receipted or opened\n");
	buf_finish_wipe(&cert);
	buf_finish_wipe(&key);
	*out = c;
	return 0;
fail:
	buf_finish_wipe(&cert);
	buf_finish_wipe(&key);
	console_stop(c);
	return rc;
}

void console_stop(struct console *c)
{
	if (!c)
		return;
	if (c->dm) {
		MHD_stop_daemon(c->dm);
		report_pdf_release(); /* no page runs any more */
	}
	for (size_t i = 0; i < c->n; i++)
		item_free(&c->items[i]);
	free(c->items);
	for (size_t i = 0; i < c->nkiosks; i++)
		free(c->kiosks[i].label);
	free(c->kiosks);
	if (c->names_loaded)
		center_names_finish(&c->names);
	catalog_destroy(c->cat);
	cstore_close(c->cs);
	ostore_close(c->os);
	center_keys_wipe(&c->keys);
	crypt_wipe(c->sessions, sizeof c->sessions);
	pthread_mutex_destroy(&c->lock);
	free(c->dir);
	free(c->draft);
	free(c->shots);
	free(c);
}

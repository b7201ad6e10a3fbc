/* sync/center/console_internal: what the console's page files share (console.c: sessions, dispatch, the inbox; console_content.c: content from the office). */
#ifndef SPEAN_CENTER_CONSOLE_INTERNAL_H
#define SPEAN_CENTER_CONSOLE_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>

#include "center.h"
#include "content.h"
#include "mem.h"
#include "ostore.h"
#include "tmpl.h"

#define CONSOLE_SESSIONS 64u         /* signed in at once */
#define CONSOLE_IDLE_S (30 * 60)     /* a session unused this long ends */
#define CONSOLE_LIFE_S (12 * 3600)   /* and any session after a working day */
#define CONSOLE_LIMITS 256u          /* login failure counters kept */
#define CONSOLE_LIMIT_WINDOW_S (15 * 60)
#define CONSOLE_LIMIT_LOGIN 5u       /* failures per login in the window */
#define CONSOLE_LIMIT_ADDRESS 20u    /* failures per address in the window */
#define CONSOLE_BODY_MAX 8192u       /* a form's body */
#define CONSOLE_FIELD_MAX 256u       /* one form field */
#define CONSOLE_PAGE 50u             /* rows on an inbox page */
#define CONSOLE_AUDIT_ROWS 500u
#define CONSOLE_THREADS 2u
#define TOKEN_HEX 64                 /* 32 random bytes */
#define CONSOLE_QUIET_DAYS 7         /* a kiosk not heard from for longer is flagged on the fleet page */

struct kiosk {
	unsigned char pk[CSTORE_PK_LEN];
	char *label;
};

struct session {
	char token[TOKEN_HEX + 1]; /* "" free */
	char csrf[TOKEN_HEX + 1];
	char login[OSTORE_LOGIN_MAX + 1];
	int role;
	uint64_t created, used; /* monotonic ms */
};

struct limit {
	char key[OSTORE_LOGIN_MAX + 3]; /* "u:login" or "a:address" */
	unsigned count;
	uint64_t start;
};

struct console {
	pthread_mutex_t lock;
	struct cstore *cs;
	struct ostore *os;
	struct center_keys keys;
	struct center_names names;
	struct catalog *cat;
	struct item *items;
	size_t n, cap;
	uint64_t last_n;
	unsigned long unreadable;
	struct kiosk *kiosks;
	size_t nkiosks;
	struct ostore_case *cases; /* sorted by key while the first index is made (start set), then NULL */
	size_t ncases;
	int start;
	struct session sessions[CONSOLE_SESSIONS];
	struct limit limits[CONSOLE_LIMITS];
	struct MHD_Daemon *dm;
	int tls, names_loaded;
	char *dir;
	int restart;  /* a restore is staged: run starts the center again on it (atomic) */
	char *draft;  /* DIR/content: the office's content, edited here, signed by Publish */
	char *shots;  /* the kiosk's screens for the Khmer review (PNG and keys.tsv), or NULL */
	void (*key_hook)(void *ctx, const unsigned char *sk); /* the kiosks' service, told of an unlock or a lock */
	void *key_ctx;
	char dummy[OSTORE_HASH_MAX]; /* the hash an unknown login is checked against */
};

/* One HTTP request's state (libmicrohttpd's con_cls). */
#define FORM_FIELDS 13
struct exchange {
	struct MHD_PostProcessor *pp;
	size_t body, max; /* bytes posted so far, the most this URL takes */
	int too_big;
	struct buf blob;  /* a file or long text field (content_blob_field), or a raw body (a recording) */
	struct {
		const char *name;
		char value[CONSOLE_FIELD_MAX + 1];
		size_t len;
		int seen;
	} f[FORM_FIELDS];
};
/* ---- shared by the page files (console.c) ---- */

/* Security headers on every answer; csp NULL: the default (no script). */
void con_headers(struct MHD_Response *r, const char *type);
enum MHD_Result con_redirect(struct console *c, struct MHD_Connection *conn, const char *to, const char *ck,
			     const char *ckval, int max_age);
/* The page's common values: who is signed in (s may be NULL) and the title. */
struct tv *con_page_values(struct console *c, const struct session *s, const char *title_key);
/* Render template tmpl with v (destroyed) and queue it; 500 on a template fault. */
enum MHD_Result con_render(struct console *c, struct MHD_Connection *conn, unsigned status, const char *tmpl, struct tv *v,
			   const char *ck, const char *ckval, int max_age);
/* The same for the one page that runs a script of ours (under /static/) and plays and records audio. */
enum MHD_Result con_render_script(struct console *c, struct MHD_Connection *conn, unsigned status, const char *tmpl,
				  struct tv *v);
enum MHD_Result con_error_page(struct console *c, struct MHD_Connection *conn, const struct session *s, unsigned status,
			       const char *title_key, const char *text_key);
/* A posted form field (NULL if absent). */
const char *con_field(const struct exchange *x, const char *name);
/* An audit line (call under c->lock). */
void con_audit(struct console *c, const char *who, const char *what, const char *target);
/* A catalog text with {name} placeholders filled from pairs (name, value, ..., NULL). */
void con_text_fill(const struct console *c, struct buf *out, const char *key, ...);
void con_tv_text(const struct console *c, struct tv *v, const char *name, const char *key, ...);

/* ---- console_content.c: content from the office ---- */

/* The draft (DIR/content) made from content_dir the first time; 0 or why not. */
int content_draft_init(struct console *c, const char *content_dir, struct diag *d);
/* The most a POST to url may carry (uploads are bigger than forms). */
size_t content_body_max(const char *url);
/* Whether a posted field of this name is collected whole into the exchange's blob (a file, a long text). */
int content_blob_field(const char *name);
enum MHD_Result content_get(struct console *c, struct MHD_Connection *conn, struct session *s, const char *url);
enum MHD_Result content_post(struct console *c, struct MHD_Connection *conn, const struct session *s, const char *url,
			     const struct exchange *x);

#endif

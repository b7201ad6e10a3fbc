#define LOG_MODULE "console"
/*
 * sync/center/console_content: content from the office. The draft
 * (DIR/content) is what the next Publish signs. It starts as the content the
 * center was given (--content, or the bundled pack) and changes only here,
 * each change checked as a kiosk checks a pack before it is written:
 *  - a text file uploaded (communes, strings, hours, holidays) replaces the
 *    draft's only if the whole draft still passes; otherwise the page says
 *    why and nothing changes;
 *  - a Khmer string a reviewer approves, as it is or corrected:
 *    strings.km and strings.km.reviewed ("KEY reviewed-by=LOGIN
 *    date=YYYY-MM-DD"), which travels in the pack and which the kiosk's
 *    `spean content check` counts; a string whose text changes later (an
 *    upload) loses its review;
 *  - a Khmer prompt recorded in the browser: voice_prepare makes the
 *    kiosk's WAV of it (audio/km/KEY.wav).
 * Publish (the director) signs the draft as the next version
 * (center_pack_publish: a pack the check refuses is never signed); kiosks
 * fetch it at their next sync and the reports name things from it.
 * Nothing here is personal data: strings, communes, recorded prompts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "console_internal.h"
#include "console_ui.h"
#include "contentpack.h"
#include "fs.h"
#include "log.h"
#include "packdir.h"
#include "utf8.h"
#include "voice.h"

extern const unsigned char spean_builtin_rules[];
extern const unsigned long spean_builtin_rules_len;

#define REVIEW_PAGE 20u  /* strings on a review page */
#define VOICE_PAGE 15u   /* prompts on a recording page */
#define SHOTS_PER_KEY 2u /* screens shown beside a string */
#define VOICE_BODY_MAX (VOICE_MAX_INPUT + (64u << 10))

/* The text files the office may replace by uploading them (the rest come with a program's release). */
static const char *const uploadable[] = {"communes.txt", "strings.vi", "strings.km", "hours.txt", "holidays.txt"};
#define NUPLOADABLE (sizeof uploadable / sizeof uploadable[0])

/* ---- the draft on disk ---- */

int content_draft_init(struct console *c, const char *content_dir, struct diag *d)
{
	const char *shots = getenv("SPEAN_REVIEW_SHOTS");
	char share[4096];
	if (!shots || !*shots)
		shots = fs_share_path("review-shots", share, sizeof share);
	char *tsv = fs_join(shots, "keys.tsv");
	if (fs_exists(tsv))
		c->shots = xstrdup(shots);
	free(tsv);
	c->draft = fs_join(c->dir, CENTER_DRAFT_DIR);
	if (fs_exists(c->draft))
		return 0;
	/* Made whole in content.new, then renamed: a cut leaves no half draft (content.new is made again). */
	char *tmp = fs_join(c->dir, "content.new");
	struct packdir files;
	memset(&files, 0, sizeof files);
	int rc = fs_mkdir_p(tmp, 0755, d), restored = 0;
	/* A restored backup's draft first (what the office had not published yet), else the content given. */
	if (!rc && (rc = center_draft_restore(c->dir, tmp, d)) == 0)
		restored = 1;
	else if (rc == ERR_NOTFOUND)
		rc = packdir_read(content_dir, &files, d);
	for (size_t i = 0; !rc && i < files.n; i++)
		rc = center_write_under(tmp, files.f[i].name, files.f[i].data, files.f[i].len, d);
	if (!rc && rename(tmp, c->draft)) {
		diag_set(d, "%s: cannot rename to %s", tmp, c->draft);
		rc = ERR_IO;
	}
	if (!rc)
		rc = fs_sync_dir(c->dir) ? ERR_IO : 0;
	if (rc)
		diag_prefix(d, "the office's content (from %s): ", restored ? CENTER_DRAFT_SAVED : content_dir);
	else
		log_info("content_draft made from=%s files=%zu", restored ? "backup" : "content", files.n);
	packdir_finish(&files);
	free(tmp);
	return rc;
}

/* ---- the draft in memory ---- */

struct draft {
	struct packdir files;
	struct content_file *f; /* the files as checked: the draft's, one maybe replaced or added */
	size_t n;
	int rc;                 /* the check's verdict on them */
	struct diag why;
	struct catalog *vi, *km;
	const struct content_file *reviewed, *keys;
};

static const struct content_file *draft_file(const struct draft *dr, const char *name)
{
	for (size_t i = 0; i < dr->n; i++)
		if (!strcmp(dr->f[i].name, name))
			return &dr->f[i];
	return NULL;
}

/* Read the draft, with name's bytes replaced by data when name is set, and check it as a kiosk would. */
static void draft_load(struct console *c, struct draft *dr, const char *name, const void *data, size_t len)
{
	memset(dr, 0, sizeof *dr);
	dr->rc = packdir_read(c->draft, &dr->files, &dr->why);
	if (!dr->rc && !packdir_find(&dr->files, "eligibility.rules"))
		packdir_add(&dr->files, "eligibility.rules", spean_builtin_rules, spean_builtin_rules_len);
	dr->f = xcalloc(dr->files.n + 1, sizeof *dr->f);
	for (size_t i = 0; i < dr->files.n; i++)
		dr->f[dr->n++] = dr->files.f[i];
	if (name) {
		struct content_file *f = (struct content_file *)draft_file(dr, name);
		if (!f) {
			f = &dr->f[dr->n++];
			f->name = name;
		}
		f->data = data;
		f->len = len;
	}
	if (!dr->rc)
		dr->rc = content_pack_check(dr->f, dr->n, (const char *)spean_builtin_rules, spean_builtin_rules_len, &dr->why);
	int year, month, day;
	clock_today(&year, &month, &day);
	if (!dr->rc)
		dr->rc = content_pack_holidays(dr->f, dr->n, year, &dr->why);
	struct diag ignore = {""};
	const struct content_file *f;
	if ((f = draft_file(dr, "strings.vi")))
		catalog_parse(f->data, f->len, &dr->vi, &ignore);
	if ((f = draft_file(dr, "strings.km")))
		catalog_parse(f->data, f->len, &dr->km, &ignore);
	dr->reviewed = draft_file(dr, "strings.km.reviewed");
	dr->keys = draft_file(dr, "audio.keys");
}

static void draft_finish(struct draft *dr)
{
	catalog_destroy(dr->vi);
	catalog_destroy(dr->km);
	free(dr->f);
	packdir_finish(&dr->files);
}

/* The line of text (a list of lines) that starts with key and a space, '=' or its end; NULL if none. */
static const char *line_of(const char *text, size_t len, const char *key, size_t *line_len)
{
	size_t kl = strlen(key);
	for (const char *p = text, *e = text + len; p < e;) {
		const char *nl = memchr(p, '\n', (size_t)(e - p)), *end = nl ? nl : e;
		if ((size_t)(end - p) >= kl && !memcmp(p, key, kl) &&
		    (p + kl == end || p[kl] == ' ' || p[kl] == '=' || p[kl] == '\t' || p[kl] == '\r')) {
			*line_len = (size_t)(end - p);
			return p;
		}
		p = nl ? nl + 1 : e;
	}
	return NULL;
}

/* Who reviewed key and when ("" if no one), from strings.km.reviewed. */
static int review_of(const struct draft *dr, const char *key, char who[OSTORE_LOGIN_MAX + 1], char date[11])
{
	who[0] = date[0] = '\0';
	size_t n;
	const char *l = dr->reviewed ? line_of(dr->reviewed->data, dr->reviewed->len, key, &n) : NULL;
	if (!l)
		return 0;
	char line[256];
	snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), l);
	const char *b = strstr(line, "reviewed-by="), *t = strstr(line, "date=");
	if (b)
		sscanf(b + 12, "%32[a-z0-9._-]", who);
	if (t)
		sscanf(t + 5, "%10[0-9-]", date);
	return 1;
}

/* text (a list of lines) with the line of key replaced by `line` where it stands (appended if it has none), or
 * dropped when line is NULL. */
static void lines_replace(struct buf *out, const char *text, size_t len, const char *key, const char *line)
{
	size_t n;
	const char *l = line_of(text, len, key, &n);
	if (l) {
		buf_append(out, text, (size_t)(l - text));
		if (line)
			buf_printf(out, "%s\n", line);
		const char *rest = l + n + (l + n < text + len); /* past its newline */
		buf_append(out, rest, (size_t)(text + len - rest));
		return;
	}
	buf_append(out, text, len);
	if (out->len && out->data[out->len - 1] != '\n')
		buf_putc(out, '\n');
	if (line)
		buf_printf(out, "%s\n", line);
}

/* The {name} placeholders of s, in order, each once, as one string. */
static void placeholders(const char *s, struct buf *out)
{
	for (const char *o; s && (o = strchr(s, '{'));) {
		const char *e = strchr(o, '}');
		if (!e)
			break;
		buf_append(out, o, (size_t)(e - o + 1));
		s = e + 1;
	}
	buf_append(out, "", 0);
}

/* ---- sending bytes ---- */

static enum MHD_Result send_bytes(struct MHD_Connection *conn, unsigned status, const char *type, const void *data,
				  size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
	con_headers(r, type);
	enum MHD_Result ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_file(struct console *c, struct MHD_Connection *conn, const struct session *s,
				 const char *root, const char *name, const char *type, size_t max)
{
	struct buf b;
	struct diag d = {""};
	buf_init(&b);
	char *path = fs_join(root, name);
	int rc = fs_read_file(path, max, &b, &d);
	free(path);
	enum MHD_Result ret = rc ? con_error_page(c, conn, s, MHD_HTTP_NOT_FOUND, "error.not_found", "error.not_found_text")
				 : send_bytes(conn, MHD_HTTP_OK, type, b.data ? b.data : "", b.len);
	buf_finish(&b);
	return ret;
}

/* A single name of [A-Za-z0-9._-] ending in suffix (a shot, a recording): never a path. */
static int plain_name(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && n < 100 && !strcmp(s + n - m, suffix) && content_key_ok(s, n - m) && s[0] != '.';
}

/* ---- the content page ---- */

static void count_prompts(const struct draft *dr, int *have, int *total)
{
	*have = *total = 0;
	if (!dr->keys)
		return;
	const char *p = dr->keys->data, *e = p + dr->keys->len;
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p)), *end = nl ? nl : e;
		if (end > p && *p != '#' && content_key_ok(p, (size_t)(end - p))) {
			char name[CONTENT_MAX_NAME + 16];
			snprintf(name, sizeof name, "audio/km/%.*s.wav", (int)(end - p), p);
			++*total;
			*have += draft_file(dr, name) != NULL;
		}
		p = nl ? nl + 1 : e;
	}
}

static enum MHD_Result content_page(struct console *c, struct MHD_Connection *conn, const struct session *s,
				    unsigned status, const char *message, const char *detail)
{
	struct draft dr;
	pthread_mutex_lock(&c->lock);
	draft_load(c, &dr, NULL, NULL, 0);
	uint64_t published = center_pack_version(c->dir, c->keys.sign_pk);
	pthread_mutex_unlock(&c->lock);
	struct tv *v = con_page_values(c, s, "content.title");
	tv_set(v, "message", message ? catalog_get(c->cat, message) : "");
	tv_set(v, "failed", status >= 400 ? "1" : "");
	tv_set(v, "detail", detail ? detail : "");
	tv_set(v, "ok", dr.rc ? "" : "1");
	tv_set(v, "why", dr.rc ? dr.why.msg : "");
	if (published)
		tv_setf(v, "published", "%llu", (unsigned long long)published);
	else
		tv_set(v, "published", "");
	tv_setf(v, "next", "%llu", (unsigned long long)published + 1);
	size_t nkm = dr.km ? catalog_count(dr.km) : 0, reviewed = 0;
	for (size_t i = 0; i < nkm; i++) {
		char who[OSTORE_LOGIN_MAX + 1], date[11];
		reviewed += review_of(&dr, catalog_key(dr.km, i), who, date);
	}
	int have, total;
	count_prompts(&dr, &have, &total);
	struct content parsed;
	memset(&parsed, 0, sizeof parsed);
	struct diag ignore = {""};
	const struct content_file *cm = draft_file(&dr, "communes.txt");
	if (cm)
		content_parse_communes(cm->data, cm->len, &parsed, &ignore);
	tv_setf(v, "communes", "%d", parsed.ncommunes);
	content_finish(&parsed);
	tv_setf(v, "strings", "%zu", dr.vi ? catalog_count(dr.vi) : 0);
	tv_setf(v, "km_todo", "%zu", nkm - reviewed);
	tv_setf(v, "km_total", "%zu", nkm);
	tv_setf(v, "prompts", "%d", have);
	tv_setf(v, "prompts_total", "%d", total);
	tv_setf(v, "files", "%zu", dr.files.n);
	tv_list(v, "uploadable");
	for (size_t i = 0; i < NUPLOADABLE; i++) {
		struct tv *r = tv_row(v, "uploadable");
		tv_set(r, "name", uploadable[i]);
	}
	draft_finish(&dr);
	return con_render(c, conn, status, "content", v, NULL, NULL, 0);
}

/* ---- uploading a text file ---- */

static enum MHD_Result upload(struct console *c, struct MHD_Connection *conn, const struct session *s,
			      const struct exchange *x)
{
	const char *name = con_field(x, "name");
	size_t i = 0;
	while (name && i < NUPLOADABLE && strcmp(uploadable[i], name))
		i++;
	if (!name || i == NUPLOADABLE)
		return content_page(c, conn, s, MHD_HTTP_BAD_REQUEST, "content.bad_name", NULL);
	if (!x->blob.len)
		return content_page(c, conn, s, MHD_HTTP_BAD_REQUEST, "content.empty", NULL);
	struct draft dr, old;
	struct diag d = {""};
	pthread_mutex_lock(&c->lock);
	draft_load(c, &dr, name, x->blob.data, x->blob.len);
	int rc = dr.rc;
	if (rc) {
		pthread_mutex_unlock(&c->lock);
		log_info("content_upload_refused file=%s", name);
		enum MHD_Result ret = content_page(c, conn, s, MHD_HTTP_UNPROCESSABLE_CONTENT, "content.refused", dr.why.msg);
		draft_finish(&dr);
		return ret;
	}
	draft_load(c, &old, NULL, NULL, 0);
	rc = center_write_under(c->draft, name, x->blob.data, x->blob.len, &d);
	unsigned dropped = 0;
	if (!rc && !strcmp(name, "strings.km") && old.reviewed && old.km) {
		/* A review is of a text: a string the upload changed is unreviewed again. */
		struct buf rv;
		buf_init(&rv);
		buf_append(&rv, old.reviewed->data, old.reviewed->len);
		for (size_t k = 0; k < catalog_count(old.km); k++) {
			const char *key = catalog_key(old.km, k), *now = dr.km ? catalog_get(dr.km, key) : NULL;
			size_t n;
			if ((!now || strcmp(now, catalog_value(old.km, k))) && line_of(rv.data, rv.len, key, &n)) {
				struct buf next;
				buf_init(&next);
				lines_replace(&next, rv.data, rv.len, key, NULL);
				buf_finish(&rv);
				rv = next;
				dropped++;
			}
		}
		if (dropped)
			rc = center_write_under(c->draft, "strings.km.reviewed", rv.data, rv.len, &d);
		buf_finish(&rv);
	}
	con_audit(c, s->login, rc ? "content_upload_failed" : "content_upload", name);
	pthread_mutex_unlock(&c->lock);
	draft_finish(&old);
	draft_finish(&dr);
	if (rc) {
		log_error("content_upload_failed file=%s rc=%d", name, rc);
		return content_page(c, conn, s, MHD_HTTP_INTERNAL_SERVER_ERROR, "error.server_text", NULL);
	}
	log_info("content_upload file=%s bytes=%zu reviews_dropped=%u", name, x->blob.len, dropped);
	char n[16];
	snprintf(n, sizeof n, "%u", dropped);
	struct buf t;
	buf_init(&t);
	con_text_fill(c, &t, dropped ? "content.uploaded_unreviewed" : "content.uploaded", "file", name, "n", n,
		      (const char *)NULL);
	buf_append(&t, "", 0);
	enum MHD_Result ret = content_page(c, conn, s, MHD_HTTP_OK, "content.saved", t.data);
	buf_finish(&t);
	return ret;
}

/* ---- publishing ---- */

static enum MHD_Result publish(struct console *c, struct MHD_Connection *conn, const struct session *s,
			       const struct exchange *x)
{
	const char *want = con_field(x, "version");
	struct diag d = {""};
	struct center_published pub;
	pthread_mutex_lock(&c->lock);
	uint64_t next = center_pack_version(c->dir, c->keys.sign_pk) + 1;
	char nexts[24];
	snprintf(nexts, sizeof nexts, "%llu", (unsigned long long)next);
	if (!want || strcmp(want, nexts)) { /* the page was older than the last Publish */
		pthread_mutex_unlock(&c->lock);
		return content_page(c, conn, s, MHD_HTTP_CONFLICT, "content.stale", NULL);
	}
	int rc = center_pack_publish(c->dir, c->draft, &c->keys, next, &pub, &d);
	if (!rc) {
		/* The reports and the inbox name communes and groups as the kiosks now will. */
		center_names_finish(&c->names);
		center_names_load(&c->names, c->dir, c->draft);
	}
	con_audit(c, s->login, rc ? "content_publish_refused" : "content_published", nexts);
	pthread_mutex_unlock(&c->lock);
	if (rc) {
		log_warn("content_publish_refused version=%s rc=%d", nexts, rc);
		return content_page(c, conn, s, rc == ERR_IO || rc == ERR_NOSPACE ? MHD_HTTP_INTERNAL_SERVER_ERROR
										   : MHD_HTTP_UNPROCESSABLE_CONTENT,
				    "content.not_signed", d.msg);
	}
	log_info("content_published version=%s files=%zu bytes=%zu", nexts, pub.files, pub.bytes);
	char files[24], bytes[24];
	snprintf(files, sizeof files, "%zu", pub.files);
	snprintf(bytes, sizeof bytes, "%zu", pub.bytes);
	struct tv *v = con_page_values(c, s, "content.title");
	con_tv_text(c, v, "message", "content.signed", "version", nexts, "files", files, "bytes", bytes,
		    (const char *)NULL);
	return con_render(c, conn, MHD_HTTP_OK, "done", v, NULL, NULL, 0);
}

/* ---- the Khmer review ---- */

/* The screens (shot names) where key was drawn, Khmer ones first; from the review shots' keys.tsv. */
static void shots_of(const struct buf *tsv, const char *key, struct tv *row)
{
	tv_list(row, "shots");
	unsigned n = 0;
	for (int pass = 0; pass < 2 && n < SHOTS_PER_KEY; pass++) {
		size_t kl = strlen(key);
		for (const char *p = tsv->data, *e = p ? p + tsv->len : NULL; p && p < e && n < SHOTS_PER_KEY;) {
			const char *nl = memchr(p, '\n', (size_t)(e - p)), *end = nl ? nl : e, *tab = memchr(p, '\t', (size_t)(end - p));
			if (tab && (size_t)(end - tab - 1) == kl && !memcmp(tab + 1, key, kl) && tab - p < 80) {
				char shot[96];
				snprintf(shot, sizeof shot, "%.*s", (int)(tab - p), p);
				int km = strstr(shot, "km") != NULL;
				if (km == !pass && content_key_ok(shot, strlen(shot))) {
					struct tv *r = tv_row(row, "shots");
					tv_set(r, "shot", shot);
					n++;
				}
			}
			p = nl ? nl + 1 : e;
		}
	}
}

static enum MHD_Result review_page(struct console *c, struct MHD_Connection *conn, const struct session *s,
				   unsigned status, const char *message, const char *detail)
{
	const char *all = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "all");
	const char *froms = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "from");
	size_t from = froms ? strtoul(froms, NULL, 10) : 0;
	int show_all = all && !strcmp(all, "1");
	struct draft dr;
	pthread_mutex_lock(&c->lock);
	draft_load(c, &dr, NULL, NULL, 0);
	pthread_mutex_unlock(&c->lock);
	struct buf tsv;
	struct diag ignore = {""};
	buf_init(&tsv);
	if (c->shots) {
		char *p = fs_join(c->shots, "keys.tsv");
		fs_read_file(p, 8u << 20, &tsv, &ignore);
		free(p);
	}
	struct tv *v = con_page_values(c, s, "review.title");
	tv_set(v, "message", message ? catalog_get(c->cat, message) : "");
	tv_set(v, "failed", status >= 400 ? "1" : "");
	tv_set(v, "detail", detail ? detail : "");
	tv_set(v, "all", show_all ? "1" : "");
	tv_set(v, "shots_missing", c->shots ? "" : "1");
	tv_list(v, "rows");
	size_t nkm = dr.km ? catalog_count(dr.km) : 0, listed = 0, shown = 0, todo = 0;
	for (size_t i = 0; i < nkm; i++) {
		const char *key = catalog_key(dr.km, i);
		char who[OSTORE_LOGIN_MAX + 1], date[11];
		int done = review_of(&dr, key, who, date);
		todo += !done;
		if (done && !show_all)
			continue;
		if (listed++ < from || shown >= REVIEW_PAGE)
			continue;
		shown++;
		struct tv *r = tv_row(v, "rows");
		const char *vi = dr.vi ? catalog_get(dr.vi, key) : NULL;
		tv_set(r, "key", key);
		tv_set(r, "vi", vi ? vi : "");
		tv_set(r, "km", catalog_value(dr.km, i));
		tv_set(r, "who", who);
		tv_set(r, "date", date);
		tv_set(r, "done", done ? "1" : "");
		shots_of(&tsv, key, r);
	}
	tv_setf(v, "todo", "%zu", todo);
	tv_setf(v, "total", "%zu", nkm);
	tv_setf(v, "first", "%zu", listed ? from + 1 : 0);
	tv_setf(v, "last", "%zu", from + shown);
	tv_setf(v, "listed", "%zu", listed);
	if (from + shown < listed)
		tv_setf(v, "more", "/content/km?from=%zu%s", from + shown, show_all ? "&all=1" : "");
	else
		tv_set(v, "more", "");
	if (from)
		tv_setf(v, "back", "/content/km?from=%zu%s", from > REVIEW_PAGE ? from - REVIEW_PAGE : 0,
			show_all ? "&all=1" : "");
	else
		tv_set(v, "back", "");
	buf_finish(&tsv);
	draft_finish(&dr);
	return con_render(c, conn, status, "review", v, NULL, NULL, 0);
}

/* A reviewer's text: one line of safe UTF-8 (no control, no direction override), not empty, not too long. */
static const char *review_text_check(const char *t, size_t n)
{
	if (!n)
		return "review.empty";
	if (n > CONTENT_MAX_STRING)
		return "review.too_long";
	if (!utf8_safe(t, n) || memchr(t, '\n', n) || memchr(t, '\r', n) || memchr(t, '\t', n))
		return "review.bad_text";
	return NULL;
}

static enum MHD_Result review_post(struct console *c, struct MHD_Connection *conn, const struct session *s,
				   const struct exchange *x)
{
	const char *key = con_field(x, "key");
	/* The text as typed, without the spaces around it (a textarea adds none, an editor may). */
	const char *t = x->blob.data ? x->blob.data : "";
	size_t n = x->blob.len;
	while (n && (*t == ' ' || *t == '\r' || *t == '\n'))
		t++, n--;
	while (n && (t[n - 1] == ' ' || t[n - 1] == '\r' || t[n - 1] == '\n'))
		n--;
	const char *bad = review_text_check(t, n);
	if (!key || !content_key_ok(key, strlen(key)))
		return review_page(c, conn, s, MHD_HTTP_BAD_REQUEST, "review.no_such", NULL);
	if (bad)
		return review_page(c, conn, s, MHD_HTTP_BAD_REQUEST, bad, key);
	struct draft dr;
	struct diag d = {""};
	pthread_mutex_lock(&c->lock);
	draft_load(c, &dr, NULL, NULL, 0);
	const char *now = dr.km ? catalog_get(dr.km, key) : NULL;
	const struct content_file *km = draft_file(&dr, "strings.km");
	int rc = !now || !km ? ERR_NOTFOUND : 0, corrected = 0;
	struct buf ph0, ph1, text;
	buf_init(&ph0);
	buf_init(&ph1);
	buf_init(&text);
	buf_append(&text, t, n);
	buf_append(&text, "", 0);
	if (!rc) {
		placeholders(now, &ph0);
		placeholders(text.data, &ph1);
		if (strcmp(ph0.data, ph1.data))
			rc = ERR_INVAL; /* {groups} and the like are filled by the kiosk: the same ones, in the same order */
	}
	struct buf line, next, rv;
	buf_init(&line);
	buf_init(&next);
	buf_init(&rv);
	if (!rc && strcmp(now, text.data)) {
		/* The correction replaces the key's line; the whole draft is checked with it before it is written. */
		corrected = 1;
		buf_printf(&line, "%s = %s", key, text.data);
		lines_replace(&next, km->data, km->len, key, line.data);
		struct draft chk;
		draft_load(c, &chk, "strings.km", next.data, next.len);
		rc = chk.rc;
		if (rc)
			snprintf(d.msg, sizeof d.msg, "%s", chk.why.msg);
		draft_finish(&chk);
		if (!rc)
			rc = center_write_under(c->draft, "strings.km", next.data, next.len, &d);
	}
	if (!rc) {
		int year, month, day;
		clock_today(&year, &month, &day);
		buf_finish(&line);
		buf_init(&line);
		buf_printf(&line, "%s reviewed-by=%s date=%04d-%02d-%02d", key, s->login, year, month, day);
		if (!dr.reviewed)
			buf_puts(&rv, "# Keys of strings.km that a native Khmer speaker has reviewed, one per line, with who and "
				       "when (the office console writes them).\n");
		lines_replace(&rv, dr.reviewed ? dr.reviewed->data : "", dr.reviewed ? dr.reviewed->len : 0, key, line.data);
		rc = center_write_under(c->draft, "strings.km.reviewed", rv.data, rv.len, &d);
	}
	if (!rc || rc == ERR_IO)
		con_audit(c, s->login, rc ? "km_review_failed" : corrected ? "km_corrected" : "km_approved", key);
	pthread_mutex_unlock(&c->lock);
	buf_finish(&ph0);
	buf_finish(&ph1);
	buf_finish(&text);
	buf_finish(&line);
	buf_finish(&next);
	buf_finish(&rv);
	draft_finish(&dr);
	if (rc == ERR_NOTFOUND)
		return review_page(c, conn, s, MHD_HTTP_NOT_FOUND, "review.no_such", NULL);
	if (rc == ERR_INVAL)
		return review_page(c, conn, s, MHD_HTTP_BAD_REQUEST, "review.placeholders", key);
	if (rc == ERR_IO || rc == ERR_NOSPACE) {
		log_error("km_review_failed rc=%d", rc);
		return review_page(c, conn, s, MHD_HTTP_INTERNAL_SERVER_ERROR, "error.server_text", NULL);
	}
	if (rc)
		return review_page(c, conn, s, MHD_HTTP_UNPROCESSABLE_CONTENT, "review.refused", d.msg);
	log_info("km_reviewed corrected=%d", corrected);
	return review_page(c, conn, s, MHD_HTTP_OK, corrected ? "review.corrected" : "review.approved", key);
}

/* ---- the Khmer voice ---- */

static enum MHD_Result voice_page(struct console *c, struct MHD_Connection *conn, const struct session *s)
{
	const char *froms = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "from");
	size_t from = froms ? strtoul(froms, NULL, 10) : 0, listed = 0, shown = 0;
	struct draft dr;
	pthread_mutex_lock(&c->lock);
	draft_load(c, &dr, NULL, NULL, 0);
	pthread_mutex_unlock(&c->lock);
	struct tv *v = con_page_values(c, s, "voice.title");
	tv_list(v, "rows");
	int have, total;
	count_prompts(&dr, &have, &total);
	tv_setf(v, "have", "%d", have);
	tv_setf(v, "total", "%d", total);
	const char *p = dr.keys ? dr.keys->data : NULL, *e = p ? p + dr.keys->len : NULL;
	while (p && p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p)), *end = nl ? nl : e;
		if (end > p && *p != '#' && content_key_ok(p, (size_t)(end - p)) && listed++ >= from && shown < VOICE_PAGE) {
			char key[CONTENT_MAX_NAME], name[CONTENT_MAX_NAME + 16];
			snprintf(key, sizeof key, "%.*s", (int)(end - p), p);
			snprintf(name, sizeof name, "audio/km/%s.wav", key);
			const struct content_file *w = draft_file(&dr, name);
			const char *km = dr.km ? catalog_get(dr.km, key) : NULL, *vi = dr.vi ? catalog_get(dr.vi, key) : NULL;
			struct tv *r = tv_row(v, "rows");
			shown++;
			tv_set(r, "key", key);
			tv_set(r, "km", km ? km : "");
			tv_set(r, "vi", vi ? vi : "");
			tv_set(r, "recorded", w ? "1" : "");
			if (w)
				tv_setf(r, "seconds", "%.1f", w->len > 44 ? (double)(w->len - 44) / (2.0 * VOICE_RATE) : 0.0);
			else
				tv_set(r, "seconds", "");
		}
		p = nl ? nl + 1 : e;
	}
	tv_set(v, "more", "");
	tv_set(v, "back", "");
	if (from + shown < listed)
		tv_setf(v, "more", "/content/voice?from=%zu", from + shown);
	if (from)
		tv_setf(v, "back", "/content/voice?from=%zu", from > VOICE_PAGE ? from - VOICE_PAGE : 0);
	draft_finish(&dr);
	return con_render_script(c, conn, MHD_HTTP_OK, "voice", v);
}

/* A recording: from the page's script (the raw WAV, answered in plain text) or a form's file (a page). */
static enum MHD_Result voice_post(struct console *c, struct MHD_Connection *conn, const struct session *s, const char *key,
				  const struct exchange *x)
{
	int script = x->pp == NULL;
	struct buf out, msg;
	struct voice_info info;
	struct diag d = {""};
	buf_init(&out);
	buf_init(&msg);
	int rc = content_key_ok(key, strlen(key)) ? 0 : ERR_NOTFOUND;
	struct draft dr;
	pthread_mutex_lock(&c->lock);
	draft_load(c, &dr, NULL, NULL, 0);
	size_t n;
	if (!rc && (!dr.keys || !line_of(dr.keys->data, dr.keys->len, key, &n)))
		rc = ERR_NOTFOUND;
	pthread_mutex_unlock(&c->lock);
	draft_finish(&dr);
	if (!rc && !x->blob.len)
		rc = ERR_INVAL, snprintf(d.msg, sizeof d.msg, "%s", catalog_get(c->cat, "voice.nothing"));
	/* Trimming and leveling: outside the lock (a minute of audio is a few milliseconds; the page waits). */
	if (!rc)
		rc = voice_prepare(x->blob.data, x->blob.len, &out, &info, &d);
	if (!rc) {
		char name[CONTENT_MAX_NAME + 16];
		snprintf(name, sizeof name, "audio/km/%s.wav", key);
		pthread_mutex_lock(&c->lock);
		rc = center_write_under(c->draft, name, out.data, out.len, &d);
		con_audit(c, s->login, rc ? "voice_failed" : "voice_recorded", key);
		pthread_mutex_unlock(&c->lock);
	}
	if (rc == ERR_NOTFOUND)
		buf_puts(&msg, catalog_get(c->cat, "voice.no_such"));
	else if (rc == ERR_IO || rc == ERR_NOSPACE)
		buf_puts(&msg, catalog_get(c->cat, "error.server_text"));
	else if (rc) {
		con_text_fill(c, &msg, "voice.refused", "why", d.msg, (const char *)NULL);
	} else {
		char secs[16], cut[16], gain[16];
		snprintf(secs, sizeof secs, "%.1f", info.out_ms / 1000.0);
		snprintf(cut, sizeof cut, "%.1f", (info.lead_ms + info.tail_ms) / 1000.0);
		snprintf(gain, sizeof gain, "%+.0f", info.gain_db);
		con_text_fill(c, &msg, "voice.saved", "s", secs, "cut", cut, "db", gain, (const char *)NULL);
		log_info("voice_recorded in_ms=%u out_ms=%u gain_db=%.1f", info.in_ms, info.out_ms, info.gain_db);
	}
	buf_append(&msg, "", 0);
	unsigned status = !rc ? MHD_HTTP_OK
		      : rc == ERR_NOTFOUND ? MHD_HTTP_NOT_FOUND
		      : rc == ERR_IO || rc == ERR_NOSPACE ? MHD_HTTP_INTERNAL_SERVER_ERROR
							 : MHD_HTTP_UNPROCESSABLE_CONTENT;
	enum MHD_Result ret;
	if (script)
		ret = send_bytes(conn, status, "text/plain; charset=utf-8", msg.data, msg.len - 1);
	else {
		struct tv *v = con_page_values(c, s, "voice.title");
		tv_set(v, "message", msg.data);
		ret = con_render(c, conn, status, rc ? "error" : "done", v, NULL, NULL, 0);
	}
	buf_finish(&out);
	buf_finish(&msg);
	return ret;
}

/* ---- dispatch ---- */

size_t content_body_max(const char *url)
{
	if (!strcmp(url, "/content/upload"))
		return CONTENT_MAX_TEXT + (64u << 10);
	if (!strncmp(url, "/content/voice/", 15))
		return VOICE_BODY_MAX;
	if (!strcmp(url, "/content/km"))
		return 64u << 10;
	return CONSOLE_BODY_MAX;
}

int content_blob_field(const char *name)
{
	return !strcmp(name, "file") || !strcmp(name, "text");
}

enum MHD_Result content_get(struct console *c, struct MHD_Connection *conn, struct session *s, const char *url)
{
	if (!strcmp(url, "/static/voice.js"))
		return send_bytes(conn, MHD_HTTP_OK, "text/javascript; charset=utf-8", console_js_voice, console_js_voice_len);
	if (!strcmp(url, "/content"))
		return content_page(c, conn, s, MHD_HTTP_OK, NULL, NULL);
	if (!strcmp(url, "/content/km"))
		return review_page(c, conn, s, MHD_HTTP_OK, NULL, NULL);
	if (!strcmp(url, "/content/voice"))
		return voice_page(c, conn, s);
	if (!strncmp(url, "/content/voice/", 15) && plain_name(url + 15, ".wav")) {
		char name[CONTENT_MAX_NAME + 16];
		snprintf(name, sizeof name, "audio/km/%s", url + 15);
		return send_file(c, conn, s, c->draft, name, "audio/wav", CONTENT_MAX_AUDIO);
	}
	if (!strncmp(url, "/content/shot/", 14) && c->shots && plain_name(url + 14, ".png"))
		return send_file(c, conn, s, c->shots, url + 14, "image/png", 8u << 20);
	if (!strncmp(url, "/content/file/", 14)) {
		for (size_t i = 0; i < NUPLOADABLE; i++)
			if (!strcmp(url + 14, uploadable[i]))
				return send_file(c, conn, s, c->draft, uploadable[i], "text/plain; charset=utf-8", CONTENT_MAX_TEXT);
	}
	return con_error_page(c, conn, s, MHD_HTTP_NOT_FOUND, "error.not_found", "error.not_found_text");
}

enum MHD_Result content_post(struct console *c, struct MHD_Connection *conn, const struct session *s, const char *url,
			     const struct exchange *x)
{
	if (!strcmp(url, "/content/km"))
		return review_post(c, conn, s, x);
	if (!strncmp(url, "/content/voice/", 15))
		return voice_post(c, conn, s, url + 15, x);
	/* What goes to every kiosk: the director's. */
	if (s->role != OSTORE_DIRECTOR)
		return con_error_page(c, conn, s, MHD_HTTP_FORBIDDEN, "error.forbidden", "error.forbidden_text");
	if (!strcmp(url, "/content/upload"))
		return upload(c, conn, s, x);
	if (!strcmp(url, "/content/publish"))
		return publish(c, conn, s, x);
	return con_error_page(c, conn, s, MHD_HTTP_NOT_FOUND, "error.not_found", "error.not_found_text");
}

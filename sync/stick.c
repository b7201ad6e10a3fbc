#define LOG_MODULE "stick"
/*
 * sync/stick: bundles on a USB stick. Offers and receipts are exactly the
 * network's messages; only the carrier differs. A kiosk's receipts are
 * verified against the hashes of the requests it holds, so a receipts file
 * edited by hand, or meant for another kiosk, or from another center, is
 * refused whole.
 */
#include "stick.h"

#include "client.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "kv.h"
#include "log.h"
#include "mem.h"

int stick_open(struct stick *s, const char *dir, unsigned make, struct diag *d)
{
	s->top = s->in = s->out = -1;
	s->dir = xstrdup(dir);
	int root = fs_dir_open(dir, d);
	if (root < 0)
		return root;
	int rc = fs_subdir_open(root, STICK_ROOT, make != 0, 0755, STICK_ROOT "/", d);
	close(root);
	if (rc == ERR_NOTFOUND) {
		diag_set(d, "%s: no %s/ directory: no Spean bundles on this stick", dir, STICK_ROOT);
		return rc;
	}
	if (rc < 0)
		return rc;
	s->top = rc;
	static const char *const names[2] = {"in", "out"};
	int *fds[2] = {&s->in, &s->out};
	for (int i = 0; i < 2; i++) {
		char shown[32];
		snprintf(shown, sizeof shown, "%s/%s/", STICK_ROOT, names[i]);
		rc = fs_subdir_open(s->top, names[i], (make >> i) & 1, 0755, shown, d);
		if (rc >= 0)
			*fds[i] = rc;
		else if (rc != ERR_NOTFOUND)
			return rc;
	}
	return 0;
}

void stick_close(struct stick *s)
{
	if (s->top >= 0)
		close(s->top);
	if (s->in >= 0)
		close(s->in);
	if (s->out >= 0)
		close(s->out);
	s->top = s->in = s->out = -1;
	free(s->dir);
	s->dir = NULL;
}

static int sub_fd(const struct stick *s, enum stick_sub sub)
{
	return sub == STICK_IN ? s->in : s->out;
}

static const char *sub_name(enum stick_sub sub)
{
	return sub == STICK_IN ? "in" : "out";
}

int stick_read(struct stick *s, enum stick_sub sub, const char *name, size_t max, struct buf *b, struct diag *d)
{
	char shown[128];
	snprintf(shown, sizeof shown, "%s/%s/%s", STICK_ROOT, sub_name(sub), name);
	if (sub_fd(s, sub) < 0) {
		diag_set(d, "%s: no such directory", shown);
		return ERR_NOTFOUND;
	}
	return fs_read_at(sub_fd(s, sub), name, max, b, shown, d);
}

int stick_write(struct stick *s, enum stick_sub sub, const char *name, const void *data, size_t len, struct diag *d)
{
	char shown[128];
	snprintf(shown, sizeof shown, "%s/%s/%s", STICK_ROOT, sub_name(sub), name);
	if (sub_fd(s, sub) < 0) {
		diag_set(d, "%s: no such directory", shown);
		return ERR_NOTFOUND;
	}
	return fs_write_at(sub_fd(s, sub), name, data, len, 0644, shown, d);
}

int stick_remove(struct stick *s, enum stick_sub sub, const char *name)
{
	return sub_fd(s, sub) < 0 ? -1 : unlinkat(sub_fd(s, sub), name, 0);
}

static int is_digits(const char *p, size_t n)
{
	if (n == 0 || n > 20 || (p[0] == '0' && n > 1))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

int stick_name_parse(const char *name, const char *suffix, char stem[STICK_NAME_MAX])
{
	size_t n = strnlen(name, STICK_NAME_MAX), sl = strlen(suffix);
	if (n >= STICK_NAME_MAX || n <= sl + 16 || strcmp(name + n - sl, suffix))
		return ERR_PARSE;
	for (int i = 0; i < 16; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return ERR_PARSE;
	const char *a = name + 16, *end = name + n - sl;
	if (*a != '-')
		return ERR_PARSE;
	const char *b = memchr(a + 1, '-', (size_t)(end - a - 1));
	if (!b || !is_digits(a + 1, (size_t)(b - a - 1)) || !is_digits(b + 1, (size_t)(end - b - 1)))
		return ERR_PARSE;
	memcpy(stem, name, n - sl);
	stem[n - sl] = '\0';
	return 0;
}

void stick_name_show(const char *name, char *out, size_t outsz)
{
	size_t o = 0;
	if (!outsz)
		return;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		char piece[5];
		int k = *p >= 0x20 && *p < 0x7f && *p != '\\' ? snprintf(piece, sizeof piece, "%c", *p)
							       : snprintf(piece, sizeof piece, "\\x%02x", *p);
		if (o + (size_t)k + 4 > outsz || o >= 80) {
			snprintf(out + o, outsz - o, "%s", outsz - o > 3 ? "..." : "");
			return;
		}
		memcpy(out + o, piece, (size_t)k);
		o += (size_t)k;
	}
	out[o] = '\0';
}

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

int stick_list(struct stick *s, enum stick_sub sub, const char *suffix, stick_report_fn report, void *ctx,
	       struct stick_names *out, struct diag *d)
{
	memset(out, 0, sizeof *out);
	int fd = sub_fd(s, sub);
	if (fd < 0)
		return 0;
	/* fdopendir owns the descriptor it is given: give it its own. */
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	DIR *dh = dup_fd < 0 ? NULL : fdopendir(dup_fd);
	if (!dh) {
		int e = errno;
		if (dup_fd >= 0)
			close(dup_fd);
		diag_set(d, "%s/%s/: cannot list: %s", STICK_ROOT, sub_name(sub), strerror(e));
		return err_from_errno(e);
	}
	rewinddir(dh);
	size_t cap = 0, sl = strlen(suffix);
	struct dirent *e;
	while ((e = readdir(dh))) {
		size_t n = strlen(e->d_name);
		if (n < sl || strcmp(e->d_name + n - sl, suffix))
			continue;
		char stem[STICK_NAME_MAX];
		if (stick_name_parse(e->d_name, suffix, stem)) {
			if (report) {
				char shown[128];
				stick_name_show(e->d_name, shown, sizeof shown);
				report(ctx, shown, "not a name Spean writes (DEVICE-FIRST-LAST): ignored");
			}
			out->rejected++;
			continue;
		}
		if (out->n == STICK_MAX_FILES) {
			out->more = 1;
			continue;
		}
		if (out->n == cap) {
			cap = cap ? 2 * cap : 16;
			char(*v)[STICK_NAME_MAX] = xcalloc(cap, sizeof *v);
			if (out->n)
				memcpy(v, out->v, out->n * sizeof *v);
			free(out->v);
			out->v = v;
		}
		memcpy(out->v[out->n++], e->d_name, n + 1); /* stick_name_parse checked n < STICK_NAME_MAX */
	}
	closedir(dh);
	if (out->n)
		qsort(out->v, out->n, sizeof *out->v, by_name);
	return 0;
}

void stick_names_free(struct stick_names *n)
{
	free(n->v);
	memset(n, 0, sizeof *n);
}

static void dev_prefix(const unsigned char pk[CRYPT_SIGN_PK], char out[17])
{
	char hex[2 * CRYPT_SIGN_PK + 1];
	hex_encode(pk, CRYPT_SIGN_PK, hex);
	memcpy(out, hex, 16);
	out[16] = '\0';
}

/* Friendlier words for what a stick does wrong. */
static void stick_error(struct diag *d, int rc, const char *what)
{
	char why[sizeof d->msg];
	snprintf(why, sizeof why, "%s", d->msg);
	if (rc == ERR_NOSPACE)
		diag_set(d, "the stick is full (%s): %s", what, why);
	else if (strstr(why, "Read-only"))
		diag_set(d, "the stick is read-only (%s): %s", what, why);
	else if (rc == ERR_REFUSED)
		diag_set(d, "this stick is not safe to use (%s): %s", what, why);
	else
		diag_set(d, "cannot write to the stick (%s): %s", what, why);
}

/* Remove this kiosk's bundles with suffix from sub (earlier offers, applied receipts). */
static void remove_own(struct stick *s, enum stick_sub sub, const char *dev, const char *suffix)
{
	struct stick_names names;
	struct diag d;
	if (stick_list(s, sub, suffix, NULL, NULL, &names, &d))
		return;
	for (size_t i = 0; i < names.n; i++)
		if (!strncmp(names.v[i], dev, 16))
			stick_remove(s, sub, names.v[i]);
	stick_names_free(&names);
}

struct exp {
	struct buf *out;
	size_t n, bytes;
	uint64_t first, last;
};

static int add_one(void *ctx, const struct store_request *r)
{
	struct exp *e = ctx;
	if (e->n && e->bytes + r->sealed_len > SYNC_MAX_CHUNK_BYTES)
		return 1;
	sync_offer_add_stored(e->out, r);
	if (!e->n)
		e->first = r->seq;
	e->last = r->seq;
	e->n++;
	e->bytes += r->sealed_len;
	return 0;
}

int stick_export(struct store *st, const unsigned char device_pk[CRYPT_SIGN_PK],
		 const unsigned char device_sk[CRYPT_SIGN_SK], const char *dir, struct stick_export_result *r,
		 struct diag *d)
{
	memset(r, 0, sizeof *r);
	char dev[17];
	dev_prefix(device_pk, dev);
	struct stick s;
	int rc = stick_open(&s, dir, STICK_MAKE_IN | STICK_MAKE_OUT, d);
	if (rc) {
		stick_error(d, rc, "making spean/out");
		stick_close(&s);
		return rc;
	}
	/* Earlier bundles of this kiosk are superseded: what is still held goes out again below. */
	remove_own(&s, STICK_OUT, dev, ".offer");
	unsigned char epoch[STORE_EPOCH_LEN] = {0};
	int have;
	if ((rc = store_get_epoch(st, epoch, &have, d))) {
		stick_close(&s);
		return rc;
	}
	struct store_cursor cur = {0};
	struct buf b;
	buf_init(&b);
	for (;;) {
		struct exp e = {&b, 0, 0, 0, 0};
		sync_offer_begin(&b, device_pk, epoch);
		if ((rc = store_each_held(st, &cur, SYNC_MAX_RECORDS, add_one, &e, d)) < 0)
			break;
		rc = 0;
		if (!e.n)
			break;
		sync_offer_end(&b, device_sk);
		char name[STICK_NAME_MAX];
		snprintf(name, sizeof name, "%s-%llu-%llu.offer", dev, (unsigned long long)e.first, (unsigned long long)e.last);
		if ((rc = stick_write(&s, STICK_OUT, name, b.data, b.len, d))) {
			stick_error(d, rc, name);
			break;
		}
		r->bundles++;
		r->records += e.n;
	}
	buf_finish(&b);
	stick_close(&s);
	log_info("stick_export bundles=%u records=%llu rc=%d", r->bundles, (unsigned long long)r->records, rc);
	return rc;
}

static int held_hash(void *ctx, const unsigned char id[SYNC_ID_LEN], unsigned char hash[CRYPT_HASH])
{
	struct diag d;
	return store_get_hash(ctx, id, hash, &d);
}

static void refused(stick_report_fn report, void *ctx, struct stick_import_result *r, const char *name,
		    const char *why)
{
	r->bad_files++;
	if (report)
		report(ctx, name, why);
}

/* The version in in/content.pack's header (0: not a pack), without reading the rest. */
static int pack_peek(struct stick *s, uint64_t *version, struct diag *d)
{
	*version = 0;
	if (s->in < 0)
		return ERR_NOTFOUND;
	size_t size;
	int fd = fs_open_at(s->in, "content.pack", SYNC_MAX_CONTENT_MESSAGE, &size, STICK_ROOT "/in/content.pack", d);
	if (fd < 0)
		return fd;
	unsigned char h[SYNC_HEADER_LEN + 8];
	if (pread(fd, h, sizeof h, 0) == (ssize_t)sizeof h)
		*version = sync_content_version(h, sizeof h);
	close(fd);
	return 0;
}

int stick_import(struct store *st, const unsigned char device_pk[CRYPT_SIGN_PK],
		 const unsigned char center_sign_pk[CRYPT_SIGN_PK], const char *dir, uint64_t have_version,
		 stick_report_fn report, void *ctx, struct stick_import_result *r, struct diag *d)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->pack);
	char dev[17];
	dev_prefix(device_pk, dev);
	struct stick s;
	struct stick_names names = {0};
	int rc = stick_open(&s, dir, 0, d);
	if (!rc && s.in < 0) {
		diag_set(d, "%s: no %s/in/ on this stick (nothing from the center yet)", dir, STICK_ROOT);
		rc = ERR_NOTFOUND;
	}
	if (!rc)
		rc = stick_list(&s, STICK_IN, ".receipts", report, ctx, &names, d);
	r->bad_files += names.rejected;
	if (rc) {
		stick_close(&s);
		return rc;
	}
	/* The content pack: its header says whether it is worth reading whole. */
	struct buf b;
	struct diag fd = {""};
	buf_init(&b);
	int prc = pack_peek(&s, &r->content_version, &fd);
	if (!prc && r->content_version > have_version)
		prc = stick_read(&s, STICK_IN, "content.pack", SYNC_MAX_CONTENT_MESSAGE, &r->pack, &fd);
	if (prc && prc != ERR_NOTFOUND)
		refused(report, ctx, r, "content.pack", fd.msg);
	for (size_t i = 0; i < names.n && !rc; i++) {
		const char *name = names.v[i];
		if (strncmp(name, dev, 16))
			continue;
		struct sync_msg m;
		struct sync_receipts rs;
		fd.msg[0] = '\0';
		buf_init(&b);
		int frc = stick_read(&s, STICK_IN, name, SYNC_MAX_MESSAGE, &b, &fd);
		if (!frc && !(frc = sync_msg_parse(b.data, b.len, SYNC_MAX_MESSAGE, &m, &fd)))
			frc = sync_receipts_parse(&m, center_sign_pk, held_hash, st, &rs, &fd);
		if (!frc && memcmp(rs.device_pk, device_pk, CRYPT_SIGN_PK)) {
			diag_set(&fd, "receipts for another kiosk");
			sync_receipts_finish(&rs);
			frc = ERR_PARSE;
		}
		if (frc) {
			refused(report, ctx, r, name, fd.msg);
			log_warn("stick_receipts_refused code=%s", err_name(frc));
		} else {
			struct sync_applied a;
			int arc = sync_receipts_apply(st, center_sign_pk, &rs, &a, &fd);
			if (arc == ERR_REFUSED) {
				/* Older than what was applied (an old receipts file replayed): refused, nothing changes. */
				r->bad_files++;
				if (report)
					report(ctx, name, fd.msg);
			} else if (arc) {
				diag_set(d, "%s", fd.msg);
				rc = arc;
			} else {
				r->bundles++;
				r->delivered += a.delivered;
				r->reoffered += a.reoffered;
				r->refused += a.conflicts + a.bad;
				r->conflicts += a.conflicts;
				/* Applied: the receipts and the offer they answer can go (a read-only stick keeps them: harmless). */
				stick_remove(&s, STICK_IN, name);
				char offer[STICK_NAME_MAX];
				stick_name_parse(name, ".receipts", offer);
				strcat(offer, ".offer");
				stick_remove(&s, STICK_OUT, offer);
			}
			sync_receipts_finish(&rs);
		}
		buf_finish(&b);
	}
	stick_names_free(&names);
	stick_close(&s);
	log_info("stick_import bundles=%u delivered=%llu bad_files=%u", r->bundles, (unsigned long long)r->delivered,
		 r->bad_files);
	return rc;
}

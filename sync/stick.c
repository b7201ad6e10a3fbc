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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "kv.h"
#include "log.h"
#include "mem.h"

char *stick_path(const char *dir, const char *sub, const char *name)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "%s/%s%s%s%s%s", dir, STICK_ROOT, sub ? "/" : "", sub ? sub : "", name ? "/" : "", name ? name : "");
	return b.data;
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
	else
		diag_set(d, "cannot write to the stick (%s): %s", what, why);
}

/* Remove this kiosk's files with suffix in DIR/spean/sub (earlier offers, applied receipts). */
static int remove_own(const char *dir, const char *sub, const char *dev, const char *suffix)
{
	char *p = stick_path(dir, sub, NULL);
	DIR *dh = opendir(p);
	int failed = 0;
	if (dh) {
		struct dirent *e;
		while ((e = readdir(dh))) {
			size_t n = strlen(e->d_name), sl = strlen(suffix);
			if (strncmp(e->d_name, dev, 16) || n < sl || strcmp(e->d_name + n - sl, suffix))
				continue;
			char *f = stick_path(dir, sub, e->d_name);
			failed |= unlink(f) != 0;
			free(f);
		}
		closedir(dh);
	}
	free(p);
	return failed;
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
	char *out = stick_path(dir, "out", NULL), *in = stick_path(dir, "in", NULL);
	int rc = fs_mkdir_p(out, 0755, d);
	if (!rc)
		rc = fs_mkdir_p(in, 0755, d);
	if (rc) {
		stick_error(d, rc, "making spean/out");
		goto done;
	}
	/* Earlier bundles of this kiosk are superseded: what is still held goes out again below. */
	remove_own(dir, "out", dev, ".offer");
	unsigned char epoch[STORE_EPOCH_LEN] = {0};
	int have;
	if ((rc = store_get_epoch(st, epoch, &have, d)))
		goto done;
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
		char name[80];
		snprintf(name, sizeof name, "%s-%llu-%llu.offer", dev, (unsigned long long)e.first, (unsigned long long)e.last);
		char *path = stick_path(dir, "out", name);
		rc = fs_write_durable(path, b.data, b.len, 0644, d);
		free(path);
		if (rc) {
			stick_error(d, rc, name);
			break;
		}
		r->bundles++;
		r->records += e.n;
	}
	buf_finish(&b);
	log_info("stick_export bundles=%u records=%llu rc=%d", r->bundles, (unsigned long long)r->records, rc);
done:
	free(out);
	free(in);
	return rc;
}

static int held_hash(void *ctx, const unsigned char id[SYNC_ID_LEN], unsigned char hash[CRYPT_HASH])
{
	struct diag d;
	return store_get_hash(ctx, id, hash, &d);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int stick_import(struct store *st, const unsigned char device_pk[CRYPT_SIGN_PK],
		 const unsigned char center_sign_pk[CRYPT_SIGN_PK], const char *dir, stick_report_fn report, void *ctx,
		 struct stick_import_result *r, struct diag *d)
{
	memset(r, 0, sizeof *r);
	char dev[17];
	dev_prefix(device_pk, dev);
	char *in = stick_path(dir, "in", NULL);
	struct dirent **ents;
	int n = scandir(in, &ents, NULL, by_name);
	if (n < 0) {
		diag_set(d, "%s: no Spean bundles on this stick (nothing from the center yet)", in);
		free(in);
		return ERR_NOTFOUND;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t nl = strlen(name);
		if (!strcmp(name, "content.pack")) {
			char *p = stick_path(dir, "in", name);
			r->content_version = sync_content_file_version(p);
			free(p);
		}
		if (rc || strncmp(name, dev, 16) || nl < 9 || strcmp(name + nl - 9, ".receipts"))
			continue;
		char *p = stick_path(dir, "in", name);
		struct buf b;
		struct diag fd = {""};
		struct sync_msg m;
		struct sync_receipts rs;
		buf_init(&b);
		int frc = fs_read_file(p, SYNC_MAX_MESSAGE, &b, &fd);
		if (!frc && !(frc = sync_msg_parse(b.data, b.len, SYNC_MAX_MESSAGE, &m, &fd)))
			frc = sync_receipts_parse(&m, center_sign_pk, held_hash, st, &rs, &fd);
		if (!frc && memcmp(rs.device_pk, device_pk, CRYPT_SIGN_PK)) {
			diag_set(&fd, "receipts for another kiosk");
			sync_receipts_finish(&rs);
			frc = ERR_PARSE;
		}
		if (frc) {
			r->bad_files++;
			if (report)
				report(ctx, name, fd.msg);
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
				unlink(p);
				char offer[128];
				snprintf(offer, sizeof offer, "%.*s.offer", (int)(nl - 9), name);
				char *op = stick_path(dir, "out", offer);
				unlink(op);
				free(op);
			}
			sync_receipts_finish(&rs);
		}
		buf_finish(&b);
		free(p);
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	free(in);
	log_info("stick_import bundles=%u delivered=%llu bad_files=%u", r->bundles, (unsigned long long)r->delivered,
		 r->bad_files);
	return rc;
}

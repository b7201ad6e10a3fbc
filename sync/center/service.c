#define LOG_MODULE "service"
/*
 * sync/center/service: verify, store durably, then sign. A receipt is
 * signed only for a record that is in the committed database; a refused
 * message stores nothing. The lock serialises the database (SQLite writes
 * are serial anyway); signing happens outside it.
 */
#include "service.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "kv.h"
#include "log.h"
#include "protocol.h"
#include "protocol_status.h"
#include "stick.h"

_Static_assert((int)SYNC_STATUS_STORED == (int)SYNC_STORED && (int)SYNC_STATUS_CONFLICT == (int)SYNC_CONFLICT,
	       "store/protocol_status.h and sync/protocol.h disagree");

struct center_service {
	char *dir;
	struct center_keys k;
	struct cstore *cs;
	unsigned char epoch[SYNC_EPOCH_LEN];
	pthread_mutex_t lock;
	struct center_service_stats stats;
};

int center_service_open(const char *dir, struct center_service **out, struct diag *d)
{
	struct center_service *s = xcalloc(1, sizeof *s);
	*out = NULL;
	int rc = center_load(dir, &s->k, d);
	if (!rc)
		rc = cstore_open(dir, &s->cs, d);
	if (rc) {
		center_keys_wipe(&s->k);
		free(s);
		return rc;
	}
	cstore_epoch(s->cs, s->epoch);
	s->dir = xstrdup(dir);
	pthread_mutex_init(&s->lock, NULL);
	*out = s;
	return 0;
}

void center_service_close(struct center_service *s)
{
	if (!s)
		return;
	cstore_close(s->cs);
	pthread_mutex_destroy(&s->lock);
	center_keys_wipe(&s->k);
	free(s->dir);
	free(s);
}

void center_service_stats(struct center_service *s, struct center_service_stats *out)
{
	pthread_mutex_lock(&s->lock);
	*out = s->stats;
	pthread_mutex_unlock(&s->lock);
}

static int enrolled(struct center_service *s, const unsigned char pk[CRYPT_SIGN_PK], struct diag *d)
{
	pthread_mutex_lock(&s->lock);
	int e = cstore_is_enrolled(s->cs, pk, d);
	pthread_mutex_unlock(&s->lock);
	if (e == 0) {
		char hex[2 * CRYPT_SIGN_PK + 1];
		hex_encode(pk, CRYPT_SIGN_PK, hex);
		diag_set(d, "kiosk %.16s... is not enrolled at this center (spean-center enroll)", hex);
		log_warn("refused why=not_enrolled device=%.16s", hex);
		return ERR_REFUSED;
	}
	return e < 0 ? e : 0;
}

/* The version of dir/content.pack (0: none): read at each hello, since the pack may change while serving. */
static uint64_t pack_version(const struct center_service *s)
{
	char *p = fs_join(s->dir, CENTER_PACK_FILE);
	uint64_t v = sync_content_file_version(p);
	free(p);
	return v;
}

static int on_content_req(struct center_service *s, const struct sync_msg *m, struct buf *reply, struct diag *d)
{
	struct sync_content_req q;
	int rc = sync_content_req_parse(m, &q, d);
	if (rc || (rc = enrolled(s, q.device_pk, d)))
		return rc;
	char *p = fs_join(s->dir, CENTER_PACK_FILE);
	rc = fs_read_file(p, SYNC_MAX_CONTENT_MESSAGE, reply, d);
	free(p);
	if (rc == ERR_NOTFOUND) {
		diag_set(d, "this center has no content pack (spean-center pack)");
		return ERR_REFUSED;
	}
	log_info("content_sent have=%llu bytes=%zu", (unsigned long long)q.have, reply->len);
	return rc ? ERR_IO : 0;
}

static int on_hello(struct center_service *s, const struct sync_msg *m, struct buf *reply, struct diag *d)
{
	struct sync_hello h;
	int rc = sync_hello_parse(m, &h, d);
	if (rc || (rc = enrolled(s, h.device_pk, d)))
		return rc;
	struct sync_welcome w = {.max_records = SYNC_MAX_RECORDS, .max_bytes = SYNC_MAX_CHUNK_BYTES,
				 .content_version = pack_version(s)};
	memcpy(w.device_pk, h.device_pk, sizeof w.device_pk);
	memcpy(w.nonce, h.nonce, sizeof w.nonce);
	memcpy(w.epoch, s->epoch, sizeof w.epoch);
	if (h.refused_version) {
		/* The kiosk refused a pack (ours or one from a stick): the office must know; the welcome waits for the alert. */
		char detail[96];
		snprintf(detail, sizeof detail, "content pack %llu refused by the kiosk: %s", (unsigned long long)h.refused_version,
			 sync_pack_refusal_name(h.refused_why));
		pthread_mutex_lock(&s->lock);
		rc = cstore_alert(s->cs, "pack_refused", h.device_pk, NULL, detail, d);
		pthread_mutex_unlock(&s->lock);
		if (rc)
			return rc;
		log_warn("pack_refused version=%llu why=%s", (unsigned long long)h.refused_version,
			 sync_pack_refusal_name(h.refused_why));
	}
	sync_welcome_encode(reply, &w, s->k.sign_sk);
	pthread_mutex_lock(&s->lock);
	s->stats.hellos++;
	pthread_mutex_unlock(&s->lock);
	log_info("hello held=%u", h.held);
	return 0;
}

/* Verifying signatures is most of a big import: half of a large chunk is checked on a second thread. */
struct verify_half {
	const struct sync_offer *o;
	int *bad;
	uint32_t from;
};

static void *verify_odd(void *p)
{
	struct verify_half *v = p;
	for (uint32_t i = v->from; i < v->o->n; i += 2) {
		struct diag rd = {""};
		v->bad[i] = sync_record_verify(&v->o->r[i], v->o->device_pk, &rd) != 0;
	}
	return NULL;
}

static void verify_all(const struct sync_offer *o, int *bad)
{
	pthread_t th;
	struct verify_half odd = {o, bad, 1};
	int two = o->n >= 64 && pthread_create(&th, NULL, verify_odd, &odd) == 0;
	for (uint32_t i = 0; i < o->n; i += two ? 2 : 1) {
		struct diag rd = {""};
		bad[i] = sync_record_verify(&o->r[i], o->device_pk, &rd) != 0;
	}
	if (two)
		pthread_join(th, NULL);
}

static int on_offer(struct center_service *s, const struct sync_msg *m, struct buf *reply, struct diag *d)
{
	struct sync_offer o;
	int rc = sync_offer_parse(m, &o, d);
	if (rc)
		return rc;
	if ((rc = enrolled(s, o.device_pk, d))) {
		sync_offer_finish(&o);
		return rc;
	}
	/* Verify every record before anything is stored; bad ones get a "bad" receipt and an alert. */
	struct cstore_in *in = xcalloc(o.n ? o.n : 1, sizeof *in);
	int *bad = xcalloc(o.n ? o.n : 1, sizeof *bad);
	size_t nin = 0, nbad = 0;
	verify_all(&o, bad);
	for (uint32_t i = 0; i < o.n; i++) {
		if (bad[i]) {
			nbad++;
			continue;
		}
		in[nin++] = (struct cstore_in){o.r[i].id, o.r[i].hash, o.r[i].sig, o.r[i].sealed, o.r[i].sealed_len, o.r[i].seq,
					       o.r[i].urgent, 0};
	}
	size_t added = 0;
	pthread_mutex_lock(&s->lock);
	rc = cstore_receive(s->cs, o.device_pk, in, nin, &added, d);
	if (!rc && nbad) {
		char detail[64];
		snprintf(detail, sizeof detail, "records=%zu", nbad);
		rc = cstore_alert(s->cs, "bad_record", o.device_pk, NULL, detail, d);
	}
	if (!rc) {
		s->stats.offers++;
		s->stats.records_in += o.n;
		s->stats.records_new += added;
	}
	pthread_mutex_unlock(&s->lock);
	if (!rc) {
		/* Committed: now sign. */
		sync_receipts_begin(reply, o.device_pk, s->epoch);
		struct buf hashes;
		buf_init(&hashes);
		for (uint32_t i = 0, j = 0; i < o.n; i++) {
			struct sync_receipt r;
			memcpy(r.id, o.r[i].id, sizeof r.id);
			memcpy(r.hash, o.r[i].hash, sizeof r.hash);
			r.status = bad[i] ? SYNC_BAD : in[j++].status;
			sync_receipts_add(reply, &hashes, &r);
		}
		sync_receipts_end(reply, &hashes, s->k.sign_sk);
		buf_finish(&hashes);
		log_info("offer records=%u new=%zu bad=%zu", o.n, added, nbad);
	}
	free(in);
	free(bad);
	sync_offer_finish(&o);
	return rc;
}

int center_service_handle(struct center_service *s, const void *msg, size_t n, struct buf *reply, struct diag *d)
{
	struct sync_msg m;
	reply->len = 0;
	int rc = sync_msg_parse(msg, n, SYNC_MAX_MESSAGE, &m, d);
	if (!rc) {
		if (m.type == SYNC_HELLO)
			rc = on_hello(s, &m, reply, d);
		else if (m.type == SYNC_OFFER)
			rc = on_offer(s, &m, reply, d);
		else if (m.type == SYNC_CONTENT_REQ)
			rc = on_content_req(s, &m, reply, d);
		else {
			diag_set(d, "a %s message is not a request to the center", sync_type_name(m.type));
			rc = ERR_PARSE;
		}
	}
	if (rc && rc != ERR_IO && rc != ERR_NOSPACE) {
		pthread_mutex_lock(&s->lock);
		s->stats.refused++;
		pthread_mutex_unlock(&s->lock);
		log_warn("refused code=%s", err_name(rc));
	}
	return rc;
}

static int offer_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int center_stick_import(struct center_service *s, const char *dir, void (*report)(void *ctx, const char *file, const char *why),
			void *ctx, struct center_import_result *r, struct diag *d)
{
	memset(r, 0, sizeof *r);
	char *out = stick_path(dir, "out", NULL), *in = stick_path(dir, "in", NULL);
	struct dirent **ents;
	int n = scandir(out, &ents, NULL, offer_name);
	int rc = 0;
	if (n < 0) {
		diag_set(d, "%s: no kiosk bundles on this stick ('spean sync --export' writes them)", out);
		free(out);
		free(in);
		return ERR_NOTFOUND;
	}
	if ((rc = fs_mkdir_p(in, 0755, d)))
		diag_prefix(d, "cannot write receipts to the stick: ");
	struct buf msg, reply;
	buf_init(&msg);
	buf_init(&reply);
	for (int i = 0; i < n && !rc; i++) {
		const char *name = ents[i]->d_name;
		size_t nl = strlen(name);
		if (nl < 7 || strcmp(name + nl - 6, ".offer"))
			continue;
		char *p = stick_path(dir, "out", name);
		struct diag fd = {""};
		msg.len = 0;
		int frc = fs_read_file(p, SYNC_MAX_MESSAGE, &msg, &fd);
		free(p);
		struct center_service_stats before;
		center_service_stats(s, &before);
		if (!frc)
			frc = center_service_handle(s, msg.data, msg.len, &reply, &fd);
		if (!frc && (reply.len < SYNC_HEADER_LEN || reply.data[4] != SYNC_RECEIPTS)) {
			diag_set(&fd, "not an offer bundle");
			frc = ERR_PARSE;
		}
		if (frc == ERR_IO || frc == ERR_NOSPACE) {
			diag_set(d, "%s: the center cannot store: %s", name, fd.msg);
			rc = frc;
			break;
		}
		if (frc) {
			r->refused++;
			if (report)
				report(ctx, name, fd.msg);
			continue;
		}
		struct center_service_stats after;
		center_service_stats(s, &after);
		r->records += after.records_in - before.records_in;
		r->added += after.records_new - before.records_new;
		char rname[128];
		snprintf(rname, sizeof rname, "%.*s.receipts", (int)(nl - 6), name);
		char *rp = stick_path(dir, "in", rname);
		rc = fs_write_durable(rp, reply.data, reply.len, 0644, d);
		free(rp);
		if (rc)
			diag_prefix(d, "the stick (full, read-only or pulled?): ");
		else
			r->bundles++;
	}
	if (!rc) {
		/* The content pack rides back with the receipts. */
		char *pp = fs_join(s->dir, CENTER_PACK_FILE);
		if (fs_exists(pp)) {
			struct buf pack;
			buf_init(&pack);
			char *dst = stick_path(dir, "in", "content.pack");
			if (!(rc = fs_read_file(pp, SYNC_MAX_CONTENT_MESSAGE, &pack, d)))
				rc = fs_write_durable(dst, pack.data, pack.len, 0644, d);
			free(dst);
			buf_finish(&pack);
		}
		free(pp);
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	buf_finish(&msg);
	buf_finish(&reply);
	free(out);
	free(in);
	log_info("stick_import bundles=%u refused=%u records=%lu new=%lu", r->bundles, r->refused, r->records, r->added);
	return rc;
}

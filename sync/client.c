#define LOG_MODULE "sync"
/*
 * sync/client: one session. Chunks grow while the link delivers and shrink
 * when it fails (a weak link still makes progress); a failed exchange is
 * retried from the same cursor, which is safe because the center
 * deduplicates by id and hash. Only a verified receipt for a record in the
 * chunk just sent moves that record to delivered.
 */
#include "client.h"

#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "protocol.h"

#define START_RECORDS 32

static void pause_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Exchange with retries on link failures (backoff 50 ms doubling to 2 s). */
static int exchange(const struct sync_client_cfg *cfg, struct sync_transport *t, const struct buf *req, struct buf *reply,
		    unsigned *retries, struct diag *d)
{
	unsigned tries = cfg->tries ? cfg->tries : 8, wait = 50;
	int rc = ERR_IO;
	for (unsigned i = 0; i < tries; i++) {
		if (i) {
			(*retries)++;
			pause_ms(wait);
			wait = wait < 1000 ? wait * 2 : 2000;
		}
		rc = t->ops->exchange(t, req, reply, d);
		if (rc != ERR_IO)
			return rc;
	}
	return rc;
}

/* The hash of a record in the chunk just sent, for the receipts' signature. */
struct lookup {
	const struct store_receipt *want;
	size_t n;
};

static int chunk_hash(void *ctx, const unsigned char id[SYNC_ID_LEN], unsigned char hash[CRYPT_HASH])
{
	const struct lookup *l = ctx;
	for (size_t i = 0; i < l->n; i++)
		if (!memcmp(l->want[i].id, id, SYNC_ID_LEN)) {
			memcpy(hash, l->want[i].hash, CRYPT_HASH);
			return 0;
		}
	return 1;
}

void sync_offer_add_stored(struct buf *out, const struct store_request *r)
{
	struct sync_record x;
	memcpy(x.id, r->id, sizeof x.id);
	x.seq = r->seq;
	x.urgent = r->urgent;
	memcpy(x.hash, r->hash, sizeof x.hash);
	memcpy(x.sig, r->sig, sizeof x.sig);
	x.sealed = r->sealed;
	x.sealed_len = r->sealed_len;
	sync_offer_add(out, &x);
}

int sync_receipts_apply(struct store *st, const unsigned char center_sign_pk[CRYPT_SIGN_PK], const struct sync_receipts *rs,
			struct sync_applied *a, struct diag *d)
{
	memset(a, 0, sizeof *a);
	struct store_receipt *r = xcalloc(rs->n ? rs->n : 1, sizeof *r);
	for (uint32_t i = 0; i < rs->n; i++) {
		memcpy(r[i].id, rs->r[i].id, STORE_ID_LEN);
		memcpy(r[i].hash, rs->r[i].hash, STORE_HASH_LEN);
		memcpy(r[i].sig, rs->sig, STORE_SIG_LEN); /* the center's signature over these receipts */
		r[i].refused = rs->r[i].status == SYNC_STORED ? 0 : rs->r[i].reason ? rs->r[i].reason : SYNC_WHY_CONFLICT;
		a->conflicts += rs->r[i].status == SYNC_CONFLICT;
		a->bad += rs->r[i].status == SYNC_BAD;
	}
	int rc = store_apply_receipts(st, center_sign_pk, rs->counter, rs->epoch, r, rs->n, &a->reoffered, &a->delivered, d);
	free(r);
	if (rc) {
		a->conflicts = a->bad = 0;
		return rc;
	}
	if (a->conflicts || a->bad)
		log_warn("refused_by_center conflicts=%llu bad=%llu", (unsigned long long)a->conflicts, (unsigned long long)a->bad);
	return 0;
}

struct chunk {
	struct buf *out;
	size_t n, max_n, bytes, max_bytes;
	struct store_receipt *want; /* id + hash of each record in the chunk */
};

static int add_record(void *ctx, const struct store_request *r)
{
	struct chunk *c = ctx;
	if (c->n && c->bytes + r->sealed_len > c->max_bytes)
		return 1; /* the next chunk takes it */
	sync_offer_add_stored(c->out, r);
	memcpy(c->want[c->n].id, r->id, STORE_ID_LEN);
	memcpy(c->want[c->n].hash, r->hash, STORE_HASH_LEN);
	c->n++;
	c->bytes += r->sealed_len;
	return 0;
}

int sync_content_accept(const void *data, size_t n, const unsigned char center_sign_pk[CRYPT_SIGN_PK], uint64_t have,
			int (*install)(void *ctx, const struct sync_content *c, struct diag *d), void *ctx, uint64_t *version,
			int *why, struct diag *d)
{
	struct sync_msg m;
	struct sync_content c = {0};
	int w = SYNC_PACK_FORMAT;
	int rc = sync_msg_parse(data, n, SYNC_MAX_CONTENT_MESSAGE, &m, d);
	if (!rc && (rc = sync_content_parse(&m, center_sign_pk, &c, d)))
		w = rc == ERR_CRYPTO ? SYNC_PACK_SIGNATURE : rc == ERR_INVAL ? SYNC_PACK_VERSION : SYNC_PACK_FORMAT;
	if (!rc && c.version <= have) {
		diag_set(d, "pack version %llu is not newer than the installed %llu (a rollback?)", (unsigned long long)c.version,
			 (unsigned long long)have);
		rc = ERR_REFUSED;
		w = SYNC_PACK_OLDER;
	}
	/* The installer checks the content as a whole; what it cannot write is a disk's fault, not the pack's. */
	if (!rc && (rc = install(ctx, &c, d)))
		w = rc == ERR_IO || rc == ERR_NOSPACE ? SYNC_PACK_INSTALL : SYNC_PACK_CONTENT;
	if (why)
		*why = rc ? w : 0;
	*version = rc ? 0 : c.version;
	sync_content_finish(&c);
	return rc;
}

/* Fetch, verify and install the center's newer pack; a refusal is reported, never fatal: the old pack stays. */
static void fetch_content(const struct sync_client_cfg *cfg, struct sync_transport *t, struct sync_result *res)
{
	struct buf req, reply;
	struct diag d = {""};
	buf_init(&req);
	buf_init(&reply);
	struct sync_content_req q = {.have = cfg->content_have};
	memcpy(q.device_pk, cfg->device_pk, CRYPT_SIGN_PK);
	sync_content_req_encode(&req, &q, cfg->device_sk);
	uint64_t version = 0;
	int why = 0;
	int rc = exchange(cfg, t, &req, &reply, &res->retries, &d);
	if (!rc)
		rc = sync_content_accept(reply.data, reply.len, cfg->center_sign_pk, cfg->content_have, cfg->content_install,
					 cfg->ctx, &version, &why, &d);
	if (rc) {
		res->content_rc = rc;
		res->content_refusal = why; /* 0: the link failed, nothing to tell */
		snprintf(res->content_why, sizeof res->content_why, "%s", d.msg);
		log_warn("content_refused code=%s", err_name(rc));
	} else {
		res->content_installed = version;
		log_info("content_installed version=%llu", (unsigned long long)version);
	}
	buf_finish(&req);
	buf_finish(&reply);
}

int sync_run(const struct sync_client_cfg *cfg, struct sync_transport *t, struct sync_result *res, struct diag *d)
{
	memset(res, 0, sizeof *res);
	struct store_counts cnt;
	struct buf req, reply;
	buf_init(&req);
	buf_init(&reply);
	struct store_receipt *want = xcalloc(SYNC_MAX_RECORDS, sizeof *want);
	int rc = store_count(cfg->st, &cnt, d);
	if (rc)
		goto out;

	/* Hello: a fresh nonce, so the welcome (and its epoch) cannot be an old one replayed. */
	struct sync_hello h = {.held = (uint32_t)(cnt.held > UINT32_MAX ? UINT32_MAX : cnt.held)};
	memcpy(h.device_pk, cfg->device_pk, CRYPT_SIGN_PK);
	crypt_random(h.nonce, sizeof h.nonce);
	if (cfg->content_refused_tell && cfg->content_refused && cfg->content_refused_why) {
		h.refused_version = cfg->content_refused;
		h.refused_why = cfg->content_refused_why;
	}
	h.has_facts = 1;
	h.pack_version = cfg->content_have;
	h.urgent_held = (uint32_t)(cnt.urgent_held > h.held ? h.held : cnt.urgent_held);
	h.free_mib = cfg->free_mib;
	h.battery = cfg->battery;
	h.clock = clock_wall_seconds();
	snprintf(h.program, sizeof h.program, "%s", cfg->program ? cfg->program : "");
	sync_hello_encode(&req, &h, cfg->device_sk);
	if ((rc = exchange(cfg, t, &req, &reply, &res->retries, d)))
		goto out;
	struct sync_msg m;
	struct sync_welcome w;
	if ((rc = sync_msg_parse(reply.data, reply.len, SYNC_MAX_MESSAGE, &m, d)) ||
	    (rc = sync_welcome_parse(&m, cfg->center_sign_pk, &w, d)))
		goto out;
	if (memcmp(w.nonce, h.nonce, sizeof h.nonce) || memcmp(w.device_pk, cfg->device_pk, CRYPT_SIGN_PK)) {
		diag_set(d, "the center's welcome answers another hello (replayed?)");
		rc = ERR_CRYPTO;
		goto out;
	}
	res->welcomed = 1;
	if ((rc = store_set_epoch(cfg->st, w.epoch, cfg->center_sign_pk, &res->reoffered, d)) || (rc = store_count(cfg->st, &cnt, d)))
		goto out;
	struct sync_progress pr = {0, cnt.held, 0, 0};
	log_info("session_start held=%llu reoffered=%llu", (unsigned long long)cnt.held, (unsigned long long)res->reoffered);

	struct store_cursor cur = {0};
	size_t size = START_RECORDS;
	for (;;) {
		struct store_cursor at = cur;
		struct chunk c = {&req, 0, size < w.max_records ? size : w.max_records, 0, w.max_bytes, want};
		sync_offer_begin(&req, cfg->device_pk, w.epoch);
		if ((rc = store_each_held(cfg->st, &cur, c.max_n, add_record, &c, d)) < 0)
			goto out;
		rc = 0;
		if (c.n == 0)
			break;
		sync_offer_end(&req, cfg->device_sk);
		unsigned before = res->retries;
		rc = exchange(cfg, t, &req, &reply, &res->retries, d);
		if (res->retries != before && size > 1)
			size /= 2; /* the link struggles: smaller chunks make progress */
		if (rc) {
			cur = at;
			goto out;
		}
		struct sync_receipts rs;
		struct lookup lk = {want, c.n};
		if ((rc = sync_msg_parse(reply.data, reply.len, SYNC_MAX_MESSAGE, &m, d)) ||
		    (rc = sync_receipts_parse(&m, cfg->center_sign_pk, chunk_hash, &lk, &rs, d)))
			goto out;
		if (memcmp(rs.epoch, w.epoch, SYNC_EPOCH_LEN) || memcmp(rs.device_pk, cfg->device_pk, CRYPT_SIGN_PK)) {
			sync_receipts_finish(&rs);
			diag_set(d, "receipts for another epoch or kiosk: ignored");
			rc = ERR_CRYPTO;
			goto out;
		}
		struct sync_applied a;
		rc = sync_receipts_apply(cfg->st, cfg->center_sign_pk, &rs, &a, d);
		sync_receipts_finish(&rs);
		if (rc)
			goto out;
		res->delivered += a.delivered;
		res->conflicts += a.conflicts;
		res->bad += a.bad;
		res->chunks++;
		if (res->retries == before && size < SYNC_MAX_RECORDS)
			size = size * 2 < SYNC_MAX_RECORDS ? size * 2 : SYNC_MAX_RECORDS;
		pr.delivered = res->delivered;
		pr.chunks = res->chunks;
		pr.retries = res->retries;
		if (cfg->progress)
			cfg->progress(cfg->ctx, &pr);
	}
	rc = store_sync_finish(cfg->st, cfg->retention ? cfg->retention : 30, &res->purged, d);
	res->content_offered = w.content_version;
	if (!rc && cfg->content_install && w.content_version > cfg->content_have) {
		/*
		 * Refused before for what it holds (a signed pack: its version is the center's word):
		 * fetching it again would refuse it again. A forged or malformed one (a stick can carry
		 * anything) says nothing about the center's pack of that number: fetched.
		 */
		int verified = cfg->content_refused_why == SYNC_PACK_VERSION || cfg->content_refused_why == SYNC_PACK_OLDER ||
			       cfg->content_refused_why == SYNC_PACK_CONTENT;
		if (w.content_version == cfg->content_refused && verified) {
			res->content_rc = ERR_REFUSED;
			res->content_refusal = cfg->content_refused_why;
			snprintf(res->content_why, sizeof res->content_why, "pack %llu was refused before (%s); the center knows",
				 (unsigned long long)w.content_version, sync_pack_refusal_name(cfg->content_refused_why));
		} else {
			fetch_content(cfg, t, res);
		}
	}
out:;
	struct diag cd = {""};
	if (store_count(cfg->st, &cnt, &cd) == 0) {
		res->held = cnt.held;
		res->delivered_total = cnt.delivered;
	}
	log_info("session_end rc=%d delivered=%llu held=%llu chunks=%u retries=%u", rc, (unsigned long long)res->delivered,
		 (unsigned long long)res->held, res->chunks, res->retries);
	free(want);
	buf_finish(&req);
	buf_finish(&reply);
	return rc;
}

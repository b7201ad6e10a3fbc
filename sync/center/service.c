#define LOG_MODULE "service"
/*
 * sync/center/service: verify, store durably, then sign. A receipt is
 * signed only for a record that is in the committed database; a refused
 * message stores nothing. The lock serialises the database (SQLite writes
 * are serial anyway); signing happens outside it.
 */
#include "service.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "kv.h"
#include "log.h"
#include "protocol.h"
#include "protocol_status.h"
#include "record.h"
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

int center_service_locked(struct center_service *s)
{
	pthread_mutex_lock(&s->lock);
	int l = s->k.locked;
	pthread_mutex_unlock(&s->lock);
	return l;
}

int center_service_unlock(struct center_service *s, const char *pass, struct diag *d)
{
	pthread_mutex_lock(&s->lock);
	int rc = s->k.locked ? center_key_unlock(s->dir, &s->k, pass, d) : 0;
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void center_service_set_box_sk(struct center_service *s, const unsigned char *sk)
{
	pthread_mutex_lock(&s->lock);
	if (sk) {
		memcpy(s->k.sk, sk, CRYPT_BOX_SK);
		s->k.locked = 0;
	} else {
		crypt_wipe(s->k.sk, CRYPT_BOX_SK);
		s->k.locked = 1;
	}
	pthread_mutex_unlock(&s->lock);
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
	if (e == 2) { /* revoked: refused, and the office told each time it tries */
		struct diag ad = {""};
		cstore_alert(s->cs, "revoked_kiosk", pk, NULL, "a revoked kiosk tried to sync", &ad);
	}
	pthread_mutex_unlock(&s->lock);
	if (e == 2) {
		diag_set(d, "this kiosk was revoked at the center: it can deliver nothing (ask the office)");
		log_warn("refused why=revoked");
		return ERR_REFUSED;
	}
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
	/* Every contact is kept, even with nothing to deliver: the fleet page shows which kiosk went quiet. */
	pthread_mutex_lock(&s->lock);
	struct cstore_facts f = {h.has_facts, h.held, h.has_facts ? h.urgent_held : 0, h.has_facts ? h.pack_version : 0,
				 h.has_facts ? h.free_mib : UINT32_MAX, h.has_facts ? h.battery : -1, h.has_facts ? h.clock : 0,
				 h.has_facts ? h.program : ""};
	rc = cstore_contact(s->cs, h.device_pk, &f, d);
	pthread_mutex_unlock(&s->lock);
	if (rc)
		return rc;
	sync_welcome_encode(reply, &w, s->k.sign_sk);
	pthread_mutex_lock(&s->lock);
	s->stats.hellos++;
	pthread_mutex_unlock(&s->lock);
	log_info("hello held=%u", h.held);
	return 0;
}

/*
 * The center receipts only what it can open: the record's signature, then
 * the sealed payload opened with this center's key, parsed, and its inner id
 * and urgent flag equal to the signed outer ones. 0, or the reason
 * (enum sync_reason) it is refused. The plaintext is wiped at once.
 */
static int check_record(const struct center_keys *k, const struct sync_record *r, const unsigned char device_pk[CRYPT_SIGN_PK])
{
	struct diag rd = {""};
	if (sync_record_verify(r, device_pk, &rd))
		return SYNC_WHY_SIGNATURE;
	static const int why[] = {[RECORD_OPEN_OK] = SYNC_WHY_NONE, [RECORD_OPEN_SEALED] = SYNC_WHY_SEALED,
				  [RECORD_OPEN_UNREADABLE] = SYNC_WHY_UNREADABLE, [RECORD_OPEN_ID] = SYNC_WHY_ID,
				  [RECORD_OPEN_URGENT] = SYNC_WHY_URGENT};
	struct buf plain;
	struct request q;
	buf_init(&plain);
	request_init(&q);
	enum record_open o = record_open_sealed(r->sealed, r->sealed_len, k->pk, k->sk, r->id, r->urgent, &plain, &q, &rd);
	request_finish(&q);
	buf_finish_wipe(&plain);
	return why[o];
}

/* Checking (a signature and an X25519 open per record) is most of a big import: half of a large chunk runs on a second thread, off the database lock. */
struct check_half {
	const struct center_keys *k;
	const struct sync_offer *o;
	int *why;
	uint32_t from;
};

static void *check_odd(void *p)
{
	struct check_half *v = p;
	for (uint32_t i = v->from; i < v->o->n; i += 2)
		v->why[i] = check_record(v->k, &v->o->r[i], v->o->device_pk);
	return NULL;
}

static void check_all(const struct center_keys *k, const struct sync_offer *o, int *why)
{
	pthread_t th;
	struct check_half odd = {k, o, why, 1};
	int two = o->n >= 32 && pthread_create(&th, NULL, check_odd, &odd) == 0;
	for (uint32_t i = 0; i < o->n; i += two ? 2 : 1)
		why[i] = check_record(k, &o->r[i], o->device_pk);
	if (two)
		pthread_join(th, NULL);
}

/* Inside the lock: one alert per reason in this offer, naming the kiosk, the first id and how many. */
static int alert_bad(struct center_service *s, const struct sync_offer *o, const int *why, struct diag *d)
{
	for (int reason = SYNC_WHY_SIGNATURE; reason <= SYNC_WHY_URGENT; reason++) {
		size_t n = 0;
		const unsigned char *first = NULL;
		for (uint32_t i = 0; i < o->n; i++)
			if (why[i] == reason && n++ == 0)
				first = o->r[i].id;
		if (!n)
			continue;
		char detail[96];
		snprintf(detail, sizeof detail, "reason=%s records=%zu", sync_reason_name(reason), n);
		int rc = cstore_alert(s->cs, "bad_record", o->device_pk, first, detail, d);
		if (rc)
			return rc;
		log_warn("bad_record reason=%s records=%zu", sync_reason_name(reason), n);
	}
	return 0;
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
	/*
	 * The center opens a record before it receipts it: with its key under lock it receipts nothing. The
	 * kiosk keeps its requests and offers them again (the carrier says "try later"). The keys are copied
	 * under the lock: an unlock or a lock may come in the middle of an offer.
	 */
	struct center_keys k;
	pthread_mutex_lock(&s->lock);
	k = s->k;
	pthread_mutex_unlock(&s->lock);
	if (k.locked) {
		center_keys_wipe(&k);
		sync_offer_finish(&o);
		diag_set(d, "the center's key is locked: the director unlocks it in the console; the kiosk keeps its requests and tries again later");
		log_warn("offer_deferred reason=locked");
		return ERR_STATE;
	}
	/* Check every record before anything is stored; refused ones get a "bad" receipt with the reason, and an alert. */
	struct cstore_in *in = xcalloc(o.n ? o.n : 1, sizeof *in);
	int *why = xcalloc(o.n ? o.n : 1, sizeof *why);
	size_t nin = 0, nbad = 0, nconflict = 0, ncollision = 0;
	check_all(&k, &o, why);
	center_keys_wipe(&k);
	for (uint32_t i = 0; i < o.n; i++) {
		if (why[i]) {
			nbad++;
			continue;
		}
		in[nin++] = (struct cstore_in){o.r[i].id, o.r[i].hash, o.r[i].sig, o.r[i].sealed, o.r[i].sealed_len, o.r[i].seq,
					       o.r[i].urgent, 0, 0};
	}
	size_t added = 0;
	uint64_t counter = 0;
	pthread_mutex_lock(&s->lock);
	rc = cstore_receive(s->cs, o.device_pk, in, nin, &added, d);
	if (!rc && nbad)
		rc = alert_bad(s, &o, why, d);
	if (!rc) {
		for (size_t j = 0; j < nin; j++) {
			nconflict += in[j].status == SYNC_STATUS_CONFLICT;
			ncollision += in[j].collision != 0;
		}
		counter = cstore_counter(s->cs);
		s->stats.offers++;
		s->stats.records_in += o.n;
		s->stats.records_new += added;
		s->stats.records_bad += nbad;
		s->stats.records_conflict += nconflict;
		s->stats.records_collision += ncollision;
	}
	pthread_mutex_unlock(&s->lock);
	if (!rc) {
		/* Committed: now sign. */
		sync_receipts_begin(reply, o.device_pk, s->epoch, counter);
		struct buf hashes;
		buf_init(&hashes);
		for (uint32_t i = 0, j = 0; i < o.n; i++) {
			struct sync_receipt r;
			memcpy(r.id, o.r[i].id, sizeof r.id);
			memcpy(r.hash, o.r[i].hash, sizeof r.hash);
			if (why[i]) {
				r.status = SYNC_BAD;
				r.reason = why[i];
			} else {
				r.status = in[j++].status;
				r.reason = r.status == SYNC_CONFLICT ? SYNC_WHY_CONFLICT : SYNC_WHY_NONE;
			}
			sync_receipts_add(reply, &hashes, &r);
		}
		sync_receipts_end(reply, &hashes, s->k.sign_sk);
		buf_finish(&hashes);
		log_info("offer records=%u new=%zu bad=%zu conflict=%zu collision=%zu counter=%llu", o.n, added, nbad, nconflict,
			 ncollision, (unsigned long long)counter);
	}
	free(in);
	free(why);
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

int center_stick_import(struct center_service *s, const char *dir, void (*report)(void *ctx, const char *file, const char *why),
			void *ctx, struct center_import_result *r, struct diag *d)
{
	memset(r, 0, sizeof *r);
	struct stick st;
	struct stick_names names = {0};
	int rc = stick_open(&st, dir, 0, d);
	if (!rc && st.out < 0) {
		diag_set(d, "%s: no kiosk bundles on this stick ('spean sync --export' writes them)", dir);
		rc = ERR_NOTFOUND;
	}
	if (!rc)
		rc = stick_list(&st, STICK_OUT, ".offer", report, ctx, &names, d);
	/* Receipts go to in/, made here if the kiosks have not: a real directory or nothing. */
	if (!rc && st.in < 0) {
		int fd = fs_subdir_open(st.top, "in", 1, 0755, STICK_ROOT "/in/", d);
		if (fd < 0) {
			rc = fd;
			diag_prefix(d, "cannot write receipts to the stick: ");
		} else {
			st.in = fd;
		}
	}
	r->more = names.more;
	r->refused += names.rejected;
	struct buf msg, reply;
	buf_init(&msg);
	buf_init(&reply);
	for (size_t i = 0; i < names.n && !rc; i++) {
		const char *name = names.v[i];
		struct diag fd = {""};
		msg.len = 0;
		int frc = stick_read(&st, STICK_OUT, name, SYNC_MAX_MESSAGE, &msg, &fd);
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
		r->bad += after.records_bad - before.records_bad;
		r->conflicts += after.records_conflict - before.records_conflict;
		r->collisions += after.records_collision - before.records_collision;
		char rname[STICK_NAME_MAX];
		stick_name_parse(name, ".offer", rname);
		strcat(rname, ".receipts");
		if ((rc = stick_write(&st, STICK_IN, rname, reply.data, reply.len, d)))
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
			if (!(rc = fs_read_file(pp, SYNC_MAX_CONTENT_MESSAGE, &pack, d)) &&
			    !(rc = stick_write(&st, STICK_IN, "content.pack", pack.data, pack.len, d)))
				r->pack_written = 1;
			buf_finish(&pack);
		}
		free(pp);
	}
	buf_finish(&msg);
	buf_finish(&reply);
	stick_names_free(&names);
	stick_close(&st);
	log_info("stick_import bundles=%u refused=%u records=%lu new=%lu bad=%lu conflict=%lu collision=%lu", r->bundles,
		 r->refused, r->records, r->added, r->bad, r->conflicts, r->collisions);
	return rc;
}

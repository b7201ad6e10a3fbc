#define LOG_MODULE "protocol"
/*
 * sync/protocol: encoding and strict parsing of the sync messages. Integers
 * are little-endian; every length is checked against what is left before it
 * is used; a message is accepted whole or not at all.
 */
#include "protocol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "record.h"

static const unsigned char receipt_tag[12] = "spean-rcpt-2";

const char *sync_type_name(int type)
{
	switch (type) {
	case SYNC_HELLO: return "hello";
	case SYNC_WELCOME: return "welcome";
	case SYNC_OFFER: return "offer";
	case SYNC_RECEIPTS: return "receipts";
	case SYNC_RECEIPTS_V1: return "receipts (version 1)";
	case SYNC_CONTENT: return "content";
	case SYNC_CONTENT_REQ: return "content request";
	default: return "?";
	}
}

const char *sync_status_name(int status)
{
	switch (status) {
	case SYNC_STORED: return "stored";
	case SYNC_CONFLICT: return "conflict";
	case SYNC_BAD: return "bad";
	default: return "?";
	}
}

const char *sync_reason_text(int reason)
{
	switch (reason) {
	case SYNC_WHY_NONE: return "stored";
	case SYNC_WHY_SIGNATURE: return "the record's signature does not verify";
	case SYNC_WHY_SEALED: return "sealed to another center";
	case SYNC_WHY_UNREADABLE: return "unreadable";
	case SYNC_WHY_ID: return "id mismatch";
	case SYNC_WHY_URGENT: return "urgent mismatch";
	case SYNC_WHY_CONFLICT: return "this id was delivered before with other content";
	default: return "?";
	}
}

const char *sync_pack_refusal_name(int why)
{
	switch (why) {
	case SYNC_PACK_SIGNATURE: return "signature";
	case SYNC_PACK_FORMAT: return "format";
	case SYNC_PACK_VERSION: return "version";
	case SYNC_PACK_OLDER: return "older";
	case SYNC_PACK_CONTENT: return "content";
	case SYNC_PACK_INSTALL: return "install";
	default: return "?";
	}
}

const char *sync_reason_name(int reason)
{
	switch (reason) {
	case SYNC_WHY_NONE: return "none";
	case SYNC_WHY_SIGNATURE: return "bad_signature";
	case SYNC_WHY_SEALED: return "sealed_to_another_center";
	case SYNC_WHY_UNREADABLE: return "unreadable";
	case SYNC_WHY_ID: return "id_mismatch";
	case SYNC_WHY_URGENT: return "urgent_mismatch";
	case SYNC_WHY_CONFLICT: return "conflict";
	default: return "?";
	}
}

/* The reasons that go with each status (the parser refuses any other pair). */
static int reason_fits(int status, int reason)
{
	if (status == SYNC_STORED)
		return reason == SYNC_WHY_NONE;
	if (status == SYNC_CONFLICT)
		return reason == SYNC_WHY_CONFLICT;
	return status == SYNC_BAD && reason >= SYNC_WHY_SIGNATURE && reason <= SYNC_WHY_URGENT;
}

static int is_signed(int type)
{
	return type >= SYNC_HELLO && type <= SYNC_TYPE_MAX;
}

/* ---- little-endian helpers ---- */

static void put_u32(struct buf *b, uint32_t v)
{
	unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
	buf_append(b, x, 4);
}

static void put_u64(struct buf *b, uint64_t v)
{
	put_u32(b, (uint32_t)v);
	put_u32(b, (uint32_t)(v >> 32));
}

static void set_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8), p[2] = (unsigned char)(v >> 16), p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* A cursor over a body: every take checks what is left. */
struct rd {
	const unsigned char *p;
	size_t left;
	int bad;
};

static const unsigned char *take(struct rd *r, size_t n)
{
	if (r->bad || n > r->left) {
		r->bad = 1;
		return NULL;
	}
	const unsigned char *p = r->p;
	r->p += n;
	r->left -= n;
	return p;
}

static int take_copy(struct rd *r, void *dst, size_t n)
{
	const unsigned char *p = take(r, n);
	if (p)
		memcpy(dst, p, n);
	return p != NULL;
}

static uint32_t take_u32(struct rd *r)
{
	const unsigned char *p = take(r, 4);
	return p ? get_u32(p) : 0;
}

static uint64_t take_u64(struct rd *r)
{
	const unsigned char *p = take(r, 8);
	return p ? get_u64(p) : 0;
}

/* ---- framing ---- */

static void begin(struct buf *out, int type)
{
	out->len = 0;
	buf_append(out, SYNC_MAGIC, 4);
	unsigned char t[4] = {(unsigned char)type, 0, 0, 0};
	buf_append(out, t, 4);
	put_u32(out, 0); /* body length, set by finish */
}

/* Set the body length; sign header + body when sk is given. */
static void finish(struct buf *out, const unsigned char *sk)
{
	set_u32((unsigned char *)out->data + 8, (uint32_t)(out->len - SYNC_HEADER_LEN));
	if (sk) {
		unsigned char sig[CRYPT_SIG];
		crypt_sign(sig, out->data, out->len, sk);
		buf_append(out, sig, sizeof sig);
	}
}

int sync_msg_parse(const void *data, size_t n, size_t max, struct sync_msg *m, struct diag *d)
{
	const unsigned char *p = data;
	memset(m, 0, sizeof *m);
	if (n < SYNC_HEADER_LEN || memcmp(p, SYNC_MAGIC, 4)) {
		diag_set(d, "not a Spean sync message (%s)", n < SYNC_HEADER_LEN ? "too short" : "bad magic");
		return ERR_PARSE;
	}
	int type = p[4];
	if (type < SYNC_HELLO || type > SYNC_TYPE_MAX) {
		diag_set(d, "unknown message type %d", type);
		return ERR_PARSE;
	}
	if (type == SYNC_RECEIPTS_V1) {
		diag_set(d, "receipts of protocol version 1 (an older center, or an old receipts file): no epoch counter "
			    "and no reasons, so no longer accepted; update the center and sync again");
		return ERR_PARSE;
	}
	if (p[5] || p[6] || p[7]) {
		diag_set(d, "%s: reserved header bytes are not zero (a newer protocol?)", sync_type_name(type));
		return ERR_PARSE;
	}
	uint32_t len = get_u32(p + 8);
	size_t sig = is_signed(type) ? CRYPT_SIG : 0;
	if (len > max || SYNC_HEADER_LEN + (size_t)len + sig > max) {
		diag_set(d, "%s: %u bytes is over the limit of %zu", sync_type_name(type), len, max);
		return ERR_TOOBIG;
	}
	if (n != SYNC_HEADER_LEN + (size_t)len + sig) {
		diag_set(d, "%s: %zu bytes where the header says %zu (%s)", sync_type_name(type), n,
			 SYNC_HEADER_LEN + (size_t)len + sig, n < SYNC_HEADER_LEN + (size_t)len + sig ? "truncated" : "trailing bytes");
		return ERR_PARSE;
	}
	m->type = type;
	m->body = p + SYNC_HEADER_LEN;
	m->body_len = len;
	m->whole = p;
	m->whole_len = SYNC_HEADER_LEN + (size_t)len;
	m->sig = sig ? p + m->whole_len : NULL;
	return 0;
}

static int want(const struct sync_msg *m, int type, struct diag *d)
{
	if (m->type != type) {
		diag_set(d, "expected a %s message, got %s", sync_type_name(type), sync_type_name(m->type));
		return ERR_PARSE;
	}
	return 0;
}

static int verify(const struct sync_msg *m, const unsigned char *pk, const char *who, struct diag *d)
{
	if (crypt_verify(m->sig, m->whole, m->whole_len, pk)) {
		diag_set(d, "%s: the %s signature does not verify (forged or altered)", sync_type_name(m->type), who);
		return ERR_CRYPTO;
	}
	return 0;
}

static int body_end(struct rd *r, const struct sync_msg *m, struct diag *d)
{
	if (r->bad) {
		diag_set(d, "%s: body truncated", sync_type_name(m->type));
		return ERR_PARSE;
	}
	if (r->left) {
		diag_set(d, "%s: %zu unexpected bytes at the end of the body", sync_type_name(m->type), r->left);
		return ERR_PARSE;
	}
	return 0;
}

/* ---- hello / welcome ---- */

void sync_hello_encode(struct buf *out, const struct sync_hello *h, const unsigned char device_sk[CRYPT_SIGN_SK])
{
	begin(out, SYNC_HELLO);
	buf_append(out, h->device_pk, sizeof h->device_pk);
	buf_append(out, h->nonce, sizeof h->nonce);
	put_u32(out, h->held);
	if (h->refused_version) { /* extension 1: only when there is something to tell, so older centers still read it */
		unsigned char ext = 1, why = (unsigned char)h->refused_why;
		buf_append(out, &ext, 1);
		put_u64(out, h->refused_version);
		buf_append(out, &why, 1);
	}
	if (h->has_facts) { /* extension 2: the kiosk's state (a center before it refuses the hello: update it first) */
		unsigned char ext = 2, bat = (unsigned char)(h->battery < 0 || h->battery > 100 ? 255 : h->battery);
		size_t pl = strnlen(h->program, SYNC_PROGRAM_MAX);
		unsigned char plen = (unsigned char)pl;
		buf_append(out, &ext, 1);
		put_u64(out, h->pack_version);
		put_u32(out, h->urgent_held);
		put_u32(out, h->free_mib);
		buf_append(out, &bat, 1);
		put_u64(out, (uint64_t)h->clock);
		buf_append(out, &plen, 1);
		buf_append(out, h->program, pl);
	}
	finish(out, device_sk);
}

int sync_hello_parse(const struct sync_msg *m, struct sync_hello *h, struct diag *d)
{
	int rc = want(m, SYNC_HELLO, d);
	if (rc)
		return rc;
	struct rd r = {m->body, m->body_len, 0};
	take_copy(&r, h->device_pk, sizeof h->device_pk);
	take_copy(&r, h->nonce, sizeof h->nonce);
	h->held = take_u32(&r);
	h->refused_version = 0;
	h->refused_why = 0;
	h->has_facts = 0;
	h->program[0] = '\0';
	/* Extensions in increasing order, each at most once. */
	int last = 0;
	while (!r.bad && r.left) {
		const unsigned char *ext = take(&r, 1);
		if (!ext)
			break;
		if (*ext <= last || *ext > 2) {
			diag_set(d, *ext > 2 ? "hello: extension %u is unknown (a newer kiosk?)" : "hello: extension %u out of order",
				 *ext);
			return ERR_PARSE;
		}
		last = *ext;
		if (*ext == 1) {
			h->refused_version = take_u64(&r);
			const unsigned char *why = take(&r, 1);
			h->refused_why = why ? *why : 0;
			if (!r.bad && (h->refused_version == 0 || h->refused_why < 1 || h->refused_why > SYNC_PACK_REFUSAL_MAX)) {
				diag_set(d, "hello: refused pack %llu with reason %d: out of range",
					 (unsigned long long)h->refused_version, h->refused_why);
				return ERR_PARSE;
			}
			continue;
		}
		h->has_facts = 1;
		h->pack_version = take_u64(&r);
		h->urgent_held = take_u32(&r);
		h->free_mib = take_u32(&r);
		const unsigned char *bat = take(&r, 1);
		h->battery = !bat || *bat == 255 ? -1 : *bat;
		h->clock = (int64_t)take_u64(&r);
		const unsigned char *plen = take(&r, 1);
		size_t pl = plen ? *plen : 0;
		const unsigned char *prog = take(&r, pl);
		if (r.bad)
			break;
		if (h->battery > 100 || h->urgent_held > h->held || pl > SYNC_PROGRAM_MAX) {
			diag_set(d, "hello: the kiosk's facts are out of range");
			return ERR_PARSE;
		}
		for (size_t i = 0; i < pl; i++)
			if (prog[i] < 0x20 || prog[i] > 0x7e) {
				diag_set(d, "hello: the program version is not printable ASCII");
				return ERR_PARSE;
			}
		memcpy(h->program, prog, pl);
		h->program[pl] = '\0';
	}
	if ((rc = body_end(&r, m, d)))
		return rc;
	return verify(m, h->device_pk, "device", d);
}

void sync_welcome_encode(struct buf *out, const struct sync_welcome *w, const unsigned char center_sk[CRYPT_SIGN_SK])
{
	begin(out, SYNC_WELCOME);
	buf_append(out, w->device_pk, sizeof w->device_pk);
	buf_append(out, w->nonce, sizeof w->nonce);
	buf_append(out, w->epoch, sizeof w->epoch);
	put_u32(out, w->max_records);
	put_u32(out, w->max_bytes);
	put_u64(out, w->content_version);
	finish(out, center_sk);
}

int sync_welcome_parse(const struct sync_msg *m, const unsigned char center_pk[CRYPT_SIGN_PK], struct sync_welcome *w,
		       struct diag *d)
{
	int rc = want(m, SYNC_WELCOME, d);
	if (rc)
		return rc;
	struct rd r = {m->body, m->body_len, 0};
	take_copy(&r, w->device_pk, sizeof w->device_pk);
	take_copy(&r, w->nonce, sizeof w->nonce);
	take_copy(&r, w->epoch, sizeof w->epoch);
	w->max_records = take_u32(&r);
	w->max_bytes = take_u32(&r);
	w->content_version = take_u64(&r);
	if ((rc = body_end(&r, m, d)))
		return rc;
	if ((rc = verify(m, center_pk, "center", d)))
		return rc;
	if (!w->max_records || w->max_records > SYNC_MAX_RECORDS || w->max_bytes < SYNC_MAX_SEALED ||
	    w->max_bytes > SYNC_MAX_CHUNK_BYTES) {
		diag_set(d, "welcome: chunk limits %u records / %u bytes out of range", w->max_records, w->max_bytes);
		return ERR_PARSE;
	}
	return 0;
}

/* ---- offer ---- */

void sync_offer_begin(struct buf *out, const unsigned char device_pk[CRYPT_SIGN_PK],
		      const unsigned char epoch[SYNC_EPOCH_LEN])
{
	begin(out, SYNC_OFFER);
	buf_append(out, device_pk, CRYPT_SIGN_PK);
	buf_append(out, epoch, SYNC_EPOCH_LEN);
	put_u32(out, 0); /* count */
}

size_t sync_offer_record_size(size_t sealed_len)
{
	return SYNC_ID_LEN + 8 + 1 + CRYPT_SIG + 4 + sealed_len;
}

void sync_offer_add(struct buf *out, const struct sync_record *r)
{
	size_t at = SYNC_HEADER_LEN + CRYPT_SIGN_PK + SYNC_EPOCH_LEN;
	set_u32((unsigned char *)out->data + at, get_u32((unsigned char *)out->data + at) + 1);
	buf_append(out, r->id, sizeof r->id);
	put_u64(out, r->seq);
	unsigned char u = r->urgent ? 1 : 0;
	buf_append(out, &u, 1);
	buf_append(out, r->sig, sizeof r->sig);
	put_u32(out, (uint32_t)r->sealed_len);
	buf_append(out, r->sealed, r->sealed_len);
}

void sync_offer_end(struct buf *out, const unsigned char device_sk[CRYPT_SIGN_SK])
{
	finish(out, device_sk);
}

int sync_offer_parse(const struct sync_msg *m, struct sync_offer *o, struct diag *d)
{
	memset(o, 0, sizeof *o);
	int rc = want(m, SYNC_OFFER, d);
	if (rc)
		return rc;
	struct rd r = {m->body, m->body_len, 0};
	take_copy(&r, o->device_pk, sizeof o->device_pk);
	take_copy(&r, o->epoch, sizeof o->epoch);
	uint32_t n = take_u32(&r);
	if (!r.bad && n > SYNC_MAX_RECORDS) {
		diag_set(d, "offer: %u records in one chunk; at most %d", n, SYNC_MAX_RECORDS);
		return ERR_TOOBIG;
	}
	if (!r.bad && n)
		o->r = xcalloc(n, sizeof *o->r);
	size_t total = 0;
	for (uint32_t i = 0; i < n && !r.bad; i++) {
		struct sync_record *x = &o->r[i];
		take_copy(&r, x->id, sizeof x->id);
		x->seq = take_u64(&r);
		const unsigned char *u = take(&r, 1);
		x->urgent = u ? u[0] : 0;
		take_copy(&r, x->sig, sizeof x->sig);
		uint32_t len = take_u32(&r);
		if (!r.bad && (u[0] > 1 || len == 0 || len > SYNC_MAX_SEALED)) {
			diag_set(d, "offer: record %u: %s", i + 1, u[0] > 1 ? "urgent flag is not 0 or 1" : "sealed size out of range");
			sync_offer_finish(o);
			return ERR_PARSE;
		}
		x->sealed = take(&r, len);
		x->sealed_len = len;
		if (x->sealed)
			crypt_hash(x->hash, x->sealed, len);
		total += len;
		o->n = i + 1;
	}
	if ((rc = body_end(&r, m, d)) || (rc = verify(m, o->device_pk, "device", d))) {
		sync_offer_finish(o);
		return rc;
	}
	if (total > SYNC_MAX_CHUNK_BYTES) {
		diag_set(d, "offer: %zu sealed bytes in one chunk; at most %u", total, SYNC_MAX_CHUNK_BYTES);
		sync_offer_finish(o);
		return ERR_TOOBIG;
	}
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = 0; j < i; j++)
			if (!memcmp(o->r[i].id, o->r[j].id, SYNC_ID_LEN)) {
				diag_set(d, "offer: records %u and %u have the same id", j + 1, i + 1);
				sync_offer_finish(o);
				return ERR_PARSE;
			}
	return 0;
}

void sync_offer_finish(struct sync_offer *o)
{
	free(o->r);
	o->r = NULL;
	o->n = 0;
}

int sync_record_verify(const struct sync_record *r, const unsigned char device_pk[CRYPT_SIGN_PK], struct diag *d)
{
	/* r->hash is the parser's, computed from the sealed bytes as they arrived: not hashed again here. */
	unsigned char sb[RECORD_SIGNED_LEN];
	record_signed_bytes(sb, device_pk, r->id, r->seq, r->urgent, r->hash);
	if (crypt_verify(r->sig, sb, sizeof sb, device_pk)) {
		diag_set(d, "record seq=%llu: the device signature does not verify (forged or altered)",
			 (unsigned long long)r->seq);
		return ERR_CRYPTO;
	}
	return 0;
}

/* ---- receipts ---- */

void sync_receipts_begin(struct buf *out, const unsigned char device_pk[CRYPT_SIGN_PK],
			 const unsigned char epoch[SYNC_EPOCH_LEN], uint64_t counter)
{
	begin(out, SYNC_RECEIPTS);
	buf_append(out, device_pk, CRYPT_SIGN_PK);
	buf_append(out, epoch, SYNC_EPOCH_LEN);
	put_u64(out, counter);
	put_u32(out, 0);
}

void sync_receipts_add(struct buf *out, struct buf *hashes, const struct sync_receipt *r)
{
	size_t at = SYNC_HEADER_LEN + CRYPT_SIGN_PK + SYNC_EPOCH_LEN + 8;
	set_u32((unsigned char *)out->data + at, get_u32((unsigned char *)out->data + at) + 1);
	buf_append(out, r->id, sizeof r->id);
	unsigned char s[2] = {(unsigned char)r->status, (unsigned char)r->reason};
	buf_append(out, s, 2);
	buf_append(hashes, r->hash, sizeof r->hash);
}

/* What the center signs: a domain tag, the message, then the answered hashes in order. */
static void receipts_signed(struct buf *sb, const void *whole, size_t n, const void *hashes, size_t hn)
{
	buf_append(sb, receipt_tag, sizeof receipt_tag);
	buf_append(sb, whole, n);
	if (hn)
		buf_append(sb, hashes, hn);
}

void sync_receipts_end(struct buf *out, const struct buf *hashes, const unsigned char center_sk[CRYPT_SIGN_SK])
{
	finish(out, NULL);
	struct buf sb;
	buf_init(&sb);
	receipts_signed(&sb, out->data, out->len, hashes->data, hashes->len);
	unsigned char sig[CRYPT_SIG];
	crypt_sign(sig, sb.data, sb.len, center_sk);
	buf_append(out, sig, sizeof sig);
	buf_finish(&sb);
}

int sync_receipts_parse(const struct sync_msg *m, const unsigned char center_pk[CRYPT_SIGN_PK], sync_hash_fn lookup,
			void *ctx, struct sync_receipts *rs, struct diag *d)
{
	memset(rs, 0, sizeof *rs);
	int rc = want(m, SYNC_RECEIPTS, d);
	if (rc)
		return rc;
	struct rd r = {m->body, m->body_len, 0};
	take_copy(&r, rs->device_pk, sizeof rs->device_pk);
	take_copy(&r, rs->epoch, sizeof rs->epoch);
	rs->counter = take_u64(&r);
	uint32_t n = take_u32(&r);
	if (!r.bad && n > SYNC_MAX_RECORDS) {
		diag_set(d, "receipts: %u in one message; at most %d", n, SYNC_MAX_RECORDS);
		return ERR_TOOBIG;
	}
	if (!r.bad && n)
		rs->r = xcalloc(n, sizeof *rs->r);
	struct buf hashes;
	buf_init(&hashes);
	for (uint32_t i = 0; i < n && !r.bad; i++) {
		struct sync_receipt *x = &rs->r[i];
		take_copy(&r, x->id, sizeof x->id);
		const unsigned char *s = take(&r, 2);
		if (!s)
			break;
		x->status = s[0];
		x->reason = s[1];
		rs->n = i + 1;
		if (x->status > SYNC_BAD) {
			diag_set(d, "receipts: receipt %u has unknown status %d", i + 1, x->status);
			rc = ERR_PARSE;
			break;
		}
		if (!reason_fits(x->status, x->reason)) {
			diag_set(d, "receipts: receipt %u: reason %d does not go with status %s", i + 1, x->reason,
				 sync_status_name(x->status));
			rc = ERR_PARSE;
			break;
		}
		if (lookup(ctx, x->id, x->hash)) {
			diag_set(d, "receipts: receipt %u answers a record that was not offered", i + 1);
			rc = ERR_CRYPTO;
			break;
		}
		buf_append(&hashes, x->hash, sizeof x->hash);
	}
	if (!rc)
		rc = body_end(&r, m, d);
	if (!rc) {
		struct buf sb;
		buf_init(&sb);
		receipts_signed(&sb, m->whole, m->whole_len, hashes.data, hashes.len);
		if (crypt_verify(m->sig, sb.data, sb.len, center_pk)) {
			diag_set(d, "receipts: not signed by this center for these records (forged or altered)");
			rc = ERR_CRYPTO;
		}
		buf_finish(&sb);
		memcpy(rs->sig, m->sig, CRYPT_SIG);
	}
	buf_finish(&hashes);
	if (rc)
		sync_receipts_finish(rs);
	return rc;
}

void sync_receipts_finish(struct sync_receipts *rs)
{
	free(rs->r);
	rs->r = NULL;
	rs->n = 0;
}

/* ---- content packs ---- */

void sync_content_req_encode(struct buf *out, const struct sync_content_req *r, const unsigned char device_sk[CRYPT_SIGN_SK])
{
	begin(out, SYNC_CONTENT_REQ);
	buf_append(out, r->device_pk, sizeof r->device_pk);
	put_u64(out, r->have);
	finish(out, device_sk);
}

int sync_content_req_parse(const struct sync_msg *m, struct sync_content_req *r, struct diag *d)
{
	int rc = want(m, SYNC_CONTENT_REQ, d);
	if (rc)
		return rc;
	struct rd x = {m->body, m->body_len, 0};
	take_copy(&x, r->device_pk, sizeof r->device_pk);
	r->have = take_u64(&x);
	if ((rc = body_end(&x, m, d)))
		return rc;
	return verify(m, r->device_pk, "device", d);
}

uint64_t sync_content_version(const void *data, size_t n)
{
	const unsigned char *h = data;
	if (n < SYNC_HEADER_LEN + 8 || memcmp(h, SYNC_MAGIC, 4) || h[4] != SYNC_CONTENT)
		return 0;
	return get_u64(h + SYNC_HEADER_LEN);
}

uint64_t sync_content_file_version(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char h[SYNC_HEADER_LEN + 8];
	uint64_t v = 0;
	if (f && fread(h, 1, sizeof h, f) == sizeof h)
		v = sync_content_version(h, sizeof h);
	if (f)
		fclose(f);
	return v;
}

void sync_content_begin(struct buf *out, uint64_t version)
{
	begin(out, SYNC_CONTENT);
	put_u64(out, version);
	put_u32(out, 0);
}

void sync_content_add(struct buf *out, const char *name, const void *data, size_t len)
{
	size_t at = SYNC_HEADER_LEN + 8;
	set_u32((unsigned char *)out->data + at, get_u32((unsigned char *)out->data + at) + 1);
	size_t nl = strlen(name);
	unsigned char l2[2] = {(unsigned char)nl, (unsigned char)(nl >> 8)};
	buf_append(out, l2, 2);
	buf_append(out, name, nl);
	put_u32(out, (uint32_t)len);
	buf_append(out, data, len);
}

void sync_content_end(struct buf *out, const unsigned char center_sk[CRYPT_SIGN_SK])
{
	finish(out, center_sk);
}

int sync_content_parse(const struct sync_msg *m, const unsigned char center_pk[CRYPT_SIGN_PK], struct sync_content *c,
		       struct diag *d)
{
	memset(c, 0, sizeof *c);
	int rc = want(m, SYNC_CONTENT, d);
	if (rc)
		return rc;
	/* The signature first: nothing of an unsigned pack is looked at. */
	if ((rc = verify(m, center_pk, "center", d)))
		return rc;
	struct rd r = {m->body, m->body_len, 0};
	c->version = take_u64(&r);
	uint32_t n = take_u32(&r);
	if (!r.bad && n > SYNC_CONTENT_MAX_FILES) {
		diag_set(d, "content: %u files; at most %d", n, SYNC_CONTENT_MAX_FILES);
		return ERR_TOOBIG;
	}
	if (!r.bad && n)
		c->f = xcalloc(n, sizeof *c->f);
	for (uint32_t i = 0; i < n && !r.bad; i++) {
		const unsigned char *l2 = take(&r, 2);
		size_t nl = l2 ? (size_t)(l2[0] | l2[1] << 8) : 0;
		const unsigned char *name = take(&r, nl);
		uint32_t len = take_u32(&r);
		const unsigned char *data = take(&r, len);
		if (r.bad)
			break;
		if (!content_name_ok((const char *)name, nl)) {
			diag_set(d, "content: file %u has a bad name", i + 1);
			sync_content_finish(c);
			return ERR_PARSE;
		}
		memcpy(c->f[i].name, name, nl);
		c->f[i].name[nl] = '\0';
		c->f[i].data = data;
		c->f[i].len = len;
		c->n = i + 1;
		for (uint32_t j = 0; j < i; j++)
			if (!strcmp(c->f[j].name, c->f[i].name)) {
				diag_set(d, "content: %s appears twice", c->f[i].name);
				sync_content_finish(c);
				return ERR_PARSE;
			}
	}
	if ((rc = body_end(&r, m, d))) {
		sync_content_finish(c);
		return rc;
	}
	if (c->version == 0) {
		diag_set(d, "content: version 0 is not a version");
		sync_content_finish(c);
		return ERR_PARSE;
	}
	if (c->version > CONTENT_MAX_VERSION) {
		/* Installed, it would let no later pack go up: every kiosk frozen on it. */
		diag_set(d, "content: version %llu is past the maximum %llu", (unsigned long long)c->version,
			 (unsigned long long)CONTENT_MAX_VERSION);
		sync_content_finish(c);
		return ERR_INVAL;
	}
	return 0;
}

void sync_content_finish(struct sync_content *c)
{
	free(c->f);
	c->f = NULL;
	c->n = 0;
}

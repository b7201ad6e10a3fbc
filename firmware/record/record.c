#include "record.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"
#include "utf8.h"

void contact_init(struct contact *c)
{
	memset(c, 0, sizeof *c);
}

static void wipe_free(char **p)
{
	if (*p) {
		mem_wipe(*p, strlen(*p));
		free(*p);
		*p = NULL;
	}
}

void contact_finish(struct contact *c)
{
	wipe_free(&c->name);
	wipe_free(&c->phone);
	wipe_free(&c->commune_code);
	wipe_free(&c->address);
	wipe_free(&c->matter);
	wipe_free(&c->requester_relation);
	wipe_free(&c->consent_text);
	c->consent = 0;
}

static const struct {
	const char *key;
	size_t off;
	size_t max;
} contact_fields[] = {
	{"name", offsetof(struct contact, name), 256},
	{"phone", offsetof(struct contact, phone), 20},
	{"commune_code", offsetof(struct contact, commune_code), 5},
	{"address", offsetof(struct contact, address), 300},
	{"matter", offsetof(struct contact, matter), 1000},
	{"requester_relation", offsetof(struct contact, requester_relation), 60},
	{"consent_text", offsetof(struct contact, consent_text), 40},
};
#define NFIELDS (sizeof contact_fields / sizeof contact_fields[0])

size_t contact_field_max(const char *key)
{
	for (size_t i = 0; key && i < NFIELDS; i++)
		if (!strcmp(contact_fields[i].key, key))
			return contact_fields[i].max;
	return 0;
}

/*
 * input: the value is being entered (a contact file, the kiosk's fields), so
 * characters no one types are refused too; a record being opened at the
 * center is not held to that (the center shows them neutralised instead of
 * losing the request).
 */
static int check_field(size_t i, const char *v, size_t n, int input, struct diag *d)
{
	const char *key = contact_fields[i].key;
	if (n > contact_fields[i].max) {
		diag_set(d, "%s is longer than %zu bytes", key, contact_fields[i].max);
		return ERR_INVAL;
	}
	if (input && !utf8_safe(v, n)) {
		diag_set(d, "%s holds a control character or a text-direction override (not allowed in a contact field)", key);
		return ERR_INVAL;
	}
	if (!strcmp(key, "phone")) {
		size_t digits = 0;
		for (size_t k = 0; k < n; k++) {
			if (v[k] >= '0' && v[k] <= '9')
				digits++;
			else if (!(v[k] == ' ' || v[k] == '.' || v[k] == '-' || (v[k] == '+' && k == 0)))
				goto badphone;
		}
		if (digits < 9 || digits > 13)
			goto badphone;
		return 0;
	badphone:
		diag_set(d, "phone must be 9 to 13 digits (spaces, '.', '-' and a leading '+' allowed)");
		return ERR_INVAL;
	}
	if (!strcmp(key, "commune_code")) {
		int ok = n == 5;
		for (size_t k = 0; ok && k < n; k++)
			ok = v[k] >= '0' && v[k] <= '9';
		if (!ok) {
			diag_set(d, "commune_code must be the 5-digit commune code");
			return ERR_INVAL;
		}
	}
	if (!strcmp(key, "consent_text")) {
		for (size_t k = 0; k < n; k++)
			if (!((v[k] >= 'a' && v[k] <= 'z') || (v[k] >= '0' && v[k] <= '9') || v[k] == '-' || v[k] == '.')) {
				diag_set(d, "consent_text is an id like 'kiosk-vi-1'");
				return ERR_INVAL;
			}
	}
	return 0;
}

static int contact_set(struct contact *c, const char *key, size_t kn, const char *v, size_t vn, unsigned line,
		       int input, struct diag *d)
{
	if (kv_eq(key, kn, "consent")) {
		if (c->consent) {
			diag_set(d, "line %u: duplicate key 'consent'", line);
			return ERR_PARSE;
		}
		/* Only an explicit yes is consent; anything else leaves it not given. */
		c->consent = kv_eq(v, vn, "yes") ? 1 : -1;
		return 0;
	}
	for (size_t i = 0; i < NFIELDS; i++) {
		if (!kv_eq(key, kn, contact_fields[i].key))
			continue;
		char **slot = (char **)((char *)c + contact_fields[i].off);
		if (*slot) {
			diag_set(d, "line %u: duplicate key '%s'", line, contact_fields[i].key);
			return ERR_PARSE;
		}
		if (check_field(i, v, vn, input, d)) {
			diag_prefix(d, "line %u: ", line);
			return ERR_PARSE;
		}
		*slot = xstrndup(v, vn);
		return 0;
	}
	diag_set(d, "line %u: unknown key '%.*s' (want name, phone, commune_code, address, matter, "
		    "requester_relation, consent)", line, (int)(kn > 40 ? 40 : kn), key);
	return ERR_PARSE;
}

int contact_parse(const char *text, size_t len, struct contact *c, struct diag *d)
{
	struct kv_reader r;
	struct kv_item it;
	int rc;
	kv_reader_init(&r, text, len, 0);
	while ((rc = kv_next(&r, &it, d)) > 0)
		if ((rc = contact_set(c, it.key, it.key_len, it.value, it.value_len, it.line, 1, d)))
			return rc;
	return rc;
}

int contact_validate(const struct contact *c, struct diag *d)
{
	if (c->consent != 1) {
		diag_set(d, "consent is required: the contact file must say 'consent = yes' (explicit, never assumed)");
		return ERR_REFUSED;
	}
	if (!c->name || !*c->name) {
		diag_set(d, "name is required");
		return ERR_INVAL;
	}
	if (!c->commune_code) {
		diag_set(d, "commune_code is required");
		return ERR_INVAL;
	}
	return 0;
}

void request_init(struct request *r)
{
	memset(r, 0, sizeof *r);
	facts_init(&r->facts);
	contact_init(&r->contact);
}

void request_finish(struct request *r)
{
	free(r->lang);
	free(r->groups);
	free(r->review_groups);
	free(r->rules_version);
	contact_finish(&r->contact);
	request_init(r);
}

static void put(struct buf *b, const char *k, const char *v)
{
	if (v)
		buf_printf(b, "%s = %s\n", k, v);
}

static void put_ids(const struct rules *r, const struct screen_result *res, enum tri want, struct buf *b)
{
	int first = 1;
	for (int s = 0; s < res->nslots; s++)
		if (res->slot[s] == want) {
			buf_printf(b, "%s%s", first ? "" : " ", r->slot_id[s]);
			first = 0;
		}
	buf_putc(b, '\n');
}

void record_write_plain(const unsigned char id[RECORD_ID_LEN], const char *lang, const struct facts *f,
			const struct rules *rules, const struct screen_result *res, const struct contact *c,
			struct buf *out)
{
	char hex[2 * RECORD_ID_LEN + 1];
	hex_encode(id, RECORD_ID_LEN, hex);
	put(out, "format", RECORD_FORMAT);
	put(out, "id", hex);
	put(out, "lang", lang);
	facts_write(f, "facts.", out);
	put(out, "outcome", outcome_name(res->outcome));
	buf_puts(out, "groups = ");
	put_ids(rules, res, TRI_YES, out);
	buf_puts(out, "review_groups = ");
	put_ids(rules, res, TRI_MAYBE, out);
	put(out, "urgent", res->urgent ? "yes" : "no");
	put(out, "rules", rules->version);
	for (size_t i = 0; i < NFIELDS; i++) {
		char *const *slot = (char *const *)((const char *)c + contact_fields[i].off);
		if (*slot) {
			char key[64];
			snprintf(key, sizeof key, "contact.%s", contact_fields[i].key);
			put(out, key, *slot);
		}
	}
	put(out, "contact.consent", c->consent == 1 ? "yes" : "no");
}

static int dup_once(char **slot, const char *v, size_t n, unsigned line, const char *key, struct diag *d)
{
	if (*slot) {
		diag_set(d, "line %u: duplicate key '%s'", line, key);
		return ERR_PARSE;
	}
	*slot = xstrndup(v, n);
	return 0;
}

int record_parse_plain(const char *text, size_t len, struct request *out, struct diag *d)
{
	struct kv_reader r;
	struct kv_item it;
	int rc, have_format = 0, have_id = 0, have_outcome = 0, have_urgent = 0;
	kv_reader_init(&r, text, len, 0);
	while ((rc = kv_next(&r, &it, d)) > 0) {
		const char *k = it.key, *v = it.value;
		size_t kn = it.key_len, vn = it.value_len;
		if (kv_eq(k, kn, "format")) {
			if (have_format++ || !kv_eq(v, vn, RECORD_FORMAT)) {
				diag_set(d, "line %u: unsupported or repeated format", it.line);
				return ERR_PARSE;
			}
		} else if (!have_format) {
			diag_set(d, "line %u: a record starts with 'format = %s'", it.line, RECORD_FORMAT);
			return ERR_PARSE;
		} else if (kv_eq(k, kn, "id")) {
			if (have_id++ || hex_decode(v, vn, out->id, RECORD_ID_LEN)) {
				diag_set(d, "line %u: bad or repeated id", it.line);
				return ERR_PARSE;
			}
		} else if (kv_eq(k, kn, "lang")) {
			if ((rc = dup_once(&out->lang, v, vn, it.line, "lang", d)))
				return rc;
		} else if (kn > 6 && !memcmp(k, "facts.", 6)) {
			int id = fact_find(k + 6, kn - 6);
			if (id >= 0 && out->facts.set[id]) {
				diag_set(d, "line %u: duplicate fact", it.line);
				return ERR_PARSE;
			}
			if (facts_set_text(&out->facts, k + 6, kn - 6, v, vn, d)) {
				diag_prefix(d, "line %u: ", it.line);
				return ERR_PARSE;
			}
		} else if (kv_eq(k, kn, "outcome")) {
			int o = outcome_find(v, vn);
			if (have_outcome++ || o < 0) {
				diag_set(d, "line %u: bad or repeated outcome", it.line);
				return ERR_PARSE;
			}
			out->outcome = (enum outcome)o;
		} else if (kv_eq(k, kn, "groups")) {
			if ((rc = dup_once(&out->groups, v, vn, it.line, "groups", d)))
				return rc;
		} else if (kv_eq(k, kn, "review_groups")) {
			if ((rc = dup_once(&out->review_groups, v, vn, it.line, "review_groups", d)))
				return rc;
		} else if (kv_eq(k, kn, "urgent")) {
			if (have_urgent++ || !(kv_eq(v, vn, "yes") || kv_eq(v, vn, "no"))) {
				diag_set(d, "line %u: bad or repeated urgent", it.line);
				return ERR_PARSE;
			}
			out->urgent = kv_eq(v, vn, "yes");
		} else if (kv_eq(k, kn, "rules")) {
			if ((rc = dup_once(&out->rules_version, v, vn, it.line, "rules", d)))
				return rc;
		} else if (kn > 8 && !memcmp(k, "contact.", 8)) {
			if ((rc = contact_set(&out->contact, k + 8, kn - 8, v, vn, it.line, 0, d)))
				return rc;
		} else {
			diag_set(d, "line %u: unknown key '%.*s'", it.line, (int)(kn > 40 ? 40 : kn), k);
			return ERR_PARSE;
		}
	}
	if (rc < 0)
		return rc;
	if (!have_format || !have_id || !have_outcome || !have_urgent || !out->rules_version) {
		diag_set(d, "record is missing format, id, outcome, urgent or rules");
		return ERR_PARSE;
	}
	return 0;
}

void record_signed_bytes(unsigned char out[RECORD_SIGNED_LEN], const unsigned char device_pk[CRYPT_SIGN_PK],
			 const unsigned char id[RECORD_ID_LEN], uint64_t seq, int urgent,
			 const unsigned char hash[CRYPT_HASH])
{
	unsigned char *p = out;
	memcpy(p, "spean-rec-1\n", 12);
	p += 12;
	memcpy(p, device_pk, CRYPT_SIGN_PK);
	p += CRYPT_SIGN_PK;
	memcpy(p, id, RECORD_ID_LEN);
	p += RECORD_ID_LEN;
	for (int i = 7; i >= 0; i--)
		*p++ = (unsigned char)(seq >> (8 * i));
	*p++ = urgent ? 1 : 0;
	memcpy(p, hash, CRYPT_HASH);
}

enum record_open record_open_sealed(const void *sealed, size_t n, const unsigned char box_pk[CRYPT_BOX_PK],
				    const unsigned char box_sk[CRYPT_BOX_SK], const unsigned char id[RECORD_ID_LEN],
				    int urgent, struct buf *plain, struct request *out, struct diag *d)
{
	if (crypt_seal_open(sealed, n, box_pk, box_sk, plain))
		return RECORD_OPEN_SEALED;
	if (record_parse_plain(plain->data ? plain->data : "", plain->len, out, d))
		return RECORD_OPEN_UNREADABLE;
	if (crypt_memcmp(out->id, id, RECORD_ID_LEN))
		return RECORD_OPEN_ID;
	if (!out->urgent != !urgent)
		return RECORD_OPEN_URGENT;
	return RECORD_OPEN_OK;
}

void record_receipt_code(const unsigned char id[RECORD_ID_LEN], char out[RECORD_CODE_LEN])
{
	char hex[2 * RECORD_ID_LEN + 1];
	hex_encode(id, RECORD_ID_LEN, hex);
	snprintf(out, RECORD_CODE_LEN, "%.4s-%.4s", hex, hex + 4);
	for (char *p = out; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
}

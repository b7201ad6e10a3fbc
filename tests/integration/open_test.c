/*
 * The center's view: a request sealed on the kiosk opens with the center's
 * secret key (and only with it) and gives back exactly what was entered;
 * the device signature and content hash hold; tampering is detected.
 */
#include <stdio.h>
#include <stdlib.h>

#include "center.h"
#include "device.h"
#include "fs.h"
#include "kv.h"
#include "record.h"
#include "store.h"
#include "submit.h"
#include "testlib.h"

struct ctx {
	const struct device *dev;
	const struct center_keys *keys;
	const struct contact *want;
	int n;
};

static int check_row(void *p, const struct store_request *r)
{
	struct ctx *c = p;
	unsigned char msg[RECORD_SIGNED_LEN], h[CRYPT_HASH];
	record_signed_bytes(msg, c->dev->sign_pk, r->id, r->seq, r->urgent, r->hash);
	CHECK_INT(crypt_verify(r->sig, msg, sizeof msg, c->dev->sign_pk), 0);
	crypt_hash(h, r->sealed, r->sealed_len);
	CHECK(!memcmp(h, r->hash, CRYPT_HASH));
	/* The kiosk's own keys cannot open it; only the center's can. */
	struct buf plain;
	buf_init(&plain);
	unsigned char other_pk[CRYPT_BOX_PK], other_sk[CRYPT_BOX_SK];
	crypt_box_keypair(other_pk, other_sk);
	CHECK_INT(crypt_seal_open(r->sealed, r->sealed_len, other_pk, other_sk, &plain), ERR_CRYPTO);
	CHECK_INT(crypt_seal_open(r->sealed, r->sealed_len, c->keys->pk, c->keys->sk, &plain), 0);
	struct request req;
	struct diag d = {""};
	request_init(&req);
	CHECK_INT(record_parse_plain(plain.data, plain.len, &req, &d), 0);
	CHECK(!memcmp(req.id, r->id, RECORD_ID_LEN));
	CHECK_STR(req.contact.name, c->want->name);
	CHECK_STR(req.contact.phone, c->want->phone);
	CHECK_STR(req.contact.commune_code, c->want->commune_code);
	CHECK_STR(req.contact.address, c->want->address);
	CHECK_STR(req.contact.matter, c->want->matter);
	CHECK_STR(req.contact.requester_relation, c->want->requester_relation);
	CHECK_INT(req.contact.consent, 1);
	CHECK_STR(req.contact.consent_text, "kiosk-km-1");
	CHECK_STR(req.lang, "km");
	CHECK_STR(outcome_name(req.outcome), "likely_eligible");
	CHECK_STR(req.groups, "R03");
	CHECK_STR(req.review_groups, "");
	CHECK_INT(req.urgent, 0);
	CHECK_STR(req.rules_version, "vn-tgpl-2026.1");
	CHECK_INT(req.facts.birth_date.y, 2014);
	CHECK_INT(req.facts.request_date.m, 4);
	/* Tampering: one flipped bit and it neither opens nor matches the hash. */
	unsigned char *copy = xmalloc(r->sealed_len);
	memcpy(copy, r->sealed, r->sealed_len);
	copy[r->sealed_len / 2] ^= 0x10;
	crypt_hash(h, copy, r->sealed_len);
	CHECK(memcmp(h, r->hash, CRYPT_HASH) != 0);
	struct buf junk;
	buf_init(&junk);
	CHECK_INT(crypt_seal_open(copy, r->sealed_len, c->keys->pk, c->keys->sk, &junk), ERR_CRYPTO);
	free(copy);
	buf_finish(&junk);
	request_finish(&req);
	buf_finish_wipe(&plain);
	c->n++;
	return 0;
}

int main(void)
{
	char *root = t_tmpdir("open");
	char *cdir = fs_join(root, "center"), *kdir = fs_join(root, "kiosk");
	struct center_keys keys;
	struct device dev;
	struct diag d = {""};
	CHECK_INT(center_init(cdir, &keys, &d), 0);
	CHECK_INT(device_open(kdir, &dev, &d), 0);
	char *pub = fs_join(cdir, CENTER_PUBLIC_FILE);
	CHECK_INT(device_provision(&dev, pub, &d), 0);
	/* The center reloads the same pair from disk. */
	struct center_keys loaded;
	CHECK_INT(center_load(cdir, &loaded, &d), 0);
	CHECK(!memcmp(&loaded, &keys, sizeof keys));

	char path[4096];
	snprintf(path, sizeof path, "%s/firmware/content/eligibility.rules", t_env("SPEAN_SOURCE_DIR"));
	size_t len;
	char *text = t_read(path, &len);
	struct rules *rules;
	CHECK_INT(rules_parse(text, len, &rules, &d), 0);
	const char *ft = "request_date = 2026-04-01\nbirth_date = 2014-01-20\nmeritorious = no\nhousehold = none\n"
			 "monthly_social_allowance = no\nsocial_protection_facility = no\nsocial_pension_75 = no\n"
			 "ethnic_minority = yes\nresidence_area_listed = no\ncriminal_role = none\ntrafficking = none\n"
			 "matter_related_to_trafficking = no\nmartyr_kin = no\nagent_orange = no\ndisability = no\n"
			 "dv_victim = no\nhiv = no\nmatter_business = no\nspecific_matter = yes\n";
	struct facts f;
	CHECK_INT(facts_parse(ft, strlen(ft), &f, &d), 0);
	const char *ct = "name = សុខ ស្រីមុំ\nphone = +84 294 3 123 456\ncommune_code = 29242\n"
			 "address = Ấp Trà Kha B, phường 8, TP Trà Vinh (cũ)\n"
			 "matter = ឪពុកខ្ញុំមិនព្រមចុះបញ្ជីកំណើត / cha không làm giấy khai sinh\n"
			 "requester_relation = mẹ (mother)\nconsent = yes\n";
	struct contact c;
	contact_init(&c);
	CHECK_INT(contact_parse(ct, strlen(ct), &c, &d), 0);
	c.consent_text = xstrdup("kiosk-km-1");
	struct store *st;
	CHECK_INT(store_open(kdir, 0, &st, &d), 0);
	unsigned char id[RECORD_ID_LEN];
	uint64_t seq;
	CHECK_INT(submit_request(st, &dev, rules, &f, (struct date){2026, 4, 1}, &c, "km", id, &seq, &d), 0);
	CHECK_INT(seq, 1);
	struct ctx cx = {&dev, &keys, &c, 0};
	CHECK_INT(store_each_request(st, check_row, &cx, &d), 0);
	CHECK_INT(cx.n, 1);

	/* Without a center key the kiosk refuses, and stores nothing. */
	struct device bare = dev;
	bare.has_center = 0;
	CHECK_INT(submit_request(st, &bare, rules, &f, (struct date){2026, 4, 1}, &c, "km", id, &seq, &d), ERR_STATE);
	c.consent = -1;
	CHECK_INT(submit_request(st, &dev, rules, &f, (struct date){2026, 4, 1}, &c, "km", id, &seq, &d), ERR_REFUSED);
	struct store_counts n;
	CHECK_INT(store_count(st, &n, &d), 0);
	CHECK_INT(n.held, 1);

	store_close(st);
	rules_destroy(rules);
	free(text);
	contact_finish(&c);
	device_close(&dev);
	center_keys_wipe(&keys);
	center_keys_wipe(&loaded);
	free(pub);
	free(cdir);
	free(kdir);
	t_rmtree(root);
	free(root);
	return t_done("open_test");
}

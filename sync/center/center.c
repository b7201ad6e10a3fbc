#define LOG_MODULE "center"
#include "center.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "record.h"
#include "store.h"
#include "kv.h"
#include "log.h"
#include "mem.h"

static int write_hex(const char *dir, const char *name, const unsigned char *key, size_t n, unsigned mode,
		     const char *comment, struct diag *d)
{
	char *path = fs_join(dir, name);
	char *hex = xmalloc(2 * n + 1);
	struct buf b;
	buf_init(&b);
	hex_encode(key, n, hex);
	buf_printf(&b, "# %s\n%s\n", comment, hex);
	int rc = fs_write_durable(path, b.data, b.len, mode, d);
	crypt_wipe(hex, 2 * n + 1);
	buf_finish_wipe(&b);
	free(hex);
	free(path);
	return rc;
}

static int read_hex(const char *dir, const char *name, unsigned char *key, size_t n, struct diag *d)
{
	char *path = fs_join(dir, name);
	struct buf b;
	buf_init(&b);
	int rc = fs_read_file(path, 4096, &b, d);
	if (!rc && (rc = keyfile_parse(b.data, b.len, key, n, d)))
		diag_prefix(d, "%s: ", path);
	buf_finish_wipe(&b);
	free(path);
	return rc;
}

int center_init(const char *dir, struct center_keys *k, struct diag *d)
{
	crypt_init();
	int rc = fs_mkdir_p(dir, 0700, d);
	if (rc)
		return rc;
	char *sp = fs_join(dir, CENTER_SECRET_FILE);
	int exists = fs_exists(sp);
	free(sp);
	if (exists) {
		diag_set(d, "%s already holds a center key; refusing to replace it (kiosks seal to it)", dir);
		return ERR_EXISTS;
	}
	crypt_box_keypair(k->pk, k->sk);
	crypt_sign_keypair(k->sign_pk, k->sign_sk);
	rc = write_hex(dir, CENTER_SECRET_FILE, k->sk, CRYPT_BOX_SK, 0600,
		       "Spean center secret key (X25519). Opens every request: keep it on the office PC only.", d);
	if (!rc)
		rc = write_hex(dir, CENTER_SIGN_FILE, k->sign_sk, CRYPT_SIGN_SK, 0600,
			       "Spean center signing key (Ed25519). Signs receipts and content packs: keep it on the office PC only.",
			       d);
	if (!rc) {
		char box[2 * CRYPT_BOX_PK + 1], sign[2 * CRYPT_SIGN_PK + 1];
		hex_encode(k->pk, CRYPT_BOX_PK, box);
		hex_encode(k->sign_pk, CRYPT_SIGN_PK, sign);
		struct buf b;
		buf_init(&b);
		buf_printf(&b,
			   "# Spean center card: give this file to 'spean provision --center-key'.\n"
			   "# box: requests are sealed to it (X25519); sign: receipts and content packs are checked with it (Ed25519).\n"
			   "box = %s\nsign = %s\n",
			   box, sign);
		char *path = fs_join(dir, CENTER_PUBLIC_FILE);
		rc = fs_write_durable(path, b.data, b.len, 0644, d);
		free(path);
		buf_finish(&b);
	}
	return rc;
}

static int read_card(const char *dir, struct center_keys *k, struct diag *d)
{
	char *path = fs_join(dir, CENTER_PUBLIC_FILE);
	struct buf b;
	buf_init(&b);
	int rc = fs_read_file(path, 4096, &b, d);
	if (!rc && ((rc = keyfile_parse_named(b.data, b.len, "box", k->pk, CRYPT_BOX_PK, d)) ||
		    (rc = keyfile_parse_named(b.data, b.len, "sign", k->sign_pk, CRYPT_SIGN_PK, d))))
		diag_prefix(d, "%s: ", path);
	buf_finish(&b);
	free(path);
	return rc;
}

int center_load(const char *dir, struct center_keys *k, struct diag *d)
{
	crypt_init();
	int rc = read_hex(dir, CENTER_SECRET_FILE, k->sk, CRYPT_BOX_SK, d);
	if (!rc)
		rc = read_hex(dir, CENTER_SIGN_FILE, k->sign_sk, CRYPT_SIGN_SK, d);
	if (!rc)
		rc = read_card(dir, k, d);
	if (!rc) {
		unsigned char pk[CRYPT_SIGN_PK];
		crypt_sign_sk_to_pk(pk, k->sign_sk);
		if (crypt_memcmp(pk, k->sign_pk, CRYPT_SIGN_PK)) {
			diag_set(d, "%s: center.pub and center.sign do not belong together", dir);
			rc = ERR_STATE;
		}
	}
	return rc;
}

void center_keys_wipe(struct center_keys *k)
{
	crypt_wipe(k, sizeof *k);
}

static const char usage[] =
	"usage: spean-center COMMAND --data-dir DIR\n"
	"\n"
	"Spean center: the legal-aid office's side.\n"
	"\n"
	"commands:\n"
	"  init --data-dir DIR    make the center key pair; prints the public key (hex)\n"
	"                         and writes DIR/center.pub for 'spean provision --center-key'\n"
	"  open --data-dir DIR --kiosk KIOSKDIR\n"
	"                         open the sealed requests in a kiosk's data dir with the center key\n"
	"                         and print them (for staff and tests, until sync brings them in)\n"
	"\n"
	"Exit status: 0 done, 1 failed, 2 usage or refused.\n";

struct open_ctx {
	struct center_keys *k;
	int n, bad;
};

static int print_request(void *p, const struct store_request *r)
{
	struct open_ctx *o = p;
	unsigned char h[CRYPT_HASH];
	struct buf plain;
	struct request req;
	struct diag d = {""};
	buf_init(&plain);
	request_init(&req);
	crypt_hash(h, r->sealed, r->sealed_len);
	if (crypt_memcmp(h, r->hash, CRYPT_HASH) || crypt_seal_open(r->sealed, r->sealed_len, o->k->pk, o->k->sk, &plain) ||
	    record_parse_plain(plain.data, plain.len, &req, &d)) {
		fprintf(stderr, "spean-center: request seq=%llu does not open: %s\n", (unsigned long long)r->seq,
			d.msg[0] ? d.msg : "wrong key or damaged");
		o->bad++;
	} else {
		printf("# request seq=%llu\n%s\n", (unsigned long long)r->seq, plain.data);
		o->n++;
	}
	request_finish(&req);
	buf_finish_wipe(&plain);
	return 0;
}

static int cmd_open(const char *dir, const char *kiosk)
{
	struct center_keys k;
	struct diag d = {""};
	struct store *st = NULL;
	if (center_load(dir, &k, &d) || store_open(kiosk, STORE_NO_CREATE, &st, &d)) {
		fprintf(stderr, "spean-center: %s\n", d.msg);
		center_keys_wipe(&k);
		return 1;
	}
	struct open_ctx o = {&k, 0, 0};
	int rc = store_each_request(st, print_request, &o, &d);
	store_close(st);
	center_keys_wipe(&k);
	if (rc)
		fprintf(stderr, "spean-center: %s\n", d.msg);
	return rc || o.bad ? 1 : 0;
}

int center_main(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	const char *dir = NULL, *kiosk = NULL;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--data-dir") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--kiosk") && i + 1 < argc)
			kiosk = argv[++i];
		else {
			fprintf(stderr, "spean-center: unexpected argument '%s' (see --help)\n", argv[i]);
			return 2;
		}
	}
	if (!strcmp(argv[1], "init")) {
		if (!dir) {
			fprintf(stderr, "spean-center: init needs --data-dir DIR\n");
			return 2;
		}
		struct center_keys k;
		struct diag d = {""};
		int rc = center_init(dir, &k, &d);
		if (rc) {
			fprintf(stderr, "spean-center: %s\n", d.msg);
			center_keys_wipe(&k);
			return rc == ERR_EXISTS ? 2 : 1;
		}
		char hex[2 * CRYPT_BOX_PK + 1];
		hex_encode(k.pk, CRYPT_BOX_PK, hex);
		printf("%s\n", hex);
		center_keys_wipe(&k);
		return 0;
	}
	if (!strcmp(argv[1], "open")) {
		if (!dir || !kiosk) {
			fprintf(stderr, "spean-center: open needs --data-dir DIR and --kiosk KIOSKDIR\n");
			return 2;
		}
		return cmd_open(dir, kiosk);
	}
	fprintf(stderr, "spean-center: unknown command '%s' (see --help)\n", argv[1]);
	return 2;
}

/*
 * spean-syncbench: the sync benchmark's helpers (tests/bench/sync.sh).
 *   fill KIOSKDIR N          store N real sealed requests (every 10th urgent) on a provisioned kiosk
 *   payload KIOSKDIR         print the sealed bytes the kiosk holds (what sync must carry)
 *   import CENTERDIR N       feed N signed records, really sealed to the center's key, to an
 *                            initialised center in chunks of 500 through the service (verify the
 *                            signature, open and check each record, commit, sign), against
 *                            write+fsync of the same bytes per chunk measured in the same run
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "center.h"
#include "clock.h"
#include "cstore.h"
#include "fs.h"
#include "device.h"
#include "kv.h"
#include "protocol.h"
#include "record.h"
#include "service.h"
#include "submit.h"

extern const unsigned char spean_builtin_rules[];
extern const unsigned long spean_builtin_rules_len;

static double now_ms(void)
{
	return (double)clock_mono_ns() / 1e6;
}

static int fill(const char *dir, long n)
{
	struct device dev;
	struct diag d = {""};
	struct store *st;
	struct rules *rules;
	if (device_open(dir, &dev, &d) || store_open(dir, 0, &st, &d) ||
	    rules_parse((const char *)spean_builtin_rules, spean_builtin_rules_len, &rules, &d)) {
		fprintf(stderr, "syncbench: %s\n", d.msg);
		return 1;
	}
	const char *ft[2] = {"request_date = 2026-05-20\nbirth_date = 1960-06-06\nhousehold = poor\ndeadline_working_days = 30\n",
			     "request_date = 2026-05-20\nbirth_date = 1960-06-06\nhousehold = poor\ndeadline_working_days = 3\n"};
	const char *ct = "name = Thạch Thị Mẫu\nphone = 0912 000 111\ncommune_code = 90032\n"
			 "matter = Tranh chấp đất với hàng xóm về ranh giới thửa đất\nconsent = yes\n";
	struct date today = {2026, 5, 20};
	for (long i = 0; i < n; i++) {
		struct facts f;
		struct contact c;
		contact_init(&c);
		const char *t = ft[i % 10 == 9];
		if (facts_parse(t, strlen(t), &f, &d) || contact_parse(ct, strlen(ct), &c, &d)) {
			fprintf(stderr, "syncbench: %s\n", d.msg);
			return 1;
		}
		unsigned char id[RECORD_ID_LEN];
		uint64_t seq;
		if (submit_request(st, &dev, rules, &f, today, &c, "vi", id, &seq, &d)) {
			fprintf(stderr, "syncbench: %s\n", d.msg);
			return 1;
		}
		contact_finish(&c);
	}
	rules_destroy(rules);
	store_close(st);
	device_close(&dev);
	return 0;
}

static int add_bytes(void *ctx, const struct store_request *r)
{
	*(unsigned long long *)ctx += r->sealed_len;
	return 0;
}

static int payload(const char *dir)
{
	struct store *st;
	struct diag d = {""};
	unsigned long long total = 0;
	if (store_open(dir, STORE_NO_CREATE, &st, &d) || store_each_request(st, add_bytes, &total, &d)) {
		fprintf(stderr, "syncbench: %s\n", d.msg);
		return 1;
	}
	store_close(st);
	printf("%llu\n", total);
	return 0;
}

static int import(const char *dir, long n)
{
	struct diag d = {""};
	unsigned char pk[CRYPT_SIGN_PK], sk[CRYPT_SIGN_SK];
	crypt_init();
	crypt_sign_keypair(pk, sk);
	struct cstore *cs;
	int already;
	if (cstore_open(dir, &cs, &d) || cstore_enroll(cs, pk, "bench", &already, &d)) {
		fprintf(stderr, "syncbench: %s\n", d.msg);
		return 1;
	}
	cstore_close(cs);
	struct center_service *s;
	struct center_keys k;
	if (center_service_open(dir, &s, &d) || center_load(dir, &k, &d)) {
		fprintf(stderr, "syncbench: %s\n", d.msg);
		return 1;
	}
	/* A sealed request is 512 to 1,024 bytes (padded): a plaintext of 700 bytes seals to 816. */
	enum { CHUNK = 500, SEALED = 1024 + CRYPT_SEAL_OVERHEAD };
	unsigned char(*sealed)[SEALED] = malloc((size_t)CHUNK * SEALED);
	struct buf plain, box;
	buf_init(&plain);
	buf_init(&box);
	struct sync_record *r = calloc(CHUNK, sizeof *r);
	struct buf req, rep;
	buf_init(&req);
	buf_init(&rep);
	unsigned char epoch[SYNC_EPOCH_LEN] = {0};
	double t_service = 0, t_base = 0, t_make = 0;
	char *base = fs_join(dir, "baseline.bin");
	long done = 0;
	while (done < n) {
		long m = n - done < CHUNK ? n - done : CHUNK;
		double t0 = now_ms();
		sync_offer_begin(&req, pk, epoch);
		for (long i = 0; i < m; i++) {
			crypt_random(r[i].id, RECORD_ID_LEN);
			char hex[2 * RECORD_ID_LEN + 1];
			hex_encode(r[i].id, RECORD_ID_LEN, hex);
			plain.len = 0;
			buf_printf(&plain,
				   "format = spean-request-1\nid = %s\nlang = vi\noutcome = likely_eligible\ngroups = R02\n"
				   "review_groups = \nurgent = no\nrules = bench-1\ncontact.commune_code = 90032\n"
				   "contact.consent = yes\ncontact.matter = %0500d\n",
				   hex, 0);
			box.len = 0;
			crypt_seal(plain.data, plain.len, k.pk, &box);
			memcpy(sealed[i], box.data, box.len);
			r[i].seq = (uint64_t)(done + i + 1);
			r[i].sealed = sealed[i];
			r[i].sealed_len = box.len;
			r[i].urgent = 0;
			crypt_hash(r[i].hash, sealed[i], box.len);
			unsigned char sb[RECORD_SIGNED_LEN];
			record_signed_bytes(sb, pk, r[i].id, r[i].seq, 0, r[i].hash);
			crypt_sign(r[i].sig, sb, sizeof sb, sk);
			sync_offer_add(&req, &r[i]);
		}
		sync_offer_end(&req, sk);
		double t1 = now_ms();
		if (center_service_handle(s, req.data, req.len, &rep, &d)) {
			fprintf(stderr, "syncbench: %s\n", d.msg);
			return 1;
		}
		double t2 = now_ms();
		/* Baseline: the same bytes appended and fsynced once per chunk. */
		int fd = open(base, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd < 0 || write(fd, req.data, req.len) != (ssize_t)req.len || fsync(fd)) {
			perror(base);
			return 1;
		}
		close(fd);
		double t3 = now_ms();
		t_make += t1 - t0;
		t_service += t2 - t1;
		t_base += t3 - t2;
		done += m;
	}
	printf("import %ld %.0f %.0f %.0f\n", n, t_service, t_base, t_make);
	center_keys_wipe(&k);
	buf_finish(&plain);
	buf_finish(&box);
	unlink(base);
	free(base);
	center_service_close(s);
	buf_finish(&req);
	buf_finish(&rep);
	free(sealed);
	free(r);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "fill"))
		return fill(argv[2], atol(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "payload"))
		return payload(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "import"))
		return import(argv[2], atol(argv[3]));
	fprintf(stderr, "usage: spean-syncbench fill KIOSKDIR N | payload KIOSKDIR | import CENTERDIR N\n");
	return 2;
}

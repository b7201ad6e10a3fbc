/*
 * Power-cut harness: runs `spean requests add` and kills it with SIGKILL at
 * random moments, many times, then checks the store: integrity ok, every
 * request whose id was printed (acknowledged) present exactly once, every
 * row complete (signature, hash, sealed content opens), and no personal
 * text anywhere on disk, WAL and shm files included.
 *
 *   spean-powercut --spean BIN --cuts N [--seed S] [--keep]
 *   spean-powercut --verify KIOSK_DIR --center CENTER_DIR --acked FILE
 *
 * --verify checks a store cut elsewhere (tests/appliance/power_test.sh: the whole VM killed): the same
 * checks on KIOSK_DIR, against the acknowledged ids in FILE (one hex id a line), the contact made with
 * MARK_NAME, opened with the center's keys in CENTER_DIR.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "center.h"
#include "clock.h"
#include "device.h"
#include "fs.h"
#include "kv.h"
#include "record.h"
#include "store.h"
#include "testlib.h"

/* Invented, distinctive, never a real person: searched for on disk afterwards. */
#define MARK_NAME "Zyxqor Powercut Thạch"
#define MARK_PHONE "0987 123 450"
#define MARK_KHMER "ស្ត្រីពិសោធន៍"

struct run {
	int acked;
	char id[33];
	uint64_t ns;
	int killed;
};

static const char *spean_bin;
static char *data_dir, *facts_path, *contact_path;

static void spawn_add(uint64_t kill_after_ns, struct run *r)
{
	int p[2];
	if (pipe(p)) {
		perror("pipe");
		exit(2);
	}
	uint64_t t0 = clock_mono_ns();
	int reaped = 0, st = 0;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		int devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 2);
		close(p[0]);
		close(p[1]);
		execl(spean_bin, spean_bin, "--data-dir", data_dir, "requests", "add", "--facts", facts_path,
		      "--contact", contact_path, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	r->killed = 0;
	if (kill_after_ns) {
		struct timespec ts = {(time_t)(kill_after_ns / 1000000000u), (long)(kill_after_ns % 1000000000u)};
		nanosleep(&ts, NULL);
		int early;
		if (waitpid(pid, &early, WNOHANG) == pid)
			reaped = 1, st = early; /* it finished before the cut */
		else
			r->killed = kill(pid, SIGKILL) == 0;
	}
	char out[128];
	size_t n = 0;
	ssize_t k;
	while (n < sizeof out - 1 && (k = read(p[0], out + n, sizeof out - 1 - n)) > 0)
		n += (size_t)k;
	out[n] = '\0';
	close(p[0]);
	if (!reaped)
		waitpid(pid, &st, 0);
	r->ns = clock_mono_ns() - t0;
	/* Acknowledged = the full id line reached stdout (the process printed it after the commit). */
	r->acked = n == 33 && out[32] == '\n';
	if (r->acked)
		memcpy(r->id, out, 32), r->id[32] = '\0';
	if (!kill_after_ns && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
		fprintf(stderr, "uncut run failed (status %d)\n", st);
		exit(2);
	}
}

struct verify {
	struct device dev;
	struct center_keys keys;
	char (*ids)[33];
	int nids;
	int rows, bad;
};

static int verify_row(void *ctx, const struct store_request *r)
{
	struct verify *v = ctx;
	unsigned char msg[RECORD_SIGNED_LEN], h[CRYPT_HASH];
	v->rows++;
	record_signed_bytes(msg, v->dev.sign_pk, r->id, r->seq, r->urgent, r->hash);
	crypt_hash(h, r->sealed, r->sealed_len);
	struct buf plain;
	struct request req;
	struct diag d;
	buf_init(&plain);
	request_init(&req);
	int ok = crypt_verify(r->sig, msg, sizeof msg, v->dev.sign_pk) == 0 && memcmp(h, r->hash, CRYPT_HASH) == 0 &&
		 crypt_seal_open(r->sealed, r->sealed_len, v->keys.pk, v->keys.sk, &plain) == 0 &&
		 record_parse_plain(plain.data, plain.len, &req, &d) == 0 && !memcmp(req.id, r->id, RECORD_ID_LEN) &&
		 req.contact.name && !strcmp(req.contact.name, MARK_NAME);
	if (!ok) {
		v->bad++;
		fprintf(stderr, "row seq=%llu is incomplete or does not verify\n", (unsigned long long)r->seq);
	}
	char hex[33];
	hex_encode(r->id, RECORD_ID_LEN, hex);
	v->ids = xrealloc(v->ids, sizeof *v->ids * (size_t)(v->nids + 1));
	memcpy(v->ids[v->nids++], hex, 33);
	request_finish(&req);
	buf_finish_wipe(&plain);
	return 0;
}

static int scan_dir(const char *dir, const char *const *needles, int n)
{
	int found = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *p = fs_join(dir, e->d_name);
		struct stat st;
		if (!lstat(p, &st) && S_ISDIR(st.st_mode))
			found += scan_dir(p, needles, n);
		else
			for (int i = 0; i < n; i++)
				if (t_file_contains(p, needles[i], strlen(needles[i]))) {
					fprintf(stderr, "personal text found in %s\n", p);
					found++;
				}
		free(p);
	}
	if (d)
		closedir(d);
	return found;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Integrity, every acknowledged id exactly once, every row whole, nothing personal in the data dir. */
static void verify_store(struct verify *v, const char *dir, char (*acked)[33], int nacked)
{
	const char *needles[] = {"Zyxqor", "0987 123 450", "0987123450", "ពិសោធន៍", "Powercut"};
	char *wal = fs_join(dir, "spean.db-wal");
	printf("powercut: scanning the data dir (WAL left by the last kill: %s)\n", fs_exists(wal) ? "yes" : "no");
	free(wal);
	CHECK_INT(scan_dir(dir, needles, 5), 0);
	struct store *st;
	struct diag d = {""};
	CHECK_INT(store_open(dir, STORE_CHECK_FULL, &st, &d), 0);
	if (st) {
		CHECK_INT(store_each_request(st, verify_row, v, &d), 0);
		store_close(st);
	}
	CHECK_INT(v->bad, 0);
	for (int i = 0; i < nacked; i++) {
		int seen = 0;
		for (int k = 0; k < v->nids; k++)
			seen += !strcmp(acked[i], v->ids[k]);
		if (seen != 1)
			t_fail(__FILE__, __LINE__, "acknowledged request %s stored %d times", acked[i], seen);
		t_checks++;
	}
	for (int i = 0; i < v->nids; i++)
		for (int k = i + 1; k < v->nids; k++)
			if (!strcmp(v->ids[i], v->ids[k]))
				t_fail(__FILE__, __LINE__, "id stored twice");
	char *damaged_dir = fs_join(dir, "damaged");
	CHECK(!fs_exists(damaged_dir));
	free(damaged_dir);
}

static int verify_main(const char *kiosk, const char *center, const char *acked_path)
{
	struct verify v;
	memset(&v, 0, sizeof v);
	struct diag d = {""};
	if (center_load(center, &v.keys, &d) || device_open(kiosk, &v.dev, &d)) {
		fprintf(stderr, "powercut: %s\n", d.msg);
		return 2;
	}
	FILE *f = fopen(acked_path, "r");
	if (!f) {
		fprintf(stderr, "powercut: %s: %s\n", acked_path, strerror(errno));
		return 2;
	}
	char (*acked)[33] = NULL, line[128];
	int nacked = 0;
	while (fgets(line, sizeof line, f)) {
		if (strlen(line) != 33 || line[32] != '\n') {
			fprintf(stderr, "powercut: %s: line %d is not a 32-digit id\n", acked_path, nacked + 1);
			fclose(f);
			return 2;
		}
		acked = xrealloc(acked, sizeof *acked * (size_t)(nacked + 1));
		memcpy(acked[nacked], line, 32);
		acked[nacked++][32] = '\0';
	}
	fclose(f);
	verify_store(&v, kiosk, acked, nacked);
	printf("powercut: %d acknowledged, %d stored, %d stored without acknowledgement\n", nacked, v.nids, v.nids - nacked);
	device_close(&v.dev);
	center_keys_wipe(&v.keys);
	free(v.ids);
	free(acked);
	return t_done("powercut");
}

int main(int argc, char **argv)
{
	int cuts = 200, keep = 0;
	if (argc == 7 && !strcmp(argv[1], "--verify") && !strcmp(argv[3], "--center") && !strcmp(argv[5], "--acked")) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		return verify_main(argv[2], argv[4], argv[6]);
	}
	unsigned seed = (unsigned)time(NULL);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--spean") && i + 1 < argc)
			spean_bin = argv[++i];
		else if (!strcmp(argv[i], "--cuts") && i + 1 < argc)
			cuts = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--keep"))
			keep = 1;
		else {
			fprintf(stderr, "usage: spean-powercut --spean BIN [--cuts N] [--seed S] [--keep]\n"
					"       spean-powercut --verify KIOSK_DIR --center CENTER_DIR --acked FILE\n");
			return 2;
		}
	}
	if (!spean_bin || cuts < 1) {
		fprintf(stderr, "usage: spean-powercut --spean BIN [--cuts N] [--seed S] [--keep]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	srand(seed);
	printf("powercut: seed %u, %d cuts\n", seed, cuts);
	char *root = t_tmpdir("powercut");
	char *center_dir = fs_join(root, "center");
	data_dir = fs_join(root, "kiosk");
	facts_path = fs_join(root, "facts.txt");
	contact_path = fs_join(root, "contact.txt");
	t_write(facts_path, "request_date = 2026-05-20\nbirth_date = 1960-06-06\nhousehold = poor\ndeadline_working_days = 5\n");
	t_write(contact_path, "name = " MARK_NAME "\nphone = " MARK_PHONE "\ncommune_code = 29242\n"
			      "matter = " MARK_KHMER "\nconsent = yes\n");
	struct verify v;
	memset(&v, 0, sizeof v);
	struct diag d = {""};
	if (center_init(center_dir, &v.keys, &d) || device_open(data_dir, &v.dev, &d)) {
		fprintf(stderr, "setup: %s\n", d.msg);
		return 2;
	}
	char *pub = fs_join(center_dir, CENTER_PUBLIC_FILE);
	if (device_provision(&v.dev, pub, &d)) {
		fprintf(stderr, "provision: %s\n", d.msg);
		return 2;
	}
	free(pub);

	/* Calibrate: how long an uncut add takes here (sanitizers make it slower). */
	uint64_t cal[5];
	struct run r;
	char (*acked)[33] = xcalloc((size_t)cuts + 5, 33);
	int nacked = 0;
	for (int i = 0; i < 5; i++) {
		spawn_add(0, &r);
		cal[i] = r.ns;
		if (r.acked)
			memcpy(acked[nacked++], r.id, 33);
	}
	qsort(cal, 5, sizeof cal[0], cmp_u64);
	uint64_t span = cal[2] + cal[2] / 3;
	printf("powercut: an uncut add takes %.1f ms; cutting within 0..%.1f ms\n", (double)cal[2] / 1e6, (double)span / 1e6);

	int killed = 0;
	for (int i = 0; i < cuts; i++) {
		uint64_t at = 1000 + (uint64_t)((double)rand() / RAND_MAX * (double)span);
		spawn_add(at, &r);
		killed += r.killed;
		if (r.acked)
			memcpy(acked[nacked++], r.id, 33);
		if ((i + 1) % 50 == 0)
			fprintf(stderr, "powercut: %d/%d cuts\n", i + 1, cuts);
	}

	/* Nothing personal on disk: scanned before anything reopens the store, so the WAL and shm left by the
	 * last kill are included; then integrity, every acknowledged id exactly once, every row whole. */
	verify_store(&v, data_dir, acked, nacked);
	printf("powercut: %d runs killed, %d acknowledged, %d stored, %d stored without acknowledgement\n",
	       killed, nacked, v.nids, v.nids - nacked);

	if (keep)
		printf("powercut: kept %s\n", root);
	else
		t_rmtree(root);
	device_close(&v.dev);
	center_keys_wipe(&v.keys);
	free(v.ids);
	free(acked);
	free(root);
	free(center_dir);
	free(data_dir);
	free(facts_path);
	free(contact_path);
	return t_done("powercut");
}

/*
 * spean-swarm: many kiosks syncing with one center at once (simulated clients, one thread each, real
 * stores, real sealed requests, real HTTP). Used by tests/sync/swarm_test.sh.
 *   spean-swarm CENTERDIR URL KIOSKS REQUESTS WORKDIR
 * Makes KIOSKS kiosks under WORKDIR (each provisioned with the center's card and enrolled in
 * CENTERDIR), stores REQUESTS requests in each, then starts every sync at once. Prints
 * "KIOSKS kiosks: N delivered, M held, F failed" and exits 0 only if every kiosk delivered everything.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "cstore.h"
#include "device.h"
#include "fs.h"
#include "submit.h"

extern const unsigned char spean_builtin_rules[];
extern const unsigned long spean_builtin_rules_len;

struct kiosk {
	struct device dev;
	struct store *st;
	struct sync_transport *t;
	struct sync_result res;
	int rc;
	char err[512];
};

static pthread_barrier_t start;

static void *run(void *p)
{
	struct kiosk *k = p;
	struct diag d = {""};
	struct sync_client_cfg cfg = {k->st, k->dev.sign_pk, k->dev.sign_sk, k->dev.center_sign_pk, 0, 20, NULL, NULL, 0, NULL, 0, 0, 0, "swarm", 1000, -1};
	pthread_barrier_wait(&start);
	k->rc = sync_run(&cfg, k->t, &k->res, &d);
	snprintf(k->err, sizeof k->err, "%s", d.msg);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: spean-swarm CENTERDIR URL KIOSKS REQUESTS WORKDIR\n");
		return 2;
	}
	const char *cdir = argv[1], *url = argv[2], *work = argv[5];
	int nk = atoi(argv[3]), nr = atoi(argv[4]);
	struct diag d = {""};
	struct rules *rules;
	if (rules_parse((const char *)spean_builtin_rules, spean_builtin_rules_len, &rules, &d)) {
		fprintf(stderr, "swarm: %s\n", d.msg);
		return 1;
	}
	struct kiosk *ks = calloc((size_t)nk, sizeof *ks);
	struct cstore *cs;
	char *card = fs_join(cdir, "center.pub");
	if (cstore_open(cdir, &cs, &d)) {
		fprintf(stderr, "swarm: %s\n", d.msg);
		return 1;
	}
	const char *facts = "request_date = 2026-05-20\nbirth_date = 1950-01-01\nhousehold = near_poor\n";
	const char *contact = "name = Sơn Thị Sa Rê\ncommune_code = 90032\nconsent = yes\n";
	for (int i = 0; i < nk; i++) {
		char name[32];
		snprintf(name, sizeof name, "k%03d", i);
		char *dir = fs_join(work, name);
		int already;
		if (device_open(dir, &ks[i].dev, &d) || device_provision(&ks[i].dev, card, &d) ||
		    store_open(dir, 0, &ks[i].st, &d) || cstore_enroll(cs, ks[i].dev.sign_pk, name, &already, &d) ||
		    transport_http_create(&ks[i].t, url, NULL, &d)) {
			fprintf(stderr, "swarm: kiosk %d: %s\n", i, d.msg);
			return 1;
		}
		free(dir);
		for (int j = 0; j < nr; j++) {
			struct facts f;
			struct contact c;
			contact_init(&c);
			unsigned char id[RECORD_ID_LEN];
			uint64_t seq;
			if (facts_parse(facts, strlen(facts), &f, &d) || contact_parse(contact, strlen(contact), &c, &d) ||
			    submit_request(ks[i].st, &ks[i].dev, rules, &f, (struct date){2026, 5, 20}, &c, "km", id, &seq, &d)) {
				fprintf(stderr, "swarm: kiosk %d: %s\n", i, d.msg);
				return 1;
			}
			contact_finish(&c);
		}
	}
	cstore_close(cs);
	free(card);
	pthread_barrier_init(&start, NULL, (unsigned)nk);
	pthread_t *th = calloc((size_t)nk, sizeof *th);
	for (int i = 0; i < nk; i++)
		pthread_create(&th[i], NULL, run, &ks[i]);
	unsigned long long delivered = 0, held = 0;
	int failed = 0;
	for (int i = 0; i < nk; i++) {
		pthread_join(th[i], NULL);
		delivered += ks[i].res.delivered;
		held += ks[i].res.held;
		if (ks[i].rc || ks[i].res.held) {
			failed++;
			fprintf(stderr, "swarm: kiosk %d: rc=%d held=%llu %s\n", i, ks[i].rc, (unsigned long long)ks[i].res.held,
				ks[i].err);
		}
		ks[i].t->ops->destroy(ks[i].t);
		store_close(ks[i].st);
		device_close(&ks[i].dev);
	}
	printf("%d kiosks: %llu delivered, %llu held, %d failed\n", nk, delivered, held, failed);
	pthread_barrier_destroy(&start);
	free(th);
	free(ks);
	rules_destroy(rules);
	return failed ? 1 : 0;
}

/* spean-bench: Spean's benchmarks (screening, durable sealed commit, 100,000 requests) with same-run baselines. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "crypt.h"
#include "device.h"
#include "fs.h"
#include "kv.h"
#include "log.h"
#include "measure.h"
#include "personas.h"
#include "mem.h"
#include "record.h"
#include "rules.h"
#include "screen.h"
#include "store.h"
#include "submit.h"

#ifndef SPEAN_BENCH_BIN
#error "the build passes SPEAN_BENCH_BIN (path of the spean binary)"
#endif
#ifndef SPEAN_BENCH_SHARED_DIR
#define SPEAN_BENCH_SHARED_DIR "../shared"
#endif
#ifndef SPEAN_BENCH_BUILD_TYPE
#define SPEAN_BENCH_BUILD_TYPE "unknown"
#endif

#define WARMUP 20
#define MIB (1024.0 * 1024.0)

struct config {
	int quick;
	int keep;
	size_t commits;    /* timed submit_request calls on a fresh store */
	size_t requests;   /* requests in the large store */
	int exec_runs;     /* runs of each timed command */
	double screen_sec; /* minimum duration of each screening loop */
	size_t alloc_screens;
};

/* One screening input: facts, the date they are screened on, the outcome the file expects ("" if none). */
struct bench_persona {
	char id[16];
	struct facts f;
	struct date on;
	char want[24];
};

struct corpus {
	struct bench_persona *p;
	size_t n;
	char source[4200];
};

struct bench {
	struct config cfg;
	char *root;    /* temp dir holding everything the run writes */
	char *keyfile; /* the center's public key, as an office would hand it over */
	char *out;     /* stdout+stderr of timed child processes */
	struct rules *rules;
	struct corpus corpus;
	struct contact contacts[6];
	size_t ncontacts;
	/* Baselines shared between sections. */
	double sealed_mean;
	long rss_start_kib; /* max RSS when main starts: libc, libsodium and SQLite mapped, nothing done */
	int failed;
};

static volatile unsigned sink; /* keeps the measured loops from being optimised away */

static const struct date default_today = {2026, 6, 1};

/* Residents are invented; the names and places are realistic for Trà Vinh (Vietnamese and Khmer). */
static const char *const contact_texts[] = {
	"name = Nguyễn Thị Hồng Nhung\n"
	"phone = 0294 3851 226\n"
	"commune_code = 29242\n"
	"address = ấp Bến Có, xã Nguyệt Hóa, huyện Châu Thành\n"
	"matter = Tranh chấp ranh giới đất với hộ bên cạnh; cần tư vấn trước buổi hòa giải ở ấp.\n"
	"consent = yes\n"
	"consent_text = kiosk-vi-1\n",

	"name = Thạch Sa Rươne\n"
	"phone = 0977 412 508\n"
	"commune_code = 29317\n"
	"address = ấp Sóc Cụt, xã Hòa Ân, huyện Cầu Kè\n"
	"matter = Con trai bị tạm giữ, gia đình không biết thủ tục nhờ người bào chữa.\n"
	"requester_relation = mẹ\n"
	"consent = yes\n"
	"consent_text = kiosk-km-1\n",

	"name = Trần Văn Bảy\n"
	"commune_code = 29401\n"
	"matter = Được hưởng chế độ người có công nhưng bị cắt trợ cấp, muốn khiếu nại.\n"
	"consent = yes\n"
	"consent_text = kiosk-vi-1\n",

	"name = Kim Thị Sóc Khom\n"
	"phone = +84 294 3866 014\n"
	"commune_code = 29128\n"
	"address = ấp Ô Rồn, xã Đôn Xuân, huyện Trà Cú\n"
	"matter = Bị chồng đánh nhiều lần, muốn ly hôn và giành quyền nuôi hai con nhỏ. "
	"Hiện đang ở nhờ nhà chị gái, không có giấy tờ nhà đất.\n"
	"consent = yes\n"
	"consent_text = kiosk-vi-1\n",

	"name = Lê Hoàng Phúc\n"
	"phone = 0358-226-914\n"
	"commune_code = 29055\n"
	"address = khóm 4, phường Long Đức, thành phố Trà Vinh\n"
	"matter = Hộ nghèo, công ty nợ lương ba tháng; phiên hòa giải lao động sau năm ngày làm việc.\n"
	"consent = yes\n"
	"consent_text = kiosk-vi-1\n",

	"name = Sơn Thị Đa Ni\n"
	"phone = 0868 551 307\n"
	"commune_code = 29233\n"
	"matter = Cháu 14 tuổi bị gọi làm người làm chứng trong vụ trộm ở trường; "
	"cha mẹ đi làm xa, bà ngoại đi cùng.\n"
	"requester_relation = bà ngoại\n"
	"consent = yes\n"
	"consent_text = kiosk-km-1\n",
};

/* Facts used when the personas file cannot be read (invented; the baseline keys every persona starts from). */
static const char fallback_baseline[] =
	"meritorious=no household=none monthly_social_allowance=no social_protection_facility=no "
	"social_pension_75=no ethnic_minority=no residence_area_listed=no criminal_role=none trafficking=none "
	"matter_related_to_trafficking=no martyr_kin=no agent_orange=no disability=no dv_victim=no hiv=no "
	"matter_business=no specific_matter=yes";
static const char *const fallback_rows[] = {
	"request_date=2026-03-02;birth_date=1952-04-11;meritorious=yes",
	"request_date=2026-05-12;birth_date=1985-10-02;household=poor;deadline_working_days=4",
	"request_date=2026-02-20;birth_date=2012-07-07",
	"request_date=2026-01-05;birth_date=1970-01-30;dv_victim=yes;monthly_social_allowance=unknown",
	"request_date=2026-04-18;birth_date=1991-12-01;ethnic_minority=yes;residence_area_listed=unknown",
	"request_date=2026-03-30;birth_date=1979-08-19;household=poor;matter_business=yes",
};

/* Apply "key=value" tokens separated by sep (tokens without '=' are skipped, a trailing '.' dropped). */
static int apply_pairs(struct facts *f, const char *s, size_t len, char sep, struct diag *d)
{
	const char *end = s + len;
	while (s < end) {
		while (s < end && *s == sep)
			s++;
		const char *b = s;
		while (s < end && *s != sep)
			s++;
		const char *e = s;
		if (e > b && e[-1] == '.')
			e--;
		const char *eq = memchr(b, '=', (size_t)(e - b));
		if (!eq)
			continue;
		if (facts_set_text(f, b, (size_t)(eq - b), eq + 1, (size_t)(e - eq - 1), d))
			return ERR_INVAL;
	}
	return 0;
}

static int corpus_add(struct corpus *c, const char *id, const char *baseline, const char *row, size_t rowlen,
		      const char *want, size_t wantlen)
{
	struct bench_persona p;
	struct diag d = {""};
	memset(&p, 0, sizeof p);
	snprintf(p.id, sizeof p.id, "%s", id);
	snprintf(p.want, sizeof p.want, "%.*s", (int)(wantlen < sizeof p.want ? wantlen : sizeof p.want - 1), want);
	facts_init(&p.f);
	if (apply_pairs(&p.f, baseline, strlen(baseline), ' ', &d) || apply_pairs(&p.f, row, rowlen, ';', &d)) {
		fprintf(stderr, "spean-bench: persona %s: %s (skipped)\n", id, d.msg);
		return ERR_INVAL;
	}
	p.on = facts_known(&p.f, F_REQUEST_DATE) ? p.f.request_date : default_today;
	if (facts_check(&p.f, p.on, &d)) {
		fprintf(stderr, "spean-bench: persona %s: %s (skipped)\n", id, d.msg);
		return ERR_INVAL;
	}
	c->p = xrealloc(c->p, (c->n + 1) * sizeof *c->p);
	c->p[c->n++] = p;
	return 0;
}

/* A persona of the file, as read by the shared reader (tests/lib/personas.c): its merged facts, one pair at a time. */
static int corpus_add_persona(struct corpus *c, const struct persona *ps)
{
	struct buf pairs;
	buf_init(&pairs);
	for (int i = 0; i < ps->nfacts; i++)
		buf_printf(&pairs, "%s=%s;", ps->key[i], ps->value[i]);
	int rc = corpus_add(c, ps->id, "", pairs.data ? pairs.data : "", pairs.len, ps->outcome, strlen(ps->outcome));
	buf_finish(&pairs);
	return rc;
}

/*
 * The personas of shared/spec/personas-public.tsv: the header comment's
 * baseline first, then each row's own facts. Falls back to invented facts.
 */
static void corpus_load(struct corpus *c)
{
	const char *shared = getenv("SPEAN_SHARED_DIR");
	char *path = fs_join(shared && *shared ? shared : SPEAN_BENCH_SHARED_DIR, "spec/personas-public.tsv");
	struct personas ps;
	struct diag d = {""};
	memset(c, 0, sizeof *c);
	if (!personas_load(path, &ps, &d)) {
		for (size_t i = 0; i < ps.n; i++)
			corpus_add_persona(c, &ps.p[i]);
		snprintf(c->source, sizeof c->source, "%s", path);
	} else {
		fprintf(stderr, "spean-bench: %s\n", d.msg);
	}
	personas_free(&ps);
	if (!c->n) {
		for (size_t i = 0; i < sizeof fallback_rows / sizeof fallback_rows[0]; i++) {
			char id[16];
			snprintf(id, sizeof id, "F%zu", i + 1);
			corpus_add(c, id, fallback_baseline, fallback_rows[i], strlen(fallback_rows[i]), "", 0);
		}
		snprintf(c->source, sizeof c->source, "built-in invented facts (no personas at %s)", path);
	}
	free(path);
}

static int contacts_load(struct bench *b)
{
	for (size_t i = 0; i < sizeof contact_texts / sizeof contact_texts[0]; i++) {
		struct contact *c = &b->contacts[i];
		struct diag d = {""};
		contact_init(c);
		if (contact_parse(contact_texts[i], strlen(contact_texts[i]), c, &d) || contact_validate(c, &d)) {
			fprintf(stderr, "spean-bench: contact %zu: %s\n", i, d.msg);
			return ERR_INVAL;
		}
		b->ncontacts++;
	}
	return 0;
}

/* ---- environment ---- */

static void cpu_model(char *out, size_t n)
{
	snprintf(out, n, "unknown CPU");
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		char *colon = strchr(line, ':');
		if (!strncmp(line, "model name", 10) && colon) {
			snprintf(out, n, "%s", colon + 2);
			out[strcspn(out, "\n")] = '\0';
			break;
		}
	}
	fclose(f);
}

static void print_header(const struct bench *b)
{
	struct utsname u;
	char cpu[256], when[64];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M %Z", &tm);
	cpu_model(cpu, sizeof cpu);
	if (uname(&u))
		memset(&u, 0, sizeof u);
	const char *fst = fs_type_name(b->root);
	printf("spean-bench (%s run, build %s), %s\n", b->cfg.quick ? "quick" : "full", SPEAN_BENCH_BUILD_TYPE, when);
	printf("  host: %s %s %s, %ld CPUs, %s\n", u.sysname, u.release, u.machine, sysconf(_SC_NPROCESSORS_ONLN), cpu);
	printf("  temp dir: %s (%s)%s\n", b->root, fst,
	       !strcmp(fst, "tmpfs") ? "  WARNING: fsync is free on tmpfs; set TMPDIR to a disk" : "");
	printf("  spean binary: %s\n", SPEAN_BENCH_BIN);
	printf("  ratios are figure / baseline, both measured in this run\n");
}

/* ---- a provisioned kiosk ---- */

static int make_center_key(struct bench *b)
{
	unsigned char pk[CRYPT_BOX_PK], sk[CRYPT_BOX_SK];
	char hex[2 * CRYPT_BOX_PK + 1];
	struct buf t;
	struct diag d = {""};
	crypt_box_keypair(pk, sk);
	crypt_wipe(sk, sizeof sk); /* the bench never opens what it seals */
	hex_encode(pk, sizeof pk, hex);
	buf_init(&t);
	buf_printf(&t, "# Spean center public key (X25519), made by spean-bench\n%s\n", hex);
	b->keyfile = fs_join(b->root, "center.pub");
	int rc = fs_write_durable(b->keyfile, t.data, t.len, 0644, &d);
	buf_finish(&t);
	if (rc)
		fprintf(stderr, "spean-bench: %s\n", d.msg);
	return rc;
}

static int kiosk_open(const struct bench *b, const char *dir, struct device *dev, struct store **st)
{
	struct diag d = {""};
	int rc = device_open(dir, dev, &d);
	if (!rc && (rc = device_provision(dev, b->keyfile, &d)))
		device_close(dev);
	if (!rc && (rc = store_open(dir, 0, st, &d)))
		device_close(dev);
	if (rc)
		fprintf(stderr, "spean-bench: %s: %s\n", dir, d.msg);
	return rc;
}

/* Request i: persona i mod n, contact i mod m, one in five in Khmer. */
static int submit_nth(const struct bench *b, struct store *st, const struct device *dev, size_t i)
{
	const struct bench_persona *p = &b->corpus.p[i % b->corpus.n];
	const struct contact *c = &b->contacts[i % b->ncontacts];
	unsigned char id[RECORD_ID_LEN];
	uint64_t seq;
	struct diag d = {""};
	int rc = submit_request(st, dev, b->rules, &p->f, p->on, c, i % 5 == 4 ? "km" : "vi", id, &seq, &d);
	if (rc)
		fprintf(stderr, "spean-bench: request %zu not stored: %s\n", i, d.msg[0] ? d.msg : err_message(rc));
	return rc;
}

/* ---- 1. screening engine ---- */

/* Screens (or, as the baseline, facts_check calls) per second over the corpus for at least min_sec. */
static double loop_rate(const struct bench *b, int baseline, double min_sec, double *ns_per_op)
{
	const struct corpus *c = &b->corpus;
	const uint64_t limit = (uint64_t)(min_sec * 1e9);
	uint64_t n = 0, t0 = clock_mono_ns(), t1;
	unsigned acc = 0;
	size_t k = 0;
	do {
		for (int j = 0; j < 4096; j++) {
			const struct bench_persona *p = &c->p[k];
			if (++k == c->n)
				k = 0;
			if (baseline) {
				struct diag d;
				acc += (unsigned)facts_check(&p->f, p->on, &d);
			} else {
				struct screen_result res;
				screen(b->rules, &p->f, p->on, &res);
				acc += (unsigned)res.outcome + (unsigned)res.urgent;
			}
		}
		n += 4096;
		t1 = clock_mono_ns();
	} while (t1 - t0 < limit);
	sink = acc;
	double sec = (double)(t1 - t0) / 1e9;
	*ns_per_op = sec * 1e9 / (double)n;
	return (double)n / sec;
}

static void bench_engine(struct bench *b)
{
	report_section("1. Screening engine (%zu facts sets, built-in rules)", b->corpus.n);
	report_note("facts: %s", b->corpus.source);

	/* Memory held by the loaded rules: heap in use across rules_parse. */
	struct diag d = {""};
	size_t h0 = heap_in_use();
	uint64_t c0 = alloc_calls();
	int64_t l0 = alloc_live_bytes();
	int rc = rules_parse((const char *)spean_builtin_rules, spean_builtin_rules_len, &b->rules, &d);
	size_t h1 = heap_in_use();
	uint64_t c1 = alloc_calls();
	int64_t l1 = alloc_live_bytes();
	if (rc) {
		fprintf(stderr, "spean-bench: built-in rules: %s\n", d.msg);
		b->failed = 1;
		return;
	}
	report_note("rules %s: %d groups (%d dated variants), %d nodes; %llu allocation calls while parsing",
		    b->rules->version, b->rules->nslots, b->rules->ngroups, b->rules->nnodes,
		    (unsigned long long)(c1 - c0));

	size_t match = 0, checked = 0;
	for (size_t i = 0; i < b->corpus.n; i++) {
		const struct bench_persona *p = &b->corpus.p[i];
		struct screen_result res;
		if (!p->want[0])
			continue;
		screen(b->rules, &p->f, p->on, &res);
		checked++;
		match += !strcmp(outcome_name(res.outcome), p->want);
	}
	if (checked)
		report_note("outcomes as the file expects: %zu of %zu%s", match, checked,
			    match == checked ? "" : "  (MISMATCH: the engine disagrees with the spec)");

	double screen_ns, check_ns;
	double screen_rate = loop_rate(b, 0, b->cfg.screen_sec, &screen_ns);
	double check_rate = loop_rate(b, 1, b->cfg.screen_sec, &check_ns);
	report("screening throughput", screen_rate, "screens/s", (struct goal){GOAL_NONE, 0}, check_rate,
	       "facts_check calls/s", NULL);
	report("screening cost per call", screen_ns, "ns", (struct goal){GOAL_NONE, 0}, check_ns, "facts_check ns",
	       NULL);
	report("rules in memory (live heap blocks)", (double)(l1 - l0), "B", (struct goal){GOAL_NONE, 0},
	       (double)spean_builtin_rules_len, "rules source B", NULL);
	report("rules in memory (mallinfo2 uordblks)", (double)(h1 - h0), "B", (struct goal){GOAL_NONE, 0},
	       (double)spean_builtin_rules_len, "rules source B", NULL);
	report_note("mallinfo2 also counts the parser's freed temporaries parked in glibc's tcache");

	/* Allocation while screening: heap growth and allocation calls over many screens. */
	unsigned acc = 0;
	size_t k = 0;
	h0 = heap_in_use();
	c0 = alloc_calls();
	l0 = alloc_live_bytes();
	for (size_t i = 0; i < b->cfg.alloc_screens; i++) {
		struct screen_result res;
		screen(b->rules, &b->corpus.p[k].f, b->corpus.p[k].on, &res);
		acc += (unsigned)res.outcome;
		if (++k == b->corpus.n)
			k = 0;
	}
	h1 = heap_in_use();
	c1 = alloc_calls();
	l1 = alloc_live_bytes();
	sink = acc;
	char label[64], n1[32];
	snprintf(label, sizeof label, "heap growth, %s screens (mallinfo2)",
		 fmt_num((double)b->cfg.alloc_screens, 0, n1, sizeof n1));
	report(label, (double)((long long)h1 - (long long)h0), "B", (struct goal){GOAL_EQ, 0}, 0, NULL, NULL);
	snprintf(label, sizeof label, "allocation calls, %s screens", n1);
	report(label, (double)(c1 - c0), "calls", (struct goal){GOAL_EQ, 0}, 0, NULL, NULL);
	snprintf(label, sizeof label, "live heap change, %s screens", n1);
	report(label, (double)(l1 - l0), "B", (struct goal){GOAL_EQ, 0}, 0, NULL, NULL);

	/* Peak RSS so far: the engine and the bench only (no SQLite cache yet). */
	report("process max RSS after screening", (double)max_rss_kib() / 1024.0, "MiB", (struct goal){GOAL_NONE, 0},
	       (double)b->rss_start_kib / 1024.0, "max RSS at bench start MiB", NULL);
}

/* ---- 2. durable sealed commit ---- */

/* Sealed sizes of the requests stored after seq `since`, in seq order. */
struct sizes {
	uint64_t since;
	size_t *v;
	size_t n;
};

static int collect_size(void *ctx, const struct store_request *r)
{
	struct sizes *s = ctx;
	if (r->seq <= s->since)
		return 0;
	s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
	s->v[s->n++] = r->sealed_len;
	return 0;
}

/* write() all of p, then fsync: one durable append. */
static int append_durable(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return fsync(fd);
}

struct commit_run {
	struct bench *b;
	struct store *st;
	struct device dev;
	int fd;                 /* the baseline's plain file */
	unsigned char *payload; /* random bytes, grown to the largest sealed size */
	size_t cap;
	uint64_t seq;           /* last seq stored */
	size_t next;            /* next request number */
	size_t minsz, maxsz;
	double sum;             /* of sealed sizes */
	size_t nsizes;
};

/*
 * m requests through submit_request (timed into lat, if not NULL), then m
 * appends of exactly their sealed sizes to the plain file, each fsync'd
 * (timed into base). Alternating blocks keeps both under the same load.
 */
static int commit_round(struct commit_run *r, size_t m, double *lat, double *base)
{
	struct diag d = {""};
	for (size_t i = 0; i < m; i++) {
		uint64_t t0 = clock_mono_ns();
		if (submit_nth(r->b, r->st, &r->dev, r->next++))
			return -1;
		if (lat)
			lat[i] = ms_between(t0, clock_mono_ns());
	}
	struct sizes sz = {r->seq, NULL, 0};
	if (store_each_request(r->st, collect_size, &sz, &d) || sz.n != m) {
		fprintf(stderr, "spean-bench: reading sealed sizes back: %s\n", d.msg[0] ? d.msg : "wrong count");
		free(sz.v);
		return -1;
	}
	r->seq += m;
	int rc = 0;
	for (size_t i = 0; i < m && !rc; i++) {
		if (sz.v[i] > r->cap) {
			r->payload = xrealloc(r->payload, sz.v[i]);
			crypt_random(r->payload, sz.v[i]);
			r->cap = sz.v[i];
		}
		r->minsz = sz.v[i] < r->minsz ? sz.v[i] : r->minsz;
		r->maxsz = sz.v[i] > r->maxsz ? sz.v[i] : r->maxsz;
		r->sum += (double)sz.v[i];
		r->nsizes++;
		uint64_t t0 = clock_mono_ns();
		if ((rc = append_durable(r->fd, r->payload, sz.v[i])))
			perror("spean-bench: fsync baseline");
		else if (base)
			base[i] = ms_between(t0, clock_mono_ns());
	}
	free(sz.v);
	return rc;
}

static void bench_commit(struct bench *b)
{
	const size_t n = b->cfg.commits, round = 50;
	char n1[32];
	report_section("2. Durable sealed commit (%s x submit_request, fresh store)", fmt_num((double)n, 0, n1, sizeof n1));
	char *dir = fs_join(b->root, "kiosk-commit");
	double *lat = xcalloc(n, sizeof *lat), *base = xcalloc(n, sizeof *base);
	struct commit_run r;
	memset(&r, 0, sizeof r);
	r.b = b;
	r.fd = -1;
	r.minsz = (size_t)-1;
	if (kiosk_open(b, dir, &r.dev, &r.st))
		goto fail;
	char *path = fs_join(dir, "fsync-baseline.bin");
	r.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	free(path);
	if (r.fd < 0) {
		perror("spean-bench: fsync baseline");
		goto fail;
	}
	if (commit_round(&r, WARMUP, NULL, NULL))
		goto fail;
	for (size_t done = 0; done < n;) {
		size_t m = n - done < round ? n - done : round;
		if (commit_round(&r, m, lat + done, base + done))
			goto fail;
		done += m;
	}

	struct stats cs, bs;
	stats_of(lat, n, &cs);
	stats_of(base, n, &bs);
	b->sealed_mean = r.sum / (double)r.nsizes;
	char s1[32], s2[32], s3[32];
	report_note("sealed request: mean %s B (min %s, max %s); %d untimed warm-up requests first",
		    fmt_num(b->sealed_mean, 0, s1, sizeof s1), fmt_num((double)r.minsz, 0, s2, sizeof s2),
		    fmt_num((double)r.maxsz, 0, s3, sizeof s3), WARMUP);
	report_note("baseline: write()+fsync() appending the same sizes to a plain file in the same dir,");
	report_note("in blocks of %zu alternating with the commits: median %s ms, p99 %s ms, max %s ms", round,
		    fmt_num(bs.median, -1, s1, sizeof s1), fmt_num(bs.p99, -1, s2, sizeof s2),
		    fmt_num(bs.max, -1, s3, sizeof s3));
	report("commit median (submit_request)", cs.median, "ms", (struct goal){GOAL_LE, 10}, bs.median,
	       "write+fsync median ms", NULL);
	report("commit p99", cs.p99, "ms", (struct goal){GOAL_NONE, 0}, bs.p99, "write+fsync p99 ms", NULL);
	report("commit max", cs.max, "ms", (struct goal){GOAL_NONE, 0}, bs.max, "write+fsync max ms", NULL);
	goto out;
fail:
	b->failed = 1;
out:
	if (r.fd >= 0)
		close(r.fd);
	if (r.st) {
		store_close(r.st);
		device_close(&r.dev);
	}
	free(r.payload);
	free(lat);
	free(base);
	free(dir);
}

/* ---- 3. a store with 100,000 requests ---- */

/* Run argv runs times; stats of the wall time; the first run's output must contain expect. */
static int exec_runs(const struct bench *b, const char *what, char *const argv[], int runs, const char *expect,
		     struct stats *out)
{
	double *t = xcalloc((size_t)runs, sizeof *t);
	int rc = 0;
	for (int i = 0; i < runs && !rc; i++) {
		int ex = spawn_timed(argv, b->out, &t[i]);
		struct buf o;
		struct diag d = {""};
		buf_init(&o);
		if (i == 0 && !fs_read_file(b->out, 1u << 16, &o, &d) && expect && !strstr(o.data, expect)) {
			fprintf(stderr, "spean-bench: spean %s: want '%s' in its output, got:\n%s\n", what, expect, o.data);
			rc = -1;
		}
		buf_finish(&o);
		if (ex) {
			fprintf(stderr, "spean-bench: spean %s exited %d\n", what, ex);
			rc = -1;
		}
	}
	stats_of(t, (size_t)runs, out);
	free(t);
	return rc;
}

static void bench_scale(struct bench *b)
{
	const size_t n = b->cfg.requests, every = 100;
	char n1[32], n2[32], label[64];
	fmt_num((double)n, 0, n1, sizeof n1);
	report_section("3. %s requests, each its own durable commit", n1);
	char *dir = fs_join(b->root, "kiosk-scale");
	char *path = fs_join(dir, "fsync-baseline.bin");
	struct device dev;
	struct store *st = NULL;
	double *lat = xcalloc(n, sizeof *lat), *base = xcalloc(n / every + 1, sizeof *base);
	size_t nbase = 0, psize = (size_t)(b->sealed_mean + 0.5);
	unsigned char *payload = xmalloc(psize);
	uint64_t base_ns = 0; /* time spent on baseline samples, not part of the insert time */
	int fd = -1;
	crypt_random(payload, psize);
	if (kiosk_open(b, dir, &dev, &st))
		goto fail;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror("spean-bench: fsync baseline");
		goto fail;
	}
	const size_t step = n >= 10 ? n / 10 : 1;
	uint64_t start = clock_mono_ns();
	for (size_t i = 0; i < n; i++) {
		uint64_t t0 = clock_mono_ns();
		if (submit_nth(b, st, &dev, i))
			goto fail;
		uint64_t t1 = clock_mono_ns();
		lat[i] = ms_between(t0, t1);
		/* Baseline sampled along the way: one durable append of a mean-sized request every 100. */
		if (i % every == every - 1 || (i == n - 1 && !nbase)) {
			if (append_durable(fd, payload, psize)) {
				perror("spean-bench: fsync baseline");
				goto fail;
			}
			uint64_t t2 = clock_mono_ns();
			base[nbase++] = ms_between(t1, t2);
			base_ns += t2 - t1;
		}
		if ((i + 1) % step == 0) {
			double sec = (double)(clock_mono_ns() - start - base_ns) / 1e9;
			fprintf(stderr, "  inserting: %zu/%zu requests (%zu%%), %.1f s, %.0f req/s\n", i + 1, n,
				(i + 1) * 100 / n, sec, (double)(i + 1) / sec);
		}
	}
	double total = (double)(clock_mono_ns() - start - base_ns) / 1e9;
	char *db = fs_join(dir, STORE_DB_NAME), *wal = fs_join(dir, STORE_DB_NAME "-wal");
	uint64_t dbsz = file_size(db), walsz = file_size(wal);
	free(db);
	free(wal);
	store_close(st);
	st = NULL;
	device_close(&dev);

	struct stats all, last, bs;
	size_t tail = n / 10 ? n / 10 : 1;
	stats_of(lat + (n - tail), tail, &last);
	stats_of(lat, n, &all);
	stats_of(base, nbase, &bs);
	char s1[32], s2[32];
	report_note("baseline: write()+fsync() of %s B (the mean sealed size) after every %zu requests:",
		    fmt_num((double)psize, 0, s1, sizeof s1), every);
	report_note("%zu samples, median %s ms, p99 %s ms (not counted in the insert time)", nbase,
		    fmt_num(bs.median, -1, s1, sizeof s1), fmt_num(bs.p99, -1, s2, sizeof s2));
	snprintf(label, sizeof label, "insert %s requests, total", n1);
	report(label, total, "s", (struct goal){GOAL_NONE, 0}, (double)n * bs.median / 1e3, "N x write+fsync median s",
	       NULL);
	report("insert rate", (double)n / total, "req/s", (struct goal){GOAL_NONE, 0}, bs.median > 0 ? 1e3 / bs.median : 0,
	       "write+fsync/s", NULL);
	report("commit median, all requests", all.median, "ms", (struct goal){GOAL_LE, 10}, bs.median,
	       "write+fsync median ms", NULL);
	report("commit p99, all requests", all.p99, "ms", (struct goal){GOAL_NONE, 0}, bs.p99, "write+fsync p99 ms",
	       NULL);
	snprintf(label, sizeof label, "commit median, last %s", fmt_num((double)tail, 0, n2, sizeof n2));
	report(label, last.median, "ms", (struct goal){GOAL_LE, 10}, bs.median, "write+fsync median ms", NULL);
	report_note("database after the inserts: spean.db %s B + spean.db-wal %s B (store still open)",
		    fmt_num((double)dbsz, 0, n1, sizeof n1), fmt_num((double)walsz, 0, n2, sizeof n2));
	report("database size (spean.db + -wal)", (double)(dbsz + walsz) / MIB, "MiB", (struct goal){GOAL_NONE, 0},
	       b->sealed_mean * (double)n / MIB, "sealed bytes MiB", NULL);
	report("database bytes per request", (double)(dbsz + walsz) / (double)n, "B", (struct goal){GOAL_NONE, 0},
	       b->sealed_mean, "mean sealed B", NULL);

	/* The real binary, as a shell or the UI would run it; --version is the cost of starting it at all. */
	struct stats vs, ss, ks;
	char want[64];
	char *version[] = {SPEAN_BENCH_BIN, "--version", NULL};
	char *status[] = {SPEAN_BENCH_BIN, "--data-dir", dir, "requests", "status", NULL};
	char *check[] = {SPEAN_BENCH_BIN, "--data-dir", dir, "check", NULL};
	snprintf(want, sizeof want, "held %zu\n", n);
	if (exec_runs(b, "--version", version, b->cfg.exec_runs, "spean ", &vs) ||
	    exec_runs(b, "requests status", status, b->cfg.exec_runs, want, &ss) ||
	    exec_runs(b, "check", check, 1, "database ok", &ks))
		goto fail;
	report_note("%d runs each of: spean --version; spean --data-dir DIR requests status (page cache warm)",
		    b->cfg.exec_runs);
	report("requests status, median", ss.median, "ms", (struct goal){GOAL_LT, 100}, vs.median,
	       "--version median ms", NULL);
	report("requests status, max", ss.max, "ms", (struct goal){GOAL_LT, 100}, vs.max, "--version max ms", NULL);
	report("spean check (full integrity), once", ks.median, "ms", (struct goal){GOAL_NONE, 0}, vs.median,
	       "--version median ms", NULL);
	report("bench process max RSS at the end", (double)max_rss_kib() / 1024.0, "MiB", (struct goal){GOAL_NONE, 0},
	       (double)b->rss_start_kib / 1024.0, "max RSS at bench start MiB", NULL);
	goto out;
fail:
	b->failed = 1;
out:
	if (fd >= 0)
		close(fd);
	if (st) {
		store_close(st);
		device_close(&dev);
	}
	free(payload);
	free(base);
	free(lat);
	free(path);
	free(dir);
}

/* ---- main ---- */

static const char usage[] =
	"usage: spean-bench [--quick] [--commits N] [--requests N] [--keep]\n"
	"\n"
	"Benchmarks of the screening engine, the durable sealed commit and a store of many\n"
	"requests, each with a baseline measured in the same run. Writes under $TMPDIR (or /tmp),\n"
	"which should be the kiosk's kind of disk (not tmpfs). --quick: a small smoke run.\n"
	"SPEAN_SHARED_DIR: where spec/personas-public.tsv is (default: shared/ beside the repo).\n"
	"Exit: 0 when every figure was measured (goals missed are reported, not failures), 1 on errors.\n";

static int parse_count(const char *s, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || !v || v > 100000000ull)
		return -1;
	*out = (size_t)v;
	return 0;
}

static int parse_args(int argc, char **argv, struct config *cfg)
{
	*cfg = (struct config){0, 0, 1000, 100000, 20, 1.0, 100000};
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			cfg->quick = 1;
			cfg->commits = 100;
			cfg->requests = 2000;
			cfg->exec_runs = 5;
			cfg->screen_sec = 0.2;
		}
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			continue;
		if (!strcmp(argv[i], "--keep")) {
			cfg->keep = 1;
		} else if (!strcmp(argv[i], "--commits") && i + 1 < argc) {
			if (parse_count(argv[++i], &cfg->commits))
				return 2;
		} else if (!strcmp(argv[i], "--requests") && i + 1 < argc) {
			if (parse_count(argv[++i], &cfg->requests))
				return 2;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 1;
		} else {
			return 2;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bench b;
	memset(&b, 0, sizeof b);
	int rc = parse_args(argc, argv, &b.cfg);
	if (rc) {
		if (rc == 2)
			fputs(usage, stderr);
		return rc == 1 ? 0 : 2;
	}
	b.rss_start_kib = max_rss_kib();
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Figures without log output (children inherit this), as the kiosk runs by default. */
	unsetenv("SPEAN_LOG");
	log_set_level(LOG_WARN);
	crypt_init();

	const char *tmp = getenv("TMPDIR");
	char tmpl[4096];
	snprintf(tmpl, sizeof tmpl, "%s/spean-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl)) {
		perror("spean-bench: mkdtemp");
		return 1;
	}
	b.root = xstrdup(tmpl);
	b.out = fs_join(b.root, "exec.out");
	print_header(&b);
	corpus_load(&b.corpus);
	if (make_center_key(&b) || contacts_load(&b) || !b.corpus.n) {
		b.failed = 1;
		goto out;
	}

	/* Screening first, so the process's peak RSS there is the engine's and not SQLite's cache. */
	bench_engine(&b);
	if (!b.failed)
		bench_commit(&b);
	if (!b.failed)
		bench_scale(&b);
	report_summary();
out:
	if (b.failed)
		fprintf(stderr, "spean-bench: stopped on an error; figures above are incomplete\n");
	if (b.cfg.keep)
		fprintf(stderr, "spean-bench: kept %s\n", b.root);
	else
		rmtree(b.root);
	for (size_t i = 0; i < b.ncontacts; i++)
		contact_finish(&b.contacts[i]);
	rules_destroy(b.rules);
	free(b.corpus.p);
	free(b.keyfile);
	free(b.out);
	free(b.root);
	return b.failed ? 1 : 0;
}

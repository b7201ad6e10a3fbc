/*
 * spean-consolebench: the office console's benchmark helpers (tests/bench/console.sh).
 *   fill CENTERDIR N     deliver N requests to an initialised center through its service, as a kiosk
 *                        does (signed, sealed to the center's key, opened and checked before they
 *                        are stored): varied names, phones, communes, languages, one in ten KHẨN with
 *                        a deadline. Prints "sample<TAB>N<TAB>ID<TAB>NAME<TAB>PHONE" for the request in the
 *                        middle.
 *   time PORT USER PASSWORD N SAMPLE...
 *                        log in to the console on 127.0.0.1:PORT over plain HTTP, then time each page N
 *                        times (a new connection each, as a browser's first request): the median and
 *                        the slowest of each, and the same for a baseline the server answers without
 *                        work (/favicon.ico, 204) measured in the same run.
 * The HTTP client is a few lines over a socket: only the kiosk's transport links libcurl.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "center.h"
#include "clock.h"
#include "cstore.h"
#include "kv.h"
#include "protocol.h"
#include "record.h"
#include "service.h"

static double now_ms(void)
{
	return (double)clock_mono_ns() / 1e6;
}

static const char *const family[] = {"Nguyễn", "Trần", "Lê", "Thạch", "Sơn", "Kim", "Danh", "Lâm", "Huỳnh", "Phạm"};
static const char *const middle[] = {"Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hoàng", "Kim", "Xuân"};
static const char *const given[] = {"An",  "Bình", "Cúc", "Dũng", "Đào",  "Hoa", "Khánh", "Lan", "Mẫu",
				    "Nam", "Oanh", "Phúc", "Quý", "Sang", "Tâm", "Út",   "Vy",  "Xuyến"};
static const char *const khmer[] = {"សុខ ស្រីពៅ", "ចាន់ ធីតា", "សំ ណាង", "កែវ សុភា"};
static const char *const communes[] = {"90032", "29242", "90001", "90005", "90010"};

static unsigned long long rng = 88172645463325252ull;
static unsigned long long next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}
#define PICK(a) a[next() % (sizeof a / sizeof a[0])]

static int fill(const char *dir, long n)
{
	struct diag d = {""};
	unsigned char pk[CRYPT_SIGN_PK], sk[CRYPT_SIGN_SK];
	crypt_init();
	crypt_sign_keypair(pk, sk);
	struct cstore *cs;
	int already;
	if (cstore_open(dir, &cs, &d) || cstore_enroll(cs, pk, "UBND xã Long Đức (bench)", &already, &d)) {
		fprintf(stderr, "consolebench: %s\n", d.msg);
		return 1;
	}
	cstore_close(cs);
	struct center_service *s;
	struct center_keys k;
	if (center_service_open(dir, &s, &d) || center_load(dir, &k, &d)) {
		fprintf(stderr, "consolebench: %s\n", d.msg);
		return 1;
	}
	enum { CHUNK = 500, SEALED = 2048 + CRYPT_SEAL_OVERHEAD };
	unsigned char(*sealed)[SEALED] = malloc((size_t)CHUNK * SEALED);
	struct sync_record *r = calloc(CHUNK, sizeof *r);
	struct buf plain, box, req, rep;
	buf_init(&plain);
	buf_init(&box);
	buf_init(&req);
	buf_init(&rep);
	unsigned char epoch[SYNC_EPOCH_LEN] = {0};
	long done = 0;
	double t0 = now_ms();
	while (done < n) {
		long m = n - done < CHUNK ? n - done : CHUNK;
		sync_offer_begin(&req, pk, epoch);
		for (long i = 0; i < m; i++) {
			long k1 = done + i + 1;
			int urgent = k1 % 10 == 0, km = k1 % 7 == 0;
			crypt_random(r[i].id, RECORD_ID_LEN);
			char hex[2 * RECORD_ID_LEN + 1], name[160], phone[32];
			hex_encode(r[i].id, RECORD_ID_LEN, hex);
			if (km)
				snprintf(name, sizeof name, "%s %ld", PICK(khmer), k1);
			else
				snprintf(name, sizeof name, "%s %s %s %ld", PICK(family), PICK(middle), PICK(given), k1);
			snprintf(phone, sizeof phone, "09%02llu %03llu %03llu", next() % 100, next() % 1000, next() % 1000);
			plain.len = 0;
			buf_printf(&plain,
				   "format = spean-request-1\nid = %s\nlang = %s\nfacts.request_date = 2026-11-%02ld\n"
				   "facts.birth_date = 19%02llu-0%llu-1%llu\nfacts.household = poor\n%s"
				   "outcome = likely_eligible\ngroups = R02\nreview_groups = \nurgent = %s\nrules = bench-1\n"
				   "contact.name = %s\ncontact.phone = %s\ncontact.commune_code = %s\n"
				   "contact.matter = Tranh chấp đất đai với hàng xóm về ranh giới thửa đất số %ld\n"
				   "contact.consent = yes\ncontact.consent_text = kiosk-vi-1\n",
				   hex, km ? "km" : "vi", 1 + k1 % 28, next() % 90 + 10, next() % 9 + 1, next() % 9,
				   urgent ? "facts.deadline_working_days = 3\n" : "", urgent ? "yes" : "no", name, phone,
				   PICK(communes), k1);
			box.len = 0;
			crypt_seal(plain.data, plain.len, k.pk, &box);
			if (box.len > SEALED) {
				fprintf(stderr, "consolebench: a record seals to %zu bytes\n", box.len);
				return 1;
			}
			memcpy(sealed[i], box.data, box.len);
			r[i].seq = (uint64_t)k1;
			r[i].sealed = sealed[i];
			r[i].sealed_len = box.len;
			r[i].urgent = urgent;
			crypt_hash(r[i].hash, sealed[i], box.len);
			unsigned char sb[RECORD_SIGNED_LEN];
			record_signed_bytes(sb, pk, r[i].id, r[i].seq, urgent, r[i].hash);
			crypt_sign(r[i].sig, sb, sizeof sb, sk);
			sync_offer_add(&req, &r[i]);
			if (k1 == n / 2 + 1)
				printf("sample\t%ld\t%s\t%s\t%s\n", k1, hex, name, phone);
		}
		sync_offer_end(&req, sk);
		rep.len = 0;
		if (center_service_handle(s, req.data, req.len, &rep, &d)) {
			fprintf(stderr, "consolebench: %s\n", d.msg);
			return 1;
		}
		done += m;
	}
	fprintf(stderr, "consolebench: %ld requests delivered in %.1f s\n", n, (now_ms() - t0) / 1000);
	center_keys_wipe(&k);
	center_service_close(s);
	buf_finish(&plain);
	buf_finish(&box);
	buf_finish(&req);
	buf_finish(&rep);
	free(sealed);
	free(r);
	return 0;
}

/* One HTTP exchange over a new connection: the whole answer in out; 0, or -1. */
static int http(int port, const char *method, const char *path, const char *cookie, const char *body, struct buf *out)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa)) {
		perror("consolebench: connect");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	struct buf q;
	buf_init(&q);
	buf_printf(&q, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n", method, path);
	if (cookie && *cookie)
		buf_printf(&q, "Cookie: %s\r\n", cookie);
	if (body)
		buf_printf(&q, "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n", strlen(body));
	buf_puts(&q, "\r\n");
	if (body)
		buf_puts(&q, body);
	int rc = write(fd, q.data, q.len) == (ssize_t)q.len ? 0 : -1;
	buf_finish(&q);
	out->len = 0;
	char b[65536];
	ssize_t k;
	while (!rc && (k = read(fd, b, sizeof b)) > 0)
		buf_append(out, b, (size_t)k);
	buf_append(out, "", 0);
	close(fd);
	return rc;
}

/* The value of cookie name in a response's Set-Cookie, into v. */
static int set_cookie(const char *resp, const char *name, char *v, size_t n)
{
	char key[64];
	snprintf(key, sizeof key, "Set-Cookie: %s=", name);
	const char *p = strstr(resp, key);
	if (!p)
		return -1;
	p += strlen(key);
	size_t len = strcspn(p, ";\r\n");
	if (len >= n)
		return -1;
	memcpy(v, p, len);
	v[len] = '\0';
	return 0;
}

static int status_of(const struct buf *r)
{
	int st = 0;
	return sscanf(r->data, "HTTP/1.1 %d", &st) == 1 ? st : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Time GET path n times: its median and worst (ms), and the status and size of the last answer. */
static int time_get(int port, const char *cookie, const char *path, int n, double *median, double *worst, size_t *bytes)
{
	double *t = calloc((size_t)n, sizeof *t);
	struct buf r;
	buf_init(&r);
	int st = 0;
	for (int i = 0; i < n; i++) {
		double t0 = now_ms();
		if (http(port, "GET", path, cookie, NULL, &r))
			return -1;
		t[i] = now_ms() - t0;
		st = status_of(&r);
	}
	qsort(t, (size_t)n, sizeof *t, cmp_double);
	*median = t[n / 2];
	*worst = t[n - 1];
	*bytes = r.len;
	buf_finish_wipe(&r);
	free(t);
	return st;
}

static void url_put(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')
			buf_putc(b, (char)c);
		else
			buf_printf(b, "%%%02X", c);
	}
}

static int timing(int port, const char *user, const char *pw, int n, long sample_n, const char *id, const char *name,
		  const char *phone)
{
	struct buf r, body;
	buf_init(&r);
	buf_init(&body);
	char lck[80], sess[80], cookie[200];
	if (http(port, "GET", "/login", NULL, NULL, &r) || set_cookie(r.data, "spean_l", lck, sizeof lck)) {
		fprintf(stderr, "consolebench: no login page\n");
		return 1;
	}
	buf_printf(&body, "csrf=%s&user=", lck);
	url_put(&body, user);
	buf_puts(&body, "&password=");
	url_put(&body, pw);
	snprintf(cookie, sizeof cookie, "spean_l=%s", lck);
	double t0 = now_ms();
	if (http(port, "POST", "/login", cookie, body.data, &r) || set_cookie(r.data, "spean_s", sess, sizeof sess)) {
		fprintf(stderr, "consolebench: login refused: %.200s\n", r.data);
		return 1;
	}
	double t_login = now_ms() - t0;
	snprintf(cookie, sizeof cookie, "spean_s=%s", sess);
	/* The receipt code as a resident reads it out, a name's middle without accents, a phone's last digits. */
	char code[10], q_code[64], q_name[256], q_phone[64], q_filter[128], q_req[48], q_pdf[48];
	snprintf(code, sizeof code, "%.4s-%.4s", id, id + 4);
	for (char *p = code; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	snprintf(q_code, sizeof q_code, "/?q=%s", code);
	struct buf qn;
	buf_init(&qn);
	buf_puts(&qn, "/?q=");
	url_put(&qn, name);
	snprintf(q_name, sizeof q_name, "%s", qn.data);
	buf_finish(&qn);
	char digits[32];
	size_t k = 0;
	for (const char *p = phone; *p && k < sizeof digits - 1; p++)
		if (*p >= '0' && *p <= '9')
			digits[k++] = *p;
	digits[k] = '\0';
	snprintf(q_phone, sizeof q_phone, "/?q=%s", digits);
	snprintf(q_filter, sizeof q_filter, "/?urgent=1&commune=90032&lang=vi");
	snprintf(q_req, sizeof q_req, "/r/%ld", sample_n);
	snprintf(q_pdf, sizeof q_pdf, "/r/%ld/form.pdf", sample_n);
	struct {
		const char *what, *path;
		double goal;
	} pages[] = {
		{"baseline: /favicon.ico (no work)", "/favicon.ico", 0},
		{"inbox, first page", "/", 50},
		{"filter: KHẨN, one commune, Vietnamese", q_filter, 50},
		{"search by receipt code", q_code, 10},
		{"search by name (full, with accents)", q_name, 1000},
		{"search by phone", q_phone, 1000},
		{"request page", q_req, 0},
		{"Mẫu 02 PDF", q_pdf, 200},
	};
	double base = 0;
	printf("login (Argon2id check): %.1f ms\n", t_login);
	for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
		double med, worst;
		size_t bytes;
		int st = time_get(port, cookie, pages[i].path, n, &med, &worst, &bytes);
		if (st != 200 && st != 204) {
			fprintf(stderr, "consolebench: %s answered %d\n", pages[i].path, st);
			return 1;
		}
		if (!i)
			base = med;
		printf("page\t%s\t%.2f\t%.2f\t%.0f\t%.1f\t%zu\n", pages[i].what, med, worst, pages[i].goal,
		       base > 0 ? med / base : 0, bytes);
	}
	buf_finish(&r);
	buf_finish(&body);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "fill"))
		return fill(argv[2], atol(argv[3]));
	if (argc == 10 && !strcmp(argv[1], "time"))
		return timing(atoi(argv[2]), argv[3], argv[4], atoi(argv[5]), atol(argv[6]), argv[7], argv[8], argv[9]);
	fprintf(stderr, "usage: spean-consolebench fill CENTERDIR N | time PORT USER PASSWORD N SAMPLE_N SAMPLE_ID NAME PHONE\n");
	return 2;
}

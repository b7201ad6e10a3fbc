/*
 * Tests for center/tls: the certificate is what openssl says it is, the pin
 * matches openssl's own computation, and curl completes a real pinned TLS
 * handshake with libmicrohttpd serving the pair (and refuses a wrong pin).
 */
#include "tls.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "err.h"
#include "fs.h"
#include "log.h"
#include "mem.h"
#include "testlib.h"

#define BODY "spean-tls-ok"

/* Run a shell pipeline; stdout into *out (caller frees), exit status returned. */
static int sh(const char *cmd, char **out)
{
	char *argv[] = {"sh", "-c", (char *)cmd, NULL};
	char *o = NULL, *e = NULL;
	int st = t_run(argv, &o, &e);
	if (st && e && *e)
		fprintf(stderr, "(%s) exited %d: %s\n", cmd, st, e);
	free(e);
	if (out)
		*out = o;
	else
		free(o);
	return st;
}

static char *path_in(const char *dir, const char *name)
{
	return fs_join(dir, name);
}

static unsigned file_mode(const char *path)
{
	struct stat st;
	if (stat(path, &st))
		return 0;
	return (unsigned)(st.st_mode & 07777);
}

static void chomp(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* "notBefore=Mar  5 12:00:00 2024 GMT" -> time_t (UTC), or -1. */
static time_t openssl_date(const char *text, const char *field)
{
	const char *p = strstr(text, field);
	if (!p)
		return -1;
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (!strptime(p + strlen(field), "%b %d %H:%M:%S %Y GMT", &tm))
		return -1;
	return timegm(&tm);
}

static time_t years_after(time_t t, int years)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	tm.tm_year += years;
	return timegm(&tm);
}

static int is_b64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* What an independent tool says the pin is (the recipe in curl's documentation). */
static char *openssl_pin(const char *cert)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "set -e; openssl x509 -in '%s' -pubkey -noout | openssl pkey -pubin -outform der |"
		 " openssl dgst -sha256 -binary | base64",
		 cert);
	char *out = NULL;
	int st = sh(cmd, &out);
	CHECK_INT(st, 0);
	chomp(out);
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "sha256//%s", out);
	free(out);
	return b.data;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	(void)cls, (void)url, (void)method, (void)version, (void)upload, (void)upload_size, (void)con_cls;
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(BODY), (void *)BODY, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* curl ARGS against the server; stdout into *out; curl's exit status. */
static int curl(unsigned port, const char *args, char **out)
{
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "curl -s --max-time 20 %s https://127.0.0.1:%u/", args, port);
	return sh(cmd, out);
}

static void test_handshake(const char *dir, const char *pin, const char *other_dir, const char *other_pin)
{
	CHECK(MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_YES);
	struct buf cert, key;
	struct diag d = {{0}};
	CHECK_INT(center_tls_load(dir, &cert, &key, &d), 0);
	CHECK(strstr(cert.data, "-----BEGIN CERTIFICATE-----") != NULL);
	CHECK(strstr(key.data, "-----BEGIN PRIVATE KEY-----") != NULL);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	struct MHD_Daemon *dm = MHD_start_daemon(MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0,
						 NULL, NULL, answer, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
						 MHD_OPTION_HTTPS_MEM_KEY, key.data, MHD_OPTION_HTTPS_MEM_CERT, cert.data,
						 MHD_OPTION_END);
	CHECK(dm != NULL);
	if (!dm) {
		buf_finish_wipe(&cert);
		buf_finish_wipe(&key);
		return;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(dm, MHD_DAEMON_INFO_BIND_PORT);
	unsigned port = info ? info->port : 0;
	CHECK(port != 0);

	char args[1024], *out = NULL;
	/* The kiosk's way: no CA, only the pin. */
	snprintf(args, sizeof args, "-k --pinnedpubkey '%s'", pin);
	CHECK_INT(curl(port, args, &out), 0);
	CHECK_STR(out, BODY);
	free(out);
	/* Another real certificate's pin: curl's "SSL public key does not match pinned public key". */
	snprintf(args, sizeof args, "-k --pinnedpubkey '%s'", other_pin);
	CHECK_INT(curl(port, args, &out), 90);
	CHECK_STR(out, "");
	free(out);
	/* A pin of the right shape that matches nothing. */
	CHECK_INT(curl(port, "-k --pinnedpubkey 'sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='", NULL), 90);

	/* Full verification with the certificate as its own anchor: the signature and both SAN entries hold. */
	char *crt = path_in(dir, CENTER_TLS_CERT), *other_crt = path_in(other_dir, CENTER_TLS_CERT);
	snprintf(args, sizeof args, "--cacert '%s'", crt);
	CHECK_INT(curl(port, args, &out), 0);
	CHECK_STR(out, BODY);
	free(out);
	char cmd[2048];
	snprintf(cmd, sizeof cmd,
		 "curl -s --max-time 20 --cacert '%s' --resolve spean-center:%u:127.0.0.1 https://spean-center:%u/", crt,
		 port, port);
	CHECK_INT(sh(cmd, &out), 0);
	CHECK_STR(out, BODY);
	free(out);
	/* A name not in the SAN, and a different anchor, are refused (60: peer certificate cannot be authenticated). */
	snprintf(cmd, sizeof cmd,
		 "curl -s --max-time 20 --cacert '%s' --resolve other-name:%u:127.0.0.1 https://other-name:%u/", crt,
		 port, port);
	CHECK_INT(sh(cmd, NULL), 60);
	snprintf(args, sizeof args, "--cacert '%s'", other_crt);
	CHECK_INT(curl(port, args, NULL), 60);
	free(crt);
	free(other_crt);

	MHD_stop_daemon(dm);
	buf_finish_wipe(&cert);
	buf_finish_wipe(&key);
}

/* What openssl reads in the certificate: algorithm, names, extensions, dates, serial, self-signature. */
static void test_certificate(const char *dir, time_t t0, time_t t1)
{
	char *crt = path_in(dir, CENTER_TLS_CERT), *key = path_in(dir, CENTER_TLS_KEY);
	char cmd[2048], *out = NULL;
	snprintf(cmd, sizeof cmd, "openssl x509 -in '%s' -noout -text", crt);
	CHECK_INT(sh(cmd, &out), 0);
	CHECK(strstr(out, "Version: 3 (0x2)") != NULL);
	CHECK(strstr(out, "Public Key Algorithm: id-ecPublicKey") != NULL);
	CHECK(strstr(out, "ASN1 OID: prime256v1") != NULL);
	CHECK(strstr(out, "Signature Algorithm: ecdsa-with-SHA256") != NULL);
	CHECK(strstr(out, "Issuer: CN = spean-center") != NULL);
	CHECK(strstr(out, "Subject: CN = spean-center") != NULL);
	CHECK(strstr(out, "DNS:spean-center, IP Address:127.0.0.1") != NULL);
	CHECK(strstr(out, "CA:FALSE") != NULL);
	CHECK(strstr(out, "TLS Web Server Authentication") != NULL);
	free(out);

	snprintf(cmd, sizeof cmd, "openssl x509 -in '%s' -noout -startdate -enddate", crt);
	CHECK_INT(sh(cmd, &out), 0);
	time_t nb = openssl_date(out, "notBefore="), na = openssl_date(out, "notAfter=");
	/* One day back, twenty calendar years ahead, of a moment between t0 and t1. */
	CHECK(nb >= t0 - 24 * 3600 - 1 && nb <= t1 - 24 * 3600 + 1);
	CHECK(na >= years_after(t0, 20) - 1 && na <= years_after(t1, 20) + 1);
	free(out);

	/* Positive 128-bit serial: 32 hex digits, top bit clear. */
	snprintf(cmd, sizeof cmd, "openssl x509 -in '%s' -noout -serial", crt);
	CHECK_INT(sh(cmd, &out), 0);
	chomp(out);
	CHECK(strncmp(out, "serial=", 7) == 0 && strlen(out) == 7 + 32);
	CHECK(out[7] >= '4' && out[7] <= '7');
	free(out);

	/* The self-signature verifies (-check_ss_sig: openssl skips it for anchors otherwise). */
	snprintf(cmd, sizeof cmd, "openssl verify -check_ss_sig -purpose sslserver -CAfile '%s' '%s'", crt, crt);
	CHECK_INT(sh(cmd, &out), 0);
	free(out);

	/* The key file holds the certificate's key, as openssl sees it. */
	char *a = NULL, *b = NULL;
	snprintf(cmd, sizeof cmd, "openssl x509 -in '%s' -pubkey -noout", crt);
	CHECK_INT(sh(cmd, &a), 0);
	snprintf(cmd, sizeof cmd, "openssl pkey -in '%s' -pubout", key);
	CHECK_INT(sh(cmd, &b), 0);
	CHECK(a && b && strstr(a, "BEGIN PUBLIC KEY") && !strcmp(a, b));
	free(a);
	free(b);
	free(crt);
	free(key);
}

static int saved_stderr = -1;

/* Send stderr (where log_* writes) to path, appending, at debug level; CHECKs must wait for capture_end. */
static void capture_begin(const char *path)
{
	fflush(stderr);
	saved_stderr = dup(2);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (saved_stderr < 0 || fd < 0) {
		perror(path);
		exit(2);
	}
	dup2(fd, 2);
	close(fd);
	log_set_level(LOG_DEBUG);
}

static void capture_end(void)
{
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	log_set_level(LOG_WARN);
}

/* Make, files, modes, refusal to replace; returns the key file's text. */
static char *test_make(const char *dir, const char *log_path, time_t *t0, time_t *t1)
{
	struct diag d = {{0}};
	char *crt = path_in(dir, CENTER_TLS_CERT), *key = path_in(dir, CENTER_TLS_KEY);
	/* A leftover file at the old temp name (loose mode) is neither reused nor followed: the key is born fresh. */
	char *key_tmp = path_in(dir, CENTER_TLS_KEY ".tmp");
	t_write(key_tmp, "stale");
	chmod(key_tmp, 0644);

	*t0 = time(NULL);
	capture_begin(log_path);
	int rc = center_tls_make(dir, &d);
	capture_end();
	*t1 = time(NULL);
	CHECK_INT(rc, 0);
	CHECK_INT(file_mode(key), 0600);
	CHECK_INT(file_mode(crt), 0644);
	size_t tn = 0;
	char *stale = t_read(key_tmp, &tn);
	CHECK(stale && tn == 5 && !memcmp(stale, "stale", 5));
	free(stale);
	size_t cn = 0, kn = 0;
	char *ctext = t_read(crt, &cn), *ktext = t_read(key, &kn);
	CHECK(ctext && strncmp(ctext, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
	CHECK(ctext && strstr(ctext, "PRIVATE") == NULL);
	CHECK(ktext && strncmp(ktext, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);

	/* A second make refuses, names the file, and leaves both files as they were. */
	memset(&d, 0, sizeof d);
	CHECK_INT(center_tls_make(dir, &d), ERR_EXISTS);
	CHECK(strstr(d.msg, CENTER_TLS_CERT) != NULL);
	size_t cn2 = 0, kn2 = 0;
	char *ctext2 = t_read(crt, &cn2), *ktext2 = t_read(key, &kn2);
	CHECK(ctext2 && cn2 == cn && !memcmp(ctext, ctext2, cn));
	CHECK(ktext2 && kn2 == kn && !memcmp(ktext, ktext2, kn));
	free(ctext);
	free(ctext2);
	free(ktext2);
	free(key_tmp);
	free(crt);
	free(key);
	return ktext;
}

static void test_pin(const char *dir, char *pin)
{
	struct diag d = {{0}};
	CHECK_INT(center_tls_pin(dir, pin, CENTER_TLS_PIN_MAX, &d), 0);
	CHECK(strncmp(pin, "sha256//", 8) == 0);
	CHECK_INT(strlen(pin), 8 + 44);
	int ok = 1;
	for (size_t i = 8; i < 8 + 43; i++)
		ok &= is_b64(pin[i]);
	CHECK(ok && pin[51] == '=');
	char *crt = path_in(dir, CENTER_TLS_CERT);
	char *want = openssl_pin(crt);
	CHECK_STR(pin, want);
	free(want);
	free(crt);
	/* Stable: asking again gives the same pin. */
	char again[CENTER_TLS_PIN_MAX];
	CHECK_INT(center_tls_pin(dir, again, sizeof again, &d), 0);
	CHECK_STR(again, pin);
	/* Too small a buffer is refused, not truncated. */
	char small[60];
	CHECK_INT(center_tls_pin(dir, small, sizeof small, &d), ERR_INVAL);
	CHECK_STR(small, "");
}

static void test_errors(const char *base, const char *dir1, const char *dir2)
{
	struct diag d = {{0}};
	char pin[CENTER_TLS_PIN_MAX];
	struct buf cert, key;

	/* Nothing there. */
	char *empty = path_in(base, "empty");
	CHECK_INT(fs_mkdir_p(empty, 0700, &d), 0);
	CHECK_INT(center_tls_pin(empty, pin, sizeof pin, &d), ERR_NOTFOUND);
	CHECK(strstr(d.msg, CENTER_TLS_CERT) != NULL);
	CHECK_INT(center_tls_load(empty, &cert, &key, &d), ERR_NOTFOUND);
	CHECK(strstr(d.msg, CENTER_TLS_CERT) != NULL);
	CHECK_INT(cert.len + key.len, 0);
	buf_finish_wipe(&cert);
	buf_finish_wipe(&key);

	/* A certificate but no key. */
	char *c1 = path_in(dir1, CENTER_TLS_CERT), *k2 = path_in(dir2, CENTER_TLS_KEY);
	char *text = t_read(c1, NULL), *ktext = t_read(k2, NULL);
	char *ec = path_in(empty, CENTER_TLS_CERT), *ek = path_in(empty, CENTER_TLS_KEY);
	t_write(ec, text);
	CHECK_INT(center_tls_load(empty, &cert, &key, &d), ERR_NOTFOUND);
	CHECK(strstr(d.msg, CENTER_TLS_KEY) != NULL);
	buf_finish_wipe(&cert);
	buf_finish_wipe(&key);

	/* dir1's certificate with dir2's key: a pair that cannot serve. */
	t_write(ek, ktext);
	memset(&d, 0, sizeof d);
	CHECK_INT(center_tls_load(empty, &cert, &key, &d), ERR_STATE);
	CHECK(strstr(d.msg, CENTER_TLS_KEY) != NULL && strstr(d.msg, CENTER_TLS_CERT) != NULL);
	CHECK(strstr(d.msg, "PRIVATE") == NULL);
	CHECK_INT(cert.len + key.len, 0);
	buf_finish_wipe(&cert);
	buf_finish_wipe(&key);

	/* Garbage in either file is a parse error naming that file. */
	t_write(ek, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
	memset(&d, 0, sizeof d);
	CHECK_INT(center_tls_load(empty, &cert, &key, &d), ERR_PARSE);
	CHECK(strstr(d.msg, CENTER_TLS_KEY) != NULL);
	buf_finish_wipe(&cert);
	buf_finish_wipe(&key);
	t_write(ec, "not a certificate\n");
	memset(&d, 0, sizeof d);
	CHECK_INT(center_tls_pin(empty, pin, sizeof pin, &d), ERR_PARSE);
	CHECK(strstr(d.msg, CENTER_TLS_CERT) != NULL);
	CHECK_INT(center_tls_load(empty, &cert, &key, &d), ERR_PARSE);
	CHECK(strstr(d.msg, CENTER_TLS_CERT) != NULL);
	buf_finish_wipe(&cert);
	buf_finish_wipe(&key);
	/* Even a broken certificate is not replaced: an operator decides. */
	CHECK_INT(center_tls_make(empty, &d), ERR_EXISTS);

	free(text);
	free(ktext);
	free(c1);
	free(k2);
	free(ec);
	free(ek);
	free(empty);
}

/* The key's base64 body lines (PEM minus armour). */
static int log_has_key(const char *log, const char *key_pem)
{
	char *copy = xstrdup(key_pem);
	int found = 0;
	for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "-----", 5) && strlen(line) >= 16 && strstr(log, line))
			found = 1;
	free(copy);
	return found;
}

int main(void)
{
	umask(022);
	char *base = t_tmpdir("tls");
	char *dir1 = path_in(base, "one"), *dir2 = path_in(base, "two");
	struct diag d = {{0}};
	CHECK_INT(fs_mkdir_p(dir1, 0700, &d), 0);

	/* Everything this module logs while making goes to a file we search for key material. */
	char *log_path = path_in(base, "log");
	time_t t0, t1;
	char *key_text = test_make(dir1, log_path, &t0, &t1);
	capture_begin(log_path);
	int rc = center_tls_make(dir2, &d); /* dir2 is created */
	capture_end();
	CHECK_INT(rc, 0);
	char *log = t_read(log_path, NULL);
	/* The capture worked (so the next check can fail), and it holds no key. */
	CHECK(log && strstr(log, "tls_cert_made") != NULL);
	CHECK(log && key_text && !log_has_key(log, key_text));
	free(log);

	test_certificate(dir1, t0, t1);

	char pin1[CENTER_TLS_PIN_MAX], pin2[CENTER_TLS_PIN_MAX];
	test_pin(dir1, pin1);
	test_pin(dir2, pin2);
	CHECK(strcmp(pin1, pin2) != 0); /* a fresh key each time */

	test_handshake(dir1, pin1, dir2, pin2);
	test_errors(base, dir1, dir2);

	free(key_text);
	free(log_path);
	free(dir1);
	free(dir2);
	t_rmtree(base);
	free(base);
	return t_done("center_tls_test");
}

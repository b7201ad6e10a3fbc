/*
 * The center's reports (export, forms, stats) on a real center.db holding
 * requests that do not open, built here with real libsodium: sealed to
 * another center, garbage once opened, not a record, inner id or urgent
 * flag other than the signed one, bytes that do not match their hash. Each
 * report skips them, names each by id and reason on stderr (no personal
 * data), writes everything else and exits 3. A request full of control and
 * direction-override characters comes out neutralised in every output, and
 * the CSV reads back with python's csv module whatever the separator. The
 * import prints a stick file's name neutralised.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "center.h"
#include "cstore.h"
#include "crypt.h"
#include "fs.h"
#include "kv.h"
#include "record.h"
#include "testlib.h"
#include "utf8.h"

struct rec {
	unsigned char id[RECORD_ID_LEN], hash[CRYPT_HASH], sig[CRYPT_SIG];
	struct buf sealed;
	int urgent;
	const char *why; /* NULL: a good request; else what stderr must say */
	char hex[2 * RECORD_ID_LEN + 1];
};

static const char SECRET[] = "Nguyễn Bí Mật";

/* The plaintext a kiosk seals, with this id (hex) and urgent flag, and extra lines. */
static void plain(struct buf *b, const char *idhex, int urgent, const char *name, const char *extra)
{
	buf_printf(b,
		   "format = spean-request-1\nid = %s\nlang = vi\nfacts.request_date = 2026-05-01\noutcome = likely_eligible\n"
		   "groups = R02\nreview_groups = \nurgent = %s\nrules = vn-tgpl-2026.1\n%scontact.name = %s\n"
		   "contact.commune_code = 90001\ncontact.consent = yes\ncontact.consent_text = kiosk-vi-1\n",
		   idhex, urgent ? "yes" : "no", extra, name);
}

static void sign(struct rec *r, uint64_t seq, const unsigned char pk[CRYPT_SIGN_PK], const unsigned char sk[CRYPT_SIGN_SK])
{
	unsigned char sb[RECORD_SIGNED_LEN];
	record_signed_bytes(sb, pk, r->id, seq, r->urgent, r->hash);
	crypt_sign(r->sig, sb, sizeof sb, sk);
}

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* 1 if no line of s holds an unsafe character (utf8_unsafe) but LF. */
static int text_safe(const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		unsigned long cp;
		size_t len = utf8_next(s + i, n - i, &cp);
		if (!len || (utf8_unsafe(cp) && cp != '\n'))
			return 0;
		i += len;
	}
	return 1;
}

static const char PY_CHECK[] =
	"import csv, sys\n"
	"data = open(sys.argv[1], encoding='utf-8-sig', newline='').read()\n"
	"want = int(sys.argv[2])\n"
	"def formula(cell):\n"
	"    c = cell.lstrip(' \\t\\r\\n\\u00a0\\u2000\\u200b\\u3000\\ufeff')\n"
	"    return c[:1] in ('=', '+', '-', '@', '\\uff1d', '\\uff0b', '\\uff0d', '\\uff20')\n"
	"for sep, cols in ((',', 27), (';', 1), ('\\t', 1)):\n"
	"    for strict in ((True, False) if sep == ',' else (False,)):\n"
	"        rows = list(csv.reader(data.splitlines(True), delimiter=sep, strict=strict))\n"
	"        assert len(rows) == want, (sep, len(rows))\n"
	"        assert all(len(r) == cols for r in rows), (sep, [len(r) for r in rows])\n"
	"        bad = [c for r in rows for c in r if formula(c)]\n"
	"        assert not bad, (sep, bad)\n"
	"print('csv ok')\n";

int main(void)
{
	char *root = t_tmpdir("reports");
	char *dir = fs_join(root, "center"), *csv = fs_join(root, "all.csv"), *forms = fs_join(root, "forms");
	char *py = fs_join(root, "check.py");
	struct center_keys k, other;
	struct diag d = {""};
	CHECK_INT(center_init(dir, &k, &d), 0);
	char *odir = fs_join(root, "other");
	CHECK_INT(center_init(odir, &other, &d), 0);
	unsigned char dpk[CRYPT_SIGN_PK], dsk[CRYPT_SIGN_SK];
	crypt_sign_keypair(dpk, dsk);

	enum { NREC = 9 };
	struct rec r[NREC];
	memset(r, 0, sizeof r);
	for (int i = 0; i < NREC; i++) {
		crypt_random(r[i].id, RECORD_ID_LEN);
		hex_encode(r[i].id, RECORD_ID_LEN, r[i].hex);
		buf_init(&r[i].sealed);
	}
	struct buf p;
	buf_init(&p);
	/* 0, 1: good. 2: good but hostile text everywhere the record format lets through (TAB, DEL, C1, bidi). */
	plain(&p, r[0].hex, 0, "Lâm Thị Bé", "");
	crypt_seal(p.data, p.len, k.pk, &r[0].sealed);
	p.len = 0;
	r[1].urgent = 1;
	plain(&p, r[1].hex, 1, "Sơn Thị Ngọc", "");
	crypt_seal(p.data, p.len, k.pk, &r[1].sealed);
	p.len = 0;
	plain(&p, r[2].hex, 0, "A\xE2\x80\xAE" "fdp.exe\tB\x7f\xC2\x9B" "31m;=cmd|' /C calc'!A0",
	      "contact.matter = \t=1+1;@SUM(A1)\xE2\x81\xA6x\xE2\x81\xA9\n");
	crypt_seal(p.data, p.len, k.pk, &r[2].sealed);
	p.len = 0;
	/* 3: sealed to another center (a kiosk re-provisioned, or a stolen kiosk key). */
	plain(&p, r[3].hex, 0, SECRET, "");
	crypt_seal(p.data, p.len, other.pk, &r[3].sealed);
	r[3].why = "does not open with this center's key";
	p.len = 0;
	/* 4: opens, but is random bytes. */
	unsigned char junk[300];
	crypt_random(junk, sizeof junk);
	crypt_seal(junk, sizeof junk, k.pk, &r[4].sealed);
	r[4].why = "it opens but is not a request record";
	/* 5: opens, text, but not a record: a bad fact value that is personal data (never printed). */
	plain(&p, r[5].hex, 0, SECRET, "facts.household = Nguyễn Bí Mật\n");
	crypt_seal(p.data, p.len, k.pk, &r[5].sealed);
	r[5].why = "it opens but is not a request record (line 10)";
	p.len = 0;
	/* 6: a good record of another id inside this one's signature. */
	plain(&p, r[0].hex, 0, SECRET, "");
	crypt_seal(p.data, p.len, k.pk, &r[6].sealed);
	r[6].why = "its inner id differs from the id the kiosk signed";
	p.len = 0;
	/* 7: urgent inside, not urgent where the kiosk signed (it would jump the queue). */
	plain(&p, r[7].hex, 1, SECRET, "");
	crypt_seal(p.data, p.len, k.pk, &r[7].sealed);
	r[7].why = "its inner urgent flag differs from the one the kiosk signed";
	p.len = 0;
	/* 8: bytes that are not the ones the hash was made of. */
	plain(&p, r[8].hex, 0, SECRET, "");
	crypt_seal(p.data, p.len, k.pk, &r[8].sealed);
	r[8].why = "do not match their signed hash";
	p.len = 0;
	buf_finish_wipe(&p);

	struct cstore_in in[NREC];
	for (int i = 0; i < NREC; i++) {
		crypt_hash(r[i].hash, r[i].sealed.data, r[i].sealed.len);
		if (i == 8)
			r[i].hash[0] ^= 1;
		sign(&r[i], (uint64_t)i + 1, dpk, dsk);
		in[i] = (struct cstore_in){r[i].id, r[i].hash, r[i].sig, (const unsigned char *)r[i].sealed.data,
					   r[i].sealed.len, (uint64_t)i + 1, r[i].urgent, 0, 0};
	}
	/* Straight into the database, as an older center (or one before the receipt checks) kept them. */
	struct cstore *cs = NULL;
	size_t added = 0;
	int already = 0;
	CHECK_INT(cstore_open(dir, &cs, &d), 0);
	CHECK_INT(cstore_enroll(cs, dpk, "k1", &already, &d), 0);
	CHECK_INT(cstore_receive(cs, dpk, in, NREC, &added, &d), 0);
	CHECK_INT(added, NREC);
	/* An alert whose words came from outside (a label, a message): `alerts` prints it neutralised. */
	CHECK_INT(cstore_alert(cs, "bad\x1b[2J", dpk, r[3].id, "detail \xE2\x80\xAEtxt.exe\x07", &d), 0);
	cstore_close(cs);
	char *const alerts_argv[] = {SPEAN_CENTER_BIN, "alerts", "--data-dir", dir, NULL};
	char *aout = NULL, *aerr = NULL;
	CHECK_INT(t_run(alerts_argv, &aout, &aerr), 0);
	CHECK(strstr(aout, " bad" UTF8_MARK "[2J kiosk=") != NULL);
	CHECK(strstr(aout, "detail " UTF8_MARK "txt.exe" UTF8_MARK "\n") != NULL);
	CHECK(text_safe(aout));
	free(aout);
	free(aerr);

	/* The reports: everything else done, each bad one named once, exit 3. */
	char *const export_argv[] = {SPEAN_CENTER_BIN, "export", "--data-dir", dir, "--csv", csv, NULL};
	char *const forms_argv[] = {SPEAN_CENTER_BIN, "forms", "--data-dir", dir, "--out", forms, NULL};
	char *const stats_argv[] = {SPEAN_CENTER_BIN, "stats", "--data-dir", dir, NULL};
	char *const *const runs[3] = {export_argv, forms_argv, stats_argv};
	char *stats_out = NULL;
	for (int c = 0; c < 3; c++) {
		char *out = NULL, *err = NULL;
		int rc = t_run(runs[c], &out, &err);
		t_checks++;
		if (rc != 3)
			t_fail(__FILE__, __LINE__, "%s exited %d, want 3; stderr:\n%s", runs[c][1], rc, err);
		for (int i = 0; i < NREC; i++) {
			char *hit = strstr(err, r[i].hex);
			if (!r[i].why) {
				CHECK(hit == NULL);
				continue;
			}
			t_checks++;
			const char *eol = hit ? strchr(hit, '\n') : NULL;
			const char *why = hit ? strstr(hit, r[i].why) : NULL;
			if (!hit || !why || (eol && why > eol) || strstr(hit + 1, r[i].hex))
				t_fail(__FILE__, __LINE__, "%s: request %d not named once with '%s':\n%s", runs[c][1], i, r[i].why,
				       err);
		}
		CHECK(strstr(err, "7 requests skipped") == NULL);
		CHECK(strstr(err, "6 requests skipped") != NULL);
		/* No personal data in what is said about them (the name, the fact value). */
		CHECK(strstr(err, "Bí Mật") == NULL);
		CHECK(strstr(err, "Lâm") == NULL);
		CHECK(text_safe(out) && text_safe(err));
		if (c == 2)
			stats_out = out;
		else
			free(out);
		free(err);
	}

	/* export: the three that open, hostile text neutralised; python's csv reads it with ',', ';' and TAB. */
	size_t n = 0;
	char *text = t_read(csv, &n);
	CHECK(text && utf8_valid(text, n));
	if (text) {
		for (int i = 0; i < NREC; i++)
			CHECK((strstr(text, r[i].hex) != NULL) == (i < 3));
		CHECK(strstr(text, "\"A" UTF8_MARK "fdp.exe" UTF8_MARK "B" UTF8_MARK UTF8_MARK "31m\xEF\xBC\x9B=cmd|' /C calc'!A0\""));
		CHECK(strstr(text, "\"'=1+1\xEF\xBC\x9B@SUM(A1)" UTF8_MARK "x" UTF8_MARK "\""));
		CHECK(strstr(text, "\xE2\x80\xAE") == NULL && strstr(text, "\x7f") == NULL && strchr(text, '\t') == NULL);
		CHECK(strchr(text, ';') == NULL);
	}
	free(text);
	t_write(py, PY_CHECK);
	char *const py_argv[] = {"python3", py, csv, "4", NULL};
	char *out = NULL, *err = NULL;
	int prc = t_run(py_argv, &out, &err);
	t_checks++;
	if (prc != 0 || !strstr(out, "csv ok"))
		t_fail(__FILE__, __LINE__, "python3 csv read-back: exit %d\n%s%s", prc, out, err);
	free(out);
	free(err);

	/* forms: three pages, the hostile one without a raw control or override. */
	CHECK_INT(count_files(forms), 3);
	char name[64];
	snprintf(name, sizeof name, "000003-%.8s.html", r[2].hex);
	char *form = fs_join(forms, name);
	text = t_read(form, &n);
	CHECK(text && utf8_valid(text, n));
	if (text) {
		CHECK(strstr(text, "\xE2\x80\xAE") == NULL && strstr(text, "\x7f") == NULL && strstr(text, "\xC2\x9B") == NULL);
		CHECK(strstr(text, "A" UTF8_MARK "fdp.exe\tB" UTF8_MARK UTF8_MARK "31m;=cmd|&#39; /C calc&#39;!A0") != NULL);
	}
	free(text);
	free(form);

	/* stats: the three that open. */
	CHECK(stats_out && strstr(stats_out, "Tổng số yêu cầu: 3\n") != NULL);
	free(stats_out);

	/* A stick whose bundle names hold an escape sequence and a direction override: printed neutralised (a name
	 * Spean never writes is refused with its bytes outside printable ASCII shown as \xNN, sync/stick.h). */
	char *stick = fs_join(root, "stick"), *sdir = fs_join(stick, "spean/out");
	CHECK_INT(fs_mkdir_p(sdir, 0700, &d), 0);
	char *evil = fs_join(sdir, "\x1b]0;owned\x07k\xE2\x80\xAE" "reffo.exe.offer");
	t_write(evil, "not a bundle");
	char *const import_argv[] = {SPEAN_CENTER_BIN, "import", "--data-dir", dir, stick, NULL};
	int irc = t_run(import_argv, &out, &err);
	CHECK_INT(irc, 2);
	CHECK(strstr(err, "\\x1b]0;owned\\x07k\\xe2\\x80\\xaereffo.exe.offer refused") != NULL);
	CHECK(text_safe(out) && text_safe(err));
	free(out);
	free(err);
	free(evil);
	free(sdir);
	free(stick);

	for (int i = 0; i < NREC; i++)
		buf_finish(&r[i].sealed);
	center_keys_wipe(&k);
	center_keys_wipe(&other);
	t_rmtree(root);
	free(root);
	free(dir);
	free(odir);
	free(csv);
	free(forms);
	free(py);
	return t_done("center_reports_test");
}

#define LOG_MODULE "center"
#include "center.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include <termios.h>
#include <unistd.h>

#include "backup.h"
#include "clock.h"
#include "console.h"
#include "console_ui.h"
#include "content.h"
#include "contentpack.h"
#include "cstore.h"
#include "packdir.h"
#include "protocol.h"
#include "fs.h"
#include "report.h"
#include "report_xlsx.h"
#include "rules.h"
#include "serve.h"
#include "usbserve.h"
#include "service.h"
#include "stick.h"
#include "tls.h"
#include "utf8.h"
#include "record.h"
#include "store.h"
#include "kv.h"
#include "log.h"
#include "mem.h"
#include "ostore.h"
#include "register.h"

extern const unsigned char spean_builtin_rules[];
extern const unsigned long spean_builtin_rules_len;

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
	memset(k, 0, sizeof *k);
	int rc = fs_mkdir_p(dir, 0700, d);
	if (rc)
		return rc;
	char *sp = fs_join(dir, CENTER_SECRET_FILE), *gp = fs_join(dir, CENTER_SIGN_FILE), *cp = fs_join(dir, CENTER_TLS_CERT);
	int has_box = fs_exists(sp), has_sign = fs_exists(gp), has_tls = fs_exists(cp);
	free(sp);
	free(gp);
	free(cp);
	if (has_box && has_sign && has_tls) {
		diag_set(d, "%s already holds a center key; refusing to replace it (kiosks seal to it)", dir);
		return ERR_EXISTS;
	}
	/*
	 * A center made before sync (the X25519 key only) is completed: its box
	 * key stays (requests are sealed to it); the signing key and certificate
	 * are added and the card rewritten, to give the kiosks again.
	 */
	if (has_box) {
		rc = read_hex(dir, CENTER_SECRET_FILE, k->sk, CRYPT_BOX_SK, d);
		if (rc)
			return rc;
		crypt_box_sk_to_pk(k->pk, k->sk);
	} else {
		crypt_box_keypair(k->pk, k->sk);
		rc = write_hex(dir, CENTER_SECRET_FILE, k->sk, CRYPT_BOX_SK, 0600,
			       "Spean center secret key (X25519). Opens every request: keep it on the office PC only.", d);
	}
	if (!rc && has_sign) {
		rc = read_hex(dir, CENTER_SIGN_FILE, k->sign_sk, CRYPT_SIGN_SK, d);
		if (!rc)
			crypt_sign_sk_to_pk(k->sign_pk, k->sign_sk);
	} else if (!rc) {
		crypt_sign_keypair(k->sign_pk, k->sign_sk);
		rc = write_hex(dir, CENTER_SIGN_FILE, k->sign_sk, CRYPT_SIGN_SK, 0600,
			       "Spean center signing key (Ed25519). Signs receipts and content packs: keep it on the office PC only.",
			       d);
	}
	if (!rc && !has_tls)
		rc = center_tls_make(dir, d);
	if (!rc && has_box)
		log_warn("center_completed sign=%d tls=%d", !has_sign, !has_tls);
	char pin[CENTER_TLS_PIN_MAX] = "";
	if (!rc)
		rc = center_tls_pin(dir, pin, sizeof pin, d);
	if (!rc) {
		char box[2 * CRYPT_BOX_PK + 1], sign[2 * CRYPT_SIGN_PK + 1];
		hex_encode(k->pk, CRYPT_BOX_PK, box);
		hex_encode(k->sign_pk, CRYPT_SIGN_PK, sign);
		struct buf b;
		buf_init(&b);
		buf_printf(&b,
			   "# Spean center card: give this file to 'spean provision --center-key'.\n"
			   "# box: requests are sealed to it (X25519); sign: receipts and content packs are checked with it (Ed25519).\n"
			   "# tls: the center's HTTPS certificate key, pinned by 'spean sync --url https://...'.\n"
			   "box = %s\nsign = %s\ntls = %s\n",
			   box, sign, pin);
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

/* center.key.locked: the wrapped key in hex, in the same key file format as the others. */
static int read_locked(const char *dir, unsigned char wrapped[CRYPT_WRAP_OVERHEAD + CRYPT_BOX_SK], struct diag *d)
{
	return read_hex(dir, CENTER_LOCKED_FILE, wrapped, CRYPT_WRAP_OVERHEAD + CRYPT_BOX_SK, d);
}

int center_load(const char *dir, struct center_keys *k, struct diag *d)
{
	crypt_init();
	memset(k, 0, sizeof *k);
	char *plain = fs_join(dir, CENTER_SECRET_FILE), *locked = fs_join(dir, CENTER_LOCKED_FILE);
	k->locked = !fs_exists(plain) && fs_exists(locked);
	free(plain);
	free(locked);
	int rc = k->locked ? 0 : read_hex(dir, CENTER_SECRET_FILE, k->sk, CRYPT_BOX_SK, d);
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

int center_key_unlock(const char *dir, struct center_keys *k, const char *pass, struct diag *d)
{
	unsigned char wrapped[CRYPT_WRAP_OVERHEAD + CRYPT_BOX_SK], sk[CRYPT_BOX_SK], pk[CRYPT_BOX_PK];
	int rc = read_locked(dir, wrapped, d);
	if (rc)
		return rc;
	rc = crypt_unwrap(wrapped, sizeof wrapped, pass, strlen(pass), sk);
	if (rc == ERR_CRYPTO)
		diag_set(d, "wrong passphrase");
	else if (rc)
		diag_set(d, "%s/%s: not a wrapped key this Spean can open", dir, CENTER_LOCKED_FILE);
	if (!rc) {
		crypt_box_sk_to_pk(pk, sk);
		if (crypt_memcmp(pk, k->pk, CRYPT_BOX_PK)) { /* the right passphrase for another center's key */
			diag_set(d, "%s/%s does not belong to this center's card", dir, CENTER_LOCKED_FILE);
			rc = ERR_STATE;
		}
	}
	if (!rc) {
		memcpy(k->sk, sk, CRYPT_BOX_SK);
		k->locked = 0;
		log_info("key_unlocked");
	}
	crypt_wipe(sk, sizeof sk);
	return rc;
}

static const char locked_comment[] =
	"Spean center secret key, wrapped by the director's passphrase (Argon2id, then XSalsa20-Poly1305).";

int center_key_lock(const char *dir, const char *pass, struct diag *d)
{
	if (strlen(pass) < CENTER_PASSPHRASE_MIN) {
		diag_set(d, "a passphrase has %d characters or more", CENTER_PASSPHRASE_MIN);
		return ERR_INVAL;
	}
	struct center_keys k;
	int rc = center_load(dir, &k, d);
	if (!rc && k.locked) {
		diag_set(d, "the center key is under lock already");
		rc = ERR_STATE;
	}
	unsigned char wrapped[CRYPT_WRAP_OVERHEAD + CRYPT_BOX_SK];
	if (!rc && crypt_wrap(k.sk, CRYPT_BOX_SK, pass, strlen(pass), wrapped)) {
		diag_set(d, "not enough memory to derive the key from the passphrase (256 MiB)");
		rc = ERR_IO;
	}
	if (!rc)
		rc = write_hex(dir, CENTER_LOCKED_FILE, wrapped, sizeof wrapped, 0600, locked_comment, d);
	/* Read back and opened before the plain key goes: a lock that cannot be opened would lose every request. */
	struct center_keys check = k;
	check.locked = 1;
	memset(check.sk, 0, sizeof check.sk);
	if (!rc && (rc = center_key_unlock(dir, &check, pass, d)) == 0 && crypt_memcmp(check.sk, k.sk, CRYPT_BOX_SK))
		rc = ERR_STATE;
	center_keys_wipe(&check);
	if (!rc) {
		char *path = fs_join(dir, CENTER_SECRET_FILE);
		/* Its bytes overwritten and synced before the name goes (a journalling filesystem or an SSD may
		 * still keep old blocks: the README says to lock a new center before its first request). */
		int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		if (fd < 0 || fstat(fd, &st)) {
			diag_set(d, "%s: cannot overwrite it", path);
			rc = ERR_IO;
		} else {
			char zero[512] = {0};
			for (off_t done = 0; !rc && done < st.st_size; done += (off_t)sizeof zero)
				if (write(fd, zero, sizeof zero) != (ssize_t)sizeof zero)
					rc = ERR_IO;
			if (rc || fsync(fd)) {
				diag_set(d, "%s: cannot overwrite it", path);
				rc = ERR_IO;
			}
		}
		if (fd >= 0)
			close(fd);
		if (!rc && unlink(path)) {
			diag_set(d, "%s: cannot remove it", path);
			rc = ERR_IO;
		}
		if (!rc && fs_sync_dir(dir)) {
			diag_set(d, "%s: cannot sync the directory", dir);
			rc = ERR_IO;
		}
		free(path);
	}
	center_keys_wipe(&k);
	crypt_wipe(wrapped, sizeof wrapped);
	if (!rc)
		log_info("key_locked");
	return rc;
}

int center_key_rewrap(const char *dir, const char *old, const char *pass, struct diag *d)
{
	if (strlen(pass) < CENTER_PASSPHRASE_MIN) {
		diag_set(d, "a passphrase has %d characters or more", CENTER_PASSPHRASE_MIN);
		return ERR_INVAL;
	}
	struct center_keys k;
	unsigned char before[CRYPT_WRAP_OVERHEAD + CRYPT_BOX_SK], wrapped[CRYPT_WRAP_OVERHEAD + CRYPT_BOX_SK];
	int rc = center_load(dir, &k, d);
	if (!rc && !k.locked) {
		diag_set(d, "the center key is not under lock: lock it first (spean-center key lock)");
		rc = ERR_STATE;
	}
	if (!rc)
		rc = read_locked(dir, before, d);
	if (!rc)
		rc = center_key_unlock(dir, &k, old, d);
	if (!rc && crypt_wrap(k.sk, CRYPT_BOX_SK, pass, strlen(pass), wrapped)) {
		diag_set(d, "not enough memory to derive the key from the passphrase (256 MiB)");
		rc = ERR_IO;
	}
	if (!rc)
		rc = write_hex(dir, CENTER_LOCKED_FILE, wrapped, sizeof wrapped, 0600, locked_comment, d);
	/* Read back and opened with the new passphrase, or the old file put back: a lock no one can open loses every request. */
	struct center_keys check = k;
	check.locked = 1;
	memset(check.sk, 0, sizeof check.sk);
	if (!rc && ((rc = center_key_unlock(dir, &check, pass, d)) || crypt_memcmp(check.sk, k.sk, CRYPT_BOX_SK))) {
		struct diag ignore = {""};
		write_hex(dir, CENTER_LOCKED_FILE, before, sizeof before, 0600, locked_comment, &ignore);
		diag_set(d, "%s/%s did not open with the new passphrase once written: the old one is kept", dir,
			 CENTER_LOCKED_FILE);
		rc = ERR_IO;
	}
	center_keys_wipe(&check);
	center_keys_wipe(&k);
	crypt_wipe(wrapped, sizeof wrapped);
	if (!rc)
		log_info("key_rewrapped");
	return rc;
}

void center_keys_wipe(struct center_keys *k)
{
	crypt_wipe(k, sizeof *k);
}

static const char usage[] =
	"usage: spean-center COMMAND --data-dir DIR [options]\n"
	"\n"
	"Spean center: the legal-aid office's side. Requests arrive sealed and signed from\n"
	"enrolled kiosks; only this PC's center key opens them.\n"
	"\n"
	"commands:\n"
	"  init --data-dir DIR          make the center's keys; writes DIR/center.pub, the card\n"
	"                               every kiosk is provisioned with ('spean provision --center-key')\n"
	"  enroll --data-dir DIR KEYHEX [--label TEXT]\n"
	"                               let the kiosk whose 'spean identity' is KEYHEX deliver\n"
	"  serve --data-dir DIR --listen ADDR:PORT [--plain] [--per-address N]\n"
	"                               receive from kiosks over HTTPS (POST /v1/sync; kiosks pin the\n"
	"                               certificate from the card) until stopped; --plain: HTTP, only\n"
	"                               on a private link (a direct cable); --per-address: connections\n"
	"                               one address may hold (default 32; raise it when many kiosks\n"
	"                               reach the center through one proxy, tunnel or NAT)\n"
	"  run --data-dir DIR [--listen ADDR:PORT [--plain] [--per-address N]] [--console-listen ADDR:PORT]\n"
	"                               the office console for staff in a browser (default\n"
	"                               127.0.0.1:8080; HTTPS with the center's certificate on any\n"
	"                               address but loopback) and, with --listen, the kiosks' sync as\n"
	"                               serve does; until stopped\n"
	"  user add --data-dir DIR --role director|officer|clerk LOGIN\n"
	"                               an account for the console; the password (10 characters or\n"
	"                               more) is read from standard input\n"
	"  user list --data-dir DIR     the accounts and their roles\n"
	"  key lock --data-dir DIR      wrap the center key by a passphrase (12 characters or more, from\n"
	"                               standard input): center.key.locked, center.key removed; then\n"
	"                               the director unlocks it in the console, and export, forms, stats,\n"
	"                               import and open read the passphrase from standard input\n"
	"  key passphrase --data-dir DIR\n"
	"                               change the locked key's passphrase: the current one, then the new\n"
	"                               one, on standard input (a line each)\n"
	"  key status --data-dir DIR    whether the center key is under lock\n"
	"  backup --data-dir DIR --out FILE\n"
	"                               the whole center (databases copied while it runs, keys, card,\n"
	"                               pack) in one file sealed by a passphrase read from stdin\n"
	"  restore --data-dir DIR --from FILE\n"
	"                               bring a backup back into an empty DIR (then a new epoch)\n"
	"  usb --data-dir DIR [--serial S] [--kiosks N] [--poll MS]\n";
/* The usage goes on in a second string (C17 compilers need not take one over 4095 bytes). */
static const char usage2[] =
	"                               receive from kiosks plugged into this PC by USB cable, one\n"
	"                               after another, until stopped (Ctrl-C); --serial: only that\n"
	"                               kiosk; --kiosks N: stop after N; --poll: look every MS ms\n"
	"                               instead of waiting for hotplug\n"
	"  status --data-dir DIR        requests, kiosks, alerts and the epoch\n"
	"  check --data-dir DIR         the database's full integrity check and the keys ('ok')\n"
	"  export --data-dir DIR --csv FILE | --xlsx FILE\n"
	"                               every request as a CSV row (UTF-8, opens in spreadsheets), or as\n"
	"                               an XLSX workbook (phones as text, dates as dates)\n"
	"  forms --data-dir DIR --out DIR2\n"
	"                               each request as the request form Mau 02-TP-TGPL (HTML)\n"
	"  stats --data-dir DIR         requests by commune, group, outcome, month, urgency, language\n"
	"  alerts --data-dir DIR        conflicts, bad records (and why), id collisions between kiosks,\n"
	"                               new epochs and content packs kiosks refused, oldest first\n"
	"  import --data-dir DIR STICKDIR\n"
	"                               take the kiosks' bundles from a USB stick, write their receipts\n"
	"                               (and the content pack) back to it\n"
	"  pack --data-dir DIR --version N [--content DIR2]\n"
	"                               check, then sign the content pack (questions, texts, communes,\n"
	"                               pictures, audio, rules) kiosks fetch at their next sync; N only\n"
	"                               goes up, 1 to 1000000000000; a pack a kiosk would refuse is never signed\n"
	"  open --data-dir DIR --kiosk KIOSKDIR\n"
	"                               open the sealed requests in a kiosk's data dir (tests, recovery)\n"
	"  (--content DIR: the content pack for commune and group names; default the bundled one)\n"
	"\n"
	"Exit status: 0 done, 1 failed, 2 usage or refused (a bundle, a kiosk, a stick that is not\n"
	"safe), 3 done, but:\n"
	"  export, forms, stats: some requests could not be opened and were skipped: each is named\n"
	"  on stderr by its id and kiosk, with the reason (sealed to another center key, damaged,\n"
	"  not a request, or its inner id or urgent flag differs from the signed one);\n"
	"  import, usb: some requests were refused or conflicting: answered so, stored nowhere,\n"
	"  alerts raised.\n";

static int cli_keys(const char *dir, struct center_keys *k);

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
		char *why = utf8_neutral_dup(d.msg[0] ? d.msg : "wrong key or damaged");
		fprintf(stderr, "spean-center: request seq=%llu does not open: %s\n", (unsigned long long)r->seq, why);
		free(why);
		o->bad++;
	} else {
		/* The lines as they are, but no control or direction-override character reaches the terminal. */
		struct buf safe;
		buf_init(&safe);
		buf_append(&safe, "", 0);
		utf8_put_neutral(&safe, plain.data, plain.len, UTF8_KEEP_LF);
		printf("# request seq=%llu\n%s\n", (unsigned long long)r->seq, safe.data);
		buf_finish_wipe(&safe);
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
	int krc = cli_keys(dir, &k);
	if (krc)
		return krc;
	if (store_open(kiosk, STORE_NO_CREATE, &st, &d)) {
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

/* ---- the key under lock, from the command line ---- */

/*
 * A passphrase: one line of stdin, echo off on a terminal (with a prompt on
 * stderr). 0, or 2 with a message when there is none.
 */
static int read_secret_line(const char *prompt, char *out, size_t n)
{
	struct termios t0, t1;
	int tty = isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &t0);
	if (tty) {
		fputs(prompt, stderr);
		t1 = t0;
		t1.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &t1);
	}
	char *got = fgets(out, (int)n, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &t0);
		fputc('\n', stderr);
	}
	size_t len = got ? strlen(out) : 0;
	while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
		out[--len] = '\0';
	if (!len) {
		fprintf(stderr, "spean-center: no passphrase on standard input\n");
		return 2;
	}
	return 0;
}

/* The center's keys for a command that opens requests: unlocked with a passphrase from stdin if under lock. */
static int cli_keys(const char *dir, struct center_keys *k)
{
	struct diag d = {""};
	if (center_load(dir, k, &d)) {
		fprintf(stderr, "spean-center: %s\n", d.msg);
		return 1;
	}
	if (!k->locked)
		return 0;
	char pass[512];
	int rc = read_secret_line("the center key is locked; passphrase: ", pass, sizeof pass);
	if (!rc && center_key_unlock(dir, k, pass, &d)) {
		fprintf(stderr, "spean-center: the center key stays locked: %s\n", d.msg);
		rc = 2;
	}
	crypt_wipe(pass, sizeof pass);
	if (rc)
		center_keys_wipe(k);
	return rc;
}

/* The same for a command that receives (import): the service's key unlocked from stdin. */
static int cli_service_unlock(struct center_service *s)
{
	if (!center_service_locked(s))
		return 0;
	char pass[512];
	struct diag d = {""};
	int rc = read_secret_line("the center key is locked; passphrase: ", pass, sizeof pass);
	if (!rc && center_service_unlock(s, pass, &d)) {
		fprintf(stderr, "spean-center: the center key stays locked: %s\n", d.msg);
		rc = 2;
	}
	crypt_wipe(pass, sizeof pass);
	return rc;
}

static int cmd_backup(const char *dir, const char *file, int backup)
{
	if (!file) {
		fprintf(stderr, "spean-center: %s\n", backup ? "backup needs --out FILE" : "restore needs --from FILE");
		return 2;
	}
	char pass[512];
	int rc = read_secret_line(backup ? "the backup's passphrase (12 characters or more): " : "the backup's passphrase: ",
				  pass, sizeof pass);
	if (rc)
		return rc;
	struct diag d = {""};
	unsigned files = 0;
	rc = backup ? center_backup(dir, file, pass, &files, &d) : center_restore(file, dir, pass, &files, &d);
	crypt_wipe(pass, sizeof pass);
	if (rc) {
		char *m = utf8_neutral_dup(d.msg);
		fprintf(stderr, "spean-center: %s\n", m);
		free(m);
		return rc == ERR_IO || rc == ERR_NOSPACE ? 1 : 2;
	}
	if (backup)
		printf("backup written: %s (%u files, sealed by the passphrase; keep it and the passphrase apart)\n", file, files);
	else
		printf("restored %u files into %s; at its next start the center begins a new epoch, and kiosks offer again "
		       "what this backup lacks\n",
		       files, dir);
	return 0;
}

static int cmd_key(const char *dir, const char *sub)
{
	struct diag d = {""};
	if (sub && !strcmp(sub, "status")) {
		struct center_keys k;
		if (center_load(dir, &k, &d)) {
			fprintf(stderr, "spean-center: %s\n", d.msg);
			return 1;
		}
		printf("%s\n", k.locked ? "locked (center.key.locked: unlocked into memory by the director in the console)"
				       : "not locked (center.key in clear: lock it with 'spean-center key lock')");
		center_keys_wipe(&k);
		return 0;
	}
	if (!sub || (strcmp(sub, "lock") && strcmp(sub, "passphrase"))) {
		fprintf(stderr, "spean-center: usage: key lock|passphrase|status --data-dir DIR (the passphrases on stdin: "
				"passphrase reads the current one, then the new one)\n");
		return 2;
	}
	char pass[512], again[512], old[512];
	int change = !strcmp(sub, "passphrase");
	int rc = change ? read_secret_line("current passphrase: ", old, sizeof old) : 0;
	if (!rc)
		rc = read_secret_line("new passphrase (12 characters or more): ", pass, sizeof pass);
	if (!rc && isatty(STDIN_FILENO) && !(rc = read_secret_line("again: ", again, sizeof again)) && strcmp(pass, again)) {
		fprintf(stderr, "spean-center: the two passphrases differ; nothing changed\n");
		rc = 2;
	}
	if (!rc && (rc = change ? center_key_rewrap(dir, old, pass, &d) : center_key_lock(dir, pass, &d))) {
		fprintf(stderr, "spean-center: %s\n", d.msg);
		rc = rc == ERR_INVAL || rc == ERR_STATE || rc == ERR_CRYPTO ? 2 : 1;
	} else if (!rc && change)
		printf("the center key's passphrase is changed (%s/%s): the old one opens nothing now. A backup made before "
		       "keeps the key under the passphrase it had.\n",
		       dir, CENTER_LOCKED_FILE);
	else if (!rc)
		printf("the center key is under lock: %s/%s; center.key is gone. Keep the passphrase safe: without it no "
		       "request can be opened.\n",
		       dir, CENTER_LOCKED_FILE);
	crypt_wipe(old, sizeof old);
	crypt_wipe(pass, sizeof pass);
	crypt_wipe(again, sizeof again);
	return rc;
}

/* ---- reading what arrived: names for reports, then each request opened ---- */

/*
 * The pack the center last published, read and verified with its own card (NULL when there is none or it does
 * not verify: then the content dir). Its files point into *raw.
 */
/* A pack file (content.pack, content.draft) read and verified with the center's signing key; its files point into raw. */
static int read_signed_pack(const char *path, const unsigned char sign_pk[CRYPT_SIGN_PK], struct buf *raw,
			    struct sync_content *pc, struct diag *d)
{
	struct sync_msg m;
	int rc = fs_read_file(path, SYNC_MAX_CONTENT_MESSAGE, raw, d);
	if (!rc)
		rc = sync_msg_parse(raw->data, raw->len, SYNC_MAX_CONTENT_MESSAGE, &m, d);
	if (!rc)
		rc = sync_content_parse(&m, sign_pk, pc, d);
	return rc;
}

static int published_pack(const char *dir, struct buf *raw, struct sync_content *pc)
{
	struct center_keys k;
	struct diag d = {""};
	memset(&k, 0, sizeof k);
	if (!dir || read_card(dir, &k, &d))
		return 0;
	char *pp = fs_join(dir, CENTER_PACK_FILE);
	int ok = fs_exists(pp) && read_signed_pack(pp, k.sign_pk, raw, pc, &d) == 0;
	if (!ok && d.msg[0])
		fprintf(stderr, "spean-center: %s: %s (names from the content dir instead)\n", pp, d.msg);
	free(pp);
	return ok;
}

/* One file of the names' source: from the published pack when there is one, else from the content dir. */
static int names_file(const struct sync_content *pc, const char *content_dir, const char *name, struct buf *b,
		      struct diag *d)
{
	if (pc) {
		for (uint32_t i = 0; i < pc->n; i++)
			if (!strcmp(pc->f[i].name, name)) {
				buf_append(b, (const char *)pc->f[i].data, pc->f[i].len);
				return 0;
			}
		diag_set(d, "the published content pack has no %s", name);
		return ERR_NOTFOUND;
	}
	char *p = fs_join(content_dir, name);
	int rc = fs_read_file(p, 4u << 20, b, d);
	free(p);
	return rc;
}

void center_names_load(struct center_names *n, const char *dir, const char *content_dir)
{
	memset(n, 0, sizeof *n);
	struct buf b, raw;
	struct diag d = {""};
	struct sync_content pcs;
	buf_init(&raw);
	const struct sync_content *pc = published_pack(dir, &raw, &pcs) ? &pcs : NULL;
	n->version = pc ? pc->version : 0;
	buf_init(&b);
	buf_append(&b, (const char *)spean_builtin_rules, spean_builtin_rules_len);
	if (rules_parse(b.data, b.len, &n->rules, &d))
		fprintf(stderr, "spean-center: built-in rules: %s (documents left out)\n", d.msg);
	buf_finish(&b);
	buf_init(&b);
	if (names_file(pc, content_dir, "strings.vi", &b, &d) || catalog_parse(b.data, b.len, &n->vi, &d))
		fprintf(stderr, "spean-center: %s (codes instead of names)\n", d.msg);
	buf_finish(&b);
	buf_init(&b);
	if (names_file(pc, content_dir, "communes.txt", &b, &d) || content_parse_communes(b.data, b.len, &n->content, &d))
		fprintf(stderr, "spean-center: %s (commune codes without names)\n", d.msg);
	buf_finish(&b);
	/* The holidays count a deadline's working days (the console); reports do without them. */
	buf_init(&b);
	if (names_file(pc, content_dir, "holidays.txt", &b, &d) || holidays_parse(b.data, b.len, &n->content.holidays, &d))
		fprintf(stderr, "spean-center: %s (deadlines without a date)\n", d.msg);
	buf_finish(&b);
	if (pc)
		sync_content_finish(&pcs);
	buf_finish(&raw);
	n->rn.vi = n->vi;
	n->rn.content = &n->content;
	n->rn.rules = n->rules;
}

int center_deadline(const struct holidays *h, struct date from, int wd, struct date *out)
{
	if (wd < 0 || wd > 366 || !date_valid(from))
		return ERR_INVAL;
	struct date dt = from;
	for (int count = 0, i = 0; i < 800; i++) {
		dt = date_next(dt);
		int w = holidays_is_workday(h, dt);
		if (w < 0)
			return ERR_NOTFOUND;
		if (w && ++count == wd + 1) {
			*out = dt;
			return 0;
		}
	}
	return ERR_NOTFOUND;
}

void center_names_finish(struct center_names *n)
{
	catalog_destroy(n->vi);
	content_finish(&n->content);
	rules_destroy(n->rules);
}

typedef void (*item_fn)(void *ctx, const struct report_item *it);

struct walk {
	struct center_keys *k;
	item_fn fn;
	void *ctx;
	unsigned long n, bad;
	/* What the office adds to each request: kiosk names, the case register, the deadline's date. */
	struct ostore *os;
	const struct holidays *holidays;
	struct catalog *words; /* the console's catalog: the case states in words */
	unsigned char (*pk)[CSTORE_PK_LEN];
	char **label;
	size_t nk;
};

static int walk_device(void *ctx, const unsigned char pk[CSTORE_PK_LEN], const char *label)
{
	struct walk *w = ctx;
	w->pk = xrealloc(w->pk, (w->nk + 1) * sizeof *w->pk);
	w->label = xrealloc(w->label, (w->nk + 1) * sizeof *w->label);
	memcpy(w->pk[w->nk], pk, CSTORE_PK_LEN);
	w->label[w->nk++] = xstrdup(label ? label : "");
	return 0;
}

/*
 * Why a stored request cannot be reported, or NULL if req holds it opened.
 * The reason names no personal data: a parse error gives only its line.
 */
const char *center_open_stored(const struct center_keys *k, const struct cstore_request *r, struct buf *plain,
			       struct request *req, char *why, size_t whylen)
{
	unsigned char h[CRYPT_HASH];
	struct diag d = {""};
	unsigned line;
	crypt_hash(h, r->sealed, r->sealed_len);
	if (crypt_memcmp(h, r->hash, CRYPT_HASH))
		return "the stored bytes do not match their signed hash (damaged)";
	switch (record_open_sealed(r->sealed, r->sealed_len, k->pk, k->sk, r->id, r->urgent, plain, req, &d)) {
	case RECORD_OPEN_OK:
		return NULL;
	case RECORD_OPEN_SEALED:
		return "it does not open with this center's key (sealed to another center key, or damaged)";
	case RECORD_OPEN_UNREADABLE:
		if (sscanf(d.msg, "line %u", &line) == 1)
			snprintf(why, whylen, "it opens but is not a request record (line %u)", line);
		else
			snprintf(why, whylen, "it opens but is not a request record (incomplete)");
		return why;
	case RECORD_OPEN_ID:
		return "its inner id differs from the id the kiosk signed";
	case RECORD_OPEN_URGENT:
		return "its inner urgent flag differs from the one the kiosk signed";
	}
	return "it does not open"; /* not reached */
}

static int walk_one(void *p, const struct cstore_request *r)
{
	struct walk *w = p;
	struct buf plain;
	struct request req;
	char why[96];
	buf_init(&plain);
	request_init(&req);
	const char *bad = center_open_stored(w->k, r, &plain, &req, why, sizeof why);
	char dev[2 * CRYPT_SIGN_PK + 1];
	hex_encode(r->device, CRYPT_SIGN_PK, dev);
	if (bad) {
		char id[2 * RECORD_ID_LEN + 1];
		hex_encode(r->id, RECORD_ID_LEN, id);
		fprintf(stderr, "spean-center: skipped request %llu (id %s, kiosk %.16s): %s\n", (unsigned long long)r->n, id,
			dev, bad);
		w->bad++;
	} else {
		char date[16], deadline[16] = "", key[40];
		time_t t = (time_t)r->received;
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(date, sizeof date, "%Y-%m-%d", &tm);
		struct report_item it = {&req, dev, r->seq, r->n, date, NULL, NULL, NULL};
		for (size_t i = 0; i < w->nk; i++)
			if (!memcmp(w->pk[i], r->device, CSTORE_PK_LEN))
				it.kiosk_name = w->label[i];
		struct date dl;
		if (w->holidays && facts_known(&req.facts, F_DEADLINE_WORKING_DAYS) && facts_known(&req.facts, F_REQUEST_DATE) &&
		    !center_deadline(w->holidays, req.facts.request_date, req.facts.val[F_DEADLINE_WORKING_DAYS], &dl)) {
			snprintf(deadline, sizeof deadline, "%04d-%02d-%02d", dl.y % 10000, dl.m % 100, dl.d % 100);
			it.deadline = deadline;
		}
		struct ostore_case cs;
		struct diag cd = {""};
		unsigned char ck[OSTORE_CASE_KEY];
		memcpy(ck, r->device, CSTORE_PK_LEN);
		memcpy(ck + CSTORE_PK_LEN, r->id, STORE_ID_LEN);
		if (w->os && w->words) {
			int st = ostore_case_get(w->os, ck, &cs, &cd) ? 0 : cs.state;
			snprintf(key, sizeof key, "state.%s", case_state_name(st));
			it.case_state = catalog_get(w->words, key);
		}
		w->fn(w->ctx, &it);
		w->n++;
	}
	request_finish(&req);
	buf_finish_wipe(&plain);
	return 0;
}

/* The exit status of a report: 1 if it failed, 3 if it skipped requests that do not open, else 0. */
#define EXIT_SKIPPED 3
static int report_status(int failed, unsigned long bad)
{
	return failed == 2 ? 2 : failed ? 1 : bad ? EXIT_SKIPPED : 0; /* 2: refused (the key stays locked) */
}

static void say_skipped(unsigned long bad)
{
	if (bad)
		fprintf(stderr, "spean-center: %lu request%s skipped (named above); everything else is in the report\n", bad,
			bad == 1 ? "" : "s");
}

/* Open the center in dir and call fn for every request, in arrival order. */
static int walk(const char *dir, const struct holidays *holidays, item_fn fn, void *ctx, unsigned long *n,
		unsigned long *bad)
{
	struct center_keys k;
	struct cstore *cs = NULL;
	struct diag d = {""};
	int krc = cli_keys(dir, &k);
	if (krc)
		return krc;
	if (cstore_open(dir, &cs, &d)) {
		fprintf(stderr, "spean-center: %s\n", d.msg);
		center_keys_wipe(&k);
		return 1;
	}
	struct walk w = {&k, fn, ctx, 0, 0, NULL, holidays, NULL, NULL, NULL, 0};
	cstore_each_device(cs, walk_device, &w, &d);
	/* office.db is there once the console has run; without it every case is new. */
	char *op = fs_join(dir, OSTORE_DB_NAME);
	if (fs_exists(op) && ostore_open(dir, &w.os, &d))
		fprintf(stderr, "spean-center: %s (case states left out)\n", d.msg);
	free(op);
	catalog_parse((const char *)console_catalog_vi, console_catalog_vi_len, &w.words, &d);
	int rc = cstore_each(cs, walk_one, &w, &d);
	if (rc)
		fprintf(stderr, "spean-center: %s\n", d.msg);
	cstore_close(cs);
	ostore_close(w.os);
	catalog_destroy(w.words);
	for (size_t i = 0; i < w.nk; i++)
		free(w.label[i]);
	free(w.label);
	free(w.pk);
	center_keys_wipe(&k);
	*n = w.n;
	*bad = w.bad;
	return rc ? 1 : 0;
}

struct csv_ctx {
	struct buf out;
	const struct report_names *rn;
};

static void csv_item(void *p, const struct report_item *it)
{
	struct csv_ctx *c = p;
	report_csv_row(it, c->rn, &c->out);
}

struct xlsx_ctx {
	struct report_xlsx *x;
	const struct report_names *rn;
};

static void xlsx_item(void *p, const struct report_item *it)
{
	struct xlsx_ctx *c = p;
	struct report_xlsx_extra e = {it->kiosk_name, it->deadline, it->case_state, NULL};
	report_xlsx_row(c->x, it, c->rn, &e);
}

/* The same rows as XLSX (sync/center/report_xlsx.h): the file 0600, libxlsxwriter's parts in the data dir. */
static int cmd_export_xlsx(const char *dir, const char *file, const char *content_dir)
{
	if (fs_exists(file)) {
		fprintf(stderr, "spean-center: %s is there already; an export never replaces a file\n", file);
		return 2;
	}
	struct center_names nm;
	center_names_load(&nm, dir, content_dir);
	struct xlsx_ctx c = {NULL, &nm.rn};
	struct diag d = {""};
	mode_t old = umask(077); /* personal data: the office account's only (libxlsxwriter creates it with fopen) */
	int rc = report_xlsx_open(file, dir, &c.x, &d) ? 1 : 0;
	unsigned long n = 0, bad = 0;
	if (!rc) {
		rc = walk(dir, &nm.content.holidays, xlsx_item, &c, &n, &bad);
		if (report_xlsx_close(c.x, &d) && !rc)
			rc = 1;
	}
	umask(old);
	if (rc == 1 && d.msg[0])
		fprintf(stderr, "spean-center: %s\n", d.msg);
	if (rc)
		unlink(file);
	else {
		char *safe = utf8_neutral_dup(file);
		printf("exported %lu requests to %s\n", n, safe);
		free(safe);
		say_skipped(bad);
	}
	center_names_finish(&nm);
	return report_status(rc, bad);
}

static int cmd_export(const char *dir, const char *file, const char *content_dir)
{
	struct center_names nm;
	center_names_load(&nm, dir, content_dir);
	struct csv_ctx c;
	buf_init(&c.out);
	c.rn = &nm.rn;
	report_csv_header(&c.out);
	unsigned long n, bad;
	int rc = walk(dir, &nm.content.holidays, csv_item, &c, &n, &bad);
	struct diag d = {""};
	/* Personal data: readable by the office account only. */
	if (!rc && fs_write_durable(file, c.out.data, c.out.len, 0600, &d)) {
		fprintf(stderr, "spean-center: %s\n", d.msg);
		rc = 1;
	}
	if (!rc) {
		char *safe = utf8_neutral_dup(file);
		printf("exported %lu requests to %s\n", n, safe);
		free(safe);
		say_skipped(bad);
	}
	buf_finish_wipe(&c.out);
	center_names_finish(&nm);
	return report_status(rc, bad);
}

static void stats_item(void *p, const struct report_item *it)
{
	report_stats_add(p, it);
}

static int cmd_stats(const char *dir, const char *content_dir)
{
	struct center_names nm;
	center_names_load(&nm, dir, content_dir);
	struct report_stats *st = report_stats_create();
	unsigned long n, bad;
	int rc = walk(dir, &nm.content.holidays, stats_item, st, &n, &bad);
	if (!rc) {
		struct buf out;
		buf_init(&out);
		report_stats_print(st, &nm.rn, &out);
		fwrite(out.data ? out.data : "", 1, out.len, stdout);
		buf_finish(&out);
		fflush(stdout);
		say_skipped(bad);
	}
	report_stats_destroy(st);
	center_names_finish(&nm);
	return report_status(rc, bad);
}

struct forms_ctx {
	const char *out;
	const struct report_names *rn;
	int failed;
};

static void form_item(void *p, const struct report_item *it)
{
	struct forms_ctx *c = p;
	struct buf html;
	struct diag d = {""};
	char id[2 * RECORD_ID_LEN + 1], name[64];
	hex_encode(it->req->id, RECORD_ID_LEN, id);
	snprintf(name, sizeof name, "%06llu-%.8s.html", (unsigned long long)it->received, id);
	char *path = fs_join(c->out, name);
	buf_init(&html);
	report_form_html(it, c->rn, &html);
	if (fs_write_durable(path, html.data, html.len, 0600, &d)) {
		fprintf(stderr, "spean-center: %s\n", d.msg);
		c->failed = 1;
	}
	buf_finish_wipe(&html);
	free(path);
}

static int cmd_forms(const char *dir, const char *out, const char *content_dir)
{
	struct diag d = {""};
	if (fs_mkdir_p(out, 0700, &d)) {
		fprintf(stderr, "spean-center: %s\n", d.msg);
		return 1;
	}
	struct center_names nm;
	center_names_load(&nm, dir, content_dir);
	struct forms_ctx c = {out, &nm.rn, 0};
	unsigned long n, bad;
	int rc = walk(dir, &nm.content.holidays, form_item, &c, &n, &bad);
	if (!rc && !c.failed) {
		char *safe = utf8_neutral_dup(out);
		printf("wrote %lu request forms (Mau 02-TP-TGPL) to %s\n", n, safe);
		free(safe);
		say_skipped(bad);
	}
	center_names_finish(&nm);
	return report_status(rc ? rc : c.failed, bad);
}

static int cmd_enroll(const char *dir, const char *keyhex, const char *label)
{
	unsigned char pk[CRYPT_SIGN_PK];
	if (!keyhex || strlen(keyhex) != 2 * CRYPT_SIGN_PK || hex_decode(keyhex, strlen(keyhex), pk, sizeof pk)) {
		fprintf(stderr, "spean-center: enroll wants the kiosk's key as 64 hex characters ('spean identity' on the kiosk)\n");
		return 2;
	}
	struct center_keys k;
	struct cstore *cs = NULL;
	struct diag d = {""};
	int already = 0;
	if (center_load(dir, &k, &d) || cstore_open(dir, &cs, &d) || cstore_enroll(cs, pk, label, &already, &d)) {
		fprintf(stderr, "spean-center: %s\n", d.msg);
		cstore_close(cs);
		center_keys_wipe(&k);
		return 1;
	}
	cstore_close(cs);
	center_keys_wipe(&k);
	char *card = fs_join(dir, CENTER_PUBLIC_FILE);
	printf("%s kiosk %.16s...; give it %s: spean provision --center-key center.pub\n",
	       already ? "already enrolled:" : "enrolled", keyhex, card);
	free(card);
	return 0;
}

/* ---- content packs ---- */

/*
 * A pack's version: digits only (no sign, space or other character), 1 to
 * CONTENT_MAX_VERSION, checked before it can overflow. 0 when it is not one.
 */
static uint64_t pack_version_arg(const char *s)
{
	uint64_t v = 0;
	if (!s || !*s)
		return 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || v > (CONTENT_MAX_VERSION - (uint64_t)(*p - '0')) / 10)
			return 0;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	return v;
}

uint64_t center_pack_version(const char *dir, const unsigned char sign_pk[CRYPT_SIGN_PK])
{
	char *pp = fs_join(dir, CENTER_PACK_FILE);
	struct buf old;
	struct diag d = {""};
	struct sync_content oc;
	uint64_t v = 0;
	buf_init(&old);
	if (fs_exists(pp) && read_signed_pack(pp, sign_pk, &old, &oc, &d) == 0) {
		v = oc.version;
		sync_content_finish(&oc);
	}
	buf_finish(&old);
	free(pp);
	return v;
}

int center_pack_check(const char *content, struct packdir *files, struct diag *d)
{
	int rc = packdir_read(content, files, d);
	if (!rc && !packdir_find(files, "eligibility.rules")) /* the rules travel with the questions that depend on them */
		packdir_add(files, "eligibility.rules", spean_builtin_rules, spean_builtin_rules_len);
	/* Exactly what the kiosk checks before it installs: a pack it would refuse is never signed. */
	if (!rc)
		rc = content_pack_check(files->f, files->n, (const char *)spean_builtin_rules, spean_builtin_rules_len, d);
	/* Kiosks count working days to a hearing with the pack's holidays: a pack that cannot for this year is not sent. */
	int year, month, day;
	clock_today(&year, &month, &day);
	if (!rc)
		rc = content_pack_holidays(files->f, files->n, year, d);
	return rc;
}

int center_pack_publish(const char *dir, const char *content, const struct center_keys *k, uint64_t v,
			struct center_published *out, struct diag *d)
{
	memset(out, 0, sizeof *out);
	/* The version never goes down: kiosks would refuse it anyway. */
	uint64_t ov = center_pack_version(dir, k->sign_pk);
	if (!v)
		v = ov + 1;
	if (v > CONTENT_MAX_VERSION) {
		diag_set(d, "version %llu is past the last a kiosk takes (%llu)", (unsigned long long)v,
			 (unsigned long long)CONTENT_MAX_VERSION);
		return ERR_INVAL;
	}
	if (v <= ov) {
		diag_set(d, "the current pack is version %llu; a new one must be above it", (unsigned long long)ov);
		return ERR_INVAL;
	}
	struct packdir files;
	int rc = center_pack_check(content, &files, d);
	if (rc)
		diag_prefix(d, "%s: not signed: ", content);
	struct buf pack;
	buf_init(&pack);
	if (!rc) {
		sync_content_begin(&pack, v);
		for (size_t i = 0; i < files.n; i++)
			sync_content_add(&pack, files.f[i].name, files.f[i].data, files.f[i].len);
		sync_content_end(&pack, k->sign_sk);
		char *pp = fs_join(dir, CENTER_PACK_FILE);
		rc = fs_write_durable(pp, pack.data, pack.len, 0644, d);
		free(pp);
		out->version = v;
		out->files = files.n;
		out->bytes = pack.len;
	}
	packdir_finish(&files);
	buf_finish(&pack);
	return rc;
}

int center_write_under(const char *root, const char *name, const void *data, size_t len, struct diag *d)
{
	char *path = fs_join(root, name), *slash = strrchr(path, '/');
	*slash = '\0';
	int rc = fs_mkdir_p(path, 0755, d);
	*slash = '/';
	if (!rc)
		rc = fs_write_durable(path, data, len, 0644, d);
	free(path);
	return rc;
}

int center_draft_save(const char *dir, const char *out, struct diag *d)
{
	char *draft = fs_join(dir, CENTER_DRAFT_DIR);
	struct center_keys k;
	struct packdir files;
	memset(&files, 0, sizeof files);
	int rc = fs_exists(draft) ? center_load(dir, &k, d) : ERR_NOTFOUND;
	if (!rc) {
		rc = packdir_read(draft, &files, d);
		struct buf pack;
		buf_init(&pack);
		if (!rc) {
			sync_content_begin(&pack, 1);
			for (size_t i = 0; i < files.n; i++)
				sync_content_add(&pack, files.f[i].name, files.f[i].data, files.f[i].len);
			sync_content_end(&pack, k.sign_sk);
			rc = fs_write_durable(out, pack.data, pack.len, 0600, d);
		}
		buf_finish(&pack);
		center_keys_wipe(&k);
	}
	packdir_finish(&files);
	free(draft);
	return rc;
}

int center_draft_restore(const char *dir, const char *into, struct diag *d)
{
	char *p = fs_join(dir, CENTER_DRAFT_SAVED);
	struct center_keys k;
	struct buf raw;
	struct sync_content pc;
	buf_init(&raw);
	memset(&k, 0, sizeof k);
	int rc = fs_exists(p) ? read_card(dir, &k, d) : ERR_NOTFOUND;
	if (!rc && !(rc = read_signed_pack(p, k.sign_pk, &raw, &pc, d))) {
		for (uint32_t i = 0; !rc && i < pc.n; i++)
			rc = center_write_under(into, pc.f[i].name, pc.f[i].data, pc.f[i].len, d);
		sync_content_finish(&pc);
	}
	if (rc && rc != ERR_NOTFOUND)
		diag_prefix(d, "%s: ", p);
	buf_finish(&raw);
	free(p);
	return rc;
}

static int cmd_pack(const char *dir, const char *content, const char *version)
{
	uint64_t v = pack_version_arg(version);
	if (!v) {
		fprintf(stderr, "spean-center: pack needs --version N: a whole number from 1 to %llu, in digits, above the last "
				"pack's (a version past it would stop every kiosk from taking any later pack)\n",
			(unsigned long long)CONTENT_MAX_VERSION);
		return 2;
	}
	struct center_keys k;
	struct diag d = {""};
	if (center_load(dir, &k, &d)) {
		fprintf(stderr, "spean-center: %s\n", d.msg);
		return 1;
	}
	struct center_published pub;
	int rc = center_pack_publish(dir, content, &k, v, &pub, &d);
	center_keys_wipe(&k);
	if (rc) {
		fprintf(stderr, "spean-center: %s\n", d.msg);
		return rc == ERR_IO || rc == ERR_NOSPACE ? 1 : 2;
	}
	printf("content pack %llu: %zu files, %zu bytes, signed; kiosks fetch it at their next sync\n",
	       (unsigned long long)pub.version, pub.files, pub.bytes);
	return 0;
}

static void import_report(void *ctx, const char *file, const char *why)
{
	(void)ctx;
	/* A stick's file names are anyone's: shown neutralised (a direction override or an escape sequence is U+FFFD). */
	char *f = utf8_neutral_dup(file), *w = utf8_neutral_dup(why);
	fprintf(stderr, "spean-center: %s refused: %s\n", f, w);
	free(f);
	free(w);
}

static int cmd_import(const char *dir, const char *stick)
{
	struct center_service *s;
	struct diag d = {""};
	if (center_service_open(dir, &s, &d)) {
		fprintf(stderr, "spean-center: %s\n", d.msg);
		return 1;
	}
	int krc = cli_service_unlock(s);
	if (krc) {
		center_service_close(s);
		return krc;
	}
	struct center_import_result r;
	int rc = center_stick_import(s, stick, import_report, NULL, &r, &d);
	center_service_close(s);
	if (rc) {
		char *m = utf8_neutral_dup(d.msg); /* it may name a file on the stick */
		fprintf(stderr, "spean-center: %s\n", m);
		free(m);
	}
	printf("%u bundles imported (%lu requests, %lu new), %u refused%s%s\n", r.bundles, r.records, r.added, r.refused,
	       r.bundles ? "; receipts written to the stick" : "", r.pack_written ? "; content pack written" : "");
	if (r.more)
		printf("more bundles than one import takes (%d): run import again\n", STICK_MAX_FILES);
	printf("requests refused: %lu (the center cannot open or check them), conflicting: %lu, id collisions: %lu%s\n",
	       r.bad, r.conflicts, r.collisions, r.bad || r.conflicts || r.collisions ? " (see 'spean-center alerts')" : "");
	return rc == ERR_REFUSED ? 2 : rc ? 1 : r.refused ? 2 : r.bad || r.conflicts ? 3 : 0;
}

/* `check`: the database's full integrity check and the center's keys. */
static int cmd_check(const char *dir)
{
	struct cstore *cs = NULL;
	struct center_keys k;
	struct diag d = {""};
	int rc = center_load(dir, &k, &d);
	if (!rc) {
		center_keys_wipe(&k);
		if (!(rc = cstore_open(dir, &cs, &d)))
			rc = cstore_check(cs, &d);
	}
	cstore_close(cs);
	if (rc) {
		fprintf(stderr, "spean-center: %s\n", d.msg);
		return 1;
	}
	printf("ok\n");
	return 0;
}

static int cmd_status(const char *dir)
{
	struct cstore *cs = NULL;
	struct diag d = {""};
	struct cstore_counts c;
	if (cstore_open(dir, &cs, &d) || cstore_count(cs, &c, &d)) {
		fprintf(stderr, "spean-center: %s\n", d.msg);
		cstore_close(cs);
		return 1;
	}
	unsigned char e[STORE_EPOCH_LEN];
	char hex[2 * STORE_EPOCH_LEN + 1];
	cstore_epoch(cs, e);
	hex_encode(e, sizeof e, hex);
	printf("requests %llu\nkiosks %llu\nalerts %llu\nepoch %s\n", (unsigned long long)c.requests,
	       (unsigned long long)c.devices, (unsigned long long)c.alerts, hex);
	cstore_close(cs);
	return 0;
}

static int print_alert(void *ctx, int64_t wall, const char *kind, const char *device_hex, const char *detail)
{
	(void)ctx;
	char when[32];
	time_t t = (time_t)wall;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	char *k = utf8_neutral_dup(kind), *dev = utf8_neutral_dup(device_hex), *det = utf8_neutral_dup(detail);
	printf("%s %s kiosk=%.16s %s\n", when, k, dev, det);
	free(k);
	free(dev);
	free(det);
	return 0;
}

static int cmd_alerts(const char *dir)
{
	struct cstore *cs = NULL;
	struct diag d = {""};
	int rc = cstore_open(dir, &cs, &d);
	if (!rc)
		rc = cstore_each_alert(cs, print_alert, NULL, &d);
	if (rc)
		fprintf(stderr, "spean-center: %s\n", d.msg);
	cstore_close(cs);
	return rc ? 1 : 0;
}

/* ---- the office console: accounts, and the program that serves kiosks and staff ---- */

/* An account's password from stdin (read_secret_line): 0, or 2 with a message on stderr. */
static int read_password(char *out, size_t n)
{
	int rc = read_secret_line("password (10 characters or more): ", out, n);
	if (rc)
		return rc;
	size_t len = strlen(out);
	if (len >= n - 2) {
		fprintf(stderr, "spean-center: the password is longer than %zu bytes\n", n - 3);
		return 2;
	}
	if (len < 10) {
		fprintf(stderr, "spean-center: a password needs 10 characters or more (read from standard input)\n");
		return 2;
	}
	return 0;
}

static int print_user(void *ctx, const char *login, int role, int64_t created)
{
	(void)ctx;
	char day[16];
	time_t t = (time_t)created;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(day, sizeof day, "%Y-%m-%d", &tm);
	printf("%-32s %-9s %s\n", login, ostore_role_name(role), day);
	return 0;
}

static int cmd_user(const char *dir, const char *sub, const char *login, const char *role)
{
	struct ostore *os = NULL;
	struct diag d = {""};
	if (!sub || (strcmp(sub, "add") && strcmp(sub, "list")) || (!strcmp(sub, "add") && (!login || !role)) ||
	    (!strcmp(sub, "list") && login)) {
		fprintf(stderr, "spean-center: usage: user add --data-dir DIR --role director|officer|clerk LOGIN "
				"(password on stdin), or user list --data-dir DIR\n");
		return 2;
	}
	int r = -1;
	if (!strcmp(sub, "add")) {
		if ((r = ostore_role_find(role)) < 0) {
			fprintf(stderr, "spean-center: --role is director, officer or clerk, not '%s'\n", role);
			return 2;
		}
		if (!ostore_login_valid(login)) {
			fprintf(stderr, "spean-center: a login is 1 to %d of a-z 0-9 . _ -\n", OSTORE_LOGIN_MAX);
			return 2;
		}
	}
	if (ostore_open(dir, &os, &d)) {
		fprintf(stderr, "spean-center: %s\n", d.msg);
		return 1;
	}
	int rc = 0;
	if (!strcmp(sub, "list")) {
		if (ostore_user_each(os, print_user, NULL, &d)) {
			fprintf(stderr, "spean-center: %s\n", d.msg);
			rc = 1;
		}
	} else {
		char pw[258], hash[CRYPT_PIN_HASH];
		if ((rc = read_password(pw, sizeof pw)) == 0) {
			crypt_init();
			if (crypt_pin_hash(hash, pw) || ostore_user_add(os, login, r, hash, (int64_t)time(NULL), &d)) {
				fprintf(stderr, "spean-center: %s\n", d.msg[0] ? d.msg : "cannot hash the password");
				rc = 1;
			} else if (ostore_audit(os, (int64_t)time(NULL), "-", "user_added", login, &d)) {
				fprintf(stderr, "spean-center: %s\n", d.msg);
				rc = 1;
			} else
				printf("%s (%s) can log in to the console\n", login, ostore_role_name(r));
		}
		crypt_wipe(pw, sizeof pw);
		crypt_wipe(hash, sizeof hash);
	}
	ostore_close(os);
	return rc;
}

static void run_key_hook(void *ctx, const unsigned char *sk)
{
	center_service_set_box_sk(ctx, sk);
}

static int cmd_run(const char *dir, const char *content, const char *listen, int plain, const char *per_address,
		   const char *console_listen)
{
	char *e = NULL;
	unsigned long pa = per_address ? strtoul(per_address, &e, 10) : 0;
	if (per_address && (*e || !pa || pa > CENTER_SERVE_MAX_PER_ADDRESS)) {
		fprintf(stderr, "spean-center: run wants --per-address 1..%u (connections)\n", CENTER_SERVE_MAX_PER_ADDRESS);
		return 2;
	}
	sigset_t stop;
	center_serve_block_signals(&stop);
	/* A restore the director staged in the console: applied before anything is opened, then served. */
	for (;;) {
		struct diag d = {""};
		char before[64];
		int ar = center_restore_apply(dir, before, sizeof before, &d);
		if (ar && ar != ERR_NOTFOUND) {
			fprintf(stderr, "spean-center: the restore waiting in %s/%s: %s\n", dir, CENTER_RESTORE_PENDING, d.msg);
			return 1;
		}
		if (!ar) {
			printf("restored from a backup; the center as it was is in %s/%s\n", dir, before);
			fflush(stdout);
			struct ostore *os;
			if (ostore_open(dir, &os, &d) == 0) {
				ostore_audit(os, (int64_t)time(NULL), "spean-center", "restore_applied", before, &d);
				ostore_close(os);
			}
		}
		struct console *con = NULL;
		struct center_server *sv = NULL;
		int rc = console_start(dir, content, console_listen ? console_listen : CONSOLE_LISTEN, &con, &d);
		if (!rc && listen)
			rc = center_serve_start(dir, listen, plain, (unsigned)pa, &sv, &d);
		if (!rc && sv) /* the key the director unlocks in the console is the kiosks' service's too */
			console_set_key_hook(con, run_key_hook, center_serve_service(sv));
		if (rc) {
			fprintf(stderr, "spean-center: %s\n", d.msg);
			console_stop(con);
			return rc == ERR_INVAL ? 2 : 1;
		}
		int sig = 0;
		while (!console_restart_wanted(con)) {
			struct timespec second = {1, 0};
			sig = sigtimedwait(&stop, NULL, &second);
			if (sig == SIGTERM || sig == SIGINT)
				break;
			if (sv)
				center_serve_tick(sv);
		}
		center_serve_stop(sv);
		console_stop(con);
		if (sig == SIGTERM || sig == SIGINT)
			return 0;
		log_info("restart reason=restore");
	}
}

int center_main(int argc, char **argv)
{
	static char share_content[4096];
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))) {
		fputs(usage, stdout);
		fputs(usage2, stdout);
		return 0;
	}
	if (argc < 2) {
		fputs(usage, stderr);
		fputs(usage2, stderr);
		return 2;
	}
	const char *dir = NULL, *kiosk = NULL, *listen = NULL, *csv = NULL, *out = NULL, *label = NULL, *key = NULL,
		   *version = NULL, *serial = NULL, *kiosks = NULL, *poll = NULL, *per_address = NULL,
		   *console_listen = NULL, *role = NULL, *pos[2] = {NULL, NULL}, *from = NULL, *xlsx = NULL;
	int plain = 0;
	const char *content = getenv("SPEAN_CONTENT_DIR");
	if (!content || !*content)
		content = fs_share_path("content", share_content, sizeof share_content);
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--data-dir") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--kiosk") && i + 1 < argc)
			kiosk = argv[++i];
		else if (!strcmp(argv[i], "--listen") && i + 1 < argc)
			listen = argv[++i];
		else if (!strcmp(argv[i], "--csv") && i + 1 < argc)
			csv = argv[++i];
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--label") && i + 1 < argc)
			label = argv[++i];
		else if (!strcmp(argv[i], "--version") && i + 1 < argc)
			version = argv[++i];
		else if (!strcmp(argv[i], "--serial") && i + 1 < argc)
			serial = argv[++i];
		else if (!strcmp(argv[i], "--kiosks") && i + 1 < argc)
			kiosks = argv[++i];
		else if (!strcmp(argv[i], "--poll") && i + 1 < argc)
			poll = argv[++i];
		else if (!strcmp(argv[i], "--plain"))
			plain = 1;
		else if (!strcmp(argv[i], "--per-address") && i + 1 < argc)
			per_address = argv[++i];
		else if (!strcmp(argv[i], "--content") && i + 1 < argc)
			content = argv[++i];
		else if (!strcmp(argv[i], "--console-listen") && i + 1 < argc)
			console_listen = argv[++i];
		else if (!strcmp(argv[i], "--role") && i + 1 < argc)
			role = argv[++i];
		else if (!strcmp(argv[i], "--from") && i + 1 < argc)
			from = argv[++i];
		else if (!strcmp(argv[i], "--xlsx") && i + 1 < argc)
			xlsx = argv[++i];
		else if (argv[i][0] != '-' && !key && (!strcmp(argv[1], "enroll") || !strcmp(argv[1], "import")))
			key = argv[i];
		else if (argv[i][0] != '-' && (!strcmp(argv[1], "user") || !strcmp(argv[1], "key")) && (!pos[0] || !pos[1]))
			pos[pos[0] ? 1 : 0] = argv[i];
		else {
			fprintf(stderr, "spean-center: unexpected argument '%s' (see --help)\n", argv[i]);
			return 2;
		}
	}
	const char *cmd = argv[1];
	if (!dir) {
		fprintf(stderr, "spean-center: %s needs --data-dir DIR\n", cmd);
		return 2;
	}
	if (!strcmp(cmd, "init")) {
		struct center_keys k;
		struct diag d = {""};
		int rc = center_init(dir, &k, &d);
		struct cstore *cs = NULL;
		if (!rc)
			rc = cstore_open(dir, &cs, &d);
		cstore_close(cs);
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
	if (!strcmp(cmd, "open")) {
		if (!kiosk) {
			fprintf(stderr, "spean-center: open needs --kiosk KIOSKDIR\n");
			return 2;
		}
		return cmd_open(dir, kiosk);
	}
	if (!strcmp(cmd, "enroll"))
		return cmd_enroll(dir, key, label);
	if (!strcmp(cmd, "serve")) {
		if (!listen) {
			fprintf(stderr, "spean-center: serve needs --listen ADDR:PORT (e.g. 0.0.0.0:8443)\n");
			return 2;
		}
		char *e = NULL;
		unsigned long pa = per_address ? strtoul(per_address, &e, 10) : 0;
		if (per_address && (*e || !pa || pa > CENTER_SERVE_MAX_PER_ADDRESS)) {
			fprintf(stderr, "spean-center: serve wants --per-address 1..%u (connections)\n", CENTER_SERVE_MAX_PER_ADDRESS);
			return 2;
		}
		struct diag d = {""};
		int rc = center_serve(dir, listen, plain, (unsigned)pa, &d);
		if (rc)
			fprintf(stderr, "spean-center: %s\n", d.msg);
		return rc == ERR_INVAL ? 2 : rc ? 1 : 0;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(dir, content, listen, plain, per_address, console_listen);
	if (!strcmp(cmd, "user"))
		return cmd_user(dir, pos[0], pos[1], role);
	if (!strcmp(cmd, "key"))
		return cmd_key(dir, pos[0]);
	if (!strcmp(cmd, "backup") || !strcmp(cmd, "restore"))
		return cmd_backup(dir, !strcmp(cmd, "backup") ? out : from, !strcmp(cmd, "backup"));
	if (!strcmp(cmd, "usb")) {
		char *e1 = NULL, *e2 = NULL;
		unsigned long n = kiosks ? strtoul(kiosks, &e1, 10) : 0, ms = poll ? strtoul(poll, &e2, 10) : 0;
		if ((kiosks && (*e1 || !n || n > 100000)) || (poll && (*e2 || ms < 10 || ms > 60000))) {
			fprintf(stderr, "spean-center: usb wants --kiosks 1..100000 and --poll 10..60000 (ms)\n");
			return 2;
		}
		struct diag d = {""};
		unsigned long refused = 0;
		int rc = center_usb(dir, serial, (unsigned)n, (int)ms, &refused, &d);
		if (rc)
			fprintf(stderr, "spean-center: %s\n", d.msg);
		return rc ? 1 : refused ? 3 : 0;
	}
	if (!strcmp(cmd, "export")) {
		if (!csv == !xlsx) {
			fprintf(stderr, "spean-center: export needs --csv FILE or --xlsx FILE\n");
			return 2;
		}
		return xlsx ? cmd_export_xlsx(dir, xlsx, content) : cmd_export(dir, csv, content);
	}
	if (!strcmp(cmd, "forms")) {
		if (!out) {
			fprintf(stderr, "spean-center: forms needs --out DIR\n");
			return 2;
		}
		return cmd_forms(dir, out, content);
	}
	if (!strcmp(cmd, "stats"))
		return cmd_stats(dir, content);
	if (!strcmp(cmd, "status"))
		return cmd_status(dir);
	if (!strcmp(cmd, "check"))
		return cmd_check(dir);
	if (!strcmp(cmd, "alerts"))
		return cmd_alerts(dir);
	if (!strcmp(cmd, "pack"))
		return cmd_pack(dir, content, version);
	if (!strcmp(cmd, "import")) {
		if (!key) {
			fprintf(stderr, "spean-center: import needs the stick's directory: spean-center import --data-dir DIR STICKDIR\n");
			return 2;
		}
		return cmd_import(dir, key);
	}
	fprintf(stderr, "spean-center: unknown command '%s' (see --help)\n", cmd);
	return 2;
}

#define LOG_MODULE "backup"
/*
 * sync/center/backup: see backup.h for the format. Files are streamed a
 * megabyte at a time (a center.db at 100,000 requests is about 200 MiB),
 * written to "OUT.part" (O_EXCL) and renamed once synced. A restore reads
 * the same way and writes each file new, relative to the data dir's handle.
 */
#include "backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "center.h"
#include "crypt.h"
#include "cstore.h"
#include "fs.h"
#include "log.h"
#include "mem.h"
#include "ostore.h"
#include "tls.h"

/* What a backup carries, in this order; the databases are copied online, the rest read as they are. */
static const char *const names[] = {CSTORE_DB_NAME,	OSTORE_DB_NAME,	  CENTER_SECRET_FILE, CENTER_LOCKED_FILE,
				    CENTER_SIGN_FILE,	CENTER_PUBLIC_FILE, CENTER_TLS_CERT,   CENTER_TLS_KEY,
				    CENTER_PACK_FILE, CENTER_DRAFT_SAVED};
#define NNAMES (sizeof names / sizeof names[0])
#define BACKUP_MAX_FILE (64ull << 30)

int backup_name_allowed(const char *name, size_t n)
{
	for (size_t i = 0; i < NNAMES; i++)
		if (strlen(names[i]) == n && !memcmp(names[i], name, n))
			return 1;
	return 0;
}

static void le64_put(unsigned char *b, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t le64_get(const unsigned char *b)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

int backup_record_parse(const unsigned char *rec, size_t n, struct backup_record *out, struct diag *d)
{
	memset(out, 0, sizeof *out);
	if (!n) {
		diag_set(d, "an empty record");
		return ERR_PARSE;
	}
	out->kind = (char)rec[0];
	if (out->kind == 'E') {
		if (n != 1) {
			diag_set(d, "an end record with bytes after it");
			return ERR_PARSE;
		}
		return 0;
	}
	if (out->kind == 'D') {
		out->data = rec + 1;
		out->len = n - 1;
		return 0;
	}
	if (out->kind != 'F') {
		diag_set(d, "a record of unknown kind 0x%02x", rec[0]);
		return ERR_PARSE;
	}
	if (n < 2 || n < 2u + rec[1] + 8u) {
		diag_set(d, "a file record cut short");
		return ERR_PARSE;
	}
	out->name = (const char *)rec + 2;
	out->name_len = rec[1];
	if (!backup_name_allowed(out->name, out->name_len)) {
		diag_set(d, "a file a backup does not hold");
		return ERR_PARSE;
	}
	out->size = le64_get(rec + 2 + rec[1]);
	if (out->size > BACKUP_MAX_FILE) {
		diag_set(d, "a file over 64 GiB");
		return ERR_PARSE;
	}
	out->data = rec + 2 + rec[1] + 8;
	out->len = n - 2 - rec[1] - 8;
	if (out->len > out->size) {
		diag_set(d, "a file record with more bytes than its size");
		return ERR_PARSE;
	}
	return 0;
}

/* Seal one record and append it, length first, to f. */
static int put(FILE *f, struct crypt_stream *s, const unsigned char *rec, size_t n, int final)
{
	struct buf c;
	buf_init(&c);
	crypt_stream_seal(s, rec, n, final, &c);
	unsigned char len[4] = {(unsigned char)c.len, (unsigned char)(c.len >> 8), (unsigned char)(c.len >> 16),
				(unsigned char)(c.len >> 24)};
	int ok = fwrite(len, 1, 4, f) == 4 && fwrite(c.data, 1, c.len, f) == c.len;
	buf_finish(&c);
	return ok ? 0 : ERR_IO;
}

/* One file into the stream: its name and size, then its bytes a chunk at a time. */
static int put_file(FILE *f, struct crypt_stream *s, const char *name, const char *path, struct diag *d)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		diag_set(d, "%s: cannot read it", path);
		if (fd >= 0)
			close(fd);
		return ERR_IO;
	}
	size_t nl = strlen(name);
	unsigned char *rec = xmalloc(BACKUP_CHUNK + 2 + 255 + 8);
	rec[0] = 'F';
	rec[1] = (unsigned char)nl;
	memcpy(rec + 2, name, nl);
	le64_put(rec + 2 + nl, (uint64_t)st.st_size);
	size_t head = 2 + nl + 8, have = head;
	uint64_t left = (uint64_t)st.st_size;
	int rc = 0;
	for (;;) {
		size_t want = left < BACKUP_CHUNK ? (size_t)left : BACKUP_CHUNK;
		size_t got = 0;
		while (got < want) {
			ssize_t k = read(fd, rec + have + got, want - got);
			if (k <= 0) {
				diag_set(d, "%s: it changed while it was read", path);
				rc = ERR_IO;
				break;
			}
			got += (size_t)k;
		}
		if (rc || (rc = put(f, s, rec, have + got, 0)))
			break;
		left -= got;
		if (!left)
			break;
		rec[0] = 'D';
		have = 1;
	}
	crypt_wipe(rec, BACKUP_CHUNK + 2 + 255 + 8);
	free(rec);
	close(fd);
	return rc;
}

int center_backup(const char *dir, const char *out, const char *pass, unsigned *files, struct diag *d)
{
	*files = 0;
	crypt_init();
	if (strlen(pass) < CENTER_PASSPHRASE_MIN) {
		diag_set(d, "a backup's passphrase has %d characters or more", CENTER_PASSPHRASE_MIN);
		return ERR_INVAL;
	}
	if (fs_exists(out)) {
		diag_set(d, "%s is there already; a backup never replaces a file", out);
		return ERR_EXISTS;
	}
	/* The databases first, each copied online into a temporary file beside them. */
	char *tmp[2] = {fs_join(dir, ".backup-" CSTORE_DB_NAME), fs_join(dir, ".backup-" OSTORE_DB_NAME)};
	char *draft = fs_join(dir, ".backup-" CENTER_DRAFT_SAVED);
	unlink(tmp[0]);
	unlink(tmp[1]);
	unlink(draft);
	struct cstore *cs = NULL;
	struct ostore *os = NULL;
	int rc = cstore_open(dir, &cs, d);
	if (!rc)
		rc = cstore_backup(cs, tmp[0], d);
	cstore_close(cs);
	if (!rc)
		rc = ostore_open(dir, &os, d);
	if (!rc)
		rc = ostore_backup(os, tmp[1], d);
	ostore_close(os);
	/* The console's draft (text files and recordings not yet published), as one file. */
	int have_draft = 0;
	if (!rc) {
		rc = center_draft_save(dir, draft, d);
		have_draft = !rc;
		if (rc == ERR_NOTFOUND)
			rc = 0;
	}
	char *part = NULL;
	FILE *f = NULL;
	struct crypt_stream *s = NULL;
	unsigned char header[CRYPT_STREAM_HEADER];
	if (!rc && crypt_stream_seal_begin(pass, strlen(pass), header, &s)) {
		diag_set(d, "not enough memory to derive the key from the passphrase (256 MiB)");
		rc = ERR_IO;
	}
	if (!rc) {
		size_t pl = strlen(out) + 6;
		part = xmalloc(pl);
		snprintf(part, pl, "%s.part", out);
		int fd = open(part, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 || !(f = fdopen(fd, "wb"))) {
			diag_set(d, "%s: cannot create it (%s)", part, strerror(errno));
			if (fd >= 0)
				close(fd);
			rc = ERR_IO;
		}
	}
	if (!rc && (fwrite(BACKUP_MAGIC, 1, strlen(BACKUP_MAGIC), f) != strlen(BACKUP_MAGIC) ||
		    fwrite(header, 1, sizeof header, f) != sizeof header))
		rc = ERR_IO;
	for (size_t i = 0; !rc && i < NNAMES; i++) {
		int saved = !strcmp(names[i], CENTER_DRAFT_SAVED);
		char *path = i < 2 ? xstrdup(tmp[i]) : saved ? xstrdup(draft) : fs_join(dir, names[i]);
		if (i < 2 || (saved ? have_draft : fs_exists(path))) {
			rc = put_file(f, s, names[i], path, d);
			*files += !rc;
		}
		free(path);
	}
	if (!rc) {
		unsigned char e = 'E';
		rc = put(f, s, &e, 1, 1);
	}
	if (f) {
		if (!rc && (fflush(f) || fsync(fileno(f))))
			rc = ERR_IO;
		fclose(f);
	}
	if (rc == ERR_IO && !d->msg[0])
		diag_set(d, "%s: cannot write it", part ? part : out);
	if (!rc && rename(part, out)) {
		diag_set(d, "%s: cannot rename it (%s)", out, strerror(errno));
		rc = ERR_IO;
	}
	if (part && rc)
		unlink(part);
	free(part);
	crypt_stream_free(s);
	for (int i = 0; i < 2; i++) {
		unlink(tmp[i]);
		free(tmp[i]);
	}
	unlink(draft);
	free(draft);
	if (!rc)
		log_info("backup_written files=%u", *files);
	return rc;
}

static int read_exact(FILE *f, void *b, size_t n)
{
	return fread(b, 1, n, f) == n ? 0 : -1;
}

/* dir absent or empty: made (0700) and opened; ERR_EXISTS if it holds anything. */
static int empty_dir(const char *dir, struct diag *d)
{
	DIR *dd = opendir(dir);
	if (dd) {
		struct dirent *e;
		int any = 0;
		while ((e = readdir(dd)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				any = 1;
		closedir(dd);
		if (any) {
			diag_set(d, "%s is not empty: a restore never overwrites a center (move it aside first)", dir);
			return ERR_EXISTS;
		}
	} else if (fs_mkdir_p(dir, 0700, d))
		return ERR_IO;
	return fs_dir_open(dir, d);
}

int center_restore(const char *file, const char *dir, const char *pass, unsigned *files, struct diag *d)
{
	*files = 0;
	crypt_init();
	int fdin = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FILE *f = fdin >= 0 ? fdopen(fdin, "rb") : NULL;
	if (!f) {
		diag_set(d, "%s: cannot read it", file);
		if (fdin >= 0)
			close(fdin);
		return ERR_IO;
	}
	char magic[sizeof BACKUP_MAGIC - 1];
	unsigned char header[CRYPT_STREAM_HEADER];
	struct crypt_stream *s = NULL;
	int rc = 0;
	if (read_exact(f, magic, sizeof magic) || memcmp(magic, BACKUP_MAGIC, sizeof magic) ||
	    read_exact(f, header, sizeof header)) {
		diag_set(d, "%s: not a Spean center backup", file);
		rc = ERR_PARSE;
	}
	if (!rc && (rc = crypt_stream_open_begin(pass, strlen(pass), header, &s)))
		diag_set(d, rc == ERR_PARSE ? "%s: not a backup this Spean can open" : "%s: not enough memory for its key", file);
	int dfd = -1;
	if (!rc && (dfd = empty_dir(dir, d)) < 0)
		rc = dfd;
	int written[NNAMES] = {0};
	int out = -1, final = 0;
	size_t cur = NNAMES;
	uint64_t size = 0, got = 0;
	struct buf rec;
	buf_init(&rec);
	unsigned char *c = xmalloc(BACKUP_CHUNK + 512);
	while (!rc && !final) {
		unsigned char lb[4];
		if (read_exact(f, lb, 4)) {
			diag_set(d, "%s: cut short (no end record)", file);
			rc = ERR_CRYPTO;
			break;
		}
		size_t n = (size_t)lb[0] | (size_t)lb[1] << 8 | (size_t)lb[2] << 16 | (size_t)lb[3] << 24;
		if (n > BACKUP_CHUNK + 512 || read_exact(f, c, n)) {
			diag_set(d, "%s: a record too long or cut short", file);
			rc = ERR_CRYPTO;
			break;
		}
		rec.len = 0;
		if (crypt_stream_open(s, c, n, &rec, &final)) {
			diag_set(d, "%s: wrong passphrase, or the file was changed", file);
			rc = ERR_CRYPTO;
			break;
		}
		struct backup_record r;
		if ((rc = backup_record_parse((const unsigned char *)rec.data, rec.len, &r, d)))
			break;
		if (r.kind != 'D' && out >= 0) { /* the file before must be whole */
			if (got != size || fsync(out)) {
				diag_set(d, "%s: %s is not whole", file, names[cur]);
				rc = ERR_PARSE;
				break;
			}
			close(out);
			out = -1;
		}
		if (r.kind == 'E') {
			if (!final) {
				diag_set(d, "%s: an end record that is not the last", file);
				rc = ERR_PARSE;
			}
			break;
		}
		if (r.kind == 'F') {
			for (cur = 0; cur < NNAMES; cur++)
				if (strlen(names[cur]) == r.name_len && !memcmp(names[cur], r.name, r.name_len))
					break;
			if (written[cur]) {
				diag_set(d, "%s: %s twice", file, names[cur]);
				rc = ERR_PARSE;
				break;
			}
			unsigned mode = !strcmp(names[cur], CENTER_PUBLIC_FILE) || !strcmp(names[cur], CENTER_TLS_CERT) ? 0644 : 0600;
			out = openat(dfd, names[cur], O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
			if (out < 0) {
				diag_set(d, "%s/%s: cannot create it (%s)", dir, names[cur], strerror(errno));
				rc = ERR_IO;
				break;
			}
			written[cur] = 1;
			(*files)++;
			size = r.size;
			got = 0;
		} else if (out < 0) {
			diag_set(d, "%s: data before any file", file);
			rc = ERR_PARSE;
			break;
		}
		if (got + r.len > size) {
			diag_set(d, "%s: %s longer than its size", file, names[cur]);
			rc = ERR_PARSE;
			break;
		}
		if (fs_write_all(out, r.data, r.len)) {
			diag_set(d, "%s/%s: cannot write it", dir, names[cur]);
			rc = ERR_IO;
			break;
		}
		got += r.len;
	}
	if (out >= 0)
		close(out);
	if (!rc && (!written[0] || !written[4] || !written[5] || (!written[2] && !written[3]))) {
		diag_set(d, "%s: a backup without the database, the card or the keys", file);
		rc = ERR_PARSE;
	}
	if (rc && dfd >= 0) /* nothing half restored stays behind */
		for (size_t i = 0; i < NNAMES; i++)
			if (written[i])
				unlinkat(dfd, names[i], 0);
	if (!rc && fsync(dfd))
		rc = ERR_IO;
	if (dfd >= 0)
		close(dfd);
	crypt_wipe(c, BACKUP_CHUNK + 512);
	free(c);
	buf_finish_wipe(&rec);
	crypt_stream_free(s);
	fclose(f);
	if (!rc)
		log_info("restored files=%u", *files);
	return rc;
}

/* ---- a restore from the console: staged beside the live center, applied at the next start ---- */

/* What makes the live center beside the backup's names: the epoch, the databases' logs, the draft. */
static const char *const live_extra[] = {CSTORE_HW_NAME,	CSTORE_DB_NAME "-wal", CSTORE_DB_NAME "-shm",
					 CSTORE_DB_NAME "-journal", OSTORE_DB_NAME "-wal", OSTORE_DB_NAME "-shm",
					 OSTORE_DB_NAME "-journal", CENTER_DRAFT_DIR};
#define NEXTRA (sizeof live_extra / sizeof live_extra[0])

/* Remove a staging dir a cut left: it holds only files a restore writes (names[]). */
static void clear_staging(const char *path)
{
	for (size_t i = 0; i < NNAMES; i++) {
		char *p = fs_join(path, names[i]);
		unlink(p);
		free(p);
	}
	rmdir(path);
}

int center_restore_stage(const char *dir, const char *file, const char *pass, unsigned *files, struct diag *d)
{
	char *pending = fs_join(dir, CENTER_RESTORE_PENDING), *part = fs_join(dir, CENTER_RESTORE_PENDING ".part");
	int rc = 0;
	if (fs_exists(pending)) {
		diag_set(d, "a restore is already waiting in %s: it is applied when the center starts", pending);
		rc = ERR_EXISTS;
	}
	if (!rc) {
		clear_staging(part);
		rc = center_restore(file, part, pass, files, d);
	}
	if (!rc && (rename(part, pending) || fs_sync_dir(dir))) {
		diag_set(d, "%s: cannot rename it (%s)", part, strerror(errno));
		rc = ERR_IO;
	}
	if (rc && rc != ERR_EXISTS)
		clear_staging(part);
	free(pending);
	free(part);
	return rc;
}

/* rename dir/name to to/name if it is there: 0, or ERR_IO. */
static int move_if_there(const char *from, const char *to, const char *name, struct diag *d)
{
	char *a = fs_join(from, name), *b = fs_join(to, name);
	int rc = 0;
	struct stat st;
	if (!lstat(a, &st) && rename(a, b)) {
		diag_set(d, "%s: cannot move it to %s (%s)", a, to, strerror(errno));
		rc = ERR_IO;
	}
	free(a);
	free(b);
	return rc;
}

/*
 * Each step is a rename and the order makes a cut harmless: (1) everything live moves into the
 * before-restore dir named in the staging dir's ".before", then ".out" is written; (2) each staged
 * file moves in; (3) the staging dir goes. Started again after a cut, a done step finds nothing to do.
 */
int center_restore_apply(const char *dir, char *before, size_t n, struct diag *d)
{
	char *pending = fs_join(dir, CENTER_RESTORE_PENDING);
	char *mark = fs_join(pending, ".before"), *out = fs_join(pending, ".out");
	struct buf b;
	buf_init(&b);
	int rc = fs_exists(pending) ? 0 : ERR_NOTFOUND;
	if (!rc && fs_read_file(mark, 256, &b, d) == 0 && b.len) {
		snprintf(before, n, "%.*s", (int)b.len, b.data);
	} else if (!rc) {
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(before, n, "before-restore-%Y%m%d-%H%M%S", &tm);
		rc = fs_write_durable(mark, before, strlen(before), 0600, d);
	}
	char *bdir = rc ? NULL : fs_join(dir, before);
	if (!rc && !fs_exists(out)) {
		rc = fs_mkdir_p(bdir, 0700, d);
		for (size_t i = 0; !rc && i < NNAMES; i++)
			rc = move_if_there(dir, bdir, names[i], d);
		for (size_t i = 0; !rc && i < NEXTRA; i++)
			rc = move_if_there(dir, bdir, live_extra[i], d);
		if (!rc)
			rc = fs_sync_dir(dir) || fs_sync_dir(bdir) ? ERR_IO : fs_write_durable(out, "1", 1, 0600, d);
	}
	for (size_t i = 0; !rc && i < NNAMES; i++)
		rc = move_if_there(pending, dir, names[i], d);
	if (!rc) {
		unlink(mark);
		unlink(out);
		if (rmdir(pending) || fs_sync_dir(dir)) {
			diag_set(d, "%s: cannot remove it (%s)", pending, strerror(errno));
			rc = ERR_IO;
		}
	}
	if (!rc)
		log_info("restore_applied before=%s", before);
	buf_finish(&b);
	free(bdir);
	free(mark);
	free(out);
	free(pending);
	return rc;
}

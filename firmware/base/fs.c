#include "fs.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Append what fd holds to b until the end of the file or until more than
 * limit bytes came (*got says how many; the caller judges). 0 or a code with
 * d set (shown names the file).
 */
static int read_to_end(int fd, size_t limit, struct buf *b, const char *shown, size_t *got, struct diag *d)
{
	*got = 0;
	for (;;) {
		if (b->cap - b->len < 2)
			buf_reserve(b, 4096);
		ssize_t n = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			diag_set(d, "%s: read failed: %s", shown, strerror(e));
			return err_from_errno(e);
		}
		if (n == 0)
			return 0;
		b->len += (size_t)n;
		*got += (size_t)n;
		b->data[b->len] = '\0';
		if (*got > limit)
			return 0;
	}
}

int fs_read_file(const char *path, size_t max, struct buf *b, struct diag *d)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		diag_set(d, "%s: cannot open: %s", path, strerror(e));
		return err_from_errno(e);
	}
	size_t got;
	buf_reserve(b, 4096);
	int rc = read_to_end(fd, max, b, path, &got, d);
	if (!rc && got > max) {
		diag_set(d, "%s: larger than the limit of %zu bytes", path, max);
		rc = ERR_TOOBIG;
	}
	close(fd);
	return rc;
}

int fs_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_from_errno(errno);
	int rc = fsync(fd) ? err_from_errno(errno) : 0;
	close(fd);
	return rc;
}

int fs_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static const char *shown_or(const char *shown, const char *name)
{
	return shown ? shown : name;
}

const char *fs_kind_at(int dirfd, const char *name)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return "nothing";
	if (S_ISLNK(st.st_mode))
		return "a link";
	if (S_ISFIFO(st.st_mode))
		return "a FIFO";
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		return "a device";
	if (S_ISSOCK(st.st_mode))
		return "a socket";
	if (S_ISDIR(st.st_mode))
		return "a directory";
	return "a file";
}

int fs_write_at(int dirfd, const char *name, const void *data, size_t len, unsigned mode, const char *shown,
		struct diag *d)
{
	shown = shown_or(shown, name);
	char tmp[sizeof FS_TMP_PREFIX + 16];
	int fd = -1, e = 0;
	/* A fresh file under a name nobody can guess: O_EXCL|O_NOFOLLOW never opens what was planted. */
	for (int tries = 0; fd < 0 && tries < 8; tries++) {
		unsigned char r[8];
		if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
			e = errno;
			break;
		}
		int n = snprintf(tmp, sizeof tmp, "%s", FS_TMP_PREFIX);
		for (size_t i = 0; i < sizeof r; i++)
			n += snprintf(tmp + n, sizeof tmp - (size_t)n, "%02x", r[i]);
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, (mode_t)mode);
		e = fd < 0 ? errno : 0;
		if (fd < 0 && e != EEXIST)
			break;
	}
	if (fd < 0) {
		diag_set(d, "%s: cannot create: %s", shown, strerror(e));
		return err_from_errno(e);
	}
	if (fs_write_all(fd, data, len) || fsync(fd)) {
		e = errno;
		diag_set(d, "%s: write failed: %s", shown, strerror(e));
		close(fd);
		unlinkat(dirfd, tmp, 0);
		return err_from_errno(e);
	}
	if (close(fd)) {
		e = errno;
		diag_set(d, "%s: close failed: %s", shown, strerror(e));
		unlinkat(dirfd, tmp, 0);
		return err_from_errno(e);
	}
	/* rename replaces whatever entry is at name (a link too) and never follows it. */
	if (renameat(dirfd, tmp, dirfd, name)) {
		e = errno;
		diag_set(d, "%s: rename failed: %s", shown, strerror(e));
		unlinkat(dirfd, tmp, 0);
		return err_from_errno(e);
	}
	if (fsync(dirfd)) {
		e = errno;
		diag_set(d, "%s: directory sync failed: %s", shown, strerror(e));
		return err_from_errno(e);
	}
	return 0;
}

int fs_write_durable(const char *path, const void *data, size_t len, unsigned mode, struct diag *d)
{
	char *dcopy = xstrdup(path), *bcopy = xstrdup(path);
	int rc, dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		rc = err_from_errno(errno);
		diag_set(d, "%s: cannot open its directory: %s", path, strerror(errno));
	} else {
		rc = fs_write_at(dfd, basename(bcopy), data, len, mode, path, d);
		close(dfd);
	}
	free(dcopy);
	free(bcopy);
	return rc;
}

int fs_dir_open(const char *path, struct diag *d)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		diag_set(d, "%s: cannot open the directory: %s", path, strerror(e));
		return err_from_errno(e);
	}
	return fd;
}

int fs_subdir_open(int dirfd, const char *name, int create, unsigned mode, const char *shown, struct diag *d)
{
	shown = shown_or(shown, name);
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
	int fd = openat(dirfd, name, flags);
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(dirfd, name, (mode_t)mode) && errno != EEXIST) {
			int e = errno;
			diag_set(d, "%s: cannot create the directory: %s", shown, strerror(e));
			return err_from_errno(e);
		}
		fd = openat(dirfd, name, flags);
	}
	if (fd >= 0)
		return fd;
	int e = errno;
	if (e == ENOENT) {
		diag_set(d, "%s: no such directory", shown);
		return ERR_NOTFOUND;
	}
	if (e == ELOOP || e == ENOTDIR) {
		diag_set(d, "%s is %s, not a directory: refused", shown, fs_kind_at(dirfd, name));
		return ERR_REFUSED;
	}
	diag_set(d, "%s: cannot open the directory: %s", shown, strerror(e));
	return err_from_errno(e);
}

int fs_open_at(int dirfd, const char *name, size_t max, size_t *size, const char *shown, struct diag *d)
{
	shown = shown_or(shown, name);
	struct stat st, at;
	/* What is there decides before anything is opened: a FIFO would block, a device would be touched. */
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		int e = errno;
		diag_set(d, "%s: cannot open: %s", shown, strerror(e));
		return err_from_errno(e);
	}
	if (!S_ISREG(st.st_mode)) {
		diag_set(d, "%s is %s, not a file: refused", shown, fs_kind_at(dirfd, name));
		return ERR_REFUSED;
	}
	if ((unsigned long long)st.st_size > max) {
		diag_set(d, "%s: larger than the limit of %zu bytes", shown, max);
		return ERR_TOOBIG;
	}
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		diag_set(d, "%s: cannot open: %s", shown, strerror(e));
		return e == ELOOP ? ERR_REFUSED : err_from_errno(e);
	}
	if (fstat(fd, &at) || !S_ISREG(at.st_mode) || at.st_ino != st.st_ino || at.st_dev != st.st_dev ||
	    (unsigned long long)at.st_size > max) {
		diag_set(d, "%s was replaced while it was opened: refused", shown);
		close(fd);
		return ERR_REFUSED;
	}
	*size = (size_t)at.st_size;
	return fd;
}

int fs_read_at(int dirfd, const char *name, size_t max, struct buf *b, const char *shown, struct diag *d)
{
	shown = shown_or(shown, name);
	size_t want, got, base = b->len;
	int fd = fs_open_at(dirfd, name, max, &want, shown, d);
	if (fd < 0)
		return fd;
	/* Room for all fstat said and one byte more, to see a file that grows while it is read. */
	buf_reserve(b, want + 1);
	int rc = read_to_end(fd, want, b, shown, &got, d);
	struct stat at;
	if (!rc && (got != want || fstat(fd, &at) || (size_t)at.st_size != want)) {
		diag_set(d, "%s changed while it was read (%zu bytes, then %zu): refused", shown, want, got);
		rc = ERR_PARSE;
	}
	if (rc)
		b->len = base;
	close(fd);
	return rc;
}

int fs_mkdir_p(const char *path, unsigned mode, struct diag *d)
{
	char *p = xstrdup(path);
	int rc = 0;
	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, (mode_t)mode) && errno != EEXIST) {
				rc = err_from_errno(errno);
				diag_set(d, "%s: cannot create directory: %s", p, strerror(errno));
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return rc;
}

int fs_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

char *fs_join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = xmalloc(a + b + 2);
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, name, b + 1);
	return p;
}

#ifndef SPEAN_SHARE_DIR
#define SPEAN_SHARE_DIR "/usr/share/spean"
#endif

const char *fs_share_path(const char *sub, char *buf, size_t n)
{
	const char *e = getenv("SPEAN_SHARE_DIR");
	snprintf(buf, n, "%s/%s", e && *e ? e : SPEAN_SHARE_DIR, sub);
	return buf;
}

int fs_read_in(const char *dir, const char *name, size_t max, struct buf *b, struct diag *d)
{
	char *p = fs_join(dir, name);
	int rc = fs_read_file(p, max, b, d);
	free(p);
	return rc;
}

unsigned long long fs_read_number(const char *dir, const char *name)
{
	struct buf b;
	struct diag d;
	buf_init(&b);
	unsigned long long v = 0;
	if (fs_read_in(dir, name, 64, &b, &d) == 0 && b.data && b.data[0] >= '0' && b.data[0] <= '9')
		v = strtoull(b.data, NULL, 10);
	buf_finish(&b);
	return v;
}

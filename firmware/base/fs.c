#include "fs.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_read_file(const char *path, size_t max, struct buf *b, struct diag *d)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		diag_set(d, "%s: cannot open: %s", path, strerror(e));
		return err_from_errno(e);
	}
	int rc = 0;
	for (;;) {
		buf_reserve(b, 4096);
		ssize_t n = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			diag_set(d, "%s: read failed: %s", path, strerror(e));
			rc = err_from_errno(e);
			break;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		b->data[b->len] = '\0';
		if (b->len > max) {
			diag_set(d, "%s: larger than the limit of %zu bytes", path, max);
			rc = ERR_TOOBIG;
			break;
		}
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

int fs_write_durable(const char *path, const void *data, size_t len, unsigned mode, struct diag *d)
{
	struct buf tmp;
	buf_init(&tmp);
	buf_printf(&tmp, "%s.tmp", path);
	int rc = 0;
	int fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
	if (fd < 0) {
		rc = err_from_errno(errno);
		diag_set(d, "%s: cannot create: %s", tmp.data, strerror(errno));
		goto out;
	}
	if (fs_write_all(fd, data, len) || fsync(fd)) {
		int e = errno;
		rc = err_from_errno(e);
		diag_set(d, "%s: write failed: %s", tmp.data, strerror(e));
		close(fd);
		unlink(tmp.data);
		goto out;
	}
	if (close(fd)) {
		rc = err_from_errno(errno);
		diag_set(d, "%s: close failed: %s", tmp.data, strerror(errno));
		unlink(tmp.data);
		goto out;
	}
	if (rename(tmp.data, path)) {
		rc = err_from_errno(errno);
		diag_set(d, "%s: rename failed: %s", path, strerror(errno));
		unlink(tmp.data);
		goto out;
	}
	char *dcopy = xstrdup(path);
	rc = fs_sync_dir(dirname(dcopy));
	free(dcopy);
	if (rc)
		diag_set(d, "%s: directory sync failed", path);
out:
	buf_finish(&tmp);
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

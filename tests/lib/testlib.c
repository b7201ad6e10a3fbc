#include "testlib.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int t_failures;
int t_checks;

void t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	t_failures++;
	fprintf(stderr, "FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int t_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, t_checks, t_failures);
	return t_failures ? 1 : 0;
}

char *t_tmpdir(const char *tag)
{
	const char *base = getenv("TMPDIR");
	char tmpl[512];
	snprintf(tmpl, sizeof tmpl, "%s/spean-%s-XXXXXX", base && *base ? base : "/tmp", tag);
	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		exit(2);
	}
	return xstrdup(tmpl);
}

void t_rmtree(const char *dir)
{
	struct stat ds;
	if (lstat(dir, &ds))
		return;
	if (!S_ISDIR(ds.st_mode)) { /* a link (never followed: its target is not ours to remove), FIFO or file */
		unlink(dir);
		return;
	}
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char p[4096];
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		struct stat st;
		if (!lstat(p, &st) && S_ISDIR(st.st_mode))
			t_rmtree(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

const char *t_env(const char *name)
{
	const char *v = getenv(name);
	if (!v) {
		fprintf(stderr, "test needs %s in the environment (run through ctest)\n", name);
		exit(2);
	}
	return v;
}

void t_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

char *t_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b;
	buf_init(&b);
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		buf_append(&b, tmp, n);
	fclose(f);
	if (!b.data)
		buf_append(&b, "", 0);
	if (len)
		*len = b.len;
	return b.data;
}

char *t_read_repo(const char *rel, size_t *len)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/%s", t_env("SPEAN_SOURCE_DIR"), rel);
	char *t = t_read(p, len);
	if (!t) {
		fprintf(stderr, "cannot read %s\n", p);
		exit(2);
	}
	return t;
}

int t_run(char *const argv[], char **out, char **err)
{
	int po[2], pe[2];
	if (pipe(po) || pipe(pe)) {
		perror("pipe");
		exit(2);
	}
	pid_t pid = fork();
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		close(po[1]);
		close(pe[1]);
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	struct buf bo, be;
	buf_init(&bo);
	buf_init(&be);
	struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
	int open_fds = 2;
	while (open_fds) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP)))
				continue;
			char tmp[4096];
			ssize_t n = read(fds[i].fd, tmp, sizeof tmp);
			if (n <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			} else {
				buf_append(i ? &be : &bo, tmp, (size_t)n);
			}
		}
	}
	int st;
	waitpid(pid, &st, 0);
	buf_append(&bo, "", 0);
	buf_append(&be, "", 0);
	if (out)
		*out = bo.data;
	else
		buf_finish(&bo);
	if (err)
		*err = be.data;
	else
		buf_finish(&be);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int t_file_contains(const char *path, const void *needle, size_t n)
{
	size_t len;
	char *data = t_read(path, &len);
	if (!data)
		return 0;
	int found = n <= len && memmem(data, len, needle, n) != NULL;
	free(data);
	return found;
}

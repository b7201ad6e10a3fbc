#define LOG_MODULE "packdir"
#include "packdir.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "mem.h"

void packdir_add(struct packdir *p, const char *name, const void *data, size_t len)
{
	p->f = xrealloc(p->f, sizeof *p->f * (p->n + 1));
	char *copy = xmalloc(len ? len : 1);
	if (len)
		memcpy(copy, data, len);
	p->f[p->n++] = (struct content_file){xstrdup(name), copy, len};
}

const struct content_file *packdir_find(const struct packdir *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->f[i].name, name))
			return &p->f[i];
	return NULL;
}

void packdir_finish(struct packdir *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free((char *)p->f[i].name);
		free((void *)p->f[i].data);
	}
	free(p->f);
	p->f = NULL;
	p->n = 0;
}

/* Content authors keep scripts, notes and source lists beside the files: never part of a pack. */
static int skipped(const char *name)
{
	size_t nl = strlen(name);
	return name[0] == '.' || (nl > 3 && !strcmp(name + nl - 3, ".sh")) || (nl > 3 && !strcmp(name + nl - 3, ".md")) ||
	       (nl > 5 && !strcmp(name + nl - 5, ".list"));
}

static int walk(struct packdir *p, const char *root, const char *rel, size_t *total, struct diag *d)
{
	char *path = rel[0] ? fs_join(root, rel) : xstrdup(root);
	struct dirent **ents;
	int n = scandir(path, &ents, NULL, alphasort);
	if (n < 0) {
		diag_set(d, "%s: cannot read the directory", path);
		free(path);
		return ERR_IO;
	}
	/* Files are read relative to the directory's handle, never through a link, never blocking (base/fs). */
	int dfd = fs_dir_open(path, d);
	int rc = dfd < 0 ? dfd : 0;
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		if (rc || skipped(name))
			goto next;
		size_t sl = strlen(rel) + 1 + strlen(name) + 1;
		char *sub = xmalloc(sl);
		snprintf(sub, sl, "%s%s%s", rel, rel[0] ? "/" : "", name);
		char *full = fs_join(root, sub);
		struct stat sb;
		if (strlen(sub) >= CONTENT_MAX_NAME) {
			diag_set(d, "%s: name too long for a pack (at most %d bytes)", full, CONTENT_MAX_NAME - 1);
			rc = ERR_INVAL;
		} else if (lstat(full, &sb) != 0) {
			diag_set(d, "%s: cannot read it", full);
			rc = ERR_IO;
		} else if (S_ISDIR(sb.st_mode)) {
			rc = walk(p, root, sub, total, d);
		} else if (!S_ISREG(sb.st_mode)) {
			diag_set(d, "%s: not a regular file (a link, a pipe or a device); a pack holds files only", full);
			rc = ERR_INVAL;
		} else if (p->n == CONTENT_MAX_FILES) {
			diag_set(d, "%s: more than %d files for a pack", full, CONTENT_MAX_FILES);
			rc = ERR_TOOBIG;
		} else if ((uint64_t)sb.st_size > CONTENT_MAX_BYTES - *total) {
			diag_set(d, "%s: the pack passes %u MiB with it", full, CONTENT_MAX_BYTES >> 20);
			rc = ERR_TOOBIG;
		} else {
			struct buf b;
			buf_init(&b);
			if (!(rc = fs_read_at(dfd, name, CONTENT_MAX_BYTES - *total, &b, full, d))) {
				p->f = xrealloc(p->f, sizeof *p->f * (p->n + 1));
				p->f[p->n++] = (struct content_file){sub, b.data ? b.data : xstrdup(""), b.len};
				*total += b.len;
				sub = NULL; /* owned by the list now */
				b.data = NULL;
			}
			buf_finish(&b);
		}
		free(full);
		free(sub);
	next:
		free(ents[i]);
	}
	free(ents);
	free(path);
	if (dfd >= 0)
		close(dfd);
	return rc;
}

int packdir_read(const char *root, struct packdir *p, struct diag *d)
{
	size_t total = 0;
	memset(p, 0, sizeof *p);
	return walk(p, root, "", &total, d);
}

#define LOG_MODULE "pack"
/*
 * app/pack: installing content packs. The new pack is complete and checked
 * on disk before the swap; a power cut leaves either the old dir, or the new
 * one, or (between the two renames) content.old, which pack_content_dir
 * falls back to.
 */
#include "pack.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "log.h"
#include "mem.h"

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static void rm_tree(const char *path)
{
	if (fs_exists(path))
		nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

uint64_t pack_installed_version(const char *data_dir)
{
	char *dir = fs_join(data_dir, PACK_DIR);
	uint64_t v = fs_read_number(dir, PACK_VERSION_FILE);
	free(dir);
	return v;
}

const char *pack_content_dir(const char *data_dir, const char *arg, const char *bundled)
{
	static char path[4096];
	if (arg && *arg)
		return arg;
	static const char *const tries[] = {PACK_DIR, PACK_DIR ".old"};
	for (int i = 0; i < 2; i++) {
		char *dir = fs_join(data_dir, tries[i]);
		char *v = fs_join(dir, PACK_VERSION_FILE);
		int ok = fs_exists(v);
		free(v);
		if (ok) {
			snprintf(path, sizeof path, "%s", dir);
			free(dir);
			return path;
		}
		free(dir);
	}
	return bundled;
}

int pack_install(const char *data_dir, const struct sync_content *c, struct diag *d)
{
	char *cur = fs_join(data_dir, PACK_DIR), *nw = fs_join(data_dir, PACK_DIR ".new"), *old = fs_join(data_dir, PACK_DIR ".old");
	rm_tree(nw);
	int rc = fs_mkdir_p(nw, 0755, d);
	for (uint32_t i = 0; i < c->n && !rc; i++) {
		char *p = fs_join(nw, c->f[i].name);
		char *slash = strrchr(p, '/');
		*slash = '\0';
		rc = fs_mkdir_p(p, 0755, d);
		*slash = '/';
		if (!rc)
			rc = fs_write_durable(p, c->f[i].data, c->f[i].len, 0644, d);
		free(p);
	}
	if (!rc && (rc = content_validate(nw, d)))
		diag_prefix(d, "pack %llu refused: ", (unsigned long long)c->version);
	if (!rc) {
		char v[32];
		int n = snprintf(v, sizeof v, "%llu\n", (unsigned long long)c->version);
		char *vp = fs_join(nw, PACK_VERSION_FILE);
		rc = fs_write_durable(vp, v, (size_t)n, 0644, d);
		free(vp);
	}
	if (!rc) {
		rm_tree(old);
		if ((fs_exists(cur) && rename(cur, old)) || rename(nw, cur)) {
			diag_set(d, "%s: cannot swap the content pack in: %s", data_dir, strerror(errno));
			rc = ERR_IO;
		} else {
			fs_sync_dir(data_dir);
			rm_tree(old);
			log_info("pack_installed version=%llu files=%u", (unsigned long long)c->version, c->n);
		}
	}
	if (rc)
		rm_tree(nw);
	free(cur);
	free(nw);
	free(old);
	return rc;
}

int pack_install_cb(void *data_dir, const struct sync_content *c, struct diag *d)
{
	return pack_install(data_dir, c, d);
}

#define LOG_MODULE "pack"
/*
 * app/pack: installing content packs. The new pack is complete and checked
 * on disk before the swap; a power cut leaves either the old dir, or the new
 * one, or (between the two renames) content.old, which pack_content_dir
 * falls back to.
 */
#include "pack.h"

#include <stdint.h>
#include <sys/statvfs.h>

#include "board.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "contentpack.h"
#include "fs.h"
#include "log.h"
#include "mem.h"
#include "packdir.h"

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
	if (v > CONTENT_MAX_VERSION) {
		/* Installed before versions were bounded (2^64-1 from an old center): no pack could ever go above it. */
		log_warn("pack_version_past_max version=%llu", (unsigned long long)v);
		return 0;
	}
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

int pack_check_dir(const char *dir, struct diag *d)
{
	struct packdir files;
	int rc = packdir_read(dir, &files, d);
	/* packdir_read names the whole path; content_pack_check the file inside the pack. */
	if (!rc && (rc = content_pack_check(files.f, files.n, (const char *)spean_builtin_rules, spean_builtin_rules_len, d)))
		diag_prefix(d, "%s/", dir);
	packdir_finish(&files);
	return rc;
}

int pack_install(const char *data_dir, const struct sync_content *c, struct diag *d)
{
	/* The check the center ran before signing, on the bytes as received: nothing of a bad pack is written. */
	struct content_file *files = xcalloc(c->n ? c->n : 1, sizeof *files);
	for (uint32_t i = 0; i < c->n; i++)
		files[i] = (struct content_file){c->f[i].name, c->f[i].data, c->f[i].len};
	int crc = content_pack_check(files, c->n, (const char *)spean_builtin_rules, spean_builtin_rules_len, d);
	free(files);
	if (crc) {
		diag_prefix(d, "pack %llu refused: ", (unsigned long long)c->version);
		log_warn("pack_refused version=%llu code=%s", (unsigned long long)c->version, err_name(crc));
		return crc == ERR_IO || crc == ERR_NOSPACE ? ERR_PARSE : crc;
	}
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

/* ---- refusals: told to the center once ---- */

void pack_refusal_read(const char *data_dir, struct pack_refusal *r)
{
	struct buf b;
	struct diag d = {""};
	unsigned long long v = 0;
	int why = 0, told = 0;
	memset(r, 0, sizeof *r);
	buf_init(&b);
	if (fs_read_in(data_dir, PACK_REFUSED_FILE, 256, &b, &d) == 0) {
		buf_append(&b, "", 1);
		if (sscanf(b.data, "%llu %d %d", &v, &why, &told) == 3 && v && why >= 1 && why <= SYNC_PACK_REFUSAL_MAX)
			*r = (struct pack_refusal){v, why, told != 0};
	}
	buf_finish(&b);
}

static void refusal_write(const char *data_dir, const struct pack_refusal *r)
{
	char line[64];
	struct diag d = {""};
	int n = snprintf(line, sizeof line, "%llu %d %d\n", (unsigned long long)r->version, r->why, r->told);
	char *p = fs_join(data_dir, PACK_REFUSED_FILE);
	if (fs_write_durable(p, line, (size_t)n, 0644, &d))
		log_warn("pack_refusal_not_noted version=%llu", (unsigned long long)r->version); /* only the alert is lost */
	free(p);
}

void pack_refusal_note(const char *data_dir, uint64_t version, int why)
{
	struct pack_refusal r;
	pack_refusal_read(data_dir, &r);
	if (!version || !why || (r.version == version && r.why == why))
		return; /* the same refusal again: told once */
	refusal_write(data_dir, &(struct pack_refusal){version, why, 0});
}

void pack_refusal_clear(const char *data_dir)
{
	char *p = fs_join(data_dir, PACK_REFUSED_FILE);
	if (fs_exists(p))
		remove(p);
	free(p);
}

void pack_refusal_to_cfg(const char *data_dir, struct sync_client_cfg *cfg)
{
	struct pack_refusal r;
	pack_refusal_read(data_dir, &r);
	cfg->content_refused = r.version;
	cfg->content_refused_why = r.why;
	cfg->content_refused_tell = r.version && !r.told;
}

void pack_refusal_after(const char *data_dir, const struct sync_client_cfg *cfg, const struct sync_result *res)
{
	if (res->content_installed) {
		pack_refusal_clear(data_dir);
		return;
	}
	struct pack_refusal r;
	pack_refusal_read(data_dir, &r);
	if (res->content_refusal && res->content_offered &&
	    (res->content_offered != r.version || res->content_refusal != r.why)) {
		refusal_write(data_dir, &(struct pack_refusal){res->content_offered, res->content_refusal, 0});
	} else if (r.version && !r.told && cfg->content_refused_tell && res->welcomed &&
		   cfg->content_refused == r.version) {
		r.told = 1;
		refusal_write(data_dir, &r);
		log_info("pack_refusal_told version=%llu", (unsigned long long)r.version);
	}
}

void kiosk_facts_to_cfg(const char *data_dir, struct sync_client_cfg *cfg)
{
	struct statvfs sv;
	cfg->program = SPEAN_VERSION;
	cfg->free_mib = UINT32_MAX;
	if (!statvfs(data_dir, &sv)) {
		unsigned long long mib = (unsigned long long)sv.f_bavail * sv.f_frsize / (1024 * 1024);
		cfg->free_mib = mib >= UINT32_MAX ? UINT32_MAX - 1 : (uint32_t)mib;
	}
	cfg->battery = board_sysfs.battery_percent();
}

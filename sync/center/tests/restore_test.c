/*
 * The console's restore as it is applied at start (center_restore_apply): the live center moves aside
 * whole (its databases with their WAL, its epoch file center.hw, the draft), the staged one moves in, and
 * a cut at any step (the states a power cut leaves, built by hand here) is finished by the next start to
 * the same end. Then the real staging from a real backup (center_backup) and a wrong passphrase.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup.h"
#include "center.h"
#include "err.h"
#include "fs.h"
#include "testlib.h"

static void put(const char *dir, const char *name, const char *text)
{
	char *p = fs_join(dir, name);
	t_write(p, text);
	free(p);
}

static char *get(const char *dir, const char *name)
{
	char *p = fs_join(dir, name);
	size_t n;
	char *s = access(p, F_OK) ? NULL : t_read(p, &n);
	free(p);
	return s;
}

static int has(const char *dir, const char *name)
{
	char *p = fs_join(dir, name);
	struct stat st;
	int r = lstat(p, &st) == 0;
	free(p);
	return r;
}

/* The one before-restore-* dir in dir (NULL if none or several). */
static char *before_dir(const char *dir)
{
	DIR *dd = opendir(dir);
	char *found = NULL;
	int n = 0;
	for (struct dirent *e; dd && (e = readdir(dd));)
		if (!strncmp(e->d_name, "before-restore-", 15) && !n++)
			found = fs_join(dir, e->d_name);
	if (dd)
		closedir(dd);
	if (n != 1) {
		free(found);
		return NULL;
	}
	return found;
}

/* A live center and a staged restore beside it. */
static char *setup(const char *tag)
{
	char *dir = t_tmpdir(tag), *pending = fs_join(dir, CENTER_RESTORE_PENDING), *draft = fs_join(dir, "content");
	mkdir(pending, 0700);
	mkdir(draft, 0755);
	put(dir, "center.db", "old db");
	put(dir, "center.db-wal", "old wal");
	put(dir, "office.db", "old office");
	put(dir, "center.hw", "old epoch");
	put(dir, "center.key", "old key");
	put(draft, "communes.txt", "old draft");
	put(pending, "center.db", "new db");
	put(pending, "office.db", "new office");
	put(pending, "center.key.locked", "new locked key");
	put(pending, "content.draft", "new draft");
	free(pending);
	free(draft);
	return dir;
}

/* The end every path must reach. */
static void check_end(const char *dir)
{
	char *s;
	CHECK_STR(s = get(dir, "center.db"), "new db");
	free(s);
	CHECK_STR(s = get(dir, "office.db"), "new office");
	free(s);
	CHECK_STR(s = get(dir, "center.key.locked"), "new locked key");
	free(s);
	CHECK_STR(s = get(dir, "content.draft"), "new draft");
	free(s);
	/* Nothing of the live center stays beside the restored one: its WAL would be replayed into it, its epoch kept. */
	CHECK(!has(dir, "center.db-wal"));
	CHECK(!has(dir, "center.hw"));
	CHECK(!has(dir, "center.key"));
	CHECK(!has(dir, "content"));
	CHECK(!has(dir, CENTER_RESTORE_PENDING));
	char *b = before_dir(dir);
	CHECK(b != NULL);
	if (b) {
		CHECK_STR(s = get(b, "center.db"), "old db");
		free(s);
		CHECK_STR(s = get(b, "center.db-wal"), "old wal");
		free(s);
		CHECK_STR(s = get(b, "center.hw"), "old epoch");
		free(s);
		CHECK_STR(s = get(b, "center.key"), "old key");
		free(s);
		CHECK(has(b, "content/communes.txt"));
		free(b);
	}
}

static void apply_ok(const char *dir)
{
	char before[64];
	struct diag d = {""};
	int rc = center_restore_apply(dir, before, sizeof before, &d);
	if (rc)
		fprintf(stderr, "apply: %s\n", d.msg);
	CHECK_INT(rc, 0);
	CHECK(!strncmp(before, "before-restore-", 15));
}

/* rename from/name to to/name, checked. */
static void move(const char *from, const char *to, const char *name)
{
	char *f = fs_join(from, name), *t = fs_join(to, name);
	CHECK_INT(rename(f, t), 0);
	free(f);
	free(t);
}

/*
 * The state a cut leaves, then a start: the before dir named, `out` set when the live center was all moved
 * out, the live files in aside[] moved aside, and the staged center.db moved in when moved_in is set.
 */
static void cut_then_apply(const char *tag, int out, const char *const *aside, size_t n, int moved_in)
{
	char *dir = setup(tag), *p = fs_join(dir, CENTER_RESTORE_PENDING);
	char *b = fs_join(dir, "before-restore-20261205-101010");
	put(p, ".before", "before-restore-20261205-101010");
	if (out)
		put(p, ".out", "1");
	mkdir(b, 0700);
	for (size_t i = 0; i < n; i++)
		move(dir, b, aside[i]);
	if (moved_in)
		move(p, dir, "center.db");
	apply_ok(dir);
	check_end(dir);
	free(b);
	free(p);
	t_rmtree(dir);
	free(dir);
}

int main(void)
{
	char before[64];
	struct diag d = {""};
	/* Nothing staged: nothing done. */
	char *dir = t_tmpdir("restore-none");
	put(dir, "center.db", "live");
	CHECK_INT(center_restore_apply(dir, before, sizeof before, &d), ERR_NOTFOUND);
	char *s = get(dir, "center.db");
	CHECK_STR(s, "live");
	free(s);
	t_rmtree(dir);
	free(dir);

	/* Whole. */
	dir = setup("restore-whole");
	apply_ok(dir);
	check_end(dir);
	/* Applied once: a second start finds nothing to do. */
	CHECK_INT(center_restore_apply(dir, before, sizeof before, &d), ERR_NOTFOUND);
	check_end(dir);
	t_rmtree(dir);
	free(dir);

	/* Cut while the live center was moving aside: its name written, some files moved. */
	static const char *const some[] = {"center.db"};
	cut_then_apply("restore-cut1", 0, some, 1, 0);
	/* Cut while the staged files were moving in: all live aside, one staged file in. */
	static const char *const live[] = {"center.db", "center.db-wal", "office.db", "center.hw", "center.key", "content"};
	cut_then_apply("restore-cut2", 1, live, sizeof live / sizeof live[0], 1);

	/* Staging from a real backup: a wrong passphrase stages nothing; the right one, next to a live center. */
	dir = t_tmpdir("restore-stage");
	char *src = fs_join(dir, "src"), *live_dir = fs_join(dir, "live"), *file = fs_join(dir, "b.spbak");
	struct center_keys k;
	CHECK_INT(center_init(src, &k, &d), 0);
	center_keys_wipe(&k);
	unsigned files = 0;
	CHECK_INT(center_backup(src, file, "twelve chars pass", &files, &d), 0);
	CHECK(files >= 4);
	mkdir(live_dir, 0700);
	put(live_dir, "center.db", "live db");
	CHECK_INT(center_restore_stage(live_dir, file, "wrong passphrase!", &files, &d), ERR_CRYPTO);
	CHECK(!has(live_dir, CENTER_RESTORE_PENDING));
	CHECK(!has(live_dir, CENTER_RESTORE_PENDING ".part"));
	CHECK_INT(center_restore_stage(live_dir, file, "twelve chars pass", &files, &d), 0);
	CHECK(has(live_dir, CENTER_RESTORE_PENDING "/center.pub"));
	s = get(live_dir, "center.db");
	CHECK_STR(s, "live db"); /* staged beside it, not over it */
	free(s);
	CHECK_INT(center_restore_stage(live_dir, file, "twelve chars pass", &files, &d), ERR_EXISTS);
	CHECK_INT(center_restore_apply(live_dir, before, sizeof before, &d), 0);
	CHECK(has(live_dir, "center.pub") && has(live_dir, "center.sign") && !has(live_dir, CENTER_RESTORE_PENDING));
	free(src);
	free(live_dir);
	free(file);
	t_rmtree(dir);
	free(dir);
	return t_done("restore_test");
}

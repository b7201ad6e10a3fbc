#include "board.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

static int sysfs_battery(void)
{
	const char *root = getenv("SPEAN_SYSFS_ROOT");
	char dir[512];
	snprintf(dir, sizeof dir, "%s/sys/class/power_supply", root ? root : "");
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int pct = -1;
	struct dirent *e;
	while ((e = readdir(d)) && pct < 0) {
		char p[1024], type[32] = "";
		snprintf(p, sizeof p, "%s/%s/type", dir, e->d_name);
		FILE *f = fopen(p, "r");
		if (!f)
			continue;
		int is_bat = fgets(type, sizeof type, f) && !strncmp(type, "Battery", 7);
		fclose(f);
		if (!is_bat)
			continue;
		snprintf(p, sizeof p, "%s/%s/capacity", dir, e->d_name);
		f = fopen(p, "r");
		int v;
		if (f && fscanf(f, "%d", &v) == 1 && v >= 0 && v <= 100)
			pct = v;
		if (f)
			fclose(f);
	}
	closedir(d);
	return pct;
}

/* A file's first integer, or -1. */
static int read_int(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;
	if (f && fscanf(f, "%d", &v) != 1)
		v = -1;
	if (f)
		fclose(f);
	return v;
}

/* The backlight's directory (the first by name with a max above 0) into dir, and its max; ERR_NOTFOUND when none. */
static int backlight_find(char *dir, size_t n, int *max)
{
	const char *root = getenv("SPEAN_SYSFS_ROOT");
	char base[512], best[256] = "", p[1024];
	snprintf(base, sizeof base, "%s/sys/class/backlight", root ? root : "");
	DIR *d = opendir(base);
	if (!d)
		return ERR_NOTFOUND;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof best || (best[0] && strcmp(e->d_name, best) >= 0))
			continue;
		snprintf(p, sizeof p, "%s/%s/max_brightness", base, e->d_name);
		int m = read_int(p);
		if (m > 0) {
			snprintf(best, sizeof best, "%s", e->d_name);
			*max = m;
		}
	}
	closedir(d);
	if (!best[0])
		return ERR_NOTFOUND;
	snprintf(dir, n, "%s/%s", base, best);
	return 0;
}

static int sysfs_backlight_get(int *level, int *max)
{
	char dir[1024], p[1100];
	int rc = backlight_find(dir, sizeof dir, max);
	if (rc)
		return rc;
	snprintf(p, sizeof p, "%s/brightness", dir);
	*level = read_int(p);
	if (*level < 0)
		return ERR_IO;
	if (*level > *max)
		*level = *max;
	return 0;
}

static int sysfs_backlight_set(int level)
{
	char dir[1024], p[1100];
	int max, rc = backlight_find(dir, sizeof dir, &max);
	if (rc)
		return rc;
	if (level < 0 || level > max)
		return ERR_INVAL;
	snprintf(p, sizeof p, "%s/brightness", dir);
	/* sysfs takes one write of the whole value; a plain file (tests) is truncated to it. */
	FILE *f = fopen(p, "w");
	if (!f)
		return ERR_IO;
	int ok = fprintf(f, "%d\n", level) > 0;
	if (fclose(f) || !ok)
		return ERR_IO;
	return 0;
}

const struct board_ops board_sysfs = {"sysfs", sysfs_battery, sysfs_backlight_get, sysfs_backlight_set};

const struct board_ops *board_get(void)
{
	return &board_sysfs;
}

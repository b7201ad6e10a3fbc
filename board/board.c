#include "board.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

const struct board_ops board_sysfs = {"sysfs", sysfs_battery};

const struct board_ops *board_get(void)
{
	return &board_sysfs;
}

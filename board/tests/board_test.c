/* Tests for board: the sysfs battery and backlight against a fake sysfs tree (the hardware boundary). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "board.h"
#include "err.h"
#include "testlib.h"

static void mk(const char *root, const char *rel, const char *text)
{
	char p[4096], cmd[4200];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", p);
	if (system(cmd))
		exit(2);
	t_write(p, text);
}

int main(void)
{
	char *root = t_tmpdir("board");
	setenv("SPEAN_SYSFS_ROOT", root, 1);
	CHECK_INT(board_get()->battery_percent(), -1); /* no power_supply at all */
	mk(root, "sys/class/power_supply/AC/type", "Mains\n");
	mk(root, "sys/class/power_supply/AC/online", "1\n");
	CHECK_INT(board_get()->battery_percent(), -1); /* mains only */
	mk(root, "sys/class/power_supply/BAT0/type", "Battery\n");
	mk(root, "sys/class/power_supply/BAT0/capacity", "37\n");
	CHECK_INT(board_get()->battery_percent(), 37);
	mk(root, "sys/class/power_supply/BAT0/capacity", "garbage\n");
	CHECK_INT(board_get()->battery_percent(), -1);

	/* The backlight: none yet; one without a max is not one; the first by name with a max is the one. */
	const struct board_ops *b = board_get();
	int level = -1, max = -1;
	CHECK_INT(b->backlight_get(&level, &max), ERR_NOTFOUND);
	CHECK_INT(b->backlight_set(1), ERR_NOTFOUND);
	mk(root, "sys/class/backlight/a_broken/brightness", "5\n");
	mk(root, "sys/class/backlight/a_broken/max_brightness", "0\n");
	CHECK_INT(b->backlight_get(&level, &max), ERR_NOTFOUND);
	mk(root, "sys/class/backlight/z_other/brightness", "3\n");
	mk(root, "sys/class/backlight/z_other/max_brightness", "7\n");
	mk(root, "sys/class/backlight/rpi_backlight/brightness", "200\n");
	mk(root, "sys/class/backlight/rpi_backlight/max_brightness", "255\n");
	CHECK_INT(b->backlight_get(&level, &max), 0);
	CHECK_INT(level, 200);
	CHECK_INT(max, 255);
	CHECK_INT(b->backlight_set(0), 0);
	char p[4096];
	snprintf(p, sizeof p, "%s/sys/class/backlight/rpi_backlight/brightness", root);
	char *got = t_read(p, NULL);
	CHECK_STR(got, "0\n");
	free(got);
	CHECK_INT(b->backlight_get(&level, &max), 0);
	CHECK_INT(level, 0);
	CHECK_INT(b->backlight_set(256), ERR_INVAL);
	CHECK_INT(b->backlight_set(-1), ERR_INVAL);
	snprintf(p, sizeof p, "%s/sys/class/backlight/z_other/brightness", root);
	got = t_read(p, NULL);
	CHECK_STR(got, "3\n"); /* the other one untouched */
	free(got);
	t_rmtree(root);
	free(root);
	return t_done("board_test");
}

/* Tests for board: the sysfs battery reader against a fake sysfs tree (the hardware boundary). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "board.h"
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
	t_rmtree(root);
	free(root);
	return t_done("board_test");
}

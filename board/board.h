/* board: the hardware the kiosk runs on (battery, the screen's backlight; watchdog, RTC later) behind one vtable. */
#ifndef SPEAN_BOARD_H
#define SPEAN_BOARD_H

struct board_ops {
	const char *name;
	/* Battery charge 0..100, or -1 when the device runs on mains with no battery. */
	int (*battery_percent)(void);
	/*
	 * The screen's backlight: 0 with its level and its max now, or
	 * ERR_NOTFOUND when the board has none (a monitor on HDMI: the kiosk
	 * then darkens what it draws instead).
	 */
	int (*backlight_get)(int *level, int *max);
	/* Set it to level (0 = dark .. max): 0, ERR_NOTFOUND, or ERR_IO (e.g. not writable: see debian/spean.udev). */
	int (*backlight_set)(int level);
};

/*
 * Linux sysfs: /sys/class/power_supply/<bat>/capacity; the first (by name)
 * /sys/class/backlight/<name>/ with a max_brightness above 0, its
 * brightness. SPEAN_SYSFS_ROOT prefixes /sys (tests: a directory of plain files).
 */
extern const struct board_ops board_sysfs;

/* The board this build runs on. */
const struct board_ops *board_get(void);

#endif

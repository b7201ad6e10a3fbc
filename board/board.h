/* board: the hardware the kiosk runs on (battery now; backlight, watchdog, RTC later) behind one vtable. */
#ifndef SPEAN_BOARD_H
#define SPEAN_BOARD_H

struct board_ops {
	const char *name;
	/* Battery charge 0..100, or -1 when the device runs on mains with no battery. */
	int (*battery_percent)(void);
};

/* Linux sysfs: /sys/class/power_supply/<bat>/capacity. SPEAN_SYSFS_ROOT prefixes /sys (tests). */
extern const struct board_ops board_sysfs;

/* The board this build runs on. */
const struct board_ops *board_get(void);

#endif

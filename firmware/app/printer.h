/* app/printer: the receipt printer as the kernel's usblp device (/dev/usb/lpN): bytes written with a deadline, unplugged / out of paper / stalled told apart. */
#ifndef SPEAN_APP_PRINTER_H
#define SPEAN_APP_PRINTER_H

#include <stddef.h>

#include "kiosk.h"

#define PRINTER_FILE "printer" /* in the data dir: "PATH [58|80]" (spean provision --printer) */

struct printer_conf {
	char path[256];
	int dots; /* 384 or 576 */
};
/* The configured printer; 0 if there is one. */
int printer_conf_load(const char *data_dir, struct printer_conf *c);
/*
 * Write n bytes to the printer at path within timeout_ms in all. Returns
 * KIOSK_PRINT_DONE, _UNPLUGGED (nothing there), _NO_PAPER (the device says
 * so), _STALLED (it stopped taking bytes) or _FAILED. Blocking: run it off
 * the loop's thread.
 */
enum kiosk_print printer_write(const char *path, const void *data, size_t n, int timeout_ms);

#endif

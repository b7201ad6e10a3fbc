/* app/printer: the receipt printer, as the kernel's usblp device (/dev/usb/lpN) or over libusb (usb, usb:VVVV:PPPP): bytes written with a deadline, unplugged / out of paper / stalled told apart. */
#ifndef SPEAN_APP_PRINTER_H
#define SPEAN_APP_PRINTER_H

#include <stddef.h>

#include "err.h"
#include "kiosk.h"

#define PRINTER_FILE "printer" /* in the data dir: "DEVICE [58|80]" (spean provision --printer) */

struct printer_conf {
	/* "/dev/usb/lpN" (usblp), "usb" (the first printer-class USB device) or "usb:VVVV:PPPP" (libusb) */
	char path[256];
	int dots; /* 384 or 576 */
};
/*
 * One printer line, "DEVICE [58|80]" (58 when the width is left out). 0, or
 * ERR_PARSE with the reason in d (a device that is neither an absolute path
 * nor usb / usb:VVVV:PPPP, or another width).
 */
int printer_conf_parse(const char *line, struct printer_conf *c, struct diag *d);
/* The configured printer; 0 if there is one (ERR_NOTFOUND: none, ERR_PARSE: a bad file, logged). */
int printer_conf_load(const char *data_dir, struct printer_conf *c);
/*
 * Write n bytes to the printer named by path (a printer_conf path: usblp
 * device or usb / usb:VVVV:PPPP) within timeout_ms in all. Returns
 * KIOSK_PRINT_DONE, _UNPLUGGED (nothing there), _NO_PAPER (the device says
 * so), _STALLED (it stopped taking bytes) or _FAILED. Blocking: run it off
 * the loop's thread.
 */
enum kiosk_print printer_write(const char *path, const void *data, size_t n, int timeout_ms);

#endif

#define LOG_MODULE "printer"
/*
 * app/printer. Two ways to the same printer. The kernel's usblp driver
 * already speaks the printer class, so the kiosk can write ESC/POS bytes to
 * its character device: non-blocking, each write waited for with poll
 * against one deadline, and the paper status read with LPGETSTATUS where the
 * device answers it. Or, for printers usblp does not bind (vendor class) and
 * boards without it, sync/usbprinter drives the printer over libusb (usb.md);
 * it detaches usblp if bound. The configured device says which.
 */
#include "printer.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/lp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "clock.h"
#include "fs.h"
#include "log.h"
#include "mem.h"
#include "usbprinter.h"

static int is_usb(const char *path)
{
	return !strncmp(path, "usb", 3);
}

int printer_conf_parse(const char *line, struct printer_conf *c, struct diag *d)
{
	memset(c, 0, sizeof *c);
	char dev[256], mm[8], extra[2];
	int k = sscanf(line, "%255s %7s %1s", dev, mm, extra);
	if (k < 1 || k > 2) {
		diag_set(d, "the printer is one line: DEVICE [58|80]");
		return ERR_PARSE;
	}
	struct usbprinter_sel sel;
	if (is_usb(dev) ? usbprinter_sel_parse(dev, &sel, d) != 0 : dev[0] != '/') {
		if (!is_usb(dev))
			diag_set(d, "the printer is a usblp device path (/dev/usb/lp0), 'usb' or 'usb:VVVV:PPPP'");
		return ERR_PARSE;
	}
	if (k == 2 && strcmp(mm, "58") && strcmp(mm, "80")) {
		diag_set(d, "the paper is 58 or 80 (mm)");
		return ERR_PARSE;
	}
	memcpy(c->path, dev, strlen(dev) + 1);
	c->dots = k == 2 && !strcmp(mm, "80") ? 576 : 384;
	return 0;
}

int printer_conf_load(const char *data_dir, struct printer_conf *c)
{
	struct buf b;
	struct diag d;
	buf_init(&b);
	int rc = fs_read_in(data_dir, PRINTER_FILE, 512, &b, &d);
	memset(c, 0, sizeof *c);
	if (rc || !b.data) {
		buf_finish(&b);
		return ERR_NOTFOUND;
	}
	rc = printer_conf_parse(b.data, c, &d);
	buf_finish(&b);
	if (rc)
		log_warn("printer_conf_bad file=" PRINTER_FILE);
	return rc;
}

static enum kiosk_print usb_write(const char *path, const void *data, size_t n, int timeout_ms)
{
	struct usbprinter_sel sel;
	struct diag d;
	if (usbprinter_sel_parse(path, &sel, &d))
		return KIOSK_PRINT_FAILED;
	switch (usbprinter_write(&sel, data, n, timeout_ms, &d)) {
	case USBPRINTER_OK: return KIOSK_PRINT_DONE;
	case USBPRINTER_UNPLUGGED: return KIOSK_PRINT_UNPLUGGED;
	case USBPRINTER_NO_PAPER: return KIOSK_PRINT_NO_PAPER;
	case USBPRINTER_TIMEOUT: return KIOSK_PRINT_STALLED;
	case USBPRINTER_FAILED: break;
	}
	return KIOSK_PRINT_FAILED;
}

enum kiosk_print printer_write(const char *path, const void *data, size_t n, int timeout_ms)
{
	if (is_usb(path))
		return usb_write(path, data, n, timeout_ms);
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		log_warn("print_failed reason=unplugged errno=%d", e);
		return e == ENOENT || e == ENODEV || e == ENXIO ? KIOSK_PRINT_UNPLUGGED : KIOSK_PRINT_FAILED;
	}
	int status = 0;
	if (ioctl(fd, LPGETSTATUS, &status) == 0 && (status & LP_POUTPA)) {
		close(fd);
		log_warn("print_failed reason=no_paper");
		return KIOSK_PRINT_NO_PAPER;
	}
	uint64_t deadline = clock_mono_ns() + (uint64_t)timeout_ms * 1000000u;
	const unsigned char *p = data;
	enum kiosk_print res = KIOSK_PRINT_DONE;
	while (n) {
		/* At most 4 KiB per write (usb.md). */
		ssize_t w = write(fd, p, n > 4096 ? 4096 : n);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR) {
			res = errno == ENODEV || errno == EPIPE ? KIOSK_PRINT_UNPLUGGED : KIOSK_PRINT_FAILED;
			break;
		}
		uint64_t now = clock_mono_ns();
		if (now >= deadline) {
			res = KIOSK_PRINT_STALLED;
			break;
		}
		struct pollfd pf = {fd, POLLOUT, 0};
		poll(&pf, 1, (int)((deadline - now) / 1000000u) + 1);
	}
	close(fd);
	if (res != KIOSK_PRINT_DONE)
		log_warn("print_failed result=%d", (int)res);
	else
		log_info("printed");
	return res;
}

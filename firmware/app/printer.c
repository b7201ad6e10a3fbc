#define LOG_MODULE "printer"
/*
 * app/printer. The kernel's usblp driver already speaks the printer class,
 * so the kiosk writes ESC/POS bytes to its character device: non-blocking,
 * each write waited for with poll against one deadline, and the paper
 * status read with LPGETSTATUS where the device answers it. (The libusb path
 * of usb.md, which detaches usblp, is for the next step.)
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

int printer_conf_load(const char *data_dir, struct printer_conf *c)
{
	char *p = fs_join(data_dir, PRINTER_FILE);
	struct buf b;
	struct diag d;
	buf_init(&b);
	int rc = fs_read_file(p, 512, &b, &d);
	free(p);
	memset(c, 0, sizeof *c);
	int mm = 58;
	if (!rc && b.data && sscanf(b.data, "%255s %d", c->path, &mm) >= 1 && c->path[0] == '/') {
		c->dots = mm == 80 ? 576 : 384;
		buf_finish(&b);
		return 0;
	}
	buf_finish(&b);
	return ERR_NOTFOUND;
}

enum kiosk_print printer_write(const char *path, const void *data, size_t n, int timeout_ms)
{
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

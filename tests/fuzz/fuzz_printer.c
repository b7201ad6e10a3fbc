/* Fuzz target for the receipt printer's setting (DATA/printer: "DEVICE [58|80]", app/printer) and the USB selector in it (sync/usbprinter). */
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "printer.h"
#include "usbprinter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	struct printer_conf c;
	struct diag d = {""};
	int rc = printer_conf_parse(s, &c, &d);
	FUZZ_CHECK(rc == 0 || rc == ERR_PARSE);
	if (rc == 0) {
		/* What is accepted is one of the three kinds, with a width the printer has. */
		FUZZ_CHECK(c.dots == 384 || c.dots == 576);
		FUZZ_CHECK(c.path[0] == '/' || !strncmp(c.path, "usb", 3));
		FUZZ_CHECK(memchr(c.path, '\0', sizeof c.path) != NULL);
		struct usbprinter_sel sel;
		if (c.path[0] != '/')
			FUZZ_CHECK(usbprinter_sel_parse(c.path, &sel, &d) == 0);
	} else {
		fuzz_check_diag(&d);
	}
	struct usbprinter_sel sel;
	struct diag d2 = {""};
	rc = usbprinter_sel_parse(s, &sel, &d2);
	FUZZ_CHECK(rc == 0 || rc == ERR_INVAL);
	if (rc)
		fuzz_check_diag(&d2);
	else
		FUZZ_CHECK(!strncmp(s, "usb", 3) && (strlen(s) == 3 || sel.vid || sel.pid));
	free(s);
	return 0;
}

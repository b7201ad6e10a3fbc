/* Fuzz target for a USB stick's provisioning settings (spean/provision/settings: center_url, retention, printer, paper; app/provision). */
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "printer.h"
#include "provision.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct provision_settings s;
	struct diag d = {""};
	unsigned line = 99999;
	int rc = provision_settings_parse((const char *)data, size, &s, &line, &d);
	FUZZ_CHECK(rc == 0 || rc == ERR_PARSE);
	if (rc) {
		fuzz_check_diag(&d);
		/* A refused line is one of the file's lines (0: the file as a whole). */
		size_t lines = 1;
		for (size_t i = 0; i < size; i++)
			lines += data[i] == '\n';
		FUZZ_CHECK(line <= lines);
		FUZZ_CHECK(size > PROVISION_SETTINGS_MAX || line > 0);
		return 0;
	}
	FUZZ_CHECK(line == 0 && size <= PROVISION_SETTINGS_MAX);
	/* What is accepted is what 'spean provision' would take as options. */
	FUZZ_CHECK(memchr(s.url, '\0', sizeof s.url) && memchr(s.printer, '\0', sizeof s.printer));
	FUZZ_CHECK(!s.url[0] || !strncmp(s.url, "http://", 7) || !strncmp(s.url, "https://", 8));
	for (const char *p = s.url; *p; p++)
		FUZZ_CHECK(*p > ' ' && *p <= '~');
	FUZZ_CHECK(s.retention <= 100000);
	FUZZ_CHECK(!s.paper[0] || !strcmp(s.paper, "58") || !strcmp(s.paper, "80"));
	FUZZ_CHECK(!s.paper[0] || s.printer[0]);
	if (s.printer[0]) {
		char l[300];
		struct printer_conf pc;
		snprintf(l, sizeof l, "%s %s\n", s.printer, s.paper[0] ? s.paper : "58");
		FUZZ_CHECK(printer_conf_parse(l, &pc, &d) == 0);
	}
	/* The same settings through the command line's path are taken too. */
	struct provision_settings again;
	memset(&again, 0, sizeof again);
	char num[24];
	snprintf(num, sizeof num, "%lu", s.retention);
	FUZZ_CHECK(!s.url[0] || provision_setting_set(&again, "center_url", "--center-url", s.url, &d) == 0);
	FUZZ_CHECK(!s.retention || provision_setting_set(&again, "retention", "--retention", num, &d) == 0);
	FUZZ_CHECK(!s.printer[0] || provision_setting_set(&again, "printer", "--printer", s.printer, &d) == 0);
	FUZZ_CHECK(!s.paper[0] || provision_setting_set(&again, "paper", "--paper", s.paper, &d) == 0);
	FUZZ_CHECK(!memcmp(&again, &s, sizeof s));
	return 0;
}

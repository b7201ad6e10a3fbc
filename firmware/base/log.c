#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int level = -1;

static void init_level(void)
{
	const char *e = getenv("SPEAN_LOG");
	level = LOG_WARN;
	if (!e)
		return;
	if (!strcmp(e, "error"))
		level = LOG_ERROR;
	else if (!strcmp(e, "info"))
		level = LOG_INFO;
	else if (!strcmp(e, "debug"))
		level = LOG_DEBUG;
}

void log_set_level(enum log_level lvl)
{
	level = (int)lvl;
}

int log_enabled(enum log_level lvl)
{
	if (level < 0)
		init_level();
	return (int)lvl <= level;
}

void log_write(enum log_level lvl, const char *module, const char *fmt, ...)
{
	static const char *names[] = {"error", "warn", "info", "debug"};
	if (!log_enabled(lvl))
		return;
	char line[1024];
	int n = snprintf(line, sizeof line, "level=%s module=%s event=", names[lvl], module);
	va_list ap;
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof line)
		vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	/* One write per line so concurrent writers do not interleave mid-line. */
	fprintf(stderr, "%s\n", line);
}

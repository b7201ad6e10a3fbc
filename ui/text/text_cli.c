#define LOG_MODULE "text"
/* `spean text measure ...`: the width of a string in pixels, for scripts and for checking translations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "text.h"

static int usage(const char *why)
{
	if (why)
		fprintf(stderr, "spean text: %s\n", why);
	fprintf(stderr, "usage: spean text measure --lang km|vi --size PX [--bold] STRING\n"
			"  prints the width of STRING in pixels; fonts from $SPEAN_FONT_DIR,\n"
			"  else $SPEAN_SHARE_DIR/fonts, else " SPEAN_SHARE_DIR "/fonts\n");
	return 2;
}

static int parse_size(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < TEXT_SIZE_MIN || v > TEXT_SIZE_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

static int cli_measure(int argc, char **argv)
{
	const char *lang = NULL, *str = NULL;
	int size = 0;
	enum text_style st = TEXT_REGULAR;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--lang") && i + 1 < argc) {
			lang = argv[++i];
			if (strcmp(lang, "km") && strcmp(lang, "vi"))
				return usage("--lang must be km or vi");
		} else if (!strcmp(a, "--size") && i + 1 < argc) {
			if (parse_size(argv[++i], &size))
				return usage("--size must be a whole number of pixels (4-400)");
		} else if (!strcmp(a, "--bold")) {
			st = TEXT_BOLD;
		} else if (!strcmp(a, "--")) {
			if (i + 2 != argc || str)
				return usage("expected one STRING");
			str = argv[++i];
		} else if (a[0] == '-' && a[1] == '-') {
			return usage("unknown or incomplete option");
		} else if (!str) {
			str = a;
		} else {
			return usage("expected one STRING");
		}
	}
	if (!lang || !size || !str)
		return usage("--lang, --size and STRING are required");

	const char *dir = getenv("SPEAN_FONT_DIR");
	struct text *t;
	struct diag d = {""};
	char fonts[4096];
	int rc = text_init(&t, dir && *dir ? dir : fs_share_path("fonts", fonts, sizeof fonts), &d);
	if (rc) {
		fprintf(stderr, "spean text: %s\n", d.msg);
		return 1;
	}
	int w = 0;
	rc = text_measure(t, str, size, st, &w, NULL);
	text_destroy(t);
	if (rc) {
		fprintf(stderr, "spean text: %s\n", rc == ERR_INVAL ? "STRING is not valid UTF-8" : err_message(rc));
		return rc == ERR_INVAL ? 2 : 1;
	}
	printf("%d\n", w);
	return 0;
}

int text_cli(int argc, char **argv)
{
	if (argc < 2)
		return usage(NULL);
	if (!strcmp(argv[1], "measure"))
		return cli_measure(argc - 2, argv + 2);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(NULL);
		return 0;
	}
	return usage("unknown subcommand");
}

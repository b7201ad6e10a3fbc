/*
 * Every row of a persona table in shared/spec/ (argv[1], personas-public.tsv
 * by default; argv[2] the fewest rows it must hold), read from the file: the
 * baseline facts come from the file's own header comment, each row's facts
 * override them, and outcome, groups and urgent must match. CTest runs it on
 * personas-public.tsv (core_personas_test) and on personas-partial-public.tsv,
 * the partial birth dates (core_personas_partial_test).
 */
#include "common.h"
#include "kv.h"

static char baseline[2048];

static void read_baseline(const char *line)
{
	/* "# meritorious=no household=none ... deadline_working_days absent." */
	size_t n = 0;
	const char *p = line + 1;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *b = p;
		while (*p && *p != ' ' && *p != '\n')
			p++;
		const char *eq = memchr(b, '=', (size_t)(p - b));
		if (eq) {
			const char *e = p;
			if (e[-1] == '.')
				e--;
			n += (size_t)snprintf(baseline + n, sizeof baseline - n, "%.*s = %.*s\n", (int)(eq - b), b,
					      (int)(e - eq - 1), eq + 1);
		}
		if (*p == '\n')
			break;
	}
}

int main(int argc, char **argv)
{
	const char *file = argc > 1 ? argv[1] : "personas-public.tsv";
	int min_rows = argc > 2 ? atoi(argv[2]) : 15;
	struct rules *r = load_repo_rules();
	char path[4096];
	snprintf(path, sizeof path, "%s/spec/%s", t_env("SPEAN_SHARED_DIR"), file);
	char *text = t_read(path, NULL);
	if (!text) {
		fprintf(stderr, "cannot read %s (shared/ must sit beside the repo)\n", path);
		return 2;
	}
	int rows = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#') {
			if (strstr(line, "meritorious=") && strstr(line, "household="))
				read_baseline(line);
			continue;
		}
		char *f[6] = {0};
		int nf = 0;
		for (char *p = line; nf < 6; nf++) {
			f[nf] = p;
			char *tab = strchr(p, '\t');
			if (!tab) {
				nf++;
				break;
			}
			*tab = '\0';
			p = tab + 1;
		}
		if (nf < 5) {
			t_fail(__FILE__, __LINE__, "persona row with %d fields", nf);
			continue;
		}
		CHECK(baseline[0] != '\0');
		/* Baseline first, then the row's own facts replace baseline keys. */
		char facts[4096];
		size_t n = 0;
		for (const char *b = baseline; *b;) {
			const char *nl = strchr(b, '\n');
			size_t kl = (size_t)(strchr(b, ' ') - b);
			char key[64];
			snprintf(key, sizeof key, ";%.*s=", (int)kl, b);
			char rowfacts[1024];
			snprintf(rowfacts, sizeof rowfacts, ";%s", f[1]);
			if (!strstr(rowfacts, key))
				n += (size_t)snprintf(facts + n, sizeof facts - n, "%.*s\n", (int)(nl - b), b);
			b = nl + 1;
		}
		char *save;
		for (char *kv = strtok_r(f[1], ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
			char *eq = strchr(kv, '=');
			n += (size_t)snprintf(facts + n, sizeof facts - n, "%.*s = %s\n", (int)(eq - kv), kv, eq + 1);
		}
		struct screen_result res;
		screen_text(r, facts, &res);
		char got_groups[256];
		ids(r, &res, TRI_YES, got_groups, sizeof got_groups);
		const char *want_groups = f[3];
		int ok = !strcmp(outcome_name(res.outcome), f[2]) && !strcmp(got_groups, want_groups) &&
			 res.urgent == !strcmp(f[4], "yes");
		printf("%-5s %-16s %-8s urgent=%-3s %s\n", f[0], outcome_name(res.outcome), got_groups,
		       res.urgent ? "yes" : "no", ok ? "ok" : "MISMATCH");
		if (!ok)
			t_fail(__FILE__, __LINE__, "%s: got %s %s urgent=%d, want %s %s urgent=%s", f[0],
			       outcome_name(res.outcome), got_groups, res.urgent, f[2], want_groups, f[4]);
		t_checks++;
		rows++;
	}
	CHECK(rows >= min_rows);
	printf("%d personas of %s checked\n", rows, file);
	free(text);
	rules_destroy(r);
	return t_done(argc > 1 ? file : "core_personas_test");
}

/* tests/bench measure: timing statistics, timed child processes, heap figures and the report lines of spean-bench. */
#include "measure.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <malloc.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include "clock.h"

extern char **environ;

double ms_between(uint64_t t0, uint64_t t1)
{
	return (double)(t1 - t0) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void stats_of(double *v, size_t n, struct stats *out)
{
	memset(out, 0, sizeof *out);
	out->n = n;
	if (!n)
		return;
	qsort(v, n, sizeof *v, cmp_double);
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	out->min = v[0];
	out->max = v[n - 1];
	out->mean = sum / (double)n;
	out->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	size_t rank = (size_t)ceil(0.99 * (double)n);
	out->p99 = v[(rank ? rank : 1) - 1];
}

int spawn_timed(char *const argv[], const char *out_path, double *ms)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	pid_t pid;
	uint64_t t0 = clock_mono_ns();
	int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return -1;
	int st = 0;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	*ms = ms_between(t0, clock_mono_ns());
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The link passes --wrap=malloc,calloc,realloc,free: Spean's calls land here first (single-threaded). */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

static uint64_t ncalls;
static int64_t live;

static void *counted(void *p)
{
	if (p)
		live += (int64_t)malloc_usable_size(p);
	return p;
}

void *__wrap_malloc(size_t n)
{
	ncalls++;
	return counted(__real_malloc(n));
}

void *__wrap_calloc(size_t n, size_t size)
{
	ncalls++;
	return counted(__real_calloc(n, size));
}

void *__wrap_realloc(void *p, size_t n)
{
	ncalls++;
	size_t old = p ? malloc_usable_size(p) : 0;
	void *q = __real_realloc(p, n);
	if (q || !n)
		live -= (int64_t)old;
	return counted(q);
}

void __wrap_free(void *p)
{
	if (p)
		live -= (int64_t)malloc_usable_size(p);
	__real_free(p);
}

uint64_t alloc_calls(void)
{
	return ncalls;
}

int64_t alloc_live_bytes(void)
{
	return live;
}

size_t heap_in_use(void)
{
	return mallinfo2().uordblks;
}

long max_rss_kib(void)
{
	struct rusage ru;
	memset(&ru, 0, sizeof ru);
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

uint64_t file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) ? 0 : (uint64_t)sb.st_size;
}

static int rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

void rmtree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fs_type_name(const char *path)
{
	static const struct {
		unsigned long magic;
		const char *name;
	} known[] = {
		{0xEF53, "ext4"},        {0x01021994, "tmpfs"}, {0x58465342, "xfs"},
		{0x9123683E, "btrfs"},   {0x794C7630, "overlay"}, {0xF2F52010, "f2fs"},
		{0x4D44, "vfat"},        {0x2FC12FC1, "zfs"},
	};
	struct statfs sf;
	if (statfs(path, &sf))
		return "unknown";
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if ((unsigned long)sf.f_type == known[i].magic)
			return known[i].name;
	return "unknown";
}

const char *fmt_num(double v, int decimals, char *out, size_t n)
{
	if (decimals < 0) {
		double a = fabs(v);
		decimals = a == 0 ? 0 : a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : 3;
	}
	char raw[64];
	snprintf(raw, sizeof raw, "%.*f", decimals, fabs(v));
	const char *dot = strchr(raw, '.');
	size_t ilen = dot ? (size_t)(dot - raw) : strlen(raw);
	size_t o = 0;
	if (v < 0 && o + 1 < n)
		out[o++] = '-';
	for (size_t i = 0; i < ilen && o + 1 < n; i++) {
		if (i && (ilen - i) % 3 == 0 && o + 1 < n)
			out[o++] = ',';
		if (o + 1 < n)
			out[o++] = raw[i];
	}
	for (const char *p = dot; p && *p && o + 1 < n; p++)
		out[o++] = *p;
	out[o] = '\0';
	return out;
}

#define MAX_FIGURES 64

struct figure {
	char name[48];
	char value[48];
	char goal[24];
	const char *verdict;
	char ratio[24];
	char base[56];
};

static struct figure figures[MAX_FIGURES];
static int nfigures;

static void goal_text(struct goal g, const char *unit, char *out, size_t n)
{
	static const char *const ops[] = {"", "<", "<=", "=="};
	char num[32];
	if (g.op == GOAL_NONE)
		snprintf(out, n, "-");
	else
		snprintf(out, n, "%s %s %s", ops[g.op], fmt_num(g.limit, g.limit == floor(g.limit) ? 0 : -1, num, sizeof num),
			 unit);
}

int report(const char *name, double value, const char *unit, struct goal g, double base, const char *base_name,
	   const char *note)
{
	struct figure fig;
	char num[32], bnum[32];
	memset(&fig, 0, sizeof fig);
	snprintf(fig.name, sizeof fig.name, "%s", name);
	snprintf(fig.value, sizeof fig.value, "%s %s", fmt_num(value, -1, num, sizeof num), unit);
	goal_text(g, unit, fig.goal, sizeof fig.goal);
	int missed = 0;
	switch (g.op) {
	case GOAL_NONE:
		fig.verdict = "INFO";
		break;
	case GOAL_LT:
		missed = !(value < g.limit);
		break;
	case GOAL_LE:
		missed = !(value <= g.limit);
		break;
	case GOAL_EQ:
		missed = !(value == g.limit);
		break;
	}
	if (g.op != GOAL_NONE)
		fig.verdict = missed ? "MISS" : "PASS";
	if (base_name && base > 0) {
		double r = value / base;
		snprintf(fig.ratio, sizeof fig.ratio, "%sx", fmt_num(r, r >= 100 ? 0 : r >= 1 ? 2 : 3, num, sizeof num));
		snprintf(fig.base, sizeof fig.base, "%s", base_name);
	} else {
		snprintf(fig.ratio, sizeof fig.ratio, "-");
		snprintf(fig.base, sizeof fig.base, "%s", note ? note : "");
	}
	if (base_name && base > 0)
		printf("  %-42s %20s  %-12s %-4s  %8s of %s (%s)\n", fig.name, fig.value, fig.goal, fig.verdict,
		       fig.ratio, base_name, fmt_num(base, -1, bnum, sizeof bnum));
	else
		printf("  %-42s %20s  %-12s %-4s  %8s%s%s\n", fig.name, fig.value, fig.goal, fig.verdict, fig.ratio,
		       fig.base[0] ? " " : "", fig.base);
	if (nfigures < MAX_FIGURES)
		figures[nfigures++] = fig;
	return missed;
}

void report_note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("    ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
}

void report_section(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("\n== ", stdout);
	vprintf(fmt, ap);
	fputs(" ==\n", stdout);
	printf("  %-42s %20s  %-12s %-4s  %8s %s\n", "figure", "value", "goal", "", "ratio", "(figure / baseline)");
	va_end(ap);
}

int report_summary(void)
{
	int met = 0, missed = 0;
	printf("\n== Summary ==\n");
	printf("  %-42s %20s  %-12s %-6s %8s  %s\n", "figure", "value", "goal", "result", "ratio", "baseline");
	for (int i = 0; i < nfigures; i++) {
		const struct figure *f = &figures[i];
		printf("  %-42s %20s  %-12s %-6s %8s%s%s\n", f->name, f->value, f->goal, f->verdict, f->ratio,
		       f->base[0] ? "  " : "", f->base);
		if (!strcmp(f->verdict, "PASS"))
			met++;
		else if (!strcmp(f->verdict, "MISS"))
			missed++;
	}
	printf("  goals: %d met, %d missed (%d informational figures)\n", met, missed, nfigures - met - missed);
	return missed;
}

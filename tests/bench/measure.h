/* tests/bench measure: timing statistics, timed child processes, heap figures and the report lines of spean-bench. */
#ifndef SPEAN_BENCH_MEASURE_H
#define SPEAN_BENCH_MEASURE_H

#include <stddef.h>
#include <stdint.h>

/* Monotonic milliseconds between two clock_mono_ns() readings. */
double ms_between(uint64_t t0, uint64_t t1);

/* Order statistics of n samples (sorts v in place). p99 is nearest-rank. */
struct stats {
	size_t n;
	double min, median, p99, max, mean;
};
void stats_of(double *v, size_t n, struct stats *out);

/*
 * Spawn argv (no shell), stdout and stderr into out_path, wait for it.
 * Fills the wall time in ms; returns the exit status (128+signal if killed,
 * -1 if it could not be started). No child RSS: Linux counts the parent's
 * pages in a spawned child's ru_maxrss, so it would measure the bench.
 */
int spawn_timed(char *const argv[], const char *out_path, double *ms);

/*
 * Calls to malloc/calloc/realloc made by Spean's own code (the static
 * libraries and the bench itself: the link wraps them, and free). Shared
 * libraries (SQLite, libsodium, libc internals) are not counted.
 */
uint64_t alloc_calls(void);
/*
 * Usable bytes of the blocks Spean's own code allocated and has not freed.
 * Only differences across calls that stay in Spean's code mean anything.
 */
int64_t alloc_live_bytes(void);
/*
 * Bytes in use on the heap (mallinfo2 uordblks). It counts freed small
 * blocks parked in glibc's per-thread cache as in use, so it overstates what
 * code that allocates and frees temporaries keeps.
 */
size_t heap_in_use(void);
/* This process's max RSS in KiB (getrusage). */
long max_rss_kib(void);

/* Size of a file in bytes, 0 if missing. */
uint64_t file_size(const char *path);
/* Remove a directory tree (no symlinks followed). */
void rmtree(const char *dir);
/* Name of the filesystem holding path ("ext4", "tmpfs", ...) or "unknown". */
const char *fs_type_name(const char *path);

/* A goal: none (informational), value < limit, value <= limit, or value == limit. */
enum goal_op { GOAL_NONE, GOAL_LT, GOAL_LE, GOAL_EQ };
struct goal {
	enum goal_op op;
	double limit;
};

/*
 * Print one aligned figure line and remember it for the summary:
 *   name  value unit  goal  PASS|MISS|INFO  ratio to the baseline.
 * base_name NULL: no baseline (the ratio column says why in `note`, may be NULL).
 * Returns 1 if the goal is missed.
 */
int report(const char *name, double value, const char *unit, struct goal g, double base, const char *base_name,
	   const char *note);
/* Print a plain informational line (no goal, no ratio), indented like figures. */
void report_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Section heading. */
void report_section(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The compact table of every figure reported, and the count of goals met. Returns goals missed. */
int report_summary(void);

/* Format a number for humans: 1234567 -> "1,234,567"; keeps 'decimals' digits. */
const char *fmt_num(double v, int decimals, char *out, size_t n);

#endif

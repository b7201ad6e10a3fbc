/* base/loop: the one event loop: poll() over fds, a timerfd for timers, an eventfd for the cross-thread queue. Idle = 0% CPU. */
#ifndef SPEAN_BASE_LOOP_H
#define SPEAN_BASE_LOOP_H

#include <stdint.h>

struct loop;
struct loop_timer;

typedef void (*loop_fd_fn)(void *ctx, int fd, short revents);
typedef void (*loop_fn)(void *ctx);

/* Aborts if the kernel objects cannot be made (an appliance cannot run without its loop). */
struct loop *loop_create(void);
/* Frees timers and pending posts (their callbacks are not run). NULL is a no-op. */
void loop_destroy(struct loop *l);

/* Watch fd for events (POLLIN...). One watch per fd; 0 or ERR_EXISTS. Loop thread only. */
int loop_watch(struct loop *l, int fd, short events, loop_fd_fn fn, void *ctx);
void loop_unwatch(struct loop *l, int fd);

/*
 * One-shot timer after delay_ms (monotonic clock). The handle is valid until
 * the callback has run or loop_timer_cancel; cancelling NULL is a no-op.
 * Loop thread only.
 */
struct loop_timer *loop_timer(struct loop *l, uint64_t delay_ms, loop_fn fn, void *ctx);
void loop_timer_cancel(struct loop *l, struct loop_timer *t);

/* Run fn(ctx) on the loop thread soon. Safe from any thread (worker threads talk to the loop this way). */
void loop_post(struct loop *l, loop_fn fn, void *ctx);

/* Block until something happens (or timeout_ms, -1 = forever), dispatch it. Returns the number of callbacks run. */
int loop_run_once(struct loop *l, int timeout_ms);
/* Run until loop_quit. */
void loop_run(struct loop *l);
void loop_quit(struct loop *l);
/* Counters for tests and the idle benchmark: how many times poll() returned. */
uint64_t loop_wakeups(const struct loop *l);

#endif

/* Tests for base/loop: timers in order, cancel, cross-thread posts, fd watches, and no wakeups when idle. */
#include <pthread.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "clock.h"
#include "loop.h"
#include "testlib.h"

static int order[8], norder;
static void mark(void *ctx)
{
	order[norder++] = (int)(intptr_t)ctx;
}

struct thr {
	struct loop *l;
};
static void *poster(void *p)
{
	struct thr *t = p;
	usleep(20000);
	loop_post(t->l, mark, (void *)(intptr_t)9);
	return NULL;
}

static int fd_hits;
static void on_fd(void *ctx, int fd, short re)
{
	(void)ctx;
	char b[16];
	if (re & POLLIN)
		fd_hits += read(fd, b, sizeof b) > 0;
}

int main(void)
{
	struct loop *l = loop_create();
	/* Timers never fire early: measured from before the first one is armed. */
	uint64_t t0 = clock_mono_ns();
	loop_timer(l, 30, mark, (void *)3);
	loop_timer(l, 10, mark, (void *)1);
	struct loop_timer *c = loop_timer(l, 20, mark, (void *)2);
	loop_timer(l, 20, mark, (void *)(intptr_t)22);
	loop_timer_cancel(l, c);
	while (norder < 3)
		loop_run_once(l, 1000);
	CHECK_INT(order[0], 1);
	CHECK_INT(order[1], 22);
	CHECK_INT(order[2], 3);
	CHECK(clock_mono_ns() - t0 >= 30000000u);

	/* A post from another thread wakes a loop blocked forever. */
	struct thr t = {l};
	pthread_t th;
	pthread_create(&th, NULL, poster, &t);
	norder = 0;
	loop_run_once(l, -1);
	CHECK_INT(norder, 1);
	CHECK_INT(order[0], 9);
	pthread_join(th, NULL);

	/* fd watches. */
	int p[2];
	CHECK(pipe(p) == 0);
	CHECK_INT(loop_watch(l, p[0], POLLIN, on_fd, NULL), 0);
	CHECK(loop_watch(l, p[0], POLLIN, on_fd, NULL) < 0);
	CHECK(write(p[1], "x", 1) == 1);
	loop_run_once(l, 1000);
	CHECK_INT(fd_hits, 1);

	/* Idle: nothing armed, nothing readable: poll returns only at the timeout, with no wakeup. */
	uint64_t w = loop_wakeups(l);
	CHECK_INT(loop_run_once(l, 200), 0);
	CHECK_INT(loop_wakeups(l), w);
	loop_unwatch(l, p[0]);
	close(p[0]);
	close(p[1]);
	loop_destroy(l);
	return t_done("loop_test");
}

#define LOG_MODULE "loop"
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "log.h"
#include "mem.h"

struct watch {
	int fd;
	short events;
	loop_fd_fn fn;
	void *ctx;
};

struct loop_timer {
	uint64_t due_ns;
	loop_fn fn;
	void *ctx;
	struct loop_timer *next; /* sorted by due_ns */
};

struct post {
	loop_fn fn;
	void *ctx;
	struct post *next;
};

struct loop {
	int tfd, efd;
	struct watch *w;
	int nw;
	struct loop_timer *timers;
	pthread_mutex_t mu;
	struct post *posts, *posts_tail;
	int quit;
	uint64_t wakeups;
	uint64_t armed_ns; /* what the timerfd is set to (0 = disarmed) */
};

struct loop *loop_create(void)
{
	struct loop *l = xcalloc(1, sizeof *l);
	l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	l->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->tfd < 0 || l->efd < 0) {
		fprintf(stderr, "spean: cannot create the event loop: %s\n", strerror(errno));
		abort();
	}
	pthread_mutex_init(&l->mu, NULL);
	return l;
}

void loop_destroy(struct loop *l)
{
	if (!l)
		return;
	while (l->timers) {
		struct loop_timer *t = l->timers;
		l->timers = t->next;
		free(t);
	}
	while (l->posts) {
		struct post *p = l->posts;
		l->posts = p->next;
		free(p);
	}
	close(l->tfd);
	close(l->efd);
	pthread_mutex_destroy(&l->mu);
	free(l->w);
	free(l);
}

int loop_watch(struct loop *l, int fd, short events, loop_fd_fn fn, void *ctx)
{
	for (int i = 0; i < l->nw; i++)
		if (l->w[i].fd == fd)
			return ERR_EXISTS;
	l->w = xrealloc(l->w, sizeof *l->w * (size_t)(l->nw + 1));
	l->w[l->nw++] = (struct watch){fd, events, fn, ctx};
	return 0;
}

void loop_unwatch(struct loop *l, int fd)
{
	for (int i = 0; i < l->nw; i++)
		if (l->w[i].fd == fd) {
			l->w[i] = l->w[--l->nw];
			return;
		}
}

static void rearm(struct loop *l)
{
	uint64_t due = l->timers ? l->timers->due_ns : 0;
	if (due == l->armed_ns)
		return;
	struct itimerspec its;
	memset(&its, 0, sizeof its);
	if (due) {
		its.it_value.tv_sec = (time_t)(due / 1000000000u);
		its.it_value.tv_nsec = (long)(due % 1000000000u);
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL);
	l->armed_ns = due;
}

struct loop_timer *loop_timer(struct loop *l, uint64_t delay_ms, loop_fn fn, void *ctx)
{
	struct loop_timer *t = xcalloc(1, sizeof *t);
	t->due_ns = clock_mono_ns() + delay_ms * 1000000u;
	t->fn = fn;
	t->ctx = ctx;
	struct loop_timer **pp = &l->timers;
	while (*pp && (*pp)->due_ns <= t->due_ns)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
	rearm(l);
	return t;
}

void loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
	if (!t)
		return;
	for (struct loop_timer **pp = &l->timers; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			free(t);
			rearm(l);
			return;
		}
}

void loop_post(struct loop *l, loop_fn fn, void *ctx)
{
	struct post *p = xcalloc(1, sizeof *p);
	p->fn = fn;
	p->ctx = ctx;
	pthread_mutex_lock(&l->mu);
	if (l->posts_tail)
		l->posts_tail->next = p;
	else
		l->posts = p;
	l->posts_tail = p;
	pthread_mutex_unlock(&l->mu);
	uint64_t one = 1;
	while (write(l->efd, &one, sizeof one) < 0 && errno == EINTR)
		;
}

static int run_timers(struct loop *l)
{
	uint64_t now = clock_mono_ns(), exp;
	int n = 0;
	while (read(l->tfd, &exp, sizeof exp) > 0)
		;
	l->armed_ns = 0;
	while (l->timers && l->timers->due_ns <= now) {
		struct loop_timer *t = l->timers;
		l->timers = t->next;
		loop_fn fn = t->fn;
		void *ctx = t->ctx;
		free(t);
		fn(ctx);
		n++;
	}
	rearm(l);
	return n;
}

static int run_posts(struct loop *l)
{
	uint64_t v;
	while (read(l->efd, &v, sizeof v) > 0)
		;
	pthread_mutex_lock(&l->mu);
	struct post *p = l->posts;
	l->posts = l->posts_tail = NULL;
	pthread_mutex_unlock(&l->mu);
	int n = 0;
	while (p) {
		struct post *next = p->next;
		p->fn(p->ctx);
		free(p);
		p = next;
		n++;
	}
	return n;
}

int loop_run_once(struct loop *l, int timeout_ms)
{
	int nfds = l->nw + 2;
	struct pollfd stackfds[32];
	struct pollfd *fds = nfds <= 32 ? stackfds : xmalloc(sizeof *fds * (size_t)nfds);
	fds[0] = (struct pollfd){l->tfd, POLLIN, 0};
	fds[1] = (struct pollfd){l->efd, POLLIN, 0};
	for (int i = 0; i < l->nw; i++)
		fds[i + 2] = (struct pollfd){l->w[i].fd, l->w[i].events, 0};
	int r = poll(fds, (nfds_t)nfds, timeout_ms);
	int n = 0;
	if (r < 0 && errno != EINTR)
		log_error("poll_failed errno=%d", errno);
	if (r > 0) {
		l->wakeups++;
		if (fds[1].revents)
			n += run_posts(l);
		if (fds[0].revents)
			n += run_timers(l);
		for (int i = 2; i < nfds; i++) {
			if (!fds[i].revents)
				continue;
			/* The callback may unwatch: look the fd up again. */
			for (int k = 0; k < l->nw; k++)
				if (l->w[k].fd == fds[i].fd) {
					l->w[k].fn(l->w[k].ctx, fds[i].fd, fds[i].revents);
					n++;
					break;
				}
		}
	}
	if (fds != stackfds)
		free(fds);
	return n;
}

void loop_run(struct loop *l)
{
	l->quit = 0;
	while (!l->quit)
		loop_run_once(l, -1);
}

void loop_quit(struct loop *l)
{
	l->quit = 1;
}

uint64_t loop_wakeups(const struct loop *l)
{
	return l->wakeups;
}

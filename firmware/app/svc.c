#define LOG_MODULE "svc"
/*
 * app/svc: the one includer of libsystemd (sd_notify, sd_watchdog_enabled). Both are no-ops when
 * systemd did not start us (no $NOTIFY_SOCKET), so a kiosk run by hand or by the tests is unchanged.
 */
#include "svc.h"

#include <stdint.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "mem.h"

struct svc_watchdog {
	struct loop *loop;
	struct loop_timer *timer;
	uint64_t every_ms;
};

void svc_notify_ready(void)
{
	int rc = sd_notify(0, "READY=1");
	if (rc < 0)
		log_warn("notify_failed what=ready rc=%d", rc);
}

static void watchdog_tick(void *ctx)
{
	struct svc_watchdog *w = ctx;
	int rc = sd_notify(0, "WATCHDOG=1");
	if (rc < 0)
		log_warn("notify_failed what=watchdog rc=%d", rc);
	w->timer = loop_timer(w->loop, w->every_ms, watchdog_tick, w);
}

struct svc_watchdog *svc_watchdog_start(struct loop *l)
{
	uint64_t usec = 0;
	int rc = sd_watchdog_enabled(0, &usec);
	if (rc <= 0 || usec == 0) {
		if (rc < 0)
			log_warn("watchdog_env_invalid rc=%d", rc);
		return NULL;
	}
	struct svc_watchdog *w = xcalloc(1, sizeof *w);
	w->loop = l;
	/* Half the interval (systemd's advice), at least 1 ms. */
	w->every_ms = usec / 2000 ? usec / 2000 : 1;
	log_info("watchdog_on interval_ms=%llu ping_ms=%llu", (unsigned long long)(usec / 1000),
		 (unsigned long long)w->every_ms);
	/* The first ping now: the start may have taken a good part of the interval. */
	watchdog_tick(w);
	return w;
}

void svc_watchdog_stop(struct svc_watchdog *w)
{
	if (!w)
		return;
	loop_timer_cancel(w->loop, w->timer);
	free(w);
}

/* app/svc: systemd's service protocol for the kiosk: READY=1 after the first frame, WATCHDOG=1 from the loop. */
#ifndef SPEAN_APP_SVC_H
#define SPEAN_APP_SVC_H

#include "loop.h"

struct svc_watchdog;

/* Tell systemd (Type=notify) the kiosk is up: its first frame is on the screen. No-op without $NOTIFY_SOCKET. */
void svc_notify_ready(void);
/*
 * When systemd watches this process (WatchdogSec=, seen through sd_watchdog_enabled: $WATCHDOG_USEC,
 * and $WATCHDOG_PID naming this process when set), ping it from a loop timer at half the interval:
 * the pings stop as soon as the loop stops running its timers (hung, blocked, spinning elsewhere),
 * and systemd restarts the kiosk. NULL when there is no watchdog. Loop thread only.
 */
struct svc_watchdog *svc_watchdog_start(struct loop *l);
/* Cancel the timer and free; NULL is a no-op. */
void svc_watchdog_stop(struct svc_watchdog *w);

#endif

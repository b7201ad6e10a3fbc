/* app/autosync: the kiosk delivers by itself: a sync when the network comes up (netlink), after each new request, and retries with backoff while requests are held; no polling. */
#ifndef SPEAN_APP_AUTOSYNC_H
#define SPEAN_APP_AUTOSYNC_H

#include <stddef.h>

#include "device.h"
#include "loop.h"

#define AUTOSYNC_URL_FILE "center.url"
#define AUTOSYNC_RETENTION_FILE "retention"
#define AUTOSYNC_FFS_DIR "/run/spean-ffs" /* board/usb-gadget.sh mounts FunctionFS here ($SPEAN_FFS_DIR overrides) */

/* Sync sessions a delivered request is kept for: DATA/retention (provision --retention), else 30. */
uint64_t autosync_retention(const char *data_dir);

struct autosync;

/*
 * Start if DATA/center.url names the center or the board has the USB
 * function set up (AUTOSYNC_FFS_DIR/ep0); else NULL: sync stays manual.
 * Syncs run on a worker thread with their own store connection; done (may
 * be NULL) is called on the loop's thread after each one.
 */
struct autosync *autosync_start(struct loop *l, const struct device *dev, void (*done)(void *ctx), void *ctx);
/* Sync in delay_ms (a request was just stored, a link came up); repeated kicks merge. */
void autosync_kick(struct autosync *a, unsigned delay_ms);
/* "" before the first sync, else when it ended ("10:42"); *failed: it could not reach the center. */
void autosync_last(const struct autosync *a, char *out, size_t n, int *failed);
/* Stop watching; waits up to 5 s for a sync in flight. NULL is a no-op. */
void autosync_stop(struct autosync *a);

#endif

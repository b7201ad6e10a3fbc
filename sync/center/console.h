/* sync/center/console: the office console: staff log in with a browser and work the inbox (libmicrohttpd; pages from ui/console). */
#ifndef SPEAN_CENTER_CONSOLE_H
#define SPEAN_CENTER_CONSOLE_H

#include "err.h"

#define CONSOLE_LISTEN "127.0.0.1:8080"

struct console;

/*
 * Serve dir's console on listen ("ADDR:PORT", port 0: any): HTTP on a
 * loopback address, HTTPS with the center's certificate on any other (the
 * office network: passwords and requests never cross it in clear). Opens
 * center.db (requests), office.db (accounts, audit) and the center's key,
 * and opens every request once into the inbox's index (names in memory,
 * never on disk). Prints "console ADDR:PORT http|https" once ready.
 * Names and deadlines come from the content pack in content_dir.
 * ERR_INVAL for a bad address, ERR_IO if it cannot listen, else the
 * stores' and keys' errors; d says which.
 */
int console_start(const char *dir, const char *content_dir, const char *listen, struct console **out, struct diag *d);
/*
 * Tell fn(ctx, sk) when the director unlocks the center key in the console
 * (sk: the box key) or locks it again (NULL), under the console's lock: the
 * kiosks' service in the same program receipts only while it is unlocked.
 */
void console_set_key_hook(struct console *c, void (*fn)(void *ctx, const unsigned char *sk), void *ctx);
/* 1 once the director has staged a restore (backup.h): the caller stops and starts again, applying it first. */
int console_restart_wanted(struct console *c);
/* Stop serving and free everything (the index's personal data wiped). NULL is a no-op. */
void console_stop(struct console *c);

#endif

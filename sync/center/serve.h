/* sync/center/serve: `spean-center serve`: the sync protocol over HTTPS or HTTP (libmicrohttpd) until SIGTERM. */
#ifndef SPEAN_CENTER_SERVE_H
#define SPEAN_CENTER_SERVE_H

#include "err.h"

/*
 * Serve dir's center on listen ("ADDR:PORT", port 0: any) over HTTPS, or
 * HTTP if plain; prints "listening ADDR:PORT https|http" once ready.
 */
int center_serve(const char *dir, const char *listen, int plain, struct diag *d);

#endif

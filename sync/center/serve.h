/* sync/center/serve: `spean-center serve`: the sync protocol over HTTP (libmicrohttpd) until SIGTERM. */
#ifndef SPEAN_CENTER_SERVE_H
#define SPEAN_CENTER_SERVE_H

#include "err.h"

/* Serve dir's center on listen ("ADDR:PORT", port 0: any); prints "listening ADDR:PORT" once ready. */
int center_serve(const char *dir, const char *listen, struct diag *d);

#endif

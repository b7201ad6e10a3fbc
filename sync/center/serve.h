/* sync/center/serve: `spean-center serve`: the sync protocol over HTTPS or HTTP (libmicrohttpd) until SIGTERM. */
#ifndef SPEAN_CENTER_SERVE_H
#define SPEAN_CENTER_SERVE_H

#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>

#include "err.h"
#include "service.h"

#define CENTER_SERVE_CONNECTIONS 2000u /* open at once, in all (RLIMIT_NOFILE is raised to fit) */
#define CENTER_SERVE_PER_ADDRESS 32u   /* connections one client address may hold, by default */
#define CENTER_SERVE_MAX_PER_ADDRESS CENTER_SERVE_CONNECTIONS

/*
 * Serve dir's center on listen ("ADDR:PORT", port 0: any) over HTTPS, or
 * HTTP if plain; prints "listening ADDR:PORT https|http" once ready. Bodies
 * in flight, connections per address (per_address, 0: the default) and the
 * time each request may take are bounded (serve.c says by how much and why);
 * on SIGTERM it stops and prints what it handled, refused and cut to stderr.
 */
int center_serve(const char *dir, const char *listen, int plain, unsigned per_address, struct diag *d);

/* The same in parts, for a program that serves more (spean-center run): start, tick once a second, stop. */
struct center_server;
int center_serve_start(const char *dir, const char *listen, int plain, unsigned per_address, struct center_server **out,
		       struct diag *d);
void center_serve_tick(struct center_server *sv);  /* the deadlines' sweep */
void center_serve_stop(struct center_server *sv);  /* prints what it handled to stderr; NULL is a no-op */
/* "ADDR:PORT" (IPv4) into sa, host and port: 0, or ERR_INVAL saying what opt wants (example: what to type). */
int center_parse_listen(const char *listen, const char *opt, const char *example, struct sockaddr_in *sa, char host[64],
			unsigned *port, struct diag *d);
/* Its service (to hand it the key the console unlocked); NULL for NULL. */
struct center_service *center_serve_service(struct center_server *sv);
/* Block SIGTERM and SIGINT in this thread (and the threads it starts after): call first, then sigtimedwait(stop). */
void center_serve_block_signals(sigset_t *stop);

/*
 * Whether a request may send a body, from its Content-Length and
 * Transfer-Encoding header values (NULL: absent), before a byte of the body is
 * read: 0 and *len, or the HTTP status that refuses it (411 none or chunked,
 * 413 over the message limit, 400 not a length a message can have) with the
 * reason in d.
 */
unsigned center_serve_admit(const char *content_length, const char *transfer_encoding, size_t *len, struct diag *d);

/*
 * Whether the first n bytes of a body of len bytes (its Content-Length) begin
 * a message of exactly len bytes (magic and the length in its 12-byte
 * header): 0, or 400 with the reason in d. Needs n >= 12 to say yes.
 */
unsigned center_serve_frame(const void *head, size_t n, size_t len, struct diag *d);

#endif

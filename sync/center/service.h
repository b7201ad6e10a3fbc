/* sync/center/service: the center's side of the protocol, whatever the carrier: hello -> welcome, offer -> receipts. */
#ifndef SPEAN_CENTER_SERVICE_H
#define SPEAN_CENTER_SERVICE_H

#include <stddef.h>

#include "center.h"
#include "cstore.h"
#include "err.h"
#include "mem.h"

struct center_service;

/* Open the keys and the database in dir. Thread-safe after this (one lock around the database). */
int center_service_open(const char *dir, struct center_service **out, struct diag *d);
void center_service_close(struct center_service *s);
/* Whether the center's box key is under lock (center.key.locked, not unlocked yet): offers are then deferred. */
int center_service_locked(struct center_service *s);
/* Unlock it with the director's passphrase (center_key_unlock): 0, or ERR_CRYPTO for a wrong one. */
int center_service_unlock(struct center_service *s, const char *pass, struct diag *d);
/* Hand it the box key another part of the program unlocked (the console), or NULL: lock it again (wiped). */
void center_service_set_box_sk(struct center_service *s, const unsigned char *sk);

/*
 * One request message in, one reply out. 0: reply holds the answer (a
 * welcome, or receipts). ERR_PARSE / ERR_CRYPTO / ERR_TOOBIG: the message is
 * refused, d says why (nothing stored). ERR_REFUSED: the device is not
 * enrolled. ERR_IO / ERR_NOSPACE: the center could not store (retry later).
 * ERR_STATE: the center's key is locked, an offer is not receipted (retry
 * later; a hello is answered all the same).
 */
int center_service_handle(struct center_service *s, const void *msg, size_t n, struct buf *reply, struct diag *d);

struct center_import_result {
	unsigned bundles, refused;     /* bundles answered with receipts; files refused (reported) */
	unsigned long records, added;
	unsigned long bad, conflicts, collisions; /* records answered bad / conflict, stored despite an id collision */
	int more;                      /* more bundles than one pass takes: import again */
	int pack_written;              /* the content pack was put on the stick */
};
/*
 * A stick: answer every offer bundle in DIR/spean/out with a receipts file
 * in DIR/spean/in (the same as over the network: verified, stored durably,
 * then signed), and put the center's content pack beside them. A refused
 * bundle (unenrolled kiosk, altered, truncated, a link, FIFO or device, a
 * name Spean does not write) gets no receipts and is reported through
 * report(ctx, file, why); nothing of it is stored. The stick is hostile
 * input: see sync/stick.h (a spean/, in/ or out/ that is not a real
 * directory is ERR_REFUSED, nothing read or written).
 */
int center_stick_import(struct center_service *s, const char *dir, void (*report)(void *ctx, const char *file, const char *why),
			void *ctx, struct center_import_result *r, struct diag *d);

struct center_service_stats {
	unsigned long hellos, offers, records_in, records_new, refused;
	unsigned long records_bad;       /* answered "bad" (with a reason): stored nowhere, alert raised */
	unsigned long records_conflict;  /* answered "conflict": this kiosk sent this id before with other content */
	unsigned long records_collision; /* stored, but another kiosk holds the same id (alert naming both) */
};
void center_service_stats(struct center_service *s, struct center_service_stats *out);

#endif

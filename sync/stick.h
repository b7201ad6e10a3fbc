/* sync/stick: the USB stick carrier: the same offer and receipts messages as files, for places with neither network nor office PC; one stick carries bundles of many kiosks both ways. */
#ifndef SPEAN_SYNC_STICK_H
#define SPEAN_SYNC_STICK_H

#include <stdint.h>

#include "crypt.h"
#include "err.h"
#include "protocol.h"
#include "store.h"

/*
 * On the stick, under DIR/spean/:
 *   out/DEV-FIRST-LAST.offer     a kiosk's held requests (DEV: the first 16 hex of its key)
 *   in/DEV-FIRST-LAST.receipts   the center's signed receipts for that bundle
 *   in/content.pack              the center's signed content pack
 * Every file is written to a temporary name, synced and renamed: a stick
 * pulled mid-write leaves the old file or none, never half of one.
 */
#define STICK_ROOT "spean"

struct stick_export_result {
	unsigned bundles;
	uint64_t records;
};
/*
 * Write every held request (urgent first) as offer bundles, replacing this
 * kiosk's earlier ones. A full or read-only stick: ERR_NOSPACE / ERR_IO with
 * d saying so; what was written stays valid, nothing changes on the kiosk.
 */
int stick_export(struct store *st, const unsigned char device_pk[CRYPT_SIGN_PK],
		 const unsigned char device_sk[CRYPT_SIGN_SK], const char *dir, struct stick_export_result *r,
		 struct diag *d);

struct stick_import_result {
	unsigned bundles;            /* receipt files applied */
	uint64_t delivered;          /* requests moved to delivered */
	uint64_t reoffered;          /* delivered before, held again (the center's epoch changed) */
	uint64_t refused;            /* receipts that were conflict or bad (those requests stay held) */
	uint64_t conflicts;          /* of which conflict */
	unsigned bad_files;          /* receipt files refused (altered, not from our center, older than applied) */
	uint64_t content_version;    /* a content pack found on the stick (0: none) */
};
/* Called once per refused file with its name and reason (for the user). */
typedef void (*stick_report_fn)(void *ctx, const char *file, const char *why);
/*
 * Apply this kiosk's receipts from the stick (verified with the center's
 * key against the requests it holds), then delete the applied receipts and
 * its offers from the stick where it can. The content pack, if any, is
 * left to the caller (r->content_version; read DIR/spean/in/content.pack),
 * and so is ending the session (store_sync_finish: retention).
 */
int stick_import(struct store *st, const unsigned char device_pk[CRYPT_SIGN_PK],
		 const unsigned char center_sign_pk[CRYPT_SIGN_PK], const char *dir, stick_report_fn report, void *ctx,
		 struct stick_import_result *r, struct diag *d);

/* DIR/spean/<sub>/<name> (caller frees). */
char *stick_path(const char *dir, const char *sub, const char *name);

#endif

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
 * A stick is hostile input. spean/, in/ and out/ must be real directories
 * (a link, FIFO, device or file there is refused); every file is read only if
 * it is a regular file, with a size limit checked before a byte is read, and
 * only under a name of exactly that shape; every file is written fresh under
 * a random temporary name relative to the directory's handle, synced and
 * renamed (base/fs), so a planted link is replaced, never written through,
 * and a stick pulled mid-write leaves the old file or none.
 */
#define STICK_ROOT "spean"
/* The longest bundle name: 16 hex, two 20-digit numbers, the suffix. */
#define STICK_NAME_MAX (16 + 1 + 20 + 1 + 20 + sizeof ".receipts")
/* Names of one kind read in one pass; more wait for the next pass. */
#define STICK_MAX_FILES 4096

enum stick_sub { STICK_IN, STICK_OUT };
/* A stick opened: directory handles, or -1 for a subdirectory that is not there. */
struct stick {
	int top, in, out;
	char *dir; /* as given, for messages */
};
enum { STICK_MAKE_IN = 1, STICK_MAKE_OUT = 2 };
/*
 * Open DIR/spean/ and its in/ and out/, making those named in make (and
 * spean/ if needed). Anything but a real directory at any of them is
 * ERR_REFUSED with d saying which and what it is; no spean/ (and nothing to
 * make) is ERR_NOTFOUND. stick_close is safe after a failed open.
 */
int stick_open(struct stick *s, const char *dir, unsigned make, struct diag *d);
void stick_close(struct stick *s);
/* Read or write one file of in/ or out/ (base/fs's fs_read_at / fs_write_at rules; d names the file). */
int stick_read(struct stick *s, enum stick_sub sub, const char *name, size_t max, struct buf *b, struct diag *d);
int stick_write(struct stick *s, enum stick_sub sub, const char *name, const void *data, size_t len, struct diag *d);
/* Remove one entry (a link itself, never its target); 0 or -1. */
int stick_remove(struct stick *s, enum stick_sub sub, const char *name);
/* Called once per refused file with its name (already made safe to print) and reason. */
typedef void (*stick_report_fn)(void *ctx, const char *file, const char *why);
/*
 * The names in sub ending in suffix, sorted. Those of a bundle's shape
 * (stick_name_parse) go to names; others with the suffix are reported as
 * refused (a hostile or hand-made name); the rest is ignored. At most
 * STICK_MAX_FILES (the others wait: *more is set). Caller frees with
 * stick_names_free.
 */
struct stick_names {
	char (*v)[STICK_NAME_MAX];
	size_t n;
	int more;          /* more than STICK_MAX_FILES */
	unsigned rejected; /* names reported as refused */
};
int stick_list(struct stick *s, enum stick_sub sub, const char *suffix, stick_report_fn report, void *ctx,
	       struct stick_names *out, struct diag *d);
void stick_names_free(struct stick_names *n);
/*
 * A bundle name: 16 lowercase hex, '-', a number, '-', a number (at most 20
 * digits each, no leading zero), then suffix. Writes the stem (the name
 * without suffix) to stem. 0 or ERR_PARSE.
 */
int stick_name_parse(const char *name, const char *suffix, char stem[STICK_NAME_MAX]);
/* A file name as it may be printed: printable ASCII kept, anything else \xNN, cut with "..." past 80. */
void stick_name_show(const char *name, char *out, size_t outsz);

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
	unsigned bad_files;          /* receipt files refused (altered, not from our center, older than applied, not a file) */
	uint64_t content_version;    /* a content pack found on the stick (0: none) */
	struct buf pack;             /* its bytes when it is newer than have_version (caller: buf_finish) */
};
/*
 * Apply this kiosk's receipts from the stick (verified with the center's
 * key against the requests it holds), then delete the applied receipts and
 * its offers from the stick where it can. A content pack newer than
 * have_version is read into r->pack for the caller to verify and install
 * (a pack that is not a file, or too big, is reported and counted in
 * bad_files); ending the session (store_sync_finish: retention) is the
 * caller's too. A spean/ or in/ that is not a real directory: ERR_REFUSED.
 */
int stick_import(struct store *st, const unsigned char device_pk[CRYPT_SIGN_PK],
		 const unsigned char center_sign_pk[CRYPT_SIGN_PK], const char *dir, uint64_t have_version,
		 stick_report_fn report, void *ctx, struct stick_import_result *r, struct diag *d);

#endif

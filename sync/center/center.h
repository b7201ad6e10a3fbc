/* sync/center: the office side (spean-center): center keys now; receiving, export and stats later. */
#ifndef SPEAN_CENTER_H
#define SPEAN_CENTER_H

#include "content.h"
#include "crypt.h"
#include "cstore.h"
#include "err.h"
#include "mem.h"
#include "record.h"
#include "report.h"
#include "rules.h"

#define CENTER_SECRET_FILE "center.key"  /* X25519: opens requests */
#define CENTER_SIGN_FILE "center.sign"    /* Ed25519: signs receipts, welcomes and content packs */
#define CENTER_PUBLIC_FILE "center.pub"   /* the card kiosks get: "box = HEX" and "sign = HEX" */
#define CENTER_PACK_FILE "content.pack"   /* the signed content pack kiosks fetch (spean-center pack) */
#define CENTER_LOCKED_FILE "center.key.locked" /* center.key wrapped by the director's passphrase (crypt_wrap) */
#define CENTER_DRAFT_DIR "content"        /* the office's content, edited in the console, signed by Publish */
#define CENTER_DRAFT_SAVED "content.draft" /* the draft as one signed pack file, in a backup (never sent to kiosks) */
#define CENTER_PASSPHRASE_MIN 12          /* characters of a passphrase that locks the key */

struct center_keys {
	unsigned char pk[CRYPT_BOX_PK];
	unsigned char sk[CRYPT_BOX_SK];
	unsigned char sign_pk[CRYPT_SIGN_PK];
	unsigned char sign_sk[CRYPT_SIGN_SK];
	int locked; /* the box key is under lock (center.key.locked): sk is zero until center_key_unlock */
};

/* Make the center's key pairs in dir (0700) and its card center.pub; ERR_EXISTS if there are keys already. */
int center_init(const char *dir, struct center_keys *k, struct diag *d);
/*
 * Load both key pairs from dir. With the box key under lock (only
 * center.key.locked there) it loads the rest and sets k->locked: nothing
 * can be opened until center_key_unlock.
 */
int center_load(const char *dir, struct center_keys *k, struct diag *d);
/*
 * Put the box key under lock: center.key is wrapped by pass (at least
 * CENTER_PASSPHRASE_MIN characters) into center.key.locked (0600, written
 * durably and read back before anything is removed), then center.key is
 * overwritten with zeros, synced and removed. ERR_STATE if it is locked
 * already, ERR_INVAL for a short passphrase.
 */
int center_key_lock(const char *dir, const char *pass, struct diag *d);
/* Unwrap the box key into k (loaded by center_load, locked): 0, ERR_CRYPTO for a wrong passphrase. */
int center_key_unlock(const char *dir, struct center_keys *k, const char *pass, struct diag *d);
/*
 * A new passphrase for the locked key: unwrapped with old (ERR_CRYPTO if wrong), wrapped with pass
 * (ERR_INVAL if short), written, read back and opened, else the old file put back. ERR_STATE if not locked.
 */
int center_key_rewrap(const char *dir, const char *old, const char *pass, struct diag *d);
void center_keys_wipe(struct center_keys *k);

/*
 * What turns codes into Vietnamese names (report_names) and counts a
 * deadline's working days, from a content pack directory: its strings.vi,
 * communes.txt and holidays.txt, and the built-in rules (documents, group
 * citations). A part that is missing or bad is said on stderr and left out
 * (codes instead of names, deadlines without a date): never fatal.
 */
struct center_names {
	struct report_names rn;
	struct catalog *vi;
	struct content content;
	struct rules *rules;
	uint64_t version; /* the published pack's, 0 when the names come from a content dir */
};
/*
 * From the pack the center last published (dir's content.pack, verified with its card) when there is one,
 * else from content_dir: reports name things as the kiosks that send them do.
 */
void center_names_load(struct center_names *n, const char *dir, const char *content_dir);
void center_names_finish(struct center_names *n);

/* The version of the pack dir published (content.pack, verified with sign_pk), 0 when none. */
uint64_t center_pack_version(const char *dir, const unsigned char sign_pk[CRYPT_SIGN_PK]);
/*
 * A content dir read as a pack (the built-in rules added when it has none) and checked exactly as a kiosk
 * checks one before it installs it, with holidays covering this year. Free files with packdir_finish
 * (also after an error).
 */
struct packdir;
int center_pack_check(const char *content, struct packdir *files, struct diag *d);
struct center_published {
	uint64_t version;
	size_t files, bytes;
};
/*
 * Check content (center_pack_check) and sign it as dir's content.pack, version v (0: the published one's
 * next); ERR_INVAL for a version not above the published one; a pack the check refuses is never signed.
 */
/* name (a relative path, directories made 0755) under root, written durably 0644. */
int center_write_under(const char *root, const char *name, const void *data, size_t len, struct diag *d);
/* The draft (dir/content) as one file out (a pack signed with center.sign, 0600); ERR_NOTFOUND if there is none. */
int center_draft_save(const char *dir, const char *out, struct diag *d);
/* dir's content.draft (a restored backup's) unpacked into the directory into; ERR_NOTFOUND if there is none. */
int center_draft_restore(const char *dir, const char *into, struct diag *d);
int center_pack_publish(const char *dir, const char *content, const struct center_keys *k, uint64_t v,
			struct center_published *out, struct diag *d);

/*
 * Open a stored request: NULL and req holding it (plain holds the
 * plaintext: wipe it), or why not in words that name no personal data (why
 * is the room for a reason that needs formatting).
 */
const char *center_open_stored(const struct center_keys *k, const struct cstore_request *r, struct buf *plain,
			       struct request *req, char *why, size_t whylen);

/*
 * The deadline as a date: the resident gave wd working days left, counted
 * on the request date `from` (holidays_workdays_between: the days strictly
 * between them), so it falls on the (wd+1)th working day after it. 0 and
 * *out, or ERR_NOTFOUND when the holiday list does not cover the days to
 * count (said, never guessed), ERR_INVAL for a date or count out of range.
 */
int center_deadline(const struct holidays *h, struct date from, int wd, struct date *out);

int center_main(int argc, char **argv);

#endif

/* sync/center/backup: the center's data dir as one encrypted file (spean-center backup / restore, the console's button). */
#ifndef SPEAN_CENTER_BACKUP_H
#define SPEAN_CENTER_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define BACKUP_MAGIC "SPEANBAK1\n"
#define BACKUP_CHUNK (1u << 20) /* bytes of a file in one sealed message */

/*
 * The file: BACKUP_MAGIC, crypt_stream's header (the passphrase's salt and
 * limits), then messages, each a 4-byte little-endian length and a sealed
 * record (crypt_stream: in order, authenticated, the last one final):
 *   'F' NAMELEN NAME SIZE(8, LE) DATA   a file begins (its first bytes)
 *   'D' DATA                            more of it
 *   'E'                                 the end (the final message)
 * It carries center.db and office.db (SQLite's online backup: consistent
 * while the center runs), the keys as they are on disk (center.key or
 * center.key.locked, center.sign, center.crt.key), the card, the
 * certificate and the content pack; never center.hw: a restored database
 * must start a new epoch (sync.md), so kiosks offer again what it lacks.
 */

/* The names a backup may hold; 1 if name is one. */
int backup_name_allowed(const char *name, size_t n);

/*
 * One decrypted record: its kind ('F', 'D' or 'E'), and for 'F' the name
 * (pointing into rec, not NUL-terminated) and the file's size; data and
 * its length for 'F' and 'D'. 0, or ERR_PARSE with d saying what is wrong
 * (an unknown kind, a name not allowed, a size over 64 GiB, a short record).
 */
struct backup_record {
	char kind;
	const char *name;
	size_t name_len;
	uint64_t size;
	const unsigned char *data;
	size_t len;
};
int backup_record_parse(const unsigned char *rec, size_t n, struct backup_record *out, struct diag *d);

/* Write dir's backup to out (a new file: ERR_EXISTS if it is there), sealed by pass (12 characters or more). */
int center_backup(const char *dir, const char *out, const char *pass, unsigned *files, struct diag *d);
/*
 * Restore the backup in file into dir, which must be empty or absent
 * (ERR_EXISTS otherwise: a center is never overwritten). Every file is
 * created new (O_EXCL, O_NOFOLLOW), its size checked; on any failure what
 * was written is removed again. ERR_CRYPTO for a wrong passphrase or a
 * changed, reordered or cut file; ERR_PARSE for a file that is not a backup.
 */
int center_restore(const char *file, const char *dir, const char *pass, unsigned *files, struct diag *d);

/*
 * The console's restore: file decrypted and checked into dir/restore.pending (made anew, as a restore into
 * an empty dir is; ERR_EXISTS if one is waiting already), beside the live center, which it does not touch.
 */
#define CENTER_RESTORE_PENDING "restore.pending"
int center_restore_stage(const char *dir, const char *file, const char *pass, unsigned *files, struct diag *d);
/*
 * At start, before anything opens the stores: a staged restore replaces the live center, whose files
 * (the databases with their logs, keys, card, certificate, pack, draft, and center.hw: the restored
 * center starts a new epoch) move into dir/before-restore-DATE, named in before. 0 when applied,
 * ERR_NOTFOUND when none waits, ERR_IO with d; safe to start again after a cut at any point.
 */
int center_restore_apply(const char *dir, char *before, size_t n, struct diag *d);

#endif

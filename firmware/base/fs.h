/* base/fs: whole-file reads with a size limit and durable (fsync'd, atomic) writes. */
#ifndef SPEAN_BASE_FS_H
#define SPEAN_BASE_FS_H

#include <stddef.h>

#include "err.h"
#include "mem.h"

/* Read a whole file (at most max bytes, else ERR_TOOBIG) into b. Errors set d. */
int fs_read_file(const char *path, size_t max, struct buf *b, struct diag *d);
/* The same for dir/name (a file of a data or content dir). */
int fs_read_in(const char *dir, const char *name, size_t max, struct buf *b, struct diag *d);
/* write() all of it, again after EINTR; 0 or -1 with errno set. */
int fs_write_all(int fd, const void *data, size_t len);
/*
 * Replace path atomically and durably (fs_write_at in path's directory). mode
 * is the file mode (0600 for secrets). After a power cut the file is either
 * the old or the new one, never partial; a link at path is replaced, never
 * written through.
 */
int fs_write_durable(const char *path, const void *data, size_t len, unsigned mode, struct diag *d);

/*
 * Handles on directories for the *at() calls below, so that nothing is ever
 * written or read through a link someone planted (a USB stick is hostile).
 *
 * fs_dir_open: open path as a directory (links in path are followed: the
 * caller named it). fs_subdir_open: open name inside dirfd, creating it
 * (mode) when create is set; a link, FIFO, device or file there is refused
 * (ERR_REFUSED, d names shown/name and what it is), a missing one is
 * ERR_NOTFOUND. Both return the fd (>= 0, close it) or a negative code.
 */
int fs_dir_open(const char *path, struct diag *d);
int fs_subdir_open(int dirfd, const char *name, int create, unsigned mode, const char *shown, struct diag *d);
/*
 * Write name in dirfd durably: a fresh file under a random temporary name
 * (O_CREAT|O_EXCL|O_NOFOLLOW), written, fsynced, renamed over name and the
 * directory fsynced. A link or anything else at name is replaced, never
 * followed. Errors set d with shown/name.
 */
int fs_write_at(int dirfd, const char *name, const void *data, size_t len, unsigned mode, const char *shown,
		struct diag *d);
/*
 * Read name in dirfd whole: only a regular file (a link, FIFO, device or
 * directory is ERR_REFUSED without opening it for reading: nothing blocks, no
 * device is touched), at most max bytes (ERR_TOOBIG, checked with fstat
 * before a byte is read), and the same size at the end as at the start
 * (ERR_PARSE "changed while it was read" otherwise). Errors set d.
 */
int fs_read_at(int dirfd, const char *name, size_t max, struct buf *b, const char *shown, struct diag *d);
/* fs_read_at's checks, then the open fd (>= 0) with *size from fstat, for a caller that reads only part. */
int fs_open_at(int dirfd, const char *name, size_t max, size_t *size, const char *shown, struct diag *d);
/* What is at name in dirfd, for messages: "a link", "a FIFO", "a device", "a directory", "a file", "nothing". */
const char *fs_kind_at(int dirfd, const char *name);
/* The temporary names fs_write_at uses start with this (importers skip them; a pulled stick may leave one). */
#define FS_TMP_PREFIX ".spean-tmp-"
/* mkdir -p with the given mode for created components. */
int fs_mkdir_p(const char *path, unsigned mode, struct diag *d);
/* fsync a directory (after create/rename in it). */
int fs_sync_dir(const char *dir);
int fs_exists(const char *path);
/* Join dir and name into a new string. */
char *fs_join(const char *dir, const char *name);
/*
 * The installed bundle's sub dir ("content", "fonts", "audio"): $SPEAN_SHARE_DIR/sub, else the
 * path the build was configured with (SPEAN_SHARE_DIR, /usr/share/spean). Written into buf (n bytes).
 */
const char *fs_share_path(const char *sub, char *buf, size_t n);
/* The decimal number at the start of dir/name (a small setting file), or 0 if it is missing or not a number. */
unsigned long long fs_read_number(const char *dir, const char *name);

#endif

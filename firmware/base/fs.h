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
 * Replace path atomically and durably: write path.tmp, fsync, rename, fsync
 * the directory. mode is the file mode (0600 for secrets). After a power cut
 * the file is either the old or the new one, never partial.
 */
int fs_write_durable(const char *path, const void *data, size_t len, unsigned mode, struct diag *d);
/* mkdir -p with the given mode for created components. */
int fs_mkdir_p(const char *path, unsigned mode, struct diag *d);
/* fsync a directory (after create/rename in it). */
int fs_sync_dir(const char *dir);
int fs_exists(const char *path);
/* Join dir and name into a new string. */
char *fs_join(const char *dir, const char *name);
/* The decimal number at the start of dir/name (a small setting file), or 0 if it is missing or not a number. */
unsigned long long fs_read_number(const char *dir, const char *name);

#endif

/* sync/packdir: a content pack's directory read into memory, the files a pack carries (no dotfiles, scripts, docs or lists), for the center's `pack` and the kiosk's content check. */
#ifndef SPEAN_SYNC_PACKDIR_H
#define SPEAN_SYNC_PACKDIR_H

#include <stddef.h>

#include "contentpack.h"
#include "err.h"

struct packdir {
	size_t n;
	struct content_file *f; /* names and bytes owned here */
};
/*
 * Every regular file under root, depth first in name order, named by its
 * path relative to root. Stops with ERR_TOOBIG past CONTENT_MAX_FILES files
 * or CONTENT_MAX_BYTES bytes, ERR_INVAL for anything that is neither a
 * regular file nor a directory (a link, a FIFO, a device) or a name too long
 * for a pack, ERR_IO if unreadable; d names the file. Names are not checked
 * otherwise: content_pack_check does that. Free with packdir_finish (also
 * after an error).
 */
int packdir_read(const char *root, struct packdir *p, struct diag *d);
/* Add a file (name and bytes copied), e.g. the built-in rules. */
void packdir_add(struct packdir *p, const char *name, const void *data, size_t len);
/* The file called name, or NULL. */
const struct content_file *packdir_find(const struct packdir *p, const char *name);
void packdir_finish(struct packdir *p);

#endif

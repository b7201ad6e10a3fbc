/* app/pack: the content pack a kiosk uses: installed ones (from the center, signed, versions only going up) in DATA/content, else the bundled one. */
#ifndef SPEAN_APP_PACK_H
#define SPEAN_APP_PACK_H

#include <stdint.h>

#include "err.h"
#include "protocol.h"

#define PACK_DIR "content"
#define PACK_VERSION_FILE "VERSION"

/* The installed pack's version (0: none installed: the bundled pack is used). */
uint64_t pack_installed_version(const char *data_dir);
/*
 * The content dir to use: arg (--content or $SPEAN_CONTENT_DIR) when set,
 * else DATA/content when a pack is installed, else the bundled dir.
 * Returns arg, bundled, or a string owned by a static buffer.
 */
const char *pack_content_dir(const char *data_dir, const char *arg, const char *bundled);
/*
 * Install a verified pack: written to DATA/content.new, checked as a whole
 * (questions, catalogs, communes, pictures, rules), then swapped in with
 * renames; on any error nothing changes and the old pack stays.
 */
int pack_install(const char *data_dir, const struct sync_content *c, struct diag *d);
/* The same with the sync client's installer signature (ctx: the data dir). */
int pack_install_cb(void *data_dir, const struct sync_content *c, struct diag *d);

/* kiosk_main.c: load and check every part of the pack in dir (what the kiosk would refuse to start on). */
int content_validate(const char *dir, struct diag *d);

#endif

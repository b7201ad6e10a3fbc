/* app/pack: the content pack a kiosk uses: installed ones (from the center, signed, versions only going up) in DATA/content, else the bundled one. */
#ifndef SPEAN_APP_PACK_H
#define SPEAN_APP_PACK_H

#include <stdint.h>

#include "client.h"
#include "err.h"
#include "protocol.h"

#define PACK_DIR "content"
#define PACK_VERSION_FILE "VERSION"

/*
 * The installed pack's version (0: none installed: the bundled pack is used;
 * also 0 for a version past CONTENT_MAX_VERSION, installed from a center
 * that did not bound them, so the next pack the center signs frees it).
 */
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

/*
 * The pack in dir read whole and checked by content_pack_check (the check
 * the center runs before it signs): the kiosk's start and `spean content
 * check`. d: "DIR/NAME: reason".
 */
int pack_check_dir(const char *dir, struct diag *d);

/* kiosk_main.c: pack_check_dir, then load every part of the pack in dir and read every picture (what the kiosk would refuse to start on). */
int content_validate(const char *dir, struct diag *d);

/*
 * The pack this kiosk last refused, in DATA/content.refused ("VERSION WHY
 * TOLD"), until a pack installs: the next hello tells the center (once),
 * and the same pack is not fetched again.
 */
#define PACK_REFUSED_FILE "content.refused"
struct pack_refusal {
	uint64_t version; /* 0: none */
	int why;          /* enum sync_pack_refusal */
	int told;         /* the center has heard it */
};
void pack_refusal_read(const char *data_dir, struct pack_refusal *r);
/* Note a refusal (stick or network): a new one is told at the next sync. */
void pack_refusal_note(const char *data_dir, uint64_t version, int why);
/* A pack installed: nothing left to tell. */
void pack_refusal_clear(const char *data_dir);
/* Before a sync session: what the hello tells and what not to fetch again. */
void pack_refusal_to_cfg(const char *data_dir, struct sync_client_cfg *cfg);
/* The kiosk's own state for the hello (extension 2): this program's version, free space in data_dir, battery. */
void kiosk_facts_to_cfg(const char *data_dir, struct sync_client_cfg *cfg);
/* After it: installed clears the note, a refusal notes it, a welcome to a hello that told it marks it told. */
void pack_refusal_after(const char *data_dir, const struct sync_client_cfg *cfg, const struct sync_result *res);

#endif

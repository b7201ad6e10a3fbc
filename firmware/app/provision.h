/* app/provision: the center's card and the kiosk's settings taken in one step (spean provision, its --from DIR, the kiosk's setup screen). */
#ifndef SPEAN_APP_PROVISION_H
#define SPEAN_APP_PROVISION_H

#include <stddef.h>
#include <stdint.h>

#include "device.h"
#include "err.h"
#include "mem.h"

/*
 * A stick's provisioning folder: DIR/spean/provision/ with
 *   center.pub  the center's card, the file 'spean provision --center-key' takes (at most DEVICE_CARD_MAX bytes)
 *   settings    optional "key = value" lines (at most PROVISION_SETTINGS_MAX bytes): center_url, retention,
 *               printer, paper, each at most once, the values 'spean provision' takes as options
 */
#define PROVISION_DIR "provision" /* under STICK_ROOT ("spean") */
#define PROVISION_CARD "center.pub"
#define PROVISION_SETTINGS "settings"
#define PROVISION_SETTINGS_MAX 4096
/* Where the appliance mounts a USB stick (debian/spean-stick@.service); $SPEAN_STICK_DIR overrides. */
#define PROVISION_STICK_DIR "/run/spean-stick"

/* What to set besides the card; an empty / zero field leaves the data dir's setting as it is. */
struct provision_settings {
	char url[512];           /* http://... or https://... */
	unsigned long retention; /* sync sessions a delivered request is kept, 1..100000 */
	char printer[256];       /* usb, usb:VVVV:PPPP or an absolute usblp device path */
	char paper[3];           /* "58" or "80" (only with a printer; 58 when left out) */
};

/*
 * Take one setting by the settings file's name (center_url, retention,
 * printer, paper) with the rules of 'spean provision''s options; messages
 * name it as shown ("--paper" on the command line). 0, or ERR_INVAL (a bad
 * value; d says why, quoting it) or ERR_NOTFOUND (no such setting).
 */
int provision_setting_set(struct provision_settings *s, const char *key, const char *shown, const char *value,
			  struct diag *d);
/* The settings as a whole: paper goes with a printer. 0 or ERR_INVAL. */
int provision_settings_check(const struct provision_settings *s, struct diag *d);
/*
 * Parse a settings file (kv lines, '#' comments, each key at most once,
 * unknown keys refused) into s (zeroed first). 0, or ERR_PARSE with d saying
 * "line N: why" and *line = N (0: the file as a whole).
 */
int provision_settings_parse(const char *data, size_t len, struct provision_settings *s, unsigned *line,
			     struct diag *d);

/* Why a provisioning was refused (the kiosk's setup screen says each in both languages). */
enum provision_why {
	PROVISION_OK,
	PROVISION_NO_FOLDER,   /* no spean/provision/ on the stick */
	PROVISION_NO_CARD,     /* no center.pub in it */
	PROVISION_BAD_CARD,    /* center.pub is not a center card */
	PROVISION_LINK,        /* a symbolic link where a folder or file was expected */
	PROVISION_NOT_FILE,    /* a FIFO, device, socket or directory where a file was expected */
	PROVISION_TOO_BIG,     /* a file over its cap */
	PROVISION_BAD_SETTINGS,/* settings: a bad line (result.line) */
	PROVISION_HELD,        /* another center's card while requests sealed to the current one are held */
	PROVISION_FAILED,      /* the stick or the data dir could not be read or written */
};
/* "no_card", "link"...: the setup screen's catalog keys (setup.why.NAME) and the log's why= field. */
const char *provision_why_name(enum provision_why why);

struct provision_result {
	enum provision_why why;
	const char *file;      /* the stick's file it is about (PROVISION_CARD, PROVISION_SETTINGS) or NULL */
	unsigned line;         /* PROVISION_BAD_SETTINGS: the settings line (0: the file as a whole) */
	uint64_t held;         /* requests sealed to the current center (refused, or kept held with force) */
	char center[2 * CRYPT_BOX_PK + 1]; /* the card's X25519 key, hex (once the card was read) */
	struct provision_settings set;     /* what was set */
	int changed;           /* the card was written (and the settings after it) */
};

/*
 * Provision dev: the card's bytes and the settings, all checked before
 * anything is written (a card of another center while requests sealed to the
 * current one are held: PROVISION_HELD, ERR_REFUSED, unless force: they stay
 * held, never purged). Then the card, the printer, the retention and the
 * center's URL, each written durably, and the audit log says center_key_set.
 * 0 or a negative code with r->why and d (a message for a technician, which
 * may quote the stick's text: print it, never log it).
 */
int provision_apply(struct device *dev, const char *card, size_t card_len, const struct provision_settings *s,
		    int force, struct provision_result *r, struct diag *d);
/*
 * Read DIR/spean/provision/ through directory handles: no link is followed
 * (folder or file), no FIFO or device is opened, the card and the settings
 * are capped, all before a byte is read. card gets the card's bytes; s the
 * parsed settings (zero when there is no settings file). 0 or a negative
 * code with r->why, r->file, r->line and d.
 */
int provision_read_dir(const char *dir, struct buf *card, struct provision_settings *s, struct provision_result *r,
		       struct diag *d);
/* provision_read_dir then provision_apply. */
int provision_from_dir(struct device *dev, const char *dir, int force, struct provision_result *r, struct diag *d);
/* 1 if DIR/spean/provision exists (as anything: a link there is refused by provision_read_dir, with its message). */
int provision_dir_present(const char *dir);

#endif

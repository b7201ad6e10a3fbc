/* app/device: the kiosk's data dir, its Ed25519 identity and the center key it seals to. */
#ifndef SPEAN_APP_DEVICE_H
#define SPEAN_APP_DEVICE_H

#include <stdint.h>

#include "crypt.h"
#include "err.h"
#include "lockout.h"

#ifdef SPEAN_STATE_DIR
#define DEVICE_DEFAULT_DIR SPEAN_STATE_DIR
#else
#define DEVICE_DEFAULT_DIR "/var/lib/spean"
#endif
#define DEVICE_IDENTITY_FILE "identity.key"
#define DEVICE_CENTER_FILE "center.pub"
#define DEVICE_CARD_MAX 4096 /* a center card is a few lines */

struct device {
	char *dir;
	unsigned char sign_pk[CRYPT_SIGN_PK];
	unsigned char sign_sk[CRYPT_SIGN_SK];
	int has_center;
	unsigned char center_pk[CRYPT_BOX_PK];
	int has_center_sign;                   /* a center card with the signing key: sync possible */
	unsigned char center_sign_pk[CRYPT_SIGN_PK];
	char center_tls_pin[128];              /* "sha256//BASE64" of the center's HTTPS key, or "" */
};

/* --data-dir, else $SPEAN_DATA_DIR, else /var/lib/spean. Returned string is static or arg. */
const char *device_data_dir(const char *arg);
/*
 * Create the data dir (0700) if needed, load the identity or make one on
 * first start (written durably, 0600), and load the center key if provisioned.
 */
int device_open(const char *dir, struct device *dev, struct diag *d);
void device_close(struct device *dev);

#define DEVICE_PIN_FILE "staff.pin"
/* Store the staff PIN (4 to 8 digits) as an Argon2id hash (0600). ERR_INVAL for a bad PIN. */
int device_set_pin(struct device *dev, const char *pin, struct diag *d);
/* 0 if pin is the staff PIN; ERR_CRYPTO if not; ERR_NOTFOUND if no PIN is set (assisted mode off). */
int device_check_pin(const struct device *dev, const char *pin);

/*
 * The staff PIN lockout across restarts: lockout_save's text (two counts and
 * the seconds left; never the PIN, nothing personal) in the data dir, 0600.
 */
#define DEVICE_LOCKOUT_FILE "staff.lockout"
/* Replace it durably (fs_write_durable: after a power cut it is the old or the new text, never a mix). */
int device_save_lockout(const struct device *dev, const char *text, struct diag *d);
/*
 * Read it at now (clock_mono_ns) into st. No file (first start): 0 and a
 * fresh state. A file that cannot be read or is refused by lockout_load:
 * the fail-safe state (locked LOCKOUT_FIRST_S seconds from now, one lockout
 * counted) and ERR_PARSE, or the read's code, with d saying why: a damaged
 * record never unlocks the PIN screen.
 */
int device_load_lockout(const struct device *dev, uint64_t now, struct lockout *st, struct diag *d);

/*
 * Take the center's card (center.pub from 'spean-center init': "box = HEX",
 * "sign = HEX"; a bare X25519 key file is still accepted, without sync) and
 * keep it in the data dir (durable).
 */
int device_provision(struct device *dev, const char *keyfile, struct diag *d);
/* The same from the card's bytes (len <= DEVICE_CARD_MAX; a stick's card is read by the caller through a dir handle). */
int device_provision_card(struct device *dev, const char *data, size_t len, struct diag *d);
/* Read a center card's bytes (as device_provision takes it) without keeping it: its X25519 key, to check first. 0, or ERR_PARSE / ERR_INVAL with d saying why. */
int device_card_parse(const char *data, size_t len, unsigned char box_pk[CRYPT_BOX_PK], struct diag *d);

#endif

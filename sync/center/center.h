/* sync/center: the office side (spean-center): center keys now; receiving, export and stats later. */
#ifndef SPEAN_CENTER_H
#define SPEAN_CENTER_H

#include "crypt.h"
#include "err.h"

#define CENTER_SECRET_FILE "center.key"  /* X25519: opens requests */
#define CENTER_SIGN_FILE "center.sign"    /* Ed25519: signs receipts, welcomes and content packs */
#define CENTER_PUBLIC_FILE "center.pub"   /* the card kiosks get: "box = HEX" and "sign = HEX" */
#define CENTER_PACK_FILE "content.pack"   /* the signed content pack kiosks fetch (spean-center pack) */

struct center_keys {
	unsigned char pk[CRYPT_BOX_PK];
	unsigned char sk[CRYPT_BOX_SK];
	unsigned char sign_pk[CRYPT_SIGN_PK];
	unsigned char sign_sk[CRYPT_SIGN_SK];
};

/* Make the center's key pairs in dir (0700) and its card center.pub; ERR_EXISTS if there are keys already. */
int center_init(const char *dir, struct center_keys *k, struct diag *d);
/* Load both key pairs from dir. */
int center_load(const char *dir, struct center_keys *k, struct diag *d);
void center_keys_wipe(struct center_keys *k);

int center_main(int argc, char **argv);

#endif

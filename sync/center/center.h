/* sync/center: the office side (spean-center): center keys now; receiving, export and stats later. */
#ifndef SPEAN_CENTER_H
#define SPEAN_CENTER_H

#include "crypt.h"
#include "err.h"

#define CENTER_SECRET_FILE "center.key"
#define CENTER_PUBLIC_FILE "center.pub"

struct center_keys {
	unsigned char pk[CRYPT_BOX_PK];
	unsigned char sk[CRYPT_BOX_SK];
};

/* Make the center key pair in dir (0700); ERR_EXISTS if there is one already. */
int center_init(const char *dir, struct center_keys *k, struct diag *d);
/* Load the key pair from dir. */
int center_load(const char *dir, struct center_keys *k, struct diag *d);
void center_keys_wipe(struct center_keys *k);

int center_main(int argc, char **argv);

#endif

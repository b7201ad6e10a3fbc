/* app/submit: turn facts + contact into a sealed, signed, durably stored request. */
#ifndef SPEAN_APP_SUBMIT_H
#define SPEAN_APP_SUBMIT_H

#include <stdint.h>

#include "device.h"
#include "record.h"
#include "store.h"

/*
 * Screen, serialise, seal to the center key, sign and store. The plaintext
 * exists only in memory and is wiped before return. A fresh random 128-bit
 * id is written to id. Returns 0 only once the request is durable.
 * ERR_STATE if no center key is provisioned; ERR_REFUSED without consent.
 */
int submit_request(struct store *st, const struct device *dev, const struct rules *rules, const struct facts *f,
		   struct date today, const struct contact *c, const char *lang,
		   unsigned char id[RECORD_ID_LEN], uint64_t *seq, struct diag *d);

#endif

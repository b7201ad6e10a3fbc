/* sync/center/tls: the center's self-signed HTTPS certificate, its key, and the pin kiosks check it by. */
#ifndef SPEAN_CENTER_TLS_H
#define SPEAN_CENTER_TLS_H

#include <stddef.h>

#include "err.h"
#include "mem.h"

#define CENTER_TLS_CERT "center.crt"     /* PEM certificate, 0644 */
#define CENTER_TLS_KEY "center.crt.key"  /* PEM private key (unencrypted PKCS#8), 0600 */

/* Room for a pin: "sha256//" + 44 base64 characters + NUL fits with margin. */
#define CENTER_TLS_PIN_MAX 128

/*
 * Make a self-signed certificate and its key in dir (created 0700 if missing).
 * Key: ECDSA P-256. Certificate: X.509 v3, subject and issuer CN=spean-center,
 * SAN DNS "spean-center" and IP 127.0.0.1, a random positive 128-bit serial,
 * valid from now minus one day (clocks on office PCs drift) to 20 calendar
 * years from now, CA:FALSE, key usage digitalSignature, purpose serverAuth,
 * signed with ECDSA-SHA256.
 *
 * ERR_EXISTS (nothing touched) if dir already holds CENTER_TLS_CERT: the kiosks
 * pinned that certificate's key, replacing it would cut them off.
 * Both files are written with fs_write_durable, the key first: a crash in
 * between leaves a key without a certificate, which the next call replaces.
 * Other errors: ERR_IO/ERR_NOSPACE writing, ERR_CRYPTO if GnuTLS fails; d
 * names the file. Not safe against two processes making at the same time.
 */
int center_tls_make(const char *dir, struct diag *d);

/*
 * The pin of dir's certificate: "sha256//" + base64(SHA-256(DER of its
 * SubjectPublicKeyInfo)), exactly what curl's CURLOPT_PINNEDPUBLICKEY and
 * `curl --pinnedpubkey` accept. The pin is public (safe to print and log).
 * out must hold CENTER_TLS_PIN_MAX bytes (ERR_INVAL if n is smaller); it is
 * NUL-terminated on success and "" on failure.
 * Errors: ERR_NOTFOUND (no certificate), ERR_IO, ERR_TOOBIG, ERR_PARSE (not a
 * PEM certificate), ERR_CRYPTO; d names the file.
 */
int center_tls_pin(const char *dir, char *out, size_t n, struct diag *d);

/*
 * Read dir's certificate and key PEM into cert and key (for
 * MHD_OPTION_HTTPS_MEM_CERT / MHD_OPTION_HTTPS_MEM_KEY: both NUL-terminated).
 * cert and key need not be initialised; they are initialised here and, on
 * success and failure alike, the caller frees both with buf_finish_wipe
 * (on failure they are empty). Both files are parsed and the key must belong
 * to the certificate, so a server does not start with a pair that cannot
 * complete a handshake.
 * Errors: ERR_NOTFOUND, ERR_IO, ERR_TOOBIG, ERR_PARSE (not PEM of the right
 * kind), ERR_STATE (key and certificate do not belong together); d names the
 * file. Never puts key material in d or the log.
 */
int center_tls_load(const char *dir, struct buf *cert, struct buf *key, struct diag *d);

#endif

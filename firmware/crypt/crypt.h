/* crypt: Spean's small wrapper over libsodium (the only includer of sodium.h). */
#ifndef SPEAN_CRYPT_H
#define SPEAN_CRYPT_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"

#define CRYPT_SIGN_PK 32
#define CRYPT_SIGN_SK 64
#define CRYPT_SIG 64
#define CRYPT_BOX_PK 32
#define CRYPT_BOX_SK 32
#define CRYPT_SEAL_OVERHEAD 48
#define CRYPT_HASH 32
#define CRYPT_PAD_BLOCK 256

/* Initialise libsodium; aborts if it cannot (no entropy source). Idempotent. */
void crypt_init(void);
void crypt_random(void *out, size_t n);

/* Ed25519 device identity. */
void crypt_sign_keypair(unsigned char pk[CRYPT_SIGN_PK], unsigned char sk[CRYPT_SIGN_SK]);
void crypt_sign(unsigned char sig[CRYPT_SIG], const void *msg, size_t n, const unsigned char sk[CRYPT_SIGN_SK]);
/* 0 if valid, ERR_CRYPTO otherwise. */
int crypt_verify(const unsigned char sig[CRYPT_SIG], const void *msg, size_t n, const unsigned char pk[CRYPT_SIGN_PK]);
/* Public key from a secret key. */
void crypt_sign_sk_to_pk(unsigned char pk[CRYPT_SIGN_PK], const unsigned char sk[CRYPT_SIGN_SK]);

/* X25519 center key pair. */
void crypt_box_keypair(unsigned char pk[CRYPT_BOX_PK], unsigned char sk[CRYPT_BOX_SK]);
/* The public key of an X25519 secret key. */
void crypt_box_sk_to_pk(unsigned char pk[CRYPT_BOX_PK], const unsigned char sk[CRYPT_BOX_SK]);

/*
 * Seal plaintext to the center's public key (crypto_box_seal: an ephemeral
 * key per message, so each request has its own key and the sender cannot
 * open the result). The plaintext is padded to a multiple of
 * CRYPT_PAD_BLOCK first so lengths do not reveal how long a name is.
 * out receives the sealed bytes.
 */
void crypt_seal(const void *plain, size_t n, const unsigned char pk[CRYPT_BOX_PK], struct buf *out);
/* Open and unpad; out receives the plaintext. 0 or ERR_CRYPTO. */
int crypt_seal_open(const void *sealed, size_t n, const unsigned char pk[CRYPT_BOX_PK],
		    const unsigned char sk[CRYPT_BOX_SK], struct buf *out);

/* BLAKE2b-256. */
void crypt_hash(unsigned char out[CRYPT_HASH], const void *msg, size_t n);

/*
 * SipHash-2-4 (crypto_shorthash) of msg under a secret key: for hash tables
 * whose keys come from outside, so no one who does not know the key (fresh
 * from crypt_random per table) can make every key land in one bucket.
 */
#define CRYPT_SHORTHASH_KEY 16
uint64_t crypt_shorthash(const void *msg, size_t n, const unsigned char key[CRYPT_SHORTHASH_KEY]);

/* Staff PINs: Argon2id (crypto_pwhash_str, interactive limits); the string is self-describing. */
#define CRYPT_PIN_HASH 128
int crypt_pin_hash(char out[CRYPT_PIN_HASH], const char *pin);
/* 0 if pin matches hash, ERR_CRYPTO otherwise. */
int crypt_pin_verify(const char *hash, const char *pin);

/*
 * A secret wrapped by a passphrase (the center's box key at rest): Argon2id
 * derives a key from the passphrase and a random salt, XSalsa20-Poly1305
 * seals the secret with it. The wrapped form is self-describing:
 *   salt (16) | opslimit (8, LE) | memlimit (8, LE) | nonce (24) | box (n + 16)
 * crypt_wrap writes CRYPT_WRAP_OVERHEAD + n bytes to out (libsodium's
 * moderate limits: 3 passes over 256 MiB, about a second); ERR_IO if the
 * memory for the hash is not there.
 * crypt_unwrap: 0 and the secret in out (n = the wrapped length minus the
 * overhead); ERR_PARSE for a wrapped form that cannot be one (too short, or
 * limits outside libsodium's interactive to sensitive range: a hostile file
 * must not make the center allocate 4 TiB); ERR_CRYPTO for a wrong
 * passphrase or a changed byte.
 */
#define CRYPT_WRAP_OVERHEAD (16 + 8 + 8 + 24 + 16)
int crypt_wrap(const void *secret, size_t n, const char *pass, size_t plen, unsigned char *out);
int crypt_unwrap(const unsigned char *wrapped, size_t wn, const char *pass, size_t plen, unsigned char *out);

/*
 * A stream sealed by a passphrase (the center's backup): the same Argon2id
 * derivation as crypt_wrap, then libsodium's secretstream (XChaCha20-
 * Poly1305): each message authenticated in order, the last one tagged
 * final, so a reordered, cut or changed stream is refused. The header
 * (CRYPT_STREAM_HEADER bytes: salt, limits, the stream's header) goes
 * first; each message grows by CRYPT_STREAM_ABYTES.
 * crypt_stream_open_begin: ERR_PARSE for limits outside libsodium's range
 * (as crypt_unwrap), ERR_IO without the memory. crypt_stream_open: 0 and
 * *final, or ERR_CRYPTO (wrong passphrase, changed, reordered).
 */
#define CRYPT_STREAM_HEADER (16 + 8 + 8 + 24)
#define CRYPT_STREAM_ABYTES 17
struct crypt_stream;
int crypt_stream_seal_begin(const char *pass, size_t plen, unsigned char header[CRYPT_STREAM_HEADER],
			    struct crypt_stream **out);
void crypt_stream_seal(struct crypt_stream *s, const void *m, size_t n, int final, struct buf *out);
int crypt_stream_open_begin(const char *pass, size_t plen, const unsigned char header[CRYPT_STREAM_HEADER],
			    struct crypt_stream **out);
int crypt_stream_open(struct crypt_stream *s, const void *c, size_t n, struct buf *out, int *final);
void crypt_stream_free(struct crypt_stream *s); /* wiped; NULL is a no-op */

/* Wipe secrets. */
void crypt_wipe(void *p, size_t n);
/* Constant-time compare: 0 if equal. */
int crypt_memcmp(const void *a, const void *b, size_t n);

#endif

#include "crypt.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

void crypt_init(void)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "spean: libsodium could not initialise\n");
		abort();
	}
}

void crypt_random(void *out, size_t n)
{
	randombytes_buf(out, n);
}

void crypt_sign_keypair(unsigned char pk[CRYPT_SIGN_PK], unsigned char sk[CRYPT_SIGN_SK])
{
	crypto_sign_keypair(pk, sk);
}

void crypt_sign(unsigned char sig[CRYPT_SIG], const void *msg, size_t n, const unsigned char sk[CRYPT_SIGN_SK])
{
	crypto_sign_detached(sig, NULL, msg, n, sk);
}

int crypt_verify(const unsigned char sig[CRYPT_SIG], const void *msg, size_t n, const unsigned char pk[CRYPT_SIGN_PK])
{
	return crypto_sign_verify_detached(sig, msg, n, pk) == 0 ? 0 : ERR_CRYPTO;
}

void crypt_sign_sk_to_pk(unsigned char pk[CRYPT_SIGN_PK], const unsigned char sk[CRYPT_SIGN_SK])
{
	crypto_sign_ed25519_sk_to_pk(pk, sk);
}

void crypt_box_keypair(unsigned char pk[CRYPT_BOX_PK], unsigned char sk[CRYPT_BOX_SK])
{
	crypto_box_keypair(pk, sk);
}

void crypt_seal(const void *plain, size_t n, const unsigned char pk[CRYPT_BOX_PK], struct buf *out)
{
	size_t padded_max = n + CRYPT_PAD_BLOCK;
	unsigned char *tmp = xmalloc(padded_max);
	memcpy(tmp, plain, n);
	size_t padded;
	if (sodium_pad(&padded, tmp, n, CRYPT_PAD_BLOCK, padded_max))
		abort(); /* cannot happen: padded_max is always enough */
	buf_reserve(out, padded + crypto_box_SEALBYTES);
	crypto_box_seal((unsigned char *)out->data + out->len, tmp, padded, pk);
	out->len += padded + crypto_box_SEALBYTES;
	out->data[out->len] = '\0';
	sodium_memzero(tmp, padded_max);
	free(tmp);
}

int crypt_seal_open(const void *sealed, size_t n, const unsigned char pk[CRYPT_BOX_PK],
		    const unsigned char sk[CRYPT_BOX_SK], struct buf *out)
{
	if (n < crypto_box_SEALBYTES + CRYPT_PAD_BLOCK)
		return ERR_CRYPTO;
	size_t padded = n - crypto_box_SEALBYTES;
	unsigned char *tmp = xmalloc(padded);
	int rc = ERR_CRYPTO;
	size_t len;
	if (crypto_box_seal_open(tmp, sealed, n, pk, sk) == 0 &&
	    sodium_unpad(&len, tmp, padded, CRYPT_PAD_BLOCK) == 0) {
		buf_append(out, tmp, len);
		rc = 0;
	}
	sodium_memzero(tmp, padded);
	free(tmp);
	return rc;
}

void crypt_hash(unsigned char out[CRYPT_HASH], const void *msg, size_t n)
{
	crypto_generichash(out, CRYPT_HASH, msg, n, NULL, 0);
}

uint64_t crypt_shorthash(const void *msg, size_t n, const unsigned char key[CRYPT_SHORTHASH_KEY])
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v = 0;
	crypto_shorthash(h, msg, n, key);
	for (size_t i = 0; i < crypto_shorthash_BYTES; i++) /* little-endian, as the SipHash paper prints it */
		v |= (uint64_t)h[i] << (8 * i);
	return v;
}

int crypt_pin_hash(char out[CRYPT_PIN_HASH], const char *pin)
{
	if (crypto_pwhash_str(out, pin, strlen(pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return ERR_IO; /* out of memory for the hash */
	return 0;
}

int crypt_pin_verify(const char *hash, const char *pin)
{
	return crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0 ? 0 : ERR_CRYPTO;
}

void crypt_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

int crypt_memcmp(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0 ? 0 : 1;
}

void crypt_box_sk_to_pk(unsigned char pk[CRYPT_BOX_PK], const unsigned char sk[CRYPT_BOX_SK])
{
	crypto_scalarmult_base(pk, sk);
}

static void le64_put(unsigned char *b, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t le64_get(const unsigned char *b)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

int crypt_wrap(const void *secret, size_t n, const char *pass, size_t plen, unsigned char *out)
{
	unsigned char key[crypto_secretbox_KEYBYTES];
	unsigned char *salt = out, *nonce = out + 32, *box = out + 56;
	uint64_t ops = crypto_pwhash_OPSLIMIT_MODERATE, mem = crypto_pwhash_MEMLIMIT_MODERATE;
	randombytes_buf(salt, 16);
	le64_put(out + 16, ops);
	le64_put(out + 24, mem);
	randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
	if (crypto_pwhash(key, sizeof key, pass, plen, salt, ops, (size_t)mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return ERR_IO;
	crypto_secretbox_easy(box, secret, n, nonce, key);
	sodium_memzero(key, sizeof key);
	return 0;
}

int crypt_unwrap(const unsigned char *wrapped, size_t wn, const char *pass, size_t plen, unsigned char *out)
{
	if (wn < CRYPT_WRAP_OVERHEAD)
		return ERR_PARSE;
	uint64_t ops = le64_get(wrapped + 16), mem = le64_get(wrapped + 24);
	if (ops < crypto_pwhash_OPSLIMIT_INTERACTIVE || ops > crypto_pwhash_OPSLIMIT_SENSITIVE ||
	    mem < crypto_pwhash_MEMLIMIT_INTERACTIVE || mem > crypto_pwhash_MEMLIMIT_SENSITIVE)
		return ERR_PARSE;
	unsigned char key[crypto_secretbox_KEYBYTES];
	if (crypto_pwhash(key, sizeof key, pass, plen, wrapped, ops, (size_t)mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return ERR_IO;
	int rc = crypto_secretbox_open_easy(out, wrapped + 56, wn - 56, wrapped + 32, key) == 0 ? 0 : ERR_CRYPTO;
	sodium_memzero(key, sizeof key);
	return rc;
}

struct crypt_stream {
	crypto_secretstream_xchacha20poly1305_state st;
};

static int stream_key(const char *pass, size_t plen, const unsigned char *salt, uint64_t ops, uint64_t mem,
		      unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES])
{
	return crypto_pwhash(key, crypto_secretstream_xchacha20poly1305_KEYBYTES, pass, plen, salt, ops, (size_t)mem,
			     crypto_pwhash_ALG_ARGON2ID13) == 0
		       ? 0
		       : ERR_IO;
}

int crypt_stream_seal_begin(const char *pass, size_t plen, unsigned char header[CRYPT_STREAM_HEADER],
			    struct crypt_stream **out)
{
	unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	uint64_t ops = crypto_pwhash_OPSLIMIT_MODERATE, mem = crypto_pwhash_MEMLIMIT_MODERATE;
	randombytes_buf(header, 16);
	le64_put(header + 16, ops);
	le64_put(header + 24, mem);
	if (stream_key(pass, plen, header, ops, mem, key))
		return ERR_IO;
	struct crypt_stream *s = sodium_malloc(sizeof *s);
	if (!s)
		abort();
	crypto_secretstream_xchacha20poly1305_init_push(&s->st, header + 32, key);
	sodium_memzero(key, sizeof key);
	*out = s;
	return 0;
}

void crypt_stream_seal(struct crypt_stream *s, const void *m, size_t n, int final, struct buf *out)
{
	buf_reserve(out, n + crypto_secretstream_xchacha20poly1305_ABYTES);
	unsigned long long clen;
	crypto_secretstream_xchacha20poly1305_push(&s->st, (unsigned char *)out->data + out->len, &clen, m, n, NULL, 0,
						   final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
	out->len += (size_t)clen;
	out->data[out->len] = '\0';
}

int crypt_stream_open_begin(const char *pass, size_t plen, const unsigned char header[CRYPT_STREAM_HEADER],
			    struct crypt_stream **out)
{
	uint64_t ops = le64_get(header + 16), mem = le64_get(header + 24);
	if (ops < crypto_pwhash_OPSLIMIT_INTERACTIVE || ops > crypto_pwhash_OPSLIMIT_SENSITIVE ||
	    mem < crypto_pwhash_MEMLIMIT_INTERACTIVE || mem > crypto_pwhash_MEMLIMIT_SENSITIVE)
		return ERR_PARSE;
	unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	if (stream_key(pass, plen, header, ops, mem, key))
		return ERR_IO;
	struct crypt_stream *s = sodium_malloc(sizeof *s);
	if (!s)
		abort();
	int rc = crypto_secretstream_xchacha20poly1305_init_pull(&s->st, header + 32, key) == 0 ? 0 : ERR_CRYPTO;
	sodium_memzero(key, sizeof key);
	if (rc) {
		sodium_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int crypt_stream_open(struct crypt_stream *s, const void *c, size_t n, struct buf *out, int *final)
{
	if (n < crypto_secretstream_xchacha20poly1305_ABYTES)
		return ERR_CRYPTO;
	buf_reserve(out, n);
	unsigned long long mlen;
	unsigned char tag;
	if (crypto_secretstream_xchacha20poly1305_pull(&s->st, (unsigned char *)out->data + out->len, &mlen, &tag, c, n,
						       NULL, 0) != 0)
		return ERR_CRYPTO;
	out->len += (size_t)mlen;
	out->data[out->len] = '\0';
	*final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
	return 0;
}

void crypt_stream_free(struct crypt_stream *s)
{
	if (s)
		sodium_free(s); /* sodium_free wipes */
}

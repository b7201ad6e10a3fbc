/* Tests for crypt: sealing is one-way for the kiosk, signatures bind, padding hides lengths. */
#include "crypt.h"
#include "err.h"
#include "testlib.h"

/* The center key wrapped by a passphrase: round trip, a wrong passphrase, a changed byte, a hostile header. */
static void test_wrap(void)
{
	unsigned char secret[32], w[CRYPT_WRAP_OVERHEAD + 32], w2[sizeof w], out[32];
	crypt_random(secret, sizeof secret);
	const char *pass = "khoa trung tam 2026";
	CHECK_INT(crypt_wrap(secret, sizeof secret, pass, strlen(pass), w), 0);
	CHECK_INT(crypt_unwrap(w, sizeof w, pass, strlen(pass), out), 0);
	CHECK(!memcmp(out, secret, sizeof secret));
	CHECK(memmem(w, sizeof w, secret, sizeof secret) == NULL);
	CHECK_INT(crypt_unwrap(w, sizeof w, "khoa trung tam 2027", 19, out), ERR_CRYPTO);
	CHECK_INT(crypt_wrap(secret, sizeof secret, pass, strlen(pass), w2), 0);
	CHECK(memcmp(w, w2, sizeof w) != 0); /* a fresh salt and nonce each time */
	memcpy(w2, w, sizeof w);
	w2[sizeof w2 - 1] ^= 1;
	CHECK_INT(crypt_unwrap(w2, sizeof w2, pass, strlen(pass), out), ERR_CRYPTO);
	memcpy(w2, w, sizeof w);
	w2[0] ^= 1; /* the salt: another key */
	CHECK_INT(crypt_unwrap(w2, sizeof w2, pass, strlen(pass), out), ERR_CRYPTO);
	memcpy(w2, w, sizeof w);
	w2[24 + 7] = 0x40; /* memlimit 2^62 bytes: refused before any allocation */
	CHECK_INT(crypt_unwrap(w2, sizeof w2, pass, strlen(pass), out), ERR_PARSE);
	memcpy(w2, w, sizeof w);
	memset(w2 + 16, 0, 8); /* opslimit 0 */
	CHECK_INT(crypt_unwrap(w2, sizeof w2, pass, strlen(pass), out), ERR_PARSE);
	CHECK_INT(crypt_unwrap(w, CRYPT_WRAP_OVERHEAD - 1, pass, strlen(pass), out), ERR_PARSE);
}

int main(void)
{
	crypt_init();
	test_wrap();
	unsigned char pk[CRYPT_BOX_PK], sk[CRYPT_BOX_SK], pk2[CRYPT_BOX_PK], sk2[CRYPT_BOX_SK];
	crypt_box_keypair(pk, sk);
	crypt_box_keypair(pk2, sk2);
	unsigned char derived[CRYPT_BOX_PK];
	crypt_box_sk_to_pk(derived, sk);
	CHECK(!memcmp(derived, pk, CRYPT_BOX_PK));
	crypt_box_sk_to_pk(derived, sk2);
	CHECK(memcmp(derived, pk, CRYPT_BOX_PK) != 0);
	const char *msg = "contact.name = Thạch Sô Phia\n";
	struct buf s1, s2, out;
	buf_init(&s1);
	buf_init(&s2);
	buf_init(&out);
	crypt_seal(msg, strlen(msg), pk, &s1);
	crypt_seal(msg, strlen(msg), pk, &s2);
	/* Padded to 256 bytes plus the seal overhead; a fresh ephemeral key each time. */
	CHECK_INT(s1.len, CRYPT_PAD_BLOCK + CRYPT_SEAL_OVERHEAD);
	CHECK(memcmp(s1.data, s2.data, s1.len) != 0);
	CHECK(memmem(s1.data, s1.len, "Phia", 4) == NULL);
	CHECK_INT(crypt_seal_open(s1.data, s1.len, pk, sk, &out), 0);
	CHECK(out.len == strlen(msg) && !memcmp(out.data, msg, out.len));
	buf_finish(&out);
	/* The wrong key, or a flipped bit, opens nothing. */
	CHECK_INT(crypt_seal_open(s1.data, s1.len, pk2, sk2, &out), ERR_CRYPTO);
	s1.data[100] ^= 1;
	CHECK_INT(crypt_seal_open(s1.data, s1.len, pk, sk, &out), ERR_CRYPTO);
	CHECK_INT(crypt_seal_open(s1.data, 10, pk, sk, &out), ERR_CRYPTO);
	CHECK_INT(out.len, 0);
	/* Lengths: 1 and 255 bytes seal to the same size; 256 to the next block. */
	struct buf a, b;
	buf_init(&a);
	buf_init(&b);
	char big[600];
	memset(big, 'x', sizeof big);
	crypt_seal(big, 1, pk, &a);
	crypt_seal(big, 255, pk, &b);
	CHECK_INT(a.len, b.len);
	buf_finish(&b);
	crypt_seal(big, 256, pk, &b);
	CHECK_INT(b.len, 2 * CRYPT_PAD_BLOCK + CRYPT_SEAL_OVERHEAD);

	unsigned char spk[CRYPT_SIGN_PK], ssk[CRYPT_SIGN_SK], spk2[CRYPT_SIGN_PK], sig[CRYPT_SIG];
	crypt_sign_keypair(spk, ssk);
	crypt_sign_sk_to_pk(spk2, ssk);
	CHECK(!memcmp(spk, spk2, CRYPT_SIGN_PK));
	crypt_sign(sig, "abc", 3, ssk);
	CHECK_INT(crypt_verify(sig, "abc", 3, spk), 0);
	CHECK_INT(crypt_verify(sig, "abd", 3, spk), ERR_CRYPTO);
	sig[0] ^= 1;
	CHECK_INT(crypt_verify(sig, "abc", 3, spk), ERR_CRYPTO);

	unsigned char h1[CRYPT_HASH], h2[CRYPT_HASH];
	crypt_hash(h1, "abc", 3);
	crypt_hash(h2, "abc", 3);
	CHECK(!crypt_memcmp(h1, h2, CRYPT_HASH));
	crypt_hash(h2, "abd", 3);
	CHECK(crypt_memcmp(h1, h2, CRYPT_HASH));
	/* SipHash-2-4, the paper's vectors (key 00..0f; message 00..0e, and empty). */
	unsigned char sk16[CRYPT_SHORTHASH_KEY], m15[15];
	for (int i = 0; i < 16; i++)
		sk16[i] = (unsigned char)i;
	for (int i = 0; i < 15; i++)
		m15[i] = (unsigned char)i;
	CHECK(crypt_shorthash(m15, 15, sk16) == 0xa129ca6149be45e5ull);
	CHECK(crypt_shorthash("", 0, sk16) == 0x726fdb47dd0e0e31ull);
	char ph[CRYPT_PIN_HASH];
	CHECK_INT(crypt_pin_hash(ph, "2468"), 0);
	CHECK(strstr(ph, "2468") == NULL);
	CHECK_INT(crypt_pin_verify(ph, "2468"), 0);
	CHECK_INT(crypt_pin_verify(ph, "2469"), ERR_CRYPTO);
	CHECK_INT(crypt_pin_verify("garbage", "2468"), ERR_CRYPTO);
	buf_finish(&a);
	buf_finish(&b);
	buf_finish(&s1);
	buf_finish(&s2);
	return t_done("crypt_test");
}

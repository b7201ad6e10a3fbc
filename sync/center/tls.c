#define LOG_MODULE "center_tls"
#include "tls.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "fs.h"
#include "log.h"

#define TLS_NAME "spean-center"
#define TLS_FILE_MAX (64 * 1024) /* a P-256 certificate is under 1 KiB; anything large is not ours */
#define TLS_YEARS 20
#define TLS_BACKDATE (24 * 60 * 60)
#define TLS_SERIAL_BYTES 16

/* "dir/file: what failed: GnuTLS's reason" and the code to return. */
static int gnutls_fail(struct diag *d, const char *path, const char *what, int ret, int code)
{
	diag_set(d, "%s: %s: %s", path, what, gnutls_strerror(ret));
	return code;
}

static void datum_wipe_free(gnutls_datum_t *x)
{
	if (x->data) {
		mem_wipe(x->data, x->size);
		gnutls_free(x->data);
	}
	x->data = NULL;
	x->size = 0;
}

/* Twenty calendar years after now (UTC); 29 February lands on 1 March. */
static time_t years_after(time_t now, int years)
{
	struct tm tm;
	gmtime_r(&now, &tm);
	tm.tm_year += years;
	return timegm(&tm);
}

/* Fill crt (whose key is set) with everything but the signature. */
static int fill_cert(gnutls_x509_crt_t crt, const char *path, struct diag *d)
{
	static const unsigned char localhost[4] = {127, 0, 0, 1};
	unsigned char serial[TLS_SERIAL_BYTES], kid[64];
	size_t kid_len = sizeof kid;
	time_t now = time(NULL);
	int ret;
	const char *what;
	/* Positive and of fixed length: a clear top bit and a set next bit keep the DER INTEGER minimal. */
	if ((ret = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial)) < 0) {
		what = "serial";
		goto fail;
	}
	serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x40);
	what = "certificate fields";
	if ((ret = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (ret = gnutls_x509_crt_set_serial(crt, serial, sizeof serial)) < 0 ||
	    (ret = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, TLS_NAME,
						 (unsigned)strlen(TLS_NAME))) < 0 ||
	    (ret = gnutls_x509_crt_set_activation_time(crt, now - TLS_BACKDATE)) < 0 ||
	    (ret = gnutls_x509_crt_set_expiration_time(crt, years_after(now, TLS_YEARS))) < 0)
		goto fail;
	what = "certificate extensions";
	if ((ret = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, TLS_NAME, (unsigned)strlen(TLS_NAME),
							GNUTLS_FSAN_SET)) < 0 ||
	    (ret = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, localhost, sizeof localhost,
							GNUTLS_FSAN_APPEND)) < 0 ||
	    (ret = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
	    (ret = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
	    (ret = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0 ||
	    (ret = gnutls_x509_crt_get_key_id(crt, 0, kid, &kid_len)) < 0 ||
	    (ret = gnutls_x509_crt_set_subject_key_id(crt, kid, kid_len)) < 0)
		goto fail;
	return 0;
fail:
	return gnutls_fail(d, path, what, ret, ERR_CRYPTO);
}

int center_tls_make(const char *dir, struct diag *d)
{
	char *cert_path = fs_join(dir, CENTER_TLS_CERT);
	char *key_path = fs_join(dir, CENTER_TLS_KEY);
	gnutls_x509_privkey_t xkey = NULL;
	gnutls_privkey_t pkey = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t key_pem = {NULL, 0}, cert_pem = {NULL, 0};
	int ret, rc = fs_mkdir_p(dir, 0700, d);
	if (rc)
		goto out;
	if (fs_exists(cert_path)) {
		diag_set(d, "%s already exists; refusing to replace it (kiosks pin its key)", cert_path);
		rc = ERR_EXISTS;
		goto out;
	}
	if ((ret = gnutls_x509_privkey_init(&xkey)) < 0 ||
	    (ret = gnutls_x509_privkey_generate2(xkey, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1),
						 0, NULL, 0)) < 0) {
		rc = gnutls_fail(d, key_path, "cannot generate an ECDSA P-256 key", ret, ERR_CRYPTO);
		goto out;
	}
	if ((ret = gnutls_x509_crt_init(&crt)) < 0 || (ret = gnutls_x509_crt_set_key(crt, xkey)) < 0) {
		rc = gnutls_fail(d, cert_path, "certificate setup", ret, ERR_CRYPTO);
		goto out;
	}
	if ((rc = fill_cert(crt, cert_path, d)))
		goto out;
	/* Self-signed: the certificate is its own issuer. */
	if ((ret = gnutls_privkey_init(&pkey)) < 0 || (ret = gnutls_privkey_import_x509(pkey, xkey, 0)) < 0 ||
	    (ret = gnutls_x509_crt_privkey_sign(crt, crt, pkey, GNUTLS_DIG_SHA256, 0)) < 0) {
		rc = gnutls_fail(d, cert_path, "cannot sign the certificate", ret, ERR_CRYPTO);
		goto out;
	}
	if ((ret = gnutls_x509_privkey_export2_pkcs8(xkey, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &key_pem)) < 0) {
		rc = gnutls_fail(d, key_path, "cannot export the key", ret, ERR_CRYPTO);
		goto out;
	}
	if ((ret = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cert_pem)) < 0) {
		rc = gnutls_fail(d, cert_path, "cannot export the certificate", ret, ERR_CRYPTO);
		goto out;
	}
	/* Key first: the certificate's presence is what marks the pair complete. */
	if ((rc = fs_write_durable(key_path, key_pem.data, key_pem.size, 0600, d)) ||
	    (rc = fs_write_durable(cert_path, cert_pem.data, cert_pem.size, 0644, d)))
		goto out;
	log_info("tls_cert_made path=%s", cert_path);
out:
	datum_wipe_free(&key_pem);
	datum_wipe_free(&cert_pem);
	if (pkey)
		gnutls_privkey_deinit(pkey); /* before xkey, which it borrows */
	if (crt)
		gnutls_x509_crt_deinit(crt);
	if (xkey)
		gnutls_x509_privkey_deinit(xkey);
	free(cert_path);
	free(key_path);
	return rc;
}

/* Read path's PEM into b (which must be initialised). */
static int read_pem(const char *path, struct buf *b, struct diag *d)
{
	return fs_read_file(path, TLS_FILE_MAX, b, d);
}

/* Parse PEM text as a certificate; *crt is set on success only. */
static int import_cert(const char *path, const struct buf *pem, gnutls_x509_crt_t *crt, struct diag *d)
{
	gnutls_x509_crt_t c;
	int ret = gnutls_x509_crt_init(&c);
	if (ret < 0)
		return gnutls_fail(d, path, "certificate setup", ret, ERR_CRYPTO);
	gnutls_datum_t in = {(unsigned char *)pem->data, (unsigned)pem->len};
	if ((ret = gnutls_x509_crt_import(c, &in, GNUTLS_X509_FMT_PEM)) < 0) {
		gnutls_x509_crt_deinit(c);
		return gnutls_fail(d, path, "not a PEM certificate", ret, ERR_PARSE);
	}
	*crt = c;
	return 0;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Standard base64 with padding; out holds 4 * ceil(n / 3) + 1 bytes. */
static void base64_encode(const unsigned char *in, size_t n, char *out)
{
	size_t i = 0;
	for (; i + 2 < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
		*out++ = b64[v >> 18 & 63];
		*out++ = b64[v >> 12 & 63];
		*out++ = b64[v >> 6 & 63];
		*out++ = b64[v & 63];
	}
	if (i < n) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0);
		*out++ = b64[v >> 18 & 63];
		*out++ = b64[v >> 12 & 63];
		*out++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
		*out++ = '=';
	}
	*out = '\0';
}

int center_tls_pin(const char *dir, char *out, size_t n, struct diag *d)
{
	if (!out || n < CENTER_TLS_PIN_MAX) {
		if (out && n)
			out[0] = '\0';
		diag_set(d, "center_tls_pin: output buffer of %zu bytes, need %d", n, CENTER_TLS_PIN_MAX);
		return ERR_INVAL;
	}
	out[0] = '\0';
	char *path = fs_join(dir, CENTER_TLS_CERT);
	struct buf pem;
	buf_init(&pem);
	gnutls_x509_crt_t crt = NULL;
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t spki = {NULL, 0};
	unsigned char digest[32];
	int ret, rc = read_pem(path, &pem, d);
	if (rc || (rc = import_cert(path, &pem, &crt, d)))
		goto out;
	if ((ret = gnutls_pubkey_init(&pub)) < 0 || (ret = gnutls_pubkey_import_x509(pub, crt, 0)) < 0 ||
	    (ret = gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &spki)) < 0 ||
	    (ret = gnutls_hash_fast(GNUTLS_DIG_SHA256, spki.data, spki.size, digest)) < 0) {
		rc = gnutls_fail(d, path, "cannot hash the public key", ret, ERR_CRYPTO);
		goto out;
	}
	memcpy(out, "sha256//", 8);
	base64_encode(digest, sizeof digest, out + 8);
out:
	gnutls_free(spki.data);
	if (pub)
		gnutls_pubkey_deinit(pub);
	if (crt)
		gnutls_x509_crt_deinit(crt);
	buf_finish(&pem);
	free(path);
	return rc;
}

int center_tls_load(const char *dir, struct buf *cert, struct buf *key, struct diag *d)
{
	buf_init(cert);
	buf_init(key);
	char *cert_path = fs_join(dir, CENTER_TLS_CERT);
	char *key_path = fs_join(dir, CENTER_TLS_KEY);
	gnutls_x509_crt_t crt = NULL;
	gnutls_x509_privkey_t xkey = NULL;
	unsigned char cid[32], kid[32];
	size_t clen = sizeof cid, klen = sizeof kid;
	int ret, rc = read_pem(cert_path, cert, d);
	if (rc || (rc = read_pem(key_path, key, d)) || (rc = import_cert(cert_path, cert, &crt, d)))
		goto fail;
	if ((ret = gnutls_x509_privkey_init(&xkey)) < 0) {
		rc = gnutls_fail(d, key_path, "key setup", ret, ERR_CRYPTO);
		goto fail;
	}
	gnutls_datum_t in = {(unsigned char *)key->data, (unsigned)key->len};
	/* import2 takes PKCS#8 and SEC1 ("EC PRIVATE KEY") PEM alike, as MHD's GnuTLS does. */
	if ((ret = gnutls_x509_privkey_import2(xkey, &in, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
		rc = gnutls_fail(d, key_path, "not an unencrypted PEM private key", ret, ERR_PARSE);
		goto fail;
	}
	if ((ret = gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, cid, &clen)) < 0 ||
	    (ret = gnutls_x509_privkey_get_key_id(xkey, GNUTLS_KEYID_USE_SHA256, kid, &klen)) < 0) {
		rc = gnutls_fail(d, key_path, "cannot compare key and certificate", ret, ERR_CRYPTO);
		goto fail;
	}
	if (clen != klen || memcmp(cid, kid, clen)) {
		diag_set(d, "%s does not belong to %s", key_path, cert_path);
		rc = ERR_STATE;
		goto fail;
	}
	goto out;
fail:
	buf_finish_wipe(cert);
	buf_finish_wipe(key);
	buf_init(cert);
	buf_init(key);
out:
	if (xkey)
		gnutls_x509_privkey_deinit(xkey);
	if (crt)
		gnutls_x509_crt_deinit(crt);
	free(cert_path);
	free(key_path);
	return rc;
}

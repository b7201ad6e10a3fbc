#define LOG_MODULE "device"
#include "device.h"

#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "kv.h"
#include "log.h"
#include "mem.h"

const char *device_data_dir(const char *arg)
{
	if (arg && *arg)
		return arg;
	const char *e = getenv("SPEAN_DATA_DIR");
	return e && *e ? e : DEVICE_DEFAULT_DIR;
}

static int load_key(const char *path, unsigned char *key, size_t keylen, struct diag *d)
{
	struct buf b;
	buf_init(&b);
	int rc = fs_read_file(path, 4096, &b, d);
	if (!rc) {
		rc = keyfile_parse(b.data, b.len, key, keylen, d);
		if (rc)
			diag_prefix(d, "%s: ", path);
	}
	buf_finish_wipe(&b);
	return rc;
}

static int write_key(const char *path, const unsigned char *key, size_t keylen, unsigned mode, const char *comment,
		     struct diag *d)
{
	char *hex = xmalloc(2 * keylen + 1);
	struct buf b;
	buf_init(&b);
	hex_encode(key, keylen, hex);
	buf_printf(&b, "# %s\n%s\n", comment, hex);
	int rc = fs_write_durable(path, b.data, b.len, mode, d);
	crypt_wipe(hex, 2 * keylen + 1);
	free(hex);
	buf_finish_wipe(&b);
	return rc;
}

int device_open(const char *dir, struct device *dev, struct diag *d)
{
	memset(dev, 0, sizeof *dev);
	crypt_init();
	int rc = fs_mkdir_p(dir, 0700, d);
	if (rc)
		return rc;
	dev->dir = xstrdup(dir);
	char *idp = fs_join(dir, DEVICE_IDENTITY_FILE);
	if (fs_exists(idp)) {
		rc = load_key(idp, dev->sign_sk, CRYPT_SIGN_SK, d);
		if (!rc)
			crypt_sign_sk_to_pk(dev->sign_pk, dev->sign_sk);
	} else {
		crypt_sign_keypair(dev->sign_pk, dev->sign_sk);
		rc = write_key(idp, dev->sign_sk, CRYPT_SIGN_SK, 0600, "Spean device identity (Ed25519 secret key). Keep private.", d);
		if (!rc) {
			char pk[2 * CRYPT_SIGN_PK + 1];
			hex_encode(dev->sign_pk, CRYPT_SIGN_PK, pk);
			log_info("identity_created public_key=%s", pk);
		}
	}
	free(idp);
	if (rc) {
		device_close(dev);
		return rc;
	}
	char *cp = fs_join(dir, DEVICE_CENTER_FILE);
	if (fs_exists(cp)) {
		rc = load_key(cp, dev->center_pk, CRYPT_BOX_PK, d);
		dev->has_center = rc == 0;
	}
	free(cp);
	if (rc)
		device_close(dev);
	return rc;
}

void device_close(struct device *dev)
{
	crypt_wipe(dev->sign_sk, sizeof dev->sign_sk);
	free(dev->dir);
	memset(dev, 0, sizeof *dev);
}

int device_provision(struct device *dev, const char *keyfile, struct diag *d)
{
	unsigned char pk[CRYPT_BOX_PK];
	int rc = load_key(keyfile, pk, sizeof pk, d);
	if (rc)
		return rc == ERR_NOTFOUND ? ERR_INVAL : rc;
	char *cp = fs_join(dev->dir, DEVICE_CENTER_FILE);
	rc = write_key(cp, pk, sizeof pk, 0644, "Spean center public key (X25519): requests are sealed to it.", d);
	free(cp);
	if (!rc) {
		memcpy(dev->center_pk, pk, sizeof pk);
		dev->has_center = 1;
	}
	return rc;
}

static int pin_ok(const char *pin)
{
	size_t n = strlen(pin);
	if (n < 4 || n > 8)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (pin[i] < '0' || pin[i] > '9')
			return 0;
	return 1;
}

int device_set_pin(struct device *dev, const char *pin, struct diag *d)
{
	if (!pin_ok(pin)) {
		diag_set(d, "the staff PIN is 4 to 8 digits");
		return ERR_INVAL;
	}
	char hash[CRYPT_PIN_HASH];
	int rc = crypt_pin_hash(hash, pin);
	if (rc) {
		diag_set(d, "cannot hash the PIN (out of memory)");
		return rc;
	}
	char *p = fs_join(dev->dir, DEVICE_PIN_FILE);
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "%s\n", hash);
	rc = fs_write_durable(p, b.data, b.len, 0600, d);
	buf_finish(&b);
	free(p);
	return rc;
}

int device_check_pin(const struct device *dev, const char *pin)
{
	char *p = fs_join(dev->dir, DEVICE_PIN_FILE);
	struct buf b;
	struct diag d;
	buf_init(&b);
	int rc = fs_read_file(p, 4096, &b, &d);
	free(p);
	if (rc) {
		buf_finish(&b);
		return ERR_NOTFOUND;
	}
	while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
		b.data[--b.len] = '\0';
	rc = pin_ok(pin) ? crypt_pin_verify(b.data, pin) : ERR_CRYPTO;
	buf_finish(&b);
	return rc;
}

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

/* A center card ("box = HEX", "sign = HEX") or a bare X25519 key file (box only, no sync), from its bytes. */
static int parse_card(const char *data, size_t len, struct device *dev, struct diag *d)
{
	int rc;
	dev->has_center_sign = 0;
	dev->center_tls_pin[0] = '\0';
	/* "tls = sha256//BASE64": the center's HTTPS key pin (optional: a card without it syncs over http only). */
	struct diag dt = {""};
	if (data && keyfile_text_named(data, len, "tls", dev->center_tls_pin, sizeof dev->center_tls_pin, &dt) == 0 &&
	    strncmp(dev->center_tls_pin, "sha256//", 8))
		dev->center_tls_pin[0] = '\0';
	if (memchr(data ? data : "", '=', len)) {
		if (!(rc = keyfile_parse_named(data, len, "box", dev->center_pk, CRYPT_BOX_PK, d))) {
			struct diag d2 = {""};
			dev->has_center_sign = keyfile_parse_named(data, len, "sign", dev->center_sign_pk, CRYPT_SIGN_PK, &d2) == 0;
		}
	} else {
		rc = keyfile_parse(data, len, dev->center_pk, CRYPT_BOX_PK, d);
	}
	return rc;
}

static int load_card(const char *path, struct device *dev, struct diag *d)
{
	struct buf b;
	buf_init(&b);
	int rc = fs_read_file(path, DEVICE_CARD_MAX, &b, d);
	if (rc) {
		buf_finish(&b);
		return rc;
	}
	if ((rc = parse_card(b.data, b.len, dev, d)))
		diag_prefix(d, "%s: ", path);
	buf_finish(&b);
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
		rc = load_card(cp, dev, d);
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

int device_card_parse(const char *data, size_t len, unsigned char box_pk[CRYPT_BOX_PK], struct diag *d)
{
	struct device probe;
	memset(&probe, 0, sizeof probe);
	int rc = parse_card(data, len, &probe, d);
	if (!rc)
		memcpy(box_pk, probe.center_pk, CRYPT_BOX_PK);
	return rc == ERR_NOTFOUND ? ERR_INVAL : rc;
}

int device_provision_card(struct device *dev, const char *data, size_t len, struct diag *d)
{
	struct device probe;
	memset(&probe, 0, sizeof probe);
	int rc = parse_card(data, len, &probe, d);
	if (rc)
		return rc == ERR_NOTFOUND ? ERR_INVAL : rc;
	struct buf b;
	buf_init(&b);
	char box[2 * CRYPT_BOX_PK + 1], sign[2 * CRYPT_SIGN_PK + 1];
	hex_encode(probe.center_pk, CRYPT_BOX_PK, box);
	buf_printf(&b, "# Spean center card: requests are sealed to 'box'; receipts and content packs are checked with 'sign'.\nbox = %s\n", box);
	if (probe.has_center_sign) {
		hex_encode(probe.center_sign_pk, CRYPT_SIGN_PK, sign);
		buf_printf(&b, "sign = %s\n", sign);
	}
	if (probe.center_tls_pin[0])
		buf_printf(&b, "tls = %s\n", probe.center_tls_pin);
	char *cp = fs_join(dev->dir, DEVICE_CENTER_FILE);
	rc = fs_write_durable(cp, b.data, b.len, 0644, d);
	free(cp);
	buf_finish(&b);
	if (!rc) {
		memcpy(dev->center_pk, probe.center_pk, sizeof probe.center_pk);
		memcpy(dev->center_sign_pk, probe.center_sign_pk, sizeof probe.center_sign_pk);
		dev->has_center = 1;
		dev->has_center_sign = probe.has_center_sign;
		memcpy(dev->center_tls_pin, probe.center_tls_pin, sizeof dev->center_tls_pin);
	}
	return rc;
}

int device_provision(struct device *dev, const char *keyfile, struct diag *d)
{
	struct buf b;
	buf_init(&b);
	int rc = fs_read_file(keyfile, DEVICE_CARD_MAX, &b, d);
	if (!rc && ((rc = device_provision_card(dev, b.data, b.len, d)) == ERR_PARSE || rc == ERR_INVAL))
		diag_prefix(d, "%s: ", keyfile);
	buf_finish(&b);
	return rc == ERR_NOTFOUND ? ERR_INVAL : rc;
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
	struct buf b;
	struct diag d;
	buf_init(&b);
	int rc = fs_read_in(dev->dir, DEVICE_PIN_FILE, 4096, &b, &d);
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

int device_save_lockout(const struct device *dev, const char *text, struct diag *d)
{
	char *p = fs_join(dev->dir, DEVICE_LOCKOUT_FILE);
	int rc = fs_write_durable(p, text, strlen(text), 0600, d);
	free(p);
	return rc;
}

int device_load_lockout(const struct device *dev, uint64_t now, struct lockout *st, struct diag *d)
{
	struct buf b;
	buf_init(&b);
	int rc = fs_read_in(dev->dir, DEVICE_LOCKOUT_FILE, 4 * LOCKOUT_TEXT_MAX, &b, d);
	if (rc == ERR_NOTFOUND) {
		lockout_init(st);
		rc = 0;
	} else if (rc) {
		lockout_fail_safe(st, now);
	} else if ((rc = lockout_load(b.data, b.len, now, st, d))) {
		diag_prefix(d, "%s/%s: ", dev->dir, DEVICE_LOCKOUT_FILE);
	}
	buf_finish(&b);
	return rc;
}

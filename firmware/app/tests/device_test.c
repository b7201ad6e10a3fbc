/* Tests for app/device: identity made once and kept, provisioning, bad key files. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "device.h"
#include "fs.h"
#include "testlib.h"

int main(void)
{
	char *dir = t_tmpdir("device");
	char *data = fs_join(dir, "data");
	struct device a, b;
	struct diag d = {""};
	CHECK_INT(device_open(data, &a, &d), 0);
	CHECK_INT(a.has_center, 0);
	CHECK_INT(device_open(data, &b, &d), 0);
	CHECK(!memcmp(a.sign_pk, b.sign_pk, CRYPT_SIGN_PK));
	struct stat st;
	char *idp = fs_join(data, DEVICE_IDENTITY_FILE);
	CHECK(stat(idp, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(stat(data, &st) == 0 && (st.st_mode & 0777) == 0700);

	char *key = fs_join(dir, "center.pub");
	t_write(key, "# center\n00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
	CHECK_INT(device_provision(&a, key, &d), 0);
	device_close(&b);
	CHECK_INT(device_open(data, &b, &d), 0);
	CHECK_INT(b.has_center, 1);
	CHECK_INT(b.center_pk[1], 0x11);

	t_write(key, "0011\n");
	CHECK_INT(device_provision(&a, key, &d), ERR_PARSE);
	CHECK(strstr(d.msg, "line 1: expected 64 hexadecimal characters") != NULL);
	CHECK_INT(device_provision(&a, "/nonexistent/key", &d), ERR_INVAL);

	/* A corrupted identity file is reported, not replaced by a new identity. */
	t_write(idp, "garbage\n");
	device_close(&b);
	CHECK_INT(device_open(data, &b, &d), ERR_PARSE);
	CHECK(strstr(d.msg, "identity.key") != NULL);

	device_close(&a);
	free(key);
	free(idp);
	free(data);
	t_rmtree(dir);
	free(dir);
	return t_done("app_device_test");
}

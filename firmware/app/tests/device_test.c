/* Tests for app/device: identity made once and kept, provisioning, bad key files, the kept staff PIN lockout. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

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

	/* The staff PIN lockout record: none on a first start, kept durably 0600, read back after a "reboot". */
	uint64_t S = 1000000000ull;
	struct lockout lk = {4, 4, 4};
	unsigned left;
	CHECK_INT(device_load_lockout(&a, 5 * S, &lk, &d), 0);
	CHECK(!lockout_locked(&lk, 5 * S, NULL) && lk.fails == 0 && lk.lockouts == 0);
	for (int i = 0; i < LOCKOUT_TRIES; i++)
		lockout_fail(&lk, 100 * S);
	char text[LOCKOUT_TEXT_MAX];
	lockout_save(&lk, 130 * S, text); /* 30 s into the lockout */
	CHECK_INT(device_save_lockout(&a, text, &d), 0);
	char *lkp = fs_join(data, DEVICE_LOCKOUT_FILE);
	CHECK(stat(lkp, &st) == 0 && (st.st_mode & 0777) == 0600);
	memset(&lk, 0, sizeof lk);
	CHECK_INT(device_load_lockout(&a, 2 * S, &lk, &d), 0); /* the clock restarted at boot */
	CHECK(lockout_locked(&lk, 2 * S, &left));
	CHECK_INT(left, 30);
	CHECK_INT(lk.lockouts, 1);
	/* Damaged, cut, too big or not a file: locked for the first period, with why. */
	const char *bad[] = {"garbage\n", "version = 1\nfails = 0\nlock", "version = 1\nfails = 9\nlockouts = 0\nremaining = 0\n"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		t_write(lkp, bad[i]);
		lk = (struct lockout){0, 0, 0};
		d.msg[0] = '\0';
		CHECK_INT(device_load_lockout(&a, 2 * S, &lk, &d), ERR_PARSE);
		CHECK(strstr(d.msg, DEVICE_LOCKOUT_FILE) != NULL);
		CHECK(lockout_locked(&lk, 2 * S, &left) && left == LOCKOUT_FIRST_S && lk.lockouts == 1);
	}
	char big[4 * LOCKOUT_TEXT_MAX + 10];
	memset(big, '#', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	t_write(lkp, big);
	lk = (struct lockout){0, 0, 0};
	CHECK_INT(device_load_lockout(&a, 2 * S, &lk, &d), ERR_TOOBIG);
	CHECK(lockout_locked(&lk, 2 * S, &left) && left == LOCKOUT_FIRST_S);
	remove(lkp);
	CHECK_INT(mkdir(lkp, 0700), 0);
	lk = (struct lockout){0, 0, 0};
	CHECK(device_load_lockout(&a, 2 * S, &lk, &d) < 0);
	CHECK(lockout_locked(&lk, 2 * S, &left) && left == LOCKOUT_FIRST_S);
	rmdir(lkp);
	free(lkp);

	device_close(&a);
	free(key);
	free(idp);
	free(data);
	t_rmtree(dir);
	free(dir);
	return t_done("app_device_test");
}

/* Tests for base: kv lines, UTF-8 (and neutralising unsafe characters), hex, buffers, durable files (and hostile directories), errors. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "err.h"
#include "fs.h"
#include "kv.h"
#include "mem.h"
#include "testlib.h"
#include "utf8.h"

static int count_items(const char *text, unsigned flags, struct diag *d, int *rc)
{
	struct kv_reader r;
	struct kv_item it;
	int n = 0;
	kv_reader_init(&r, text, strlen(text), flags);
	while ((*rc = kv_next(&r, &it, d)) > 0)
		n++;
	return n;
}

static void test_kv(void)
{
	const char *t = "# comment\n\n  a = 1  \nb.c=two words # not a comment\r\n[group R01]\nx =\n";
	struct kv_reader r;
	struct kv_item it;
	struct diag d = {""};
	kv_reader_init(&r, t, strlen(t), KV_SECTIONS);
	CHECK_INT(kv_next(&r, &it, &d), 1);
	CHECK(kv_eq(it.key, it.key_len, "a") && kv_eq(it.value, it.value_len, "1"));
	CHECK_INT(it.line, 3);
	CHECK_INT(kv_next(&r, &it, &d), 1);
	CHECK(kv_eq(it.key, it.key_len, "b.c"));
	CHECK(kv_eq(it.value, it.value_len, "two words # not a comment"));
	CHECK_INT(kv_next(&r, &it, &d), 1);
	CHECK(it.is_section && kv_eq(it.key, it.key_len, "group R01"));
	CHECK_INT(kv_next(&r, &it, &d), 1);
	CHECK(kv_eq(it.key, it.key_len, "x") && it.value_len == 0);
	CHECK_INT(kv_next(&r, &it, &d), 0);

	int rc;
	CHECK_INT(count_items("a = 1 # c\n", KV_INLINE_COMMENTS, &d, &rc), 1);
	kv_reader_init(&r, "a = 1 # c\n", 10, KV_INLINE_COMMENTS);
	kv_next(&r, &it, &d);
	CHECK(kv_eq(it.value, it.value_len, "1"));

	count_items("a = 1\nnot a pair\n", 0, &d, &rc);
	CHECK_INT(rc, ERR_PARSE);
	CHECK_STR(d.msg, "line 2: expected '=' after key 'not'");
	count_items("-A = 1\n", 0, &d, &rc);
	CHECK_INT(rc, ERR_PARSE);
	CHECK_STR(d.msg, "line 1: expected 'key = value' (keys use letters, digits, '_' and '.')");
	count_items("[s]\n", 0, &d, &rc);
	CHECK_INT(rc, ERR_PARSE);
	count_items("a = \xff\n", 0, &d, &rc);
	CHECK_INT(rc, ERR_PARSE);
	CHECK_STR(d.msg, "line 1: not valid UTF-8 text");
	count_items("a = b\x01\n", 0, &d, &rc);
	CHECK_INT(rc, ERR_PARSE);
	char nul[] = "a = b\0c\n";
	kv_reader_init(&r, nul, sizeof nul - 1, 0);
	CHECK_INT(kv_next(&r, &it, &d), ERR_PARSE);
	/* Vietnamese and Khmer values pass. */
	CHECK_INT(count_items("name = Thạch Thị Sô Phia\nkm = ស្ត្រី\n", 0, &d, &rc), 2);
	CHECK_INT(rc, 0);
}

static void test_utf8_hex(void)
{
	CHECK(utf8_valid("abc", 3));
	CHECK(utf8_valid("\xe1\x9e\x80", 3));      /* KA */
	CHECK(!utf8_valid("\xc0\x80", 2));         /* overlong NUL */
	CHECK(!utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
	CHECK(!utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	CHECK(!utf8_valid("\xe1\x9e", 2));         /* truncated */
	/* A cut never splits a character: "ស្ត" is 3 x 3 bytes. */
	CHECK_INT(utf8_prefix("\xe1\x9e\x9f\xe1\x9f\x92\xe1\x9e\x8f", 9, 4), 3);
	CHECK_INT(utf8_prefix("\xe1\x9e\x9f\xe1\x9f\x92\xe1\x9e\x8f", 9, 6), 6);
	CHECK_INT(utf8_prefix("abc", 3, 40), 3);
	unsigned char in[3] = {0x00, 0xab, 0xff}, out[3];
	char hex[7];
	hex_encode(in, 3, hex);
	CHECK_STR(hex, "00abff");
	CHECK_INT(hex_decode("00ABff", 6, out, 3), 0);
	CHECK(!memcmp(in, out, 3));
	CHECK_INT(hex_decode("00abf", 5, out, 3), ERR_PARSE);
	CHECK_INT(hex_decode("00abfg", 6, out, 3), ERR_PARSE);

	unsigned char key[4];
	struct diag d;
	CHECK_INT(keyfile_parse("# c\n  0a0b0c0d \n\n", 17, key, 4, &d), 0);
	CHECK_INT(key[3], 0x0d);
	CHECK_INT(keyfile_parse("0a0b0c0d\n0a0b0c0d\n", 18, key, 4, &d), ERR_PARSE);
	CHECK_STR(d.msg, "line 2: more than one key in the file");
	CHECK_INT(keyfile_parse("# only a comment\n", 17, key, 4, &d), ERR_PARSE);

	/* A center card: named keys and the tls pin as text. */
	const char *card = "# card\nbox = 01020304\nsign = 0a0b0c0d\ntls = sha256//AbC+/9=\n";
	CHECK_INT(keyfile_parse_named(card, strlen(card), "sign", key, 4, &d), 0);
	CHECK_INT(key[0], 0x0a);
	CHECK_INT(keyfile_parse_named(card, strlen(card), "box", key, 4, &d), 0);
	CHECK_INT(key[3], 0x04);
	CHECK_INT(keyfile_parse_named(card, strlen(card), "other", key, 4, &d), ERR_PARSE);
	CHECK_STR(d.msg, "no 'other' key in the file");
	CHECK_INT(keyfile_parse(card, strlen(card), key, 4, &d), ERR_PARSE); /* a card is not a bare key file */
	char pin[32];
	CHECK_INT(keyfile_text_named(card, strlen(card), "tls", pin, sizeof pin, &d), 0);
	CHECK_STR(pin, "sha256//AbC+/9=");
	CHECK_INT(keyfile_text_named(card, strlen(card), "tls", pin, 8, &d), ERR_PARSE);
	CHECK_STR(d.msg, "line 4: 'tls' is too long");
	CHECK_INT(keyfile_text_named("tls = a b\n", 10, "tls", pin, sizeof pin, &d), ERR_PARSE);
	CHECK_INT(keyfile_text_named("tls = a\ntls = b\n", 16, "tls", pin, sizeof pin, &d), ERR_PARSE);
	CHECK_INT(keyfile_text_named("box = 00\n", 9, "tls", pin, sizeof pin, &d), ERR_NOTFOUND);
}

/* Neutralised: s with every unsafe code point or invalid byte as U+FFFD. */
static char *neutral(const char *s, size_t n, unsigned keep)
{
	struct buf b;
	buf_init(&b);
	buf_append(&b, "", 0);
	utf8_put_neutral(&b, s, n, keep);
	CHECK(utf8_valid(b.data, b.len));
	return b.data;
}

#define M UTF8_MARK

static void test_neutral(void)
{
	/* Every code point from U+0000 to U+10FFFF (less surrogates): unsafe exactly where the list says. */
	unsigned long unsafe = 0;
	for (unsigned long cp = 0; cp <= 0x10FFFF; cp++) {
		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		int want = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x61C || cp == 0x200E || cp == 0x200F ||
			   cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
		unsafe += (unsigned long)utf8_unsafe(cp);
		if (utf8_unsafe(cp) != want) {
			t_checks++;
			t_fail(__FILE__, __LINE__, "utf8_unsafe(U+%04lX) = %d", cp, utf8_unsafe(cp));
		}
	}
	CHECK_INT(unsafe, 32 + 33 + 1 + 2 + 7 + 4);
	/* What Vietnamese and Khmer text use stays: tones, Khmer signs, the zero-width space and joiners. */
	const char *ok = "Nguyễn Thị Ánh ស្ត្រី\xE2\x80\x8B\xE2\x80\x8C\xE2\x80\x8D \xEF\xBB\xBF ~!@#";
	char *t = neutral(ok, strlen(ok), 0);
	CHECK_STR(t, ok);
	free(t);
	CHECK(utf8_safe(ok, strlen(ok)));
	/* Each unsafe code point is one mark, whatever its length; invalid bytes one mark each. */
	static const char bad[] = "a\x1b[2Jb\x7f" "c\xC2\x85" "d\xC2\x9B" "e\xE2\x80\xAE" "f\xE2\x81\xA6" "g\xE2\x81\xA9"
				  "h\xD8\x9C" "i\xE2\x80\x8F" "j\xE2\x80\xA8" "k\tl\r\nm\xff\xfen\xE1\xBA" "o\xC0\xAF" "p\xED\xA0\x80" "q";
	t = neutral(bad, sizeof bad - 1, 0);
	CHECK_STR(t, "a" M "[2Jb" M "c" M "d" M "e" M "f" M "g" M "h" M "i" M "j" M "k" M "l" M M "m" M M "n" M M "o" M M
		     "p" M M M "q");
	CHECK(utf8_safe(t, strlen(t)));
	free(t);
	CHECK(!utf8_safe(bad, sizeof bad - 1));
	CHECK(!utf8_safe("a\x00" "b", 3));
	CHECK(!utf8_safe("\xE2\x80\xAE", 3));
	/* A NUL inside the given length is a control too. */
	t = neutral("a\0b", 3, 0);
	CHECK_STR(t, "a" M "b");
	free(t);
	/* A format that needs them keeps TAB, LF or CR, and only those. */
	t = neutral("a\tb\nc\rd\x0b", 8, UTF8_KEEP_TAB | UTF8_KEEP_LF);
	CHECK_STR(t, "a\tb\nc" M "d" M);
	free(t);
	t = neutral("a\tb\nc\rd", 7, UTF8_KEEP_CR);
	CHECK_STR(t, "a" M "b" M "c\rd");
	free(t);
	/* The string form for printf. */
	t = utf8_neutral_dup("spean/out/\xE2\x80\xAEtxt.exe\x1b]0;x\x07");
	CHECK_STR(t, "spean/out/" M "txt.exe" M "]0;x" M);
	free(t);
	t = utf8_neutral_dup(NULL);
	CHECK_STR(t, "");
	free(t);
}

static void test_buf(void)
{
	struct buf b;
	buf_init(&b);
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	CHECK(b.len > 3000 && b.data[b.len] == '\0');
	buf_finish_wipe(&b);
	CHECK(b.data == NULL && b.len == 0);
	buf_put_json_string(&b, "a\"b\\c\n\x01");
	CHECK_STR(b.data, "\"a\\\"b\\\\c\\n\\u0001\"");
	buf_finish(&b);
}

static void test_fs(void)
{
	char *dir = t_tmpdir("base");
	char *sub = fs_join(dir, "x/y/z");
	struct diag d;
	CHECK_INT(fs_mkdir_p(sub, 0700, &d), 0);
	char *f = fs_join(sub, "file");
	CHECK_INT(fs_write_durable(f, "hello", 5, 0600, &d), 0);
	CHECK_INT(fs_write_durable(f, "world!", 6, 0600, &d), 0);
	struct stat st;
	CHECK(stat(f, &st) == 0 && (st.st_mode & 0777) == 0600);
	struct buf b;
	buf_init(&b);
	CHECK_INT(fs_read_file(f, 100, &b, &d), 0);
	CHECK_STR(b.data, "world!");
	buf_finish(&b);
	CHECK_INT(fs_read_file(f, 3, &b, &d), ERR_TOOBIG);
	buf_finish(&b);
	char *tmp = fs_join(sub, "file.tmp");
	CHECK(!fs_exists(tmp));
	CHECK_INT(fs_read_file("/nonexistent/x", 10, &b, &d), ERR_NOTFOUND);
	buf_finish(&b);
	free(tmp);
	free(f);
	free(sub);
	t_rmtree(dir);
	free(dir);
}

/* Names in dir that start with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
	DIR *dh = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (dh && (e = readdir(dh)))
		n += !strncmp(e->d_name, prefix, strlen(prefix));
	if (dh)
		closedir(dh);
	return n;
}

/* A directory someone else prepared (a USB stick): links, FIFOs and files that are not what they seem. */
static void test_fs_hostile(void)
{
	char *dir = t_tmpdir("base-hostile");
	char *outside = fs_join(dir, "outside"), *top = fs_join(dir, "top");
	t_write(outside, "precious");
	CHECK_INT(mkdir(top, 0755), 0);
	struct diag d = {""};
	int dfd = fs_dir_open(top, &d);
	CHECK(dfd >= 0);

	/* A link at the target name is replaced, never written through; nothing is left under a temp name. */
	char *link = fs_join(top, "bundle");
	CHECK_INT(symlink(outside, link), 0);
	CHECK_INT(fs_write_at(dfd, "bundle", "new", 3, 0644, NULL, &d), 0);
	size_t n = 0;
	char *t = t_read(outside, &n);
	CHECK(t && n == 8 && !memcmp(t, "precious", 8));
	free(t);
	struct stat st;
	CHECK(lstat(link, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 3);
	CHECK_INT(count_prefixed(top, FS_TMP_PREFIX), 0);
	/* The same through fs_write_durable (the data dir's writer), with the old fixed temp name planted too. */
	char *old_tmp = fs_join(top, "card.tmp"), *card = fs_join(top, "card");
	CHECK_INT(symlink(outside, old_tmp), 0);
	CHECK_INT(symlink(outside, card), 0);
	CHECK_INT(fs_write_durable(card, "card", 4, 0600, &d), 0);
	t = t_read(outside, &n);
	CHECK(t && n == 8 && !memcmp(t, "precious", 8));
	free(t);
	CHECK(lstat(card, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600);

	/* Reading: only a regular file, and a FIFO or a link is refused without blocking or following. */
	struct buf b;
	buf_init(&b);
	char *fifo = fs_join(top, "fifo");
	CHECK_INT(mkfifo(fifo, 0644), 0);
	CHECK_INT(fs_read_at(dfd, "fifo", 100, &b, NULL, &d), ERR_REFUSED);
	CHECK(strstr(d.msg, "a FIFO") != NULL);
	CHECK_INT(symlink(outside, fifo), -1); /* exists */
	char *lnk2 = fs_join(top, "lnk");
	CHECK_INT(symlink(outside, lnk2), 0);
	CHECK_INT(fs_read_at(dfd, "lnk", 100, &b, NULL, &d), ERR_REFUSED);
	CHECK(strstr(d.msg, "a link") != NULL);
	CHECK_INT(fs_read_at(dfd, "missing", 100, &b, NULL, &d), ERR_NOTFOUND);
	CHECK_INT(fs_read_at(dfd, "bundle", 2, &b, NULL, &d), ERR_TOOBIG);
	CHECK_INT(fs_read_at(dfd, "bundle", 100, &b, "the bundle", &d), 0);
	CHECK(b.len == 3 && !memcmp(b.data, "new", 3));
	buf_finish(&b);
	if (access("/dev/zero", R_OK) == 0) {
		/* An endless device behind a link is refused as a link; the size limit is checked before reading. */
		char *z = fs_join(top, "zero");
		CHECK_INT(symlink("/dev/zero", z), 0);
		CHECK_INT(fs_read_at(dfd, "zero", 100, &b, NULL, &d), ERR_REFUSED);
		buf_finish(&b);
		free(z);
	}

	/* Subdirectories: a link or a FIFO where a directory belongs is refused; a real one is made. */
	char *sub = fs_join(top, "sub");
	CHECK_INT(symlink(dir, sub), 0);
	CHECK_INT(fs_subdir_open(dfd, "sub", 1, 0755, "spean/sub", &d), ERR_REFUSED);
	CHECK(strstr(d.msg, "spean/sub is a link, not a directory") != NULL);
	CHECK_INT(fs_subdir_open(dfd, "fifo", 1, 0755, NULL, &d), ERR_REFUSED);
	CHECK(strstr(d.msg, "a FIFO") != NULL);
	CHECK_INT(fs_subdir_open(dfd, "new", 0, 0755, NULL, &d), ERR_NOTFOUND);
	int sfd = fs_subdir_open(dfd, "new", 1, 0755, NULL, &d);
	CHECK(sfd >= 0);
	if (sfd >= 0)
		close(sfd);
	close(dfd);
	free(sub);
	free(lnk2);
	free(fifo);
	free(old_tmp);
	free(card);
	free(link);
	free(outside);
	free(top);
	t_rmtree(dir);
	free(dir);
}

static void test_err(void)
{
	CHECK_STR(err_name(ERR_NOSPACE), "ERR_NOSPACE");
	CHECK_STR(err_name(-999), "ERR_UNKNOWN");
	CHECK_INT(err_from_errno(28 /* ENOSPC */), ERR_NOSPACE);
	struct diag d;
	diag_set(&d, "line %d: x", 3);
	diag_prefix(&d, "%s:", "f");
	CHECK_STR(d.msg, "f:line 3: x");
}

/* SPEAN_NOW: the instant given, running on from the first read (across midnight and the year); SPEAN_TODAY wins for the date. */
static void test_clock_now(void)
{
	int y, m, d, min, s;
	setenv("SPEAN_NOW", "2026-12-31T23:59:59", 1);
	unsetenv("SPEAN_TODAY");
	clock_local_now(&y, &m, &d, &min, &s);
	CHECK_INT(y * 10000 + m * 100 + d, 20261231);
	CHECK_INT(min, 1439);
	CHECK(s == 59);
	usleep(1100 * 1000);
	clock_local_now(&y, &m, &d, &min, &s);
	CHECK_INT(y * 10000 + m * 100 + d, 20270101);
	CHECK_INT(min, 0);
	CHECK(s == 0 || s == 1);
	clock_today(&y, &m, &d);
	CHECK_INT(y * 10000 + m * 100 + d, 20270101);
	setenv("SPEAN_TODAY", "2026-05-20", 1);
	clock_today(&y, &m, &d);
	CHECK_INT(y * 10000 + m * 100 + d, 20260520);
	/* Not an instant: the real clock (some valid time). */
	setenv("SPEAN_NOW", "2026-12-31T24:00", 1);
	clock_local_now(&y, &m, &d, &min, &s);
	CHECK(y >= 2024 && min >= 0 && min < 1440 && s >= 0 && s < 60);
	unsetenv("SPEAN_NOW");
	unsetenv("SPEAN_TODAY");
}

int main(void)
{
	test_clock_now();
	test_kv();
	test_utf8_hex();
	test_neutral();
	test_buf();
	test_fs();
	test_fs_hostile();
	test_err();
	return t_done("base_test");
}

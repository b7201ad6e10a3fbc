/*
 * Fuzz target for the USB stick's directory walk (sync/stick: stick_open,
 * stick_list, stick_read, stick_write, stick_remove, stick_name_parse). The
 * input is a recipe for a stick: a list of entries (regular files, links to a
 * file and to a directory outside the stick, FIFOs, directories, and
 * spean/, in/ or out/ replaced by any of those), which the target builds in
 * a temporary directory and then walks as the center's import and the kiosk's
 * import and export do. Properties: nothing outside the stick changes, no
 * call blocks (a FIFO opened for reading would hang the run: libFuzzer's
 * -timeout catches it), every failure says why, every listed name has the
 * shape Spean writes, and what is read is what the file holds.
 *
 * Entry: [kind][where][name length][name][content length][content].
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "fuzz_check.h"
#include "mem.h"
#include "stick.h"
#include "testlib.h"

static char base[64];
static char outside_file[128], outside_dir[128], stick_dir[128];
static const char sentinel[] = "precious: never written through a link";

static void cleanup(void)
{
	t_rmtree(base);
}

static void setup(void)
{
	if (base[0])
		return;
	atexit(cleanup);
	snprintf(base, sizeof base, "%s/spean-fuzz-stick-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(base))
		abort();
	snprintf(outside_file, sizeof outside_file, "%s/outside.txt", base);
	snprintf(outside_dir, sizeof outside_dir, "%s/outside", base);
	snprintf(stick_dir, sizeof stick_dir, "%s/stick", base);
	FILE *f = fopen(outside_file, "w");
	if (!f || fputs(sentinel, f) < 0 || fclose(f))
		abort();
	if (mkdir(outside_dir, 0755))
		abort();
}

static int outside_intact(void)
{
	char got[sizeof sentinel + 8] = "";
	FILE *f = fopen(outside_file, "r");
	size_t n = f ? fread(got, 1, sizeof got - 1, f) : 0;
	if (f)
		fclose(f);
	DIR *d = opendir(outside_dir);
	int entries = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		entries += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return d && n == sizeof sentinel - 1 && !memcmp(got, sentinel, n) && entries == 0;
}

struct reader {
	const uint8_t *p;
	size_t n;
};

static int take(struct reader *r, size_t k, const uint8_t **out)
{
	if (r->n < k)
		return -1;
	*out = r->p;
	r->p += k;
	r->n -= k;
	return 0;
}

/* A name from the input: no '/' or NUL (the kernel's rules, not ours), never "." or "..". */
static void make_name(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (p[i] == '/' || p[i] == 0) ? '_' : (char)p[i];
	out[n] = '\0';
	if (!n || !strcmp(out, ".") || !strcmp(out, ".."))
		strcpy(out, "x");
}

static void build(struct reader *r)
{
	char top[160], in[168], out[168];
	snprintf(top, sizeof top, "%s/spean", stick_dir);
	snprintf(in, sizeof in, "%s/in", top);
	snprintf(out, sizeof out, "%s/out", top);
	mkdir(stick_dir, 0755);
	mkdir(top, 0755);
	mkdir(in, 0755);
	mkdir(out, 0755);
	const uint8_t *h, *name, *lenb, *content;
	while (!take(r, 3, &h)) {
		unsigned kind = h[0] % 7, where = h[1] % 3;
		size_t nl = h[2] % 96;
		if (take(r, nl, &name) || take(r, 2, &lenb))
			return;
		size_t cl = (size_t)(lenb[0] | lenb[1] << 8) % 4096;
		if (cl > r->n)
			cl = r->n;
		take(r, cl, &content);
		char nm[100], path[300];
		make_name(name, nl, nm);
		const char *dir = where == 0 ? in : where == 1 ? out : top;
		/* The recipe itself never writes through a link it planted (only the code under test is on trial). */
		struct stat ds;
		if (where != 2 && (lstat(top, &ds) || !S_ISDIR(ds.st_mode)))
			continue;
		/* kind 6 replaces the directory itself (spean/, in/ or out/) by the next kind's thing. */
		if (kind == 6) {
			snprintf(path, sizeof path, "%s", dir);
			t_rmtree(path);
			kind = (unsigned)(nl % 5);
		} else {
			if (lstat(dir, &ds) || !S_ISDIR(ds.st_mode))
				continue;
			snprintf(path, sizeof path, "%s/%s", dir, nm);
		}
		switch (kind) {
		case 0: { /* a regular file */
			int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK, 0644);
			if (fd >= 0) {
				if (fs_write_all(fd, content, cl))
					abort();
				close(fd);
			}
			break;
		}
		case 1:
			if (symlink(outside_file, path)) {
			}
			break;
		case 2:
			if (symlink(outside_dir, path)) {
			}
			break;
		case 3:
			mkfifo(path, 0644);
			break;
		case 4:
			mkdir(path, 0755);
			break;
		default: /* 5: a link to something that is not there */
			if (symlink("/nonexistent/spean", path)) {
			}
			break;
		}
	}
}

static void check_names(const struct stick_names *n, const char *suffix)
{
	for (size_t i = 0; i < n->n; i++) {
		char stem[STICK_NAME_MAX];
		FUZZ_CHECK(strlen(n->v[i]) < STICK_NAME_MAX);
		FUZZ_CHECK(stick_name_parse(n->v[i], suffix, stem) == 0);
		FUZZ_CHECK(strlen(stem) + strlen(suffix) == strlen(n->v[i]));
		FUZZ_CHECK(i == 0 || strcmp(n->v[i - 1], n->v[i]) < 0);
	}
}

static void report(void *ctx, const char *file, const char *why)
{
	(void)ctx;
	/* What reaches a terminal is printable ASCII. */
	for (const char *p = file; *p; p++)
		FUZZ_CHECK(*p >= 0x20 && *p < 0x7f);
	FUZZ_CHECK(why && *why);
}

/* The center's import: every offer read and answered with a receipts file; the content pack written. */
static void walk_center(void)
{
	struct stick s;
	struct diag d = {""};
	int rc = stick_open(&s, stick_dir, 0, &d);
	if (rc) {
		FUZZ_CHECK(rc < 0 && d.msg[0]);
		stick_close(&s);
		return;
	}
	struct stick_names names;
	if (!stick_list(&s, STICK_OUT, ".offer", report, NULL, &names, &d)) {
		check_names(&names, ".offer");
		for (size_t i = 0; i < names.n; i++) {
			struct buf b;
			buf_init(&b);
			struct diag fd = {""};
			rc = stick_read(&s, STICK_OUT, names.v[i], 1u << 20, &b, &fd);
			FUZZ_CHECK(rc == 0 || fd.msg[0]);
			char rname[STICK_NAME_MAX];
			FUZZ_CHECK(stick_name_parse(names.v[i], ".offer", rname) == 0);
			strcat(rname, ".receipts");
			if (s.in >= 0 && !rc)
				stick_write(&s, STICK_IN, rname, b.data ? b.data : "", b.len, &fd);
			buf_finish(&b);
		}
		stick_names_free(&names);
	}
	if (s.in >= 0)
		stick_write(&s, STICK_IN, "content.pack", "pack", 4, &d);
	stick_close(&s);
}

/* The kiosk's import (receipts and the pack read, applied ones removed), then its export. */
static void walk_kiosk(void)
{
	struct stick s;
	struct diag d = {""};
	if (!stick_open(&s, stick_dir, 0, &d)) {
		struct stick_names names;
		if (!stick_list(&s, STICK_IN, ".receipts", report, NULL, &names, &d)) {
			check_names(&names, ".receipts");
			for (size_t i = 0; i < names.n; i++) {
				struct buf b;
				buf_init(&b);
				if (!stick_read(&s, STICK_IN, names.v[i], 1u << 20, &b, &d))
					stick_remove(&s, STICK_IN, names.v[i]);
				buf_finish(&b);
			}
			stick_names_free(&names);
		}
		struct buf b;
		buf_init(&b);
		stick_read(&s, STICK_IN, "content.pack", 1u << 20, &b, &d);
		buf_finish(&b);
	}
	stick_close(&s);
	if (!stick_open(&s, stick_dir, STICK_MAKE_IN | STICK_MAKE_OUT, &d)) {
		FUZZ_CHECK(s.in >= 0 && s.out >= 0);
		struct stick_names names;
		if (!stick_list(&s, STICK_OUT, ".offer", NULL, NULL, &names, &d)) {
			for (size_t i = 0; i < names.n; i++)
				stick_remove(&s, STICK_OUT, names.v[i]);
			stick_names_free(&names);
		}
		stick_write(&s, STICK_OUT, "0123456789abcdef-1-2.offer", "offer", 5, &d);
	} else {
		FUZZ_CHECK(d.msg[0]);
	}
	stick_close(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	setup();
	t_rmtree(stick_dir);
	struct reader r = {data, size};
	build(&r);
	walk_center();
	walk_kiosk();
	FUZZ_CHECK(outside_intact());
	/* The names alone, as bytes: whatever parses has exactly the shape, and a stem fits its buffer. */
	char name[STICK_NAME_MAX + 8];
	size_t n = size < sizeof name - 1 ? size : sizeof name - 1;
	memcpy(name, data, n);
	name[n] = '\0';
	char stem[STICK_NAME_MAX];
	if (stick_name_parse(name, ".offer", stem) == 0)
		FUZZ_CHECK(strlen(stem) == strlen(name) - 6 && strlen(stem) > 17);
	char shown[128];
	stick_name_show(name, shown, sizeof shown);
	FUZZ_CHECK(strlen(shown) < sizeof shown);
	return 0;
}

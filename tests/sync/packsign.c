/*
 * spean-packsign: a test tool that signs a content pack with a center's key
 * WITHOUT the content check `spean-center pack` runs, so the tests can hand
 * a kiosk validly signed hostile packs (a version past the maximum, a
 * 60000x60000 picture, a name with "../", a forged recording...).
 *   spean-packsign CENTER_DIR VERSION CONTENT_DIR [NAME=PATH ...]
 * VERSION is any u64 (strtoull); the files of CONTENT_DIR are read as the
 * center reads them, then each NAME=PATH adds (or replaces) a file under
 * any name, unchecked. Writes CENTER_DIR/content.pack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "center.h"
#include "fs.h"
#include "mem.h"
#include "packdir.h"
#include "protocol.h"

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: spean-packsign CENTER_DIR VERSION CONTENT_DIR [NAME=PATH ...]\n");
		return 2;
	}
	struct center_keys k;
	struct diag d = {""};
	if (center_load(argv[1], &k, &d)) {
		fprintf(stderr, "packsign: %s\n", d.msg);
		return 1;
	}
	struct packdir files;
	if (packdir_read(argv[3], &files, &d)) {
		fprintf(stderr, "packsign: %s\n", d.msg);
		return 1;
	}
	for (int i = 4; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		struct buf b;
		buf_init(&b);
		if (!eq || fs_read_file(eq + 1, 1u << 30, &b, &d)) {
			fprintf(stderr, "packsign: %s: %s\n", argv[i], eq ? d.msg : "want NAME=PATH");
			return 2;
		}
		*eq = '\0';
		for (size_t j = 0; j < files.n; j++)
			if (!strcmp(files.f[j].name, argv[i])) {
				free((char *)files.f[j].name); /* replaced: an empty name is skipped below */
				files.f[j].name = xstrdup("");
			}
		packdir_add(&files, argv[i], b.data ? b.data : "", b.len);
		buf_finish(&b);
	}
	struct buf pack;
	buf_init(&pack);
	sync_content_begin(&pack, strtoull(argv[2], NULL, 10));
	for (size_t j = 0; j < files.n; j++)
		if (files.f[j].name[0])
			sync_content_add(&pack, files.f[j].name, files.f[j].data, files.f[j].len);
	sync_content_end(&pack, k.sign_sk);
	char *pp = fs_join(argv[1], CENTER_PACK_FILE);
	int rc = fs_write_durable(pp, pack.data, pack.len, 0644, &d);
	if (rc)
		fprintf(stderr, "packsign: %s\n", d.msg);
	free(pp);
	packdir_finish(&files);
	buf_finish(&pack);
	center_keys_wipe(&k);
	return rc ? 1 : 0;
}

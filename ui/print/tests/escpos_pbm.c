/*
 * spean-escpos-pbm IN.bin OUT.pbm: decode what a kiosk sent to its printer into a PBM image
 * (zbarimg reads it). Exit 0, or 1 with the reason. A test tool.
 */
#include <stdio.h>
#include <stdlib.h>

#include "escpos_decode.h"
#include "fs.h"

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: spean-escpos-pbm IN.bin OUT.pbm\n");
		return 2;
	}
	struct buf b;
	struct diag d = {""};
	buf_init(&b);
	if (fs_read_file(argv[1], 64u << 20, &b, &d)) {
		fprintf(stderr, "escpos-pbm: %s\n", d.msg);
		return 1;
	}
	struct escpos_image img;
	int feed, cut;
	const char *why = escpos_decode(&b, &img, &feed, &cut);
	FILE *f = why ? NULL : fopen(argv[2], "wb");
	int rc = 0;
	if (why) {
		fprintf(stderr, "escpos-pbm: %s (%zu bytes)\n", why, b.len);
		rc = 1;
	} else if (!f) {
		fprintf(stderr, "escpos-pbm: cannot write %s\n", argv[2]);
		rc = 1;
	} else {
		fprintf(f, "P4\n%d %d\n", img.width, img.height);
		fwrite(img.bits, (size_t)(img.width / 8), (size_t)img.height, f);
		if (fclose(f)) {
			fprintf(stderr, "escpos-pbm: cannot write %s\n", argv[2]);
			rc = 1;
		} else {
			printf("%d x %d dots, feed %d, %s\n", img.width, img.height, feed, cut ? "cut" : "no cut");
		}
	}
	free(img.bits);
	buf_finish(&b);
	return rc;
}

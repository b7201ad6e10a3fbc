/*
 * The printed receipt: rendered by the text layer in Vietnamese and Khmer at 58 and 80 mm, encoded
 * as ESC/POS, decoded back from the byte stream (an independent reading of the commands), and the QR
 * read by zbarimg from the decoded image. PNG copies go to $SPEAN_RECEIPT_SHOTS when set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escpos.h"
#include "escpos_decode.h"
#include "oracle.h"
#include "receipt.h"
#include "testlib.h"

static void write_pbm(const char *path, const struct escpos_image *img)
{
	FILE *f = fopen(path, "wb");
	fprintf(f, "P4\n%d %d\n", img->width, img->height);
	fwrite(img->bits, (size_t)(img->width / 8), (size_t)img->height, f);
	fclose(f);
}

static void write_png(const char *path, const struct escpos_image *img)
{
	struct grey g = {img->width, img->height, malloc((size_t)img->width * (size_t)img->height)};
	for (int y = 0; y < img->height; y++)
		for (int x = 0; x < img->width; x++)
			g.px[(size_t)y * (size_t)img->width + (size_t)x] =
				(img->bits[(size_t)y * (size_t)(img->width / 8) + (size_t)(x / 8)] & (0x80 >> (x % 8))) ? 0 : 255;
	png_write_grey(path, &g);
	free(g.px);
}

static void one(struct text *t, const struct receipt_info *r, int width, const char *name)
{
	struct escpos_image img, back;
	struct diag d = {""};
	CHECK_INT(receipt_render(t, r, width, &img, &d), 0);
	CHECK(img.width == width && img.height > 300);
	struct buf b;
	buf_init(&b);
	escpos_encode(&b, &img, 4, 1);
	int feed, cut;
	const char *why = escpos_decode(&b, &back, &feed, &cut);
	CHECK(why == NULL);
	if (why)
		fprintf(stderr, "%s: %s\n", name, why);
	CHECK(back.width == img.width && back.height == img.height);
	CHECK(back.bits && !memcmp(back.bits, img.bits, (size_t)(img.width / 8) * (size_t)img.height));
	CHECK(feed == 4 && cut == 1);
	/* At least ceil(height / 255) bands. */
	CHECK(b.len == 2 + (size_t)((img.height + 254) / 255) * 8 + (size_t)(img.width / 8) * (size_t)img.height + 3 + 4);
	char *dir = t_tmpdir("receipt");
	char pbm[1200];
	snprintf(pbm, sizeof pbm, "%s/%s.pbm", dir, name);
	write_pbm(pbm, &back);
	char *argv[] = {"zbarimg", "--raw", "-q", pbm, NULL};
	char *o = NULL, *e = NULL;
	CHECK_INT(t_run(argv, &o, &e), 0);
	char want[80];
	snprintf(want, sizeof want, "%s\n", r->qr);
	CHECK_STR(o, want);
	const char *dump = getenv("SPEAN_RECEIPT_DUMP"); /* the ESC/POS bytes, for the cross-check with another encoder */
	if (dump && *dump) {
		char bin[1200];
		snprintf(bin, sizeof bin, "%s/%s.bin", dump, name);
		FILE *f = fopen(bin, "wb");
		CHECK(f != NULL);
		if (f) {
			fwrite(b.data, 1, b.len, f);
			fclose(f);
		}
	}
	const char *shots = getenv("SPEAN_RECEIPT_SHOTS");
	if (shots && *shots) {
		char png[1200];
		snprintf(png, sizeof png, "%s/%s.png", shots, name);
		write_png(png, &back);
	}
	free(o);
	free(e);
	t_rmtree(dir);
	free(dir);
	free(back.bits);
	free(img.bits);
	buf_finish(&b);
}

int main(void)
{
	struct text *t = oracle_text_open();
	const char *docs_vi[] = {"Giấy chứng nhận hộ nghèo do xã cấp", "Giấy khai sinh hoặc giấy tờ có ngày sinh", NULL};
	struct receipt_info vi = {"vi", "Đã gửi yêu cầu", "Mã yêu cầu của bạn", "3F2A-91C0",
				  "3f2a91c0aa55e01b7c6d2f4e9a0b1c3d", "Ngày 20/05/2026",
				  "Bạn có thể được trợ giúp pháp lý miễn phí", "Giấy tờ nên mang theo (nếu có):", docs_vi,
				  "Giữ mã này. Trung tâm sẽ liên hệ với bạn. Nếu cần, gọi 0294 3 855 555."};
	const char *docs_km[] = {"សំបុត្រកំណើត", NULL};
	struct receipt_info km = {"km", "បានផ្ញើសំណើ", "លេខសំណើរបស់អ្នក", "7B01-C4D2",
				  "7b01c4d2e5f60718293a4b5c6d7e8f90", "ថ្ងៃទី ២០/០៥/២០២៦",
				  "មជ្ឈមណ្ឌលនឹងពិនិត្យសំណើរបស់អ្នក", "ឯកសារដែលគួរយកមក (បើមាន)៖", docs_km,
				  "រក្សាលេខនេះទុក។ មជ្ឈមណ្ឌលនឹងទាក់ទងអ្នក។"};
	one(t, &vi, ESCPOS_DOTS_58MM, "receipt-vi-58mm");
	one(t, &vi, ESCPOS_DOTS_80MM, "receipt-vi-80mm");
	one(t, &km, ESCPOS_DOTS_58MM, "receipt-km-58mm");
	struct escpos_image bad;
	struct diag d = {""};
	CHECK_INT(receipt_render(t, &vi, 500, &bad, &d), ERR_INVAL);
	CHECK(strstr(d.msg, "384 (58 mm) or 576 (80 mm)") != NULL);
	text_destroy(t);
	oracle_cleanup();
	return t_done("print_test");
}

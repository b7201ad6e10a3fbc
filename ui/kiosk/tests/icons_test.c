/*
 * Tests for kiosk/icons on a copy of the repo's pictures: every question's
 * picture and the three answer symbols load and scale; the Yes and No
 * symbols differ in shape (their white marks, not only their colours); a
 * pack without an answer symbol, or with a cut one, is refused at start
 * naming the file and the answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "content.h"
#include "icons.h"
#include "testlib.h"

/* dir/icons/NAME.bmp from the repo's. */
static void copy_icon(const char *dir, const char *name)
{
	char rel[128], path[4096];
	size_t len;
	snprintf(rel, sizeof rel, "firmware/content/kiosk/icons/%s.bmp", name);
	char *data = t_read_repo(rel, &len);
	snprintf(path, sizeof path, "%s/icons/%s.bmp", dir, name);
	FILE *f = fopen(path, "wb");
	CHECK(f && fwrite(data, 1, len, f) == len);
	if (f)
		fclose(f);
	free(data);
}

/* A pixel of the symbol's mark: near white and opaque (the discs are saturated colours). */
static int white(const SDL_Surface *s, int x, int y)
{
	Uint32 p = ((const Uint32 *)((const Uint8 *)s->pixels + y * s->pitch))[x];
	return (p >> 24) > 200 && ((p >> 16) & 255) > 200 && ((p >> 8) & 255) > 200 && (p & 255) > 200;
}

static void test_symbols(struct icons *s)
{
	SDL_Surface *yes = icons_answer(s, ANSWER_SYMBOL_YES, 64), *no = icons_answer(s, ANSWER_SYMBOL_NO, 64);
	SDL_Surface *unk = icons_answer(s, ANSWER_SYMBOL_UNKNOWN, 128);
	CHECK(yes && no && unk);
	CHECK(!icons_answer(s, (enum answer_symbol)ANSWER_SYMBOLS, 64));
	if (!yes || !no || !unk)
		return;
	CHECK_INT(yes->w, 64);
	CHECK_INT(unk->w, 128);
	/* The check and the cross: each a mark of some size, most of either's pixels outside the other's. */
	int ny = 0, nn = 0, both = 0;
	for (int y = 0; y < 64; y++)
		for (int x = 0; x < 64; x++) {
			ny += white(yes, x, y), nn += white(no, x, y);
			both += white(yes, x, y) && white(no, x, y);
		}
	CHECK(ny > 200 && nn > 200);
	CHECK(both * 2 < ny && both * 2 < nn);
}

int main(void)
{
	size_t n;
	struct diag d = {""};
	struct content c;
	memset(&c, 0, sizeof c);
	char *t = t_read_repo("firmware/content/kiosk/questions.conf", &n);
	CHECK_INT(content_parse_questions(t, n, &c, &d), 0);
	free(t);
	char *dir = t_tmpdir("icons");
	char sub[4096];
	snprintf(sub, sizeof sub, "%s/icons", dir);
	CHECK_INT(mkdir(sub, 0700), 0);
	for (int q = 0; q < c.nquestions; q++)
		copy_icon(dir, c.q[q].icon);
	for (int a = 0; a < ANSWER_SYMBOLS; a++)
		copy_icon(dir, content_answer_symbol[a]);

	/* The whole set, read now (as `spean content check` does): every question's picture and the three symbols. */
	struct icons *s = NULL;
	CHECK_INT(icons_load(&s, dir, &c, 1, &d), 0);
	CHECK_INT(icons_count(s), c.nquestions + ANSWER_SYMBOLS);
	for (int q = 0; q < c.nquestions; q++)
		CHECK(icons_get(s, c.q[q].icon, 96) != NULL);
	test_symbols(s);
	icons_destroy(s);
	/* Read when first shown (the kiosk's start): the same. */
	CHECK_INT(icons_load(&s, dir, &c, 0, &d), 0);
	test_symbols(s);
	icons_destroy(s);

	/* No "No" symbol: refused, naming the file and the answer. */
	char path[4096], want[4200];
	snprintf(path, sizeof path, "%s/icons/answer_no.bmp", dir);
	CHECK_INT(unlink(path), 0);
	CHECK_INT(icons_load(&s, dir, &c, 0, &d), ERR_NOTFOUND);
	CHECK(s == NULL);
	snprintf(want, sizeof want, "%s: No such file or directory (the symbol of the answer No)", path);
	CHECK_STR(d.msg, want);
	/* A cut "I don't know" symbol: refused when the pictures are read at start. */
	copy_icon(dir, "answer_no");
	snprintf(path, sizeof path, "%s/icons/answer_unknown.bmp", dir);
	CHECK_INT(truncate(path, 3000), 0);
	CHECK_INT(icons_load(&s, dir, &c, 1, &d), ERR_PARSE);
	snprintf(want, sizeof want, "%s (the symbol of the answer I don't know): BMP pixel rows at 122", path);
	CHECK(!strncmp(d.msg, want, strlen(want)));
	if (strncmp(d.msg, want, strlen(want)))
		fprintf(stderr, "got \"%s\"\n", d.msg);

	t_rmtree(dir);
	free(dir);
	content_finish(&c);
	return t_done("kiosk_icons_test");
}

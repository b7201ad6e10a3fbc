/*
 * Tests for core/contentpack: the one check of a whole content pack. The
 * repo's pack passes; each hostile input is built here (pictures whose
 * header claims 60000x60000 px or more bytes than the file, names that leave
 * the pack, cut and forged recordings, too many files, too many bytes, an
 * oversized string) and is refused with the file and the reason.
 */
#include <dirent.h>
#include <stdint.h>

#include "common.h"
#include "content.h"
#include "contentpack.h"

/* The repo's pack: its text files and every picture in icons/ (read from the directory: the list changes with the content). */
static const char *const repo_texts[] = {"questions.conf", "communes.txt", "strings.vi", "strings.km", "audio.keys", "holidays.txt", "hours.txt"};
#define NTEXTS (sizeof repo_texts / sizeof *repo_texts)
#define NREPO_MAX (NTEXTS + 3 + CONTENT_MAX_QUESTIONS)

struct pack {
	size_t n;
	struct content_file f[NREPO_MAX + 8];
	char *owned[NREPO_MAX + 8];
	char names[NREPO_MAX][64];
};

static char *rules_text;
static size_t rules_len;

static void pack_add_repo(struct pack *p, const char *name)
{
	char rel[128];
	size_t len;
	snprintf(rel, sizeof rel, "firmware/content/kiosk/%s", name);
	snprintf(p->names[p->n], sizeof p->names[p->n], "%s", name);
	p->owned[p->n] = t_read_repo(rel, &len);
	p->f[p->n] = (struct content_file){p->names[p->n], p->owned[p->n], len};
	p->n++;
}

static void pack_load(struct pack *p)
{
	memset(p, 0, sizeof *p);
	for (size_t i = 0; i < NTEXTS; i++)
		pack_add_repo(p, repo_texts[i]);
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/firmware/content/kiosk/icons", t_env("SPEAN_SOURCE_DIR"));
	DIR *dh = opendir(dir);
	if (!dh) {
		fprintf(stderr, "cannot open %s\n", dir);
		exit(2);
	}
	struct dirent *e;
	while ((e = readdir(dh))) {
		size_t nl = strlen(e->d_name);
		if (nl > 4 && nl < 50 && !strcmp(e->d_name + nl - 4, ".bmp") && p->n < NREPO_MAX) {
			char name[64];
			snprintf(name, sizeof name, "icons/%.50s", e->d_name);
			pack_add_repo(p, name);
		}
	}
	closedir(dh);
}

static void pack_free(struct pack *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->owned[i]);
}

static struct content_file *pack_get(struct pack *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->f[i].name, name))
			return &p->f[i];
	return NULL;
}

/* Replace (or add) name with a copy of data. */
static void pack_put(struct pack *p, const char *name, const void *data, size_t len)
{
	struct content_file *f = pack_get(p, name);
	size_t i = f ? (size_t)(f - p->f) : p->n++;
	free(p->owned[i]);
	p->owned[i] = xmalloc(len ? len : 1);
	memcpy(p->owned[i], data, len);
	p->f[i] = (struct content_file){name, p->owned[i], len};
}

static void expect_pack(struct pack *p, int want_rc, const char *want, int line)
{
	struct diag d = {""};
	int rc = content_pack_check(p->f, p->n, rules_text, rules_len, &d);
	t_checks++;
	if (rc != want_rc || (want && strncmp(d.msg, want, strlen(want))))
		t_fail(__FILE__, line, "got %d \"%s\", want %d \"%s...\"", rc, d.msg, want_rc, want ? want : "");
}
#define EXPECT_PACK(p, rc, msg) expect_pack(p, rc, msg, __LINE__)

static void put32(unsigned char *b, uint32_t v)
{
	b[0] = (unsigned char)v, b[1] = (unsigned char)(v >> 8), b[2] = (unsigned char)(v >> 16), b[3] = (unsigned char)(v >> 24);
}

static void expect_bmp(const unsigned char *b, size_t len, int want_rc, const char *want, int line)
{
	struct diag d = {""};
	struct content_picture pic;
	int rc = content_bmp_check(b, len, &pic, &d);
	t_checks++;
	if (rc != want_rc || (want && strncmp(d.msg, want, strlen(want))))
		t_fail(__FILE__, line, "bmp: got %d \"%s\", want %d \"%s...\"", rc, d.msg, want_rc, want ? want : "");
}
#define EXPECT_BMP(b, len, rc, msg) expect_bmp(b, len, rc, msg, __LINE__)

static void test_bmp(void)
{
	size_t len;
	unsigned char *good = (unsigned char *)t_read_repo("firmware/content/kiosk/icons/house.bmp", &len);
	unsigned char *b = xmalloc(len + 64);
	struct content_picture pic;
	struct diag d = {""};
	CHECK_INT(content_bmp_check(good, len, &pic, &d), 0);
	CHECK_INT(pic.w, 128);
	CHECK_INT(pic.h, 128);
	CHECK_INT(pic.bpp, 32);
#define FRESH() memcpy(b, good, len)
	/* 60000x60000: refused from the header, whatever the file holds. */
	FRESH();
	put32(b + 18, 60000), put32(b + 22, 60000);
	EXPECT_BMP(b, len, ERR_PARSE, "60000x60000 px; a picture is square, 32 to 1024 px");
	FRESH();
	put32(b + 18, 128), put32(b + 22, 0x80000000u); /* INT32_MIN: |h| must not overflow */
	EXPECT_BMP(b, len, ERR_PARSE, "128x2147483648 px");
	FRESH();
	put32(b + 18, 0xffffff80u); /* negative width */
	EXPECT_BMP(b, len, ERR_PARSE, "-128x128 px");
	FRESH();
	put32(b + 22, (uint32_t)-128); /* top-down: the same picture */
	EXPECT_BMP(b, len, 0, NULL);
	FRESH();
	put32(b + 18, 16), put32(b + 22, 16);
	EXPECT_BMP(b, len, ERR_PARSE, "16x16 px");
	FRESH();
	put32(b + 18, 2048), put32(b + 22, 2048);
	EXPECT_BMP(b, len, ERR_PARSE, "2048x2048 px");
	/* A claim the file cannot back: bigger (by pixels) than the file. */
	FRESH();
	put32(b + 18, 1024), put32(b + 22, 1024);
	EXPECT_BMP(b, len, ERR_PARSE, "BMP pixel rows at 122, 4194304 bytes for 1024x1024 px, in a file of 65658 bytes");
	EXPECT_BMP(good, 3000, ERR_PARSE, "BMP pixel rows at 122, 65536 bytes for 128x128 px, in a file of 3000 bytes");
	EXPECT_BMP(good, 60, ERR_PARSE, "BMP header cut short");
	EXPECT_BMP(good, 20, ERR_PARSE, "not a BMP picture (too short)");
	FRESH();
	b[0] = 'P';
	EXPECT_BMP(b, len, ERR_PARSE, "not a BMP picture (no BM signature)");
	FRESH();
	put32(b + 2, 1000); /* the file size field */
	EXPECT_BMP(b, len, ERR_PARSE, "BMP file of 65658 bytes where its header says 1000");
	FRESH();
	memset(b + len, 0, 64);
	put32(b + 2, (uint32_t)(len + 64)); /* junk after the pixels, the size field agreeing */
	EXPECT_BMP(b, len + 64, ERR_PARSE, "BMP file of 65722 bytes");
	FRESH();
	put32(b + 10, 0xfffffff0u); /* pixels "after" the end */
	EXPECT_BMP(b, len, ERR_PARSE, "BMP pixel rows at 4294967280");
	FRESH();
	put32(b + 10, 20); /* pixels inside the header */
	EXPECT_BMP(b, len, ERR_PARSE, "BMP pixel rows at 20");
	FRESH();
	put32(b + 14, 12); /* an OS/2 header */
	EXPECT_BMP(b, len, ERR_PARSE, "BMP header of 12 bytes");
	FRESH();
	put32(b + 14, 0x7fffffff);
	EXPECT_BMP(b, len, ERR_PARSE, "BMP header of 2147483647 bytes");
	FRESH();
	b[28] = 16;
	EXPECT_BMP(b, len, ERR_PARSE, "BMP of 1 planes, 16 bits, compression 3");
	FRESH();
	put32(b + 30, 1); /* RLE8 */
	EXPECT_BMP(b, len, ERR_PARSE, "BMP of 1 planes, 32 bits, compression 1");
	FRESH();
	b[26] = 2;
	EXPECT_BMP(b, len, ERR_PARSE, "BMP of 2 planes");
#undef FRESH
	free(b);
	free(good);
}

/* A PCM recording: rate Hz, ch channels, bits, n data bytes (zeros). Caller frees. */
static unsigned char *wav(uint32_t rate, uint32_t ch, uint32_t bits, uint32_t n, size_t *len)
{
	*len = 44 + n;
	unsigned char *b = xcalloc(1, *len);
	memcpy(b, "RIFF", 4);
	put32(b + 4, (uint32_t)*len - 8);
	memcpy(b + 8, "WAVEfmt ", 8);
	put32(b + 16, 16);
	uint32_t align = ch * bits / 8;
	b[20] = 1, b[22] = (unsigned char)ch;
	put32(b + 24, rate);
	put32(b + 28, rate * align);
	b[32] = (unsigned char)align, b[34] = (unsigned char)bits;
	memcpy(b + 36, "data", 4);
	put32(b + 40, n);
	return b;
}

static void expect_wav(const unsigned char *b, size_t len, int want_rc, const char *want, int line)
{
	struct diag d = {""};
	int rc = content_wav_check(b, len, &d);
	t_checks++;
	if (rc != want_rc || (want && strncmp(d.msg, want, strlen(want))))
		t_fail(__FILE__, line, "wav: got %d \"%s\", want %d \"%s...\"", rc, d.msg, want_rc, want ? want : "");
}
#define EXPECT_WAV(b, len, rc, msg) expect_wav(b, len, rc, msg, __LINE__)

static void test_wav(void)
{
	size_t len;
	unsigned char *b = wav(16000, 1, 16, 32000, &len);
	EXPECT_WAV(b, len, 0, NULL);
	EXPECT_WAV(b, 20000, ERR_PARSE, "WAV of 20000 bytes where its header says 32044");
	EXPECT_WAV(b, 10, ERR_PARSE, "not a WAV recording");
	put32(b + 40, 0xffffffffu); /* a data chunk claiming 4 GiB: must not wrap */
	EXPECT_WAV(b, len, ERR_PARSE, "WAV chunk 'data' of 4294967295 bytes runs past the end");
	put32(b + 40, 31999); /* half a sample */
	b[len - 1] = 0;
	EXPECT_WAV(b, len, ERR_PARSE, "WAV data is not whole samples");
	put32(b + 40, 31000); /* data then 1000 stray bytes */
	EXPECT_WAV(b, len, ERR_PARSE, "WAV: 1000 bytes after the data chunk");
	put32(b + 40, 32000);
	put32(b + 16, 0xfffffff0u); /* fmt chunk size past the end */
	EXPECT_WAV(b, len, ERR_PARSE, "WAV chunk 'fmt ' of 4294967280 bytes runs past the end");
	free(b);
	/* Forged formats: each field out of range or inconsistent. */
	b = wav(1000000, 1, 16, 32000, &len);
	EXPECT_WAV(b, len, ERR_PARSE, "WAV format 1, 1 channels, 1000000 Hz");
	free(b);
	b = wav(16000, 0, 16, 32000, &len);
	EXPECT_WAV(b, len, ERR_PARSE, "WAV format 1, 0 channels");
	free(b);
	b = wav(16000, 1, 24, 32400, &len);
	EXPECT_WAV(b, len, ERR_PARSE, "WAV format 1, 1 channels, 16000 Hz, 24 bits");
	free(b);
	b = wav(16000, 2, 16, 32000, &len);
	EXPECT_WAV(b, len, 0, NULL);
	b[32] = 2; /* block size of mono in a stereo file */
	EXPECT_WAV(b, len, ERR_PARSE, "WAV format 1, 2 channels, 16000 Hz, 16 bits, block 2");
	b[32] = 4;
	b[20] = 2; /* ADPCM */
	EXPECT_WAV(b, len, ERR_PARSE, "WAV format 2");
	b[20] = 1;
	memcpy(b + 12, "data", 4); /* data before fmt */
	EXPECT_WAV(b, len, ERR_PARSE, "WAV data before its format chunk");
	memcpy(b + 12, "fmt ", 4);
	memcpy(b + 36, "junk", 4); /* no data chunk at all */
	EXPECT_WAV(b, len, ERR_PARSE, "WAV has no data chunk");
	free(b);
	/* An odd-sized chunk before the data is padded to even; a LIST chunk is skipped. */
	size_t l2;
	unsigned char *w = wav(8000, 1, 8, 101, &l2);
	unsigned char *x = xcalloc(1, l2 + 1 + 14);
	memcpy(x, w, 36);
	memcpy(x + 36, "LIST", 4);
	put32(x + 40, 5);
	memcpy(x + 50, w + 36, 8 + 101);
	put32(x + 4, (uint32_t)(l2 + 14 + 1 - 8));
	EXPECT_WAV(x, l2 + 14 + 1, 0, NULL); /* LIST(5)+pad, data(101)+pad */
	free(x);
	free(w);
	/* Past the size limit: refused before the header is read. */
	b = wav(16000, 1, 16, CONTENT_MAX_AUDIO, &len);
	EXPECT_WAV(b, len, ERR_TOOBIG, "recording of 8388652 bytes; at most 8388608");
	free(b);
}

static void test_names(void)
{
	CHECK(content_name_ok("questions.conf", 14));
	CHECK(content_name_ok("audio/km/attract.title.wav", 26));
	CHECK(content_name_ok("a..b", 4));
	CHECK(!content_name_ok("", 0));
	CHECK(!content_name_ok("../x", 4));
	CHECK(!content_name_ok("a/../b", 6));
	CHECK(!content_name_ok("a/..", 4));
	CHECK(!content_name_ok("./a", 3));
	CHECK(!content_name_ok("/etc/passwd", 11));
	CHECK(!content_name_ok("a//b", 4));
	CHECK(!content_name_ok("a/", 2));
	CHECK(!content_name_ok("a\\b", 3));
	CHECK(!content_name_ok("..\\..\\x", 7));
	CHECK(!content_name_ok("a\0b", 3)); /* a NUL inside: the length says 3 */
	CHECK(!content_name_ok("a\nb", 3));
	CHECK(!content_name_ok("a\033[2Jb", 6));
	CHECK(!content_name_ok("a\x7f", 2));
	CHECK(!content_name_ok("a b", 3));
	CHECK(!content_name_ok("C:x", 3));
	CHECK(!content_name_ok("\xc3\xa9", 2));
	char name[CONTENT_MAX_NAME + 1];
	memset(name, 'a', sizeof name);
	CHECK(content_name_ok(name, CONTENT_MAX_NAME - 1));
	CHECK(!content_name_ok(name, CONTENT_MAX_NAME));
	CHECK(content_key_ok("attract.title", 13));
	CHECK(!content_key_ok("a/b", 3));
	CHECK(!content_key_ok("..", 2));
}

static void test_pack(void)
{
	struct pack p;
	pack_load(&p);
	EXPECT_PACK(&p, 0, NULL);
	/* A file named to leave the pack, or with a terminal escape in its name (shown with '?'). */
	pack_put(&p, "../escape", "x", 1);
	EXPECT_PACK(&p, ERR_PARSE, "../escape: a bad name for a file in a pack");
	p.f[p.n - 1].name = "icons/\033[2Jx.bmp";
	EXPECT_PACK(&p, ERR_PARSE, "icons/??2Jx.bmp: a bad name");
	p.f[p.n - 1].name = "questions.conf"; /* a duplicate */
	EXPECT_PACK(&p, ERR_PARSE, "questions.conf: appears twice in the pack");
	p.f[p.n - 1].name = "notes.txt";
	EXPECT_PACK(&p, 0, NULL); /* other files may travel */
	pack_free(&p);

	/* Pictures: the hostile header is found even for a picture no question names. */
	pack_load(&p);
	struct content_file *h = pack_get(&p, "icons/house.bmp");
	unsigned char *big = xmalloc(h->len);
	memcpy(big, h->data, h->len);
	put32(big + 18, 60000), put32(big + 22, 60000);
	pack_put(&p, "icons/house.bmp", big, h->len);
	EXPECT_PACK(&p, ERR_PARSE, "icons/house.bmp: 60000x60000 px");
	pack_put(&p, "icons/house.bmp", "", 0);
	EXPECT_PACK(&p, ERR_PARSE, "icons/house.bmp: not a BMP picture");
	pack_free(&p);
	free(big);
	pack_load(&p);
	pack_get(&p, "icons/house.bmp")->name = "icons/home.bmp";
	EXPECT_PACK(&p, ERR_NOTFOUND, "icons/house.bmp: missing from the pack (the picture of question");
	pack_free(&p);
	/* Each answer button's symbol must be there (issue 12.6): without one, or with a cut one, the pack is refused. */
	for (int a = 0; a < ANSWER_SYMBOLS; a++) {
		char name[64], want[256];
		snprintf(name, sizeof name, "icons/%s.bmp", content_answer_symbol[a]);
		pack_load(&p);
		CHECK(pack_get(&p, name) != NULL);
		pack_get(&p, name)->name = "icons/other.bmp";
		snprintf(want, sizeof want, "%s: missing from the pack (an answer button's symbol: every pack has icons/answer_yes, "
			 "answer_no and answer_unknown.bmp)", name);
		EXPECT_PACK(&p, ERR_NOTFOUND, want);
		struct content_file *sym = pack_get(&p, "icons/other.bmp");
		sym->name = name;
		sym->len = 3000;
		snprintf(want, sizeof want, "%s: BMP pixel rows at 122", name);
		EXPECT_PACK(&p, ERR_PARSE, want);
		pack_free(&p);
	}
	/* Two questions showing one picture (the pack's questions.conf with the HIV question given the Agent Orange one's). */
	pack_load(&p);
	struct content_file *qc = pack_get(&p, "questions.conf");
	char *qs = xmalloc(qc->len + 1);
	memcpy(qs, qc->data, qc->len);
	qs[qc->len] = '\0';
	char *hiv = strstr(qs, "[question hiv]"), *ic = hiv ? strstr(hiv, "icon = ") : NULL;
	CHECK(ic != NULL);
	if (ic) {
		struct buf nb;
		buf_init(&nb);
		buf_append(&nb, qs, (size_t)(ic - qs));
		buf_append(&nb, "icon = orange_drum", 18);
		const char *eol = strchr(ic, '\n');
		buf_append(&nb, eol, strlen(eol));
		pack_put(&p, "questions.conf", nb.data, nb.len);
		buf_finish(&nb);
		EXPECT_PACK(&p, ERR_PARSE, "questions.conf: line ");
		struct diag d = {""};
		content_pack_check(p.f, p.n, rules_text, rules_len, &d);
		CHECK(strstr(d.msg, "[question hiv] shows the picture orange_drum of [question agent_orange]") != NULL);
	}
	free(qs);
	pack_free(&p);
	/* ... or under two names: the HIV picture a copy of the Agent Orange one, or of the Yes symbol. */
	pack_load(&p);
	struct content_file *drum = pack_get(&p, "icons/orange_drum.bmp"), *yes = pack_get(&p, "icons/answer_yes.bmp");
	pack_put(&p, "icons/red_ribbon.bmp", drum->data, drum->len);
	EXPECT_PACK(&p, ERR_PARSE,
		    "icons/red_ribbon.bmp: the same picture as icons/orange_drum.bmp (the picture of question agent_orange); "
		    "each question has its own");
	pack_put(&p, "icons/red_ribbon.bmp", yes->data, yes->len);
	EXPECT_PACK(&p, ERR_PARSE, "icons/red_ribbon.bmp: the same picture as icons/answer_yes.bmp (an answer button's symbol)");
	pack_free(&p);

	/* Recordings: where they go, and their headers. */
	pack_load(&p);
	size_t wl;
	unsigned char *w = wav(16000, 1, 16, 3200, &wl);
	pack_put(&p, "audio/km/attract.title.wav", w, wl);
	EXPECT_PACK(&p, 0, NULL);
	pack_put(&p, "audio/km/attract.title.wav", w, wl - 100);
	EXPECT_PACK(&p, ERR_PARSE, "audio/km/attract.title.wav: WAV of 3144 bytes where its header says 3244");
	pack_put(&p, "audio/km/attract.title.wav", w, wl);
	pack_put(&p, "audio/x.wav", w, wl);
	EXPECT_PACK(&p, ERR_PARSE, "audio/x.wav: a recording is audio/LANG/KEY.wav");
	p.f[p.n - 1].name = "audio/km/sub/x.wav";
	EXPECT_PACK(&p, ERR_PARSE, "audio/km/sub/x.wav: a recording is audio/LANG/KEY.wav");
	p.f[p.n - 1].name = "audio/km/x.mp3";
	EXPECT_PACK(&p, ERR_PARSE, "audio/km/x.mp3: a recording is audio/LANG/KEY.wav");
	p.f[p.n - 1].name = "audio/km/x.wav";
	EXPECT_PACK(&p, 0, NULL);
	const char *keys = "# keys\nattract.title\n../../etc/passwd\n";
	pack_put(&p, "audio.keys", keys, strlen(keys));
	EXPECT_PACK(&p, ERR_PARSE, "audio.keys: line 3: a key is one name");
	free(w);
	pack_free(&p);

	/* Texts: questions.conf broken, an icon name that is a path, a string past the limit, a file missing. */
	pack_load(&p);
	const char *q = "version = 1\ncenter_phone = 1\n[question x]\nfact = nonsense\n";
	pack_put(&p, "questions.conf", q, strlen(q));
	EXPECT_PACK(&p, ERR_PARSE, "questions.conf: line 4: unknown or repeated fact");
	q = "version = 1\ncenter_phone = 1\n[question x]\nfact = hiv\nkind = yesno\ntext = q.hiv\nicon = ../../../x\n";
	pack_put(&p, "questions.conf", q, strlen(q));
	EXPECT_PACK(&p, ERR_PARSE, "questions.conf: line 7: icon is one name of A-Z a-z 0-9 . _ - (not a path)");
	pack_free(&p);
	pack_load(&p);
	struct content_file *vi = pack_get(&p, "strings.vi");
	size_t ll = vi->len + CONTENT_MAX_STRING + 32;
	char *longer = xmalloc(ll);
	int k = snprintf(longer, ll, "zz.long = ");
	memset(longer + k, 'a', CONTENT_MAX_STRING + 1);
	longer[k + CONTENT_MAX_STRING + 1] = '\n';
	memcpy(longer + k + CONTENT_MAX_STRING + 2, vi->data, vi->len);
	pack_put(&p, "strings.vi", longer, (size_t)k + CONTENT_MAX_STRING + 2 + vi->len);
	EXPECT_PACK(&p, ERR_PARSE, "strings.vi: line 1: too long a text for 'zz.long' (at most 2048 bytes)");
	free(longer);
	pack_get(&p, "strings.vi")->name = "strings.fr";
	EXPECT_PACK(&p, ERR_PARSE, "strings.vi: missing from the pack");
	pack_free(&p);
	/*
	 * holidays.txt: parsed with the pack (a bad day names its line); optional
	 * for content_pack_check (a kiosk keeps starting on an older pack), wanted
	 * and covering this year for a pack going out (content_pack_holidays).
	 */
	pack_load(&p);
	struct diag hd = {""};
	CHECK_INT(content_pack_holidays(p.f, p.n, 2026, &hd), 0);
	CHECK_INT(content_pack_holidays(p.f, p.n, 2027, &hd), 0);
	CHECK_INT(content_pack_holidays(p.f, p.n, 2028, &hd), ERR_NOTFOUND);
	CHECK_STR(hd.msg, "holidays.txt: covers 2026..2027, not 2028: the kiosk cannot count working days this year (add 2028's "
			  "holidays)");
	const char *hol = "covers = 2026..2026\n2026-01-01 = off new_year\n2026-01-06 = work swap\n";
	pack_put(&p, "holidays.txt", hol, strlen(hol));
	EXPECT_PACK(&p, ERR_PARSE, "holidays.txt: line 3: 2026-01-06 is a Tuesday: 'work' is for a Saturday or Sunday worked");
	CHECK_INT(content_pack_holidays(p.f, p.n, 2026, &hd), ERR_PARSE);
	CHECK_STR(hd.msg, "holidays.txt: line 3: 2026-01-06 is a Tuesday: 'work' is for a Saturday or Sunday worked (a weekday is "
			  "a working day already)");
	hol = "2026-01-01 = off new_year\n";
	pack_put(&p, "holidays.txt", hol, strlen(hol));
	EXPECT_PACK(&p, ERR_PARSE, "holidays.txt: line 1: 'covers = FIRST..LAST' comes before the days");
	pack_get(&p, "holidays.txt")->name = "holidays.old";
	EXPECT_PACK(&p, 0, NULL);
	CHECK_INT(content_pack_holidays(p.f, p.n, 2026, &hd), ERR_NOTFOUND);
	CHECK_STR(hd.msg, "holidays.txt: missing from the pack (the kiosk counts working days to a hearing with it)");
	pack_free(&p);
	/* hours.txt: parsed with the pack (a bad line named); optional for good (no file: always open). */
	pack_load(&p);
	const char *hrs = "mon-fri 07:00-11:30 13:30-17:00\nsat 07:00-11:30 11:00-12:00\nsun closed\n";
	pack_put(&p, "hours.txt", hrs, strlen(hrs));
	EXPECT_PACK(&p, ERR_PARSE, "hours.txt: line 2: 11:00-12:00 starts before 07:00-11:30 ends");
	hrs = "mon-fri 07:00-11:30\nsat 07:00-11:30\n";
	pack_put(&p, "hours.txt", hrs, strlen(hrs));
	EXPECT_PACK(&p, ERR_PARSE, "hours.txt: no line gives sun");
	pack_get(&p, "hours.txt")->name = "hours.old";
	EXPECT_PACK(&p, 0, NULL);
	pack_free(&p);
	pack_load(&p);
	const char *bad_rules = "this is not a rule\n";
	pack_put(&p, "eligibility.rules", bad_rules, strlen(bad_rules));
	EXPECT_PACK(&p, ERR_PARSE, "eligibility.rules: ");
	pack_free(&p);

	/* Counts and bytes: too many files, too many bytes (names and sizes only: no data is read past the limit). */
	struct content_file *many = xcalloc(CONTENT_MAX_FILES + 1, sizeof *many);
	char (*names)[16] = xcalloc(CONTENT_MAX_FILES + 1, 16);
	for (size_t i = 0; i <= CONTENT_MAX_FILES; i++) {
		snprintf(names[i], 16, "f%zu", i);
		many[i] = (struct content_file){names[i], "", 0};
	}
	struct diag d = {""};
	CHECK_INT(content_pack_check(many, CONTENT_MAX_FILES + 1, rules_text, rules_len, &d), ERR_TOOBIG);
	CHECK_STR(d.msg, "pack: 1025 files; at most 1024");
	static const unsigned char zero[1];
	many[0].len = CONTENT_MAX_BYTES / 2;
	many[1].len = CONTENT_MAX_BYTES / 2 + 1;
	many[0].data = many[1].data = zero; /* never read: the sizes are refused first */
	CHECK_INT(content_pack_check(many, 2, rules_text, rules_len, &d), ERR_TOOBIG);
	CHECK_STR(d.msg, "f1: the pack passes 62914560 bytes (MiB: 60) here");
	free(names);
	free(many);
}

int main(void)
{
	size_t n;
	rules_text = t_read_repo("firmware/content/eligibility.rules", &n);
	rules_len = n;
	test_bmp();
	test_wav();
	test_names();
	test_pack();
	free(rules_text);
	return t_done("core_contentpack_test");
}

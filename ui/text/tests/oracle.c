/* ui/text test helpers: run hb-shape / hb-view, decode PNG, load the UI catalog. */
#include "oracle.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kv.h"
#include "mem.h"
#include "testlib.h"

const char *font_path(const char *file)
{
	static char p[4][1024];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/fonts/%s", t_env("SPEAN_SOURCE_DIR"), file);
	return p[k];
}

static char *dir;

void oracle_cleanup(void)
{
	if (dir) {
		t_rmtree(dir);
		free(dir);
		dir = NULL;
	}
}

static char *tmp_file(const char *tag)
{
	static int seq;
	if (!dir)
		dir = t_tmpdir("text-oracle");
	char p[1024];
	snprintf(p, sizeof p, "%s/%s-%d", dir, tag, seq++);
	return xstrdup(p);
}

/* Parse one hb-shape JSON line: [{"g":107,"cl":0,"dx":0,"dy":0,"ax":576,"ay":0},...] */
static void parse_json_line(const char *s, const char *e, struct hb_line *out)
{
	size_t cap = 8;
	out->g = xmalloc(cap * sizeof *out->g);
	out->n = 0;
	for (const char *p = s; p < e; p++) {
		if (strncmp(p, "{\"g\":", 5))
			continue;
		struct hb_glyph g = {0, 0};
		g.gid = (unsigned)strtoul(p + 5, NULL, 10);
		const char *ax = strstr(p, "\"ax\":");
		if (ax && ax < e)
			g.ax = (int)strtol(ax + 5, NULL, 10);
		if (out->n == cap) {
			cap *= 2;
			out->g = xrealloc(out->g, cap * sizeof *out->g);
		}
		out->g[out->n++] = g;
	}
}

int hb_shape_lines(const char *font, int size_px, const char *const *lines, size_t n, struct hb_line *out)
{
	char *in = tmp_file("shape");
	FILE *f = fopen(in, "w");
	if (!f) {
		perror(in);
		free(in);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s\n", lines[i]);
	fclose(f);
	char fs[32], tf[1100];
	snprintf(fs, sizeof fs, "--font-size=%d", size_px * 64);
	snprintf(tf, sizeof tf, "--text-file=%s", in);
	char *argv[] = {"hb-shape", "--font-funcs=ot", fs, "--no-glyph-names",
			"--output-format=json", (char *)font, tf, NULL};
	char *o = NULL, *e = NULL;
	int rc = t_run(argv, &o, &e);
	unlink(in);
	free(in);
	if (rc != 0) {
		fprintf(stderr, "hb-shape failed (%d): %s\n", rc, e ? e : "");
		free(o);
		free(e);
		return -1;
	}
	const char *p = o;
	size_t i = 0;
	for (; i < n && *p; i++) {
		const char *nl = strchr(p, '\n');
		const char *end = nl ? nl : p + strlen(p);
		parse_json_line(p, end, &out[i]);
		p = nl ? nl + 1 : end;
	}
	free(o);
	free(e);
	if (i != n) {
		fprintf(stderr, "hb-shape printed %zu lines for %zu\n", i, n);
		hb_lines_free(out, i);
		return -1;
	}
	return 0;
}

void hb_lines_free(struct hb_line *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i].g);
}

double hb_width(const struct hb_line *l)
{
	long sum = 0;
	for (size_t i = 0; i < l->n; i++)
		sum += l->g[i].ax;
	return (double)sum / 64.0;
}

unsigned hb_dotted_circle(const char *font)
{
	const char *dc = "\xe2\x97\x8c";
	struct hb_line l;
	if (hb_shape_lines(font, 32, &dc, 1, &l))
		return 0;
	unsigned g = l.n == 1 ? l.g[0].gid : 0;
	hb_lines_free(&l, 1);
	return g;
}

int png_read_grey(const char *path, struct grey *out)
{
	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, path)) {
		fprintf(stderr, "%s: %s\n", path, img.message);
		return -1;
	}
	img.format = PNG_FORMAT_GRAY;
	out->w = (int)img.width;
	out->h = (int)img.height;
	out->px = xmalloc(PNG_IMAGE_SIZE(img));
	if (!png_image_finish_read(&img, NULL, out->px, 0, NULL)) {
		fprintf(stderr, "%s: %s\n", path, img.message);
		png_image_free(&img);
		grey_free(out);
		return -1;
	}
	return 0;
}

void png_write_grey(const char *path, const struct grey *g)
{
	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	img.width = (png_uint_32)g->w;
	img.height = (png_uint_32)g->h;
	img.format = PNG_FORMAT_GRAY;
	png_image_write_to_file(&img, path, 0, g->px, 0, NULL);
}

void grey_free(struct grey *g)
{
	free(g->px);
	g->px = NULL;
}

int hb_view(const char *font, int size_px, const char *text, struct grey *out)
{
	char *png = tmp_file("view");
	char fs[32], o_arg[1100], t_arg[4096];
	snprintf(fs, sizeof fs, "--font-size=%d", size_px);
	snprintf(o_arg, sizeof o_arg, "--output-file=%s", png);
	snprintf(t_arg, sizeof t_arg, "--text=%s", text);
	char *argv[] = {"hb-view", "--font-funcs=ft", "--ft-load-flags=65536", fs, "--margin=32", "--background=FFFFFF",
			"--foreground=000000", "--output-format=png", o_arg, (char *)font, t_arg, NULL};
	char *o = NULL, *e = NULL;
	int rc = t_run(argv, &o, &e);
	if (rc != 0)
		fprintf(stderr, "hb-view failed (%d): %s\n", rc, e ? e : "");
	free(o);
	free(e);
	if (rc == 0)
		rc = png_read_grey(png, out);
	unlink(png);
	free(png);
	return rc;
}

int grey_ink_box(const struct grey *g, int *x0, int *y0, int *x1, int *y1)
{
	int found = 0;
	*x0 = g->w;
	*y0 = g->h;
	*x1 = *y1 = -1;
	for (int y = 0; y < g->h; y++)
		for (int x = 0; x < g->w; x++)
			if (g->px[y * g->w + x] < 128) {
				found = 1;
				if (x < *x0)
					*x0 = x;
				if (x > *x1)
					*x1 = x;
				if (y < *y0)
					*y0 = y;
				if (y > *y1)
					*y1 = y;
			}
	return found;
}

static int px_at(const struct grey *g, int x, int y)
{
	if (x < 0 || y < 0 || x >= g->w || y >= g->h)
		return 255;
	return g->px[y * g->w + x];
}

static int ink(const struct grey *g, int x, int y)
{
	return px_at(g, x, y) < 128;
}

static int ink_near(const struct grey *g, int x, int y)
{
	for (int dy = -1; dy <= 1; dy++)
		for (int dx = -1; dx <= 1; dx++)
			if (ink(g, x + dx, y + dy))
				return 1;
	return 0;
}

/* Share of ink pixels (of both images, inside b's box) that have ink in the other image within 1 px. */
static double near_match(const struct grey *a, const struct grey *b, int bx0, int by0, int bx1, int by1, int ox, int oy)
{
	long total = 0, matched = 0;
	for (int y = by0 - 1; y <= by1 + 1; y++)
		for (int x = bx0 - 1; x <= bx1 + 1; x++) {
			if (ink(b, x, y)) {
				total++;
				matched += ink_near(a, x + ox, y + oy);
			}
			if (ink(a, x + ox, y + oy)) {
				total++;
				matched += ink_near(b, x, y);
			}
		}
	return total ? (double)matched / (double)total : 0;
}

/*
 * a is ours, b is hb-view's. hb-view 6.0 clips each line to a box computed from
 * glyph extents that can be a few pixels short of the outline (ែ at 32-48 px
 * loses its top 2-3 px, the SVG output shows the clipPath), so the comparison
 * is made inside b's ink box (plus one pixel), at the best offset within +-4 px
 * of the ink boxes' top-left alignment. Ink of a outside that box is judged by
 * dw/dh, which the caller bounds.
 */
struct similarity grey_compare(const struct grey *a, const struct grey *b)
{
	struct similarity best = {0, 0, 0, 0, 0};
	int ax0, ay0, ax1, ay1, bx0, by0, bx1, by1;
	if (!grey_ink_box(a, &ax0, &ay0, &ax1, &ay1) || !grey_ink_box(b, &bx0, &by0, &bx1, &by1))
		return best;
	best.dw = (ax1 - ax0) - (bx1 - bx0);
	best.dh = (ay1 - ay0) - (by1 - by0);
	for (int sy = -4; sy <= 4; sy++)
		for (int sx = -4; sx <= 4; sx++) {
			long inter = 0, uni = 0, diff = 0, cnt = 0;
			for (int y = by0 - 1; y <= by1 + 1; y++)
				for (int x = bx0 - 1; x <= bx1 + 1; x++) {
					int pb = px_at(b, x, y);
					int pa = px_at(a, x - bx0 + ax0 + sx, y - by0 + ay0 + sy);
					int ia = pa < 128, ib = pb < 128;
					inter += ia && ib;
					uni += ia || ib;
					diff += pa > pb ? pa - pb : pb - pa;
					cnt++;
				}
			double iou = uni ? (double)inter / (double)uni : 0;
			if (iou > best.iou) {
				best.iou = iou;
				best.mad = 1.0 - (double)diff / (double)cnt / 255.0;
				best.near = near_match(a, b, bx0, by0, bx1, by1, ax0 - bx0 + sx, ay0 - by0 + sy);
			}
		}
	return best;
}

static char *fill_placeholders(const char *v, size_t n)
{
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '{') {
			const char *close = memchr(v + i, '}', n - i);
			if (close) {
				buf_puts(&b, "12");
				i = (size_t)(close - v);
				continue;
			}
		}
		buf_putc(&b, v[i]);
	}
	return b.data ? b.data : xstrdup("");
}

int catalog_load(const char *lang, struct cat_entry **out)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/firmware/content/kiosk/strings.%s", t_env("SPEAN_SOURCE_DIR"), lang);
	size_t len;
	char *text = t_read(path, &len);
	if (!text) {
		fprintf(stderr, "%s: cannot read\n", path);
		return -1;
	}
	struct kv_reader r;
	struct kv_item it;
	struct diag d = {""};
	int n = 0, cap = 64, rc;
	struct cat_entry *e = xmalloc((size_t)cap * sizeof *e);
	kv_reader_init(&r, text, len, 0);
	while ((rc = kv_next(&r, &it, &d)) > 0) {
		if (it.is_section || it.value_len == 0)
			continue;
		if (n == cap) {
			cap *= 2;
			e = xrealloc(e, (size_t)cap * sizeof *e);
		}
		snprintf(e[n].key, sizeof e[n].key, "%.*s", (int)it.key_len, it.key);
		e[n].text = fill_placeholders(it.value, it.value_len);
		n++;
	}
	free(text);
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", path, d.msg);
		catalog_free(e, n);
		return -1;
	}
	*out = e;
	return n;
}

void catalog_free(struct cat_entry *e, int n)
{
	for (int i = 0; i < n; i++)
		free(e[i].text);
	free(e);
}

struct text *oracle_text_open(void)
{
	struct text *t;
	struct diag d = {""};
	char fonts[1024];
	snprintf(fonts, sizeof fonts, "%s/fonts", t_env("SPEAN_SOURCE_DIR"));
	if (text_init(&t, fonts, &d)) {
		fprintf(stderr, "text_init: %s\n", d.msg);
		exit(1);
	}
	return t;
}

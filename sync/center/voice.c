#define LOG_MODULE "voice"
/*
 * sync/center/voice: see voice.h. The upload is parsed with every length
 * checked against what is there before it is read (a hostile file is just
 * bytes), mixed to mono floats, resampled to 22050 Hz, trimmed and leveled
 * there, so the silence test and the levels are those of what the kiosk
 * plays.
 *
 * The resampler is a windowed sinc (Kaiser) evaluated at each output
 * instant from a table: its cutoff sits below the lower of the two Nyquist
 * frequencies, so a 48 kHz upload's content above 11 kHz is removed rather
 * than folded back into the band (linear interpolation would alias it).
 */
#include "voice.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define MAX_CHANNELS 2
#define MIN_RATE 8000
#define MAX_RATE 96000
#define WAVE_PCM 1
#define WAVE_FLOAT 3
#define WAVE_EXTENSIBLE 0xFFFE

/* The resampler's kernel: SINC_ZEROS zero crossings a side, tabulated SINC_STEPS times per crossing. */
#define SINC_ZEROS 24
#define SINC_STEPS 512
#define SINC_BETA 7.86	 /* Kaiser window: about 80 dB down past the transition band */
#define SINC_ROLLOFF 0.9 /* cutoff as a fraction of the lower Nyquist: the band edge, 10 kHz, is clear by 11 */

/* Silence and level (dBFS of RMS or peak, full scale 1.0). */
#define FRAMES_PER_S 100 /* 10 ms frames */
#define VOICED_FLOOR_DB (-50.0)
#define VOICED_BELOW_LOUDEST_DB 35.0
#define MARGIN_MS 150
#define TARGET_RMS_DB (-20.0)
#define MAX_PEAK_DB (-1.0)
#define MAX_GAIN_DB 30.0
#define SILENT_DB (-120.0)

#define HEADER 44

struct wav_in {
	unsigned tag; /* WAVE_PCM or WAVE_FLOAT, after resolving WAVE_EXTENSIBLE */
	unsigned channels, rate, bits, align;
	const unsigned char *data;
	size_t frames;
};

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return le16(p) | le16(p + 2) << 16;
}

static void put16(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static double db_amp(double a)
{
	return a > 1e-6 ? 20.0 * log10(a) : SILENT_DB;
}

static double db_pow(double p)
{
	return p > 1e-12 ? 10.0 * log10(p) : SILENT_DB;
}

/* ---- the upload ---- */

/* A chunk's id for a message: its four characters when printable, else "????". */
static void chunk_name(const unsigned char *c, char out[5])
{
	memcpy(out, "????", 5);
	for (int i = 0; i < 4; i++)
		if (c[i] < 0x20 || c[i] > 0x7e)
			return;
	memcpy(out, c, 4);
}

/* What a format tag other than PCM or float usually is, for the message. */
static const char *tag_hint(unsigned tag)
{
	switch (tag) {
	case 2:
		return " (ADPCM?)";
	case 6:
		return " (A-law?)";
	case 7:
		return " (mu-law?)";
	case 0x11:
		return " (IMA ADPCM?)";
	case 0x31:
		return " (GSM?)";
	case 0x50:
		return " (MPEG?)";
	case 0x55:
		return " (MP3?)";
	case 0xFF:
	case 0x1610:
		return " (AAC?)";
	case 0x674f:
	case 0x6750:
	case 0x6751:
		return " (Ogg Vorbis?)";
	case 0xF1AC:
		return " (FLAC?)";
	default:
		return "";
	}
}

/* WAVE_FORMAT_EXTENSIBLE: the real tag is the first two bytes of a GUID whose rest is fixed. */
static int extensible_tag(const unsigned char *f, uint32_t size, unsigned *tag, struct diag *d)
{
	static const unsigned char base[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
					       0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
	if (size < 40 || le16(f + 16) < 22) {
		diag_set(d, "WAV extensible format chunk of %u bytes is cut short (want 40)", size);
		return ERR_PARSE;
	}
	if (memcmp(f + 26, base, sizeof base)) {
		diag_set(d, "WAV extensible format of an unknown kind is not PCM 16-bit or float 32-bit");
		return ERR_PARSE;
	}
	*tag = le16(f + 24);
	return 0;
}

/* The "fmt " chunk's contents (f, size bytes, all there). */
static int parse_fmt(const unsigned char *f, uint32_t size, struct wav_in *w, struct diag *d)
{
	if (size < 16) {
		diag_set(d, "WAV format chunk of %u bytes; it needs at least 16", size);
		return ERR_PARSE;
	}
	unsigned tag = le16(f), ext = tag == WAVE_EXTENSIBLE;
	if (ext && extensible_tag(f, size, &tag, d))
		return ERR_PARSE;
	w->tag = tag;
	w->channels = le16(f + 2);
	w->rate = le32(f + 4);
	w->align = le16(f + 12);
	w->bits = le16(f + 14);
	if (tag != WAVE_PCM && tag != WAVE_FLOAT) {
		diag_set(d, "WAV format %u%s%s is not PCM 16-bit or float 32-bit", tag, ext ? " (extensible)" : "",
			 tag_hint(tag));
		return ERR_PARSE;
	}
	if (w->bits != (tag == WAVE_PCM ? 16u : 32u)) {
		diag_set(d, "WAV %s of %u bits is not PCM 16-bit or float 32-bit", tag == WAVE_PCM ? "PCM" : "float",
			 w->bits);
		return ERR_PARSE;
	}
	if (w->channels < 1 || w->channels > MAX_CHANNELS) {
		diag_set(d, "WAV of %u channels; a recording has 1 or 2", w->channels);
		return ERR_PARSE;
	}
	if (w->rate < MIN_RATE || w->rate > MAX_RATE) {
		diag_set(d, "WAV at %u Hz; a recording is %u to %u Hz", w->rate, MIN_RATE, MAX_RATE);
		return ERR_PARSE;
	}
	if (w->align != w->channels * w->bits / 8) {
		diag_set(d, "WAV blocks of %u bytes where %u channel(s) of %u bits take %u", w->align, w->channels,
			 w->bits, w->channels * w->bits / 8);
		return ERR_PARSE;
	}
	return 0;
}

/* The "data" chunk at c (its header is there): its samples must be, too, and come after the format. */
static int take_data(const unsigned char *c, size_t left, int have_fmt, struct wav_in *w, struct diag *d)
{
	uint32_t size = le32(c + 4);
	if (!have_fmt) {
		diag_set(d, "WAV data before its format chunk");
		return ERR_PARSE;
	}
	if (size > left - 8) {
		diag_set(d, "WAV data chunk runs past the end (%u bytes declared, %zu there)", size, left - 8);
		return ERR_PARSE;
	}
	w->data = c + 8;
	w->frames = size / w->align; /* a last partial frame, cut off mid-sample, is dropped */
	if (!w->frames) {
		diag_set(d, "nothing heard: the recording is empty (no samples)");
		return ERR_INVAL;
	}
	return 0;
}

/* The chunks from byte 12 on, within n (the RIFF size is not trusted), up to the data. */
static int parse_wav(const unsigned char *b, size_t n, struct wav_in *w, struct diag *d)
{
	int have_fmt = 0;
	for (size_t at = 12;;) {
		if (at >= n) {
			diag_set(d, "WAV has no %s chunk", have_fmt ? "data" : "format");
			return ERR_PARSE;
		}
		if (n - at < 8) {
			diag_set(d, "WAV chunk header cut short at byte %zu of %zu", at, n);
			return ERR_PARSE;
		}
		const unsigned char *c = b + at;
		if (!memcmp(c, "data", 4))
			return take_data(c, n - at, have_fmt, w, d);
		uint32_t size = le32(c + 4);
		if (size > n - at - 8) {
			char name[5];
			chunk_name(c, name);
			diag_set(d, "WAV chunk '%s' of %u bytes runs past the end (byte %zu of %zu)", name, size, at,
				 n);
			return ERR_PARSE;
		}
		if (!memcmp(c, "fmt ", 4)) {
			if (have_fmt++) {
				diag_set(d, "WAV has two format chunks");
				return ERR_PARSE;
			}
			int rc = parse_fmt(c + 8, size, w, d);
			if (rc)
				return rc;
		}
		/* At most n + 1 (the pad byte of a last odd chunk may be missing): the loop's test ends it. */
		at += 8 + (size_t)size + (size & 1);
	}
}

static int check_upload(const unsigned char *b, size_t n, struct wav_in *w, struct diag *d)
{
	memset(w, 0, sizeof *w);
	if (n > VOICE_MAX_INPUT) {
		diag_set(d, "upload of %zu bytes; at most %u MiB", n, VOICE_MAX_INPUT >> 20);
		return ERR_TOOBIG;
	}
	if (n < 12 || memcmp(b, "RIFF", 4) || memcmp(b + 8, "WAVE", 4)) {
		diag_set(d, "not a WAV recording (no RIFF/WAVE header)");
		return ERR_PARSE;
	}
	int rc = parse_wav(b, n, w, d);
	if (rc)
		return rc;
	if (w->frames > (size_t)VOICE_MAX_SECONDS * w->rate) {
		diag_set(d, "recording of %zu s; at most %d s", (w->frames + w->rate - 1) / w->rate, VOICE_MAX_SECONDS);
		return ERR_TOOBIG;
	}
	return 0;
}

/* One sample at p as a float in [-1, 1]; a float that is not a number (NaN, Inf) is silence. */
static float sample_at(const struct wav_in *w, const unsigned char *p)
{
	if (w->tag == WAVE_PCM) {
		int32_t v = (int32_t)le16(p);
		return (float)(v >= 32768 ? v - 65536 : v) / 32768.0f;
	}
	uint32_t u = le32(p);
	float f;
	memcpy(&f, &u, sizeof f);
	if (!isfinite(f))
		return 0.0f;
	return f > 1.0f ? 1.0f : f < -1.0f ? -1.0f : f;
}

/* The channels averaged: one float per frame (xmalloc'ed, w->frames of them). */
static float *mixdown(const struct wav_in *w)
{
	float *m = xmalloc(w->frames * sizeof *m);
	size_t step = w->bits / 8;
	for (size_t i = 0; i < w->frames; i++) {
		const unsigned char *p = w->data + i * w->align;
		float s = sample_at(w, p);
		if (w->channels == 2)
			s = 0.5f * (s + sample_at(w, p + step));
		m[i] = s;
	}
	return m;
}

/* ---- resampling ---- */

static double bessel_i0(double x)
{
	double sum = 1.0, term = 1.0, q = x * x / 4.0;
	for (int k = 1; k < 200 && term > 1e-12 * sum; k++) {
		term *= q / ((double)k * k);
		sum += term;
	}
	return sum;
}

/* sinc(x) times the Kaiser window, for x = j / SINC_STEPS from 0 to SINC_ZEROS (and one zero past it). */
static float *sinc_table(void)
{
	size_t len = SINC_ZEROS * SINC_STEPS + 2;
	float *h = xcalloc(len, sizeof *h);
	double norm = bessel_i0(SINC_BETA);
	for (size_t j = 0; j <= SINC_ZEROS * SINC_STEPS; j++) {
		double x = (double)j / SINC_STEPS, r = x / SINC_ZEROS;
		double s = j ? sin(M_PI * x) / (M_PI * x) : 1.0;
		h[j] = (float)(s * bessel_i0(SINC_BETA * sqrt(fmax(0.0, 1.0 - r * r))) / norm);
	}
	return h;
}

/* One output sample at input time t: the kernel, stretched by 1/scale, over the samples it reaches. */
static float sinc_at(const float *x, size_t n, const float *h, double t, double scale)
{
	double reach = SINC_ZEROS / scale, acc = 0.0;
	size_t lo = t > reach ? (size_t)ceil(t - reach) : 0;
	size_t hi = (size_t)floor(t + reach);
	if (hi > n - 1)
		hi = n - 1;
	for (size_t i = lo; i <= hi; i++) {
		double u = fabs(t - (double)i) * scale * SINC_STEPS;
		size_t j = (size_t)u;
		if (j >= SINC_ZEROS * SINC_STEPS)
			continue;
		double f = u - (double)j;
		acc += (double)x[i] * ((double)h[j] + f * ((double)h[j + 1] - (double)h[j]));
	}
	return (float)(acc * scale);
}

/* x (n samples at rate) at VOICE_RATE: *out_n samples, xmalloc'ed (at least one slot). */
static float *resample(const float *x, size_t n, unsigned rate, size_t *out_n)
{
	size_t m = (size_t)((uint64_t)n * VOICE_RATE / rate);
	float *y = xcalloc(m ? m : 1, sizeof *y);
	*out_n = m;
	if (rate == VOICE_RATE) {
		memcpy(y, x, m * sizeof *y);
		return y;
	}
	/* Downsampling narrows the kernel's band to the output's Nyquist; upsampling keeps the input's. */
	double scale = (rate > VOICE_RATE ? (double)VOICE_RATE / rate : 1.0) * SINC_ROLLOFF;
	float *h = sinc_table();
	for (size_t k = 0; k < m; k++) {
		uint64_t num = (uint64_t)k * rate; /* the exact instant: whole input samples and a fraction */
		double t = (double)(num / VOICE_RATE) + (double)(num % VOICE_RATE) / VOICE_RATE;
		y[k] = sinc_at(x, n, h, t, scale);
	}
	free(h);
	return y;
}

/* ---- silence and level ---- */

struct voiced {
	size_t from, to;	/* the part kept: [from, to) */
	double energy;		/* mean square of the voiced frames */
	double loudest;		/* the loudest frame's mean square */
};

/* Frame k of 10 ms: [frame_at(k), frame_at(k + 1)), 220 or 221 samples at 22050 Hz. */
static size_t frame_at(size_t k)
{
	return k * VOICE_RATE / FRAMES_PER_S;
}

static double frame_energy(const float *y, size_t a, size_t b)
{
	double e = 0.0;
	for (size_t i = a; i < b; i++)
		e += (double)y[i] * y[i];
	return b > a ? e / (double)(b - a) : 0.0;
}

/* The voiced frames (louder than -50 dBFS and than 35 dB under the loudest) and the margins around them. */
static int find_voice(const float *y, size_t m, struct voiced *v, struct diag *d)
{
	size_t nf = (m * FRAMES_PER_S + VOICE_RATE - 1) / VOICE_RATE;
	double *e = xcalloc(nf ? nf : 1, sizeof *e);
	memset(v, 0, sizeof *v);
	for (size_t k = 0; k < nf; k++) {
		size_t b = frame_at(k + 1) < m ? frame_at(k + 1) : m;
		e[k] = frame_energy(y, frame_at(k), b);
		if (e[k] > v->loudest)
			v->loudest = e[k];
	}
	double floor_db = fmax(VOICED_FLOOR_DB, db_pow(v->loudest) - VOICED_BELOW_LOUDEST_DB);
	double threshold = pow(10.0, floor_db / 10.0), sum = 0.0;
	size_t first = nf, last = 0, count = 0;
	for (size_t k = 0; k < nf; k++) {
		if (e[k] <= threshold)
			continue;
		size_t b = frame_at(k + 1) < m ? frame_at(k + 1) : m;
		first = first < k ? first : k;
		last = k;
		sum += e[k] * (double)(b - frame_at(k));
		count += b - frame_at(k);
	}
	free(e);
	if (first == nf) {
		diag_set(d, "nothing heard: the recording is silent (loudest %.0f dBFS)", db_pow(v->loudest));
		return ERR_INVAL;
	}
	size_t margin = ((size_t)VOICE_RATE * MARGIN_MS + 500) / 1000;
	size_t end = frame_at(last + 1) < m ? frame_at(last + 1) : m;
	v->from = frame_at(first) > margin ? frame_at(first) - margin : 0;
	v->to = m - end > margin ? end + margin : m;
	v->energy = sum / (double)count;
	return 0;
}

/* The gain (a factor) that puts the voice at -20 dBFS, held under +30 dB and a peak of -1 dBFS. */
static double level(const float *y, const struct voiced *v, unsigned *limited)
{
	double peak = 0.0;
	for (size_t i = v->from; i < v->to; i++)
		peak = fmax(peak, fabs((double)y[i]));
	double gain_db = TARGET_RMS_DB - db_pow(v->energy);
	*limited = 0;
	if (gain_db > MAX_GAIN_DB) {
		gain_db = MAX_GAIN_DB;
		*limited = VOICE_LIMIT_GAIN;
	}
	double g = pow(10.0, gain_db / 20.0);
	/* Whole counts under -1 dBFS, so rounding to 16 bits cannot carry the peak past it. */
	double most = floor(pow(10.0, MAX_PEAK_DB / 20.0) * 32768.0) / 32768.0;
	if (peak * g > most) {
		g = most / peak;
		*limited = VOICE_LIMIT_PEAK;
	}
	return g;
}

static int16_t to_s16(double s)
{
	double v = floor(s * 32768.0 + 0.5);
	return (int16_t)(v > 32767.0 ? 32767.0 : v < -32768.0 ? -32768.0 : v);
}

/* The canonical WAV: a 44-byte header (RIFF, "fmt " of 16 bytes, "data") and y[from, to) times g. Its peak. */
static double put_wav(struct buf *out, const float *y, const struct voiced *v, double g)
{
	size_t samples = v->to - v->from;
	uint32_t bytes = (uint32_t)(samples * 2);
	unsigned char h[HEADER];
	memcpy(h, "RIFF", 4);
	put32(h + 4, 36 + bytes);
	memcpy(h + 8, "WAVEfmt ", 8);
	put32(h + 16, 16);
	put16(h + 20, WAVE_PCM);
	put16(h + 22, 1);
	put32(h + 24, VOICE_RATE);
	put32(h + 28, VOICE_RATE * 2);
	put16(h + 32, 2);
	put16(h + 34, 16);
	memcpy(h + 36, "data", 4);
	put32(h + 40, bytes);
	buf_reserve(out, HEADER + (size_t)bytes);
	buf_append(out, h, HEADER);
	int peak = 0;
	for (size_t i = v->from; i < v->to; i++) {
		int16_t s = to_s16((double)y[i] * g);
		unsigned char p[2];
		put16(p, (uint16_t)s);
		buf_append(out, p, 2);
		peak = abs(s) > peak ? abs(s) : peak;
	}
	return db_amp(peak / 32768.0);
}

static unsigned ms(size_t samples, unsigned rate)
{
	return (unsigned)(((uint64_t)samples * 1000 + rate / 2) / rate);
}

int voice_prepare(const void *in, size_t n, struct buf *out, struct voice_info *info, struct diag *d)
{
	struct wav_in w;
	int rc = check_upload(in, n, &w, d);
	if (rc)
		return rc;
	float *mono = mixdown(&w);
	size_t m;
	float *y = resample(mono, w.frames, w.rate, &m);
	free(mono);
	struct voiced v;
	if ((rc = find_voice(y, m, &v, d))) {
		free(y);
		return rc;
	}
	struct voice_info i = {.in_rate = w.rate, .in_channels = w.channels, .in_bits = w.bits};
	double g = level(y, &v, &i.limited);
	i.peak_dbfs = put_wav(out, y, &v, g);
	free(y);
	i.gain_db = 20.0 * log10(g);
	i.rms_dbfs = db_pow(v.energy * g * g);
	i.in_ms = ms(w.frames, w.rate);
	i.out_ms = ms(v.to - v.from, VOICE_RATE);
	i.lead_ms = ms(v.from, VOICE_RATE);
	i.tail_ms = ms(m - v.to, VOICE_RATE);
	log_info("voice_prepared rate=%u channels=%u bits=%u in_ms=%u out_ms=%u gain_db=%.1f limited=%u", i.in_rate,
		 i.in_channels, i.in_bits, i.in_ms, i.out_ms, i.gain_db, i.limited);
	if (info)
		*info = i;
	return 0;
}

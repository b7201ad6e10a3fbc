/*
 * Tests for voice prompts (sync/center/voice.h): recordings synthesized
 * here, as browsers write them (48 kHz stereo float, 44.1 kHz mono 16-bit,
 * WAVE_FORMAT_EXTENSIBLE, extra chunks), go in; what comes out must be a
 * WAV the kiosk takes, 22050 Hz mono 16-bit, trimmed to the voice and
 * 150 ms either side, at -20 dBFS, the tone still 440 Hz, nothing above
 * 11 kHz folded back into the band. Broken, silent and too long uploads
 * are refused with a reason and nothing written.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contentpack.h"
#include "testlib.h"
#include "voice.h"

enum fmt { PCM16, FLOAT32, EXT_PCM16, EXT_FLOAT32 };

/* RMS in dBFS (full scale 1.0) to a sine's amplitude. */
static double sine_amp(double rms_db)
{
	return sqrt(2.0) * pow(10.0, rms_db / 20.0);
}

/* ---- making uploads ---- */

static void put16(struct buf *b, unsigned v)
{
	unsigned char p[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
	buf_append(b, p, 2);
}

static void put32(struct buf *b, uint32_t v)
{
	put16(b, v & 0xffff);
	put16(b, v >> 16);
}

static void put_float(struct buf *b, float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	put32(b, u);
}

static void put_sample(struct buf *b, enum fmt f, double s)
{
	if (f == FLOAT32 || f == EXT_FLOAT32) {
		put_float(b, (float)s);
		return;
	}
	double v = isfinite(s) ? floor(s * 32768.0 + 0.5) : 0;
	v = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
	put16(b, (unsigned)(int)v & 0xffff);
}

/* The "fmt " chunk: plain (16 bytes) or extensible (40, with the subformat's GUID). */
static void put_fmt(struct buf *b, unsigned rate, unsigned ch, enum fmt f)
{
	int ext = f == EXT_PCM16 || f == EXT_FLOAT32, flt = f == FLOAT32 || f == EXT_FLOAT32;
	unsigned bits = flt ? 32 : 16, align = ch * bits / 8;
	buf_append(b, "fmt ", 4);
	put32(b, ext ? 40 : 16);
	put16(b, ext ? 0xFFFE : flt ? 3 : 1);
	put16(b, ch);
	put32(b, rate);
	put32(b, rate * align);
	put16(b, align);
	put16(b, bits);
	if (!ext)
		return;
	put16(b, 22);
	put16(b, bits);
	put32(b, ch == 1 ? 4 : 3); /* channel mask: centre, or left and right */
	put16(b, flt ? 3 : 1);
	buf_append(b, "\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71", 14);
}

/*
 * A WAV of the mono signal x (n samples); stereo carries 1.5x left and
 * 0.5x right, so only their average is x. extra: a "LIST" chunk of odd size
 * (and its pad byte) before "fmt " and a "fact" chunk after it.
 */
static void make_wav(struct buf *b, unsigned rate, unsigned ch, enum fmt f, const double *x, size_t n, int extra)
{
	unsigned bits = f == FLOAT32 || f == EXT_FLOAT32 ? 32 : 16;
	buf_init(b);
	buf_append(b, "RIFF\0\0\0\0WAVE", 12);
	if (extra) {
		buf_append(b, "LIST\x05\0\0\0INFOx\0", 14);
	}
	put_fmt(b, rate, ch, f);
	if (extra) {
		buf_append(b, "fact", 4);
		put32(b, 4);
		put32(b, (uint32_t)n);
	}
	buf_append(b, "data", 4);
	put32(b, (uint32_t)(n * ch * bits / 8));
	for (size_t i = 0; i < n; i++) {
		put_sample(b, f, ch == 2 ? 1.5 * x[i] : x[i]);
		if (ch == 2)
			put_sample(b, f, 0.5 * x[i]);
	}
	uint32_t riff = (uint32_t)(b->len - 8);
	unsigned char p[4] = {(unsigned char)riff, (unsigned char)(riff >> 8), (unsigned char)(riff >> 16),
			      (unsigned char)(riff >> 24)};
	memcpy(b->data + 4, p, 4);
}

/*
 * quiet_s of silence, tone_s of a sine (RMS rms_db) at hz plus, if hz2,
 * another at hz2 (rms2_db), quiet_s again. The tones fade in and out over
 * 10 ms: an abrupt start is a click, heard across the whole band.
 */
static double *prompt(unsigned rate, double quiet_s, double tone_s, double hz, double rms_db, double hz2,
		      double rms2_db, size_t *n)
{
	size_t q = (size_t)(quiet_s * rate + 0.5), t = (size_t)(tone_s * rate + 0.5);
	*n = 2 * q + t;
	double *x = xcalloc(*n, sizeof *x);
	for (size_t i = 0; i < t; i++) {
		double s = (double)i / rate, edge = fmin(s, tone_s - s) / 0.01;
		x[q + i] = sine_amp(rms_db) * sin(2 * M_PI * hz * s);
		if (hz2 > 0)
			x[q + i] += sine_amp(rms2_db) * sin(2 * M_PI * hz2 * s);
		if (edge < 1)
			x[q + i] *= 0.5 - 0.5 * cos(M_PI * edge);
	}
	return x;
}

/* ---- reading what came out ---- */

struct out {
	double *s; /* samples, full scale 1.0 */
	size_t n;
};

static unsigned get16(const char *p)
{
	return (unsigned)(unsigned char)p[0] | (unsigned)(unsigned char)p[1] << 8;
}

static uint32_t get32(const char *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

/* The canonical header, byte for byte, and the kiosk's own check; the samples. 0 if it is not all so. */
static int read_out(const struct buf *b, struct out *o)
{
	struct diag d = {""};
	memset(o, 0, sizeof *o);
	int rc = content_wav_check(b->data, b->len, &d);
	if (rc)
		t_fail(__FILE__, __LINE__, "content_wav_check: %s", d.msg);
	CHECK(b->len <= CONTENT_MAX_AUDIO);
	if (rc || b->len < 44 || memcmp(b->data, "RIFF", 4) || memcmp(b->data + 8, "WAVEfmt ", 8) ||
	    memcmp(b->data + 36, "data", 4))
		return 0;
	CHECK_INT(get32(b->data + 16), 16);
	CHECK_INT(get16(b->data + 20), 1);
	CHECK_INT(get16(b->data + 22), 1);
	CHECK_INT(get32(b->data + 24), 22050);
	CHECK_INT(get32(b->data + 28), 44100);
	CHECK_INT(get16(b->data + 32), 2);
	CHECK_INT(get16(b->data + 34), 16);
	CHECK_INT(get32(b->data + 40), b->len - 44);
	o->n = (b->len - 44) / 2;
	o->s = xcalloc(o->n + 1, sizeof *o->s);
	for (size_t i = 0; i < o->n; i++) {
		int v = (int)get16(b->data + 44 + 2 * i);
		o->s[i] = (v >= 32768 ? v - 65536 : v) / 32768.0;
	}
	return 1;
}

static double rms_db(const struct out *o, size_t a, size_t b)
{
	double e = 0;
	for (size_t i = a; i < b; i++)
		e += o->s[i] * o->s[i];
	return 10 * log10(e / (double)(b - a) + 1e-30);
}

static double peak_db(const struct out *o)
{
	double p = 0;
	for (size_t i = 0; i < o->n; i++)
		p = fmax(p, fabs(o->s[i]));
	return 20 * log10(p + 1e-30);
}

/* The tone's frequency from its zero crossings over [a, b). */
static double crossings_hz(const struct out *o, size_t a, size_t b)
{
	size_t c = 0;
	for (size_t i = a + 1; i < b; i++)
		c += (o->s[i - 1] < 0) != (o->s[i] < 0);
	return (double)c / 2.0 / ((double)(b - a) / 22050.0);
}

/* The amplitude of the component at hz over [a, b) (Hann-windowed DFT at one frequency). */
static double tone_amp(const struct out *o, size_t a, size_t b, double hz)
{
	double re = 0, im = 0, wsum = 0;
	for (size_t i = a; i < b; i++) {
		double w = 0.5 - 0.5 * cos(2 * M_PI * (double)(i - a) / (double)(b - a - 1));
		re += w * o->s[i] * cos(2 * M_PI * hz * (double)i / 22050.0);
		im += w * o->s[i] * sin(2 * M_PI * hz * (double)i / 22050.0);
		wsum += w;
	}
	return 2 * sqrt(re * re + im * im) / wsum;
}

/* ---- cases ---- */

/* The upload's voice, tone_s long, is what comes out, with 150 ms either side, at -20 dBFS and 440 Hz. */
static void check_prompt(const char *what, const struct buf *in, double tone_s, struct voice_info *info,
			 struct out *o)
{
	struct buf out;
	struct diag d = {""};
	buf_init(&out);
	memset(info, 0, sizeof *info);
	int rc = voice_prepare(in->data, in->len, &out, info, &d);
	if (rc)
		t_fail(__FILE__, __LINE__, "%s: %s (%s)", what, err_name(rc), d.msg);
	if (rc || !read_out(&out, o)) {
		buf_finish(&out);
		memset(o, 0, sizeof *o);
		return;
	}
	buf_finish(&out);
	double dur = (double)o->n / 22050.0, want = tone_s + 0.3;
	if (fabs(dur - want) > 0.03)
		t_fail(__FILE__, __LINE__, "%s: %.3f s out, want %.3f", what, dur, want);
	if (dur < 0.4)
		return;
	CHECK(abs((int)info->out_ms - (int)(dur * 1000 + 0.5)) <= 1);
	CHECK(abs((int)(info->lead_ms + info->out_ms + info->tail_ms) - (int)info->in_ms) <= 3);
	/* The tone's middle: past the margin and a frame of its edges. */
	size_t a = (size_t)(0.17 * 22050), b = o->n - (size_t)(0.17 * 22050);
	double hz = crossings_hz(o, a, b), peak = peak_db(o), rms = rms_db(o, a, b);
	if (fabs(hz - 440) > 440 * 0.02)
		t_fail(__FILE__, __LINE__, "%s: tone at %.1f Hz, want 440", what, hz);
	if (peak > -1.0)
		t_fail(__FILE__, __LINE__, "%s: peak %.2f dBFS, over -1", what, peak);
	CHECK(fabs(peak - info->peak_dbfs) < 0.01);
	if (!info->limited && fabs(rms + 20) > 1)
		t_fail(__FILE__, __LINE__, "%s: voice at %.2f dBFS RMS, want -20", what, rms);
	CHECK(fabs(rms - info->rms_dbfs) < 0.5);
}

static void test_browser_float(void)
{
	size_t n;
	double *x = prompt(48000, 1.0, 0.8, 440, -30, 0, 0, &n);
	struct buf in;
	make_wav(&in, 48000, 2, FLOAT32, x, n, 1);
	struct voice_info info;
	struct out o;
	check_prompt("48 kHz stereo float", &in, 0.8, &info, &o);
	CHECK_INT(info.in_rate, 48000);
	CHECK_INT(info.in_channels, 2);
	CHECK_INT(info.in_bits, 32);
	CHECK_INT(info.in_ms, 2800);
	CHECK(abs((int)info.lead_ms - 850) <= 15 && abs((int)info.tail_ms - 850) <= 15);
	CHECK_INT(info.limited, 0);
	/* The average of the channels is at -30 dBFS: +10 dB (the left alone would need +6.5). */
	if (fabs(info.gain_db - 10) > 0.3)
		t_fail(__FILE__, __LINE__, "gain %.2f dB, want +10", info.gain_db);
	free(o.s);
	buf_finish(&in);
	free(x);
}

static void test_pcm16_and_extensible(void)
{
	size_t n;
	double *x = prompt(44100, 1.0, 0.8, 440, -30, 0, 0, &n);
	static const struct {
		unsigned rate, ch;
		enum fmt f;
		const char *what;
	} cases[] = {
		{44100, 1, PCM16, "44.1 kHz mono 16-bit"},
		{44100, 2, EXT_PCM16, "44.1 kHz stereo extensible 16-bit"},
		{44100, 1, EXT_FLOAT32, "44.1 kHz mono extensible float"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf in;
		struct voice_info info;
		struct out o;
		make_wav(&in, cases[i].rate, cases[i].ch, cases[i].f, x, n, (int)i == 1);
		check_prompt(cases[i].what, &in, 0.8, &info, &o);
		CHECK_INT(info.in_rate, cases[i].rate);
		CHECK_INT(info.in_channels, cases[i].ch);
		CHECK_INT(info.in_bits, cases[i].f == EXT_FLOAT32 ? 32 : 16);
		free(o.s);
		buf_finish(&in);
	}
	free(x);
}

/* The ends of the range of rates: upsampled from 8 kHz, downsampled from 96 kHz; 22050 copied. */
static void test_rates(void)
{
	static const unsigned rates[] = {8000, 16000, 22050, 96000};
	for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
		size_t n;
		double *x = prompt(rates[i], 0.5, 1.2, 440, -26, 0, 0, &n);
		struct buf in;
		struct voice_info info;
		struct out o;
		char what[32];
		snprintf(what, sizeof what, "%u Hz", rates[i]);
		make_wav(&in, rates[i], 1, rates[i] == 96000 ? FLOAT32 : PCM16, x, n, 0);
		check_prompt(what, &in, 1.2, &info, &o);
		free(o.s);
		buf_finish(&in);
		free(x);
	}
}

/*
 * A 12 kHz tone at 48 kHz is above the output's Nyquist (11025 Hz): a
 * resampler without a real low-pass folds it to 22050 - 12000 = 10050 Hz.
 * Beside a 440 Hz tone of the same level, it must come out 60 dB under it;
 * alone, it must leave nothing to hear.
 */
static void test_no_aliasing(void)
{
	size_t n;
	double *x = prompt(48000, 1.0, 0.8, 440, -20, 12000, -20, &n);
	struct buf in;
	struct voice_info info;
	struct out o;
	make_wav(&in, 48000, 1, FLOAT32, x, n, 0);
	check_prompt("440 Hz and 12 kHz", &in, 0.8, &info, &o);
	if (o.s) {
		size_t a = (size_t)(0.17 * 22050), b = o.n - a;
		double tone = tone_amp(&o, a, b, 440), alias = tone_amp(&o, a, b, 10050);
		double below = 20 * log10(tone / (alias + 1e-30));
		if (below < 60)
			t_fail(__FILE__, __LINE__, "10050 Hz only %.1f dB under the tone", below);
		/* The measure itself sees a tone that is there: 440 Hz at -20 dBFS RMS is 0.14 in amplitude. */
		CHECK(fabs(tone - sine_amp(-20)) < 0.02);
	}
	free(o.s);
	buf_finish(&in);
	free(x);

	x = prompt(48000, 1.0, 0.8, 12000, -10, 0, 0, &n);
	make_wav(&in, 48000, 1, FLOAT32, x, n, 0);
	struct buf out;
	struct diag d = {""};
	buf_init(&out);
	CHECK_INT(voice_prepare(in.data, in.len, &out, &info, &d), ERR_INVAL);
	const char *at = strstr(d.msg, "loudest ");
	CHECK(strstr(d.msg, "nothing heard: the recording is silent") != NULL);
	if (!at || strtod(at + 8, NULL) > -60)
		t_fail(__FILE__, __LINE__, "a 12 kHz tone at -10 dBFS after resampling: %s", d.msg);
	CHECK_INT(out.len, 0);
	buf_finish(&out);
	buf_finish(&in);
	free(x);
}

/* Clipped, with NaN and Inf in it: leveled all the same, never past -1 dBFS. */
static void test_loud(void)
{
	size_t n;
	double *x = prompt(48000, 1.0, 0.8, 440, 12, 0, 0, &n); /* amplitude 5.6: clipped flat */
	x[48000 + 100] = NAN;
	x[48000 + 200] = INFINITY;
	x[48000 + 300] = -INFINITY;
	x[10] = NAN;
	struct buf in;
	struct voice_info info;
	struct out o;
	make_wav(&in, 48000, 1, FLOAT32, x, n, 0);
	check_prompt("clipped float", &in, 0.8, &info, &o);
	CHECK(info.gain_db < -15);
	free(o.s);
	buf_finish(&in);
	free(x);
	x = prompt(44100, 1.0, 0.8, 440, 12, 0, 0, &n);
	make_wav(&in, 44100, 2, PCM16, x, n, 0); /* 16-bit: clamped when written */
	check_prompt("clipped 16-bit", &in, 0.8, &info, &o);
	free(o.s);
	buf_finish(&in);
	free(x);
}

/* A quiet voice with a loud burst: its peak holds the gain back (said in info, not an error). */
static void test_peak_limit(void)
{
	size_t n;
	double *x = prompt(44100, 1.0, 0.8, 440, -40, 0, 0, &n);
	for (size_t i = 44100 + 17640; i < 44100 + 17640 + 220; i++) /* 5 ms at 0.3 (-10.5 dBFS peak) */
		x[i] *= 0.3 / sine_amp(-40);
	struct buf in;
	struct voice_info info;
	struct out o;
	make_wav(&in, 44100, 1, PCM16, x, n, 0);
	check_prompt("a loud burst", &in, 0.8, &info, &o);
	CHECK_INT(info.limited, VOICE_LIMIT_PEAK);
	CHECK(info.peak_dbfs <= -1.0 && info.peak_dbfs > -1.1);
	CHECK(info.rms_dbfs < -23); /* the voice at -34 dBFS, the burst's peak at -10.5: +9.5 dB, not +14 */
	free(o.s);
	buf_finish(&in);
	free(x);

	/* Quiet but voiced (-45 dBFS): +25 dB, no limit. */
	x = prompt(44100, 1.0, 0.8, 440, -45, 0, 0, &n);
	make_wav(&in, 44100, 1, PCM16, x, n, 0);
	check_prompt("quiet", &in, 0.8, &info, &o);
	CHECK_INT(info.limited, 0);
	CHECK(fabs(info.gain_db - 25) < 0.5);
	free(o.s);
	buf_finish(&in);
	free(x);
}

/* d says want; nothing was written. */
static void refused(int line, const struct buf *in, int code, const char *want)
{
	struct buf out;
	struct diag d = {""};
	struct voice_info info;
	buf_init(&out);
	int rc = voice_prepare(in->data, in->len, &out, &info, &d);
	t_checks++;
	if (rc != code || !strstr(d.msg, want))
		t_fail(__FILE__, line, "got %s \"%s\", want %s \"%s\"", err_name(rc), d.msg, err_name(code), want);
	CHECK_INT(out.len, 0);
	buf_finish(&out);
}

static void test_silence_and_length(void)
{
	size_t n = 3 * 48000;
	double *x = xcalloc(n, sizeof *x);
	struct buf in;
	make_wav(&in, 48000, 1, PCM16, x, n, 0);
	refused(__LINE__, &in, ERR_INVAL, "nothing heard: the recording is silent (loudest -120 dBFS)");
	buf_finish(&in);
	uint32_t seed = 1;
	/* Uniform noise at -60 dBFS RMS (the 16-bit floor is -101); the low-pass to 9.9 kHz keeps 41% of its power. */
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1664525u + 1013904223u;
		x[i] = ((double)seed / 4294967296.0 - 0.5) * sqrt(12.0) * pow(10, -60 / 20.0);
	}
	make_wav(&in, 48000, 1, PCM16, x, n, 0);
	struct buf out;
	struct diag d = {""};
	buf_init(&out);
	CHECK_INT(voice_prepare(in.data, in.len, &out, NULL, &d), ERR_INVAL);
	const char *at = strstr(d.msg, "nothing heard: the recording is silent (loudest ");
	double loudest = at ? strtod(at + strlen("nothing heard: the recording is silent (loudest "), NULL) : 0;
	if (loudest < -66 || loudest > -61)
		t_fail(__FILE__, __LINE__, "noise at -60 dBFS: %s", d.msg);
	CHECK_INT(out.len, 0);
	buf_finish(&out);
	buf_finish(&in);
	free(x);

	/* 60 s is taken, 61 s is not. */
	x = prompt(8000, 29.6, 0.8, 440, -30, 0, 0, &n);
	CHECK_INT(n, 60 * 8000);
	struct voice_info info;
	struct out o;
	make_wav(&in, 8000, 1, PCM16, x, n, 0);
	check_prompt("60 s", &in, 0.8, &info, &o);
	CHECK_INT(info.in_ms, 60000);
	free(o.s);
	buf_finish(&in);
	free(x);
	x = prompt(8000, 30.1, 0.8, 440, -30, 0, 0, &n);
	make_wav(&in, 8000, 1, PCM16, x, n, 0);
	refused(__LINE__, &in, ERR_TOOBIG, "recording of 61 s; at most 60 s");
	buf_finish(&in);
	free(x);
}

/* Set the 16 or 32 bits at byte at of b (little-endian). */
static void set(struct buf *b, size_t at, uint32_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		b->data[at + i] = (char)(v >> (8 * i));
}

/* A copy of good with one field changed. */
static void patched(struct buf *b, const struct buf *good, size_t at, uint32_t v, int bytes)
{
	buf_init(b);
	buf_append(b, good->data, good->len);
	set(b, at, v, bytes);
}

static void test_broken(void)
{
	size_t n;
	double *x = prompt(16000, 0.2, 0.3, 440, -30, 0, 0, &n);
	struct buf good, b;
	make_wav(&good, 16000, 1, PCM16, x, n, 0); /* fmt at 12, data at 36, samples from 44 */
	free(x);
	struct diag d;
	/* Every cut of it is refused or (past the data's header, whole samples) read as far as it goes. */
	for (size_t len = 0; len < good.len; len++) {
		struct buf out;
		buf_init(&out);
		int rc = voice_prepare(good.data, len, &out, NULL, &d);
		CHECK(rc == ERR_PARSE || rc == ERR_INVAL);
		CHECK_INT(out.len, 0);
		buf_finish(&out);
	}
	b = good;
	b.len = good.len - 1000;
	refused(__LINE__, &b, ERR_PARSE, "WAV data chunk runs past the end (");
	b.len = 20;
	refused(__LINE__, &b, ERR_PARSE, "WAV chunk 'fmt ' of 16 bytes runs past the end (byte 12 of 20)");
	b.len = 40;
	refused(__LINE__, &b, ERR_PARSE, "WAV chunk header cut short at byte 36 of 40");
	b.len = 36;
	refused(__LINE__, &b, ERR_PARSE, "WAV has no data chunk");

	static const struct {
		size_t at;
		uint32_t v;
		int bytes, code;
		const char *want;
	} cases[] = {
		{0, 0x58464952, 4, ERR_PARSE, "not a WAV recording (no RIFF/WAVE header)"}, /* RIFX */
		{8, 0x45564157 + 1, 4, ERR_PARSE, "not a WAV recording (no RIFF/WAVE header)"},
		{20, 85, 2, ERR_PARSE, "WAV format 85 (MP3?) is not PCM 16-bit or float 32-bit"},
		{20, 2, 2, ERR_PARSE, "WAV format 2 (ADPCM?) is not PCM 16-bit or float 32-bit"},
		{20, 0x1234, 2, ERR_PARSE, "WAV format 4660 is not PCM 16-bit or float 32-bit"},
		{20, 3, 2, ERR_PARSE, "WAV float of 16 bits is not PCM 16-bit or float 32-bit"},
		{34, 24, 2, ERR_PARSE, "WAV PCM of 24 bits is not PCM 16-bit or float 32-bit"},
		{34, 8, 2, ERR_PARSE, "WAV PCM of 8 bits"},
		{22, 3, 2, ERR_PARSE, "WAV of 3 channels; a recording has 1 or 2"},
		{22, 0, 2, ERR_PARSE, "WAV of 0 channels"},
		{24, 0, 4, ERR_PARSE, "WAV at 0 Hz; a recording is 8000 to 96000 Hz"},
		{24, 7999, 4, ERR_PARSE, "WAV at 7999 Hz"},
		{24, 96001, 4, ERR_PARSE, "WAV at 96001 Hz"},
		{24, 0xffffffff, 4, ERR_PARSE, "WAV at 4294967295 Hz"},
		{32, 4, 2, ERR_PARSE, "WAV blocks of 4 bytes where 1 channel(s) of 16 bits take 2"},
		{16, 0xfffffff0, 4, ERR_PARSE, "WAV chunk 'fmt ' of 4294967280 bytes runs past the end (byte 12"},
		{16, 12, 4, ERR_PARSE, "WAV format chunk of 12 bytes; it needs at least 16"},
		{40, 0xffffffff, 4, ERR_PARSE, "WAV data chunk runs past the end (4294967295 bytes declared"},
		{40, 1, 4, ERR_INVAL, "nothing heard: the recording is empty (no samples)"},
		{12, 0x61746164, 4, ERR_PARSE, "WAV data before its format chunk"},   /* "data" where "fmt " was */
		{36, 0x20746d66, 4, ERR_PARSE, "WAV has two format chunks"},	     /* "fmt " where "data" was */
		{12, 0x544b4e4a, 4, ERR_PARSE, "WAV data before its format chunk"}, /* "JNKT": skipped, so no fmt */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		patched(&b, &good, cases[i].at, cases[i].v, cases[i].bytes);
		refused(__LINE__, &b, cases[i].code, cases[i].want);
		buf_finish(&b);
	}
	/* An unknown chunk's name is quoted only when it is printable. */
	patched(&b, &good, 12, 0x544b4e4a, 4);
	set(&b, 16, 0x7fffffff, 4);
	refused(__LINE__, &b, ERR_PARSE, "WAV chunk 'JNKT' of 2147483647 bytes runs past the end (byte 12 of");
	buf_finish(&b);
	patched(&b, &good, 12, 0x00ff0102, 4);
	set(&b, 16, 0x7fffffff, 4);
	refused(__LINE__, &b, ERR_PARSE, "WAV chunk '\?\?\?\?' of 2147483647 bytes");
	buf_finish(&b);
	buf_finish(&good);
}

/* Extensible of an unknown subformat, or cut short; three channels as browsers do not send; over 32 MiB. */
static void test_broken_extensible(void)
{
	double x[400] = {0};
	struct buf b;
	make_wav(&b, 48000, 2, EXT_FLOAT32, x, 400, 0); /* fmt at 12, its GUID at 44 */
	b.data[44] = 0x55;
	refused(__LINE__, &b, ERR_PARSE, "WAV format 85 (extensible) (MP3?) is not PCM 16-bit or float 32-bit");
	b.data[44] = 3;
	b.data[50] = 0x11;
	refused(__LINE__, &b, ERR_PARSE, "WAV extensible format of an unknown kind is not PCM 16-bit or float 32-bit");
	buf_finish(&b);
	make_wav(&b, 48000, 2, EXT_FLOAT32, x, 400, 0);
	b.data[36] = 21; /* cbSize */
	refused(__LINE__, &b, ERR_PARSE, "WAV extensible format chunk of 40 bytes is cut short (want 40)");
	buf_finish(&b);

	make_wav(&b, 48000, 1, FLOAT32, x, 400, 0); /* a float fmt chunk: float of 32 bits */
	b.data[22] = 3;				     /* three channels */
	b.data[32] = 12;			     /* blocks of 12 bytes */
	refused(__LINE__, &b, ERR_PARSE, "WAV of 3 channels; a recording has 1 or 2");
	buf_finish(&b);

	size_t big = (32u << 20) + 1;
	char *huge = xcalloc(big, 1);
	memcpy(huge, "RIFF\xff\xff\xff\x01WAVE", 12);
	struct buf out;
	struct diag d = {""};
	buf_init(&out);
	CHECK_INT(voice_prepare(huge, big, &out, NULL, &d), ERR_TOOBIG);
	CHECK_STR(d.msg, "upload of 33554433 bytes; at most 32 MiB");
	CHECK_INT(out.len, 0);
	buf_finish(&out);
	free(huge);
}

/* A WAV whose data chunk ends without its pad byte, with chunks after it, and an odd last chunk unpadded. */
static void test_lenient(void)
{
	size_t n;
	double *x = prompt(22050, 0.5, 0.8, 440, -30, 0, 0, &n);
	struct buf in;
	struct voice_info info;
	struct out o;
	make_wav(&in, 22050, 1, PCM16, x, n, 1);
	memcpy(in.data + 4, "\0\0\0\0", 4); /* a streamed recording's RIFF size, never filled in */
	buf_append(&in, "\x01\x02\x03", 3);    /* bytes after the data: not read */
	check_prompt("trailing bytes", &in, 0.8, &info, &o);
	free(o.s);
	set(&in, 12 + 14 + 24 + 12 + 4, (uint32_t)(n * 2 - 1), 4); /* the data's size: the last sample cut in half */
	check_prompt("half a sample", &in, 0.8, &info, &o);
	CHECK_INT(info.in_ms, 1800);
	free(o.s);
	buf_finish(&in);
	free(x);
}

int main(void)
{
	test_browser_float();
	test_pcm16_and_extensible();
	test_rates();
	test_no_aliasing();
	test_loud();
	test_peak_limit();
	test_silence_and_length();
	test_broken();
	test_broken_extensible();
	test_lenient();
	return t_done("voice_test");
}

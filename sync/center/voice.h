/* sync/center/voice: a voice prompt recorded in the office's browser, made into the recording a kiosk plays. */
#ifndef SPEAN_CENTER_VOICE_H
#define SPEAN_CENTER_VOICE_H

#include <stddef.h>

#include "err.h"
#include "mem.h"

#define VOICE_MAX_INPUT (32u << 20) /* bytes of an upload */
#define VOICE_MAX_SECONDS 60	    /* of audio in an upload */
#define VOICE_RATE 22050	    /* Hz of what comes out: 16-bit mono PCM */

/* Why the gain is not the one that puts the voice at -20 dBFS (voice_info.limited). */
#define VOICE_LIMIT_PEAK 1u /* the loudest sample would have gone past -1 dBFS */
#define VOICE_LIMIT_GAIN 2u /* it would have needed more than +30 dB */

/*
 * What voice_prepare read and did. Levels in dBFS are 20*log10 against a
 * full scale of 1.0 (a full-scale sine's RMS is -3 dBFS); -120 stands for
 * digital silence. in_bits is 16 or 32 (float).
 *   in_ms, out_ms      length of the upload and of the prompt made from it
 *   lead_ms, tail_ms   silence cut from its start and from its end
 *   gain_db            the gain applied (negative: made quieter)
 *   peak_dbfs          the prompt's loudest sample (at most -1)
 *   rms_dbfs           the voiced part's RMS in the prompt (-20 unless limited)
 *   limited            VOICE_LIMIT_* bits: the gain was held back (not an error)
 */
struct voice_info {
	unsigned in_rate, in_channels, in_bits;
	unsigned in_ms, out_ms, lead_ms, tail_ms;
	double gain_db, peak_dbfs;
	double rms_dbfs;
	unsigned limited;
};

/*
 * A browser's recording (RIFF/WAVE) into the kiosk's prompt: 16-bit mono
 * 22050 Hz PCM WAV, silence trimmed, leveled. 0 or ERR_* with d set.
 *
 * In: in[0..n), untrusted. RIFF/WAVE whose "fmt " chunk is PCM 16-bit
 * (tag 1), IEEE float 32-bit (tag 3) or WAVE_FORMAT_EXTENSIBLE of either;
 * 1 or 2 channels; 8000 to 96000 Hz; other chunks, in any order before
 * "data", are skipped; at most VOICE_MAX_INPUT bytes and VOICE_MAX_SECONDS
 * of audio. The RIFF size field is not trusted (streamed recordings leave
 * it wrong): the chunks are walked within n.
 *
 * Out: the prompt, a canonical 44-byte-header WAV that content_wav_check
 * accepts, appended to out (which the caller has buf_init'ed and owns);
 * nothing is appended on failure. info (may be NULL) is filled on success.
 *
 * Errors: ERR_PARSE (not a WAV, a format not taken, a chunk that runs past
 * the end), ERR_TOOBIG (over 32 MiB or 60 s), ERR_INVAL (nothing heard:
 * silence or noise only). d says what, in plain words. Pure and
 * thread-safe: no state kept between calls. CPU-bound (the resampler):
 * 60 s at 96 kHz takes about 1 s at -O2 (4 s in the sanitized debug
 * build), so it runs on a request's thread, never on an event loop.
 */
int voice_prepare(const void *in, size_t n, struct buf *out, struct voice_info *info, struct diag *d);

#endif

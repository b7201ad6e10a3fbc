/* Fuzz target for voice prompts uploaded from the office's browser (sync/center/voice.h): whatever the upload,
 * a refusal with a reason and nothing written, or a WAV the kiosk takes, 22050 Hz mono 16-bit, never past -1 dBFS. */
#include <stdint.h>
#include <string.h>

#include "contentpack.h"
#include "fuzz_check.h"
#include "voice.h"

static uint32_t get(const char *p, int bytes)
{
	uint32_t v = 0;
	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | (unsigned char)p[i];
	return v;
}

/* What came out: the canonical header and the kiosk's own check. */
static void check_out(const struct buf *out, const struct voice_info *i)
{
	struct diag d = {""};
	FUZZ_CHECK(out->len > 44 && out->len <= CONTENT_MAX_AUDIO);
	FUZZ_CHECK(content_wav_check(out->data, out->len, &d) == 0);
	FUZZ_CHECK(!memcmp(out->data, "RIFF", 4) && !memcmp(out->data + 8, "WAVEfmt ", 8));
	FUZZ_CHECK(get(out->data + 16, 4) == 16 && get(out->data + 20, 2) == 1 && get(out->data + 22, 2) == 1);
	FUZZ_CHECK(get(out->data + 24, 4) == VOICE_RATE && get(out->data + 34, 2) == 16);
	FUZZ_CHECK(!memcmp(out->data + 36, "data", 4) && get(out->data + 40, 4) == out->len - 44);
	int peak = 0;
	for (size_t k = 44; k + 1 < out->len; k += 2) {
		int s = (int)get(out->data + k, 2);
		s = s >= 32768 ? 65536 - s : s;
		peak = s > peak ? s : peak;
	}
	FUZZ_CHECK(peak <= 29204); /* -1 dBFS is 29204.5 counts */
	FUZZ_CHECK(i->peak_dbfs <= -1.0);
	FUZZ_CHECK(i->in_channels >= 1 && i->in_channels <= 2 && (i->in_bits == 16 || i->in_bits == 32));
	FUZZ_CHECK(i->in_rate >= 8000 && i->in_rate <= 96000);
	FUZZ_CHECK(i->in_ms <= VOICE_MAX_SECONDS * 1000 && i->out_ms <= i->in_ms + 1);
	FUZZ_CHECK(i->lead_ms + i->out_ms + i->tail_ms <= i->in_ms + 3);
	FUZZ_CHECK(i->gain_db <= 30.0 + 1e-9);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out;
	struct voice_info info;
	struct diag d = {""};
	buf_init(&out);
	int rc = voice_prepare(data, size, &out, &info, &d);
	if (rc) {
		FUZZ_CHECK(rc == ERR_PARSE || rc == ERR_TOOBIG || rc == ERR_INVAL);
		FUZZ_CHECK(out.len == 0);
		fuzz_check_diag(&d);
	} else {
		check_out(&out, &info);
	}
	buf_finish(&out);
	return 0;
}

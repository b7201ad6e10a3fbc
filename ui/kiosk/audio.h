/* kiosk/audio: spoken prompts: WAV files played through SDL audio; the device is open only while a prompt plays. */
#ifndef SPEAN_KIOSK_AUDIO_H
#define SPEAN_KIOSK_AUDIO_H

#include "loop.h"

struct audio;

/* dirs: where LANG/KEY.wav files are looked for, in order (generated, then recorded). */
struct audio *audio_create(struct loop *l, const char *const *dirs, int ndirs);
void audio_destroy(struct audio *a);
/* Play the prompt for key in lang (stops the one playing). 1 if played, 0 if there is no file, <0 on error. */
int audio_play(struct audio *a, const char *lang, const char *key);
void audio_stop(struct audio *a);
/* Does a prompt exist for key in lang? */
int audio_has(const struct audio *a, const char *lang, const char *key);
/* The key of the prompt started last, "" if none (replays check it; never logged). */
const char *audio_last(const struct audio *a);
/* Is SDL's audio subsystem up? It is let go a few seconds after the last prompt (no audio thread when idle). */
int audio_active(const struct audio *a);
/* How many prompts were started (tests). */
unsigned audio_played(const struct audio *a);

#endif

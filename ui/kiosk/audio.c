#define LOG_MODULE "audio"
#include "audio.h"

#include <SDL.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "contentpack.h"
#include "err.h"
#include "fs.h"
#include "log.h"
#include "mem.h"

/* SDL's audio subsystem is let go this long after the last prompt ended: while it is up, SDL 2.26's ALSA
 * backend runs a device-hotplug thread that wakes every 100 ms (10 wakeups a second on the attract screen,
 * seen on a real kernel). Within a journey the next prompt usually comes sooner and finds it up. */
#define AUDIO_RELEASE_MS 5000

struct audio {
	struct loop *loop;
	char **dirs;
	int ndirs;
	SDL_AudioDeviceID dev;
	struct loop_timer *done;
	struct loop_timer *release;
	unsigned played;
	int broken; /* no audio on this machine: say so once, then stay quiet */
	char last[64]; /* the key of the prompt started last (replays check it) */
};

struct audio *audio_create(struct loop *l, const char *const *dirs, int ndirs)
{
	struct audio *a = xcalloc(1, sizeof *a);
	a->loop = l;
	a->dirs = xcalloc((size_t)ndirs, sizeof *a->dirs);
	for (int i = 0; i < ndirs; i++)
		a->dirs[i] = xstrdup(dirs[i]);
	a->ndirs = ndirs;
	return a;
}

static void release(void *ctx)
{
	struct audio *a = ctx;
	a->release = NULL;
	if (!a->dev && SDL_WasInit(SDL_INIT_AUDIO))
		SDL_QuitSubSystem(SDL_INIT_AUDIO);
}

void audio_stop(struct audio *a)
{
	loop_timer_cancel(a->loop, a->done);
	a->done = NULL;
	if (a->dev) {
		/* Closed, not paused: a paused SDL2 device still runs its thread (CPU when idle). */
		SDL_CloseAudioDevice(a->dev);
		a->dev = 0;
	}
	if (a->loop && !a->release && SDL_WasInit(SDL_INIT_AUDIO))
		a->release = loop_timer(a->loop, AUDIO_RELEASE_MS, release, a);
}

int audio_active(const struct audio *a)
{
	return a && SDL_WasInit(SDL_INIT_AUDIO) != 0;
}

void audio_destroy(struct audio *a)
{
	if (!a)
		return;
	audio_stop(a);
	if (a->loop)
		loop_timer_cancel(a->loop, a->release);
	if (SDL_WasInit(SDL_INIT_AUDIO))
		SDL_QuitSubSystem(SDL_INIT_AUDIO);
	for (int i = 0; i < a->ndirs; i++)
		free(a->dirs[i]);
	free(a->dirs);
	free(a);
}

static int find(const struct audio *a, const char *lang, const char *key, char *path, size_t n)
{
	for (int i = 0; i < a->ndirs; i++) {
		snprintf(path, n, "%s/%s/%s.wav", a->dirs[i], lang, key);
		if (access(path, R_OK) == 0)
			return 1;
	}
	return 0;
}

int audio_has(const struct audio *a, const char *lang, const char *key)
{
	char path[4096];
	return find(a, lang, key, path, sizeof path);
}

static void finished(void *ctx)
{
	struct audio *a = ctx;
	a->done = NULL;
	audio_stop(a);
}

int audio_play(struct audio *a, const char *lang, const char *key)
{
	char path[4096];
	audio_stop(a);
	if (a->loop)
		loop_timer_cancel(a->loop, a->release);
	a->release = NULL;
	if (a->broken || !find(a, lang, key, path, sizeof path))
		return 0;
	if (!SDL_WasInit(SDL_INIT_AUDIO) && SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
		log_warn("audio_unavailable reason=init");
		a->broken = 1;
		return ERR_IO;
	}
	SDL_AudioSpec spec;
	Uint8 *buf;
	Uint32 len;
	/* The header checked first (core/contentpack), so SDL never sizes anything from a forged one. */
	struct buf file;
	struct diag d = {""};
	buf_init(&file);
	int rc = fs_read_file(path, CONTENT_MAX_AUDIO, &file, &d);
	if (!rc)
		rc = content_wav_check(file.data, file.len, &d);
	SDL_AudioSpec *ok = rc ? NULL : SDL_LoadWAV_RW(SDL_RWFromConstMem(file.data, (int)file.len), 1, &spec, &buf, &len);
	buf_finish(&file);
	if (!ok) {
		log_warn("audio_bad_file key=%s code=%s", key, err_name(rc ? rc : ERR_PARSE));
		audio_stop(a); /* lets the subsystem go in a while */
		return ERR_PARSE;
	}
	a->dev = SDL_OpenAudioDevice(NULL, 0, &spec, NULL, 0); /* SDL converts to the hardware format */
	if (!a->dev) {
		log_warn("audio_unavailable reason=open");
		a->broken = 1;
		SDL_FreeWAV(buf);
		/* No sound on this device (no card, as in the VM): never tried again, so let SDL's audio go now. */
		SDL_QuitSubSystem(SDL_INIT_AUDIO);
		return ERR_IO;
	}
	SDL_QueueAudio(a->dev, buf, len);
	SDL_FreeWAV(buf);
	SDL_PauseAudioDevice(a->dev, 0);
	int bytes_per_s = spec.freq * spec.channels * (SDL_AUDIO_BITSIZE(spec.format) / 8);
	uint64_t ms = bytes_per_s ? (uint64_t)len * 1000u / (uint64_t)bytes_per_s + 200 : 1000;
	a->done = loop_timer(a->loop, ms, finished, a);
	a->played++;
	/* Not the key: which questions were asked says something about the answers. */
	log_info("prompt_play lang=%s ms=%llu", lang, (unsigned long long)ms);
	snprintf(a->last, sizeof a->last, "%s", key);
	return 1;
}

const char *audio_last(const struct audio *a)
{
	return a ? a->last : "";
}

unsigned audio_played(const struct audio *a)
{
	return a->played;
}

#define LOG_MODULE "kiosk"
/*
 * kiosk/keytrace: which catalog keys the screen on show was built from, so a
 * screenshot can be listed under every string it shows (spean kiosk --keys:
 * a translation's reviewer reads each string where the resident meets it).
 *
 * A screen is built whole by kiosk_show (the toolkit only paints what was
 * built), so the set is started again there and only lookups made inside it
 * count: a tap handler's, the printed receipt's or a replay's checks draw
 * nothing on the screen.
 */
#include <stdlib.h>
#include <string.h>

#include "kiosk_internal.h"

struct kiosk_trace {
	char **keys;  /* distinct, in the order first drawn */
	size_t n, cap;
	int building; /* inside kiosk_show */
};

void kiosk_trace_start(struct kiosk *k)
{
	if (k->trace)
		return;
	k->trace = xcalloc(1, sizeof *k->trace);
	/* The screen on show was built before the trace: build it again to know its keys. */
	kiosk_show(k);
}

static void trace_clear(struct kiosk_trace *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->keys[i]);
	t->n = 0;
}

void kiosk_trace_stop(struct kiosk *k)
{
	if (!k->trace)
		return;
	trace_clear(k->trace);
	free(k->trace->keys);
	free(k->trace);
	k->trace = NULL;
}

void kiosk_trace_begin(struct kiosk *k)
{
	if (!k->trace)
		return;
	trace_clear(k->trace);
	k->trace->building = 1;
}

void kiosk_trace_end(struct kiosk *k)
{
	if (k->trace)
		k->trace->building = 0;
}

void kiosk_trace_note(const struct kiosk *k, const char *key)
{
	struct kiosk_trace *t = k->trace;
	if (!t || !t->building)
		return;
	/* A screen shows a few dozen keys: a linear look is cheaper than any index. */
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->keys[i], key))
			return;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->keys = xrealloc(t->keys, t->cap * sizeof *t->keys);
	}
	t->keys[t->n++] = xstrdup(key);
}

size_t kiosk_trace_count(const struct kiosk *k)
{
	return k->trace ? k->trace->n : 0;
}

const char *kiosk_trace_key(const struct kiosk *k, size_t i)
{
	return k->trace && i < k->trace->n ? k->trace->keys[i] : NULL;
}

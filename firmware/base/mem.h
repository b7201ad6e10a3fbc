/* base/mem: allocation that aborts on exhaustion, growable buffers, wiping. */
#ifndef SPEAN_BASE_MEM_H
#define SPEAN_BASE_MEM_H

#include <stdarg.h>
#include <stddef.h>

/* All abort on out-of-memory: an appliance cannot limp on. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Overwrite memory in a way the compiler cannot drop. */
void mem_wipe(void *p, size_t n);

/* Growable byte buffer; data is always NUL-terminated (not counted in len). */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
/* Frees; with wipe=1 the memory is overwritten first (personal data). */
void buf_finish(struct buf *b);
void buf_finish_wipe(struct buf *b);
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* JSON string literal with quotes and escapes. */
void buf_put_json_string(struct buf *b, const char *s);

#endif

/* base/kv: the line format shared by facts, contact, rules and config files ("key = value"). */
#ifndef SPEAN_BASE_KV_H
#define SPEAN_BASE_KV_H

#include <stddef.h>

#include "err.h"

/*
 * Format: UTF-8 text, one "key = value" per line; keys are [A-Za-z0-9_.]+;
 * whitespace around key and value is trimmed; blank lines are skipped; a line
 * whose first non-blank character is '#' is a comment. With KV_INLINE_COMMENTS
 * a '#' anywhere starts a comment (values then cannot contain '#'). With
 * KV_SECTIONS a line "[name arg]" starts a section. Control characters other
 * than tab, invalid UTF-8 and NUL bytes are errors.
 */
enum {
	KV_INLINE_COMMENTS = 1u << 0,
	KV_SECTIONS = 1u << 1,
};

struct kv_item {
	unsigned line;
	int is_section;    /* 1: key holds the section text between the brackets */
	const char *key;   /* not NUL-terminated */
	size_t key_len;
	const char *value; /* not NUL-terminated; may be empty */
	size_t value_len;
};

struct kv_reader {
	const char *p, *end;
	unsigned line;
	unsigned flags;
};

void kv_reader_init(struct kv_reader *r, const char *text, size_t len, unsigned flags);
/* 1: an item; 0: end of input; ERR_PARSE: bad line (d says "line N: why"). */
int kv_next(struct kv_reader *r, struct kv_item *it, struct diag *d);
/* Compare a (ptr,len) to a C string. */
int kv_eq(const char *s, size_t n, const char *lit);

/* The longest prefix of s[0..n) of at most max bytes that does not cut a UTF-8 character. */
int utf8_prefix(const char *s, size_t n, size_t max);
/* 1 if s[0..n) is valid UTF-8 without NUL; 0 otherwise. */
int utf8_valid(const char *s, size_t n);

/*
 * One line [s, e) of a content pack's text file (holidays.txt, hours.txt), without its newline: text (no
 * control character but TAB; its '#' comment valid UTF-8 and anything else), ASCII outside the comment.
 * [*code, *code_end): the text before the comment, without the spaces and tabs around it (empty for a blank
 * or comment line). 0, or ERR_PARSE with "line LINE: ...".
 */
int kv_pack_line(const char *s, const char *e, unsigned line, const char **code, const char **code_end, struct diag *d);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void hex_encode(const unsigned char *in, size_t n, char *out);
/* Decode exactly 2n hex chars (upper or lower); 0 or ERR_PARSE. */
int hex_decode(const char *in, size_t len, unsigned char *out, size_t n);

/*
 * Parse a key file: one line of 2*keylen hex characters; '#' comment lines
 * and blank space around are allowed. ERR_PARSE with d naming the line.
 */
int keyfile_parse(const char *text, size_t len, unsigned char *key, size_t keylen, struct diag *d);
/*
 * A named key in a file of "name = HEX" lines (a center card: "box = ...",
 * "sign = ..."); other names are skipped. ERR_PARSE if it is missing,
 * repeated or not 2*keylen hex characters.
 */
int keyfile_parse_named(const char *text, size_t len, const char *name, unsigned char *key, size_t keylen,
			struct diag *d);
/*
 * A named value that is not hex ("tls = sha256//BASE64" in a center card):
 * printable ASCII without spaces, 1..n-1 bytes, copied NUL-terminated into
 * out. ERR_NOTFOUND if the name is absent; ERR_PARSE if it repeats or its
 * value is empty, too long or has other bytes.
 */
int keyfile_text_named(const char *text, size_t len, const char *name, char *out, size_t n, struct diag *d);

#endif

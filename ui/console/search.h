/* ui/console/search: what a clerk types in the inbox's search box: a receipt code in any form, a phone, a name without its accents. Pure. */
#ifndef SPEAN_CONSOLE_SEARCH_H
#define SPEAN_CONSOLE_SEARCH_H

#include <stddef.h>

#include "mem.h"

#define SEARCH_QUERY_MAX 200 /* bytes of a query; more is refused */

/*
 * A receipt code: the 8 hex digits the kiosk shows and prints ("7224-0F81")
 * or the request's whole id (32, what the receipt's QR holds), in any case,
 * with or without the dash and the spaces around it. 1 and hex (lower case,
 * NUL-terminated) holding the digits, or 0 for anything else.
 */
int search_code_parse(const char *q, size_t n, char hex[33]);

/*
 * The digits of a phone number as typed ("0987 123 450", "+84 987.123.450":
 * spaces, dots, dashes and a leading + allowed): 1 and the digits in out
 * (at least 3), or 0 if q is not one.
 */
int search_phone_parse(const char *q, size_t n, char out[SEARCH_QUERY_MAX + 1]);

/*
 * A name folded for search: Unicode NFD, combining marks dropped, lower
 * case, đ as d, runs of white space as one space, trimmed ("Thạch  Thị
 * Đào" -> "thach thi dao"). Khmer keeps its letters (its marks are dropped
 * alike, which a search forgives). Appended to out (a buf stays
 * NUL-terminated); invalid UTF-8 bytes are dropped.
 */
void search_fold(const char *s, size_t n, struct buf *out);

#endif

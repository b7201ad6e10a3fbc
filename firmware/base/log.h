/* base/log: levelled, structured (key=value) logging to stderr. Never log personal data. */
#ifndef SPEAN_BASE_LOG_H
#define SPEAN_BASE_LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/*
 * Each .c file defines LOG_MODULE "name" before using these. Messages are a
 * fixed event word followed by key=value fields: log_info("request_added id=%s seq=%llu", ...).
 * Only ids, counts, codes and paths: never names, phones, answers or free text.
 * Level comes from SPEAN_LOG (error|warn|info|debug), default warn.
 */
void log_write(enum log_level lvl, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_set_level(enum log_level lvl);
int log_enabled(enum log_level lvl);

#define log_error(...) log_write(LOG_ERROR, LOG_MODULE, __VA_ARGS__)
#define log_warn(...) log_write(LOG_WARN, LOG_MODULE, __VA_ARGS__)
#define log_info(...) log_write(LOG_INFO, LOG_MODULE, __VA_ARGS__)
#define log_debug(...) log_write(LOG_DEBUG, LOG_MODULE, __VA_ARGS__)

#endif

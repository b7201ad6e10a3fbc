/* app/cli: the `spean` command line (composition root for one-shot commands). */
#ifndef SPEAN_APP_CLI_H
#define SPEAN_APP_CLI_H

/* Exit codes: 0 done, 1 failed (I/O, damaged data), 2 bad input, usage or refused. */
int cli_main(int argc, char **argv);

/* `spean kiosk ...` (kiosk_main.c): args after the word "kiosk". */
int kiosk_main(const char *data_dir, int argc, char **argv);

/* `spean content check ...`: args after "check". */
int content_check_main(int argc, char **argv);

/* The rules built into the binary (firmware/content/eligibility.rules). */
extern const unsigned char spean_builtin_rules[];
extern const unsigned long spean_builtin_rules_len;

#endif

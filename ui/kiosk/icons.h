/* kiosk/icons: the questions' pictures and the answer buttons' symbols (content/kiosk/icons/NAME.bmp), checked at start, scaled on demand. */
#ifndef SPEAN_KIOSK_ICONS_H
#define SPEAN_KIOSK_ICONS_H

#include <SDL.h>

#include "content.h"
#include "err.h"

struct icons;

/*
 * The pictures the questions name and the answer symbols (answer_yes,
 * answer_no, answer_unknown: always), dir/icons/NAME.bmp (SDL's BMP reader;
 * square, 32 to 1024 px). A missing one refuses the pack: ERR_NOTFOUND with
 * d->msg naming the file and the question or the answer. full: also read
 * and check every picture now (ERR_PARSE for a cut or odd one); otherwise
 * each is read when first shown. A pack whose questions name no pictures
 * gives the answer symbols alone.
 */
int icons_load(struct icons **out, const char *dir, const struct content *c, int full, struct diag *d);
void icons_destroy(struct icons *s);
/* How many pictures were loaded (the answer symbols count). */
int icons_count(const struct icons *s);
/*
 * NAME at side x side px (scaled linearly once, then kept), or NULL for an
 * unknown name or a picture that cannot be read (logged once). Owned by the set.
 */
SDL_Surface *icons_get(struct icons *s, const char *name, int side);
/*
 * The symbol of an answer button (ANSWER_SYMBOL_YES: a check, _NO: a cross,
 * _UNKNOWN: a question mark) at side x side px, as icons_get; NULL only when
 * its file became unreadable after the start check (show the button without it).
 */
SDL_Surface *icons_answer(struct icons *s, enum answer_symbol a, int side);

#endif

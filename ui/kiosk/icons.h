/* kiosk/icons: the questions' pictures (content/kiosk/icons/NAME.bmp), checked at start, scaled on demand. */
#ifndef SPEAN_KIOSK_ICONS_H
#define SPEAN_KIOSK_ICONS_H

#include <SDL.h>

#include "content.h"
#include "err.h"

struct icons;

/*
 * The pictures the questions name, dir/icons/NAME.bmp (SDL's BMP reader;
 * square, 32 to 1024 px). A missing one refuses the pack: ERR_NOTFOUND with
 * d->msg naming the file and the question. full: also read and check every
 * picture now (ERR_PARSE for a cut or odd one); otherwise each is read when
 * first shown. A pack whose questions name no pictures gives an empty set.
 */
int icons_load(struct icons **out, const char *dir, const struct content *c, int full, struct diag *d);
void icons_destroy(struct icons *s);
/* How many pictures were loaded. */
int icons_count(const struct icons *s);
/*
 * NAME at side x side px (scaled linearly once, then kept), or NULL for an
 * unknown name or a picture that cannot be read (logged once). Owned by the set.
 */
SDL_Surface *icons_get(struct icons *s, const char *name, int side);

#endif

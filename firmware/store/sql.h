/* store/sql: small SQLite helpers shared by the kiosk's store and the center's cstore (internal to firmware/store). */
#ifndef SPEAN_STORE_SQL_H
#define SPEAN_STORE_SQL_H

#include <sqlite3.h>

/* PRAGMA user_version into *v (the schema's migration step); an SQLite result code. */
int sql_user_version(sqlite3 *db, int *v);

/*
 * A consistent copy of db's main database into a new file dst (SQLite's
 * online backup: readers and writers may go on), synced to disk, 0600; an
 * SQLite result code. dst must not exist.
 */
int sql_backup(sqlite3 *db, const char *dst);

#endif

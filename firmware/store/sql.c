#include "sql.h"

#include <fcntl.h>
#include <stddef.h>
#include <sys/stat.h>
#include <unistd.h>

int sql_user_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

int sql_backup(sqlite3 *db, const char *dst)
{
	int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return SQLITE_CANTOPEN;
	close(fd);
	sqlite3 *out;
	int rc = sqlite3_open_v2(dst, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_backup *b = sqlite3_backup_init(out, "main", db, "main");
		if (!b)
			rc = sqlite3_errcode(out);
		else {
			while ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
				sqlite3_sleep(rc == SQLITE_OK ? 0 : 10);
			int f = sqlite3_backup_finish(b);
			rc = rc == SQLITE_DONE ? f : rc;
		}
	}
	/* The copy is a plain rollback-journal file: no -wal beside it to lose. */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(out, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
	sqlite3_close(out);
	if (rc == SQLITE_OK) {
		fd = open(dst, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fsync(fd))
			rc = SQLITE_IOERR;
		if (fd >= 0)
			close(fd);
	}
	return rc;
}

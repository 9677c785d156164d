/* SPDX-License-Identifier: MIT */
/*
 * tests/rawdb.h - a second SQLite connection to a store's database, for
 * tests that set up states bnity itself never writes (tampered rows,
 * out-of-range values, integrity checks).  Only src/store talks to the
 * database in bnity; tests reach it here, through the file.
 */
#ifndef BN_TESTS_RAWDB_H
#define BN_TESTS_RAWDB_H

#include <sqlite3.h>
#include <stdlib.h>

#include "base/fs.h"
#include "store/store.h"

/* Run SQL on S's database file; SQLite's result code. */
static inline int bn_test_db_exec(bn_store *s, const char *sql)
{
	char *path = bn_fs_join(bn_store_home(s), "boternity.db");
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, BN_STORE_BUSY_TIMEOUT_MS);
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	sqlite3_close(db);
	free(path);
	return rc;
}

#endif

/* SPDX-License-Identifier: MIT */
/*
 * store/sqlite.c - the SQLite back end of the store (the default): the
 * one file $BNITY_HOME/boternity.db, its pragmas, its migrations (PRAGMA
 * user_version counts the steps applied) and its statements behind
 * bn_store__backend.
 * Reference: https://sqlite.org/c3ref/intro.html
 */
#include "schema.h"
#include "store_int.h"

#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each step runs once, in order, inside one transaction with the bump. */
/* STEP(N): step N of schema.h in these types */
#define STEP(n) \
	BN_STORE__STEP_##n("INTEGER", "INTEGER PRIMARY KEY", "BLOB")
static const char *const migrations[] = {
	STEP(1), STEP(2),
	/* 3: the secret vault and bots' memories */
	"CREATE TABLE secrets ("
	"  name TEXT PRIMARY KEY,"
	"  nonce BLOB NOT NULL,"
	"  ciphertext BLOB NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE TABLE memories ("
	"  id INTEGER PRIMARY KEY,"
	"  bot TEXT NOT NULL,"
	"  text TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX memories_bot ON memories(bot);"
	"CREATE VIRTUAL TABLE memories_fts USING fts5("
	"  text, content='memories', content_rowid='id');"
	"CREATE TRIGGER memories_ai AFTER INSERT ON memories BEGIN"
	"  INSERT INTO memories_fts(rowid, text) VALUES (new.id, new.text);"
	" END;"
	"CREATE TRIGGER memories_ad AFTER DELETE ON memories BEGIN"
	"  INSERT INTO memories_fts(memories_fts, rowid, text)"
	"  VALUES ('delete', old.id, old.text);"
	" END;",
	/* 4: a bot's memories go with it, so a new bot given a removed
	   bot's slug never sees them; memories left by bots removed before
	   this step are removed too */
	"DELETE FROM memories WHERE bot NOT IN (SELECT slug FROM bots);"
	"CREATE TRIGGER bots_ad_memories AFTER DELETE ON bots BEGIN"
	"  DELETE FROM memories WHERE bot = old.slug;"
	" END;",
	STEP(5), STEP(6), STEP(7),
	/* 8: a use-only secret grant is bound to one origin (NAME@ORIGIN).
	   An unbound one binds to the skill's single granted HTTP origin
	   (not a wildcard); any other is suspended until re-granted
	   (`bnity skill grants --pending`). */
	BN_STORE__GRANTS_SUSPENDED("INTEGER")
	"CREATE TEMP VIEW secret_origin AS"
	"  SELECT skill, MIN(scope) AS origin FROM ("
	"    SELECT DISTINCT skill, scope FROM grants"
	"    WHERE capability IN ('http_get', 'http_post'))"
	"  GROUP BY skill HAVING COUNT(*) = 1 AND instr(MIN(scope), '*') = 0;"
	"UPDATE OR REPLACE grants SET scope = scope || '@' ||"
	"  (SELECT origin FROM secret_origin o WHERE o.skill = grants.skill)"
	"  WHERE capability = 'get_secret' AND scope NOT LIKE 'reveal:%'"
	"  AND instr(scope, '@') = 0"
	"  AND skill IN (SELECT skill FROM secret_origin);"
	"INSERT OR REPLACE INTO grants_suspended"
	"  SELECT skill, bot, capability, scope, 'the skill has no single "
	"granted HTTP origin to bind the secret to',"
	"  CAST(strftime('%s', 'now') AS INTEGER) FROM grants"
	"  WHERE capability = 'get_secret' AND scope NOT LIKE 'reveal:%'"
	"  AND instr(scope, '@') = 0;"
	"DELETE FROM grants WHERE capability = 'get_secret'"
	"  AND scope NOT LIKE 'reveal:%' AND instr(scope, '@') = 0;"
	"DROP VIEW secret_origin;",
	STEP(9),
	/* 10: a grant belongs to an identity: the tree hash of the skill it
	   was given to (skill_hash), not to whatever bears its name.  The
	   rows move here with '' and the reconcile binds them to the hash of
	   the skill installed now, dropping those of skills not installed
	   (bn_store__grants_bind) */
	"CREATE TABLE grants_by_identity ("
	"  skill TEXT NOT NULL,"
	"  skill_hash TEXT NOT NULL DEFAULT '',"
	"  bot TEXT NOT NULL DEFAULT '*',"
	"  capability TEXT NOT NULL,"
	"  scope TEXT NOT NULL DEFAULT '',"
	"  limits TEXT,"
	"  granted_at INTEGER NOT NULL,"
	"  PRIMARY KEY (skill, skill_hash, bot, capability, scope));"
	"INSERT INTO grants_by_identity (skill, bot, capability, scope,"
	"  limits, granted_at) SELECT skill, bot, capability, scope, limits,"
	"  granted_at FROM grants;"
	"DROP TABLE grants;"
	"ALTER TABLE grants_by_identity RENAME TO grants;",
	STEP(11), STEP(12), STEP(13), STEP(14), STEP(15), STEP(16),
	STEP(17),
};

typedef struct sq_stmt {
	bn_store__stmt base;
	sqlite3_stmt *st;
} sq_stmt;

static sqlite3_stmt *sq(bn_store__stmt *st)
{
	return ((sq_stmt *)st)->st;
}

static void sq_lock_timeout(bn_store *s, unsigned ms);

static int sq_open(bn_store *s, bn_err *err)
{
	sqlite3 *db = NULL;
	int r;

	r = sqlite3_open_v2(s->db_path, &db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	s->db = db;
	if (r != SQLITE_OK)
		return bn_err_set(err, BN_EIO, "%s: cannot open database: %s",
				  s->db_path, db ? sqlite3_errmsg(db) :
				  "out of memory");
	/* the pragmas below wait for another process's lock too */
	sq_lock_timeout(s, BN_STORE_BUSY_TIMEOUT_MS);
	return bn_store__exec(s, "PRAGMA journal_mode = WAL;"
			      "PRAGMA synchronous = NORMAL;"
			      "PRAGMA foreign_keys = ON;"
			      /* reads map the file instead of a pread(2)
				 per page: listing a large store reads every
				 row */
			      "PRAGMA mmap_size = 268435456;", err);
}

static void sq_close(bn_store *s)
{
	sqlite3_close(s->db);
}

static int sq_exec(bn_store *s, const char *sql, bn_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		bn_err_set(err, BN_EIO, "%s: %s", s->db_path,
			   msg ? msg : "database error");
		sqlite3_free(msg);
		return BN_EIO;
	}
	return 0;
}

static const char *sq_errmsg(bn_store *s)
{
	return sqlite3_errmsg(s->db);
}

static int sq_prepare(bn_store__stmt **out, bn_store *s, const char *sql,
		      bn_err *err)
{
	sqlite3_stmt *st;
	sq_stmt *q;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return bn_store__fail(s, err);
	q = bn_xcalloc(1, sizeof(*q));
	q->st = st;
	*out = &q->base;
	return 0;
}

static void sq_bind(bn_store__stmt *st, int i, const bn_store__arg *a)
{
	if (a->kind == 'i')
		sqlite3_bind_int64(sq(st), i, a->i);
	else if (a->kind == 'b')
		sqlite3_bind_blob64(sq(st), i, a->i ? a->p : "",
				    (sqlite3_uint64)a->i, SQLITE_TRANSIENT);
	else if (a->p)
		sqlite3_bind_text(sq(st), i, a->p, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(sq(st), i);
}

static int sq_step(bn_store *s, bn_store__stmt *st, bn_err *err)
{
	int rc = sqlite3_step(sq(st));

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return bn_store__fail(s, err);
}

static void sq_reset(bn_store__stmt *st)
{
	/* a reset ends the statement's read (an unfinished SELECT would
	   keep its snapshot), and its bound copies go */
	(void)sqlite3_reset(sq(st));
	(void)sqlite3_clear_bindings(sq(st));
}

static void sq_finalize(bn_store__stmt *st)
{
	sqlite3_finalize(sq(st));
	free(st);
}

static int sq_ncols(bn_store__stmt *st)
{
	return sqlite3_column_count(sq(st));
}

static bool sq_is_null(bn_store__stmt *st, int i)
{
	return sqlite3_column_type(sq(st), i) == SQLITE_NULL;
}

static int64_t sq_col_int(bn_store__stmt *st, int i)
{
	return sqlite3_column_int64(sq(st), i);
}

static double sq_col_real(bn_store__stmt *st, int i)
{
	return sqlite3_column_double(sq(st), i);
}

static const char *sq_col_text(bn_store__stmt *st, int i)
{
	return (const char *)sqlite3_column_text(sq(st), i);
}

static const void *sq_col_blob(bn_store__stmt *st, int i, size_t *n)
{
	const void *p = sqlite3_column_blob(sq(st), i);

	*n = (size_t)sqlite3_column_bytes(sq(st), i);
	return p;
}

static bool sq_in_tx(bn_store *s)
{
	return !sqlite3_get_autocommit(s->db);
}

static size_t sq_changes(bn_store *s)
{
	return (size_t)sqlite3_changes(s->db);
}

static void sq_lock_timeout(bn_store *s, unsigned ms)
{
	sqlite3_busy_timeout(s->db, ms > INT_MAX ? INT_MAX : (int)ms);
}

static int sq_version_get(bn_store *s, int *out, bn_err *err)
{
	bn_store__stmt *st;
	int r = bn_store__prepare(&st, s, "PRAGMA user_version", err);

	if (r)
		return r;
	r = bn_store__step(s, st, err);
	*out = r == 1 ? (int)bn_store__col_int(st, 0) : 0;
	bn_store__done(s, st);
	return r < 0 ? r : 0;
}

static int sq_version_set(bn_store *s, int v, bn_err *err)
{
	char bump[64];

	snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", v);
	return bn_store__exec(s, bump, err);
}

const bn_store__backend bn_store__sqlite = {
	.name = "SQLite",
	BN_STORE__BACKEND_FNS(sq),
	/* IMMEDIATE: take the write lock now, so a transaction never fails
	   half-way for want of it */
	.begin = "BEGIN IMMEDIATE",
	/* FTS5: https://sqlite.org/fts5.html (3.1 query syntax, 5.1.1 bm25:
	   rank is bm25, lower is better) */
	.memory_search =
		"SELECT m.id, m.text, m.created_at,"
		" memories_fts.rank FROM memories_fts"
		" JOIN memories AS m ON m.id = memories_fts.rowid"
		" WHERE memories_fts MATCH ?1 AND m.bot = ?2"
		" ORDER BY memories_fts.rank, m.id LIMIT ?3",
	.tables = "SELECT name FROM sqlite_master WHERE type = 'table'"
		  " ORDER BY name",
	.columns = "SELECT name, upper(type) FROM pragma_table_info(?1)"
		   " ORDER BY cid",
	/* an INTEGER PRIMARY KEY takes the largest id + 1 by itself */
	.id_sync = NULL,
};

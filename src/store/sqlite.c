/* SPDX-License-Identifier: MIT */
/*
 * store/sqlite.c - the SQLite back end of the store (the default): the
 * one file $BNITY_HOME/boternity.db, its pragmas, its migrations (PRAGMA
 * user_version counts the steps applied) and its statements behind
 * bn_store__backend.
 * Reference: https://sqlite.org/c3ref/intro.html
 */
#include "store_int.h"

#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each step runs once, in order, inside one transaction with the bump. */
static const char *const migrations[] = {
	/* 1: skill index, bots, attachments */
	"CREATE TABLE skill_index ("
	"  name TEXT PRIMARY KEY,"
	"  type TEXT NOT NULL,"
	"  version TEXT,"
	"  description TEXT NOT NULL,"
	"  tier TEXT NOT NULL DEFAULT 'local',"
	"  source TEXT NOT NULL DEFAULT 'created',"
	"  installed_at INTEGER NOT NULL);"
	"CREATE TABLE bots ("
	"  slug TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  persona TEXT NOT NULL DEFAULT '',"
	"  provider TEXT,"
	"  model TEXT,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE bot_skills ("
	"  bot TEXT NOT NULL REFERENCES bots(slug) ON DELETE CASCADE,"
	"  skill TEXT NOT NULL,"
	"  enabled INTEGER NOT NULL DEFAULT 1,"
	"  attached_at INTEGER NOT NULL,"
	"  PRIMARY KEY (bot, skill));",
	/* 2: grants and the audit log (written by the host, never a skill) */
	"CREATE TABLE grants ("
	"  skill TEXT NOT NULL,"
	"  bot TEXT NOT NULL DEFAULT '*',"   /* '*' = every bot */
	"  capability TEXT NOT NULL,"
	"  scope TEXT NOT NULL DEFAULT '',"  /* '' = the capability has none */
	"  limits TEXT,"                     /* JSON overrides of tier limits */
	"  granted_at INTEGER NOT NULL,"
	"  PRIMARY KEY (skill, bot, capability, scope));"
	"CREATE TABLE audit_runs ("
	"  id INTEGER PRIMARY KEY,"
	"  at_ms INTEGER NOT NULL,"
	"  skill TEXT NOT NULL,"
	"  version TEXT,"
	"  tier TEXT NOT NULL,"
	"  bot TEXT,"
	"  input_sha256 TEXT,"
	"  output_sha256 TEXT,"
	"  fuel INTEGER,"
	"  memory_peak INTEGER,"
	"  duration_ms INTEGER,"
	"  outcome TEXT NOT NULL,"           /* ok, error, denied, limit, trap */
	"  error TEXT);"
	"CREATE INDEX audit_runs_skill ON audit_runs(skill, at_ms);"
	"CREATE TABLE audit_calls ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES audit_runs(id),"
	"  at_ms INTEGER NOT NULL,"
	"  capability TEXT NOT NULL,"
	"  scope TEXT,"                      /* what the skill asked for */
	"  allowed INTEGER NOT NULL,"
	"  reason TEXT);"
	"CREATE INDEX audit_calls_run ON audit_calls(run_id);",
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
	/* 5: conversations with bots (agent/conv.c); a message's content
	   is the neutral JSON array of agent/provider.h */
	"CREATE TABLE conversations ("
	"  id INTEGER PRIMARY KEY,"
	"  bot TEXT NOT NULL REFERENCES bots(slug) ON DELETE CASCADE,"
	"  created_at INTEGER NOT NULL,"
	"  title TEXT);"
	"CREATE INDEX conversations_bot ON conversations(bot, id);"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  conversation_id INTEGER NOT NULL"
	"    REFERENCES conversations(id) ON DELETE CASCADE,"
	"  role TEXT NOT NULL,"              /* user, assistant, tool */
	"  content TEXT NOT NULL,"           /* JSON */
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX messages_conversation ON messages(conversation_id, id);",
	/* 6: registries (registry/): cached listings, the keys the user
	   trusts for skill signatures, and a record of every install */
	"CREATE TABLE registry_cache ("
	"  url TEXT PRIMARY KEY,"
	"  etag TEXT,"
	"  body BLOB NOT NULL,"
	"  fetched_at INTEGER NOT NULL);"    /* seconds since the epoch */
	"CREATE TABLE trusted_keys ("
	"  key_id TEXT PRIMARY KEY,"         /* 16 hex digits, as minisign */
	"  pubkey TEXT NOT NULL,"            /* the base64 line of a .pub */
	"  comment TEXT NOT NULL DEFAULT '',"
	"  added_at INTEGER NOT NULL);"
	"CREATE TABLE audit_installs ("
	"  id INTEGER PRIMARY KEY,"
	"  at_ms INTEGER NOT NULL,"
	"  skill TEXT NOT NULL,"
	"  action TEXT NOT NULL,"            /* install, update */
	"  source TEXT NOT NULL,"
	"  ref TEXT,"
	"  tree_hash TEXT NOT NULL,"
	"  tier TEXT NOT NULL,"
	"  granted TEXT NOT NULL,"           /* JSON array of cap[=scope] */
	"  findings INTEGER NOT NULL);"      /* static scan findings */
	"CREATE INDEX audit_installs_skill ON audit_installs(skill, at_ms);",
	/* 7: the audit log is bounded: past a run's cap of single-call rows
	   (exec/audit.c), its calls are summed into one row per (capability,
	   allowed) whose count says how many it stands for; NULL on a row of
	   one call */
	"ALTER TABLE audit_calls ADD COLUMN count INTEGER;"
	"CREATE UNIQUE INDEX audit_calls_summary"
	"  ON audit_calls(run_id, capability, allowed)"
	"  WHERE count IS NOT NULL;",
	/* 8: a use-only secret grant is bound to one origin (NAME@ORIGIN).
	   An unbound one binds to the skill's single granted HTTP origin
	   (not a wildcard); any other is suspended until re-granted
	   (`bnity skill grants --pending`). */
	"CREATE TABLE grants_suspended ("
	"  skill TEXT NOT NULL,"
	"  bot TEXT NOT NULL,"
	"  capability TEXT NOT NULL,"
	"  scope TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  suspended_at INTEGER NOT NULL,"   /* seconds since the epoch */
	"  PRIMARY KEY (skill, bot, capability, scope));"
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
	/* 9: provenance lives here, not in a file the skill folder carries:
	   each store skill's tree hash, and the install in flight (pending_*)
	   that the reconcile completes when its rename happened; the index
	   fills tree_hash for the skills already installed */
	"ALTER TABLE skill_index ADD COLUMN tree_hash TEXT;"
	"ALTER TABLE skill_index ADD COLUMN pending_hash TEXT;"
	"ALTER TABLE skill_index ADD COLUMN pending_tier TEXT;"
	"ALTER TABLE skill_index ADD COLUMN pending_source TEXT;",
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
	/* 11: the grants an install approved, kept with it while it is in
	   flight (JSON {"bot", "granted"}): after a crash they come from
	   here, never from the marker file the skill folder carries */
	"ALTER TABLE skill_index ADD COLUMN pending_grants TEXT;",
	/* 12: listing costs what changed, not the store's size (scan.c):
	   each row keeps the stat key of its folder and SKILL.md when its
	   manifest was last loaded (seen) and that load (manifest), and
	   store_state the skills folder's key after the last full
	   reconcile.  A cache for listing only: nothing that runs is
	   identified by it */
	"ALTER TABLE skill_index ADD COLUMN seen BLOB;"
	"ALTER TABLE skill_index ADD COLUMN manifest BLOB;"
	"CREATE TABLE store_state ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);"
	"CREATE INDEX skill_index_unsettled ON skill_index(name)"
	"  WHERE pending_hash IS NOT NULL OR tree_hash IS NULL;",
	/* 13: named API tokens (store/tokens.h): the hash of each, never the
	   text; and each run's audit row names the token (or "local") that
	   asked for it */
	"CREATE TABLE IF NOT EXISTS api_tokens ("
	"  name TEXT PRIMARY KEY,"
	"  role TEXT NOT NULL CHECK (role IN ('admin', 'user')),"
	"  hash TEXT NOT NULL UNIQUE,"
	"  created_at INTEGER NOT NULL,"
	"  last_used_at INTEGER);"
	"ALTER TABLE audit_runs ADD COLUMN actor TEXT;",
	/* 14: token budgets (store/usage.c): a bot's limits, and what each
	   model call of a turn used, for spend caps and session totals */
	"CREATE TABLE IF NOT EXISTS bot_limits ("
	"  bot TEXT PRIMARY KEY REFERENCES bots(slug) ON DELETE CASCADE,"
	"  max_tokens INTEGER NOT NULL DEFAULT 0,"
	"  daily_tokens INTEGER NOT NULL DEFAULT 0,"
	"  token_field TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE IF NOT EXISTS token_usage ("
	"  id INTEGER PRIMARY KEY,"
	"  bot TEXT NOT NULL REFERENCES bots(slug) ON DELETE CASCADE,"
	"  session INTEGER,"
	"  at INTEGER NOT NULL,"
	"  input INTEGER NOT NULL DEFAULT 0,"
	"  output INTEGER NOT NULL DEFAULT 0,"
	"  cache_read INTEGER NOT NULL DEFAULT 0,"
	"  cache_write INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS token_usage_bot ON token_usage(bot, at);"
	"CREATE INDEX IF NOT EXISTS token_usage_session"
	"  ON token_usage(session);",
	/* 15: the client that asked for a run (an MCP client's name from its
	   initialize, `bnity mcp serve`); NULL for the CLI, API and chat */
	"ALTER TABLE audit_runs ADD COLUMN client TEXT;",
	/* 16: turns journalled as they happen (store/conv.c): a turn of a
	   conversation is running (its owner lease names the process),
	   complete, incomplete (failed or interrupted: resume or drop it)
	   or cancelled; each message carries its turn's number.  Audit rows
	   carry what an agent run belongs to (session, turn, tool call), the
	   kind of record (NULL: a skill run) and an owner lease, so a row
	   whose process died is closed as abandoned */
	"CREATE TABLE IF NOT EXISTS turns ("
	"  conversation_id INTEGER NOT NULL"
	"    REFERENCES conversations(id) ON DELETE CASCADE,"
	"  number INTEGER NOT NULL,"
	"  state TEXT NOT NULL,"             /* running, complete, incomplete,
						cancelled */
	"  error TEXT,"
	"  started_at INTEGER NOT NULL,"
	"  ended_at INTEGER,"
	"  input_tokens INTEGER NOT NULL DEFAULT 0,"
	"  output_tokens INTEGER NOT NULL DEFAULT 0,"
	"  owner_pid INTEGER,"
	"  owner_start INTEGER,"
	"  owner_host TEXT,"
	"  PRIMARY KEY (conversation_id, number));"
	"CREATE INDEX IF NOT EXISTS turns_running ON turns(state)"
	"  WHERE state = 'running';"
	"ALTER TABLE messages ADD COLUMN turn INTEGER;"
	"ALTER TABLE audit_runs ADD COLUMN kind TEXT;"
	"ALTER TABLE audit_runs ADD COLUMN detail TEXT;"
	"ALTER TABLE audit_runs ADD COLUMN session_id INTEGER;"
	"ALTER TABLE audit_runs ADD COLUMN turn INTEGER;"
	"ALTER TABLE audit_runs ADD COLUMN tool_call_id TEXT;"
	"ALTER TABLE audit_runs ADD COLUMN owner_pid INTEGER;"
	"ALTER TABLE audit_runs ADD COLUMN owner_start INTEGER;"
	"ALTER TABLE audit_runs ADD COLUMN owner_host TEXT;"
	"CREATE INDEX IF NOT EXISTS audit_runs_running ON audit_runs(outcome)"
	"  WHERE outcome = 'running';"
	"CREATE INDEX IF NOT EXISTS audit_runs_session"
	"  ON audit_runs(session_id, turn) WHERE session_id IS NOT NULL;",
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
};

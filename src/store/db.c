/* SPDX-License-Identifier: MIT */
/*
 * store/db.c - the one SQLite database of $BNITY_HOME: opening, pragmas
 * and schema migrations (PRAGMA user_version counts applied steps).
 * Later modules add their tables as further steps here.
 */
#include "store_int.h"

#include <assert.h>
#include <jansson.h>
#include <limits.h>
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

int bn_store__fail(bn_store *s, bn_err *err)
{
	return bn_err_set(err, BN_EIO, "%s: %s", s->db_path,
			  s->db ? sqlite3_errmsg(s->db) : "not open");
}

int bn_store__exec(bn_store *s, const char *sql, bn_err *err)
{
	char *msg = NULL;

	/* our transactions never nest, and COMMIT ends one we began */
	assert(strncmp(sql, "BEGIN", 5) != 0 || sqlite3_get_autocommit(s->db));
	assert(strcmp(sql, "COMMIT") != 0 || !sqlite3_get_autocommit(s->db));
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		bn_err_set(err, BN_EIO, "%s: %s", s->db_path,
			   msg ? msg : "database error");
		sqlite3_free(msg);
		return BN_EIO;
	}
	return 0;
}

int bn_store__prepare(sqlite3_stmt **out, bn_store *s, const char *sql,
		      bn_err *err)
{
	for (size_t i = 0; i < s->n_stmts; i++) {
		struct bn_store__stmt *k = &s->stmts[i];

		if (!k->busy && strcmp(sqlite3_sql(k->st), sql) == 0) {
			k->busy = true;
			*out = k->st;
			return 0;
		}
	}
	if (sqlite3_prepare_v2(s->db, sql, -1, out, NULL) != SQLITE_OK)
		return bn_store__fail(s, err);
	return 0;
}

void bn_store__done(bn_store *s, sqlite3_stmt *st)
{
	if (!st)
		return;
	/* a reset ends the statement's read (an unfinished SELECT would
	   keep its snapshot), and its bound copies go */
	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
	for (size_t i = 0; i < s->n_stmts; i++)
		if (s->stmts[i].st == st) {
			s->stmts[i].busy = false;
			return;
		}
	if (s->n_stmts == BN_STORE__STMTS_MAX) {
		sqlite3_finalize(st);
		return;
	}
	if (!s->stmts)
		s->stmts = bn_xcalloc(BN_STORE__STMTS_MAX, sizeof(*s->stmts));
	s->stmts[s->n_stmts++] = (struct bn_store__stmt){ st, false };
}

void bn_store__stmts_clear(bn_store *s)
{
	for (size_t i = 0; i < s->n_stmts; i++)
		sqlite3_finalize(s->stmts[i].st);
	free(s->stmts);
	s->stmts = NULL;
	s->n_stmts = 0;
}

int bn_store__step(bn_store *s, sqlite3_stmt *st, bn_err *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return bn_store__fail(s, err);
}

int bn_store__step_done(bn_store *s, sqlite3_stmt *st, bn_err *err)
{
	int r = sqlite3_step(st) == SQLITE_DONE ? 0 : bn_store__fail(s, err);
	bn_store__done(s, st);
	return r;
}

void bn_store__bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

size_t bn_store__changes(bn_store *s)
{
	return (size_t)sqlite3_changes(s->db);
}

int64_t bn_store__last_id(bn_store *s)
{
	return (int64_t)sqlite3_last_insert_rowid(s->db);
}

int bn_store__query(sqlite3_stmt **out, bn_store *s, const char *sql,
		    const bn_store__arg *args, size_t n, bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s, sql, err);

	if (r)
		return r;
	for (size_t i = 0; i < n; i++) {
		int at = (int)i + 1;
		const bn_store__arg *a = &args[i];
		if (a->kind == 'i')
			sqlite3_bind_int64(st, at, a->i);
		else if (a->kind == 'b')
			sqlite3_bind_blob64(st, at, a->i ? a->p : "",
					    (sqlite3_uint64)a->i,
					    SQLITE_TRANSIENT);
		else
			bn_store__bind_text(st, at, a->p);
	}
	*out = st;
	return 0;
}

int bn_store__run(bn_store *s, const char *sql, const bn_store__arg *args,
		  size_t n, bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__query(&st, s, sql, args, n, err);
	return r ? r : bn_store__step_done(s, st, err);
}

/* The strings of the JSON array TEXT into OUT; anything else is none. */
static void strv_read(bn_strv *out, const char *text)
{
	json_t *a = text ? json_loads(text, 0, NULL) : NULL;
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v) {
		if (json_is_string(v))
			bn_strv_push(out, json_string_value(v));
	}
	json_decref(a);
}

static void shape_read(void *item, sqlite3_stmt *st,
		       const bn_store__shape *sh)
{
	for (size_t i = 0; i < sh->ncols; i++) {
		void *f = (char *)item + sh->cols[i].offset;
		int at = (int)i;
		switch (sh->cols[i].kind) {
		case 't':
			*(char **)f = bn_store__col_dup(st, at);
			break;
		case 'b':
			*(bool *)f = sqlite3_column_int64(st, at) != 0;
			break;
		case 'l':
			*(long *)f = (long)sqlite3_column_int64(st, at);
			break;
		case 'q':
			*(long long *)f = sqlite3_column_int64(st, at);
			break;
		case 'a':
			strv_read(f, (const char *)sqlite3_column_text(st, at));
			break;
		default:
			assert(!"a column of a kind bn_store__col has not");
		}
	}
	if (sh->row)
		sh->row(item, st);
}

void bn_store__shape_clear(void *item, const bn_store__shape *sh)
{
	for (size_t i = 0; i < sh->ncols; i++) {
		void *f = (char *)item + sh->cols[i].offset;
		if (sh->cols[i].kind == 't')
			free(*(char **)f);
		else if (sh->cols[i].kind == 'a')
			bn_strv_clear(f);
	}
	if (sh->clear)
		sh->clear(item);
}

void bn_store__select_free(void *v, size_t n, const bn_store__shape *sh)
{
	for (size_t i = 0; v && i < n; i++)
		bn_store__shape_clear((char *)v + i * sh->size, sh);
	free(v);
}

/* Every row of ST (finalized here) as a new array of items of SH. */
static int rows_of(void *out, size_t *n_out, const bn_store__shape *sh,
		   bn_store *s, sqlite3_stmt *st, bn_err *err)
{
	char *v = NULL;
	size_t n = 0;
	int r;

	while ((r = bn_store__step(s, st, err)) == 1) {
		v = bn_xrealloc(v, (n + 1) * sh->size);
		memset(v + n * sh->size, 0, sh->size);
		shape_read(v + n++ * sh->size, st, sh);
	}
	bn_store__done(s, st);
	if (r) {
		bn_store__select_free(v, n, sh);
		return r;
	}
	memcpy(out, &v, sizeof(v));
	*n_out = n;
	return 0;
}

/* The first row of ST (finalized here) into ITEM, if any. */
static int row_of(void *item, bool *found_out, const bn_store__shape *sh,
		  bn_store *s, sqlite3_stmt *st, bn_err *err)
{
	int r = bn_store__step(s, st, err);

	if (r == 1 && sh)
		shape_read(item, st, sh);
	bn_store__done(s, st);
	if (r < 0)
		return r;
	*found_out = r == 1;
	return 0;
}

int bn_store__rows(void *out, size_t *n_out, size_t size, bn_store *s,
		   sqlite3_stmt *st, bn_store__row_fn row,
		   bn_store__clear_fn clear, bn_err *err)
{
	const bn_store__shape sh = { size, NULL, 0, row, clear };
	return rows_of(out, n_out, &sh, s, st, err);
}

int bn_store__row(void *item, bool *found_out, bn_store *s,
		  sqlite3_stmt *st, bn_store__row_fn row, bn_err *err)
{
	const bn_store__shape sh = { 0, NULL, 0, row, NULL };
	return row_of(item, found_out, row ? &sh : NULL, s, st, err);
}

void bn_store__rows_free(void *v, size_t n, size_t size,
			 bn_store__clear_fn clear)
{
	const bn_store__shape sh = { size, NULL, 0, NULL, clear };
	bn_store__select_free(v, n, &sh);
}

int bn_store__select(void *out, size_t *n_out, const bn_store__shape *sh,
		     bn_store *s, const char *sql, const bn_store__arg *args,
		     size_t n, bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__query(&st, s, sql, args, n, err);
	return r ? r : rows_of(out, n_out, sh, s, st, err);
}

int bn_store__select_one(void *item, bool *found_out,
			 const bn_store__shape *sh, bn_store *s,
			 const char *sql, const bn_store__arg *args,
			 size_t n, bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__query(&st, s, sql, args, n, err);
	return r ? r : row_of(item, found_out, sh, s, st, err);
}

/* ---- transactions and locks ------------------------------------------- */

/* Run SQL, one statement without rows, through the kept statements. */
static int exec_kept(bn_store *s, const char *sql, bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s, sql, err);

	return r ? r : bn_store__step_done(s, st, err);
}

int bn_store_tx_begin(bn_store *s, bn_err *err)
{
	/* a caller's misuse is an error, not the assert below the API */
	if (!sqlite3_get_autocommit(s->db))
		return bn_err_set(err, BN_EIO, "%s: a transaction is "
				  "already open", s->db_path);
	/* IMMEDIATE: take the write lock now, so a transaction never fails
	   half-way for want of it */
	return exec_kept(s, "BEGIN IMMEDIATE", err);
}

int bn_store_tx_commit(bn_store *s, bn_err *err)
{
	int r;

	if (sqlite3_get_autocommit(s->db))
		return bn_err_set(err, BN_EIO, "%s: no transaction is "
				  "open to commit", s->db_path);
	r = exec_kept(s, "COMMIT", err);
	if (r)
		bn_store_tx_rollback(s);
	return r;
}

void bn_store_tx_rollback(bn_store *s)
{
	/* fails only when there is nothing to roll back */
	(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

void bn_store_lock_timeout_set(bn_store *s, unsigned ms)
{
	sqlite3_busy_timeout(s->db, ms > INT_MAX ? INT_MAX : (int)ms);
}

static int user_version(bn_store *s, int *out, bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s, "PRAGMA user_version", err);
	if (r)
		return r;
	*out = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	bn_store__done(s, st);
	return 0;
}

static int migrate(bn_store *s, bn_err *err)
{
	int have, want = (int)(sizeof(migrations) / sizeof(migrations[0]));
	int r = user_version(s, &have, err);

	if (r)
		return r;
	if (have > want)
		return bn_err_set(err, BN_EINVAL,
			"%s: written by a newer bnity (schema %d, this "
			"bnity knows %d); upgrade bnity", s->db_path, have,
			want);
	for (; have < want; have++) {
		char bump[64];
		if ((r = bn_store_tx_begin(s, err)))
			return r;
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d",
			 have + 1);
		r = bn_store__exec(s, migrations[have], err);
		if (!r)
			r = bn_store__exec(s, bump, err);
		if (r) {
			bn_store_tx_rollback(s);
			return r;
		}
		if ((r = bn_store_tx_commit(s, err)))
			return r;
	}
	return 0;
}

int bn_store__db_open(bn_store *s, bn_err *err)
{
	int r;

	if (sqlite3_open_v2(s->db_path, &s->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		r = bn_err_set(err, BN_EIO, "%s: cannot open database: %s",
			       s->db_path, s->db ? sqlite3_errmsg(s->db) :
			       "out of memory");
		return r;
	}
	bn_store_lock_timeout_set(s, BN_STORE_BUSY_TIMEOUT_MS);
	r = bn_store__exec(s, "PRAGMA journal_mode = WAL;"
			   "PRAGMA synchronous = NORMAL;"
			   "PRAGMA foreign_keys = ON;"
			   /* reads map the file instead of a pread(2) per
			      page: listing a large store reads every row */
			   "PRAGMA mmap_size = 268435456;", err);
	if (r)
		return r;
	return migrate(s, err);
}

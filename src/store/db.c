/* SPDX-License-Identifier: MIT */
/*
 * store/db.c - the one SQLite database of $BNITY_HOME: opening, pragmas
 * and schema migrations (PRAGMA user_version counts applied steps).
 * Later modules add their tables as further steps here.
 */
#include "store_int.h"

#include <assert.h>
#include <stdio.h>
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
};

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
	if (sqlite3_prepare_v2(s->db, sql, -1, out, NULL) != SQLITE_OK)
		return bn_err_set(err, BN_EIO, "%s: %s", s->db_path,
				  sqlite3_errmsg(s->db));
	return 0;
}

int bn_store__step_done(bn_store *s, sqlite3_stmt *st, bn_err *err)
{
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return bn_err_set(err, BN_EIO, "%s: %s", s->db_path,
				  sqlite3_errmsg(s->db));
	return 0;
}

static int user_version(bn_store *s, int *out, bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s, "PRAGMA user_version", err);
	if (r)
		return r;
	*out = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
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
		if ((r = bn_store__exec(s, "BEGIN IMMEDIATE", err)))
			return r;
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d",
			 have + 1);
		r = bn_store__exec(s, migrations[have], err);
		if (!r)
			r = bn_store__exec(s, bump, err);
		if (!r)
			r = bn_store__exec(s, "COMMIT", err);
		if (r) {
			(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return r;
		}
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
	sqlite3_busy_timeout(s->db, BN_STORE_BUSY_TIMEOUT_MS);
	r = bn_store__exec(s, "PRAGMA journal_mode = WAL;"
			   "PRAGMA synchronous = NORMAL;"
			   "PRAGMA foreign_keys = ON;", err);
	if (r)
		return r;
	return migrate(s, err);
}

/* SPDX-License-Identifier: MIT */
/*
 * store/schema.h - the migration steps both back ends write alike
 * (sqlite.c, pg.c), their column types as parameters: INT an integer
 * ("INTEGER", "BIGINT"), ID the integer key a new row is given
 * ("INTEGER PRIMARY KEY", an identity column) and BYTES bytes ("BLOB",
 * "BYTEA").  Steps 3, 4, 8 and 10 are each back end's own.
 */
#ifndef BN_STORE_SCHEMA_H
#define BN_STORE_SCHEMA_H

#define BN_STORE__STEP_1(INT, ID, BYTES) \
	/* 1: skill index, bots, attachments */                                \
	"CREATE TABLE skill_index ("                                           \
	"  name TEXT PRIMARY KEY,"                                             \
	"  type TEXT NOT NULL,"                                                \
	"  version TEXT,"                                                      \
	"  description TEXT NOT NULL,"                                         \
	"  tier TEXT NOT NULL DEFAULT 'local',"                                \
	"  source TEXT NOT NULL DEFAULT 'created',"                            \
	"  installed_at " INT " NOT NULL);"                                    \
	"CREATE TABLE bots ("                                                  \
	"  slug TEXT PRIMARY KEY,"                                             \
	"  name TEXT NOT NULL,"                                                \
	"  persona TEXT NOT NULL DEFAULT '',"                                  \
	"  provider TEXT,"                                                     \
	"  model TEXT,"                                                        \
	"  created_at " INT " NOT NULL);"                                      \
	"CREATE TABLE bot_skills ("                                            \
	"  bot TEXT NOT NULL REFERENCES bots(slug) ON DELETE CASCADE,"         \
	"  skill TEXT NOT NULL,"                                               \
	"  enabled " INT " NOT NULL DEFAULT 1,"                                \
	"  attached_at " INT " NOT NULL,"                                      \
	"  PRIMARY KEY (bot, skill));"

#define BN_STORE__STEP_2(INT, ID, BYTES) \
	/* 2: grants and the audit log (written by the host, never a skill) */ \
	"CREATE TABLE grants ("                                                \
	"  skill TEXT NOT NULL,"                                               \
	"  bot TEXT NOT NULL DEFAULT '*',"   /* '*' = every bot */             \
	"  capability TEXT NOT NULL,"                                          \
	/* scope '' = the capability has none; limits: JSON overrides of    \
	   tier limits */                                                      \
	"  scope TEXT NOT NULL DEFAULT '',"                                    \
	"  limits TEXT,"                                                       \
	"  granted_at " INT " NOT NULL,"                                       \
	"  PRIMARY KEY (skill, bot, capability, scope));"                      \
	"CREATE TABLE audit_runs ("                                            \
	"  id " ID ","                                                         \
	"  at_ms " INT " NOT NULL,"                                            \
	"  skill TEXT NOT NULL,"                                               \
	"  version TEXT,"                                                      \
	"  tier TEXT NOT NULL,"                                                \
	"  bot TEXT,"                                                          \
	"  input_sha256 TEXT,"                                                 \
	"  output_sha256 TEXT,"                                                \
	"  fuel " INT ","                                                      \
	"  memory_peak " INT ","                                               \
	"  duration_ms " INT ","                                               \
	/* outcome: ok, error, denied, limit, trap */                          \
	"  outcome TEXT NOT NULL,"                                             \
	"  error TEXT);"                                                       \
	"CREATE INDEX audit_runs_skill ON audit_runs(skill, at_ms);"           \
	"CREATE TABLE audit_calls ("                                           \
	"  id " ID ","                                                         \
	"  run_id " INT " NOT NULL REFERENCES audit_runs(id),"                 \
	"  at_ms " INT " NOT NULL,"                                            \
	"  capability TEXT NOT NULL,"                                          \
	"  scope TEXT,"                      /* what the skill asked for */    \
	"  allowed " INT " NOT NULL,"                                          \
	"  reason TEXT);"                                                      \
	"CREATE INDEX audit_calls_run ON audit_calls(run_id);"

#define BN_STORE__STEP_5(INT, ID, BYTES) \
	/* 5: conversations with bots (agent/conv.c); a message's content      \
	   is the neutral JSON array of agent/provider.h */                    \
	"CREATE TABLE conversations ("                                         \
	"  id " ID ","                                                         \
	"  bot TEXT NOT NULL REFERENCES bots(slug) ON DELETE CASCADE,"         \
	"  created_at " INT " NOT NULL,"                                       \
	"  title TEXT);"                                                       \
	"CREATE INDEX conversations_bot ON conversations(bot, id);"            \
	"CREATE TABLE messages ("                                              \
	"  id " ID ","                                                         \
	"  conversation_id " INT " NOT NULL"                                   \
	"    REFERENCES conversations(id) ON DELETE CASCADE,"                  \
	"  role TEXT NOT NULL,"              /* user, assistant, tool */       \
	"  content TEXT NOT NULL,"           /* JSON */                        \
	"  created_at " INT " NOT NULL);"                                      \
	"CREATE INDEX messages_conversation ON messages(conversation_id, id);"

#define BN_STORE__STEP_6(INT, ID, BYTES) \
	/* 6: registries (registry/): cached listings, the keys the user       \
	   trusts for skill signatures, and a record of every install */       \
	"CREATE TABLE registry_cache ("                                        \
	"  url TEXT PRIMARY KEY,"                                              \
	"  etag TEXT,"                                                         \
	"  body " BYTES " NOT NULL,"                                           \
	"  fetched_at " INT " NOT NULL);"    /* seconds since the epoch */     \
	"CREATE TABLE trusted_keys ("                                          \
	"  key_id TEXT PRIMARY KEY,"         /* 16 hex digits, as minisign */  \
	"  pubkey TEXT NOT NULL,"            /* the base64 line of a .pub */   \
	"  comment TEXT NOT NULL DEFAULT '',"                                  \
	"  added_at " INT " NOT NULL);"                                        \
	"CREATE TABLE audit_installs ("                                        \
	"  id " ID ","                                                         \
	"  at_ms " INT " NOT NULL,"                                            \
	"  skill TEXT NOT NULL,"                                               \
	"  action TEXT NOT NULL,"            /* install, update */             \
	"  source TEXT NOT NULL,"                                              \
	"  ref TEXT,"                                                          \
	"  tree_hash TEXT NOT NULL,"                                           \
	"  tier TEXT NOT NULL,"                                                \
	"  granted TEXT NOT NULL,"           /* JSON array of cap[=scope] */   \
	"  findings " INT " NOT NULL);"      /* static scan findings */        \
	"CREATE INDEX audit_installs_skill ON audit_installs(skill, at_ms);"

#define BN_STORE__STEP_7(INT, ID, BYTES) \
	/* 7: the audit log is bounded: past a run's cap of single-call rows   \
	   (exec/audit.c), its calls are summed into one row per (capability,  \
	   allowed) whose count says how many it stands for; NULL on a row of  \
	   one call */                                                         \
	"ALTER TABLE audit_calls ADD COLUMN count " INT ";"                    \
	"CREATE UNIQUE INDEX audit_calls_summary"                              \
	"  ON audit_calls(run_id, capability, allowed)"                        \
	"  WHERE count IS NOT NULL;"

/* Step 8's table of the grants a migration took away (each back end
   adds its own rewrite of older rows) */
#define BN_STORE__GRANTS_SUSPENDED(INT)                                        \
	"CREATE TABLE grants_suspended ("                                      \
	"  skill TEXT NOT NULL,"                                               \
	"  bot TEXT NOT NULL,"                                                 \
	"  capability TEXT NOT NULL,"                                          \
	"  scope TEXT NOT NULL,"                                               \
	"  reason TEXT NOT NULL,"                                              \
	"  suspended_at " INT " NOT NULL,"   /* seconds since the epoch */     \
	"  PRIMARY KEY (skill, bot, capability, scope));"

#define BN_STORE__STEP_9(INT, ID, BYTES) \
	/* 9: provenance lives here, not in a file the skill folder carries:   \
	   each store skill's tree hash, and the install in flight (pending_*) \
	   that the reconcile completes when its rename happened; the index    \
	   fills tree_hash for the skills already installed */                 \
	"ALTER TABLE skill_index ADD COLUMN tree_hash TEXT;"                   \
	"ALTER TABLE skill_index ADD COLUMN pending_hash TEXT;"                \
	"ALTER TABLE skill_index ADD COLUMN pending_tier TEXT;"                \
	"ALTER TABLE skill_index ADD COLUMN pending_source TEXT;"

#define BN_STORE__STEP_11(INT, ID, BYTES) \
	/* 11: the grants an install approved, kept with it while it is in     \
	   flight (JSON {"bot", "granted"}): after a crash they come from      \
	   here, never from the marker file the skill folder carries */        \
	"ALTER TABLE skill_index ADD COLUMN pending_grants TEXT;"

#define BN_STORE__STEP_12(INT, ID, BYTES) \
	/* 12: listing costs what changed, not the store's size (scan.c):      \
	   each row keeps the stat key of its folder and SKILL.md when its     \
	   manifest was last loaded (seen) and that load (manifest), and       \
	   store_state the skills folder's key after the last full             \
	   reconcile.  A cache for listing only: nothing that runs is          \
	   identified by it */                                                 \
	"ALTER TABLE skill_index ADD COLUMN seen " BYTES ";"                   \
	"ALTER TABLE skill_index ADD COLUMN manifest " BYTES ";"               \
	"CREATE TABLE store_state ("                                           \
	"  key TEXT PRIMARY KEY,"                                              \
	"  value TEXT NOT NULL);"                                              \
	"CREATE INDEX skill_index_unsettled ON skill_index(name)"              \
	"  WHERE pending_hash IS NOT NULL OR tree_hash IS NULL;"

#define BN_STORE__STEP_13(INT, ID, BYTES) \
	/* 13: named API tokens (store/tokens.h): the hash of each, never the  \
	   text; and each run's audit row names the token (or "local") that    \
	   asked for it */                                                     \
	"CREATE TABLE IF NOT EXISTS api_tokens ("                              \
	"  name TEXT PRIMARY KEY,"                                             \
	"  role TEXT NOT NULL CHECK (role IN ('admin', 'user')),"              \
	"  hash TEXT NOT NULL UNIQUE,"                                         \
	"  created_at " INT " NOT NULL,"                                       \
	"  last_used_at " INT ");"                                             \
	"ALTER TABLE audit_runs ADD COLUMN actor TEXT;"

#define BN_STORE__STEP_14(INT, ID, BYTES) \
	/* 14: token budgets (store/usage.c): a bot's limits, and what each    \
	   model call of a turn used, for spend caps and session totals */     \
	"CREATE TABLE IF NOT EXISTS bot_limits ("                              \
	"  bot TEXT PRIMARY KEY REFERENCES bots(slug) ON DELETE CASCADE,"      \
	"  max_tokens " INT " NOT NULL DEFAULT 0,"                             \
	"  daily_tokens " INT " NOT NULL DEFAULT 0,"                           \
	"  token_field TEXT NOT NULL DEFAULT '');"                             \
	"CREATE TABLE IF NOT EXISTS token_usage ("                             \
	"  id " ID ","                                                         \
	"  bot TEXT NOT NULL REFERENCES bots(slug) ON DELETE CASCADE,"         \
	"  session " INT ","                                                   \
	"  at " INT " NOT NULL,"                                               \
	"  input " INT " NOT NULL DEFAULT 0,"                                  \
	"  output " INT " NOT NULL DEFAULT 0,"                                 \
	"  cache_read " INT " NOT NULL DEFAULT 0,"                             \
	"  cache_write " INT " NOT NULL DEFAULT 0);"                           \
	"CREATE INDEX IF NOT EXISTS token_usage_bot ON token_usage(bot, at);"  \
	"CREATE INDEX IF NOT EXISTS token_usage_session"                       \
	"  ON token_usage(session);"

#define BN_STORE__STEP_15(INT, ID, BYTES) \
	/* 15: the client that asked for a run (an MCP client's name from its  \
	   initialize, `bnity mcp serve`); NULL for the CLI, API and chat */   \
	"ALTER TABLE audit_runs ADD COLUMN client TEXT;"

#define BN_STORE__STEP_16(INT, ID, BYTES) \
	/* 16: turns journalled as they happen (store/conv.c): a turn of a     \
	   conversation is running (its owner lease names the process),        \
	   complete, incomplete (failed or interrupted: resume or drop it)     \
	   or cancelled; each message carries its turn's number.  Audit rows   \
	   carry what an agent run belongs to (session, turn, tool call), the  \
	   kind of record (NULL: a skill run) and an owner lease, so a row     \
	   whose process died is closed as abandoned */                        \
	"CREATE TABLE IF NOT EXISTS turns ("                                   \
	"  conversation_id " INT " NOT NULL"                                   \
	"    REFERENCES conversations(id) ON DELETE CASCADE,"                  \
	"  number " INT " NOT NULL,"                                           \
	/* state: running, complete, incomplete, cancelled */                 \
	"  state TEXT NOT NULL,"                                               \
	"  error TEXT,"                                                        \
	"  started_at " INT " NOT NULL,"                                       \
	"  ended_at " INT ","                                                  \
	"  input_tokens " INT " NOT NULL DEFAULT 0,"                           \
	"  output_tokens " INT " NOT NULL DEFAULT 0,"                          \
	"  owner_pid " INT ","                                                 \
	"  owner_start " INT ","                                               \
	"  owner_host TEXT,"                                                   \
	"  PRIMARY KEY (conversation_id, number));"                            \
	"CREATE INDEX IF NOT EXISTS turns_running ON turns(state)"             \
	"  WHERE state = 'running';"                                           \
	"ALTER TABLE messages ADD COLUMN turn " INT ";"                        \
	"ALTER TABLE audit_runs ADD COLUMN kind TEXT;"                         \
	"ALTER TABLE audit_runs ADD COLUMN detail TEXT;"                       \
	"ALTER TABLE audit_runs ADD COLUMN session_id " INT ";"                \
	"ALTER TABLE audit_runs ADD COLUMN turn " INT ";"                      \
	"ALTER TABLE audit_runs ADD COLUMN tool_call_id TEXT;"                 \
	"ALTER TABLE audit_runs ADD COLUMN owner_pid " INT ";"                 \
	"ALTER TABLE audit_runs ADD COLUMN owner_start " INT ";"               \
	"ALTER TABLE audit_runs ADD COLUMN owner_host TEXT;"                   \
	"CREATE INDEX IF NOT EXISTS audit_runs_running ON audit_runs(outcome)" \
	"  WHERE outcome = 'running';"                                         \
	"CREATE INDEX IF NOT EXISTS audit_runs_session"                        \
	"  ON audit_runs(session_id, turn) WHERE session_id IS NOT NULL;"

#define BN_STORE__STEP_17(INT, ID, BYTES) \
	/* 17: skill trees content-addressed (store/trees.c): each file's      \
	   bytes once, by their SHA-256 (hex), and the manifest of every       \
	   installed identity (tree hash): each file's path, mode and hash,    \
	   so a home sharing the database writes a skill it never installed   \
	   from here, checking every hash */                                   \
	"CREATE TABLE IF NOT EXISTS skill_blobs ("                             \
	"  hash TEXT PRIMARY KEY,"                                             \
	"  size " INT " NOT NULL,"                                             \
	"  body " BYTES " NOT NULL);"                                          \
	"CREATE TABLE IF NOT EXISTS skill_files ("                             \
	"  tree_hash TEXT NOT NULL,"                                           \
	"  path TEXT NOT NULL,"                                                \
	"  mode " INT " NOT NULL,"                                             \
	"  hash TEXT NOT NULL,"                                                \
	"  PRIMARY KEY (tree_hash, path));"                                    \
	"CREATE INDEX IF NOT EXISTS skill_files_hash ON skill_files(hash);"

#endif

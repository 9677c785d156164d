/* SPDX-License-Identifier: MIT */
/*
 * store/store.h - $BNITY_HOME: the skill store, bots and attachments.
 *
 * Owns: the layout of $BNITY_HOME (skills/<name>/, boternity.db), the
 * database: its schema, its migrations and every table in it, the skill
 * index, skill discovery in the folders other agents use (the table of
 * store/agents.h: .claude/skills, .agents/skills, ...), bots and the
 * skills attached to them.
 * Uses: base, skill (manifest), sqlite3 (inside src/store only).  Knows
 * nothing of execution.
 *
 * Every row of the database is read and written here, through typed
 * functions: plain C structs in and out, errors through bn_err (a storage
 * failure is BN_EIO naming the database file), and no SQL nor SQLite type
 * in any header, so another database could sit behind them.  Besides
 * this header (skills, bots, attachments, transactions), one header per
 * concern declares them; each is the only one that knows its tables:
 *
 *   store/audit.h       audit_runs, audit_calls     (store/audit.c)
 *   store/grants.h      grants                      (store/grants.c)
 *   store/secrets.h     secrets (sealed vault rows) (store/secrets.c)
 *   store/memory.h      memories, memories_fts      (store/memory.c)
 *   store/conv.h        conversations, messages     (store/conv.c)
 *   store/keys.h        trusted_keys                (store/keys.c)
 *   store/cache.h       registry_cache              (store/cache.c)
 *   store/installlog.h  audit_installs              (store/installlog.c)
 *   store/tokens.h      api_tokens                  (store/tokens.c)
 *   store/dump.h        every table, to a file and back (store/dump.c)
 *
 * What the rows mean (a grant's scope, a sealed secret, a run's outcome)
 * belongs to the modules above, which call these.
 *
 * The store's folders are the truth about which skills are installed: a
 * create or remove is committed by one rename(2), and the index in the
 * database is reconciled with the folders when the store is opened and
 * the skills folder changed (store/scan.c), so an interrupted create or
 * remove leaves the store as it was before.
 */
#ifndef BN_STORE_STORE_H
#define BN_STORE_STORE_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"
#include "skill/manifest.h"
#include "skill/resolve.h"
#include "skill/tree.h"

typedef struct bn_store bn_store;

/* Where a skill was found, in rising order of precedence. */
typedef enum bn_store_origin {
	BN_STORE_ORIGIN_STORE = 0,   /* $BNITY_HOME/skills */
	BN_STORE_ORIGIN_USER,        /* the agents' user folders
					(~/.claude/skills, ...: agents.h) */
	BN_STORE_ORIGIN_PROJECT,     /* the agents' project folders
					(.claude/skills, .agents/skills, ...)
					from the working directory up to the
					repository root */
	BN_STORE_ORIGIN_MAX
} bn_store_origin;

/* One skill that can be attached: borrowed from its bn_store_skills. */
typedef struct bn_store_skill {
	char *name;                  /* the folder's name */
	char *dir;                   /* absolute folder */
	bn_store_origin origin;
	char *origin_dir;            /* the skills folder it was found in */
	char *tier;                  /* "local", "verified", "untrusted" */
	bn_skill_manifest *manifest; /* leniently loaded */
	char *hash;                  /* its identity, the tree hash (the
					store's record for a store skill);
					NULL when it has none */
	bool installed;              /* it is the installed skill of its
					name: the store's copy, or a copy
					whose tree hash equals it */
	bool packed;                 /* name, dir, origin_dir, tier and
					hash share one allocation, at name
					(a store skill the listing made) */
} bn_store_skill;

/* Every usable skill, after precedence; warnings name files. */
typedef struct bn_store_skills {
	bn_store_skill *v;
	size_t n;
	bn_strv warnings;
} bn_store_skills;

void bn_store_skills_clear(bn_store_skills *l);
/* The skill named NAME in L, or NULL (borrowed). */
const bn_store_skill *bn_store_skills_find(const bn_store_skills *l,
					   const char *name);

/*
 * bn_store_skill_resolve - resolve skill NAME of L with its ancestors
 * (skill/resolve.h), looking parents up in L.  *out is cleared with
 * bn_skill_resolved_clear and borrows from L.
 */
int bn_store_skill_resolve(bn_skill_resolved *out, const bn_store_skills *l,
			   const char *name, bn_err *err) BN_MUST_USE;

/* The bn_skill_lookup_fn over a bn_store_skills (PAYLOAD). */
const bn_skill_manifest *bn_store_skills_lookup(const char *name,
						void *payload);

/* A bot, as stored. */
typedef struct bn_store_bot {
	char *slug;
	char *name;
	char *persona;
	char *provider;              /* NULL: the configured default */
	char *model;                 /* NULL: the configured default */
	long long created_at;        /* seconds since the epoch */
} bn_store_bot;

void bn_store_bot_clear(bn_store_bot *b);

/* One attachment of a skill to a bot. */
typedef struct bn_store_attachment {
	char *skill;
	bool enabled;
	long long attached_at;       /* seconds since the epoch */
} bn_store_attachment;

/*
 * bn_store_home_dir - $BNITY_HOME, or ~/.boternity (owned string).
 * Fails when neither BNITY_HOME nor HOME is set.
 */
int bn_store_home_dir(char **out, bn_err *err);

/*
 * bn_store_open - open (creating when missing) the store in HOME; CWD is
 * where project skills are looked for (NULL: none).  Migrates the schema,
 * cleans what interrupted writes left and reconciles the index.
 */
int bn_store_open(bn_store **out, const char *home, const char *cwd,
		  bn_err *err) BN_MUST_USE;
/*
 * bn_store_open_db - the same, with the tables in the database DB_URL:
 * a postgresql:// (or postgres://) URL keeps every table in PostgreSQL,
 * for replicas sharing them (docs/scale.md; libpq is loaded then, and
 * follows the URL's sslmode); NULL or "" the SQLite file
 * HOME/boternity.db.  HOME still holds the skills folder.  Messages
 * name the URL without its password.
 */
int bn_store_open_db(bn_store **out, const char *home, const char *cwd,
		     const char *db_url, bn_err *err) BN_MUST_USE;
void bn_store_free(bn_store *s);

/*
 * bn_store_leases_sweep - close the work whose process died: every audit
 * run still "running" becomes "abandoned" and every agent turn still
 * "running" becomes "incomplete", when its owner lease names a process
 * that is gone (bn_proc_owner_gone), with an error saying which process.
 * Rows of live owners, of other hosts and without an owner are left
 * alone; *n_out (may be NULL) how many were closed.  Cheap when nothing
 * runs (partial indexes hold the running rows).  bn_store_open sweeps.
 */
int bn_store_leases_sweep(size_t *n_out, bn_store *s,
			  bn_err *err) BN_MUST_USE;

/*
 * Handles kept open for reuse by a long-lived process (the server): an
 * open migrates, cleans and reconciles, and parses its SQL afresh, which
 * was most of the cost of a small request.
 *
 * bn_store_reuse_new - a set keeping up to MAX_IDLE idle handles of the
 *   store in HOME (CWD and DB_URL as bn_store_open_db); opens one at once, so a store
 *   that cannot be opened fails here.  Thread-safe.
 * bn_store_reuse_take - *out (owned until given back) is an idle handle
 *   brought up to date as an open would (the skills folder is compared
 *   when it changed), else a new open.
 * bn_store_reuse_give - S back to the set (rolled back when a
 *   transaction is open), or freed when the set is full.  NULL: no-op.
 * bn_store_reuse_free - frees the set and its idle handles (every handle
 *   taken must have been given back or freed).  NULL: no-op.
 */
typedef struct bn_store_reuse bn_store_reuse;
int bn_store_reuse_new(bn_store_reuse **out, const char *home,
		       const char *cwd, const char *db_url, unsigned max_idle,
		       bn_err *err)
	BN_MUST_USE;
int bn_store_reuse_take(bn_store **out, bn_store_reuse *u, bn_err *err)
	BN_MUST_USE;
void bn_store_reuse_give(bn_store_reuse *u, bn_store *s);
void bn_store_reuse_free(bn_store_reuse *u);

const char *bn_store_home(const bn_store *s);
const char *bn_store_skills_dir(const bn_store *s);

/* How long a read or write waits for another writer's lock before it
   fails (what the store is opened with). */
#define BN_STORE_BUSY_TIMEOUT_MS 5000
/* Wait up to MS instead; a caller may shorten the wait for a while and
   set BN_STORE_BUSY_TIMEOUT_MS back. */
void bn_store_lock_timeout_set(bn_store *s, unsigned ms);

/*
 * Transactions: the writes between bn_store_tx_begin and
 * bn_store_tx_commit land all together or not at all.  Begin takes the
 * write lock at once (waiting as above); transactions do not nest.  A
 * commit that fails has rolled back; after any other failure inside,
 * call bn_store_tx_rollback (a no-op when no transaction is open).
 */
int bn_store_tx_begin(bn_store *s, bn_err *err) BN_MUST_USE;
int bn_store_tx_commit(bn_store *s, bn_err *err) BN_MUST_USE;
void bn_store_tx_rollback(bn_store *s);

/*
 * Every skill, by name: the store's, the user's and the project's.  Names choose,
 * identity decides: a user or project copy is the installed skill (its
 * tier, its grants) only when its tree hash equals the one the store
 * recorded for the name; any other copy is "untrusted" and has only the
 * grants given to its own hash.  A store skill whose SKILL.md is
 * unchanged (its stat key) comes from the index's cache.
 */
int bn_store_skills_list(bn_store_skills *out, bn_store *s,
			 bn_err *err) BN_MUST_USE;
/*
 * bn_store_skills_named - what bn_store_skills_list gives for the skills
 * named in NAMES and every skill they name as a parent or dependency,
 * transitively (enough to resolve them, check their dependencies and
 * conflicts), and the user's and project's skills; at a cost that does
 * not grow with the store.  Names not found are left out.  Unlike the
 * full list, it warns of no store skill a user or project copy hides.
 */
int bn_store_skills_named(bn_store_skills *out, bn_store *s,
			  const bn_strv *names, bn_err *err) BN_MUST_USE;

/*
 * bn_store_skill_create - write a skeleton skill NAME of TYPE into the
 * store, one that passes strict validation unchanged.  DESCRIPTION may be
 * NULL.  BN_EEXIST if the store already has NAME.
 */
int bn_store_skill_create(bn_store *s, const char *name, bn_skill_type type,
			  const char *description, bn_err *err) BN_MUST_USE;

/*
 * bn_store_skill_edit - replace the SKILL.md of store skill NAME, one of
 * the user's own (tier local, in the store; an installed skill's files
 * are its source's, BN_EDENIED), with the LEN bytes at TEXT, atomically:
 * a reader sees the old file or the new one.  The text must load
 * leniently and keep the name NAME (BN_EINVAL naming the problem); the
 * strict rules' findings are appended to HINTS (may be NULL) and do not
 * refuse.  New bytes are a new identity: the record takes it and its
 * files are stored (the homes sharing the database take the edit), and
 * the grants of the capabilities declared as before follow it.
 */
int bn_store_skill_edit(bn_store *s, const char *name, const char *text,
			size_t len, bn_skill_report *hints,
			bn_err *err) BN_MUST_USE;

/*
 * bn_store_scratch_new - a new empty scratch folder of the store
 * (skills/.tmp-PID-RAND, *out owned): what is built there can be
 * committed into the store by one rename.  S holds a lock on it until
 * bn_store_scratch_remove or bn_store_free, so other processes and
 * threads leave it alone; once that lock is gone (the process died),
 * the next bn_store_open removes it.
 */
int bn_store_scratch_new(char **out, bn_store *s, bn_err *err) BN_MUST_USE;
/* Remove scratch folder PATH (from bn_store_scratch_new; NULL is a no-op)
   and release its lock. */
void bn_store_scratch_remove(bn_store *s, const char *path);

/* How bn_store_skill_install commits a folder. */
typedef struct bn_store_install_opts {
	const char *tier;      /* "local", "verified", "untrusted" */
	const char *source;    /* where it came from, for the index */
	const json_t *marker;  /* more fields for the marker file, or NULL */
	bool replace;          /* swap with an installed skill of the name */
	const bn_strv *granted; /* the grants approved with it ("cap=scope"),
				   or NULL: kept in the index with the
				   install until bn_store_skill_grants_done */
	const char *grant_bot; /* the bot they are for; NULL: every bot */
} bn_store_install_opts;

/*
 * bn_store_skill_install - commit folder DIR (inside a scratch folder from
 * bn_store_scratch_new) as the skill its SKILL.md names: the index records
 * the install in flight (tier, source, tree hash), a marker file
 * .bnity-install.json (O's marker fields + tier + source, for the
 * registry; never trusted for the tier) is written into it, then one
 * rename(2) commits it (renameat2 RENAME_EXCHANGE when replacing), and the
 * index row follows.  A kill before the rename leaves the store as it was
 * (the scratch is removed at the next open); after it, the next open's
 * reconcile completes the row when the folder hashes as recorded.
 * BN_EEXIST when NAME is installed and !replace; BN_EINVAL when the name
 * cannot be a store folder.  The caller removes the scratch folder.
 */
int bn_store_skill_install(bn_store *s, const char *dir,
			   const bn_store_install_opts *o,
			   bn_err *err) BN_MUST_USE;

/*
 * bn_store_skill_grants_pending - the grants an install of NAME approved
 * (O->granted, O->grant_bot of bn_store_skill_install) that
 * bn_store_skill_grants_done has not yet settled, once the install is
 * complete: appended to *granted, *bot_out (owned; NULL: every bot),
 * *found true.  After a crash between the commit and the grants, these
 * (from the database) are what the caller writes, never a list the skill
 * folder carries.  *found false when there are none.
 */
int bn_store_skill_grants_pending(bn_strv *granted, char **bot_out,
				  bool *found, bn_store *s, const char *name,
				  bn_err *err) BN_MUST_USE;
/* bn_store_skill_grants_done - the grants of NAME's install are written:
   forget them. */
int bn_store_skill_grants_done(bn_store *s, const char *name,
			       bn_err *err) BN_MUST_USE;

/*
 * bn_store_skill_rebuilt - installed skill NAME, whose files hashed to
 * its record BEFORE when its module was rebuilt from them (the caller
 * checked that with bn_store_skill_verify), has a new skill.wasm: the
 * record takes what the folder hashes to now, keeping tier and source,
 * and its grants follow.  BN_EINVAL when the record is no longer BEFORE.
 */
int bn_store_skill_rebuilt(bn_store *s, const char *name, const char *before,
			   bn_err *err) BN_MUST_USE;

/*
 * bn_store_skill_verify - check installed skill NAME against what the
 * store recorded when it came in: its files hash to the recorded tree
 * hash, the marker file claims no other tier than the recorded one, and
 * the recorded tier is EXPECT_TIER (NULL: not checked; a lockfile's).
 * BN_EINVAL naming what differs, BN_ENOTFOUND without a record.
 */
int bn_store_skill_verify(bn_store *s, const char *name,
			  const char *expect_tier, bn_err *err) BN_MUST_USE;

/*
 * bn_store_skill_identity - the identity (tree hash) that grants for skill
 * NAME, loaded from DIR, belong to: the store's record for NAME when DIR
 * is NULL or inside the store, else DIR's tree hash.  BN_ENOTFOUND when
 * NAME is not installed (and DIR is not given).
 */
int bn_store_skill_identity(char out[BN_SKILL_TREE_HASH_SIZE], bn_store *s,
			    const char *name, const char *dir,
			    bn_err *err) BN_MUST_USE;

/* bn_store_skill_remove - remove NAME from the store and every bot. */
int bn_store_skill_remove(bn_store *s, const char *name,
			  bn_err *err) BN_MUST_USE;

/* Bots. */
int bn_store_bot_create(bn_store *s, const bn_store_bot *bot,
			bn_err *err) BN_MUST_USE;
int bn_store_bot_get(bn_store_bot *out, bn_store *s, const char *slug,
		     bn_err *err) BN_MUST_USE;
/* All bots, by slug; *out is an owned array of *n_out bots. */
int bn_store_bot_list(bn_store_bot **out, size_t *n_out, bn_store *s,
		      bn_err *err) BN_MUST_USE;
int bn_store_bot_remove(bn_store *s, const char *slug,
			bn_err *err) BN_MUST_USE;

/* Attachments: SKILL must be a usable skill, BOT an existing bot. */
int bn_store_attach(bn_store *s, const char *bot, const char *skill,
		    bn_err *err) BN_MUST_USE;
int bn_store_detach(bn_store *s, const char *bot, const char *skill,
		    bn_err *err) BN_MUST_USE;
int bn_store_set_enabled(bn_store *s, const char *bot, const char *skill,
			 bool enabled, bn_err *err) BN_MUST_USE;
/* The bot's attachments by skill name; *out owned (free each .skill). */
int bn_store_bot_skills(bn_store_attachment **out, size_t *n_out,
			bn_store *s, const char *bot, bn_err *err) BN_MUST_USE;
void bn_store_attachments_free(bn_store_attachment *v, size_t n);

/* "store", "user", "project". */
const char *bn_store_origin_name(bn_store_origin o);

#endif

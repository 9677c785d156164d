/* SPDX-License-Identifier: MIT */
/* store/store_int.h - what the files of the store module share. */
#ifndef BN_STORE_STORE_INT_H
#define BN_STORE_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "store.h"

struct bn_store {
	char *home;         /* $BNITY_HOME, absolute */
	char *skills_dir;   /* $BNITY_HOME/skills */
	char *db_path;      /* where the database is, for messages: the
			       file $BNITY_HOME/boternity.db, or the
			       PostgreSQL URL without its password */
	char *db_url;       /* the PostgreSQL URL as given, or NULL */
	char *cwd;          /* where project skills are looked for, or NULL */
	const struct bn_store__backend *be; /* SQLite or PostgreSQL */
	void *db;           /* the back end's connection, or NULL */
	struct {            /* scratch folders this store made and locks */
		char *path;
		int lock_fd;
	} *scratch;
	size_t n_scratch;
	struct bn_store__stmt **stmts; /* prepared statements kept for
					  reuse */
	size_t n_stmts;
	char *seen_key;     /* the skills folder's key at the last
			       reconcile (bn_store__refresh), or NULL */
	uint64_t checked_ms; /* when it last reconciled (monotonic) */
	/* the user's and the project's agent folders (store/agents.h),
	   found once per handle: $HOME and cwd resolved, the repository
	   root looked up (a long-lived server's handle lists them again
	   and again for every run) */
	bool others_known;
	bn_strv user_folders, project_folders;
	/* runs whose closing audit write failed (audit.c), retried before
	   the next statement once one has worked again */
	struct bn_store__audit_end *ends;
	size_t n_ends;
	bool ends_due;      /* a statement worked since they failed */
	bool ends_busy;     /* being retried */
};

/* A parameter of a statement: text (NULL binds NULL), an integer, or
   bytes (copied when bound). */
typedef struct bn_store__arg {
	char kind;               /* 't', 'i', 'b' */
	const void *p;           /* the text or the bytes */
	int64_t i;               /* the integer, or how many bytes */
} bn_store__arg;
#define BN_STORE__TEXT(v) ((bn_store__arg){ 't', (v), 0 })
#define BN_STORE__INT(v) ((bn_store__arg){ 'i', NULL, (int64_t)(v) })
#define BN_STORE__BLOB(v, n) ((bn_store__arg){ 'b', (v), (int64_t)(n) })
#define BN_STORE__NARGS(a) (sizeof(a) / sizeof((a)[0]))

/*
 * A prepared statement of the store, whichever back end made it.  The
 * back end's own statement begins with this; the files of the store
 * read a row only through the accessors below (bn_store__col_*).
 */
typedef struct bn_store__stmt {
	const struct bn_store__backend *be;
	char *sql;                /* the text it was prepared from (owned) */
	bool busy;                /* handed out by bn_store__prepare */
} bn_store__stmt;

/*
 * A back end of the store (sqlite.c, pg.c): its connection, statements
 * and the SQL that is truly its own.  Everything else of the store is
 * written once, in the SQL both speak: ?N parameters, INSERT ... ON
 * CONFLICT, RETURNING, times computed in C.
 */
typedef struct bn_store__backend {
	const char *name;                    /* "SQLite", in messages */
	/* Connect S->db; S->db_path names the database. */
	int (*open)(bn_store *s, bn_err *err);
	void (*close)(bn_store *s);
	/* Run SQL, one or more statements without rows nor parameters. */
	int (*exec)(bn_store *s, const char *sql, bn_err *err);
	/* What the last failed call of S said. */
	const char *(*errmsg)(bn_store *s);
	int (*prepare)(bn_store__stmt **out, bn_store *s, const char *sql,
		       bn_err *err);
	/* Bind A to parameter I (from 1) of ST, copied. */
	void (*bind)(bn_store__stmt *st, int i, const bn_store__arg *a);
	/* 1 for a row, 0 when done, BN_EIO. */
	int (*step)(bn_store *s, bn_store__stmt *st, bn_err *err);
	/* Back to before its first step, its parameters unbound. */
	void (*reset)(bn_store__stmt *st);
	/* Release ST and what the back end keeps of it (not ST->sql). */
	void (*finalize)(bn_store__stmt *st);
	/* The columns of the row ST stands on. */
	int (*ncols)(bn_store__stmt *st);
	bool (*is_null)(bn_store__stmt *st, int i);
	int64_t (*col_int)(bn_store__stmt *st, int i);
	double (*col_real)(bn_store__stmt *st, int i);
	const char *(*col_text)(bn_store__stmt *st, int i);
	const void *(*col_blob)(bn_store__stmt *st, int i, size_t *n);
	/* Whether a transaction is open. */
	bool (*in_tx)(bn_store *s);
	/* Rows the last statement S stepped to its end changed. */
	size_t (*changes)(bn_store *s);
	void (*lock_timeout)(bn_store *s, unsigned ms);
	/* The schema's step number, and setting it (in the step's
	   transaction). */
	int (*version_get)(bn_store *s, int *out, bn_err *err);
	int (*version_set)(bn_store *s, int v, bn_err *err);
	/* The migrations: the same steps, numbered the same, in its own
	   DDL. */
	const char *const *migrations;
	size_t n_migrations;
	/* The statement that begins a write transaction, taking the
	   writers' lock at once. */
	const char *begin;
	/* A bot's memories matching a query (memory.c): ?1 the query, ?2
	   the bot, ?3 how many; columns id, text, created_at, rank (lower
	   is better). */
	const char *memory_search;
	/* The database's catalog, for export (dump.c): TABLES the names of
	   its tables (one column); COLUMNS, ?1 a table, the name and
	   declared type of each column a row is written with (not the
	   generated ones), in order.  ID_SYNC, when not NULL: after rows
	   came in with their ids, the next id table ?1 gives is ?2. */
	const char *tables;
	const char *columns;
	const char *id_sync;
} bn_store__backend;

/* The functions of back end P, each named P_field (sqlite.c, pg.c). */
#define BN_STORE__BACKEND_FNS(p)                                          \
	.open = p##_open, .close = p##_close, .exec = p##_exec,           \
	.errmsg = p##_errmsg, .prepare = p##_prepare, .bind = p##_bind,   \
	.step = p##_step, .reset = p##_reset, .finalize = p##_finalize,   \
	.ncols = p##_ncols, .is_null = p##_is_null,                       \
	.col_int = p##_col_int, .col_real = p##_col_real,                 \
	.col_text = p##_col_text, .col_blob = p##_col_blob,               \
	.in_tx = p##_in_tx, .changes = p##_changes,                       \
	.lock_timeout = p##_lock_timeout, .version_get = p##_version_get, \
	.version_set = p##_version_set, .migrations = migrations,         \
	.n_migrations = sizeof(migrations) / sizeof(migrations[0])

extern const bn_store__backend bn_store__sqlite;
extern const bn_store__backend bn_store__pg;
/* Whether URL names a PostgreSQL database (postgresql://, postgres://). */
bool bn_store__is_pg_url(const char *url);
/* URL without its password (owned), for messages. */
char *bn_store__url_redact(const char *url);

/*
 * The SQL helpers of the store's files (db.c).  Every failure is BN_EIO
 * with a message naming the database and what it said.
 */
int bn_store__db_open(bn_store *s, bn_err *err);
int bn_store__exec(bn_store *s, const char *sql, bn_err *err);
/*
 * bn_store__prepare - SQL as a statement of S: a kept one of the same
 * text when one is free, else a new one.  Give every statement back with
 * bn_store__done (never finalize it), which resets it and keeps it
 * for the next prepare of that text (up to BN_STORE__STMTS_MAX of them;
 * parsing SQL was a large part of every request of the server).
 */
#define BN_STORE__STMTS_MAX 64
int bn_store__prepare(bn_store__stmt **out, bn_store *s, const char *sql,
		      bn_err *err);
/* Give back ST (NULL: nothing) from bn_store__prepare or __query. */
void bn_store__done(bn_store *s, bn_store__stmt *st);
/* Finalize every kept statement (before the database closes). */
void bn_store__stmts_clear(bn_store *s);
/* The error of S's last failed call: BN_EIO "DB: what it said". */
int bn_store__fail(bn_store *s, bn_err *err);
/* Step ST: 1 for a row, 0 when done, BN_EIO (ST stays to give back). */
int bn_store__step(bn_store *s, bn_store__stmt *st, bn_err *err);
/* Step a statement that returns no rows, then give it back. */
int bn_store__step_done(bn_store *s, bn_store__stmt *st, bn_err *err);
/* Rows the last statement of S changed. */
size_t bn_store__changes(bn_store *s);
/* Whether S has a transaction open. */
bool bn_store__in_tx(bn_store *s);

/* Column I of the row ST stands on: an integer (0 for NULL), a number,
   text (NULL for NULL; valid until the next step), bytes (*n how many;
   NULL for none), whether it is NULL, and how many columns there are. */
int64_t bn_store__col_int(bn_store__stmt *st, int i);
double bn_store__col_real(bn_store__stmt *st, int i);
const char *bn_store__col_text(bn_store__stmt *st, int i);
const void *bn_store__col_blob(bn_store__stmt *st, int i, size_t *n);
bool bn_store__col_null(bn_store__stmt *st, int i);
int bn_store__col_count(bn_store__stmt *st);


/* Prepare SQL with ARGS[0..n) bound to ?1, ?2, ... */
int bn_store__query(bn_store__stmt **out, bn_store *s, const char *sql,
		    const bn_store__arg *args, size_t n, bn_err *err);
/* Run SQL, which returns no rows, with ARGS[0..n). */
int bn_store__run(bn_store *s, const char *sql, const bn_store__arg *args,
		  size_t n, bn_err *err);
/* Run SQL, a DELETE, with ARGS[0..n): *found_out whether it removed a
   row (the removes that tell "no such row" from success). */
int bn_store__remove(bool *found_out, bn_store *s, const char *sql,
		     const bn_store__arg *args, size_t n, bn_err *err);

/* Run SQL, a statement ending in RETURNING one integer column (the new
   row's id), with ARGS[0..n): *id_out that integer. */
int bn_store__insert_id(int64_t *id_out, bn_store *s, const char *sql,
			const bn_store__arg *args, size_t n, bn_err *err);

/* Fill ITEM from the row ST stands on; release what an item holds. */
typedef void (*bn_store__row_fn)(void *item, bn_store__stmt *st);
typedef void (*bn_store__clear_fn)(void *item);
/*
 * bn_store__rows - every row of ST (finalized here) as a new array of
 * items of SIZE bytes filled by ROW: *(T **)OUT owned, *n_out items.  On
 * failure the items read so far are released with CLEAR and freed.
 */
int bn_store__rows(void *out, size_t *n_out, size_t size, bn_store *s,
		   bn_store__stmt *st, bn_store__row_fn row,
		   bn_store__clear_fn clear, bn_err *err);
/* The first row of ST (finalized here) into ITEM by ROW and *found_out
   true; *found_out false and ITEM untouched when there is none.  ROW may
   be NULL: only whether there is a row. */
int bn_store__row(void *item, bool *found_out, bn_store *s,
		  bn_store__stmt *st, bn_store__row_fn row, bn_err *err);
/* Release N items of SIZE bytes at V with CLEAR, then V. */
void bn_store__rows_free(void *v, size_t n, size_t size,
			 bn_store__clear_fn clear);

/*
 * How a row fills an item: a table of columns, where column I of the row
 * goes to the field cols[I] names, by the field's type: char * (an owned
 * copy; NULL for NULL), bool (not 0), long or long long, or bn_strv (the
 * strings of a JSON array in a text column).
 */
typedef struct bn_store__col {
	size_t offset;            /* of the field in the item */
	char kind;                /* 't', 'b', 'l', 'q' or 'a', as above */
} bn_store__col;
#define BN_STORE__COL(type, field)                                        \
	{ offsetof(type, field), _Generic(((type *)0)->field,             \
		char *: 't', bool: 'b', long: 'l', long long: 'q',        \
		bn_strv: 'a') }

/* A shape of items of TYPE: the columns COLS (an array), ROW, CLEAR. */
#define BN_STORE__SHAPE_OF(type, cols, row, clear)                      \
	{ sizeof(type), cols, BN_STORE__NARGS(cols), row, clear }

/* NAME_cols, the columns given (BN_STORE__COL), and NAME_shape, items of
   TYPE read by them alone. */
#define BN_STORE__TABLE(name, type, ...)                                  \
	static const bn_store__col name##_cols[] = { __VA_ARGS__ };       \
	static const bn_store__shape name##_shape =                       \
		BN_STORE__SHAPE_OF(type, name##_cols, NULL, NULL)

typedef struct bn_store__shape {
	size_t size;               /* bytes of an item */
	const bn_store__col *cols; /* the first NCOLS columns, or NULL */
	size_t ncols;
	bn_store__row_fn row;      /* fills what the columns do not, or NULL */
	bn_store__clear_fn clear;  /* releases what ROW filled, or NULL */
} bn_store__shape;

/*
 * bn_store__select - the rows of SQL with ARGS[0..n) bound, as a new array
 * of items of SH: *(T **)OUT owned (release it with
 * bn_store__select_free), *n_out items.
 */
int bn_store__select(void *out, size_t *n_out, const bn_store__shape *sh,
		     bn_store *s, const char *sql, const bn_store__arg *args,
		     size_t n, bn_err *err);
/* The first row of SQL into ITEM and *found_out true; *found_out false
   and ITEM untouched when there is none.  SH NULL: only whether there
   is a row. */
int bn_store__select_one(void *item, bool *found_out,
			 const bn_store__shape *sh, bn_store *s,
			 const char *sql, const bn_store__arg *args,
			 size_t n, bn_err *err);
/* Release what the N items at V hold, then V. */
void bn_store__select_free(void *v, size_t n, const bn_store__shape *sh);
/* Release what the one ITEM of SH holds (not ITEM itself). */
void bn_store__shape_clear(void *item, const bn_store__shape *sh);

/* The skill index (index.c): the one place that writes skill_index. */
/* Insert or update M's row; TIER and SOURCE NULL keep what the row has
   (a new row: "local", "created"), given they also stamp installed_at;
   HASH (the tree hash, skill/tree.h) NULL keeps the row's.  Clears an
   install in flight, but not the grants it approved (pending_grants),
   which wait for bn_store_skill_grants_done. */
int bn_store__index_put(bn_store *s, const bn_skill_manifest *m,
			const char *tier, const char *source,
			const char *hash, bn_err *err);
/* Record an install of M in flight (before its rename): the reconcile
   completes it with TIER, SOURCE and HASH when the folder it finds
   hashes to HASH, and drops it otherwise.  A new row stays "untrusted"
   until then. */
int bn_store__index_pending(bn_store *s, const bn_skill_manifest *m,
			    const char *tier, const char *source,
			    const char *hash, bn_err *err);
/* Settle NAME's row with HASH, what its folder hashes to now ("" when
   it cannot be hashed): an install in flight to HASH is completed, any
   other dropped with its approved grants; a row without a tree hash
   takes HASH. */
int bn_store__index_settle(bn_store *s, const char *name,
			   const char *hash, bn_err *err);
int bn_store__index_remove(bn_store *s, const char *name, bn_err *err);
/* Every name in the index (appended to *out). */
int bn_store__index_names(bn_strv *out, bn_store *s, bn_err *err);
/* The names whose row has an install in flight or no tree hash yet. */
int bn_store__index_unsettled(bn_strv *out, bn_store *s, bn_err *err);
/* NAME's tier, or "local" when it has no row (owned). */
char *bn_store__index_tier(bn_store *s, const char *name);
/* NAME's tree hash (owned), or NULL when it has none. */
char *bn_store__index_hash(bn_store *s, const char *name);
/* Set NAME's pending_grants to GRANTS (JSON text; NULL clears them). */
int bn_store__index_pending_grants(bn_store *s, const char *name,
				   const char *grants, bn_err *err);
/* NAME's pending_grants (owned) once its install is complete (no
   pending_hash), else NULL. */
char *bn_store__index_pending_grants_get(bn_store *s, const char *name);
/* Skill trees in the database (trees.c). */
/* Store every file of folder DIR (its listing and the install marker)
   as identity TREE: BN_EINVAL, nothing stored, when DIR does not hash
   to TREE or a file changes while it is read. */
int bn_store__tree_put(bn_store *s, const char *dir, const char *tree,
		       bn_err *err);
/* Store the files of every skill in the index whose identity the
   database lacks, from its folder here when that still hashes to the
   identity (folders that do not are left out); *n_out (may be NULL) how
   many were stored. */
int bn_store__trees_upload(size_t *n_out, bn_store *s, bn_err *err);
/* Whether the database holds identity TREE's files. */
bool bn_store__tree_has(bn_store *s, const char *tree);
/* Forget identity TREE's files unless a row of the index still names
   it, and every blob no file names. */
int bn_store__tree_forget(bn_store *s, const char *tree, bn_err *err);
/* Write identity TREE from the database as the store folder NAME: every
   file's bytes checked against its hash, then the tree hash, in a
   scratch folder committed by one rename: swapped with the folder NAME
   has when REPLACE, else a folder NAME already there is left as it is.
   BN_EINVAL naming the skill and file on a mismatch or a path that
   cannot be below the folder. */
int bn_store__tree_materialize(bn_store *s, const char *name,
			       const char *tree, bool replace, bn_err *err);
/* The identity (tree hash) of store folder NAME when this home last
   installed, wrote or indexed it (skills-had/NAME; owned, "" when not
   known), or NULL when it never had NAME.  A folder missing that this
   home had was removed here, by hand; an index row without a folder
   and no record is a skill another home (a replica on the same
   database) installed, to be written from the database; a record other
   than the row's identity, an update made through another home; a
   folder with a record but no row, removed through another home.  Set
   it (TREE NULL: forget it; best effort). */
char *bn_store__had(bn_store *s, const char *name);
void bn_store__had_set(bn_store *s, const char *name, const char *tree);
/*
 * The audit rows whose closing write failed (audit.c): at most
 * BN_STORE__AUDIT_ENDS_MAX per handle, each closed as "error" with why
 * the run reported an error.  bn_store__audit_ends_retry writes them
 * (outside a transaction; called before a statement once one worked
 * again, and as the handle is freed), keeping those that fail again;
 * bn_store__audit_ends_clear forgets them.
 */
#define BN_STORE__AUDIT_ENDS_MAX 64
void bn_store__audit_ends_retry(bn_store *s);
void bn_store__audit_ends_clear(bn_store *s);
/* Store skill NAME, whose record is identity BEFORE, changed in its
   folder (rebuilt, or its SKILL.md edited from OLD; NULL: the same
   SKILL.md): its files are stored and the record takes what the folder
   hashes to now, keeping tier and source; the grants of the scopes
   declared as before follow, BEFORE's files leave the database.
   BN_EINVAL when the record is no longer BEFORE (install.c). */
int bn_store__skill_reidentify(bn_store *s, const char *name,
			       const char *before,
			       const bn_skill_manifest *old, bn_err *err);
/* Remove SKILL from every bot (bots.c). */
int bn_store__attachments_remove(bn_store *s, const char *skill,
				 bn_err *err);

/* Grants follow their skill's identity (grants.c). */
/* Remove every grant of SKILL, of every identity (the skill is gone). */
int bn_store__grants_forget(bn_store *s, const char *skill, bn_err *err);
/* SKILL's content changed from OLD_HASH (NULL: none) to NEW_HASH: the
   grants of OLD_HASH whose capability is in KEEP (the user approved the
   same scope before) move to NEW_HASH, the others of OLD_HASH go. */
int bn_store__grants_carry(bn_store *s, const char *skill,
			   const char *old_hash, const char *new_hash,
			   const bn_strv *keep, bn_err *err);
/* Bind the grants migrated without an identity to the skill installed
   now, dropping those of skills not installed; with APPLY false only
   set *NEED when there are some. */
int bn_store__grants_bind(bn_store *s, bool apply, bool *need, bn_err *err);

/* Make the index agree with the folders at open: the folders are
   compared only when the skills folder changed (its key, scan.c). */
int bn_store__reconcile(bn_store *s, bn_err *err);
/* The same, comparing every folder whatever the key says. */
int bn_store__reconcile_full(bn_store *s, bn_err *err);

/* Listing (scan.c, store.c). */
/* The stat key of folder DIR (owned), or NULL when it is no folder or
   changed too recently for its key to be trusted. */
char *bn_store__dir_key(const char *dir);
/* The skills folder's key recorded by the last full reconcile (*out
   owned, NULL when none); record KEY (NULL: forget it). */
int bn_store__dir_key_get(char **out, bn_store *s, bn_err *err);
int bn_store__dir_key_set(bn_store *s, const char *key, bn_err *err);
/* Add the store's skills to L: from the index's cached loads for the
   folders whose key is unchanged, loading (and caching) the others. */
int bn_store__scan_store(bn_store_skills *l, bn_store *s, bn_err *err);
/* Add the store's skills named in NAMES, and those they name as parents
   or dependencies, transitively, to L unless L has them already. */
int bn_store__scan_named(bn_store_skills *l, bn_store *s,
			 const bn_strv *names, bn_err *err);
/* Load the skill folder DIR leniently: *out (owned) or NULL when it is
   not a valid skill; its warnings (or why it was skipped) to WARNINGS. */
void bn_store__load_skill(bn_skill_manifest **out, bn_strv *warnings,
			  const char *dir);
/* A new zeroed entry named NAME at the end of L (borrowed from L). */
bn_store_skill *bn_store__skills_add(bn_store_skills *l, const char *name);
/* A store skill NAME of folder ROOT added to L, its name, dir, origin_dir,
   TIER and HASH (NULL: none) packed into one allocation. */
bn_store_skill *bn_store__skills_add_store(bn_store_skills *l,
					   const char *name, const char *root,
					   const char *tier, const char *hash);
/* Free what SK owns but its name, which stays (unpacked): SK is to be
   filled again.  With KEEP_NAME false the name goes too. */
void bn_store__skill_release(bn_store_skill *sk, bool keep_name);
/* A bn_store__row_fn: the first column as an owned string (char **). */
void bn_store__text_row(void *item, bn_store__stmt *st);
/* Complete or drop installs in flight and fill missing tree hashes
   (install.c); with APPLY false only set *NEED when there are some. */
int bn_store__install_reconcile(bn_store *s, bool apply, bool *need,
				bn_err *err);
/* A dup of column I of ST, or NULL when the column is NULL. */
char *bn_store__col_dup(bn_store__stmt *st, int i);
/* True when NAME follows the skill and bot naming rules (ASCII form). */
bool bn_store__slug_ok(const char *name);
/*
 * bn_store__scratch_make - a new locked scratch folder skills/.KIND-PID-RAND
 * (KIND "tmp" or "trash"; *out owned); the lock is held until
 * bn_store_scratch_remove or bn_store_free.
 */
int bn_store__scratch_make(char **out, bn_store *s, const char *kind,
			   bn_err *err);
/* Remove the scratch folders whose owner is gone (not locked). */
int bn_store__scratch_clean(bn_store *s, bn_err *err);
/* Release every scratch lock S holds (bn_store_free). */
void bn_store__scratch_release_all(bn_store *s);

#endif

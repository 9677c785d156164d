/* SPDX-License-Identifier: MIT */
/* store/store_int.h - what the files of the store module share. */
#ifndef BN_STORE_STORE_INT_H
#define BN_STORE_STORE_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "base/buf.h"
#include "store.h"

struct bn_store {
	char *home;         /* $BNITY_HOME, absolute */
	char *skills_dir;   /* $BNITY_HOME/skills */
	char *db_path;      /* $BNITY_HOME/boternity.db */
	char *cwd;          /* where project skills are looked for, or NULL */
	sqlite3 *db;
	struct {            /* scratch folders this store made and locks */
		char *path;
		int lock_fd;
	} *scratch;
	size_t n_scratch;
};

/*
 * The SQL helpers of the store's files (db.c).  Every failure is BN_EIO
 * with a message naming the database file and what SQLite said.
 */
int bn_store__db_open(bn_store *s, bn_err *err);
int bn_store__exec(bn_store *s, const char *sql, bn_err *err);
int bn_store__prepare(sqlite3_stmt **out, bn_store *s, const char *sql,
		      bn_err *err);
/* The error of S's last failed call: BN_EIO "DB: what SQLite said". */
int bn_store__fail(bn_store *s, bn_err *err);
/* Step ST: 1 for a row, 0 when done, BN_EIO (ST stays to finalize). */
int bn_store__step(bn_store *s, sqlite3_stmt *st, bn_err *err);
/* Step a statement that returns no rows, then finalize it. */
int bn_store__step_done(bn_store *s, sqlite3_stmt *st, bn_err *err);
/* Bind V as text parameter I of ST (copied); NULL binds NULL. */
void bn_store__bind_text(sqlite3_stmt *st, int i, const char *v);
/* Rows the last statement of S changed; its last inserted row id. */
size_t bn_store__changes(bn_store *s);
int64_t bn_store__last_id(bn_store *s);

/* The skill index (index.c): the one place that writes skill_index. */
/* Insert or update M's row; TIER and SOURCE NULL keep what the row has
   (a new row: "local", "created"), given they also stamp installed_at. */
int bn_store__index_put(bn_store *s, const bn_skill_manifest *m,
			const char *tier, const char *source, bn_err *err);
int bn_store__index_remove(bn_store *s, const char *name, bn_err *err);
/* Every name in the index (appended to *out). */
int bn_store__index_names(bn_strv *out, bn_store *s, bn_err *err);
/* NAME's tier, or "local" when it has no row (owned). */
char *bn_store__index_tier(bn_store *s, const char *name);
/* Whether NAME's row has TIER and SOURCE. */
bool bn_store__index_has(bn_store *s, const char *name, const char *tier,
			 const char *source);
/* Remove SKILL from every bot (bots.c). */
int bn_store__attachments_remove(bn_store *s, const char *skill,
				 bn_err *err);

int bn_store__reconcile(bn_store *s, bn_err *err);
/* Make index tiers and sources agree with install markers (install.c);
   with APPLY false only set *NEED when they disagree. */
int bn_store__install_reconcile(bn_store *s, bool apply, bool *need,
				bn_err *err);
/* A dup of column I of ST, or NULL when the column is NULL. */
char *bn_store__col_dup(sqlite3_stmt *st, int i);
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
/* Crash on purpose at a named point when BNITY_FAULT names it (tests). */
void bn_store__fault(const char *point);

#endif

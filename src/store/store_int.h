/* SPDX-License-Identifier: MIT */
/* store/store_int.h - what the files of the store module share. */
#ifndef BN_STORE_STORE_INT_H
#define BN_STORE_STORE_INT_H

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

int bn_store__db_open(bn_store *s, bn_err *err);
int bn_store__exec(bn_store *s, const char *sql, bn_err *err);
int bn_store__prepare(sqlite3_stmt **out, bn_store *s, const char *sql,
		      bn_err *err);
/* Step a statement that returns no rows, then finalize it. */
int bn_store__step_done(bn_store *s, sqlite3_stmt *st, bn_err *err);
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

#endif

/* SPDX-License-Identifier: MIT */
/*
 * store/db.c - the store's database, whichever back end keeps it
 * (sqlite.c, pg.c): the statements the store's files run, kept for
 * reuse, rows read into items, transactions and the schema migrations
 * (each back end numbers the same steps the same way).
 */
#include "store_int.h"

#include <assert.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bn_store__fail(bn_store *s, bn_err *err)
{
	return bn_err_set(err, BN_EIO, "%s: %s", s->db_path,
			  s->db ? s->be->errmsg(s) : "not open");
}

int bn_store__exec(bn_store *s, const char *sql, bn_err *err)
{
	/* our transactions never nest, and COMMIT ends one we began */
	assert(strncmp(sql, "BEGIN", 5) != 0 || !s->be->in_tx(s));
	assert(strcmp(sql, "COMMIT") != 0 || s->be->in_tx(s));
	return s->be->exec(s, sql, err);
}

int bn_store__prepare(bn_store__stmt **out, bn_store *s, const char *sql,
		      bn_err *err)
{
	bn_store__stmt *st;
	int r;

	/* audit rows left "running" by a failed write, now that the
	   database answers again */
	if (s->ends_due)
		bn_store__audit_ends_retry(s);
	for (size_t i = 0; i < s->n_stmts; i++) {
		st = s->stmts[i];
		if (!st->busy && strcmp(st->sql, sql) == 0) {
			st->busy = true;
			*out = st;
			return 0;
		}
	}
	if ((r = s->be->prepare(&st, s, sql, err)))
		return r;
	st->be = s->be;
	st->sql = bn_xstrdup(sql);
	st->busy = true;
	*out = st;
	return 0;
}

static void stmt_free(bn_store__stmt *st)
{
	char *sql = st->sql;

	st->be->finalize(st);
	free(sql);
}

void bn_store__done(bn_store *s, bn_store__stmt *st)
{
	if (!st)
		return;
	st->be->reset(st);
	st->busy = false;
	for (size_t i = 0; i < s->n_stmts; i++)
		if (s->stmts[i] == st)
			return;
	if (s->n_stmts == BN_STORE__STMTS_MAX) {
		stmt_free(st);
		return;
	}
	if (!s->stmts)
		s->stmts = bn_xcalloc(BN_STORE__STMTS_MAX, sizeof(*s->stmts));
	s->stmts[s->n_stmts++] = st;
}

void bn_store__stmts_clear(bn_store *s)
{
	for (size_t i = 0; i < s->n_stmts; i++)
		stmt_free(s->stmts[i]);
	free(s->stmts);
	s->stmts = NULL;
	s->n_stmts = 0;
}

int bn_store__step(bn_store *s, bn_store__stmt *st, bn_err *err)
{
	int r = s->be->step(s, st, err);

	if (r >= 0 && s->n_ends && !s->ends_busy)
		s->ends_due = true;
	return r;
}

int bn_store__step_done(bn_store *s, bn_store__stmt *st, bn_err *err)
{
	int r = bn_store__step(s, st, err);

	bn_store__done(s, st);
	return r < 0 ? r : 0;
}

size_t bn_store__changes(bn_store *s)
{
	return s->be->changes(s);
}

bool bn_store__in_tx(bn_store *s)
{
	return s->be->in_tx(s);
}

int64_t bn_store__col_int(bn_store__stmt *st, int i)
{
	return st->be->col_int(st, i);
}

double bn_store__col_real(bn_store__stmt *st, int i)
{
	return st->be->col_real(st, i);
}

const char *bn_store__col_text(bn_store__stmt *st, int i)
{
	return st->be->col_text(st, i);
}

const void *bn_store__col_blob(bn_store__stmt *st, int i, size_t *n)
{
	return st->be->col_blob(st, i, n);
}

bool bn_store__col_null(bn_store__stmt *st, int i)
{
	return st->be->is_null(st, i);
}

int bn_store__col_count(bn_store__stmt *st)
{
	return st->be->ncols(st);
}

char *bn_store__col_dup(bn_store__stmt *st, int i)
{
	const char *t = bn_store__col_text(st, i);
	return t ? bn_xstrdup(t) : NULL;
}

int bn_store__query(bn_store__stmt **out, bn_store *s, const char *sql,
		    const bn_store__arg *args, size_t n, bn_err *err)
{
	bn_store__stmt *st;
	int r = bn_store__prepare(&st, s, sql, err);

	if (r)
		return r;
	for (size_t i = 0; i < n; i++)
		s->be->bind(st, (int)i + 1, &args[i]);
	*out = st;
	return 0;
}

int bn_store__run(bn_store *s, const char *sql, const bn_store__arg *args,
		  size_t n, bn_err *err)
{
	bn_store__stmt *st;
	int r = bn_store__query(&st, s, sql, args, n, err);
	return r ? r : bn_store__step_done(s, st, err);
}

int bn_store__remove(bool *found_out, bn_store *s, const char *sql,
		     const bn_store__arg *args, size_t n, bn_err *err)
{
	int r = bn_store__run(s, sql, args, n, err);

	if (!r)
		*found_out = bn_store__changes(s) > 0;
	return r;
}

int bn_store__insert_id(int64_t *id_out, bn_store *s, const char *sql,
			const bn_store__arg *args, size_t n, bn_err *err)
{
	bn_store__stmt *st;
	int r = bn_store__query(&st, s, sql, args, n, err);

	if (r)
		return r;
	r = bn_store__step(s, st, err);
	if (r == 1)
		*id_out = bn_store__col_int(st, 0);
	bn_store__done(s, st);
	if (r == 0)
		r = bn_err_set(err, BN_EIO, "%s: the new row was not returned",
			       s->db_path);
	return r < 0 ? r : 0;
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

static void shape_read(void *item, bn_store__stmt *st,
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
			*(bool *)f = bn_store__col_int(st, at) != 0;
			break;
		case 'l':
			*(long *)f = (long)bn_store__col_int(st, at);
			break;
		case 'q':
			*(long long *)f = bn_store__col_int(st, at);
			break;
		case 'a':
			strv_read(f, bn_store__col_text(st, at));
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
		   bn_store *s, bn_store__stmt *st, bn_err *err)
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
		  bn_store *s, bn_store__stmt *st, bn_err *err)
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
		   bn_store__stmt *st, bn_store__row_fn row,
		   bn_store__clear_fn clear, bn_err *err)
{
	const bn_store__shape sh = { size, NULL, 0, row, clear };
	return rows_of(out, n_out, &sh, s, st, err);
}

int bn_store__row(void *item, bool *found_out, bn_store *s,
		  bn_store__stmt *st, bn_store__row_fn row, bn_err *err)
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
	bn_store__stmt *st;
	int r = bn_store__query(&st, s, sql, args, n, err);
	return r ? r : rows_of(out, n_out, sh, s, st, err);
}

int bn_store__select_one(void *item, bool *found_out,
			 const bn_store__shape *sh, bn_store *s,
			 const char *sql, const bn_store__arg *args,
			 size_t n, bn_err *err)
{
	bn_store__stmt *st;
	int r = bn_store__query(&st, s, sql, args, n, err);
	return r ? r : row_of(item, found_out, sh, s, st, err);
}

/* ---- transactions and locks ------------------------------------------- */

/* Run SQL, one statement without rows, through the kept statements. */
static int exec_kept(bn_store *s, const char *sql, bn_err *err)
{
	bn_store__stmt *st;
	int r = bn_store__prepare(&st, s, sql, err);

	return r ? r : bn_store__step_done(s, st, err);
}

int bn_store_tx_begin(bn_store *s, bn_err *err)
{
	/* a caller's misuse is an error, not the assert below the API */
	int r;

	if (s->be->in_tx(s))
		return bn_err_set(err, BN_EIO, "%s: a transaction is "
				  "already open", s->db_path);
	/* a begin that could not take the writers' lock leaves nothing
	   open (PostgreSQL's BEGIN did open one) */
	if ((r = bn_store__exec(s, s->be->begin, err)))
		bn_store_tx_rollback(s);
	return r;
}

int bn_store_tx_commit(bn_store *s, bn_err *err)
{
	int r;

	if (!s->be->in_tx(s))
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
	if (s->be->in_tx(s))
		(void)s->be->exec(s, "ROLLBACK", NULL);
}

void bn_store_lock_timeout_set(bn_store *s, unsigned ms)
{
	s->be->lock_timeout(s, ms);
}

static int migrate(bn_store *s, bn_err *err)
{
	int have, want = (int)s->be->n_migrations;
	int r = s->be->version_get(s, &have, err);

	if (r)
		return r;
	if (have > want)
		return bn_err_set(err, BN_EINVAL,
			"%s: written by a newer bnity (schema %d, this "
			"bnity knows %d); upgrade bnity", s->db_path, have,
			want);
	for (; have < want; have++) {
		int now;
		if ((r = bn_store_tx_begin(s, err)))
			return r;
		/* another process may have migrated while this one waited
		   for the lock (replicas starting together) */
		if ((r = s->be->version_get(s, &now, err))) {
			bn_store_tx_rollback(s);
			return r;
		}
		if (now > have) {
			bn_store_tx_rollback(s);
			have = now - 1;
			continue;
		}
		r = bn_store__exec(s, s->be->migrations[have], err);
		if (!r)
			r = s->be->version_set(s, have + 1, err);
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

	if ((r = s->be->open(s, err)))
		return r;
	bn_store_lock_timeout_set(s, BN_STORE_BUSY_TIMEOUT_MS);
	return migrate(s, err);
}

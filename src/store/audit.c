/* SPDX-License-Identifier: MIT */
/* store/audit.c - the audit_runs and audit_calls tables (see audit.h). */
#include "audit.h"

#include <stdlib.h>

#include "store_int.h"

int bn_store_audit_run_add(int64_t *id_out, bn_store *s,
			   const bn_store_audit_run_new *r, bn_err *err)
{
	sqlite3_stmt *st;
	int rc = bn_store__prepare(&st, s,
		"INSERT INTO audit_runs (at_ms, skill, version, tier, bot,"
		" input_sha256, outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
		err);

	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, r->at_ms);
	bn_store__bind_text(st, 2, r->skill);
	bn_store__bind_text(st, 3, r->version);
	bn_store__bind_text(st, 4, r->tier);
	bn_store__bind_text(st, 5, r->bot);
	bn_store__bind_text(st, 6, r->input_sha256);
	bn_store__bind_text(st, 7, r->outcome);
	if ((rc = bn_store__step_done(s, st, err)))
		return rc;
	*id_out = bn_store__last_id(s);
	return 0;
}

int bn_store_audit_run_finish(bn_store *s, int64_t id,
			      const bn_store_audit_run_end *e, bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s,
		"UPDATE audit_runs SET output_sha256 = ?2, fuel = ?3,"
		" memory_peak = ?4, duration_ms = ?5, outcome = ?6, error = ?7"
		" WHERE id = ?1", err);

	if (r)
		return r;
	sqlite3_bind_int64(st, 1, id);
	bn_store__bind_text(st, 2, e->output_sha256);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)e->fuel);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)e->memory_peak);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)e->duration_ms);
	bn_store__bind_text(st, 6, e->outcome);
	bn_store__bind_text(st, 7, e->error);
	return bn_store__step_done(s, st, err);
}

int bn_store_audit_call_add(bn_store *s, int64_t run_id, int64_t at_ms,
			    const char *capability, const char *scope,
			    bool allowed, const char *reason, bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s,
		"INSERT INTO audit_calls (run_id, at_ms, capability, scope,"
		" allowed, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", err);

	if (r)
		return r;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, at_ms);
	bn_store__bind_text(st, 3, capability);
	bn_store__bind_text(st, 4, scope);
	sqlite3_bind_int(st, 5, allowed ? 1 : 0);
	bn_store__bind_text(st, 6, reason);
	return bn_store__step_done(s, st, err);
}

/* Column I of ST as an integer, BN_STORE_AUDIT_NONE when NULL. */
static int64_t col_int_or_none(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ?
	       BN_STORE_AUDIT_NONE : (int64_t)sqlite3_column_int64(st, i);
}

int bn_store_audit_run_list(bn_store_audit_run **out, size_t *n_out,
			    bn_store *s, const bn_store_audit_filter *f,
			    bn_err *err)
{
	bn_store_audit_run *v = NULL;
	size_t n = 0;
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s,
		"SELECT id, at_ms, skill, version, tier, bot, input_sha256,"
		" output_sha256, fuel, memory_peak, duration_ms, outcome, error"
		" FROM audit_runs WHERE (?1 IS NULL OR skill = ?1)"
		" AND (?2 IS NULL OR bot = ?2) AND at_ms >= ?3"
		" AND (?4 IS NULL OR outcome = ?4) AND (?5 = 0 OR id < ?5)"
		" ORDER BY id DESC LIMIT ?6", err);

	if (r)
		return r;
	bn_store__bind_text(st, 1, f->skill);
	bn_store__bind_text(st, 2, f->bot);
	sqlite3_bind_int64(st, 3, f->since_ms);
	bn_store__bind_text(st, 4, f->outcome);
	sqlite3_bind_int64(st, 5, f->before_id);
	sqlite3_bind_int64(st, 6, f->limit ? f->limit : 100);
	while ((r = bn_store__step(s, st, err)) == 1) {
		bn_store_audit_run *x;
		v = bn_xrealloc(v, (n + 1) * sizeof(*v));
		x = &v[n++];
		x->id = sqlite3_column_int64(st, 0);
		x->at_ms = sqlite3_column_int64(st, 1);
		x->skill = bn_store__col_dup(st, 2);
		x->version = bn_store__col_dup(st, 3);
		x->tier = bn_store__col_dup(st, 4);
		x->bot = bn_store__col_dup(st, 5);
		x->input_sha256 = bn_store__col_dup(st, 6);
		x->output_sha256 = bn_store__col_dup(st, 7);
		x->fuel = col_int_or_none(st, 8);
		x->memory_peak = col_int_or_none(st, 9);
		x->duration_ms = col_int_or_none(st, 10);
		x->outcome = bn_store__col_dup(st, 11);
		x->error = bn_store__col_dup(st, 12);
	}
	sqlite3_finalize(st);
	if (r) {
		bn_store_audit_runs_free(v, n);
		return r;
	}
	*out = v;
	*n_out = n;
	return 0;
}

void bn_store_audit_runs_free(bn_store_audit_run *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].skill);
		free(v[i].version);
		free(v[i].tier);
		free(v[i].bot);
		free(v[i].input_sha256);
		free(v[i].output_sha256);
		free(v[i].outcome);
		free(v[i].error);
	}
	free(v);
}

int bn_store_audit_call_list(bn_store_audit_call **out, size_t *n_out,
			     bn_store *s, int64_t run_id, bn_err *err)
{
	bn_store_audit_call *v = NULL;
	size_t n = 0;
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s,
		"SELECT at_ms, capability, scope, allowed, reason"
		" FROM audit_calls WHERE run_id = ?1 ORDER BY id", err);

	if (r)
		return r;
	sqlite3_bind_int64(st, 1, run_id);
	while ((r = bn_store__step(s, st, err)) == 1) {
		v = bn_xrealloc(v, (n + 1) * sizeof(*v));
		v[n].at_ms = sqlite3_column_int64(st, 0);
		v[n].capability = bn_store__col_dup(st, 1);
		v[n].scope = bn_store__col_dup(st, 2);
		v[n].allowed = sqlite3_column_int(st, 3) != 0;
		v[n].reason = bn_store__col_dup(st, 4);
		n++;
	}
	sqlite3_finalize(st);
	if (r) {
		bn_store_audit_calls_free(v, n);
		return r;
	}
	*out = v;
	*n_out = n;
	return 0;
}

void bn_store_audit_calls_free(bn_store_audit_call *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].capability);
		free(v[i].scope);
		free(v[i].reason);
	}
	free(v);
}

/* SPDX-License-Identifier: MIT */
/* store/audit.c - the audit_runs and audit_calls tables (see audit.h). */
#include "audit.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/proc.h"
#include "store_int.h"

int bn_store_audit_run_add(int64_t *id_out, bn_store *s,
			   const bn_store_audit_run_new *r, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__INT(r->at_ms), BN_STORE__TEXT(r->skill),
		BN_STORE__TEXT(r->version), BN_STORE__TEXT(r->tier),
		BN_STORE__TEXT(r->bot), BN_STORE__TEXT(r->input_sha256),
		BN_STORE__TEXT(r->outcome), BN_STORE__TEXT(r->link.kind),
		BN_STORE__TEXT(r->link.detail),
		r->link.session_id ? BN_STORE__INT(r->link.session_id) :
		BN_STORE__TEXT(NULL), r->link.session_id ?
		BN_STORE__INT(r->link.turn) : BN_STORE__TEXT(NULL),
		BN_STORE__TEXT(r->link.tool_call_id),
		r->link.owner_pid ? BN_STORE__INT(r->link.owner_pid) :
		BN_STORE__TEXT(NULL), BN_STORE__INT(r->link.owner_start),
		BN_STORE__TEXT(r->link.owner_host), BN_STORE__TEXT(r->actor),
		BN_STORE__TEXT(r->client),
	};
	return bn_store__insert_id(id_out, s,
		"INSERT INTO audit_runs (at_ms, skill, version, tier, bot,"
		" input_sha256, outcome, kind, detail, session_id, turn,"
		" tool_call_id, owner_pid, owner_start, owner_host, actor,"
		" client) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
		" ?12, ?13, ?14, ?15, ?16, ?17) RETURNING id", a,
		BN_STORE__NARGS(a), err);
}

int bn_store_audit_run_finish(bn_store *s, int64_t id,
			      const bn_store_audit_run_end *e, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__INT(id), BN_STORE__TEXT(e->output_sha256),
		BN_STORE__INT(e->fuel), BN_STORE__INT(e->memory_peak),
		BN_STORE__INT(e->duration_ms), BN_STORE__TEXT(e->outcome),
		BN_STORE__TEXT(e->error),
	};
	return bn_store__run(s,
		"UPDATE audit_runs SET output_sha256 = ?2, fuel = ?3,"
		" memory_peak = ?4, duration_ms = ?5, outcome = ?6, error = ?7"
		" WHERE id = ?1", a, BN_STORE__NARGS(a), err);
}

int bn_store_audit_call_add(bn_store *s, int64_t run_id, int64_t at_ms,
			    const char *capability, const char *scope,
			    bool allowed, const char *reason, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__INT(run_id), BN_STORE__INT(at_ms),
		BN_STORE__TEXT(capability), BN_STORE__TEXT(scope),
		BN_STORE__INT(allowed ? 1 : 0), BN_STORE__TEXT(reason),
	};
	return bn_store__run(s,
		"INSERT INTO audit_calls (run_id, at_ms, capability, scope,"
		" allowed, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		a, BN_STORE__NARGS(a), err);
}

int bn_store_audit_call_rows(size_t *n_out, bn_store *s, int64_t run_id,
			     bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__INT(run_id) };
	bn_store__stmt *st;
	int r = bn_store__query(&st, s,
		"SELECT COUNT(*) FROM audit_calls"
		" WHERE run_id = ?1 AND count IS NULL",
		a, BN_STORE__NARGS(a), err);

	if (r)
		return r;
	r = bn_store__step(s, st, err);
	if (r == 1)
		*n_out = (size_t)bn_store__col_int(st, 0);
	bn_store__done(s, st);
	return r < 0 ? r : 0;
}

int bn_store_audit_call_tally(bn_store *s, int64_t run_id, int64_t at_ms,
			      const char *capability, bool allowed,
			      const char *reason, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__INT(run_id), BN_STORE__INT(at_ms),
		BN_STORE__TEXT(capability), BN_STORE__INT(allowed ? 1 : 0),
		BN_STORE__TEXT(reason),
	};
	return bn_store__run(s,
		"INSERT INTO audit_calls (run_id, at_ms, capability, scope,"
		" allowed, reason, count) VALUES (?1, ?2, ?3, NULL, ?4, ?5, 1)"
		" ON CONFLICT (run_id, capability, allowed)"
		" WHERE count IS NOT NULL"
		" DO UPDATE SET count = audit_calls.count + 1,"
		" at_ms = excluded.at_ms",
		a, BN_STORE__NARGS(a), err);
}

typedef struct lease {
	int64_t id, pid, start, id2;
	char *host;
} lease;

static void lease_row(void *item, bn_store__stmt *st)
{
	lease *l = item;
	l->id = bn_store__col_int(st, 0);
	l->pid = bn_store__col_int(st, 1);
	l->start = bn_store__col_int(st, 2);
	l->host = bn_store__col_dup(st, 3);
	l->id2 = bn_store__col_count(st) > 4 ? bn_store__col_int(st, 4) : 0;
}

static void lease_clear(void *item)
{
	free(((lease *)item)->host);
}

int bn_store__lease_sweep(size_t *n_out, bn_store *s, const char *select,
			  const char *close_sql, const char *what,
			  bn_err *err)
{
	lease *v = NULL;
	size_t n = 0, closed = 0;
	bn_store__stmt *st;
	int r = bn_store__query(&st, s, select, NULL, 0, err);

	if (!r)
		r = bn_store__rows(&v, &n, sizeof(*v), s, st, lease_row,
				   lease_clear, err);
	for (size_t i = 0; !r && i < n; i++) {
		char why[160];
		if (!bn_proc_owner_gone(v[i].pid, v[i].start, v[i].host))
			continue;
		snprintf(why, sizeof(why), "abandoned: process %lld on %s "
			 "ended while %s ran", (long long)v[i].pid, v[i].host,
			 what);
		const bn_store__arg a[] = { BN_STORE__INT(v[i].id),
					    BN_STORE__TEXT(why),
					    BN_STORE__INT(v[i].id2) };
		r = bn_store__run(s, close_sql, a, BN_STORE__NARGS(a), err);
		closed++;
	}
	bn_store__rows_free(v, n, sizeof(*v), lease_clear);
	if (!r && n_out)
		*n_out = closed;
	return r;
}

int bn_store_audit_sweep(size_t *n_out, bn_store *s, bn_err *err)
{
	return bn_store__lease_sweep(n_out, s,
		"SELECT id, owner_pid, owner_start, owner_host FROM audit_runs"
		" WHERE outcome = 'running' AND owner_pid IS NOT NULL",
		"UPDATE audit_runs SET outcome = 'abandoned', error = ?2"
		" WHERE id = ?1 AND outcome = 'running'", "it", err);
}

/* Column I of ST as an integer, BN_STORE_AUDIT_NONE when NULL. */
static int64_t col_int_or_none(bn_store__stmt *st, int i)
{
	return bn_store__col_null(st, i) ?
	       BN_STORE_AUDIT_NONE : (int64_t)bn_store__col_int(st, i);
}

static void run_row(void *item, bn_store__stmt *st)
{
	bn_store_audit_run *x = item;
	x->id = bn_store__col_int(st, 0);
	x->at_ms = bn_store__col_int(st, 1);
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
	x->kind = bn_store__col_dup(st, 13);
	x->detail = bn_store__col_dup(st, 14);
	x->session_id = bn_store__col_int(st, 15);
	x->turn = bn_store__col_int(st, 16);
	x->tool_call_id = bn_store__col_dup(st, 17);
	x->owner_pid = bn_store__col_int(st, 18);
	x->actor = bn_store__col_dup(st, 19);
	x->client = bn_store__col_dup(st, 20);
}

static void run_clear(void *item)
{
	bn_store_audit_run *x = item;
	free(x->skill);
	free(x->version);
	free(x->tier);
	free(x->bot);
	free(x->input_sha256);
	free(x->output_sha256);
	free(x->outcome);
	free(x->error);
	free(x->actor);
	free(x->client);
	free(x->kind);
	free(x->detail);
	free(x->tool_call_id);
}

int bn_store_audit_run_list(bn_store_audit_run **out, size_t *n_out,
			    bn_store *s, const bn_store_audit_filter *f,
			    bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(f->skill), BN_STORE__TEXT(f->bot),
		BN_STORE__INT(f->since_ms), BN_STORE__TEXT(f->outcome),
		BN_STORE__INT(f->before_id),
		BN_STORE__INT(f->limit ? f->limit : 100),
		BN_STORE__INT(f->session_id),
	};
	bn_store__stmt *st;
	int r = bn_store__query(&st, s,
		"SELECT id, at_ms, skill, version, tier, bot, input_sha256,"
		" output_sha256, fuel, memory_peak, duration_ms, outcome, error,"
		" kind, detail, session_id, turn, tool_call_id, owner_pid,"
		" actor, client FROM audit_runs WHERE (?1 IS NULL OR skill = ?1)"
		" AND (?2 IS NULL OR bot = ?2) AND at_ms >= ?3"
		" AND (?4 IS NULL OR outcome = ?4) AND (?5 = 0 OR id < ?5)"
		" AND (?7 = 0 OR session_id = ?7)"
		" ORDER BY id DESC LIMIT ?6", a, BN_STORE__NARGS(a), err);
	return r ? r : bn_store__rows(out, n_out, sizeof(**out), s, st,
				      run_row, run_clear, err);
}

void bn_store_audit_runs_free(bn_store_audit_run *v, size_t n)
{
	bn_store__rows_free(v, n, sizeof(*v), run_clear);
}

static void call_row(void *item, bn_store__stmt *st)
{
	bn_store_audit_call *c = item;
	c->id = bn_store__col_int(st, 0);
	c->at_ms = bn_store__col_int(st, 1);
	c->capability = bn_store__col_dup(st, 2);
	c->scope = bn_store__col_dup(st, 3);
	c->allowed = (int)bn_store__col_int(st, 4) != 0;
	c->reason = bn_store__col_dup(st, 5);
	c->summary = !bn_store__col_null(st, 6);
	c->count = c->summary ? bn_store__col_int(st, 6) : 1;
}

static void call_clear(void *item)
{
	bn_store_audit_call *c = item;
	free(c->capability);
	free(c->scope);
	free(c->reason);
}

int bn_store_audit_call_list(bn_store_audit_call **out, size_t *n_out,
			     bn_store *s, int64_t run_id, int64_t after_id,
			     unsigned limit, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__INT(run_id), BN_STORE__INT(after_id),
		BN_STORE__INT(limit ? limit : 100),
	};
	bn_store__stmt *st;
	int r = bn_store__query(&st, s,
		"SELECT id, at_ms, capability, scope, allowed, reason, count"
		" FROM audit_calls WHERE run_id = ?1 AND id > ?2"
		" ORDER BY id LIMIT ?3",
		a, BN_STORE__NARGS(a), err);
	return r ? r : bn_store__rows(out, n_out, sizeof(**out), s, st,
				      call_row, call_clear, err);
}

void bn_store_audit_calls_free(bn_store_audit_call *v, size_t n)
{
	bn_store__rows_free(v, n, sizeof(*v), call_clear);
}

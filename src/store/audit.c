/* SPDX-License-Identifier: MIT */
/* store/audit.c - the audit_runs and audit_calls tables (see audit.h). */
#include "audit.h"

#include <stdlib.h>

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

/*
 * A run whose closing write failed: the run reported an error, and its
 * row is to say so (outcome "error", ERROR why) as soon as the database
 * takes it, not when the process exits (the owner lease's sweep).
 */
struct bn_store__audit_end {
	int64_t id;
	char *output_sha256;
	int64_t fuel, memory_peak, duration_ms;
	char *error;
};

/* Close row ID with E (OUTCOME and ERROR in place of E's): 0, the
   error of the write, or 1 when the row is gone. */
static int close_row(bn_store *s, int64_t id, const bn_store_audit_run_end *e,
		     const char *outcome, const char *error, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__INT(id), BN_STORE__TEXT(e->output_sha256),
		BN_STORE__INT(e->fuel), BN_STORE__INT(e->memory_peak),
		BN_STORE__INT(e->duration_ms), BN_STORE__TEXT(outcome),
		BN_STORE__TEXT(error),
	};
	int r = bn_store__run(s,
		"UPDATE audit_runs SET output_sha256 = ?2, fuel = ?3,"
		" memory_peak = ?4, duration_ms = ?5, outcome = ?6, error = ?7"
		" WHERE id = ?1", a, BN_STORE__NARGS(a), err);

	return r ? r : bn_store__changes(s) == 0;
}

/* Keep run ID's end E, whose write failed with WHY, for the retry. */
static void end_keep(bn_store *s, int64_t id, const bn_store_audit_run_end *e,
		     const char *why)
{
	struct bn_store__audit_end *k;
	bn_buf b = BN_BUF_INIT;

	/* past the cap the row waits for the sweep after the exit */
	if (s->n_ends == BN_STORE__AUDIT_ENDS_MAX)
		return;
	if (!s->ends)
		s->ends = bn_xcalloc(BN_STORE__AUDIT_ENDS_MAX, sizeof(*s->ends));
	if (bn_buf_printf(&b, "the audit record could not be closed when "
			  "the run ended (%s%s%s), so the run reported an "
			  "error: %s", e->outcome ? e->outcome : "?",
			  e->error ? ": " : "", e->error ? e->error : "",
			  why)) {
		bn_buf_clear(&b);
		return;
	}
	k = &s->ends[s->n_ends++];
	k->id = id;
	k->output_sha256 = e->output_sha256 ?
		bn_xstrdup(e->output_sha256) : NULL;
	k->fuel = (int64_t)e->fuel;
	k->memory_peak = (int64_t)e->memory_peak;
	k->duration_ms = (int64_t)e->duration_ms;
	k->error = bn_buf_take(&b);
}

static void end_clear(struct bn_store__audit_end *k)
{
	free(k->output_sha256);
	free(k->error);
}

void bn_store__audit_ends_retry(bn_store *s)
{
	size_t i, kept = 0;
	int r = 0;

	if (s->ends_busy || !s->db || bn_store__in_tx(s))
		return;
	s->ends_busy = true;
	for (i = 0; i < s->n_ends; i++) {
		struct bn_store__audit_end *k = &s->ends[i];
		bn_store_audit_run_end e = {
			.output_sha256 = k->output_sha256,
			.fuel = (uint64_t)k->fuel,
			.memory_peak = (uint64_t)k->memory_peak,
			.duration_ms = (uint64_t)k->duration_ms,
		};

		/* the database still down: the rest wait with it */
		if (r >= 0)
			r = close_row(s, k->id, &e, "error", k->error, NULL);
		if (r >= 0)
			end_clear(k);
		else
			s->ends[kept++] = *k;
	}
	s->n_ends = kept;
	s->ends_due = false;
	s->ends_busy = false;
}

void bn_store__audit_ends_clear(bn_store *s)
{
	while (s->n_ends)
		end_clear(&s->ends[--s->n_ends]);
	free(s->ends);
	s->ends = NULL;
}

int bn_store_audit_run_finish(bn_store *s, int64_t id,
			      const bn_store_audit_run_end *e, bn_err *err)
{
	bn_err why;
	int r;

	bn_err_init(&why);
	r = close_row(s, id, e, e->outcome, e->error, &why);
	/* a run's outcome is recorded or the run reports an error */
	if (r == 1)
		return bn_err_set(err, BN_EIO, "%s: the audit record #%lld of "
				  "the run is gone: its outcome is not "
				  "recorded", s->db_path, (long long)id);
	if (r) {
		end_keep(s, id, e, why.msg);
		return bn_err_set(err, r, "%s", why.msg);
	}
	return 0;
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

/* Column I of ST as an integer, BN_STORE_AUDIT_NONE when NULL. */
static int64_t col_int_or_none(bn_store__stmt *st, int i)
{
	return bn_store__col_null(st, i) ?
	       BN_STORE_AUDIT_NONE : (int64_t)bn_store__col_int(st, i);
}

/* A run's columns; fuel, memory_peak and duration_ms follow them. */
#define COL(field) BN_STORE__COL(bn_store_audit_run, field)
static const bn_store__col run_cols[] = {
	COL(id), COL(at_ms), COL(skill), COL(version), COL(tier), COL(bot),
	COL(input_sha256), COL(output_sha256), COL(outcome), COL(error),
	COL(kind), COL(detail), COL(session_id), COL(turn), COL(tool_call_id),
	COL(owner_pid), COL(actor), COL(client),
};
#undef COL
#define RUN_NCOLS (int)BN_STORE__NARGS(run_cols)

static void run_row(void *item, bn_store__stmt *st)
{
	bn_store_audit_run *x = item;
	x->fuel = col_int_or_none(st, RUN_NCOLS);
	x->memory_peak = col_int_or_none(st, RUN_NCOLS + 1);
	x->duration_ms = col_int_or_none(st, RUN_NCOLS + 2);
}

static const bn_store__shape run_shape = {
	sizeof(bn_store_audit_run), run_cols, RUN_NCOLS, run_row, NULL,
};

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
	return bn_store__select(out, n_out, &run_shape, s,
		"SELECT id, at_ms, skill, version, tier, bot, input_sha256,"
		" output_sha256, outcome, error, kind, detail, session_id,"
		" turn, tool_call_id, owner_pid, actor, client, fuel,"
		" memory_peak, duration_ms FROM audit_runs"
		" WHERE (?1 IS NULL OR skill = ?1)"
		" AND (?2 IS NULL OR bot = ?2) AND at_ms >= ?3"
		" AND (?4 IS NULL OR outcome = ?4) AND (?5 = 0 OR id < ?5)"
		" AND (?7 = 0 OR session_id = ?7)"
		" ORDER BY id DESC LIMIT ?6", a, BN_STORE__NARGS(a), err);
}

void bn_store_audit_runs_free(bn_store_audit_run *v, size_t n)
{
	bn_store__select_free(v, n, &run_shape);
}

#define COL(field) BN_STORE__COL(bn_store_audit_call, field)
static const bn_store__col call_cols[] = {
	COL(id), COL(at_ms), COL(capability), COL(scope), COL(allowed),
	COL(reason),
};
#undef COL

/* The count follows the columns: NULL on a row of one call. */
static void call_row(void *item, bn_store__stmt *st)
{
	bn_store_audit_call *c = item;
	c->summary = !bn_store__col_null(st, 6);
	c->count = c->summary ? bn_store__col_int(st, 6) : 1;
}

static const bn_store__shape call_shape =
	BN_STORE__SHAPE_OF(bn_store_audit_call, call_cols, call_row, NULL);

int bn_store_audit_call_list(bn_store_audit_call **out, size_t *n_out,
			     bn_store *s, int64_t run_id, int64_t after_id,
			     unsigned limit, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__INT(run_id), BN_STORE__INT(after_id),
		BN_STORE__INT(limit ? limit : 100),
	};
	return bn_store__select(out, n_out, &call_shape, s,
		"SELECT id, at_ms, capability, scope, allowed, reason, count"
		" FROM audit_calls WHERE run_id = ?1 AND id > ?2"
		" ORDER BY id LIMIT ?3",
		a, BN_STORE__NARGS(a), err);
}

void bn_store_audit_calls_free(bn_store_audit_call *v, size_t n)
{
	bn_store__select_free(v, n, &call_shape);
}

/* SPDX-License-Identifier: MIT */
/* exec/audit.c - the audit log: records and their JSON (see audit.h);
   the rows are store/audit.c's. */
#include "audit.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/proc.h"
#include "store/audit.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define ROWS_MAX_TEXT STR(BN_EXEC_AUDIT_CALL_ROWS_MAX)

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* V made valid UTF-8 (a record is read back as JSON) and cut to
   BN_EXEC_AUDIT_FIELD_MAX bytes with a note of its length, owned; NULL for
   NULL or "" (not recorded).  Only the bytes kept are read past strlen. */
static char *text_in(const char *v)
{
	size_t n, keep, cut;
	bn_buf b;

	if (!v || !*v)
		return NULL;
	n = strlen(v);
	keep = n > BN_EXEC_AUDIT_FIELD_MAX ? BN_EXEC_AUDIT_FIELD_MAX : n;
	/* do not cut a character in two (at most 3 continuation bytes) */
	for (int i = 0; i < 3 && keep < n && keep &&
	     ((unsigned char)v[keep] & 0xC0) == 0x80; i++)
		keep--;
	bn_buf_init(&b, keep * 3 + 64);
	if (bn_buf_append_utf8(&b, v, keep, NULL)) {
		bn_buf_clear(&b);
		return NULL;
	}
	/* replacement characters may have made it longer than the cap */
	cut = b.len;
	if (cut > BN_EXEC_AUDIT_FIELD_MAX) {
		cut = BN_EXEC_AUDIT_FIELD_MAX;
		while (cut && ((unsigned char)b.data[cut] & 0xC0) == 0x80)
			cut--;
	}
	if (cut < b.len || keep < n) {
		b.len = cut;
		if (bn_buf_printf(&b, "... [truncated, %zu bytes]", n)) {
			bn_buf_clear(&b);
			return NULL;
		}
	}
	return bn_buf_take(&b);
}

static int audit_fail(int r, bn_err *err)
{
	bn_err_prefix(err, "audit log");
	return r;
}

/* The texts one record holds (see text_in), freed together once the row
   is written: a record never needs more than TEXTS_MAX. */
#define TEXTS_MAX 8

typedef struct texts {
	char *v[TEXTS_MAX];
	size_t n;
} texts;

/* V as record text, held by T; NULL for NULL or "". */
static const char *text_keep(texts *t, const char *v)
{
	char *c = text_in(v);

	assert(t->n < TEXTS_MAX);
	t->v[t->n++] = c;
	return c;
}

static void texts_done(texts *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i]);
	t->n = 0;
}

static const char *or_empty(const char *v)
{
	return v ? v : "";
}

int bn_exec_audit_begin(int64_t *id_out, bn_store *s,
			const bn_exec_audit_run *r, bn_err *err)
{
	texts t = { .n = 0 };
	bn_proc_owner o;

	if (r->owner)
		o = *r->owner;
	else
		bn_proc_owner_self(&o);
	bn_store_audit_run_new row = {
		.at_ms = now_ms(), .skill = or_empty(text_keep(&t, r->skill)),
		.version = text_keep(&t, r->version),
		.tier = or_empty(text_keep(&t, r->tier)),
		.bot = text_keep(&t, r->bot),
		.input_sha256 = text_keep(&t, r->input_sha256),
		.outcome = "running", .client = text_keep(&t, r->client),
		.actor = r->actor ? r->actor : BN_EXEC_AUDIT_LOCAL,
		.link = { .session_id = r->trace.session,
			  .turn = r->trace.turn,
			  .tool_call_id = text_keep(&t, r->trace.tool_call_id),
			  .owner_pid = o.pid, .owner_start = o.start,
			  .owner_host = o.host },
	};
	int rc = bn_store_audit_run_add(id_out, s, &row, err);

	texts_done(&t);
	return rc ? audit_fail(rc, err) : 0;
}

int bn_exec_audit_end(bn_store *s, int64_t id, const bn_exec_audit_run *r,
		      bn_err *err)
{
	texts t = { .n = 0 };
	bn_store_audit_run_end row = {
		.output_sha256 = text_keep(&t, r->output_sha256),
		.fuel = r->fuel, .memory_peak = r->memory_peak,
		.duration_ms = r->duration_ms,
		.outcome = or_empty(text_keep(&t, r->outcome)),
		.error = text_keep(&t, r->error),
	};
	int rc = bn_store_audit_run_finish(s, id, &row, err);

	texts_done(&t);
	return rc ? audit_fail(rc, err) : 0;
}

int bn_exec_audit_note(bn_store *s, const char *kind, const char *skill,
		       const char *detail, const char *bot,
		       const bn_exec_trace *trace, const char *outcome,
		       const char *error, bn_err *err)
{
	texts t = { .n = 0 };
	bn_store_audit_run_new row = {
		.at_ms = now_ms(), .skill = or_empty(text_keep(&t, skill)),
		.tier = "", .bot = text_keep(&t, bot), .outcome = outcome,
		.link = { .kind = kind, .detail = text_keep(&t, detail),
			  .session_id = trace ? trace->session : 0,
			  .turn = trace ? trace->turn : 0,
			  .tool_call_id = trace ? text_keep(&t,
					  trace->tool_call_id) : NULL },
	};
	bn_store_audit_run_end end = {
		.fuel = 0, .outcome = outcome, .error = text_keep(&t, error),
	};
	int64_t id = 0;
	int rc = bn_store_audit_run_add(&id, s, &row, err);

	if (!rc)
		rc = bn_store_audit_run_finish(s, id, &end, err);
	texts_done(&t);
	return rc ? audit_fail(rc, err) : 0;
}

int bn_exec_audit_call(bn_store *s, int64_t run_id, const char *capability,
		       const char *scope, bool allowed, const char *reason,
		       bn_err *err)
{
	texts t = { .n = 0 };
	const char *cap = or_empty(text_keep(&t, capability));
	size_t rows = 0;
	int rc = bn_store_audit_call_rows(&rows, s, run_id, err);

	if (!rc && rows >= BN_EXEC_AUDIT_CALL_ROWS_MAX)
		rc = bn_store_audit_call_tally(s, run_id, now_ms(), cap,
			allowed, "further calls past the cap of "
			ROWS_MAX_TEXT " rows of a run, counted here "
			"without their scopes", err);
	else if (!rc)
		rc = bn_store_audit_call_add(s, run_id, now_ms(), cap,
					     text_keep(&t, scope), allowed,
					     text_keep(&t, reason), err);
	texts_done(&t);
	return rc ? audit_fail(rc, err) : 0;
}

/* Stored text as JSON: valid UTF-8 (text written before it was made valid
   on the way in keeps its other characters); null for NULL. */
static json_t *text_json(const char *t)
{
	json_t *j;
	bn_buf b;
	size_t n;

	if (!t)
		return json_null();
	n = strlen(t);
	bn_buf_init(&b, n * 3 + 1);
	j = bn_buf_append_utf8(&b, t, n, NULL) == 0 ?
	    json_stringn(bn_buf_cstr(&b), b.len) : NULL;
	bn_buf_clear(&b);
	return j ? j : json_null();
}

static json_t *int_json(int64_t v)
{
	return v == BN_STORE_AUDIT_NONE ? json_null() : json_integer(v);
}

#define CALLS_LIMIT 50

/* A page of run ID's calls (see bn_exec_audit_calls) into RUN's "calls"
   and, as CURSOR, the id after which the next page starts or null. */
static int calls_of(json_t *run, const char *cursor, bn_store *s, int64_t id,
		    int64_t after, unsigned limit, bn_err *err)
{
	bn_store_audit_call *v = NULL;
	size_t n = 0;
	json_t *a;
	int r;

	if (!limit)
		limit = CALLS_LIMIT;
	/* one more than asked, to know whether there is a next page */
	r = bn_store_audit_call_list(&v, &n, s, id, after, limit + 1, err);
	if (r)
		return r;
	a = json_array();
	for (size_t i = 0; i < n && i < limit; i++) {
		json_t *c = json_object();
		json_object_set_new(c, "id", json_integer(v[i].id));
		json_object_set_new(c, "at_ms", json_integer(v[i].at_ms));
		json_object_set_new(c, "capability",
				    text_json(v[i].capability));
		json_object_set_new(c, "scope", text_json(v[i].scope));
		json_object_set_new(c, "allowed", json_boolean(v[i].allowed));
		json_object_set_new(c, "reason", text_json(v[i].reason));
		json_object_set_new(c, "count", json_integer(v[i].count));
		json_object_set_new(c, "summary", json_boolean(v[i].summary));
		json_array_append_new(a, c);
	}
	json_object_set_new(run, cursor, n > limit ?
			    json_integer(v[limit - 1].id) : json_null());
	bn_store_audit_calls_free(v, n);
	json_object_set_new(run, "calls", a);
	return 0;
}

static json_t *run_json(const bn_store_audit_run *x)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(x->id));
	json_object_set_new(o, "at_ms", json_integer(x->at_ms));
	json_object_set_new(o, "skill", text_json(x->skill));
	json_object_set_new(o, "version", text_json(x->version));
	json_object_set_new(o, "tier", text_json(x->tier));
	json_object_set_new(o, "bot", text_json(x->bot));
	json_object_set_new(o, "input_sha256", text_json(x->input_sha256));
	json_object_set_new(o, "output_sha256", text_json(x->output_sha256));
	json_object_set_new(o, "fuel", int_json(x->fuel));
	json_object_set_new(o, "memory_peak", int_json(x->memory_peak));
	json_object_set_new(o, "duration_ms", int_json(x->duration_ms));
	json_object_set_new(o, "outcome", text_json(x->outcome));
	json_object_set_new(o, "error", text_json(x->error));
	json_object_set_new(o, "actor", text_json(x->actor));
	json_object_set_new(o, "client", text_json(x->client));
	json_object_set_new(o, "kind", text_json(x->kind ? x->kind : "run"));
	json_object_set_new(o, "detail", text_json(x->detail));
	json_object_set_new(o, "session", x->session_id ?
			    json_integer(x->session_id) : json_null());
	json_object_set_new(o, "turn", x->session_id ?
			    json_integer(x->turn) : json_null());
	json_object_set_new(o, "tool_call_id", text_json(x->tool_call_id));
	return o;
}

int bn_exec_audit_query(json_t **out, bn_store *s,
			const bn_exec_audit_filter *f, bn_err *err)
{
	char *skill = text_in(f->skill), *bot = text_in(f->bot);
	char *outcome = text_in(f->outcome);
	bn_store_audit_filter sf = {
		.skill = skill, .bot = bot, .since_ms = f->since_ms,
		.outcome = outcome, .before_id = f->before_id,
		.limit = f->limit, .session_id = f->session,
	};
	bn_store_audit_run *v = NULL;
	size_t n = 0;
	json_t *a;
	/* rows whose process died are shown as abandoned, not running */
	int r = bn_store_leases_sweep(NULL, s, err);

	if (!r)
		r = bn_store_audit_run_list(&v, &n, s, &sf, err);

	free(skill);
	free(bot);
	free(outcome);
	if (r)
		return audit_fail(r, err);
	a = json_array();
	for (size_t i = 0; i < n && r == 0; i++) {
		json_t *o = run_json(&v[i]);
		r = calls_of(o, "calls_next_after", s, v[i].id, 0,
			     f->calls_limit, err);
		json_array_append_new(a, o);
	}
	bn_store_audit_runs_free(v, n);
	if (r) {
		json_decref(a);
		return audit_fail(r, err);
	}
	*out = a;
	return 0;
}

int bn_exec_audit_calls(json_t **out, bn_store *s, int64_t run_id,
			int64_t after_id, unsigned limit, bn_err *err)
{
	bn_store_audit_filter f = { .before_id = run_id + 1, .limit = 1 };
	bn_store_audit_run *v = NULL;
	size_t n = 0;
	json_t *o;
	int r = run_id < INT64_MAX ?
		bn_store_audit_run_list(&v, &n, s, &f, err) : 0;

	if (!r && (n == 0 || v[0].id != run_id))
		r = bn_err_set(err, BN_ENOTFOUND, "no audit record #%lld "
			       "(see `bnity audit`)", (long long)run_id);
	bn_store_audit_runs_free(v, n);
	if (r)
		return audit_fail(r, err);
	o = json_object();
	if ((r = calls_of(o, "next_after", s, run_id, after_id, limit, err))) {
		json_decref(o);
		return audit_fail(r, err);
	}
	*out = o;
	return 0;
}

int bn_exec_audit_parse_since(int64_t *out_ms, const char *text,
			      bn_err *err)
{
	struct tm tm;
	char *end;
	long long v;

	errno = 0;
	v = strtoll(text, &end, 10);
	if (!errno && end != text && v >= 0) {
		int64_t unit = 0;
		if (!*end)
			unit = -1;           /* epoch seconds */
		else if (!strcmp(end, "s"))
			unit = 1000;
		else if (!strcmp(end, "m"))
			unit = 60 * 1000;
		else if (!strcmp(end, "h"))
			unit = 3600 * 1000;
		else if (!strcmp(end, "d"))
			unit = 86400 * 1000;
		if (unit == -1 && v < 100000000000LL) {
			*out_ms = (int64_t)v * 1000;
			return 0;
		}
		if (unit > 0 && v < 1000000000LL) {
			*out_ms = now_ms() - (int64_t)v * unit;
			return 0;
		}
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end || (*end && strcmp(end, "Z"))) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(text, "%Y-%m-%d", &tm);
		if (!end || *end)
			return bn_err_set(err, BN_EINVAL,
				"--since '%s': write a date (2026-11-27 or "
				"2026-11-27T10:00:00Z), an age (30m, 2h, 7d) "
				"or epoch seconds", text);
	}
	*out_ms = (int64_t)timegm(&tm) * 1000;
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* exec/audit.c - the audit log tables and queries (see audit.h). */
#include "audit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int db_fail(bn_store *s, bn_err *err)
{
	return bn_err_set(err, BN_EIO, "audit log: %s",
			  sqlite3_errmsg(bn_store_db(s)));
}

/* V as parameter I, made valid UTF-8 (a record is read back as JSON). */
static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	size_t n = strlen(v), bad = 0;
	bn_buf b;

	bn_buf_init(&b, n * 3 + 1);
	if (bn_buf_append_utf8(&b, v, n, &bad) == 0 && bad)
		sqlite3_bind_text64(st, i, b.data, b.len, SQLITE_TRANSIENT,
				    SQLITE_UTF8);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	bn_buf_clear(&b);
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		bind_text(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

int bn_exec_audit_begin(int64_t *id_out, bn_store *s,
			const bn_exec_audit_run *r, bn_err *err)
{
	sqlite3 *db = bn_store_db(s);
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db,
		"INSERT INTO audit_runs (at_ms, skill, version, tier, bot,"
		" input_sha256, outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
		" 'running')", -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, err);
	sqlite3_bind_int64(st, 1, now_ms());
	bind_text(st, 2, r->skill);
	bind_opt(st, 3, r->version);
	bind_text(st, 4, r->tier);
	bind_opt(st, 5, r->bot);
	bind_opt(st, 6, r->input_sha256);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return db_fail(s, err);
	}
	sqlite3_finalize(st);
	*id_out = sqlite3_last_insert_rowid(db);
	return 0;
}

int bn_exec_audit_end(bn_store *s, int64_t id, const bn_exec_audit_run *r,
		      bn_err *err)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(bn_store_db(s),
		"UPDATE audit_runs SET output_sha256 = ?2, fuel = ?3,"
		" memory_peak = ?4, duration_ms = ?5, outcome = ?6, error = ?7"
		" WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, err);
	sqlite3_bind_int64(st, 1, id);
	bind_opt(st, 2, r->output_sha256);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)r->fuel);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)r->memory_peak);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)r->duration_ms);
	bind_text(st, 6, r->outcome);
	bind_opt(st, 7, r->error);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return db_fail(s, err);
	}
	sqlite3_finalize(st);
	return 0;
}

int bn_exec_audit_call(bn_store *s, int64_t run_id, const char *capability,
		       const char *scope, bool allowed, const char *reason,
		       bn_err *err)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(bn_store_db(s),
		"INSERT INTO audit_calls (run_id, at_ms, capability, scope,"
		" allowed, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1, &st,
		NULL) != SQLITE_OK)
		return db_fail(s, err);
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, now_ms());
	bind_text(st, 3, capability);
	bind_opt(st, 4, scope);
	sqlite3_bind_int(st, 5, allowed ? 1 : 0);
	bind_opt(st, 6, reason);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return db_fail(s, err);
	}
	sqlite3_finalize(st);
	return 0;
}

static json_t *col_json(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return json_null();
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, i));
	default: {
		/* text written before it was made valid UTF-8 on the way in
		   keeps its other characters */
		const char *t = (const char *)sqlite3_column_text(st, i);
		size_t n = (size_t)sqlite3_column_bytes(st, i);
		json_t *j;
		bn_buf b;
		bn_buf_init(&b, n * 3 + 1);
		j = bn_buf_append_utf8(&b, t, n, NULL) == 0 ?
		    json_stringn(bn_buf_cstr(&b), b.len) : NULL;
		bn_buf_clear(&b);
		return j ? j : json_null();
	}
	}
}

static int calls_of(json_t *run, bn_store *s, int64_t id, bn_err *err)
{
	sqlite3_stmt *st;
	json_t *a = json_array();

	if (sqlite3_prepare_v2(bn_store_db(s),
		"SELECT at_ms, capability, scope, allowed, reason"
		" FROM audit_calls WHERE run_id = ?1 ORDER BY id", -1, &st,
		NULL) != SQLITE_OK) {
		json_decref(a);
		return db_fail(s, err);
	}
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *c = json_object();
		json_object_set_new(c, "at_ms", col_json(st, 0));
		json_object_set_new(c, "capability", col_json(st, 1));
		json_object_set_new(c, "scope", col_json(st, 2));
		json_object_set_new(c, "allowed",
				    json_boolean(sqlite3_column_int(st, 3)));
		json_object_set_new(c, "reason", col_json(st, 4));
		json_array_append_new(a, c);
	}
	sqlite3_finalize(st);
	json_object_set_new(run, "calls", a);
	return 0;
}

int bn_exec_audit_query(json_t **out, bn_store *s,
			const bn_exec_audit_filter *f, bn_err *err)
{
	static const char *const cols[] = {
		"id", "at_ms", "skill", "version", "tier", "bot",
		"input_sha256", "output_sha256", "fuel", "memory_peak",
		"duration_ms", "outcome", "error" };
	sqlite3_stmt *st;
	json_t *a;
	int r = 0;

	if (sqlite3_prepare_v2(bn_store_db(s),
		"SELECT id, at_ms, skill, version, tier, bot, input_sha256,"
		" output_sha256, fuel, memory_peak, duration_ms, outcome, error"
		" FROM audit_runs WHERE (?1 IS NULL OR skill = ?1)"
		" AND (?2 IS NULL OR bot = ?2) AND at_ms >= ?3"
		" AND (?4 IS NULL OR outcome = ?4) AND (?5 = 0 OR id < ?5)"
		" ORDER BY id DESC LIMIT ?6", -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, err);
	bind_opt(st, 1, f->skill);
	bind_opt(st, 2, f->bot);
	sqlite3_bind_int64(st, 3, f->since_ms);
	bind_opt(st, 4, f->outcome);
	sqlite3_bind_int64(st, 5, f->before_id);
	sqlite3_bind_int(st, 6, f->limit ? (int)f->limit : 100);
	a = json_array();
	while (r == 0 && sqlite3_step(st) == SQLITE_ROW) {
		json_t *o = json_object();
		for (int i = 0; i < 13; i++)
			json_object_set_new(o, cols[i], col_json(st, i));
		r = calls_of(o, s, sqlite3_column_int64(st, 0), err);
		json_array_append_new(a, o);
	}
	sqlite3_finalize(st);
	if (r) {
		json_decref(a);
		return r;
	}
	*out = a;
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

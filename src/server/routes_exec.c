/* SPDX-License-Identifier: MIT */
/*
 * server/routes_exec.c - /api/v1/audit (filtered, paged) and the install
 * log /api/v1/audit/installs, /api/v1/secrets (names and update times; a
 * value can be set, never read back) and /api/v1/settings (which provider
 * variables and secrets are set, never their values).
 */
#include "server_int.h"

#include <stdlib.h>
#include <string.h>

#include "exec/audit.h"
#include "exec/vault.h"
#include "registry/registry.h"

#define AUDIT_LIMIT_MAX 500

/*
 * ?skill=&bot=&since=&outcome=&limit=&before= into *F (limit 50 unless
 * given); false after replying 400.  WITH_RUN: bot, outcome and before
 * are allowed (the install log has none of them).
 */
static bool audit_filter(bn_server_req *rq, bn_exec_audit_filter *f,
			 bool with_run)
{
	const char *since = bn_server__query(rq, "since"),
		   *limit = bn_server__query(rq, "limit"),
		   *before = bn_server__query(rq, "before");
	long long v = 0;
	bn_err err;

	bn_err_init(&err);
	memset(f, 0, sizeof(*f));
	f->skill = bn_server__query(rq, "skill");
	f->bot = bn_server__query(rq, "bot");
	f->outcome = bn_server__query(rq, "outcome");
	if (!with_run && (f->bot || f->outcome || before)) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST, "the install log "
				"takes only skill, since and limit");
		return false;
	}
	if (since && bn_exec_audit_parse_since(&f->since_ms, since, &err)) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST, "since: %s", err.msg);
		return false;
	}
	f->limit = 50;
	if (limit && !bn_server__parse_ll(&v, limit, 1, AUDIT_LIMIT_MAX)) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST, "limit: 1 to %d",
				AUDIT_LIMIT_MAX);
		return false;
	}
	if (limit)
		f->limit = (unsigned)v;
	if (before && !bn_server__parse_ll(&v, before, 1, INT64_MAX)) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST,
				"before: a record id");
		return false;
	}
	if (before)
		f->before_id = v;
	return true;
}

int bn_server__audit_get(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bn_exec_audit_filter f;
	json_t *runs = NULL, *o, *last;
	int r;

	if (!audit_filter(rq, &f, true))
		return 0;
	if ((r = bn_exec_audit_query(&runs, s, &f, err)))
		return r;
	o = json_object();
	last = json_array_get(runs, json_array_size(runs) - 1);
	json_object_set_new(o, "next_before",
			    last && json_array_size(runs) == f.limit ?
			    json_incref(json_object_get(last, "id")) :
			    json_null());
	json_object_set_new(o, "runs", runs);
	bn_server__reply(rq, MHD_HTTP_OK, o);
	return 0;
}

/* /audit/:run/calls?limit=&after=: a page of one run's calls. */
int bn_server__audit_calls_get(bn_server_req *rq, bn_store *s, bn_err *err)
{
	const char *limit = bn_server__query(rq, "limit"),
		   *after = bn_server__query(rq, "after");
	long long run = 0, lim = 50, aft = 0;
	json_t *o = NULL;
	int r;

	if (!bn_server__parse_ll(&run, rq->params[0], 1, INT64_MAX)) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST, "run: a record id");
		return 0;
	}
	if (limit && !bn_server__parse_ll(&lim, limit, 1, AUDIT_LIMIT_MAX)) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST, "limit: 1 to %d",
				AUDIT_LIMIT_MAX);
		return 0;
	}
	if (after && !bn_server__parse_ll(&aft, after, 0, INT64_MAX)) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST, "after: a call id");
		return 0;
	}
	r = bn_exec_audit_calls(&o, s, run, aft, (unsigned)lim, err);
	if (!r)
		bn_server__reply(rq, MHD_HTTP_OK, o);
	return r;
}

/* ?skill=&since=&limit=: the install log, as `bnity audit --installs`. */
int bn_server__installs_get(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bn_exec_audit_filter f;
	json_t *a = NULL;
	int r;

	if (!audit_filter(rq, &f, false))
		return 0;
	r = bn_registry_audit_installs(&a, s, f.skill, f.since_ms, f.limit,
				       err);
	if (!r)
		bn_server__reply_member(rq, MHD_HTTP_OK, "installs", a);
	return r;
}

/* ---- secrets -------------------------------------------------------------- */

int bn_server__secrets_list(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bn_exec_vault_entry *e = NULL;
	bn_exec_vault *v;
	size_t n = 0;
	int r = bn_exec_vault_open(&v, s, err);

	if (r)
		return r;
	if (!(r = bn_exec_vault_list(&e, &n, v, err))) {
		bn_server__reply_member(rq, MHD_HTTP_OK, "secrets",
					bn_view_secrets_json(e, n));
		bn_exec_vault_entries_free(e, n);
	}
	bn_exec_vault_free(v);
	return r;
}

/* {"value": TEXT}: stored, never echoed. */
int bn_server__secret_set(bn_server_req *rq, bn_store *s, bn_err *err)
{
	json_t *val = rq->body ? json_object_get(rq->body, "value") : NULL;
	const char *name = rq->params[0];
	bn_exec_vault *v;
	json_t *o;
	int r;

	if (!bn_server__need(rq, false, json_is_string(val),
			     "give {\"value\": \"...\"}"))
		return 0;
	if (!bn_exec_vault_name_is_valid(name)) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST, "a secret name is 1 "
				"to %d of A-Z a-z 0-9 _ . -",
				BN_EXEC_VAULT_NAME_MAX);
		return 0;
	}
	if ((r = bn_exec_vault_open(&v, s, err)))
		return r;
	r = bn_exec_vault_set(v, name, json_string_value(val),
			      json_string_length(val), err);
	if (!r) {
		o = json_object();
		json_object_set_new(o, "name", json_string(name));
		json_object_set_new(o, "set", json_true());
		bn_server__reply(rq, MHD_HTTP_OK, o);
	}
	bn_exec_vault_free(v);
	return r;
}

int bn_server__secret_remove(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bn_exec_vault *v;
	int r = bn_exec_vault_open(&v, s, err);

	if (r)
		return r;
	if (!(r = bn_exec_vault_remove(v, rq->params[0], err)))
		bn_server__reply_removed(rq, rq->params[0]);
	bn_exec_vault_free(v);
	return r;
}

/* ---- settings ------------------------------------------------------------- */

/* The variables and secrets that configure providers (agent/provider.h);
   only whether each is set is ever shown. */
static const char *const provider_vars[] = {
	"ANTHROPIC_API_KEY", "OPENAI_API_KEY", "BNITY_PROVIDER",
	"BNITY_MODEL", "ANTHROPIC_BASE_URL", "OPENAI_BASE_URL", NULL,
};
static const char *const provider_secrets[] = {
	"ANTHROPIC_API_KEY", "OPENAI_API_KEY", NULL,
};

int bn_server__settings_get(bn_server_req *rq, bn_store *s, bn_err *err)
{
	json_t *env, *sec, *o;
	bn_exec_vault *v;
	size_t i;
	int r = bn_exec_vault_open(&v, s, err);

	if (r)
		return r;
	env = json_object();
	sec = json_object();
	for (i = 0; provider_vars[i]; i++) {
		const char *val = secure_getenv(provider_vars[i]);
		json_object_set_new(env, provider_vars[i],
				    json_boolean(val && *val));
	}
	for (i = 0; provider_secrets[i]; i++) {
		bool has = false;
		if (bn_exec_vault_exists(&has, v, provider_secrets[i], NULL))
			has = false;
		json_object_set_new(sec, provider_secrets[i],
				    json_boolean(has));
	}
	bn_exec_vault_free(v);
	o = json_object();
	json_object_set_new(o, "env", env);
	json_object_set_new(o, "secrets", sec);
	json_object_set_new(o, "cors_origin", rq->srv->opts.cors_origin ?
			    json_string(rq->srv->opts.cors_origin) :
			    json_null());
	/* always served since both modules are always built; kept for
	   clients that read them */
	json_object_set_new(o, "registry", json_true());
	json_object_set_new(o, "chat", json_true());
	bn_server__reply(rq, MHD_HTTP_OK, o);
	return 0;
}

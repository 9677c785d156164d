/* SPDX-License-Identifier: MIT */
/*
 * view/exec.c - what exec/ keeps and returns: grants, the result of a
 * skill run and of a script run, memories, secrets' listing entries.
 */
#include "view/view.h"

#include <string.h>

static json_t *limit_json(uint64_t v)
{
	return v ? json_integer((json_int_t)v) : json_null();
}

json_t *bn_view_grant_json(const bn_exec_grant *g)
{
	const char *cap = bn_exec_cap_name(g->cap);
	json_t *o = json_object(), *l = json_object();

	json_object_set_new(o, "capability", json_string(cap ? cap : "limits"));
	json_object_set_new(o, "scope", json_string(g->scope));
	json_object_set_new(o, "bot", json_string(g->bot));
	json_object_set_new(o, "granted_at", json_integer(g->granted_at));
	json_object_set_new(l, "fuel", limit_json(g->limits.fuel));
	json_object_set_new(l, "memory_bytes",
			    limit_json(g->limits.memory_bytes));
	json_object_set_new(l, "timeout_ms", limit_json(g->limits.timeout_ms));
	json_object_set_new(l, "output_bytes",
			    limit_json(g->limits.output_bytes));
	json_object_set_new(o, "limits", l);
	return o;
}

json_t *bn_view_grants_json(const bn_exec_grants *g)
{
	return BN_VIEW_ARRAY(bn_view_grant_json, g->v, g->n);
}

/* The fields a skill run and a script run share, in their order. */
static json_t *ran_json(bool ok, const char *outcome, const char *output,
			size_t output_len, const char *error,
			const char *limit, int exit_code)
{
	json_t *o = json_object();
	bool lossy = false;

	json_object_set_new(o, "ok", json_boolean(ok));
	json_object_set_new(o, "outcome", json_string(outcome));
	json_object_set_new(o, "output", bn_view_text_json(output, output_len,
							   &lossy));
	json_object_set_new(o, "output_lossy", json_boolean(lossy));
	json_object_set_new(o, "error", error ? bn_view_text_json(error,
		strlen(error), NULL) : json_null());
	json_object_set_new(o, "limit", bn_view_str_json(limit));
	json_object_set_new(o, "exit_code", json_integer(exit_code));
	return o;
}

json_t *bn_view_run_json(const bn_exec_result *res)
{
	json_t *o = ran_json(res->ok, res->outcome, res->output,
			     res->output_len, res->error, res->limit,
			     res->exit_code);

	json_object_set_new(o, "tier", json_string(bn_exec_tier_name(
		res->tier)));
	json_object_set_new(o, "fuel_used",
			    json_integer((json_int_t)res->fuel_used));
	json_object_set_new(o, "memory_peak",
			    json_integer((json_int_t)res->memory_peak));
	json_object_set_new(o, "duration_ms",
			    json_integer((json_int_t)res->duration_ms));
	json_object_set_new(o, "host_calls", json_integer(res->host_calls));
	json_object_set_new(o, "host_denied", json_integer(res->host_denied));
	json_object_set_new(o, "audit_id", json_integer(res->audit_id));
	if (res->grant_command)
		json_object_set_new(o, "grant", json_pack("{s:s, s:s}",
				    "capability", res->grant_spec,
				    "command", res->grant_command));
	return o;
}

json_t *bn_view_script_run_json(const bn_exec_script_result *res)
{
	json_t *o = ran_json(res->ok, res->outcome, res->output,
			     res->output_len, res->error, res->limit,
			     res->exit_code);

	json_object_set_new(o, "duration_ms",
			    json_integer((json_int_t)res->duration_ms));
	json_object_set_new(o, "audit_id", json_integer(res->audit_id));
	return o;
}

json_t *bn_view_memory_json(const bn_exec_memory_item *m, bool ranked)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(m->id));
	json_object_set_new(o, "text", json_string(m->text));
	json_object_set_new(o, "created_at", json_integer(m->created_at));
	if (ranked)
		json_object_set_new(o, "rank", json_real(m->rank));
	return o;
}

json_t *bn_view_memories_json(const bn_exec_memory_item *v, size_t n,
			      bool ranked)
{
	return BN_VIEW_ARRAY(bn_view_memory_json, v, n, ranked);
}

json_t *bn_view_secret_json(const bn_exec_vault_entry *e)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(e->name));
	json_object_set_new(o, "updated_at", json_integer(e->updated_at));
	return o;
}

json_t *bn_view_secrets_json(const bn_exec_vault_entry *e, size_t n)
{
	return BN_VIEW_ARRAY(bn_view_secret_json, e, n);
}

/* SPDX-License-Identifier: MIT */
/*
 * view/view.h - the JSON of every object bnity shows, one shape each,
 * printed by the CLI's `--json` and answered by the HTTP API alike.
 *
 * Owns: how a skill (a list entry, and inspected with its properties,
 * instructions, bots, grants and resolved view), a resolved skill, a bot
 * with its attachments, an attachment, a grant, a skill run's and a
 * script run's result, a memory, a secret's listing entry, a validation
 * report, an API token, a registry search hit, an install's outcome, an
 * update check and a verified skill become JSON; and turning any bytes
 * into a JSON string.  Around these objects the CLI and the API keep
 * their own envelopes (an array, or {"skills": [...]}).
 * Uses: base, skill, store, exec, registry (search hits), jansson.
 * Knows nothing of HTTP or the command line; never prints.
 *
 * Not here: an audit run with its calls and an install record, whose
 * JSON their queries build (bn_exec_audit_query, exec/audit.h, and
 * bn_registry_audit_installs, registry/registry.h); both sides call
 * those.  Trusted keys likewise (bn_registry_key_list).
 *
 * Every function returns a new object (the caller owns it); those that
 * read the store return 0 or an error code with *out written only then.
 * Absent optional values are null, never left out, so a field is present
 * whether or not it has a value.
 */
#ifndef BN_VIEW_VIEW_H
#define BN_VIEW_VIEW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "exec/executor.h"
#include "exec/grants.h"
#include "exec/memory.h"
#include "exec/script.h"
#include "exec/vault.h"
#include "skill/manifest.h"
#include "skill/resolve.h"
#include "store/store.h"
#include "store/tokens.h"

/* ---- pieces ----------------------------------------------------------- */

/* S as a JSON string, or null when S is NULL. */
json_t *bn_view_str_json(const char *s);
/* The N items of the array V as a JSON array, each made by the item's
   view function ONE, called as ONE(&V[i], ...) (a GNU statement
   expression: V and N are read once). */
#define BN_VIEW_ARRAY(one, v, n, ...) __extension__ ({                  \
	__typeof__(&(v)[0]) bn_v_ = (v);                                \
	size_t bn_n_ = (n);                                             \
	json_t *bn_a_ = json_array();                                   \
	for (size_t bn_i_ = 0; bn_i_ < bn_n_; bn_i_++)                  \
		json_array_append_new(bn_a_,                            \
				      one(&bn_v_[bn_i_], ##__VA_ARGS__)); \
	bn_a_; })
/* The strings of SV as a JSON array. */
json_t *bn_view_strv_json(const bn_strv *sv);
/*
 * bn_view_text_json - the N bytes at P (a skill's output: any bytes) as a
 * JSON string, each invalid UTF-8 sequence replaced by U+FFFD
 * (bn_buf_append_utf8); *LOSSY (may be NULL) tells whether one was.
 */
json_t *bn_view_text_json(const char *p, size_t n, bool *lossy);

/* ---- skills ------------------------------------------------------------ */

/* A skill as `skill list` and GET /skills list it: {name, description,
   type, version, tier, origin, path, capabilities}. */
json_t *bn_view_skill_json(const bn_store_skill *sk);

/*
 * bn_view_skill_inspect_json - skill SK of ALL as `skill inspect` and
 * GET /skills/NAME show it: the list entry plus properties (the
 * frontmatter), instructions (the text), instructions_bytes, bots
 * ([{bot, enabled}]), grants (every grant of it, see bn_view_grant_json)
 * and resolved (bn_view_resolved_json, or {error} when it does not
 * resolve), hash (its tree hash) and files ([{path, sha256}], its
 * canonical listing; "files_error" instead when the tree cannot be
 * read).  Fails when the store cannot be read.
 */
int bn_view_skill_inspect_json(json_t **out, bn_store *s,
			       const bn_store_skills *all,
			       const bn_store_skill *sk, bn_err *err) BN_MUST_USE;

/* Skill NAME combined with its ancestors: {name, chain, capabilities,
   allowed_tools, conflicts_with (each [{value, origin}]), tool (or null),
   instructions (the combined text), instruction_blocks ([{origin,
   text}], one a skill of the chain)}. */
json_t *bn_view_resolved_json(const char *name, const bn_skill_resolved *r);

/* One strict validation: {path, valid, errors, warnings}. */
json_t *bn_view_validation_json(const char *path, bool valid,
				const bn_skill_report *rep);

/* ---- bots -------------------------------------------------------------- */

/* Bot B with its N attachments ATT: {slug, name, persona, provider,
   model, created_at, skills: [bn_view_attachment_json...]}. */
json_t *bn_view_bot_json(const bn_store_bot *b,
			 const bn_store_attachment *att, size_t n);
/* bn_view_bot_json of B, its attachments read from the store. */
int bn_view_bot_load_json(json_t **out, bn_store *s, const bn_store_bot *b,
			  bn_err *err) BN_MUST_USE;
/* The N bots BOTS as an array of bn_view_bot_load_json. */
int bn_view_bots_load_json(json_t **out, bn_store *s,
			   const bn_store_bot *bots, size_t n,
			   bn_err *err) BN_MUST_USE;
/* {skill, enabled, attached_at}. */
json_t *bn_view_attachment_json(const bn_store_attachment *a);

/* ---- grants, runs, memories, secrets ------------------------------------ */

/* {capability ("limits" for a grant of limits only), scope, bot ("*" =
   every bot), granted_at, limits: {fuel, memory_bytes, timeout_ms,
   output_bytes}, each null when the tier's default applies}. */
json_t *bn_view_grant_json(const bn_exec_grant *g);
/* Every grant of G as an array. */
json_t *bn_view_grants_json(const bn_exec_grants *g);

/* A skill run as `skill run --json` and POST /skills/NAME/run answer it:
   {ok, outcome, output, output_lossy, error, limit, exit_code, tier,
   fuel_used, memory_peak, duration_ms, host_calls, host_denied,
   audit_id}; output and error made valid UTF-8 (bn_view_text_json). */
json_t *bn_view_run_json(const bn_exec_result *res);
/* A script run: {ok, outcome, exit_code, output, output_lossy, error,
   limit, duration_ms, audit_id}, the same fields as a skill run's. */
json_t *bn_view_script_run_json(const bn_exec_script_result *res);

/* A memory: {id, text, created_at}, and rank when RANKED (a search). */
json_t *bn_view_memory_json(const bn_exec_memory_item *m, bool ranked);
/* The N memories V as an array of the above. */
json_t *bn_view_memories_json(const bn_exec_memory_item *v, size_t n,
			      bool ranked);
/* A secret's listing entry: {name, updated_at}; never its value. */
json_t *bn_view_secret_json(const bn_exec_vault_entry *e);
/* The N entries E as an array of the above. */
json_t *bn_view_secrets_json(const bn_exec_vault_entry *e, size_t n);
/* An API token: {"name", "role", "created_at", "last_used_at" (null when
   never used)}; never its text nor its hash. */
json_t *bn_view_token_json(const bn_store_token *t);
/* The N tokens V as an array of the above. */
json_t *bn_view_tokens_json(const bn_store_token *v, size_t n);

/* ---- registries ---------------------------------------------------------- */

/* A search hit: {id, name, source, registry, description, installs},
   the last two null when unknown. */
struct bn_registry_hit;
json_t *bn_view_hit_json(const struct bn_registry_hit *h);

/* What an install did, one object per skill: {name, status ("installed",
   "unchanged" or "skipped"), changed, original_name, and either reason
   (skipped) or tier, hash, granted and warnings}. */
struct bn_registry_install_result;
json_t *bn_view_installed_json(const struct bn_registry_install_result *r);

/*
 * bn_view_update_json - what an update of installed skill NAME would
 * change, as `skill outdated --json` and GET /updates show it: {name,
 * source, outdated, installed (its source hash), latest (the hash at the
 * source now), installed_version, latest_version, new_capabilities,
 * dropped_capabilities, new_findings ([{kind, file, line, count, what}]),
 * error}.  E (its lockfile entry) and C (the check) may be NULL when they
 * could not be had; ERROR then says why.
 */
struct bn_registry_lock_entry;
struct bn_registry_update_info;
json_t *bn_view_update_json(const char *name,
			    const struct bn_registry_lock_entry *e,
			    const struct bn_registry_update_info *c,
			    const char *error);
/* One skill checked against skills-lock.json, as `skill verify --json`
   and GET /verify show it: {name, ok, error, source, ref, hash}; source
   and ref say where a repair fetches it again (null when E is NULL). */
json_t *bn_view_verify_json(const char *name,
			    const struct bn_registry_lock_entry *e,
			    const char *error);
/* ---- sessions (conversations with a bot) ------------------------------ */

struct bn_store_conv;

/* A session as listed: {id, bot, title, created_at, last_used (seconds),
   turns, messages, state (its last turn's: running, complete, incomplete,
   cancelled; null before the first)}. */
json_t *bn_view_session_json(const struct bn_store_conv *c);
/* BOT's sessions (every bot's when NULL), the last used first, at most
   LIMIT (0 = 100), as an array of the above. */
int bn_view_sessions_load_json(json_t **out, bn_store *s, const char *bot,
			       unsigned limit, bn_err *err) BN_MUST_USE;
/*
 * bn_view_session_load_json - session ID as listed, with "history":
 * [{number, state, error, started_at, ended_at, usage: {input_tokens,
 * output_tokens}, user (its message), reply (the last answer's text),
 * steps (model answers), tool_calls: [{id, name, input, result (null
 * until stored), is_error, audit: [audit row ids]}], audit?: [ids of its
 * rows not tied to a call]}], in order.  BN_ENOTFOUND when there is none.
 */
int bn_view_session_load_json(json_t **out, bn_store *s, int64_t id,
			      bn_err *err) BN_MUST_USE;

#endif

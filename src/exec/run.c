/* SPDX-License-Identifier: MIT */
/*
 * exec/run.c - what every run of a skill does before and after its own
 * part (exec_int.h): find the skill, decide its tier, check the bot, load
 * the grants and fold their limits in, open the audit record, and close
 * it with the outcome.  bn_exec_run (a tool's module) and
 * bn_exec_script_run (a script) share it, so both refuse, limit and
 * record in the same way.
 */
#include "exec_int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/fs.h"
#include "exec/grants.h"
#include "skill/manifest.h"

/* The effective tier: where it came from, lowered by SKILL.md's own. */
static bn_exec_tier effective_tier(const bn_store_skill *sk)
{
	bn_exec_tier t = BN_EXEC_TIER_UNTRUSTED, own;
	const char *written = bn_skill_manifest_meta(sk->manifest, "tier");

	(void)bn_exec_tier_parse(&t, sk->tier);
	if (written && bn_exec_tier_parse(&own, written) && own < t)
		t = own;
	return t;
}

/* SKILL is attached to BOT and enabled there, else BN_EDENIED. */
static int check_bot(bn_store *s, const char *bot, const char *skill,
		     bn_err *err)
{
	bn_store_attachment *att = NULL;
	size_t n = 0, i;
	int r = bn_store_bot_skills(&att, &n, s, bot, err);

	if (r)
		return r;
	for (i = 0; i < n; i++)
		if (strcmp(att[i].skill, skill) == 0)
			break;
	if (i == n)
		r = bn_err_set(err, BN_EDENIED, "skill '%s' is not attached to "
			       "bot '%s' (bnity skill attach %s %s)", skill,
			       bot, skill, bot);
	else if (!att[i].enabled)
		r = bn_err_set(err, BN_EDENIED, "skill '%s' is disabled for "
			       "bot '%s'", skill, bot);
	bn_store_attachments_free(att, n);
	return r;
}

/*
 * Make *S (owned, may be NULL) valid UTF-8: when it is not, each
 * ill-formed sequence becomes U+FFFD and a note at its end says so.  The
 * error texts of runs carry a skill's stderr and names from its module
 * into JSON and the audit log.
 */
static void text_valid(char **s)
{
	bn_buf b;
	size_t n, bad = 0;

	if (!*s)
		return;
	n = strlen(*s);
	bn_buf_init(&b, n * 3 + 64);
	if (bn_buf_append_utf8(&b, *s, n, &bad) == 0 && bad &&
	    bn_buf_printf(&b, " [%zu invalid UTF-8 sequence%s replaced by "
			  "U+FFFD]", bad, bad == 1 ? "" : "s") == 0) {
		free(*s);
		*s = bn_buf_take(&b);
	}
	bn_buf_clear(&b);
}

int bn_exec__run_open(bn_exec__run *run, bn_store *s, const char *skill,
		      const char *bot, const void *input, size_t input_len,
		      bn_err *err)
{
	bn_strv want = { 0 };
	int r;

	memset(run, 0, sizeof(*run));
	run->t0_ms = bn_clock_now_ms();
	run->store = s;
	run->bot = bot;
	/* the skill and what it inherits from, not the whole store: a run
	   costs the same in a store of ten thousand skills */
	bn_strv_push(&want, skill);
	r = bn_store_skills_named(&run->all, s, &want, err);
	bn_strv_clear(&want);
	if (r)
		return r;
	run->sk = bn_store_skills_find(&run->all, skill);
	if (!run->sk)
		return bn_err_set(err, BN_ENOTFOUND, "no skill '%s' (see "
				  "`bnity skill list`)", skill);
	/* names choose, identity decides: another copy is another skill */
	if (!run->sk->installed)
		run->notice = bn_xasprintf("skill '%s' ran from %s (%s copy, "
			"%s), not the installed content of that name: tier "
			"untrusted, with only the grants given to this "
			"content", skill, run->sk->dir,
			bn_store_origin_name(run->sk->origin),
			run->sk->hash ? run->sk->hash : "no tree hash");
	/* from here on every attempt is in the audit log, refusals too */
	run->tier = effective_tier(run->sk);
	run->ar.skill = skill;
	run->ar.version = run->sk->manifest->version;
	run->ar.tier = bn_exec_tier_name(run->tier);
	run->ar.bot = bot;
	bn_fs_sha256_hex(run->ar.input_sha256, input ? input : "", input_len);
	return 0;
}

void bn_exec__run_code(bn_exec__run *run, const char *name)
{
	const bn_store_skill *sk = bn_store_skills_find(&run->all, name);
	/* a skill that vanished between the listing and now is trusted
	   with nothing */
	bn_exec_tier t = sk ? effective_tier(sk) : BN_EXEC_TIER_UNTRUSTED;

	assert(run->audit_id == 0);
	if (t < run->tier) {
		run->tier = t;
		run->ar.tier = bn_exec_tier_name(t);
	}
}

/* Whether the run's tier and grants rest on the content of SK: not so
   for a local skill in the store, the user's own, edited in place, whose
   identity is the store's record of its name. */
static bool content_pinned(const bn_store_skill *sk)
{
	return sk->hash && !(sk->origin == BN_STORE_ORIGIN_STORE &&
			     sk->tier && strcmp(sk->tier, "local") == 0);
}

int bn_exec__run_loaded(bn_exec__run *run, const char *name,
			const char *as_dir, const bn_skill_tree_file *file,
			bn_err *err)
{
	const bn_store_skill *sk = bn_store_skills_find(&run->all, name);
	char hash[BN_SKILL_TREE_HASH_SIZE];
	int r;

	if (!sk)
		return bn_err_set(err, BN_EDENIED, "skill '%s' vanished "
				  "while the run began: not run", name);
	if (!content_pinned(sk))
		return 0;
	if ((r = bn_skill_tree_hash_as_read(hash, as_dir ? as_dir : sk->dir,
					    file, err)))
		return r;
	if (strcmp(hash, sk->hash))
		return bn_err_set(err, BN_EDENIED, "skill '%s' not run: what "
			"was read from %s to run hashes to %s, not to %s, the "
			"content its tier and grants were decided for (its "
			"files changed on disk in the meantime; see `bnity "
			"skill verify %s`)", name, sk->dir, hash, sk->hash,
			name);
	return 0;
}

int bn_exec__run_refuse(bn_exec__run *run, int r, const bn_err *err)
{
	const char *why = err ? err->msg : NULL;
	bn_exec_audit_run *ar = &run->ar;
	int64_t id;

	assert(r != 0 && run->sk && run->audit_id == 0);
	ar->outcome = r == BN_EDENIED ? "denied" : "error";
	ar->error = why && *why ? why : "refused before it started";
	/* best effort: the caller reports the refusal whatever happens */
	if (bn_exec_audit_begin(&id, run->store, ar, NULL) == 0)
		(void)bn_exec_audit_end(run->store, id, ar, NULL);
	return r;
}

int bn_exec__run_begin(bn_exec__run *run, bn_err *err)
{
	const char *skill = run->ar.skill;
	int r;

	assert(run->sk && run->audit_id == 0);
	if (run->bot && (r = check_bot(run->store, run->bot, skill, err)))
		return bn_exec__run_refuse(run, r, err);
	bn_exec_tier_limits(&run->limits, run->tier);
	/* the grants given to this content; none without a tree hash */
	if (run->sk->hash &&
	    (r = bn_exec_grant_list_of(&run->grants, run->store, skill,
				       run->sk->hash,
				       run->bot ? run->bot : "*", err)))
		return bn_exec__run_refuse(run, r, err);
	if (!run->bot) {
		/* without a bot only the every-bot grants apply */
		bn_exec_grants *g = &run->grants;
		size_t k = 0;
		for (size_t i = 0; i < g->n; i++) {
			if (strcmp(g->v[i].bot, "*") == 0) {
				g->v[k++] = g->v[i];
			} else {
				free(g->v[i].skill);
				free(g->v[i].bot);
				free(g->v[i].scope);
			}
		}
		g->n = k;
	}
	bn_exec_grants_limits(&run->limits, &run->grants);
	if ((r = bn_exec_audit_begin(&run->audit_id, run->store, &run->ar,
				     err)))
		return r;
	if (run->notice &&
	    (r = bn_exec_audit_call(run->store, run->audit_id, "identity",
				    run->sk->dir, true, run->notice, err)))
		bn_exec__run_fail(run, err);
	return r;
}

void bn_exec__run_fail(bn_exec__run *run, const bn_err *err)
{
	assert(run->audit_id != 0);
	run->ar.outcome = "error";
	run->ar.error = err ? err->msg : NULL;
	run->ar.duration_ms = bn_clock_now_ms() - run->t0_ms;
	(void)bn_exec_audit_end(run->store, run->audit_id, &run->ar, NULL);
}

int bn_exec__run_end(bn_exec__run *run, const char *outcome, char **error,
		     const char *output, size_t output_len, bn_err *err)
{
	assert(run->audit_id != 0 && outcome);
	run->ar.duration_ms = bn_clock_now_ms() - run->t0_ms;
	text_valid(error);
	run->ar.outcome = outcome;
	run->ar.error = *error;
	bn_fs_sha256_hex(run->ar.output_sha256, output ? output : "",
			 output_len);
	return bn_exec_audit_end(run->store, run->audit_id, &run->ar, err);
}

void bn_exec__run_clear(bn_exec__run *run)
{
	bn_exec_grants_clear(&run->grants);
	bn_store_skills_clear(&run->all);
	free(run->notice);
	memset(run, 0, sizeof(*run));
}

/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_exec.c - running tool skills from the command line:
 * `skill build`, `skill grant`, `skill revoke`, `skill run`, and `audit`.
 */
#include "cli.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fs.h"
#include "exec/audit.h"
#include "exec/build.h"
#include "exec/executor.h"
#include "exec/grants.h"
#include "exec/script.h"
#include "registry/registry.h"
#include "view/view.h"

#define INPUT_MAX_BYTES ((size_t)16 << 20)

/* Exit codes of `skill run`, documented in docs/cli.md. */
enum {
	EXIT_SKILL_ERROR = 3,   /* the skill ran and failed (non-zero exit) */
	EXIT_SKILL_DENIED = 4,  /* a capability it asked for was refused */
	EXIT_SKILL_LIMIT = 5,   /* a limit stopped it */
	EXIT_SKILL_TRAP = 6,    /* it trapped */
};

/* The skill named NAME, or the skill folder at NAME; *sk_out borrowed
   from *all (clear it after). */
static int find_skill(const bn_store_skill **sk_out, bn_store_skills *all,
		      bn_store *s, const char *name, bn_err *err)
{
	int r = bn_store_skills_list(all, s, err);

	if (r)
		return r;
	*sk_out = bn_store_skills_find(all, name);
	if (!*sk_out)
		return bn_err_set(err, BN_ENOTFOUND,
				  "no skill '%s' (see `bnity skill list`)",
				  name);
	return 0;
}

/*
 * The limit option OPT (VALUE, for the limit FIELD) into *out: 1 to the
 * limit's maximum, else a usage error naming the option (exit 2).
 */
static int parse_limit(uint64_t *out, const char *opt, const char *value,
		       const char *field, bool bytes)
{
	uint64_t v, max = bn_exec_limit_max(field);
	int r;

	if (!value)
		return 0;
	r = bn_cli_parse_size(&v, value, bytes);
	if (r == -EINVAL)
		return bn_cli_usage("skill grant", "%s: '%s' is not a whole "
				    "number%s", opt, value, bytes ? " of bytes "
				    "(it may end in k, M or G)" : "");
	if (r || v < 1 || v > max)
		return bn_cli_usage("skill grant", "%s: %s is out of range (1 "
				    "to %llu)", opt, value,
				    (unsigned long long)max);
	*out = v;
	return 0;
}

/* ---- skill build --------------------------------------------------------- */

/* Installed skill NAME, whose files hashed to BEFORE, has a rebuilt
   module: the store records its new content (its grants follow), and
   skills-lock.json pins it when it lists the skill. */
static int record_rebuilt(bn_store *s, const char *name, const char *before,
			  bn_err *err)
{
	bn_registry_lock_entry e = { 0 };
	char hash[BN_SKILL_TREE_HASH_SIZE];
	int r = bn_store_skill_rebuilt(s, name, before, err);

	if (r || bn_registry_lock_get(&e, bn_store_home(s), name, NULL))
		return r;
	if ((r = bn_store_skill_identity(hash, s, name, NULL, err)) == 0) {
		free(e.hash);
		e.hash = bn_xstrdup(hash);
		r = bn_registry_lock_put(bn_store_home(s), name, &e, err);
	}
	bn_registry_lock_entry_clear(&e);
	return r;
}

int bn_cli_skill_build(const bn_cli_args *a)
{
	const char *const *pos = a->pos;
	int npos = a->npos;
	bool verbose = bn_cli_flag(a, "verbose"),
	     unconfined = bn_cli_flag(a, "unconfined"), confined, rerecord;
	bn_store_skills all = { 0 };
	const bn_store_skill *sk = NULL;
	bn_buf log = BN_BUF_INIT;
	bn_store *s = NULL;
	const char *dir;
	bn_err err;
	int r, built = 0;

	bn_err_init(&err);
	if (npos == 0 || strchr(pos[0], '/') || bn_fs_is_dir(pos[0])) {
		dir = npos ? pos[0] : ".";
		if (!bn_fs_is_dir(dir)) {
			bn_err_set(&err, BN_ENOTFOUND, "%s: no such folder", dir);
			return bn_cli_fail(&err);
		}
	} else if (unconfined) {
		return bn_cli_usage("skill build", "--unconfined is for a "
				    "folder of your own sources, given by PATH; "
				    "a skill named by NAME builds as its tier "
				    "says");
	} else {
		if (bn_cli_open_store(&s, &err))
			return bn_cli_fail(&err);
		if (find_skill(&sk, &all, s, pos[0], &err)) {
			bn_store_skills_clear(&all);
			bn_store_free(s);
			return bn_cli_fail(&err);
		}
		dir = sk->dir;
	}
	/*
	 * Other people's sources (any tier but local) build only in the
	 * OS sandbox, as at install: an unconfined compiler would embed
	 * any file the user can read (.incbin).  A folder given by PATH
	 * may be anyone's (a cloned repository): confined too, unless the
	 * user says with --unconfined that the sources are their own.
	 */
	confined = sk ? !sk->tier || strcmp(sk->tier, "local") : !unconfined;
	/* an installed skill's new module is a new identity: built only
	   from the files installed, then recorded (its grants follow) */
	rerecord = confined && sk && sk->origin == BN_STORE_ORIGIN_STORE &&
		   sk->hash;
	if (rerecord && (r = bn_store_skill_verify(s, sk->name, NULL, &err))) {
		bn_err_prefix(&err, "not built");
		goto out;
	}
	if (confined) {
		if (sk)
			fprintf(stderr, "building %s (tier %s) inside the OS "
				"sandbox\n", sk->name,
				sk->tier ? sk->tier : "untrusted");
		else
			fprintf(stderr, "building %s inside the OS sandbox "
				"(--unconfined builds sources of your own "
				"in-process)\n", dir);
		r = bn_exec_build_confined(&built, dir, &log, &err);
	} else {
		r = bn_exec_build(&built, dir, &log, &err);
	}
	if (!r && built && rerecord)
		r = record_rebuilt(s, sk->name, sk->hash, &err);
	if (verbose || r)
		fputs(bn_buf_cstr(&log), stderr);
	if (!r)
		printf(built ? "built %s/skill.wasm\n" :
		       "nothing to build: %s/skill.wasm is prebuilt and "
		       "valid\n", dir);
out:
	bn_buf_clear(&log);
	bn_store_skills_clear(&all);
	bn_store_free(s);
	return r ? bn_cli_fail(&err) : BN_EXIT_OK;
}

/* ---- skill grant / revoke ------------------------------------------------ */

int bn_cli_skill_grant(const bn_cli_args *a)
{
	const char *const *pos = a->pos, *bot = bn_cli_value(a, "bot"),
		   *fuel = bn_cli_value(a, "fuel"),
		   *mem = bn_cli_value(a, "max-memory"),
		   *timeout = bn_cli_value(a, "timeout-ms"),
		   *output = bn_cli_value(a, "max-output");
	int npos = a->npos, r = 0;
	bn_store_skills all = { 0 };
	const bn_store_skill *sk;
	bn_exec_limits lim = { 0 };
	bn_strv added = { 0 };
	bn_cli_ctx c;

	if (parse_limit(&lim.fuel, "--fuel", fuel, "fuel", false) ||
	    parse_limit(&lim.memory_bytes, "--max-memory", mem,
			"memory_bytes", true) ||
	    parse_limit(&lim.timeout_ms, "--timeout-ms", timeout,
			"timeout_ms", false) ||
	    parse_limit(&lim.output_bytes, "--max-output", output,
			"output_bytes", true))
		return BN_EXIT_USAGE;
	bool has_limits = fuel || mem || timeout || output;
	if (npos < 1 || (npos < 2 && !has_limits))
		return bn_cli_usage("skill grant", "name a SKILL and at least "
				    "one CAP[=SCOPE] (or a limit)");
	if ((r = bn_cli_ctx_open(&c)))
		return r;
	if ((r = find_skill(&sk, &all, c.store, pos[0], &c.err)))
		goto out;
	if (bot) {
		bn_store_bot b = { 0 };
		if ((r = bn_store_bot_get(&b, c.store, bot, &c.err)))
			goto out;
		bn_store_bot_clear(&b);
	}
	r = bn_exec_grant_add_resolved(c.store, &all, pos[0], bot, pos + 1,
				       (size_t)npos - 1,
				       has_limits ? &lim : NULL, &added,
				       &c.err);
	for (size_t i = 0; i < added.n; i++)
		printf("granted %s to skill '%s' for %s%s\n", added.v[i],
		       pos[0], bot ? "bot " : "every bot", bot ? bot : "");
	if (!r && npos == 1)
		printf("set limits of skill '%s' for %s%s\n", pos[0],
		       bot ? "bot " : "every bot", bot ? bot : "");
out:
	bn_strv_clear(&added);
	bn_store_skills_clear(&all);
	return bn_cli_ctx_end(&c, r);
}

int bn_cli_skill_revoke(bn_cli_ctx *c, const bn_cli_args *a)
{
	const char *const *pos = a->pos, *bot = bn_cli_value(a, "bot");
	size_t removed = 0;
	int r = 0;

	for (int i = 1; i < a->npos && r == 0; i++) {
		r = bn_exec_grant_revoke(c->store, pos[0], bot, pos[i],
					 &removed, &c->err);
		if (!r)
			printf("revoked %s of skill '%s' (%zu grant%s)\n", pos[i],
			       pos[0], removed, removed == 1 ? "" : "s");
	}
	return r;
}

/* ---- skill run ------------------------------------------------------------ */

static int read_input(char **out, size_t *len, const char *text,
		      const char *file, bn_err *err)
{
	if (text && file)
		return bn_err_set(err, BN_EUSAGE, "give --input or "
				  "--input-file, not both");
	if (text) {
		*out = bn_xstrdup(text);
		*len = strlen(text);
		return 0;
	}
	if (file && strcmp(file, "-")) {
		int r = bn_fs_read_file(out, len, file, INPUT_MAX_BYTES, err);
		if (r)
			bn_err_prefix(err, "--input-file");
		return r;
	}
	if (!file && isatty(0)) {
		*out = bn_xstrdup("{}");
		*len = 2;
		return 0;
	}
	bn_buf b;
	bn_buf_init(&b, INPUT_MAX_BYTES);
	for (;;) {
		char chunk[65536];
		ssize_t n = read(0, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			bn_buf_clear(&b);
			return bn_err_set(err, BN_EIO, "stdin: %s",
					  strerror(errno));
		}
		if (n == 0)
			break;
		if (bn_buf_append(&b, chunk, (size_t)n)) {
			bn_buf_clear(&b);
			return bn_err_set(err, BN_ELIMIT, "stdin: the input is "
					  "over %zu bytes", INPUT_MAX_BYTES);
		}
	}
	*len = b.len;
	*out = bn_buf_take(&b);
	return 0;
}

/* What `skill run` and `skill script` read, and the store they open. */
typedef struct run_input {
	char *input;              /* owned */
	size_t len;
	bn_cli_ctx c;
} run_input;

/*
 * Read the input of the command of A (--input, --input-file; NO_INPUT
 * when neither is given, instead of standard input; NULL: read it) and
 * open the store.  0, or the exit code after a message.
 */
static int run_input_get(run_input *in, const bn_cli_args *a,
			 const char *no_input)
{
	const char *text = bn_cli_value(a, "input"),
		   *file = bn_cli_value(a, "input-file");
	bn_err err;
	int r;

	bn_err_init(&err);
	if (!text && !file)
		text = no_input;
	if ((r = read_input(&in->input, &in->len, text, file, &err)))
		return r == BN_EUSAGE ? bn_cli_usage(a->path, "%s", err.msg) :
					bn_cli_fail(&err);
	if ((r = bn_cli_ctx_open(&in->c)))
		free(in->input);
	return r;
}

/* Free IN after its run, which returned R: the exit code after a
   message, or 0 (after NOTICE, the run's warning, when not NULL). */
static int run_input_end(run_input *in, int r, const char *notice)
{
	free(in->input);
	if ((r = bn_cli_ctx_end(&in->c, r)))
		return r;
	if (notice)
		fprintf(stderr, "bnity: warning: %s\n", notice);
	return 0;
}

int bn_cli_skill_run(const bn_cli_args *a)
{
	bn_exec_result res = { 0 };
	run_input in = { 0 };
	int r;

	if ((r = run_input_get(&in, a, NULL)))
		return r;
	bn_exec_request req = { .skill = a->pos[0],
				.bot = bn_cli_value(a, "bot"),
				.input = in.input, .input_len = in.len };
	r = bn_exec_run(&res, in.c.store, &req, &in.c.err);
	if ((r = run_input_end(&in, r, res.notice)))
		return r;
	if (bn_cli_flag(a, "json")) {
		bn_cli_print_json(bn_view_run_json(&res));
	} else {
		fwrite(res.output, 1, res.output_len, stdout);
		if (res.output_len && res.output[res.output_len - 1] != '\n')
			putchar('\n');
		if (!res.ok)
			fprintf(stderr, "bnity: skill '%s' %s: %s\n", a->pos[0],
				res.limit ? "stopped" : "failed",
				res.error ? res.error : res.outcome);
		if (res.grant_command)
			fprintf(stderr, "bnity: to allow it: %s\n",
				res.grant_command);
	}
	r = res.ok ? BN_EXIT_OK :
	    res.limit ? EXIT_SKILL_LIMIT :
	    !strcmp(res.outcome, "trap") ? EXIT_SKILL_TRAP :
	    res.host_denied ? EXIT_SKILL_DENIED : EXIT_SKILL_ERROR;
	bn_exec_result_clear(&res);
	return r;
}

/* ---- skill script ---------------------------------------------------------- */

int bn_cli_skill_script(const bn_cli_args *a)
{
	bn_exec_script_result res = { 0 };
	run_input in = { 0 };
	int r;

	if ((r = run_input_get(&in, a, "")))
		return r;
	bn_exec_script_request req = { a->pos[0], bn_cli_value(a, "bot"),
				       a->pos[1], a->pos + 2,
				       (size_t)(a->npos - 2), in.input, in.len,
				       NULL };
	r = bn_exec_script_run(&res, in.c.store, &req, &in.c.err);
	if ((r = run_input_end(&in, r, res.notice)))
		return r;
	if (bn_cli_flag(a, "json")) {
		bn_cli_print_json(bn_view_script_run_json(&res));
	} else {
		if (res.output_len)
			fwrite(res.output, 1, res.output_len, stdout);
		if (!res.ok)
			fprintf(stderr, "bnity: script '%s' of skill '%s' %s: "
				"%s\n", a->pos[1], a->pos[0], res.outcome,
				res.error ? res.error : "");
	}
	r = res.ok ? BN_EXIT_OK : !strcmp(res.outcome, "denied") ?
	    EXIT_SKILL_DENIED : res.limit ? EXIT_SKILL_LIMIT : EXIT_SKILL_ERROR;
	bn_exec_script_result_clear(&res);
	return r;
}

/* ---- audit ---------------------------------------------------------------- */

/*
 * Field KEY of O on stdout as literal text (NONE when it is not a
 * string): a backslash, control characters (C0, DEL, C1) are written as
 * escapes (\\, \n, \r, \t, \x1b), so text a skill chose (a scope, its
 * stderr) cannot start a line of its own or drive the terminal.
 */
static void put_lit(const json_t *o, const char *key, const char *none)
{
	const json_t *v = json_object_get(o, key);
	const char *t = json_is_string(v) ? json_string_value(v) : none;
	size_t n = json_is_string(v) ? json_string_length(v) : strlen(none);

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)t[i];
		if (ch == '\\')
			fputs("\\\\", stdout);
		else if (ch == '\n')
			fputs("\\n", stdout);
		else if (ch == '\r')
			fputs("\\r", stdout);
		else if (ch == '\t')
			fputs("\\t", stdout);
		else if (ch < 0x20 || ch == 0x7f)
			printf("\\x%02x", ch);
		else if (ch == 0xc2 && i + 1 < n &&
			 (unsigned char)t[i + 1] >= 0x80 &&
			 (unsigned char)t[i + 1] <= 0x9f)   /* C1, as U+009B */
			printf("\\u%04x", (unsigned char)t[++i]);
		else
			putchar(ch);
	}
}

/* The calls in O's "calls", one line each, then how to see the next
   page when O's CURSOR names one. */
static void put_calls(const json_t *o, const char *cursor, json_int_t run)
{
	json_t *calls = json_object_get(o, "calls"), *next;

	for (size_t k = 0; k < json_array_size(calls); k++) {
		json_t *c = json_array_get(calls, k);
		printf("    %s ", json_is_true(json_object_get(c,
		       "allowed")) ? "allowed" : "DENIED ");
		put_lit(c, "capability", "");
		if (json_is_true(json_object_get(c, "summary")))
			printf(" (%lld calls)", (long long)json_integer_value(
			       json_object_get(c, "count")));
		putchar(' ');
		put_lit(c, "scope", "");
		fputs(": ", stdout);
		put_lit(c, "reason", "");
		putchar('\n');
	}
	next = json_object_get(o, cursor);
	if (json_is_integer(next))
		printf("    ... more calls: bnity audit --run %lld --after "
		       "%lld\n", (long long)run,
		       (long long)json_integer_value(next));
}

/* The record O's at_ms as "YYYY-MM-DD HH:MM:SS" (UTC). */
static void when_text(char out[32], const json_t *o)
{
	time_t at = (time_t)(json_integer_value(json_object_get(o, "at_ms")) /
			     1000);

	strftime(out, 32, "%Y-%m-%d %H:%M:%S", gmtime(&at));
}

/* `audit --run ID [--after ID]`: a page of one run's calls. */
static void print_calls_page(const json_t *o, int64_t run)
{
	if (json_array_size(json_object_get(o, "calls")) == 0)
		printf("no calls\n");
	put_calls(o, "next_after", run);
}

/* `audit --installs`: what was installed or updated, from where, with
   which tier and grants. */
static void print_installs(const json_t *a)
{
	if (json_array_size(a) == 0)
		printf("no install records\n");
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *o = json_array_get(a, i), *ref = json_object_get(o, "ref");
		char when[32], *granted;

		when_text(when, o);
		granted = json_dumps(json_object_get(o, "granted"),
				     JSON_COMPACT);
		printf("#%lld %s  %s %s  tier=%s  from %s%s%s  %.19s  "
		       "granted=%s  findings=%lld\n",
		       (long long)json_integer_value(json_object_get(o, "id")),
		       when, json_string_value(json_object_get(o, "action")),
		       json_string_value(json_object_get(o, "skill")),
		       json_string_value(json_object_get(o, "tier")),
		       json_string_value(json_object_get(o, "source")),
		       json_is_string(ref) ? "@" : "",
		       json_is_string(ref) ? json_string_value(ref) : "",
		       json_string_value(json_object_get(o, "hash")),
		       granted ? granted : "[]",
		       (long long)json_integer_value(
			       json_object_get(o, "findings")));
		free(granted);
	}
}

/* `audit`: the runs of the filter, newest first, each with its calls. */
static void print_runs(const json_t *a)
{
	if (json_array_size(a) == 0)
		printf("no audit records\n");
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *o = json_array_get(a, i);
		char when[32];

		when_text(when, o);
		printf("#%lld %s  ", (long long)json_integer_value(
			json_object_get(o, "id")), when);
		if (strcmp(json_string_value(json_object_get(o, "kind")),
			   "run")) {
			put_lit(o, "kind", "");
			putchar(' ');
		}
		put_lit(o, "skill", "");
		if (json_is_string(json_object_get(o, "detail"))) {
			putchar(' ');
			put_lit(o, "detail", "");
		}
		fputs("  bot=", stdout);
		put_lit(o, "bot", "-");
		if (json_is_string(json_object_get(o, "client"))) {
			fputs("  client=", stdout);
			put_lit(o, "client", "");
		}
		fputs("  tier=", stdout);
		put_lit(o, "tier", "");
		fputs("  by=", stdout);
		put_lit(o, "actor", "-");
		fputs("  ", stdout);
		put_lit(o, "outcome", "");
		printf("  fuel=%lld  mem=%lld  %lldms",
		       (long long)json_integer_value(json_object_get(o, "fuel")),
		       (long long)json_integer_value(
			       json_object_get(o, "memory_peak")),
		       (long long)json_integer_value(
			       json_object_get(o, "duration_ms")));
		if (json_is_integer(json_object_get(o, "session"))) {
			printf("  session=%lld turn=%lld call=",
			       (long long)json_integer_value(
				       json_object_get(o, "session")),
			       (long long)json_integer_value(
				       json_object_get(o, "turn")));
			put_lit(o, "tool_call_id", "-");
		}
		if (json_is_string(json_object_get(o, "error"))) {
			fputs("  ", stdout);
			put_lit(o, "error", "");
		}
		putchar('\n');
		put_calls(o, "calls_next_after", json_integer_value(
			json_object_get(o, "id")));
	}
}

int bn_cli_audit_main(const bn_cli_args *a)
{
	const char *skill = bn_cli_value(a, "skill"),
		   *bot = bn_cli_value(a, "bot"),
		   *since = bn_cli_value(a, "since"),
		   *outcome = bn_cli_value(a, "outcome"),
		   *limit = bn_cli_value(a, "limit"),
		   *before = bn_cli_value(a, "before"),
		   *run_id = bn_cli_value(a, "run"),
		   *after = bn_cli_value(a, "after"),
		   *session = bn_cli_value(a, "session");
	bool installs = bn_cli_flag(a, "installs");
	bn_exec_audit_filter f = { 0 };
	int64_t run = 0, after_id = 0;
	json_t *o = NULL;
	bn_cli_ctx c;
	int r;
	unsigned long long v;

	f.skill = skill;
	f.bot = bot;
	f.outcome = outcome;
	if (since) {
		bn_err err;
		bn_err_init(&err);
		if (bn_exec_audit_parse_since(&f.since_ms, since, &err))
			return bn_cli_usage("audit", "%s", err.msg);
	}
	if (limit) {
		if (!bn_cli_parse_num(&v, limit, 1, 10000))
			return bn_cli_usage("audit", "--limit: 1 to 10000");
		f.limit = (unsigned)v;
	}
	if (before) {
		if (!bn_cli_parse_num(&v, before, 1, INT64_MAX))
			return bn_cli_usage("audit", "--before: a record id");
		f.before_id = (int64_t)v;
	}
	if (session) {
		if (!bn_cli_parse_num(&v, session, 1, INT64_MAX))
			return bn_cli_usage("audit", "--session: a chat session "
					    "id (see `bnity chat --sessions`)");
		f.session = (int64_t)v;
	}
	if (run_id) {
		if (!bn_cli_parse_num(&v, run_id, 1, INT64_MAX))
			return bn_cli_usage("audit", "--run: a record id");
		run = (int64_t)v;
	}
	if (after) {
		if (!run_id)
			return bn_cli_usage("audit", "--after pages through "
					    "the calls of one --run");
		if (!bn_cli_parse_num(&v, after, 0, INT64_MAX))
			return bn_cli_usage("audit", "--after: a call id");
		after_id = (int64_t)v;
	}
	if (run_id && (skill || bot || since || outcome || before || installs))
		return bn_cli_usage("audit", "--run takes only --after, "
				    "--limit and --json");
	if (installs && (bot || outcome || before))
		return bn_cli_usage("audit", "--installs takes only --skill, "
				    "--since, --limit and --json");
	if ((r = bn_cli_ctx_open(&c)))
		return r;
	r = run_id ? bn_exec_audit_calls(&o, c.store, run, after_id, f.limit,
					 &c.err) :
	    installs ? bn_registry_audit_installs(&o, c.store, f.skill,
						  f.since_ms, f.limit, &c.err) :
	    bn_exec_audit_query(&o, c.store, &f, &c.err);
	if ((r = bn_cli_ctx_end(&c, r)))
		return r;
	if (bn_cli_flag(a, "json")) {
		bn_cli_print_json(o);
		return BN_EXIT_OK;
	}
	if (run_id)
		print_calls_page(o, run);
	else if (installs)
		print_installs(o);
	else
		print_runs(o);
	json_decref(o);
	return BN_EXIT_OK;
}

/* SPDX-License-Identifier: MIT */
/*
 * mcp/call.c - tools/call (spec server/tools): the skill runs as `bnity
 * skill run --bot BOT` runs it (bn_exec_run_as: its identity, tier,
 * worker, limits, grants and audit record, which names the client), in a
 * thread of its own so that the session goes on; progress while it runs
 * when the request carries a progressToken (basic/utilities/progress);
 * notifications/cancelled ends it through an eventfd the executor watches
 * (basic/utilities/cancellation), and a cancelled call is not answered.
 *
 * Whatever the skill does (fails, hits a limit, is refused a capability)
 * is a result with isError, never a protocol error.
 */
#include "mcp_int.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "exec/audit.h"
#include "exec/executor.h"

struct bn_mcp__call {
	bn_mcp__call *next;          /* the session's list */
	bn_mcp__session *ss;
	json_t *id;                  /* owned copy of the request's id */
	json_t *token;               /* owned progressToken, or NULL */
	char *skill;                 /* owned */
	char *client;                /* owned copy of the client's name */
	char actor[BN_SERVER_TOKEN_NAME_MAX + 1]; /* the session's token, or "" */
	char *input;                 /* owned JSON of the arguments */
	bool structured;             /* the tool has an outputSchema */
	int cancel_fd;               /* eventfd: readable once cancelled */
	bool cancelled;              /* under the session's lock */
	/* progress: the ticker thread, when token is set */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;                   /* the run returned */
	json_int_t step;             /* progress sent so far */
	pthread_t ticker;
};

static void call_free(bn_mcp__call *c)
{
	json_decref(c->id);
	json_decref(c->token);
	free(c->skill);
	free(c->client);
	free(c->input);
	if (c->cancel_fd >= 0)
		close(c->cancel_fd);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* One progress notification: the next step, with MSG. */
static void progress(bn_mcp__call *c, const char *msg, bool last)
{
	json_t *p;

	pthread_mutex_lock(&c->lock);
	c->step++;
	p = json_pack("{s:O, s:I, s:s}", "progressToken", c->token,
		      "progress", c->step, "message", msg);
	if (last)
		json_object_set_new(p, "total", json_integer(c->step));
	pthread_mutex_unlock(&c->lock);
	c->ss->send(c->ss->payload, bn_mcp__notification(
		    "notifications/progress", p), c->id, false);
}

static void *ticker_main(void *arg)
{
	bn_mcp__call *c = arg;
	unsigned every_ms = c->ss->srv->o.progress_ms;
	uint64_t t0 = bn_clock_now_ms();

	pthread_mutex_lock(&c->lock);
	while (!c->done) {
		struct timespec until;
		bn_clock_deadline_ts(&until, every_ms);
		if (pthread_cond_timedwait(&c->cond, &c->lock, &until) == 0 ||
		    c->done)
			continue;
		pthread_mutex_unlock(&c->lock);
		char *msg = bn_xasprintf("%s: running for %llu ms", c->skill,
			(unsigned long long)(bn_clock_now_ms() - t0));
		progress(c, msg, false);
		free(msg);
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* Why RES failed, for the agent and its user (owned). */
static char *failure_text(bn_mcp__call *c, const bn_exec_result *res)
{
	if (res->grant_command)
		return bn_xasprintf("skill '%s' was refused a capability, so "
			"it %s: %s.\nTo allow it, the user runs: %s\n(or "
			"grants it in the web UI of `bnity serve`, Skills "
			"tab).  Audit record #%lld.", c->skill, res->limit ?
			"stopped" : "failed", res->error ? res->error :
			res->outcome, res->grant_command,
			(long long)res->audit_id);
	return bn_xasprintf("skill '%s' %s (%s): %s.  Audit record #%lld.",
			    c->skill, res->limit ? "stopped by a limit" :
			    "failed", res->outcome, res->error ? res->error :
			    "no reason given", (long long)res->audit_id);
}

/* The CallToolResult of RES (R: bn_exec_run_as's return, ERR its why). */
static json_t *call_result(bn_mcp__call *c, int r, const bn_exec_result *res,
			   const bn_err *err)
{
	json_t *out, *content = json_array(), *structured = NULL;
	bool is_error = true;
	char *text = NULL;

	if (r) {
		text = bn_xasprintf("skill '%s' did not run: %s", c->skill,
				    err->msg);
	} else if (res->ok) {
		is_error = false;
		if (c->structured) {
			structured = json_loadb(res->output, res->output_len, 0,
						NULL);
			if (!json_is_object(structured)) {
				json_decref(structured);
				structured = NULL;
				is_error = true;
				text = bn_xasprintf("skill '%s' declares an "
					"output schema (output-schema.json) "
					"but its output is not a JSON object",
					c->skill);
			}
		}
	} else {
		text = failure_text(c, res);
	}
	/* what the skill wrote comes first, as valid UTF-8 */
	if (!r && res->output_len) {
		bn_buf b;
		bn_buf_init(&b, 0);
		if (bn_buf_append_utf8(&b, res->output, res->output_len,
				       NULL) == 0)
			json_array_append_new(content, json_pack("{s:s, s:s%}",
				"type", "text", "text", bn_buf_cstr(&b),
				b.len));
		bn_buf_clear(&b);
	}
	if (text)
		json_array_append_new(content, json_pack("{s:s, s:s}", "type",
				      "text", "text", text));
	free(text);
	out = json_pack("{s:o, s:b}", "content", content, "isError", is_error);
	if (structured)
		json_object_set_new(out, "structuredContent", structured);
	if (!r)
		json_object_set_new(out, "_meta", json_pack("{s:I, s:s}",
			"boternity/audit_id", (json_int_t)res->audit_id,
			"boternity/outcome", res->outcome));
	return out;
}

/* Remove C from its session's list (the session's lock held). */
static void unlink_call(bn_mcp__call *c)
{
	for (bn_mcp__call **p = &c->ss->calls; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			return;
		}
}

static void *call_main(void *arg)
{
	bn_mcp__call *c = arg;
	bn_mcp__session *ss = c->ss;
	bn_exec_result res = { 0 };
	bn_exec_caller who = { c->client, c->cancel_fd };
	bn_store *s = NULL;
	json_t *answer = NULL;
	bool ticking = false, cancelled;
	bn_err err;
	int r;

	bn_err_init(&err);
	if (c->token) {
		progress(c, "started", false);
		ticking = pthread_create(&c->ticker, NULL, ticker_main, c) == 0;
	}
	r = bn_mcp__store_open(&s, ss->srv, &err);
	if (!r) {
		/* every tier out of process, as in `bnity serve`: a local
		   skill that crashes or spins never takes the server down */
		bn_exec_request req = { .skill = c->skill,
					.bot = ss->srv->bot, .input = c->input,
					.input_len = strlen(c->input),
					.pool = ss->srv->o.pool,
					.local_in_worker = true,
					.actor = *c->actor ? c->actor :
						 NULL };
		r = bn_exec_run_as(&res, s, &req, &who, &err);
	}
	pthread_mutex_lock(&c->lock);
	c->done = true;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
	if (ticking)
		pthread_join(c->ticker, NULL);
	pthread_mutex_lock(&ss->lock);
	cancelled = c->cancelled;
	pthread_mutex_unlock(&ss->lock);
	if (!r && !strcmp(res.outcome, "cancelled")) {
		cancelled = true;
		if (res.worker_pid)
			bn_mcp__log(ss->srv, "call of %s cancelled: worker %d "
				    "ended (audit record #%lld)", c->skill,
				    res.worker_pid, (long long)res.audit_id);
		else
			bn_mcp__log(ss->srv, "call of %s cancelled: the "
				    "in-process run was stopped (audit record "
				    "#%lld)", c->skill,
				    (long long)res.audit_id);
	}
	if (!cancelled) {
		answer = call_result(c, r, &res, &err);
		if (c->token)
			progress(c, "finished", true);
		ss->send(ss->payload, json_pack("{s:s, s:O, s:o}", "jsonrpc",
			 "2.0", "id", c->id, "result", answer), c->id, true);
	}
	bn_exec_result_clear(&res);
	bn_store_free(s);
	pthread_mutex_lock(&ss->lock);
	unlink_call(c);
	ss->ncalls--;
	pthread_cond_broadcast(&ss->idle);
	pthread_mutex_unlock(&ss->lock);
	call_free(c);
	return NULL;
}

void bn_mcp__call_start(bn_mcp__session *ss, const json_t *id,
			const json_t *params, const json_t *tool)
{
	bn_mcp__call *c = bn_xcalloc(1, sizeof(*c));
	json_t *args = json_object_get(params, "arguments");
	json_t *token = json_object_get(json_object_get(params, "_meta"),
					"progressToken");
	pthread_attr_t attr;
	pthread_t t;

	c->ss = ss;
	c->id = json_deep_copy(id);
	c->token = json_is_string(token) || json_is_integer(token) ?
		   json_deep_copy(token) : NULL;
	c->skill = bn_xstrdup(json_string_value(json_object_get(tool,
						"name")));
	c->input = args ? json_dumps(args, JSON_COMPACT) : NULL;
	if (!c->input)
		c->input = bn_xstrdup("{}");
	c->structured = json_object_get(tool, "outputSchema") != NULL;
	c->cancel_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	pthread_mutex_lock(&ss->lock);
	c->client = ss->client ? bn_xstrdup(ss->client) : NULL;
	memcpy(c->actor, ss->actor, sizeof(c->actor));
	if (c->cancel_fd < 0) {
		pthread_mutex_unlock(&ss->lock);
		bn_mcp__send_error(ss, id, BN_MCP_INTERNAL_ERROR,
			 "tools/call: cannot make an eventfd: %s",
			 strerror(errno));
		call_free(c);
		return;
	}
	c->next = ss->calls;
	ss->calls = c;
	ss->ncalls++;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, call_main, c)) {
		unlink_call(c);
		ss->ncalls--;
		pthread_mutex_unlock(&ss->lock);
		pthread_attr_destroy(&attr);
		bn_mcp__send_error(ss, id, BN_MCP_INTERNAL_ERROR,
			 "tools/call: cannot start a thread");
		call_free(c);
		return;
	}
	pthread_attr_destroy(&attr);
	pthread_mutex_unlock(&ss->lock);
}

/* Cancel C (the session's lock held). */
static void cancel_locked(bn_mcp__call *c)
{
	uint64_t one = 1;

	if (c->cancelled)
		return;
	c->cancelled = true;
	(void)write(c->cancel_fd, &one, sizeof(one));
}

bool bn_mcp__call_cancel(bn_mcp__session *ss, const json_t *id)
{
	bool found = false;

	pthread_mutex_lock(&ss->lock);
	for (bn_mcp__call *c = ss->calls; c; c = c->next)
		if (json_equal(c->id, (json_t *)id)) {
			cancel_locked(c);
			found = true;
		}
	pthread_mutex_unlock(&ss->lock);
	return found;
}

bool bn_mcp__session_has_call(bn_mcp__session *ss, const json_t *id)
{
	bool found = false;

	pthread_mutex_lock(&ss->lock);
	for (bn_mcp__call *c = ss->calls; c; c = c->next)
		if (json_equal(c->id, (json_t *)id))
			found = true;
	pthread_mutex_unlock(&ss->lock);
	return found;
}

void bn_mcp__calls_finish(bn_mcp__session *ss, bool cancel)
{
	pthread_mutex_lock(&ss->lock);
	for (bn_mcp__call *c = ss->calls; c && cancel; c = c->next)
		cancel_locked(c);
	while (ss->ncalls)
		pthread_cond_wait(&ss->idle, &ss->lock);
	pthread_mutex_unlock(&ss->lock);
}

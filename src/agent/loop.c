/* SPDX-License-Identifier: MIT */
/*
 * agent/loop.c - a chat session and its turns (see loop.h).
 *
 * A turn: the user's message, then up to max_steps model calls; after
 * each answer that calls tools, the calls run (tools.c) and their results
 * go back as one "tool" message.  What is sent is the system prompt, the
 * tools and the newest whole turns that fit the context budget (bytes / 4
 * as the token estimate).  Instructions of skills activated in turns that
 * no longer fit are carried in the system prompt instead, so trimming
 * never makes the model forget a skill it loaded.
 */
#include "agent_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/conv.h"
#include "agent/prompt.h"
#include "store/conv.h"

static const char tools_note[] =
	"\nTo load a skill's full instructions, call the activate_skill tool "
	"with its name (do not try to open its location yourself); read the "
	"files it lists with read_skill_resource.\n";

struct bn_agent_session {
	bn_store *store;             /* borrowed */
	bn_agent_provider *provider; /* borrowed */
	char *bot;                   /* owned slug */
	bn_agent_loop_options opts;
	char *system;                /* the system prompt (owned) */
	bn_strv warnings;            /* skills left out of the catalog */
	bn_agent__kit kit;           /* tools and activations */
	json_t *messages;            /* the conversation so far */
	int64_t id;                  /* the conversation, 0 before saved */
	bn_store_bot_limits limits;  /* the bot's token limits */
	int64_t last_turn;           /* the last turn's number, 0: none */
	char pending[16];            /* the last turn's state when it did not
					complete: "incomplete", "cancelled"
					or "running"; "" otherwise */
	char *pending_error;         /* owned: why, or NULL */
	int64_t pending_pid;         /* a running turn's process */
	size_t pending_start;        /* where that turn starts in messages */
};

/* Find activate_skill results in MSGS and mark their skills active. */
static void scan_activations(bn_agent__kit *k, json_t *msgs)
{
	json_t *m, *b;
	size_t i, j;

	json_array_foreach(msgs, i, m)
		json_array_foreach(json_object_get(m, "content"), j, b)
			if (!strcmp(bn_agent__block_str(b, "type"),
				    "tool_result") &&
			    !json_is_true(json_object_get(b, "is_error")) &&
			    json_is_string(json_object_get(b, "skill")))
				bn_agent__kit_activated(k,
					bn_agent__block_str(b, "skill"));
}

static int db_fail(int r, bn_err *err)
{
	bn_err_prefix(err, "conversations");
	return r;
}

static int load_session(bn_agent_session *ss, int64_t id, bn_err *err)
{
	bn_agent_conv c = { 0 };
	bn_store_turn last = { 0 };
	json_t *turns = NULL, *t;
	bool found = false;
	size_t i;
	int r = bn_agent_conv_get(&c, ss->store, id, err);

	if (r)
		return r;
	if (strcmp(c.bot, ss->bot) != 0)
		r = bn_err_set(err, BN_EINVAL, "session %lld belongs to bot "
			       "'%s', not '%s'", (long long)id, c.bot, ss->bot);
	bn_agent_conv_clear(&c);
	if (r)
		return r;
	json_decref(ss->messages);
	ss->messages = NULL;
	if ((r = bn_agent_conv_load(&ss->messages, &turns, ss->store, id,
				    err)))
		return r;
	ss->id = id;
	scan_activations(&ss->kit, ss->messages);
	r = bn_store_turn_last(&last, &found, ss->store, id, err);
	if (!r && found) {
		ss->last_turn = last.number;
		if (strcmp(last.state, "complete")) {
			snprintf(ss->pending, sizeof(ss->pending), "%s",
				 last.state);
			ss->pending_error = last.error;
			last.error = NULL;
			ss->pending_pid = last.owner_pid;
		}
		ss->pending_start = json_array_size(ss->messages);
		json_array_foreach(turns, i, t)
			if (json_integer_value(t) == last.number) {
				ss->pending_start = i;
				break;
			}
	}
	bn_store_turn_clear(&last);
	json_decref(turns);
	return r ? db_fail(r, err) : 0;
}

int bn_agent_session_open(bn_agent_session **out, bn_store *s,
			  bn_agent_provider *p, const char *bot,
			  int64_t session_id,
			  const bn_agent_loop_options *opts, bn_err *err)
{
	const bn_agent_loop_options dflt = BN_AGENT_LOOP_OPTIONS_INIT;
	bn_agent_session *ss = bn_xcalloc(1, sizeof(*ss));
	bn_buf prompt = BN_BUF_INIT;
	bn_strv names = { 0 };
	int r;

	ss->store = s;
	ss->provider = p;
	ss->bot = bn_xstrdup(bot);
	ss->opts = opts ? *opts : dflt;
	if (ss->opts.max_steps == 0)
		ss->opts.max_steps = 1;
	ss->messages = json_array();
	r = bn_agent_prompt_build(&prompt, &names, &ss->warnings, s, bot, err);
	if (!r && names.n)
		r = bn_buf_puts(&prompt, tools_note) ? bn_err_oom(err) : 0;
	if (!r)
		r = bn_agent__kit_init(&ss->kit, s, ss->bot, &names, &ss->opts,
				       err);
	ss->system = bn_buf_take(&prompt);
	if (!ss->system)
		ss->system = bn_xstrdup("");
	bn_strv_clear(&names);
	if (!r)
		r = bn_store_bot_limits_get(&ss->limits, s, bot, err);
	if (!r && session_id)
		r = load_session(ss, session_id, err);
	if (r) {
		bn_agent_session_free(ss);
		return r;
	}
	*out = ss;
	return 0;
}

void bn_agent_session_free(bn_agent_session *ss)
{
	if (!ss)
		return;
	free(ss->bot);
	free(ss->system);
	free(ss->pending_error);
	bn_strv_clear(&ss->warnings);
	bn_agent__kit_clear(&ss->kit);
	json_decref(ss->messages);
	free(ss);
}

int64_t bn_agent_session_id(const bn_agent_session *ss)
{
	return ss->id;
}

void bn_agent_session_reset(bn_agent_session *ss)
{
	json_array_clear(ss->messages);
	ss->id = 0;
	ss->last_turn = 0;
	ss->pending[0] = '\0';
	free(ss->pending_error);
	ss->pending_error = NULL;
	ss->pending_pid = 0;
	bn_agent__kit_reset(&ss->kit);
}

json_t *bn_agent_session_skills(bn_agent_session *ss)
{
	return ss->kit.skills;
}

const bn_strv *bn_agent_session_warnings(const bn_agent_session *ss)
{
	return &ss->warnings;
}

const char *bn_agent_session_system(const bn_agent_session *ss)
{
	return ss->system;
}

/* ---- fitting the context ------------------------------------------------ */

static size_t json_bytes(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	size_t n = s ? strlen(s) : 0;
	free(s);
	return n;
}

/*
 * The request: the newest whole turns (each starting at a user message,
 * the current turn always) that fit, and the system prompt with the
 * instructions of skills activated in the turns left out.
 */
static void fit(json_t **msgs_out, char **system_out, bn_agent_session *ss,
		size_t turn_start)
{
	json_t *all = ss->messages, *sent = json_array(), *m, *b;
	size_t n = json_array_size(all), i, j, from = turn_start;
	size_t fixed = strlen(ss->system) + json_bytes(ss->kit.tools);
	size_t budget = ss->opts.context_tokens * 4, used;
	bn_buf sys = BN_BUF_INIT;

	used = fixed;
	for (i = n; i > turn_start; i--)
		used += json_bytes(json_array_get(all, i - 1));
	/* step back over older turns while they fit */
	for (i = turn_start; i > 0; i--) {
		used += json_bytes(json_array_get(all, i - 1));
		if (used > budget)
			break;
		if (!strcmp(bn_agent__block_str(json_array_get(all, i - 1),
						"role"), "user"))
			from = i - 1;
	}
	for (i = from; i < n; i++)
		json_array_append(sent, json_array_get(all, i));
	if (bn_buf_puts(&sys, ss->system))
		goto out;
	/* what the dropped turns activated stays known */
	bool opened = false;
	for (i = 0; i < from; i++) {
		m = json_array_get(all, i);
		json_array_foreach(json_object_get(m, "content"), j, b) {
			if (!json_is_string(json_object_get(b, "skill")) ||
			    json_is_true(json_object_get(b, "is_error")))
				continue;
			if (!opened && bn_buf_puts(&sys, "\n<activated_skills>"
						   "\n"))
				goto out;
			opened = true;
			if (bn_buf_printf(&sys, "<skill name=\"%s\">\n%s\n"
					  "</skill>\n",
					  bn_agent__block_str(b, "skill"),
					  bn_agent__block_str(b, "content")))
				goto out;
		}
	}
	if (opened && bn_buf_puts(&sys, "</activated_skills>\n"))
		goto out;
out:
	*msgs_out = sent;
	*system_out = sys.data ? bn_buf_take(&sys) : bn_xstrdup(ss->system);
}

/* ---- a turn ------------------------------------------------------------- */

typedef struct turn {
	bn_agent_session *ss;
	const bn_agent_events *ev;
	json_t *calls;               /* [{id, name, input, result, is_error}] */
	bn_buf reply;                /* the last answer's text */
	unsigned steps;
	bn_store_usage used;         /* tokens of the turn's model calls */
	char stop[32];
	size_t start;                /* the turn's first message */
	bool resumed;
} turn;

static bool cancelled(const turn *tn)
{
	return tn->ev && tn->ev->cancel && atomic_load(tn->ev->cancel);
}

static void on_text(const char *t, size_t n, void *payload)
{
	turn *tn = payload;
	if (tn->ev && tn->ev->on_text)
		tn->ev->on_text(t, n, tn->ev->payload);
}

static void on_retry(unsigned long ms, const char *why, void *payload)
{
	turn *tn = payload;
	if (tn->ev && tn->ev->on_retry)
		tn->ev->on_retry(ms, why, tn->ev->payload);
}

/* Journal MSG (borrowed) as a message of the current turn. */
static int journal(bn_agent_session *ss, json_t *msg, bn_err *err)
{
	json_t *one = json_pack("[O]", msg);
	int r = bn_agent_conv_append(ss->store, ss->id, ss->last_turn, one, 0,
				     NULL, err);
	json_decref(one);
	return r;
}

/* The result block of call ID in the "tool" message at AT, or NULL. */
static json_t *stored_result(json_t *msgs, size_t at, const char *id)
{
	json_t *m = json_array_get(msgs, at), *b;
	size_t i;

	if (!m || strcmp(bn_agent__block_str(m, "role"), "tool"))
		return NULL;
	json_array_foreach(json_object_get(m, "content"), i, b)
		if (!strcmp(bn_agent__block_str(b, "id"), id))
			return b;
	return NULL;
}

/*
 * Run the tool calls of the answer at index AT that have no stored
 * result yet, journalling each result before the next call starts.  A
 * cancelled turn records the calls it did not run as errors.  *more:
 * the answer called tools (the model speaks next).
 */
static int run_calls(turn *tn, size_t at, bool *more, bn_err *err)
{
	bn_agent_session *ss = tn->ss;
	json_t *msg = json_array_get(ss->messages, at), *b, *res, *tool;
	const bn_agent_events *ev = tn->ev;
	size_t i;
	int r = 0;

	*more = false;
	tool = json_array_get(ss->messages, at + 1);
	if (tool && strcmp(bn_agent__block_str(tool, "role"), "tool"))
		tool = NULL;
	json_array_foreach(json_object_get(msg, "content"), i, b) {
		if (strcmp(bn_agent__block_str(b, "type"), "tool_call"))
			continue;
		*more = true;
		const char *name = bn_agent__block_str(b, "name");
		const char *id = bn_agent__block_str(b, "id");
		if (stored_result(ss->messages, at + 1, id))
			continue;    /* it ran before: never again */
		if (cancelled(tn)) {
			res = json_pack("{s:s, s:s, s:s, s:s, s:b}", "type",
					"tool_result", "id", id, "name", name,
					"content", "not run: the turn was "
					"cancelled", "is_error", 1);
		} else {
			if (ev && ev->on_tool_call)
				ev->on_tool_call(name, json_object_get(b,
						 "input"), ev->payload);
			ss->kit.trace.session = ss->id;
			ss->kit.trace.turn = ss->last_turn;
			ss->kit.trace.cancel = ev ? ev->cancel : NULL;
			res = bn_agent__kit_call(&ss->kit, b);
			ss->kit.trace.tool_call_id = NULL;
		}
		bool is_error = json_is_true(json_object_get(res, "is_error"));
		const char *content = bn_agent__block_str(res, "content");
		if (ev && ev->on_tool_result && !cancelled(tn))
			ev->on_tool_result(name, content, is_error,
				(int64_t)json_integer_value(json_object_get(
					res, "audit_id")), ev->payload);
		json_array_append_new(tn->calls, json_pack("{s:s, s:s, s:O, "
			"s:s, s:b}", "id", id, "name", name, "input",
			json_object_get(b, "input"), "result", content,
			"is_error", is_error));
		json_t *one = json_pack("{s:s, s:[O]}", "role", "tool",
					"content", res);
		r = journal(ss, one, err);
		json_decref(one);
		if (r) {
			json_decref(res);
			break;
		}
		if (!tool) {
			tool = json_pack("{s:s, s:[]}", "role", "tool",
					 "content");
			json_array_insert_new(ss->messages, at + 1, tool);
		}
		json_array_append_new(json_object_get(tool, "content"), res);
	}
	return r;
}

static void keep_text(turn *tn, json_t *msg)
{
	json_t *b;
	size_t i;

	tn->reply.len = 0;
	if (tn->reply.data)
		tn->reply.data[0] = '\0';
	json_array_foreach(json_object_get(msg, "content"), i, b)
		if (!strcmp(bn_agent__block_str(b, "type"), "text"))
			(void)bn_buf_puts(&tn->reply,
					  bn_agent__block_str(b, "text"));
}

/* One model call, its answer journalled, then its tool calls. */
static int step(turn *tn, bool *more, bn_err *err)
{
	bn_agent_session *ss = tn->ss;
	bn_agent_stream stream = { .on_text = on_text, .payload = tn,
				   .cancel = tn->ev ? tn->ev->cancel : NULL,
				   .on_retry = on_retry };
	bn_agent_reply reply = { 0 };
	bn_agent_request req = { 0 };
	char *system = NULL;
	json_t *sent = NULL;
	int r;

	fit(&sent, &system, ss, tn->start);
	req.system = system;
	req.messages = sent;
	req.tools = ss->kit.tools;
	req.max_tokens = ss->opts.max_tokens ? ss->opts.max_tokens :
		(unsigned)ss->limits.max_tokens;
	req.legacy_max_tokens = !*ss->limits.token_field ? -1 :
		!strcmp(ss->limits.token_field, "max_tokens");
	r = bn_agent_provider_complete(&reply, ss->provider, &req, &stream,
				       err);
	json_decref(sent);
	free(system);
	if (r)
		return r;
	tn->steps++;
	tn->used.input += reply.input_tokens;
	tn->used.output += reply.output_tokens;
	tn->used.cache_read += reply.cache_read_tokens;
	tn->used.cache_write += reply.cache_write_tokens;
	snprintf(tn->stop, sizeof(tn->stop), "%s", reply.stop_reason);
	json_array_append(ss->messages, reply.message);
	keep_text(tn, reply.message);
	r = journal(ss, reply.message, err);
	bn_agent_reply_clear(&reply);
	if (r)
		return r;
	return run_calls(tn, json_array_size(ss->messages) - 1, more, err);
}

static json_t *turn_json(turn *tn, const char *state,
			 const bn_store_usage *session_used)
{
	bn_agent_session *ss = tn->ss;

	return json_pack("{s:I, s:I, s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:i, "
			 "s:O, s:o, s:o}",
			 "session", (json_int_t)ss->id,
			 "turn", (json_int_t)ss->last_turn, "state", state,
			 "resumed", tn->resumed, "bot", ss->bot,
			 "provider", bn_agent_api_name(ss->provider->api),
			 "model", ss->provider->model,
			 "reply", bn_buf_cstr(&tn->reply),
			 "stop_reason", tn->stop, "steps", (int)tn->steps,
			 "tool_calls", tn->calls,
			 "usage", bn_agent__usage_json(&tn->used),
			 "session_usage", bn_agent__usage_json(session_used));
}

/* The index of the turn's last answer into *at when only its tool
   results follow it (they may be fewer than its calls). */
static bool last_answer(bn_agent_session *ss, size_t start, size_t *at)
{
	size_t n = json_array_size(ss->messages);

	while (n > start && !strcmp(bn_agent__block_str(json_array_get(
			ss->messages, n - 1), "role"), "tool"))
		n--;
	if (n <= start || strcmp(bn_agent__block_str(json_array_get(
			ss->messages, n - 1), "role"), "assistant"))
		return false;
	*at = n - 1;
	return true;
}

/* Whether the stored messages from the turn's start end in an answer
   that calls no tools: the turn had its final answer. */
static bool answered(bn_agent_session *ss)
{
	json_t *m = json_array_get(ss->messages,
				   json_array_size(ss->messages) - 1), *b;
	size_t i;

	if (json_array_size(ss->messages) <= ss->pending_start ||
	    strcmp(bn_agent__block_str(m, "role"), "assistant"))
		return false;
	json_array_foreach(json_object_get(m, "content"), i, b)
		if (!strcmp(bn_agent__block_str(b, "type"), "tool_call"))
			return false;
	return true;
}

/*
 * Drive turn TN from what is stored: calls of the last answer without a
 * result run first, then the model is asked until it answers without
 * calling tools or the step bound ends it.  The turn's state is
 * journalled at the end: complete, cancelled, or incomplete with the
 * error (the messages so far stay).
 */
static int drive(json_t **out, turn *tn, bn_err *err)
{
	bn_agent_session *ss = tn->ss;
	bn_store_usage session_used = { 0 };
	size_t at;
	bool more = true;
	const char *state;
	int r = 0;

	if (last_answer(ss, tn->start, &at)) {
		keep_text(tn, json_array_get(ss->messages, at));
		r = run_calls(tn, at, &more, err);
	}
	while (!r && more && !cancelled(tn) && tn->steps < ss->opts.max_steps)
		r = step(tn, &more, err);
	if (r && cancelled(tn)) {
		/* the request was abandoned because of the cancel */
		r = 0;
		bn_err_init(err);
	}
	if (!r && more && !cancelled(tn))
		snprintf(tn->stop, sizeof(tn->stop), "max_steps");
	if (!r && cancelled(tn)) {
		/* calls of the last answer not run are journalled as such */
		if (last_answer(ss, tn->start, &at))
			r = run_calls(tn, at, &more, err);
		snprintf(tn->stop, sizeof(tn->stop), "cancelled");
	}
	/* what the model calls used counts against the cap, failed or not */
	r = bn_agent__usage_close(&session_used, ss->store, ss->bot, ss->id,
				  &tn->used, r, err);
	state = r ? "incomplete" : cancelled(tn) ? "cancelled" : "complete";
	/* the turn's end is recorded whatever happened; a database failure
	   leaves it running, for the owner lease to close */
	int w = bn_store_turn_end(ss->store, ss->id, ss->last_turn, state,
				  r ? err->msg : cancelled(tn) ?
				  "cancelled" : NULL, (long long)tn->used.input,
				  (long long)tn->used.output, NULL);
	(void)w;
	ss->pending_start = tn->start;
	free(ss->pending_error);
	ss->pending_error = r ? bn_xstrdup(err->msg) : NULL;
	ss->pending_pid = 0;
	snprintf(ss->pending, sizeof(ss->pending), "%s",
		 !strcmp(state, "complete") ? "" : state);
	if (!r && out)
		*out = turn_json(tn, state, &session_used);
	return r;
}

int bn_agent_session_turn(json_t **out, bn_agent_session *ss,
			  const char *text, const bn_agent_events *ev,
			  bn_err *err)
{
	turn tn = { .ss = ss, .ev = ev, .calls = json_array() };
	json_t *user;
	int r = 0;

	if (ss->pending[0] && strcmp(ss->pending, "cancelled")) {
		json_decref(tn.calls);
		return bn_agent_session_pending_error(ss, err);
	}
	user = json_pack("{s:s, s:[{s:s, s:s}]}", "role", "user", "content",
			 "type", "text", "text", text);
	if (!user) {
		json_decref(tn.calls);
		return bn_err_set(err, BN_EINVAL, "the message is not valid "
				  "UTF-8 text");
	}
	/* a bot past its daily token cap is not asked, and no turn is
	   begun for it */
	r = bn_agent__cap_check(ss->store, ss->bot, &ss->limits, err);
	if (r) {
		json_decref(user);
		json_decref(tn.calls);
		return r;
	}
	/* the user's message is stored before the model is asked */
	if (!ss->id)
		r = bn_agent_conv_create(&ss->id, ss->store, ss->bot, text,
					 err);
	if (!r && (r = bn_store_turn_begin(&ss->last_turn, ss->store, ss->id,
					   err)))
		r = db_fail(r, err);
	tn.start = json_array_size(ss->messages);
	if (!r) {
		json_array_append(ss->messages, user);
		r = journal(ss, user, err);
	}
	json_decref(user);
	if (!r)
		r = drive(out, &tn, err);
	json_decref(tn.calls);
	bn_buf_clear(&tn.reply);
	return r;
}

int bn_agent_session_resume(json_t **out, bn_agent_session *ss,
			    const bn_agent_events *ev, bn_err *err)
{
	turn tn = { .ss = ss, .ev = ev, .calls = json_array(),
		    .resumed = true };
	int r;

	if (!ss->pending[0])
		r = bn_err_set(err, BN_EINVAL, "session %lld has no "
			       "unfinished turn to resume", (long long)ss->id);
	else if (!strcmp(ss->pending, "running"))
		r = bn_agent_session_pending_error(ss, err);
	else if (!(r = bn_agent__cap_check(ss->store, ss->bot, &ss->limits,
					  err)) &&
		 (r = bn_store_turn_resume(ss->store, ss->id, ss->last_turn,
					   err)))
		r = db_fail(r, err);
	if (!r) {
		tn.start = ss->pending_start;
		if (answered(ss)) {
			/* its final answer was stored: only its end was not */
			keep_text(&tn, json_array_get(ss->messages,
				json_array_size(ss->messages) - 1));
			snprintf(tn.stop, sizeof(tn.stop), "end_turn");
		}
		r = drive(out, &tn, err);
	}
	json_decref(tn.calls);
	bn_buf_clear(&tn.reply);
	return r;
}

int bn_agent_session_drop(bn_agent_session *ss, bn_err *err)
{
	int r;

	if (!ss->pending[0])
		return bn_err_set(err, BN_EINVAL, "session %lld has no "
				  "unfinished turn to drop",
				  (long long)ss->id);
	if (!strcmp(ss->pending, "running"))
		return bn_agent_session_pending_error(ss, err);
	if ((r = bn_store_turn_drop(ss->store, ss->id, ss->last_turn, err)))
		return db_fail(r, err);
	while (json_array_size(ss->messages) > ss->pending_start)
		json_array_remove(ss->messages,
				  json_array_size(ss->messages) - 1);
	bn_agent__kit_reset(&ss->kit);
	scan_activations(&ss->kit, ss->messages);
	ss->last_turn--;
	ss->pending[0] = '\0';
	free(ss->pending_error);
	ss->pending_error = NULL;
	return 0;
}

const char *bn_agent_session_pending(const bn_agent_session *ss,
				     int64_t *turn_out, const char **why_out)
{
	if (turn_out)
		*turn_out = ss->last_turn;
	if (why_out)
		*why_out = ss->pending_error;
	return ss->pending[0] ? ss->pending : NULL;
}

int bn_agent_session_pending_error(const bn_agent_session *ss, bn_err *err)
{
	if (!strcmp(ss->pending, "running"))
		return bn_err_set(err, BN_EEXIST, "session %lld: turn %lld is "
				  "running in process %lld; wait for it to "
				  "end", (long long)ss->id,
				  (long long)ss->last_turn,
				  (long long)ss->pending_pid);
	return bn_err_set(err, BN_EEXIST, "session %lld: turn %lld is %s%s%s%s"
			  "; resume it or drop it before a new message",
			  (long long)ss->id, (long long)ss->last_turn,
			  ss->pending, ss->pending_error ? " (" : "",
			  ss->pending_error ? ss->pending_error : "",
			  ss->pending_error ? ")" : "");
}

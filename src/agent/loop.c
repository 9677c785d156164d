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

static int load_session(bn_agent_session *ss, int64_t id, bn_err *err)
{
	bn_agent_conv c = { 0 };
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
	if ((r = bn_agent_conv_load(&ss->messages, ss->store, id, err)))
		return r;
	ss->id = id;
	scan_activations(&ss->kit, ss->messages);
	return 0;
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
	json_t *calls;               /* [{name, input, result, is_error}] */
	bn_buf reply;                /* the last answer's text */
	unsigned steps;
	bn_store_usage used;         /* tokens of the turn's model calls */
	char stop[32];
} turn;

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

/* Run the tool calls of answer MSG; a "tool" message, or NULL if none. */
static json_t *run_calls(turn *tn, json_t *msg)
{
	json_t *results = json_array(), *b, *res;
	const bn_agent_events *ev = tn->ev;
	size_t i;

	json_array_foreach(json_object_get(msg, "content"), i, b) {
		if (strcmp(bn_agent__block_str(b, "type"), "tool_call"))
			continue;
		const char *name = bn_agent__block_str(b, "name");
		if (ev && ev->on_tool_call)
			ev->on_tool_call(name, json_object_get(b, "input"),
					 ev->payload);
		res = bn_agent__kit_call(&tn->ss->kit, b);
		bool is_error = json_is_true(json_object_get(res, "is_error"));
		const char *content = bn_agent__block_str(res, "content");
		if (ev && ev->on_tool_result)
			ev->on_tool_result(name, content, is_error,
					   ev->payload);
		json_array_append_new(tn->calls, json_pack("{s:s, s:O, s:s, "
			"s:b}", "name", name, "input",
			json_object_get(b, "input"), "result", content,
			"is_error", is_error));
		json_array_append_new(results, res);
	}
	if (!json_array_size(results)) {
		json_decref(results);
		return NULL;
	}
	return json_pack("{s:s, s:o}", "role", "tool", "content", results);
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

static int step(turn *tn, size_t turn_start, bool *more, bn_err *err)
{
	bn_agent_session *ss = tn->ss;
	bn_agent_stream stream = { .on_text = on_text, .payload = tn,
				   .on_retry = on_retry };
	bn_agent_reply reply = { 0 };
	bn_agent_request req = { 0 };
	char *system = NULL;
	json_t *sent = NULL, *tool_msg;
	int r;

	fit(&sent, &system, ss, turn_start);
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
	tool_msg = run_calls(tn, reply.message);
	*more = tool_msg != NULL;
	if (tool_msg)
		json_array_append_new(ss->messages, tool_msg);
	bn_agent_reply_clear(&reply);
	return 0;
}

static json_t *turn_json(turn *tn, const bn_store_usage *session_used)
{
	bn_agent_session *ss = tn->ss;

	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:O, s:o, s:o}",
			 "session", (json_int_t)ss->id, "bot", ss->bot,
			 "provider", bn_agent_api_name(ss->provider->api),
			 "model", ss->provider->model,
			 "reply", bn_buf_cstr(&tn->reply),
			 "stop_reason", tn->stop, "steps", (int)tn->steps,
			 "tool_calls", tn->calls,
			 "usage", bn_agent__usage_json(&tn->used),
			 "session_usage", bn_agent__usage_json(session_used));
}

/* Save the turn's messages (from TURN_START), creating the session. */
static int save(bn_agent_session *ss, size_t turn_start, const char *text,
		bn_err *err)
{
	int r;

	if (!ss->id && (r = bn_agent_conv_create(&ss->id, ss->store, ss->bot,
						 text, err)))
		return r;
	return bn_agent_conv_append(ss->store, ss->id, ss->messages,
				    turn_start, NULL, err);
}

int bn_agent_session_turn(json_t **out, bn_agent_session *ss,
			  const char *text, const bn_agent_events *ev,
			  bn_err *err)
{
	turn tn = { .ss = ss, .ev = ev, .calls = json_array() };
	size_t turn_start = json_array_size(ss->messages);
	bn_store_usage session_used = { 0 };
	json_t *user;
	bool more = true;
	int r = 0;

	user = json_pack("{s:s, s:[{s:s, s:s}]}", "role", "user", "content",
			 "type", "text", "text", text);
	if (!user) {
		json_decref(tn.calls);
		return bn_err_set(err, BN_EINVAL, "the message is not valid "
				  "UTF-8 text");
	}
	json_array_append_new(ss->messages, user);
	r = bn_agent__cap_check(ss->store, ss->bot, &ss->limits, err);
	while (!r && more && tn.steps < ss->opts.max_steps)
		r = step(&tn, turn_start, &more, err);
	if (!r && more)
		snprintf(tn.stop, sizeof(tn.stop), "max_steps");
	if (!r)
		r = save(ss, turn_start, text, err);
	r = bn_agent__usage_close(&session_used, ss->store, ss->bot, ss->id,
				  &tn.used, r, err);
	if (r) {
		/* nothing of a failed turn stays in the conversation */
		while (json_array_size(ss->messages) > turn_start)
			json_array_remove(ss->messages,
					  json_array_size(ss->messages) - 1);
		bn_agent__kit_reset(&ss->kit);
		scan_activations(&ss->kit, ss->messages);
	} else if (out) {
		*out = turn_json(&tn, &session_used);
	}
	json_decref(tn.calls);
	bn_buf_clear(&tn.reply);
	return r;
}

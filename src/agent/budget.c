/* SPDX-License-Identifier: MIT */
/*
 * agent/budget.c - token limits around one answer (see provider.h): the
 * default cap per model family, text cut at the cap continued, a tool
 * call cut at the cap asked again with a larger cap or reported as cut.
 *
 * References: Anthropic's "Models overview" (max output per model) and
 * "Handling stop reasons" (max_tokens; continuing with the partial answer
 * as the last assistant message); OpenAI's model pages (max output
 * tokens) and finish_reason "length".
 */
#include "agent_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Model families by name prefix, the most specific first. */
static const struct family {
	const char *prefix;
	unsigned dflt;               /* what bnity asks for */
	unsigned cap;                /* the most the family gives */
} families[] = {
	{ "claude-opus-4", 16384, 32000 },
	{ "claude-sonnet-4", 16384, 64000 },
	{ "claude-haiku-4", 16384, 64000 },
	{ "claude-3-7-sonnet", 16384, 64000 },
	{ "claude-3-5-sonnet", 8192, 8192 },
	{ "claude-3-5-haiku", 8192, 8192 },
	{ "claude-3", 4096, 4096 },
	{ "claude", 4096, 8192 },
	{ "gpt-4o", 16384, 16384 },
	{ "gpt-4.1", 32768, 32768 },
	{ "gpt-5", 32768, 128000 },
	{ "gpt-4", 4096, 8192 },
	{ "gpt-3.5", 4096, 4096 },
	{ "o1", 32768, 100000 },
	{ "o3", 32768, 100000 },
	{ "o4", 32768, 100000 },
};

static const struct family *family_of(const char *model)
{
	for (size_t i = 0; model && i < sizeof(families) / sizeof(*families);
	     i++)
		if (!strncmp(model, families[i].prefix,
			     strlen(families[i].prefix)))
			return &families[i];
	return NULL;
}

unsigned bn_agent_model_max_tokens(const char *model)
{
	const struct family *f = family_of(model);
	return f ? f->dflt : 4096;
}

unsigned bn_agent_model_max_tokens_cap(const char *model)
{
	const struct family *f = family_of(model);
	return f ? f->cap : 8192;
}

/* The text blocks of neutral message M joined (owned), or NULL when M
   holds anything but text. */
static char *text_only(json_t *m)
{
	bn_buf b = BN_BUF_INIT;
	json_t *blk;
	size_t i;

	json_array_foreach(json_object_get(m, "content"), i, blk) {
		if (strcmp(bn_agent__block_str(blk, "type"), "text") ||
		    bn_buf_puts(&b, bn_agent__block_str(blk, "text"))) {
			bn_buf_clear(&b);
			return NULL;
		}
	}
	return b.data ? bn_buf_take(&b) : bn_xstrdup("");
}

static void add_usage(bn_agent_reply *to, const bn_agent_reply *from)
{
	to->input_tokens += from->input_tokens;
	to->output_tokens += from->output_tokens;
	to->cache_read_tokens += from->cache_read_tokens;
	to->cache_write_tokens += from->cache_write_tokens;
	to->attempts += from->attempts;
	to->max_tokens = from->max_tokens;
	snprintf(to->stop_reason, sizeof(to->stop_reason), "%s",
		 from->stop_reason);
}

static const char continue_note[] =
	"Your answer was cut at the token limit. Continue it exactly where "
	"it stopped, without repeating anything.";

/*
 * Ask for the rest of TEXT, the answer so far: Anthropic continues an
 * assistant message that ends the conversation; the OpenAI API is asked
 * to continue in a user message.
 */
static int continue_text(bn_agent_reply *out, bool *cut, char *text,
			 bn_agent_provider *p, const bn_agent_request *req,
			 const bn_agent_stream *st, bn_err *err)
{
	bn_agent_request more = *req;
	size_t n = strlen(text);
	int r;

	/* Anthropic refuses a final assistant text ending in white space */
	while (n && strchr(" \t\r\n", text[n - 1]))
		text[--n] = '\0';
	more.messages = json_copy(req->messages);
	json_array_append_new(more.messages, json_pack("{s:s, s:[{s:s, s:s}]}",
		"role", "assistant", "content", "type", "text", "text", text));
	if (p->api == BN_AGENT_API_OPENAI)
		json_array_append_new(more.messages, json_pack(
			"{s:s, s:[{s:s, s:s}]}", "role", "user", "content",
			"type", "text", "text", continue_note));
	r = bn_agent__complete_once(out, cut, p, &more, st, err);
	json_decref(more.messages);
	return r;
}

/* A stream that drops the first SKIP bytes of text (shown already). */
typedef struct skipping {
	const bn_agent_stream *inner;
	size_t skip;
} skipping;

static void skip_text(const char *t, size_t n, void *payload)
{
	skipping *s = payload;
	size_t k = s->skip < n ? s->skip : n;

	s->skip -= k;
	if (n > k && s->inner->on_text)
		s->inner->on_text(t + k, n - k, s->inner->payload);
}

static void pass_retry(unsigned long ms, const char *why, void *payload)
{
	skipping *s = payload;
	if (s->inner->on_retry)
		s->inner->on_retry(ms, why, s->inner->payload);
}

/* The tool call block cut in MSG (its last block) says so. */
static void mark_cut(json_t *msg, unsigned max_tokens)
{
	json_t *content = json_object_get(msg, "content");
	json_t *b = json_array_get(content, json_array_size(content) - 1);
	char *m;

	if (strcmp(bn_agent__block_str(b, "type"), "tool_call"))
		return;
	json_object_set_new(b, "input", json_object());
	m = bn_xasprintf("the model's tool call was cut at the %u-token "
			 "limit before its arguments were complete; call it "
			 "again with shorter arguments, or do the work in "
			 "smaller steps", max_tokens);
	json_object_set_new(b, "input_error", json_string(m));
	json_object_set_new(b, "cut", json_true());
	free(m);
}

/* The text an answer showed already. */
static size_t shown_bytes(json_t *msg)
{
	json_t *b;
	size_t i, n = 0;

	json_array_foreach(json_object_get(msg, "content"), i, b)
		if (!strcmp(bn_agent__block_str(b, "type"), "text"))
			n += strlen(bn_agent__block_str(b, "text"));
	return n;
}

int bn_agent_provider_complete(bn_agent_reply *out, bn_agent_provider *p,
			       const bn_agent_request *req,
			       const bn_agent_stream *stream, bn_err *err)
{
	bn_agent_reply first = { 0 }, next = { 0 };
	bool cut = false;
	char *text;
	int r;

	if ((r = bn_agent__complete_once(&first, &cut, p, req, stream, err)))
		return r;
	if (cut) {
		unsigned mt = bn_agent__max_tokens(p, req);
		unsigned cap = bn_agent_model_max_tokens_cap(p->model);
		bn_agent_request bigger = *req;
		skipping sk = { stream, shown_bytes(first.message) };
		bn_agent_stream st = { skip_text, &sk, pass_retry,
				       stream ? stream->cancel : NULL };
		bigger.max_tokens = mt * 2 < cap ? mt * 2 : cap;
		bn_err lost;
		bn_err_init(&lost);
		/* at the family's most already, or asking again fails: the
		   first answer stands, cut */
		if (bigger.max_tokens > mt &&
		    bn_agent__complete_once(&next, &cut, p, &bigger,
					    stream ? &st : NULL, &lost) == 0) {
			json_decref(first.message);
			first.message = json_incref(next.message);
			add_usage(&first, &next);
			bn_agent_reply_clear(&next);
		} else {
			cut = true;
		}
		if (cut)
			mark_cut(first.message, first.max_tokens);
	}
	while (!strcmp(first.stop_reason, "max_tokens") && !cut &&
	       first.continuations < p->max_continuations &&
	       (text = text_only(first.message)) != NULL) {
		bn_err lost;
		bn_err_init(&lost);
		/* a server that cannot continue (some models refuse an
		   assistant message last): the text so far stands, cut */
		if (continue_text(&next, &cut, text, p, req, stream, &lost)) {
			free(text);
			break;
		}
		/* the answer so far, then what came next */
		json_t *content = json_array(), *b;
		size_t i;
		json_array_append_new(content, json_pack("{s:s, s:s}", "type",
			"text", "text", text));
		free(text);
		json_array_foreach(json_object_get(next.message, "content"), i,
				   b) {
			if (!strcmp(bn_agent__block_str(b, "type"), "text") &&
			    i == 0) {
				json_t *t0 = json_array_get(content, 0);
				char *joined = bn_xasprintf("%s%s",
					bn_agent__block_str(t0, "text"),
					bn_agent__block_str(b, "text"));
				json_object_set_new(t0, "text",
						    json_string(joined));
				free(joined);
			} else {
				json_array_append(content, b);
			}
		}
		json_object_set_new(first.message, "content", content);
		add_usage(&first, &next);
		first.continuations++;
		bn_agent_reply_clear(&next);
		if (cut)
			mark_cut(first.message, first.max_tokens);
	}
	*out = first;
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * tests/agent/provider_test.c - the two APIs' halves of agent/provider.c
 * without a network: request bodies built from the neutral conversation,
 * and streamed answers (as the APIs send them) assembled into one neutral
 * assistant message, including malformed and truncated streams.
 */
#include <stdlib.h>
#include <string.h>

#include "agent/agent_int.h"
#include "harness.h"

typedef struct feed_ctx {
	const bn_agent__api *api;
	bn_agent__acc *acc;
} feed_ctx;

static int on_event(const bn_agent_sse_event *ev, void *payload)
{
	feed_ctx *f = payload;
	return f->api->event(f->acc, ev);
}

static void on_text(const char *t, size_t n, void *payload)
{
	(void)bn_buf_append(payload, t, n);
}

/* Feed STREAM to API; the message as compact JSON (owned) or NULL. */
static char *assemble(const bn_agent__api *api, const char *stream,
		      int *rc, bool *done, bn_buf *streamed, bn_err *err)
{
	bn_agent_stream st = { on_text, streamed, NULL };
	bn_agent__acc acc = { .stream = &st, .provider = api->name,
			      .err = err };
	feed_ctx f = { api, &acc };
	bn_agent_sse p;
	json_t *msg = NULL;
	char *out = NULL;

	bn_agent_sse_init(&p, 0, 0, on_event, &f);
	*rc = bn_agent_sse_feed(&p, stream, strlen(stream), err);
	bn_agent_sse_clear(&p);
	*done = acc.done;
	if (!*rc)
		*rc = bn_agent__acc_message(&msg, &acc, err);
	if (!*rc) {
		json_object_set_new(msg, "stop", json_string(acc.stop_reason));
		out = json_dumps(msg, JSON_COMPACT | JSON_SORT_KEYS);
	}
	json_decref(msg);
	bn_agent__acc_clear(&acc);
	return out;
}

static const char anthropic_stream[] =
	"event: message_start\n"
	"data: {\"type\":\"message_start\",\"message\":{\"usage\":"
	"{\"input_tokens\":5,\"output_tokens\":1}}}\n\n"
	"event: content_block_start\n"
	"data: {\"type\":\"content_block_start\",\"index\":0,"
	"\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
	"event: ping\ndata: {\"type\":\"ping\"}\n\n"
	"event: content_block_delta\n"
	"data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
	"{\"type\":\"text_delta\",\"text\":\"Let me \"}}\n\n"
	"event: content_block_delta\n"
	"data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
	"{\"type\":\"text_delta\",\"text\":\"count.\"}}\n\n"
	"event: content_block_stop\n"
	"data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
	"event: content_block_start\n"
	"data: {\"type\":\"content_block_start\",\"index\":1,"
	"\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\","
	"\"name\":\"word-count\",\"input\":{}}}\n\n"
	"event: content_block_delta\n"
	"data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":"
	"{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"te\"}}\n\n"
	"event: content_block_delta\n"
	"data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":"
	"{\"type\":\"input_json_delta\",\"partial_json\":\"xt\\\": "
	"\\\"a b\\\"}\"}}\n\n"
	"event: content_block_stop\n"
	"data: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
	"event: message_delta\n"
	"data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
	"\"tool_use\"},\"usage\":{\"output_tokens\":9}}\n\n"
	"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

static void test_anthropic_stream(bn_t *t)
{
	bn_buf streamed = BN_BUF_INIT;
	bool done;
	int rc;
	bn_err err;
	char *m;

	bn_err_init(&err);
	m = assemble(&bn_agent__anthropic, anthropic_stream, &rc, &done,
		     &streamed, &err);
	BN_CHECK_INT(t, rc, ==, 0);
	BN_CHECK(t, done);
	BN_CHECK_STR(t, m, "{\"content\":[{\"text\":\"Let me count.\","
		     "\"type\":\"text\"},{\"id\":\"toolu_1\",\"input\":"
		     "{\"text\":\"a b\"},\"name\":\"word-count\",\"type\":"
		     "\"tool_call\"}],\"role\":\"assistant\",\"stop\":"
		     "\"tool_use\"}");
	BN_CHECK_STR(t, bn_buf_cstr(&streamed), "Let me count.");
	free(m);
	bn_buf_clear(&streamed);
}

static void test_anthropic_truncated(bn_t *t)
{
	bn_buf streamed = BN_BUF_INIT;
	char *cut = strdup(anthropic_stream);
	bool done = true;
	bn_err err;
	int rc;

	bn_err_init(&err);
	cut[strlen(cut) - 60] = '\0'; /* before message_stop */
	free(assemble(&bn_agent__anthropic, cut, &rc, &done, &streamed,
		      &err));
	BN_CHECK(t, !done);
	free(cut);
	bn_buf_clear(&streamed);
}

static void test_anthropic_error_event(bn_t *t)
{
	bn_buf streamed = BN_BUF_INIT;
	bool done;
	bn_err err;
	int rc;

	bn_err_init(&err);
	free(assemble(&bn_agent__anthropic, "event: error\ndata: {\"type\":"
		      "\"error\",\"error\":{\"type\":\"overloaded_error\","
		      "\"message\":\"Overloaded\"}}\n\n", &rc, &done,
		      &streamed, &err));
	BN_CHECK_INT(t, rc, ==, BN_EIO);
	BN_CHECK_CONTAINS(t, err.msg, "overloaded_error: Overloaded");
	bn_buf_clear(&streamed);
}

static void test_anthropic_malformed(bn_t *t)
{
	static const char *const bad[] = {
		"data: [1,2]\n\n",
		"data: {\"type\":\"content_block_start\"}\n\n",
		"data: {\"type\":\"content_block_start\",\"index\":99,"
		"\"content_block\":{\"type\":\"text\"}}\n\n",
		"data: {\"type\":\"content_block_delta\",\"index\":0,"
		"\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}\n\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bn_buf streamed = BN_BUF_INIT;
		bool done;
		bn_err err;
		int rc;
		bn_err_init(&err);
		free(assemble(&bn_agent__anthropic, bad[i], &rc, &done,
			      &streamed, &err));
		BN_CHECK_INT(t, rc, ==, BN_EINVAL);
		BN_CHECK_CONTAINS(t, err.msg, "malformed answer");
		bn_buf_clear(&streamed);
	}
}

static void test_openai_stream(bn_t *t)
{
	static const char s[] =
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":"
		"\"assistant\",\"content\":\"Hi \"}}]}\n\n"
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":"
		"\"there\"}}]}\n\n"
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":"
		"[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
		"\"function\":{\"name\":\"shout\",\"arguments\":\"\"}}]}}]}\n\n"
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":"
		"[{\"index\":0,\"function\":{\"arguments\":\"{\\\"text\"}}]}}]}"
		"\n\n"
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":"
		"[{\"index\":0,\"function\":{\"arguments\":\"\\\":\\\"q\\\"}\"}}"
		"]}}]}\n\n"
		"data: {\"choices\":[{\"index\":0,\"delta\":{},"
		"\"finish_reason\":\"tool_calls\"}]}\n\n"
		"data: [DONE]\n\n";
	bn_buf streamed = BN_BUF_INIT;
	bool done;
	bn_err err;
	int rc;
	char *m;

	bn_err_init(&err);
	m = assemble(&bn_agent__openai, s, &rc, &done, &streamed, &err);
	BN_CHECK_INT(t, rc, ==, 0);
	BN_CHECK(t, done);
	BN_CHECK_STR(t, m, "{\"content\":[{\"text\":\"Hi there\",\"type\":"
		     "\"text\"},{\"id\":\"call_1\",\"input\":{\"text\":\"q\"},"
		     "\"name\":\"shout\",\"type\":\"tool_call\"}],\"role\":"
		     "\"assistant\",\"stop\":\"tool_use\"}");
	free(m);
	bn_buf_clear(&streamed);
}

static void test_openai_bad_arguments(bn_t *t)
{
	/* arguments that are not a JSON object reach the loop flagged */
	static const char s[] =
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":"
		"[{\"index\":0,\"id\":\"c\",\"function\":{\"name\":\"x\","
		"\"arguments\":\"{oops\"}}]}}]}\n\ndata: [DONE]\n\n";
	bn_buf streamed = BN_BUF_INIT;
	bool done;
	bn_err err;
	int rc;
	char *m;

	bn_err_init(&err);
	m = assemble(&bn_agent__openai, s, &rc, &done, &streamed, &err);
	BN_CHECK_INT(t, rc, ==, 0);
	BN_CHECK_CONTAINS(t, m, "\"input\":{}");
	BN_CHECK_CONTAINS(t, m, "\"input_error\"");
	free(m);
	bn_buf_clear(&streamed);
}

static json_t *conversation(void)
{
	return json_loads(
		"[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
		"\"text\":\"count a b\"}]},"
		"{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_call\","
		"\"id\":\"t1\",\"name\":\"word-count\",\"input\":{\"text\":"
		"\"a b\"}}]},"
		"{\"role\":\"tool\",\"content\":[{\"type\":\"tool_result\","
		"\"id\":\"t1\",\"name\":\"word-count\",\"content\":\"2\","
		"\"is_error\":false}]},"
		"{\"role\":\"user\",\"content\":[{\"type\":\"text\","
		"\"text\":\"thanks\"}]}]", 0, NULL);
}

static json_t *request_body(const bn_agent__api *api)
{
	bn_agent_provider p = { .model = "m", .max_tokens = 100 };
	json_t *msgs = conversation();
	json_t *tools = json_loads("[{\"name\":\"word-count\",\"description\""
				   ":\"d\",\"parameters\":{\"type\":"
				   "\"object\"}}]", 0, NULL);
	bn_agent_request req = { "be brief", msgs, tools };
	char *body = NULL;
	json_t *j = NULL;
	bn_err err;

	bn_err_init(&err);
	if (api->body(&body, &p, &req, &err) == 0)
		j = json_loads(body, 0, NULL);
	free(body);
	json_decref(msgs);
	json_decref(tools);
	return j;
}

static void test_anthropic_body(bn_t *t)
{
	json_t *j = request_body(&bn_agent__anthropic);
	json_t *msgs = json_object_get(j, "messages");
	json_t *last = json_array_get(msgs, 2);

	BN_CHECK(t, j != NULL);
	BN_CHECK_STR(t, json_string_value(json_object_get(j, "system")),
		     "be brief");
	BN_CHECK(t, json_is_true(json_object_get(j, "stream")));
	/* the tool result and the next user text merge into one message */
	BN_CHECK_INT(t, json_array_size(msgs), ==, 3);
	BN_CHECK_STR(t, json_string_value(json_object_get(last, "role")),
		     "user");
	BN_CHECK_STR(t, json_string_value(json_object_get(json_array_get(
		json_object_get(last, "content"), 0), "type")), "tool_result");
	BN_CHECK_STR(t, json_string_value(json_object_get(json_array_get(
		json_object_get(last, "content"), 0), "tool_use_id")), "t1");
	BN_CHECK_STR(t, json_string_value(json_object_get(json_array_get(
		json_object_get(j, "tools"), 0), "name")), "word-count");
	BN_CHECK(t, json_is_object(json_object_get(json_array_get(
		json_object_get(j, "tools"), 0), "input_schema")));
	json_decref(j);
}

static void test_openai_body(bn_t *t)
{
	json_t *j = request_body(&bn_agent__openai);
	json_t *msgs = json_object_get(j, "messages");
	json_t *call, *tool;

	BN_CHECK(t, j != NULL);
	BN_CHECK_INT(t, json_array_size(msgs), ==, 5);
	BN_CHECK_STR(t, json_string_value(json_object_get(json_array_get(
		msgs, 0), "role")), "system");
	call = json_array_get(json_object_get(json_array_get(msgs, 2),
					      "tool_calls"), 0);
	BN_CHECK_STR(t, json_string_value(json_object_get(json_object_get(
		call, "function"), "arguments")), "{\"text\":\"a b\"}");
	tool = json_array_get(msgs, 3);
	BN_CHECK_STR(t, json_string_value(json_object_get(tool, "role")),
		     "tool");
	BN_CHECK_STR(t, json_string_value(json_object_get(tool,
		     "tool_call_id")), "t1");
	BN_CHECK_STR(t, json_string_value(json_object_get(json_object_get(
		json_array_get(json_object_get(j, "tools"), 0), "function"),
		"name")), "word-count");
	json_decref(j);
}

static void test_tool_names(bn_t *t)
{
	char long_name[66];

	memset(long_name, 'a', 65);
	long_name[65] = '\0';
	BN_CHECK(t, bn_agent__tool_name_is_valid("word-count"));
	BN_CHECK(t, bn_agent__tool_name_is_valid("activate_skill"));
	BN_CHECK(t, !bn_agent__tool_name_is_valid(""));
	BN_CHECK(t, !bn_agent__tool_name_is_valid("a.b"));
	BN_CHECK(t, !bn_agent__tool_name_is_valid(long_name));
	long_name[64] = '\0';
	BN_CHECK(t, bn_agent__tool_name_is_valid(long_name));
}

static void test_api_names(bn_t *t)
{
	bn_agent_api a;

	BN_CHECK(t, bn_agent_api_parse(&a, "openai"));
	BN_CHECK_INT(t, a, ==, BN_AGENT_API_OPENAI);
	BN_CHECK(t, bn_agent_api_parse(&a, "anthropic"));
	BN_CHECK_INT(t, a, ==, BN_AGENT_API_ANTHROPIC);
	BN_CHECK(t, !bn_agent_api_parse(&a, "other"));
	BN_CHECK_STR(t, bn_agent_api_name(BN_AGENT_API_OPENAI), "openai");
}

int main(void)
{
	bn_t t = { 0 };

	BN_RUN(&t, test_anthropic_stream);
	BN_RUN(&t, test_anthropic_truncated);
	BN_RUN(&t, test_anthropic_error_event);
	BN_RUN(&t, test_anthropic_malformed);
	BN_RUN(&t, test_openai_stream);
	BN_RUN(&t, test_openai_bad_arguments);
	BN_RUN(&t, test_anthropic_body);
	BN_RUN(&t, test_openai_body);
	BN_RUN(&t, test_tool_names);
	BN_RUN(&t, test_api_names);
	return bn_t_done(&t);
}

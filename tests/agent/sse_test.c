/* SPDX-License-Identifier: MIT */
/*
 * tests/agent/sse_test.c - the server-sent events parser (agent/sse.c):
 * the spec's line endings, comments, fields and dispatch rules, events
 * split across reads at every byte, and the caps at limit - 1, limit and
 * limit + 1.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent/sse.h"
#include "base/buf.h"
#include "harness.h"

/* What the callback saw: "type|id|data" lines joined by "\n". */
typedef struct seen {
	bn_buf log;
	int n;
	int fail_at;                 /* return an error on this event (1-) */
} seen;

static int record(const bn_agent_sse_event *ev, void *payload)
{
	seen *s = payload;

	s->n++;
	if (s->fail_at && s->n == s->fail_at)
		return -ECANCELED;
	if (bn_buf_printf(&s->log, "%s|%s|", ev->type, ev->id) ||
	    bn_buf_append(&s->log, ev->data, ev->data_len) ||
	    bn_buf_puts(&s->log, "\n"))
		return -ENOMEM;
	return 0;
}

/* Parse TEXT in pieces of STEP bytes (0: whole); the log, owned. */
static char *parse(const char *text, size_t step, int *rc, size_t line_max,
		   size_t event_max)
{
	bn_agent_sse p;
	seen s = { BN_BUF_INIT, 0, 0 };
	size_t n = strlen(text), off = 0;
	bn_err err;
	int r = 0;

	bn_err_init(&err);
	bn_agent_sse_init(&p, line_max, event_max, record, &s);
	if (step == 0)
		step = n ? n : 1;
	while (!r && off < n) {
		size_t k = n - off < step ? n - off : step;
		r = bn_agent_sse_feed(&p, text + off, k, &err);
		off += k;
	}
	bn_agent_sse_clear(&p);
	*rc = r;
	return s.log.data ? bn_buf_take(&s.log) : strdup("");
}

static void check_all_splits(bn_t *t, const char *text, const char *want)
{
	for (size_t step = 0; step <= 7; step++) {
		int rc;
		char *got = parse(text, step, &rc, 0, 0);
		BN_CHECK_INT(t, rc, ==, 0);
		BN_CHECK_STR(t, got, want);
		free(got);
	}
}

static void test_basic_event(bn_t *t)
{
	check_all_splits(t, "event: message_start\ndata: {\"a\":1}\n\n",
			 "message_start||{\"a\":1}\n");
}

static void test_default_type_and_id(bn_t *t)
{
	check_all_splits(t, "id: 7\ndata: x\n\ndata: y\n\n",
			 "message|7|x\nmessage|7|y\n");
}

static void test_crlf_and_cr(bn_t *t)
{
	check_all_splits(t, "event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\r"
			 "data: 3\n\r\n",
			 "a||1\nb||2\nmessage||3\n");
}

static void test_comments_and_unknown_fields(bn_t *t)
{
	check_all_splits(t, ": keep-alive\n:\nretry: 10\nfoo: bar\ndata: z\n"
			 ": mid-event comment\n\n",
			 "message||z\n");
}

static void test_multiline_data(bn_t *t)
{
	check_all_splits(t, "data: {\"a\":\ndata:1}\ndata\n\n",
			 "message||{\"a\":\n1}\n\n");
}

static void test_space_after_colon(bn_t *t)
{
	/* only one space is dropped; no colon means an empty value */
	check_all_splits(t, "data:  two\n\ndata:none\n\ndata\n\n",
			 "message|| two\nmessage||none\nmessage||\n");
}

static void test_no_data_no_dispatch(bn_t *t)
{
	/* an event without data is dropped, and its type with it */
	check_all_splits(t, "event: lonely\n\ndata: d\n\n", "message||d\n");
}

static void test_bom(bn_t *t)
{
	check_all_splits(t, "\xEF\xBB\xBF" "data: b\n\n", "message||b\n");
}

static void test_incomplete_last_event(bn_t *t)
{
	check_all_splits(t, "data: done\n\ndata: half", "message||done\n");
	check_all_splits(t, "data: done\n\ndata: half\n", "message||done\n");
}

static void test_openai_done(bn_t *t)
{
	check_all_splits(t, "data: {\"choices\":[]}\n\ndata: [DONE]\n\n",
			 "message||{\"choices\":[]}\nmessage||[DONE]\n");
}

static void test_id_with_nul_ignored(bn_t *t)
{
	bn_agent_sse p;
	seen s = { BN_BUF_INIT, 0, 0 };
	static const char text[] = "id: 1\n\nid: a\0b\ndata: x\n\n";
	bn_err err;

	bn_err_init(&err);
	bn_agent_sse_init(&p, 0, 0, record, &s);
	BN_CHECK_INT(t, bn_agent_sse_feed(&p, text, sizeof(text) - 1, &err),
		     ==, 0);
	BN_CHECK_STR(t, bn_buf_cstr(&s.log), "message|1|x\n");
	bn_agent_sse_clear(&p);
	bn_buf_clear(&s.log);
}

/* A line of exactly N bytes: "data: " and N - 6 x's. */
static char *line_of(size_t n)
{
	char *s = malloc(n + 3);
	memcpy(s, "data: ", 6);
	memset(s + 6, 'x', n - 6);
	memcpy(s + n, "\n\n", 3);
	return s;
}

static void test_line_cap(bn_t *t)
{
	const size_t cap = 64;
	for (size_t n = cap - 1; n <= cap + 1; n++) {
		for (size_t step = 0; step <= 5; step += 5) {
			char *text = line_of(n);
			int rc;
			char *got = parse(text, step, &rc, cap, 0);
			if (n <= cap) {
				BN_CHECK_INT(t, rc, ==, 0);
				BN_CHECK_INT(t, strlen(got), ==,
					     strlen("message||") + n - 6 + 1);
			} else {
				BN_CHECK_INT(t, rc, ==, BN_ELIMIT);
			}
			free(got);
			free(text);
		}
	}
}

static void test_event_cap(bn_t *t)
{
	/* two data lines of 10 bytes join to 21 bytes */
	const char *text = "data: 0123456789\ndata: 0123456789\n\n";
	for (size_t cap = 20; cap <= 22; cap++) {
		int rc;
		char *got = parse(text, 3, &rc, 0, cap);
		BN_CHECK_INT(t, rc, ==, cap < 21 ? BN_ELIMIT : 0);
		free(got);
	}
}

static void test_callback_error_stops(bn_t *t)
{
	bn_agent_sse p;
	seen s = { BN_BUF_INIT, 0, 2 };
	const char *text = "data: 1\n\ndata: 2\n\ndata: 3\n\n";
	bn_err err;
	int rc;

	bn_err_init(&err);
	bn_agent_sse_init(&p, 0, 0, record, &s);
	rc = bn_agent_sse_feed(&p, text, strlen(text), &err);
	BN_CHECK_INT(t, rc, ==, -ECANCELED);
	BN_CHECK_INT(t, s.n, ==, 2);
	BN_CHECK(t, err.msg[0] != '\0');
	bn_agent_sse_clear(&p);
	bn_buf_clear(&s.log);
}

static void test_random_bytes(bn_t *t)
{
	/* malformed input: never a crash, and a cap is always honoured */
	unsigned seed = 12345;
	static const char alphabet[] = "data: event:id\r\n\n\n:xy{}\"\xEF\xBB\xBF";
	for (int round = 0; round < 300; round++) {
		char buf[512];
		size_t n = 1 + (size_t)(rand_r(&seed) % (sizeof(buf) - 1));
		for (size_t i = 0; i < n; i++)
			buf[i] = alphabet[rand_r(&seed) %
					  (sizeof(alphabet) - 1)];
		buf[n] = '\0';
		int rc;
		char *got = parse(buf, 1 + (size_t)(rand_r(&seed) % 9), &rc,
				  32, 64);
		BN_CHECK(t, rc == 0 || rc == BN_ELIMIT);
		free(got);
	}
}

int main(void)
{
	bn_t t = { 0 };

	BN_RUN(&t, test_basic_event);
	BN_RUN(&t, test_default_type_and_id);
	BN_RUN(&t, test_crlf_and_cr);
	BN_RUN(&t, test_comments_and_unknown_fields);
	BN_RUN(&t, test_multiline_data);
	BN_RUN(&t, test_space_after_colon);
	BN_RUN(&t, test_no_data_no_dispatch);
	BN_RUN(&t, test_bom);
	BN_RUN(&t, test_incomplete_last_event);
	BN_RUN(&t, test_openai_done);
	BN_RUN(&t, test_id_with_nul_ignored);
	BN_RUN(&t, test_line_cap);
	BN_RUN(&t, test_event_cap);
	BN_RUN(&t, test_callback_error_stops);
	BN_RUN(&t, test_random_bytes);
	return bn_t_done(&t);
}

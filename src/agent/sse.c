/* SPDX-License-Identifier: MIT */
/*
 * agent/sse.c - server-sent events, byte by byte (see sse.h).
 *
 * Lines may be split anywhere between two reads, including between the
 * CR and the LF of a CRLF, which is why a CR at the end of a read leaves
 * cr_pending set.  A line wholly inside one read is handled in place;
 * only the pieces of split lines are copied into p->line.
 */
#include "sse.h"

#include <errno.h>
#include <string.h>

static const char bom[] = "\xEF\xBB\xBF";

void bn_agent_sse_init(bn_agent_sse *p, size_t line_max_bytes,
		       size_t event_max_bytes, bn_agent_sse_fn fn,
		       void *payload)
{
	memset(p, 0, sizeof(*p));
	p->line_max_bytes = line_max_bytes ? line_max_bytes :
		BN_AGENT_SSE_LINE_MAX_BYTES;
	p->event_max_bytes = event_max_bytes ? event_max_bytes :
		BN_AGENT_SSE_EVENT_MAX_BYTES;
	bn_buf_init(&p->line, p->line_max_bytes);
	bn_buf_init(&p->type, p->line_max_bytes);
	bn_buf_init(&p->data, p->event_max_bytes);
	bn_buf_init(&p->id, p->line_max_bytes);
	p->fn = fn;
	p->payload = payload;
}

void bn_agent_sse_clear(bn_agent_sse *p)
{
	bn_buf_clear(&p->line);
	bn_buf_clear(&p->type);
	bn_buf_clear(&p->data);
	bn_buf_clear(&p->id);
	p->has_data = false;
	p->cr_pending = false;
}

/* Empty B but keep its memory. */
static void reset(bn_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static int set_buf(bn_buf *b, const char *s, size_t n, bn_err *err)
{
	reset(b);
	if (bn_buf_append(b, s, n))
		return bn_err_set(err, BN_ELIMIT, "event stream: a field is "
				  "over %zu bytes", b->max_bytes);
	return 0;
}

static int dispatch(bn_agent_sse *p, bn_err *err)
{
	bn_agent_sse_event ev;
	int r;

	if (!p->has_data) {
		reset(&p->type);
		return 0;
	}
	ev.type = p->type.len ? p->type.data : "message";
	ev.data = p->data.data ? p->data.data : "";
	ev.data_len = p->data.len;
	ev.id = bn_buf_cstr(&p->id);
	p->events++;
	r = p->fn ? p->fn(&ev, p->payload) : 0;
	reset(&p->type);
	reset(&p->data);
	p->has_data = false;
	if (r && err && !err->code)
		bn_err_set(err, r, "event stream: event %llu was refused",
			   p->events);
	return r;
}

static bool field_is(const char *f, size_t n, const char *name)
{
	return strlen(name) == n && memcmp(f, name, n) == 0;
}

static int add_data(bn_agent_sse *p, const char *v, size_t n, bn_err *err)
{
	int r = 0;

	if (p->has_data)
		r = bn_buf_append(&p->data, "\n", 1);
	if (!r)
		r = bn_buf_append(&p->data, v, n);
	if (r == -ENOMEM)
		return bn_err_oom(err);
	if (r)
		return bn_err_set(err, BN_ELIMIT, "event stream: an event's "
				  "data is over %zu bytes",
				  p->event_max_bytes);
	p->has_data = true;
	return 0;
}

static int process_line(bn_agent_sse *p, const char *line, size_t n,
			bn_err *err)
{
	const char *colon, *value;
	size_t flen, vlen;

	if (!p->started) {
		p->started = true;
		if (n >= 3 && memcmp(line, bom, 3) == 0) {
			line += 3;
			n -= 3;
		}
	}
	if (n == 0)
		return dispatch(p, err);
	if (line[0] == ':')
		return 0;
	colon = memchr(line, ':', n);
	flen = colon ? (size_t)(colon - line) : n;
	value = colon ? colon + 1 : line + n;
	vlen = n - (size_t)(value - line);
	if (vlen && value[0] == ' ') {
		value++;
		vlen--;
	}
	if (field_is(line, flen, "data"))
		return add_data(p, value, vlen, err);
	if (field_is(line, flen, "event"))
		return set_buf(&p->type, value, vlen, err);
	if (field_is(line, flen, "id") && !memchr(value, '\0', vlen))
		return set_buf(&p->id, value, vlen, err);
	return 0; /* "retry" and unknown fields are ignored */
}

/* The first CR or LF in [S, S+N), or NULL. */
static const char *find_eol(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n' || s[i] == '\r')
			return s + i;
	return NULL;
}

int bn_agent_sse_feed(bn_agent_sse *p, const char *bytes, size_t n,
		      bn_err *err)
{
	const char *cur = bytes, *end = bytes + n, *eol;
	int r;

	if (n && p->cr_pending && bytes[0] == '\n')
		cur++;
	p->cr_pending = false;
	while (cur < end) {
		eol = find_eol(cur, (size_t)(end - cur));
		if (!eol) {
			if (bn_buf_append(&p->line, cur, (size_t)(end - cur)))
				return bn_err_set(err, BN_ELIMIT, "event "
					"stream: a line is over %zu bytes",
					p->line_max_bytes);
			break;
		}
		if (p->line.len) {
			if (bn_buf_append(&p->line, cur, (size_t)(eol - cur)))
				return bn_err_set(err, BN_ELIMIT, "event "
					"stream: a line is over %zu bytes",
					p->line_max_bytes);
			r = process_line(p, p->line.data, p->line.len, err);
			reset(&p->line);
		} else {
			if ((size_t)(eol - cur) > p->line_max_bytes)
				return bn_err_set(err, BN_ELIMIT, "event "
					"stream: a line is over %zu bytes",
					p->line_max_bytes);
			r = process_line(p, cur, (size_t)(eol - cur), err);
		}
		if (r)
			return r;
		if (*eol == '\r') {
			if (eol + 1 == end)
				p->cr_pending = true;
			else if (eol[1] == '\n')
				eol++;
		}
		cur = eol + 1;
	}
	return 0;
}

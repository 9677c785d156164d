/* SPDX-License-Identifier: MIT */
/*
 * mcp/stdio.c - the stdio transport (spec basic/transports#stdio): one
 * JSON-RPC message a line on stdin, one a line on stdout, nothing else
 * on stdout.  A line over the size cap is answered with -32600 and
 * skipped to its end unread; the session ends when stdin does.
 */
#include "mcp_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"

typedef struct stdio_out {
	pthread_mutex_t lock;        /* one message at a time */
	int fd;
	bool broken;                 /* a write failed: the client left */
} stdio_out;

static void put_all(stdio_out *o, const char *p, size_t n)
{
	while (n && !o->broken) {
		ssize_t w = write(o->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			o->broken = true;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static void stdio_send(void *payload, json_t *msg, const json_t *for_id,
		       bool final)
{
	stdio_out *o = payload;
	/* JSON_COMPACT escapes no newline into the line: jansson writes
	   control characters in strings as \n, \u001f... */
	char *text = json_dumps(msg, JSON_COMPACT);

	json_decref(msg);
	if (!text)
		return;
	pthread_mutex_lock(&o->lock);
	put_all(o, text, strlen(text));
	put_all(o, "\n", 1);
	pthread_mutex_unlock(&o->lock);
	free(text);
}

/* Serve the complete lines at the start of B; keep the rest. */
static void serve_lines(bn_mcp__session *ss, bn_buf *b, bool *skipping)
{
	size_t start = 0;

	for (;;) {
		char *nl = memchr(b->data + start, '\n', b->len - start);
		if (!nl)
			break;
		size_t n = (size_t)(nl - (b->data + start));
		if (*skipping)
			*skipping = false;   /* the end of an oversized line */
		else if (n && !(n == 1 && b->data[start] == '\r'))
			bn_mcp__session_input(ss, b->data + start, n);
		start += n + 1;
	}
	memmove(b->data, b->data + start, b->len - start);
	b->len -= start;
	b->data[b->len] = '\0';
}

int bn_mcp_serve_stdio(bn_mcp_server *srv, int in_fd, int out_fd,
		       bn_err *err)
{
	size_t max = srv->o.message_max_bytes;
	stdio_out o = { .fd = out_fd };
	bn_mcp__session *ss;
	bool skipping = false;
	char chunk[65536];
	bn_buf b;
	int r = 0;

	pthread_mutex_init(&o.lock, NULL);
	/* room for one message and its newline, plus one chunk */
	bn_buf_init(&b, max + sizeof(chunk) + 2);
	ss = bn_mcp__session_new(srv, stdio_send, &o);
	for (;;) {
		ssize_t n = read(in_fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = bn_err_set(err, BN_EIO, "mcp: stdin: %s",
				       strerror(errno));
			break;
		}
		if (n == 0)
			break;
		if (bn_buf_append(&b, chunk, (size_t)n)) {
			r = bn_err_oom(err);
			break;
		}
		serve_lines(ss, &b, &skipping);
		if (b.len > max) {
			/* no newline within the cap: refuse it, drop what
			   came of it and the rest of the line as it comes */
			if (!skipping)
				bn_mcp__session_oversized(ss, max);
			skipping = true;
			b.len = 0;
			b.data[0] = '\0';
		}
		if (o.broken)
			break;
	}
	/* a last line without its newline is a message too */
	if (!r && b.len && !skipping)
		bn_mcp__session_input(ss, b.data, b.len);
	/* the client closed its end: the calls it made still answer */
	if (!o.broken)
		bn_mcp__calls_finish(ss, false);
	bn_mcp__session_free(ss);
	bn_buf_clear(&b);
	pthread_mutex_destroy(&o.lock);
	if (!r && o.broken)
		r = bn_err_set(err, BN_EIO, "mcp: stdout: the client stopped "
			       "reading");
	return r;
}

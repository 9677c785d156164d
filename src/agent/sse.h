/* SPDX-License-Identifier: MIT */
/*
 * agent/sse.h - a parser for server-sent events (text/event-stream).
 *
 * Owns: turning the bytes of an event stream, as they arrive in reads of
 * any size, into events (type, data, id).  Uses: base only; knows nothing
 * of HTTP or of the providers that speak it.
 *
 * Spec: HTML Living Standard, "Server-sent events", 9.2.6 "Interpreting
 * an event stream": lines end in CRLF, LF or CR; a line starting with ':'
 * is a comment; "field: value" (one space after the colon is dropped);
 * data lines are joined with LF; an empty line dispatches the event; an
 * event with no data line is not dispatched; a stream that ends without
 * the empty line drops its last, incomplete event.
 *
 * Every line and every event is capped when the parser is made: a stream
 * that passes a cap fails with BN_ELIMIT instead of growing without end.
 */
#ifndef BN_AGENT_SSE_H
#define BN_AGENT_SSE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

#define BN_AGENT_SSE_LINE_MAX_BYTES ((size_t)1 << 20)  /* default line cap */
#define BN_AGENT_SSE_EVENT_MAX_BYTES ((size_t)4 << 20) /* default data cap */

/* One dispatched event; every pointer is borrowed for the callback only. */
typedef struct bn_agent_sse_event {
	const char *type;     /* the "event" field, "message" when absent */
	const char *data;     /* the data lines joined with LF (NUL-ended) */
	size_t data_len;      /* bytes of data */
	const char *id;       /* the last "id" field seen, "" when none */
} bn_agent_sse_event;

/*
 * Called for each event.  A non-zero return stops the parser, and
 * bn_agent_sse_feed returns it (the callback writes its own message).
 */
typedef int (*bn_agent_sse_fn)(const bn_agent_sse_event *ev, void *payload);

typedef struct bn_agent_sse {
	bn_buf line;              /* the line being read */
	bn_buf type;              /* the event type being read */
	bn_buf data;              /* the data being read */
	bn_buf id;                /* the last event id */
	bool has_data;            /* a data field was seen for this event */
	bool cr_pending;          /* the last byte was a CR: skip one LF */
	bool started;             /* past a leading byte-order mark */
	size_t line_max_bytes;    /* cap of one line */
	size_t event_max_bytes;   /* cap of one event's data */
	unsigned long long events;/* events dispatched so far */
	bn_agent_sse_fn fn;       /* the event callback */
	void *payload;            /* its payload */
} bn_agent_sse;

/*
 * bn_agent_sse_init - ready P to parse a new stream, calling FN with
 * PAYLOAD for each event.  LINE_MAX_BYTES and EVENT_MAX_BYTES of 0 take
 * the defaults above.  Release with bn_agent_sse_clear.
 */
void bn_agent_sse_init(bn_agent_sse *p, size_t line_max_bytes,
		       size_t event_max_bytes, bn_agent_sse_fn fn,
		       void *payload);

/* bn_agent_sse_clear - free what P holds; P may be initialised again. */
void bn_agent_sse_clear(bn_agent_sse *p);

/*
 * bn_agent_sse_feed - parse the next N bytes of the stream, dispatching
 * each event they complete.  Errors: BN_ELIMIT naming the cap passed,
 * -ENOMEM, or whatever the callback returned.  After an error the parser
 * must only be cleared.
 *
 *	bn_agent_sse_init(&p, 0, 0, on_event, ctx);
 *	while ((n = read_some(buf)) > 0)
 *		if ((r = bn_agent_sse_feed(&p, buf, n, err)))
 *			break;
 *	bn_agent_sse_clear(&p);
 */
int bn_agent_sse_feed(bn_agent_sse *p, const char *bytes, size_t n,
		      bn_err *err) BN_MUST_USE;

#endif

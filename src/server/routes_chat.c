/* SPDX-License-Identifier: MIT */
/*
 * server/routes_chat.c - POST /api/v1/bots/:bot/chat: one turn of the
 * agent loop (agent/loop.h), streamed back as server-sent events while it
 * happens: "text" (a piece of the reply), "tool_call", "tool_result",
 * then "done" (the whole turn) or "error".  POST /api/v1/sessions/:id/
 * resume finishes a session's incomplete turn the same way; the
 * sessions themselves are listed, read and deleted here too.
 *
 * A client that goes away cancels its turn: the connection is watched
 * while the stream waits (a hang-up or reset), and the response's end
 * before the turn's sets the turn's cancel flag, so the provider request
 * is abandoned and no further tool runs; the turn is journalled as
 * cancelled.
 *
 * The turn runs on a thread of its own with its own store handle; the
 * connection's thread hands on what the turn wrote.  Both hold a
 * reference to the stream, so whichever ends last frees it: a client
 * that goes away never leaves the turn writing to freed memory.  When the
 * server stops, the stream ends at once with an "error" event; the
 * server counts the turns still running and waits for them (a bounded
 * time: see bn_server_run).
 * Spec: https://html.spec.whatwg.org/multipage/server-sent-events.html
 */
#include "server_int.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/loop.h"
#include "agent/provider.h"
#include "base/ref.h"
#include "store/conv.h"
#include "view/view.h"

#define CHAT_TEXT_MAX_BYTES ((size_t)64 << 10)  /* one user message */
#define STREAM_MAX_BYTES ((size_t)16 << 20)     /* events not yet sent */
#define KEEPALIVE_S 15
#define STOP_CHECK_MS 250  /* how often a silent stream checks for a stop */

typedef struct chat_stream {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bn_buf out;                  /* events not yet handed to MHD */
	size_t sent;                 /* bytes of out already handed */
	bool done;                   /* the turn ended: no more events */
	bool stop_sent;              /* the server stopped: error sent */
	atomic_bool cancel;          /* the client went away */
	int fd;                      /* the client's socket, or -1 */
	unsigned refs;               /* the turn's thread and the response */
	bn_server_state *state;      /* the server's; outlives every turn */
	/* the turn, owned: */
	char *home;
	char *db_url;        /* the server's --database, or NULL */
	char *cwd;
	char *bot;
	char *text;                  /* NULL: resume the session's turn */
	int64_t session;
	unsigned max_tokens;         /* one answer's cap; 0: the bot's */
	bn_agent_provider *provider;
	char actor[BN_SERVER_TOKEN_NAME_MAX + 1]; /* the caller's token */
} chat_stream;

static void stream_unref(chat_stream *cs)
{
	if (!bn_ref_drop(&cs->lock, &cs->refs))
		return;
	bn_buf_clear(&cs->out);
	bn_agent_provider_free(cs->provider);
	free(cs->home);
	free(cs->db_url);
	free(cs->cwd);
	free(cs->bot);
	free(cs->text);
	pthread_cond_destroy(&cs->cond);
	pthread_mutex_destroy(&cs->lock);
	free(cs);
}

/* Queue one event: "event: NAME\ndata: JSON\n\n" (J stolen). */
static void emit(chat_stream *cs, const char *name, json_t *j)
{
	char *data = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(j);
	pthread_mutex_lock(&cs->lock);
	/* JSON text has no raw line breaks, so one data line holds it */
	if (data && bn_buf_printf(&cs->out, "event: %s\ndata: %s\n\n", name,
				  data))
		cs->done = true;  /* the client stopped reading: give up */
	pthread_cond_broadcast(&cs->cond);
	pthread_mutex_unlock(&cs->lock);
	free(data);
}

static void on_text(const char *text, size_t len, void *payload)
{
	json_t *o = json_object();

	json_object_set_new(o, "text", json_stringn(text, len));
	emit(payload, "text", o);
}

static void on_tool_call(const char *name, json_t *input, void *payload)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(name));
	json_object_set(o, "input", input ? input : json_null());
	emit(payload, "tool_call", o);
}

static void on_tool_result(const char *name, const char *content,
			   bool is_error, int64_t audit_id, void *payload)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "content", json_string(content));
	json_object_set_new(o, "is_error", json_boolean(is_error));
	json_object_set_new(o, "audit_id", audit_id ?
			    json_integer((json_int_t)audit_id) : json_null());
	emit(payload, "tool_result", o);
}

/* The provider waits before asking again: {"wait_ms", "reason"}. */
static void on_retry(unsigned long wait_ms, const char *why, void *payload)
{
	emit(payload, "retry", json_pack("{s:I, s:s}", "wait_ms",
					 (json_int_t)wait_ms, "reason", why));
}

static void emit_error(chat_stream *cs, const bn_err *err)
{
	json_t *o = json_object();

	json_object_set_new(o, "error", json_string(err->msg[0] ? err->msg :
						    "the turn failed"));
	emit(cs, "error", o);
}

static void *turn_main(void *arg)
{
	chat_stream *cs = arg;
	bn_server_state *state = cs->state;
	bn_agent_events ev = { .on_text = on_text,
			       .on_tool_call = on_tool_call,
			       .on_tool_result = on_tool_result, .payload = cs,
			       .cancel = &cs->cancel, .on_retry = on_retry };
	bn_agent_loop_options lo = BN_AGENT_LOOP_OPTIONS_INIT;
	bn_agent_session *ss = NULL;
	bn_store *s = NULL;
	json_t *turn = NULL;
	bn_err err;

	bn_err_init(&err);
	lo.actor = cs->actor;
	/* as /skills/NAME/run: a tool skill, local ones too, runs in a
	   worker, so a crashing tool never takes the server down */
	lo.pool = state->pool;
	lo.local_in_worker = true;
	lo.max_tokens = cs->max_tokens;
	if (bn_store_open_db(&s, cs->home, cs->cwd, cs->db_url, &err) ||
	    bn_agent_session_open(&ss, s, cs->provider, cs->bot, cs->session,
				  &lo, &err) ||
	    (cs->text ? bn_agent_session_turn(&turn, ss, cs->text, &ev, &err) :
	     bn_agent_session_resume(&turn, ss, &ev, &err)))
		emit_error(cs, &err);
	else
		emit(cs, "done", turn);
	bn_agent_session_free(ss);
	bn_store_free(s);
	pthread_mutex_lock(&cs->lock);
	cs->done = true;
	pthread_cond_broadcast(&cs->cond);
	pthread_mutex_unlock(&cs->lock);
	stream_unref(cs);
	atomic_fetch_sub(&state->turns, 1);
	return NULL;
}

static bool ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Whether the client hung up or reset its connection. */
static bool client_gone(int fd)
{
	struct pollfd p = { fd, POLLRDHUP, 0 };

	return fd >= 0 && poll(&p, 1, 0) > 0 &&
	       (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* MHD asks for the next bytes: wait for events, or send a comment now
   and then so that proxies and the client keep the stream open.  A
   stopping server ends the stream with an error event; a client that
   went away cancels the turn. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	static const char ping[] = ": keep-alive\n\n";
	static const char bye[] = "event: error\ndata: {\"error\": "
				  "\"the server is stopping\"}\n\n";
	chat_stream *cs = cls;
	struct timespec until, slice;
	bool stopping = false;
	ssize_t n = 0;
	int w;

	pthread_mutex_lock(&cs->lock);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += KEEPALIVE_S;
	/* wait in slices, to notice a stop */
	while (cs->out.len == cs->sent && !cs->done &&
	       !(stopping = atomic_load(&cs->state->stopping))) {
		clock_gettime(CLOCK_REALTIME, &slice);
		if (!ts_before(&slice, &until))
			break;
		slice.tv_nsec += STOP_CHECK_MS * 1000000L;
		if (slice.tv_nsec >= 1000000000L) {
			slice.tv_sec++;
			slice.tv_nsec -= 1000000000L;
		}
		if (ts_before(&until, &slice))
			slice = until;
		w = pthread_cond_timedwait(&cs->cond, &cs->lock, &slice);
		if (w && w != ETIMEDOUT)
			break;
		if (client_gone(cs->fd)) {
			atomic_store(&cs->cancel, true);
			pthread_mutex_unlock(&cs->lock);
			return MHD_CONTENT_READER_END_WITH_ERROR;
		}
	}
	if (stopping) {
		if (!cs->stop_sent && max >= sizeof(bye) - 1) {
			memcpy(buf, bye, sizeof(bye) - 1);
			n = (ssize_t)(sizeof(bye) - 1);
			cs->stop_sent = true;
		} else {
			n = MHD_CONTENT_READER_END_OF_STREAM;
		}
	} else if (cs->out.len > cs->sent) {
		size_t k = cs->out.len - cs->sent;
		if (k > max)
			k = max;
		memcpy(buf, cs->out.data + cs->sent, k);
		cs->sent += k;
		if (cs->sent == cs->out.len)
			cs->out.len = cs->sent = 0;
		n = (ssize_t)k;
	} else if (cs->done) {
		n = MHD_CONTENT_READER_END_OF_STREAM;
	} else if (max >= sizeof(ping) - 1) {
		memcpy(buf, ping, sizeof(ping) - 1);
		n = (ssize_t)(sizeof(ping) - 1);
	}
	pthread_mutex_unlock(&cs->lock);
	return n;
}

static void stream_free(void *cls)
{
	chat_stream *cs = cls;

	/* the response ends: a turn still running has no one to tell */
	atomic_store(&cs->cancel, true);
	stream_unref(cs);
}

/* The stream of a turn of BOT in SESSION (0: a new one) with TEXT (NULL:
   resume), on provider P (stolen). */
static chat_stream *stream_new(bn_server_req *rq, const char *bot,
			       int64_t session, const char *text,
			       bn_agent_provider *p)
{
	chat_stream *cs = bn_xcalloc(1, sizeof(*cs));

	pthread_mutex_init(&cs->lock, NULL);
	pthread_cond_init(&cs->cond, NULL);
	bn_buf_init(&cs->out, STREAM_MAX_BYTES);
	atomic_init(&cs->cancel, false);
	cs->fd = -1;
	cs->refs = 1;
	cs->home = bn_xstrdup(rq->srv->home);
	cs->db_url = rq->srv->opts.database ?
		     bn_xstrdup(rq->srv->opts.database) : NULL;
	cs->cwd = rq->srv->cwd ? bn_xstrdup(rq->srv->cwd) : NULL;
	cs->bot = bn_xstrdup(bot);
	cs->text = text ? bn_xstrdup(text) : NULL;
	cs->session = session;
	cs->provider = p;
	cs->state = rq->srv->state;
	snprintf(cs->actor, sizeof(cs->actor), "%s", rq->caller);
	return cs;
}

/* The body's "max_tokens" (absent or null: 0, the bot's setting) into
   *out; false after replying 400 (not a whole number 1 to 1,000,000, as
   `bnity chat --max-tokens`). */
static bool body_max_tokens(bn_server_req *rq, unsigned *out)
{
	json_t *v = rq->body ? json_object_get(rq->body, "max_tokens") : NULL;

	*out = 0;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > 1000000) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST, "max_tokens: give a "
				"whole number of tokens from 1 to 1000000 (the "
				"cap of one answer of the model)");
		return false;
	}
	*out = (unsigned)json_integer_value(v);
	return true;
}

/* Refuse (409) a new turn over SESSION's unfinished one, or a resume
   (RESUME) when it has none; false after replying. */
static bool turn_check(bn_server_req *rq, bn_store *s, int64_t session,
		       bool resume)
{
	bn_store_turn t = { 0 };
	bool found = false, ok = true;
	bn_err err;

	bn_err_init(&err);
	if (bn_store_turn_last(&t, &found, s, session, &err)) {
		bn_server__fail_err(rq, &err);
		return false;
	}
	if (found && !strcmp(t.state, "running")) {
		bn_server__fail(rq, MHD_HTTP_CONFLICT, "session %lld: turn %lld "
				"is running (process %lld)", (long long)session,
				(long long)t.number, (long long)t.owner_pid);
		ok = false;
	} else if (resume && (!found || !strcmp(t.state, "complete"))) {
		bn_server__fail(rq, MHD_HTTP_CONFLICT, "session %lld has no "
				"unfinished turn to resume", (long long)session);
		ok = false;
	} else if (!resume && found && !strcmp(t.state, "incomplete")) {
		bn_server__fail(rq, MHD_HTTP_CONFLICT, "session %lld: turn %lld "
				"is incomplete (%s); finish it with POST "
				"/api/v1/sessions/%lld/resume or drop it with "
				"DELETE /api/v1/sessions/%lld/turns/%lld",
				(long long)session, (long long)t.number,
				t.error ? t.error : "no reason recorded",
				(long long)session, (long long)session,
				(long long)t.number);
		ok = false;
	}
	bn_store_turn_clear(&t);
	return ok;
}

/* BOT's provider, configured; NULL after replying. */
static bn_agent_provider *bot_provider(bn_server_req *rq, bn_store *s,
				       const char *bot)
{
	bn_store_bot b = { 0 };
	bn_agent_provider *p = NULL;
	bn_err err;

	bn_err_init(&err);
	if (bn_store_bot_get(&b, s, bot, &err) ||
	    bn_agent_provider_new(&p, s, b.provider, b.model, &err)) {
		bn_store_bot_clear(&b);
		bn_server__fail_err(rq, &err);
		return NULL;
	}
	bn_store_bot_clear(&b);
	return p;
}

/* Check the request and configure the provider; NULL after replying. */
static chat_stream *chat_prepare(bn_server_req *rq)
{
	bool bad = false;
	const char *text = bn_server__body_str(rq, "message", &bad);
	json_t *sid = rq->body ? json_object_get(rq->body, "session") : NULL;
	int64_t session;
	unsigned max_tokens;
	bn_store *s;
	bn_agent_provider *p;
	chat_stream *cs;

	if (bad || !body_max_tokens(rq, &max_tokens))
		return NULL;
	if (!text || !*text || strlen(text) > CHAT_TEXT_MAX_BYTES ||
	    (sid && !json_is_null(sid) && (!json_is_integer(sid) ||
					  json_integer_value(sid) < 0))) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST, "give {\"message\": "
				"\"...\" (at most 64 KiB), \"session\": ID?}");
		return NULL;
	}
	session = json_is_integer(sid) ? json_integer_value(sid) : 0;
	s = bn_server__store(rq);
	if (!s)
		return NULL;
	if (session && !turn_check(rq, s, session, false))
		return NULL;
	if (!(p = bot_provider(rq, s, rq->params[0])))
		return NULL;
	cs = stream_new(rq, rq->params[0], session, text, p);
	cs->max_tokens = max_tokens;
	return cs;
}

/* Stream the turn of CS back: the response and the turn's thread. */
static void stream_start(bn_server_req *rq, chat_stream *cs)
{
	const struct bn_server_mhd_fns *mhd = bn_server__mhd();
	const union MHD_ConnectionInfo *ci;
	pthread_attr_t attr;
	pthread_t t;
	int r;

	ci = mhd->get_connection_info(rq->conn,
				      MHD_CONNECTION_INFO_CONNECTION_FD);
	cs->fd = ci ? ci->connect_fd : -1;
	rq->stream = mhd->create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
							stream_read, cs,
							stream_free);
	if (!rq->stream) {
		stream_unref(cs);
		bn_server__fail(rq, MHD_HTTP_INTERNAL_SERVER_ERROR,
				"out of memory");
		return;
	}
	mhd->add_response_header(rq->stream, MHD_HTTP_HEADER_CONTENT_TYPE,
				 "text/event-stream; charset=utf-8");
	mhd->add_response_header(rq->stream, MHD_HTTP_HEADER_CACHE_CONTROL,
				 "no-store");
	pthread_mutex_lock(&cs->lock);
	cs->refs++;
	pthread_mutex_unlock(&cs->lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	atomic_fetch_add(&cs->state->turns, 1);
	r = pthread_create(&t, &attr, turn_main, cs);
	pthread_attr_destroy(&attr);
	if (r) {
		atomic_fetch_sub(&cs->state->turns, 1);
		pthread_mutex_lock(&cs->lock);
		cs->done = true;
		pthread_mutex_unlock(&cs->lock);
		stream_unref(cs);
	}
	rq->status = MHD_HTTP_OK;
}

void bn_server__chat_post(bn_server_req *rq)
{
	chat_stream *cs = chat_prepare(rq);

	if (cs)
		stream_start(rq, cs);
}

/* ---- sessions ----------------------------------------------------------- */

/* The session of the path's first parameter into *c: BN_EINVAL when it
   is not a number, BN_ENOTFOUND when there is none. */
static int session_of(bn_server_req *rq, bn_store *s, bn_store_conv *c,
		      bn_err *err)
{
	long long id;
	bool found = false;
	int r;

	if (!bn_server__parse_ll(&id, rq->params[0], 1, INT64_MAX))
		return bn_err_set(err, BN_EINVAL, "'%s' is not a session id "
				  "(a positive number)", rq->params[0]);
	if ((r = bn_store_conv_get(c, &found, s, id, err)))
		return r;
	return found ? 0 : bn_err_set(err, BN_ENOTFOUND, "no session %lld",
				      id);
}

int bn_server__sessions_list(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bn_store_bot b = { 0 };
	json_t *a;
	int r = bn_store_bot_get(&b, s, rq->params[0], err);

	if (!r && !(r = bn_view_sessions_load_json(&a, s, rq->params[0], 0,
						   err)))
		bn_server__reply_member(rq, MHD_HTTP_OK, "sessions", a);
	bn_store_bot_clear(&b);
	return r;
}

int bn_server__session_get(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bn_store_conv c = { 0 };
	json_t *o;
	int r = session_of(rq, s, &c, err);

	if (!r && !(r = bn_view_session_load_json(&o, s, c.id, err)))
		bn_server__reply(rq, MHD_HTTP_OK, o);
	bn_store_conv_clear(&c);
	return r;
}

int bn_server__session_resume(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bn_store_conv c = { 0 };
	bn_agent_provider *p;
	chat_stream *cs;
	unsigned max_tokens;
	int r;

	if (!body_max_tokens(rq, &max_tokens))
		return 0;
	if (!(r = session_of(rq, s, &c, err)) &&
	    turn_check(rq, s, c.id, true) &&
	    (p = bot_provider(rq, s, c.bot))) {
		cs = stream_new(rq, c.bot, c.id, NULL, p);
		cs->max_tokens = max_tokens;
		stream_start(rq, cs);
	}
	bn_store_conv_clear(&c);
	return r;
}

int bn_server__session_delete(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bn_store_conv c = { 0 };
	bn_store_turn t = { 0 };
	bool found = false;
	int r = session_of(rq, s, &c, err);

	if (!r && !(r = bn_store_turn_last(&t, &found, s, c.id, err))) {
		if (found && !strcmp(t.state, "running"))
			/* a turn running in a live process keeps its
			   session */
			bn_server__fail(rq, MHD_HTTP_CONFLICT, "session %lld: "
					"turn %lld is running (process %lld); "
					"delete it when it ends",
					(long long)c.id, (long long)t.number,
					(long long)t.owner_pid);
		else if (!(r = bn_store_conv_delete(&found, s, c.id, err)))
			bn_server__reply_member(rq, MHD_HTTP_OK, "removed",
						json_integer(c.id));
	}
	bn_store_turn_clear(&t);
	bn_store_conv_clear(&c);
	return r;
}

/* DELETE /api/v1/sessions/:id/turns/:n - drop the incomplete or
   cancelled last turn N. */
int bn_server__turn_drop(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bn_store_conv c = { 0 };
	bn_store_turn t = { 0 };
	bool found = false;
	long long n;
	int r = session_of(rq, s, &c, err);

	if (!r && !bn_server__parse_ll(&n, rq->params[1], 1, INT64_MAX)) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST, "'%s' is not a turn "
				"number", rq->params[1]);
	} else if (!r && !(r = bn_store_turn_last(&t, &found, s, c.id,
						  err))) {
		if (!found || t.number != n || !strcmp(t.state, "complete") ||
		    !strcmp(t.state, "running"))
			bn_server__fail(rq, MHD_HTTP_CONFLICT, "session %lld: "
					"turn %lld is not an unfinished last "
					"turn (only an incomplete or cancelled "
					"last turn is dropped)",
					(long long)c.id, n);
		else if (!(r = bn_store_turn_drop(s, c.id, n, err)))
			bn_server__reply(rq, MHD_HTTP_OK,
					 json_pack("{s:I, s:I}", "session",
						   (json_int_t)c.id,
						   "dropped_turn",
						   (json_int_t)n));
	}
	bn_store_turn_clear(&t);
	bn_store_conv_clear(&c);
	return r;
}

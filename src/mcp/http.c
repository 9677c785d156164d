/* SPDX-License-Identifier: MIT */
/*
 * mcp/http.c - the Streamable HTTP transport (spec
 * basic/transports#streamable-http) at http://ADDR:PORT/mcp, loopback
 * only, over libmicrohttpd (one thread per connection; loaded here, as
 * `bnity serve` loads it).
 *
 *   every request   Origin, when sent, must be a loopback origin (403:
 *                   the spec's defence against DNS rebinding), and
 *                   "Authorization: Bearer TOKEN" the API's token (401)
 *   POST            one JSON-RPC message.  An initialize without
 *                   Mcp-Session-Id starts a session, whose id comes back
 *                   in Mcp-Session-Id; any other message names its
 *                   session (400 without, 404 for one that is gone).  A
 *                   notification or response: 202.  A request: its
 *                   answer as application/json, or, when the client
 *                   accepts text/event-stream and more than the answer
 *                   is coming (progress), an SSE stream that ends with it
 *   GET             the session's stream of server-to-client messages
 *                   that belong to no request (list_changed); one at a
 *                   time (409 for a second)
 *   DELETE          ends the session (its calls are cancelled)
 */
#include "mcp_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/dl.h"
#include "base/ref.h"

#define MHD_FNS(X)                                                      \
	X(start_daemon) X(stop_daemon) X(get_daemon_info)               \
	X(lookup_connection_value) X(create_response_from_buffer)       \
	X(create_response_from_callback) X(add_response_header)         \
	X(queue_response) X(destroy_response)
#define MHD_FIELD(f) __typeof__(MHD_##f) *f;
BN_DL_TABLE(mcp_mhd_table, mcp_mhd_fns, MCP_MHD_N, MHD_FNS, MHD_FIELD);
#define NAME(f) "MHD_" #f,
/* written once, before any thread of the transport (base/dl.h) */
BN_DL_LIBRARY(mhd, mcp_mhd_table, MHD_FNS, NAME, "libmicrohttpd.so.12",
	      "libmicrohttpd", "libmicrohttpd12", NULL);
#define MHD (&mhd_table.fn)

#define SESSIONS_MAX 64             /* live sessions at once */
#define KEEPALIVE_MS 15000          /* an SSE comment when idle */
#define SESSION_ID_BYTES 16

/* Where the messages of one POST (or the GET stream) go. */
typedef struct sink {
	struct sink *next;
	json_t *id;                  /* the request's id; NULL: the GET
					stream, or a POST without a request */
	json_t *queue;               /* messages not yet written */
	bool is_get;
	bool final;                  /* the answer is queued */
	bn_buf pending;              /* SSE text being written */
	size_t off;                  /* ... from here */
	bool ended;                  /* the answer is written */
	struct hsession *hs;
} sink;

/* A session of this transport: the protocol's session and its sinks. */
typedef struct hsession {
	struct http *h;
	char id[SESSION_ID_BYTES * 2 + 1];
	bn_mcp__session *ss;
	pthread_mutex_t input;       /* one message at a time */
	sink *current;               /* the POST being read (under input) */
	sink *sinks;                 /* under h->lock */
	unsigned refs;               /* the table's, and each sink's */
	bool closed;                 /* DELETEd or the server stops */
} hsession;

typedef struct http {
	bn_mcp_server *srv;
	const char *token;
	pthread_mutex_t lock;        /* sessions, sinks, stop */
	pthread_cond_t more;         /* a sink got a message, or stop */
	hsession *sessions[SESSIONS_MAX];
	bool stop;
} http;

/* One request's body, as it arrives. */
typedef struct upload {
	bn_buf body;
	bool too_big;
} upload;

/* ---- sessions and sinks ----------------------------------------------------- */

static void hsession_unref(hsession *hs)
{
	if (!bn_ref_drop(&hs->h->lock, &hs->refs))
		return;
	bn_mcp__session_free(hs->ss);
	pthread_mutex_destroy(&hs->input);
	free(hs);
}

static void http_send(void *payload, json_t *msg, const json_t *for_id,
		      bool final)
{
	hsession *hs = payload;
	http *h = hs->h;
	sink *to = NULL;

	pthread_mutex_lock(&h->lock);
	for (sink *k = hs->sinks; k && for_id; k = k->next)
		if (!k->is_get && k->id && json_equal(k->id, (json_t *)for_id))
			to = k;
	if (!to && !for_id && final)
		to = hs->current;        /* an error for an unreadable POST */
	if (!to && !for_id && !final)
		for (sink *k = hs->sinks; k; k = k->next)
			if (k->is_get)
				to = k;
	if (to && !to->final) {
		json_array_append(to->queue, msg);
		to->final = final && !to->is_get;
		pthread_cond_broadcast(&h->more);
	}
	pthread_mutex_unlock(&h->lock);
	json_decref(msg);
}

static sink *sink_new(hsession *hs, const json_t *id, bool is_get)
{
	sink *k = bn_xcalloc(1, sizeof(*k));

	k->id = id ? json_deep_copy(id) : NULL;
	k->queue = json_array();
	k->is_get = is_get;
	k->hs = hs;
	bn_buf_init(&k->pending, 0);
	pthread_mutex_lock(&hs->h->lock);
	hs->refs++;
	k->next = hs->sinks;
	hs->sinks = k;
	pthread_mutex_unlock(&hs->h->lock);
	return k;
}

static void sink_free(sink *k)
{
	hsession *hs;

	if (!k)
		return;
	hs = k->hs;
	pthread_mutex_lock(&hs->h->lock);
	for (sink **p = &hs->sinks; *p; p = &(*p)->next)
		if (*p == k) {
			*p = k->next;
			break;
		}
	pthread_mutex_unlock(&hs->h->lock);
	json_decref(k->id);
	json_decref(k->queue);
	bn_buf_clear(&k->pending);
	free(k);
	hsession_unref(hs);
}

/* The session named ID, with a reference for the caller; NULL if none. */
static hsession *hsession_get(http *h, const char *id)
{
	hsession *hs = NULL;

	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < SESSIONS_MAX && id; i++)
		if (h->sessions[i] && !strcmp(h->sessions[i]->id, id) &&
		    !h->sessions[i]->closed) {
			hs = h->sessions[i];
			hs->refs++;
		}
	pthread_mutex_unlock(&h->lock);
	return hs;
}

/* A new session in the table, with a reference for the caller; NULL
   when the table is full. */
static hsession *hsession_new(http *h)
{
	unsigned char raw[SESSION_ID_BYTES];
	hsession *hs = bn_xcalloc(1, sizeof(*hs));
	bool placed = false;

	hs->h = h;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hs->id, sizeof(hs->id), raw, sizeof(raw));
	pthread_mutex_init(&hs->input, NULL);
	hs->refs = 2;
	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < SESSIONS_MAX && !placed; i++)
		if (!h->sessions[i]) {
			h->sessions[i] = hs;
			placed = true;
		}
	pthread_mutex_unlock(&h->lock);
	if (!placed) {
		pthread_mutex_destroy(&hs->input);
		free(hs);
		return NULL;
	}
	hs->ss = bn_mcp__session_new(h->srv, http_send, hs);
	return hs;
}

/* Take HS out of the table (its reference dropped); its streams end. */
static void hsession_close(hsession *hs)
{
	http *h = hs->h;
	bool found = false;

	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < SESSIONS_MAX; i++)
		if (h->sessions[i] == hs) {
			h->sessions[i] = NULL;
			found = true;
		}
	hs->closed = true;
	pthread_cond_broadcast(&h->more);
	pthread_mutex_unlock(&h->lock);
	if (found)
		hsession_unref(hs);
}

/* ---- responses ------------------------------------------------------------ */

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status,
			     const char *type, char *body, const char *session)
{
	struct MHD_Response *resp = MHD->create_response_from_buffer(
		body ? strlen(body) : 0, body ? body : (char *)"",
		body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	enum MHD_Result r;

	if (!resp) {
		free(body);
		return MHD_NO;
	}
	if (type)
		MHD->add_response_header(resp, "Content-Type", type);
	if (session)
		MHD->add_response_header(resp, "Mcp-Session-Id", session);
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD->add_response_header(resp, "WWW-Authenticate",
					 "Bearer realm=\"bnity\"");
	MHD->add_response_header(resp, "Cache-Control", "no-store");
	r = MHD->queue_response(conn, status, resp);
	MHD->destroy_response(resp);
	return r;
}

/* A JSON-RPC error as the body of an HTTP error. */
static enum MHD_Result reply_error(struct MHD_Connection *conn,
				   unsigned status, int code, const char *msg)
{
	json_t *e = bn_mcp__error(NULL, code, "%s", msg);
	char *body = json_dumps(e, JSON_COMPACT);

	json_decref(e);
	return reply(conn, status, "application/json", body, NULL);
}

/* The SSE text of the next message of K into its pending text; false
   when the stream is over. */
static bool next_event(sink *k, http *h)
{
	pthread_mutex_lock(&h->lock);
	while (json_array_size(k->queue) == 0 && !h->stop && !k->hs->closed &&
	       !k->ended) {
		struct timespec until;
		bn_clock_deadline_ts(&until, KEEPALIVE_MS);
		if (pthread_cond_timedwait(&h->more, &h->lock, &until) ==
		    ETIMEDOUT && json_array_size(k->queue) == 0) {
			pthread_mutex_unlock(&h->lock);
			return bn_buf_puts(&k->pending, ": keepalive\n\n") == 0;
		}
	}
	if (json_array_size(k->queue) == 0) {
		pthread_mutex_unlock(&h->lock);
		return false;
	}
	json_t *m = json_incref(json_array_get(k->queue, 0));
	json_array_remove(k->queue, 0);
	bool last = k->final && json_array_size(k->queue) == 0;
	pthread_mutex_unlock(&h->lock);
	char *text = json_dumps(m, JSON_COMPACT);
	json_decref(m);
	bool ok = text && bn_buf_printf(&k->pending, "event: message\n"
					"data: %s\n\n", text) == 0;
	free(text);
	if (last)
		k->ended = true;
	return ok;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	sink *k = cls;
	http *h = k->hs->h;

	if (k->off == k->pending.len) {
		k->pending.len = 0;
		k->off = 0;
		if (k->ended || !next_event(k, h))
			return MHD_CONTENT_READER_END_OF_STREAM;
	}
	size_t n = k->pending.len - k->off;
	if (n > max)
		n = max;
	memcpy(buf, k->pending.data + k->off, n);
	k->off += n;
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	sink_free(cls);
}

static enum MHD_Result reply_stream(struct MHD_Connection *conn, sink *k,
				    const char *session)
{
	struct MHD_Response *resp = MHD->create_response_from_callback(
		MHD_SIZE_UNKNOWN, 16384, stream_read, k, stream_free);
	enum MHD_Result r;

	if (!resp) {
		sink_free(k);
		return MHD_NO;
	}
	MHD->add_response_header(resp, "Content-Type", "text/event-stream");
	MHD->add_response_header(resp, "Cache-Control", "no-store");
	if (session)
		MHD->add_response_header(resp, "Mcp-Session-Id", session);
	r = MHD->queue_response(conn, MHD_HTTP_OK, resp);
	MHD->destroy_response(resp);
	return r;
}

/* ---- checks ----------------------------------------------------------------- */

static const char *header(struct MHD_Connection *conn, const char *name)
{
	return MHD->lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

/* Whether ORIGIN ("http://127.0.0.1:3000") names this machine. */
static bool origin_is_loopback(const char *origin)
{
	static const char *const hosts[] = { "localhost", "127.0.0.1",
					     "[::1]" };
	const char *p = origin;

	if (!strncmp(p, "http://", 7))
		p += 7;
	else if (!strncmp(p, "https://", 8))
		p += 8;
	else
		return false;
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		size_t n = strlen(hosts[i]);
		if (!strncasecmp(p, hosts[i], n) &&
		    (p[n] == '\0' || (p[n] == ':' && p[n + 1] &&
		     strspn(p + n + 1, "0123456789") == strlen(p + n + 1))))
			return true;
	}
	return false;
}

/* Whether CONN carries a token this home knows: the api-token file's
   (named "serve") or a named one (`bnity token create`, looked up by
   its hash on every request, so a revoked token is refused at once).
   Its name into NAME.  1 yes, 0 no, -1 the store failed (said in ERR). */
static int token_ok(const http *h, struct MHD_Connection *conn,
		    char name[BN_SERVER_TOKEN_NAME_MAX + 1], bn_err *err)
{
	const char *a = header(conn, MHD_HTTP_HEADER_AUTHORIZATION);
	size_t n = strlen(h->token);
	bn_store *s = NULL;
	bool found = false;
	int r;

	if (!a || strncasecmp(a, "Bearer ", 7))
		return 0;
	a += 7;
	if (strlen(a) == n && sodium_memcmp(a, h->token, n) == 0) {
		snprintf(name, BN_SERVER_TOKEN_NAME_MAX + 1, "%s",
			 BN_SERVER_TOKEN_SERVE);
		return 1;
	}
	r = bn_mcp__store_open(&s, h->srv, err);
	if (!r)
		r = bn_server_token_check(&found, name, NULL, s, a, err);
	bn_store_free(s);
	return r ? -1 : found;
}

static bool accepts(struct MHD_Connection *conn, const char *type)
{
	const char *a = header(conn, MHD_HTTP_HEADER_ACCEPT);

	return a && strstr(a, type);
}

/* ---- methods ---------------------------------------------------------------- */

static bool is_request(const json_t *m)
{
	return json_is_object(m) && json_is_string(json_object_get(m,
		"method")) && json_object_get(m, "id") &&
	       !json_is_null(json_object_get(m, "id"));
}

static enum MHD_Result on_post(http *h, struct MHD_Connection *conn,
			       const upload *u, const char *actor)
{
	const char *sid = header(conn, "Mcp-Session-Id");
	json_t *m = json_loadb(u->body.data ? u->body.data : "", u->body.len,
			       0, NULL);
	const char *method = json_string_value(json_object_get(m, "method"));
	bool init = method && !strcmp(method, "initialize");
	hsession *hs;
	sink *k;

	if (u->too_big) {
		json_decref(m);
		return reply_error(conn, MHD_HTTP_CONTENT_TOO_LARGE,
				   BN_MCP_INVALID_REQUEST, "message over the "
				   "size cap: refused unread");
	}
	if (!m) {
		return reply_error(conn, MHD_HTTP_BAD_REQUEST,
				   BN_MCP_PARSE_ERROR, "Parse error: the body "
				   "is not one JSON value");
	}
	if (init && !sid) {
		hs = hsession_new(h);
		if (!hs) {
			json_decref(m);
			return reply_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
					   BN_MCP_INTERNAL_ERROR, "too many "
					   "sessions: end one (DELETE)");
		}
		snprintf(hs->ss->actor, sizeof(hs->ss->actor), "%s", actor);
	} else if (!sid) {
		json_decref(m);
		return reply_error(conn, MHD_HTTP_BAD_REQUEST,
				   BN_MCP_INVALID_REQUEST, "Mcp-Session-Id "
				   "missing: initialize a session first");
	} else if (!(hs = hsession_get(h, sid))) {
		json_decref(m);
		return reply_error(conn, MHD_HTTP_NOT_FOUND,
				   BN_MCP_INVALID_REQUEST, "no such session: "
				   "it ended; initialize a new one");
	} else if (strcmp(hs->ss->actor, actor)) {
		json_decref(m);
		hsession_unref(hs);
		return reply_error(conn, MHD_HTTP_FORBIDDEN,
				   BN_MCP_INVALID_REQUEST, "this session was "
				   "opened with another token: use that one, "
				   "or initialize a session of your own");
	}
	bool request = is_request(m);
	k = sink_new(hs, request ? json_object_get(m, "id") : NULL, false);
	json_decref(m);
	pthread_mutex_lock(&hs->input);
	hs->current = k;
	bn_mcp__session_input(hs->ss, u->body.data, u->body.len);
	hs->current = NULL;
	pthread_mutex_unlock(&hs->input);
	enum MHD_Result r;
	pthread_mutex_lock(&h->lock);
	bool answered = k->final && json_array_size(k->queue) == 1;
	bool has_error = json_array_size(k->queue) > 0;
	pthread_mutex_unlock(&h->lock);
	if (!request && !has_error) {
		sink_free(k);
		r = reply(conn, MHD_HTTP_ACCEPTED, NULL, NULL, NULL);
	} else if (answered || !accepts(conn, "text/event-stream")) {
		/* the answer alone (waited for when it is a call) */
		pthread_mutex_lock(&h->lock);
		while (!k->final && !h->stop && !hs->closed)
			pthread_cond_wait(&h->more, &h->lock);
		json_t *last = json_array_size(k->queue) ? json_incref(
			json_array_get(k->queue, json_array_size(k->queue) -
				       1)) : NULL;
		pthread_mutex_unlock(&h->lock);
		char *body = last ? json_dumps(last, JSON_COMPACT) : NULL;
		json_decref(last);
		r = body ? reply(conn, MHD_HTTP_OK, "application/json", body,
				 init ? hs->id : NULL) :
		    reply_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
				BN_MCP_INTERNAL_ERROR, "the server is "
				"stopping");
		sink_free(k);
	} else {
		r = reply_stream(conn, k, init ? hs->id : NULL);
	}
	hsession_unref(hs);
	return r;
}

static enum MHD_Result on_get(http *h, struct MHD_Connection *conn)
{
	hsession *hs = hsession_get(h, header(conn, "Mcp-Session-Id"));
	bool busy = false;

	if (!accepts(conn, "text/event-stream")) {
		if (hs)
			hsession_unref(hs);
		return reply_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				   BN_MCP_INVALID_REQUEST, "GET opens the SSE "
				   "stream: accept text/event-stream");
	}
	if (!hs)
		return reply_error(conn, header(conn, "Mcp-Session-Id") ?
				   MHD_HTTP_NOT_FOUND : MHD_HTTP_BAD_REQUEST,
				   BN_MCP_INVALID_REQUEST, "GET needs the "
				   "Mcp-Session-Id of a live session");
	pthread_mutex_lock(&h->lock);
	for (sink *k = hs->sinks; k; k = k->next)
		busy |= k->is_get;
	pthread_mutex_unlock(&h->lock);
	if (busy) {
		hsession_unref(hs);
		return reply_error(conn, MHD_HTTP_CONFLICT,
				   BN_MCP_INVALID_REQUEST, "this session's "
				   "stream is open already");
	}
	sink *k = sink_new(hs, NULL, true);
	hsession_unref(hs);
	return reply_stream(conn, k, NULL);
}

static enum MHD_Result on_delete(http *h, struct MHD_Connection *conn)
{
	hsession *hs = hsession_get(h, header(conn, "Mcp-Session-Id"));

	if (!hs)
		return reply_error(conn, MHD_HTTP_NOT_FOUND,
				   BN_MCP_INVALID_REQUEST, "no such session");
	hsession_close(hs);
	hsession_unref(hs);
	return reply(conn, MHD_HTTP_OK, NULL, NULL, NULL);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *data,
			      size_t *data_size, void **req_cls)
{
	http *h = cls;
	upload *u = *req_cls;
	const char *origin;
	char actor[BN_SERVER_TOKEN_NAME_MAX + 1];
	bn_err err;

	if (!u) {
		/* headers only, so far: judge them before any body */
		u = bn_xcalloc(1, sizeof(*u));
		bn_buf_init(&u->body, h->srv->o.message_max_bytes);
		*req_cls = u;
		return MHD_YES;
	}
	if (*data_size) {
		if (!u->too_big && bn_buf_append(&u->body, data, *data_size))
			u->too_big = true;
		*data_size = 0;
		return MHD_YES;
	}
	origin = header(conn, "Origin");
	if (origin && !origin_is_loopback(origin))
		return reply_error(conn, MHD_HTTP_FORBIDDEN,
				   BN_MCP_INVALID_REQUEST, "Origin refused: "
				   "only pages of this machine may call");
	if (strcmp(url, "/mcp"))
		return reply_error(conn, MHD_HTTP_NOT_FOUND,
				   BN_MCP_INVALID_REQUEST, "the MCP endpoint "
				   "is /mcp");
	bn_err_init(&err);
	switch (token_ok(h, conn, actor, &err)) {
	case 0:
		return reply_error(conn, MHD_HTTP_UNAUTHORIZED,
				   BN_MCP_INVALID_REQUEST, "missing or wrong "
				   "bearer token (the API token, in "
				   "$BNITY_HOME/api-token, or one made by "
				   "`bnity token create`)");
	case -1:
		return reply_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				   BN_MCP_INTERNAL_ERROR, err.msg);
	}
	if (!strcmp(method, "POST"))
		return on_post(h, conn, u, actor);
	if (!strcmp(method, "GET"))
		return on_get(h, conn);
	if (!strcmp(method, "DELETE"))
		return on_delete(h, conn);
	return reply_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
			   BN_MCP_INVALID_REQUEST, "POST, GET or DELETE");
}

static void completed(void *cls, struct MHD_Connection *conn,
		      void **req_cls, enum MHD_RequestTerminationCode toe)
{
	upload *u = *req_cls;

	if (u) {
		bn_buf_clear(&u->body);
		free(u);
		*req_cls = NULL;
	}
}

/* ---- listening ---------------------------------------------------------- */

/* LISTEN ("127.0.0.1:PORT", "localhost:PORT", "[::1]:PORT") into *SA. */
static int loopback_addr(struct sockaddr_storage *sa, bool *v6,
			 const char *listen, bn_err *err)
{
	const char *colon = strrchr(listen, ':');
	char host[64];
	unsigned long port;
	char *end;
	size_t n;

	memset(sa, 0, sizeof(*sa));
	if (!colon || !colon[1])
		goto bad;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	n = (size_t)(colon - listen);
	if (errno || *end || port > 65535 || n == 0 || n >= sizeof(host))
		goto bad;
	memcpy(host, listen, n);
	host[n] = '\0';
	struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;
	*v6 = false;
	if (!strcmp(host, "localhost") ||
	    inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		if (!strcmp(host, "localhost"))
			s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if ((ntohl(s4->sin_addr.s_addr) >> 24) != 127)
			goto public;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		return 0;
	}
	if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
		host[n - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) == 1) {
			if (!IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
				goto public;
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons((uint16_t)port);
			*v6 = true;
			return 0;
		}
	}
bad:
	return bn_err_set(err, BN_EUSAGE, "--listen '%s': give a loopback "
			  "ADDR:PORT (127.0.0.1:8738, [::1]:8738; port 0 "
			  "picks one)", listen);
public:
	return bn_err_set(err, BN_EUSAGE, "--listen '%s': the MCP endpoint "
			  "serves this machine only: give a loopback address",
			  listen);
}

int bn_mcp_serve_http(bn_mcp_server *srv, const char *listen,
		      const char *token, bn_err *err)
{
	struct sockaddr_storage sa;
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;
	sigset_t set, old;
	http h = { .srv = srv, .token = token };
	bool v6;
	int r, sig;

	if ((r = loopback_addr(&sa, &v6, listen, err)))
		return r;
	if ((r = bn_dl_lazy_load(&mhd_lazy, mhd_table.slot, &mhd_lib, err)))
		return r;
	pthread_mutex_init(&h.lock, NULL);
	pthread_cond_init(&h.more, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	d = MHD->start_daemon(MHD_USE_THREAD_PER_CONNECTION |
			      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
			      MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0), 0,
			      NULL, NULL, handle, &h,
			      MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			      MHD_OPTION_CONNECTION_LIMIT, 64u,
			      MHD_OPTION_NOTIFY_COMPLETED, completed, &h,
			      MHD_OPTION_END);
	if (!d) {
		r = bn_err_set(err, BN_EIO, "cannot listen on %s: %s", listen,
			       strerror(errno));
		goto out;
	}
	info = MHD->get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	{
		char host[64];
		const char *colon = strrchr(listen, ':');
		snprintf(host, sizeof(host), "%.*s", (int)(colon - listen),
			 listen);
		printf("bnity mcp: listening on http://%s:%u/mcp\n", host,
		       info ? info->port : 0);
		fflush(stdout);
	}
	sigdelset(&set, SIGPIPE);
	do
		r = sigwait(&set, &sig);
	while (r == 0 && sig != SIGINT && sig != SIGTERM);
	bn_mcp__log(srv, "stopping");
	pthread_mutex_lock(&h.lock);
	h.stop = true;
	pthread_cond_broadcast(&h.more);
	pthread_mutex_unlock(&h.lock);
	/* every session ends: its calls are cancelled, its streams close */
	for (size_t i = 0; i < SESSIONS_MAX; i++) {
		pthread_mutex_lock(&h.lock);
		hsession *hs = h.sessions[i];
		pthread_mutex_unlock(&h.lock);
		if (hs) {
			bn_mcp__calls_finish(hs->ss, true);
			hsession_close(hs);
		}
	}
	MHD->stop_daemon(d);
	r = 0;
out:
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_cond_destroy(&h.more);
	pthread_mutex_destroy(&h.lock);
	return r;
}

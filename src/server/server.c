/* SPDX-License-Identifier: MIT */
/*
 * server/server.c - the daemon: listening, reading capped request bodies,
 * authentication, routing by the table of routes.c, JSON and error
 * replies, security and CORS headers, and the embedded UI (ui.c).
 *
 * libmicrohttpd calls answer() several times per request: first with no
 * body (we check the declared length and may refuse at once with 413),
 * then with each piece of the body, then once more with none, when the
 * request is complete and is handled.
 *
 * Stopping: the main thread waits for SIGINT or SIGTERM (sweeping late
 * connections meanwhile, conns.c), then stops accepting, kills every
 * confined worker (a skill run in progress ends as killed; no new one
 * starts), and stops the daemon on a helper thread, which joins the
 * connection threads.  What has not ended after BN_SERVER_STOP_WAIT_S is
 * abandoned with _exit(0): the workers are dead by then, and nothing else
 * of ours outlives the process.  Spec: RFC 9110 (statuses), RFC 6750
 * (bearer tokens), https://www.gnu.org/software/libmicrohttpd/manual/
 */
#include "server_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/fs.h"
#include "exec/curl_dl.h"
#include "exec/pool.h"
#include "sandbox/sandbox.h"

#define API_PREFIX "/api/"
#define MAX_SEGS 12        /* path segments of an API URL */
#define JSON_TYPE "application/json; charset=utf-8"
#define SWEEP_MS 500      /* how often late connections are swept */
/* idle store handles kept between requests: about one per request that
   runs at once (connection threads) */
#define BN_SERVER_STORES_IDLE 16
#define STR_(x) #x
#define STR(x) STR_(x)
#define CSP "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; " \
	"form-action 'self'; object-src 'none'"

/* The state of one request across the calls of answer(). */
typedef struct conn_ctx {
	bn_buf body;       /* capped at body_max_bytes */
	bool too_big;      /* the body passed the cap: answer 413 */
} conn_ctx;

/* ---- listening address ---------------------------------------------------- */

typedef struct listen_addr {
	struct sockaddr_storage sa;
	bool v6;
	bool loopback;
	unsigned port;
	char host[64 + 2]; /* as printed in URLs: an address in brackets */
} listen_addr;

static int parse_listen(listen_addr *out, const char *text, bn_err *err)
{
	char host[64];
	const char *colon = strrchr(text, ':'), *h = text;
	size_t hlen;
	long long port;

	memset(out, 0, sizeof(*out));
	if (!colon || !bn_server__parse_ll(&port, colon + 1, 0, 65535))
		return bn_err_set(err, BN_EUSAGE, "--listen '%s': give "
				  "ADDR:PORT (127.0.0.1:8737, [::1]:8737)",
				  text);
	hlen = (size_t)(colon - text);
	if (hlen >= 2 && text[0] == '[' && text[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return bn_err_set(err, BN_EUSAGE, "--listen '%s': no address",
				  text);
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	out->port = (unsigned)port;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&out->sa;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&out->sa;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		out->loopback = (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
		snprintf(out->host, sizeof(out->host), "%s", host);
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		out->v6 = true;
		out->loopback = IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
		snprintf(out->host, sizeof(out->host), "[%s]", host);
	} else {
		return bn_err_set(err, BN_EUSAGE, "--listen '%s': '%s' is not "
				  "an IP address", text, host);
	}
	return 0;
}

/* ---- responses ------------------------------------------------------------ */

struct MHD_Response *bn_server__response(const void *data, size_t len,
					 enum MHD_ResponseMemoryMode mode)
{
	return bn_server__mhd()->create_response_from_buffer(len, (void *)data,
							     mode);
}

void bn_server__add_common_headers(const bn_server *srv,
				   struct MHD_Connection *conn,
				   struct MHD_Response *resp)
{
	const struct bn_server_mhd_fns *mhd = bn_server__mhd();
	const char *origin;

	mhd->add_response_header(resp, "X-Content-Type-Options", "nosniff");
	mhd->add_response_header(resp, "Content-Security-Policy", CSP);
	mhd->add_response_header(resp, "X-Frame-Options", "DENY");
	mhd->add_response_header(resp, "Referrer-Policy", "no-referrer");
	if (!srv->opts.cors_origin)
		return;
	origin = mhd->lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	mhd->add_response_header(resp, "Vary", "Origin");
	if (origin && !strcmp(origin, srv->opts.cors_origin))
		mhd->add_response_header(resp, "Access-Control-Allow-Origin",
					 origin);
}

/* Queue J (stolen; NULL: no body) with STATUS; WORKER and TIMING: the
   values of X-Bnity-Worker and Server-Timing, or NULL. */
static enum MHD_Result send_json(const bn_server *srv,
				 struct MHD_Connection *conn, unsigned status,
				 json_t *j, const char *allow,
				 const char *worker, const char *timing)
{
	const struct bn_server_mhd_fns *mhd = bn_server__mhd();
	struct MHD_Response *resp;
	enum MHD_Result ok;
	char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER)
		     : NULL;
	size_t len = text ? strlen(text) : 0;

	json_decref(j);
	if (j && !text)
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	resp = bn_server__response(text ? text : "", len,
				   text ? MHD_RESPMEM_MUST_FREE :
				   MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	if (text)
		mhd->add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					 JSON_TYPE);
	mhd->add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				 "no-store");
	if (status == MHD_HTTP_UNAUTHORIZED)
		mhd->add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					 "Bearer realm=\"bnity\"");
	if (allow)
		mhd->add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	/* the pool's queue was full: worth trying again in a moment */
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		mhd->add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER,
					 BN_SERVER_RETRY_AFTER_S);
	if (worker && *worker)
		mhd->add_response_header(resp, "X-Bnity-Worker", worker);
	if (timing && *timing)
		mhd->add_response_header(resp, "Server-Timing", timing);
	bn_server__add_common_headers(srv, conn, resp);
	ok = mhd->queue_response(conn, status, resp);
	mhd->destroy_response(resp);
	if (status >= 500)
		fprintf(stderr, "bnity serve: %u\n", status);
	return ok;
}

static enum MHD_Result send_error(const bn_server *srv,
				  struct MHD_Connection *conn,
				  unsigned status, const char *msg,
				  const char *allow)
{
	json_t *o = json_object();

	json_object_set_new(o, "error", json_string(msg));
	return send_json(srv, conn, status, o, allow, NULL, NULL);
}

/* ---- routing -------------------------------------------------------------- */

/* Split PATH (a copy, modified) into at most MAX_SEGS segments. */
static size_t split_path(char **segs, char *path)
{
	size_t n = 0;
	char *save = NULL, *s;

	for (s = strtok_r(path, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
		if (n == MAX_SEGS)
			return MAX_SEGS + 1;
		segs[n++] = s;
	}
	return n;
}

/* Whether SEGS match PATTERN; ":x" segments go into PARAMS in order. */
static bool route_match(const char *pattern, char *const *segs, size_t n,
			const char **params)
{
	const char *p = pattern;
	size_t i = 0, np = 0;

	while (*p) {
		const char *end;
		size_t len;

		if (*p == '/')
			p++;
		end = strchr(p, '/');
		len = end ? (size_t)(end - p) : strlen(p);
		if (i == n)
			return false;
		if (*p == ':') {
			if (np == BN_SERVER_MAX_PARAMS)
				return false;
			params[np++] = segs[i];
		} else if (strlen(segs[i]) != len || strncmp(segs[i], p, len)) {
			return false;
		}
		i++;
		p += len;
	}
	return i == n;
}

/* The route for METHOD and SEGS; *allow lists the methods the path has
   when it exists under another method only. */
static const bn_server_route *route_find(const char **params, bn_buf *allow,
					 const char *method, char *const *segs,
					 size_t n)
{
	const bn_server_route *rt;

	for (rt = bn_server_routes; rt->pattern; rt++) {
		if (!route_match(rt->pattern, segs, n, params))
			continue;
		if (!strcmp(rt->method, method))
			return rt;
		if (bn_buf_printf(allow, "%s%s", allow->len ? ", " : "",
				  rt->method))
			continue; /* capped: the list keeps what fits */
	}
	return NULL;
}

/* ---- requests ------------------------------------------------------------- */

static void health(bn_server_req *rq)
{
	json_t *o = json_object();

	json_object_set_new(o, "status", json_string("ok"));
	json_object_set_new(o, "version", json_string(BN_VERSION));
	bn_server__reply(rq, MHD_HTTP_OK, o);
}

/* Parse the body into rq->body; false after queueing a 400. */
static bool parse_body(bn_server_req *rq, const conn_ctx *ctx)
{
	json_error_t jerr;

	if (ctx->body.len == 0)
		return true;
	rq->body = json_loadb(ctx->body.data, ctx->body.len,
			      JSON_REJECT_DUPLICATES, &jerr);
	if (!rq->body) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST, "malformed JSON: "
				"line %d column %d: %s", jerr.line, jerr.column,
				jerr.text);
		return false;
	}
	if (!json_is_object(rq->body)) {
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST,
				"the body must be a JSON object");
		return false;
	}
	return true;
}

static enum MHD_Result finish(bn_server_req *rq, const char *allow)
{
	const struct bn_server_mhd_fns *mhd = bn_server__mhd();
	enum MHD_Result ok;

	if (rq->stream) {
		bn_server__add_common_headers(rq->srv, rq->conn, rq->stream);
		ok = mhd->queue_response(rq->conn, rq->status ? rq->status :
					 MHD_HTTP_OK, rq->stream);
		mhd->destroy_response(rq->stream);
	} else {
		ok = send_json(rq->srv, rq->conn, rq->status ? rq->status :
			       MHD_HTTP_NO_CONTENT, rq->reply, allow,
			       rq->worker, rq->timing);
		rq->reply = NULL;
	}
	json_decref(rq->reply);
	json_decref(rq->body);
	bn_store_reuse_give(rq->srv->state->stores, rq->store);
	return ok;
}

/* Run the handler of RT: a store handler gets the store, and its failure
   is answered here. */
static void run_route(bn_server_req *rq, const bn_server_route *rt)
{
	bn_store *s;
	bn_err err;

	if (rt->fn) {
		rt->fn(rq);
		return;
	}
	if ((s = bn_server__begin(rq, &err)) && rt->store(rq, s, &err))
		bn_server__fail_err(rq, &err);
}

static enum MHD_Result handle_api(const bn_server *srv,
				  struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const conn_ctx *ctx)
{
	bn_server_req rq = { .srv = srv, .conn = conn, .method = method };
	char *segs[MAX_SEGS], *path;
	bn_buf allow = BN_BUF_INIT;
	const bn_server_route *rt;
	enum MHD_Result ok;
	size_t n;

	if (!strcmp(url, "/api/v1/health")) {
		if (strcmp(method, "GET"))
			return send_error(srv, conn, MHD_HTTP_METHOD_NOT_ALLOWED,
					  "GET only", "GET");
		health(&rq);
		return finish(&rq, NULL);
	}
	if (!bn_server__auth(&rq)) {
		if (rq.status)          /* the store failed: rq has why */
			return finish(&rq, NULL);
		bn_store_reuse_give(srv->state->stores, rq.store);
		return send_error(srv, conn, MHD_HTTP_UNAUTHORIZED,
				  "missing, wrong or revoked API token "
				  "(Authorization: Bearer TOKEN; the token of "
				  "`bnity serve` is in $BNITY_HOME/api-token, "
				  "others come from `bnity token create`)",
				  NULL);
	}
	if (ctx->too_big || atomic_load(&srv->state->stopping)) {
		/* the token's lookup took a store handle: back it goes */
		bn_store_reuse_give(srv->state->stores, rq.store);
		if (ctx->too_big)
			return send_error(srv, conn,
					  MHD_HTTP_CONTENT_TOO_LARGE,
					  "the request body is over the limit",
					  NULL);
		return send_error(srv, conn, MHD_HTTP_SERVICE_UNAVAILABLE,
				  "the server is stopping", NULL);
	}
	path = bn_xstrdup(url);
	n = split_path(segs, path);
	rt = n <= MAX_SEGS ? route_find(rq.params, &allow, method, segs, n)
			   : NULL;
	if (rt && !bn_server__role_allows(&rq, method, rt->pattern)) {
		bn_server__fail(&rq, MHD_HTTP_FORBIDDEN, "the token '%s' has "
				"the user role: it may read, chat and run "
				"skills; %s %s needs an admin's token",
				rq.caller, method, url);
	} else if (!rt && allow.len) {
		bn_server__fail(&rq, MHD_HTTP_METHOD_NOT_ALLOWED,
				"%s is not allowed on %s (allowed: %s)",
				method, url, bn_buf_cstr(&allow));
	} else if (!rt) {
		bn_server__fail(&rq, MHD_HTTP_NOT_FOUND, "no route %s %s",
				method, url);
	} else if (parse_body(&rq, ctx)) {
		run_route(&rq, rt);
	}
	ok = finish(&rq, allow.len ? bn_buf_cstr(&allow) : NULL);
	bn_buf_clear(&allow);
	free(path);
	return ok;
}

static enum MHD_Result handle_ui(const bn_server *srv,
				 struct MHD_Connection *conn, const char *url,
				 const char *method)
{
	const struct bn_server_mhd_fns *mhd = bn_server__mhd();
	struct MHD_Response *resp;
	const char *data, *type;
	enum MHD_Result ok;
	size_t len;

	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return send_error(srv, conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "the web UI is read with GET", "GET, HEAD");
	if (!bn_server__ui_find(&data, &len, &type, url))
		return send_error(srv, conn, MHD_HTTP_NOT_FOUND, "no such page",
				  NULL);
	resp = bn_server__response(data, len, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	mhd->add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	mhd->add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				 "no-cache");
	bn_server__add_common_headers(srv, conn, resp);
	ok = mhd->queue_response(conn, MHD_HTTP_OK, resp);
	mhd->destroy_response(resp);
	return ok;
}

/* A CORS preflight for the configured origin. */
static enum MHD_Result handle_preflight(const bn_server *srv,
					struct MHD_Connection *conn)
{
	const struct bn_server_mhd_fns *mhd = bn_server__mhd();
	struct MHD_Response *resp = bn_server__response("", 0,
						MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ok;

	if (!resp)
		return MHD_NO;
	mhd->add_response_header(resp, "Access-Control-Allow-Methods",
				 "GET, POST, PUT, DELETE");
	mhd->add_response_header(resp, "Access-Control-Allow-Headers",
				 "Authorization, Content-Type");
	mhd->add_response_header(resp, "Access-Control-Max-Age", "600");
	bn_server__add_common_headers(srv, conn, resp);
	ok = mhd->queue_response(conn, MHD_HTTP_NO_CONTENT, resp);
	mhd->destroy_response(resp);
	return ok;
}

/* The first call of a request: refuse a declared body over the cap. */
static enum MHD_Result begin(const bn_server *srv,
			     struct MHD_Connection *conn, void **con_cls)
{
	const char *cl = bn_server__mhd()->lookup_connection_value(conn,
		MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	long long declared;
	conn_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return MHD_NO;
	bn_server__conn_mark(srv, conn, true); /* the headers are complete */
	bn_buf_init(&ctx->body, srv->body_max_bytes);
	*con_cls = ctx;
	if (cl && bn_server__parse_ll(&declared, cl, 0, INT64_MAX) &&
	    (unsigned long long)declared > srv->body_max_bytes)
		return send_error(srv, conn, MHD_HTTP_CONTENT_TOO_LARGE,
				  "the request body is over the limit", NULL);
	return MHD_YES;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	const bn_server *srv = cls;
	conn_ctx *ctx = *con_cls;

	if (!ctx)
		return begin(srv, conn, con_cls);
	if (*upload_data_size) {
		if (!ctx->too_big &&
		    bn_buf_append(&ctx->body, upload_data, *upload_data_size))
			ctx->too_big = true;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (!strcmp(method, "OPTIONS") && srv->opts.cors_origin)
		return handle_preflight(srv, conn);
	if (!strncmp(url, API_PREFIX, strlen(API_PREFIX)) ||
	    !strcmp(url, "/api"))
		return handle_api(srv, conn, url, method, ctx);
	return handle_ui(srv, conn, url, method);
}

static void completed(void *cls, struct MHD_Connection *conn,
		      void **con_cls, enum MHD_RequestTerminationCode toe)
{
	conn_ctx *ctx = *con_cls;

	if (!ctx)
		return;
	/* the next request on this connection has its own deadline */
	bn_server__conn_mark(cls, conn, false);
	/* a body may have carried a secret's value (PUT /secrets/NAME) */
	if (ctx->body.data)
		sodium_memzero(ctx->body.data, ctx->body.cap);
	bn_buf_clear(&ctx->body);
	free(ctx);
	*con_cls = NULL;
}

/* ---- running -------------------------------------------------------------- */

/* Fill in the default limits; BN_EUSAGE for one out of range. */
static int limits_fill(bn_server_options *o, bn_err *err)
{
	if (!o->timeout_s)
		o->timeout_s = BN_SERVER_TIMEOUT_S;
	if (!o->header_timeout_s)
		o->header_timeout_s = BN_SERVER_HEADER_TIMEOUT_S;
	if (!o->max_connections)
		o->max_connections = BN_SERVER_MAX_CONNECTIONS;
	if (!o->max_per_client)
		o->max_per_client = BN_SERVER_MAX_PER_CLIENT;
	if (o->max_connections > BN_SERVER_CONNECTIONS_LIMIT ||
	    o->max_per_client > BN_SERVER_CONNECTIONS_LIMIT)
		return bn_err_set(err, BN_EUSAGE, "at most %d connections "
				  "(in all, and from one address)",
				  BN_SERVER_CONNECTIONS_LIMIT);
	if (o->timeout_s > BN_SERVER_TIMEOUT_LIMIT_S ||
	    o->header_timeout_s > BN_SERVER_TIMEOUT_LIMIT_S)
		return bn_err_set(err, BN_EUSAGE, "timeouts are at most %d s",
				  BN_SERVER_TIMEOUT_LIMIT_S);
	return 0;
}

/* BNITY_POOL=0: every confined call starts a worker of its own. */
static bool pool_off(void)
{
	const char *v = secure_getenv("BNITY_POOL");

	return v && !strcmp(v, "0");
}

static int server_init(bn_server *srv, const char *home,
		       const bn_server_options *o, bool *created, bn_err *err)
{
	int r;

	memset(srv, 0, sizeof(*srv));
	srv->opts = *o;
	srv->body_max_bytes = o->body_max_bytes ? o->body_max_bytes :
			      BN_SERVER_BODY_MAX_BYTES;
	srv->header_timeout_ms = (uint64_t)o->header_timeout_s * 1000u;
	srv->home = bn_xstrdup(home);
	srv->cwd = getcwd(NULL, 0);
	srv->state = bn_xcalloc(1, sizeof(*srv->state));
	pthread_mutex_init(&srv->state->lock, NULL);
	atomic_init(&srv->state->stopping, false);
	atomic_init(&srv->state->turns, 0);
	bn_proc_owner_self(&srv->state->owner);
	/* opening the store once creates $BNITY_HOME and migrates it before
	   the first request; requests then reuse idle handles */
	r = bn_store_reuse_new(&srv->state->stores, home, srv->cwd, o->database,
			       BN_SERVER_STORES_IDLE, err);
	if (!r)
		r = bn_server_token_load(srv->token, created, home, err);
	if (!r)
		r = bn_server__token_register(home, srv->cwd, o->database,
					       srv->token, err);
	if (!r && !pool_off()) {
		/* confined skills run in warm workers (exec/pool.h) */
		bn_exec_pool_config pc = BN_EXEC_POOL_CONFIG_INIT;

		r = bn_exec_pool_config_env(&pc, err);
		if (!r)
			r = bn_exec_pool_new(&srv->state->pool, &pc, err);
	}
	return r;
}

static void server_clear(bn_server *srv)
{
	sodium_memzero(srv->token, sizeof(srv->token));
	free(srv->home);
	free(srv->cwd);
	if (srv->state) {
		/* every request thread is joined: no call uses the pool */
		bn_exec_pool_free(srv->state->pool);
		bn_store_reuse_free(srv->state->stores);
		pthread_mutex_destroy(&srv->state->lock);
		free(srv->state);
	}
}

static struct MHD_Daemon *daemon_start(bn_server *srv, listen_addr *la)
{
	/* ITC: for MHD_quiesce_daemon when stopping */
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
			 MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG;
	const bn_server_options *o = &srv->opts;

	if (la->v6)
		flags |= MHD_USE_IPv6;
	return bn_server__mhd()->start_daemon(flags, (uint16_t)la->port,
		NULL, NULL, answer, srv,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&la->sa,
		MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s,
		MHD_OPTION_CONNECTION_LIMIT, o->max_connections,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->max_per_client,
		MHD_OPTION_NOTIFY_CONNECTION, bn_server__conn_notify, srv,
		MHD_OPTION_NOTIFY_COMPLETED, completed, srv,
		MHD_OPTION_END);
}

/* Wait for SIGINT or SIGTERM (in SET, blocked), sweeping late
   connections meanwhile. */
static void wait_for_signal(const bn_server *srv, const sigset_t *set)
{
	for (;;) {
		struct timespec tick = { 0, SWEEP_MS * 1000000L };
		int sig = sigtimedwait(set, NULL, &tick);

		if (sig == SIGINT || sig == SIGTERM)
			return;
		(void)bn_server__conns_sweep(srv);
	}
}

typedef struct stopper {
	struct MHD_Daemon *d;
	atomic_bool done;
} stopper;

static void *stop_main(void *arg)
{
	stopper *sp = arg;

	/* joins every connection thread */
	bn_server__mhd()->stop_daemon(sp->d);
	atomic_store(&sp->done, true);
	return NULL;
}

/* Requests that do not end are abandoned: the workers are dead already. */
static _Noreturn void abandon(const char *why)
{
	fprintf(stderr, "bnity serve: %s; exiting without waiting\n", why);
	fflush(stdout);
	fflush(stderr);
	_exit(0);
}

/* Stop D as bn_server_run says; returns once every request and chat
   turn has ended, or ends the process. */
static void stop(const bn_server *srv, struct MHD_Daemon *d,
		 const sigset_t *set)
{
	uint64_t deadline = bn_clock_now_ms() +
			    BN_SERVER_STOP_WAIT_S * 1000u;
	stopper sp = { .d = d };
	MHD_socket lfd;
	unsigned killed;
	pthread_t t;

	atomic_store(&srv->state->stopping, true);
	/* no new connections: refused at once, not left in the queue */
	lfd = bn_server__mhd()->quiesce_daemon(d);
	if (lfd != MHD_INVALID_SOCKET)
		(void)shutdown(lfd, SHUT_RDWR);
	killed = bn_sandbox_procs_stop();
	fprintf(stderr, "bnity serve: stopping (%u running worker%s "
		"killed)\n", killed, killed == 1 ? "" : "s");
	atomic_init(&sp.done, false);
	if (pthread_create(&t, NULL, stop_main, &sp))
		abandon("cannot start the stopping thread");
	while (!atomic_load(&sp.done) || atomic_load(&srv->state->turns)) {
		struct timespec tick = { 0, 100 * 1000000L };
		int sig;

		if (bn_clock_now_ms() >= deadline)
			abandon("requests still running after "
				STR(BN_SERVER_STOP_WAIT_S) " s");
		sig = sigtimedwait(set, NULL, &tick);
		if (sig == SIGINT || sig == SIGTERM)
			abandon("a second signal");
	}
	pthread_join(t, NULL);
	/* the daemon is stopped: nothing uses the socket any more */
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
}

int bn_server_run(const char *home, const bn_server_options *o,
		  bn_err *err)
{
	const union MHD_DaemonInfo *info;
	bn_server_options opts = *o;
	struct MHD_Daemon *d;
	sigset_t set, old;
	listen_addr la;
	bn_server srv;
	bool created = false;
	int r;

	r = parse_listen(&la, o->listen ? o->listen : BN_SERVER_DEFAULT_LISTEN,
			 err);
	if (!r)
		r = limits_fill(&opts, err);
	if (r)
		return r;
	if (!la.loopback && !o->allow_public)
		return bn_err_set(err, BN_EUSAGE, "--listen %s is not a "
				  "loopback address: add --public to serve "
				  "other machines (see docs/api.md)",
				  o->listen);
	if (sodium_init() < 0)
		return bn_err_set(err, BN_EIO, "libsodium cannot start");
	/* the libraries only the server uses, and libcurl (skills' HTTP,
	   chat, installs), are loaded and set up before any thread starts */
	if ((r = bn_exec_curl_load(err)) || (r = bn_server__mhd_load(err)))
		return r;
	r = server_init(&srv, home, &opts, &created, err);
	if (r)
		goto out_clear;
	/* the connection threads inherit this mask: only the main thread
	   takes the signals (sigtimedwait) */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	d = daemon_start(&srv, &la);
	if (!d) {
		r = bn_err_set(err, BN_EIO, "cannot listen on %s:%u: %s",
			       la.host, la.port, strerror(errno));
		goto out_mask;
	}
	info = bn_server__mhd()->get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (info && info->port)
		la.port = info->port;
	printf("bnity serve: listening on http://%s:%u/\n", la.host, la.port);
	if (created)
		printf("bnity serve: API token (shown once; kept in "
		       "%s/api-token):\n%s\n", home, srv.token);
	fflush(stdout);
	sigdelset(&set, SIGPIPE);
	wait_for_signal(&srv, &set);
	stop(&srv, d, &set);
	r = 0;
out_mask:
	pthread_sigmask(SIG_SETMASK, &old, NULL);
out_clear:
	server_clear(&srv);
	return r;
}

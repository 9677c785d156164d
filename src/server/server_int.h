/* SPDX-License-Identifier: MIT */
/*
 * server/server_int.h - what the files of server/ share: one request as
 * the route handlers see it, the route tables, and JSON reply helpers.
 */
#ifndef BN_SERVER_SERVER_INT_H
#define BN_SERVER_SERVER_INT_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/dl.h"
#include "base/err.h"
#include "base/proc.h"
#include "server/server.h"
#include "store/store.h"
#include "view/view.h"

/*
 * libmicrohttpd is not linked but loaded by bn_server_run (mhd.c), so that
 * no other command pays for it: code here calls bn_server__mhd()->f(...)
 * where it would call MHD_f(...).
 */
#define BN_SERVER_MHD_FNS(X)                                            \
	X(start_daemon) X(stop_daemon) X(quiesce_daemon)                \
	X(get_daemon_info) X(get_connection_info)                       \
	X(lookup_connection_value) X(create_response_from_buffer)       \
	X(create_response_from_callback) X(add_response_header)         \
	X(queue_response) X(destroy_response)
#define BN_SERVER_MHD_FIELD(f) __typeof__(MHD_##f) *f;
BN_DL_TABLE(bn_server_mhd_table, bn_server_mhd_fns, BN_SERVER_MHD_N,
	    BN_SERVER_MHD_FNS, BN_SERVER_MHD_FIELD);

/* bn_server__mhd_load - load libmicrohttpd unless it is loaded. */
int bn_server__mhd_load(bn_err *err);

/* bn_server__mhd - its functions; only after bn_server__mhd_load. */
const struct bn_server_mhd_fns *bn_server__mhd(void);

#define BN_SERVER_MAX_PARAMS 4  /* ":name" segments in one route */
#define BN_SERVER_RETRY_AFTER_S "1" /* Retry-After of a 503 */

/* One open connection (server/conns.c). */
typedef struct bn_server_conn bn_server_conn;

/* What changes while the server runs; shared by every thread. */
typedef struct bn_server_state {
	pthread_mutex_t lock;        /* guards conns */
	bn_server_conn *conns;       /* open connections */
	atomic_bool stopping;        /* a signal came: streams end */
	atomic_int turns;            /* chat turns still running */
	struct bn_exec_pool *pool;   /* warm workers, or NULL; set before
					the first request */
	bn_store_reuse *stores;      /* store handles between requests;
					set before the first request */
	bn_proc_owner owner;         /* this process, as the owner of the
					runs' audit records */
} bn_server_state;

/* The server's settings, fixed once it runs; shared by every thread. */
typedef struct bn_server {
	char *home;                  /* $BNITY_HOME */
	char *cwd;                   /* where project skills are found */
	char token[BN_SERVER_TOKEN_HEX + 1];
	bn_server_options opts;      /* cors_origin borrowed; limits filled */
	size_t body_max_bytes;
	uint64_t header_timeout_ms;
	bn_server_state *state;
} bn_server;

/* One request: built by server.c, handled by one route. */
typedef struct bn_server_req {
	const bn_server *srv;
	struct MHD_Connection *conn;
	const char *method;
	const char *params[BN_SERVER_MAX_PARAMS]; /* borrowed from segs */
	json_t *body;                /* the parsed JSON object, or NULL */
	bn_store *store;             /* taken on first use (bn_server__store),
					given back when the request ends */
	/* what the handler answers: */
	unsigned status;
	json_t *reply;               /* owned; NULL = no body */
	struct MHD_Response *stream; /* a streamed reply (chat), or NULL */
	char worker[32];             /* X-Bnity-Worker: "PID/CALLS" of the
					worker that ran a skill, or "" */
	char caller[BN_SERVER_TOKEN_NAME_MAX + 1]; /* the token's name */
	bool admin;                  /* its role is admin */
	char timing[64];             /* Server-Timing of a skill run: its
					time in the server, and the worker
					start within it; or "" */
} bn_server_req;

/* A route handler fills rq->status and rq->reply (or rq->stream). */
typedef void bn_server_fn(bn_server_req *rq);

/*
 * A route handler that works on the store: S is the request's store and
 * ERR empty.  It returns 0 once it has replied (a 400 about the request
 * included), or an error code with ERR set, which the server answers as
 * bn_server__fail_err does.  So the opening (the store taken) and the
 * answer to a failure stand once, in the server, for every such route.
 */
typedef int bn_server_store_fn(bn_server_req *rq, bn_store *s, bn_err *err);

/* A route has FN, or STORE and no FN. */
typedef struct bn_server_route {
	const char *method;          /* "GET", "POST", "DELETE", "PUT" */
	const char *pattern;         /* "/api/v1/bots/:bot/skills/:skill" */
	bn_server_fn *fn;
	bn_server_store_fn *store;
} bn_server_route;

/* The routes, in the order they are matched, ending in a NULL
   (server/routes.c). */
extern const bn_server_route bn_server_routes[];

/* The handlers, by the file that holds them. */
/* routes_skills.c */
bn_server_store_fn bn_server__skills_list, bn_server__skill_create,
	bn_server__skill_save, bn_server__skill_show, bn_server__skill_file,
	bn_server__skill_grants_revoke;
bn_server_fn bn_server__skill_validate, bn_server__skill_check,
	bn_server__skill_remove, bn_server__skill_run;
/* routes_bots.c */
bn_server_store_fn bn_server__bots_list, bn_server__bot_create,
	bn_server__bot_show, bn_server__bot_skills, bn_server__skill_attach,
	bn_server__skill_detach, bn_server__skill_enable,
	bn_server__skill_disable, bn_server__grants_list,
	bn_server__grants_add, bn_server__grants_revoke,
	bn_server__memories_get, bn_server__memory_add,
	bn_server__memory_remove;
bn_server_fn bn_server__bot_remove;
/* routes_exec.c */
bn_server_store_fn bn_server__audit_get, bn_server__audit_calls_get,
	bn_server__installs_get, bn_server__secrets_list,
	bn_server__secret_set, bn_server__secret_remove,
	bn_server__settings_get;
/* routes_tokens.c */
bn_server_store_fn bn_server__tokens_list, bn_server__token_post,
	bn_server__token_delete;
bn_server_fn bn_server__whoami;
/* routes_chat.c */
bn_server_store_fn bn_server__sessions_list, bn_server__session_get,
	bn_server__session_resume, bn_server__session_delete,
	bn_server__turn_drop;
bn_server_fn bn_server__chat_post;
/* routes_registry.c */
bn_server_store_fn bn_server__keys_list;
bn_server_fn bn_server__registry_search, bn_server__install_preview,
	bn_server__install_post, bn_server__updates_get,
	bn_server__update_post, bn_server__verify_get, bn_server__repair_post;

/* server/conns.c: the request-header deadline.  The MHD notify-
   connection callback (CLS: the bn_server) follows each connection;
   conn_mark says its request's headers are complete (IN_REQUEST) or its
   request ended (the clock starts again); conns_sweep shuts down every
   connection past its deadline and says how many. */
void bn_server__conn_notify(void *cls, struct MHD_Connection *conn,
			    void **socket_context,
			    enum MHD_ConnectionNotificationCode code);
void bn_server__conn_mark(const bn_server *srv, struct MHD_Connection *conn,
			  bool in_request);
unsigned bn_server__conns_sweep(const bn_server *srv);

/* server/auth.c: the request carries "Authorization: Bearer TOKEN" of a
   token the store knows (looked up on every request: a token revoked
   anywhere is refused here at once); fills rq->caller and rq->admin.
   False when it does not (or the store failed: then rq has the reply). */
bool bn_server__auth(bn_server_req *rq);
/* The same for a connection outside the route table (own store handle). */
bool bn_server__auth_ok(const bn_server *srv, struct MHD_Connection *conn);
/* Whether rq's caller may call METHOD on route PATTERN: an admin
   anything; a user reads, chats and runs only. */
bool bn_server__role_allows(const bn_server_req *rq, const char *method,
			    const char *pattern);
/* Register the api-token file's TOKEN as the admin token "serve" in the
   store of HOME (replacing the hash of an older file's token). */
int bn_server__token_register(const char *home, const char *cwd,
			      const char *db_url,
			      const char *token, bn_err *err);

/* The request's store handle, taken from the server's reused handles on
   first use; NULL after replying with the error (the handler then
   returns). */
bn_store *bn_server__store(bn_server_req *rq);
/* The opening of a handler that calls the store: ERR made empty for its
   calls, then bn_server__store (NULL after replying). */
bn_store *bn_server__begin(bn_server_req *rq, bn_err *err);
/* Whether a handler may go on with its body: false when BAD (a member
   was of the wrong type, already answered 400), or when a required
   member is not PRESENT, after replying 400 with WANT ("give ..."). */
bool bn_server__need(bn_server_req *rq, bool bad, bool present,
		     const char *want);

/* Reply STATUS with J (stolen). */
void bn_server__reply(bn_server_req *rq, unsigned status, json_t *j);
/* Reply STATUS with {"error": MESSAGE}. */
void bn_server__fail(bn_server_req *rq, unsigned status, const char *fmt,
		     ...) BN_PRINTF(3, 4);
/* Reply with ERR, its code mapped to an HTTP status (404 for
   BN_ENOTFOUND, 409 BN_EEXIST, 400 BN_EINVAL, 403 BN_EDENIED, ...). */
void bn_server__fail_err(bn_server_req *rq, const bn_err *err);
/* Reply STATUS with {KEY: J} (J stolen): a listing, a new id, ... */
void bn_server__reply_member(bn_server_req *rq, unsigned status,
			     const char *key, json_t *j);
/* Reply 200 {"removed": NAME}. */
void bn_server__reply_removed(bn_server_req *rq, const char *name);
/* Remove the item named by the first path parameter with REMOVE, then
   reply {"removed": NAME}, or the error. */
void bn_server__remove(bn_server_req *rq,
		       int (*remove)(bn_store *s, const char *name,
				     bn_err *err));
/* The HTTP status for error code CODE. */
unsigned bn_server__status_of(int code);

/* The body's string member KEY, or NULL when absent.  When it is present
   and not a string, replies 400 and sets *bad. */
const char *bn_server__body_str(bn_server_req *rq, const char *key,
				bool *bad);
/*
 * bn_server__disk_ok - whether the server may read PATH of its own disk
 * for a client (NULL: nothing on disk, true): only below its install
 * root, links resolved.  False after replying 403 naming SHOWN.
 */
bool bn_server__disk_ok(bn_server_req *rq, const char *path,
			const char *shown);
/* The same question without replying: whether SRV may read PATH. */
bool bn_server__disk_allowed(const bn_server *srv, const char *path);
/* The query argument KEY (URL-decoded), or NULL. */
const char *bn_server__query(bn_server_req *rq, const char *key);
/* Parse a decimal in [MIN, MAX]; false when it is not one. */
bool bn_server__parse_ll(long long *out, const char *s, long long min,
			 long long max);

/* server/ui.c: the embedded file for URL PATH, or false. */
bool bn_server__ui_find(const char **data, size_t *len, const char **type,
			const char *path);

/* A new response with the security headers every reply carries. */
struct MHD_Response *bn_server__response(const void *data, size_t len,
					 enum MHD_ResponseMemoryMode mode);
void bn_server__add_common_headers(const bn_server *srv,
				   struct MHD_Connection *conn,
				   struct MHD_Response *resp);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * server/server.h - `bnity serve`: the HTTP API under /api/v1 and the
 * embedded web UI, over libmicrohttpd.
 *
 * Owns: listening (loopback unless told otherwise), the API token in
 * $BNITY_HOME/api-token, connection limits and the request-header
 * deadline, routing, request bodies and their caps, JSON replies and
 * errors, server-sent events for chat, serving the files of web/ that the
 * build embeds, and stopping: every worker ended, within a bound.  Uses:
 * base, skill, store, sandbox, exec, agent (and registry when it is
 * built).  Logs to stderr, as cli/ does.
 *
 * Threads: one thread per connection; each request opens its own store
 * handle (SQLite in WAL mode with a busy timeout), so a long skill run or
 * chat turn never blocks the other requests.  The main thread waits for
 * SIGINT / SIGTERM and, twice a second, closes connections that have not
 * sent their request headers in time.  The routes and the errors they
 * answer are in docs/api.md.
 */
#ifndef BN_SERVER_SERVER_H
#define BN_SERVER_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "store/store.h"

#define BN_SERVER_DEFAULT_LISTEN "127.0.0.1:8737"
#define BN_SERVER_BODY_MAX_BYTES ((size_t)1 << 20)  /* request body cap */
#define BN_SERVER_TIMEOUT_S 30                       /* idle connection */
#define BN_SERVER_MAX_CONNECTIONS 64                 /* open at once */
#define BN_SERVER_MAX_PER_CLIENT 16                  /* from one address */
#define BN_SERVER_HEADER_TIMEOUT_S 10                /* to send headers */
#define BN_SERVER_STOP_WAIT_S 5     /* requests get this long after a signal */
/* the largest values the options accept */
#define BN_SERVER_CONNECTIONS_LIMIT 1000
#define BN_SERVER_TIMEOUT_LIMIT_S 3600
#define BN_SERVER_TOKEN_HEX 64                       /* 32 bytes as hex */
#define BN_SERVER_TOKEN_NAME_MAX 64                  /* a token name's bytes */

/* How `bnity serve` runs.  Limits of 0 take the defaults above. */
typedef struct bn_server_options {
	const char *listen;          /* "ADDR:PORT" ("[::1]:PORT" for v6);
					NULL = BN_SERVER_DEFAULT_LISTEN */
	bool allow_public;           /* accept a non-loopback ADDR */
	size_t body_max_bytes;       /* 0 = BN_SERVER_BODY_MAX_BYTES */
	unsigned timeout_s;          /* idle connection */
	unsigned max_connections;    /* open connections, in all */
	unsigned max_per_client;     /* open connections from one address */
	unsigned header_timeout_s;   /* from a connection's start (or its
					previous request's end) to the end
					of its next request's headers */
	const char *cors_origin;     /* the one origin allowed to call the
					API from a browser, or NULL (none;
					no CORS headers at all) */
	const char *install_root;    /* installs may read this server's disk
					only below this folder; NULL: never */
	const char *database;        /* a postgresql:// URL keeping every
					table (replicas: docs/scale.md);
					NULL: the SQLite file in home */
} bn_server_options;

#define BN_SERVER_OPTIONS_INIT { NULL, false, 0, 0, 0, 0, 0, NULL, NULL, \
				 NULL }

/*
 * bn_server_token_load - the API token of HOME into out (64 hex digits
 * and a NUL), created when missing: 32 random bytes, written with mode
 * 0600 to a temporary file and linked into place, so two servers
 * starting at once agree on one token.  *created_out tells whether this
 * call made it.  A token file that is not a regular file, is open to
 * group or others, or does not hold 64 hex digits is refused (BN_EDENIED
 * or BN_EINVAL naming it), never repaired.
 */
int bn_server_token_load(char out[BN_SERVER_TOKEN_HEX + 1],
			 bool *created_out, const char *home,
			 bn_err *err) BN_MUST_USE;

/*
 * Named API tokens (store/tokens.h keeps them, hashed).  Each has a role:
 * an admin's may do everything; a user's may read, chat and run skills,
 * never install, grant, revoke, change bots, secrets or tokens.  The
 * token of $BNITY_HOME/api-token is the admin token named "serve"
 * (BN_SERVER_TOKEN_SERVE), registered by each `bnity serve` start.
 */
#define BN_SERVER_TOKEN_SERVE "serve"

/* Whether NAME may name a token: 1 to 64 of a-z, 0-9, '.', '_' and '-',
   not starting with '.' or '-'. */
bool bn_server_token_name_ok(const char *name);

/*
 * bn_server_token_check - whether TOKEN (the text a client sent, 64 hex
 * digits) is a token of S: *found_out, and then its name into NAME and
 * whether it is an admin's into *admin_out (either may be NULL).  Only
 * the token's SHA-256 is looked up.  BN_EIO when the store fails.
 */
int bn_server_token_check(bool *found_out,
			  char name[BN_SERVER_TOKEN_NAME_MAX + 1],
			  bool *admin_out, bn_store *s, const char *token,
			  bn_err *err) BN_MUST_USE;

/*
 * bn_server_token_create - make a token named NAME with ROLE ("admin" or
 * "user") in S: 32 random bytes as 64 hex digits into out, its SHA-256
 * stored.  The text is never stored: the caller shows it once.
 * BN_EINVAL naming a bad name or role ("serve" is reserved), BN_EEXIST
 * when NAME is taken.
 */
int bn_server_token_create(char out[BN_SERVER_TOKEN_HEX + 1], bn_store *s,
			   const char *name, const char *role,
			   bn_err *err) BN_MUST_USE;

/*
 * bn_server_token_revoke - remove token NAME from S: every server
 * refuses it from its next request.  Revoking "serve" also removes
 * HOME's api-token file when it holds that token, so the next `bnity
 * serve` makes a new one.  BN_ENOTFOUND when there is no such token.
 */
int bn_server_token_revoke(bn_store *s, const char *home, const char *name,
			   bn_err *err) BN_MUST_USE;

/*
 * bn_server_run - serve HOME ($BNITY_HOME) as O says until SIGINT or
 * SIGTERM.  Prints the URL on stdout, and the token too when this start
 * created it.  On the signal it stops accepting, kills every confined
 * worker of this process (bn_sandbox_procs_stop: running skills end,
 * none start) and gives the requests in progress BN_SERVER_STOP_WAIT_S
 * to end; then returns 0.  When some do not end in time (a chat turn
 * waiting for its provider, a long in-process run), or on a second
 * signal, it flushes stdio and ends the process at once with _exit(0).
 * Errors: BN_EUSAGE (a listen address that does not parse, a public one
 * without allow_public, a limit over BN_SERVER_CONNECTIONS_LIMIT or
 * BN_SERVER_TIMEOUT_LIMIT_S), BN_EIO (the port cannot be bound), token
 * and store errors.
 */
int bn_server_run(const char *home, const bn_server_options *o,
		  bn_err *err) BN_MUST_USE;

#endif

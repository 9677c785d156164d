/* SPDX-License-Identifier: MIT */
/* mcp/mcp_int.h - what the files of src/mcp share (see mcp.h). */
#ifndef BN_MCP_MCP_INT_H
#define BN_MCP_MCP_INT_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "mcp.h"
#include "store/store.h"
#include "server/server.h"

/* JSON-RPC 2.0 error codes (jsonrpc.org/specification#error_object). */
enum {
	BN_MCP_PARSE_ERROR = -32700,
	BN_MCP_INVALID_REQUEST = -32600,
	BN_MCP_METHOD_NOT_FOUND = -32601,
	BN_MCP_INVALID_PARAMS = -32602,
	BN_MCP_INTERNAL_ERROR = -32603,
	BN_MCP_RESOURCE_NOT_FOUND = -32002,   /* MCP server/resources */
};

/*
 * Where a session's messages go.  MSG is one JSON-RPC message (stolen);
 * FOR_ID is the id of the client request it belongs to (its response or
 * its progress), or NULL for a message of the session (list_changed).
 * FINAL: MSG is the response to FOR_ID.  Called from any thread.
 */
typedef void (*bn_mcp__send_fn)(void *payload, json_t *msg,
				const json_t *for_id, bool final);

typedef struct bn_mcp__session bn_mcp__session;
typedef struct bn_mcp__call bn_mcp__call;

/* The server: options, live sessions, the watcher (server.c). */
struct bn_mcp_server {
	bn_mcp_options o;
	char *bot;                   /* owned copy of o.bot */
	pthread_mutex_t lock;        /* sessions, stop */
	pthread_cond_t wake;
	bn_mcp__session **sessions;  /* live sessions (owned by their
					transport) */
	size_t nsessions;
	bool stop;
	pthread_t watcher;
	bool watching;
};

/* Add / remove SS from the sessions list-changed notes go to. */
void bn_mcp__server_add(bn_mcp_server *srv, bn_mcp__session *ss);
void bn_mcp__server_remove(bn_mcp_server *srv, bn_mcp__session *ss);
/* Open a store handle of SRV's home (for one thread). */
int bn_mcp__store_open(bn_store **out, const bn_mcp_server *srv,
		       bn_err *err) BN_MUST_USE;
/* A note for the user on SRV's log. */
void bn_mcp__log(const bn_mcp_server *srv, const char *fmt, ...)
	BN_PRINTF(2, 3);

/* One session: its state and its calls in flight (session.c). */
struct bn_mcp__session {
	bn_mcp_server *srv;
	bn_mcp__send_fn send;
	void *payload;
	pthread_mutex_t lock;        /* the fields below */
	bool initialized;            /* initialize was answered */
	char version[16];            /* the protocol version agreed */
	char *client;                /* clientInfo.name (owned), or NULL */
	/* the name of the API token that opened the session (HTTP), for
	   the audit log; "" over stdio (recorded as local) */
	char actor[BN_SERVER_TOKEN_NAME_MAX + 1];
	bn_mcp__call *calls;         /* in flight, a list */
	unsigned ncalls;             /* threads of calls not yet ended */
	pthread_cond_t idle;         /* signalled as each call ends */
	char *seen[3];               /* tools, prompts, resources as last
					listed to this client (owned JSON) */
};

bn_mcp__session *bn_mcp__session_new(bn_mcp_server *srv, bn_mcp__send_fn send,
				     void *payload);
/* One message from the client (TEXT, LEN bytes of JSON): answered
   through the session's send function, now or from a call's thread. */
void bn_mcp__session_input(bn_mcp__session *ss, const char *text,
			   size_t len);
/* The client sent a message over the size cap (answered -32600). */
void bn_mcp__session_oversized(bn_mcp__session *ss, size_t max_bytes);
/* Whether SS's client has a request with ID in flight. */
bool bn_mcp__session_has_call(bn_mcp__session *ss, const json_t *id);
/* Cancel every call in flight and wait for them; then free SS. */
void bn_mcp__session_free(bn_mcp__session *ss);
/* The watcher saw the bot's skills change: notify SS's client of each
   list that is not what it was last told. */
void bn_mcp__session_changed(bn_mcp__session *ss, const char *const now[3]);

/* A JSON-RPC error response to ID (may be NULL: null). */
json_t *bn_mcp__error(const json_t *id, int code, const char *fmt, ...)
	BN_PRINTF(3, 4);
/* Send SS's client that error response to ID, the last message for ID. */
void bn_mcp__send_error(bn_mcp__session *ss, const json_t *id, int code,
			const char *fmt, ...) BN_PRINTF(4, 5);
/* A JSON-RPC notification. */
json_t *bn_mcp__notification(const char *method, json_t *params);

/* The bot's skills as MCP offers them (catalog.c). */
typedef struct bn_mcp__catalog {
	json_t *tools;               /* tools/list "tools" */
	json_t *prompts;             /* prompts/list "prompts" */
	json_t *resources;           /* resources/list "resources" */
	json_t *files;               /* uri -> absolute path, of resources */
	json_t *bodies;              /* prompt name -> its instructions */
} bn_mcp__catalog;

/*
 * bn_mcp__catalog_load - the enabled skills of BOT in S: each tool skill
 * a tool (with every field of the latest version: bn_mcp__tools_for
 * trims them for an older one), each prompt skill a prompt and its files
 * resources.  Clear with bn_mcp__catalog_clear.
 */
int bn_mcp__catalog_load(bn_mcp__catalog *out, bn_store *s, const char *bot,
			 bn_err *err) BN_MUST_USE;
/* TOOLS as protocol VERSION has them (a new reference). */
json_t *bn_mcp__tools_for(const json_t *tools, const char *version);
void bn_mcp__catalog_clear(bn_mcp__catalog *c);
/* The tool NAME of C, or NULL (borrowed). */
json_t *bn_mcp__catalog_tool(const bn_mcp__catalog *c, const char *name);
/*
 * bn_mcp__catalog_seen - C's three lists as text (each owned), the
 * fingerprint the watcher compares.
 */
void bn_mcp__catalog_seen(char *out[3], const bn_mcp__catalog *c);
/* resources/read of URI in C: *out the result (owned), or a JSON-RPC
   error code with *err. */
int bn_mcp__resource_read(json_t **out, const bn_mcp__catalog *c,
			  const char *uri, bn_err *err);

/*
 * bn_mcp__call_start - run tools/call REQ (its id ID, params PARAMS) of
 * SS in a thread of its own; the response goes out through SS when it
 * ends, unless the client cancelled it.  TOOL is the catalog's entry.
 */
void bn_mcp__call_start(bn_mcp__session *ss, const json_t *id,
			const json_t *params, const json_t *tool);
/* Cancel call ID of SS (notifications/cancelled); false when none. */
bool bn_mcp__call_cancel(bn_mcp__session *ss, const json_t *id);
/* Wait for every call of SS to end, cancelling them first when CANCEL;
   the caller holds no lock. */
void bn_mcp__calls_finish(bn_mcp__session *ss, bool cancel);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * mcp/mcp.h - boternity as a Model Context Protocol server: a bot's tool
 * skills as MCP tools, its prompt skills as MCP prompts and resources,
 * for any agent that speaks MCP (Claude Code, Codex, Cursor, VS Code...).
 *
 * Owns: the JSON-RPC 2.0 messages and the protocol's state machine
 * (initialize, version negotiation, lists, calls, cancellation, progress,
 * list_changed), the stdio transport (one message a line) and the
 * Streamable HTTP transport on loopback (POST, the GET stream of
 * notifications, Mcp-Session-Id, the API's bearer token, Origin checks),
 * and the configuration snippets of the agents.  Uses: base, skill,
 * store, exec (every call runs through bn_exec_run_as, so tiers, workers,
 * limits, grants and the audit log apply), server (the API token), and
 * libmicrohttpd, loaded when --listen is given.
 *
 * Spec: https://modelcontextprotocol.io/specification/2025-06-18
 * (basic/lifecycle, basic/transports, server/tools, server/prompts,
 * server/resources, basic/utilities/cancellation and progress).
 *
 * Threads: each tools/call runs in a thread of its own, with its own
 * store handle, so a long call never blocks the session; a watcher thread
 * looks for changes to the bot's skills.  Notes for the user go to the
 * log (stderr); the stdio transport's stdout carries only MCP messages.
 */
#ifndef BN_MCP_MCP_H
#define BN_MCP_MCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/err.h"

struct bn_exec_pool;

/* The protocol versions spoken, newest first. */
#define BN_MCP_PROTOCOL_LATEST "2025-06-18"
#define BN_MCP_PROTOCOL_OLDEST "2025-03-26"
/* One message (a line, or a POST body) is at most this big by default. */
#define BN_MCP_MESSAGE_MAX_BYTES ((size_t)4 << 20)
/* How often the bot's skills are looked at for changes, by default. */
#define BN_MCP_WATCH_MS 500
/* How often a running call reports progress, when asked to. */
#define BN_MCP_PROGRESS_MS 1000
/* The bot used when none is named. */
#define BN_MCP_DEFAULT_BOT "mcp"

typedef struct bn_mcp_server bn_mcp_server;

/* How the server runs; 0 and NULL fields take the defaults. */
typedef struct bn_mcp_options {
	const char *home;            /* $BNITY_HOME (borrowed, must outlive
					the server) */
	const char *cwd;             /* where project skills are found, or
					NULL (borrowed) */
	const char *bot;             /* whose skills are offered */
	const char *database;        /* postgresql:// URL of the tables, or
					NULL: the SQLite file in home */
	struct bn_exec_pool *pool;   /* warm workers for confined runs */
	size_t message_max_bytes;    /* 0 = BN_MCP_MESSAGE_MAX_BYTES */
	unsigned watch_ms;           /* 0 = BN_MCP_WATCH_MS */
	unsigned progress_ms;        /* 0 = BN_MCP_PROGRESS_MS */
	FILE *log;                   /* notes for the user; NULL = stderr */
} bn_mcp_options;

/*
 * bn_mcp_server_new - a server for O's bot (which must exist; see
 * bn_mcp_bot_ensure), and its watcher thread.  *out is owned: free it
 * with bn_mcp_server_free.
 */
int bn_mcp_server_new(bn_mcp_server **out, const bn_mcp_options *o,
		      bn_err *err) BN_MUST_USE;
/* Stop the watcher, end every session (running calls are cancelled and
   waited for).  NULL is a no-op. */
void bn_mcp_server_free(bn_mcp_server *srv);

/*
 * bn_mcp_bot_ensure - bot SLUG of the store in HOME: created (with
 * nothing attached) when it is missing and SLUG is BN_MCP_DEFAULT_BOT,
 * else BN_ENOTFOUND naming it.  *created_out says whether it was made.
 */
int bn_mcp_bot_ensure(bool *created_out, const char *home,
		      const char *database, const char *slug,
		      bn_err *err) BN_MUST_USE;

/*
 * bn_mcp_serve_stdio - serve one session over IN_FD / OUT_FD until IN_FD
 * ends (the client went away).  Returns 0 then; BN_EIO when OUT_FD
 * cannot be written.
 */
int bn_mcp_serve_stdio(bn_mcp_server *srv, int in_fd, int out_fd,
		       bn_err *err) BN_MUST_USE;

/*
 * bn_mcp_serve_http - serve the Streamable HTTP transport at
 * http://LISTEN/mcp (LISTEN: a loopback "ADDR:PORT"; port 0 picks one)
 * until SIGINT or SIGTERM.  Every request needs "Authorization: Bearer"
 * with TOKEN; a request whose Origin is not a loopback origin is refused
 * (403).  Prints the URL on stdout once listening.  BN_EUSAGE for an
 * address that is not loopback or does not parse, BN_EIO when it cannot
 * listen.
 */
int bn_mcp_serve_http(bn_mcp_server *srv, const char *listen,
		      const char *token, bn_err *err) BN_MUST_USE;

/* The agents `bnity mcp config` knows. */
typedef enum bn_mcp_agent {
	BN_MCP_AGENT_CLAUDE_CODE = 0,
	BN_MCP_AGENT_CODEX,
	BN_MCP_AGENT_CURSOR,
	BN_MCP_AGENT_VSCODE,
	BN_MCP_AGENT_MAX
} bn_mcp_agent;

/* "claude-code", ... into *out; false when NAME is none of them. */
bool bn_mcp_agent_parse(bn_mcp_agent *out, const char *name);
/* The agents' names, space-separated, for messages. */
const char *bn_mcp_agent_names(void);

/* What the snippet runs. */
typedef struct bn_mcp_config {
	bn_mcp_agent agent;
	const char *name;            /* the server's key: "boternity" */
	const char *command;         /* the bnity to run (absolute) */
	const char *bot;             /* --bot, or NULL */
	const char *home;            /* BNITY_HOME to pass, or NULL */
} bn_mcp_config;

/*
 * bn_mcp_config_path - where AGENT keeps its MCP servers (*out owned):
 * Claude Code .mcp.json, Cursor .cursor/mcp.json and VS Code
 * .vscode/mcp.json in PROJECT; Codex ~/.codex/config.toml under HOME.
 */
char *bn_mcp_config_path(bn_mcp_agent agent, const char *project,
			 const char *home);

/* bn_mcp_config_snippet - the text to add for C (*out owned). */
int bn_mcp_config_snippet(char **out, const bn_mcp_config *c,
			  bn_err *err) BN_MUST_USE;

/*
 * bn_mcp_config_write - add C's server to the file PATH (created with its
 * folder when missing), keeping every other entry; an entry of the same
 * name is replaced.  BN_EINVAL naming PATH when it does not parse (it is
 * then left as it is).  *replaced_out says whether an entry was replaced.
 */
int bn_mcp_config_write(bool *replaced_out, const char *path,
			const bn_mcp_config *c, bn_err *err) BN_MUST_USE;

#endif

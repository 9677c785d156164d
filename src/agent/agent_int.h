/* SPDX-License-Identifier: MIT */
/*
 * agent/agent_int.h - what the files of the agent module share: the
 * answer being assembled from a stream, and the per-API hooks that
 * provider.c drives (anthropic.c, openai.c).
 */
#ifndef BN_AGENT_AGENT_INT_H
#define BN_AGENT_AGENT_INT_H

#include "base/buf.h"
#include "exec/audit.h"
#include "loop.h"
#include "provider.h"
#include "sse.h"
#include "store/usage.h"

#define BN_AGENT__SLOTS_MAX 64        /* content blocks in one answer */
#define BN_AGENT__TEXT_MAX_BYTES ((size_t)4 << 20) /* one block's text */

typedef enum bn_agent__slot_kind {
	BN_AGENT__SLOT_NONE = 0,     /* unused */
	BN_AGENT__SLOT_TEXT,         /* text: buf holds it */
	BN_AGENT__SLOT_TOOL,         /* tool call: buf holds its JSON input */
	BN_AGENT__SLOT_OTHER,        /* a block kind we keep nothing of */
} bn_agent__slot_kind;

/* One content block of the answer being streamed. */
typedef struct bn_agent__slot {
	bn_agent__slot_kind kind;
	char *id;                    /* owned: the tool call's id */
	char *name;                  /* owned: the tool's name */
	bn_buf buf;                  /* text or input JSON, capped */
	bool input_done;             /* a complete input object was given */
	json_t *input;               /* owned: that object */
} bn_agent__slot;

/* The answer as it arrives. */
typedef struct bn_agent__acc {
	bn_agent__slot slots[BN_AGENT__SLOTS_MAX]; /* by the API's index */
	bool started;                /* the first event was seen */
	bool done;                   /* message_stop / [DONE] seen */
	bool emitted;                /* text went to the stream: no retry */
	bool retryable;              /* a stream error that may be retried */
	char stop_reason[32];        /* normalised, "" until known */
	unsigned long long input_tokens;  /* not cached (see provider.h) */
	unsigned long long output_tokens;
	unsigned long long cache_read_tokens;
	unsigned long long cache_write_tokens;
	const bn_agent_stream *stream; /* where text goes, or NULL */
	const char *provider;        /* "anthropic" / "openai", for messages */
	bn_err *err;                 /* where event handlers write */
} bn_agent__acc;

void bn_agent__acc_clear(bn_agent__acc *a);
/* The slot of INDEX, or NULL (and *err) when out of range. */
bn_agent__slot *bn_agent__acc_slot(bn_agent__acc *a, long long index);
/* Append text to slot S and pass it on to the stream. */
int bn_agent__acc_text(bn_agent__acc *a, bn_agent__slot *s, const char *t,
		       size_t n);
/* Append a piece of a tool call's JSON arguments to slot S. */
int bn_agent__acc_args(bn_agent__acc *a, bn_agent__slot *s, const char *t,
		       size_t n);
/* The neutral assistant message of what arrived (new reference). */
int bn_agent__acc_message(json_t **out, bn_agent__acc *a, bn_err *err);
/* Set the normalised stop reason from the API's word W. */
void bn_agent__acc_stop(bn_agent__acc *a, const char *w);

/* The request body: TOOLS set on J when not empty, J dumped compact into
   *OUT (the caller frees it); drops both references. */
int bn_agent__body_dump(char **out, json_t *j, json_t *tools, bn_err *err);

/* The answer cap of REQ to P: its own, else the provider's. */
unsigned bn_agent__max_tokens(const bn_agent_provider *p,
			      const bn_agent_request *req);

/*
 * bn_agent__complete_once - bn_agent_provider_complete without the
 * token-limit handling (budget.c does that): one answer, with retries.
 * *cut_tool is set when the answer stopped at max_tokens inside a tool
 * call's arguments (its JSON incomplete).
 */
int bn_agent__complete_once(bn_agent_reply *out, bool *cut_tool,
			    bn_agent_provider *p, const bn_agent_request *req,
			    const bn_agent_stream *stream, bn_err *err);

/* ---- spending (spend.c) ------------------------------------------------- */

/* BN_ELIMIT, saying so and how to raise it, when BOT has used its daily
   cap (L) in the last 24 hours. */
int bn_agent__cap_check(bn_store *s, const char *bot,
			const bn_store_bot_limits *l, bn_err *err);
/*
 * bn_agent__usage_close - record what a turn of BOT's SESSION (0: none
 * yet) used (U; nothing when all 0), whether it failed or not: spent
 * tokens count against the cap.  TURN_RC is the turn's result: when it
 * failed, it is returned unchanged and a recording error is dropped;
 * else *session_out is the session's total so far.
 */
int bn_agent__usage_close(bn_store_usage *session_out, bn_store *s,
			  const char *bot, int64_t session,
			  const bn_store_usage *u, int turn_rc, bn_err *err);
/* {"input_tokens", "output_tokens", "cache_read_tokens",
   "cache_write_tokens"} (new). */
json_t *bn_agent__usage_json(const bn_store_usage *u);

/* Per-API hooks.  Each writes its own message into the error. */
typedef struct bn_agent__api {
	const char *name;            /* "anthropic" */
	const char *path;            /* appended to the base URL */
	/* the request body for REQ (owned string) */
	int (*body)(char **out, const bn_agent_provider *p,
		    const bn_agent_request *req, bn_err *err);
	/* the key's header line, e.g. "x-api-key: K" (owned, wipe it) */
	char *(*auth_header)(const bn_agent_provider *p);
	/* its own fixed header lines, NULL-terminated; the content-type
	   and accept lines every request carries follow them */
	const char *const *headers;
	/* one stream event into the answer */
	int (*event)(bn_agent__acc *a, const bn_agent_sse_event *ev);
	/* a whole (non-streamed) JSON answer into the answer */
	int (*whole)(bn_agent__acc *a, json_t *body);
	/* the error text of an error body (owned), or NULL */
	char *(*error_text)(json_t *body, bool *overloaded);
} bn_agent__api;

/* The table of a provider's file, whose functions are named as the
   members are (body, auth_header, headers, event, whole, error_text). */
#define BN_AGENT__API_OF_FILE(NAME, PATH)                                 \
	{ .name = (NAME), .path = (PATH), .body = body,                   \
	  .auth_header = auth_header, .headers = headers, .event = event, \
	  .whole = whole, .error_text = error_text }

extern const bn_agent__api bn_agent__anthropic;
extern const bn_agent__api bn_agent__openai;

/* The "text" of neutral block B, or "" (borrowed). */
const char *bn_agent__block_str(json_t *b, const char *key);

/* "TYPE: MESSAGE" of the error object E ({"type", "message"}, either
   may be missing), with *TYPE its type (borrowed, or ""); NULL when E is
   not an object.  Both providers' error bodies carry one. */
char *bn_agent__error_line(json_t *e, const char **type);

/* ---- the tools a session offers (tools.c) ------------------------------- */

#define BN_AGENT__TOOL_ACTIVATE "activate_skill"
#define BN_AGENT__TOOL_RESOURCE "read_skill_resource"
#define BN_AGENT__TOOL_SCRIPT "run_skill_script"

/* What running the model's tool calls needs. */
typedef struct bn_agent__kit {
	bn_store *store;             /* borrowed */
	const char *bot;             /* borrowed slug */
	const bn_agent_loop_options *opts; /* borrowed */
	bn_store_skills all;         /* every usable skill */
	bn_strv names;               /* the bot's skills in the catalog */
	bn_strv active;              /* activated, in order */
	bn_strv scripted;            /* skills that declare exec_command:
					run_skill_script may name them */
	json_t *tools;               /* the neutral tools offered */
	json_t *skills;              /* {"name","type","description",
					"active"} per catalog skill */
	bn_exec_trace trace;         /* the call being run: its session and
					turn (the loop's) and id (borrowed) */
} bn_agent__kit;

/* Build K for BOT's catalog NAMES (copied).  Release: _kit_clear. */
int bn_agent__kit_init(bn_agent__kit *k, bn_store *s, const char *bot,
		       const bn_strv *names, const bn_agent_loop_options *o,
		       bn_err *err);
void bn_agent__kit_clear(bn_agent__kit *k);
/* Forget the activations. */
void bn_agent__kit_reset(bn_agent__kit *k);
/* Mark skill NAME activated (a conversation read back). */
void bn_agent__kit_activated(bn_agent__kit *k, const char *name);
/* Run the neutral tool_call CALL: a new tool_result block. */
json_t *bn_agent__kit_call(bn_agent__kit *k, json_t *call);
/* Whether NAME is a valid tool name for both APIs: [a-zA-Z0-9_-]{1,64} */
bool bn_agent__tool_name_is_valid(const char *name);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * agent/provider.h - talking to a language model: the Anthropic Messages
 * API and the OpenAI-compatible Chat Completions API, streamed, with tool
 * calling, over libcurl.
 *
 * Owns: choosing the API, the model, the base URL and the key (the vault
 * first, then the environment); one completion request with its retries;
 * turning either API's event stream into one neutral assistant message.
 * Uses: base, store (for the vault), exec (vault), agent/sse, libcurl,
 * jansson.  Knows nothing of skills or of the tool loop.
 *
 * The neutral conversation format (also what conversations store) is a
 * JSON array of messages {"role": R, "content": [BLOCK...]} where R is
 * "user", "assistant" or "tool" and a BLOCK is one of
 *	{"type": "text", "text": S}
 *	{"type": "tool_call", "id": S, "name": S, "input": {...}}
 *	    ("input_error": S when the model's arguments were not a JSON
 *	     object; "input" is then {})
 *	{"type": "tool_result", "id": S, "name": S, "content": S,
 *	 "is_error": B}
 * Tools are offered as an array of {"name", "description", "parameters"}
 * (parameters: a JSON Schema object).
 *
 * Specs: https://docs.anthropic.com/en/api/messages and
 * .../api/messages-streaming; the OpenAI API reference, "Chat" (create,
 * streaming): https://platform.openai.com/docs/api-reference/chat  A key never appears in a message this module
 * writes: provider error texts are scrubbed of it.
 */
#ifndef BN_AGENT_PROVIDER_H
#define BN_AGENT_PROVIDER_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "store/store.h"

typedef enum bn_agent_api {
	BN_AGENT_API_ANTHROPIC = 0,  /* POST {base}/v1/messages */
	BN_AGENT_API_OPENAI,         /* POST {base}/chat/completions */
	BN_AGENT_API_MAX
} bn_agent_api;

#define BN_AGENT_ANTHROPIC_BASE_URL "https://api.anthropic.com"
#define BN_AGENT_OPENAI_BASE_URL "https://api.openai.com/v1"
#define BN_AGENT_ANTHROPIC_MODEL "claude-sonnet-4-5"
#define BN_AGENT_OPENAI_MODEL "gpt-4.1-mini"

/* A configured provider.  Build with bn_agent_provider_new. */
typedef struct bn_agent_provider {
	bn_agent_api api;
	char *base_url;              /* owned, without a trailing '/' */
	char *model;                 /* owned */
	char *key;                   /* owned; wiped when freed */
	const char *key_name;        /* "ANTHROPIC_API_KEY", ... (static) */
	bool key_from_vault;         /* the key came from the secret vault */
	unsigned max_tokens;         /* cap of one answer, in tokens: the
					model family's default
					(bn_agent_model_max_tokens) */
	bool legacy_max_tokens;      /* OpenAI API: send "max_tokens", not
					"max_completion_tokens" */
	unsigned max_retries;        /* retries after the first attempt */
	unsigned retry_base_ms;      /* first backoff; doubles each retry */
	unsigned retry_max_ms;       /* longest wait, Retry-After included:
					a server asking for more is not
					waited for */
	unsigned max_continuations;  /* text cut at max_tokens: requests to
					continue it */
	long connect_timeout_ms;     /* to open the connection */
	long header_timeout_ms;      /* connected, no response header yet */
	long idle_timeout_ms;        /* a response silent this long fails */
	size_t body_max_bytes;       /* cap of an error or JSON body */
	size_t event_max_bytes;      /* cap of one streamed event */
} bn_agent_provider;

/* What to ask for: every pointer borrowed for the call. */
typedef struct bn_agent_request {
	const char *system;          /* the system prompt, may be NULL */
	json_t *messages;            /* the neutral conversation */
	json_t *tools;               /* neutral tools, NULL or [] for none */
	unsigned max_tokens;         /* this request's cap, 0: the
					provider's max_tokens */
	int legacy_max_tokens;       /* 1 / 0: send max_tokens /
					max_completion_tokens (OpenAI);
					-1: as the provider says */
} bn_agent_request;

/* Where streamed text goes as it arrives. */
typedef struct bn_agent_stream {
	void (*on_text)(const char *text, size_t len, void *payload);
	void *payload;
	/* called (may be NULL) before waiting WAIT_MS to retry; WHY is
	   short: "429", "503", "connection refused", "overloaded" */
	void (*on_retry)(unsigned long wait_ms, const char *why,
			 void *payload);
	const atomic_bool *cancel;   /* may be NULL; once true, the request
					in flight is abandoned (an error) and
					not retried */
} bn_agent_stream;

/* One answer. */
typedef struct bn_agent_reply {
	json_t *message;             /* owned: {"role": "assistant", ...} */
	char stop_reason[32];        /* "end_turn", "tool_use",
					"max_tokens", ... as normalised from
					either API ("stop" -> "end_turn",
					"tool_calls" -> "tool_use",
					"length" -> "max_tokens") */
	/* Tokens as the API reported them (0 when it did not), summed over
	   continuations.  input_tokens counts only input neither read
	   from nor written to the prompt cache (Anthropic's meaning; for
	   OpenAI, prompt_tokens less cached_tokens). */
	unsigned long long input_tokens;
	unsigned long long output_tokens;
	unsigned long long cache_read_tokens;  /* read from the cache */
	unsigned long long cache_write_tokens; /* written to it (Anthropic) */
	unsigned attempts;           /* HTTP requests made (1 + retries) */
	unsigned continuations;      /* requests that continued cut text */
	unsigned max_tokens;         /* the cap of the last request */
} bn_agent_reply;

void bn_agent_reply_clear(bn_agent_reply *r);

/* "anthropic" / "openai"; parse returns false when unknown. */
const char *bn_agent_api_name(bn_agent_api api);
bool bn_agent_api_parse(bn_agent_api *out, const char *name);
/* The same with the error a user sees, the one place that names the
   providers: 0, or BN_EINVAL "provider 'NAME': anthropic or openai". */
int bn_agent_api_check(bn_agent_api *out, const char *name,
		       bn_err *err) BN_MUST_USE;

/*
 * bn_agent_provider_new - configure a provider.  PROVIDER ("anthropic",
 * "openai") and MODEL may be NULL: then BNITY_PROVIDER and BNITY_MODEL
 * decide, then the defaults (Anthropic, unless only OPENAI_API_KEY is
 * set; the default model of the API).  The base URL comes from
 * ANTHROPIC_BASE_URL / OPENAI_BASE_URL or the defaults above: https, or
 * http to a loopback host only.  The key is the vault's secret
 * ANTHROPIC_API_KEY / OPENAI_API_KEY when S (may be NULL) has it, else
 * the environment variable of that name.  BNITY_RETRY_BASE_MS overrides
 * the first backoff (tests), BNITY_HEADER_TIMEOUT_MS and
 * BNITY_IDLE_TIMEOUT_MS the silences that fail a request;
 * BNITY_TOKEN_FIELD=max_tokens sends OpenAI servers the older field.
 * Errors: BN_EINVAL (unknown provider, bad base URL, no key: the message
 * says which variable or secret to set), vault errors, -ENOMEM.
 * Free with bn_agent_provider_free.
 */
int bn_agent_provider_new(bn_agent_provider **out, bn_store *s,
			  const char *provider, const char *model,
			  bn_err *err) BN_MUST_USE;

/*
 * bn_agent_model_max_tokens - the answer cap bnity asks for by default
 * for MODEL's family (claude opus/sonnet/haiku, gpt-4o, gpt-4.1, o-series,
 * ...; 4096 for a model it does not know); bn_agent_model_max_tokens_cap
 * the most that family accepts, what a cut tool call may be retried with.
 */
unsigned bn_agent_model_max_tokens(const char *model);
unsigned bn_agent_model_max_tokens_cap(const char *model);

/* Wipes the key and frees P; NULL is a no-op. */
void bn_agent_provider_free(bn_agent_provider *p);

/*
 * bn_agent_provider_complete - ask P for the next assistant message of
 * REQ, streaming its text to STREAM (may be NULL) as it arrives.
 * Retries, while nothing was streamed yet, with exponential backoff and
 * jitter (or the server's Retry-After / retry-after-ms, up to
 * retry_max_ms) on a refused or reset connection, 408, 409, 429, 5xx and
 * "overloaded" stream errors; never on other 4xx.  A server that accepts
 * the connection but sends no header for header_timeout_ms, or nothing
 * for idle_timeout_ms, fails (not retried).
 * Token limits: text cut at the cap (stop_reason "max_tokens") is
 * continued up to max_continuations times and joined; a tool call cut at
 * the cap is asked again once with twice the cap (up to the family's
 * most), and when still cut its block carries "input_error" saying so.
 * The prompt cache: Anthropic requests mark the tools, the system prompt,
 * the last message before the newest plain user message, and the last
 * message (at most four breakpoints); OpenAI requests ask for usage in
 * the stream (stream_options.include_usage).
 * *out (clear with bn_agent_reply_clear) is written only on success.
 * Errors, with a message naming the provider and what to do:
 * BN_EDENIED (401/403: the key was refused; names the variable and the
 * secret to set), BN_ELIMIT (429 after the retries), BN_EIO (overloaded,
 * server errors, unreachable, a stream dropped before its end),
 * BN_EINVAL (a malformed answer, or the request refused as invalid).
 */
int bn_agent_provider_complete(bn_agent_reply *out, bn_agent_provider *p,
			       const bn_agent_request *req,
			       const bn_agent_stream *stream,
			       bn_err *err) BN_MUST_USE;

#endif

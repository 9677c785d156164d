/* SPDX-License-Identifier: MIT */
/*
 * agent/provider.c - provider configuration, the HTTP exchange with its
 * retries, and assembling a streamed answer (see provider.h).  What each
 * API sends and expects lives in anthropic.c and openai.c.
 *
 * References: libcurl's curl_easy_setopt(3), curl_easy_header(3),
 * curl_url(3); RFC 9110 10.2.3 (Retry-After).
 */
#include "agent_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "exec/curl_dl.h"
#include "exec/vault.h"

#define BODY_MAX_BYTES ((size_t)1 << 20)

static const char *const api_names[BN_AGENT_API_MAX] = {
	[BN_AGENT_API_ANTHROPIC] = "anthropic",
	[BN_AGENT_API_OPENAI] = "openai",
};

BN_STR_ENUM_NAME(bn_agent_api, api_names, "?")
BN_STR_ENUM_PARSE(bn_agent_api, api_names)

int bn_agent_api_check(bn_agent_api *out, const char *name, bn_err *err)
{
	if (bn_agent_api_parse(out, name))
		return 0;
	return bn_err_set(err, BN_EINVAL, "provider '%s': anthropic or "
			  "openai", name);
}

static const bn_agent__api *api_ops(bn_agent_api api)
{
	return api == BN_AGENT_API_OPENAI ? &bn_agent__openai :
		&bn_agent__anthropic;
}

void bn_agent_reply_clear(bn_agent_reply *r)
{
	json_decref(r->message);
	memset(r, 0, sizeof(*r));
}

/* ---- configuration ------------------------------------------------------ */

static const char *env_nonempty(const char *name)
{
	const char *v = secure_getenv(name);
	return v && *v ? v : NULL;
}

static bool host_is_loopback(const char *h)
{
	if (!strcasecmp(h, "localhost") || !strcmp(h, "::1") ||
	    !strcmp(h, "[::1]"))
		return true;
	if (strncmp(h, "127.", 4) != 0)
		return false;
	for (const char *c = h + 4; *c; c++)
		if (!isdigit((unsigned char)*c) && *c != '.')
			return false;
	return true;
}

/* https anywhere, http only to a loopback host. */
static int check_base_url(const char *url, const char *var, bn_err *err)
{
	const struct bn_exec_curl_fns *cu = bn_exec_curl();
	CURLU *u = cu->url();
	char *scheme = NULL, *host = NULL;
	int r = 0;

	if (!u)
		return bn_err_oom(err);
	if (cu->url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    cu->url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    cu->url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		r = bn_err_set(err, BN_EINVAL, "%s: '%s' is not a URL", var,
			       url);
	} else if (strcmp(scheme, "https") != 0 &&
		   !(strcmp(scheme, "http") == 0 && host_is_loopback(host))) {
		r = bn_err_set(err, BN_EINVAL, "%s: '%s' must use https "
			       "(plain http is accepted for loopback hosts "
			       "only)", var, url);
	}
	cu->free(scheme);
	cu->free(host);
	cu->url_cleanup(u);
	return r;
}

/* The key: the vault's secret NAME when it is there, else $NAME. */
static int find_key(bn_agent_provider *p, bn_store *s, bn_err *err)
{
	bn_exec_vault *v = NULL;
	bn_exec_vault_secret *sec = NULL;
	bool have = false;
	const char *env;
	int r;

	if (s) {
		if ((r = bn_exec_vault_open(&v, s, err)))
			return r;
		r = bn_exec_vault_exists(&have, v, p->key_name, err);
		if (!r && have)
			r = bn_exec_vault_get(&sec, v, p->key_name, err);
		if (!r && have) {
			p->key = bn_xstrndup((const char *)sec->data,
					     sec->len);
			p->key_from_vault = true;
		}
		bn_exec_vault_secret_free(sec);
		bn_exec_vault_free(v);
		if (r) {
			bn_err_prefix(err, "secret %s", p->key_name);
			return r;
		}
		if (have && *p->key)
			return 0;
	}
	env = env_nonempty(p->key_name);
	if (!env)
		return bn_err_set(err, BN_EINVAL, "%s: no API key: set the "
				  "environment variable %s, or store it with "
				  "`bnity secret set %s`",
				  bn_agent_api_name(p->api), p->key_name,
				  p->key_name);
	free(p->key);
	p->key = bn_xstrdup(env);
	p->key_from_vault = false;
	return 0;
}

/* A key goes into a header line: printable ASCII, no spaces. */
static bool key_is_clean(const char *k)
{
	for (; *k; k++)
		if ((unsigned char)*k <= ' ' || (unsigned char)*k >= 0x7f)
			return false;
	return true;
}

static unsigned env_uint(const char *name, unsigned dflt, unsigned max)
{
	const char *v = env_nonempty(name);
	char *end;
	unsigned long n;

	if (!v)
		return dflt;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n > max)
		return dflt;
	return (unsigned)n;
}

int bn_agent_provider_new(bn_agent_provider **out, bn_store *s,
			  const char *provider, const char *model,
			  bn_err *err)
{
	bn_agent_provider *p;
	const char *base, *base_var, *field;
	int r;

	if ((r = bn_exec_curl_load(err)))
		return r;
	if (!provider)
		provider = env_nonempty("BNITY_PROVIDER");
	if (!provider)
		provider = !env_nonempty("ANTHROPIC_API_KEY") &&
			env_nonempty("OPENAI_API_KEY") ? "openai" :
			"anthropic";
	p = bn_xcalloc(1, sizeof(*p));
	if ((r = bn_agent_api_check(&p->api, provider, err))) {
		free(p);
		return r;
	}
	if (p->api == BN_AGENT_API_OPENAI) {
		base_var = "OPENAI_BASE_URL";
		base = env_nonempty(base_var);
		base = base ? base : BN_AGENT_OPENAI_BASE_URL;
		p->key_name = "OPENAI_API_KEY";
	} else {
		base_var = "ANTHROPIC_BASE_URL";
		base = env_nonempty(base_var);
		base = base ? base : BN_AGENT_ANTHROPIC_BASE_URL;
		p->key_name = "ANTHROPIC_API_KEY";
	}
	if (!model)
		model = env_nonempty("BNITY_MODEL");
	if (!model)
		model = p->api == BN_AGENT_API_OPENAI ? BN_AGENT_OPENAI_MODEL :
			BN_AGENT_ANTHROPIC_MODEL;
	p->model = bn_xstrdup(model);
	p->base_url = bn_xstrdup(base);
	for (size_t n = strlen(p->base_url); n && p->base_url[n - 1] == '/';)
		p->base_url[--n] = '\0';
	p->max_tokens = bn_agent_model_max_tokens(p->model);
	field = env_nonempty("BNITY_TOKEN_FIELD");
	p->legacy_max_tokens = field && !strcmp(field, "max_tokens");
	p->max_retries = 3;
	p->retry_base_ms = env_uint("BNITY_RETRY_BASE_MS", 1000, 60000);
	p->retry_max_ms = 60000;
	p->max_continuations = 3;
	p->connect_timeout_ms = 30000;
	p->header_timeout_ms = env_uint("BNITY_HEADER_TIMEOUT_MS", 60000,
					3600000);
	p->idle_timeout_ms = env_uint("BNITY_IDLE_TIMEOUT_MS", 120000,
				      3600000);
	p->body_max_bytes = BODY_MAX_BYTES;
	p->event_max_bytes = BN_AGENT_SSE_EVENT_MAX_BYTES;
	r = check_base_url(p->base_url, base_var, err);
	if (!r)
		r = find_key(p, s, err);
	if (!r && !key_is_clean(p->key))
		r = bn_err_set(err, BN_EINVAL, "%s: the key in %s %s holds "
			       "spaces or control characters",
			       bn_agent_api_name(p->api), p->key_from_vault ?
			       "the secret" : "the variable", p->key_name);
	if (r) {
		bn_agent_provider_free(p);
		return r;
	}
	*out = p;
	return 0;
}

void bn_agent_provider_free(bn_agent_provider *p)
{
	if (!p)
		return;
	if (p->key) {
		explicit_bzero(p->key, strlen(p->key));
		free(p->key);
	}
	free(p->base_url);
	free(p->model);
	free(p);
}

/* ---- the answer being assembled ----------------------------------------- */

void bn_agent__acc_clear(bn_agent__acc *a)
{
	for (size_t i = 0; i < BN_AGENT__SLOTS_MAX; i++) {
		free(a->slots[i].id);
		free(a->slots[i].name);
		bn_buf_clear(&a->slots[i].buf);
		json_decref(a->slots[i].input);
	}
	memset(a->slots, 0, sizeof(a->slots));
	a->started = a->done = a->emitted = a->retryable = false;
	a->stop_reason[0] = '\0';
	a->input_tokens = a->output_tokens = 0;
	a->cache_read_tokens = a->cache_write_tokens = 0;
}

bn_agent__slot *bn_agent__acc_slot(bn_agent__acc *a, long long index)
{
	if (index < 0 || index >= BN_AGENT__SLOTS_MAX) {
		bn_err_set(a->err, BN_EINVAL, "%s: malformed answer: content "
			   "block index %lld out of range (0 to %d)",
			   a->provider, index, BN_AGENT__SLOTS_MAX - 1);
		return NULL;
	}
	bn_agent__slot *s = &a->slots[index];
	if (!s->buf.max_bytes)
		bn_buf_init(&s->buf, BN_AGENT__TEXT_MAX_BYTES);
	return s;
}

int bn_agent__acc_text(bn_agent__acc *a, bn_agent__slot *s, const char *t,
		       size_t n)
{
	if (s->kind == BN_AGENT__SLOT_NONE)
		s->kind = BN_AGENT__SLOT_TEXT;
	if (s->kind != BN_AGENT__SLOT_TEXT)
		return bn_err_set(a->err, BN_EINVAL, "%s: malformed answer: "
				  "text for a block that is not text",
				  a->provider);
	if (bn_buf_append(&s->buf, t, n))
		return bn_err_set(a->err, BN_ELIMIT, "%s: the answer's text "
				  "is over %zu bytes", a->provider,
				  BN_AGENT__TEXT_MAX_BYTES);
	if (n && a->stream && a->stream->on_text) {
		a->emitted = true;
		a->stream->on_text(t, n, a->stream->payload);
	}
	return 0;
}

int bn_agent__acc_args(bn_agent__acc *a, bn_agent__slot *s, const char *t,
		       size_t n)
{
	if (s->kind != BN_AGENT__SLOT_TOOL)
		return bn_err_set(a->err, BN_EINVAL, "%s: malformed answer: "
				  "arguments for a block that is not a tool "
				  "call", a->provider);
	if (bn_buf_append(&s->buf, t, n))
		return bn_err_set(a->err, BN_ELIMIT, "%s: a tool call's "
				  "arguments are over %zu bytes", a->provider,
				  BN_AGENT__TEXT_MAX_BYTES);
	return 0;
}

int bn_agent__body_dump(char **out, json_t *j, json_t *tools, bn_err *err)
{
	if (json_array_size(tools))
		json_object_set(j, "tools", tools);
	json_decref(tools);
	*out = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return *out ? 0 : bn_err_oom(err);
}

void bn_agent__acc_stop(bn_agent__acc *a, const char *w)
{
	if (!w)
		return;
	if (!strcmp(w, "stop"))
		w = "end_turn";
	else if (!strcmp(w, "tool_calls") || !strcmp(w, "function_call"))
		w = "tool_use";
	else if (!strcmp(w, "length"))
		w = "max_tokens";
	snprintf(a->stop_reason, sizeof(a->stop_reason), "%s", w);
}

/* A tool call's block: its input parsed, or {} with input_error. */
static json_t *tool_block(const bn_agent__slot *s)
{
	json_t *b = json_object(), *in = NULL;
	json_error_t je;

	json_object_set_new(b, "type", json_string("tool_call"));
	json_object_set_new(b, "id", json_string(s->id ? s->id : ""));
	json_object_set_new(b, "name", json_string(s->name ? s->name : ""));
	if (s->input) {
		in = json_incref(s->input);
	} else if (s->buf.len == 0) {
		in = json_object();
	} else {
		in = json_loadb(s->buf.data, s->buf.len, JSON_REJECT_DUPLICATES,
				&je);
	}
	if (!json_is_object(in)) {
		json_decref(in);
		in = json_object();
		json_object_set_new(b, "input_error", json_string(
			"your arguments were not a JSON object; call it "
			"again with one"));
	}
	json_object_set_new(b, "input", in);
	return b;
}

/* Slot S as a neutral block into CONTENT; false when it is malformed. */
static bool add_block(json_t *content, const bn_agent__slot *s,
		      const char **why)
{
	json_t *text;

	if (s->kind == BN_AGENT__SLOT_TEXT && s->buf.len) {
		text = json_stringn(s->buf.data, s->buf.len);
		*why = "text is not valid UTF-8";
		if (!text)
			return false;
		json_array_append_new(content, json_pack("{s:s, s:o}", "type",
							 "text", "text", text));
	} else if (s->kind == BN_AGENT__SLOT_TOOL) {
		*why = "a tool call without a name";
		if (!s->name || !*s->name)
			return false;
		json_array_append_new(content, tool_block(s));
	}
	return true;
}

int bn_agent__acc_message(json_t **out, bn_agent__acc *a, bn_err *err)
{
	json_t *content = json_array();
	const char *why = NULL;

	for (size_t i = 0; i < BN_AGENT__SLOTS_MAX; i++) {
		if (!add_block(content, &a->slots[i], &why)) {
			json_decref(content);
			return bn_err_set(err, BN_EINVAL, "%s: malformed "
					  "answer: %s", a->provider, why);
		}
	}
	*out = json_pack("{s:s, s:o}", "role", "assistant", "content",
			 content);
	return *out ? 0 : bn_err_oom(err);
}

const char *bn_agent__block_str(json_t *b, const char *key)
{
	const char *s = json_string_value(json_object_get(b, key));
	return s ? s : "";
}

char *bn_agent__error_line(json_t *e, const char **type)
{
	const char *msg;

	if (!json_is_object(e))
		return NULL;
	*type = bn_agent__block_str(e, "type");
	msg = bn_agent__block_str(e, "message");
	return bn_xasprintf("%s%s%s", *type, **type && *msg ? ": " : "", msg);
}

/* ---- the HTTP exchange -------------------------------------------------- */

/* One attempt's state, shared with libcurl's callbacks. */
typedef struct xfer {
	CURL *curl;
	const bn_agent__api *api;
	bn_agent__acc *acc;
	bn_agent_sse sse;
	bn_buf body;                 /* a non-stream body, capped */
	bool is_stream;              /* 200 with text/event-stream */
	bool decided;                /* is_stream is known */
	bool body_too_big;
	int cb_error;                /* what a callback failed with */
	long header_timeout_ms;      /* copied from the provider */
	long idle_timeout_ms;
	long long last_ms;           /* monotonic: the request began, or
					the last bytes came */
	bool got_header;             /* a response header line came */
	long silent_ms;              /* > 0: aborted after this silence */
} xfer;

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *payload)
{
	xfer *x = payload;
	(void)data;
	x->got_header = true;
	x->last_ms = now_ms();
	return size * nmemb;
}

/* libcurl's progress callback, called at least once a second: ends a
   transfer that was cancelled, or that has been silent too long. */
static int on_progress(void *payload, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	xfer *x = payload;
	long long quiet = now_ms() - x->last_ms;
	long limit = x->got_header ? x->idle_timeout_ms :
		x->header_timeout_ms;
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	if (x->acc->stream && x->acc->stream->cancel &&
	    atomic_load(x->acc->stream->cancel))
		return 1;
	if (limit > 0 && quiet >= limit) {
		x->silent_ms = limit;
		return 1;
	}
	return 0;
}

static int on_event(const bn_agent_sse_event *ev, void *payload)
{
	xfer *x = payload;
	x->acc->started = true;
	return x->api->event(x->acc, ev);
}

static void decide(xfer *x)
{
	const struct bn_exec_curl_fns *cu = bn_exec_curl();
	long status = 0;
	const char *ctype = NULL;

	x->decided = true;
	cu->easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &status);
	cu->easy_getinfo(x->curl, CURLINFO_CONTENT_TYPE, &ctype);
	x->is_stream = status == 200 && ctype &&
		strncasecmp(ctype, "text/event-stream", 17) == 0;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *payload)
{
	xfer *x = payload;
	size_t n = size * nmemb;

	x->last_ms = now_ms();
	if (!x->decided)
		decide(x);
	if (x->is_stream) {
		x->cb_error = bn_agent_sse_feed(&x->sse, data, n, x->acc->err);
		return x->cb_error ? 0 : n;
	}
	if (bn_buf_append(&x->body, data, n)) {
		x->body_too_big = true;
		return 0;
	}
	return n;
}

static void wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* Replace each word of MSG that holds a piece of KEY by "[redacted]". */
static void scrub_key(char *msg, const char *key)
{
	size_t klen = key ? strlen(key) : 0;
	char *w = msg;

	if (klen < 8)
		return;
	while (*w) {
		size_t n = strcspn(w, " \t\n\"'`,;()");
		bool bad = false;
		if (n >= 4) {
			char *word = bn_xstrndup(w, n);
			char head[9], tail[5];
			memcpy(head, key, 8);
			head[8] = '\0';
			memcpy(tail, key + klen - 4, 5);
			bad = strstr(word, head) || strstr(word, tail) ||
			      strstr(word, "sk-") || strstr(word, "***");
			free(word);
		}
		if (bad) {
			static const char red[] = "[redacted]";
			size_t rl = sizeof(red) - 1;
			if (n >= rl) {
				memcpy(w, red, rl);
				memmove(w + rl, w + n, strlen(w + n) + 1);
				n = rl;
			} else {
				memset(w, '*', n);
			}
		}
		w += n;
		if (*w)
			w++;
	}
}

typedef struct attempt {
	long status;                 /* HTTP status, 0 if none */
	long retry_after_ms;         /* -1 when the server gave none */
	int should_retry;            /* x-should-retry: 1 true, 0 false, -1 */
	CURLcode cc;                 /* libcurl's result */
	char curl_msg[CURL_ERROR_SIZE];
} attempt;

static long parse_retry_after(CURL *c)
{
	const struct bn_exec_curl_fns *cu = bn_exec_curl();
	struct curl_header *h = NULL;
	char *end;
	long v;

	if (cu->easy_header(c, "retry-after-ms", 0, CURLH_HEADER, -1, &h) ==
	    CURLHE_OK) {
		errno = 0;
		v = strtol(h->value, &end, 10);
		if (!errno && end != h->value && v >= 0)
			return v;
	}
	if (cu->easy_header(c, "Retry-After", 0, CURLH_HEADER, -1, &h) !=
	    CURLHE_OK)
		return -1;
	errno = 0;
	v = strtol(h->value, &end, 10);
	if (!errno && end != h->value && *end == '\0' && v >= 0)
		return v > 86400 ? 86400000L : v * 1000;
	time_t when = cu->getdate(h->value, NULL);
	if (when < 0)
		return -1;
	time_t now = time(NULL);
	return when > now ? (long)(when - now) * 1000 : 0;
}

static int should_retry_header(CURL *c)
{
	struct curl_header *h = NULL;

	if (bn_exec_curl()->easy_header(c, "x-should-retry", 0, CURLH_HEADER,
					-1, &h) != CURLHE_OK)
		return -1;
	return strcasecmp(h->value, "true") == 0 ? 1 :
		strcasecmp(h->value, "false") == 0 ? 0 : -1;
}

/* The header lines every provider's request carries after its own. */
static const char *const common_headers[] = {
	"content-type: application/json",
	"accept: text/event-stream",
	NULL,
};

static int setup(xfer *x, struct curl_slist **hdrs, bn_agent_provider *p,
		 const char *url, const char *body, attempt *at)
{
	const struct bn_exec_curl_fns *cu = bn_exec_curl();
	const bn_agent__api *api = x->api;
	char *auth = api->auth_header(p);
	struct curl_slist *l = NULL;
	CURL *c = x->curl;
	int bad = 0;

	l = cu->slist_append(l, auth);
	wipe_free(auth);
	for (const char *const *h = api->headers; l && *h; h++)
		l = cu->slist_append(l, *h);
	for (const char *const *h = common_headers; l && *h; h++)
		l = cu->slist_append(l, *h);
	*hdrs = l;
	if (!l)
		return -ENOMEM;
#define SET(opt, val) bad |= cu->easy_setopt(c, opt, val) != CURLE_OK
	SET(CURLOPT_URL, url);
	SET(CURLOPT_HTTPHEADER, l);
	SET(CURLOPT_POSTFIELDS, body);
	SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
	SET(CURLOPT_CONNECTTIMEOUT_MS, p->connect_timeout_ms);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, x);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_XFERINFOFUNCTION, on_progress);
	SET(CURLOPT_XFERINFODATA, x);
	SET(CURLOPT_WRITEFUNCTION, on_write);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_ERRORBUFFER, at->curl_msg);
	SET(CURLOPT_USERAGENT, "bnity/" BN_VERSION);
	SET(CURLOPT_ACCEPT_ENCODING, "");
#undef SET
	return bad ? -EINVAL : 0;
}

/* One HTTP request.  0 when it completed (any status); else the error. */
static int attempt_once(attempt *at, xfer *x, bn_agent_provider *p,
			const char *url, const char *body)
{
	const struct bn_exec_curl_fns *cu = bn_exec_curl();
	struct curl_slist *hdrs = NULL;
	int r;

	memset(at, 0, sizeof(*at));
	at->retry_after_ms = -1;
	at->should_retry = -1;
	x->curl = cu->easy_init();
	if (!x->curl)
		return bn_err_oom(x->acc->err);
	r = setup(x, &hdrs, p, url, body, at);
	if (r) {
		cu->slist_free_all(hdrs);
		cu->easy_cleanup(x->curl);
		x->curl = NULL;
		return r == -ENOMEM ? bn_err_oom(x->acc->err) :
			bn_err_set(x->acc->err, BN_EIO, "libcurl refused an "
				   "option");
	}
	x->header_timeout_ms = p->header_timeout_ms;
	x->idle_timeout_ms = p->idle_timeout_ms;
	x->last_ms = now_ms();
	at->cc = cu->easy_perform(x->curl);
	cu->easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &at->status);
	if (at->status) {
		at->retry_after_ms = parse_retry_after(x->curl);
		at->should_retry = should_retry_header(x->curl);
	}
	if (!x->decided && at->status)
		decide(x);
	cu->slist_free_all(hdrs);
	cu->easy_cleanup(x->curl);
	x->curl = NULL;
	return 0;
}

/* What the official SDKs retry: timeouts, conflicts, rate limits and
   server errors. */
static bool status_retryable(long st)
{
	return st == 408 || st == 409 || st == 429 || st >= 500;
}

/* A connection that failed before any answer: worth another try (a
   refused or reset connection, nothing received); a name that does not
   resolve or a TLS failure is not. */
static bool curl_retryable(CURLcode cc)
{
	return cc == CURLE_COULDNT_CONNECT || cc == CURLE_GOT_NOTHING ||
	       cc == CURLE_SEND_ERROR || cc == CURLE_RECV_ERROR ||
	       cc == CURLE_PARTIAL_FILE || cc == CURLE_OPERATION_TIMEDOUT;
}

/* The short reason a retry names: "429", "connection refused", ... */
static void retry_why(char *buf, size_t n, const attempt *at)
{
	if (at->status)
		snprintf(buf, n, "%ld", at->status);
	else if (at->cc == CURLE_COULDNT_CONNECT)
		snprintf(buf, n, "connection refused");
	else if (at->cc == CURLE_OPERATION_TIMEDOUT)
		snprintf(buf, n, "connect timeout");
	else
		snprintf(buf, n, "connection lost");
}

/* The message of an HTTP error status, scrubbed of the key. */
static int status_error(const xfer *x, const attempt *at,
			const bn_agent_provider *p, unsigned tries,
			bn_err *err)
{
	const char *name = x->api->name;
	json_t *j = json_loadb(bn_buf_cstr(&x->body), x->body.len, 0, NULL);
	bool overloaded = false;
	char *text = j ? x->api->error_text(j, &overloaded) : NULL;
	char retried[64] = "";
	long st = at->status;
	int r;

	json_decref(j);
	if (text)
		scrub_key(text, p->key);
	if (tries > 1)
		snprintf(retried, sizeof(retried), " (after %u attempts)",
			 tries);
	if (st == 401 || st == 403)
		r = bn_err_set(err, BN_EDENIED, "%s: the API key was refused "
			"(HTTP %ld%s%s): set the environment variable %s or "
			"the secret %s (`bnity secret set %s`) to a valid key",
			name, st, text ? ": " : "", text ? text : "",
			p->key_name, p->key_name, p->key_name);
	else if (st == 429)
		r = bn_err_set(err, BN_ELIMIT, "%s: rate limited (HTTP 429%s%s)"
			"%s; wait and try again", name, text ? ": " : "",
			text ? text : "", retried);
	else if (st == 529 || st == 503 || overloaded)
		r = bn_err_set(err, BN_EIO, "%s: the service is overloaded "
			"(HTTP %ld%s%s)%s; try again later", name, st,
			text ? ": " : "", text ? text : "", retried);
	else if (st >= 500)
		r = bn_err_set(err, BN_EIO, "%s: server error (HTTP %ld%s%s)%s",
			name, st, text ? ": " : "", text ? text : "", retried);
	else if (st == 408 || st == 409)
		r = bn_err_set(err, BN_EIO, "%s: the request %s (HTTP %ld%s%s)"
			"%s; try again", name, st == 408 ? "timed out" :
			"conflicted with another", st, text ? ": " : "",
			text ? text : "", retried);
	else if (st == 404)
		r = bn_err_set(err, BN_EINVAL, "%s: not found (HTTP 404%s%s): "
			"check the model '%s' and the base URL %s", name,
			text ? ": " : "", text ? text : "", p->model,
			p->base_url);
	else
		r = bn_err_set(err, BN_EINVAL, "%s: the request was refused "
			"(HTTP %ld%s%s)", name, st, text ? ": " : "",
			text ? text : "");
	free(text);
	return r;
}

/* After a 200: the stream's outcome, or a whole JSON answer. */
static int finish_ok(xfer *x, const attempt *at, bn_err *err)
{
	const struct bn_exec_curl_fns *cu = bn_exec_curl();
	const char *name = x->api->name;

	if (x->cb_error)
		return x->cb_error;
	if (!x->is_stream) {
		json_error_t je;
		json_t *j;
		int r;
		if (at->cc != CURLE_OK)
			return bn_err_set(err, BN_EIO, "%s: the answer was cut "
					  "off: %s", name, at->curl_msg[0] ?
					  at->curl_msg :
					  cu->easy_strerror(at->cc));
		j = json_loadb(bn_buf_cstr(&x->body), x->body.len, 0, &je);
		if (!json_is_object(j)) {
			json_decref(j);
			return bn_err_set(err, BN_EINVAL, "%s: malformed "
					  "answer: neither an event stream nor "
					  "a JSON object", name);
		}
		r = x->api->whole(x->acc, j);
		json_decref(j);
		return r;
	}
	if (!x->acc->done)
		return bn_err_set(err, BN_EIO, "%s: the stream was dropped: "
				  "the connection closed before the answer "
				  "was complete%s%s", name,
				  at->cc != CURLE_OK ? " (" : "",
				  at->cc != CURLE_OK ? (at->curl_msg[0] ?
				  at->curl_msg : cu->easy_strerror(at->cc)) :
				  "");
	return 0;
}

static void sleep_ms(unsigned long ms)
{
	struct timespec ts = { (time_t)(ms / 1000),
			       (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The wait before retry number N (0-based): backoff with jitter. */
static unsigned long backoff_ms(const bn_agent_provider *p, unsigned n)
{
	unsigned long ms = p->retry_base_ms;
	unsigned short jitter = 0;

	for (unsigned i = 0; i < n && ms < p->retry_max_ms; i++)
		ms *= 2;
	if (ms > p->retry_max_ms)
		ms = p->retry_max_ms;
	if (getrandom(&jitter, sizeof(jitter), GRND_NONBLOCK) < 0)
		jitter = 0;
	return ms - ms / 4 + (ms / 4) * jitter / 65535u;
}

unsigned bn_agent__max_tokens(const bn_agent_provider *p,
			      const bn_agent_request *req)
{
	return req->max_tokens ? req->max_tokens : p->max_tokens;
}

/* The message of an attempt that got no HTTP status. */
static int no_status_error(const xfer *x, const attempt *at,
			   const bn_agent_provider *p, unsigned tries,
			   bn_err *err)
{
	char retried[64] = "";

	if (tries > 1)
		snprintf(retried, sizeof(retried), " (after %u attempts)",
			 tries);
	if (x->silent_ms)
		return bn_err_set(err, BN_EIO, "%s: connected to %s, but no "
				  "answer for %ld s (BNITY_HEADER_TIMEOUT_MS "
				  "sets the wait in ms)", x->api->name,
				  p->base_url, x->silent_ms / 1000);
	return bn_err_set(err, BN_EIO, "%s: cannot reach %s: %s%s",
			  x->api->name, p->base_url, at->curl_msg[0] ?
			  at->curl_msg : bn_exec_curl()->easy_strerror(at->cc),
			  retried);
}

/* Whether a tool call of A was cut at the token limit: the answer
   stopped at max_tokens in a tool call whose streamed arguments do not
   parse, or that came whole (nothing then tells a cut one apart). */
static bool tool_was_cut(const bn_agent__acc *a)
{
	if (strcmp(a->stop_reason, "max_tokens") != 0)
		return false;
	for (size_t i = BN_AGENT__SLOTS_MAX; i > 0; i--) {
		const bn_agent__slot *s = &a->slots[i - 1];
		if (s->kind == BN_AGENT__SLOT_NONE)
			continue;
		if (s->kind != BN_AGENT__SLOT_TOOL)
			return false;
		if (s->input)
			return true;
		json_t *j = json_loadb(s->buf.data ? s->buf.data : "",
				       s->buf.len, 0, NULL);
		bool ok = json_is_object(j);
		json_decref(j);
		return !ok;
	}
	return false;
}

int bn_agent__complete_once(bn_agent_reply *out, bool *cut_tool,
			    bn_agent_provider *p, const bn_agent_request *req,
			    const bn_agent_stream *stream, bn_err *err)
{
	const bn_agent__api *api = api_ops(p->api);
	bn_agent__acc acc = { .stream = stream, .provider = api->name };
	char *body = NULL, *url = NULL;
	unsigned tries = 0;
	attempt at;
	xfer x;
	int r;

	bn_err local;
	bn_err_init(&local);
	if ((r = api->body(&body, p, req, err)))
		return r;
	url = bn_xasprintf("%s%s", p->base_url, api->path);
	for (;;) {
		memset(&x, 0, sizeof(x));
		x.api = api;
		x.acc = &acc;
		bn_err_init(&local);
		acc.err = &local;
		bn_buf_init(&x.body, p->body_max_bytes);
		bn_agent_sse_init(&x.sse, 0, p->event_max_bytes, on_event, &x);
		tries++;
		r = attempt_once(&at, &x, p, url, body);
		bool retry = false;
		long wait = -1;
		if (!r && at.status == 0) {
			retry = !x.silent_ms && curl_retryable(at.cc);
			r = no_status_error(&x, &at, p, tries, &local);
		} else if (!r && at.status != 200) {
			retry = status_retryable(at.status) &&
				at.should_retry != 0;
			wait = at.retry_after_ms;
			r = status_error(&x, &at, p, tries, &local);
		} else if (!r) {
			r = finish_ok(&x, &at, &local);
			if (r && x.silent_ms) {
				bn_err_init(&local);
				r = bn_err_set(&local, BN_EIO, "%s: the answer "
					"stopped: no data for %ld s "
					"(BNITY_IDLE_TIMEOUT_MS sets the wait "
					"in ms)", api->name,
					x.silent_ms / 1000);
			}
			retry = r && acc.retryable && !acc.emitted;
		}
		bn_agent_sse_clear(&x.sse);
		bn_buf_clear(&x.body);
		if (!r || !retry || tries > p->max_retries ||
		    (stream && stream->cancel && atomic_load(stream->cancel)))
			break;
		if (wait < 0)
			wait = (long)backoff_ms(p, tries - 1);
		if (wait > (long)p->retry_max_ms) {
			char keep[sizeof(local.msg)];
			snprintf(keep, sizeof(keep), "%s", local.msg);
			bn_err_init(&local);
			bn_err_set(&local, r, "%s; the server asks to wait "
				   "%ld s before retrying, longer than the "
				   "%u s bnity waits: try again later", keep,
				   (wait + 999) / 1000,
				   p->retry_max_ms / 1000);
			break;
		}
		if (stream && stream->on_retry) {
			char why[32];
			retry_why(why, sizeof(why), &at);
			if (acc.retryable && at.status == 200)
				snprintf(why, sizeof(why), "overloaded");
			stream->on_retry((unsigned long)wait, why,
					 stream->payload);
		}
		sleep_ms((unsigned long)wait);
		bn_agent__acc_clear(&acc);
	}
	if (!r) {
		memset(out, 0, sizeof(*out));
		r = bn_agent__acc_message(&out->message, &acc, &local);
		snprintf(out->stop_reason, sizeof(out->stop_reason), "%s",
			 acc.stop_reason[0] ? acc.stop_reason : "end_turn");
		out->input_tokens = acc.input_tokens;
		out->output_tokens = acc.output_tokens;
		out->cache_read_tokens = acc.cache_read_tokens;
		out->cache_write_tokens = acc.cache_write_tokens;
		out->attempts = tries;
		out->max_tokens = bn_agent__max_tokens(p, req);
		*cut_tool = tool_was_cut(&acc);
	}
	if (r) {
		if (local.msg[0])
			scrub_key(local.msg, p->key);
		bn_err_set(err, r, "%s", local.msg[0] ? local.msg :
			   "the provider failed");
	}
	bn_agent__acc_clear(&acc);
	free(url);
	wipe_free(body);
	return r;
}

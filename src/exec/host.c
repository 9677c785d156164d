/* SPDX-License-Identifier: MIT */
/*
 * exec/host.c - the "bnity" imports (see host.h and docs/skill-abi.md).
 *
 * Every function follows one order: copy the arguments out of linear
 * memory (bounds-checked, capped), decide against the grants, write the
 * audit record, then act.  A refusal is an error code the module can
 * handle, never a trap.
 */
#include "host.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "base/buf.h"
#include "base/clock.h"
#include "exec/audit.h"
#include "exec/http.h"
#include "exec/memory.h"
#include "exec/vault.h"

static int32_t fail(bn_exec_host *h, int32_t code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int32_t fail(bn_exec_host *h, int32_t code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(h->last_error, sizeof(h->last_error), fmt, ap);
	va_end(ap);
	return code;
}

static void set_result(bn_exec_host *h, char *data, size_t len)
{
	free(h->result);
	h->result = data;
	h->result_len = len;
}

static void audit(bn_exec_host *h, bn_exec_cap cap, const char *scope,
		  bool allowed, const char *reason)
{
	h->calls++;
	if (!allowed)
		h->denied++;
	/* the run record exists; a failing insert must not stop the run,
	   but it is reported in the run's own record by the executor */
	(void)bn_exec_audit_call(h->store, h->run_id, bn_exec_cap_name(cap),
				 scope, allowed, reason, NULL);
}

/* Decide and audit; returns true when a grant covers (CAP, ASKED). */
static bool decide(bn_exec_host *h, bn_exec_cap cap, const char *asked,
		   const char *what)
{
	const bn_exec_grant *g = bn_exec_grant_find(h->grants, cap, asked);
	char reason[256];

	if (g) {
		snprintf(reason, sizeof(reason), "%s; granted %s%s%s to %s",
			 what, bn_exec_cap_name(cap), *g->scope ? "=" : "",
			 g->scope, strcmp(g->bot, "*") ? g->bot : "every bot");
		audit(h, cap, asked, true, reason);
		return true;
	}
	snprintf(reason, sizeof(reason), "%s; no grant of %s covers it",
		 what, bn_exec_cap_name(cap));
	audit(h, cap, asked, false, reason);
	/* a scope the module chose may be megabytes: vsnprintf walks all of
	   a %s argument however small the buffer, so name only its head */
	size_t n = asked ? strnlen(asked, 201) : 0;
	fail(h, BN_EXEC_ABI_EDENIED, "%s%s%.*s%s is not granted to skill '%s'",
	     bn_exec_cap_name(cap), n ? "=" : "", (int)(n > 200 ? 200 : n),
	     asked ? asked : "", n > 200 ? "..." : "", h->skill);
	return false;
}

/* ---- the run's deadline ------------------------------------------------- */

/* Milliseconds before H's deadline: UINT64_MAX without one, 0 once it
   has passed. */
static uint64_t time_left(const bn_exec_host *h)
{
	uint64_t now;

	if (!h->deadline_ms)
		return UINT64_MAX;
	now = bn_clock_now_ms();
	return now < h->deadline_ms ? h->deadline_ms - now : 0;
}

/* The store waits for another writer's lock (BN_STORE_BUSY_TIMEOUT_MS);
   while a call runs, no longer than the time left. */
static void db_wait_bound(bn_exec_host *h, bool bound)
{
	uint64_t ms = BN_STORE_BUSY_TIMEOUT_MS, left = time_left(h);

	if (!h->store)
		return;
	if (bound && left < ms)
		ms = left;
	bn_store_lock_timeout_set(h->store, (unsigned)ms);
}

static uint32_t arg(const bn_wasm_val *a, int i)
{
	return a[i].of.i32;
}

static void ret(bn_wasm_val *r, int32_t v)
{
	r[0].type = BN_WASM_I32;
	r[0].of.i32 = (uint32_t)v;
}

/* ---- HTTP --------------------------------------------------------------- */

/* The URL without its query and fragment, for the audit log. */
static char *url_for_audit(const char *url)
{
	size_t n = strcspn(url, "?#");
	return bn_xstrndup(url, n > 512 ? 512 : n);
}

typedef struct http_headers {
	bn_exec_http_header *plain;
	size_t nplain;
	bn_exec_http_header *secret;
	size_t nsecret;
	bn_exec_vault_secret **values;  /* owned, one per secret header */
	char **texts;                   /* owned "prefix+value" strings */
	const char **raw;               /* the bare values, to scrub */
} http_headers;

static void headers_clear(http_headers *hh)
{
	for (size_t i = 0; i < hh->nsecret; i++) {
		bn_exec_vault_secret_free(hh->values[i]);
		if (hh->texts[i]) {
			sodium_memzero(hh->texts[i], strlen(hh->texts[i]));
			free(hh->texts[i]);
		}
	}
	free(hh->plain);
	free(hh->secret);
	free(hh->values);
	free(hh->texts);
	free(hh->raw);
}

/* Parse the headers JSON; secret references are looked up in the vault
   after their own grant check.  J must outlive HH. */
static int32_t headers_parse(http_headers *hh, bn_exec_host *h, json_t *j,
			     const char *url)
{
	const char *name;
	json_t *v;
	size_t n = json_object_size(j);

	hh->plain = calloc(n ? n : 1, sizeof(*hh->plain));
	hh->secret = calloc(n ? n : 1, sizeof(*hh->secret));
	hh->values = calloc(n ? n : 1, sizeof(*hh->values));
	hh->texts = calloc(n ? n : 1, sizeof(*hh->texts));
	hh->raw = calloc(n ? n : 1, sizeof(*hh->raw));
	if (!hh->plain || !hh->secret || !hh->values || !hh->texts ||
	    !hh->raw)
		return fail(h, BN_EXEC_ABI_EIO, "out of memory");
	json_object_foreach(j, name, v) {
		if (json_is_string(v)) {
			hh->plain[hh->nplain].name = name;
			hh->plain[hh->nplain++].value = json_string_value(v);
			continue;
		}
		const char *sn = json_string_value(json_object_get(v, "secret"));
		const char *pre = json_string_value(json_object_get(v, "prefix"));
		if (!json_is_object(v) || !sn)
			return fail(h, BN_EXEC_ABI_EINVAL, "header '%s': a "
				    "string or {\"secret\": NAME, \"prefix\": "
				    "TEXT}", name);
		/* a use-only secret goes only to the origin it is bound to */
		char *o = bn_exec_http_url_origin(url);
		char *asked = bn_xasprintf("%s@%s", sn, o ? o : "?");
		bool ok = decide(h, BN_EXEC_CAP_GET_SECRET, asked,
				 "secret used as an HTTP header");
		free(asked);
		free(o);
		if (!ok)
			return BN_EXEC_ABI_EDENIED;
		bn_exec_vault *vault = NULL;
		bn_err e;
		bn_err_init(&e);
		db_wait_bound(h, true);
		int r = bn_exec_vault_open(&vault, h->store, &e);
		if (!r)
			r = bn_exec_vault_get(&hh->values[hh->nsecret], vault,
					      sn, &e);
		db_wait_bound(h, false);
		bn_exec_vault_free(vault);
		if (r)
			return fail(h, r == BN_ENOTFOUND ? BN_EXEC_ABI_ENOTFOUND
				    : BN_EXEC_ABI_EIO, "%s", e.msg);
		hh->texts[hh->nsecret] = bn_xasprintf("%s%s", pre ? pre : "",
			(const char *)hh->values[hh->nsecret]->data);
		hh->raw[hh->nsecret] =
			(const char *)hh->values[hh->nsecret]->data;
		hh->secret[hh->nsecret].name = name;
		hh->secret[hh->nsecret].value = hh->texts[hh->nsecret];
		hh->nsecret++;
	}
	return 0;
}

static int32_t do_http(bn_exec_host *h, const bn_exec_host_args *a,
		       bn_exec_http_method method)
{
	bn_exec_cap cap = method == BN_EXEC_HTTP_GET ? BN_EXEC_CAP_HTTP_GET
						     : BN_EXEC_CAP_HTTP_POST;
	const char *url = a->s[0], *hdrs = a->s[1];
	const char *body = method == BN_EXEC_HTTP_POST ? a->s[2] : NULL;
	size_t body_len = method == BN_EXEC_HTTP_POST ? a->len[2] : 0;
	char *audit_url = NULL;
	const char **origins = NULL;
	http_headers hh = { 0 };
	json_t *hj = NULL;
	size_t norigins = 0;
	int32_t r;

	audit_url = url_for_audit(url);
	/* the policy is every origin granted for this capability */
	origins = calloc(h->grants->n ? h->grants->n : 1, sizeof(*origins));
	if (!origins) {
		r = fail(h, BN_EXEC_ABI_EIO, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < h->grants->n; i++)
		if (h->grants->v[i].cap == cap)
			origins[norigins++] = h->grants->v[i].scope;
	bn_exec_http_policy pol = BN_EXEC_HTTP_POLICY_INIT;
	pol.origins = origins;
	pol.n_origins = norigins;
	pol.body_max_bytes = h->http_body_max_bytes;
	/* the request may not outlast the run */
	uint64_t timeout = h->http_timeout_ms, left = time_left(h);
	pol.timeout_ms = (long)(left < timeout ? left : timeout);
	{
		const bn_exec_grant *g = NULL;
		for (size_t i = 0; !g && i < h->grants->n; i++) {
			const char *one[1] = { h->grants->v[i].scope };
			bn_exec_http_policy p1 = pol;
			p1.origins = one;
			p1.n_origins = 1;
			if (h->grants->v[i].cap == cap &&
			    bn_exec_http_origin_allowed(&p1, url))
				g = &h->grants->v[i];
		}
		char reason[256];
		if (!g) {
			snprintf(reason, sizeof(reason), "no grant of %s covers "
				 "this origin", bn_exec_cap_name(cap));
			audit(h, cap, audit_url, false, reason);
			r = fail(h, BN_EXEC_ABI_EDENIED, "%s of %s is not granted "
				 "to skill '%s'", bn_exec_cap_name(cap),
				 audit_url, h->skill);
			goto out;
		}
		snprintf(reason, sizeof(reason), "granted %s=%s",
			 bn_exec_cap_name(cap), g->scope);
		audit(h, cap, audit_url, true, reason);
	}
	if (*hdrs) {
		hj = json_loads(hdrs, JSON_REJECT_DUPLICATES, NULL);
		if (!json_is_object(hj)) {
			r = fail(h, BN_EXEC_ABI_EINVAL, "headers: not a JSON "
				 "object");
			goto out;
		}
		if ((r = headers_parse(&hh, h, hj, url)))
			goto out;
	}
	bn_exec_http_request req = {
		.method = method, .url = url,
		.headers = hh.plain, .n_headers = hh.nplain,
		.secret_headers = hh.secret, .n_secret_headers = hh.nsecret,
		/* never in the URL or body; scrubbed from what comes back */
		.scrub = hh.raw, .n_scrub = hh.nsecret,
		.body = body, .body_len = body_len,
	};
	bn_exec_http_response resp = { 0 };
	bn_err e;
	bn_err_init(&e);
	int hr = bn_exec_http_request_send(&resp, &pol, &req, &e);
	if (hr) {
		if (hr == BN_EDENIED)
			audit(h, cap, audit_url, false, e.msg);
		r = fail(h, hr == BN_EDENIED ? BN_EXEC_ABI_EDENIED :
			 hr == BN_ELIMIT ? BN_EXEC_ABI_ELIMIT :
			 hr == BN_EINVAL ? BN_EXEC_ABI_EINVAL : BN_EXEC_ABI_EIO,
			 "%s", e.msg);
		bn_exec_http_response_clear(&resp);
		goto out;
	}
	h->http_status = (int32_t)resp.status;
	r = (int32_t)resp.body_len;
	set_result(h, resp.body, resp.body_len);
	resp.body = NULL;
	bn_exec_http_response_clear(&resp);
out:
	headers_clear(&hh);
	json_decref(hj);
	free(origins);
	free(audit_url);
	return r;
}

static int host_http_status(bn_wasm_caller *c, const bn_wasm_val *a,
			    bn_wasm_val *res, void *payload)
{
	bn_exec_host *h = payload;
	ret(res, h->http_status);
	return 0;
}

/* ---- environment, secrets, memory ---------------------------------------- */

static int32_t do_read_env(bn_exec_host *h, const char *name)
{
	const char *v;

	if (!decide(h, BN_EXEC_CAP_READ_ENV, name, "read_env"))
		return BN_EXEC_ABI_EDENIED;
	v = getenv(name);
	if (!v)
		return fail(h, BN_EXEC_ABI_ENOTFOUND, "environment variable %s "
			    "is not set", name);
	set_result(h, bn_xstrdup(v), strlen(v));
	return (int32_t)strlen(v);
}

static int32_t do_get_secret(bn_exec_host *h, const char *name)
{
	bn_exec_vault_secret *sec = NULL;
	bn_exec_vault *vault = NULL;
	char *asked = bn_xasprintf("reveal:%s", name);
	bn_err e;
	int32_t r;

	if (!decide(h, BN_EXEC_CAP_GET_SECRET, asked,
		    "secret revealed to the module")) {
		free(asked);
		return BN_EXEC_ABI_EDENIED;
	}
	free(asked);
	bn_err_init(&e);
	db_wait_bound(h, true);
	int vr = bn_exec_vault_open(&vault, h->store, &e);
	if (!vr)
		vr = bn_exec_vault_get(&sec, vault, name, &e);
	db_wait_bound(h, false);
	if (vr) {
		r = fail(h, vr == BN_ENOTFOUND ? BN_EXEC_ABI_ENOTFOUND :
			 BN_EXEC_ABI_EIO, "%s", e.msg);
	} else {
		char *copy = bn_xmalloc(sec->len + 1);
		memcpy(copy, sec->data, sec->len);
		copy[sec->len] = '\0';
		set_result(h, copy, sec->len);
		r = (int32_t)sec->len;
	}
	bn_exec_vault_secret_free(sec);
	bn_exec_vault_free(vault);
	return r;
}

/* Search the bot's memory; the result is a JSON array. */
static int32_t recall(bn_exec_host *h, const char *query, unsigned limit)
{
	bn_exec_memory_item *items = NULL;
	size_t n = 0;
	json_t *a;
	char *text;
	bn_err e;

	bn_err_init(&e);
	db_wait_bound(h, true);
	int r = bn_exec_memory_search(&items, &n, h->store, h->bot, query,
				      limit, &e);
	db_wait_bound(h, false);
	if (r)
		return fail(h, e.code == BN_EINVAL ? BN_EXEC_ABI_EINVAL :
			    BN_EXEC_ABI_EIO, "%s", e.msg);
	a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "id", json_integer(items[i].id));
		json_object_set_new(o, "text", json_string(items[i].text));
		json_object_set_new(o, "created_at",
				    json_integer(items[i].created_at));
		json_array_append_new(a, o);
	}
	bn_exec_memory_items_free(items, n);
	text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	if (!text)
		return fail(h, BN_EXEC_ABI_EIO, "out of memory");
	set_result(h, text, strlen(text));
	return (int32_t)strlen(text);
}

static int32_t do_recall(bn_exec_host *h, const char *query, int32_t limit)
{
	if (!h->bot) {
		audit(h, BN_EXEC_CAP_RECALL_MEMORY, NULL, false,
		      "run without a bot: there is no memory to recall");
		return fail(h, BN_EXEC_ABI_EDENIED, "recall_memory needs a bot: "
			    "run the skill with --bot");
	}
	if (!decide(h, BN_EXEC_CAP_RECALL_MEMORY, "", "recall_memory"))
		return BN_EXEC_ABI_EDENIED;
	if (limit <= 0 || limit > 100)
		limit = 10;
	return recall(h, query, (unsigned)limit);
}

/* ---- the operations, on arguments copied out of the module -------------- */

static int32_t op(bn_exec_host *h, bn_exec_host_fn fn,
		  const bn_exec_host_args *a)
{
	switch (fn) {
	case BN_EXEC_HOST_HTTP_GET:
		return do_http(h, a, BN_EXEC_HTTP_GET);
	case BN_EXEC_HOST_HTTP_POST:
		return do_http(h, a, BN_EXEC_HTTP_POST);
	case BN_EXEC_HOST_READ_ENV:
		return do_read_env(h, a->s[0]);
	case BN_EXEC_HOST_GET_SECRET:
		return do_get_secret(h, a->s[0]);
	case BN_EXEC_HOST_RECALL_MEMORY:
		return do_recall(h, a->s[0], a->n);
	default:
		return fail(h, BN_EXEC_ABI_EINVAL, "unknown host function");
	}
}

int32_t bn_exec_host_op(bn_exec_host *h, bn_exec_host_fn fn,
			const bn_exec_host_args *a)
{
	int32_t r;

	if (time_left(h) == 0) {
		h->out_of_time = true;
		return fail(h, BN_EXEC_ABI_ELIMIT, "%s: the run's time limit "
			    "has passed", bn_exec_host_fn_name(fn));
	}
	r = op(h, fn, a);
	if (time_left(h) == 0)
		h->out_of_time = true;
	return r;
}

/* How each call's parameters are laid out: NSTR (pointer, length) pairs,
   then an i32 when HAS_INT.  BINARY_LAST: the last string may hold any
   bytes (a POST body). */
static const struct {
	const char *name;
	unsigned nstr;
	bool has_int;
	bool binary_last;
	const char *what[BN_EXEC_HOST_MAX_STR];
} layouts[BN_EXEC_HOST_FN_MAX] = {
	[BN_EXEC_HOST_HTTP_GET] = { "http_get", 2, false, false,
				    { "url", "headers", NULL } },
	[BN_EXEC_HOST_HTTP_POST] = { "http_post", 3, false, true,
				     { "url", "headers", "body" } },
	[BN_EXEC_HOST_READ_ENV] = { "read_env", 1, false, false,
				    { "name", NULL, NULL } },
	[BN_EXEC_HOST_GET_SECRET] = { "get_secret", 1, false, false,
				      { "name", NULL, NULL } },
	[BN_EXEC_HOST_RECALL_MEMORY] = { "recall_memory", 1, true, false,
					 { "query", NULL, NULL } },
};

void bn_exec_host_args_clear(bn_exec_host_args *a)
{
	for (int i = 0; i < BN_EXEC_HOST_MAX_STR; i++) {
		free(a->s[i]);
		a->s[i] = NULL;
		a->len[i] = 0;
	}
}

int32_t bn_exec_host_args_copy(bn_exec_host_args *out, bn_exec_host *h,
			       bn_wasm_caller *c, bn_exec_host_fn fn,
			       const bn_wasm_val *args)
{
	bn_wasm_memory *mem = bn_wasm_caller_memory(c);
	unsigned i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < layouts[fn].nstr; i++) {
		uint32_t ptr = arg(args, 2 * (int)i), len = arg(args,
							      2 * (int)i + 1);
		const char *what = layouts[fn].what[i];
		if (len > BN_EXEC_HOST_ARG_MAX) {
			bn_exec_host_args_clear(out);
			return fail(h, BN_EXEC_ABI_EINVAL, "%s: %u bytes, the "
				    "limit is %zu", what, len,
				    BN_EXEC_HOST_ARG_MAX);
		}
		if (!mem) {
			bn_exec_host_args_clear(out);
			return fail(h, BN_EXEC_ABI_EINVAL,
				    "the module has no memory");
		}
		out->s[i] = malloc((size_t)len + 1);
		if (!out->s[i]) {
			bn_exec_host_args_clear(out);
			return fail(h, BN_EXEC_ABI_EIO, "out of memory");
		}
		if (bn_wasm_memory_read(mem, ptr, out->s[i], len) != 0) {
			bn_exec_host_args_clear(out);
			return fail(h, BN_EXEC_ABI_EINVAL, "%s: [%u, +%u) is "
				    "outside the module's memory", what, ptr,
				    len);
		}
		out->s[i][len] = '\0';
		out->len[i] = len;
		bool binary = layouts[fn].binary_last &&
			      i + 1 == layouts[fn].nstr;
		if (!binary && memchr(out->s[i], '\0', len)) {
			bn_exec_host_args_clear(out);
			return fail(h, BN_EXEC_ABI_EINVAL, "%s holds a NUL byte",
				    what);
		}
	}
	if (layouts[fn].has_int)
		out->n = (int32_t)arg(args, 2 * (int)layouts[fn].nstr);
	return 0;
}

/* The in-process host function: copy, decide, act. */
static int host_call(bn_wasm_caller *c, const bn_wasm_val *args,
		     bn_wasm_val *res, void *payload)
{
	bn_exec_host_binding *b = payload;
	bn_exec_host_args a;
	int32_t r = bn_exec_host_args_copy(&a, b->host, c, b->fn, args);

	if (r == 0)
		r = bn_exec_host_op(b->host, b->fn, &a);
	bn_exec_host_args_clear(&a);
	ret(res, r);
	/* the call met the run's deadline: stop the module as it returns,
	   whether or not the run's timer has fired yet */
	if (b->host->out_of_time)
		bn_wasm_store_interrupt(bn_wasm_caller_store(c));
	return 0;
}

/* ---- results ------------------------------------------------------------- */

/* Copy the N bytes at P to [PTR, +N) of the calling module's memory;
   false when that is outside it. */
static bool guest_write(bn_wasm_caller *c, uint32_t ptr, const void *p,
			size_t n)
{
	bn_wasm_memory *mem = bn_wasm_caller_memory(c);
	return mem && bn_wasm_memory_write(mem, ptr, p, n) == 0;
}

static int host_result_read(bn_wasm_caller *c, const bn_wasm_val *a,
			    bn_wasm_val *res, void *payload)
{
	bn_exec_host *h = payload;
	uint32_t ptr = arg(a, 0), len = arg(a, 1);
	size_t n = h->result_len < len ? h->result_len : len;

	if (!h->result) {
		ret(res, fail(h, BN_EXEC_ABI_ENOTFOUND, "no pending result"));
		return 0;
	}
	if (!guest_write(c, ptr, h->result, n)) {
		ret(res, fail(h, BN_EXEC_ABI_EINVAL, "result_read: [%u, +%zu) "
			      "is outside the module's memory", ptr, n));
		return 0;
	}
	ret(res, (int32_t)n);
	return 0;
}

static int host_last_error(bn_wasm_caller *c, const bn_wasm_val *a,
			   bn_wasm_val *res, void *payload)
{
	bn_exec_host *h = payload;
	uint32_t ptr = arg(a, 0), len = arg(a, 1);
	size_t n = strlen(h->last_error);

	if (len == 0) {
		ret(res, (int32_t)n);
		return 0;
	}
	if (n >= len)
		n = len - 1;
	if (!guest_write(c, ptr, h->last_error, n) ||
	    !guest_write(c, ptr + n, "", 1)) {
		ret(res, BN_EXEC_ABI_EINVAL);
		return 0;
	}
	ret(res, (int32_t)n);
	return 0;
}

/* ---- definition ------------------------------------------------------------ */

static const uint8_t i32s[8] = { BN_WASM_I32, BN_WASM_I32, BN_WASM_I32,
				  BN_WASM_I32, BN_WASM_I32, BN_WASM_I32,
				  BN_WASM_I32, BN_WASM_I32 };

static int define_one(bn_wasm_linker *l, bn_wasm_store *s, const char *name,
		      uint32_t nparams, bn_wasm_host_fn fn, void *payload)
{
	bn_wasm_functype ft = { nparams, 1, i32s, i32s };
	bn_wasm_extern ext = { .kind = BN_WASM_EXTERN_FUNC };
	int r = bn_wasm_func_new_host(&ext.of.func, s, &ft, fn, payload);

	if (r)
		return r;
	return bn_wasm_linker_define(l, "bnity", name, &ext);
}

int bn_exec_host_define_with(bn_exec_host *h, bn_wasm_linker *l,
			     bn_wasm_store *s, bn_wasm_host_fn call)
{
	int r;

	for (int i = 0; i < BN_EXEC_HOST_FN_MAX; i++) {
		h->bindings[i].host = h;
		h->bindings[i].fn = (bn_exec_host_fn)i;
		r = define_one(l, s, layouts[i].name,
			       2 * layouts[i].nstr + (layouts[i].has_int ? 1 : 0),
			       call ? call : host_call, &h->bindings[i]);
		if (r)
			return r;
	}
	if ((r = define_one(l, s, "http_status", 0, host_http_status, h)) ||
	    (r = define_one(l, s, "result_read", 2, host_result_read, h)) ||
	    (r = define_one(l, s, "last_error", 2, host_last_error, h)))
		return r;
	return 0;
}

int bn_exec_host_define(bn_exec_host *h, bn_wasm_linker *l, bn_wasm_store *s)
{
	return bn_exec_host_define_with(h, l, s, NULL);
}

const char *bn_exec_host_fn_name(bn_exec_host_fn fn)
{
	return (unsigned)fn < BN_EXEC_HOST_FN_MAX ? layouts[fn].name : "?";
}

unsigned bn_exec_host_fn_nstr(bn_exec_host_fn fn)
{
	return (unsigned)fn < BN_EXEC_HOST_FN_MAX ? layouts[fn].nstr : 0;
}

void bn_exec_host_set_result(bn_exec_host *h, char *data, size_t len)
{
	set_result(h, data, len);
}

void bn_exec_host_set_error(bn_exec_host *h, const char *msg)
{
	snprintf(h->last_error, sizeof(h->last_error), "%s", msg);
}

void bn_exec_host_clear(bn_exec_host *h)
{
	free(h->result);
	h->result = NULL;
	h->result_len = 0;
}

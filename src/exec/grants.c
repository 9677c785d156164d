/* SPDX-License-Identifier: MIT */
/*
 * exec/grants.c - capability names, scope matching and the grants the
 * rows of store/grants.h hold (see grants.h).  The broker checks every host call against these rows.
 */
#include "grants.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "base/buf.h"
#include "store/grants.h"
#include "audit.h"

static const char *const cap_names[BN_EXEC_CAP_MAX] = {
	[BN_EXEC_CAP_READ_FILE] = "read_file",
	[BN_EXEC_CAP_WRITE_FILE] = "write_file",
	[BN_EXEC_CAP_HTTP_GET] = "http_get",
	[BN_EXEC_CAP_HTTP_POST] = "http_post",
	[BN_EXEC_CAP_EXEC_COMMAND] = "exec_command",
	[BN_EXEC_CAP_READ_ENV] = "read_env",
	[BN_EXEC_CAP_RECALL_MEMORY] = "recall_memory",
	[BN_EXEC_CAP_GET_SECRET] = "get_secret",
};

BN_STR_ENUM_NAME(bn_exec_cap, cap_names, NULL)

bool bn_exec_cap_parse(bn_exec_cap *out, const char *name, size_t len)
{
	for (int i = 0; i < BN_EXEC_CAP_MAX; i++) {
		if (strlen(cap_names[i]) == len &&
		    strncmp(cap_names[i], name, len) == 0) {
			*out = (bn_exec_cap)i;
			return true;
		}
	}
	return false;
}

bool bn_exec_cap_has_scope(bn_exec_cap c)
{
	return c != BN_EXEC_CAP_RECALL_MEMORY;
}

void bn_exec_grants_clear(bn_exec_grants *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->v[i].skill);
		free(g->v[i].bot);
		free(g->v[i].scope);
	}
	free(g->v);
	g->v = NULL;
	g->n = 0;
}

/* ---- origins ---------------------------------------------------------- */

typedef struct origin {
	char scheme[8];      /* "http" or "https" */
	char host[256];      /* lower case; may start with "*." */
	unsigned port;
} origin;

static bool parse_origin(origin *o, const char *s)
{
	const char *p = strstr(s, "://"), *h, *colon;
	size_t sl, hl;

	if (!p)
		return false;
	sl = (size_t)(p - s);
	if (sl >= sizeof(o->scheme))
		return false;
	for (size_t i = 0; i < sl; i++)
		o->scheme[i] = (char)tolower((unsigned char)s[i]);
	o->scheme[sl] = '\0';
	if (strcmp(o->scheme, "http") && strcmp(o->scheme, "https"))
		return false;
	h = p + 3;
	if (*h == '[') {   /* [v6]:port */
		const char *end = strchr(h, ']');
		if (!end)
			return false;
		hl = (size_t)(end - h) + 1;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] && end[1] != ':' && !(end[1] == '/' && !end[2]))
			return false;
	} else {
		colon = strchr(h, ':');
		hl = colon ? (size_t)(colon - h) : strcspn(h, "/");
		if (!colon && h[hl] == '/' && h[hl + 1])
			return false;   /* an origin has no path */
	}
	if (hl == 0 || hl >= sizeof(o->host))
		return false;
	for (size_t i = 0; i < hl; i++) {
		char c = (char)tolower((unsigned char)h[i]);
		if (!(isalnum((unsigned char)c) || strchr(".-*[]:_", c)))
			return false;
		o->host[i] = c;
	}
	o->host[hl] = '\0';
	if (strchr(o->host + (o->host[0] == '*' ? 1 : 0), '*'))
		return false;   /* a wildcard only as the first label */
	if (o->host[0] == '*' && o->host[1] != '.')
		return false;
	o->port = strcmp(o->scheme, "https") == 0 ? 443 : 80;
	if (colon) {
		char *end;
		unsigned long v;
		errno = 0;
		v = strtoul(colon + 1, &end, 10);
		if (errno || end == colon + 1 || v == 0 || v > 65535 ||
		    (*end && strcmp(end, "/")))
			return false;
		o->port = (unsigned)v;
	}
	return true;
}

static bool host_covers(const char *outer, const char *inner)
{
	size_t lo, li;

	if (strcmp(outer, inner) == 0)
		return true;
	if (outer[0] != '*')
		return false;
	/* "*.x.org" covers "a.x.org", "a.b.x.org" and "*.b.x.org" */
	lo = strlen(outer + 1);
	li = strlen(inner);
	return li > lo && strcmp(inner + li - lo, outer + 1) == 0;
}

static bool origin_covers(const char *outer, const char *inner)
{
	origin a, b;
	return parse_origin(&a, outer) && parse_origin(&b, inner) &&
	       strcmp(a.scheme, b.scheme) == 0 && a.port == b.port &&
	       host_covers(a.host, b.host);
}

/* ---- names and paths -------------------------------------------------- */

static bool name_covers(const char *outer, const char *inner)
{
	size_t lo = strlen(outer);
	if (lo && outer[lo - 1] == '*')
		return strncmp(outer, inner, lo - 1) == 0;
	return strcmp(outer, inner) == 0;
}

static bool path_covers(const char *outer, const char *inner)
{
	size_t lo = strlen(outer);
	if (strcmp(outer, "/") == 0)
		return inner[0] == '/';
	return strncmp(outer, inner, lo) == 0 &&
	       (inner[lo] == '\0' || inner[lo] == '/');
}

static const char *secret_name(const char *scope)
{
	return strncmp(scope, "reveal:", 7) == 0 ? scope + 7 : scope;
}

/*
 * A use-only secret scope is NAME@ORIGIN: the one origin that may receive
 * the value in a request header.  Splits SCOPE into its name (copied into
 * NAME[size]) and *at_origin (NULL when unbound); false if the name is
 * too long.
 */
static bool secret_split(char *name, size_t size, const char **at_origin,
			 const char *scope)
{
	const char *s = secret_name(scope), *at = strchr(s, '@');
	size_t n = at ? (size_t)(at - s) : strlen(s);

	*at_origin = at ? at + 1 : NULL;
	if (n >= size)
		return false;
	memcpy(name, s, n);
	name[n] = '\0';
	return true;
}

/* Whether secret scope OUTER (a grant) covers INNER (what is asked):
   reveal:NAME covers reading and any use; NAME@ORIGIN only use towards
   ORIGIN; an unbound NAME (a grant from before origins) covers nothing. */
static bool secret_covers(const char *outer, const char *inner)
{
	char on[160], in[160];
	const char *oo, *io;
	bool oreveal = strncmp(outer, "reveal:", 7) == 0;

	if (!secret_split(on, sizeof(on), &oo, outer) ||
	    !secret_split(in, sizeof(in), &io, inner) || !name_covers(on, in))
		return false;
	if (strncmp(inner, "reveal:", 7) == 0 || oreveal)
		return oreveal;
	return oo && io && origin_covers(oo, io);
}

bool bn_exec_scope_covers(bn_exec_cap c, const char *outer,
			  const char *inner)
{
	switch (c) {
	case BN_EXEC_CAP_READ_FILE:
	case BN_EXEC_CAP_WRITE_FILE:
		return path_covers(outer, inner);
	case BN_EXEC_CAP_HTTP_GET:
	case BN_EXEC_CAP_HTTP_POST:
		return origin_covers(outer, inner);
	case BN_EXEC_CAP_GET_SECRET:
		return secret_covers(outer, inner);
	case BN_EXEC_CAP_READ_ENV:
	case BN_EXEC_CAP_EXEC_COMMAND:
		return name_covers(outer, inner);
	case BN_EXEC_CAP_RECALL_MEMORY:
		return true;
	default:
		return false;
	}
}

static bool name_ok(const char *s, bool allow_star)
{
	size_t n = strlen(s);
	if (n == 0 || n > 128)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '*' && allow_star && i == n - 1)
			continue;
		if (!(isalnum(c) || c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

/* NAME@ORIGIN (origin normalised like an http grant's, no wildcard) or
   reveal:NAME; an unbound NAME is refused with the form to write. */
static int secret_normalize(char **out, const char *scope, bn_err *err)
{
	char name[160];
	const char *o;
	origin og;

	if (!secret_split(name, sizeof(name), &o, scope) ||
	    !name_ok(name, true))
		return bn_err_set(err, BN_EINVAL, "get_secret scope '%s': "
			"write NAME@https://api.example.com or reveal:NAME",
			scope);
	if (strncmp(scope, "reveal:", 7) == 0) {
		if (o)
			return bn_err_set(err, BN_EINVAL, "get_secret scope "
				"'%s': reveal:NAME takes no origin (the module "
				"reads the value)", scope);
		*out = bn_xstrdup(scope);
		return 0;
	}
	if (!o)
		return bn_err_set(err, BN_EINVAL, "get_secret=%s is not bound "
			"to an origin: write get_secret=%s@https://api."
			"example.com (the one origin that may receive it in a "
			"request header), or get_secret=reveal:%s to let the "
			"module read it", scope, name, name);
	if (!parse_origin(&og, o) || og.host[0] == '*')
		return bn_err_set(err, BN_EINVAL, "get_secret scope '%s': "
			"'%s' is not an origin: write scheme://host[:port] "
			"(http or https, no wildcard)", scope, o);
	*out = bn_xasprintf("%s@%s://%s:%u", name, og.scheme, og.host,
			    og.port);
	return 0;
}

int bn_exec_scope_normalize(char **out, bn_exec_cap c, const char *scope,
			    bn_err *err)
{
	origin o;
	char *p;

	switch (c) {
	case BN_EXEC_CAP_READ_FILE:
	case BN_EXEC_CAP_WRITE_FILE:
		p = realpath(scope, NULL);
		if (!p)
			return bn_err_set(err, BN_EINVAL, "%s scope '%s': %s",
					  cap_names[c], scope, strerror(errno));
		if (!bn_exec_scope_covers(c, "/", p)) {
			free(p);
			return BN_EINVAL;
		}
		struct stat st;
		if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
			bn_err_set(err, BN_EINVAL, "%s scope '%s' must be a "
				   "folder", cap_names[c], scope);
			free(p);
			return BN_EINVAL;
		}
		*out = p;
		return 0;
	case BN_EXEC_CAP_HTTP_GET:
	case BN_EXEC_CAP_HTTP_POST:
		if (!parse_origin(&o, scope))
			return bn_err_set(err, BN_EINVAL,
				"%s scope '%s' is not an origin: write "
				"scheme://host[:port] (http or https; the "
				"host may start with *.)", cap_names[c], scope);
		*out = bn_xasprintf("%s://%s:%u", o.scheme, o.host, o.port);
		return 0;
	case BN_EXEC_CAP_GET_SECRET:
		return secret_normalize(out, scope, err);
	case BN_EXEC_CAP_READ_ENV:
	case BN_EXEC_CAP_EXEC_COMMAND:
		if (!name_ok(scope, true))
			return bn_err_set(err, BN_EINVAL, "%s scope '%s': "
				"letters, digits, '_', '-', '.', and an "
				"optional final '*'", cap_names[c], scope);
		*out = bn_xstrdup(scope);
		return 0;
	case BN_EXEC_CAP_RECALL_MEMORY:
		if (*scope)
			return bn_err_set(err, BN_EINVAL,
					  "recall_memory takes no scope");
		*out = bn_xstrdup("");
		return 0;
	default:
		return bn_err_set(err, BN_EINVAL, "unknown capability");
	}
}

/* ---- declared capabilities ------------------------------------------- */

/* Split "cap=scope" into a capability and a scope ("" when none). */
static int parse_spec(bn_exec_cap *cap, const char **scope, const char *spec,
		      bn_err *err)
{
	const char *eq = strchr(spec, '=');
	size_t len = eq ? (size_t)(eq - spec) : strlen(spec);

	if (!bn_exec_cap_parse(cap, spec, len))
		return bn_err_set(err, BN_EINVAL,
			"unknown capability '%.*s' (known: read_file, "
			"write_file, http_get, http_post, exec_command, "
			"read_env, recall_memory, get_secret)", (int)len, spec);
	*scope = eq ? eq + 1 : "";
	return 0;
}

/* The scopes M declares for C; *declared false if C is not declared. */
static void declared_scopes(bn_strv *out, bool *declared,
			    const bn_skill_manifest *m, bn_exec_cap c)
{
	*declared = false;
	for (size_t i = 0; i < m->capabilities.n; i++) {
		bn_exec_cap dc;
		const char *scope = NULL;
		if (parse_spec(&dc, &scope, m->capabilities.v[i], NULL) ||
		    dc != c)
			continue;
		*declared = true;
		if (*scope)
			bn_strv_push(out, scope);
	}
}

/* Whether a declared (raw, as written) scope covers normalised SCOPE. */
static bool declared_covers(bn_exec_cap c, const char *declared,
			    const char *scope)
{
	char *norm = NULL;
	bool ok;

	if (c == BN_EXEC_CAP_READ_FILE || c == BN_EXEC_CAP_WRITE_FILE) {
		/* declared folders may not exist yet on this machine */
		return bn_exec_scope_covers(c, declared, scope) ||
		       (bn_exec_scope_normalize(&norm, c, declared, NULL) == 0 &&
			bn_exec_scope_covers(c, norm, scope) &&
			(free(norm), true));
	}
	if (c == BN_EXEC_CAP_GET_SECRET && !strchr(declared, '@') &&
	    strncmp(declared, "reveal:", 7) != 0) {
		/* a bare declaration proposes no origin: the grant gives one */
		char name[160];
		const char *o;
		return secret_split(name, sizeof(name), &o, scope) && o &&
		       strncmp(scope, "reveal:", 7) != 0 &&
		       name_covers(declared, name);
	}
	if (bn_exec_scope_normalize(&norm, c, declared, NULL))
		return false;
	ok = bn_exec_scope_covers(c, norm, scope);
	free(norm);
	return ok;
}

/* The limits by their JSON names, in bn_exec_limits order. */
static const struct limit_field {
	const char *name;
	size_t offset;
	uint64_t max;
} limit_fields[] = {
	{ "fuel", offsetof(bn_exec_limits, fuel), BN_EXEC_FUEL_MAX },
	{ "memory_bytes", offsetof(bn_exec_limits, memory_bytes),
	  BN_EXEC_MEMORY_BYTES_MAX },
	{ "timeout_ms", offsetof(bn_exec_limits, timeout_ms),
	  BN_EXEC_TIMEOUT_MS_MAX },
	{ "output_bytes", offsetof(bn_exec_limits, output_bytes),
	  BN_EXEC_OUTPUT_BYTES_MAX },
};
#define N_LIMIT_FIELDS (sizeof(limit_fields) / sizeof(limit_fields[0]))

static uint64_t *limit_at(bn_exec_limits *l, size_t i)
{
	return (uint64_t *)((char *)l + limit_fields[i].offset);
}

static uint64_t limit_of(const bn_exec_limits *l, size_t i)
{
	return *(const uint64_t *)((const char *)l + limit_fields[i].offset);
}

uint64_t bn_exec_limit_max(const char *name)
{
	for (size_t i = 0; i < N_LIMIT_FIELDS; i++)
		if (name && !strcmp(name, limit_fields[i].name))
			return limit_fields[i].max;
	return 0;
}

int bn_exec_limits_check(const bn_exec_limits *l, bn_err *err)
{
	for (size_t i = 0; i < N_LIMIT_FIELDS; i++)
		if (limit_of(l, i) > limit_fields[i].max)
			return bn_err_set(err, BN_EINVAL, "limit %s: %llu is "
				"out of range (1 to %llu)", limit_fields[i].name,
				(unsigned long long)limit_of(l, i),
				(unsigned long long)limit_fields[i].max);
	return 0;
}

static json_t *limits_json(const bn_exec_limits *l)
{
	json_t *o = json_object();
	for (size_t i = 0; i < N_LIMIT_FIELDS; i++)
		if (limit_of(l, i))
			json_object_set_new(o, limit_fields[i].name,
				json_integer((json_int_t)limit_of(l, i)));
	return o;
}

/* The limits stored as TEXT (NULL: none), each 1 to its maximum. */
static int limits_from_json(bn_exec_limits *l, const char *text,
			    bn_err *err)
{
	json_t *o;

	memset(l, 0, sizeof(*l));
	if (!text)
		return 0;
	o = json_loads(text, 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		return bn_err_set(err, BN_EINVAL, "limits: not a JSON object");
	}
	for (size_t i = 0; i < N_LIMIT_FIELDS; i++) {
		json_t *v = json_object_get(o, limit_fields[i].name);
		json_int_t n;
		if (!v)
			continue;
		n = json_integer_value(v);
		if (!json_is_integer(v) || n < 1 ||
		    (uint64_t)n > limit_fields[i].max) {
			char *shown = json_dumps(v, JSON_ENCODE_ANY);
			int r = bn_err_set(err, BN_EINVAL, "limit %s: %s is "
				"out of range (1 to %llu)", limit_fields[i].name,
				shown ? shown : "?",
				(unsigned long long)limit_fields[i].max);
			free(shown);
			json_decref(o);
			return r;
		}
		*limit_at(l, i) = (uint64_t)n;
	}
	json_decref(o);
	return 0;
}

static void fold(bn_exec_limits *l, const bn_exec_limits *o);

/* Into *L, the limits the grant row (SKILL, HASH, BOT, CAP, SCOPE) holds
   now (all 0 when there is no such row or it holds none). */
static int row_limits(bn_exec_limits *l, bn_store *s, const char *skill,
		      const char *hash, const char *bot, const char *cap,
		      const char *scope, bn_err *err)
{
	bn_store_grant *rows = NULL;
	size_t n = 0;
	int r = bn_store_grant_list(&rows, &n, s, skill, hash, bot, err);

	memset(l, 0, sizeof(*l));
	for (size_t i = 0; !r && i < n; i++)
		if (!strcmp(rows[i].bot, bot) &&
		    !strcmp(rows[i].capability, cap) &&
		    !strcmp(rows[i].scope, scope) &&
		    limits_from_json(l, rows[i].limits, NULL))
			memset(l, 0, sizeof(*l)); /* a bad stored value is
						     replaced */
	bn_store_grants_free(rows, n);
	return r;
}

/* Write one grant of M (to its identity: bn_store_skill_identity).  The
   limits given are set over those the row already holds, so a new
   --timeout-ms keeps an earlier --fuel. */
static int put_row(bn_store *s, const bn_skill_manifest *m, const char *bot,
		   const char *cap, const char *scope,
		   const bn_exec_limits *limits, bn_err *err)
{
	char *lj = NULL, hash[BN_SKILL_TREE_HASH_SIZE];
	const char *who = bot ? bot : BN_STORE_GRANT_EVERY_BOT;
	bn_exec_limits merged;
	int r = bn_store_skill_identity(hash, s, m->name, m->dir, err);

	if (r)
		return r;
	if (limits && (limits->fuel || limits->memory_bytes ||
		       limits->timeout_ms || limits->output_bytes)) {
		json_t *j;
		if ((r = row_limits(&merged, s, m->name, hash, who, cap,
				    scope, err)))
			return r;
		fold(&merged, limits);
		j = limits_json(&merged);
		lj = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(j);
	}
	r = bn_store_grant_put(s, m->name, hash, who, cap, scope, lj, err);
	free(lj);
	if (r)
		bn_err_prefix(err, "grants");
	return r;
}

static int add_one(bn_store *s, const bn_skill_manifest *m, const char *bot,
		   bn_exec_cap c, const char *scope, const bn_strv *declared,
		   const bn_exec_limits *limits, bn_strv *added, bn_err *err)
{
	char *norm = NULL;
	bool covered = declared->n == 0;
	int r;

	if (bn_exec_cap_has_scope(c) && !*scope)
		return bn_err_set(err, BN_EINVAL, "%s needs a scope: write "
				  "%s=SCOPE", cap_names[c], cap_names[c]);
	if ((r = bn_exec_scope_normalize(&norm, c, scope, err)))
		return r;
	for (size_t i = 0; !covered && i < declared->n; i++)
		covered = declared_covers(c, declared->v[i], norm);
	if (!covered) {
		r = bn_err_set(err, BN_EDENIED,
			"%s=%s exceeds what skill '%s' declares (%s=%s%s): a "
			"grant never exceeds the manifest", cap_names[c], scope,
			m->name, cap_names[c], declared->v[0],
			declared->n > 1 ? ", ..." : "");
		free(norm);
		return r;
	}
	r = put_row(s, m, bot, cap_names[c], norm, limits, err);
	if (!r && c == BN_EXEC_CAP_GET_SECRET) {
		/* a bound grant replaces one a migration suspended */
		char name[160];
		const char *o;
		if (secret_split(name, sizeof(name), &o, norm) && o)
			r = bn_store_grant_unsuspend(s, m->name, bot ? bot :
				BN_STORE_GRANT_EVERY_BOT, cap_names[c], name,
				err);
	}
	if (!r && added) {
		char *a = *norm ? bn_xasprintf("%s=%s", cap_names[c], norm)
				: bn_xstrdup(cap_names[c]);
		bn_strv_push(added, a);
		free(a);
	}
	free(norm);
	return r;
}

int bn_exec_grant_add(bn_store *s, const bn_skill_manifest *m,
		      const char *bot, const char *spec,
		      const bn_exec_limits *limits, bn_strv *added,
		      bn_err *err)
{
	bn_strv declared = { 0 };
	const char *scope = NULL;
	bool is_declared;
	bn_exec_cap c;
	int r;

	if (limits && (r = bn_exec_limits_check(limits, err)))
		return r;
	if (!spec)
		return put_row(s, m, bot, "limits", "", limits, err);
	if ((r = parse_spec(&c, &scope, spec, err)))
		return r;
	declared_scopes(&declared, &is_declared, m, c);
	if (!is_declared) {
		bn_strv_clear(&declared);
		return bn_err_set(err, BN_EDENIED,
			"skill '%s' does not declare %s in its metadata."
			"capabilities: a grant never exceeds the manifest",
			m->name, cap_names[c]);
	}
	if (*scope || !bn_exec_cap_has_scope(c) || declared.n == 0) {
		r = add_one(s, m, bot, c, scope, &declared, limits, added, err);
	} else {
		/* no scope given: grant what the manifest declares */
		for (size_t i = 0; i < declared.n && r == 0; i++)
			r = add_one(s, m, bot, c, declared.v[i], &declared,
				    limits, added, err);
	}
	bn_strv_clear(&declared);
	return r;
}

int bn_exec_grant_add_resolved(bn_store *s, const bn_store_skills *all,
			       const char *skill, const char *bot,
			       const char *const *specs, size_t n,
			       const bn_exec_limits *limits, bn_strv *added,
			       bn_err *err)
{
	const bn_store_skill *sk = bn_store_skills_find(all, skill);
	bn_skill_resolved res = { 0 };
	bn_skill_manifest view;
	int r;

	if (!sk)
		return bn_err_set(err, BN_ENOTFOUND, "no skill '%s'", skill);
	if ((r = bn_store_skill_resolve(&res, all, skill, err)))
		return r;
	/* what may be granted is the union declared along the ancestors */
	view = *sk->manifest;
	memset(&view.capabilities, 0, sizeof(view.capabilities));
	for (size_t i = 0; i < res.capabilities.n; i++)
		bn_strv_push(&view.capabilities, res.capabilities.v[i].value);
	if (n == 0)
		r = bn_exec_grant_add(s, &view, bot, NULL, limits, NULL, err);
	for (size_t i = 0; i < n && r == 0; i++)
		r = bn_exec_grant_add(s, &view, bot, specs[i], limits, added,
				      err);
	bn_strv_clear(&view.capabilities);
	bn_skill_resolved_clear(&res);
	return r;
}

int bn_exec_grant_revoke(bn_store *s, const char *skill, const char *bot,
			 const char *spec, size_t *removed_out, bn_err *err)
{
	const char *scope = "";
	char *norm = NULL;
	bn_exec_cap c = BN_EXEC_CAP_MAX;
	bool all = strcmp(spec, "all") == 0;
	bool limits = strcmp(spec, "limits") == 0;  /* the limits row only */
	size_t n = 0;
	int r;

	if (!all && !limits && (r = parse_spec(&c, &scope, spec, err)))
		return r;
	if (*scope && bn_exec_scope_normalize(&norm, c, scope, NULL))
		norm = bn_xstrdup(scope);   /* revoke what was typed */
	r = bn_store_grant_remove(&n, s, skill,
				  bot ? bot : BN_STORE_GRANT_EVERY_BOT,
				  all ? NULL : limits ? "limits" : cap_names[c],
				  norm, err);
	free(norm);
	if (r) {
		bn_err_prefix(err, "grants");
		return r;
	}
	if (removed_out)
		*removed_out = n;
	if (n == 0)
		return bn_err_set(err, BN_ENOTFOUND,
			"no grant %s of skill '%s' for %s%s", spec, skill,
			bot ? "bot " : "every bot", bot ? bot : "");
	return 0;
}

int bn_exec_grant_list(bn_exec_grants *out, bn_store *s, const char *skill,
		       const char *bot, bn_err *err)
{
	return bn_exec_grant_list_of(out, s, skill, NULL, bot, err);
}

int bn_exec_grant_list_of(bn_exec_grants *out, bn_store *s,
			  const char *skill, const char *hash,
			  const char *bot, bn_err *err)
{
	bn_exec_grants g = { 0 };
	bn_store_grant *rows = NULL;
	size_t n = 0;
	int r = bn_store_grant_list(&rows, &n, s, skill, hash, bot, err);

	if (r) {
		bn_err_prefix(err, "grants");
		return r;
	}
	g.v = n ? bn_xcalloc(n, sizeof(*g.v)) : NULL;
	for (size_t i = 0; i < n; i++) {
		bn_store_grant *row = &rows[i];
		bn_exec_grant *x = &g.v[g.n++];
		const char *cap = row->capability;
		x->skill = row->skill;
		x->bot = row->bot;
		x->scope = row->scope;
		row->skill = row->bot = row->scope = NULL;
		if (!bn_exec_cap_parse(&x->cap, cap, strlen(cap)))
			x->cap = BN_EXEC_CAP_MAX;
		x->granted_at = row->granted_at;
		if (limits_from_json(&x->limits, row->limits, err)) {
			bn_err_prefix(err, "the stored grant %s%s%s of skill "
				"'%s' for %s%s (set it again with `bnity skill "
				"grant`)", cap, *x->scope ? "=" : "", x->scope,
				x->skill, strcmp(x->bot, "*") ? "bot " :
				"every bot", strcmp(x->bot, "*") ? x->bot : "");
			bn_store_grants_free(rows, n);
			bn_exec_grants_clear(&g);
			return BN_EINVAL;
		}
	}
	bn_store_grants_free(rows, n);
	*out = g;
	return 0;
}

const bn_exec_grant *bn_exec_grant_find(const bn_exec_grants *g,
					bn_exec_cap c, const char *asked)
{
	for (size_t i = 0; i < g->n; i++) {
		if (g->v[i].cap != c)
			continue;
		if (!bn_exec_cap_has_scope(c) ||
		    bn_exec_scope_covers(c, g->v[i].scope, asked ? asked : ""))
			return &g->v[i];
	}
	return NULL;
}

static void fold(bn_exec_limits *l, const bn_exec_limits *o)
{
	if (o->fuel)
		l->fuel = o->fuel;
	if (o->memory_bytes)
		l->memory_bytes = o->memory_bytes;
	if (o->timeout_ms)
		l->timeout_ms = o->timeout_ms;
	if (o->output_bytes)
		l->output_bytes = o->output_bytes;
}

void bn_exec_grants_limits(bn_exec_limits *l, const bn_exec_grants *g)
{
	/* every-bot rows first, so a bot's own rows win */
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->v[i].bot, "*") == 0)
			fold(l, &g->v[i].limits);
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->v[i].bot, "*") != 0)
			fold(l, &g->v[i].limits);
}

/* ---- the command a refusal needs ----------------------------------------- */

/* Text a shell takes as one word: W, or W in single quotes (owned). */
static char *shell_word(const char *w)
{
	bn_buf b;

	if (*w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
			 "WXYZ0123456789_-./:=@,+*") == strlen(w))
		return bn_xstrdup(w);
	bn_buf_init(&b, 0);
	(void)bn_buf_puts(&b, "'");
	for (const char *p = w; *p; p++)
		(void)(*p == '\'' ? bn_buf_puts(&b, "'\\''") :
		       bn_buf_append(&b, p, 1));
	(void)bn_buf_puts(&b, "'");
	return bn_buf_take(&b);
}

/* The scope a grant of C takes for ASKED (owned): an HTTP grant names an
   origin where the call named a URL. */
static char *grant_scope(bn_exec_cap c, const char *asked)
{
	const char *host = strstr(asked, "://");
	size_t n = strlen(asked);

	if ((c == BN_EXEC_CAP_HTTP_GET || c == BN_EXEC_CAP_HTTP_POST) && host)
		n = (size_t)(host + 3 - asked) + strcspn(host + 3, "/?#");
	return bn_xstrndup(asked, n);
}

bool bn_exec_grant_command(char **spec_out, char **command_out, bn_store *s,
			   int64_t run_id, const char *skill, const char *bot,
			   const char *const *declared, size_t n_declared)
{
	json_t *o = NULL, *k;
	const char *cap = NULL, *asked = "";
	char *scope = NULL, *norm = NULL, *spec = NULL, *w[3] = { 0 };
	char *cmd = NULL;
	bool covered = false;
	bn_exec_cap c = BN_EXEC_CAP_MAX, dc;
	size_t i;

	*spec_out = *command_out = NULL;
	if (run_id <= 0 || bn_exec_audit_calls(&o, s, run_id, 0, 0, NULL))
		return false;
	json_array_foreach(json_object_get(o, "calls"), i, k) {
		if (json_is_true(json_object_get(k, "allowed")))
			continue;
		cap = json_string_value(json_object_get(k, "capability"));
		if (json_is_string(json_object_get(k, "scope")))
			asked = json_string_value(json_object_get(k, "scope"));
		break;
	}
	if (!cap || !bn_exec_cap_parse(&c, cap, strlen(cap)) ||
	    (c == BN_EXEC_CAP_GET_SECRET && !strchr(asked, '@')))
		goto out;
	scope = grant_scope(c, asked);
	if (bn_exec_cap_has_scope(c) &&
	    bn_exec_scope_normalize(&norm, c, scope, NULL))
		goto out;
	for (i = 0; i < n_declared && !covered; i++) {
		const char *ds = NULL;
		if (parse_spec(&dc, &ds, declared[i], NULL) || dc != c)
			continue;
		covered = !bn_exec_cap_has_scope(c) || !*ds ||
			  declared_covers(c, ds, norm);
	}
	if (!covered)
		goto out;
	/* an origin as the URL wrote it (the grant normalises it the same
	   way); a path as normalised (absolute) */
	if (c == BN_EXEC_CAP_HTTP_GET || c == BN_EXEC_CAP_HTTP_POST) {
		free(norm);
		norm = bn_xstrdup(scope);
	}
	spec = norm && *norm ? bn_xasprintf("%s=%s", cap_names[c], norm) :
	       bn_xstrdup(cap_names[c]);
	w[0] = shell_word(skill);
	w[1] = shell_word(spec);
	w[2] = bot ? shell_word(bot) : NULL;
	cmd = bn_xasprintf("bnity skill grant %s %s%s%s", w[0], w[1],
			   bot ? " --bot " : "", bot ? w[2] : "");
	*spec_out = spec;
	*command_out = cmd;
	spec = NULL;
out:
	for (i = 0; i < 3; i++)
		free(w[i]);
	free(spec);
	free(norm);
	free(scope);
	json_decref(o);
	return cmd != NULL;
}

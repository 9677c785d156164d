/* SPDX-License-Identifier: MIT */
/*
 * skill/yaml.c - the frontmatter's YAML as a small tree of string
 * scalars, sequences and mappings, built from libyaml's event parser.
 *
 * The events show what a document loader would hide, so strict mode can
 * refuse what the reference validator's strictyaml refuses (flow
 * collections, anchors, aliases, tags, duplicate keys) and say where.
 * The walk keeps its own stack, capped at BN_SKILL__YAML_MAX_DEPTH, and
 * counts nodes against BN_SKILL__YAML_MAX_NODES, so hostile nesting
 * cannot exhaust the C stack or memory.  Knows nothing of skills.
 *
 * YAML 1.1 as libyaml reads it; strictyaml: https://hitchdev.com/strictyaml/
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "skill/manifest_int.h"

#define PATH_MAX_PARTS 6 /* components of a field path in messages */

typedef struct anchor {
	char *name;             /* owned anchor name */
	const bn_ynode *node;   /* borrowed: lives in the tree */
} anchor;

/* The state of one parse: the open collections and the anchors. */
typedef struct walk {
	const char *file;       /* for messages */
	const char *text;       /* the YAML text, for messages */
	size_t len;             /* bytes of text */
	size_t first_line;      /* file line of the text's first line */
	unsigned flags;         /* BN_SKILL__YAML_* */
	bn_strv *warn;          /* lenient warnings, may be NULL */
	bn_err *err;
	bn_ynode *stack[BN_SKILL__YAML_MAX_DEPTH]; /* open collections */
	size_t depth;           /* entries of stack in use */
	bn_ynode *root;         /* the document's node, once complete */
	size_t nodes;           /* nodes made so far */
	size_t bytes;           /* scalar bytes held so far */
	int docs;               /* documents seen */
	int rc;                 /* the code of the failure, 0 if none */
	anchor *anchors;        /* lenient mode only */
	size_t n_anchors;
} walk;

void bn_ynode_free(bn_ynode *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->n; i++)
		bn_ynode_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

static bool key_is(const bn_ynode *k, const char *key)
{
	size_t kl = strlen(key);

	return k->kind == BN_YNODE_SCALAR && k->len == kl &&
	       memcmp(k->str, key, kl) == 0;
}

/* The index in MAP's kids of the last KEY (a duplicate key's last value
   wins), or -1. */
static ptrdiff_t key_index(const bn_ynode *map, const char *key)
{
	size_t i;

	if (!map || map->kind != BN_YNODE_MAP)
		return -1;
	for (i = map->n / 2; i-- > 0;)
		if (key_is(map->kids[2 * i], key))
			return (ptrdiff_t)(2 * i);
	return -1;
}

const bn_ynode *bn_ynode_key(const bn_ynode *map, const char *key)
{
	ptrdiff_t k = key_index(map, key);

	return k < 0 ? NULL : map->kids[k];
}

const bn_ynode *bn_ynode_get(const bn_ynode *map, const char *key)
{
	ptrdiff_t k = key_index(map, key);

	return k < 0 ? NULL : map->kids[k + 1];
}

static size_t line_of(const walk *w, const yaml_mark_t *m)
{
	return w->first_line + m->line;
}

/* The dotted path of keys to the node about to be added ("" at top). */
static void path_of(const walk *w, char *out, size_t cap)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < w->depth; i++) {
		const bn_ynode *c = w->stack[i];
		const bn_ynode *k;
		int n;

		if (i >= PATH_MAX_PARTS) {
			n = snprintf(out + used, cap - used, "...");
		} else if (c->kind == BN_YNODE_SEQ) {
			n = snprintf(out + used, cap - used, "[%zu]", c->n);
		} else {
			if (c->n % 2 == 0)
				break; /* a key is being read */
			k = c->kids[c->n - 1];
			n = snprintf(out + used, cap - used, "%s%.*s",
				     used ? "." : "", (int)(k->len > 64 ? 64 :
				     k->len), k->str);
		}
		if (n < 0 || (size_t)n >= cap - used)
			break;
		used += (size_t)n;
		if (i >= PATH_MAX_PARTS)
			break;
	}
	if (!out[0])
		snprintf(out, cap, "frontmatter");
}

static int fail(walk *w, int code, const yaml_mark_t *m, const char *what)
{
	char path[256];

	path_of(w, path, sizeof(path));
	bn_err_set(w->err, code, "%s:%zu: %s: %s", w->file, line_of(w, m),
		   path, what);
	w->rc = code;
	return code;
}

static bn_ynode *node_new(walk *w, bn_ynode_kind kind, const yaml_mark_t *m)
{
	bn_ynode *n;

	if (w->nodes >= BN_SKILL__YAML_MAX_NODES) {
		char msg[96];

		snprintf(msg, sizeof(msg), "more than %d YAML nodes",
			 BN_SKILL__YAML_MAX_NODES);
		fail(w, BN_ELIMIT, m, msg);
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		w->rc = bn_err_oom(w->err);
		return NULL;
	}
	n->kind = kind;
	n->line = line_of(w, m);
	w->nodes++;
	return n;
}

static int scalar_set(walk *w, bn_ynode *n, const char *s, size_t len,
		      const yaml_mark_t *m)
{
	char msg[96];

	/* Aliases copy their anchor: cap the total, or a few lines could
	 * ask for gigabytes. */
	if (len > BN_SKILL__YAML_MAX_BYTES - w->bytes) {
		snprintf(msg, sizeof(msg), "scalars (aliases expanded) pass "
			 "%zu bytes", BN_SKILL__YAML_MAX_BYTES);
		return fail(w, BN_ELIMIT, m, msg);
	}
	w->bytes += len;
	n->str = malloc(len + 1);
	if (!n->str)
		return w->rc = bn_err_oom(w->err);
	if (len)
		memcpy(n->str, s, len);
	n->str[len] = '\0';
	n->len = len;
	return 0;
}

static int kids_push(bn_ynode *c, bn_ynode *k)
{
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 8;
		bn_ynode **v = realloc(c->kids, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->kids = v;
		c->cap = ncap;
	}
	c->kids[c->n++] = k;
	return 0;
}

/* Is K (a key about to be added to MAP) already a key there? */
static const bn_ynode *dup_key(const bn_ynode *map, const bn_ynode *k)
{
	size_t i;

	for (i = 0; i + 1 < map->n; i += 2) {
		const bn_ynode *o = map->kids[i];

		if (o->len == k->len && memcmp(o->str, k->str, k->len) == 0)
			return o;
	}
	return NULL;
}

/* Hang the finished node N on its parent (or make it the root). */
static int attach(walk *w, bn_ynode *n, const yaml_mark_t *m)
{
	bn_ynode *p;
	const bn_ynode *d;
	char msg[160];

	if (w->depth == 0) {
		w->root = n;
		return 0;
	}
	p = w->stack[w->depth - 1];
	if (p->kind == BN_YNODE_MAP && p->n % 2 == 0) {
		if (n->kind != BN_YNODE_SCALAR) {
			bn_ynode_free(n);
			return fail(w, BN_EINVAL, m,
				    "a mapping key must be a plain string");
		}
		d = dup_key(p, n);
		if (d) {
			snprintf(msg, sizeof(msg),
				 "duplicate key '%.*s' (first on line %zu)",
				 (int)(n->len > 64 ? 64 : n->len), n->str,
				 d->line);
			if (w->flags & BN_SKILL__YAML_STRICT) {
				char full[192];

				snprintf(full, sizeof(full),
					 "invalid YAML: %s", msg);
				bn_ynode_free(n);
				return fail(w, BN_EINVAL, m, full);
			}
			if (w->warn) {
				char path[256];

				path_of(w, path, sizeof(path));
				bn_skill__say(w->warn, w->file, line_of(w, m),
					      path, "%s; the last one is used",
					      msg);
			}
		}
	}
	if (kids_push(p, n) < 0) {
		bn_ynode_free(n);
		return bn_err_oom(w->err);
	}
	return 0;
}

/* Strict mode: what strictyaml refuses, reported where it is. */
static int refuse(walk *w, const yaml_event_t *ev, const yaml_char_t *anch,
		  const yaml_char_t *tag, bool flow)
{
	const yaml_mark_t *m = &ev->start_mark;

	if (!(w->flags & BN_SKILL__YAML_STRICT))
		return 0;
	if (anch)
		return fail(w, BN_EINVAL, m, "invalid YAML: anchors (&name) "
			    "are not allowed");
	if (tag)
		return fail(w, BN_EINVAL, m, "invalid YAML: tags (!tag) are "
			    "not allowed; quote the value if it is text");
	if (flow)
		return fail(w, BN_EINVAL, m, "invalid YAML: flow style ([...] "
			    "or {...}) is not allowed; use block style, or "
			    "quote the value if it is text");
	return 0;
}

static int anchor_add(walk *w, const yaml_char_t *name, const bn_ynode *n)
{
	anchor *v;

	if (!name || (w->flags & BN_SKILL__YAML_STRICT))
		return 0;
	v = realloc(w->anchors, (w->n_anchors + 1) * sizeof(*v));
	if (!v)
		return w->rc = bn_err_oom(w->err);
	w->anchors = v;
	v[w->n_anchors].name = strdup((const char *)name);
	if (!v[w->n_anchors].name)
		return w->rc = bn_err_oom(w->err);
	v[w->n_anchors].node = n;
	w->n_anchors++;
	return 0;
}

/* Lenient mode: an alias becomes a copy of its scalar anchor. */
static int on_alias(walk *w, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	const bn_ynode *target = NULL;
	bn_ynode *n;
	size_t i;

	if (w->flags & BN_SKILL__YAML_STRICT)
		return fail(w, BN_EINVAL, &ev->start_mark, "invalid YAML: "
			    "aliases (*name) are not allowed");
	for (i = w->n_anchors; i-- > 0;)
		if (strcmp(w->anchors[i].name, name) == 0) {
			target = w->anchors[i].node;
			break;
		}
	if (!target)
		return fail(w, BN_EINVAL, &ev->start_mark,
			    "alias to an undefined anchor");
	n = node_new(w, BN_YNODE_SCALAR, &ev->start_mark);
	if (!n)
		return w->rc;
	if (target->kind == BN_YNODE_SCALAR) {
		if (scalar_set(w, n, target->str, target->len,
			       &ev->start_mark) < 0) {
			bn_ynode_free(n);
			return w->rc;
		}
	} else {
		if (scalar_set(w, n, "", 0, &ev->start_mark) < 0) {
			bn_ynode_free(n);
			return w->rc;
		}
		if (w->warn) {
			char path[256];

			path_of(w, path, sizeof(path));
			bn_skill__say(w->warn, w->file,
				      line_of(w, &ev->start_mark), path,
				      "alias to a collection ignored");
		}
	}
	return attach(w, n, &ev->start_mark);
}

static int on_scalar(walk *w, const yaml_event_t *ev)
{
	const yaml_char_t *tag = ev->data.scalar.tag;
	bn_ynode *n;
	int r;

	r = refuse(w, ev, ev->data.scalar.anchor, tag, false);
	if (r)
		return r;
	n = node_new(w, BN_YNODE_SCALAR, &ev->start_mark);
	if (!n)
		return w->rc;
	if (scalar_set(w, n, (const char *)ev->data.scalar.value,
		       ev->data.scalar.length, &ev->start_mark) < 0) {
		bn_ynode_free(n);
		return w->rc;
	}
	if (anchor_add(w, ev->data.scalar.anchor, n)) {
		bn_ynode_free(n);
		return w->rc;
	}
	return attach(w, n, &ev->start_mark);
}

static int on_start(walk *w, const yaml_event_t *ev, bn_ynode_kind kind)
{
	const yaml_char_t *anch, *tag;
	bool flow;
	bn_ynode *n;
	int r;

	if (kind == BN_YNODE_MAP) {
		anch = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		flow = ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
	} else {
		anch = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		flow = ev->data.sequence_start.style ==
		       YAML_FLOW_SEQUENCE_STYLE;
	}
	r = refuse(w, ev, anch, tag, flow);
	if (r)
		return r;
	if (w->depth >= BN_SKILL__YAML_MAX_DEPTH) {
		char msg[96];

		snprintf(msg, sizeof(msg), "nested deeper than %d levels",
			 BN_SKILL__YAML_MAX_DEPTH);
		return fail(w, BN_ELIMIT, &ev->start_mark, msg);
	}
	n = node_new(w, kind, &ev->start_mark);
	if (!n)
		return w->rc;
	if (w->depth > 0) {
		bn_ynode *p = w->stack[w->depth - 1];

		if (p->kind == BN_YNODE_MAP && p->n % 2 == 0) {
			bn_ynode_free(n);
			return fail(w, BN_EINVAL, &ev->start_mark,
				    "a mapping key must be a plain string");
		}
	}
	if (anchor_add(w, anch, n)) {
		bn_ynode_free(n);
		return w->rc;
	}
	w->stack[w->depth++] = n;
	return 0;
}

static int on_end(walk *w, const yaml_event_t *ev)
{
	bn_ynode *n = w->stack[--w->depth];

	return attach(w, n, &ev->start_mark);
}

static int on_event(walk *w, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++w->docs > 1)
			return fail(w, BN_EINVAL, &ev->start_mark,
				    "invalid YAML: more than one "
				    "document");
		return 0;
	case YAML_ALIAS_EVENT:
		return on_alias(w, ev);
	case YAML_SCALAR_EVENT:
		return on_scalar(w, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_start(w, ev, BN_YNODE_SEQ);
	case YAML_MAPPING_START_EVENT:
		return on_start(w, ev, BN_YNODE_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return on_end(w, ev);
	default:
		return 0;
	}
}

/* The scanner reads ahead of the events: when it fails, name the key
 * written at the start of line LINE (0-based) of the text, if any. */
static void key_on_line(const walk *w, size_t line, char *out, size_t cap)
{
	const char *p = w->text, *end = w->text + w->len, *nl, *k;

	while (line-- > 0 && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl)
		nl = end;
	while (p < nl && (*p == ' ' || *p == '-'))
		p++;
	for (k = p; k < nl && *k != ':' && *k != '#' && *k != '"' &&
	     *k != '\'' && *k != '[' && *k != '{' && *k != ' '; k++)
		;
	if (k > p && k < nl && *k == ':' && (size_t)(k - p) < cap)
		snprintf(out, cap, "%.*s", (int)(k - p), p);
}

/* libyaml's complaint, placed at the key being read when it failed. */
static int parse_error(walk *w, const yaml_parser_t *p)
{
	const yaml_mark_t *m = &p->problem_mark;
	char path[256];

	if (p->error == YAML_MEMORY_ERROR)
		return bn_err_oom(w->err);
	path_of(w, path, sizeof(path));
	if (strcmp(path, "frontmatter") == 0)
		key_on_line(w, m->line, path, sizeof(path));
	return bn_err_set(w->err, BN_EINVAL,
			  "%s:%zu: %s: invalid YAML: %s%s%s (column %zu)",
			  w->file, line_of(w, m), path,
			  p->problem ? p->problem : "error",
			  p->context ? " " : "", p->context ? p->context : "",
			  m->column + 1);
}

static void walk_clear(walk *w)
{
	size_t i;

	for (i = 0; i < w->depth; i++)
		bn_ynode_free(w->stack[i]);
	w->depth = 0;
	for (i = 0; i < w->n_anchors; i++)
		free(w->anchors[i].name);
	free(w->anchors);
	w->anchors = NULL;
	w->n_anchors = 0;
}

int bn_skill__yaml_parse(bn_ynode **out, const char *text, size_t len,
			 size_t first_line, const char *file, unsigned flags,
			 bn_strv *warn, bn_err *err)
{
	yaml_parser_t p;
	yaml_event_t ev;
	walk w = { .file = file, .text = text, .len = len,
		   .first_line = first_line, .flags = flags, .warn = warn,
		   .err = err };
	bn_err local;
	bool done = false;
	int r = 0;

	if (!err) {
		bn_err_init(&local);
		w.err = &local;
	}
	if (!yaml_parser_initialize(&p))
		return bn_err_oom(w.err);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			r = parse_error(&w, &p);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		r = on_event(&w, &ev);
		yaml_event_delete(&ev);
		if (r)
			break;
	}
	yaml_parser_delete(&p);
	if (r) {
		/* The root, once set, is no longer on the stack. */
		bn_ynode_free(w.root);
		walk_clear(&w);
		return r;
	}
	walk_clear(&w);
	*out = w.root;
	return 0;
}

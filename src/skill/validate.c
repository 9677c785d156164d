/* SPDX-License-Identifier: MIT */
/*
 * skill/validate.c - strict validation of a SKILL.md, rule by rule as the
 * Agent Skills specification states them and as its reference validator
 * (skills-ref: validator.py, parser.py) applies them:
 *
 *  - the frontmatter is a YAML mapping that strictyaml accepts;
 *  - only name, description, license, allowed-tools, metadata and
 *    compatibility may appear;
 *  - name: a non-empty string; stripped, then NFKC-normalised; at most 64
 *    code points; equal to its lowercase; no hyphen at either end, none
 *    doubled; only letters, digits (Unicode categories L and N) and '-';
 *    equal to the NFKC-normalised folder name;
 *  - description: a non-blank string of at most 1024 code points;
 *  - compatibility: a string of at most 500 code points.
 *
 * The spec also says license and allowed-tools are strings and metadata
 * maps strings to strings; the reference does not check these (it turns
 * metadata values into strings).  They are warnings here, errors under
 * BN_SKILL_VALIDATE_SPEC.  Also the Unicode helpers the rules need.
 *
 * Spec: https://agentskills.io/specification
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "skill/manifest_int.h"

static const char *const allowed_fields[] = {
	/* sorted, as the reference lists them */
	"allowed-tools", "compatibility", "description", "license",
	"metadata", "name",
};

void bn_skill__say(bn_strv *sv, const char *file, size_t line,
		   const char *field, const char *fmt, ...)
{
	char msg[BN_ERR_MAX];
	char *s;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		s = bn_xasprintf("%s:%zu: %s: %s", file, line, field, msg);
	else
		s = bn_xasprintf("%s: %s: %s", file, field, msg);
	bn_strv_push(sv, s);
	free(s);
}

/* The next code point of S (LEN bytes) at *I, or -1 (and one byte). */
static int32_t next_cp(const char *s, size_t len, size_t *i)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;

	n = utf8proc_iterate((const utf8proc_uint8_t *)s + *i,
			     (utf8proc_ssize_t)(len - *i), &cp);
	if (n <= 0) {
		(*i)++;
		return -1;
	}
	*i += (size_t)n;
	return cp;
}

size_t bn_skill__u8_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* Python's str.isspace(): what str.strip() removes. */
static bool is_py_space(int32_t c)
{
	return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) ||
	       c == 0x85 || c == 0xA0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
	       c == 0x202F || c == 0x205F || c == 0x3000;
}

/* The bytes [*b, *e) of S left after str.strip(). */
static void strip_span(const char *s, size_t len, size_t *b, size_t *e)
{
	size_t i = 0, end = 0, start = len;

	while (i < len) {
		size_t at = i;
		int32_t c = next_cp(s, len, &i);

		if (c >= 0 && is_py_space(c))
			continue;
		if (start == len)
			start = at;
		end = i;
	}
	if (start == len)
		start = end = 0;
	*b = start;
	*e = end;
}

bool bn_skill__is_blank(const char *s, size_t len)
{
	size_t b, e;

	strip_span(s, len, &b, &e);
	return b == e;
}

char *bn_skill__strip_dup(const char *s, size_t len)
{
	size_t b, e;

	strip_span(s, len, &b, &e);
	return bn_xstrndup(s + b, e - b);
}

/* S (LEN bytes) NFKC-normalised; owned. */
static char *nfkc(const char *s, size_t len, size_t *len_out)
{
	utf8proc_uint8_t *dst = NULL;
	utf8proc_ssize_t n;

	n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
			 &dst, UTF8PROC_STABLE | UTF8PROC_COMPOSE |
			 UTF8PROC_COMPAT);
	if (n == UTF8PROC_ERROR_NOMEM) {
		fprintf(stderr, "boternity: out of memory\n");
		abort();
	}
	if (n < 0) {
		/* Not UTF-8 (cannot happen after the file check): as is. */
		*len_out = len;
		return bn_xstrndup(s, len);
	}
	*len_out = (size_t)n;
	return (char *)dst;
}

char *bn_skill__name_norm(const char *s, size_t len, size_t *len_out)
{
	size_t b, e;

	strip_span(s, len, &b, &e);
	return nfkc(s + b, e - b, len_out);
}

static bool is_alnum_cp(int32_t c)
{
	utf8proc_category_t cat = utf8proc_category(c);

	return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
	       (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
}

static bool is_lower_str(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		int32_t c = next_cp(s, len, &i);

		if (c >= 0 && utf8proc_tolower(c) != c)
			return false;
	}
	return true;
}

/* The first code point that is neither alnum nor '-' (-1 if none). */
static int32_t bad_name_char(const char *s, size_t len, size_t *at)
{
	size_t i = 0;

	while (i < len) {
		size_t here = i;
		int32_t c = next_cp(s, len, &i);

		if (c < 0 || (c != '-' && !is_alnum_cp(c))) {
			*at = here;
			return c < 0 ? 0xFFFD : c;
		}
	}
	return -1;
}

size_t bn_skill__name_problems(bn_strv *out, const char *name, size_t len,
			       const char *dir_name, const char *file,
			       size_t line)
{
	size_t before = out->n, chars = bn_skill__u8_chars(name, len), at;
	int32_t bad;

	if (chars > BN_SKILL__NAME_MAX_CHARS)
		bn_skill__say(out, file, line, "name", "'%s' is %zu "
			      "characters; the limit is %d", name, chars,
			      BN_SKILL__NAME_MAX_CHARS);
	if (!is_lower_str(name, len))
		bn_skill__say(out, file, line, "name",
			      "'%s' must be lowercase", name);
	if (len && (name[0] == '-' || name[len - 1] == '-'))
		bn_skill__say(out, file, line, "name",
			      "'%s' must not start or end with a hyphen",
			      name);
	if (memmem(name, len, "--", 2))
		bn_skill__say(out, file, line, "name",
			      "'%s' must not contain consecutive hyphens",
			      name);
	bad = bad_name_char(name, len, &at);
	if (bad >= 0)
		bn_skill__say(out, file, line, "name",
			      "'%s' may hold only letters, digits and hyphens "
			      "(U+%04X at byte %zu is neither)", name,
			      (unsigned)bad, at);
	if (dir_name) {
		/* The reference normalises the folder name, unstripped. */
		size_t dl;
		char *d = nfkc(dir_name, strlen(dir_name), &dl);

		if (dl != len || memcmp(d, name, len) != 0)
			bn_skill__say(out, file, line, "name", "'%s' does not "
				      "match the folder name '%s'", name,
				      dir_name);
		free(d);
	}
	return out->n - before;
}

/* A rule of the spec that the reference does not enforce. */
static void spec_issue(bn_skill_report *r, unsigned flags, const char *file,
		       size_t line, const char *field, const char *what)
{
	if (flags & BN_SKILL_VALIDATE_SPEC)
		bn_skill__say(&r->errors, file, line, field, "%s", what);
	else
		bn_skill__say(&r->warnings, file, line, field, "%s (a rule "
			      "of the spec that other clients may enforce)",
			      what);
}

static bool is_allowed_field(const char *k)
{
	size_t i;

	for (i = 0; i < sizeof(allowed_fields) / sizeof(*allowed_fields); i++)
		if (strcmp(k, allowed_fields[i]) == 0)
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_unknown(bn_skill_report *r, const bn_ynode *root,
			  const char *file)
{
	bn_strv extra = { 0 };
	bn_buf b = BN_BUF_INIT;
	size_t i, line = 0;
	int rc = 0;

	for (i = 0; i + 1 < root->n; i += 2) {
		const bn_ynode *k = root->kids[i];

		if (is_allowed_field(k->str) || bn_strv_has(&extra, k->str))
			continue;
		if (!line)
			line = k->line;
		bn_strv_push(&extra, k->str);
	}
	if (!extra.n)
		return;
	if (extra.n > 1)
		qsort(extra.v, extra.n, sizeof(*extra.v), cmp_str);
	for (i = 0; i < extra.n; i++)
		rc |= bn_buf_printf(&b, "%s%s", i ? ", " : "", extra.v[i]);
	bn_skill__say(&r->errors, file, line, "frontmatter",
		      "unknown field%s: %s (allowed: allowed-tools, "
		      "compatibility, description, license, metadata, name)",
		      extra.n > 1 ? "s" : "", rc ? "?" : bn_buf_cstr(&b));
	bn_buf_clear(&b);
	bn_strv_clear(&extra);
}

static void check_name(bn_skill_report *r, const bn_ynode *root,
		       const char *file, const char *dir_name)
{
	const bn_ynode *k = bn_ynode_key(root, "name");
	const bn_ynode *v = bn_ynode_get(root, "name");
	size_t len;
	char *name;

	if (!v) {
		bn_skill__say(&r->errors, file, 0, "name",
			      "missing (a required field)");
		return;
	}
	if (v->kind != BN_YNODE_SCALAR || bn_skill__is_blank(v->str, v->len)) {
		bn_skill__say(&r->errors, file, k->line, "name",
			      "must be a non-empty string");
		return;
	}
	name = bn_skill__name_norm(v->str, v->len, &len);
	bn_skill__name_problems(&r->errors, name, len, dir_name, file,
				k->line);
	free(name);
}

static void check_text_field(bn_skill_report *r, const bn_ynode *root,
			     const char *file, const char *field,
			     bool required, size_t max_chars)
{
	const bn_ynode *k = bn_ynode_key(root, field);
	const bn_ynode *v = bn_ynode_get(root, field);
	size_t chars;

	if (!v) {
		if (required)
			bn_skill__say(&r->errors, file, 0, field,
				      "missing (a required field)");
		return;
	}
	if (v->kind != BN_YNODE_SCALAR ||
	    (required && bn_skill__is_blank(v->str, v->len))) {
		bn_skill__say(&r->errors, file, k->line, field, "%s",
			      required ? "must be a non-empty string" :
			      "must be a string");
		return;
	}
	chars = bn_skill__u8_chars(v->str, v->len);
	if (chars > max_chars)
		bn_skill__say(&r->errors, file, k->line, field,
			      "is %zu characters; the limit is %zu", chars,
			      max_chars);
}

static void check_string_type(bn_skill_report *r, unsigned flags,
			      const bn_ynode *root, const char *file,
			      const char *field)
{
	const bn_ynode *k = bn_ynode_key(root, field);
	const bn_ynode *v = bn_ynode_get(root, field);

	if (v && v->kind != BN_YNODE_SCALAR)
		spec_issue(r, flags, file, k->line, field, "must be a string");
}

static void check_boternity(bn_skill_report *r, const bn_ynode *key,
			    const bn_ynode *v, const char *file)
{
	if (v->kind != BN_YNODE_SCALAR)
		return;
	if (strcmp(key->str, "type") == 0 && strcmp(v->str, "prompt") != 0 &&
	    strcmp(v->str, "tool") != 0)
		bn_skill__say(&r->warnings, file, key->line, "metadata.type",
			      "'%s' is neither 'prompt' nor 'tool'; boternity "
			      "loads it as a prompt skill", v->str);
	if (strcmp(key->str, "version") == 0 && !bn_skill_is_semver(v->str))
		bn_skill__say(&r->warnings, file, key->line,
			      "metadata.version", "'%s' is not a semantic "
			      "version (MAJOR.MINOR.PATCH)", v->str);
}

static void check_metadata(bn_skill_report *r, unsigned flags,
			   const bn_ynode *root, const char *file)
{
	const bn_ynode *k = bn_ynode_key(root, "metadata");
	const bn_ynode *v = bn_ynode_get(root, "metadata");
	size_t i;

	if (!v)
		return;
	if (v->kind == BN_YNODE_SCALAR) {
		if (!bn_skill__is_blank(v->str, v->len))
			spec_issue(r, flags, file, k->line, "metadata",
				   "must be a mapping of strings to strings");
		return;
	}
	if (v->kind != BN_YNODE_MAP) {
		spec_issue(r, flags, file, k->line, "metadata",
			   "must be a mapping of strings to strings");
		return;
	}
	for (i = 0; i + 1 < v->n; i += 2) {
		const bn_ynode *mk = v->kids[i], *mv = v->kids[i + 1];
		char field[96];

		snprintf(field, sizeof(field), "metadata.%.80s", mk->str);
		if (mv->kind == BN_YNODE_SEQ)
			spec_issue(r, flags, file, mk->line, field,
				   "must be a string, not a list; write the "
				   "items separated by spaces");
		else if (mv->kind == BN_YNODE_MAP)
			spec_issue(r, flags, file, mk->line, field,
				   "must be a string, not a mapping");
		else
			check_boternity(r, mk, mv, file);
	}
}

static void check_fields(bn_skill_report *r, const bn_ynode *root,
			 const char *file, const char *dir_name,
			 unsigned flags)
{
	check_unknown(r, root, file);
	check_name(r, root, file, dir_name);
	check_text_field(r, root, file, "description", true,
			 BN_SKILL__DESC_MAX_CHARS);
	check_text_field(r, root, file, "compatibility", false,
			 BN_SKILL__COMPAT_MAX_CHARS);
	check_string_type(r, flags, root, file, "license");
	check_string_type(r, flags, root, file, "allowed-tools");
	check_metadata(r, flags, root, file);
}

bool bn_skill__check_text(bn_skill_report *r, const char *text, size_t len,
			  const char *file, const char *dir_name,
			  unsigned flags)
{
	size_t before = r->errors.n;
	bn_skill__split s;
	bn_ynode *root = NULL;
	bn_err e;

	bn_err_init(&e);
	if (bn_skill__split_text(&s, text, len, file, true, &e)) {
		bn_strv_push(&r->errors, e.msg);
		return false;
	}
	if (bn_skill__yaml_parse(&root, s.fm, s.fm_len, 2, file,
				 BN_SKILL__YAML_STRICT, NULL, &e)) {
		bn_strv_push(&r->errors, e.msg);
		goto out;
	}
	if (!root || root->kind != BN_YNODE_MAP) {
		bn_skill__say(&r->errors, file, root ? root->line : 2,
			      "frontmatter", "must be a YAML mapping of "
			      "fields (name: ..., description: ...)");
		goto out;
	}
	check_fields(r, root, file, dir_name, flags);
out:
	bn_ynode_free(root);
	bn_skill__split_clear(&s);
	return r->errors.n == before;
}

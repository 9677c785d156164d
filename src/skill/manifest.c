/* SPDX-License-Identifier: MIT */
/*
 * skill/manifest.c - SKILL.md files: finding one in a folder, splitting
 * frontmatter from body, lenient loading into bn_skill_manifest (with
 * boternity's own fields from metadata, in the string form and the
 * earlier list form), the read-properties JSON and the prompt catalog.
 *
 * Strict rules live in validate.c, the YAML walk in yaml.c.  Loading
 * follows the Agent Skills client guide: warn about what a strict check
 * would refuse, skip a skill only when its description is missing or its
 * YAML cannot be read even after quoting values with an unquoted ": ".
 *
 * Spec: https://agentskills.io/specification;
 * reference: agentskills/agentskills skills-ref (parser.py, prompt.py).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/fs.h"
#include "skill/manifest_int.h"
#include "skill/semver.h"

/* ---- string lists and reports ---- */


void bn_skill_report_clear(bn_skill_report *r)
{
	bn_strv_clear(&r->errors);
	bn_strv_clear(&r->warnings);
}

const char *bn_skill_type_name(bn_skill_type t)
{
	return t == BN_SKILL_TYPE_TOOL ? "tool" : "prompt";
}

/* ---- semantic versions (semver.org 2.0.0) ---- */

bool bn_skill_is_semver(const char *s)
{
	bn_semver v;

	return bn_semver_parse(&v, s, BN_SEMVER_STRICT);
}

/* ---- finding and splitting ---- */

static char *abs_dir(const char *dir)
{
	char buf[PATH_MAX];

	if (realpath(dir, buf))
		return bn_xstrdup(buf);
	return bn_xstrdup(dir);
}

static char *parent_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return bn_xstrdup(".");
	if (slash == path)
		return bn_xstrdup("/");
	return bn_xstrndup(path, (size_t)(slash - path));
}

static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int bn_skill_find_file(char **file_out, char **dir_out, const char *path,
		       bn_err *err)
{
	static const char *const names[] = { "SKILL.md", "skill.md" };
	struct stat st;
	char *dir, *file;
	size_t i;

	if (stat(path, &st) < 0)
		return bn_err_set(err, errno == ENOENT ? BN_ENOTFOUND : BN_EIO,
				  "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		dir = abs_dir(path);
	} else if (strcasecmp(base_of(path), "skill.md") == 0) {
		/* As the reference: the file's folder, SKILL.md first. */
		char *p = parent_of(path);

		dir = abs_dir(p);
		free(p);
	} else {
		return bn_err_set(err, BN_EINVAL, "%s: not a skill folder nor "
				  "a SKILL.md file", path);
	}
	for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
		file = bn_fs_join(dir, names[i]);
		if (bn_fs_is_file(file)) {
			*file_out = file;
			*dir_out = dir;
			return 0;
		}
		free(file);
	}
	bn_err_set(err, BN_ENOTFOUND, "%s: missing SKILL.md (a skill folder "
		   "holds a SKILL.md file)", dir);
	free(dir);
	return BN_ENOTFOUND;
}

static size_t line_at(const char *s, size_t off)
{
	size_t i, line = 1;

	for (i = 0; i < off; i++)
		if (s[i] == '\n')
			line++;
	return line;
}

/* Is [p, p+n) a "---" line (trailing blanks allowed)? */
static bool is_marker(const char *p, size_t n)
{
	size_t i;

	if (n < 3 || memcmp(p, "---", 3) != 0)
		return false;
	for (i = 3; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return false;
	return true;
}

void bn_skill__split_clear(bn_skill__split *s)
{
	free(s->text);
	memset(s, 0, sizeof(*s));
}

/* Copy SRC to a new string with CRLF and lone CR made LF (as Python's
 * universal newlines, which the reference reads with). */
static char *lf_dup(const char *src, size_t len, size_t *len_out)
{
	char *d = malloc(len + 1);
	size_t i, o = 0;

	if (!d)
		return NULL;
	for (i = 0; i < len; i++) {
		if (src[i] == '\r') {
			d[o++] = '\n';
			if (i + 1 < len && src[i + 1] == '\n')
				i++;
		} else {
			d[o++] = src[i];
		}
	}
	d[o] = '\0';
	*len_out = o;
	return d;
}

int bn_skill__split_text(bn_skill__split *s, const char *text, size_t len,
			 const char *file, bool strict, bn_err *err)
{
	const char *p, *end, *nl;
	size_t bad;

	memset(s, 0, sizeof(*s));
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		if (strict)
			return bn_err_set(err, BN_EINVAL, "%s:1: frontmatter: "
					  "the file starts with a UTF-8 byte "
					  "order mark; remove it ('---' must "
					  "be the first bytes)", file);
		s->had_bom = true;
		text += 3;
		len -= 3;
	}
	bad = bn_utf8_valid_len(text, len);
	if (bad < len)
		return bn_err_set(err, BN_EINVAL, "%s:%zu: not valid UTF-8 "
				  "(byte %zu); is it a text file?", file,
				  line_at(text, bad),
				  bad + (s->had_bom ? 3 : 0));
	if (len == 0)
		return bn_err_set(err, BN_EINVAL, "%s:1: frontmatter: "
				  "missing; the file is empty", file);
	s->text = lf_dup(text, len, &s->len);
	if (!s->text)
		return bn_err_oom(err);
	p = s->text;
	end = s->text + s->len;
	nl = memchr(p, '\n', s->len);
	if (!is_marker(p, (size_t)((nl ? nl : end) - p))) {
		bn_skill__split_clear(s);
		return bn_err_set(err, BN_EINVAL, "%s:1: frontmatter: "
				  "missing; SKILL.md must start with a '---' "
				  "line, then YAML, then another '---' line",
				  file);
	}
	s->fm = nl ? nl + 1 : end;
	for (p = s->fm; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (is_marker(p, (size_t)(nl - p))) {
			s->fm_len = (size_t)(p - s->fm);
			s->body = nl < end ? nl + 1 : end;
			s->body_len = (size_t)(end - s->body);
			return 0;
		}
		if (nl == end)
			break;
	}
	bn_skill__split_clear(s);
	return bn_err_set(err, BN_EINVAL, "%s:1: frontmatter: not closed; no "
			  "'---' line after the opening one", file);
}

/* ---- the ": " retry of the client guide ---- */

static bool plain_key(const char *p, size_t n)
{
	return n > 0 && !strchr("\"'#[{&*!|>%@`?", p[0]) &&
	       !memchr(p, '#', n);
}

/* Rewrite one line into OUT when it needs quoting; true if it did. */
static bool quote_line(bn_buf *out, const char *p, size_t n)
{
	size_t i = 0, k, v, e, j;
	const char *sep;
	int rc = 0;

	while (i < n && p[i] == ' ')
		i++;
	while (i + 1 < n && p[i] == '-' && p[i + 1] == ' ')
		for (i += 2; i < n && p[i] == ' '; i++)
			;
	k = i;
	sep = memmem(p + k, n - k, ": ", 2);
	if (!sep || !plain_key(p + k, (size_t)(sep - (p + k))))
		return false;
	v = (size_t)(sep - p) + 2;
	while (v < n && (p[v] == ' ' || p[v] == '\t'))
		v++;
	e = n;
	while (e > v && (p[e - 1] == ' ' || p[e - 1] == '\t'))
		e--;
	if (v == e || strchr("\"'|>[{&*!#", p[v]) ||
	    !memmem(p + v, e - v, ": ", 2))
		return false;
	rc |= bn_buf_append(out, p, v);
	rc |= bn_buf_puts(out, "\"");
	for (j = v; j < e; j++) {
		if (p[j] == '"' || p[j] == '\\')
			rc |= bn_buf_puts(out, "\\");
		rc |= bn_buf_append(out, p + j, 1);
	}
	rc |= bn_buf_puts(out, "\"");
	return rc == 0;
}

size_t bn_skill__quote_retry(bn_buf *out, const char *fm, size_t fm_len,
			     size_t *lines, size_t lines_max)
{
	const char *p = fm, *end = fm + fm_len, *nl;
	size_t line = 0, count = 0;
	bn_buf b = BN_BUF_INIT;
	int rc = 0;

	for (; p < end; p = nl + 1, line++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (quote_line(&b, p, (size_t)(nl - p))) {
			if (count < lines_max)
				lines[count] = line;
			count++;
		} else {
			rc |= bn_buf_append(&b, p, (size_t)(nl - p));
		}
		if (nl < end)
			rc |= bn_buf_puts(&b, "\n");
		if (nl == end)
			break;
	}
	if (rc || count == 0) {
		bn_buf_clear(&b);
		return 0;
	}
	bn_buf_clear(out);
	*out = b;
	return count;
}

/* ---- lenient load ---- */

#define RETRY_LINES_MAX 32

/* Parse leniently, retrying with quoted ": " values; warnings to R. */
static int parse_lenient(bn_ynode **root, const bn_skill__split *s,
			 const char *file, bn_skill_report *r, bn_err *err)
{
	size_t lines[RETRY_LINES_MAX], n, i;
	bn_strv warn = { 0 };
	bn_buf q = BN_BUF_INIT;
	bn_err first, again;
	int rc;

	bn_err_init(&first);
	rc = bn_skill__yaml_parse(root, s->fm, s->fm_len, 2, file, 0, &warn,
				  &first);
	if (rc == BN_EINVAL) {
		n = bn_skill__quote_retry(&q, s->fm, s->fm_len, lines,
					  RETRY_LINES_MAX);
		bn_strv_clear(&warn);
		bn_err_init(&again);
		if (n && bn_skill__yaml_parse(root, q.data, q.len, 2, file, 0,
					      &warn, &again) == 0) {
			rc = 0;
			for (i = 0; i < n && i < RETRY_LINES_MAX; i++)
				bn_skill__say(&warn, file, lines[i] + 2,
					      "frontmatter", "a value with an "
					      "unquoted ': ' was read as a "
					      "quoted string");
		}
		bn_buf_clear(&q);
	}
	if (rc) {
		bn_strv_clear(&warn);
		return bn_err_set(err, rc, "%s", first.msg);
	}
	for (i = 0; i < warn.n; i++)
		if (r)
			bn_strv_push(&r->warnings, warn.v[i]);
	bn_strv_clear(&warn);
	return 0;
}

static void warn(bn_skill_report *r, const char *file, size_t line,
		 const char *field, const char *what)
{
	if (r)
		bn_skill__say(&r->warnings, file, line, field, "%s", what);
}

/* The items of a list field: space-separated string or legacy list. */
static void list_field(bn_strv *out, const bn_ynode *v)
{
	size_t i;

	if (!v)
		return;
	if (v->kind == BN_YNODE_SCALAR) {
		char *dup = bn_xstrdup(v->str), *save = NULL, *tok;

		for (tok = strtok_r(dup, " \t\n", &save); tok;
		     tok = strtok_r(NULL, " \t\n", &save))
			if (!bn_strv_has(out, tok))
				bn_strv_push(out, tok);
		free(dup);
		return;
	}
	if (v->kind != BN_YNODE_SEQ)
		return;
	for (i = 0; i < v->n; i++) {
		const bn_ynode *it = v->kids[i];
		char *s;

		if (it->kind != BN_YNODE_SCALAR)
			continue;
		s = bn_skill__strip_dup(it->str, it->len);
		if (*s && !bn_strv_has(out, s))
			bn_strv_push(out, s);
		free(s);
	}
}

/* A scalar, or a list of scalars joined by spaces; NULL otherwise. */
static char *flat_string(const bn_ynode *v)
{
	bn_buf b = BN_BUF_INIT;
	size_t i;
	int rc = 0;

	if (v->kind == BN_YNODE_SCALAR)
		return bn_xstrdup(v->str);
	if (v->kind != BN_YNODE_SEQ)
		return NULL;
	for (i = 0; i < v->n; i++) {
		if (v->kids[i]->kind != BN_YNODE_SCALAR) {
			bn_buf_clear(&b);
			return NULL;
		}
		rc |= bn_buf_printf(&b, "%s%s", i ? " " : "",
				    v->kids[i]->str);
	}
	if (rc) {
		bn_buf_clear(&b);
		return NULL;
	}
	if (!b.data)
		return bn_xstrdup("");
	return bn_buf_take(&b);
}

static void meta_set(bn_skill_manifest *m, const char *k, const char *v)
{
	size_t i;

	for (i = 0; i < m->meta_keys.n; i++)
		if (strcmp(m->meta_keys.v[i], k) == 0) {
			free(m->meta_vals.v[i]);
			m->meta_vals.v[i] = bn_xstrdup(v);
			return;
		}
	bn_strv_push(&m->meta_keys, k);
	bn_strv_push(&m->meta_vals, v);
}

static void load_metadata(bn_skill_manifest *m, const bn_ynode *md,
			  const bn_ynode *mk, bn_skill_report *r)
{
	size_t i;

	if (md->kind != BN_YNODE_MAP) {
		if (md->kind != BN_YNODE_SCALAR ||
		    !bn_skill__is_blank(md->str, md->len))
			warn(r, m->file, mk->line, "metadata",
			     "not a mapping; ignored");
		return;
	}
	for (i = 0; i + 1 < md->n; i += 2) {
		const bn_ynode *k = md->kids[i], *v = md->kids[i + 1];
		char *s = flat_string(v);
		char field[96];

		if (!s) {
			snprintf(field, sizeof(field), "metadata.%.80s",
				 k->str);
			warn(r, m->file, k->line, field,
			     "not a string nor a list of strings; ignored");
			continue;
		}
		meta_set(m, k->str, s);
		free(s);
	}
	list_field(&m->capabilities, bn_ynode_get(md, "capabilities"));
	list_field(&m->parents, bn_ynode_get(md, "parents"));
	list_field(&m->dependencies, bn_ynode_get(md, "dependencies"));
	list_field(&m->conflicts_with, bn_ynode_get(md, "conflicts-with"));
	list_field(&m->secrets, bn_ynode_get(md, "secrets"));
}

static void load_boternity(bn_skill_manifest *m, const bn_ynode *md,
			   bn_skill_report *r)
{
	const char *type = bn_skill_manifest_meta(m, "type");
	const char *ver = bn_skill_manifest_meta(m, "version");
	const char *author = bn_skill_manifest_meta(m, "author");
	const bn_ynode *k;

	if (!type)
		type = bn_skill_manifest_meta(m, "skill-type");
	if (type && strcmp(type, "tool") == 0) {
		m->type = BN_SKILL_TYPE_TOOL;
	} else if (type && strcmp(type, "prompt") != 0) {
		k = bn_ynode_key(md, bn_ynode_key(md, "type") ? "type" :
				 "skill-type");
		warn(r, m->file, k ? k->line : 0, "metadata.type",
		     "neither 'prompt' nor 'tool'; loaded as a prompt skill");
	}
	if (ver) {
		m->version = bn_xstrdup(ver);
		if (!bn_skill_is_semver(ver)) {
			k = bn_ynode_key(md, "version");
			warn(r, m->file, k ? k->line : 0, "metadata.version",
			     "not a semantic version (MAJOR.MINOR.PATCH)");
		}
	}
	if (author)
		m->author = bn_xstrdup(author);
}

/* An optional top-level string field (lists of strings are joined). */
static char *opt_string(const bn_ynode *root, const char *field,
			const char *file, bn_skill_report *r)
{
	const bn_ynode *v = bn_ynode_get(root, field);
	char *s;

	if (!v)
		return NULL;
	s = flat_string(v);
	if (!s)
		warn(r, file, bn_ynode_key(root, field)->line, field,
		     "not a string; ignored");
	return s;
}

static void load_name(bn_skill_manifest *m, const bn_ynode *root,
		      bn_skill_report *r)
{
	const bn_ynode *v = bn_ynode_get(root, "name");
	const bn_ynode *k = bn_ynode_key(root, "name");
	const char *dir_name = m->dir ? base_of(m->dir) : NULL;
	bn_strv tmp = { 0 };
	size_t len, i;

	if (!v || v->kind != BN_YNODE_SCALAR ||
	    bn_skill__is_blank(v->str, v->len)) {
		char msg[BN_ERR_MAX];

		snprintf(msg, sizeof(msg), "%s; using the folder name '%s'",
			 v ? "not a non-empty string" : "missing",
			 dir_name ? dir_name : "");
		warn(r, m->file, k ? k->line : 0, "name", msg);
		m->name = bn_skill__name_norm(dir_name ? dir_name : "",
					      dir_name ? strlen(dir_name) : 0,
					      &len);
		return;
	}
	m->name = bn_skill__name_norm(v->str, v->len, &len);
	bn_skill__name_problems(&tmp, m->name, len, dir_name, m->file,
				k->line);
	for (i = 0; i < tmp.n && r; i++)
		bn_strv_push(&r->warnings, tmp.v[i]);
	bn_strv_clear(&tmp);
}

static void warn_unknown(const bn_ynode *root, const char *file,
			 bn_skill_report *r)
{
	static const char *const known[] = { "name", "description", "license",
		"allowed-tools", "metadata", "compatibility" };
	size_t i, j;

	for (i = 0; i + 1 < root->n; i += 2) {
		const bn_ynode *k = root->kids[i];
		bool ok = false;

		for (j = 0; j < sizeof(known) / sizeof(*known); j++)
			ok |= strcmp(k->str, known[j]) == 0;
		if (!ok) {
			char field[96];

			snprintf(field, sizeof(field), "%.80s", k->str);
			warn(r, file, k->line, field, "not a field of the "
			     "Agent Skills spec; ignored");
		}
	}
}

static void warn_length(const bn_ynode *root, const char *file,
			const char *field, size_t max, bn_skill_report *r)
{
	const bn_ynode *v = bn_ynode_get(root, field);
	size_t chars;
	char msg[96];

	if (!v || v->kind != BN_YNODE_SCALAR)
		return;
	chars = bn_skill__u8_chars(v->str, v->len);
	if (chars <= max)
		return;
	snprintf(msg, sizeof(msg), "%zu characters; the limit is %zu",
		 chars, max);
	warn(r, file, bn_ynode_key(root, field)->line, field, msg);
}

static int load_tree(bn_skill_manifest *m, const bn_ynode *root,
		     bn_skill_report *r, bn_err *err)
{
	const bn_ynode *d = bn_ynode_get(root, "description");
	const bn_ynode *md = bn_ynode_get(root, "metadata");

	if (!root || root->kind != BN_YNODE_MAP)
		return bn_err_set(err, BN_EINVAL, "%s: frontmatter: not a "
				  "YAML mapping; skill skipped", m->file);
	if (!d)
		return bn_err_set(err, BN_EINVAL, "%s: description: missing; "
				  "skill skipped", m->file);
	if (d->kind != BN_YNODE_SCALAR || bn_skill__is_blank(d->str, d->len))
		return bn_err_set(err, BN_EINVAL, "%s:%zu: description: must "
				  "be a non-empty string; skill skipped",
				  m->file, bn_ynode_key(root, "description")
				  ->line);
	m->description = bn_skill__strip_dup(d->str, d->len);
	load_name(m, root, r);
	warn_unknown(root, m->file, r);
	warn_length(root, m->file, "description", BN_SKILL__DESC_MAX_CHARS, r);
	warn_length(root, m->file, "compatibility", BN_SKILL__COMPAT_MAX_CHARS,
		    r);
	m->license = opt_string(root, "license", m->file, r);
	m->compatibility = opt_string(root, "compatibility", m->file, r);
	m->allowed_tools = opt_string(root, "allowed-tools", m->file, r);
	if (md) {
		load_metadata(m, md, bn_ynode_key(root, "metadata"), r);
		load_boternity(m, md, r);
	}
	return 0;
}

int bn_skill__load_text(bn_skill_manifest **out, const char *text,
			size_t len, const char *file, const char *dir,
			bn_skill_report *r, bn_err *err)
{
	bn_skill_manifest *m;
	bn_skill__split s;
	bn_ynode *root = NULL;
	int rc;

	rc = bn_skill__split_text(&s, text, len, file, false, err);
	if (rc)
		return rc;
	if (s.had_bom)
		warn(r, file, 1, "frontmatter", "UTF-8 byte order mark "
		     "ignored");
	rc = parse_lenient(&root, &s, file, r, err);
	if (rc)
		goto out;
	m = bn_xcalloc(1, sizeof(*m));
	m->file = bn_xstrdup(file);
	m->dir = dir ? bn_xstrdup(dir) : parent_of(file);
	rc = load_tree(m, root, r, err);
	if (rc) {
		bn_skill_manifest_free(m);
		goto out;
	}
	m->body = bn_skill__strip_dup(s.body, s.body_len);
	*out = m;
out:
	bn_ynode_free(root);
	bn_skill__split_clear(&s);
	return rc;
}

int bn_skill_manifest_load(bn_skill_manifest **out, const char *path,
			   bn_skill_report *report, bn_err *err)
{
	char *file = NULL, *dir = NULL, *text = NULL;
	size_t len = 0;
	int rc;

	rc = bn_skill_find_file(&file, &dir, path, err);
	if (rc)
		return rc;
	rc = bn_fs_read_file(&text, &len, file, BN_SKILL_MANIFEST_MAX_BYTES,
			     err);
	if (rc == 0)
		rc = bn_skill__load_text(out, text, len, file, dir, report,
					 err);
	free(text);
	free(file);
	free(dir);
	return rc;
}

void bn_skill_manifest_free(bn_skill_manifest *m)
{
	if (!m)
		return;
	if (m->packed) {
		free(m);
		return;
	}
	free(m->dir);
	free(m->file);
	free(m->name);
	free(m->description);
	free(m->license);
	free(m->compatibility);
	free(m->allowed_tools);
	bn_strv_clear(&m->meta_keys);
	bn_strv_clear(&m->meta_vals);
	free(m->body);
	free(m->version);
	free(m->author);
	bn_strv_clear(&m->capabilities);
	bn_strv_clear(&m->parents);
	bn_strv_clear(&m->dependencies);
	bn_strv_clear(&m->conflicts_with);
	bn_strv_clear(&m->secrets);
	free(m);
}

const char *bn_skill_manifest_meta(const bn_skill_manifest *m,
				   const char *key)
{
	size_t i;

	for (i = 0; i < m->meta_keys.n; i++)
		if (strcmp(m->meta_keys.v[i], key) == 0)
			return m->meta_vals.v[i];
	return NULL;
}

/* ---- strict validation of a path ---- */

/*
 * The folder name the reference compares with: the last component of
 * PATH as written (of its parent when PATH names the SKILL.md), so a
 * symlinked folder is judged by the link's name.  "." and ".." (which
 * the reference would compare as written) use the real folder's name.
 */
static char *folder_name(const char *path, const char *real_dir)
{
	char *p = bn_xstrdup(path), *name;
	size_t n = strlen(p);
	struct stat st;

	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode)) {
		char *parent = parent_of(p);

		free(p);
		p = parent;
	}
	name = bn_xstrdup(base_of(p));
	free(p);
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		free(name);
		name = bn_xstrdup(base_of(real_dir));
	}
	return name;
}

bool bn_skill_validate_ex(bn_skill_report *report, const char *path,
			  unsigned flags)
{
	char *file = NULL, *dir = NULL, *text = NULL;
	size_t len = 0, before = report->errors.n;
	bn_err e;

	bn_err_init(&e);
	if (bn_skill_find_file(&file, &dir, path, &e) ||
	    bn_fs_read_file(&text, &len, file, BN_SKILL_MANIFEST_MAX_BYTES,
			    &e)) {
		bn_strv_push(&report->errors, e.msg);
	} else {
		char *name = (flags & BN_SKILL_VALIDATE_ANY_FOLDER) ? NULL :
			     folder_name(path, dir);

		bn_skill__check_text(report, text, len, file, name, flags);
		free(name);
	}
	free(text);
	free(file);
	free(dir);
	return report->errors.n == before;
}

bool bn_skill_validate_text(bn_skill_report *report, const char *text,
			    size_t len, const char *file,
			    const char *folder_name)
{
	return bn_skill__check_text(report, text, len, file ? file :
				    "SKILL.md", folder_name, 0);
}

bool bn_skill_validate(bn_skill_report *report, const char *path)
{
	return bn_skill_validate_ex(report, path, 0);
}

/* ---- read-properties JSON and the prompt catalog ---- */

static void json_put(json_t *o, const char *k, const char *v)
{
	if (v)
		json_object_set_new(o, k, json_string(v));
}

json_t *bn_skill_manifest_to_json(const bn_skill_manifest *m)
{
	json_t *o = json_object(), *md;
	size_t i;

	if (!o)
		return NULL;
	json_put(o, "name", m->name);
	json_put(o, "description", m->description);
	json_put(o, "license", m->license);
	json_put(o, "compatibility", m->compatibility);
	json_put(o, "allowed-tools", m->allowed_tools);
	if (m->meta_keys.n) {
		md = json_object();
		for (i = 0; md && i < m->meta_keys.n; i++)
			json_put(md, m->meta_keys.v[i], m->meta_vals.v[i]);
		json_object_set_new(o, "metadata", md);
	}
	return o;
}

/* S with & < > " ' escaped as Python's html.escape does. */
static int xml_escape(bn_buf *out, const char *s)
{
	int rc = 0;

	for (; *s && rc == 0; s++) {
		switch (*s) {
		case '&': rc = bn_buf_puts(out, "&amp;"); break;
		case '<': rc = bn_buf_puts(out, "&lt;"); break;
		case '>': rc = bn_buf_puts(out, "&gt;"); break;
		case '"': rc = bn_buf_puts(out, "&quot;"); break;
		case '\'': rc = bn_buf_puts(out, "&#x27;"); break;
		default: rc = bn_buf_append(out, s, 1); break;
		}
	}
	return rc;
}

static int catalog_elem(bn_buf *out, const char *tag, const char *text)
{
	int rc = bn_buf_printf(out, "<%s>\n", tag);

	if (!rc)
		rc = xml_escape(out, text ? text : "");
	if (!rc)
		rc = bn_buf_printf(out, "\n</%s>\n", tag);
	return rc;
}

int bn_skill_prompt_catalog(bn_buf *out,
			    const bn_skill_manifest *const *skills, size_t n)
{
	size_t i;
	int rc = bn_buf_puts(out, "<available_skills>\n");

	for (i = 0; i < n && !rc; i++) {
		rc = bn_buf_puts(out, "<skill>\n");
		if (!rc)
			rc = catalog_elem(out, "name", skills[i]->name);
		if (!rc)
			rc = catalog_elem(out, "description",
					  skills[i]->description);
		if (!rc)
			rc = catalog_elem(out, "location", skills[i]->file);
		if (!rc)
			rc = bn_buf_puts(out, "</skill>\n");
	}
	if (!rc)
		rc = bn_buf_puts(out, "</available_skills>");
	return rc;
}

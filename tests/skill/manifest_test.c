/* SPDX-License-Identifier: MIT */
/*
 * tests/skill/manifest_test.c - SKILL.md: one test per rule of strict
 * validation (as the reference validator applies it), each failure path,
 * bad input (BOM, CRLF, empty, binary, invalid UTF-8, huge, deep),
 * lenient loading (": " retry, legacy list metadata), the read-properties
 * JSON, the prompt catalog, and the corpus in corpus/expected.tsv.
 *
 * Skill folders are made at run time under a mkdtemp() folder, except the
 * corpus, whose folder is argv[1].
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "harness.h"
#include "skill/manifest.h"
#include "skill/manifest_int.h"

static char g_root[256];          /* the mkdtemp() folder */
static const char *g_corpus;      /* argv[1] */

/* ---- helpers ---- */

/* Write LEN bytes of TEXT to ROOT/DIR/FILE; returns ROOT/DIR (owned). */
static char *put_file(const char *dir, const char *file, const char *text,
		      size_t len)
{
	char *d = bn_xasprintf("%s/%s", g_root, dir);
	char *f = bn_xasprintf("%s/%s", d, file);
	FILE *fp;
	bn_err e;

	bn_err_init(&e);
	if (bn_fs_mkdirs(d, &e))
		printf("# mkdirs %s: %s\n", d, e.msg);
	fp = fopen(f, "wb");
	if (fp) {
		if (len && fwrite(text, 1, len, fp) != len)
			printf("# short write %s\n", f);
		fclose(fp);
	}
	free(f);
	return d;
}

static char *put_skill(const char *dir, const char *text)
{
	return put_file(dir, "SKILL.md", text, strlen(text));
}

/* Any entry of SV containing NEEDLE? */
static bool has_msg(const bn_strv *sv, const char *needle)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (strstr(sv->v[i], needle))
			return true;
	return false;
}

static void dump(const bn_skill_report *r)
{
	size_t i;

	for (i = 0; i < r->errors.n; i++)
		printf("#     error: %s\n", r->errors.v[i]);
	for (i = 0; i < r->warnings.n; i++)
		printf("#     warning: %s\n", r->warnings.v[i]);
}

/* Validate ROOT/DIR/SKILL.md holding TEXT; expect OK, and NEEDLE (may be
 * NULL) in some error (or, when OK, in nothing). */
#define EXPECT_VALID(t, dir, text) expect((t), (dir), (text), true, NULL, \
					  __LINE__)
#define EXPECT_ERROR(t, dir, text, needle) expect((t), (dir), (text), false, \
						  (needle), __LINE__)

static void expect(bn_t *t, const char *dir, const char *text, bool ok,
		   const char *needle, int line)
{
	bn_skill_report r = { 0 };
	char *d = put_skill(dir, text);
	bool got = bn_skill_validate(&r, d);

	if (got != ok || (needle && !has_msg(&r.errors, needle))) {
		printf("#   line %d: %s: expected %s%s%s, got %s\n", line, dir,
		       ok ? "valid" : "invalid", needle ? " with " : "",
		       needle ? needle : "", got ? "valid" : "invalid");
		dump(&r);
		t->cur_fail++;
	}
	/* Every message names the file. */
	for (size_t i = 0; i < r.errors.n; i++)
		if (!strstr(r.errors.v[i], d)) {
			printf("#   line %d: message without the file: %s\n",
			       line, r.errors.v[i]);
			t->cur_fail++;
		}
	bn_skill_report_clear(&r);
	free(d);
}

static bn_skill_manifest *load(bn_t *t, const char *dir, const char *text,
			       bn_skill_report *r, bn_err *e)
{
	bn_skill_manifest *m = NULL;
	char *d = put_skill(dir, text);

	bn_err_init(e);
	if (bn_skill_manifest_load(&m, d, r, e) != 0)
		m = NULL;
	free(d);
	(void)t;
	return m;
}

static char *repeat(const char *unit, size_t n)
{
	bn_buf b = BN_BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++)
		if (bn_buf_puts(&b, unit))
			abort();
	return b.data ? bn_buf_take(&b) : bn_xstrdup("");
}

/* ---- frontmatter ---- */

static void test_valid_minimal(bn_t *t)
{
	EXPECT_VALID(t, "my-skill",
		     "---\nname: my-skill\ndescription: A test skill\n---\n"
		     "# My Skill\n");
}

static void test_valid_all_fields(bn_t *t)
{
	EXPECT_VALID(t, "all-fields",
		     "---\nname: all-fields\ndescription: Everything\n"
		     "license: MIT\ncompatibility: Needs git\n"
		     "allowed-tools: Bash(git:*) Read\nmetadata:\n"
		     "  author: Test\n  version: \"1.0\"\n---\nBody\n");
}

static void test_frontmatter_missing(bn_t *t)
{
	EXPECT_ERROR(t, "fm-missing", "# No frontmatter here\n",
		     "frontmatter: missing");
	EXPECT_ERROR(t, "fm-missing2", "\n---\nname: fm-missing2\n"
		     "description: x\n---\n", "frontmatter: missing");
}

static void test_frontmatter_unclosed(bn_t *t)
{
	EXPECT_ERROR(t, "fm-open", "---\nname: fm-open\ndescription: x\n",
		     "not closed");
	EXPECT_ERROR(t, "fm-open2", "---", "not closed");
}

static void test_frontmatter_marker_trailing_blanks(bn_t *t)
{
	EXPECT_VALID(t, "fm-blanks", "---  \nname: fm-blanks\n"
		     "description: x\n--- \t\nBody\n");
}

static void test_frontmatter_not_mapping(bn_t *t)
{
	EXPECT_ERROR(t, "fm-list", "---\n- just\n- a\n- list\n---\nBody\n",
		     "must be a YAML mapping");
	EXPECT_ERROR(t, "fm-scalar", "---\njust text\n---\nBody\n",
		     "must be a YAML mapping");
	EXPECT_ERROR(t, "fm-empty", "---\n---\nBody\n",
		     "must be a YAML mapping");
	EXPECT_ERROR(t, "fm-comment", "---\n# only a comment\n---\nBody\n",
		     "must be a YAML mapping");
}

static void test_invalid_yaml(bn_t *t)
{
	EXPECT_ERROR(t, "bad-yaml", "---\nname: [invalid\ndescription: "
		     "broken\n---\nBody\n", "invalid YAML");
	EXPECT_ERROR(t, "bad-yaml2", "---\nname: bad-yaml2\n\tdescription: "
		     "tab\n---\n", "invalid YAML");
	/* The field is named when libyaml fails inside a value. */
	EXPECT_ERROR(t, "bad-yaml3", "---\nname: bad-yaml3\ndescription: "
		     "Deploy to: production\n---\n", ":3: description: "
		     "invalid YAML");
}

static void test_unknown_fields_listed(bn_t *t)
{
	EXPECT_ERROR(t, "unknown", "---\nname: unknown\ndescription: x\n"
		     "zeta: 1\nalpha: 2\nzeta2: 3\n---\n",
		     "unknown fields: alpha, zeta, zeta2 (allowed: "
		     "allowed-tools, compatibility, description, license, "
		     "metadata, name)");
	EXPECT_ERROR(t, "unknown1", "---\nname: unknown1\ndescription: x\n"
		     "version: 1.0.0\n---\n", ":4: frontmatter: unknown "
		     "field: version");
}

/* ---- name ---- */

static void test_name_missing(bn_t *t)
{
	EXPECT_ERROR(t, "no-name", "---\ndescription: x\n---\n",
		     "name: missing");
}

static void test_name_empty(bn_t *t)
{
	EXPECT_ERROR(t, "empty-name", "---\nname: \"\"\ndescription: x\n---\n",
		     "name: must be a non-empty string");
	EXPECT_ERROR(t, "empty-name2", "---\nname:\ndescription: x\n---\n",
		     "name: must be a non-empty string");
	EXPECT_ERROR(t, "blank-name", "---\nname: \"  \"\ndescription: x\n"
		     "---\n", "name: must be a non-empty string");
}

static void test_name_not_string(bn_t *t)
{
	EXPECT_ERROR(t, "list-name", "---\nname:\n  - a\ndescription: x\n"
		     "---\n", "name: must be a non-empty string");
}

static void test_name_uppercase(bn_t *t)
{
	EXPECT_ERROR(t, "MySkill", "---\nname: MySkill\ndescription: x\n"
		     "---\n", "'MySkill' must be lowercase");
}

static void test_name_length(bn_t *t)
{
	char *n63 = repeat("a", 63), *n64 = repeat("a", 64);
	char *n65 = repeat("a", 65), *text;

	text = bn_xasprintf("---\nname: %s\ndescription: x\n---\n", n63);
	EXPECT_VALID(t, n63, text);
	free(text);
	text = bn_xasprintf("---\nname: %s\ndescription: x\n---\n", n64);
	EXPECT_VALID(t, n64, text);
	free(text);
	text = bn_xasprintf("---\nname: %s\ndescription: x\n---\n", n65);
	EXPECT_ERROR(t, n65, text, "is 65 characters; the limit is 64");
	free(text);
	free(n63);
	free(n64);
	free(n65);
}

static void test_name_length_in_characters(bn_t *t)
{
	/* 64 Cyrillic letters: 128 bytes, 64 characters. */
	char *n = repeat("\xd0\xb6", 64), *n2 = repeat("\xd0\xb6", 65), *x;

	x = bn_xasprintf("---\nname: %s\ndescription: x\n---\n", n);
	EXPECT_VALID(t, n, x);
	free(x);
	x = bn_xasprintf("---\nname: %s\ndescription: x\n---\n", n2);
	EXPECT_ERROR(t, n2, x, "is 65 characters");
	free(x);
	free(n);
	free(n2);
}

static void test_name_hyphens(bn_t *t)
{
	EXPECT_ERROR(t, "-lead", "---\nname: -lead\ndescription: x\n---\n",
		     "must not start or end with a hyphen");
	EXPECT_ERROR(t, "trail-", "---\nname: trail-\ndescription: x\n---\n",
		     "must not start or end with a hyphen");
	EXPECT_ERROR(t, "my--skill", "---\nname: my--skill\ndescription: "
		     "x\n---\n", "must not contain consecutive hyphens");
	EXPECT_VALID(t, "a-b-c1", "---\nname: a-b-c1\ndescription: x\n---\n");
}

static void test_name_invalid_chars(bn_t *t)
{
	EXPECT_ERROR(t, "my_skill", "---\nname: my_skill\ndescription: x\n"
		     "---\n", "may hold only letters, digits and hyphens");
	EXPECT_ERROR(t, "my.skill", "---\nname: my.skill\ndescription: x\n"
		     "---\n", "U+002E");
	EXPECT_ERROR(t, "my skill", "---\nname: my skill\ndescription: x\n"
		     "---\n", "U+0020");
}

static void test_name_unicode(bn_t *t)
{
	/* As the reference's own tests: Chinese, Russian, NFKC. */
	EXPECT_VALID(t, "\xe6\x8a\x80\xe8\x83\xbd", "---\nname: \xe6\x8a\x80"
		     "\xe8\x83\xbd\ndescription: x\n---\n");
	EXPECT_VALID(t, "\xd0\xbc\xd0\xbe\xd0\xb9-\xd0\xbd\xd0\xb0\xd0\xb2"
		     "\xd1\x8b\xd0\xba", "---\nname: \xd0\xbc\xd0\xbe\xd0\xb9-"
		     "\xd0\xbd\xd0\xb0\xd0\xb2\xd1\x8b\xd0\xba\ndescription: "
		     "x\n---\n");
	EXPECT_ERROR(t, "\xd0\x9d\xd0\x90\xd0\x92\xd0\xab\xd0\x9a",
		     "---\nname: \xd0\x9d\xd0\x90\xd0\x92\xd0\xab\xd0\x9a\n"
		     "description: x\n---\n", "must be lowercase");
	/* Decomposed "cafe" + U+0301 in the file, composed folder. */
	EXPECT_VALID(t, "caf\xc3\xa9", "---\nname: cafe\xcc\x81\n"
		     "description: x\n---\n");
	/* Full-width lowercase letters normalise to ASCII. */
	EXPECT_VALID(t, "wide", "---\nname: \xef\xbd\x97\xef\xbd\x89\xef\xbd"
		     "\x84\xef\xbd\x85\ndescription: x\n---\n");
	/* Full-width uppercase: NFKC gives "AB", which is not lowercase. */
	EXPECT_ERROR(t, "AB", "---\nname: \xef\xbc\xa1\xef\xbc\xa2\n"
		     "description: x\n---\n", "'AB' must be lowercase");
	/* The "fi" ligature becomes "fi" under NFKC. */
	EXPECT_VALID(t, "fix", "---\nname: \xef\xac\x81x\ndescription: x\n"
		     "---\n");
	/* Quoted name with spaces: stripped first, as the reference. */
	EXPECT_VALID(t, "spaced", "---\nname: \"  spaced \"\ndescription: x\n"
		     "---\n");
	/* Emoji is neither letter nor digit. */
	EXPECT_ERROR(t, "rocket-\xf0\x9f\x9a\x80", "---\nname: rocket-\xf0\x9f"
		     "\x9a\x80\ndescription: x\n---\n", "U+1F680");
}

static void test_name_folder_mismatch(bn_t *t)
{
	EXPECT_ERROR(t, "wrong-name", "---\nname: correct-name\n"
		     "description: x\n---\n", "'correct-name' does not match "
		     "the folder name 'wrong-name'");
}

/* ---- description, compatibility, other fields ---- */

static void test_description_missing(bn_t *t)
{
	EXPECT_ERROR(t, "no-desc", "---\nname: no-desc\n---\n",
		     "description: missing");
	EXPECT_ERROR(t, "blank-desc", "---\nname: blank-desc\ndescription: "
		     "\"   \"\n---\n", "description: must be a non-empty");
	EXPECT_ERROR(t, "map-desc", "---\nname: map-desc\ndescription:\n"
		     "  a: b\n---\n", "description: must be a non-empty");
}

static void test_description_length(bn_t *t)
{
	size_t n[] = { 1023, 1024, 1025 };
	size_t i;

	for (i = 0; i < 3; i++) {
		char *d = repeat("x", n[i]);
		char *x = bn_xasprintf("---\nname: desc-len\ndescription: "
				       "%s\n---\n", d);

		if (n[i] <= 1024)
			EXPECT_VALID(t, "desc-len", x);
		else
			EXPECT_ERROR(t, "desc-len", x, "is 1025 characters; "
				     "the limit is 1024");
		free(x);
		free(d);
	}
	/* Characters, not bytes: 1024 two-byte letters are fine. */
	{
		char *d = repeat("\xc3\xa9", 1024);
		char *x = bn_xasprintf("---\nname: desc-u8\ndescription: %s\n"
				       "---\n", d);

		EXPECT_VALID(t, "desc-u8", x);
		free(x);
		free(d);
	}
}

static void test_compatibility_length(bn_t *t)
{
	size_t n[] = { 499, 500, 501 };
	size_t i;

	for (i = 0; i < 3; i++) {
		char *c = repeat("c", n[i]);
		char *x = bn_xasprintf("---\nname: compat\ndescription: x\n"
				       "compatibility: %s\n---\n", c);

		if (n[i] <= 500)
			EXPECT_VALID(t, "compat", x);
		else
			EXPECT_ERROR(t, "compat", x, "compatibility: is 501 "
				     "characters; the limit is 500");
		free(x);
		free(c);
	}
	EXPECT_ERROR(t, "compat-list", "---\nname: compat-list\n"
		     "description: x\ncompatibility:\n  - a\n---\n",
		     "compatibility: must be a string");
}

static void test_spec_only_rules(bn_t *t)
{
	/* The reference accepts these (it does not check license or
	 * allowed-tools, and turns metadata values into strings): warnings
	 * by default, errors with BN_SKILL_VALIDATE_SPEC. */
	static const char text[] =
		"---\nname: spec-only\ndescription: x\nlicense:\n  - MIT\n"
		"allowed-tools:\n  - Read\nmetadata:\n  caps:\n    - net\n"
		"  nested:\n    a: b\n---\n";
	bn_skill_report r = { 0 };
	char *d = put_skill("spec-only", text);

	BN_CHECK(t, bn_skill_validate(&r, d));
	BN_CHECK(t, has_msg(&r.warnings, "license: must be a string"));
	BN_CHECK(t, has_msg(&r.warnings, "allowed-tools: must be a string"));
	BN_CHECK(t, has_msg(&r.warnings, "metadata.caps: must be a string"));
	BN_CHECK(t, has_msg(&r.warnings, "metadata.nested: must be a string"));
	bn_skill_report_clear(&r);
	BN_CHECK(t, !bn_skill_validate_ex(&r, d, BN_SKILL_VALIDATE_SPEC));
	BN_CHECK_INT(t, r.errors.n, ==, 4);
	BN_CHECK(t, has_msg(&r.errors, "metadata.caps: must be a string"));
	bn_skill_report_clear(&r);
	free(d);
}

static void test_metadata_not_mapping(bn_t *t)
{
	bn_skill_report r = { 0 };
	char *d = put_skill("meta-str", "---\nname: meta-str\ndescription: "
			    "x\nmetadata: hello\n---\n");

	BN_CHECK(t, bn_skill_validate(&r, d));
	BN_CHECK(t, has_msg(&r.warnings, "metadata: must be a mapping"));
	bn_skill_report_clear(&r);
	BN_CHECK(t, !bn_skill_validate_ex(&r, d, BN_SKILL_VALIDATE_SPEC));
	bn_skill_report_clear(&r);
	free(d);
}

static void test_boternity_metadata_warnings(bn_t *t)
{
	bn_skill_report r = { 0 };
	char *d = put_skill("bt-warn", "---\nname: bt-warn\ndescription: x\n"
			    "metadata:\n  type: widget\n  version: v1\n---\n");

	BN_CHECK(t, bn_skill_validate(&r, d));
	BN_CHECK(t, has_msg(&r.warnings, "metadata.type: 'widget'"));
	BN_CHECK(t, has_msg(&r.warnings, "metadata.version: 'v1' is not"));
	bn_skill_report_clear(&r);
	free(d);
}

/* ---- YAML that strictyaml rejects ---- */

static void test_duplicate_keys(bn_t *t)
{
	EXPECT_ERROR(t, "dup", "---\nname: dup\ndescription: a\n"
		     "description: b\n---\n", ":4: frontmatter: invalid YAML: "
		     "duplicate key 'description' (first on line 3)");
	EXPECT_ERROR(t, "dup-nested", "---\nname: dup-nested\ndescription: "
		     "a\nmetadata:\n  k: 1\n  k: 2\n---\n",
		     "metadata: invalid YAML: duplicate key 'k'");
	/* Quoted and plain spellings are the same key. */
	EXPECT_ERROR(t, "dup-q", "---\nname: dup-q\n\"name\": dup-q\n"
		     "description: a\n---\n", "duplicate key 'name'");
}

static void test_flow_collections(bn_t *t)
{
	EXPECT_ERROR(t, "flow-seq", "---\nname: flow-seq\ndescription: x\n"
		     "allowed-tools: [Read, Write]\n---\n",
		     ":4: allowed-tools: invalid YAML: flow style");
	EXPECT_ERROR(t, "flow-map", "---\nname: flow-map\ndescription: x\n"
		     "metadata: {a: b}\n---\n",
		     "metadata: invalid YAML: flow style");
	EXPECT_ERROR(t, "flow-deep", "---\nname: flow-deep\ndescription: x\n"
		     "metadata:\n  requires:\n    bins: [\"gws\"]\n---\n",
		     ":6: metadata.requires.bins: invalid YAML: "
		     "flow style");
	EXPECT_ERROR(t, "flow-root", "---\n{name: flow-root, description: "
		     "x}\n---\n", "frontmatter: invalid YAML: flow style");
}

static void test_anchors_aliases(bn_t *t)
{
	EXPECT_ERROR(t, "anchor", "---\nname: anchor\ndescription: &d x\n"
		     "---\n", "description: invalid YAML: anchors");
	EXPECT_ERROR(t, "alias", "---\nname: alias\ndescription: *d\n---\n",
		     "description: invalid YAML: aliases");
}

static void test_tags(bn_t *t)
{
	EXPECT_ERROR(t, "tag", "---\nname: tag\ndescription: !!str x\n---\n",
		     "description: invalid YAML: tags");
	EXPECT_ERROR(t, "tag2", "---\nname: tag2\ndescription: x\n"
		     "metadata: !custom\n  a: b\n---\n",
		     "metadata: invalid YAML: tags");
}

static void test_multiple_documents(bn_t *t)
{
	EXPECT_ERROR(t, "multi", "---\nname: multi\ndescription: x\n"
		     "--- # second\nfoo: bar\n---\n", "more than one "
		     "document");
}

static void test_scalars_are_strings(bn_t *t)
{
	/* strictyaml types nothing: numbers and booleans are text. */
	EXPECT_VALID(t, "1234", "---\nname: 1234\ndescription: true\n"
		     "compatibility: 3.11\nlicense: null\n---\n");
}

/* ---- bad input ---- */

static void test_bom(bn_t *t)
{
	static const char text[] = "\xef\xbb\xbf---\nname: bom\n"
				   "description: x\n---\nBody\n";
	bn_skill_report r = { 0 };
	bn_skill_manifest *m;
	bn_err e;

	EXPECT_ERROR(t, "bom", text, ":1: frontmatter: the file starts with "
		     "a UTF-8 byte order mark");
	m = load(t, "bom", text, &r, &e);
	BN_CHECK(t, m != NULL);
	if (m)
		BN_CHECK_STR(t, m->name, "bom");
	BN_CHECK(t, has_msg(&r.warnings, "byte order mark ignored"));
	bn_skill_manifest_free(m);
	bn_skill_report_clear(&r);
}

static void test_crlf(bn_t *t)
{
	static const char text[] = "---\r\nname: crlf\r\ndescription: |\r\n"
				   "  two\r\n  lines\r\n---\r\nBody\r\n";
	bn_skill_report r = { 0 };
	bn_skill_manifest *m;
	bn_err e;

	EXPECT_VALID(t, "crlf", text);
	m = load(t, "crlf", text, &r, &e);
	BN_CHECK(t, m != NULL);
	if (m) {
		BN_CHECK_STR(t, m->description, "two\nlines");
		BN_CHECK_STR(t, m->body, "Body");
	}
	bn_skill_manifest_free(m);
	bn_skill_report_clear(&r);
	/* Old Mac line ends (lone CR) too, as universal newlines. */
	EXPECT_VALID(t, "cr", "---\rname: cr\rdescription: x\r---\rBody\r");
}

static void test_empty_file(bn_t *t)
{
	bn_skill_report r = { 0 };
	bn_skill_manifest *m;
	bn_err e;

	EXPECT_ERROR(t, "empty", "", "the file is empty");
	m = load(t, "empty", "", &r, &e);
	BN_CHECK(t, m == NULL);
	BN_CHECK_INT(t, e.code, ==, BN_EINVAL);
	BN_CHECK_CONTAINS(t, e.msg, "/empty/SKILL.md");
	bn_skill_report_clear(&r);
}

static void test_binary(bn_t *t)
{
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	bn_skill_report r = { 0 };
	char *d = put_file("binary", "SKILL.md", png, sizeof(png) - 1);

	BN_CHECK(t, !bn_skill_validate(&r, d));
	BN_CHECK(t, has_msg(&r.errors, "/binary/SKILL.md:1: not valid UTF-8 "
			    "(byte 0)"));
	bn_skill_report_clear(&r);
	free(d);
	/* NULs in valid UTF-8: no frontmatter, no crash. */
	d = put_file("nuls", "SKILL.md", "\0\0\0\0", 4);
	BN_CHECK(t, !bn_skill_validate(&r, d));
	BN_CHECK(t, has_msg(&r.errors, "frontmatter: missing"));
	bn_skill_report_clear(&r);
	free(d);
	/* A NUL inside the frontmatter: a YAML error, not a crash. */
	d = put_file("nul-fm", "SKILL.md", "---\nname: a\0b\ndescription: x\n"
		     "---\n", 34);
	BN_CHECK(t, !bn_skill_validate(&r, d));
	BN_CHECK(t, has_msg(&r.errors, "invalid YAML"));
	bn_skill_report_clear(&r);
	free(d);
}

static void test_invalid_utf8(bn_t *t)
{
	EXPECT_ERROR(t, "bad-u8", "---\nname: bad-u8\ndescription: caf\xe9\n"
		     "---\n", "bad-u8/SKILL.md:3: not valid UTF-8 (byte 33)");
	/* The reference reads the whole file as text: the body counts. */
	EXPECT_ERROR(t, "bad-u8-body", "---\nname: bad-u8-body\ndescription: "
		     "x\n---\n\xc0\xaf\n", "not valid UTF-8");
	/* Overlong, surrogate, beyond U+10FFFF, truncated. */
	EXPECT_ERROR(t, "u8-a", "---\xe0\x80\xaf\n", "not valid UTF-8");
	EXPECT_ERROR(t, "u8-b", "---\xed\xa0\x80\n", "not valid UTF-8");
	EXPECT_ERROR(t, "u8-c", "---\xf4\x90\x80\x80\n", "not valid UTF-8");
	EXPECT_ERROR(t, "u8-d", "---\n\xe6\x8a", "not valid UTF-8");
}

static void test_huge(bn_t *t)
{
	static const char head[] = "---\nname: huge\ndescription: x\n---\n";
	size_t max = BN_SKILL_MANIFEST_MAX_BYTES, hl = sizeof(head) - 1;
	char *buf = bn_xmalloc(max + 1), *d;
	bn_skill_report r = { 0 };

	memcpy(buf, head, hl);
	memset(buf + hl, 'x', max + 1 - hl);
	d = put_file("huge", "SKILL.md", buf, max);
	BN_CHECK(t, bn_skill_validate(&r, d));
	bn_skill_report_clear(&r);
	free(d);
	d = put_file("huge", "SKILL.md", buf, max + 1);
	BN_CHECK(t, !bn_skill_validate(&r, d));
	BN_CHECK(t, has_msg(&r.errors, "huge/SKILL.md: file is 1048577 "
			    "bytes, the limit is 1048576"));
	bn_skill_report_clear(&r);
	free(d);
	free(buf);
}

/* Block mappings nested LEVELS deep (the root counts as one). */
static char *nested(size_t levels)
{
	bn_buf b = BN_BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i + 1 < levels; i++)
		rc |= bn_buf_printf(&b, "%*sk%zu:\n", (int)i, "", i);
	rc |= bn_buf_printf(&b, "%*sleaf: x\n", (int)i, "");
	if (rc)
		abort();
	return bn_buf_take(&b);
}

static void test_deep_nesting(bn_t *t)
{
	size_t levels[] = { BN_SKILL__YAML_MAX_DEPTH - 1,
			    BN_SKILL__YAML_MAX_DEPTH,
			    BN_SKILL__YAML_MAX_DEPTH + 1 };
	size_t i;

	for (i = 0; i < 3; i++) {
		char *y = nested(levels[i]);
		bn_ynode *root = NULL;
		bn_err e;
		int rc;

		bn_err_init(&e);
		rc = bn_skill__yaml_parse(&root, y, strlen(y), 2, "f", 0, NULL,
					  &e);
		if (levels[i] <= BN_SKILL__YAML_MAX_DEPTH) {
			BN_CHECK_INT(t, rc, ==, 0);
		} else {
			BN_CHECK_INT(t, rc, ==, BN_ELIMIT);
			BN_CHECK_CONTAINS(t, e.msg, "nested deeper than 64");
		}
		bn_ynode_free(root);
		free(y);
	}
}

static void test_deep_flow_lenient(bn_t *t)
{
	/* 200,000 '[': lenient mode accepts flow, so the cap must hold. */
	size_t n = 200000;
	char *y = bn_xmalloc(n + 64);
	bn_skill_report r = { 0 };
	bn_skill_manifest *m = NULL;
	bn_err e;
	int rc;

	memcpy(y, "---\nname: x\ndescription: ", 25);
	memset(y + 25, '[', n);
	memcpy(y + 25 + n, "\n---\n", 5);
	bn_err_init(&e);
	rc = bn_skill__load_text(&m, y, 30 + n, "deep/SKILL.md", "deep", &r,
				 &e);
	BN_CHECK_INT(t, rc, ==, BN_ELIMIT);
	BN_CHECK_CONTAINS(t, e.msg, "deep/SKILL.md:3: description[0][0]");
	BN_CHECK_CONTAINS(t, e.msg, "...: nested deeper than 64 levels");
	bn_skill_manifest_free(m);
	bn_skill_report_clear(&r);
	bn_skill_report_clear(&r);
	free(y);
}

static void test_node_cap(bn_t *t)
{
	char *items = repeat("  - x\n", BN_SKILL__YAML_MAX_NODES);
	char *y = bn_xasprintf("a:\n%s", items);
	bn_ynode *root = NULL;
	bn_err e;

	bn_err_init(&e);
	BN_CHECK_INT(t, bn_skill__yaml_parse(&root, y, strlen(y), 2, "f", 0,
					     NULL, &e), ==, BN_ELIMIT);
	BN_CHECK_CONTAINS(t, e.msg, "more than 10000 YAML nodes");
	BN_CHECK(t, root == NULL);
	free(items);
	free(y);
}

static void test_alias_bomb(bn_t *t)
{
	/* Lenient mode copies aliased scalars: 9,000 copies of 64 KiB
	 * would be 576 MiB; the byte cap stops it. */
	char *big = repeat("x", 65536), *refs = repeat("- *a\n", 9000);
	char *y = bn_xasprintf("a: &a %s\nb:\n%s", big, refs);
	bn_ynode *root = NULL;
	bn_err e;

	bn_err_init(&e);
	BN_CHECK_INT(t, bn_skill__yaml_parse(&root, y, strlen(y), 2, "f", 0,
					     NULL, &e), ==, BN_ELIMIT);
	BN_CHECK_CONTAINS(t, e.msg, "aliases expanded");
	BN_CHECK(t, root == NULL);
	free(big);
	free(refs);
	free(y);
}

/* ---- finding the file ---- */

static void test_skill_md_preference(bn_t *t)
{
	char *d = put_file("both", "SKILL.md", "upper", 5), *file, *dir;
	char *lower;
	bn_err e;

	free(put_file("both", "skill.md", "lower", 5));
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_skill_find_file(&file, &dir, d, &e), ==, 0);
	if (!e.code) {
		BN_CHECK_CONTAINS(t, file, "/both/SKILL.md");
		free(file);
		free(dir);
	}
	/* Given the lowercase file, the folder's SKILL.md still wins. */
	lower = bn_xasprintf("%s/skill.md", d);
	BN_CHECK_INT(t, bn_skill_find_file(&file, &dir, lower, &e), ==, 0);
	if (!e.code) {
		BN_CHECK_CONTAINS(t, file, "/both/SKILL.md");
		BN_CHECK(t, dir[0] == '/');
		free(file);
		free(dir);
	}
	free(lower);
	free(d);
	/* Only skill.md. */
	d = put_file("lower-only", "skill.md", "x", 1);
	BN_CHECK_INT(t, bn_skill_find_file(&file, &dir, d, &e), ==, 0);
	if (!e.code) {
		BN_CHECK_CONTAINS(t, file, "/lower-only/skill.md");
		free(file);
		free(dir);
	}
	free(d);
}

static void test_find_errors(bn_t *t)
{
	char *d = bn_xasprintf("%s/no-such", g_root), *file, *dir;
	bn_skill_report r = { 0 };
	bn_err e;

	bn_err_init(&e);
	BN_CHECK_INT(t, bn_skill_find_file(&file, &dir, d, &e), ==,
		     BN_ENOTFOUND);
	BN_CHECK_CONTAINS(t, e.msg, "no-such");
	free(d);
	d = put_file("empty-dir", "README.md", "x", 1);
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_skill_find_file(&file, &dir, d, &e), ==,
		     BN_ENOTFOUND);
	BN_CHECK_CONTAINS(t, e.msg, "missing SKILL.md");
	BN_CHECK(t, !bn_skill_validate(&r, d));
	BN_CHECK(t, has_msg(&r.errors, "empty-dir: missing SKILL.md"));
	bn_skill_report_clear(&r);
	free(d);
	d = bn_xasprintf("%s/empty-dir/README.md", g_root);
	bn_err_init(&e);
	BN_CHECK_INT(t, bn_skill_find_file(&file, &dir, d, &e), ==,
		     BN_EINVAL);
	free(d);
}

static void test_validate_file_path(bn_t *t)
{
	char *d = put_skill("by-file", "---\nname: by-file\ndescription: x\n"
			    "---\n");
	char *f = bn_xasprintf("%s/SKILL.md", d);
	bn_skill_report r = { 0 };

	BN_CHECK(t, bn_skill_validate(&r, f));
	dump(&r);
	bn_skill_report_clear(&r);
	free(f);
	free(d);
}

static void test_folder_name_as_written(bn_t *t)
{
	char *d = put_skill("real-name", "---\nname: link-name\n"
			    "description: x\n---\n");
	char *link = bn_xasprintf("%s/link-name", g_root);
	char *cwd = getcwd(NULL, 0);
	bn_skill_report r = { 0 };

	/* As the reference: the name of the folder as given (a link). */
	BN_CHECK_INT(t, symlink(d, link), ==, 0);
	BN_CHECK(t, bn_skill_validate(&r, link));
	dump(&r);
	bn_skill_report_clear(&r);
	BN_CHECK(t, !bn_skill_validate(&r, d));
	bn_skill_report_clear(&r);
	/* "." is judged by the real folder's name. */
	BN_CHECK_INT(t, chdir(link), ==, 0);
	BN_CHECK(t, !bn_skill_validate(&r, "."));
	BN_CHECK(t, has_msg(&r.errors, "folder name 'real-name'"));
	bn_skill_report_clear(&r);
	BN_CHECK(t, !bn_skill_validate(&r, "./SKILL.md"));
	bn_skill_report_clear(&r);
	BN_CHECK_INT(t, chdir(cwd), ==, 0);
	free(cwd);
	free(link);
	free(d);
}

static void test_report_accumulates(bn_t *t)
{
	char *bad = put_skill("acc-bad", "no frontmatter\n");
	char *good = put_skill("acc-good", "---\nname: acc-good\n"
			       "description: x\n---\n");
	bn_skill_report r = { 0 };

	BN_CHECK(t, !bn_skill_validate(&r, bad));
	BN_CHECK(t, bn_skill_validate(&r, good));
	BN_CHECK_INT(t, r.errors.n, ==, 1);
	bn_skill_report_clear(&r);
	free(bad);
	free(good);
}

/* ---- lenient load ---- */

static void test_load_fields(bn_t *t)
{
	bn_skill_report r = { 0 };
	bn_skill_manifest *m;
	bn_err e;

	m = load(t, "load-all", "---\nname: load-all\ndescription: \"  Does "
		 "things  \"\nlicense: MIT\ncompatibility: git\n"
		 "allowed-tools: Read Write\nmetadata:\n  author: Ann\n"
		 "  type: tool\n  version: 1.2.3-rc.1+b5\n"
		 "  capabilities: net=api.example.com fs\n"
		 "  parents: base\n  dependencies: a@^1 b\n"
		 "  conflicts-with: old-one\n  secrets: API_KEY TOKEN\n"
		 "---\n\n# Title\n\nText.\n\n", &r, &e);
	BN_CHECK(t, m != NULL);
	if (!m) {
		printf("#   %s\n", e.msg);
		return;
	}
	BN_CHECK_STR(t, m->name, "load-all");
	BN_CHECK_STR(t, m->description, "Does things");
	BN_CHECK_STR(t, m->license, "MIT");
	BN_CHECK_STR(t, m->compatibility, "git");
	BN_CHECK_STR(t, m->allowed_tools, "Read Write");
	BN_CHECK_STR(t, m->body, "# Title\n\nText.");
	BN_CHECK_INT(t, m->type, ==, BN_SKILL_TYPE_TOOL);
	BN_CHECK_STR(t, m->version, "1.2.3-rc.1+b5");
	BN_CHECK_STR(t, m->author, "Ann");
	BN_CHECK_INT(t, m->capabilities.n, ==, 2);
	BN_CHECK(t, bn_strv_has(&m->capabilities, "net=api.example.com"));
	BN_CHECK(t, bn_strv_has(&m->capabilities, "fs"));
	BN_CHECK(t, bn_strv_has(&m->parents, "base"));
	BN_CHECK_INT(t, m->dependencies.n, ==, 2);
	BN_CHECK(t, bn_strv_has(&m->dependencies, "a@^1"));
	BN_CHECK(t, bn_strv_has(&m->conflicts_with, "old-one"));
	BN_CHECK_INT(t, m->secrets.n, ==, 2);
	BN_CHECK_STR(t, bn_skill_manifest_meta(m, "author"), "Ann");
	BN_CHECK(t, bn_skill_manifest_meta(m, "nope") == NULL);
	BN_CHECK_INT(t, m->meta_keys.n, ==, 8);
	BN_CHECK_STR(t, m->meta_keys.v[0], "author");
	BN_CHECK(t, m->dir[0] == '/');
	BN_CHECK_CONTAINS(t, m->file, "/load-all/SKILL.md");
	BN_CHECK_INT(t, r.warnings.n, ==, 0);
	dump(&r);
	bn_skill_manifest_free(m);
	bn_skill_report_clear(&r);
}

static void test_load_name_warnings(bn_t *t)
{
	bn_skill_report r = { 0 };
	bn_skill_manifest *m;
	bn_err e;

	m = load(t, "folder-x", "---\nname: Bad_Name\ndescription: x\n"
		 "extra: 1\n---\n", &r, &e);
	BN_CHECK(t, m != NULL);
	if (m)
		BN_CHECK_STR(t, m->name, "Bad_Name");
	BN_CHECK(t, has_msg(&r.warnings, "name: 'Bad_Name' must be "
			    "lowercase"));
	BN_CHECK(t, has_msg(&r.warnings, "does not match the folder name "
			    "'folder-x'"));
	BN_CHECK(t, has_msg(&r.warnings, ":4: extra: not a field"));
	bn_skill_manifest_free(m);
	bn_skill_report_clear(&r);
	/* No name: the folder's. */
	m = load(t, "nameless", "---\ndescription: x\n---\n", &r, &e);
	BN_CHECK(t, m != NULL);
	if (m)
		BN_CHECK_STR(t, m->name, "nameless");
	BN_CHECK(t, has_msg(&r.warnings, "name: missing; using the folder "
			    "name 'nameless'"));
	bn_skill_manifest_free(m);
	bn_skill_report_clear(&r);
}

static void test_load_skips(bn_t *t)
{
	bn_skill_report r = { 0 };
	bn_skill_manifest *m;
	bn_err e;

	m = load(t, "skip-desc", "---\nname: skip-desc\n---\n", &r, &e);
	BN_CHECK(t, m == NULL);
	BN_CHECK_INT(t, e.code, ==, BN_EINVAL);
	BN_CHECK_CONTAINS(t, e.msg, "skip-desc/SKILL.md: description: "
			  "missing; skill skipped");
	m = load(t, "skip-blank", "---\nname: skip-blank\ndescription: "
		 "''\n---\n", &r, &e);
	BN_CHECK(t, m == NULL);
	BN_CHECK_CONTAINS(t, e.msg, "skip-blank/SKILL.md:3: description: "
			  "must be a non-empty string");
	m = load(t, "skip-yaml", "---\nname: [broken\ndescription: x\n---\n",
		 &r, &e);
	BN_CHECK(t, m == NULL);
	BN_CHECK_CONTAINS(t, e.msg, "skip-yaml/SKILL.md:");
	BN_CHECK_CONTAINS(t, e.msg, "invalid YAML");
	m = load(t, "skip-list", "---\n- a\n---\n", &r, &e);
	BN_CHECK(t, m == NULL);
	BN_CHECK_CONTAINS(t, e.msg, "frontmatter: not a YAML mapping");
	bn_skill_report_clear(&r);
}

static void test_load_colon_retry(bn_t *t)
{
	bn_skill_report r = { 0 };
	bn_skill_manifest *m;
	bn_err e;

	m = load(t, "colon", "---\nname: colon\ndescription: Deploy to: "
		 "production, \"carefully\" \\ now  \nmetadata:\n"
		 "  note: see: the docs\n  - odd: x\n---\n", &r, &e);
	BN_CHECK(t, m == NULL); /* "- odd" breaks the mapping anyway */
	m = load(t, "colon", "---\nname: colon\ndescription: Deploy to: "
		 "production, \"carefully\" \\ now  \nmetadata:\n"
		 "  note: see: the docs\n---\nBody\n", &r, &e);
	BN_CHECK(t, m != NULL);
	if (!m) {
		printf("#   %s\n", e.msg);
		return;
	}
	BN_CHECK_STR(t, m->description,
		     "Deploy to: production, \"carefully\" \\ now");
	BN_CHECK_STR(t, bn_skill_manifest_meta(m, "note"), "see: the docs");
	BN_CHECK(t, has_msg(&r.warnings, "colon/SKILL.md:3: frontmatter: a "
			    "value with an unquoted ': '"));
	BN_CHECK(t, has_msg(&r.warnings, "colon/SKILL.md:5: frontmatter:"));
	bn_skill_manifest_free(m);
	bn_skill_report_clear(&r);
	/* Strict validation still rejects it. */
	EXPECT_ERROR(t, "colon", "---\nname: colon\ndescription: Deploy to: "
		     "production\n---\n", "invalid YAML");
}

static void test_quote_retry_unit(bn_t *t)
{
	static const char fm[] = "a: b: c\n'q': x: y\nb: \"x: y\"\n"
				 "- item: with: colon\nc: plain\nd: |\n";
	size_t lines[8];
	bn_buf out = BN_BUF_INIT;
	size_t n = bn_skill__quote_retry(&out, fm, sizeof(fm) - 1, lines, 8);

	BN_CHECK_INT(t, n, ==, 2);
	BN_CHECK_INT(t, lines[0], ==, 0);
	BN_CHECK_INT(t, lines[1], ==, 3);
	BN_CHECK_STR(t, bn_buf_cstr(&out), "a: \"b: c\"\n'q': x: y\n"
		     "b: \"x: y\"\n- item: \"with: colon\"\nc: plain\nd: |\n");
	bn_buf_clear(&out);
	BN_CHECK_INT(t, bn_skill__quote_retry(&out, "a: b\n", 5, lines, 8),
		     ==, 0);
	BN_CHECK(t, out.data == NULL);
}

static void test_load_lenient_yaml(bn_t *t)
{
	bn_skill_report r = { 0 };
	bn_skill_manifest *m;
	bn_err e;

	/* Flow style, anchors, aliases, tags and duplicates all load. */
	m = load(t, "loose", "---\nname: loose\ndescription: &d !!str Hi\n"
		 "description: *d\nallowed-tools: [Read, Write]\n"
		 "metadata: {owner: me, caps: [a, b]}\n---\n", &r, &e);
	BN_CHECK(t, m != NULL);
	if (!m) {
		printf("#   %s\n", e.msg);
		return;
	}
	BN_CHECK_STR(t, m->description, "Hi");
	BN_CHECK_STR(t, m->allowed_tools, "Read Write");
	BN_CHECK_STR(t, bn_skill_manifest_meta(m, "owner"), "me");
	BN_CHECK_STR(t, bn_skill_manifest_meta(m, "caps"), "a b");
	BN_CHECK(t, has_msg(&r.warnings, ":4: frontmatter: duplicate key "
			    "'description'"));
	bn_skill_manifest_free(m);
	bn_skill_report_clear(&r);
}

static void test_load_legacy_lists(bn_t *t)
{
	static const char text[] =
		"---\nname: legacy\ndescription: x\nmetadata:\n"
		"  skill-type: tool\n  version: 2.0.0\n  capabilities:\n"
		"    - net=api.example.com\n    - fs\n  parents:\n"
		"    - base\n  dependencies:\n    - util@^1.2\n"
		"  conflicts-with:\n    - other\n  secrets:\n    - API_KEY\n"
		"  author: Old Timer\n---\nBody\n";
	bn_skill_report r = { 0 };
	bn_err e;
	bn_skill_manifest *m = load(t, "legacy", text, &r, &e);

	BN_CHECK(t, m != NULL);
	if (!m)
		return;
	BN_CHECK_INT(t, m->type, ==, BN_SKILL_TYPE_TOOL);
	BN_CHECK_STR(t, m->version, "2.0.0");
	BN_CHECK_INT(t, m->capabilities.n, ==, 2);
	BN_CHECK_STR(t, m->capabilities.v[0], "net=api.example.com");
	BN_CHECK_STR(t, m->parents.v[0], "base");
	BN_CHECK_STR(t, m->dependencies.v[0], "util@^1.2");
	BN_CHECK_STR(t, m->conflicts_with.v[0], "other");
	BN_CHECK_STR(t, m->secrets.v[0], "API_KEY");
	BN_CHECK_STR(t, m->author, "Old Timer");
	BN_CHECK_STR(t, bn_skill_manifest_meta(m, "capabilities"),
		     "net=api.example.com fs");
	BN_CHECK_INT(t, r.warnings.n, ==, 0);
	dump(&r);
	bn_skill_manifest_free(m);
	bn_skill_report_clear(&r);
	/* Strict validation: the reference accepts it; we warn. */
	{
		char *d = bn_xasprintf("%s/legacy", g_root);

		BN_CHECK(t, bn_skill_validate(&r, d));
		BN_CHECK(t, has_msg(&r.warnings, "metadata.capabilities: "
				    "must be a string, not a list"));
		bn_skill_report_clear(&r);
		BN_CHECK(t, !bn_skill_validate_ex(&r, d,
						  BN_SKILL_VALIDATE_SPEC));
		BN_CHECK_INT(t, r.errors.n, ==, 5);
		bn_skill_report_clear(&r);
		free(d);
	}
}

static void test_load_type_default(bn_t *t)
{
	bn_skill_report r = { 0 };
	bn_skill_manifest *m;
	bn_err e;

	m = load(t, "typed", "---\nname: typed\ndescription: x\nmetadata:\n"
		 "  type: daemon\n  version: one\n---\n", &r, &e);
	BN_CHECK(t, m != NULL);
	if (m) {
		BN_CHECK_INT(t, m->type, ==, BN_SKILL_TYPE_PROMPT);
		BN_CHECK_STR(t, m->version, "one");
	}
	BN_CHECK(t, has_msg(&r.warnings, ":5: metadata.type: neither"));
	BN_CHECK(t, has_msg(&r.warnings, ":6: metadata.version: not a "
			    "semantic version"));
	bn_skill_manifest_free(m);
	bn_skill_report_clear(&r);
	m = load(t, "untyped", "---\nname: untyped\ndescription: x\n---\n",
		 NULL, &e);
	BN_CHECK(t, m != NULL);
	if (m) {
		BN_CHECK_INT(t, m->type, ==, BN_SKILL_TYPE_PROMPT);
		BN_CHECK(t, m->version == NULL && m->license == NULL);
		BN_CHECK_STR(t, m->body, "");
	}
	bn_skill_manifest_free(m);
	BN_CHECK_STR(t, bn_skill_type_name(BN_SKILL_TYPE_TOOL), "tool");
	BN_CHECK_STR(t, bn_skill_type_name(BN_SKILL_TYPE_PROMPT), "prompt");
}

static void test_semver(bn_t *t)
{
	static const char *const good[] = { "0.0.0", "1.2.3", "10.20.30",
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7",
		"1.0.0-x.7.z.92", "1.0.0+20130313144700",
		"1.0.0-beta+exp.sha.5114f85", "1.0.0-rc.1+build.1" };
	static const char *const bad[] = { "", "1", "1.2", "1.2.3.4",
		"v1.2.3", "01.2.3", "1.02.3", "1.2.03", "1.2.3-", "1.2.3+",
		"1.2.3-01", "1.2.3-a..b", "1.2.3 ", "a.b.c", "1.2.3-a_b",
		"99999999999999999999.0.0" };
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(*good); i++)
		if (!bn_skill_is_semver(good[i])) {
			printf("#   not semver: %s\n", good[i]);
			t->cur_fail++;
		}
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (bn_skill_is_semver(bad[i])) {
			printf("#   semver: %s\n", bad[i]);
			t->cur_fail++;
		}
	BN_CHECK(t, !bn_skill_is_semver(NULL));
}

/* ---- JSON and catalog ---- */

static void test_to_json(bn_t *t)
{
	bn_skill_report r = { 0 };
	bn_skill_manifest *m;
	json_t *j;
	char *s;
	bn_err e;

	m = load(t, "json-skill", "---\nname: json-skill\ndescription: D\n"
		 "allowed-tools: Bash(jq:*)\nmetadata:\n  author: A\n"
		 "  version: \"1.0\"\n---\n", &r, &e);
	BN_CHECK(t, m != NULL);
	if (!m)
		return;
	j = bn_skill_manifest_to_json(m);
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	BN_CHECK_STR(t, s, "{\"name\":\"json-skill\",\"description\":\"D\","
		     "\"allowed-tools\":\"Bash(jq:*)\",\"metadata\":{"
		     "\"author\":\"A\",\"version\":\"1.0\"}}");
	free(s);
	json_decref(j);
	bn_skill_manifest_free(m);
	/* No metadata: no key at all. */
	m = load(t, "json-min", "---\nname: json-min\ndescription: D\n"
		 "license: MIT\n---\n", &r, &e);
	if (m) {
		j = bn_skill_manifest_to_json(m);
		s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
		BN_CHECK_STR(t, s, "{\"name\":\"json-min\",\"description\":"
			     "\"D\",\"license\":\"MIT\"}");
		free(s);
		json_decref(j);
	}
	bn_skill_manifest_free(m);
	bn_skill_report_clear(&r);
}

static void test_catalog(bn_t *t)
{
	bn_skill_manifest a = { 0 }, b = { 0 };
	const bn_skill_manifest *v[2] = { &a, &b };
	bn_buf out = BN_BUF_INIT;

	BN_CHECK_INT(t, bn_skill_prompt_catalog(&out, v, 0), ==, 0);
	BN_CHECK_STR(t, bn_buf_cstr(&out),
		     "<available_skills>\n</available_skills>");
	bn_buf_clear(&out);
	a.name = "pdf";
	a.description = "Use <foo> & <bar> \"tags\" it's";
	a.file = "/s/special-&-<>/SKILL.md";
	b.name = "b";
	b.description = "B";
	b.file = "/s/b/SKILL.md";
	BN_CHECK_INT(t, bn_skill_prompt_catalog(&out, v, 2), ==, 0);
	BN_CHECK_STR(t, bn_buf_cstr(&out),
		     "<available_skills>\n<skill>\n<name>\npdf\n</name>\n"
		     "<description>\nUse &lt;foo&gt; &amp; &lt;bar&gt; "
		     "&quot;tags&quot; it&#x27;s\n</description>\n"
		     "<location>\n/s/special-&amp;-&lt;&gt;/SKILL.md\n"
		     "</location>\n</skill>\n<skill>\n<name>\nb\n</name>\n"
		     "<description>\nB\n</description>\n<location>\n"
		     "/s/b/SKILL.md\n</location>\n</skill>\n"
		     "</available_skills>");
	bn_buf_clear(&out);
	/* The buffer's cap is honoured. */
	bn_buf_init(&out, 16);
	BN_CHECK(t, bn_skill_prompt_catalog(&out, v, 2) != 0);
	bn_buf_clear(&out);
}

/* ---- corpus ---- */

static const struct {
	const char *rule;    /* the id in expected.tsv */
	const char *needle;  /* text our error carries */
} corpus_rules[] = {
	{ "frontmatter-missing", "frontmatter: missing" },
	{ "frontmatter-unclosed", "not closed" },
	{ "bom", "byte order mark" },
	{ "not-mapping", "must be a YAML mapping" },
	{ "yaml-invalid", "invalid YAML" },
	{ "yaml-flow", "flow style" },
	{ "yaml-duplicate", "duplicate key" },
	{ "yaml-anchor", "anchors" },
	{ "yaml-tag", "tags" },
	{ "unknown-field", "unknown field" },
	{ "name-missing", "name: missing" },
	{ "name-case", "must be lowercase" },
	{ "name-hyphen", "start or end with a hyphen" },
	{ "name-double-hyphen", "consecutive hyphens" },
	{ "name-chars", "letters, digits and hyphens" },
	{ "name-length", "the limit is 64" },
	{ "name-folder", "does not match the folder name" },
	{ "description-missing", "description: missing" },
	{ "description-length", "the limit is 1024" },
	{ "compatibility-length", "the limit is 500" },
};

static const char *rule_needle(const char *rule)
{
	size_t i;

	for (i = 0; i < sizeof(corpus_rules) / sizeof(*corpus_rules); i++)
		if (strcmp(corpus_rules[i].rule, rule) == 0)
			return corpus_rules[i].needle;
	return NULL;
}

static void corpus_case(bn_t *t, const char *folder, const char *verdict,
			const char *rule, size_t *count)
{
	char *path = bn_xasprintf("%s/%s", g_corpus, folder);
	bn_skill_report r = { 0 };
	bn_skill_manifest *m = NULL;
	bool want = strcmp(verdict, "valid") == 0;
	bool got = bn_skill_validate(&r, path);
	const char *needle = rule_needle(rule);
	bn_err e;

	(*count)++;
	if (got != want || (!want && (!needle ||
				      !has_msg(&r.errors, needle)))) {
		printf("#   corpus %s: expected %s (%s), got %s\n", folder,
		       verdict, rule, got ? "valid" : "invalid");
		dump(&r);
		t->cur_fail++;
	}
	bn_skill_report_clear(&r);
	/* Lenient load never crashes, and loads every valid one. */
	bn_err_init(&e);
	if (bn_skill_manifest_load(&m, path, &r, &e) != 0 && want) {
		printf("#   corpus %s: load failed: %s\n", folder, e.msg);
		t->cur_fail++;
	}
	bn_skill_manifest_free(m);
	bn_skill_report_clear(&r);
	free(path);
}

static void test_corpus(bn_t *t)
{
	char *tsv, *line, *save = NULL;
	size_t len, count = 0;
	char *path;
	bn_err e;

	if (!g_corpus)
		BN_SKIP(t, "no corpus folder given");
	path = bn_xasprintf("%s/expected.tsv", g_corpus);
	bn_err_init(&e);
	if (bn_fs_read_file(&tsv, &len, path, 1 << 20, &e)) {
		printf("#   %s\n", e.msg);
		t->cur_fail++;
		free(path);
		return;
	}
	for (line = strtok_r(tsv, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[4] = { 0 }, *s2 = NULL;
		int k = 0;

		if (line[0] == '#' || !line[0])
			continue;
		for (char *c = strtok_r(line, "\t", &s2); c && k < 4;
		     c = strtok_r(NULL, "\t", &s2))
			f[k++] = c;
		if (k < 3) {
			printf("#   bad line in expected.tsv\n");
			t->cur_fail++;
			continue;
		}
		corpus_case(t, f[0], f[1], f[2], &count);
	}
	printf("#   corpus: %zu cases\n", count);
	BN_CHECK(t, count >= 20);
	free(tsv);
	free(path);
}

int main(int argc, char **argv)
{
	bn_t t = { 0 };
	const char *tmp = getenv("TMPDIR");
	bn_err e;
	int rc;

	g_corpus = argc > 1 ? argv[1] : NULL;
	snprintf(g_root, sizeof(g_root), "%s/bn-skill-test-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(g_root)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	BN_RUN(&t, test_valid_minimal);
	BN_RUN(&t, test_valid_all_fields);
	BN_RUN(&t, test_frontmatter_missing);
	BN_RUN(&t, test_frontmatter_unclosed);
	BN_RUN(&t, test_frontmatter_marker_trailing_blanks);
	BN_RUN(&t, test_frontmatter_not_mapping);
	BN_RUN(&t, test_invalid_yaml);
	BN_RUN(&t, test_unknown_fields_listed);
	BN_RUN(&t, test_name_missing);
	BN_RUN(&t, test_name_empty);
	BN_RUN(&t, test_name_not_string);
	BN_RUN(&t, test_name_uppercase);
	BN_RUN(&t, test_name_length);
	BN_RUN(&t, test_name_length_in_characters);
	BN_RUN(&t, test_name_hyphens);
	BN_RUN(&t, test_name_invalid_chars);
	BN_RUN(&t, test_name_unicode);
	BN_RUN(&t, test_name_folder_mismatch);
	BN_RUN(&t, test_description_missing);
	BN_RUN(&t, test_description_length);
	BN_RUN(&t, test_compatibility_length);
	BN_RUN(&t, test_spec_only_rules);
	BN_RUN(&t, test_metadata_not_mapping);
	BN_RUN(&t, test_boternity_metadata_warnings);
	BN_RUN(&t, test_duplicate_keys);
	BN_RUN(&t, test_flow_collections);
	BN_RUN(&t, test_anchors_aliases);
	BN_RUN(&t, test_tags);
	BN_RUN(&t, test_multiple_documents);
	BN_RUN(&t, test_scalars_are_strings);
	BN_RUN(&t, test_bom);
	BN_RUN(&t, test_crlf);
	BN_RUN(&t, test_empty_file);
	BN_RUN(&t, test_binary);
	BN_RUN(&t, test_invalid_utf8);
	BN_RUN(&t, test_huge);
	BN_RUN(&t, test_deep_nesting);
	BN_RUN(&t, test_deep_flow_lenient);
	BN_RUN(&t, test_node_cap);
	BN_RUN(&t, test_alias_bomb);
	BN_RUN(&t, test_skill_md_preference);
	BN_RUN(&t, test_find_errors);
	BN_RUN(&t, test_validate_file_path);
	BN_RUN(&t, test_folder_name_as_written);
	BN_RUN(&t, test_report_accumulates);
	BN_RUN(&t, test_load_fields);
	BN_RUN(&t, test_load_name_warnings);
	BN_RUN(&t, test_load_skips);
	BN_RUN(&t, test_load_colon_retry);
	BN_RUN(&t, test_quote_retry_unit);
	BN_RUN(&t, test_load_lenient_yaml);
	BN_RUN(&t, test_load_legacy_lists);
	BN_RUN(&t, test_load_type_default);
	BN_RUN(&t, test_semver);
	BN_RUN(&t, test_to_json);
	BN_RUN(&t, test_catalog);
	BN_RUN(&t, test_corpus);
	rc = bn_t_done(&t);
	bn_err_init(&e);
	if (bn_fs_rmtree(g_root, &e))
		printf("# rmtree: %s\n", e.msg);
	return rc;
}

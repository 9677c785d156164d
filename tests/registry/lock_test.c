/* SPDX-License-Identifier: MIT */
/*
 * tests/registry/lock_test.c - the tree hash and skills-lock.json
 * (registry/lock.c): listing order and format, what changes the hash and
 * what does not, links refused, a lockfile round trip that keeps the keys
 * other tools write, malformed lockfiles.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fs.h"
#include "harness.h"
#include "registry/registry.h"

static char *mkskill(void)
{
	char tmpl[] = "/tmp/bn-lock-XXXXXX";
	char *dir = bn_xstrdup(mkdtemp(tmpl)), *p;

	p = bn_fs_join(dir, "b");
	(void)bn_fs_mkdirs(p, NULL);
	free(p);
	p = bn_fs_join(dir, "SKILL.md");
	(void)bn_fs_write_atomic(p, "---\nname: x\n---\n", 16, 0644, NULL);
	free(p);
	p = bn_fs_join(dir, "b/z.txt");
	(void)bn_fs_write_atomic(p, "z", 1, 0644, NULL);
	free(p);
	p = bn_fs_join(dir, "a.txt");
	(void)bn_fs_write_atomic(p, "", 0, 0644, NULL);
	free(p);
	return dir;
}

static void put(const char *dir, const char *rel, const char *text)
{
	char *p = bn_fs_join(dir, rel);
	(void)bn_fs_write_atomic(p, text, strlen(text), 0644, NULL);
	free(p);
}

static void test_listing_format(bn_t *t)
{
	char *dir = mkskill();
	bn_buf b = BN_BUF_INIT;
	char want[400], e[65], z[65];

	BN_CHECK_INT(t, bn_skill_tree_listing(&b, dir, false, NULL), ==, 0);
	bn_fs_sha256_hex(e, "", 0);
	bn_fs_sha256_hex(z, "z", 1);
	/* bytewise order: "SKILL.md" < "a.txt" < "b/z.txt" */
	snprintf(want, sizeof(want), "%.64s  SKILL.md\n%s  a.txt\n%s  b/z.txt\n",
		 strstr(bn_buf_cstr(&b), "  SKILL.md") - 64, e, z);
	BN_CHECK_STR(t, bn_buf_cstr(&b), want);
	bn_buf_clear(&b);
	(void)bn_fs_rmtree(dir, NULL);
	free(dir);
}

static void test_hash_changes(bn_t *t)
{
	char *dir = mkskill();
	char h0[72], h1[72], h2[72], h3[72];

	BN_CHECK_INT(t, bn_skill_tree_hash(h0, dir, NULL), ==, 0);
	BN_CHECK(t, strncmp(h0, "sha256:", 7) == 0 && strlen(h0) == 71);
	BN_CHECK_INT(t, bn_skill_tree_hash(h1, dir, NULL), ==, 0);
	BN_CHECK_STR(t, h0, h1);                        /* deterministic */
	put(dir, "b/z.txt", "Z");
	BN_CHECK_INT(t, bn_skill_tree_hash(h1, dir, NULL), ==, 0);
	BN_CHECK(t, strcmp(h0, h1) != 0);               /* content */
	put(dir, "b/z.txt", "z");
	put(dir, "new.txt", "");
	BN_CHECK_INT(t, bn_skill_tree_hash(h2, dir, NULL), ==, 0);
	BN_CHECK(t, strcmp(h0, h2) != 0);               /* an added file */
	char *p = bn_fs_join(dir, "new.txt");
	unlink(p);
	free(p);
	/* the install marker does not count */
	put(dir, BN_REGISTRY_MARKER_FILE, "{}");
	BN_CHECK_INT(t, bn_skill_tree_hash(h3, dir, NULL), ==, 0);
	BN_CHECK_STR(t, h0, h3);
	(void)bn_fs_rmtree(dir, NULL);
	free(dir);
}

static void test_signature_listing_skips_sig(bn_t *t)
{
	char *dir = mkskill();
	bn_buf a = BN_BUF_INIT, b = BN_BUF_INIT;

	BN_CHECK_INT(t, bn_skill_tree_listing(&a, dir, true, NULL), ==, 0);
	put(dir, BN_REGISTRY_SIG_FILE, "untrusted comment: x\n");
	BN_CHECK_INT(t, bn_skill_tree_listing(&b, dir, true, NULL), ==, 0);
	BN_CHECK_STR(t, bn_buf_cstr(&a), bn_buf_cstr(&b));
	bn_buf_clear(&b);
	BN_CHECK_INT(t, bn_skill_tree_listing(&b, dir, false, NULL), ==, 0);
	BN_CHECK_CONTAINS(t, bn_buf_cstr(&b), BN_REGISTRY_SIG_FILE);
	bn_buf_clear(&a);
	bn_buf_clear(&b);
	(void)bn_fs_rmtree(dir, NULL);
	free(dir);
}

static void test_links_refused(bn_t *t)
{
	char *dir = mkskill(), *p = bn_fs_join(dir, "pw");
	char h[72];
	bn_err err;

	BN_CHECK_INT(t, symlink("/etc/passwd", p), ==, 0);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_skill_tree_hash(h, dir, &err), ==, BN_EDENIED);
	BN_CHECK_CONTAINS(t, err.msg, "symbolic link");
	free(p);
	(void)bn_fs_rmtree(dir, NULL);
	free(dir);
}

static void test_lock_round_trip(bn_t *t)
{
	char tmpl[] = "/tmp/bn-lockf-XXXXXX";
	char *home = mkdtemp(tmpl), *path = bn_fs_join(home,
						       "skills-lock.json");
	bn_registry_lock_entry e = { 0 }, got = { 0 };
	char *text;
	size_t len;

	/* another tool's lockfile, with its own keys */
	put(home, "skills-lock.json", "{\"version\": 1, \"generatedBy\": \"x\","
	    " \"skills\": {\"other\": {\"source\": \"o/r\", \"sourceType\":"
	    " \"github\", \"computedHash\": \"abc\"}}}");
	e.name = bn_xstrdup("pdf");
	e.source = bn_xstrdup("anthropics/skills/skills/pdf");
	e.source_type = bn_xstrdup("github");
	e.ref = bn_xstrdup("0123456789012345678901234567890123456789");
	e.path = bn_xstrdup("skills/pdf");
	e.hash = bn_xstrdup("sha256:aa");
	e.source_hash = bn_xstrdup("sha256:bb");
	e.tier = bn_xstrdup("untrusted");
	bn_strv_push(&e.capabilities, "http_get=https://x.org");
	bn_strv_push(&e.granted, "http_get=https://x.org");
	e.installed_at = 1700000000;
	BN_CHECK_INT(t, bn_registry_lock_put(home, "pdf", &e, NULL), ==, 0);
	BN_CHECK_INT(t, bn_registry_lock_get(&got, home, "pdf", NULL), ==, 0);
	BN_CHECK_STR(t, got.source, e.source);
	BN_CHECK_STR(t, got.source_type, "github");
	BN_CHECK_STR(t, got.ref, e.ref);
	BN_CHECK_STR(t, got.path, "skills/pdf");
	BN_CHECK_STR(t, got.hash, "sha256:aa");
	BN_CHECK_STR(t, got.source_hash, "sha256:bb");
	BN_CHECK_STR(t, got.tier, "untrusted");
	BN_CHECK_INT(t, got.capabilities.n, ==, 1);
	BN_CHECK_INT(t, got.granted.n, ==, 1);
	BN_CHECK_INT(t, got.installed_at, ==, 1700000000);
	BN_CHECK_INT(t, bn_fs_read_file(&text, &len, path, 1 << 20, NULL), ==,
		     0);
	BN_CHECK_CONTAINS(t, text, "\"generatedBy\": \"x\"");
	BN_CHECK_CONTAINS(t, text, "\"other\"");
	free(text);
	bn_registry_lock_entry_clear(&got);
	BN_CHECK_INT(t, bn_registry_lock_put(home, "pdf", NULL, NULL), ==, 0);
	BN_CHECK_INT(t, bn_registry_lock_get(&got, home, "pdf", NULL), ==,
		     BN_ENOTFOUND);
	BN_CHECK_INT(t, bn_registry_lock_get(&got, home, "other", NULL), ==,
		     0);
	bn_registry_lock_entry_clear(&got);
	bn_registry_lock_entry_clear(&e);
	free(path);
	(void)bn_fs_rmtree(home, NULL);
}

static void test_lock_malformed(bn_t *t)
{
	char tmpl[] = "/tmp/bn-lockm-XXXXXX";
	char *home = mkdtemp(tmpl);
	json_t *j = NULL;
	bn_err err;

	BN_CHECK_INT(t, bn_registry_lock_load(&j, home, NULL), ==, 0);
	BN_CHECK(t, json_is_object(json_object_get(j, "skills")));
	json_decref(j);
	put(home, "skills-lock.json", "{\"skills\": {\"a\": ");
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_registry_lock_load(&j, home, &err), ==, BN_EINVAL);
	BN_CHECK_CONTAINS(t, err.msg, "skills-lock.json");
	put(home, "skills-lock.json", "{\"skills\": []}");
	BN_CHECK_INT(t, bn_registry_lock_load(&j, home, NULL), ==, BN_EINVAL);
	put(home, "skills-lock.json", "[1]");
	BN_CHECK_INT(t, bn_registry_lock_load(&j, home, NULL), ==, BN_EINVAL);
	(void)bn_fs_rmtree(home, NULL);
}

int main(void)
{
	bn_t t = { 0 };

	BN_RUN(&t, test_listing_format);
	BN_RUN(&t, test_hash_changes);
	BN_RUN(&t, test_signature_listing_skips_sig);
	BN_RUN(&t, test_links_refused);
	BN_RUN(&t, test_lock_round_trip);
	BN_RUN(&t, test_lock_malformed);
	return bn_t_done(&t);
}

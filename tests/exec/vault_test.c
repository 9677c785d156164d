/* SPDX-License-Identifier: MIT */
/*
 * tests/exec/vault_test.c - the secret vault: round trips, names, limits,
 * the key file's checks, tampering, the passphrase mode, and that no value
 * ever reaches the database file in the clear.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "exec/vault.h"
#include "harness.h"
#include "rawdb.h"

/* A fresh $BNITY_HOME with its store and vault. */
typedef struct fixture {
	char *home;
	bn_store *s;
	bn_exec_vault *v;
} fixture;

static bool fx_open(fixture *f, bn_t *t)
{
	bn_err err;

	bn_err_init(&err);
	if (bn_store_open(&f->s, f->home, NULL, &err) ||
	    bn_exec_vault_open(&f->v, f->s, &err)) {
		printf("#   cannot open the store: %s\n", err.msg);
		t->cur_fail++;
		return false;
	}
	return true;
}

static bool fx_init(fixture *f, bn_t *t)
{
	char tpl[] = "/tmp/bn-vault-XXXXXX";

	memset(f, 0, sizeof(*f));
	if (!mkdtemp(tpl)) {
		t->cur_fail++;
		return false;
	}
	f->home = strdup(tpl);
	return fx_open(f, t);
}

static void fx_close(fixture *f)
{
	bn_exec_vault_free(f->v);
	bn_store_free(f->s);
	f->v = NULL;
	f->s = NULL;
}

static void fx_done(fixture *f)
{
	bn_err err;

	fx_close(f);
	bn_err_init(&err);
	if (f->home)
		(void)bn_fs_rmtree(f->home, &err);
	free(f->home);
}

static char *fx_path(fixture *f, const char *name)
{
	return bn_fs_join(f->home, name);
}

static int set_str(fixture *f, const char *name, const char *value,
		   bn_err *err)
{
	bn_err_init(err);
	return bn_exec_vault_set(f->v, name, value, strlen(value), err);
}

/* Get NAME and compare it with VALUE (LEN bytes). */
static void check_value(bn_t *t, fixture *f, const char *name,
			const void *value, size_t len)
{
	bn_exec_vault_secret *s = NULL;
	bn_err err;

	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_vault_get(&s, f->v, name, &err), ==, 0);
	if (!s) {
		printf("#   %s\n", err.msg);
		return;
	}
	BN_CHECK_INT(t, s->len, ==, len);
	BN_CHECK(t, s->len == len && memcmp(s->data, value, len) == 0);
	BN_CHECK_INT(t, s->data[s->len], ==, 0);
	bn_exec_vault_secret_free(s);
}

static void test_roundtrip(bn_t *t)
{
	static const unsigned char bin[] = { 0, 1, 2, 0xff, '\n', 0, 'z' };
	struct stat st;
	fixture f;
	bn_err err;
	char *key;

	if (!fx_init(&f, t))
		return;
	BN_CHECK_INT(t, set_str(&f, "GITHUB_TOKEN", "ghp_abc123", &err), ==, 0);
	check_value(t, &f, "GITHUB_TOKEN", "ghp_abc123", 10);
	BN_CHECK_INT(t, bn_exec_vault_set(f.v, "bin.v-1_", bin, sizeof(bin),
					  &err), ==, 0);
	check_value(t, &f, "bin.v-1_", bin, sizeof(bin));
	BN_CHECK_INT(t, bn_exec_vault_set(f.v, "empty", NULL, 0, &err), ==, 0);
	check_value(t, &f, "empty", "", 0);
	key = fx_path(&f, "vault.key");
	BN_CHECK_INT(t, stat(key, &st), ==, 0);
	BN_CHECK_INT(t, st.st_mode & 0777, ==, 0600);
	BN_CHECK_INT(t, st.st_size, ==, 32);
	free(key);
	/* a second vault on the same home reads the same key */
	fx_close(&f);
	if (fx_open(&f, t))
		check_value(t, &f, "GITHUB_TOKEN", "ghp_abc123", 10);
	fx_done(&f);
}

static void test_overwrite(bn_t *t)
{
	bn_exec_vault_entry *e = NULL;
	size_t n = 0;
	fixture f;
	bn_err err;

	if (!fx_init(&f, t))
		return;
	BN_CHECK_INT(t, set_str(&f, "k", "first value", &err), ==, 0);
	BN_CHECK_INT(t, set_str(&f, "k", "second", &err), ==, 0);
	check_value(t, &f, "k", "second", 6);
	BN_CHECK_INT(t, bn_exec_vault_list(&e, &n, f.v, &err), ==, 0);
	BN_CHECK_INT(t, n, ==, 1);
	bn_exec_vault_entries_free(e, n);
	fx_done(&f);
}

static void test_list_exists(bn_t *t)
{
	bn_exec_vault_entry *e = NULL;
	size_t n = 0;
	bool has = true;
	fixture f;
	bn_err err;
	char *key;

	if (!fx_init(&f, t))
		return;
	/* listing an empty vault creates no key */
	BN_CHECK_INT(t, bn_exec_vault_list(&e, &n, f.v, &err), ==, 0);
	BN_CHECK_INT(t, n, ==, 0);
	bn_exec_vault_entries_free(e, n);
	key = fx_path(&f, "vault.key");
	BN_CHECK(t, !bn_fs_is_file(key));
	free(key);
	BN_CHECK_INT(t, set_str(&f, "zeta", "1", &err), ==, 0);
	BN_CHECK_INT(t, set_str(&f, "Alpha", "2", &err), ==, 0);
	BN_CHECK_INT(t, set_str(&f, "beta", "3", &err), ==, 0);
	BN_CHECK_INT(t, bn_exec_vault_list(&e, &n, f.v, &err), ==, 0);
	BN_CHECK_INT(t, n, ==, 3);
	if (n == 3) {
		BN_CHECK_STR(t, e[0].name, "Alpha");
		BN_CHECK_STR(t, e[1].name, "beta");
		BN_CHECK_STR(t, e[2].name, "zeta");
		BN_CHECK_INT(t, e[0].updated_at, >, 1600000000);
	}
	bn_exec_vault_entries_free(e, n);
	BN_CHECK_INT(t, bn_exec_vault_exists(&has, f.v, "beta", &err), ==, 0);
	BN_CHECK(t, has);
	BN_CHECK_INT(t, bn_exec_vault_exists(&has, f.v, "gamma", &err), ==, 0);
	BN_CHECK(t, !has);
	fx_done(&f);
}

static void test_remove(bn_t *t)
{
	bn_exec_vault_secret *s = NULL;
	fixture f;
	bn_err err;

	if (!fx_init(&f, t))
		return;
	BN_CHECK_INT(t, set_str(&f, "gone", "v", &err), ==, 0);
	BN_CHECK_INT(t, set_str(&f, "kept", "w", &err), ==, 0);
	BN_CHECK_INT(t, bn_exec_vault_remove(f.v, "gone", &err), ==, 0);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_vault_get(&s, f.v, "gone", &err), ==,
		     BN_ENOTFOUND);
	BN_CHECK_CONTAINS(t, err.msg, "no secret 'gone'");
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_vault_remove(f.v, "gone", &err), ==,
		     BN_ENOTFOUND);
	check_value(t, &f, "kept", "w", 1);
	fx_done(&f);
}

static void test_names_and_limits(bn_t *t)
{
	static const char *const bad[] = { "", "a b", "a/b", "../x", "x;y",
		"caf\xc3\xa9", "tab\t", "new\nline", NULL };
	char name[BN_EXEC_VAULT_NAME_MAX + 2];
	unsigned char *big;
	bn_exec_vault_secret *s = NULL;
	fixture f;
	bn_err err;
	size_t i;

	if (!fx_init(&f, t))
		return;
	for (i = 0; bad[i]; i++) {
		BN_CHECK_INT(t, set_str(&f, bad[i], "v", &err), ==, BN_EINVAL);
		BN_CHECK_CONTAINS(t, err.msg, "secret name");
		bn_err_init(&err);
		BN_CHECK_INT(t, bn_exec_vault_get(&s, f.v, bad[i], &err), ==,
			     BN_EINVAL);
		bn_err_init(&err);
		BN_CHECK_INT(t, bn_exec_vault_remove(f.v, bad[i], &err), ==,
			     BN_EINVAL);
	}
	memset(name, 'n', sizeof(name));
	name[BN_EXEC_VAULT_NAME_MAX - 1] = '\0';                 /* 127 */
	BN_CHECK_INT(t, set_str(&f, name, "v", &err), ==, 0);
	name[BN_EXEC_VAULT_NAME_MAX - 1] = 'n';
	name[BN_EXEC_VAULT_NAME_MAX] = '\0';                     /* 128 */
	BN_CHECK_INT(t, set_str(&f, name, "v", &err), ==, 0);
	check_value(t, &f, name, "v", 1);
	name[BN_EXEC_VAULT_NAME_MAX] = 'n';
	name[BN_EXEC_VAULT_NAME_MAX + 1] = '\0';                 /* 129 */
	BN_CHECK_INT(t, set_str(&f, name, "v", &err), ==, BN_EINVAL);

	big = calloc(1, BN_EXEC_VAULT_VALUE_MAX + 1);
	memset(big, 'b', BN_EXEC_VAULT_VALUE_MAX + 1);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_vault_set(f.v, "big", big,
		     BN_EXEC_VAULT_VALUE_MAX - 1, &err), ==, 0);
	BN_CHECK_INT(t, bn_exec_vault_set(f.v, "big", big,
		     BN_EXEC_VAULT_VALUE_MAX, &err), ==, 0);
	check_value(t, &f, "big", big, BN_EXEC_VAULT_VALUE_MAX);
	BN_CHECK_INT(t, bn_exec_vault_set(f.v, "big", big,
		     BN_EXEC_VAULT_VALUE_MAX + 1, &err), ==, BN_ELIMIT);
	BN_CHECK_CONTAINS(t, err.msg, "65536");
	free(big);
	fx_done(&f);
}

static void write_file(const char *path, const void *p, size_t n,
		       mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd >= 0) {
		if (write(fd, p, n) != (ssize_t)n)
			perror("write");
		close(fd);
	}
	chmod(path, mode);
}

static void test_wrong_key(bn_t *t)
{
	unsigned char other[32];
	bn_exec_vault_secret *s = NULL;
	fixture f;
	bn_err err;
	char *key;

	if (!fx_init(&f, t))
		return;
	BN_CHECK_INT(t, set_str(&f, "tok", "value", &err), ==, 0);
	fx_close(&f);
	key = fx_path(&f, "vault.key");
	randombytes_buf(other, sizeof(other));
	unlink(key);
	write_file(key, other, sizeof(other), 0600);
	if (fx_open(&f, t)) {
		bn_err_init(&err);
		BN_CHECK_INT(t, bn_exec_vault_get(&s, f.v, "tok", &err), ==,
			     BN_EINVAL);
		BN_CHECK_STR(t, err.msg, "secret tok cannot be decrypted: the "
			     "vault key does not match or the data was "
			     "altered");
		BN_CHECK(t, s == NULL);
	}
	/* a missing key while secrets exist is never silently recreated */
	fx_close(&f);
	unlink(key);
	if (fx_open(&f, t)) {
		bn_err_init(&err);
		BN_CHECK_INT(t, bn_exec_vault_get(&s, f.v, "tok", &err), ==,
			     BN_EINVAL);
		BN_CHECK_CONTAINS(t, err.msg, "vault.key is missing but the "
				  "vault holds 1 secret");
		BN_CHECK(t, !bn_fs_is_file(key));
	}
	free(key);
	fx_done(&f);
}

static void test_tampered(bn_t *t)
{
	bn_exec_vault_secret *s = NULL;
	fixture f;
	bn_err err;

	if (!fx_init(&f, t))
		return;
	BN_CHECK_INT(t, set_str(&f, "a", "value of a", &err), ==, 0);
	BN_CHECK_INT(t, set_str(&f, "b", "value of b", &err), ==, 0);
	BN_CHECK_INT(t, set_str(&f, "c", "value of c", &err), ==, 0);
	/* flip one bit of a's ciphertext */
	BN_CHECK_INT(t, bn_test_db_exec(f.s, "UPDATE secrets SET ciphertext ="
		" (substr(ciphertext, 1, 20) || CASE substr(ciphertext, 21, 1)"
		" WHEN x'01' THEN x'02' ELSE x'01' END || substr(ciphertext, 22))"
		" WHERE name = 'a'"), ==, SQLITE_OK);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_vault_get(&s, f.v, "a", &err), ==, BN_EINVAL);
	BN_CHECK_CONTAINS(t, err.msg, "secret a cannot be decrypted");
	/* b's sealed row copied onto c: authentic bytes, wrong name */
	BN_CHECK_INT(t, bn_test_db_exec(f.s, "UPDATE secrets SET (nonce, "
		"ciphertext) = (SELECT nonce, ciphertext FROM secrets WHERE "
		"name = 'b') WHERE name = 'c'"), ==, SQLITE_OK);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_vault_get(&s, f.v, "c", &err), ==, BN_EINVAL);
	BN_CHECK_CONTAINS(t, err.msg, "secret c cannot be decrypted");
	/* a truncated row and a short nonce */
	BN_CHECK_INT(t, bn_test_db_exec(f.s, "UPDATE secrets SET nonce = x'00' "
		"WHERE name = 'b'"), ==, SQLITE_OK);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_vault_get(&s, f.v, "b", &err), ==, BN_EINVAL);
	BN_CHECK(t, s == NULL);
	fx_done(&f);
}

static void test_key_file_checks(bn_t *t)
{
	bn_exec_vault_secret *s = NULL;
	unsigned char key31[31] = { 0 };
	fixture f;
	bn_err err;
	char *key, *link_to;

	if (!fx_init(&f, t))
		return;
	BN_CHECK_INT(t, set_str(&f, "tok", "v", &err), ==, 0);
	key = fx_path(&f, "vault.key");
	link_to = fx_path(&f, "elsewhere.key");
	static const mode_t modes[] = { 0640, 0604, 0620, 0601 };
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		fx_close(&f);
		chmod(key, modes[i]);
		if (!fx_open(&f, t))
			break;
		bn_err_init(&err);
		BN_CHECK_INT(t, bn_exec_vault_get(&s, f.v, "tok", &err), ==,
			     BN_EDENIED);
		BN_CHECK_CONTAINS(t, err.msg, key);
		BN_CHECK_CONTAINS(t, err.msg, "group or others");
	}
	fx_close(&f);
	chmod(key, 0600);
	if (fx_open(&f, t))
		check_value(t, &f, "tok", "v", 1);
	/* a symbolic link is refused even to a good file */
	fx_close(&f);
	BN_CHECK_INT(t, rename(key, link_to), ==, 0);
	BN_CHECK_INT(t, symlink(link_to, key), ==, 0);
	if (fx_open(&f, t)) {
		bn_err_init(&err);
		BN_CHECK_INT(t, bn_exec_vault_get(&s, f.v, "tok", &err), ==,
			     BN_EDENIED);
		BN_CHECK_CONTAINS(t, err.msg, "symbolic link");
	}
	/* a key of the wrong size */
	fx_close(&f);
	unlink(key);
	write_file(key, key31, sizeof(key31), 0600);
	if (fx_open(&f, t)) {
		bn_err_init(&err);
		BN_CHECK_INT(t, bn_exec_vault_get(&s, f.v, "tok", &err), ==,
			     BN_EINVAL);
		BN_CHECK_CONTAINS(t, err.msg, key);
		BN_CHECK_CONTAINS(t, err.msg, "31 bytes, it must be exactly "
				  "32");
	}
	free(key);
	free(link_to);
	fx_done(&f);
}

/* Whether NEEDLE occurs in the file PATH (absent files hold nothing). */
static bool file_contains(const char *path, const char *needle)
{
	char *data = NULL;
	size_t len = 0;
	bn_err err;
	bool found;

	bn_err_init(&err);
	if (bn_fs_read_file(&data, &len, path, (size_t)64 << 20, &err))
		return false;
	found = memmem(data, len, needle, strlen(needle)) != NULL;
	free(data);
	return found;
}

static void test_no_plaintext_on_disk(bn_t *t)
{
	static const char value[] = "PLAINTEXT-CANARY-7f3a9c";
	static const char *const files[] = { "boternity.db",
		"boternity.db-wal", "boternity.db-shm", NULL };
	fixture f;
	bn_err err;
	size_t i;

	if (!fx_init(&f, t))
		return;
	BN_CHECK_INT(t, set_str(&f, "canary", value, &err), ==, 0);
	BN_CHECK_INT(t, set_str(&f, "canary", value, &err), ==, 0);
	for (i = 0; files[i]; i++) {
		char *p = fx_path(&f, files[i]);
		BN_CHECK(t, !file_contains(p, value));
		free(p);
	}
	/* after a checkpoint too, and the name is there (the test works) */
	fx_close(&f);
	for (i = 0; files[i]; i++) {
		char *p = fx_path(&f, files[i]);
		BN_CHECK(t, !file_contains(p, value));
		free(p);
	}
	{
		char *p = fx_path(&f, "boternity.db");
		BN_CHECK(t, file_contains(p, "canary"));
		free(p);
	}
	fx_done(&f);
}

static void test_passphrase(bn_t *t)
{
	bn_exec_vault_secret *s = NULL;
	struct stat st;
	fixture f;
	bn_err err;
	char *key, *salt;

	setenv("BNITY_VAULT_PASSPHRASE", "correct horse battery staple", 1);
	if (!fx_init(&f, t)) {
		unsetenv("BNITY_VAULT_PASSPHRASE");
		return;
	}
	BN_CHECK_INT(t, set_str(&f, "tok", "pass-sealed", &err), ==, 0);
	check_value(t, &f, "tok", "pass-sealed", 11);
	key = fx_path(&f, "vault.key");
	salt = fx_path(&f, "vault.salt");
	BN_CHECK(t, !bn_fs_is_file(key));
	BN_CHECK_INT(t, stat(salt, &st), ==, 0);
	BN_CHECK_INT(t, st.st_size, ==, 16);
	BN_CHECK_INT(t, st.st_mode & 0777, ==, 0600);
	fx_close(&f);
	setenv("BNITY_VAULT_PASSPHRASE", "wrong horse", 1);
	if (fx_open(&f, t)) {
		bn_err_init(&err);
		BN_CHECK_INT(t, bn_exec_vault_get(&s, f.v, "tok", &err), ==,
			     BN_EINVAL);
		BN_CHECK_CONTAINS(t, err.msg, "cannot be decrypted");
	}
	fx_close(&f);
	setenv("BNITY_VAULT_PASSPHRASE", "correct horse battery staple", 1);
	if (fx_open(&f, t))
		check_value(t, &f, "tok", "pass-sealed", 11);
	unsetenv("BNITY_VAULT_PASSPHRASE");
	free(key);
	free(salt);
	fx_done(&f);
}

int main(void)
{
	bn_t t = { 0 };

	unsetenv("BNITY_VAULT_PASSPHRASE");
	BN_RUN(&t, test_roundtrip);
	BN_RUN(&t, test_overwrite);
	BN_RUN(&t, test_list_exists);
	BN_RUN(&t, test_remove);
	BN_RUN(&t, test_names_and_limits);
	BN_RUN(&t, test_wrong_key);
	BN_RUN(&t, test_tampered);
	BN_RUN(&t, test_key_file_checks);
	BN_RUN(&t, test_no_plaintext_on_disk);
	BN_RUN(&t, test_passphrase);
	return bn_t_done(&t);
}

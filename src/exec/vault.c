/* SPDX-License-Identifier: MIT */
/*
 * exec/vault.c - secrets sealed with crypto_secretbox, kept as rows of
 * the `secrets` table (store/secrets.h), and the key they are sealed
 * under.
 *
 * The rules (key file, passphrase, names) are in vault.h.  References:
 * libsodium's "Secret-key authenticated encryption" and "Password hashing"
 * (crypto_pwhash, Argon2id) documentation.
 */
#include "vault.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fs.h"
#include "store/secrets.h"

#define KEY_BYTES crypto_secretbox_KEYBYTES
#define NONCE_BYTES crypto_secretbox_NONCEBYTES
#define MAC_BYTES crypto_secretbox_MACBYTES
#define SALT_BYTES crypto_pwhash_SALTBYTES
#define PASSPHRASE_MAX 1024  /* bytes of BNITY_VAULT_PASSPHRASE */

struct bn_exec_vault {
	bn_store *store;         /* borrowed */
	unsigned char *key;      /* KEY_BYTES, sodium_malloc'd; NULL until
				    loaded */
	char *passphrase;        /* sodium_malloc'd copy, or NULL */
};

/* --- names and the database ------------------------------------------- */

bool bn_exec_vault_name_is_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > BN_EXEC_VAULT_NAME_MAX)
		return false;
	for (; *name; name++) {
		char c = *name;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			return false;
	}
	return true;
}

static int name_check(const char *name, bn_err *err)
{
	if (name && bn_exec_vault_name_is_valid(name))
		return 0;
	return bn_err_set(err, BN_EINVAL, "secret name '%.*s': use 1 to %d "
			  "letters, digits, '_', '.' and '-'",
			  BN_EXEC_VAULT_NAME_MAX + 1, name ? name : "",
			  BN_EXEC_VAULT_NAME_MAX);
}

static int db_fail(int r, bn_err *err)
{
	bn_err_prefix(err, "secret vault");
	return r;
}

/* --- key material -------------------------------------------------------- */

/* Read exactly LEN bytes of the key-like file PATH (opened as FD). */
static int material_read(unsigned char *out, size_t len, int fd,
			 const char *path, bn_err *err)
{
	struct stat st;
	size_t got = 0;

	if (fstat(fd, &st) < 0)
		return bn_err_set(err, BN_EIO, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return bn_err_set(err, BN_EINVAL, "%s: not a regular file",
				  path);
	if (st.st_uid != geteuid())
		return bn_err_set(err, BN_EDENIED, "%s: refused: owned by "
				  "another user (uid %ld)", path,
				  (long)st.st_uid);
	if (st.st_mode & 077)
		return bn_err_set(err, BN_EDENIED, "%s: refused: group or "
				  "others may access it (mode %04o); run "
				  "`chmod 600 %s`", path,
				  (unsigned)(st.st_mode & 07777), path);
	if ((unsigned long long)st.st_size != len)
		return bn_err_set(err, BN_EINVAL, "%s: refused: it is %lld "
				  "bytes, it must be exactly %zu", path,
				  (long long)st.st_size, len);
	while (got < len) {
		ssize_t n = read(fd, out + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return bn_err_set(err, BN_EIO, "%s: cannot read: %s",
					  path, n ? strerror(errno) :
					  "file shrank");
		got += (size_t)n;
	}
	return 0;
}

/* Flush the folder holding PATH, so a new link in it survives a crash. */
static void dir_sync(const char *path)
{
	char *dir = bn_xstrdup(path), *slash = strrchr(dir, '/');
	int fd;

	if (slash)
		*slash = '\0';
	fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

/*
 * Create PATH holding LEN random bytes (also into OUT), mode 0600.  The
 * bytes go to a temporary file first, which link(2) then puts in place:
 * link fails if PATH appeared meanwhile, so a racing creator wins cleanly
 * and *raced tells the caller to read its file instead.
 */
static int material_create(unsigned char *out, size_t len, bool *raced,
			   const char *path, bn_err *err)
{
	char *tmp = bn_xasprintf("%s.tmp.%ld.%08x", path, (long)getpid(),
				 (unsigned)randombytes_random());
	int fd, e = 0;

	*raced = false;
	randombytes_buf(out, len);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		e = errno;
		goto out_free;
	}
	if (bn_fs_write_all(fd, out, len) < 0 || fsync(fd) < 0)
		e = errno;
	if (close(fd) < 0 && !e)
		e = errno;
	if (!e && link(tmp, path) < 0) {
		e = errno;
		if (e == EEXIST) {
			*raced = true;
			e = 0;
		}
	}
	(void)unlink(tmp);
	if (!e && !*raced)
		dir_sync(path);
out_free:
	free(tmp);
	if (e)
		return bn_err_set(err, BN_EIO, "%s: cannot create: %s", path,
				  strerror(e));
	return 0;
}

/* Load the LEN bytes of $BNITY_HOME/FILE, creating it if the vault is
   empty. */
static int material_load(unsigned char *out, size_t len, bn_exec_vault *v,
			 const char *file, bn_err *err)
{
	char *path = bn_fs_join(bn_store_home(v->store), file);
	size_t n;
	bool raced;
	int fd, r, tries;

	for (tries = 0; tries < 2; tries++) {
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0) {
			r = material_read(out, len, fd, path, err);
			close(fd);
			goto out;
		}
		if (errno == ELOOP) {
			r = bn_err_set(err, BN_EDENIED, "%s: refused: it is a "
				       "symbolic link", path);
			goto out;
		}
		if (errno != ENOENT) {
			r = bn_err_set(err, BN_EIO, "%s: %s", path,
				       strerror(errno));
			goto out;
		}
		if ((r = bn_store_secret_count(&n, v->store, err))) {
			r = db_fail(r, err);
			goto out;
		}
		if (n > 0) {
			r = bn_err_set(err, BN_EINVAL, "%s is missing but the "
				       "vault holds %zu secret(s) sealed with "
				       "it; restore the file (or remove the "
				       "secrets with `bnity secret remove`)",
				       path, n);
			goto out;
		}
		r = material_create(out, len, &raced, path, err);
		if (r || !raced)
			goto out;
	}
	r = bn_err_set(err, BN_EIO, "%s: cannot create it", path);
out:
	free(path);
	if (r)
		sodium_memzero(out, len);
	return r;
}

static int key_load(bn_exec_vault *v, bn_err *err)
{
	unsigned char salt[SALT_BYTES];
	unsigned char *key;
	int r;

	if (v->key)
		return 0;
	key = sodium_malloc(KEY_BYTES);
	if (!key)
		return bn_err_oom(err);
	if (!v->passphrase) {
		r = material_load(key, KEY_BYTES, v, "vault.key", err);
	} else {
		r = material_load(salt, sizeof(salt), v, "vault.salt", err);
		if (!r && crypto_pwhash(key, KEY_BYTES, v->passphrase,
					strlen(v->passphrase), salt,
					crypto_pwhash_OPSLIMIT_INTERACTIVE,
					crypto_pwhash_MEMLIMIT_INTERACTIVE,
					crypto_pwhash_ALG_ARGON2ID13) != 0)
			r = bn_err_set(err, -ENOMEM, "secret vault: deriving "
				       "the key from BNITY_VAULT_PASSPHRASE "
				       "ran out of memory");
	}
	if (r) {
		sodium_free(key);
		return r;
	}
	v->key = key;
	return 0;
}

/* --- the vault ------------------------------------------------------------ */

int bn_exec_vault_open(bn_exec_vault **out, bn_store *store, bn_err *err)
{
	const char *pass = secure_getenv("BNITY_VAULT_PASSPHRASE");
	bn_exec_vault *v;
	size_t n;

	if (sodium_init() < 0)
		return bn_err_set(err, BN_EIO, "secret vault: libsodium "
				  "cannot start");
	if (pass && strlen(pass) > PASSPHRASE_MAX)
		return bn_err_set(err, BN_EINVAL, "BNITY_VAULT_PASSPHRASE is "
				  "longer than %d bytes", PASSPHRASE_MAX);
	v = bn_xcalloc(1, sizeof(*v));
	v->store = store;
	if (pass && *pass) {
		n = strlen(pass);
		v->passphrase = sodium_malloc(n + 1);
		if (!v->passphrase) {
			free(v);
			return bn_err_oom(err);
		}
		memcpy(v->passphrase, pass, n + 1);
	}
	*out = v;
	return 0;
}

void bn_exec_vault_free(bn_exec_vault *v)
{
	if (!v)
		return;
	if (v->key)
		sodium_free(v->key);
	if (v->passphrase)
		sodium_free(v->passphrase);
	free(v);
}

/* The plaintext sealed for NAME: its length byte, NAME, then VALUE. */
static unsigned char *plain_build(size_t *len_out, const char *name,
				  const void *value, size_t len)
{
	size_t nl = strlen(name), n = 1 + nl + len;
	unsigned char *p = sodium_malloc(n ? n : 1);

	if (!p)
		return NULL;
	p[0] = (unsigned char)nl;
	memcpy(p + 1, name, nl);
	if (len)
		memcpy(p + 1 + nl, value, len);
	*len_out = n;
	return p;
}

int bn_exec_vault_set(bn_exec_vault *v, const char *name, const void *value,
		      size_t len, bn_err *err)
{
	unsigned char nonce[NONCE_BYTES], *plain, *sealed;
	size_t plen;
	int r;

	if ((r = name_check(name, err)))
		return r;
	if (len > BN_EXEC_VAULT_VALUE_MAX)
		return bn_err_set(err, BN_ELIMIT, "secret '%s': the value is "
				  "%zu bytes, the limit is %zu", name, len,
				  BN_EXEC_VAULT_VALUE_MAX);
	if (len && !value)
		return bn_err_set(err, BN_EINVAL, "secret '%s': no value",
				  name);
	if ((r = key_load(v, err)))
		return r;
	plain = plain_build(&plen, name, value, len);
	sealed = malloc(plen + MAC_BYTES);
	if (!plain || !sealed) {
		if (plain)
			sodium_free(plain);
		free(sealed);
		return bn_err_oom(err);
	}
	randombytes_buf(nonce, sizeof(nonce));
	crypto_secretbox_easy(sealed, plain, plen, nonce, v->key);
	sodium_free(plain);
	r = bn_store_secret_put(v->store, name, nonce, sizeof(nonce), sealed,
				plen + MAC_BYTES, err);
	free(sealed);
	return r ? db_fail(r, err) : 0;
}

static int undecryptable(const char *name, bn_err *err)
{
	return bn_err_set(err, BN_EINVAL, "secret %s cannot be decrypted: the "
			  "vault key does not match or the data was altered",
			  name);
}

/* Open the row's sealed bytes into *out. */
static int unseal(bn_exec_vault_secret **out, bn_exec_vault *v,
		  const char *name, const unsigned char *nonce, size_t nlen,
		  const unsigned char *sealed, size_t slen, bn_err *err)
{
	size_t namelen = strlen(name), plen;
	bn_exec_vault_secret *s;
	unsigned char *plain;

	if (nlen != NONCE_BYTES || slen < MAC_BYTES + 1 + namelen ||
	    slen - MAC_BYTES - 1 - namelen > BN_EXEC_VAULT_VALUE_MAX)
		return undecryptable(name, err);
	plen = slen - MAC_BYTES;
	plain = sodium_malloc(plen + 1);
	if (!plain)
		return bn_err_oom(err);
	if (crypto_secretbox_open_easy(plain, sealed, slen, nonce, v->key) ||
	    plain[0] != namelen || memcmp(plain + 1, name, namelen)) {
		sodium_free(plain);
		return undecryptable(name, err);
	}
	s = bn_xcalloc(1, sizeof(*s));
	s->len = plen - 1 - namelen;
	/* move the value to the front, NUL after it; wipe the tail */
	memmove(plain, plain + 1 + namelen, s->len);
	sodium_memzero(plain + s->len, plen + 1 - s->len);
	s->data = plain;
	*out = s;
	return 0;
}

static int no_secret(const char *name, bn_err *err)
{
	return bn_err_set(err, BN_ENOTFOUND, "no secret '%s' (see `bnity "
			  "secret list`)", name);
}

/* The stored row of secret NAME into *row (when *found). */
static int row_get(bn_store_secret *row, bool *found, bn_exec_vault *v,
		   const char *name, bn_err *err)
{
	int r = name_check(name, err);

	if (!r && (r = bn_store_secret_get(row, found, v->store, name, err)))
		r = db_fail(r, err);
	return r;
}

int bn_exec_vault_get(bn_exec_vault_secret **out, bn_exec_vault *v,
		      const char *name, bn_err *err)
{
	bn_store_secret row = { 0 };
	bool found = false;
	int r;

	if ((r = row_get(&row, &found, v, name, err)))
		return r;
	if (!found)
		return no_secret(name, err);
	r = key_load(v, err);
	if (!r)
		r = unseal(out, v, name, row.nonce, row.nonce_len, row.sealed,
			   row.sealed_len, err);
	bn_store_secret_clear(&row);
	return r;
}

void bn_exec_vault_secret_free(bn_exec_vault_secret *s)
{
	if (!s)
		return;
	if (s->data)
		sodium_free(s->data);
	free(s);
}

int bn_exec_vault_exists(bool *out, bn_exec_vault *v, const char *name,
			 bn_err *err)
{
	bn_store_secret row = { 0 };
	bool found = false;
	int r = row_get(&row, &found, v, name, err);

	bn_store_secret_clear(&row);
	if (!r)
		*out = found;
	return r;
}

int bn_exec_vault_list(bn_exec_vault_entry **out, size_t *n_out,
		       bn_exec_vault *v, bn_err *err)
{
	bn_exec_vault_entry *e;
	bn_store_secret *rows = NULL;
	size_t n = 0;
	int r = bn_store_secret_list(&rows, &n, v->store, err);

	if (r)
		return db_fail(r, err);
	e = n ? bn_xcalloc(n, sizeof(*e)) : NULL;
	for (size_t i = 0; i < n; i++) {
		e[i].name = rows[i].name;
		e[i].updated_at = rows[i].updated_at;
		rows[i].name = NULL;
	}
	bn_store_secrets_free(rows, n);
	*out = e;
	*n_out = n;
	return 0;
}

void bn_exec_vault_entries_free(bn_exec_vault_entry *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i].name);
	free(v);
}

int bn_exec_vault_remove(bn_exec_vault *v, const char *name, bn_err *err)
{
	bool removed = false;
	int r;

	if ((r = name_check(name, err)))
		return r;
	if ((r = bn_store_secret_remove(&removed, v->store, name, err)))
		return db_fail(r, err);
	return removed ? 0 : no_secret(name, err);
}

/* SPDX-License-Identifier: MIT */
/*
 * exec/vault.h - the secret vault: named secrets, encrypted at rest.
 *
 * Owns: what is sealed into the rows of the `secrets` table (kept by
 * store/secrets.h) and the vault's key material, $BNITY_HOME/vault.key
 * (or vault.salt).  Uses: base, store (the rows and the home folder),
 * libsodium.  Knows nothing of skills: the
 * broker decides who may read a secret and hands its value to, say, the
 * HTTP client as a secret header, so the bytes never enter a module.
 *
 * Each value is sealed with crypto_secretbox_easy (XSalsa20-Poly1305) under
 * a fresh random nonce on every write.  What is sealed is the secret's
 * name followed by its value, so a row copied under another name does not
 * decrypt either.
 *
 * The key is one of:
 *  - 32 random bytes in $BNITY_HOME/vault.key, created on first use with
 *    mode 0600 (written to a temporary file, then linked into place, so a
 *    racing process never sees half a key nor replaces one).  A key file
 *    that is not a regular file of ours, is open to group or others, or is
 *    not exactly 32 bytes is refused, never repaired.
 *  - when the environment variable BNITY_VAULT_PASSPHRASE is set (read
 *    when the vault is opened): Argon2id (crypto_pwhash, "interactive"
 *    limits) of the passphrase with a random 16-byte salt kept in
 *    $BNITY_HOME/vault.salt (created on first use like vault.key).
 *    vault.key is then neither read nor created.  A wrong passphrase shows
 *    as secrets that cannot be decrypted.
 * A missing key or salt file is created only while the vault is empty, so
 * losing the file never silently starts a second key.
 *
 * Names are 1 to 128 of A-Z a-z 0-9 _ . -; values are 0 to 64 KiB of any
 * bytes.  Values never appear in messages.
 */
#ifndef BN_EXEC_VAULT_H
#define BN_EXEC_VAULT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "store/store.h"

#define BN_EXEC_VAULT_NAME_MAX 128                /* bytes of a name */
#define BN_EXEC_VAULT_VALUE_MAX ((size_t)64 << 10) /* bytes of a value */

typedef struct bn_exec_vault bn_exec_vault;

/* A secret's value: locked, guarded memory wiped when freed. */
typedef struct bn_exec_vault_secret {
	unsigned char *data;  /* len bytes, then a NUL not counted */
	size_t len;           /* bytes of the value */
} bn_exec_vault_secret;

/* One secret as listed: never its value. */
typedef struct bn_exec_vault_entry {
	char *name;           /* owned */
	long long updated_at; /* seconds since the epoch */
} bn_exec_vault_entry;

/*
 * bn_exec_vault_open - the vault of STORE, which must outlive it.  Reads
 * BNITY_VAULT_PASSPHRASE now; the key itself is loaded (or created) by the
 * first set or get, so listing and removing never touch it.
 * Errors: BN_EIO when libsodium cannot start.
 */
int bn_exec_vault_open(bn_exec_vault **out, bn_store *store,
		       bn_err *err) BN_MUST_USE;

/* Wipes the key and passphrase and frees V; NULL is a no-op. */
void bn_exec_vault_free(bn_exec_vault *v);

/* Whether NAME is a valid secret name (see above). */
bool bn_exec_vault_name_is_valid(const char *name);

/*
 * bn_exec_vault_set - store LEN bytes of VALUE (copied; may be NULL when
 * LEN is 0) as NAME, replacing any value it had.
 * Errors: BN_EINVAL (name), BN_ELIMIT (over 64 KiB), key errors (see
 * bn_exec_vault_get), BN_EIO (database).
 */
int bn_exec_vault_set(bn_exec_vault *v, const char *name, const void *value,
		      size_t len, bn_err *err) BN_MUST_USE;

/*
 * bn_exec_vault_get - the value of NAME into *out (owned; release it with
 * bn_exec_vault_secret_free).
 * Errors: BN_EINVAL (name; or "secret NAME cannot be decrypted: the vault
 * key does not match or the data was altered"), BN_ENOTFOUND, BN_EDENIED
 * or BN_EINVAL naming the key file when it is refused, BN_EIO, -ENOMEM.
 */
int bn_exec_vault_get(bn_exec_vault_secret **out, bn_exec_vault *v,
		      const char *name, bn_err *err) BN_MUST_USE;

/* Wipes and frees S; NULL is a no-op. */
void bn_exec_vault_secret_free(bn_exec_vault_secret *s);

/*
 * bn_exec_vault_exists - whether a secret NAME is stored, into *out.
 * Errors: BN_EINVAL (name), BN_EIO.
 */
int bn_exec_vault_exists(bool *out, bn_exec_vault *v, const char *name,
			 bn_err *err) BN_MUST_USE;

/*
 * bn_exec_vault_list - every secret's name and time of last write, by
 * name, into *out (owned array of *n_out; bn_exec_vault_entries_free).
 */
int bn_exec_vault_list(bn_exec_vault_entry **out, size_t *n_out,
		       bn_exec_vault *v, bn_err *err) BN_MUST_USE;
void bn_exec_vault_entries_free(bn_exec_vault_entry *v, size_t n);

/*
 * bn_exec_vault_remove - delete NAME.
 * Errors: BN_EINVAL (name), BN_ENOTFOUND, BN_EIO.
 */
int bn_exec_vault_remove(bn_exec_vault *v, const char *name,
			 bn_err *err) BN_MUST_USE;

#endif

/* SPDX-License-Identifier: MIT */
/* store/keys.c - the trusted_keys table (see keys.h). */
#include "keys.h"

#include <stdlib.h>
#include <time.h>

#include "store_int.h"

int bn_store_key_put(bn_store *s, const char *key_id, const char *pubkey,
		     const char *comment, bn_err *err)
{
	const bn_store__arg a[] = {
		BN_STORE__TEXT(key_id), BN_STORE__TEXT(pubkey),
		BN_STORE__TEXT(comment ? comment : ""),
		BN_STORE__INT(time(NULL)),
	};
	return bn_store__run(s,
		"INSERT INTO trusted_keys (key_id, pubkey, comment, added_at)"
		" VALUES (?1, ?2, ?3, ?4) ON CONFLICT(key_id) DO UPDATE SET"
		" pubkey = ?2, comment = ?3", a, BN_STORE__NARGS(a), err);
}

int bn_store_key_remove(bool *removed_out, bn_store *s,
			const char *id_or_key, bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(id_or_key) };
	int r = bn_store__run(s, "DELETE FROM trusted_keys"
			      " WHERE key_id = upper(?1) OR pubkey = ?1",
			      a, BN_STORE__NARGS(a), err);
	if (!r)
		*removed_out = bn_store__changes(s) > 0;
	return r;
}

static void key_row(void *item, sqlite3_stmt *st)
{
	bn_store_key *k = item;
	k->key_id = bn_store__col_dup(st, 0);
	k->pubkey = bn_store__col_dup(st, 1);
	k->comment = bn_store__col_dup(st, 2);
	k->added_at = sqlite3_column_int64(st, 3);
}

static void key_clear(void *item)
{
	bn_store_key *k = item;
	free(k->key_id);
	free(k->pubkey);
	free(k->comment);
}

int bn_store_key_list(bn_store_key **out, size_t *n_out, bn_store *s,
		      bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__query(&st, s, "SELECT key_id, pubkey, comment,"
				" added_at FROM trusted_keys ORDER BY key_id",
				NULL, 0, err);
	return r ? r : bn_store__rows(out, n_out, sizeof(**out), s, st,
				      key_row, key_clear, err);
}

void bn_store_keys_free(bn_store_key *v, size_t n)
{
	bn_store__rows_free(v, n, sizeof(*v), key_clear);
}

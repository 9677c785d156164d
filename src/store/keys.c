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

	return bn_store__remove(removed_out, s, "DELETE FROM trusted_keys"
				" WHERE key_id = upper(?1) OR pubkey = ?1",
				a, BN_STORE__NARGS(a), err);
}

#define COL(field) BN_STORE__COL(bn_store_key, field)
static const bn_store__col key_cols[] = {
	COL(key_id), COL(pubkey), COL(comment), COL(added_at),
};
#undef COL
static const bn_store__shape key_shape = {
	sizeof(bn_store_key), key_cols, BN_STORE__NARGS(key_cols), NULL, NULL,
};

int bn_store_key_list(bn_store_key **out, size_t *n_out, bn_store *s,
		      bn_err *err)
{
	return bn_store__select(out, n_out, &key_shape, s, "SELECT key_id,"
				" pubkey, comment, added_at FROM trusted_keys"
				" ORDER BY key_id", NULL, 0, err);
}

void bn_store_keys_free(bn_store_key *v, size_t n)
{
	bn_store__select_free(v, n, &key_shape);
}

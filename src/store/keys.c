/* SPDX-License-Identifier: MIT */
/* store/keys.c - the trusted_keys table (see keys.h). */
#include "keys.h"

#include <stdlib.h>
#include <time.h>

#include "store_int.h"

int bn_store_key_put(bn_store *s, const char *key_id, const char *pubkey,
		     const char *comment, bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s,
		"INSERT INTO trusted_keys (key_id, pubkey, comment, added_at)"
		" VALUES (?1, ?2, ?3, ?4) ON CONFLICT(key_id) DO UPDATE SET"
		" pubkey = ?2, comment = ?3", err);

	if (r)
		return r;
	bn_store__bind_text(st, 1, key_id);
	bn_store__bind_text(st, 2, pubkey);
	bn_store__bind_text(st, 3, comment ? comment : "");
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	return bn_store__step_done(s, st, err);
}

int bn_store_key_remove(bool *removed_out, bn_store *s,
			const char *id_or_key, bn_err *err)
{
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s, "DELETE FROM trusted_keys"
				  " WHERE key_id = upper(?1) OR pubkey = ?1",
				  err);

	if (r)
		return r;
	bn_store__bind_text(st, 1, id_or_key);
	if ((r = bn_store__step_done(s, st, err)))
		return r;
	*removed_out = bn_store__changes(s) > 0;
	return 0;
}

int bn_store_key_list(bn_store_key **out, size_t *n_out, bn_store *s,
		      bn_err *err)
{
	bn_store_key *v = NULL;
	size_t n = 0;
	sqlite3_stmt *st;
	int r = bn_store__prepare(&st, s, "SELECT key_id, pubkey, comment,"
				  " added_at FROM trusted_keys ORDER BY key_id",
				  err);

	if (r)
		return r;
	while ((r = bn_store__step(s, st, err)) == 1) {
		v = bn_xrealloc(v, (n + 1) * sizeof(*v));
		v[n].key_id = bn_store__col_dup(st, 0);
		v[n].pubkey = bn_store__col_dup(st, 1);
		v[n].comment = bn_store__col_dup(st, 2);
		v[n].added_at = sqlite3_column_int64(st, 3);
		n++;
	}
	sqlite3_finalize(st);
	if (r) {
		bn_store_keys_free(v, n);
		return r;
	}
	*out = v;
	*n_out = n;
	return 0;
}

void bn_store_keys_free(bn_store_key *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].key_id);
		free(v[i].pubkey);
		free(v[i].comment);
	}
	free(v);
}

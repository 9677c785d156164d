/* SPDX-License-Identifier: MIT */
/*
 * cli/cmd_store.c - `bnity store export FILE` and `bnity store import
 * FILE`: a home's rows to a file and back (store/dump.h), so it moves
 * between SQLite and PostgreSQL.  The source or destination is the
 * current store: --database URL, else BNITY_DATABASE_URL, else the
 * SQLite file of $BNITY_HOME.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "cli.h"
#include "store/dump.h"

/* Print what was moved: a JSON object with --json, else a line. */
static void report(const bn_store_dump_stats *st, const char *verb,
		   const char *file, bool json)
{
	if (json) {
		json_t *t = json_object();
		for (size_t i = 0; i < st->n; i++)
			json_object_set_new(t, st->v[i].table,
					    json_integer(st->v[i].rows));
		bn_cli_print_json(json_pack("{s:s, s:I, s:i, s:o}", "file",
			file, "rows", (json_int_t)st->rows, "schema",
			st->schema, "tables", t));
		return;
	}
	printf("%s %lld rows of %zu tables (schema %d) %s %s\n", verb,
	       st->rows, st->n, st->schema,
	       strcmp(verb, "exported") ? "from" : "to", file);
}

/* The tables of --database, else of $BNITY_DATABASE_URL, else the
   SQLite file. */
static const char *database(const bn_cli_args *a)
{
	const char *db = bn_cli_value(a, "database");
	return db ? db : bn_cli_database_url();
}

int bn_cli_store_export(const bn_cli_args *a)
{
	bn_store_dump_stats st = { 0 };
	const char *file = a->pos[0];
	bool json = bn_cli_flag(a, "json");
	char *tmp;
	bn_store *s;
	bn_err err;
	FILE *f;
	int fd, r;

	bn_err_init(&err);
	if ((r = bn_cli_open_store_db(&s, database(a), &err)))
		return bn_cli_fail(&err);
	/* written beside FILE and renamed onto it once complete: FILE is a
	   whole export or not there; 0600, for it holds the vault's
	   ciphertexts and the tokens' hashes */
	tmp = bn_xmalloc(strlen(file) + 16);
	sprintf(tmp, "%s.tmp-XXXXXX", file);
	if ((fd = mkstemp(tmp)) < 0 || !(f = fdopen(fd, "w"))) {
		r = bn_err_set(&err, BN_EIO, "%s: cannot create it: %s", tmp,
			       strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
	} else {
		r = bn_store_export(s, f, file, &st, &err);
		if (!r && (fflush(f) || fsync(fileno(f))))
			r = bn_err_set(&err, BN_EIO, "%s: cannot write it: %s",
				       file, strerror(errno));
		if (fclose(f) && !r)
			r = bn_err_set(&err, BN_EIO, "%s: cannot write it: %s",
				       file, strerror(errno));
		if (!r && rename(tmp, file))
			r = bn_err_set(&err, BN_EIO, "%s: cannot rename %s "
				       "onto it: %s", file, tmp,
				       strerror(errno));
		if (r)
			unlink(tmp);
	}
	free(tmp);
	bn_store_free(s);
	if (r)
		return bn_cli_fail(&err);
	report(&st, "exported", file, json);
	if (!json)
		printf("the vault's key is not in it: give the home that "
		       "imports it $BNITY_HOME/vault.key (or the same "
		       "BNITY_VAULT_PASSPHRASE and vault.salt)\n");
	bn_store_dump_stats_clear(&st);
	return BN_EXIT_OK;
}

int bn_cli_store_import(const bn_cli_args *a)
{
	bn_store_dump_stats st = { 0 };
	const char *file = a->pos[0];
	bn_store *s;
	bn_err err;
	FILE *f;
	int r;

	bn_err_init(&err);
	if (!(f = fopen(file, "r"))) {
		bn_err_set(&err, BN_EIO, "%s: cannot open it: %s", file,
			   strerror(errno));
		return bn_cli_fail(&err);
	}
	if (!(r = bn_cli_open_store_db(&s, database(a), &err))) {
		r = bn_store_import(s, f, file, bn_cli_flag(a, "replace"), &st,
				    &err);
		bn_store_free(s);
	}
	fclose(f);
	if (r)
		return bn_cli_fail(&err);
	report(&st, "imported", file, bn_cli_flag(a, "json"));
	bn_store_dump_stats_clear(&st);
	return BN_EXIT_OK;
}

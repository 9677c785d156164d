/* SPDX-License-Identifier: MIT */
/*
 * store/dump.h - every row of the store to a file and back
 * (`bnity store export` / `import`), whichever back end holds them, so a
 * home moves between SQLite and PostgreSQL both ways.
 *
 * Owns: the export file's format (docs/store-export.md): JSON lines, a
 * header (format version, schema version, each table's columns), one
 * line per row, a trailer with each table's row count.  Owns the list
 * of the tables an export carries (dump.c): a table a migration adds
 * and that list lacks makes every export fail, naming it, rather than
 * leave its rows behind.
 */
#ifndef BN_STORE_DUMP_H
#define BN_STORE_DUMP_H

#include <stdio.h>

#include "store.h"

/* The export file format this bnity writes, and the newest it reads. */
#define BN_STORE_DUMP_FORMAT 1

/* How many rows of each table an export wrote or an import inserted. */
typedef struct bn_store_dump_count {
	const char *table;          /* static */
	long long rows;
} bn_store_dump_count;

typedef struct bn_store_dump_stats {
	bn_store_dump_count *v;     /* owned, in the file's order */
	size_t n;
	long long rows;             /* their sum */
	int schema;                 /* the schema version of the rows */
} bn_store_dump_stats;

void bn_store_dump_stats_clear(bn_store_dump_stats *st);

/*
 * bn_store_export - write every row of S's tables to OUT (NAME names it
 * in messages), read in one transaction.  *stats (may be NULL) what was
 * written.  BN_EIO on a failed write; BN_EINVAL when the database has a
 * table this bnity's list does not name.
 */
int bn_store_export(bn_store *s, FILE *out, const char *name,
		    bn_store_dump_stats *stats, bn_err *err) BN_MUST_USE;

/*
 * bn_store_import - insert the rows of the export file IN (NAME in
 * messages) into S in one transaction: on any failure nothing is
 * imported.  The store must hold no rows but the skill index's (which
 * opening it rebuilds from the skills folder; they are replaced by the
 * file's) unless REPLACE, which empties every table first.  Refused
 * with BN_EINVAL naming the line: a file of a newer format or schema
 * than this bnity's, a line that is not what the format says, a table
 * or column the store does not have, a file that ends before its
 * trailer (truncated), and a trailer whose count of a table differs
 * from the rows read or inserted (naming the table).
 */
int bn_store_import(bn_store *s, FILE *in, const char *name, bool replace,
		    bn_store_dump_stats *stats, bn_err *err) BN_MUST_USE;

/*
 * bn_store_dump_unlisted - the tables of S's database that an export
 * neither carries nor knows to skip (appended to *out): none, unless a
 * migration added a table without adding it to the list.
 */
int bn_store_dump_unlisted(bn_strv *out, bn_store *s,
			   bn_err *err) BN_MUST_USE;

#endif

/* SPDX-License-Identifier: MIT */
/*
 * store/dump.c - every row of the store to a file and back
 * (store/dump.h; the format is docs/store-export.md).  Written once for
 * both back ends: the columns come from the database's own catalog
 * (bn_store__backend's tables and columns), the list of tables from
 * here.
 */
#include "dump.h"
#include "store_int.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FORMAT_NAME "bnity-store-export"

/* The tables an export carries, in an order that inserts every row after
   the rows it references.  A table a migration adds goes here (or in
   skipped below), or every export fails naming it. */
static const struct dump_table {
	const char *name;
	/* rows that opening a store writes from its skills folder: an
	   import replaces them rather than refusing the store */
	bool index;
} tables[] = {
	{ "skill_index", true },
	{ "bots", false },
	{ "bot_skills", false },
	{ "bot_limits", false },
	{ "grants", false },
	{ "grants_suspended", false },
	{ "audit_runs", false },
	{ "audit_calls", false },
	{ "audit_installs", false },
	{ "secrets", false },
	{ "memories", false },
	{ "conversations", false },
	{ "messages", false },
	{ "turns", false },
	{ "token_usage", false },
	{ "registry_cache", false },
	{ "trusted_keys", false },
	{ "api_tokens", false },
	{ "skill_blobs", false },
	{ "skill_files", false },
};
#define N_TABLES (sizeof(tables) / sizeof(tables[0]))

/* The tables an export leaves out: rebuilt from the rows above, or kept
   for one home alone.  A name ending in '*' stands for every name it
   begins. */
static const char *const skipped[] = {
	"memories_fts*",   /* SQLite's full-text index of the memories,
			      filled by a trigger as they come in */
	"sqlite_*",        /* SQLite's own */
	"schema_version",  /* PostgreSQL's step number: the header has it */
	"store_state",     /* the stat key of one home's skills folder */
};

void bn_store_dump_stats_clear(bn_store_dump_stats *st)
{
	free(st->v);
	memset(st, 0, sizeof(*st));
}

static const struct dump_table *table_find(const char *name)
{
	for (size_t i = 0; i < N_TABLES; i++)
		if (strcmp(tables[i].name, name) == 0)
			return &tables[i];
	return NULL;
}

static bool is_skipped(const char *name)
{
	for (size_t i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++) {
		size_t n = strlen(skipped[i]);
		if (skipped[i][n - 1] == '*' ?
		    strncmp(name, skipped[i], n - 1) == 0 :
		    strcmp(name, skipped[i]) == 0)
			return true;
	}
	return false;
}

int bn_store_dump_unlisted(bn_strv *out, bn_store *s, bn_err *err)
{
	bn_store__stmt *st;
	char **names = NULL;
	size_t n = 0;
	int r;

	if ((r = bn_store__query(&st, s, s->be->tables, NULL, 0, err)) ||
	    (r = bn_store__rows(&names, &n, sizeof(char *), s, st,
				bn_store__text_row, NULL, err)))
		return r;
	for (size_t i = 0; i < n; i++) {
		if (names[i] && !table_find(names[i]) &&
		    !is_skipped(names[i]))
			bn_strv_push(out, names[i]);
		free(names[i]);
	}
	free(names);
	return 0;
}

/* ---- one table's columns ------------------------------------------------ */

typedef struct dump_col {
	char *name;
	char *type;               /* as declared, upper case */
} dump_col;
BN_STORE__TABLE(col, dump_col, BN_STORE__COL(dump_col, name),
		BN_STORE__COL(dump_col, type));

typedef struct dump_cols {
	dump_col *v;
	size_t n;
} dump_cols;

static int col_cmp(const void *a, const void *b)
{
	const dump_col *x = a, *y = b;
	return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

/* TABLE's columns, by name: the order the back ends' migrations gave
   them differs (ALTER TABLE appends), and an export's rows are the same
   line whichever wrote them. */
static int cols_get(dump_cols *out, bn_store *s, const char *table,
		    bn_err *err)
{
	const bn_store__arg a[] = { BN_STORE__TEXT(table) };
	int r = bn_store__select(&out->v, &out->n, &col_shape, s,
				 s->be->columns, a, 1, err);

	if (!r && out->n)
		qsort(out->v, out->n, sizeof(*out->v), col_cmp);
	return r;
}

static void cols_clear(dump_cols *c)
{
	bn_store__select_free(c->v, c->n, &col_shape);
	memset(c, 0, sizeof(*c));
}

/* How a column's values are read: 'i' integers, 'b' bytes, 't' text. */
static char col_kind(const dump_col *c)
{
	const char *t = c->type ? c->type : "";
	if (strstr(t, "INT"))
		return 'i';
	if (strstr(t, "BLOB") || strstr(t, "BYTEA"))
		return 'b';
	return 't';
}

static bool cols_have(const dump_cols *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].name && strcmp(c->v[i].name, name) == 0)
			return true;
	return false;
}

/* "SELECT|INSERT ..." of TABLE's columns NAMES[0..n) (checked names). */
static char *sql_of(bool insert, const char *table, char *const *names,
		    size_t n)
{
	bn_buf b;

	bn_buf_init(&b, 0);
	(void)bn_buf_printf(&b, insert ? "INSERT INTO %s (" : "SELECT ",
			    table);
	for (size_t i = 0; i < n; i++)
		(void)bn_buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
	if (insert) {
		(void)bn_buf_printf(&b, ") VALUES (");
		for (size_t i = 0; i < n; i++)
			(void)bn_buf_printf(&b, "%s?%zu", i ? ", " : "",
					    i + 1);
		(void)bn_buf_printf(&b, ")");
	} else {
		(void)bn_buf_printf(&b, " FROM %s ORDER BY ", table);
		for (size_t i = 0; i < n; i++)
			(void)bn_buf_printf(&b, "%s%zu", i ? ", " : "", i + 1);
	}
	return bn_buf_take(&b);
}

static long long table_count(bn_store *s, const char *table, bn_err *err)
{
	char sql[96];
	bn_store__stmt *st;
	long long n = -1;

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", table);
	if (bn_store__query(&st, s, sql, NULL, 0, err))
		return -1;
	if (bn_store__step(s, st, err) == 1)
		n = bn_store__col_int(st, 0);
	bn_store__done(s, st);
	return n;
}

static void stats_add(bn_store_dump_stats *st, const char *table,
		      long long rows)
{
	st->v = bn_xrealloc(st->v, (st->n + 1) * sizeof(*st->v));
	st->v[st->n++] = (bn_store_dump_count){ table, rows };
	st->rows += rows;
}

/* ---- export -------------------------------------------------------------- */

/* Write J (taken) as one line of OUT. */
static int put_line(FILE *out, const char *name, json_t *j, bn_err *err)
{
	char *t = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
	int ok = t && fputs(t, out) >= 0 && fputc('\n', out) != EOF;

	free(t);
	json_decref(j);
	return ok ? 0 : bn_err_set(err, BN_EIO, "%s: cannot write the export "
				   "(disk full?)", name);
}

/* Column I of the row ST stands on, as its value in the file. */
static json_t *value_of(bn_store__stmt *st, int i, char kind)
{
	if (bn_store__col_null(st, i))
		return json_null();
	if (kind == 'i')
		return json_integer(bn_store__col_int(st, i));
	if (kind == 'b') {
		size_t n, len;
		const void *p = bn_store__col_blob(st, i, &n);
		char *b64;
		json_t *j;
		len = sodium_base64_ENCODED_LEN(n,
			sodium_base64_VARIANT_ORIGINAL);
		b64 = bn_xmalloc(len);
		sodium_bin2base64(b64, len, p, n,
				  sodium_base64_VARIANT_ORIGINAL);
		j = json_pack("{s:s}", "base64", b64);
		free(b64);
		return j;
	}
	return json_string(bn_store__col_text(st, i));
}

/* Write every row of TABLE (columns C) to OUT; *rows how many. */
static int export_rows(bn_store *s, FILE *out, const char *name,
		       const char *table, const dump_cols *c,
		       long long *rows, bn_err *err)
{
	char **names = bn_xcalloc(c->n ? c->n : 1, sizeof(*names));
	bn_store__stmt *st;
	char *sql;
	int r;

	for (size_t i = 0; i < c->n; i++)
		names[i] = c->v[i].name;
	sql = sql_of(false, table, names, c->n);
	free(names);
	r = bn_store__query(&st, s, sql, NULL, 0, err);
	free(sql);
	if (r)
		return r;
	*rows = 0;
	while ((r = bn_store__step(s, st, err)) == 1) {
		json_t *v = json_array();
		for (size_t i = 0; i < c->n; i++) {
			json_t *x = value_of(st, (int)i, col_kind(&c->v[i]));
			if (!x) {
				json_decref(v);
				bn_store__done(s, st);
				return bn_err_set(err, BN_EINVAL,
					"%s: %s.%s holds text that is not "
					"UTF-8; it cannot be exported",
					s->db_path, table, c->v[i].name);
			}
			json_array_append_new(v, x);
		}
		if ((r = put_line(out, name, json_pack("{s:s, s:o}", "t",
				  table, "r", v), err)))
			break;
		(*rows)++;
	}
	bn_store__done(s, st);
	return r < 0 ? r : 0;
}

static int export_all(bn_store *s, FILE *out, const char *name,
		      bn_store_dump_stats *stats, bn_err *err)
{
	dump_cols cols[N_TABLES] = { { NULL, 0 } };
	json_t *hdr, *tl, *counts;
	int r;

	if ((r = s->be->version_get(s, &stats->schema, err)))
		return r;
	tl = json_array();
	for (size_t i = 0; i < N_TABLES && !r; i++) {
		json_t *names = json_array();
		if ((r = cols_get(&cols[i], s, tables[i].name, err)))
			break;
		for (size_t k = 0; k < cols[i].n; k++)
			json_array_append_new(names,
					      json_string(cols[i].v[k].name));
		json_array_append_new(tl, json_pack("{s:s, s:o}", "name",
					tables[i].name, "columns", names));
	}
	hdr = json_pack("{s:s, s:i, s:i, s:s, s:I, s:o}", "format",
			FORMAT_NAME, "version", BN_STORE_DUMP_FORMAT,
			"schema", stats->schema, "from", s->be->name,
			"exported_at", (json_int_t)time(NULL), "tables", tl);
	if (!r)
		r = put_line(out, name, hdr, err);
	else
		json_decref(hdr);
	counts = json_object();
	for (size_t i = 0; i < N_TABLES && !r; i++) {
		long long n;
		if (!(r = export_rows(s, out, name, tables[i].name, &cols[i],
				      &n, err))) {
			json_object_set_new(counts, tables[i].name,
					    json_integer(n));
			stats_add(stats, tables[i].name, n);
		}
	}
	if (!r)
		r = put_line(out, name, json_pack("{s:O, s:I}", "end", counts,
				  "rows", (json_int_t)stats->rows), err);
	json_decref(counts);
	for (size_t i = 0; i < N_TABLES; i++)
		cols_clear(&cols[i]);
	return r;
}

int bn_store_export(bn_store *s, FILE *out, const char *name,
		    bn_store_dump_stats *stats, bn_err *err)
{
	bn_store_dump_stats mine = { 0 };
	bn_strv unlisted = { 0 };
	int r;

	if ((r = bn_store_dump_unlisted(&unlisted, s, err)))
		return r;
	if (unlisted.n) {
		r = bn_err_set(err, BN_EINVAL, "%s: table '%s' is in no list "
			       "of what an export carries (store/dump.c); "
			       "nothing exported", s->db_path, unlisted.v[0]);
		bn_strv_clear(&unlisted);
		return r;
	}
	/* one transaction: the writers of every process wait for it, so
	   the rows are one moment's */
	if ((r = bn_store_tx_begin(s, err)))
		return r;
	r = export_all(s, out, name, &mine, err);
	bn_store_tx_rollback(s);
	if (!r && (fflush(out) || ferror(out)))
		r = bn_err_set(err, BN_EIO, "%s: cannot write the export "
			       "(disk full?)", name);
	if (!r && stats)
		*stats = mine;
	else
		bn_store_dump_stats_clear(&mine);
	return r;
}

/* ---- import -------------------------------------------------------------- */

/* A table of the file being read. */
typedef struct imp_table {
	const struct dump_table *t;
	size_t ncols;
	char *insert;             /* its INSERT of the file's columns */
	long long read;
	bool has_id;              /* it has an id column (id_sync) */
} imp_table;

typedef struct imp {
	bn_store *s;
	const char *name;         /* the file, in messages */
	size_t line;              /* the line being read */
	imp_table *v;
	size_t n;
} imp;

static void imp_clear(imp *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].insert);
	free(m->v);
}

static int bad(imp *m, bn_err *err, const char *what)
{
	return bn_err_set(err, BN_EINVAL, "%s:%zu: %s; nothing imported",
			  m->name, m->line, what);
}

static imp_table *imp_find(imp *m, const char *table)
{
	for (size_t i = 0; table && i < m->n; i++)
		if (strcmp(m->v[i].t->name, table) == 0)
			return &m->v[i];
	return NULL;
}

/* The header's table J: known here, its columns the store's. */
static int header_table(imp *m, json_t *j, bn_err *err)
{
	const char *name = json_string_value(json_object_get(j, "name"));
	json_t *names = json_object_get(j, "columns"), *c;
	const struct dump_table *t = name ? table_find(name) : NULL;
	dump_cols have = { NULL, 0 };
	char **cn;
	size_t i;
	imp_table *it;
	int r;

	if (!name || !json_is_array(names))
		return bad(m, err, "a table of the header has no name or "
			   "columns");
	if (!t || imp_find(m, name)) {
		char msg[200];
		snprintf(msg, sizeof(msg), "table '%.64s' is %s", name,
			 t ? "in the header twice" :
			 "not one this bnity's store has");
		return bad(m, err, msg);
	}
	if ((r = cols_get(&have, m->s, name, err)))
		return r;
	cn = bn_xcalloc(json_array_size(names) + 1, sizeof(*cn));
	json_array_foreach(names, i, c) {
		const char *cname = json_string_value(c);
		if (!cname || !cols_have(&have, cname)) {
			char msg[200];
			snprintf(msg, sizeof(msg), "column '%.64s' of table "
				 "'%s' is not one this bnity's store has",
				 cname ? cname : "?", name);
			free(cn);
			cols_clear(&have);
			return bad(m, err, msg);
		}
		cn[i] = (char *)cname;
	}
	m->v = bn_xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
	it = &m->v[m->n++];
	memset(it, 0, sizeof(*it));
	it->t = t;
	it->ncols = json_array_size(names);
	it->insert = sql_of(true, name, cn, it->ncols);
	it->has_id = cols_have(&have, "id");
	free(cn);
	cols_clear(&have);
	return 0;
}

static int read_header(imp *m, json_t *h, bn_err *err)
{
	const char *fmt = json_string_value(json_object_get(h, "format"));
	json_t *ver = json_object_get(h, "version");
	json_t *sch = json_object_get(h, "schema");
	json_t *tl = json_object_get(h, "tables"), *t;
	int have, r;
	size_t i;

	if (!fmt || strcmp(fmt, FORMAT_NAME) != 0 || !json_is_integer(ver) ||
	    !json_is_integer(sch) || !json_is_array(tl))
		return bad(m, err, "not a bnity store export (its first line "
			   "is no export header)");
	if (json_integer_value(ver) > BN_STORE_DUMP_FORMAT ||
	    json_integer_value(ver) < 1) {
		char msg[160];
		snprintf(msg, sizeof(msg), "export format %lld, this bnity "
			 "reads %d; upgrade bnity",
			 (long long)json_integer_value(ver),
			 BN_STORE_DUMP_FORMAT);
		return bad(m, err, msg);
	}
	if ((r = m->s->be->version_get(m->s, &have, err)))
		return r;
	if (json_integer_value(sch) > have || json_integer_value(sch) < 1) {
		char msg[160];
		snprintf(msg, sizeof(msg), "written by a newer bnity (schema "
			 "%lld, this bnity knows %d); upgrade bnity",
			 (long long)json_integer_value(sch), have);
		return bad(m, err, msg);
	}
	json_array_foreach(tl, i, t) {
		if ((r = header_table(m, t, err)))
			return r;
	}
	return 0;
}

/* Empty the tables that must be (all with REPLACE, else the index's),
   refusing a store that holds rows of any other. */
static int make_room(imp *m, bool replace, bn_err *err)
{
	char sql[96];
	int r;

	for (size_t i = 0; i < N_TABLES && !replace; i++) {
		long long n;
		if (tables[i].index)
			continue;
		if ((n = table_count(m->s, tables[i].name, err)) < 0)
			return BN_EIO;
		if (n > 0)
			return bn_err_set(err, BN_EEXIST, "%s: the store is not "
				"empty (%s has %lld rows): import into an empty "
				"store, or give --replace to empty it first; "
				"nothing imported", m->s->db_path,
				tables[i].name, n);
	}
	/* children first */
	for (size_t i = N_TABLES; i-- > 0;) {
		if (!replace && !tables[i].index)
			continue;
		snprintf(sql, sizeof(sql), "DELETE FROM %s", tables[i].name);
		if ((r = bn_store__exec(m->s, sql, err)))
			return r;
	}
	return 0;
}

/* Insert the row line J of table IT. */
static int insert_row(imp *m, imp_table *it, json_t *row, bn_err *err)
{
	bn_store__arg *a;
	void **bufs;
	json_t *v;
	size_t i;
	int r = 0;

	if (!json_is_array(row) || json_array_size(row) != it->ncols)
		return bad(m, err, "a row of other columns than its table's "
			   "in the header");
	a = bn_xcalloc(it->ncols + 1, sizeof(*a));
	bufs = bn_xcalloc(it->ncols + 1, sizeof(*bufs));
	json_array_foreach(row, i, v) {
		const char *b64 = json_string_value(json_object_get(v,
								    "base64"));
		if (json_is_null(v)) {
			a[i] = BN_STORE__TEXT(NULL);
		} else if (json_is_integer(v)) {
			a[i] = BN_STORE__INT(json_integer_value(v));
		} else if (json_is_string(v)) {
			a[i] = BN_STORE__TEXT(json_string_value(v));
		} else if (b64) {
			size_t len = strlen(b64), n = 0;
			bufs[i] = bn_xmalloc(len / 4 * 3 + 3);
			if (sodium_base642bin(bufs[i], len / 4 * 3 + 3, b64,
					      len, NULL, &n, NULL,
					      sodium_base64_VARIANT_ORIGINAL)) {
				r = bad(m, err, "bytes that are not base64");
				break;
			}
			a[i] = BN_STORE__BLOB(bufs[i], n);
		} else {
			r = bad(m, err, "a value that is none of null, an "
				"integer, text or {\"base64\"}");
			break;
		}
	}
	if (!r && (r = bn_store__run(m->s, it->insert, a, it->ncols, err)))
		bn_err_prefix(err, "%s:%zu: %s", m->name, m->line,
			      it->t->name);
	for (i = 0; i < it->ncols; i++)
		free(bufs[i]);
	free(bufs);
	free(a);
	if (!r)
		it->read++;
	return r;
}

/* The trailer J: its count of every table is what was read and what
   the table now holds. */
static int check_trailer(imp *m, json_t *j, bn_store_dump_stats *stats,
			 bn_err *err)
{
	json_t *counts = json_object_get(j, "end");
	char msg[256];

	if (!json_is_object(counts))
		return bad(m, err, "a trailer without its counts");
	for (size_t i = 0; i < m->n; i++) {
		imp_table *it = &m->v[i];
		json_t *c = json_object_get(counts, it->t->name);
		long long in;
		if (!json_is_integer(c)) {
			snprintf(msg, sizeof(msg), "the trailer has no count "
				 "of table '%s'", it->t->name);
			return bad(m, err, msg);
		}
		in = table_count(m->s, it->t->name, err);
		if (in < 0)
			return BN_EIO;
		if (json_integer_value(c) != it->read || in != it->read) {
			snprintf(msg, sizeof(msg), "table '%s': the trailer "
				 "counts %lld rows, the file has %lld, the "
				 "store took %lld", it->t->name,
				 (long long)json_integer_value(c), it->read,
				 in);
			return bad(m, err, msg);
		}
		stats_add(stats, it->t->name, it->read);
	}
	return 0;
}

/* Bring the next id of every table with one past the ids imported. */
static int sync_ids(imp *m, bn_err *err)
{
	for (size_t i = 0; m->s->be->id_sync && i < m->n; i++) {
		char sql[96];
		bn_store__stmt *st;
		int64_t next = 1;
		int r;
		if (!m->v[i].has_id)
			continue;
		snprintf(sql, sizeof(sql), "SELECT COALESCE(MAX(id), 0) + 1 "
			 "FROM %s", m->v[i].t->name);
		if ((r = bn_store__query(&st, m->s, sql, NULL, 0, err)))
			return r;
		if ((r = bn_store__step(m->s, st, err)) == 1)
			next = bn_store__col_int(st, 0);
		bn_store__done(m->s, st);
		if (r < 0)
			return r;
		const bn_store__arg a[] = { BN_STORE__TEXT(m->v[i].t->name),
					    BN_STORE__INT(next) };
		if ((r = bn_store__run(m->s, m->s->be->id_sync, a, 2, err)))
			return r;
	}
	return 0;
}

/* Read IN line by line into M's store (in its transaction). */
static int import_lines(imp *m, FILE *in, bool replace,
			bn_store_dump_stats *stats, bn_err *err)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	bool ended = false;
	int r = 0;

	while (!r && (len = getline(&line, &cap, in)) >= 0) {
		json_t *j, *row;
		json_error_t je;
		m->line++;
		if (len == 0 || line[len - 1] != '\n') {
			r = bad(m, err, "the file ends in the middle of a line "
				"(truncated: a half-written export?)");
			break;
		}
		if (ended) {
			r = bad(m, err, "a line after the trailer");
			break;
		}
		if (!(j = json_loadb(line, (size_t)len, 0, &je)) ||
		    !json_is_object(j)) {
			char msg[300];
			snprintf(msg, sizeof(msg), "not a line of an export "
				 "(%s)", j ? "no JSON object" : je.text);
			json_decref(j);
			r = bad(m, err, msg);
			break;
		}
		if (m->line == 1) {
			if (!(r = read_header(m, j, err)))
				r = make_room(m, replace, err);
		} else if ((row = json_object_get(j, "r"))) {
			const char *t = json_string_value(json_object_get(j,
									  "t"));
			imp_table *it = imp_find(m, t);
			r = it ? insert_row(m, it, row, err) :
				bad(m, err, "a row of a table the header does "
				    "not name");
		} else if (json_object_get(j, "end")) {
			r = check_trailer(m, j, stats, err);
			ended = true;
		} else {
			r = bad(m, err, "a line that is neither a row nor the "
				"trailer");
		}
		json_decref(j);
	}
	free(line);
	if (!r && ferror(in))
		r = bn_err_set(err, BN_EIO, "%s: cannot read it; nothing "
			       "imported", m->name);
	if (!r && m->line == 0)
		r = bad(m, err, "the file is empty");
	if (!r && !ended)
		r = bad(m, err, "the file ends before its trailer (truncated: "
			"a half-written export?)");
	return r ? r : sync_ids(m, err);
}

int bn_store_import(bn_store *s, FILE *in, const char *name, bool replace,
		    bn_store_dump_stats *stats, bn_err *err)
{
	bn_store_dump_stats mine = { 0 };
	imp m = { .s = s, .name = name };
	int r;

	if ((r = bn_store_tx_begin(s, err)))
		return r;
	r = s->be->version_get(s, &mine.schema, err);
	if (!r)
		r = import_lines(&m, in, replace, &mine, err);
	if (r)
		bn_store_tx_rollback(s);
	else
		r = bn_store_tx_commit(s, err);
	imp_clear(&m);
	if (!r && stats)
		*stats = mine;
	else
		bn_store_dump_stats_clear(&mine);
	return r;
}

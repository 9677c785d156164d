/* SPDX-License-Identifier: MIT */
/*
 * store/pg.c - the PostgreSQL back end of the store, for replicas of
 * `bnity serve` sharing one database (docs/scale.md): the connection
 * from a postgresql:// URL through libpq, loaded on first use
 * (base/dl.h), statements prepared on the server once per connection,
 * the same migrations as sqlite.c in PostgreSQL's DDL, counted in the
 * schema_version table, and memories searched through a tsvector.
 *
 * Parameters are sent as text (integers as int8, bytes as binary
 * bytea); results come back as text, bytea in its hex form, decoded here.
 * A write transaction takes one advisory lock, so writers queue as they
 * do on SQLite's write lock and a transaction never fails half-way for
 * want of it.
 *
 * A connection that PostgreSQL closed (a restart, a terminated backend)
 * is opened again before the next statement, outside a transaction: an
 * idle connection whose socket has something to read was closed by the
 * server (it sends nothing unasked), and one that failed is seen so by
 * libpq.  The statements are prepared again on the new connection.  A
 * transaction open when its connection went is lost whole: every
 * statement of it fails, naming the loss, until the caller rolls it back;
 * nothing of it is ever retried.
 * Reference: https://www.postgresql.org/docs/15/libpq.html
 */
#include "store_int.h"

#include <assert.h>
#include <ctype.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/dl.h"
#include "schema.h"

/* The functions used, without their "PQ" prefix. */
#define PQ_FNS(X)                                                       \
	X(connectdb) X(status) X(errorMessage) X(finish) X(exec)        \
	X(resultStatus) X(resultErrorMessage) X(clear) X(prepare)       \
	X(execPrepared) X(ntuples) X(nfields) X(getvalue) X(getlength)  \
	X(getisnull) X(ftype) X(cmdTuples) X(transactionStatus)         \
	X(setNoticeProcessor) X(reset) X(socket)
#define PQ_FIELD(f) __typeof__(PQ##f) *f;
BN_DL_TABLE(pq_table_t, pq_fns, PQ_N, PQ_FNS, PQ_FIELD);
/* Written once, by the first open of a PostgreSQL store, then only
   read (base/dl.h). */
#define PQ_NAME(f) "PQ" #f,
BN_DL_LIBRARY(pq, pq_table_t, PQ_FNS, PQ_NAME, "libpq.so.5", "libpq",
	      "libpq5", NULL);

#define OID_BYTEA 17
#define OID_INT8 20
#define OID_BOOL 16
/* the key of the advisory lock a write transaction takes */
#define WRITE_LOCK "7385002"

typedef struct pg_conn {
	const struct pq_fns *fn;
	PGconn *conn;
	size_t changes;            /* of the last statement run */
	char err[512];             /* what the last failure said */
	unsigned long next_name;   /* of the next prepared statement */
	unsigned long gen;         /* connections made: a statement
				      prepared under another is prepared
				      again */
	bool tx;                   /* a transaction was open after the
				      last statement */
	bool tx_lost;              /* the connection went with it open:
				      until a rollback, everything fails */
	unsigned lock_ms;          /* the lock_timeout set, for a new
				      connection */
} pg_conn;

typedef struct pg_stmt {
	bn_store__stmt base;
	pg_conn *c;
	char *text;                /* the SQL with $N parameters */
	int nparams;
	char name[32];             /* on the server; "" before the first run */
	unsigned long gen;         /* of the connection it was prepared on */
	char **vals;               /* the bound values (owned) */
	int *lens, *fmts;
	Oid *types;
	PGresult *res;             /* of the run, or NULL before it */
	int row, nrows;
	void **blobs;              /* decoded bytea columns of the row */
} pg_stmt;

static pg_stmt *pgs(bn_store__stmt *st)
{
	return (pg_stmt *)st;
}

static pg_conn *conn_of(bn_store *s)
{
	return s->db;
}

/* Keep MSG (libpq's, ending in a newline) as C's last error. */
static void keep_err(pg_conn *c, const char *msg)
{
	size_t n;

	snprintf(c->err, sizeof(c->err), "%s", msg && *msg ? msg :
		 "PostgreSQL error");
	n = strlen(c->err);
	while (n && (c->err[n - 1] == '\n' || c->err[n - 1] == ' '))
		c->err[--n] = '\0';
}

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;        /* NOTICEs ("... exists, skipping") are not errors */
}

bool bn_store__is_pg_url(const char *url)
{
	return url && (!strncmp(url, "postgresql://", 13) ||
		       !strncmp(url, "postgres://", 11));
}

char *bn_store__url_redact(const char *url)
{
	const char *scheme = strstr(url, "://");
	bn_buf b;
	const char *p, *at, *colon, *q;

	bn_buf_init(&b, 0);
	p = scheme ? scheme + 3 : url;
	(void)bn_buf_append(&b, url, (size_t)(p - url));
	/* user:password@ -> user@ */
	at = strpbrk(p, "@/?");
	if (at && *at == '@') {
		colon = memchr(p, ':', (size_t)(at - p));
		(void)bn_buf_append(&b, p, (size_t)((colon ? colon : at) - p));
		p = at;
	}
	/* ?password=... and &password=... -> password=*** */
	for (q = strstr(p, "password="); q; q = strstr(q + 1, "password=")) {
		if (q == p || (q[-1] != '?' && q[-1] != '&'))
			continue;
		(void)bn_buf_append(&b, p, (size_t)(q - p));
		(void)bn_buf_puts(&b, "password=***");
		p = q + 9 + strcspn(q + 9, "&");
		q = p - 1;
	}
	(void)bn_buf_puts(&b, p);
	return bn_buf_take(&b);
}

static int pg_open(bn_store *s, bn_err *err)
{
	pg_conn *c;
	bn_err e;
	int r;

	bn_err_init(&e);
	if ((r = bn_dl_lazy_load(&pq_lazy, pq_table.slot, &pq_lib, &e)))
		return bn_err_set(err, r, "%s: %s", s->db_path, e.msg);
	c = bn_xcalloc(1, sizeof(*c));
	c->fn = &pq_table.fn;
	s->db = c;
	/* the URL as given: libpq reads its host, sslmode and the rest */
	c->conn = c->fn->connectdb(s->db_url);
	if (!c->conn)
		return bn_err_set(err, BN_EIO, "%s: cannot connect: out of "
				  "memory", s->db_path);
	if (c->fn->status(c->conn) != CONNECTION_OK) {
		keep_err(c, c->fn->errorMessage(c->conn));
		return bn_err_set(err, BN_EIO, "%s: cannot connect: %s",
				  s->db_path, c->err);
	}
	c->fn->setNoticeProcessor(c->conn, quiet, NULL);
	c->gen = 1;
	return bn_store__exec(s, "SET client_min_messages = warning", err);
}

static void pg_close(bn_store *s)
{
	pg_conn *c = conn_of(s);

	if (c->conn)
		c->fn->finish(c->conn);
	free(c);
}

/* Whether RES (cleared here) is a success; C's error otherwise. */
static bool result_ok(pg_conn *c, PGresult *res)
{
	ExecStatusType t = res ? c->fn->resultStatus(res) : PGRES_FATAL_ERROR;
	bool ok = t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK;

	if (!ok)
		keep_err(c, res ? c->fn->resultErrorMessage(res) :
			 c->fn->errorMessage(c->conn));
	return ok;
}

static bool conn_ok(pg_conn *c)
{
	return c->fn->status(c->conn) == CONNECTION_OK;
}

/* Whether the idle connection C has something to read: the server sends
   nothing unasked but the news that it closed the connection. */
static bool closed_by_server(pg_conn *c)
{
	struct pollfd p = { .fd = c->fn->socket(c->conn), .events = POLLIN };

	return p.fd >= 0 && poll(&p, 1, 0) != 0;
}

/* The session settings a new connection takes. */
static bool session_set(pg_conn *c)
{
	char sql[96];
	PGresult *res;
	bool ok;

	snprintf(sql, sizeof(sql), "SET client_min_messages = warning;"
		 " SET lock_timeout = %u", c->lock_ms);
	res = c->fn->exec(c->conn, sql);
	ok = result_ok(c, res);
	c->fn->clear(res);
	return ok;
}

/* C's error said with BEFORE and AFTER around it. */
static void err_around(pg_conn *c, const char *before, const char *behind)
{
	char was[sizeof(c->err)];

	snprintf(was, sizeof(was), "%s", c->err);
	snprintf(c->err, sizeof(c->err), "%s%.360s%s", before, was, behind);
}

/* Make C ready for a statement: false with C's error when the
   transaction it had open was lost, or it cannot reconnect. */
static bool ready(pg_conn *c)
{
	if (c->tx_lost) {
		keep_err(c, "lost the connection to PostgreSQL with a "
			 "transaction open: the transaction failed and is "
			 "not retried (roll it back)");
		return false;
	}
	if (conn_ok(c) && (c->tx || !closed_by_server(c)))
		return true;
	/* closed: a new connection (the old one's statements are gone) */
	c->fn->reset(c->conn);
	c->tx = false;
	if (!conn_ok(c)) {
		keep_err(c, c->fn->errorMessage(c->conn));
		err_around(c, "cannot reconnect to PostgreSQL (tried again at "
			   "the next statement): ", "");
		return false;
	}
	c->gen++;
	return session_set(c);
}

/* After a statement: note whether a transaction is open, and when the
   connection went, that the transaction it had open is lost. */
static void after(pg_conn *c, bool ok)
{
	if (conn_ok(c)) {
		c->tx = c->fn->transactionStatus(c->conn) != PQTRANS_IDLE;
		return;
	}
	c->tx_lost = c->tx;
	c->tx = false;
	if (ok)
		return;
	err_around(c, "lost the connection to PostgreSQL (", c->tx_lost ?
		   "); the open transaction failed and is not retried" :
		   "); it is opened again at the next statement");
}

/*
 * Whether a statement that failed may run again, once, on a new
 * connection: the connection went while no transaction was open (so the
 * failure may be only that the server closed an idle connection just
 * before the statement reached it: an administrator, a restart, an idle
 * timeout), and running SQL twice changes nothing.  Preparing is always
 * such; of the statements, those that only read or set the session.  A
 * write is never run again: the server may have done it before the
 * connection went.
 */
static bool may_run_again(pg_conn *c, const char *sql)
{
	static const char *const harmless[] = { "SELECT", "BEGIN", "SHOW",
						"SET" };

	if (conn_ok(c) || c->tx_lost)
		return false;
	if (!sql)
		return true;
	sql += strspn(sql, " \t\n");
	for (size_t i = 0; i < sizeof(harmless) / sizeof(*harmless); i++) {
		size_t n = strlen(harmless[i]);
		if (!strncasecmp(sql, harmless[i], n) &&
		    !isalnum((unsigned char)sql[n]))
			return true;
	}
	return false;
}

/* Roll back what a lost connection had open: the server did. */
static bool forget_lost(pg_conn *c, const char *sql)
{
	if (!c->tx_lost || strcmp(sql, "ROLLBACK") != 0)
		return false;
	c->tx_lost = false;
	return true;
}

static int pg_exec(bn_store *s, const char *sql, bn_err *err)
{
	pg_conn *c = conn_of(s);
	PGresult *res;
	bool ok;

	if (forget_lost(c, sql))
		return 0;
	for (int tries = 0;; tries++) {
		if (!ready(c))
			return bn_store__fail(s, err);
		res = c->fn->exec(c->conn, sql);
		ok = result_ok(c, res);
		c->fn->clear(res);
		after(c, ok);
		if (ok)
			return 0;
		if (tries || !may_run_again(c, sql))
			return bn_store__fail(s, err);
	}
}

static const char *pg_errmsg(bn_store *s)
{
	return conn_of(s)->err;
}

/* SQL with ?N written $N (outside quoted text); *max the largest N.  A
   parameter only tested for NULL ("?N IS NULL OR bot = ?N" with NULL)
   has no type PostgreSQL can infer: there it is read as text. */
static char *dollars(const char *sql, int *max)
{
	bn_buf b;
	char quote = 0;

	bn_buf_init(&b, 0);
	*max = 0;
	for (const char *p = sql; *p; p++) {
		char ch = *p;
		if (quote) {
			if (ch == quote)
				quote = 0;
		} else if (ch == '\'' || ch == '"') {
			quote = ch;
		} else if (ch == '?' && p[1] >= '0' && p[1] <= '9') {
			char *end;
			int n = (int)strtol(p + 1, &end, 10);
			if (n > *max)
				*max = n;
			(void)bn_buf_printf(&b, "$%d%s", n,
					    !strncmp(end, " IS NULL", 8) ||
					    !strncmp(end, " IS NOT NULL", 12) ?
					    "::text" : "");
			p = end - 1;
			continue;
		}
		(void)bn_buf_append(&b, &ch, 1);
	}
	return bn_buf_take(&b);
}

static int pg_prepare(bn_store__stmt **out, bn_store *s, const char *sql,
		      bn_err *err)
{
	pg_stmt *q = bn_xcalloc(1, sizeof(*q));
	size_t n;

	q->c = conn_of(s);
	q->text = dollars(sql, &q->nparams);
	n = q->nparams ? (size_t)q->nparams : 1;
	/* the four arrays libpq takes, in one block: vals owns it */
	q->vals = bn_xcalloc(n, sizeof(*q->vals) + sizeof(*q->lens) +
			     sizeof(*q->fmts) + sizeof(*q->types));
	q->types = (Oid *)(q->vals + n);
	q->lens = (int *)(q->types + n);
	q->fmts = q->lens + n;
	*out = &q->base;
	(void)err;        /* the server sees it at its first run */
	return 0;
}

static void pg_bind(bn_store__stmt *st, int i, const bn_store__arg *a)
{
	pg_stmt *q = pgs(st);
	int k = i - 1;

	if (i < 1 || i > q->nparams)
		return;           /* a parameter the SQL does not use */
	free(q->vals[k]);
	q->vals[k] = NULL;
	q->lens[k] = q->fmts[k] = 0;
	if (a->kind == 'i') {
		char v[24];
		snprintf(v, sizeof(v), "%lld", (long long)a->i);
		q->vals[k] = bn_xstrdup(v);
		if (!q->name[0])
			q->types[k] = OID_INT8;
	} else if (a->kind == 'b') {
		size_t n = (size_t)a->i;
		q->vals[k] = bn_xmalloc(n ? n : 1);
		if (n)
			memcpy(q->vals[k], a->p, n);
		q->lens[k] = (int)n;
		q->fmts[k] = 1;
		if (!q->name[0])
			q->types[k] = OID_BYTEA;
	} else if (a->p) {
		q->vals[k] = bn_xstrdup(a->p);
	}
}

static void blobs_free(pg_stmt *q)
{
	if (!q->blobs)
		return;
	for (int i = 0; q->res && i < q->c->fn->nfields(q->res); i++)
		free(q->blobs[i]);
	free(q->blobs);
	q->blobs = NULL;
}

/* Prepare Q on the server (at its first run, when the kinds of its
   parameters are known: integers int8, bytes bytea, text inferred). */
static bool server_prepare(pg_conn *c, pg_stmt *q)
{
	PGresult *res;
	bool ok;

	snprintf(q->name, sizeof(q->name), "bn%lu", c->next_name++);
	res = c->fn->prepare(c->conn, q->name, q->text, q->nparams,
			     q->types);
	ok = result_ok(c, res);
	c->fn->clear(res);
	after(c, ok);
	q->gen = c->gen;
	if (!ok)
		q->name[0] = '\0';
	return ok;
}

static int pg_step(bn_store *s, bn_store__stmt *st, bn_err *err)
{
	pg_stmt *q = pgs(st);
	pg_conn *c = q->c;

	for (int tries = 0; !q->res; tries++) {
		const char *t;
		bool ok;
		if (!ready(c))
			return bn_store__fail(s, err);
		/* prepared on a connection since closed: again on this one
		   (the types of its parameters are those of its first run) */
		if (q->gen != c->gen)
			q->name[0] = '\0';
		if (!q->name[0] && !server_prepare(c, q)) {
			if (!tries && may_run_again(c, NULL))
				continue;
			return bn_store__fail(s, err);
		}
		q->res = c->fn->execPrepared(c->conn, q->name, q->nparams,
					     (const char *const *)q->vals,
					     q->lens, q->fmts, 0);
		ok = result_ok(c, q->res);
		after(c, ok);
		if (!ok) {
			c->fn->clear(q->res);
			q->res = NULL;
			if (!tries && may_run_again(c, q->text))
				continue;
			return bn_store__fail(s, err);
		}
		t = c->fn->cmdTuples(q->res);
		c->changes = t && *t ? (size_t)strtoull(t, NULL, 10) : 0;
		q->nrows = c->fn->ntuples(q->res);
		q->row = -1;
	}
	blobs_free(q);
	if (q->row + 1 >= q->nrows) {
		q->row = q->nrows;
		return 0;
	}
	q->row++;
	return 1;
}

static void pg_reset(bn_store__stmt *st)
{
	pg_stmt *q = pgs(st);

	blobs_free(q);
	if (q->res)
		q->c->fn->clear(q->res);
	q->res = NULL;
	for (int i = 0; i < q->nparams; i++) {
		free(q->vals[i]);
		q->vals[i] = NULL;
	}
}

static void pg_finalize(bn_store__stmt *st)
{
	pg_stmt *q = pgs(st);

	pg_reset(st);
	if (q->name[0] && q->gen == q->c->gen && conn_ok(q->c) &&
	    !q->c->tx_lost) {
		/* the server's copy goes with it (one past the kept ones) */
		char sql[48];
		PGresult *res;
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", q->name);
		res = q->c->fn->exec(q->c->conn, sql);
		q->c->fn->clear(res);
	}
	free(q->text);
	free(q->vals);
	free(q);
}

static int pg_ncols(bn_store__stmt *st)
{
	pg_stmt *q = pgs(st);
	return q->res ? q->c->fn->nfields(q->res) : 0;
}

/* Whether Q stands on a row with a column I. */
static bool on_row(pg_stmt *q, int i)
{
	return q->res && q->row >= 0 && q->row < q->nrows && i >= 0 &&
	       i < q->c->fn->nfields(q->res);
}

static bool pg_is_null(bn_store__stmt *st, int i)
{
	pg_stmt *q = pgs(st);
	return !on_row(q, i) || q->c->fn->getisnull(q->res, q->row, i);
}

static const char *pg_col_text(bn_store__stmt *st, int i)
{
	pg_stmt *q = pgs(st);
	return pg_is_null(st, i) ? NULL :
	       q->c->fn->getvalue(q->res, q->row, i);
}

static int64_t pg_col_int(bn_store__stmt *st, int i)
{
	const char *v = pg_col_text(st, i);

	if (!v)
		return 0;
	if (pgs(st)->c->fn->ftype(pgs(st)->res, i) == OID_BOOL)
		return *v == 't';
	return (int64_t)strtoll(v, NULL, 10);
}

static double pg_col_real(bn_store__stmt *st, int i)
{
	const char *v = pg_col_text(st, i);
	return v ? strtod(v, NULL) : 0.0;
}

static int hex_val(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static const void *pg_col_blob(bn_store__stmt *st, int i, size_t *n)
{
	pg_stmt *q = pgs(st);
	const char *v = pg_col_text(st, i);
	size_t len;
	unsigned char *out;

	*n = 0;
	if (!v)
		return NULL;
	len = (size_t)q->c->fn->getlength(q->res, q->row, i);
	if (q->c->fn->ftype(q->res, i) != OID_BYTEA) {
		*n = len;           /* text read as bytes */
		return v;
	}
	/* bytea's text form: \x and two hex digits a byte */
	if (len < 2 || v[0] != '\\' || v[1] != 'x')
		return NULL;
	if (!q->blobs)
		q->blobs = bn_xcalloc((size_t)q->c->fn->nfields(q->res),
				      sizeof(*q->blobs));
	free(q->blobs[i]);
	out = bn_xmalloc((len - 2) / 2 + 1);
	for (size_t k = 2; k + 1 < len; k += 2) {
		int hi = hex_val(v[k]), lo = hex_val(v[k + 1]);
		if (hi < 0 || lo < 0)
			break;
		out[(*n)++] = (unsigned char)(hi << 4 | lo);
	}
	q->blobs[i] = out;
	return out;
}

static bool pg_in_tx(bn_store *s)
{
	pg_conn *c = conn_of(s);

	/* a lost transaction stays open until it is rolled back; a closed
	   connection has none */
	return c->tx_lost || (conn_ok(c) && c->fn->transactionStatus(c->conn)
			      != PQTRANS_IDLE);
}

static size_t pg_changes(bn_store *s)
{
	return conn_of(s)->changes;
}

static void pg_lock_timeout(bn_store *s, unsigned ms)
{
	char sql[64];

	/* a lock waited for longer than MS fails the statement, as
	   SQLite's busy timeout does */
	conn_of(s)->lock_ms = ms;
	snprintf(sql, sizeof(sql), "SET lock_timeout = %u", ms);
	(void)pg_exec(s, sql, NULL);
}

/* The first column of the one row of SQL as an integer (0: none). */
static int int_of(bn_store *s, const char *sql, int *out, bn_err *err)
{
	bn_store__stmt *st;
	int r = bn_store__prepare(&st, s, sql, err);

	if (r)
		return r;
	r = bn_store__step(s, st, err);
	*out = r == 1 ? (int)bn_store__col_int(st, 0) : 0;
	bn_store__done(s, st);
	return r < 0 ? r : 0;
}

static int pg_version_get(bn_store *s, int *out, bn_err *err)
{
	int have = 0;
	int r = int_of(s, "SELECT to_regclass('schema_version') IS NOT NULL",
		       &have, err);

	*out = 0;
	return r || !have ? r : int_of(s, "SELECT max(version) FROM"
				       " schema_version", out, err);
}

static int pg_version_set(bn_store *s, int v, bn_err *err)
{
	char sql[160];

	/* in the step's transaction, under the writers' lock */
	snprintf(sql, sizeof(sql), "CREATE TABLE IF NOT EXISTS schema_version"
		 " (version BIGINT NOT NULL); DELETE FROM schema_version;"
		 "INSERT INTO schema_version VALUES (%d)", v);
	return bn_store__exec(s, sql, err);
}

/* The same steps as sqlite.c's, numbered the same, in PostgreSQL's DDL:
   integers are bigint, bytes bytea, ids identity columns. */
#define ID "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
/* STEP(N): step N of schema.h in these types */
#define STEP(n) BN_STORE__STEP_##n("BIGINT", ID, "BYTEA")
static const char *const migrations[] = {
	STEP(1), STEP(2),
	/* 3: the secret vault and bots' memories, searched through a
	   tsvector of their text ('simple': words as written, as FTS5's
	   default tokenizer has them) */
	"CREATE TABLE secrets ("
	"  name TEXT PRIMARY KEY,"
	"  nonce BYTEA NOT NULL,"
	"  ciphertext BYTEA NOT NULL,"
	"  updated_at BIGINT NOT NULL);"
	"CREATE TABLE memories ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  bot TEXT NOT NULL,"
	"  text TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  words TSVECTOR GENERATED ALWAYS AS"
	"    (to_tsvector('simple', text)) STORED);"
	"CREATE INDEX memories_bot ON memories(bot);"
	"CREATE INDEX memories_words ON memories USING gin (words);",
	/* 4: a bot's memories go with it */
	"DELETE FROM memories WHERE bot NOT IN (SELECT slug FROM bots);"
	"CREATE FUNCTION bots_ad_memories() RETURNS trigger"
	"  LANGUAGE plpgsql AS $$ BEGIN"
	"  DELETE FROM memories WHERE bot = OLD.slug; RETURN OLD; END $$;"
	"CREATE TRIGGER bots_ad_memories AFTER DELETE ON bots"
	"  FOR EACH ROW EXECUTE FUNCTION bots_ad_memories();",
	STEP(5), STEP(6), STEP(7),
	/* 8: suspended grants.  SQLite's step also rewrites the use-only
	   secret grants written before it; a PostgreSQL database is
	   created by a bnity that never wrote such a grant, so there is
	   none here to rewrite */
	BN_STORE__GRANTS_SUSPENDED("BIGINT"),
	STEP(9),
	/* 10: a grant belongs to an identity (the tree hash) */
	"ALTER TABLE grants ADD COLUMN skill_hash TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE grants DROP CONSTRAINT grants_pkey;"
	"ALTER TABLE grants ADD PRIMARY KEY"
	"  (skill, skill_hash, bot, capability, scope);",
	STEP(11), STEP(12), STEP(13), STEP(14), STEP(15), STEP(16),
	STEP(17),
};

const bn_store__backend bn_store__pg = {
	.name = "PostgreSQL",
	BN_STORE__BACKEND_FNS(pg),
	/* writers queue on one advisory lock, held to the commit */
	.begin = "BEGIN; SELECT pg_advisory_xact_lock(" WRITE_LOCK ")",
	/* ts_rank: higher is better, so its negation sorts as bm25 does */
	.memory_search =
		"SELECT m.id, m.text, m.created_at,"
		" -ts_rank(m.words, q) AS rank"
		" FROM memories AS m, websearch_to_tsquery('simple', ?1) AS q"
		" WHERE m.bot = ?2 AND m.words @@ q"
		" ORDER BY rank, m.id LIMIT ?3",
	.tables = "SELECT table_name FROM information_schema.tables"
		  " WHERE table_schema = current_schema()"
		  " AND table_type = 'BASE TABLE' ORDER BY table_name",
	.columns = "SELECT column_name, upper(data_type)"
		   " FROM information_schema.columns"
		   " WHERE table_schema = current_schema()"
		   " AND table_name = ?1 AND is_generated = 'NEVER'"
		   " ORDER BY ordinal_position",
	.id_sync = "SELECT setval(pg_get_serial_sequence(?1, 'id'), ?2,"
		   " false)",
};

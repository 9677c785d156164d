/* SPDX-License-Identifier: MIT */
/*
 * bench/wasm/sql.c - a toy SQL engine: two in-memory column tables, a
 * tokenizer and recursive-descent parser for
 *     SELECT item, ... FROM a [JOIN b ON a.x = b.y]
 *       [WHERE col op literal [AND ...]] [GROUP BY col]
 *       [ORDER BY n|col [DESC]] [LIMIT n]
 * (items: col, COUNT(*), SUM/MIN/MAX(col)), and an executor doing a hash
 * join, filtering, hash grouping and qsort ordering.  Query templates
 * are filled with many constants; each query is parsed and run, and the
 * results are folded into checksums.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_COLS = 4, MAX_ITEMS = 6, MAX_CONDS = 4 };

/* ---- tables ----------------------------------------------------------- */

struct table {
	const char *name;
	int ncols;
	const char *col[MAX_COLS];
	int is_str[MAX_COLS];
	int32_t *ival[MAX_COLS];
	const char **sval[MAX_COLS];
	int nrows;
};

static struct table tab_t = { .name = "t", .ncols = 3,
			      .col = { "id", "k", "v" },
			      .is_str = { 0, 1, 0 } };
static struct table tab_u = { .name = "u", .ncols = 3,
			      .col = { "id", "w", "name" },
			      .is_str = { 0, 0, 1 } };

static uint32_t seed = 12345u;

static uint32_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

static void die(const char *msg, const char *q)
{
	fprintf(stderr, "sql: %s in: %s\n", msg, q);
	exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p) {
		fprintf(stderr, "sql: out of memory\n");
		exit(1);
	}
	return p;
}

static void table_alloc(struct table *t, int nrows)
{
	t->nrows = nrows;
	for (int c = 0; c < t->ncols; c++) {
		if (t->is_str[c])
			t->sval[c] = xcalloc((size_t)nrows, sizeof(char *));
		else
			t->ival[c] = xcalloc((size_t)nrows, sizeof(int32_t));
	}
}

static const char *const greek[] = {
	"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta",
	"theta", "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron",
	"pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
};

static char kinds[40][12];

static void tables_build(void)
{
	static const char *const syl[] = { "ka", "ro", "mi", "te", "su",
					   "na", "lo", "vi" };
	for (int i = 0; i < 40; i++)
		snprintf(kinds[i], sizeof kinds[i], "%s%s%s", syl[i % 8],
			 syl[(i / 8 + i) % 8], syl[(i * 3 + 1) % 8]);
	table_alloc(&tab_u, 5000);
	for (int r = 0; r < tab_u.nrows; r++) {
		tab_u.ival[0][r] = r;
		tab_u.ival[1][r] = (int32_t)(rnd() % 10000);
		tab_u.sval[2][r] = greek[rnd() % 24];
	}
	table_alloc(&tab_t, 20000);
	for (int r = 0; r < tab_t.nrows; r++) {
		tab_t.ival[0][r] = (int32_t)(rnd() % 6000); /* some miss u */
		tab_t.sval[1][r] = kinds[rnd() % 40];
		tab_t.ival[2][r] = (int32_t)(rnd() % 1000);
	}
}

static struct table *table_find(const char *name)
{
	if (!strcmp(name, "t"))
		return &tab_t;
	if (!strcmp(name, "u"))
		return &tab_u;
	return NULL;
}

/* ---- values ----------------------------------------------------------- */

struct val {
	int is_str;
	int64_t i;
	const char *s;
};

static int val_cmp(const struct val *a, const struct val *b)
{
	if (a->is_str != b->is_str)
		return a->is_str - b->is_str;
	if (a->is_str)
		return strcmp(a->s, b->s);
	return a->i < b->i ? -1 : a->i > b->i;
}

static uint64_t val_hash(const struct val *v)
{
	uint64_t h = 1469598103934665603ull;
	if (v->is_str) {
		for (const char *p = v->s; *p; p++)
			h = (h ^ (uint8_t)*p) * 1099511628211ull;
	} else {
		h = ((uint64_t)v->i ^ h) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	return h;
}

/* ---- lexer ------------------------------------------------------------ */

enum tok { T_END, T_IDENT, T_NUM, T_STR, T_COMMA, T_LP, T_RP, T_STAR,
	   T_OP };
enum cmp { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE };

struct lexer {
	const char *q, *p;
	enum tok t;
	char text[32];
	int64_t num;
	enum cmp op;
};

static void next(struct lexer *lx)
{
	const char *p = lx->p;
	while (*p == ' ')
		p++;
	lx->text[0] = '\0';
	if (!*p) {
		lx->t = T_END;
	} else if (isalpha((unsigned char)*p) || *p == '_') {
		size_t n = 0;
		while (isalnum((unsigned char)*p) || *p == '_' || *p == '.') {
			if (n + 1 < sizeof lx->text)
				lx->text[n++] = *p;
			p++;
		}
		lx->text[n] = '\0';
		lx->t = T_IDENT;
	} else if (isdigit((unsigned char)*p) || *p == '-') {
		int neg = *p == '-';
		if (neg)
			p++;
		lx->num = 0;
		while (isdigit((unsigned char)*p))
			lx->num = lx->num * 10 + (*p++ - '0');
		if (neg)
			lx->num = -lx->num;
		lx->t = T_NUM;
	} else if (*p == '\'') {
		size_t n = 0;
		p++;
		while (*p && *p != '\'') {
			if (n + 1 < sizeof lx->text)
				lx->text[n++] = *p;
			p++;
		}
		if (*p != '\'')
			die("unterminated string", lx->q);
		p++;
		lx->text[n] = '\0';
		lx->t = T_STR;
	} else if (*p == ',' || *p == '(' || *p == ')' || *p == '*') {
		lx->t = *p == ',' ? T_COMMA : *p == '(' ? T_LP :
			*p == ')' ? T_RP : T_STAR;
		p++;
	} else if (*p == '=' || *p == '<' || *p == '>' || *p == '!') {
		char c = *p++;
		lx->t = T_OP;
		if (c == '=') {
			lx->op = C_EQ;
		} else if (c == '!' && *p == '=') {
			lx->op = C_NE;
			p++;
		} else if (c == '<' && *p == '>') {
			lx->op = C_NE;
			p++;
		} else if (c == '<' || c == '>') {
			int eq = *p == '=';
			if (eq)
				p++;
			lx->op = c == '<' ? (eq ? C_LE : C_LT) :
					    (eq ? C_GE : C_GT);
		} else {
			die("bad operator", lx->q);
		}
	} else {
		die("bad character", lx->q);
	}
	lx->p = p;
}

static int is_kw(const struct lexer *lx, const char *kw)
{
	if (lx->t != T_IDENT)
		return 0;
	for (size_t i = 0;; i++) {
		if (toupper((unsigned char)lx->text[i]) != kw[i])
			return 0;
		if (!kw[i])
			return 1;
	}
}

static void expect_kw(struct lexer *lx, const char *kw)
{
	if (!is_kw(lx, kw))
		die(kw, lx->q);
	next(lx);
}

static void expect(struct lexer *lx, enum tok t, const char *what)
{
	if (lx->t != t)
		die(what, lx->q);
	next(lx);
}

/* ---- parser ----------------------------------------------------------- */

enum agg { A_NONE, A_COUNT, A_SUM, A_MIN, A_MAX };

struct colref {
	int side;              /* 0: FROM table, 1: JOIN table */
	int col;
};

struct item {
	enum agg agg;
	struct colref c;
};

struct cond {
	struct colref c;
	enum cmp op;
	struct val lit;
	char str[32];
};

struct query {
	const char *text;
	struct table *tab[2];
	struct colref on[2];
	int nitems;
	struct item item[MAX_ITEMS];
	int nconds;
	struct cond cond[MAX_CONDS];
	int grouped;
	struct colref group;
	int order;             /* item index, -1 = none */
	int desc;
	int64_t limit;         /* -1 = none */
};

/* Resolve "tbl.col" or "col" (first table that has it). */
static struct colref resolve(const struct query *q, const char *name)
{
	const char *dot = strchr(name, '.');
	for (int side = 0; side < 2; side++) {
		const struct table *t = q->tab[side];
		const char *col = name;
		if (!t)
			continue;
		if (dot) {
			size_t n = (size_t)(dot - name);
			if (strlen(t->name) != n || strncmp(t->name, name, n))
				continue;
			col = dot + 1;
		}
		for (int c = 0; c < t->ncols; c++)
			if (!strcmp(t->col[c], col))
				return (struct colref){ side, c };
	}
	die("unknown column", q->text);
	return (struct colref){ 0, 0 };
}

static int col_is_str(const struct query *q, struct colref c)
{
	return q->tab[c.side]->is_str[c.col];
}

static void parse(struct query *q, const char *text)
{
	struct lexer lx = { text, text, T_END, "", 0, C_EQ };
	char names[MAX_ITEMS][32];
	memset(q, 0, sizeof *q);
	q->text = text;
	q->order = -1;
	q->limit = -1;
	next(&lx);
	expect_kw(&lx, "SELECT");
	/* items are resolved once FROM/JOIN are known: keep their names */
	for (;;) {
		struct item *it = &q->item[q->nitems];
		if (q->nitems == MAX_ITEMS)
			die("too many items", text);
		it->agg = is_kw(&lx, "COUNT") ? A_COUNT :
			  is_kw(&lx, "SUM") ? A_SUM :
			  is_kw(&lx, "MIN") ? A_MIN :
			  is_kw(&lx, "MAX") ? A_MAX : A_NONE;
		if (it->agg != A_NONE) {
			next(&lx);
			expect(&lx, T_LP, "(");
			if (it->agg == A_COUNT && lx.t == T_STAR) {
				names[q->nitems][0] = '\0';
				next(&lx);
			} else {
				if (lx.t != T_IDENT)
					die("column", text);
				memcpy(names[q->nitems], lx.text, 32);
				next(&lx);
			}
			expect(&lx, T_RP, ")");
		} else {
			if (lx.t != T_IDENT)
				die("column", text);
			memcpy(names[q->nitems], lx.text, 32);
			next(&lx);
		}
		q->nitems++;
		if (lx.t != T_COMMA)
			break;
		next(&lx);
	}
	expect_kw(&lx, "FROM");
	if (lx.t != T_IDENT || !(q->tab[0] = table_find(lx.text)))
		die("table", text);
	next(&lx);
	if (is_kw(&lx, "JOIN")) {
		next(&lx);
		if (lx.t != T_IDENT || !(q->tab[1] = table_find(lx.text)))
			die("table", text);
		next(&lx);
		expect_kw(&lx, "ON");
		if (lx.t != T_IDENT)
			die("column", text);
		q->on[0] = resolve(q, lx.text);
		next(&lx);
		if (lx.t != T_OP || lx.op != C_EQ)
			die("=", text);
		next(&lx);
		if (lx.t != T_IDENT)
			die("column", text);
		q->on[1] = resolve(q, lx.text);
		next(&lx);
		if (q->on[0].side == q->on[1].side)
			die("join on one table", text);
		if (q->on[0].side == 1) {
			struct colref c = q->on[0];
			q->on[0] = q->on[1];
			q->on[1] = c;
		}
		if (col_is_str(q, q->on[0]) || col_is_str(q, q->on[1]))
			die("join on a string column", text);
	}
	for (int i = 0; i < q->nitems; i++)
		if (names[i][0])
			q->item[i].c = resolve(q, names[i]);
	if (is_kw(&lx, "WHERE")) {
		do {
			struct cond *c = &q->cond[q->nconds];
			next(&lx);
			if (q->nconds == MAX_CONDS)
				die("too many conditions", text);
			if (lx.t != T_IDENT)
				die("column", text);
			c->c = resolve(q, lx.text);
			next(&lx);
			if (lx.t != T_OP)
				die("operator", text);
			c->op = lx.op;
			next(&lx);
			if (lx.t == T_NUM && !col_is_str(q, c->c)) {
				c->lit.i = lx.num;
			} else if (lx.t == T_STR && col_is_str(q, c->c)) {
				memcpy(c->str, lx.text, sizeof c->str);
				c->lit.is_str = 1;
				c->lit.s = c->str;
			} else {
				die("literal", text);
			}
			next(&lx);
			q->nconds++;
		} while (is_kw(&lx, "AND"));
	}
	if (is_kw(&lx, "GROUP")) {
		next(&lx);
		expect_kw(&lx, "BY");
		if (lx.t != T_IDENT)
			die("column", text);
		q->grouped = 1;
		q->group = resolve(q, lx.text);
		next(&lx);
	}
	if (is_kw(&lx, "ORDER")) {
		next(&lx);
		expect_kw(&lx, "BY");
		if (lx.t == T_NUM) {
			q->order = (int)lx.num - 1;
		} else if (lx.t == T_IDENT) {
			struct colref c = resolve(q, lx.text);
			for (int i = 0; i < q->nitems; i++)
				if (q->item[i].agg == A_NONE &&
				    q->item[i].c.side == c.side &&
				    q->item[i].c.col == c.col)
					q->order = i;
		}
		if (q->order < 0 || q->order >= q->nitems)
			die("ORDER BY", text);
		next(&lx);
		if (is_kw(&lx, "DESC")) {
			q->desc = 1;
			next(&lx);
		} else if (is_kw(&lx, "ASC")) {
			next(&lx);
		}
	}
	if (is_kw(&lx, "LIMIT")) {
		next(&lx);
		if (lx.t != T_NUM)
			die("LIMIT", text);
		q->limit = lx.num;
		next(&lx);
	}
	if (lx.t != T_END)
		die("trailing text", text);
}

/* ---- executor --------------------------------------------------------- */

struct result {
	int ncols;
	int nrows, cap;
	struct val *v;         /* nrows * ncols */
};

static struct val *result_row(struct result *r)
{
	if (r->nrows == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->v = realloc(r->v, (size_t)r->cap * (size_t)r->ncols *
					     sizeof *r->v);
		if (!r->v) {
			fprintf(stderr, "sql: out of memory\n");
			exit(1);
		}
	}
	return r->v + (size_t)r->nrows++ * (size_t)r->ncols;
}

static struct val get(const struct query *q, struct colref c, int row[2])
{
	const struct table *t = q->tab[c.side];
	struct val v = { t->is_str[c.col], 0, NULL };
	if (v.is_str)
		v.s = t->sval[c.col][row[c.side]];
	else
		v.i = t->ival[c.col][row[c.side]];
	return v;
}

static int row_passes(const struct query *q, int row[2])
{
	for (int i = 0; i < q->nconds; i++) {
		const struct cond *c = &q->cond[i];
		struct val v = get(q, c->c, row);
		int d = val_cmp(&v, &c->lit), ok;
		switch (c->op) {
		case C_EQ: ok = d == 0; break;
		case C_NE: ok = d != 0; break;
		case C_LT: ok = d < 0; break;
		case C_LE: ok = d <= 0; break;
		case C_GT: ok = d > 0; break;
		default: ok = d >= 0; break;
		}
		if (!ok)
			return 0;
	}
	return 1;
}

struct group {
	int used;
	struct val key;
	struct val acc[MAX_ITEMS];
	int64_t count;
};

struct groups {
	struct group *slot;
	size_t mask, n;
};

static struct group *group_get(struct groups *g, const struct val *key)
{
	if ((g->n + 1) * 4 > (g->mask + 1) * 3) {
		struct groups bigger = { xcalloc((g->mask + 1) * 2,
						 sizeof(struct group)),
					 g->mask * 2 + 1, 0 };
		for (size_t i = 0; i <= g->mask; i++) {
			if (!g->slot[i].used)
				continue;
			size_t j = val_hash(&g->slot[i].key) & bigger.mask;
			while (bigger.slot[j].used)
				j = (j + 1) & bigger.mask;
			bigger.slot[j] = g->slot[i];
			bigger.n++;
		}
		free(g->slot);
		*g = bigger;
	}
	size_t j = val_hash(key) & g->mask;
	while (g->slot[j].used) {
		if (!val_cmp(&g->slot[j].key, key))
			return &g->slot[j];
		j = (j + 1) & g->mask;
	}
	g->slot[j].used = 1;
	g->slot[j].key = *key;
	g->n++;
	return &g->slot[j];
}

static void accumulate(const struct query *q, struct group *g, int row[2])
{
	for (int i = 0; i < q->nitems; i++) {
		const struct item *it = &q->item[i];
		struct val v = { 0, 0, NULL };
		if (it->agg != A_COUNT)
			v = get(q, it->c, row);
		switch (it->agg) {
		case A_NONE:
			if (!g->count)
				g->acc[i] = v;
			break;
		case A_COUNT:
			g->acc[i].i++;
			break;
		case A_SUM:
			g->acc[i].i += v.i;
			break;
		case A_MIN:
		case A_MAX:
			if (!g->count || (it->agg == A_MIN ?
					  val_cmp(&v, &g->acc[i]) < 0 :
					  val_cmp(&v, &g->acc[i]) > 0))
				g->acc[i] = v;
			break;
		}
	}
	g->count++;
}

/* The join index: rows of the JOIN table chained by key bucket. */
struct index {
	int *head, *next;
	uint32_t mask;
};

static void index_build(struct index *ix, const struct table *t, int col)
{
	uint32_t size = 1;
	while (size < (uint32_t)t->nrows * 2)
		size <<= 1;
	ix->mask = size - 1;
	ix->head = xcalloc(size, sizeof(int));
	ix->next = xcalloc((size_t)t->nrows, sizeof(int));
	for (uint32_t i = 0; i < size; i++)
		ix->head[i] = -1;
	for (int r = t->nrows - 1; r >= 0; r--) {
		uint32_t h = (uint32_t)t->ival[col][r] * 2654435761u &
			     ix->mask;
		ix->next[r] = ix->head[h];
		ix->head[h] = r;
	}
}

static const struct query *sort_q;

static int row_cmp(const void *pa, const void *pb)
{
	const struct val *a = pa, *b = pb;
	int o = sort_q->order;
	int d = val_cmp(&a[o], &b[o]);
	if (d)
		return sort_q->desc ? -d : d;
	for (int i = 0; i < sort_q->nitems; i++)
		if ((d = val_cmp(&a[i], &b[i])))
			return d;
	return 0;
}

static void execute(struct result *res, const struct query *q)
{
	int aggregated = q->grouped;
	struct groups g = { NULL, 0, 0 };
	struct index ix = { NULL, NULL, 0 };
	for (int i = 0; i < q->nitems; i++)
		if (q->item[i].agg != A_NONE)
			aggregated = 1;
	if (aggregated) {
		g.slot = xcalloc(16, sizeof(struct group));
		g.mask = 15;
	}
	if (q->tab[1])
		index_build(&ix, q->tab[1], q->on[1].col);
	memset(res, 0, sizeof *res);
	res->ncols = q->nitems;
	const struct table *t0 = q->tab[0];
	for (int r = 0; r < t0->nrows; r++) {
		int row[2] = { r, -1 };
		int key = 0;
		if (q->tab[1]) {
			key = t0->ival[q->on[0].col][r];
			row[1] = ix.head[(uint32_t)key * 2654435761u &
					 ix.mask];
		}
		for (;;) {
			if (q->tab[1]) {
				while (row[1] >= 0 &&
				       q->tab[1]->ival[q->on[1].col][row[1]] !=
					       key)
					row[1] = ix.next[row[1]];
				if (row[1] < 0)
					break;
			}
			if (row_passes(q, row)) {
				if (aggregated) {
					struct val k = { 0, 0, NULL };
					if (q->grouped)
						k = get(q, q->group, row);
					accumulate(q, group_get(&g, &k), row);
				} else {
					struct val *out = result_row(res);
					for (int i = 0; i < q->nitems; i++)
						out[i] = get(q, q->item[i].c,
							     row);
				}
			}
			if (!q->tab[1])
				break;
			row[1] = ix.next[row[1]];
		}
	}
	if (aggregated) {
		for (size_t i = 0; i <= g.mask; i++)
			if (g.slot[i].used)
				memcpy(result_row(res), g.slot[i].acc,
				       (size_t)q->nitems * sizeof(struct val));
		if (!q->grouped && !g.n) {
			/* an aggregate over no rows is one row of zeros */
			struct val *out = result_row(res);
			memset(out, 0, (size_t)q->nitems * sizeof *out);
		}
	}
	if (q->order >= 0 || aggregated) {
		struct query tmp;
		if (q->order < 0) {
			/* hash order is not an order: sort on item 1 */
			tmp = *q;
			tmp.order = 0;
			q = &tmp;
		}
		sort_q = q;
		qsort(res->v, (size_t)res->nrows,
		      (size_t)res->ncols * sizeof(struct val), row_cmp);
	}
	if (q->limit >= 0 && res->nrows > q->limit)
		res->nrows = (int)q->limit;
	free(g.slot);
	free(ix.head);
	free(ix.next);
}

static uint64_t result_hash(const struct result *r)
{
	uint64_t h = (uint64_t)r->nrows;
	for (int i = 0; i < r->nrows * r->ncols; i++)
		h = h * 31 + val_hash(&r->v[i]);
	return h;
}

static void result_print(const struct result *r, int max_rows)
{
	for (int i = 0; i < r->nrows && i < max_rows; i++) {
		printf("  ");
		for (int c = 0; c < r->ncols; c++) {
			const struct val *v = &r->v[i * r->ncols + c];
			if (v->is_str)
				printf(" %s", v->s);
			else
				printf(" %lld", (long long)v->i);
		}
		printf("\n");
	}
}

static const char *const templates[] = {
	"SELECT k, SUM(v), COUNT(*) FROM t WHERE v > %d GROUP BY k "
	"ORDER BY 2 DESC",
	"SELECT name, SUM(v), MAX(w) FROM t JOIN u ON t.id = u.id "
	"WHERE v > %d GROUP BY name ORDER BY name",
	"SELECT k, SUM(v) FROM t JOIN u ON t.id = u.id WHERE w < %d "
	"AND v >= 100 GROUP BY k ORDER BY 2 DESC LIMIT 5",
	"SELECT t.id, v, w FROM t JOIN u ON t.id = u.id WHERE v = %d "
	"ORDER BY w DESC LIMIT 20",
	"SELECT COUNT(*), SUM(w), MIN(v), MAX(k) FROM t JOIN u "
	"ON t.id = u.id WHERE name = 'delta' AND v < %d",
	"SELECT u.id, COUNT(*), SUM(v) FROM u JOIN t ON u.id = t.id "
	"WHERE w > %d GROUP BY u.id ORDER BY 3 DESC LIMIT 10",
	"SELECT name, k, v FROM u JOIN t ON id = t.id WHERE v <= %d "
	"AND name != 'pi' ORDER BY v LIMIT 25",
};

enum { NTEMPL = sizeof templates / sizeof templates[0], ROUNDS = 24 };

int main(void)
{
	tables_build();
	uint64_t total = 0;
	long rows = 0;
	for (int tq = 0; tq < NTEMPL; tq++) {
		uint64_t h = 0;
		long n = 0;
		for (int round = 0; round < ROUNDS; round++) {
			char text[256];
			struct query q;
			struct result r;
			int arg = tq == 2 || tq == 5 ?
					  (round * 1637 + 500) % 10000 :
					  (round * 149 + 40) % 1000;
			snprintf(text, sizeof text, templates[tq], arg);
			parse(&q, text);
			execute(&r, &q);
			h = h * 1000003u ^ result_hash(&r);
			n += r.nrows;
			if (round == 1) {
				printf("%s\n", text);
				result_print(&r, 3);
			}
			free(r.v);
		}
		printf("query %d: rows=%ld hash=%016llx\n", tq, n,
		       (unsigned long long)h);
		total = total * 31 + h;
		rows += n;
	}
	printf("queries=%d rows=%ld checksum=%016llx\n", NTEMPL * ROUNDS,
	       rows, (unsigned long long)total);
	return 0;
}

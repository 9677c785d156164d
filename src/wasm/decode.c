/* SPDX-License-Identifier: MIT */
/*
 * wasm/decode.c - the binary format: sections into a bn_wasm_module.
 *
 * Reads with a cursor and an end pointer; every count from input is checked
 * against the bytes left before anything is allocated.  Function bodies are
 * only delimited here; translate.c decodes their instructions.  Module-level
 * validation is in validate.c.
 * Spec: Core 2.0, chapter 5 (Binary Format).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_int.h"

#define MAL BN_WASM_EMALFORMED

int bn_wasm__errf(bn_wasm_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && err->msg[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

/* An LEB128 integer of BITS, stored to OUT: a 32-bit integer when BITS is
   32, else a 64-bit one (the s33 of block types too). */
static int read_leb(void *out, const uint8_t **pp, const uint8_t *end,
		    unsigned bits, bool sign)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;
	unsigned shift = 0;
	unsigned maxbytes = (bits + 6) / 7;
	uint8_t b;

	for (unsigned i = 0;; i++) {
		if (1 > end - p)
			return -1;  /* unexpected end */
		b = *p++;
		if (i == maxbytes - 1) {
			/* last byte: no continuation, unused bits must be
			 * zero (unsigned) or the sign extension (signed) */
			unsigned used = bits - shift;
			if (b & 0x80)
				return -2;
			if (!sign) {
				if (used < 7 && (b >> used) != 0)
					return -2;
			} else if (used < 7) {
				int8_t rest = (int8_t)(b << 1) >> used;
				/* bits from used-1 .. 6 must all be equal */
				uint8_t hi = (uint8_t)(b & 0x7f) >> (used - 1);
				uint8_t all = (uint8_t)(0x7f >> (used - 1));
				(void)rest;
				if (hi != 0 && hi != all)
					return -2;
			}
			v |= (uint64_t)(b & 0x7f) << shift;
			shift += 7;
			break;
		}
		v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	if (sign && shift < 64 && (b & 0x40))
		v |= ~(uint64_t)0 << shift;
	if (bits == 32) {
		uint32_t v32 = (uint32_t)v;

		memcpy(out, &v32, sizeof(v32));
	} else {
		memcpy(out, &v, sizeof(v));
	}
	*pp = p;
	return 0;
}

int bn_wasm__read_u32(uint32_t *out, const uint8_t **p, const uint8_t *end)
{
	return read_leb(out, p, end, 32, false);
}

int bn_wasm__read_s32(int32_t *out, const uint8_t **p, const uint8_t *end)
{
	return read_leb(out, p, end, 32, true);
}

int bn_wasm__read_s33(int64_t *out, const uint8_t **p, const uint8_t *end)
{
	return read_leb(out, p, end, 33, true);
}

int bn_wasm__read_s64(int64_t *out, const uint8_t **p, const uint8_t *end)
{
	return read_leb(out, p, end, 64, true);
}

bool bn_wasm__is_reftype(uint8_t t)
{
	return t == BN_WASM_FUNCREF || t == BN_WASM_EXTERNREF;
}

bool bn_wasm__is_valtype(uint8_t t)
{
	return t == BN_WASM_I32 || t == BN_WASM_I64 || t == BN_WASM_F32 ||
	       t == BN_WASM_F64 || t == BN_WASM_V128 || bn_wasm__is_reftype(t);
}

const char *bn_wasm__type_name(uint8_t t)
{
	switch (t) {
	case BN_WASM_I32: return "i32";
	case BN_WASM_I64: return "i64";
	case BN_WASM_F32: return "f32";
	case BN_WASM_F64: return "f64";
	case BN_WASM_V128: return "v128";
	case BN_WASM_FUNCREF: return "funcref";
	case BN_WASM_EXTERNREF: return "externref";
	default: return "?";
	}
}

/* Decoding state: cursor, end, module, error. */
typedef struct rd {
	const uint8_t *p;
	const uint8_t *end;
	bn_wasm_module *m;
	bn_wasm_err *err;
} rd;

static int leb_err(rd *r, int e)
{
	if (e == -1)
		return bn_wasm__errf(r->err, MAL, "unexpected end");
	return bn_wasm__errf(r->err, MAL, "integer representation too long "
			     "or integer too large");
}

static int u32(rd *r, uint32_t *out)
{
	int e = bn_wasm__read_u32(out, &r->p, r->end);

	return e ? leb_err(r, e) : 0;
}

static int byte(rd *r, uint8_t *out)
{
	if (1 > r->end - r->p)
		return bn_wasm__errf(r->err, MAL, "unexpected end");
	*out = *r->p++;
	return 0;
}

/* A vector count, checked against the bytes left (each item >= MIN). */
static int count(rd *r, uint32_t *out, size_t min_item_bytes)
{
	int e = u32(r, out);

	if (e)
		return e;
	if (min_item_bytes && (uint64_t)*out * min_item_bytes >
	    (uint64_t)(r->end - r->p))
		return bn_wasm__errf(r->err, MAL, "unexpected end: count %u "
				     "too large", *out);
	if (*out > BN_WASM_MAX_ITEMS)
		return bn_wasm__errf(r->err, MAL, "count %u too large", *out);
	return 0;
}

static void *alloc_array(size_t n, size_t size)
{
	if (n == 0)
		n = 1;
	return calloc(n, size);
}

static bool utf8_ok(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i];
		uint32_t cp;
		size_t len;

		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			len = 2; cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3; cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4; cp = c & 0x07;
		} else {
			return false;
		}
		if (len > n - i)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

static int name_n(rd *r, char **out, uint32_t *len_out)
{
	uint32_t n;
	int e = u32(r, &n);
	char *s;

	if (e)
		return e;
	if (n > r->end - r->p)
		return bn_wasm__errf(r->err, MAL, "unexpected end: name");
	if (!utf8_ok(r->p, n))
		return bn_wasm__errf(r->err, MAL, "malformed UTF-8 encoding");
	if (!out) {
		r->p += n;
		return 0;
	}
	s = malloc((size_t)n + 1);
	if (!s)
		return -ENOMEM;
	memcpy(s, r->p, n);
	s[n] = '\0';
	r->p += n;
	*out = s;
	if (len_out)
		*len_out = n;
	return 0;
}

static int name(rd *r, char **out)
{
	return name_n(r, out, NULL);
}

static int valtype(rd *r, uint8_t *out)
{
	int e = byte(r, out);

	if (e)
		return e;
	if (!bn_wasm__is_valtype(*out))
		return bn_wasm__errf(r->err, MAL,
				     "malformed value type 0x%02x", *out);
	return 0;
}

static int reftype(rd *r, uint8_t *out)
{
	int e = byte(r, out);

	if (e)
		return e;
	if (!bn_wasm__is_reftype(*out))
		return bn_wasm__errf(r->err, MAL, "malformed reference type");
	return 0;
}

static int limits(rd *r, bn_wasm__limits *out)
{
	uint8_t flag = 0;
	int e = byte(r, &flag);

	if (e)
		return e;
	if (flag > 1)
		return bn_wasm__errf(r->err, MAL, "integer too large: limits "
				     "flag 0x%02x", flag);
	e = u32(r, &out->min);
	if (e)
		return e;
	out->max = UINT32_MAX;
	out->has_max = flag == 1;
	if (flag == 1) {
		e = u32(r, &out->max);
		if (e)
			return e;
	}
	return 0;
}

static int tabletype(rd *r, bn_wasm__tabletype *out)
{
	int e = reftype(r, &out->elem);

	return e ? e : limits(r, &out->lim);
}

static int globaltype(rd *r, bn_wasm__globaltype *out)
{
	uint8_t mut = 0;
	int e = valtype(r, &out->type);

	if (e)
		return e;
	e = byte(r, &mut);
	if (e)
		return e;
	if (mut > 1)
		return bn_wasm__errf(r->err, MAL, "malformed mutability");
	out->mut = mut;
	return 0;
}

/* Is B the first byte of some instruction (Core 2.0, 5.4)? */
static bool is_opcode(uint8_t b)
{
	return b <= 0x05 || (b >= 0x0b && b <= 0x11) ||
	       (b >= 0x1a && b <= 0x1c) || (b >= 0x20 && b <= 0x26) ||
	       (b >= 0x28 && b <= 0xc4) || (b >= 0xd0 && b <= 0xd2) ||
	       b == 0xfc || b == 0xfd;
}

/* A signed integer of BITS into a constant's cell (an i32 zero-extended,
   as the engine keeps it). */
static int const_int(rd *r, uint64_t *cell, unsigned bits)
{
	int32_t s32 = 0;
	int64_t s64 = 0;
	int e = bits == 32 ? bn_wasm__read_s32(&s32, &r->p, r->end) :
			     bn_wasm__read_s64(&s64, &r->p, r->end);

	if (e)
		return leb_err(r, e);
	*cell = bits == 32 ? (uint32_t)s32 : (uint64_t)s64;
	return 0;
}

/* N bytes of a little-endian float or vector into CELLS. */
static int const_bytes(rd *r, uint64_t *cells, unsigned n)
{
	if (n > r->end - r->p)
		return bn_wasm__errf(r->err, MAL, "unexpected end");
	for (unsigned i = n; i-- > 0;)
		cells[i / 8] = cells[i / 8] << 8 | r->p[i];
	r->p += n;
	return 0;
}

/* A constant expression: one instruction and `end` (typed later). */
static int const_expr(rd *r, bn_wasm__const *c)
{
	uint8_t op = 0;
	uint32_t sub;
	int e = byte(r, &op);

	if (e)
		return e;
	memset(c, 0, sizeof(*c));
	switch (op) {
	case 0x41:
		c->type = BN_WASM_I32;
		e = const_int(r, &c->v[0], 32);
		break;
	case 0x42:
		c->type = BN_WASM_I64;
		e = const_int(r, &c->v[0], 64);
		break;
	case 0x43:
		c->type = BN_WASM_F32;
		e = const_bytes(r, c->v, 4);
		break;
	case 0x44:
		c->type = BN_WASM_F64;
		e = const_bytes(r, c->v, 8);
		break;
	case 0xfd:
		e = u32(r, &sub);
		if (e)
			return e;
		if (sub != 12)
			return bn_wasm__errf(r->err, BN_WASM_EINVALID,
					     "constant expression required");
		c->type = BN_WASM_V128;
		e = const_bytes(r, c->v, 16);
		break;
	case 0xd0:
		c->kind = BN_CONST_REF_NULL;
		e = reftype(r, &c->type);
		break;
	case 0xd2: case 0x23:
		/* ref.func, global.get (its type known once validated) */
		c->kind = op == 0xd2 ? BN_CONST_REF_FUNC : BN_CONST_GLOBAL;
		c->type = op == 0xd2 ? BN_WASM_FUNCREF : 0;
		e = u32(r, &c->idx);
		break;
	case 0x0b:
		return bn_wasm__errf(
			r->err, BN_WASM_EINVALID,
			"type mismatch: empty constant expression");
	default:
		if (!is_opcode(op))
			return bn_wasm__errf(r->err, MAL, "illegal opcode");
		return bn_wasm__errf(r->err, BN_WASM_EINVALID,
				     "constant expression required");
	}
	if (!e)
		e = byte(r, &op);
	if (e)
		return e;
	if (op != 0x0b) {
		/* a second instruction: not constant, or a type error */
		return bn_wasm__errf(r->err, BN_WASM_EINVALID,
				     "constant expression required");
	}
	return 0;
}

/* Grow *ARR of HAVE items of SIZE by N zeroed ones. */
static int grow(void **arr, uint32_t have, uint32_t n, size_t size)
{
	size_t total = (size_t)have + n;
	void *p;

	if (total == 0)
		total = 1;
	p = realloc(*arr, total * size);
	if (!p)
		return -ENOMEM;
	memset((char *)p + (size_t)have * size, 0, (size_t)n * size);
	*arr = p;
	return 0;
}

/*
 * The count of a vector (items of at least MIN bytes) and room for it,
 * zeroed, in *ARR of items of SIZE after the *HAVE there already (the
 * imports of an index space): *HAVE grows to hold it, and *FIRST is where
 * its items go.
 */
static int vec_open(rd *r, size_t min, void **arr, uint32_t *have,
		    size_t size, uint32_t *first)
{
	uint32_t n;
	int e = count(r, &n, min);

	if (!e)
		e = grow(arr, *have, n, size);
	if (e)
		return e;
	*first = *have;
	*have += n;
	return 0;
}

/* A vector section whose Ith item ITEM reads into the module; OPENED, if
   any, runs once the count is known, before the items. */
static int vec(rd *r, size_t min, void **arr, uint32_t *have, size_t size,
	       int (*opened)(rd *r), int (*item)(rd *r, uint32_t i))
{
	uint32_t i;
	int e = vec_open(r, min, arr, have, size, &i);

	if (!e && opened)
		e = opened(r);
	while (!e && i < *have)
		e = item(r, i++);
	return e;
}

static int type_item(rd *r, uint32_t i)
{
	bn_wasm__type *t = &r->m->types[i];
	uint8_t form = 0;
	uint32_t np, nr;
	const uint8_t *save;
	int e = byte(r, &form);

	if (e)
		return e;
	if (form != 0x60)
		return bn_wasm__errf(r->err, MAL, "integer representation"
				     " too long: malformed functype");
	e = count(r, &np, 1);
	if (e)
		return e;
	save = r->p;
	r->p += np;
	e = count(r, &nr, 1);
	if (e)
		return e;
	t->types = alloc_array((size_t)np + nr, 1);
	if (!t->types)
		return -ENOMEM;
	t->nparams = np;
	t->nresults = nr;
	memcpy(t->types, save, np);
	memcpy(t->types + np, r->p, nr);
	r->p += nr;
	for (uint32_t k = 0; k < np + nr; k++) {
		if (!bn_wasm__is_valtype(t->types[k]))
			return bn_wasm__errf(r->err, MAL,
					     "malformed value type");
		if (k < np)
			t->param_cells += bn_wasm__cells(t->types[k]);
		else
			t->result_cells += bn_wasm__cells(t->types[k]);
	}
	return 0;
}

static int func_item(rd *r, uint32_t i)
{
	return u32(r, &r->m->func_type[i]);
}

static int table_item(rd *r, uint32_t i)
{
	return tabletype(r, &r->m->tables[i]);
}

static int memory_item(rd *r, uint32_t i)
{
	return limits(r, &r->m->mems[i]);
}

static int globaltype_item(rd *r, uint32_t i)
{
	return globaltype(r, &r->m->globals[i]);
}

static int sec_import(rd *r)
{
	bn_wasm_module *m = r->m;
	/* by bn_wasm_extern_kind */
	uint32_t *const space[] = { &m->nfuncs, &m->ntables, &m->nmems,
				    &m->nglobals };
	int (*const item[])(rd *r, uint32_t i) = {
		func_item, table_item, memory_item, globaltype_item,
	};
	uint32_t n;
	int e = count(r, &n, 4);

	if (e)
		return e;
	m->imports = alloc_array(n, sizeof(*m->imports));
	m->func_type = alloc_array(n, sizeof(uint32_t));
	m->tables = alloc_array(n, sizeof(*m->tables));
	m->mems = alloc_array(n, sizeof(*m->mems));
	m->globals = alloc_array(n, sizeof(*m->globals));
	if (!m->imports || !m->func_type || !m->tables || !m->mems ||
	    !m->globals)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		bn_wasm__import *im = &m->imports[i];

		m->nimports = i + 1;
		e = name(r, &im->module);
		if (!e)
			e = name(r, &im->name);
		if (!e)
			e = byte(r, &im->kind);
		if (e)
			return e;
		if (im->kind > BN_WASM_EXTERN_GLOBAL)
			return bn_wasm__errf(r->err, MAL,
					     "malformed import kind");
		/* the next index of its kind's space */
		im->idx = (*space[im->kind])++;
		e = item[im->kind](r, im->idx);
		if (e)
			return e;
	}
	m->nfunc_imports = m->nfuncs;
	m->ntable_imports = m->ntables;
	m->nmem_imports = m->nmems;
	m->nglobal_imports = m->nglobals;
	return 0;
}

/* The function section: each defined function's code entry. */
static int codes_open(rd *r)
{
	bn_wasm_module *m = r->m;

	m->codes = alloc_array(m->nfuncs - m->nfunc_imports,
			       sizeof(*m->codes));
	if (!m->codes)
		return -ENOMEM;
	m->ncodes = m->nfuncs - m->nfunc_imports;
	return 0;
}

/* The global section: each global's initializer (imports' unused). */
static int inits_open(rd *r)
{
	bn_wasm_module *m = r->m;

	m->global_init = alloc_array(m->nglobals, sizeof(*m->global_init));
	return m->global_init ? 0 : -ENOMEM;
}

static int global_item(rd *r, uint32_t i)
{
	int e = globaltype_item(r, i);

	return e ? e : const_expr(r, &r->m->global_init[i]);
}

static int export_item(rd *r, uint32_t i)
{
	bn_wasm__export *ex = &r->m->exports[i];
	int e = name_n(r, &ex->name, &ex->name_len);

	if (!e)
		e = byte(r, &ex->kind);
	if (e)
		return e;
	if (ex->kind > BN_WASM_EXTERN_GLOBAL)
		return bn_wasm__errf(r->err, MAL, "malformed export kind");
	return u32(r, &ex->idx);
}

/* An element segment's items: function indices, or (EXPRS) constant
   expressions. */
static int elem_init(rd *r, bn_wasm__elem *el, bool exprs)
{
	uint32_t i;
	int e = vec_open(r, exprs ? 2 : 1, (void **)&el->init, &el->n,
			 sizeof(*el->init), &i);

	for (; !e && i < el->n; i++) {
		if (exprs) {
			e = const_expr(r, &el->init[i]);
		} else {
			el->init[i].kind = BN_CONST_REF_FUNC;
			el->init[i].type = BN_WASM_FUNCREF;
			e = u32(r, &el->init[i].idx);
		}
	}
	return e;
}

/* A segment's leading flags, at most MAX. */
static int seg_flags(rd *r, uint32_t *flags, uint32_t max, const char *what)
{
	int e = u32(r, flags);

	if (!e && *flags > max)
		return bn_wasm__errf(r->err, MAL, "malformed %s segment kind",
				     what);
	return e;
}

static int elem_item(rd *r, uint32_t i)
{
	bn_wasm__elem *el = &r->m->elems[i];
	uint32_t flags;
	uint8_t kind = 0;
	int e = seg_flags(r, &flags, 7, "elements");

	if (e)
		return e;
	el->type = BN_WASM_FUNCREF;
	if (flags & 1)
		el->mode = (flags & 2) ? BN_SEG_DECLARATIVE : BN_SEG_PASSIVE;
	else
		el->mode = BN_SEG_ACTIVE;
	if (!(flags & 1) && (flags & 2))
		e = u32(r, &el->table);
	if (!e && !(flags & 1))
		e = const_expr(r, &el->offset);
	if (!e && (flags & 3))
		e = byte(r, &kind);  /* elemkind or reftype */
	if (e)
		return e;
	if ((flags & 3) && (flags & 4)) {
		if (!bn_wasm__is_reftype(kind))
			return bn_wasm__errf(r->err, MAL,
					     "malformed reference type");
		el->type = kind;
	} else if (kind != 0) {
		return bn_wasm__errf(r->err, MAL, "malformed element kind");
	}
	return elem_init(r, el, flags & 4);
}

static int sec_datacount(rd *r)
{
	int e = u32(r, &r->m->datacount);

	r->m->has_datacount = true;
	return e;
}

static int sec_code(rd *r, size_t sec_start)
{
	bn_wasm_module *m = r->m;
	uint32_t n;
	int e = count(r, &n, 2);

	if (e)
		return e;
	if (n != m->ncodes)
		return bn_wasm__errf(r->err, MAL, "function and code section "
				     "have inconsistent lengths");
	m->code_sec_start = sec_start;
	for (uint32_t i = 0; i < n; i++) {
		bn_wasm__code *c = &m->codes[i];
		uint32_t size;

		e = u32(r, &size);
		if (e)
			return e;
		if (size > r->end - r->p)
			return bn_wasm__errf(r->err, MAL,
					     "unexpected end: code");
		c->body = r->p;
		c->body_len = size;
		c->body_offset = (uint32_t)(r->p - m->bytes - sec_start);
		r->p += size;
	}
	return 0;
}

static int data_item(rd *r, uint32_t i)
{
	bn_wasm__data *d = &r->m->datas[i];
	uint32_t flags;
	int e = seg_flags(r, &flags, 2, "data");

	if (e)
		return e;
	d->mode = flags == 1 ? BN_SEG_PASSIVE : BN_SEG_ACTIVE;
	if (flags == 2)
		e = u32(r, &d->mem);
	if (!e && flags != 1)
		e = const_expr(r, &d->offset);
	if (!e)
		e = u32(r, &d->len);
	if (e)
		return e;
	if (d->len > r->end - r->p)
		return bn_wasm__errf(r->err, MAL, "unexpected end of "
				     "section or function: data");
	d->bytes = r->p;
	r->p += d->len;
	return 0;
}

/* The data section: its count against the data count section's. */
static int datas_open(rd *r)
{
	bn_wasm_module *m = r->m;

	if (m->has_datacount && m->ndatas != m->datacount)
		return bn_wasm__errf(r->err, MAL,
				     "data count and data section "
				     "have inconsistent lengths");
	return 0;
}

/* Section order rank; custom sections (0) may appear anywhere. */
static int rank(uint8_t id)
{
	static const int8_t order[13] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10,
	};
	return order[id];
}

static int section(rd *r, uint8_t id, size_t sec_start)
{
	bn_wasm_module *m = r->m;

	switch (id) {
	case 0: return name(r, NULL) ? bn_wasm__errf(r->err, MAL,
				"malformed custom section name") : 0;
	case 1: return vec(r, 3, (void **)&m->types, &m->ntypes,
			   sizeof(*m->types), NULL, type_item);
	case 2: return sec_import(r);
	case 3: return vec(r, 1, (void **)&m->func_type, &m->nfuncs,
			   sizeof(uint32_t), codes_open, func_item);
	case 4: return vec(r, 3, (void **)&m->tables, &m->ntables,
			   sizeof(*m->tables), NULL, table_item);
	case 5: return vec(r, 2, (void **)&m->mems, &m->nmems,
			   sizeof(*m->mems), NULL, memory_item);
	case 6: return vec(r, 3, (void **)&m->globals, &m->nglobals,
			   sizeof(*m->globals), inits_open, global_item);
	case 7: return vec(r, 3, (void **)&m->exports, &m->nexports,
			   sizeof(*m->exports), NULL, export_item);
	case 8: m->has_start = true; return u32(r, &m->start);
	case 9: return vec(r, 1, (void **)&m->elems, &m->nelems,
			   sizeof(*m->elems), NULL, elem_item);
	case 10: return sec_code(r, sec_start);
	case 11: return vec(r, 1, (void **)&m->datas, &m->ndatas,
			    sizeof(*m->datas), datas_open, data_item);
	case 12: return sec_datacount(r);
	default:
		return bn_wasm__errf(r->err, MAL, "malformed section id %u",
				     id);
	}
}

int bn_wasm__decode(bn_wasm_module *m, bn_wasm_err *err)
{
	static const uint8_t head[8] = { 0, 'a', 's', 'm', 1, 0, 0, 0 };
	rd r = { m->bytes, m->bytes + m->len, m, err };
	int last = 0;
	bool saw_code = false;
	int e;

	if (m->len < 4 || memcmp(m->bytes, head, 4) != 0)
		return bn_wasm__errf(err, MAL, "magic header not detected");
	if (m->len < 8 || memcmp(m->bytes + 4, head + 4, 4) != 0)
		return bn_wasm__errf(err, MAL, "unknown binary version");
	r.p += 8;
	while (r.p < r.end) {
		uint8_t id = *r.p++;
		uint32_t size;
		const uint8_t *end;

		if (id > 12)
			return bn_wasm__errf(err, MAL, "malformed section id");
		e = u32(&r, &size);
		if (e)
			return e;
		if (size > r.end - r.p)
			return bn_wasm__errf(err, MAL,
					     "unexpected end: section "
					     "size mismatch");
		if (id != 0) {
			if (rank(id) <= last)
				return bn_wasm__errf(
					err, MAL,
					"unexpected "
					"content after last section"
					" (junk or out of order)");
			last = rank(id);
		}
		end = r.p + size;
		{
			rd sub = { r.p, end, m, err };

			e = section(&sub, id, (size_t)(r.p - m->bytes));
			if (e)
				return e;
			if (id != 0 && sub.p != end)
				return bn_wasm__errf(err, MAL,
						     "section size mismatch");
		}
		if (id == 10)
			saw_code = true;
		r.p = end;
	}
	if (m->ncodes && !saw_code)
		return bn_wasm__errf(err, MAL,
				     "function and code section have "
				     "inconsistent lengths");
	if (m->has_datacount && m->datacount != m->ndatas)
		return bn_wasm__errf(err, MAL, "data count and data section "
				     "have inconsistent lengths");
	return 0;
}

void bn_wasm__module_clear(bn_wasm_module *m)
{
	for (uint32_t i = 0; i < m->ntypes; i++)
		free(m->types[i].types);
	free(m->types);
	for (uint32_t i = 0; i < m->nimports; i++) {
		free(m->imports[i].module);
		free(m->imports[i].name);
	}
	free(m->imports);
	free(m->func_type);
	free(m->tables);
	free(m->mems);
	free(m->globals);
	free(m->global_init);
	for (uint32_t i = 0; i < m->nexports; i++)
		free(m->exports[i].name);
	free(m->exports);
	for (uint32_t i = 0; i < m->nelems; i++)
		free(m->elems[i].init);
	free(m->elems);
	free(m->datas);
	for (uint32_t i = 0; i < m->ncodes; i++) {
		free(m->codes[i].local_types);
		free(m->codes[i].local_cell);
		free(m->codes[i].code);
		free(m->codes[i].map);
	}
	free(m->codes);
	bn_wasm__jit_free(m);
	free(m->func_ref_ok);
	free(m->bytes);
}

/* SPDX-License-Identifier: MIT */
/*
 * wasm/instance.c - modules, stores, host objects, linking and
 * instantiation, and calls from the host: the public API of wasm.h that is
 * not decoding or execution.
 *
 * Everything a store makes is kept on one of its lists and freed with it.
 * Instantiation follows Core 2.0 section 4.5.4: imports are checked first
 * (nothing happens if one does not match), then element and data segments
 * are applied in order (a trap leaves earlier effects in place), then the
 * start function runs.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "wasm_int.h"

/* ---- modules ------------------------------------------------------------ */

int bn_wasm_module_new(bn_wasm_module **out, const uint8_t *bytes,
		       size_t len, bn_wasm_err *err)
{
	bn_wasm_module *m;
	int e;

	if (err)
		err->msg[0] = '\0';
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->bytes = malloc(len ? len : 1);
	if (!m->bytes) {
		free(m);
		return -ENOMEM;
	}
	if (len)
		memcpy(m->bytes, bytes, len);
	m->len = len;
	e = bn_wasm__decode(m, err);
	if (!e)
		e = bn_wasm__validate_module(m, err);
	for (uint32_t i = 0; !e && i < m->ncodes; i++)
		e = bn_wasm__translate(m, i, err);
	/* machine code where possible; without it the interpreter runs */
	if (!e)
		(void)bn_wasm__jit_compile(m);
	if (e) {
		if (e == -ENOMEM)
			bn_wasm__errf(err, e, "out of memory");
		bn_wasm_module_free(m);
		return e;
	}
	*out = m;
	return 0;
}

void bn_wasm_module_free(bn_wasm_module *m)
{
	if (!m)
		return;
	bn_wasm__module_clear(m);
	free(m);
}

size_t bn_wasm_module_import_count(const bn_wasm_module *m)
{
	return m->nimports;
}

void bn_wasm_module_import(bn_wasm_import_desc *out,
			   const bn_wasm_module *m, size_t i)
{
	const bn_wasm__import *im = &m->imports[i];

	memset(out, 0, sizeof(*out));
	out->module = im->module;
	out->name = im->name;
	out->kind = im->kind;
	if (im->kind == BN_WASM_EXTERN_FUNC) {
		const bn_wasm__type *t = &m->types[m->func_type[im->idx]];

		out->func.nparams = t->nparams;
		out->func.nresults = t->nresults;
		out->func.params = t->types;
		out->func.results = t->types + t->nparams;
	}
}

size_t bn_wasm_module_export_count(const bn_wasm_module *m)
{
	return m->nexports;
}

const char *bn_wasm_module_export(const bn_wasm_module *m, size_t i,
				  uint8_t *kind_out)
{
	if (kind_out)
		*kind_out = m->exports[i].kind;
	return m->exports[i].name;
}

/* ---- stores ------------------------------------------------------------- */

int bn_wasm_store_new(bn_wasm_store **out, const bn_wasm_limits *limits)
{
	static const bn_wasm_limits dflt = BN_WASM_LIMITS_INIT;
	bn_wasm_store *s = calloc(1, sizeof(*s));
	size_t bytes;

	if (!s)
		return -ENOMEM;
	s->limits = limits ? *limits : dflt;
	if (s->limits.max_call_depth == 0)
		s->limits.max_call_depth = dflt.max_call_depth;
	if (s->limits.max_stack_cells == 0)
		s->limits.max_stack_cells = dflt.max_stack_cells;
	if (s->limits.max_table_elems == 0)
		s->limits.max_table_elems = dflt.max_table_elems;
	if (s->limits.max_memory_bytes == 0)
		s->limits.max_memory_bytes = dflt.max_memory_bytes;
	s->fuel_limit = s->limits.fuel ? s->limits.fuel : UINT64_MAX;
	atomic_init(&s->interrupt, false);
	s->frames = calloc((size_t)s->limits.max_call_depth + 1,
			   sizeof(*s->frames));
	s->stack_cells = s->limits.max_stack_cells;
	bytes = s->stack_cells * sizeof(uint64_t);
	s->stack = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (s->stack == MAP_FAILED)
		s->stack = NULL;
	if (!s->frames || !s->stack) {
		bn_wasm_store_free(s);
		return -ENOMEM;
	}
	s->stack_top = s->stack;
	*out = s;
	return 0;
}

void bn_wasm_store_free(bn_wasm_store *s)
{
	if (!s)
		return;
	while (s->funcs) {
		bn_wasm_func *n = s->funcs->next;

		free(s->funcs->own_type.types);
		free(s->funcs);
		s->funcs = n;
	}
	while (s->mems) {
		bn_wasm_memory *n = s->mems->next;

		if (s->mems->reserved)
			munmap(s->mems->data, (size_t)s->mems->reserved);
		else
			free(s->mems->data);
		free(s->mems);
		s->mems = n;
	}
	while (s->tables) {
		bn_wasm_table *n = s->tables->next;

		free(s->tables->elems);
		free(s->tables);
		s->tables = n;
	}
	while (s->globals) {
		bn_wasm_global *n = s->globals->next;

		free(s->globals);
		s->globals = n;
	}
	while (s->instances) {
		bn_wasm_instance *n = s->instances->next;
		bn_wasm_instance *i = s->instances;

		if (i->elem_refs)
			for (uint32_t k = 0; k < i->module->nelems; k++)
				free(i->elem_refs[k]);
		free(i->elem_refs);
		free(i->elem_len);
		free(i->data_dropped);
		free(i->funcs);
		free(i->tables);
		free(i->mems);
		free(i->globals);
		free(i);
		s->instances = n;
	}
	if (s->stack)
		munmap(s->stack, s->stack_cells * sizeof(uint64_t));
	free(s->frames);
	free(s);
}

uint64_t bn_wasm_store_fuel_used(const bn_wasm_store *s)
{
	return s->fuel_used;
}

void bn_wasm_store_set_fuel(bn_wasm_store *s, uint64_t fuel)
{
	s->limits.fuel = fuel;
	s->fuel_used = 0;
	s->fuel_limit = fuel ? fuel : UINT64_MAX;
}

uint64_t bn_wasm_store_memory_peak(const bn_wasm_store *s)
{
	return s->mem_peak;
}

uint64_t bn_wasm_store_memory_refused(const bn_wasm_store *s)
{
	return s->mem_refused;
}

void bn_wasm_store_interrupt(bn_wasm_store *s)
{
	atomic_store(&s->interrupt, true);
}

/* ---- host objects ------------------------------------------------------- */

bn_wasm_store *bn_wasm_caller_store(bn_wasm_caller *c)
{
	return c->store;
}

bn_wasm_memory *bn_wasm_caller_memory(bn_wasm_caller *c)
{
	if (!c->inst || !c->inst->mems)
		return NULL;
	return c->inst->mems[0];
}

int bn_wasm_caller_trap(bn_wasm_caller *c, const char *fmt, ...)
{
	va_list ap;

	if (c->trap) {
		c->trap->kind = BN_WASM_TRAP_HOST;
		c->trap->func_index = UINT32_MAX;
		c->trap->code_offset = 0;
		va_start(ap, fmt);
		vsnprintf(c->trap->msg, sizeof(c->trap->msg), fmt, ap);
		va_end(ap);
	}
	return BN_WASM_ETRAP;
}

int bn_wasm_caller_exit(bn_wasm_caller *c, int status)
{
	if (c->trap) {
		bn_wasm__trap_set(c->trap, BN_WASM_TRAP_EXIT, "exit");
		c->trap->exit_code = status;
	}
	return BN_WASM_ETRAP;
}

int bn_wasm_func_new_host(bn_wasm_func **out, bn_wasm_store *s,
			  const bn_wasm_functype *type, bn_wasm_host_fn fn,
			  void *payload)
{
	bn_wasm_func *f = calloc(1, sizeof(*f));
	size_t n = (size_t)type->nparams + type->nresults;

	if (!f)
		return -ENOMEM;
	f->own_type.types = malloc(n ? n : 1);
	if (!f->own_type.types) {
		free(f);
		return -ENOMEM;
	}
	if (type->nparams)
		memcpy(f->own_type.types, type->params, type->nparams);
	if (type->nresults)
		memcpy(f->own_type.types + type->nparams, type->results,
		       type->nresults);
	f->own_type.nparams = type->nparams;
	f->own_type.nresults = type->nresults;
	for (size_t i = 0; i < n; i++) {
		if (i < type->nparams)
			f->own_type.param_cells +=
				bn_wasm__cells(f->own_type.types[i]);
		else
			f->own_type.result_cells +=
				bn_wasm__cells(f->own_type.types[i]);
	}
	f->kind = BN_FUNC_HOST;
	f->type = &f->own_type;
	f->index = UINT32_MAX;
	f->host = fn;
	f->payload = payload;
	f->next = s->funcs;
	s->funcs = f;
	*out = f;
	return 0;
}

void bn_wasm_func_type(bn_wasm_functype *out, const bn_wasm_func *f)
{
	out->nparams = f->type->nparams;
	out->nresults = f->type->nresults;
	out->params = f->type->types;
	out->results = f->type->types + f->type->nparams;
}

bool bn_wasm__type_eq(const bn_wasm__type *a, const bn_wasm__type *b)
{
	return a == b || (a->nparams == b->nparams &&
			  a->nresults == b->nresults &&
			  memcmp(a->types, b->types,
				 (size_t)a->nparams + a->nresults) == 0);
}

/*
 * The store's memory cap covers what a module can make the engine hold:
 * linear memory, table entries and evaluated element segments (one
 * pointer per entry).  mem_fits says whether BYTES more stay within it,
 * mem_charge counts them once they are allocated.
 */
static bool mem_fits(const bn_wasm_store *s, uint64_t bytes)
{
	return s->mem_bytes <= s->limits.max_memory_bytes &&
	       bytes <= s->limits.max_memory_bytes - s->mem_bytes;
}

static void mem_charge(bn_wasm_store *s, uint64_t bytes)
{
	s->mem_bytes += bytes;
	if (s->mem_bytes > s->mem_peak)
		s->mem_peak = s->mem_bytes;
}

/*
 * Guard pages (BN_WASM_BOUNDS_AUTO where machine code runs): reserve
 * BN_WASM_GUARD_BYTES with no access and open the first BYTES for reading
 * and writing.  MAP_NORESERVE: the reservation costs address space, not
 * memory.  Returns false (and leaves M alone) where the reservation is
 * refused, e.g. by RLIMIT_AS.
 */
static bool memory_reserve(bn_wasm_memory *m, const bn_wasm_store *s,
			   uint64_t bytes)
{
#if defined(__x86_64__) && defined(__linux__)
	void *p;

	if (s->limits.bounds == BN_WASM_BOUNDS_CHECK)
		return false;
	p = mmap(NULL, (size_t)BN_WASM_GUARD_BYTES, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return false;
	if (bytes && mprotect(p, (size_t)bytes, PROT_READ | PROT_WRITE)) {
		munmap(p, (size_t)BN_WASM_GUARD_BYTES);
		return false;
	}
	m->data = p;
	m->reserved = BN_WASM_GUARD_BYTES;
	return true;
#else
	(void)m;
	(void)s;
	(void)bytes;
	return false;
#endif
}

bool bn_wasm_memory_guarded(const bn_wasm_memory *m)
{
	return m->reserved != 0;
}

bool bn_wasm_instance_compiled(const bn_wasm_instance *inst)
{
	return inst->jit != NULL;
}

int bn_wasm_memory_new(bn_wasm_memory **out, bn_wasm_store *s,
		       uint32_t min_pages, uint32_t max_pages)
{
	bn_wasm_memory *m;
	uint64_t bytes = (uint64_t)min_pages * BN_WASM_PAGE_BYTES;

	if (min_pages > BN_WASM_MAX_PAGES ||
	    (max_pages != UINT32_MAX && max_pages < min_pages))
		return -EINVAL;
	if (!mem_fits(s, bytes))
		return BN_WASM_ELIMIT;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	if (!memory_reserve(m, s, bytes) && bytes) {
		m->data = calloc(1, (size_t)bytes);
		if (!m->data) {
			free(m);
			return -ENOMEM;
		}
	}
	m->size = bytes;
	m->pages = min_pages;
	m->max_pages = max_pages;
	m->store = s;
	mem_charge(s, bytes);
	m->next = s->mems;
	s->mems = m;
	*out = m;
	return 0;
}

int bn_wasm__memory_grow(bn_wasm_memory *m, uint32_t delta,
			 uint32_t *old_pages)
{
	bn_wasm_store *s = m->store;
	uint64_t npages = (uint64_t)m->pages + delta;
	uint64_t add = (uint64_t)delta * BN_WASM_PAGE_BYTES;
	uint8_t *p;

	if (npages > BN_WASM_MAX_PAGES ||
	    (m->max_pages != UINT32_MAX && npages > m->max_pages))
		return -1;
	if (!mem_fits(s, add)) {
		s->mem_refused++;
		return -1;
	}
	if (delta && m->reserved) {
		/* fresh pages of the reservation read as zeros */
		if (mprotect(m->data + m->size, (size_t)add,
			     PROT_READ | PROT_WRITE))
			return -1;
	} else if (delta) {
		p = realloc(m->data, (size_t)(m->size + add));
		if (!p)
			return -1;
		memset(p + m->size, 0, (size_t)add);
		m->data = p;
	}
	*old_pages = m->pages;
	m->pages = (uint32_t)npages;
	m->size += add;
	mem_charge(s, add);
	return 0;
}

int bn_wasm_table_new(bn_wasm_table **out, bn_wasm_store *s,
		      uint8_t elem_type, uint32_t min, uint32_t max,
		      void *init_ref)
{
	bn_wasm_table *t;

	if (!bn_wasm__is_reftype(elem_type) ||
	    (max != UINT32_MAX && max < min))
		return -EINVAL;
	if (min > s->limits.max_table_elems ||
	    !mem_fits(s, (uint64_t)min * sizeof(void *)))
		return BN_WASM_ELIMIT;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->elems = calloc(min ? min : 1, sizeof(void *));
	if (!t->elems) {
		free(t);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < min; i++)
		t->elems[i] = init_ref;
	t->elem = elem_type;
	t->size = min;
	t->max = max;
	t->store = s;
	mem_charge(s, (uint64_t)min * sizeof(void *));
	t->next = s->tables;
	s->tables = t;
	*out = t;
	return 0;
}

int bn_wasm__table_grow(bn_wasm_table *t, uint32_t delta, void *init,
			uint32_t *old_size)
{
	uint64_t n = (uint64_t)t->size + delta;
	uint64_t add = (uint64_t)delta * sizeof(void *);
	void **p;

	if (n > UINT32_MAX || (t->max != UINT32_MAX && n > t->max) ||
	    n > t->store->limits.max_table_elems)
		return -1;
	if (!mem_fits(t->store, add)) {
		t->store->mem_refused++;
		return -1;
	}
	if (delta) {
		p = realloc(t->elems, (size_t)n * sizeof(void *));
		if (!p)
			return -1;
		for (uint64_t i = t->size; i < n; i++)
			p[i] = init;
		t->elems = p;
	}
	*old_size = t->size;
	t->size = (uint32_t)n;
	mem_charge(t->store, add);
	return 0;
}

int bn_wasm_global_new(bn_wasm_global **out, bn_wasm_store *s,
		       const bn_wasm_val *init, bool is_mutable)
{
	bn_wasm_global *g;

	if (!bn_wasm__is_valtype(init->type))
		return -EINVAL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->type = init->type;
	g->mut = is_mutable;
	bn_wasm__val_to_cells(g->v, init);
	g->next = s->globals;
	s->globals = g;
	*out = g;
	return 0;
}

/* ---- values and memory access ------------------------------------------- */

void bn_wasm__val_to_cells(uint64_t *c, const bn_wasm_val *v)
{
	switch (v->type) {
	case BN_WASM_I32: c[0] = v->of.i32; break;
	case BN_WASM_F32: c[0] = v->of.f32; break;
	case BN_WASM_I64: c[0] = v->of.i64; break;
	case BN_WASM_F64: c[0] = v->of.f64; break;
	case BN_WASM_V128: memcpy(c, v->of.v128, 16); break;
	default: c[0] = (uintptr_t)v->of.ref; break;
	}
}

void bn_wasm__val_from_cells(bn_wasm_val *v, uint8_t type, const uint64_t *c)
{
	memset(v, 0, sizeof(*v));
	v->type = type;
	switch (type) {
	case BN_WASM_I32: v->of.i32 = (uint32_t)c[0]; break;
	case BN_WASM_F32: v->of.f32 = (uint32_t)c[0]; break;
	case BN_WASM_I64: v->of.i64 = c[0]; break;
	case BN_WASM_F64: v->of.f64 = c[0]; break;
	case BN_WASM_V128: memcpy(v->of.v128, c, 16); break;
	default: v->of.ref = (void *)(uintptr_t)c[0]; break;
	}
}

uint64_t bn_wasm_memory_size(const bn_wasm_memory *m)
{
	return m->size;
}

uint8_t *bn_wasm_memory_data(bn_wasm_memory *m)
{
	return m->data;
}

uint8_t *bn_wasm_memory_span(bn_wasm_memory *m, uint64_t offset,
			     uint64_t len)
{
	if (offset > m->size || len > m->size - offset)
		return NULL;
	return m->data + offset;
}

int bn_wasm_memory_read(const bn_wasm_memory *m, uint64_t offset,
			void *dst, size_t len)
{
	if (offset > m->size || len > m->size - offset)
		return -EFAULT;
	if (len)
		memcpy(dst, m->data + offset, len);
	return 0;
}

int bn_wasm_memory_write(bn_wasm_memory *m, uint64_t offset,
			 const void *src, size_t len)
{
	if (offset > m->size || len > m->size - offset)
		return -EFAULT;
	if (len)
		memcpy(m->data + offset, src, len);
	return 0;
}

void bn_wasm_global_get(bn_wasm_val *out, const bn_wasm_global *g)
{
	bn_wasm__val_from_cells(out, g->type, g->v);
}

int bn_wasm_global_set(bn_wasm_global *g, const bn_wasm_val *v)
{
	if (!g->mut || v->type != g->type)
		return -EINVAL;
	bn_wasm__val_to_cells(g->v, v);
	return 0;
}

/* ---- linker ------------------------------------------------------------- */

typedef struct link_entry {
	char *module;
	char *name;
	bn_wasm_extern ext;
} link_entry;

struct bn_wasm_linker {
	link_entry *v;
	size_t n, cap;
};

int bn_wasm_linker_new(bn_wasm_linker **out)
{
	bn_wasm_linker *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	*out = l;
	return 0;
}

void bn_wasm_linker_free(bn_wasm_linker *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].module);
		free(l->v[i].name);
	}
	free(l->v);
	free(l);
}

static const bn_wasm_extern *linker_find(const bn_wasm_linker *l,
					 const char *module, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].module, module) == 0 &&
		    strcmp(l->v[i].name, name) == 0)
			return &l->v[i].ext;
	return NULL;
}

int bn_wasm_linker_define(bn_wasm_linker *l, const char *module,
			  const char *name, const bn_wasm_extern *ext)
{
	bn_wasm_extern *have = (bn_wasm_extern *)linker_find(l, module, name);
	link_entry *e;

	if (have) {
		*have = *ext;
		return 0;
	}
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		link_entry *v = realloc(l->v, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = ncap;
	}
	e = &l->v[l->n];
	e->module = strdup(module);
	e->name = strdup(name);
	if (!e->module || !e->name) {
		free(e->module);
		free(e->name);
		return -ENOMEM;
	}
	e->ext = *ext;
	l->n++;
	return 0;
}

int bn_wasm_linker_define_instance(bn_wasm_linker *l, const char *module,
				   const bn_wasm_instance *inst)
{
	const bn_wasm_module *m = inst->module;

	for (uint32_t i = 0; i < m->nexports; i++) {
		bn_wasm_extern ext;
		int e = bn_wasm_instance_export(&ext, inst,
						m->exports[i].name);

		if (!e)
			e = bn_wasm_linker_define(l, module,
						  m->exports[i].name, &ext);
		if (e)
			return e;
	}
	return 0;
}

int bn_wasm_instance_export(bn_wasm_extern *out,
			    const bn_wasm_instance *inst, const char *name)
{
	return bn_wasm_instance_export_n(out, inst, name, strlen(name));
}

int bn_wasm_instance_export_n(bn_wasm_extern *out,
			      const bn_wasm_instance *inst, const char *name,
			      size_t len)
{
	const bn_wasm_module *m = inst->module;

	for (uint32_t i = 0; i < m->nexports; i++) {
		const bn_wasm__export *ex = &m->exports[i];

		if (ex->name_len != len || memcmp(ex->name, name, len) != 0)
			continue;
		out->kind = ex->kind;
		switch (ex->kind) {
		case BN_WASM_EXTERN_FUNC:
			out->of.func = inst->funcs[ex->idx];
			break;
		case BN_WASM_EXTERN_TABLE:
			out->of.table = inst->tables[ex->idx];
			break;
		case BN_WASM_EXTERN_MEMORY:
			out->of.memory = inst->mems[ex->idx];
			break;
		default:
			out->of.global = inst->globals[ex->idx];
			break;
		}
		return 0;
	}
	return BN_WASM_ENOTFOUND;
}

/* ---- instantiation ------------------------------------------------------ */

static bool limits_match(uint32_t size, uint32_t max, const bn_wasm__limits *l)
{
	if (size < l->min)
		return false;
	if (!l->has_max)
		return true;
	return max != UINT32_MAX && max <= l->max;
}

static int check_import(const bn_wasm_module *m, const bn_wasm__import *im,
			const bn_wasm_extern *ext, bn_wasm_err *err)
{
	bool ok = ext->kind == im->kind;

	if (ok) {
		switch (im->kind) {
		case BN_WASM_EXTERN_FUNC:
			ok = ext->of.func &&
			     bn_wasm__type_eq(
				     ext->of.func->type,
				     &m->types[m->func_type[im->idx]]);
			break;
		case BN_WASM_EXTERN_TABLE: {
			const bn_wasm_table *t = ext->of.table;

			ok = t && t->elem == m->tables[im->idx].elem &&
			     limits_match(t->size, t->max,
					  &m->tables[im->idx].lim);
			break;
		}
		case BN_WASM_EXTERN_MEMORY: {
			const bn_wasm_memory *mm = ext->of.memory;

			ok = mm && limits_match(mm->pages, mm->max_pages,
						&m->mems[im->idx]);
			break;
		}
		default: {
			const bn_wasm_global *g = ext->of.global;

			ok = g && g->type == m->globals[im->idx].type &&
			     g->mut == m->globals[im->idx].mut;
			break;
		}
		}
	}
	if (!ok)
		return bn_wasm__errf(err, BN_WASM_EUNLINKABLE,
				     "incompatible import type: %s.%s",
				     im->module, im->name);
	return 0;
}

static void eval_const(uint64_t *c, const bn_wasm_instance *inst,
		       const bn_wasm__const *k)
{
	switch (k->kind) {
	case BN_CONST_NUM:
		c[0] = k->v[0];
		c[1] = k->v[1];
		break;
	case BN_CONST_REF_NULL:
		c[0] = 0;
		break;
	case BN_CONST_REF_FUNC:
		c[0] = (uintptr_t)inst->funcs[k->idx];
		break;
	default:
		c[0] = inst->globals[k->idx]->v[0];
		c[1] = inst->globals[k->idx]->v[1];
		break;
	}
}

static void *xcalloc(size_t n, size_t size)
{
	return calloc(n ? n : 1, size);
}

/* Allocate the instance and its own objects (no segments yet). */
static int alloc_instance(bn_wasm_instance *inst, bn_wasm_store *s,
			  const bn_wasm_module *m,
			  const bn_wasm_extern *imports, bn_wasm_err *err)
{
	int e;

	inst->funcs = xcalloc(m->nfuncs, sizeof(*inst->funcs));
	inst->tables = xcalloc(m->ntables, sizeof(*inst->tables));
	inst->mems = m->nmems ? xcalloc(m->nmems, sizeof(*inst->mems)) : NULL;
	inst->globals = xcalloc(m->nglobals, sizeof(*inst->globals));
	inst->elem_refs = xcalloc(m->nelems, sizeof(*inst->elem_refs));
	inst->elem_len = xcalloc(m->nelems, sizeof(*inst->elem_len));
	inst->data_dropped = xcalloc(m->ndatas, 1);
	if (!inst->funcs || !inst->tables || (m->nmems && !inst->mems) ||
	    !inst->globals || !inst->elem_refs || !inst->elem_len ||
	    !inst->data_dropped)
		return -ENOMEM;
	for (uint32_t i = 0; i < m->nimports; i++) {
		const bn_wasm__import *im = &m->imports[i];
		const bn_wasm_extern *x = &imports[i];

		switch (im->kind) {
		case BN_WASM_EXTERN_FUNC: inst->funcs[im->idx] = x->of.func;
			break;
		case BN_WASM_EXTERN_TABLE: inst->tables[im->idx] = x->of.table;
			break;
		case BN_WASM_EXTERN_MEMORY: inst->mems[im->idx] = x->of.memory;
			break;
		default: inst->globals[im->idx] = x->of.global;
			break;
		}
	}
	for (uint32_t i = m->nfunc_imports; i < m->nfuncs; i++) {
		bn_wasm_func *f = calloc(1, sizeof(*f));

		if (!f)
			return -ENOMEM;
		f->kind = BN_FUNC_WASM;
		f->type = &m->types[m->func_type[i]];
		f->inst = inst;
		f->index = i;
		f->code = &m->codes[i - m->nfunc_imports];
		f->next = s->funcs;
		s->funcs = f;
		inst->funcs[i] = f;
	}
	for (uint32_t i = m->ntable_imports; i < m->ntables; i++) {
		const bn_wasm__tabletype *tt = &m->tables[i];

		e = bn_wasm_table_new(&inst->tables[i], s, tt->elem,
				      tt->lim.min, tt->lim.max, NULL);
		if (e)
			return bn_wasm__errf(err, e, "table %u: over the "
					     "store's limit (%u entries)", i,
					     tt->lim.min);
	}
	for (uint32_t i = m->nmem_imports; i < m->nmems; i++) {
		e = bn_wasm_memory_new(&inst->mems[i], s, m->mems[i].min,
				       m->mems[i].max);
		if (e)
			return bn_wasm__errf(err, e, "memory %u: over the "
					     "store's limit", i);
	}
	for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++) {
		bn_wasm_val v = { .type = m->globals[i].type };
		bn_wasm_global *g;

		e = bn_wasm_global_new(&g, s, &v, m->globals[i].mut);
		if (e)
			return e;
		eval_const(g->v, inst, &m->global_init[i]);
		inst->globals[i] = g;
	}
	for (uint32_t i = 0; i < m->nelems; i++) {
		const bn_wasm__elem *el = &m->elems[i];
		uint64_t c[2];

		if (!mem_fits(s, (uint64_t)el->n * sizeof(void *)))
			return bn_wasm__errf(err, BN_WASM_ELIMIT, "element "
					     "segment %u: over the store's "
					     "memory limit", i);
		inst->elem_refs[i] = xcalloc(el->n, sizeof(void *));
		if (!inst->elem_refs[i])
			return -ENOMEM;
		mem_charge(s, (uint64_t)el->n * sizeof(void *));
		for (uint32_t k = 0; k < el->n; k++) {
			eval_const(c, inst, &el->init[k]);
			inst->elem_refs[i][k] = (void *)(uintptr_t)c[0];
		}
		inst->elem_len[i] = el->mode == BN_SEG_PASSIVE ? el->n : 0;
	}
	return 0;
}

/* Where an active segment of N items goes in a table or memory of SIZE
   items: the value of its offset expression K, or trap KIND when the
   segment does not fit there. */
static int seg_offset(uint32_t *off, const bn_wasm_instance *inst,
		      const bn_wasm__const *k, uint64_t n, uint64_t size,
		      bn_wasm_trap_kind kind, bn_wasm_trap *trap)
{
	uint64_t c[2];

	eval_const(c, inst, k);
	*off = (uint32_t)c[0];
	if ((uint64_t)*off + n > size) {
		bn_wasm__trap_set(trap, kind, bn_wasm_trap_kind_name(kind));
		return BN_WASM_ETRAP;
	}
	return 0;
}

static int apply_segments(bn_wasm_instance *inst, bn_wasm_trap *trap)
{
	const bn_wasm_module *m = inst->module;
	uint32_t off;

	for (uint32_t i = 0; i < m->nelems; i++) {
		const bn_wasm__elem *el = &m->elems[i];
		bn_wasm_table *t;

		if (el->mode != BN_SEG_ACTIVE)
			continue;
		t = inst->tables[el->table];
		if (seg_offset(&off, inst, &el->offset, el->n, t->size,
			       BN_WASM_TRAP_TABLE_OOB, trap))
			return BN_WASM_ETRAP;
		if (el->n)
			memcpy(t->elems + off, inst->elem_refs[i],
			       el->n * sizeof(void *));
	}
	for (uint32_t i = 0; i < m->ndatas; i++) {
		const bn_wasm__data *d = &m->datas[i];
		bn_wasm_memory *mem;

		if (d->mode != BN_SEG_ACTIVE)
			continue;
		mem = inst->mems[d->mem];
		if (seg_offset(&off, inst, &d->offset, d->len, mem->size,
			       BN_WASM_TRAP_MEMORY_OOB, trap))
			return BN_WASM_ETRAP;
		if (d->len)
			memcpy(mem->data + off, d->bytes, d->len);
		inst->data_dropped[i] = 1;
	}
	return 0;
}

int bn_wasm_instance_new(bn_wasm_instance **out, bn_wasm_store *s,
			 const bn_wasm_module *m,
			 const bn_wasm_extern *imports, size_t nimports,
			 bn_wasm_trap *trap, bn_wasm_err *err)
{
	bn_wasm_instance *inst;
	int e;

	if (err)
		err->msg[0] = '\0';
	if (nimports != m->nimports)
		return bn_wasm__errf(err, BN_WASM_EUNLINKABLE,
				     "expected %u "
				     "imports, got %zu",
				     m->nimports, nimports);
	for (uint32_t i = 0; i < m->nimports; i++) {
		e = check_import(m, &m->imports[i], &imports[i], err);
		if (e)
			return e;
	}
	inst = calloc(1, sizeof(*inst));
	if (!inst)
		return -ENOMEM;
	inst->module = m;
	inst->store = s;
	inst->next = s->instances;
	s->instances = inst;
	e = alloc_instance(inst, s, m, imports, err);
	/* machine code without bounds checks needs memory 0 in a guarded
	   reservation; else the checked variant (NULL: the interpreter) */
	if (!e && m->jit)
		inst->jit = bn_wasm__jit_select(m, m->nmems ? inst->mems[0]
							    : NULL);
	if (e) {
		if (e == -ENOMEM)
			bn_wasm__errf(err, e, "out of memory");
		return e;
	}
	e = apply_segments(inst, trap);
	if (!e && m->has_start)
		e = bn_wasm_func_call(s, inst->funcs[m->start], NULL, 0, NULL,
				      0, trap);
	if (e) {
		bn_wasm__errf(err, e, "instantiation trapped: %s",
			      trap ? trap->msg : "");
		return e;
	}
	*out = inst;
	return 0;
}

int bn_wasm_linker_instantiate(bn_wasm_instance **out,
			       const bn_wasm_linker *l, bn_wasm_store *s,
			       const bn_wasm_module *m, bn_wasm_trap *trap,
			       bn_wasm_err *err)
{
	bn_wasm_extern *imports;
	int e;

	if (err)
		err->msg[0] = '\0';
	imports = xcalloc(m->nimports, sizeof(*imports));
	if (!imports)
		return -ENOMEM;
	for (uint32_t i = 0; i < m->nimports; i++) {
		const bn_wasm__import *im = &m->imports[i];
		const bn_wasm_extern *x = linker_find(l, im->module, im->name);

		if (!x) {
			free(imports);
			return bn_wasm__errf(err, BN_WASM_EUNLINKABLE,
					     "unknown import: %s.%s",
					     im->module, im->name);
		}
		imports[i] = *x;
	}
	e = bn_wasm_instance_new(out, s, m, imports, m->nimports, trap, err);
	free(imports);
	return e;
}

/* ---- calls from the host ----------------------------------------------- */

#define MAX_HOST_NESTING 64

int bn_wasm_func_call(bn_wasm_store *s, bn_wasm_func *f,
		      const bn_wasm_val *args, size_t nargs,
		      bn_wasm_val *results, size_t nresults,
		      bn_wasm_trap *trap)
{
	const bn_wasm__type *ty = f->type;
	bn_wasm_trap local;
	uint64_t *fp = s->stack_top, *saved = s->stack_top;
	uint32_t cells = ty->param_cells > ty->result_cells ?
			 ty->param_cells : ty->result_cells;
	uint32_t cell = 0, depth = s->depth;
	int e;

	if (!trap)
		trap = &local;
	memset(trap, 0, sizeof(*trap));
	if (nargs != ty->nparams || nresults != ty->nresults)
		return -EINVAL;
	if (f->kind == BN_FUNC_WASM && f->inst->store != s)
		return -EINVAL;
	for (uint32_t i = 0; i < ty->nparams; i++)
		if (args[i].type != ty->types[i])
			return -EINVAL;
	if (s->depth > 0 && s->depth >= s->limits.max_call_depth) {
		bn_wasm__trap_set(trap, BN_WASM_TRAP_STACK_EXHAUSTED,
				  "call stack exhausted");
		return BN_WASM_ETRAP;
	}
	if (cells > (size_t)(s->stack + s->stack_cells - fp)) {
		bn_wasm__trap_set(trap, BN_WASM_TRAP_STACK_EXHAUSTED,
				  "call stack exhausted");
		return BN_WASM_ETRAP;
	}
	for (uint32_t i = 0; i < ty->nparams; i++) {
		bn_wasm__val_to_cells(fp + cell, &args[i]);
		cell += bn_wasm__cells(ty->types[i]);
	}
	if (s->nesting >= MAX_HOST_NESTING) {
		bn_wasm__trap_set(trap, BN_WASM_TRAP_STACK_EXHAUSTED,
				  "call stack exhausted");
		return BN_WASM_ETRAP;
	}
	s->nesting++;
	e = bn_wasm__invoke(s, f, fp, trap);
	s->nesting--;
	/* either engine leaves the depth as it found it, trap or not */
	assert(s->depth == depth);
	(void)depth;  /* read by the assertion alone */
	s->stack_top = saved;
	if (e)
		return e;
	cell = 0;
	for (uint32_t i = 0; i < ty->nresults; i++) {
		uint8_t t = ty->types[ty->nparams + i];

		bn_wasm__val_from_cells(&results[i], t, fp + cell);
		cell += bn_wasm__cells(t);
	}
	return 0;
}

const char *bn_wasm_trap_kind_name(bn_wasm_trap_kind k)
{
	static const char *const names[BN_WASM_TRAP_KIND_MAX] = {
		[BN_WASM_TRAP_NONE] = "none",
		[BN_WASM_TRAP_UNREACHABLE] = "unreachable",
		[BN_WASM_TRAP_MEMORY_OOB] = "out of bounds memory access",
		[BN_WASM_TRAP_TABLE_OOB] = "out of bounds table access",
		[BN_WASM_TRAP_INDIRECT_NULL] = "uninitialized element",
		[BN_WASM_TRAP_INDIRECT_TYPE] = "indirect call type mismatch",
		[BN_WASM_TRAP_DIV_ZERO] = "integer divide by zero",
		[BN_WASM_TRAP_INT_OVERFLOW] = "integer overflow",
		[BN_WASM_TRAP_INVALID_CONV] = "invalid conversion to integer",
		[BN_WASM_TRAP_STACK_EXHAUSTED] = "call stack exhausted",
		[BN_WASM_TRAP_FUEL_EXHAUSTED] = "fuel exhausted",
		[BN_WASM_TRAP_INTERRUPTED] = "interrupted",
		[BN_WASM_TRAP_HOST] = "host trap",
		[BN_WASM_TRAP_EXIT] = "exit",
	};

	if ((unsigned)k >= BN_WASM_TRAP_KIND_MAX)
		return "unknown";
	return names[k];
}

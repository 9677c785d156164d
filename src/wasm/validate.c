/* SPDX-License-Identifier: MIT */
/*
 * wasm/validate.c - module-level validation: index spaces, limits,
 * constant expressions, segments, exports and the start function.
 * Function bodies are validated (and translated) by translate.c.
 * Spec: Core 2.0, section 3.4 (Modules).
 */
#include <stdlib.h>
#include <string.h>

#include "wasm_int.h"

#define INV BN_WASM_EINVALID

/* Type of constant expression C, checked against the context. */
static int const_check(bn_wasm_module *m, const bn_wasm__const *c,
		       uint8_t want, bn_wasm_err *err)
{
	uint8_t t = c->type;

	switch (c->kind) {
	case BN_CONST_REF_FUNC:
		if (c->idx >= m->nfuncs)
			return bn_wasm__errf(err, INV, "unknown function %u",
					     c->idx);
		break;
	case BN_CONST_GLOBAL:
		if (c->idx >= m->nglobal_imports)
			return bn_wasm__errf(err, INV, "unknown global %u",
					     c->idx);
		if (m->globals[c->idx].mut)
			return bn_wasm__errf(err, INV,
					     "constant expression required");
		t = m->globals[c->idx].type;
		break;
	default:
		break;
	}
	if (t != want)
		return bn_wasm__errf(err, INV, "type mismatch: constant "
				     "expression is %s, expected %s",
				     bn_wasm__type_name(t),
				     bn_wasm__type_name(want));
	return 0;
}

static int limits_check(const bn_wasm__limits *l, uint64_t cap,
			const char *what, bn_wasm_err *err)
{
	if (l->min > cap || (l->has_max && l->max > cap))
		return bn_wasm__errf(err, INV, "%s size must be at most %llu",
				     what, (unsigned long long)cap);
	if (l->has_max && l->max < l->min)
		return bn_wasm__errf(err, INV, "size minimum must not be "
				     "greater than maximum");
	return 0;
}

static void mark_ref(bn_wasm_module *m, const bn_wasm__const *c)
{
	if (c->kind == BN_CONST_REF_FUNC && c->idx < m->nfuncs)
		m->func_ref_ok[c->idx] = 1;
}

static int check_segments(bn_wasm_module *m, bn_wasm_err *err)
{
	int e;

	for (uint32_t i = 0; i < m->nelems; i++) {
		const bn_wasm__elem *el = &m->elems[i];

		for (uint32_t k = 0; k < el->n; k++) {
			e = const_check(m, &el->init[k], el->type, err);
			if (e)
				return e;
		}
		if (el->mode != BN_SEG_ACTIVE)
			continue;
		if (el->table >= m->ntables)
			return bn_wasm__errf(err, INV, "unknown table %u",
					     el->table);
		if (m->tables[el->table].elem != el->type)
			return bn_wasm__errf(err, INV,
					     "type mismatch: element "
					     "segment %u",
					     i);
		e = const_check(m, &el->offset, BN_WASM_I32, err);
		if (e)
			return e;
	}
	for (uint32_t i = 0; i < m->ndatas; i++) {
		const bn_wasm__data *d = &m->datas[i];

		if (d->mode != BN_SEG_ACTIVE)
			continue;
		if (d->mem >= m->nmems)
			return bn_wasm__errf(err, INV, "unknown memory %u",
					     d->mem);
		e = const_check(m, &d->offset, BN_WASM_I32, err);
		if (e)
			return e;
	}
	return 0;
}

static int check_exports(bn_wasm_module *m, bn_wasm_err *err)
{
	static const char *what[] = { "function", "table", "memory",
				      "global" };

	for (uint32_t i = 0; i < m->nexports; i++) {
		const bn_wasm__export *ex = &m->exports[i];
		uint32_t lim[4] = { m->nfuncs, m->ntables, m->nmems,
				    m->nglobals };

		if (ex->idx >= lim[ex->kind])
			return bn_wasm__errf(err, INV, "unknown %s %u",
					     what[ex->kind], ex->idx);
		if (ex->kind == BN_WASM_EXTERN_FUNC)
			m->func_ref_ok[ex->idx] = 1;
		for (uint32_t k = 0; k < i; k++)
			if (m->exports[k].name_len == ex->name_len &&
			    memcmp(m->exports[k].name, ex->name,
				   ex->name_len) == 0)
				return bn_wasm__errf(err, INV,
						     "duplicate export name");
	}
	return 0;
}

int bn_wasm__validate_module(bn_wasm_module *m, bn_wasm_err *err)
{
	int e;

	m->func_ref_ok = calloc(m->nfuncs ? m->nfuncs : 1, 1);
	if (!m->func_ref_ok)
		return -ENOMEM;
	for (uint32_t i = 0; i < m->nfuncs; i++)
		if (m->func_type[i] >= m->ntypes)
			return bn_wasm__errf(err, INV, "unknown type %u",
					     m->func_type[i]);
	for (uint32_t i = 0; i < m->ntables; i++) {
		e = limits_check(&m->tables[i].lim, UINT32_MAX, "table", err);
		if (e)
			return e;
	}
	if (m->nmems > 1)
		return bn_wasm__errf(err, INV, "multiple memories");
	for (uint32_t i = 0; i < m->nmems; i++) {
		e = limits_check(&m->mems[i], BN_WASM_MAX_PAGES, "memory",
				 err);
		if (e)
			return bn_wasm__errf(err, INV,
					     "memory size must be at "
					     "most 65536 pages (4GiB)");
	}
	for (uint32_t g = m->nglobal_imports; g < m->nglobals; g++) {
		e = const_check(m, &m->global_init[g], m->globals[g].type,
				err);
		if (e)
			return e;
		mark_ref(m, &m->global_init[g]);
	}
	for (uint32_t i = 0; i < m->nelems; i++)
		for (uint32_t k = 0; k < m->elems[i].n; k++)
			mark_ref(m, &m->elems[i].init[k]);
	e = check_segments(m, err);
	if (e)
		return e;
	e = check_exports(m, err);
	if (e)
		return e;
	if (m->has_start) {
		const bn_wasm__type *t;

		if (m->start >= m->nfuncs)
			return bn_wasm__errf(err, INV, "unknown function %u",
					     m->start);
		t = &m->types[m->func_type[m->start]];
		if (t->nparams || t->nresults)
			return bn_wasm__errf(err, INV, "start function must "
					     "have type [] -> []");
	}
	return 0;
}

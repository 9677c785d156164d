/* SPDX-License-Identifier: MIT */
/*
 * tests/fuzz/fuzz_wasm.c - libFuzzer target for the whole engine: the
 * input is a binary module.  It is decoded, validated and translated
 * (bn_wasm_module_new), instantiated with every import stubbed (functions
 * trap; memories, tables and globals are fresh ones), and each exported
 * function is called with zero-valued arguments under small fuel, memory
 * and stack limits.  Any crash, leak, sanitizer report or hang is a bug;
 * a trap is not.  All of it runs three times: on the machine code engine
 * with memories in guarded reservations (no bounds checks), on the
 * machine code engine with explicit bounds checks, and on the
 * interpreter; all must agree on every call: results (any NaN equals any
 * NaN), trap kind and place, fuel used.  A disagreement aborts.
 *
 * The public API does not describe the type of an imported memory, table
 * or global, so instantiation is tried with a few candidate types for
 * those (IMPORT_TRIES), each in a fresh store.
 *
 * Run: tests/fuzz/run.sh (seeds from the spec suite and the C programs).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wasm/wasm.h"

#define MAX_INPUT_BYTES (1u << 20)
#define IMPORT_TRIES 12
#define MAX_VALS 1000
#define FUEL_PER_CALL 200000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int trap_host(bn_wasm_caller *c, const bn_wasm_val *args,
		     bn_wasm_val *results, void *payload)
{
	return bn_wasm_caller_trap(c, "fuzz: stub import called");
}

static const uint8_t global_types[] = {
	BN_WASM_I32, BN_WASM_I64, BN_WASM_F32,
	BN_WASM_F64, BN_WASM_FUNCREF, BN_WASM_EXTERNREF,
};

/* Candidate limits for memories and tables, by try number. */
static const uint32_t lim_min[4] = { 0, 1, 1, 0 };
static const uint32_t lim_max[4] = { UINT32_MAX, UINT32_MAX, 1, 0 };

/* Make a stub for import D; TRY picks among candidate types. */
static int make_stub(bn_wasm_extern *out, bn_wasm_store *s,
		     const bn_wasm_import_desc *d, unsigned try)
{
	bn_wasm_val v;

	out->kind = d->kind;
	switch (d->kind) {
	case BN_WASM_EXTERN_FUNC:
		return bn_wasm_func_new_host(&out->of.func, s, &d->func,
					     trap_host, NULL);
	case BN_WASM_EXTERN_MEMORY:
		return bn_wasm_memory_new(&out->of.memory, s, lim_min[try % 4],
					  lim_max[try % 4]);
	case BN_WASM_EXTERN_TABLE:
		return bn_wasm_table_new(&out->of.table, s,
					 try & 4 ? BN_WASM_EXTERNREF
						 : BN_WASM_FUNCREF,
					 lim_min[try % 4], lim_max[try % 4],
					 NULL);
	case BN_WASM_EXTERN_GLOBAL:
		memset(&v, 0, sizeof v);
		v.type = global_types[try % 6];
		return bn_wasm_global_new(&out->of.global, s, &v, try >= 6);
	default:
		return -1;
	}
}

/* What one call did, to compare the engines: a hash of the results. */
typedef struct outcome {
	int rc;
	int kind;
	uint32_t func;
	uint32_t off;
	uint64_t fuel;
	uint64_t hash;
} outcome;

static uint64_t mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ull;
}

/* A result's bits, with every NaN the same (engines may differ in NaN
   payloads where the spec allows either). */
static uint64_t val_bits(const bn_wasm_val *v)
{
	uint64_t b;

	switch (v->type) {
	case BN_WASM_I32: return v->of.i32;
	case BN_WASM_I64: return v->of.i64;
	case BN_WASM_F32:
		b = v->of.f32;
		return (b & 0x7f800000u) == 0x7f800000u && (b & 0x7fffffu)
			       ? 0x7fc00000u : b;
	case BN_WASM_F64:
		b = v->of.f64;
		return (b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull &&
			       (b & 0xfffffffffffffull)
			       ? 0x7ff8000000000000ull : b;
	case BN_WASM_V128:
		memcpy(&b, v->of.v128, 8);
		return b ^ ((uint64_t)v->of.v128[8] << 1);
	default: return v->of.ref != NULL;
	}
}

/* Zero values for F's parameters; call it; record what happened. */
static outcome call_export(bn_wasm_store *s, bn_wasm_func *f)
{
	bn_wasm_functype ft;
	bn_wasm_val *args, *res;
	bn_wasm_trap trap = { 0 };
	outcome o = { 0 };

	bn_wasm_func_type(&ft, f);
	if (ft.nparams > MAX_VALS || ft.nresults > MAX_VALS)
		return o;
	args = calloc(ft.nparams + 1, sizeof *args);
	res = calloc(ft.nresults + 1, sizeof *res);
	if (args && res) {
		bn_wasm_store_set_fuel(s, FUEL_PER_CALL);
		for (uint32_t i = 0; i < ft.nparams; i++)
			args[i].type = ft.params[i];
		o.rc = bn_wasm_func_call(s, f, args, ft.nparams, res,
					 ft.nresults, &trap);
		o.fuel = bn_wasm_store_fuel_used(s);
		if (o.rc == 0) {
			for (uint32_t i = 0; i < ft.nresults; i++)
				o.hash = mix(o.hash, val_bits(&res[i]));
		} else if (o.rc == BN_WASM_ETRAP) {
			o.kind = trap.kind;
			o.func = trap.func_index;
			o.off = trap.code_offset;
		}
	}
	free(args);
	free(res);
	return o;
}

/* Instantiate M in a fresh store with stub imports of try TRY. */
static int try_instance(bn_wasm_store **store_out, bn_wasm_instance **out,
			const bn_wasm_module *m, unsigned try, uint8_t engine,
			uint8_t bounds)
{
	bn_wasm_limits lim = BN_WASM_LIMITS_INIT;
	size_t n = bn_wasm_module_import_count(m);
	bn_wasm_extern *imports = calloc(n + 1, sizeof *imports);
	bn_wasm_store *s = NULL;
	bn_wasm_trap trap;
	bn_wasm_err err;
	int r = -1;

	lim.fuel = FUEL_PER_CALL;  /* for the start function */
	lim.max_memory_bytes = 16u << 20;
	lim.max_call_depth = 500;
	lim.max_stack_cells = 1u << 16;
	lim.max_table_elems = 100000;
	lim.engine = engine;
	lim.bounds = bounds;
	if (!imports || bn_wasm_store_new(&s, &lim) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		bn_wasm_import_desc d;
		bn_wasm_module_import(&d, m, i);
		if (make_stub(&imports[i], s, &d, try) < 0)
			goto out;
	}
	r = bn_wasm_instance_new(out, s, m, imports, n, &trap, &err);
out:
	free(imports);
	if (r < 0) {
		bn_wasm_store_free(s);
		return r;
	}
	*store_out = s;
	return 0;
}

/* Instantiate M and call each export on ENGINE with BOUNDS; OUT[0] is
   the instantiation, OUT[1..] the calls, *N how many. */
static void run_all(const bn_wasm_module *m, uint8_t engine, uint8_t bounds,
		    outcome *out, size_t *n, size_t cap)
{
	bn_wasm_instance *inst = NULL;
	bn_wasm_store *s = NULL;
	int r = -1;

	*n = 0;
	for (unsigned t = 0; t < IMPORT_TRIES; t++) {
		r = try_instance(&s, &inst, m, t, engine, bounds);
		if (r == 0 || r != BN_WASM_EUNLINKABLE)
			break;
	}
	out[(*n)++] = (outcome){ .rc = s ? r : -1 };
	if (!s)
		return;
	for (size_t i = 0; i < bn_wasm_module_export_count(m) && *n < cap;
	     i++) {
		uint8_t kind;
		bn_wasm_extern e;
		const char *name = bn_wasm_module_export(m, i, &kind);

		if (kind != BN_WASM_EXTERN_FUNC ||
		    bn_wasm_instance_export(&e, inst, name) < 0 ||
		    e.kind != BN_WASM_EXTERN_FUNC)
			continue;
		out[(*n)++] = call_export(s, e.of.func);
	}
	bn_wasm_store_free(s);
}

#define MAX_CALLS 64

static bool same(const outcome *a, const outcome *b)
{
	return a->rc == b->rc && a->kind == b->kind && a->func == b->func &&
	       a->off == b->off && a->fuel == b->fuel && a->hash == b->hash;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bn_wasm_module *m = NULL;
	bn_wasm_err err;
	outcome a[MAX_CALLS], b[MAX_CALLS], c[MAX_CALLS];
	size_t na, nb, nc;

	if (size > MAX_INPUT_BYTES)
		return 0;
	if (bn_wasm_module_new(&m, data, size, &err) < 0)
		return 0;
	run_all(m, BN_WASM_ENGINE_AUTO, BN_WASM_BOUNDS_AUTO, a, &na,
		MAX_CALLS);
	run_all(m, BN_WASM_ENGINE_AUTO, BN_WASM_BOUNDS_CHECK, c, &nc,
		MAX_CALLS);
	run_all(m, BN_WASM_ENGINE_INTERP, BN_WASM_BOUNDS_CHECK, b, &nb,
		MAX_CALLS);
	if (na != nb || nc != nb)
		abort();
	for (size_t i = 0; i < na; i++)
		if (!same(&a[i], &b[i]) || !same(&c[i], &b[i]))
			abort(); /* the engines disagree */
	bn_wasm_module_free(m);
	return 0;
}

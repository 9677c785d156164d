/* SPDX-License-Identifier: MIT */
/*
 * tests/wasm/fuzz_module.c - libFuzzer entry point for the engine: decode,
 * validate and translate the input; if it is a valid module, satisfy every
 * import with a stub of the right type, instantiate it under tight limits
 * and call each exported function with zero arguments.  Built with
 * -Dfuzz=true (clang).
 */
#include <stdlib.h>
#include <string.h>

#include "wasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int stub(bn_wasm_caller *c, const bn_wasm_val *args,
		bn_wasm_val *results, void *payload)
{
	return 0;
}

static int make_import(bn_wasm_extern *x, bn_wasm_store *s,
		       const bn_wasm_import_desc *d)
{
	bn_wasm_val v = { .type = BN_WASM_I32 };

	x->kind = d->kind;
	switch (d->kind) {
	case BN_WASM_EXTERN_FUNC:
		return bn_wasm_func_new_host(&x->of.func, s, &d->func, stub,
					     NULL);
	case BN_WASM_EXTERN_TABLE:
		return bn_wasm_table_new(&x->of.table, s, BN_WASM_FUNCREF, 10,
					 20, NULL);
	case BN_WASM_EXTERN_MEMORY:
		return bn_wasm_memory_new(&x->of.memory, s, 1, 2);
	default:
		return bn_wasm_global_new(&x->of.global, s, &v, false);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bn_wasm_limits lim = BN_WASM_LIMITS_INIT;
	bn_wasm_module *m;
	bn_wasm_store *s;
	bn_wasm_instance *inst;
	bn_wasm_extern *imp;
	bn_wasm_trap trap;
	bn_wasm_err err;
	size_t n;

	if (bn_wasm_module_new(&m, data, size, &err))
		return 0;
	lim.fuel = 100000;
	lim.max_memory_bytes = 16 * 65536;
	lim.max_call_depth = 500;
	lim.max_table_elems = 1000;
	if (bn_wasm_store_new(&s, &lim)) {
		bn_wasm_module_free(m);
		return 0;
	}
	n = bn_wasm_module_import_count(m);
	imp = calloc(n ? n : 1, sizeof(*imp));
	for (size_t i = 0; imp && i < n; i++) {
		bn_wasm_import_desc d;

		bn_wasm_module_import(&d, m, i);
		(void)make_import(&imp[i], s, &d);
	}
	if (imp && bn_wasm_instance_new(&inst, s, m, imp, n, &trap, &err) ==
	    0) {
		for (size_t i = 0; i < bn_wasm_module_export_count(m); i++) {
			uint8_t kind;
			const char *name = bn_wasm_module_export(m, i, &kind);
			bn_wasm_extern x;
			bn_wasm_functype ft;
			bn_wasm_val args[16], res[16];

			if (kind != BN_WASM_EXTERN_FUNC ||
			    bn_wasm_instance_export(&x, inst, name))
				continue;
			bn_wasm_func_type(&ft, x.of.func);
			if (ft.nparams > 16 || ft.nresults > 16)
				continue;
			memset(args, 0, sizeof(args));
			for (uint32_t k = 0; k < ft.nparams; k++)
				args[k].type = ft.params[k];
			(void)bn_wasm_func_call(s, x.of.func, args, ft.nparams,
						res, ft.nresults, &trap);
		}
	}
	free(imp);
	bn_wasm_store_free(s);
	bn_wasm_module_free(m);
	return 0;
}

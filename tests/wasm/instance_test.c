/* SPDX-License-Identifier: MIT */
/*
 * tests/wasm/instance_test.c - the public object API: host functions
 * (results, traps, exit), linking by name and its failures, exports,
 * memory read/write/span bounds checks, guest out-of-bounds traps with
 * their location, argument checking and trap messages.
 */
#include "wat.h"

static const char *k_host =
	"(module\n"
	"  (import \"env\" \"add\" (func $add (param i32 i32) (result i32)))\n"
	"  (import \"env\" \"boom\" (func $boom))\n"
	"  (memory (export \"mem\") 1)\n"
	"  (func (export \"twice\") (param i32) (result i32)\n"
	"    (call $add (local.get 0) (local.get 0)))\n"
	"  (func (export \"boom\") (call $boom))\n"
	"  (func (export \"load\") (param i32) (result i32)\n"
	"    (i32.load offset=4 (local.get 0)))\n"
	"  (func (export \"div\") (param i32 i32) (result i32)\n"
	"    (i32.div_s (local.get 0) (local.get 1)))\n"
	")\n";

typedef struct hstate {
	int calls;
	int mode;   /* 0 trap, 1 exit */
} hstate;

static int h_add(bn_wasm_caller *c, const bn_wasm_val *args,
		 bn_wasm_val *results, void *payload)
{
	hstate *st = payload;
	bn_wasm_memory *mem = bn_wasm_caller_memory(c);

	st->calls++;
	if (!mem || bn_wasm_memory_size(mem) != 65536)
		return bn_wasm_caller_trap(c, "no memory");
	results[0].of.i32 = args[0].of.i32 + args[1].of.i32;
	return 0;
}

static int h_boom(bn_wasm_caller *c, const bn_wasm_val *args,
		  bn_wasm_val *results, void *payload)
{
	hstate *st = payload;

	if (st->mode == 1)
		return bn_wasm_caller_exit(c, 42);
	return bn_wasm_caller_trap(c, "boom %d", 7);
}

typedef struct env {
	bn_wasm_module *m;
	bn_wasm_store *s;
	bn_wasm_linker *l;
	bn_wasm_instance *i;
	hstate st;
} env;

static int env_open(bn_t *t, env *e)
{
	static const uint8_t ii[] = { BN_WASM_I32, BN_WASM_I32 };
	bn_wasm_functype add = { 2, 1, ii, ii };
	bn_wasm_functype boom = { 0, 0, NULL, NULL };
	bn_wasm_extern x = { .kind = BN_WASM_EXTERN_FUNC };
	bn_wasm_trap trap;
	bn_wasm_err err;
	int r;

	memset(e, 0, sizeof(*e));
	e->m = wat_module(t, k_host);
	if (!e->m)
		return -1;
	if (bn_wasm_store_new(&e->s, NULL) || bn_wasm_linker_new(&e->l))
		return -1;
	r = bn_wasm_func_new_host(&x.of.func, e->s, &add, h_add, &e->st);
	if (!r)
		r = bn_wasm_linker_define(e->l, "env", "add", &x);
	if (!r)
		r = bn_wasm_func_new_host(&x.of.func, e->s, &boom, h_boom,
					  &e->st);
	if (!r)
		r = bn_wasm_linker_define(e->l, "env", "boom", &x);
	if (!r)
		r = bn_wasm_linker_instantiate(&e->i, e->l, e->s, e->m, &trap,
					       &err);
	BN_CHECK_INT(t, r, ==, 0);
	return r;
}

static void env_close(env *e)
{
	bn_wasm_store_free(e->s);
	bn_wasm_linker_free(e->l);
	bn_wasm_module_free(e->m);
}

static void test_host_calls(bn_t *t)
{
	env e;
	bn_wasm_val a = v_i32(21), r;
	bn_wasm_trap trap;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	if (env_open(t, &e) == 0) {
		BN_CHECK_INT(t,
			     bn_wasm_func_call(e.s, export_func(e.i, "twice"),
					       &a, 1, &r, 1, &trap),
			     ==, 0);
		BN_CHECK_INT(t, r.of.i32, ==, 42);
		BN_CHECK_INT(t, e.st.calls, ==, 1);
		BN_CHECK_INT(t, bn_wasm_func_call(e.s,
			export_func(e.i, "boom"), NULL, 0, NULL, 0, &trap), ==,
			BN_WASM_ETRAP);
		BN_CHECK_INT(t, trap.kind, ==, BN_WASM_TRAP_HOST);
		BN_CHECK_STR(t, trap.msg, "boom 7");
		e.st.mode = 1;
		BN_CHECK_INT(t, bn_wasm_func_call(e.s,
			export_func(e.i, "boom"), NULL, 0, NULL, 0, &trap), ==,
			BN_WASM_ETRAP);
		BN_CHECK_INT(t, trap.kind, ==, BN_WASM_TRAP_EXIT);
		BN_CHECK_INT(t, trap.exit_code, ==, 42);
		/* after traps, the store still works */
		BN_CHECK_INT(t,
			     bn_wasm_func_call(e.s, export_func(e.i, "twice"),
					       &a, 1, &r, 1, &trap),
			     ==, 0);
	}
	env_close(&e);
}

static void test_link_errors(bn_t *t)
{
	static const uint8_t i64[] = { BN_WASM_I64 };
	bn_wasm_functype wrong = { 1, 0, i64, NULL };
	bn_wasm_module *m;
	bn_wasm_store *s;
	bn_wasm_linker *l;
	bn_wasm_instance *i;
	bn_wasm_extern x = { .kind = BN_WASM_EXTERN_FUNC };
	bn_wasm_trap trap;
	bn_wasm_err err;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	m = wat_module(t, k_host);
	if (!m)
		return;
	BN_CHECK_INT(t, bn_wasm_store_new(&s, NULL), ==, 0);
	BN_CHECK_INT(t, bn_wasm_linker_new(&l), ==, 0);
	BN_CHECK_INT(t, bn_wasm_module_import_count(m), ==, 2);
	BN_CHECK_INT(t, bn_wasm_linker_instantiate(&i, l, s, m, &trap, &err),
		     ==, BN_WASM_EUNLINKABLE);
	BN_CHECK_CONTAINS(t, err.msg, "env.add");
	BN_CHECK_INT(t, bn_wasm_func_new_host(&x.of.func, s, &wrong, h_boom,
					      NULL), ==, 0);
	BN_CHECK_INT(t, bn_wasm_linker_define(l, "env", "add", &x), ==, 0);
	BN_CHECK_INT(t, bn_wasm_linker_define(l, "env", "boom", &x), ==, 0);
	BN_CHECK_INT(t, bn_wasm_linker_instantiate(&i, l, s, m, &trap, &err),
		     ==, BN_WASM_EUNLINKABLE);
	BN_CHECK_INT(t, bn_wasm_instance_new(&i, s, m, &x, 1, &trap, &err),
		     ==, BN_WASM_EUNLINKABLE);
	bn_wasm_store_free(s);
	bn_wasm_linker_free(l);
	bn_wasm_module_free(m);
}

static void test_memory_api(bn_t *t)
{
	env e;
	bn_wasm_extern x;
	bn_wasm_memory *mem;
	uint8_t buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	if (env_open(t, &e) == 0) {
		BN_CHECK_INT(t, bn_wasm_instance_export(&x, e.i, "mem"), ==,
			     0);
		BN_CHECK_INT(t, x.kind, ==, BN_WASM_EXTERN_MEMORY);
		mem = x.of.memory;
		BN_CHECK_INT(t, bn_wasm_memory_size(mem), ==, 65536);
		/* limit - 1, limit, limit + 1 */
		BN_CHECK_INT(t, bn_wasm_memory_write(mem, 65535, buf, 1), ==,
			     0);
		BN_CHECK_INT(t, bn_wasm_memory_write(mem, 65536, buf, 0), ==,
			     0);
		BN_CHECK_INT(t, bn_wasm_memory_write(mem, 65535, buf, 2), ==,
			     -EFAULT);
		BN_CHECK_INT(t, bn_wasm_memory_write(mem, 65537, buf, 0), ==,
			     -EFAULT);
		BN_CHECK_INT(t, bn_wasm_memory_read(mem, UINT64_MAX, buf, 1),
			     ==, -EFAULT);
		BN_CHECK_INT(t, bn_wasm_memory_read(mem, 1, buf, SIZE_MAX), ==,
			     -EFAULT);
		BN_CHECK(t, bn_wasm_memory_span(mem, 65528, 8) != NULL);
		BN_CHECK(t, bn_wasm_memory_span(mem, 65529, 8) == NULL);
		BN_CHECK(t, bn_wasm_memory_span(mem, 8, UINT64_MAX) == NULL);
		BN_CHECK_INT(t, bn_wasm_memory_write(mem, 100, buf, 8), ==, 0);
		BN_CHECK_INT(t, bn_wasm_memory_data(mem)[103], ==, 4);
	}
	env_close(&e);
}

static void test_guest_bounds(bn_t *t)
{
	env e;
	bn_wasm_val a, r;
	bn_wasm_trap trap;
	bn_wasm_func *f;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	if (env_open(t, &e) == 0) {
		f = export_func(e.i, "load");
		/* offset=4: address 65528 reads [65532, 65536) */
		a = v_i32(65528);
		BN_CHECK_INT(t, bn_wasm_func_call(e.s, f, &a, 1, &r, 1, &trap),
			     ==, 0);
		a = v_i32(65529);
		BN_CHECK_INT(t, bn_wasm_func_call(e.s, f, &a, 1, &r, 1, &trap),
			     ==, BN_WASM_ETRAP);
		BN_CHECK_INT(t, trap.kind, ==, BN_WASM_TRAP_MEMORY_OOB);
		BN_CHECK_STR(t, trap.msg, "out of bounds memory access");
		BN_CHECK_INT(t, trap.func_index, ==, 4);
		BN_CHECK_INT(t, trap.code_offset, >, 0);
		/* address + offset must not wrap at 32 bits */
		a = v_i32(UINT32_MAX - 1);
		BN_CHECK_INT(t, bn_wasm_func_call(e.s, f, &a, 1, &r, 1, &trap),
			     ==, BN_WASM_ETRAP);
		BN_CHECK_INT(t, trap.kind, ==, BN_WASM_TRAP_MEMORY_OOB);
	}
	env_close(&e);
}

static void test_call_checks(bn_t *t)
{
	env e;
	bn_wasm_val a[2], r;
	bn_wasm_trap trap;
	bn_wasm_func *f;
	bn_wasm_extern x;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	if (env_open(t, &e) == 0) {
		f = export_func(e.i, "div");
		a[0] = v_i32(7);
		a[1] = v_i64(1);
		BN_CHECK_INT(t, bn_wasm_func_call(e.s, f, a, 2, &r, 1, &trap),
			     ==, -EINVAL);
		a[1] = v_i32(0);
		BN_CHECK_INT(t, bn_wasm_func_call(e.s, f, a, 1, &r, 1, &trap),
			     ==, -EINVAL);
		BN_CHECK_INT(t, bn_wasm_func_call(e.s, f, a, 2, &r, 0, &trap),
			     ==, -EINVAL);
		BN_CHECK_INT(t, bn_wasm_func_call(e.s, f, a, 2, &r, 1, &trap),
			     ==, BN_WASM_ETRAP);
		BN_CHECK_INT(t, trap.kind, ==, BN_WASM_TRAP_DIV_ZERO);
		BN_CHECK_STR(t, trap.msg, "integer divide by zero");
		a[0] = v_i32(0x80000000u);
		a[1] = v_i32(UINT32_MAX);
		BN_CHECK_INT(t, bn_wasm_func_call(e.s, f, a, 2, &r, 1, &trap),
			     ==, BN_WASM_ETRAP);
		BN_CHECK_STR(t, trap.msg, "integer overflow");
		a[0] = v_i32(7);
		a[1] = v_i32(2);
		BN_CHECK_INT(t, bn_wasm_func_call(e.s, f, a, 2, &r, 1, &trap),
			     ==, 0);
		BN_CHECK_INT(t, r.of.i32, ==, 3);
		BN_CHECK_INT(t, bn_wasm_instance_export(&x, e.i, "nope"), ==,
			     BN_WASM_ENOTFOUND);
		BN_CHECK_STR(t, bn_wasm_trap_kind_name(
			BN_WASM_TRAP_FUEL_EXHAUSTED), "fuel exhausted");
	}
	env_close(&e);
}

static void test_globals_tables(bn_t *t)
{
	bn_wasm_store *s;
	bn_wasm_global *g;
	bn_wasm_table *tb;
	bn_wasm_memory *m;
	bn_wasm_val v = v_i32(5), out;
	bn_wasm_limits lim = BN_WASM_LIMITS_INIT;

	lim.max_table_elems = 10;
	/* the memory cap counts table entries too: ten, then one page */
	lim.max_memory_bytes = 65536 + 10 * sizeof(void *);
	BN_CHECK_INT(t, bn_wasm_store_new(&s, &lim), ==, 0);
	BN_CHECK_INT(t, bn_wasm_global_new(&g, s, &v, false), ==, 0);
	BN_CHECK_INT(t, bn_wasm_global_set(g, &v), ==, -EINVAL);
	bn_wasm_global_get(&out, g);
	BN_CHECK_INT(t, out.of.i32, ==, 5);
	BN_CHECK_INT(t, bn_wasm_global_new(&g, s, &v, true), ==, 0);
	v.of.i32 = 9;
	BN_CHECK_INT(t, bn_wasm_global_set(g, &v), ==, 0);
	bn_wasm_global_get(&out, g);
	BN_CHECK_INT(t, out.of.i32, ==, 9);
	BN_CHECK_INT(t, bn_wasm_table_new(&tb, s, BN_WASM_FUNCREF, 10, 20,
					  NULL), ==, 0);
	BN_CHECK_INT(t, bn_wasm_table_new(&tb, s, BN_WASM_FUNCREF, 11, 20,
					  NULL), ==, BN_WASM_ELIMIT);
	BN_CHECK_INT(t, bn_wasm_memory_new(&m, s, 1, 2), ==, 0);
	BN_CHECK_INT(t, bn_wasm_memory_new(&m, s, 1, 2), ==, BN_WASM_ELIMIT);
	bn_wasm_store_free(s);
}

int main(void)
{
	bn_t t = { 0 };

	BN_RUN(&t, test_host_calls);
	BN_RUN(&t, test_link_errors);
	BN_RUN(&t, test_memory_api);
	BN_RUN(&t, test_guest_bounds);
	BN_RUN(&t, test_call_checks);
	BN_RUN(&t, test_globals_tables);
	return bn_t_done(&t);
}

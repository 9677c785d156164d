/* SPDX-License-Identifier: MIT */
/*
 * tests/wasm/interp_test.c - the engine's limits, each at limit - 1, limit
 * and limit + 1: fuel (and that its count is deterministic), memory cap on
 * instantiation, memory.grow and table.grow (table entries and element
 * segments count against it too), call depth and value-stack cells (deep
 * recursion traps, never crashes the host), an interrupt from another
 * thread stopping an infinite loop, and one that comes during a host call
 * stopping its caller when the call returns.  Meson runs it twice: on
 * the default engine (machine code where there is a code generator) and
 * with BN_TEST_ENGINE=interp on the interpreter alone.
 */
#include <pthread.h>
#include <time.h>

#include "wat.h"

static const char *k_prog =
	"(module\n"
	"  (func (export \"spin\") (param $n i32) (result i32)\n"
	"    (loop $l\n"
	"      (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"
	"      (br_if $l (local.get $n)))\n"
	"    (local.get $n))\n"
	"  (func (export \"forever\") (loop $l (br $l)))\n"
	"  (func $r (export \"rec\") (param i32) (result i32)\n"
	"    (if (result i32) (i32.eqz (local.get 0))\n"
	"      (then (i32.const 0))\n"
	"      (else (i32.add (call $r (i32.sub (local.get 0)\n"
	"                                        (i32.const 1)))\n"
	"                     (i32.const 1)))))\n"
	"  (func $inf (export \"inf\") (call $inf))\n"
	")\n";

typedef struct env {
	bn_wasm_module *m;
	bn_wasm_store *s;
	bn_wasm_instance *i;
} env;

/* LIM (or the defaults) on the engine BN_TEST_ENGINE names. */
static const bn_wasm_limits *engine_limits(bn_wasm_limits *out,
					   const bn_wasm_limits *lim)
{
	const char *e = getenv("BN_TEST_ENGINE");
	bn_wasm_limits dflt = BN_WASM_LIMITS_INIT;

	*out = lim ? *lim : dflt;
	if (e && !strcmp(e, "interp"))
		out->engine = BN_WASM_ENGINE_INTERP;
	return out;
}

static int env_open(bn_t *t, env *e, const char *wat,
		    const bn_wasm_limits *lim)
{
	bn_wasm_limits mine;
	bn_wasm_trap trap;
	bn_wasm_err err;
	int r;

	memset(e, 0, sizeof(*e));
	e->m = wat_module(t, wat);
	if (!e->m)
		return -1;
	r = bn_wasm_store_new(&e->s, engine_limits(&mine, lim));
	BN_CHECK_INT(t, r, ==, 0);
	if (r)
		return r;
	r = bn_wasm_instance_new(&e->i, e->s, e->m, NULL, 0, &trap, &err);
	return r;
}

static void env_close(env *e)
{
	bn_wasm_store_free(e->s);
	bn_wasm_module_free(e->m);
}

/* Call NAME(arg) -> i32; returns the call's result code. */
static int call1(env *e, const char *name, uint32_t arg, uint32_t *res,
		 bn_wasm_trap *trap)
{
	bn_wasm_val a = v_i32(arg), r;
	bn_wasm_func *f = export_func(e->i, name);
	int rc;

	if (!f)
		return -1;
	rc = bn_wasm_func_call(e->s, f, &a, 1, &r, 1, trap);
	if (!rc && res)
		*res = r.of.i32;
	return rc;
}

static uint64_t fuel_for(bn_t *t, uint32_t n)
{
	env e;
	bn_wasm_trap trap;
	uint32_t res = 1;
	uint64_t used;

	if (env_open(t, &e, k_prog, NULL)) {
		env_close(&e);
		return 0;
	}
	BN_CHECK_INT(t, call1(&e, "spin", n, &res, &trap), ==, 0);
	BN_CHECK_INT(t, res, ==, 0);
	used = bn_wasm_store_fuel_used(e.s);
	env_close(&e);
	return used;
}

static void test_fuel_deterministic(bn_t *t)
{
	uint64_t a, b, c, d;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	a = fuel_for(t, 10);
	b = fuel_for(t, 10);
	c = fuel_for(t, 20);
	d = fuel_for(t, 30);
	BN_CHECK_INT(t, a, >, 0);
	BN_CHECK_INT(t, a, ==, b);
	BN_CHECK_INT(t, c, >, a);
	/* linear in the iterations: each one costs the same */
	BN_CHECK_INT(t, d - c, ==, c - a);
}

static void test_fuel_boundary(bn_t *t)
{
	uint64_t need;
	env e;
	bn_wasm_limits lim = BN_WASM_LIMITS_INIT;
	bn_wasm_trap trap;
	uint32_t res;
	int rc;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	need = fuel_for(t, 50);
	for (int delta = -1; delta <= 1; delta++) {
		lim.fuel = need + (uint64_t)(int64_t)delta;
		if (env_open(t, &e, k_prog, &lim)) {
			env_close(&e);
			return;
		}
		rc = call1(&e, "spin", 50, &res, &trap);
		if (delta < 0) {
			BN_CHECK_INT(t, rc, ==, BN_WASM_ETRAP);
			BN_CHECK_INT(t, trap.kind, ==,
				     BN_WASM_TRAP_FUEL_EXHAUSTED);
			BN_CHECK_STR(t, trap.msg, "fuel exhausted");
		} else {
			BN_CHECK_INT(t, rc, ==, 0);
			BN_CHECK_INT(t, bn_wasm_store_fuel_used(e.s), ==,
				     need);
		}
		env_close(&e);
	}
}

static void test_fuel_infinite_loop(bn_t *t)
{
	env e;
	bn_wasm_limits lim = BN_WASM_LIMITS_INIT;
	bn_wasm_trap trap;
	bn_wasm_func *f;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	lim.fuel = 100000;
	if (env_open(t, &e, k_prog, &lim)) {
		env_close(&e);
		return;
	}
	f = export_func(e.i, "forever");
	BN_CHECK_INT(t, bn_wasm_func_call(e.s, f, NULL, 0, NULL, 0, &trap),
		     ==, BN_WASM_ETRAP);
	BN_CHECK_INT(t, trap.kind, ==, BN_WASM_TRAP_FUEL_EXHAUSTED);
	/* a new budget lets the store run again */
	bn_wasm_store_set_fuel(e.s, 1000);
	BN_CHECK_INT(t, call1(&e, "spin", 3, NULL, &trap), ==, 0);
	env_close(&e);
}

static void test_call_depth(bn_t *t)
{
	env e;
	bn_wasm_limits lim = BN_WASM_LIMITS_INIT;
	bn_wasm_trap trap;
	uint32_t res = 0;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	lim.max_call_depth = 100;
	if (env_open(t, &e, k_prog, &lim)) {
		env_close(&e);
		return;
	}
	/* rec(n) needs n + 1 frames */
	BN_CHECK_INT(t, call1(&e, "rec", 98, &res, &trap), ==, 0);
	BN_CHECK_INT(t, res, ==, 98);
	BN_CHECK_INT(t, call1(&e, "rec", 99, &res, &trap), ==, 0);
	BN_CHECK_INT(t, res, ==, 99);
	BN_CHECK_INT(t, call1(&e, "rec", 100, &res, &trap), ==,
		     BN_WASM_ETRAP);
	BN_CHECK_INT(t, trap.kind, ==, BN_WASM_TRAP_STACK_EXHAUSTED);
	BN_CHECK_STR(t, trap.msg, "call stack exhausted");
	/* the store is usable after the trap */
	BN_CHECK_INT(t, call1(&e, "rec", 10, &res, &trap), ==, 0);
	BN_CHECK_INT(t, res, ==, 10);
	env_close(&e);
}

static void test_deep_recursion(bn_t *t)
{
	env e;
	bn_wasm_limits lim = BN_WASM_LIMITS_INIT;
	bn_wasm_trap trap;
	bn_wasm_func *f;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	/* far deeper than any C stack would allow with C recursion */
	lim.max_call_depth = 2000000;
	lim.max_stack_cells = 1u << 24;
	if (env_open(t, &e, k_prog, &lim)) {
		env_close(&e);
		return;
	}
	f = export_func(e.i, "inf");
	BN_CHECK_INT(t, bn_wasm_func_call(e.s, f, NULL, 0, NULL, 0, &trap),
		     ==, BN_WASM_ETRAP);
	BN_CHECK_INT(t, trap.kind, ==, BN_WASM_TRAP_STACK_EXHAUSTED);
	env_close(&e);
}

static void test_stack_cells(bn_t *t)
{
	env e;
	bn_wasm_limits lim = BN_WASM_LIMITS_INIT;
	bn_wasm_trap trap;
	uint32_t res;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	lim.max_stack_cells = 4096;
	if (env_open(t, &e, k_prog, &lim)) {
		env_close(&e);
		return;
	}
	BN_CHECK_INT(t, call1(&e, "rec", 10, &res, &trap), ==, 0);
	BN_CHECK_INT(t, call1(&e, "rec", 5000, &res, &trap), ==,
		     BN_WASM_ETRAP);
	BN_CHECK_INT(t, trap.kind, ==, BN_WASM_TRAP_STACK_EXHAUSTED);
	env_close(&e);
}

#define K_MEM "(module (memory (export \"mem\") %u)\n" \
	"  (func (export \"grow\") (param i32) (result i32)\n" \
	"    (memory.grow (local.get 0))))\n"

static void test_memory_cap(bn_t *t)
{
	bn_wasm_limits lim = BN_WASM_LIMITS_INIT;
	char wat[256];
	env e;
	uint32_t res;
	bn_wasm_trap trap;
	int rc;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	lim.max_memory_bytes = 3 * 65536;
	for (unsigned pages = 2; pages <= 4; pages++) {
		snprintf(wat, sizeof(wat), K_MEM, pages);
		rc = env_open(t, &e, wat, &lim);
		if (pages <= 3)
			BN_CHECK_INT(t, rc, ==, 0);
		else
			BN_CHECK_INT(t, rc, ==, BN_WASM_ELIMIT);
		env_close(&e);
	}
	/* memory.grow: to the cap, then one page over it */
	snprintf(wat, sizeof(wat), K_MEM, 1u);
	if (env_open(t, &e, wat, &lim)) {
		env_close(&e);
		return;
	}
	BN_CHECK_INT(t, call1(&e, "grow", 1, &res, &trap), ==, 0);
	BN_CHECK_INT(t, res, ==, 1);
	BN_CHECK_INT(t, call1(&e, "grow", 2, &res, &trap), ==, 0);
	BN_CHECK_INT(t, res, ==, UINT32_MAX);
	BN_CHECK_INT(t, call1(&e, "grow", 1, &res, &trap), ==, 0);
	BN_CHECK_INT(t, res, ==, 2);
	BN_CHECK_INT(t, call1(&e, "grow", 1, &res, &trap), ==, 0);
	BN_CHECK_INT(t, res, ==, UINT32_MAX);
	BN_CHECK_INT(t, call1(&e, "grow", 0, &res, &trap), ==, 0);
	BN_CHECK_INT(t, res, ==, 3);
	BN_CHECK_INT(t, bn_wasm_store_memory_peak(e.s), ==, 3 * 65536);
	env_close(&e);
}

/* Table entries (a pointer each) count against the same memory cap. */
#define ENTRY ((uint32_t)sizeof(void *))
#define K_TAB "(module (memory %u) (table %u funcref)\n" \
	"  (func (export \"grow\") (param i32) (result i32)\n" \
	"    (table.grow 0 (ref.null func) (local.get 0))))\n"
#define K_ELEM "(module (table %u funcref) (func $f)\n" \
	"  (elem func %s))\n"

static void test_table_cap(bn_t *t)
{
	bn_wasm_limits lim = BN_WASM_LIMITS_INIT;
	char wat[4096], refs[2048];
	env e;
	uint32_t res;
	bn_wasm_trap trap;
	int rc;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	/* instantiation: a table of 99, 100 and 101 entries under a cap of
	   100 entries, beside no memory and beside one page */
	for (uint32_t pages = 0; pages <= 1; pages++) {
		lim.max_memory_bytes = pages * 65536 + 100 * ENTRY;
		for (uint32_t n = 99; n <= 101; n++) {
			snprintf(wat, sizeof(wat), K_TAB, pages, n);
			rc = env_open(t, &e, wat, &lim);
			BN_CHECK_INT(t, rc, ==, n <= 100 ? 0 : BN_WASM_ELIMIT);
			if (n == 100 && rc == 0)
				BN_CHECK_INT(t, bn_wasm_store_memory_peak(e.s),
					     ==, lim.max_memory_bytes);
			env_close(&e);
		}
	}
	/* table.grow: to the cap, then refused (-1) and counted */
	lim.max_memory_bytes = 100 * ENTRY;
	snprintf(wat, sizeof(wat), K_TAB, 0u, 0u);
	if (env_open(t, &e, wat, &lim)) {
		env_close(&e);
		return;
	}
	BN_CHECK_INT(t, call1(&e, "grow", 99, &res, &trap), ==, 0);
	BN_CHECK_INT(t, res, ==, 0);
	BN_CHECK_INT(t, call1(&e, "grow", 2, &res, &trap), ==, 0);
	BN_CHECK_INT(t, res, ==, UINT32_MAX);
	BN_CHECK_INT(t, bn_wasm_store_memory_refused(e.s), ==, 1);
	BN_CHECK_INT(t, call1(&e, "grow", 1, &res, &trap), ==, 0);
	BN_CHECK_INT(t, res, ==, 99);
	BN_CHECK_INT(t, call1(&e, "grow", 1, &res, &trap), ==, 0);
	BN_CHECK_INT(t, res, ==, UINT32_MAX);
	BN_CHECK_INT(t, call1(&e, "grow", 0, &res, &trap), ==, 0);
	BN_CHECK_INT(t, res, ==, 100);
	BN_CHECK_INT(t, bn_wasm_store_memory_peak(e.s), ==, 100 * ENTRY);
	env_close(&e);
	/* a passive element segment holds its entries too: a table of 50
	   and a segment of 49, 50 or 51 entries under a cap of 100 */
	lim.max_memory_bytes = 100 * ENTRY;
	for (uint32_t n = 49; n <= 51; n++) {
		for (uint32_t k = 0; k < n; k++)
			memcpy(refs + 3 * k, "$f ", 3);
		refs[3 * n] = '\0';
		snprintf(wat, sizeof(wat), K_ELEM, 50u, refs);
		rc = env_open(t, &e, wat, &lim);
		BN_CHECK_INT(t, rc, ==, n <= 50 ? 0 : BN_WASM_ELIMIT);
		env_close(&e);
	}
}

static void *interrupter(void *arg)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	bn_wasm_store_interrupt(arg);
	return NULL;
}

static void test_interrupt(bn_t *t)
{
	env e;
	bn_wasm_trap trap;
	bn_wasm_func *f;
	pthread_t th;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	if (env_open(t, &e, k_prog, NULL)) {
		env_close(&e);
		return;
	}
	f = export_func(e.i, "forever");
	BN_CHECK_INT(t, pthread_create(&th, NULL, interrupter, e.s), ==, 0);
	BN_CHECK_INT(t, bn_wasm_func_call(e.s, f, NULL, 0, NULL, 0, &trap),
		     ==, BN_WASM_ETRAP);
	pthread_join(th, NULL);
	BN_CHECK_INT(t, trap.kind, ==, BN_WASM_TRAP_INTERRUPTED);
	/* the flag is consumed: the next call runs */
	BN_CHECK_INT(t, call1(&e, "spin", 3, NULL, &trap), ==, 0);
	env_close(&e);
}

/* A host function that blocks while the interrupt comes (here: asks for
   it itself, on its first call only). */
static int interrupting_host(bn_wasm_caller *c, const bn_wasm_val *args,
			     bn_wasm_val *res, void *payload)
{
	int *calls = payload;

	(void)args;
	if ((*calls)++ == 0)
		bn_wasm_store_interrupt(bn_wasm_caller_store(c));
	res[0] = v_i32(7);
	return 0;
}

/* An interrupt that comes during a host call stops the wasm caller as
   soon as the host function returns, even when no call or loop follows. */
static void test_interrupt_in_host(bn_t *t)
{
	static const uint8_t i32 = BN_WASM_I32;
	bn_wasm_functype ft = { 0, 1, NULL, &i32 };
	bn_wasm_extern imp = { .kind = BN_WASM_EXTERN_FUNC };
	bn_wasm_module *m;
	bn_wasm_store *s;
	bn_wasm_instance *i;
	bn_wasm_trap trap;
	bn_wasm_err err;
	bn_wasm_val r;
	bn_wasm_limits mine;
	int calls = 0;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	m = wat_module(t, "(module\n"
		       "  (import \"env\" \"block\" (func $b (result i32)))\n"
		       "  (func (export \"after\") (result i32)\n"
		       "    (i32.add (call $b) (i32.const 35))))\n");
	if (!m)
		return;
	BN_CHECK_INT(t, bn_wasm_store_new(&s, engine_limits(&mine, NULL)), ==,
		     0);
	BN_CHECK_INT(t, bn_wasm_func_new_host(&imp.of.func, s, &ft,
					      interrupting_host, &calls), ==, 0);
	BN_CHECK_INT(t, bn_wasm_instance_new(&i, s, m, &imp, 1, &trap, &err),
		     ==, 0);
	BN_CHECK_INT(t, bn_wasm_func_call(s, export_func(i, "after"), NULL, 0,
					  &r, 1, &trap), ==, BN_WASM_ETRAP);
	BN_CHECK_INT(t, trap.kind, ==, BN_WASM_TRAP_INTERRUPTED);
	BN_CHECK_INT(t, calls, ==, 1);
	/* consumed: the next call runs to its end */
	BN_CHECK_INT(t, bn_wasm_func_call(s, export_func(i, "after"), NULL, 0,
					  &r, 1, &trap), ==, 0);
	BN_CHECK_INT(t, r.of.i32, ==, 42);
	bn_wasm_store_free(s);
	bn_wasm_module_free(m);
}

/* local.get is read lazily from the local's cell: writes to the local
   while such reads are pending, on every path, must not change them. */
static const char *k_fold =
	"(module\n"
	"  (func (export \"swap\") (param i32 i32) (result i32)\n"
	"    (local.get 0) (local.get 1) (local.set 0) (local.set 1)\n"
	"    (i32.sub (i32.mul (local.get 0) (i32.const 10))\n"
	"             (local.get 1)))\n"
	"  (func (export \"branchy\") (param i32) (result i32)\n"
	"    (local.get 0)\n"
	"    (block (br_if 0 (local.get 0))\n"
	"      (local.set 0 (i32.const 100)))\n"
	"    (local.get 0) (i32.add))\n"
	"  (func (export \"tee\") (param i32) (result i32)\n"
	"    (local.get 0)\n"
	"    (local.tee 0 (i32.add (local.get 0) (i32.const 1)))\n"
	"    (local.set 0 (i32.const 1000))\n"
	"    (i32.add) (local.get 0) (i32.add))\n"
	")\n";

static void test_operand_folding(bn_t *t)
{
	bn_wasm_module *m;
	bn_wasm_store *s;
	bn_wasm_instance *i;
	bn_wasm_trap trap;
	bn_wasm_err err;
	bn_wasm_val a[2], r;
	bn_wasm_limits mine;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm not found");
	m = wat_module(t, k_fold);
	if (!m)
		return;
	BN_CHECK_INT(t, bn_wasm_store_new(&s, engine_limits(&mine, NULL)), ==,
		     0);
	BN_CHECK_INT(t, bn_wasm_instance_new(&i, s, m, NULL, 0, &trap, &err),
		     ==, 0);
	a[0] = v_i32(3);
	a[1] = v_i32(4);
	/* swap: local0 = 4, local1 = 3: 4 * 10 - 3 */
	BN_CHECK_INT(t, bn_wasm_func_call(s, export_func(i, "swap"), a, 2,
					  &r, 1, &trap), ==, 0);
	BN_CHECK_INT(t, r.of.i32, ==, 37);
	/* taken: 5 + 5; not taken: 0 + 100 */
	a[0] = v_i32(5);
	BN_CHECK_INT(t, bn_wasm_func_call(s, export_func(i, "branchy"), a, 1,
					  &r, 1, &trap), ==, 0);
	BN_CHECK_INT(t, r.of.i32, ==, 10);
	a[0] = v_i32(0);
	BN_CHECK_INT(t, bn_wasm_func_call(s, export_func(i, "branchy"), a, 1,
					  &r, 1, &trap), ==, 0);
	BN_CHECK_INT(t, r.of.i32, ==, 100);
	/* tee: 7 + 8 + 1000 */
	a[0] = v_i32(7);
	BN_CHECK_INT(t, bn_wasm_func_call(s, export_func(i, "tee"), a, 1,
					  &r, 1, &trap), ==, 0);
	BN_CHECK_INT(t, r.of.i32, ==, 1015);
	bn_wasm_store_free(s);
	bn_wasm_module_free(m);
}

int main(void)
{
	bn_t t = { 0 };

	BN_RUN(&t, test_fuel_deterministic);
	BN_RUN(&t, test_fuel_boundary);
	BN_RUN(&t, test_fuel_infinite_loop);
	BN_RUN(&t, test_call_depth);
	BN_RUN(&t, test_deep_recursion);
	BN_RUN(&t, test_stack_cells);
	BN_RUN(&t, test_memory_cap);
	BN_RUN(&t, test_table_cap);
	BN_RUN(&t, test_interrupt);
	BN_RUN(&t, test_interrupt_in_host);
	BN_RUN(&t, test_operand_folding);
	return bn_t_done(&t);
}

/* SPDX-License-Identifier: MIT */
/*
 * tests/wasm/jit_test.c - the machine code engine agrees with the
 * interpreter.  Every export of a test module is called with many inputs
 * in two stores, one per engine, and the outcomes must be identical:
 * result, trap kind, trapping function and code offset, and fuel used.
 * The module exercises what the code generator handles itself (integer
 * and float arithmetic, comparisons fused with branches, br_table, memory
 * accesses at the bounds, memory.grow seen by the caller, direct and
 * indirect calls, imports, host functions calling back into wasm, values
 * kept in registers across branches and joins: "joins") and
 * what it hands to the interpreter (min/max, trapping and saturating
 * conversions, bulk memory).  Also: on x86-64 Linux the module really is
 * compiled, and the limits (fuel, depth) stop it at the same points.
 * Memory bounds: both ways the machine code keeps accesses in bounds
 * (guard pages and explicit checks) agree with the interpreter, a refused
 * reservation (RLIMIT_AS) falls back to checks, and a fault that is not
 * an access of wasm code still kills the process.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "wat.h"
#include "wasm_int.h"

static const char *k_mod =
	"(module\n"
	"  (import \"host\" \"twice\" (func $twice (param i32) (result i32)))\n"
	"  (type $ii (func (param i32) (result i32)))\n"
	"  (type $l (func (param i64) (result i64)))\n"
	"  (memory 1 4)\n"
	"  (table 4 funcref)\n"
	"  (elem (i32.const 0) $sq $neg $sq64)\n"
	"  (global $g (mut i32) (i32.const 7))\n"
	"  (func $sq (type $ii) (i32.mul (local.get 0) (local.get 0)))\n"
	"  (func $neg (type $ii) (i32.sub (i32.const 0) (local.get 0)))\n"
	"  (func $sq64 (type $l) (i64.mul (local.get 0) (local.get 0)))\n"
	"  (func (export \"sq\") (param i32) (result i32)\n"
	"    (call $sq (local.get 0)))\n"
	/* integers: every operator on (a, b), folded into one i64 */
	"  (func (export \"ints\") (param $a i32) (param $b i32) (result i64)\n"
	"    (local $h i64) (local $x i64) (local $y i64)\n"
	"    (local.set $x (i64.extend_i32_s (local.get $a)))\n"
	"    (local.set $y (i64.or (i64.shl (i64.extend_i32_u (local.get $b))\n"
	"                            (i64.const 29)) (local.get $x)))\n"
	"    (local.set $h (i64.extend_i32_u (i32.add (local.get $a)\n"
	"                                             (local.get $b))))\n"
	"    (local.set $h (i64.xor (i64.mul (local.get $h) (i64.const 31))\n"
	"      (i64.extend_i32_u (i32.sub (local.get $a) (local.get $b)))))\n"
	"    (local.set $h (i64.add (local.get $h) (i64.extend_i32_u\n"
	"      (i32.mul (local.get $a) (local.get $b)))))\n"
	"    (local.set $h (i64.add (i64.rotl (local.get $h) (i64.const 7))\n"
	"      (i64.extend_i32_u (i32.rotr (local.get $a) (local.get $b)))))\n"
	"    (local.set $h (i64.add (local.get $h) (i64.extend_i32_u\n"
	"      (i32.shl (local.get $a) (local.get $b)))))\n"
	"    (local.set $h (i64.add (local.get $h) (i64.extend_i32_u\n"
	"      (i32.shr_s (local.get $a) (local.get $b)))))\n"
	"    (local.set $h (i64.add (local.get $h) (i64.extend_i32_u\n"
	"      (i32.shr_u (local.get $a) (local.get $b)))))\n"
	"    (local.set $h (i64.add (local.get $h) (i64.extend_i32_u\n"
	"      (i32.clz (local.get $a)))))\n"
	"    (local.set $h (i64.add (local.get $h) (i64.extend_i32_u\n"
	"      (i32.ctz (local.get $b)))))\n"
	"    (local.set $h (i64.add (local.get $h) (i64.extend_i32_u\n"
	"      (i32.popcnt (local.get $a)))))\n"
	"    (local.set $h (i64.add (local.get $h) (i64.clz (local.get $y))))\n"
	"    (local.set $h (i64.add (local.get $h) (i64.ctz (local.get $y))))\n"
	"    (local.set $h (i64.add (local.get $h) (i64.popcnt (local.get $y))))\n"
	"    (local.set $h (i64.add (i64.shl (local.get $h) (i64.const 1))\n"
	"      (i64.extend_i32_u (i32.lt_s (local.get $a) (local.get $b)))))\n"
	"    (local.set $h (i64.add (i64.shl (local.get $h) (i64.const 1))\n"
	"      (i64.extend_i32_u (i32.lt_u (local.get $a) (local.get $b)))))\n"
	"    (local.set $h (i64.add (i64.shl (local.get $h) (i64.const 1))\n"
	"      (i64.extend_i32_u (i32.ge_s (local.get $a) (local.get $b)))))\n"
	"    (local.set $h (i64.add (i64.shl (local.get $h) (i64.const 1))\n"
	"      (i64.extend_i32_u (i64.gt_u (local.get $x) (local.get $y)))))\n"
	"    (local.set $h (i64.add (i64.shl (local.get $h) (i64.const 1))\n"
	"      (i64.extend_i32_u (i64.le_s (local.get $x) (local.get $y)))))\n"
	"    (local.set $h (i64.add (i64.shl (local.get $h) (i64.const 1))\n"
	"      (i64.extend_i32_u (i32.eqz (local.get $b)))))\n"
	"    (local.set $h (i64.add (local.get $h) (i64.extend8_s (local.get $y))))\n"
	"    (local.set $h (i64.add (local.get $h) (i64.extend16_s (local.get $x))))\n"
	"    (local.set $h (i64.add (local.get $h) (i64.extend_i32_s\n"
	"      (i32.extend8_s (local.get $a)))))\n"
	"    (local.set $h (i64.add (local.get $h)\n"
	"      (select (local.get $x) (local.get $y) (local.get $b))))\n"
	/* last: the trapping ones (b = 0, or INT_MIN / -1) */
	"    (local.set $h (i64.add (local.get $h) (i64.extend_i32_u\n"
	"      (i32.rem_s (local.get $a) (local.get $b)))))\n"
	"    (local.set $h (i64.add (local.get $h) (i64.extend_i32_u\n"
	"      (i32.div_u (local.get $a) (local.get $b)))))\n"
	"    (local.set $h (i64.add (local.get $h) (i64.rem_u (local.get $y)\n"
	"      (i64.extend_i32_u (local.get $b)))))\n"
	"    (i64.add (local.get $h) (i64.extend_i32_u\n"
	"      (i32.div_s (local.get $a) (local.get $b)))))\n"
	/* floats: bits of the results folded, conversions last (they trap) */
	"  (func (export \"floats\") (param $a i32) (param $b i32) (result i64)\n"
	"    (local $x f64) (local $y f64) (local $f f32) (local $h i64)\n"
	"    (local.set $x (f64.div (f64.convert_i32_s (local.get $a))\n"
	"                           (f64.convert_i32_u (local.get $b))))\n"
	"    (local.set $y (f64.sqrt (f64.mul (local.get $x) (local.get $x))))\n"
	"    (local.set $f (f32.demote_f64 (f64.sub (local.get $x)\n"
	"                                           (f64.const 0.25))))\n"
	"    (local.set $h (i64.reinterpret_f64 (f64.add (local.get $x)\n"
	"                                                (local.get $y))))\n"
	"    (local.set $h (i64.xor (local.get $h) (i64.extend_i32_u\n"
	"      (i32.reinterpret_f32 (f32.mul (local.get $f) (local.get $f))))))\n"
	"    (local.set $h (i64.add (local.get $h) (i64.reinterpret_f64\n"
	"      (f64.min (local.get $x) (f64.neg (local.get $y))))))\n"
	"    (local.set $h (i64.add (local.get $h) (i64.extend_i32_u\n"
	"      (i32.reinterpret_f32 (f32.max (local.get $f)\n"
	"        (f32.abs (f32.convert_i32_s (local.get $b))))))))\n"
	"    (local.set $h (i64.add (local.get $h) (i64.reinterpret_f64\n"
	"      (f64.nearest (local.get $x)))))\n"
	"    (local.set $h (i64.add (local.get $h) (i64.reinterpret_f64\n"
	"      (f64.floor (f64.promote_f32 (local.get $f))))))\n"
	"    (local.set $h (i64.add (local.get $h) (i64.reinterpret_f64\n"
	"      (f64.copysign (local.get $x) (f64.const -1)))))\n"
	"    (local.set $h (i64.add (i64.shl (local.get $h) (i64.const 1))\n"
	"      (i64.extend_i32_u (f64.lt (local.get $x) (local.get $y)))))\n"
	"    (local.set $h (i64.add (i64.shl (local.get $h) (i64.const 1))\n"
	"      (i64.extend_i32_u (f64.eq (local.get $x) (local.get $x)))))\n"
	"    (local.set $h (i64.add (i64.shl (local.get $h) (i64.const 1))\n"
	"      (i64.extend_i32_u (f32.ne (local.get $f) (local.get $f)))))\n"
	"    (local.set $h (i64.add (local.get $h)\n"
	"      (i64.trunc_sat_f64_s (f64.mul (local.get $x) (f64.const 1e30)))))\n"
	"    (i64.add (local.get $h) (i64.extend_i32_u\n"
	"      (i32.trunc_f64_s (f64.mul (local.get $x) (f64.const 1e8))))))\n"
	/* memory: a store and load at A (traps past the end), after the
	   callee grew memory by B pages */
	"  (func $grow (param i32) (result i32) (memory.grow (local.get 0)))\n"
	"  (func (export \"mem\") (param $a i32) (param $b i32) (result i64)\n"
	"    (local $old i32)\n"
	"    (local.set $old (call $grow (i32.and (local.get $b) (i32.const 3))))\n"
	"    (i64.store offset=3 (local.get $a) (i64.extend_i32_u\n"
	"      (i32.add (local.get $old) (i32.const 0x1234567))))\n"
	"    (i32.store8 (local.get $a) (local.get $b))\n"
	"    (memory.fill (i32.const 100) (local.get $b) (i32.const 16))\n"
	"    (i64.add (i64.load offset=3 (local.get $a))\n"
	"      (i64.add (i64.load8_s (local.get $a))\n"
	"        (i64.extend_i32_u (i32.add (memory.size)\n"
	"          (i32.load16_u (i32.const 108)))))))\n"
	/* control: br_table, a loop with a fused condition, indirect calls,
	   the host import (which calls back into sq) and a global */
	"  (func (export \"ctl\") (param $a i32) (param $b i32) (result i64)\n"
	"    (local $i i32) (local $s i32)\n"
	"    (block $d (block $c (block $b1 (block $a1\n"
	"      (br_table $a1 $b1 $c $d (i32.and (local.get $a) (i32.const 7))))\n"
	"      (local.set $s (i32.const 11)) (br $d))\n"
	"      (local.set $s (i32.const 22)) (br $d))\n"
	"      (local.set $s (i32.const 33)))\n"
	"    (loop $l\n"
	"      (local.set $s (i32.add (local.get $s) (local.get $i)))\n"
	"      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
	"      (br_if $l (i32.lt_u (local.get $i) (i32.and (local.get $b)\n"
	"                                                  (i32.const 255)))))\n"
	"    (global.set $g (i32.add (global.get $g) (local.get $s)))\n"
	"    (i64.add (i64.extend_i32_u (call $twice (local.get $s)))\n"
	"      (i64.extend_i32_u (i32.add (global.get $g)\n"
	"        (call_indirect (type $ii) (local.get $s)\n"
	"          (i32.and (local.get $b) (i32.const 3)))))))\n"
	/* values computed just before a branch or join and used after it:
	   the machine code keeps them in registers and must store the live
	   ones (block results, values a branch carries, loop locals) */
	"  (func (export \"joins\") (param $a i32) (param $b i32) (result i64)\n"
	"    (local $i i32) (local $s i64) (local $f f64)\n"
	"    (local.set $s (i64.extend_i32_u\n"
	"      (if (result i32) (i32.and (local.get $a) (i32.const 1))\n"
	"        (then (i32.mul (i32.add (local.get $a) (local.get $b))\n"
	"                       (i32.const 3)))\n"
	"        (else (i32.xor (local.get $b) (i32.const 0x55))))))\n"
	"    (local.set $f (if (result f64) (i32.lt_s (local.get $a)\n"
	"                                          (local.get $b))\n"
	"      (then (f64.mul (f64.convert_i32_s (local.get $a)) (f64.const 1.5)))\n"
	"      (else (f64.sub (f64.convert_i32_u (local.get $b))\n"
	"                     (f64.const 0.25)))))\n"
	"    (local.set $s (i64.add (local.get $s) (i64.extend_i32_u\n"
	"      (block $out (result i32)\n"
	"        (drop (br_if $out (i32.add (local.get $a) (i32.const 7))\n"
	"                          (i32.and (local.get $b) (i32.const 2))))\n"
	"        (block $t2 (result i32) (block $t1 (result i32)\n"
	"          (br_table $t1 $t2 $out (i32.sub (local.get $b)\n"
	"                                          (local.get $a))\n"
	"            (i32.and (local.get $a) (i32.const 3))))\n"
	"          (i32.const 100) (i32.add))\n"
	"        (i32.const 1000) (i32.add)))))\n"
	"    (loop $l\n"
	"      (local.set $f (f64.add (local.get $f) (f64.const 0.5)))\n"
	"      (local.set $s (i64.add (i64.mul (local.get $s) (i64.const 31))\n"
	"                             (i64.extend_i32_u (local.get $i))))\n"
	"      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i)\n"
	"                                              (i32.const 1)))\n"
	"                          (i32.and (local.get $a) (i32.const 15)))))\n"
	"    (i64.add (local.get $s) (i64.reinterpret_f64 (local.get $f))))\n"
	/* the interpreter's super-instructions: const64 + i32.add +
	   access (trapping at the bounds), a load feeding an operator,
	   results read from acc (also behind a const64), and a join whose
	   two arms leave different values in acc */
	"  (func (export \"groups\") (param $a i32) (param $b i32) (result i64)\n"
	"    (local $i i32) (local $x i32)\n"
	"    (i32.store (i32.add (local.get $b) (i32.const 8))\n"
	"               (i32.mul (local.get $a) (i32.const 3)))\n"
	"    (local.set $x (i32.rotl (i32.xor (local.get $a)\n"
	"                   (i32.load (i32.add (local.get $b) (i32.const 8))))\n"
	"                 (i32.const 7)))\n"
	"    (local.set $x (i32.add (local.get $x)\n"
	"      (if (result i32) (i32.and (local.get $a) (i32.const 1))\n"
	"        (then (i32.const 6) (local.set $i (i32.const 99)))\n"
	"        (else (i32.const 7)))))\n"
	"    (loop $l\n"
	"      (local.set $x (i32.xor (i32.mul (local.get $x) (i32.const 31))\n"
	"                             (i32.load8_u (local.get $i))))\n"
	"      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i)\n"
	"                                              (i32.const 1)))\n"
	"                          (i32.const 5))))\n"
	"    (i64.add (i64.extend_i32_u (local.get $x))\n"
	"      (i64.add (i64.mul (i64.load (i32.and (local.get $a)\n"
	"                                           (i32.const 0xfff8)))\n"
	"                        (i64.const 3))\n"
	"               (i64.reinterpret_f64\n"
	"                 (f64.mul (f64.load (local.get $b))\n"
	"                          (f64.add (f64.convert_i32_u (local.get $a))\n"
	"                                   (f64.const 0.5)))))))\n"
	")\n";

/* host.twice(x) = 2 * sq(x) computed by calling back into the module */
typedef struct host_ctx {
	bn_wasm_instance *inst;
} host_ctx;

static int host_twice(bn_wasm_caller *c, const bn_wasm_val *args,
		      bn_wasm_val *res, void *payload)
{
	host_ctx *h = payload;
	bn_wasm_func *sq = export_func(h->inst, "sq");
	bn_wasm_val r;
	bn_wasm_trap trap;

	if (!sq || bn_wasm_func_call(bn_wasm_caller_store(c), sq, args, 1,
				     &r, 1, &trap))
		return bn_wasm_caller_trap(c, "callback failed");
	res[0] = v_i32(2 * r.of.i32);
	return 0;
}

typedef struct run {
	bn_wasm_store *s;
	bn_wasm_instance *i;
	host_ctx host;
} run;

static int run_open_bounds(bn_t *t, run *r, bn_wasm_module *m,
			   uint8_t engine, uint8_t bounds, uint64_t fuel,
			   uint32_t depth)
{
	bn_wasm_limits lim = BN_WASM_LIMITS_INIT;
	static const uint8_t i32[] = { BN_WASM_I32 };
	bn_wasm_functype ft = { 1, 1, i32, i32 };
	bn_wasm_extern imp = { .kind = BN_WASM_EXTERN_FUNC };
	bn_wasm_trap trap;
	bn_wasm_err err;
	int e;

	memset(r, 0, sizeof(*r));
	lim.engine = engine;
	lim.bounds = bounds;
	lim.fuel = fuel;
	lim.max_call_depth = depth;
	e = bn_wasm_store_new(&r->s, &lim);
	if (!e)
		e = bn_wasm_func_new_host(&imp.of.func, r->s, &ft, host_twice,
					  &r->host);
	if (!e)
		e = bn_wasm_instance_new(&r->i, r->s, m, &imp, 1, &trap, &err);
	BN_CHECK_INT(t, e, ==, 0);
	r->host.inst = r->i;
	return e;
}

static int run_open(bn_t *t, run *r, bn_wasm_module *m, uint8_t engine,
		    uint64_t fuel, uint32_t depth)
{
	return run_open_bounds(t, r, m, engine, BN_WASM_BOUNDS_AUTO, fuel,
			       depth);
}

/* One call's outcome, for comparing engines. */
typedef struct outcome {
	int rc;
	uint64_t v;
	int kind;
	uint32_t func;
	uint32_t off;
	uint64_t fuel;
} outcome;

static outcome call2(run *r, const char *name, uint32_t a, uint32_t b)
{
	bn_wasm_val args[2] = { v_i32(a), v_i32(b) }, res;
	bn_wasm_trap trap = { 0 };
	outcome o = { 0 };
	bn_wasm_func *f = export_func(r->i, name);

	o.rc = f ? bn_wasm_func_call(r->s, f, args, 2, &res, 1, &trap) : -1;
	if (o.rc == 0)
		o.v = res.of.i64;
	else {
		o.kind = trap.kind;
		o.func = trap.func_index;
		o.off = trap.code_offset;
	}
	o.fuel = bn_wasm_store_fuel_used(r->s);
	return o;
}

static const uint32_t k_inputs[] = {
	0, 1, 2, 3, 7, 31, 32, 33, 100, 255, 65535, 65536, 65533, 0x7fffffff,
	0x80000000u, 0xffffffffu, 0xfffffff9u, 123456789, 0xdeadbeefu,
	131070, 196606, 262136, 262143,
};
#define NIN (sizeof(k_inputs) / sizeof(k_inputs[0]))

static bool same(const outcome *a, const outcome *b)
{
	return a->rc == b->rc && a->v == b->v && a->kind == b->kind &&
	       a->func == b->func && a->off == b->off && a->fuel == b->fuel;
}

/* Every export on every input pair: both engines alike.  FEATURES >= 0
   recompiles the module for a CPU with only those features (the code
   paths that step rounding and popcnt through the interpreter).  BOUNDS
   is the machine code side's BN_WASM_BOUNDS_*: guard pages or checks. */
static void engines_agree(bn_t *t, int features, uint8_t bounds)
{
	static const char *const names[] = { "ints", "floats", "mem", "ctl",
					     "joins", "groups" };
	bn_wasm_module *m;
	run jit, itp;
	size_t diff = 0, traps = 0, calls = 0;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm (wabt) is not installed");
	m = wat_module(t, k_mod);
	if (!m)
		return;
	if (features >= 0 && m->jit) {
		BN_CHECK_INT(t, bn_wasm__jit_compile_features(m,
			(unsigned)features), ==, 0);
		BN_CHECK(t, m->jit != NULL);
	}
	for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
		for (size_t x = 0; x < NIN; x++) {
			for (size_t y = 0; y < NIN; y++) {
				outcome a, b;

				/* fresh stores: memory grows per call */
				if (run_open_bounds(t, &jit, m,
						    BN_WASM_ENGINE_AUTO,
						    bounds, 0, 0) ||
				    run_open(t, &itp, m, BN_WASM_ENGINE_INTERP,
					     0, 0))
					goto out;
#if defined(__x86_64__) && defined(__linux__)
				/* the mode asked for is the mode used */
				if (bn_wasm_memory_guarded(jit.i->mems[0]) !=
					    (bounds == BN_WASM_BOUNDS_AUTO) ||
				    !bn_wasm_instance_compiled(jit.i))
					diff++;
#endif
				a = call2(&jit, names[n], k_inputs[x],
					  k_inputs[y]);
				b = call2(&itp, names[n], k_inputs[x],
					  k_inputs[y]);
				calls++;
				traps += a.rc != 0;
				if (!same(&a, &b) && diff++ < 5)
					printf("# %s(%u, %u): jit rc %d "
						  "v %llx trap %d@%u+%u fuel "
						  "%llu; interp rc %d v %llx "
						  "trap %d@%u+%u fuel %llu\n",
						  names[n], k_inputs[x],
						  k_inputs[y], a.rc,
						  (unsigned long long)a.v,
						  a.kind, a.func, a.off,
						  (unsigned long long)a.fuel,
						  b.rc, (unsigned long long)b.v,
						  b.kind, b.func, b.off,
						  (unsigned long long)b.fuel);
				bn_wasm_store_free(jit.s);
				bn_wasm_store_free(itp.s);
			}
		}
	}
	BN_CHECK_INT(t, diff, ==, 0);
	/* the inputs reach both sides: results and traps */
	BN_CHECK_INT(t, traps, >, 20);
	BN_CHECK_INT(t, traps, <, calls - 100);
out:
	bn_wasm_module_free(m);
}

static void test_engines_agree(bn_t *t)
{
	engines_agree(t, -1, BN_WASM_BOUNDS_AUTO);
}

static void test_engines_agree_checked(bn_t *t)
{
	engines_agree(t, -1, BN_WASM_BOUNDS_CHECK);
}

static void test_engines_agree_plain_cpu(bn_t *t)
{
	engines_agree(t, 0, BN_WASM_BOUNDS_AUTO);
}

#if defined(__x86_64__) && defined(__linux__)
/* Address space this process has mapped, in bytes (from /proc). */
static uint64_t vm_bytes(void)
{
	unsigned long long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%llu", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	return pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* In a child: cap RLIMIT_AS at what is mapped plus 1 GiB, so no 8 GiB
   reservation fits.  A module loaded before (M, compiled for guard
   pages) and one loaded after the cap must both run with explicit
   checks and trap out of bounds where the interpreter does.  Exit
   status: 0 fine, else the number of the failed check. */
static int guard_refused_child(bn_wasm_module *m, const uint8_t *bin,
			       size_t len)
{
	struct rlimit rl;
	bn_wasm_module *m2 = NULL;
	bn_wasm_err err;
	run jit, itp;
	outcome a, b;

	rl.rlim_cur = rl.rlim_max = vm_bytes() + ((uint64_t)1 << 30);
	if (setrlimit(RLIMIT_AS, &rl))
		return 10;
	if (bn_wasm_module_new(&m2, bin, len, &err))
		return 11;
	for (int k = 0; k < 2; k++) {
		bn_wasm_module *mm = k ? m2 : m;
		bn_t quiet = { 0 };

		if (run_open(&quiet, &jit, mm, BN_WASM_ENGINE_AUTO, 0, 0) ||
		    run_open(&quiet, &itp, mm, BN_WASM_ENGINE_INTERP, 0, 0))
			return 12;
		if (bn_wasm_memory_guarded(jit.i->mems[0]))
			return 13;
		if (!bn_wasm_instance_compiled(jit.i))
			return 14;
		/* in bounds, then past the end of the 1..4 pages */
		a = call2(&jit, "mem", 100, 1);
		b = call2(&itp, "mem", 100, 1);
		if (a.rc != 0 || !same(&a, &b))
			return 15;
		a = call2(&jit, "mem", 262136, 0);
		b = call2(&itp, "mem", 262136, 0);
		if (a.kind != BN_WASM_TRAP_MEMORY_OOB || !same(&a, &b))
			return 16;
		bn_wasm_store_free(jit.s);
		bn_wasm_store_free(itp.s);
	}
	bn_wasm_module_free(m2);
	return 0;
}
#endif

static void test_guard_refused(bn_t *t)
{
#if defined(__x86_64__) && defined(__linux__)
	bn_wasm_module *m;
	uint8_t *bin = NULL;
	size_t len = 0;
	int st = 0;
	pid_t pid;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm (wabt) is not installed");
	if (wat_compile(k_mod, &bin, &len))
		BN_SKIP(t, "wat2wasm failed");
	m = wat_module(t, k_mod);
	if (!m) {
		free(bin);
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(guard_refused_child(m, bin, len));
	BN_CHECK(t, pid > 0 && waitpid(pid, &st, 0) == pid);
	BN_CHECK(t, WIFEXITED(st));
	BN_CHECK_INT(t, WEXITSTATUS(st), ==, 0);
	bn_wasm_module_free(m);
	free(bin);
#else
	BN_SKIP(t, "no machine code on this platform");
#endif
}

/* The fault handler takes only faults of wasm accesses: any other
   SIGSEGV in the process still ends it, after guarded code has run. */
static void test_other_faults_still_crash(bn_t *t)
{
	bn_wasm_module *m;
	int st = 0;
	pid_t pid;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm (wabt) is not installed");
	m = wat_module(t, k_mod);
	if (!m)
		return;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		bn_t quiet = { 0 };
		run r;
		outcome o;

		if (run_open(&quiet, &r, m, BN_WASM_ENGINE_AUTO, 0, 0))
			_exit(3);
		o = call2(&r, "mem", 262136, 0);  /* a caught fault */
		if (o.kind != BN_WASM_TRAP_MEMORY_OOB)
			_exit(4);
		/* a stray write outside any wasm memory (a sanitizer's
		   report of it is expected: keep it out of the TAP) */
		dup2(open("/dev/null", O_WRONLY), 2);
		volatile uintptr_t stray = 16;  /* hidden from the compiler */
		*(volatile int *)stray = 1;
		_exit(42);
	}
	BN_CHECK(t, pid > 0 && waitpid(pid, &st, 0) == pid);
	/* killed by SIGSEGV, or (under a sanitizer) reported and failed */
	BN_CHECK(t, (WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV) ||
		    (WIFEXITED(st) && WEXITSTATUS(st) != 0 &&
		     WEXITSTATUS(st) != 3 && WEXITSTATUS(st) != 4 &&
		     WEXITSTATUS(st) != 42));
	bn_wasm_module_free(m);
}

/* A fuel limit stops both engines at the same instruction, with the same
   count, for every limit from 1 up to what the call needs. */
static void test_fuel_limits_agree(bn_t *t)
{
	bn_wasm_module *m;
	outcome full;
	run r;
	size_t diff = 0;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm (wabt) is not installed");
	m = wat_module(t, k_mod);
	if (!m)
		return;
	if (run_open(t, &r, m, BN_WASM_ENGINE_INTERP, 0, 0))
		goto out;
	full = call2(&r, "ctl", 5, 40);
	bn_wasm_store_free(r.s);
	BN_CHECK_INT(t, full.rc, ==, 0);
	BN_CHECK_INT(t, full.fuel, >, 40);
	for (uint64_t f = 1; f <= full.fuel + 1; f++) {
		run a, b;
		outcome oa, ob;

		if (run_open(t, &a, m, BN_WASM_ENGINE_AUTO, f, 0) ||
		    run_open(t, &b, m, BN_WASM_ENGINE_INTERP, f, 0))
			break;
		oa = call2(&a, "ctl", 5, 40);
		ob = call2(&b, "ctl", 5, 40);
		if (!same(&oa, &ob) && diff++ < 5)
			printf("# fuel %llu: jit rc %d trap %d@%u+%u used %llu; "
			       "interp rc %d trap %d@%u+%u used %llu\n",
			       (unsigned long long)f, oa.rc, oa.kind, oa.func,
			       oa.off, (unsigned long long)oa.fuel, ob.rc,
			       ob.kind, ob.func, ob.off,
			       (unsigned long long)ob.fuel);
		/* (inside the host's callback it shows as the host's trap) */
		if (f < full.fuel && oa.kind != BN_WASM_TRAP_FUEL_EXHAUSTED &&
		    oa.kind != BN_WASM_TRAP_HOST)
			diff++;
		if (f >= full.fuel && oa.rc != 0)
			diff++;
		bn_wasm_store_free(a.s);
		bn_wasm_store_free(b.s);
	}
	BN_CHECK_INT(t, diff, ==, 0);
out:
	bn_wasm_module_free(m);
}

static const char *k_rec =
	"(module\n"
	"  (func $r (export \"rec\") (param i32) (result i32)\n"
	"    (if (result i32) (i32.eqz (local.get 0))\n"
	"      (then (i32.const 0))\n"
	"      (else (i32.add (call $r (i32.sub (local.get 0) (i32.const 1)))\n"
	"                     (i32.const 1))))))\n";

/* The call depth limit is exact under both engines, and a store is
   usable again after hitting it. */
static void test_depth_agrees(bn_t *t)
{
	bn_wasm_module *m;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm (wabt) is not installed");
	m = wat_module(t, k_rec);
	if (!m)
		return;
	for (int e = 0; e < 2; e++) {
		bn_wasm_limits lim = BN_WASM_LIMITS_INIT;
		bn_wasm_store *s = NULL;
		bn_wasm_instance *i = NULL;
		bn_wasm_trap trap;
		bn_wasm_err err;
		bn_wasm_val a, r;

		lim.engine = e ? BN_WASM_ENGINE_INTERP : BN_WASM_ENGINE_AUTO;
		lim.max_call_depth = 300;
		if (bn_wasm_store_new(&s, &lim) ||
		    bn_wasm_instance_new(&i, s, m, NULL, 0, &trap, &err)) {
			BN_CHECK(t, false);
			bn_wasm_store_free(s);
			continue;
		}
		/* depth 300 holds rec(299) (300 frames) but not rec(300) */
		a = v_i32(299);
		BN_CHECK_INT(t, bn_wasm_func_call(s, export_func(i, "rec"), &a,
						  1, &r, 1, &trap), ==, 0);
		BN_CHECK_INT(t, r.of.i32, ==, 299);
		a = v_i32(300);
		BN_CHECK_INT(t, bn_wasm_func_call(s, export_func(i, "rec"), &a,
						  1, &r, 1, &trap), ==,
			     BN_WASM_ETRAP);
		BN_CHECK_INT(t, trap.kind, ==, BN_WASM_TRAP_STACK_EXHAUSTED);
		a = v_i32(250);
		BN_CHECK_INT(t, bn_wasm_func_call(s, export_func(i, "rec"), &a,
						  1, &r, 1, &trap), ==, 0);
		BN_CHECK_INT(t, r.of.i32, ==, 250);
		bn_wasm_store_free(s);
	}
	bn_wasm_module_free(m);
}

/* Calls into wasm leave the call depth as they found it, on both
   engines: a store makes any number of calls whose code calls the host
   (and back), each allowed the full depth. */
static void test_depth_restored_after_host_calls(bn_t *t)
{
	bn_wasm_module *m;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm (wabt) is not installed");
	m = wat_module(t, k_mod);
	if (!m)
		return;
	for (int e = 0; e < 2; e++) {
		run r;
		int failed = 0;

		if (run_open(t, &r, m, e ? BN_WASM_ENGINE_INTERP :
			     BN_WASM_ENGINE_AUTO, 0, 8)) {
			bn_wasm_store_free(r.s);
			continue;
		}
		for (uint32_t k = 0; k < 100; k++)
			failed += call2(&r, "ctl", k, 4 * k).rc != 0;
		BN_CHECK_INT(t, failed, ==, 0);
		bn_wasm_store_free(r.s);
	}
	bn_wasm_module_free(m);
}

/* Where the platform has a code generator, modules are compiled. */
static void test_compiled(bn_t *t)
{
	bn_wasm_module *m;

	if (!have_wat2wasm())
		BN_SKIP(t, "wat2wasm (wabt) is not installed");
	m = wat_module(t, k_mod);
	if (!m)
		return;
#if defined(__x86_64__) && defined(__linux__)
	BN_CHECK(t, m->jit != NULL);
	BN_CHECK(t, bn_wasm__jit_select(m, NULL) == m->jit);
#else
	BN_CHECK(t, m->jit == NULL);
#endif
	bn_wasm_module_free(m);
}

int main(void)
{
	bn_t t = { 0 };

	BN_RUN(&t, test_compiled);
	BN_RUN(&t, test_engines_agree);
	BN_RUN(&t, test_engines_agree_checked);
	BN_RUN(&t, test_engines_agree_plain_cpu);
	BN_RUN(&t, test_guard_refused);
	BN_RUN(&t, test_other_faults_still_crash);
	BN_RUN(&t, test_fuel_limits_agree);
	BN_RUN(&t, test_depth_agrees);
	BN_RUN(&t, test_depth_restored_after_host_calls);
	return bn_t_done(&t);
}

/* SPDX-License-Identifier: MIT */
/*
 * wasm/interp.c - runs the slot code made by translate.c.
 *
 * Direct threading: every instruction starts with its handler's address
 * (GNU C labels as values), operands are frame cell indices.  Calls between
 * wasm functions push a bn_wasm__frame on the store's frame array and never
 * recurse in C, so call depth is bounded by max_call_depth alone.  Values
 * live in the store's value stack (max_stack_cells cells).
 * A handler leaves pc at its own instruction until it is done, so a trap
 * knows where it happened.
 * Super-instructions (wasm_int.h, enum bn_wasm__hkind): the first
 * instruction of a common group gets a handler that runs the whole group
 * with one dispatch.  A const64, an i32.add or a 4 or 8 byte load in
 * front of an operator are prefixes (labels LC_, LA_, LCA_, LL4_, LL8_,
 * IC_) that do their work, step pc over themselves and fall through (or
 * jump) into the operator's own handler; a branch whose target is a loop
 * header goes straight to loop_check (IL_, ICL_) instead of through the
 * target's handler.
 * Every scalar numeric instruction, load and const64 also leaves its
 * result in acc, which stays in a register across dispatch (f64
 * arithmetic and f64.load in facc, a floating-point register); an
 * instruction that reads the result of the one before it (and is no
 * branch target) may take a variant that reads acc (LX1_, LX2_, IX1_)
 * instead of waiting for the frame cell to be stored and loaded; so may
 * an operator behind a const64 (LCX1_), which leaves acc alone.
 * The code's layout does not change: a branch into a group still finds
 * that instruction's own handler, and a trap in the operator reports the
 * operator.
 * Spec: Core 2.0, chapter 4 (Execution), 4.3 numerics.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_int.h"

static inline float f32_of(uint64_t c)
{
	uint32_t u = (uint32_t)c;
	float f;

	memcpy(&f, &u, 4);
	return f;
}

static inline double f64_of(uint64_t c)
{
	double d;

	memcpy(&d, &c, 8);
	return d;
}

static inline uint64_t bits_f32(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

static inline uint64_t bits_f64(double d)
{
	uint64_t u;

	memcpy(&u, &d, 8);
	return u;
}

/* min/max per spec: NaN in, NaN out; -0 < +0. */
static inline uint64_t fmin32(uint64_t a, uint64_t b)
{
	float x = f32_of(a), y = f32_of(b);

	if (isnan(x) || isnan(y))
		return bits_f32(x + y);
	if (x == y)
		return (a | b) & 0xffffffffu;
	return x < y ? a : b;
}

static inline uint64_t fmax32(uint64_t a, uint64_t b)
{
	float x = f32_of(a), y = f32_of(b);

	if (isnan(x) || isnan(y))
		return bits_f32(x + y);
	if (x == y)
		return a & b & 0xffffffffu;
	return x > y ? a : b;
}

static inline uint64_t fmin64(uint64_t a, uint64_t b)
{
	double x = f64_of(a), y = f64_of(b);

	if (isnan(x) || isnan(y))
		return bits_f64(x + y);
	if (x == y)
		return a | b;
	return x < y ? a : b;
}

static inline uint64_t fmax64(uint64_t a, uint64_t b)
{
	double x = f64_of(a), y = f64_of(b);

	if (isnan(x) || isnan(y))
		return bits_f64(x + y);
	if (x == y)
		return a & b;
	return x > y ? a : b;
}

/*
 * ceil, floor, trunc and nearest of a NaN: the input with its quiet bit
 * set, which the spec accepts (an arithmetic NaN; a canonical one stays
 * canonical).  Decided on the bits, not left to libm or the optimiser:
 * gcc's inline expansions return a signalling NaN unquieted, clang's
 * calls quiet it, and results must not depend on the compiler.
 */
static inline uint32_t round32(float r, uint32_t in)
{
	if ((in & 0x7fffffffu) > 0x7f800000u)
		return in | 0x00400000u;
	return (uint32_t)bits_f32(r);
}

static inline uint64_t round64(double r, uint64_t in)
{
	if ((in & 0x7fffffffffffffffull) > 0x7ff0000000000000ull)
		return in | 0x0008000000000000ull;
	return bits_f64(r);
}

static inline uint32_t rotl32(uint32_t x, uint32_t n)
{
	n &= 31;
	return n ? (x << n) | (x >> (32 - n)) : x;
}

static inline uint64_t rotl64(uint64_t x, uint64_t n)
{
	n &= 63;
	return n ? (x << n) | (x >> (64 - n)) : x;
}

/* Saturating truncations (also used by the trapping ones after checks). */
static inline uint64_t sat_i32_s(double x)
{
	if (isnan(x))
		return 0;
	if (x <= -2147483648.0)
		return (uint32_t)INT32_MIN;
	if (x >= 2147483647.0)
		return (uint32_t)INT32_MAX;
	return (uint32_t)(int32_t)x;
}

static inline uint64_t sat_i32_u(double x)
{
	if (isnan(x) || x <= -1.0)
		return 0;
	if (x >= 4294967295.0)
		return UINT32_MAX;
	return (uint32_t)x;
}

static inline uint64_t sat_i64_s(double x)
{
	if (isnan(x))
		return 0;
	if (x < -9223372036854775808.0)
		return (uint64_t)INT64_MIN;
	if (x >= 9223372036854775808.0)
		return (uint64_t)INT64_MAX;
	return (uint64_t)(int64_t)x;
}

static inline uint64_t sat_i64_u(double x)
{
	if (isnan(x) || x <= -1.0)
		return 0;
	if (x >= 18446744073709551616.0)
		return UINT64_MAX;
	return (uint64_t)x;
}

/* Zero the declared locals of a frame of C at FP (they follow the
   params).  Most functions have a few, which plain stores clear faster
   than a call to memset. */
static inline void zero_locals(uint64_t *fp, const bn_wasm__code *c)
{
	uint64_t *p = fp + c->param_cells, *end = fp + c->local_cells;

	if (end - p > 8) {
		memset(p, 0, (size_t)(end - p) * 8);
		return;
	}
	for (; p < end; p++) {
		*p = 0;
		/* keeps the compiler from turning the loop back into memset */
		__asm__("" : "+r"(p));
	}
}

void bn_wasm__trap_set(bn_wasm_trap *trap, bn_wasm_trap_kind kind,
		       const char *msg)
{
	if (!trap)
		return;
	trap->kind = kind;
	trap->func_index = UINT32_MAX;
	trap->code_offset = 0;
	snprintf(trap->msg, sizeof(trap->msg), "%s", msg);
}

uint32_t bn_wasm__code_offset(const bn_wasm__code *c, uint32_t cell)
{
	uint32_t lo = 0, hi = c->nmap;

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (c->map[mid].cell <= cell)
			lo = mid;
		else
			hi = mid;
	}
	return c->nmap ? c->map[lo].offset : 0;
}

static uint32_t code_offset(const bn_wasm__code *c, const bn_wasm__cell *pc)
{
	size_t cell = (size_t)(pc - c->code);

	return bn_wasm__code_offset(c, cell > UINT32_MAX ? UINT32_MAX
							 : (uint32_t)cell);
}

/* Call host function F with arguments (and results) in cells at FP. */
int bn_wasm__call_host(bn_wasm_store *s, bn_wasm_func *f,
		       bn_wasm_instance *inst, uint64_t *fp,
		       bn_wasm_trap *trap)
{
	const bn_wasm__type *ty = f->type;
	bn_wasm_val small[16], *args = small, *res;
	size_t n = (size_t)ty->nparams + ty->nresults;
	bn_wasm_caller caller = { s, inst, trap };
	uint32_t cell = 0;
	int r;

	if (n > 16) {
		args = calloc(n, sizeof(*args));
		if (!args) {
			bn_wasm__trap_set(trap, BN_WASM_TRAP_HOST,
					  "out of memory");
			return BN_WASM_ETRAP;
		}
	}
	res = args + ty->nparams;
	for (uint32_t i = 0; i < ty->nparams; i++) {
		bn_wasm__val_from_cells(&args[i], ty->types[i], fp + cell);
		cell += bn_wasm__cells(ty->types[i]);
	}
	for (uint32_t i = 0; i < ty->nresults; i++) {
		memset(&res[i], 0, sizeof(res[i]));
		res[i].type = ty->types[ty->nparams + i];
	}
	if (trap)
		trap->kind = BN_WASM_TRAP_NONE;
	r = f->host(&caller, args, res, f->payload);
	/* an interrupt that came while the host function ran (it may have
	   blocked for long) stops the call as soon as it returns */
	if (r == 0 && atomic_load_explicit(&s->interrupt,
					   memory_order_relaxed)) {
		atomic_store(&s->interrupt, false);
		bn_wasm__trap_set(trap, BN_WASM_TRAP_INTERRUPTED,
				  "interrupted");
		r = BN_WASM_ETRAP;
	} else if (r == 0) {
		cell = 0;
		for (uint32_t i = 0; i < ty->nresults; i++) {
			res[i].type = ty->types[ty->nparams + i];
			bn_wasm__val_to_cells(fp + cell, &res[i]);
			cell += bn_wasm__cells(res[i].type);
		}
	} else {
		if (trap && trap->kind == BN_WASM_TRAP_NONE)
			bn_wasm__trap_set(trap, BN_WASM_TRAP_HOST,
					  "host function failed");
		r = BN_WASM_ETRAP;
	}
	if (args != small)
		free(args);
	return r;
}

#define MEM_SYNC() do { \
	mem = inst->mems ? inst->mems[0] : NULL; \
	mbase = mem ? mem->data : NULL; \
	msize = mem ? mem->size : 0; \
} while (0)
/* entering or back in a frame of F: its instance and memory (the same
   as before unless the call crossed instances; memory.grow and host
   calls keep mbase and msize current) */
#define INST_SYNC() do { \
	if (f->inst != inst) { \
		inst = f->inst; \
		MEM_SYNC(); \
	} \
} while (0)
#define TRAP(k, m) do { tk = (k); tmsg = (m); goto trap; } while (0)
#define NEXT(n) do { pc += (n); goto *pc->h; } while (0)
#define U(i) (pc[i].u)
#define R(i) (fp[pc[i].u])
#define I32(i) ((uint32_t)R(i))
#define S32(i) ((int32_t)(uint32_t)R(i))
#define I64(i) (R(i))
#define S64(i) ((int64_t)R(i))
#define F32(i) (f32_of(R(i)))
#define F64(i) (f64_of(R(i)))

/* the const64 ([h, dst, value]) in front of a super-instruction */
#define CONST_PRE(label) label: fp[pc[1].u] = pc[2].u; pc += 3;
#define UNOP(name, expr) L_##name: { R(1) = acc = (expr); NEXT(3); }
/* a load ([h, dst, address, offset]) of NB bytes, zero-extended */
#define LOAD_PRE(label, nb, ty, target) label: { \
	uint64_t ea = (uint64_t)I32(2) + U(3); ty v_; \
	if (ea + (nb) > msize) \
		TRAP(BN_WASM_TRAP_MEMORY_OOB, "out of bounds memory access"); \
	memcpy(&v_, mbase + ea, (nb)); \
	R(1) = v_; pc += 4; goto target; }
/* a binary operator's prefixes: a 4 or 8 byte load, const64 */
#define BIN_PRE(name) \
	LOAD_PRE(LL4_##name, 4, uint32_t, L_##name) \
	LOAD_PRE(LL8_##name, 8, uint64_t, L_##name) \
	CONST_PRE(LC_##name)
#define BINOP(name, expr) BIN_PRE(name) \
	L_##name: { R(1) = acc = (expr); NEXT(4); }
/* a binary operator on values A and B of type T (u32, u64, f64), also
   with either operand taken from the register the last result waits in
   (LX1_, LX2_): facc for an f64 (of f64 arithmetic or f64.load; no
   round trip through an integer register), acc for the rest */
#define TY_u32 uint32_t
#define TY_s32 int32_t
#define TY_u64 uint64_t
#define TY_s64 int64_t
#define TY_f64 double
#define GET_u32(x) ((uint32_t)(x))
#define GET_s32(x) ((int32_t)(uint32_t)(x))
#define GET_u64(x) (x)
#define GET_s64(x) ((int64_t)(x))
#define GET_f64(x) f64_of(x)
#define PUT_u32(v) ((uint64_t)(uint32_t)(v))
#define PUT_s32(v) ((uint64_t)(uint32_t)(v))
#define PUT_u64(v) ((uint64_t)(v))
#define PUT_s64(v) ((uint64_t)(v))
#define ACC_u32 GET_u32(acc)
#define ACC_s32 GET_s32(acc)
#define ACC_u64 acc
#define ACC_s64 GET_s64(acc)
#define ACC_f64 facc
#define SET_u32(v) R(1) = acc = PUT_u32(v)
#define SET_s32(v) R(1) = acc = PUT_s32(v)
#define SET_u64(v) R(1) = acc = PUT_u64(v)
#define SET_s64(v) R(1) = acc = PUT_s64(v)
#define SET_f64(v) R(1) = bits_f64(facc = (v))
#define BINOPA_BODY(T, x, y, expr) { \
	TY_##T a = x, b = y; \
	SET_##T(expr); NEXT(4); }
/* the same for a unary operator on A (result already a cell's bits) */
#define UNOPA(name, T, expr) \
	LX1_##name: { TY_##T a = GET_##T(acc); R(1) = acc = (expr); NEXT(3); } \
	L_##name: { TY_##T a = GET_##T(R(2)); R(1) = acc = (expr); NEXT(3); }
#define BINOPA(name, T, expr) \
	LCX1_##name: fp[pc[1].u] = pc[2].u; pc += 3; goto LX1_##name; \
	LX1_##name: BINOPA_BODY(T, ACC_##T, GET_##T(R(3)), expr) \
	LX2_##name: BINOPA_BODY(T, GET_##T(R(2)), ACC_##T, expr) \
	BIN_PRE(name) \
	L_##name: BINOPA_BODY(T, GET_##T(R(2)), GET_##T(R(3)), expr)
/* an access's prefixes: const64 + i32.add, i32.add (whose sum, the
   address, goes on in acc), const64 */
#define MEM_PRE(name) CONST_PRE(LCA_##name) \
	LA_##name: R(1) = acc = (uint32_t)(I32(2) + I32(3)); pc += 4; \
	goto LX1_##name; \
	CONST_PRE(LC_##name)
#define LOAD_BODY(addr, ty, set) { \
	uint64_t ea = (uint64_t)(uint32_t)(addr) + U(3); ty v_; \
	if (ea + sizeof(ty) > msize) \
		TRAP(BN_WASM_TRAP_MEMORY_OOB, "out of bounds memory access"); \
	memcpy(&v_, mbase + ea, sizeof(ty)); \
	set; NEXT(4); }
/* a load of a TY into cell 1, which SET also leaves in acc or facc */
#define LOAD_AS(name, ty, set) LX1_##name: LOAD_BODY(acc, ty, set) \
	MEM_PRE(name) L_##name: LOAD_BODY(R(2), ty, set)
#define LOAD(name, ty, conv) LOAD_AS(name, ty, R(1) = acc = (conv))
#define STORE_BODY(addr, val, ty) { \
	uint64_t ea = (uint64_t)(uint32_t)(addr) + U(3); ty v_ = (ty)(val); \
	if (ea + sizeof(ty) > msize) \
		TRAP(BN_WASM_TRAP_MEMORY_OOB, "out of bounds memory access"); \
	memcpy(mbase + ea, &v_, sizeof(ty)); NEXT(4); }
/* a store of a TY; LX2_ takes the value, ACCV, from acc or facc */
#define STORE_AS(name, ty, accv) \
	LCX1_##name: fp[pc[1].u] = pc[2].u; pc += 3; goto LX1_##name; \
	LX1_##name: STORE_BODY(acc, R(2), ty) \
	LX2_##name: STORE_BODY(R(1), accv, ty) \
	MEM_PRE(name) L_##name: STORE_BODY(R(1), R(2), ty)
#define STORE(name, ty) STORE_AS(name, ty, acc)

/* SIMD: a v128 is loaded from its two cells into a union of lane views. */
typedef union v128 {
	uint8_t u8[16];
	int8_t i8[16];
	uint16_t u16[8];
	int16_t i16[8];
	uint32_t u32[4];
	int32_t i32[4];
	uint64_t u64[2];
	int64_t i64[2];
	float f32[4];
	double f64[2];
} v128;

static inline int64_t sat(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

#define VLD(v, i) memcpy(&(v), fp + U(i), 16)
#define VST(i, v) memcpy(fp + U(i), &(v), 16)
#define VUN(name, n, stmt) L_##name: { v128 a, r; VLD(a, 2); \
	for (int k = 0; k < (n); k++) { stmt; } VST(1, r); NEXT(3); }
#define VBIN(name, n, stmt) L_##name: { v128 a, b, r; VLD(a, 2); \
	VLD(b, 3); for (int k = 0; k < (n); k++) { stmt; } VST(1, r); NEXT(4); }
#define VSHIFT(name, n, stmt) L_##name: { v128 a, r; uint32_t c = I32(3); \
	VLD(a, 2); for (int k = 0; k < (n); k++) { stmt; } VST(1, r); NEXT(4); }
#define VRED(name, n, stmt, init) L_##name: { v128 a; uint32_t x = (init); \
	VLD(a, 2); for (int k = 0; k < (n); k++) { stmt; } R(1) = x; NEXT(3); }
#define VSPLAT(name, n, stmt) L_##name: { v128 r; uint64_t x = R(2); \
	for (int k = 0; k < (n); k++) { stmt; } VST(1, r); NEXT(3); }
#define VEXTRACT(name, expr) L_##name: { v128 a; VLD(a, 2); R(1) = (expr); \
	NEXT(4); }
#define VREPLACE(name, stmt) L_##name: { v128 a; uint64_t x = R(3); \
	VLD(a, 2); stmt; VST(1, a); NEXT(5); }
#define VLOAD(name, nb, stmt) L_##name: { \
	uint64_t ea = (uint64_t)I32(2) + U(3); uint8_t m_[16]; v128 r; \
	if (ea + (nb) > msize) \
		TRAP(BN_WASM_TRAP_MEMORY_OOB, "out of bounds memory access"); \
	memcpy(m_, mbase + ea, (nb)); stmt; VST(1, r); NEXT(4); }
#define VLANE_LOAD(name, nb) L_##name: { \
	uint64_t ea = (uint64_t)I32(2) + U(4); v128 a; \
	if (ea + (nb) > msize) \
		TRAP(BN_WASM_TRAP_MEMORY_OOB, "out of bounds memory access"); \
	VLD(a, 3); memcpy(&a.u8[U(5) * (nb)], mbase + ea, (nb)); \
	VST(1, a); NEXT(6); }
#define VLANE_STORE(name, nb) L_##name: { \
	uint64_t ea = (uint64_t)I32(1) + U(3); v128 a; \
	if (ea + (nb) > msize) \
		TRAP(BN_WASM_TRAP_MEMORY_OOB, "out of bounds memory access"); \
	VLD(a, 2); memcpy(mbase + ea, &a.u8[U(4) * (nb)], (nb)); NEXT(5); }

/* The internal instructions a copy or const64 is most often followed by
   (a return value or an argument moved into place, values moved to a
   branch's label, a loop's counter set before its header) */
#define PREFIXED_IOPS(X) X(copy) X(ret) X(call_func) X(call_ind) X(jmp) \
	X(br_nz) X(br_z) X(loop_check) X(const64)

/* The i32 comparisons: name, operand type (u32 or s32), C operator; for
   the operators and for the compare-and-branch instructions */
#define I32_CMPS(X) \
	X(eq, u32, ==) X(ne, u32, !=) X(lt_s, s32, <) X(lt_u, u32, <) \
	X(gt_s, s32, >) X(gt_u, u32, >) X(le_s, s32, <=) X(le_u, u32, <=) \
	X(ge_s, s32, >=) X(ge_u, u32, >=)

/* Run F from its start, or (STEP) only the instruction at STEP, which must
   be followed by step_end; or (TABLE_OUT) hand out the handler table. */
static int run(bn_wasm_store *s, bn_wasm_func *f, uint64_t *fp,
	       bn_wasm_trap *trap, const bn_wasm__cell *step,
	       const void *const **table_out)
{
	/* plain handlers, then the super-instructions' (wasm_int.h) */
	static const void *const labels[BN_WASM__H_KINDS * BN_WASM_OP_MAX] = {
#define LBL_SPECIAL(c, o, a, b)
#define LBL_SIMDX(c, o, a, b) [BN_WASM_OP_##c] = &&L_##c,
#define LBL_UN(c, o, a, b) [BN_WASM_OP_##c] = &&L_##c,
#define LBL_BIN(c, o, a, b) [BN_WASM_OP_##c] = &&L_##c, LBLB_##a(c)
#define LBL_LOAD(c, o, a, b) [BN_WASM_OP_##c] = &&L_##c, LBLM_##o(c)
#define LBL_STORE(c, o, a, b) [BN_WASM_OP_##c] = &&L_##c, LBLM_##b(c) \
	LBLS_##b(c)
#define LBL_AT(k, op, l) [BN_WASM__H_##k * BN_WASM_OP_MAX + (op)] = &&l,
#define LBLB_i32(c) LBLC_i32(c) LBL_AT(LOAD32, BN_WASM_OP_##c, LL4_##c) \
	LBL_AT(LOAD64, BN_WASM_OP_##c, LL8_##c)
#define LBLB_i64(c) LBLB_i32(c)
#define LBLB_f32(c) LBLB_i32(c)
#define LBLB_f64(c) LBLB_i32(c)
#define LBLB_v128(c)
#define LBLC_i32(c) LBL_AT(CONST, BN_WASM_OP_##c, LC_##c)
#define LBLM_i32(c) LBLC_i32(c) LBL_AT(ADD, BN_WASM_OP_##c, LA_##c) \
	LBL_AT(ACC1, BN_WASM_OP_##c, LX1_##c) \
	LBL_AT(CONST_ADD, BN_WASM_OP_##c, LCA_##c)
#define LBLM_i64(c) LBLM_i32(c)
#define LBLM_f32(c) LBLM_i32(c)
#define LBLM_f64(c) LBLM_i32(c)
#define LBLM_v128(c)
#define LBLS_i32(c) LBL_AT(ACC2, BN_WASM_OP_##c, LX2_##c) \
	LBL_AT(CONST_ACC1, BN_WASM_OP_##c, LCX1_##c)
#define LBLS_i64(c) LBLS_i32(c)
#define LBLS_f32(c) LBLS_i32(c)
#define LBLS_f64(c) LBLS_i32(c)
#define LBLS_v128(c)
#define BN_OP(code, name, c, kind, o, a, b, al) LBL_##kind(c, o, a, b)
#include "opcodes.def"
#undef BN_OP
#define LBL_IOP(c) [BN_WASM_IOP_##c] = &&I_##c,
		BN_WASM_IOPS(LBL_IOP)
#define LBLC_BRCMP(c) LBL_AT(CONST, BN_WASM_IOP_##c, IC_##c) \
	LBL_AT(ACC1, BN_WASM_IOP_##c, IX1_##c) \
	LBL_AT(ACC2, BN_WASM_IOP_##c, IX2_##c) \
	LBL_AT(CONST_ACC1, BN_WASM_IOP_##c, ICX1_##c) \
	LBL_AT(LOOP, BN_WASM_IOP_##c, IL_##c) \
	LBL_AT(CONST_LOOP, BN_WASM_IOP_##c, ICL_##c)
		BN_WASM_BRCMPS(LBLC_BRCMP)
		LBL_AT(LOOP, BN_WASM_IOP_jmp, IL_jmp)
		LBL_AT(LOOP, BN_WASM_IOP_br_nz, IL_br_nz)
		LBL_AT(LOOP, BN_WASM_IOP_br_z, IL_br_z)
		LBL_AT(ACC1, BN_WASM_IOP_br_nz, IX1_br_nz)
		LBL_AT(ACC1, BN_WASM_IOP_br_z, IX1_br_z)
		LBL_AT(ACC1, BN_WASM_IOP_br_table_i, IX1_br_table_i)
#define LBL_PRE(c) LBL_AT(COPY, BN_WASM_IOP_##c, IP_##c) \
	LBL_AT(CONST, BN_WASM_IOP_##c, IK_##c)
		PREFIXED_IOPS(LBL_PRE)
#define LBL_ACC1(c) LBL_AT(ACC1, BN_WASM_OP_##c, LX1_##c)
#define LBL_ACC(c) LBL_ACC1(c) \
	LBL_AT(ACC2, BN_WASM_OP_##c, LX2_##c) \
	LBL_AT(CONST_ACC1, BN_WASM_OP_##c, LCX1_##c)
		LBL_ACC(i32_add) LBL_ACC(i32_sub) LBL_ACC(i32_mul)
		LBL_ACC(i32_and) LBL_ACC(i32_or) LBL_ACC(i32_xor)
		LBL_ACC(i32_shl) LBL_ACC(i32_shr_u) LBL_ACC(i32_rotl)
		LBL_ACC(i64_add) LBL_ACC(i64_sub) LBL_ACC(i64_mul)
		LBL_ACC(i64_and) LBL_ACC(i64_or) LBL_ACC(i64_xor)
		LBL_ACC(i64_shl) LBL_ACC(i64_shr_u) LBL_ACC(i64_rotl)
		LBL_ACC(f64_add) LBL_ACC(f64_sub) LBL_ACC(f64_mul)
		LBL_ACC(f64_div)
		LBL_ACC(i64_eq) LBL_ACC(i64_ne) LBL_ACC(i64_lt_u)
		LBL_ACC(i64_gt_u) LBL_ACC(i64_le_u) LBL_ACC(i64_ge_u)
		LBL_ACC(i64_lt_s) LBL_ACC(i64_gt_s) LBL_ACC(i64_le_s)
		LBL_ACC(i64_ge_s) LBL_ACC(i32_shr_s) LBL_ACC(i64_shr_s)
#define LBL_CMP(name, T, op) LBL_ACC(i32_##name)
		I32_CMPS(LBL_CMP)
		LBL_ACC1(i32_eqz) LBL_ACC1(i64_eqz) LBL_ACC1(i32_wrap_i64)
		LBL_ACC1(i64_extend_i32_u) LBL_ACC1(i64_extend_i32_s)
	};
	const bn_wasm__cell *pc;
	bn_wasm_instance *inst;
	bn_wasm_memory *mem;
	/* mem's data and size, kept in registers: reloaded (MEM_SYNC) where
	   they may have changed, after memory.grow and around calls */
	uint8_t *mbase;
	uint64_t msize;
	uint64_t *stack_end;
	uint32_t base_depth;
	bn_wasm_trap_kind tk;
	const char *tmsg;
	bn_wasm_func *callee;
	uint64_t *nfp;
	const bn_wasm__cell *ret_pc;
	bn_wasm__frame *fr;
	/* the value the last value-producing instruction wrote */
	uint64_t acc = 0;
	/* the same for an f64 result of f64 arithmetic or f64.load */
	double facc = 0;

	if (table_out) {
		*table_out = labels;
		return 0;
	}
	stack_end = s->stack + s->stack_cells;
	base_depth = s->depth;
	inst = f->inst;
	MEM_SYNC();
	if (step) {
		pc = step;
		goto *pc->h;
	}
	/* the caller's frame pointer lies in the value stack */
	assert(fp >= s->stack && fp <= stack_end);
	if (s->depth >= s->limits.max_call_depth ||
	    f->code->frame_cells > (size_t)(stack_end - fp)) {
		pc = f->code->code;
		TRAP(BN_WASM_TRAP_STACK_EXHAUSTED, "call stack exhausted");
	}
	s->frames[s->depth].ret_pc = NULL;
	s->frames[s->depth].fp = fp;
	s->frames[s->depth].func = f;
	s->depth++;
	zero_locals(fp, f->code);
	/* every function's code starts with its fuel instruction */
	pc = f->code->code;
	goto I_fuel;

	/* ---- numeric ---- */
	UNOPA(i32_eqz, u32, a == 0)
#define CMP_OP(name, T, op) BINOPA(i32_##name, T, a op b)
	I32_CMPS(CMP_OP)
#undef CMP_OP
	UNOPA(i64_eqz, u64, a == 0)
	BINOPA(i64_eq, u64, a == b)
	BINOPA(i64_ne, u64, a != b)
	BINOPA(i64_lt_s, s64, a < b)
	BINOPA(i64_lt_u, u64, a < b)
	BINOPA(i64_gt_s, s64, a > b)
	BINOPA(i64_gt_u, u64, a > b)
	BINOPA(i64_le_s, s64, a <= b)
	BINOPA(i64_le_u, u64, a <= b)
	BINOPA(i64_ge_s, s64, a >= b)
	BINOPA(i64_ge_u, u64, a >= b)
	BINOP(f32_eq, F32(2) == F32(3))
	BINOP(f32_ne, F32(2) != F32(3))
	BINOP(f32_lt, F32(2) < F32(3))
	BINOP(f32_gt, F32(2) > F32(3))
	BINOP(f32_le, F32(2) <= F32(3))
	BINOP(f32_ge, F32(2) >= F32(3))
	BINOP(f64_eq, F64(2) == F64(3))
	BINOP(f64_ne, F64(2) != F64(3))
	BINOP(f64_lt, F64(2) < F64(3))
	BINOP(f64_gt, F64(2) > F64(3))
	BINOP(f64_le, F64(2) <= F64(3))
	BINOP(f64_ge, F64(2) >= F64(3))
	/* a division's trap on a zero divisor B */
#define DIVISOR_CHECK(b)                                                      \
	do {                                                                  \
		if ((b) == 0)                                                 \
			TRAP(BN_WASM_TRAP_DIV_ZERO,                           \
			     "integer divide by zero");                       \
	} while (0)
	/* the integer operators of width W (32 or 64), one list for i32 and
	   i64 */
#define INT_OPS(W)                                                            \
	UNOP(i##W##_clz, I##W(2) ? (uint##W##_t)CLZ##W(I##W(2)) : W##u)       \
	UNOP(i##W##_ctz, I##W(2) ? (uint##W##_t)CTZ##W(I##W(2)) : W##u)       \
	UNOP(i##W##_popcnt, (uint##W##_t)POPCNT##W(I##W(2)))                  \
	BINOPA(i##W##_add, u##W, a + b)                                       \
	BINOPA(i##W##_sub, u##W, a - b)                                       \
	BINOPA(i##W##_mul, u##W, a * b)                                       \
	BIN_PRE(i##W##_div_s)                                                 \
	L_i##W##_div_s:                                                       \
	{                                                                     \
		int##W##_t a = S##W(2), b = S##W(3);                          \
		DIVISOR_CHECK(b);                                             \
		if (a == INT##W##_MIN && b == -1)                             \
			TRAP(BN_WASM_TRAP_INT_OVERFLOW, "integer overflow");  \
		R(1) = acc = (uint##W##_t)(a / b);                            \
		NEXT(4);                                                      \
	}                                                                     \
	BIN_PRE(i##W##_div_u)                                                 \
	L_i##W##_div_u:                                                       \
	DIVISOR_CHECK(I##W(3));                                               \
	R(1) = acc = I##W(2) / I##W(3);                                       \
	NEXT(4);                                                              \
	BIN_PRE(i##W##_rem_s)                                                 \
	L_i##W##_rem_s:                                                       \
	{                                                                     \
		int##W##_t a = S##W(2), b = S##W(3);                          \
		DIVISOR_CHECK(b);                                             \
		R(1) = acc = (b == -1) ? 0 : (uint##W##_t)(a % b);            \
		NEXT(4);                                                      \
	}                                                                     \
	BIN_PRE(i##W##_rem_u)                                                 \
	L_i##W##_rem_u:                                                       \
	DIVISOR_CHECK(I##W(3));                                               \
	R(1) = acc = I##W(2) % I##W(3);                                       \
	NEXT(4);                                                              \
	BINOPA(i##W##_and, u##W, a & b)                                       \
	BINOPA(i##W##_or, u##W, a | b)                                        \
	BINOPA(i##W##_xor, u##W, a ^ b)                                       \
	BINOPA(i##W##_shl, u##W, a << (b & (W - 1)))                          \
	BINOPA(i##W##_shr_s, s##W, a >> (b & (W - 1)))                        \
	BINOPA(i##W##_shr_u, u##W, a >> (b & (W - 1)))                        \
	BINOPA(i##W##_rotl, u##W, rotl##W(a, b))                              \
	BINOP(i##W##_rotr, rotl##W(I##W(2), W - (I##W(3) & (W - 1))))
#define CLZ32 __builtin_clz
#define CTZ32 __builtin_ctz
#define POPCNT32 __builtin_popcount
#define CLZ64 __builtin_clzll
#define CTZ64 __builtin_ctzll
#define POPCNT64 __builtin_popcountll
	INT_OPS(32)
	INT_OPS(64)
#undef INT_OPS
	UNOP(f32_abs, I32(2) & 0x7fffffffu)
	UNOP(f32_neg, I32(2) ^ 0x80000000u)
	UNOP(f32_ceil, round32(ceilf(F32(2)), I32(2)))
	UNOP(f32_floor, round32(floorf(F32(2)), I32(2)))
	UNOP(f32_trunc, round32(truncf(F32(2)), I32(2)))
	UNOP(f32_nearest, round32(rintf(F32(2)), I32(2)))
	UNOP(f32_sqrt, bits_f32(sqrtf(F32(2))))
	BINOP(f32_add, bits_f32(F32(2) + F32(3)))
	BINOP(f32_sub, bits_f32(F32(2) - F32(3)))
	BINOP(f32_mul, bits_f32(F32(2) * F32(3)))
	BINOP(f32_div, bits_f32(F32(2) / F32(3)))
	BINOP(f32_min, fmin32(R(2), R(3)))
	BINOP(f32_max, fmax32(R(2), R(3)))
	BINOP(f32_copysign, (I32(2) & 0x7fffffffu) | (I32(3) & 0x80000000u))
	UNOP(f64_abs, I64(2) & 0x7fffffffffffffffull)
	UNOP(f64_neg, I64(2) ^ 0x8000000000000000ull)
	UNOP(f64_ceil, round64(ceil(F64(2)), I64(2)))
	UNOP(f64_floor, round64(floor(F64(2)), I64(2)))
	UNOP(f64_trunc, round64(trunc(F64(2)), I64(2)))
	UNOP(f64_nearest, round64(rint(F64(2)), I64(2)))
	UNOP(f64_sqrt, bits_f64(sqrt(F64(2))))
	BINOPA(f64_add, f64, a + b)
	BINOPA(f64_sub, f64, a - b)
	BINOPA(f64_mul, f64, a * b)
	BINOPA(f64_div, f64, a / b)
	BINOP(f64_min, fmin64(R(2), R(3)))
	BINOP(f64_max, fmax64(R(2), R(3)))
	BINOP(f64_copysign, (I64(2) & 0x7fffffffffffffffull) |
			    (I64(3) & 0x8000000000000000ull))
	UNOPA(i32_wrap_i64, u64, (uint32_t)a)
#define TRUNC(name, get, lo_ok, hi_ok, conv)                                  \
	L_##name:                                                             \
	{                                                                     \
		double x_ = get(2);                                           \
		if (isnan(x_))                                                \
			TRAP(BN_WASM_TRAP_INVALID_CONV,                       \
			     "invalid conversion to integer");                \
		if (!(lo_ok && hi_ok))                                        \
			TRAP(BN_WASM_TRAP_INT_OVERFLOW, "integer overflow");  \
		R(1) = acc = conv;                                            \
		NEXT(3);                                                      \
	}
	TRUNC(i32_trunc_f32_s, F32, x_ >= -2147483648.0, x_ < 2147483648.0,
	      (uint32_t)(int32_t)x_)
	TRUNC(i32_trunc_f32_u, F32, x_ > -1.0, x_ < 4294967296.0, (uint32_t)x_)
	TRUNC(i32_trunc_f64_s, F64, x_ > -2147483649.0, x_ < 2147483648.0,
	      (uint32_t)(int32_t)x_)
	TRUNC(i32_trunc_f64_u, F64, x_ > -1.0, x_ < 4294967296.0, (uint32_t)x_)
	TRUNC(i64_trunc_f32_s, F32, x_ >= -9223372036854775808.0,
	      x_ < 9223372036854775808.0, (uint64_t)(int64_t)x_)
	TRUNC(i64_trunc_f32_u, F32, x_ > -1.0, x_ < 18446744073709551616.0,
	      (uint64_t)x_)
	TRUNC(i64_trunc_f64_s, F64, x_ >= -9223372036854775808.0,
	      x_ < 9223372036854775808.0, (uint64_t)(int64_t)x_)
	TRUNC(i64_trunc_f64_u, F64, x_ > -1.0, x_ < 18446744073709551616.0,
	      (uint64_t)x_)
	UNOPA(i64_extend_i32_s, s32, (uint64_t)(int64_t)a)
	UNOPA(i64_extend_i32_u, u32, (uint64_t)a)
	UNOP(f32_convert_i32_s, bits_f32((float)S32(2)))
	UNOP(f32_convert_i32_u, bits_f32((float)I32(2)))
	UNOP(f32_convert_i64_s, bits_f32((float)S64(2)))
	UNOP(f32_convert_i64_u, bits_f32((float)I64(2)))
	UNOP(f32_demote_f64, bits_f32((float)F64(2)))
	UNOP(f64_convert_i32_s, bits_f64((double)S32(2)))
	UNOP(f64_convert_i32_u, bits_f64((double)I32(2)))
	UNOP(f64_convert_i64_s, bits_f64((double)S64(2)))
	UNOP(f64_convert_i64_u, bits_f64((double)I64(2)))
	UNOP(f64_promote_f32, bits_f64((double)F32(2)))
	UNOP(i32_reinterpret_f32, I32(2))
	UNOP(i64_reinterpret_f64, I64(2))
	UNOP(f32_reinterpret_i32, I32(2))
	UNOP(f64_reinterpret_i64, I64(2))
	UNOP(i32_extend8_s, (uint32_t)(int32_t)(int8_t)I32(2))
	UNOP(i32_extend16_s, (uint32_t)(int32_t)(int16_t)I32(2))
	UNOP(i64_extend8_s, (uint64_t)(int64_t)(int8_t)I64(2))
	UNOP(i64_extend16_s, (uint64_t)(int64_t)(int16_t)I64(2))
	UNOP(i64_extend32_s, (uint64_t)(int64_t)(int32_t)I64(2))
	UNOP(i32_trunc_sat_f32_s, sat_i32_s(F32(2)))
	UNOP(i32_trunc_sat_f32_u, sat_i32_u(F32(2)))
	UNOP(i32_trunc_sat_f64_s, sat_i32_s(F64(2)))
	UNOP(i32_trunc_sat_f64_u, sat_i32_u(F64(2)))
	UNOP(i64_trunc_sat_f32_s, sat_i64_s(F32(2)))
	UNOP(i64_trunc_sat_f32_u, sat_i64_u(F32(2)))
	UNOP(i64_trunc_sat_f64_s, sat_i64_s(F64(2)))
	UNOP(i64_trunc_sat_f64_u, sat_i64_u(F64(2)))

	/* ---- memory ---- */
	LOAD(i32_load, uint32_t, v_)
	LOAD(i64_load, uint64_t, v_)
	LOAD(f32_load, uint32_t, v_)
	LOAD_AS(f64_load, double, SET_f64(v_))
	LOAD(i32_load8_s, int8_t, (uint32_t)(int32_t)v_)
	LOAD(i32_load8_u, uint8_t, v_)
	LOAD(i32_load16_s, int16_t, (uint32_t)(int32_t)v_)
	LOAD(i32_load16_u, uint16_t, v_)
	LOAD(i64_load8_s, int8_t, (uint64_t)(int64_t)v_)
	LOAD(i64_load8_u, uint8_t, v_)
	LOAD(i64_load16_s, int16_t, (uint64_t)(int64_t)v_)
	LOAD(i64_load16_u, uint16_t, v_)
	LOAD(i64_load32_s, int32_t, (uint64_t)(int64_t)v_)
	LOAD(i64_load32_u, uint32_t, v_)
	STORE(i32_store, uint32_t)
	STORE(i64_store, uint64_t)
	STORE(f32_store, uint32_t)
	STORE_AS(f64_store, uint64_t, bits_f64(facc))
	STORE(i32_store8, uint8_t)
	STORE(i32_store16, uint16_t)
	STORE(i64_store8, uint8_t)
	STORE(i64_store16, uint16_t)
	STORE(i64_store32, uint32_t)

	/* ---- SIMD (v128 in two cells, lanes little-endian) ---- */
	VBIN(i8x16_eq, 16, r.u8[k] = a.u8[k] == b.u8[k] ? 0xff : 0)
	VBIN(i8x16_ne, 16, r.u8[k] = a.u8[k] != b.u8[k] ? 0xff : 0)
	VBIN(i8x16_lt_s, 16, r.u8[k] = a.i8[k] < b.i8[k] ? 0xff : 0)
	VBIN(i8x16_lt_u, 16, r.u8[k] = a.u8[k] < b.u8[k] ? 0xff : 0)
	VBIN(i8x16_gt_s, 16, r.u8[k] = a.i8[k] > b.i8[k] ? 0xff : 0)
	VBIN(i8x16_gt_u, 16, r.u8[k] = a.u8[k] > b.u8[k] ? 0xff : 0)
	VBIN(i8x16_le_s, 16, r.u8[k] = a.i8[k] <= b.i8[k] ? 0xff : 0)
	VBIN(i8x16_le_u, 16, r.u8[k] = a.u8[k] <= b.u8[k] ? 0xff : 0)
	VBIN(i8x16_ge_s, 16, r.u8[k] = a.i8[k] >= b.i8[k] ? 0xff : 0)
	VBIN(i8x16_ge_u, 16, r.u8[k] = a.u8[k] >= b.u8[k] ? 0xff : 0)
	VBIN(i16x8_eq, 8, r.u16[k] = a.u16[k] == b.u16[k] ? 0xffff : 0)
	VBIN(i16x8_ne, 8, r.u16[k] = a.u16[k] != b.u16[k] ? 0xffff : 0)
	VBIN(i16x8_lt_s, 8, r.u16[k] = a.i16[k] < b.i16[k] ? 0xffff : 0)
	VBIN(i16x8_lt_u, 8, r.u16[k] = a.u16[k] < b.u16[k] ? 0xffff : 0)
	VBIN(i16x8_gt_s, 8, r.u16[k] = a.i16[k] > b.i16[k] ? 0xffff : 0)
	VBIN(i16x8_gt_u, 8, r.u16[k] = a.u16[k] > b.u16[k] ? 0xffff : 0)
	VBIN(i16x8_le_s, 8, r.u16[k] = a.i16[k] <= b.i16[k] ? 0xffff : 0)
	VBIN(i16x8_le_u, 8, r.u16[k] = a.u16[k] <= b.u16[k] ? 0xffff : 0)
	VBIN(i16x8_ge_s, 8, r.u16[k] = a.i16[k] >= b.i16[k] ? 0xffff : 0)
	VBIN(i16x8_ge_u, 8, r.u16[k] = a.u16[k] >= b.u16[k] ? 0xffff : 0)
	VBIN(i32x4_eq, 4, r.u32[k] = a.u32[k] == b.u32[k] ? ~0u : 0)
	VBIN(i32x4_ne, 4, r.u32[k] = a.u32[k] != b.u32[k] ? ~0u : 0)
	VBIN(i32x4_lt_s, 4, r.u32[k] = a.i32[k] < b.i32[k] ? ~0u : 0)
	VBIN(i32x4_lt_u, 4, r.u32[k] = a.u32[k] < b.u32[k] ? ~0u : 0)
	VBIN(i32x4_gt_s, 4, r.u32[k] = a.i32[k] > b.i32[k] ? ~0u : 0)
	VBIN(i32x4_gt_u, 4, r.u32[k] = a.u32[k] > b.u32[k] ? ~0u : 0)
	VBIN(i32x4_le_s, 4, r.u32[k] = a.i32[k] <= b.i32[k] ? ~0u : 0)
	VBIN(i32x4_le_u, 4, r.u32[k] = a.u32[k] <= b.u32[k] ? ~0u : 0)
	VBIN(i32x4_ge_s, 4, r.u32[k] = a.i32[k] >= b.i32[k] ? ~0u : 0)
	VBIN(i32x4_ge_u, 4, r.u32[k] = a.u32[k] >= b.u32[k] ? ~0u : 0)
	VBIN(i64x2_eq, 2, r.u64[k] = a.u64[k] == b.u64[k] ? ~0ull : 0)
	VBIN(i64x2_ne, 2, r.u64[k] = a.u64[k] != b.u64[k] ? ~0ull : 0)
	VBIN(i64x2_lt_s, 2, r.u64[k] = a.i64[k] < b.i64[k] ? ~0ull : 0)
	VBIN(i64x2_gt_s, 2, r.u64[k] = a.i64[k] > b.i64[k] ? ~0ull : 0)
	VBIN(i64x2_le_s, 2, r.u64[k] = a.i64[k] <= b.i64[k] ? ~0ull : 0)
	VBIN(i64x2_ge_s, 2, r.u64[k] = a.i64[k] >= b.i64[k] ? ~0ull : 0)
	VBIN(f32x4_eq, 4, r.u32[k] = a.f32[k] == b.f32[k] ? ~0u : 0)
	VBIN(f32x4_ne, 4, r.u32[k] = a.f32[k] != b.f32[k] ? ~0u : 0)
	VBIN(f32x4_lt, 4, r.u32[k] = a.f32[k] < b.f32[k] ? ~0u : 0)
	VBIN(f32x4_gt, 4, r.u32[k] = a.f32[k] > b.f32[k] ? ~0u : 0)
	VBIN(f32x4_le, 4, r.u32[k] = a.f32[k] <= b.f32[k] ? ~0u : 0)
	VBIN(f32x4_ge, 4, r.u32[k] = a.f32[k] >= b.f32[k] ? ~0u : 0)
	VBIN(f64x2_eq, 2, r.u64[k] = a.f64[k] == b.f64[k] ? ~0ull : 0)
	VBIN(f64x2_ne, 2, r.u64[k] = a.f64[k] != b.f64[k] ? ~0ull : 0)
	VBIN(f64x2_lt, 2, r.u64[k] = a.f64[k] < b.f64[k] ? ~0ull : 0)
	VBIN(f64x2_gt, 2, r.u64[k] = a.f64[k] > b.f64[k] ? ~0ull : 0)
	VBIN(f64x2_le, 2, r.u64[k] = a.f64[k] <= b.f64[k] ? ~0ull : 0)
	VBIN(f64x2_ge, 2, r.u64[k] = a.f64[k] >= b.f64[k] ? ~0ull : 0)
	VUN(v128_not, 2, r.u64[k] = ~a.u64[k])
	VBIN(v128_and, 2, r.u64[k] = a.u64[k] & b.u64[k])
	VBIN(v128_andnot, 2, r.u64[k] = a.u64[k] & ~b.u64[k])
	VBIN(v128_or, 2, r.u64[k] = a.u64[k] | b.u64[k])
	VBIN(v128_xor, 2, r.u64[k] = a.u64[k] ^ b.u64[k])
	VBIN(i8x16_add, 16, r.u8[k] = a.u8[k] + b.u8[k])
	VBIN(i8x16_sub, 16, r.u8[k] = a.u8[k] - b.u8[k])
	VUN(i8x16_neg, 16, r.u8[k] = 0 - a.u8[k])
	VUN(i8x16_abs, 16, r.u8[k] = a.i8[k] < 0 ? 0 - a.u8[k] : a.u8[k])
	VSHIFT(i8x16_shl, 16, r.u8[k] = a.u8[k] << (c & 7))
	VSHIFT(i8x16_shr_s, 16, r.i8[k] = a.i8[k] >> (c & 7))
	VSHIFT(i8x16_shr_u, 16, r.u8[k] = a.u8[k] >> (c & 7))
	VRED(i8x16_all_true, 16, x = x && a.u8[k] != 0, 1)
	VRED(i8x16_bitmask, 16, x |= (uint32_t)(a.i8[k] < 0) << k, 0)
	VBIN(i8x16_min_s, 16, r.u8[k] = a.i8[k] < b.i8[k] ? a.u8[k] : b.u8[k])
	VBIN(i8x16_min_u, 16, r.u8[k] = a.u8[k] < b.u8[k] ? a.u8[k] : b.u8[k])
	VBIN(i8x16_max_s, 16, r.u8[k] = a.i8[k] > b.i8[k] ? a.u8[k] : b.u8[k])
	VBIN(i8x16_max_u, 16, r.u8[k] = a.u8[k] > b.u8[k] ? a.u8[k] : b.u8[k])
	VBIN(i16x8_add, 8, r.u16[k] = a.u16[k] + b.u16[k])
	VBIN(i16x8_sub, 8, r.u16[k] = a.u16[k] - b.u16[k])
	VUN(i16x8_neg, 8, r.u16[k] = 0 - a.u16[k])
	VUN(i16x8_abs, 8, r.u16[k] = a.i16[k] < 0 ? 0 - a.u16[k] : a.u16[k])
	VSHIFT(i16x8_shl, 8, r.u16[k] = a.u16[k] << (c & 15))
	VSHIFT(i16x8_shr_s, 8, r.i16[k] = a.i16[k] >> (c & 15))
	VSHIFT(i16x8_shr_u, 8, r.u16[k] = a.u16[k] >> (c & 15))
	VRED(i16x8_all_true, 8, x = x && a.u16[k] != 0, 1)
	VRED(i16x8_bitmask, 8, x |= (uint32_t)(a.i16[k] < 0) << k, 0)
	VBIN(i16x8_min_s, 8,
	     r.u16[k] = a.i16[k] < b.i16[k] ? a.u16[k] : b.u16[k])
	VBIN(i16x8_min_u, 8,
	     r.u16[k] = a.u16[k] < b.u16[k] ? a.u16[k] : b.u16[k])
	VBIN(i16x8_max_s, 8,
	     r.u16[k] = a.i16[k] > b.i16[k] ? a.u16[k] : b.u16[k])
	VBIN(i16x8_max_u, 8,
	     r.u16[k] = a.u16[k] > b.u16[k] ? a.u16[k] : b.u16[k])
	VBIN(i32x4_add, 4, r.u32[k] = a.u32[k] + b.u32[k])
	VBIN(i32x4_sub, 4, r.u32[k] = a.u32[k] - b.u32[k])
	VUN(i32x4_neg, 4, r.u32[k] = 0 - a.u32[k])
	VUN(i32x4_abs, 4, r.u32[k] = a.i32[k] < 0 ? 0 - a.u32[k] : a.u32[k])
	VSHIFT(i32x4_shl, 4, r.u32[k] = a.u32[k] << (c & 31))
	VSHIFT(i32x4_shr_s, 4, r.i32[k] = a.i32[k] >> (c & 31))
	VSHIFT(i32x4_shr_u, 4, r.u32[k] = a.u32[k] >> (c & 31))
	VRED(i32x4_all_true, 4, x = x && a.u32[k] != 0, 1)
	VRED(i32x4_bitmask, 4, x |= (uint32_t)(a.i32[k] < 0) << k, 0)
	VBIN(i32x4_min_s, 4,
	     r.u32[k] = a.i32[k] < b.i32[k] ? a.u32[k] : b.u32[k])
	VBIN(i32x4_min_u, 4,
	     r.u32[k] = a.u32[k] < b.u32[k] ? a.u32[k] : b.u32[k])
	VBIN(i32x4_max_s, 4,
	     r.u32[k] = a.i32[k] > b.i32[k] ? a.u32[k] : b.u32[k])
	VBIN(i32x4_max_u, 4,
	     r.u32[k] = a.u32[k] > b.u32[k] ? a.u32[k] : b.u32[k])
	VBIN(i64x2_add, 2, r.u64[k] = a.u64[k] + b.u64[k])
	VBIN(i64x2_sub, 2, r.u64[k] = a.u64[k] - b.u64[k])
	VUN(i64x2_neg, 2, r.u64[k] = 0 - a.u64[k])
	VUN(i64x2_abs, 2, r.u64[k] = a.i64[k] < 0 ? 0 - a.u64[k] : a.u64[k])
	VSHIFT(i64x2_shl, 2, r.u64[k] = a.u64[k] << (c & 63))
	VSHIFT(i64x2_shr_s, 2, r.i64[k] = a.i64[k] >> (c & 63))
	VSHIFT(i64x2_shr_u, 2, r.u64[k] = a.u64[k] >> (c & 63))
	VRED(i64x2_all_true, 2, x = x && a.u64[k] != 0, 1)
	VRED(i64x2_bitmask, 2, x |= (uint32_t)(a.i64[k] < 0) << k, 0)
	VBIN(i16x8_mul, 8,
	     r.u16[k] = (uint16_t)((uint32_t)a.u16[k] * b.u16[k]))
	VBIN(i32x4_mul, 4, r.u32[k] = a.u32[k] * b.u32[k])
	VBIN(i64x2_mul, 2, r.u64[k] = a.u64[k] * b.u64[k])
	VBIN(i8x16_add_sat_s, 16, r.i8[k] = sat(a.i8[k] + b.i8[k], -128, 127))
	VBIN(i8x16_add_sat_u, 16, r.u8[k] = sat(a.u8[k] + b.u8[k], 0, 255))
	VBIN(i8x16_sub_sat_s, 16, r.i8[k] = sat(a.i8[k] - b.i8[k], -128, 127))
	VBIN(i8x16_sub_sat_u, 16, r.u8[k] = sat(a.u8[k] - b.u8[k], 0, 255))
	VBIN(i8x16_avgr_u, 16, r.u8[k] = (a.u8[k] + b.u8[k] + 1) >> 1)
	VBIN(i16x8_add_sat_s, 8,
	     r.i16[k] = sat(a.i16[k] + b.i16[k], -32768, 32767))
	VBIN(i16x8_add_sat_u, 8, r.u16[k] = sat(a.u16[k] + b.u16[k], 0, 65535))
	VBIN(i16x8_sub_sat_s, 8,
	     r.i16[k] = sat(a.i16[k] - b.i16[k], -32768, 32767))
	VBIN(i16x8_sub_sat_u, 8, r.u16[k] = sat(a.u16[k] - b.u16[k], 0, 65535))
	VBIN(i16x8_avgr_u, 8, r.u16[k] = (a.u16[k] + b.u16[k] + 1) >> 1)
	VUN(i8x16_popcnt, 16, r.u8[k] = (uint8_t)__builtin_popcount(a.u8[k]))
	VBIN(i8x16_narrow_i16x8_s, 16,
	     r.i8[k] = sat(k < 8 ? a.i16[k] : b.i16[k - 8], -128, 127))
	VBIN(i8x16_narrow_i16x8_u, 16,
	     r.u8[k] = sat(k < 8 ? a.i16[k] : b.i16[k - 8], 0, 255))
	VBIN(i16x8_narrow_i32x4_s, 8,
	     r.i16[k] = sat(k < 4 ? a.i32[k] : b.i32[k - 4], -32768, 32767))
	VBIN(i16x8_narrow_i32x4_u, 8,
	     r.u16[k] = sat(k < 4 ? a.i32[k] : b.i32[k - 4], 0, 65535))
	VUN(i16x8_extend_low_i8x16_s, 8, r.i16[k] = a.i8[k])
	VUN(i16x8_extend_high_i8x16_s, 8, r.i16[k] = a.i8[k + 8])
	VUN(i16x8_extend_low_i8x16_u, 8, r.u16[k] = a.u8[k])
	VUN(i16x8_extend_high_i8x16_u, 8, r.u16[k] = a.u8[k + 8])
	VBIN(i16x8_extmul_low_i8x16_s, 8,
	     r.i16[k] = (int32_t)a.i8[k] * b.i8[k])
	VBIN(i16x8_extmul_high_i8x16_s, 8,
	     r.i16[k] = (int32_t)a.i8[k + 8] * b.i8[k + 8])
	VBIN(i16x8_extmul_low_i8x16_u, 8,
	     r.u16[k] = (uint32_t)a.u8[k] * b.u8[k])
	VBIN(i16x8_extmul_high_i8x16_u, 8,
	     r.u16[k] = (uint32_t)a.u8[k + 8] * b.u8[k + 8])
	VUN(i16x8_extadd_pairwise_i8x16_s, 8,
	    r.i16[k] = a.i8[2 * k] + a.i8[2 * k + 1])
	VUN(i16x8_extadd_pairwise_i8x16_u, 8,
	    r.u16[k] = a.u8[2 * k] + a.u8[2 * k + 1])
	VUN(i32x4_extend_low_i16x8_s, 4, r.i32[k] = a.i16[k])
	VUN(i32x4_extend_high_i16x8_s, 4, r.i32[k] = a.i16[k + 4])
	VUN(i32x4_extend_low_i16x8_u, 4, r.u32[k] = a.u16[k])
	VUN(i32x4_extend_high_i16x8_u, 4, r.u32[k] = a.u16[k + 4])
	VBIN(i32x4_extmul_low_i16x8_s, 4,
	     r.i32[k] = (int64_t)a.i16[k] * b.i16[k])
	VBIN(i32x4_extmul_high_i16x8_s, 4,
	     r.i32[k] = (int64_t)a.i16[k + 4] * b.i16[k + 4])
	VBIN(i32x4_extmul_low_i16x8_u, 4,
	     r.u32[k] = (uint64_t)a.u16[k] * b.u16[k])
	VBIN(i32x4_extmul_high_i16x8_u, 4,
	     r.u32[k] = (uint64_t)a.u16[k + 4] * b.u16[k + 4])
	VUN(i32x4_extadd_pairwise_i16x8_s, 4,
	    r.i32[k] = a.i16[2 * k] + a.i16[2 * k + 1])
	VUN(i32x4_extadd_pairwise_i16x8_u, 4,
	    r.u32[k] = a.u16[2 * k] + a.u16[2 * k + 1])
	VUN(i64x2_extend_low_i32x4_s, 2, r.i64[k] = a.i32[k])
	VUN(i64x2_extend_high_i32x4_s, 2, r.i64[k] = a.i32[k + 2])
	VUN(i64x2_extend_low_i32x4_u, 2, r.u64[k] = a.u32[k])
	VUN(i64x2_extend_high_i32x4_u, 2, r.u64[k] = a.u32[k + 2])
	VBIN(i64x2_extmul_low_i32x4_s, 2,
	     r.i64[k] = (int64_t)a.i32[k] * b.i32[k])
	VBIN(i64x2_extmul_high_i32x4_s, 2,
	     r.i64[k] = (int64_t)a.i32[k + 2] * b.i32[k + 2])
	VBIN(i64x2_extmul_low_i32x4_u, 2,
	     r.u64[k] = (uint64_t)a.u32[k] * b.u32[k])
	VBIN(i64x2_extmul_high_i32x4_u, 2,
	     r.u64[k] = (uint64_t)a.u32[k + 2] * b.u32[k + 2])
	VBIN(i16x8_q15mulr_sat_s, 8,
	     r.i16[k] =
		     sat((a.i16[k] * b.i16[k] + 0x4000) >> 15, -32768, 32767))
	VBIN(i32x4_dot_i16x8_s, 4,
	     r.u32[k] =
		     (uint32_t)((int64_t)a.i16[2 * k] * b.i16[2 * k] +
				(int64_t)a.i16[2 * k + 1] * b.i16[2 * k + 1]))
	VBIN(i8x16_swizzle, 16, r.u8[k] = b.u8[k] < 16 ? a.u8[b.u8[k]] : 0)
	VUN(f32x4_abs, 4, r.u32[k] = a.u32[k] & 0x7fffffffu)
	VUN(f32x4_neg, 4, r.u32[k] = a.u32[k] ^ 0x80000000u)
	VUN(f32x4_sqrt, 4, r.f32[k] = sqrtf(a.f32[k]))
	VUN(f32x4_ceil, 4, r.u32[k] = round32(ceilf(a.f32[k]), a.u32[k]))
	VUN(f32x4_floor, 4, r.u32[k] = round32(floorf(a.f32[k]), a.u32[k]))
	VUN(f32x4_trunc, 4, r.u32[k] = round32(truncf(a.f32[k]), a.u32[k]))
	VUN(f32x4_nearest, 4, r.u32[k] = round32(rintf(a.f32[k]), a.u32[k]))
	VBIN(f32x4_add, 4, r.f32[k] = a.f32[k] + b.f32[k])
	VBIN(f32x4_sub, 4, r.f32[k] = a.f32[k] - b.f32[k])
	VBIN(f32x4_mul, 4, r.f32[k] = a.f32[k] * b.f32[k])
	VBIN(f32x4_div, 4, r.f32[k] = a.f32[k] / b.f32[k])
	VBIN(f32x4_min, 4, r.u32[k] = (uint32_t)fmin32(a.u32[k], b.u32[k]))
	VBIN(f32x4_max, 4, r.u32[k] = (uint32_t)fmax32(a.u32[k], b.u32[k]))
	VBIN(f32x4_pmin, 4,
	     r.u32[k] = b.f32[k] < a.f32[k] ? b.u32[k] : a.u32[k])
	VBIN(f32x4_pmax, 4,
	     r.u32[k] = a.f32[k] < b.f32[k] ? b.u32[k] : a.u32[k])
	VUN(f64x2_abs, 2, r.u64[k] = a.u64[k] & 0x7fffffffffffffffull)
	VUN(f64x2_neg, 2, r.u64[k] = a.u64[k] ^ 0x8000000000000000ull)
	VUN(f64x2_sqrt, 2, r.f64[k] = sqrt(a.f64[k]))
	VUN(f64x2_ceil, 2, r.u64[k] = round64(ceil(a.f64[k]), a.u64[k]))
	VUN(f64x2_floor, 2, r.u64[k] = round64(floor(a.f64[k]), a.u64[k]))
	VUN(f64x2_trunc, 2, r.u64[k] = round64(trunc(a.f64[k]), a.u64[k]))
	VUN(f64x2_nearest, 2, r.u64[k] = round64(rint(a.f64[k]), a.u64[k]))
	VBIN(f64x2_add, 2, r.f64[k] = a.f64[k] + b.f64[k])
	VBIN(f64x2_sub, 2, r.f64[k] = a.f64[k] - b.f64[k])
	VBIN(f64x2_mul, 2, r.f64[k] = a.f64[k] * b.f64[k])
	VBIN(f64x2_div, 2, r.f64[k] = a.f64[k] / b.f64[k])
	VBIN(f64x2_min, 2, r.u64[k] = (uint64_t)fmin64(a.u64[k], b.u64[k]))
	VBIN(f64x2_max, 2, r.u64[k] = (uint64_t)fmax64(a.u64[k], b.u64[k]))
	VBIN(f64x2_pmin, 2,
	     r.u64[k] = b.f64[k] < a.f64[k] ? b.u64[k] : a.u64[k])
	VBIN(f64x2_pmax, 2,
	     r.u64[k] = a.f64[k] < b.f64[k] ? b.u64[k] : a.u64[k])
	VUN(i32x4_trunc_sat_f32x4_s, 4,
	    r.u32[k] = (uint32_t)sat_i32_s(a.f32[k]))
	VUN(i32x4_trunc_sat_f32x4_u, 4,
	    r.u32[k] = (uint32_t)sat_i32_u(a.f32[k]))
	VUN(f32x4_convert_i32x4_s, 4, r.f32[k] = (float)a.i32[k])
	VUN(f32x4_convert_i32x4_u, 4, r.f32[k] = (float)a.u32[k])
	VUN(i32x4_trunc_sat_f64x2_s_zero, 4,
	    r.u32[k] = k < 2 ? (uint32_t)sat_i32_s(a.f64[k]) : 0)
	VUN(i32x4_trunc_sat_f64x2_u_zero, 4,
	    r.u32[k] = k < 2 ? (uint32_t)sat_i32_u(a.f64[k]) : 0)
	VUN(f64x2_convert_low_i32x4_s, 2, r.f64[k] = (double)a.i32[k])
	VUN(f64x2_convert_low_i32x4_u, 2, r.f64[k] = (double)a.u32[k])
	VUN(f32x4_demote_f64x2_zero, 4,
	    r.f32[k] = k < 2 ? (float)a.f64[k] : 0.0f)
	VUN(f64x2_promote_low_f32x4, 2, r.f64[k] = (double)a.f32[k])
	VSPLAT(i8x16_splat, 16, r.u8[k] = (uint8_t)x)
	VSPLAT(i16x8_splat, 8, r.u16[k] = (uint16_t)x)
	VSPLAT(i32x4_splat, 4, r.u32[k] = (uint32_t)x)
	VSPLAT(i64x2_splat, 2, r.u64[k] = (uint64_t)x)
	VSPLAT(f32x4_splat, 4, r.u32[k] = (uint32_t)x)
	VSPLAT(f64x2_splat, 2, r.u64[k] = (uint64_t)x)
	VEXTRACT(i8x16_extract_lane_s, (uint32_t)(int32_t)a.i8[U(3)])
	VEXTRACT(i8x16_extract_lane_u, a.u8[U(3)])
	VEXTRACT(i16x8_extract_lane_s, (uint32_t)(int32_t)a.i16[U(3)])
	VEXTRACT(i16x8_extract_lane_u, a.u16[U(3)])
	VEXTRACT(i32x4_extract_lane, a.u32[U(3)])
	VEXTRACT(i64x2_extract_lane, a.u64[U(3)])
	VEXTRACT(f32x4_extract_lane, a.u32[U(3)])
	VEXTRACT(f64x2_extract_lane, a.u64[U(3)])
	VREPLACE(i8x16_replace_lane, a.u8[U(4)] = (uint8_t)x)
	VREPLACE(i16x8_replace_lane, a.u16[U(4)] = (uint16_t)x)
	VREPLACE(i32x4_replace_lane, a.u32[U(4)] = (uint32_t)x)
	VREPLACE(i64x2_replace_lane, a.u64[U(4)] = x)
	VREPLACE(f32x4_replace_lane, a.u32[U(4)] = (uint32_t)x)
	VREPLACE(f64x2_replace_lane, a.u64[U(4)] = x)
	VLOAD(v128_load, 16, memcpy(&r, m_, 16))
	VLOAD(v128_load8x8_s, 8,
	      for (int k = 0; k < 8; k++) r.i16[k] = (int8_t)m_[k])
	VLOAD(v128_load8x8_u, 8, for (int k = 0; k < 8; k++) r.u16[k] = m_[k])
	VLOAD(
		v128_load16x4_s, 8, for (int k = 0; k < 4; k++) {
			int16_t x_;
			memcpy(&x_, m_ + 2 * k, 2);
			r.i32[k] = x_;
		})
	VLOAD(
		v128_load16x4_u, 8, for (int k = 0; k < 4; k++) {
			uint16_t x_;
			memcpy(&x_, m_ + 2 * k, 2);
			r.u32[k] = x_;
		})
	VLOAD(
		v128_load32x2_s, 8, for (int k = 0; k < 2; k++) {
			int32_t x_;
			memcpy(&x_, m_ + 4 * k, 4);
			r.i64[k] = x_;
		})
	VLOAD(
		v128_load32x2_u, 8, for (int k = 0; k < 2; k++) {
			uint32_t x_;
			memcpy(&x_, m_ + 4 * k, 4);
			r.u64[k] = x_;
		})
	VLOAD(v128_load8_splat, 1,
	      for (int k = 0; k < 16; k++) r.u8[k] = m_[0])
	VLOAD(v128_load16_splat, 2,
	      for (int k = 0; k < 8; k++) memcpy(&r.u16[k], m_, 2))
	VLOAD(v128_load32_splat, 4,
	      for (int k = 0; k < 4; k++) memcpy(&r.u32[k], m_, 4))
	VLOAD(v128_load64_splat, 8,
	      for (int k = 0; k < 2; k++) memcpy(&r.u64[k], m_, 8))
	VLOAD(v128_load32_zero, 4, memset(&r, 0, 16); memcpy(&r, m_, 4))
	VLOAD(v128_load64_zero, 8, memset(&r, 0, 16); memcpy(&r, m_, 8))
	VLANE_LOAD(v128_load8_lane, 1)
	VLANE_LOAD(v128_load16_lane, 2)
	VLANE_LOAD(v128_load32_lane, 4)
	VLANE_LOAD(v128_load64_lane, 8)
	VLANE_STORE(v128_store8_lane, 1)
	VLANE_STORE(v128_store16_lane, 2)
	VLANE_STORE(v128_store32_lane, 4)
	VLANE_STORE(v128_store64_lane, 8)
L_v128_store: {
	uint64_t ea = (uint64_t)I32(1) + U(3);

	if (ea + 16 > msize)
		TRAP(BN_WASM_TRAP_MEMORY_OOB, "out of bounds memory access");
	memcpy(mbase + ea, fp + U(2), 16);
	NEXT(4);
}
L_v128_any_true: {
	v128 a;

	VLD(a, 2);
	R(1) = (a.u64[0] | a.u64[1]) != 0;
	NEXT(3);
}
L_v128_bitselect: {
	v128 a, b, c, r;

	VLD(a, 2);
	VLD(b, 3);
	VLD(c, 4);
	for (int k = 0; k < 2; k++)
		r.u64[k] = (a.u64[k] & c.u64[k]) | (b.u64[k] & ~c.u64[k]);
	VST(1, r);
	NEXT(5);
}
L_i8x16_shuffle: {
	v128 a, b, r;
	uint8_t l[16];

	VLD(a, 2);
	VLD(b, 3);
	memcpy(l, &pc[4].u, 8);
	memcpy(l + 8, &pc[5].u, 8);
	for (int k = 0; k < 16; k++)
		r.u8[k] = l[k] < 16 ? a.u8[l[k]] : b.u8[l[k] - 16];
	VST(1, r);
	NEXT(6);
}

	/* ---- control ---- */
I_trap_unreachable:
	TRAP(BN_WASM_TRAP_UNREACHABLE, "unreachable");
I_jmp:
	pc = pc[1].pc;
	goto *pc->h;
I_br_nz:
	if (I32(1)) {
		pc = pc[2].pc;
		goto *pc->h;
	}
	NEXT(3);
IX1_br_nz:
	if ((uint32_t)acc) {
		pc = pc[2].pc;
		goto *pc->h;
	}
	NEXT(3);
IX1_br_z:
	if (!(uint32_t)acc) {
		pc = pc[2].pc;
		goto *pc->h;
	}
	NEXT(3);
I_br_z:
	if (!I32(1)) {
		pc = pc[2].pc;
		goto *pc->h;
	}
	NEXT(3);
	/* the same, to a loop header (a loop_check) */
IL_jmp:
	pc = pc[1].pc;
	goto I_loop_check;
IL_br_nz:
	if (I32(1)) {
		pc = pc[2].pc;
		goto I_loop_check;
	}
	NEXT(3);
IL_br_z:
	if (!I32(1)) {
		pc = pc[2].pc;
		goto I_loop_check;
	}
	NEXT(3);
	/* compare-and-branch: [h, a, b, target]; the acc variants take a
	   (IX1_, ICX1_ behind a const64) or b (IX2_) from acc */
#define BR_IF(cond, to) if (cond) { pc = pc[3].pc; goto to; } NEXT(4);
#define BRCMP(name, T, op) \
	CONST_PRE(ICL_br_##name) IL_br_##name: \
	BR_IF(GET_##T(R(1)) op GET_##T(R(2)), I_loop_check) \
	CONST_PRE(IC_br_##name) I_br_##name: \
	BR_IF(GET_##T(R(1)) op GET_##T(R(2)), *pc->h) \
	ICX1_br_##name: fp[pc[1].u] = pc[2].u; pc += 3; \
	IX1_br_##name: BR_IF(ACC_##T op GET_##T(R(2)), *pc->h) \
	IX2_br_##name: BR_IF(GET_##T(R(1)) op ACC_##T, *pc->h)
	I32_CMPS(BRCMP)
#undef BRCMP
#undef BR_IF
IX1_br_table_i: {
	uint32_t i = (uint32_t)acc;

	goto br_table;
I_br_table_i:
	i = I32(1);
br_table:
	if (i > U(2))
		i = (uint32_t)U(2);
	pc = pc[3 + i].pc;
	goto *pc->h;
}
I_ret:
	/* this run pushed the frame it returns from */
	assert(s->depth > base_depth);
	if (--s->depth == base_depth)
		return 0;
	fr = &s->frames[s->depth];
	pc = fr->ret_pc;
	fp = fr->fp;
	f = fr->func;
	/* back in a frame that passed its stack check at its call */
	assert(pc && fp >= s->stack &&
	       f->code->frame_cells <= (size_t)(stack_end - fp));
	INST_SYNC();
	goto *pc->h;
I_call_func:
	callee = inst->funcs[U(1)];
	nfp = fp + U(2);
	ret_pc = pc + 3;
	goto do_call;
I_call_ind:
	tk = bn_wasm__indirect_callee(&callee, inst, (uint32_t)U(1),
				      (uint32_t)U(2), I32(4), &tmsg);
	if (tk != BN_WASM_TRAP_NONE)
		goto trap;
	nfp = fp + U(3);
	ret_pc = pc + 5;
	goto do_call;
do_call:
	/* the arguments sit on the caller's operand stack, which validation
	   sized for them and for the results that replace them */
	assert(nfp >= fp + f->code->local_cells &&
	       nfp + callee->type->param_cells <= fp + f->code->frame_cells &&
	       nfp + callee->type->result_cells <= fp + f->code->frame_cells);
	if (atomic_load_explicit(&s->interrupt, memory_order_relaxed))
		TRAP(BN_WASM_TRAP_INTERRUPTED, "interrupted");
	if (s->depth >= s->limits.max_call_depth)
		TRAP(BN_WASM_TRAP_STACK_EXHAUSTED, "call stack exhausted");
	if (callee->kind == BN_FUNC_HOST) {
		uint64_t *saved = s->stack_top;
		int r;

		s->stack_top = fp + f->code->frame_cells;
		s->depth++;
		r = bn_wasm__call_host(s, callee, inst, nfp, trap);
		s->depth--;
		s->stack_top = saved;
		if (r)
			goto host_trap;
		/* the host may have grown the memory */
		MEM_SYNC();
		pc = ret_pc;
		goto *pc->h;
	}
	if (callee->code->frame_cells > (size_t)(stack_end - nfp))
		TRAP(BN_WASM_TRAP_STACK_EXHAUSTED, "call stack exhausted");
	/* frames holds max_call_depth + 1 entries */
	assert(s->depth < s->limits.max_call_depth);
	fr = &s->frames[s->depth];
	fr->ret_pc = ret_pc;
	fr->fp = fp;
	fr->func = f;
	s->depth++;
	f = callee;
	fp = nfp;
	INST_SYNC();
	zero_locals(fp, f->code);
	/* every function's code starts with its fuel instruction */
	pc = f->code->code;
	goto I_fuel;

	/* ---- data movement ---- */
	/* a copy (BN_WASM__H_COPY) or const64 in front of one of these runs
	   with it */
#define IOP_PRE(c) IP_##c: R(1) = R(2); pc += 3; goto I_##c; \
	CONST_PRE(IK_##c) goto I_##c;
	PREFIXED_IOPS(IOP_PRE)
#undef IOP_PRE
I_copy:
	R(1) = R(2);
	NEXT(3);
I_copy2:
	fp[U(1)] = fp[U(2)];
	fp[U(1) + 1] = fp[U(2) + 1];
	NEXT(3);
I_move:
	memmove(fp + U(1), fp + U(2), U(3) * 8);
	NEXT(4);
I_const64:
	R(1) = acc = U(2);
	NEXT(3);
I_const128:
	fp[U(1)] = U(2);
	fp[U(1) + 1] = U(3);
	NEXT(4);
I_sel:
	R(1) = I32(4) ? R(2) : R(3);
	NEXT(5);
I_sel2: {
	uint64_t *src = fp + (I32(4) ? U(2) : U(3));

	memmove(fp + U(1), src, 16);
	NEXT(5);
}
I_gget:
	R(1) = inst->globals[U(2)]->v[0];
	NEXT(3);
I_gset:
	inst->globals[U(1)]->v[0] = R(2);
	NEXT(3);
I_gget2:
	fp[U(1)] = inst->globals[U(2)]->v[0];
	fp[U(1) + 1] = inst->globals[U(2)]->v[1];
	NEXT(3);
I_gset2:
	inst->globals[U(1)]->v[0] = fp[U(2)];
	inst->globals[U(1)]->v[1] = fp[U(2) + 1];
	NEXT(3);

	/* ---- tables and references ---- */
I_tget: {
	bn_wasm_table *tb = inst->tables[U(2)];
	uint32_t i = I32(3);

	if (i >= tb->size)
		TRAP(BN_WASM_TRAP_TABLE_OOB, "out of bounds table access");
	R(1) = (uintptr_t)tb->elems[i];
	NEXT(4);
}
I_tset: {
	bn_wasm_table *tb = inst->tables[U(1)];
	uint32_t i = I32(2);

	if (i >= tb->size)
		TRAP(BN_WASM_TRAP_TABLE_OOB, "out of bounds table access");
	tb->elems[i] = (void *)(uintptr_t)R(3);
	NEXT(4);
}
I_isnull:
	R(1) = R(2) == 0;
	NEXT(3);
I_rfunc:
	R(1) = (uintptr_t)inst->funcs[U(2)];
	NEXT(3);
I_tinit: {
	bn_wasm_table *tb = inst->tables[U(1)];
	uint64_t *a = fp + U(3);
	uint32_t d = (uint32_t)a[0], sidx = (uint32_t)a[1], n = (uint32_t)a[2];
	uint32_t y = (uint32_t)U(2);

	if ((uint64_t)sidx + n > inst->elem_len[y] ||
	    (uint64_t)d + n > tb->size)
		TRAP(BN_WASM_TRAP_TABLE_OOB, "out of bounds table access");
	if (n)
		memcpy(tb->elems + d, inst->elem_refs[y] + sidx,
		       (size_t)n * sizeof(void *));
	NEXT(4);
}
I_edrop:
	inst->elem_len[U(1)] = 0;
	NEXT(2);
I_tcopy: {
	bn_wasm_table *td = inst->tables[U(1)], *ts = inst->tables[U(2)];
	uint64_t *a = fp + U(3);
	uint32_t d = (uint32_t)a[0], sidx = (uint32_t)a[1], n = (uint32_t)a[2];

	if ((uint64_t)sidx + n > ts->size || (uint64_t)d + n > td->size)
		TRAP(BN_WASM_TRAP_TABLE_OOB, "out of bounds table access");
	if (n)
		memmove(td->elems + d, ts->elems + sidx,
			(size_t)n * sizeof(void *));
	NEXT(4);
}
I_tgrow: {
	uint64_t *a = fp + U(2);
	uint32_t old;

	if (bn_wasm__table_grow(inst->tables[U(1)], (uint32_t)a[1],
				(void *)(uintptr_t)a[0], &old))
		a[0] = UINT32_MAX;
	else
		a[0] = old;
	NEXT(3);
}
I_tsize:
	R(1) = inst->tables[U(2)]->size;
	NEXT(3);
I_tfill: {
	bn_wasm_table *tb = inst->tables[U(1)];
	uint64_t *a = fp + U(2);
	uint32_t i = (uint32_t)a[0], n = (uint32_t)a[2];
	void *v = (void *)(uintptr_t)a[1];

	if ((uint64_t)i + n > tb->size)
		TRAP(BN_WASM_TRAP_TABLE_OOB, "out of bounds table access");
	for (uint32_t k = 0; k < n; k++)
		tb->elems[i + k] = v;
	NEXT(3);
}

	/* ---- memory instructions ---- */
I_msize:
	R(1) = mem->pages;
	NEXT(2);
I_mgrow: {
	uint32_t old;

	if (bn_wasm__memory_grow(mem, I32(1), &old))
		R(1) = UINT32_MAX;
	else
		R(1) = old;
	MEM_SYNC();
	NEXT(2);
}
I_minit: {
	uint64_t *a = fp + U(2);
	uint32_t d = (uint32_t)a[0], sidx = (uint32_t)a[1], n = (uint32_t)a[2];
	uint32_t x = (uint32_t)U(1);
	uint32_t len = inst->data_dropped[x] ? 0 : inst->module->datas[x].len;

	if ((uint64_t)sidx + n > len || (uint64_t)d + n > msize)
		TRAP(BN_WASM_TRAP_MEMORY_OOB, "out of bounds memory access");
	if (n)
		memcpy(mbase + d, inst->module->datas[x].bytes + sidx, n);
	NEXT(3);
}
I_ddrop:
	inst->data_dropped[U(1)] = 1;
	NEXT(2);
I_mcopy: {
	uint64_t *a = fp + U(1);
	uint32_t d = (uint32_t)a[0], sidx = (uint32_t)a[1], n = (uint32_t)a[2];

	if ((uint64_t)sidx + n > msize || (uint64_t)d + n > msize)
		TRAP(BN_WASM_TRAP_MEMORY_OOB, "out of bounds memory access");
	if (n)
		memmove(mbase + d, mbase + sidx, n);
	NEXT(2);
}
I_mfill: {
	uint64_t *a = fp + U(1);
	uint32_t d = (uint32_t)a[0], n = (uint32_t)a[2];

	if ((uint64_t)d + n > msize)
		TRAP(BN_WASM_TRAP_MEMORY_OOB, "out of bounds memory access");
	if (n)
		memset(mbase + d, (int)(uint8_t)a[1], n);
	NEXT(2);
}

	/* ---- limits ---- */
I_fuel:
	s->fuel_used += U(1);
	if (s->fuel_used > s->fuel_limit) {
		s->fuel_used = s->fuel_limit;
		TRAP(BN_WASM_TRAP_FUEL_EXHAUSTED, "fuel exhausted");
	}
	NEXT(2);
I_loop_check:
	if (atomic_load_explicit(&s->interrupt, memory_order_relaxed))
		TRAP(BN_WASM_TRAP_INTERRUPTED, "interrupted");
	s->fuel_used += U(1);
	if (s->fuel_used > s->fuel_limit) {
		s->fuel_used = s->fuel_limit;
		TRAP(BN_WASM_TRAP_FUEL_EXHAUSTED, "fuel exhausted");
	}
	NEXT(2);

I_step_end:
	return 0;

trap:
	if (trap) {
		bn_wasm__trap_set(trap, tk, tmsg);
		trap->func_index = f->index;
		trap->code_offset = code_offset(f->code, pc);
	}
	if (tk == BN_WASM_TRAP_INTERRUPTED)
		atomic_store(&s->interrupt, false);
	s->depth = base_depth;
	return BN_WASM_ETRAP;
host_trap:
	s->depth = base_depth;
	return BN_WASM_ETRAP;
}

const void *const *bn_wasm__handlers(void)
{
	const void *const *t = NULL;

	(void)run(NULL, NULL, NULL, NULL, NULL, &t);
	return t;
}

int bn_wasm__interp_step(bn_wasm_store *s, bn_wasm_func *f, uint64_t *fp,
			 const bn_wasm__cell *stub, bn_wasm_trap *trap)
{
	return run(s, f, fp, trap, stub, NULL);
}

int bn_wasm__invoke(bn_wasm_store *s, bn_wasm_func *f, uint64_t *fp,
		    bn_wasm_trap *trap)
{
	if (f->kind == BN_FUNC_HOST) {
		int r;

		if (s->depth >= s->limits.max_call_depth) {
			bn_wasm__trap_set(trap, BN_WASM_TRAP_STACK_EXHAUSTED,
					  "call stack exhausted");
			return BN_WASM_ETRAP;
		}
		s->depth++;
		r = bn_wasm__call_host(s, f, NULL, fp, trap);
		s->depth--;
		return r;
	}
	if (f->inst->jit && s->limits.engine != BN_WASM_ENGINE_INTERP)
		return bn_wasm__jit_invoke(s, f, fp, trap);
	return run(s, f, fp, trap, NULL, NULL);
}

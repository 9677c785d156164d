/* SPDX-License-Identifier: MIT */
/*
 * wasm/translate_ops.c - validation and translation of the data
 * instructions of a function body: constants, numeric and SIMD operators
 * (typed from opcodes.def), loads and stores, memory, table, reference and
 * bulk instructions.  Control flow, the operand stack and calls are in
 * translate.c, which calls bn_wasm__tr_data() for everything here.
 * Spec: Core 2.0, sections 3.3.1-3.3.7 and 5.4.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "translate_int.h"

static int op_const(tr *t, uint8_t op)
{
	uint64_t v = 0;
	uint8_t ty;
	uint32_t slot;
	int32_t s32;
	int64_t s64;
	int e = 0;

	switch (op) {
	case 0x41:
		ty = BN_WASM_I32;
		e = bn_wasm__read_s32(&s32, &t->p, t->end);
		v = (uint32_t)s32;
		break;
	case 0x42:
		ty = BN_WASM_I64;
		e = bn_wasm__read_s64(&s64, &t->p, t->end);
		v = (uint64_t)s64;
		break;
	case 0x43:
		ty = BN_WASM_F32;
		if (4 > t->end - t->p)
			return bn_wasm__tr_fail(t, MAL, "unexpected end");
		for (int i = 3; i >= 0; i--)
			v = v << 8 | t->p[i];
		t->p += 4;
		break;
	default:
		ty = BN_WASM_F64;
		if (8 > t->end - t->p)
			return bn_wasm__tr_fail(t, MAL, "unexpected end");
		for (int i = 7; i >= 0; i--)
			v = v << 8 | t->p[i];
		t->p += 8;
		break;
	}
	if (e)
		return bn_wasm__tr_fail(t, MAL,
					"integer representation too long");
	e = bn_wasm__tr_push(t, ty, &slot);
	if (e || !bn_wasm__tr_live(t))
		return e;
	return bn_wasm__tr_emit_value(t, BN_WASM_IOP_const64, slot, v, 0, 2);
}

/* Typing of the generic ops, from opcodes.def. */
enum { KIND_SPECIAL, KIND_SIMDX, KIND_UN, KIND_BIN, KIND_LOAD, KIND_STORE };
typedef struct opinfo {
	uint8_t kind;
	uint8_t out, in1, in2;
	uint8_t align;
} opinfo;

#define T_i32 BN_WASM_I32
#define T_i64 BN_WASM_I64
#define T_f32 BN_WASM_F32
#define T_f64 BN_WASM_F64
#define T_v128 BN_WASM_V128
#define T___ 0
static const opinfo g_info[BN_WASM_OP_MAX] = {
#define BN_OP(code, name, c, kind, o, a, b, al) \
	[BN_WASM_OP_##c] = { KIND_##kind, T_##o, T_##a, T_##b, al },
#include "opcodes.def"
#undef BN_OP
};

static int read_memarg(tr *t, uint32_t max_align, uint32_t *offset)
{
	uint32_t align;

	if (bn_wasm__read_u32(&align, &t->p, t->end) ||
	    bn_wasm__read_u32(offset, &t->p, t->end))
		return bn_wasm__tr_fail(t, MAL, "unexpected end: memarg");
	if (align >= 32)
		return bn_wasm__tr_fail(t, MAL, "malformed memop flags");
	if (t->m->nmems == 0)
		return bn_wasm__tr_fail(t, INV, "unknown memory 0");
	if (align > max_align)
		return bn_wasm__tr_fail(
			t, INV, "alignment must not be larger than natural");
	return 0;
}

/*
 * The stack effect of one instruction: pop its N operands, whose types
 * IN lists in stack order (the first pushed first), into SLOTS in the same
 * order (so the last is popped first), then push a result of type OUT at
 * *DST, unless OUT is 0 (none).  Returns 0 or an error; *EMIT says whether
 * the instruction is to be emitted (the code is live).
 */
static int effect(tr *t, uint32_t n, const uint8_t *in, uint32_t *slots,
		  uint8_t out, uint32_t *dst, bool *emit)
{
	int e = 0;

	for (uint32_t k = n; k-- > 0 && !e;)
		e = bn_wasm__tr_pop_slot(t, in[k], &slots[k]);
	if (!e && out)
		e = bn_wasm__tr_push(t, out, dst);
	*emit = !e && bn_wasm__tr_live(t);
	return e;
}

static int op_generic(tr *t, int op)
{
	const opinfo *in = &g_info[op];
	const uint8_t types[2] = { in->in1, in->in2 };
	uint32_t s[2] = { 0, 0 }, out, offset;
	bool emit;
	int e;

	switch (in->kind) {
	case KIND_LOAD:
		if ((e = read_memarg(t, in->align, &offset)) ||
		    (e = effect(t, 1, types, s, in->out, &out, &emit)) || !emit)
			return e;
		return bn_wasm__tr_emit_value(t, op, out, s[0], offset, 3);
	case KIND_STORE:
		if ((e = read_memarg(t, in->align, &offset)) ||
		    (e = effect(t, 2, types, s, 0, NULL, &emit)) || !emit)
			return e;
		return bn_wasm__tr_emit3(t, op, s[0], s[1], offset);
	case KIND_BIN:
		if ((e = effect(t, 2, types, s, in->out, &out, &emit)) || !emit)
			return e;
		return bn_wasm__tr_emit_value(t, op, out, s[0], s[1], 3);
	default:
		if ((e = effect(t, 1, types, s, in->out, &out, &emit)) || !emit)
			return e;
		return bn_wasm__tr_emit_value(t, op, out, s[0], 0, 2);
	}
}

static int read_table(tr *t, uint32_t *idx)
{
	return bn_wasm__tr_read_idx(t, idx, t->m->ntables, "table");
}

static int op_ref(tr *t, uint8_t op)
{
	uint32_t slot, idx;
	uint8_t ty;
	val v;
	int e;

	if (op == 0xd0) {
		e = bn_wasm__tr_type(t, &ty, true);
		if (!e)
			e = bn_wasm__tr_push(t, ty, &slot);
		if (e || !bn_wasm__tr_live(t))
			return e;
		return bn_wasm__tr_emit2(t, BN_WASM_IOP_const64, slot, 0);
	}
	if (op == 0xd1) {
		e = bn_wasm__tr_pop(t, 0, &v);
		if (e)
			return e;
		if (v.type != UNKNOWN && !bn_wasm__is_reftype(v.type))
			return bn_wasm__tr_fail(t, INV,
						"type mismatch: ref.is_null");
		e = bn_wasm__tr_push(t, BN_WASM_I32, &slot);
		if (e || !bn_wasm__tr_live(t))
			return e;
		return bn_wasm__tr_emit2(t, BN_WASM_IOP_isnull, slot, v.slot);
	}
	e = bn_wasm__tr_read_idx(t, &idx, t->m->nfuncs, "function");
	if (e)
		return e;
	if (!t->m->func_ref_ok[idx])
		return bn_wasm__tr_fail(t, INV,
					"undeclared function reference");
	e = bn_wasm__tr_push(t, BN_WASM_FUNCREF, &slot);
	if (e || !bn_wasm__tr_live(t))
		return e;
	return bn_wasm__tr_emit2(t, BN_WASM_IOP_rfunc, slot, idx);
}

static int op_table(tr *t, uint8_t op)
{
	uint32_t x, s[2], slot;
	bool emit;
	int e = read_table(t, &x);

	if (e)
		return e;
	/* table.get: i -> ref; table.set: i ref -> */
	const uint8_t in[2] = { BN_WASM_I32, t->m->tables[x].elem };
	if (op == 0x25) {
		if ((e = effect(t, 1, in, s, in[1], &slot, &emit)) || !emit)
			return e;
		return bn_wasm__tr_emit3(t, BN_WASM_IOP_tget, slot, x, s[0]);
	}
	if ((e = effect(t, 2, in, s, 0, NULL, &emit)) || !emit)
		return e;
	return bn_wasm__tr_emit3(t, BN_WASM_IOP_tset, x, s[0], s[1]);
}

static int op_memory(tr *t, uint8_t op)
{
	uint32_t slot;
	int e;

	if ((e = bn_wasm__tr_zero(t)))
		return e;
	if (t->m->nmems == 0)
		return bn_wasm__tr_fail(t, INV, "unknown memory 0");
	if (op == 0x3f) {
		e = bn_wasm__tr_push(t, BN_WASM_I32, &slot);
		if (e || !bn_wasm__tr_live(t))
			return e;
		return bn_wasm__tr_emit1(t, BN_WASM_IOP_msize, slot);
	}
	e = bn_wasm__tr_flush(t, 1);
	if (!e)
		e = bn_wasm__tr_pop_slot(t, BN_WASM_I32, &slot);
	if (!e)
		e = bn_wasm__tr_push(t, BN_WASM_I32, NULL);
	if (e || !bn_wasm__tr_live(t))
		return e;
	return bn_wasm__tr_emit1(t, BN_WASM_IOP_mgrow, slot);
}

/*
 * The bulk memory and table operations (init, copy, fill): pop their three
 * operands (an i32 destination, a source or value of type MID, an i32
 * count) and, where the code is live, emit OP with its NIMM immediates (A,
 * then B) and the first operand's cell.
 */
static int bulk(tr *t, int op, uint8_t mid, int nimm, uint32_t a, uint32_t b)
{
	uint32_t base;
	int e = bn_wasm__tr_flush(t, 3);

	if (!e)
		e = bn_wasm__tr_pop(t, BN_WASM_I32, NULL);
	if (!e)
		e = bn_wasm__tr_pop(t, mid, NULL);
	if (!e)
		e = bn_wasm__tr_pop_slot(t, BN_WASM_I32, &base);
	if (e || !bn_wasm__tr_live(t))
		return e;
	return nimm == 0 ? bn_wasm__tr_emit1(t, op, base) :
	       nimm == 1 ? bn_wasm__tr_emit2(t, op, a, base) :
			   bn_wasm__tr_emit3(t, op, a, b, base);
}

static int op_fc(tr *t, uint32_t sub)
{
	uint32_t x, y, base;
	uint8_t z;
	int e;
	const uint8_t I = BN_WASM_I32;

	switch (sub) {
	case 8: /* memory.init */
		if (!t->m->has_datacount && t->m->ndatas)
			return bn_wasm__tr_fail(t, MAL,
						"data count section required");
		if (bn_wasm__read_u32(&x, &t->p, t->end) || 1 > t->end - t->p)
			return bn_wasm__tr_fail(t, MAL, "unexpected end");
		if (*t->p++ != 0)
			return bn_wasm__tr_fail(t, MAL, "zero byte expected");
		if (t->m->nmems == 0)
			return bn_wasm__tr_fail(t, INV, "unknown memory 0");
		if (x >= t->m->datacount)
			return bn_wasm__tr_fail(t, INV,
						"unknown data segment");
		return bulk(t, BN_WASM_IOP_minit, I, 1, x, 0);
	case 9:
		if (!t->m->has_datacount && t->m->ndatas)
			return bn_wasm__tr_fail(t, MAL,
						"data count section required");
		e = bn_wasm__tr_read_idx(t, &x, t->m->datacount,
					 "data segment");
		if (e || !bn_wasm__tr_live(t))
			return e;
		return bn_wasm__tr_emit1(t, BN_WASM_IOP_ddrop, x);
	case 10:
	case 11:
		for (int k = 0; k < (sub == 10 ? 2 : 1); k++)
			if ((e = bn_wasm__tr_zero(t)))
				return e;
		if (t->m->nmems == 0)
			return bn_wasm__tr_fail(t, INV, "unknown memory 0");
		return bulk(t, sub == 10 ? BN_WASM_IOP_mcopy : BN_WASM_IOP_mfill,
			    I, 0, 0, 0);
	case 12: /* table.init elem table */
		e = bn_wasm__tr_read_idx(t, &y, t->m->nelems, "elem segment");
		if (!e)
			e = read_table(t, &x);
		if (e)
			return e;
		if (t->m->tables[x].elem != t->m->elems[y].type)
			return bn_wasm__tr_fail(t, INV,
						"type mismatch: table.init");
		return bulk(t, BN_WASM_IOP_tinit, I, 2, x, y);
	case 13:
		e = bn_wasm__tr_read_idx(t, &y, t->m->nelems, "elem segment");
		if (e || !bn_wasm__tr_live(t))
			return e;
		return bn_wasm__tr_emit1(t, BN_WASM_IOP_edrop, y);
	case 14: /* table.copy dst src */
		e = read_table(t, &x);
		if (!e)
			e = read_table(t, &y);
		if (e)
			return e;
		if (t->m->tables[x].elem != t->m->tables[y].elem)
			return bn_wasm__tr_fail(t, INV,
						"type mismatch: table.copy");
		return bulk(t, BN_WASM_IOP_tcopy, I, 2, x, y);
	case 15: /* table.grow: init n -> old */
		e = read_table(t, &x);
		if (e)
			return e;
		z = t->m->tables[x].elem;
		e = bn_wasm__tr_flush(t, 2);
		if (!e)
			e = bn_wasm__tr_pop(t, I, NULL);
		if (!e)
			e = bn_wasm__tr_pop_slot(t, z, &base);
		if (!e)
			e = bn_wasm__tr_push(t, I, NULL);
		if (e || !bn_wasm__tr_live(t))
			return e;
		return bn_wasm__tr_emit2(t, BN_WASM_IOP_tgrow, x, base);
	case 16:
		e = read_table(t, &x);
		if (!e)
			e = bn_wasm__tr_push(t, I, &base);
		if (e || !bn_wasm__tr_live(t))
			return e;
		return bn_wasm__tr_emit2(t, BN_WASM_IOP_tsize, base, x);
	case 17: /* table.fill: i val n */
		e = read_table(t, &x);
		if (e)
			return e;
		return bulk(t, BN_WASM_IOP_tfill, t->m->tables[x].elem, 1, x,
			    0);
	default:
		if (sub <= 7)
			return op_generic(t, BN_WASM_OP_i32_trunc_sat_f32_s +
					  (int)sub);
		return bn_wasm__tr_fail(t, MAL, "illegal opcode");
	}
}


/* Scalar type and lane count of extract_lane/replace_lane (0xFD 21..34). */
static const struct { uint8_t lanes, type; } g_lane[14] = {
	{ 16, BN_WASM_I32 }, { 16, BN_WASM_I32 }, { 16, BN_WASM_I32 },
	{ 8, BN_WASM_I32 }, { 8, BN_WASM_I32 }, { 8, BN_WASM_I32 },
	{ 4, BN_WASM_I32 }, { 4, BN_WASM_I32 }, { 2, BN_WASM_I64 },
	{ 2, BN_WASM_I64 }, { 4, BN_WASM_F32 }, { 4, BN_WASM_F32 },
	{ 2, BN_WASM_F64 }, { 2, BN_WASM_F64 },
};

static int read_lane(tr *t, uint32_t lanes, uint32_t *lane)
{
	uint8_t b;
	int e = bn_wasm__tr_byte(t, &b);

	if (e)
		return e;
	*lane = b;
	if (*lane >= lanes)
		return bn_wasm__tr_fail(t, INV, "invalid lane index");
	return 0;
}

static int emitn(tr *t, int op, const uint64_t *v, uint32_t n)
{
	uint32_t at;
	int e = bn_wasm__tr_emit(t, &at, op, n);

	for (uint32_t i = 0; !e && i < n; i++)
		t->code[at + 1 + i].u = v[i];
	return e;
}

/* The 0xFD instructions with immediates beyond a memarg. */
static int op_simd(tr *t, uint32_t sub, int op)
{
	const uint8_t V = BN_WASM_V128, vvv[3] = { V, V, V };
	uint32_t s[3], dst, lane = 0, off, size;
	uint64_t lo, hi;
	bool emit;
	int e;

	if (sub == 12 || sub == 13) {
		if (16 > t->end - t->p)
			return bn_wasm__tr_fail(t, MAL, "unexpected end");
		memcpy(&lo, t->p, 8);
		memcpy(&hi, t->p + 8, 8);
		for (int i = 0; sub == 13 && i < 16; i++)
			if (t->p[i] >= 32)
				return bn_wasm__tr_fail(t, INV,
							"invalid lane index");
		t->p += 16;
		if (sub == 12) {
			if ((e = effect(t, 0, NULL, s, V, &dst, &emit)) || !emit)
				return e;
			return bn_wasm__tr_emit3(t, BN_WASM_IOP_const128, dst,
						 lo, hi);
		}
		if ((e = effect(t, 2, vvv, s, V, &dst, &emit)) || !emit)
			return e;
		return emitn(t, op, (uint64_t[]){ dst, s[0], s[1], lo, hi }, 5);
	}
	if (sub == 82) {
		if ((e = effect(t, 3, vvv, s, V, &dst, &emit)) || !emit)
			return e;
		return emitn(t, op, (uint64_t[]){ dst, s[0], s[1], s[2] }, 4);
	}
	if (sub >= 21 && sub <= 34) {
		uint8_t ty = g_lane[sub - 21].type;
		bool replace = (sub <= 26) ? (sub % 3 == 2) : (sub % 2 == 0);

		e = read_lane(t, g_lane[sub - 21].lanes, &lane);
		if (e)
			return e;
		const uint8_t in[2] = { V, ty };
		if (!replace) {
			if ((e = effect(t, 1, in, s, ty, &dst, &emit)) || !emit)
				return e;
			return bn_wasm__tr_emit3(t, op, dst, s[0], lane);
		}
		if ((e = effect(t, 2, in, s, V, &dst, &emit)) || !emit)
			return e;
		return emitn(t, op, (uint64_t[]){ dst, s[0], s[1], lane }, 4);
	}
	/* 84..91: load/store one lane: i32 address, v128 -> v128 (load) */
	const uint8_t addr_v[2] = { BN_WASM_I32, V };
	size = (sub - 84) % 4;
	if ((e = read_memarg(t, size, &off)) ||
	    (e = read_lane(t, 16u >> size, &lane)) ||
	    (e = effect(t, 2, addr_v, s, sub < 88 ? V : 0, &dst, &emit)) ||
	    !emit)
		return e;
	if (sub < 88)
		return emitn(t, op, (uint64_t[]){ dst, s[0], s[1], off, lane },
			     5);
	return emitn(t, op, (uint64_t[]){ s[0], s[1], off, lane }, 4);
}

/* Map a one-byte opcode to its enum value (or -1).  Filled once per
   process (pthread_once), then only read, by any number of threads. */
static int16_t g_byte_op[256];
static int16_t g_fd_op[256];
static pthread_once_t g_maps_once = PTHREAD_ONCE_INIT;

static void fill_maps(void)
{
	for (int i = 0; i < 256; i++) {
		g_byte_op[i] = -1;
		g_fd_op[i] = -1;
	}
#define BN_OP(code, name, c, kind, o, a, b, al) \
	if ((code) < 0x100) \
		g_byte_op[(code)] = BN_WASM_OP_##c; \
	else if ((code) >= 0x200 && (code) < 0x300) \
		g_fd_op[(code) - 0x200] = BN_WASM_OP_##c;
#include "opcodes.def"
#undef BN_OP
}

static void init_maps(void)
{
	(void)pthread_once(&g_maps_once, fill_maps);
}

int bn_wasm__tr_data(tr *t, uint8_t b)
{
	uint32_t sub;
	int op;

	init_maps();
	switch (b) {
	case 0x25: case 0x26: return op_table(t, b);
	case 0x3f: case 0x40: return op_memory(t, b);
	case 0x41: case 0x42: case 0x43: case 0x44: return op_const(t, b);
	case 0xd0: case 0xd1: case 0xd2: return op_ref(t, b);
	case 0xfc:
		if (bn_wasm__read_u32(&sub, &t->p, t->end))
			return bn_wasm__tr_fail(t, MAL, "unexpected end");
		return op_fc(t, sub);
	case 0xfd:
		if (bn_wasm__read_u32(&sub, &t->p, t->end))
			return bn_wasm__tr_fail(t, MAL, "unexpected end");
		op = sub < 256 ? g_fd_op[sub] : -1;
		if (op < 0)
			return bn_wasm__tr_fail(t, MAL, "illegal opcode");
		if (g_info[op].kind == KIND_SPECIAL ||
		    g_info[op].kind == KIND_SIMDX)
			return op_simd(t, sub, op);
		return op_generic(t, op);
	default:
		op = g_byte_op[b];
		if (op < 0 || g_info[op].kind == KIND_SPECIAL ||
		    g_info[op].kind == KIND_SIMDX)
			return bn_wasm__tr_fail(t, MAL, "illegal opcode");
		return op_generic(t, op);
	}
}

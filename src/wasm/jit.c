/* SPDX-License-Identifier: MIT */
/*
 * wasm/jit.c - x86-64 machine code from slot code, one pass per function.
 *
 * Each slot code instruction (see wasm_int.h) becomes a short machine code
 * template: operands are still frame cells, now addressed off r12, so
 * nothing about frames, results or calls changes between the two engines
 * and an instruction this file does not compile is run by the interpreter
 * itself (bn_wasm__interp_step on a copy of the instruction).  Fuel is
 * charged by the same fuel/loop_check instructions with the same counts,
 * so a program uses the same fuel under both engines.
 *
 * Registers while wasm code runs:
 *   rbx  the call's struct jctx        r12  frame pointer (cell 0)
 *   r13  memory 0's bytes              r14  memory 0's size in bytes
 *   r15  the store
 * Every function is entered by `call` with r12 at its frame and keeps rsp
 * 16-byte aligned in its body, so C helpers are called directly.  A trap
 * stores its kind and place in the jctx and restores the rsp the entry
 * trampoline saved: one jump unwinds every wasm frame of the call.
 *
 * Memory accesses: a module is compiled in one of two variants.  For a
 * memory in a guarded reservation (instance.c, BN_WASM_BOUNDS_AUTO) an
 * access is one instruction, [r13 + zero-extended address + offset], and
 * is listed in the variant's msites; an access past the end faults in the
 * reservation's inaccessible part, and the SIGSEGV handler below turns
 * the fault into that instruction's out-of-bounds trap by resuming at the
 * trap exit with the listed place.  For an ordinary memory every access
 * keeps its explicit bounds check (address + offset + size against r14),
 * as in the interpreter; so do accesses with an offset of 2 GiB or more
 * in either variant.  The variant fitting this process is compiled at
 * load; the other one when an instance first needs it.
 *
 * The code is written into private anonymous memory, then made
 * read+execute (never both writable and executable).
 */
#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_int.h"

#if defined(__x86_64__) && defined(__linux__)

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "jit_x64.h"

#define NO_SITE UINT32_MAX

/* ---- helpers called from machine code ----------------------------------- */

static void site_trap(jctx *c, bn_wasm_trap_kind kind, const char *msg)
{
	const bn_wasm_module *m = c->inst->module;
	uint32_t ci = c->site_func - m->nfunc_imports;

	bn_wasm__trap_set(c->trap, kind, msg);
	c->trap->func_index = c->site_func;
	c->trap->code_offset = bn_wasm__code_offset(&m->codes[ci],
						    c->site_cell);
}

/* Call CALLEE (not compiled into this call's code) with frame NFP. */
static int slow_call(jctx *c, bn_wasm_func *callee, uint64_t *nfp,
		     uint64_t *frame_end)
{
	bn_wasm_store *s = c->store;
	uint64_t *saved = s->stack_top;
	int r;

	/* every wasm frame of this entry takes 16 bytes of native stack */
	assert(c->site_rsp <= c->saved_rsp);
	s->depth = c->base_depth +
		   (uint32_t)(((char *)c->saved_rsp - (char *)c->site_rsp) / 16);
	if (atomic_load_explicit(&s->interrupt, memory_order_relaxed)) {
		atomic_store(&s->interrupt, false);
		site_trap(c, BN_WASM_TRAP_INTERRUPTED, "interrupted");
		return 1;
	}
	if (s->depth >= s->limits.max_call_depth) {
		site_trap(c, BN_WASM_TRAP_STACK_EXHAUSTED,
			  "call stack exhausted");
		return 1;
	}
	if (callee->kind == BN_FUNC_WASM &&
	    callee->code->frame_cells > (size_t)(s->stack + s->stack_cells -
						   nfp)) {
		site_trap(c, BN_WASM_TRAP_STACK_EXHAUSTED,
			  "call stack exhausted");
		return 1;
	}
	s->stack_top = frame_end;
	if (callee->kind == BN_FUNC_HOST) {
		s->depth++;
		r = bn_wasm__call_host(s, callee, c->inst, nfp, c->trap);
		s->depth--;
	} else {
		r = bn_wasm__invoke(s, callee, nfp, c->trap);
	}
	s->stack_top = saved;
	return r ? 1 : 0;
}

static int h_call_import(jctx *c, uint32_t fidx, uint64_t *nfp,
			 uint64_t *frame_end)
{
	return slow_call(c, c->inst->funcs[fidx], nfp, frame_end);
}

/* call_indirect: the callee's machine code when it is compiled into this
   instance, else 0 after making the call here, or 1 on a trap. */
static uintptr_t h_call_ind(jctx *c, uint32_t type, uint32_t table,
			    uint32_t i, uint64_t *nfp, uint64_t *frame_end)
{
	bn_wasm_func *callee = NULL;
	const char *msg;
	bn_wasm_trap_kind k = bn_wasm__indirect_callee(&callee, c->inst, type,
						       table, i, &msg);

	if (k != BN_WASM_TRAP_NONE) {
		site_trap(c, k, msg);
		return 1;
	}
	if (callee->kind == BN_FUNC_WASM && callee->inst == c->inst &&
	    c->entries[callee->index])
		return (uintptr_t)c->entries[callee->index];
	return slow_call(c, callee, nfp, frame_end) ? 1 : 0;
}

static int h_step(jctx *c, uint64_t *fp, const bn_wasm__cell *stub,
		  uint32_t cell, uint32_t fidx)
{
	bn_wasm_func *f = c->inst->funcs[fidx];

	if (bn_wasm__interp_step(c->store, f, fp, stub, c->trap) == 0)
		return 0;
	c->trap->func_index = fidx;
	c->trap->code_offset = bn_wasm__code_offset(f->code, cell);
	return 1;
}

/* ---- module routines ----------------------------------------------------- */

static void push_r(jit *j, int r)
{
	head(j, 0, 0, (uint32_t)(0x50 + (r & 7)), 1, 0, NOIDX, r, false);
}

static void pop_r(jit *j, int r)
{
	head(j, 0, 0, (uint32_t)(0x58 + (r & 7)), 1, 0, NOIDX, r, false);
}

/* At offset 0: int enter(jctx *c, uint64_t *fp, const void *code);
   then the trap exits every function jumps to. */
static void emit_trampoline(jit *j)
{
	static const int saved[] = { RBP, RBX, R12, R13, R14, R15 };
	uint32_t epilogue;

	for (size_t i = 0; i < 6; i++)
		push_r(j, saved[i]);
	op_r(j, 0, 1, 0x83, 1, 5, RSP); /* sub rsp, 8 */
	put1(j, 8);
	mov_rr(j, 1, RBX, RDI);
	mov_rr(j, 1, R12, RSI);
	op_m(j, 0, 1, 0x8b, 1, R15, RBX, NOIDX, 0, offsetof(jctx, store));
	op_m(j, 0, 1, 0x89, 1, RSP, RBX, NOIDX, 0,
	     offsetof(jctx, saved_rsp));
	/* floor = max(rsp - depth_room, stack_floor) */
	mov_rr(j, 1, RAX, RSP);
	op_m(j, 0, 1, 0x2b, 1, RAX, RBX, NOIDX, 0, offsetof(jctx, depth_room));
	op_m(j, 0, 1, 0x3b, 1, RAX, RBX, NOIDX, 0, offsetof(jctx, stack_floor));
	op_m(j, 0, 1, 0x0f42, 2, RAX, RBX, NOIDX, 0,
	     offsetof(jctx, stack_floor));                  /* cmovb */
	op_m(j, 0, 1, 0x89, 1, RAX, RBX, NOIDX, 0, offsetof(jctx, floor));
	op_m(j, 0, 1, 0x8b, 1, RBP, R15, NOIDX, 0,
	     offsetof(bn_wasm_store, fuel_used));
	reload_mem(j);
	op_r(j, 0, 0, 0xff, 1, 2, RDX); /* call rdx */
	op_r(j, 0, 0, 0x31, 1, RAX, RAX); /* xor eax, eax */
	epilogue = (uint32_t)j->n;
	op_m(j, 0, 1, 0x89, 1, RBP, R15, NOIDX, 0,
	     offsetof(bn_wasm_store, fuel_used));
	op_r(j, 0, 1, 0x83, 1, 0, RSP); /* add rsp, 8 */
	put1(j, 8);
	for (size_t i = 6; i-- > 0;)
		pop_r(j, saved[i]);
	put1(j, 0xc3);
	/* trap_exit: edi = kind, esi = function index, edx = cell */
	j->out->trap_exit = (uint32_t)j->n;
	op_m(j, 0, 0, 0x89, 1, RDI, RBX, NOIDX, 0,
	     offsetof(jctx, trap_kind));
	op_m(j, 0, 0, 0x89, 1, RSI, RBX, NOIDX, 0,
	     offsetof(jctx, trap_func));
	op_m(j, 0, 0, 0x89, 1, RDX, RBX, NOIDX, 0,
	     offsetof(jctx, trap_cell));
	op_m(j, 0, 1, 0x89, 1, RCX, RBX, NOIDX, 0,
	     offsetof(jctx, trap_ret));
	j->raw_exit = (uint32_t)j->n;
	op_m(j, 0, 1, 0x8b, 1, RSP, RBX, NOIDX, 0,
	     offsetof(jctx, saved_rsp));
	mov_imm(j, RAX, 1);
	jump_to(j, JMP, epilogue);
}

/* ---- instructions ------------------------------------------------------ */

#define OP(name) BN_WASM_OP_##name
#define IOP(name) BN_WASM_IOP_##name

/* Condition codes of the integer comparisons. */
static int int_cc(int op)
{
	switch (op) {
	case OP(i32_eq): case OP(i64_eq): return CC_E;
	case OP(i32_ne): case OP(i64_ne): return CC_NE;
	case OP(i32_lt_s): case OP(i64_lt_s): return CC_L;
	case OP(i32_lt_u): case OP(i64_lt_u): return CC_B;
	case OP(i32_gt_s): case OP(i64_gt_s): return CC_G;
	case OP(i32_gt_u): case OP(i64_gt_u): return CC_A;
	case OP(i32_le_s): case OP(i64_le_s): return CC_LE;
	case OP(i32_le_u): case OP(i64_le_u): return CC_BE;
	case OP(i32_ge_s): case OP(i64_ge_s): return CC_GE;
	case OP(i32_ge_u): case OP(i64_ge_u): return CC_AE;
	default: return -2;
	}
}

/* Condition codes of the compare-and-branch instructions, else -2. */
static int br_cc(int op)
{
	switch (op) {
	case IOP(br_eq): return CC_E;
	case IOP(br_ne): return CC_NE;
	case IOP(br_lt_s): return CC_L;
	case IOP(br_lt_u): return CC_B;
	case IOP(br_gt_s): return CC_G;
	case IOP(br_gt_u): return CC_A;
	case IOP(br_le_s): return CC_LE;
	case IOP(br_le_u): return CC_BE;
	case IOP(br_ge_s): return CC_GE;
	case IOP(br_ge_u): return CC_AE;
	default: return -2;
	}
}

static bool is_i64_op(int op)
{
	return (op >= OP(i64_eqz) && op <= OP(i64_ge_u)) ||
	       (op >= OP(i64_clz) && op <= OP(i64_rotr));
}

/* Whether this file compiles OP itself (else the interpreter steps it). */
static bool native(const jit *j, int op)
{
	if (int_cc(op) != -2 || br_cc(op) != -2)
		return true;
	/* whole ranges of opcodes.def: every load and store, the integer
	   arithmetic but popcnt (below), the float compares, and the
	   reinterprets and sign extensions */
	if ((op >= OP(i32_load) && op <= OP(i64_store32)) ||
	    (op >= OP(i32_add) && op <= OP(i32_rotr)) ||
	    (op >= OP(i64_add) && op <= OP(i64_rotr)) ||
	    (op >= OP(f32_eq) && op <= OP(f64_ge)) ||
	    (op >= OP(i32_reinterpret_f32) && op <= OP(i64_extend32_s)))
		return true;
	switch (op) {
	case OP(i32_eqz): case OP(i64_eqz):
	case OP(i32_clz): case OP(i32_ctz): case OP(i64_clz):
	case OP(i64_ctz):
	case OP(f32_abs): case OP(f32_neg): case OP(f32_sqrt):
	case OP(f32_add): case OP(f32_sub): case OP(f32_mul):
	case OP(f32_div): case OP(f32_copysign):
	case OP(f64_abs): case OP(f64_neg): case OP(f64_sqrt):
	case OP(f64_add): case OP(f64_sub): case OP(f64_mul):
	case OP(f64_div): case OP(f64_copysign):
	case OP(i32_wrap_i64): case OP(i64_extend_i32_s):
	case OP(i64_extend_i32_u):
	case OP(f32_convert_i32_s): case OP(f32_convert_i32_u):
	case OP(f32_convert_i64_s): case OP(f32_demote_f64):
	case OP(f64_convert_i32_s): case OP(f64_convert_i32_u):
	case OP(f64_convert_i64_s): case OP(f64_promote_f32):
	case IOP(trap_unreachable): case IOP(jmp): case IOP(br_nz):
	case IOP(br_z): case IOP(br_table_i): case IOP(ret):
	case IOP(call_func): case IOP(call_ind): case IOP(copy):
	case IOP(copy2): case IOP(move): case IOP(const64):
	case IOP(const128): case IOP(sel): case IOP(gget): case IOP(gset):
	case IOP(msize): case IOP(fuel): case IOP(loop_check):
		return true;
	case OP(i32_popcnt): case OP(i64_popcnt):
		return j->popcnt;
	case OP(f32_ceil): case OP(f32_floor): case OP(f32_trunc):
	case OP(f32_nearest): case OP(f64_ceil): case OP(f64_floor):
	case OP(f64_trunc): case OP(f64_nearest):
		return j->sse41;
	default:
		return false;
	}
}

/* Bounds check of an access of SIZE bytes at cell A + OFF; returns the
   register holding the (zero-extended) address and sets *DISP to the
   displacement to use with it. */
static int mem_addr(jit *j, uint64_t a, uint64_t off, uint32_t size,
		    uint32_t cell, int32_t *disp)
{
	int ra = use(j, a, false), rx = ra, rt;

	if (j->rc[ra].full) {
		/* the address must be zero-extended whatever the cell held */
		rx = rc_alloc(j);
		mov_rr(j, 0, rx, ra);
		j->rc[rx].cell = (uint32_t)a;
		j->rc[rx].full = false;
	}
	if (j->guard && off + size <= INT32_MAX) {
		/* the reservation catches it: no check, but the access that
		   follows is listed (mark_access) */
		j->pending_site = cell;
		*disp = (int32_t)off;
		return rx;
	}
	rt = rc_alloc(j);
	if (off + size <= INT32_MAX) {
		op_m(j, 0, 1, 0x8d, 1, rt, rx, NOIDX, 0,
		     (int32_t)(off + size));               /* lea rt */
		op_r(j, 0, 1, 0x39, 1, R14, rt);           /* cmp rt, r14 */
		trap_if(j, CC_A, BN_WASM_TRAP_MEMORY_OOB, cell);
		*disp = (int32_t)off;
		return rx;
	}
	/* offsets past 2 GiB: address plus offset in rt */
	mov_imm(j, rt, off);
	op_r(j, 0, 1, 0x01, 1, rx, rt);                    /* add rt, rx */
	rx = rc_alloc(j);
	op_m(j, 0, 1, 0x8d, 1, rx, rt, NOIDX, 0, (int32_t)size);
	op_r(j, 0, 1, 0x39, 1, R14, rx);
	trap_if(j, CC_A, BN_WASM_TRAP_MEMORY_OOB, cell);
	*disp = 0;
	return rt;
}

/* The memory access about to be emitted has no bounds check: list where
   it starts, for the fault handler. */
static void mark_access(jit *j)
{
	memsite *ms;

	if (j->pending_site == NO_SITE)
		return;
	ms = push(j, (void **)&j->out->msites, &j->capmsites,
		  &j->out->nmsites,
		  sizeof(*ms));
	if (!ms)
		return;
	*ms = (memsite){ (uint32_t)j->n, j->cur_func, j->pending_site };
	j->pending_site = NO_SITE;
}

static void emit_load(jit *j, int op, const bn_wasm__cell *p, uint32_t cell)
{
	static const struct { int op; int w; uint32_t opc; int n;
			      uint32_t size; } t[] = {
		{ OP(i32_load), 0, 0x8b, 1, 4 },
		{ OP(f32_load), 0, 0x8b, 1, 4 },
		{ OP(i64_load32_u), 0, 0x8b, 1, 4 },
		{ OP(i64_load), 1, 0x8b, 1, 8 },
		{ OP(f64_load), 1, 0x8b, 1, 8 },
		{ OP(i32_load8_s), 0, 0x0fbe, 2, 1 },
		{ OP(i32_load8_u), 0, 0x0fb6, 2, 1 },
		{ OP(i64_load8_u), 0, 0x0fb6, 2, 1 },
		{ OP(i32_load16_s), 0, 0x0fbf, 2, 2 },
		{ OP(i32_load16_u), 0, 0x0fb7, 2, 2 },
		{ OP(i64_load16_u), 0, 0x0fb7, 2, 2 },
		{ OP(i64_load8_s), 1, 0x0fbe, 2, 1 },
		{ OP(i64_load16_s), 1, 0x0fbf, 2, 2 },
		{ OP(i64_load32_s), 1, 0x63, 1, 4 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int32_t disp;
		int rx, rd;

		if (t[i].op != op)
			continue;
		rx = mem_addr(j, p[2].u, p[3].u, t[i].size, cell, &disp);
		if (op == OP(f32_load) || op == OP(f64_load)) {
			/* floats straight into an xmm register */
			bool f64 = op == OP(f64_load);
			int xd = xalloc(j);

			mark_access(j);
			op_m(j, f64 ? 0xf2 : 0xf3, 0, 0x0f10, 2, xd, R13, rx, 0,
			     disp);
			xdef(j, p[1].u, xd, f64);
			return;
		}
		rd = rc_alloc(j);
		mark_access(j);
		op_m(j, 0, t[i].w, t[i].opc, t[i].n, rd, R13, rx, 0, disp);
		def(j, p[1].u, rd);
		return;
	}
}

static void emit_store(jit *j, int op, const bn_wasm__cell *p,
		       uint32_t cell)
{
	uint32_t size = 4;
	int32_t disp;
	int rx, rv;

	switch (op) {
	case OP(i64_store): case OP(f64_store): size = 8; break;
	case OP(i32_store8): case OP(i64_store8): size = 1; break;
	case OP(i32_store16): case OP(i64_store16): size = 2; break;
	default: break;
	}
	if ((op == OP(f32_store) || op == OP(f64_store)) &&
	    xfind(j, p[2].u) >= 0 && rc_find(j, p[2].u, size == 8) < 0) {
		int xv = xfind(j, p[2].u);

		j->xpinned |= (uint16_t)(1u << xv);
		rx = mem_addr(j, p[1].u, p[3].u, size, cell, &disp);
		mark_access(j);
		op_m(j, size == 8 ? 0xf2 : 0xf3, 0, 0x0f11, 2, xv, R13, rx, 0,
		     disp);
		return;
	}
	rv = use(j, p[2].u, size == 8);
	rx = mem_addr(j, p[1].u, p[3].u, size, cell, &disp);
	mark_access(j);
	if (size == 1) {
		/* mov [r13 + rx + disp32], rv8 */
		head(j, 0, 0, 0x88, 1, rv, rx, R13, rv >= 4 && rv < 8);
		put1(j, (uint8_t)(0x80 | ((rv & 7) << 3) | 4));
		put1(j, (uint8_t)(((rx & 7) << 3) | (R13 & 7)));
		put4(j, (uint32_t)disp);
	} else if (size == 2) {
		op_m(j, 0x66, 0, 0x89, 1, rv, R13, rx, 0, disp);
	} else {
		op_m(j, 0, size == 8, 0x89, 1, rv, R13, rx, 0, disp);
	}
}

/* Integer division and remainder, with their traps. */
static void emit_div(jit *j, int op, const bn_wasm__cell *p, uint32_t cell)
{
	bool w = op >= OP(i64_div_s);
	bool sgn = op == OP(i32_div_s) || op == OP(i32_rem_s) ||
		   op == OP(i64_div_s) || op == OP(i64_rem_s);
	bool rem = op == OP(i32_rem_s) || op == OP(i32_rem_u) ||
		   op == OP(i64_rem_s) || op == OP(i64_rem_u);
	uint32_t skip = 0, done = 0;

	if (w) {
		ld64(j, RAX, p[2].u);
		ld64(j, RCX, p[3].u);
	} else {
		ld32(j, RAX, p[2].u);
		ld32(j, RCX, p[3].u);
	}
	op_r(j, 0, w, 0x85, 1, RCX, RCX);                  /* test rcx, rcx */
	trap_if(j, CC_E, BN_WASM_TRAP_DIV_ZERO, cell);
	if (sgn) {
		op_r(j, 0, w, 0x83, 1, 7, RCX);            /* cmp rcx, -1 */
		put1(j, 0xff);
		put1(j, 0x75);                             /* jne skip */
		skip = (uint32_t)j->n;
		put1(j, 0);
		if (rem) {
			op_r(j, 0, 0, 0x31, 1, RAX, RAX);  /* result 0 */
			put1(j, 0xeb);                     /* jmp done */
			done = (uint32_t)j->n;
			put1(j, 0);
		} else {
			/* only MIN / -1 overflows: neg sets OF exactly then */
			op_r(j, 0, w, 0xf7, 1, 3, RAX);    /* neg rax */
			trap_if(j, CC_O, BN_WASM_TRAP_INT_OVERFLOW, cell);
			op_r(j, 0, w, 0xf7, 1, 3, RAX);    /* neg back */
		}
		if (!j->oom)
			j->b[skip] = (uint8_t)(j->n - skip - 1);
		if (w)
			head(j, 0, 1, 0x99, 1, 0, NOIDX, 0, false); /* cqo */
		else
			put1(j, 0x99);                     /* cdq */
		op_r(j, 0, w, 0xf7, 1, 7, RCX);            /* idiv rcx */
	} else {
		op_r(j, 0, 0, 0x31, 1, RDX, RDX);          /* xor edx, edx */
		op_r(j, 0, w, 0xf7, 1, 6, RCX);            /* div rcx */
	}
	if (rem)
		mov_rr(j, w, RAX, RDX);
	if (done && !j->oom)
		j->b[done] = (uint8_t)(j->n - done - 1);
	st64(j, p[1].u, RAX);
}

static void emit_float(jit *j, int op, const bn_wasm__cell *p)
{
	bool f64 = (op >= OP(f64_eq) && op <= OP(f64_ge)) ||
		   (op >= OP(f64_abs) && op <= OP(f64_copysign));
	int pfx = f64 ? 0xf2 : 0xf3;
	uint32_t ar = 0;
	int xa, xd, ra, rd;

	switch (op) {
	case OP(f32_add): case OP(f64_add): ar = 0x58; break;
	case OP(f32_sub): case OP(f64_sub): ar = 0x5c; break;
	case OP(f32_mul): case OP(f64_mul): ar = 0x59; break;
	case OP(f32_div): case OP(f64_div): ar = 0x5e; break;
	default: break;
	}
	if (ar) {
		xa = xuse(j, p[2].u, f64);
		if (xfind(j, p[3].u) >= 0)
			j->xpinned |= (uint16_t)(1u << xfind(j, p[3].u));
		xd = xalloc(j);
		op_r(j, 0, 0, 0x0f28, 2, xd, xa);           /* movaps */
		xop(j, pfx, ar, xd, p[3].u);
		xdef(j, p[1].u, xd, f64);
		return;
	}
	switch (op) {
	case OP(f32_sqrt): case OP(f64_sqrt):
		xd = xalloc(j);
		op_r(j, 0x66, 0, 0x0f57, 2, xd, xd);        /* xorpd: no
							       false dependency */
		xop(j, pfx, 0x51, xd, p[2].u);
		xdef(j, p[1].u, xd, f64);
		return;
	case OP(f32_ceil): case OP(f32_floor): case OP(f32_trunc):
	case OP(f32_nearest): case OP(f64_ceil): case OP(f64_floor):
	case OP(f64_trunc): case OP(f64_nearest): {
		int mode = (op == OP(f32_floor) || op == OP(f64_floor)) ? 1 :
			   (op == OP(f32_ceil) || op == OP(f64_ceil)) ? 2 :
			   (op == OP(f32_trunc) || op == OP(f64_trunc)) ? 3 : 0;

		xa = xuse(j, p[2].u, f64);
		xd = xalloc(j);
		op_r(j, 0x66, 0, f64 ? 0x0f3a0b : 0x0f3a0a, 3, xd, xa);
		put1(j, (uint8_t)(mode | 8));               /* rounds[sd] */
		xdef(j, p[1].u, xd, f64);
		return;
	}
	case OP(f32_abs): case OP(f32_neg):
	case OP(f64_abs): case OP(f64_neg):
		ra = use(j, p[2].u, f64);
		rd = rc_alloc(j);
		mov_rr(j, f64, rd, ra);
		op_r(j, 0, f64, 0x0fba, 2,
		     op == OP(f32_abs) || op == OP(f64_abs) ? 6 : 7, rd);
		put1(j, f64 ? 63 : 31);                     /* btr/btc */
		def(j, p[1].u, rd);
		return;
	case OP(f32_copysign): case OP(f64_copysign): {
		int sh = f64 ? 63 : 31, rb = use(j, p[3].u, f64), rt;

		ra = use(j, p[2].u, f64);
		rd = rc_alloc(j);
		rt = rc_alloc(j);
		mov_rr(j, f64, rd, ra);
		mov_rr(j, f64, rt, rb);
		op_r(j, 0, f64, 0x0fba, 2, 6, rd);          /* btr rd, sh */
		put1(j, (uint8_t)sh);
		op_r(j, 0, f64, 0xc1, 1, 5, rt);            /* shr rt, sh */
		put1(j, (uint8_t)sh);
		op_r(j, 0, f64, 0xc1, 1, 4, rt);            /* shl rt, sh */
		put1(j, (uint8_t)sh);
		op_r(j, 0, f64, 0x09, 1, rt, rd);           /* or rd, rt */
		def(j, p[1].u, rd);
		return;
	}
	default:
		break;
	}
	/* comparisons: ucomis[sd]; unordered sets ZF, PF and CF */
	{
		int ucpfx = f64 ? 0x66 : 0;
		uint64_t x = p[2].u, y = p[3].u;
		int cc = CC_E, r1, r2;
		bool eqne = false;

		switch (op) {
		case OP(f32_eq): case OP(f64_eq): eqne = true; cc = CC_E;
			break;
		case OP(f32_ne): case OP(f64_ne): eqne = true; cc = CC_NE;
			break;
		case OP(f32_lt): case OP(f64_lt): x = p[3].u; y = p[2].u;
			cc = CC_A; break;
		case OP(f32_gt): case OP(f64_gt): cc = CC_A; break;
		case OP(f32_le): case OP(f64_le): x = p[3].u; y = p[2].u;
			cc = CC_AE; break;
		case OP(f32_ge): case OP(f64_ge): cc = CC_AE; break;
		default: break;
		}
		xa = xuse(j, x, f64);
		xop(j, ucpfx, 0x2e, xa, y);
		if (!eqne) {
			set_cc_r(j, cc, p[1].u);
			return;
		}
		/* eq: ZF && !PF; ne: !ZF || PF */
		r1 = rc_alloc(j);
		r2 = rc_alloc(j);
		op_r8(j, 0x0f90u | (uint32_t)cc, 2, 0, r1);
		op_r8(j, 0x0f90u | (uint32_t)(cc == CC_E ? CC_NP : CC_P), 2, 0,
		      r2);
		op_r8(j, cc == CC_E ? 0x20 : 0x08, 1, r2, r1);
		op_r8(j, 0x0fb6, 2, r1, r1);
		def(j, p[1].u, r1);
	}
}

static void emit_fconvert(jit *j, int op, const bn_wasm__cell *p)
{
	uint64_t d = p[1].u, a = p[2].u;
	bool to64 = op == OP(f64_convert_i32_s) ||
		    op == OP(f64_convert_i64_s) ||
		    op == OP(f64_convert_i32_u) || op == OP(f64_promote_f32);
	int pfx = to64 ? 0xf2 : 0xf3, ra, xa, xd;

	switch (op) {
	case OP(f32_convert_i32_s): case OP(f64_convert_i32_s):
	case OP(f32_convert_i64_s): case OP(f64_convert_i64_s):
	case OP(f32_convert_i32_u): case OP(f64_convert_i32_u): {
		/* an unsigned i32 is exact as the zero-extended i64 */
		bool src64 = op != OP(f32_convert_i32_s) &&
			     op != OP(f64_convert_i32_s);

		ra = use(j, a, op == OP(f32_convert_i64_s) ||
			       op == OP(f64_convert_i64_s));
		if (j->rc[ra].full && src64 && op != OP(f32_convert_i64_s) &&
		    op != OP(f64_convert_i64_s)) {
			int rz = rc_alloc(j);

			mov_rr(j, 0, rz, ra);               /* zero-extend */
			ra = rz;
		}
		xd = xalloc(j);
		op_r(j, 0x66, 0, 0x0f57, 2, xd, xd);        /* xorpd */
		op_r(j, pfx, src64, 0x0f2a, 2, xd, ra);     /* cvtsi2s[sd] */
		xdef(j, d, xd, to64);
		return;
	}
	case OP(f32_demote_f64): case OP(f64_promote_f32):
		xa = xuse(j, a, op == OP(f32_demote_f64));
		xd = xalloc(j);
		op_r(j, 0x66, 0, 0x0f57, 2, xd, xd);
		op_r(j, op == OP(f32_demote_f64) ? 0xf2 : 0xf3, 0, 0x0f5a, 2,
		     xd, xa);
		xdef(j, d, xd, to64);
		return;
	default:
		return;
	}
}

static void emit_convert(jit *j, int op, const bn_wasm__cell *p)
{
	/* integer moves and extensions: OPC rd, ra, with REX.W when W and
	   ra read as 64 bits when SRC64 */
	uint32_t opc = 0x8b;                        /* mov */
	int w = 0, ra, rd;
	bool src64 = false;

	switch (op) {
	/* a 32-bit mov zero-extends */
	case OP(i32_wrap_i64): case OP(i64_extend_i32_u):
	case OP(i32_reinterpret_f32): case OP(f32_reinterpret_i32):
		break;
	case OP(i64_reinterpret_f64): case OP(f64_reinterpret_i64):
		w = 1;
		src64 = true;
		break;
	case OP(i64_extend_i32_s): case OP(i64_extend32_s):
		opc = 0x63;                         /* movsxd */
		w = 1;
		break;
	case OP(i32_extend8_s): case OP(i64_extend8_s):
		opc = 0x0fbe;                       /* movsx r, r/m8 */
		w = op == OP(i64_extend8_s);
		break;
	case OP(i32_extend16_s): case OP(i64_extend16_s):
		opc = 0x0fbf;                       /* movsx r, r/m16 */
		w = op == OP(i64_extend16_s);
		break;
	default:
		emit_fconvert(j, op, p);
		return;
	}
	ra = use(j, p[2].u, src64);
	rd = rc_alloc(j);
	/* a byte source: sil and dil need a REX prefix */
	head(j, 0, w, opc, opc > 0xff ? 2 : 1, rd, NOIDX, ra,
	     opc == 0x0fbe && ra >= 4 && ra < 8);
	put1(j, (uint8_t)(0xc0 | ((rd & 7) << 3) | (ra & 7)));
	def(j, p[1].u, rd);
}

static void emit_int(jit *j, int op, const bn_wasm__cell *p, uint32_t cell)
{
	bool w = is_i64_op(op);
	int cc = int_cc(op);
	uint32_t arith = 0;
	int shift = -1, ra, rb, rd;

	if (cc != -2) {
		ra = use(j, p[2].u, w);
		rb = rc_find(j, p[3].u, w);
		if (rb >= 0)
			op_r(j, 0, w, 0x39, 1, rb, ra);     /* cmp ra, rb */
		else
			op_m(j, 0, w, 0x3b, 1, ra, R12, NOIDX, 0,
			     mem_cell(j, p[3].u));
		set_cc_r(j, cc, p[1].u);
		return;
	}
	switch (op) {
	case OP(i32_eqz): case OP(i64_eqz):
		ra = use(j, p[2].u, w);
		op_r(j, 0, w, 0x85, 1, ra, ra);             /* test */
		set_cc_r(j, CC_E, p[1].u);
		return;
	case OP(i32_add): case OP(i64_add): arith = 0x03; break;
	case OP(i32_sub): case OP(i64_sub): arith = 0x2b; break;
	case OP(i32_and): case OP(i64_and): arith = 0x23; break;
	case OP(i32_or): case OP(i64_or): arith = 0x0b; break;
	case OP(i32_xor): case OP(i64_xor): arith = 0x33; break;
	case OP(i32_mul): case OP(i64_mul): arith = 0x0faf; break;
	case OP(i32_shl): case OP(i64_shl): shift = 4; break;
	case OP(i32_shr_s): case OP(i64_shr_s): shift = 7; break;
	case OP(i32_shr_u): case OP(i64_shr_u): shift = 5; break;
	case OP(i32_rotl): case OP(i64_rotl): shift = 0; break;
	case OP(i32_rotr): case OP(i64_rotr): shift = 1; break;
	case OP(i32_div_s): case OP(i32_div_u): case OP(i32_rem_s):
	case OP(i32_rem_u): case OP(i64_div_s): case OP(i64_div_u):
	case OP(i64_rem_s): case OP(i64_rem_u):
		/* fixed registers: memory operands, then an empty cache */
		rc_reset(j);
		emit_div(j, op, p, cell);
		rc_reset(j);
		return;
	case OP(i32_clz): case OP(i64_clz):
		/* bsr sets ZF for 0: take -1 then, so 31 - -1 = 32 */
		ra = use(j, p[2].u, w);
		rb = rc_alloc(j);
		rd = rc_alloc(j);
		mov_imm(j, rb, w ? UINT64_MAX : UINT32_MAX);
		op_r(j, 0, w, 0x0fbd, 2, rd, ra);           /* bsr */
		op_r(j, 0, w, 0x0f44, 2, rd, rb);           /* cmovz */
		op_r(j, 0, w, 0xf7, 1, 3, rd);              /* neg */
		op_r(j, 0, w, 0x83, 1, 0, rd);              /* add 31/63 */
		put1(j, w ? 63 : 31);
		def(j, p[1].u, rd);
		return;
	case OP(i32_ctz): case OP(i64_ctz):
		ra = use(j, p[2].u, w);
		rb = rc_alloc(j);
		rd = rc_alloc(j);
		mov_imm(j, rb, w ? 64 : 32);
		op_r(j, 0, w, 0x0fbc, 2, rd, ra);           /* bsf */
		op_r(j, 0, w, 0x0f44, 2, rd, rb);           /* cmovz */
		def(j, p[1].u, rd);
		return;
	case OP(i32_popcnt): case OP(i64_popcnt):
		ra = use(j, p[2].u, w);
		rd = rc_alloc(j);
		op_r(j, 0xf3, w, 0x0fb8, 2, rd, ra);
		def(j, p[1].u, rd);
		return;
	default:
		return;
	}
	if (arith) {
		ra = use(j, p[2].u, w);
		rb = rc_find(j, p[3].u, w);
		if (rb >= 0)
			rc_pin(j, rb);
		rd = rc_alloc(j);
		mov_rr(j, w, rd, ra);
		if (rb >= 0)
			op_r(j, 0, w, arith, arith > 0xff ? 2 : 1, rd, rb);
		else
			op_m(j, 0, w, arith, arith > 0xff ? 2 : 1, rd, R12,
			     NOIDX, 0, mem_cell(j, p[3].u));
		def(j, p[1].u, rd);
		return;
	}
	/* shifts and rotates count in cl */
	rc_pin(j, RCX);
	ra = use(j, p[2].u, w);
	rd = rc_alloc(j);
	mov_rr(j, w, rd, ra);
	rb = rc_find(j, p[3].u, false);
	if (rb != RCX) {
		rc_clobber(j, RCX);
		if (rb >= 0)
			mov_rr(j, 0, RCX, rb);
		else
			op_m(j, 0, 0, 0x8b, 1, RCX, R12, NOIDX, 0,
			     mem_cell(j, p[3].u));
	}
	op_r(j, 0, w, 0xd3, 1, shift, rd);                  /* op rd, cl */
	def(j, p[1].u, rd);
}

/* Run the instruction at CELL through the interpreter. */
static void emit_step(jit *j, const bn_wasm__code *c, uint32_t cell,
		      uint32_t len, uint32_t fidx, int op)
{
	bn_wasm__cell *stub = &j->out->stubs[j->usedstubs];

	memcpy(stub, &c->code[cell], len * sizeof(*stub));
	/* the plain handler: the copy runs this instruction alone, even
	   where the code has a super-instruction's */
	stub[0].h = bn_wasm__handlers()[op];
	stub[len].h = j->step_end;
	j->usedstubs += len + 1;
	mov_rr(j, 1, RDI, RBX);
	mov_rr(j, 1, RSI, R12);
	mov_imm(j, RDX, (uint64_t)(uintptr_t)stub);
	mov_imm(j, RCX, cell);
	mov_imm(j, R8, fidx);
	call_c(j, (const void *)h_step);
	check_helper(j);
	reload_mem(j);
}

static void emit_move(jit *j, uint64_t d, uint64_t s, uint64_t n)
{
	if (n > 16) {
		lea(j, RDI, R12, CELL(d));
		lea(j, RSI, R12, CELL(s));
		mov_imm(j, RDX, n * 8);
		call_c(j, (const void *)memmove);
		return;
	}
	for (uint64_t k = 0; k < n; k++) {
		uint64_t i = d < s ? k : n - 1 - k;

		ld64(j, RAX, s + i);
		st64(j, d + i, RAX);
	}
}

static void charge_fuel(jit *j, uint64_t n, uint32_t cell)
{
	if (n <= INT32_MAX) {
		op_r(j, 0, 1, 0x81, 1, 0, RBP);             /* add rbp, n */
		put4(j, (uint32_t)n);
	} else {
		mov_imm(j, RCX, n);
		op_r(j, 0, 1, 0x01, 1, RCX, RBP);
	}
	op_m(j, 0, 1, 0x3b, 1, RBP, R15, NOIDX, 0,
	     offsetof(bn_wasm_store, fuel_limit));
	trap_if(j, CC_A, BN_WASM_TRAP_FUEL_EXHAUSTED, cell);
}

static void check_interrupt(jit *j, uint32_t cell)
{
	op_m(j, 0, 0, 0x80, 1, 7, R15, NOIDX, 0,
	     offsetof(bn_wasm_store, interrupt));            /* cmp byte, 0 */
	put1(j, 0);
	trap_if(j, CC_NE, BN_WASM_TRAP_INTERRUPTED, cell);
}

/* The call instruction just emitted returns here. */
static void add_ret(jit *j)
{
	retsite *rs = push(j, (void **)&j->out->rets, &j->caprets,
			   &j->out->nrets, sizeof(*rs));

	if (rs)
		*rs = (retsite){ (uint32_t)j->n, j->cur_func, j->cur_cell };
}

static void emit_call_direct(jit *j, uint32_t ci, uint64_t argbase)
{
	lea(j, R12, R12, CELL(argbase));
	put1(j, 0xe8);
	add_fix(j, FIX_CALL, ci, 0);
	if (j->oom)
		return;
	put4(j, 0);
	add_ret(j);
	lea(j, R12, R12, -CELL(argbase));
	if (j->grows[ci])
		reload_mem(j);
}

static void set_site(jit *j, uint32_t fidx, uint32_t cell)
{
	op_m(j, 0, 0, 0xc7, 1, 0, RBX, NOIDX, 0, offsetof(jctx, site_func));
	put4(j, fidx);
	op_m(j, 0, 0, 0xc7, 1, 0, RBX, NOIDX, 0, offsetof(jctx, site_cell));
	put4(j, cell);
}

static void emit_instr_raw(jit *j, const bn_wasm__code *c, uint32_t fidx,
			   uint32_t cell, uint32_t len, int op,
			   uint16_t stack);

/* The first cell a branch with source map STACK leaves dead. */
static uint64_t dead_from(const bn_wasm__code *c, uint16_t stack)
{
	return stack == BN_WASM__STACK_MANY ? NO_CELL :
	       (uint64_t)c->local_cells + stack;
}

/* Compare-and-branch: cmp a, b; jcc (what is live stored in between). */
static void emit_br_cmp(jit *j, const bn_wasm__code *c, int op,
			const bn_wasm__cell *p, uint16_t stack)
{
	int ra = use(j, p[1].u, false), rb = use(j, p[2].u, false);

	rc_flush_live(j, dead_from(c, stack));
	op_r(j, 0, 0, 0x39, 1, rb, ra);                     /* cmp ra, rb */
	jump_cell(j, br_cc(op), (uint32_t)(p[3].pc - c->code));
}

/* Whether OP's template keeps the register cache exact itself; the others
   use fixed registers or call out and start and end with it empty. */
static bool cached(int op)
{
	if (op >= OP(i32_eqz) && op <= OP(f64_copysign))
		return true;
	if (op >= OP(i32_wrap_i64) && op <= OP(i64_extend32_s))
		return true;
	if (op >= OP(i32_load) && op <= OP(i64_store32))
		return true;
	if (br_cc(op) != -2)
		return true;
	switch (op) {
	case IOP(jmp): case IOP(br_nz): case IOP(br_z): case IOP(br_table_i):
	case IOP(copy):
	case IOP(const64): case IOP(sel): case IOP(gget): case IOP(gset):
		return true;
	default:
		return false;
	}
}

static void emit_instr(jit *j, const bn_wasm__code *c, uint32_t fidx,
		       uint32_t cell, uint32_t len, int op, uint16_t stack)
{
	uint32_t flags = j->flags_cell;

	j->pinned = 0;
	j->xpinned = 0;
	j->flags_cell = NO_CELL;
	/* (a branch target starts with an empty cache: compile_func) */
	if (!j->target[cell] && (op == IOP(br_nz) || op == IOP(br_z)))
		j->flags_cell = flags;
	/* what is dirty is stored before control leaves, except cells that
	   are dead where it goes: the operand stack above the branch's own
	   (these are only moves: the flags stay for br_nz), or everything
	   but the results at a return */
	if (op == IOP(jmp) || op == IOP(br_nz) || op == IOP(br_z) ||
	    op == IOP(br_table_i))
		rc_flush_live(j, dead_from(c, stack));
	else if (op == IOP(ret))
		rc_flush_live(j, j->m->types[j->m->func_type[fidx]]
					 .result_cells);
	/* (a compare-and-branch flushes once its operands are in registers:
	   emit_br_cmp) */
	if (!native(j, op) || !cached(op)) {
		rc_reset(j);
		emit_instr_raw(j, c, fidx, cell, len, op, stack);
		rc_reset(j);
		return;
	}
	emit_instr_raw(j, c, fidx, cell, len, op, stack);
	if (op == IOP(jmp) || op == IOP(br_table_i))
		rc_reset(j);
}

static void emit_instr_raw(jit *j, const bn_wasm__code *c, uint32_t fidx,
			   uint32_t cell, uint32_t len, int op, uint16_t stack)
{
	const bn_wasm__cell *p = &c->code[cell];

	if (!native(j, op)) {
		emit_step(j, c, cell, len, fidx, op);
		return;
	}

	if ((op >= OP(i32_eqz) && op <= OP(i64_rotr)) &&
	    !(op >= OP(f32_eq) && op <= OP(f64_ge))) {
		emit_int(j, op, p, cell);
		return;
	}
	if ((op >= OP(f32_eq) && op <= OP(f64_ge)) ||
	    (op >= OP(f32_abs) && op <= OP(f64_copysign))) {
		emit_float(j, op, p);
		return;
	}
	if (op >= OP(i32_wrap_i64) && op <= OP(i64_extend32_s)) {
		emit_convert(j, op, p);
		return;
	}
	if (op >= OP(i32_load) && op <= OP(i64_load32_u)) {
		emit_load(j, op, p, cell);
		return;
	}
	if (op >= OP(i32_store) && op <= OP(i64_store32)) {
		emit_store(j, op, p, cell);
		return;
	}
	if (br_cc(op) != -2) {
		emit_br_cmp(j, c, op, p, stack);
		return;
	}
	switch (op) {
	case IOP(trap_unreachable):
		trap_if(j, JMP, BN_WASM_TRAP_UNREACHABLE, cell);
		return;
	case IOP(jmp):
		jump_cell(j, JMP, (uint32_t)(p[1].pc - c->code));
		return;
	case IOP(br_nz): case IOP(br_z): {
		uint32_t to = (uint32_t)(p[2].pc - c->code);
		int cc;

		if (j->flags_cell == p[1].u) {
			/* the condition was just computed: branch on it */
			cc = j->flags_cc;
			if (op == IOP(br_z))
				cc ^= 1;
		} else {
			int r = use(j, p[1].u, false);

			op_r(j, 0, 0, 0x85, 1, r, r);       /* test r32 */
			cc = op == IOP(br_nz) ? CC_NE : CC_E;
		}
		jump_cell(j, cc, to);
		return;
	}
	case IOP(br_table_i): {
		uint32_t n = (uint32_t)p[2].u, table, rel;
		int ri = use(j, p[1].u, false);

		/* nothing is dirty (emit_instr): rax and rcx are free */
		if (ri != RAX)
			mov_rr(j, 0, RAX, ri);
		mov_imm(j, RCX, n);
		op_r(j, 0, 0, 0x39, 1, RCX, RAX);           /* cmp eax, ecx */
		op_r(j, 0, 0, 0x0f47, 2, RAX, RCX);         /* cmova eax,ecx */
		head(j, 0, 1, 0x8d, 1, RCX, NOIDX, 0, false); /* lea rcx, */
		put1(j, 0x0d);                              /* [rip+rel] */
		rel = (uint32_t)j->n;
		put4(j, 0);
		op_m(j, 0, 1, 0x63, 1, RAX, RCX, RAX, 2, 0); /* movsxd */
		op_r(j, 0, 1, 0x01, 1, RCX, RAX);           /* add rax,rcx */
		op_r(j, 0, 0, 0xff, 1, 4, RAX);             /* jmp rax */
		table = (uint32_t)j->n;
		patch4(j, rel, table - (rel + 4));
		for (uint32_t i = 0; i <= n; i++) {
			add_fix(j, FIX_TABLE,
				(uint32_t)(p[3 + i].pc - c->code), table);
			put4(j, 0);
		}
		return;
	}
	case IOP(ret):
		op_r(j, 0, 1, 0x83, 1, 0, RSP);             /* add rsp, 8 */
		put1(j, 8);
		put1(j, 0xc3);
		return;
	case IOP(call_func): {
		uint32_t callee = (uint32_t)p[1].u;

		if (callee >= j->m->nfunc_imports) {
			emit_call_direct(j, callee - j->m->nfunc_imports,
					 p[2].u);
			return;
		}
		set_site(j, fidx, cell);
		mov_rr(j, 1, RDI, RBX);
		mov_imm(j, RSI, callee);
		lea(j, RDX, R12, CELL(p[2].u));
		lea(j, RCX, R12, CELL(c->frame_cells));
		call_c(j, (const void *)h_call_import);
		check_helper(j);
		reload_mem(j);
		return;
	}
	case IOP(call_ind): {
		uint32_t after, slow[5], docall;
		int ns = 0;

		/* inline: a callee of this module, compiled, in this instance
		   (its type is then the very same object); else the helper */
		ld32(j, RAX, p[4].u);
		op_m(j, 0, 1, 0x8b, 1, RCX, RBX, NOIDX, 0, offsetof(jctx, inst));
		op_m(j, 0, 1, 0x8b, 1, RCX, RCX, NOIDX, 0,
		     offsetof(bn_wasm_instance, tables));
		op_m(j, 0, 1, 0x8b, 1, RCX, RCX, NOIDX, 0,
		     (int32_t)(p[2].u * 8));
		op_m(j, 0, 0, 0x3b, 1, RAX, RCX, NOIDX, 0,
		     offsetof(bn_wasm_table, size));        /* cmp eax, size */
		slow[ns++] = jcc_fwd(j, CC_AE);
		op_m(j, 0, 1, 0x8b, 1, RCX, RCX, NOIDX, 0,
		     offsetof(bn_wasm_table, elems));
		op_m(j, 0, 1, 0x8b, 1, RDX, RCX, RAX, 3, 0); /* callee */
		op_r(j, 0, 1, 0x85, 1, RDX, RDX);
		slow[ns++] = jcc_fwd(j, CC_E);
		mov_imm(j, RCX, (uint64_t)(uintptr_t)&j->m->types[p[1].u]);
		op_m(j, 0, 1, 0x3b, 1, RCX, RDX, NOIDX, 0,
		     offsetof(bn_wasm_func, type));
		slow[ns++] = jcc_fwd(j, CC_NE);
		op_m(j, 0, 1, 0x8b, 1, RCX, RBX, NOIDX, 0, offsetof(jctx, inst));
		op_m(j, 0, 1, 0x3b, 1, RCX, RDX, NOIDX, 0,
		     offsetof(bn_wasm_func, inst));
		slow[ns++] = jcc_fwd(j, CC_NE);
		op_m(j, 0, 0, 0x8b, 1, RAX, RDX, NOIDX, 0,
		     offsetof(bn_wasm_func, index));
		op_m(j, 0, 1, 0x8b, 1, RCX, RBX, NOIDX, 0,
		     offsetof(jctx, entries));
		op_m(j, 0, 1, 0x8b, 1, RAX, RCX, RAX, 3, 0); /* its code */
		op_r(j, 0, 1, 0x85, 1, RAX, RAX);
		slow[ns++] = jcc_fwd(j, CC_E);
		docall = jcc_fwd(j, JMP);
		for (int k = 0; k < ns; k++)
			land(j, slow[k]);
		set_site(j, fidx, cell);
		mov_rr(j, 1, RDI, RBX);
		mov_imm(j, RSI, p[1].u);
		mov_imm(j, RDX, p[2].u);
		ld32(j, RCX, p[4].u);
		lea(j, R8, R12, CELL(p[3].u));
		lea(j, R9, R12, CELL(c->frame_cells));
		call_c(j, (const void *)h_call_ind);
		op_r(j, 0, 1, 0x83, 1, 7, RAX);             /* cmp rax, 1 */
		put1(j, 1);
		jump_to(j, CC_E, j->raw_exit);
		op_r(j, 0, 1, 0x85, 1, RAX, RAX);
		put1(j, 0x74);                              /* jz after */
		after = (uint32_t)j->n;
		put1(j, 0);
		land(j, docall);
		lea(j, R12, R12, CELL(p[3].u));
		op_r(j, 0, 0, 0xff, 1, 2, RAX);             /* call rax */
		add_ret(j);
		lea(j, R12, R12, -CELL(p[3].u));
		if (!j->oom)
			j->b[after] = (uint8_t)(j->n - after - 1);
		reload_mem(j);
		return;
	}
	case IOP(copy): {
		int ra = use(j, p[2].u, true), rd = rc_alloc(j);

		mov_rr(j, 1, rd, ra);
		def(j, p[1].u, rd);
		return;
	}
	case IOP(copy2):
		emit_move(j, p[1].u, p[2].u, 2);
		return;
	case IOP(move):
		emit_move(j, p[1].u, p[2].u, p[3].u);
		return;
	case IOP(const64): {
		int rd = rc_alloc(j);

		if (p[2].u == 0) {
			op_r(j, 0, 0, 0x31, 1, rd, rd);     /* xor */
		} else if ((int64_t)p[2].u < 0 && fits32((int64_t)p[2].u)) {
			op_r(j, 0, 1, 0xc7, 1, 0, rd);      /* sign-extended */
			put4(j, (uint32_t)p[2].u);
		} else {
			mov_imm(j, rd, p[2].u);
		}
		def(j, p[1].u, rd);
		return;
	}
	case IOP(const128):
		mov_imm(j, RAX, p[2].u);
		st64(j, p[1].u, RAX);
		mov_imm(j, RAX, p[3].u);
		st64(j, p[1].u + 1, RAX);
		return;
	case IOP(sel): {
		int ra = use(j, p[2].u, true), rb = use(j, p[3].u, true);
		int rcnd = use(j, p[4].u, false), rd = rc_alloc(j);

		mov_rr(j, 1, rd, ra);
		op_r(j, 0, 0, 0x85, 1, rcnd, rcnd);
		op_r(j, 0, 1, 0x0f44, 2, rd, rb);           /* cmove rd, rb */
		def(j, p[1].u, rd);
		return;
	}
	case IOP(gget): {
		int rd = rc_alloc(j);

		op_m(j, 0, 1, 0x8b, 1, rd, RBX, NOIDX, 0,
		     offsetof(jctx, globals));
		op_m(j, 0, 1, 0x8b, 1, rd, rd, NOIDX, 0, (int32_t)(p[2].u * 8));
		op_m(j, 0, 1, 0x8b, 1, rd, rd, NOIDX, 0,
		     offsetof(bn_wasm_global, v));
		def(j, p[1].u, rd);
		return;
	}
	case IOP(gset): {
		int rv = use(j, p[2].u, true), rt = rc_alloc(j);

		op_m(j, 0, 1, 0x8b, 1, rt, RBX, NOIDX, 0,
		     offsetof(jctx, globals));
		op_m(j, 0, 1, 0x8b, 1, rt, rt, NOIDX, 0, (int32_t)(p[1].u * 8));
		op_m(j, 0, 1, 0x89, 1, rv, rt, NOIDX, 0,
		     offsetof(bn_wasm_global, v));
		return;
	}
	case IOP(msize):
		op_m(j, 0, 1, 0x8b, 1, RAX, RBX, NOIDX, 0, offsetof(jctx, mem));
		op_m(j, 0, 0, 0x8b, 1, RAX, RAX, NOIDX, 0,
		     offsetof(bn_wasm_memory, pages));
		st64(j, p[1].u, RAX);
		return;
	case IOP(fuel):
		charge_fuel(j, p[1].u, cell);
		return;
	case IOP(loop_check):
		check_interrupt(j, cell);
		charge_fuel(j, p[1].u, cell);
		return;
	default:
		return;
	}
}

/* Function entry: align, count the call, check the value stack, zero the
   declared locals. */
static void emit_prologue(jit *j, const bn_wasm__code *c)
{
	uint32_t nz = c->local_cells - c->param_cells;

	op_r(j, 0, 1, 0x83, 1, 5, RSP);                     /* sub rsp, 8 */
	put1(j, 8);
	/* these traps belong to the calling instruction (AT_CALLER) */
	check_interrupt(j, AT_CALLER);
	/* call depth and native stack: rsp against the floor */
	op_m(j, 0, 1, 0x3b, 1, RSP, RBX, NOIDX, 0, offsetof(jctx, floor));
	trap_if(j, CC_B, BN_WASM_TRAP_STACK_EXHAUSTED, AT_CALLER);
	lea(j, RCX, R12, CELL(c->frame_cells));
	op_m(j, 0, 1, 0x3b, 1, RCX, RBX, NOIDX, 0, offsetof(jctx, stack_end));
	trap_if(j, CC_A, BN_WASM_TRAP_STACK_EXHAUSTED, AT_CALLER);
	if (nz == 0)
		return;
	op_r(j, 0, 0, 0x31, 1, RAX, RAX);
	if (nz <= 16) {
		for (uint32_t i = 0; i < nz; i++)
			st64(j, c->param_cells + i, RAX);
		return;
	}
	lea(j, RDI, R12, CELL(c->param_cells));
	mov_imm(j, RCX, nz);
	head(j, 0xf3, 1, 0xab, 1, 0, NOIDX, 0, false);      /* rep stosq */
}

/* Mark every cell a branch can reach other than by falling through. */
static void mark_targets(jit *j, const bn_wasm__code *c)
{
	for (uint32_t i = 0; i < c->nmap; i++) {
		const bn_wasm__cell *p = &c->code[c->map[i].cell];

		switch (c->map[i].op) {
		case IOP(jmp):
			j->target[p[1].pc - c->code] = 1;
			break;
		case IOP(br_nz): case IOP(br_z):
			j->target[p[2].pc - c->code] = 1;
			break;
		case IOP(br_table_i):
			for (uint64_t k = 0; k <= p[2].u; k++)
				j->target[p[3 + k].pc - c->code] = 1;
			break;
		default:
			if (br_cc(c->map[i].op) != -2)
				j->target[p[3].pc - c->code] = 1;
			break;
		}
	}
}

static int compile_func(jit *j, uint32_t ci)
{
	const bn_wasm__code *c = &j->m->codes[ci];
	uint32_t fidx = j->m->nfunc_imports + ci;

	j->nfixes = 0;
	j->ntraps = 0;
	free(j->cell_off);
	j->cell_off = calloc((size_t)c->ncells + 1, sizeof(uint32_t));
	free(j->target);
	j->target = calloc((size_t)c->ncells + 1, 1);
	if (!j->cell_off || !j->target)
		return -ENOMEM;
	mark_targets(j, c);
	j->dirty = j->xdirty = j->xsingle = 0;
	rc_reset(j);
	/* 16-byte entry alignment */
	while (j->n % 16)
		put1(j, 0xcc);
	j->entry_off[ci] = (uint32_t)j->n;
	emit_prologue(j, c);
	for (uint32_t i = 0; i < c->nmap; i++) {
		uint32_t cell = c->map[i].cell;
		uint32_t next = i + 1 < c->nmap ? c->map[i + 1].cell
						: c->ncells;

		if (j->target[cell])
			rc_reset(j);    /* stores before the joining code */
		j->cell_off[cell] = (uint32_t)j->n;
		j->cur_func = fidx;
		j->cur_cell = cell;
		emit_instr(j, c, fidx, cell, next - cell, c->map[i].op,
			   c->map[i].stack);
	}
	/* a branch past the last instruction cannot be taken by valid code;
	   land it on a trap all the same */
	j->cell_off[c->ncells] = (uint32_t)j->n;
	trap_if(j, JMP, BN_WASM_TRAP_UNREACHABLE, c->ncells);
	for (size_t i = 0; i < j->ntraps; i++) {
		tstub *t = &j->traps[i];

		patch4(j, t->pos, (uint32_t)j->n - (t->pos + 4));
		mov_imm(j, RDI, t->kind);
		mov_imm(j, RSI, fidx);
		mov_imm(j, RDX, t->cell);
		if (t->cell == AT_CALLER)                   /* return address */
			op_m(j, 0, 1, 0x8b, 1, RCX, RSP, NOIDX, 0, 8);
		jump_to(j, JMP, j->out->trap_exit);
	}
	for (size_t i = 0; i < j->nfixes; i++) {
		fix *f = &j->fixes[i];
		uint32_t to = j->cell_off[f->target];

		if (f->kind == FIX_TABLE)
			patch4(j, f->pos, to - f->base);
		else
			patch4(j, f->pos, to - (f->pos + 4));
	}
	return j->oom ? -ENOMEM : 0;
}

/* Whether code CI may change the size of memory: it grows it, calls out
   (imports, call_indirect), or calls code that may. */
static bool may_grow(const jit *j, uint32_t ci)
{
	const bn_wasm_module *m = j->m;
	const bn_wasm__code *c = &m->codes[ci];

	for (uint32_t i = 0; i < c->nmap; i++) {
		const bn_wasm__cell *p = &c->code[c->map[i].cell];

		switch (c->map[i].op) {
		case IOP(mgrow): case IOP(call_ind):
			return true;
		case IOP(call_func):
			if (p[1].u < m->nfunc_imports ||
			    j->grows[p[1].u - m->nfunc_imports])
				return true;
			break;
		default:
			break;
		}
	}
	return false;
}

static int find_growers(jit *j)
{
	bool changed = true;

	j->grows = calloc((size_t)j->m->ncodes + 1, 1);
	if (!j->grows)
		return -ENOMEM;
	for (int round = 0; changed; round++) {
		changed = false;
		if (round == 64) {
			/* call chains this deep: assume the worst */
			memset(j->grows, 1, j->m->ncodes);
			return 0;
		}
		for (uint32_t ci = 0; ci < j->m->ncodes; ci++)
			if (!j->grows[ci] && may_grow(j, ci)) {
				j->grows[ci] = 1;
				changed = true;
			}
	}
	return 0;
}

/* Whether this process can reserve a guarded memory now (RLIMIT_AS may
   refuse 8 GiB of address space): which variant to compile at load. */
static bool can_guard(void)
{
	void *p = mmap(NULL, (size_t)BN_WASM_GUARD_BYTES, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return false;
	munmap(p, (size_t)BN_WASM_GUARD_BYTES);
	return true;
}

int bn_wasm__jit_compile(bn_wasm_module *m)
{
	unsigned f = 0;

	__builtin_cpu_init();
	if (__builtin_cpu_supports("sse4.1"))
		f |= BN_WASM__JIT_SSE41;
	if (__builtin_cpu_supports("popcnt"))
		f |= BN_WASM__JIT_POPCNT;
	return bn_wasm__jit_compile_features(m, f);
}

static void jit_destroy(struct bn_wasm__jit *jc)
{
	if (!jc)
		return;
	if (jc->code)
		munmap(jc->code, jc->size);
	free(jc->entry);
	free(jc->stubs);
	free(jc->rets);
	free(jc->msites);
	free(jc);
}

/* Compile every code of M for FEATURES, for guarded memory if GUARD.
   *OUT is NULL (and 0 returned) where executable memory is refused. */
static int build(const bn_wasm_module *m, unsigned features, bool guard,
		 struct bn_wasm__jit **out)
{
	jit j = { .m = (bn_wasm_module *)m,
		  .step_end = bn_wasm__handlers()[IOP(step_end)],
		  .guard = guard, .pending_site = NO_SITE };
	struct bn_wasm__jit *jc = NULL;
	size_t stub_cells = 0;
	void *mem = MAP_FAILED;
	int e = 0;

	*out = NULL;
	jc = calloc(1, sizeof(*jc));
	if (!jc)
		return -ENOMEM;
	jc->guarded = guard;
	jc->features = features;
	j.out = jc;
	j.has_mem = m->nmems > 0;
	j.sse41 = features & BN_WASM__JIT_SSE41;
	j.popcnt = features & BN_WASM__JIT_POPCNT;
	for (uint32_t ci = 0; ci < m->ncodes; ci++) {
		const bn_wasm__code *c = &m->codes[ci];

		for (uint32_t i = 0; i < c->nmap; i++) {
			uint32_t next = i + 1 < c->nmap ? c->map[i + 1].cell
							: c->ncells;

			if (!native(&j, c->map[i].op))
				stub_cells += next - c->map[i].cell + 1;
		}
	}
	if (stub_cells) {
		jc->stubs = calloc(stub_cells, sizeof(*jc->stubs));
		jc->nstubs = stub_cells;
	}
	j.entry_off = calloc((size_t)m->ncodes + 1, sizeof(uint32_t));
	jc->entry = calloc((size_t)m->nfuncs + 1, sizeof(void *));
	e = j.entry_off && jc->entry && (jc->stubs || !stub_cells) ?
	    find_growers(&j) : -ENOMEM;
	if (!e)
		emit_trampoline(&j);
	for (uint32_t ci = 0; !e && ci < m->ncodes; ci++)
		e = compile_func(&j, ci);
	for (size_t i = 0; !e && i < j.ncalls; i++) {
		uint32_t to = j.entry_off[j.calls[i].target];

		patch4(&j, j.calls[i].pos, to - (j.calls[i].pos + 4));
	}
	if (!e && j.oom)
		e = -ENOMEM;
	if (!e) {
		mem = mmap(NULL, j.n, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem != MAP_FAILED) {
			memcpy(mem, j.b, j.n);
			/* refused where a sandbox forbids executable memory:
			   then the interpreter runs the module */
			if (mprotect(mem, j.n, PROT_READ | PROT_EXEC)) {
				munmap(mem, j.n);
				mem = MAP_FAILED;
			}
		}
	}
	if (!e && mem != MAP_FAILED) {
		jc->code = mem;
		jc->size = j.n;
		for (uint32_t ci = 0; ci < m->ncodes; ci++)
			jc->entry[m->nfunc_imports + ci] =
				(uint8_t *)mem + j.entry_off[ci];
		*out = jc;
		jc = NULL;
	}
	jit_destroy(jc);
	free(j.b);
	free(j.cell_off);
	free(j.target);
	free(j.grows);
	free(j.fixes);
	free(j.calls);
	free(j.traps);
	free(j.entry_off);
	return e;
}

int bn_wasm__jit_compile_features(bn_wasm_module *m, unsigned features)
{
	bn_wasm__jit_free(m);
	return build(m, features, can_guard(), &m->jit);
}

const struct bn_wasm__jit *bn_wasm__jit_select(const bn_wasm_module *m,
					       const bn_wasm_memory *mem0)
{
	bn_wasm_module *mm = (bn_wasm_module *)m;
	struct bn_wasm__jit *jc, *none = NULL;
	bool guarded;

	if (!m->jit)
		return NULL;
	guarded = mem0 ? bn_wasm_memory_guarded(mem0) : m->jit->guarded;
	if (m->jit->guarded == guarded)
		return m->jit;
	jc = atomic_load(&mm->jit_other);
	if (jc)
		return jc;
	/* a module instantiated from two threads at once may compile it
	   twice: the first one in is kept */
	if (build(m, m->jit->features, guarded, &jc) || !jc)
		return NULL;
	if (!atomic_compare_exchange_strong(&mm->jit_other, &none, jc)) {
		jit_destroy(jc);
		jc = none;
	}
	return jc;
}

void bn_wasm__jit_free(bn_wasm_module *m)
{
	jit_destroy(m->jit);
	m->jit = NULL;
	jit_destroy(atomic_exchange(&m->jit_other, NULL));
}

static const char *trap_msg(uint32_t kind)
{
	switch (kind) {
	case BN_WASM_TRAP_UNREACHABLE: return "unreachable";
	case BN_WASM_TRAP_MEMORY_OOB: return "out of bounds memory access";
	case BN_WASM_TRAP_DIV_ZERO: return "integer divide by zero";
	case BN_WASM_TRAP_INT_OVERFLOW: return "integer overflow";
	case BN_WASM_TRAP_STACK_EXHAUSTED: return "call stack exhausted";
	case BN_WASM_TRAP_FUEL_EXHAUSTED: return "fuel exhausted";
	case BN_WASM_TRAP_INTERRUPTED: return "interrupted";
	default: return "trap";
	}
}

/* A trap in a function's entry checks: the call that entered it, or the
   function's own start when the host called it. */
static void caller_site(const struct bn_wasm__jit *jc, const uint8_t *ret,
			uint32_t *func, uint32_t *cell)
{
	size_t lo = 0, hi = jc->nrets;

	*cell = 0;
	if (ret < jc->code || ret >= jc->code + jc->size)
		return;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t off = (uint32_t)(ret - jc->code);

		if (jc->rets[mid].ret == off) {
			*func = jc->rets[mid].func;
			*cell = jc->rets[mid].cell;
			return;
		}
		if (jc->rets[mid].ret < off)
			lo = mid + 1;
		else
			hi = mid;
	}
}

/* ---- faults in guarded memory -----------------------------------------
 * The engine's one piece of process state: the SIGSEGV handler, installed
 * once (pthread_once) by the first call into guarded machine code, and
 * the handler it replaced, to which it passes every fault that is not
 * ours.  What a fault belongs to is found through one thread-local
 * pointer, the innermost machine code call running on this thread
 * (jctx.outer links the nested ones); it is set and restored by
 * bn_wasm__jit_invoke only. */

static _Thread_local jctx *running;
static pthread_once_t segv_once = PTHREAD_ONCE_INIT;
static struct sigaction segv_prev;

/* The listed access at code offset AT, or NULL. */
static const memsite *find_msite(const struct bn_wasm__jit *jc, uint32_t at)
{
	size_t lo = 0, hi = jc->nmsites;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (jc->msites[mid].at == at)
			return &jc->msites[mid];
		if (jc->msites[mid].at < at)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	const uint8_t *pc = (const uint8_t *)(uintptr_t)g[REG_RIP];
	const uint8_t *addr = si->si_addr;
	const jctx *c = running;

	/* ours: an unchecked access of the running call's code, into the
	   reservation of its memory 0.  Resume at the trap exit as a trap
	   stub would (rbx is the jctx in all machine code). */
	if (c && c->jit->guarded && c->mem && c->mem->reserved &&
	    pc >= c->jit->code && pc < c->jit->code + c->jit->size &&
	    addr >= c->mem->data &&
	    addr < c->mem->data + c->mem->reserved) {
		const memsite *ms = find_msite(c->jit,
					       (uint32_t)(pc - c->jit->code));

		if (ms) {
			g[REG_RDI] = BN_WASM_TRAP_MEMORY_OOB;
			g[REG_RSI] = ms->func;
			g[REG_RDX] = ms->cell;
			g[REG_RIP] = (greg_t)(uintptr_t)(c->jit->code +
							 c->jit->trap_exit);
			return;
		}
	}
	/* not ours: whoever handled it before, or the default action when
	   the instruction faults again */
	if (segv_prev.sa_flags & SA_SIGINFO) {
		segv_prev.sa_sigaction(sig, si, ucv);
	} else if (segv_prev.sa_handler != SIG_DFL &&
		   segv_prev.sa_handler != SIG_IGN) {
		segv_prev.sa_handler(sig);
	} else {
		signal(SIGSEGV, SIG_DFL);
	}
}

static void install_segv(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &segv_prev);
}

int bn_wasm__jit_invoke(bn_wasm_store *s, bn_wasm_func *f, uint64_t *fp,
			bn_wasm_trap *trap)
{
	typedef int (*enter_fn)(jctx *, uint64_t *, const void *);
	bn_wasm_instance *inst = f->inst;
	const struct bn_wasm__jit *jc = inst->jit;
	bn_wasm_trap local;
	jctx c = {
		.store = s, .inst = inst,
		.mem = inst->mems ? inst->mems[0] : NULL,
		.globals = inst->globals,
		.stack_end = s->stack + s->stack_cells,
		.trap = trap ? trap : &local,
		.entries = jc->entry, .jit = jc, .outer = running,
	};
	enter_fn enter = (enter_fn)(uintptr_t)jc->code;
	uint32_t base_depth = s->depth;
	bool outermost = s->jit_stack_floor == NULL;
	int r;

	if (jc->nmsites)
		pthread_once(&segv_once, install_segv);
	/* Each wasm call takes 16 bytes of this thread's stack; the first
	   entry allows JIT_STACK_BYTES below itself for all of them and for
	   the helpers and host functions they call, nested entries share
	   that allowance. */
	if (outermost)
		s->jit_stack_floor = (char *)__builtin_frame_address(0) -
				     JIT_STACK_BYTES;
	c.stack_floor = s->jit_stack_floor;
	c.base_depth = base_depth;
	c.depth_room = base_depth >= s->limits.max_call_depth ? 0 :
		       (size_t)(s->limits.max_call_depth - base_depth) * 16;
	if (c.depth_room > JIT_STACK_BYTES)
		c.depth_room = JIT_STACK_BYTES;
	running = &c;
	r = enter(&c, fp, jc->entry[f->index]);
	running = c.outer;
	if (outermost)
		s->jit_stack_floor = NULL;
	/* slow calls set the depth from the native stack: undo that, or
	   every later entry would start deeper and allow fewer calls */
	s->depth = base_depth;
	if (r == 0)
		return 0;
	if (c.trap_kind != BN_WASM_TRAP_NONE) {
		const bn_wasm_module *m = inst->module;

		if (c.trap_cell == AT_CALLER)
			caller_site(jc, c.trap_ret, &c.trap_func,
				    &c.trap_cell);

		bn_wasm__trap_set(c.trap, c.trap_kind, trap_msg(c.trap_kind));
		c.trap->func_index = c.trap_func;
		c.trap->code_offset = bn_wasm__code_offset(
			&m->codes[c.trap_func - m->nfunc_imports],
			c.trap_cell);
		if (c.trap_kind == BN_WASM_TRAP_FUEL_EXHAUSTED)
			s->fuel_used = s->fuel_limit;
		if (c.trap_kind == BN_WASM_TRAP_INTERRUPTED)
			atomic_store(&s->interrupt, false);
	}
	return BN_WASM_ETRAP;
}

#else /* no machine code generator for this platform */

int bn_wasm__jit_compile(bn_wasm_module *m)
{
	(void)m;
	return 0;
}

int bn_wasm__jit_compile_features(bn_wasm_module *m, unsigned features)
{
	(void)m;
	(void)features;
	return 0;
}

const struct bn_wasm__jit *bn_wasm__jit_select(const bn_wasm_module *m,
					       const bn_wasm_memory *mem0)
{
	(void)m;
	(void)mem0;
	return NULL;
}

void bn_wasm__jit_free(bn_wasm_module *m)
{
	(void)m;
}

int bn_wasm__jit_invoke(bn_wasm_store *s, bn_wasm_func *f, uint64_t *fp,
			bn_wasm_trap *trap)
{
	(void)s;
	(void)f;
	(void)fp;
	(void)trap;
	return BN_WASM_ETRAP;
}

#endif

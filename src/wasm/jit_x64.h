/* SPDX-License-Identifier: MIT */
/*
 * wasm/jit_x64.h - private to jit.c: the context machine code reads, the
 * compiler's state, the x86-64 instruction encoder, and the register
 * caches (which frame cell each general and xmm register holds while a
 * function is compiled).  Only jit.c includes it, inside its x86-64 part.
 */
#ifndef BN_WASM_JIT_X64_H
#define BN_WASM_JIT_X64_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_int.h"

/* ---- the per-call context read by machine code ------------------------- */

/* Native stack the wasm frames of one outermost call may use (16 bytes
   per frame: 2 MiB is over 100,000 nested calls) */
#define JIT_STACK_BYTES ((size_t)2 << 20)

typedef struct jctx {
	void *saved_rsp;           /* rsp inside the trampoline */
	bn_wasm_store *store;
	bn_wasm_instance *inst;
	bn_wasm_memory *mem;       /* memory 0 or NULL */
	bn_wasm_global **globals;
	uint64_t *stack_end;       /* end of the store's value stack */
	void *stack_floor;         /* lowest native rsp for this thread */
	size_t depth_room;         /* 16 bytes per call still allowed */
	void *floor;               /* lowest rsp in a function body: the
				      stricter of the two above */
	void *site_rsp;            /* rsp at the last helper call */
	uint32_t base_depth;       /* store depth when entered */
	bn_wasm_trap *trap;
	uint32_t trap_kind;        /* set by a trap stub, 0 if a helper
				      filled *trap itself */
	uint32_t trap_func;
	uint32_t trap_cell;
	const uint8_t *trap_ret;   /* AT_CALLER traps: the return address */
	uint32_t site_func;        /* the calling instruction, for helpers */
	uint32_t site_cell;
	const void *const *entries; /* machine code of each function index
				      of the instance's module (NULL:
				      imports) */
	const struct bn_wasm__jit *jit; /* the code running */
	struct jctx *outer;        /* the call this one is nested in, on
				      this thread (a host function called
				      back into wasm), or NULL */
} jctx;

/* A call's return address (offset in the code) and the call instruction:
   where a trap in the callee's entry checks is reported, as the
   interpreter does. */
typedef struct retsite {
	uint32_t ret;
	uint32_t func;
	uint32_t cell;
} retsite;

/* trap_if "cell" of the entry checks: reported at the calling call */
#define AT_CALLER UINT32_MAX

/* A memory access compiled without a bounds check (guarded memory):
   where the instruction starts, and the wasm instruction it is.  A fault
   there is that instruction's out-of-bounds trap. */
typedef struct memsite {
	uint32_t at;
	uint32_t func;
	uint32_t cell;
} memsite;

struct bn_wasm__jit {
	uint8_t *code;             /* mapped read+execute */
	size_t size;
	const void **entry;        /* by function index: its machine code,
				      NULL for imports */
	retsite *rets;             /* by return offset */
	size_t nrets;
	bn_wasm__cell *stubs;      /* instructions run by the interpreter */
	size_t nstubs;
	bool guarded;              /* for memory in a guarded reservation:
				      accesses unchecked, see msites */
	unsigned features;         /* BN_WASM__JIT_* it was compiled for */
	uint32_t trap_exit;        /* offset of the trap exit routine */
	memsite *msites;           /* unchecked accesses, by offset */
	size_t nmsites;
};

/* ---- a growable buffer and the x86-64 encoder -------------------------- */

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
       R8, R9, R10, R11, R12, R13, R14, R15 };
enum { CC_O, CC_NO, CC_B, CC_AE, CC_E, CC_NE, CC_BE, CC_A,
       CC_S, CC_NS, CC_P, CC_NP, CC_L, CC_GE, CC_LE, CC_G };
#define NOIDX (-1)
#define JMP (-1)   /* "condition" of an unconditional jump */

enum { FIX_CELL, FIX_CALL, FIX_TRAP, FIX_TABLE };

typedef struct fix {
	uint32_t pos;              /* rel32 to patch */
	uint32_t target;           /* cell, code index or stub index */
	uint32_t base;             /* FIX_TABLE: offset of the table */
	uint8_t kind;
} fix;

typedef struct tstub {
	uint32_t pos;              /* rel32 of the jump to the stub */
	uint32_t kind;
	uint32_t cell;
} tstub;

typedef struct jit {
	uint8_t *b;
	size_t n, cap;
	bool oom;
	bn_wasm_module *m;
	uint32_t *cell_off;        /* machine offset of each code cell */
	fix *fixes;                /* in the current function */
	size_t nfixes, capfixes;
	fix *calls;                /* direct calls, patched at the end */
	size_t ncalls, capcalls;
	tstub *traps;
	size_t ntraps, captraps;
	struct bn_wasm__jit *out;  /* what is built: its tables of return
				      sites, stubs and unchecked accesses
				      fill as code is emitted */
	size_t caprets;
	uint32_t cur_func, cur_cell; /* the instruction being compiled */
	uint8_t *grows;            /* per code: a call may change memory's
				      size (else its caller keeps r13/r14) */
	size_t usedstubs;          /* of out->stubs */
	struct { uint32_t cell; bool full; } rc[16]; /* register cache:
				      the frame cell a register holds (all
				      64 bits, or the low 32 zero-extended)*/
	uint16_t pinned;           /* registers the instruction uses */
	uint32_t xc[16];           /* xmm cache: the cell each holds */
	uint16_t xpinned;
	uint16_t dirty;            /* registers whose cell is not stored
				      yet (see "the register cache") */
	uint16_t xdirty;           /* the same for xmm registers */
	uint16_t xsingle;          /* dirty xmm registers holding an f32 */
	unsigned xvictim;
	unsigned victim;
	uint32_t flags_cell;       /* cell the flags' condition was just
				      stored to, with its condition */
	int flags_cc;
	uint8_t *target;           /* 1 for cells that are branch targets */
	const void *step_end;      /* the interpreter's step_end handler */
	uint32_t raw_exit;         /* module routine (see out->trap_exit) */
	uint32_t *entry_off;       /* per code: offset of its entry */
	bool guard;                /* compiling for guarded memory */
	uint32_t pending_site;     /* cell of the unchecked access about to
				      be emitted, or NO_SITE */
	size_t capmsites;
	bool has_mem;
	bool sse41;
	bool popcnt;
} jit;

static inline bool grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return true;
	while (ncap < need)
		ncap *= 2;
	q = realloc(*p, ncap * size);
	if (!q)
		return false;
	*p = q;
	*cap = ncap;
	return true;
}

/* Room for one more item of the list *P (N items, *CAP allocated, each
   SIZE bytes): the new item, counted in *N, or NULL (j->oom set). */
static inline void *push(jit *j, void **p, size_t *cap, size_t *n,
			 size_t size)
{
	if (!grow(p, cap, *n + 1, size)) {
		j->oom = true;
		return NULL;
	}
	return (char *)*p + (*n)++ * size;
}

static inline void put(jit *j, const void *src, size_t n)
{
	if (j->oom || !grow((void **)&j->b, &j->cap, j->n + n, 1)) {
		j->oom = true;
		return;
	}
	memcpy(j->b + j->n, src, n);
	j->n += n;
}

static inline void put1(jit *j, uint8_t v)
{
	if (j->n < j->cap)
		j->b[j->n++] = v;
	else
		put(j, &v, 1);
}

static inline void put4(jit *j, uint32_t v)
{
	if (j->n + 4 <= j->cap) {
		memcpy(j->b + j->n, &v, 4);
		j->n += 4;
	} else {
		put(j, &v, 4);
	}
}

static inline void put8(jit *j, uint64_t v)
{
	put(j, &v, 8);
}

static inline void patch4(jit *j, uint32_t pos, uint32_t v)
{
	if (!j->oom)
		memcpy(j->b + pos, &v, 4);
}

static inline bool fits8(int64_t v)
{
	return v >= -128 && v <= 127;
}

static inline bool fits32(int64_t v)
{
	return v >= INT32_MIN && v <= INT32_MAX;
}

/* Legacy prefix, REX and opcode bytes (OPC: NOPC bytes, high first). */
static inline void head(jit *j, int pfx, int w, uint32_t opc, int nopc, int r,
		 int x, int b, bool force_rex)
{
	uint8_t rex = (uint8_t)(0x40 | (w ? 8 : 0) | ((r & 8) ? 4 : 0) |
				((x >= 0 && (x & 8)) ? 2 : 0) |
				((b & 8) ? 1 : 0));

	if (pfx)
		put1(j, (uint8_t)pfx);
	if (rex != 0x40 || force_rex)
		put1(j, rex);
	for (int i = nopc - 1; i >= 0; i--)
		put1(j, (uint8_t)(opc >> (8 * i)));
}

/* OPC with REG and the memory operand [BASE + INDEX*2^SCALE + DISP]. */
static inline void op_m(jit *j, int pfx, int w, uint32_t opc, int nopc, int reg,
		 int base, int index, int scale, int32_t disp)
{
	int mod = (disp == 0 && (base & 7) != RBP) ? 0 : fits8(disp) ? 1 : 2;
	bool sib = index >= 0 || (base & 7) == RSP;

	head(j, pfx, w, opc, nopc, reg, index, base, false);
	put1(j, (uint8_t)((mod << 6) | ((reg & 7) << 3) |
			  (sib ? 4 : (base & 7))));
	if (sib)
		put1(j, (uint8_t)((scale << 6) |
				  ((index >= 0 ? index & 7 : 4) << 3) |
				  (base & 7)));
	if (mod == 1)
		put1(j, (uint8_t)(int8_t)disp);
	else if (mod == 2)
		put4(j, (uint32_t)disp);
}

/* OPC with REG and register RM. */
static inline void op_r(jit *j, int pfx, int w, uint32_t opc, int nopc, int reg,
		 int rm)
{
	head(j, pfx, w, opc, nopc, reg, NOIDX, rm, false);
	put1(j, (uint8_t)(0xc0 | ((reg & 7) << 3) | (rm & 7)));
}

/* Frame cell operands: [r12 + 8*cell]. */
#define CELL(c) ((int32_t)((c) * 8))
static inline void ld64(jit *j, int r, uint64_t c)
{
	op_m(j, 0, 1, 0x8b, 1, r, R12, NOIDX, 0, CELL(c));
}

static inline void ld32(jit *j, int r, uint64_t c)
{
	op_m(j, 0, 0, 0x8b, 1, r, R12, NOIDX, 0, CELL(c));
}

static inline void st64(jit *j, uint64_t c, int r)
{
	op_m(j, 0, 1, 0x89, 1, r, R12, NOIDX, 0, CELL(c));
}

static inline void mov_rr(jit *j, int w, int dst, int src)
{
	op_r(j, 0, w, 0x89, 1, src, dst);
}

static inline void mov_imm(jit *j, int r, uint64_t v)
{
	if (v <= UINT32_MAX) {
		head(j, 0, 0, (uint32_t)(0xb8 + (r & 7)), 1, 0, NOIDX, r,
		     false);
		put4(j, (uint32_t)v);
	} else {
		head(j, 0, 1, (uint32_t)(0xb8 + (r & 7)), 1, 0, NOIDX, r,
		     false);
		put8(j, v);
	}
}

static inline void lea(jit *j, int r, int base, int32_t disp)
{
	op_m(j, 0, 1, 0x8d, 1, r, base, NOIDX, 0, disp);
}

/* The opcode of a rel32 jump: unconditional (JMP) or on condition CC. */
static inline void jcc_op(jit *j, int cc)
{
	if (cc == JMP) {
		put1(j, 0xe9);
	} else {
		put1(j, 0x0f);
		put1(j, (uint8_t)(0x80 + cc));
	}
}

/* rel32 jump or call to an offset already known in the buffer. */
static inline void jump_to(jit *j, int cc, uint32_t target)
{
	jcc_op(j, cc);
	put4(j, target - (uint32_t)(j->n + 4));
}

/* A rel32 at the current offset to patch once TARGET is placed: a
   direct call (FIX_CALL) at the end, anything else when the function is
   done. */
static inline void add_fix(jit *j, int kind, uint32_t target, uint32_t base)
{
	fix *f = kind == FIX_CALL ?
		push(j, (void **)&j->calls, &j->capcalls, &j->ncalls,
		     sizeof(*f)) :
		push(j, (void **)&j->fixes, &j->capfixes, &j->nfixes,
		     sizeof(*f));

	if (!f)
		return;
	f->pos = (uint32_t)j->n;
	f->target = target;
	f->base = base;
	f->kind = (uint8_t)kind;
}

/* Jump (CC or JMP) to the instruction at code cell CELL. */
static inline void jump_cell(jit *j, int cc, uint32_t cell)
{
	jcc_op(j, cc);
	add_fix(j, FIX_CELL, cell, 0);
	put4(j, 0);
}

/* Jump (CC or JMP) to a stub raising trap KIND for the instruction at
   CELL. */
static inline void trap_if(jit *j, int cc, uint32_t kind, uint32_t cell)
{
	tstub *t;

	jcc_op(j, cc);
	t = push(j, (void **)&j->traps, &j->captraps, &j->ntraps, sizeof(*t));
	if (!t)
		return;
	t->pos = (uint32_t)j->n;
	t->kind = kind;
	t->cell = cell;
	put4(j, 0);
}

/* Call the C function FN (arguments already in place); the fuel count
   (rbp) goes to the store and back, rsp to the context. */
static inline void call_c(jit *j, const void *fn)
{
	op_m(j, 0, 1, 0x89, 1, RSP, RBX, NOIDX, 0, offsetof(jctx, site_rsp));
	op_m(j, 0, 1, 0x89, 1, RBP, R15, NOIDX, 0,
	     offsetof(bn_wasm_store, fuel_used));
	mov_imm(j, RAX, (uint64_t)(uintptr_t)fn);
	op_r(j, 0, 0, 0xff, 1, 2, RAX); /* call rax */
	op_m(j, 0, 1, 0x8b, 1, RBP, R15, NOIDX, 0,
	     offsetof(bn_wasm_store, fuel_used));
}

/* Reload r13/r14 from memory 0 after anything that may have grown it. */
static inline void reload_mem(jit *j)
{
	if (!j->has_mem)
		return;
	op_m(j, 0, 1, 0x8b, 1, RAX, RBX, NOIDX, 0, offsetof(jctx, mem));
	op_m(j, 0, 1, 0x8b, 1, R13, RAX, NOIDX, 0,
	     offsetof(bn_wasm_memory, data));
	op_m(j, 0, 1, 0x8b, 1, R14, RAX, NOIDX, 0,
	     offsetof(bn_wasm_memory, size));
}

/* After a helper returning non-zero on a trap it has reported. */
static inline void check_helper(jit *j)
{
	op_r(j, 0, 0, 0x85, 1, RAX, RAX); /* test eax, eax */
	jump_to(j, CC_NE, j->raw_exit);
}

/* ---- the register cache ---------------------------------------------------
 * Frame cells stay the home of every value, but a result is kept in the
 * register that computed it and stored to its cell only when needed:
 * before anything reads the cell from memory, before the register is
 * reused, at every branch and before every branch target, and before an
 * instruction that calls out or uses fixed registers.  A value that is
 * overwritten first (the operand stack's cells are, all the time) is
 * never stored.  Traps need no store: a trap ends the call and its
 * frame is never read again.  A pool register that was just loaded from
 * a cell is used again instead of reloading it.  The cache is emptied
 * (dirty registers stored first) where control flow joins and after
 * anything that calls out. */

#define NO_CELL UINT32_MAX
static const int pool[] = { RAX, RCX, RDX, RSI, RDI, R8, R9, R10, R11 };
#define NPOOL (sizeof(pool) / sizeof(pool[0]))

/* Store the dirty register R to its cell (a register holds all 64 bits
   of its dirty cell). */
static inline void rc_spill(jit *j, int r)
{
	if (!(j->dirty & (1u << r)))
		return;
	op_m(j, 0, 1, 0x89, 1, r, R12, NOIDX, 0, CELL(j->rc[r].cell));
	j->dirty &= (uint16_t)~(1u << r);
}

/* Store the dirty xmm register X to its cell: an f64, or an f32 with
   the upper half of the cell zero. */
static inline void x_spill(jit *j, int x)
{
	uint64_t d = j->xc[x];
	bool f32 = j->xsingle & (1u << x);

	if (!(j->xdirty & (1u << x)))
		return;
	op_m(j, f32 ? 0xf3 : 0xf2, 0, 0x0f11, 2, x, R12, NOIDX, 0, CELL(d));
	if (f32) {
		op_m(j, 0, 0, 0xc7, 1, 0, R12, NOIDX, 0, CELL(d) + 4);
		put4(j, 0);                          /* mov dword [d+4], 0 */
	}
	j->xdirty &= (uint16_t)~(1u << x);
	j->xsingle &= (uint16_t)~(1u << x);
}

/* Cell D is about to be read from memory: store it if a register holds
   a newer value. */
static inline void rc_sync(jit *j, uint64_t d)
{
	for (unsigned m = j->dirty; m; m &= m - 1)
		if (j->rc[__builtin_ctz(m)].cell == d)
			rc_spill(j, __builtin_ctz(m));
	for (unsigned m = j->xdirty; m; m &= m - 1)
		if (j->xc[__builtin_ctz(m)] == d)
			x_spill(j, __builtin_ctz(m));
}

/* Store every dirty register (no flags change: only moves). */
static inline void rc_flush(jit *j)
{
	for (unsigned m = j->dirty; m; m &= m - 1)
		rc_spill(j, __builtin_ctz(m));
	for (unsigned m = j->xdirty; m; m &= m - 1)
		x_spill(j, __builtin_ctz(m));
}

/* Before a branch: store every dirty register whose cell is live, and
   drop the others (operand stack cells from DEAD up; the registers keep
   the values for the branch itself). */
static inline void rc_flush_live(jit *j, uint64_t dead)
{
	for (unsigned m = j->dirty; m; m &= m - 1)
		if (j->rc[__builtin_ctz(m)].cell >= dead)
			j->dirty &= (uint16_t)~(1u << __builtin_ctz(m));
	for (unsigned m = j->xdirty; m; m &= m - 1)
		if (j->xc[__builtin_ctz(m)] >= dead) {
			j->xdirty &= (uint16_t)~(1u << __builtin_ctz(m));
			j->xsingle &= (uint16_t)~(1u << __builtin_ctz(m));
		}
	rc_flush(j);
}

/* Store what is dirty, then forget every register's cell. */
static inline void rc_reset(jit *j)
{
	rc_flush(j);
	for (int r = 0; r < 16; r++) {
		j->rc[r].cell = NO_CELL;
		j->xc[r] = NO_CELL;
	}
	j->flags_cell = NO_CELL;
}

/* Register R is about to be written with something else. */
static inline void rc_clobber(jit *j, int r)
{
	rc_spill(j, r);
	j->rc[r].cell = NO_CELL;
}

static inline void rc_pin(jit *j, int r)
{
	j->pinned |= (uint16_t)(1u << r);
}

/* A register holding CELL (all 64 bits when FULL), or -1. */
static inline int rc_find(const jit *j, uint64_t cell, bool full)
{
	for (size_t i = 0; i < NPOOL; i++) {
		int r = pool[i];

		if (j->rc[r].cell == cell && (j->rc[r].full || !full))
			return r;
	}
	return -1;
}

/* A pool register free for a result: an empty one, else the next one
   round the pool that this instruction does not use (stored first if
   dirty). */
static inline int rc_alloc(jit *j)
{
	int r = -1;

	for (size_t i = 0; i < NPOOL && r < 0; i++)
		if (j->rc[pool[i]].cell == NO_CELL &&
		    !(j->pinned & (1u << pool[i])))
			r = pool[i];
	for (size_t i = 0; i < NPOOL && r < 0; i++) {
		int q = pool[j->victim++ % NPOOL];

		if (!(j->pinned & (1u << q)))
			r = q;
	}
	rc_clobber(j, r);
	rc_pin(j, r);
	return r;
}

/* The cell operand C of an instruction, read from memory: [r12 + 8*C],
   stored first if a register holds a newer value. */
static inline int32_t mem_cell(jit *j, uint64_t c)
{
	rc_sync(j, c);
	return CELL(c);
}

/* A register holding CELL: 64 bits when W, else at least the low 32 bits
   (an i32 or f32 cell's upper half is always zero). */
static inline int use(jit *j, uint64_t cell, bool w)
{
	int r = rc_find(j, cell, w);

	if (r >= 0) {
		rc_pin(j, r);
		return r;
	}
	r = rc_alloc(j);
	op_m(j, 0, w, 0x8b, 1, r, R12, NOIDX, 0, mem_cell(j, cell));
	j->rc[r].cell = (uint32_t)cell;
	j->rc[r].full = w;
	return r;
}

/* The cell D changed behind the cache's back (or is about to be
   overwritten): no register holds it any more, and no older value of
   it is stored. */
static inline void rc_forget(jit *j, uint64_t d)
{
	for (int q = 0; q < 16; q++) {
		if (j->rc[q].cell == d) {
			j->rc[q].cell = NO_CELL;
			j->dirty &= (uint16_t)~(1u << q);
		}
		if (j->xc[q] == d) {
			j->xc[q] = NO_CELL;
			j->xdirty &= (uint16_t)~(1u << q);
			j->xsingle &= (uint16_t)~(1u << q);
		}
	}
}

/* Register R now holds the new value of cell D (stored later). */
static inline void def(jit *j, uint64_t d, int r)
{
	rc_spill(j, r);
	rc_forget(j, d);
	j->rc[r].cell = (uint32_t)d;
	j->rc[r].full = true;
	j->dirty |= (uint16_t)(1u << r);
}

/* OPC with byte register operands (sil and dil need a REX prefix). */
static inline void op_r8(jit *j, uint32_t opc, int nopc, int reg, int rm)
{
	head(j, 0, 0, opc, nopc, reg, NOIDX, rm,
	     (rm >= 4 && rm < 8) || (reg >= 4 && reg < 8));
	put1(j, (uint8_t)(0xc0 | ((reg & 7) << 3) | (rm & 7)));
}

/* Store the flags' condition CC as 0/1 into cell D (cached), and remember
   it for a conditional branch right after. */
static inline void set_cc_r(jit *j, int cc, uint64_t d)
{
	int r = rc_alloc(j);

	op_r8(j, 0x0f90u | (uint32_t)cc, 2, 0, r);          /* setcc r8 */
	op_r8(j, 0x0fb6, 2, r, r);                          /* movzx r32 */
	def(j, d, r);
	j->flags_cell = (uint32_t)d;
	j->flags_cc = cc;
}

/* ---- the xmm register cache ----------------------------------------------
 * The same idea for floats: xmm0-15 hold the low 32 (f32) or 64 (f64)
 * bits of a frame cell. */

static inline int xfind(const jit *j, uint64_t cell)
{
	for (int x = 0; x < 16; x++)
		if (j->xc[x] == cell)
			return x;
	return -1;
}

static inline int xalloc(jit *j)
{
	int x = -1;

	for (int i = 0; i < 16 && x < 0; i++)
		if (j->xc[i] == NO_CELL && !(j->xpinned & (1u << i)))
			x = i;
	for (int i = 0; i < 16 && x < 0; i++) {
		int q = (int)(j->xvictim++ % 16);

		if (!(j->xpinned & (1u << q)))
			x = q;
	}
	x_spill(j, x);
	j->xc[x] = NO_CELL;
	j->xpinned |= (uint16_t)(1u << x);
	return x;
}

/* An xmm register holding the float in CELL (F64: a double). */
static inline int xuse(jit *j, uint64_t cell, bool f64)
{
	int x = xfind(j, cell);

	if (x >= 0) {
		j->xpinned |= (uint16_t)(1u << x);
		return x;
	}
	x = xalloc(j);
	op_m(j, f64 ? 0xf2 : 0xf3, 0, 0x0f10, 2, x, R12, NOIDX, 0,
	     mem_cell(j, cell));                            /* movs[sd] */
	j->xc[x] = (uint32_t)cell;
	return x;
}

/* Xmm X now holds the new value of cell D, an f32 (stored with the
   cell's upper half zero) or f64; stored later. */
static inline void xdef(jit *j, uint64_t d, int x, bool f64)
{
	x_spill(j, x);
	rc_forget(j, d);
	j->xc[x] = (uint32_t)d;
	j->xdirty |= (uint16_t)(1u << x);
	if (!f64)
		j->xsingle |= (uint16_t)(1u << x);
}

/* The operand B of a scalar op on X: a register if cached, else memory. */
static inline void xop(jit *j, int pfx, uint32_t opc, int x, uint64_t b)
{
	int xb = xfind(j, b);

	if (xb >= 0)
		op_r(j, pfx, 0, 0x0f00u | opc, 2, x, xb);
	else
		op_m(j, pfx, 0, 0x0f00u | opc, 2, x, R12, NOIDX, 0,
		     mem_cell(j, b));
}

/* A forward jump (CC or JMP) to a place not emitted yet: returns the
   position of its rel32, for land(). */
static inline uint32_t jcc_fwd(jit *j, int cc)
{
	uint32_t at;

	jcc_op(j, cc);
	at = (uint32_t)j->n;
	put4(j, 0);
	return at;
}

/* Here is where the forward jump at AT lands. */
static inline void land(jit *j, uint32_t at)
{
	patch4(j, at, (uint32_t)j->n - (at + 4));
}

#endif

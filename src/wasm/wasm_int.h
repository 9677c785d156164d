/* SPDX-License-Identifier: MIT */
/*
 * wasm/wasm_int.h - the engine's internal structures, shared by its phase
 * files: decode.c (binary -> bn_wasm_module), validate.c (module-level
 * rules), translate.c (validates each body and translates it once into
 * slot code), interp.c (runs slot code), jit.c and jit_x64.h (compile
 * slot code to x86-64 and run it), instance.c (stores, linking,
 * instantiation, the public object API).
 *
 * Slot code: a function's frame is an array of 64-bit cells: parameters,
 * then locals, then the operand stack.  Validation fixes the stack height
 * at every instruction, so every operand is a fixed cell index.  Code is an
 * array of bn_wasm__cell: a handler address (direct threading) followed by
 * its operands.  A v128 value takes two cells.
 */
#ifndef BN_WASM_WASM_INT_H
#define BN_WASM_WASM_INT_H

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>

#include "wasm.h"

#define BN_WASM_PAGE_BYTES 65536u
#define BN_WASM_MAX_PAGES 65536u
/* Caps on what one module may declare; past them the module is refused. */
#define BN_WASM_MAX_LOCAL_CELLS 50000u
#define BN_WASM_MAX_ITEMS 1000000u

/* Opcodes: the wasm ones from opcodes.def, then internal ones. */
#define BN_WASM_IOPS(X) \
	X(trap_unreachable) X(jmp) X(br_nz) X(br_z) X(br_table_i) \
	X(ret) X(call_func) X(call_ind) \
	X(copy) X(copy2) X(move) X(const64) X(const128) \
	X(sel) X(sel2) X(gget) X(gset) X(gget2) X(gset2) \
	X(tget) X(tset) X(msize) X(mgrow) X(isnull) X(rfunc) \
	X(minit) X(ddrop) X(mcopy) X(mfill) X(tinit) X(edrop) X(tcopy) \
	X(tgrow) X(tsize) X(tfill) X(fuel) X(loop_check) X(step_end) \
	BN_WASM_BRCMPS(X)

/* Compare-and-branch: an i32 comparison of cells a and b fused with the
   br_if or if that consumes it ([h, a, b, target]), named after the
   comparison that branches (br_z uses the opposite one). */
#define BN_WASM_BRCMPS(X) \
	X(br_eq) X(br_ne) X(br_lt_s) X(br_lt_u) X(br_gt_s) X(br_gt_u) \
	X(br_le_s) X(br_le_u) X(br_ge_s) X(br_ge_u)

/* Super-instructions: kinds of handler the translator may give the first
   instruction of a group, so the interpreter runs the group with one
   dispatch.  The group's instructions stay as they are (the compiler and
   branches into the group see them unchanged); only that first handler
   differs.  Each kind is listed under the op of the group's last
   instruction, OP. */
enum bn_wasm__hkind {
	BN_WASM__H_PLAIN,      /* OP alone */
	BN_WASM__H_CONST,      /* const64, OP */
	BN_WASM__H_ADD,        /* i32.add, OP (a load or store) */
	BN_WASM__H_CONST_ADD,  /* const64, i32.add, OP (a load or store) */
	BN_WASM__H_LOOP,       /* OP, a branch to a loop_check */
	BN_WASM__H_CONST_LOOP, /* const64, OP (a compare-and-branch to a
				  loop_check) */
	BN_WASM__H_LOAD32,     /* i32.load or f32.load, OP (a binary
				  operator) */
	BN_WASM__H_LOAD64,     /* i64.load or f64.load, OP (a binary
				  operator) */
	BN_WASM__H_ACC1,       /* OP, its first input the result of the
				  instruction before (held in a register) */
	BN_WASM__H_ACC2,       /* OP, its second input that result */
	BN_WASM__H_CONST_ACC1, /* const64, OP, OP's first input the result
				  of the instruction before the const64 */
	BN_WASM__H_COPY,       /* copy, OP (a call, return, jump, copy...) */
	BN_WASM__H_KINDS
};

enum bn_wasm__op {
#define BN_OP(code, name, c, kind, o, a, b, al) BN_WASM_OP_##c,
#include "opcodes.def"
#undef BN_OP
#define BN_IOP_ENUM(c) BN_WASM_IOP_##c,
	BN_WASM_IOPS(BN_IOP_ENUM)
#undef BN_IOP_ENUM
	BN_WASM_OP_MAX
};

/* One cell of translated code. */
typedef union bn_wasm__cell {
	const void *h;     /* handler address */
	uint64_t u;        /* operand: slot index, immediate, target index */
	int64_t s;
	const union bn_wasm__cell *pc; /* branch target */
	void *p;
} bn_wasm__cell;

/* A function type as stored in a module. */
typedef struct bn_wasm__type {
	uint32_t nparams;
	uint32_t nresults;
	uint8_t *types;        /* nparams params then nresults results */
	uint32_t param_cells;  /* cells the params take */
	uint32_t result_cells; /* cells the results take */
} bn_wasm__type;

typedef struct bn_wasm__limits {
	uint32_t min;
	uint32_t max;          /* UINT32_MAX when !has_max */
	bool has_max;
} bn_wasm__limits;

typedef struct bn_wasm__tabletype {
	uint8_t elem;          /* BN_WASM_FUNCREF or BN_WASM_EXTERNREF */
	bn_wasm__limits lim;
} bn_wasm__tabletype;

typedef struct bn_wasm__globaltype {
	uint8_t type;
	bool mut;
} bn_wasm__globaltype;

/* A constant expression (Core 2.0 allows exactly one instruction). */
enum { BN_CONST_NUM, BN_CONST_REF_NULL, BN_CONST_REF_FUNC,
       BN_CONST_GLOBAL };
typedef struct bn_wasm__const {
	uint8_t kind;          /* BN_CONST_* */
	uint8_t type;          /* value type it yields */
	uint32_t idx;          /* func or global index */
	uint64_t v[2];         /* number bits */
} bn_wasm__const;

typedef struct bn_wasm__import {
	char *module;          /* NUL-terminated copies */
	char *name;
	uint8_t kind;
	uint32_t idx;          /* index in its kind's space */
} bn_wasm__import;

typedef struct bn_wasm__export {
	char *name;            /* NUL-terminated copy; may hold NULs too */
	uint32_t name_len;
	uint8_t kind;
	uint32_t idx;
} bn_wasm__export;

enum { BN_SEG_ACTIVE, BN_SEG_PASSIVE, BN_SEG_DECLARATIVE };

typedef struct bn_wasm__elem {
	uint8_t mode;          /* BN_SEG_* */
	uint8_t type;          /* element reference type */
	uint32_t table;
	bn_wasm__const offset;
	uint32_t n;
	bn_wasm__const *init;  /* n expressions */
} bn_wasm__elem;

typedef struct bn_wasm__data {
	uint8_t mode;
	uint32_t mem;
	bn_wasm__const offset;
	const uint8_t *bytes;  /* into the module's copy of the binary */
	uint32_t len;
} bn_wasm__data;

/* Maps a code cell index to the offset of its wasm instruction. */
typedef struct bn_wasm__srcmap {
	uint32_t cell;
	uint32_t offset;       /* from the start of the code section */
	uint16_t op;           /* enum bn_wasm__op of the instruction */
	uint16_t stack;        /* operand stack cells in use (from
				  local_cells up) when it was emitted, or
				  BN_WASM__STACK_MANY: cells at or above
				  local_cells + stack that it does not
				  read or write are dead there */
} bn_wasm__srcmap;
#define BN_WASM__STACK_MANY UINT16_MAX

/* A defined function: its body and its translation. */
typedef struct bn_wasm__code {
	const uint8_t *body;   /* locals + expression, in the copy */
	uint32_t body_len;
	uint32_t body_offset;  /* from the start of the code section */
	uint32_t nlocals;      /* declared locals, not counting params */
	uint8_t *local_types;  /* params then locals */
	uint32_t *local_cell;  /* cell index of each param/local */
	uint32_t param_cells;
	uint32_t local_cells;  /* params + locals */
	uint32_t frame_cells;  /* locals + highest operand stack */
	bn_wasm__cell *code;   /* translated, owned */
	uint32_t ncells;
	bn_wasm__srcmap *map;  /* one entry per instruction, in order */
	uint32_t nmap;
} bn_wasm__code;

struct bn_wasm_module {
	uint8_t *bytes;        /* owned copy of the binary */
	size_t len;
	size_t code_sec_start; /* offset of the code section's contents */
	uint32_t ntypes;
	bn_wasm__type *types;
	uint32_t nimports;
	bn_wasm__import *imports;
	uint32_t nfuncs;       /* imported + defined */
	uint32_t nfunc_imports;
	uint32_t *func_type;   /* type index of each function */
	uint32_t ntables;
	uint32_t ntable_imports;
	bn_wasm__tabletype *tables;
	uint32_t nmems;
	uint32_t nmem_imports;
	bn_wasm__limits *mems;
	uint32_t nglobals;
	uint32_t nglobal_imports;
	bn_wasm__globaltype *globals;
	bn_wasm__const *global_init; /* for each global (imports unused) */
	uint32_t nexports;
	bn_wasm__export *exports;
	bool has_start;
	uint32_t start;
	uint32_t nelems;
	bn_wasm__elem *elems;
	uint32_t ndatas;
	bn_wasm__data *datas;
	bool has_datacount;
	uint32_t datacount;
	uint32_t ncodes;
	bn_wasm__code *codes;  /* one per defined function */
	uint8_t *func_ref_ok;  /* C.refs: 1 if ref.func may name the func */
	struct bn_wasm__jit *jit; /* machine code for the codes, owned;
				     NULL where there is no JIT.  Compiled
				     at load for guarded memory (no bounds
				     checks) when this process can reserve
				     a guarded memory, else with checks */
	_Atomic(struct bn_wasm__jit *) jit_other; /* the other variant,
				     owned; compiled when an instance first
				     needs it */
};

/* ---- runtime objects ---------------------------------------------------- */

enum { BN_FUNC_WASM, BN_FUNC_HOST };

struct bn_wasm_func {
	uint8_t kind;          /* BN_FUNC_* */
	const bn_wasm__type *type;
	bn_wasm__type own_type; /* for host functions */
	bn_wasm_instance *inst; /* wasm: owning instance */
	uint32_t index;        /* wasm: function index in its module */
	const bn_wasm__code *code;
	bn_wasm_host_fn host;
	void *payload;
	bn_wasm_func *next;    /* store's list */
};

/* Address space a guarded memory reserves: any 32-bit address plus any
   offset below 2 GiB, plus the access size, stays inside it. */
#define BN_WASM_GUARD_BYTES ((uint64_t)8 << 30)

struct bn_wasm_memory {
	uint8_t *data;
	uint64_t size;         /* bytes */
	uint64_t reserved;     /* BN_WASM_GUARD_BYTES mapped at data (only
				  size bytes accessible), or 0 when data
				  is an ordinary allocation */
	uint32_t pages;
	uint32_t max_pages;    /* UINT32_MAX = none */
	bn_wasm_store *store;
	bn_wasm_memory *next;
};

struct bn_wasm_table {
	uint8_t elem;
	uint32_t size;
	uint32_t max;          /* UINT32_MAX = none */
	void **elems;
	bn_wasm_store *store;
	bn_wasm_table *next;
};

struct bn_wasm_global {
	uint8_t type;
	bool mut;
	uint64_t v[2];
	bn_wasm_global *next;
};

struct bn_wasm_instance {
	const bn_wasm_module *module;
	bn_wasm_store *store;
	bn_wasm_func **funcs;
	bn_wasm_table **tables;
	bn_wasm_memory **mems;
	bn_wasm_global **globals;
	void ***elem_refs;     /* evaluated element segments */
	uint32_t *elem_len;    /* their lengths, 0 once dropped */
	uint8_t *data_dropped;
	const struct bn_wasm__jit *jit; /* the module's machine code this
				  instance runs (guarded or checked, as its
				  memory 0), or NULL: the interpreter */
	bn_wasm_instance *next;
};

/* An activation record of the interpreter (no C recursion for calls). */
typedef struct bn_wasm__frame {
	const bn_wasm__cell *ret_pc;
	uint64_t *fp;
	bn_wasm_func *func;
} bn_wasm__frame;

struct bn_wasm_store {
	bn_wasm_limits limits;
	uint64_t fuel_used;
	uint64_t fuel_limit;   /* UINT64_MAX = none */
	uint64_t mem_bytes;    /* summed over memories, tables and element
				  segments: what max_memory_bytes caps */
	uint64_t mem_peak;
	uint64_t mem_refused;   /* grows refused by max_memory_bytes */
	atomic_bool interrupt;
	uint64_t *stack;       /* value stack, max_stack_cells */
	size_t stack_cells;
	uint64_t *stack_top;   /* first free cell for a new activation */
	bn_wasm__frame *frames;
	uint32_t depth;        /* frames in use */
	uint32_t nesting;      /* host -> wasm re-entries in progress */
	void *jit_stack_floor; /* machine code calls stop above this native
				  stack address; set by the outermost entry */
	bn_wasm_func *funcs;
	bn_wasm_memory *mems;
	bn_wasm_table *tables;
	bn_wasm_global *globals;
	bn_wasm_instance *instances;
};

struct bn_wasm_caller {
	bn_wasm_store *store;
	bn_wasm_instance *inst;
	bn_wasm_trap *trap;
};

/* ---- between phases ----------------------------------------------------- */

static inline uint32_t bn_wasm__cells(uint8_t type)
{
	return type == BN_WASM_V128 ? 2 : 1;
}

int bn_wasm__errf(bn_wasm_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

int bn_wasm__decode(bn_wasm_module *m, bn_wasm_err *err)
	__attribute__((warn_unused_result));
int bn_wasm__validate_module(bn_wasm_module *m, bn_wasm_err *err)
	__attribute__((warn_unused_result));
int bn_wasm__translate(bn_wasm_module *m, uint32_t code_idx,
		       bn_wasm_err *err)
	__attribute__((warn_unused_result));
void bn_wasm__module_clear(bn_wasm_module *m);

/* LEB128 and friends (decode.c), used by translate.c. */
int bn_wasm__read_u32(uint32_t *out, const uint8_t **p, const uint8_t *end);
int bn_wasm__read_s32(int32_t *out, const uint8_t **p, const uint8_t *end);
int bn_wasm__read_s33(int64_t *out, const uint8_t **p, const uint8_t *end);
int bn_wasm__read_s64(int64_t *out, const uint8_t **p, const uint8_t *end);
bool bn_wasm__is_valtype(uint8_t t);
bool bn_wasm__is_reftype(uint8_t t);
const char *bn_wasm__type_name(uint8_t t);

/* The interpreter's handler table: at K * BN_WASM_OP_MAX + op, the
   handler of kind K (enum bn_wasm__hkind) for op, NULL where it has
   none. */
const void *const *bn_wasm__handlers(void);
/* Run F (wasm or host) with arguments in the cells at FP. */
int bn_wasm__invoke(bn_wasm_store *s, bn_wasm_func *f, uint64_t *fp,
		    bn_wasm_trap *trap);
/* Run the one instruction at STUB (a copy of an instruction of F's code
   followed by the step_end handler) in F's frame FP.  The JIT's way to
   run what it does not compile itself. */
int bn_wasm__interp_step(bn_wasm_store *s, bn_wasm_func *f, uint64_t *fp,
			 const bn_wasm__cell *stub, bn_wasm_trap *trap);
/* Call host function F for a caller in INST, arguments at FP. */
int bn_wasm__call_host(bn_wasm_store *s, bn_wasm_func *f,
		       bn_wasm_instance *inst, uint64_t *fp,
		       bn_wasm_trap *trap);
/* Offset in the code section of the instruction at code cell CELL. */
uint32_t bn_wasm__code_offset(const bn_wasm__code *c, uint32_t cell);

/* jit.c: x86-64 machine code from slot code.  compile makes m->jit or
   leaves the module to the interpreter (0 either way unless out of
   memory); select gives the variant an instance with memory 0 MEM0 (NULL if
   none) runs, compiling it on first need if it is not m->jit's (NULL:
   interpret); invoke runs F's machine code like bn_wasm__invoke. */
int bn_wasm__jit_compile(bn_wasm_module *m);
const struct bn_wasm__jit *bn_wasm__jit_select(const bn_wasm_module *m,
					       const bn_wasm_memory *mem0);
/* The same with only the CPU features in FEATURES used (tests of the
   code paths for CPUs without them). */
enum { BN_WASM__JIT_SSE41 = 1, BN_WASM__JIT_POPCNT = 2 };
int bn_wasm__jit_compile_features(bn_wasm_module *m, unsigned features);
void bn_wasm__jit_free(bn_wasm_module *m);
int bn_wasm__jit_invoke(bn_wasm_store *s, bn_wasm_func *f, uint64_t *fp,
			bn_wasm_trap *trap);
void bn_wasm__trap_set(bn_wasm_trap *trap, bn_wasm_trap_kind kind,
		       const char *msg);

/* instance.c helpers used by the interpreter. */
int bn_wasm__memory_grow(bn_wasm_memory *m, uint32_t delta,
			 uint32_t *old_pages);
int bn_wasm__table_grow(bn_wasm_table *t, uint32_t delta, void *init,
			uint32_t *old_size);
bool bn_wasm__type_eq(const bn_wasm__type *a, const bn_wasm__type *b);

/* call_indirect's checks, for both engines: the function at index I of
   INST's table TABLE, of type TYPE.  Returns BN_WASM_TRAP_NONE with *OUT,
   or the trap kind with its message in *MSG. */
static inline bn_wasm_trap_kind
bn_wasm__indirect_callee(bn_wasm_func **out, bn_wasm_instance *inst,
			 uint32_t type, uint32_t table, uint32_t i,
			 const char **msg)
{
	bn_wasm_table *tb = inst->tables[table];
	const bn_wasm__type *want = &inst->module->types[type];
	bn_wasm_func *f;

	if (i >= tb->size) {
		*msg = "undefined element";
		return BN_WASM_TRAP_TABLE_OOB;
	}
	f = tb->elems[i];
	if (!f) {
		*msg = "uninitialized element";
		return BN_WASM_TRAP_INDIRECT_NULL;
	}
	if (f->type != want && !bn_wasm__type_eq(f->type, want)) {
		*msg = "indirect call type mismatch";
		return BN_WASM_TRAP_INDIRECT_TYPE;
	}
	*out = f;
	return BN_WASM_TRAP_NONE;
}

void bn_wasm__val_to_cells(uint64_t *c, const bn_wasm_val *v);
void bn_wasm__val_from_cells(bn_wasm_val *v, uint8_t type,
			     const uint64_t *c);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * wasm/wasm.h - the public API of boternity's WebAssembly 2.0 engine.
 *
 * Owns: decoding, validating and translating modules; stores holding
 * function, table, memory and global instances; instantiation and linking;
 * calls with fuel, memory, stack and interrupt limits; traps.
 * Uses: libc only.  Knows nothing of skills, grants or sandboxing, so it
 * can be tested, fuzzed and benchmarked alone.  WASI preview 1 is in
 * wasi.h, on top of this API.
 *
 * Spec: WebAssembly Core Specification 2.0, https://webassembly.github.io/spec/core/
 *
 * Life cycle:
 *     bn_wasm_module *m;   bn_wasm_module_new(&m, bytes, len, &err);
 *     bn_wasm_store *s;    bn_wasm_store_new(&s, &limits);
 *     bn_wasm_linker *l;   bn_wasm_linker_new(&l);  ... define imports ...
 *     bn_wasm_instance *i; bn_wasm_linker_instantiate(&i, l, s, m, &trap, &err);
 *     bn_wasm_extern e;    bn_wasm_instance_export(&e, i, "run");
 *     bn_wasm_func_call(s, e.of.func, args, n, results, k, &trap);
 *     bn_wasm_store_free(s); bn_wasm_linker_free(l); bn_wasm_module_free(m);
 * A module may be instantiated many times, in many stores; it must outlive
 * every store whose instances were made from it.  Everything a store makes
 * (instances, host functions, memories, tables, globals) is owned by the
 * store and freed with it.
 */
#ifndef BN_WASM_WASM_H
#define BN_WASM_WASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Result codes (negative), beside -ENOMEM. */
enum {
	BN_WASM_EMALFORMED = -2001,  /* the binary cannot be decoded */
	BN_WASM_EINVALID = -2002,    /* the module does not validate */
	BN_WASM_EUNLINKABLE = -2003, /* an import is missing or mistyped */
	BN_WASM_ETRAP = -2004,       /* execution trapped: see bn_wasm_trap */
	BN_WASM_ELIMIT = -2005,      /* a store limit refused the request */
	BN_WASM_ENOTFOUND = -2006,   /* no export or import of that name */
};

/* Value types, by their binary encoding. */
enum {
	BN_WASM_I32 = 0x7f,
	BN_WASM_I64 = 0x7e,
	BN_WASM_F32 = 0x7d,
	BN_WASM_F64 = 0x7c,
	BN_WASM_V128 = 0x7b,
	BN_WASM_FUNCREF = 0x70,
	BN_WASM_EXTERNREF = 0x6f,
};

/* External kinds, by their binary encoding. */
enum {
	BN_WASM_EXTERN_FUNC = 0,
	BN_WASM_EXTERN_TABLE = 1,
	BN_WASM_EXTERN_MEMORY = 2,
	BN_WASM_EXTERN_GLOBAL = 3,
};

typedef struct bn_wasm_module bn_wasm_module;
typedef struct bn_wasm_store bn_wasm_store;
typedef struct bn_wasm_instance bn_wasm_instance;
typedef struct bn_wasm_func bn_wasm_func;
typedef struct bn_wasm_table bn_wasm_table;
typedef struct bn_wasm_memory bn_wasm_memory;
typedef struct bn_wasm_global bn_wasm_global;
typedef struct bn_wasm_linker bn_wasm_linker;
typedef struct bn_wasm_caller bn_wasm_caller;

/*
 * A value.  Floats travel as their bit patterns so NaN payloads survive.
 * A reference is a pointer: for funcref a bn_wasm_func *, for externref
 * whatever the host passed in; NULL is the null reference.
 */
typedef struct bn_wasm_val {
	uint8_t type;              /* BN_WASM_I32 ... BN_WASM_EXTERNREF */
	union {
		uint32_t i32;
		uint64_t i64;
		uint32_t f32;      /* IEEE 754 binary32 bits */
		uint64_t f64;      /* IEEE 754 binary64 bits */
		uint8_t v128[16];  /* little-endian lanes */
		void *ref;         /* NULL = ref.null */
	} of;
} bn_wasm_val;

/* A function type: borrowed arrays of value types. */
typedef struct bn_wasm_functype {
	uint32_t nparams;
	uint32_t nresults;
	const uint8_t *params;
	const uint8_t *results;
} bn_wasm_functype;

/* An external value: what imports are given and exports give. */
typedef struct bn_wasm_extern {
	uint8_t kind;              /* BN_WASM_EXTERN_* */
	union {
		bn_wasm_func *func;
		bn_wasm_table *table;
		bn_wasm_memory *memory;
		bn_wasm_global *global;
	} of;
} bn_wasm_extern;

/* Why a call stopped early. */
typedef enum bn_wasm_trap_kind {
	BN_WASM_TRAP_NONE = 0,
	BN_WASM_TRAP_UNREACHABLE,      /* "unreachable" executed */
	BN_WASM_TRAP_MEMORY_OOB,       /* out of bounds memory access */
	BN_WASM_TRAP_TABLE_OOB,        /* out of bounds table access, or
					  "undefined element" (call_indirect
					  past the table's end) */
	BN_WASM_TRAP_INDIRECT_NULL,    /* uninitialized element */
	BN_WASM_TRAP_INDIRECT_TYPE,    /* indirect call type mismatch */
	BN_WASM_TRAP_DIV_ZERO,         /* integer divide by zero */
	BN_WASM_TRAP_INT_OVERFLOW,     /* integer overflow */
	BN_WASM_TRAP_INVALID_CONV,     /* invalid conversion to integer */
	BN_WASM_TRAP_STACK_EXHAUSTED,  /* call depth or stack cap reached */
	BN_WASM_TRAP_FUEL_EXHAUSTED,   /* the fuel limit was used up */
	BN_WASM_TRAP_INTERRUPTED,      /* bn_wasm_store_interrupt was called */
	BN_WASM_TRAP_HOST,             /* a host function trapped */
	BN_WASM_TRAP_EXIT,             /* a host function asked to exit
					  (WASI proc_exit): see exit_code */
	BN_WASM_TRAP_KIND_MAX
} bn_wasm_trap_kind;

typedef struct bn_wasm_trap {
	bn_wasm_trap_kind kind;
	uint32_t func_index;   /* index in its module of the function that
				  trapped, UINT32_MAX if unknown/host */
	uint32_t code_offset;  /* byte offset in the code section, or 0 */
	int exit_code;         /* for BN_WASM_TRAP_EXIT */
	char msg[256];         /* spec-style text, e.g. "integer divide by
				  zero", "out of bounds memory access" */
} bn_wasm_trap;

/* Human text for a failed decode, validation, link or instantiation. */
typedef struct bn_wasm_err {
	char msg[512];         /* e.g. "validate: func 3 at 0x1a2: type
				  mismatch: expected i32, got f64" */
} bn_wasm_err;

/*
 * Limits of a store; each exhausted limit has its own trap.  A zero in
 * max_memory_bytes, max_call_depth, max_stack_cells or max_table_elems
 * means the BN_WASM_LIMITS_INIT default.
 * Fuel: every function entry and every loop iteration is charged the
 * number of wasm instructions in the region it starts (the body up to any
 * nested loop), so the count is the same on every run of the same call.
 */
typedef struct bn_wasm_limits {
	uint64_t fuel;               /* units of work per store, 0 = no
					limit; deterministic for a given
					module and input */
	uint64_t max_memory_bytes;   /* summed over the store's memories,
					tables and element segments (one
					pointer, 8 bytes, an entry);
					instantiation over it fails,
					memory.grow and table.grow over
					it return -1 */
	uint32_t max_call_depth;     /* nested wasm calls */
	uint32_t max_stack_cells;    /* 64-bit value-stack slots per call
					chain */
	uint32_t max_table_elems;    /* per table */
	uint8_t engine;              /* BN_WASM_ENGINE_*: how code runs */
	uint8_t bounds;              /* BN_WASM_BOUNDS_*: how memory
					accesses are kept in bounds */
} bn_wasm_limits;

/* Engines.  AUTO runs machine code where the module was compiled to it
   (x86-64 Linux) and the interpreter elsewhere; INTERP always
   interprets.  Both give the same results, traps and fuel counts. */
enum { BN_WASM_ENGINE_AUTO = 0, BN_WASM_ENGINE_INTERP = 1 };

/* Bounds of memory accesses.  AUTO: where machine code runs, each
   memory the store makes reserves 8 GiB of address space (no access, so
   no memory is used) with only its current pages readable and writable,
   and machine code leaves the bounds check to the hardware: an access
   past the end faults in the reservation and becomes the same
   "out of bounds memory access" trap at the same place.  Where the
   reservation is refused (RLIMIT_AS) the memory is an ordinary
   allocation and every access is checked.  CHECK: always the latter.
   bn_wasm_memory_guarded() says which a memory got. */
enum { BN_WASM_BOUNDS_AUTO = 0, BN_WASM_BOUNDS_CHECK = 1 };

#define BN_WASM_LIMITS_INIT { 0, (uint64_t)4 << 30, 10000, 1u << 22, \
			      10000000, BN_WASM_ENGINE_AUTO, \
			      BN_WASM_BOUNDS_AUTO }

/* ---- modules ---------------------------------------------------------- */

/*
 * bn_wasm_module_new - decode, validate and translate a binary module.
 * BYTES is copied as needed and need not outlive the call.  Returns 0,
 * BN_WASM_EMALFORMED, BN_WASM_EINVALID or -ENOMEM, with text in *err.
 */
int bn_wasm_module_new(bn_wasm_module **out, const uint8_t *bytes,
		       size_t len, bn_wasm_err *err);
void bn_wasm_module_free(bn_wasm_module *m);

/* Imports and exports of a module, for a host that links by hand. */
typedef struct bn_wasm_import_desc {
	const char *module;       /* borrowed from the module */
	const char *name;
	uint8_t kind;             /* BN_WASM_EXTERN_* */
	bn_wasm_functype func;    /* for functions */
} bn_wasm_import_desc;

size_t bn_wasm_module_import_count(const bn_wasm_module *m);
void bn_wasm_module_import(bn_wasm_import_desc *out,
			   const bn_wasm_module *m, size_t i);
size_t bn_wasm_module_export_count(const bn_wasm_module *m);
/* Name (borrowed) and kind of export I. */
const char *bn_wasm_module_export(const bn_wasm_module *m, size_t i,
				  uint8_t *kind_out);

/* ---- stores ----------------------------------------------------------- */

int bn_wasm_store_new(bn_wasm_store **out, const bn_wasm_limits *limits);
void bn_wasm_store_free(bn_wasm_store *s);
/* Fuel used so far, and a new budget (0 = unlimited). */
uint64_t bn_wasm_store_fuel_used(const bn_wasm_store *s);
void bn_wasm_store_set_fuel(bn_wasm_store *s, uint64_t fuel);
/* Highest total the store has held against max_memory_bytes (linear
   memory, table entries, element segments), in bytes. */
uint64_t bn_wasm_store_memory_peak(const bn_wasm_store *s);
/* How many memory.grow and table.grow requests max_memory_bytes refused
   (a module that then fails ran out of memory because of the cap). */
uint64_t bn_wasm_store_memory_refused(const bn_wasm_store *s);
/*
 * bn_wasm_store_interrupt - ask a running call to stop with
 * BN_WASM_TRAP_INTERRUPTED.  Safe from another thread or a signal
 * handler; the call stops at its next loop back-edge or call, or as soon
 * as the host function it is in returns.  The request
 * is consumed by the trap it causes; one made while nothing runs stops the
 * next call at its first check.
 */
void bn_wasm_store_interrupt(bn_wasm_store *s);

/* ---- host objects ----------------------------------------------------- */

/*
 * A host function.  ARGS holds nparams values, RESULTS room for nresults.
 * Return 0 to continue; to stop, return the result of
 * bn_wasm_caller_trap() or bn_wasm_caller_exit().
 */
typedef int (*bn_wasm_host_fn)(bn_wasm_caller *caller,
			       const bn_wasm_val *args, bn_wasm_val *results,
			       void *payload);

/* The host function's view of its caller. */
bn_wasm_store *bn_wasm_caller_store(bn_wasm_caller *c);
/* The calling instance's memory 0, or NULL if it has none. */
bn_wasm_memory *bn_wasm_caller_memory(bn_wasm_caller *c);
/* Stop the call with BN_WASM_TRAP_HOST and this message. */
int bn_wasm_caller_trap(bn_wasm_caller *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Stop the call with BN_WASM_TRAP_EXIT and this status. */
int bn_wasm_caller_exit(bn_wasm_caller *c, int status);

/* The store owns the result; TYPE's arrays are copied. */
int bn_wasm_func_new_host(bn_wasm_func **out, bn_wasm_store *s,
			  const bn_wasm_functype *type, bn_wasm_host_fn fn,
			  void *payload);
void bn_wasm_func_type(bn_wasm_functype *out, const bn_wasm_func *f);

/* max_pages / max UINT32_MAX = none.  Counted against the store's cap. */
int bn_wasm_memory_new(bn_wasm_memory **out, bn_wasm_store *s,
		       uint32_t min_pages, uint32_t max_pages);
int bn_wasm_table_new(bn_wasm_table **out, bn_wasm_store *s,
		      uint8_t elem_type, uint32_t min, uint32_t max,
		      void *init_ref);
int bn_wasm_global_new(bn_wasm_global **out, bn_wasm_store *s,
		       const bn_wasm_val *init, bool is_mutable);

/* ---- linear memory, bounds-checked ------------------------------------ */

/* Whether M sits in a guarded reservation (see BN_WASM_BOUNDS_AUTO); a
   function whose instance's memory 0 is guarded runs machine code without
   explicit bounds checks. */
bool bn_wasm_memory_guarded(const bn_wasm_memory *m);
/* Current size in bytes, and the base (valid until the next grow). */
uint64_t bn_wasm_memory_size(const bn_wasm_memory *m);
uint8_t *bn_wasm_memory_data(bn_wasm_memory *m);
/* Copy in or out; BN_WASM_ETRAP-free: returns -EFAULT when
   [offset, offset+len) is not inside the memory. */
int bn_wasm_memory_read(const bn_wasm_memory *m, uint64_t offset,
			void *dst, size_t len);
int bn_wasm_memory_write(bn_wasm_memory *m, uint64_t offset,
			 const void *src, size_t len);
/* Borrow a checked pointer to [offset, offset+len), or NULL. */
uint8_t *bn_wasm_memory_span(bn_wasm_memory *m, uint64_t offset,
			     uint64_t len);

/* Global values. */
void bn_wasm_global_get(bn_wasm_val *out, const bn_wasm_global *g);
int bn_wasm_global_set(bn_wasm_global *g, const bn_wasm_val *v);

/* ---- linking and instances -------------------------------------------- */

/*
 * A linker maps (module name, field name) to external values.  Names are
 * copied.  Defining a name twice replaces the earlier definition.
 */
int bn_wasm_linker_new(bn_wasm_linker **out);
void bn_wasm_linker_free(bn_wasm_linker *l);
int bn_wasm_linker_define(bn_wasm_linker *l, const char *module,
			  const char *name, const bn_wasm_extern *ext);
/* Define every export of INST under MODULE (the spec's "register"). */
int bn_wasm_linker_define_instance(bn_wasm_linker *l, const char *module,
				   const bn_wasm_instance *inst);

/*
 * bn_wasm_instance_new - instantiate M in S with IMPORTS given in the
 * module's import order.  Runs the start function.  Returns 0,
 * BN_WASM_EUNLINKABLE (a mistyped import), BN_WASM_ELIMIT, -ENOMEM with
 * *err, or BN_WASM_ETRAP with *trap (a trapping segment or start).
 * The store owns the instance.
 */
int bn_wasm_instance_new(bn_wasm_instance **out, bn_wasm_store *s,
			 const bn_wasm_module *m,
			 const bn_wasm_extern *imports, size_t nimports,
			 bn_wasm_trap *trap, bn_wasm_err *err);
/* The same, resolving each import by name through L. */
int bn_wasm_linker_instantiate(bn_wasm_instance **out,
			       const bn_wasm_linker *l, bn_wasm_store *s,
			       const bn_wasm_module *m, bn_wasm_trap *trap,
			       bn_wasm_err *err);

/* Whether INST's functions run as machine code (unless the store's
   limits ask for the interpreter); false where the platform has no code
   generator or executable memory was refused. */
bool bn_wasm_instance_compiled(const bn_wasm_instance *inst);

/* Look up an export; BN_WASM_ENOTFOUND if there is none. */
int bn_wasm_instance_export(bn_wasm_extern *out,
			    const bn_wasm_instance *inst, const char *name);
/* The same for a name of LEN bytes, which may contain NUL bytes. */
int bn_wasm_instance_export_n(bn_wasm_extern *out,
			      const bn_wasm_instance *inst, const char *name,
			      size_t len);

/*
 * bn_wasm_func_call - call F with NARGS arguments (types must match).
 * Returns 0 with NRESULTS results, BN_WASM_ETRAP with *trap filled, or
 * -EINVAL when the argument or result counts/types do not match F or F
 * belongs to another store.  A host function may call back into wasm
 * (up to 64 nested levels, then BN_WASM_TRAP_STACK_EXHAUSTED).
 */
int bn_wasm_func_call(bn_wasm_store *s, bn_wasm_func *f,
		      const bn_wasm_val *args, size_t nargs,
		      bn_wasm_val *results, size_t nresults,
		      bn_wasm_trap *trap);

/* Text for a trap kind ("fuel exhausted", ...). */
const char *bn_wasm_trap_kind_name(bn_wasm_trap_kind k);

#endif

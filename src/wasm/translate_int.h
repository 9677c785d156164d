/* SPDX-License-Identifier: MIT */
/*
 * wasm/translate_int.h - the state shared by translate.c (control flow,
 * operand stack, emission) and translate_ops.c (data instructions) while
 * one function body is validated and translated.
 */
#ifndef BN_WASM_TRANSLATE_INT_H
#define BN_WASM_TRANSLATE_INT_H

#include "wasm_int.h"

#define INV BN_WASM_EINVALID
#define MAL BN_WASM_EMALFORMED
#define UNKNOWN 0  /* the bottom type of the polymorphic stack */
#define NONE_PATCH UINT32_MAX

enum { K_BLOCK, K_LOOP, K_IF, K_ELSE, K_FUNC };

/* An operand stack entry.  local.get pushes a lazy entry: its value is
   read straight from the local's cell (slot) until something needs it in
   its own stack cell (home): see bn_wasm__tr_flush(). */
typedef struct val {
	uint8_t type;
	uint32_t slot;         /* cell holding the value now */
	uint32_t home;         /* the entry's own operand stack cell */
} val;

typedef struct ctrl {
	uint8_t kind;
	bool unreachable;      /* stack is polymorphic (typing) */
	bool dead;             /* inside code that is never emitted */
	uint32_t nparams;
	uint32_t nresults;
	const uint8_t *params;
	const uint8_t *results;
	uint32_t height;       /* operand stack length under the params */
	uint32_t base_slot;    /* cell of the first param/result */
	uint32_t loop_pc;      /* K_LOOP: cell index of the header */
	uint32_t patch;        /* forward branches to the end (list) */
	uint32_t else_patch;   /* K_IF: the br_z to the else arm */
	uint32_t fuel_cell;    /* cost cell charged for this region */
} ctrl;

typedef struct tr {
	bn_wasm_module *m;
	bn_wasm__code *fn;
	const bn_wasm__type *ftype;
	bn_wasm_err *err;
	uint32_t fidx;
	const uint8_t *p;
	const uint8_t *end;
	const uint8_t *ins;    /* start of the current instruction */
	const void *const *h;
	val *vals;
	uint32_t nvals, capvals;
	ctrl *ctrls;
	uint32_t nctrls, capctrls;
	bn_wasm__cell *code;
	uint32_t ncode, capcode;
	uint32_t *relocs;      /* cells holding a target cell index */
	uint32_t nrelocs, caprelocs;
	bn_wasm__srcmap *map;
	uint32_t nmap, capmap;
	uint32_t max_slot;
	uint32_t last_dst;     /* code cell of the result operand of the
				  instruction just emitted, if it only
				  computes a value; NONE_PATCH otherwise */
} tr;

/* translate.c: diagnostics, emission and the operand stack. */
int bn_wasm__tr_fail(tr *t, int code, const char *msg);
/* The next byte of the code (*OUT), or "unexpected end". */
int bn_wasm__tr_byte(tr *t, uint8_t *out);
/* The next byte, which must be 0 (a reserved memory index). */
int bn_wasm__tr_zero(tr *t);
/* The next byte, which must be a value type (a reference type when
   REF): the type of a select or ref.null. */
int bn_wasm__tr_type(tr *t, uint8_t *ty, bool ref);
bool bn_wasm__tr_live(const tr *t);
int bn_wasm__tr_emit(tr *t, uint32_t *at, int op, uint32_t n);
int bn_wasm__tr_emit1(tr *t, int op, uint64_t a);
int bn_wasm__tr_emit2(tr *t, int op, uint64_t a, uint64_t b);
int bn_wasm__tr_emit3(tr *t, int op, uint64_t a, uint64_t b, uint64_t c);
int bn_wasm__tr_push(tr *t, uint8_t type, uint32_t *slot);
int bn_wasm__tr_pop(tr *t, uint8_t want, val *out);
int bn_wasm__tr_pop_slot(tr *t, uint8_t want, uint32_t *slot);
int bn_wasm__tr_flush(tr *t, uint32_t n);
int bn_wasm__tr_emit_value(tr *t, int op, uint64_t dst, uint64_t a,
			   uint64_t b, uint32_t nops);
int bn_wasm__tr_read_idx(tr *t, uint32_t *out, uint32_t limit,
			 const char *what);

/* translate_ops.c: one data instruction whose first byte is B. */
int bn_wasm__tr_data(tr *t, uint8_t b);

#endif

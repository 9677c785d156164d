/* SPDX-License-Identifier: MIT */
/*
 * wasm/translate.c - validates one function body and, in the same pass,
 * translates it into slot code for interp.c.
 *
 * Validation follows the spec's algorithm (Core 2.0, appendix 7.3:
 * operand and control stacks, with the polymorphic stack after an
 * unconditional branch).  Each operand stack entry also records the frame
 * cell that holds it; since heights are static, every operand of every
 * emitted instruction is a fixed cell index.  Branches carry their values
 * to the label's cells with explicit moves emitted here, so the
 * interpreter never keeps a control stack.  Code after an unconditional
 * branch is validated but not emitted.
 *
 * Operands are not copied needlessly: local.get pushes a lazy entry that
 * later instructions read straight from the local's cell (materialized in
 * its own cell only at block entries, branches, calls and before the local
 * is written), and a local.set right after the instruction computing its
 * value retargets that instruction's result to the local.
 *
 * Fuel: each function entry and loop header carries a cost, the number of
 * wasm instructions in the region it heads (nested loops excluded).  The
 * interpreter charges it on entry and on every back-edge, so the count is
 * deterministic and proportional to work done.
 *
 * The data instructions (numeric, memory, tables, references, SIMD) are
 * in translate_ops.c.
 */
#include <stdlib.h>
#include <string.h>

#include "translate_int.h"

/* Identity table: &g_types[t] is a one-element type vector {t}. */
static const uint8_t g_types[256] = {
	[0x7f] = 0x7f, [0x7e] = 0x7e, [0x7d] = 0x7d, [0x7c] = 0x7c,
	[0x7b] = 0x7b, [0x70] = 0x70, [0x6f] = 0x6f,
};

int bn_wasm__tr_fail(tr *t, int code, const char *msg)
{
	return bn_wasm__errf(t->err, code, "%s (func %u at 0x%zx)", msg,
			     t->fidx, (size_t)(t->ins - t->m->bytes));
}

int bn_wasm__tr_byte(tr *t, uint8_t *out)
{
	if (1 > t->end - t->p)
		return bn_wasm__tr_fail(t, MAL, "unexpected end");
	*out = *t->p++;
	return 0;
}

int bn_wasm__tr_zero(tr *t)
{
	uint8_t b;
	int e = bn_wasm__tr_byte(t, &b);

	if (!e && b != 0)
		e = bn_wasm__tr_fail(t, MAL, "zero byte expected");
	return e;
}

int bn_wasm__tr_type(tr *t, uint8_t *ty, bool ref)
{
	int e = bn_wasm__tr_byte(t, ty);

	if (e || (ref ? bn_wasm__is_reftype(*ty) : bn_wasm__is_valtype(*ty)))
		return e;
	return bn_wasm__tr_fail(t, MAL, ref ? "malformed reference type" :
				"malformed value type");
}

static int grow_arr(void **arr, uint32_t *cap, uint32_t need, size_t size)
{
	uint32_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	if (need > UINT32_MAX / 2)
		return -ENOMEM;
	ncap = *cap ? *cap : 16;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, (size_t)ncap * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* ---- code emission ------------------------------------------------------ */

bool bn_wasm__tr_live(const tr *t)
{
	const ctrl *c = &t->ctrls[t->nctrls - 1];

	return !c->unreachable && !c->dead;
}

static uint32_t next_slot(const tr *t)
{
	const val *v;

	if (t->nvals == 0)
		return t->fn->local_cells;
	v = &t->vals[t->nvals - 1];
	return v->home + (v->type == UNKNOWN ? 1 : bn_wasm__cells(v->type));
}

/* Instruction I (index in the map) leaves every cell from TOP up dead. */
static void set_stack(tr *t, uint32_t i, uint32_t top)
{
	uint32_t n = top - t->fn->local_cells;

	t->map[i].stack = (uint16_t)(n < BN_WASM__STACK_MANY ?
				     n : BN_WASM__STACK_MANY);
}

/* Start instruction OP with N operand cells; returns its cell index. */
int bn_wasm__tr_emit(tr *t, uint32_t *at, int op, uint32_t n)
{
	int e = grow_arr((void **)&t->code, &t->capcode, t->ncode + 1 + n,
			 sizeof(*t->code));

	if (e)
		return e;
	e = grow_arr((void **)&t->map, &t->capmap, t->nmap + 1,
		     sizeof(*t->map));
	if (e)
		return e;
	t->map[t->nmap].cell = t->ncode;
	t->map[t->nmap].op = (uint16_t)op;
	set_stack(t, t->nmap, next_slot(t));
	t->map[t->nmap].offset = (uint32_t)(t->ins - t->m->bytes -
					    t->m->code_sec_start);
	t->nmap++;
	*at = t->ncode;
	t->last_dst = NONE_PATCH;
	t->code[t->ncode].h = t->h[op];
	memset(&t->code[t->ncode + 1], 0, n * sizeof(*t->code));
	t->ncode += 1 + n;
	return 0;
}

/* Emit OP computing a value into DST from operands A (and B): NOPS is 2
   or 3.  local.set may then retarget DST straight to the local. */
int bn_wasm__tr_emit_value(tr *t, int op, uint64_t dst, uint64_t a,
			   uint64_t b, uint32_t nops)
{
	int e = nops == 2 ? bn_wasm__tr_emit2(t, op, dst, a)
			  : bn_wasm__tr_emit3(t, op, dst, a, b);

	if (!e)
		t->last_dst = t->ncode - nops;
	return e;
}

int bn_wasm__tr_emit1(tr *t, int op, uint64_t a)
{
	uint32_t at;
	int e = bn_wasm__tr_emit(t, &at, op, 1);

	if (!e)
		t->code[at + 1].u = a;
	return e;
}

int bn_wasm__tr_emit2(tr *t, int op, uint64_t a, uint64_t b)
{
	uint32_t at;
	int e = bn_wasm__tr_emit(t, &at, op, 2);

	if (!e) {
		t->code[at + 1].u = a;
		t->code[at + 2].u = b;
	}
	return e;
}

int bn_wasm__tr_emit3(tr *t, int op, uint64_t a, uint64_t b, uint64_t c)
{
	uint32_t at;
	int e = bn_wasm__tr_emit(t, &at, op, 3);

	if (!e) {
		t->code[at + 1].u = a;
		t->code[at + 2].u = b;
		t->code[at + 3].u = c;
	}
	return e;
}

static int add_reloc(tr *t, uint32_t cell)
{
	int e = grow_arr((void **)&t->relocs, &t->caprelocs, t->nrelocs + 1,
			 sizeof(uint32_t));

	if (!e)
		t->relocs[t->nrelocs++] = cell;
	return e;
}

/* Make CELL a branch to control frame C's end (patched later), or to
   the loop header. */
static int link_target(tr *t, uint32_t cell, ctrl *c)
{
	if (c->kind == K_LOOP) {
		t->code[cell].u = c->loop_pc;
	} else {
		t->code[cell].u = c->patch;
		c->patch = cell;
	}
	return add_reloc(t, cell);
}

static void patch_list(tr *t, uint32_t head, uint32_t target)
{
	while (head != NONE_PATCH) {
		uint32_t next = (uint32_t)t->code[head].u;

		t->code[head].u = target;
		head = next;
	}
}

static int emit_move(tr *t, uint32_t dst, uint32_t src, uint32_t cells)
{
	if (dst == src || cells == 0)
		return 0;
	if (cells == 1)
		return bn_wasm__tr_emit2(t, BN_WASM_IOP_copy, dst, src);
	if (cells == 2)
		return bn_wasm__tr_emit2(t, BN_WASM_IOP_copy2, dst, src);
	return bn_wasm__tr_emit3(t, BN_WASM_IOP_move, dst, src, cells);
}

/* ---- the operand stack -------------------------------------------------- */

int bn_wasm__tr_push(tr *t, uint8_t type, uint32_t *slot)
{
	uint32_t s = next_slot(t);
	uint32_t top;
	int e = grow_arr((void **)&t->vals, &t->capvals, t->nvals + 1,
			 sizeof(*t->vals));

	if (e)
		return e;
	top = s + bn_wasm__cells(type);
	if (top > BN_WASM_MAX_LOCAL_CELLS * 4)
		return bn_wasm__tr_fail(t, INV, "operand stack too deep");
	if (top > t->max_slot)
		t->max_slot = top;
	t->vals[t->nvals].type = type;
	t->vals[t->nvals].slot = s;
	t->vals[t->nvals].home = s;
	t->nvals++;
	if (slot)
		*slot = s;
	return 0;
}

/* Pop a value; WANT 0 accepts any type.  *OUT gets what was popped. */
int bn_wasm__tr_pop(tr *t, uint8_t want, val *out)
{
	ctrl *c = &t->ctrls[t->nctrls - 1];
	val v;

	if (t->nvals == c->height) {
		if (!c->unreachable)
			return bn_wasm__tr_fail(
				t, INV, "type mismatch: stack underflow");
		v.type = UNKNOWN;
		v.slot = 0;
		v.home = 0;
	} else {
		v = t->vals[--t->nvals];
	}
	if (want && v.type != UNKNOWN && v.type != want)
		return bn_wasm__tr_fail(t, INV, "type mismatch");
	if (out) {
		out->slot = v.slot;
		out->home = v.home;
		out->type = v.type == UNKNOWN ? want : v.type;
	}
	return 0;
}

int bn_wasm__tr_pop_slot(tr *t, uint8_t want, uint32_t *slot)
{
	val v;
	int e = bn_wasm__tr_pop(t, want, &v);

	if (!e && slot)
		*slot = v.slot;
	return e;
}

/* Move entry I's value into its home cell. */
static int flush_entry(tr *t, uint32_t i)
{
	val *v = &t->vals[i];
	int e = 0;

	if (v->slot == v->home)
		return 0;
	if (bn_wasm__tr_live(t) && v->type != UNKNOWN)
		e = emit_move(t, v->home, v->slot, bn_wasm__cells(v->type));
	v->slot = v->home;
	return e;
}

/* Materialize the top N entries (those that exist) in their homes. */
int bn_wasm__tr_flush(tr *t, uint32_t n)
{
	uint32_t from = n > t->nvals ? 0 : t->nvals - n;
	int e = 0;

	for (uint32_t i = from; i < t->nvals && !e; i++)
		e = flush_entry(t, i);
	return e;
}

/* Before local cell CELL is written: materialize entries reading it. */
static int flush_local(tr *t, uint32_t cell)
{
	int e = 0;

	for (uint32_t i = 0; i < t->nvals && !e; i++)
		if (t->vals[i].slot == cell && t->vals[i].home != cell)
			e = flush_entry(t, i);
	return e;
}

static int pop_vec(tr *t, const uint8_t *types, uint32_t n)
{
	for (uint32_t i = n; i-- > 0;) {
		int e = bn_wasm__tr_pop(t, types[i], NULL);

		if (e)
			return e;
	}
	return 0;
}

static int push_vec(tr *t, const uint8_t *types, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		int e = bn_wasm__tr_push(t, types[i], NULL);

		if (e)
			return e;
	}
	return 0;
}

/* Check the stack top against TYPES without changing it (br_table). */
static int check_vec(tr *t, const uint8_t *types, uint32_t n)
{
	const ctrl *c = &t->ctrls[t->nctrls - 1];

	for (uint32_t k = 0; k < n; k++) {
		uint8_t want = types[n - 1 - k];
		uint8_t got;

		if (t->nvals < c->height + 1 + k) {
			if (!c->unreachable)
				return bn_wasm__tr_fail(t, INV,
							"type mismatch: stack "
							"underflow");
			continue;
		}
		got = t->vals[t->nvals - 1 - k].type;
		if (got != UNKNOWN && got != want)
			return bn_wasm__tr_fail(t, INV, "type mismatch");
	}
	return 0;
}

static uint32_t vec_cells(const uint8_t *types, uint32_t n)
{
	uint32_t c = 0;

	for (uint32_t i = 0; i < n; i++)
		c += bn_wasm__cells(types[i]);
	return c;
}

static void label_types(const ctrl *c, const uint8_t **types, uint32_t *n)
{
	if (c->kind == K_LOOP) {
		*types = c->params;
		*n = c->nparams;
	} else {
		*types = c->results;
		*n = c->nresults;
	}
}

static void set_unreachable(tr *t)
{
	ctrl *c = &t->ctrls[t->nctrls - 1];

	t->nvals = c->height;
	c->unreachable = true;
}

static int push_ctrl(tr *t, uint8_t kind, const uint8_t *params,
		     uint32_t np, const uint8_t *results, uint32_t nr)
{
	ctrl *c;
	int e = grow_arr((void **)&t->ctrls, &t->capctrls, t->nctrls + 1,
			 sizeof(*t->ctrls));

	if (e)
		return e;
	c = &t->ctrls[t->nctrls];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->params = params;
	c->nparams = np;
	c->results = results;
	c->nresults = nr;
	c->height = t->nvals;
	c->base_slot = next_slot(t);
	c->patch = NONE_PATCH;
	c->else_patch = NONE_PATCH;
	if (t->nctrls) {
		const ctrl *p = &t->ctrls[t->nctrls - 1];

		c->dead = p->dead || p->unreachable;
		c->fuel_cell = p->fuel_cell;
	}
	t->nctrls++;
	return push_vec(t, params, np);
}

/* ---- branches ----------------------------------------------------------- */

/* A conditional branch on COND (taken when COND is non-zero if NZ, else
   when it is zero) right after the i32 comparison or eqz that computed
   COND into its own stack cell: rewrite that instruction into the branch
   (compare-and-branch, or br_z / br_nz on eqz's operand), which drops
   COND, and return the cell of its target operand; else NONE_PATCH.
   Nothing can jump between the two: a label in between (else, end)
   clears last_dst. */
static uint32_t fuse_branch(tr *t, uint32_t cond, bool nz)
{
	static const struct { uint16_t cmp, yes, no; } k[] = {
#define FUSE(c, y, n) { BN_WASM_OP_i32_##c, BN_WASM_IOP_br_##y, \
			BN_WASM_IOP_br_##n }
		FUSE(eq, eq, ne), FUSE(ne, ne, eq),
		FUSE(lt_s, lt_s, ge_s), FUSE(lt_u, lt_u, ge_u),
		FUSE(gt_s, gt_s, le_s), FUSE(gt_u, gt_u, le_u),
		FUSE(le_s, le_s, gt_s), FUSE(le_u, le_u, gt_u),
		FUSE(ge_s, ge_s, lt_s), FUSE(ge_u, ge_u, lt_u),
		FUSE(eqz, z, nz),
#undef FUSE
	};
	uint32_t d = t->last_dst, at;
	bn_wasm__srcmap *last;

	if (d == NONE_PATCH || t->nmap == 0 || cond < t->fn->local_cells ||
	    t->code[d].u != cond)
		return NONE_PATCH;
	last = &t->map[t->nmap - 1];
	at = last->cell;
	if (at + 1 != d)
		return NONE_PATCH;
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		uint16_t op = nz ? k[i].yes : k[i].no;
		uint32_t n = k[i].cmp == BN_WASM_OP_i32_eqz ? 1 : 2;

		if (last->op != k[i].cmp)
			continue;
		/* [h, dst, a(, b)] becomes [h, a(, b), target] */
		memmove(&t->code[at + 1], &t->code[at + 2],
			n * sizeof(*t->code));
		t->code[at].h = t->h[op];
		last->op = op;
		set_stack(t, t->nmap - 1, cond);
		t->last_dst = NONE_PATCH;
		return at + 1 + n;
	}
	return NONE_PATCH;
}

/* A branch taken when COND is non-zero (NZ) or zero: fused with the
   comparison before it where possible, else br_nz / br_z.  *TARGET gets
   the cell of its target operand. */
static int cond_branch(tr *t, uint32_t cond, bool nz, uint32_t *target)
{
	uint32_t at = fuse_branch(t, cond, nz);
	int e;

	if (at != NONE_PATCH) {
		*target = at;
		return 0;
	}
	e = bn_wasm__tr_emit(t, &at, nz ? BN_WASM_IOP_br_nz : BN_WASM_IOP_br_z,
			     2);
	if (e)
		return e;
	t->code[at + 1].u = cond;
	*target = at + 2;
	return 0;
}

/* Emit the moves carrying label L's values from the stack top. */
static int emit_label_moves(tr *t, const ctrl *l, bool is_return)
{
	const uint8_t *types;
	uint32_t n, cells, src;

	if (is_return) {
		types = t->ftype->types + t->ftype->nparams;
		n = t->ftype->nresults;
	} else {
		label_types(l, &types, &n);
	}
	if (n == 0)
		return 0;
	cells = vec_cells(types, n);
	src = t->vals[t->nvals - n].slot;
	return emit_move(t, is_return ? 0 : l->base_slot, src, cells);
}

/* An unconditional jump to label depth D, values on the stack top. */
static int emit_br(tr *t, uint32_t d)
{
	ctrl *l = &t->ctrls[t->nctrls - 1 - d];
	bool ret = d == t->nctrls - 1;
	uint32_t at;
	int e = emit_label_moves(t, l, ret);

	if (e)
		return e;
	if (ret)
		return bn_wasm__tr_emit(t, &at, BN_WASM_IOP_ret, 0);
	e = bn_wasm__tr_emit(t, &at, BN_WASM_IOP_jmp, 1);
	return e ? e : link_target(t, at + 1, l);
}

static bool needs_moves(const tr *t, uint32_t d)
{
	const ctrl *l = &t->ctrls[t->nctrls - 1 - d];
	const uint8_t *types;
	uint32_t n;

	if (d == t->nctrls - 1)
		return true;
	label_types(l, &types, &n);
	return n && t->vals[t->nvals - n].slot != l->base_slot;
}

static int read_label(tr *t, uint32_t *d)
{
	int e = bn_wasm__read_u32(d, &t->p, t->end);

	if (e)
		return bn_wasm__tr_fail(t, MAL, "unexpected end");
	if (*d >= t->nctrls)
		return bn_wasm__tr_fail(t, INV, "unknown label");
	return 0;
}

static int op_br(tr *t)
{
	uint32_t d;
	const uint8_t *types;
	uint32_t n;
	int e = read_label(t, &d);

	if (e)
		return e;
	label_types(&t->ctrls[t->nctrls - 1 - d], &types, &n);
	e = bn_wasm__tr_flush(t, n);
	if (e)
		return e;
	/* check the values, keeping them on the stack for the moves */
	e = pop_vec(t, types, n);
	if (e)
		return e;
	e = push_vec(t, types, n);
	if (e)
		return e;
	if (bn_wasm__tr_live(t)) {
		e = emit_br(t, d);
		if (e)
			return e;
	}
	set_unreachable(t);
	return 0;
}

static int op_br_if(tr *t)
{
	uint32_t d, cond, at;
	const uint8_t *types;
	uint32_t n;
	int e = read_label(t, &d);

	if (e)
		return e;
	e = bn_wasm__tr_pop_slot(t, BN_WASM_I32, &cond);
	if (e)
		return e;
	label_types(&t->ctrls[t->nctrls - 1 - d], &types, &n);
	e = bn_wasm__tr_flush(t, n);
	if (!e)
		e = pop_vec(t, types, n);
	if (e)
		return e;
	e = push_vec(t, types, n);
	if (e || !bn_wasm__tr_live(t))
		return e;
	if (!needs_moves(t, d)) {
		e = cond_branch(t, cond, true, &at);
		return e ? e : link_target(t, at, &t->ctrls[t->nctrls - 1 - d]);
	}
	e = cond_branch(t, cond, false, &at);
	if (!e)
		e = emit_br(t, d);
	if (e)
		return e;
	t->code[at].u = t->ncode;
	return add_reloc(t, at);
}

static int op_br_table(tr *t)
{
	uint32_t n, idx, at, arity = 0, dflt;
	uint32_t *ls = NULL;
	const uint8_t *types;
	uint32_t nt;
	int e = bn_wasm__read_u32(&n, &t->p, t->end);

	if (e)
		return bn_wasm__tr_fail(t, MAL, "unexpected end");
	if (n > t->end - t->p)
		return bn_wasm__tr_fail(t, MAL, "unexpected end: br_table");
	ls = malloc(((size_t)n + 1) * sizeof(*ls));
	if (!ls)
		return -ENOMEM;
	for (uint32_t i = 0; i <= n && !e; i++)
		e = read_label(t, &ls[i]);
	if (!e)
		e = bn_wasm__tr_pop_slot(t, BN_WASM_I32, &idx);
	if (e)
		goto out;
	dflt = ls[n];
	label_types(&t->ctrls[t->nctrls - 1 - dflt], &types, &arity);
	for (uint32_t i = 0; i < n; i++) {
		label_types(&t->ctrls[t->nctrls - 1 - ls[i]], &types, &nt);
		if (nt != arity) {
			e = bn_wasm__tr_fail(t, INV,
					     "type mismatch: br_table arity");
			goto out;
		}
		e = check_vec(t, types, nt);
		if (e)
			goto out;
	}
	label_types(&t->ctrls[t->nctrls - 1 - dflt], &types, &nt);
	e = check_vec(t, types, nt);
	if (!e)
		e = bn_wasm__tr_flush(t, nt);
	if (e || !bn_wasm__tr_live(t))
		goto out;
	e = bn_wasm__tr_emit(t, &at, BN_WASM_IOP_br_table_i, 2 + n + 1);
	if (e)
		goto out;
	t->code[at + 1].u = idx;
	t->code[at + 2].u = n;
	for (uint32_t i = 0; i <= n; i++) {
		uint32_t cell = at + 3 + i;

		if (!needs_moves(t, ls[i])) {
			e = link_target(t, cell,
					&t->ctrls[t->nctrls - 1 - ls[i]]);
		} else {
			t->code[cell].u = t->ncode;
			e = add_reloc(t, cell);
			if (!e)
				e = emit_br(t, ls[i]);
		}
		if (e)
			goto out;
	}
out:
	free(ls);
	if (!e)
		set_unreachable(t);
	return e;
}

/* ---- blocks ------------------------------------------------------------- */

static int block_type(tr *t, const uint8_t **params, uint32_t *np,
		      const uint8_t **results, uint32_t *nr)
{
	int64_t idx;
	const bn_wasm__type *ty;

	if (1 > t->end - t->p)
		return bn_wasm__tr_fail(t, MAL, "unexpected end");
	*np = 0;
	*params = NULL;
	if (*t->p == 0x40) {
		t->p++;
		*nr = 0;
		*results = NULL;
		return 0;
	}
	if (bn_wasm__is_valtype(*t->p)) {
		*results = &g_types[*t->p];
		*nr = 1;
		t->p++;
		return 0;
	}
	if (bn_wasm__read_s33(&idx, &t->p, t->end))
		return bn_wasm__tr_fail(t, MAL, "malformed block type");
	if (idx < 0 || (uint64_t)idx >= t->m->ntypes)
		return bn_wasm__tr_fail(t, INV, "unknown type");
	ty = &t->m->types[idx];
	*params = ty->types;
	*np = ty->nparams;
	*results = ty->types + ty->nparams;
	*nr = ty->nresults;
	return 0;
}

static int op_block(tr *t, uint8_t kind)
{
	const uint8_t *params, *results = NULL;
	uint32_t np, nr = 0, cond = 0, at;
	int e = block_type(t, &params, &np, &results, &nr);

	if (e)
		return e;
	if (kind == K_IF) {
		e = bn_wasm__tr_pop_slot(t, BN_WASM_I32, &cond);
		if (e)
			return e;
	}
	/* nothing lazy may cross into a block: a local.set inside it would
	   materialize on one path only */
	e = bn_wasm__tr_flush(t, t->nvals);
	if (!e)
		e = pop_vec(t, params, np);
	if (e)
		return e;
	/* re-push happens in push_ctrl, at the same cells */
	e = push_ctrl(t, kind, params, np, results, nr);
	if (e)
		return e;
	if (!bn_wasm__tr_live(t))
		return 0;
	if (kind == K_LOOP) {
		ctrl *c = &t->ctrls[t->nctrls - 1];

		e = bn_wasm__tr_emit(t, &at, BN_WASM_IOP_loop_check, 1);
		if (e)
			return e;
		c->loop_pc = at;
		c->fuel_cell = at + 1;
	} else if (kind == K_IF) {
		e = cond_branch(t, cond, false, &at);
		if (e)
			return e;
		t->ctrls[t->nctrls - 1].else_patch = at;
		e = add_reloc(t, at);
	}
	return e;
}

/* Check the stack against frame C's results at `else` or `end`. */
static int check_results(tr *t, ctrl *c)
{
	int e = bn_wasm__tr_flush(t, t->nvals - c->height);

	if (!e)
		e = pop_vec(t, c->results, c->nresults);

	if (e)
		return e;
	if (t->nvals != c->height)
		return bn_wasm__tr_fail(
			t, INV, "type mismatch: values remain at block end");
	return 0;
}

static int op_else(tr *t)
{
	ctrl *c = &t->ctrls[t->nctrls - 1];
	uint32_t at;
	int e;

	t->last_dst = NONE_PATCH;

	if (c->kind != K_IF)
		return bn_wasm__tr_fail(t, MAL, "else without if");
	e = check_results(t, c);
	if (e)
		return e;
	if (bn_wasm__tr_live(t)) {
		e = bn_wasm__tr_emit(t, &at, BN_WASM_IOP_jmp, 1);
		if (e)
			return e;
		/* the then arm's results, popped above, live on at the end */
		set_stack(t, t->nmap - 1,
			  c->base_slot + vec_cells(c->results, c->nresults));
		e = link_target(t, at + 1, c);
		if (e)
			return e;
	}
	if (c->else_patch != NONE_PATCH) {
		t->code[c->else_patch].u = t->ncode;
		c->else_patch = NONE_PATCH;
	}
	c->kind = K_ELSE;
	c->unreachable = false;
	/* the params are still in their cells: the then arm did not run */
	return push_vec(t, c->params, c->nparams);
}

static int op_end(tr *t, bool *done)
{
	ctrl *c = &t->ctrls[t->nctrls - 1];
	uint32_t at;
	int e;

	t->last_dst = NONE_PATCH; /* the end may be a branch target */

	if (c->kind == K_IF) {
		/* an if without else: the else arm passes params through */
		if (c->nparams != c->nresults || (c->nparams &&
		    memcmp(c->params, c->results, c->nparams) != 0))
			return bn_wasm__tr_fail(
				t, INV, "type mismatch: if without else");
	}
	e = check_results(t, c);
	if (e)
		return e;
	if (c->kind == K_FUNC) {
		if (bn_wasm__tr_live(t)) {
			t->nvals += c->nresults; /* still in place */
			e = emit_label_moves(t, c, true);
			if (!e)
				e = bn_wasm__tr_emit(t, &at, BN_WASM_IOP_ret,
						     0);
			if (e)
				return e;
		}
		t->nctrls--;
		*done = true;
		return 0;
	}
	if (c->else_patch != NONE_PATCH)
		t->code[c->else_patch].u = t->ncode;
	patch_list(t, c->patch, t->ncode);
	t->nctrls--;
	return push_vec(t, c->results, c->nresults);
}

/* ---- everything else ---------------------------------------------------- */

int bn_wasm__tr_read_idx(tr *t, uint32_t *out, uint32_t limit,
			 const char *what)
{
	char msg[64];

	if (bn_wasm__read_u32(out, &t->p, t->end))
		return bn_wasm__tr_fail(t, MAL, "unexpected end");
	if (*out >= limit) {
		snprintf(msg, sizeof(msg), "unknown %s", what);
		return bn_wasm__tr_fail(t, INV, msg);
	}
	return 0;
}

static int op_call(tr *t, bool indirect)
{
	uint32_t idx, table = 0, islot = 0, at, argbase;
	const bn_wasm__type *ty;
	int e;

	if (indirect) {
		e = bn_wasm__tr_read_idx(t, &idx, t->m->ntypes, "type");
		if (!e)
			e = bn_wasm__tr_read_idx(t, &table, t->m->ntables,
						 "table");
		if (e)
			return e;
		if (t->m->tables[table].elem != BN_WASM_FUNCREF)
			return bn_wasm__tr_fail(t, INV,
						"type mismatch: call_indirect "
						"table is not funcref");
		e = bn_wasm__tr_pop_slot(t, BN_WASM_I32, &islot);
		if (e)
			return e;
		ty = &t->m->types[idx];
	} else {
		e = bn_wasm__tr_read_idx(t, &idx, t->m->nfuncs, "function");
		if (e)
			return e;
		ty = &t->m->types[t->m->func_type[idx]];
	}
	e = bn_wasm__tr_flush(t, ty->nparams);
	if (!e)
		e = pop_vec(t, ty->types, ty->nparams);
	if (e)
		return e;
	argbase = next_slot(t);
	e = push_vec(t, ty->types + ty->nparams, ty->nresults);
	if (e || !bn_wasm__tr_live(t))
		return e;
	/* the callee's frame starts at argbase: keep room for it */
	if (argbase + ty->param_cells > t->max_slot)
		t->max_slot = argbase + ty->param_cells;
	if (indirect) {
		e = bn_wasm__tr_emit(t, &at, BN_WASM_IOP_call_ind, 4);
		if (e)
			return e;
		t->code[at + 1].u = idx;
		t->code[at + 2].u = table;
		t->code[at + 3].u = argbase;
		t->code[at + 4].u = islot;
		return 0;
	}
	return bn_wasm__tr_emit2(t, BN_WASM_IOP_call_func, idx, argbase);
}

static int op_local(tr *t, uint8_t op)
{
	uint32_t idx, n = t->ftype->nparams + t->fn->nlocals, ls;
	uint8_t ty;
	val v;
	int e = bn_wasm__tr_read_idx(t, &idx, n, "local");

	if (e)
		return e;
	ty = t->fn->local_types[idx];
	ls = t->fn->local_cell[idx];
	if (op == 0x20) {
		/* lazy: consumers read the local's cell directly */
		e = bn_wasm__tr_push(t, ty, NULL);
		if (!e)
			t->vals[t->nvals - 1].slot = ls;
		return e;
	}
	e = bn_wasm__tr_pop(t, ty, &v);
	if (!e)
		e = flush_local(t, ls);
	if (!e && bn_wasm__tr_live(t)) {
		uint32_t d = t->last_dst;

		/* the value was just computed into its home: compute it
		   into the local instead */
		if (d != NONE_PATCH && v.slot == v.home &&
		    t->code[d].u == v.home)
			t->code[d].u = ls;
		else
			e = emit_move(t, ls, v.slot, bn_wasm__cells(ty));
		t->last_dst = NONE_PATCH;
	}
	if (e || op != 0x22)
		return e;
	e = bn_wasm__tr_push(t, ty, NULL);
	if (!e)
		t->vals[t->nvals - 1].slot = ls;
	return e;
}

static int op_global(tr *t, uint8_t op)
{
	uint32_t idx, slot;
	const bn_wasm__globaltype *g;
	bool wide;
	int e = bn_wasm__tr_read_idx(t, &idx, t->m->nglobals, "global");

	if (e)
		return e;
	g = &t->m->globals[idx];
	wide = g->type == BN_WASM_V128;
	if (op == 0x23) {
		e = bn_wasm__tr_push(t, g->type, &slot);
		if (e || !bn_wasm__tr_live(t))
			return e;
		return bn_wasm__tr_emit2(
			t, wide ? BN_WASM_IOP_gget2 : BN_WASM_IOP_gget, slot,
			idx);
	}
	if (!g->mut)
		return bn_wasm__tr_fail(t, INV, "global is immutable");
	e = bn_wasm__tr_pop_slot(t, g->type, &slot);
	if (e || !bn_wasm__tr_live(t))
		return e;
	return bn_wasm__tr_emit2(
		t, wide ? BN_WASM_IOP_gset2 : BN_WASM_IOP_gset, idx, slot);
}

static int op_select(tr *t, bool typed)
{
	uint32_t c, n;
	val a, b;
	uint8_t ty = 0;
	int e;

	if (typed) {
		e = bn_wasm__read_u32(&n, &t->p, t->end);
		if (e)
			return bn_wasm__tr_fail(t, MAL, "unexpected end");
		if (n != 1)
			return bn_wasm__tr_fail(t, INV,
						"invalid result arity");
		e = bn_wasm__tr_type(t, &ty, false);
		if (e)
			return e;
	}
	e = bn_wasm__tr_pop_slot(t, BN_WASM_I32, &c);
	if (!e)
		e = bn_wasm__tr_pop(t, ty, &b);
	if (!e)
		e = bn_wasm__tr_pop(t, ty, &a);
	if (e)
		return e;
	if (!typed) {
		if (a.type == UNKNOWN)
			a.type = b.type;
		if (b.type == UNKNOWN)
			b.type = a.type;
		if (bn_wasm__is_reftype(a.type) || bn_wasm__is_reftype(b.type))
			return bn_wasm__tr_fail(
				t, INV,
				"type mismatch: select needs a "
				"type for references");
		if (a.type != b.type)
			return bn_wasm__tr_fail(
				t, INV, "type mismatch: select operands");
		ty = a.type;
	}
	e = bn_wasm__tr_push(t, ty, NULL);
	if (e || !bn_wasm__tr_live(t))
		return e;
	e = bn_wasm__tr_emit(t, &n, ty == BN_WASM_V128 ? BN_WASM_IOP_sel2
					   : BN_WASM_IOP_sel, 4);
	if (e)
		return e;
	t->code[n + 1].u = a.home;
	t->code[n + 2].u = a.slot;
	t->code[n + 3].u = b.slot;
	t->code[n + 4].u = c;
	return 0;
}

static int instr(tr *t, bool *done)
{
	uint8_t b = *t->p++;
	uint32_t at;
	int e;

	if (bn_wasm__tr_live(t))
		t->code[t->ctrls[t->nctrls - 1].fuel_cell].u++;
	switch (b) {
	case 0x00:
		if (bn_wasm__tr_live(t)) {
			e = bn_wasm__tr_emit(t, &at,
					     BN_WASM_IOP_trap_unreachable, 0);
			if (e)
				return e;
		}
		set_unreachable(t);
		return 0;
	case 0x01: return 0;
	case 0x02: return op_block(t, K_BLOCK);
	case 0x03: return op_block(t, K_LOOP);
	case 0x04: return op_block(t, K_IF);
	case 0x05: return op_else(t);
	case 0x0b: return op_end(t, done);
	case 0x0c: return op_br(t);
	case 0x0d: return op_br_if(t);
	case 0x0e: return op_br_table(t);
	case 0x0f: {
		ctrl *f = &t->ctrls[0];

		e = bn_wasm__tr_flush(t, f->nresults);
		if (!e)
			e = pop_vec(t, f->results, f->nresults);
		if (!e)
			e = push_vec(t, f->results, f->nresults);
		if (!e && bn_wasm__tr_live(t))
			e = emit_br(t, t->nctrls - 1);
		if (!e)
			set_unreachable(t);
		return e;
	}
	case 0x10: return op_call(t, false);
	case 0x11: return op_call(t, true);
	case 0x1a: return bn_wasm__tr_pop(t, 0, NULL);
	case 0x1b: return op_select(t, false);
	case 0x1c: return op_select(t, true);
	case 0x20: case 0x21: case 0x22: return op_local(t, b);
	case 0x23: case 0x24: return op_global(t, b);
	default: return bn_wasm__tr_data(t, b);
	}
}

static int read_locals(tr *t)
{
	bn_wasm__code *fn = t->fn;
	const bn_wasm__type *ty = t->ftype;
	uint32_t ngroups, n, cell = 0;
	uint64_t total = 0;
	const uint8_t *save;
	uint8_t vt;
	int e;

	if (bn_wasm__read_u32(&ngroups, &t->p, t->end))
		return bn_wasm__tr_fail(t, MAL, "unexpected end");
	save = t->p;
	for (uint32_t g = 0; g < ngroups; g++) {
		if (bn_wasm__read_u32(&n, &t->p, t->end))
			return bn_wasm__tr_fail(t, MAL, "unexpected end");
		if ((e = bn_wasm__tr_byte(t, &vt)))
			return e;
		total += n;
		if (total > UINT32_MAX)
			return bn_wasm__tr_fail(t, MAL, "too many locals");
	}
	if (total + ty->nparams > BN_WASM_MAX_LOCAL_CELLS)
		return bn_wasm__tr_fail(t, INV,
					"too many locals for this engine");
	fn->nlocals = (uint32_t)total;
	n = ty->nparams + fn->nlocals;
	fn->local_types = malloc(n ? n : 1);
	fn->local_cell = malloc((n ? n : 1) * sizeof(uint32_t));
	if (!fn->local_types || !fn->local_cell)
		return -ENOMEM;
	memcpy(fn->local_types, ty->types, ty->nparams);
	t->p = save;
	n = ty->nparams;
	for (uint32_t g = 0; g < ngroups; g++) {
		uint32_t k;

		(void)bn_wasm__read_u32(&k, &t->p, t->end);
		if ((e = bn_wasm__tr_type(t, &vt, false)))
			return e;
		memset(fn->local_types + n, vt, k);
		n += k;
	}
	for (uint32_t i = 0; i < n; i++) {
		fn->local_cell[i] = cell;
		cell += bn_wasm__cells(fn->local_types[i]);
		if (i + 1 == ty->nparams)
			fn->param_cells = cell;
	}
	fn->local_cells = cell;
	return 0;
}

/* The interpreter's handler of kind K for OP, or NULL. */
static const void *super_handler(const tr *t, enum bn_wasm__hkind k,
				 uint32_t op)
{
	return t->h[(size_t)k * BN_WASM_OP_MAX + op];
}

/* Whether map entry I is a branch to a loop header (its loop_check):
   its target operand is the last one, and still a cell index here. */
static bool branches_to_loop(const tr *t, uint32_t i)
{
	uint32_t op = t->map[i].op, at = t->map[i].cell, n;

	if (op == BN_WASM_IOP_jmp)
		n = 1;
	else if (op == BN_WASM_IOP_br_nz || op == BN_WASM_IOP_br_z)
		n = 2;
	else if (op >= BN_WASM_IOP_br_eq && op <= BN_WASM_IOP_br_ge_u)
		n = 3;
	else
		return false;
	return t->code[at + n].u < t->ncode &&
	       t->code[t->code[at + n].u].h == t->h[BN_WASM_IOP_loop_check];
}

/* The kind of super-instruction OP starts as a prefix of 4 cells. */
static enum bn_wasm__hkind prefix_kind(uint32_t op)
{
	switch (op) {
	case BN_WASM_OP_i32_add:
		return BN_WASM__H_ADD;
	case BN_WASM_OP_i32_load:
	case BN_WASM_OP_f32_load:
		return BN_WASM__H_LOAD32;
	case BN_WASM_OP_i64_load:
	case BN_WASM_OP_f64_load:
		return BN_WASM__H_LOAD64;
	default:
		return BN_WASM__H_PLAIN;
	}
}

/* Whether map entry I is a scalar load or store that takes its address
   from cell DST (then an i32.add in front of it passes the address in
   acc). */
static bool addresses(const tr *t, uint32_t i, uint64_t dst)
{
	uint32_t op = t->map[i].op, at = t->map[i].cell;
	bool store = op >= BN_WASM_OP_i32_store && op <= BN_WASM_OP_i64_store32;

	if (!store && (op < BN_WASM_OP_i32_load ||
		       op > BN_WASM_OP_i64_load32_u))
		return false;
	return t->code[at + (store ? 1 : 2)].u == dst;
}

/* Whether OP's handler leaves its result (cell 1) in the interpreter's
   acc: the scalar numeric operators, the loads and const64. */
static bool sets_acc(uint32_t op)
{
	return (op >= BN_WASM_OP_i32_eqz && op <= BN_WASM_OP_i64_extend32_s) ||
	       (op >= BN_WASM_OP_i32_load && op <= BN_WASM_OP_i64_load32_u) ||
	       op == BN_WASM_IOP_const64;
}

/* Whether OP leaves its result in the interpreter's facc (an f64 in a
   floating-point register) instead of acc: f64 arithmetic and f64.load. */
static bool sets_facc(uint32_t op)
{
	return op == BN_WASM_OP_f64_load ||
	       (op >= BN_WASM_OP_f64_add && op <= BN_WASM_OP_f64_div);
}

/* The inputs of OP that an acc variant may take, as cell offsets in its
   instruction: *IN1, and *IN2 (0 for none); false if OP has no variant. */
static bool acc_inputs(uint32_t op, uint32_t *in1, uint32_t *in2)
{
	*in1 = 2;
	*in2 = 0;
	if ((op >= BN_WASM_OP_i32_store && op <= BN_WASM_OP_i64_store32) ||
	    (op >= BN_WASM_IOP_br_eq && op <= BN_WASM_IOP_br_ge_u)) {
		*in1 = 1;
		*in2 = 2;
	} else if (op == BN_WASM_IOP_br_nz || op == BN_WASM_IOP_br_z ||
		   op == BN_WASM_IOP_br_table_i) {
		*in1 = 1;
	} else if ((op >= BN_WASM_OP_i32_load &&
		    op <= BN_WASM_OP_i64_load32_u) ||
		   op == BN_WASM_OP_i32_eqz || op == BN_WASM_OP_i64_eqz ||
		   (op >= BN_WASM_OP_i32_clz && op <= BN_WASM_OP_i32_popcnt) ||
		   (op >= BN_WASM_OP_i64_clz && op <= BN_WASM_OP_i64_popcnt) ||
		   (op >= BN_WASM_OP_f32_abs && op <= BN_WASM_OP_f32_sqrt) ||
		   (op >= BN_WASM_OP_f64_abs && op <= BN_WASM_OP_f64_sqrt) ||
		   (op >= BN_WASM_OP_i32_wrap_i64 &&
		    op <= BN_WASM_OP_i64_extend32_s)) {
		/* one input, cell 2 (cell 3 is the next instruction's) */
	} else if (op >= BN_WASM_OP_i32_eqz && op <= BN_WASM_OP_f64_copysign) {
		*in2 = 3;
	} else {
		return false;
	}
	return true;
}

/* Which input of map entry I, which is no branch target, is the cell
   entry I - 1 just wrote (and left in acc or facc): BN_WASM__H_ACC1/2,
   BN_WASM__H_PLAIN if none.  A const64 at I (which leaves acc alone)
   followed by an operator of two inputs whose first is that cell, not
   the const64's, gives BN_WASM__H_CONST_ACC1. */
static enum bn_wasm__hkind acc_input(const tr *t, uint32_t i)
{
	const bn_wasm__srcmap *m = t->map;
	uint32_t op = m[i].op, at = m[i].cell, in1, in2;
	uint64_t dst;

	if (i == 0 || !sets_acc(m[i - 1].op))
		return BN_WASM__H_PLAIN;
	dst = t->code[m[i - 1].cell + 1].u;
	if (op == BN_WASM_IOP_const64) {
		uint32_t next = m[i].cell + 3;

		if (i + 1 < t->nmap && m[i + 1].cell == next &&
		    acc_inputs(m[i + 1].op, &in1, &in2) && in2 &&
		    t->code[at + 1].u != dst && t->code[next + in1].u == dst)
			return BN_WASM__H_CONST_ACC1;
		return BN_WASM__H_PLAIN;
	}
	if (!acc_inputs(op, &in1, &in2))
		return BN_WASM__H_PLAIN;
	if (t->code[at + in1].u == dst)
		return BN_WASM__H_ACC1;
	if (in2 && t->code[at + in2].u == dst)
		return BN_WASM__H_ACC2;
	return BN_WASM__H_PLAIN;
}

/* The acc kind for map entry I (acc_input), where the register its
   variant reads is the one entry I - 1 wrote: facc for an f64 input of
   f64 arithmetic or f64.store's value, acc for every other input. */
static enum bn_wasm__hkind acc_kind(const tr *t, uint32_t i)
{
	enum bn_wasm__hkind k = acc_input(t, i);
	uint32_t op = t->map[i].op;
	bool f64_in;

	if (k == BN_WASM__H_PLAIN)
		return k;
	if (k == BN_WASM__H_CONST_ACC1)
		op = t->map[i + 1].op;
	f64_in = (op >= BN_WASM_OP_f64_add && op <= BN_WASM_OP_f64_div) ||
		 (op == BN_WASM_OP_f64_store && k == BN_WASM__H_ACC2);
	return f64_in == sets_facc(t->map[i - 1].op) ? k : BN_WASM__H_PLAIN;
}

/* Super-instructions (enum bn_wasm__hkind): give the first instruction
   of each group the handler that runs the group.  Only handlers change,
   so the compiler, which reads the source map's ops, sees the same code;
   runs before the branch targets become pointers (TARGET marks the cells
   a branch goes to; NULL when it could not be made). */
static void fuse_groups(tr *t, const bool *target)
{
	const bn_wasm__srcmap *m = t->map;

	for (uint32_t i = 0; i < t->nmap; i++) {
		uint32_t at = m[i].cell;
		bool loop = branches_to_loop(t, i);
		const void *h = NULL;

		if (loop)
			h = super_handler(t, BN_WASM__H_LOOP, m[i].op);
		else if (prefix_kind(m[i].op) != BN_WASM__H_PLAIN &&
			 i + 1 < t->nmap && m[i + 1].cell == at + 4 &&
			 (m[i].op != BN_WASM_OP_i32_add ||
			  addresses(t, i + 1, t->code[at + 1].u)))
			h = super_handler(t, prefix_kind(m[i].op),
					  m[i + 1].op);
		if (m[i].op == BN_WASM_IOP_const64 && i + 1 < t->nmap &&
		    m[i + 1].cell == at + 3) {
			if (branches_to_loop(t, i + 1))
				h = super_handler(t, BN_WASM__H_CONST_LOOP,
						  m[i + 1].op);
			else if (m[i + 1].op == BN_WASM_OP_i32_add &&
				 i + 2 < t->nmap && m[i + 2].cell == at + 7 &&
				 addresses(t, i + 2, t->code[at + 4].u))
				h = super_handler(t, BN_WASM__H_CONST_ADD,
						  m[i + 2].op);
			if (!h)
				h = super_handler(t, BN_WASM__H_CONST,
						  m[i + 1].op);
		}
		/* an acc variant where no group starts here, or in place
		   of a plain const64 pair */
		if (target && !target[at] &&
		    (!h || (m[i].op == BN_WASM_IOP_const64 &&
			    h == super_handler(t, BN_WASM__H_CONST,
					       m[i + 1].op)))) {
			enum bn_wasm__hkind k = acc_kind(t, i);
			const void *ha = NULL;

			if (k == BN_WASM__H_CONST_ACC1)
				ha = super_handler(t, k, m[i + 1].op);
			else if (k != BN_WASM__H_PLAIN && !h)
				ha = super_handler(t, k, m[i].op);
			if (ha)
				h = ha;
		}
		if (h)
			t->code[at].h = h;
	}
	/* a copy in front of an instruction no group took */
	for (uint32_t i = 0; i + 1 < t->nmap; i++) {
		uint32_t at = m[i].cell, next = m[i + 1].cell;
		const void *h;

		if (m[i].op != BN_WASM_IOP_copy || next != at + 3 ||
		    t->code[at].h != t->h[BN_WASM_IOP_copy] ||
		    t->code[next].h != t->h[m[i + 1].op])
			continue;
		h = super_handler(t, BN_WASM__H_COPY, m[i + 1].op);
		if (h)
			t->code[at].h = h;
	}
}

static int finish(tr *t)
{
	bn_wasm__code *fn = t->fn;
	/* the cells branches go to (without it, no acc variants) */
	bool *target = calloc(t->ncode ? t->ncode : 1, sizeof(*target));

	for (uint32_t i = 0; target && i < t->nrelocs; i++) {
		uint64_t c = t->code[t->relocs[i]].u;

		if (c < t->ncode)
			target[c] = true;
	}
	fuse_groups(t, target);
	free(target);

	for (uint32_t i = 0; i < t->nrelocs; i++) {
		uint32_t c = t->relocs[i];

		t->code[c].pc = t->code + t->code[c].u;
	}
	fn->code = t->code;
	fn->ncells = t->ncode;
	fn->map = t->map;
	fn->nmap = t->nmap;
	fn->frame_cells = t->max_slot > fn->local_cells ? t->max_slot
							 : fn->local_cells;
	t->code = NULL;
	t->map = NULL;
	return 0;
}

int bn_wasm__translate(bn_wasm_module *m, uint32_t ci, bn_wasm_err *err)
{
	bn_wasm__code *fn = &m->codes[ci];
	uint32_t fidx = m->nfunc_imports + ci;
	const bn_wasm__type *ty = &m->types[m->func_type[fidx]];
	tr t = {
		.m = m, .fn = fn, .ftype = ty, .err = err, .fidx = fidx,
		.p = fn->body, .end = fn->body + fn->body_len, .ins = fn->body,
		.last_dst = NONE_PATCH,
	};
	bool done = false;
	uint32_t at;
	int e;

	t.h = bn_wasm__handlers();
	e = read_locals(&t);
	if (e)
		goto out;
	e = push_ctrl(&t, K_FUNC, NULL, 0, ty->types + ty->nparams,
		      ty->nresults);
	if (e)
		goto out;
	t.ctrls[0].base_slot = fn->local_cells;
	e = bn_wasm__tr_emit(&t, &at, BN_WASM_IOP_fuel, 1);
	if (e)
		goto out;
	t.ctrls[0].fuel_cell = at + 1;
	t.max_slot = fn->local_cells;
	while (!done) {
		if (t.p >= t.end) {
			e = bn_wasm__tr_fail(&t, MAL,
					     "unexpected end of section or "
					     "function");
			goto out;
		}
		t.ins = t.p;
		e = instr(&t, &done);
		if (e)
			goto out;
	}
	if (t.p != t.end) {
		e = bn_wasm__tr_fail(
			&t, MAL, "section size mismatch: END opcode expected");
		goto out;
	}
	e = finish(&t);
out:
	free(t.vals);
	free(t.ctrls);
	free(t.code);
	free(t.relocs);
	free(t.map);
	return e;
}

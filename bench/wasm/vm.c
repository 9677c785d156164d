/* SPDX-License-Identifier: MIT */
/*
 * bench/wasm/vm.c - an interpreter inside the interpreter: a small stack
 * machine with a switch dispatch loop, fed bytecode made by a tiny
 * assembler (labels, forward jumps).  The guest programs count primes by
 * trial division, compute Fibonacci numbers recursively, sum Collatz
 * path lengths and run a bytecode hash loop; the host prints their
 * results and the number of bytecodes executed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* run.sh builds with -DBENCH_SCALE=N to make the run N times longer */
#ifndef BENCH_SCALE
#define BENCH_SCALE 1
#endif

enum op {
	OP_HALT, OP_PUSH, OP_LOAD, OP_STORE, OP_INC, OP_DUP, OP_DROP,
	OP_SWAP, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_AND, OP_XOR,
	OP_SHL, OP_SHR, OP_LT, OP_LE, OP_EQ, OP_NOT, OP_JMP, OP_JZ, OP_JNZ,
	OP_CALL, OP_RET, OP_EMIT,
};

enum { CODE_MAX = 4096, LABELS = 64, STACK = 1024, FRAMES = 256,
       SLOTS = 8 };

/* ---- assembler -------------------------------------------------------- */

static uint8_t code[CODE_MAX];
static int ncode;
static int label_at[LABELS];
static struct { int at, label; } fixup[256];
static int nfixup;

static void emit8(int b)
{
	code[ncode++] = (uint8_t)b;
}

static void emit32(int32_t v)
{
	uint32_t u = (uint32_t)v;
	for (int i = 0; i < 4; i++)
		emit8((int)(u >> (8 * i) & 0xff));
}

static void op(enum op o)
{
	emit8(o);
}

static void op_i(enum op o, int32_t imm)
{
	emit8(o);
	emit32(imm);
}

static void op_slot(enum op o, int slot)
{
	emit8(o);
	emit8(slot);
}

/* A jump or call to LABEL, patched by resolve_labels(). */
static void op_to(enum op o, int label)
{
	emit8(o);
	fixup[nfixup].at = ncode;
	fixup[nfixup++].label = label;
	emit32(0);
}

static void here(int label)
{
	label_at[label] = ncode;
}

static void resolve_labels(void)
{
	for (int i = 0; i < nfixup; i++) {
		int32_t to = label_at[fixup[i].label];
		for (int b = 0; b < 4; b++)
			code[fixup[i].at + b] = (uint8_t)((uint32_t)to >>
							  (8 * b));
	}
}

/* ---- machine ---------------------------------------------------------- */

struct frame {
	int ret;
	int32_t slot[SLOTS];
};

static int32_t stack[STACK];
static struct frame frames[FRAMES];
static uint32_t emitted;
static uint64_t steps;

static int32_t imm32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
			 (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

/* Run from PC with ARG in slot 0 of the first frame; return the top of
   the stack at OP_HALT. */
static int32_t run(int pc, int32_t arg)
{
	int sp = 0, fp = 0;
	uint64_t n = 0;
	memset(&frames[0], 0, sizeof frames[0]);
	frames[0].slot[0] = arg;
	for (;;) {
		int32_t a, b;
		n++;
		switch ((enum op)code[pc++]) {
		case OP_HALT:
			steps += n;
			return sp ? stack[sp - 1] : 0;
		case OP_PUSH:
			stack[sp++] = imm32(code + pc);
			pc += 4;
			break;
		case OP_LOAD:
			stack[sp++] = frames[fp].slot[code[pc++]];
			break;
		case OP_STORE:
			frames[fp].slot[code[pc++]] = stack[--sp];
			break;
		case OP_INC:
			frames[fp].slot[code[pc++]]++;
			break;
		case OP_DUP:
			stack[sp] = stack[sp - 1];
			sp++;
			break;
		case OP_DROP:
			sp--;
			break;
		case OP_SWAP:
			a = stack[sp - 1];
			stack[sp - 1] = stack[sp - 2];
			stack[sp - 2] = a;
			break;
#define BINARY(name, expr)                  \
		case name:                  \
			b = stack[--sp];    \
			a = stack[sp - 1];  \
			stack[sp - 1] = (expr); \
			break;
		BINARY(OP_ADD, (int32_t)((uint32_t)a + (uint32_t)b))
		BINARY(OP_SUB, (int32_t)((uint32_t)a - (uint32_t)b))
		BINARY(OP_MUL, (int32_t)((uint32_t)a * (uint32_t)b))
		BINARY(OP_DIV, b ? a / b : 0)
		BINARY(OP_MOD, b ? a % b : 0)
		BINARY(OP_AND, a & b)
		BINARY(OP_XOR, a ^ b)
		BINARY(OP_SHL, (int32_t)((uint32_t)a << (b & 31)))
		BINARY(OP_SHR, (int32_t)((uint32_t)a >> (b & 31)))
		BINARY(OP_LT, a < b)
		BINARY(OP_LE, a <= b)
		BINARY(OP_EQ, a == b)
#undef BINARY
		case OP_NOT:
			stack[sp - 1] = !stack[sp - 1];
			break;
		case OP_JMP:
			pc = imm32(code + pc);
			break;
		case OP_JZ:
			pc = stack[--sp] ? pc + 4 : imm32(code + pc);
			break;
		case OP_JNZ:
			pc = stack[--sp] ? imm32(code + pc) : pc + 4;
			break;
		case OP_CALL:
			/* one argument, passed in slot 0 of the new frame */
			if (fp + 1 >= FRAMES) {
				fprintf(stderr, "vm: call stack overflow\n");
				exit(1);
			}
			fp++;
			frames[fp].ret = pc + 4;
			frames[fp].slot[0] = stack[--sp];
			pc = imm32(code + pc);
			break;
		case OP_RET:
			pc = frames[fp--].ret;
			break;
		case OP_EMIT:
			emitted = emitted * 16777619u ^ (uint32_t)stack[--sp];
			break;
		default:
			fprintf(stderr, "vm: bad opcode at %d\n", pc - 1);
			exit(1);
		}
	}
}

/* ---- guest programs --------------------------------------------------- */

enum { L_PRIMES, L_P_OUTER, L_P_INNER, L_P_NEXT, L_P_COMPOSITE, L_P_DONE,
       L_FIB, L_FIB_BASE, L_FIB_MAIN, L_COLLATZ, L_C_OUTER, L_C_INNER,
       L_C_ODD, L_C_STEP, L_C_DONE, L_C_END, L_HASH, L_H_LOOP, L_H_DONE };

/* primes(n): slot0 n, slot1 candidate, slot2 divisor, slot3 count */
static void asm_primes(void)
{
	here(L_PRIMES);
	op_i(OP_PUSH, 0);
	op_slot(OP_STORE, 3);
	op_i(OP_PUSH, 2);
	op_slot(OP_STORE, 1);
	here(L_P_OUTER);
	op_slot(OP_LOAD, 1);
	op_slot(OP_LOAD, 0);
	op(OP_LT);
	op_to(OP_JZ, L_P_DONE);
	op_i(OP_PUSH, 2);
	op_slot(OP_STORE, 2);
	here(L_P_INNER);
	op_slot(OP_LOAD, 2);
	op(OP_DUP);
	op(OP_MUL);
	op_slot(OP_LOAD, 1);
	op(OP_LE);
	op_to(OP_JZ, L_P_NEXT);
	op_slot(OP_LOAD, 1);
	op_slot(OP_LOAD, 2);
	op(OP_MOD);
	op_to(OP_JZ, L_P_COMPOSITE);
	op_slot(OP_INC, 2);
	op_to(OP_JMP, L_P_INNER);
	here(L_P_NEXT);
	op_slot(OP_INC, 3);
	op_slot(OP_LOAD, 1);
	op(OP_EMIT);
	here(L_P_COMPOSITE);
	op_slot(OP_INC, 1);
	op_to(OP_JMP, L_P_OUTER);
	here(L_P_DONE);
	op_slot(OP_LOAD, 3);
	op(OP_HALT);
}

/* fib(n) = n < 2 ? n : fib(n-1) + fib(n-2), by OP_CALL */
static void asm_fib(void)
{
	here(L_FIB_MAIN);
	op_slot(OP_LOAD, 0);
	op_to(OP_CALL, L_FIB);
	op(OP_HALT);
	here(L_FIB);
	op_slot(OP_LOAD, 0);
	op_i(OP_PUSH, 2);
	op(OP_LT);
	op_to(OP_JNZ, L_FIB_BASE);
	op_slot(OP_LOAD, 0);
	op_i(OP_PUSH, 1);
	op(OP_SUB);
	op_to(OP_CALL, L_FIB);
	op_slot(OP_LOAD, 0);
	op_i(OP_PUSH, 2);
	op(OP_SUB);
	op_to(OP_CALL, L_FIB);
	op(OP_ADD);
	op(OP_RET);
	here(L_FIB_BASE);
	op_slot(OP_LOAD, 0);
	op(OP_RET);
}

/* collatz(n): total steps to reach 1 from every start in [1, n);
   slot0 n, slot1 start, slot2 x, slot3 total */
static void asm_collatz(void)
{
	here(L_COLLATZ);
	op_i(OP_PUSH, 0);
	op_slot(OP_STORE, 3);
	op_i(OP_PUSH, 1);
	op_slot(OP_STORE, 1);
	here(L_C_OUTER);
	op_slot(OP_LOAD, 1);
	op_slot(OP_LOAD, 0);
	op(OP_LT);
	op_to(OP_JZ, L_C_END);
	op_slot(OP_LOAD, 1);
	op_slot(OP_STORE, 2);
	here(L_C_INNER);
	op_slot(OP_LOAD, 2);
	op_i(OP_PUSH, 1);
	op(OP_EQ);
	op_to(OP_JNZ, L_C_DONE);
	op_slot(OP_LOAD, 2);
	op_i(OP_PUSH, 1);
	op(OP_AND);
	op_to(OP_JNZ, L_C_ODD);
	op_slot(OP_LOAD, 2);
	op_i(OP_PUSH, 1);
	op(OP_SHR);
	op_slot(OP_STORE, 2);
	op_to(OP_JMP, L_C_STEP);
	here(L_C_ODD);
	op_slot(OP_LOAD, 2);
	op_i(OP_PUSH, 3);
	op(OP_MUL);
	op_i(OP_PUSH, 1);
	op(OP_ADD);
	op_slot(OP_STORE, 2);
	here(L_C_STEP);
	op_slot(OP_INC, 3);
	op_to(OP_JMP, L_C_INNER);
	here(L_C_DONE);
	op_slot(OP_INC, 1);
	op_to(OP_JMP, L_C_OUTER);
	here(L_C_END);
	op_slot(OP_LOAD, 3);
	op(OP_HALT);
}

/* hash(n): h = (h ^ i) * 16777619 rotated, for i in [0, n) */
static void asm_hash(void)
{
	here(L_HASH);
	op_i(OP_PUSH, (int32_t)2166136261u);
	op_slot(OP_STORE, 2);
	op_i(OP_PUSH, 0);
	op_slot(OP_STORE, 1);
	here(L_H_LOOP);
	op_slot(OP_LOAD, 1);
	op_slot(OP_LOAD, 0);
	op(OP_LT);
	op_to(OP_JZ, L_H_DONE);
	op_slot(OP_LOAD, 2);
	op_slot(OP_LOAD, 1);
	op(OP_XOR);
	op_i(OP_PUSH, 16777619);
	op(OP_MUL);
	op(OP_DUP);
	op_i(OP_PUSH, 13);
	op(OP_SHL);
	op(OP_SWAP);
	op_i(OP_PUSH, 19);
	op(OP_SHR);
	op(OP_XOR);
	op_slot(OP_STORE, 2);
	op_slot(OP_INC, 1);
	op_to(OP_JMP, L_H_LOOP);
	here(L_H_DONE);
	op_slot(OP_LOAD, 2);
	op(OP_HALT);
}

int main(void)
{
	asm_primes();
	asm_fib();
	asm_collatz();
	asm_hash();
	resolve_labels();
	int32_t primes = 0, fib = 0, collatz = 0, hash = 0;
	for (int r = 0; r < BENCH_SCALE; r++) {
		primes = run(label_at[L_PRIMES], 50000);
		fib = run(label_at[L_FIB_MAIN], 24);
		collatz = run(label_at[L_COLLATZ], 25000);
		hash = run(label_at[L_HASH], 1000000);
	}
	printf("code=%d primes=%d fib=%d collatz=%d hash=%08x emit=%08x "
	       "steps=%llu\n", ncode, primes, fib, collatz, (uint32_t)hash,
	       emitted, (unsigned long long)steps);
	return 0;
}

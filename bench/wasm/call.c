/* SPDX-License-Identifier: MIT */
/* bench/wasm/call.c - calls: naive recursion and indirect calls through
 * a table of function pointers. */
#include <stdint.h>
#include <stdio.h>

__attribute__((noinline)) static uint32_t fib(uint32_t n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

__attribute__((noinline)) static uint32_t op_add(uint32_t a, uint32_t b)
{
	return a + b;
}

__attribute__((noinline)) static uint32_t op_xor(uint32_t a, uint32_t b)
{
	return a ^ (b << 1);
}

__attribute__((noinline)) static uint32_t op_mul(uint32_t a, uint32_t b)
{
	return a * (b | 1);
}

__attribute__((noinline)) static uint32_t op_rot(uint32_t a, uint32_t b)
{
	return (a << 5 | a >> 27) + b;
}

int main(void)
{
	uint32_t (*volatile ops[4])(uint32_t, uint32_t) = { op_add, op_xor,
							    op_mul, op_rot };
	uint32_t acc = 1;
	for (uint32_t i = 0; i < 10000000; i++)
		acc = ops[i & 3](acc, i);
	printf("fib(30)=%u acc=%u\n", fib(30), acc);
	return 0;
}

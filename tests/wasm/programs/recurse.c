/* SPDX-License-Identifier: MIT */
/* recurse.c - deep recursion (10000 frames, some with stack arrays),
 * mutual recursion and Ackermann. */
#include <stdio.h>
#include <string.h>

__attribute__((noinline)) static long depth_sum(int n)
{
	if (n == 0)
		return 0;
	return n + depth_sum(n - 1);
}

/* A frame on the shadow stack too: the array's address escapes. */
__attribute__((noinline)) static unsigned frame_walk(int n, unsigned acc)
{
	volatile char buf[32];
	memset((char *)buf, n & 0x7f, sizeof buf);
	if (n == 0)
		return acc;
	return frame_walk(n - 1, acc * 31 + (unsigned)buf[n % 32]) + buf[0];
}

static int is_odd(unsigned n);

__attribute__((noinline)) static int is_even(unsigned n)
{
	return n == 0 ? 1 : is_odd(n - 1);
}

__attribute__((noinline)) static int is_odd(unsigned n)
{
	return n == 0 ? 0 : is_even(n - 1);
}

static unsigned ack(unsigned m, unsigned n)
{
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ack(m - 1, 1);
	return ack(m - 1, ack(m, n - 1));
}

static unsigned long fib(unsigned n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(void)
{
	printf("depth_sum(10000)=%ld\n", depth_sum(10000));
	printf("frame_walk(10000)=%u\n", frame_walk(10000, 1));
	printf("is_even(9001)=%d is_odd(9001)=%d\n", is_even(9001),
	       is_odd(9001));
	printf("ack(2,300)=%u ack(3,6)=%u\n", ack(2, 300), ack(3, 6));
	printf("fib(27)=%lu\n", fib(27));
	return 0;
}

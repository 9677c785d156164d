/* SPDX-License-Identifier: MIT */
/*
 * tests/failalloc.h - a failing allocator for the tests that prove a
 * module survives running out of memory (STYLE.md: allocation failure is
 * tested).
 *
 * A test binary that includes this header (once) is linked with
 *   -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc
 *   -Wl,--wrap=strdup
 * so every call to those functions from its own objects and from the
 * static libraries it links goes through the wrappers below.  Armed with
 * N, the Nth allocation after bn_failalloc_arm fails with ENOMEM, and
 * only that one; a test reruns its scenario for N = 1, 2, ... until a run
 * makes no Nth allocation.  Under AddressSanitizer the reruns also prove
 * that no failure path leaks or touches freed memory.
 *
 * The state is global because the wrappers are called from anywhere in
 * the process (test-only; atomics, as an engine may allocate on another
 * thread).
 */
#ifndef BN_TESTS_FAILALLOC_H
#define BN_TESTS_FAILALLOC_H

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "harness.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t nmemb, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t nmemb, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

static atomic_long bn_failalloc_count;    /* allocations since armed */
static atomic_long bn_failalloc_at;       /* refuse this one; 0 = none */
static atomic_long bn_failalloc_refused;  /* how many were refused */

static bool bn_failalloc_refuse(void)
{
	long at = atomic_load(&bn_failalloc_at);

	if (at == 0 || atomic_fetch_add(&bn_failalloc_count, 1) + 1 != at)
		return false;
	atomic_fetch_add(&bn_failalloc_refused, 1);
	errno = ENOMEM;
	return true;
}

void *__wrap_malloc(size_t n)
{
	return bn_failalloc_refuse() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t nmemb, size_t size)
{
	return bn_failalloc_refuse() ? NULL : __real_calloc(nmemb, size);
}

/* A refused realloc leaves P as it was, as realloc does. */
void *__wrap_realloc(void *p, size_t n)
{
	return bn_failalloc_refuse() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
	return bn_failalloc_refuse() ? NULL : __real_strdup(s);
}

/* Refuse the Nth allocation from now (N >= 1). */
static inline void bn_failalloc_arm(long n)
{
	atomic_store(&bn_failalloc_count, 0);
	atomic_store(&bn_failalloc_refused, 0);
	atomic_store(&bn_failalloc_at, n);
}

/* Stop refusing; how many allocations were refused since the arm. */
static inline long bn_failalloc_disarm(void)
{
	atomic_store(&bn_failalloc_at, 0);
	return atomic_load(&bn_failalloc_refused);
}

/* The wrappers refuse exactly the allocation they were armed for (a
   test of the test: a binary linked without --wrap fails it). */
static inline void bn_failalloc_self_test(bn_t *t)
{
	/* through a pointer the compiler cannot see into, so that it
	   neither elides nor merges the calls */
	void *(*volatile alloc)(size_t) = malloc;
	void *a, *b, *c;

	bn_failalloc_arm(2);
	a = alloc(8);
	b = alloc(8);
	c = alloc(8);
	BN_CHECK_INT(t, bn_failalloc_disarm(), ==, 1);
	BN_CHECK(t, a && !b && c);
	free(a);
	free(c);
}

#endif

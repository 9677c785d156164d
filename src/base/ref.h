/* SPDX-License-Identifier: MIT */
/*
 * base/ref.h - a reference count that threads share under a lock.
 *
 * Owns: dropping one reference and telling the caller whether it was the
 * last, so that exactly one thread frees what the count keeps alive.
 * Uses: pthreads only.
 */
#ifndef BN_BASE_REF_H
#define BN_BASE_REF_H

#include <pthread.h>
#include <stdbool.h>

/* Drop one of *REFS (at least 1) under LOCK; true when it was the last:
   the caller then frees what the count kept alive. */
bool bn_ref_drop(pthread_mutex_t *lock, unsigned *refs);

#endif

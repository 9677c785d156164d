/* SPDX-License-Identifier: MIT */
/* base/ref.c - a reference count shared under a lock (see ref.h). */
#include "ref.h"

#include <assert.h>

bool bn_ref_drop(pthread_mutex_t *lock, unsigned *refs)
{
	bool last;

	pthread_mutex_lock(lock);
	assert(*refs > 0);
	last = --*refs == 0;
	pthread_mutex_unlock(lock);
	return last;
}

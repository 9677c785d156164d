/* SPDX-License-Identifier: MIT */
/*
 * base/dl.c - load a shared library on first use and resolve its
 * functions into a caller's table (see dl.h for why).
 * References: dlopen(3), dlsym(3).
 */
#include <dlfcn.h>
#include <string.h>

#include "dl.h"

/* Open LIB and fill SLOTS; on failure nothing is kept open. */
static int resolve(bn_dl_fn *slots, const bn_dl_lib *lib, bn_err *err)
{
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		const char *why = dlerror();
		return bn_err_set(err, BN_ENOTFOUND, "%s is not installed "
				  "(%s): apt-get install %s", lib->what,
				  why ? why : lib->soname, lib->package);
	}
	for (size_t i = 0; i < lib->count; i++) {
		void *p = dlsym(h, lib->names[i]);
		if (!p) {
			(void)dlclose(h);
			return bn_err_set(err, BN_ENOTFOUND, "%s (%s) has no "
					  "%s: apt-get install a newer %s",
					  lib->what, lib->soname,
					  lib->names[i], lib->package);
		}
		/* POSIX guarantees a data pointer holds a function's address */
		memcpy(&slots[i], &p, sizeof slots[i]);
	}
	return lib->setup ? lib->setup(err) : 0;
}

int bn_dl_lazy_load(bn_dl_lazy *lazy, bn_dl_fn *slots, const bn_dl_lib *lib,
		    bn_err *err)
{
	int state = atomic_load_explicit(&lazy->state, memory_order_acquire);

	if (!state) {
		pthread_mutex_lock(&lazy->lock);
		state = atomic_load_explicit(&lazy->state,
					     memory_order_relaxed);
		if (!state) {
			bn_err_init(&lazy->err);
			state = resolve(slots, lib, &lazy->err) ? -1 : 1;
			atomic_store_explicit(&lazy->state, state,
					      memory_order_release);
		}
		pthread_mutex_unlock(&lazy->lock);
	}
	if (state == 1)
		return 0;
	return bn_err_set(err, lazy->err.code, "%s", lazy->err.msg);
}

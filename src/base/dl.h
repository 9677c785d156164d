/* SPDX-License-Identifier: MIT */
/*
 * base/dl.h - shared libraries loaded on first use.
 *
 * Owns: opening a library by its SONAME with dlopen(3), resolving the
 * functions a module calls into a table of pointers, and the one message
 * a user gets when the library is missing ("libgit2 is not installed
 * (...): apt-get install libgit2-1.5").  Uses: libc (dlopen, pthread) only.
 *
 * Why: every library a program links is loaded, relocated and
 * initialised at each start, by every command.  libcurl, libgit2,
 * libarchive and libmicrohttpd bring some fifty more (TLS, Kerberos,
 * LDAP, ICU, ...), which cost every command and every worker image some
 * 30 ms before main.  The modules
 * that own them compile against their headers (for the types) but do not
 * link them; they load them here, when a command first needs them.
 *
 * A module declares its table with BN_DL_TABLE and keeps one bn_dl_lazy
 * per library.  That pair is the exception to the rule of no global
 * mutable state: it is written once, under the lazy's lock, the first
 * time any thread asks for the library, and only read afterwards; the
 * library is never unloaded.
 */
#ifndef BN_BASE_DL_H
#define BN_BASE_DL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "err.h"

/* One resolved function, of any type (the table gives it its own). */
typedef void (*bn_dl_fn)(void);

/* What to load: the library and the names of the functions, in table order. */
typedef struct bn_dl_lib {
	const char *soname;        /* "libcurl.so.4" */
	const char *what;          /* "libcurl", in messages */
	const char *package;       /* the Debian package that installs it */
	const char *const *names;  /* the functions, in the table's order */
	size_t count;
	/* after resolving, the library's own set-up (NULL: none) */
	int (*setup)(bn_err *err);
} bn_dl_lib;

/* The once-only load of one library: 0 not tried, 1 loaded, -1 failed. */
typedef struct bn_dl_lazy {
	pthread_mutex_t lock;
	atomic_int state;
	bn_err err;                /* why it failed, for every later caller */
} bn_dl_lazy;

#define BN_DL_LAZY_INIT { PTHREAD_MUTEX_INITIALIZER, 0, { 0, "" } }

/*
 * BN_DL_TABLE(type, fns, N, LIST, FIELD) - union type TYPE: .fn, a
 * struct FNS with one typed pointer per function of LIST (an X-macro;
 * FIELD(f) declares field f), and .slot, the same N pointers as an array
 * for bn_dl_lazy_load.
 */
#define BN_DL_ONE(f) +1
#define BN_DL_TABLE(type, fns, n, list, field)                          \
	enum { n = 0 list(BN_DL_ONE) };                                 \
	typedef union type {                                            \
		struct fns { list(field) } fn;                          \
		bn_dl_fn slot[n];                                       \
	} type

/*
 * BN_DL_LIBRARY(id, type, LIST, NAME, soname, what, package, setup) - the
 * file-scope state of one library: id_table of TYPE (a BN_DL_TABLE of
 * LIST), id_names (NAME(f) spells the symbol of f, with a comma), id_lib
 * and id_lazy; bn_dl_lazy_load(&id_lazy, id_table.slot, &id_lib, err)
 * loads it.
 */
#define BN_DL_LIBRARY(id, type, list, name, soname_, what_, package_,   \
		      setup_)                                           \
	static type id##_table;                                         \
	static const char *const id##_names[] = { list(name) };        \
	static const bn_dl_lib id##_lib = {                             \
		.soname = soname_, .what = what_, .package = package_,  \
		.names = id##_names,                                    \
		.count = sizeof(id##_names) / sizeof(id##_names[0]),    \
		.setup = setup_,                                        \
	};                                                              \
	static bn_dl_lazy id##_lazy = BN_DL_LAZY_INIT

/*
 * bn_dl_lazy_load - load LIB into SLOTS (LIB->count of them) unless LAZY
 * says it was already loaded.  Thread-safe; the work is done once, and a
 * failure is remembered and reported to every caller.  Returns 0, or
 * BN_ENOTFOUND with a message naming the package to install.
 */
int bn_dl_lazy_load(bn_dl_lazy *lazy, bn_dl_fn *slots, const bn_dl_lib *lib,
		    bn_err *err);

/* bn_dl_lazy_loaded - whether LAZY's library was loaded successfully. */
static inline int bn_dl_lazy_loaded(bn_dl_lazy *lazy)
{
	return atomic_load_explicit(&lazy->state, memory_order_acquire) == 1;
}

#endif

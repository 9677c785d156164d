/* SPDX-License-Identifier: MIT */
/*
 * exec/curl_dl.h - libcurl, loaded by the commands that use it.
 *
 * Owns: the table of libcurl functions bnity calls (exec's HTTP host
 * calls, the agent's providers, the registry's fetches), filled from
 * libcurl.so.4 on first use, and curl_global_init, done once right after
 * (libcurl 7.84 and later make that thread-safe).  Uses: base (dl.h).
 * bnity compiles against <curl/curl.h> but does not link libcurl, so a
 * command that never fetches anything never loads it (base/dl.h says why
 * and why this table may be global).
 *
 * Every entry point that leads to libcurl calls bn_exec_curl_load first
 * and reports its error; the code below it calls bn_exec_curl()->f(...)
 * where it used to call curl_f(...).
 */
#ifndef BN_EXEC_CURL_DL_H
#define BN_EXEC_CURL_DL_H

#include <curl/curl.h>

#include "base/dl.h"

/* The functions used, without their "curl_" prefix. */
#define BN_EXEC_CURL_FNS(X)                                             \
	X(global_init) X(easy_init) X(easy_setopt) X(easy_perform)      \
	X(easy_getinfo) X(easy_cleanup) X(easy_strerror) X(easy_header) \
	X(easy_escape) X(free) X(getdate) X(slist_append)               \
	X(slist_free_all) X(url) X(url_cleanup) X(url_get) X(url_set)
#define BN_EXEC_CURL_FIELD(f) __typeof__(curl_##f) *f;
BN_DL_TABLE(bn_exec_curl_table, bn_exec_curl_fns, BN_EXEC_CURL_N,
	    BN_EXEC_CURL_FNS, BN_EXEC_CURL_FIELD);

/*
 * bn_exec_curl_load - load libcurl unless it is loaded.  Returns 0, or
 * BN_ENOTFOUND with "libcurl is not installed: apt-get install libcurl4".
 */
int bn_exec_curl_load(bn_err *err);

/* bn_exec_curl - the functions; only after bn_exec_curl_load succeeded. */
const struct bn_exec_curl_fns *bn_exec_curl(void);

#endif

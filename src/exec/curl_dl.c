/* SPDX-License-Identifier: MIT */
/*
 * exec/curl_dl.c - load libcurl on first use (curl_dl.h).
 * References: curl_global_init(3).
 */
#include <assert.h>

#include "exec/curl_dl.h"

static int setup(bn_err *err);

/* Written once, by the first bn_exec_curl_load, then only read. */
#define NAME(f) "curl_" #f,
BN_DL_LIBRARY(curl, bn_exec_curl_table, BN_EXEC_CURL_FNS, NAME,
	      "libcurl.so.4", "libcurl", "libcurl4", setup);

/* The table is filled when this runs (bn_dl_lazy_load). */
static int setup(bn_err *err)
{
	if (curl_table.fn.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return bn_err_set(err, BN_EIO, "libcurl cannot start "
				  "(curl_global_init failed)");
	return 0;
}

int bn_exec_curl_load(bn_err *err)
{
	return bn_dl_lazy_load(&curl_lazy, curl_table.slot, &curl_lib, err);
}

const struct bn_exec_curl_fns *bn_exec_curl(void)
{
	assert(bn_dl_lazy_loaded(&curl_lazy));
	return &curl_table.fn;
}

/* SPDX-License-Identifier: MIT */
/*
 * server/mhd.c - libmicrohttpd, loaded when `bnity serve` starts
 * (server_int.h; base/dl.h says why this table may be global: it is
 * written once, before any thread of the server, then only read).
 */
#include "server_int.h"

#include <assert.h>

#define NAME(f) "MHD_" #f,
BN_DL_LIBRARY(mhd, bn_server_mhd_table, BN_SERVER_MHD_FNS, NAME,
	      "libmicrohttpd.so.12", "libmicrohttpd", "libmicrohttpd12",
	      NULL);

int bn_server__mhd_load(bn_err *err)
{
	return bn_dl_lazy_load(&mhd_lazy, mhd_table.slot, &mhd_lib, err);
}

const struct bn_server_mhd_fns *bn_server__mhd(void)
{
	assert(bn_dl_lazy_loaded(&mhd_lazy));
	return &mhd_table.fn;
}

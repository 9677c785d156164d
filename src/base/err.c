/* SPDX-License-Identifier: MIT */
/* base/err.c - the first-message-wins error carrier (see err.h). */
#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void bn_err_init(bn_err *err)
{
	err->code = 0;
	err->msg[0] = '\0';
}

int bn_err_setv(bn_err *err, int code, const char *fmt, va_list ap)
{
	if (!err || err->code != 0)
		return code;
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return code;
}

int bn_err_set(bn_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bn_err_setv(err, code, fmt, ap);
	va_end(ap);
	return code;
}

void bn_err_prefix(bn_err *err, const char *fmt, ...)
{
	char pre[BN_ERR_MAX], tmp[BN_ERR_MAX];
	va_list ap;

	if (!err || err->code == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	/* a message longer than BN_ERR_MAX is cut: context first */
	if (snprintf(tmp, sizeof(tmp), "%s: %s", pre, err->msg) < 0)
		return;
	memcpy(err->msg, tmp, sizeof(tmp));
}

int bn_err_oom(bn_err *err)
{
	return bn_err_set(err, -ENOMEM, "out of memory");
}

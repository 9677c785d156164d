/* SPDX-License-Identifier: MIT */
/*
 * base/err.h - error values and human-readable error messages.
 *
 * Owns: bn_err, the carrier of one human message from the site of a
 * failure up to cli/ or server/, which print it.  Uses: libc only.
 *
 * Functions that can fail return int: 0, a negated errno, or one of the
 * BN_E* codes below.  The first message written wins; callers add context
 * in front with bn_err_prefix().
 */
#ifndef BN_BASE_ERR_H
#define BN_BASE_ERR_H

#include <stdarg.h>
#include <stddef.h>

#define BN_MUST_USE __attribute__((warn_unused_result))
#define BN_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Project error codes, negative and far from errno's range. */
enum {
	BN_EINVAL = -1000,   /* input is malformed (file, field, argument) */
	BN_ENOTFOUND = -1001,/* the thing named does not exist */
	BN_EEXIST = -1002,   /* the thing named already exists */
	BN_EDENIED = -1003,  /* refused: capability or policy */
	BN_ELIMIT = -1004,   /* a limit was exhausted */
	BN_ETRAP = -1005,    /* a WebAssembly trap */
	BN_EIO = -1006,      /* an operating-system or storage failure */
	BN_EUSAGE = -1007,   /* the command line was wrong */
};

#define BN_ERR_MAX 1024 /* bytes of one message, NUL included */

typedef struct bn_err {
	int code;            /* the code of the first failure, 0 if none */
	char msg[BN_ERR_MAX];/* the message, "" if none */
} bn_err;

/* bn_err_init - an empty error, ready to be written once. */
void bn_err_init(bn_err *err);

/*
 * bn_err_set - record a failure unless one is already recorded.
 * Returns code, so a caller can write `return bn_err_set(err, ...)`.
 * err may be NULL (the message is then dropped).
 */
int bn_err_set(bn_err *err, int code, const char *fmt, ...) BN_PRINTF(3, 4);
int bn_err_setv(bn_err *err, int code, const char *fmt, va_list ap)
	BN_PRINTF(3, 0);

/* bn_err_prefix - put "PREFIX: " in front of the recorded message. */
void bn_err_prefix(bn_err *err, const char *fmt, ...) BN_PRINTF(2, 3);

/* bn_err_oom - record an allocation failure; returns -ENOMEM. */
int bn_err_oom(bn_err *err);

#endif

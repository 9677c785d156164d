/* SPDX-License-Identifier: MIT */
/*
 * base/buf.h - growable byte buffers with a maximum size.
 *
 * Owns: bn_buf, a NUL-terminated growable byte string whose capacity may
 * never pass max_bytes (0 means BN_BUF_DEFAULT_MAX).  Uses: libc only.
 * Also bn_strv, a list of owned strings, and the small aborting
 * allocators for fixed bookkeeping (bn_xmalloc...).
 */
#ifndef BN_BASE_BUF_H
#define BN_BASE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define BN_BUF_DEFAULT_MAX ((size_t)256 << 20)

typedef struct bn_buf {
	char *data;        /* owned; NUL-terminated when len > 0 or after use */
	size_t len;        /* bytes in use, not counting the NUL */
	size_t cap;        /* bytes allocated */
	size_t max_bytes;  /* the largest len allowed; 0 = default */
} bn_buf;

#define BN_BUF_INIT { NULL, 0, 0, 0 }

void bn_buf_init(bn_buf *b, size_t max_bytes);
void bn_buf_clear(bn_buf *b);              /* frees data; b is reusable */
int bn_buf_append(bn_buf *b, const void *p, size_t n) BN_MUST_USE;
int bn_buf_puts(bn_buf *b, const char *s) BN_MUST_USE;
int bn_buf_printf(bn_buf *b, const char *fmt, ...) BN_PRINTF(2, 3) BN_MUST_USE;
/* bn_buf_take - move the data out (caller frees); b becomes empty. */
char *bn_buf_take(bn_buf *b);
/* The C string in b, "" when empty (borrowed). */
const char *bn_buf_cstr(const bn_buf *b);
/*
 * bn_buf_append_utf8 - append the N bytes at P as valid UTF-8: each
 * maximal ill-formed subsequence (an invalid byte, or the valid start of
 * a sequence cut short) becomes U+FFFD, as Unicode recommends (chapter
 * 3.9, "substitution of maximal subparts").  *REPLACED (may be NULL)
 * receives how many were replaced.  -E2BIG past the cap, as bn_buf_append.
 * The one place bnity turns bytes from outside (a skill's output, a
 * stored row) into text that JSON can carry.  On an error (-E2BIG over
 * the cap, -ENOMEM) B is left as it was.
 */
int bn_buf_append_utf8(bn_buf *b, const void *p, size_t n,
		       size_t *replaced) BN_MUST_USE;
/* How many of the N bytes at P are well-formed UTF-8 (RFC 3629) before
   the first that is not: N when they all are. */
size_t bn_utf8_valid_len(const void *p, size_t n);


/* A list of owned strings. */
typedef struct bn_strv {
	char **v;      /* owned strings */
	size_t n;      /* count */
} bn_strv;

void bn_strv_push(bn_strv *sv, const char *s);  /* copies s */
void bn_strv_clear(bn_strv *sv);
bool bn_strv_has(const bn_strv *sv, const char *s);
/* The index of NAME among the N strings NAMES (an enum's name table), or
   -1 when NAME is NULL or none of them. */
int bn_str_index(const char *const *names, int n, const char *name);
/*
 * An enum's name table NAMES (one name per value, an array) gives it
 * TYPE_name(), NAMES[v] or FALLBACK for a value out of range, and
 * TYPE_parse(), whether NAME names a value and that value in *out.
 * Both are declared by the enum's own header.
 */
#define BN_STR_ENUM_NAME(type, names, fallback)                          \
	const char *type##_name(type v)                                   \
	{                                                                 \
		return (size_t)v < sizeof(names) / sizeof(*(names)) ?      \
		       (names)[v] : (fallback);                           \
	}
#define BN_STR_ENUM_PARSE(type, names)                                   \
	bool type##_parse(type *out, const char *name)                    \
	{                                                                 \
		int i_ = bn_str_index(names, (int)(sizeof(names) /        \
					  sizeof(*(names))), name);       \
		if (i_ >= 0)                                              \
			*out = (type)i_;                                  \
		return i_ >= 0;                                           \
	}
/* Same length, and every string of A is in B (sets without repeats). */
bool bn_strv_same_set(const bn_strv *a, const bn_strv *b);

/* Aborting allocators for small fixed bookkeeping only (STYLE.md 3). */
void *bn_xmalloc(size_t n);
void *bn_xcalloc(size_t n, size_t size);
void *bn_xrealloc(void *p, size_t n);
char *bn_xstrdup(const char *s);
/* At most N bytes of S, stopping at its NUL as strndup does (reads no
   byte past either). */
char *bn_xstrndup(const char *s, size_t n);
char *bn_xasprintf(const char *fmt, ...) BN_PRINTF(1, 2);

#endif

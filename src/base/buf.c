/* SPDX-License-Identifier: MIT */
/* base/buf.c - growable buffers with a cap, and the aborting allocators. */
#include "buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void bn_buf_init(bn_buf *b, size_t max_bytes)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max_bytes = max_bytes;
}

void bn_buf_clear(bn_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

static int reserve(bn_buf *b, size_t extra)
{
	size_t max = b->max_bytes ? b->max_bytes : BN_BUF_DEFAULT_MAX;
	size_t need, ncap;
	char *p;

	if (extra > max - b->len || b->len > max)
		return -E2BIG;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	p = realloc(b->data, ncap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = ncap;
	return 0;
}

int bn_buf_append(bn_buf *b, const void *p, size_t n)
{
	int r = reserve(b, n);
	if (r < 0)
		return r;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int bn_buf_puts(bn_buf *b, const char *s)
{
	return bn_buf_append(b, s, strlen(s));
}

int bn_buf_printf(bn_buf *b, const char *fmt, ...)
{
	va_list ap, ap2;
	int n, r;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		va_end(ap2);
		return -EINVAL;
	}
	r = reserve(b, (size_t)n);
	if (r < 0) {
		va_end(ap2);
		return r;
	}
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	b->len += (size_t)n;
	return 0;
}

char *bn_buf_take(bn_buf *b)
{
	char *p = b->data;
	if (!p)
		p = bn_xstrdup("");
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

const char *bn_buf_cstr(const bn_buf *b)
{
	return b->data ? b->data : "";
}

/* ---- UTF-8 ------------------------------------------------------------ */

/* The length of the well-formed UTF-8 sequence at P (N > 0 bytes there),
   or 0 with *BAD the length of its maximal ill-formed prefix (>= 1). */
static size_t utf8_seq(const unsigned char *p, size_t n, size_t *bad)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xBF;
	size_t need, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		if (c == 0xE0)
			lo = 0xA0;       /* no overlong forms */
		else if (c == 0xED)
			hi = 0x9F;       /* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		if (c == 0xF0)
			lo = 0x90;       /* no overlong forms */
		else if (c == 0xF4)
			hi = 0x8F;       /* nothing past U+10FFFF */
	} else {
		*bad = 1;                /* 80-C1, F5-FF never start one */
		return 0;
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || p[i] < lo || p[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xBF;
	}
	return need + 1;
}

size_t bn_utf8_valid_len(const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i = 0, k, bad;

	while (i < n && (k = utf8_seq(s + i, n - i, &bad)))
		i += k;
	return i;
}

int bn_buf_append_utf8(bn_buf *b, const void *p, size_t n, size_t *replaced)
{
	const unsigned char *s = p ? p : (const void *)"";
	size_t i = 0, start = 0, nbad = 0, had = b->len;
	int r = 0;

	while (i < n && !r) {
		size_t bad = 0, k = utf8_seq(s + i, n - i, &bad);
		if (k) {
			i += k;
			continue;
		}
		if (!(r = bn_buf_append(b, s + start, i - start)))
			r = bn_buf_append(b, "\xEF\xBF\xBD", 3);
		nbad++;
		i += bad;
		start = i;
	}
	if (!r)
		r = bn_buf_append(b, s + start, n - start);
	if (r && b->data) {
		/* all or nothing, as bn_buf_append */
		b->len = had;
		b->data[had] = '\0';
	}
	if (!r && replaced)
		*replaced = nbad;
	return r;
}

/* ---- string lists ---------------------------------------------------- */

void bn_strv_push(bn_strv *sv, const char *s)
{
	sv->v = bn_xrealloc(sv->v, (sv->n + 1) * sizeof(*sv->v));
	sv->v[sv->n++] = bn_xstrdup(s);
}

void bn_strv_clear(bn_strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

int bn_str_index(const char *const *names, int n, const char *name)
{
	for (int i = 0; name && i < n; i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return i;
	return -1;
}

bool bn_strv_has(const bn_strv *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

bool bn_strv_same_set(const bn_strv *a, const bn_strv *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!bn_strv_has(b, a->v[i]))
			return false;
	return true;
}

static void oom(size_t n)
{
	fprintf(stderr, "bnity: out of memory (allocating %zu bytes)\n", n);
	abort();
}

void *bn_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *bn_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *bn_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *bn_xstrdup(const char *s)
{
	return bn_xstrndup(s, strlen(s));
}

char *bn_xstrndup(const char *s, size_t n)
{
	char *p;

	n = strnlen(s, n);     /* never past the end of a shorter string */
	p = bn_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *bn_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom(0);
	return p;
}

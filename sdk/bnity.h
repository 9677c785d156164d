/* SPDX-License-Identifier: MIT */
/*
 * bnity.h - the boternity skill SDK for C (wasm32-wasi).
 *
 * A tool skill is a WASI preview 1 command: it reads its input (JSON) on
 * stdin, writes its result on stdout, and reports failure with a non-zero
 * exit status and a message on stderr.  What WASI does not give - HTTP,
 * environment variables, secrets, the bot's memory - comes from functions
 * imported from the module "bnity", declared below.  Each is allowed only
 * when the user granted the capability (see docs/skill-abi.md).
 *
 * Conventions of every bnity import:
 *   - strings and buffers are (pointer, length) pairs into linear memory;
 *     nothing needs a terminating NUL;
 *   - a return value >= 0 is success: for calls that produce data, the
 *     size in bytes of the result, which the host holds until the next
 *     call and which bnity_result_read() copies out;
 *   - a negative return value is one of the BNITY_E* codes;
 *     bnity_last_error() copies a message that says why.
 *
 * Build: bnity skill build (or clang --target=wasm32-wasi -O2 -I sdk ...).
 */
#ifndef BNITY_SDK_H
#define BNITY_SDK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BNITY_OK 0
#define BNITY_EDENIED (-1)   /* no grant covers this capability and scope */
#define BNITY_EINVAL (-2)    /* bad arguments: a pointer or length outside
				memory, malformed JSON, a bad name */
#define BNITY_ENOTFOUND (-3) /* no such variable, secret or result */
#define BNITY_ELIMIT (-4)    /* a cap was reached: response size, time */
#define BNITY_EIO (-5)       /* the service failed: network, storage */

#define BNITY_IMPORT(name) \
	__attribute__((import_module("bnity"), import_name(name)))

/* GET URL.  HEADERS is a JSON object of header names to values, or NULL.
 * A value may be {"secret": "NAME", "prefix": "Bearer "}: the host puts
 * the secret in the header without the module ever seeing it (needs the
 * get_secret=NAME grant).  Returns the body's size; the status is
 * bnity_http_status(). Needs http_get=ORIGIN. */
BNITY_IMPORT("http_get")
int32_t bnity_http_get(const char *url, size_t url_len,
		       const char *headers_json, size_t headers_len);

/* POST BODY to URL; as bnity_http_get.  Needs http_post=ORIGIN. */
BNITY_IMPORT("http_post")
int32_t bnity_http_post(const char *url, size_t url_len,
			const char *headers_json, size_t headers_len,
			const void *body, size_t body_len);

/* The HTTP status of the last successful http_get/http_post, or 0. */
BNITY_IMPORT("http_status")
int32_t bnity_http_status(void);

/* The value of environment variable NAME.  Needs read_env=NAME. */
BNITY_IMPORT("read_env")
int32_t bnity_read_env(const char *name, size_t name_len);

/* The value of secret NAME.  Needs get_secret=reveal:NAME. */
BNITY_IMPORT("get_secret")
int32_t bnity_get_secret(const char *name, size_t name_len);

/* The bot's memories matching QUERY, at most LIMIT, as a JSON array of
 * {"id", "text", "created_at"}.  Needs recall_memory. */
BNITY_IMPORT("recall_memory")
int32_t bnity_recall_memory(const char *query, size_t query_len,
			    int32_t limit);

/* Copy up to LEN bytes of the pending result into BUF; returns the number
 * copied.  The result stays until the next call that produces one. */
BNITY_IMPORT("result_read")
int32_t bnity_result_read(void *buf, size_t len);

/* Copy the message of the last failed call into BUF (at most LEN bytes,
 * NUL-terminated when room allows); returns its length. */
BNITY_IMPORT("last_error")
int32_t bnity_last_error(char *buf, size_t len);

/* ---- helpers ------------------------------------------------------------ */

/* Take the pending result of size N as a NUL-terminated malloc'd string. */
static inline char *bnity_take_result(int32_t n)
{
	char *p;
	if (n < 0)
		return NULL;
	p = malloc((size_t)n + 1);
	if (!p)
		return NULL;
	bnity_result_read(p, (size_t)n);
	p[n] = '\0';
	return p;
}

/* Read all of stdin (the skill's input) into a malloc'd string. */
static inline char *bnity_read_input(size_t *len_out)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap), *nb;
	size_t n;

	if (!buf)
		return NULL;
	while ((n = fread(buf + len, 1, cap - len - 1, stdin)) > 0) {
		len += n;
		if (cap - len < 2) {
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	buf[len] = '\0';
	if (len_out)
		*len_out = len;
	return buf;
}

/* Print "WHAT: <last error>" on stderr. */
static inline void bnity_perror(const char *what)
{
	char msg[512];
	bnity_last_error(msg, sizeof(msg));
	fprintf(stderr, "%s: %s\n", what, msg);
}

/* Write S to stdout as a JSON string literal (quotes included). */
static inline void bnity_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\r')
			fputs("\\r", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/*
 * The string value of top-level KEY in a flat JSON object, unescaped into
 * a malloc'd string, or NULL.  Enough for simple inputs; a skill with
 * richer input should bring a JSON parser.
 */
static inline char *bnity_json_get_string(const char *json, const char *key)
{
	size_t kl = strlen(key);
	const char *p = json;

	while ((p = strchr(p, '"')) != NULL) {
		p++;
		if (strncmp(p, key, kl) == 0 && p[kl] == '"') {
			const char *q = p + kl + 1;
			while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
				q++;
			if (*q != ':')
				continue;
			q++;
			while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
				q++;
			if (*q != '"')
				return NULL;
			q++;
			char *out = malloc(strlen(q) + 1), *o = out;
			if (!out)
				return NULL;
			while (*q && *q != '"') {
				if (*q == '\\' && q[1]) {
					q++;
					switch (*q) {
					case 'n': *o++ = '\n'; break;
					case 't': *o++ = '\t'; break;
					case 'r': *o++ = '\r'; break;
					case 'b': *o++ = '\b'; break;
					case 'f': *o++ = '\f'; break;
					case 'u': *o++ = '?'; q += 4; break;
					default: *o++ = *q;
					}
					q++;
				} else {
					*o++ = *q++;
				}
			}
			*o = '\0';
			return out;
		}
		/* skip to the end of this string */
		while (*p && *p != '"') {
			if (*p == '\\' && p[1])
				p++;
			p++;
		}
		if (*p)
			p++;
	}
	return NULL;
}

#endif

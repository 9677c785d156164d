/* SPDX-License-Identifier: MIT */
/*
 * exec/http.h - the host side of the http_get and http_post capabilities.
 *
 * Owns: origin patterns (the scope of an HTTP grant), the policy a request
 * is checked against, and one request with the redirects it leads to.
 * Uses: base, libcurl (exec/curl_dl.h).  Knows nothing of grants' storage
 * or of WebAssembly: the caller turns a skill's grant into a policy and
 * copies the request out of the module's memory first.
 *
 * An origin pattern is `scheme://host[:port]`: scheme http or https, host a
 * DNS name, `*.` before a DNS name (any subdomain, at any depth, but not
 * the name itself), an IPv4 address or a bracketed IPv6 address; the port
 * defaults to the scheme's (80, 443).  A trailing "/" is allowed.  A URL's
 * origin matches a pattern only if scheme, host and port are all equal, so
 * plain http is reachable only through a pattern that says http://.
 *
 * Addresses: every address libcurl is about to connect to is checked.
 * Loopback, private, shared (CGNAT), link-local, unspecified, multicast and
 * reserved addresses, and IPv6 forms that embed such an IPv4 address
 * (::ffff:a.b.c.d, ::a.b.c.d, 64:ff9b::a.b.c.d) are refused unless the
 * pattern that matched the URL is that very address written literally
 * (`http://127.0.0.1:8080` permits 127.0.0.1:8080).  A DNS name never
 * permits them, even `localhost`: `http://localhost:8080` as a pattern
 * matches the URL, but the connection to 127.0.0.1 or ::1 is refused.  The
 * check runs when the socket is opened, after name resolution, so a name
 * that resolves differently the second time cannot slip past it.
 *
 * libcurl is loaded, and initialised, by the first call that needs it
 * (exec/curl_dl.h).
 */
#ifndef BN_EXEC_HTTP_H
#define BN_EXEC_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* What a request may reach and consume. */
typedef struct bn_exec_http_policy {
	const char *const *origins;  /* origin patterns (borrowed) */
	size_t n_origins;            /* entries in origins */
	size_t body_max_bytes;       /* largest response body accepted */
	long timeout_ms;             /* wall clock for the request and all of
					its redirects, connects included */
	unsigned max_redirects;      /* redirects followed; one more fails */
} bn_exec_http_policy;

#define BN_EXEC_HTTP_BODY_MAX_DEFAULT ((size_t)1 << 20)
#define BN_EXEC_HTTP_POLICY_INIT \
	{ NULL, 0, BN_EXEC_HTTP_BODY_MAX_DEFAULT, 30000, 5 }

typedef enum bn_exec_http_method {
	BN_EXEC_HTTP_GET = 0,
	BN_EXEC_HTTP_POST,
	BN_EXEC_HTTP_METHOD_MAX
} bn_exec_http_method;

/* One request header.  Names are HTTP tokens; values have no CR, LF. */
typedef struct bn_exec_http_header {
	const char *name;            /* "Accept" (borrowed) */
	const char *value;           /* "application/json" (borrowed) */
} bn_exec_http_header;

/*
 * A request.  Everything is borrowed for the duration of the call.
 *
 * secret_headers carry values the caller took from the vault, never from
 * the module: they are sent like headers, but their values are never
 * written into any message, and they are dropped when a redirect leaves
 * the origin of the request (as libcurl does with Authorization).
 * Host, Content-Length, Transfer-Encoding and Connection cannot be set,
 * nor a header that is also a secret header.
 */
typedef struct bn_exec_http_request {
	bn_exec_http_method method;
	const char *url;             /* absolute http:// or https:// URL */
	const bn_exec_http_header *headers;
	size_t n_headers;
	const bn_exec_http_header *secret_headers;
	size_t n_secret_headers;
	const void *body;            /* POST only; may hold any bytes */
	size_t body_len;             /* bytes of body */
	const char *const *scrub;    /* values of use-only secrets (see below) */
	size_t n_scrub;              /* entries in scrub */
} bn_exec_http_request;

/*
 * Use-only secrets (scrub): a request whose URL or body (the parts the
 * module controls) holds one of these values, literally or base64-,
 * percent- or JSON-escaped, is refused (BN_EDENIED), and so is a redirect
 * to such a URL.  Every form of every value is overwritten with '*' in the
 * response (body and content type) before it is returned, wherever it
 * falls in the stream.
 */

#define BN_EXEC_HTTP_REQUEST_INIT \
	{ BN_EXEC_HTTP_GET, NULL, NULL, 0, NULL, 0, NULL, 0, NULL, 0 }

/* A response.  Cleared with bn_exec_http_response_clear. */
typedef struct bn_exec_http_response {
	long status;                 /* HTTP status of the last hop */
	char *content_type;          /* owned; NULL when the server sent none */
	char *body;                  /* owned, NUL-terminated (not counted) */
	size_t body_len;             /* bytes of body */
	char *final_url;             /* owned; the URL of the last hop */
	unsigned redirects;          /* redirects followed */
} bn_exec_http_response;

/* Frees what R owns and zeroes it; R may be zeroed or half-filled. */
void bn_exec_http_response_clear(bn_exec_http_response *r);

/*
 * bn_exec_http_pattern_check - whether PATTERN is a well-formed origin
 * pattern (see above).  Returns 0 or BN_EINVAL naming what is wrong.
 * For checking a grant's scope when it is written.
 */
int bn_exec_http_pattern_check(const char *pattern, bn_err *err) BN_MUST_USE;

/*
 * bn_exec_http_origin_allowed - whether the origin of absolute URL matches
 * one of POLICY's patterns.  Malformed URLs and patterns never match.
 */
bool bn_exec_http_origin_allowed(const bn_exec_http_policy *policy,
				 const char *url);

/*
 * bn_exec_http_url_origin - the origin of absolute URL as
 * "scheme://host:port" (owned; the host lower case, an IPv6 address in
 * brackets), the form a secret grant's NAME@ORIGIN is compared with.
 * NULL when URL is not a valid http or https URL.
 */
char *bn_exec_http_url_origin(const char *url);

/*
 * bn_exec_http_addr_kind - the kind of ADDR, an IPv4 or IPv6 address in
 * text: "public", or why it is refused ("loopback", "private", "shared",
 * "link-local", "unspecified", "multicast", "reserved"); an IPv6 address
 * embedding an IPv4 one is that address's kind.  NULL when ADDR is not an
 * address.  The result is a static string.
 */
const char *bn_exec_http_addr_kind(const char *addr);

/*
 * bn_exec_http_request_send - perform REQ under POLICY, following up to
 * policy->max_redirects redirects (301, 302, 303, 307, 308) itself; 301,
 * 302 and 303 turn a POST into a GET without a body, and the bodies of
 * redirects are dropped.  A redirect without a usable Location is the
 * response.  On success *out (owned; clear it) holds the last response,
 * whatever its status.  policy->timeout_ms must be positive.
 *
 * Errors (err names the URL, origin, address or limit, never a secret
 * header's value):
 *   BN_EINVAL   the URL is malformed, carries credentials, or a header is
 *   BN_EDENIED  a scheme other than http/https, an origin no pattern
 *               matches (checked before connecting, on every hop), or an
 *               address refused as described above
 *   BN_ELIMIT   the body passes body_max_bytes, the timeout passes, or
 *               more than max_redirects redirects
 *   BN_EIO      the transfer failed (DNS, connect, TLS, protocol)
 *   -ENOMEM
 */
int bn_exec_http_request_send(bn_exec_http_response *out,
			      const bn_exec_http_policy *policy,
			      const bn_exec_http_request *req,
			      bn_err *err) BN_MUST_USE;

#endif

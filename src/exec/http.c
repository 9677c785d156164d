/* SPDX-License-Identifier: MIT */
/*
 * exec/http.c - HTTP requests for skills, checked origin by origin and
 * address by address (see http.h for the rules).
 *
 * libcurl does the transfer; this file decides what it may reach.  The
 * origin of every hop is matched before anything is sent, redirects are
 * followed here rather than by libcurl, and the address of every socket
 * is checked in CURLOPT_OPENSOCKETFUNCTION, after resolution.  References:
 * libcurl's curl_url(3), CURLOPT_OPENSOCKETFUNCTION(3); RFC 9110 15.4
 * (redirects), RFC 6890 and RFC 6052 (special-purpose addresses).
 */
#include "http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "base/buf.h"
#include "base/clock.h"
#include "exec/curl_dl.h"

#ifndef BN_VERSION
#define BN_VERSION "0"
#endif

#define HOST_MAX 256          /* bytes of a host, NUL included */
#define HEADERS_MAX 64        /* headers of one request, secret ones too */
#define HEADER_NAME_MAX 256   /* bytes of a header name */
#define HEADER_VALUE_MAX 8192 /* bytes of a header value */

/* A parsed origin, or an origin pattern. */
typedef struct origin {
	bool https;                /* scheme https (else http) */
	bool wildcard;             /* pattern "*.host": strict subdomains */
	unsigned port;             /* explicit or the scheme's */
	int family;                /* AF_INET/AF_INET6 for a literal, or 0 */
	unsigned char addr[16];    /* the literal's bytes (family != 0) */
	char host[HOST_MAX];       /* lowercase name, or canonical address */
} origin;

/* --- addresses ------------------------------------------------------- */

static const char *kind4(const unsigned char a[4])
{
	if (a[0] == 0)
		return "unspecified";
	if (a[0] == 127)
		return "loopback";
	if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
	    (a[0] == 192 && a[1] == 168))
		return "private";
	if (a[0] == 100 && (a[1] & 0xc0) == 64)
		return "shared";
	if (a[0] == 169 && a[1] == 254)
		return "link-local";
	if ((a[0] & 0xf0) == 224)
		return "multicast";
	if ((a[0] & 0xf0) == 240)
		return "reserved";
	return "public";
}

static bool all_zero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static const char *kind6(const unsigned char a[16])
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
						  0xff, 0xff };
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };

	if (all_zero(a, 15))
		return a[15] == 0 ? "unspecified" :
		       a[15] == 1 ? "loopback" : kind4(a + 12);
	if (!memcmp(a, mapped, 12) || !memcmp(a, nat64, 12) ||
	    all_zero(a, 12))
		return kind4(a + 12);
	if ((a[0] & 0xfe) == 0xfc)
		return "private";
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return "link-local";
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
		return "private";  /* site-local, deprecated */
	if (a[0] == 0xff)
		return "multicast";
	return "public";
}

const char *bn_exec_http_addr_kind(const char *addr)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, addr, a) == 1)
		return kind4(a);
	if (inet_pton(AF_INET6, addr, a) == 1)
		return kind6(a);
	return NULL;
}

/* --- origins and patterns ---------------------------------------------- */

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

/* Whether NAME (lowercase) is a DNS name: dot-separated non-empty labels. */
static bool is_dns_name(const char *name)
{
	size_t label = 0, n = 0;

	for (; name[n]; n++) {
		if (name[n] == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (is_name_char(name[n]) && ++label <= 63) {
			continue;
		} else {
			return false;
		}
	}
	return n > 0 && n <= 253 && label > 0;
}

/*
 * Fill o->host, o->family and o->addr from HOST (LEN bytes, brackets
 * around an IPv6 address allowed).  False when it is neither an address
 * nor a DNS name.
 */
static bool set_host(origin *o, const char *host, size_t len)
{
	char tmp[HOST_MAX];
	size_t i;

	if (len == 0 || len >= sizeof(tmp))
		return false;
	for (i = 0; i < len; i++)
		tmp[i] = (char)tolower((unsigned char)host[i]);
	tmp[len] = '\0';
	o->family = 0;
	if (tmp[0] == '[') {
		if (len < 3 || tmp[len - 1] != ']')
			return false;
		tmp[len - 1] = '\0';
		if (inet_pton(AF_INET6, tmp + 1, o->addr) != 1)
			return false;
		o->family = AF_INET6;
		return inet_ntop(AF_INET6, o->addr, o->host,
				 sizeof(o->host)) != NULL;
	}
	if (inet_pton(AF_INET, tmp, o->addr) == 1) {
		o->family = AF_INET;
		return inet_ntop(AF_INET, o->addr, o->host,
				 sizeof(o->host)) != NULL;
	}
	if (strspn(tmp, "0123456789.") == len)
		return false;  /* a number that is no dotted quad */
	if (!is_dns_name(tmp))
		return false;
	memcpy(o->host, tmp, len + 1);
	return true;
}

static bool parse_port(unsigned *out, const char *p, size_t len)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 5)
		return false;
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	if (v == 0 || v > 65535)
		return false;
	*out = (unsigned)v;
	return true;
}

static int pattern_parse(origin *o, const char *pattern, bn_err *err)
{
	const char *p = pattern, *host, *end;
	size_t hlen;

	memset(o, 0, sizeof(*o));
	if (!strncasecmp(p, "https://", 8)) {
		o->https = true;
		p += 8;
	} else if (!strncasecmp(p, "http://", 7)) {
		p += 7;
	} else {
		return bn_err_set(err, BN_EINVAL, "origin pattern '%s': use "
				  "http://HOST[:PORT] or https://HOST[:PORT]",
				  pattern);
	}
	o->port = o->https ? 443 : 80;
	host = p;
	if (*p == '[')
		end = strchr(p, ']') ? strchr(p, ']') + 1 : p + strlen(p);
	else
		end = p + strcspn(p, ":/");
	hlen = (size_t)(end - host);
	if (hlen > 2 && host[0] == '*' && host[1] == '.') {
		o->wildcard = true;
		host += 2;
		hlen -= 2;
	}
	if (!set_host(o, host, hlen) || (o->wildcard && o->family))
		return bn_err_set(err, BN_EINVAL, "origin pattern '%s': "
				  "'%.*s' is not a host name or address",
				  pattern, (int)(end - p), p);
	p = end;
	if (*p == ':') {
		size_t plen = strcspn(p + 1, "/");
		if (!parse_port(&o->port, p + 1, plen))
			return bn_err_set(err, BN_EINVAL, "origin pattern "
					  "'%s': the port must be 1 to 65535",
					  pattern);
		p += 1 + plen;
	}
	if (*p == '/')
		p++;
	if (*p)
		return bn_err_set(err, BN_EINVAL, "origin pattern '%s': only "
				  "scheme, host and port may be given (no "
				  "path, query or user)", pattern);
	return 0;
}

int bn_exec_http_pattern_check(const char *pattern, bn_err *err)
{
	origin o;
	return pattern_parse(&o, pattern, err);
}

/* Copy part WHAT of H into OUT[size], or "" when absent. */
static bool url_part(char *out, size_t size, CURLU *h, CURLUPart what,
		     unsigned flags)
{
	const struct bn_exec_curl_fns *cu = bn_exec_curl();
	char *v = NULL;
	bool ok;

	out[0] = '\0';
	if (cu->url_get(h, what, &v, flags) != CURLUE_OK)
		return false;
	ok = strlen(v) < size;
	if (ok)
		memcpy(out, v, strlen(v) + 1);
	cu->free(v);
	return ok;
}

static bool url_has(CURLU *h, CURLUPart what)
{
	const struct bn_exec_curl_fns *cu = bn_exec_curl();
	char *v = NULL;
	bool has = cu->url_get(h, what, &v, 0) == CURLUE_OK && v && *v;
	cu->free(v);
	return has;
}

/* The origin of URL; BN_EINVAL or BN_EDENIED naming what is wrong. */
static int url_origin(origin *o, const char *url, bn_err *err)
{
	char scheme[16], host[HOST_MAX], port[8];
	CURLU *h;
	int r = bn_exec_curl_load(err);

	if (r)
		return r;
	if (!(h = bn_exec_curl()->url()))
		return bn_err_oom(err);
	memset(o, 0, sizeof(*o));
	if (bn_exec_curl()->url_set(h, CURLUPART_URL, url,
				    CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
		r = bn_err_set(err, BN_EINVAL, "'%s' is not an absolute URL",
			       url);
		goto out;
	}
	if (!url_part(scheme, sizeof(scheme), h, CURLUPART_SCHEME, 0) ||
	    (strcmp(scheme, "http") && strcmp(scheme, "https"))) {
		r = bn_err_set(err, BN_EDENIED, "%s: scheme '%s' refused: only "
			       "http and https", url, scheme);
		goto out;
	}
	o->https = !strcmp(scheme, "https");
	if (url_has(h, CURLUPART_USER) || url_has(h, CURLUPART_PASSWORD) ||
	    url_has(h, CURLUPART_OPTIONS)) {
		r = bn_err_set(err, BN_EINVAL, "a URL may not carry a user or "
			       "password; use a secret header");
		goto out;
	}
	if (url_has(h, CURLUPART_ZONEID) ||
	    !url_part(host, sizeof(host), h, CURLUPART_HOST, 0) ||
	    !set_host(o, host, strlen(host)) ||
	    !url_part(port, sizeof(port), h, CURLUPART_PORT,
		      CURLU_DEFAULT_PORT) ||
	    !parse_port(&o->port, port, strlen(port))) {
		r = bn_err_set(err, BN_EINVAL, "%s: the host or port is not "
			       "valid", url);
		goto out;
	}
out:
	bn_exec_curl()->url_cleanup(h);
	return r;
}

static bool origin_matches(const origin *pat, const origin *o)
{
	size_t hl, pl;

	if (pat->https != o->https || pat->port != o->port)
		return false;
	if (!pat->wildcard)
		return !strcmp(pat->host, o->host);
	hl = strlen(o->host);
	pl = strlen(pat->host);
	return o->family == 0 && hl > pl + 1 &&
	       o->host[hl - pl - 1] == '.' &&
	       !strcmp(o->host + hl - pl, pat->host);
}

static bool same_origin(const origin *a, const origin *b)
{
	return a->https == b->https && a->port == b->port &&
	       !strcmp(a->host, b->host);
}

/* The first pattern of POLICY matching O, into *pat; false if none. */
static bool policy_match(origin *pat, const bn_exec_http_policy *policy,
			 const origin *o)
{
	size_t i;

	for (i = 0; i < policy->n_origins; i++) {
		if (pattern_parse(pat, policy->origins[i], NULL))
			continue;
		if (origin_matches(pat, o))
			return true;
	}
	return false;
}

bool bn_exec_http_origin_allowed(const bn_exec_http_policy *policy,
				 const char *url)
{
	origin o, pat;
	return url_origin(&o, url, NULL) == 0 && policy_match(&pat, policy, &o);
}

char *bn_exec_http_url_origin(const char *url)
{
	origin o;

	if (url_origin(&o, url, NULL))
		return NULL;
	return bn_xasprintf("%s://%s%s%s:%u", o.https ? "https" : "http",
			    o.family == AF_INET6 ? "[" : "", o.host,
			    o.family == AF_INET6 ? "]" : "", o.port);
}

/* Origin of URL, which must match a pattern (into *pat). */
static int url_check(origin *o, origin *pat,
		     const bn_exec_http_policy *policy, const char *url,
		     bn_err *err)
{
	int r = url_origin(o, url, err);

	if (r)
		return r;
	if (!policy_match(pat, policy, o))
		return bn_err_set(err, BN_EDENIED, "%s: origin %s://%s%s%s:%u "
				  "is not granted", url,
				  o->https ? "https" : "http",
				  o->family == AF_INET6 ? "[" : "", o->host,
				  o->family == AF_INET6 ? "]" : "", o->port);
	return 0;
}

/* --- headers ----------------------------------------------------------- */

static bool is_token(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > HEADER_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("!#$%&'*+-.^_`|~", *s))
			return false;
	return true;
}

static bool is_reserved_header(const char *name)
{
	static const char *const names[] = { "host", "content-length",
		"transfer-encoding", "connection", NULL };
	size_t i;

	for (i = 0; names[i]; i++)
		if (!strcasecmp(name, names[i]))
			return true;
	return false;
}

/* Check one header; a secret one's value is never put in the message. */
static int header_check(const bn_exec_http_header *h, bool secret,
			bn_err *err)
{
	const char *what = secret ? "secret header" : "header";

	if (!h->name || !is_token(h->name))
		return bn_err_set(err, BN_EINVAL, "%s name '%s' is not valid",
				  what, h->name ? h->name : "(null)");
	if (is_reserved_header(h->name))
		return bn_err_set(err, BN_EINVAL, "%s '%s' is set by the host, "
				  "not by a skill", what, h->name);
	if (!h->value || strlen(h->value) > HEADER_VALUE_MAX ||
	    strpbrk(h->value, "\r\n"))
		return bn_err_set(err, BN_EINVAL, "%s '%s': the value must be "
				  "at most %d bytes with no line break", what,
				  h->name, HEADER_VALUE_MAX);
	return 0;
}

/* Overwrite then free every line of L (it may hold secret values). */
static void slist_wipe_free(struct curl_slist *l)
{
	struct curl_slist *i;

	for (i = l; i; i = i->next)
		memset(i->data, 0, strlen(i->data));
	bn_exec_curl()->slist_free_all(l);
}

static int slist_add(struct curl_slist **l, const bn_exec_http_header *h,
		     bn_err *err)
{
	size_t nl = strlen(h->name), vl = strlen(h->value);
	char *line = malloc(nl + vl + 3);
	struct curl_slist *n;

	if (!line)
		return bn_err_oom(err);
	memcpy(line, h->name, nl);
	if (vl) {
		/* "Name: value" */
		line[nl] = ':';
		line[nl + 1] = ' ';
		memcpy(line + nl + 2, h->value, vl + 1);
	} else {
		/* "Name;" is libcurl's way to send an empty value */
		line[nl] = ';';
		line[nl + 1] = '\0';
	}
	n = bn_exec_curl()->slist_append(*l, line);
	memset(line, 0, nl + vl + 2);
	free(line);
	if (!n)
		return bn_err_oom(err);
	*l = n;
	return 0;
}

static int headers_build(struct curl_slist **out,
			 const bn_exec_http_request *req, bool with_secrets,
			 bn_err *err)
{
	struct curl_slist *l = NULL;
	size_t i;
	int r = 0;

	for (i = 0; !r && i < req->n_headers; i++)
		r = slist_add(&l, &req->headers[i], err);
	for (i = 0; !r && with_secrets && i < req->n_secret_headers; i++)
		r = slist_add(&l, &req->secret_headers[i], err);
	/* "Expect:" with no value stops libcurl's 100-continue wait */
	if (!r && !(l = bn_exec_curl()->slist_append(l, "Expect:")))
		r = bn_err_oom(err);
	if (r) {
		slist_wipe_free(l);
		return r;
	}
	*out = l;
	return 0;
}

static int request_check(const bn_exec_http_request *req, bn_err *err)
{
	size_t i;
	int r;

	if (!req->url)
		return bn_err_set(err, BN_EINVAL, "the request has no URL");
	if (req->method < 0 || req->method >= BN_EXEC_HTTP_METHOD_MAX)
		return bn_err_set(err, BN_EINVAL, "unknown HTTP method %d",
				  (int)req->method);
	if (req->n_headers > HEADERS_MAX ||
	    req->n_secret_headers > HEADERS_MAX - req->n_headers)
		return bn_err_set(err, BN_EINVAL, "more than %d headers",
				  HEADERS_MAX);
	for (i = 0; i < req->n_headers; i++)
		if ((r = header_check(&req->headers[i], false, err)))
			return r;
	for (i = 0; i < req->n_secret_headers; i++) {
		const char *name = req->secret_headers[i].name;
		if ((r = header_check(&req->secret_headers[i], true, err)))
			return r;
		for (size_t j = 0; j < req->n_headers; j++)
			if (!strcasecmp(req->headers[j].name, name))
				return bn_err_set(err, BN_EINVAL, "header "
						  "'%s' is also a secret "
						  "header", name);
	}
	if (req->body_len && !req->body)
		return bn_err_set(err, BN_EINVAL, "the body is missing");
	return 0;
}

/* --- secrets echoed back ------------------------------------------------ */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* How many bytes at P (N left) spell byte B: literally, percent- or
   form-encoded, or JSON-escaped; 0 if none. */
static size_t one_byte(const char *p, size_t n, unsigned char b)
{
	static const char esc[][2] = { { '"', '"' }, { '\\', '\\' },
		{ '/', '/' }, { 'b', '\b' }, { 'f', '\f' }, { 'n', '\n' },
		{ 'r', '\r' }, { 't', '\t' } };
	int v = 0;

	if (n >= 1 && ((unsigned char)p[0] == b || (p[0] == '+' && b == ' ')))
		return 1;
	if (n >= 3 && p[0] == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0)
		return hexval(p[1]) * 16 + hexval(p[2]) == b ? 3 : 0;
	if (n < 2 || p[0] != '\\')
		return 0;
	for (size_t i = 0; i < sizeof(esc) / sizeof(esc[0]); i++)
		if (p[1] == esc[i][0] && (unsigned char)esc[i][1] == b)
			return 2;
	if (n < 6 || p[1] != 'u')
		return 0;
	for (int i = 2; i < 6; i++) {
		if (hexval(p[i]) < 0)
			return 0;
		v = v * 16 + hexval(p[i]);
	}
	return v == b ? 6 : 0;
}

/* Bytes at P (N left) that spell V (VL bytes) byte by byte; 0 if not. */
static size_t match_at(const char *p, size_t n, const char *v, size_t vl)
{
	size_t k = 0;

	for (size_t j = 0; j < vl; j++) {
		size_t m = one_byte(p + k, n - k, (unsigned char)v[j]);
		if (!m)
			return 0;
		k += m;
	}
	return k;
}

/* Overwrite every occurrence of NEEDLE (NL bytes) in BUF with '*'. */
static size_t blank_all(char *buf, size_t len, const char *needle, size_t nl)
{
	size_t n = 0;

	for (size_t i = 0; nl && i + nl <= len; i++) {
		if (memcmp(buf + i, needle, nl) == 0) {
			memset(buf + i, '*', nl);
			n++;
			i += nl - 1;
		}
	}
	return n;
}

/*
 * Overwrite V's base64 forms in BUF: for each of the three alignments V
 * can have inside a longer encoded text, and both alphabets, the run of
 * characters that depends on V's bytes alone.
 */
static size_t blank_base64(char *buf, size_t len, const char *v, size_t vl)
{
	static const char *const abc[2] = {
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" };
	size_t n = 0;

	for (size_t shift = 0; shift < 3; shift++) {
		size_t total = shift + vl, bits = total * 8;
		size_t first = (shift * 8 + 5) / 6, end = bits / 6;
		unsigned char *in = calloc(total ? total : 1, 1);
		char *enc = malloc(end + 1);
		if (!in || !enc) {
			free(in);
			free(enc);
			continue;
		}
		memcpy(in + shift, v, vl);
		for (int a = 0; a < 2; a++) {
			for (size_t c = 0; c < end; c++) {
				size_t bit = c * 6, byte = bit / 8, off = bit % 8;
				unsigned w = (unsigned)in[byte] << 8 |
					     (byte + 1 < total ? in[byte + 1] : 0);
				enc[c] = abc[a][(w >> (10 - off)) & 63];
			}
			if (end > first && end - first >= 4)
				n += blank_all(buf, len, enc + first,
					       end - first);
		}
		free(in);
		free(enc);
	}
	return n;
}

/* Overwrite every form of every use-only secret of REQ in BUF; the count. */
static size_t scrub(char *buf, size_t len, const bn_exec_http_request *req)
{
	size_t n = 0;

	for (size_t s = 0; s < req->n_scrub; s++) {
		const char *v = req->scrub[s];
		size_t vl = strlen(v);
		if (!vl)
			continue;
		for (size_t i = 0; i < len; i++) {
			size_t m = match_at(buf + i, len - i, v, vl);
			if (m) {
				memset(buf + i, '*', m);
				n++;
				i += m - 1;
			}
		}
		n += blank_base64(buf, len, v, vl);
	}
	return n;
}

/* Whether P (LEN bytes) holds a form of a use-only secret of REQ. */
static bool holds_secret(const void *p, size_t len,
			 const bn_exec_http_request *req)
{
	char *copy;
	bool found;

	if (!req->n_scrub || !len)
		return false;
	if (!(copy = malloc(len)))
		return true;   /* refuse rather than send unchecked */
	memcpy(copy, p, len);
	found = scrub(copy, len, req) > 0;
	memset(copy, 0, len);
	free(copy);
	return found;
}

/* --- one transfer ------------------------------------------------------ */

/* What the callbacks of one hop share with it. */
typedef struct hop {
	const origin *pattern;       /* the pattern that matched this hop */
	bn_buf body;                 /* the response body so far */
	size_t body_max_bytes;       /* the cap on body.len */
	bool over;                   /* the body passed the cap */
	bool nomem;                  /* an allocation failed */
	bool denied;                 /* an address was refused */
	const char *denied_kind;     /* its kind (static) */
	char denied_addr[INET6_ADDRSTRLEN];
} hop;

static size_t on_body(char *p, size_t size, size_t n, void *payload)
{
	hop *h = payload;
	size_t len = size * n;

	if (len > h->body_max_bytes - h->body.len) {
		h->over = true;
		return 0;
	}
	if (bn_buf_append(&h->body, p, len)) {
		h->nomem = true;
		return 0;
	}
	return len;
}

/* Whether the socket address SA may be connected to under H's pattern. */
static bool addr_allowed(hop *h, const struct sockaddr_storage *sa)
{
	const unsigned char *a;
	const char *kind;
	size_t alen;

	if (sa->ss_family == AF_INET) {
		a = (const void *)&((const struct sockaddr_in *)sa)->sin_addr;
		alen = 4;
		kind = kind4(a);
	} else if (sa->ss_family == AF_INET6) {
		a = (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
		alen = 16;
		kind = kind6(a);
	} else {
		h->denied_kind = "not an IP address";
		snprintf(h->denied_addr, sizeof(h->denied_addr), "family %d",
			 sa->ss_family);
		return false;
	}
	if (!strcmp(kind, "public"))
		return true;
	if (h->pattern->family == sa->ss_family &&
	    !memcmp(h->pattern->addr, a, alen))
		return true;
	h->denied_kind = kind;
	inet_ntop(sa->ss_family, a, h->denied_addr, sizeof(h->denied_addr));
	return false;
}

static curl_socket_t on_open_socket(void *payload, curlsocktype purpose,
				    struct curl_sockaddr *address)
{
	struct sockaddr_storage sa;
	hop *h = payload;

	memset(&sa, 0, sizeof(sa));
	if (purpose != CURLSOCKTYPE_IPCXN || address->addrlen > sizeof(sa)) {
		h->denied = true;
		h->denied_kind = "not an outgoing connection";
		return CURL_SOCKET_BAD;
	}
	memcpy(&sa, &address->addr, address->addrlen);
	if (!addr_allowed(h, &sa)) {
		h->denied = true;
		return CURL_SOCKET_BAD;
	}
	return socket(address->family, address->socktype | SOCK_CLOEXEC,
		      address->protocol);
}

/* Options set once for all hops. */
static int easy_setup(CURL *c, hop *h, char *errbuf, size_t body_max_bytes)
{
	CURLcode rc = CURLE_OK;

#define SET(opt, val) do { if (rc == CURLE_OK) \
		rc = bn_exec_curl()->easy_setopt(c, opt, val); } while (0)
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_PROXY, "");
	SET(CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	SET(CURLOPT_USERAGENT, "bnity/" BN_VERSION);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, h);
	SET(CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
	SET(CURLOPT_OPENSOCKETDATA, h);
	/* fails early on a Content-Length over the cap; 0 would mean none */
	if (body_max_bytes > 0)
		SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)(body_max_bytes >
			(size_t)INT64_MAX ? INT64_MAX : (int64_t)body_max_bytes));
#undef SET
	return rc == CURLE_OK ? 0 : -ENOMEM;
}

/* State of one request across its hops. */
typedef struct xfer {
	CURL *curl;
	hop h;
	origin first;                /* the origin of the request */
	origin cur;                  /* the origin of this hop */
	origin pat;                  /* the pattern that matched it */
	char *url;                   /* this hop's URL (owned) */
	const bn_exec_http_request *req;  /* the request (borrowed) */
	bool post;                   /* this hop is a POST */
	long deadline_ms;            /* monotonic */
	char errbuf[CURL_ERROR_SIZE];
} xfer;

static int hop_fail(xfer *x, const bn_exec_http_policy *policy, CURLcode rc,
		    bn_err *err)
{
	if (x->h.denied)
		return bn_err_set(err, BN_EDENIED, "%s: address %s is %s; "
				  "refused because the grant does not name "
				  "that address", x->url, x->h.denied_addr,
				  x->h.denied_kind);
	if (x->h.over || rc == CURLE_FILESIZE_EXCEEDED)
		return bn_err_set(err, BN_ELIMIT, "%s: the response body is "
				  "larger than the limit of %zu bytes", x->url,
				  policy->body_max_bytes);
	if (x->h.nomem || rc == CURLE_OUT_OF_MEMORY)
		return bn_err_oom(err);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return bn_err_set(err, BN_ELIMIT, "%s: no complete answer "
				  "within the limit of %ld ms", x->url,
				  policy->timeout_ms);
	if (rc == CURLE_UNSUPPORTED_PROTOCOL)
		return bn_err_set(err, BN_EDENIED, "%s: protocol refused: only "
				  "http and https", x->url);
	return bn_err_set(err, BN_EIO, "%s: %s", x->url,
			  x->errbuf[0] ? x->errbuf :
			  bn_exec_curl()->easy_strerror(rc));
}

/* Perform the hop at x->url; the status is in *status. */
static int hop_run(long *status, xfer *x, const bn_exec_http_policy *policy,
		   const bn_exec_http_request *req, bn_err *err)
{
	const struct bn_exec_curl_fns *cu = bn_exec_curl();
	struct curl_slist *hdrs = NULL;
	long left = x->deadline_ms - (long)bn_clock_now_ms();
	CURLcode rc;
	int r;

	if (left <= 0)
		return bn_err_set(err, BN_ELIMIT, "%s: no complete answer "
				  "within the limit of %ld ms", x->url,
				  policy->timeout_ms);
	r = headers_build(&hdrs, req, same_origin(&x->cur, &x->first), err);
	if (r)
		return r;
	bn_buf_clear(&x->h.body);
	x->h.pattern = &x->pat;
	x->h.over = x->h.nomem = x->h.denied = false;
	x->errbuf[0] = '\0';
	rc = cu->easy_setopt(x->curl, CURLOPT_URL, x->url);
	if (rc == CURLE_OK && x->post) {
		rc = cu->easy_setopt(x->curl, CURLOPT_POSTFIELDSIZE_LARGE,
				     (curl_off_t)req->body_len);
		if (rc == CURLE_OK)
			rc = cu->easy_setopt(x->curl, CURLOPT_POSTFIELDS,
					     req->body ? req->body : "");
	} else if (rc == CURLE_OK) {
		rc = cu->easy_setopt(x->curl, CURLOPT_HTTPGET, 1L);
	}
	if (rc == CURLE_OK)
		rc = cu->easy_setopt(x->curl, CURLOPT_HTTPHEADER, hdrs);
	if (rc == CURLE_OK)
		rc = cu->easy_setopt(x->curl, CURLOPT_TIMEOUT_MS, left);
	if (rc == CURLE_OK)
		rc = cu->easy_perform(x->curl);
	(void)cu->easy_setopt(x->curl, CURLOPT_HTTPHEADER, NULL);
	slist_wipe_free(hdrs);
	if (rc != CURLE_OK)
		return hop_fail(x, policy, rc, err);
	cu->easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, status);
	return 0;
}

static bool is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 ||
	       status == 307 || status == 308;
}

/* Move X to the Location of the last response; *done if there is none. */
static int redirect_next(bool *done, xfer *x, long status,
			 const bn_exec_http_policy *policy, unsigned redirects,
			 bn_err *err)
{
	char *loc = NULL;
	char *next;
	int r;

	*done = false;
	if (bn_exec_curl()->easy_getinfo(x->curl, CURLINFO_REDIRECT_URL,
					 &loc) != CURLE_OK || !loc) {
		*done = true;
		return 0;
	}
	if (redirects >= policy->max_redirects)
		return bn_err_set(err, BN_ELIMIT, "%s: redirected more than "
				  "the limit of %u times", x->url,
				  policy->max_redirects);
	next = strdup(loc);
	if (!next)
		return bn_err_oom(err);
	r = url_check(&x->cur, &x->pat, policy, next, err);
	if (!r && holds_secret(next, strlen(next), x->req))
		r = bn_err_set(err, BN_EDENIED, "the redirect URL carries a "
			       "secret the skill may only use in a header");
	if (r) {
		bn_err_prefix(err, "redirect from %s", x->url);
		free(next);
		return r;
	}
	free(x->url);
	x->url = next;
	if (status == 303 || ((status == 301 || status == 302) && x->post))
		x->post = false;
	return 0;
}

static int xfer_run(bn_exec_http_response *out, xfer *x,
		    const bn_exec_http_policy *policy,
		    const bn_exec_http_request *req, bn_err *err)
{
	unsigned redirects = 0;
	char *ctype = NULL;
	bool done = false;
	long status = 0;
	int r;

	for (;;) {
		if ((r = hop_run(&status, x, policy, req, err)))
			return r;
		if (!is_redirect(status))
			break;
		if ((r = redirect_next(&done, x, status, policy, redirects,
				       err)))
			return r;
		if (done)
			break;
		redirects++;
	}
	bn_exec_curl()->easy_getinfo(x->curl, CURLINFO_CONTENT_TYPE, &ctype);
	memset(out, 0, sizeof(*out));
	out->status = status;
	out->content_type = ctype ? bn_xstrdup(ctype) : NULL;
	out->body_len = x->h.body.len;
	out->body = bn_buf_take(&x->h.body);
	out->final_url = x->url;
	out->redirects = redirects;
	x->url = NULL;
	scrub(out->body, out->body_len, req);
	if (out->content_type)
		scrub(out->content_type, strlen(out->content_type), req);
	return 0;
}

int bn_exec_http_request_send(bn_exec_http_response *out,
			      const bn_exec_http_policy *policy,
			      const bn_exec_http_request *req, bn_err *err)
{
	xfer *x;
	int r;

	if ((r = request_check(req, err)) || (r = bn_exec_curl_load(err)))
		return r;
	if (holds_secret(req->url, strlen(req->url), req) ||
	    holds_secret(req->body, req->body_len, req))
		return bn_err_set(err, BN_EDENIED, "the request's %s carries a "
			"secret the skill may only use in a header to its "
			"origin", holds_secret(req->url, strlen(req->url), req)
			? "URL" : "body");
	x = calloc(1, sizeof(*x));
	if (!x)
		return bn_err_oom(err);
	bn_buf_init(&x->h.body, 0);
	x->h.body_max_bytes = policy->body_max_bytes;
	x->post = req->method == BN_EXEC_HTTP_POST;
	x->deadline_ms = (long)bn_clock_now_ms() + policy->timeout_ms;
	r = url_check(&x->first, &x->pat, policy, req->url, err);
	if (r)
		goto out_free;
	x->cur = x->first;
	x->req = req;
	x->url = strdup(req->url);
	x->curl = bn_exec_curl()->easy_init();
	if (!x->url || !x->curl ||
	    easy_setup(x->curl, &x->h, x->errbuf, policy->body_max_bytes)) {
		r = bn_err_oom(err);
		goto out_free;
	}
	r = xfer_run(out, x, policy, req, err);
out_free:
	if (x->curl)
		bn_exec_curl()->easy_cleanup(x->curl);
	bn_buf_clear(&x->h.body);
	free(x->url);
	free(x);
	return r;
}

void bn_exec_http_response_clear(bn_exec_http_response *r)
{
	if (!r)
		return;
	free(r->content_type);
	free(r->body);
	free(r->final_url);
	memset(r, 0, sizeof(*r));
}

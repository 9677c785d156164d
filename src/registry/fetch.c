/* SPDX-License-Identifier: MIT */
/*
 * registry/fetch.c - the registry's own small HTTP GET over libcurl:
 * https only (plain http to loopback addresses, for tests and local
 * mirrors), a body cap, a connect timeout, a whole-transfer timeout and a
 * stall timeout, redirects over https only, progress on a terminal.
 * exec/http.c is the client for skills' host calls; this one is not.
 */
#include "registry.h"
#include "exec/curl_dl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_MS 60000L
#define CONNECT_TIMEOUT_MS 10000L
#define STALL_SECONDS 15L

void bn_registry_response_clear(bn_registry_response *r)
{
	bn_buf_clear(&r->body);
	free(r->etag);
	r->etag = NULL;
	r->status = 0;
}

static bool host_is_loopback(const char *h, size_t n)
{
	if (n == 9 && strncasecmp(h, "localhost", 9) == 0)
		return true;
	if (n == 5 && strncmp(h, "[::1]", 5) == 0)
		return true;
	if (n >= 4 && strncmp(h, "127.", 4) == 0) {
		for (size_t i = 4; i < n; i++)
			if (!((h[i] >= '0' && h[i] <= '9') || h[i] == '.'))
				return false;
		return true;
	}
	return false;
}

bool bn_registry_url_allowed(const char *url)
{
	const char *h, *end;

	if (strncasecmp(url, "https://", 8) == 0)
		return url[8] != '\0';
	if (strncasecmp(url, "http://", 7) != 0)
		return false;
	h = url + 7;
	if (strchr(h, '@') && strchr(h, '@') < h + strcspn(h, "/?#"))
		return false;             /* no userinfo tricks */
	if (*h == '[')
		end = strchr(h, ']') ? strchr(h, ']') + 1 : h;
	else
		end = h + strcspn(h, ":/?#");
	return host_is_loopback(h, (size_t)(end - h));
}

typedef struct sink {
	bn_registry_response *resp;
	size_t max_bytes;
	bool too_big;
	bool progress;
	curl_off_t last_shown;
} sink;

static size_t on_body(char *p, size_t size, size_t n, void *payload)
{
	sink *k = payload;
	size_t len = size * n;

	if (len > k->max_bytes - k->resp->body.len) {
		k->too_big = true;
		return 0;
	}
	if (bn_buf_append(&k->resp->body, p, len))
		return 0;
	return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *payload)
{
	sink *k = payload;
	size_t len = size * n, i;

	if (len > 5 && strncasecmp(p, "etag:", 5) == 0) {
		const char *v = p + 5;
		size_t vl = len - 5;
		while (vl && (*v == ' ' || *v == '\t'))
			v++, vl--;
		while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' ||
			      v[vl - 1] == ' '))
			vl--;
		for (i = 0; i < vl; i++)
			if ((unsigned char)v[i] < 0x20)
				return len;       /* ignore a mangled ETag */
		free(k->resp->etag);
		k->resp->etag = vl && vl < 512 ? bn_xstrndup(v, vl) : NULL;
	}
	return len;
}

static int on_progress(void *payload, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	sink *k = payload;

	(void)ultotal;
	(void)ulnow;
	if (!k->progress || dlnow - k->last_shown < 65536)
		return 0;
	k->last_shown = dlnow;
	if (dltotal > 0)
		fprintf(stderr, "\r  downloading %lld / %lld KiB (%lld%%)",
			(long long)dlnow / 1024, (long long)dltotal / 1024,
			(long long)(dlnow * 100 / dltotal));
	else
		fprintf(stderr, "\r  downloading %lld KiB",
			(long long)dlnow / 1024);
	return 0;
}

static long timeout_ms(const bn_registry_fetch_opts *o)
{
	const char *e = secure_getenv("BNITY_FETCH_TIMEOUT_MS");
	char *end;
	long v;

	if (o && o->timeout_ms > 0)
		return o->timeout_ms;
	if (e && *e) {
		errno = 0;
		v = strtol(e, &end, 10);
		if (!errno && !*end && v > 0)
			return v;
	}
	return DEFAULT_TIMEOUT_MS;
}

/* Strip query strings from URLs in messages: they may carry tokens. */
static void url_for_message(char *out, size_t n, const char *url)
{
	size_t l = strcspn(url, "?#");
	snprintf(out, n, "%.*s", (int)(l > 300 ? 300 : l), url);
}

static int map_curl_error(CURLcode cc, const sink *k, const char *shown,
			  long tmo, bn_err *err)
{
	if (k->too_big)
		return bn_err_set(err, BN_ELIMIT,
				  "%s: the answer is larger than %zu bytes",
				  shown, k->max_bytes);
	if (cc == CURLE_OPERATION_TIMEDOUT)
		return bn_err_set(err, BN_ELIMIT,
				  "%s: no complete answer within %ld ms "
				  "(the registry hangs or is too slow)",
				  shown, tmo);
	if (cc == CURLE_UNSUPPORTED_PROTOCOL || cc == CURLE_TOO_MANY_REDIRECTS)
		return bn_err_set(err, BN_EDENIED,
				  "%s: redirected to a refused address (%s)",
				  shown, bn_exec_curl()->easy_strerror(cc));
	if (cc == CURLE_PARTIAL_FILE)
		return bn_err_set(err, BN_EIO,
				  "%s: the answer was truncated", shown);
	return bn_err_set(err, BN_EIO, "%s: %s", shown,
			  bn_exec_curl()->easy_strerror(cc));
}

static struct curl_slist *headers_for(const bn_registry_fetch_opts *o,
				      bool *oom)
{
	struct curl_slist *h = NULL, *t;
	char line[1200];

	*oom = false;
	if (o && o->etag && strlen(o->etag) < 512) {
		snprintf(line, sizeof(line), "If-None-Match: %s", o->etag);
		if (!(t = bn_exec_curl()->slist_append(h, line)))
			goto oom;
		h = t;
	}
	if (o && o->token && *o->token && strlen(o->token) < 1000) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s",
			 o->token);
		t = bn_exec_curl()->slist_append(h, line);
		explicit_bzero(line, sizeof(line));
		if (!t)
			goto oom;
		h = t;
	}
	if (o && o->accept) {
		snprintf(line, sizeof(line), "Accept: %s", o->accept);
		if (!(t = bn_exec_curl()->slist_append(h, line)))
			goto oom;
		h = t;
	}
	return h;
oom:
	*oom = true;
	bn_exec_curl()->slist_free_all(h);
	return NULL;
}

int bn_registry_fetch(bn_registry_response *out, const char *url,
		      const bn_registry_fetch_opts *o, bn_err *err)
{
	bn_registry_response resp = { 0 };
	sink k = { 0 };
	struct curl_slist *hdrs;
	char shown[320];
	long tmo = timeout_ms(o);
	bool oom, https = strncasecmp(url, "https://", 8) == 0;
	CURLcode cc;
	const struct bn_exec_curl_fns *cu;
	CURL *c;
	int r = 0;

	url_for_message(shown, sizeof(shown), url);
	if (!bn_registry_url_allowed(url))
		return bn_err_set(err, BN_EDENIED,
			"%s: refused: registries are fetched over https:// "
			"(plain http:// only from loopback addresses)", shown);
	if ((r = bn_exec_curl_load(err)))
		return r;
	cu = bn_exec_curl();
	k.max_bytes = o && o->max_bytes ? o->max_bytes :
		BN_REGISTRY_API_MAX_BYTES;
	k.resp = &resp;
	k.progress = o && o->progress && isatty(STDERR_FILENO);
	bn_buf_init(&resp.body, k.max_bytes);
	c = cu->easy_init();
	if (!c)
		return bn_err_oom(err);
	hdrs = headers_for(o, &oom);
	if (oom) {
		cu->easy_cleanup(c);
		return bn_err_oom(err);
	}
	cu->easy_setopt(c, CURLOPT_URL, url);
	cu->easy_setopt(c, CURLOPT_PROTOCOLS_STR, https ? "https" : "http");
	/* Follow redirects from https origins only, and only to https. */
	cu->easy_setopt(c, CURLOPT_FOLLOWLOCATION, https ? 1L : 0L);
	cu->easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	cu->easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	cu->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cu->easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	cu->easy_setopt(c, CURLOPT_TIMEOUT_MS, tmo);
	cu->easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	cu->easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
			tmo / 1000 < STALL_SECONDS ? (tmo + 999) / 1000 :
			STALL_SECONDS);
	cu->easy_setopt(c, CURLOPT_USERAGENT, "bnity/" BN_VERSION);
	cu->easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	cu->easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)k.max_bytes);
	cu->easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	cu->easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	cu->easy_setopt(c, CURLOPT_WRITEDATA, &k);
	cu->easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	cu->easy_setopt(c, CURLOPT_HEADERDATA, &k);
	cu->easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	cu->easy_setopt(c, CURLOPT_XFERINFODATA, &k);
	cu->easy_setopt(c, CURLOPT_NOPROGRESS, k.progress ? 0L : 1L);
	cc = cu->easy_perform(c);
	if (k.progress && k.last_shown)
		fprintf(stderr, "\r\033[K");
	if (cc == CURLE_FILESIZE_EXCEEDED)
		k.too_big = true;
	if (cc != CURLE_OK) {
		r = map_curl_error(cc, &k, shown, tmo, err);
		goto out;
	}
	cu->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
	if (resp.status == 404)
		r = bn_err_set(err, BN_ENOTFOUND, "%s: not found (HTTP 404)",
			       shown);
	else if (resp.status != 304 &&
		 (resp.status < 200 || resp.status > 299))
		r = bn_err_set(err, BN_EIO, "%s: HTTP %ld", shown,
			       resp.status);
out:
	cu->slist_free_all(hdrs);
	cu->easy_cleanup(c);
	if (r) {
		bn_registry_response_clear(&resp);
		return r;
	}
	*out = resp;
	return 0;
}

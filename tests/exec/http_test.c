/* SPDX-License-Identifier: MIT */
/*
 * tests/exec/http_test.c - the HTTP host service against a loopback server
 * (tests/exec/http_server.py): origins, addresses, redirects, limits and
 * secret headers.  Nothing here may reach a non-loopback address: every
 * such URL must be refused before a connection is made.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec/http.h"
#include "harness.h"

/* The server every test talks to (one per run). */
static struct {
	pid_t pid;
	int in_fd;            /* its stdin; closing it stops it */
	unsigned port;
	unsigned port2;       /* a second origin, same routes */
	char base[64];        /* "http://127.0.0.1:PORT" */
	char base2[64];       /* "http://127.0.0.1:PORT2" */
} srv;

static int server_start(void)
{
	const char *dir = getenv("BNITY_TEST_SRCDIR");
	char script[4096], line[32];
	int in[2], out[2];
	ssize_t n;
	size_t got = 0;

	if (!dir)
		dir = "tests/exec";
	snprintf(script, sizeof(script), "%s/http_server.py", dir);
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return -1;
	srv.pid = fork();
	if (srv.pid < 0)
		return -1;
	if (srv.pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execlp("python3", "python3", script, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	srv.in_fd = in[1];
	while (got < sizeof(line) - 1) {
		n = read(out[0], line + got, 1);
		if (n <= 0 || line[got] == '\n')
			break;
		got++;
	}
	line[got] = '\0';
	close(out[0]);
	{
		char *end;
		srv.port = (unsigned)strtoul(line, &end, 10);
		srv.port2 = (unsigned)strtoul(end, NULL, 10);
	}
	if (srv.port == 0 || srv.port2 == 0)
		return -1;
	snprintf(srv.base, sizeof(srv.base), "http://127.0.0.1:%u", srv.port);
	snprintf(srv.base2, sizeof(srv.base2), "http://127.0.0.1:%u",
		 srv.port2);
	return 0;
}

static void server_stop(void)
{
	if (srv.pid <= 0)
		return;
	close(srv.in_fd);
	kill(srv.pid, SIGTERM);
	waitpid(srv.pid, NULL, 0);
}

static char *url(const char *path)
{
	static char bufs[4][256];
	static int i;
	char *b = bufs[i++ % 4];
	snprintf(b, sizeof(bufs[0]), "%s%s", srv.base, path);
	return b;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The policy of most tests: the server's origin only. */
static bn_exec_http_policy local_policy(const char *const *origins, size_t n)
{
	bn_exec_http_policy p = BN_EXEC_HTTP_POLICY_INIT;
	p.origins = origins;
	p.n_origins = n;
	p.timeout_ms = 10000;
	return p;
}

static int do_get(bn_exec_http_response *resp, const bn_exec_http_policy *p,
		  const char *u, bn_err *err)
{
	bn_exec_http_request req = BN_EXEC_HTTP_REQUEST_INIT;
	req.url = u;
	bn_err_init(err);
	memset(resp, 0, sizeof(*resp));
	return bn_exec_http_request_send(resp, p, &req, err);
}

/* How many requests the server has served (not counting these asks). */
static long served(void)
{
	const char *o[] = { srv.base };
	bn_exec_http_policy p = local_policy(o, 1);
	bn_exec_http_response resp;
	bn_err err;
	long n = -1;

	if (do_get(&resp, &p, url("/count"), &err) == 0)
		n = strtol(resp.body, NULL, 10);
	bn_exec_http_response_clear(&resp);
	return n;
}

static void test_pattern_check(bn_t *t)
{
	static const char *const good[] = { "https://api.github.com",
		"https://*.example.org", "http://127.0.0.1:8080",
		"https://[::1]:8443", "https://Example.COM/", "http://a-b.c_d:1",
		NULL };
	static const char *const bad[] = { "api.github.com", "ftp://x.org",
		"https://", "https://*", "https://*.", "https://x.org:0",
		"https://x.org:65536", "https://x.org:8a", "https://x.org/path",
		"https://u@x.org", "https://*.127.0.0.1", "https://[::1",
		"https://1.2.3", "https://x..org", "https://*.*.org",
		"https://[fe80::1%25eth0]", NULL };
	bn_err err;
	size_t i;

	for (i = 0; good[i]; i++) {
		bn_err_init(&err);
		if (bn_exec_http_pattern_check(good[i], &err))
			printf("#   rejected good pattern %s: %s\n", good[i],
			       err.msg);
		BN_CHECK_INT(t, err.code, ==, 0);
	}
	for (i = 0; bad[i]; i++) {
		bn_err_init(&err);
		BN_CHECK_INT(t, bn_exec_http_pattern_check(bad[i], &err), ==,
			     BN_EINVAL);
		BN_CHECK_CONTAINS(t, err.msg, bad[i]);
	}
}

static void test_origin_match(bn_t *t)
{
	const char *o[] = { "https://*.example.org", "https://api.github.com",
			    "http://127.0.0.1:8080" };
	bn_exec_http_policy p = local_policy(o, 3);

	BN_CHECK(t, bn_exec_http_origin_allowed(&p, "https://a.example.org/x"));
	BN_CHECK(t, bn_exec_http_origin_allowed(&p,
		"https://a.b.example.org:443/x?y#z"));
	BN_CHECK(t, !bn_exec_http_origin_allowed(&p, "https://example.org/"));
	BN_CHECK(t, !bn_exec_http_origin_allowed(&p,
		"https://badexample.org/"));
	BN_CHECK(t, !bn_exec_http_origin_allowed(&p,
		"http://a.example.org/"));        /* http needs http:// */
	BN_CHECK(t, !bn_exec_http_origin_allowed(&p,
		"https://a.example.org:8443/"));
	BN_CHECK(t, bn_exec_http_origin_allowed(&p, "https://API.GitHub.com/"));
	BN_CHECK(t, !bn_exec_http_origin_allowed(&p,
		"https://api.github.com.evil.net/"));
	BN_CHECK(t, bn_exec_http_origin_allowed(&p, "http://127.0.0.1:8080/"));
	BN_CHECK(t, !bn_exec_http_origin_allowed(&p, "http://127.0.0.1/"));
	BN_CHECK(t, !bn_exec_http_origin_allowed(&p,
		"https://127.0.0.1:8080/"));
	BN_CHECK(t, !bn_exec_http_origin_allowed(&p,
		"http://[::ffff:127.0.0.1]:8080/"));
	BN_CHECK(t, !bn_exec_http_origin_allowed(&p, "file:///etc/passwd"));
	BN_CHECK(t, !bn_exec_http_origin_allowed(&p, "not a url"));
}

static void test_addr_kind(bn_t *t)
{
	static const char *const cases[][2] = {
		{ "8.8.8.8", "public" }, { "2606:4700::1111", "public" },
		{ "127.0.0.1", "loopback" }, { "127.255.1.2", "loopback" },
		{ "::1", "loopback" }, { "10.0.0.1", "private" },
		{ "172.16.0.1", "private" }, { "172.31.255.255", "private" },
		{ "172.32.0.1", "public" }, { "172.15.0.1", "public" },
		{ "192.168.1.1", "private" }, { "fc00::1", "private" },
		{ "fdff::1", "private" }, { "169.254.169.254", "link-local" },
		{ "fe80::1", "link-local" }, { "0.0.0.0", "unspecified" },
		{ "::", "unspecified" }, { "224.0.0.1", "multicast" },
		{ "ff02::1", "multicast" }, { "255.255.255.255", "reserved" },
		{ "100.64.0.1", "shared" }, { "::ffff:127.0.0.1", "loopback" },
		{ "::ffff:10.1.2.3", "private" },
		{ "::ffff:169.254.169.254", "link-local" },
		{ "::ffff:8.8.8.8", "public" }, { "::127.0.0.1", "loopback" },
		{ "64:ff9b::a00:1", "private" }, { "fec0::1", "private" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		BN_CHECK_STR(t, bn_exec_http_addr_kind(cases[i][0]),
			     cases[i][1]);
	BN_CHECK(t, bn_exec_http_addr_kind("example.org") == NULL);
	BN_CHECK(t, bn_exec_http_addr_kind("") == NULL);
}

static void test_get_allowed(bn_t *t)
{
	const char *o[] = { srv.base };
	bn_exec_http_policy p = local_policy(o, 1);
	bn_exec_http_response resp;
	bn_err err;

	BN_CHECK_INT(t, do_get(&resp, &p, url("/hello"), &err), ==, 0);
	BN_CHECK_INT(t, resp.status, ==, 200);
	BN_CHECK_STR(t, resp.body, "hello, world\n");
	BN_CHECK_INT(t, resp.body_len, ==, 13);
	BN_CHECK_STR(t, resp.content_type, "text/plain");
	BN_CHECK_STR(t, resp.final_url, url("/hello"));
	BN_CHECK_INT(t, resp.redirects, ==, 0);
	bn_exec_http_response_clear(&resp);
	BN_CHECK_INT(t, do_get(&resp, &p, url("/nope"), &err), ==, 0);
	BN_CHECK_INT(t, resp.status, ==, 404);
	bn_exec_http_response_clear(&resp);
}

static void test_post_body(bn_t *t)
{
	const char *o[] = { srv.base };
	bn_exec_http_policy p = local_policy(o, 1);
	bn_exec_http_header h[] = { { "Content-Type", "application/json" },
				    { "X-Api-Key", "public-key" } };
	bn_exec_http_request req = BN_EXEC_HTTP_REQUEST_INIT;
	bn_exec_http_response resp = { 0 };
	static const char body[] = "{\"a\": 1}\0binary";
	bn_err err;

	req.method = BN_EXEC_HTTP_POST;
	req.url = url("/echo");
	req.headers = h;
	req.n_headers = 2;
	req.body = body;
	req.body_len = sizeof(body) - 1;
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_http_request_send(&resp, &p, &req, &err), ==,
		     0);
	BN_CHECK_INT(t, resp.status, ==, 200);
	BN_CHECK_CONTAINS(t, resp.body, "method=POST\nx-api-key=public-key\n"
			  "body={\"a\": 1}");
	BN_CHECK_INT(t, resp.body_len, ==,
		     strlen("method=POST\nx-api-key=public-key\nbody=") +
		     sizeof(body) - 1);
	bn_exec_http_response_clear(&resp);
}

static void test_origin_not_granted(bn_t *t)
{
	const char *o[] = { "http://127.0.0.1:1", "https://*.example.org" };
	bn_exec_http_policy p = local_policy(o, 2);
	bn_exec_http_response resp;
	long before = served();
	bn_err err;
	char want[128];

	BN_CHECK_INT(t, do_get(&resp, &p, url("/hello"), &err), ==,
		     BN_EDENIED);
	snprintf(want, sizeof(want), "origin http://127.0.0.1:%u is not "
		 "granted", srv.port);
	BN_CHECK_CONTAINS(t, err.msg, want);
	BN_CHECK(t, resp.body == NULL);
	/* A private address that no pattern names: refused before any
	   connection (no route to 10/8 is ever tried) */
	BN_CHECK_INT(t, do_get(&resp, &p, "http://10.0.0.1/", &err), ==,
		     BN_EDENIED);
	BN_CHECK_CONTAINS(t, err.msg, "origin http://10.0.0.1:80 is not "
			  "granted");
	BN_CHECK_INT(t, do_get(&resp, &p, "https://example.org/", &err), ==,
		     BN_EDENIED);
	BN_CHECK_INT(t, served(), ==, before);
}

static void test_localhost_refused(bn_t *t)
{
	char pat[64], u[96];
	const char *o[] = { pat };
	bn_exec_http_policy p = local_policy(o, 1);
	bn_exec_http_response resp;
	long before = served();
	bn_err err;

	/* The pattern names `localhost`, not an address: the name resolves
	   to loopback and the connection is refused. */
	snprintf(pat, sizeof(pat), "http://localhost:%u", srv.port);
	snprintf(u, sizeof(u), "%s/hello", pat);
	BN_CHECK_INT(t, do_get(&resp, &p, u, &err), ==, BN_EDENIED);
	BN_CHECK_CONTAINS(t, err.msg, "is loopback; refused because the "
			  "grant does not name that address");
	BN_CHECK_INT(t, served(), ==, before);
	/* 127.0.0.2 is another origin than the 127.0.0.1 named */
	snprintf(pat, sizeof(pat), "http://127.0.0.1:%u", srv.port);
	snprintf(u, sizeof(u), "http://127.0.0.2:%u/hello", srv.port);
	BN_CHECK_INT(t, do_get(&resp, &p, u, &err), ==, BN_EDENIED);
	BN_CHECK_INT(t, served(), ==, before);
}

static void test_redirect_allowed(bn_t *t)
{
	const char *o[] = { srv.base };
	bn_exec_http_policy p = local_policy(o, 1);
	bn_exec_http_response resp;
	bn_err err;

	BN_CHECK_INT(t, do_get(&resp, &p, url("/redirect-ok"), &err), ==, 0);
	BN_CHECK_INT(t, resp.status, ==, 200);
	BN_CHECK_STR(t, resp.body, "hello, world\n");
	BN_CHECK_STR(t, resp.final_url, url("/hello"));
	BN_CHECK_INT(t, resp.redirects, ==, 1);
	bn_exec_http_response_clear(&resp);
}

static void test_redirect_denied(bn_t *t)
{
	const char *o[] = { srv.base };
	bn_exec_http_policy p = local_policy(o, 1);
	bn_exec_http_response resp;
	long before = served();
	bn_err err;

	BN_CHECK_INT(t, do_get(&resp, &p, url("/redirect-out"), &err), ==,
		     BN_EDENIED);
	BN_CHECK_CONTAINS(t, err.msg, "redirect from ");
	BN_CHECK_CONTAINS(t, err.msg, "origin http://10.0.0.1:80 is not "
			  "granted");
	BN_CHECK_INT(t, do_get(&resp, &p, url("/redirect-other"), &err), ==,
		     BN_EDENIED);
	BN_CHECK_CONTAINS(t, err.msg, "origin http://127.0.0.1:1 is not "
			  "granted");
	BN_CHECK_INT(t, do_get(&resp, &p, url("/redirect-file"), &err), ==,
		     BN_EDENIED);
	BN_CHECK_CONTAINS(t, err.msg, "scheme 'file' refused");
	/* only the three redirecting requests reached the server */
	BN_CHECK_INT(t, served(), ==, before + 3);
}

static void test_redirect_methods(bn_t *t)
{
	const char *o[] = { srv.base };
	bn_exec_http_policy p = local_policy(o, 1);
	bn_exec_http_request req = BN_EXEC_HTTP_REQUEST_INIT;
	bn_exec_http_response resp = { 0 };
	bn_exec_http_header sh = { "X-Api-Key", "kept-on-same-origin" };
	bn_err err;

	req.method = BN_EXEC_HTTP_POST;
	req.url = url("/redirect-307");
	req.body = "payload";
	req.body_len = 7;
	req.secret_headers = &sh;
	req.n_secret_headers = 1;
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_http_request_send(&resp, &p, &req, &err), ==,
		     0);
	BN_CHECK_STR(t, resp.body, "method=POST\nx-api-key=kept-on-same-"
		     "origin\nbody=payload");
	bn_exec_http_response_clear(&resp);
	req.url = url("/redirect-303");
	BN_CHECK_INT(t, bn_exec_http_request_send(&resp, &p, &req, &err), ==,
		     0);
	BN_CHECK_CONTAINS(t, resp.body, "method=GET\n");
	BN_CHECK_CONTAINS(t, resp.body, "body=");
	BN_CHECK(t, strstr(resp.body, "payload") == NULL);
	bn_exec_http_response_clear(&resp);
}

static void test_secret_cross_origin(bn_t *t)
{
	const char *o[] = { srv.base, srv.base2 };
	bn_exec_http_policy p = local_policy(o, 2);
	bn_exec_http_request req = BN_EXEC_HTTP_REQUEST_INIT;
	bn_exec_http_response resp = { 0 };
	bn_exec_http_header sh = { "X-Api-Key", "only-for-the-first-origin" };
	bn_exec_http_header h = { "X-api-key", "clash" };
	char path[160];
	bn_err err;

	/* a 307 to the second origin keeps the POST but not the secret */
	snprintf(path, sizeof(path), "/redirect-to?code=307&url=%s/echo",
		 srv.base2);
	req.method = BN_EXEC_HTTP_POST;
	req.url = url(path);
	req.body = "b";
	req.body_len = 1;
	req.secret_headers = &sh;
	req.n_secret_headers = 1;
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_http_request_send(&resp, &p, &req, &err), ==,
		     0);
	BN_CHECK_STR(t, resp.body, "method=POST\nx-api-key=\nbody=b");
	BN_CHECK_INT(t, resp.redirects, ==, 1);
	bn_exec_http_response_clear(&resp);
	/* a header may not shadow a secret header */
	req.url = url("/echo");
	req.headers = &h;
	req.n_headers = 1;
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_http_request_send(&resp, &p, &req, &err), ==,
		     BN_EINVAL);
	BN_CHECK_CONTAINS(t, err.msg, "also a secret header");
	BN_CHECK(t, strstr(err.msg, "only-for") == NULL);
}

static void test_too_many_redirects(bn_t *t)
{
	const char *o[] = { srv.base };
	bn_exec_http_policy p = local_policy(o, 1);
	bn_exec_http_response resp;
	bn_err err;

	p.max_redirects = 3;
	/* /chain?n=K takes K+1 redirects to reach /hello */
	BN_CHECK_INT(t, do_get(&resp, &p, url("/chain?n=1"), &err), ==, 0);
	BN_CHECK_INT(t, resp.redirects, ==, 2);     /* limit - 1 */
	bn_exec_http_response_clear(&resp);
	BN_CHECK_INT(t, do_get(&resp, &p, url("/chain?n=2"), &err), ==, 0);
	BN_CHECK_INT(t, resp.redirects, ==, 3);     /* limit */
	BN_CHECK_STR(t, resp.body, "hello, world\n");
	bn_exec_http_response_clear(&resp);
	BN_CHECK_INT(t, do_get(&resp, &p, url("/chain?n=3"), &err), ==,
		     BN_ELIMIT);                     /* limit + 1 */
	BN_CHECK_CONTAINS(t, err.msg, "redirected more than the limit of 3");
	p.max_redirects = 0;
	BN_CHECK_INT(t, do_get(&resp, &p, url("/redirect-ok"), &err), ==,
		     BN_ELIMIT);
}

static void check_cap(bn_t *t, const char *route, size_t cap, int want)
{
	const char *o[] = { srv.base };
	bn_exec_http_policy p = local_policy(o, 1);
	bn_exec_http_response resp;
	bn_err err;
	char path[64], capstr[48];

	p.body_max_bytes = cap;
	snprintf(path, sizeof(path), "%s?n=1000", route);
	BN_CHECK_INT(t, do_get(&resp, &p, url(path), &err), ==, want);
	if (want == 0) {
		BN_CHECK_INT(t, resp.body_len, ==, 1000);
	} else {
		snprintf(capstr, sizeof(capstr), "limit of %zu bytes", cap);
		BN_CHECK_CONTAINS(t, err.msg, capstr);
	}
	bn_exec_http_response_clear(&resp);
}

static void test_body_cap(bn_t *t)
{
	check_cap(t, "/big", 999, BN_ELIMIT);         /* cap below the body */
	check_cap(t, "/big", 1000, 0);                /* cap = body */
	check_cap(t, "/big", 1001, 0);
	check_cap(t, "/big-nolen", 999, BN_ELIMIT);   /* no Content-Length */
	check_cap(t, "/big-nolen", 1000, 0);
	check_cap(t, "/big-nolen", 1001, 0);
	check_cap(t, "/big", 0, BN_ELIMIT);
}

static void test_timeout(bn_t *t)
{
	const char *o[] = { srv.base };
	bn_exec_http_policy p = local_policy(o, 1);
	bn_exec_http_response resp;
	long start = now_ms();
	bn_err err;

	p.timeout_ms = 400;
	BN_CHECK_INT(t, do_get(&resp, &p, url("/slow"), &err), ==, BN_ELIMIT);
	BN_CHECK_CONTAINS(t, err.msg, "within the limit of 400 ms");
	BN_CHECK_INT(t, now_ms() - start, <, 2500);
}

static void test_schemes_refused(bn_t *t)
{
	static const char *const urls[] = { "file:///etc/passwd",
		"ftp://127.0.0.1/", "gopher://127.0.0.1/", "dict://127.0.0.1/",
		"FILE:///etc/passwd", NULL };
	const char *o[] = { srv.base, "http://127.0.0.1" };
	bn_exec_http_policy p = local_policy(o, 2);
	bn_exec_http_response resp;
	long before = served();
	bn_err err;
	size_t i;

	for (i = 0; urls[i]; i++) {
		BN_CHECK_INT(t, do_get(&resp, &p, urls[i], &err), ==,
			     BN_EDENIED);
		BN_CHECK_CONTAINS(t, err.msg, "refused: only http and https");
	}
	BN_CHECK_INT(t, do_get(&resp, &p, "/hello", &err), ==, BN_EINVAL);
	BN_CHECK_INT(t, do_get(&resp, &p, "http://user:pw@127.0.0.1/", &err),
		     ==, BN_EINVAL);
	BN_CHECK(t, strstr(err.msg, "pw") == NULL);
	BN_CHECK_INT(t, served(), ==, before);
}

static void test_headers_checked(bn_t *t)
{
	const char *o[] = { srv.base };
	bn_exec_http_policy p = local_policy(o, 1);
	bn_exec_http_request req = BN_EXEC_HTTP_REQUEST_INIT;
	bn_exec_http_response resp = { 0 };
	bn_exec_http_header inj = { "X-A", "v\r\nX-Injected: 1" };
	bn_exec_http_header host = { "Host", "evil.example" };
	bn_exec_http_header badname = { "Bad Name", "v" };
	bn_err err;

	req.url = url("/hello");
	req.headers = &inj;
	req.n_headers = 1;
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_http_request_send(&resp, &p, &req, &err), ==,
		     BN_EINVAL);
	BN_CHECK_CONTAINS(t, err.msg, "header 'X-A'");
	req.headers = &host;
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_http_request_send(&resp, &p, &req, &err), ==,
		     BN_EINVAL);
	BN_CHECK_CONTAINS(t, err.msg, "'Host' is set by the host");
	req.headers = &badname;
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_http_request_send(&resp, &p, &req, &err), ==,
		     BN_EINVAL);
}

static void test_secret_header(bn_t *t)
{
	static const char secret[] = "s3cr3t-T0ken-value";
	const char *o[] = { srv.base };
	bn_exec_http_policy p = local_policy(o, 1);
	bn_exec_http_request req = BN_EXEC_HTTP_REQUEST_INIT;
	bn_exec_http_response resp = { 0 };
	bn_exec_http_header sh = { "X-Api-Key", secret };
	bn_exec_http_header bad = { "X-Api-Key", "s3cr3t-T0ken-value\nX: 1" };
	bn_err err;

	req.method = BN_EXEC_HTTP_POST;
	req.url = url("/echo");
	req.secret_headers = &sh;
	req.n_secret_headers = 1;
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_http_request_send(&resp, &p, &req, &err), ==,
		     0);
	BN_CHECK_CONTAINS(t, resp.body, "x-api-key=s3cr3t-T0ken-value\n");
	bn_exec_http_response_clear(&resp);

	/* every failure below names what failed, never the value */
	req.url = url("/redirect-out");
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_http_request_send(&resp, &p, &req, &err), ==,
		     BN_EDENIED);
	BN_CHECK(t, strstr(err.msg, "s3cr3t") == NULL);
	req.url = url("/slow");
	p.timeout_ms = 200;
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_http_request_send(&resp, &p, &req, &err), ==,
		     BN_ELIMIT);
	BN_CHECK(t, strstr(err.msg, "s3cr3t") == NULL);
	req.url = url("/hello");
	req.secret_headers = &bad;
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_http_request_send(&resp, &p, &req, &err), ==,
		     BN_EINVAL);
	BN_CHECK_CONTAINS(t, err.msg, "secret header 'X-Api-Key'");
	BN_CHECK(t, strstr(err.msg, "s3cr3t") == NULL);
}

/* What a use-only secret may not become: part of the URL or body, or an
   echo in module memory. */
static const char scrub_secret[] = "s3cr3t/T0k\"en v+alue-42";
static const char *const scrub_list[] = { scrub_secret };
static const bn_exec_http_header scrub_header = { "X-Api-Key", scrub_secret };

/* A request that sends scrub_secret as a use-only secret header. */
static bn_exec_http_request secret_request(const char *path)
{
	bn_exec_http_request req = BN_EXEC_HTTP_REQUEST_INIT;

	req.url = url(path);
	req.secret_headers = &scrub_header;
	req.n_secret_headers = 1;
	req.scrub = scrub_list;
	req.n_scrub = 1;
	return req;
}

static void test_secret_not_in_url_or_body(bn_t *t)
{
	const char *o[] = { srv.base };
	bn_exec_http_policy p = local_policy(o, 1);
	bn_exec_http_response resp = { 0 };
	/* in the query, percent-encoded */
	bn_exec_http_request req =
		secret_request("/echo?k=s3cr3t%2FT0k%22en+v%2Balue-42");
	bn_err err;

	req.method = BN_EXEC_HTTP_POST;
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_http_request_send(&resp, &p, &req, &err), ==,
		     BN_EDENIED);
	BN_CHECK_CONTAINS(t, err.msg, "URL");
	BN_CHECK(t, strstr(err.msg, "T0k") == NULL);
	/* in the body, JSON-escaped */
	req.url = url("/echo");
	req.body = "{\"k\": \"s3cr3t\\/T0k\\\"en v+alue-42\"}";
	req.body_len = strlen(req.body);
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_http_request_send(&resp, &p, &req, &err), ==,
		     BN_EDENIED);
	BN_CHECK_CONTAINS(t, err.msg, "body");
}

static void test_secret_echo_scrubbed(bn_t *t)
{
	const char *o[] = { srv.base };
	bn_exec_http_policy p = local_policy(o, 1);
	bn_exec_http_response resp = { 0 };
	static const char *const leaks[] = {
		"s3cr3t", "czNjcjN0L1QwayJlbiB2K2FsdWUtNDI",  /* literal, b64 */
		"MzY3IzdC9UMGsi", "dithbHVl",  /* b64 at other alignments */
		"T0k", "alue-42",
		"\\u0073\\u0033", "%2FT0k" };
	bn_exec_http_request req = secret_request("/echo-forms");
	bn_err err;

	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_http_request_send(&resp, &p, &req, &err), ==,
		     0);
	BN_CHECK_CONTAINS(t, resp.body, "literal=");
	BN_CHECK_CONTAINS(t, resp.body, "uesc=");
	for (size_t i = 0; resp.body && i < sizeof(leaks) / sizeof(*leaks);
	     i++)
		BN_CHECK(t, strstr(resp.body, leaks[i]) == NULL);
	bn_exec_http_response_clear(&resp);
	/* the value split across two reads of the stream */
	req.url = url("/echo-split");
	bn_err_init(&err);
	BN_CHECK_INT(t, bn_exec_http_request_send(&resp, &p, &req, &err), ==,
		     0);
	BN_CHECK_CONTAINS(t, resp.body, "split=");
	BN_CHECK(t, resp.body && strstr(resp.body, "T0k") == NULL);
	BN_CHECK(t, resp.body && strstr(resp.body, "alue-42") == NULL);
	bn_exec_http_response_clear(&resp);
}

int main(void)
{
	bn_t t = { 0 };
	int rc;

	signal(SIGPIPE, SIG_IGN);
	BN_RUN(&t, test_pattern_check);
	BN_RUN(&t, test_origin_match);
	BN_RUN(&t, test_addr_kind);
	if (server_start()) {
		printf("Bail out! cannot start tests/exec/http_server.py\n");
		server_stop();
		return 1;
	}
	BN_RUN(&t, test_get_allowed);
	BN_RUN(&t, test_post_body);
	BN_RUN(&t, test_origin_not_granted);
	BN_RUN(&t, test_localhost_refused);
	BN_RUN(&t, test_redirect_allowed);
	BN_RUN(&t, test_redirect_denied);
	BN_RUN(&t, test_redirect_methods);
	BN_RUN(&t, test_secret_cross_origin);
	BN_RUN(&t, test_too_many_redirects);
	BN_RUN(&t, test_body_cap);
	BN_RUN(&t, test_timeout);
	BN_RUN(&t, test_schemes_refused);
	BN_RUN(&t, test_headers_checked);
	BN_RUN(&t, test_secret_header);
	BN_RUN(&t, test_secret_not_in_url_or_body);
	BN_RUN(&t, test_secret_echo_scrubbed);
	server_stop();
	rc = bn_t_done(&t);
	return rc;
}

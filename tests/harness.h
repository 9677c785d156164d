/* SPDX-License-Identifier: MIT */
/*
 * tests/harness.h - a tiny TAP test harness shared by the C tests.
 *
 * Each test is a function taking a bn_t *; checks print both values on
 * failure and mark the test failed; bn_t_run prints "ok N - name" or
 * "not ok N - name", bn_t_done prints the plan and returns the exit code.
 * Meson runs every test binary with protocol 'tap'.
 */
#ifndef BN_TESTS_HARNESS_H
#define BN_TESTS_HARNESS_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

typedef struct bn_t {
	int n;        /* tests run */
	int failed;   /* tests failed */
	int skipped;  /* tests skipped */
	int cur_fail; /* checks failed in the running test */
	const char *skip_why; /* set by BN_SKIP in the running test */
} bn_t;

#define BN_CHECK(t, cond) do { if (!(cond)) { \
	printf("#   %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	(t)->cur_fail++; } } while (0)

#define BN_CHECK_INT(t, a, op, b) do { \
	long long bn_a_ = (long long)(a), bn_b_ = (long long)(b); \
	if (!(bn_a_ op bn_b_)) { \
		printf("#   %s:%d: %s %s %s: %lld vs %lld\n", __FILE__, __LINE__, \
		       #a, #op, #b, bn_a_, bn_b_); \
		(t)->cur_fail++; } } while (0)

#define BN_CHECK_STR(t, a, b) do { \
	const char *bn_a_ = (a), *bn_b_ = (b); \
	if (!bn_a_ || !bn_b_ || strcmp(bn_a_, bn_b_) != 0) { \
		printf("#   %s:%d: %s == %s: \"%s\" vs \"%s\"\n", __FILE__, \
		       __LINE__, #a, #b, bn_a_ ? bn_a_ : "(null)", \
		       bn_b_ ? bn_b_ : "(null)"); \
		(t)->cur_fail++; } } while (0)

#define BN_CHECK_CONTAINS(t, hay, needle) do { \
	const char *bn_h_ = (hay), *bn_n_ = (needle); \
	if (!bn_h_ || !strstr(bn_h_, bn_n_)) { \
		printf("#   %s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, \
		       __LINE__, bn_h_ ? bn_h_ : "(null)", bn_n_); \
		(t)->cur_fail++; } } while (0)

#define BN_SKIP(t, why) do { (t)->skip_why = (why); return; } while (0)

static inline void bn_t_run(bn_t *t, const char *name, void (*fn)(bn_t *))
{
	t->cur_fail = 0;
	t->skip_why = NULL;
	fn(t);
	t->n++;
	fflush(stdout);
	if (t->skip_why) {
		t->skipped++;
		printf("ok %d - %s # SKIP %s\n", t->n, name, t->skip_why);
	} else if (t->cur_fail) {
		t->failed++;
		printf("not ok %d - %s\n", t->n, name);
	} else {
		printf("ok %d - %s\n", t->n, name);
	}
	fflush(stdout);
}

#define BN_RUN(t, fn) bn_t_run((t), #fn, fn)

/*
 * bn_t_db_url - the database a test's new store should use: under
 * tests/store/pg_cluster.sh a new empty PostgreSQL database (its URL,
 * owned), so that every fixture starts empty as a new BNITY_HOME does;
 * otherwise NULL (the SQLite file in the home).
 */
static inline char *bn_t_db_url(void)
{
	const char *newdb = getenv("BNITY_TEST_PG_NEWDB");
	char cmd[128], url[1024];
	unsigned n = 0;
	FILE *p;

	if (!newdb || !*newdb)
		return NULL;
	/* a name no other fixture of any test process has */
	n = (unsigned)rand() ^ (unsigned)clock();
	snprintf(cmd, sizeof(cmd), "\"$BNITY_TEST_PG_NEWDB\" bn_t_%ld_%u",
		 (long)getpid(), n);
	p = popen(cmd, "r");
	if (!p || !fgets(url, sizeof(url), p)) {
		if (p)
			pclose(p);
		fprintf(stderr, "bn_t_db_url: %s failed\n", newdb);
		abort();
	}
	pclose(p);
	url[strcspn(url, "\n")] = '\0';
	return strdup(url);
}

/* Whether tests run against PostgreSQL (tests/store/pg_cluster.sh). */
static inline bool bn_t_on_pg(void)
{
	const char *u = getenv("BNITY_DATABASE_URL");
	return u && *u;
}

static inline int bn_t_done(bn_t *t)
{
	printf("1..%d\n", t->n);
	return t->failed ? 1 : 0;
}

#endif

/* SPDX-License-Identifier: MIT */
/*
 * tests/sandbox/probes/probe.h - what every escape probe shares: a probe
 * prints one verdict line and exits 0 when the attack was stopped
 * ("blocked: ..."), or prints "ESCAPED: ..." and exits 99 when it worked.
 * Being killed (SIGSYS, a limit) also counts as stopped; the runner,
 * tests/sandbox/escape_test.sh, judges from all of it.
 */
#ifndef BN_TESTS_SANDBOX_PROBE_H
#define BN_TESTS_SANDBOX_PROBE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROBE_ESCAPED 99

/* The attack was stopped with errno E. */
static inline int probe_blocked(const char *what, int e)
{
	printf("blocked: %s (%s)\n", what, e ? strerror(e) : "refused");
	fflush(stdout);
	return 0;
}

/* The attack worked. */
static inline int probe_escaped(const char *what)
{
	printf("ESCAPED: %s\n", what);
	fflush(stdout);
	return PROBE_ESCAPED;
}

/* One probe: its name and its body (argv after the name). */
typedef struct probe {
	const char *name;
	int (*run)(int argc, char **argv);
} probe;

static inline int probe_dispatch(const probe *probes, int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PROBE [ARGS]\n", argv[0]);
		return 2;
	}
	for (; probes->name; probes++)
		if (!strcmp(probes->name, argv[1]))
			return probes->run(argc - 2, argv + 2);
	fprintf(stderr, "unknown probe '%s'\n", argv[1]);
	return 2;
}

#endif

/* SPDX-License-Identifier: MIT */
/* args.c - argv, the environment and the exit status: exits with the
 * number given as the first argument. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv)
{
	printf("argc=%d\n", argc);
	for (int i = 1; i < argc; i++)
		printf("argv[%d]=[%s] len=%zu\n", i, argv[i], strlen(argv[i]));
	const char *a = getenv("BN_TEST_A"), *b = getenv("BN_TEST_B");
	printf("BN_TEST_A=%s\n", a ? a : "(unset)");
	printf("BN_TEST_B=%s\n", b ? b : "(unset)");
	printf("BN_TEST_MISSING=%s\n", getenv("BN_TEST_MISSING") ?
	       "set" : "(unset)");
	int n = 0;
	for (char **e = environ; *e; e++)
		if (!strncmp(*e, "BN_TEST_", 8))
			n++;
	printf("BN_TEST_ vars=%d\n", n);
	setenv("BN_TEST_NEW", "made-here", 1);
	printf("after setenv=%s\n", getenv("BN_TEST_NEW"));
	fflush(stdout);
	if (argc > 1 && !strcmp(argv[1], "exit-via-exit"))
		exit(argc > 2 ? (int)strtol(argv[2], NULL, 10) : 0);
	return argc > 1 ? (int)strtol(argv[1], NULL, 10) : 0;
}

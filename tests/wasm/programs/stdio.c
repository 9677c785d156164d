/* SPDX-License-Identifier: MIT */
/* stdio.c - stdin to stdout: line, word and byte counts, uppercase
 * copy, the longest line, and lines reversed at the end. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	char line[4096];
	char **lines = NULL;
	size_t n = 0, cap = 0, bytes = 0, words = 0, longest = 0;

	while (fgets(line, sizeof line, stdin)) {
		size_t len = strlen(line);
		bytes += len;
		int in = 0;
		for (size_t i = 0; i < len; i++) {
			int sp = isspace((unsigned char)line[i]);
			if (!sp && !in)
				words++;
			in = !sp;
		}
		if (len && line[len - 1] == '\n')
			line[--len] = 0;
		if (len > longest)
			longest = len;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			lines = realloc(lines, cap * sizeof *lines);
		}
		lines[n++] = strdup(line);
		for (size_t i = 0; i < len; i++)
			line[i] = (char)toupper((unsigned char)line[i]);
		printf("%4zu: %s\n", n, line);
	}
	printf("lines=%zu words=%zu bytes=%zu longest=%zu\n", n, words, bytes,
	       longest);
	while (n > 0) {
		puts(lines[--n]);
		free(lines[n]);
	}
	free(lines);
	fprintf(stderr, "done\n");
	return ferror(stdin) ? 1 : 0;
}

/* SPDX-License-Identifier: MIT */
/* word-count: a tool skill that needs no capability.  Input
 * {"text": "..."} on stdin; output {"words", "lines", "chars"}. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "bnity.h"

int main(void)
{
	char *input = bnity_read_input(NULL), *text;
	long words = 0, lines = 0, chars = 0;
	int in_word = 0;
	const char *p;

	if (!input) {
		fprintf(stderr, "cannot read the input\n");
		return 1;
	}
	text = bnity_json_get_string(input, "text");
	if (!text) {
		fprintf(stderr, "input: expected {\"text\": \"...\"}\n");
		free(input);
		return 2;
	}
	for (p = text; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c & 0xc0) != 0x80)
			chars++;
		if (c == '\n')
			lines++;
		if (isspace(c)) {
			in_word = 0;
		} else if (!in_word) {
			in_word = 1;
			words++;
		}
	}
	if (p != text && p[-1] != '\n')
		lines++;
	printf("{\"words\": %ld, \"lines\": %ld, \"chars\": %ld}\n", words,
	       lines, chars);
	free(text);
	free(input);
	return 0;
}

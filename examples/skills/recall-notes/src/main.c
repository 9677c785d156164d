/* SPDX-License-Identifier: MIT */
/* recall-notes: a tool skill that uses the recall_memory capability.
 * Input {"query": "...", "limit": N}; output {"notes": [...]}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bnity.h"

int main(void)
{
	char *input = bnity_read_input(NULL), *query, *notes;
	const char *lim;
	int limit = 5;
	int32_t n;

	if (!input || !(query = bnity_json_get_string(input, "query"))) {
		fprintf(stderr, "input: expected {\"query\": \"...\"}\n");
		return 2;
	}
	lim = strstr(input, "\"limit\"");
	if (lim && (lim = strchr(lim, ':')))
		limit = atoi(lim + 1) > 0 ? atoi(lim + 1) : 5;
	n = bnity_recall_memory(query, strlen(query), limit);
	if (n < 0) {
		bnity_perror("recall_memory");
		return n == BNITY_EDENIED ? 3 : 1;
	}
	notes = bnity_take_result(n);
	printf("{\"notes\": %s}\n", notes ? notes : "[]");
	free(notes);
	free(query);
	free(input);
	return 0;
}

/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
/* fetch-page: a tool skill that uses the http_get capability.  Input
 * {"url": "..."}; output {"status", "bytes", "title"}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bnity.h"

/* The text inside the first <title>...</title>, or "". */
static char *find_title(const char *html)
{
	const char *a = strcasestr(html, "<title"), *b;
	if (!a || !(a = strchr(a, '>')))
		return strdup("");
	a++;
	b = strcasestr(a, "</title>");
	if (!b)
		return strdup("");
	return strndup(a, (size_t)(b - a));
}

int main(void)
{
	char *input = bnity_read_input(NULL), *url, *body, *title;
	int32_t n;

	if (!input || !(url = bnity_json_get_string(input, "url"))) {
		fprintf(stderr, "input: expected {\"url\": \"...\"}\n");
		return 2;
	}
	n = bnity_http_get(url, strlen(url), NULL, 0);
	if (n < 0) {
		bnity_perror(url);
		return n == BNITY_EDENIED ? 3 : 1;
	}
	body = bnity_take_result(n);
	if (!body) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	title = find_title(body);
	printf("{\"status\": %d, \"bytes\": %d, \"title\": ",
	       (int)bnity_http_status(), (int)n);
	bnity_json_string(title);
	printf("}\n");
	free(title);
	free(body);
	free(url);
	free(input);
	return 0;
}

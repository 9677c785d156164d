/* SPDX-License-Identifier: MIT */
/*
 * view/json.c - the small pieces every view is made of: an optional
 * string, a list of strings, and any bytes as a valid JSON string.
 */
#include "view/view.h"

#include <stdint.h>

json_t *bn_view_str_json(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *bn_view_strv_json(const bn_strv *sv)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < sv->n; i++)
		json_array_append_new(a, json_string(sv->v[i]));
	return a;
}

json_t *bn_view_text_json(const char *p, size_t n, bool *lossy)
{
	size_t bad = 0;
	json_t *j = NULL;
	bn_buf b;

	bn_buf_init(&b, n < (SIZE_MAX - 1) / 3 ? n * 3 + 1 : SIZE_MAX);
	if (bn_buf_append_utf8(&b, p, n, &bad) == 0)
		j = json_stringn(bn_buf_cstr(&b), b.len);
	bn_buf_clear(&b);
	if (lossy)
		*lossy = bad > 0;
	return j ? j : json_string("");
}

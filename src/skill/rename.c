/* SPDX-License-Identifier: MIT */
/*
 * skill/rename.c - names that can key a store folder: the slug a foreign
 * skill's name becomes, and the rewrite of its SKILL.md name line.
 *
 * Other agents' repositories hold skills named "-21risk-automation" or
 * "PDF Tools".  Installing one gives it a slug (lowercase ASCII letters,
 * digits and inner underscores, single hyphens between) and writes that slug
 * into the installed copy's frontmatter, so every reader of the copy
 * sees the one name; the caller keeps the original for display.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/fs.h"
#include "skill/manifest.h"

char *bn_skill_name_slug(const char *name)
{
	size_t n = strlen(name), k = 0;
	char *out = bn_xmalloc(BN_SKILL_SLUG_MAX + 1);
	bool gap = false;

	for (size_t i = 0; i < n && k < BN_SKILL_SLUG_MAX; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (c == '_' && k > 0 && !gap)) {
			if (gap && k > 0 && k + 1 < BN_SKILL_SLUG_MAX)
				out[k++] = '-';
			out[k++] = (char)c;
			gap = false;
		} else {
			gap = true;   /* a run of anything else is one '-' */
		}
	}
	while (k > 0 && out[k - 1] == '_')
		k--;
	out[k] = '\0';
	if (k == 0) {
		free(out);
		return bn_xstrdup("skill");
	}
	return out;
}

bool bn_skill_name_is_slug(const char *name)
{
	char *s = bn_skill_name_slug(name);
	bool same = strcmp(s, name) == 0;

	free(s);
	return same;
}

/* The end of the line starting at P (its '\n' or the end of TEXT). */
static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl : end;
}

int bn_skill_manifest_rename(const char *dir, const char *name, bn_err *err)
{
	char *file = NULL, *real = NULL, *text = NULL;
	const char *p, *end, *at = NULL, *stop = NULL;
	bn_buf out = BN_BUF_INIT;
	struct stat st;
	size_t len;
	int r = bn_skill_find_file(&file, &real, dir, err);

	if (r)
		return r;
	if ((r = bn_fs_read_file(&text, &len, file,
				 BN_SKILL_MANIFEST_MAX_BYTES, err)))
		goto out;
	end = text + len;
	p = text;
	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	if (strncmp(p, "---", 3) || (p[3] != '\n' && p[3] != '\r')) {
		r = bn_err_set(err, BN_EINVAL, "%s: no frontmatter to hold the "
			       "name '%s'", file, name);
		goto out;
	}
	const char *body = line_end(p, end) + 1;
	/* the top-level "name:" line of the frontmatter, or its end */
	for (p = body; p < end; p = line_end(p, end) + 1) {
		if (!strncmp(p, "---", 3) &&
		    (p + 3 == end || p[3] == '\n' || p[3] == '\r' ||
		     p[3] == ' ')) {
			stop = p;
			break;
		}
		if (!at && !strncmp(p, "name:", 5))
			at = p;
	}
	if (!stop) {
		r = bn_err_set(err, BN_EINVAL, "%s: the frontmatter is not "
			       "closed by a '---' line", file);
		goto out;
	}
	if (at) {
		const char *e = line_end(at, end);
		/* a value continued on indented lines goes with it */
		while (e + 1 < stop && (e[1] == ' ' || e[1] == '\t'))
			e = line_end(e + 1, end);
		bool cr = e > at && e[-1] == '\r';
		r = bn_buf_append(&out, text, (size_t)(at - text));
		if (!r)
			r = bn_buf_printf(&out, "name: %s%s", name,
					  cr ? "\r" : "");
		if (!r)
			r = bn_buf_append(&out, e, (size_t)(end - e));
	} else {
		r = bn_buf_append(&out, text, (size_t)(body - text));
		if (!r)
			r = bn_buf_printf(&out, "name: %s\n", name);
		if (!r)
			r = bn_buf_append(&out, body, (size_t)(end - body));
	}
	if (r) {
		r = bn_err_oom(err);
		goto out;
	}
	if (stat(file, &st) < 0)
		st.st_mode = 0644;
	r = bn_fs_write_atomic(file, out.data, out.len, st.st_mode & 0777,
			       err);
out:
	bn_buf_clear(&out);
	free(text);
	free(file);
	free(real);
	return r;
}

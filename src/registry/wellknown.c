/* SPDX-License-Identifier: MIT */
/*
 * registry/wellknown.c - skills a site publishes at
 * /.well-known/agent-skills/index.json:
 *   {"skills":[{"name","type","description","url","digest"}]}
 * type "skill-md": url is the SKILL.md itself; "archive": a .tar.gz or
 * .zip with SKILL.md at its root.  url is resolved against the index
 * (RFC 3986: "/x" from the site's root, "x" beside index.json, or an
 * absolute https URL); digest is "sha256:" + 64 hex of the bytes served
 * and must match before anything is unpacked.
 */
#include "registry_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/fs.h"

#define INDEX_PATH "/.well-known/agent-skills/"
#define INDEX_MAX_SKILLS 1000

static char *resolve_url(const char *site, const char *url)
{
	if (strstr(url, "://"))
		return bn_xstrdup(url);
	if (url[0] == '/')
		return bn_xasprintf("%s%s", site, url);
	return bn_xasprintf("%s" INDEX_PATH "%s", site, url);
}

static bool digest_ok(const char *d)
{
	if (!d || strncmp(d, "sha256:", 7) != 0 || strlen(d) != 71)
		return false;
	for (const char *p = d + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
		      (*p >= 'A' && *p <= 'F')))
			return false;
	return true;
}

static int fetch_one(bn_registry_candidates *out, const bn_registry_ctx *ctx,
		     const char *site, const json_t *e, size_t i,
		     const char *scratch, bn_err *err)
{
	bn_registry_fetch_opts fo = BN_REGISTRY_FETCH_OPTS_INIT;
	bn_registry_limits lim = { 0, BN_REGISTRY_SKILL_MAX_BYTES, 0 };
	const char *name = json_string_value(json_object_get(e, "name"));
	const char *type = json_string_value(json_object_get(e, "type"));
	const char *url = json_string_value(json_object_get(e, "url"));
	const char *digest = json_string_value(json_object_get(e, "digest"));
	bn_registry_response resp;
	char hex[65], *full, *dest, *tag;
	bool archive;
	int r;

	if (!name || !type || !url)
		return bn_err_set(err, BN_EINVAL,
			"index.json: skills[%zu] lacks name, type or url", i);
	if (!digest_ok(digest))
		return bn_err_set(err, BN_EINVAL,
			"index.json: skill '%s': digest must be \"sha256:\" "
			"and 64 hex digits", name);
	archive = !strcmp(type, "archive");
	if (!archive && strcmp(type, "skill-md") != 0)
		return bn_err_set(err, BN_EINVAL,
			"index.json: skill '%s': type '%s' is neither "
			"skill-md nor archive", name, type);
	full = resolve_url(site, url);
	fo.max_bytes = archive ? BN_REGISTRY_SKILL_MAX_BYTES :
		BN_REGISTRY_FILE_MAX_BYTES;
	fo.progress = ctx->progress;
	r = bn_registry_fetch(&resp, full, &fo, err);
	free(full);
	if (r)
		return r;
	bn_fs_sha256_hex(hex, resp.body.data ? resp.body.data : "",
			 resp.body.len);
	if (strcasecmp(hex, digest + 7) != 0) {
		bn_registry_response_clear(&resp);
		return bn_err_set(err, BN_EDENIED,
			"skill '%s': digest mismatch: the index says %s but "
			"the bytes served hash to sha256:%s", name, digest,
			hex);
	}
	tag = bn_xasprintf("wk-%zu", i);
	dest = bn_fs_join(scratch, tag);
	free(tag);
	r = bn_fs_mkdirs(dest, err);
	if (!r && archive)
		r = bn_registry_archive_extract(dest, resp.body.data,
						resp.body.len, &lim, 0, err);
	else if (!r)
		r = bn_registry__write_rel(dest, "SKILL.md", resp.body.data ?
					   resp.body.data : "", resp.body.len,
					   err);
	bn_registry_response_clear(&resp);
	if (!r) {
		char *md = bn_fs_join(dest, "SKILL.md");
		if (!bn_fs_is_file(md))
			r = bn_err_set(err, BN_EINVAL, "skill '%s': the "
				       "archive has no SKILL.md at its root",
				       name);
		free(md);
	}
	if (r)
		bn_err_prefix(err, "%s", site);
	else
		bn_registry__candidate_add(out, name, dest, NULL, NULL, digest);
	free(dest);
	return r;
}

int bn_registry_wellknown_fetch(bn_registry_candidates *out,
				const bn_registry_ctx *ctx,
				const bn_registry_source *src,
				const char *scratch, bn_err *err)
{
	bn_registry_candidates c = { 0 };
	const char *site = src->url;
	char *url = bn_xasprintf("%s" INDEX_PATH "index.json", site);
	json_t *j = NULL, *skills, *e;
	size_t i;
	int r = bn_registry__get_json(&j, ctx, url, NULL, url, err);

	if (r)
		goto out;
	skills = json_object_get(j, "skills");
	if (!json_is_array(skills) || json_array_size(skills) >
	    INDEX_MAX_SKILLS) {
		r = bn_err_set(err, BN_EINVAL, "%s: \"skills\" must be an "
			       "array of at most %d entries", url,
			       INDEX_MAX_SKILLS);
		goto out;
	}
	json_array_foreach(skills, i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));
		if (!name || !bn_registry_ctx_wants(ctx, name))
			continue;
		if ((r = fetch_one(&c, ctx, site, e, i, scratch, err)))
			goto out;
	}
	if (c.n == 0)
		r = bn_err_set(err, BN_ENOTFOUND, "%s: no matching skill", url);
out:
	json_decref(j);
	free(url);
	if (r) {
		bn_registry_candidates_clear(&c);
		return r;
	}
	*out = c;
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * registry/config.c - the registries boternity knows: defaults, then
 * $BNITY_HOME/config.json's "registries" object, then the environment
 * (which tests use to point everything at a server on loopback).
 */
#include "registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fs.h"

#define CONFIG_MAX_BYTES ((size_t)1 << 20)
#define DEFAULT_TTL_S 3600L

static const struct {
	const char *name;
	bn_registry_kind kind;
	const char *location;
} defaults[] = {
	{ "skills.sh", BN_REGISTRY_KIND_SKILLSSH, NULL },
	{ "anthropics/skills", BN_REGISTRY_KIND_GITHUB, "anthropics/skills" },
	{ "ComposioHQ/awesome-claude-skills", BN_REGISTRY_KIND_GITHUB,
	  "ComposioHQ/awesome-claude-skills" },
};

void bn_registry_config_clear(bn_registry_config *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].location);
	}
	free(c->v);
	free(c->home);
	free(c->skills_sh_url);
	free(c->github_api_url);
	free(c->github_raw_url);
	if (c->github_token)
		explicit_bzero(c->github_token, strlen(c->github_token));
	free(c->github_token);
	memset(c, 0, sizeof(*c));
}

static void push(bn_registry_config *c, const char *name,
		 bn_registry_kind kind, const char *loc)
{
	c->v = bn_xrealloc(c->v, (c->n + 1) * sizeof(*c->v));
	c->v[c->n].name = bn_xstrdup(name);
	c->v[c->n].kind = kind;
	c->v[c->n].location = loc ? bn_xstrdup(loc) : NULL;
	c->n++;
}

/* Replace *DST with a copy of V minus trailing slashes. */
static void set_base(char **dst, const char *v)
{
	size_t n;

	if (!v || !*v)
		return;
	free(*dst);
	n = strlen(v);
	while (n > 1 && v[n - 1] == '/')
		n--;
	*dst = bn_xstrndup(v, n);
}

static int read_file_cfg(bn_registry_config *c, const char *path,
			 bn_err *err)
{
	json_error_t je;
	json_t *j, *reg, *extra, *e;
	size_t len, i;
	char *text;
	int r;

	if (!bn_fs_is_file(path))
		return 0;
	if ((r = bn_fs_read_file(&text, &len, path, CONFIG_MAX_BYTES, err)))
		return r;
	j = json_loadb(text, len, 0, &je);
	free(text);
	if (!j)
		return bn_err_set(err, BN_EINVAL, "%s:%d: %s", path, je.line,
				  je.text);
	reg = json_object_get(j, "registries");
	if (reg && !json_is_object(reg)) {
		json_decref(j);
		return bn_err_set(err, BN_EINVAL,
				  "%s: \"registries\" must be an object", path);
	}
	set_base(&c->skills_sh_url,
		 json_string_value(json_object_get(reg, "skills_sh_url")));
	set_base(&c->github_api_url,
		 json_string_value(json_object_get(reg, "github_api_url")));
	set_base(&c->github_raw_url,
		 json_string_value(json_object_get(reg, "github_raw_url")));
	if (json_is_integer(json_object_get(reg, "cache_ttl_seconds")))
		c->cache_ttl_s = (long)json_integer_value(
			json_object_get(reg, "cache_ttl_seconds"));
	extra = json_object_get(reg, "extra");
	json_array_foreach(extra, i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));
		const char *type = json_string_value(json_object_get(e, "type"));
		const char *loc = json_string_value(
			json_object_get(e, "location"));
		bn_registry_kind k;

		if (!name || !type || !loc) {
			json_decref(j);
			return bn_err_set(err, BN_EINVAL,
				"%s: registries.extra[%zu] needs name, type "
				"and location", path, i);
		}
		if (!strcmp(type, "github"))
			k = BN_REGISTRY_KIND_GITHUB;
		else if (!strcmp(type, "skills.sh"))
			k = BN_REGISTRY_KIND_SKILLSSH;
		else if (!strcmp(type, "well-known"))
			k = BN_REGISTRY_KIND_WELLKNOWN;
		else {
			json_decref(j);
			return bn_err_set(err, BN_EINVAL,
				"%s: registries.extra[%zu].type '%s': use "
				"github, skills.sh or well-known", path, i,
				type);
		}
		push(c, name, k, loc);
	}
	json_decref(j);
	return 0;
}

int bn_registry_config_load(bn_registry_config *out, const char *home,
			    bn_err *err)
{
	bn_registry_config c = { 0 };
	char *path;
	int r;

	c.home = bn_xstrdup(home);
	c.skills_sh_url = bn_xstrdup("https://skills.sh");
	c.github_api_url = bn_xstrdup("https://api.github.com");
	c.github_raw_url = bn_xstrdup("https://raw.githubusercontent.com");
	c.cache_ttl_s = DEFAULT_TTL_S;
	for (size_t i = 0; i < sizeof(defaults) / sizeof(*defaults); i++)
		push(&c, defaults[i].name, defaults[i].kind,
		     defaults[i].location);
	path = bn_fs_join(home, "config.json");
	r = read_file_cfg(&c, path, err);
	free(path);
	if (r) {
		bn_registry_config_clear(&c);
		return r;
	}
	set_base(&c.skills_sh_url, secure_getenv("BNITY_SKILLS_SH_URL"));
	set_base(&c.github_api_url, secure_getenv("BNITY_GITHUB_API_URL"));
	set_base(&c.github_raw_url, secure_getenv("BNITY_GITHUB_RAW_URL"));
	{
		const char *t = secure_getenv("GITHUB_TOKEN");
		c.github_token = t && *t ? bn_xstrdup(t) : NULL;
	}
	*out = c;
	return 0;
}

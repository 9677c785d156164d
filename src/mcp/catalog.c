/* SPDX-License-Identifier: MIT */
/*
 * mcp/catalog.c - a bot's enabled skills as MCP offers them (see
 * mcp_int.h): tool skills as tools (spec server/tools), prompt skills as
 * prompts (server/prompts) and their files as skill://NAME/PATH
 * resources (server/resources).
 *
 * A resource is read only when its URI is in the catalog just loaded,
 * and its file is opened with openat2(2) RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS from the skill's folder, so no name a client
 * makes up, and no link inside the skill, leads out of it.
 */
#include "mcp_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fs.h"
#include "exec/grants.h"

#define SCHEMA_MAX_BYTES ((size_t)256 << 10)
#define RESOURCE_MAX_BYTES ((size_t)1 << 20)
#define RESOURCE_DEPTH_MAX 4
#define RESOURCES_PER_SKILL_MAX 200

/* FILE in DIR as a JSON object schema ({"type": "object", ...}), or
   NULL when it is missing or is not one. */
static json_t *load_schema(const char *dir, const char *file)
{
	char *path = bn_fs_join(dir, file), *text = NULL;
	const char *type;
	size_t len = 0;
	json_t *j;
	bn_err e;

	bn_err_init(&e);
	j = bn_fs_is_file(path) && bn_fs_read_file(&text, &len, path,
		SCHEMA_MAX_BYTES, &e) == 0 ? json_loadb(text, len,
		JSON_REJECT_DUPLICATES, NULL) : NULL;
	free(path);
	free(text);
	/* MCP wants an object schema on both sides */
	type = json_string_value(json_object_get(j, "type"));
	if (type && !strcmp(type, "object"))
		return j;
	json_decref(j);
	return NULL;
}

/* Whether the capabilities RES declares include NAME. */
static bool declares(const bn_skill_resolved *res, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < res->capabilities.n; i++) {
		const char *v = res->capabilities.v[i].value;
		if (!strncmp(v, name, n) && (v[n] == '\0' || v[n] == '='))
			return true;
	}
	return false;
}

/* Whether skill SK holds an HTTP grant for BOT. */
static bool holds_http(bn_store *s, const bn_store_skill *sk, const char *bot)
{
	bn_exec_grants g = { 0 };
	bool http = false;
	bn_err e;

	bn_err_init(&e);
	if (bn_exec_grant_list_of(&g, s, sk->name, sk->hash, bot, &e))
		return false;
	for (size_t i = 0; i < g.n; i++)
		if (g.v[i].cap == BN_EXEC_CAP_HTTP_GET ||
		    g.v[i].cap == BN_EXEC_CAP_HTTP_POST)
			http = true;
	bn_exec_grants_clear(&g);
	return http;
}

static json_t *tool_json(bn_store *s, const bn_store_skill *sk,
			 const bn_skill_resolved *res, const char *bot)
{
	json_t *in = load_schema(sk->dir, "schema.json");
	json_t *out = load_schema(sk->dir, "output-schema.json");
	/* it can change nothing when it declares no way to write, post or
	   run a command */
	bool read_only = !declares(res, "write_file") &&
			 !declares(res, "http_post") &&
			 !declares(res, "exec_command");
	json_t *t;

	if (!in)
		in = json_pack("{s:s, s:{}}", "type", "object", "properties");
	json_object_del(in, "$schema");
	t = json_pack("{s:s, s:s, s:o, s:{s:b, s:b}}", "name", sk->name,
		      "description", sk->manifest->description ?
		      sk->manifest->description : "", "inputSchema", in,
		      "annotations", "readOnlyHint", read_only,
		      "openWorldHint", holds_http(s, sk, bot));
	if (out) {
		json_object_del(out, "$schema");
		json_object_set_new(t, "outputSchema", out);
	}
	if (sk->manifest->name)
		json_object_set_new(t, "title", json_string(
				    sk->manifest->name));
	return t;
}

/* A resource's MIME type, from its name. */
static const char *mime_of(const char *name)
{
	static const char *const map[][2] = {
		{ ".md", "text/markdown" }, { ".txt", "text/plain" },
		{ ".json", "application/json" }, { ".yaml", "text/yaml" },
		{ ".yml", "text/yaml" }, { ".py", "text/x-python" },
		{ ".sh", "text/x-shellscript" }, { ".js", "text/javascript" },
		{ ".html", "text/html" }, { ".csv", "text/csv" },
		{ ".c", "text/x-c" }, { ".h", "text/x-c" },
		{ ".png", "image/png" }, { ".svg", "image/svg+xml" },
	};
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		size_t k = strlen(map[i][0]);
		if (n > k && !strcasecmp(name + n - k, map[i][0]))
			return map[i][1];
	}
	return "application/octet-stream";
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files of skill NAME below DIR/REL (regular files, no links, no
   dot files) into C's resources, at most *room more. */
static void add_files(bn_mcp__catalog *c, const char *name, const char *dir,
		      const char *rel, unsigned depth, size_t *room)
{
	char *path = *rel ? bn_fs_join(dir, rel) : bn_xstrdup(dir);
	DIR *d = opendir(path);
	struct dirent *de;
	bn_strv names = { 0 };

	free(path);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			bn_strv_push(&names, de->d_name);
	closedir(d);
	if (names.n > 1)
		qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	for (size_t i = 0; i < names.n && *room; i++) {
		char *r = *rel ? bn_xasprintf("%s/%s", rel, names.v[i])
			       : bn_xstrdup(names.v[i]);
		char *full = bn_fs_join(dir, r);
		struct stat st;

		if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode) &&
		    depth < RESOURCE_DEPTH_MAX) {
			add_files(c, name, dir, r, depth + 1, room);
		} else if (lstat(full, &st) == 0 && S_ISREG(st.st_mode)) {
			char *uri = bn_xasprintf("skill://%s/%s", name, r);
			json_array_append_new(c->resources, json_pack(
				"{s:s, s:s, s:s, s:I}", "uri", uri, "name",
				uri + strlen("skill://"), "mimeType",
				mime_of(r), "size", (json_int_t)st.st_size));
			json_object_set_new(c->files, uri, json_pack(
				"{s:s, s:s}", "dir", dir, "path", r));
			free(uri);
			(*room)--;
		}
		free(full);
		free(r);
	}
	bn_strv_clear(&names);
}

static void add_prompt(bn_mcp__catalog *c, const bn_store_skill *sk,
		       const bn_skill_resolved *res)
{
	size_t room = RESOURCES_PER_SKILL_MAX;

	json_array_append_new(c->prompts, json_pack("{s:s, s:s, s:[]}",
		"name", sk->name, "description", sk->manifest->description ?
		sk->manifest->description : "", "arguments"));
	json_object_set_new(c->bodies, sk->name, json_string(
		res->instructions ? res->instructions :
		sk->manifest->body ? sk->manifest->body : ""));
	add_files(c, sk->name, sk->dir, "", 0, &room);
}

int bn_mcp__catalog_load(bn_mcp__catalog *out, bn_store *s, const char *bot,
			 bn_err *err)
{
	bn_store_attachment *att = NULL;
	bn_store_skills all = { 0 };
	bn_mcp__catalog c = { json_array(), json_array(), json_array(),
			      json_object(), json_object() };
	size_t n = 0;
	int r;

	if ((r = bn_store_bot_skills(&att, &n, s, bot, err)) ||
	    (r = bn_store_skills_list(&all, s, err)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		const bn_store_skill *sk = bn_store_skills_find(&all,
								att[i].skill);
		bn_skill_resolved res = { 0 };
		bn_err e;

		bn_err_init(&e);
		/* a skill attached, then removed, is offered by no one */
		if (!att[i].enabled || !sk ||
		    bn_store_skill_resolve(&res, &all, sk->name, &e))
			continue;
		if (res.tool)
			json_array_append_new(c.tools, tool_json(s, sk, &res,
					      bot));
		else
			add_prompt(&c, sk, &res);
		bn_skill_resolved_clear(&res);
	}
	*out = c;
	memset(&c, 0, sizeof(c));
out:
	bn_mcp__catalog_clear(&c);
	bn_store_attachments_free(att, n);
	bn_store_skills_clear(&all);
	return r;
}

void bn_mcp__catalog_clear(bn_mcp__catalog *c)
{
	json_decref(c->tools);
	json_decref(c->prompts);
	json_decref(c->resources);
	json_decref(c->files);
	json_decref(c->bodies);
	memset(c, 0, sizeof(*c));
}

json_t *bn_mcp__tools_for(const json_t *tools, const char *version)
{
	json_t *v = json_deep_copy(tools), *t;
	size_t i;

	/* outputSchema, structuredContent and title came with 2025-06-18 */
	if (version && !strcmp(version, BN_MCP_PROTOCOL_OLDEST))
		json_array_foreach(v, i, t) {
			json_object_del(t, "outputSchema");
			json_object_del(t, "title");
		}
	return v;
}

json_t *bn_mcp__catalog_tool(const bn_mcp__catalog *c, const char *name)
{
	size_t i;
	json_t *t;

	json_array_foreach(c->tools, i, t)
		if (!strcmp(json_string_value(json_object_get(t, "name")),
			    name))
			return t;
	return NULL;
}

void bn_mcp__catalog_seen(char *out[3], const bn_mcp__catalog *c)
{
	const json_t *lists[3] = { c->tools, c->prompts, c->resources };

	for (int i = 0; i < 3; i++) {
		out[i] = json_dumps(lists[i], JSON_COMPACT | JSON_SORT_KEYS);
		if (!out[i])
			out[i] = bn_xstrdup("");
	}
}

/* PATH (relative) below folder DIR, opened read-only without leaving DIR
   or following a link; -1 with errno. */
static int open_beneath(const char *dir, const char *path)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH |
					   RESOLVE_NO_SYMLINKS |
					   RESOLVE_NO_MAGICLINKS };
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd;

	if (dfd < 0)
		return -1;
	fd = (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how));
	int saved = errno;
	close(dfd);
	errno = saved;
	return fd;
}

/* Read all of FD, at most MAX bytes (*len_out); NULL past MAX. */
static char *read_fd(int fd, size_t max, size_t *len_out)
{
	bn_buf b;
	char chunk[16384];

	bn_buf_init(&b, max);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (n > 0 && bn_buf_append(&b, chunk, (size_t)n))) {
			bn_buf_clear(&b);
			return NULL;
		}
		if (n == 0)
			break;
	}
	*len_out = b.len;
	if (!b.data)
		return bn_xstrdup("");
	return bn_buf_take(&b);
}

int bn_mcp__resource_read(json_t **out, const bn_mcp__catalog *c,
			  const char *uri, bn_err *err)
{
	json_t *f = json_object_get(c->files, uri), *item;
	const char *mime;
	size_t len = 0;
	char *data;
	int fd;

	if (!f) {
		bn_err_set(err, BN_ENOTFOUND, "Resource not found: %s is no "
			   "file of an enabled prompt skill of this bot (see "
			   "resources/list)", uri);
		return BN_MCP_RESOURCE_NOT_FOUND;
	}
	fd = open_beneath(json_string_value(json_object_get(f, "dir")),
			  json_string_value(json_object_get(f, "path")));
	if (fd < 0) {
		bn_err_set(err, BN_EIO, "%s: cannot open: %s", uri,
			   strerror(errno));
		return BN_MCP_RESOURCE_NOT_FOUND;
	}
	data = read_fd(fd, RESOURCE_MAX_BYTES, &len);
	close(fd);
	if (!data) {
		bn_err_set(err, BN_ELIMIT, "%s: unreadable or over %zu bytes",
			   uri, RESOURCE_MAX_BYTES);
		return BN_MCP_INTERNAL_ERROR;
	}
	mime = mime_of(uri);
	/* text when it is UTF-8 (jansson checks), else base64 */
	item = memchr(data, '\0', len) ? NULL : json_stringn(data, len);
	if (item) {
		item = json_pack("{s:s, s:s, s:o}", "uri", uri, "mimeType",
				 mime, "text", item);
	} else {
		size_t blen = sodium_base64_encoded_len(len,
			sodium_base64_VARIANT_ORIGINAL);
		char *b64 = bn_xmalloc(blen);
		sodium_bin2base64(b64, blen, (const unsigned char *)data, len,
				  sodium_base64_VARIANT_ORIGINAL);
		item = json_pack("{s:s, s:s, s:s}", "uri", uri, "mimeType",
				 mime, "blob", b64);
		free(b64);
	}
	free(data);
	*out = json_pack("{s:[o]}", "contents", item);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * agent/tools.c - the tools a session offers the model, and running the
 * model's calls to them (see loop.h for the list).
 *
 * Skill resources are opened with openat2(2) RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS from the skill's folder, so neither "..", an
 * absolute path nor a symbolic link can leave it; paths holding ".." are
 * refused before that anyway.  Tool skills run through bn_exec_run with
 * the bot set, so grants, tiers, limits and the audit log apply.
 */
#include "agent_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/fs.h"
#include "exec/executor.h"
#include "exec/script.h"

#define SCHEMA_MAX_BYTES ((size_t)256 << 10)
#define RESOURCE_DEPTH_MAX 4

bool bn_agent__tool_name_is_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 64)
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
		      "WXYZ0123456789_-") == n;
}

/* The skill's schema.json as tool parameters, or {"type": "object"}. */
static json_t *load_schema(const char *dir)
{
	char *path = bn_fs_join(dir, "schema.json"), *text = NULL;
	json_t *j = NULL;
	bn_err e;

	bn_err_init(&e);
	if (bn_fs_is_file(path) &&
	    !bn_fs_read_file(&text, NULL, path, SCHEMA_MAX_BYTES, &e))
		j = json_loads(text, 0, NULL);
	free(text);
	free(path);
	if (!json_is_object(j) ||
	    strcmp(bn_agent__block_str(j, "type"), "object") != 0) {
		json_decref(j);
		return json_pack("{s:s}", "type", "object");
	}
	json_object_del(j, "$schema");
	return j;
}

/* NAMES as a JSON array of strings (new reference). */
static json_t *names_json(const bn_strv *names)
{
	json_t *a = json_array();

	for (size_t i = 0; i < names->n; i++)
		json_array_append_new(a, json_string(names->v[i]));
	return a;
}

static json_t *builtin_tools(const bn_strv *names)
{
	json_t *enumv = names_json(names);

	return json_pack(
		"[{s:s, s:s, s:{s:s, s:{s:{s:s, s:s, s:o}}, s:[s]}},"
		" {s:s, s:s, s:{s:s, s:{s:{s:s, s:s}, s:{s:s, s:s}},"
		"  s:[s, s]}}]",
		"name", BN_AGENT__TOOL_ACTIVATE,
		"description", "Load the full instructions of one of your "
		"skills (see available_skills) and the list of its resource "
		"files. Call it before doing a task a skill describes.",
		"parameters", "type", "object", "properties", "name",
		"type", "string", "description", "The skill's name", "enum",
		enumv, "required", "name",
		"name", BN_AGENT__TOOL_RESOURCE,
		"description", "Read one resource file of a skill you have "
		"activated, by the relative path that activate_skill listed.",
		"parameters", "type", "object", "properties", "name",
		"type", "string", "description", "The skill's name", "path",
		"type", "string", "description", "The file's path relative "
		"to the skill's folder", "required", "name", "path");
}

/* run_skill_script, for the skills that declare exec_command. */
static json_t *script_tool(const bn_strv *names)
{
	json_t *enumv = names_json(names);

	return json_pack(
		"{s:s, s:s, s:{s:s, s:{s:{s:s, s:o}, s:{s:s, s:s},"
		" s:{s:s, s:{s:s}}, s:{s:s}}, s:[s, s]}}",
		"name", BN_AGENT__TOOL_SCRIPT,
		"description", "Run one of a skill's scripts (a file in its "
		"scripts/ folder, as its instructions name it) in the OS "
		"sandbox: no network, a read-only copy of the skill, a fresh "
		"work folder. Only scripts the user granted can run.",
		"parameters", "type", "object", "properties",
		"name", "type", "string", "enum", enumv,
		"script", "type", "string", "description",
		"The script's file name in scripts/",
		"args", "type", "array", "items", "type", "string",
		"input", "type", "string",
		"required", "name", "script");
}

int bn_agent__kit_init(bn_agent__kit *k, bn_store *s, const char *bot,
		       const bn_strv *names, const bn_agent_loop_options *o,
		       bn_err *err)
{
	int r;

	memset(k, 0, sizeof(*k));
	k->store = s;
	k->bot = bot;
	k->opts = o;
	if ((r = bn_store_skills_list(&k->all, s, err)))
		return r;
	k->tools = names->n ? builtin_tools(names) : json_array();
	k->skills = json_array();
	for (size_t i = 0; i < names->n; i++) {
		const char *name = names->v[i];
		const bn_store_skill *sk = bn_store_skills_find(&k->all, name);
		bn_skill_resolved res = { 0 };
		bn_err e;
		bool tool = false;

		bn_strv_push(&k->names, name);
		bn_err_init(&e);
		if (sk && !bn_store_skill_resolve(&res, &k->all, name, &e) &&
		    res.tool && bn_agent__tool_name_is_valid(name)) {
			tool = true;
			json_array_append_new(k->tools, json_pack(
				"{s:s, s:s, s:o}", "name", name,
				"description", sk->manifest->description,
				"parameters", load_schema(sk->dir)));
		}
		for (size_t c = 0; c < res.capabilities.n && sk; c++)
			if (!strncmp(res.capabilities.v[c].value,
				     "exec_command", 12) &&
			    !bn_strv_has(&k->scripted, name))
				bn_strv_push(&k->scripted, name);
		bn_skill_resolved_clear(&res);
		json_array_append_new(k->skills, json_pack(
			"{s:s, s:s, s:s, s:b}", "name", name, "type",
			tool ? "tool" : "prompt", "description",
			sk ? sk->manifest->description : "", "active", 0));
	}
	if (k->scripted.n)
		json_array_append_new(k->tools, script_tool(&k->scripted));
	return 0;
}

void bn_agent__kit_clear(bn_agent__kit *k)
{
	bn_store_skills_clear(&k->all);
	bn_strv_clear(&k->scripted);
	bn_strv_clear(&k->names);
	bn_strv_clear(&k->active);
	json_decref(k->tools);
	json_decref(k->skills);
	memset(k, 0, sizeof(*k));
}

static void set_active(bn_agent__kit *k, const char *name, bool on)
{
	json_t *sk;
	size_t i;

	json_array_foreach(k->skills, i, sk)
		if (!strcmp(bn_agent__block_str(sk, "name"), name))
			json_object_set_new(sk, "active", json_boolean(on));
}

void bn_agent__kit_reset(bn_agent__kit *k)
{
	for (size_t i = 0; i < k->active.n; i++)
		set_active(k, k->active.v[i], false);
	bn_strv_clear(&k->active);
}

void bn_agent__kit_activated(bn_agent__kit *k, const char *name)
{
	if (bn_strv_has(&k->names, name) && !bn_strv_has(&k->active, name)) {
		bn_strv_push(&k->active, name);
		set_active(k, name, true);
	}
}

/* ---- results ------------------------------------------------------------ */

/* A tool_result block; TEXT cut to the cap at a UTF-8 boundary. */
static json_t *result(bn_agent__kit *k, json_t *call, const char *text,
		      size_t len, bool is_error)
{
	size_t cap = k->opts->result_max_bytes, n = len, bad = 0;
	json_t *c;
	bn_buf v, note;

	/* the shown part as valid UTF-8: a cut never splits a character
	   and invalid bytes become U+FFFD, said at the end */
	if (n > cap) {
		n = cap;
		while (n && ((unsigned char)text[n] & 0xC0) == 0x80)
			n--;
	}
	bn_buf_init(&v, n * 3 + 512);
	bn_buf_init(&note, 256);
	if (bn_buf_append_utf8(&v, text, n, &bad))
		bn_buf_clear(&v);
	if (n < len && bn_buf_printf(&note, "\n[cut: %zu of %zu bytes "
				     "shown]", n, len))
		bn_buf_clear(&note);
	if (bad && bn_buf_printf(&note, "\n[%zu invalid UTF-8 sequence%s "
				 "replaced by U+FFFD]", bad,
				 bad == 1 ? "" : "s"))
		bn_buf_clear(&note);
	if (note.len && bn_buf_append(&v, note.data, note.len))
		bn_buf_clear(&v);
	c = json_stringn(bn_buf_cstr(&v), v.len);
	bn_buf_clear(&v);
	bn_buf_clear(&note);
	if (!c)
		c = json_string("[the tool's output could not be shown]");
	return json_pack("{s:s, s:s, s:s, s:o, s:b}", "type", "tool_result",
			 "id", bn_agent__block_str(call, "id"),
			 "name", bn_agent__block_str(call, "name"),
			 "content", c, "is_error", is_error);
}

static json_t *error_result(bn_agent__kit *k, json_t *call, const char *msg)
{
	return result(k, call, msg, strlen(msg), true);
}

/* A string argument KEY of INPUT, NULL when missing or holding a NUL. */
static const char *arg(json_t *input, const char *key)
{
	json_t *v = json_object_get(input, key);
	const char *s = json_string_value(v);
	return s && strlen(s) == json_string_length(v) ? s : NULL;
}

/* ---- activate_skill ----------------------------------------------------- */

static int list_dir(bn_buf *out, size_t *count, int dfd, const char *rel,
		    unsigned depth, size_t max)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	int r = 0;

	if (!d) {
		close(dfd);
		return 0;
	}
	while (!r && (e = readdir(d))) {
		struct stat st;
		char *path;
		if (e->d_name[0] == '.')
			continue;
		if (depth == 0 && (!strcmp(e->d_name, "SKILL.md") ||
				   !strcmp(e->d_name, "skill.md")))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		path = *rel ? bn_xasprintf("%s/%s", rel, e->d_name) :
			bn_xstrdup(e->d_name);
		if (S_ISREG(st.st_mode)) {
			if (*count < max)
				r = bn_buf_printf(out, "- %s (%lld bytes)\n",
						  path, (long long)st.st_size);
			(*count)++;
		} else if (S_ISDIR(st.st_mode) &&
			   depth + 1 < RESOURCE_DEPTH_MAX) {
			int sub = openat(dirfd(d), e->d_name, O_RDONLY |
					 O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				r = list_dir(out, count, sub, path, depth + 1,
					     max);
		}
		free(path);
	}
	closedir(d);
	return r;
}

static json_t *activate(bn_agent__kit *k, json_t *call, json_t *input)
{
	const char *name = arg(input, "name");
	const bn_store_skill *sk;
	bn_skill_resolved res = { 0 };
	bn_buf out = BN_BUF_INIT;
	size_t count = 0;
	json_t *b;
	bn_err e;
	int dfd;

	if (!name)
		return error_result(k, call, "give the skill's name: "
				    "{\"name\": \"...\"}");
	if (!bn_strv_has(&k->names, name) ||
	    !(sk = bn_store_skills_find(&k->all, name))) {
		char *m = bn_xasprintf("no skill '%s' among yours (see "
				       "available_skills)", name);
		b = error_result(k, call, m);
		free(m);
		return b;
	}
	bn_err_init(&e);
	if (bn_store_skill_resolve(&res, &k->all, name, &e))
		return error_result(k, call, e.msg);
	int r = bn_buf_puts(&out, res.instructions ? res.instructions : "");
	bn_skill_resolved_clear(&res);
	dfd = open(sk->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!r && dfd >= 0) {
		bn_buf files = BN_BUF_INIT;
		r = list_dir(&files, &count, dfd, "", 0,
			     k->opts->resources_max);
		if (!r && count)
			r = bn_buf_printf(&out, "\n\nResource files of skill "
				"'%s' (read one with read_skill_resource):\n"
				"%s%s", name, bn_buf_cstr(&files),
				count > k->opts->resources_max ?
				"- ... (more files not listed)\n" : "");
		bn_buf_clear(&files);
	}
	if (r) {
		bn_buf_clear(&out);
		return error_result(k, call, "the skill's instructions are "
				    "too large");
	}
	bn_agent__kit_activated(k, name);
	b = result(k, call, bn_buf_cstr(&out), out.len, false);
	json_object_set_new(b, "skill", json_string(name));
	bn_buf_clear(&out);
	return b;
}

/* ---- read_skill_resource ------------------------------------------------ */

static bool has_dotdot(const char *path)
{
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return true;
		p += n;
		while (*p == '/')
			p++;
	}
	return false;
}

/* Open PATH beneath DIR; an fd or -errno. */
static int open_beneath(const char *dir, const char *path)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd;

	if (dfd < 0)
		return -errno;
	fd = (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS) {
		/* before Linux 5.6: resolve, then check the prefix */
		char *full = bn_fs_join(dir, path);
		char *real = realpath(full, NULL), *rdir = realpath(dir, NULL);
		size_t dl = rdir ? strlen(rdir) : 0;
		errno = EXDEV;
		fd = -1;
		if (real && rdir && !strncmp(real, rdir, dl) &&
		    real[dl] == '/')
			fd = open(real, O_RDONLY | O_CLOEXEC | O_NOCTTY |
				  O_NOFOLLOW);
		free(full);
		free(real);
		free(rdir);
	}
	int saved = errno;
	close(dfd);
	return fd < 0 ? -saved : fd;
}

static int read_fd(bn_buf *out, int fd, size_t max)
{
	char chunk[16384];
	ssize_t n;

	bn_buf_init(out, max);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : 0;
		if (bn_buf_append(out, chunk, (size_t)n))
			return -E2BIG;
	}
}

static json_t *read_resource(bn_agent__kit *k, json_t *call, json_t *input)
{
	const char *name = arg(input, "name"), *path = arg(input, "path");
	const bn_store_skill *sk;
	bn_buf text;
	struct stat st;
	char *m = NULL;
	json_t *b;
	int fd, r;

	if (!name || !path)
		return error_result(k, call, "give {\"name\": SKILL, "
				    "\"path\": RELATIVE_PATH}");
	if (!bn_strv_has(&k->active, name) ||
	    !(sk = bn_store_skills_find(&k->all, name)))
		m = bn_xasprintf("skill '%s' is not activated: call "
				 "activate_skill first", name);
	else if (!*path || path[0] == '/' || has_dotdot(path))
		m = bn_xasprintf("path '%s' refused: give a path relative "
				 "to the skill's folder, without '..'", path);
	if (m)
		goto fail;
	fd = open_beneath(sk->dir, path);
	if (fd < 0) {
		m = bn_xasprintf("%s: %s", path, fd == -EXDEV || fd == -ELOOP ?
				 "refused: it leads outside the skill's folder"
				 : strerror(-fd));
		goto fail;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		m = bn_xasprintf("%s: not a regular file", path);
		goto fail;
	}
	r = read_fd(&text, fd, k->opts->resource_max_bytes);
	close(fd);
	if (r) {
		m = r == -E2BIG ? bn_xasprintf("%s: over the cap of %zu bytes",
			path, k->opts->resource_max_bytes) :
			bn_xasprintf("%s: %s", path, strerror(-r));
		bn_buf_clear(&text);
		goto fail;
	}
	b = json_stringn(bn_buf_cstr(&text), text.len);
	if (!b) {
		bn_buf_clear(&text);
		m = bn_xasprintf("%s: not a UTF-8 text file", path);
		goto fail;
	}
	json_decref(b);
	b = result(k, call, bn_buf_cstr(&text), text.len, false);
	bn_buf_clear(&text);
	return b;
fail:
	b = error_result(k, call, m);
	free(m);
	return b;
}

/* ---- tool skills -------------------------------------------------------- */

static bool is_offered(bn_agent__kit *k, const char *name)
{
	json_t *t;
	size_t i;

	json_array_foreach(k->tools, i, t)
		if (!strcmp(bn_agent__block_str(t, "name"), name))
			return true;
	return false;
}

static json_t *run_skill(bn_agent__kit *k, json_t *call, const char *name,
			 json_t *input)
{
	char *in = json_dumps(input, JSON_COMPACT), *m;
	bn_exec_request req = { .skill = name, .bot = k->bot, .input = in,
				.input_len = in ? strlen(in) : 0,
				.actor = k->opts ? k->opts->actor : NULL,
				.pool = k->opts ? k->opts->pool : NULL,
				.local_in_worker = k->opts &&
						   k->opts->local_in_worker };
	bn_exec_result res = { 0 };
	json_t *b;
	bn_err e;

	bn_err_init(&e);
	if (!in)
		return error_result(k, call, "out of memory");
	if (bn_exec_run_traced(&res, k->store, &req, &k->trace, &e)) {
		free(in);
		return error_result(k, call, e.msg);
	}
	free(in);
	if (res.ok) {
		b = result(k, call, res.output ? res.output : "",
			   res.output_len, false);
	} else {
		m = bn_xasprintf("skill '%s' %s (%s): %s%s%.*s%s%s%s", name,
				 res.limit ? "stopped" : "failed", res.outcome,
				 res.error ? res.error : "no message",
				 res.output_len ? "\noutput: " : "",
				 (int)(res.output_len > 4096 ? 4096 :
				       res.output_len),
				 res.output ? res.output : "",
				 res.grant_command ? "\nThe user can allow "
				 "it with: " : "", res.grant_command ?
				 res.grant_command : "", res.grant_command ?
				 " (or in the web UI's Skills tab)" : "");
		b = error_result(k, call, m);
		free(m);
	}
	if (res.audit_id)     /* for the turn's events; never sent on */
		json_object_set_new(b, "audit_id",
				    json_integer((json_int_t)res.audit_id));
	bn_exec_result_clear(&res);
	return b;
}

static json_t *run_script(bn_agent__kit *k, json_t *call, json_t *input)
{
	const char *name = arg(input, "name"), *script = arg(input, "script");
	const char *text = arg(input, "input");
	json_t *args = json_object_get(input, "args"), *v;
	const char *argv[64];
	bn_exec_script_result res = { 0 };
	size_t nargs = 0, i;
	json_t *b;
	char *m;
	bn_err e;

	if (!name || !script || !bn_strv_has(&k->scripted, name))
		return error_result(k, call, "run_skill_script needs the name "
				    "of a skill that declares exec_command and "
				    "a script");
	json_array_foreach(args, i, v) {
		if (!json_is_string(v) || nargs == 64)
			return error_result(k, call, "args: up to 64 strings");
		argv[nargs++] = json_string_value(v);
	}
	bn_exec_script_request req = { name, k->bot, script, argv, nargs,
				       text ? text : "", text ? strlen(text) : 0,
				       k->opts ? k->opts->actor : NULL };
	bn_err_init(&e);
	if (bn_exec_script_run_traced(&res, k->store, &req, &k->trace, &e))
		return error_result(k, call, e.msg);
	if (res.ok) {
		b = result(k, call, res.output ? res.output : "",
			   res.output_len, false);
	} else {
		m = bn_xasprintf("script %s of skill '%s' %s: %s", script, name,
				 res.outcome, res.error ? res.error : "");
		b = error_result(k, call, m);
		free(m);
	}
	if (res.audit_id)
		json_object_set_new(b, "audit_id",
				    json_integer((json_int_t)res.audit_id));
	bn_exec_script_result_clear(&res);
	return b;
}

/* Record in the audit log a call that ran no skill (its result B);
   best effort: the call's result goes back to the model either way. */
static json_t *noted(bn_agent__kit *k, const char *kind, const char *skill,
		     const char *detail, json_t *b)
{
	bool is_error = json_is_true(json_object_get(b, "is_error"));

	(void)bn_exec_audit_note(k->store, kind, skill, detail, k->bot,
				 &k->trace, is_error ? "error" : "ok",
				 is_error ? bn_agent__block_str(b, "content") :
				 NULL, NULL);
	return b;
}

json_t *bn_agent__kit_call(bn_agent__kit *k, json_t *call)
{
	const char *name = bn_agent__block_str(call, "name");
	json_t *input = json_object_get(call, "input");
	char *m;
	json_t *b;

	k->trace.tool_call_id = bn_agent__block_str(call, "id");
	if (json_object_get(call, "input_error")) {
		m = bn_xasprintf("%s: %s", name, bn_agent__block_str(
					 call, "input_error"));
		b = error_result(k, call, m);
		free(m);
		return b;
	}
	if (!strcmp(name, BN_AGENT__TOOL_ACTIVATE) && k->names.n)
		return noted(k, name, arg(input, "name"), NULL,
			     activate(k, call, input));
	if (!strcmp(name, BN_AGENT__TOOL_RESOURCE) && k->names.n)
		return noted(k, name, arg(input, "name"), arg(input, "path"),
			     read_resource(k, call, input));
	if (!strcmp(name, BN_AGENT__TOOL_SCRIPT) && k->scripted.n)
		return run_script(k, call, input);
	if (is_offered(k, name))
		return run_skill(k, call, name, input);
	m = bn_xasprintf("no tool named '%s'", name);
	b = noted(k, "unknown_tool", name, NULL, error_result(k, call, m));
	free(m);
	return b;
}

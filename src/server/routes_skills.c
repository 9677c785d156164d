/* SPDX-License-Identifier: MIT */
/*
 * server/routes_skills.c - /api/v1/skills: list, show (with grants, bots
 * and the resolved view), validate a path, remove, and run a tool skill.
 * The work is the store's, skill/'s and exec/'s; this file only turns
 * requests into their calls, and view/ their results into JSON.
 */
#include "server_int.h"

#include "registry/registry.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/fs.h"
#include "exec/executor.h"
#include "exec/grants.h"
#include "skill/tree.h"

/* Every installed skill into *ALL, and the one the route names into *SK
   (else BN_ENOTFOUND). */
static int route_skill(const bn_store_skill **sk, bn_store_skills *all,
		       bn_server_req *rq, bn_store *s, bn_err *err)
{
	int r = bn_store_skills_list(all, s, err);

	if (r)
		return r;
	*sk = bn_store_skills_find(all, rq->params[0]);
	return *sk ? 0 : bn_err_set(err, BN_ENOTFOUND, "no skill '%s'",
				    rq->params[0]);
}

int bn_server__skills_list(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bn_store_skills all = { 0 };
	json_t *a, *o;
	size_t i;
	int r = bn_store_skills_list(&all, s, err);

	if (r)
		return r;
	a = json_array();
	for (i = 0; i < all.n; i++)
		json_array_append_new(a, bn_view_skill_json(&all.v[i]));
	o = json_object();
	json_object_set_new(o, "skills", a);
	json_object_set_new(o, "warnings", bn_view_strv_json(&all.warnings));
	bn_store_skills_clear(&all);
	bn_server__reply(rq, MHD_HTTP_OK, o);
	return 0;
}

int bn_server__skill_show(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bn_store_skills all = { 0 };
	const bn_store_skill *sk;
	json_t *o;
	int r = route_skill(&sk, &all, rq, s, err);

	if (!r && !(r = bn_view_skill_inspect_json(&o, s, &all, sk, err)))
		bn_server__reply(rq, MHD_HTTP_OK, o);
	bn_store_skills_clear(&all);
	return r;
}

#define SKILL_FILE_MAX_BYTES ((size_t)1 << 20)  /* shown in the UI */

/* Whether PATH is a file of DIR's canonical listing (which refuses
   links and special files), so nothing outside the skill is read. */
static int listed(const char *dir, const char *path, bn_err *err)
{
	bn_buf l = BN_BUF_INIT;
	bool found = false;
	size_t n;
	int r = bn_skill_tree_listing(&l, dir, false, err);

	if (!r) {
		for (const char *cur = bn_buf_cstr(&l), *hex, *p;
		     !found && bn_skill_tree_line(&cur, &hex, &p, &n);)
			found = n == strlen(path) && !memcmp(p, path, n);
		if (!found)
			r = bn_err_set(err, BN_ENOTFOUND, "'%s' is not a file "
				       "of this skill", path);
	}
	bn_buf_clear(&l);
	return r;
}

/* ?path=REL: one file of the skill, {path, size, text, lossy} (text
   made valid UTF-8; "binary": true and no text when it holds a NUL). */
int bn_server__skill_file(bn_server_req *rq, bn_store *s, bn_err *err)
{
	const char *path = bn_server__query(rq, "path");
	bn_store_skills all = { 0 };
	const bn_store_skill *sk;
	char *full = NULL, *data = NULL;
	size_t len = 0;
	bool lossy = false;
	json_t *o;
	int r;

	if (!bn_server__need(rq, false, path && *path, "give ?path=FILE, a "
			     "file of the skill as its page lists it"))
		return 0;
	if ((r = route_skill(&sk, &all, rq, s, err)))
		goto out;
	full = bn_fs_join(sk->dir, path);
	if ((r = listed(sk->dir, path, err)) ||
	    (r = bn_fs_read_file(&data, &len, full, SKILL_FILE_MAX_BYTES,
				 err)))
		goto out;
	o = json_object();
	json_object_set_new(o, "path", json_string(path));
	json_object_set_new(o, "size", json_integer((json_int_t)len));
	if (memchr(data, '\0', len)) {
		json_object_set_new(o, "binary", json_true());
	} else {
		json_object_set_new(o, "text", bn_view_text_json(data, len,
								  &lossy));
		json_object_set_new(o, "lossy", json_boolean(lossy));
	}
	bn_server__reply(rq, MHD_HTTP_OK, o);
out:
	free(full);
	free(data);
	bn_store_skills_clear(&all);
	return r;
}

/* The body's string KEY, or NULL once a 400 saying USAGE (what to give)
   has been replied. */
static const char *need_str(bn_server_req *rq, const char *key,
			    const char *usage)
{
	bool bad = false;
	const char *v = bn_server__body_str(rq, key, &bad);

	if (!bad && !v)
		bn_server__fail(rq, MHD_HTTP_BAD_REQUEST, "give %s", usage);
	return bad ? NULL : v;
}

/* The report of TEXT's strict check as {valid, errors, warnings}. */
static json_t *hints_json(bool valid, const bn_skill_report *rep)
{
	return json_pack("{s:b, s:o, s:o}", "valid", valid, "errors",
			 bn_view_strv_json(&rep->errors), "warnings",
			 bn_view_strv_json(&rep->warnings));
}

/* Give the new skill NAME the instructions BODY under the frontmatter
   its skeleton was written with. */
static int with_instructions(bn_store *s, const char *name, const char *body,
			     bn_err *err)
{
	char *dir = bn_fs_join(bn_store_skills_dir(s), name);
	char *file = bn_fs_join(dir, "SKILL.md"), *old = NULL, *end;
	bn_buf text = BN_BUF_INIT;
	size_t len;
	int r = bn_fs_read_file(&old, &len, file, BN_SKILL_MANIFEST_MAX_BYTES,
				err);

	if (r == 0) {
		/* the frontmatter runs to the second "---" line */
		end = strstr(old + 3, "\n---\n");
		if (!end) {
			r = bn_err_set(err, BN_EIO, "%s: no frontmatter", file);
		} else {
			if (bn_buf_append(&text, old, (size_t)(end - old) + 5) ||
			    bn_buf_printf(&text, "\n%s\n", body))
				r = bn_err_set(err, -ENOMEM, "out of memory");
			else
				r = bn_store_skill_edit(s, name,
							bn_buf_cstr(&text),
							text.len, NULL, err);
		}
	}
	bn_buf_clear(&text);
	free(old);
	free(file);
	free(dir);
	return r;
}

/* {"name", "description", "instructions"?}: a new prompt skill of the
   user's own, 201 with it as GET /skills/NAME shows it in a list. */
int bn_server__skill_create(bn_server_req *rq, bn_store *s, bn_err *err)
{
	bool bad = false;
	const char *name = bn_server__body_str(rq, "name", &bad);
	const char *desc = bn_server__body_str(rq, "description", &bad);
	const char *body = bn_server__body_str(rq, "instructions", &bad);
	bn_store_skills all = { 0 };
	const bn_store_skill *sk;
	int r;

	if (!bn_server__need(rq, bad, name && desc && *desc,
			     "give {\"name\", \"description\": what it does "
			     "and when to use it, \"instructions\"?}"))
		return 0;
	if ((r = bn_store_skill_create(s, name, BN_SKILL_TYPE_PROMPT, desc,
				       err)))
		return r;
	if (body && *body && (r = with_instructions(s, name, body, err))) {
		(void)bn_registry_skill_remove(s, name, NULL);
		return r;
	}
	if ((r = bn_store_skills_list(&all, s, err)))
		return r;
	sk = bn_store_skills_find(&all, name);
	if (sk)
		bn_server__reply(rq, MHD_HTTP_CREATED, bn_view_skill_json(sk));
	else
		bn_server__fail(rq, MHD_HTTP_INTERNAL_SERVER_ERROR,
				"skill '%s' was created but is not listed", name);
	bn_store_skills_clear(&all);
	return 0;
}

/* {"text", "name"?}: the strict rules over SKILL.md text not yet saved
   (NAME: the folder it will be in), as hints for an editor. */
void bn_server__skill_check(bn_server_req *rq)
{
	bool bad = false, ok;
	const char *text = need_str(rq, "text", "{\"text\": the SKILL.md, "
				    "\"name\"?: its folder}");
	const char *name = bn_server__body_str(rq, "name", &bad);
	bn_skill_report rep = { 0 };

	if (!text || bad)
		return;
	ok = bn_skill_validate_text(&rep, text, strlen(text), NULL, name);
	bn_server__reply(rq, MHD_HTTP_OK, hints_json(ok, &rep));
	bn_skill_report_clear(&rep);
}

/* {"text"}: save a new SKILL.md for a skill of the user's own; 200 with
   the strict rules' hints, which do not refuse. */
int bn_server__skill_save(bn_server_req *rq, bn_store *s, bn_err *err)
{
	const char *text = need_str(rq, "text", "{\"text\": the new "
				    "SKILL.md}");
	bn_skill_report rep = { 0 };
	int r;

	if (!text)
		return 0;
	r = bn_store_skill_edit(s, rq->params[0], text, strlen(text), &rep,
				err);
	if (!r)
		bn_server__reply(rq, MHD_HTTP_OK, hints_json(rep.errors.n == 0,
							     &rep));
	bn_skill_report_clear(&rep);
	return r;
}

/* ?capability=SPEC: revoke the every-bot grants of SPEC ("cap",
   "cap=scope" or "all"), as `bnity skill revoke NAME SPEC` does. */
int bn_server__skill_grants_revoke(bn_server_req *rq, bn_store *s, bn_err *err)
{
	const char *spec = bn_server__query(rq, "capability");
	size_t removed = 0;
	int r;

	if (!bn_server__need(rq, false, spec,
			     "give ?capability=CAP[=SCOPE] (or all)"))
		return 0;
	r = bn_exec_grant_revoke(s, rq->params[0], NULL, spec, &removed, err);
	if (!r)
		bn_server__reply_member(rq, MHD_HTTP_OK, "revoked",
					json_integer((json_int_t)removed));
	return r;
}

/*
 * Validate PATH (a skill folder or its SKILL.md / skill.md) below ROOT into
 * REP, as bn_skill_validate would, but reading only through the folder
 * pinned below ROOT: a component of PATH swapped for a link to elsewhere
 * after the check is not followed, nor is a SKILL.md that is a link.
 */
static bool validate_below(bn_skill_report *rep, const char *root,
			   const char *path)
{
	static const char *const names[] = { "SKILL.md", "skill.md" };
	char at[64], real[PATH_MAX], *parent = NULL, *file = NULL, *text = NULL;
	const char *base, *name;
	struct stat st;
	size_t len = 0;
	ssize_t n;
	bn_err e;
	int fd = -1, r;

	bn_err_init(&e);
	r = bn_fs_open_below(&fd, root, path, &e);
	if (!r && fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode)) {
		/* a SKILL.md named: its folder, SKILL.md first */
		base = strrchr(path, '/');
		base = base ? base + 1 : path;
		close(fd);
		fd = -1;
		if (strcasecmp(base, "skill.md"))
			r = bn_err_set(&e, BN_EINVAL, "%s: not a skill folder "
				       "nor a SKILL.md file", path);
		else
			r = bn_fs_open_below(&fd, root, parent = bn_xstrndup(
				path, (size_t)(base - path)), &e);
	}
	if (!r) {
		snprintf(at, sizeof(at), "/proc/self/fd/%d", fd);
		n = readlink(at, real, sizeof(real) - 1);
		real[n > 0 ? n : 0] = '\0';
		for (size_t i = 0; i < 2; i++) {
			free(file);
			file = bn_fs_join(real, names[i]);
			bn_err_init(&e);
			r = bn_fs_read_file_at(&text, &len, fd, names[i], file,
					       BN_SKILL_MANIFEST_MAX_BYTES, &e);
			if (r != BN_ENOTFOUND)
				break;
		}
		if (r == BN_ENOTFOUND)
			bn_err_set(&e, BN_ENOTFOUND, "%s: missing SKILL.md (a "
				   "skill folder holds a SKILL.md file)", real);
	}
	if (fd >= 0)
		close(fd);
	free(parent);
	if (r) {
		bn_strv_push(&rep->errors, e.msg);
		free(file);
		return false;
	}
	name = strrchr(real, '/');
	bool ok = bn_skill_validate_text(rep, text, len, file,
					 name ? name + 1 : real);
	free(text);
	free(file);
	return ok;
}

void bn_server__skill_validate(bn_server_req *rq)
{
	bn_skill_report rep = { 0 };
	bool ok;
	const char *path = need_str(rq, "path", "{\"path\": \"a skill "
				    "folder or its SKILL.md\"}");

	if (!path || !bn_server__disk_ok(rq, path, path))
		return;
	ok = validate_below(&rep, rq->srv->opts.install_root, path);
	bn_server__reply(rq, MHD_HTTP_OK, bn_view_validation_json(path, ok,
								  &rep));
	bn_skill_report_clear(&rep);
}

void bn_server__skill_remove(bn_server_req *rq)
{
	bn_server__remove(rq, bn_registry_skill_remove);
}

/* {"input": JSON value or text, "bot": BOT?}: the result, 200 whatever
   the outcome once the skill ran. */
void bn_server__skill_run(bn_server_req *rq)
{
	bn_exec_result res = { 0 };
	uint64_t t0_us;
	bool bad = false;
	const char *bot = bn_server__body_str(rq, "bot", &bad);
	json_t *in = rq->body ? json_object_get(rq->body, "input") : NULL;
	char *text;
	bn_store *s;
	bn_err err;
	int r;

	if (bad)
		return;
	if (!in)
		text = bn_xstrdup("{}");
	else if (json_is_string(in))
		text = bn_xstrdup(json_string_value(in));
	else
		text = json_dumps(in, JSON_COMPACT | JSON_PRESERVE_ORDER |
				  JSON_ENCODE_ANY);
	if (!text) {
		bn_server__fail(rq, MHD_HTTP_INTERNAL_SERVER_ERROR,
				"out of memory");
		return;
	}
	s = bn_server__store(rq);
	if (!s) {
		free(text);
		return;
	}
	/* every tier out of process: a local skill's crash or runaway
	   loop never takes the server down */
	bn_exec_request req = { .skill = rq->params[0], .bot = bot,
				.input = text, .input_len = strlen(text),
				.pool = rq->srv->state->pool,
				.local_in_worker = true, .actor = rq->caller,
				.owner = &rq->srv->state->owner };
	bn_err_init(&err);
	t0_us = bn_clock_now_us();
	r = bn_exec_run(&res, s, &req, &err);
	t0_us = bn_clock_now_us() - t0_us;
	free(text);
	if (r) {
		bn_server__fail_err(rq, &err);
		return;
	}
	if (res.worker_pid)
		snprintf(rq->worker, sizeof(rq->worker), "%d/%u",
			 res.worker_pid, res.worker_calls);
	/* W3C Server Timing: milliseconds in the server, and of them
	   starting the worker (bench/server reads them) */
	if (res.spawn_us)
		snprintf(rq->timing, sizeof(rq->timing),
			 "run;dur=%.3f, spawn;dur=%.3f", (double)t0_us / 1e3,
			 (double)res.spawn_us / 1e3);
	else
		snprintf(rq->timing, sizeof(rq->timing), "run;dur=%.3f",
			 (double)t0_us / 1e3);
	bn_server__reply(rq, MHD_HTTP_OK, bn_view_run_json(&res));
	bn_exec_result_clear(&res);
}

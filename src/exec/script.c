/* SPDX-License-Identifier: MIT */
/*
 * exec/script.c - a skill's scripts/NAME under the OS sandbox (script.h).
 *
 * The script sees a copy of its skill folder (read-only) and an empty
 * work folder (read-write), both in a fresh scratch folder removed after
 * the run, and nothing else but the system's programs and libraries; it
 * has no network.  Its stdin, stdout and stderr are memfds the broker
 * reads back with the tier's output cap.
 */
#include "script.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fault.h"
#include "base/fs.h"
#include "exec/audit.h"
#include "exec/grants.h"
#include "exec_int.h"
#include "sandbox/sandbox.h"

#define SCRIPT_ARGS_MAX 64
#define NOBODY 65534

void bn_exec_script_result_clear(bn_exec_script_result *r)
{
	free(r->output);
	free(r->error);
	free(r->notice);
	memset(r, 0, sizeof(*r));
}

/* A script is named by a plain file name inside scripts/. */
static bool script_name_ok(const char *n)
{
	size_t len = strlen(n);
	return len > 0 && len <= 128 && !strchr(n, '/') && n[0] != '.';
}

/* The interpreter for a script without its own execute bit. */
static const char *interpreter(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (dot && !strcmp(dot, ".py"))
		return "/usr/bin/python3";
	if (dot && (!strcmp(dot, ".sh") || !strcmp(dot, ".bash")))
		return "/bin/sh";
	if (dot && !strcmp(dot, ".js"))
		return "/usr/bin/node";
	return NULL;
}

void bn_exec__open_tree(const char *tree)
{
	struct stat st;

	if (stat(tree, &st) < 0)
		return;
	(void)chmod(tree, S_ISDIR(st.st_mode) ? 0755 : (st.st_mode & 0100 ?
							 0755 : 0644));
	if (!S_ISDIR(st.st_mode))
		return;
	bn_strv names = { 0 };
	DIR *d = opendir(tree);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			bn_strv_push(&names, de->d_name);
	if (d)
		closedir(d);
	for (size_t i = 0; i < names.n; i++) {
		char *p = bn_fs_join(tree, names.v[i]);
		if (lstat(p, &st) == 0 && !S_ISLNK(st.st_mode))
			bn_exec__open_tree(p);
		free(p);
	}
	bn_strv_clear(&names);
}

static int deny(bn_exec_script_result *res, bn_store *s, int64_t id,
		const char *script, const char *why)
{
	(void)bn_exec_audit_call(s, id, "exec_command", script, false, why,
				 NULL);
	res->outcome = "denied";
	res->exit_code = -1;
	res->error = bn_xasprintf("exec_command=%s is not granted: %s", script,
				  why);
	return 0;
}

int bn_exec_script_run(bn_exec_script_result *out, bn_store *s,
		       const bn_exec_script_request *req, bn_err *err)
{
	return bn_exec_script_run_traced(out, s, req, NULL, err);
}

int bn_exec_script_run_traced(bn_exec_script_result *out, bn_store *s,
			      const bn_exec_script_request *req,
			      const bn_exec_trace *trace, bn_err *err)
{
	bn_exec_script_result res = { 0 };
	bn_exec__run run;
	const bn_exec_limits *lim = &run.limits;
	const bn_store_skill *sk;
	char *path = NULL, *scratch = NULL, *copy = NULL, *work = NULL;
	char *home_env = NULL, *tmp_env = NULL, *skill_env = NULL;
	int fds[3] = { -1, -1, -1 };
	int64_t id = 0;
	int r;

	if (!script_name_ok(req->script))
		return bn_err_set(err, BN_EINVAL, "script '%s': name a file in "
				  "the skill's scripts/ folder", req->script);
	if (req->nargs > SCRIPT_ARGS_MAX)
		return bn_err_set(err, BN_EINVAL, "more than %d arguments",
				  SCRIPT_ARGS_MAX);
	if ((r = bn_exec__run_open(&run, s, req->skill, req->bot, req->input,
				   req->input_len, err)))
		goto out;
	run.ar.actor = req->actor;
	if (trace)
		run.ar.trace = *trace;
	sk = run.sk;
	path = bn_xasprintf("%s/scripts/%s", sk->dir, req->script);
	if (!bn_fs_is_file(path)) {
		r = bn_err_set(err, BN_ENOTFOUND, "skill '%s' has no script "
			       "scripts/%s", req->skill, req->script);
		r = bn_exec__run_refuse(&run, r, err);
		goto out;
	}
	if ((r = bn_exec__run_begin(&run, err)))
		goto out;
	id = run.audit_id;
	res.audit_id = id;
	res.notice = run.notice ? bn_xstrdup(run.notice) : NULL;
	/* the bot's own rows or, without a bot, every-bot rows only
	   (bn_exec__run_begin) */
	const bn_exec_grant *g = NULL;
	for (size_t i = 0; i < run.grants.n && !g; i++)
		if (run.grants.v[i].cap == BN_EXEC_CAP_EXEC_COMMAND &&
		    bn_exec_scope_covers(BN_EXEC_CAP_EXEC_COMMAND,
					 run.grants.v[i].scope, req->script))
			g = &run.grants.v[i];
	if (!g) {
		r = deny(&res, s, id, req->script, "no grant of exec_command "
			 "covers this script");
		goto end;
	}
	(void)bn_exec_audit_call(s, id, "exec_command", req->script, true,
				 "script run in the OS sandbox", NULL);

	/* the scratch: a copy of the skill (read-only) and a work folder */
	char tpl[] = "/tmp/bnity-script-XXXXXX";
	if (!mkdtemp(tpl)) {
		r = bn_err_set(err, BN_EIO, "scratch folder: %s",
			       strerror(errno));
		goto fail;
	}
	scratch = bn_xstrdup(tpl);
	copy = bn_fs_join(scratch, "skill");
	work = bn_fs_join(scratch, "work");
	bn_fault_replace("run-before-load", path);
	/* the copy is what runs: it must be the content that was checked */
	if ((r = bn_fs_copytree(sk->dir, copy, err)) ||
	    (r = bn_exec__run_loaded(&run, sk->name, copy, NULL, err)) ||
	    (r = bn_fs_mkdirs(work, err)))
		goto fail;
	bn_exec__open_tree(scratch);
	uid_t uid = getuid() ? getuid() : NOBODY;
	gid_t gid = getgid() ? getgid() : NOBODY;
	if (chown(work, uid, gid) < 0 && getuid() == 0) {
		r = bn_err_set(err, BN_EIO, "%s: %s", work, strerror(errno));
		goto fail;
	}
	(void)chmod(work, 0700);

	fds[0] = bn_exec__memfd_with("bnity-script-in", req->input ?
				     req->input : "", req->input_len);
	fds[1] = memfd_create("bnity-script-out", MFD_CLOEXEC);
	fds[2] = memfd_create("bnity-script-err", MFD_CLOEXEC);
	if (fds[0] < 0 || fds[1] < 0 || fds[2] < 0) {
		r = bn_err_set(err, BN_EIO, "stdio: %s", strerror(errno));
		goto fail;
	}

	char *script_copy = bn_xasprintf("%s/scripts/%s", copy, req->script);
	struct stat st;
	const char *interp = NULL;
	if (stat(script_copy, &st) == 0 && !(st.st_mode & 0111))
		interp = interpreter(req->script);
	const char *argv[SCRIPT_ARGS_MAX + 3];
	size_t k = 0;
	if (interp)
		argv[k++] = interp;
	argv[k++] = script_copy;
	for (size_t i = 0; i < req->nargs; i++)
		argv[k++] = req->args[i];
	argv[k] = NULL;
	home_env = bn_xasprintf("HOME=%s", work);
	tmp_env = bn_xasprintf("TMPDIR=%s", work);
	skill_env = bn_xasprintf("SKILL_DIR=%s", copy);
	const char *envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin", home_env,
			       tmp_env, skill_env, "LANG=C", NULL };
	const char *ro[] = { copy };
	const char *rw[] = { work };
	bn_sandbox_policy pol = BN_SANDBOX_POLICY_INIT;
	bn_sandbox_target tg = { 0 };
	bn_sandbox_result sr = { 0 };
	char *weak = NULL;
	pol.read_paths = ro;
	pol.n_read_paths = 1;
	pol.write_paths = rw;
	pol.n_write_paths = 1;
	pol.allow_exec = true;
	pol.memory_bytes = lim->memory_bytes;
	/* 64 bits all the way down: the limits were range-checked where
	   they entered (bn_exec_limits_check) */
	pol.cpu_seconds = lim->timeout_ms / 1000 + 1;
	pol.file_size_bytes = lim->output_bytes;
	pol.wall_ms = lim->timeout_ms;
	pol.allow_weaker = bn_exec__allow_weaker();
	pol.uid = uid;
	pol.gid = gid;
	tg.argv = argv;
	tg.envp = envp;
	bn_sandbox_target_stdio(&tg, &pol, fds);
	r = bn_sandbox_run(&sr, &weak, &pol, &tg, err);
	free(script_copy);
	if (r) {
		free(weak);
		if (r == BN_EDENIED)
			bn_err_prefix(err, "script not run: the OS sandbox it "
				      "requires is not available (set "
				      "BNITY_SANDBOX_ALLOW_WEAKER=1 to accept "
				      "weaker confinement)");
		goto fail;
	}
	if (weak && *weak)
		(void)bn_exec_audit_call(s, id, "sandbox", weak, true,
			"ran with weaker confinement "
			"(BNITY_SANDBOX_ALLOW_WEAKER): these were missing",
			NULL);
	free(weak);
	size_t olen = 0, elen = 0;
	res.output = bn_exec__memfd_take(fds[1], lim->output_bytes, &olen);
	res.output_len = olen;
	char *etext = bn_exec__memfd_take(fds[2], 64 << 10, &elen);
	switch (sr.end) {
	case BN_SANDBOX_END_EXIT:
		res.exit_code = sr.exit_code;
		res.ok = sr.exit_code == 0;
		res.outcome = res.ok ? "ok" : "error";
		if (!res.ok)
			res.error = elen ? bn_xstrdup(etext) : bn_xasprintf(
				"the script exited with status %d",
				sr.exit_code);
		break;
	case BN_SANDBOX_END_TIME:
	case BN_SANDBOX_END_MEMORY:
	case BN_SANDBOX_END_CPU:
	case BN_SANDBOX_END_FSIZE:
	case BN_SANDBOX_END_PIDS:
		res.outcome = "limit";
		res.limit = sr.end == BN_SANDBOX_END_FSIZE ? "output" :
			    bn_sandbox_end_name(sr.end);
		res.error = bn_xasprintf("the script was stopped: %s limit",
					 res.limit);
		break;
	default:
		res.outcome = "error";
		res.error = bn_xasprintf("the script was killed (%s%s)",
			bn_sandbox_end_name(sr.end), sr.end ==
			BN_SANDBOX_END_SECCOMP ? ": a forbidden system call" :
			"");
		break;
	}
	free(etext);
end:
	/* a run whose audit record cannot be closed is no success: the
	   caller reports why instead of its result */
	if ((r = bn_exec__run_end(&run, res.outcome, &res.error, res.output,
				  res.output_len, err)))
		goto out;
	res.duration_ms = run.ar.duration_ms;
	*out = res;
	memset(&res, 0, sizeof(res));
	r = 0;
	goto out;
fail:
	bn_exec__run_fail(&run, err);
out:
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (scratch)
		(void)bn_fs_rmtree(scratch, NULL);
	bn_exec_script_result_clear(&res);
	bn_exec__run_clear(&run);
	free(path);
	free(scratch);
	free(copy);
	free(work);
	free(home_env);
	free(tmp_env);
	free(skill_env);
	return r;
}

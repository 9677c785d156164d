/* SPDX-License-Identifier: MIT */
/*
 * exec/build.c - build a tool skill's skill.wasm (see build.h).
 *
 * The compiler runs as a child process with an argument vector (no shell)
 * in a scratch folder inside the skill; the module is validated by the
 * engine and renamed into place only when it is a WASI command, so a
 * failed build leaves the previous skill.wasm untouched.
 */
#include "build.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fs.h"
#include "exec_int.h"
#include "sandbox/sandbox.h"
#include "wasm/wasm.h"

extern char **environ;
extern const char bn_sdk_header[];
extern const unsigned long bn_sdk_header_len;

#define BUILD_LOG_MAX ((size_t)256 << 10)
#define NOBODY 65534                      /* uid of a confined build */

/* Files in DIR whose names end in SUFFIX, sorted, as full paths. */
static void find_files(bn_strv *out, const char *dir, const char *suffix)
{
	struct dirent **names = NULL;
	size_t sl = strlen(suffix);
	int n = scandir(dir, &names, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		size_t l = strlen(nm);
		if (nm[0] != '.' && l > sl && strcmp(nm + l - sl, suffix) == 0) {
			char *p = bn_fs_join(dir, nm);
			if (bn_fs_is_file(p))
				bn_strv_push(out, p);
			free(p);
		}
		free(names[i]);
	}
	free(names);
}

static int run_confined(const char *const *argv, const char *dir,
			bn_buf *log, bn_err *err);

/* Run ARGV, its output appended to LOG; 0 when it exits 0.  With
   CONFINE (a folder), under the OS sandbox, writing only there. */
static int run(const char *const *argv, const char *confine, bn_buf *log,
	       bn_err *err)
{
	if (confine)
		return run_confined(argv, confine, log, err);

	posix_spawn_file_actions_t fa;
	int pipefd[2], status, r;
	pid_t pid;
	bn_buf out;

	bn_buf_init(&out, BUILD_LOG_MAX);
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return bn_err_set(err, BN_EIO, "pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	r = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv,
			 environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (r) {
		close(pipefd[0]);
		return bn_err_set(err, BN_EIO, "cannot run %s: %s (is it "
				  "installed?)", argv[0], strerror(r));
	}
	for (;;) {
		char buf[4096];
		ssize_t n = read(pipefd[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		(void)bn_buf_append(&out, buf, (size_t)n);
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (log) {
		(void)bn_buf_puts(log, "$");
		for (int i = 0; argv[i]; i++)
			(void)bn_buf_printf(log, " %s", argv[i]);
		(void)bn_buf_printf(log, "\n%s", bn_buf_cstr(&out));
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		bn_err_set(err, BN_EIO, "%s failed:\n%s", argv[0],
			   bn_buf_cstr(&out));
		bn_buf_clear(&out);
		return BN_EIO;
	}
	bn_buf_clear(&out);
	return 0;
}

/* The built module must decode, validate and be a WASI command. */
static int check_module(const char *path, bn_err *err)
{
	bn_wasm_module *m = NULL;
	bn_wasm_err werr = { { 0 } };
	char *bytes = NULL;
	size_t n = 0, i;
	int r = bn_fs_read_file(&bytes, &n, path, (size_t)64 << 20, err);

	if (r)
		return r;
	if (bn_wasm_module_new(&m, (const uint8_t *)bytes, n, &werr)) {
		free(bytes);
		return bn_err_set(err, BN_EINVAL, "the built module is not "
				  "valid: %s", werr.msg);
	}
	free(bytes);
	r = BN_EINVAL;
	for (i = 0; i < bn_wasm_module_export_count(m); i++) {
		uint8_t kind;
		const char *name = bn_wasm_module_export(m, i, &kind);
		if (kind == BN_WASM_EXTERN_FUNC && !strcmp(name, "_start"))
			r = 0;
	}
	bn_wasm_module_free(m);
	if (r)
		return bn_err_set(err, BN_EINVAL, "the built module exports "
				  "no _start: a tool skill is a WASI command "
				  "(a main function in C)");
	return 0;
}

static int build_c(const bn_strv *srcs, const char *scratch,
		   const char *out, const char *confine, bn_buf *log,
		   bn_err *err)
{
	char *sdk = bn_fs_join(scratch, "bnity.h");
	char *inc = bn_xasprintf("-I%s", scratch);
	const char **argv = bn_xcalloc(srcs->n + 16, sizeof(*argv));
	size_t k = 0;
	int r;

	r = bn_fs_write_atomic(sdk, bn_sdk_header, bn_sdk_header_len, 0644,
			       err);
	if (r)
		goto out;
	argv[k++] = "clang";
	argv[k++] = "--target=wasm32-wasi";
	argv[k++] = "-O2";
	argv[k++] = "-Wall";
	argv[k++] = inc;
	argv[k++] = "-o";
	argv[k++] = out;
	for (size_t i = 0; i < srcs->n; i++)
		argv[k++] = srcs->v[i];
	argv[k] = NULL;
	r = run(argv, confine, log, err);
out:
	free(sdk);
	free(inc);
	free(argv);
	return r;
}

/* Build DIR's module; CONFINE as for run(). */
static int build_in(int *built_out, const char *dir, const char *confine,
		    bn_buf *log, bn_err *err)
{
	bn_strv c_srcs = { 0 }, wat = { 0 };
	char *src = bn_fs_join(dir, "src"), *final = bn_fs_join(dir,
								"skill.wasm");
	char *scratch = NULL, *out = NULL;
	char tpl[] = "/.build-XXXXXX";
	int r;

	find_files(&c_srcs, src, ".c");
	find_files(&c_srcs, dir, ".c");
	find_files(&wat, src, ".wat");
	find_files(&wat, dir, ".wat");
	if (c_srcs.n == 0 && wat.n == 0) {
		if (bn_fs_is_file(final)) {
			*built_out = 0;
			r = check_module(final, err);
			goto out;
		}
		r = bn_err_set(err, BN_EINVAL, "%s has neither a skill.wasm "
			       "nor sources to build one (src/*.c, *.c, "
			       "skill.wat or src/*.wat)", dir);
		goto out;
	}
	if (c_srcs.n && wat.n) {
		r = bn_err_set(err, BN_EINVAL, "%s has both C and WAT sources: "
			       "keep one language per skill", dir);
		goto out;
	}
	if (wat.n > 1) {
		r = bn_err_set(err, BN_EINVAL, "%s has %zu .wat files: a WAT "
			       "skill is one module in one file", dir, wat.n);
		goto out;
	}
	scratch = bn_xasprintf("%s%s", dir, tpl);
	if (!mkdtemp(scratch)) {
		r = bn_err_set(err, BN_EIO, "%s: cannot make a scratch "
			       "folder: %s", dir, strerror(errno));
		free(scratch);
		scratch = NULL;
		goto out;
	}
	out = bn_fs_join(scratch, "skill.wasm");
	/* a confined compiler runs unprivileged and writes its output here */
	if (confine && getuid() == 0 &&
	    (chown(scratch, NOBODY, NOBODY) < 0 || chmod(scratch, 0755) < 0)) {
		r = bn_err_set(err, BN_EIO, "%s: %s", scratch, strerror(errno));
		goto out;
	}
	if (c_srcs.n) {
		r = build_c(&c_srcs, scratch, out, confine, log, err);
	} else {
		const char *argv[] = { "wat2wasm", wat.v[0], "-o", out, NULL };
		r = run(argv, confine, log, err);
	}
	if (!r)
		r = check_module(out, err);
	if (!r && rename(out, final) < 0)
		r = bn_err_set(err, BN_EIO, "%s: %s", final, strerror(errno));
	if (!r)
		*built_out = 1;
out:
	if (scratch)
		(void)bn_fs_rmtree(scratch, NULL);
	bn_strv_clear(&c_srcs);
	bn_strv_clear(&wat);
	free(scratch);
	free(out);
	free(src);
	free(final);
	return r;
}

int bn_exec_build(int *built_out, const char *dir, bn_buf *log, bn_err *err)
{
	return build_in(built_out, dir, NULL, log, err);
}

/* ---- the confined build ------------------------------------------------ */


/* PROG as an absolute path found on PATH, or NULL (owned). */
static char *which(const char *prog)
{
	const char *path = secure_getenv("PATH");
	char *copy, *dir, *save = NULL, *found = NULL;

	if (strchr(prog, '/'))
		return realpath(prog, NULL);
	copy = bn_xstrdup(path && *path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char *p = bn_fs_join(dir, prog);
		if (access(p, X_OK) == 0)
			found = realpath(p, NULL);
		free(p);
	}
	free(copy);
	return found;
}

/*
 * One compiler command under the OS sandbox: no network, write access to
 * DIR only (a scratch copy of the sources), the system's programs and
 * libraries read-only, time and memory limits.
 */
static int run_confined(const char *const *argv, const char *dir,
			bn_buf *log, bn_err *err)
{
	bn_sandbox_policy pol = BN_SANDBOX_POLICY_INIT;
	bn_sandbox_target tg = { 0 };
	bn_sandbox_result sr = { 0 };
	const char *args[64];
	char *exe = which(argv[0]), *home_env, *tmp_env;
	int fds[3] = { -1, -1, -1 }, r;
	size_t n = 0;

	if (!exe)
		return bn_err_set(err, BN_EIO, "cannot run %s: not found (is it "
				  "installed?)", argv[0]);
	args[n++] = exe;
	for (size_t i = 1; argv[i] && n < 63; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	home_env = bn_xasprintf("HOME=%s", dir);
	tmp_env = bn_xasprintf("TMPDIR=%s", dir);
	const char *envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin", home_env,
			       tmp_env, "LANG=C", NULL };
	const char *rw[] = { dir };
	fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fds[1] = memfd_create("bnity-build-out", MFD_CLOEXEC);
	fds[2] = fds[1] >= 0 ? fcntl(fds[1], F_DUPFD_CLOEXEC, 3) : -1;
	if (fds[0] < 0 || fds[1] < 0 || fds[2] < 0) {
		r = bn_err_set(err, BN_EIO, "stdio: %s", strerror(errno));
		goto out;
	}
	pol.write_paths = rw;
	pol.n_write_paths = 1;
	pol.allow_exec = true;
	pol.memory_bytes = (uint64_t)2 << 30;
	pol.cpu_seconds = 300;
	pol.wall_ms = 300000;
	pol.file_size_bytes = (uint64_t)256 << 20;
	pol.max_procs = 64;
	pol.open_files = 256;
	pol.uid = getuid() ? getuid() : NOBODY;
	pol.gid = getgid() ? getgid() : NOBODY;
	pol.allow_weaker = bn_exec__allow_weaker();
	tg.argv = args;
	tg.envp = envp;
	bn_sandbox_target_stdio(&tg, &pol, fds);
	r = bn_sandbox_run(&sr, NULL, &pol, &tg, err);
	if (r) {
		bn_err_prefix(err, "the confined build could not start");
		goto out;
	}
	char text[8192];
	off_t end = lseek(fds[1], 0, SEEK_END);
	ssize_t got = 0;
	if (end > 0 && lseek(fds[1], end > (off_t)sizeof(text) - 1 ?
			     end - (off_t)sizeof(text) + 1 : 0, SEEK_SET) >= 0)
		got = read(fds[1], text, sizeof(text) - 1);
	text[got > 0 ? got : 0] = '\0';
	if (log) {
		(void)bn_buf_puts(log, "$ (confined)");
		for (size_t i = 0; args[i]; i++)
			(void)bn_buf_printf(log, " %s", args[i]);
		(void)bn_buf_printf(log, "\n%s", text);
	}
	if (sr.end != BN_SANDBOX_END_EXIT || sr.exit_code != 0)
		r = bn_err_set(err, BN_EIO, "%s failed in the sandbox (%s %d):"
			       "\n%s", argv[0], bn_sandbox_end_name(sr.end),
			       sr.end == BN_SANDBOX_END_EXIT ? sr.exit_code :
			       sr.signal, text);
out:
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(exe);
	free(home_env);
	free(tmp_env);
	return r;
}

int bn_exec_build_confined(int *built_out, const char *dir, bn_buf *log,
			   bn_err *err)
{
	char tpl[] = "/tmp/bnity-build-XXXXXX";
	char *scratch, *copy, *built = NULL, *final = NULL, *bytes = NULL;
	size_t n = 0;
	int r, made = 0;

	if (!mkdtemp(tpl))
		return bn_err_set(err, BN_EIO, "scratch folder: %s",
				  strerror(errno));
	scratch = bn_xstrdup(tpl);
	copy = bn_fs_join(scratch, "src");
	if ((r = bn_fs_copytree(dir, copy, err)))
		goto out;
	/* the compiler runs as an unprivileged user: let it in */
	bn_exec__open_tree(scratch);
	if (getuid() == 0 && chown(copy, NOBODY, NOBODY) < 0) {
		r = bn_err_set(err, BN_EIO, "%s: %s", copy, strerror(errno));
		goto out;
	}
	if ((r = build_in(&made, copy, copy, log, err)))
		goto out;
	if (!made) {
		*built_out = 0;
		goto out;
	}
	built = bn_fs_join(copy, "skill.wasm");
	final = bn_fs_join(dir, "skill.wasm");
	if ((r = bn_fs_read_file(&bytes, &n, built, (size_t)64 << 20, err)))
		goto out;
	if ((r = bn_fs_write_atomic(final, bytes, n, 0644, err)))
		goto out;
	*built_out = 1;
out:
	(void)bn_fs_rmtree(scratch, NULL);
	free(scratch);
	free(copy);
	free(built);
	free(final);
	free(bytes);
	return r;
}

/* SPDX-License-Identifier: MIT */
/*
 * sandbox/cgroup.c - per-run cgroup v1 groups for the memory and pids
 * controllers.
 *
 * Each run gets "bnity-sb-PID-NS" beneath the cgroup the broker itself
 * is in (read from /proc/self/cgroup), so a run never escapes the limits
 * its broker runs under.  The child joins them first thing, through
 * descriptors the parent opened (or the parent moves it in before it runs
 * anything when they cannot be opened); the parent reads memory.failcnt / memory.oom_control / pids.events
 * afterwards to say which limit ended the run, then kills what is left
 * and removes the groups; groups left by a broker that died are swept
 * when the next run starts.  Spec: Documentation/admin-guide/cgroup-v1/
 * memory.rst and pids.rst; cgroups(7).
 */
#include "sandbox_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"

#define CG_ROOT "/sys/fs/cgroup"
#define CG_LINE_MAX 4096

/* Open DIR/NAME with FLAGS (and O_CLOEXEC): the fd, or -errno. */
static int open_in(const char *dir, const char *name, int flags)
{
	char path[CG_LINE_MAX];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Read up to n-1 bytes of DIR/NAME into buf; returns bytes or -errno. */
static ssize_t read_small(const char *dir, const char *name, char *buf,
			  size_t n)
{
	ssize_t got;
	int fd = open_in(dir, name, O_RDONLY);

	if (fd < 0)
		return fd;
	got = read(fd, buf, n - 1);
	if (got < 0)
		got = -errno;
	else
		buf[got] = '\0';
	close(fd);
	return got;
}

static int write_small(const char *dir, const char *name, const char *s)
{
	size_t len = strlen(s);
	int fd = open_in(dir, name, O_WRONLY), r = 0;

	if (fd < 0)
		return fd;
	if (write(fd, s, len) != (ssize_t)len)
		r = -errno;
	close(fd);
	return r;
}

/* Is TOKEN one of the comma-separated words of LIST (n bytes)? */
static bool list_has(const char *list, size_t n, const char *token)
{
	size_t tl = strlen(token), i = 0;

	while (i < n) {
		size_t j = i;
		while (j < n && list[j] != ',')
			j++;
		if (j - i == tl && !memcmp(list + i, token, tl))
			return true;
		i = j + 1;
	}
	return false;
}

/* The folder of our own cgroup for CONTROLLER (owned), or NULL. */
static char *own_dir(const char *controller)
{
	char buf[CG_LINE_MAX], *line, *save = NULL, *dir = NULL;
	ssize_t n = read_small("/proc/self", "cgroup", buf, sizeof(buf));

	if (n <= 0)
		return NULL;
	for (line = strtok_r(buf, "\n", &save); line && !dir;
	     line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2;
		if (!c1 || !(c2 = strchr(c1 + 1, ':')))
			continue;
		if (!list_has(c1 + 1, (size_t)(c2 - c1 - 1), controller))
			continue;
		dir = bn_xasprintf(CG_ROOT "/%s%s", controller,
				   strcmp(c2 + 1, "/") ? c2 + 1 : "");
	}
	return dir;
}

/*
 * Remove the empty groups of runs whose broker died without cleaning up
 * ("bnity-sb-PID-..." with PID gone).  rmdir fails on a group still in
 * use, so a live run is never touched.
 */
static void sweep_stale(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *end, *path;
		long pid;
		if (strncmp(e->d_name, "bnity-sb-", 9))
			continue;
		pid = strtol(e->d_name + 9, &end, 10);
		if (end == e->d_name + 9 || *end != '-' || pid <= 0 ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		path = bn_xasprintf("%s/%s", base, e->d_name);
		(void)rmdir(path);
		free(path);
	}
	closedir(d);
}

/* A new uniquely named cgroup under ours (owned path), or NULL. */
static char *make_group(const char *controller, const char *tag)
{
	char *base = own_dir(controller), *dir;

	if (!base)
		return NULL;
	sweep_stale(base);
	dir = bn_xasprintf("%s/bnity-%s-%ld-%llu", base, tag, (long)getpid(),
			   (unsigned long long)bn_clock_now_ns());
	free(base);
	if (mkdir(dir, 0700)) {
		free(dir);
		return NULL;
	}
	return dir;
}

static void drop_group(char **dir)
{
	if (*dir)
		(void)rmdir(*dir);
	free(*dir);
	*dir = NULL;
}

void bn_sandbox__cgroup_create(bn_sandbox__cgroup *cg, uint64_t mem_bytes,
			       uint32_t max_procs)
{
	char num[32];

	cg->mem_dir = mem_bytes ? make_group("memory", "sb") : NULL;
	if (cg->mem_dir) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)mem_bytes);
		if (write_small(cg->mem_dir, "memory.limit_in_bytes", num))
			drop_group(&cg->mem_dir);
		/* Swap would let the run outgrow the limit: cap it too. */
		else
			(void)write_small(cg->mem_dir,
					  "memory.memsw.limit_in_bytes", num);
	}
	cg->pids_dir = max_procs ? make_group("pids", "sb") : NULL;
	if (cg->pids_dir) {
		snprintf(num, sizeof(num), "%u", max_procs);
		if (write_small(cg->pids_dir, "pids.max", num))
			drop_group(&cg->pids_dir);
	}
}

int bn_sandbox__cgroup_attach(const bn_sandbox__cgroup *cg, pid_t pid,
			      bn_err *err)
{
	const char *dirs[2] = { cg->mem_dir, cg->pids_dir };
	char num[32];
	int i, r;

	snprintf(num, sizeof(num), "%ld", (long)pid);
	for (i = 0; i < 2; i++) {
		if (!dirs[i])
			continue;
		r = write_small(dirs[i], "cgroup.procs", num);
		if (r)
			return bn_err_set(err, r, "cgroup: move %ld into %s: %s",
					  (long)pid, dirs[i], strerror(-r));
	}
	return 0;
}

/*
 * Why the child joins by itself: moving a process (a pid written to
 * cgroup.procs) write-locks the kernel's threadgroup semaphore, which
 * waits for an RCU grace period (~9 ms here, most of a run's start); a
 * thread moving itself ("0" written to `tasks`) needs no such lock.  The
 * child is single-threaded, so moving its one thread moves the process,
 * and everything it forks after is born inside.
 */
int bn_sandbox__cgroup_open_joins(int fds[2], const bn_sandbox__cgroup *cg)
{
	const char *dirs[2] = { cg->mem_dir, cg->pids_dir };
	char path[CG_LINE_MAX];
	int i, e;

	fds[0] = fds[1] = -1;
	for (i = 0; i < 2; i++) {
		if (!dirs[i])
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/tasks",
				     dirs[i]) >= sizeof(path)) {
			e = ENAMETOOLONG;
			goto fail;
		}
		fds[i] = open(path, O_WRONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			e = errno;
			goto fail;
		}
	}
	return 0;
fail:
	for (i = 0; i < 2; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
	return -e;
}

int bn_sandbox__cgroup_join(const int fds[2])
{
	for (int i = 0; i < 2; i++) {
		if (fds[i] < 0)
			continue;
		if (write(fds[i], "0", 1) != 1)
			return -errno;
		close(fds[i]);
	}
	return 0;
}

/* The number after KEY at the start of a line of TEXT, 0 if none. */
static unsigned long long keyed(const char *text, const char *key)
{
	size_t kl = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, kl) && p[kl] == ' ')
			return strtoull(p + kl + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

void bn_sandbox__cgroup_events(const bn_sandbox__cgroup *cg, bool *oom,
			       bool *mem_max, bool *pids_max)
{
	char buf[1024];

	*oom = *mem_max = *pids_max = false;
	if (cg->mem_dir) {
		if (read_small(cg->mem_dir, "memory.oom_control", buf,
			       sizeof(buf)) > 0)
			*oom = keyed(buf, "oom_kill") > 0;
		if (read_small(cg->mem_dir, "memory.failcnt", buf,
			       sizeof(buf)) > 0)
			*mem_max = strtoull(buf, NULL, 10) > 0;
	}
	if (cg->pids_dir &&
	    read_small(cg->pids_dir, "pids.events", buf, sizeof(buf)) > 0)
		*pids_max = keyed(buf, "max") > 0;
}

/* SIGKILL everything in DIR; true when it was already empty. */
static bool kill_members(const char *dir)
{
	char buf[CG_LINE_MAX], *p, *end;
	bool empty = true;

	if (read_small(dir, "cgroup.procs", buf, sizeof(buf)) <= 0)
		return true;
	for (p = buf; *p; p = end) {
		long pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid > 0) {
			(void)kill((pid_t)pid, SIGKILL);
			empty = false;
		}
	}
	return empty;
}

void bn_sandbox__cgroup_kill(const bn_sandbox__cgroup *cg)
{
	if (cg->pids_dir)
		(void)kill_members(cg->pids_dir);
	if (cg->mem_dir)
		(void)kill_members(cg->mem_dir);
}

static void empty_and_remove(char **dir)
{
	struct timespec ms = { 0, 1000000 };
	int i;

	if (!*dir)
		return;
	for (i = 0; i < 2000 && !kill_members(*dir); i++)
		nanosleep(&ms, NULL);
	drop_group(dir);
}

void bn_sandbox__cgroup_destroy(bn_sandbox__cgroup *cg)
{
	empty_and_remove(&cg->mem_dir);
	empty_and_remove(&cg->pids_dir);
}

bool bn_sandbox__cgroup_probe(const char *controller, char *note, size_t n)
{
	char *base = own_dir(controller), *dir;

	if (!base) {
		snprintf(note, n, "no v1 %s hierarchy in /proc/self/cgroup",
			 controller);
		return false;
	}
	dir = make_group(controller, "probe");
	if (!dir) {
		snprintf(note, n, "cannot create a group under %s: %s", base,
			 strerror(errno));
		free(base);
		return false;
	}
	(void)rmdir(dir);
	free(dir);
	snprintf(note, n, "per-run group under %s", base);
	free(base);
	return true;
}

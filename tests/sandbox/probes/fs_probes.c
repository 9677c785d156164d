/* SPDX-License-Identifier: MIT */
/*
 * tests/sandbox/probes/fs_probes.c - filesystem escapes: reading secrets
 * outside the allowed paths, and writing outside them through "..", an
 * absolute path, a symlink, a hard link and a rename.
 */
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include "probe.h"

/* Read one byte of PATH. */
static int try_read(const char *path)
{
	char c;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return probe_blocked(path, errno);
	if (read(fd, &c, 1) < 0) {
		int e = errno;
		close(fd);
		return probe_blocked(path, e);
	}
	close(fd);
	return probe_escaped(path);
}

static int read_file(int argc, char **argv)
{
	return argc < 1 ? 2 : try_read(argv[0]);
}

static int read_shadow(int argc, char **argv)
{
	return try_read("/etc/shadow");
}

static int read_proc_environ(int argc, char **argv)
{
	return try_read("/proc/1/environ");
}

/* Create PATH for writing. */
static int try_create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return probe_blocked(path, errno);
	(void)!write(fd, "x", 1);
	close(fd);
	return probe_escaped(path);
}

/* argv: SCRATCH; writes SCRATCH/../escape-dotdot. */
static int write_dotdot(int argc, char **argv)
{
	char p[PATH_MAX];

	if (argc < 1)
		return 2;
	snprintf(p, sizeof(p), "%s/../escape-dotdot", argv[0]);
	return try_create(p);
}

/* argv: an absolute path outside the allowed ones. */
static int write_abs(int argc, char **argv)
{
	return argc < 1 ? 2 : try_create(argv[0]);
}

/* argv: SCRATCH OUTSIDE; a link in the scratch pointing out. */
static int write_symlink(int argc, char **argv)
{
	char link[PATH_MAX];

	if (argc < 2)
		return 2;
	snprintf(link, sizeof(link), "%s/link-out", argv[0]);
	if (symlink(argv[1], link))
		return probe_blocked("symlink", errno);
	return try_create(link);
}

/* argv: SCRATCH OUTSIDE-FILE; a hard link to an outside file. */
static int write_hardlink(int argc, char **argv)
{
	char hl[PATH_MAX];
	int fd;

	if (argc < 2)
		return 2;
	snprintf(hl, sizeof(hl), "%s/hardlink", argv[0]);
	if (link(argv[1], hl))
		return probe_blocked("link", errno);
	fd = open(hl, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return probe_blocked("open hard link", errno);
	(void)!write(fd, "ESCAPED", 7);
	close(fd);
	return probe_escaped("wrote through a hard link");
}

/* argv: SCRATCH OUTSIDE-DIR; move a file out of the scratch. */
static int rename_out(int argc, char **argv)
{
	char from[PATH_MAX], to[PATH_MAX];
	int fd;

	if (argc < 2)
		return 2;
	snprintf(from, sizeof(from), "%s/moving", argv[0]);
	snprintf(to, sizeof(to), "%s/moved-out", argv[1]);
	fd = open(from, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return probe_blocked("create in scratch (unexpected)", errno);
	close(fd);
	if (rename(from, to))
		return probe_blocked("rename out", errno);
	return probe_escaped("renamed a file out of the scratch");
}

/* argv: SCRATCH; a control: writing inside must work. */
static int write_inside(int argc, char **argv)
{
	char p[PATH_MAX];
	int fd;

	if (argc < 1)
		return 2;
	snprintf(p, sizeof(p), "%s/inside", argv[0]);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		printf("failed: write inside the scratch (%s)\n",
		       strerror(errno));
		return 1;
	}
	close(fd);
	printf("allowed: wrote inside the scratch\n");
	return 0;
}

static const probe probes[] = {
	{ "read-file", read_file },
	{ "read-shadow", read_shadow },
	{ "read-proc-environ", read_proc_environ },
	{ "write-dotdot", write_dotdot },
	{ "write-abs", write_abs },
	{ "write-symlink", write_symlink },
	{ "write-hardlink", write_hardlink },
	{ "rename-out", rename_out },
	{ "write-inside", write_inside },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	return probe_dispatch(probes, argc, argv);
}

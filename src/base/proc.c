/* SPDX-License-Identifier: MIT */
/* base/proc.c - owner leases (see proc.h).  proc(5): /proc/PID/stat. */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* PID's start time, and its state letter into *state. */
static int64_t stat_of(int64_t pid, char *state)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd, field;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%lld/stat", (long long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* the command name (field 2) may hold spaces and parentheses: the
	   fields after it start after its last ')' */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return 0;
	*state = p[2];
	/* field 3 (state) follows; field 22 is starttime */
	for (field = 2; *p && field < 22; p++)
		if (*p == ' ')
			field++;
	return field == 22 ? strtoll(p, NULL, 10) : 0;
}

int64_t bn_proc_start_time(int64_t pid)
{
	char state = 0;
	return stat_of(pid, &state);
}

void bn_proc_owner_self(bn_proc_owner *out)
{
	memset(out, 0, sizeof(*out));
	out->pid = (int64_t)getpid();
	out->start = bn_proc_start_time(out->pid);
	if (gethostname(out->host, sizeof(out->host) - 1) < 0)
		out->host[0] = '\0';
}

bool bn_proc_owner_gone(int64_t pid, int64_t start, const char *host)
{
	char here[BN_PROC_HOST_MAX] = "";

	if (pid <= 0 || !host ||
	    gethostname(here, sizeof(here) - 1) < 0 || strcmp(here, host))
		return false;
	if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
		return true;
	/* a process has the pid: the owner only if it started then and
	   is not a zombie (dead, not yet reaped) */
	char state = 0;
	int64_t t = stat_of(pid, &state);
	return state == 'Z' || state == 'X' || (start && t && t != start);
}

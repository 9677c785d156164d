/* SPDX-License-Identifier: MIT */
/*
 * tests/sandbox/probes/res_probes.c - resource exhaustion: a fork bomb, a
 * memory bomb, fd exhaustion, and filling the disk.  Each should be ended
 * (or refused) by a limit the runner then sees named.
 */
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include "probe.h"

static int fork_bomb(int argc, char **argv)
{
	for (;;)
		(void)fork();
	return 0; /* not reached */
}

static int memory_bomb(int argc, char **argv)
{
	size_t chunk = (size_t)1 << 20, total = 0;

	for (;;) {
		char *p = malloc(chunk);
		if (!p) {
			printf("blocked: malloc failed after %zu MiB\n",
			       total >> 20);
			return 0;
		}
		memset(p, 0xa5, chunk);
		/* Keep the compiler from eliding the unused allocation. */
		__asm__ volatile("" : : "r"(p) : "memory");
		total += chunk;
		if (total >= ((size_t)8 << 30))
			return probe_escaped("allocated 8 GiB");
	}
}

/* Open /dev/null until refused; more than argv[0] fds is an escape. */
static int fd_exhaust(int argc, char **argv)
{
	long max = argc > 0 ? strtol(argv[0], NULL, 10) : 64, n = 0;

	for (;;) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			break;
		if (fd >= max)
			return probe_escaped("opened past the fd limit");
		n++;
	}
	printf("blocked: %s after %ld more descriptors\n", strerror(errno),
	       n);
	return 0;
}

/* argv: SCRATCH MAX-BYTES; write until the file size limit stops us. */
static int disk_fill(int argc, char **argv)
{
	static char buf[1 << 16];
	char p[PATH_MAX];
	unsigned long long total = 0, max;
	int fd;

	if (argc < 2)
		return 2;
	max = strtoull(argv[1], NULL, 10);
	snprintf(p, sizeof(p), "%s/fill", argv[0]);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return probe_blocked("open scratch file (unexpected)", errno);
	for (;;) {
		ssize_t k = write(fd, buf, sizeof(buf));
		if (k <= 0)
			break;
		total += (unsigned long long)k;
		if (total > max)
			return probe_escaped("wrote past the file size limit");
	}
	printf("blocked: %s after %llu bytes\n", strerror(errno), total);
	return 0;
}

static const probe probes[] = {
	{ "fork-bomb", fork_bomb },
	{ "memory-bomb", memory_bomb },
	{ "fd-exhaust", fd_exhaust },
	{ "disk-fill", disk_fill },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	return probe_dispatch(probes, argc, argv);
}

/* SPDX-License-Identifier: MIT */
/* base/fault.c - the BNITY_FAULT hook (fault.h). */
#include "fault.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void bn_fault(const char *point)
{
	const char *f = secure_getenv("BNITY_FAULT");

	if (f && strcmp(f, point) == 0)
		_exit(99);
}

void bn_fault_swap_dir(int dirfd, const char *name)
{
	const char *f = secure_getenv("BNITY_FAULT");
	const char *target = secure_getenv("BNITY_FAULT_TARGET");
	char moved[256];

	if (!f || !target || strcmp(f, "copytree-swap-dir") != 0)
		return;
	(void)snprintf(moved, sizeof moved, "%s.moved", name);
	if (renameat(dirfd, name, dirfd, moved) == 0)
		(void)symlinkat(target, dirfd, name);
}

void bn_fault_replace(const char *point, const char *path)
{
	const char *f = secure_getenv("BNITY_FAULT");
	const char *target = secure_getenv("BNITY_FAULT_TARGET");

	if (f && target && strcmp(f, point) == 0)
		(void)rename(target, path);
}

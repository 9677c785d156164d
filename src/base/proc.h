/* SPDX-License-Identifier: MIT */
/*
 * base/proc.h - who owns a piece of work in progress: an owner lease.
 *
 * Owns: naming this process as an owner (its pid, its start time from
 * /proc/PID/stat and the host name) and telling whether a recorded owner
 * is gone.  A pid alone is not enough: pids are reused, so an owner is
 * gone when no process has its pid, or when the process that has it
 * started at another time.  Uses: libc only.
 */
#ifndef BN_BASE_PROC_H
#define BN_BASE_PROC_H

#include <stdbool.h>
#include <stdint.h>

#define BN_PROC_HOST_MAX 256

typedef struct bn_proc_owner {
	int64_t pid;
	int64_t start;               /* clock ticks after boot (stat field
					22), 0 when unknown */
	char host[BN_PROC_HOST_MAX]; /* gethostname(2), "" when unknown */
} bn_proc_owner;

/* This process as an owner. */
void bn_proc_owner_self(bn_proc_owner *out);

/* The start time of process PID (stat field 22), 0 when there is none. */
int64_t bn_proc_start_time(int64_t pid);

/*
 * bn_proc_owner_gone - true when the owner PID/START on HOST is certainly
 * gone: HOST is this host and no process PID started at START runs.  An
 * owner on another host, or one recorded without a pid, is never called
 * gone (nothing here can tell).
 */
bool bn_proc_owner_gone(int64_t pid, int64_t start, const char *host);

#endif

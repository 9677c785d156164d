/* SPDX-License-Identifier: MIT */
/*
 * exec/worker.h - run a tool skill inside a confined worker process.
 *
 * Owns: the worker's side of a run (decode, instantiate and run the
 * module after the OS confinement is in place, forwarding every "bnity"
 * call to the broker) and the broker's loop (answer each call through
 * bn_exec_host_op, so grants and the audit log stay in the broker;
 * enforce the wall clock; read the worker's final report).
 * Uses: sandbox (spawn, protocol), wasm (engine, WASI), exec (host).
 *
 * Messages on the channel (framed by sandbox/protocol.h):
 *   REQ  worker -> broker   u32 fn, u32 nstr, nstr x (u32 len, bytes),
 *                           i32 n
 *   RESP broker -> worker   i32 code, i32 http_status, u32 len, result,
 *                           u32 len, last error text
 *   JOB  broker -> worker   name, 4 x u64 limits, u32 n, n x (host path,
 *                           guest path, u32 read-only); descriptors
 *                           (SCM_RIGHTS): the job's stdin, stdout and
 *                           stderr memfds, then the module's bytes in a
 *                           memfd unless the worker has it compiled
 *   DONE worker -> broker   the job's end: status, trap, fuel, memory
 * A worker serves one job after another, each in a fresh instance with
 * fresh linear memory, until the broker closes the channel: a one-shot
 * run after its first job, a pooled worker when the pool retires it
 * (exec/pool.h).
 * Everything the worker sends is checked as hostile input: a malformed
 * or oversized message ends the run, never the broker.
 */
#ifndef BN_EXEC_WORKER_H
#define BN_EXEC_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "exec/grants.h"
#include "exec/host.h"
#include "wasm/wasi.h"
#include "wasm/wasm.h"

/* One host call moves at most this much each way in a confined run. */
#define BN_EXEC_WORKER_MSG_MAX (((size_t)1 << 20) - 4096)

typedef struct bn_exec_pool bn_exec_pool;

typedef struct bn_exec_worker_job {
	const char *name;                 /* the skill, argv[0] */
	const char *identity;             /* the skill's tree hash, or NULL */
	bn_exec_pool *pool;               /* NULL: a one-shot worker */
	const uint8_t *wasm;              /* module bytes, not yet parsed */
	size_t wasm_len;
	bn_exec_limits limits;
	const bn_wasm_wasi_preopen *preopens;
	size_t npreopens;
	int fds[3];                       /* stdin, stdout, stderr memfds */
	bn_exec_host *host;               /* broker side: grants, audit */
	bool allow_weaker;                /* run without a missing mechanism */
	int cancel_fd;                    /* > 0: readable when the caller
					     cancels; the worker is killed */
	struct bn_exec__prestart *prestart; /* without a pool: a worker
					     started ahead of the job
					     (exec_int.h), or NULL */
} bn_exec_worker_job;

typedef struct bn_exec_worker_outcome {
	bool reported;             /* the worker sent its final report */
	char load_error[512];      /* the module did not load or link */
	bool load_limit;           /* ... because instantiating it passed
				      the memory cap */
	bool no_start;             /* no _start export */
	int status;                /* the module's exit status */
	bn_wasm_trap_kind trap;    /* BN_WASM_TRAP_NONE when none */
	char trap_msg[256];
	uint32_t func_index;
	uint32_t code_offset;
	uint64_t fuel_used;        /* as the worker reports them */
	uint64_t memory_peak;
	uint64_t memory_refused;
	uint64_t output_bytes;
	bool timed_out;            /* the broker's wall clock ran out */
	bool cancelled;            /* the caller cancelled (cancel_fd, or
				      the host's cancel flag) and the worker
				      was killed */
	bool protocol_error;       /* the worker broke the protocol */
	char protocol_msg[256];
	int end;                   /* bn_sandbox_end of the process */
	char end_name[16];
	char *weakened;            /* owned: mechanisms that were missing */
	int worker_pid;            /* the worker (its PID 1, as the broker
				      sees it) */
	unsigned worker_calls;     /* this was its Nth call */
	uint64_t spawn_us;         /* starting a worker for this call took
				      this long; 0: a warm worker or a
				      spare served it */
} bn_exec_worker_outcome;

void bn_exec_worker_outcome_clear(bn_exec_worker_outcome *o);

/*
 * bn_exec_worker_run - run JOB in a confined worker: a fresh one that
 * ends with the job, or one of JOB's pool (exec/pool.h); serve its host
 * calls and wait for the job's end.  Returns 0 when it ran (see *out), BN_EDENIED
 * with *err naming what is missing when the machine lacks a mechanism
 * the untrusted tier requires (and JOB does not allow weaker), or
 * another error when it could not start.
 */
int bn_exec_worker_run(bn_exec_worker_outcome *out,
		       const bn_exec_worker_job *job, bn_err *err) BN_MUST_USE;

/*
 * bn_exec_worker_main - the worker entry point: what `bnity __worker
 * ARGS` runs in a fresh, confined image (ARGV: the words after
 * "__worker").  Confines itself, receives the job, runs it and reports
 * to the broker; returns the process's exit status.
 */
int bn_exec_worker_main(int argc, char **argv);

#endif
